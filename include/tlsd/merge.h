/* Finished connections from several producers (the TCP workers, the UDP
 * table) into one order, the same however the work was split, and on to
 * the report sink (struct tlsd_conn_cfg emit).
 *
 * The order is (event, rank, seq): the event that ended the connection (a
 * packet or a live tick, numbered as read; the end of input last), then
 * struct tlsd_conn_done's rank, then its seq (a TCP connection's first
 * frame; the UDP table's own order). Each producer hands its connections
 * over in that order (flow_table.c ends the idle ones of one packet in the
 * order of their first frame), so merging is a k-way merge.
 *
 * Cross-connection state that depends on that order lives here too: the
 * servers seen speaking TLS, which decide whether a client's plain text
 * answered only by a close is a TLS connection (client_not_tls). */
#ifndef TLSD_MERGE_H
#define TLSD_MERGE_H

#include "tlsd/conn.h"

#define TLSD_MERGE_END UINT64_MAX /* the event number of the end of input */

/* One producer's connections, in its order. {0} is empty. */
struct tlsd_merge_stream {
	struct tlsd_conn_done *head, *tail;
	size_t queued;
	uint64_t emitted;   /* taken from this stream so far */
	uint64_t watermark; /* every connection of the events up to here is queued */
	bool has_floor;     /* floor: the last one queued; later ones sort after it */
	struct tlsd_conn_done floor;
};

struct tlsd_merge; /* opaque */

/* sink: emit and ud are used. counts: where the counts of accepted
 * if_known_server connections go (the run's). */
TLSD_MUST_USE struct tlsd_merge *tlsd_merge_new(const struct tlsd_conn_cfg *sink,
						struct tlsd_counters *counts);
void tlsd_merge_free(struct tlsd_merge *mg);

/* a before b in the output order. */
bool tlsd_merge_before(const struct tlsd_conn_done *a, const struct tlsd_conn_done *b);

/* Hands one connection to the sink now and releases it (the caller keeps
 * the order). */
void tlsd_merge_emit(struct tlsd_merge *mg, struct tlsd_conn_done *d);

void tlsd_merge_stream_push(struct tlsd_merge_stream *s, struct tlsd_conn_done *d);
/* Releases what a stream still holds, unreported. */
void tlsd_merge_stream_drop(struct tlsd_merge_stream *s);

/* Emits, in order, every queued connection that no stream can still
 * precede (given their heads, floors and watermarks). Returns how many. */
size_t tlsd_merge_run(struct tlsd_merge *mg, struct tlsd_merge_stream *const *s, size_t n);

#endif
