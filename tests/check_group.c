/* The grouped view and the fleet patterns, from hand-built reports: what is
 * folded together, the counts and times, the folding levels, and each
 * pattern with a case that must not trigger it (chance). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "report_fixtures.h"
#include "tlsd/group.h"

/* Not inlined: gcc -O3 takes the strings it returns for pointers to its locals. */
__attribute__((noinline)) static char *text_of(const struct tlsd_group *g, unsigned rows,
					      bool json, unsigned *lines)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	struct tlsd_group_opts o = {.max_rows = rows};
	unsigned l = 0;

	ck_assert_ptr_nonnull(f);
	if (json)
		tlsd_group_json(g, f);
	else
		l = tlsd_group_text(g, f, &o);
	fclose(f);
	if (lines)
		*lines = l;
	return buf;
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void failure(struct tlsd_report *r, const char *client, uint16_t cport, const char *server,
		    int64_t t_ms)
{
	fixture_report(r);
	fixture_ip(&r->client, client, cport);
	fixture_ip(&r->server, server, 443);
	r->ts_first += t_ms * 1000000;
}

static void success(struct tlsd_report *r, const char *client, uint16_t cport, const char *server,
		    int64_t t_ms)
{
	failure(r, client, cport, server, t_ms);
	r->outcome = TLSD_OUTCOME_ESTABLISHED;
	r->failed_step = TLSD_STEP_NONE;
	r->n_diags = 0;
	r->has_alert = false;
}

START_TEST(tc_fold_counts)
{
	struct tlsd_group *g = tlsd_group_new();
	struct tlsd_report r;
	char *out;

	ck_assert_ptr_nonnull(g);
	/* 5 failures from 2 clients to one server, one success elsewhere */
	for (int i = 0; i < 5; i++) {
		failure(&r, i % 2 ? "10.0.0.1" : "10.0.0.2", (uint16_t)(40000 + i), "192.0.2.7",
			1000 - 100 * i);
		tlsd_group_add(g, &r);
	}
	success(&r, "10.0.0.3", 40100, "192.0.2.8", 0);
	tlsd_group_add(g, &r);
	ck_assert_uint_eq(tlsd_group_failures(g), 5);
	out = text_of(g, 0, false, NULL);
	ck_assert_ptr_nonnull(strstr(out, "5 failed or incomplete of 6 TLS connections in 1 kind"));
	ck_assert_ptr_nonnull(strstr(out, "folded by step, cause, SNI and server"));
	/* count 5, clients 2, the cause with its confidence, first 600 ms, last 1000 ms */
	ck_assert_ptr_nonnull(strstr(out, "      5       2  server_hello  no_shared_cipher (certain)"));
	ck_assert_ptr_nonnull(strstr(out, "192.0.2.7:443  03:16:00.723  03:16:01.123"));
	/* the example is the earliest connection */
	ck_assert_ptr_nonnull(strstr(out, "e.g. 10.0.0.2:40004 -> 192.0.2.7:443 at 03:16:00.723, "
					  "server alert handshake_failure(40), C"));
	free(out);
	out = text_of(g, 0, true, NULL);
	ck_assert_ptr_nonnull(strstr(out, "{\"type\":\"group\",\"schema_version\":1,\"outcome\":\"failed\","
					  "\"transport\":\"tcp\",\"failed_step\":\"server_hello\",\"cause\":\"no_shared_cipher\","
					  "\"sni\":\"www.example.com\",\"server\":{\"ip\":\"192.0.2.7\","
					  "\"port\":443},\"count\":5,\"clients\":2,"));
	ck_assert_ptr_nonnull(strstr(out, "\"first\":\"2025-11-27T03:16:00.723456Z\","
					  "\"last\":\"2025-11-27T03:16:01.123456Z\""));
	free(out);
	tlsd_group_free(g);
}
END_TEST

/* Distinct clients past the exact range of a set (distinct.h): an estimate
 * within 3% of the clients added, marked approximate; a small row next to
 * it stays exact. */
START_TEST(tc_distinct_estimate)
{
	struct tlsd_group *g = tlsd_group_new();
	struct tlsd_report r;
	char ip[32], *out, *line;
	unsigned long long clients;
	const unsigned n_clients = 20000;

	ck_assert_ptr_nonnull(g);
	for (unsigned i = 0; i < 2 * n_clients; i++) {
		unsigned c = i % n_clients;

		snprintf(ip, sizeof(ip), "10.%u.%u.%u", c >> 16, (c >> 8) & 255, c & 255);
		failure(&r, ip, (uint16_t)(1024 + i % 60000), "192.0.2.7", 0);
		tlsd_group_add(g, &r);
	}
	for (unsigned i = 0; i < 300; i++) {
		snprintf(ip, sizeof(ip), "10.200.0.%u", i % 100);
		failure(&r, ip, (uint16_t)(1024 + i), "192.0.2.8", 0);
		tlsd_group_add(g, &r);
	}
	out = text_of(g, 0, true, NULL);
	line = strstr(out, "\"ip\":\"192.0.2.7\",\"port\":443},\"count\":40000,\"clients\":");
	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(sscanf(strstr(line, "\"clients\":") + 10, "%llu", &clients), 1);
	ck_assert_msg(clients >= n_clients * 97 / 100 && clients <= n_clients * 103 / 100,
		      "%llu clients", clients);
	ck_assert_ptr_nonnull(strstr(line, "\"clients_approximate\":true"));
	ck_assert_ptr_nonnull(strstr(out, "\"ip\":\"192.0.2.8\",\"port\":443},\"count\":300,"
					  "\"clients\":100,\"clients_approximate\":false"));
	free(out);
	/* Text, folded by server: the estimate with its marker, exact servers. */
	out = text_of(g, 1, false, NULL);
	ck_assert_ptr_nonnull(strstr(out, "  40300 "));
	ck_assert_ptr_nonnull(strstr(out, "+  server_hello"));
	ck_assert_ptr_nonnull(strstr(out, " 2 servers "));
	free(out);
	tlsd_group_free(g);
}
END_TEST

/* More rows than fit: servers fold first, then names; the rest is counted. */
START_TEST(tc_fold_levels)
{
	struct tlsd_group *g = tlsd_group_new();
	struct tlsd_report r;
	char ip[32], *out;
	unsigned lines;

	ck_assert_ptr_nonnull(g);
	for (int i = 0; i < 30; i++) {
		snprintf(ip, sizeof(ip), "192.0.2.%d", i + 1);
		failure(&r, "10.0.0.1", (uint16_t)(40000 + i), ip, i);
		tlsd_group_add(g, &r);
	}
	out = text_of(g, 10, false, &lines);
	ck_assert_ptr_nonnull(strstr(out, "folded by step, cause and SNI"));
	ck_assert_ptr_nonnull(strstr(out, "     30       1  server_hello"));
	ck_assert_ptr_nonnull(strstr(out, "30 servers"));
	ck_assert_uint_eq(lines, count_lines(out));
	free(out);
	/* 30 names too: folded by step and cause */
	for (int i = 0; i < 30; i++) {
		failure(&r, "10.0.0.1", (uint16_t)(41000 + i), "192.0.2.1", i);
		snprintf((char *)r.sni, sizeof(r.sni), "n%02d.example.com", i);
		r.sni_len = 15;
		tlsd_group_add(g, &r);
	}
	out = text_of(g, 10, false, &lines);
	ck_assert_ptr_nonnull(strstr(out, "folded by step and cause"));
	ck_assert_ptr_nonnull(strstr(out, "31 names"));
	free(out);
	/* 12 causes in rows of 10: 9 shown, the rest counted */
	for (int i = 0; i < 12; i++) {
		failure(&r, "10.0.0.1", (uint16_t)(42000 + i), "192.0.2.1", i);
		snprintf(r.diags[0].code, sizeof(r.diags[0].code), "alert_code_%02d", i);
		for (int k = 0; k < i + 1; k++)
			tlsd_group_add(g, &r);
	}
	out = text_of(g, 10, false, &lines);
	ck_assert_ptr_nonnull(strstr(out, "... 4 more kinds, 10 connections"));
	ck_assert_uint_le(lines, 2 + 1 + 9 * 2 + 1);
	free(out);
	tlsd_group_free(g);
}
END_TEST

/* Rows go by the cause's code: codes sharing a cause (alert_<name>) are
 * rows of their own, one code under two causes is one row, whichever the
 * code last seen for a cause was. */
START_TEST(tc_cause_codes)
{
	static const char *const codes[] = {"alert_a", "alert_b", "alert_a", "same_code", "alert_b",
					    "same_code", "alert_a", "same_code", "same_code"};
	struct tlsd_group *g = tlsd_group_new();
	struct tlsd_report r;
	char *out;

	ck_assert_ptr_nonnull(g);
	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		enum tlsd_cause c = strcmp(codes[i], "same_code") ? TLSD_CAUSE_ALERT :
				    i % 2 ? TLSD_CAUSE_NO_SHARED_GROUP : TLSD_CAUSE_NO_SHARED_CIPHER;

		failure(&r, "10.0.0.1", (uint16_t)(40000 + i), "192.0.2.7", i);
		r.n_diags = 0;
		(void)tlsd_report_diag_named(&r, c, codes[i], TLSD_CONF_CERTAIN);
		tlsd_group_add(g, &r);
	}
	out = text_of(g, 0, true, NULL);
	ck_assert_uint_eq(count_lines(out), 3);
	ck_assert_ptr_nonnull(strstr(out, "\"cause\":\"alert_a\",\"sni\":\"www.example.com\","
					  "\"server\":{\"ip\":\"192.0.2.7\",\"port\":443},\"count\":3,"));
	ck_assert_ptr_nonnull(strstr(out, "\"cause\":\"alert_b\",\"sni\":\"www.example.com\","
					  "\"server\":{\"ip\":\"192.0.2.7\",\"port\":443},\"count\":2,"));
	ck_assert_ptr_nonnull(strstr(out, "\"cause\":\"same_code\",\"sni\":\"www.example.com\","
					  "\"server\":{\"ip\":\"192.0.2.7\",\"port\":443},\"count\":4,"));
	free(out);
	tlsd_group_free(g);
}
END_TEST

/* The text views of a (every level kept) and b (text only, 10 rows) are
 * the same: the view, once; both groups freed. */
static char *same_view(struct tlsd_group *a, struct tlsd_group *b)
{
	char *va = text_of(a, 10, false, NULL), *vb = text_of(b, 10, false, NULL);

	ck_assert_str_eq(va, vb);
	free(vb);
	tlsd_group_free(a);
	tlsd_group_free(b);
	return va;
}

/* Text only: the finer levels stop taking rows once they cannot be shown;
 * the view is the same. */
START_TEST(tc_text_only_same_view)
{
	struct tlsd_group *a = tlsd_group_new(), *b = tlsd_group_new();
	struct tlsd_report r;
	char ip[32], *va;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	tlsd_group_text_only(b, 10);
	for (int i = 0; i < 200; i++) {
		snprintf(ip, sizeof(ip), "192.0.2.%d", i % 50 + 1);
		failure(&r, i % 3 ? "10.0.0.1" : "10.0.0.2", (uint16_t)(40000 + i), ip, i);
		if (i % 7 == 0)
			snprintf(r.diags[0].code, sizeof(r.diags[0].code), "alert_decode_error");
		tlsd_group_add(a, &r);
		tlsd_group_add(b, &r);
	}
	va = same_view(a, b);
	ck_assert_ptr_nonnull(strstr(va, "folded by step, cause and SNI"));
	free(va);
}
END_TEST

/* Text only, with more kinds than rows at the coarsest level (the one
 * shown, with "... N more kinds"): its rows keep their distinct counts,
 * the view is the same as when every level is kept. */
START_TEST(tc_text_only_coarsest_counts)
{
	struct tlsd_group *a = tlsd_group_new(), *b = tlsd_group_new();
	struct tlsd_report r;
	char ip[32], *va;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	tlsd_group_text_only(b, 10);
	for (int i = 0; i < 400; i++) {
		snprintf(ip, sizeof(ip), "192.0.2.%d", i % 40 + 1);
		failure(&r, i % 3 ? "10.0.0.1" : "10.0.0.2", (uint16_t)(40000 + i), ip, i);
		snprintf((char *)r.sni, sizeof(r.sni), "n%02d.example.com", i % 30);
		r.sni_len = 15;
		snprintf(r.diags[0].code, sizeof(r.diags[0].code), "alert_code_%02d", i % 14);
		tlsd_group_add(a, &r);
		tlsd_group_add(b, &r);
	}
	va = same_view(a, b);
	ck_assert_ptr_nonnull(strstr(va, "folded by step and cause"));
	ck_assert_ptr_nonnull(strstr(va, "more kinds"));
	ck_assert_ptr_null(strstr(va, " 0+ "));
	free(va);
}
END_TEST

/* One of three addresses fails every time; the others always succeed. */
START_TEST(tc_server_failing)
{
	struct tlsd_group *g = tlsd_group_new();
	struct tlsd_report r;
	char *out;
	int t = 0;

	ck_assert_ptr_nonnull(g);
	for (int round = 0; round < 6; round++) {
		success(&r, "10.0.0.1", (uint16_t)(40000 + t), "192.0.2.2", t), t++;
		tlsd_group_add(g, &r);
		success(&r, "10.0.0.1", (uint16_t)(40000 + t), "192.0.2.3", t), t++;
		tlsd_group_add(g, &r);
		failure(&r, "10.0.0.1", (uint16_t)(40000 + t), "192.0.2.4", t), t++;
		tlsd_group_add(g, &r);
	}
	out = text_of(g, 0, false, NULL);
	ck_assert_ptr_nonnull(strstr(out, "server 192.0.2.4:443 failed all 6 handshakes for "
					  "www.example.com, while the other 2 addresses for it "
					  "succeeded 12 of 12"));
	free(out);
	out = text_of(g, 0, true, NULL);
	ck_assert_ptr_nonnull(strstr(out, "\"pattern\":\"server_failing\",\"sni\":\"www.example.com\","
					  "\"server\":{\"ip\":\"192.0.2.4\",\"port\":443},\"failed\":6,"
					  "\"other_servers\":2,\"other_established\":12,\"other_failed\":0"));
	free(out);
	tlsd_group_free(g);
}
END_TEST

/* Failures spread over 40 addresses at 20 %: a server with 3 failures in a
 * row is chance, not a pattern. */
START_TEST(tc_server_failing_chance)
{
	struct tlsd_group *g = tlsd_group_new();
	struct tlsd_report r;
	char ip[32], *out;

	ck_assert_ptr_nonnull(g);
	for (int s = 0; s < 40; s++) {
		snprintf(ip, sizeof(ip), "192.0.2.%d", s + 1);
		for (int k = 0; k < 3; k++) {
			if (s < 8)
				failure(&r, "10.0.0.1", (uint16_t)(s * 10 + k), ip, s * 10 + k);
			else
				success(&r, "10.0.0.1", (uint16_t)(s * 10 + k), ip, s * 10 + k);
			tlsd_group_add(g, &r);
		}
	}
	out = text_of(g, 0, false, NULL);
	ck_assert_ptr_null(strstr(out, "failed all"));
	free(out);
	tlsd_group_free(g);
}
END_TEST

START_TEST(tc_began)
{
	struct tlsd_group *g = tlsd_group_new();
	struct tlsd_report r;
	char *out;

	ck_assert_ptr_nonnull(g);
	/* 192.0.2.6: 4 successes, then 4 failures; 192.0.2.5 always succeeds */
	for (int i = 0; i < 8; i++) {
		success(&r, "10.0.0.1", (uint16_t)(40000 + i), "192.0.2.5", 1000 * i);
		tlsd_group_add(g, &r);
		if (i < 4)
			success(&r, "10.0.0.1", (uint16_t)(41000 + i), "192.0.2.6", 1000 * i + 500);
		else
			failure(&r, "10.0.0.1", (uint16_t)(41000 + i), "192.0.2.6", 1000 * i + 500);
		tlsd_group_add(g, &r);
	}
	out = text_of(g, 0, false, NULL);
	ck_assert_ptr_nonnull(strstr(out, "failures for www.example.com on 192.0.2.6:443 began at "
					  "03:16:04.623: 4 handshakes succeeded until 03:16:03.623, "
					  "all 4 since failed"));
	free(out);
	tlsd_group_free(g);

	/* 2 and 2 on one server: 1 in 6 orders does this by chance */
	g = tlsd_group_new();
	ck_assert_ptr_nonnull(g);
	for (int i = 0; i < 4; i++) {
		if (i < 2)
			success(&r, "10.0.0.1", (uint16_t)(41000 + i), "192.0.2.6", 1000 * i);
		else
			failure(&r, "10.0.0.1", (uint16_t)(41000 + i), "192.0.2.6", 1000 * i);
		tlsd_group_add(g, &r);
	}
	out = text_of(g, 0, false, NULL);
	ck_assert_ptr_null(strstr(out, "began"));
	free(out);
	tlsd_group_free(g);
}
END_TEST

START_TEST(tc_fallback)
{
	struct tlsd_group *g = tlsd_group_new();
	struct tlsd_report r;
	char *out;

	ck_assert_ptr_nonnull(g);
	failure(&r, "10.0.0.9", 40000, "192.0.2.7", 0);
	r.n_versions_offered = 2;
	r.versions_offered[0] = 0x0304;
	r.versions_offered[1] = 0x0303;
	tlsd_group_add(g, &r);
	success(&r, "10.0.0.9", 40001, "192.0.2.7", 250);
	r.versions_offered[0] = 0x0302; /* retried at TLS 1.1 */
	tlsd_group_add(g, &r);
	/* another client that succeeds at once does not count */
	success(&r, "10.0.0.10", 40002, "192.0.2.7", 300);
	tlsd_group_add(g, &r);
	out = text_of(g, 0, false, NULL);
	ck_assert_ptr_nonnull(strstr(out, "1 client retried with a lower TLS version after a failure, "
					  "e.g. 10.0.0.9 for www.example.com: TLS 1.3 failed at "
					  "03:16:00.123, TLS 1.1 at 03:16:00.373 succeeded"));
	free(out);
	tlsd_group_free(g);
}
END_TEST

Suite *group_suite(void);
Suite *group_suite(void)
{
	Suite *s = suite_create("group");
	TCase *tc = tcase_create("rows");

	tcase_add_test(tc, tc_fold_counts);
	tcase_add_test(tc, tc_fold_levels);
	tcase_add_test(tc, tc_cause_codes);
	tcase_add_test(tc, tc_distinct_estimate);
	tcase_add_test(tc, tc_text_only_same_view);
	tcase_add_test(tc, tc_text_only_coarsest_counts);
	suite_add_tcase(s, tc);
	tc = tcase_create("patterns");
	tcase_add_test(tc, tc_server_failing);
	tcase_add_test(tc, tc_server_failing_chance);
	tcase_add_test(tc, tc_began);
	tcase_add_test(tc, tc_fallback);
	suite_add_tcase(s, tc);
	return s;
}
