/* UDP flows: datagrams grouped by 5-tuple (both directions share one
 * flow), plus QUIC connection IDs, so that a connection whose client
 * changed address or port (NAT rebinding, migration) stays one flow.
 *
 * Flows are allocated when they open (never per datagram) and indexed by
 * keys in one chained hash table under a per-table random key: up to
 * TLSD_UDP_MAX_TUPLES 5-tuples and TLSD_UDP_MAX_CIDS connection IDs each.
 * An intrusive LRU list by last activity gives idle expiry (lim.idle_timeout,
 * capture time) and eviction at lim.max_udp_flows (counted
 * TLSD_ANOM_CAPTURE_CAP_UDP_FLOWS) in O(1).
 *
 * Roles: the sender of a flow's first datagram is the client; the
 * consumer may swap them (tlsd_udp_flow_swap_roles) when the content says
 * otherwise.
 *
 * A datagram on an unknown 5-tuple whose first bytes carry a registered
 * QUIC Destination Connection ID (long header: its DCID; short header: the
 * first bytes after the first, for each registered length) joins the flow
 * that registered it: the new 5-tuple is added to it. */
#ifndef TLSD_UDP_FLOW_H
#define TLSD_UDP_FLOW_H

#include "tlsd/decode.h"

#define TLSD_UDP_MAX_TUPLES 4
#define TLSD_UDP_MAX_CIDS 6
#define TLSD_UDP_MAX_CID_LEN 20

enum tlsd_udp_end {
	TLSD_UDP_END_TIMEOUT = 0,  /* idle longer than --idle-timeout */
	TLSD_UDP_END_CAPTURE_END,  /* still open when the input ended */
	TLSD_UDP_END_EVICTED,      /* pushed out by --max-udp-flows */
	TLSD_UDP_END_SUPERSEDED,   /* (consumer's) a new connection took over the flow */
};

struct tlsd_udp_side {
	struct tlsd_addr addr; /* as first seen */
	uint16_t port;
	uint8_t first_ttl;
	uint32_t datagrams;
	uint64_t bytes;        /* UDP payload bytes on the wire */
	uint32_t max_datagram; /* largest UDP payload (wire length) */
	tlsd_time_ns first_ts, last_ts;
};

struct udp_key; /* private */

struct tlsd_udp_flow {
	struct tlsd_udp_side side[2]; /* indexed by enum tlsd_dir (C2S: client) */
	uint8_t ip_version;
	bool ignored;        /* the consumer stopped following it */
	uint8_t n_tuples;    /* 5-tuples it is known by (> 1: the client moved) */
	tlsd_time_ns idle_ts; /* ctx->idle_clock at its last packet (expiry) */
	tlsd_time_ns first_ts, last_ts;
	uint64_t id;         /* creation order, 1-based */
	uint64_t first_frame; /* frame number of its first datagram */
	void *user;          /* the consumer's; freed by it in close */
	/* private to udp_flow.c */
	struct tlsd_udp_flow *lru_prev, *lru_next;
	struct udp_key *keys;
};

struct tlsd_udp_ops {
	void (*open)(void *ud, struct tlsd_udp_flow *f, const struct tlsd_pkt *pkt);
	/* Every datagram of a followed flow, d = its direction. */
	void (*datagram)(void *ud, struct tlsd_udp_flow *f, enum tlsd_dir d,
			 const struct tlsd_pkt *pkt);
	/* An ICMP error quoting a datagram of this flow; d = the direction of
	 * the quoted datagram. Also for ignored flows. */
	void (*icmp)(void *ud, struct tlsd_udp_flow *f, enum tlsd_dir d, const struct tlsd_pkt *pkt);
	/* Last call for this flow; f is invalid afterwards. */
	void (*close)(void *ud, struct tlsd_udp_flow *f, enum tlsd_udp_end how);
};

struct tlsd_udp_table;

TLSD_MUST_USE struct tlsd_udp_table *tlsd_udp_table_new(struct tlsd_ctx *ctx,
							const struct tlsd_udp_ops *ops, void *ud);
/* Open flows are closed with CAPTURE_END first. */
void tlsd_udp_table_free(struct tlsd_udp_table *t);

/* One decoded UDP datagram (TLSD_DECODE_UDP); also expires idle flows,
 * amortised, against ctx->now. */
void tlsd_udp_table_packet(struct tlsd_udp_table *t, const struct tlsd_pkt *pkt);
/* One ICMP error (TLSD_DECODE_ICMP_ERROR) quoting a UDP datagram. */
void tlsd_udp_table_icmp(struct tlsd_udp_table *t, const struct tlsd_pkt *pkt);
void tlsd_udp_table_expire(struct tlsd_udp_table *t);
/* End of input: every flow closes with CAPTURE_END, oldest first. */
void tlsd_udp_table_finish(struct tlsd_udp_table *t);
size_t tlsd_udp_table_count(const struct tlsd_udp_table *t);

/* Consumer requests, valid during a callback or between datagrams. */
/* Packets sent towards side `to` carry cid as their Destination Connection
 * ID. 0, -ENOSPC (TLSD_UDP_MAX_CIDS reached), -EINVAL (length 0 or > 20).
 * Registering a CID again, or one another flow holds, is a no-op. */
TLSD_MUST_USE int tlsd_udp_flow_add_cid(struct tlsd_udp_table *t, struct tlsd_udp_flow *f,
					enum tlsd_dir to, const uint8_t *cid, size_t len);
void tlsd_udp_flow_ignore(struct tlsd_udp_table *t, struct tlsd_udp_flow *f);
void tlsd_udp_flow_swap_roles(struct tlsd_udp_table *t, struct tlsd_udp_flow *f);

#endif
