/* The per-connection verdict that the reporters render: every field of the
 * JSON contract in FAILURE-CATALOG.md, in bounded owned storage. Filled by
 * diagnose.c from a finished session; rendered by report_text.c and
 * report_json.c, which know nothing else. */
#ifndef TLSD_REPORT_H
#define TLSD_REPORT_H

#include <stdio.h>

#include "tlsd/decode.h"
#include "tlsd/diag_codes.h"
#include "tlsd/tls_handshake.h"

/* What carried the TLS handshake (JSON "transport"). */
enum tlsd_transport {
	TLSD_TRANSPORT_TCP = 0,
	TLSD_TRANSPORT_QUIC,
	TLSD_TRANSPORT_DTLS,
};

enum tlsd_outcome {
	TLSD_OUTCOME_ESTABLISHED = 0,
	TLSD_OUTCOME_FAILED,
	TLSD_OUTCOME_INCOMPLETE,
};

enum tlsd_step {
	TLSD_STEP_NONE = 0, /* JSON null: established, or nothing to blame */
	TLSD_STEP_CLIENT_HELLO,
	TLSD_STEP_SERVER_HELLO,
	TLSD_STEP_CERTIFICATE,
	TLSD_STEP_KEY_EXCHANGE,
	TLSD_STEP_FINISHED,
};

enum tlsd_party {
	TLSD_PARTY_UNKNOWN = 0,
	TLSD_PARTY_CLIENT,
	TLSD_PARTY_SERVER,
	TLSD_PARTY_MIDDLEBOX,
};

enum tlsd_how {
	TLSD_HOW_ALERT = 0,
	TLSD_HOW_RESET,
	TLSD_HOW_CLOSE,
	TLSD_HOW_TIMEOUT,
	TLSD_HOW_CAPTURE_END,
};

enum tlsd_confidence {
	TLSD_CONF_CERTAIN = 0,
	TLSD_CONF_LIKELY,
	TLSD_CONF_POSSIBLE,
};

#define TLSD_DIAG_CODE_LEN 48
#define TLSD_DIAG_MAX_FACTS 10
#define TLSD_MAX_DIAGS 8
#define TLSD_HISTORY_LEN 96
#define TLSD_REPORT_ARENA 384 /* bytes of strings owned by one report's facts */
#define TLSD_REPORT_SAMPLE 48 /* first bytes of a side that did not speak TLS */

struct tlsd_chain_findings; /* cert.h */

/* pcapng: the interface name and packet comments kept per connection. */
#define TLSD_IFACE_NAME_LEN 64
#define TLSD_MAX_COMMENTS 4
#define TLSD_COMMENT_LEN 256

/* A packet comment (pcapng opt_comment) on one of the connection's packets. */
struct tlsd_packet_comment {
	uint64_t frame;                  /* frame number in the run (1-based) */
	uint16_t len;
	uint8_t text[TLSD_COMMENT_LEN];  /* raw bytes, cut at TLSD_COMMENT_LEN: escape when printing */
};

enum tlsd_ske_sig {
	TLSD_SKE_SIG_NONE = 0,  /* not checked: no signed (EC)DHE ServerKeyExchange */
	TLSD_SKE_SIG_VALID,     /* made by the key of the server's certificate */
	TLSD_SKE_SIG_INVALID,   /* not made by it */
	TLSD_SKE_SIG_UNCHECKED, /* a scheme or key the certificate stage does not check, or
				 * one the client accepted (see --verify-all-signatures) */
};

enum tlsd_cause {
#define TLSD_CAUSE_ENUM_(e, name, text) TLSD_CAUSE_##e,
	TLSD_CAUSE_LIST(TLSD_CAUSE_ENUM_)
#undef TLSD_CAUSE_ENUM_
	TLSD_CAUSE__COUNT
};

enum tlsd_fact_id {
#define TLSD_FACT_ENUM_(e, key, kind, phrase) TLSD_FACT_##e,
	TLSD_FACT_LIST(TLSD_FACT_ENUM_)
#undef TLSD_FACT_ENUM_
	TLSD_FACT__COUNT
};

/* One fact a diagnosis rests on (diag_codes.h says how each is stored). */
struct tlsd_fact {
	uint16_t id;  /* enum tlsd_fact_id */
	uint16_t a;
	uint32_t b;
	union {
		uint64_t u;
		int64_t i;
		const char *s;
	} v;
};

/* A diagnosis: a cause and the facts it rests on. Words come from the
 * reporters (tlsd_explain_* in explain.h). */
struct tlsd_diag {
	char code[TLSD_DIAG_CODE_LEN];       /* stable catalog name ("alert_<name>" for ALERT) */
	enum tlsd_cause cause;
	enum tlsd_confidence confidence;
	uint8_t n_facts;
	struct tlsd_fact facts[TLSD_DIAG_MAX_FACTS];
};

struct tlsd_endpoint {
	struct tlsd_addr addr;
	uint16_t port;
};

struct tlsd_report_alert {
	enum tlsd_party sender;
	bool encrypted;   /* protected on the wire */
	bool decrypted;   /* ... but read with the key log: level/code known */
	uint8_t level;    /* 1 warning, 2 fatal */
	uint8_t code;
};

#define TLSD_QUIC_REASON_LEN 128

/* A QUIC CONNECTION_CLOSE (JSON "quic_close"). */
struct tlsd_report_quic_close {
	bool app;               /* frame 0x1d "application"; else 0x1c "transport" */
	bool encrypted;         /* in a packet we could not read: code and reason unknown */
	enum tlsd_party sender;
	uint64_t code;
	uint16_t reason_len;
	uint8_t reason[TLSD_QUIC_REASON_LEN]; /* raw wire bytes: escape when printing */
};

struct tlsd_report {
	uint64_t flow_id;
	uint64_t first_frame; /* frame number (in the run) of its first packet; 0: unknown */
	tlsd_time_ns ts_first, ts_last;
	uint8_t ip_version;
	struct tlsd_endpoint client, server;
	bool roles_guessed;

	bool has_sni;
	uint16_t sni_len;
	uint8_t sni[TLSD_MAX_SNI + 1];      /* raw wire bytes: escape when printing */
	uint8_t n_versions_offered;
	uint16_t versions_offered[TLSD_MAX_VERSIONS]; /* GREASE removed, client order */
	uint16_t version;                    /* negotiated; 0 = none */
	bool has_cipher;
	uint16_t cipher;
	struct tlsd_strlist alpn_offered;
	bool has_alpn;
	struct tlsd_strlist alpn;            /* the selected protocol (one entry) */

	enum tlsd_outcome outcome;
	bool resumed;
	enum tlsd_step failed_step;
	bool has_last_message;
	uint8_t last_message;                /* handshake type; TLSD_HS_HELLO_RETRY_REQUEST for an HRR */
	char history[TLSD_HISTORY_LEN];      /* NUL-terminated */
	enum tlsd_party term_by;
	enum tlsd_how term_how;
	bool has_alert;
	struct tlsd_report_alert alert;

	uint8_t n_diags;
	struct tlsd_diag diags[TLSD_MAX_DIAGS];
	uint16_t arena_len;                  /* strings copied for facts (tlsd_diag_fact_strf) */
	char arena[TLSD_REPORT_ARENA];
	uint8_t sample_len[2];               /* by direction: first bytes, when not TLS */
	uint8_t sample[2][TLSD_REPORT_SAMPLE];
	uint8_t n_key_shares;
	uint16_t key_shares[TLSD_MAX_KEY_SHARES];

	/* The certificate stage's answer for the server's and the client's
	 * TLS <= 1.2 chains (cert.h), or NULL when none was checked. Borrowed
	 * from the session: valid until it is freed (conn.c frees it after the
	 * emit callback), so never keep a report beyond that. */
	const struct tlsd_chain_findings *certs;
	const struct tlsd_chain_findings *client_certs;
	enum tlsd_ske_sig ske_sig;           /* the ServerKeyExchange signature check */

	/* Timing (ns): -1 when unknown. */
	tlsd_time_ns rtt;                    /* SYN to the client's ACK of SYN-ACK */
	tlsd_time_ns time_to_failure;        /* ClientHello to the failing event */

	/* What the client offered and what was agreed, for cross-connection
	 * comparison (summary.c) and the text report. */
	uint16_t n_suites_offered;           /* total on the wire */
	uint16_t n_ssl2_specs;               /* SSLv2-only cipher kinds (SSLv2 ClientHello) */
	uint16_t n_suites_kept;
	uint16_t suites_offered[TLSD_MAX_SUITES];
	uint8_t n_groups_offered;
	uint16_t groups_offered[TLSD_MAX_GROUPS];
	uint16_t kx_group;                   /* negotiated key-exchange group; 0 unknown */
	bool client_cert_requested;          /* CertificateRequest seen (TLS <= 1.2) */
	bool client_cert_sent;               /* a non-empty client Certificate seen */

	char ja3[33], ja3s[33], ja4[40];     /* empty when not computed */
	uint32_t client_hello_len;           /* handshake message length; 0 none */
	uint16_t client_hello_segments;
	uint32_t anomalies;                  /* findings counted on this connection */

	/* pcapng: the interface (if_name) of the connection's first packet,
	 * cut at TLSD_IFACE_NAME_LEN - 1 bytes; "" when the capture names none. */
	char interface[TLSD_IFACE_NAME_LEN];
	/* pcapng: comments on the connection's packets, the first
	 * TLSD_MAX_COMMENTS in capture order; n_comments_total counts them all. */
	uint8_t n_comments;
	uint32_t n_comments_total;
	struct tlsd_packet_comment comments[TLSD_MAX_COMMENTS];
	/* UDP transports (zero for TCP) */
	enum tlsd_transport transport;
	uint32_t quic_version;               /* the client's first Initial; 0 not QUIC */
	bool has_quic_close;
	struct tlsd_report_quic_close quic_close;
};

/* Appends a diagnosis of cause c and returns it for its facts; NULL when the
 * report already has TLSD_MAX_DIAGS or a diagnosis with the same code. */
struct tlsd_diag *tlsd_report_diag(struct tlsd_report *r, enum tlsd_cause c,
				   enum tlsd_confidence conf);
/* The same with a code name of its own (certificate findings, alert_<name>). */
struct tlsd_diag *tlsd_report_diag_named(struct tlsd_report *r, enum tlsd_cause c,
					 const char *code, enum tlsd_confidence conf);
bool tlsd_report_has_diag(const struct tlsd_report *r, const char *code);
bool tlsd_report_has_cause(const struct tlsd_report *r, enum tlsd_cause c);
const char *tlsd_cause_name(enum tlsd_cause c);

/* Facts (all ignore a NULL diagnosis and a full one). */
void tlsd_diag_fact(struct tlsd_diag *d, enum tlsd_fact_id id, uint16_t a, uint32_t b);
void tlsd_diag_fact_u(struct tlsd_diag *d, enum tlsd_fact_id id, uint64_t v);
void tlsd_diag_fact_ns(struct tlsd_diag *d, enum tlsd_fact_id id, int64_t ns);
/* s must outlive the report (a static string, or one owned by the session). */
void tlsd_diag_fact_str(struct tlsd_diag *d, enum tlsd_fact_id id, const char *s);
/* Formats a string into the report's own arena (dropped when it is full). */
void tlsd_diag_fact_strf(struct tlsd_report *r, struct tlsd_diag *d, enum tlsd_fact_id id,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The fact id of d, or NULL. */
const struct tlsd_fact *tlsd_diag_find(const struct tlsd_diag *d, enum tlsd_fact_id id);

/* The failure's main cause: the first diagnosis of a failed or incomplete
 * connection (diagnose.c puts the cause the evidence points at first; later
 * ones are further findings). NULL for established connections, whose
 * diagnoses are warnings, and for failures without any diagnosis. */
const struct tlsd_diag *tlsd_report_main_cause(const struct tlsd_report *r);
/* Its warnings: every diagnosis of an established connection. */
bool tlsd_report_is_warning(const struct tlsd_report *r, unsigned i);

/* How times are printed in text output (tshark's -t choices). */
enum tlsd_time_fmt {
	TLSD_TIME_UTC_DATE = 0, /* "2026-11-27 05:08:52.730294 UTC" (default; -t ud) */
	TLSD_TIME_UTC,          /* "05:08:52.730294 UTC" (-t u) */
	TLSD_TIME_LOCAL_DATE,   /* local time with date and zone (-t ad) */
	TLSD_TIME_LOCAL,        /* local time of day and zone (-t a) */
	TLSD_TIME_RELATIVE,     /* seconds since the first packet of the run (-t r) */
	TLSD_TIME_EPOCH,        /* seconds since 1970 (-t e) */
};
#define TLSD_TIME_STR_LEN 48
/* Formats t; origin is the first packet's time (for TLSD_TIME_RELATIVE).
 * Always NUL-terminates buf (size TLSD_TIME_STR_LEN). */
const char *tlsd_format_time(char *buf, size_t len, tlsd_time_ns t, enum tlsd_time_fmt fmt,
			     tlsd_time_ns origin);
/* Parses a -t argument ("ud", "u", "ad", "a", "r", "e"). */
TLSD_MUST_USE bool tlsd_parse_time_fmt(const char *s, enum tlsd_time_fmt *out);

const char *tlsd_outcome_name(enum tlsd_outcome o); /* "established" ... */
const char *tlsd_transport_name(enum tlsd_transport t); /* "tcp", "quic", "dtls" */
const char *tlsd_step_name(enum tlsd_step s);       /* "client_hello" ...; NULL for NONE */
const char *tlsd_party_name(enum tlsd_party p);     /* "client" ... */
const char *tlsd_how_name(enum tlsd_how h);         /* "alert" ... */
const char *tlsd_confidence_name(enum tlsd_confidence c);

#endif
