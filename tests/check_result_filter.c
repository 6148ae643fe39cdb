/* Filters on the result: option values accepted and refused, and which
 * reports each selects (one TCase per option, then combinations). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "report_fixtures.h"
#include "tlsd/result_filter.h"

static struct tlsd_result_filter *f;

static void setup(void)
{
	f = tlsd_result_filter_new();
	ck_assert_ptr_nonnull(f);
}

static void teardown(void)
{
	tlsd_result_filter_free(f);
}

START_TEST(tc_empty_matches_all)
{
	struct tlsd_report r;

	fixture_report(&r);
	ck_assert(tlsd_result_filter_empty(f));
	ck_assert(tlsd_result_filter_match(f, &r));
	ck_assert(tlsd_result_filter_match(NULL, &r));
}
END_TEST

static const char *const bad_values[][2] = {
	{"outcome", "ok"}, {"outcome", ""}, {"outcome", "failed,,"}, {"server", "999.1.1.1"},
	{"server", "10.0.0.0/33"}, {"server", "[::1"}, {"server", "[::1]x"}, {"server", "1.2.3.4:0"},
	{"server", "1.2.3.4:70000"}, {"server", ":"}, {"server", "[::1]:"}, {"server", "10.0.0.0/"},
	{"min", "sure"}, {"min", ""}, {"cause", ""}, {"sni", ""},
};

START_TEST(tc_bad_values)
{
	const char *opt = bad_values[_i][0], *v = bad_values[_i][1];
	int rc = strcmp(opt, "outcome") == 0  ? tlsd_result_filter_outcomes(f, v)
		 : strcmp(opt, "server") == 0 ? tlsd_result_filter_servers(f, v)
		 : strcmp(opt, "cause") == 0  ? tlsd_result_filter_causes(f, v)
		 : strcmp(opt, "sni") == 0    ? tlsd_result_filter_snis(f, v)
					      : tlsd_result_filter_min_confidence(f, v);

	ck_assert_int_eq(rc, -EINVAL);
	ck_assert(tlsd_result_filter_empty(f)); /* nothing half-added */
}
END_TEST

START_TEST(tc_outcome)
{
	struct tlsd_report r;

	fixture_report(&r);
	ck_assert_int_eq(tlsd_result_filter_outcomes(f, "incomplete,established"), 0);
	ck_assert(!tlsd_result_filter_match(f, &r));
	ck_assert(tlsd_result_filter_wants_established(f));
	r.outcome = TLSD_OUTCOME_ESTABLISHED;
	ck_assert(tlsd_result_filter_match(f, &r));
	ck_assert_int_eq(tlsd_result_filter_outcomes(f, "failed"), 0); /* adds to the set */
	r.outcome = TLSD_OUTCOME_FAILED;
	ck_assert(tlsd_result_filter_match(f, &r));
}
END_TEST

START_TEST(tc_cause)
{
	struct tlsd_report r;

	fixture_report(&r);
	(void)tlsd_report_diag(&r, TLSD_CAUSE_SERVER_CERTIFICATE_UNTRUSTED, TLSD_CONF_POSSIBLE);
	ck_assert_int_eq(tlsd_result_filter_causes(f, "certificate_*,*_untrusted"), 0);
	ck_assert(tlsd_result_filter_match(f, &r)); /* a further finding matches too */
	ck_assert_int_eq(tlsd_result_filter_min_confidence(f, "likely"), 0);
	ck_assert(!tlsd_result_filter_match(f, &r)); /* ... but it is only possible */
	tlsd_result_filter_free(f);
	f = tlsd_result_filter_new();
	ck_assert_int_eq(tlsd_result_filter_causes(f, "no_shared_cipher"), 0);
	ck_assert_int_eq(tlsd_result_filter_min_confidence(f, "certain"), 0);
	ck_assert(tlsd_result_filter_match(f, &r));
}
END_TEST

START_TEST(tc_min_confidence_alone)
{
	struct tlsd_report r;

	fixture_report(&r);
	r.diags[0].confidence = TLSD_CONF_LIKELY;
	ck_assert_int_eq(tlsd_result_filter_min_confidence(f, "certain"), 0);
	ck_assert(!tlsd_result_filter_match(f, &r));
	ck_assert_int_eq(tlsd_result_filter_min_confidence(f, "possible"), 0);
	ck_assert(tlsd_result_filter_match(f, &r));
	r.outcome = TLSD_OUTCOME_ESTABLISHED; /* no cause: not selected */
	ck_assert(!tlsd_result_filter_match(f, &r));
}
END_TEST

START_TEST(tc_sni)
{
	struct tlsd_report r;

	fixture_report(&r);
	ck_assert_int_eq(tlsd_result_filter_snis(f, "*.EXAMPLE.com"), 0);
	ck_assert(tlsd_result_filter_match(f, &r)); /* case-insensitive */
	memcpy(r.sni, "WWW.example.org", 15);
	ck_assert(!tlsd_result_filter_match(f, &r));
	r.has_sni = false;
	ck_assert(!tlsd_result_filter_match(f, &r));
	ck_assert_int_eq(tlsd_result_filter_snis(f, "-"), 0);
	ck_assert(tlsd_result_filter_match(f, &r)); /* "-": no SNI */
	r.has_sni = true;
	memcpy(r.sni, "www.ex\0mple.com", 15); /* a NUL byte never matches a glob */
	ck_assert(!tlsd_result_filter_match(f, &r));
}
END_TEST

static const struct {
	const char *spec, *ip;
	uint16_t port;
	bool match;
} servers[] = {
	{"192.0.2.7", "192.0.2.7", 443, true},
	{"192.0.2.8", "192.0.2.7", 443, false},
	{"192.0.2.0/24", "192.0.2.7", 443, true},
	{"192.0.3.0/24", "192.0.2.7", 443, false},
	{"192.0.2.6/31", "192.0.2.7", 443, true},
	{"192.0.2.7:443", "192.0.2.7", 443, true},
	{"192.0.2.7:8443", "192.0.2.7", 443, false},
	{":443", "2001:db8::1", 443, true},
	{":444", "2001:db8::1", 443, false},
	{"2001:db8::1", "2001:db8::1", 443, true},
	{"::1", "::1", 443, true}, /* an address, not ":PORT" */
	{"[2001:db8::1]:443", "2001:db8::1", 443, true},
	{"[2001:db8::/32]:443", "2001:db8:ffff::1", 443, true},
	{"[2001:db8::/33]", "2001:db8:ffff::1", 443, false},
	{"0.0.0.0/0", "203.0.113.9", 1, true},
	{"0.0.0.0/0", "::1", 1, false}, /* the family must match */
	{"10.0.0.1,192.0.2.7", "192.0.2.7", 443, true},
};

START_TEST(tc_server)
{
	struct tlsd_report r;

	fixture_report(&r);
	fixture_ip(&r.server, servers[_i].ip, servers[_i].port);
	r.ip_version = strchr(servers[_i].ip, ':') ? 6 : 4;
	ck_assert_int_eq(tlsd_result_filter_servers(f, servers[_i].spec), 0);
	ck_assert_msg(tlsd_result_filter_match(f, &r) == servers[_i].match, "%s vs %s:%u",
		      servers[_i].spec, servers[_i].ip, servers[_i].port);
}
END_TEST

START_TEST(tc_all_must_match)
{
	struct tlsd_report r;

	fixture_report(&r);
	ck_assert_int_eq(tlsd_result_filter_snis(f, "www.example.com"), 0);
	ck_assert_int_eq(tlsd_result_filter_servers(f, ":443"), 0);
	ck_assert_int_eq(tlsd_result_filter_outcomes(f, "failed"), 0);
	ck_assert(tlsd_result_filter_match(f, &r));
	r.server.port = 8443;
	ck_assert(!tlsd_result_filter_match(f, &r));
}
END_TEST

Suite *result_filter_suite(void);
Suite *result_filter_suite(void)
{
	Suite *s = suite_create("result_filter");
	TCase *tc = tcase_create("values");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tc_empty_matches_all);
	tcase_add_loop_test(tc, tc_bad_values, 0, (int)TLSD_ARRAY_SIZE(bad_values));
	suite_add_tcase(s, tc);
	tc = tcase_create("match");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tc_outcome);
	tcase_add_test(tc, tc_cause);
	tcase_add_test(tc, tc_min_confidence_alone);
	tcase_add_test(tc, tc_sni);
	tcase_add_loop_test(tc, tc_server, 0, (int)TLSD_ARRAY_SIZE(servers));
	tcase_add_test(tc, tc_all_must_match);
	suite_add_tcase(s, tc);
	return s;
}
