/* One QUIC connection seen on a UDP flow: packets -> Initial (and, with a
 * key log, Handshake and 1-RTT) decryption -> CRYPTO streams reassembled
 * per packet number space and direction -> handshake messages into the same
 * session state machine as TLS over TCP, plus the transport's facts
 * (versions, Version Negotiation, Retry, CONNECTION_CLOSE, stateless reset,
 * ICMP) for diagnose_udp.c. */
#ifndef TLSD_QUIC_CONN_H
#define TLSD_QUIC_CONN_H

#include "tlsd/conn.h"
#include "tlsd/quic.h"
#include "tlsd/udp_flow.h"

/* Shared by every QUIC connection of a run. */
struct tlsd_quic_env {
	struct tlsd_ctx *ctx;
	const struct tlsd_conn_cfg *cfg; /* keylog, certs, no_fingerprints */
	struct tlsd_quic_crypto *crypto;
	struct tlsd_udp_table *table;    /* connection IDs are registered here */
};

struct tlsd_quic_conn;

/* Does this datagram start a QUIC connection: a long-header Initial of a
 * version we read, in a datagram of at least 1200 bytes? */
bool tlsd_quic_starts_connection(const struct tlsd_pkt *pkt);

/* NULL on OOM. The datagram that started it comes through _datagram. */
TLSD_MUST_USE struct tlsd_quic_conn *tlsd_quic_conn_new(const struct tlsd_quic_env *env,
							struct tlsd_udp_flow *f,
							const struct tlsd_pkt *pkt);
void tlsd_quic_conn_free(struct tlsd_quic_conn *qc);

enum tlsd_quic_feed {
	TLSD_QUIC_FEED_OK = 0,
	/* A client Initial with another Source Connection ID: a new connection
	 * on the same 5-tuple (after Version Negotiation, or a new attempt).
	 * Nothing of it was taken: end this one and start one with it. */
	TLSD_QUIC_FEED_NEW_CONNECTION,
};

TLSD_MUST_USE enum tlsd_quic_feed tlsd_quic_conn_datagram(struct tlsd_quic_conn *qc,
							  struct tlsd_udp_flow *f,
							  enum tlsd_dir d,
							  const struct tlsd_pkt *pkt);
/* An ICMP error quoting a datagram of direction d. */
void tlsd_quic_conn_icmp(struct tlsd_quic_conn *qc, const struct tlsd_udp_flow *f,
			 enum tlsd_dir d, const struct tlsd_pkt *pkt);
/* Ends the connection (last_ts: its last packet) and builds its report; r
 * borrows from the connection until it is freed. */
void tlsd_quic_conn_report(struct tlsd_quic_conn *qc, const struct tlsd_udp_flow *f,
			   enum tlsd_udp_end how, struct tlsd_report *r);

#endif
