/* The table of OpenSSL's suite names against libssl's own
 * OPENSSL_cipher_name(), for every suite tls_names.tsv knows (the table
 * replaces that call so that tlsdiag does not load libssl). */
#include <check.h>
#include <openssl/ssl.h>
#include <string.h>

#include "tlsd/openssl_names.h"
#include "tlsd/tls_names.h"

START_TEST(tc_as_libssl)
{
	unsigned checked = 0;

	for (unsigned v = 0; v < 65536; v++) {
		const char *iana = tlsd_name_suite((uint16_t)v), *want, *got;
		struct tlsd_suite_info si;

		got = tlsd_openssl_suite_name((uint16_t)v);
		if (!iana || !tlsd_suite_info((uint16_t)v, &si) || si.tls13) {
			ck_assert_msg(got == NULL, "0x%04x has no OpenSSL name", v);
			continue;
		}
		want = OPENSSL_cipher_name(iana);
		if (want && strcmp(want, "(NONE)") == 0)
			want = NULL;
		/* the line the table needs when this fails */
		ck_assert_msg((!want && !got) || (want && got && strcmp(want, got) == 0),
			      "0x%04x %s: table %s, libssl {0x%04x, \"%s\"}", v, iana,
			      got ? got : "(none)", v, want ? want : "(none)");
		checked += want != NULL;
	}
	ck_assert_uint_gt(checked, 100);
}
END_TEST

Suite *openssl_names_suite(void);
Suite *openssl_names_suite(void)
{
	Suite *s = suite_create("openssl_names");
	TCase *tc = tcase_create("openssl_names");

	tcase_add_test(tc, tc_as_libssl);
	suite_add_tcase(s, tc);
	return s;
}
