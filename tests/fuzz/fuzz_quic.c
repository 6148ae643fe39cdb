/* Fuzz target: QUIC packets through the UDP flow table, the QUIC
 * connection glue (header parsing, Initial key derivation and decryption,
 * CRYPTO reassembly, frames), the session, diagnose_udp and the JSON
 * reporter. Input: a sequence of datagrams, each op byte (bit 0: from the
 * server; bit 1: counts as a 1200-byte datagram on the wire; bit 2: from a
 * new client port, as after a NAT rebinding), a 2-byte length, the bytes.
 * Every datagram is also parsed as packets and frames directly. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/quic.h"
#include "tlsd/report_json.h"
#include "tlsd/udp_conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static void emit(void *ud, struct tlsd_report *r, const struct tlsd_flow *f,
		 const uint8_t *frames, size_t frames_len)
{
	(void)ud;
	(void)f;
	(void)frames;
	(void)frames_len;
	tlsd_report_json(devnull, r);
}

static void walk(const uint8_t *p, size_t n)
{
	static const struct tlsd_quic_frame_events none;
	struct tlsd_cur dg;
	struct tlsd_quic_hdr h;

	tlsd_cur_init(&dg, p, n);
	while (tlsd_cur_len(&dg) && tlsd_quic_parse(&dg, 8, &h) == TLSD_PARSE_OK)
		if (tlsd_quic_frames(h.pkt, &none, NULL) != TLSD_PARSE_OK)
			break;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsd_ctx ctx;
	struct tlsd_conn_cfg cfg = {.emit = emit};
	struct tlsd_udp_mux *m;
	struct tlsd_udp_table *t;
	struct tlsd_cur in;
	uint8_t op;
	uint16_t len, port = 50000;

	if (size > (1u << 20))
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (!devnull)
		return 0;
	tlsd_ctx_init(&ctx);
	m = tlsd_udp_mux_new(&ctx, &cfg);
	t = m ? tlsd_udp_table_new(&ctx, tlsd_udp_mux_ops(), m) : NULL;
	if (!t) {
		tlsd_udp_mux_free(m);
		return 0;
	}
	tlsd_udp_mux_attach(m, t);
	tlsd_cur_init(&in, data, size);
	for (int64_t i = 1; tlsd_cur_get_u8(&in, &op) && tlsd_cur_get_u16(&in, &len); i++) {
		struct tlsd_pkt pkt = {0};
		uint8_t *copy;
		bool srv = op & 1;

		len = (uint16_t)TLSD_MIN((size_t)len, tlsd_cur_len(&in));
		copy = malloc(len ? len : 1); /* exact size: reads past it are caught */
		if (!copy || !tlsd_cur_copy(&in, copy, len)) {
			free(copy);
			break;
		}
		if (op & 4)
			port++;
		pkt.ts = i * (TLSD_NS_PER_SEC / 10);
		ctx.now = pkt.ts;
		pkt.ip_version = 4;
		pkt.ip_proto = 17;
		pkt.src.b[0] = srv ? 10 : 192;
		pkt.dst.b[0] = srv ? 192 : 10;
		pkt.sport = srv ? 443 : port;
		pkt.dport = srv ? port : 443;
		pkt.payload = copy;
		pkt.payload_len = len;
		pkt.payload_wire_len = (op & 2) && len < 1200 ? 1200 : len;
		walk(copy, len);
		tlsd_udp_table_packet(t, &pkt);
		free(copy);
	}
	tlsd_udp_table_finish(t);
	tlsd_udp_table_free(t);
	tlsd_udp_mux_free(m);
	return 0;
}
