/* One direction of a TCP connection: relative offsets, out-of-order store,
 * first-wins overlaps, gaps and caps (Suricata / Zeek model).
 *
 * Offsets are 64-bit and relative to the ISN. A sequence number is turned
 * into an offset by its signed 32-bit distance from the sequence number of
 * `next`, so 2^32 wrap is handled and the consumer never sees it.
 *
 * In-order bytes are delivered straight from the packet. Out-of-order bytes
 * are copied into a sorted singly linked list of non-overlapping segments
 * (one malloc per segment; out-of-order is not the hot path). A tail pointer
 * makes "a hole, then the rest in order" O(1) per segment, and reverse order
 * inserts at the head in O(1) (ssldump's bug was an uncapped head queue).
 *
 * Every buffered segment is charged TLSD_REASM_SEG_OVERHEAD + captured bytes
 * against ctx->lim.reasm_per_dir (r->ooo_bytes) and ctx->lim.reasm_mem
 * (ctx->reasm_mem_used). When a new segment would exceed a cap, the oldest
 * hole becomes a gap and what follows it is delivered, until it fits.
 *
 * Re-entrancy: before any sink callback the state is consistent (`next` is
 * past the chunk, a delivered segment is already unlinked), and after each
 * callback the loops re-read `next` and `closed`. */
#include "tlsd/reasm.h"

#include <stdlib.h>
#include <string.h>

#include "tlsd/cur.h"

struct tlsd_reasm_seg {
	struct tlsd_reasm_seg *next;
	uint64_t off;    /* stream offset of the first byte */
	uint32_t len;    /* bytes covered on the wire */
	uint32_t caplen; /* bytes held in data[]; [caplen, len) was cut: a gap */
	uint32_t charge; /* what it costs against the caps */
	uint8_t data[];
};

_Static_assert(sizeof(struct tlsd_reasm_seg) <= TLSD_REASM_SEG_OVERHEAD,
	       "TLSD_REASM_SEG_OVERHEAD must cover the segment header");

/* Offsets stay far below 2^63 so that int64_t arithmetic never overflows. */
#define OFF_MAX (UINT64_C(1) << 62)

void tlsd_reasm_init(struct tlsd_reasm *r)
{
	*r = (struct tlsd_reasm){0};
}

static void seg_release(struct tlsd_reasm *r, struct tlsd_ctx *ctx, struct tlsd_reasm_seg *s)
{
	r->ooo_bytes -= s->charge;
	ctx->reasm_mem_used -= s->charge;
}

void tlsd_reasm_cleanup(struct tlsd_reasm *r, struct tlsd_ctx *ctx)
{
	struct tlsd_reasm_seg *s, *n;

	if (!r)
		return;
	for (s = r->ooo; s; s = n) {
		n = s->next;
		seg_release(r, ctx, s);
		free(s);
	}
	r->ooo = NULL;
	r->ooo_tail = NULL;
}

void tlsd_reasm_start(struct tlsd_reasm *r, uint32_t isn, bool midstream)
{
	if (r->started)
		return;
	r->isn = isn;
	r->next = 0;
	r->max_seen = 0;
	r->started = true;
	r->midstream = midstream;
}

/* A tentative start puts the first sequence number seen this far above
 * offset 0, so that earlier pieces of the same flight get offsets too. */
#define TENTATIVE_BIAS (UINT32_C(1) << 20)

void tlsd_reasm_start_tentative(struct tlsd_reasm *r, uint32_t first_seq)
{
	if (r->started)
		return;
	tlsd_reasm_start(r, first_seq - TENTATIVE_BIAS, true);
	r->tentative = true;
}

/* Signed distance of seq from the sequence number of `next`, as an offset. */
static int64_t rel_off(const struct tlsd_reasm *r, uint32_t seq)
{
	uint32_t nseq = r->isn + (uint32_t)r->next;

	return (int64_t)r->next + (int64_t)(int32_t)(seq - nseq);
}

/* Unlinks the first buffered segment and returns it (charge released). */
static struct tlsd_reasm_seg *pop_head(struct tlsd_reasm *r, struct tlsd_ctx *ctx)
{
	struct tlsd_reasm_seg *s = r->ooo;

	r->ooo = s->next;
	if (r->ooo_tail == s)
		r->ooo_tail = NULL;
	seg_release(r, ctx, s);
	return s;
}

/* Declares [next, target) a gap. */
static void gap_to(struct tlsd_reasm *r, const struct tlsd_reasm_sink *sink, uint64_t target)
{
	uint64_t from = r->next;

	if (r->fin_seen && target > r->fin_off)
		target = r->fin_off;
	if (target <= from)
		return;
	r->next = target;
	sink->gap(sink->ud, from, target - from);
}

/* Delivers the first buffered segment (it starts at or below next): its
 * captured bytes as data, its cut part as a gap. */
static void deliver_head(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
			 const struct tlsd_reasm_sink *sink)
{
	struct tlsd_reasm_seg *s = pop_head(r, ctx);
	uint64_t end = s->off + s->len, capend = s->off + s->caplen;
	uint64_t start = TLSD_MAX(s->off, r->next);

	if (r->fin_seen) {
		end = TLSD_MIN(end, TLSD_MAX(r->fin_off, r->next));
		capend = TLSD_MIN(capend, end);
	}
	if (start < capend) {
		struct tlsd_cur c, chunk;

		tlsd_cur_init(&c, s->data, s->caplen);
		if (tlsd_cur_skip(&c, (size_t)(start - s->off)) &&
		    tlsd_cur_get_bytes(&c, &chunk, (size_t)(capend - start))) {
			r->next = capend;
			sink->data(sink->ud, start, tlsd_cur_data(&chunk), tlsd_cur_len(&chunk));
		}
	}
	if (!r->closed)
		gap_to(r, sink, end);
	free(s);
}

static void drain_loop(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
		       const struct tlsd_reasm_sink *sink)
{
	while (!r->closed && r->ooo && r->ooo->off <= r->next)
		deliver_head(r, ctx, sink);
}

/* Delivers every buffered segment that has become in order. The test for
 * an empty store is inline: in order, every segment runs this twice and
 * almost never has anything buffered. */
static inline void drain(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
			 const struct tlsd_reasm_sink *sink)
{
	if (r->ooo)
		drain_loop(r, ctx, sink);
}

/* A view of the packet bytes [x, x + n), the packet starting at offset base. */
static bool pkt_view(const struct tlsd_cur *pkt, int64_t base, uint64_t x, uint64_t n,
		     struct tlsd_cur *out)
{
	struct tlsd_cur c = *pkt;

	return tlsd_cur_skip(&c, (size_t)((int64_t)x - base)) && tlsd_cur_get_bytes(&c, out, (size_t)n);
}

/* Compares the captured bytes of s with the packet's captured bytes over
 * [from, to). True when they differ. */
static bool differs(const struct tlsd_reasm_seg *s, const struct tlsd_cur *pkt, int64_t base,
		    uint64_t from, uint64_t to)
{
	struct tlsd_cur sc, a, b;
	int64_t pend = base + (int64_t)tlsd_cur_len(pkt);

	if (pend <= (int64_t)from)
		return false;
	to = TLSD_MIN(to, s->off + s->caplen);
	to = TLSD_MIN(to, (uint64_t)pend);
	if (to <= from)
		return false;
	tlsd_cur_init(&sc, s->data, s->caplen);
	if (!tlsd_cur_skip(&sc, (size_t)(from - s->off)) ||
	    !tlsd_cur_get_bytes(&sc, &a, (size_t)(to - from)) ||
	    !pkt_view(pkt, base, from, to - from, &b))
		return false;
	return memcmp(tlsd_cur_data(&a), tlsd_cur_data(&b), tlsd_cur_len(&a)) != 0;
}

static size_t piece_caplen(uint64_t x, uint64_t y, int64_t ecap)
{
	if (ecap <= (int64_t)x)
		return 0;
	return (size_t)(TLSD_MIN(y, (uint64_t)ecap) - x);
}

/* Puts the parts of [pos, ewire) that no buffered segment covers into the
 * list. dry: only sums their charge into *charge. Returns event bits, or
 * -1 when an allocation failed (what was inserted stays consistent). */
static int insert(struct tlsd_reasm *r, struct tlsd_ctx *ctx, const struct tlsd_cur *pkt,
		  int64_t base, uint64_t pos, int64_t ecap, uint64_t ewire, bool dry,
		  size_t *charge)
{
	struct tlsd_reasm_seg *prev = NULL, *cur = r->ooo;
	uint64_t x = pos;
	int ev = 0;

	if (r->ooo_tail && r->ooo_tail->off + r->ooo_tail->len <= pos) {
		prev = r->ooo_tail;
		cur = NULL;
	}
	while (cur && cur->off + cur->len <= pos) {
		prev = cur;
		cur = cur->next;
	}
	while (x < ewire) {
		if (cur && cur->off <= x) {
			uint64_t y = TLSD_MIN(ewire, cur->off + cur->len);

			if (!dry && differs(cur, pkt, base, x, y))
				ev |= TLSD_REASM_EV_INCONSISTENT;
			x = y;
			prev = cur;
			cur = cur->next;
			continue;
		}
		uint64_t y = cur ? TLSD_MIN(cur->off, ewire) : ewire;
		size_t cl = piece_caplen(x, y, ecap);

		if (dry) {
			*charge += TLSD_REASM_SEG_OVERHEAD + cl;
			x = y;
			continue;
		}
		struct tlsd_reasm_seg *s = malloc(sizeof(*s) + cl);
		struct tlsd_cur v;

		if (!s)
			return -1;
		*s = (struct tlsd_reasm_seg){
			.off = x,
			.len = (uint32_t)(y - x),
			.caplen = (uint32_t)cl,
			.charge = (uint32_t)(TLSD_REASM_SEG_OVERHEAD + cl),
		};
		if (cl && (!pkt_view(pkt, base, x, cl, &v) || !tlsd_cur_copy(&v, s->data, cl))) {
			free(s); /* cannot happen: the view lies inside the packet */
			return -1;
		}
		s->next = cur;
		if (prev)
			prev->next = s;
		else
			r->ooo = s;
		if (!cur)
			r->ooo_tail = s;
		r->ooo_bytes += s->charge;
		ctx->reasm_mem_used += s->charge;
		ev |= TLSD_REASM_EV_OUT_OF_ORDER;
		prev = s;
		x = y;
	}
	return ev;
}

static bool fits(const struct tlsd_reasm *r, const struct tlsd_ctx *ctx, size_t charge)
{
	size_t per_dir = TLSD_MIN(ctx->lim.reasm_per_dir, (size_t)UINT32_MAX);

	return charge <= per_dir && r->ooo_bytes <= per_dir - charge &&
	       charge <= ctx->lim.reasm_mem && ctx->reasm_mem_used <= ctx->lim.reasm_mem - charge;
}

/* A cap was hit: the oldest hole (before the first buffered segment, or
 * before the new segment at pos when nothing is buffered) becomes a gap,
 * and what follows it is delivered. */
static void make_room(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
		      const struct tlsd_reasm_sink *sink, uint64_t pos)
{
	if (!r->ooo) {
		gap_to(r, sink, pos);
		return;
	}
	if (r->fin_seen && r->ooo->off >= r->fin_off) {
		free(pop_head(r, ctx));
		return;
	}
	gap_to(r, sink, r->ooo->off);
	drain(r, ctx, sink);
}

static unsigned segment(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
			const struct tlsd_reasm_sink *sink, uint32_t seq, const uint8_t *p,
			uint32_t len, uint32_t wire_len)
{
	unsigned ev = 0;
	struct tlsd_cur pkt;
	int64_t s, ecap, ewire;

	if (!r->started)
		tlsd_reasm_start(r, seq, true);
	drain(r, ctx, sink); /* a skip may have left a segment at next */
	tlsd_cur_init(&pkt, p, len);
	s = rel_off(r, seq);
	ecap = s + (int64_t)len;
	ewire = s + (int64_t)wire_len;
	if (r->fin_seen && ewire > (int64_t)r->fin_off) {
		ev |= TLSD_REASM_EV_AFTER_FIN;
		ewire = (int64_t)r->fin_off;
		ecap = TLSD_MIN(ecap, ewire);
		if (s >= ewire)
			return ev;
	}
	if (ewire <= (int64_t)r->next) {
		if (ewire <= (int64_t)r->max_seen)
			ev |= TLSD_REASM_EV_RETRANSMIT;
		return ev;
	}
	if ((uint64_t)ewire > r->max_seen)
		r->max_seen = (uint64_t)ewire;

	for (;;) {
		uint64_t pos;
		const struct tlsd_reasm_seg *head;

		if (r->closed)
			break;
		pos = TLSD_MAX((uint64_t)TLSD_MAX(s, 0), r->next);
		if (pos >= (uint64_t)ewire)
			break;
		head = r->ooo;
		if (pos == r->next && !r->tentative) {
			uint64_t lim;

			if (head && head->off <= pos) {
				/* Buffered bytes were here first: they win. */
				if (differs(head, &pkt, s, pos, (uint64_t)ewire))
					ev |= TLSD_REASM_EV_INCONSISTENT;
				deliver_head(r, ctx, sink);
				continue;
			}
			lim = head ? TLSD_MIN(head->off, (uint64_t)ewire) : (uint64_t)ewire;
			if ((int64_t)pos < ecap) {
				uint64_t end = TLSD_MIN(lim, (uint64_t)ecap);
				struct tlsd_cur chunk;

				if (!pkt_view(&pkt, s, pos, end - pos, &chunk))
					break; /* cannot happen */
				r->next = end;
				sink->data(sink->ud, pos, tlsd_cur_data(&chunk), tlsd_cur_len(&chunk));
			} else {
				gap_to(r, sink, lim); /* cut by the snap length */
			}
			continue;
		}

		/* Out of order. */
		size_t charge = 0;
		int iev;

		(void)insert(r, ctx, &pkt, s, pos, ecap, (uint64_t)ewire, true, &charge);
		if (charge == 0) {
			iev = insert(r, ctx, &pkt, s, pos, ecap, (uint64_t)ewire, false, &charge);
			ev |= (iev & TLSD_REASM_EV_INCONSISTENT) ? TLSD_REASM_EV_INCONSISTENT
								 : TLSD_REASM_EV_RETRANSMIT;
			break;
		}
		if (r->tentative &&
		    (r->ooo_bytes + charge > TLSD_REASM_TENTATIVE_MAX || !fits(r, ctx, charge))) {
			/* Held long enough: settle, which moves the offsets, and
			 * take this segment again against the settled stream. */
			tlsd_reasm_settle(r, ctx, sink, false, 0);
			return ev | segment(r, ctx, sink, seq, p, len, wire_len);
		}
		if (fits(r, ctx, charge)) {
			iev = insert(r, ctx, &pkt, s, pos, ecap, (uint64_t)ewire, false, &charge);
			if (iev >= 0) {
				ev |= (unsigned)iev;
				break;
			}
		}
		ev |= TLSD_REASM_EV_CAP;
		make_room(r, ctx, sink, pos);
	}
	drain(r, ctx, sink);
	return ev;
}

unsigned tlsd_reasm_segment(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
			    const struct tlsd_reasm_sink *sink, uint32_t seq,
			    const uint8_t *p, uint32_t len, uint32_t wire_len)
{
	if (r->closed)
		return 0;
	if (wire_len < len)
		wire_len = len;
	if (wire_len == 0)
		return 0;
	/* With nothing buffered and no FIN, the two common cases are decided
	 * here, as segment() would, without its set-up: a segment wholly below
	 * next (most often inside a record body the consumer skipped), and one
	 * that starts exactly at next, all of it captured: delivered whole.
	 * After that delivery segment() would find nothing more to do: a skip
	 * from the callback only moves next on and drops buffered bytes. */
	if (r->started && !r->ooo && !r->fin_seen) {
		int64_t s = rel_off(r, seq), ewire = s + (int64_t)wire_len;

		if (ewire <= (int64_t)r->next)
			return ewire <= (int64_t)r->max_seen ? TLSD_REASM_EV_RETRANSMIT : 0;
		if (s == (int64_t)r->next && len == wire_len && !r->tentative) {
			if ((uint64_t)ewire > r->max_seen)
				r->max_seen = (uint64_t)ewire;
			r->next = (uint64_t)ewire;
			sink->data(sink->ud, (uint64_t)s, p, len);
			return 0;
		}
	}
	return segment(r, ctx, sink, seq, p, len, wire_len);
}

void tlsd_reasm_settle(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
		       const struct tlsd_reasm_sink *sink, bool have_ack, uint32_t ack)
{
	uint64_t start;

	if (!r->tentative)
		return;
	r->tentative = false;
	start = r->ooo ? r->ooo->off : TENTATIVE_BIAS;
	if (have_ack) {
		int64_t a = rel_off(r, ack);

		/* Bytes between the ACK and the first one captured are in
		 * flight: they may still come. An ACK beyond it says nothing
		 * about where the capture's bytes begin. */
		if (a >= 0 && (uint64_t)a < start)
			start = (uint64_t)a;
	}
	r->isn += (uint32_t)start;
	for (struct tlsd_reasm_seg *seg = r->ooo; seg; seg = seg->next)
		seg->off -= start;
	r->max_seen = r->max_seen > start ? r->max_seen - start : 0;
	if (r->fin_seen)
		r->fin_off = r->fin_off > start ? r->fin_off - start : 0;
	r->next = 0;
	drain(r, ctx, sink);
}

void tlsd_reasm_fin(struct tlsd_reasm *r, uint32_t fin_seq)
{
	int64_t f;

	if (!r->started)
		tlsd_reasm_start(r, fin_seq, true);
	if (r->fin_seen)
		return;
	f = rel_off(r, fin_seq);
	r->fin_off = f < (int64_t)r->next ? r->next : (uint64_t)f;
	r->fin_seen = true;
}

bool tlsd_reasm_fin_reached(const struct tlsd_reasm *r)
{
	return r->fin_seen && r->next >= r->fin_off;
}

/* Makes [next, upto) in order: buffered segments are delivered, holes are
 * declared gaps. */
static void advance_to(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
		       const struct tlsd_reasm_sink *sink, uint64_t upto)
{
	while (!r->closed && r->next < upto) {
		const struct tlsd_reasm_seg *head = r->ooo;

		if (head && head->off <= r->next)
			deliver_head(r, ctx, sink);
		else if (r->fin_seen && r->next >= r->fin_off)
			break;
		else
			gap_to(r, sink, head ? TLSD_MIN(head->off, upto) : upto);
	}
	drain(r, ctx, sink);
}

/* The offset up to which an ACK declares the stream sent (FIN clamped). */
static int64_t acked_to(const struct tlsd_reasm *r, uint32_t ack)
{
	int64_t a = rel_off(r, ack);

	if (r->fin_seen && a > (int64_t)r->fin_off)
		a = (int64_t)r->fin_off;
	return a;
}

/* Out of line: inlined, its register spills would cost every ACK. */
__attribute__((noinline)) static void ack_news(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
					       const struct tlsd_reasm_sink *sink, uint32_t ack)
{
	int64_t a;

	tlsd_reasm_settle(r, ctx, sink, true, ack);
	a = acked_to(r, ack);
	if (a <= (int64_t)r->next)
		return;
	advance_to(r, ctx, sink, (uint64_t)a);
}

void tlsd_reasm_ack(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
		    const struct tlsd_reasm_sink *sink, uint32_t ack)
{
	if (!r->started || r->closed)
		return;
	/* Every ACK of a flow comes by, and nearly all of them acknowledge
	 * nothing beyond next: that is decided here, with no set-up. */
	if (r->tentative || acked_to(r, ack) > (int64_t)r->next)
		ack_news(r, ctx, sink, ack);
}

void tlsd_reasm_skip(struct tlsd_reasm *r, struct tlsd_ctx *ctx, uint64_t n)
{
	struct tlsd_reasm_seg *s;

	if (n > OFF_MAX - r->next)
		n = OFF_MAX - r->next;
	r->next += n;
	while ((s = r->ooo) && s->off < r->next) {
		uint64_t cut = r->next - s->off;

		if (cut >= s->len) {
			free(pop_head(r, ctx));
			continue;
		}
		/* Keep the tail of the segment; its charge stays until it is freed. */
		if (cut < s->caplen) {
			memmove(s->data, s->data + cut, s->caplen - (size_t)cut);
			s->caplen -= (uint32_t)cut;
		} else {
			s->caplen = 0;
		}
		s->len -= (uint32_t)cut;
		s->off = r->next;
	}
}

void tlsd_reasm_flush(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
		      const struct tlsd_reasm_sink *sink)
{
	if (!r->started)
		return;
	tlsd_reasm_settle(r, ctx, sink, false, 0);
	while (!r->closed && r->ooo) {
		if (r->fin_seen && r->ooo->off >= TLSD_MAX(r->fin_off, r->next)) {
			free(pop_head(r, ctx));
			continue;
		}
		gap_to(r, sink, r->ooo->off);
		drain(r, ctx, sink);
	}
	if (!r->closed && r->fin_seen)
		gap_to(r, sink, r->fin_off);
}

static bool near(uint32_t seq, uint32_t x, uint32_t window)
{
	int64_t d = (int32_t)(seq - x);

	return d == 0 || (d >= -(int64_t)window && d < (int64_t)window);
}

bool tlsd_reasm_seq_plausible(const struct tlsd_reasm *r, uint32_t seq, uint32_t window)
{
	if (!r->started)
		return false;
	if (near(seq, r->isn + (uint32_t)r->next, window) ||
	    near(seq, r->isn + (uint32_t)r->max_seen, window))
		return true;
	return r->fin_seen && near(seq, r->isn + (uint32_t)r->fin_off + 1, window);
}
