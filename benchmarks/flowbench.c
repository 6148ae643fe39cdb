/* Flow-table benchmark, "TLS off": capture + decode + flow table +
 * reassembly with a consumer that only counts bytes. Compare with floor.
 * Usage: flowbench [--decode-only] FILE
 * --decode-only stops after decoding, to split the cost. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tlsd/capture.h"
#include "tlsd/decode.h"
#include "tlsd/flow_table.h"

/* Packets between two samples of the open+tombstone count (a power of 2). */
#define LIVE_SAMPLE_PACKETS 4096

struct bench {
	uint64_t bytes[2], gaps, flows, open, peak_open, ends[6];
};

static void on_open(void *ud, struct tlsd_flow *f, const struct tlsd_pkt *pkt)
{
	struct bench *b = ud;

	(void)f;
	(void)pkt;
	b->flows++;
	if (++b->open > b->peak_open)
		b->peak_open = b->open;
}

static void on_data(void *ud, struct tlsd_flow *f, enum tlsd_dir d, uint64_t off,
		    const uint8_t *p, size_t len, tlsd_time_ns ts)
{
	struct bench *b = ud;

	(void)f;
	(void)off;
	(void)p;
	(void)ts;
	b->bytes[d] += len;
}

static void on_gap(void *ud, struct tlsd_flow *f, enum tlsd_dir d, uint64_t off, uint64_t len)
{
	struct bench *b = ud;

	(void)f;
	(void)d;
	(void)off;
	(void)len;
	b->gaps++;
}

static void on_close(void *ud, struct tlsd_flow *f, enum tlsd_flow_end how)
{
	struct bench *b = ud;

	(void)f;
	b->open--;
	if ((unsigned)how < 6)
		b->ends[how]++;
}

static const struct tlsd_flow_ops ops = {
	.open = on_open,
	.data = on_data,
	.gap = on_gap,
	.close = on_close,
};

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	char err[TLSD_CAPTURE_ERRLEN];
	struct tlsd_ctx ctx;
	struct bench b = {0};
	struct tlsd_capture *cap;
	struct tlsd_decoder *dec;
	struct tlsd_flow_table *t;
	struct tlsd_frame fr;
	struct tlsd_pkt pkt;
	struct timespec t0, t1;
	enum tlsd_capture_status st;
	size_t table_mem = 0, peak_live = 0;
	bool decode_only = argc == 3 && strcmp(argv[1], "--decode-only") == 0;
	const char *path = argv[argc - 1];

	if (argc != 2 && !decode_only) {
		fprintf(stderr, "usage: flowbench [--decode-only] FILE\n");
		return 2;
	}
	tlsd_ctx_init(&ctx);
	if (tlsd_capture_open_file(&cap, path, NULL, err) < 0) {
		fprintf(stderr, "flowbench: %s\n", err);
		return 1;
	}
	dec = tlsd_decoder_new(&ctx);
	t = tlsd_flow_table_new(&ctx, &ops, &b);
	if (!dec || !t) {
		fprintf(stderr, "flowbench: out of memory\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((st = tlsd_capture_next(cap, &fr, err)) == TLSD_CAPTURE_FRAME ||
	       st == TLSD_CAPTURE_FILTERED) {
		if (st == TLSD_CAPTURE_FILTERED)
			continue; /* no filter is given here; kept for completeness */
		ctx.frame_no++;
		ctx.cnt.packets++;
		if (fr.ts > ctx.now)
			ctx.now = fr.ts;
		if (tlsd_decode_frame(dec, &ctx, &fr, &pkt) == TLSD_DECODE_TCP && !decode_only) {
			tlsd_flow_table_packet(t, &pkt);
			/* Counting tombstones scans every grave: sampled, so
			 * the benchmark measures the table, not the count. */
			if ((ctx.cnt.packets & (LIVE_SAMPLE_PACKETS - 1)) == 0) {
				size_t live = tlsd_flow_table_count(t) + tlsd_flow_table_tombstones(t);

				if (live > peak_live)
					peak_live = live;
			}
		}
	}
	if (st == TLSD_CAPTURE_ERROR)
		fprintf(stderr, "flowbench: %s\n", err);
	table_mem = tlsd_flow_table_memory(t);
	tlsd_flow_table_finish(t);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("flowbench: packets %llu tcp %llu flows %llu peak_open %llu bytes c2s %llu s2c %llu "
	       "gaps %llu time %.3f s\n",
	       (unsigned long long)ctx.cnt.packets, (unsigned long long)ctx.cnt.tcp_packets,
	       (unsigned long long)b.flows, (unsigned long long)b.peak_open,
	       (unsigned long long)b.bytes[0], (unsigned long long)b.bytes[1],
	       (unsigned long long)b.gaps, secs(&t0, &t1));
	printf("flowbench: ends close %llu reset %llu timeout %llu end %llu evicted %llu reuse %llu; "
	       "peak open+tombstones %zu (sampled every %d packets), table %zu KiB (%zu B/flow); ooo %llu retrans %llu "
	       "midstream %llu\n",
	       (unsigned long long)b.ends[0], (unsigned long long)b.ends[1],
	       (unsigned long long)b.ends[2], (unsigned long long)b.ends[3],
	       (unsigned long long)b.ends[4], (unsigned long long)b.ends[5], peak_live,
	       LIVE_SAMPLE_PACKETS,
	       table_mem / 1024,
	       sizeof(struct tlsd_flow),
	       (unsigned long long)ctx.cnt.anomalies[TLSD_ANOM_TCP_OUT_OF_ORDER],
	       (unsigned long long)ctx.cnt.anomalies[TLSD_ANOM_TCP_RETRANSMIT],
	       (unsigned long long)ctx.cnt.anomalies[TLSD_ANOM_CAPTURE_MIDSTREAM]);
	tlsd_flow_table_free(t);
	tlsd_decoder_free(dec);
	tlsd_capture_close(cap);
	return st == TLSD_CAPTURE_ERROR ? 1 : 0;
}
