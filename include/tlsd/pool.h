/* A pool of same-size objects: allocated in chunks, handed back to a free
 * list, so a struct made and dropped per connection costs no malloc, no
 * free and (once the pool has grown) no first-touch page faults. Objects
 * are suitably aligned for any type and come back uninitialised. Chunks are
 * freed only with the pool: it holds as many objects as were ever in use at
 * once, which the caller bounds (for connections: the flow table's cap). */
#ifndef TLSD_POOL_H
#define TLSD_POOL_H

#include "tlsd/common.h"

struct tlsd_pool_chunk;

struct tlsd_pool {
	size_t stride;     /* object size rounded up for alignment */
	size_t per_chunk;
	struct tlsd_pool_chunk *chunks;
	void **free;       /* a stack of n_free, room for every object allocated */
	size_t n_free, n_objects;
};

void tlsd_pool_init(struct tlsd_pool *p, size_t size, size_t per_chunk);
/* An object, or NULL on OOM. */
TLSD_MUST_USE void *tlsd_pool_get(struct tlsd_pool *p);
/* obj must come from tlsd_pool_get(p); NULL is ignored. */
void tlsd_pool_put(struct tlsd_pool *p, void *obj);
/* Frees every chunk (objects still out included). */
void tlsd_pool_cleanup(struct tlsd_pool *p);

#endif
