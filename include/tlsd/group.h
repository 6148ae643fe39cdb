/* The grouped view (--group): identical failures folded into one row each,
 * and the fleet patterns of FAILURE-CATALOG.md across connections.
 *
 * A row is the failures that share outcome, failed step, main cause, SNI and
 * server address:port, with their count, the number of distinct clients,
 * the first and last time and one example connection (the earliest). When
 * there are more rows than fit (max_rows), rows that differ only in the
 * server are folded into one ("N servers"); if that is still too many, rows
 * that differ only in the SNI too; the largest rows are shown, the rest
 * counted on one line.
 *
 * Patterns (each stated only when the numbers make it more than chance):
 * - server_failing: one server address failed every handshake for an SNI
 *   while other addresses for the same SNI succeeded, and the SNI's overall
 *   failure rate makes that many failures in a row unlikely by chance
 *   (p * number of servers < 0.05);
 * - certificates: one SNI answered with more than one leaf certificate
 *   (sha256), with the successes and failures per certificate;
 * - version_fallback: a client that failed at its highest version tried the
 *   same SNI again offering a lower one;
 * - failures_began: an SNI (or one server of it) succeeded until some time
 *   and only failed after it (at least 2 of each).
 * Bounded: at most TLSD_GROUP_MAX_KEYS rows per level, SNIs and failing
 * clients, TLSD_GROUP_MAX_PAIRS (SNI, server) pairs, and 16 MiB for all the
 * distinct counts (clients, servers, SNIs) together: each is exact up to
 * TLSD_DISTINCT_EXACT_MAX values, then an estimate (distinct.h); an estimate,
 * or a count that ran out of room, is marked approximate ("+"). What does
 * not fit is counted, never allocated. */
#ifndef TLSD_GROUP_H
#define TLSD_GROUP_H

#include <stdio.h>

#include "tlsd/report.h"

#define TLSD_GROUP_MAX_KEYS 65536u
#define TLSD_GROUP_MAX_PAIRS 262144u    /* (SNI, server) entries */
#define TLSD_GROUP_DEFAULT_ROWS 14

struct tlsd_group;

struct tlsd_group_opts {
	unsigned max_rows;          /* 0: TLSD_GROUP_DEFAULT_ROWS; UINT_MAX: all */
	enum tlsd_time_fmt time_fmt;
	tlsd_time_ns time_origin;
	bool color;
};

TLSD_MUST_USE struct tlsd_group *tlsd_group_new(void);
void tlsd_group_free(struct tlsd_group *g);
/* Only the text view will be printed, with at most max_rows rows (0: the
 * default): levels with more rows than that skip their distinct counts,
 * which saves memory on large captures. Call before the first add. */
void tlsd_group_text_only(struct tlsd_group *g, unsigned max_rows);
/* Every reported connection (established ones feed the patterns). */
void tlsd_group_add(struct tlsd_group *g, const struct tlsd_report *r);
/* Failed and incomplete connections added so far. */
uint64_t tlsd_group_failures(const struct tlsd_group *g);

/* The grouped view: header, rows, patterns. Returns the lines written. */
unsigned tlsd_group_text(const struct tlsd_group *g, FILE *out, const struct tlsd_group_opts *o);
/* Only the patterns (for the text summary); returns the lines written. */
unsigned tlsd_group_patterns_text(const struct tlsd_group *g, FILE *out,
				  const struct tlsd_group_opts *o);
/* JSON Lines: one {"type":"group",...} per finest row, then one
 * {"type":"pattern",...} per pattern. */
void tlsd_group_json(const struct tlsd_group *g, FILE *out);

#endif
