/* TCP connections by 5-tuple: open addressing, slab, LRU, lifetimes.
 *
 * Table: a power-of-two array of 8-byte slots {hash, index + 1} (0 = empty),
 * linear probing, backward-shift deletion, load factor kept <= 1/2. The hash
 * is a keyed multiply-fold mix (wyhash-like) of the canonical 5-tuple (the
 * two endpoints in sorted order, so both directions meet in one entry) with
 * a per-table random key from getrandom().
 *
 * Slab: flows live in chunks of doubling size (1024, 1024, 2048, ...) up to
 * lim.max_flows, so a flow never moves (consumers may keep pointers between
 * packets) and no memory is allocated per packet. Free entries form a list
 * through lru_next. Chunks are 64-byte aligned and a flow is a whole number
 * of cache lines, its 5-tuple in the first: a slot whose hash matches costs
 * one line of the flow to confirm (a slot whose hash differs, none), and
 * that line also holds what the packet reads next (user, idle_ts).
 *
 * LRU: an intrusive doubly linked list by index of the open flows. A packet
 * only writes its flow's idle_ts; the list is ordered by lru_ts, the time a
 * flow was last (re)queued, and a head touched since it was queued is moved
 * to the tail when it is looked at (lazy LRU: no neighbour cache lines per
 * packet). A head that was not touched since it was queued is the least
 * recently active flow, so idle expiry and eviction stay exact. The table
 * also remembers when the head can expire at the earliest, so most packets
 * do not look at it at all.
 *
 * Idle expiry: a binary min-heap of the open flows by due time, a lower
 * bound of their last activity (set when the flow is pushed or looked at,
 * never per packet). While its top is older than the timeout it is looked
 * at: pushed down with its real last activity when it was touched since,
 * or ended. So a flow ends at the first packet after its exact timeout,
 * whatever else the table holds, and tables that share a capture's flows
 * between them (worker threads) end each one when a single table would.
 *
 * Idle time runs on ctx->idle_clock, the capture clock without the
 * capture-wide silences (analyzer.c): a timer never fires across a stretch
 * of the file in which nothing at all was captured.
 *
 * Graves: closed connections are remembered by a 64-bit hash of their
 * 5-tuple in a fixed-size, 4-way set-associative array (16 bytes an entry,
 * a set in one cache line, no allocation after the first close), so
 * retransmitted FINs, late ACKs and RSTs after a close are absorbed for
 * lim.idle_timeout of idleness instead of opening a new connection. A full
 * set replaces its oldest entry. Every new connection (its SYN finds no
 * flow) and every close looks at a set, a cache miss in a large table: the
 * set is prefetched as soon as its hash is known, so that miss overlaps the
 * slot's (at a SYN) or the consumer's close. */
#include "tlsd/flow_table.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define NIL UINT32_MAX
#define CHUNK0_SHIFT 10
#define CHUNK0 (UINT32_C(1) << CHUNK0_SHIFT)
#define MAX_CHUNKS 24
#define MIN_SLOTS 1024u
#define MAX_FLOWS_LIMIT (UINT32_C(1) << 30)

struct slot {
	uint32_t hash;
	uint32_t idx1; /* flow index + 1; 0 = empty */
};

struct lru {
	uint32_t head, tail;     /* by lru_ts, head first */
	tlsd_time_ns next_check; /* nothing in the list can expire before */
};

/* A closed connection's 5-tuple, absorbing its trailing packets. */
struct grave {
	uint64_t key;       /* hash64 of the canonical 5-tuple | 1; 0 = empty */
	tlsd_time_ns until; /* idle clock */
};

/* An idle-heap entry carries its own key, so sifting compares entries of
 * one array instead of two flows spread over the slab (a cache miss each:
 * every new flow was compared with its parent's flow). */
struct heap_ent {
	tlsd_time_ns due;   /* a lower bound of the flow's last activity */
	uint64_t id;        /* the flow's: ties in creation order */
	uint32_t idx;       /* the flow */
};

#define GRAVE_WAYS 4u
#define GRAVE_SETS_MAX (UINT32_C(1) << 15) /* 131,072 graves, 2 MiB */

struct tlsd_flow_table {
	struct tlsd_ctx *ctx;
	const struct tlsd_flow_ops *ops;
	void *ud;
	struct tlsd_flow *chunk[MAX_CHUNKS];
	uint32_t nchunks;
	uint32_t cap;       /* flows allocated */
	uint32_t hi;        /* indices handed out */
	uint32_t max_flows;
	uint32_t free_head;
	uint32_t live;      /* open flows + tombstones */
	uint32_t open;
	uint64_t swaps;     /* roles swapped so far: a direction found before a
			     * callback still holds when this did not move */
	struct slot *slots;
	uint32_t mask;
	struct lru lru_open;
	struct grave *graves; /* allocated at the first close, in graves_mem */
	void *graves_mem;
	uint32_t grave_sets;  /* power of two */
	uint32_t grave_sets_max; /* GRAVE_SETS_MAX, or its share (tlsd_flow_table_share) */
	uint64_t next_id;
	uint64_t key[4];
	struct tlsd_flow *in_reasm; /* the flow whose reassembler is running */
	struct tlsd_flow **dying;   /* expire_list's scratch */
	uint32_t dying_cap;
	struct heap_ent *heap;      /* min-heap by (due, id) */
	uint32_t heap_n, heap_cap;
};

/* ---- hashing ---- */

__extension__ typedef unsigned __int128 u128;

static uint64_t mum(uint64_t a, uint64_t b)
{
	u128 r = (u128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A total order on endpoints (any order will do: it only has to pick the
 * same one of the two for both directions). */
static bool ep_greater(const struct tlsd_addr *a, uint16_t ap, const struct tlsd_addr *b,
		       uint16_t bp)
{
	uint64_t a0 = load64(a->b), b0 = load64(b->b), a1 = load64(a->b + 8), b1 = load64(b->b + 8);

	if (a0 != b0)
		return a0 > b0;
	if (a1 != b1)
		return a1 > b1;
	return ap > bp;
}

static uint64_t hash_tuple64(const struct tlsd_flow_table *t, uint8_t ipv, const struct tlsd_addr *a,
			     uint16_t ap, const struct tlsd_addr *b, uint16_t bp)
{
	const struct tlsd_addr *lo = a, *hi = b;
	uint16_t lop = ap, hip = bp;
	uint64_t h;

	if (ep_greater(a, ap, b, bp)) {
		lo = b;
		hi = a;
		lop = bp;
		hip = ap;
	}
	h = mum(load64(lo->b) ^ t->key[0], load64(lo->b + 8) ^ t->key[1]);
	h = mum(h ^ load64(hi->b) ^ t->key[2], load64(hi->b + 8) ^ t->key[3]);
	return mum(h ^ ((uint64_t)lop | (uint64_t)hip << 16 | (uint64_t)ipv << 32) ^ t->key[0],
		   t->key[1] ^ UINT64_C(0x9e3779b97f4a7c15));
}

/* The slot's tag, all of its 32 bits. tests/meson.build builds this file a
 * second time with the mask 0, every flow under one tag, so that the unit
 * tests see each lookup tell flows apart by their 5-tuple alone. */
#ifndef TLSD_FLOW_TAG_MASK
#define TLSD_FLOW_TAG_MASK UINT32_MAX
#endif

static uint32_t hash32(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32)) & (uint32_t)TLSD_FLOW_TAG_MASK;
}

static void random_key(struct tlsd_flow_table *t)
{
	struct timespec ts;
	size_t got = 0;

	while (got < sizeof(t->key)) {
		ssize_t n = getrandom((uint8_t *)t->key + got, sizeof(t->key) - got, GRND_NONBLOCK);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got == sizeof(t->key))
		return;
	/* No entropy yet (early boot): still different per run and table. */
	clock_gettime(CLOCK_REALTIME, &ts);
	t->key[0] ^= (uint64_t)ts.tv_nsec * UINT64_C(0x9e3779b97f4a7c15);
	t->key[1] ^= (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)t;
	t->key[2] ^= mum(t->key[0], t->key[1] | 1);
	t->key[3] ^= mum(t->key[1], t->key[0] | 1);
}

/* ---- slab ---- */

static struct tlsd_flow *flow_at(const struct tlsd_flow_table *t, uint32_t idx)
{
	uint32_t q, k;

	if (idx < CHUNK0)
		return &t->chunk[0][idx];
	q = idx >> CHUNK0_SHIFT;
	k = 32u - (uint32_t)__builtin_clz(q);
	return &t->chunk[k][idx - (CHUNK0 << (k - 1))];
}

static uint32_t chunk_size(uint32_t k)
{
	return k == 0 ? CHUNK0 : CHUNK0 << (k - 1);
}

/* A zeroed flow, or NULL on OOM. */
static struct tlsd_flow *flow_alloc(struct tlsd_flow_table *t)
{
	struct tlsd_flow *f;
	uint32_t idx;

	if (t->free_head != NIL) {
		idx = t->free_head;
		f = flow_at(t, idx);
		t->free_head = f->lru_next;
	} else {
		if (t->hi == t->cap) {
			uint32_t k = t->nchunks, n = chunk_size(k);

			if (k >= MAX_CHUNKS || t->cap >= t->max_flows)
				return NULL;
			n = TLSD_MIN(n, t->max_flows - t->cap);
			/* Not zeroed: flow_alloc clears each flow it hands out.
			 * sizeof is a multiple of the alignment (_Alignas). */
			t->chunk[k] = aligned_alloc(_Alignof(struct tlsd_flow),
						    (size_t)n * sizeof(struct tlsd_flow));
			if (!t->chunk[k])
				return NULL;
			t->nchunks++;
			t->cap += n;
		}
		idx = t->hi++;
		f = flow_at(t, idx);
	}
	memset(f, 0, sizeof(*f));
	f->idx = idx;
	return f;
}

/* ---- slots ---- */

static bool addr_eq(const struct tlsd_addr *a, const struct tlsd_addr *b)
{
	return ((load64(a->b) ^ load64(b->b)) | (load64(a->b + 8) ^ load64(b->b + 8))) == 0;
}

/* Reads only the flow's first cache line. */
static bool flow_matches(const struct tlsd_flow *f, const struct tlsd_pkt *pkt, enum tlsd_dir *d)
{
	const struct tlsd_addr *c = &f->addr[TLSD_DIR_C2S], *s = &f->addr[TLSD_DIR_S2C];
	uint16_t cp = f->port[TLSD_DIR_C2S], sp = f->port[TLSD_DIR_S2C];

	if (f->ip_version != pkt->ip_version)
		return false;
	if (cp == pkt->sport && sp == pkt->dport && addr_eq(c, &pkt->src) && addr_eq(s, &pkt->dst)) {
		*d = TLSD_DIR_C2S;
		return true;
	}
	if (sp == pkt->sport && cp == pkt->dport && addr_eq(s, &pkt->src) && addr_eq(c, &pkt->dst)) {
		*d = TLSD_DIR_S2C;
		return true;
	}
	return false;
}

static struct tlsd_flow *lookup(const struct tlsd_flow_table *t, const struct tlsd_pkt *pkt,
				uint32_t hash, enum tlsd_dir *d)
{
	for (uint32_t i = hash & t->mask;; i = (i + 1) & t->mask) {
		const struct slot *sl = &t->slots[i];
		struct tlsd_flow *f;

		if (!sl->idx1)
			return NULL;
		if (sl->hash != hash)
			continue;
		f = flow_at(t, sl->idx1 - 1);
		if (flow_matches(f, pkt, d))
			return f;
	}
}

static void slot_put(struct slot *slots, uint32_t mask, uint32_t hash, uint32_t idx1)
{
	uint32_t i = hash & mask;

	while (slots[i].idx1)
		i = (i + 1) & mask;
	slots[i] = (struct slot){.hash = hash, .idx1 = idx1};
}

/* Keeps the load factor <= 1/2 for one more entry. */
static int slots_reserve(struct tlsd_flow_table *t)
{
	uint32_t n = t->mask + 1, nn = n * 2;
	struct slot *ns;

	if ((uint64_t)(t->live + 1) * 2 <= n)
		return 0;
	if (nn == 0)
		return -1;
	ns = calloc(nn, sizeof(*ns));
	if (!ns)
		return t->live + 1 < n ? 0 : -1; /* fuller, still correct */
	for (uint32_t i = 0; i < n; i++)
		if (t->slots[i].idx1)
			slot_put(ns, nn - 1, t->slots[i].hash, t->slots[i].idx1);
	free(t->slots);
	t->slots = ns;
	t->mask = nn - 1;
	return 0;
}

/* Backward-shift deletion: no tombstones in the slot array. */
static void slot_del(struct tlsd_flow_table *t, const struct tlsd_flow *f)
{
	uint32_t i = f->hash & t->mask, j;

	while (t->slots[i].idx1 != f->idx + 1)
		i = (i + 1) & t->mask;
	for (j = (i + 1) & t->mask; t->slots[j].idx1; j = (j + 1) & t->mask) {
		uint32_t home = t->slots[j].hash & t->mask;

		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i] = (struct slot){0};
}

/* ---- LRU ---- */

static void lru_unlink(struct tlsd_flow_table *t, struct lru *l, struct tlsd_flow *f)
{
	if (f->lru_prev != NIL)
		flow_at(t, f->lru_prev)->lru_next = f->lru_next;
	else
		l->head = f->lru_next;
	if (f->lru_next != NIL)
		flow_at(t, f->lru_next)->lru_prev = f->lru_prev;
	else
		l->tail = f->lru_prev;
}

static void lru_push(struct tlsd_flow_table *t, struct lru *l, struct tlsd_flow *f)
{
	f->lru_ts = f->idle_ts;
	f->lru_prev = l->tail;
	f->lru_next = NIL;
	if (l->tail != NIL)
		flow_at(t, l->tail)->lru_next = f->idx;
	else
		l->head = f->idx;
	l->tail = f->idx;
}

/* The least recently active flow of a list, after moving heads touched
 * since they were queued to the tail; NULL when the list is empty. */
static struct tlsd_flow *lru_oldest(struct tlsd_flow_table *t, struct lru *l)
{
	while (l->head != NIL) {
		struct tlsd_flow *f = flow_at(t, l->head);

		if (f->idle_ts <= f->lru_ts || l->head == l->tail)
			return f;
		lru_unlink(t, l, f);
		lru_push(t, l, f);
	}
	return NULL;
}

/* ---- idle heap ---- */

static bool heap_less(const struct tlsd_flow_table *t, uint32_t a, uint32_t b)
{
	const struct heap_ent *x = &t->heap[a], *y = &t->heap[b];

	return x->due < y->due || (x->due == y->due && x->id < y->id);
}

static void heap_swap(struct tlsd_flow_table *t, uint32_t a, uint32_t b)
{
	struct heap_ent tmp = t->heap[a];

	t->heap[a] = t->heap[b];
	t->heap[b] = tmp;
	flow_at(t, t->heap[a].idx)->heap_pos = a;
	flow_at(t, t->heap[b].idx)->heap_pos = b;
}

static void heap_up(struct tlsd_flow_table *t, uint32_t i)
{
	while (i > 0 && heap_less(t, i, (i - 1) / 2)) {
		heap_swap(t, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct tlsd_flow_table *t, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < t->heap_n && heap_less(t, l, m))
			m = l;
		if (r < t->heap_n && heap_less(t, r, m))
			m = r;
		if (m == i)
			return;
		heap_swap(t, i, m);
		i = m;
	}
}

/* Room for one more flow (the heap never holds more than the slab). */
static int heap_reserve(struct tlsd_flow_table *t)
{
	uint32_t cap = t->heap_cap ? t->heap_cap * 2 : 1024;
	struct heap_ent *h;

	if (t->heap_n < t->heap_cap)
		return 0;
	h = realloc(t->heap, (size_t)cap * sizeof(*h));
	if (!h)
		return -1;
	t->heap = h;
	t->heap_cap = cap;
	return 0;
}

static void heap_push(struct tlsd_flow_table *t, struct tlsd_flow *f)
{
	f->heap_pos = t->heap_n;
	t->heap[t->heap_n++] = (struct heap_ent){.due = f->idle_ts, .id = f->id, .idx = f->idx};
	heap_up(t, f->heap_pos);
}

static void heap_remove(struct tlsd_flow_table *t, struct tlsd_flow *f)
{
	uint32_t i = f->heap_pos;

	if (i == NIL)
		return;
	f->heap_pos = NIL;
	if (i != --t->heap_n) {
		t->heap[i] = t->heap[t->heap_n];
		flow_at(t, t->heap[i].idx)->heap_pos = i;
		heap_down(t, i);
		heap_up(t, i);
	}
}

/* A later key for the flow at the top. */
static void heap_requeue(struct tlsd_flow_table *t, struct tlsd_flow *f, tlsd_time_ns due)
{
	t->heap[f->heap_pos].due = due;
	heap_down(t, f->heap_pos);
}

/* ---- table ---- */

struct tlsd_flow_table *tlsd_flow_table_new(struct tlsd_ctx *ctx, const struct tlsd_flow_ops *ops,
					    void *ud)
{
	struct tlsd_flow_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ctx = ctx;
	t->ops = ops;
	t->ud = ud;
	t->max_flows = TLSD_MIN(TLSD_MAX(ctx->lim.max_flows, 1u), MAX_FLOWS_LIMIT);
	t->grave_sets_max = GRAVE_SETS_MAX;
	t->free_head = NIL;
	t->lru_open = (struct lru){NIL, NIL, INT64_MAX};
	t->slots = calloc(MIN_SLOTS, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	t->mask = MIN_SLOTS - 1;
	random_key(t);
	return t;
}

void tlsd_flow_table_share(struct tlsd_flow_table *t, uint64_t part, uint64_t whole)
{
	uint64_t sets, lo;

	if (part >= whole || t->graves)
		return;
	sets = TLSD_MAX(GRAVE_SETS_MAX * part / whole, (uint64_t)1);
	lo = UINT64_C(1) << (63 - __builtin_clzll(sets));
	/* The power of two nearest in ratio (sets are a power of two): with
	 * parts that are not (1/5 and 4/5), rounding every table down kept
	 * 5/8 of one table's graves, rounding to the nearest keeps 5/4. */
	t->grave_sets_max = (uint32_t)(sets * sets > 2 * lo * lo ? 2 * lo : lo);
}

static void remove_flow(struct tlsd_flow_table *t, struct tlsd_flow *f)
{
	slot_del(t, f);
	lru_unlink(t, &t->lru_open, f);
	heap_remove(t, f);
	tlsd_reasm_cleanup(&f->side[0].reasm, t->ctx);
	tlsd_reasm_cleanup(&f->side[1].reasm, t->ctx);
	f->lru_next = t->free_head;
	t->free_head = f->idx;
	t->live--;
}

/* The 5-tuple's ends with the sides (its hash is the same both ways). */
static void swap_sides(struct tlsd_flow *f)
{
	struct tlsd_flow_side tmp = f->side[0];
	struct tlsd_addr a = f->addr[0];
	uint16_t p = f->port[0];

	f->side[0] = f->side[1];
	f->side[1] = tmp;
	f->addr[0] = f->addr[1];
	f->addr[1] = a;
	f->port[0] = f->port[1];
	f->port[1] = p;
}

/* ---- reassembler plumbing ---- */

struct sink_ctx {
	struct tlsd_flow_table *t;
	struct tlsd_flow *f;
	enum tlsd_dir d; /* physical side whose reassembler runs */
};

static enum tlsd_dir user_dir(const struct tlsd_flow *f, enum tlsd_dir d)
{
	return (enum tlsd_dir)((unsigned)d ^ f->swap_pending);
}

static void sink_data(void *ud, uint64_t off, const uint8_t *p, size_t len)
{
	struct sink_ctx *sc = ud;

	if (!sc->f->ignored && sc->t->ops->data)
		sc->t->ops->data(sc->t->ud, sc->f, user_dir(sc->f, sc->d), off, p, len,
				 sc->t->ctx->now);
}

static void sink_gap(void *ud, uint64_t off, uint64_t len)
{
	struct sink_ctx *sc = ud;

	if (sc->f->ignored)
		return;
	tlsd_ctx_count(sc->t->ctx, TLSD_ANOM_CAPTURE_GAP);
	if (sc->t->ops->gap)
		sc->t->ops->gap(sc->t->ud, sc->f, user_dir(sc->f, sc->d), off, len);
}

static void sink_begin(struct tlsd_flow_table *t, struct tlsd_flow *f, enum tlsd_dir d,
		       struct sink_ctx *sc, struct tlsd_reasm_sink *sink)
{
	*sc = (struct sink_ctx){.t = t, .f = f, .d = d};
	*sink = (struct tlsd_reasm_sink){.data = sink_data, .gap = sink_gap, .ud = sc};
	t->in_reasm = f;
}

/* The reassembler returned: a swap asked for meanwhile happens now. */
static void sink_end(struct tlsd_flow_table *t, struct tlsd_flow *f)
{
	t->in_reasm = NULL;
	if (f->swap_pending) {
		f->swap_pending = 0;
		swap_sides(f);
		t->swaps++;
	}
}

static void count_events(struct tlsd_flow_table *t, struct tlsd_flow *f, enum tlsd_dir d,
			 unsigned ev)
{
	struct tlsd_ctx *ctx = t->ctx;

	if (!ev)
		return;
	if (ev & TLSD_REASM_EV_RETRANSMIT)
		tlsd_ctx_count(ctx, TLSD_ANOM_TCP_RETRANSMIT);
	if (ev & TLSD_REASM_EV_INCONSISTENT)
		tlsd_ctx_count(ctx, TLSD_ANOM_TCP_INCONSISTENT_RETRANSMIT);
	if (ev & TLSD_REASM_EV_OUT_OF_ORDER)
		tlsd_ctx_count(ctx, TLSD_ANOM_TCP_OUT_OF_ORDER);
	if (ev & TLSD_REASM_EV_CAP)
		tlsd_ctx_count(ctx, TLSD_ANOM_CAPTURE_CAP_REASM);
	if (ev & TLSD_REASM_EV_AFTER_FIN)
		tlsd_ctx_count(ctx, TLSD_ANOM_TCP_DATA_AFTER_FIN);
	if (t->ops->tcp_event && !f->ignored)
		t->ops->tcp_event(t->ud, f, d, ev);
}

static void flush_dir(struct tlsd_flow_table *t, struct tlsd_flow *f, enum tlsd_dir d)
{
	struct sink_ctx sc;
	struct tlsd_reasm_sink sink;

	if (f->ignored)
		return;
	sink_begin(t, f, d, &sc, &sink);
	tlsd_reasm_flush(&f->side[d].reasm, t->ctx, &sink);
	sink_end(t, f);
}

static bool deliver_fins_run(struct tlsd_flow_table *t, struct tlsd_flow *f)
{
	for (unsigned i = 0; i < 2; i++) {
		struct tlsd_flow_side *s = &f->side[i];
		bool reached = f->ignored ? s->fin : tlsd_reasm_fin_reached(&s->reasm);

		if (reached && !s->reasm.fin_delivered) {
			s->reasm.fin_delivered = true;
			if (t->ops->fin)
				t->ops->fin(t->ud, f, (enum tlsd_dir)i, t->ctx->now);
		}
	}
	return f->side[0].reasm.fin_delivered && f->side[1].reasm.fin_delivered;
}

/* Delivers fin for every direction whose FIN is reached. True when both
 * directions have had their fin. */
static inline bool deliver_fins(struct tlsd_flow_table *t, struct tlsd_flow *f)
{
	/* Every packet comes by: without a FIN on either side nothing can be
	 * reached (deliver_fins_run would change nothing). */
	if (!f->ignored && !f->side[0].reasm.fin_seen && !f->side[1].reasm.fin_seen)
		return f->side[0].reasm.fin_delivered && f->side[1].reasm.fin_delivered;
	return deliver_fins_run(t, f);
}

/* ---- graves ---- */

static uint64_t grave_key(const struct tlsd_flow_table *t, const struct tlsd_flow *f)
{
	return hash_tuple64(t, f->ip_version, &f->addr[TLSD_DIR_C2S], f->port[TLSD_DIR_C2S],
			    &f->addr[TLSD_DIR_S2C], f->port[TLSD_DIR_S2C]) | 1;
}

static struct grave *grave_set(const struct tlsd_flow_table *t, uint64_t key)
{
	return &t->graves[(size_t)((key >> 1) & (t->grave_sets - 1)) * GRAVE_WAYS];
}

/* Remembers a closed connection; the oldest grave of a full set goes. */
static void grave_put(struct tlsd_flow_table *t, uint64_t key, tlsd_time_ns until)
{
	struct grave *set, *victim;

	if (!t->graves) {
		uint32_t sets = TLSD_MAX(TLSD_MIN(t->max_flows / GRAVE_WAYS, t->grave_sets_max), 1u);

		sets = UINT32_C(1) << (31 - __builtin_clz(sets)); /* power of two below */
		/* A set per cache line. calloc, not aligned_alloc + memset:
		 * its pages come zeroed from the kernel and are touched only
		 * when used (a memset touched all 2 MiB at the first close,
		 * +460 page faults on a one-connection capture). */
		t->graves_mem = calloc(1, (size_t)sets * GRAVE_WAYS * sizeof(*t->graves) +
					      GRAVE_WAYS * sizeof(*t->graves));
		if (!t->graves_mem)
			return; /* no memory: trailing packets may open a new flow */
		t->graves = (struct grave *)(void *)(((uintptr_t)t->graves_mem +
						     GRAVE_WAYS * sizeof(*t->graves) - 1) &
						    ~(uintptr_t)(GRAVE_WAYS * sizeof(*t->graves) - 1));
		t->grave_sets = sets;
	}
	set = grave_set(t, key);
	victim = &set[0];
	for (unsigned i = 0; i < GRAVE_WAYS; i++) {
		if (set[i].key == key || set[i].key == 0) {
			victim = &set[i];
			break;
		}
		if (set[i].until < victim->until)
			victim = &set[i];
	}
	victim->key = key;
	victim->until = until;
}

/* The set of key, on its way to the cache. */
static void grave_prefetch(const struct tlsd_flow_table *t, uint64_t key)
{
	if (t->graves)
		__builtin_prefetch(grave_set(t, key), 1);
}

/* The live grave of key, or NULL. */
static struct grave *grave_find(const struct tlsd_flow_table *t, uint64_t key)
{
	struct grave *set;

	if (!t->graves)
		return NULL;
	set = grave_set(t, key);
	for (unsigned i = 0; i < GRAVE_WAYS; i++)
		if (set[i].key == key)
			return set[i].until >= t->ctx->idle_clock ? &set[i] : NULL;
	return NULL;
}

/* ---- lifetimes ---- */

/* Ends a flow: flush, fins, close, and a grave for its trailing packets. */
static void close_flow(struct tlsd_flow_table *t, struct tlsd_flow *f, enum tlsd_flow_end how)
{
	bool grave = how != TLSD_FLOW_END_CAPTURE_END && how != TLSD_FLOW_END_PORT_REUSE;
	uint64_t key = grave ? grave_key(t, f) : 0;

	if (grave)
		grave_prefetch(t, key); /* while the consumer reports */
	flush_dir(t, f, TLSD_DIR_C2S);
	flush_dir(t, f, TLSD_DIR_S2C);
	(void)deliver_fins(t, f);
	if (t->ops->close)
		t->ops->close(t->ud, f, how);
	f->user = NULL;
	t->open--;
	if (grave)
		grave_put(t, key, tlsd_time_add(t->ctx->idle_clock, t->ctx->lim.idle_timeout));
	remove_flow(t, f);
}

/* An idle flow whose consumer still wants it (a connection whose verdict no
 * longer depends on a timer) stays, and is looked at again a timeout later. */
static bool keep_idle(struct tlsd_flow_table *t, struct tlsd_flow *f)
{
	return t->ops->keep_idle && !f->ignored && t->ops->keep_idle(t->ud, f);
}

static int cmp_id(const void *a, const void *b)
{
	const struct tlsd_flow *const *x = a, *const *y = b;

	return (*x)->id < (*y)->id ? -1 : (*x)->id > (*y)->id;
}

/* Room for n flows in the scratch list. */
static bool dying_reserve(struct tlsd_flow_table *t, uint32_t n)
{
	struct tlsd_flow **v;
	uint32_t cap = t->dying_cap ? t->dying_cap : 64;

	if (n <= t->dying_cap)
		return true;
	while (cap < n)
		cap *= 2;
	v = realloc(t->dying, (size_t)cap * sizeof(*v));
	if (!v)
		return false;
	t->dying = v;
	t->dying_cap = cap;
	return true;
}

/* Ends every open flow idle for longer than the timeout, in the order of
 * their creation (the order of their first packet): which flows one packet
 * ends, and in which order, depends on the capture clock alone, never on
 * the table, so tables that share the flows of a capture between them
 * (worker threads, analyzer.c) end them as one table does. Flows whose
 * consumer keeps them (keep_idle) are looked at again a timeout later. */
static void expire_run(struct tlsd_flow_table *t)
{
	struct lru *l = &t->lru_open;
	tlsd_time_ns now = t->ctx->idle_clock, timeout = t->ctx->lim.idle_timeout;
	uint32_t n = 0;
	struct tlsd_flow *f;

	while (t->heap_n) {
		if (now - t->heap[0].due <= timeout)
			break;
		f = flow_at(t, t->heap[0].idx);
		if (now - f->idle_ts <= timeout) {
			heap_requeue(t, f, f->idle_ts); /* touched since */
			continue;
		}
		if (keep_idle(t, f)) {
			heap_requeue(t, f, now); /* dormant: not before another timeout */
			lru_unlink(t, l, f);
			lru_push(t, l, f);
			f->lru_ts = now;
			continue;
		}
		heap_remove(t, f);
		if (!dying_reserve(t, n + 1)) {
			close_flow(t, f, TLSD_FLOW_END_TIMEOUT); /* no memory: this order */
			continue;
		}
		t->dying[n++] = f;
	}
	l->next_check = t->heap_n ? tlsd_time_add(t->heap[0].due, timeout) : INT64_MAX;
	if (n > 1)
		qsort(t->dying, n, sizeof(*t->dying), cmp_id);
	for (uint32_t i = 0; i < n; i++)
		close_flow(t, t->dying[i], TLSD_FLOW_END_TIMEOUT);
}

/* The test is inline: every packet asks, and almost none is due. */
static inline void expire_list(struct tlsd_flow_table *t)
{
	if (t->ctx->idle_clock > t->lru_open.next_check)
		expire_run(t);
}

void tlsd_flow_table_expire(struct tlsd_flow_table *t)
{
	expire_list(t);
}

/* Makes room for one more entry at max_flows: the least recently active
 * flow is evicted. */
static void evict_one(struct tlsd_flow_table *t)
{
	struct tlsd_flow *f = lru_oldest(t, &t->lru_open);

	if (f) {
		tlsd_ctx_count(t->ctx, TLSD_ANOM_CAPTURE_CAP_FLOWS);
		close_flow(t, f, TLSD_FLOW_END_EVICTED);
	}
}

static struct tlsd_flow *create(struct tlsd_flow_table *t, const struct tlsd_pkt *pkt,
				uint32_t hash, enum tlsd_dir *d)
{
	uint8_t fl = pkt->tcp_flags;
	bool src_is_client;
	struct tlsd_flow *f;

	while (t->live >= t->max_flows && t->live > 0)
		evict_one(t);
	if (slots_reserve(t) < 0 || heap_reserve(t) < 0)
		return NULL;
	f = flow_alloc(t);
	if (!f)
		return NULL;
	if ((fl & TLSD_TCP_SYN) && !(fl & TLSD_TCP_ACK)) {
		src_is_client = true;
	} else if (fl & TLSD_TCP_SYN) {
		src_is_client = false;
	} else {
		src_is_client = pkt->sport >= pkt->dport;
		f->roles_guessed = true;
	}
	*d = src_is_client ? TLSD_DIR_C2S : TLSD_DIR_S2C;
	f->addr[*d] = pkt->src;
	f->port[*d] = pkt->sport;
	f->addr[tlsd_dir_other(*d)] = pkt->dst;
	f->port[tlsd_dir_other(*d)] = pkt->dport;
	f->ip_version = pkt->ip_version;
	f->first_ts = f->last_ts = t->ctx->now;
	f->idle_ts = t->ctx->idle_clock;
	f->id = ++t->next_id;
	f->hash = hash;
	slot_put(t->slots, t->mask, hash, f->idx + 1);
	lru_push(t, &t->lru_open, f);
	heap_push(t, f);
	t->lru_open.next_check = TLSD_MIN(t->lru_open.next_check,
					  tlsd_time_add(f->idle_ts, t->ctx->lim.idle_timeout));
	t->live++;
	t->open++;
	t->ctx->cnt.flows_created++;
	return f;
}

/* The direction of pkt in f, after a possible swap by a callback. */
static enum tlsd_dir dir_of(const struct tlsd_flow *f, const struct tlsd_pkt *pkt)
{
	enum tlsd_dir d = TLSD_DIR_C2S;

	(void)flow_matches(f, pkt, &d);
	return d;
}

static void side_facts(struct tlsd_flow *f, enum tlsd_dir d, const struct tlsd_pkt *pkt)
{
	struct tlsd_flow_side *s = &f->side[d];
	const struct tlsd_flow_side *o = &f->side[tlsd_dir_other(d)];
	uint8_t fl = pkt->tcp_flags;

	if (s->packets == 0) {
		s->first_ttl = pkt->ttl;
		s->first_ip_id = pkt->ip_id;
		s->first_ts = pkt->ts;
	}
	s->last_ttl = pkt->ttl;
	s->last_ip_id = pkt->ip_id;
	s->last_ts = pkt->ts;
	s->packets++;
	s->bytes += pkt->payload_wire_len;
	if (pkt->payload_wire_len > pkt->payload_len)
		s->snap_cut += pkt->payload_wire_len - pkt->payload_len;
	if (fl & TLSD_TCP_ACK) {
		if (!s->ack_seen)
			s->first_ack = pkt->ack;
		if (!s->ack_seen || (int32_t)(pkt->ack - s->last_ack) > 0)
			s->last_ack = pkt->ack;
		s->ack_seen = true;
	}
	if (fl & TLSD_TCP_SYN) {
		if (pkt->opts.has_wscale) {
			s->has_wscale = true;
			s->wscale = TLSD_MIN(pkt->opts.wscale, 14);
		}
		s->window = pkt->window; /* never scaled in a SYN */
	} else {
		unsigned sh = s->has_wscale && o->has_wscale ? s->wscale : 0;

		s->window = (uint32_t)pkt->window << sh;
	}
	if (fl & TLSD_TCP_FIN)
		s->fin = true;
	if (fl & TLSD_TCP_RST)
		s->rst = true;
}

/* Whether a SYN without ACK on an open flow starts a new connection: it
 * comes from the server side, carries another ISN than the client's SYN, or
 * the client side was seen without a SYN before. */
static bool syn_reuses_port(const struct tlsd_flow *f, enum tlsd_dir d, const struct tlsd_pkt *pkt)
{
	const struct tlsd_flow_side *s = &f->side[d];

	return d != TLSD_DIR_C2S || (s->syn && s->reasm.isn != pkt->seq + 1) ||
	       (!s->syn && s->packets > 0);
}

/* SYN / SYN-ACK bookkeeping: the side's ISN and the handshake times. */
static void handle_syn(struct tlsd_flow_table *t, struct tlsd_flow *f, enum tlsd_dir d,
		       const struct tlsd_pkt *pkt)
{
	struct tlsd_flow_side *s = &f->side[d];
	bool ack = pkt->tcp_flags & TLSD_TCP_ACK;

	if (s->syn) {
		const struct tlsd_reasm *r = &s->reasm;

		if (r->isn == pkt->seq + 1) {
			tlsd_ctx_count(t->ctx, TLSD_ANOM_TCP_RETRANSMIT);
		} else if (ack && r->next == 0 && r->max_seen == 0 && !r->ooo && !r->fin_seen &&
			   !r->fin_delivered && !s->fin && !f->ignored) {
			/* Another SYN-ACK with another sequence number (a SYN
			 * proxy, a load balancer, a retry) before any data: the
			 * last one is the one the client answers. */
			tlsd_reasm_init(&s->reasm);
			tlsd_reasm_start(&s->reasm, pkt->seq + 1, false);
		}
		return;
	}
	s->syn = true;
	if (!ack && !f->syn_ts)
		f->syn_ts = pkt->ts;
	if (ack && !f->synack_ts)
		f->synack_ts = pkt->ts;
	tlsd_reasm_start(&s->reasm, pkt->seq + 1, false);
}

static void handle_rst(struct tlsd_flow_table *t, struct tlsd_flow *f, enum tlsd_dir d,
		       const struct tlsd_pkt *pkt)
{
	struct tlsd_rst_info ri = {
		.ts = pkt->ts,
		.frame_no = pkt->frame_no,
		.ttl = pkt->ttl,
		.ip_id = pkt->ip_id,
		.seq = pkt->seq,
		.ack = pkt->ack,
		.has_ack = pkt->tcp_flags & TLSD_TCP_ACK,
		.seq_in_window = tlsd_reasm_seq_plausible(&f->side[d].reasm, pkt->seq,
							  f->side[tlsd_dir_other(d)].window),
	};

	flush_dir(t, f, TLSD_DIR_C2S);
	flush_dir(t, f, TLSD_DIR_S2C);
	(void)deliver_fins(t, f);
	if (t->ops->rst)
		t->ops->rst(t->ud, f, dir_of(f, pkt), &ri);
	close_flow(t, f, TLSD_FLOW_END_RESET);
}

/* How far behind a segment a peer's ACK may lie and still be taken as the
 * start of a stream picked up mid-way (a window's worth). */
#define MIDSTREAM_ACK_REACH (1 << 20)

/* Whether the first data of a stream that has delivered nothing yet lies
 * outside any window around its ISN. */
static bool isn_moved(const struct tlsd_reasm *r, uint32_t seq)
{
	uint32_t ahead = seq - r->isn, behind = r->isn - seq;

	return !r->midstream && r->next == 0 && r->max_seen == 0 && !r->ooo && !r->fin_seen &&
	       ahead > MIDSTREAM_ACK_REACH && behind > MIDSTREAM_ACK_REACH;
}

/* The packet's direction in f, d as found before the callbacks since
 * swaps_before unless one of them swapped the roles (lookups were ~3 per
 * packet, one of the flow table's costliest steps). */
static enum tlsd_dir dir_again(const struct tlsd_flow_table *t, const struct tlsd_flow *f,
			       const struct tlsd_pkt *pkt, enum tlsd_dir d, uint64_t swaps_before)
{
	return t->swaps == swaps_before ? d : dir_of(f, pkt);
}

/* Payload, FIN and ACK of a followed flow; d: the packet's direction. */
static void follow(struct tlsd_flow_table *t, struct tlsd_flow *f, const struct tlsd_pkt *pkt,
		   enum tlsd_dir d)
{
	uint8_t fl = pkt->tcp_flags;
	uint32_t dseq = pkt->seq + ((fl & TLSD_TCP_SYN) ? 1u : 0u);
	struct tlsd_reasm *r = &f->side[d].reasm;
	uint64_t swaps;
	/* Set up once for both calls below; only the side changes. */
	struct sink_ctx sc = {.t = t, .f = f};
	const struct tlsd_reasm_sink sink = {.data = sink_data, .gap = sink_gap, .ud = &sc};

	/* The ACK first: the peer received what it acknowledges before it sent
	 * this packet, so those bytes (and any hole below them, or a held
	 * mid-stream start) come before this packet's payload. */
	if (fl & TLSD_TCP_ACK) {
		enum tlsd_dir o = tlsd_dir_other(d);

		if (!f->ignored && f->side[o].reasm.started) {
			swaps = t->swaps;
			sc.d = o;
			t->in_reasm = f;
			tlsd_reasm_ack(&f->side[o].reasm, t->ctx, &sink, pkt->ack);
			sink_end(t, f);
			if (f->ignored)
				return;
			d = dir_again(t, f, pkt, d, swaps);
			r = &f->side[d].reasm;
		}
	}
	if (pkt->payload_wire_len && r->started && isn_moved(r, dseq)) {
		/* The side's first data lies far from the sequence number its
		 * SYN announced (a SYN proxy or load balancer that handed the
		 * connection on without translating sequence numbers): its
		 * stream starts here, and the peer's ACKs follow the new space. */
		struct tlsd_flow_side *peer = &f->side[tlsd_dir_other(d)];

		tlsd_reasm_init(r);
		tlsd_reasm_start(r, dseq, true);
		if (peer->ack_seen)
			peer->last_ack = dseq;
		tlsd_ctx_count(t->ctx, TLSD_ANOM_TCP_ISN_CHANGED);
	}
	if ((pkt->payload_wire_len || (fl & TLSD_TCP_FIN)) && !r->started) {
		const struct tlsd_flow_side *peer = &f->side[tlsd_dir_other(d)];

		/* Picked up mid-stream. The peer's ACK, when seen, is where the
		 * stream goes on: bytes below it were delivered before the
		 * capture began (a keep-alive probe resends one such byte), and
		 * bytes between it and this segment are in flight, perhaps
		 * reordered, so the stream starts at the ACK, not at whichever
		 * segment came first. With no ACK to go by, a lone byte without
		 * PSH is taken for a keep-alive probe, not the stream's start,
		 * and other segments are held until the peer's ACK (or a full
		 * buffer) says where the stream begins. */
		int32_t acked = (int32_t)(peer->last_ack - dseq);

		if (peer->ack_seen && acked <= (int32_t)pkt->payload_wire_len &&
		    acked > -MIDSTREAM_ACK_REACH) {
			tlsd_reasm_start(r, peer->last_ack, true);
		} else if (!peer->ack_seen && pkt->payload_wire_len == 1 &&
			   !(fl & (TLSD_TCP_PSH | TLSD_TCP_FIN))) {
			return;
		} else {
			tlsd_reasm_start_tentative(r, dseq);
		}
		tlsd_ctx_count(t->ctx, TLSD_ANOM_CAPTURE_MIDSTREAM);
	}
	if (pkt->payload_wire_len) {
		unsigned ev;

		swaps = t->swaps;
		sc.d = d;
		t->in_reasm = f;
		ev = tlsd_reasm_segment(r, t->ctx, &sink, dseq, pkt->payload, pkt->payload_len,
					pkt->payload_wire_len);
		sink_end(t, f);
		d = dir_again(t, f, pkt, d, swaps);
		r = &f->side[d].reasm;
		count_events(t, f, d, ev);
	}
	if (fl & TLSD_TCP_FIN)
		tlsd_reasm_fin(r, dseq + pkt->payload_wire_len);
}

void tlsd_flow_table_packet(struct tlsd_flow_table *t, const struct tlsd_pkt *pkt)
{
	struct tlsd_ctx *ctx = t->ctx;
	uint8_t fl = pkt->tcp_flags;
	bool syn = fl & TLSD_TCP_SYN, ack = fl & TLSD_TCP_ACK, rst = fl & TLSD_TCP_RST;
	uint64_t hash64;
	uint32_t hash;
	struct tlsd_flow *f;
	enum tlsd_dir d = TLSD_DIR_C2S;
	uint64_t swaps;

	if (pkt->payload_wire_len)
		ctx->cnt.tcp_segments_with_data++;
	expire_list(t);
	hash64 = hash_tuple64(t, pkt->ip_version, &pkt->src, pkt->sport, &pkt->dst, pkt->dport);
	hash = hash32(hash64);
	if (syn && !ack && !rst)
		grave_prefetch(t, hash64 | 1); /* a new connection looks at it */
	f = lookup(t, pkt, hash, &d);
	if (f && f->user)
		__builtin_prefetch(f->user); /* the consumer's state, used by every callback */
	if (f && ctx->idle_clock - f->idle_ts > ctx->lim.idle_timeout && !keep_idle(t, f)) {
		close_flow(t, f, TLSD_FLOW_END_TIMEOUT);
		f = NULL;
	} else if (f && syn && !ack && !rst && syn_reuses_port(f, d, pkt)) {
		tlsd_ctx_count(ctx, TLSD_ANOM_TCP_PORT_REUSE);
		close_flow(t, f, TLSD_FLOW_END_PORT_REUSE);
		f = NULL;
	}
	if (!f) {
		struct grave *g = grave_find(t, hash64 | 1);

		/* After a close, only a new SYN starts a connection again: the
		 * rest are its retransmissions, late ACKs and RSTs. */
		if (g && !(syn && !ack && !rst)) {
			g->until = TLSD_MAX(g->until, tlsd_time_add(ctx->idle_clock,
								    ctx->lim.idle_timeout));
			tlsd_ctx_count(ctx, TLSD_ANOM_TCP_AFTER_CLOSE);
			return;
		}
		if (g)
			g->key = 0;
		if (rst)
			return; /* a lone RST: nothing to follow */
		f = create(t, pkt, hash, &d);
		if (!f)
			return;
		if (t->ops->open)
			t->ops->open(t->ud, f, pkt);
		/* As every later packet will find it (a connection to itself,
		 * one address and port, is C2S both ways). */
		d = dir_of(f, pkt);
	}
	swaps = t->swaps;
	f->last_ts = TLSD_MAX(f->last_ts, ctx->now);
	f->idle_ts = TLSD_MAX(f->idle_ts, ctx->idle_clock);
	side_facts(f, d, pkt);
	if (syn && !rst)
		handle_syn(t, f, d, pkt);
	else if (ack && !rst && d == TLSD_DIR_C2S && f->synack_ts && !f->ack3_ts)
		f->ack3_ts = pkt->ts; /* the client's first ACK after the SYN-ACK */
	/* Every packet of the flow, the RST that ends it too (-w keeps them). */
	if (!f->ignored && t->ops->packet)
		t->ops->packet(t->ud, f, d, pkt);
	if (rst) {
		handle_rst(t, f, d, pkt);
		return;
	}
	if (!f->ignored)
		follow(t, f, pkt, dir_again(t, f, pkt, d, swaps));
	if (deliver_fins(t, f))
		close_flow(t, f, TLSD_FLOW_END_CLOSE);
}

void tlsd_flow_table_finish(struct tlsd_flow_table *t)
{
	struct tlsd_flow **v = t->open ? malloc(t->open * sizeof(*v)) : NULL;
	size_t n = 0;

	if (v) {
		for (uint32_t i = t->lru_open.head; i != NIL; i = flow_at(t, i)->lru_next)
			v[n++] = flow_at(t, i);
		qsort(v, n, sizeof(*v), cmp_id);
		for (size_t i = 0; i < n; i++)
			close_flow(t, v[i], TLSD_FLOW_END_CAPTURE_END);
		free(v);
	}
	/* Without memory for sorting: least recently active first. */
	while (t->lru_open.head != NIL)
		close_flow(t, flow_at(t, t->lru_open.head), TLSD_FLOW_END_CAPTURE_END);
}

void tlsd_flow_table_free(struct tlsd_flow_table *t)
{
	if (!t)
		return;
	tlsd_flow_table_finish(t);
	for (uint32_t k = 0; k < t->nchunks; k++)
		free(t->chunk[k]);
	free(t->slots);
	free(t->graves_mem);
	free(t->dying);
	free(t->heap);
	free(t);
}

size_t tlsd_flow_table_count(const struct tlsd_flow_table *t)
{
	return t->open;
}

size_t tlsd_flow_table_tombstones(const struct tlsd_flow_table *t)
{
	size_t n = 0;

	for (size_t i = 0; t->graves && i < (size_t)t->grave_sets * GRAVE_WAYS; i++)
		n += t->graves[i].key && t->graves[i].until >= t->ctx->idle_clock;
	return n;
}

size_t tlsd_flow_table_memory(const struct tlsd_flow_table *t)
{
	return sizeof(*t) + (size_t)t->cap * sizeof(struct tlsd_flow) +
	       ((size_t)t->mask + 1) * sizeof(struct slot) +
	       (size_t)t->grave_sets * GRAVE_WAYS * sizeof(struct grave) +
	       (size_t)t->heap_cap * sizeof(*t->heap);
}

void tlsd_flow_skip(struct tlsd_flow_table *t, struct tlsd_flow *f, enum tlsd_dir d, uint64_t n)
{
	if (f->ignored)
		return;
	tlsd_reasm_skip(&f->side[user_dir(f, d)].reasm, t->ctx, n);
}

void tlsd_flow_ignore(struct tlsd_flow_table *t, struct tlsd_flow *f)
{
	if (f->ignored)
		return;
	f->ignored = true;
	for (unsigned i = 0; i < 2; i++) {
		tlsd_reasm_cleanup(&f->side[i].reasm, t->ctx);
		f->side[i].reasm.closed = true;
	}
}

void tlsd_flow_swap_roles(struct tlsd_flow_table *t, struct tlsd_flow *f)
{
	if (t->in_reasm == f) {
		f->swap_pending ^= 1;
	} else {
		swap_sides(f);
		t->swaps++;
	}
}
