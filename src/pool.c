/* Free list of fixed-size objects (pool.h). */
#include "tlsd/pool.h"

#include <stdlib.h>
#include <string.h>

void tlsd_pool_init(struct tlsd_pool *p, size_t size, uint32_t max_free)
{
	p->free = NULL;
	p->size = TLSD_MAX(size, sizeof(void *));
	p->n_free = 0;
	p->max_free = max_free;
}

void *tlsd_pool_get(struct tlsd_pool *p)
{
	void *obj = p->free;

	if (!obj)
		return malloc(p->size);
	memcpy(&p->free, obj, sizeof(void *));
	p->n_free--;
	return obj;
}

void tlsd_pool_put(struct tlsd_pool *p, void *obj)
{
	if (!obj)
		return;
	if (p->n_free >= p->max_free) {
		free(obj);
		return;
	}
	memcpy(obj, &p->free, sizeof(void *));
	p->free = obj;
	p->n_free++;
}

void tlsd_pool_cleanup(struct tlsd_pool *p)
{
	while (p->free) {
		void *obj = p->free;

		memcpy(&p->free, obj, sizeof(void *));
		free(obj);
	}
	p->n_free = 0;
}
