/* JSON Lines rendering of reports, the summary and the statistics: one
 * object per line, keys in the catalog's order, every string escaped so that
 * any bytes the wire held (control characters, invalid UTF-8) stay valid JSON. */
#ifndef TLSD_REPORT_JSON_H
#define TLSD_REPORT_JSON_H

#include <stdio.h>

#include "tlsd/obuf.h"
#include "tlsd/report.h"

/* The "schema_version" of every record (schema/tlsdiag.schema.json). */
#define TLSD_JSON_SCHEMA_VERSION 1

struct tlsd_json_opts {
	const char *source; /* file or interface name; NULL: "source" is null */
	bool live;          /* source is an interface */
	bool explain;       /* add "history_explained" */
};

/* One connection record. */
void tlsd_report_json_ex(FILE *out, const struct tlsd_report *r, const struct tlsd_json_opts *o);
/* The same into an output buffer (one record, flushed by the caller). */
void tlsd_report_json_ob(struct tlsd_obuf *out, const struct tlsd_report *r,
			 const struct tlsd_json_opts *o);
/* The same with no source (tests, fuzzers). */
void tlsd_report_json(FILE *out, const struct tlsd_report *r);
/* Writes s[0..len) as a JSON string literal with quotes. Bytes that are not
 * valid UTF-8 become the text \xNN (Zeek's convention), control characters
 * \u00NN. */
void tlsd_json_string(FILE *out, const uint8_t *s, size_t len);
/* {"ip":"...","port":N} */
void tlsd_json_endpoint(FILE *out, const struct tlsd_endpoint *e, uint8_t ip_version);
/* "2026-11-27T02:56:00.123456Z" (UTC, microseconds), or null. */
void tlsd_json_time(FILE *out, tlsd_time_ns t);
/* The same three into an output buffer. */
void tlsd_json_str(struct tlsd_obuf *out, const uint8_t *s, size_t len);
void tlsd_json_ep(struct tlsd_obuf *out, const struct tlsd_endpoint *e, uint8_t ip_version);
void tlsd_json_tm(struct tlsd_obuf *out, tlsd_time_ns t);

#endif
