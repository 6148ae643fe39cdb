/* IP fragment reassembly: a hash of datagrams under reassembly, each with a
 * bitmap of received 8-byte blocks, an age list for timeouts and eviction. */
#include "tlsd/ipfrag.h"

#include <stdlib.h>
#include <string.h>

#define BLOCKS ((TLSD_IPFRAG_MAX_DATAGRAM + 7u) / 8u)
#define BITMAP_WORDS ((BLOCKS + 63u) / 64u)
#define ALLOC_STEP 2048u

struct dgram {
	struct dgram *hnext;         /* hash chain */
	struct dgram *older, *newer; /* age list, by creation */
	struct tlsd_ipfrag_key key;
	size_t bucket;
	tlsd_time_ns first_ts;
	uint8_t *data;
	size_t alloc;
	size_t mem;        /* bytes accounted in ctx->ipfrag_mem_used */
	uint32_t total;    /* length, once the last fragment arrived */
	uint32_t max_end;  /* highest byte end stored so far */
	uint32_t blocks_set;
	bool has_total;
	uint8_t next; /* next header of the offset-0 fragment (RFC 8200 4.5) */
	uint64_t bitmap[BITMAP_WORDS];
};

struct tlsd_ipfrag {
	struct dgram **buckets;
	size_t nbuckets; /* power of two */
	struct dgram *oldest, *newest;
	size_t count;
	struct dgram *done; /* completed datagram handed out by the last add */
};

struct tlsd_ipfrag *tlsd_ipfrag_new(const struct tlsd_ctx *ctx)
{
	struct tlsd_ipfrag *f = calloc(1, sizeof(*f));
	size_t n = 64;

	if (!f)
		return NULL;
	while (n < ctx->lim.ipfrag_max && n < (1u << 16))
		n <<= 1;
	f->buckets = calloc(n, sizeof(*f->buckets));
	if (!f->buckets) {
		free(f);
		return NULL;
	}
	f->nbuckets = n;
	return f;
}

static size_t key_hash(const struct tlsd_ipfrag_key *k, size_t nbuckets)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */

	for (size_t i = 0; i < sizeof(k->src.b); i++)
		h = (h ^ k->src.b[i]) * 0x100000001b3u;
	for (size_t i = 0; i < sizeof(k->dst.b); i++)
		h = (h ^ k->dst.b[i]) * 0x100000001b3u;
	h = (h ^ k->id) * 0x100000001b3u;
	h = (h ^ ((uint32_t)k->proto << 8 | k->version)) * 0x100000001b3u;
	return (size_t)(h ^ (h >> 32)) & (nbuckets - 1);
}

static bool key_eq(const struct tlsd_ipfrag_key *a, const struct tlsd_ipfrag_key *b)
{
	return a->id == b->id && a->proto == b->proto && a->version == b->version &&
	       memcmp(a->src.b, b->src.b, sizeof(a->src.b)) == 0 &&
	       memcmp(a->dst.b, b->dst.b, sizeof(a->dst.b)) == 0;
}

static void dgram_free(struct dgram *d)
{
	if (d) {
		free(d->data);
		free(d);
	}
}

/* Takes d out of the hash and the age list and returns its memory to ctx. */
static void unlink_dgram(struct tlsd_ipfrag *f, struct tlsd_ctx *ctx, struct dgram *d)
{
	struct dgram **pp = &f->buckets[d->bucket];

	while (*pp && *pp != d)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = d->hnext;
	if (d == f->oldest)
		f->oldest = d->newer;
	else
		d->older->newer = d->newer;
	if (d == f->newest)
		f->newest = d->older;
	else
		d->newer->older = d->older;
	f->count--;
	ctx->ipfrag_mem_used -= TLSD_MIN(d->mem, ctx->ipfrag_mem_used);
}

static void drop_dgram(struct tlsd_ipfrag *f, struct tlsd_ctx *ctx, struct dgram *d)
{
	unlink_dgram(f, ctx, d);
	dgram_free(d);
}

static void release_done(struct tlsd_ipfrag *f)
{
	dgram_free(f->done);
	f->done = NULL;
}

void tlsd_ipfrag_free(struct tlsd_ipfrag *f, struct tlsd_ctx *ctx)
{
	if (!f)
		return;
	while (f->oldest)
		drop_dgram(f, ctx, f->oldest);
	release_done(f);
	free(f->buckets);
	free(f);
}

size_t tlsd_ipfrag_pending(const struct tlsd_ipfrag *f)
{
	return f->count;
}

void tlsd_ipfrag_expire(struct tlsd_ipfrag *f, struct tlsd_ctx *ctx, tlsd_time_ns now)
{
	while (f->oldest && now - f->oldest->first_ts >= ctx->lim.ipfrag_timeout) {
		drop_dgram(f, ctx, f->oldest);
		tlsd_ctx_count(ctx, TLSD_ANOM_IPFRAG_TIMEOUT);
	}
}

/* Evicts the oldest datagram other than `keep`; false when there is none. */
static bool evict_oldest(struct tlsd_ipfrag *f, struct tlsd_ctx *ctx, const struct dgram *keep)
{
	struct dgram *victim = f->oldest;

	if (victim == keep && victim)
		victim = victim->newer;
	if (!victim)
		return false;
	drop_dgram(f, ctx, victim);
	tlsd_ctx_count(ctx, TLSD_ANOM_IPFRAG_CAP);
	return true;
}

static struct dgram *lookup(struct tlsd_ipfrag *f, const struct tlsd_ipfrag_key *key, size_t b)
{
	for (struct dgram *d = f->buckets[b]; d; d = d->hnext)
		if (key_eq(&d->key, key))
			return d;
	return NULL;
}

static struct dgram *create(struct tlsd_ipfrag *f, struct tlsd_ctx *ctx,
			    const struct tlsd_ipfrag_key *key, size_t b, tlsd_time_ns ts)
{
	struct dgram *d;

	if (ctx->lim.ipfrag_max == 0)
		return NULL;
	while (f->count >= ctx->lim.ipfrag_max || ctx->ipfrag_mem_used + sizeof(*d) > ctx->lim.ipfrag_mem)
		if (!evict_oldest(f, ctx, NULL))
			return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->key = *key;
	d->bucket = b;
	d->first_ts = ts;
	d->mem = sizeof(*d);
	ctx->ipfrag_mem_used += d->mem;
	d->hnext = f->buckets[b];
	f->buckets[b] = d;
	d->older = f->newest;
	if (f->newest)
		f->newest->newer = d;
	else
		f->oldest = d;
	f->newest = d;
	f->count++;
	return d;
}

/* Makes room for `end` bytes of data under the memory cap. */
static bool reserve(struct tlsd_ipfrag *f, struct tlsd_ctx *ctx, struct dgram *d, uint32_t end)
{
	size_t want, grow;
	uint8_t *p;

	if (end <= d->alloc)
		return true;
	want = ((size_t)end + ALLOC_STEP - 1) / ALLOC_STEP * ALLOC_STEP;
	want = TLSD_MIN(want, (size_t)TLSD_IPFRAG_MAX_DATAGRAM);
	grow = want - d->alloc;
	while (ctx->ipfrag_mem_used + grow > ctx->lim.ipfrag_mem)
		if (!evict_oldest(f, ctx, d))
			return false;
	p = realloc(d->data, want);
	if (!p)
		return false;
	d->data = p;
	d->alloc = want;
	d->mem += grow;
	ctx->ipfrag_mem_used += grow;
	return true;
}

static bool block_set(const struct dgram *d, uint32_t blk)
{
	return (d->bitmap[blk / 64] >> (blk % 64)) & 1u;
}

/* Copies the blocks of [offset, end) not yet held; true if any block was
 * already held (an overlap: the first copy wins). */
static bool store(struct dgram *d, uint32_t offset, uint32_t end, const struct tlsd_cur *data)
{
	struct tlsd_cur c = *data;
	bool overlap = false;

	for (uint32_t blk = offset / 8; blk * 8 < end; blk++) {
		size_t n = TLSD_MIN((size_t)8, (size_t)(end - blk * 8));

		if (block_set(d, blk)) {
			overlap = true;
			if (!tlsd_cur_skip(&c, n))
				break;
			continue;
		}
		if (!tlsd_cur_copy(&c, d->data + (size_t)blk * 8, n))
			break;
		d->bitmap[blk / 64] |= UINT64_C(1) << (blk % 64);
		d->blocks_set++;
	}
	return overlap;
}

static enum tlsd_ipfrag_result reject(struct tlsd_ctx *ctx, enum tlsd_anomaly why)
{
	tlsd_ctx_count(ctx, why);
	return TLSD_IPFRAG_DROPPED;
}

enum tlsd_ipfrag_result tlsd_ipfrag_add(struct tlsd_ipfrag *f, struct tlsd_ctx *ctx,
					const struct tlsd_ipfrag_key *key, tlsd_time_ns ts,
					uint32_t offset, bool more, uint8_t next,
					const struct tlsd_cur *data, struct tlsd_cur *out,
					uint8_t *out_next)
{
	size_t len = tlsd_cur_len(data);
	uint32_t end;
	size_t b;
	struct dgram *d;

	release_done(f);
	tlsd_ipfrag_expire(f, ctx, ts);
	tlsd_ctx_count(ctx, TLSD_ANOM_IPFRAG_FRAGMENTS);
	/* Non-last fragments carry a multiple of 8 bytes; nothing may end past
	 * the largest datagram (the "ping of death"). */
	if (offset > TLSD_IPFRAG_MAX_DATAGRAM || len > TLSD_IPFRAG_MAX_DATAGRAM - offset ||
	    (more && (len == 0 || len % 8 != 0)) || (!more && offset + len == 0))
		return reject(ctx, TLSD_ANOM_IPFRAG_BAD);
	end = offset + (uint32_t)len;
	b = key_hash(key, f->nbuckets);
	d = lookup(f, key, b);
	if (d) {
		if ((d->has_total && end > d->total) ||
		    (!more && ((d->has_total && end != d->total) || d->max_end > end)))
			return reject(ctx, TLSD_ANOM_IPFRAG_BAD);
	} else {
		d = create(f, ctx, key, b, ts);
		if (!d)
			return reject(ctx, TLSD_ANOM_IPFRAG_CAP);
	}
	if (!reserve(f, ctx, d, end)) {
		drop_dgram(f, ctx, d);
		return reject(ctx, TLSD_ANOM_IPFRAG_CAP);
	}
	if (!more) {
		d->has_total = true;
		d->total = end;
	}
	if (offset == 0)
		d->next = next;
	d->max_end = TLSD_MAX(d->max_end, end);
	if (store(d, offset, end, data))
		tlsd_ctx_count(ctx, TLSD_ANOM_IPFRAG_OVERLAP);
	if (!d->has_total || d->blocks_set != (d->total + 7) / 8)
		return TLSD_IPFRAG_HELD;
	unlink_dgram(f, ctx, d);
	f->done = d;
	tlsd_ctx_count(ctx, TLSD_ANOM_IPFRAG_REASSEMBLED);
	tlsd_cur_init(out, d->data, d->total);
	*out_next = d->next;
	return TLSD_IPFRAG_DONE;
}
