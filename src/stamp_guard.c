/* Stray time stamps and steps back in a file: decided by the frames after
 * them (stamp_guard.h). */
#include "tlsd/stamp_guard.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tlsd_stamp_guard_init(struct tlsd_stamp_guard *g, tlsd_time_ns restart_ns)
{
	memset(g, 0, sizeof(*g));
	g->restart_ns = restart_ns > TLSD_STAMP_JUMP_NS ? restart_ns : TLSD_STAMP_JUMP_NS;
}

void tlsd_stamp_guard_free(struct tlsd_stamp_guard *g)
{
	for (unsigned i = 0; i < TLSD_STAMP_HELD_MAX; i++)
		free(g->slot[i].buf);
	free(g->out.buf);
	tlsd_stamp_guard_init(g, g->restart_ns);
}

void tlsd_stamp_guard_reset(struct tlsd_stamp_guard *g)
{
	g->has_clock = false;
	g->clock = 0;
	g->head = g->n = 0; /* nothing is held: the caller drained it */
}

static bool ahead(const struct tlsd_stamp_guard *g, tlsd_time_ns ts)
{
	return ts > g->clock && ts - g->clock > TLSD_STAMP_JUMP_NS;
}

static bool far_behind(const struct tlsd_stamp_guard *g, tlsd_time_ns ts)
{
	return ts < g->clock && g->clock - ts > g->restart_ns;
}

static bool departs(const struct tlsd_stamp_guard *g, tlsd_time_ns ts)
{
	return g->has_clock && (ahead(g, ts) || far_behind(g, ts));
}

static void see(struct tlsd_stamp_guard *g, tlsd_time_ns ts)
{
	if (!g->has_clock || ts > g->clock)
		g->clock = ts;
	g->has_clock = true;
}

static struct tlsd_stamp_slot *held(struct tlsd_stamp_guard *g, unsigned i)
{
	return &g->slot[(g->head + i) % TLSD_STAMP_HELD_MAX];
}

/* The frame's bytes, comment and interface name into the slot's own
 * buffer: the capture's are gone at its next frame (a pcapng interface
 * table is reallocated, or rewritten by the next section, while frames of
 * the last are held). */
static int keep(struct tlsd_stamp_slot *s, const struct tlsd_frame *fr, bool filtered)
{
	size_t comment = fr->comment ? fr->comment_len : 0;
	size_t name = fr->iface ? strlen(fr->iface) + 1 : 0;
	/* At least a byte: a frame's data is never NULL, as the readers give it. */
	size_t need = (size_t)fr->caplen + comment + name + 1;

	if (need > s->cap) {
		uint8_t *b = realloc(s->buf, need);

		if (!b)
			return -ENOMEM;
		s->buf = b;
		s->cap = need;
	}
	s->fr = *fr;
	s->filtered = filtered;
	if (fr->caplen)
		memcpy(s->buf, fr->data, fr->caplen);
	s->fr.data = s->buf;
	if (fr->comment) {
		if (comment)
			memcpy(s->buf + fr->caplen, fr->comment, comment);
		s->fr.comment = s->buf + fr->caplen;
	}
	if (fr->iface) {
		memcpy(s->buf + fr->caplen + comment, fr->iface, name);
		s->fr.iface = (const char *)s->buf + fr->caplen + comment;
	}
	s->fr.shared_buffer = 0; /* ours now, not the capture's */
	return 0;
}

enum tlsd_stamp_take tlsd_stamp_guard_take_slow(struct tlsd_stamp_guard *g,
						const struct tlsd_frame *fr, bool filtered)
{
	if (g->n == 0 && !departs(g, fr->ts)) {
		see(g, fr->ts);
		return TLSD_STAMP_PASS;
	}
	if (g->n == TLSD_STAMP_HELD_MAX || keep(held(g, g->n), fr, filtered) < 0)
		return TLSD_STAMP_NOMEM; /* full cannot happen: _next decides at CONFIRM */
	g->n++;
	return TLSD_STAMP_HELD;
}

/* Whether held frame i (after the departed head) is back in the clock's
 * era: within the jump of the clock, and clear of the head. */
static bool returns(const struct tlsd_stamp_guard *g, tlsd_time_ns head, tlsd_time_ns ts)
{
	if (ahead(g, ts) || far_behind(g, ts))
		return false;
	if (head > g->clock) /* ahead: back before it by more than a jump */
		return ts < head && head - ts > TLSD_STAMP_JUMP_NS;
	return ts > head && ts - head > TLSD_STAMP_JUMP_NS;
}

/* Pops the head into out (its buffer swapped with the last one given out). */
static void pop(struct tlsd_stamp_guard *g, struct tlsd_stamp_out *out)
{
	struct tlsd_stamp_slot *s = held(g, 0), tmp = g->out;

	g->out = *s;
	*s = tmp;
	g->head = (g->head + 1) % TLSD_STAMP_HELD_MAX;
	g->n--;
	memset(out, 0, sizeof(*out));
	out->fr = g->out.fr;
	out->filtered = g->out.filtered;
}

bool tlsd_stamp_guard_next(struct tlsd_stamp_guard *g, bool flush, struct tlsd_stamp_out *out)
{
	tlsd_time_ns ts;
	unsigned after;

	if (g->n == 0)
		return false;
	ts = held(g, 0)->fr.ts;
	if (!departs(g, ts)) {
		see(g, ts);
		pop(g, out);
		return true;
	}
	for (unsigned i = 1; i < g->n; i++) {
		if (!returns(g, ts, held(g, i)->fr.ts))
			continue;
		/* A stray: seen at the clock's time, its stamp kept for -w. */
		pop(g, out);
		out->fr.recorded_ts = out->fr.ts;
		out->fr.restamped = true;
		out->fr.ts = g->clock;
		out->stray = true;
		return true;
	}
	after = g->n - 1;
	if (after < TLSD_STAMP_CONFIRM && !flush)
		return false; /* wait for more frames */
	/* Confirmed (a backward one by at least one frame after it), or the
	 * end with nothing to tell: a forward step stands as it is (a
	 * silence); an unconfirmed step back is seen at the clock's time. */
	pop(g, out);
	if (ts < g->clock) {
		if (after == 0)
			return true;
		out->restart = true;
		g->clock = ts;
		return true;
	}
	see(g, ts);
	return true;
}
