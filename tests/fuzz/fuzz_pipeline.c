/* The whole pipeline on a pcap file in memory (fmemopen + pcap_fopen_offline):
 * decode, flow table, reassembly, TLS, session, diagnosis, the summary, every
 * reporter (text with next steps and the explained history, JSON, line,
 * Zeek), the grouped view and its patterns. Shared by fuzz_pcap (raw files) and fuzz_flow (files it
 * writes around TLS bytes). */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_pipeline.h"
#include "tlsd/analyzer.h"
#include "tlsd/group.h"
#include "tlsd/report_json.h"
#include "tlsd/report_line.h"
#include "tlsd/report_text.h"
#include "tlsd/report_zeek.h"
#include "tlsd/stamp_guard.h"
#include "tlsd/summary.h"

struct sink {
	FILE *out;
	struct tlsd_summary *summary;
	struct tlsd_group *group;
};

static void emit(void *ud, struct tlsd_report *r, const struct tlsd_flow *f,
		 const uint8_t *frames, size_t frames_len)
{
	struct sink *s = ud;
	struct tlsd_text_opts to = {.all = true, .color = true, .next_steps = true, .verbose = true,
				    .explain = true, .source = "f'x.pcap"};
	struct tlsd_json_opts jo = {.source = "x.pcap", .explain = true};
	struct tlsd_line_opts lo = {.verbose = true};

	(void)f;
	(void)frames;
	(void)frames_len;
	tlsd_summary_annotate(s->summary, r);
	tlsd_summary_add(s->summary, r);
	tlsd_report_json_ex(s->out, r, &jo);
	tlsd_report_text(s->out, r, &to);
	tlsd_report_line(s->out, r, &lo);
	tlsd_report_zeek(s->out, r);
	if (s->group)
		tlsd_group_add(s->group, r);
}

/* What the stamp guard decided, into the analysis as main.c's pump does
 * (hostile stamps: strays, restarts). */
static void drain(struct tlsd_analyzer *a, struct tlsd_stamp_guard *g, bool flush)
{
	struct tlsd_stamp_out so;

	while (tlsd_stamp_guard_next(g, flush, &so)) {
		if (so.restart && tlsd_analyzer_clock_restarts(a, so.fr.ts))
			tlsd_analyzer_restart(a, so.fr.ts);
		tlsd_analyzer_frame(a, &so.fr);
	}
}

void fuzz_pipeline(const uint8_t *data, size_t size)
{
	struct tlsd_stamp_guard guard;
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
	s.group = tlsd_group_new();
	if (s.out && s.summary)
		a = tlsd_analyzer_new(&ctx, &cfg);
	tlsd_stamp_guard_init(&guard, ctx.lim.idle_timeout);
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

			switch (tlsd_stamp_guard_take(&guard, &fr, false)) {
			case TLSD_STAMP_PASS:
				tlsd_analyzer_frame(a, &fr);
				break;
			case TLSD_STAMP_NOMEM:
				drain(a, &guard, true);
				tlsd_analyzer_frame(a, &fr);
				break;
			case TLSD_STAMP_HELD:
			default:
				break;
			}
			drain(a, &guard, false);
		}
		drain(a, &guard, true);
		tlsd_analyzer_finish(a);
		tlsd_summary_text(s.summary, s.out, false);
		tlsd_summary_json(s.summary, s.out);
		if (s.group) {
			struct tlsd_group_opts go = {.max_rows = 3};

			tlsd_group_text(s.group, s.out, &go);
			tlsd_group_json(s.group, s.out);
		}
	}
	tlsd_stamp_guard_free(&guard);
	tlsd_group_free(s.group);
	tlsd_analyzer_free(a);
	tlsd_summary_free(s.summary);
	if (s.out)
		fclose(s.out);
	pcap_close(p); /* closes `in` too */
}
