/* Community ID v1 against the spec's own baseline
 * (github.com/corelight/community-id-spec, baseline/baseline_deflt.json and
 * baseline_seed1.json, the TCP rows), and the connection id's shape. */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "tlsd/community_id.h"

static const struct {
	const char *saddr, *daddr;
	uint16_t sport, dport, seed;
	uint8_t proto;
	const char *want;
} vectors[] = {
	{"128.232.110.120", "66.35.250.204", 34855, 80, 0, 6, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
	{"66.35.250.204", "128.232.110.120", 80, 34855, 0, 6, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
	{"2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, 0, 6,
	 "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
	{"2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, 0, 6,
	 "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
	{"128.232.110.120", "66.35.250.204", 34855, 80, 1, 6, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
	{"2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, 1, 6,
	 "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
	/* UDP rows (QUIC and DTLS connections hash as UDP) */
	{"192.168.1.52", "8.8.8.8", 54585, 53, 0, 17, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
	{"8.8.8.8", "192.168.1.52", 53, 54585, 0, 17, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
	{"192.168.1.52", "8.8.8.8", 54585, 53, 1, 17, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
};

static uint8_t endpoint(const char *ip, uint16_t port, struct tlsd_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->port = port;
	if (inet_pton(AF_INET, ip, e->addr.b) == 1)
		return 4;
	ck_assert_int_eq(inet_pton(AF_INET6, ip, e->addr.b), 1);
	return 6;
}

START_TEST(tc_spec_baseline)
{
	struct tlsd_endpoint a, b;
	uint8_t v = endpoint(vectors[_i].saddr, vectors[_i].sport, &a);
	char got[TLSD_COMMUNITY_ID_LEN];

	ck_assert_uint_eq(endpoint(vectors[_i].daddr, vectors[_i].dport, &b), v);
	ck_assert_int_eq(tlsd_community_id(v, &a, &b, vectors[_i].proto, vectors[_i].seed, got), 0);
	ck_assert_str_eq(got, vectors[_i].want);
}
END_TEST

/* Equal addresses: the ports decide the order (loopback captures). */
START_TEST(tc_same_address)
{
	struct tlsd_endpoint a, b;
	char ab[TLSD_COMMUNITY_ID_LEN], ba[TLSD_COMMUNITY_ID_LEN];

	endpoint("127.0.0.1", 50010, &a);
	endpoint("127.0.0.1", 44301, &b);
	ck_assert_int_eq(tlsd_community_id(4, &a, &b, TLSD_IPPROTO_TCP, 0, ab), 0);
	ck_assert_int_eq(tlsd_community_id(4, &b, &a, TLSD_IPPROTO_TCP, 0, ba), 0);
	ck_assert_str_eq(ab, ba);
}
END_TEST

START_TEST(tc_conn_uid)
{
	struct tlsd_report r;
	char u1[TLSD_CONN_UID_LEN], u2[TLSD_CONN_UID_LEN], u3[TLSD_CONN_UID_LEN];

	memset(&r, 0, sizeof(r));
	r.ip_version = 4;
	endpoint("10.0.0.5", 51234, &r.client);
	endpoint("192.0.2.7", 443, &r.server);
	r.ts_first = INT64_C(1764213360123456000);
	ck_assert_int_eq(tlsd_conn_uid(&r, u1), 0);
	ck_assert_int_eq(tlsd_conn_uid(&r, u2), 0);
	ck_assert_str_eq(u1, u2); /* reproducible */
	ck_assert_uint_eq(strlen(u1), 18);
	ck_assert(u1[0] == 'C');
	ck_assert_uint_eq(strspn(u1 + 1, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "abcdefghijklmnopqrstuvwxyz"), 17);
	r.ts_first += 1000; /* the same 4-tuple reused later: another connection */
	ck_assert_int_eq(tlsd_conn_uid(&r, u3), 0);
	ck_assert_str_ne(u1, u3);
}
END_TEST

Suite *community_id_suite(void);
Suite *community_id_suite(void)
{
	Suite *s = suite_create("community_id");
	TCase *tc = tcase_create("spec_baseline");

	tcase_add_loop_test(tc, tc_spec_baseline, 0, (int)TLSD_ARRAY_SIZE(vectors));
	tcase_add_test(tc, tc_same_address);
	tcase_add_test(tc, tc_conn_uid);
	suite_add_tcase(s, tc);
	return s;
}
