/* Link / IP / TCP decoding into views of the captured bytes.
 *
 * Every read goes through struct tlsd_cur. Two lengths travel together down
 * the layers: the cursor (bytes actually captured) and `wire` (bytes the
 * enclosing header says exist). A read that fails inside `wire` is a snaplen
 * cut (TRUNCATED); a header that claims more than `wire` is MALFORMED. */
#include "tlsd/decode.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/cur.h"
#include "tlsd/ipfrag.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ_OLD 0x9100
#define ETH_P_CISCO_CMD 0x8909 /* Cisco MetaData (SGT) tag */
#define ETH_P_PPPOE_DISC 0x8863
#define ETH_P_PPPOE_SESS 0x8864
#define ETH_P_PPP 0x880b       /* PPP in GRE (PPTP) */
#define ETH_P_TEB 0x6558       /* transparent Ethernet bridging */
#define ETH_P_ERSPAN2 0x88be
#define ETH_P_ERSPAN3 0x22eb
#define ETH_P_MPLS_UC 0x8847
#define ETH_P_MPLS_MC 0x8848
/* Internal "not IP" (an 802.3 length, so never an ethertype). */
#define ETH_P_NONE 1

#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define PPP_MPLS_UC 0x0281
#define PPP_MPLS_MC 0x0283

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_ 1
#define IPPROTO_IPIP_ 4
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_IPV6_ 41
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_GRE_ 47
#define IPPROTO_AH_ 51
#define IPPROTO_NONE_ 59
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_MH_ 135
#define IPPROTO_HIP_ 139
#define IPPROTO_SHIM6_ 140

#define IPV4_MIN_HDR 20u
#define IPV6_HDR 40u
#define TCP_MIN_HDR 20u
#define UDP_HDR 8u

/* UDP tunnels, recognised by either port and a plausible header. */
#define PORT_VXLAN 4789
#define PORT_VXLAN_LINUX 8472
#define PORT_VXLAN_GPE 4790
#define PORT_GENEVE 6081
#define PORT_GTP_U 2152

/* IP layers inside IP layers (IP-in-IP, GRE, UDP tunnels) at most. */
#define MAX_NESTING 8
/* Link-level headers (VLAN tags, PPPoE, PPP, MPLS, ...) in front of one IP
 * layer at most. */
#define MAX_LINK_HDRS 16
#define MAX_MPLS_LABELS 8

/* BSD loopback address families (DLT_NULL / DLT_LOOP). */
#define BSD_AF_INET 2
#define BSD_AF_INET6_OPENBSD 24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN 30

/* Not every libpcap names every DLT. */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#ifndef DLT_PPP_SERIAL
#define DLT_PPP_SERIAL 50
#endif
#ifndef DLT_PPP_ETHER
#define DLT_PPP_ETHER 51
#endif
#ifndef DLT_C_HDLC
#define DLT_C_HDLC 104
#endif
#ifndef DLT_PPP_WITH_DIR
#define DLT_PPP_WITH_DIR 204
#endif
#define DLT_RAW_OPENBSD 14
#define LINKTYPE_RAW_ 101

enum link_result {
	LINK_OK = 0,    /* *etype names what follows (ETH_P_NONE: not IP) */
	LINK_TRUNCATED,
	LINK_TOO_DEEP,  /* more stacked headers than decoded */
};

struct link_type {
	int dlt;
	bool sniff; /* raw IP: the version nibble decides */
	enum link_result (*decode)(struct tlsd_cur *c, uint16_t *etype);
};

struct tlsd_decoder {
	struct tlsd_ctx *ctx; /* for giving fragment memory back on free */
	struct tlsd_ipfrag *frag;
	int last_dlt;
	const struct link_type *last_link;
};

/* Per-call state handed down the layers. */
struct dec_state {
	struct tlsd_decoder *dec;
	struct tlsd_ctx *ctx;
	const struct tlsd_frame *frame;
	struct tlsd_pkt *pkt;
	unsigned ip_layers; /* IP headers decoded so far (> 1: tunnelled) */
};

/* ---- link layer ------------------------------------------------------- */

/* PPP (RFC 1661), optionally in HDLC-like framing (RFC 1662): [address 0xff
 * control 0x03] protocol, 1 byte when compressed (odd first byte) else 2.
 * Gives the ethertype of the payload. */
static enum link_result ppp(struct tlsd_cur *c, uint16_t *etype)
{
	uint8_t b0, b1;
	uint16_t proto;

	if (!tlsd_cur_peek_u8(c, &b0))
		return LINK_TRUNCATED;
	if (b0 == 0xff) { /* not a protocol: 0x00ff is unassigned */
		if (!tlsd_cur_peek_at(c, 1, &b1))
			return LINK_TRUNCATED;
		if (b1 != 0x03) {
			*etype = ETH_P_NONE;
			return LINK_OK;
		}
		if (!tlsd_cur_skip(c, 2) || !tlsd_cur_peek_u8(c, &b0))
			return LINK_TRUNCATED;
	}
	if (b0 & 1) {
		if (!tlsd_cur_skip(c, 1))
			return LINK_TRUNCATED;
		proto = b0;
	} else if (!tlsd_cur_get_u16(c, &proto)) {
		return LINK_TRUNCATED;
	}
	switch (proto) {
	case PPP_IPV4:
		*etype = ETH_P_IPV4;
		break;
	case PPP_IPV6:
		*etype = ETH_P_IPV6;
		break;
	case PPP_MPLS_UC:
	case PPP_MPLS_MC:
		*etype = ETH_P_MPLS_UC;
		break;
	default: /* LCP, IPCP, CCP, compressed datagrams, ... */
		*etype = ETH_P_NONE;
		break;
	}
	return LINK_OK;
}

/* `n` link bytes, then an ethertype. */
static enum link_result skip_then_type(struct tlsd_cur *c, size_t n, uint16_t *etype)
{
	if (!tlsd_cur_skip(c, n) || !tlsd_cur_get_u16(c, etype))
		return LINK_TRUNCATED;
	return LINK_OK;
}

/* Ethernet II: dst(6) src(6) type(2); a type below 0x600 is an 802.3
 * length (not IP). */
static enum link_result link_en10mb(struct tlsd_cur *c, uint16_t *etype)
{
	return skip_then_type(c, 12, etype);
}

/* Linux cooked v1: pkttype(2) hatype(2) halen(2) addr(8) protocol(2). */
static enum link_result link_sll(struct tlsd_cur *c, uint16_t *etype)
{
	return skip_then_type(c, 14, etype);
}

/* Linux cooked v2: protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1)
 * halen(1) addr(8). */
static enum link_result link_sll2(struct tlsd_cur *c, uint16_t *etype)
{
	uint16_t proto;

	if (!tlsd_cur_get_u16(c, &proto) || !tlsd_cur_skip(c, 18))
		return LINK_TRUNCATED;
	*etype = proto;
	return LINK_OK;
}

/* BSD loopback: a 4-byte address family, in host order of the capturing
 * machine (DLT_NULL) or network order (DLT_LOOP); accept either. */
static enum link_result link_null(struct tlsd_cur *c, uint16_t *etype)
{
	uint32_t af;

	if (!tlsd_cur_get_u32(c, &af))
		return LINK_TRUNCATED;
	if (af & 0xffff0000u)
		af = ((af & 0xffu) << 24) | ((af & 0xff00u) << 8) | ((af >> 8) & 0xff00u) | (af >> 24);
	switch (af) {
	case BSD_AF_INET:
		*etype = ETH_P_IPV4;
		break;
	case BSD_AF_INET6_OPENBSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		*etype = ETH_P_IPV6;
		break;
	default:
		*etype = ETH_P_NONE;
		break;
	}
	return LINK_OK;
}

static enum link_result link_raw(struct tlsd_cur *c, uint16_t *etype)
{
	(void)c;
	*etype = ETH_P_NONE; /* decided from the version nibble */
	return LINK_OK;
}

static enum link_result link_ipv4(struct tlsd_cur *c, uint16_t *etype)
{
	(void)c;
	*etype = ETH_P_IPV4;
	return LINK_OK;
}

static enum link_result link_ipv6(struct tlsd_cur *c, uint16_t *etype)
{
	(void)c;
	*etype = ETH_P_IPV6;
	return LINK_OK;
}

/* Cisco HDLC: address(1) control(1) ethertype(2). */
static enum link_result link_c_hdlc(struct tlsd_cur *c, uint16_t *etype)
{
	return skip_then_type(c, 2, etype);
}

/* DLT_PPP: PPP with or without HDLC-like framing. DLT_PPP_SERIAL: the
 * same, or Cisco HDLC (address 0x0f unicast / 0x8f broadcast). */
static enum link_result link_ppp(struct tlsd_cur *c, uint16_t *etype)
{
	uint8_t addr;

	if (!tlsd_cur_peek_u8(c, &addr))
		return LINK_TRUNCATED;
	if (addr == 0x0f || addr == 0x8f)
		return link_c_hdlc(c, etype);
	return ppp(c, etype);
}

/* DLT_PPP_WITH_DIR: a direction byte, then PPP. */
static enum link_result link_ppp_dir(struct tlsd_cur *c, uint16_t *etype)
{
	struct tlsd_cur t = *c;
	enum link_result r;

	if (!tlsd_cur_skip(&t, 1))
		return LINK_TRUNCATED;
	r = ppp(&t, etype);
	if (r == LINK_OK)
		*c = t;
	return r;
}

/* DLT_PPP_ETHER: a PPPoE header without the Ethernet header. */
static enum link_result link_ppp_ether(struct tlsd_cur *c, uint16_t *etype)
{
	(void)c;
	*etype = ETH_P_PPPOE_SESS;
	return LINK_OK;
}

/* tcpdump-style dispatch table by link type. pcap_datalink() already maps
 * file LINKTYPE_ values to DLT_ values (LINKTYPE_RAW 101 -> DLT_RAW). */
static const struct link_type link_types[] = {
	{DLT_EN10MB, false, link_en10mb},
	{DLT_LINUX_SLL, false, link_sll},
	{DLT_LINUX_SLL2, false, link_sll2},
	{DLT_NULL, false, link_null},
	{DLT_LOOP, false, link_null},
	{DLT_RAW, true, link_raw},
	{DLT_RAW_OPENBSD, true, link_raw},
	{LINKTYPE_RAW_, true, link_raw},
	{DLT_IPV4, false, link_ipv4},
	{DLT_IPV6, false, link_ipv6},
	{DLT_PPP, false, link_ppp},
	{DLT_PPP_SERIAL, false, link_ppp},
	{DLT_PPP_ETHER, false, link_ppp_ether},
	{DLT_PPP_WITH_DIR, false, link_ppp_dir},
	{DLT_C_HDLC, false, link_c_hdlc},
};

static const struct link_type *link_lookup(int dlt)
{
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(link_types); i++)
		if (link_types[i].dlt == dlt)
			return &link_types[i];
	return NULL;
}

bool tlsd_decode_dlt_supported(int dlt)
{
	return link_lookup(dlt) != NULL;
}

const char *tlsd_decode_supported_dlts(void)
{
	return "EN10MB (Ethernet, with 802.1Q/802.1ad tags), LINUX_SLL, LINUX_SLL2, "
	       "NULL and LOOP (BSD loopback), RAW, IPV4, IPV6, PPP, PPP_SERIAL, PPP_ETHER, "
	       "PPP_WITH_DIR, C_HDLC";
}

/* ---- decoder lifetime ---------------------------------------------------- */

struct tlsd_decoder *tlsd_decoder_new(struct tlsd_ctx *ctx)
{
	struct tlsd_decoder *dec = calloc(1, sizeof(*dec));

	if (!dec)
		return NULL;
	dec->ctx = ctx;
	dec->last_dlt = -1;
	dec->frag = tlsd_ipfrag_new(ctx);
	if (!dec->frag) {
		free(dec);
		return NULL;
	}
	return dec;
}

void tlsd_decoder_free(struct tlsd_decoder *dec)
{
	if (!dec)
		return;
	tlsd_ipfrag_free(dec->frag, dec->ctx);
	free(dec);
}

void tlsd_decoder_expire(struct tlsd_decoder *dec, struct tlsd_ctx *ctx)
{
	tlsd_ipfrag_expire(dec->frag, ctx, ctx->now);
}

/* ---- transport ----------------------------------------------------------- */

static enum tlsd_decode_status ipv4(struct dec_state *st, struct tlsd_cur c, size_t wire);
static enum tlsd_decode_status ipv6(struct dec_state *st, struct tlsd_cur c, size_t wire);
static enum tlsd_decode_status network(struct dec_state *st, uint16_t type, struct tlsd_cur c,
				       size_t wire);
static enum tlsd_decode_status gre(struct dec_state *st, struct tlsd_cur c, size_t wire);
static bool udp_tunnel(struct dec_state *st, uint16_t port, struct tlsd_cur c, size_t wire,
		       enum tlsd_decode_status *out);

static enum tlsd_decode_status fail(struct tlsd_ctx *ctx, enum tlsd_decode_status st,
				    enum tlsd_anomaly why)
{
	tlsd_ctx_count(ctx, why);
	return st;
}

/* Bytes the enclosing header says exist beyond those captured. */
static size_t missing_of(const struct tlsd_cur *c, size_t wire)
{
	return wire > tlsd_cur_len(c) ? wire - tlsd_cur_len(c) : 0;
}

/* A length field says only `n` bytes follow: trims link padding (the rest
 * of the capture) or the part of `missing` beyond them. A length above what
 * the wire had is tolerated like an IP total length (what is there is kept). */
static void limit_to(struct tlsd_cur *c, size_t *missing, size_t n)
{
	struct tlsd_cur t;

	if (n <= tlsd_cur_len(c)) {
		if (tlsd_cur_get_bytes(c, &t, n))
			*c = t;
		*missing = 0;
	} else {
		*missing = TLSD_MIN(*missing, n - tlsd_cur_len(c));
	}
}

/* An encapsulation header did not fit. Before any IP layer that is a cut
 * link header; inside an IP layer it is a snap length cut if bytes are
 * missing, else the header is invalid (the enclosing length ended it). */
static enum tlsd_decode_status encap_cut(struct dec_state *st, size_t missing)
{
	if (st->ip_layers == 0)
		return fail(st->ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_LINK);
	if (missing)
		return fail(st->ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_TUNNEL);
	return fail(st->ctx, TLSD_DECODE_MALFORMED, TLSD_ANOM_PKT_BAD_TUNNEL);
}

/* Before entering a tunnel from inside an IP layer: is there room for one
 * more IP layer? */
static bool too_deep(struct dec_state *st)
{
	if (st->ip_layers < MAX_NESTING)
		return false;
	tlsd_ctx_count(st->ctx, TLSD_ANOM_PKT_ENCAP_DEPTH);
	return true;
}

/* A header of `need` bytes did not fit: TRUNCATED if the wire had it. */
static enum tlsd_decode_status short_hdr(struct tlsd_ctx *ctx, size_t need, size_t wire,
					 enum tlsd_anomaly trunc, enum tlsd_anomaly bad)
{
	if (need > wire)
		return fail(ctx, TLSD_DECODE_MALFORMED, bad);
	return fail(ctx, TLSD_DECODE_TRUNCATED, trunc);
}

/* NOP NOP timestamps(kind 8, length 10): the options of nearly every
 * segment after the handshake (Linux, the BSDs). Parsed as the loop below
 * parses them, for a fraction of the instructions. */
#define TCP_OPTS_NOP_NOP_TS 0x0101080au

static bool tcp_options_nop_nop_ts(struct tlsd_cur c, struct tlsd_tcp_opts *o)
{
	uint32_t lead, val, ecr;

	if (tlsd_cur_len(&c) != 12 || !tlsd_cur_get_u32(&c, &lead) || lead != TCP_OPTS_NOP_NOP_TS ||
	    !tlsd_cur_get_u32(&c, &val) || !tlsd_cur_get_u32(&c, &ecr))
		return false;
	o->ts_val = val;
	o->ts_ecr = ecr;
	o->has_timestamps = true;
	return true;
}

/* TCP options (RFC 9293 3.1, RFC 7323): malformed ones are counted, the
 * segment is still delivered with what parsed. */
static void tcp_options(struct tlsd_ctx *ctx, struct tlsd_cur c, struct tlsd_tcp_opts *o)
{
	bool bad = false;
	uint8_t kind, len;

	if (tcp_options_nop_nop_ts(c, o))
		return;
	while (tlsd_cur_get_u8(&c, &kind)) {
		struct tlsd_cur v;

		if (kind == 0) /* end of option list */
			break;
		if (kind == 1) /* NOP */
			continue;
		if (!tlsd_cur_get_u8(&c, &len) || len < 2 || !tlsd_cur_get_bytes(&c, &v, len - 2u)) {
			bad = true;
			break;
		}
		switch (kind) {
		case 2: /* MSS */
			if (len != 4 || !tlsd_cur_get_u16(&v, &o->mss))
				bad = true;
			else
				o->has_mss = true;
			break;
		case 3: /* window scale: shifts above 14 are treated as 14 */
			if (len != 3 || !tlsd_cur_get_u8(&v, &o->wscale)) {
				bad = true;
			} else {
				o->has_wscale = true;
				o->wscale = TLSD_MIN(o->wscale, 14);
			}
			break;
		case 4: /* SACK permitted */
			if (len != 2)
				bad = true;
			else
				o->sack_permitted = true;
			break;
		case 8: /* timestamps */
			if (len != 10 || !tlsd_cur_get_u32(&v, &o->ts_val) ||
			    !tlsd_cur_get_u32(&v, &o->ts_ecr))
				bad = true;
			else
				o->has_timestamps = true;
			break;
		default: /* SACK blocks, MD5, TFO, MPTCP, ...: skipped */
			break;
		}
	}
	if (bad)
		tlsd_ctx_count(ctx, TLSD_ANOM_PKT_BAD_TCP_OPTION);
}

static void set_payload(struct tlsd_pkt *pkt, const struct tlsd_cur *c, size_t wire)
{
	pkt->payload = tlsd_cur_data(c);
	pkt->payload_len = (uint32_t)tlsd_cur_len(c);
	pkt->payload_wire_len = (uint32_t)TLSD_MAX(wire, tlsd_cur_len(c));
}

/* sport(2) dport(2) seq(4) ack(4) off/flags(2) window(2) csum(2) urg(2) opts */
static enum tlsd_decode_status tcp(struct dec_state *st, struct tlsd_cur c, size_t wire)
{
	struct tlsd_pkt *pkt = st->pkt;
	struct tlsd_cur h, opts;
	uint8_t off, flags;
	size_t hlen;

	/* The fixed header as a cursor of its own: of a known length, so the
	 * compiler folds the checks of the reads from it into this one. */
	if (!tlsd_cur_get_bytes(&c, &h, TCP_MIN_HDR))
		return short_hdr(st->ctx, TCP_MIN_HDR, wire, TLSD_ANOM_PKT_TRUNCATED_TCP,
				 TLSD_ANOM_PKT_BAD_TCP_HDR_LEN);
	if (!tlsd_cur_get_u16(&h, &pkt->sport) || !tlsd_cur_get_u16(&h, &pkt->dport) ||
	    !tlsd_cur_get_u32(&h, &pkt->seq) || !tlsd_cur_get_u32(&h, &pkt->ack) ||
	    !tlsd_cur_get_u8(&h, &off) || !tlsd_cur_get_u8(&h, &flags) ||
	    !tlsd_cur_get_u16(&h, &pkt->window) || !tlsd_cur_skip(&h, 4))
		return fail(st->ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_TCP);
	hlen = (size_t)(off >> 4) * 4;
	if (hlen < TCP_MIN_HDR || hlen > wire)
		return fail(st->ctx, TLSD_DECODE_MALFORMED, TLSD_ANOM_PKT_BAD_TCP_HDR_LEN);
	if (!tlsd_cur_get_bytes(&c, &opts, hlen - TCP_MIN_HDR))
		return fail(st->ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_TCP);
	pkt->tcp_flags = flags;
	pkt->opts = (struct tlsd_tcp_opts){0};
	if (tlsd_cur_len(&opts))
		tcp_options(st->ctx, opts, &pkt->opts);
	set_payload(pkt, &c, wire - hlen);
	if (pkt->payload_wire_len > pkt->payload_len)
		tlsd_ctx_count(st->ctx, TLSD_ANOM_CAPTURE_SNAPLEN);
	st->ctx->cnt.tcp_packets++;
	return TLSD_DECODE_TCP;
}

/* sport(2) dport(2) length(2) checksum(2) */
static enum tlsd_decode_status udp(struct dec_state *st, struct tlsd_cur c, size_t wire)
{
	struct tlsd_pkt *pkt = st->pkt;

	if (tlsd_cur_len(&c) < UDP_HDR)
		return short_hdr(st->ctx, UDP_HDR, wire, TLSD_ANOM_PKT_TRUNCATED_UDP,
				 TLSD_ANOM_PKT_BAD_IP_TOTAL_LEN);
	if (!tlsd_cur_get_u16(&c, &pkt->sport) || !tlsd_cur_get_u16(&c, &pkt->dport) ||
	    !tlsd_cur_skip(&c, 4))
		return fail(st->ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_UDP);
	{
		enum tlsd_decode_status r;

		if (udp_tunnel(st, pkt->dport, c, wire - UDP_HDR, &r) ||
		    (pkt->sport != pkt->dport && udp_tunnel(st, pkt->sport, c, wire - UDP_HDR, &r)))
			return r;
	}
	set_payload(pkt, &c, wire - UDP_HDR);
	st->ctx->cnt.udp_packets++;
	tlsd_ctx_count(st->ctx, TLSD_ANOM_PKT_UDP);
	return TLSD_DECODE_UDP;
}

static inline bool get_addr4(struct tlsd_cur *c, struct tlsd_addr *a);

/* The IP header and first transport bytes an ICMP error quotes: only the
 * addresses, protocol and ports matter (and are all a router must quote). */
static bool quoted_datagram(struct tlsd_cur c, struct tlsd_icmp_quote *q)
{
	uint8_t vihl, proto;

	if (!tlsd_cur_peek_u8(&c, &vihl))
		return false;
	if ((vihl >> 4) == 4) {
		if (!tlsd_cur_skip(&c, 9) || !tlsd_cur_get_u8(&c, &proto) || !tlsd_cur_skip(&c, 2) ||
		    !get_addr4(&c, &q->src) || !get_addr4(&c, &q->dst) ||
		    (size_t)(vihl & 0x0f) * 4 < IPV4_MIN_HDR ||
		    !tlsd_cur_skip(&c, (size_t)(vihl & 0x0f) * 4 - IPV4_MIN_HDR))
			return false;
		q->ip_version = 4;
	} else if ((vihl >> 4) == 6) {
		if (!tlsd_cur_skip(&c, 6) || !tlsd_cur_get_u8(&c, &proto) || !tlsd_cur_skip(&c, 1) ||
		    !tlsd_cur_copy(&c, q->src.b, 16) || !tlsd_cur_copy(&c, q->dst.b, 16))
			return false;
		q->ip_version = 6;
	} else {
		return false;
	}
	q->proto = proto;
	return (proto == IPPROTO_UDP_ || proto == IPPROTO_TCP_) && tlsd_cur_get_u16(&c, &q->sport) &&
	       tlsd_cur_get_u16(&c, &q->dport);
}

/* ICMP type 3 / ICMPv6 type 1 (destination unreachable): type(1) code(1)
 * checksum(2) unused(4) then the quoted datagram. Other ICMP is skipped. */
static enum tlsd_decode_status icmp(struct dec_state *st, struct tlsd_cur c, bool v6)
{
	struct tlsd_icmp_quote q = {0};

	if (!tlsd_cur_get_u8(&c, &q.type) || !tlsd_cur_get_u8(&c, &q.code) || !tlsd_cur_skip(&c, 6) ||
	    q.type != (v6 ? 1 : 3) || !quoted_datagram(c, &q))
		return fail(st->ctx, TLSD_DECODE_SKIP, TLSD_ANOM_PKT_NON_TCP);
	st->pkt->icmp = q;
	tlsd_ctx_count(st->ctx, TLSD_ANOM_PKT_ICMP_UNREACHABLE);
	return TLSD_DECODE_ICMP_ERROR;
}

static enum tlsd_decode_status transport(struct dec_state *st, uint8_t proto,
					 const struct tlsd_cur *c, size_t wire)
{
	st->pkt->ip_proto = proto;
	switch (proto) {
	case IPPROTO_TCP_:
		return tcp(st, *c, wire);
	case IPPROTO_UDP_:
		return udp(st, *c, wire);
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		return icmp(st, *c, proto == IPPROTO_ICMPV6_);
	case IPPROTO_IPIP_:
		return too_deep(st) ? TLSD_DECODE_SKIP : ipv4(st, *c, wire);
	case IPPROTO_IPV6_:
		return too_deep(st) ? TLSD_DECODE_SKIP : ipv6(st, *c, wire);
	case IPPROTO_GRE_:
		return too_deep(st) ? TLSD_DECODE_SKIP : gre(st, *c, wire);
	default:
		return fail(st->ctx, TLSD_DECODE_SKIP, TLSD_ANOM_PKT_NON_TCP);
	}
}

/* Hands a fragment to reassembly; on completion *c / *proto describe the
 * whole datagram's fragmentable part. */
static enum tlsd_decode_status fragment(struct dec_state *st, const struct tlsd_ipfrag_key *key,
					uint32_t offset, bool more, struct tlsd_cur *c,
					size_t *wire, uint8_t *proto)
{
	struct tlsd_cur whole;
	uint8_t next;

	if (tlsd_cur_len(c) < *wire) /* a cut fragment can never be completed */
		return fail(st->ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_CAPTURE_SNAPLEN);
	/* A fragment inside a datagram reassembled at an outer layer: its bytes
	 * live in the buffer the next reassembly step would release. */
	if (st->pkt->reassembled)
		return fail(st->ctx, TLSD_DECODE_SKIP, TLSD_ANOM_IPFRAG_NESTED);
	switch (tlsd_ipfrag_add(st->dec->frag, st->ctx, key, st->frame->ts, offset, more, *proto,
				c, &whole, &next)) {
	case TLSD_IPFRAG_DONE:
		*c = whole;
		*wire = tlsd_cur_len(&whole);
		*proto = next;
		st->pkt->reassembled = true;
		return TLSD_DECODE_TCP;
	case TLSD_IPFRAG_HELD:
		return TLSD_DECODE_FRAGMENT;
	case TLSD_IPFRAG_DROPPED:
	default:
		return TLSD_DECODE_SKIP; /* counted by reassembly */
	}
}

/* ---- IPv4 ---------------------------------------------------------------- */

/* An IPv4 address into its 16-byte form (the rest zero), in place: built
 * as a whole value it cost 17 instructions, twice a packet. */
static inline bool get_addr4(struct tlsd_cur *c, struct tlsd_addr *a)
{
	if (!tlsd_cur_copy(c, a->b, 4))
		return false;
	memset(a->b + 4, 0, sizeof(a->b) - 4);
	return true;
}

/* RFC 791: ver/ihl(1) tos(1) total(2) id(2) flags/frag(2) ttl(1) proto(1)
 * csum(2) src(4) dst(4) options(ihl*4-20) */
static enum tlsd_decode_status ipv4(struct dec_state *st, struct tlsd_cur c, size_t wire)
{
	struct tlsd_pkt *pkt = st->pkt;
	uint8_t vihl, ttl, proto;
	uint16_t total, id, frag;
	size_t hlen, plen;
	struct tlsd_cur h, payload;

	/* The fixed header as a cursor of its own (see tcp()). */
	if (!tlsd_cur_get_bytes(&c, &h, IPV4_MIN_HDR))
		return short_hdr(st->ctx, IPV4_MIN_HDR, wire, TLSD_ANOM_PKT_TRUNCATED_IP,
				 TLSD_ANOM_PKT_BAD_IP_TOTAL_LEN);
	/* The addresses go straight to *pkt, which the caller copies out only
	 * on success. */
	if (!tlsd_cur_get_u8(&h, &vihl) || !tlsd_cur_skip(&h, 1) || !tlsd_cur_get_u16(&h, &total) ||
	    !tlsd_cur_get_u16(&h, &id) || !tlsd_cur_get_u16(&h, &frag) ||
	    !tlsd_cur_get_u8(&h, &ttl) || !tlsd_cur_get_u8(&h, &proto) || !tlsd_cur_skip(&h, 2) ||
	    !get_addr4(&h, &pkt->src) || !get_addr4(&h, &pkt->dst))
		return fail(st->ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_IP);
	if ((vihl >> 4) != 4)
		return fail(st->ctx, TLSD_DECODE_MALFORMED, TLSD_ANOM_PKT_BAD_IP_VERSION);
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < IPV4_MIN_HDR)
		return fail(st->ctx, TLSD_DECODE_MALFORMED, TLSD_ANOM_PKT_BAD_IP_HDR_LEN);
	/* Total length 0 comes from TSO/GSO captures: trust the frame. */
	plen = total ? total : wire;
	if (plen > wire) { /* claims more than was on the wire: keep what is there */
		tlsd_ctx_count(st->ctx, TLSD_ANOM_PKT_BAD_IP_TOTAL_LEN);
		plen = wire;
	}
	if (plen < hlen)
		return fail(st->ctx, TLSD_DECODE_MALFORMED, TLSD_ANOM_PKT_BAD_IP_TOTAL_LEN);
	if (!tlsd_cur_skip(&c, hlen - IPV4_MIN_HDR))
		return fail(st->ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_IP);
	plen -= hlen;
	/* Captured beyond the total length is link padding: trim it. */
	if (!tlsd_cur_get_bytes(&c, &payload, TLSD_MIN(plen, tlsd_cur_len(&c))))
		return fail(st->ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_IP);

	st->ctx->cnt.ipv4++;
	st->ip_layers++;
	pkt->ip_version = 4;
	pkt->ttl = ttl;
	pkt->ip_id = id;
	pkt->ip_df = (frag & 0x4000) != 0;
	if (frag & 0x3fff) { /* MF or an offset */
		struct tlsd_ipfrag_key key = {
			.src = pkt->src, .dst = pkt->dst, .id = id, .proto = proto, .version = 4};
		enum tlsd_decode_status r = fragment(st, &key, (uint32_t)(frag & 0x1fff) * 8,
						     (frag & 0x2000) != 0, &payload, &plen, &proto);

		if (r != TLSD_DECODE_TCP)
			return r;
	}
	return transport(st, proto, &payload, plen);
}

/* ---- IPv6 ---------------------------------------------------------------- */

/* Walks extension headers (RFC 8200 4) up to the transport header. After
 * reassembly the walk continues inside the reassembled part, where a second
 * fragment header is invalid. */
static enum tlsd_decode_status ipv6_ext(struct dec_state *st, uint8_t nxt, struct tlsd_cur c,
					size_t wire)
{
	bool may_frag = true;

	for (;;) {
		uint8_t next, hl;
		size_t len;

		switch (nxt) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
		case IPPROTO_MH_:
		case IPPROTO_HIP_:
		case IPPROTO_SHIM6_:
		case IPPROTO_AH_:
			/* next(1) len(1) ...: len in 8-octet units after the first
			 * 8 octets, for AH in 4-octet units minus 2 (RFC 4302). */
			if (!tlsd_cur_peek_at(&c, 1, &hl))
				return short_hdr(st->ctx, 2, wire, TLSD_ANOM_PKT_TRUNCATED_IP,
						 TLSD_ANOM_PKT_BAD_IPV6_EXT);
			len = nxt == IPPROTO_AH_ ? ((size_t)hl + 2) * 4 : ((size_t)hl + 1) * 8;
			if (len > wire)
				return fail(st->ctx, TLSD_DECODE_MALFORMED, TLSD_ANOM_PKT_BAD_IPV6_EXT);
			if (!tlsd_cur_get_u8(&c, &next) || !tlsd_cur_skip(&c, len - 1))
				return fail(st->ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_IP);
			wire -= len;
			nxt = next;
			break;
		case IPPROTO_FRAGMENT_: {
			/* next(1) reserved(1) offset(13)/res(2)/M(1) ident(4) */
			uint16_t fo;
			uint32_t ident;

			if (tlsd_cur_len(&c) < 8)
				return short_hdr(st->ctx, 8, wire, TLSD_ANOM_PKT_TRUNCATED_IP,
						 TLSD_ANOM_PKT_BAD_IPV6_EXT);
			if (!tlsd_cur_get_u8(&c, &next) || !tlsd_cur_skip(&c, 1) ||
			    !tlsd_cur_get_u16(&c, &fo) || !tlsd_cur_get_u32(&c, &ident))
				return fail(st->ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_IP);
			wire -= 8;
			nxt = next;
			if ((fo & 0xfff9) == 0) /* atomic fragment (RFC 6946) */
				break;
			if (!may_frag)
				return fail(st->ctx, TLSD_DECODE_MALFORMED, TLSD_ANOM_PKT_BAD_IPV6_EXT);
			struct tlsd_ipfrag_key key = {
				.src = st->pkt->src, .dst = st->pkt->dst, .id = ident, .version = 6};
			enum tlsd_decode_status r =
				fragment(st, &key, fo & 0xfff8u, (fo & 1) != 0, &c, &wire, &nxt);

			if (r != TLSD_DECODE_TCP)
				return r;
			may_frag = false;
			break;
		}
		case IPPROTO_NONE_:
			st->pkt->ip_proto = nxt;
			return fail(st->ctx, TLSD_DECODE_SKIP, TLSD_ANOM_PKT_NON_TCP);
		default:
			return transport(st, nxt, &c, wire);
		}
	}
}

/* RFC 8200: ver/tc/flow(4) plen(2) next(1) hlim(1) src(16) dst(16) */
static enum tlsd_decode_status ipv6(struct dec_state *st, struct tlsd_cur c, size_t wire)
{
	struct tlsd_pkt *pkt = st->pkt;
	uint32_t vtf;
	uint16_t plen16;
	uint8_t nxt, hlim;
	size_t plen;
	struct tlsd_cur payload;

	if (tlsd_cur_len(&c) < IPV6_HDR)
		return short_hdr(st->ctx, IPV6_HDR, wire, TLSD_ANOM_PKT_TRUNCATED_IP,
				 TLSD_ANOM_PKT_BAD_IP_TOTAL_LEN);
	if (!tlsd_cur_get_u32(&c, &vtf) || !tlsd_cur_get_u16(&c, &plen16) ||
	    !tlsd_cur_get_u8(&c, &nxt) || !tlsd_cur_get_u8(&c, &hlim) ||
	    !tlsd_cur_copy(&c, pkt->src.b, 16) || !tlsd_cur_copy(&c, pkt->dst.b, 16))
		return fail(st->ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_IP);
	if ((vtf >> 28) != 6)
		return fail(st->ctx, TLSD_DECODE_MALFORMED, TLSD_ANOM_PKT_BAD_IP_VERSION);
	wire -= IPV6_HDR;
	/* Payload length 0: jumbogram or a GSO capture; trust the frame. */
	plen = plen16 ? plen16 : wire;
	if (plen > wire) {
		tlsd_ctx_count(st->ctx, TLSD_ANOM_PKT_BAD_IP_TOTAL_LEN);
		plen = wire;
	}
	if (!tlsd_cur_get_bytes(&c, &payload, TLSD_MIN(plen, tlsd_cur_len(&c))))
		return fail(st->ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_IP);
	st->ctx->cnt.ipv6++;
	st->ip_layers++;
	pkt->ip_version = 6;
	pkt->ttl = hlim;
	pkt->ip_id = 0;
	pkt->ip_df = false;
	return ipv6_ext(st, nxt, payload, plen);
}

/* ---- encapsulations ------------------------------------------------------ */

/* MPLS (RFC 3032): label(20) TC(3) S(1) TTL(8) entries up to the bottom of
 * the stack; no protocol field, so IP is recognised by its version nibble
 * (anything else, e.g. an Ethernet pseudowire, is not decoded). */
static enum link_result mpls(struct tlsd_cur *c, uint16_t *etype)
{
	uint32_t e = 0;
	uint8_t first;

	for (unsigned n = 0; !(e & 0x100); n++) {
		if (n == MAX_MPLS_LABELS)
			return LINK_TOO_DEEP;
		if (!tlsd_cur_get_u32(c, &e))
			return LINK_TRUNCATED;
	}
	if (!tlsd_cur_peek_u8(c, &first))
		return LINK_TRUNCATED;
	*etype = (first >> 4) == 4 ? ETH_P_IPV4 : (first >> 4) == 6 ? ETH_P_IPV6 : ETH_P_NONE;
	return LINK_OK;
}

/* ERSPAN type II (8 bytes, version 1) and type III (12 bytes, version 2,
 * plus 8 platform bytes when O is set); then the mirrored Ethernet frame.
 * III: ver(4) vlan(12) | cos(3) bso(2) t(1) session(10) | timestamp(32) |
 * sgt(16) p(1) ft(5) hwid(6) d(1) gra(2) o(1); frame type 0 is Ethernet. */
static enum link_result erspan(struct tlsd_cur *c, bool type3, uint16_t *etype)
{
	uint8_t ver, b10, b11;

	if (!tlsd_cur_peek_u8(c, &ver))
		return LINK_TRUNCATED;
	if (!type3) {
		if (!tlsd_cur_skip(c, 8))
			return LINK_TRUNCATED;
		*etype = (ver >> 4) == 1 ? ETH_P_TEB : ETH_P_NONE;
		return LINK_OK;
	}
	if (!tlsd_cur_peek_at(c, 10, &b10) || !tlsd_cur_peek_at(c, 11, &b11) ||
	    !tlsd_cur_skip(c, (b11 & 1) ? 20 : 12))
		return LINK_TRUNCATED;
	*etype = (ver >> 4) == 2 && ((b10 >> 2) & 0x1f) == 0 ? ETH_P_TEB : ETH_P_NONE;
	return LINK_OK;
}

/* Everything between a link header (or a tunnel header) and an IP header:
 * VLAN tags, Cisco MetaData, PPPoE + PPP, PPP, MPLS, bridged Ethernet and
 * ERSPAN, each naming the next. `missing` (bytes the snap length cut) stays
 * the same across headers unless a length field trims the rest. */
static enum tlsd_decode_status encap(struct dec_state *st, uint16_t type, struct tlsd_cur c,
				     size_t wire)
{
	size_t missing = missing_of(&c, wire);

	for (unsigned hdrs = 0;; hdrs++) {
		enum link_result lr;
		uint8_t b, code;

		if (hdrs > MAX_LINK_HDRS)
			return fail(st->ctx, TLSD_DECODE_SKIP, TLSD_ANOM_PKT_ENCAP_DEPTH);
		switch (type) {
		case ETH_P_IPV4:
			return ipv4(st, c, tlsd_cur_len(&c) + missing);
		case ETH_P_IPV6:
			return ipv6(st, c, tlsd_cur_len(&c) + missing);
		case ETH_P_8021Q:
		case ETH_P_8021AD:
		case ETH_P_QINQ_OLD:
			/* TCI(2) type(2) */
			lr = skip_then_type(&c, 2, &type);
			break;
		case ETH_P_CISCO_CMD:
			/* version(1) length(1) options(2) SGT(2) type(2) */
			lr = skip_then_type(&c, 6, &type);
			break;
		case ETH_P_TEB:
			lr = link_en10mb(&c, &type);
			break;
		case ETH_P_PPPOE_SESS: {
			/* RFC 2516: ver/type(1) 0x11, code(1) 0, session(2),
			 * length(2), PPP. A length shorter than what follows
			 * bounds the payload (Ethernet padding is not data, even
			 * when the IP total length claims it, as tshark and tcpdump
			 * read it); a longer one is ignored, as captures in the
			 * wild carry such wrong lengths. */
			uint16_t plen;
			struct tlsd_cur payload;

			if (!tlsd_cur_get_u8(&c, &b) || !tlsd_cur_get_u8(&c, &code) ||
			    !tlsd_cur_skip(&c, 2) || !tlsd_cur_get_u16(&c, &plen))
				return encap_cut(st, missing);
			if (b != 0x11 || code != 0)
				return fail(st->ctx, TLSD_DECODE_SKIP, TLSD_ANOM_PKT_NON_IP);
			if (plen >= 2 && missing == 0 && plen < tlsd_cur_len(&c) &&
			    tlsd_cur_get_bytes(&c, &payload, plen))
				c = payload;
			type = ETH_P_PPP;
			continue;
		}
		case ETH_P_PPP:
			lr = ppp(&c, &type);
			break;
		case ETH_P_MPLS_UC:
		case ETH_P_MPLS_MC:
			lr = mpls(&c, &type);
			break;
		case ETH_P_ERSPAN2:
		case ETH_P_ERSPAN3:
			lr = erspan(&c, type == ETH_P_ERSPAN3, &type);
			break;
		default:
			/* 802.3 length field (LLC/SNAP), PPPoE discovery, ARP, ... */
			return fail(st->ctx, TLSD_DECODE_SKIP, TLSD_ANOM_PKT_NON_IP);
		}
		if (lr == LINK_TRUNCATED)
			return encap_cut(st, missing);
		if (lr == LINK_TOO_DEEP)
			return fail(st->ctx, TLSD_DECODE_SKIP, TLSD_ANOM_PKT_ENCAP_DEPTH);
	}
}

/* The common case (IPv4 right after the link header) costs one compare. */
static enum tlsd_decode_status network(struct dec_state *st, uint16_t type, struct tlsd_cur c,
				       size_t wire)
{
	if (type == ETH_P_IPV4)
		return ipv4(st, c, wire);
	return encap(st, type, c, wire);
}

/* GRE (RFC 2784, RFC 2890): C(1) R(1) K(1) S(1) s(1) recur(3) A(1) flags(4)
 * ver(3) | protocol(2) | [checksum(2) offset(2)] [key(4)] [sequence(4)].
 * Enhanced GRE (RFC 2637, PPTP): version 1, K set, protocol 0x880b, key =
 * payload length(2) call ID(2), [sequence(4)] [acknowledgment(4)]. */
static enum tlsd_decode_status gre(struct dec_state *st, struct tlsd_cur c, size_t wire)
{
	size_t missing = missing_of(&c, wire);
	uint16_t fl, proto, plen;

	if (!tlsd_cur_get_u16(&c, &fl) || !tlsd_cur_get_u16(&c, &proto))
		return encap_cut(st, missing);
	switch (fl & 7) {
	case 0:
		if (fl & 0x4000) /* RFC 1701 source routing: obsolete, not decoded */
			return fail(st->ctx, TLSD_DECODE_SKIP, TLSD_ANOM_PKT_NON_IP);
		if (!tlsd_cur_skip(&c, ((fl & 0x8000) ? 4u : 0u) + ((fl & 0x2000) ? 4u : 0u) +
					       ((fl & 0x1000) ? 4u : 0u)))
			return encap_cut(st, missing);
		if (proto == ETH_P_ERSPAN2 && !(fl & 0x1000))
			proto = ETH_P_TEB; /* ERSPAN type I: no ERSPAN header */
		break;
	case 1:
		if ((fl & 0xc000) || !(fl & 0x2000) || proto != ETH_P_PPP)
			return fail(st->ctx, TLSD_DECODE_MALFORMED, TLSD_ANOM_PKT_BAD_TUNNEL);
		if (!tlsd_cur_get_u16(&c, &plen) || !tlsd_cur_skip(&c, 2) ||
		    !tlsd_cur_skip(&c, ((fl & 0x1000) ? 4u : 0u) + ((fl & 0x0080) ? 4u : 0u)))
			return encap_cut(st, missing);
		if (plen == 0) /* an acknowledgment only */
			return fail(st->ctx, TLSD_DECODE_SKIP, TLSD_ANOM_PKT_NON_IP);
		limit_to(&c, &missing, plen);
		break;
	default:
		return fail(st->ctx, TLSD_DECODE_MALFORMED, TLSD_ANOM_PKT_BAD_TUNNEL);
	}
	return encap(st, proto, c, tlsd_cur_len(&c) + missing);
}

/* ---- UDP tunnels ----------------------------------------------------------- */

enum tunnel_result {
	TUN_NONE = 0,  /* no plausible header: plain UDP */
	TUN_OK,        /* header consumed; *type names the payload */
	TUN_CUT,       /* plausible, but the header does not fit */
	TUN_BAD,       /* plausible start, invalid rest */
	TUN_NO_PACKET, /* a valid message that carries no packet (signalling) */
};

/* VXLAN (RFC 7348): flags(1) with I (0x08), reserved(3), VNI(3),
 * reserved(1), then an Ethernet frame. */
static enum tunnel_result vxlan(struct tlsd_cur *c, size_t *missing, uint16_t *type)
{
	uint8_t fl;

	(void)missing;
	if (!tlsd_cur_peek_u8(c, &fl) || !(fl & 0x08))
		return TUN_NONE;
	if (!tlsd_cur_skip(c, 8))
		return TUN_CUT;
	*type = ETH_P_TEB;
	return TUN_OK;
}

/* VXLAN-GPE: flags(1) ver(2) I P B O, reserved(2), next protocol(1) (1 IPv4,
 * 2 IPv6, 3 Ethernet, 5 MPLS), VNI(3), reserved(1). Without P it is VXLAN. */
static enum tunnel_result vxlan_gpe(struct tlsd_cur *c, size_t *missing, uint16_t *type)
{
	static const uint16_t next[] = {ETH_P_NONE, ETH_P_IPV4, ETH_P_IPV6, ETH_P_TEB,
					ETH_P_NONE, ETH_P_MPLS_UC};
	uint8_t fl, np;

	if (!tlsd_cur_peek_u8(c, &fl) || (fl & 0x30) || !(fl & 0x04))
		return vxlan(c, missing, type);
	if (!tlsd_cur_peek_at(c, 3, &np) || !tlsd_cur_skip(c, 8))
		return TUN_CUT;
	*type = np < TLSD_ARRAY_SIZE(next) ? next[np] : ETH_P_NONE;
	return *type == ETH_P_NONE ? TUN_NO_PACKET : TUN_OK;
}

/* Geneve (RFC 8926): ver(2) optlen(6) | O C reserved(6) | protocol(2) |
 * VNI(3) reserved(1) | options(optlen * 4). */
static enum tunnel_result geneve(struct tlsd_cur *c, size_t *missing, uint16_t *type)
{
	uint8_t b0;
	uint16_t proto;

	(void)missing;
	if (!tlsd_cur_peek_u8(c, &b0) || (b0 >> 6) != 0)
		return TUN_NONE;
	if (!tlsd_cur_skip(c, 2) || !tlsd_cur_get_u16(c, &proto) || !tlsd_cur_skip(c, 4))
		return TUN_CUT;
	if (proto < 0x0600) /* not an ethertype */
		return TUN_NONE;
	if (!tlsd_cur_skip(c, (size_t)(b0 & 0x3f) * 4))
		return TUN_CUT;
	*type = proto;
	return TUN_OK;
}

/* GTPv1-U (3GPP TS 29.281 5.1): flags(1) = version(3) 1, PT(1) 1, spare, E,
 * S, PN | message type(1) | length(2) of what follows these 8 bytes |
 * TEID(4) | [sequence(2) N-PDU(1) next extension type(1)] when E, S or PN
 * | extension headers: length(1) in 4-octet units, content, next type(1).
 * Message type 255 (G-PDU) carries an IP packet. */
#define GTP_MAX_EXT 16
static enum tunnel_result gtp_u(struct tlsd_cur *c, size_t *missing, uint16_t *type)
{
	uint8_t fl, mt, next = 0, b;
	uint16_t len;

	if (!tlsd_cur_peek_u8(c, &fl) || (fl & 0xf0) != 0x30)
		return TUN_NONE;
	if (!tlsd_cur_skip(c, 1) || !tlsd_cur_get_u8(c, &mt) || !tlsd_cur_get_u16(c, &len) ||
	    !tlsd_cur_skip(c, 4))
		return TUN_CUT;
	limit_to(c, missing, len);
	if ((fl & 0x07) && (!tlsd_cur_skip(c, 3) || !tlsd_cur_get_u8(c, &next)))
		return TUN_CUT;
	for (unsigned n = 0; (fl & 0x04) && next; n++) {
		if (n == GTP_MAX_EXT)
			return TUN_BAD;
		if (!tlsd_cur_get_u8(c, &b))
			return TUN_CUT;
		if (b == 0)
			return TUN_BAD;
		if (!tlsd_cur_skip(c, (size_t)b * 4 - 2) || !tlsd_cur_get_u8(c, &next))
			return TUN_CUT;
	}
	if (mt != 0xff) /* echo, error indication, end marker, ... */
		return TUN_NO_PACKET;
	if (!tlsd_cur_peek_u8(c, &b))
		return TUN_CUT;
	*type = (b >> 4) == 4 ? ETH_P_IPV4 : (b >> 4) == 6 ? ETH_P_IPV6 : ETH_P_NONE;
	return *type == ETH_P_NONE ? TUN_NO_PACKET : TUN_OK; /* non-IP PDU sessions */
}

static const struct {
	uint16_t port;
	enum tunnel_result (*parse)(struct tlsd_cur *c, size_t *missing, uint16_t *type);
} udp_tunnels[] = {
	{PORT_VXLAN, vxlan},         {PORT_VXLAN_LINUX, vxlan}, {PORT_VXLAN_GPE, vxlan_gpe},
	{PORT_GENEVE, geneve},       {PORT_GTP_U, gtp_u},
};

/* A UDP payload `c` on a tunnel port: true (with *out) when it was taken as
 * a tunnel, false to treat the datagram as plain UDP. A header that is cut
 * with nothing missing is plain UDP too (too short to be the tunnel). */
static bool udp_tunnel(struct dec_state *st, uint16_t port, struct tlsd_cur c, size_t wire,
		       enum tlsd_decode_status *out)
{
	struct tlsd_cur t = c;
	size_t missing = missing_of(&c, wire), m = missing;
	uint16_t type = ETH_P_NONE;
	enum tunnel_result tr = TUN_NONE;

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(udp_tunnels); i++) {
		if (udp_tunnels[i].port == port) {
			tr = udp_tunnels[i].parse(&t, &m, &type);
			break;
		}
	}
	switch (tr) {
	case TUN_OK:
		break;
	case TUN_CUT:
		if (!missing)
			return false;
		*out = fail(st->ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_TUNNEL);
		return true;
	case TUN_BAD:
		*out = fail(st->ctx, TLSD_DECODE_MALFORMED, TLSD_ANOM_PKT_BAD_TUNNEL);
		return true;
	case TUN_NO_PACKET:
		*out = fail(st->ctx, TLSD_DECODE_SKIP, TLSD_ANOM_PKT_NON_IP);
		return true;
	case TUN_NONE:
	default:
		return false;
	}
	*out = too_deep(st) ? TLSD_DECODE_SKIP : encap(st, type, t, tlsd_cur_len(&t) + m);
	return true;
}

/* ---- entry --------------------------------------------------------------- */

enum tlsd_decode_status tlsd_decode_frame(struct tlsd_decoder *dec, struct tlsd_ctx *ctx,
					  const struct tlsd_frame *frame, struct tlsd_pkt *pkt)
{
	struct tlsd_pkt p; /* filled field by field; copied out only on success */
	struct dec_state st = {.dec = dec, .ctx = ctx, .frame = frame, .pkt = &p};
	struct tlsd_cur c;
	uint16_t etype = ETH_P_NONE;
	uint8_t first;
	size_t missing, wire;
	enum tlsd_decode_status r;

	if (frame->dlt != dec->last_dlt) {
		dec->last_link = link_lookup(frame->dlt);
		dec->last_dlt = frame->dlt;
	}
	if (!dec->last_link)
		return fail(ctx, TLSD_DECODE_SKIP, TLSD_ANOM_PKT_UNSUPPORTED_LINK);
	tlsd_cur_init(&c, frame->data, frame->caplen);
	missing = frame->wirelen > frame->caplen ? frame->wirelen - frame->caplen : 0;
	if (dec->last_link->decode(&c, &etype) != LINK_OK)
		return fail(ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_LINK);
	wire = tlsd_cur_len(&c) + missing;
	if (dec->last_link->sniff) {
		if (!tlsd_cur_peek_u8(&c, &first))
			return short_hdr(ctx, 1, wire, TLSD_ANOM_PKT_TRUNCATED_IP,
					 TLSD_ANOM_PKT_BAD_IP_TOTAL_LEN);
		if ((first >> 4) == 4)
			etype = ETH_P_IPV4;
		else if ((first >> 4) == 6)
			etype = ETH_P_IPV6;
		else
			return fail(ctx, TLSD_DECODE_MALFORMED, TLSD_ANOM_PKT_BAD_IP_VERSION);
	}
	p.ts = frame->ts;
	p.frame_no = ctx->frame_no;
	p.frame = frame;
	p.reassembled = false;
	r = network(&st, etype, c, wire);
	if (r == TLSD_DECODE_TCP || r == TLSD_DECODE_UDP || r == TLSD_DECODE_ICMP_ERROR) {
		if (st.ip_layers > 1)
			tlsd_ctx_count(ctx, TLSD_ANOM_PKT_TUNNELED);
		*pkt = p;
	}
	return r;
}

const char *tlsd_addr_str(const struct tlsd_addr *a, uint8_t ip_version, char *buf, size_t len)
{
	/* IPv4 by hand: inet_ntop formats it with sprintf, once per octet. */
	if (ip_version != 6 && len >= INET_ADDRSTRLEN) {
		char *p = buf;

		for (int i = 0; i < 4; i++) {
			unsigned v = a->b[i];

			if (i)
				*p++ = '.';
			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
		}
		*p = 0;
		return buf;
	}
	if (!inet_ntop(ip_version == 6 ? AF_INET6 : AF_INET, a->b, buf, (socklen_t)len) && len)
		snprintf(buf, len, "?");
	return buf;
}
