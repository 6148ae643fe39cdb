/* TCP analysis on worker threads (--threads N).
 *
 * The reader thread (analyzer.c) reads and decodes every frame, IP
 * fragments and UDP included, and hands the TCP segments to worker
 * k = tlsd_workers_pick() (a hash of the unordered 5-tuple, so both
 * directions of a connection meet in one worker). Each worker owns a flow
 * table, a connection mux, a certificate store (its caches) and a copy of
 * the analysis context.
 *
 * Frames cross in batches: one batch, filled by the reader, is read by
 * every worker (a bounded ring of TLSD_WORKERS_BATCHES of them: the reader
 * waits when the slowest worker is that far behind). A batch holds every
 * event (frame, live tick, end of input) with its time and frame number,
 * and copies of the TCP segments' bytes (nothing is allocated per packet),
 * or only pointers to them when the capture keeps them in shared buffers.
 * Each worker moves its context's clock, frame number and silences with
 * every event, its own or not, and expires its idle connections at every
 * TCP packet, as a single table does: its connections end at the same
 * events, with the same clocks, as without threads.
 *
 * Finished connections come back in each worker's order (merge.h), at
 * most TLSD_WORKERS_OUTPUT waiting per worker (it waits for the reader
 * beyond that), and the reader merges them with its own (UDP) in the order
 * of merge.h whenever it hands over a batch or waits: the reports, the
 * summary and the counters do not depend on the number of workers.
 *
 * Limits shared by all connections are split: each worker tracks up to
 * lim.max_flows / N connections, holds up to lim.reasm_mem / N bytes out
 * of order and remembers 1/N of the closed connections' 5-tuples
 * (flow_table.h, graves), so a capture that reaches them can end
 * differently. */
#ifndef TLSD_WORKERS_H
#define TLSD_WORKERS_H

#include "tlsd/conn.h"
#include "tlsd/merge.h"
#include "tlsd/session.h"

#define TLSD_WORKERS_MAX 64
#define TLSD_WORKERS_BATCHES 8
/* Finished connections (each holding its ~5 KiB report) waiting per worker
 * for the merger: 512 held 6 MiB more at the peak of a million short
 * connections, for no measured gain. */
#define TLSD_WORKERS_OUTPUT 128
/* Capture buffers read in turn when the capture shares them: 4 MiB of a
 * file in flight, the reader at most that far ahead of the slowest worker
 * (32 buffers measured no faster on corpus-1g and held 8 MiB more; 8
 * leave workers with bursts of certificate checks little slack). */
#define TLSD_WORKERS_SHARED 16

struct tlsd_workers_cfg {
	unsigned n;                   /* 2..TLSD_WORKERS_MAX */
	const struct tlsd_ctx *ctx;   /* limits */
	const struct tlsd_conn_cfg *conn; /* each worker's mux (its take is replaced) */
	const struct tlsd_cert_checks *certs; /* n of them (own stores), or NULL */
	struct tlsd_merge *merge;
	struct tlsd_merge_stream *local; /* the reader's own connections */
};

struct tlsd_workers; /* opaque */

TLSD_MUST_USE struct tlsd_workers *tlsd_workers_new(const struct tlsd_workers_cfg *c);
/* Stops the threads; what was not merged is released unreported. */
void tlsd_workers_free(struct tlsd_workers *w);

/* The worker of a TCP segment among n: the same for both directions. */
unsigned tlsd_workers_pick(const struct tlsd_pkt *pkt, unsigned n);

/* One frame (event number event, the ctx's frame number and time after
 * it); tcp: its TCP segment, or NULL. live: the time is an interface's. */
void tlsd_workers_frame(struct tlsd_workers *w, uint64_t event, uint64_t frame_no,
			tlsd_time_ns ts, bool live, const struct tlsd_pkt *tcp);
/* tlsd_capture_reuse_fn for tlsd_capture_share_buffers(), ud = the
 * workers: returns once no batch handed over or being filled points into
 * capture buffer `buffer` (-1: into any), handing the batch being filled
 * over and merging while it waits. Segments whose frame lies in a shared
 * buffer are then not copied into the batch. */
void tlsd_workers_reuse(void *ud, int buffer);
/* A live capture's tick: the clock moves to now; idle connections end. */
void tlsd_workers_tick(struct tlsd_workers *w, uint64_t event, uint64_t frame_no, tlsd_time_ns now);
/* End of input: every open connection ends (event TLSD_MERGE_END). */
void tlsd_workers_finish(struct tlsd_workers *w, uint64_t frame_no);
/* Waits until the workers have done every event handed over, merging
 * meanwhile; then merges all that can be. */
void tlsd_workers_sync(struct tlsd_workers *w);
/* Hands the batch being filled over when it is older than max_age_ns of
 * the monotonic clock (live captures: reports within a second). */
void tlsd_workers_flush_old(struct tlsd_workers *w, int64_t max_age_ns);
/* Adds the workers' counters to cnt, except what every worker counts for
 * the whole capture (its silences): call after tlsd_workers_sync. */
void tlsd_workers_add_counters(const struct tlsd_workers *w, struct tlsd_counters *cnt);

#endif
