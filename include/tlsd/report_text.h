/* Human-readable rendering: one compact block per failed connection, one
 * line per established one (with --all). Colour only when asked. */
#ifndef TLSD_REPORT_TEXT_H
#define TLSD_REPORT_TEXT_H

#include <stdio.h>

#include "tlsd/report.h"

struct tlsd_text_opts {
	bool all;        /* also print established connections (one line each) */
	bool color;      /* ANSI colours */
	bool next_steps; /* "next:" (openssl) and "packets:" (tshark) lines per failure */
	bool verbose;    /* -v: also curl, the connection id and Community ID */
	bool explain;    /* --explain: the history spelled out, one symbol a line */
	enum tlsd_time_fmt time_fmt;
	tlsd_time_ns time_origin;  /* first packet of the run (-t r) */
	const char *source;        /* the capture file, for `tshark -r` (NULL: none) */
	bool live;                 /* source is an interface */
};

void tlsd_report_text(FILE *out, const struct tlsd_report *r, const struct tlsd_text_opts *o);
/* Writes bytes with non-printable ones as \xNN (for SNI and samples). */
void tlsd_text_escaped(FILE *out, const uint8_t *s, size_t len);

#endif
