/* Unit tests for SHA-1: the FIPS 180 / RFC 3174 test vectors, and the same
 * digest as libcrypto's SHA-1 for every length around the block and padding
 * boundaries. */
#include <check.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/sha1.h"

static void hex(const uint8_t *d, char out[2 * TLSD_SHA1_LEN + 1])
{
	for (int i = 0; i < TLSD_SHA1_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static const struct {
	const char *in;
	const char *want;
} vectors[] = {
	{"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
	{"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
	{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	 "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
	{"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	 "a49b2446a02c645bf419f995b67091253a04a259"},
	{"The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"},
};

START_TEST(tc_vectors)
{
	uint8_t d[TLSD_SHA1_LEN];
	char h[2 * TLSD_SHA1_LEN + 1];

	tlsd_sha1((const uint8_t *)vectors[_i].in, strlen(vectors[_i].in), d);
	hex(d, h);
	ck_assert_str_eq(h, vectors[_i].want);
}
END_TEST

START_TEST(tc_million_a)
{
	size_t n = 1000000;
	uint8_t *p = malloc(n), d[TLSD_SHA1_LEN];
	char h[2 * TLSD_SHA1_LEN + 1];

	ck_assert_ptr_nonnull(p);
	memset(p, 'a', n);
	tlsd_sha1(p, n, d);
	hex(d, h);
	ck_assert_str_eq(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	free(p);
}
END_TEST

START_TEST(tc_as_libcrypto)
{
	uint8_t buf[300], d[TLSD_SHA1_LEN], e[EVP_MAX_MD_SIZE];
	unsigned int elen = 0;
	uint32_t st = 12345;

	for (size_t n = 0; n <= sizeof(buf); n++) {
		for (size_t i = 0; i < n; i++) {
			st = st * 1103515245u + 12345u;
			buf[i] = (uint8_t)(st >> 16);
		}
		tlsd_sha1(buf, n, d);
		ck_assert(EVP_Digest(buf, n, e, &elen, EVP_sha1(), NULL));
		ck_assert_uint_eq(elen, TLSD_SHA1_LEN);
		ck_assert_msg(memcmp(d, e, TLSD_SHA1_LEN) == 0, "length %zu", n);
	}
}
END_TEST

Suite *sha1_suite(void);
Suite *sha1_suite(void)
{
	Suite *s = suite_create("sha1");
	TCase *tc = tcase_create("sha1");

	tcase_add_loop_test(tc, tc_vectors, 0, (int)(sizeof(vectors) / sizeof(vectors[0])));
	tcase_add_test(tc, tc_million_a);
	tcase_add_test(tc, tc_as_libcrypto);
	suite_add_tcase(s, tc);
	return s;
}
