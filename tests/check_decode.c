/* Unit tests for link / IP / TCP decoding and IP fragment reassembly through
 * the decoder. Fixtures are byte arrays; every frame under test is copied to
 * a heap buffer of exactly caplen bytes so ASan catches any over-read. */
#include <arpa/inet.h>
#include <check.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/decode.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

/* ---- fixtures ----------------------------------------------------------- */

/* TCP (RFC 9293): sport 49152, dport 443, seq 0x01020304, ack 0x0a0b0c0d,
 * doff 10, PSH|ACK, window 0xfaf0, csum 0, urg 0,
 * options MSS 1460 | SACK-permitted | TS 1,2 | NOP | WS 7, payload "hello". */
static const uint8_t tcp_seg[] = {
	0xc0, 0x00, 0x01, 0xbb, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d,
	0xa0, 0x18, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x04, 0x05, 0xb4,                                     /* MSS */
	0x04, 0x02,                                                 /* SACK-permitted */
	0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, /* TS */
	0x01,                                                       /* NOP */
	0x03, 0x03, 0x07,                                           /* WS */
	'h', 'e', 'l', 'l', 'o',
};
#define TCP_HDR_LEN 40u
#define PAYLOAD_LEN 5u

/* IPv4 (RFC 791): IHL 5, total 65, id 0x1234, DF, TTL 64, TCP,
 * 192.0.2.1 -> 198.51.100.2 */
static const uint8_t ipv4_hdr[] = {
	0x45, 0x00, 0x00, 0x41, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02,
};

/* IPv6 (RFC 8200): plen 45, next TCP, hop limit 63, 2001:db8::1 -> 2001:db8::2 */
static const uint8_t ipv6_hdr[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x2d, 0x06, 0x3f,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
};

/* Ethernet II: dst, src, type (last two bytes patched per test). */
static const uint8_t eth_v4[] = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00};
static const uint8_t eth_v6[] = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x86, 0xdd};
/* Linux cooked v1: pkttype 0, hatype 1, halen 6, addr(8), protocol */
static const uint8_t sll_v4[] = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00};
static const uint8_t sll_v6[] = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x86, 0xdd};
/* Linux cooked v2: protocol, reserved, ifindex 2, hatype 1, pkttype 4, halen 6, addr(8) */
static const uint8_t sll2_v4[] = {0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0};
static const uint8_t sll2_v6[] = {0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0};
/* BSD loopback family: little-endian (DLT_NULL from x86) and big-endian */
static const uint8_t null_le_v4[] = {2, 0, 0, 0};
static const uint8_t null_be_v4[] = {0, 0, 0, 2};
static const uint8_t null_le_v6_24[] = {24, 0, 0, 0};
static const uint8_t null_be_v6_28[] = {0, 0, 0, 28};
static const uint8_t null_le_v6_30[] = {30, 0, 0, 0};

struct link_case {
	const char *name;
	const uint8_t *link;
	size_t link_len;
	int dlt;
	int ip_version;
};

#define LC(n, d, l, v) {n, l, sizeof(l), d, v}
static const struct link_case link_cases[] = {
	LC("en10mb v4", DLT_EN10MB, eth_v4, 4),
	LC("en10mb v6", DLT_EN10MB, eth_v6, 6),
	LC("sll v4", DLT_LINUX_SLL, sll_v4, 4),
	LC("sll v6", DLT_LINUX_SLL, sll_v6, 6),
	LC("sll2 v4", DLT_LINUX_SLL2, sll2_v4, 4),
	LC("sll2 v6", DLT_LINUX_SLL2, sll2_v6, 6),
	LC("null le v4", DLT_NULL, null_le_v4, 4),
	LC("null be v4", DLT_NULL, null_be_v4, 4),
	LC("null v6 24", DLT_NULL, null_le_v6_24, 6),
	LC("null v6 28", DLT_NULL, null_be_v6_28, 6),
	LC("null v6 30", DLT_NULL, null_le_v6_30, 6),
	LC("loop v4", DLT_LOOP, null_be_v4, 4),
	LC("loop v6", DLT_LOOP, null_be_v6_28, 6),
	{"raw v4", NULL, 0, DLT_RAW, 4},
	{"raw v6", NULL, 0, DLT_RAW, 6},
	{"raw openbsd v4", NULL, 0, 14, 4},
	{"ipv4", NULL, 0, 228, 4},
	{"ipv6", NULL, 0, 229, 6},
};

/* ---- helpers ------------------------------------------------------------ */

struct t_frame {
	struct tlsd_frame f;
	uint8_t *buf;
};

/* Concatenates the parts into an exact-size heap buffer. */
static void frame_build(struct t_frame *tf, int dlt, const void *a, size_t alen, const void *b,
			size_t blen, const void *c, size_t clen)
{
	size_t n = alen + blen + clen;

	tf->buf = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(tf->buf);
	if (alen)
		memcpy(tf->buf, a, alen);
	if (blen)
		memcpy(tf->buf + alen, b, blen);
	if (clen)
		memcpy(tf->buf + alen + blen, c, clen);
	tf->f = (struct tlsd_frame){.ts = 1000, .caplen = (uint32_t)n, .wirelen = (uint32_t)n,
				    .dlt = dlt, .data = tf->buf};
}

static void frame_free(struct t_frame *tf)
{
	free(tf->buf);
	tf->buf = NULL;
}

static struct tlsd_ctx ctx;
static struct tlsd_decoder *dec;

static void setup(void)
{
	tlsd_ctx_init(&ctx);
	ctx.frame_no = 7;
	dec = tlsd_decoder_new(&ctx);
	ck_assert_ptr_nonnull(dec);
}

static void teardown(void)
{
	tlsd_decoder_free(dec);
	dec = NULL;
	ck_assert_uint_eq(ctx.ipfrag_mem_used, 0);
}

static enum tlsd_decode_status decode(const struct t_frame *tf, struct tlsd_pkt *pkt)
{
	return tlsd_decode_frame(dec, &ctx, &tf->f, pkt);
}

static void check_base_tcp(const struct tlsd_pkt *p, int ver)
{
	char s[64];

	ck_assert_uint_eq(p->ip_version, ver);
	ck_assert_uint_eq(p->ip_proto, 6);
	ck_assert_uint_eq(p->sport, 49152);
	ck_assert_uint_eq(p->dport, 443);
	ck_assert_uint_eq(p->seq, 0x01020304);
	ck_assert_uint_eq(p->ack, 0x0a0b0c0d);
	ck_assert_uint_eq(p->tcp_flags, TLSD_TCP_PSH | TLSD_TCP_ACK);
	ck_assert_uint_eq(p->window, 0xfaf0);
	ck_assert_uint_eq(p->payload_len, PAYLOAD_LEN);
	ck_assert_uint_eq(p->payload_wire_len, PAYLOAD_LEN);
	ck_assert_mem_eq(p->payload, "hello", PAYLOAD_LEN);
	ck_assert_int_eq(p->ts, 1000);
	ck_assert_uint_eq(p->frame_no, 7);
	if (ver == 4) {
		ck_assert_str_eq(tlsd_addr_str(&p->src, 4, s, sizeof(s)), "192.0.2.1");
		ck_assert_str_eq(tlsd_addr_str(&p->dst, 4, s, sizeof(s)), "198.51.100.2");
		ck_assert_uint_eq(p->ttl, 64);
		ck_assert_uint_eq(p->ip_id, 0x1234);
		ck_assert(p->ip_df);
	} else {
		ck_assert_str_eq(tlsd_addr_str(&p->src, 6, s, sizeof(s)), "2001:db8::1");
		ck_assert_str_eq(tlsd_addr_str(&p->dst, 6, s, sizeof(s)), "2001:db8::2");
		ck_assert_uint_eq(p->ttl, 63);
	}
}

/* ---- link types --------------------------------------------------------- */

START_TEST(tc_link_types)
{
	const struct link_case *lc = &link_cases[_i];
	const uint8_t *ip = lc->ip_version == 4 ? ipv4_hdr : ipv6_hdr;
	size_t iplen = lc->ip_version == 4 ? sizeof(ipv4_hdr) : sizeof(ipv6_hdr);
	struct t_frame tf;
	struct tlsd_pkt p;

	ck_assert(tlsd_decode_dlt_supported(lc->dlt));
	frame_build(&tf, lc->dlt, lc->link, lc->link_len, ip, iplen, tcp_seg, sizeof(tcp_seg));
	ck_assert_msg(decode(&tf, &p) == TLSD_DECODE_TCP, "%s", lc->name);
	check_base_tcp(&p, lc->ip_version);
	ck_assert_ptr_eq(p.frame, &tf.f);
	ck_assert(!p.reassembled);
	ck_assert_uint_eq(ctx.cnt.tcp_packets, 1);
	ck_assert_uint_eq(lc->ip_version == 4 ? ctx.cnt.ipv4 : ctx.cnt.ipv6, 1);
	frame_free(&tf);
}
END_TEST

/* 1, 2 and 3 tags of 802.1Q / 802.1ad / 0x9100 in front of IPv4 and IPv6. */
START_TEST(tc_vlan_stack)
{
	static const uint16_t tpids[] = {0x88a8, 0x9100, 0x8100};
	int ntags = 1 + _i % 3, ver = _i < 3 ? 4 : 6;
	uint8_t link[14 + 3 * 4];
	size_t n = 12;
	struct t_frame tf;
	struct tlsd_pkt p;

	memcpy(link, eth_v4, 12);
	for (int t = 0; t < ntags; t++) {
		uint16_t tpid = t == ntags - 1 ? 0x8100 : tpids[t];

		link[n++] = (uint8_t)(tpid >> 8);
		link[n++] = (uint8_t)tpid;
		link[n++] = 0x00; /* TCI: VLAN 100 + t */
		link[n++] = (uint8_t)(100 + t);
	}
	link[n++] = ver == 4 ? 0x08 : 0x86;
	link[n++] = ver == 4 ? 0x00 : 0xdd;
	frame_build(&tf, DLT_EN10MB, link, n, ver == 4 ? ipv4_hdr : ipv6_hdr,
		    ver == 4 ? sizeof(ipv4_hdr) : sizeof(ipv6_hdr), tcp_seg, sizeof(tcp_seg));
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TCP);
	check_base_tcp(&p, ver);
	frame_free(&tf);
}
END_TEST

/* Cisco MetaData (0x8909) tag: version, length, options, SGT, then type. */
START_TEST(tc_cisco_cmd)
{
	static const uint8_t link[] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x89, 0x09,
				       0x01, 0x01, 0x00, 0x01, 0x00, 0x10, 0x08, 0x00};
	struct t_frame tf;
	struct tlsd_pkt p;

	frame_build(&tf, DLT_EN10MB, link, sizeof(link), ipv4_hdr, sizeof(ipv4_hdr), tcp_seg,
		    sizeof(tcp_seg));
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TCP);
	check_base_tcp(&p, 4);
	frame_free(&tf);
}
END_TEST

/* Frames that are not IP: 802.3 length field, ARP, PPPoE discovery, a VLAN
 * tag around ARP, SLL with a non-IP protocol, an unknown loopback family,
 * PPPoE session carrying LCP, PPPoE with a bad version, an 802.3 length of
 * 0 (never taken for raw IP), PPP without address/control match. */
START_TEST(tc_non_ip)
{
	static const uint8_t e8023[] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x00, 0x2e, 0xaa, 0xaa, 3};
	static const uint8_t arp[] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x06, 0, 1};
	static const uint8_t pppoe[] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x88, 0x63, 0x11, 0x09, 0, 0, 0, 0};
	static const uint8_t pppoe_lcp[] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x88, 0x64,
					    0x11, 0, 0, 1, 0, 6, 0xc0, 0x21, 1, 1, 0, 4};
	static const uint8_t pppoe_ver[] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x88, 0x64,
					    0x21, 0, 0, 1, 0, 2, 0x00, 0x21};
	static const uint8_t len0[] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x00, 0x00, 0x45, 0, 0, 20};
	static const uint8_t ppp_ff[] = {0xff, 0x05, 0x00, 0x21, 0x45};
	static const uint8_t vlan_arp[] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x81, 0, 0, 5, 0x08, 0x06};
	static const uint8_t sll_lldp[] = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x88, 0xcc, 0};
	static const uint8_t null_ipx[] = {23, 0, 0, 0, 0xff, 0xff};
	static const struct {
		int dlt;
		const uint8_t *b;
		size_t n;
	} cases[] = {
		{DLT_EN10MB, e8023, sizeof(e8023)},    {DLT_EN10MB, arp, sizeof(arp)},
		{DLT_EN10MB, pppoe, sizeof(pppoe)},    {DLT_EN10MB, vlan_arp, sizeof(vlan_arp)},
		{DLT_LINUX_SLL, sll_lldp, sizeof(sll_lldp)}, {DLT_NULL, null_ipx, sizeof(null_ipx)},
		{DLT_EN10MB, pppoe_lcp, sizeof(pppoe_lcp)}, {DLT_EN10MB, pppoe_ver, sizeof(pppoe_ver)},
		{DLT_EN10MB, len0, sizeof(len0)},      {DLT_PPP, ppp_ff, sizeof(ppp_ff)},
	};
	struct t_frame tf;
	struct tlsd_pkt p;

	frame_build(&tf, cases[_i].dlt, cases[_i].b, cases[_i].n, NULL, 0, NULL, 0);
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_SKIP);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_PKT_NON_IP], 1);
	frame_free(&tf);
}
END_TEST

START_TEST(tc_unsupported_dlt)
{
	struct t_frame tf;
	struct tlsd_pkt p;

	ck_assert(!tlsd_decode_dlt_supported(DLT_IEEE802_11));
	ck_assert_ptr_nonnull(strstr(tlsd_decode_supported_dlts(), "LINUX_SLL2"));
	frame_build(&tf, DLT_IEEE802_11, ipv4_hdr, sizeof(ipv4_hdr), NULL, 0, NULL, 0);
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_SKIP);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_PKT_UNSUPPORTED_LINK], 1);
	/* switching link types on one decoder works */
	tf.f.dlt = DLT_RAW;
	tf.f.caplen = tf.f.wirelen = 20;
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_MALFORMED); /* total 65 > 20 on wire, then no TCP */
	frame_free(&tf);
}
END_TEST

/* ---- IPv4 --------------------------------------------------------------- */

/* IHL 8: 12 bytes of options (NOP, NOP, record route len 7 ptr 4 + 4 bytes,
 * EOL, pad) are skipped. */
START_TEST(tc_ipv4_options)
{
	uint8_t ip[32];
	struct t_frame tf;
	struct tlsd_pkt p;

	memcpy(ip, ipv4_hdr, 20);
	ip[0] = 0x48;
	ip[3] = 65 + 12;
	memcpy(ip + 20, (const uint8_t[]){1, 1, 7, 7, 4, 0, 0, 0, 0, 0, 0, 0}, 12);
	frame_build(&tf, DLT_EN10MB, eth_v4, sizeof(eth_v4), ip, sizeof(ip), tcp_seg,
		    sizeof(tcp_seg));
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TCP);
	check_base_tcp(&p, 4);
	frame_free(&tf);
}
END_TEST

/* Ethernet padding after a short datagram is trimmed by the total length. */
START_TEST(tc_ipv4_padding)
{
	uint8_t ip[20];
	uint8_t seg[20 + 6];
	struct t_frame tf;
	struct tlsd_pkt p;

	memcpy(ip, ipv4_hdr, 20);
	ip[3] = 40; /* header + bare TCP header */
	memcpy(seg, tcp_seg, 20);
	seg[12] = 0x50;
	memset(seg + 20, 0xee, 6); /* padding up to 60 bytes */
	frame_build(&tf, DLT_EN10MB, eth_v4, sizeof(eth_v4), ip, sizeof(ip), seg, sizeof(seg));
	ck_assert_uint_eq(tf.f.caplen, 60);
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TCP);
	ck_assert_uint_eq(p.payload_len, 0);
	ck_assert_uint_eq(p.payload_wire_len, 0);
	ck_assert(!p.opts.has_mss);
	frame_free(&tf);
}
END_TEST

/* Total length 0 (TSO/GSO capture): the frame length is used. */
START_TEST(tc_ipv4_tso)
{
	uint8_t ip[20];
	struct t_frame tf;
	struct tlsd_pkt p;

	memcpy(ip, ipv4_hdr, 20);
	ip[2] = ip[3] = 0;
	frame_build(&tf, DLT_RAW, ip, sizeof(ip), tcp_seg, sizeof(tcp_seg), NULL, 0);
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TCP);
	check_base_tcp(&p, 4);
	frame_free(&tf);
}
END_TEST

/* Snap length cut: 3 payload bytes missing. */
START_TEST(tc_snaplen_cut)
{
	const uint8_t *ip = _i ? ipv6_hdr : ipv4_hdr;
	size_t iplen = _i ? sizeof(ipv6_hdr) : sizeof(ipv4_hdr);
	struct t_frame tf;
	struct tlsd_pkt p;

	frame_build(&tf, DLT_EN10MB, _i ? eth_v6 : eth_v4, 14, ip, iplen, tcp_seg,
		    sizeof(tcp_seg) - 3);
	tf.f.wirelen += 3;
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TCP);
	ck_assert_uint_eq(p.payload_len, 2);
	ck_assert_uint_eq(p.payload_wire_len, 5);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_CAPTURE_SNAPLEN], 1);
	frame_free(&tf);
}
END_TEST

/* A total length larger than what was on the wire: counted, clamped. */
START_TEST(tc_ipv4_total_too_long)
{
	uint8_t ip[20];
	struct t_frame tf;
	struct tlsd_pkt p;

	memcpy(ip, ipv4_hdr, 20);
	ip[2] = 0x10;
	frame_build(&tf, DLT_RAW, ip, sizeof(ip), tcp_seg, sizeof(tcp_seg), NULL, 0);
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TCP);
	ck_assert_uint_eq(p.payload_len, 5);
	ck_assert_uint_eq(p.payload_wire_len, 5);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_PKT_BAD_IP_TOTAL_LEN], 1);
	frame_free(&tf);
}
END_TEST

/* Invalid headers: MALFORMED, the right anomaly, and *pkt untouched. */
START_TEST(tc_malformed)
{
	static const struct {
		size_t off;
		uint8_t val;
		enum tlsd_anomaly anom;
	} cases[] = {
		{0, 0x55, TLSD_ANOM_PKT_BAD_IP_VERSION},   /* IPv4 header says version 5 */
		{0, 0x44, TLSD_ANOM_PKT_BAD_IP_HDR_LEN},   /* IHL 4 */
		{3, 19, TLSD_ANOM_PKT_BAD_IP_TOTAL_LEN},   /* total < header */
		{20 + 12, 0x40, TLSD_ANOM_PKT_BAD_TCP_HDR_LEN}, /* doff 4 */
		{20 + 12, 0xf0, TLSD_ANOM_PKT_BAD_TCP_HDR_LEN}, /* doff 15 > segment */
		{0, 0x75, TLSD_ANOM_PKT_BAD_IP_VERSION},   /* raw: version nibble 7 */
	};
	uint8_t pkt_bytes[sizeof(ipv4_hdr) + sizeof(tcp_seg)];
	struct t_frame tf;
	struct tlsd_pkt p, sentinel;

	memcpy(pkt_bytes, ipv4_hdr, sizeof(ipv4_hdr));
	memcpy(pkt_bytes + sizeof(ipv4_hdr), tcp_seg, sizeof(tcp_seg));
	pkt_bytes[cases[_i].off] = cases[_i].val;
	frame_build(&tf, _i == 5 ? DLT_RAW : 228, pkt_bytes, sizeof(pkt_bytes), NULL, 0, NULL, 0);
	memset(&p, 0xa5, sizeof(p));
	sentinel = p;
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_MALFORMED);
	ck_assert_uint_eq(ctx.cnt.anomalies[cases[_i].anom], 1);
	ck_assert_mem_eq(&p, &sentinel, sizeof(p));
	ck_assert_uint_eq(ctx.cnt.tcp_packets, 0);
	frame_free(&tf);
}
END_TEST

/* ---- truncation at every length ------------------------------------------ */

/* Ethernet/IPv4/TCP and Ethernet/VLAN/IPv6/TCP cut at every byte, both as a
 * snaplen cut (wirelen full) and as a genuinely short frame. */
static void truncate_all(const uint8_t *full, size_t n, size_t hdr_end)
{
	for (size_t cap = 0; cap < n; cap++) {
		for (int snap = 0; snap < 2; snap++) {
			struct tlsd_frame f = {.ts = 1, .caplen = (uint32_t)cap,
					       .wirelen = (uint32_t)(snap ? n : cap),
					       .dlt = DLT_EN10MB};
			uint8_t *b = malloc(cap ? cap : 1);
			struct tlsd_pkt p;
			enum tlsd_decode_status r;

			ck_assert_ptr_nonnull(b);
			memcpy(b, full, cap);
			f.data = cap ? b : NULL;
			r = tlsd_decode_frame(dec, &ctx, &f, &p);
			if (r == TLSD_DECODE_TCP) {
				ck_assert_uint_ge(cap, hdr_end);
				ck_assert_uint_eq(p.payload_len, cap - hdr_end);
				ck_assert_uint_eq(p.payload_wire_len, snap ? n - hdr_end : cap - hdr_end);
				ck_assert(p.payload_len == 0 || p.payload == b + hdr_end);
			} else {
				ck_assert_msg(r == TLSD_DECODE_TRUNCATED || r == TLSD_DECODE_MALFORMED,
					      "cap %zu snap %d: %d", cap, snap, r);
				ck_assert_uint_lt(cap, hdr_end);
				if (snap)
					ck_assert_int_eq(r, TLSD_DECODE_TRUNCATED);
			}
			free(b);
		}
	}
}

START_TEST(tc_truncate_eth_ipv4_tcp)
{
	uint8_t full[14 + 20 + sizeof(tcp_seg)];

	memcpy(full, eth_v4, 14);
	memcpy(full + 14, ipv4_hdr, 20);
	memcpy(full + 34, tcp_seg, sizeof(tcp_seg));
	truncate_all(full, sizeof(full), 14 + 20 + TCP_HDR_LEN);
}
END_TEST

START_TEST(tc_truncate_eth_vlan_ipv6_tcp)
{
	static const uint8_t vlan[] = {0x81, 0x00, 0x00, 0x2a, 0x86, 0xdd};
	uint8_t full[12 + 6 + 40 + sizeof(tcp_seg)];

	memcpy(full, eth_v6, 12);
	memcpy(full + 12, vlan, 6);
	memcpy(full + 18, ipv6_hdr, 40);
	memcpy(full + 58, tcp_seg, sizeof(tcp_seg));
	truncate_all(full, sizeof(full), 18 + 40 + TCP_HDR_LEN);
}
END_TEST

/* The options of nearly every segment after the handshake, which the
 * decoder reads on a fast path: NOP NOP TS 0x11223344,0x55667788 (doff 8),
 * payload "hello". */
static const uint8_t tcp_seg_ts[] = {
	0xc0, 0x00, 0x01, 0xbb, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d,
	0x80, 0x18, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x01, 0x08, 0x0a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	'h', 'e', 'l', 'l', 'o',
};

START_TEST(tc_truncate_eth_ipv4_tcp_ts)
{
	uint8_t full[14 + 20 + sizeof(tcp_seg_ts)];

	memcpy(full, eth_v4, 14);
	memcpy(full + 14, ipv4_hdr, 20);
	full[14 + 3] = (uint8_t)(20 + sizeof(tcp_seg_ts));
	memcpy(full + 34, tcp_seg_ts, sizeof(tcp_seg_ts));
	truncate_all(full, sizeof(full), 14 + 20 + 32);
}
END_TEST

/* ---- TCP options ------------------------------------------------------- */

/* Option areas next to the fast path's layout (NOP NOP TS in 12 bytes)
 * read as the general parser reads them. */
static const struct {
	uint8_t opts[16];
	uint8_t len; /* 12 or 16 */
	bool ts, bad;
} ts_layouts[] = {
	{{0x01, 0x01, 0x08, 0x0a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}, 12, true, false},
	{{0x08, 0x0a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x01, 0x01}, 12, true, false},
	{{0x01, 0x01, 0x08, 0x0a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x01, 0x01, 0x01,
	  0x00}, 16, true, false},
	{{0x01, 0x01, 0x08, 0x08, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x01, 0x01}, 12, false, true},
	{{0x01, 0x01, 0x08, 0x0b, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}, 12, false, true},
	{{0x01, 0x00, 0x08, 0x0a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}, 12, false, false},
	{{0x01, 0x01, 0x01, 0x08, 0x0a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77}, 12, false, true},
};

START_TEST(tc_tcp_options_ts_layouts)
{
	uint8_t ip[20], seg[20 + 16 + 5];
	size_t n = 20 + ts_layouts[_i].len + 5;
	struct t_frame tf;
	struct tlsd_pkt p;

	memcpy(ip, ipv4_hdr, 20);
	ip[3] = (uint8_t)(20 + n);
	memcpy(seg, tcp_seg_ts, 20);
	seg[12] = (uint8_t)((20 + ts_layouts[_i].len) / 4 << 4);
	memcpy(seg + 20, ts_layouts[_i].opts, ts_layouts[_i].len);
	memcpy(seg + 20 + ts_layouts[_i].len, "hello", 5);
	frame_build(&tf, 228, ip, sizeof(ip), seg, n, NULL, 0);
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TCP);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_PKT_BAD_TCP_OPTION], ts_layouts[_i].bad);
	ck_assert_int_eq(p.opts.has_timestamps, ts_layouts[_i].ts);
	if (ts_layouts[_i].ts) {
		ck_assert_uint_eq(p.opts.ts_val, 0x11223344);
		ck_assert_uint_eq(p.opts.ts_ecr, 0x55667788);
	}
	ck_assert(!p.opts.has_mss && !p.opts.has_wscale && !p.opts.sack_permitted);
	ck_assert_uint_eq(p.payload_len, 5);
	ck_assert_mem_eq(p.payload, "hello", 5);
	frame_free(&tf);
}
END_TEST

START_TEST(tc_tcp_options_valid)
{
	struct t_frame tf;
	struct tlsd_pkt p;

	frame_build(&tf, 228, ipv4_hdr, sizeof(ipv4_hdr), tcp_seg, sizeof(tcp_seg), NULL, 0);
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TCP);
	ck_assert(p.opts.has_mss);
	ck_assert_uint_eq(p.opts.mss, 1460);
	ck_assert(p.opts.has_wscale);
	ck_assert_uint_eq(p.opts.wscale, 7);
	ck_assert(p.opts.sack_permitted);
	ck_assert(p.opts.has_timestamps);
	ck_assert_uint_eq(p.opts.ts_val, 1);
	ck_assert_uint_eq(p.opts.ts_ecr, 2);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_PKT_BAD_TCP_OPTION], 0);
	frame_free(&tf);
}
END_TEST

/* 8 option bytes per case; the segment is delivered, the option counted. */
START_TEST(tc_tcp_options_bad)
{
	static const uint8_t opts[][8] = {
		{0x02, 0x00, 0, 0, 0, 0, 0, 0},       /* length 0 */
		{0x02, 0x01, 0, 0, 0, 0, 0, 0},       /* length 1 */
		{0x01, 0x01, 0x05, 0x0a, 0, 0, 0, 0}, /* SACK length past the header */
		{0x02, 0x03, 0x05, 0, 0, 0, 0, 0},    /* MSS with length 3 */
		{0x03, 0x04, 0x07, 0, 0, 0, 0, 0},    /* window scale with length 4 */
		{0x08, 0x08, 0, 0, 0, 0, 0, 0},       /* timestamps with length 8 */
		{0x04, 0x03, 0, 0, 0, 0, 0, 0},       /* SACK-permitted with length 3 */
		{0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x1e}, /* kind without length */
	};
	uint8_t ip[20], seg[28 + 5];
	struct t_frame tf;
	struct tlsd_pkt p;

	memcpy(ip, ipv4_hdr, 20);
	ip[3] = 20 + sizeof(seg);
	memcpy(seg, tcp_seg, 20);
	seg[12] = 0x70;
	memcpy(seg + 20, opts[_i], 8);
	memcpy(seg + 28, "hello", 5);
	frame_build(&tf, 228, ip, sizeof(ip), seg, sizeof(seg), NULL, 0);
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TCP);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_PKT_BAD_TCP_OPTION], 1);
	ck_assert_uint_eq(p.payload_len, 5);
	ck_assert_mem_eq(p.payload, "hello", 5);
	ck_assert(!p.opts.has_timestamps);
	frame_free(&tf);
}
END_TEST

/* Window scale above 14 is treated as 14 (RFC 7323 2.3). */
START_TEST(tc_tcp_wscale_clamped)
{
	uint8_t seg[sizeof(tcp_seg)];
	struct t_frame tf;
	struct tlsd_pkt p;

	memcpy(seg, tcp_seg, sizeof(seg));
	seg[39] = 15;
	frame_build(&tf, 228, ipv4_hdr, sizeof(ipv4_hdr), seg, sizeof(seg), NULL, 0);
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TCP);
	ck_assert_uint_eq(p.opts.wscale, 14);
	frame_free(&tf);
}
END_TEST

/* ---- UDP and other protocols ----------------------------------------- */

START_TEST(tc_udp_and_other)
{
	/* UDP 5353 -> 53, length 12, then 4 bytes */
	static const uint8_t udp[] = {0x14, 0xe9, 0x00, 0x35, 0x00, 0x0c, 0, 0, 1, 2, 3, 4};
	uint8_t ip[20];
	struct t_frame tf;
	struct tlsd_pkt p;

	memcpy(ip, ipv4_hdr, 20);
	ip[3] = 32;
	ip[9] = 17;
	frame_build(&tf, 228, ip, sizeof(ip), udp, sizeof(udp), NULL, 0);
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_UDP);
	ck_assert_uint_eq(p.sport, 5353);
	ck_assert_uint_eq(p.dport, 53);
	ck_assert_uint_eq(p.ip_proto, 17);
	ck_assert_uint_eq(p.payload_len, 4);
	ck_assert_uint_eq(ctx.cnt.udp_packets, 1);
	tf.buf[9] = 1; /* ICMP */
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_SKIP);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_PKT_NON_TCP], 1);
	frame_free(&tf);
}
END_TEST

/* ---- IPv6 extension headers -------------------------------------------- */

/* hop-by-hop (8) -> destination options (16) -> routing (8) -> AH (16) -> TCP */
static const uint8_t v6_ext_chain[] = {
	60, 0, 1, 4, 0, 0, 0, 0,                                  /* HBH, PadN */
	43, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,         /* DST, PadN */
	51, 0, 4, 0, 0, 0, 0, 0,                                  /* routing type 4, segs left 0 */
	6, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0,           /* AH: len 2 -> 16 bytes */
};

static void v6_frame(struct t_frame *tf, uint8_t first, const uint8_t *ext, size_t elen)
{
	uint8_t ip[40];

	memcpy(ip, ipv6_hdr, 40);
	ip[5] = (uint8_t)(elen + sizeof(tcp_seg));
	ip[6] = first;
	frame_build(tf, 229, ip, sizeof(ip), ext, elen, tcp_seg, sizeof(tcp_seg));
}

START_TEST(tc_ipv6_ext_chain)
{
	struct t_frame tf;
	struct tlsd_pkt p;

	v6_frame(&tf, 0, v6_ext_chain, sizeof(v6_ext_chain));
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TCP);
	check_base_tcp(&p, 6);
	frame_free(&tf);
}
END_TEST

START_TEST(tc_ipv6_ext_bad)
{
	static const uint8_t no_next[] = {59, 0, 1, 4, 0, 0, 0, 0};
	static const uint8_t too_long[] = {6, 200, 1, 4, 0, 0, 0, 0};
	static const uint8_t atomic[] = {6, 0, 0, 0, 0, 0, 0, 9}; /* offset 0, M 0 */
	struct t_frame tf;
	struct tlsd_pkt p;

	v6_frame(&tf, 60, no_next, sizeof(no_next));
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_SKIP);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_PKT_NON_TCP], 1);
	frame_free(&tf);

	v6_frame(&tf, 0, too_long, sizeof(too_long));
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_MALFORMED);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_PKT_BAD_IPV6_EXT], 1);
	frame_free(&tf);

	v6_frame(&tf, 44, atomic, sizeof(atomic));
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TCP);
	ck_assert(!p.reassembled);
	check_base_tcp(&p, 6);
	frame_free(&tf);
}
END_TEST

/* ---- IP fragments ------------------------------------------------------- */

/* The fragmentable part used below: a 20-byte TCP header and 44 payload bytes. */
#define FRAG_TOTAL 64u
static uint8_t frag_data[FRAG_TOTAL];

static void frag_data_init(void)
{
	memcpy(frag_data, tcp_seg, 20);
	frag_data[12] = 0x50;
	for (unsigned i = 20; i < FRAG_TOTAL; i++)
		frag_data[i] = (uint8_t)i;
}

/* IPv4 fragment of frag_data[off, off+len) (or of `data` if given). */
static void v4_frag(struct t_frame *tf, uint16_t id, unsigned off, unsigned len, bool more,
		    const uint8_t *data)
{
	uint8_t ip[20];
	uint16_t fl = (uint16_t)((more ? 0x2000 : 0) | off / 8);

	memcpy(ip, ipv4_hdr, 20);
	ip[2] = (uint8_t)((20 + len) >> 8);
	ip[3] = (uint8_t)(20 + len);
	ip[4] = (uint8_t)(id >> 8);
	ip[5] = (uint8_t)id;
	ip[6] = (uint8_t)(fl >> 8);
	ip[7] = (uint8_t)fl;
	frame_build(tf, DLT_EN10MB, eth_v4, sizeof(eth_v4), ip, 20, data ? data : frag_data + off,
		    len);
}

/* IPv6 fragment: fixed header, fragment header, data. */
static void v6_frag(struct t_frame *tf, uint32_t ident, unsigned off, unsigned len, bool more)
{
	uint8_t ip[48];
	uint16_t fo = (uint16_t)(off | (more ? 1 : 0));

	memcpy(ip, ipv6_hdr, 40);
	ip[4] = (uint8_t)((8 + len) >> 8);
	ip[5] = (uint8_t)(8 + len);
	ip[6] = 44;
	memcpy(ip + 40, (const uint8_t[]){6, 0, (uint8_t)(fo >> 8), (uint8_t)fo,
					  (uint8_t)(ident >> 24), (uint8_t)(ident >> 16),
					  (uint8_t)(ident >> 8), (uint8_t)ident},
	       8);
	frame_build(tf, DLT_RAW, ip, sizeof(ip), frag_data + off, len, NULL, 0);
}

static const struct {
	unsigned off, len;
	bool more;
} frag3[] = {{0, 24, true}, {24, 24, true}, {48, 16, false}};

static void check_reassembled(const struct tlsd_pkt *p, const struct t_frame *last)
{
	ck_assert(p->reassembled);
	ck_assert_uint_eq(p->sport, 49152);
	ck_assert_uint_eq(p->payload_len, FRAG_TOTAL - 20);
	ck_assert_uint_eq(p->payload_wire_len, FRAG_TOTAL - 20);
	ck_assert_mem_eq(p->payload, frag_data + 20, FRAG_TOTAL - 20);
	ck_assert_ptr_eq(p->frame, &last->f);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_REASSEMBLED], 1);
}

/* _i: 0 in order, 1 reverse order, 2 middle first; IPv4 then IPv6. */
static void run_frag3(int order, bool v6)
{
	static const int orders[3][3] = {{0, 1, 2}, {2, 1, 0}, {1, 2, 0}};
	struct t_frame tf[3];
	struct tlsd_pkt p;

	frag_data_init();
	for (int k = 0; k < 3; k++) {
		int i = orders[order][k];

		if (v6)
			v6_frag(&tf[k], 0xabcdef01, frag3[i].off, frag3[i].len, frag3[i].more);
		else
			v4_frag(&tf[k], 0x4242, frag3[i].off, frag3[i].len, frag3[i].more, NULL);
		if (k < 2) {
			ck_assert_int_eq(decode(&tf[k], &p), TLSD_DECODE_FRAGMENT);
			ck_assert_uint_gt(ctx.ipfrag_mem_used, 0);
		}
	}
	ck_assert_int_eq(decode(&tf[2], &p), TLSD_DECODE_TCP);
	check_reassembled(&p, &tf[2]);
	ck_assert_uint_eq(ctx.ipfrag_mem_used, 0);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_FRAGMENTS], 3);
	ck_assert_uint_eq(ctx.cnt.tcp_packets, 1);
	for (int k = 0; k < 3; k++)
		frame_free(&tf[k]);
}

START_TEST(tc_ipv4_frag_orders)
{
	run_frag3(_i, false);
}
END_TEST

START_TEST(tc_ipv6_frag_orders)
{
	run_frag3(_i, true);
}
END_TEST

/* Overlap: [0,24) then [16,40) with different bytes, then [40,64). The
 * first copy of bytes 16..23 wins, the overlap is counted. */
START_TEST(tc_ipv4_frag_overlap)
{
	uint8_t other[24];
	struct t_frame a, b, c;
	struct tlsd_pkt p;

	frag_data_init();
	memset(other, 0xee, sizeof(other));
	memcpy(other + 8, frag_data + 24, 16);
	v4_frag(&a, 7, 0, 24, true, NULL);
	v4_frag(&b, 7, 16, 24, true, other);
	v4_frag(&c, 7, 40, 24, false, NULL);
	ck_assert_int_eq(decode(&a, &p), TLSD_DECODE_FRAGMENT);
	ck_assert_int_eq(decode(&b, &p), TLSD_DECODE_FRAGMENT);
	ck_assert_int_eq(decode(&c, &p), TLSD_DECODE_TCP);
	check_reassembled(&p, &c);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_OVERLAP], 1);
	frame_free(&a);
	frame_free(&b);
	frame_free(&c);
}
END_TEST

/* A missing piece: nothing is delivered; expiry frees the datagram. */
START_TEST(tc_ipv4_frag_missing_expires)
{
	struct t_frame a, c;
	struct tlsd_pkt p;

	frag_data_init();
	v4_frag(&a, 9, 0, 24, true, NULL);
	v4_frag(&c, 9, 48, 16, false, NULL);
	ck_assert_int_eq(decode(&a, &p), TLSD_DECODE_FRAGMENT);
	ck_assert_int_eq(decode(&c, &p), TLSD_DECODE_FRAGMENT);
	ck_assert_uint_gt(ctx.ipfrag_mem_used, 0);
	ctx.now = 1000 + ctx.lim.ipfrag_timeout - 1;
	tlsd_decoder_expire(dec, &ctx);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_TIMEOUT], 0);
	ctx.now = 1000 + ctx.lim.ipfrag_timeout;
	tlsd_decoder_expire(dec, &ctx);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_TIMEOUT], 1);
	ck_assert_uint_eq(ctx.ipfrag_mem_used, 0);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_REASSEMBLED], 0);
	frame_free(&a);
	frame_free(&c);
}
END_TEST

/* More datagrams than ipfrag_max: the oldest is evicted, the cap counted. */
START_TEST(tc_ipv4_frag_too_many)
{
	struct t_frame tf;
	struct tlsd_pkt p;

	frag_data_init();
	ctx.lim.ipfrag_max = 2;
	for (uint16_t id = 1; id <= 3; id++) {
		v4_frag(&tf, id, 0, 24, true, NULL);
		ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_FRAGMENT);
		frame_free(&tf);
	}
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_CAP], 1);
	/* datagram 1 was evicted: completing it yields nothing */
	v4_frag(&tf, 1, 24, 40, false, NULL);
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_FRAGMENT);
	frame_free(&tf);
	/* datagram 3 still completes */
	v4_frag(&tf, 3, 24, 40, false, NULL);
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TCP);
	frame_free(&tf);
}
END_TEST

/* Memory cap below one datagram: dropped and counted, nothing held. */
START_TEST(tc_ipv4_frag_memcap)
{
	struct t_frame tf;
	struct tlsd_pkt p;

	frag_data_init();
	ctx.lim.ipfrag_mem = 64;
	v4_frag(&tf, 1, 0, 24, true, NULL);
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_SKIP);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_CAP], 1);
	ck_assert_uint_eq(ctx.ipfrag_mem_used, 0);
	frame_free(&tf);
}
END_TEST

/* Invalid fragments: past 65535 bytes, non-last not a multiple of 8, a
 * snaplen-cut fragment. */
START_TEST(tc_ipv4_frag_invalid)
{
	static uint8_t big[64];
	struct t_frame tf;
	struct tlsd_pkt p;

	v4_frag(&tf, 5, 8189 * 8, 64, false, big); /* ends at 65576 */
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_SKIP);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_BAD], 1);
	frame_free(&tf);

	v4_frag(&tf, 5, 0, 20, true, big); /* MF with 20 bytes */
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_SKIP);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_BAD], 2);
	frame_free(&tf);

	v4_frag(&tf, 5, 0, 24, true, big);
	tf.f.caplen -= 4;
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_TRUNCATED);
	ck_assert_uint_eq(ctx.ipfrag_mem_used, 0);
	frame_free(&tf);
}
END_TEST

/* ---- encapsulations ------------------------------------------------------ */

/* A frame under construction: bytes appended front to back; outer length
 * fields (IPv4 total, IPv6 payload, UDP length) are patched at the end. */
struct bb {
	uint8_t b[600];
	size_t n;
	struct {
		size_t off;
		char kind; /* '4', '6', 'u' */
	} fix[12];
	size_t nfix;
};

static void put(struct bb *f, const void *p, size_t n)
{
	ck_assert_uint_le(f->n + n, sizeof(f->b));
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

#define PUT(f, ...)                                                                                \
	do {                                                                                       \
		static const uint8_t b_[] = {__VA_ARGS__};                                         \
		put(f, b_, sizeof(b_));                                                            \
	} while (0)

static void fixup(struct bb *f, char kind)
{
	ck_assert_uint_lt(f->nfix, TLSD_ARRAY_SIZE(f->fix));
	f->fix[f->nfix].off = f->n;
	f->fix[f->nfix++].kind = kind;
}

/* Outer IPv4 (10.0.0.1 -> 10.0.0.2, TTL 9) / IPv6 / UDP headers. */
static void put_ipv4(struct bb *f, uint8_t proto)
{
	uint8_t h[20] = {0x45, 0, 0, 0, 0, 1, 0x40, 0, 9, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};

	fixup(f, '4');
	put(f, h, sizeof(h));
}

static void put_ipv6(struct bb *f, uint8_t next)
{
	uint8_t h[40] = {0x60, 0, 0, 0, 0, 0, next, 9};

	h[8] = h[24] = 0xfd;
	h[23] = 1;
	h[39] = 2;
	fixup(f, '6');
	put(f, h, sizeof(h));
}

static void put_udp(struct bb *f, uint16_t sport, uint16_t dport)
{
	uint8_t h[8] = {(uint8_t)(sport >> 8), (uint8_t)sport, (uint8_t)(dport >> 8), (uint8_t)dport};

	fixup(f, 'u');
	put(f, h, sizeof(h));
}

static void put_eth(struct bb *f, uint16_t type)
{
	uint8_t h[14] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, (uint8_t)(type >> 8), (uint8_t)type};

	put(f, h, sizeof(h));
}

/* The inner connection: ipv4_hdr / ipv6_hdr and tcp_seg. */
static void put_inner(struct bb *f, int ver)
{
	if (ver == 4)
		put(f, ipv4_hdr, sizeof(ipv4_hdr));
	else
		put(f, ipv6_hdr, sizeof(ipv6_hdr));
	put(f, tcp_seg, sizeof(tcp_seg));
}

static void finish(struct bb *f)
{
	for (size_t i = 0; i < f->nfix; i++) {
		size_t off = f->fix[i].off, v = f->n - off;
		size_t at = f->fix[i].kind == '4' ? off + 2 : f->fix[i].kind == '6' ? off + 4 : off + 4;

		if (f->fix[i].kind == '6')
			v -= 40;
		f->b[at] = (uint8_t)(v >> 8);
		f->b[at + 1] = (uint8_t)v;
	}
}

struct encap_case {
	const char *name;
	void (*build)(struct bb *f);
	int dlt;
	int ver;     /* inner IP version */
	bool tunnel; /* IP inside IP */
};

/* Ethernet / PPPoE session / PPP IPv4 or IPv6 (RFC 2516). */
static void b_pppoe4(struct bb *f)
{
	put_eth(f, 0x8864);
	PUT(f, 0x11, 0x00, 0x12, 0x34, 0x00, 0x57, 0x00, 0x21);
	put_inner(f, 4);
}
static void b_pppoe6(struct bb *f)
{
	put_eth(f, 0x8864);
	PUT(f, 0x11, 0x00, 0x12, 0x34, 0x00, 0x6b, 0x00, 0x57);
	put_inner(f, 6);
}
/* QinQ then PPPoE. */
static void b_qinq_pppoe(struct bb *f)
{
	put_eth(f, 0x88a8);
	PUT(f, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x0b, 0x88, 0x64);
	PUT(f, 0x11, 0x00, 0x00, 0x01, 0x00, 0x57, 0x00, 0x21);
	put_inner(f, 4);
}

/* PPPoE whose length (PPP + a 40-byte IPv4/TCP) is shorter than the IP
 * total length and the frame: padding after it is not payload (a capture
 * in the wild: IP says 46, PPPoE 42, the frame has Ethernet padding). */
START_TEST(tc_pppoe_length_bounds)
{
	static const uint8_t frame[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x88, 0x64,  /* Ethernet */
		0x11, 0x00, 0x00, 0x01, 0x00, 0x2a, 0x00, 0x21,    /* PPPoE len 42, PPP IPv4 */
		0x45, 0x00, 0x00, 0x2e, 0x00, 0x01, 0x40, 0x00,    /* IPv4, total 46 (wrong) */
		0x40, 0x06, 0x00, 0x00, 1, 1, 1, 1, 2, 2, 2, 2,
		0x4f, 0xaa, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 1,    /* TCP, no options */
		0x50, 0x10, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
		0, 0, 0, 0, 0, 0,                                  /* Ethernet padding */
	};
	struct tlsd_frame fr = {.caplen = sizeof(frame), .wirelen = sizeof(frame),
				.dlt = DLT_EN10MB, .data = frame};
	struct tlsd_pkt pkt;

	/* ctx and dec come from the suite's fixture. */
	ck_assert_int_eq(tlsd_decode_frame(dec, &ctx, &fr, &pkt), TLSD_DECODE_TCP);
	ck_assert_uint_eq(pkt.payload_len, 0);
	ck_assert_uint_eq(pkt.payload_wire_len, 0);
}
END_TEST
/* DLT_PPP: HDLC-like framing; without it; protocol field compressed. */
static void b_ppp_hdlc(struct bb *f)
{
	PUT(f, 0xff, 0x03, 0x00, 0x21);
	put_inner(f, 4);
}
static void b_ppp_bare6(struct bb *f)
{
	PUT(f, 0x00, 0x57);
	put_inner(f, 6);
}
static void b_ppp_pfc(struct bb *f)
{
	PUT(f, 0xff, 0x03, 0x21);
	put_inner(f, 4);
}
/* Cisco HDLC (DLT_C_HDLC, or DLT_PPP_SERIAL with address 0x0f). */
static void b_chdlc(struct bb *f)
{
	PUT(f, 0x0f, 0x00, 0x08, 0x00);
	put_inner(f, 4);
}
/* DLT_PPP_ETHER: PPPoE header only. DLT_PPP_WITH_DIR: direction byte. */
static void b_ppp_ether(struct bb *f)
{
	PUT(f, 0x11, 0x00, 0x00, 0x01, 0x00, 0x6b, 0x00, 0x57);
	put_inner(f, 6);
}
static void b_ppp_dir(struct bb *f)
{
	PUT(f, 0x01, 0xff, 0x03, 0x00, 0x21);
	put_inner(f, 4);
}
/* MPLS: two labels, bottom of stack on the second. */
static void b_mpls(struct bb *f)
{
	put_eth(f, 0x8847);
	PUT(f, 0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40);
	put_inner(f, 6);
}
/* GRE version 0 (RFC 2784): no options, IPv4. */
static void b_gre4(struct bb *f)
{
	put_eth(f, 0x0800);
	put_ipv4(f, 47);
	PUT(f, 0x00, 0x00, 0x08, 0x00);
	put_inner(f, 4);
}
/* GRE with checksum, key and sequence (RFC 2890) over IPv6, carrying IPv6. */
static void b_gre_cks6(struct bb *f)
{
	put_eth(f, 0x86dd);
	put_ipv6(f, 47);
	PUT(f, 0xb0, 0x00, 0x86, 0xdd, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 1);
	put_inner(f, 6);
}
/* GRE transparent Ethernet bridging, the bridged frame VLAN-tagged. */
static void b_gre_teb(struct bb *f)
{
	put_eth(f, 0x0800);
	put_ipv4(f, 47);
	PUT(f, 0x20, 0x00, 0x65, 0x58, 0, 0, 0, 5);
	put_eth(f, 0x8100);
	PUT(f, 0x00, 0x64, 0x08, 0x00);
	put_inner(f, 4);
}
/* Enhanced GRE (PPTP, RFC 2637): K S A, payload length, call ID, seq, ack,
 * then PPP in HDLC-like framing. Payload length patched by b_pptp. */
static void b_pptp(struct bb *f)
{
	put_eth(f, 0x0800);
	put_ipv4(f, 47);
	PUT(f, 0x30, 0x81, 0x88, 0x0b, 0x00, 0x59, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2);
	PUT(f, 0xff, 0x03, 0x00, 0x21);
	put_inner(f, 4);
	f->b[14 + 20 + 4] = 0; /* payload length: PPP header + inner packet */
	f->b[14 + 20 + 5] = (uint8_t)(4 + sizeof(ipv4_hdr) + sizeof(tcp_seg));
}
/* ERSPAN type I (no sequence, no header), II (S, 8-byte header), III (12
 * bytes plus an 8-byte platform subheader). */
static void b_erspan1(struct bb *f)
{
	put_eth(f, 0x0800);
	put_ipv4(f, 47);
	PUT(f, 0x00, 0x00, 0x88, 0xbe);
	put_eth(f, 0x0800);
	put_inner(f, 4);
}
static void b_erspan2(struct bb *f)
{
	put_eth(f, 0x0800);
	put_ipv4(f, 47);
	PUT(f, 0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 1);
	PUT(f, 0x10, 0x01, 0x00, 0x05, 0, 0, 0, 0);
	put_eth(f, 0x86dd);
	put_inner(f, 6);
}
static void b_erspan3(struct bb *f)
{
	put_eth(f, 0x0800);
	put_ipv4(f, 47);
	PUT(f, 0x10, 0x00, 0x22, 0xeb, 0, 0, 0, 1);
	PUT(f, 0x20, 0x01, 0x00, 0x05, 1, 2, 3, 4, 0, 0, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0);
	put_eth(f, 0x0800);
	put_inner(f, 4);
}
/* IP in IP: 4in4, 6in4 (RFC 4213), 4in6 and 6in6 (RFC 2473). */
static void b_4in4(struct bb *f)
{
	put_ipv4(f, 4);
	put_inner(f, 4);
}
static void b_6in4(struct bb *f)
{
	put_eth(f, 0x0800);
	put_ipv4(f, 41);
	put_inner(f, 6);
}
static void b_4in6(struct bb *f)
{
	put_eth(f, 0x86dd);
	put_ipv6(f, 4);
	put_inner(f, 4);
}
static void b_6in6(struct bb *f)
{
	put_ipv6(f, 41);
	put_inner(f, 6);
}
/* VXLAN (RFC 7348) to 4789; the Linux port 8472 as the source port. */
static void b_vxlan(struct bb *f)
{
	put_eth(f, 0x0800);
	put_ipv4(f, 17);
	put_udp(f, 50000, 4789);
	PUT(f, 0x08, 0, 0, 0, 0, 0, 0x2a, 0);
	put_eth(f, 0x0800);
	put_inner(f, 4);
}
static void b_vxlan_sport(struct bb *f)
{
	put_eth(f, 0x86dd);
	put_ipv6(f, 17);
	put_udp(f, 8472, 50000);
	PUT(f, 0x08, 0, 0, 0, 0, 0, 0x2a, 0);
	put_eth(f, 0x86dd);
	put_inner(f, 6);
}
/* VXLAN-GPE with next protocol IPv4 (no inner Ethernet). */
static void b_vxlan_gpe(struct bb *f)
{
	put_eth(f, 0x0800);
	put_ipv4(f, 17);
	put_udp(f, 50000, 4790);
	PUT(f, 0x0c, 0, 0, 0x01, 0, 0, 0x2a, 0);
	put_inner(f, 4);
}
/* Geneve (RFC 8926) with one 8-byte option, Ethernet payload. */
static void b_geneve(struct bb *f)
{
	put_eth(f, 0x0800);
	put_ipv4(f, 17);
	put_udp(f, 50000, 6081);
	PUT(f, 0x02, 0x00, 0x65, 0x58, 0, 0, 0x2a, 0, 0x01, 0x02, 0x03, 0x01, 0, 0, 0, 0);
	put_eth(f, 0x86dd);
	put_inner(f, 6);
}
/* GTP-U G-PDU, plain (length = inner) and with S + an extension header
 * (PDU session container, 4 bytes). */
static void b_gtp(struct bb *f)
{
	put_eth(f, 0x0800);
	put_ipv4(f, 17);
	put_udp(f, 2152, 2152);
	PUT(f, 0x30, 0xff, 0x00, (uint8_t)(sizeof(ipv4_hdr) + sizeof(tcp_seg)), 0, 0, 0, 1);
	put_inner(f, 4);
}
static void b_gtp_ext(struct bb *f)
{
	put_eth(f, 0x0800);
	put_ipv4(f, 17);
	put_udp(f, 40000, 2152);
	PUT(f, 0x36, 0xff, 0x00, (uint8_t)(8 + sizeof(ipv6_hdr) + sizeof(tcp_seg)), 0, 0, 0, 1);
	PUT(f, 0x00, 0x01, 0x00, 0x85, 0x01, 0x10, 0x09, 0x00);
	put_inner(f, 6);
}

static const struct encap_case encap_cases[] = {
	{"pppoe v4", b_pppoe4, DLT_EN10MB, 4, false},
	{"pppoe v6", b_pppoe6, DLT_EN10MB, 6, false},
	{"qinq pppoe", b_qinq_pppoe, DLT_EN10MB, 4, false},
	{"ppp hdlc", b_ppp_hdlc, DLT_PPP, 4, false},
	{"ppp bare v6", b_ppp_bare6, DLT_PPP, 6, false},
	{"ppp pfc", b_ppp_pfc, DLT_PPP, 4, false},
	{"ppp serial", b_ppp_hdlc, 50, 4, false},
	{"ppp serial chdlc", b_chdlc, 50, 4, false},
	{"c_hdlc", b_chdlc, 104, 4, false},
	{"ppp ether", b_ppp_ether, 51, 6, false},
	{"ppp with dir", b_ppp_dir, 204, 4, false},
	{"mpls", b_mpls, DLT_EN10MB, 6, false},
	{"gre v4", b_gre4, DLT_EN10MB, 4, true},
	{"gre csum key seq v6", b_gre_cks6, DLT_EN10MB, 6, true},
	{"gre teb vlan", b_gre_teb, DLT_EN10MB, 4, true},
	{"pptp", b_pptp, DLT_EN10MB, 4, true},
	{"erspan 1", b_erspan1, DLT_EN10MB, 4, true},
	{"erspan 2", b_erspan2, DLT_EN10MB, 6, true},
	{"erspan 3", b_erspan3, DLT_EN10MB, 4, true},
	{"4in4", b_4in4, DLT_RAW, 4, true},
	{"6in4", b_6in4, DLT_EN10MB, 6, true},
	{"4in6", b_4in6, DLT_EN10MB, 4, true},
	{"6in6", b_6in6, 229, 6, true},
	{"vxlan", b_vxlan, DLT_EN10MB, 4, true},
	{"vxlan sport 8472", b_vxlan_sport, DLT_EN10MB, 6, true},
	{"vxlan-gpe", b_vxlan_gpe, DLT_EN10MB, 4, true},
	{"geneve", b_geneve, DLT_EN10MB, 6, true},
	{"gtp-u", b_gtp, DLT_EN10MB, 4, true},
	{"gtp-u ext", b_gtp_ext, DLT_EN10MB, 6, true},
};

static void encap_build(const struct encap_case *ec, struct bb *f)
{
	*f = (struct bb){.n = 0};
	ec->build(f);
	finish(f);
}

START_TEST(tc_encap)
{
	const struct encap_case *ec = &encap_cases[_i];
	struct bb f;
	struct t_frame tf;
	struct tlsd_pkt p;

	encap_build(ec, &f);
	frame_build(&tf, ec->dlt, f.b, f.n, NULL, 0, NULL, 0);
	ck_assert(tlsd_decode_dlt_supported(ec->dlt));
	ck_assert_msg(decode(&tf, &p) == TLSD_DECODE_TCP, "%s", ec->name);
	check_base_tcp(&p, ec->ver); /* the innermost addresses, TTL and ports */
	ck_assert_ptr_eq(p.payload, tf.buf + f.n - PAYLOAD_LEN);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_PKT_TUNNELED], ec->tunnel ? 1 : 0);
	ck_assert_uint_eq(ctx.cnt.tcp_packets, 1);
	ck_assert_uint_eq(ctx.cnt.udp_packets, 0);
	frame_free(&tf);
}
END_TEST

/* Every encapsulation cut at every length, as a snap length cut (wirelen
 * full: TRUNCATED, or plain UDP when the cut leaves no tunnel header) and
 * as a short frame. Never TCP before the payload, *pkt untouched unless
 * delivered; exact-size buffers let ASan see any over-read. */
START_TEST(tc_encap_truncate)
{
	const struct encap_case *ec = &encap_cases[_i];
	size_t hdr_end;
	struct bb f;

	encap_build(ec, &f);
	hdr_end = f.n - PAYLOAD_LEN;
	for (size_t cap = 0; cap < f.n; cap++) {
		for (int snap = 0; snap < 2; snap++) {
			struct tlsd_frame fr = {.ts = 1, .caplen = (uint32_t)cap,
						.wirelen = (uint32_t)(snap ? f.n : cap), .dlt = ec->dlt};
			uint8_t *b = malloc(cap ? cap : 1);
			struct tlsd_pkt p, sentinel;
			enum tlsd_decode_status r;

			ck_assert_ptr_nonnull(b);
			memcpy(b, f.b, cap);
			fr.data = cap ? b : NULL;
			memset(&p, 0xa5, sizeof(p));
			sentinel = p;
			r = tlsd_decode_frame(dec, &ctx, &fr, &p);
			if (r == TLSD_DECODE_TCP) {
				ck_assert_msg(cap >= hdr_end, "%s cap %zu snap %d", ec->name, cap, snap);
				ck_assert_uint_eq(p.payload_len, cap - hdr_end);
				ck_assert_uint_eq(p.payload_wire_len, snap ? PAYLOAD_LEN : cap - hdr_end);
			} else if (r != TLSD_DECODE_UDP) {
				ck_assert_msg(cap < hdr_end, "%s cap %zu snap %d: %d", ec->name, cap, snap, r);
				ck_assert_mem_eq(&p, &sentinel, sizeof(p));
				if (snap)
					ck_assert_msg(r == TLSD_DECODE_TRUNCATED, "%s cap %zu: %d",
						      ec->name, cap, r);
			} else {
				ck_assert_msg(cap < hdr_end, "%s cap %zu snap %d: UDP", ec->name, cap, snap);
			}
			free(b);
		}
	}
	ck_assert_uint_eq(ctx.ipfrag_mem_used, 0);
}
END_TEST

/* Tunnel ports whose payload is not a plausible tunnel header stay UDP. */
START_TEST(tc_udp_not_tunnel)
{
	static const struct {
		uint16_t port;
		uint8_t h[8];
	} cases[] = {
		{4789, {0x00, 0, 0, 0, 0, 0, 0x2a, 0}},       /* VXLAN without I */
		{6081, {0x40, 0, 0x65, 0x58, 0, 0, 0, 0}},    /* Geneve version 1 */
		{6081, {0x00, 0, 0x00, 0x20, 0, 0, 0, 0}},    /* Geneve, protocol not an ethertype */
		{2152, {0x48, 0xff, 0, 0, 0, 0, 0, 0}},       /* GTPv2 */
		{2152, {0x20, 0xff, 0, 0, 0, 0, 0, 0}},       /* GTP' (PT 0) */
		{4790, {0x30, 0, 0, 1, 0, 0, 0, 0}},          /* VXLAN-GPE version 3, no I */
	};
	struct bb f = {.n = 0};
	struct t_frame tf;
	struct tlsd_pkt p;

	put_ipv4(&f, 17);
	put_udp(&f, 1234, cases[_i].port);
	put(&f, cases[_i].h, 8);
	finish(&f);
	frame_build(&tf, DLT_RAW, f.b, f.n, NULL, 0, NULL, 0);
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_UDP);
	ck_assert_uint_eq(p.dport, cases[_i].port);
	ck_assert_uint_eq(p.payload_len, 8);
	/* too short to be a tunnel header at all: plain UDP too */
	tf.f.caplen = tf.f.wirelen = 20 + 8 + 3;
	tf.buf[3] = 31;
	tf.buf[20 + 5] = 11;
	ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_UDP);
	frame_free(&tf);
}
END_TEST

/* Valid tunnel messages without a packet, and invalid tunnel headers. */
START_TEST(tc_tunnel_bad)
{
	static const struct {
		uint8_t proto;      /* 47 GRE, 17 UDP to `port` */
		uint16_t port;
		uint8_t h[16];
		size_t n;
		enum tlsd_decode_status st;
		enum tlsd_anomaly anom;
	} cases[] = {
		{47, 0, {0x00, 0x02, 0x08, 0x00}, 4, TLSD_DECODE_MALFORMED, TLSD_ANOM_PKT_BAD_TUNNEL},
		{47, 0, {0x20, 0x01, 0x08, 0x00, 0, 4, 0, 1}, 8, TLSD_DECODE_MALFORMED,
		 TLSD_ANOM_PKT_BAD_TUNNEL}, /* version 1 not carrying PPP */
		{47, 0, {0x20, 0x81, 0x88, 0x0b, 0, 0, 0, 1, 0, 0, 0, 1}, 12, TLSD_DECODE_SKIP,
		 TLSD_ANOM_PKT_NON_IP}, /* PPTP acknowledgment only */
		{47, 0, {0x40, 0x00, 0x08, 0x00, 0, 0, 0, 0}, 8, TLSD_DECODE_SKIP,
		 TLSD_ANOM_PKT_NON_IP}, /* RFC 1701 routing */
		{47, 0, {0x00, 0x00, 0x88, 0x63}, 4, TLSD_DECODE_SKIP, TLSD_ANOM_PKT_NON_IP},
		{47, 0, {0x00, 0x00, 0x08, 0x00}, 4, TLSD_DECODE_MALFORMED,
		 TLSD_ANOM_PKT_BAD_IP_TOTAL_LEN}, /* announces IPv4, nothing follows */
		{47, 0, {0xa0, 0x00, 0x08, 0x00, 0, 0}, 6, TLSD_DECODE_MALFORMED,
		 TLSD_ANOM_PKT_BAD_TUNNEL}, /* checksum and key announced, not there */
		{17, 2152, {0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0}, 12, TLSD_DECODE_SKIP,
		 TLSD_ANOM_PKT_NON_IP}, /* GTP echo request */
		{17, 2152, {0x34, 0xff, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0x85, 0, 0, 0, 0}, 16,
		 TLSD_DECODE_MALFORMED, TLSD_ANOM_PKT_BAD_TUNNEL}, /* GTP extension length 0 */
		{17, 2152, {0x30, 0xff, 0, 4, 0, 0, 0, 0, 0x00, 0, 0, 0}, 12, TLSD_DECODE_SKIP,
		 TLSD_ANOM_PKT_NON_IP}, /* G-PDU that is not IP */
		{17, 4790, {0x0c, 0, 0, 0x04, 0, 0, 0, 0}, 8, TLSD_DECODE_SKIP,
		 TLSD_ANOM_PKT_NON_IP}, /* VXLAN-GPE carrying NSH */
	};
	struct bb f = {.n = 0};
	struct t_frame tf;
	struct tlsd_pkt p, sentinel;
	const enum tlsd_decode_status want = cases[_i].st;

	put_ipv4(&f, cases[_i].proto);
	if (cases[_i].proto == 17)
		put_udp(&f, 1234, cases[_i].port);
	put(&f, cases[_i].h, cases[_i].n);
	finish(&f);
	frame_build(&tf, DLT_RAW, f.b, f.n, NULL, 0, NULL, 0);
	memset(&p, 0x5a, sizeof(p));
	sentinel = p;
	ck_assert_int_eq(decode(&tf, &p), want);
	ck_assert_mem_eq(&p, &sentinel, sizeof(p));
	ck_assert_uint_eq(ctx.cnt.anomalies[cases[_i].anom], 1);
	frame_free(&tf);
}
END_TEST

/* IPv4-in-IPv4 nested n deep: 8 IP layers decode, 9 are too deep. Also
 * 17 VLAN tags and 9 MPLS labels. */
START_TEST(tc_encap_depth)
{
	struct bb f = {.n = 0};
	struct t_frame tf;
	struct tlsd_pkt p;
	int layers = _i == 0 ? 8 : 9;

	if (_i < 2) {
		for (int k = 0; k < layers - 1; k++)
			put_ipv4(&f, 4);
		put_inner(&f, 4);
		finish(&f);
		frame_build(&tf, DLT_RAW, f.b, f.n, NULL, 0, NULL, 0);
		ck_assert_int_eq(decode(&tf, &p), _i == 0 ? TLSD_DECODE_TCP : TLSD_DECODE_SKIP);
		if (_i == 0)
			check_base_tcp(&p, 4);
	} else {
		put_eth(&f, _i == 2 ? 0x8100 : 0x8847);
		for (int k = 0; k < (_i == 2 ? 17 : 9); k++) {
			if (_i == 2)
				PUT(&f, 0x00, 0x05, 0x81, 0x00);
			else
				PUT(&f, 0x00, 0x01, 0x00, 0x40);
		}
		put_inner(&f, 4);
		finish(&f);
		frame_build(&tf, DLT_EN10MB, f.b, f.n, NULL, 0, NULL, 0);
		ck_assert_int_eq(decode(&tf, &p), TLSD_DECODE_SKIP);
	}
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_PKT_ENCAP_DEPTH], _i == 0 ? 0 : 1);
	frame_free(&tf);
}
END_TEST

/* An inner datagram fragmented inside GRE (outer not fragmented): the inner
 * fragments are reassembled, keyed by the inner addresses. */
START_TEST(tc_inner_fragments)
{
	struct t_frame tf[3];
	struct tlsd_pkt p;

	frag_data_init();
	for (int k = 0; k < 3; k++) {
		struct bb f = {.n = 0};
		uint16_t fl = (uint16_t)((frag3[k].more ? 0x2000 : 0) | frag3[k].off / 8);
		uint8_t ip[20];

		put_eth(&f, 0x0800);
		put_ipv4(&f, 47);
		PUT(&f, 0x00, 0x00, 0x08, 0x00);
		memcpy(ip, ipv4_hdr, 20);
		ip[2] = 0;
		ip[3] = (uint8_t)(20 + frag3[k].len);
		ip[6] = (uint8_t)(fl >> 8);
		ip[7] = (uint8_t)fl;
		put(&f, ip, 20);
		put(&f, frag_data + frag3[k].off, frag3[k].len);
		finish(&f);
		frame_build(&tf[k], DLT_EN10MB, f.b, f.n, NULL, 0, NULL, 0);
		ck_assert_int_eq(decode(&tf[k], &p), k < 2 ? TLSD_DECODE_FRAGMENT : TLSD_DECODE_TCP);
	}
	check_reassembled(&p, &tf[2]);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_PKT_TUNNELED], 1);
	for (int k = 0; k < 3; k++)
		frame_free(&tf[k]);
}
END_TEST

/* Outer IPv4 fragments carrying IPv4-in-IPv4 whose inner header is itself a
 * fragment: the outer datagram is reassembled, the inner fragment is
 * counted and skipped (its bytes live in the reassembly buffer). */
START_TEST(tc_nested_fragment)
{
	uint8_t inner[20 + 24];
	struct t_frame a, b;
	struct tlsd_pkt p;

	memcpy(inner, ipv4_hdr, 20);
	inner[3] = sizeof(inner);
	inner[6] = 0x20; /* MF */
	memset(inner + 20, 0x11, 24);
	v4_frag(&a, 0x99, 0, 24, true, inner);
	v4_frag(&b, 0x99, 24, 20, false, inner + 24);
	a.buf[14 + 9] = b.buf[14 + 9] = 4; /* outer protocol IPIP */
	ck_assert_int_eq(decode(&a, &p), TLSD_DECODE_FRAGMENT);
	ck_assert_int_eq(decode(&b, &p), TLSD_DECODE_SKIP);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_REASSEMBLED], 1);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_IPFRAG_NESTED], 1);
	frame_free(&a);
	frame_free(&b);
}
END_TEST

/* A reassembled outer datagram whose inner packet is whole: delivered, the
 * payload in the reassembly buffer, marked reassembled. */
START_TEST(tc_outer_fragments)
{
	uint8_t inner[sizeof(ipv4_hdr) + sizeof(tcp_seg)];
	struct t_frame a, b;
	struct tlsd_pkt p;

	memcpy(inner, ipv4_hdr, sizeof(ipv4_hdr));
	memcpy(inner + sizeof(ipv4_hdr), tcp_seg, sizeof(tcp_seg));
	v4_frag(&a, 0x98, 0, 32, true, inner);
	v4_frag(&b, 0x98, 32, sizeof(inner) - 32, false, inner + 32);
	a.buf[14 + 9] = b.buf[14 + 9] = 4;
	ck_assert_int_eq(decode(&a, &p), TLSD_DECODE_FRAGMENT);
	ck_assert_int_eq(decode(&b, &p), TLSD_DECODE_TCP);
	ck_assert(p.reassembled);
	check_base_tcp(&p, 4);
	frame_free(&a);
	frame_free(&b);
}
END_TEST

START_TEST(tc_addr_str)
{
	struct tlsd_addr a = {{0}};
	char s[46];

	ck_assert_str_eq(tlsd_addr_str(&a, 4, s, sizeof(s)), "0.0.0.0");
	ck_assert_str_eq(tlsd_addr_str(&a, 6, s, sizeof(s)), "::");
	a.b[15] = 1;
	ck_assert_str_eq(tlsd_addr_str(&a, 6, s, sizeof(s)), "::1");
}
END_TEST

/* IPv4 is formatted by hand: the same text as inet_ntop for every octet
 * value in every position, and "?" when the buffer is too short. */
START_TEST(tc_addr_str_v4_as_inet_ntop)
{
	struct tlsd_addr a = {{0}};
	char s[INET_ADDRSTRLEN], want[INET_ADDRSTRLEN];

	for (unsigned v = 0; v < 256; v++) {
		for (unsigned pos = 0; pos < 4; pos++) {
			memset(a.b, (int)(255 - v), 4);
			a.b[pos] = (uint8_t)v;
			ck_assert_ptr_nonnull(inet_ntop(AF_INET, a.b, want, sizeof(want)));
			ck_assert_str_eq(tlsd_addr_str(&a, 4, s, sizeof(s)), want);
		}
	}
	memset(a.b, 255, 4);
	ck_assert_str_eq(tlsd_addr_str(&a, 4, s, 8), "?");
}
END_TEST

Suite *decode_suite(void);
Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	struct {
		const char *name;
		const TTest *t;
		int n;
	} cases[] = {
		{"tc_link_types", tc_link_types, (int)TLSD_ARRAY_SIZE(link_cases)},
		{"tc_vlan_stack", tc_vlan_stack, 6},
		{"tc_cisco_cmd", tc_cisco_cmd, 1},
		{"tc_non_ip", tc_non_ip, 10},
		{"tc_unsupported_dlt", tc_unsupported_dlt, 1},
		{"tc_ipv4_options", tc_ipv4_options, 1},
		{"tc_ipv4_padding", tc_ipv4_padding, 1},
		{"tc_ipv4_tso", tc_ipv4_tso, 1},
		{"tc_snaplen_cut", tc_snaplen_cut, 2},
		{"tc_ipv4_total_too_long", tc_ipv4_total_too_long, 1},
		{"tc_malformed", tc_malformed, 6},
		{"tc_truncate_eth_ipv4_tcp", tc_truncate_eth_ipv4_tcp, 1},
		{"tc_truncate_eth_vlan_ipv6_tcp", tc_truncate_eth_vlan_ipv6_tcp, 1},
		{"tc_truncate_eth_ipv4_tcp_ts", tc_truncate_eth_ipv4_tcp_ts, 1},
		{"tc_tcp_options_ts_layouts", tc_tcp_options_ts_layouts,
		 (int)TLSD_ARRAY_SIZE(ts_layouts)},
		{"tc_tcp_options_valid", tc_tcp_options_valid, 1},
		{"tc_tcp_options_bad", tc_tcp_options_bad, 8},
		{"tc_tcp_wscale_clamped", tc_tcp_wscale_clamped, 1},
		{"tc_udp_and_other", tc_udp_and_other, 1},
		{"tc_ipv6_ext_chain", tc_ipv6_ext_chain, 1},
		{"tc_ipv6_ext_bad", tc_ipv6_ext_bad, 1},
		{"tc_ipv4_frag_orders", tc_ipv4_frag_orders, 3},
		{"tc_ipv6_frag_orders", tc_ipv6_frag_orders, 3},
		{"tc_ipv4_frag_overlap", tc_ipv4_frag_overlap, 1},
		{"tc_ipv4_frag_missing_expires", tc_ipv4_frag_missing_expires, 1},
		{"tc_ipv4_frag_too_many", tc_ipv4_frag_too_many, 1},
		{"tc_ipv4_frag_memcap", tc_ipv4_frag_memcap, 1},
		{"tc_ipv4_frag_invalid", tc_ipv4_frag_invalid, 1},
		{"tc_encap", tc_encap, (int)TLSD_ARRAY_SIZE(encap_cases)},
		{"tc_pppoe_length_bounds", tc_pppoe_length_bounds, 1},
		{"tc_encap_truncate", tc_encap_truncate, (int)TLSD_ARRAY_SIZE(encap_cases)},
		{"tc_udp_not_tunnel", tc_udp_not_tunnel, 6},
		{"tc_tunnel_bad", tc_tunnel_bad, 11},
		{"tc_encap_depth", tc_encap_depth, 4},
		{"tc_inner_fragments", tc_inner_fragments, 1},
		{"tc_nested_fragment", tc_nested_fragment, 1},
		{"tc_outer_fragments", tc_outer_fragments, 1},
		{"tc_addr_str", tc_addr_str, 1},
		{"tc_addr_str_v4_as_inet_ntop", tc_addr_str_v4_as_inet_ntop, 1},
	};

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(cases); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_add_loop_test(tc, cases[i].t, 0, cases[i].n);
		suite_add_tcase(s, tc);
	}
	return s;
}
