/* Where reports go after the analysis: the result filters, the choice of
 * what is shown (-a, -q, connections picked up mid-stream), the output
 * format (-T text|json|line|zeek), the grouped view and when output is
 * flushed. main.c hands every report to tlsd_output_report() and calls
 * tlsd_output_finish() at the end.
 *
 * The grouped view (--group) is on by default for text output read from
 * files, without -a, when more than TLSD_OUTPUT_AUTO_GROUP failed or
 * incomplete connections would be printed: the first blocks are held back
 * until that is known (files are read in seconds), so a capture with a few
 * failures prints its blocks and a large one prints one screen of groups.
 * Live captures and pipes print blocks as connections end (never held). */
#ifndef TLSD_OUTPUT_H
#define TLSD_OUTPUT_H

#include <stdatomic.h>
#include <stdio.h>

#include "tlsd/group.h"
#include "tlsd/report.h"
#include "tlsd/result_filter.h"

#define TLSD_OUTPUT_AUTO_GROUP 20

enum tlsd_format { TLSD_FORMAT_TEXT = 0, TLSD_FORMAT_JSON, TLSD_FORMAT_LINE, TLSD_FORMAT_ZEEK };
enum tlsd_group_mode { TLSD_GROUP_AUTO = 0, TLSD_GROUP_ON, TLSD_GROUP_OFF };

struct tlsd_output_opts {
	enum tlsd_format format;
	enum tlsd_group_mode group;
	bool all;         /* -a: established connections too */
	bool quiet;       /* -q: no per-connection records */
	bool verbose;     /* -v */
	bool explain;     /* --explain: the history spelled out */
	bool color;
	bool flush_each;  /* flush after each report (live, pipe, -l) */
	enum tlsd_time_fmt time_fmt;
	const struct tlsd_result_filter *filter; /* NULL: everything */
};

struct tlsd_output;

/* out is borrowed. NULL on OOM. */
TLSD_MUST_USE struct tlsd_output *tlsd_output_new(FILE *out, const struct tlsd_output_opts *o);
void tlsd_output_free(struct tlsd_output *o);
/* The input now being read (a file name, or an interface with live). The
 * string must outlive the output. Reports say which source they came from. */
void tlsd_output_set_source(struct tlsd_output *o, const char *name, bool live);
/* A file (or pcapng section) whose first frame will be number first_frame
 * of the run: a connection is named after the file of its first packet,
 * where its handshake is, however many files later it ends (rotated
 * captures; an idle timeout noticed while reading a later file). */
void tlsd_output_begin_file(struct tlsd_output *o, const char *name, uint64_t first_frame);
/* First packet of the run (for -t r). */
void tlsd_output_set_origin(struct tlsd_output *o, tlsd_time_ns t);
/* Whether the report passes the result filters (--cause, --sni, ...). */
bool tlsd_output_selects(const struct tlsd_output *o, const struct tlsd_report *r);
/* A selected report: shown, grouped, buffered as the options say. */
void tlsd_output_report(struct tlsd_output *o, const struct tlsd_report *r);
/* Connections counted but not shown because they were picked up mid-stream
 * without a handshake message (shown with -a). */
uint64_t tlsd_output_hidden(const struct tlsd_output *o);
/* End of input: held blocks or the grouped view, the Zeek footer. */
void tlsd_output_finish(struct tlsd_output *o);
/* Whether the grouped view was printed (it holds the patterns already). */
bool tlsd_output_grouped(const struct tlsd_output *o);
/* True from the moment no report will be printed in detail any more (the
 * text view chose the grouped view), to be read on any thread
 * (tlsd_cert_checks.details_unread). */
const atomic_bool *tlsd_output_details_dropped(const struct tlsd_output *o);
/* The grouping state (fed whenever the format can show it), for the
 * patterns in the text summary; NULL when not kept. */
const struct tlsd_group *tlsd_output_group(const struct tlsd_output *o);
const struct tlsd_group_opts *tlsd_output_group_opts(const struct tlsd_output *o);

#endif
