/* Unit tests for JA3/JA3S/JA4/JA4S against published values. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/fingerprint.h"
#include "tls_fixtures.h"

/* The two examples of the salesforce/ja3 README. */
START_TEST(tc_ja3_readme_examples)
{
	static const uint16_t suites1[] = {47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4};
	static const uint16_t suites2[] = {4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99};
	struct tlsd_client_hello ch = {.legacy_version = 769};
	char str[TLSD_JA3_STR_MAX], md5[TLSD_MD5_HEX_LEN];

	ch.n_suites = TLSD_ARRAY_SIZE(suites1);
	memcpy(ch.suites, suites1, sizeof(suites1));
	ch.n_exts = 3;
	ch.exts[0] = 0;
	ch.exts[1] = 10;
	ch.exts[2] = 11;
	ch.n_groups = 3;
	ch.groups[0] = 23;
	ch.groups[1] = 24;
	ch.groups[2] = 25;
	ch.n_point_formats = 1;
	ch.point_formats[0] = 0;
	ck_assert_int_eq(tlsd_fp_ja3(&ch, str, sizeof(str), md5), 0);
	ck_assert_str_eq(str, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0");
	ck_assert_str_eq(md5, "ada70206e40642a3e4461f35503241d5");

	/* GREASE is left out of every list. */
	ch.suites[ch.n_suites++] = 0x3a3a;
	ch.exts[ch.n_exts++] = 0xfafa;
	ck_assert_int_eq(tlsd_fp_ja3(&ch, str, sizeof(str), md5), 0);
	ck_assert_str_eq(md5, "ada70206e40642a3e4461f35503241d5");

	memset(&ch, 0, sizeof(ch));
	ch.legacy_version = 769;
	ch.n_suites = TLSD_ARRAY_SIZE(suites2);
	memcpy(ch.suites, suites2, sizeof(suites2));
	ck_assert_int_eq(tlsd_fp_ja3(&ch, str, sizeof(str), md5), 0);
	ck_assert_str_eq(str, "769,4-5-10-9-100-98-3-6-19-18-99,,,");
	ck_assert_str_eq(md5, "de350869b8c85de67a350c8d186f11e6");

	/* Too small an output: -ENOSPC, md5 untouched. */
	memset(md5, 'x', sizeof(md5));
	ck_assert_int_eq(tlsd_fp_ja3(&ch, str, 10, md5), -ENOSPC);
	ck_assert_int_eq(md5[0], 'x');
}
END_TEST

static void parse_ch_record(const char *hex, struct tlsd_client_hello *ch)
{
	size_t n;
	uint8_t *b = tlsd_fix_hex(hex, &n);

	ck_assert_int_eq(tlsd_parse_client_hello(b + 9, n - 9, ch, NULL), TLSD_PARSE_OK);
	free(b);
}

static void parse_sh_record(const char *hex, struct tlsd_server_hello *sh)
{
	size_t n;
	uint8_t *b = tlsd_fix_hex(hex, &n);

	ck_assert_int_eq(tlsd_parse_server_hello(b + 9, n - 9, sh, NULL), TLSD_PARSE_OK);
	free(b);
}

/* Expected values: FoxIO-LLC/ja4 rust/ja4/src/snapshots for the same pcaps. */
START_TEST(tc_ja4_published_captures)
{
	struct tlsd_client_hello ch;
	struct tlsd_server_hello sh;
	char ja4[TLSD_JA4_LEN], ja4s[TLSD_JA4S_LEN];

	parse_ch_record(TLSD_FIX_CHROME_CH_RECORD, &ch);
	ck_assert_int_eq(tlsd_fp_ja4(&ch, TLSD_JA4_TCP, ja4), 0);
	ck_assert_str_eq(ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
	parse_sh_record(TLSD_FIX_CHROME_SH_RECORD, &sh);
	ck_assert_int_eq(tlsd_fp_ja4s(&sh, TLSD_JA4_TCP, ja4s), 0);
	ck_assert_str_eq(ja4s, "t130200_1301_234ea6891581");

	parse_ch_record(TLSD_FIX_CURVE_CH_RECORD, &ch);
	ck_assert_int_eq(tlsd_fp_ja4(&ch, TLSD_JA4_TCP, ja4), 0);
	ck_assert_str_eq(ja4, "t13d1615h2_46e7e9700bed_45f260be83e2");
	parse_sh_record(TLSD_FIX_CURVE_SH_RECORD, &sh);
	ck_assert_int_eq(tlsd_fp_ja4s(&sh, TLSD_JA4_TCP, ja4s), 0);
	ck_assert_str_eq(ja4s, "t1205h1_c02b_845f7282a956");
}
END_TEST

/* JA4 spec corner cases: no SNI, no ALPN, no ciphers/extensions, ALPN with
 * non-alphanumeric ends. */
START_TEST(tc_ja4_corner_cases)
{
	struct tlsd_client_hello ch = {.legacy_version = 0x0301};
	char ja4[TLSD_JA4_LEN];
	static const uint8_t alpn_bin[] = {2, 0x30, 0xab};

	ck_assert_int_eq(tlsd_fp_ja4(&ch, TLSD_JA4_TCP, ja4), 0);
	ck_assert_str_eq(ja4, "t10i000000_000000000000_000000000000");
	memcpy(ch.alpn.data, alpn_bin, sizeof(alpn_bin));
	ch.alpn.used = sizeof(alpn_bin);
	ch.alpn.n = ch.alpn.total = 1;
	ck_assert_int_eq(tlsd_fp_ja4(&ch, TLSD_JA4_QUIC, ja4), 0);
	ck_assert_str_eq(ja4, "q10i00003b_000000000000_000000000000");
	ch.sslv2 = true;
	ck_assert_int_eq(tlsd_fp_ja4(&ch, TLSD_JA4_TCP, ja4), 0);
	ck_assert_mem_eq(ja4, "ts2", 3);
}
END_TEST

Suite *fingerprint_suite(void);
Suite *fingerprint_suite(void)
{
	Suite *s = suite_create("fingerprint");
	TCase *tc = tcase_create("published");

	tcase_add_test(tc, tc_ja3_readme_examples);
	tcase_add_test(tc, tc_ja4_published_captures);
	tcase_add_test(tc, tc_ja4_corner_cases);
	suite_add_tcase(s, tc);
	return s;
}
