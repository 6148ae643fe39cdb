/* Free list of fixed-size objects cut from slabs: last in, first out;
 * objects aligned to a cache line and never overlapping, across slabs;
 * objects smaller than a pointer still hold the link; cleanup frees every
 * slab (ASan/valgrind would flag a lost one) and leaves the pool usable. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/pool.h"

START_TEST(tc_lifo)
{
	struct tlsd_pool p;
	void *a, *b, *c;

	tlsd_pool_init(&p, 100);
	a = tlsd_pool_get(&p);
	b = tlsd_pool_get(&p);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	memset(a, 0xaa, 100);
	memset(b, 0xbb, 100);
	tlsd_pool_put(&p, a);
	tlsd_pool_put(&p, b);
	ck_assert_uint_eq(p.n_free, 2);
	/* The one given back last comes out first: still in the cache. */
	c = tlsd_pool_get(&p);
	ck_assert_ptr_eq(c, b);
	c = tlsd_pool_get(&p);
	ck_assert_ptr_eq(c, a);
	ck_assert_uint_eq(p.n_free, 0);
	/* Empty again: new memory. */
	c = tlsd_pool_get(&p);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_ne(c, a);
	ck_assert_ptr_ne(c, b);
	tlsd_pool_put(&p, a);
	tlsd_pool_put(&p, b);
	tlsd_pool_put(&p, c);
	tlsd_pool_put(&p, NULL); /* ignored */
	ck_assert_uint_eq(p.n_free, 3);
	tlsd_pool_cleanup(&p);
	ck_assert_uint_eq(p.n_free, 0);
	ck_assert_ptr_null(p.free);
	ck_assert_uint_eq(p.n_slabs, 0);
	/* Usable after cleanup. */
	a = tlsd_pool_get(&p);
	ck_assert_ptr_nonnull(a);
	tlsd_pool_put(&p, a);
	tlsd_pool_cleanup(&p);
}
END_TEST

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

/* Enough objects for several slabs, each written whole: aligned, never
 * overlapping, all given back kept, all freed by cleanup (also the ones
 * still out: cleanup frees every slab). */
START_TEST(tc_slabs)
{
	enum { SIZE = 4112 };
	struct tlsd_pool p;
	size_t n = 3 * (TLSD_POOL_SLAB / SIZE) + 7;
	void **v = calloc(n, sizeof(*v));

	ck_assert_ptr_nonnull(v);
	tlsd_pool_init(&p, SIZE);
	ck_assert_uint_eq(p.size % TLSD_POOL_ALIGN, 0);
	ck_assert_uint_ge(p.size, SIZE);
	for (size_t i = 0; i < n; i++) {
		v[i] = tlsd_pool_get(&p);
		ck_assert_ptr_nonnull(v[i]);
		ck_assert_uint_eq((uintptr_t)v[i] % TLSD_POOL_ALIGN, 0);
		memset(v[i], (int)(i & 0xff), SIZE);
	}
	ck_assert_uint_ge(p.n_slabs, 4);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *b = v[i];

		/* Nothing written after it overlapped it. */
		ck_assert_uint_eq(b[0], i & 0xff);
		ck_assert_uint_eq(b[SIZE - 1], i & 0xff);
	}
	qsort(v, n, sizeof(*v), cmp_ptr);
	for (size_t i = 1; i < n; i++)
		ck_assert_uint_ge((uintptr_t)v[i] - (uintptr_t)v[i - 1], SIZE);
	for (size_t i = 0; i < n / 2; i++)
		tlsd_pool_put(&p, v[i]);
	ck_assert_uint_eq(p.n_free, n / 2);
	/* What was given back is used before any new slab. */
	for (size_t i = 0; i < n / 2; i++)
		ck_assert_ptr_nonnull(tlsd_pool_get(&p));
	ck_assert_uint_eq(p.n_free, 0);
	tlsd_pool_cleanup(&p);
	free(v);
}
END_TEST

START_TEST(tc_too_large)
{
	struct tlsd_pool p;

	/* No slab holds it: NULL, not an overrun. */
	tlsd_pool_init(&p, TLSD_POOL_SLAB);
	ck_assert_ptr_null(tlsd_pool_get(&p));
	tlsd_pool_cleanup(&p);
}
END_TEST

START_TEST(tc_tiny_objects)
{
	struct tlsd_pool p;
	uint8_t *a, *b;

	/* Smaller than the link: rounded up, so the link fits. */
	tlsd_pool_init(&p, 1);
	ck_assert_uint_ge(p.size, sizeof(void *));
	a = tlsd_pool_get(&p);
	b = tlsd_pool_get(&p);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	*a = 1;
	*b = 2;
	tlsd_pool_put(&p, a);
	tlsd_pool_put(&p, b);
	ck_assert_ptr_eq(tlsd_pool_get(&p), b);
	ck_assert_ptr_eq(tlsd_pool_get(&p), a);
	tlsd_pool_put(&p, a);
	tlsd_pool_put(&p, b);
	tlsd_pool_cleanup(&p);
}
END_TEST

Suite *pool_suite(void);
Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("pool");

	tcase_add_test(tc, tc_lifo);
	tcase_add_test(tc, tc_slabs);
	tcase_add_test(tc, tc_too_large);
	tcase_add_test(tc, tc_tiny_objects);
	suite_add_tcase(s, tc);
	return s;
}
