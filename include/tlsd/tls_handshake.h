/* Parsers for TLS handshake message bodies (RFC 8446 / RFC 5246 names) into
 * bounded, owned structs. Pure functions: no allocation, no I/O. Each parser
 * returns TLSD_PARSE_OK or TLSD_PARSE_MALFORMED and writes *out only on
 * success; on failure *err names the field and offset. */
#ifndef TLSD_TLS_HANDSHAKE_H
#define TLSD_TLS_HANDSHAKE_H

#include "tlsd/cur.h"

enum tlsd_hs_type {
	TLSD_HS_HELLO_REQUEST = 0,
	TLSD_HS_CLIENT_HELLO = 1,
	TLSD_HS_SERVER_HELLO = 2,
	TLSD_HS_HELLO_VERIFY_REQUEST = 3,
	TLSD_HS_NEW_SESSION_TICKET = 4,
	TLSD_HS_END_OF_EARLY_DATA = 5,
	TLSD_HS_HELLO_RETRY_REQUEST = 6, /* pseudo type: SH with the HRR random */
	TLSD_HS_ENCRYPTED_EXTENSIONS = 8,
	TLSD_HS_CERTIFICATE = 11,
	TLSD_HS_SERVER_KEY_EXCHANGE = 12,
	TLSD_HS_CERTIFICATE_REQUEST = 13,
	TLSD_HS_SERVER_HELLO_DONE = 14,
	TLSD_HS_CERTIFICATE_VERIFY = 15,
	TLSD_HS_CLIENT_KEY_EXCHANGE = 16,
	TLSD_HS_FINISHED = 20,
	TLSD_HS_CERTIFICATE_URL = 21,
	TLSD_HS_CERTIFICATE_STATUS = 22,
	TLSD_HS_SUPPLEMENTAL_DATA = 23,
	TLSD_HS_KEY_UPDATE = 24,
	TLSD_HS_COMPRESSED_CERTIFICATE = 25,
	TLSD_HS_MESSAGE_HASH = 254,
};

#define TLSD_VERSION_SSL2 0x0002
#define TLSD_VERSION_SSL3 0x0300
#define TLSD_VERSION_TLS10 0x0301
#define TLSD_VERSION_TLS11 0x0302
#define TLSD_VERSION_TLS12 0x0303
#define TLSD_VERSION_TLS13 0x0304
/* DTLS (RFC 6347, RFC 9147): one's complement of the TLS numbering, so a
 * later version is numerically SMALLER; 0x0100 is OpenSSL's pre-RFC DTLS
 * (DTLS1_BAD_VER, still spoken by Cisco AnyConnect). Compare versions
 * through tlsd_version_tls_equiv(). */
#define TLSD_VERSION_DTLS_BAD 0x0100
#define TLSD_VERSION_DTLS10 0xfeff
#define TLSD_VERSION_DTLS12 0xfefd
#define TLSD_VERSION_DTLS13 0xfefc

#define TLSD_SUITE_FALLBACK_SCSV 0x5600
#define TLSD_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV 0x00ff

/* Bounds on what is kept per hello; the totals are counted beyond them. */
#define TLSD_MAX_SUITES 128
#define TLSD_MAX_EXTS 64
#define TLSD_MAX_VERSIONS 16
#define TLSD_MAX_GROUPS 32
#define TLSD_MAX_SIGALGS 48
#define TLSD_MAX_KEY_SHARES 8
#define TLSD_MAX_POINT_FORMATS 8
#define TLSD_MAX_SNI 255
#define TLSD_STRLIST_BYTES 256
#define TLSD_MAX_CERTS 16

/* A bounded list of short byte strings (ALPN protocols): each entry is a
 * length byte followed by the bytes, packed in data[0..used). */
struct tlsd_strlist {
	uint16_t total; /* entries on the wire */
	uint16_t n;     /* entries kept */
	uint16_t used;
	uint8_t data[TLSD_STRLIST_BYTES];
};

/* Iterates a strlist: returns false at the end. *pos starts at 0. */
bool tlsd_strlist_next(const struct tlsd_strlist *l, size_t *pos, const uint8_t **s,
		       size_t *len);

struct tlsd_parse_err {
	const char *field; /* static string naming the field */
	size_t off;        /* offset inside the message body */
};

struct tlsd_client_hello {
	uint16_t legacy_version;
	uint8_t random[32];
	uint8_t session_id_len;
	uint8_t session_id[32];
	uint16_t n_suites_total;
	uint16_t n_suites;
	uint16_t suites[TLSD_MAX_SUITES]; /* wire order, GREASE included */
	bool fallback_scsv, reneg_scsv;
	uint8_t n_compressions;
	bool compression_null;
	uint16_t n_exts_total;
	uint16_t n_exts;
	uint16_t exts[TLSD_MAX_EXTS];     /* extension types, wire order */
	bool has_sni;
	uint16_t sni_len;                  /* bytes kept in sni */
	bool sni_truncated;
	uint8_t sni[TLSD_MAX_SNI + 1];     /* raw bytes; NUL-terminated for convenience */
	uint8_t n_versions;
	uint16_t versions[TLSD_MAX_VERSIONS]; /* supported_versions, GREASE included */
	uint8_t n_groups;
	uint16_t groups[TLSD_MAX_GROUPS];
	uint8_t n_point_formats;
	uint8_t point_formats[TLSD_MAX_POINT_FORMATS];
	uint8_t n_sigalgs;
	uint16_t sigalgs[TLSD_MAX_SIGALGS];
	uint8_t n_key_shares;
	uint16_t key_share_groups[TLSD_MAX_KEY_SHARES];
	uint16_t key_share_lens[TLSD_MAX_KEY_SHARES];
	uint8_t psk_modes;                 /* bit 0: psk_ke, bit 1: psk_dhe_ke */
	struct tlsd_strlist alpn;
	uint16_t session_ticket_len;
	uint16_t padding_len;
	uint16_t record_size_limit;
	bool has_supported_versions, has_psk, has_early_data, has_status_request,
		has_session_ticket, has_ems, has_reneg_info, has_etm, has_padding,
		has_record_size_limit, has_pha, has_cookie, has_ech, has_compress_cert,
		has_sigalgs_cert, has_alpn, has_key_share;
	bool dup_ext;      /* an extension type appeared twice (finding) */
	bool trailing;     /* bytes after the extensions (finding) */
	bool bad_ext;      /* an extension body did not parse (finding); the rest did */
	uint16_t bad_ext_type; /* the first such extension */
	uint16_t n_ssl2_specs;             /* SSLv2-only cipher kinds offered (SSLv2 form) */
	bool salvaged;     /* read by tlsd_parse_client_hello_salvage: malformed */
	bool sslv2;        /* SSLv2-compatible hello */
	bool dtls;         /* DTLS ClientHello (cookie field after the session id) */
	uint8_t dtls_cookie_len; /* its HelloVerifyRequest cookie; 0 none */
	uint32_t msg_len;  /* handshake body length */
};

enum tlsd_downgrade {
	TLSD_DOWNGRADE_NONE = 0,
	TLSD_DOWNGRADE_TLS12, /* "DOWNGRD\x01": a TLS 1.3 server negotiated 1.2 */
	TLSD_DOWNGRADE_TLS11, /* "DOWNGRD\x00": negotiated 1.1 or below */
};

struct tlsd_server_hello {
	uint16_t legacy_version;
	uint8_t random[32];
	uint8_t session_id_len;
	uint8_t session_id[32];
	uint16_t suite;
	uint8_t compression;
	uint16_t n_exts;
	uint16_t exts[TLSD_MAX_EXTS];
	uint16_t selected_version;  /* supported_versions; 0 when absent */
	bool is_hrr;                /* random is the HelloRetryRequest value */
	uint16_t key_share_group;   /* SH: server share; HRR: selected_group; 0 none */
	struct tlsd_strlist alpn;   /* at most one protocol */
	uint16_t psk_identity;
	bool has_psk, has_ems, has_reneg_info, has_etm, has_session_ticket,
		has_status_request, has_sni, has_alpn, has_key_share, has_cookie;
	enum tlsd_downgrade downgrade;
	bool dup_ext, trailing;
};

/* The version the ServerHello selected (supported_versions, else legacy). */
uint16_t tlsd_server_hello_version(const struct tlsd_server_hello *sh);

/* Certificate (TLS <= 1.2 list of ASN.1Cert, or TLS 1.3 with request context
 * and per-entry extensions). Views point into the message body: valid only
 * while the body is. */
struct tlsd_certificate_msg {
	uint32_t n_certs;            /* on the wire */
	uint32_t n_kept;             /* <= TLSD_MAX_CERTS */
	struct tlsd_cur der[TLSD_MAX_CERTS];
	uint32_t total_len;
	bool tls13;
};

/* CertificateRequest (TLS <= 1.2, or TLS 1.3 with its extensions). The view
 * points into the message body: valid only while the body is. */
struct tlsd_certificate_request {
	uint8_t n_types;
	uint16_t n_sigalgs;
	uint16_t n_ca_names;         /* DistinguishedNames (TLS 1.3: certificate_authorities) */
	/* The first DistinguishedName's DER (an X.501 Name), empty when none is
	 * named: what an operator needs to know is which CA the server asks for,
	 * and a client withholds a certificate no named CA issued. */
	struct tlsd_cur first_ca;
	bool tls13;
};

enum tlsd_kx_kind {
	TLSD_KX_UNKNOWN = 0,
	TLSD_KX_RSA,
	TLSD_KX_DHE,
	TLSD_KX_ECDHE,
	TLSD_KX_PSK,
	TLSD_KX_DHE_PSK,
	TLSD_KX_ECDHE_PSK,
	TLSD_KX_RSA_PSK,
	TLSD_KX_TLS13, /* suite does not say; key_share does */
	/* Added: static (EC)DH (no ServerKeyExchange) and anonymous (EC)DH
	 * (ServerKeyExchange without a signature). */
	TLSD_KX_DH,
	TLSD_KX_ECDH,
	TLSD_KX_DH_ANON,
	TLSD_KX_ECDH_ANON,
};

struct tlsd_server_key_exchange {
	enum tlsd_kx_kind kind;
	uint8_t ec_curve_type;      /* 3 = named_curve */
	uint16_t group;             /* named group (ECDHE) */
	uint16_t dh_p_bits;         /* DHE prime size in bits */
	uint16_t sig_scheme;        /* TLS 1.2 SignatureScheme; 0 before 1.2 */
	struct tlsd_cur params;     /* the signed ServerParams bytes (view) */
	struct tlsd_cur signature;  /* view */
};

struct tlsd_new_session_ticket {
	uint32_t lifetime;
	uint16_t ticket_len;
	bool tls13;
};

struct tlsd_alert {
	uint8_t level;
	uint8_t desc;
};

/* DTLS HelloVerifyRequest (RFC 6347 4.2.1). */
struct tlsd_hello_verify_request {
	uint16_t server_version;
	uint8_t cookie_len;
};

TLSD_MUST_USE enum tlsd_parse tlsd_parse_client_hello(const uint8_t *body, size_t len,
						      struct tlsd_client_hello *out,
						      struct tlsd_parse_err *err);
/* The DTLS ClientHello: a cookie<0..2^8-1> after the session id (RFC 6347
 * 4.2.1); out->dtls is set. */
TLSD_MUST_USE enum tlsd_parse tlsd_parse_dtls_client_hello(const uint8_t *body, size_t len,
							   struct tlsd_client_hello *out,
							   struct tlsd_parse_err *err);
TLSD_MUST_USE enum tlsd_parse tlsd_parse_hello_verify_request(const uint8_t *body, size_t len,
							      struct tlsd_hello_verify_request *out,
							      struct tlsd_parse_err *err);
/* What can be read of a ClientHello that tlsd_parse_client_hello() refused
 * because its extensions block overruns the message or an extension is cut
 * short: the fixed fields and the whole extensions before the break
 * (salvaged is set). For reporting the offer (SNI, suites, versions) of a
 * hello a server will refuse; never a reason to call the hello valid. */
TLSD_MUST_USE enum tlsd_parse tlsd_parse_client_hello_salvage(const uint8_t *body, size_t len,
							      struct tlsd_client_hello *out);
/* SSLv2-compatible CLIENT-HELLO (body after the record header: msg type 1,
 * version, cipher spec/session id/challenge lengths and data). Cipher specs
 * of the form 00 xx yy become TLS suites 0xxxyy. */
TLSD_MUST_USE enum tlsd_parse tlsd_parse_sslv2_client_hello(const uint8_t *body, size_t len,
							    struct tlsd_client_hello *out,
							    struct tlsd_parse_err *err);
TLSD_MUST_USE enum tlsd_parse tlsd_parse_server_hello(const uint8_t *body, size_t len,
						      struct tlsd_server_hello *out,
						      struct tlsd_parse_err *err);
/* tls13: the negotiated version is TLS 1.3 (context + entry extensions). */
TLSD_MUST_USE enum tlsd_parse tlsd_parse_certificate(const uint8_t *body, size_t len, bool tls13,
						     struct tlsd_certificate_msg *out,
						     struct tlsd_parse_err *err);
TLSD_MUST_USE enum tlsd_parse tlsd_parse_certificate_request(const uint8_t *body, size_t len,
							     uint16_t version,
							     struct tlsd_certificate_request *out,
							     struct tlsd_parse_err *err);
/* kind from the negotiated suite (tlsd_suite_kx); version for the presence
 * of the TLS 1.2 signature scheme. */
TLSD_MUST_USE enum tlsd_parse tlsd_parse_server_key_exchange(const uint8_t *body, size_t len,
							     enum tlsd_kx_kind kind,
							     uint16_t version,
							     struct tlsd_server_key_exchange *out,
							     struct tlsd_parse_err *err);
TLSD_MUST_USE enum tlsd_parse tlsd_parse_new_session_ticket(const uint8_t *body, size_t len,
							    bool tls13,
							    struct tlsd_new_session_ticket *out,
							    struct tlsd_parse_err *err);

/* RFC 8701 GREASE: 0x0a0a, 0x1a1a, ..., 0xfafa. Inline: the reporters and
 * fingerprints test every offered value. */
static inline bool tlsd_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* TLS 1.3 or one of its drafts (0x7fNN, as early browsers negotiated), or
 * DTLS 1.3, or one of Chrome 63-65's TLS 1.3 experiment variants (0x7e01-0x7e03:
 * draft 18 and 22 with the middlebox-compatibility changes). */
static inline bool tlsd_version_is_tls13(uint16_t v)
{
	return v == TLSD_VERSION_TLS13 || (v & 0xff00) == 0x7f00 || (v >= 0x7e01 && v <= 0x7e03) ||
	       v == TLSD_VERSION_DTLS13;
}

/* A DTLS version number (including OpenSSL's pre-RFC 0x0100). */
static inline bool tlsd_version_is_dtls(uint16_t v)
{
	return v == TLSD_VERSION_DTLS_BAD || v == TLSD_VERSION_DTLS10 ||
	       v == TLSD_VERSION_DTLS12 || v == TLSD_VERSION_DTLS13;
}

/* The TLS version a DTLS version is built on (DTLS 1.0 = TLS 1.1, 1.2 = 1.2,
 * 1.3 = 1.3; RFC 6347 1.1), so that versions of both compare in order;
 * other values unchanged. */
static inline uint16_t tlsd_version_tls_equiv(uint16_t v)
{
	switch (v) {
	case TLSD_VERSION_DTLS_BAD:
	case TLSD_VERSION_DTLS10: return TLSD_VERSION_TLS11;
	case TLSD_VERSION_DTLS12: return TLSD_VERSION_TLS12;
	case TLSD_VERSION_DTLS13: return TLSD_VERSION_TLS13;
	default: return v;
	}
}

#endif
