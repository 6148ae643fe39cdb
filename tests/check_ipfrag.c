/* Unit tests for IP fragment reassembly (the bitmap, totals, caps). */
#include <check.h>
#include <string.h>

#include "tlsd/ipfrag.h"

static struct tlsd_ctx ctx;
static struct tlsd_ipfrag *fr;
static uint8_t data[256];

static void setup(void)
{
	tlsd_ctx_init(&ctx);
	fr = tlsd_ipfrag_new(&ctx);
	ck_assert_ptr_nonnull(fr);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);
}

static void teardown(void)
{
	tlsd_ipfrag_free(fr, &ctx);
	ck_assert_uint_eq(ctx.ipfrag_mem_used, 0);
}

static const struct tlsd_ipfrag_key key1 = {.src = {{10, 0, 0, 1}}, .dst = {{10, 0, 0, 2}},
					     .id = 77, .proto = 6, .version = 4};

/* Adds data[off, off+len). */
static enum tlsd_ipfrag_result add(const struct tlsd_ipfrag_key *k, tlsd_time_ns ts, uint32_t off,
				   uint32_t len, bool more, struct tlsd_cur *out, uint8_t *next)
{
	struct tlsd_cur c;

	tlsd_cur_init(&c, data + off, len);
	return tlsd_ipfrag_add(fr, &ctx, k, ts, off, more, off == 0 ? 6 : 99, &c, out, next);
}

/* The last fragment first, with a length that is not a multiple of 8. */
START_TEST(tc_last_first_odd_length)
{
	struct tlsd_cur out = {0}, sentinel;
	uint8_t next = 0xee;

	sentinel = out;
	ck_assert_int_eq(add(&key1, 1, 16, 13, false, &out, &next), TLSD_IPFRAG_HELD);
	ck_assert_mem_eq(&out, &sentinel, sizeof(out));
	ck_assert_uint_eq(next, 0xee);
	ck_assert_int_eq(add(&key1, 2, 0, 16, true, &out, &next), TLSD_IPFRAG_DONE);
	ck_assert_uint_eq(tlsd_cur_len(&out), 29);
	ck_assert_mem_eq(tlsd_cur_data(&out), data, 29);
	ck_assert_uint_eq(next, 6); /* from the offset-0 fragment */
	ck_assert_uint_eq(tlsd_ipfrag_pending(fr), 0);
	ck_assert_uint_eq(ctx.ipfrag_mem_used, 0);
}
END_TEST

/* Keys differ by any field: separate datagrams. */
START_TEST(tc_keys_separate)
{
	struct tlsd_ipfrag_key k2 = key1, k3 = key1, k4 = key1;
	struct tlsd_cur out;
	uint8_t next;

	k2.id = 78;
	k3.proto = 17;
	k4.version = 6;
	ck_assert_int_eq(add(&key1, 1, 0, 8, true, &out, &next), TLSD_IPFRAG_HELD);
	ck_assert_int_eq(add(&k2, 1, 8, 8, false, &out, &next), TLSD_IPFRAG_HELD);
	ck_assert_int_eq(add(&k3, 1, 8, 8, false, &out, &next), TLSD_IPFRAG_HELD);
	ck_assert_int_eq(add(&k4, 1, 8, 8, false, &out, &next), TLSD_IPFRAG_HELD);
	ck_assert_uint_eq(tlsd_ipfrag_pending(fr), 4);
	ck_assert_int_eq(add(&key1, 1, 8, 8, false, &out, &next), TLSD_IPFRAG_DONE);
	ck_assert_uint_eq(tlsd_ipfrag_pending(fr), 3);
}
END_TEST

/* Inconsistent ends are invalid: a second last fragment with another end,
 * data beyond a known end, a last fragment ending before stored data. */
START_TEST(tc_inconsistent_end)
{
	struct tlsd_cur out;
	uint8_t next;

	ck_assert_int_eq(add(&key1, 1, 8, 8, false, &out, &next), TLSD_IPFRAG_HELD);
	ck_assert_int_eq(add(&key1, 1, 8, 16, false, &out, &next), TLSD_IPFRAG_DROPPED);
	ck_assert_int_eq(add(&key1, 1, 16, 8, true, &out, &next), TLSD_IPFRAG_DROPPED);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_BAD], 2);

	struct tlsd_ipfrag_key k2 = key1;

	k2.id = 1;
	ck_assert_int_eq(add(&k2, 1, 32, 8, true, &out, &next), TLSD_IPFRAG_HELD);
	ck_assert_int_eq(add(&k2, 1, 0, 16, false, &out, &next), TLSD_IPFRAG_DROPPED);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_BAD], 3);
}
END_TEST

/* Exact duplicates count as overlap and do not complete twice. */
START_TEST(tc_duplicate)
{
	struct tlsd_cur out;
	uint8_t next;

	ck_assert_int_eq(add(&key1, 1, 0, 8, true, &out, &next), TLSD_IPFRAG_HELD);
	ck_assert_int_eq(add(&key1, 1, 0, 8, true, &out, &next), TLSD_IPFRAG_HELD);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_OVERLAP], 1);
	ck_assert_int_eq(add(&key1, 1, 8, 3, false, &out, &next), TLSD_IPFRAG_DONE);
	ck_assert_uint_eq(tlsd_cur_len(&out), 11);
	ck_assert_int_eq(add(&key1, 1, 8, 3, false, &out, &next), TLSD_IPFRAG_HELD);
}
END_TEST

/* The largest legal datagram reassembles; one byte more is refused. */
START_TEST(tc_max_size)
{
	static uint8_t big[TLSD_IPFRAG_MAX_DATAGRAM];
	struct tlsd_cur c, out;
	uint8_t next;

	tlsd_cur_init(&c, big, 65528);
	ck_assert_int_eq(tlsd_ipfrag_add(fr, &ctx, &key1, 1, 0, true, 6, &c, &out, &next),
			 TLSD_IPFRAG_HELD);
	tlsd_cur_init(&c, big, 8);
	ck_assert_int_eq(tlsd_ipfrag_add(fr, &ctx, &key1, 1, 65528, false, 6, &c, &out, &next),
			 TLSD_IPFRAG_DROPPED);
	tlsd_cur_init(&c, big, 7);
	ck_assert_int_eq(tlsd_ipfrag_add(fr, &ctx, &key1, 1, 65528, false, 6, &c, &out, &next),
			 TLSD_IPFRAG_DONE);
	ck_assert_uint_eq(tlsd_cur_len(&out), TLSD_IPFRAG_MAX_DATAGRAM);
}
END_TEST

/* Memory cap: the oldest datagram is evicted to make room. */
START_TEST(tc_memcap_evicts_oldest)
{
	struct tlsd_ipfrag_key k2 = key1;
	struct tlsd_cur out;
	uint8_t next;
	size_t one;

	ck_assert_int_eq(add(&key1, 1, 0, 8, true, &out, &next), TLSD_IPFRAG_HELD);
	one = ctx.ipfrag_mem_used;
	ctx.lim.ipfrag_mem = one + one / 2;
	k2.id = 2;
	ck_assert_int_eq(add(&k2, 2, 0, 8, true, &out, &next), TLSD_IPFRAG_HELD);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_CAP], 1);
	ck_assert_uint_eq(tlsd_ipfrag_pending(fr), 1);
	ck_assert_uint_le(ctx.ipfrag_mem_used, ctx.lim.ipfrag_mem);
	ck_assert_int_eq(add(&k2, 2, 8, 8, false, &out, &next), TLSD_IPFRAG_DONE);
}
END_TEST

/* Expiry happens on the capture clock passed to add and expire. */
START_TEST(tc_expire_on_add)
{
	struct tlsd_ipfrag_key k2 = key1;
	struct tlsd_cur out;
	uint8_t next;

	k2.id = 2;
	ck_assert_int_eq(add(&key1, 0, 0, 8, true, &out, &next), TLSD_IPFRAG_HELD);
	ck_assert_int_eq(add(&k2, ctx.lim.ipfrag_timeout, 0, 8, true, &out, &next),
			 TLSD_IPFRAG_HELD);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_TIMEOUT], 1);
	ck_assert_uint_eq(tlsd_ipfrag_pending(fr), 1);
	ck_assert_int_eq(add(&key1, ctx.lim.ipfrag_timeout, 8, 8, false, &out, &next),
			 TLSD_IPFRAG_HELD); /* the first part is gone */
	tlsd_ipfrag_expire(fr, &ctx, 3 * ctx.lim.ipfrag_timeout);
	ck_assert_uint_eq(tlsd_ipfrag_pending(fr), 0);
	ck_assert_uint_eq(ctx.ipfrag_mem_used, 0);
}
END_TEST

Suite *ipfrag_suite(void);
Suite *ipfrag_suite(void)
{
	Suite *s = suite_create("ipfrag");
	struct {
		const char *name;
		const TTest *t;
	} cases[] = {
		{"tc_last_first_odd_length", tc_last_first_odd_length},
		{"tc_keys_separate", tc_keys_separate},
		{"tc_inconsistent_end", tc_inconsistent_end},
		{"tc_duplicate", tc_duplicate},
		{"tc_max_size", tc_max_size},
		{"tc_memcap_evicts_oldest", tc_memcap_evicts_oldest},
		{"tc_expire_on_add", tc_expire_on_add},
	};

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(cases); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_add_test(tc, cases[i].t);
		suite_add_tcase(s, tc);
	}
	return s;
}
