/* stream_dump: prints the TCP byte streams that tlsdiag's own capture,
 * decode, flow table and reassembly stages rebuild from a capture, for
 * tests/e2e/run_streams.py to compare with tshark's `-z follow,tcp,raw`.
 *
 * usage: stream_dump CAPTURE [FILTER]
 *
 * One line per event, in the order the flow table delivers them (ID is the
 * flow's creation number, DIR is c2s or s2c):
 *   D ID DIR OFFSET HEX          in-order stream bytes at OFFSET
 *   G ID DIR OFFSET LENGTH       bytes that will never be delivered (a gap)
 *   F ID DIR                     the FIN of DIR was reached
 *   C ID CIP CPORT SIP SPORT END GUESSED
 *                                the flow closed (END: close, reset,
 *                                timeout, capture_end, evicted, port_reuse;
 *                                GUESSED: 1 when no SYN fixed the roles)
 * and at the end "E PACKETS TCP_PACKETS". Exit status 0, or 2 with a
 * message on stderr when the capture cannot be read. */
#include <stdio.h>
#include <stdlib.h>

#include "tlsd/capture.h"
#include "tlsd/cur.h"
#include "tlsd/decode.h"
#include "tlsd/flow_table.h"

static const char *dir_name(enum tlsd_dir d)
{
	return d == TLSD_DIR_C2S ? "c2s" : "s2c";
}

static const char *end_name(enum tlsd_flow_end how)
{
	switch (how) {
	case TLSD_FLOW_END_CLOSE:
		return "close";
	case TLSD_FLOW_END_RESET:
		return "reset";
	case TLSD_FLOW_END_TIMEOUT:
		return "timeout";
	case TLSD_FLOW_END_CAPTURE_END:
		return "capture_end";
	case TLSD_FLOW_END_EVICTED:
		return "evicted";
	case TLSD_FLOW_END_PORT_REUSE:
		return "port_reuse";
	}
	return "unknown";
}

static void on_data(void *ud, struct tlsd_flow *f, enum tlsd_dir d, uint64_t off,
		    const uint8_t *p, size_t len, tlsd_time_ns ts)
{
	struct tlsd_cur c;
	uint8_t b;

	(void)ud;
	(void)ts;
	tlsd_cur_init(&c, p, len);
	printf("D %llu %s %llu ", (unsigned long long)f->id, dir_name(d),
	       (unsigned long long)off);
	while (tlsd_cur_get_u8(&c, &b))
		printf("%02x", b);
	putchar('\n');
}

static void on_gap(void *ud, struct tlsd_flow *f, enum tlsd_dir d, uint64_t off, uint64_t len)
{
	(void)ud;
	printf("G %llu %s %llu %llu\n", (unsigned long long)f->id, dir_name(d),
	       (unsigned long long)off, (unsigned long long)len);
}

static void on_fin(void *ud, struct tlsd_flow *f, enum tlsd_dir d, tlsd_time_ns ts)
{
	(void)ud;
	(void)ts;
	printf("F %llu %s\n", (unsigned long long)f->id, dir_name(d));
}

static void on_close(void *ud, struct tlsd_flow *f, enum tlsd_flow_end how)
{
	char cip[64], sip[64];

	(void)ud;
	printf("C %llu %s %u %s %u %s %d\n", (unsigned long long)f->id,
	       tlsd_addr_str(&f->addr[TLSD_DIR_C2S], f->ip_version, cip, sizeof(cip)),
	       (unsigned)f->port[TLSD_DIR_C2S],
	       tlsd_addr_str(&f->addr[TLSD_DIR_S2C], f->ip_version, sip, sizeof(sip)),
	       (unsigned)f->port[TLSD_DIR_S2C], end_name(how), f->roles_guessed ? 1 : 0);
}

static const struct tlsd_flow_ops dump_ops = {
	.data = on_data,
	.gap = on_gap,
	.fin = on_fin,
	.close = on_close,
};

/* Reads every frame of the capture into the flow table. Returns 0, or -1
 * (err filled) when the capture turned out to be corrupt. */
static int run(struct tlsd_capture *cap, struct tlsd_ctx *ctx, struct tlsd_decoder *dec,
	       struct tlsd_flow_table *flows, char *err)
{
	struct tlsd_frame fr;
	struct tlsd_pkt pkt;
	tlsd_time_ns next_expiry = 0;

	for (;;) {
		switch (tlsd_capture_next(cap, &fr, err)) {
		case TLSD_CAPTURE_FRAME:
			break;
		case TLSD_CAPTURE_END:
		case TLSD_CAPTURE_STOPPED:
			return 0;
		case TLSD_CAPTURE_TIMEOUT:
			continue;
		case TLSD_CAPTURE_FILTERED:
			ctx->frame_no++;
			continue;
		case TLSD_CAPTURE_ERROR:
		default:
			return -1;
		}
		ctx->frame_no++;
		ctx->cnt.packets++;
		ctx->cnt.bytes += fr.wirelen;
		if (fr.ts > ctx->now)
			ctx->now = fr.ts;
		if (ctx->now >= next_expiry) { /* as the analyzer does */
			tlsd_decoder_expire(dec, ctx);
			next_expiry = ctx->now + TLSD_NS_PER_SEC;
		}
		if (tlsd_decode_frame(dec, ctx, &fr, &pkt) == TLSD_DECODE_TCP)
			tlsd_flow_table_packet(flows, &pkt);
	}
}

int main(int argc, char **argv)
{
	char err[TLSD_CAPTURE_ERRLEN] = "";
	struct tlsd_capture *cap = NULL;
	struct tlsd_decoder *dec = NULL;
	struct tlsd_flow_table *flows = NULL;
	struct tlsd_ctx ctx;
	int rc = 2;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: stream_dump CAPTURE [FILTER]\n");
		return 2;
	}
	tlsd_ctx_init(&ctx);
	if (tlsd_capture_open_file(&cap, argv[1], argc > 2 ? argv[2] : NULL, err) < 0) {
		fprintf(stderr, "stream_dump: %s\n", err);
		return 2;
	}
	dec = tlsd_decoder_new(&ctx);
	if (dec)
		flows = tlsd_flow_table_new(&ctx, &dump_ops, NULL);
	if (!dec || !flows) {
		fprintf(stderr, "stream_dump: out of memory\n");
	} else if (run(cap, &ctx, dec, flows, err) < 0) {
		fprintf(stderr, "stream_dump: %s\n", err);
	} else {
		tlsd_flow_table_finish(flows);
		printf("E %llu %llu\n", (unsigned long long)ctx.cnt.packets,
		       (unsigned long long)ctx.cnt.tcp_packets);
		rc = 0;
	}
	tlsd_flow_table_free(flows);
	tlsd_decoder_free(dec);
	tlsd_capture_close(cap);
	if (fflush(stdout) != 0 && rc == 0) {
		perror("stream_dump: stdout");
		rc = 2;
	}
	return rc;
}
