/* Out-of-order reassembly of one byte stream that starts at offset 0 and
 * has a hard size cap: QUIC CRYPTO streams (one per packet number space and
 * direction) and DTLS handshake messages (fragment offset/length). Bytes are
 * stored at their offset in one capped tlsd_buf; a short sorted list of the
 * ranges held says which. First bytes win on overlap; a retransmission with
 * different bytes is flagged. No allocation except the buffer's growth. */
#ifndef TLSD_RANGEBUF_H
#define TLSD_RANGEBUF_H

#include "tlsd/buf.h"
#include "tlsd/cur.h"

/* Holes a stream may have at once; more (a peer scattering tiny pieces)
 * is refused like a cap. */
#define TLSD_RANGEBUF_MAX_RANGES 16

struct tlsd_rangebuf_range {
	uint64_t start, end; /* [start, end) */
};

struct tlsd_rangebuf {
	struct tlsd_buf buf; /* bytes [0, buf.len); holes read as zero */
	struct tlsd_rangebuf_range r[TLSD_RANGEBUF_MAX_RANGES];
	uint8_t n;
	bool differs; /* some retransmitted bytes differed from those held */
};

/* Zeroed memory is an empty rangebuf with cap 0. */
void tlsd_rangebuf_init(struct tlsd_rangebuf *rb, size_t cap);
void tlsd_rangebuf_cleanup(struct tlsd_rangebuf *rb);
/* Forgets the bytes (keeps the cap); memory is released. */
void tlsd_rangebuf_reset(struct tlsd_rangebuf *rb);

/* Forgets the bytes but keeps the memory for the next stream (DTLS: the
 * next message reassembled in the same slot). */
void tlsd_rangebuf_clear(struct tlsd_rangebuf *rb);
/* Bytes held (the sum of the ranges). */
uint64_t tlsd_rangebuf_held(const struct tlsd_rangebuf *rb);

/* Stores bytes [off, off + len). Returns 0 (also when every byte was
 * already held), -ENOSPC when they reach beyond the cap, -E2BIG when they
 * would open more than TLSD_RANGEBUF_MAX_RANGES holes, -ENOMEM. Nothing is
 * stored on failure. *differs (may be NULL) is set when held bytes differed
 * from the new ones (the held ones are kept). */
TLSD_MUST_USE int tlsd_rangebuf_put(struct tlsd_rangebuf *rb, uint64_t off, const uint8_t *p,
				    size_t len, bool *differs);
/* Bytes held from offset 0 without a hole. */
uint64_t tlsd_rangebuf_contig(const struct tlsd_rangebuf *rb);
/* Highest offset held + 1 (0 when empty). */
uint64_t tlsd_rangebuf_end(const struct tlsd_rangebuf *rb);
/* A view of held bytes [off, off + len); false unless all are held. */
TLSD_MUST_USE bool tlsd_rangebuf_view(const struct tlsd_rangebuf *rb, uint64_t off, size_t len,
				      struct tlsd_cur *out);

#endif
