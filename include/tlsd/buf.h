/* An owned, growable byte buffer with a hard capacity limit.
 * Every peer-controlled allocation in tlsdiag goes through one of these, so
 * a hostile length can never make it allocate more than `cap` bytes. */
#ifndef TLSD_BUF_H
#define TLSD_BUF_H

#include "tlsd/common.h"

struct tlsd_buf {
	uint8_t *data;
	size_t len;   /* bytes held */
	size_t alloc; /* bytes allocated */
	size_t cap;   /* hard limit for len */
};

/* Zero-initialised memory is a valid empty buffer with cap 0. */
void tlsd_buf_init(struct tlsd_buf *b, size_t cap);
void tlsd_buf_cleanup(struct tlsd_buf *b);
/* Appends n bytes. -ENOSPC when len + n would exceed cap (buffer unchanged),
 * -ENOMEM on allocation failure. */
TLSD_MUST_USE int tlsd_buf_append(struct tlsd_buf *b, const uint8_t *p, size_t n);
/* Drops the first n bytes (n <= len). */
void tlsd_buf_consume(struct tlsd_buf *b, size_t n);
void tlsd_buf_reset(struct tlsd_buf *b);
/* Releases memory when the buffer is empty, to keep idle flows small. */
void tlsd_buf_shrink(struct tlsd_buf *b);

#endif
