/* Unit tests for the output buffer: every byte reaches the FILE in order
 * across refills, and the number and time formatters agree with printf,
 * gmtime_r and strftime (the independent truth) byte for byte. */
#include <check.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tlsd/obuf.h"

struct sink {
	char *buf;
	size_t len;
	FILE *f;
	struct tlsd_obuf ob;
};

static void sink_open(struct sink *s)
{
	s->buf = NULL;
	s->len = 0;
	s->f = open_memstream(&s->buf, &s->len);
	ck_assert_ptr_nonnull(s->f);
	tlsd_obuf_init(&s->ob, s->f);
}

/* Flushes and closes; s->buf holds everything, NUL-terminated. */
static void sink_close(struct sink *s)
{
	tlsd_obuf_flush(&s->ob);
	ck_assert_int_eq(fclose(s->f), 0);
}

/* A deterministic generator (xorshift64*), so failures reproduce. */
static uint64_t rnd(uint64_t *st)
{
	*st ^= *st >> 12;
	*st ^= *st << 25;
	*st ^= *st >> 27;
	return *st * UINT64_C(2685821657736338717);
}

START_TEST(tc_order_across_refills)
{
	static struct sink s;
	char *want = malloc(5 * TLSD_OBUF_SIZE);
	size_t n = 0;
	uint64_t st = 7;

	ck_assert_ptr_nonnull(want);
	sink_open(&s);
	/* Pieces of every size, from one byte to more than the whole buffer. */
	while (n < 4 * TLSD_OBUF_SIZE) {
		size_t k = (size_t)(rnd(&st) % 64), i;
		char piece[TLSD_OBUF_SIZE + 100];

		if (rnd(&st) % 50 == 0)
			k = TLSD_OBUF_SIZE - 1 + (size_t)(rnd(&st) % 90);
		for (i = 0; i < k; i++)
			piece[i] = (char)('a' + (n + i) % 26);
		if (k == 1) {
			tlsd_obuf_putc(&s.ob, piece[0]);
		} else {
			tlsd_obuf_write(&s.ob, piece, k);
		}
		memcpy(want + n, piece, k);
		n += k;
	}
	sink_close(&s);
	ck_assert_uint_eq(s.len, n);
	ck_assert_int_eq(memcmp(s.buf, want, n), 0);
	free(s.buf);
	free(want);
}
END_TEST

START_TEST(tc_putc_at_full)
{
	static struct sink s;
	size_t i;

	sink_open(&s);
	for (i = 0; i < 3 * TLSD_OBUF_SIZE + 5; i++)
		tlsd_obuf_putc(&s.ob, (char)('0' + i % 10));
	sink_close(&s);
	ck_assert_uint_eq(s.len, 3 * TLSD_OBUF_SIZE + 5);
	for (i = 0; i < s.len; i++)
		ck_assert_int_eq(s.buf[i], '0' + (int)(i % 10));
	free(s.buf);
}
END_TEST

START_TEST(tc_printf_large)
{
	static struct sink s;
	size_t big = 2 * TLSD_OBUF_SIZE + 3;
	char *arg = malloc(big + 1);
	char want[64];

	ck_assert_ptr_nonnull(arg);
	memset(arg, 'x', big);
	arg[big] = 0;
	sink_open(&s);
	tlsd_obuf_puts(&s.ob, "head");
	tlsd_obuf_printf(&s.ob, "<%s>", arg);                      /* larger than the buffer */
	memset(arg, 'y', TLSD_OBUF_SIZE - 10);
	arg[TLSD_OBUF_SIZE - 10] = 0;
	tlsd_obuf_printf(&s.ob, "[%s]", arg);                      /* fits after a flush */
	tlsd_obuf_printf(&s.ob, "%05d|%-3s|%.2f", 42, "a", 1.005); /* ordinary */
	sink_close(&s);
	snprintf(want, sizeof(want), "%05d|%-3s|%.2f", 42, "a", 1.005);
	ck_assert_uint_eq(s.len, 4 + big + 2 + TLSD_OBUF_SIZE - 10 + 2 + strlen(want));
	ck_assert_int_eq(memcmp(s.buf, "head<xxx", 8), 0);
	ck_assert_int_eq(s.buf[4 + big + 1], '>');
	ck_assert_int_eq(s.buf[4 + big + 2], '[');
	ck_assert_int_eq(s.buf[4 + big + 3], 'y');
	ck_assert_str_eq(s.buf + s.len - strlen(want), want);
	free(s.buf);
	free(arg);
}
END_TEST

/* Renders with f and returns what it wrote (static storage). */
static const char *render(void (*f)(struct tlsd_obuf *, uint64_t, unsigned), uint64_t v,
			  unsigned w)
{
	static struct sink s;
	static char out[128];

	sink_open(&s);
	f(&s.ob, v, w);
	sink_close(&s);
	ck_assert_uint_lt(s.len, sizeof(out));
	memcpy(out, s.buf, s.len + 1);
	free(s.buf);
	return out;
}

static void put_u64(struct tlsd_obuf *b, uint64_t v, unsigned w)
{
	tlsd_obuf_u64(b, v);
}

static void put_i64(struct tlsd_obuf *b, uint64_t v, unsigned w)
{
	tlsd_obuf_i64(b, (int64_t)v);
}

static void put_hex(struct tlsd_obuf *b, uint64_t v, unsigned w)
{
	tlsd_obuf_hex(b, v, w);
}

static void put_sec(struct tlsd_obuf *b, uint64_t v, unsigned w)
{
	tlsd_obuf_seconds6(b, (int64_t)v);
}

static const uint64_t edge[] = {
	0, 1, 9, 10, 99, 100, 499, 500, 501, 999, 1000, 999499, 999500, 999501,
	999999499, 999999500, 999999501, 1000000000, 1500, 2500, 1000000500, 12345678901,
	INT64_C(999999999999499), INT64_C(999999999999500), INT64_C(999999999999501),
	INT64_C(999999999999999), INT64_C(1000000000000000), INT64_C(9007199254740993),
	INT64_MAX, (uint64_t)INT64_MAX + 1, UINT64_MAX, UINT64_MAX - 1, (uint64_t)-1000,
};

START_TEST(tc_numbers_as_printf)
{
	uint64_t st = 99;
	char want[64];

	char got[20];

	/* Every number below 10^5, then the edges and random ones of every size. */
	for (uint64_t v = 0; v < 100000; v++) {
		size_t n = tlsd_fmt_u64(got, v);

		snprintf(want, sizeof(want), "%" PRIu64, v);
		ck_assert_uint_eq(n, strlen(want));
		ck_assert_mem_eq(got, want, n);
	}
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(edge) + 5000; i++) {
		uint64_t v = i < TLSD_ARRAY_SIZE(edge) ? edge[i] : rnd(&st) >> (rnd(&st) % 64);

		snprintf(want, sizeof(want), "%" PRIu64, v);
		ck_assert_str_eq(render(put_u64, v, 0), want);
		snprintf(want, sizeof(want), "%" PRId64, (int64_t)v);
		ck_assert_str_eq(render(put_i64, v, 0), want);
		snprintf(want, sizeof(want), "0x%04" PRIx64, v);
		ck_assert_str_eq(render(put_hex, v, 4), want);
		snprintf(want, sizeof(want), "0x%08" PRIx64, v);
		ck_assert_str_eq(render(put_hex, v, 8), want);
	}
}
END_TEST

/* The microseconds printf's "%.6f" shows: its digits without the point. */
static int64_t printed_us(const char *printed)
{
	int64_t us = 0;

	for (const char *c = printed; *c; c++)
		if (*c >= '0' && *c <= '9')
			us = us * 10 + (*c - '0');
	return us;
}

START_TEST(tc_seconds_as_printf)
{
	uint64_t st = 1234;
	char want[64];

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(edge) + 30000; i++) {
		int64_t ns;

		if (i < TLSD_ARRAY_SIZE(edge))
			ns = (int64_t)edge[i];
		else if (i % 3 == 0) /* near a rounding boundary */
			ns = (int64_t)(rnd(&st) % INT64_C(2000000000000000)) / 1000 * 1000 + 499 +
			     (int64_t)(rnd(&st) % 3);
		else
			ns = (int64_t)(rnd(&st) >> (rnd(&st) % 64));
		if (ns < 0) /* INT64_MIN has no negation */
			ns = ns == INT64_MIN ? INT64_MAX : -ns;
		snprintf(want, sizeof(want), "%.6f", (double)ns / 1e9);
		ck_assert_msg(strcmp(render(put_sec, (uint64_t)ns, 0), want) == 0,
			      "%" PRId64 ": %s, printf %s", ns, render(put_sec, (uint64_t)ns, 0), want);
		ck_assert_int_eq(tlsd_obuf_us6(ns), printed_us(want)); /* "duration_us" */
	}
	/* negative: printf's answer too */
	snprintf(want, sizeof(want), "%.6f", -1500.0 / 1e9);
	ck_assert_str_eq(render(put_sec, (uint64_t)INT64_C(-1500), 0), want);
}
END_TEST

static void utc_want(int64_t sec, char out[20])
{
	time_t t = (time_t)sec;
	struct tm tm;

	ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
	ck_assert_uint_eq(strftime(out, 20, "%Y-%m-%dT%H:%M:%S", &tm), 19);
}

START_TEST(tc_utc_as_strftime)
{
	static const int64_t days[] = {
		0, 58, 59, 60, 365, 789, 790, 10956, 11016, 11017, 11322, 47540, 47541,
		47598, 47599, 47600, 2932896, 2932895, 2932894,
	};
	uint64_t st = 5;
	char got[20], want[20];

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(days) * 3 + 100000; i++) {
		int64_t sec;

		if (i < TLSD_ARRAY_SIZE(days) * 3)
			sec = days[i / 3] * 86400 + (int64_t)(i % 3) * 43199;
		else if (i % 2)
			sec = (int64_t)(rnd(&st) % UINT64_C(253402300800));
		else /* this century, where captures are */
			sec = INT64_C(946684800) + (int64_t)(rnd(&st) % UINT64_C(3155760000));
		utc_want(sec, want);
		ck_assert(tlsd_fmt_utc_second(got, sec));
		got[19] = 0;
		ck_assert_msg(strcmp(got, want) == 0, "%" PRId64 ": %s, strftime %s", sec, got, want);
	}
	ck_assert(tlsd_fmt_utc_second(got, INT64_C(253402300799)));
	got[19] = 0;
	ck_assert_str_eq(got, "9999-12-31T23:59:59");
	ck_assert(!tlsd_fmt_utc_second(got, -1));
	ck_assert(!tlsd_fmt_utc_second(got, INT64_C(253402300800)));
	ck_assert(!tlsd_fmt_utc_second(got, INT64_MAX));
	ck_assert(!tlsd_fmt_utc_second(got, INT64_MIN));
}
END_TEST

Suite *obuf_suite(void);
Suite *obuf_suite(void)
{
	Suite *s = suite_create("obuf");
	TCase *tc = tcase_create("obuf");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, tc_order_across_refills);
	tcase_add_test(tc, tc_putc_at_full);
	tcase_add_test(tc, tc_printf_large);
	tcase_add_test(tc, tc_numbers_as_printf);
	tcase_add_test(tc, tc_seconds_as_printf);
	tcase_add_test(tc, tc_utc_as_strftime);
	suite_add_tcase(s, tc);
	return s;
}
