/* The pipeline for one run: frames -> decode -> flow table -> connections
 * (conn.c) -> reports. Files read one after another feed the same analyzer,
 * so connections continue across rotated captures. */
#ifndef TLSD_ANALYZER_H
#define TLSD_ANALYZER_H

#include "tlsd/capture.h"
#include "tlsd/conn.h"

struct tlsd_analyzer; /* opaque */

TLSD_MUST_USE struct tlsd_analyzer *tlsd_analyzer_new(struct tlsd_ctx *ctx,
						      const struct tlsd_conn_cfg *cfg);
/* The same with TCP on `threads` threads in all (workers.h: this one, the
 * reader, keeps a share of the connections, threads - 1 worker threads
 * take the rest; 0 or 1: everything on this thread). worker_certs: one
 * certificate stage per share ([0] the reader's), each with its own store
 * (its caches are not shared), when cfg->certs is set. The reports, their
 * order, the summary and the counters are those of one thread. */
TLSD_MUST_USE struct tlsd_analyzer *tlsd_analyzer_new_threads(
	struct tlsd_ctx *ctx, const struct tlsd_conn_cfg *cfg, unsigned threads,
	const struct tlsd_cert_checks *worker_certs);
void tlsd_analyzer_free(struct tlsd_analyzer *a);

/* With worker threads, lets them read the frames of cap where the capture
 * read them, without a copy per TCP segment (tlsd_capture_share_buffers);
 * nothing without threads or when the capture cannot. Call right after
 * opening cap. */
void tlsd_analyzer_share_buffers(struct tlsd_analyzer *a, struct tlsd_capture *cap);
/* Packets come from an interface, not a file: a stretch without packets is
 * time passing, not a discontinuity of the capture (ctx.h). */
void tlsd_analyzer_set_live(struct tlsd_analyzer *a, bool live);
/* Several files are one capture, read in turn. Whether the first frame of
 * the next one, stamped ts, restarts the capture clock: it is earlier than
 * the last frame by more than a second (ctx.h, tlsd_ctx_clock_restarts;
 * never for a live capture). Then tlsd_analyzer_restart(a, ts) ends every
 * open connection there, as at the end of input (their reports go out with
 * the next tlsd_analyzer_sync, before the output names the new file), and
 * sets the clock back to ts; the frame follows as any other. */
bool tlsd_analyzer_clock_restarts(const struct tlsd_analyzer *a, tlsd_time_ns ts);
void tlsd_analyzer_restart(struct tlsd_analyzer *a, tlsd_time_ns ts);
/* One captured frame (any supported link type). */
void tlsd_analyzer_frame(struct tlsd_analyzer *a, const struct tlsd_frame *fr);
/* A frame of a file that the capture filter rejected: it takes its frame
 * number and moves the capture clock (the capture was running), nothing
 * else. */
void tlsd_analyzer_filtered(struct tlsd_analyzer *a, const struct tlsd_frame *fr);
/* Live capture with no packets for a while: advance the capture clock to
 * `now` so idle connections expire and get reported. */
void tlsd_analyzer_tick(struct tlsd_analyzer *a, tlsd_time_ns now);
/* Reports every connection ended so far (with threads: waits for the
 * workers), e.g. before the output starts naming another capture file. */
void tlsd_analyzer_sync(struct tlsd_analyzer *a);
/* End of input: every open connection ends with how = capture_end. With
 * threads, the workers' counters are then added to ctx. */
void tlsd_analyzer_finish(struct tlsd_analyzer *a);
/* Where capture files put the TLS secrets they carry (pcapng), for the key
 * log the connections read (cfg->keylog, given again writable): that key
 * log itself, or with threads one the analyzer moves into it between
 * frames, while no worker reads it. */
struct tlsd_keylog *tlsd_analyzer_secrets(struct tlsd_analyzer *a, struct tlsd_keylog *keylog);

#endif
