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
#define ETH_P_SNIFF 0          /* raw IP: version from the first nibble */

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_NONE_ 59
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_MH_ 135
#define IPPROTO_HIP_ 139
#define IPPROTO_SHIM6_ 140

#define IPV4_MIN_HDR 20u
#define IPV6_HDR 40u
#define TCP_MIN_HDR 20u
#define UDP_HDR 8u

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
#define DLT_RAW_OPENBSD 14
#define LINKTYPE_RAW_ 101

enum link_result {
	LINK_IP = 0,    /* *etype is ETH_P_IPV4, ETH_P_IPV6 or ETH_P_SNIFF */
	LINK_NON_IP,
	LINK_TRUNCATED,
};

struct link_type {
	int dlt;
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
};

/* ---- link layer ------------------------------------------------------- */

/* After an ethertype: any stack of 802.1Q / 802.1ad / old QinQ tags and
 * Cisco MetaData headers, each carrying the next ethertype. */
static enum link_result ethertype(struct tlsd_cur *c, uint16_t type, uint16_t *etype)
{
	for (;;) {
		switch (type) {
		case ETH_P_8021Q:
		case ETH_P_8021AD:
		case ETH_P_QINQ_OLD:
			/* TCI(2) type(2) */
			if (!tlsd_cur_skip(c, 2) || !tlsd_cur_get_u16(c, &type))
				return LINK_TRUNCATED;
			break;
		case ETH_P_CISCO_CMD:
			/* version(1) length(1) options(2) SGT(2) type(2) */
			if (!tlsd_cur_skip(c, 6) || !tlsd_cur_get_u16(c, &type))
				return LINK_TRUNCATED;
			break;
		case ETH_P_IPV4:
		case ETH_P_IPV6:
			*etype = type;
			return LINK_IP;
		default:
			/* 802.3 length field (LLC/SNAP), PPPoE, ARP, MPLS, ... */
			return LINK_NON_IP;
		}
	}
}

/* `n` link bytes, then an ethertype. */
static enum link_result skip_then_type(struct tlsd_cur *c, size_t n, uint16_t *etype)
{
	uint16_t type;

	if (!tlsd_cur_skip(c, n) || !tlsd_cur_get_u16(c, &type))
		return LINK_TRUNCATED;
	return ethertype(c, type, etype);
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
	return ethertype(c, proto, etype);
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
		return LINK_IP;
	case BSD_AF_INET6_OPENBSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		*etype = ETH_P_IPV6;
		return LINK_IP;
	default:
		return LINK_NON_IP;
	}
}

static enum link_result link_raw(struct tlsd_cur *c, uint16_t *etype)
{
	*etype = ETH_P_SNIFF;
	return LINK_IP;
}

static enum link_result link_ipv4(struct tlsd_cur *c, uint16_t *etype)
{
	*etype = ETH_P_IPV4;
	return LINK_IP;
}

static enum link_result link_ipv6(struct tlsd_cur *c, uint16_t *etype)
{
	*etype = ETH_P_IPV6;
	return LINK_IP;
}

/* tcpdump-style dispatch table by link type. pcap_datalink() already maps
 * file LINKTYPE_ values to DLT_ values (LINKTYPE_RAW 101 -> DLT_RAW). */
static const struct link_type link_types[] = {
	{DLT_EN10MB, link_en10mb},
	{DLT_LINUX_SLL, link_sll},
	{DLT_LINUX_SLL2, link_sll2},
	{DLT_NULL, link_null},
	{DLT_LOOP, link_null},
	{DLT_RAW, link_raw},
	{DLT_RAW_OPENBSD, link_raw},
	{LINKTYPE_RAW_, link_raw},
	{DLT_IPV4, link_ipv4},
	{DLT_IPV6, link_ipv6},
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
	       "NULL and LOOP (BSD loopback), RAW, IPV4, IPV6";
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

static enum tlsd_decode_status fail(struct tlsd_ctx *ctx, enum tlsd_decode_status st,
				    enum tlsd_anomaly why)
{
	tlsd_ctx_count(ctx, why);
	return st;
}

/* A header of `need` bytes did not fit: TRUNCATED if the wire had it. */
static enum tlsd_decode_status short_hdr(struct tlsd_ctx *ctx, size_t need, size_t wire,
					 enum tlsd_anomaly trunc, enum tlsd_anomaly bad)
{
	if (need > wire)
		return fail(ctx, TLSD_DECODE_MALFORMED, bad);
	return fail(ctx, TLSD_DECODE_TRUNCATED, trunc);
}

/* TCP options (RFC 9293 3.1, RFC 7323): malformed ones are counted, the
 * segment is still delivered with what parsed. */
static void tcp_options(struct tlsd_ctx *ctx, struct tlsd_cur c, struct tlsd_tcp_opts *o)
{
	bool bad = false;
	uint8_t kind, len;

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
	struct tlsd_cur opts;
	uint8_t off, flags;
	size_t hlen;

	if (tlsd_cur_len(&c) < TCP_MIN_HDR)
		return short_hdr(st->ctx, TCP_MIN_HDR, wire, TLSD_ANOM_PKT_TRUNCATED_TCP,
				 TLSD_ANOM_PKT_BAD_TCP_HDR_LEN);
	if (!tlsd_cur_get_u16(&c, &pkt->sport) || !tlsd_cur_get_u16(&c, &pkt->dport) ||
	    !tlsd_cur_get_u32(&c, &pkt->seq) || !tlsd_cur_get_u32(&c, &pkt->ack) ||
	    !tlsd_cur_get_u8(&c, &off) || !tlsd_cur_get_u8(&c, &flags) ||
	    !tlsd_cur_get_u16(&c, &pkt->window) || !tlsd_cur_skip(&c, 4))
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
	set_payload(pkt, &c, wire - UDP_HDR);
	st->ctx->cnt.udp_packets++;
	tlsd_ctx_count(st->ctx, TLSD_ANOM_PKT_UDP);
	return TLSD_DECODE_UDP;
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

static void addr4(struct tlsd_addr *a, uint32_t v)
{
	*a = (struct tlsd_addr){{(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v}};
}

/* RFC 791: ver/ihl(1) tos(1) total(2) id(2) flags/frag(2) ttl(1) proto(1)
 * csum(2) src(4) dst(4) options(ihl*4-20) */
static enum tlsd_decode_status ipv4(struct dec_state *st, struct tlsd_cur c, size_t wire)
{
	struct tlsd_pkt *pkt = st->pkt;
	uint8_t vihl, ttl, proto;
	uint16_t total, id, frag;
	uint32_t src, dst;
	size_t hlen, plen;
	struct tlsd_cur payload;

	if (tlsd_cur_len(&c) < IPV4_MIN_HDR)
		return short_hdr(st->ctx, IPV4_MIN_HDR, wire, TLSD_ANOM_PKT_TRUNCATED_IP,
				 TLSD_ANOM_PKT_BAD_IP_TOTAL_LEN);
	if (!tlsd_cur_get_u8(&c, &vihl) || !tlsd_cur_skip(&c, 1) || !tlsd_cur_get_u16(&c, &total) ||
	    !tlsd_cur_get_u16(&c, &id) || !tlsd_cur_get_u16(&c, &frag) ||
	    !tlsd_cur_get_u8(&c, &ttl) || !tlsd_cur_get_u8(&c, &proto) || !tlsd_cur_skip(&c, 2) ||
	    !tlsd_cur_get_u32(&c, &src) || !tlsd_cur_get_u32(&c, &dst))
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
	pkt->ip_version = 4;
	addr4(&pkt->src, src);
	addr4(&pkt->dst, dst);
	pkt->ttl = ttl;
	pkt->ip_id = id;
	pkt->ip_df = (frag & 0x4000) != 0;
	pkt->reassembled = false;
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
	pkt->ip_version = 6;
	pkt->ttl = hlim;
	pkt->ip_id = 0;
	pkt->ip_df = false;
	pkt->reassembled = false;
	return ipv6_ext(st, nxt, payload, plen);
}

/* ---- entry --------------------------------------------------------------- */

enum tlsd_decode_status tlsd_decode_frame(struct tlsd_decoder *dec, struct tlsd_ctx *ctx,
					  const struct tlsd_frame *frame, struct tlsd_pkt *pkt)
{
	struct tlsd_pkt p; /* filled field by field; copied out only on success */
	struct dec_state st = {.dec = dec, .ctx = ctx, .frame = frame, .pkt = &p};
	struct tlsd_cur c;
	uint16_t etype = ETH_P_SNIFF;
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
	switch (dec->last_link->decode(&c, &etype)) {
	case LINK_IP:
		break;
	case LINK_TRUNCATED:
		return fail(ctx, TLSD_DECODE_TRUNCATED, TLSD_ANOM_PKT_TRUNCATED_LINK);
	case LINK_NON_IP:
	default:
		return fail(ctx, TLSD_DECODE_SKIP, TLSD_ANOM_PKT_NON_IP);
	}
	wire = tlsd_cur_len(&c) + missing;
	if (etype == ETH_P_SNIFF) {
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
	r = etype == ETH_P_IPV4 ? ipv4(&st, c, wire) : ipv6(&st, c, wire);
	if (r == TLSD_DECODE_TCP || r == TLSD_DECODE_UDP)
		*pkt = p;
	return r;
}

const char *tlsd_addr_str(const struct tlsd_addr *a, uint8_t ip_version, char *buf, size_t len)
{
	if (!inet_ntop(ip_version == 6 ? AF_INET6 : AF_INET, a->b, buf, (socklen_t)len) && len)
		snprintf(buf, len, "?");
	return buf;
}
