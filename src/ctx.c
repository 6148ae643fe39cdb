/* Defaults for limits, and the analysis context. */
#include "tlsd/ctx.h"

#include <string.h>

void tlsd_limits_default(struct tlsd_limits *lim)
{
	*lim = (struct tlsd_limits){
		.max_flows = TLSD_DEFAULT_MAX_FLOWS,
		.max_udp_flows = TLSD_DEFAULT_MAX_UDP_FLOWS,
		.idle_timeout = (tlsd_time_ns)TLSD_DEFAULT_IDLE_TIMEOUT_S * TLSD_NS_PER_SEC,
		.reasm_mem = TLSD_DEFAULT_REASM_MEM,
		.reasm_per_dir = TLSD_DEFAULT_REASM_PER_DIR,
		.max_handshake = TLSD_DEFAULT_MAX_HANDSHAKE,
		.depth = TLSD_DEFAULT_DEPTH,
		.ipfrag_mem = TLSD_DEFAULT_IPFRAG_MEM,
		.ipfrag_max = TLSD_DEFAULT_IPFRAG_MAX,
		.ipfrag_timeout = (tlsd_time_ns)TLSD_DEFAULT_IPFRAG_TIMEOUT_S * TLSD_NS_PER_SEC,
		.max_chain = TLSD_DEFAULT_MAX_CHAIN,
		.snap_flow = TLSD_DEFAULT_SNAP_FLOW,
	};
}

void tlsd_ctx_init(struct tlsd_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	tlsd_limits_default(&ctx->lim);
}

/* struct tlsd_counters is nothing but uint64_t fields, so it is added up
 * as an array of them (copied through memcpy: no aliasing games). */
#define N_COUNTERS (sizeof(struct tlsd_counters) / sizeof(uint64_t))
_Static_assert(sizeof(struct tlsd_counters) % sizeof(uint64_t) == 0,
	       "struct tlsd_counters holds uint64_t only");

void tlsd_counters_add(struct tlsd_counters *dst, const struct tlsd_counters *src)
{
	uint64_t d[N_COUNTERS], s[N_COUNTERS];

	memcpy(d, dst, sizeof(d));
	memcpy(s, src, sizeof(s));
	for (size_t i = 0; i < N_COUNTERS; i++)
		d[i] += s[i];
	memcpy(dst, d, sizeof(d));
}

void tlsd_counters_diff(struct tlsd_counters *out, const struct tlsd_counters *a,
			const struct tlsd_counters *b)
{
	uint64_t x[N_COUNTERS], y[N_COUNTERS];

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	for (size_t i = 0; i < N_COUNTERS; i++)
		x[i] -= y[i];
	memcpy(out, x, sizeof(x));
}

bool tlsd_ctx_clock_restarts(const struct tlsd_ctx *ctx, tlsd_time_ns ts)
{
	return ctx->clock_started && ts < ctx->now && ctx->now - ts > TLSD_CTX_RESTART_NS;
}

void tlsd_ctx_restart(struct tlsd_ctx *ctx, tlsd_time_ns ts)
{
	ctx->now = ts;
	ctx->silences_from = ctx->cnt.silences;
	tlsd_ctx_count(ctx, TLSD_ANOM_CAPTURE_CLOCK_BACK);
}

void tlsd_ctx_advance(struct tlsd_ctx *ctx, tlsd_time_ns ts, bool live)
{
	tlsd_time_ns step;

	if (!ctx->clock_started) {
		ctx->clock_started = true; /* the first packet starts both clocks */
		ctx->now = ts;
		ctx->idle_clock = ts;
		return;
	}
	if (ts <= ctx->now)
		return;
	step = ts - ctx->now;
	if (!live && step > ctx->lim.idle_timeout) {
		ctx->silences[ctx->cnt.silences % TLSD_CTX_SILENCES] =
			(struct tlsd_silence){.start = ctx->now, .end = ts};
		ctx->cnt.silences++;
		tlsd_ctx_count(ctx, TLSD_ANOM_CAPTURE_SILENCE);
		step = 0;
	}
	ctx->now = ts;
	ctx->idle_clock = tlsd_time_add(ctx->idle_clock, step);
}

tlsd_time_ns tlsd_ctx_silence_within(const struct tlsd_ctx *ctx, tlsd_time_ns from,
				     tlsd_time_ns to)
{
	tlsd_time_ns best = 0;
	uint64_t first = ctx->silences_from;

	/* Only those since the last restart: earlier ones lie in another
	 * stretch of time, which the clock may cross again. */
	if (ctx->cnt.silences - first > TLSD_CTX_SILENCES)
		first = ctx->cnt.silences - TLSD_CTX_SILENCES;
	for (uint64_t i = first; i < ctx->cnt.silences; i++) {
		const struct tlsd_silence *sl = &ctx->silences[i % TLSD_CTX_SILENCES];

		if (sl->start >= from && sl->end <= to && sl->end - sl->start > best)
			best = sl->end - sl->start;
	}
	return best;
}

static const char *const anomaly_names[TLSD_ANOM__COUNT] = {
#define TLSD_ANOMALY_NAME_(name, str) [TLSD_ANOM_##name] = str,
	TLSD_ANOMALY_LIST(TLSD_ANOMALY_NAME_)
#undef TLSD_ANOMALY_NAME_
};

const char *tlsd_anomaly_name(enum tlsd_anomaly a)
{
	if ((unsigned)a >= TLSD_ANOM__COUNT)
		return "unknown";
	return anomaly_names[a];
}
