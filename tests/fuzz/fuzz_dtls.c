/* Fuzz target: DTLS datagrams through the UDP flow table, the first-byte
 * demultiplexer, the DTLS association glue (records, handshake fragments
 * reassembled in message_seq order, retransmissions, the cookie exchange),
 * the session, diagnose_udp and the JSON reporter. Input: a sequence of
 * datagrams, each an op byte (bit 0: from the server; bit 1: cut by the
 * snap length, 100 bytes more on the wire; bit 2: 1 s after the previous
 * one instead of 10 ms; bit 3: answered by an ICMP port unreachable), a
 * 2-byte length, the bytes. Every datagram is also read record by record
 * and fragment by fragment directly, each fragment with the DTLS hello
 * parsers. Asserts that the fragment buffers are all given back. */
#include "fuzz_check.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/dtls.h"
#include "tlsd/tls_handshake.h"

#include "udp_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const uint8_t *p, size_t n)
{
	struct tlsd_cur dg;
	struct tlsd_dtls_record r;

	(void)tlsd_dtls_starts_association(p, n);
	tlsd_cur_init(&dg, p, n);
	while (tlsd_dtls_record_next(&dg, &r) == TLSD_PARSE_OK) {
		struct tlsd_cur body = r.body;
		struct tlsd_dtls_hs_frag f;

		if (r.kind != TLSD_DTLS_REC_PLAIN || r.type != 22)
			continue;
		while (tlsd_dtls_hs_frag_next(&body, &f) == TLSD_PARSE_OK) {
			struct tlsd_client_hello ch;
			struct tlsd_hello_verify_request hvr;
			struct tlsd_parse_err err;

			FUZZ_CHECK(f.frag_off + f.frag_len <= f.msg_len);
			if (tlsd_parse_dtls_client_hello(tlsd_cur_data(&f.data), tlsd_cur_len(&f.data),
							 &ch, &err) == TLSD_PARSE_OK)
				FUZZ_CHECK(ch.dtls && ch.sni_len <= TLSD_MAX_SNI);
			if (tlsd_parse_hello_verify_request(tlsd_cur_data(&f.data), tlsd_cur_len(&f.data),
							    &hvr, &err) == TLSD_PARSE_OK)
				FUZZ_CHECK(hvr.cookie_len + 3u == tlsd_cur_len(&f.data));
		}
	}
}

static void icmp_for(struct tlsd_udp_table *t, const struct tlsd_pkt *dg)
{
	/* ICMP port unreachable quoting the datagram, sent by its destination. */
	struct tlsd_pkt pkt = *dg;

	pkt.src = dg->dst;
	pkt.dst = dg->src;
	pkt.icmp = (struct tlsd_icmp_quote){.type = 3, .code = 3, .ip_version = 4, .proto = 17,
					    .src = dg->src, .dst = dg->dst,
					    .sport = dg->sport, .dport = dg->dport};
	pkt.payload = NULL;
	pkt.payload_len = pkt.payload_wire_len = 0;
	tlsd_udp_table_icmp(t, &pkt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct udp_harness h;
	struct tlsd_cur in;
	uint8_t op, *copy;
	uint16_t len;
	tlsd_time_ns ts = TLSD_NS_PER_SEC;

	if (size > (1u << 20))
		return 0;
	if (!harness_start(&h))
		return 0;
	tlsd_cur_init(&in, data, size);
	while (harness_next(&in, &op, &copy, &len)) {
		struct tlsd_pkt pkt = {0};
		bool srv = op & 1;

		ts += op & 4 ? TLSD_NS_PER_SEC : TLSD_NS_PER_SEC / 100;
		pkt.ts = ts;
		tlsd_ctx_advance(&h.ctx, ts, false);
		pkt.ip_version = 4;
		pkt.ip_proto = 17;
		pkt.src.b[0] = srv ? 10 : 192;
		pkt.dst.b[0] = srv ? 192 : 10;
		pkt.sport = srv ? 4433 : 50000;
		pkt.dport = srv ? 50000 : 4433;
		pkt.payload = copy;
		pkt.payload_len = len;
		pkt.payload_wire_len = (op & 2) ? (uint32_t)len + 100 : len;
		walk(copy, len);
		tlsd_udp_table_packet(h.t, &pkt);
		if (op & 8)
			icmp_for(h.t, &pkt);
		free(copy);
	}
	harness_finish(&h);
	FUZZ_CHECK(h.ctx.reasm_mem_used == 0);
	return 0;
}
