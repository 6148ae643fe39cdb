/* Unit tests for the capped byte buffer. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "tlsd/buf.h"

START_TEST(tc_append_consume)
{
	struct tlsd_buf b;
	uint8_t chunk[100];

	memset(chunk, 0x5a, sizeof(chunk));
	tlsd_buf_init(&b, 1000);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(tlsd_buf_append(&b, chunk, sizeof(chunk)), 0);
	ck_assert_uint_eq(b.len, 1000);
	tlsd_buf_consume(&b, 10);
	ck_assert_uint_eq(b.len, 990);
	tlsd_buf_consume(&b, 5000);
	ck_assert_uint_eq(b.len, 0);
	tlsd_buf_shrink(&b);
	ck_assert_ptr_null(b.data);
	tlsd_buf_cleanup(&b);
}
END_TEST

/* A hostile length can never grow the buffer past its cap. */
START_TEST(tc_cap)
{
	struct tlsd_buf b;
	uint8_t chunk[64] = {0};

	tlsd_buf_init(&b, 100);
	ck_assert_int_eq(tlsd_buf_append(&b, chunk, 64), 0);
	ck_assert_int_eq(tlsd_buf_append(&b, chunk, 64), -ENOSPC);
	ck_assert_uint_eq(b.len, 64);
	ck_assert_int_eq(tlsd_buf_append(&b, chunk, 36), 0);
	ck_assert_uint_le(b.alloc, 100);
	ck_assert_int_eq(tlsd_buf_append(&b, chunk, SIZE_MAX), -ENOSPC);
	tlsd_buf_cleanup(&b);
	tlsd_buf_cleanup(NULL);
}
END_TEST

Suite *buf_suite(void);
Suite *buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("append_consume");

	tcase_add_test(tc, tc_append_consume);
	suite_add_tcase(s, tc);
	tc = tcase_create("cap");
	tcase_add_test(tc, tc_cap);
	suite_add_tcase(s, tc);
	return s;
}
