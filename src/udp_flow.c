/* UDP flows keyed by 5-tuple and QUIC connection ID (see udp_flow.h).
 *
 * Keys live inside their flow (struct udp_key, up to TLSD_UDP_MAX_TUPLES +
 * TLSD_UDP_MAX_CIDS of them) and are chained into a power-of-two bucket
 * array that doubles when the keys outnumber the buckets. */
#include "tlsd/udp_flow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/cur.h"
#include "tlsd/hash.h"

#define TUPLE_KEY_LEN 37 /* ip version, low endpoint (16 + 2), high endpoint (16 + 2) */
#define FIRST_BUCKETS 256u
#define EXPIRE_EVERY 64u /* datagrams between amortised expiry runs */

enum key_kind { KEY_FREE = 0, KEY_TUPLE, KEY_CID };

struct udp_key {
	struct udp_key *next;        /* bucket chain */
	struct tlsd_udp_flow *flow;
	uint32_t hash;
	uint8_t kind;
	uint8_t len;                 /* bytes of b in use */
	uint8_t side;                /* tuple: the side of its low endpoint; cid: the side it leads to */
	uint8_t b[TUPLE_KEY_LEN];
};

struct flow_alloc {
	struct tlsd_udp_flow f;
	struct udp_key keys[TLSD_UDP_MAX_TUPLES + TLSD_UDP_MAX_CIDS];
};

struct tlsd_udp_table {
	struct tlsd_ctx *ctx;
	const struct tlsd_udp_ops *ops;
	void *ud;
	uint64_t key[4];
	struct udp_key **buckets;
	uint32_t n_buckets;          /* a power of two */
	size_t n_keys, n_flows;
	uint64_t next_id;
	uint32_t cid_lens;           /* bit n: a CID of n bytes is registered */
	uint32_t since_expire;
	struct tlsd_udp_flow *lru_head, *lru_tail; /* least recently active first */
};

static struct udp_key *flow_keys(struct tlsd_udp_flow *f)
{
	return f->keys;
}

/* ---- keys ---- */

static bool ep_greater(const struct tlsd_addr *a, uint16_t ap, const struct tlsd_addr *b,
		       uint16_t bp)
{
	int c = memcmp(a->b, b->b, sizeof(a->b));

	return c != 0 ? c > 0 : ap > bp;
}

/* The canonical key of a 5-tuple; *low_is_src tells which end came first. */
static void tuple_key(uint8_t ipv, const struct tlsd_addr *src, uint16_t sp,
		      const struct tlsd_addr *dst, uint16_t dp, uint8_t out[TUPLE_KEY_LEN],
		      bool *low_is_src)
{
	const struct tlsd_addr *lo = src, *hi = dst;
	uint16_t lop = sp, hip = dp;

	*low_is_src = !ep_greater(src, sp, dst, dp);
	if (!*low_is_src) {
		lo = dst;
		hi = src;
		lop = dp;
		hip = sp;
	}
	out[0] = ipv;
	memcpy(out + 1, lo->b, 16);
	out[17] = (uint8_t)(lop >> 8);
	out[18] = (uint8_t)lop;
	memcpy(out + 19, hi->b, 16);
	out[35] = (uint8_t)(hip >> 8);
	out[36] = (uint8_t)hip;
}

static uint32_t key_hash(const struct tlsd_udp_table *t, uint8_t kind, const uint8_t *b, size_t n)
{
	return tlsd_hash_bytes(t->key, b, n) ^ kind;
}

static struct udp_key *find(const struct tlsd_udp_table *t, uint8_t kind, const uint8_t *b,
			    size_t n)
{
	uint32_t h = key_hash(t, kind, b, n);

	for (struct udp_key *k = t->buckets[h & (t->n_buckets - 1)]; k; k = k->next)
		if (k->hash == h && k->kind == kind && k->len == n && memcmp(k->b, b, n) == 0)
			return k;
	return NULL;
}

static void grow(struct tlsd_udp_table *t)
{
	uint32_t nn = t->n_buckets * 2;
	struct udp_key **nb;

	if (nn == 0 || nn > (UINT32_C(1) << 30))
		return;
	nb = calloc(nn, sizeof(*nb));
	if (!nb)
		return; /* longer chains, still correct */
	for (uint32_t i = 0; i < t->n_buckets; i++) {
		struct udp_key *k = t->buckets[i], *next;

		for (; k; k = next) {
			next = k->next;
			k->next = nb[k->hash & (nn - 1)];
			nb[k->hash & (nn - 1)] = k;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->n_buckets = nn;
}

static void key_link(struct tlsd_udp_table *t, struct udp_key *k)
{
	struct udp_key **b = &t->buckets[k->hash & (t->n_buckets - 1)];

	k->next = *b;
	*b = k;
	if (++t->n_keys > t->n_buckets)
		grow(t);
}

static void key_unlink(struct tlsd_udp_table *t, struct udp_key *k)
{
	struct udp_key **p = &t->buckets[k->hash & (t->n_buckets - 1)];

	for (; *p; p = &(*p)->next) {
		if (*p == k) {
			*p = k->next;
			t->n_keys--;
			break;
		}
	}
	k->kind = KEY_FREE;
}

static struct udp_key *free_slot(struct tlsd_udp_flow *f, uint8_t kind)
{
	struct udp_key *keys = flow_keys(f);
	size_t lo = kind == KEY_TUPLE ? 0 : TLSD_UDP_MAX_TUPLES;
	size_t hi = kind == KEY_TUPLE ? TLSD_UDP_MAX_TUPLES : TLSD_UDP_MAX_TUPLES + TLSD_UDP_MAX_CIDS;

	for (size_t i = lo; i < hi; i++)
		if (keys[i].kind == KEY_FREE)
			return &keys[i];
	return NULL;
}

static bool add_key(struct tlsd_udp_table *t, struct tlsd_udp_flow *f, uint8_t kind,
		    const uint8_t *b, size_t n, uint8_t side)
{
	struct udp_key *k = free_slot(f, kind);

	if (!k)
		return false;
	*k = (struct udp_key){.flow = f, .kind = kind, .len = (uint8_t)n, .side = side,
			      .hash = key_hash(t, kind, b, n)};
	memcpy(k->b, b, n);
	key_link(t, k);
	if (kind == KEY_TUPLE)
		f->n_tuples++;
	return true;
}

/* ---- LRU ---- */

static void lru_remove(struct tlsd_udp_table *t, struct tlsd_udp_flow *f)
{
	if (f->lru_prev)
		f->lru_prev->lru_next = f->lru_next;
	else
		t->lru_head = f->lru_next;
	if (f->lru_next)
		f->lru_next->lru_prev = f->lru_prev;
	else
		t->lru_tail = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

static void lru_append(struct tlsd_udp_table *t, struct tlsd_udp_flow *f)
{
	f->lru_prev = t->lru_tail;
	f->lru_next = NULL;
	if (t->lru_tail)
		t->lru_tail->lru_next = f;
	else
		t->lru_head = f;
	t->lru_tail = f;
}

/* ---- lifecycle ---- */

struct tlsd_udp_table *tlsd_udp_table_new(struct tlsd_ctx *ctx, const struct tlsd_udp_ops *ops,
					  void *ud)
{
	struct tlsd_udp_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ctx = ctx;
	t->ops = ops;
	t->ud = ud;
	t->n_buckets = FIRST_BUCKETS;
	t->buckets = calloc(t->n_buckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	tlsd_hash_random_key(t->key);
	return t;
}

static void close_flow(struct tlsd_udp_table *t, struct tlsd_udp_flow *f, enum tlsd_udp_end how)
{
	struct udp_key *keys = flow_keys(f);

	if (t->ops->close)
		t->ops->close(t->ud, f, how);
	for (size_t i = 0; i < TLSD_UDP_MAX_TUPLES + TLSD_UDP_MAX_CIDS; i++)
		if (keys[i].kind != KEY_FREE)
			key_unlink(t, &keys[i]);
	lru_remove(t, f);
	t->n_flows--;
	free((struct flow_alloc *)(void *)f);
}

static int by_id(const void *a, const void *b)
{
	const struct tlsd_udp_flow *x = *(struct tlsd_udp_flow *const *)a;
	const struct tlsd_udp_flow *y = *(struct tlsd_udp_flow *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

void tlsd_udp_table_finish(struct tlsd_udp_table *t)
{
	struct tlsd_udp_flow **all;
	size_t n = 0;

	if (!t || t->n_flows == 0)
		return;
	all = malloc(t->n_flows * sizeof(*all));
	if (!all) { /* still close them all, in activity order */
		while (t->lru_head)
			close_flow(t, t->lru_head, TLSD_UDP_END_CAPTURE_END);
		return;
	}
	for (struct tlsd_udp_flow *f = t->lru_head; f; f = f->lru_next)
		all[n++] = f;
	qsort(all, n, sizeof(*all), by_id);
	for (size_t i = 0; i < n; i++)
		close_flow(t, all[i], TLSD_UDP_END_CAPTURE_END);
	free(all);
}

void tlsd_udp_table_free(struct tlsd_udp_table *t)
{
	if (!t)
		return;
	tlsd_udp_table_finish(t);
	free(t->buckets);
	free(t);
}

size_t tlsd_udp_table_count(const struct tlsd_udp_table *t)
{
	return t ? t->n_flows : 0;
}

void tlsd_udp_table_expire(struct tlsd_udp_table *t)
{
	tlsd_time_ns limit = t->ctx->lim.idle_timeout;

	/* On the idle clock: no timeout across a capture-wide silence (ctx.h). */
	while (t->lru_head && t->ctx->idle_clock - t->lru_head->idle_ts > limit)
		close_flow(t, t->lru_head, TLSD_UDP_END_TIMEOUT);
}

static struct tlsd_udp_flow *create(struct tlsd_udp_table *t, const struct tlsd_pkt *pkt,
				    const uint8_t key[TUPLE_KEY_LEN], bool low_is_src)
{
	struct flow_alloc *a;
	struct tlsd_udp_flow *f;

	if (t->ctx->lim.max_udp_flows && t->n_flows >= t->ctx->lim.max_udp_flows && t->lru_head) {
		tlsd_ctx_count(t->ctx, TLSD_ANOM_CAPTURE_CAP_UDP_FLOWS);
		close_flow(t, t->lru_head, TLSD_UDP_END_EVICTED);
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	f = &a->f;
	f->keys = a->keys;
	f->ip_version = pkt->ip_version;
	f->side[TLSD_DIR_C2S].addr = pkt->src;
	f->side[TLSD_DIR_C2S].port = pkt->sport;
	f->side[TLSD_DIR_S2C].addr = pkt->dst;
	f->side[TLSD_DIR_S2C].port = pkt->dport;
	f->first_ts = pkt->ts;
	f->first_frame = pkt->frame_no;
	f->id = ++t->next_id;
	/* The low endpoint is the client's when the client sent this one and
	 * low_is_src, or the other way round. */
	(void)add_key(t, f, KEY_TUPLE, key, TUPLE_KEY_LEN, low_is_src ? TLSD_DIR_C2S : TLSD_DIR_S2C);
	t->n_flows++;
	t->ctx->cnt.udp_flows_created++;
	lru_append(t, f);
	if (t->ops->open)
		t->ops->open(t->ud, f, pkt);
	return f;
}

/* The DCID candidates of a QUIC-looking datagram on an unknown 5-tuple. */
static struct udp_key *find_by_cid(const struct tlsd_udp_table *t, const struct tlsd_pkt *pkt)
{
	struct tlsd_cur c;
	uint8_t b0, n, cid[TLSD_UDP_MAX_CID_LEN];

	if (!t->cid_lens)
		return NULL;
	tlsd_cur_init(&c, pkt->payload, pkt->payload_len);
	if (!tlsd_cur_get_u8(&c, &b0) || !(b0 & 0x40))
		return NULL;
	if (b0 & 0x80) { /* long header: version(4) dcid_len(1) dcid */
		if (!tlsd_cur_skip(&c, 4) || !tlsd_cur_get_u8(&c, &n) || n == 0 ||
		    n > TLSD_UDP_MAX_CID_LEN || !tlsd_cur_copy(&c, cid, n))
			return NULL;
		return find(t, KEY_CID, cid, n);
	}
	for (n = 1; n <= TLSD_UDP_MAX_CID_LEN; n++) {
		struct tlsd_cur d = c;
		struct udp_key *k;

		if (!(t->cid_lens & (UINT32_C(1) << n)) || !tlsd_cur_copy(&d, cid, n))
			continue;
		k = find(t, KEY_CID, cid, n);
		if (k)
			return k;
	}
	return NULL;
}

static void account(const struct tlsd_udp_table *t, struct tlsd_udp_flow *f, enum tlsd_dir d,
		    const struct tlsd_pkt *pkt)
{
	struct tlsd_udp_side *s = &f->side[d];

	if (s->datagrams++ == 0) {
		s->first_ts = pkt->ts;
		s->first_ttl = pkt->ttl;
	}
	s->last_ts = pkt->ts;
	s->bytes += pkt->payload_wire_len;
	if (pkt->payload_wire_len > s->max_datagram)
		s->max_datagram = pkt->payload_wire_len;
	f->last_ts = pkt->ts;
	f->idle_ts = t->ctx->idle_clock;
}

void tlsd_udp_table_packet(struct tlsd_udp_table *t, const struct tlsd_pkt *pkt)
{
	uint8_t key[TUPLE_KEY_LEN];
	bool low_is_src;
	struct udp_key *k;
	struct tlsd_udp_flow *f;
	enum tlsd_dir d = TLSD_DIR_C2S;

	if (++t->since_expire >= EXPIRE_EVERY) {
		t->since_expire = 0;
		tlsd_udp_table_expire(t);
	}
	tuple_key(pkt->ip_version, &pkt->src, pkt->sport, &pkt->dst, pkt->dport, key, &low_is_src);
	k = find(t, KEY_TUPLE, key, sizeof(key));
	if (k) {
		f = k->flow;
		/* k->side is the side of the low endpoint. */
		d = low_is_src == (k->side == TLSD_DIR_C2S) ? TLSD_DIR_C2S : TLSD_DIR_S2C;
	} else {
		k = find_by_cid(t, pkt);
		if (k) {
			/* Sent towards the side the CID leads to: a new path of a
			 * known connection. */
			f = k->flow;
			d = k->side == TLSD_DIR_S2C ? TLSD_DIR_C2S : TLSD_DIR_S2C;
			if (!add_key(t, f, KEY_TUPLE, key, sizeof(key),
				     low_is_src ? (uint8_t)d : (uint8_t)tlsd_dir_other(d)))
				f = NULL; /* too many paths: a flow of its own */
			else
				t->ctx->cnt.udp_migrations++;
		} else {
			f = NULL;
		}
		if (!f) {
			f = create(t, pkt, key, low_is_src);
			d = TLSD_DIR_C2S;
			if (!f)
				return;
		}
	}
	account(t, f, d, pkt);
	lru_remove(t, f);
	lru_append(t, f);
	if (!f->ignored && t->ops->datagram)
		t->ops->datagram(t->ud, f, d, pkt);
}

void tlsd_udp_table_icmp(struct tlsd_udp_table *t, const struct tlsd_pkt *pkt)
{
	const struct tlsd_icmp_quote *q = &pkt->icmp;
	uint8_t key[TUPLE_KEY_LEN];
	bool low_is_src;
	struct udp_key *k;

	if (q->proto != 17)
		return;
	tuple_key(q->ip_version, &q->src, q->sport, &q->dst, q->dport, key, &low_is_src);
	k = find(t, KEY_TUPLE, key, sizeof(key));
	if (!k)
		return;
	k->flow->last_ts = TLSD_MAX(k->flow->last_ts, pkt->ts);
	k->flow->idle_ts = t->ctx->idle_clock;
	if (t->ops->icmp)
		t->ops->icmp(t->ud, k->flow, low_is_src == (k->side == TLSD_DIR_C2S) ? TLSD_DIR_C2S
										 : TLSD_DIR_S2C,
			     pkt);
}

int tlsd_udp_flow_add_cid(struct tlsd_udp_table *t, struct tlsd_udp_flow *f, enum tlsd_dir to,
			  const uint8_t *cid, size_t len)
{
	if (len == 0 || len > TLSD_UDP_MAX_CID_LEN)
		return -EINVAL;
	if (find(t, KEY_CID, cid, len))
		return 0;
	if (!add_key(t, f, KEY_CID, cid, len, (uint8_t)to))
		return -ENOSPC;
	t->cid_lens |= UINT32_C(1) << len;
	return 0;
}

void tlsd_udp_flow_ignore(struct tlsd_udp_table *t, struct tlsd_udp_flow *f)
{
	(void)t;
	f->ignored = true;
}

void tlsd_udp_flow_swap_roles(struct tlsd_udp_table *t, struct tlsd_udp_flow *f)
{
	struct udp_key *keys = flow_keys(f);
	struct tlsd_udp_side tmp = f->side[0];

	(void)t;
	f->side[0] = f->side[1];
	f->side[1] = tmp;
	for (size_t i = 0; i < TLSD_UDP_MAX_TUPLES + TLSD_UDP_MAX_CIDS; i++)
		if (keys[i].kind != KEY_FREE)
			keys[i].side = (uint8_t)tlsd_dir_other((enum tlsd_dir)keys[i].side);
}
