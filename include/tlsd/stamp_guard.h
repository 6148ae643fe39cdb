/* Time stamps of a capture file checked against their neighbours before the
 * analysis sees them: a few frames stamped far from the rest (a broken
 * clock, a corrupted record) and a file that goes back in time (captures
 * joined into one file) are told apart from the ordinary run of time.
 *
 * The capture clock only moves forward (ctx.h), so without this one frame
 * stamped years ahead would carry the clock there for the rest of the file:
 * every later connection would be reported at that time, with duration 0,
 * and the waits that verdicts weigh (a silent server, a client that gave up)
 * would all read 0. A file joined from two captures whose second part is
 * earlier would have its second part seen, the same way, at the first
 * part's last time.
 *
 * A frame that departs from the clock (more than TLSD_STAMP_JUMP_NS ahead,
 * or more than the restart threshold behind) is held, with the frames after
 * it, until one of them comes back to the clock's era: the departed frames
 * were strays and are seen at the clock's time (their recorded stamp is kept
 * for -w). When TLSD_STAMP_CONFIRM frames after it (or, at the end of the
 * file, at least one) stay away, the departure was real: a forward one is a
 * silence as before (ctx.h), a backward one restarts the clock there, as a
 * file given out of order does. Steps back shorter than the restart
 * threshold are not held: they are seen at the clock's time, as before (a
 * clock stepped back by NTP, interfaces merged with a lag; a connection
 * going on across them must not be cut).
 *
 * For files only (a live capture's stamps come from the kernel as the
 * frames arrive). One guard per file or pcapng section: reset between. The
 * common frame is decided at once and never copied; held frames are copied
 * (at most TLSD_STAMP_CONFIRM + 2 of them). */
#ifndef TLSD_STAMP_GUARD_H
#define TLSD_STAMP_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "tlsd/capture.h"
#include "tlsd/common.h"

/* A step forward larger than this is held until the frames after it show
 * whether it is real (the threshold of a file restart, ctx.h). */
#define TLSD_STAMP_JUMP_NS ((tlsd_time_ns)1000000000)
/* Frames after a departure that confirm it by staying away. */
#define TLSD_STAMP_CONFIRM 8u
#define TLSD_STAMP_HELD_MAX (TLSD_STAMP_CONFIRM + 2u)

struct tlsd_stamp_slot {
	struct tlsd_frame fr;
	bool filtered;
	uint8_t *buf; /* the frame's bytes, then its comment */
	size_t cap;
};

struct tlsd_stamp_guard {
	tlsd_time_ns restart_ns; /* a step back held as a possible restart */
	tlsd_time_ns clock;      /* latest time seen at, this file */
	bool has_clock;
	struct tlsd_stamp_slot slot[TLSD_STAMP_HELD_MAX];
	unsigned head, n; /* held frames: slot[(head + i) % MAX] */
	struct tlsd_stamp_slot out; /* what _next returned last (owned) */
};

/* One frame decided by the guard. fr (and its data and comment) is valid
 * until the next call on the guard. */
struct tlsd_stamp_out {
	struct tlsd_frame fr; /* ts replaced, and recorded_ts kept, for a stray */
	bool filtered;        /* TLSD_CAPTURE_FILTERED, not FRAME */
	bool stray;           /* seen at the clock's time, not at its stamp */
	bool restart;         /* the clock restarts at fr.ts before this frame */
};

enum tlsd_stamp_take {
	TLSD_STAMP_PASS,  /* deliver the frame now, as it is (nothing was copied) */
	TLSD_STAMP_HELD,  /* copied: take what is decided with tlsd_stamp_guard_next */
	TLSD_STAMP_NOMEM, /* not taken: drain with flush, then deliver it as it is */
};

/* restart_ns: the step back held as a possible restart (the idle timeout:
 * a connection cannot go on across a step back that long). */
void tlsd_stamp_guard_init(struct tlsd_stamp_guard *g, tlsd_time_ns restart_ns);
/* Frees the copies. Held frames are dropped: drain with flush first. */
void tlsd_stamp_guard_free(struct tlsd_stamp_guard *g);
/* A new file or section: its clock starts with its first frame. Nothing
 * may be held (drain with flush first). */
void tlsd_stamp_guard_reset(struct tlsd_stamp_guard *g);
TLSD_MUST_USE enum tlsd_stamp_take tlsd_stamp_guard_take_slow(struct tlsd_stamp_guard *g,
							       const struct tlsd_frame *fr,
							       bool filtered);
/* The next frame read (filtered: rejected by the capture filter; it still
 * moves the clock). Inline: the common frame costs two comparisons. */
TLSD_MUST_USE static inline enum tlsd_stamp_take
tlsd_stamp_guard_take(struct tlsd_stamp_guard *g, const struct tlsd_frame *fr, bool filtered)
{
	tlsd_time_ns ts = fr->ts;

	/* Differences only of stamps >= 0 in the right order: no overflow. */
	if (g->n == 0 && g->has_clock && (ts >= g->clock || g->clock - ts <= g->restart_ns) &&
	    (ts <= g->clock || ts - g->clock <= TLSD_STAMP_JUMP_NS)) {
		if (ts > g->clock)
			g->clock = ts;
		return TLSD_STAMP_PASS;
	}
	return tlsd_stamp_guard_take_slow(g, fr, filtered);
}
/* The next decided frame, in the order read, if any. flush: no frame
 * follows (end of the file or section, of the input, or a pause in a pipe):
 * every held frame is decided now. */
TLSD_MUST_USE bool tlsd_stamp_guard_next(struct tlsd_stamp_guard *g, bool flush,
					 struct tlsd_stamp_out *out);
/* Frames held, undecided. */
static inline unsigned tlsd_stamp_guard_held(const struct tlsd_stamp_guard *g)
{
	return g->n;
}

#endif
