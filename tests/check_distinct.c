/* Distinct counting: exact below the threshold (duplicates, values of
 * different lengths), the estimate past it against the known number of
 * values added, the shared budget (lower bound when it is spent, all of it
 * back after free). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "tlsd/distinct.h"

#define BIG_BUDGET ((size_t)64 << 20)

static uint64_t fp_u32(uint32_t v)
{
	return tlsd_distinct_hash(&v, sizeof(v));
}

/* Adds values 0..n-1 (each twice when twice) and returns the count. */
static uint64_t count_range(struct tlsd_distinct *d, struct tlsd_distinct_budget *b, uint32_t n,
			    bool twice)
{
	for (uint32_t i = 0; i < n; i++)
		tlsd_distinct_add(d, b, fp_u32(i));
	for (uint32_t i = 0; twice && i < n; i++)
		tlsd_distinct_add(d, b, fp_u32(i));
	return tlsd_distinct_count(d);
}

START_TEST(tc_empty)
{
	struct tlsd_distinct d = {0};
	struct tlsd_distinct_budget b = {0, BIG_BUDGET};

	ck_assert_uint_eq(tlsd_distinct_count(&d), 0);
	ck_assert(!tlsd_distinct_approx(&d));
	tlsd_distinct_free(&d, &b);
	ck_assert_uint_eq(b.used, 0);
}
END_TEST

START_TEST(tc_exact)
{
	static const uint32_t sizes[] = {1, 2, 7, 8, 100, 4097, TLSD_DISTINCT_EXACT_MAX};

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct tlsd_distinct d = {0};
		struct tlsd_distinct_budget b = {0, BIG_BUDGET};

		ck_assert_uint_eq(count_range(&d, &b, sizes[k], true), sizes[k]);
		ck_assert(!tlsd_distinct_approx(&d));
		ck_assert_uint_gt(b.used, 0);
		tlsd_distinct_free(&d, &b);
		ck_assert_uint_eq(b.used, 0);
	}
}
END_TEST

START_TEST(tc_lengths)
{
	/* The same bytes at another length are another value. */
	struct tlsd_distinct d = {0};
	struct tlsd_distinct_budget b = {0, BIG_BUDGET};
	const char s[] = "server.example.org";

	for (size_t len = 0; len <= sizeof(s) - 1; len++) {
		tlsd_distinct_add(&d, &b, tlsd_distinct_hash(s, len));
		tlsd_distinct_add(&d, &b, tlsd_distinct_hash(s, len));
	}
	ck_assert_uint_eq(tlsd_distinct_count(&d), sizeof(s));
	ck_assert(!tlsd_distinct_approx(&d));
	tlsd_distinct_free(&d, &b);
}
END_TEST

/* The fixed-size fingerprint is the general one of the same 32 bytes. */
START_TEST(tc_hash32)
{
	uint8_t b[32];
	uint64_t x = UINT64_C(0x9e3779b97f4a7c15);

	for (int round = 0; round < 1000; round++) {
		for (size_t i = 0; i < sizeof(b); i++) {
			x = x * UINT64_C(6364136223846793005) + 1442695040888963407u;
			b[i] = round % 3 == 0 && i % 5 ? 0 : (uint8_t)(x >> 56);
		}
		ck_assert_uint_eq(tlsd_distinct_hash32(b), tlsd_distinct_hash(b, sizeof(b)));
	}
}
END_TEST

/* Past the threshold: an estimate within 3% (3.7 standard errors). */
START_TEST(tc_estimate)
{
	static const uint32_t sizes[] = {TLSD_DISTINCT_EXACT_MAX + 1, 50000, 300000, 2000000};

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct tlsd_distinct d = {0};
		struct tlsd_distinct_budget b = {0, BIG_BUDGET};
		uint64_t est = count_range(&d, &b, sizes[k], sizes[k] < 100000);

		ck_assert(tlsd_distinct_approx(&d));
		ck_assert_msg(fabs((double)est - sizes[k]) <= 0.03 * sizes[k], "%u values: %llu",
			      sizes[k], (unsigned long long)est);
		/* Only the registers are left. */
		ck_assert_uint_eq(b.used, (size_t)1 << TLSD_DISTINCT_P);
		tlsd_distinct_free(&d, &b);
		ck_assert_uint_eq(b.used, 0);
	}
}
END_TEST

START_TEST(tc_budget)
{
	/* Room for small tables only: the estimate when the registers fit. */
	struct tlsd_distinct d = {0}, e = {0};
	struct tlsd_distinct_budget b = {0, 40000};
	uint64_t n;

	/* A table of 2048 fingerprints (16 KiB) fits, not one of 4096 with it. */
	n = count_range(&d, &b, 3000, false);
	ck_assert(tlsd_distinct_approx(&d));
	ck_assert(fabs((double)n - 3000) <= 90);
	ck_assert_uint_le(b.used, b.max);
	/* No room for a second set's registers: it stops, a lower bound. */
	n = count_range(&e, &b, 1000, true);
	ck_assert(tlsd_distinct_approx(&e));
	ck_assert_uint_ge(n, 8);
	ck_assert_uint_lt(n, 1000);
	ck_assert_uint_le(b.used, b.max);
	tlsd_distinct_free(&d, &b);
	tlsd_distinct_free(&e, &b);
	ck_assert_uint_eq(b.used, 0);
}
END_TEST

/* Prefetching is only a hint: safe on an empty set, an exact one and an
 * estimate, and it changes nothing. */
START_TEST(tc_prefetch)
{
	struct tlsd_distinct d = {0};
	struct tlsd_distinct_budget b = {0, BIG_BUDGET};

	tlsd_distinct_prefetch(&d, fp_u32(1)); /* no table yet */
	ck_assert_uint_eq(count_range(&d, &b, 100, false), 100);
	tlsd_distinct_prefetch(&d, fp_u32(7));
	ck_assert(!tlsd_distinct_approx(&d));
	ck_assert_uint_eq(count_range(&d, &b, 100, true), 100);
	count_range(&d, &b, TLSD_DISTINCT_EXACT_MAX + 10, false);
	ck_assert(tlsd_distinct_approx(&d));
	tlsd_distinct_prefetch(&d, fp_u32(7)); /* registers */
	tlsd_distinct_prefetch(&d, UINT64_MAX);
	tlsd_distinct_free(&d, &b);
	ck_assert_uint_eq(b.used, 0);
}
END_TEST

START_TEST(tc_no_budget)
{
	struct tlsd_distinct d = {0};
	struct tlsd_distinct_budget b = {0, 0};

	tlsd_distinct_add(&d, &b, fp_u32(1));
	ck_assert_uint_eq(tlsd_distinct_count(&d), 0);
	ck_assert(tlsd_distinct_approx(&d));
	tlsd_distinct_free(&d, &b);
}
END_TEST

Suite *distinct_suite(void);
Suite *distinct_suite(void)
{
	Suite *s = suite_create("distinct");
	TCase *tc = tcase_create("distinct");

	tcase_add_test(tc, tc_empty);
	tcase_add_test(tc, tc_exact);
	tcase_add_test(tc, tc_lengths);
	tcase_add_test(tc, tc_hash32);
	tcase_add_test(tc, tc_estimate);
	tcase_add_test(tc, tc_budget);
	tcase_add_test(tc, tc_no_budget);
	tcase_add_test(tc, tc_prefetch);
	suite_add_tcase(s, tc);
	return s;
}
