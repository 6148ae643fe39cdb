/* One DTLS association seen on a UDP flow: datagrams -> records (dtls.h) ->
 * handshake fragments reassembled per direction in message_seq order
 * (rangebuf.h, capped) -> whole messages into the same session state
 * machine as TLS over TCP (ClientHello, ServerHello, certificates, alerts,
 * ChangeCipherSpec, protected Finished), plus the transport's own facts for
 * diagnose_udp.c: HelloVerifyRequest cookies, flights and their
 * retransmissions (a message_seq seen again, a ChangeCipherSpec sent again),
 * epochs, DTLS 1.3 unified headers, ICMP errors.
 *
 * Retransmitted copies never reach the session: each message is delivered
 * once, in message_seq order; a later copy with the same type and length is
 * a retransmission, one with another is a peer that numbered anew (a
 * stateless server after its HelloVerifyRequest). Protected records are
 * not decrypted. No allocation per datagram: a message that arrives whole
 * in one fragment is handed over in place; fragmented ones are assembled
 * in a few reusable buffers per direction. */
#ifndef TLSD_DTLS_CONN_H
#define TLSD_DTLS_CONN_H

#include "tlsd/conn.h"
#include "tlsd/udp_flow.h"

/* Shared by every association of a run. */
struct tlsd_dtls_env {
	struct tlsd_ctx *ctx;
	const struct tlsd_conn_cfg *cfg; /* certs, no_fingerprints */
};

struct tlsd_dtls_conn;

/* NULL on OOM. The datagram that started it comes through _datagram. */
TLSD_MUST_USE struct tlsd_dtls_conn *tlsd_dtls_conn_new(const struct tlsd_dtls_env *env,
							const struct tlsd_pkt *pkt);
void tlsd_dtls_conn_free(struct tlsd_dtls_conn *dc);

enum tlsd_dtls_feed {
	TLSD_DTLS_FEED_OK = 0,
	/* A ClientHello with another random from the client (not a cookie hello
	 * answering a HelloVerifyRequest): a new association on the same
	 * 5-tuple. Nothing of it was taken: end this one and start one. */
	TLSD_DTLS_FEED_NEW_ASSOCIATION,
};

/* A datagram whose first byte says DTLS (tlsd_dtls_demux). */
TLSD_MUST_USE enum tlsd_dtls_feed tlsd_dtls_conn_datagram(struct tlsd_dtls_conn *dc,
							  enum tlsd_dir d,
							  const struct tlsd_pkt *pkt);
/* A datagram of another protocol multiplexed on the same 5-tuple (STUN,
 * ZRTP, TURN, RTP/RTCP): counted only. */
void tlsd_dtls_conn_other(struct tlsd_dtls_conn *dc, enum tlsd_dir d, const struct tlsd_pkt *pkt);
/* An ICMP error quoting a datagram of direction d. */
void tlsd_dtls_conn_icmp(struct tlsd_dtls_conn *dc, const struct tlsd_udp_flow *f,
			 enum tlsd_dir d, const struct tlsd_pkt *pkt);
/* Ends the association and builds its report; r borrows from the
 * association until it is freed. */
void tlsd_dtls_conn_report(struct tlsd_dtls_conn *dc, const struct tlsd_udp_flow *f,
			   enum tlsd_udp_end how, struct tlsd_report *r);

#endif
