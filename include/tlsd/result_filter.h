/* Filters on the result (--outcome, --cause, --sni, --server,
 * --min-confidence): which reported connections are shown, summarised,
 * grouped and counted for the exit status. Within one option the values are
 * alternatives (comma lists, or the option given again); different options
 * must all match. They combine with the BPF capture filter, which decides
 * which packets are read at all. */
#ifndef TLSD_RESULT_FILTER_H
#define TLSD_RESULT_FILTER_H

#include "tlsd/report.h"

struct tlsd_result_filter; /* opaque */

TLSD_MUST_USE struct tlsd_result_filter *tlsd_result_filter_new(void);
void tlsd_result_filter_free(struct tlsd_result_filter *f);

/* Each returns 0, -EINVAL for a value it cannot use (nothing added), or
 * -ENOMEM. */
/* "failed,incomplete,established" */
TLSD_MUST_USE int tlsd_result_filter_outcomes(struct tlsd_result_filter *f, const char *list);
/* Diagnosis codes or shell globs ("certificate_*"): a connection matches
 * when any of its diagnoses (cause, further finding or warning) does. */
TLSD_MUST_USE int tlsd_result_filter_causes(struct tlsd_result_filter *f, const char *list);
/* Shell globs on the SNI, case-insensitive ("*.example.com"); "-" matches
 * connections without SNI. */
TLSD_MUST_USE int tlsd_result_filter_snis(struct tlsd_result_filter *f, const char *list);
/* Server addresses: ADDR, ADDR/LEN, IPv4ADDR:PORT, [ADDR]:PORT,
 * [ADDR/LEN]:PORT, or :PORT (any address). */
TLSD_MUST_USE int tlsd_result_filter_servers(struct tlsd_result_filter *f, const char *list);
/* "certain", "likely" or "possible": the cause (or, with --cause, the
 * matching diagnosis) is at least this sure. */
TLSD_MUST_USE int tlsd_result_filter_min_confidence(struct tlsd_result_filter *f, const char *s);

/* True when no option was given (everything matches). */
bool tlsd_result_filter_empty(const struct tlsd_result_filter *f);
/* True when --outcome names established connections (they are then shown
 * without --all). */
bool tlsd_result_filter_wants_established(const struct tlsd_result_filter *f);
bool tlsd_result_filter_match(const struct tlsd_result_filter *f, const struct tlsd_report *r);

#endif
