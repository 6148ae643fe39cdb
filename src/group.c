/* Grouped view and fleet patterns (group.h). */
#include "tlsd/group.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/cert.h"
#include "tlsd/community_id.h"
#include "tlsd/distinct.h"
#include "tlsd/report_json.h"
#include "tlsd/report_text.h"
#include "tlsd/tls_names.h"

#define LEVELS 3          /* 0: + server, 1: + SNI, 2: outcome, step, cause */
#define MAX_FPS 8         /* leaf certificates remembered per SNI */
#define PROBES 128
#define ARENA_MAX (16u << 20)
#define DISTINCT_BYTES ((size_t)16 << 20) /* all distinct-count sets together */
#define MAX_PATTERN_LINES 6
#define NO_SNI UINT32_MAX   /* sni index of connections without SNI */
#define SNI_OTHER (UINT32_MAX - 1) /* SNIs beyond the table */

/* ---- hashing and open-addressing tables ---------------------------------- */

#define FNV0 UINT64_C(0xcbf29ce484222325)

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * UINT64_C(0x100000001b3);
	return h;
}

/* Every entry type starts with this header. */
struct slot {
	uint64_t h;
	uint32_t used;
};

struct otab {
	unsigned char *mem;
	size_t esize;
	uint32_t n_slots, n_used, max_used;
	uint64_t dropped;
};

static bool otab_init(struct otab *t, size_t esize, uint32_t slots, uint32_t max_used)
{
	t->esize = esize;
	t->n_slots = slots;
	t->n_used = 0;
	t->max_used = max_used;
	t->dropped = 0;
	t->mem = calloc(slots, esize);
	return t->mem != NULL;
}

static struct slot *otab_at(const struct otab *t, uint32_t i)
{
	return (struct slot *)(void *)(t->mem + (size_t)i * t->esize);
}

static void otab_grow(struct otab *t)
{
	uint32_t n = t->n_slots * 2, mask = n - 1;
	unsigned char *mem;

	if (t->n_used * 2u < t->n_slots || n > t->max_used * 2u + 2u)
		return;
	mem = calloc(n, t->esize);
	if (!mem)
		return; /* keep the smaller table; it only fills sooner */
	for (uint32_t k = 0; k < t->n_slots; k++) {
		struct slot *e = otab_at(t, k);
		uint32_t i = (uint32_t)e->h & mask;

		if (!e->used)
			continue;
		while (((struct slot *)(void *)(mem + (size_t)i * t->esize))->used)
			i = (i + 1) & mask;
		memcpy(mem + (size_t)i * t->esize, e, t->esize);
	}
	free(t->mem);
	t->mem = mem;
	t->n_slots = n;
}

/* Finds the entry with hash h for which eq(entry, key); with create, claims
 * an empty slot (zeroed, h set) when there is none. NULL: not found, or no
 * room. Entry pointers are valid until the next create. */
static void *otab_get(struct otab *t, uint64_t h, const void *key,
		      bool (*eq)(const void *e, const void *key), bool create)
{
	uint32_t mask, i;

	if (create)
		otab_grow(t);
	mask = t->n_slots - 1;
	i = (uint32_t)h & mask;
	for (unsigned p = 0; p < PROBES; p++, i = (i + 1) & mask) {
		struct slot *e = otab_at(t, i);

		if (!e->used) {
			if (!create || t->n_used >= t->max_used)
				break;
			memset(e, 0, t->esize);
			e->h = h;
			e->used = 1;
			t->n_used++;
			return e;
		}
		if (e->h == h && eq(e, key))
			return e;
	}
	if (create)
		t->dropped++;
	return NULL;
}

/* Starts loading the slot where a lookup of h begins. */
static void otab_prefetch(const struct otab *t, uint64_t h)
{
	__builtin_prefetch(otab_at(t, (uint32_t)h & (t->n_slots - 1)));
}

/* ---- interned strings (cause codes, SNIs) --------------------------------- */

struct istr {
	struct slot s;
	uint32_t off, len, idx;
};

struct itab {
	struct otab t;
	char *arena;
	size_t arena_len, arena_cap;
	uint32_t *offs, *lens; /* by index */
	uint32_t n, cap;
};

struct ikey {
	const struct itab *it;
	const uint8_t *p;
	size_t len;
};

static bool istr_eq(const void *e, const void *key)
{
	const struct istr *s = e;
	const struct ikey *k = key;

	return s->len == k->len && memcmp(k->it->arena + s->off, k->p, k->len) == 0;
}

/* Returns the string's index, or UINT32_MAX when the table is full. h is
 * tlsd_distinct_hash(p, len). */
static uint32_t intern_h(struct itab *it, const uint8_t *p, size_t len, uint64_t h)
{
	struct ikey k = {it, p, len};
	struct istr *s = otab_get(&it->t, h, &k, istr_eq, false);

	if (s)
		return s->idx;
	if (it->arena_len + len > it->arena_cap) {
		size_t cap = it->arena_cap ? it->arena_cap : 4096;
		char *a;

		while (cap < it->arena_len + len)
			cap *= 2;
		if (cap > ARENA_MAX || !(a = realloc(it->arena, cap)))
			return UINT32_MAX;
		it->arena = a;
		it->arena_cap = cap;
	}
	if (it->n == it->cap) {
		uint32_t cap = it->cap ? it->cap * 2 : 64;
		uint32_t *o = realloc(it->offs, cap * sizeof(*o)), *l;

		if (!o)
			return UINT32_MAX;
		it->offs = o;
		l = realloc(it->lens, cap * sizeof(*l));
		if (!l)
			return UINT32_MAX;
		it->lens = l;
		it->cap = cap;
	}
	s = otab_get(&it->t, h, &k, istr_eq, true);
	if (!s)
		return UINT32_MAX;
	s->off = (uint32_t)it->arena_len;
	s->len = (uint32_t)len;
	s->idx = it->n;
	memcpy(it->arena + it->arena_len, p, len);
	it->arena_len += len;
	it->offs[it->n] = s->off;
	it->lens[it->n] = s->len;
	return it->n++;
}

static uint32_t intern(struct itab *it, const uint8_t *p, size_t len)
{
	return intern_h(it, p, len, tlsd_distinct_hash(p, len)); /* a word at a time */
}

static const uint8_t *istr_get(const struct itab *it, uint32_t idx, size_t *len)
{
	*len = it->lens[idx];
	return (const uint8_t *)it->arena + it->offs[idx];
}

static void itab_free(struct itab *it)
{
	free(it->t.mem);
	free(it->arena);
	free(it->offs);
	free(it->lens);
}

/* ---- the state ---------------------------------------------------------- */

struct gkey {
	uint8_t level, outcome, step, ipv;
	uint8_t transport; /* QUIC failures are rows of their own */
	uint32_t cause; /* code index, UINT32_MAX: none */
	uint32_t sni;   /* NO_SNI, SNI_OTHER or an index (level < 2) */
	struct tlsd_endpoint server; /* level 0 only */
};

struct grp {
	struct slot s;
	struct gkey k;
	uint32_t serial;
	uint64_t count;
	struct tlsd_distinct distinct[3]; /* by enum dkind */
	bool approx; /* distinct counts not kept (a level too large for the text view) */
	bool has_conf;
	enum tlsd_confidence conf_lo, conf_hi; /* most and least sure cause */
	tlsd_time_ns first, last;
	/* the earliest connection */
	uint32_t ex_sni;
	uint8_t ex_ipv;
	struct tlsd_endpoint ex_client, ex_server;
	enum tlsd_confidence ex_conf;
	bool ex_has_alert, ex_alert_enc;
	enum tlsd_party ex_alert_sender;
	uint8_t ex_alert_code;
	char ex_id[TLSD_CONN_UID_LEN];
};

enum dkind { D_CLIENTS, D_SERVERS, D_SNIS };

struct fp_count {
	char sha[65];
	uint64_t ok, fail;
};

struct sni_stats {
	uint64_t ok, fail, servers;
	uint64_t mixed_servers; /* servers with successes and failures */
	tlsd_time_ns ok_first, ok_last, fail_first, fail_last;
	uint8_t n_fps;
	bool fps_overflow;
	struct fp_count fps[MAX_FPS];
};

struct srv_entry {
	struct slot s;
	uint32_t sni;
	uint8_t ipv;
	struct tlsd_endpoint server;
	uint64_t ok, fail;
	tlsd_time_ns ok_first, ok_last, fail_first, fail_last;
};

struct cli_entry {
	struct slot s;
	uint32_t sni;
	uint8_t ipv;
	struct tlsd_addr client;
	uint16_t fail_v;       /* highest version offered by a failed attempt */
	tlsd_time_ns fail_v_ts; /* earliest failure offering it */
	uint16_t low_v;        /* lowest version offered by any attempt */
	tlsd_time_ns low_v_ts;  /* latest attempt offering it */
	bool low_v_ok;         /* ... and it was established */
};

struct tlsd_group {
	struct itab codes, snis;
	/* By cause: 1 + the index of the code last interned for it (0: none),
	 * tried before the code table. */
	uint32_t code_hint[TLSD_CAUSE__COUNT];
	struct sni_stats *sni_stats; /* by SNI index, grown with snis.cap */
	uint32_t sni_stats_cap;
	struct otab levels[LEVELS];
	uint32_t next_serial;
	struct tlsd_distinct_budget budget; /* of every row's distinct sets */
	bool uncounted[LEVELS]; /* text only: a level too large to show, its sets freed */
	unsigned text_rows;  /* when set: only the text view is printed, with this many rows */
	struct otab servers; /* (SNI, server) */
	struct otab clients; /* (client, SNI) */
	uint64_t total, failures, dropped;
	tlsd_time_ns t_first, t_last, fail_first, fail_last;
};

static void free_distinct(struct tlsd_group *g, int level)
{
	struct otab *t = &g->levels[level];

	for (uint32_t i = 0; t->mem && i < t->n_slots; i++) {
		struct grp *e = (struct grp *)otab_at(t, i);

		if (e->s.used)
			for (int k = 0; k < 3; k++)
				tlsd_distinct_free(&e->distinct[k], &g->budget);
	}
}

struct tlsd_group *tlsd_group_new(void)
{
	struct tlsd_group *g = calloc(1, sizeof(*g));
	bool ok;

	if (!g)
		return NULL;
	ok = otab_init(&g->codes.t, sizeof(struct istr), 256, TLSD_GROUP_MAX_KEYS) &&
	     otab_init(&g->snis.t, sizeof(struct istr), 256, TLSD_GROUP_MAX_KEYS) &&
	     otab_init(&g->servers, sizeof(struct srv_entry), 1024, TLSD_GROUP_MAX_PAIRS) &&
	     otab_init(&g->clients, sizeof(struct cli_entry), 1024, TLSD_GROUP_MAX_KEYS);
	for (int l = 0; l < LEVELS && ok; l++)
		ok = otab_init(&g->levels[l], sizeof(struct grp), 256, TLSD_GROUP_MAX_KEYS);
	g->budget.max = DISTINCT_BYTES;
	if (!ok) {
		tlsd_group_free(g);
		return NULL;
	}
	return g;
}

void tlsd_group_free(struct tlsd_group *g)
{
	if (!g)
		return;
	itab_free(&g->codes);
	itab_free(&g->snis);
	free(g->sni_stats);
	for (int l = 0; l < LEVELS; l++) {
		free_distinct(g, l);
		free(g->levels[l].mem);
	}
	free(g->servers.mem);
	free(g->clients.mem);
	free(g);
}

void tlsd_group_text_only(struct tlsd_group *g, unsigned max_rows)
{
	g->text_rows = max_rows ? max_rows : TLSD_GROUP_DEFAULT_ROWS;
}

uint64_t tlsd_group_failures(const struct tlsd_group *g)
{
	return g->failures;
}

/* ---- distinct counting ------------------------------------------------- */

/* A report's values as distinct-set fingerprints, computed once for the
 * three levels that count them (by enum dkind). */
struct dvals {
	uint64_t h[3];
};

/* The client's and the server's (the SNI's is taken first, for interning). */
static void dvals_of(struct dvals *dv, const struct tlsd_report *r)
{
	uint8_t srv[18];

	memcpy(srv, r->server.addr.b, 16);
	memcpy(srv + 16, &r->server.port, 2);
	dv->h[D_CLIENTS] = tlsd_distinct_hash(r->client.addr.b, r->ip_version == 6 ? 16 : 4);
	dv->h[D_SERVERS] = tlsd_distinct_hash(srv, sizeof(srv));
}

/* The sets a row of this level counts: clients; servers from level 1;
 * SNIs at level 2. */
static int n_dkinds(uint8_t level)
{
	return level + 1;
}

/* An estimate is never above the row's count (each connection brings at
 * most one new value). */
static uint64_t distinct_count(const struct grp *e, enum dkind k)
{
	return TLSD_MIN(tlsd_distinct_count(&e->distinct[k]), e->count);
}

/* Whether a distinct count of the row is an estimate or a lower bound. */
static bool distinct_approx(const struct grp *e, enum dkind k)
{
	return e->approx || tlsd_distinct_approx(&e->distinct[k]);
}

/* ---- adding a report ---------------------------------------------------- */

static bool gkey_eq(const void *e, const void *key)
{
	const struct grp *a = e;
	const struct gkey *k = key;

	return a->k.level == k->level && a->k.outcome == k->outcome && a->k.step == k->step &&
	       a->k.transport == k->transport && a->k.cause == k->cause && a->k.sni == k->sni &&
	       a->k.ipv == k->ipv &&
	       a->k.server.port == k->server.port &&
	       memcmp(a->k.server.addr.b, k->server.addr.b, 16) == 0;
}

static uint64_t gkey_hash(const struct gkey *k)
{
	uint8_t b[32];

	/* The key's fields packed (no padding bytes), hashed a word at a time. */
	b[0] = k->level;
	b[1] = k->outcome;
	b[2] = k->step;
	b[3] = k->transport;
	b[4] = k->ipv;
	b[5] = 0;
	memcpy(b + 6, &k->server.port, 2);
	memcpy(b + 8, &k->cause, 4);
	memcpy(b + 12, &k->sni, 4);
	memcpy(b + 16, k->server.addr.b, 16);
	return tlsd_distinct_hash32(b);
}

/* A row a report was added to, before its distinct sets are. */
struct row_add {
	struct grp *e; /* NULL: none (the level is full) */
	uint8_t level;
	bool counted;  /* its distinct sets are kept */
};

/* Finds or makes the report's row of level k->level and adds the report
 * to it, all but its distinct sets (count_row). */
static struct row_add find_row(struct tlsd_group *g, const struct gkey *k,
			       const struct tlsd_report *r, const struct tlsd_diag *cause,
			       uint32_t sni)
{
	/* Text only: a finer level with more rows than the view shows is never
	 * printed, so once it has that many it takes no new rows. */
	bool full = g->text_rows && k->level < LEVELS - 1 &&
		    g->levels[k->level].n_used > g->text_rows;
	struct grp *e = otab_get(&g->levels[k->level], gkey_hash(k), k, gkey_eq, !full);
	struct row_add ra = {.e = e, .level = k->level};

	if (!e) {
		if (!full)
			g->dropped++;
		return ra;
	}
	/* A finer level with more rows than the text view shows is never
	 * printed (only the text view is): its distinct counts are not kept.
	 * The coarsest is printed however many rows it has (the largest,
	 * then "N more kinds"), so it keeps them. */
	ra.counted = !g->text_rows || k->level == LEVELS - 1 ||
		     g->levels[k->level].n_used <= g->text_rows;

	if (!e->count) {
		e->k = *k;
		e->serial = g->next_serial++;
		e->first = r->ts_first;
		e->last = r->ts_first;
	}
	e->count++;
	if (cause && (!e->has_conf || cause->confidence < e->conf_lo))
		e->conf_lo = cause->confidence;
	if (cause && (!e->has_conf || cause->confidence > e->conf_hi))
		e->conf_hi = cause->confidence;
	e->has_conf = e->has_conf || cause;
	if (r->ts_first > e->last)
		e->last = r->ts_first;
	if (e->count == 1 || r->ts_first < e->first) {
		e->first = r->ts_first;
		e->ex_ipv = r->ip_version;
		e->ex_sni = sni;
		e->ex_client = r->client;
		e->ex_server = r->server;
		e->ex_conf = cause ? cause->confidence : TLSD_CONF_POSSIBLE;
		e->ex_has_alert = r->has_alert;
		e->ex_alert_enc = r->alert.encrypted && !r->alert.decrypted;
		e->ex_alert_sender = r->alert.sender;
		e->ex_alert_code = r->alert.code;
		if (tlsd_conn_uid(r, e->ex_id) < 0)
			e->ex_id[0] = 0;
	}
	return ra;
}

/* Starts loading what count_row will touch: the sets of a few rows are
 * scattered over megabytes, and waiting for them together beats waiting
 * for each in turn. */
static void prefetch_row(const struct row_add *ra, const struct dvals *dv)
{
	if (!ra->e || !ra->counted)
		return;
	for (int k = 0; k < n_dkinds(ra->level); k++)
		tlsd_distinct_prefetch(&ra->e->distinct[k], dv->h[k]);
}

/* The distinct sets of a row found by find_row. */
static void count_row(struct tlsd_group *g, const struct row_add *ra, const struct dvals *dv)
{
	struct grp *e = ra->e;

	if (!e)
		return;
	if (!ra->counted) {
		if (!g->uncounted[ra->level]) {
			g->uncounted[ra->level] = true;
			free_distinct(g, ra->level); /* the level is never shown */
		}
		e->approx = true;
		return;
	}
	for (int k = 0; k < n_dkinds(ra->level); k++)
		tlsd_distinct_add(&e->distinct[k], &g->budget, dv->h[k]);
}

static struct sni_stats *sni_stats(struct tlsd_group *g, uint32_t idx)
{
	if (idx >= g->sni_stats_cap) {
		uint32_t cap = g->sni_stats_cap ? g->sni_stats_cap : 64;
		struct sni_stats *n;

		while (cap <= idx)
			cap *= 2;
		n = realloc(g->sni_stats, cap * sizeof(*n));
		if (!n)
			return NULL;
		memset(n + g->sni_stats_cap, 0, (cap - g->sni_stats_cap) * sizeof(*n));
		g->sni_stats = n;
		g->sni_stats_cap = cap;
	}
	return &g->sni_stats[idx];
}

static void note_times(tlsd_time_ns t, uint64_t n_before, tlsd_time_ns *first, tlsd_time_ns *last)
{
	if (n_before == 0 || t < *first)
		*first = t;
	if (n_before == 0 || t > *last)
		*last = t;
}

static void add_fp(struct sni_stats *ss, const struct tlsd_report *r, bool ok)
{
	const char *sha;

	if (!r->certs || r->certs->n_certs == 0)
		return;
	sha = r->certs->certs[0].sha256;
	for (unsigned i = 0; i < ss->n_fps; i++) {
		if (strcmp(ss->fps[i].sha, sha) == 0) {
			ss->fps[i].ok += ok;
			ss->fps[i].fail += !ok;
			return;
		}
	}
	if (ss->n_fps == MAX_FPS) {
		ss->fps_overflow = true;
		return;
	}
	snprintf(ss->fps[ss->n_fps].sha, sizeof(ss->fps[0].sha), "%s", sha);
	ss->fps[ss->n_fps].ok = ok;
	ss->fps[ss->n_fps].fail = !ok;
	ss->n_fps++;
}

struct srv_key {
	uint32_t sni;
	uint8_t ipv;
	const struct tlsd_endpoint *server;
};

static bool srv_eq(const void *e, const void *key)
{
	const struct srv_entry *a = e;
	const struct srv_key *k = key;

	return a->sni == k->sni && a->ipv == k->ipv && a->server.port == k->server->port &&
	       memcmp(a->server.addr.b, k->server->addr.b, 16) == 0;
}

struct cli_key {
	uint32_t sni;
	uint8_t ipv;
	const struct tlsd_addr *client;
};

static bool cli_eq(const void *e, const void *key)
{
	const struct cli_entry *a = e;
	const struct cli_key *k = key;

	return a->sni == k->sni && a->ipv == k->ipv && memcmp(a->client.b, k->client->b, 16) == 0;
}

static uint16_t max_offered(const struct tlsd_report *r)
{
	uint16_t hi = 0;

	for (unsigned i = 0; i < r->n_versions_offered && i < TLSD_MAX_VERSIONS; i++)
		if (r->versions_offered[i] >= 0x0300 && r->versions_offered[i] <= 0x0304 &&
		    r->versions_offered[i] > hi)
			hi = r->versions_offered[i];
	return hi;
}

static void add_fleet(struct tlsd_group *g, const struct tlsd_report *r, uint32_t sni, bool ok)
{
	struct sni_stats *ss = sni < SNI_OTHER ? sni_stats(g, sni) : NULL;
	struct srv_key sk = {sni, r->ip_version, &r->server};
	struct srv_entry *se;
	struct cli_key ck = {sni, r->ip_version, &r->client.addr};
	struct cli_entry *ce;
	uint16_t v = max_offered(r);
	uint64_t h, h_cli, h_sni;

	if (!ss)
		return;
	/* Both tables are large (a slot per server and per failing client):
	 * their misses are waited for together. */
	h_sni = fnv(FNV0, &sni, 4); /* both keys start with the SNI */
	h = fnv(fnv(h_sni, r->server.addr.b, 16), &r->server.port, 2);
	h_cli = fnv(h_sni, r->client.addr.b, 16);
	otab_prefetch(&g->servers, h);
	if (v)
		otab_prefetch(&g->clients, h_cli);
	if (ok)
		note_times(r->ts_first, ss->ok, &ss->ok_first, &ss->ok_last);
	else
		note_times(r->ts_first, ss->fail, &ss->fail_first, &ss->fail_last);
	ss->ok += ok;
	ss->fail += !ok;
	add_fp(ss, r, ok);

	se = otab_get(&g->servers, h, &sk, srv_eq, true);
	if (se) {
		if (!se->ok && !se->fail) {
			se->sni = sni;
			se->ipv = r->ip_version;
			se->server = r->server;
			ss->servers++;
		}
		if (ok)
			note_times(r->ts_first, se->ok, &se->ok_first, &se->ok_last);
		else
			note_times(r->ts_first, se->fail, &se->fail_first, &se->fail_last);
		if (se->ok + se->fail && (ok ? !se->ok && se->fail : se->ok && !se->fail))
			ss->mixed_servers++;
		se->ok += ok;
		se->fail += !ok;
	}
	if (!v)
		return;
	/* Clients are remembered from their first failure on (a fallback
	 * follows a failure); successes only update clients already known. */
	ce = otab_get(&g->clients, h_cli, &ck, cli_eq, !ok);
	if (!ce)
		return;
	if (!ce->low_v) {
		ce->sni = sni;
		ce->ipv = r->ip_version;
		ce->client = r->client.addr;
	}
	if (!ok && (v > ce->fail_v || (v == ce->fail_v && r->ts_first < ce->fail_v_ts))) {
		ce->fail_v = v;
		ce->fail_v_ts = r->ts_first;
	}
	if (!ce->low_v || v < ce->low_v || (v == ce->low_v && r->ts_first >= ce->low_v_ts)) {
		ce->low_v = v;
		ce->low_v_ts = r->ts_first;
		ce->low_v_ok = ok;
	}
}

/* The index of a main cause's code (UINT32_MAX: the table is full). The
 * code is checked against the one last interned for its cause first: a
 * cause mostly comes with one code, and the code itself is what counts. */
static uint32_t cause_index(struct tlsd_group *g, const struct tlsd_diag *cause)
{
	size_t len = strlen(cause->code), hint_len;
	bool has_hint = (unsigned)cause->cause < TLSD_CAUSE__COUNT;
	uint32_t j = has_hint ? g->code_hint[cause->cause] : 0;

	if (j) {
		const uint8_t *p = istr_get(&g->codes, j - 1, &hint_len);

		if (hint_len == len && memcmp(p, cause->code, len) == 0)
			return j - 1;
	}
	j = intern(&g->codes, (const uint8_t *)cause->code, len);
	if (has_hint && j != UINT32_MAX)
		g->code_hint[cause->cause] = j + 1;
	return j;
}

void tlsd_group_add(struct tlsd_group *g, const struct tlsd_report *r)
{
	const struct tlsd_diag *cause = tlsd_report_main_cause(r);
	bool ok = r->outcome == TLSD_OUTCOME_ESTABLISHED;
	uint32_t sni = NO_SNI;
	struct gkey k;
	struct dvals dv;
	struct row_add ra[LEVELS];

	dv.h[D_SNIS] = tlsd_distinct_hash(r->sni, r->has_sni ? r->sni_len : 0);
	if (r->has_sni) {
		sni = intern_h(&g->snis, r->sni, r->sni_len, dv.h[D_SNIS]);
		if (sni == UINT32_MAX)
			sni = SNI_OTHER;
	}
	if (g->total == 0 || r->ts_first < g->t_first)
		g->t_first = r->ts_first;
	if (g->total == 0 || r->ts_first > g->t_last)
		g->t_last = r->ts_first;
	g->total++;
	if (r->outcome != TLSD_OUTCOME_INCOMPLETE)
		add_fleet(g, r, sni, ok);
	if (ok)
		return;
	if (g->failures == 0 || r->ts_first < g->fail_first)
		g->fail_first = r->ts_first;
	if (g->failures == 0 || r->ts_first > g->fail_last)
		g->fail_last = r->ts_first;
	g->failures++;
	memset(&k, 0, sizeof(k));
	k.outcome = (uint8_t)r->outcome;
	k.step = (uint8_t)r->failed_step;
	k.transport = (uint8_t)r->transport;
	k.cause = cause ? cause_index(g, cause) : UINT32_MAX;
	dvals_of(&dv, r);
	/* Rows first, sets after, in the order the levels always took budget
	 * from the shared pool and gave it back (a level found too large
	 * frees its sets in count_row). */
	k.level = 2;
	k.sni = 0;
	ra[2] = find_row(g, &k, r, cause, sni);
	k.level = 1;
	k.sni = sni;
	ra[1] = find_row(g, &k, r, cause, sni);
	prefetch_row(&ra[2], &dv);
	prefetch_row(&ra[1], &dv);
	count_row(g, &ra[2], &dv);
	count_row(g, &ra[1], &dv);
	k.level = 0;
	k.ipv = r->ip_version;
	k.server = r->server;
	ra[0] = find_row(g, &k, r, cause, sni);
	prefetch_row(&ra[0], &dv);
	count_row(g, &ra[0], &dv);
}

/* ---- rendering helpers ---------------------------------------------------- */

/* Bytes as printable text (\xNN for the rest, space and backslash
 * included), cut to width with "..." at the end. */
static void text_cut(char *buf, size_t size, const uint8_t *s, size_t len, size_t width)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 5 < size; i++) {
		if (s[i] > 0x20 && s[i] < 0x7f && s[i] != '\\')
			buf[n++] = (char)s[i];
		else
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", s[i]);
	}
	buf[n] = 0;
	if (width >= 4 && n > width)
		memcpy(buf + width - 3, "...", 4);
}

static void sni_text(const struct tlsd_group *g, uint32_t sni, char *buf, size_t size,
		     size_t width)
{
	size_t len;
	const uint8_t *p;

	if (sni == NO_SNI) {
		snprintf(buf, size, "(no SNI)");
		return;
	}
	if (sni == SNI_OTHER) {
		snprintf(buf, size, "(other names)");
		return;
	}
	p = istr_get(&g->snis, sni, &len);
	text_cut(buf, size, p, len, width);
}

static void endpoint_text(char *buf, size_t size, const struct tlsd_endpoint *e, uint8_t ipv)
{
	char ip[64];

	tlsd_addr_str(&e->addr, ipv, ip, sizeof(ip));
	snprintf(buf, size, ipv == 6 ? "[%s]:%u" : "%s:%u", ip, e->port);
}

/* A time for the table: time of day to the millisecond when the header
 * carries the date and zone, else as -t asks. */
static void short_time(char *buf, size_t size, tlsd_time_ns t, const struct tlsd_group_opts *o)
{
	enum tlsd_time_fmt f = o->time_fmt;
	char *dot, *sp;

	if (f == TLSD_TIME_UTC_DATE)
		f = TLSD_TIME_UTC;
	else if (f == TLSD_TIME_LOCAL_DATE)
		f = TLSD_TIME_LOCAL;
	tlsd_format_time(buf, size, t, f, o->time_origin);
	if ((sp = strchr(buf, ' ')))
		*sp = 0; /* the zone is in the header */
	if ((dot = strchr(buf, '.')) && strlen(dot) > 4)
		dot[4] = 0;
}

static void cause_text(const struct tlsd_group *g, const struct grp *e, char *buf, size_t size)
{
	size_t len;
	const uint8_t *p;

	if (e->k.cause == UINT32_MAX) {
		snprintf(buf, size, "(no cause named)");
		return;
	}
	p = istr_get(&g->codes, e->k.cause, &len);
	snprintf(buf, size, "%.*s", (int)len, (const char *)p);
}

/* "no_shared_cipher (likely)", or "(certain..possible)" when they differ. */
static void cause_conf_text(const struct tlsd_group *g, const struct grp *e, char *buf,
			    size_t size)
{
	char c[TLSD_DIAG_CODE_LEN + 12];

	cause_text(g, e, c, sizeof(c));
	if (e->k.transport != TLSD_TRANSPORT_TCP) /* "quic_no_response [quic] (certain)" */
		snprintf(c + strlen(c), sizeof(c) - strlen(c), " [%s]",
			 tlsd_transport_name((enum tlsd_transport)e->k.transport));
	if (!e->has_conf)
		snprintf(buf, size, "%s", c);
	else if (e->conf_lo == e->conf_hi)
		snprintf(buf, size, "%s (%s)", c, tlsd_confidence_name(e->conf_lo));
	else
		snprintf(buf, size, "%s (%s..%s)", c, tlsd_confidence_name(e->conf_lo),
			 tlsd_confidence_name(e->conf_hi));
}

static int cmp_rows(const void *a, const void *b)
{
	const struct grp *x = *(const struct grp *const *)a, *y = *(const struct grp *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->serial < y->serial ? -1 : x->serial > y->serial;
}

/* The used rows of a level, sorted; *n set. NULL on OOM or when empty. */
static const struct grp **sorted_rows(const struct otab *t, uint32_t *n)
{
	const struct grp **v = t->n_used ? malloc(t->n_used * sizeof(*v)) : NULL;
	uint32_t k = 0;

	*n = 0;
	if (!v)
		return NULL;
	for (uint32_t i = 0; i < t->n_slots; i++) {
		const struct grp *e = (const struct grp *)otab_at(t, i);

		if (e->s.used && k < t->n_used)
			v[k++] = e;
	}
	qsort(v, k, sizeof(*v), cmp_rows);
	*n = k;
	return v;
}

static void count_text(char *buf, size_t size, uint64_t v, bool approx)
{
	snprintf(buf, size, "%" PRIu64 "%s", v, approx ? "+" : "");
}

/* ---- patterns --------------------------------------------------------------- */

enum pattern_kind { PAT_SERVER_FAILING, PAT_CERTS, PAT_FALLBACK, PAT_BEGAN_SNI, PAT_BEGAN_SERVER };

struct pattern {
	enum pattern_kind kind;
	uint64_t weight; /* for ordering: connections concerned */
	uint32_t sni;
	const struct srv_entry *se;
	const struct cli_entry *ce;
	uint64_t n_clients; /* PAT_FALLBACK: how many did it */
};

static const char *vname(uint16_t v)
{
	const char *n = tlsd_name_version(v);

	return n ? n : "?";
}

/* (1 - ok/(ok+fail))^n * servers < 0.05: this many failures in a row on one
 * address is not what the SNI's overall failure rate would give by chance. */
static bool unlikely_by_chance(uint64_t ok, uint64_t fail, uint64_t n, uint64_t servers)
{
	double p = (double)fail / (double)(ok + fail), prob = 1;

	for (uint64_t i = 0; i < n && prob > 1e-12; i++)
		prob *= p;
	return prob * (double)(servers ? servers : 1) < 0.05;
}

/* All n_fail failures after all n_ok successes has probability
 * 1 / C(n_ok + n_fail, n_fail) when the order is chance; with `tested`
 * candidates, keep it below 0.05 overall. */
static bool switch_not_chance(uint64_t n_ok, uint64_t n_fail, uint64_t tested)
{
	double c = 1;

	if (n_ok < 2 || n_fail < 2)
		return false;
	for (uint64_t i = 1; i <= n_fail && c < 1e12; i++)
		c = c * (double)(n_ok + i) / (double)i;
	return (double)(tested ? tested : 1) / c < 0.05;
}

static int cmp_patterns(const void *a, const void *b)
{
	const struct pattern *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->sni < y->sni ? -1 : x->sni > y->sni;
}

/* All patterns, sorted by kind then weight. Caller frees. */
static struct pattern *find_patterns(const struct tlsd_group *g, size_t *n_out)
{
	size_t n = 0, cap = 16;
	struct pattern *v = malloc(cap * sizeof(*v));
	struct pattern fb = {PAT_FALLBACK, 0, 0, NULL, NULL, 0};

	*n_out = 0;
	if (!v)
		return NULL;
#define PUSH(p_)                                                                         \
	do {                                                                             \
		if (n == cap) {                                                          \
			struct pattern *nv_ = realloc(v, 2 * cap * sizeof(*v));          \
			if (!nv_)                                                        \
				goto out;                                                \
			v = nv_;                                                         \
			cap *= 2;                                                        \
		}                                                                        \
		v[n++] = (p_);                                                           \
	} while (0)
	for (uint32_t i = 0; i < g->snis.n && i < g->sni_stats_cap; i++) {
		const struct sni_stats *ss = &g->sni_stats[i];

		if (ss->n_fps > 1)
			PUSH(((struct pattern){PAT_CERTS, ss->ok + ss->fail, i, NULL, NULL, 0}));
		/* A name-wide switch, seen on at least one server that did both
		 * (not servers configured differently all along). */
		if (ss->ok_last < ss->fail_first && ss->mixed_servers &&
		    switch_not_chance(ss->ok, ss->fail, g->snis.n))
			PUSH(((struct pattern){PAT_BEGAN_SNI, ss->fail, i, NULL, NULL, 0}));
	}
	for (uint32_t i = 0; i < g->servers.n_slots; i++) {
		const struct srv_entry *se = (const struct srv_entry *)otab_at(&g->servers, i);
		const struct sni_stats *ss;

		if (!se->s.used || se->sni >= g->sni_stats_cap)
			continue;
		ss = &g->sni_stats[se->sni];
		if (se->ok == 0 && se->fail >= 3 && ss->ok > 0 && ss->servers > 1 &&
		    unlikely_by_chance(ss->ok, ss->fail, se->fail, ss->servers))
			PUSH(((struct pattern){PAT_SERVER_FAILING, se->fail, se->sni, se, NULL, 0}));
		if (se->ok_last < se->fail_first && switch_not_chance(se->ok, se->fail, ss->servers) &&
		    !(ss->ok_last < ss->fail_first && switch_not_chance(ss->ok, ss->fail, g->snis.n)))
			PUSH(((struct pattern){PAT_BEGAN_SERVER, se->fail, se->sni, se, NULL, 0}));
	}
	for (uint32_t i = 0; i < g->clients.n_slots; i++) {
		const struct cli_entry *ce = (const struct cli_entry *)otab_at(&g->clients, i);

		if (!ce->s.used || !ce->fail_v || ce->low_v >= ce->fail_v ||
		    ce->low_v_ts <= ce->fail_v_ts)
			continue;
		fb.n_clients++;
		if (!fb.ce || ce->fail_v_ts < fb.ce->fail_v_ts)
			fb.ce = ce;
	}
	if (fb.n_clients) {
		fb.weight = fb.n_clients;
		fb.sni = fb.ce->sni;
		PUSH(fb);
	}
#undef PUSH
out:
	qsort(v, n, sizeof(*v), cmp_patterns);
	*n_out = n;
	return v;
}

static void pattern_text(const struct tlsd_group *g, FILE *out, const struct pattern *p,
			 const struct tlsd_group_opts *o)
{
	char sni[80], srv[64], t1[TLSD_TIME_STR_LEN], t2[TLSD_TIME_STR_LEN], ip[64];
	const struct sni_stats *ss = p->sni < g->sni_stats_cap ? &g->sni_stats[p->sni] : NULL;

	if (!ss) /* every pattern is about a name with statistics */
		return;
	sni_text(g, p->sni, sni, sizeof(sni), 60);
	switch (p->kind) {
	case PAT_SERVER_FAILING:
		endpoint_text(srv, sizeof(srv), &p->se->server, p->se->ipv);
		fprintf(out, "  server %s failed all %" PRIu64 " handshakes for %s, while the other %" PRIu64
			" address%s for it succeeded %" PRIu64 " of %" PRIu64 "\n",
			srv, p->se->fail, sni, ss->servers - 1, ss->servers == 2 ? "" : "es", ss->ok,
			ss->ok + ss->fail - p->se->fail);
		break;
	case PAT_CERTS:
		fprintf(out, "  %s answered with %u%s certificates (sha256):", sni, ss->n_fps,
			ss->fps_overflow ? "+" : "");
		for (unsigned i = 0; i < ss->n_fps && i < 3; i++)
			fprintf(out, "%s %.8s %" PRIu64 " ok/%" PRIu64 " failed", i ? "," : "",
				ss->fps[i].sha, ss->fps[i].ok, ss->fps[i].fail);
		if (ss->n_fps > 3)
			fprintf(out, " and %u more", (unsigned)ss->n_fps - 3u);
		fputc('\n', out);
		break;
	case PAT_FALLBACK:
		tlsd_addr_str(&p->ce->client, p->ce->ipv, ip, sizeof(ip));
		short_time(t1, sizeof(t1), p->ce->fail_v_ts, o);
		short_time(t2, sizeof(t2), p->ce->low_v_ts, o);
		fprintf(out, "  %" PRIu64 " client%s retried with a lower TLS version after a failure,"
			" e.g. %s for %s: %s failed at %s, %s at %s %s\n",
			p->n_clients, p->n_clients == 1 ? "" : "s", ip, sni, vname(p->ce->fail_v), t1,
			vname(p->ce->low_v), t2, p->ce->low_v_ok ? "succeeded" : "failed too");
		break;
	case PAT_BEGAN_SNI:
		short_time(t1, sizeof(t1), ss->fail_first, o);
		short_time(t2, sizeof(t2), ss->ok_last, o);
		fprintf(out, "  failures for %s began at %s: %" PRIu64 " handshakes succeeded until %s,"
			" all %" PRIu64 " since failed\n", sni, t1, ss->ok, t2, ss->fail);
		break;
	case PAT_BEGAN_SERVER:
	default:
		endpoint_text(srv, sizeof(srv), &p->se->server, p->se->ipv);
		short_time(t1, sizeof(t1), p->se->fail_first, o);
		short_time(t2, sizeof(t2), p->se->ok_last, o);
		fprintf(out, "  failures for %s on %s began at %s: %" PRIu64 " handshakes succeeded"
			" until %s, all %" PRIu64 " since failed\n",
			sni, srv, t1, p->se->ok, t2, p->se->fail);
		break;
	}
}

unsigned tlsd_group_patterns_text(const struct tlsd_group *g, FILE *out,
				  const struct tlsd_group_opts *o)
{
	size_t n;
	struct pattern *v = find_patterns(g, &n);
	unsigned lines = 0;

	if (n) {
		fputs("Patterns:\n", out);
		lines++;
	}
	for (size_t i = 0; i < n; i++) {
		if (i == MAX_PATTERN_LINES - 1 && n > MAX_PATTERN_LINES) {
			fprintf(out, "  ... %zu more (--group -T json lists every pattern)\n", n - i);
			lines++;
			break;
		}
		pattern_text(g, out, &v[i], o);
		lines++;
	}
	free(v);
	return lines;
}

/* ---- the grouped view ------------------------------------------------------ */

struct cols {
	size_t cause, sni, server;
};

static void row_cells(const struct tlsd_group *g, const struct grp *e, char cause[80],
		      char sni[80], char server[64])
{
	cause_conf_text(g, e, cause, 80);
	if (e->k.level == 2 && distinct_count(e, D_SNIS) != 1)
		snprintf(sni, 80, "%" PRIu64 "%s names", distinct_count(e, D_SNIS),
			 distinct_approx(e, D_SNIS) ? "+" : "");
	else if (e->k.level == 2)
		sni_text(g, e->ex_sni, sni, 80, 40);
	else
		sni_text(g, e->k.sni, sni, 80, 40);
	if (e->k.level >= 1 && distinct_count(e, D_SERVERS) != 1)
		snprintf(server, 64, "%" PRIu64 "%s servers", distinct_count(e, D_SERVERS),
			 distinct_approx(e, D_SERVERS) ? "+" : "");
	else
		endpoint_text(server, 64, &e->ex_server, e->ex_ipv);
}

static void example_line(FILE *out, const struct grp *e, const struct tlsd_group_opts *o)
{
	char cl[64], sv[64], t[TLSD_TIME_STR_LEN], buf[24];

	endpoint_text(cl, sizeof(cl), &e->ex_client, e->ex_ipv);
	endpoint_text(sv, sizeof(sv), &e->ex_server, e->ex_ipv);
	short_time(t, sizeof(t), e->first, o);
	fprintf(out, "      e.g. %s -> %s at %s", cl, sv, t);
	if (e->ex_has_alert && e->ex_alert_enc)
		fprintf(out, ", %s sent an encrypted alert", tlsd_party_name(e->ex_alert_sender));
	else if (e->ex_has_alert)
		fprintf(out, ", %s alert %s(%u)", tlsd_party_name(e->ex_alert_sender),
			tlsd_name_alert_or_code(e->ex_alert_code, buf, sizeof(buf)), e->ex_alert_code);
	if (e->ex_id[0])
		fprintf(out, ", %s", e->ex_id);
	fputc('\n', out);
}

unsigned tlsd_group_text(const struct tlsd_group *g, FILE *out, const struct tlsd_group_opts *o)
{
	unsigned max_rows = o->max_rows ? o->max_rows : TLSD_GROUP_DEFAULT_ROWS, lines = 0;
	int level = 2;
	uint32_t n = 0;
	const struct grp **rows;
	struct cols w = {5, 3, 6};
	char t1[TLSD_TIME_STR_LEN], t2[TLSD_TIME_STR_LEN], zone[TLSD_TIME_STR_LEN];
	uint64_t shown = 0;
	const char *bold = o->color ? "\033[1m" : "", *off = o->color ? "\033[0m" : "";

	for (int l = 0; l < LEVELS; l++) {
		if (g->levels[l].n_used <= max_rows) {
			level = l;
			break;
		}
	}
	rows = sorted_rows(&g->levels[level], &n);
	fprintf(out, "%sGrouped view%s: %" PRIu64 " failed or incomplete of %" PRIu64
		" TLS connections in %" PRIu32 " kind%s",
		bold, off, g->failures, g->total, g->levels[level].n_used,
		g->levels[level].n_used == 1 ? "" : "s");
	if (g->failures) {
		/* "2024-01-01 00:00:00.000 to 00:00:00.492 UTC" */
		char *sp;

		tlsd_format_time(zone, sizeof(zone), g->fail_first, o->time_fmt, o->time_origin);
		short_time(t1, sizeof(t1), g->fail_first, o);
		short_time(t2, sizeof(t2), g->fail_last, o);
		sp = strchr(zone, ' ');
		if (sp && (o->time_fmt == TLSD_TIME_UTC_DATE || o->time_fmt == TLSD_TIME_LOCAL_DATE))
			fprintf(out, ", started %.*s %s to %s%s", (int)(sp - zone), zone, t1, t2,
				strchr(sp + 1, ' ') ? strchr(sp + 1, ' ') : "");
		else
			fprintf(out, ", started %s to %s%s", t1, t2, sp ? sp : "");
	}
	fputs("\n  (every connection: --no-group or -T line; folded by", out);
	fputs(level == 0 ? " step, cause, SNI and server)\n"
	      : level == 1 ? " step, cause and SNI)\n"
			   : " step and cause)\n", out);
	lines += 2;
	for (uint32_t i = 0; i < n && i < max_rows; i++) {
		char cause[80], sni[80], server[64];

		row_cells(g, rows[i], cause, sni, server);
		w.cause = TLSD_MAX(w.cause, strlen(cause));
		w.sni = TLSD_MAX(w.sni, strlen(sni));
		w.server = TLSD_MAX(w.server, strlen(server));
	}
	if (n) {
		fprintf(out, "  %7s %7s  %-12s  %-*s  %-*s  %-*s  %-12s  %s\n", "COUNT", "CLIENTS",
			"STEP", (int)w.cause, "CAUSE", (int)w.sni, "SNI", (int)w.server, "SERVER",
			"FIRST", "LAST");
		lines++;
	}
	for (uint32_t i = 0; i < n && i < max_rows; i++) {
		const struct grp *e = rows[i];
		char cause[80], sni[80], server[64], cnt[24], cl[24];
		const char *step = e->k.outcome == TLSD_OUTCOME_INCOMPLETE
					   ? "incomplete"
					   : tlsd_step_name((enum tlsd_step)e->k.step);

		if (i == max_rows - 1 && n > max_rows)
			break;
		row_cells(g, e, cause, sni, server);
		count_text(cnt, sizeof(cnt), e->count, false);
		count_text(cl, sizeof(cl), distinct_count(e, D_CLIENTS),
			   distinct_approx(e, D_CLIENTS));
		short_time(t1, sizeof(t1), e->first, o);
		short_time(t2, sizeof(t2), e->last, o);
		fprintf(out, "  %7s %7s  %-12s  %-*s  %-*s  %-*s  %-12s  %s\n", cnt, cl,
			step ? step : "-", (int)w.cause, cause, (int)w.sni, sni, (int)w.server,
			server, t1, t2);
		example_line(out, e, o);
		lines += 2;
		shown += e->count;
	}
	if (n > max_rows) {
		fprintf(out, "  ... %" PRIu32 " more kinds, %" PRIu64
			" connections (-v shows every kind; -T json --group lists them)\n",
			n - (max_rows - 1), g->failures - shown);
		lines++;
	}
	if (g->dropped) {
		fprintf(out, "  (%" PRIu64 " failures not grouped: too many kinds)\n", g->dropped);
		lines++;
	}
	free(rows);
	lines += tlsd_group_patterns_text(g, out, o);
	return lines;
}

/* ---- JSON ------------------------------------------------------------------- */

static void json_sni(FILE *out, const struct tlsd_group *g, uint32_t sni)
{
	size_t len;
	const uint8_t *p;

	if (sni == NO_SNI || sni == SNI_OTHER) {
		fputs("null", out);
		return;
	}
	p = istr_get(&g->snis, sni, &len);
	tlsd_json_string(out, p, len);
}

static void pattern_json(const struct tlsd_group *g, FILE *out, const struct pattern *p)
{
	const struct sni_stats *ss = p->sni < g->sni_stats_cap ? &g->sni_stats[p->sni] : NULL;
	char ip[64];

	if (!ss)
		return;
	fprintf(out, "{\"type\":\"pattern\",\"schema_version\":%d,\"pattern\":", TLSD_JSON_SCHEMA_VERSION);
	switch (p->kind) {
	case PAT_SERVER_FAILING:
		fputs("\"server_failing\",\"sni\":", out);
		json_sni(out, g, p->sni);
		fputs(",\"server\":", out);
		tlsd_json_endpoint(out, &p->se->server, p->se->ipv);
		fprintf(out, ",\"failed\":%" PRIu64 ",\"other_servers\":%" PRIu64
			",\"other_established\":%" PRIu64 ",\"other_failed\":%" PRIu64,
			p->se->fail, ss->servers - 1, ss->ok, ss->fail - p->se->fail);
		break;
	case PAT_CERTS:
		fputs("\"certificates\",\"sni\":", out);
		json_sni(out, g, p->sni);
		fputs(",\"certificates\":[", out);
		for (unsigned i = 0; i < ss->n_fps; i++)
			fprintf(out, "%s{\"sha256\":\"%s\",\"established\":%" PRIu64 ",\"failed\":%" PRIu64 "}",
				i ? "," : "", ss->fps[i].sha, ss->fps[i].ok, ss->fps[i].fail);
		fprintf(out, "],\"more\":%s", ss->fps_overflow ? "true" : "false");
		break;
	case PAT_FALLBACK:
		fputs("\"version_fallback\",\"sni\":", out);
		json_sni(out, g, p->sni);
		fprintf(out, ",\"clients\":%" PRIu64 ",\"example\":{\"client\":\"%s\",\"failed_version\":\"%s\","
			"\"failed_at\":", p->n_clients,
			tlsd_addr_str(&p->ce->client, p->ce->ipv, ip, sizeof(ip)), vname(p->ce->fail_v));
		tlsd_json_time(out, p->ce->fail_v_ts);
		fprintf(out, ",\"retry_version\":\"%s\",\"retry_at\":", vname(p->ce->low_v));
		tlsd_json_time(out, p->ce->low_v_ts);
		fprintf(out, ",\"retry_established\":%s}", p->ce->low_v_ok ? "true" : "false");
		break;
	case PAT_BEGAN_SNI:
	case PAT_BEGAN_SERVER:
	default:
		fputs("\"failures_began\",\"sni\":", out);
		json_sni(out, g, p->sni);
		fputs(",\"server\":", out);
		if (p->kind == PAT_BEGAN_SERVER)
			tlsd_json_endpoint(out, &p->se->server, p->se->ipv);
		else
			fputs("null", out);
		fputs(",\"began\":", out);
		tlsd_json_time(out, p->kind == PAT_BEGAN_SERVER ? p->se->fail_first : ss->fail_first);
		fputs(",\"last_success\":", out);
		tlsd_json_time(out, p->kind == PAT_BEGAN_SERVER ? p->se->ok_last : ss->ok_last);
		fprintf(out, ",\"established_before\":%" PRIu64 ",\"failed_since\":%" PRIu64,
			p->kind == PAT_BEGAN_SERVER ? p->se->ok : ss->ok,
			p->kind == PAT_BEGAN_SERVER ? p->se->fail : ss->fail);
		break;
	}
	fputs("}\n", out);
}

void tlsd_group_json(const struct tlsd_group *g, FILE *out)
{
	uint32_t n;
	const struct grp **rows = sorted_rows(&g->levels[0], &n);
	size_t np;
	struct pattern *pats;

	for (uint32_t i = 0; i < n; i++) {
		const struct grp *e = rows[i];
		char cause[TLSD_DIAG_CODE_LEN + 2];

		fprintf(out, "{\"type\":\"group\",\"schema_version\":%d,\"outcome\":\"%s\","
			"\"transport\":\"%s\",\"failed_step\":",
			TLSD_JSON_SCHEMA_VERSION, tlsd_outcome_name((enum tlsd_outcome)e->k.outcome),
			tlsd_transport_name((enum tlsd_transport)e->k.transport));
		if (tlsd_step_name((enum tlsd_step)e->k.step))
			fprintf(out, "\"%s\"", tlsd_step_name((enum tlsd_step)e->k.step));
		else
			fputs("null", out);
		fputs(",\"cause\":", out);
		if (e->k.cause == UINT32_MAX) {
			fputs("null", out);
		} else {
			cause_text(g, e, cause, sizeof(cause));
			tlsd_json_string(out, (const uint8_t *)cause, strlen(cause));
		}
		fputs(",\"sni\":", out);
		json_sni(out, g, e->k.sni);
		fputs(",\"server\":", out);
		tlsd_json_endpoint(out, &e->k.server, e->k.ipv);
		fprintf(out, ",\"count\":%" PRIu64 ",\"clients\":%" PRIu64 ",\"clients_approximate\":%s,"
			"\"first\":", e->count, distinct_count(e, D_CLIENTS),
			distinct_approx(e, D_CLIENTS) ? "true" : "false");
		tlsd_json_time(out, e->first);
		fputs(",\"last\":", out);
		tlsd_json_time(out, e->last);
		fputs(",\"example\":{\"id\":", out);
		if (e->ex_id[0])
			fprintf(out, "\"%s\"", e->ex_id);
		else
			fputs("null", out);
		fputs(",\"client\":", out);
		tlsd_json_endpoint(out, &e->ex_client, e->ex_ipv);
		fprintf(out, ",\"ts\":");
		tlsd_json_time(out, e->first);
		fprintf(out, ",\"confidence\":\"%s\"}}\n", tlsd_confidence_name(e->ex_conf));
	}
	free(rows);
	pats = find_patterns(g, &np);
	for (size_t i = 0; i < np; i++)
		pattern_json(g, out, &pats[i]);
	free(pats);
}
