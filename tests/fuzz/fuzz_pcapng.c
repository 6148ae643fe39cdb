/* The native pcapng reader (pcapng.c) on arbitrary bytes, then the whole
 * pipeline on the frames it returns, with each frame's own link type,
 * interface name and comment, and the key logs of Decryption Secrets Blocks
 * going into a key log as capture.c does. The first byte picks how many
 * bytes each read hands over (1..255, 0 = all), so buffer refills and
 * blocks split across reads are exercised. Inputs over 1 MiB are ignored.
 * Asserts that packet data and comments lie inside the reader's answer
 * (caplen bytes readable: ASan) and that the reader's error is sticky. */
#include "fuzz_check.h"
#include "mem_src.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tlsd/analyzer.h"
#include "tlsd/keylog.h"
#include "tlsd/pcapng.h"
#include "tlsd/report_json.h"
#include "tlsd/report_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void emit(void *ud, struct tlsd_report *r, const struct tlsd_flow *f,
		 const uint8_t *frames, size_t frames_len)
{
	FILE *out = ud;
	struct tlsd_text_opts to = {.all = true};

	(void)f;
	(void)frames;
	(void)frames_len;
	tlsd_report_json(out, r);
	tlsd_report_text(out, r, &to);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem_src s;
	struct tlsd_ctx ctx;
	struct tlsd_keylog *kl;
	struct tlsd_pcapng *ng;
	struct tlsd_analyzer *a = NULL;
	struct tlsd_conn_cfg cfg = {.emit = emit};
	struct tlsd_pcapng_event ev;
	char err[TLSD_PCAPNG_ERRLEN];
	enum tlsd_pcapng_kind k = TLSD_PCAPNG_END;
	volatile uint8_t sink = 0;
	FILE *out;

	if (size < 1 || size > (1u << 20))
		return 0;
	s = (struct mem_src){.p = data + 1, .len = size - 1, .chunk = data[0]};
	out = fopen("/dev/null", "w");
	kl = tlsd_keylog_new();
	ng = tlsd_pcapng_new(mem_src_read, &s);
	tlsd_ctx_init(&ctx);
	ctx.lim.max_flows = 64;
	ctx.lim.reasm_mem = 64 << 10;
	ctx.lim.max_handshake = 16 << 10;
	cfg.ud = out;
	cfg.keylog = kl;
	if (out && kl && ng)
		a = tlsd_analyzer_new(&ctx, &cfg);
	while (a && (k = tlsd_pcapng_next(ng, &ev, err)) != TLSD_PCAPNG_END &&
	       k != TLSD_PCAPNG_ERROR) {
		if (k == TLSD_PCAPNG_SECRETS) {
			if (ev.secrets_type == TLSD_PCAPNG_SECRETS_TLS &&
			    tlsd_keylog_load_mem(kl, ev.secrets, ev.secrets_len) < 0)
				break; /* out of memory */
		} else if (k == TLSD_PCAPNG_PACKET) {
			const struct tlsd_pcapng_iface *ifc = tlsd_pcapng_iface(ng, ev.pkt.iface);
			struct tlsd_frame fr = {
				.ts = ev.pkt.ts,
				.caplen = TLSD_MIN(ev.pkt.caplen, ev.pkt.wirelen),
				.wirelen = ev.pkt.wirelen,
				.data = ev.pkt.data,
				.comment = ev.pkt.comment,
				.comment_len = ev.pkt.comment_len,
			};

			FUZZ_CHECK(ifc);
			fr.dlt = ifc->dlt;
			fr.iface = ifc->name[0] ? ifc->name : NULL;
			FUZZ_CHECK(strlen(ifc->name) < TLSD_PCAPNG_NAME_MAX);
			if (ev.pkt.caplen)
				sink ^= ev.pkt.data[ev.pkt.caplen - 1];
			if (ev.pkt.comment_len)
				sink ^= ev.pkt.comment[ev.pkt.comment_len - 1];
			tlsd_analyzer_frame(a, &fr);
		} else if (k == TLSD_PCAPNG_INTERFACE) {
			FUZZ_CHECK(tlsd_pcapng_iface(ng, ev.iface));
		}
	}
	if (a) {
		tlsd_analyzer_finish(a);
		if (k == TLSD_PCAPNG_ERROR) {
			char again[TLSD_PCAPNG_ERRLEN];

			FUZZ_CHECK(tlsd_pcapng_next(ng, &ev, again) == TLSD_PCAPNG_ERROR);
			FUZZ_CHECK(strcmp(err, again) == 0);
			FUZZ_CHECK(strstr(err, "offset"));
		}
	}
	(void)sink;
	tlsd_analyzer_free(a);
	tlsd_pcapng_free(ng);
	tlsd_keylog_free(kl);
	if (out)
		fclose(out);
	return 0;
}
