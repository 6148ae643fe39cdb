/* Words for diagnoses: the one place where a cause code and its facts
 * become sentences (text reporter, JSON "text"/"evidence", summaries).
 * Pure: reads a report, writes into the caller's buffer. Nothing here runs
 * unless a report is shown. */
#ifndef TLSD_EXPLAIN_H
#define TLSD_EXPLAIN_H

#include "tlsd/report.h"

/* The sentence a person can act on. Always NUL-terminates (len > 0);
 * returns the length written. */
size_t tlsd_explain_text(const struct tlsd_report *r, const struct tlsd_diag *d, char *buf,
			 size_t len);
/* What was seen: the facts' phrases joined with "; ". */
size_t tlsd_explain_evidence(const struct tlsd_report *r, const struct tlsd_diag *d, char *buf,
			     size_t len);

/* For JSON: a fact's key, whether it is shown at all, and its value. A
 * numeric value is written as a JSON number (durations in milliseconds,
 * three decimals), a boolean as true/false, the rest as text. */
enum tlsd_fact_json { TLSD_FJ_HIDDEN, TLSD_FJ_NUMBER, TLSD_FJ_BOOL, TLSD_FJ_STRING };
const char *tlsd_fact_key(enum tlsd_fact_id id);
enum tlsd_fact_json tlsd_fact_json_type(const struct tlsd_fact *f);
size_t tlsd_explain_fact_value(const struct tlsd_report *r, const struct tlsd_fact *f, char *buf,
			       size_t len);

/* Helpers shared with the reporters: a duration as people read it ("12.3
 * ms", "4.20 s", "2 min", "731 days") and bytes escaped for display
 * (printable ASCII kept, '\\' and the rest as \xNN, '"' as \x22). */
size_t tlsd_explain_duration(tlsd_time_ns ns, char *buf, size_t len);
size_t tlsd_explain_escaped(const uint8_t *p, size_t n, char *buf, size_t len);

#endif
