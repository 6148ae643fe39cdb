/* IP fragment reassembly for the decoder (private to src/decode.c).
 *
 * RFC 791 / RFC 815 style: datagrams keyed by (version, src, dst, id, proto),
 * received data tracked in a bitmap of 8-byte blocks, first fragment wins on
 * overlap (counted). Bounded by ctx->lim.ipfrag_mem / ipfrag_max /
 * ipfrag_timeout; all timeouts run on the capture clock. */
#ifndef TLSD_IPFRAG_H
#define TLSD_IPFRAG_H

#include "tlsd/ctx.h"
#include "tlsd/cur.h"
#include "tlsd/decode.h"

/* Largest reassembled fragmentable part: an IPv4 total length or an IPv6
 * payload length cannot describe more. */
#define TLSD_IPFRAG_MAX_DATAGRAM 65535u

struct tlsd_ipfrag_key {
	struct tlsd_addr src, dst;
	uint32_t id;       /* IPv4 identification or IPv6 fragment identification */
	uint8_t proto;     /* IPv4 protocol; 0 for IPv6 */
	uint8_t version;   /* 4 or 6 */
};

enum tlsd_ipfrag_result {
	TLSD_IPFRAG_HELD = 0, /* stored, datagram still incomplete */
	TLSD_IPFRAG_DONE,     /* datagram complete: *out is its fragmentable part */
	TLSD_IPFRAG_DROPPED,  /* fragment rejected (invalid or over a cap; counted) */
};

struct tlsd_ipfrag; /* opaque */

/* Bucket count is sized from ctx->lim.ipfrag_max. NULL on OOM. */
TLSD_MUST_USE struct tlsd_ipfrag *tlsd_ipfrag_new(const struct tlsd_ctx *ctx);
/* Frees every datagram and gives its memory back to ctx->ipfrag_mem_used. */
void tlsd_ipfrag_free(struct tlsd_ipfrag *f, struct tlsd_ctx *ctx);

/* Adds the fragment `data` that starts at byte `offset` of the datagram's
 * fragmentable part; `more` is the M/MF bit, `next` the protocol or IPv6
 * next header this fragment names. Expires old datagrams first (at `ts`).
 * On DONE, *out views the whole reassembled fragmentable part (valid until
 * the next tlsd_ipfrag_add() or tlsd_ipfrag_free()) and *out_next is the
 * `next` of the offset-0 fragment. Outputs are untouched otherwise. */
TLSD_MUST_USE enum tlsd_ipfrag_result tlsd_ipfrag_add(struct tlsd_ipfrag *f, struct tlsd_ctx *ctx,
						      const struct tlsd_ipfrag_key *key,
						      tlsd_time_ns ts, uint32_t offset, bool more,
						      uint8_t next, const struct tlsd_cur *data,
						      struct tlsd_cur *out, uint8_t *out_next);

/* Drops datagrams whose first fragment is older than ctx->lim.ipfrag_timeout
 * at capture time `now` (counted TLSD_ANOM_IPFRAG_TIMEOUT). */
void tlsd_ipfrag_expire(struct tlsd_ipfrag *f, struct tlsd_ctx *ctx, tlsd_time_ns now);

/* Datagrams under reassembly. */
size_t tlsd_ipfrag_pending(const struct tlsd_ipfrag *f);

#endif
