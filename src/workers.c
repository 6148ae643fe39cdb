/* TCP analysis on several threads: the reader's share inline, batches out to
 * the worker threads, finished connections back. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "tlsd/workers.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tlsd/flow_table.h"

#define BATCH_EVENTS 1024u
#define BATCH_ARENA (512u * 1024u) /* > a 256 KiB frame + its 64 KiB payload + a comment */
#define PUSH_EVERY 64u             /* finished connections handed over at once */

enum ev_kind {
	EV_FRAME = 0, /* the clock moves */
	EV_TCP,       /* ... and idle connections end: a TCP segment, pkt (0: the
		       * reader's share has it) for worker `worker` */
	EV_TICK,      /* live: the clock moves to ts; idle connections end */
	EV_FINISH,    /* end of input */
	EV_RESTART,   /* the capture clock restarts at ts: open connections end */
};

struct ev {
	tlsd_time_ns ts;
	uint64_t frame_no;
	uint64_t event;
	uint32_t pkt; /* index + 1 into pkts; 0: no segment for a worker thread */
	uint16_t worker;
	uint8_t kind;
	bool live;
};

struct batch {
	struct ev ev[BATCH_EVENTS];
	struct tlsd_pkt pkts[BATCH_EVENTS];
	struct tlsd_frame frames[BATCH_EVENTS];
	uint32_t n_ev, n_pkts;
	size_t used;
	int64_t born; /* monotonic ns of its first event */
	uint8_t arena[BATCH_ARENA];
};

/* Share idx of the TCP connections: 0 is the reader's own, analysed on
 * the reader thread as each frame comes (no thread, no batches, no locks:
 * only its ctx, mux, flows, event and stream are used); 1.. have a thread. */
struct worker {
	struct tlsd_workers *w;
	unsigned idx;
	pthread_t th;
	bool started;
	struct tlsd_ctx ctx;
	struct tlsd_cert_checks certs;
	struct tlsd_conn_cfg cfg;
	struct tlsd_conn_mux *mux;
	struct tlsd_flow_table *flows;
	uint64_t event;  /* being processed (worker thread) */
	struct tlsd_merge_stream out; /* ended here, not yet handed over (worker thread) */
	/* Under w->lock: */
	pthread_cond_t cv;      /* a batch to read, or room for output */
	bool wants_room;        /* waits for room for output, not for a batch: each
				 * is signalled only when it can go on (a woken
				 * worker that sleeps again costs both cores a
				 * context switch, an IPI on a VM) */
	uint64_t done;          /* batches finished */
	uint64_t watermark;     /* every connection of events up to here handed over */
	struct tlsd_merge_stream handed; /* handed over, not yet taken by the merger */
	uint64_t pushed;        /* connections handed over */
	uint64_t emitted;       /* of which the merger emitted */
	struct tlsd_conn_done *freed; /* emitted, to be released here (under w->lock) */
	/* The reader's (merger's) view of this worker's connections, and
	 * those it emitted, to go back to the worker. */
	struct tlsd_merge_stream stream;
	struct tlsd_conn_done *emitted_list;
};

struct tlsd_workers {
	unsigned n;         /* shares: the reader's and n - 1 threads */
	uint32_t cut;       /* reader_cut(n) */
	struct worker *wk;
	struct tlsd_merge *merge;
	struct tlsd_merge_stream *local;
	struct tlsd_merge_stream **streams; /* wk[i].stream..., local */
	bool keep_frames;
	struct batch *ring[TLSD_WORKERS_BATCHES];
	struct batch *cur;  /* being filled (reader), ring[pushed % N] */
	pthread_mutex_t lock;
	pthread_cond_t reader_cv; /* workers made progress */
	uint64_t pushed;          /* batches handed over */
	uint64_t progress;        /* bumped by workers on any change */
	bool quit;
	/* Reader only: per shared capture buffer, 1 + the number of the last
	 * batch with a segment pointing into it (0: none). */
	uint64_t shared_batch[TLSD_WORKERS_SHARED];
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- dispatch ---- */

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	return x ^ (x >> 33);
}

/* The reader's share of the TCP connections against a worker thread's
 * WORKER_WEIGHT: the reader also reads and decodes every frame, handles
 * UDP, fills the batches and merges and writes the reports, so it takes
 * fewer (1/5 with --threads 2). Measured on the 2-core VM, --threads 2
 * over --threads 1 of the same build, wall, medians of 5 to 9 interleaved
 * pairs, corpus warm in the page cache (2026-12-03): corpus-1g 1.4-1.6x
 * for weights 10 to 30, all within the VM's noise (the reader is the
 * slower thread at every one of them: a third of its time goes to read()
 * copies), 1.34-1.36x at 35; flows-1m (1 M short connections, more
 * analysis per byte) 1.56-1.59x for 20 to 30, 1.26-1.56x at 15, 1.36x at
 * 35. A fixed split, not one that follows the load: which table has a
 * connection decides how it ends once the tables' limits are reached, so
 * it must not depend on timing. */
#define WORKER_WEIGHT 100u
#define READER_WEIGHT 25u

static uint64_t weight_sum(unsigned n)
{
	return READER_WEIGHT + (uint64_t)WORKER_WEIGHT * (n - 1);
}

/* The high 32 bits of a connection's hash below this: the reader's. */
static uint32_t reader_cut(unsigned n)
{
	return (uint32_t)(((uint64_t)READER_WEIGHT << 32) / weight_sum(n));
}

static uint64_t tuple_hash(const struct tlsd_pkt *pkt)
{
	uint64_t s0, s1, d0, d1, h;

	memcpy(&s0, pkt->src.b, sizeof(s0));
	memcpy(&s1, pkt->src.b + 8, sizeof(s1));
	memcpy(&d0, pkt->dst.b, sizeof(d0));
	memcpy(&d1, pkt->dst.b + 8, sizeof(d1));
	/* Sums: the same for both directions (a collision only shares a
	 * worker). */
	h = (s0 + d0) ^ ((s1 + d1) << 32 | (s1 + d1) >> 32) ^
	    ((uint64_t)((uint32_t)pkt->sport + pkt->dport) << 8) ^
	    ((uint64_t)((uint32_t)pkt->sport * pkt->dport) << 24) ^ pkt->ip_version;
	return mix(h);
}

/* The high half of h picks the reader's share or not, the low half the
 * worker thread among the others (independent bits of one mix; scaled by
 * a multiply, not a division per packet). */
static unsigned pick(uint64_t h, uint32_t cut, unsigned n)
{
	if (n <= 1 || (uint32_t)(h >> 32) < cut)
		return 0;
	return 1 + (unsigned)(((h & UINT32_MAX) * (n - 1)) >> 32);
}

unsigned tlsd_workers_pick(const struct tlsd_pkt *pkt, unsigned n)
{
	return n > 1 ? pick(tuple_hash(pkt), reader_cut(n), n) : 0;
}

__extension__ typedef unsigned __int128 u128;

uint64_t tlsd_workers_part(uint64_t limit, unsigned n, unsigned k)
{
	uint64_t weight = k == 0 ? READER_WEIGHT : WORKER_WEIGHT;

	if (n <= 1)
		return limit;
	return TLSD_MAX((uint64_t)((u128)limit * weight / weight_sum(n)), (uint64_t)1);
}

/* ---- the worker side ---- */

static void release_list(struct tlsd_conn_done *d)
{
	while (d) {
		struct tlsd_conn_done *next = d->next;

		d->producer_release(d);
		d = next;
	}
}

/* Releases what the reader gave back. */
static void release_freed(struct worker *wk)
{
	struct tlsd_conn_done *d;

	pthread_mutex_lock(&wk->w->lock);
	d = wk->freed;
	wk->freed = NULL;
	pthread_mutex_unlock(&wk->w->lock);
	release_list(d);
}

/* Hands the finished connections over, waiting while too many wait, and
 * releases those the reader gave back meanwhile: a long batch (the end of
 * input finishing every open connection) would otherwise hold all of its
 * reports until the next batch, where they can go back to the pools now. */
static void hand_over(struct worker *wk)
{
	struct tlsd_workers *w = wk->w;

	if (!wk->out.head)
		return;
	pthread_mutex_lock(&w->lock);
	while (wk->pushed - wk->emitted >= TLSD_WORKERS_OUTPUT && !w->quit) {
		w->progress++;
		pthread_cond_signal(&w->reader_cv);
		wk->wants_room = true;
		pthread_cond_wait(&wk->cv, &w->lock);
		wk->wants_room = false;
	}
	while (wk->out.head) {
		struct tlsd_conn_done *d = wk->out.head;

		wk->out.head = d->next;
		tlsd_merge_stream_push(&wk->handed, d);
		wk->pushed++;
	}
	wk->out.tail = NULL;
	wk->out.queued = 0;
	w->progress++;
	pthread_cond_signal(&w->reader_cv);
	pthread_mutex_unlock(&w->lock);
	release_freed(wk);
}

/* Emitted connections are released by the worker that made them: their
 * memory goes back to its own malloc arena, never freed across threads. */
static void give_back(struct tlsd_conn_done *d)
{
	struct worker *wk = d->sink_ud;

	d->next = wk->emitted_list; /* reader thread: merge_pass hands them over */
	wk->emitted_list = d;
}

static void take(void *ud, struct tlsd_conn_done *d)
{
	struct worker *wk = ud;

	d->producer_release = d->release;
	d->release = give_back;
	d->sink_ud = wk;
	d->event = wk->event;
	tlsd_merge_stream_push(&wk->out, d);
	if (wk->out.queued >= PUSH_EVERY)
		hand_over(wk);
}

/* The reader's share: its connections go straight into its stream, in
 * order, and are released where they were made, on the reader thread. */
static void take_reader(void *ud, struct tlsd_conn_done *d)
{
	struct worker *wk = ud;

	d->event = wk->event;
	tlsd_merge_stream_push(&wk->stream, d);
}

/* One event in share wk: pkt is its TCP segment, if wk has it. Every share
 * moves its clock with every event and expires its idle connections at
 * every TCP segment, whoever has it, as a single table does (workers.h). */
static void run_event(struct worker *wk, const struct ev *e, const struct tlsd_pkt *pkt)
{
	wk->event = e->event;
	if (e->kind == EV_FINISH) {
		tlsd_flow_table_finish(wk->flows);
		return;
	}
	wk->ctx.frame_no = e->frame_no;
	if (e->kind == EV_RESTART) { /* as analyzer.c does without threads */
		tlsd_flow_table_finish(wk->flows);
		tlsd_ctx_restart(&wk->ctx, e->ts);
		return;
	}
	tlsd_ctx_advance(&wk->ctx, e->ts, e->live);
	if (pkt)
		tlsd_flow_table_packet(wk->flows, pkt);
	else if (e->kind == EV_TCP || e->kind == EV_TICK)
		tlsd_flow_table_expire(wk->flows); /* as _packet does first */
}

static void run_batch(struct worker *wk, const struct batch *b)
{
	for (uint32_t i = 0; i < b->n_ev; i++) {
		const struct ev *e = &b->ev[i];

		run_event(wk, e, e->pkt && e->worker == wk->idx ? &b->pkts[e->pkt - 1] : NULL);
	}
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct tlsd_workers *w = wk->w;
	char name[16];

	/* Named for top -H, perf and gdb: "tlsd-worker0"... */
	snprintf(name, sizeof(name), "tlsd-worker%u", wk->idx % 100u);
	(void)pthread_setname_np(pthread_self(), name);
	for (;;) {
		struct batch *b;

		pthread_mutex_lock(&w->lock);
		while (wk->done == w->pushed && !w->quit)
			pthread_cond_wait(&wk->cv, &w->lock);
		if (wk->done == w->pushed) { /* quit, nothing left */
			pthread_mutex_unlock(&w->lock);
			return NULL;
		}
		b = w->ring[wk->done % TLSD_WORKERS_BATCHES];
		pthread_mutex_unlock(&w->lock);

		release_freed(wk);
		run_batch(wk, b);
		hand_over(wk);

		pthread_mutex_lock(&w->lock);
		wk->done++;
		wk->watermark = b->ev[b->n_ev - 1].event;
		w->progress++;
		pthread_cond_signal(&w->reader_cv);
		pthread_mutex_unlock(&w->lock);
	}
}

/* ---- the reader side ---- */

/* Takes what the workers handed over and emits what can be emitted. */
static void merge_pass(struct tlsd_workers *w)
{
	pthread_mutex_lock(&w->lock);
	for (unsigned i = 1; i < w->n; i++) {
		struct worker *wk = &w->wk[i];

		while (wk->handed.head) {
			struct tlsd_conn_done *d = wk->handed.head;

			wk->handed.head = d->next;
			tlsd_merge_stream_push(&wk->stream, d);
		}
		wk->handed.tail = NULL;
		wk->handed.queued = 0;
		wk->stream.watermark = wk->watermark;
	}
	pthread_mutex_unlock(&w->lock);

	if (tlsd_merge_run(w->merge, w->streams, w->n + 1) == 0)
		return;
	pthread_mutex_lock(&w->lock);
	for (unsigned i = 1; i < w->n; i++) {
		struct worker *wk = &w->wk[i];

		while (wk->emitted_list) {
			struct tlsd_conn_done *d = wk->emitted_list;

			wk->emitted_list = d->next;
			d->next = wk->freed;
			wk->freed = d;
		}
		if (wk->emitted != wk->stream.emitted) {
			wk->emitted = wk->stream.emitted;
			if (wk->wants_room && wk->pushed - wk->emitted < TLSD_WORKERS_OUTPUT)
				pthread_cond_signal(&wk->cv);
		}
	}
	pthread_mutex_unlock(&w->lock);
}

static uint64_t slowest(const struct tlsd_workers *w)
{
	uint64_t m = UINT64_MAX;

	for (unsigned i = 1; i < w->n; i++)
		m = TLSD_MIN(m, w->wk[i].done);
	return m;
}

/* Merges until the workers are within `behind` batches of the reader. */
static void wait_workers(struct tlsd_workers *w, uint64_t behind)
{
	for (;;) {
		uint64_t seen;

		pthread_mutex_lock(&w->lock);
		seen = w->progress;
		pthread_mutex_unlock(&w->lock);
		merge_pass(w);
		pthread_mutex_lock(&w->lock);
		if (w->pushed - slowest(w) <= behind) {
			pthread_mutex_unlock(&w->lock);
			return;
		}
		if (w->progress == seen)
			pthread_cond_wait(&w->reader_cv, &w->lock);
		pthread_mutex_unlock(&w->lock);
	}
}

/* Hands the batch being filled to every worker. */
static void flush(struct tlsd_workers *w)
{
	if (!w->cur || w->cur->n_ev == 0)
		return;
	pthread_mutex_lock(&w->lock);
	w->pushed++;
	for (unsigned i = 1; i < w->n; i++)
		if (!w->wk[i].wants_room)
			pthread_cond_signal(&w->wk[i].cv);
	pthread_mutex_unlock(&w->lock);
	w->cur = NULL;
	merge_pass(w);
}

/* The batch to fill, with room for an event and `need` bytes. NULL only
 * when no memory could be had for a new one. */
static struct batch *room(struct tlsd_workers *w, size_t need)
{
	struct batch *b = w->cur;

	if (b && b->n_ev < BATCH_EVENTS && b->used + need <= BATCH_ARENA)
		return b;
	flush(w);
	/* The slot of the next batch is free once every worker is past it. */
	wait_workers(w, TLSD_WORKERS_BATCHES - 1);
	b = w->ring[w->pushed % TLSD_WORKERS_BATCHES];
	if (!b) {
		b = malloc(sizeof(*b));
		if (!b)
			return NULL;
		w->ring[w->pushed % TLSD_WORKERS_BATCHES] = b;
	}
	b->n_ev = 0;
	b->n_pkts = 0;
	b->used = 0;
	b->born = mono_ns();
	w->cur = b;
	return b;
}

static const void *copy_in(struct batch *b, const void *p, size_t len)
{
	uint8_t *dst = b->arena + b->used;

	if (!p || !len)
		return NULL;
	memcpy(dst, p, len);
	b->used += len;
	return dst;
}

static size_t iface_len(const struct tlsd_frame *fr)
{
	return fr->iface ? strnlen(fr->iface, 255) + 1 : 0;
}

/* The segment's frame lies in a shared capture buffer, and its payload in
 * the frame (not in a reassembled IP datagram): workers can read both
 * where they are. */
static bool in_shared(const struct tlsd_pkt *pkt)
{
	const struct tlsd_frame *fr = pkt->frame;
	uintptr_t lo, hi, p;

	if (!fr || fr->shared_buffer == 0 || fr->shared_buffer > TLSD_WORKERS_SHARED || !fr->data)
		return false;
	if (pkt->payload_len == 0)
		return true;
	lo = (uintptr_t)fr->data;
	hi = lo + fr->caplen;
	p = (uintptr_t)pkt->payload;
	return p >= lo && p <= hi && pkt->payload_len <= hi - p;
}

/* The TCP segment in b: the payload and what conn.c reads of the frame
 * (its bytes only for -w), copied unless they lie in a shared capture
 * buffer, which then is not reused before the workers are past b. */
static uint32_t add_segment(struct tlsd_workers *w, struct batch *b, const struct tlsd_pkt *pkt,
			    bool shared)
{
	struct tlsd_pkt *q = &b->pkts[b->n_pkts];
	struct tlsd_frame *fr = &b->frames[b->n_pkts];
	const struct tlsd_frame *src = pkt->frame;

	*q = *pkt;
	if (shared) {
		w->shared_batch[src->shared_buffer - 1] = w->pushed + 1;
		q->payload = pkt->payload_len ? pkt->payload : NULL;
	} else {
		q->payload = copy_in(b, pkt->payload, pkt->payload_len);
	}
	if (src) {
		size_t il = iface_len(src);
		char *name = (char *)b->arena + b->used;

		*fr = *src;
		fr->data = !w->keep_frames ? NULL
			   : shared        ? src->data
					   : copy_in(b, src->data, src->caplen);
		fr->comment = copy_in(b, src->comment, src->comment_len);
		fr->iface = NULL;
		if (il) {
			memcpy(name, src->iface, il - 1);
			name[il - 1] = '\0';
			b->used += il;
			fr->iface = name;
		}
		q->frame = fr;
	}
	return ++b->n_pkts;
}

/* Event e into the batch for the worker threads, with tcp, the segment
 * of worker e->worker (NULL: the reader's share has it, or none). */
static void add_event(struct tlsd_workers *w, const struct ev *e, const struct tlsd_pkt *tcp)
{
	size_t need = 0;
	bool shared = tcp && in_shared(tcp);
	struct batch *b;
	struct ev *q;

	if (tcp) {
		need = shared ? 0 : tcp->payload_len;
		if (tcp->frame)
			need += (w->keep_frames && !shared ? tcp->frame->caplen : 0) +
				tcp->frame->comment_len + iface_len(tcp->frame);
	}
	b = room(w, need);
	if (!b)
		return; /* no memory for a batch: the event is lost to the workers */
	q = &b->ev[b->n_ev++];
	*q = *e;
	if (tcp)
		q->pkt = add_segment(w, b, tcp, shared);
}

/* Event e for every share: into the batch, and now in the reader's. */
static void dispatch(struct tlsd_workers *w, struct ev *e, const struct tlsd_pkt *tcp)
{
	struct worker *own = &w->wk[0];

	if (tcp)
		e->worker = (uint16_t)pick(tuple_hash(tcp), w->cut, w->n);
	add_event(w, e, tcp && e->worker != 0 ? tcp : NULL);
	run_event(own, e, tcp && e->worker == 0 ? tcp : NULL);
	own->stream.watermark = e->event;
}

void tlsd_workers_frame(struct tlsd_workers *w, uint64_t event, uint64_t frame_no,
			tlsd_time_ns ts, bool live, const struct tlsd_pkt *tcp)
{
	struct ev e = {.ts = ts, .frame_no = frame_no, .event = event,
		       .kind = (uint8_t)(tcp ? EV_TCP : EV_FRAME), .live = live};

	dispatch(w, &e, tcp);
}

void tlsd_workers_restart(struct tlsd_workers *w, uint64_t event, uint64_t frame_no,
			  tlsd_time_ns ts)
{
	struct ev e = {.ts = ts, .frame_no = frame_no, .event = event, .kind = EV_RESTART};

	dispatch(w, &e, NULL);
}

void tlsd_workers_tick(struct tlsd_workers *w, uint64_t event, uint64_t frame_no, tlsd_time_ns now)
{
	struct ev e = {.ts = now, .frame_no = frame_no, .event = event, .kind = EV_TICK,
		       .live = true};

	dispatch(w, &e, NULL);
}

void tlsd_workers_finish(struct tlsd_workers *w, uint64_t frame_no)
{
	struct ev e = {.frame_no = frame_no, .event = TLSD_MERGE_END, .kind = EV_FINISH};

	dispatch(w, &e, NULL);
}

void tlsd_workers_sync(struct tlsd_workers *w)
{
	flush(w);
	wait_workers(w, 0);
	merge_pass(w);
}

void tlsd_workers_reuse(void *ud, int buffer)
{
	struct tlsd_workers *w = ud;
	uint64_t last;

	if (buffer < 0) {
		tlsd_workers_sync(w);
		memset(w->shared_batch, 0, sizeof(w->shared_batch));
		return;
	}
	if ((unsigned)buffer >= TLSD_WORKERS_SHARED)
		return;
	last = w->shared_batch[buffer];
	if (last == 0)
		return;
	if (w->pushed < last)
		flush(w); /* the batch being filled points into it */
	/* Every worker done with batch number last - 1. */
	wait_workers(w, w->pushed - last);
	w->shared_batch[buffer] = 0;
}

void tlsd_workers_flush_old(struct tlsd_workers *w, int64_t max_age_ns)
{
	if (w->cur && w->cur->n_ev && mono_ns() - w->cur->born > max_age_ns)
		flush(w);
}

void tlsd_workers_add_counters(const struct tlsd_workers *w, struct tlsd_counters *cnt)
{
	for (unsigned i = 0; i < w->n; i++) {
		struct tlsd_counters c = w->wk[i].ctx.cnt;

		/* The reader counts the capture's silences and restarts once. */
		c.silences = 0;
		c.anomalies[TLSD_ANOM_CAPTURE_SILENCE] = 0;
		c.anomalies[TLSD_ANOM_CAPTURE_CLOCK_BACK] = 0;
		tlsd_counters_add(cnt, &c);
	}
}

/* ---- setup ---- */

static int worker_init(struct tlsd_workers *w, struct worker *wk, unsigned idx,
		       const struct tlsd_workers_cfg *c)
{
	const struct tlsd_limits *lim = &c->ctx->lim;

	wk->w = w;
	wk->idx = idx;
	tlsd_ctx_init(&wk->ctx);
	wk->ctx.lim = *lim;
	/* Shared limits, split as the connections are (workers.h). */
	wk->ctx.lim.max_flows = (uint32_t)tlsd_workers_part(lim->max_flows, c->n, idx);
	wk->ctx.lim.reasm_mem = (size_t)tlsd_workers_part(lim->reasm_mem, c->n, idx);
	wk->cfg = *c->conn;
	wk->cfg.take = idx == 0 ? take_reader : take;
	wk->cfg.take_ud = wk;
	if (c->certs) {
		wk->certs = c->certs[idx];
		wk->certs.ctx = &wk->ctx;
		wk->cfg.certs = &wk->certs;
	}
	if (pthread_cond_init(&wk->cv, NULL) != 0)
		return -1;
	wk->mux = tlsd_conn_mux_new(&wk->ctx, &wk->cfg);
	if (wk->mux)
		wk->flows = tlsd_flow_table_new(&wk->ctx, tlsd_conn_mux_ops(), wk->mux);
	if (!wk->flows)
		return -1;
	tlsd_flow_table_share(wk->flows, idx == 0 ? READER_WEIGHT : WORKER_WEIGHT,
			      weight_sum(c->n));
	tlsd_conn_mux_attach(wk->mux, wk->flows);
	return 0;
}

struct tlsd_workers *tlsd_workers_new(const struct tlsd_workers_cfg *c)
{
	struct tlsd_workers *w;
	sigset_t all, old;
	bool ok = true;

	if (c->n < 2 || c->n > TLSD_WORKERS_MAX)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->n = c->n;
	w->cut = reader_cut(c->n);
	w->merge = c->merge;
	w->local = c->local;
	w->keep_frames = c->conn->keep_frames;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->reader_cv, NULL);
	w->wk = calloc(c->n, sizeof(*w->wk));
	w->streams = calloc(c->n + 1, sizeof(*w->streams));
	if (!w->wk || !w->streams) {
		tlsd_workers_free(w);
		return NULL;
	}
	for (unsigned i = 0; i < c->n; i++) {
		if (worker_init(w, &w->wk[i], i, c) != 0) {
			tlsd_workers_free(w);
			return NULL;
		}
		w->streams[i] = &w->wk[i].stream;
	}
	w->streams[c->n] = c->local;
	/* Signals go to the reader (main.c's handler breaks its capture loop):
	 * the workers start with all of them blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (unsigned i = 1; i < c->n && ok; i++) {
		ok = pthread_create(&w->wk[i].th, NULL, worker_main, &w->wk[i]) == 0;
		w->wk[i].started = ok;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!ok) {
		tlsd_workers_free(w);
		return NULL;
	}
	return w;
}

void tlsd_workers_free(struct tlsd_workers *w)
{
	if (!w)
		return;
	if (w->wk) {
		pthread_mutex_lock(&w->lock);
		w->quit = true;
		for (unsigned i = 0; i < w->n; i++)
			if (w->wk[i].started)
				pthread_cond_signal(&w->wk[i].cv);
		pthread_mutex_unlock(&w->lock);
		for (unsigned i = 0; i < w->n; i++) {
			struct worker *wk = &w->wk[i];

			if (wk->started)
				pthread_join(wk->th, NULL);
			tlsd_flow_table_free(wk->flows); /* quit: what ends is released */
			tlsd_conn_mux_free(wk->mux);
			tlsd_merge_stream_drop(&wk->out);
			tlsd_merge_stream_drop(&wk->handed);
			tlsd_merge_stream_drop(&wk->stream);
			release_list(wk->emitted_list);
			release_list(wk->freed);
			if (wk->w)
				pthread_cond_destroy(&wk->cv);
		}
	}
	for (unsigned i = 0; i < TLSD_WORKERS_BATCHES; i++)
		free(w->ring[i]);
	pthread_cond_destroy(&w->reader_cv);
	pthread_mutex_destroy(&w->lock);
	free(w->streams);
	free(w->wk);
	free(w);
}
