/* TCP connections keyed by 5-tuple (both directions share one entry).
 *
 * Open addressing with a keyed hash; flows live in one slab (no per-packet
 * malloc); an intrusive LRU list by last activity gives idle expiry and
 * eviction in O(1). All lifetimes are in capture time (ctx->now).
 *
 * The table drives one consumer through struct tlsd_flow_ops, in wire order:
 * open, then per direction data/gap (in-order stream bytes from the
 * reassembler), fin and rst, and finally close exactly once.
 *
 * Roles: the sender of a SYN (without ACK) is the client; with only a
 * SYN-ACK seen, its receiver; with no SYN at all, the side with the higher
 * port, and roles_guessed is set (the consumer may swap by content).
 *
 * Lifetimes (capture time, ctx->now, set by the caller before each packet):
 * - RST: buffered data is flushed (gaps declared), fin for directions whose
 *   FIN is reached, then rst, then close(RESET), all at the RST packet.
 * - FIN from both sides, both streams delivered up to their FINs: close(CLOSE).
 * - idle > lim.idle_timeout (on ctx->idle_clock, which stands still across
 *   capture-wide silences): flush, close(TIMEOUT), at the next packet or
 *   _expire, all of those one packet ends in the order of their creation
 *   (their first packet), unless the consumer's keep_idle says the flow's
 *   verdict no longer needs a timer (an established TLS connection): then
 *   it stays open, however long it idles, and its later packets continue
 *   it (one connection, one report).
 * - lim.max_flows reached: the least recently active flow is flushed and
 *   closed with EVICTED (counted TLSD_ANOM_CAPTURE_CAP_FLOWS).
 * - a SYN (no ACK) on an open 5-tuple whose client ISN differs, or from the
 *   server side: flush, close(PORT_REUSE) (counted TLSD_ANOM_TCP_PORT_REUSE),
 *   and a new flow starts with that SYN.
 * After a close (other than at the end of the input) the 5-tuple is kept as
 * a grave (16 bytes, in a bounded set) for lim.idle_timeout of idleness:
 * its trailing ACKs, RSTs and retransmissions are absorbed (counted as
 * TLSD_ANOM_TCP_AFTER_CLOSE) instead of starting a new flow; only a SYN
 * without ACK starts the 5-tuple again.
 *
 * Re-entrancy: a callback may call tlsd_flow_skip, tlsd_flow_ignore and
 * tlsd_flow_swap_roles on the flow it was given (not tlsd_flow_table_packet
 * and friends). skip(n) from a data callback counts from the end of the chunk
 * being delivered: those n bytes are never delivered, wherever they are (rest
 * of this packet, buffered, or arriving later). After swap_roles the
 * following callbacks use the new directions, including for the rest of the
 * current packet, and skip takes a direction in the new numbering (when
 * swap_roles is called from a data/gap callback, f->side[] itself is swapped
 * when that reassembler run returns, before any fin/rst/close). After
 * ignore no data/gap/packet callback follows; fin, rst and close still do.
 *
 * Memory per idle connection: sizeof(struct tlsd_flow) = 384 bytes on
 * x86-64 (six cache lines; struct tlsd_reasm is 56 of each side's 120),
 * plus 8-byte table slots at a load factor between 1/4 and 1/2 (16-32 bytes
 * per flow) and a 24-byte entry in the idle heap: about 440 bytes. The slab
 * grows by doubling, so up to half of its last chunk may be unused. */
#ifndef TLSD_FLOW_TABLE_H
#define TLSD_FLOW_TABLE_H

#include "tlsd/decode.h"
#include "tlsd/reasm.h"

enum tlsd_flow_end {
	TLSD_FLOW_END_CLOSE = 0,   /* FIN from both sides, all data delivered */
	TLSD_FLOW_END_RESET,       /* a RST ended it */
	TLSD_FLOW_END_TIMEOUT,     /* idle longer than --idle-timeout */
	TLSD_FLOW_END_CAPTURE_END, /* still open when the input ended */
	TLSD_FLOW_END_EVICTED,     /* pushed out by --max-flows */
	TLSD_FLOW_END_PORT_REUSE,  /* a new SYN reused the 5-tuple */
};

/* One side of the connection, indexed by enum tlsd_dir (C2S = client). Its
 * address and port are the flow's addr[] and port[] (the lookup's key). */
struct tlsd_flow_side {
	uint64_t bytes;       /* TCP payload bytes on the wire */
	uint64_t snap_cut;    /* payload bytes the capture's snap length cut off */
	tlsd_time_ns first_ts, last_ts;
	uint32_t packets;
	uint32_t first_ack;   /* first ACK this side sent (valid if ack_seen) */
	uint32_t last_ack;    /* highest ACK this side sent (valid if ack_seen) */
	uint32_t window;      /* last advertised window, scaled when known */
	uint16_t first_ip_id, last_ip_id;
	uint8_t first_ttl, last_ttl;
	uint8_t wscale;
	bool syn, ack_seen, fin, rst;
	bool has_wscale;      /* sent the window scale option in its SYN */
	struct tlsd_reasm reasm; /* the bytes this side sent */
};

struct tlsd_flow {
	/* The first cache line (the table keeps flows on 64-byte boundaries):
	 * the 5-tuple a lookup compares, then what every packet of the flow
	 * reads next, so that finding a flow costs one line of it. */
	_Alignas(64) struct tlsd_addr addr[2]; /* by enum tlsd_dir, like side[] */
	uint16_t port[2];   /* by enum tlsd_dir */
	uint8_t ip_version;
	bool roles_guessed; /* no SYN seen: client chosen by content or port */
	bool ignored;       /* the consumer stopped following it */
	uint8_t swap_pending; /* private: swap_roles called while this flow's reassembler runs */
	void *user;         /* the consumer's state; freed by the consumer in close.
			     * Its first cache line is prefetched when a packet
			     * finds the flow: put what callbacks read first there. */
	tlsd_time_ns idle_ts; /* ctx->idle_clock at its last packet */
	tlsd_time_ns last_ts; /* capture clock */
	struct tlsd_flow_side side[2];
	/* TCP three-way handshake times (0 when not seen): RTT = ack3 - syn.
	 * synack_ts and ack3_ts in the line of side[1]'s end: every ACK of the
	 * client reads them. What follows is not read per packet. */
	tlsd_time_ns synack_ts, ack3_ts, syn_ts;
	tlsd_time_ns first_ts; /* capture clock */
	uint64_t id;        /* creation order, 1-based */
	/* private to flow_table.c */
	tlsd_time_ns lru_ts;  /* when it was last queued in its LRU list */
	uint32_t lru_prev, lru_next;
	uint32_t hash;
	uint32_t idx;         /* slot in the slab */
	uint32_t heap_pos;    /* in the idle heap; UINT32_MAX: not in it */
};

/* Evidence carried by a reset, for telling a middlebox's RST from a peer's. */
struct tlsd_rst_info {
	tlsd_time_ns ts;
	uint64_t frame_no;
	uint8_t ttl;
	uint16_t ip_id;
	uint32_t seq, ack;
	bool has_ack;
	bool seq_in_window; /* near the next expected sequence number */
};

/* Every callback may be NULL. */
struct tlsd_flow_ops {
	void (*open)(void *ud, struct tlsd_flow *f, const struct tlsd_pkt *pkt);
	/* Every packet of a followed flow, before its data is reassembled
	 * (for per-packet evidence and -w). */
	void (*packet)(void *ud, struct tlsd_flow *f, enum tlsd_dir d, const struct tlsd_pkt *pkt);
	void (*data)(void *ud, struct tlsd_flow *f, enum tlsd_dir d, uint64_t off,
		     const uint8_t *p, size_t len, tlsd_time_ns ts);
	void (*gap)(void *ud, struct tlsd_flow *f, enum tlsd_dir d, uint64_t off, uint64_t len);
	void (*fin)(void *ud, struct tlsd_flow *f, enum tlsd_dir d, tlsd_time_ns ts);
	void (*rst)(void *ud, struct tlsd_flow *f, enum tlsd_dir d, const struct tlsd_rst_info *ri);
	/* Last call for this flow; f is invalid afterwards. */
	void (*close)(void *ud, struct tlsd_flow *f, enum tlsd_flow_end how);
	/* Optional: TLSD_REASM_EV_* bits raised by one segment of direction d
	 * (also counted in ctx). For per-flow evidence of retransmissions. */
	void (*tcp_event)(void *ud, struct tlsd_flow *f, enum tlsd_dir d, unsigned ev);
	/* Optional: the flow is idle past the timeout; true keeps it open. */
	bool (*keep_idle)(void *ud, struct tlsd_flow *f);
};

struct tlsd_flow_table; /* opaque */

TLSD_MUST_USE struct tlsd_flow_table *tlsd_flow_table_new(struct tlsd_ctx *ctx,
							  const struct tlsd_flow_ops *ops,
							  void *ud);
/* This table has part/whole of a run's connections (workers.h): its graves
 * get that part of a single table's bound, to the nearest power of two, so
 * the run's memory for them does not grow with the number of tables (at
 * most by sqrt(2)). Before the first packet. */
void tlsd_flow_table_share(struct tlsd_flow_table *t, uint64_t part, uint64_t whole);
/* Flows still open are closed (CAPTURE_END, as by _finish) first. */
void tlsd_flow_table_free(struct tlsd_flow_table *t);

/* One decoded TCP segment (status TLSD_DECODE_TCP). Also expires idle flows
 * against ctx->now (all of them, oldest connection first). */
void tlsd_flow_table_packet(struct tlsd_flow_table *t, const struct tlsd_pkt *pkt);
/* Expires every flow idle for longer than the timeout at ctx->now. */
void tlsd_flow_table_expire(struct tlsd_flow_table *t);
/* End of input: closes every open flow with TLSD_FLOW_END_CAPTURE_END, in
 * the order of their first packet (deterministic output). */
void tlsd_flow_table_finish(struct tlsd_flow_table *t);
/* Open flows (tombstones not included). */
size_t tlsd_flow_table_count(const struct tlsd_flow_table *t);
/* Graves (closed 5-tuples absorbing trailing packets) currently live. */
size_t tlsd_flow_table_tombstones(const struct tlsd_flow_table *t);
/* Bytes allocated by the table itself (slab and slots; not reassembly). */
size_t tlsd_flow_table_memory(const struct tlsd_flow_table *t);

/* Consumer requests, valid during a callback or between packets: */
/* Skip the next n bytes of direction d without buffering them. */
void tlsd_flow_skip(struct tlsd_flow_table *t, struct tlsd_flow *f, enum tlsd_dir d, uint64_t n);
/* Stop following: later packets cost a lookup; only FIN/RST/timeout tracked. */
void tlsd_flow_ignore(struct tlsd_flow_table *t, struct tlsd_flow *f);
/* The guessed roles were wrong (the "server" sent the ClientHello): swap. */
void tlsd_flow_swap_roles(struct tlsd_flow_table *t, struct tlsd_flow *f);

#endif
