/* Unit tests for per-direction TCP reassembly: order, reverse order,
 * permutations, a randomized property test, overlaps, wrap, gaps, snap
 * length cuts, skip (also from inside a callback), FIN and caps. Every test
 * ends with ctx.reasm_mem_used == 0. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/reasm.h"

#define STREAM_MAX 8192

/* What the sink saw. Bytes land at their offset; every delivered or gap
 * byte is counted, so "at most once" and monotonic offsets are checked. */
struct rec {
	uint8_t out[STREAM_MAX];
	uint8_t seen[STREAM_MAX]; /* 1 data, 2 gap */
	uint64_t end;             /* end of the last delivery or gap */
	uint64_t data_bytes, gap_bytes;
	unsigned gaps, calls;
	bool bad;                 /* non-monotonic or repeated byte */
	/* Re-entrancy: skip `skip_n` when a delivery ends at `skip_at`. */
	struct tlsd_reasm *r;
	struct tlsd_ctx *ctx;
	uint64_t skip_at, skip_n;
	bool close_at_skip;
};

static void mark(struct rec *rc, uint64_t off, uint64_t len, uint8_t what)
{
	if (off < rc->end)
		rc->bad = true;
	rc->end = off + len;
	for (uint64_t i = 0; i < len && off + i < STREAM_MAX; i++) {
		if (rc->seen[off + i])
			rc->bad = true;
		rc->seen[off + i] = what;
	}
}

static void rec_data(void *ud, uint64_t off, const uint8_t *p, size_t len)
{
	struct rec *rc = ud;

	ck_assert_uint_gt(len, 0);
	mark(rc, off, len, 1);
	for (size_t i = 0; i < len && off + i < STREAM_MAX; i++)
		rc->out[off + i] = p[i];
	rc->data_bytes += len;
	rc->calls++;
	if (rc->skip_n && off + len == rc->skip_at) {
		uint64_t n = rc->skip_n;

		rc->skip_n = 0;
		tlsd_reasm_skip(rc->r, rc->ctx, n);
		if (rc->close_at_skip) {
			tlsd_reasm_cleanup(rc->r, rc->ctx);
			rc->r->closed = true;
		}
	}
}

static void rec_gap(void *ud, uint64_t off, uint64_t len)
{
	struct rec *rc = ud;

	ck_assert_uint_gt(len, 0);
	mark(rc, off, len, 2);
	rc->gap_bytes += len;
	rc->gaps++;
}

struct fx {
	struct tlsd_ctx ctx;
	struct tlsd_reasm r;
	struct rec *rc;
	struct tlsd_reasm_sink sink;
};

static void fx_init(struct fx *f, uint32_t isn)
{
	tlsd_ctx_init(&f->ctx);
	tlsd_reasm_init(&f->r);
	f->rc = calloc(1, sizeof(*f->rc));
	ck_assert_ptr_nonnull(f->rc);
	f->rc->r = &f->r;
	f->rc->ctx = &f->ctx;
	f->sink = (struct tlsd_reasm_sink){.data = rec_data, .gap = rec_gap, .ud = f->rc};
	tlsd_reasm_start(&f->r, isn, false);
}

/* Frees everything and checks that all memory went back to the context. */
static void fx_done(struct fx *f)
{
	tlsd_reasm_cleanup(&f->r, &f->ctx);
	ck_assert_uint_eq(f->ctx.reasm_mem_used, 0);
	ck_assert_uint_eq(f->r.ooo_bytes, 0);
	ck_assert(!f->rc->bad);
	free(f->rc);
}

static unsigned seg(struct fx *f, uint32_t seq, const uint8_t *p, uint32_t len)
{
	return tlsd_reasm_segment(&f->r, &f->ctx, &f->sink, seq, p, len, len);
}

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (uint8_t)(seed >> 16);
	}
}

static uint64_t xs_state;

static uint64_t xs(void)
{
	uint64_t x = xs_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	xs_state = x;
	return x;
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(xs() % n) : 0;
}

/* ---- in order ---- */

START_TEST(tc_in_order)
{
	static const uint8_t msg[] = "hello, world";
	struct fx f;

	fx_init(&f, 1001);
	ck_assert_uint_eq(seg(&f, 1001, msg, 5), 0);
	ck_assert_uint_eq(seg(&f, 1006, msg + 5, 2), 0);
	ck_assert_uint_eq(seg(&f, 1008, msg + 7, 5), 0);
	ck_assert_uint_eq(f.rc->data_bytes, 12);
	ck_assert_uint_eq(f.rc->calls, 3);
	ck_assert_mem_eq(f.rc->out, msg, 12);
	ck_assert_uint_eq(f.r.next, 12);
	ck_assert_uint_eq(f.r.max_seen, 12);
	/* An empty segment (pure ACK) changes nothing. */
	ck_assert_uint_eq(seg(&f, 1020, NULL, 0), 0);
	ck_assert_uint_eq(f.r.next, 12);
	fx_done(&f);
}
END_TEST

/* ---- every permutation of 5 segments (and of 4, by dropping one) ---- */

static void permutation(unsigned idx, unsigned n, unsigned *perm)
{
	unsigned avail[5] = {0, 1, 2, 3, 4};

	for (unsigned i = 0; i < n; i++) {
		unsigned fact = 1, k;

		for (unsigned j = 2; j < n - i; j++)
			fact *= j;
		k = idx / fact;
		idx %= fact;
		perm[i] = avail[k];
		memmove(&avail[k], &avail[k + 1], (n - 1 - k) * sizeof(avail[0]));
	}
}

static void run_perm(unsigned idx, unsigned n)
{
	static const uint32_t bounds[6] = {0, 7, 19, 20, 41, 60};
	uint8_t stream[60];
	unsigned perm[5];
	struct fx f;

	fill(stream, sizeof(stream), idx);
	permutation(idx, n, perm);
	fx_init(&f, 0xfffffff0u); /* the stream also wraps */
	for (unsigned i = 0; i < n; i++) {
		unsigned k = perm[i];
		uint32_t a = bounds[k], b = k == n - 1 ? 60 : bounds[k + 1];

		(void)seg(&f, 0xfffffff0u + a, stream + a, b - a);
	}
	ck_assert_uint_eq(f.rc->data_bytes, 60);
	ck_assert_uint_eq(f.rc->gaps, 0);
	ck_assert_mem_eq(f.rc->out, stream, 60);
	ck_assert_ptr_null(f.r.ooo);
	fx_done(&f);
}

START_TEST(tc_permutations5)
{
	run_perm((unsigned)_i, 5);
}
END_TEST

START_TEST(tc_permutations4)
{
	run_perm((unsigned)_i, 4);
}
END_TEST

/* ---- property: random segmentation, reordering, duplication ---- */

struct piece {
	uint32_t a, b;
};

START_TEST(tc_property)
{
	static uint8_t stream[4000];
	static struct piece pcs[6000];

	for (uint64_t seedv = 1; seedv <= 5000; seedv++) {
		uint32_t n, np = 0, isn, ndup;
		struct fx f;

		xs_state = seedv * 0x9e3779b97f4a7c15u;
		n = 1 + rnd(sizeof(stream));
		fill(stream, n, (uint32_t)seedv);
		isn = (uint32_t)xs();
		if (seedv % 4 == 0)
			isn = 0xffffffffu - rnd(3000); /* wraps inside the stream */
		for (uint32_t a = 0; a < n;) {
			uint32_t len = 1 + rnd(seedv % 3 ? 300 : 20);
			uint32_t b = a + len > n ? n : a + len;

			pcs[np++] = (struct piece){a, b};
			a = b;
		}
		/* Duplicates: random ranges (overlapping several pieces) with the
		 * same bytes. */
		ndup = rnd(np / 2 + 2);
		for (uint32_t i = 0; i < ndup && np < TLSD_ARRAY_SIZE(pcs); i++) {
			uint32_t a = rnd(n), len = 1 + rnd(400);

			pcs[np++] = (struct piece){a, a + len > n ? n : a + len};
		}
		for (uint32_t i = np - 1; i > 0; i--) {
			uint32_t j = rnd(i + 1);
			struct piece tmp = pcs[i];

			pcs[i] = pcs[j];
			pcs[j] = tmp;
		}
		fx_init(&f, isn);
		for (uint32_t i = 0; i < np; i++) {
			unsigned ev = seg(&f, isn + pcs[i].a, stream + pcs[i].a, pcs[i].b - pcs[i].a);

			ck_assert_msg(!(ev & (TLSD_REASM_EV_INCONSISTENT | TLSD_REASM_EV_CAP)),
				      "seed %llu: ev %#x", (unsigned long long)seedv, ev);
			ck_assert_uint_le(f.ctx.reasm_mem_used, f.ctx.lim.reasm_per_dir);
		}
		ck_assert_msg(f.rc->data_bytes == n && f.rc->gaps == 0,
			      "seed %llu: %llu of %u bytes, %u gaps", (unsigned long long)seedv,
			      (unsigned long long)f.rc->data_bytes, n, f.rc->gaps);
		ck_assert_msg(memcmp(f.rc->out, stream, n) == 0, "seed %llu: bytes differ",
			      (unsigned long long)seedv);
		ck_assert_ptr_null(f.r.ooo);
		ck_assert_uint_eq(f.ctx.reasm_mem_used, 0);
		fx_done(&f);
	}
}
END_TEST

/* ---- reverse order (ssldump's bug) ---- */

START_TEST(tc_reverse_100)
{
	static uint8_t stream[100 * 50];
	struct fx f;

	fill(stream, sizeof(stream), 42);
	fx_init(&f, 7);
	for (int i = 99; i >= 1; i--) {
		unsigned ev = seg(&f, 7 + (uint32_t)i * 50, stream + i * 50, 50);

		ck_assert_uint_eq(ev, TLSD_REASM_EV_OUT_OF_ORDER);
		ck_assert_uint_eq(f.r.ooo_bytes, (uint32_t)(100 - i) * (50 + TLSD_REASM_SEG_OVERHEAD));
	}
	ck_assert_uint_eq(f.rc->data_bytes, 0);
	ck_assert_uint_eq(f.r.ooo_bytes, 99 * (50 + TLSD_REASM_SEG_OVERHEAD));
	ck_assert_uint_eq(f.ctx.reasm_mem_used, f.r.ooo_bytes);
	ck_assert_uint_eq(seg(&f, 7, stream, 50), 0);
	ck_assert_uint_eq(f.rc->data_bytes, sizeof(stream));
	ck_assert_uint_eq(f.rc->calls, 100);
	ck_assert_mem_eq(f.rc->out, stream, sizeof(stream));
	ck_assert_ptr_null(f.r.ooo);
	ck_assert_uint_eq(f.ctx.reasm_mem_used, 0);
	fx_done(&f);
}
END_TEST

/* ---- overlaps ---- */

START_TEST(tc_overlap_equal)
{
	uint8_t s[40];
	struct fx f;

	fill(s, sizeof(s), 1);
	fx_init(&f, 100);
	ck_assert_uint_eq(seg(&f, 110, s + 10, 10), TLSD_REASM_EV_OUT_OF_ORDER);
	/* Exact duplicate of a buffered segment. */
	ck_assert_uint_eq(seg(&f, 110, s + 10, 10), TLSD_REASM_EV_RETRANSMIT);
	/* Covers the buffered one and more, same bytes: only the new parts. */
	ck_assert_uint_eq(seg(&f, 105, s + 5, 20), TLSD_REASM_EV_OUT_OF_ORDER);
	ck_assert_uint_eq(f.r.ooo_bytes, 3 * TLSD_REASM_SEG_OVERHEAD + 20);
	ck_assert_uint_eq(seg(&f, 100, s, 8), 0);
	ck_assert_uint_eq(f.rc->data_bytes, 25);
	/* Old bytes again (in order, all below next). */
	ck_assert_uint_eq(seg(&f, 100, s, 25), TLSD_REASM_EV_RETRANSMIT);
	ck_assert_uint_eq(seg(&f, 120, s + 20, 20), 0);
	ck_assert_mem_eq(f.rc->out, s, 40);
	fx_done(&f);
}
END_TEST

START_TEST(tc_overlap_different)
{
	uint8_t s[40], x[40];
	struct fx f;

	fill(s, sizeof(s), 1);
	memset(x, 'X', sizeof(x));
	fx_init(&f, 100);
	ck_assert_uint_eq(seg(&f, 110, s + 10, 10), TLSD_REASM_EV_OUT_OF_ORDER);
	/* Buffered vs buffered: different bytes over [10,20), first wins. */
	ck_assert_uint_eq(seg(&f, 115, x, 10),
			  TLSD_REASM_EV_OUT_OF_ORDER | TLSD_REASM_EV_INCONSISTENT);
	ck_assert_uint_eq(seg(&f, 110, x, 10), TLSD_REASM_EV_INCONSISTENT);
	/* In order over the buffered bytes with different bytes. */
	ck_assert_uint_eq(seg(&f, 100, x, 12), TLSD_REASM_EV_INCONSISTENT);
	ck_assert_uint_eq(f.rc->data_bytes, 25);
	ck_assert_mem_eq(f.rc->out, x, 10);
	ck_assert_mem_eq(f.rc->out + 10, s + 10, 10);
	ck_assert_mem_eq(f.rc->out + 20, x, 5);
	fx_done(&f);
}
END_TEST

/* ---- sequence wrap, data before the ISN, mid-stream ---- */

START_TEST(tc_wrap)
{
	uint8_t s[300];
	struct fx f;

	const uint32_t isn = 0xffffff80u; /* offset 128 is sequence number 0 */

	fill(s, sizeof(s), 3);
	fx_init(&f, isn);
	ck_assert_uint_eq(seg(&f, isn, s, 200), 0); /* crosses 2^32 */
	ck_assert_uint_eq(seg(&f, 200 - 128, s + 200, 50), 0);
	ck_assert_uint_eq(f.r.next, 250);
	ck_assert_uint_eq(seg(&f, 270 - 128, s + 270, 30), TLSD_REASM_EV_OUT_OF_ORDER);
	ck_assert_uint_eq(seg(&f, 250 - 128, s + 250, 20), 0);
	ck_assert_uint_eq(f.rc->data_bytes, 300);
	ck_assert_mem_eq(f.rc->out, s, 300);
	/* A retransmission from before the wrap is recognised as old. */
	ck_assert_uint_eq(seg(&f, isn + 16, s + 16, 10), TLSD_REASM_EV_RETRANSMIT);
	ck_assert(tlsd_reasm_seq_plausible(&f.r, 300 - 128, 0));
	ck_assert(tlsd_reasm_seq_plausible(&f.r, isn + 256, 100));
	ck_assert(!tlsd_reasm_seq_plausible(&f.r, 0x80000000u, 65535));
	fx_done(&f);
}
END_TEST

START_TEST(tc_before_isn)
{
	uint8_t s[20];
	struct fx f;

	fill(s, sizeof(s), 4);
	fx_init(&f, 1000);
	/* Starts 5 bytes before the ISN: those are dropped. */
	ck_assert_uint_eq(seg(&f, 995, s, 20), 0);
	ck_assert_uint_eq(f.rc->data_bytes, 15);
	ck_assert_mem_eq(f.rc->out, s + 5, 15);
	fx_done(&f);
}
END_TEST

START_TEST(tc_midstream)
{
	uint8_t s[30];
	struct fx f;

	fill(s, sizeof(s), 5);
	fx_init(&f, 0);
	f.r = (struct tlsd_reasm){0};
	ck_assert_uint_eq(seg(&f, 5000, s, 10), 0);
	ck_assert(f.r.started && f.r.midstream);
	ck_assert_uint_eq(f.r.isn, 5000);
	ck_assert_uint_eq(seg(&f, 5020, s + 20, 10), TLSD_REASM_EV_OUT_OF_ORDER);
	ck_assert_uint_eq(seg(&f, 5010, s + 10, 10), 0);
	ck_assert_mem_eq(f.rc->out, s, 30);
	/* Bytes from before the first segment: old, not delivered. */
	ck_assert_uint_eq(seg(&f, 4990, s, 10), TLSD_REASM_EV_RETRANSMIT);
	ck_assert_uint_eq(f.rc->data_bytes, 30);
	fx_done(&f);
}
END_TEST

/* ---- gaps ---- */

START_TEST(tc_gap_ack_start)
{
	uint8_t s[100];
	struct fx f;

	fill(s, sizeof(s), 6);
	fx_init(&f, 0);
	ck_assert_uint_eq(seg(&f, 40, s + 40, 60), TLSD_REASM_EV_OUT_OF_ORDER);
	tlsd_reasm_ack(&f.r, &f.ctx, &f.sink, 20); /* inside the hole: partial */
	ck_assert_uint_eq(f.rc->gaps, 1);
	ck_assert_uint_eq(f.rc->gap_bytes, 20);
	ck_assert_uint_eq(f.rc->data_bytes, 0);
	tlsd_reasm_ack(&f.r, &f.ctx, &f.sink, 50);
	ck_assert_uint_eq(f.rc->gaps, 2);
	ck_assert_uint_eq(f.rc->gap_bytes, 40);
	ck_assert_uint_eq(f.rc->data_bytes, 60);
	ck_assert_mem_eq(f.rc->out + 40, s + 40, 60);
	ck_assert_uint_eq(f.rc->seen[0], 2);
	ck_assert_uint_eq(f.rc->seen[39], 2);
	/* The missing bytes arrive late: already given up on. */
	ck_assert_uint_eq(seg(&f, 0, s, 40), TLSD_REASM_EV_RETRANSMIT);
	ck_assert_uint_eq(f.rc->data_bytes, 60);
	fx_done(&f);
}
END_TEST

START_TEST(tc_gap_ack_middle_end)
{
	uint8_t s[100];
	struct fx f;

	fill(s, sizeof(s), 7);
	fx_init(&f, 0);
	ck_assert_uint_eq(seg(&f, 0, s, 30), 0);
	ck_assert_uint_eq(seg(&f, 50, s + 50, 20), TLSD_REASM_EV_OUT_OF_ORDER);
	/* ACK past everything seen: the middle hole and the tail are gaps. */
	tlsd_reasm_ack(&f.r, &f.ctx, &f.sink, 100);
	ck_assert_uint_eq(f.rc->gaps, 2);
	ck_assert_uint_eq(f.rc->gap_bytes, 20 + 30);
	ck_assert_uint_eq(f.rc->data_bytes, 50);
	ck_assert_uint_eq(f.r.next, 100);
	/* An old ACK does nothing. */
	tlsd_reasm_ack(&f.r, &f.ctx, &f.sink, 10);
	ck_assert_uint_eq(f.rc->gaps, 2);
	fx_done(&f);
}
END_TEST

START_TEST(tc_gap_flush)
{
	uint8_t s[100];
	struct fx f;

	fill(s, sizeof(s), 8);
	fx_init(&f, 0);
	ck_assert_uint_eq(seg(&f, 10, s + 10, 10), TLSD_REASM_EV_OUT_OF_ORDER);
	ck_assert_uint_eq(seg(&f, 40, s + 40, 10), TLSD_REASM_EV_OUT_OF_ORDER);
	ck_assert_uint_eq(seg(&f, 30, s + 30, 5), TLSD_REASM_EV_OUT_OF_ORDER);
	tlsd_reasm_fin(&f.r, 80);
	ck_assert(!tlsd_reasm_fin_reached(&f.r));
	tlsd_reasm_flush(&f.r, &f.ctx, &f.sink);
	/* gaps [0,10) [20,30) [35,40) and up to the FIN [50,80) */
	ck_assert_uint_eq(f.rc->gaps, 4);
	ck_assert_uint_eq(f.rc->gap_bytes, 10 + 10 + 5 + 30);
	ck_assert_uint_eq(f.rc->data_bytes, 25);
	ck_assert(tlsd_reasm_fin_reached(&f.r));
	ck_assert_ptr_null(f.r.ooo);
	ck_assert_uint_eq(f.ctx.reasm_mem_used, 0);
	fx_done(&f);
}
END_TEST

/* ---- snap length ---- */

START_TEST(tc_snaplen)
{
	uint8_t s[300];
	struct fx f;

	fill(s, sizeof(s), 9);
	fx_init(&f, 0);
	/* In order, 100 on the wire, 40 captured: 40 data then a 60 gap. */
	ck_assert_uint_eq(tlsd_reasm_segment(&f.r, &f.ctx, &f.sink, 0, s, 40, 100), 0);
	ck_assert_uint_eq(f.rc->data_bytes, 40);
	ck_assert_uint_eq(f.rc->gap_bytes, 60);
	ck_assert_uint_eq(f.r.next, 100);
	/* Out of order and cut: the cut part is recorded, so the gap is
	 * declared as soon as the stream reaches it. */
	ck_assert_uint_eq(tlsd_reasm_segment(&f.r, &f.ctx, &f.sink, 200, s + 200, 10, 100),
			  TLSD_REASM_EV_OUT_OF_ORDER);
	ck_assert_uint_eq(seg(&f, 100, s + 100, 100), 0);
	ck_assert_uint_eq(f.rc->data_bytes, 150);
	ck_assert_uint_eq(f.rc->gap_bytes, 150);
	ck_assert_uint_eq(f.r.next, 300);
	ck_assert_mem_eq(f.rc->out + 100, s + 100, 110);
	ck_assert_uint_eq(f.rc->seen[250], 2);
	fx_done(&f);
}
END_TEST

/* ---- skip ---- */

START_TEST(tc_skip_over_hole)
{
	uint8_t s[100];
	struct fx f;

	fill(s, sizeof(s), 10);
	fx_init(&f, 0);
	ck_assert_uint_eq(seg(&f, 0, s, 10), 0);
	ck_assert_uint_eq(seg(&f, 30, s + 30, 20), TLSD_REASM_EV_OUT_OF_ORDER);
	ck_assert_uint_eq(seg(&f, 60, s + 60, 10), TLSD_REASM_EV_OUT_OF_ORDER);
	/* Skip [10,40): the hole and the first half of a buffered segment. */
	tlsd_reasm_skip(&f.r, &f.ctx, 30);
	ck_assert_uint_eq(f.r.next, 40);
	ck_assert_uint_eq(f.rc->data_bytes, 10);
	/* The hole's bytes arrive later (a retransmission on the wire): not
	 * delivered; the trimmed buffered tail [40,50) goes out first. */
	ck_assert_uint_eq(seg(&f, 10, s + 10, 20), TLSD_REASM_EV_RETRANSMIT);
	ck_assert_uint_eq(f.rc->data_bytes, 20);
	ck_assert_uint_eq(f.r.next, 50);
	ck_assert_uint_eq(seg(&f, 50, s + 50, 10), 0);
	ck_assert_uint_eq(f.rc->data_bytes, 40);
	ck_assert_mem_eq(f.rc->out + 40, s + 40, 30);
	ck_assert_uint_eq(f.rc->seen[20], 0);
	fx_done(&f);
}
END_TEST

/* Segments wholly below next take a short path (nothing buffered, no FIN):
 * RETRANSMIT only for bytes the sender did send before (max_seen), not for
 * the rest of a skipped body; a skip that ends exactly at a segment
 * boundary delivers the next segment whole; ACKs at or below next do
 * nothing. Near the 32-bit wrap, with snap-cut segments. */
START_TEST(tc_below_next)
{
	uint8_t s[200];
	struct fx f;
	uint32_t isn = UINT32_MAX - 40;

	fill(s, sizeof(s), 16);
	fx_init(&f, isn);
	ck_assert_uint_eq(seg(&f, isn, s, 20), 0);
	tlsd_reasm_skip(&f.r, &f.ctx, 60); /* [20,80) not wanted */
	/* Inside the skipped body, first time on the wire: no event. */
	ck_assert_uint_eq(seg(&f, isn + 20, s + 20, 30), 0);
	ck_assert_uint_eq(tlsd_reasm_segment(&f.r, &f.ctx, &f.sink, isn + 50, s + 50, 10, 30),
			  0);
	ck_assert_uint_eq(f.r.max_seen, 20);
	/* Delivered bytes again: a retransmission, however cut. */
	ck_assert_uint_eq(seg(&f, isn, s, 20), TLSD_REASM_EV_RETRANSMIT);
	ck_assert_uint_eq(tlsd_reasm_segment(&f.r, &f.ctx, &f.sink, isn + 5, s + 5, 3, 15),
			  TLSD_REASM_EV_RETRANSMIT);
	/* wire_len below len counts as len; an empty segment is nothing. */
	ck_assert_uint_eq(tlsd_reasm_segment(&f.r, &f.ctx, &f.sink, isn + 10, s + 10, 10, 0),
			  TLSD_REASM_EV_RETRANSMIT);
	ck_assert_uint_eq(tlsd_reasm_segment(&f.r, &f.ctx, &f.sink, isn + 10, s + 10, 0, 0), 0);
	/* ACKs at or below next: no gap, nothing delivered. */
	tlsd_reasm_ack(&f.r, &f.ctx, &f.sink, isn + 80);
	tlsd_reasm_ack(&f.r, &f.ctx, &f.sink, isn + 3);
	ck_assert_uint_eq(f.rc->gaps, 0);
	ck_assert_uint_eq(f.rc->data_bytes, 20);
	/* The skip ended at 80, where the next segment starts: delivered whole. */
	ck_assert_uint_eq(seg(&f, isn + 80, s + 80, 40), 0);
	ck_assert_uint_eq(f.rc->data_bytes, 60);
	ck_assert_mem_eq(f.rc->out + 80, s + 80, 40);
	ck_assert_uint_eq(f.r.max_seen, 120);
	/* Straddling next: only the new part goes out. */
	ck_assert_uint_eq(seg(&f, isn + 100, s + 100, 40), 0);
	ck_assert_uint_eq(f.rc->data_bytes, 80);
	ck_assert_mem_eq(f.rc->out + 120, s + 120, 20);
	/* An ACK beyond next still declares the hole. */
	tlsd_reasm_ack(&f.r, &f.ctx, &f.sink, isn + 150);
	ck_assert_uint_eq(f.rc->gaps, 1);
	ck_assert_uint_eq(f.rc->gap_bytes, 10);
	/* With a FIN or with bytes buffered, the long path: same answers. */
	ck_assert_uint_eq(seg(&f, isn + 160, s + 160, 10), TLSD_REASM_EV_OUT_OF_ORDER);
	ck_assert_uint_eq(seg(&f, isn + 100, s + 100, 10), TLSD_REASM_EV_RETRANSMIT);
	ck_assert_uint_eq(seg(&f, isn + 150, s + 150, 10), 0);
	ck_assert_uint_eq(f.r.next, 170);
	tlsd_reasm_fin(&f.r, isn + 170);
	ck_assert_uint_eq(seg(&f, isn + 160, s + 160, 10), TLSD_REASM_EV_RETRANSMIT);
	ck_assert_uint_eq(seg(&f, isn + 165, s + 165, 10),
			  TLSD_REASM_EV_AFTER_FIN | TLSD_REASM_EV_RETRANSMIT);
	/* Closed: nothing at all. */
	f.r.closed = true;
	ck_assert_uint_eq(seg(&f, isn, s, 20), 0);
	tlsd_reasm_ack(&f.r, &f.ctx, &f.sink, isn + 190);
	ck_assert_uint_eq(f.rc->gaps, 1);
	ck_assert_uint_eq(f.rc->data_bytes, 100);
	fx_done(&f);
}
END_TEST

/* A framer in miniature: records of a 2-byte length and a body; the rest
 * of a body beyond the chunk is skipped from the callback, as conn.c does
 * with the TLS framer's skip count. */
struct mini {
	struct tlsd_reasm *r;
	struct tlsd_ctx *ctx;
	uint8_t hdr[2];
	unsigned hdr_have;
	uint64_t body_left;
	unsigned lens[16], n;
	uint64_t delivered;
};

static void mini_data(void *ud, uint64_t off, const uint8_t *p, size_t len)
{
	struct mini *m = ud;

	(void)off;
	m->delivered += len;
	for (size_t i = 0; i < len;) {
		if (m->body_left) {
			size_t take = (size_t)TLSD_MIN(m->body_left, (uint64_t)(len - i));

			m->body_left -= take;
			i += take;
			continue;
		}
		m->hdr[m->hdr_have++] = p[i++];
		if (m->hdr_have < 2)
			continue;
		m->hdr_have = 0;
		m->body_left = (uint64_t)m->hdr[0] << 8 | m->hdr[1];
		ck_assert_uint_lt(m->n, 16);
		m->lens[m->n++] = (unsigned)m->body_left;
	}
	if (m->body_left) {
		uint64_t n = m->body_left;

		m->body_left = 0;
		tlsd_reasm_skip(m->r, m->ctx, n);
	}
}

static void mini_gap(void *ud, uint64_t off, uint64_t len)
{
	(void)ud;
	(void)off;
	(void)len;
	ck_abort_msg("no gap expected");
}

/* The stream cut into three in-order segments at every pair of points,
 * each segment sent twice: every record header is read once, whether it
 * is split across segments, ends one, or lies inside a skipped body's
 * segment; bodies beyond a chunk are never delivered, and the copies are
 * retransmissions (or, wholly inside a skipped body, nothing). */
START_TEST(tc_skip_at_every_split)
{
	static const unsigned lens[] = {0, 3, 7, 1, 12, 5, 2};
	uint8_t st[128];
	size_t n = 0;

	for (size_t k = 0; k < TLSD_ARRAY_SIZE(lens); k++) {
		st[n++] = (uint8_t)(lens[k] >> 8);
		st[n++] = (uint8_t)lens[k];
		memset(st + n, 0xee, lens[k]);
		n += lens[k];
	}
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j < n; j++) {
			struct tlsd_ctx ctx;
			struct tlsd_reasm r;
			struct mini m = {.r = &r, .ctx = &ctx};
			struct tlsd_reasm_sink sink = {.data = mini_data, .gap = mini_gap, .ud = &m};
			size_t cut[4] = {0, i, j, n};
			uint32_t isn = UINT32_MAX - 30;

			tlsd_ctx_init(&ctx);
			tlsd_reasm_init(&r);
			tlsd_reasm_start(&r, isn, false);
			for (int k = 0; k < 3; k++) {
				uint32_t l = (uint32_t)(cut[k + 1] - cut[k]);
				unsigned ev;

				if (l == 0)
					continue;
				(void)tlsd_reasm_segment(&r, &ctx, &sink, isn + (uint32_t)cut[k],
							 st + cut[k], l, l);
				ev = tlsd_reasm_segment(&r, &ctx, &sink, isn + (uint32_t)cut[k],
							st + cut[k], l, l);
				ck_assert(ev == 0 || ev == TLSD_REASM_EV_RETRANSMIT);
				tlsd_reasm_ack(&r, &ctx, &sink, isn + (uint32_t)cut[k + 1]);
			}
			ck_assert_uint_eq(m.n, TLSD_ARRAY_SIZE(lens));
			ck_assert_mem_eq(m.lens, lens, sizeof(lens));
			ck_assert_uint_eq(r.next, n);
			ck_assert_uint_le(m.delivered, n);
			ck_assert_ptr_null(r.ooo);
			tlsd_reasm_cleanup(&r, &ctx);
			ck_assert_uint_eq(ctx.reasm_mem_used, 0);
		}
	}
}
END_TEST

/* A callback skips: counted from the end of the chunk being delivered. */
START_TEST(tc_skip_in_callback)
{
	uint8_t s[100];
	struct fx f;

	fill(s, sizeof(s), 11);
	fx_init(&f, 0);
	ck_assert_uint_eq(seg(&f, 40, s + 40, 20), TLSD_REASM_EV_OUT_OF_ORDER);
	/* [0,100) arrives: [0,40) from the packet; the callback skips 30, so
	 * [40,70) (buffered and packet) is never delivered; [70,100) is. */
	f.rc->skip_at = 40;
	f.rc->skip_n = 30;
	ck_assert_uint_eq(seg(&f, 0, s, 100), 0);
	ck_assert_uint_eq(f.rc->data_bytes, 70);
	ck_assert_uint_eq(f.rc->seen[39], 1);
	ck_assert_uint_eq(f.rc->seen[40], 0);
	ck_assert_uint_eq(f.rc->seen[69], 0);
	ck_assert_mem_eq(f.rc->out + 70, s + 70, 30);
	ck_assert_ptr_null(f.r.ooo);
	ck_assert_uint_eq(f.ctx.reasm_mem_used, 0);
	fx_done(&f);
}
END_TEST

/* A skip from a callback that delivers a buffered segment, past more
 * buffered segments and into a hole. */
START_TEST(tc_skip_in_callback_buffered)
{
	uint8_t s[200];
	struct fx f;

	fill(s, sizeof(s), 12);
	fx_init(&f, 0);
	(void)seg(&f, 20, s + 20, 20);
	(void)seg(&f, 50, s + 50, 20);
	(void)seg(&f, 100, s + 100, 50);
	f.rc->skip_at = 40;
	f.rc->skip_n = 80; /* next = 120 */
	ck_assert_uint_eq(seg(&f, 0, s, 20), 0);
	ck_assert_uint_eq(f.r.next, 150);
	ck_assert_uint_eq(f.rc->data_bytes, 40 + 30);
	ck_assert_mem_eq(f.rc->out + 120, s + 120, 30);
	ck_assert_uint_eq(f.rc->seen[60], 0);
	ck_assert_uint_eq(f.rc->seen[110], 0);
	fx_done(&f);
}
END_TEST

/* The consumer closes the direction from inside a callback. */
START_TEST(tc_close_in_callback)
{
	uint8_t s[100];
	struct fx f;

	fill(s, sizeof(s), 13);
	fx_init(&f, 0);
	(void)seg(&f, 20, s + 20, 20);
	(void)seg(&f, 60, s + 60, 20);
	f.rc->skip_at = 20;
	f.rc->skip_n = 1;
	f.rc->close_at_skip = true;
	ck_assert_uint_eq(seg(&f, 0, s, 20), 0);
	ck_assert_uint_eq(f.rc->data_bytes, 20);
	ck_assert_ptr_null(f.r.ooo);
	ck_assert_uint_eq(f.ctx.reasm_mem_used, 0);
	ck_assert_uint_eq(seg(&f, 21, s + 21, 20), 0);
	ck_assert_uint_eq(f.rc->data_bytes, 20);
	fx_done(&f);
}
END_TEST

/* ---- FIN ---- */

START_TEST(tc_fin)
{
	uint8_t s[50];
	struct fx f;

	fill(s, sizeof(s), 14);
	fx_init(&f, 0);
	/* FIN known before the data in front of it. */
	tlsd_reasm_fin(&f.r, 30);
	ck_assert(f.r.fin_seen);
	ck_assert_uint_eq(f.r.fin_off, 30);
	ck_assert_uint_eq(seg(&f, 10, s + 10, 20), TLSD_REASM_EV_OUT_OF_ORDER);
	ck_assert(!tlsd_reasm_fin_reached(&f.r));
	ck_assert_uint_eq(seg(&f, 0, s, 10), 0);
	ck_assert(tlsd_reasm_fin_reached(&f.r));
	/* Data beyond the FIN is dropped and reported. */
	ck_assert_uint_eq(seg(&f, 25, s + 25, 20),
			  TLSD_REASM_EV_AFTER_FIN | TLSD_REASM_EV_RETRANSMIT);
	ck_assert_uint_eq(seg(&f, 30, s + 30, 5), TLSD_REASM_EV_AFTER_FIN);
	ck_assert_uint_eq(f.rc->data_bytes, 30);
	/* A second FIN does not move it; the ACK of the FIN is not a gap. */
	tlsd_reasm_fin(&f.r, 40);
	ck_assert_uint_eq(f.r.fin_off, 30);
	tlsd_reasm_ack(&f.r, &f.ctx, &f.sink, 31);
	ck_assert_uint_eq(f.rc->gaps, 0);
	ck_assert(tlsd_reasm_seq_plausible(&f.r, 31, 0));
	fx_done(&f);
}
END_TEST

/* Data buffered beyond a FIN that is learned later is never delivered. */
START_TEST(tc_fin_after_buffered)
{
	uint8_t s[50];
	struct fx f;

	fill(s, sizeof(s), 15);
	fx_init(&f, 0);
	ck_assert_uint_eq(seg(&f, 10, s + 10, 30), TLSD_REASM_EV_OUT_OF_ORDER);
	tlsd_reasm_fin(&f.r, 20);
	ck_assert_uint_eq(seg(&f, 0, s, 10), 0);
	ck_assert_uint_eq(f.rc->data_bytes, 20);
	ck_assert_uint_eq(f.r.next, 20);
	ck_assert(tlsd_reasm_fin_reached(&f.r));
	fx_done(&f);
}
END_TEST

/* ---- caps ---- */

START_TEST(tc_cap_per_dir)
{
	uint8_t s[1200];
	struct fx f;

	fill(s, sizeof(s), 16);
	fx_init(&f, 0);
	f.ctx.lim.reasm_per_dir = 3 * (100 + TLSD_REASM_SEG_OVERHEAD);
	/* hole [0,100), then [100,400) fits exactly, [500,600) does not. */
	for (uint32_t a = 100; a < 400; a += 100)
		ck_assert_uint_eq(seg(&f, a, s + a, 100), TLSD_REASM_EV_OUT_OF_ORDER);
	ck_assert_uint_eq(f.r.ooo_bytes, f.ctx.lim.reasm_per_dir);
	ck_assert_uint_eq(f.ctx.reasm_mem_used, f.ctx.lim.reasm_per_dir);
	/* The oldest hole becomes a gap and what follows it is delivered; then
	 * the new segment fits. */
	ck_assert_uint_eq(seg(&f, 500, s + 500, 100),
			  TLSD_REASM_EV_CAP | TLSD_REASM_EV_OUT_OF_ORDER);
	ck_assert_uint_eq(f.rc->gap_bytes, 100);
	ck_assert_uint_eq(f.rc->data_bytes, 300);
	ck_assert_uint_eq(f.r.next, 400);
	ck_assert_uint_eq(f.r.ooo_bytes, 100 + TLSD_REASM_SEG_OVERHEAD);
	/* Larger than the cap on its own: every hole before it becomes a gap
	 * and it is delivered in order. */
	ck_assert_uint_eq(seg(&f, 700, s + 700, 400), TLSD_REASM_EV_CAP);
	ck_assert_uint_eq(f.rc->gap_bytes, 300);
	ck_assert_uint_eq(f.rc->data_bytes, 800);
	ck_assert_uint_eq(f.r.next, 1100);
	ck_assert_mem_eq(f.rc->out + 700, s + 700, 400);
	ck_assert_uint_eq(f.ctx.reasm_mem_used, 0);
	fx_done(&f);
}
END_TEST

START_TEST(tc_cap_global)
{
	uint8_t s[1000];
	struct fx f;
	struct tlsd_reasm other;
	struct rec *orc = calloc(1, sizeof(*orc));
	struct tlsd_reasm_sink osink = {.data = rec_data, .gap = rec_gap, .ud = orc};

	ck_assert_ptr_nonnull(orc);
	fill(s, sizeof(s), 17);
	fx_init(&f, 0);
	f.ctx.lim.reasm_mem = 4 * (100 + TLSD_REASM_SEG_OVERHEAD);
	tlsd_reasm_init(&other);
	tlsd_reasm_start(&other, 5000, false);
	/* Another direction holds 3 of the 4 slots. */
	for (uint32_t a = 100; a < 400; a += 100)
		ck_assert_uint_eq(tlsd_reasm_segment(&other, &f.ctx, &osink, 5000 + a, s + a, 100,
						     100),
				  TLSD_REASM_EV_OUT_OF_ORDER);
	ck_assert_uint_eq(seg(&f, 100, s + 100, 100), TLSD_REASM_EV_OUT_OF_ORDER);
	ck_assert_uint_eq(f.ctx.reasm_mem_used, f.ctx.lim.reasm_mem);
	/* Full: this direction gives up its own oldest hole. */
	ck_assert_uint_eq(seg(&f, 300, s + 300, 100),
			  TLSD_REASM_EV_CAP | TLSD_REASM_EV_OUT_OF_ORDER);
	ck_assert_uint_eq(f.ctx.reasm_mem_used, f.ctx.lim.reasm_mem);
	ck_assert_uint_eq(f.rc->gap_bytes, 100);
	ck_assert_uint_eq(f.rc->data_bytes, 100);
	ck_assert_uint_eq(f.r.next, 200);
	/* Other flows hold everything: nothing of this direction can be
	 * buffered, so the hole before the new segment is a gap too. */
	f.ctx.lim.reasm_mem = 3 * (100 + TLSD_REASM_SEG_OVERHEAD);
	ck_assert_uint_eq(seg(&f, 500, s + 500, 100), TLSD_REASM_EV_CAP);
	ck_assert_uint_eq(f.rc->gap_bytes, 300);
	ck_assert_uint_eq(f.rc->data_bytes, 300);
	ck_assert_uint_eq(f.r.next, 600);
	ck_assert_uint_le(f.ctx.reasm_mem_used, f.ctx.lim.reasm_mem);
	tlsd_reasm_flush(&other, &f.ctx, &osink);
	ck_assert_uint_eq(orc->gap_bytes, 100);
	ck_assert_uint_eq(orc->data_bytes, 300);
	tlsd_reasm_cleanup(&other, &f.ctx);
	free(orc);
	fx_done(&f);
}
END_TEST

/* Many 1-byte segments: the per-segment overhead is charged. */
START_TEST(tc_cap_tiny_segments)
{
	uint8_t s[4000];
	struct fx f;
	unsigned caps = 0;

	fill(s, sizeof(s), 18);
	fx_init(&f, 0);
	f.ctx.lim.reasm_per_dir = 1000;
	for (int a = 3999; a >= 1; a -= 2) {
		if (seg(&f, a, s + a, 1) & TLSD_REASM_EV_CAP)
			caps++;
		ck_assert_uint_le(f.r.ooo_bytes, 1000);
	}
	ck_assert_uint_gt(caps, 0);
	tlsd_reasm_flush(&f.r, &f.ctx, &f.sink);
	ck_assert_uint_eq(f.rc->data_bytes + f.rc->gap_bytes, 4000);
	fx_done(&f);
}
END_TEST

START_TEST(tc_seq_plausible)
{
	struct tlsd_reasm r;

	tlsd_reasm_init(&r);
	ck_assert(!tlsd_reasm_seq_plausible(&r, 0, 65535));
	tlsd_reasm_start(&r, 1000, false);
	ck_assert(tlsd_reasm_seq_plausible(&r, 1000, 0));
	ck_assert(!tlsd_reasm_seq_plausible(&r, 1001, 0));
	ck_assert(tlsd_reasm_seq_plausible(&r, 1000 + 99, 100));
	ck_assert(!tlsd_reasm_seq_plausible(&r, 1000 + 100, 100));
	ck_assert(tlsd_reasm_seq_plausible(&r, 1000 - 100, 100));
	ck_assert(!tlsd_reasm_seq_plausible(&r, 1000 - 101, 100));
}
END_TEST

/* A tentative (mid-stream, no ACK) start holds the first pieces: pieces
 * of the first flight seen out of order still count, and the stream starts
 * at the lowest one; a peer's ACK a little below it starts it there (the
 * bytes between are in flight and declared a gap if they never come). */
START_TEST(tc_tentative_start)
{
	struct fx f;
	uint8_t b[64];
	uint32_t base = 0xfffffff0u; /* across the 32-bit wrap */

	fill(b, sizeof(b), 7);
	tlsd_ctx_init(&f.ctx);
	tlsd_reasm_init(&f.r);
	f.rc = calloc(1, sizeof(*f.rc));
	ck_assert_ptr_nonnull(f.rc);
	f.rc->r = &f.r;
	f.rc->ctx = &f.ctx;
	f.sink = (struct tlsd_reasm_sink){.data = rec_data, .gap = rec_gap, .ud = f.rc};
	tlsd_reasm_start_tentative(&f.r, base + 20);
	ck_assert_uint_eq(seg(&f, base + 20, b + 20, 20), 0 | TLSD_REASM_EV_OUT_OF_ORDER);
	seg(&f, base + 0, b, 20);
	ck_assert_uint_eq(f.rc->data_bytes, 0);
	tlsd_reasm_settle(&f.r, &f.ctx, &f.sink, true, base + 40); /* ACK beyond: ignored */
	ck_assert_uint_eq(f.rc->data_bytes, 40);
	ck_assert_mem_eq(f.rc->out, b, 40);
	seg(&f, base + 40, b + 40, 24);
	ck_assert_mem_eq(f.rc->out, b, 64);
	ck_assert_uint_eq(f.rc->gaps, 0);
	fx_done(&f);

	/* ACK below the first piece: the stream starts at the ACK. */
	tlsd_ctx_init(&f.ctx);
	tlsd_reasm_init(&f.r);
	f.rc = calloc(1, sizeof(*f.rc));
	ck_assert_ptr_nonnull(f.rc);
	f.rc->r = &f.r;
	f.rc->ctx = &f.ctx;
	f.sink.ud = f.rc;
	tlsd_reasm_start_tentative(&f.r, 1000);
	seg(&f, 1000, b, 10);
	tlsd_reasm_ack(&f.r, &f.ctx, &f.sink, 990);
	ck_assert_uint_eq(f.rc->data_bytes, 0);
	seg(&f, 990, b + 30, 10);
	ck_assert_uint_eq(f.rc->data_bytes, 20);
	ck_assert_mem_eq(f.rc->out + 10, b, 10);
	/* Nothing captured: flush settles at the first sequence number. */
	fx_done(&f);
}
END_TEST

Suite *reasm_suite(void);
Suite *reasm_suite(void)
{
	Suite *s = suite_create("reasm");
	struct {
		const char *name;
		const TTest *fn;
	} cases[] = {
		{"in_order", tc_in_order},
		{"property", tc_property},
		{"reverse_100", tc_reverse_100},
		{"overlap_equal", tc_overlap_equal},
		{"overlap_different", tc_overlap_different},
		{"wrap", tc_wrap},
		{"before_isn", tc_before_isn},
		{"midstream", tc_midstream},
		{"gap_ack_start", tc_gap_ack_start},
		{"gap_ack_middle_end", tc_gap_ack_middle_end},
		{"gap_flush", tc_gap_flush},
		{"snaplen", tc_snaplen},
		{"skip_over_hole", tc_skip_over_hole},
		{"below_next", tc_below_next},
		{"skip_at_every_split", tc_skip_at_every_split},
		{"skip_in_callback", tc_skip_in_callback},
		{"skip_in_callback_buffered", tc_skip_in_callback_buffered},
		{"close_in_callback", tc_close_in_callback},
		{"fin", tc_fin},
		{"fin_after_buffered", tc_fin_after_buffered},
		{"cap_per_dir", tc_cap_per_dir},
		{"cap_global", tc_cap_global},
		{"cap_tiny_segments", tc_cap_tiny_segments},
		{"seq_plausible", tc_seq_plausible},
		{"tentative_start", tc_tentative_start},
	};
	TCase *tc;

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(cases); i++) {
		tc = tcase_create(cases[i].name);
		tcase_add_test(tc, cases[i].fn);
		if (strcmp(cases[i].name, "property") == 0)
			tcase_set_timeout(tc, 120);
		suite_add_tcase(s, tc);
	}
	tc = tcase_create("permutations");
	tcase_add_loop_test(tc, tc_permutations5, 0, 120);
	tcase_add_loop_test(tc, tc_permutations4, 0, 24);
	suite_add_tcase(s, tc);
	return s;
}
