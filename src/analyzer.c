/* Pipeline wiring for one run. */
#include "tlsd/analyzer.h"

#include <stdlib.h>

#include "tlsd/decode.h"
#include "tlsd/flow_table.h"
#include "tlsd/keylog.h"
#include "tlsd/merge.h"
#include "tlsd/udp_conn.h"
#include "tlsd/workers.h"

/* A live capture's batch goes to the workers after this long at most. */
#define LIVE_BATCH_AGE_NS (100 * 1000 * 1000)

struct tlsd_analyzer {
	struct tlsd_ctx *ctx;
	struct tlsd_decoder *dec;
	struct tlsd_conn_cfg cfg; /* the caller's sink; take is ours */
	struct tlsd_merge *merge;
	struct tlsd_conn_mux *mux;     /* without workers */
	struct tlsd_flow_table *flows; /* without workers */
	struct tlsd_udp_mux *udp_mux;
	struct tlsd_udp_table *udp;
	struct tlsd_workers *workers;  /* NULL: all TCP here; else its share here, the rest on threads */
	struct tlsd_merge_stream local; /* with workers: UDP's connections, in order */
	struct tlsd_keylog *keylog;    /* with workers: the connections' key log */
	struct tlsd_keylog *secrets;   /* ... and where capture files put theirs */
	uint64_t event;                /* frames and ticks so far (merge.h) */
	uint64_t udp_seq;
	tlsd_time_ns next_frag_expiry;
	bool live; /* packets from an interface: silence is real time */
	bool finished;
};

void tlsd_analyzer_set_live(struct tlsd_analyzer *a, bool live)
{
	a->live = live;
}

/* Without workers the connections end in the output order already. */
static void take_now(void *ud, struct tlsd_conn_done *d)
{
	struct tlsd_analyzer *a = ud;

	d->event = a->event;
	tlsd_merge_emit(a->merge, d);
}

/* With workers, UDP's wait for the TCP connections that come before (the
 * reader's share's too: workers.c merges them as its own stream). */
static void take_local(void *ud, struct tlsd_conn_done *d)
{
	struct tlsd_analyzer *a = ud;

	d->event = a->event;
	d->seq = ++a->udp_seq;
	tlsd_merge_stream_push(&a->local, d);
}

struct tlsd_analyzer *tlsd_analyzer_new_threads(struct tlsd_ctx *ctx,
						const struct tlsd_conn_cfg *cfg, unsigned threads,
						const struct tlsd_cert_checks *worker_certs)
{
	struct tlsd_analyzer *a = calloc(1, sizeof(*a));
	struct tlsd_conn_cfg udp_cfg;

	if (!a)
		return NULL;
	a->ctx = ctx;
	a->cfg = *cfg;
	a->cfg.take = take_now;
	a->cfg.take_ud = a;
	udp_cfg = a->cfg;
	a->dec = tlsd_decoder_new(ctx);
	a->merge = tlsd_merge_new(cfg, &ctx->cnt);
	if (threads > 1 && a->merge) {
		struct tlsd_workers_cfg wc = {
			.n = TLSD_MIN(threads, (unsigned)TLSD_WORKERS_MAX),
			.ctx = ctx,
			.conn = &a->cfg,
			.certs = cfg->certs ? worker_certs : NULL,
			.merge = a->merge,
			.local = &a->local,
		};

		udp_cfg.take = take_local;
		a->secrets = tlsd_keylog_new();
		if (a->secrets)
			a->workers = tlsd_workers_new(&wc);
	} else {
		a->mux = tlsd_conn_mux_new(ctx, &a->cfg);
		if (a->mux)
			a->flows = tlsd_flow_table_new(ctx, tlsd_conn_mux_ops(), a->mux);
	}
	a->udp_mux = tlsd_udp_mux_new(ctx, &udp_cfg);
	if (a->udp_mux)
		a->udp = tlsd_udp_table_new(ctx, tlsd_udp_mux_ops(), a->udp_mux);
	if (!a->dec || !a->merge || !(a->flows || a->workers) || !a->udp) {
		tlsd_analyzer_free(a);
		return NULL;
	}
	if (a->mux)
		tlsd_conn_mux_attach(a->mux, a->flows);
	tlsd_udp_mux_attach(a->udp_mux, a->udp);
	return a;
}

struct tlsd_analyzer *tlsd_analyzer_new(struct tlsd_ctx *ctx, const struct tlsd_conn_cfg *cfg)
{
	return tlsd_analyzer_new_threads(ctx, cfg, 1, NULL);
}

void tlsd_analyzer_free(struct tlsd_analyzer *a)
{
	if (!a)
		return;
	tlsd_workers_free(a->workers);
	tlsd_flow_table_free(a->flows);
	tlsd_conn_mux_free(a->mux);
	tlsd_udp_table_free(a->udp);
	tlsd_udp_mux_free(a->udp_mux);
	tlsd_merge_stream_drop(&a->local);
	tlsd_merge_free(a->merge);
	tlsd_decoder_free(a->dec);
	tlsd_keylog_free(a->secrets);
	free(a);
}

struct tlsd_keylog *tlsd_analyzer_secrets(struct tlsd_analyzer *a, struct tlsd_keylog *keylog)
{
	if (!a->workers || !a->secrets)
		return keylog;
	a->keylog = keylog;
	return a->secrets;
}

/* Secrets a capture file brought since the last frame join the key log
 * once the workers are done with every frame before. */
static void take_secrets(struct tlsd_analyzer *a)
{
	if (!a->keylog || tlsd_keylog_empty(a->secrets))
		return;
	tlsd_workers_sync(a->workers);
	tlsd_keylog_merge(a->keylog, a->secrets);
	tlsd_keylog_free(a->secrets);
	a->secrets = tlsd_keylog_new();
	if (!a->secrets)
		a->keylog = NULL; /* no memory: later ones are lost */
}

/* The capture clock only moves forward: a packet stamped earlier than its
 * predecessor (clock step, merged files) does not rewind timeouts. */
static void advance_clock(struct tlsd_analyzer *a, tlsd_time_ns ts, bool live)
{
	tlsd_ctx_advance(a->ctx, ts, live);
	if (a->ctx->now >= a->next_frag_expiry) {
		tlsd_decoder_expire(a->dec, a->ctx);
		a->next_frag_expiry = tlsd_time_add(a->ctx->now, TLSD_NS_PER_SEC);
	}
}

bool tlsd_analyzer_clock_restarts(const struct tlsd_analyzer *a, tlsd_time_ns ts)
{
	return !a->live && tlsd_ctx_clock_restarts(a->ctx, ts);
}

/* An event of its own, numbered as a tick is: the connections it ends
 * sort there in the merge (merge.h), with threads as without. */
void tlsd_analyzer_restart(struct tlsd_analyzer *a, tlsd_time_ns ts)
{
	a->event++;
	if (a->workers)
		tlsd_workers_restart(a->workers, a->event, a->ctx->frame_no, ts);
	else
		tlsd_flow_table_finish(a->flows);
	tlsd_udp_table_finish(a->udp);
	a->local.watermark = a->event;
	tlsd_ctx_restart(a->ctx, ts);
	a->next_frag_expiry = 0; /* due at the new time */
}

void tlsd_analyzer_frame(struct tlsd_analyzer *a, const struct tlsd_frame *fr)
{
	struct tlsd_pkt pkt;
	enum tlsd_decode_status st;

	a->ctx->frame_no++;
	a->ctx->cnt.packets++;
	a->ctx->cnt.bytes += fr->wirelen;
	a->event++;
	advance_clock(a, fr->ts, a->live);
	if (a->workers && a->keylog)
		take_secrets(a);
	st = tlsd_decode_frame(a->dec, a->ctx, fr, &pkt);
	if (a->workers) {
		tlsd_workers_frame(a->workers, a->event, a->ctx->frame_no, fr->ts, a->live,
				   st == TLSD_DECODE_TCP ? &pkt : NULL);
		if (a->live)
			tlsd_workers_flush_old(a->workers, LIVE_BATCH_AGE_NS);
	}
	switch (st) {
	case TLSD_DECODE_TCP:
		if (a->flows)
			tlsd_flow_table_packet(a->flows, &pkt);
		break;
	case TLSD_DECODE_UDP:
		tlsd_udp_table_packet(a->udp, &pkt);
		break;
	case TLSD_DECODE_ICMP_ERROR:
		tlsd_udp_table_icmp(a->udp, &pkt);
		break;
	case TLSD_DECODE_SKIP:
	case TLSD_DECODE_FRAGMENT:
	case TLSD_DECODE_TRUNCATED:
	case TLSD_DECODE_MALFORMED:
	default:
		break;
	}
	a->local.watermark = a->event;
}

void tlsd_analyzer_filtered(struct tlsd_analyzer *a, const struct tlsd_frame *fr)
{
	a->ctx->frame_no++;
	a->event++;
	advance_clock(a, fr->ts, a->live);
	/* The workers' clocks see it too: each judges silences itself. */
	if (a->workers)
		tlsd_workers_frame(a->workers, a->event, a->ctx->frame_no, fr->ts, a->live, NULL);
	a->local.watermark = a->event;
}

void tlsd_analyzer_tick(struct tlsd_analyzer *a, tlsd_time_ns now)
{
	advance_clock(a, now, true);
	a->event++;
	if (a->workers)
		tlsd_workers_tick(a->workers, a->event, a->ctx->frame_no, now);
	else
		tlsd_flow_table_expire(a->flows);
	tlsd_udp_table_expire(a->udp);
	a->local.watermark = a->event;
	if (a->workers)
		tlsd_workers_sync(a->workers); /* the reports now, not a batch later */
}

void tlsd_analyzer_share_buffers(struct tlsd_analyzer *a, struct tlsd_capture *cap)
{
	if (a->workers)
		(void)tlsd_capture_share_buffers(cap, TLSD_WORKERS_SHARED, tlsd_workers_reuse,
						 a->workers);
}

void tlsd_analyzer_sync(struct tlsd_analyzer *a)
{
	if (a->workers)
		tlsd_workers_sync(a->workers);
}

void tlsd_analyzer_finish(struct tlsd_analyzer *a)
{
	if (a->finished)
		return;
	a->finished = true;
	/* TCP first: a QUIC attempt's report can then be compared with the
	 * TCP connections the same client made (quic_blocked_tcp_fallback);
	 * merge.h orders them so with workers too. */
	a->event = TLSD_MERGE_END;
	if (a->workers) {
		tlsd_workers_finish(a->workers, a->ctx->frame_no);
	} else {
		tlsd_flow_table_finish(a->flows);
	}
	tlsd_udp_table_finish(a->udp);
	a->local.watermark = TLSD_MERGE_END;
	if (a->workers) {
		tlsd_workers_sync(a->workers);
		tlsd_workers_add_counters(a->workers, &a->ctx->cnt);
	}
}
