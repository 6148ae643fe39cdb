/* Fuzz input handed to a reader's read callback (tlsd_pcapng_read_fn) at
 * most `chunk` bytes per read (0: all that is asked), so that buffer
 * refills and records or blocks split across reads are exercised. */
#ifndef TLSD_FUZZ_MEM_SRC_H
#define TLSD_FUZZ_MEM_SRC_H

#include <string.h>
#include <sys/types.h>

#include "tlsd/common.h"

struct mem_src {
	const uint8_t *p;
	size_t len, off, chunk;
};

static inline ssize_t mem_src_read(void *ud, uint8_t *buf, size_t n)
{
	struct mem_src *s = ud;
	size_t k = TLSD_MIN(n, s->len - s->off);

	if (s->chunk)
		k = TLSD_MIN(k, s->chunk);
	memcpy(buf, s->p + s->off, k);
	s->off += k;
	return (ssize_t)k;
}

#endif
