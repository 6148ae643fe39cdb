/* Unit tests for the stamp guard: which frames are strays, which steps are
 * real, in the order read, with their bytes intact. */
#include <check.h>
#include <string.h>

#include "tlsd/stamp_guard.h"

#define S ((tlsd_time_ns)1000000000)
#define T0 ((tlsd_time_ns)1700000000 * S)
#define RESTART (120 * S)

/* What the guard handed on, frame by frame. */
struct seen {
	unsigned n;
	tlsd_time_ns ts[64];
	uint8_t tag[64]; /* the frame's first byte: which frame it was */
	bool stray[64], restart[64], filtered[64];
	tlsd_time_ns recorded[64];
};

static void note(struct seen *v, const struct tlsd_stamp_out *so)
{
	ck_assert_uint_lt(v->n, 64);
	ck_assert_uint_eq(so->fr.caplen, 3);
	ck_assert_uint_eq(so->fr.data[1], so->fr.data[0] ^ 0xff); /* bytes intact */
	v->ts[v->n] = so->fr.ts;
	v->tag[v->n] = so->fr.data[0];
	v->stray[v->n] = so->stray;
	v->restart[v->n] = so->restart;
	v->filtered[v->n] = so->filtered;
	v->recorded[v->n] = so->fr.restamped ? so->fr.recorded_ts : 0;
	v->n++;
}

static void drain(struct tlsd_stamp_guard *g, bool flush, struct seen *v)
{
	struct tlsd_stamp_out so;

	while (tlsd_stamp_guard_next(g, flush, &so))
		note(v, &so);
}

/* Feeds frames stamped ts[i] (tagged i), as main.c's pump does, then the
 * end of the file. The frame's bytes live in a buffer the caller reuses,
 * as a capture's do. */
static void run(struct tlsd_stamp_guard *g, const tlsd_time_ns *ts, unsigned n, struct seen *v)
{
	memset(v, 0, sizeof(*v));
	for (unsigned i = 0; i < n; i++) {
		uint8_t bytes[3] = {(uint8_t)i, (uint8_t)(i ^ 0xff), 0};
		struct tlsd_frame fr = {.ts = ts[i], .caplen = 3, .wirelen = 3, .data = bytes};
		struct tlsd_stamp_out so = {.fr = fr};

		switch (tlsd_stamp_guard_take(g, &fr, i % 5 == 4)) {
		case TLSD_STAMP_PASS:
			so.filtered = i % 5 == 4;
			note(v, &so);
			break;
		case TLSD_STAMP_HELD:
			break;
		case TLSD_STAMP_NOMEM:
		default:
			ck_abort_msg("no memory");
		}
		memset(bytes, 0xee, sizeof(bytes)); /* the capture reuses it */
		drain(g, false, v);
	}
	drain(g, true, v);
	ck_assert_uint_eq(tlsd_stamp_guard_held(g), 0);
	for (unsigned i = 0; i < v->n; i++) {
		ck_assert_uint_eq(v->tag[i], i); /* all of them, in the order read */
		ck_assert(v->filtered[i] == (i % 5 == 4));
	}
	ck_assert_uint_eq(v->n, n);
}

/* An ordinary file, small steps back included: nothing is held or changed. */
START_TEST(tc_ordinary)
{
	struct tlsd_stamp_guard g;
	tlsd_time_ns ts[] = {T0, T0 + S / 2, T0 + S / 2, T0 + S / 4, T0 + S, T0 + 2 * S,
			     T0 + 2 * S - 60 * S, T0 + 2 * S + 1};
	struct seen v;

	tlsd_stamp_guard_init(&g, RESTART);
	run(&g, ts, 8, &v);
	for (unsigned i = 0; i < v.n; i++) {
		ck_assert_int_eq(v.ts[i], ts[i]);
		ck_assert(!v.stray[i] && !v.restart[i]);
	}
	tlsd_stamp_guard_free(&g);
}
END_TEST

/* One frame stamped 46 years ahead: seen at the clock's time, its stamp
 * kept; the frames after it as they are. */
START_TEST(tc_one_stray_ahead)
{
	struct tlsd_stamp_guard g;
	tlsd_time_ns far = T0 + (tlsd_time_ns)1472000000 * S;
	tlsd_time_ns ts[] = {T0, far, T0 + 1000, T0 + 2000, T0 + 3 * S};
	struct seen v;

	tlsd_stamp_guard_init(&g, RESTART);
	run(&g, ts, 5, &v);
	ck_assert(v.stray[1]);
	ck_assert_int_eq(v.ts[1], T0);
	ck_assert_int_eq(v.recorded[1], far);
	for (unsigned i = 0; i < v.n; i++) {
		if (i != 1) {
			ck_assert_int_eq(v.ts[i], ts[i]);
			ck_assert(!v.stray[i] && v.recorded[i] == 0);
		}
		ck_assert(!v.restart[i]);
	}
	tlsd_stamp_guard_free(&g);
}
END_TEST

/* A few strays together (up to the confirmation count, mixed with frames
 * in time between them) are all seen at the clock's time. */
START_TEST(tc_stray_burst)
{
	struct tlsd_stamp_guard g;
	tlsd_time_ns far = T0 + 3600 * S;
	tlsd_time_ns ts[] = {T0, far, far + 1, T0 + 10, far + 2, T0 + 20, T0 + 30};
	struct seen v;

	tlsd_stamp_guard_init(&g, RESTART);
	run(&g, ts, 7, &v);
	ck_assert(!v.stray[0] && v.stray[1] && v.stray[2] && !v.stray[3] && v.stray[4]);
	ck_assert_int_eq(v.ts[1], T0);
	ck_assert_int_eq(v.ts[2], T0);
	ck_assert_int_eq(v.ts[3], T0 + 10);
	ck_assert_int_eq(v.ts[4], T0 + 10); /* the clock had reached frame 3 */
	ck_assert_int_eq(v.recorded[4], far + 2);
	tlsd_stamp_guard_free(&g);
}
END_TEST

/* A step forward that the frames after it keep (a pause in the capture)
 * stands: nothing is a stray. So does one at the end of the file. */
START_TEST(tc_real_jump)
{
	struct tlsd_stamp_guard g;
	tlsd_time_ns ts[16];
	struct seen v;

	tlsd_stamp_guard_init(&g, RESTART);
	ts[0] = T0;
	for (unsigned i = 1; i < 16; i++)
		ts[i] = T0 + 500 * S + i;
	run(&g, ts, 16, &v);
	for (unsigned i = 0; i < v.n; i++) {
		ck_assert_int_eq(v.ts[i], ts[i]);
		ck_assert(!v.stray[i] && !v.restart[i]);
	}
	/* Nine frames after the jump confirm it, even if one comes back later:
	 * that one is seen at the later time, as before. */
	tlsd_stamp_guard_reset(&g);
	for (unsigned i = 1; i < 10; i++)
		ts[i] = T0 + 500 * S + i;
	ts[10] = T0 + 1;
	run(&g, ts, 11, &v);
	for (unsigned i = 0; i < v.n; i++)
		ck_assert(!v.stray[i] && !v.restart[i] && v.ts[i] == ts[i]);
	tlsd_stamp_guard_reset(&g);
	ts[1] = T0 + 500 * S;
	run(&g, ts, 2, &v); /* the last frame of the file jumps */
	ck_assert(!v.stray[1] && v.ts[1] == ts[1]);
	tlsd_stamp_guard_free(&g);
}
END_TEST

/* Two captures joined into one file, the second earlier: a restart at its
 * first frame, once the frames after it stay there. */
START_TEST(tc_joined_earlier)
{
	struct tlsd_stamp_guard g;
	tlsd_time_ns ts[20];
	struct seen v;

	tlsd_stamp_guard_init(&g, RESTART);
	for (unsigned i = 0; i < 20; i++)
		ts[i] = i < 5 ? T0 + i * S : T0 - 86400 * S + i * S;
	run(&g, ts, 20, &v);
	for (unsigned i = 0; i < v.n; i++) {
		ck_assert_int_eq(v.ts[i], ts[i]);
		ck_assert(!v.stray[i]);
		ck_assert(v.restart[i] == (i == 5));
	}
	/* A short second part (two frames before the end) restarts too. */
	tlsd_stamp_guard_reset(&g);
	run(&g, ts + 3, 4, &v);
	ck_assert(!v.restart[0] && !v.restart[1] && v.restart[2] && !v.restart[3]);
	tlsd_stamp_guard_free(&g);
}
END_TEST

/* Steps back that are not restarts: shorter than the threshold (seen at
 * the later time downstream, as before), one frame far back that the next
 * frame leaves again, and a last frame far back with nothing after it. */
START_TEST(tc_back_not_restart)
{
	struct tlsd_stamp_guard g;
	tlsd_time_ns short_back[] = {T0, T0 + 100 * S, T0 + 5 * S, T0 + 6 * S, T0 + 7 * S};
	tlsd_time_ns lone[] = {T0, T0 - 668322441 * S, T0 + 1000, T0 + 2000};
	tlsd_time_ns last[] = {T0, T0 + 1, T0 - 86400 * S};
	struct seen v;

	tlsd_stamp_guard_init(&g, RESTART);
	run(&g, short_back, 5, &v);
	for (unsigned i = 0; i < v.n; i++)
		ck_assert(!v.restart[i] && !v.stray[i] && v.ts[i] == short_back[i]);
	tlsd_stamp_guard_reset(&g);
	run(&g, lone, 4, &v);
	ck_assert(v.stray[1] && v.ts[1] == T0 && v.recorded[1] == lone[1]);
	ck_assert(!v.restart[1] && !v.restart[2] && !v.stray[2]);
	tlsd_stamp_guard_reset(&g);
	run(&g, last, 3, &v);
	ck_assert(!v.restart[2] && !v.stray[2] && v.ts[2] == last[2]);
	tlsd_stamp_guard_free(&g);
}
END_TEST

/* A reset forgets the clock: a new file starts wherever it starts. */
START_TEST(tc_reset)
{
	struct tlsd_stamp_guard g;
	tlsd_time_ns a[] = {T0, T0 + 1};
	tlsd_time_ns b[] = {T0 - 86400 * S, T0 - 86400 * S + 1};
	struct seen v;

	tlsd_stamp_guard_init(&g, RESTART);
	run(&g, a, 2, &v);
	tlsd_stamp_guard_reset(&g);
	run(&g, b, 2, &v);
	ck_assert(!v.restart[0] && !v.stray[0] && v.ts[0] == b[0]);
	tlsd_stamp_guard_free(&g);
}
END_TEST

/* Frames larger than the last one held, and a comment: copied whole. */
START_TEST(tc_copies)
{
	struct tlsd_stamp_guard g;
	static uint8_t big[65536];
	const uint8_t comment[] = "held";
	char iface[] = "eth0";
	struct tlsd_stamp_out so;
	struct tlsd_frame fr;

	tlsd_stamp_guard_init(&g, RESTART);
	memset(big, 0x42, sizeof(big));
	fr = (struct tlsd_frame){.ts = T0, .caplen = 10, .wirelen = 10, .data = big};
	ck_assert_int_eq(tlsd_stamp_guard_take(&g, &fr, false), TLSD_STAMP_PASS);
	fr = (struct tlsd_frame){.ts = T0 + 3600 * S, .caplen = 10, .wirelen = 10, .data = big,
				 .shared_buffer = 3};
	ck_assert_int_eq(tlsd_stamp_guard_take(&g, &fr, false), TLSD_STAMP_HELD);
	fr = (struct tlsd_frame){.ts = T0 + 3600 * S, .caplen = sizeof(big), .wirelen = 70000,
				 .data = big, .comment = comment, .comment_len = 4, .iface = iface};
	ck_assert_int_eq(tlsd_stamp_guard_take(&g, &fr, false), TLSD_STAMP_HELD);
	ck_assert(!tlsd_stamp_guard_next(&g, false, &so));
	memset(big, 0, sizeof(big));
	memcpy(iface, "wlan", 4); /* the next section's interface, say */
	ck_assert(tlsd_stamp_guard_next(&g, true, &so));
	ck_assert_ptr_null(so.fr.iface);
	ck_assert_uint_eq(so.fr.caplen, 10);
	ck_assert_uint_eq(so.fr.shared_buffer, 0); /* the guard's copy */
	ck_assert_uint_eq(so.fr.data[9], 0x42);
	ck_assert(tlsd_stamp_guard_next(&g, true, &so));
	ck_assert_uint_eq(so.fr.caplen, sizeof(big));
	ck_assert_uint_eq(so.fr.wirelen, 70000);
	ck_assert_uint_eq(so.fr.data[sizeof(big) - 1], 0x42);
	ck_assert_uint_eq(so.fr.comment_len, 4);
	ck_assert(memcmp(so.fr.comment, "held", 4) == 0);
	ck_assert_str_eq(so.fr.iface, "eth0");
	ck_assert(!tlsd_stamp_guard_next(&g, true, &so));
	/* An empty frame held: its data is still a valid pointer. */
	fr = (struct tlsd_frame){.ts = T0 + 7200 * S, .caplen = 0, .wirelen = 60, .data = big};
	ck_assert_int_eq(tlsd_stamp_guard_take(&g, &fr, false), TLSD_STAMP_HELD);
	ck_assert(tlsd_stamp_guard_next(&g, true, &so));
	ck_assert_ptr_nonnull(so.fr.data);
	ck_assert_uint_eq(so.fr.caplen, 0);
	tlsd_stamp_guard_free(&g);
}
END_TEST

Suite *stamp_guard_suite(void);
Suite *stamp_guard_suite(void)
{
	Suite *s = suite_create("stamp_guard");
	TCase *tc = tcase_create("stamp_guard");

	tcase_add_test(tc, tc_ordinary);
	tcase_add_test(tc, tc_one_stray_ahead);
	tcase_add_test(tc, tc_stray_burst);
	tcase_add_test(tc, tc_real_jump);
	tcase_add_test(tc, tc_joined_earlier);
	tcase_add_test(tc, tc_back_not_restart);
	tcase_add_test(tc, tc_reset);
	tcase_add_test(tc, tc_copies);
	suite_add_tcase(s, tc);
	return s;
}
