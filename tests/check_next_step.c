/* The commands that confirm a failure, and the history spelled out.
 * Expected OpenSSL suite names are those `openssl ciphers -stdname` prints
 * for the IANA names (OpenSSL 3.0). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "report_fixtures.h"
#include "tlsd/history.h"
#include "tlsd/next_step.h"

START_TEST(tc_no_shared_cipher)
{
	struct tlsd_report r;
	struct tlsd_next_steps ns;

	fixture_report(&r);
	tlsd_next_steps(&r, &ns);
	ck_assert_str_eq(ns.openssl, "openssl s_client -connect 192.0.2.7:443 -servername "
				     "www.example.com -tls1_2 -cipher "
				     "ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256 </dev/null");
	/* port 443: curl too, with the client's highest version as the maximum */
	ck_assert_str_eq(ns.curl, "curl -v --tls-max 1.2 --resolve www.example.com:443:192.0.2.7 "
				  "https://www.example.com:443/");
	ck_assert_str_eq(ns.filter, "ip.addr==10.0.0.5 && ip.addr==192.0.2.7 && tcp.port==51234 && "
				    "tcp.port==443");
}
END_TEST

START_TEST(tc_ipv6_and_versions)
{
	struct tlsd_report r;
	struct tlsd_next_steps ns;

	fixture_report(&r);
	r.ip_version = 6;
	fixture_ip(&r.client, "2001:db8::5", 51234);
	fixture_ip(&r.server, "2001:db8::7", 8444);
	r.n_versions_offered = 2;
	r.versions_offered[0] = 0x0304;
	r.versions_offered[1] = 0x0303;
	r.diags[0] = (struct tlsd_diag){.code = "protocol_version_mismatch"};
	tlsd_next_steps(&r, &ns);
	ck_assert_str_eq(ns.openssl, "openssl s_client -connect [2001:db8::7]:8444 -servername "
				     "www.example.com </dev/null");
	ck_assert_str_eq(ns.curl, ""); /* neither port 443/8443 nor HTTP ALPN */
	ck_assert_str_eq(ns.filter, "ipv6.addr==2001:db8::5 && ipv6.addr==2001:db8::7 && "
				    "tcp.port==51234 && tcp.port==8444");
	r.n_versions_offered = 1;
	r.versions_offered[0] = 0x0304;
	tlsd_next_steps(&r, &ns);
	ck_assert_ptr_nonnull(strstr(ns.openssl, " -tls1_3 "));
}
END_TEST

START_TEST(tc_cause_flags)
{
	struct tlsd_report r;
	struct tlsd_next_steps ns;

	fixture_report(&r);
	r.diags[0] = (struct tlsd_diag){.code = "no_shared_group"};
	r.n_groups_offered = 3;
	r.groups_offered[0] = 0x001d;
	r.groups_offered[1] = 0x0017;
	r.groups_offered[2] = 0x6a6a; /* GREASE: left out */
	tlsd_next_steps(&r, &ns);
	ck_assert_ptr_nonnull(strstr(ns.openssl, " -groups X25519:P-256 "));
	ck_assert_ptr_null(strstr(ns.openssl, "-cipher"));

	r.diags[0] = (struct tlsd_diag){.code = "inappropriate_fallback"};
	tlsd_next_steps(&r, &ns);
	ck_assert_ptr_nonnull(strstr(ns.openssl, " -fallback_scsv"));

	r.diags[0] = (struct tlsd_diag){.code = "certificate_expired"};
	r.failed_step = TLSD_STEP_CERTIFICATE;
	tlsd_next_steps(&r, &ns);
	ck_assert_ptr_nonnull(strstr(ns.openssl, " -showcerts -verify_return_error -verify_hostname "
						 "www.example.com </dev/null"));

	r.diags[0] = (struct tlsd_diag){.code = "no_application_protocol"};
	r.failed_step = TLSD_STEP_SERVER_HELLO;
	r.alpn_offered.n = r.alpn_offered.total = 2;
	memcpy(r.alpn_offered.data, "\x02h2\x08http/1.1", 12);
	r.alpn_offered.used = 12;
	tlsd_next_steps(&r, &ns);
	ck_assert_ptr_nonnull(strstr(ns.openssl, " -alpn h2,http/1.1 "));
}
END_TEST

/* Bytes a peer chose never reach a shell unquoted. */
START_TEST(tc_hostile_sni)
{
	struct tlsd_report r;
	struct tlsd_next_steps ns;

	fixture_report(&r);
	memcpy(r.sni, "a;rm -rf /$(x)", 14);
	r.sni_len = 14;
	tlsd_next_steps(&r, &ns);
	ck_assert_ptr_null(strstr(ns.openssl, "rm"));
	ck_assert_ptr_null(strstr(ns.openssl, "-servername"));
	ck_assert_ptr_null(strstr(ns.curl, "rm"));
	ck_assert_ptr_nonnull(strstr(ns.curl, "https://192.0.2.7:443/"));
	r.has_sni = false;
	tlsd_next_steps(&r, &ns);
	ck_assert_ptr_nonnull(strstr(ns.openssl, " -noservername"));
	r.client_hello_len = 0; /* no ClientHello seen: nothing known about SNI */
	tlsd_next_steps(&r, &ns);
	ck_assert_ptr_null(strstr(ns.openssl, "servername"));
}
END_TEST

START_TEST(tc_shell_quote)
{
	char b[32] = "x ";

	ck_assert(tlsd_shell_quote(b, sizeof(b), "cap.pcap"));
	ck_assert_str_eq(b, "x cap.pcap");
	b[2] = 0;
	ck_assert(tlsd_shell_quote(b, sizeof(b), "it's here"));
	ck_assert_str_eq(b, "x 'it'\\''s here'");
	b[2] = 0;
	ck_assert(!tlsd_shell_quote(b, sizeof(b), "a very long name that does not fit"));
	ck_assert_str_eq(b, "x ");
	ck_assert(tlsd_next_plain_hostname((const uint8_t *)"a-b.c_d", 7));
	ck_assert(!tlsd_next_plain_hostname((const uint8_t *)"a b", 3));
	ck_assert(!tlsd_next_plain_hostname((const uint8_t *)"", 0));
}
END_TEST

/* Zeek's baseline strings (FAILURE-CATALOG.md) and tlsdiag's additions. */
START_TEST(tc_history)
{
	static const struct {
		const char *h;
		const char *want; /* sym/who/what;... */
	} cases[] = {
		{"Cl", "C/client/client_hello;l/server/alert;"},
		{"CsxknGIti", "C/client/client_hello;s/server/server_hello;x/server/certificate;"
			      "k/server/server_key_exchange;n/server/server_hello_done;"
			      "G/client/client_key_exchange;I/client/change_cipher_spec;"
			      "t/server/new_session_ticket;i/server/change_cipher_spec;"},
		{"Csid*L}{", "C/client/client_hello;s/server/server_hello;i/server/change_cipher_spec;"
			     "d*/server/a run of 4 or more encrypted records;L/client/alert;"
			     "}/client/FIN (closes its side);{/server/FIN (closes its side);"},
		{"C#~@%^+", "C/client/client_hello;#/middlebox/RST (reset) not sent by either peer;"
			    "~/-/bytes missing from the capture (a gap);"
			    "@/-/idle past --idle-timeout (capture time);"
			    "%/-/renegotiation started (encrypted handshake after the handshake);"
			    "^/-/client and server roles swapped (the ClientHello came from the other side);"
			    "+/-/history cut here (too long);"},
		{"!|?", "!/client/RST (reset);|/server/RST (reset);?/-/unknown symbol;"},
	};

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(cases); i++) {
		struct tlsd_history_step st;
		size_t pos = 0, n = 0;
		char got[1024] = "";

		while (tlsd_history_next(cases[i].h, &pos, &st))
			n += (size_t)snprintf(got + n, sizeof(got) - n, "%s/%s/%s;", st.sym,
					      st.who ? st.who : "-", st.what);
		ck_assert_str_eq(got, cases[i].want);
	}
}
END_TEST

Suite *next_step_suite(void);
Suite *next_step_suite(void)
{
	Suite *s = suite_create("next_step");
	TCase *tc = tcase_create("commands");

	tcase_add_test(tc, tc_no_shared_cipher);
	tcase_add_test(tc, tc_ipv6_and_versions);
	tcase_add_test(tc, tc_cause_flags);
	tcase_add_test(tc, tc_hostile_sni);
	tcase_add_test(tc, tc_shell_quote);
	suite_add_tcase(s, tc);
	tc = tcase_create("history");
	tcase_add_test(tc, tc_history);
	suite_add_tcase(s, tc);
	return s;
}
