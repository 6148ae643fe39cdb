/* A free list of fixed-size objects, for the few kinds made and dropped
 * once per connection (connection glue, session, report: each larger than
 * malloc's per-thread cache holds, so every malloc/free of them took the
 * allocator's bins and its lists; a freed object is also cold by the time
 * malloc hands it out again, where the one freed last here is still in the
 * cache when the next connection takes it).
 *
 * Last in, first out; at most max_free objects are kept, the rest go back
 * to free(). Objects come back uninitialised (the caller zeroes or fills
 * them). One owner: no locking, so every get and put of a pool happens on
 * one thread at a time. */
#ifndef TLSD_POOL_H
#define TLSD_POOL_H

#include <stddef.h>

#include "tlsd/common.h"

struct tlsd_pool {
	void *free;        /* the first free object; its first bytes link the next */
	size_t size;       /* of an object (at least a pointer's) */
	uint32_t n_free;
	uint32_t max_free; /* kept at most; more go back to free() */
};

void tlsd_pool_init(struct tlsd_pool *p, size_t size, uint32_t max_free);
/* An object of p->size bytes, not initialised; NULL on OOM. */
TLSD_MUST_USE void *tlsd_pool_get(struct tlsd_pool *p);
/* Gives back an object of this pool (NULL is ignored). */
void tlsd_pool_put(struct tlsd_pool *p, void *obj);
/* Frees the objects kept; the pool is empty and still usable. */
void tlsd_pool_cleanup(struct tlsd_pool *p);

#endif
