/* Human-readable rendering: one compact block per failed connection, one
 * line per established one (with --all). Colour only when asked. */
#ifndef TLSD_REPORT_TEXT_H
#define TLSD_REPORT_TEXT_H

#include <stdio.h>

#include "tlsd/report.h"

struct tlsd_text_opts {
	bool all;   /* also print established connections (one line each) */
	bool color; /* ANSI colours */
};

void tlsd_report_text(FILE *out, const struct tlsd_report *r, const struct tlsd_text_opts *o);
/* Writes bytes with non-printable ones as \xNN (for SNI and samples). */
void tlsd_text_escaped(FILE *out, const uint8_t *s, size_t len);

#endif
