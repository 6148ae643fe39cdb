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
