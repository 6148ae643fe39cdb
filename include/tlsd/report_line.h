/* One line per connection (-T line), for grep, awk and cut. The first
 * seven fields are positional and never empty ("-" when absent):
 *   VERDICT STEP CAUSE(CONFIDENCE) SNI SERVER CLIENT TIME
 * e.g. "FAILED certificate server_certificate_untrusted(certain)
 * www.example.com 192.0.2.7:443 10.0.0.5:51234 2026-11-27T05:08:59.471842Z",
 * then key=value fields: ended=BY/HOW [transport=quic|dtls] alert=... version=...
 * history=... id=...
 * and also=CODE,... (a failure's further findings) or warnings=CODE,... (an
 * established connection's) when there are any. No field holds a space: SNI
 * bytes outside printable ASCII, spaces and backslashes are written \xNN. */
#ifndef TLSD_REPORT_LINE_H
#define TLSD_REPORT_LINE_H

#include <stdio.h>

#include "tlsd/report.h"

struct tlsd_line_opts {
	enum tlsd_time_fmt time_fmt;
	tlsd_time_ns time_origin; /* for TLSD_TIME_RELATIVE */
	bool verbose;             /* -v: also community_id= */
};

void tlsd_report_line(FILE *out, const struct tlsd_report *r, const struct tlsd_line_opts *o);
/* Writes bytes as one field: printable ASCII except space and backslash as
 * they are, everything else \xNN. "-" for an empty string. */
void tlsd_line_field(FILE *out, const uint8_t *s, size_t len);

#endif
