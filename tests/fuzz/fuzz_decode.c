/* fuzz_decode: the first byte picks the link type, the rest is the frame.
 *
 * Selector byte: bits 1-6 index the DLT table below; bit 0 makes the frame a
 * snap length cut (16 more bytes on the wire than captured). With bit 7 set
 * the rest is a sequence of frames, each prefixed by a 2-byte big-endian
 * length (the last one takes what remains), decoded one after another by the
 * same decoder one second apart, so fragment reassembly, its caps and its
 * timeouts are reached. Limits are small for the same reason. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/cur.h"
#include "tlsd/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {
	DLT_EN10MB, DLT_LINUX_SLL, 276 /* LINUX_SLL2 */, DLT_NULL, DLT_LOOP, DLT_RAW,
	14 /* OpenBSD RAW */, 228 /* IPV4 */, 229 /* IPV6 */, DLT_IEEE802_11 /* unsupported */,
	DLT_PPP, 50 /* PPP_SERIAL */, 51 /* PPP_ETHER */, 204 /* PPP_WITH_DIR */, 104 /* C_HDLC */,
};

/* Decodes one frame from an exact-size copy, so over-reads are caught. */
static void decode_one(struct tlsd_decoder *dec, struct tlsd_ctx *ctx, int dlt,
		       const struct tlsd_cur *frame_bytes, uint32_t wire_extra)
{
	size_t n = tlsd_cur_len(frame_bytes);
	uint8_t *copy = malloc(n ? n : 1);
	struct tlsd_frame f;
	struct tlsd_pkt pkt;

	if (!copy)
		return;
	if (n)
		memcpy(copy, tlsd_cur_data(frame_bytes), n);
	ctx->frame_no++;
	ctx->now += TLSD_NS_PER_SEC;
	f = (struct tlsd_frame){.ts = ctx->now, .caplen = (uint32_t)n,
				.wirelen = (uint32_t)n + wire_extra, .dlt = dlt, .data = copy};
	switch (tlsd_decode_frame(dec, ctx, &f, &pkt)) {
	case TLSD_DECODE_TCP:
	case TLSD_DECODE_UDP:
		if (pkt.payload_len > pkt.payload_wire_len)
			abort();
		if (!pkt.reassembled && pkt.payload_len &&
		    (pkt.payload < copy || pkt.payload + pkt.payload_len > copy + n))
			abort();
		break;
	default:
		break;
	}
	free(copy);
	tlsd_decoder_expire(dec, ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsd_ctx ctx;
	struct tlsd_decoder *dec;
	struct tlsd_cur in, frame;
	uint8_t sel;
	int dlt;

	tlsd_cur_init(&in, data, size);
	if (!tlsd_cur_get_u8(&in, &sel))
		return 0;
	tlsd_ctx_init(&ctx);
	ctx.lim.ipfrag_max = 4;
	ctx.lim.ipfrag_mem = 160u << 10;
	ctx.lim.ipfrag_timeout = 3 * TLSD_NS_PER_SEC;
	dec = tlsd_decoder_new(&ctx);
	if (!dec)
		return 0;
	dlt = dlts[((sel & 0x7f) >> 1) % TLSD_ARRAY_SIZE(dlts)];
	if (!(sel & 0x80)) {
		decode_one(dec, &ctx, dlt, &in, sel & 1 ? 16 : 0);
	} else {
		while (tlsd_cur_len(&in)) {
			uint16_t len;

			if (!tlsd_cur_get_u16(&in, &len) || !tlsd_cur_get_bytes(&in, &frame, len))
				frame = in, in = (struct tlsd_cur){0};
			decode_one(dec, &ctx, dlt, &frame, 0);
		}
	}
	tlsd_decoder_free(dec);
	if (ctx.ipfrag_mem_used != 0)
		abort();
	return 0;
}
