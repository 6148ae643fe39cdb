/* Where reports go (output.h). */
#include "tlsd/output.h"

#include <stdlib.h>
#include <string.h>

#include "tlsd/report_json.h"
#include "tlsd/report_line.h"
#include "tlsd/report_text.h"
#include "tlsd/report_zeek.h"

/* Where a file's frames begin in the run's numbering. */
struct file_start {
	uint64_t first_frame;
	const char *name;
};

struct tlsd_output {
	FILE *out;
	struct tlsd_output_opts o;
	const char *source;
	bool live;
	struct file_start *files; /* in the order read: first_frame ascending */
	size_t n_files, cap_files;
	bool files_lost;          /* no memory for one: name reports after the current file */
	tlsd_time_ns origin;
	bool has_origin;
	struct tlsd_group *group;    /* NULL when no view can use it */
	struct tlsd_group_opts gopts;
	bool grouping;               /* the grouped view replaces the blocks */
	atomic_bool details_dropped; /* = grouping, for other threads */
	/* text blocks held back while auto grouping is undecided */
	char *held;
	size_t held_len;
	FILE *hold;
	uint64_t shown_failures;     /* failed/incomplete reports that would be printed */
	uint64_t hidden;
	bool zeek_header_done;
	tlsd_time_ns last_ts;
};

struct tlsd_output *tlsd_output_new(FILE *out, const struct tlsd_output_opts *opts)
{
	struct tlsd_output *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->out = out;
	o->o = *opts;
	o->gopts = (struct tlsd_group_opts){
		.max_rows = opts->verbose ? UINT32_MAX : 0,
		.time_fmt = opts->time_fmt,
		.color = opts->color,
	};
	/* The group is kept for text (grouped view, patterns in the summary)
	 * and for JSON with --group. */
	if (opts->format == TLSD_FORMAT_TEXT ||
	    (opts->format == TLSD_FORMAT_JSON && opts->group == TLSD_GROUP_ON)) {
		o->group = tlsd_group_new();
		if (!o->group) {
			free(o);
			return NULL;
		}
		if (opts->format == TLSD_FORMAT_TEXT && !opts->verbose)
			tlsd_group_text_only(o->group, 0);
	}
	o->grouping = opts->group == TLSD_GROUP_ON && opts->format == TLSD_FORMAT_TEXT;
	atomic_init(&o->details_dropped, o->grouping);
	return o;
}

void tlsd_output_free(struct tlsd_output *o)
{
	if (!o)
		return;
	if (o->hold)
		fclose(o->hold);
	free(o->held);
	free(o->files);
	tlsd_group_free(o->group);
	free(o);
}

void tlsd_output_set_source(struct tlsd_output *o, const char *name, bool live)
{
	o->source = name;
	o->live = live;
	/* Live input and pipes are never held back for the auto grouped view. */
	if (live)
		o->o.flush_each = true;
}

void tlsd_output_begin_file(struct tlsd_output *o, const char *name, uint64_t first_frame)
{
	tlsd_output_set_source(o, name, false);
	/* A later section of the same file adds nothing: one entry per file
	 * given, however many sections a (hostile) file holds. */
	if (o->files_lost || (o->n_files && o->files[o->n_files - 1].name == name))
		return;
	if (o->n_files == o->cap_files) {
		size_t cap = o->cap_files ? 2 * o->cap_files : 8;
		struct file_start *n = realloc(o->files, cap * sizeof(*n));

		if (!n) {
			o->files_lost = true;
			return;
		}
		o->files = n;
		o->cap_files = cap;
	}
	o->files[o->n_files++] = (struct file_start){first_frame, name};
}

/* The file of the report's first packet (the one being read when that is
 * not known). */
static const char *source_of(const struct tlsd_output *o, const struct tlsd_report *r)
{
	size_t lo = 0, hi;

	if (o->live || o->files_lost || !o->n_files || !r->first_frame ||
	    r->first_frame < o->files[0].first_frame)
		return o->source;
	hi = o->n_files; /* files[lo].first_frame <= first_frame < files[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->files[mid].first_frame <= r->first_frame)
			lo = mid;
		else
			hi = mid;
	}
	return o->files[lo].name;
}

void tlsd_output_set_origin(struct tlsd_output *o, tlsd_time_ns t)
{
	if (!o->has_origin) {
		o->origin = t;
		o->gopts.time_origin = t;
		o->has_origin = true;
	}
}

bool tlsd_output_selects(const struct tlsd_output *o, const struct tlsd_report *r)
{
	return tlsd_result_filter_match(o->o.filter, r);
}

uint64_t tlsd_output_hidden(const struct tlsd_output *o)
{
	return o->hidden;
}

bool tlsd_output_grouped(const struct tlsd_output *o)
{
	return o->grouping && o->group;
}

const atomic_bool *tlsd_output_details_dropped(const struct tlsd_output *o)
{
	return &o->details_dropped;
}

const struct tlsd_group *tlsd_output_group(const struct tlsd_output *o)
{
	return o->group;
}

const struct tlsd_group_opts *tlsd_output_group_opts(const struct tlsd_output *o)
{
	return &o->gopts;
}

static void render(struct tlsd_output *o, FILE *f, const struct tlsd_report *r)
{
	switch (o->o.format) {
	case TLSD_FORMAT_JSON: {
		struct tlsd_json_opts jo = {source_of(o, r), o->live, o->o.explain};

		tlsd_report_json_ex(f, r, &jo);
		break;
	}
	case TLSD_FORMAT_LINE: {
		struct tlsd_line_opts lo = {o->o.time_fmt, o->origin, o->o.verbose};

		tlsd_report_line(f, r, &lo);
		break;
	}
	case TLSD_FORMAT_ZEEK:
		if (!o->zeek_header_done) {
			tlsd_zeek_header(f, r->ts_first);
			o->zeek_header_done = true;
		}
		tlsd_report_zeek(f, r);
		break;
	case TLSD_FORMAT_TEXT:
	default: {
		struct tlsd_text_opts to = {
			.all = true, /* the choice was made by the caller */
			.color = o->o.color,
			.next_steps = true,
			.verbose = o->o.verbose,
			.explain = o->o.explain,
			.time_fmt = o->o.time_fmt,
			.time_origin = o->origin,
			.source = source_of(o, r),
			.live = o->live,
		};

		tlsd_report_text(f, r, &to);
		break;
	}
	}
}

/* Auto grouping: text from files, no -a, not decided yet. */
static bool undecided(const struct tlsd_output *o)
{
	return o->o.format == TLSD_FORMAT_TEXT && o->o.group == TLSD_GROUP_AUTO && !o->o.all &&
	       !o->o.quiet && !o->o.flush_each && !o->grouping;
}

void tlsd_output_report(struct tlsd_output *o, const struct tlsd_report *r)
{
	bool established = r->outcome == TLSD_OUTCOME_ESTABLISHED;
	bool show = !established || o->o.all || tlsd_result_filter_wants_established(o->o.filter);

	if (r->ts_last > o->last_ts)
		o->last_ts = r->ts_last;
	/* A connection picked up mid-stream with no handshake message in view
	 * says nothing about handshakes: counted, shown only with --all. */
	if (!o->o.all && r->outcome == TLSD_OUTCOME_INCOMPLETE && !r->has_last_message &&
	    r->roles_guessed) {
		o->hidden++;
		return;
	}
	if (o->group)
		tlsd_group_add(o->group, r);
	if (!show || o->o.quiet)
		return;
	if (!established)
		o->shown_failures++;
	if (o->grouping)
		return;
	if (undecided(o)) {
		if (o->shown_failures > TLSD_OUTPUT_AUTO_GROUP) {
			/* Long: the grouped view instead; what was held is dropped. */
			o->grouping = true;
			atomic_store_explicit(&o->details_dropped, true, memory_order_relaxed);
			if (o->hold)
				fclose(o->hold);
			o->hold = NULL;
			free(o->held);
			o->held = NULL;
			return;
		}
		if (!o->hold && !(o->hold = open_memstream(&o->held, &o->held_len))) {
			o->o.group = TLSD_GROUP_OFF; /* no memory to hold: print as we go */
			render(o, o->out, r);
			return;
		}
		render(o, o->hold, r);
		return;
	}
	render(o, o->out, r);
	if (o->o.flush_each)
		fflush(o->out);
}

void tlsd_output_finish(struct tlsd_output *o)
{
	if (o->hold) {
		fclose(o->hold);
		o->hold = NULL;
		if (o->held_len)
			fwrite(o->held, 1, o->held_len, o->out);
	}
	if (o->grouping && o->group)
		tlsd_group_text(o->group, o->out, &o->gopts);
	if (o->o.format == TLSD_FORMAT_JSON && o->o.group == TLSD_GROUP_ON && o->group)
		tlsd_group_json(o->group, o->out);
	if (o->o.format == TLSD_FORMAT_ZEEK) {
		if (!o->zeek_header_done)
			tlsd_zeek_header(o->out, o->origin);
		tlsd_zeek_footer(o->out, o->last_ts);
	}
}
