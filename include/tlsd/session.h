/* The per-connection handshake observer: consumes the TLS framer's events and
 * the TCP events of one connection, drives an explicit state machine
 * (transition tables, s2n-tls style, with per-state whitelists of accepted
 * messages, picotls style) and keeps the facts a diagnosis needs. It decides
 * nothing about causes: diagnose.c turns a finished session into a report.
 *
 * The glue (conn.c) calls these in wire order for both directions. */
#ifndef TLSD_SESSION_H
#define TLSD_SESSION_H

#include <stdatomic.h>

#include "tlsd/flow_table.h"
#include "tlsd/report.h"
#include "tlsd/tls_record.h"

struct tlsd_session; /* defined in session_facts.h for diagnose.c and tests */
struct tlsd_cert_store;

/* The certificate stage of a run (cert.h): one store per run, which answers
 * one call at a time; sessions only borrow it. Made by the caller (main),
 * handed to each session by the glue. */
struct tlsd_cert_checks {
	struct tlsd_cert_store *store; /* NULL: no certificate stage */
	uint32_t max_chain;            /* certificates kept per chain, 1..TLSD_CERT_MAX_CHAIN */
	int expiry_warning_days;       /* expires_soon threshold; <= 0: off */
	struct tlsd_ctx *ctx;          /* cap events are counted here; may be NULL */
	/* Verify the ServerKeyExchange signature on every connection, also when
	 * the client went on (and so had verified it itself). Off by default:
	 * a public-key operation per connection that can only agree. */
	bool verify_all_signatures;
	/* The run shows no established connection in detail (no --all): their
	 * chains are not checked at all (the checks change no verdict, only
	 * the warnings and certificates of a report). */
	bool skip_established;
	/* When it points at true, no report is shown in detail any more (the
	 * grouped view replaced them, and neither --summary nor a result
	 * filter reads their warnings): the ServerKeyExchange signature of a
	 * connection that did not fail is not checked, since its answer would
	 * only be a warning of such a report (a failure's may be its cause).
	 * The output sets it on the reader thread while workers read it.
	 * NULL: always checked. */
	const atomic_bool *details_unread;
};

TLSD_MUST_USE struct tlsd_session *tlsd_session_new(const struct tlsd_ctx *ctx);
void tlsd_session_free(struct tlsd_session *s);
/* Frees what s owns, not s itself: a struct kept for reuse, which
 * tlsd_session_init (session_facts.h) makes a new session again. */
void tlsd_session_cleanup(struct tlsd_session *s);

/* Enables the certificate stage for this session (before its first
 * handshake message): the server's and the client's TLS <= 1.2 Certificate
 * chains and the ServerKeyExchange signature are kept (bounded copies) and
 * checked once at tcp_end. cc must outlive the session; NULL disables. */
void tlsd_session_set_cert_checks(struct tlsd_session *s, const struct tlsd_cert_checks *cc);
/* Runs the certificate stage now (idempotent; tcp_end calls it, except for an
 * established connection when cc->skip_established). */
void tlsd_session_check_certs(struct tlsd_session *s);

/* TCP facts: called once when the connection becomes a TLS candidate. */
void tlsd_session_tcp_open(struct tlsd_session *s, const struct tlsd_flow *f);

/* QUIC or DTLS instead of TCP: called once, instead of tcp_open, when the
 * client's first datagram was seen (first_ts). The glue fills the
 * transport's facts through tlsd_session_udp_facts(); it ends the session
 * with tlsd_session_tcp_end (TIMEOUT, CAPTURE_END or EVICTED). */
TLSD_MUST_USE bool tlsd_session_udp_open(struct tlsd_session *s, enum tlsd_transport t,
					tlsd_time_ns first_ts); /* false: out of memory */
struct tlsd_udp_facts *tlsd_session_udp_facts(struct tlsd_session *s);
/* What the capture held of direction d of a UDP association (datagrams and
 * their times), for the evidence stage (one-sided captures). Before
 * tcp_end. */
void tlsd_session_udp_cover(struct tlsd_session *s, enum tlsd_dir d, uint32_t datagrams,
			    tlsd_time_ns first_ts, tlsd_time_ns last_ts);

/* The report will not show JA3/JA4 (text output): do not compute them. */
void tlsd_session_skip_fingerprints(struct tlsd_session *s);

/* The capture began after the SYN and the side first taken for the server
 * sent the ClientHello: the roles were swapped (history `^`). */
void tlsd_session_roles_flipped(struct tlsd_session *s);

/* Framer events (see tls_record.h). */
void tlsd_session_record(struct tlsd_session *s, enum tlsd_dir d, const struct tlsd_record_info *ri);
void tlsd_session_handshake(struct tlsd_session *s, enum tlsd_dir d, const struct tlsd_hs_msg *m);
void tlsd_session_alert(struct tlsd_session *s, enum tlsd_dir d, uint8_t level, uint8_t desc,
			uint64_t off, tlsd_time_ns ts);
/* A plaintext handshake record of direction d after its ChangeCipherSpec
 * was taken for TLS 1.3's compatibility one, with no ServerHello to tell
 * the version: TLS 1.3 protects everything after that CCS as application
 * data (the plaintext hellos after a HelloRetryRequest aside), so this is
 * TLS <= 1.2's encrypted Finished and the CCS did switch keys. Returns true
 * (and notes it) when the caller must treat the record as protected. */
TLSD_MUST_USE bool tlsd_session_ccs_switched_keys(struct tlsd_session *s, enum tlsd_dir d,
						  const struct tlsd_record_info *ri);
/* Returns true when records of this direction are encrypted from now on
 * (TLS <= 1.2); a TLS 1.3 compatibility CCS returns false. */
TLSD_MUST_USE bool tlsd_session_ccs(struct tlsd_session *s, enum tlsd_dir d, uint64_t off,
				    tlsd_time_ns ts);
void tlsd_session_heartbeat(struct tlsd_session *s, enum tlsd_dir d, uint64_t off, uint16_t len);
void tlsd_session_anomaly(struct tlsd_session *s, enum tlsd_dir d, enum tlsd_anomaly a,
			  uint64_t off, const char *what);
void tlsd_session_framing_lost(struct tlsd_session *s, enum tlsd_dir d, enum tlsd_framing why,
			       uint64_t off, const uint8_t *sample, size_t sample_len);

/* The first bytes of direction d's stream, as many as the framer kept by
 * the end: replace the shorter sample noted when it was found not to be TLS
 * (evidence must not depend on how the stream was cut into segments). */
void tlsd_session_stream_start(struct tlsd_session *s, enum tlsd_dir d, const uint8_t *p,
			       size_t len);

/* Key-log decryption (conn.c decrypts; the session only learns what the
 * protected records said). */
struct tlsd_session_crypto {
	uint16_t version, suite;
	uint8_t client_random[32], server_random[32];
	bool encrypt_then_mac; /* both hellos carried encrypt_then_mac */
};
/* What decrypting this connection needs, once a ServerHello (not a
 * HelloRetryRequest) was parsed; false before. */
TLSD_MUST_USE bool tlsd_session_crypto_params(const struct tlsd_session *s,
					      struct tlsd_session_crypto *out);
/* A decrypted alert. A TLS <= 1.2 alert record was first noted as encrypted
 * when its header arrived; this replaces it with what it said. */
void tlsd_session_alert_decrypted(struct tlsd_session *s, enum tlsd_dir d, uint8_t level,
				  uint8_t desc, uint64_t off, tlsd_time_ns ts);
/* Decrypted handshake messages come through tlsd_session_handshake() with
 * m->decrypted set: they add facts (certificate chains, CertificateRequest,
 * Finished) without moving the record-based state machine. */

/* TCP events. f (may be NULL) gives per-side TTL/IP ID history for
 * middlebox evidence and the ACKs that say what each side had received. */
void tlsd_session_tcp_fin(struct tlsd_session *s, const struct tlsd_flow *f, enum tlsd_dir d,
			  tlsd_time_ns ts);
void tlsd_session_tcp_rst(struct tlsd_session *s, const struct tlsd_flow *f, enum tlsd_dir d,
			  const struct tlsd_rst_info *ri);
void tlsd_session_tcp_gap(struct tlsd_session *s, enum tlsd_dir d, uint64_t off, uint64_t len);
/* The client's stream ended inside a handshake record (have of want bytes;
 * want 0: unknown): its first ClientHello never arrived whole. */
void tlsd_session_hello_cut(struct tlsd_session *s, uint32_t have, uint32_t want);
/* The connection ended; f (may be NULL) gives what the capture held of
 * each direction (struct tlsd_sess_cover). */
void tlsd_session_tcp_end(struct tlsd_session *s, const struct tlsd_flow *f, enum tlsd_flow_end how,
			  tlsd_time_ns ts);

/* The handshake is over (established or failed) and nothing later can change
 * the verdict except the TCP ending: the glue may stop parsing plaintext. */
bool tlsd_session_handshake_over(const struct tlsd_session *s);
/* Records that look like TLS but no hello ever, on a connection seen from
 * its SYN (catalog row 32): not a TLS connection, not reported. */
bool tlsd_session_lookalike(const struct tlsd_session *s);
/* Established: nothing later changes the verdict, however long it idles. */
bool tlsd_session_established(const struct tlsd_session *s);

/* Starts loading the whole session into the cache: the end of a connection
 * (tcp_end, the report, the diagnosis) reads fields all over it, each line
 * last touched long before, and waiting for them all at once beats waiting
 * for each in turn. A hint only. */
void tlsd_session_prefetch(const struct tlsd_session *s);

/* Builds the verdict (diagnose.c). The session must have seen tcp_end.
 * out->certs and out->client_certs are the session's references (answers
 * shared with its worker's other sessions, read-only): the report must not
 * be used after tlsd_session_free(s). Arrays past their counts (diags,
 * arena, comments) are left as they were: read them only up to their
 * counts. */
void tlsd_session_report(const struct tlsd_session *s, const struct tlsd_flow *f,
			 struct tlsd_report *out);

#endif
