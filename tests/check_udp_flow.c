/* Unit tests for the UDP flow table: directions, QUIC connection-ID
 * migration, ICMP errors, idle expiry and the flow cap. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "tlsd/udp_flow.h"

struct rec {
	unsigned opens, datagrams, icmps, closes;
	enum tlsd_dir last_dir, icmp_dir;
	enum tlsd_udp_end last_end;
	struct tlsd_udp_flow *last;
};

static void on_open(void *ud, struct tlsd_udp_flow *f, const struct tlsd_pkt *pkt)
{
	(void)pkt;
	((struct rec *)ud)->opens++;
	((struct rec *)ud)->last = f;
}

static void on_dgram(void *ud, struct tlsd_udp_flow *f, enum tlsd_dir d, const struct tlsd_pkt *p)
{
	struct rec *r = ud;

	(void)p;
	r->datagrams++;
	r->last_dir = d;
	r->last = f;
}

static void on_icmp(void *ud, struct tlsd_udp_flow *f, enum tlsd_dir d, const struct tlsd_pkt *p)
{
	(void)f;
	(void)p;
	((struct rec *)ud)->icmps++;
	((struct rec *)ud)->icmp_dir = d;
}

static void on_close(void *ud, struct tlsd_udp_flow *f, enum tlsd_udp_end how)
{
	(void)f;
	((struct rec *)ud)->closes++;
	((struct rec *)ud)->last_end = how;
}

static const struct tlsd_udp_ops ops = {on_open, on_dgram, on_icmp, on_close};

static struct tlsd_pkt pkt(uint8_t src, uint16_t sport, uint8_t dst, uint16_t dport,
			   const uint8_t *payload, uint32_t len, tlsd_time_ns ts)
{
	struct tlsd_pkt p = {.ts = ts, .ip_version = 4, .ip_proto = 17, .sport = sport,
			     .dport = dport, .payload = payload, .payload_len = len,
			     .payload_wire_len = len};

	p.src.b[0] = 10;
	p.src.b[3] = src;
	p.dst.b[0] = 10;
	p.dst.b[3] = dst;
	return p;
}

START_TEST(tc_directions_and_migration)
{
	struct tlsd_ctx ctx;
	struct rec r = {0};
	struct tlsd_udp_table *t;
	/* short header: first byte 0x40, then the 8-byte DCID */
	uint8_t shorthdr[32] = {0x40, 1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t cid[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct tlsd_pkt p;

	tlsd_ctx_init(&ctx);
	t = tlsd_udp_table_new(&ctx, &ops, &r);
	ck_assert_ptr_nonnull(t);
	p = pkt(1, 5000, 2, 443, shorthdr, sizeof(shorthdr), 1);
	tlsd_udp_table_packet(t, &p);
	ck_assert_uint_eq(r.opens, 1);
	ck_assert_int_eq(r.last_dir, TLSD_DIR_C2S);
	p = pkt(2, 443, 1, 5000, shorthdr, sizeof(shorthdr), 2);
	tlsd_udp_table_packet(t, &p);
	ck_assert_uint_eq(r.opens, 1);
	ck_assert_int_eq(r.last_dir, TLSD_DIR_S2C);
	/* The client moves to another port: unknown 5-tuple, known CID. */
	ck_assert_int_eq(tlsd_udp_flow_add_cid(t, r.last, TLSD_DIR_S2C, cid, sizeof(cid)), 0);
	ck_assert_int_eq(tlsd_udp_flow_add_cid(t, r.last, TLSD_DIR_S2C, cid, 0), -EINVAL);
	p = pkt(1, 6000, 2, 443, shorthdr, sizeof(shorthdr), 3);
	tlsd_udp_table_packet(t, &p);
	ck_assert_uint_eq(r.opens, 1);
	ck_assert_int_eq(r.last_dir, TLSD_DIR_C2S);
	ck_assert_uint_eq(r.last->n_tuples, 2);
	p = pkt(2, 443, 1, 6000, shorthdr, sizeof(shorthdr), 4);
	tlsd_udp_table_packet(t, &p);
	ck_assert_int_eq(r.last_dir, TLSD_DIR_S2C);
	ck_assert_uint_eq(tlsd_udp_table_count(t), 1);
	/* Another DCID from yet another port: a flow of its own. */
	shorthdr[1] = 9;
	p = pkt(1, 7000, 2, 443, shorthdr, sizeof(shorthdr), 5);
	tlsd_udp_table_packet(t, &p);
	ck_assert_uint_eq(r.opens, 2);
	/* ICMP about the client's datagram on the first path. */
	p = pkt(2, 0, 1, 0, NULL, 0, 6);
	p.icmp = (struct tlsd_icmp_quote){.type = 3, .code = 3, .ip_version = 4, .proto = 17,
					  .src = pkt(1, 5000, 2, 443, NULL, 0, 0).src,
					  .dst = pkt(1, 5000, 2, 443, NULL, 0, 0).dst,
					  .sport = 5000, .dport = 443};
	tlsd_udp_table_icmp(t, &p);
	ck_assert_uint_eq(r.icmps, 1);
	ck_assert_int_eq(r.icmp_dir, TLSD_DIR_C2S);
	tlsd_udp_table_finish(t);
	ck_assert_uint_eq(r.closes, 2);
	ck_assert_int_eq(r.last_end, TLSD_UDP_END_CAPTURE_END);
	tlsd_udp_table_free(t);
}
END_TEST

START_TEST(tc_expiry_and_cap)
{
	struct tlsd_ctx ctx;
	struct rec r = {0};
	struct tlsd_udp_table *t;
	uint8_t b[4] = {0};
	struct tlsd_pkt p;

	tlsd_ctx_init(&ctx);
	ctx.lim.max_udp_flows = 100;
	ctx.lim.idle_timeout = 10 * TLSD_NS_PER_SEC;
	t = tlsd_udp_table_new(&ctx, &ops, &r);
	ck_assert_ptr_nonnull(t);
	for (uint16_t i = 0; i < 1000; i++) {
		p = pkt(1, (uint16_t)(1000 + i), 2, 53, b, sizeof(b), 1 + i);
		tlsd_ctx_advance(&ctx, p.ts, true);
		tlsd_udp_table_packet(t, &p);
		ck_assert_uint_le(tlsd_udp_table_count(t), 100);
	}
	ck_assert_uint_eq(r.opens, 1000);
	ck_assert_uint_eq(r.closes, 900);
	ck_assert_int_eq(r.last_end, TLSD_UDP_END_EVICTED);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_CAPTURE_CAP_UDP_FLOWS], 900);
	tlsd_ctx_advance(&ctx, ctx.now + 11 * TLSD_NS_PER_SEC, true);
	tlsd_udp_table_expire(t);
	ck_assert_uint_eq(tlsd_udp_table_count(t), 0);
	ck_assert_int_eq(r.last_end, TLSD_UDP_END_TIMEOUT);
	tlsd_udp_table_free(t);
	tlsd_udp_table_free(NULL);
}
END_TEST

Suite *udp_flow_suite(void);
Suite *udp_flow_suite(void)
{
	Suite *s = suite_create("udp_flow");
	TCase *tc = tcase_create("directions_and_migration");

	tcase_add_test(tc, tc_directions_and_migration);
	suite_add_tcase(s, tc);
	tc = tcase_create("expiry_and_cap");
	tcase_add_test(tc, tc_expiry_and_cap);
	suite_add_tcase(s, tc);
	return s;
}
