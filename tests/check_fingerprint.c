/* Unit tests for JA3/JA3S/JA4/JA4S against published values. */
#include <check.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
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

/* Lower-case hex of digest md over s, first hex_chars digits. */
static void ref_digest(const char *md, const char *s, size_t len, char *hex, size_t hex_chars)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_MD *m = EVP_MD_fetch(NULL, md, NULL);

	ck_assert_ptr_nonnull(m);
	ck_assert(EVP_Digest(s, len, d, &dlen, m, NULL));
	EVP_MD_free(m);
	for (size_t i = 0; i < hex_chars; i++)
		hex[i] = "0123456789abcdef"[(d[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	hex[hex_chars] = 0;
}

/* Deterministic pseudo-random numbers (xorshift), so failures repeat. */
static uint32_t rnd(uint32_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 17;
	*st ^= *st << 5;
	return *st;
}

/* A hello with k-dependent lists; long ones (over a few hundred characters
 * of JA3) now and then. GREASE values are mixed in. */
static void random_hello(uint32_t k, struct tlsd_client_hello *ch)
{
	uint32_t st = k * 2654435761u + 1;

	memset(ch, 0, sizeof(*ch));
	ch->legacy_version = (uint16_t)(0x0300 + rnd(&st) % 4);
	ch->n_suites = (uint16_t)(k % 7 == 0 ? TLSD_MAX_SUITES : 1 + rnd(&st) % 40);
	for (size_t i = 0; i < ch->n_suites; i++)
		ch->suites[i] = (uint16_t)(i % 9 == 3 ? 0x2a2a : rnd(&st));
	ch->n_exts = (uint16_t)(rnd(&st) % 20);
	for (size_t i = 0; i < ch->n_exts; i++)
		ch->exts[i] = (uint16_t)(rnd(&st) % 4 == 0 ? rnd(&st) % 60 : rnd(&st));
	ch->n_groups = (uint16_t)(rnd(&st) % 8);
	for (size_t i = 0; i < ch->n_groups; i++)
		ch->groups[i] = (uint16_t)(rnd(&st) % 300);
	ch->n_point_formats = (uint8_t)(rnd(&st) % 3);
	for (size_t i = 0; i < ch->n_point_formats; i++)
		ch->point_formats[i] = (uint8_t)i;
	ch->n_sigalgs = (uint16_t)(rnd(&st) % 12);
	for (size_t i = 0; i < ch->n_sigalgs; i++)
		ch->sigalgs[i] = (uint16_t)rnd(&st);
	ch->has_sni = rnd(&st) % 2;
	ch->has_supported_versions = rnd(&st) % 2;
	ch->n_versions = (uint8_t)(ch->has_supported_versions ? rnd(&st) % 4 : 0);
	for (size_t i = 0; i < ch->n_versions; i++)
		ch->versions[i] = (uint16_t)(i == 0 && k % 4 == 0 ? 0x4a4a : 0x0301 + rnd(&st) % 4);
}

/* Fingerprints of one hello, computed on a thread of its own: a fresh
 * memo, so every answer is computed, none looked up. */
struct fresh {
	const struct tlsd_client_hello *ch;
	char str[TLSD_JA3_STR_MAX], md5[TLSD_MD5_HEX_LEN], ja4[TLSD_JA4_LEN];
	int rc;
};

static void *fresh_run(void *arg)
{
	struct fresh *f = arg;

	f->rc = tlsd_fp_ja3(f->ch, f->str, sizeof(f->str), f->md5) |
		tlsd_fp_ja4(f->ch, TLSD_JA4_TCP, f->ja4);
	return NULL;
}

static void fresh_fingerprints(const struct tlsd_client_hello *ch, struct fresh *f)
{
	pthread_t t;

	f->ch = ch;
	ck_assert_int_eq(pthread_create(&t, NULL, fresh_run, f), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(f->rc, 0);
}

/* Comma-joined 4-digit hex of the non-GREASE values (sorted if asked),
 * SNI and ALPN left out of extensions when asked: JA4's hashed lists, by
 * the spec and independently of src/fingerprint.c. */
static size_t ref_ja4_list(const uint16_t *v, size_t n, bool sorted, bool drop, char *out)
{
	uint16_t tmp[TLSD_MAX_SUITES];
	size_t k = 0, len = 0;

	for (size_t i = 0; i < n; i++)
		if (!tlsd_is_grease(v[i]) && !(drop && (v[i] == 0 || v[i] == 16)))
			tmp[k++] = v[i];
	for (size_t i = 0; sorted && i < k; i++)
		for (size_t j = i + 1; j < k; j++)
			if (tmp[j] < tmp[i]) {
				uint16_t t = tmp[i];

				tmp[i] = tmp[j];
				tmp[j] = t;
			}
	for (size_t i = 0; i < k; i++)
		len += (size_t)sprintf(out + len, i ? ",%04x" : "%04x", tmp[i]);
	return len;
}

/* The JA3 MD5 and JA4's two SHA-256 parts equal libcrypto's digests of the
 * strings, and every fingerprint equals one computed on a fresh thread,
 * over many hellos revisited in several orders: the per-thread memo of
 * recent hellos and digests (hits, evictions, inputs too long to keep)
 * never answers for another input. */
START_TEST(tc_digests_match_libcrypto)
{
	static const uint32_t order[][3] = {{1, 0, 300}, {7, 5, 300}, {1, 0, 300}, {13, 2, 300}};
	char str[TLSD_JA3_STR_MAX], md5[TLSD_MD5_HEX_LEN], want[TLSD_MD5_HEX_LEN];
	char ja4[TLSD_JA4_LEN], ja4q[TLSD_JA4_LEN], raw[2048];
	struct tlsd_client_hello ch;
	static struct fresh f;
	size_t n;

	for (size_t o = 0; o < TLSD_ARRAY_SIZE(order); o++) {
		for (uint32_t i = 0; i < order[o][2]; i++) {
			uint32_t k = (i * order[o][0] + order[o][1]) % order[o][2];

			/* Every third hello is one of a few, as in real captures. */
			random_hello(k % 3 == 0 ? k % 5 : k, &ch);
			ck_assert_int_eq(tlsd_fp_ja3(&ch, str, sizeof(str), md5), 0);
			ref_digest("MD5", str, strlen(str), want, 32);
			ck_assert_str_eq(md5, want);

			ck_assert_int_eq(tlsd_fp_ja4(&ch, TLSD_JA4_TCP, ja4), 0);
			ck_assert_uint_eq(strlen(ja4), TLSD_JA4_LEN - 1);
			n = ref_ja4_list(ch.suites, ch.n_suites, true, false, raw);
			if (n)
				ref_digest("SHA256", raw, n, want, 12);
			else
				strcpy(want, "000000000000");
			ck_assert_mem_eq(ja4 + 11, want, 12);
			n = ref_ja4_list(ch.exts, ch.n_exts, true, true, raw);
			if (n && ref_ja4_list(ch.sigalgs, ch.n_sigalgs, false, false, raw + n + 1)) {
				raw[n] = '_';
				n += 1 + strlen(raw + n + 1);
			}
			if (n)
				ref_digest("SHA256", raw, n, want, 12);
			else
				strcpy(want, "000000000000");
			ck_assert_str_eq(ja4 + 24, want);

			/* A remembered answer is the computed one (the transport
			 * is not part of what is remembered). */
			fresh_fingerprints(&ch, &f);
			ck_assert_str_eq(str, f.str);
			ck_assert_str_eq(md5, f.md5);
			ck_assert_str_eq(ja4, f.ja4);
			ck_assert_int_eq(tlsd_fp_ja4(&ch, TLSD_JA4_QUIC, ja4q), 0);
			ck_assert_int_eq(ja4q[0], 'q');
			ck_assert_str_eq(ja4q + 1, ja4 + 1);
		}
	}
}
END_TEST

/* Hellos that differ from one another in a single field each, fingerprinted
 * one after another on one thread (so each may be looked up under the
 * previous one's key): each must equal its fingerprint on a fresh thread. */
START_TEST(tc_memo_every_field_counts)
{
	static const uint8_t h2[] = {2, 'h', '2'};
	struct tlsd_client_hello base, v[14];
	char str[TLSD_JA3_STR_MAX], md5[TLSD_MD5_HEX_LEN], ja4[TLSD_JA4_LEN];
	static struct fresh f;
	size_t n = 0;

	random_hello(4, &base);
	base.has_sni = true;
	base.n_suites = 8;
	base.n_exts = 6;
	base.n_groups = 3;
	base.n_point_formats = 1;
	base.n_sigalgs = 4;
	v[n++] = base;
	v[n] = base, v[n++].has_sni = false;
	v[n] = base, memcpy(v[n].alpn.data, h2, sizeof(h2)), v[n].alpn.used = sizeof(h2),
	v[n].alpn.n = v[n].alpn.total = 1, n++;
	v[n] = base, v[n++].legacy_version ^= 1;
	v[n] = base, v[n].has_supported_versions = true, v[n].n_versions = 1,
	v[n++].versions[0] = TLSD_VERSION_TLS13;
	v[n] = base, v[n].has_supported_versions = true, v[n].n_versions = 1,
	v[n++].versions[0] = TLSD_VERSION_TLS12;
	v[n] = base, v[n++].n_point_formats = 0;
	v[n] = base, v[n++].point_formats[0] = 2;
	v[n] = base, v[n++].groups[2] ^= 0x100;
	v[n] = base, v[n++].sigalgs[3] ^= 0x100;
	v[n] = base, v[n++].suites[7] ^= 0x100;
	v[n] = base, v[n++].exts[5] ^= 0x100;
	/* One value moved from the end of the suites to the extensions. */
	v[n] = base, v[n].n_suites = 7, memmove(v[n].exts + 1, v[n].exts, 6 * sizeof(uint16_t)),
	v[n].exts[0] = base.suites[7], v[n++].n_exts = 7;
	v[n] = base, v[n++].sslv2 = true;
	ck_assert_uint_eq(n, TLSD_ARRAY_SIZE(v));
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < n; i++) {
			ck_assert_int_eq(tlsd_fp_ja3(&v[i], str, sizeof(str), md5), 0);
			ck_assert_int_eq(tlsd_fp_ja4(&v[i], TLSD_JA4_TCP, ja4), 0);
			fresh_fingerprints(&v[i], &f);
			ck_assert_str_eq(str, f.str);
			ck_assert_str_eq(md5, f.md5);
			ck_assert_str_eq(ja4, f.ja4);
		}
	}
}
END_TEST

/* JA3S: "SSLVersion,Cipher,Extensions" in decimal, GREASE left out, and
 * its MD5. */
START_TEST(tc_ja3s_string)
{
	struct tlsd_server_hello sh = {.legacy_version = 771, .suite = 0xc02f};
	char str[TLSD_JA3_STR_MAX], md5[TLSD_MD5_HEX_LEN], want[TLSD_MD5_HEX_LEN];
	static const uint16_t exts[] = {65281, 0x0a0a, 0, 11, 35, 16};

	memcpy(sh.exts, exts, sizeof(exts));
	sh.n_exts = TLSD_ARRAY_SIZE(exts);
	ck_assert_int_eq(tlsd_fp_ja3s(&sh, str, sizeof(str), md5), 0);
	ck_assert_str_eq(str, "771,49199,65281-0-11-35-16");
	ref_digest("MD5", str, strlen(str), want, 32);
	ck_assert_str_eq(md5, want);
	sh.n_exts = 0;
	ck_assert_int_eq(tlsd_fp_ja3s(&sh, str, sizeof(str), md5), 0);
	ck_assert_str_eq(str, "771,49199,");
	ck_assert_int_eq(tlsd_fp_ja3s(&sh, str, 10, md5), -ENOSPC);
	ck_assert_int_eq(tlsd_fp_ja3s(&sh, str, 11, md5), 0);
}
END_TEST

/* A list that does not fit the output ends as -ENOSPC at every length,
 * whichever way the lists are written. */
START_TEST(tc_ja3_every_short_length)
{
	struct tlsd_client_hello ch;
	char str[TLSD_JA3_STR_MAX], md5[TLSD_MD5_HEX_LEN], full[TLSD_JA3_STR_MAX];
	size_t need;

	random_hello(11, &ch);
	ck_assert_int_eq(tlsd_fp_ja3(&ch, full, sizeof(full), md5), 0);
	need = strlen(full) + 1;
	for (size_t len = 0; len < need; len++)
		ck_assert_int_eq(tlsd_fp_ja3(&ch, str, len, md5), -ENOSPC);
	ck_assert_int_eq(tlsd_fp_ja3(&ch, str, need, md5), 0);
	ck_assert_str_eq(str, full);
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
	tcase_add_test(tc, tc_digests_match_libcrypto);
	tcase_add_test(tc, tc_memo_every_field_counts);
	tcase_add_test(tc, tc_ja3s_string);
	tcase_add_test(tc, tc_ja3_every_short_length);
	suite_add_tcase(s, tc);
	return s;
}
