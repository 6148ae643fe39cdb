/* Unit tests for out-of-order reassembly into a capped buffer (rangebuf). */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "tlsd/rangebuf.h"

static uint8_t pattern[4096];

static void fill_pattern(void)
{
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + 3);
}

static void check_prefix(const struct tlsd_rangebuf *rb, size_t n)
{
	struct tlsd_cur v;

	ck_assert_uint_eq(tlsd_rangebuf_contig(rb), n);
	ck_assert(tlsd_rangebuf_view(rb, 0, n, &v));
	ck_assert_mem_eq(tlsd_cur_data(&v), pattern, n);
}

START_TEST(tc_in_order)
{
	struct tlsd_rangebuf rb;

	fill_pattern();
	tlsd_rangebuf_init(&rb, 4096);
	for (size_t off = 0; off < 1000; off += 100)
		ck_assert_int_eq(tlsd_rangebuf_put(&rb, off, pattern + off, 100, NULL), 0);
	check_prefix(&rb, 1000);
	ck_assert_uint_eq(rb.n, 1);
	tlsd_rangebuf_cleanup(&rb);
}
END_TEST

/* Reverse order: every piece lands before the held ones (the ssldump bug). */
START_TEST(tc_reverse)
{
	struct tlsd_rangebuf rb;

	fill_pattern();
	tlsd_rangebuf_init(&rb, 4096);
	for (int off = 900; off >= 0; off -= 100) {
		ck_assert_int_eq(tlsd_rangebuf_put(&rb, (uint64_t)off, pattern + off, 100, NULL), 0);
		ck_assert_uint_eq(tlsd_rangebuf_contig(&rb), off == 0 ? 1000 : 0);
		ck_assert_uint_eq(tlsd_rangebuf_end(&rb), 1000);
	}
	check_prefix(&rb, 1000);
	tlsd_rangebuf_cleanup(&rb);
}
END_TEST

/* Shuffled pieces of every size 1..64 (Chrome splits its ClientHello). */
START_TEST(tc_shuffled)
{
	struct tlsd_rangebuf rb;
	size_t step = (size_t)_i + 1, n = 2048 / step;
	size_t order[2048];

	fill_pattern();
	tlsd_rangebuf_init(&rb, 4096);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	/* Reversed within windows of 8 pieces: at most 8 holes at once. */
	for (size_t w = 0; w < n; w += 8)
		for (size_t i = w; i < w + 8 && i < n; i++)
			order[i] = TLSD_MIN(w + 8, n) - 1 - (i - w);
	for (size_t i = 0; i < n; i++) {
		size_t off = order[i] * step;

		ck_assert_int_eq(tlsd_rangebuf_put(&rb, off, pattern + off, step, NULL), 0);
		ck_assert_uint_le(rb.n, 8);
	}
	check_prefix(&rb, n * step);
	ck_assert(!rb.differs);
	tlsd_rangebuf_cleanup(&rb);
}
END_TEST

START_TEST(tc_overlap)
{
	struct tlsd_rangebuf rb;
	uint8_t other[200];
	bool differs = true;

	fill_pattern();
	tlsd_rangebuf_init(&rb, 4096);
	ck_assert_int_eq(tlsd_rangebuf_put(&rb, 100, pattern + 100, 100, &differs), 0);
	ck_assert(!differs);
	/* Same bytes again, overlapping on both sides. */
	ck_assert_int_eq(tlsd_rangebuf_put(&rb, 50, pattern + 50, 200, &differs), 0);
	ck_assert(!differs);
	ck_assert_uint_eq(rb.n, 1);
	/* Different bytes over held ones: first wins, flagged. */
	memset(other, 0xee, sizeof(other));
	ck_assert_int_eq(tlsd_rangebuf_put(&rb, 0, other, 200, &differs), 0);
	ck_assert(differs);
	ck_assert(rb.differs);
	{
		struct tlsd_cur v;

		ck_assert(tlsd_rangebuf_view(&rb, 0, 50, &v));
		ck_assert_uint_eq(tlsd_cur_data(&v)[0], 0xee); /* was a hole */
		ck_assert(tlsd_rangebuf_view(&rb, 50, 200, &v));
		ck_assert_mem_eq(tlsd_cur_data(&v), pattern + 50, 200);
	}
	tlsd_rangebuf_cleanup(&rb);
}
END_TEST

START_TEST(tc_cap)
{
	struct tlsd_rangebuf rb;

	fill_pattern();
	tlsd_rangebuf_init(&rb, 1000);
	ck_assert_int_eq(tlsd_rangebuf_put(&rb, 999, pattern, 2, NULL), -ENOSPC);
	ck_assert_int_eq(tlsd_rangebuf_put(&rb, UINT64_MAX - 1, pattern, 2, NULL), -ENOSPC);
	ck_assert_int_eq(tlsd_rangebuf_put(&rb, 0, pattern, SIZE_MAX, NULL), -ENOSPC);
	ck_assert_uint_eq(rb.n, 0);
	ck_assert_ptr_null(rb.buf.data);
	ck_assert_int_eq(tlsd_rangebuf_put(&rb, 999, pattern, 1, NULL), 0);
	ck_assert_uint_le(rb.buf.alloc, 1000);
	/* Holes: at most TLSD_RANGEBUF_MAX_RANGES ranges, then refused. */
	for (unsigned i = 0; i < TLSD_RANGEBUF_MAX_RANGES - 1; i++)
		ck_assert_int_eq(tlsd_rangebuf_put(&rb, i * 10, pattern, 1, NULL), 0);
	ck_assert_uint_eq(rb.n, TLSD_RANGEBUF_MAX_RANGES);
	ck_assert_int_eq(tlsd_rangebuf_put(&rb, 500, pattern, 1, NULL), -E2BIG);
	/* ... unless the new piece merges with held ones. */
	ck_assert_int_eq(tlsd_rangebuf_put(&rb, 1, pattern, 9, NULL), 0);
	ck_assert_uint_eq(rb.n, TLSD_RANGEBUF_MAX_RANGES - 1);
	{
		struct tlsd_cur v;

		ck_assert(!tlsd_rangebuf_view(&rb, 0, 12, &v));
	}
	tlsd_rangebuf_reset(&rb);
	ck_assert_uint_eq(rb.n, 0);
	ck_assert_uint_eq(rb.buf.cap, 1000);
	tlsd_rangebuf_cleanup(&rb);
	tlsd_rangebuf_cleanup(NULL);
}
END_TEST

Suite *rangebuf_suite(void);
Suite *rangebuf_suite(void)
{
	Suite *s = suite_create("rangebuf");
	TCase *tc = tcase_create("in_order");

	tcase_add_test(tc, tc_in_order);
	suite_add_tcase(s, tc);
	tc = tcase_create("reverse");
	tcase_add_test(tc, tc_reverse);
	suite_add_tcase(s, tc);
	tc = tcase_create("shuffled");
	tcase_add_loop_test(tc, tc_shuffled, 0, 64);
	suite_add_tcase(s, tc);
	tc = tcase_create("overlap");
	tcase_add_test(tc, tc_overlap);
	suite_add_tcase(s, tc);
	tc = tcase_create("cap");
	tcase_add_test(tc, tc_cap);
	suite_add_tcase(s, tc);
	return s;
}
