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

#include "udp_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	struct udp_harness h;
	struct tlsd_cur in;
	uint8_t op, *copy;
	uint16_t len, port = 50000;

	if (size > (1u << 20))
		return 0;
	if (!harness_start(&h))
		return 0;
	tlsd_cur_init(&in, data, size);
	for (int64_t i = 1; harness_next(&in, &op, &copy, &len); i++) {
		struct tlsd_pkt pkt = {0};
		bool srv = op & 1;

		if (op & 4)
			port++;
		pkt.ts = i * (TLSD_NS_PER_SEC / 10);
		h.ctx.now = pkt.ts;
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
		tlsd_udp_table_packet(h.t, &pkt);
		free(copy);
	}
	harness_finish(&h);
	return 0;
}
