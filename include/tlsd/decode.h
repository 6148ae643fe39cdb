/* Link / IP / TCP decoding into views of the captured bytes (no copies except
 * reassembled IP fragments). Bounds-checked through struct tlsd_cur only. */
#ifndef TLSD_DECODE_H
#define TLSD_DECODE_H

#include "tlsd/capture.h"
#include "tlsd/ctx.h"

#define TLSD_TCP_FIN 0x01
#define TLSD_TCP_SYN 0x02
#define TLSD_TCP_RST 0x04
#define TLSD_TCP_PSH 0x08
#define TLSD_TCP_ACK 0x10
#define TLSD_TCP_URG 0x20

/* An address in network byte order; IPv4 uses the first 4 bytes, rest 0. */
struct tlsd_addr {
	uint8_t b[16];
};

struct tlsd_tcp_opts {
	uint16_t mss;
	uint8_t wscale;
	bool has_mss, has_wscale, sack_permitted, has_timestamps;
	uint32_t ts_val, ts_ecr;
};

/* The datagram an ICMP or ICMPv6 error quotes (RFC 792, RFC 4443): whose
 * packet drew it, and why. */
struct tlsd_icmp_quote {
	uint8_t type, code;       /* of the ICMP message */
	uint8_t ip_version, proto;
	struct tlsd_addr src, dst; /* of the quoted datagram */
	uint16_t sport, dport;
};

struct tlsd_pkt {
	tlsd_time_ns ts;
	uint64_t frame_no;
	/* The frame the packet came from (for a reassembled datagram: the frame
	 * of the last fragment). Borrowed like frame->data. */
	const struct tlsd_frame *frame;
	uint8_t ip_version; /* 4 or 6 */
	uint8_t ip_proto;   /* 6 TCP, 17 UDP */
	struct tlsd_addr src, dst;
	uint8_t ttl;        /* IPv4 TTL or IPv6 hop limit */
	uint16_t ip_id;     /* IPv4 identification (0 for IPv6) */
	bool ip_df;
	bool reassembled;   /* came from IP fragments */
	uint16_t sport, dport;
	/* TCP only below */
	uint32_t seq, ack;
	uint8_t tcp_flags;
	uint16_t window;
	struct tlsd_tcp_opts opts;
	/* TCP payload actually captured. For reassembled fragments it points into
	 * the decoder's buffer (valid until the next decode call). */
	const uint8_t *payload;
	uint32_t payload_len;
	/* Payload length according to the IP header; > payload_len when the
	 * snap length cut the packet (the missing bytes are a capture gap). */
	uint32_t payload_wire_len;
	/* TLSD_DECODE_ICMP_ERROR only: src/dst above are the ICMP packet's own. */
	struct tlsd_icmp_quote icmp;
};

enum tlsd_decode_status {
	TLSD_DECODE_TCP = 0,   /* *pkt holds a TCP segment */
	TLSD_DECODE_UDP,       /* *pkt holds addresses/ports of a UDP datagram */
	TLSD_DECODE_SKIP,      /* not IP, or IP but neither TCP nor UDP (counted) */
	TLSD_DECODE_FRAGMENT,  /* a fragment was stored; nothing to deliver yet */
	TLSD_DECODE_TRUNCATED, /* headers cut by the snap length (counted) */
	TLSD_DECODE_MALFORMED, /* invalid headers (counted) */
	TLSD_DECODE_ICMP_ERROR, /* ICMP destination unreachable quoting a UDP/TCP datagram:
				 * *pkt holds the ICMP packet's addresses and pkt->icmp */
};

struct tlsd_decoder; /* opaque: IP fragment reassembly state */

TLSD_MUST_USE struct tlsd_decoder *tlsd_decoder_new(struct tlsd_ctx *ctx);
void tlsd_decoder_free(struct tlsd_decoder *dec);

/* True for link types this decoder understands. */
bool tlsd_decode_dlt_supported(int dlt);
/* Human-readable list of supported link types for error messages. */
const char *tlsd_decode_supported_dlts(void);

/* Decodes one frame. Never reads outside frame->data[0..caplen). */
TLSD_MUST_USE enum tlsd_decode_status tlsd_decode_frame(struct tlsd_decoder *dec,
							struct tlsd_ctx *ctx,
							const struct tlsd_frame *frame,
							struct tlsd_pkt *pkt);
/* Drops fragment state older than the fragment timeout (capture clock). */
void tlsd_decoder_expire(struct tlsd_decoder *dec, struct tlsd_ctx *ctx);

/* Formats an address ("192.0.2.7" or "2001:db8::1"); buf >= 46 bytes. */
const char *tlsd_addr_str(const struct tlsd_addr *a, uint8_t ip_version, char *buf, size_t len);

#endif
