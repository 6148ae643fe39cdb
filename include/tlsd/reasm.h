/* One direction of a TCP connection: sequence tracking and reassembly into an
 * in-order byte stream (Suricata/Zeek model). Knows nothing of TLS.
 *
 * Offsets are 64-bit and relative to the initial sequence number (the byte
 * after the SYN, or the first byte seen when the capture started mid-stream),
 * so 32-bit wrap never reaches the consumer. In-order bytes are handed to the
 * consumer straight from the packet; only out-of-order data is copied, under
 * the per-direction and global caps. Overlaps: first seen wins, and
 * different bytes are reported as an inconsistent retransmission. */
#ifndef TLSD_REASM_H
#define TLSD_REASM_H

#include "tlsd/ctx.h"

struct tlsd_reasm_seg; /* buffered out-of-order segment (private) */

struct tlsd_reasm {
	uint32_t isn;          /* sequence number of relative offset 0 */
	/* Memory charged for ooo: each buffered segment costs its captured bytes
	 * plus its header (TLSD_REASM_SEG_OVERHEAD), so a peer sending 1-byte
	 * segments cannot hold more than the caps in real memory. Next to isn:
	 * no padding (56 bytes, not 64, in each side of every flow). */
	uint32_t ooo_bytes;
	uint64_t next;         /* offset of the next byte the consumer wants */
	uint64_t fin_off;      /* offset of the FIN (valid if fin_seen) */
	uint64_t max_seen;     /* highest offset + 1 seen in any segment */
	struct tlsd_reasm_seg *ooo; /* sorted by offset, no overlaps */
	struct tlsd_reasm_seg *ooo_tail; /* last of ooo: appending is O(1) */
	bool started;          /* isn known */
	bool midstream;        /* started without a SYN */
	bool tentative;        /* mid-stream start not settled yet: buffering */
	bool fin_seen, fin_delivered;
	bool closed;           /* RST or consumer stopped: drop everything */
};

/* Bytes charged per buffered segment on top of its captured bytes. */
#define TLSD_REASM_SEG_OVERHEAD 32u

/* What the reassembler produces, in wire order.
 *
 * Re-entrancy: a callback may call tlsd_reasm_skip() on this same direction
 * (and tlsd_reasm_cleanup() followed by setting `closed`). `next` already
 * points past the chunk being delivered when the callback runs, so skip(n)
 * counts from the end of the current chunk: the n bytes after it are never
 * delivered, whether they are in this packet, buffered, or arrive later.
 * After `closed` is set nothing more is delivered. */
struct tlsd_reasm_sink {
	/* In-order bytes at stream offset `off`. Valid only during the call. */
	void (*data)(void *ud, uint64_t off, const uint8_t *p, size_t len);
	/* `len` bytes at `off` will never be delivered (lost, cut, over a cap). */
	void (*gap)(void *ud, uint64_t off, uint64_t len);
	void *ud;
};

void tlsd_reasm_init(struct tlsd_reasm *r);
/* Frees buffered segments and returns their bytes to ctx->reasm_mem_used. */
void tlsd_reasm_cleanup(struct tlsd_reasm *r, struct tlsd_ctx *ctx);

/* Starts the stream: isn is the SYN's sequence number + 1. */
void tlsd_reasm_start(struct tlsd_reasm *r, uint32_t isn, bool midstream);

/* Starts a stream picked up mid-way with no ACK to say where it goes on:
 * segments are buffered (not delivered) until tlsd_reasm_settle(), so that
 * pieces of the first flight that arrive out of order still count. The
 * stream then starts at the lowest sequence number seen (or the peer's ACK
 * when that lies a little below it). Settles by itself when the buffer
 * holds TLSD_REASM_TENTATIVE_MAX bytes, on an ACK from the peer
 * (tlsd_reasm_ack) and on flush. */
#define TLSD_REASM_TENTATIVE_MAX (64u << 10)
void tlsd_reasm_start_tentative(struct tlsd_reasm *r, uint32_t first_seq);
void tlsd_reasm_settle(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
		       const struct tlsd_reasm_sink *sink, bool have_ack, uint32_t ack);

/* Adds one segment (seq, payload) of this direction. Starts the stream
 * (midstream, isn = seq) when it has not started. Bytes before the ISN or
 * below `next` are dropped (RETRANSMIT when the whole segment lies below
 * next and below max_seen: the sender sent those bytes before). `wire_len` >= len: the
 * bytes past `len` were cut by the snap length and become a gap. Delivers
 * whatever becomes in order. Returns a set of TLSD_REASM_EV_* bits so the
 * caller can count them. */
#define TLSD_REASM_EV_RETRANSMIT 0x01    /* all bytes already seen */
#define TLSD_REASM_EV_INCONSISTENT 0x02  /* overlapping bytes differ */
#define TLSD_REASM_EV_OUT_OF_ORDER 0x04  /* buffered ahead of a hole */
#define TLSD_REASM_EV_CAP 0x08           /* a cap forced a gap */
#define TLSD_REASM_EV_AFTER_FIN 0x10     /* data beyond the FIN */
unsigned tlsd_reasm_segment(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
			    const struct tlsd_reasm_sink *sink, uint32_t seq,
			    const uint8_t *p, uint32_t len, uint32_t wire_len);

/* Records the FIN at `seq` (seq of the FIN segment + its payload length).
 * Starts the stream (midstream) when it has not started. The first FIN wins;
 * a FIN below `next` is moved to `next`. Buffered bytes beyond the FIN are
 * never delivered. */
void tlsd_reasm_fin(struct tlsd_reasm *r, uint32_t fin_seq);
/* True once all bytes before the FIN have been delivered or declared gaps. */
bool tlsd_reasm_fin_reached(const struct tlsd_reasm *r);

/* The peer acknowledged `ack`: everything before it was sent, so a hole below
 * it is data the capture missed. Declares those gaps and delivers what
 * follows. */
void tlsd_reasm_ack(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
		    const struct tlsd_reasm_sink *sink, uint32_t ack);

/* The consumer does not want the next n bytes (e.g. a TLS record body): the
 * stream advances without buffering or copying them, even if they arrive
 * later or out of order. */
void tlsd_reasm_skip(struct tlsd_reasm *r, struct tlsd_ctx *ctx, uint64_t n);

/* End of the stream (close, reset, timeout, capture end): every buffered
 * segment is delivered with gaps declared for the holes before it, and, when
 * a FIN was seen, a gap up to the FIN, so that tlsd_reasm_fin_reached(). */
void tlsd_reasm_flush(struct tlsd_reasm *r, struct tlsd_ctx *ctx,
		      const struct tlsd_reasm_sink *sink);

/* Whether a sequence number is inside [x - window, x + window) for x the
 * sequence number of `next`, of `max_seen` (next is ahead of the sender when
 * the consumer skipped), or of the FIN + 1. With window 0 only an exact match
 * counts. False before the stream started. */
bool tlsd_reasm_seq_plausible(const struct tlsd_reasm *r, uint32_t seq, uint32_t window);

#endif
