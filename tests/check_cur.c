/* Unit tests for the bounds-checked cursor. */
#include <check.h>
#include <string.h>

#include "tlsd/cur.h"

static const uint8_t bytes[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};

/* A failed call must leave the cursor and the output untouched (libinput
 * sentinel idea: outputs preset to a value no read could produce). */
START_TEST(tc_get_fails_untouched)
{
	struct tlsd_cur c;
	uint32_t u32 = 0xdeadbeef;
	uint16_t u16 = 0xbeef;
	uint8_t u8 = 0xee;

	tlsd_cur_init(&c, bytes, 1);
	ck_assert(!tlsd_cur_get_u16(&c, &u16));
	ck_assert_uint_eq(u16, 0xbeef);
	ck_assert(!tlsd_cur_get_u24(&c, &u32));
	ck_assert(!tlsd_cur_get_u32(&c, &u32));
	ck_assert_uint_eq(u32, 0xdeadbeef);
	ck_assert_uint_eq(tlsd_cur_len(&c), 1);
	ck_assert(tlsd_cur_get_u8(&c, &u8));
	ck_assert_uint_eq(u8, 0x01);
	ck_assert(!tlsd_cur_get_u8(&c, &u8));
	ck_assert_uint_eq(u8, 0x01);
	ck_assert(!tlsd_cur_skip(&c, 1));
}
END_TEST

START_TEST(tc_get_big_endian)
{
	struct tlsd_cur c;
	uint16_t u16;
	uint32_t u24, u32;

	tlsd_cur_init(&c, bytes, sizeof(bytes));
	ck_assert(tlsd_cur_get_u16(&c, &u16));
	ck_assert_uint_eq(u16, 0x0102);
	ck_assert(tlsd_cur_get_u24(&c, &u24));
	ck_assert_uint_eq(u24, 0x030405);
	ck_assert(!tlsd_cur_get_u32(&c, &u32));
	ck_assert_uint_eq(tlsd_cur_len(&c), 2);
}
END_TEST

START_TEST(tc_get_little_endian)
{
	struct tlsd_cur c;
	uint16_t u16;
	uint32_t u32;

	tlsd_cur_init(&c, bytes, sizeof(bytes));
	ck_assert(tlsd_cur_get_u16le(&c, &u16));
	ck_assert_uint_eq(u16, 0x0201);
	ck_assert(tlsd_cur_get_u32le(&c, &u32));
	ck_assert_uint_eq(u32, 0x06050403);
	ck_assert(!tlsd_cur_get_u16le(&c, &u16));
	ck_assert_uint_eq(u16, 0x0201);
}
END_TEST

/* opaque<0..2^16-1>: {00 02 aa bb} cc */
static const uint8_t vec16[] = {0x00, 0x02, 0xaa, 0xbb, 0xcc};

START_TEST(tc_get_prefixed)
{
	struct tlsd_cur c, sub;
	uint8_t b;

	tlsd_cur_init(&c, vec16, sizeof(vec16));
	ck_assert(tlsd_cur_get_u16_prefixed(&c, &sub));
	ck_assert_uint_eq(tlsd_cur_len(&sub), 2);
	ck_assert(tlsd_cur_get_u8(&sub, &b));
	ck_assert_uint_eq(b, 0xaa);
	ck_assert_uint_eq(tlsd_cur_len(&c), 1);
}
END_TEST

/* Every truncation of the vector fails without moving anything. */
START_TEST(tc_get_prefixed_bad)
{
	struct tlsd_cur c, sub, sentinel;

	for (size_t n = 0; n < 4; n++) {
		tlsd_cur_init(&c, vec16, n);
		tlsd_cur_init(&sentinel, bytes, 3);
		sub = sentinel;
		ck_assert(!tlsd_cur_get_u16_prefixed(&c, &sub));
		ck_assert_uint_eq(tlsd_cur_len(&c), n);
		ck_assert_ptr_eq(tlsd_cur_data(&sub), tlsd_cur_data(&sentinel));
		ck_assert_uint_eq(tlsd_cur_len(&sub), 3);
	}
	/* u24 length claiming more than present */
	static const uint8_t long24[] = {0x00, 0x00, 0x05, 0x01};
	tlsd_cur_init(&c, long24, sizeof(long24));
	ck_assert(!tlsd_cur_get_u24_prefixed(&c, &sub));
	ck_assert_uint_eq(tlsd_cur_len(&c), sizeof(long24));
	/* u8 prefix of zero is a valid empty vector */
	static const uint8_t empty8[] = {0x00};
	tlsd_cur_init(&c, empty8, 1);
	ck_assert(tlsd_cur_get_u8_prefixed(&c, &sub));
	ck_assert_uint_eq(tlsd_cur_len(&sub), 0);
	ck_assert_uint_eq(tlsd_cur_len(&c), 0);
}
END_TEST

START_TEST(tc_bytes_copy_peek)
{
	struct tlsd_cur c, sub;
	/* Room for the refused 5-byte copy: the test is that the cursor refuses
	 * it (4 bytes left), not that dst would overflow. */
	uint8_t dst[8] = {0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee}, b = 0;
	uint16_t u16;

	tlsd_cur_init(&c, bytes, sizeof(bytes));
	ck_assert(tlsd_cur_peek_u8(&c, &b));
	ck_assert_uint_eq(b, 1);
	ck_assert(tlsd_cur_peek_u16(&c, &u16));
	ck_assert_uint_eq(u16, 0x0102);
	ck_assert(tlsd_cur_peek_at(&c, 6, &b));
	ck_assert_uint_eq(b, 7);
	ck_assert(!tlsd_cur_peek_at(&c, 7, &b));
	ck_assert_uint_eq(tlsd_cur_len(&c), 7);
	ck_assert(tlsd_cur_get_bytes(&c, &sub, 3));
	ck_assert_uint_eq(tlsd_cur_len(&sub), 3);
	ck_assert(!tlsd_cur_copy(&c, dst, 5));
	ck_assert_uint_eq(dst[0], 0xee);
	ck_assert_uint_eq(tlsd_cur_len(&c), 4);
	ck_assert(tlsd_cur_copy(&c, dst, 4));
	ck_assert_uint_eq(dst[3], 7);
	ck_assert_uint_eq(tlsd_cur_len(&c), 0);
	ck_assert(!tlsd_cur_get_bytes(&c, &sub, 1));
	ck_assert_uint_eq(tlsd_cur_len(&sub), 3);
	/* a NULL view is an empty cursor */
	tlsd_cur_init(&c, NULL, 10);
	ck_assert_uint_eq(tlsd_cur_len(&c), 0);
}
END_TEST

/* Every fixed-size read at every length from 0 to its size, at an aligned
 * and an unaligned start: short, it fails and moves neither the cursor
 * nor the output (sentinel); long enough, it reads the bytes big-endian
 * (or little-endian) and consumes exactly its size. The loads are one
 * memcpy and a byte swap each, so the byte order is what is tested. */
static const uint8_t seq9[] = {0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8, 0x09};

enum rd { RD_U8, RD_U16, RD_U24, RD_U32, RD_U16LE, RD_U32LE, RD_BYTES4, RD_COPY4, RD__N };

static const struct {
	size_t size;
	uint32_t at0, at1; /* value read from seq9 at offsets 0 and 1 */
} rds[RD__N] = {
	[RD_U8] = {1, 0x81, 0x92},
	[RD_U16] = {2, 0x8192, 0x92a3},
	[RD_U24] = {3, 0x8192a3, 0x92a3b4},
	[RD_U32] = {4, 0x8192a3b4, 0x92a3b4c5},
	[RD_U16LE] = {2, 0x9281, 0xa392},
	[RD_U32LE] = {4, 0xb4a39281, 0xc5b4a392},
	[RD_BYTES4] = {4, 0, 0},
	[RD_COPY4] = {4, 0, 0},
};

#define SENTINEL32 0x5a5a5a5au

/* Runs reader r; *v gets the value read (SENTINEL32 when untouched). */
static bool run_rd(enum rd r, struct tlsd_cur *c, uint32_t *v, struct tlsd_cur *sub,
		   uint8_t dst[4])
{
	uint8_t u8 = 0x5a;
	uint16_t u16 = 0x5a5a;
	bool ok;

	*v = SENTINEL32;
	switch (r) {
	case RD_U8:
		ok = tlsd_cur_get_u8(c, &u8);
		*v = u8 == 0x5a && !ok ? SENTINEL32 : u8;
		return ok;
	case RD_U16:
	case RD_U16LE:
		ok = r == RD_U16 ? tlsd_cur_get_u16(c, &u16) : tlsd_cur_get_u16le(c, &u16);
		*v = u16 == 0x5a5a && !ok ? SENTINEL32 : u16;
		return ok;
	case RD_U24:
		return tlsd_cur_get_u24(c, v);
	case RD_U32:
		return tlsd_cur_get_u32(c, v);
	case RD_U32LE:
		return tlsd_cur_get_u32le(c, v);
	case RD_BYTES4:
		return tlsd_cur_get_bytes(c, sub, 4);
	case RD_COPY4:
	default:
		return tlsd_cur_copy(c, dst, 4);
	}
}

START_TEST(tc_fixed_reads_every_length)
{
	const enum rd r = (enum rd)_i;
	const size_t size = rds[r].size;

	for (size_t start = 0; start < 2; start++) {
		for (size_t len = 0; len <= size; len++) {
			struct tlsd_cur c, sentinel, sub;
			uint8_t dst[4] = {0xee, 0xee, 0xee, 0xee};
			uint32_t v;
			bool ok;

			tlsd_cur_init(&c, seq9 + start, len);
			tlsd_cur_init(&sentinel, bytes, 3);
			sub = sentinel;
			ok = run_rd(r, &c, &v, &sub, dst);
			if (len < size) {
				ck_assert_msg(!ok, "reader %d read %zu of %zu bytes", (int)r, len, size);
				ck_assert_uint_eq(tlsd_cur_len(&c), len);
				ck_assert_ptr_eq(tlsd_cur_data(&c), len ? seq9 + start : NULL);
				ck_assert_uint_eq(v, SENTINEL32);
				ck_assert_ptr_eq(tlsd_cur_data(&sub), tlsd_cur_data(&sentinel));
				ck_assert_uint_eq(tlsd_cur_len(&sub), 3);
				ck_assert_uint_eq(dst[0], 0xee);
				continue;
			}
			ck_assert_msg(ok, "reader %d failed on %zu bytes", (int)r, len);
			ck_assert_uint_eq(tlsd_cur_len(&c), 0);
			if (r == RD_BYTES4) {
				ck_assert_ptr_eq(tlsd_cur_data(&sub), seq9 + start);
				ck_assert_uint_eq(tlsd_cur_len(&sub), 4);
			} else if (r == RD_COPY4) {
				ck_assert_mem_eq(dst, seq9 + start, 4);
			} else {
				ck_assert_uint_eq(v, start ? rds[r].at1 : rds[r].at0);
			}
		}
	}
}
END_TEST

/* A sub-cursor of 0 bytes is the empty view tlsd_cur_init() makes (NULL
 * data), whether split off or a vector of length 0. */
START_TEST(tc_empty_sub_cursor)
{
	static const uint8_t empty16[] = {0x00, 0x00, 0x01};
	struct tlsd_cur c, sub;

	tlsd_cur_init(&c, bytes, sizeof(bytes));
	ck_assert(tlsd_cur_get_bytes(&c, &sub, 0));
	ck_assert_ptr_null(tlsd_cur_data(&sub));
	ck_assert_uint_eq(tlsd_cur_len(&sub), 0);
	ck_assert_uint_eq(tlsd_cur_len(&c), sizeof(bytes));
	tlsd_cur_init(&c, empty16, sizeof(empty16));
	ck_assert(tlsd_cur_get_u16_prefixed(&c, &sub));
	ck_assert_ptr_null(tlsd_cur_data(&sub));
	ck_assert_uint_eq(tlsd_cur_len(&sub), 0);
	ck_assert_uint_eq(tlsd_cur_len(&c), 1);
	tlsd_cur_init(&c, NULL, 0);
	ck_assert(tlsd_cur_get_bytes(&c, &sub, 0));
	ck_assert_ptr_null(tlsd_cur_data(&sub));
	ck_assert(!tlsd_cur_get_bytes(&c, &sub, 1));
}
END_TEST

Suite *cur_suite(void);
Suite *cur_suite(void)
{
	Suite *s = suite_create("cur");
	TCase *tc;

	tc = tcase_create("get_fails_untouched");
	tcase_add_test(tc, tc_get_fails_untouched);
	suite_add_tcase(s, tc);
	tc = tcase_create("get_big_endian");
	tcase_add_test(tc, tc_get_big_endian);
	tcase_add_test(tc, tc_get_little_endian);
	suite_add_tcase(s, tc);
	tc = tcase_create("get_prefixed");
	tcase_add_test(tc, tc_get_prefixed);
	tcase_add_test(tc, tc_get_prefixed_bad);
	suite_add_tcase(s, tc);
	tc = tcase_create("bytes_copy_peek");
	tcase_add_test(tc, tc_bytes_copy_peek);
	tcase_add_test(tc, tc_empty_sub_cursor);
	suite_add_tcase(s, tc);
	tc = tcase_create("fixed_reads_every_length");
	tcase_add_loop_test(tc, tc_fixed_reads_every_length, 0, RD__N);
	suite_add_tcase(s, tc);
	return s;
}
