/* Unit tests for the reporters and the summary: JSON escaping of hostile
 * wire bytes, key order, text blocks, cross-connection inference. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_fixtures.h"
#include "tlsd/community_id.h"
#include "tlsd/explain.h"
#include "tlsd/obuf.h"
#include "tlsd/report_json.h"
#include "tlsd/report_line.h"
#include "tlsd/report_text.h"
#include "tlsd/report_zeek.h"
#include "tlsd/summary.h"
#include "explain_fixtures.h"

/* Renders with a memstream; returns a malloc'd NUL-terminated string. */
static char *json_of(const uint8_t *s, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	ck_assert_ptr_nonnull(f);
	tlsd_json_string(f, s, len);
	fclose(f);
	return buf;
}

static const struct {
	const char *in;
	size_t len;
	const char *out;
} escapes[] = {
	{"plain.example", 13, "\"plain.example\""},
	{"a\"b\\c", 5, "\"a\\\"b\\\\c\""},
	{"\n\t\r", 3, "\"\\n\\t\\r\""},
	{"\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\""},
	{"nul\0byte", 8, "\"nul\\u0000byte\""},
	{"caf\xc3\xa9", 5, "\"caf\xc3\xa9\""},          /* valid UTF-8 kept */
	{"\xff\xfe", 2, "\"\\\\xff\\\\xfe\""},           /* invalid bytes: text \xNN */
	{"\xc3", 1, "\"\\\\xc3\""},                      /* truncated sequence */
	{"\xc0\xaf", 2, "\"\\\\xc0\\\\xaf\""},           /* overlong */
	{"\xed\xa0\x80", 3, "\"\\\\xed\\\\xa0\\\\x80\""}, /* surrogate */
	{"\xf0\x9f\x94\x92", 4, "\"\xf0\x9f\x94\x92\""}, /* 4-byte ok */
};

START_TEST(tc_json_escape)
{
	char *got = json_of((const uint8_t *)escapes[_i].in, escapes[_i].len);

	ck_assert_str_eq(got, escapes[_i].out);
	free(got);
}
END_TEST

/* Each case again inside runs of plain bytes of every length up to two
 * blocks and a bit (the escaper scans 16 bytes at a time, the last ones
 * padded), and strings longer than the output buffer. */
START_TEST(tc_json_escape_in_runs)
{
	size_t inner = strlen(escapes[_i].out) - 2; /* without the quotes */

	for (size_t k = 0; k < 36; k++) {
		for (size_t m = 0; m < 36; m++) {
			uint8_t in[96];
			char want[160], *got;

			memset(in, 'a', k);
			memcpy(in + k, escapes[_i].in, escapes[_i].len);
			memset(in + k + escapes[_i].len, 'b', m);
			want[0] = '"';
			memset(want + 1, 'a', k);
			memcpy(want + 1 + k, escapes[_i].out + 1, inner);
			memset(want + 1 + k + inner, 'b', m);
			memcpy(want + 1 + k + inner + m, "\"", 2);
			got = json_of(in, k + escapes[_i].len + m);
			ck_assert_str_eq(got, want);
			free(got);
		}
	}
}
END_TEST

START_TEST(tc_json_escape_long)
{
	size_t n = 3 * TLSD_OBUF_SIZE + 7, pos = 1;
	uint8_t *in = malloc(n);
	char *want = malloc(2 * n + 3), *got;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(want);
	want[0] = '"';
	for (size_t i = 0; i < n; i++) {
		in[i] = i % 1000 == 999 ? '"' : (uint8_t)('a' + i % 26);
		if (in[i] == '"')
			want[pos++] = '\\';
		want[pos++] = (char)in[i];
	}
	memcpy(want + pos, "\"", 2);
	got = json_of(in, n);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	free(in);
}
END_TEST

static void sample_report(struct tlsd_report *r)
{
	memset(r, 0, sizeof(*r));
	r->ts_first = INT64_C(1764213360123456000);
	r->ts_last = r->ts_first + 12300000;
	r->ip_version = 4;
	r->client.addr.b[0] = 10;
	r->client.addr.b[3] = 5;
	r->client.port = 51234;
	r->server.addr.b[0] = 192;
	r->server.addr.b[2] = 2;
	r->server.addr.b[3] = 7;
	r->server.port = 443;
	r->has_sni = true;
	memcpy(r->sni, "bad\x01\xffname", 9);
	r->sni_len = 9;
	r->n_versions_offered = 1;
	r->versions_offered[0] = 0x0303;
	r->outcome = TLSD_OUTCOME_FAILED;
	r->failed_step = TLSD_STEP_SERVER_HELLO;
	r->has_last_message = true;
	r->last_message = 1;
	strcpy(r->history, "Cl{}");
	r->term_by = TLSD_PARTY_SERVER;
	r->term_how = TLSD_HOW_ALERT;
	r->has_alert = true;
	r->alert.sender = TLSD_PARTY_SERVER;
	r->alert.level = 2;
	r->alert.code = 40;
	r->rtt = -1;
	r->time_to_failure = 400000;
	tlsd_diag_fact_str(tlsd_report_diag(r, TLSD_CAUSE_NO_SHARED_CIPHER, TLSD_CONF_CERTAIN),
			   TLSD_FACT_UNEXPECTED, "\"x\"");
}

static char *render(const struct tlsd_report *r, bool json, bool all)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	struct tlsd_text_opts o = {.all = all};

	ck_assert_ptr_nonnull(f);
	if (json)
		tlsd_report_json(f, r);
	else
		tlsd_report_text(f, r, &o);
	fclose(f);
	return buf;
}

/* The catalog's keys, in its order, then the additions. */
START_TEST(tc_json_key_order)
{
	static const char *const keys[] = {
		"\"ts\":", "\"duration\":", "\"client\":", "\"server\":", "\"sni\":",
		"\"versions_offered\":", "\"version\":", "\"cipher\":", "\"alpn_offered\":",
		"\"alpn\":", "\"outcome\":", "\"resumed\":", "\"failed_step\":",
		"\"last_message\":", "\"history\":", "\"termination\":", "\"alert\":",
		"\"diagnosis\":",
	};
	struct tlsd_report r;
	char *out;
	const char *pos;

	sample_report(&r);
	out = render(&r, true, true);
	pos = out;
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(keys); i++) {
		const char *k = strstr(pos, keys[i]);

		ck_assert_msg(k != NULL, "%s missing or out of order in %s", keys[i], out);
		pos = k;
	}
	ck_assert_ptr_nonnull(strstr(out, "\"ts\":\"2025-11-27T03:16:00.123456Z\""));
	ck_assert_ptr_nonnull(strstr(out, "\"sni\":\"bad\\u0001\\\\xffname\""));
	ck_assert_ptr_nonnull(strstr(out, "\"termination\":{\"by\":\"server\",\"how\":\"alert\"}"));
	ck_assert_ptr_nonnull(strstr(out, "\"alert\":{\"level\":\"fatal\",\"code\":40,"
					  "\"name\":\"handshake_failure\",\"sender\":\"server\","
					  "\"encrypted\":false}"));
	ck_assert_ptr_nonnull(strstr(out, "\"failed_step\":\"server_hello\""));
	ck_assert_ptr_nonnull(strstr(out, "\"last_message\":\"client_hello\""));
	ck_assert_ptr_nonnull(strstr(out, "\"text\":\"The server rejected the client's offer"));
	ck_assert_ptr_nonnull(strstr(out, "\"evidence\":\"unexpected: \\\"x\\\"\""));
	ck_assert_ptr_nonnull(strstr(out, "\"rtt\":null"));
	ck_assert(out[strlen(out) - 1] == '\n');
	ck_assert_ptr_null(strchr(out, '\x01')); /* no raw control byte anywhere */
	free(out);

	/* An unreadable encrypted alert: null level, code and name. */
	r.alert.encrypted = true;
	out = render(&r, true, true);
	ck_assert_ptr_nonnull(strstr(out, "\"alert\":{\"level\":null,\"code\":null,\"name\":null,"
					  "\"sender\":\"server\",\"encrypted\":true}"));
	free(out);
	/* Read with the key log: the code, and encrypted stays true. */
	r.alert.decrypted = true;
	out = render(&r, true, true);
	ck_assert_ptr_nonnull(strstr(out, "\"code\":40,\"name\":\"handshake_failure\","
					  "\"sender\":\"server\",\"encrypted\":true}"));
	free(out);
}
END_TEST

START_TEST(tc_text_blocks)
{
	struct tlsd_report r;
	char *out;

	sample_report(&r);
	out = render(&r, false, false);
	ck_assert_ptr_nonnull(strstr(out, "FAILED 10.0.0.5:51234 -> 192.0.2.7:443"));
	ck_assert_ptr_nonnull(strstr(out, "sni=bad\\x01\\xffname"));
	ck_assert_ptr_nonnull(strstr(out, "step:       server_hello"));
	ck_assert_ptr_nonnull(strstr(out, "fatal handshake_failure (40) from server"));
	ck_assert_ptr_nonnull(strstr(out, "no_shared_cipher (certain)"));
	ck_assert_ptr_null(strstr(out, "\033[")); /* no colour unless asked */
	free(out);

	/* Established: nothing without --all, one line with it. */
	r.outcome = TLSD_OUTCOME_ESTABLISHED;
	r.n_diags = 0;
	out = render(&r, false, false);
	ck_assert_str_eq(out, "");
	free(out);
	out = render(&r, false, true);
	ck_assert_ptr_nonnull(strstr(out, "ESTABLISHED"));
	ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1);
	free(out);
}
END_TEST

/* pcapng notes: the interface name and packet comments, escaped, in both
 * reporters; null and [] when the capture gave none. */
START_TEST(tc_capture_notes)
{
	struct tlsd_report r;
	char *out;

	sample_report(&r);
	out = render(&r, true, true);
	ck_assert_ptr_nonnull(strstr(out, "\"interface\":null,\"comments\":[],\"comments_total\":0}"));
	free(out);
	out = render(&r, false, true);
	ck_assert_ptr_null(strstr(out, "interface:"));
	ck_assert_ptr_null(strstr(out, "comment:"));
	free(out);

	strcpy(r.interface, "eth\"0");
	r.n_comments = 2;
	r.n_comments_total = 5;
	r.comments[0].frame = 12;
	r.comments[0].len = 9;
	memcpy(r.comments[0].text, "rst\nby fw", 9);
	r.comments[1].frame = 40;
	r.comments[1].len = 3;
	memcpy(r.comments[1].text, "\xff\x01x", 3);
	out = render(&r, true, true);
	ck_assert_msg(strstr(out, "\"interface\":\"eth\\\"0\",\"comments\":[{\"frame\":12,"
				  "\"text\":\"rst\\nby fw\"},{\"frame\":40,\"text\":\"\\\\xff\\u0001x\"}],"
				  "\"comments_total\":5}\n"),
		      "%s", out);
	free(out);
	out = render(&r, false, true);
	ck_assert_ptr_nonnull(strstr(out, "  interface:  eth\"0\n"));
	ck_assert_msg(strstr(out, "  comment:    frame 12: rst\\x0aby fw\n"), "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "  comment:    frame 40: \\xff\\x01x\n"));
	ck_assert_ptr_nonnull(strstr(out, "  comment:    3 more\n"));
	free(out);
	r.outcome = TLSD_OUTCOME_ESTABLISHED;
	r.n_diags = 0;
	out = render(&r, false, true);
	/* a header field: its quote is escaped so that it cannot fake others */
	ck_assert_ptr_nonnull(strstr(out, " interface=eth\\x220 history="));
	ck_assert_ptr_nonnull(strstr(out, "  comment:    frame 12: "));
	free(out);
}
END_TEST

/* An SNI with spaces cannot fake the fields after it in the one-line header
 * (-a) or the block's header line: space, '=' and '"' are escaped there. */
START_TEST(tc_text_sni_fields)
{
	static const char fake[] = "a.example TLS 1.3 x=\"y\"";
	struct tlsd_report r;
	char *out;

	sample_report(&r);
	memcpy(r.sni, fake, sizeof(fake) - 1);
	r.sni_len = sizeof(fake) - 1;
	out = render(&r, false, false);
	ck_assert_ptr_nonnull(strstr(out, "sni=a.example\\x20TLS\\x201.3\\x20x\\x3d\\x22y\\x22"));
	ck_assert_ptr_null(strstr(out, " TLS 1.3 x="));
	free(out);
	r.outcome = TLSD_OUTCOME_ESTABLISHED;
	r.n_diags = 0;
	out = render(&r, false, true);
	ck_assert_ptr_nonnull(strstr(out, " sni=a.example\\x20TLS\\x201.3\\x20x\\x3d\\x22y\\x22"));
	free(out);
}
END_TEST

/* Cross-connection inference: the same server accepted TLS 1.2 clients;
 * a failing TLS 1.0-only client is told what the others had. */
START_TEST(tc_summary_inference)
{
	struct tlsd_summary *s = tlsd_summary_new();
	struct tlsd_report ok, bad;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	ck_assert_ptr_nonnull(s);
	sample_report(&ok);
	ok.outcome = TLSD_OUTCOME_ESTABLISHED;
	ok.failed_step = TLSD_STEP_NONE;
	ok.has_alert = false;
	ok.n_diags = 0;
	ok.version = 0x0303;
	ok.has_cipher = true;
	ok.cipher = 0xc02f;
	ok.client_hello_len = 200;
	for (int i = 0; i < 3; i++)
		tlsd_summary_add(s, &ok);

	sample_report(&bad);
	bad.versions_offered[0] = 0x0301;
	bad.client_hello_len = 150;
	tlsd_summary_annotate(s, &bad);
	ck_assert(tlsd_report_has_diag(&bad, "differs_from_accepted_clients"));
	ck_assert_ptr_nonnull(strstr(TXT(&bad, &bad.diags[bad.n_diags - 1]), "accepted 3 other"));
	ck_assert_ptr_nonnull(strstr(TXT(&bad, &bad.diags[bad.n_diags - 1]), "TLS 1.2"));
	tlsd_summary_add(s, &bad);
	ck_assert_uint_eq(tlsd_summary_failed(s), 1);

	/* A client that sent no ClientHello is not compared. */
	sample_report(&bad);
	bad.client_hello_len = 0;
	bad.n_diags = 0;
	tlsd_summary_annotate(s, &bad);
	ck_assert_uint_eq(bad.n_diags, 0);

	f = open_memstream(&buf, &n);
	tlsd_summary_json(s, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\"connections\":4,\"established\":3,\"failed\":1"));
	ck_assert_ptr_nonnull(strstr(buf, "\"failed_steps\":{\"server_hello\":1}"));
	ck_assert_ptr_nonnull(strstr(buf, "{\"sender\":\"server\",\"code\":40,"
					  "\"name\":\"handshake_failure\",\"count\":1}"));
	ck_assert_ptr_nonnull(strstr(buf, "\"top_failing_servers\":[{\"ip\":\"192.0.2.7\",\"port\":443"));
	free(buf);
	tlsd_summary_free(s);
}
END_TEST

/* The server table grows (from 1024 slots) and still finds every server. */
START_TEST(tc_summary_many_servers)
{
	struct tlsd_summary *s = tlsd_summary_new();
	struct tlsd_report r;

	ck_assert_ptr_nonnull(s);
	sample_report(&r);
	r.outcome = TLSD_OUTCOME_ESTABLISHED;
	r.version = 0x0303;
	for (uint32_t i = 0; i < 5000; i++) {
		r.server.addr.b[2] = (uint8_t)(i >> 8);
		r.server.addr.b[3] = (uint8_t)i;
		tlsd_summary_add(s, &r);
	}
	/* A failing TLS 1.0 client of server #4321 is compared with its success. */
	sample_report(&r);
	r.server.addr.b[2] = (uint8_t)(4321 >> 8);
	r.server.addr.b[3] = (uint8_t)4321;
	r.versions_offered[0] = 0x0301;
	r.client_hello_len = 100;
	tlsd_summary_annotate(s, &r);
	ck_assert(tlsd_report_has_diag(&r, "differs_from_accepted_clients"));
	tlsd_summary_free(s);
}
END_TEST


/* -T line: the positional fields, then key=value; no field holds a space. */
START_TEST(tc_line_format)
{
	struct tlsd_report r;
	struct tlsd_line_opts lo = {0};
	char *buf = NULL, id1[TLSD_CONN_UID_LEN], id2[TLSD_CONN_UID_LEN], want[1024];
	size_t n = 0;
	FILE *f;

	fixture_report(&r);
	memcpy(r.sni, "a b\\c\x01", 6);
	r.sni_len = 6;
	(void)tlsd_report_diag(&r, TLSD_CAUSE_SERVER_CERTIFICATE_UNTRUSTED, TLSD_CONF_POSSIBLE);
	f = open_memstream(&buf, &n);
	tlsd_report_line(f, &r, &lo);
	ck_assert_int_eq(tlsd_conn_uid(&r, id1), 0);
	r.outcome = TLSD_OUTCOME_ESTABLISHED;
	r.failed_step = TLSD_STEP_NONE;
	r.has_alert = false;
	r.version = 0x0303;
	r.ip_version = 6;
	fixture_ip(&r.client, "2001:db8::5", 51234);
	fixture_ip(&r.server, "64:ff9b::9765:798c", 443);
	lo.time_fmt = TLSD_TIME_EPOCH;
	tlsd_report_line(f, &r, &lo);
	ck_assert_int_eq(tlsd_conn_uid(&r, id2), 0);
	fclose(f);
	snprintf(want, sizeof(want),
		"FAILED server_hello no_shared_cipher(certain) a\\x20b\\x5cc\\x01 192.0.2.7:443 "
		"10.0.0.5:51234 2025-11-27T03:16:00.123456Z ended=server/alert "
		"alert=server:fatal:handshake_failure(40) version=- history=Cl{} id=%s "
		"also=server_certificate_untrusted\n"
		"ESTABLISHED - - a\\x20b\\x5cc\\x01 [64:ff9b::9765:798c]:443 [2001:db8::5]:51234 "
		"1764213360.123456 ended=server/alert alert=- version=TLS1.2 history=Cl{} "
		"id=%s warnings=no_shared_cipher,server_certificate_untrusted\n", id1, id2);
	ck_assert_str_eq(buf, want);
	free(buf);
}
END_TEST

/* -T zeek: Zeek's header lines, one record of exactly the #fields count,
 * Zeek's version strings and escapes. */
START_TEST(tc_zeek_format)
{
	struct tlsd_report r;
	char *buf = NULL, *fields, *rec;
	size_t n = 0;
	FILE *f;
	unsigned nf = 0, nr = 0;

	fixture_report(&r);
	memcpy(r.sni, "x\tc,d", 5);
	r.sni_len = 5;
	r.version = 0x0303;
	r.kx_group = 0x001d;
	f = open_memstream(&buf, &n);
	tlsd_zeek_header(f, r.ts_first);
	tlsd_report_zeek(f, &r);
	tlsd_zeek_footer(f, r.ts_last);
	fclose(f);
	ck_assert_ptr_eq(strstr(buf, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
				     "#unset_field\t-\n#path\tssl\n#open\t2025-11-27-03-16-00\n"
				     "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\t"
				     "version\tcipher\tcurve\tserver_name\tresumed\tlast_alert\t"
				     "next_protocol\testablished\tssl_history\tcert_chain_fps\t"
				     "client_cert_chain_fps\tsni_matches_cert\tvalidation_status\tja3\tja3s\t"
				     "community_id\ttlsdiag.outcome"),
			 buf);
	ck_assert_ptr_nonnull(strstr(buf, "\n#types\ttime\tstring\taddr\tport\taddr\tport\tstring"));
	ck_assert_ptr_nonnull(strstr(buf, "\n#close\t2025-11-27-03-16-00\n"));
	fields = strstr(buf, "#fields");
	for (char *p = fields; *p != '\n'; p++)
		nf += *p == '\t';
	rec = strstr(buf, "\n1764213360.123456\t");
	ck_assert_ptr_nonnull(rec);
	for (char *p = rec + 1; *p != '\n'; p++)
		nr += *p == '\t';
	ck_assert_uint_eq(nr, nf - 1); /* "#fields" itself is the first column */
	ck_assert_ptr_nonnull(strstr(rec, "\t10.0.0.5\t51234\t192.0.2.7\t443\tTLSv12\t-\tx25519\t"
					  "x\\x09c,d\tF\thandshake_failure\t-\tF\tCl{}\t-\t-\t-\t-\t-\t-\t1:"));
	ck_assert_ptr_nonnull(strstr(rec, "\tfailed\tserver_hello\tno_shared_cipher\tcertain\n"));
	free(buf);
}
END_TEST

START_TEST(tc_time_formats)
{
	char b[TLSD_TIME_STR_LEN];
	tlsd_time_ns t = INT64_C(1764213360123456000);
	enum tlsd_time_fmt f;

	ck_assert_str_eq(tlsd_format_time(b, sizeof(b), t, TLSD_TIME_UTC_DATE, 0),
			 "2025-11-27 03:16:00.123456 UTC");
	ck_assert_str_eq(tlsd_format_time(b, sizeof(b), t, TLSD_TIME_UTC, 0), "03:16:00.123456 UTC");
	ck_assert_str_eq(tlsd_format_time(b, sizeof(b), t, TLSD_TIME_EPOCH, 0), "1764213360.123456");
	ck_assert_str_eq(tlsd_format_time(b, sizeof(b), t, TLSD_TIME_RELATIVE, t - 1500000000),
			 "1.500000");
	ck_assert_str_eq(tlsd_format_time(b, sizeof(b), t - 1000, TLSD_TIME_RELATIVE, t),
			 "-0.000001");
	ck_assert(tlsd_parse_time_fmt("ad", &f) && f == TLSD_TIME_LOCAL_DATE);
	ck_assert(!tlsd_parse_time_fmt("x", &f));
}
END_TEST

static char *summary_text_of(const struct tlsd_summary *s)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	tlsd_summary_text(s, f, false);
	fclose(f);
	return buf;
}

/* Cause counts are each failure's main cause; its further findings and the
 * warnings on established connections are counted apart; IPv6 servers are
 * written in brackets. */
START_TEST(tc_summary_causes)
{
	struct tlsd_summary *s = tlsd_summary_new();
	struct tlsd_report r;
	char *out;

	ck_assert_ptr_nonnull(s);
	fixture_report(&r);
	(void)tlsd_report_diag(&r, TLSD_CAUSE_SERVER_CERTIFICATE_UNTRUSTED, TLSD_CONF_POSSIBLE);
	r.ip_version = 6;
	fixture_ip(&r.server, "2001:db8::7", 443);
	tlsd_summary_add(s, &r);
	fixture_report(&r);
	r.outcome = TLSD_OUTCOME_ESTABLISHED;
	r.failed_step = TLSD_STEP_NONE;
	r.n_diags = 0;
	(void)tlsd_report_diag(&r, TLSD_CAUSE_SERVER_CERTIFICATE_UNTRUSTED, TLSD_CONF_POSSIBLE);
	tlsd_summary_add(s, &r);
	out = summary_text_of(s);
	ck_assert_ptr_nonnull(strstr(out, "  cause no_shared_cipher: 1\n"));
	ck_assert_ptr_null(strstr(out, "cause server_certificate_untrusted"));
	ck_assert_ptr_nonnull(strstr(out, "  further findings on failed or incomplete connections: "
					  "server_certificate_untrusted 1\n"));
	ck_assert_ptr_nonnull(strstr(out, "  warnings on established connections: "
					  "server_certificate_untrusted 1\n"));
	ck_assert_ptr_nonnull(strstr(out, "    [2001:db8::7]:443 sni=www.example.com"));
	free(out);
	tlsd_summary_free(s);
}
END_TEST

/* Codes are counted by their text: the hint by cause is only a shortcut.
 * Codes sharing a cause (alert_<name>), one code under two causes and codes
 * whose text sits at another address in every report all count right. */
START_TEST(tc_summary_code_hints)
{
	struct tlsd_summary *s = tlsd_summary_new();
	struct tlsd_report *r = calloc(2, sizeof(*r));
	char *out;

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(r);
	for (int i = 0; i < 6; i++) {
		struct tlsd_report *x = &r[i % 2]; /* the codes at two addresses */

		sample_report(x);
		x->n_diags = 0;
		(void)tlsd_report_diag_named(x, TLSD_CAUSE_ALERT, i % 3 ? "alert_a" : "alert_b",
					     TLSD_CONF_CERTAIN);
		(void)tlsd_report_diag_named(x, i < 3 ? TLSD_CAUSE_NO_SHARED_GROUP :
					     TLSD_CAUSE_NO_SHARED_CIPHER, "same_code",
					     TLSD_CONF_POSSIBLE);
		tlsd_summary_add(s, x);
	}
	out = summary_text_of(s);
	ck_assert_ptr_nonnull(strstr(out, "  cause alert_b: 2\n  cause alert_a: 4\n"));
	ck_assert_ptr_nonnull(strstr(out, "  further findings on failed or incomplete connections: "
					  "same_code 6\n"));
	free(out);
	free(r);
	tlsd_summary_free(s);
}
END_TEST

/* Far more servers than tag values (a tag is 7 bits): many share a tag,
 * and each still keeps its own counts. */
START_TEST(tc_summary_tag_collisions)
{
	struct tlsd_summary *s = tlsd_summary_new();
	struct tlsd_report r;
	char *out, want[128];

	ck_assert_ptr_nonnull(s);
	for (uint32_t round = 0; round < 3; round++) {
		for (uint32_t i = 0; i < 3000; i++) {
			sample_report(&r);
			r.server.addr.b[2] = (uint8_t)(i >> 8);
			r.server.addr.b[3] = (uint8_t)i;
			r.server.port = (uint16_t)(443 + i % 3);
			/* Servers 0..9 fail 3, 4, ... 12 times; the others once. */
			if (round == 0 || i < 10)
				for (uint32_t k = 0; k < (i < 10 ? i + 1 : 1); k++)
					tlsd_summary_add(s, &r);
		}
	}
	out = summary_text_of(s);
	for (uint32_t i = 0; i < 10; i++) {
		snprintf(want, sizeof(want), "    192.0.%u.%u:%u sni=bad\\x01\\xffname  %u failed, 0 "
			 "established\n", i >> 8, i & 0xff, 443 + i % 3, 3 * (i + 1));
		ck_assert_msg(strstr(out, want), "missing %s in %s", want, out);
	}
	ck_assert_ptr_nonnull(strstr(out, "3 failed"));
	ck_assert_ptr_null(strstr(out, "  1 failed"));
	free(out);
	tlsd_summary_free(s);
}
END_TEST

/* The printf formats tlsd_explain_duration used, as they were. */
static void ref_duration(tlsd_time_ns ns, char *out, size_t len)
{
	double ms = (double)ns / 1e6, s = ms / 1e3;

	if (ns < 0)
		snprintf(out, len, "?");
	else if (ms < 1)
		snprintf(out, len, "%.3f ms", ms);
	else if (ms < 1000)
		snprintf(out, len, "%.1f ms", ms);
	else if (s < 120)
		snprintf(out, len, "%.2f s", s);
	else if (s < 2 * 3600)
		snprintf(out, len, "%.0f min", s / 60);
	else if (s < 2 * 86400)
		snprintf(out, len, "%.1f h", s / 3600);
	else
		snprintf(out, len, "%.0f days", s / 86400);
}

static void check_duration(tlsd_time_ns ns)
{
	char want[64], got[64];
	size_t n;

	ref_duration(ns, want, sizeof(want));
	memset(got, 'x', sizeof(got));
	n = tlsd_explain_duration(ns, got, sizeof(got));
	ck_assert_msg(strcmp(got, want) == 0, "%" PRId64 " ns: %s, not %s", ns, got, want);
	ck_assert_uint_eq(n, strlen(want));
}

static uint64_t xorshift64(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

/* Durations are formatted in integers where printf's rounding of the double
 * cannot differ: every value below 0.3 ms, the values around each
 * range's limits and around every rounding tie (which go to printf), and
 * random ones in every range, byte for byte against printf; cut outputs
 * are the prefix that fits. */
START_TEST(tc_explain_duration_as_printf)
{
	static const int64_t unit[] = {1000, 100000, 10000000};
	uint64_t st = 88172645463325252u;
	char full[64], cut[64];

	for (int64_t ns = -3; ns < 100000; ns++)
		check_duration(ns);
	for (size_t u = 0; u < TLSD_ARRAY_SIZE(unit); u++)
		for (int64_t k = 0; k < 13000; k++)
			for (int64_t d = -2; d <= 2; d++) {
				check_duration(k * unit[u] + unit[u] / 2 + d);
				check_duration(k * unit[u] + d);
			}
	for (int64_t lim = 1000000; lim <= INT64_C(1000000000000000); lim *= 10)
		for (int64_t d = -3000; d <= 3000; d++)
			check_duration(lim + d);
	for (int i = 0; i < 50000; i++) {
		uint64_t r = xorshift64(&st);

		check_duration((int64_t)(r % (UINT64_C(1) << (10 + r % 44))));
	}
	for (int64_t ns = 123456789; ns < 123456789 + 3; ns++) {
		size_t n = tlsd_explain_duration(ns, full, sizeof(full));

		for (size_t len = 1; len <= n + 1; len++) {
			ck_assert_uint_eq(tlsd_explain_duration(ns, cut, len), len - 1 < n ? len - 1 : n);
			ck_assert_mem_eq(cut, full, strlen(cut));
			ck_assert_uint_eq(strlen(cut), len - 1 < n ? len - 1 : n);
		}
	}
}
END_TEST

/* Escaped display bytes against the rule, for random bytes, whole and cut
 * at every length. */
START_TEST(tc_explain_escaped_as_rule)
{
	uint64_t st = 2463534242u;

	for (int round = 0; round < 3000; round++) {
		uint8_t in[80];
		char want[400], got[400];
		size_t n = xorshift64(&st) % sizeof(in), w = 0, len;

		for (size_t i = 0; i < n; i++) {
			uint64_t r = xorshift64(&st);

			in[i] = (uint8_t)(r % 4 ? 'a' + r % 26 : r >> 8);
			if (in[i] >= 0x20 && in[i] < 0x7f && in[i] != '\\' && in[i] != '"')
				want[w++] = (char)in[i];
			else
				w += (size_t)sprintf(want + w, "\\x%02x", in[i]);
		}
		want[w] = 0;
		ck_assert_uint_eq(tlsd_explain_escaped(in, n, got, sizeof(got)), w);
		ck_assert_str_eq(got, want);
		len = xorshift64(&st) % (w + 2);
		ck_assert_uint_eq(tlsd_explain_escaped(in, n, got, len), len ? TLSD_MIN(len - 1, w) : 0);
		if (len)
			ck_assert_mem_eq(got, want, TLSD_MIN(len - 1, w));
	}
}
END_TEST

Suite *report_suite(void);
Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc;

	tc = tcase_create("json_escape");
	tcase_add_loop_test(tc, tc_json_escape, 0, (int)TLSD_ARRAY_SIZE(escapes));
	tcase_add_loop_test(tc, tc_json_escape_in_runs, 0, (int)TLSD_ARRAY_SIZE(escapes));
	tcase_add_test(tc, tc_json_escape_long);
	tcase_add_test(tc, tc_explain_duration_as_printf);
	tcase_add_test(tc, tc_explain_escaped_as_rule);
	/* The duration check compares ~600,000 values with printf: 2 s alone,
	 * more than Check's default 4 s on a busy 2-core machine. */
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("json_key_order");
	tcase_add_test(tc, tc_json_key_order);
	suite_add_tcase(s, tc);
	tc = tcase_create("text_blocks");
	tcase_add_test(tc, tc_text_blocks);
	tcase_add_test(tc, tc_text_sni_fields);
	suite_add_tcase(s, tc);
	tc = tcase_create("capture_notes");
	tcase_add_test(tc, tc_capture_notes);
	suite_add_tcase(s, tc);
	tc = tcase_create("summary_inference");
	tcase_add_test(tc, tc_summary_inference);
	tcase_add_test(tc, tc_summary_many_servers);
	tcase_add_test(tc, tc_summary_causes);
	tcase_add_test(tc, tc_summary_code_hints);
	tcase_add_test(tc, tc_summary_tag_collisions);
	suite_add_tcase(s, tc);
	tc = tcase_create("formats");
	tcase_add_test(tc, tc_line_format);
	tcase_add_test(tc, tc_zeek_format);
	tcase_add_test(tc, tc_time_formats);
	suite_add_tcase(s, tc);
	return s;
}
