/* Free list of fixed-size objects: last in, first out; at most max_free
 * kept (the rest freed, which ASan/valgrind would flag if lost); objects
 * smaller than a pointer still hold the link; cleanup leaves it usable. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "tlsd/pool.h"

START_TEST(tc_lifo)
{
	struct tlsd_pool p;
	void *a, *b, *c;

	tlsd_pool_init(&p, 100, 8);
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
	/* Usable after cleanup. */
	a = tlsd_pool_get(&p);
	ck_assert_ptr_nonnull(a);
	tlsd_pool_put(&p, a);
	tlsd_pool_cleanup(&p);
}
END_TEST

START_TEST(tc_max_free)
{
	struct tlsd_pool p;
	void *v[10];

	tlsd_pool_init(&p, 64, 4);
	for (int i = 0; i < 10; i++) {
		v[i] = tlsd_pool_get(&p);
		ck_assert_ptr_nonnull(v[i]);
	}
	for (int i = 0; i < 10; i++)
		tlsd_pool_put(&p, v[i]);
	ck_assert_uint_eq(p.n_free, 4); /* six went back to free() */
	/* The four kept are the first four given back, last one first. */
	for (int i = 3; i >= 0; i--)
		ck_assert_ptr_eq(tlsd_pool_get(&p), v[i]);
	ck_assert_uint_eq(p.n_free, 0);
	for (int i = 0; i < 4; i++)
		tlsd_pool_put(&p, v[i]);
	tlsd_pool_cleanup(&p);
}
END_TEST

START_TEST(tc_none_kept)
{
	struct tlsd_pool p;
	void *a;

	tlsd_pool_init(&p, 32, 0);
	a = tlsd_pool_get(&p);
	ck_assert_ptr_nonnull(a);
	tlsd_pool_put(&p, a); /* straight to free() */
	ck_assert_uint_eq(p.n_free, 0);
	ck_assert_ptr_null(p.free);
	tlsd_pool_cleanup(&p);
}
END_TEST

START_TEST(tc_tiny_objects)
{
	struct tlsd_pool p;
	uint8_t *a, *b;

	/* Smaller than the link: rounded up, so the link fits. */
	tlsd_pool_init(&p, 1, 2);
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
	tcase_add_test(tc, tc_max_free);
	tcase_add_test(tc, tc_none_kept);
	tcase_add_test(tc, tc_tiny_objects);
	suite_add_tcase(s, tc);
	return s;
}
