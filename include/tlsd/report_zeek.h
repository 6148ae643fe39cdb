/* Zeek ssl.log-compatible output (-T zeek): Zeek's ASCII log format (the
 * #separator/#fields/#types header, tab-separated fields, "-" for unset,
 * "(empty)" for empty, \xNN escapes) with ssl.log's field names and types
 * (base/protocols/ssl/main.zeek and files.zeek, policy validate-certs,
 * the ja3 package), then tlsdiag's additions: community_id and the
 * tlsdiag.* verdict fields. One line per TLS connection. */
#ifndef TLSD_REPORT_ZEEK_H
#define TLSD_REPORT_ZEEK_H

#include <stdio.h>

#include "tlsd/report.h"

/* The header, before the first record; open_ts stamps #open. */
void tlsd_zeek_header(FILE *out, tlsd_time_ns open_ts);
void tlsd_report_zeek(FILE *out, const struct tlsd_report *r);
/* The #close line, after the last record. */
void tlsd_zeek_footer(FILE *out, tlsd_time_ns close_ts);
/* Zeek's version strings: "TLSv12", "SSLv3", "DTLSv12"; NULL if unknown. */
const char *tlsd_zeek_version(uint16_t v);

#endif
