/* Per-connection glue between the flow table and the TLS layer: decides by
 * content whether a TCP connection carries TLS, feeds each direction's
 * in-order bytes to its record framer, passes framer and TCP events to the
 * session state machine, asks the reassembler to skip encrypted bodies, and
 * hands a finished connection's report to the sink. */
#ifndef TLSD_CONN_H
#define TLSD_CONN_H

#include "tlsd/flow_table.h"
#include "tlsd/report.h"

struct tlsd_keylog;

struct tlsd_cert_checks; /* session.h */

/* The order of a connection's report among those of one event (a packet,
 * a live tick, the end of input), the same whichever worker thread ends
 * it (analyzer.c): connections ended idle first, then those pushed out by
 * --max-flows, then the one the packet itself ends, then UDP's. */
enum tlsd_conn_rank {
	TLSD_CONN_RANK_IDLE = 0, /* timed out, or still open at the end of input */
	TLSD_CONN_RANK_EVICTED,
	TLSD_CONN_RANK_PACKET,   /* FIN, RST, or a SYN reusing the 5-tuple */
	TLSD_CONN_RANK_UDP,
};

/* A finished connection handed to the sink (cfg.take). Its report and
 * everything the report borrows stay valid until d->release(d), which puts
 * its memory back on the mux's free lists: call it on the thread that runs
 * the mux, or once that thread is stopped (workers.c hands releases back
 * to their worker). It may come after tlsd_conn_mux_free(), which then
 * leaves the last release to free the mux. */
struct tlsd_conn_done {
	struct tlsd_report *r; /* NULL: nothing to show (if_known_server counts only) */
	const uint8_t *frames; /* -w: the kept packets (TLSD_CONN_FRAME_HDR layout), or NULL */
	size_t frames_len;
	enum tlsd_conn_rank rank;
	uint64_t seq;          /* TCP: frame number of the connection's first packet */
	/* TCP: the server, remembered as speaking TLS when tls_server is set
	 * (a report with a version). */
	struct tlsd_endpoint server;
	uint8_t ip_version;
	bool tls_server;
	/* Non-NULL: a client's plain text answered only by a close, on a port
	 * not registered for TLS. It is a connection (client_not_tls) only if
	 * its server is known to speak TLS when the sink takes it in order,
	 * and then these counts are added to the run's. */
	struct tlsd_counters *if_known_server;
	void (*release)(struct tlsd_conn_done *d);
	void *owner;           /* the producer's, for release */
	/* The sink's: its place in the output order, a list link, and where
	 * the producer's release went when the sink put its own in between. */
	uint64_t event;
	struct tlsd_conn_done *next;
	void (*producer_release)(struct tlsd_conn_done *d);
	void *sink_ud;
};

struct tlsd_conn_cfg {
	const uint16_t *ports; /* follow only these ports (either side); NULL = all */
	size_t n_ports;
	/* Called once per TLS connection when it ends; report valid during the call.
	 * The sink may add diagnoses to it. frames/frames_len: the packets kept
	 * for -w (TLSD_CONN_FRAME_HDR layout below), or NULL. */
	void (*emit)(void *ud, struct tlsd_report *r, const struct tlsd_flow *f,
		     const uint8_t *frames, size_t frames_len);
	void *ud;
	/* What the connection muxes call instead, once per finished TLS
	 * connection (analyzer.c puts them in order and calls emit, f NULL).
	 * NULL: the connection is released unreported. */
	void (*take)(void *ud, struct tlsd_conn_done *d);
	void *take_ud;
	bool keep_frames;      /* -w: keep up to lim.snap_flow bytes of frames per flow */
	bool no_fingerprints;  /* the output shows no JA3/JA4: skip computing them */
	/* Certificate stage handed to every session (session.h); NULL = off.
	 * Must outlive the mux. */
	const struct tlsd_cert_checks *certs;
	/* Key log (--keylog): protected records of connections whose keys it
	 * holds are decrypted (alerts, TLS 1.3 certificates). NULL = off. */
	const struct tlsd_keylog *keylog;
};

/* Frames kept for -w are packed as: u64 ts_ns, u32 caplen, u32 wirelen,
 * i32 link type (DLT), bytes. */
#define TLSD_CONN_FRAME_HDR 20

struct tlsd_conn_mux; /* the flow-table consumer for all connections */

TLSD_MUST_USE struct tlsd_conn_mux *tlsd_conn_mux_new(struct tlsd_ctx *ctx,
						      const struct tlsd_conn_cfg *cfg);
void tlsd_conn_mux_free(struct tlsd_conn_mux *m);
/* The ops and user data to give tlsd_flow_table_new(). */
const struct tlsd_flow_ops *tlsd_conn_mux_ops(void);
/* Must be called once the table exists (the glue asks it to skip bytes). */
void tlsd_conn_mux_attach(struct tlsd_conn_mux *m, struct tlsd_flow_table *t);

#endif
