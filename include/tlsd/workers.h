/* TCP analysis on several threads (--threads N: N threads in all).
 *
 * The reader thread (analyzer.c) reads and decodes every frame, IP
 * fragments and UDP included, and splits the TCP connections into N
 * shares by a hash of the unordered 5-tuple (tlsd_workers_pick: both
 * directions of a connection meet in one share). Share 0 is the reader's
 * own: it analyses those connections itself as each frame comes, without a
 * copy or a hand-over; shares 1..N-1 each have a worker thread. Each share
 * owns a flow table, a connection mux, a certificate store (its caches)
 * and a copy of the analysis context. The reader's share is the smaller
 * (tlsd_workers_part: it also reads, decodes and reports everything), a
 * fixed part, never one that follows the load: where a connection goes
 * depends on its addresses and ports alone.
 *
 * Frames cross to the worker threads in batches: one batch, filled by the
 * reader, is read by every worker (a bounded ring of TLSD_WORKERS_BATCHES
 * of them: the reader waits when the slowest worker is that far behind).
 * A batch holds every event (frame, live tick, end of input) with its time
 * and frame number, and copies of the worker threads' TCP segments' bytes
 * (nothing is allocated per packet), or only pointers to them when the
 * capture keeps them in shared buffers. Each share, the reader's too,
 * moves its context's clock, frame number and silences with every event,
 * its own or not, and expires its idle connections at every TCP packet,
 * whichever share has it, as a single table does: its connections end at
 * the same events, with the same clocks, as without threads.
 *
 * Finished connections come back in each share's order (merge.h), at most
 * TLSD_WORKERS_OUTPUT waiting per worker thread (it waits for the reader
 * beyond that; the reader's own wait as long as the slowest worker is
 * behind it, at most TLSD_WORKERS_BATCHES batches), and the reader merges
 * them with its UDP ones in the order of merge.h whenever it hands over a
 * batch or waits: the reports, the summary and the counters do not depend
 * on the number of threads.
 *
 * Limits shared by all connections are split as the connections are:
 * share k tracks up to tlsd_workers_part(lim.max_flows, N, k) connections,
 * holds up to tlsd_workers_part(lim.reasm_mem, N, k) bytes out of order
 * and remembers about that part of the closed connections' 5-tuples
 * (flow_table.h, graves: each share's count is a power of two, the one
 * nearest its part). A capture that reaches a limit can end differently
 * than on one thread: a table is full, or out of reassembly memory, when
 * its own part is, whatever the others hold; the connection --max-flows
 * evicts is the least recently active of that table, not of all; and a
 * closed connection's grave is forgotten when its table's graves are full
 * (sooner or later than one table's: their counts are not exact parts).
 * Connections are hashed, not dealt, so a capture whose connections
 * crowd into one share reaches that share's limits first. */
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
	unsigned n;                   /* shares, the reader's included: 2..TLSD_WORKERS_MAX */
	const struct tlsd_ctx *ctx;   /* limits */
	const struct tlsd_conn_cfg *conn; /* each share's mux (its take is replaced) */
	/* n of them, each with its own store, [0] the reader's share's (it may
	 * be the store the reader uses for UDP: same thread); or NULL */
	const struct tlsd_cert_checks *certs;
	struct tlsd_merge *merge;
	struct tlsd_merge_stream *local; /* the reader's own connections */
};

struct tlsd_workers; /* opaque */

TLSD_MUST_USE struct tlsd_workers *tlsd_workers_new(const struct tlsd_workers_cfg *c);
/* Stops the threads; what was not merged is released unreported. */
void tlsd_workers_free(struct tlsd_workers *w);

/* The share of a TCP segment among n (0: the reader's; 0 when n <= 1):
 * the same for both directions. */
unsigned tlsd_workers_pick(const struct tlsd_pkt *pkt, unsigned n);
/* Share k's part of a limit shared by all connections (at least 1): the
 * part of the connections tlsd_workers_pick gives it, on average. */
uint64_t tlsd_workers_part(uint64_t limit, unsigned n, unsigned k);

/* One frame (event number event, the ctx's frame number and time after
 * it); tcp: its TCP segment, or NULL (analysed now when it is the reader's
 * share's). live: the time is an interface's. */
void tlsd_workers_frame(struct tlsd_workers *w, uint64_t event, uint64_t frame_no,
			tlsd_time_ns ts, bool live, const struct tlsd_pkt *tcp);
/* The capture clock restarts at ts (event number event; analyzer.h,
 * tlsd_analyzer_restart): every share ends its open connections, as at the
 * end of input, and sets its clock back (ctx.h, tlsd_ctx_restart). */
void tlsd_workers_restart(struct tlsd_workers *w, uint64_t event, uint64_t frame_no,
			  tlsd_time_ns ts);
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
/* Adds the shares' counters to cnt, except what every share counts for
 * the whole capture (its silences): call after tlsd_workers_sync. */
void tlsd_workers_add_counters(const struct tlsd_workers *w, struct tlsd_counters *cnt);

#endif
