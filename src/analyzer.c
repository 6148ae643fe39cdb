/* Pipeline wiring for one run. */
#include "tlsd/analyzer.h"

#include <stdlib.h>

#include "tlsd/decode.h"
#include "tlsd/flow_table.h"
#include "tlsd/udp_conn.h"

struct tlsd_analyzer {
	struct tlsd_ctx *ctx;
	struct tlsd_decoder *dec;
	struct tlsd_conn_mux *mux;
	struct tlsd_flow_table *flows;
	struct tlsd_udp_mux *udp_mux;
	struct tlsd_udp_table *udp;
	tlsd_time_ns next_frag_expiry;
	bool live; /* packets from an interface: silence is real time */
};

void tlsd_analyzer_set_live(struct tlsd_analyzer *a, bool live)
{
	a->live = live;
}

struct tlsd_analyzer *tlsd_analyzer_new(struct tlsd_ctx *ctx, const struct tlsd_conn_cfg *cfg)
{
	struct tlsd_analyzer *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->ctx = ctx;
	a->dec = tlsd_decoder_new(ctx);
	a->mux = tlsd_conn_mux_new(ctx, cfg);
	if (a->mux)
		a->flows = tlsd_flow_table_new(ctx, tlsd_conn_mux_ops(), a->mux);
	a->udp_mux = tlsd_udp_mux_new(ctx, cfg);
	if (a->udp_mux)
		a->udp = tlsd_udp_table_new(ctx, tlsd_udp_mux_ops(), a->udp_mux);
	if (!a->dec || !a->mux || !a->flows || !a->udp) {
		tlsd_analyzer_free(a);
		return NULL;
	}
	tlsd_conn_mux_attach(a->mux, a->flows);
	tlsd_udp_mux_attach(a->udp_mux, a->udp);
	return a;
}

void tlsd_analyzer_free(struct tlsd_analyzer *a)
{
	if (!a)
		return;
	tlsd_flow_table_free(a->flows);
	tlsd_conn_mux_free(a->mux);
	tlsd_udp_table_free(a->udp);
	tlsd_udp_mux_free(a->udp_mux);
	tlsd_decoder_free(a->dec);
	free(a);
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

void tlsd_analyzer_frame(struct tlsd_analyzer *a, const struct tlsd_frame *fr)
{
	struct tlsd_pkt pkt;

	a->ctx->frame_no++;
	a->ctx->cnt.packets++;
	a->ctx->cnt.bytes += fr->wirelen;
	advance_clock(a, fr->ts, a->live);
	switch (tlsd_decode_frame(a->dec, a->ctx, fr, &pkt)) {
	case TLSD_DECODE_TCP:
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
}

void tlsd_analyzer_filtered(struct tlsd_analyzer *a, const struct tlsd_frame *fr)
{
	a->ctx->frame_no++;
	advance_clock(a, fr->ts, a->live);
}

void tlsd_analyzer_tick(struct tlsd_analyzer *a, tlsd_time_ns now)
{
	advance_clock(a, now, true);
	tlsd_flow_table_expire(a->flows);
	tlsd_udp_table_expire(a->udp);
}

void tlsd_analyzer_finish(struct tlsd_analyzer *a)
{
	/* TCP first: a QUIC attempt's report can then be compared with the
	 * TCP connections the same client made (quic_blocked_tcp_fallback). */
	tlsd_flow_table_finish(a->flows);
	tlsd_udp_table_finish(a->udp);
}
