/* JSON Lines rendering of reports, the summary and the statistics: one
 * object per line, keys in the catalog's order, every string escaped so that
 * any bytes the wire held (control characters, invalid UTF-8) stay valid JSON. */
#ifndef TLSD_REPORT_JSON_H
#define TLSD_REPORT_JSON_H

#include <stdio.h>

#include "tlsd/report.h"

void tlsd_report_json(FILE *out, const struct tlsd_report *r);
/* Writes s[0..len) as a JSON string literal with quotes. Bytes that are not
 * valid UTF-8 become the text \xNN (Zeek's convention), control characters
 * \u00NN. */
void tlsd_json_string(FILE *out, const uint8_t *s, size_t len);

#endif
