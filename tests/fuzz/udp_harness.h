/* The UDP pipeline the UDP fuzz targets share (fuzz_quic.c, fuzz_dtls.c):
 * flow table + mux with a sink that renders every report as JSON into
 * /dev/null. */
#ifndef TLSD_FUZZ_UDP_HARNESS_H
#define TLSD_FUZZ_UDP_HARNESS_H

#include <stdio.h>
#include <stdlib.h>

#include "tlsd/report_json.h"
#include "tlsd/udp_conn.h"

struct udp_harness {
	struct tlsd_ctx ctx;
	struct tlsd_conn_cfg cfg;
	struct tlsd_udp_mux *m;
	struct tlsd_udp_table *t;
};

static FILE *harness_devnull;

static void harness_emit(void *ud, struct tlsd_report *r, const struct tlsd_flow *f,
			 const uint8_t *frames, size_t frames_len)
{
	(void)ud;
	(void)f;
	(void)frames;
	(void)frames_len;
	tlsd_report_json(harness_devnull, r);
}

/* false when nothing could be set up (the input is then skipped). */
static bool harness_start(struct udp_harness *h)
{
	if (!harness_devnull)
		harness_devnull = fopen("/dev/null", "w");
	if (!harness_devnull)
		return false;
	tlsd_ctx_init(&h->ctx);
	h->cfg = (struct tlsd_conn_cfg){.emit = harness_emit};
	h->m = tlsd_udp_mux_new(&h->ctx, &h->cfg);
	h->t = h->m ? tlsd_udp_table_new(&h->ctx, tlsd_udp_mux_ops(), h->m) : NULL;
	if (!h->t) {
		tlsd_udp_mux_free(h->m);
		return false;
	}
	tlsd_udp_mux_attach(h->m, h->t);
	return true;
}

/* The next input record: op byte, 2-byte length, bytes (cut to what is
 * left). *copy is a heap copy of exactly *len bytes (reads past it are
 * caught), which the caller frees; false at the end of the input. */
static bool harness_next(struct tlsd_cur *in, uint8_t *op, uint8_t **copy, uint16_t *len)
{
	uint16_t n;

	if (!tlsd_cur_get_u8(in, op) || !tlsd_cur_get_u16(in, &n))
		return false;
	n = (uint16_t)TLSD_MIN((size_t)n, tlsd_cur_len(in));
	*copy = malloc(n ? n : 1);
	if (!*copy || !tlsd_cur_copy(in, *copy, n)) {
		free(*copy);
		return false;
	}
	*len = n;
	return true;
}

/* Every flow ends and is reported. */
static void harness_finish(struct udp_harness *h)
{
	tlsd_udp_table_finish(h->t);
	tlsd_udp_table_free(h->t);
	tlsd_udp_mux_free(h->m);
}

#endif
