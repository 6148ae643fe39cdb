/* Free list of fixed-size objects cut from slabs (pool.h). */
#include "tlsd/pool.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif
#ifdef POOL_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* The first line of every slab: the slabs of a pool are a list. */
struct slab_hdr {
	struct slab_hdr *next;
};

#define SLAB_HDR_LEN TLSD_POOL_ALIGN

void tlsd_pool_init(struct tlsd_pool *p, size_t size)
{
	size = TLSD_MAX(size, sizeof(void *));
	memset(p, 0, sizeof(*p));
	p->size = (size + TLSD_POOL_ALIGN - 1) & ~(size_t)(TLSD_POOL_ALIGN - 1);
}

/* Pages of a slab count in the resident size only once an object on them
 * is first used. */
static struct slab_hdr *slab_new(void)
{
	struct slab_hdr *h = aligned_alloc(TLSD_POOL_ALIGN, TLSD_POOL_SLAB);

	if (h)
		h->next = NULL;
	return h;
}

static void slab_free(struct slab_hdr *h)
{
	UNPOISON(h, TLSD_POOL_SLAB);
	free(h);
}

/* A new object from the slab being cut, or from a new slab. */
static void *cut(struct tlsd_pool *p)
{
	void *obj;

	/* An object larger than a slab's room would never fit. */
	if (p->size > TLSD_POOL_SLAB - SLAB_HDR_LEN)
		return NULL;
	if (!p->slab || TLSD_POOL_SLAB - p->slab_used < p->size) {
		struct slab_hdr *h = slab_new();

		if (!h)
			return NULL;
		h->next = (struct slab_hdr *)p->slab;
		p->slab = (uint8_t *)h;
		p->slab_used = SLAB_HDR_LEN;
		p->n_slabs++;
		POISON(p->slab + SLAB_HDR_LEN, TLSD_POOL_SLAB - SLAB_HDR_LEN);
	}
	obj = p->slab + p->slab_used;
	p->slab_used += p->size;
	UNPOISON(obj, p->size);
	return obj;
}

void *tlsd_pool_get(struct tlsd_pool *p)
{
	void *obj = p->free;

	if (!obj)
		return cut(p);
	UNPOISON(obj, p->size);
	memcpy(&p->free, obj, sizeof(void *));
	p->n_free--;
	return obj;
}

void tlsd_pool_put(struct tlsd_pool *p, void *obj)
{
	if (!obj)
		return;
	memcpy(obj, &p->free, sizeof(void *));
	p->free = obj;
	p->n_free++;
	POISON(obj, p->size);
}

void tlsd_pool_cleanup(struct tlsd_pool *p)
{
	struct slab_hdr *h = (struct slab_hdr *)p->slab;

	while (h) {
		struct slab_hdr *next = h->next;

		slab_free(h);
		h = next;
	}
	tlsd_pool_init(p, p->size);
}
