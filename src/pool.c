/* Same-size object pool (pool.h). */
#include "tlsd/pool.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>

struct tlsd_pool_chunk {
	struct tlsd_pool_chunk *next;
	alignas(max_align_t) unsigned char mem[];
};

void tlsd_pool_init(struct tlsd_pool *p, size_t size, size_t per_chunk)
{
	size_t a = alignof(max_align_t);

	*p = (struct tlsd_pool){0};
	p->stride = (TLSD_MAX(size, (size_t)1) + a - 1) / a * a;
	p->per_chunk = TLSD_MAX(per_chunk, (size_t)1);
}

/* A new chunk's objects onto the free list; false on OOM. */
static bool grow(struct tlsd_pool *p)
{
	size_t n = p->n_objects + p->per_chunk;
	void **v;
	struct tlsd_pool_chunk *ch;

	if (n < p->n_objects || p->stride > (SIZE_MAX - sizeof(*ch)) / p->per_chunk ||
	    n > SIZE_MAX / sizeof(*v))
		return false;
	v = realloc(p->free, n * sizeof(*v));
	if (!v)
		return false;
	p->free = v;
	ch = malloc(sizeof(*ch) + p->stride * p->per_chunk);
	if (!ch)
		return false;
	ch->next = p->chunks;
	p->chunks = ch;
	p->n_objects = n;
	/* Pushed last to first: handed out in address order. */
	for (size_t i = p->per_chunk; i-- > 0;)
		p->free[p->n_free++] = ch->mem + i * p->stride;
	return true;
}

void *tlsd_pool_get(struct tlsd_pool *p)
{
	if (!p->n_free && !grow(p))
		return NULL;
	return p->free[--p->n_free];
}

/* Room for every object was made when its chunk came: the push fits. */
void tlsd_pool_put(struct tlsd_pool *p, void *obj)
{
	if (obj && p->n_free < p->n_objects)
		p->free[p->n_free++] = obj;
}

void tlsd_pool_cleanup(struct tlsd_pool *p)
{
	while (p->chunks) {
		struct tlsd_pool_chunk *next = p->chunks->next;

		free(p->chunks);
		p->chunks = next;
	}
	free(p->free);
	*p = (struct tlsd_pool){.stride = p->stride, .per_chunk = p->per_chunk};
}
