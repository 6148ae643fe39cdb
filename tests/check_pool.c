/* Object pool: objects are distinct, aligned and writable over their whole
 * size; a returned object is handed out again before the pool grows; the
 * pool grows a chunk at a time as more are out at once. */
#include <check.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tlsd/pool.h"

START_TEST(tc_distinct_aligned)
{
	struct tlsd_pool p;
	unsigned char *v[100];

	tlsd_pool_init(&p, 37, 8);
	for (size_t i = 0; i < 100; i++) {
		v[i] = tlsd_pool_get(&p);
		ck_assert_ptr_nonnull(v[i]);
		ck_assert_uint_eq((uintptr_t)v[i] % alignof(max_align_t), 0);
		memset(v[i], (int)i, 37);
	}
	/* 100 objects need 13 chunks of 8. */
	ck_assert_uint_eq(p.n_objects, 104);
	ck_assert_uint_eq(p.n_free, 4);
	for (size_t i = 0; i < 100; i++)
		for (size_t k = 0; k < 37; k++)
			ck_assert_uint_eq(v[i][k], (unsigned char)i);
	tlsd_pool_cleanup(&p);
	ck_assert_uint_eq(p.n_objects, 0);
}
END_TEST

START_TEST(tc_reuse)
{
	struct tlsd_pool p;
	void *a, *b, *c;

	tlsd_pool_init(&p, 5000, 4);
	a = tlsd_pool_get(&p);
	b = tlsd_pool_get(&p);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	tlsd_pool_put(&p, a);
	tlsd_pool_put(&p, NULL); /* ignored */
	c = tlsd_pool_get(&p);
	ck_assert_ptr_eq(c, a); /* the last one returned comes first */
	/* Get and put one at a time: the pool does not grow. */
	for (int i = 0; i < 1000; i++) {
		void *o = tlsd_pool_get(&p);

		ck_assert_ptr_nonnull(o);
		tlsd_pool_put(&p, o);
	}
	ck_assert_uint_eq(p.n_objects, 4);
	tlsd_pool_put(&p, b);
	tlsd_pool_put(&p, c);
	ck_assert_uint_eq(p.n_free, 4);
	tlsd_pool_cleanup(&p);
}
END_TEST

START_TEST(tc_zero_sizes)
{
	/* Size 0 and 0 per chunk are taken as 1. */
	struct tlsd_pool p;
	void *a, *b;

	tlsd_pool_init(&p, 0, 0);
	a = tlsd_pool_get(&p);
	b = tlsd_pool_get(&p);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	ck_assert_uint_eq(p.n_objects, 2);
	tlsd_pool_cleanup(&p);
}
END_TEST

Suite *pool_suite(void);
Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("pool");

	tcase_add_test(tc, tc_distinct_aligned);
	tcase_add_test(tc, tc_reuse);
	tcase_add_test(tc, tc_zero_sizes);
	suite_add_tcase(s, tc);
	return s;
}
