/* Aggregates reports over a run: counts by outcome, step, alert and
 * diagnosis, the servers that fail most, and cross-connection inference
 * (what a server's successful handshakes had that a failing one lacked).
 * Bounded: at most TLSD_SUMMARY_MAX_SERVERS servers are tracked. */
#ifndef TLSD_SUMMARY_H
#define TLSD_SUMMARY_H

#include <stdio.h>

#include "tlsd/report.h"

#define TLSD_SUMMARY_MAX_SERVERS 65536u

struct tlsd_summary;

TLSD_MUST_USE struct tlsd_summary *tlsd_summary_new(void);
void tlsd_summary_free(struct tlsd_summary *s);
/* For a failed report: adds a `differs_from_accepted_clients` diagnosis when
 * the same server endpoint accepted other handshakes so far and every one of
 * them had something this one lacked. Call before emitting the report. */
void tlsd_summary_annotate(const struct tlsd_summary *s, struct tlsd_report *r);
void tlsd_summary_add(struct tlsd_summary *s, const struct tlsd_report *r);
uint64_t tlsd_summary_failed(const struct tlsd_summary *s);
void tlsd_summary_text(const struct tlsd_summary *s, FILE *out, bool color);
void tlsd_summary_json(const struct tlsd_summary *s, FILE *out);

#endif
