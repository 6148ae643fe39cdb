/* A free list of fixed-size objects, for the few kinds made and dropped
 * once per connection (connection glue, session, report: each larger than
 * malloc's per-thread cache holds, so every malloc/free of them took the
 * allocator's bins and its lists; a freed object is also cold by the time
 * malloc hands it out again, where the one freed last here is still in the
 * cache when the next connection takes it).
 *
 * New objects are cut from slabs of TLSD_POOL_SLAB bytes, each starting
 * on a 64-byte line (the line prefetched when a packet finds its flow is
 * then the object's first 64 bytes, not a part of them: malloc aligns to
 * 16), packed with no allocator header between them. A slab's pages count in the resident
 * size only once an object on them is first used.
 *
 * Last in, first out. An object given back stays in the pool: slab memory
 * goes back to the system only at tlsd_pool_cleanup(), so a pool holds as
 * many objects as were ever in use at once (bounded by the flow limits,
 * --max-flows), plus the unused rest of its last slab. Objects come back
 * uninitialised (the caller zeroes or fills them). One owner: no locking,
 * so every get and put of a pool happens on one thread at a time. Under
 * AddressSanitizer, objects in the free list and the slabs' unused rest are
 * poisoned: a use after put is reported. */
#ifndef TLSD_POOL_H
#define TLSD_POOL_H

#include <stddef.h>

#include "tlsd/common.h"

#define TLSD_POOL_SLAB (1u << 20)
#define TLSD_POOL_ALIGN 64u

struct tlsd_pool {
	void *free;        /* the first free object; its first bytes link the next */
	size_t size;       /* of an object (at least a pointer's), rounded up to TLSD_POOL_ALIGN */
	uint32_t n_free;
	uint8_t *slab;     /* the slab being cut; NULL: none yet */
	size_t slab_used;  /* bytes of it handed out (its first line links the previous slab) */
	uint32_t n_slabs;
};

void tlsd_pool_init(struct tlsd_pool *p, size_t size);
/* An object of p->size bytes, not initialised; NULL on OOM. */
TLSD_MUST_USE void *tlsd_pool_get(struct tlsd_pool *p);
/* Gives back an object of this pool (NULL is ignored). */
void tlsd_pool_put(struct tlsd_pool *p, void *obj);
/* Frees every object and slab of the pool, in use or not; the pool is
 * empty and still usable. */
void tlsd_pool_cleanup(struct tlsd_pool *p);

#endif
