/* The facts a session keeps about one TLS connection (the state machine's
 * output). Public so that diagnose.c and the tests can build sessions by
 * hand; everything else goes through session.h. All storage is bounded: the
 * observed peers control how many events arrive, never how much is kept. */
#ifndef TLSD_SESSION_FACTS_H
#define TLSD_SESSION_FACTS_H

#include "tlsd/buf.h"
#include "tlsd/cert.h"
#include "tlsd/session.h"
#include "tlsd/udp_facts.h"

/* Handshake states (see the transition tables in session.c). */
enum tlsd_sstate {
	TLSD_SS_IDLE = 0,          /* nothing from the client yet */
	TLSD_SS_CLIENT_HELLO,      /* ClientHello seen; the server's turn */
	TLSD_SS_HELLO_RETRY,       /* TLS 1.3 HelloRetryRequest seen */
	TLSD_SS_CLIENT_HELLO2,     /* second ClientHello after the HRR */
	TLSD_SS_HELLO_VERIFY,      /* DTLS HelloVerifyRequest seen: the client's cookie hello next */
	/* TLS <= 1.2 (and SSL 3.0) full handshake */
	TLSD_SS_SERVER_HELLO,
	TLSD_SS_SERVER_CERT,
	TLSD_SS_SERVER_KX,
	TLSD_SS_CERT_REQUEST,
	TLSD_SS_SERVER_DONE,
	TLSD_SS_CLIENT_CERT,
	TLSD_SS_CLIENT_KX,
	TLSD_SS_CLIENT_CERT_VERIFY,
	TLSD_SS_CLIENT_CCS,
	TLSD_SS_CLIENT_FINISHED,
	TLSD_SS_SERVER_TICKET,
	TLSD_SS_SERVER_CCS,
	/* TLS <= 1.2 abbreviated (resumed) handshake: the server finishes first */
	TLSD_SS_ABBR_TICKET,
	TLSD_SS_ABBR_SERVER_CCS,
	TLSD_SS_ABBR_SERVER_FINISHED,
	TLSD_SS_ABBR_CLIENT_CCS,
	/* TLS 1.3: everything after the ServerHello is encrypted */
	TLSD_SS_TLS13_SERVER_FLIGHT, /* EE, Certificate, CV, Finished (encrypted) */
	TLSD_SS_TLS13_CLIENT_FLIGHT, /* client's [Certificate, CV,] Finished */
	TLSD_SS_TLS13_POST,          /* server records after the client's flight */
	TLSD_SS_ESTABLISHED,         /* TLS <= 1.2: both Finished seen */
	TLSD_SS__COUNT
};

const char *tlsd_sstate_name(enum tlsd_sstate st);

/* One alert as seen on the wire. */
struct tlsd_sess_alert {
	enum tlsd_dir dir;
	bool encrypted;       /* TLS <= 1.2 type-21 record after CCS: content unreadable */
	bool decrypted;       /* protected on the wire, read with the key log */
	uint8_t level, desc;  /* 0 when encrypted */
	enum tlsd_sstate state; /* handshake state when it arrived */
	bool before_peer_ccs; /* the other side had not sent ChangeCipherSpec yet */
	uint64_t off;
	tlsd_time_ns ts;
};

/* One encrypted record (size and type only). */
struct tlsd_sess_enc_rec {
	uint8_t type;
	uint16_t len;
	enum tlsd_sstate state; /* handshake state it arrived in: which flight */
	tlsd_time_ns ts;
};

#define TLSD_SESS_MAX_ALERTS 8 /* alerts kept (last_alert); all are counted */
#define TLSD_SESS_ENC_FIRST 6
#define TLSD_SESS_ENC_LAST 4
#define TLSD_SESS_RST_WHY_LEN 128
#define TLSD_SESS_WHAT_LEN 96

/* Per direction (index enum tlsd_dir): the TCP and record-layer facts. */
struct tlsd_sess_dir {
	/* Records: what every record of this direction updates, first (the
	 * fields of each part are ordered by size: no padding between them). */
	uint32_t records;                    /* all records, plaintext and encrypted */
	uint32_t enc_records;                /* encrypted/application records */
	uint64_t record_bytes;
	tlsd_time_ns first_ts, last_ts;      /* first and last record */
	uint64_t enc_bytes;
	uint32_t app_records;                /* type 23 after the handshake */
	uint32_t hs_msgs;                    /* plaintext handshake messages */
	bool ccs;                            /* ChangeCipherSpec sent */
	bool encrypted;                      /* TLS <= 1.2: protected after its CCS */
	bool finished;                       /* TLS <= 1.2: its encrypted Finished seen */
	/* read with the key log */
	bool decrypted_finished;
	uint32_t decrypted_msgs;
	tlsd_time_ns ccs_ts;
	struct tlsd_sess_enc_rec enc_first[TLSD_SESS_ENC_FIRST];
	struct tlsd_sess_enc_rec enc_last[TLSD_SESS_ENC_LAST]; /* ring, enc_records % N */
	uint32_t heartbeats;
	uint32_t heartbeats_early;           /* before the handshake was complete */
	uint16_t heartbeat_max_len;          /* largest plaintext heartbeat record */
	/* TCP */
	bool fin, rst;
	tlsd_time_ns fin_ts, rst_ts;
	/* What this side had received when it sent its first FIN or RST: the
	 * evidence for "who acted first" and "what had it seen". */
	tlsd_time_ns end_ts;
	uint64_t end_acked;            /* bytes of the peer's stream it had acknowledged */
	uint64_t end_peer_captured;    /* bytes of the peer's stream the capture held by then */
	tlsd_time_ns end_peer_last_ts; /* the peer's last record before it (0 none) */
	uint32_t end_peer_records;     /* the peer's records by then */
	bool end_seen;
	bool end_acked_known;
	bool rst_middlebox;                  /* evidence says a middlebox sent it */
	bool gap;                            /* bytes missing in this direction */
	struct tlsd_rst_info rst_info;
	/* The middlebox evidence, for the report: TLSD_SESS_RST_WHY_LEN bytes
	 * on the heap from this side's RST on (NULL before; freed with the
	 * session). */
	char *rst_why;
	uint64_t gap_off, gap_len;           /* the first gap */
	int16_t rst_hist_pos;                /* its symbol in the history, -1 none */
	bool gap_in_handshake;               /* ... before the handshake was over */
	/* Framing */
	uint8_t sample_len;
	enum tlsd_framing framing;           /* why framing stopped (OK: it did not) */
	uint64_t framing_off;
	uint8_t sample[TLSD_SAMPLE_LEN];     /* first bytes at the point of failure */
};

/* What the capture holds of one direction (by sender), copied from the flow
 * when the connection ends: the evidence stage's coverage facts. */
struct tlsd_sess_cover {
	uint64_t captured;             /* stream bytes the capture holds (highest offset seen) */
	uint64_t snap_cut;             /* payload bytes cut by the capture's snap length */
	uint64_t acked;                /* stream bytes the peer acknowledged (acked_known) */
	tlsd_time_ns first_ts, last_ts;
	uint32_t packets;              /* packets of this side captured */
	bool known;                    /* filled from a flow */
	bool syn;                      /* its SYN (client) or SYN-ACK (server) captured */
	bool stream_started;           /* stream offsets anchored */
	bool acked_known;
	uint8_t ttl;                   /* of its first packet */
};

/* TLS 1.3 flights, counted from the encrypted records after the ServerHello
 * (sizes are all a passive observer has without keys). */
struct tlsd_sess_tls13 {
	uint64_t srv_flight_bytes;
	uint64_t cli_flight_bytes;
	tlsd_time_ns cli_flight_ts;    /* the client flight's first record */
	tlsd_time_ns cli_flight_last_ts;
	tlsd_time_ns post_srv_first_ts;
	uint32_t early_records;        /* client type-23 records before the ServerHello (0-RTT) */
	uint32_t srv_flight;           /* server records before the client's flight */
	uint32_t cli_flight;           /* client records after the server's flight */
	uint32_t post_srv;             /* server records after the client's flight */
	uint32_t post_cli;             /* client records after that */
	uint16_t srv_flight_last_len;
	uint16_t cli_flight_first_len; /* first one, not counting end_of_early_data */
	uint16_t cli_flight_max_len;
	uint16_t post_srv_first_len;
};

#define TLSD_SESS_HIST_RUN_COLLAPSE 3 /* more than this many D/d in a row collapse */

/* Certificate material for the certificate stage, copied out of plaintext
 * (TLS <= 1.2) Certificate and ServerKeyExchange messages into ONE buffer
 * per connection (mem, hard cap TLSD_SESS_CERT_MEM_CAP), freed with the
 * session. It lives in struct tlsd_sess_cert_mat, on the heap from the
 * first chain or key exchange kept: most open sessions (TLS 1.3, no
 * certificate yet, the stage off) never keep any. Per chain at most
 * max_chain certificates, each at most TLSD_CERT_MAX_DER bytes: a longer chain is cut there, and a larger
 * certificate ends the chain (both count TLSD_ANOM_CAPTURE_CAP_CHAIN). */
#define TLSD_SESS_SKE_MAX_SIG 2048 /* signature bytes kept (RSA 16384 bits) */
#define TLSD_SESS_CERT_MEM_CAP \
	(2u * TLSD_CERT_MAX_CHAIN * TLSD_CERT_MAX_DER + TLSD_SKE_MAX_PARAMS + TLSD_SESS_SKE_MAX_SIG)

struct tlsd_sess_span {
	uint32_t off, len; /* bytes in tlsd_sess_certs.mem */
};

struct tlsd_sess_chain {
	bool seen;                 /* a non-empty Certificate message from this side */
	uint32_t n_sent;           /* certificates on the wire */
	uint8_t n;                 /* kept, leaf first */
	bool capped;               /* some were not kept (cap) */
	struct tlsd_sess_span der[TLSD_CERT_MAX_CHAIN];
};

struct tlsd_sess_cert_mat {
	struct tlsd_buf mem;       /* released once checked (tlsd_session_check_certs) */
	struct tlsd_sess_chain srv, cli;
	uint16_t ske_sig_scheme;   /* TLS 1.2 SignatureScheme; 0 before 1.2 */
	struct tlsd_sess_span ske_params, ske_sig;
};

struct tlsd_sess_certs {
	const struct tlsd_cert_checks *cc; /* NULL: stage off, nothing kept */
	struct tlsd_sess_cert_mat *mat;    /* NULL: nothing kept (yet) */
	/* Results of tlsd_session_check_certs. The findings are immutable answers
	 * of tlsd_cert_check_chain_shared, shared with the worker's other
	 * sessions of the same chain: the session holds a reference to each,
	 * released with it (on the thread that owns cc->store). */
	const struct tlsd_chain_findings *srv_findings, *cli_findings; /* NULL: not checked */
	/* TLSD_CERT_TEXT_LEN bytes on the heap while ske_checked: most
	 * sessions never check a signature, and all of them are open at once. */
	char *ske_detail;
	enum tlsd_sig_result ske_result;
	bool ske_kept;             /* signed (EC)DHE ServerKeyExchange kept */
	bool checked;
	bool ske_checked;
};

/* What a HelloRetryRequest selected (the rest of it is not kept). */
struct tlsd_sess_hrr {
	bool is_hrr;
	uint16_t version;              /* tlsd_server_hello_version */
	uint16_t suite;
	uint16_t key_share_group;
};

/* The two hellos are kept compact: their fixed fields under the names of
 * struct tlsd_client_hello / tlsd_server_hello (s->ch.has_sni reads as it
 * always did), their variable-length lists packed one after another into
 * the session's list store (struct tlsd_sess_lists), as many entries as the
 * hello carries, with the parsers' caps (TLSD_MAX_SUITES, ...) and the
 * counts beyond them (n_suites_total, ...) exactly as parsed. A whole hello
 * with fixed arrays was 1.3 KiB (ClientHello) and 0.5 KiB (ServerHello) of
 * which a typical one fills 200 bytes, in every open connection.
 * Set through tlsd_session_set_client_hello / _set_server_hello, read back
 * whole with tlsd_session_client_hello / _server_hello (fingerprints, the
 * report) or in place with tlsd_session_ch_lists. */

/* Inline bytes of the list store: a ClientHello of today's browsers (some
 * 140-200 bytes of lists) and its ServerHello (under 30) fit, a larger one
 * (old clients offering 60 suites, hostile ones everything up to the caps,
 * at most TLSD_SESS_LISTS_MAX) moves the store to the heap. 252: the store
 * is then 264 bytes with no padding, and the session was a whole number of
 * cache lines with it (2,112 bytes; the pool hands out 64-byte multiples). */
#define TLSD_SESS_LISTS_INLINE 252u
/* The largest the two hellos' lists take (the caps, with alignment). */
#define TLSD_SESS_LISTS_MAX                                                                     \
	(2u * (TLSD_MAX_SUITES + TLSD_MAX_EXTS + TLSD_MAX_VERSIONS + TLSD_MAX_GROUPS +           \
	       TLSD_MAX_SIGALGS + 2u * TLSD_MAX_KEY_SHARES) +                                  \
	 TLSD_MAX_POINT_FORMATS + TLSD_MAX_SNI + TLSD_STRLIST_BYTES + 2u + 2u * TLSD_MAX_EXTS + \
	 TLSD_STRLIST_BYTES)

/* Append-only bytes, in inl until they outgrow it, then on the heap (freed
 * with the session). Lists of uint16_t start at even offsets, so that they
 * are read in place. */
struct tlsd_sess_lists {
	uint8_t *heap;   /* NULL: the bytes are in inl */
	uint16_t len;    /* bytes used */
	uint16_t cap;    /* of heap */
	uint16_t inl[TLSD_SESS_LISTS_INLINE / 2];
};

/* A ClientHello as kept: see struct tlsd_client_hello for the fields. */
struct tlsd_sess_ch {
	uint8_t random[32];
	uint8_t session_id[32];
	uint16_t legacy_version;
	uint16_t n_suites_total, n_exts_total;
	uint16_t session_ticket_len, padding_len, record_size_limit;
	uint16_t bad_ext_type, n_ssl2_specs;
	uint32_t msg_len;
	/* The lists, from offset lists in the store in this order: suites,
	 * exts, versions, groups, sigalgs, key_share_groups, key_share_lens
	 * (uint16_t each), point_formats, sni (sni_len bytes, no NUL), alpn
	 * (alpn_used bytes of struct tlsd_strlist data). */
	uint16_t lists;
	uint16_t n_suites, n_exts, sni_len;
	uint16_t alpn_total, alpn_n, alpn_used;
	uint8_t n_versions, n_groups, n_point_formats, n_sigalgs, n_key_shares;
	uint8_t session_id_len, n_compressions, psk_modes, dtls_cookie_len;
	bool fallback_scsv, reneg_scsv, compression_null, has_sni, sni_truncated;
	bool has_supported_versions, has_psk, has_early_data, has_status_request,
		has_session_ticket, has_ems, has_reneg_info, has_etm, has_padding,
		has_record_size_limit, has_pha, has_cookie, has_ech, has_compress_cert,
		has_sigalgs_cert, has_alpn, has_key_share;
	bool dup_ext, trailing, bad_ext, salvaged, sslv2, dtls;
};

/* A ServerHello as kept: see struct tlsd_server_hello. */
struct tlsd_sess_sh {
	uint8_t random[32];
	uint8_t session_id[32];
	uint16_t legacy_version, suite, selected_version, key_share_group, psk_identity;
	/* exts (n_exts uint16_t), then alpn (alpn_used bytes), from lists */
	uint16_t lists;
	uint16_t n_exts;
	uint16_t alpn_total, alpn_n, alpn_used;
	uint8_t session_id_len, compression;
	enum tlsd_downgrade downgrade;
	bool is_hrr;
	bool has_psk, has_ems, has_reneg_info, has_etm, has_session_ticket, has_status_request,
		has_sni, has_alpn, has_key_share, has_cookie;
	bool dup_ext, trailing;
};

/* The ClientHello's lists where they are kept (tlsd_session_ch_lists):
 * each with its number of entries; sni is not NUL-terminated, alpn is the
 * data of a struct tlsd_strlist (alpn_used bytes). */
struct tlsd_sess_ch_lists {
	const uint16_t *suites, *exts, *versions, *groups, *sigalgs, *key_share_groups,
		*key_share_lens;
	const uint8_t *point_formats, *sni, *alpn;
	size_t n_suites, n_exts, n_versions, n_groups, n_sigalgs, n_key_shares, n_point_formats,
		sni_len, alpn_used;
};

struct tlsd_session {
	/* Each part below is ordered by field size (little padding), and the
	 * parts that every record reads or writes lead: the state, the
	 * findings' counters, the history, the directions. */
	const struct tlsd_ctx *ctx;
	/* QUIC/DTLS only (tlsd_session_udp_open), NULL for TCP: 672 bytes
	 * that every TCP session would carry for nothing (a busy capture
	 * holds ten thousand sessions open at once). */
	struct tlsd_udp_facts *udp;
	enum tlsd_transport transport; /* TCP unless opened with tlsd_session_udp_open */
	enum tlsd_sstate state;

	/* Findings */
	uint32_t anomalies;            /* everything reported about the peers' bytes */
	uint32_t unexpected;           /* messages outside the transition tables */
	uint32_t capture_defects;      /* TLSD_ANOM_CAPTURE_* reported for this flow */
	enum tlsd_anomaly first_capture_defect;
	enum tlsd_anomaly limit;       /* the first limit hit (TLSD_ANOM_CAPTURE_SNAPLEN, _CAP_*) */
	bool limit_hit;                /* a snap length cut or one of tlsdiag's caps */
	bool no_fingerprints;          /* the output shows none: skip JA3/JA4 (cost per connection) */
	bool established;              /* TLS <= 1.2: reached ESTABLISHED before a fatal alert */

	/* History (Zeek ssl_history letters plus ours; see session.c). */
	uint8_t hist_len;
	bool hist_full;
	char hist_run_ch;              /* letter of the current D/d run */
	uint32_t hist_run;             /* its length */
	char history[TLSD_HISTORY_LEN];

	/* The first unexpected message in words, TLSD_SESS_WHAT_LEN bytes on
	 * the heap from then on (NULL before, or without memory; freed with
	 * the session). */
	char *first_unexpected;
	struct tlsd_sess_dir dir[2];
	struct tlsd_sess_tls13 t13;
	tlsd_time_ns established_ts;
	tlsd_time_ns reneg_ts;         /* see renegotiation */

	/* TCP facts from tcp_open, and its end */
	tlsd_time_ns syn_ts, synack_ts, ack3_ts;
	tlsd_time_ns first_ts;         /* the connection's first packet (certificate checks) */
	tlsd_time_ns end_ts;
	tlsd_time_ns silence;          /* longest capture-wide silence from its start to tcp_end */
	tlsd_time_ns observed_until;   /* the capture clock at tcp_end (how long it was watched) */
	enum tlsd_flow_end end_how;
	bool tcp_opened;
	bool syn_seen;                 /* the three-way handshake was seen */
	bool midstream;                /* the capture started inside the connection */
	bool ended;
	struct tlsd_sess_cover cover[2]; /* by direction, at tcp_end */

	/* ClientHello: the first one is kept; of a second one after an HRR,
	 * whether it parsed. */
	tlsd_time_ns ch_ts;
	uint64_t ch_off;
	struct tlsd_parse_err ch_err;  /* when !ch_parsed */
	uint32_t ch_len;               /* handshake body length */
	uint16_t ch_records, ch_segments;
	enum tlsd_dir oversized_dir;   /* of the first handshake message over --max-handshake */
	uint32_t oversized_len;        /* its declared length */
	uint32_t ch_cut_have, ch_cut_want;
	uint32_t n_client_hellos;
	uint32_t n_hvr;                /* DTLS HelloVerifyRequests (each asks for one more hello) */
	uint8_t oversized_type;
	bool has_ch;                   /* a ClientHello message was seen */
	bool ch_parsed;                /* ... and it parsed */
	bool ch_salvaged;              /* ... or not, but its offer could be read (ch) */
	bool oversized;                /* a handshake message over --max-handshake (first one) */
	bool ch_cut;                   /* no ClientHello: the client's handshake record was cut */
	bool has_ch2;
	bool ch2_parsed;
	struct tlsd_sess_ch ch;        /* tlsd_session_set_client_hello */

	/* ServerHello and HelloRetryRequest */
	tlsd_time_ns sh_ts;
	struct tlsd_sess_hrr hrr;
	uint16_t version;              /* negotiated (tlsd_server_hello_version); 0 none */
	bool has_hrr;
	bool has_sh;
	bool sh_parsed;
	struct tlsd_sess_sh sh;        /* tlsd_session_set_server_hello */
	struct tlsd_sess_lists lists;  /* the variable-length lists of ch and sh */

	/* Certificates (TLS <= 1.2; TLS 1.3 ones are encrypted) */
	tlsd_time_ns srv_cert_ts;
	struct tlsd_sess_certs certs;  /* chains and SKE kept for the certificate stage */
	uint32_t srv_cert_count, srv_cert_len;
	uint32_t cli_cert_count, cli_cert_len;
	bool srv_cert;
	bool cert_request;
	bool cli_cert;                 /* client sent a Certificate message */
	bool cli_cert_empty;           /* ... with no certificate in it */
	bool cli_no_certificate_alert; /* SSL 3.0 warning no_certificate (41) */
	bool cli_cert_verify;
	uint16_t cr_ca_names;          /* CAs the first CertificateRequest named (cr_parsed) */

	/* ServerKeyExchange */
	enum tlsd_kx_kind ske_kind;
	uint16_t ske_group, ske_sig_scheme, ske_dh_bits;
	bool ske;
	bool ske_parsed;
	bool cke;
	bool srv_ticket;               /* TLS <= 1.2 NewSessionTicket */
	bool srv_done;

	/* Alerts: every alert counted, the last kept one and the first fatal one. */
	/* The last of the first TLSD_SESS_MAX_ALERTS. A list of them was only
	 * ever read at its end: a decrypted alert replaces its unreadable
	 * record there. */
	struct tlsd_sess_alert last_alert;
	struct tlsd_sess_alert fatal;  /* first fatal (or unreadable, before completion) */
	struct tlsd_sess_alert close_alert;
	struct tlsd_sess_alert closing_alert;
	uint32_t n_alerts;             /* all, including those not kept */
	uint8_t n_alerts_kept;         /* the first TLSD_SESS_MAX_ALERTS */
	bool has_fatal;
	bool has_close_alert;          /* close_notify / user_canceled before completion */
	bool has_closing_alert;        /* first alert after completion (close_notify) */

	/* Last handshake message seen on the wire */
	bool has_last_hs;
	uint8_t last_hs;               /* TLSD_HS_*; HELLO_RETRY_REQUEST for an HRR */

	/* Resumption, renegotiation, early data */
	bool sid_resumed;              /* server echoed the client's session id (TLS <= 1.2) */
	bool abbreviated;              /* TLS <= 1.2: no Certificate, CCS after SH */
	bool psk_accepted;             /* TLS 1.3: pre_shared_key in the ServerHello */
	bool renegotiation;            /* encrypted handshake after established (TLS <= 1.2) */
	uint8_t reneg_dir;             /* enum tlsd_dir; and when: reneg_ts (above, with the times) */

	/* Cold: set on few connections, read once for the report. */
	bool cr_parsed;                /* the first CertificateRequest parsed: cr_ca_names is known */
	/* The first CA the first CertificateRequest named (cr_ca_names > 0), as
	 * tlsd_cert_name_text writes it: TLSD_CERT_NAME_LEN bytes on the heap
	 * (freed with the session), NULL when none was named, it is not a Name
	 * or there was no memory. A pointer here, not the text: only servers
	 * that ask for client certificates send one, and the session stays
	 * 2,112 bytes with it (reneg_dir shrank to a byte to make room). */
	char *cr_first_ca;
};

/* Whether a TLS 1.3 protected record of len bytes, with the negotiated
 * suite, can hold a message of `content` bytes: the content, the inner
 * content type, padding, the AEAD tag (16 bytes, 8 for CCM_8). Stacks pad
 * differently, so up to TLSD_TLS13_MAX_PADDING zeros are allowed: none
 * (OpenSSL, GnuTLS, NSS, BoringSSL, Go: an alert is 19 bytes), the inner
 * plaintext up to a multiple of 16 (Mbed TLS: 32), 16 zeros on every record
 * (Java's JSSE: 35). */
#define TLSD_TLS13_MAX_PADDING 16u
bool tlsd_session_tls13_holds(const struct tlsd_session *s, uint16_t len, uint16_t content);
/* ... an alert (2 bytes): an encrypted alert's size. */
bool tlsd_session_tls13_alert_sized(const struct tlsd_session *s, uint16_t len);

/* Keeps ch as the session's ClientHello (s->ch and its lists), in place of
 * one kept before; of a hello whose lists find no memory, the fixed fields
 * and totals are kept, the lists come back empty. */
void tlsd_session_set_client_hello(struct tlsd_session *s, const struct tlsd_client_hello *ch);
/* The same for the ServerHello (s->sh). */
void tlsd_session_set_server_hello(struct tlsd_session *s, const struct tlsd_server_hello *sh);
/* The kept ClientHello / ServerHello, whole (the zero hello when none was
 * set): every field and list entry as set, array bytes past the counts 0. */
void tlsd_session_client_hello(const struct tlsd_session *s, struct tlsd_client_hello *out);
void tlsd_session_server_hello(const struct tlsd_session *s, struct tlsd_server_hello *out);
/* The kept ClientHello's lists in place, valid until the session changes
 * (all empty when none was set). */
void tlsd_session_ch_lists(const struct tlsd_session *s, struct tlsd_sess_ch_lists *out);

/* Initialises a zeroed session for hand-built tests (what tlsd_session_new does). */
void tlsd_session_init(struct tlsd_session *s, const struct tlsd_ctx *ctx);

#endif
