/* Unit tests for the generated name tables (src/tls_names.tsv). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/tls_names.h"

/* The catalog's alert list (FAILURE-CATALOG.md), exact names. */
static const struct {
	uint8_t code;
	const char *name;
} alerts[] = {
	{0, "close_notify"}, {10, "unexpected_message"}, {20, "bad_record_mac"},
	{21, "decryption_failed"}, {22, "record_overflow"}, {30, "decompression_failure"},
	{40, "handshake_failure"}, {41, "no_certificate"}, {42, "bad_certificate"},
	{43, "unsupported_certificate"}, {44, "certificate_revoked"}, {45, "certificate_expired"},
	{46, "certificate_unknown"}, {47, "illegal_parameter"}, {48, "unknown_ca"},
	{49, "access_denied"}, {50, "decode_error"}, {51, "decrypt_error"},
	{60, "export_restriction"}, {70, "protocol_version"}, {71, "insufficient_security"},
	{80, "internal_error"}, {86, "inappropriate_fallback"}, {90, "user_canceled"},
	{100, "no_renegotiation"}, {109, "missing_extension"}, {110, "unsupported_extension"},
	{111, "certificate_unobtainable"}, {112, "unrecognized_name"},
	{113, "bad_certificate_status_response"}, {114, "bad_certificate_hash_value"},
	{115, "unknown_psk_identity"}, {116, "certificate_required"},
	{120, "no_application_protocol"}, {121, "ech_required"},
};

START_TEST(tc_alerts)
{
	char buf[32];

	ck_assert_str_eq(tlsd_name_alert(alerts[_i].code), alerts[_i].name);
	ck_assert_str_eq(tlsd_name_alert_or_code(alerts[_i].code, buf, sizeof(buf)),
			 alerts[_i].name);
}
END_TEST

START_TEST(tc_spot_checks)
{
	char buf[32];

	ck_assert_str_eq(tlsd_name_suite(0xc02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	ck_assert_str_eq(tlsd_name_suite(0x1301), "TLS_AES_128_GCM_SHA256");
	ck_assert_str_eq(tlsd_name_suite(0x5600), "TLS_FALLBACK_SCSV");
	ck_assert_str_eq(tlsd_name_suite(0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
	ck_assert_str_eq(tlsd_name_suite(0xcca9), "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
	ck_assert_ptr_null(tlsd_name_suite(0x0a0a)); /* GREASE is not a suite */
	ck_assert_ptr_null(tlsd_name_suite(0xcc13)); /* pre-standard ChaCha20 */
	ck_assert_str_eq(tlsd_name_version(0x0002), "SSL 2.0");
	ck_assert_str_eq(tlsd_name_version(0x0300), "SSL 3.0");
	ck_assert_str_eq(tlsd_name_version(0x0301), "TLS 1.0");
	ck_assert_str_eq(tlsd_name_version(0x0304), "TLS 1.3");
	ck_assert_str_eq(tlsd_name_version(0xfefd), "DTLS 1.2");
	ck_assert_ptr_null(tlsd_name_version(0x0305));
	ck_assert_str_eq(tlsd_name_alert_level(2), "fatal");
	ck_assert_str_eq(tlsd_name_alert_level(1), "warning");
	ck_assert_ptr_null(tlsd_name_alert(200));
	ck_assert_str_eq(tlsd_name_alert_or_code(200, buf, sizeof(buf)), "unknown_200");
	ck_assert_str_eq(tlsd_name_handshake(1), "client_hello");
	ck_assert_str_eq(tlsd_name_handshake(6), "hello_retry_request");
	ck_assert_str_eq(tlsd_name_handshake(14), "server_hello_done");
	ck_assert_str_eq(tlsd_name_handshake(254), "message_hash");
	ck_assert_ptr_null(tlsd_name_handshake(7));
	ck_assert_str_eq(tlsd_name_extension(0), "server_name");
	ck_assert_str_eq(tlsd_name_extension(16), "application_layer_protocol_negotiation");
	ck_assert_str_eq(tlsd_name_extension(0xfe0d), "encrypted_client_hello");
	ck_assert_str_eq(tlsd_name_extension(0xff01), "renegotiation_info");
	ck_assert_str_eq(tlsd_name_group(29), "x25519");
	ck_assert_str_eq(tlsd_name_group(23), "secp256r1");
	ck_assert_str_eq(tlsd_name_group(256), "ffdhe2048");
	ck_assert_str_eq(tlsd_name_group(0x11ec), "X25519MLKEM768");
	ck_assert_str_eq(tlsd_name_sigscheme(0x0804), "rsa_pss_rsae_sha256");
	ck_assert_str_eq(tlsd_name_sigscheme(0x0403), "ecdsa_secp256r1_sha256");
	ck_assert_str_eq(tlsd_name_content_type(22), "handshake");
	ck_assert_str_eq(tlsd_name_content_type(23), "application_data");
}
END_TEST

START_TEST(tc_suite_info)
{
	struct tlsd_suite_info si, sentinel;

	ck_assert(tlsd_suite_info(0xc02f, &si));
	ck_assert_int_eq(si.kx, TLSD_KX_ECDHE);
	ck_assert_int_eq(si.cipher, TLSD_CIPHER_AEAD);
	ck_assert_uint_eq(si.aead_tag_len, 16);
	ck_assert_uint_eq(si.explicit_iv, 8);
	ck_assert(!si.tls13);
	ck_assert(tlsd_suite_info(0x1305, &si));
	ck_assert(si.tls13);
	ck_assert_int_eq(si.kx, TLSD_KX_TLS13);
	ck_assert_uint_eq(si.aead_tag_len, 8);
	ck_assert_uint_eq(si.explicit_iv, 0);
	ck_assert(tlsd_suite_info(0x0003, &si));
	ck_assert(si.export_grade);
	ck_assert_int_eq(si.cipher, TLSD_CIPHER_RC4);
	ck_assert_int_eq(si.kx, TLSD_KX_RSA);
	ck_assert(tlsd_suite_info(0x0039, &si));
	ck_assert_int_eq(si.kx, TLSD_KX_DHE);
	ck_assert_int_eq(si.cipher, TLSD_CIPHER_CBC);
	ck_assert(tlsd_suite_info(0xcca8, &si));
	ck_assert_uint_eq(si.explicit_iv, 0);
	memset(&si, 0x5a, sizeof(si));
	memcpy(&sentinel, &si, sizeof(si));
	ck_assert(!tlsd_suite_info(0x0a0a, &si));
	ck_assert_mem_eq(&si, &sentinel, sizeof(si));
}
END_TEST

/* Every IANA suite: sorted, unique, named TLS_*, looked up by itself. */
START_TEST(tc_suite_table)
{
	size_t n = tlsd_suite_count();

	ck_assert_uint_ge(n, 340);
	for (size_t i = 0; i < n; i++) {
		uint16_t v = tlsd_suite_at(i);
		const char *name = tlsd_name_suite(v);

		ck_assert_ptr_nonnull(name);
		ck_assert_msg(strncmp(name, "TLS_", 4) == 0, "0x%04x %s", v, name);
		if (i)
			ck_assert_uint_gt(v, tlsd_suite_at(i - 1));
	}
	ck_assert_uint_eq(tlsd_suite_at(n), 0);
}
END_TEST

/* Suite and version names go into JSON without the escaper
 * (report_json.c json_named): none may hold a byte that needs escaping. */
START_TEST(tc_names_json_plain)
{
	for (unsigned v = 0; v < 65536; v++) {
		const char *names[2] = {tlsd_name_suite((uint16_t)v), tlsd_name_version((uint16_t)v)};

		for (int k = 0; k < 2; k++)
			for (const char *p = names[k]; p && *p; p++)
				ck_assert_msg(*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\',
					      "0x%04x %s", v, names[k]);
	}
}
END_TEST

/* Every 16-bit lookup (the binary search of the generated tables), for all
 * 65536 values, against src/tls_names.tsv read here: a value in the file
 * gets its name, any other value NULL. */
typedef const char *(*u16_name_fn)(uint16_t);

static const struct {
	const char *kind;
	u16_name_fn fn;
} u16_kinds[] = {
	{"suite", tlsd_name_suite},	    {"version", tlsd_name_version},
	{"extension", tlsd_name_extension}, {"group", tlsd_name_group},
	{"sigscheme", tlsd_name_sigscheme},
};

START_TEST(tc_u16_lookups_match_tsv)
{
	static const char *want[TLSD_ARRAY_SIZE(u16_kinds)][65536];
	static char lines[2000][256];
	size_t n_lines = 0, rows = 0;
	FILE *f = fopen(TLSD_SRCDIR "/src/tls_names.tsv", "r");

	ck_assert_ptr_nonnull(f);
	while (n_lines < TLSD_ARRAY_SIZE(lines) && fgets(lines[n_lines], sizeof(lines[0]), f)) {
		char *line = lines[n_lines++], *kind = strtok(line, "\t\n"), *val, *name;

		if (!kind || kind[0] == '#')
			continue;
		val = strtok(NULL, "\t\n");
		name = strtok(NULL, "\t\n");
		for (size_t k = 0; k < TLSD_ARRAY_SIZE(u16_kinds); k++) {
			if (strcmp(kind, u16_kinds[k].kind) != 0)
				continue;
			ck_assert_ptr_nonnull(val);
			ck_assert_ptr_nonnull(name);
			want[k][strtoul(val, NULL, 0) & 0xffff] = name;
			rows++;
		}
	}
	ck_assert(!ferror(f));
	fclose(f);
	ck_assert_uint_gt(rows, 500);
	for (size_t k = 0; k < TLSD_ARRAY_SIZE(u16_kinds); k++) {
		u16_name_fn fn = u16_kinds[k].fn;

		for (unsigned v = 0; v < 65536; v++) {
			const char *got = fn((uint16_t)v);

			if (!want[k][v])
				ck_assert_msg(!got, "%s 0x%04x: %s", u16_kinds[k].kind, v, got);
			else
				ck_assert_msg(got && strcmp(got, want[k][v]) == 0, "%s 0x%04x: %s, not %s",
					      u16_kinds[k].kind, v, got ? got : "NULL", want[k][v]);
		}
	}
}
END_TEST

Suite *tls_names_suite(void);
Suite *tls_names_suite(void)
{
	Suite *s = suite_create("tls_names");
	TCase *tc = tcase_create("names");

	tcase_add_loop_test(tc, tc_alerts, 0, (int)TLSD_ARRAY_SIZE(alerts));
	tcase_add_test(tc, tc_spot_checks);
	tcase_add_test(tc, tc_suite_info);
	tcase_add_test(tc, tc_suite_table);
	tcase_add_test(tc, tc_names_json_plain);
	tcase_add_test(tc, tc_u16_lookups_match_tsv);
	suite_add_tcase(s, tc);
	return s;
}
