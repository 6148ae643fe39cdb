/* The whole pipeline on a pcap file in memory (fmemopen + pcap_fopen_offline):
 * decode, flow table, reassembly, TLS, session, diagnosis, the summary and
 * both reporters. Shared by fuzz_pcap (raw files) and fuzz_flow (files it
 * writes around TLS bytes). */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_pipeline.h"
#include "tlsd/analyzer.h"
#include "tlsd/report_json.h"
#include "tlsd/report_text.h"
#include "tlsd/summary.h"

struct sink {
	FILE *out;
	struct tlsd_summary *summary;
};

static void emit(void *ud, struct tlsd_report *r, const struct tlsd_flow *f,
		 const uint8_t *frames, size_t frames_len)
{
	struct sink *s = ud;
	struct tlsd_text_opts to = {.all = true, .color = true};

	(void)f;
	(void)frames;
	(void)frames_len;
	tlsd_summary_annotate(s->summary, r);
	tlsd_summary_add(s->summary, r);
	tlsd_report_json(s->out, r);
	tlsd_report_text(s->out, r, &to);
}

void fuzz_pipeline(const uint8_t *data, size_t size)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct tlsd_ctx ctx;
	struct sink s = {0};
	struct tlsd_conn_cfg cfg = {.emit = emit, .ud = &s, .keep_frames = true};
	struct tlsd_analyzer *a = NULL;
	struct pcap_pkthdr *h;
	const u_char *pkt;
	FILE *in;
	pcap_t *p;

	if (size > (1u << 20))
		return;
	in = fmemopen((void *)data, size, "rb");
	if (!in)
		return;
	p = pcap_fopen_offline_with_tstamp_precision(in, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p) {
		fclose(in);
		return;
	}
	tlsd_ctx_init(&ctx);
	/* Small caps so the fuzzer reaches them. */
	ctx.lim.max_flows = 64;
	ctx.lim.reasm_mem = 64 << 10;
	ctx.lim.reasm_per_dir = 16 << 10;
	ctx.lim.max_handshake = 16 << 10;
	ctx.lim.snap_flow = 4096;
	s.out = fopen("/dev/null", "w");
	s.summary = tlsd_summary_new();
	if (s.out && s.summary)
		a = tlsd_analyzer_new(&ctx, &cfg);
	if (a) {
		int dlt = pcap_datalink(p);

		while (pcap_next_ex(p, &h, &pkt) == 1) {
			struct tlsd_frame fr = {
				.ts = (tlsd_time_ns)h->ts.tv_sec * TLSD_NS_PER_SEC + h->ts.tv_usec,
				.caplen = h->caplen,
				.wirelen = h->len,
				.dlt = dlt,
				.data = pkt,
			};

			tlsd_analyzer_frame(a, &fr);
		}
		tlsd_analyzer_finish(a);
		tlsd_summary_text(s.summary, s.out, false);
		tlsd_summary_json(s.summary, s.out);
	}
	tlsd_analyzer_free(a);
	tlsd_summary_free(s.summary);
	if (s.out)
		fclose(s.out);
	pcap_close(p); /* closes `in` too */
}
