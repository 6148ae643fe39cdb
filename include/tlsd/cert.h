/* Certificate and key-exchange checks (catalog "Certificate findings", rows
 * 6-10 and 24). Pure: no packet knowledge, no I/O after the trust store is
 * loaded, no logging. Callers hand over DER bytes and facts (SNI, capture
 * time) and get bounded, owned findings back. Built on OpenSSL 3 libcrypto
 * only; nothing here decodes ASN.1 by hand.
 *
 * One struct tlsd_cert_store per run (per worker thread): it holds the trust
 * store and three caches, because a busy capture repeats the same chain
 * thousands of times (one server, one chain, many clients):
 *  - parsed certificates, keyed by their DER bytes;
 *  - chain verification results, keyed by the certificates, the role and
 *    the capture day;
 *  - the answers of tlsd_cert_check_chain_shared: see there.
 * It is not thread-safe, and the answers are built in scratch space it owns:
 * one call at a time per store. */
#ifndef TLSD_CERT_H
#define TLSD_CERT_H

#include "tlsd/cur.h"

#define TLSD_CERT_MAX_CHAIN 10           /* certificates looked at per chain */
#define TLSD_CERT_MAX_DER (64u << 10)    /* larger certificates are not parsed */
#define TLSD_CERT_CACHE_CERTS 4096       /* default parsed-certificate cache size */
#define TLSD_CERT_CACHE_VERDICTS 1024    /* default chain-verdict cache size */
#define TLSD_CERT_CACHE_BYTES (64u << 20) /* default memory bound of the certificate cache */
/* Default bounds of the chain-answer cache (tlsd_cert_check_chain_shared),
 * per store. An entry is weighed as its key (the chain's DER), its time data
 * and twice its answer (the answer without time findings, and room for one
 * at another capture second): about 48 KB for a three-certificate chain, 37
 * KB for two. 16 MiB then holds some 350 chains x SNI x day, a busy link's
 * working set of servers, at a quarter of what the parsed-certificate cache
 * may hold; before this cache every open connection with a chain held its
 * own 10-44 KB copy, so 16 MiB is what 400-odd of them cost then. The byte
 * bound comes first; the entry count sizes the hash table. */
#define TLSD_CERT_CACHE_CHAINS 512
#define TLSD_CERT_CACHE_CHAIN_BYTES (16u << 20)
/* A chain whose DER, with the SNI, is longer is checked every time: typical
 * chains take 3-6 KB, and the key is copied once per lookup. */
#define TLSD_CERT_CHAIN_KEY_MAX (64u << 10)
#define TLSD_CERT_MAX_FINDINGS 16
#define TLSD_CERT_NAME_LEN 256           /* escaped subject/issuer, NUL included */
#define TLSD_CERT_MAX_DNS 16             /* SAN dNSNames kept per certificate */
#define TLSD_CERT_DNS_LEN 128
#define TLSD_CERT_MAX_IPS 8              /* SAN iPAddresses kept per certificate */
#define TLSD_CERT_IP_LEN 46
#define TLSD_CERT_TEXT_LEN 240
#define TLSD_CERT_EVIDENCE_LEN 480       /* fits struct tlsd_diag evidence */

/* Finding codes. The strings are the stable catalog names
 * (FAILURE-CATALOG.md); certificate_malformed is an addition for DER that
 * libcrypto cannot parse. X(enum suffix, "catalog name"). */
#define TLSD_CERT_CODES(X)                                                     \
	X(MALFORMED, "certificate_malformed")                                  \
	X(EXPIRED, "certificate_expired")                                      \
	X(NOT_YET_VALID, "certificate_not_yet_valid")                          \
	X(HOSTNAME_MISMATCH, "hostname_mismatch")                              \
	X(SELF_SIGNED, "self_signed")                                          \
	X(MISSING_INTERMEDIATE, "missing_intermediate")                        \
	X(UNTRUSTED, "server_certificate_untrusted")                           \
	X(CHAIN_ORDER_INVALID, "chain_order_invalid")                          \
	X(WEAK_KEY, "weak_key")                                                \
	X(WEAK_SIGNATURE_ALGORITHM, "weak_signature_algorithm")                \
	X(EXPIRES_SOON, "expires_soon")

enum tlsd_cert_code {
#define TLSD_CERT_CODE_ENUM(e, s) TLSD_CERT_##e,
	TLSD_CERT_CODES(TLSD_CERT_CODE_ENUM)
#undef TLSD_CERT_CODE_ENUM
	TLSD_CERT_CODE_COUNT
};

/* The catalog name ("certificate_expired"); "unknown" when out of range. */
const char *tlsd_cert_code_name(enum tlsd_cert_code c);

enum tlsd_cert_severity {
	TLSD_CERT_SEV_ERROR = 0, /* a validating client would refuse this chain */
	TLSD_CERT_SEV_WARNING,   /* worth fixing; not a reason to fail by itself */
};

/* Options for tlsd_cert_store_new; start from tlsd_cert_opts_default. */
struct tlsd_cert_opts {
	const char *ca_file;     /* PEM bundle, or NULL */
	const char *ca_path;     /* c_rehash'ed directory, or NULL */
	/* ca_file and ca_path both NULL: the system default store
	 * (X509_STORE_set_default_paths). */
	uint32_t max_chain;      /* 1..TLSD_CERT_MAX_CHAIN (larger is clamped) */
	uint32_t cache_certs;    /* parsed-certificate cache entries; 0 = no cache */
	size_t cache_bytes;      /* ... and their estimated memory (parsed X509 about
				  * 8x the DER); 0 = count limit only */
	uint32_t cache_verdicts; /* chain-verdict cache entries (about 4 KiB each); 0 = no cache */
	uint32_t cache_chains;   /* chain-answer cache entries (about 40 KB each); 0 = no cache */
	size_t cache_chain_bytes; /* ... and their estimated memory; 0 = count limit only */
};

void tlsd_cert_opts_default(struct tlsd_cert_opts *o);

struct tlsd_cert_store;

/* NULL on failure, with a reason in err (OOM, CA file unreadable or holding
 * no certificate). opts NULL = defaults. */
struct tlsd_cert_store *tlsd_cert_store_new(const struct tlsd_cert_opts *opts, char *err,
					    size_t errlen);
void tlsd_cert_store_free(struct tlsd_cert_store *s);

struct tlsd_cert_stats {
	uint64_t cert_hits, cert_misses, cert_evictions;
	uint64_t verdict_hits, verdict_misses, verdict_evictions;
	uint64_t chain_hits, chain_misses, chain_evictions;
	uint64_t chain_timed; /* answers built at another capture second from a cached one */
};

void tlsd_cert_store_stats(const struct tlsd_cert_store *s, struct tlsd_cert_stats *out);

/* One certificate, as shown in reports. Every string is NUL-terminated,
 * printable ASCII: bytes outside 0x20..0x7e (NUL, controls, UTF-8) are
 * written as \xNN, so reporters can print them as they are. Names are
 * RFC 2253 strings ("CN=server.test,O=Example"). */
struct tlsd_cert_info {
	int position;                        /* index in the chain as sent */
	uint32_t der_len;
	char sha256[65];                     /* lower-case hex of the DER's SHA-256 */
	bool parsed;                         /* false: the fields below are empty */
	bool too_large;                      /* DER above TLSD_CERT_MAX_DER: not parsed */
	char subject[TLSD_CERT_NAME_LEN], issuer[TLSD_CERT_NAME_LEN];
	char serial[80];                     /* hex, as BN_bn2hex writes it */
	bool times_valid;                    /* notBefore/notAfter could be read */
	int64_t not_before, not_after;       /* Unix seconds, UTC */
	char key_type[16];                   /* "RSA", "RSA-PSS", "EC", "Ed25519", "Ed448", "DSA", "DH", "unknown" */
	char key_group[24];                  /* EC curve ("prime256v1"); empty otherwise */
	int key_bits;
	char sig_alg[48];                    /* "sha256WithRSAEncryption" */
	uint8_t n_dns, n_ips;                /* entries kept below */
	uint32_t n_san_total;                /* dNSName + iPAddress entries in the certificate */
	bool san_truncated;                  /* n_san_total > n_dns + n_ips, or a name was cut */
	char dns[TLSD_CERT_MAX_DNS][TLSD_CERT_DNS_LEN];
	char ips[TLSD_CERT_MAX_IPS][TLSD_CERT_IP_LEN];
	bool self_signed;                    /* subject == issuer and the signature verifies with its own key */
	bool is_ca;                          /* basicConstraints CA:TRUE */
	bool aia_ca_issuers;                 /* names where its issuer can be fetched (AIA caIssuers) */
};

struct tlsd_cert_finding {
	enum tlsd_cert_code code;
	enum tlsd_cert_severity severity;
	int position;                        /* certificate in the chain sent; -1: the chain or a trust-store certificate */
	char text[TLSD_CERT_TEXT_LEN];       /* one sentence a person can act on */
	char evidence[TLSD_CERT_EVIDENCE_LEN]; /* dates, names, OpenSSL's verify error */
};

/* The certificate stage's answer for one chain. Large (about 44 KiB): keep it
 * on the heap or in a long-lived struct. The answers of
 * tlsd_cert_check_chain_shared are allocated only up to certs[n_certs]: read
 * certs[] up to n_certs and findings[] up to n_findings, and never copy such
 * an answer as a whole struct. */
struct tlsd_chain_findings {
	uint32_t n_sent;                     /* certificates sent: query n_sent, else n */
	uint32_t n_certs;                    /* looked at: min(n, max_chain) */
	bool chain_truncated;                /* n > max_chain or the query was capped (a cap,
					      * not a peer fault) */
	bool host_checked;                   /* an SNI was given and compared */
	bool verified;                       /* the chain verifies against the store, time errors aside */
	int verify_error;                    /* X509_V_ERR_*; 0 when verified or not attempted */
	int verify_error_depth;
	char verify_error_text[96];          /* X509_verify_cert_error_string */
	uint8_t n_findings;
	uint32_t findings_dropped;           /* beyond TLSD_CERT_MAX_FINDINGS */
	struct tlsd_cert_finding findings[TLSD_CERT_MAX_FINDINGS];
	struct tlsd_cert_info certs[TLSD_CERT_MAX_CHAIN];
};

struct tlsd_cert_query {
	const struct tlsd_cur *ders;         /* the chain as sent, leaf first (views) */
	size_t n;
	const uint8_t *sni;                  /* raw SNI bytes, or NULL: no host-name check */
	size_t sni_len;
	int64_t capture_time_s;              /* validity is judged here, never at today's date */
	int expiry_warning_days;             /* expires_soon threshold; <= 0: off */
	bool client_chain;                   /* a client's chain: clientAuth purpose, no host check */
	/* The caller kept fewer certificates than the peer sent (its own cap):
	 * n_sent is their number on the wire (0: n) and capped sets the
	 * answer's chain_truncated. Part of the answer, so part of its key. */
	uint32_t n_sent;
	bool capped;
};

/* Checks one chain. Findings, in this order, at most one per code and
 * certificate:
 *  - certificate_malformed: a certificate libcrypto cannot parse (or with
 *    bytes after it); when the leaf is malformed nothing else is checked.
 *  - hostname_mismatch: the SNI is not covered by the leaf (RFC 6125 via
 *    X509_check_host, no partial wildcards; CN only without DNS SANs; an
 *    SNI that is an IP literal is compared with the iPAddress SANs).
 *  - self_signed: the leaf signs itself (error unless the store trusts it).
 *  - missing_intermediate: verification stopped at the leaf because its
 *    issuer is neither sent nor in the store (evidence names the issuer).
 *  - server_certificate_untrusted: any other verification failure against
 *    the store at the capture time (time errors aside: they are the two
 *    findings below), with OpenSSL's error in words. Not emitted when
 *    missing_intermediate explains the failure.
 *  - chain_order_invalid: certificate i's issuer is not certificate i+1's
 *    subject, but is elsewhere in the chain sent (warning).
 *  - certificate_expired / certificate_not_yet_valid: for the leaf and every
 *    certificate of the chain OpenSSL built (store certificates included),
 *    at capture_time_s; evidence holds notBefore, notAfter and capture time.
 *  - expires_soon: valid now but notAfter within expiry_warning_days (warning).
 *  - weak_key: RSA/DSA/DH below 2048 bits, EC below 256 bits.
 *  - weak_signature_algorithm: MD2/MD4/MD5/SHA-1 signature on a sent
 *    certificate that is not self-signed.
 * Returns 0 and fills *out, or -EINVAL (n == 0, NULL arguments) / -ENOMEM,
 * leaving *out untouched. */
TLSD_MUST_USE int tlsd_cert_check_chain(struct tlsd_cert_store *s, const struct tlsd_cert_query *q,
					struct tlsd_chain_findings *out);

/* The same answer, byte for byte, without the copy: *out is an immutable,
 * reference-counted answer that other connections with the same query may
 * share. Release it with tlsd_cert_findings_release. Returns 0, or -EINVAL /
 * -ENOMEM leaving *out untouched.
 *
 * Cached: one entry per query, keyed by everything that decides the answer
 * except the capture second: the DER bytes of the certificates looked at
 * (their number and each one's length included), n_sent and the truncation,
 * the role, the SNI (client chains and an empty SNI: none), the expiry
 * warning days and the capture day. Compared byte for byte; the keyed hash
 * only picks the bucket.
 *
 * Time: the answer depends on the capture second only through the time
 * findings (certificate_expired, _not_yet_valid, expires_soon), whose text
 * prints that second and a number of days; the rest depends at most on the
 * day (chain building prefers issuers valid then, which is why verdicts
 * are cached per day, and so are these answers). So an entry holds the
 * answer without the time findings, the certificates whose dates the time
 * stage judges, and the window of seconds at which none of them gets a
 * finding: inside it that answer is returned as it is, a reference more.
 * At any other second the time findings are made for that second and put
 * in their place (after host, trust and order, before strength, exactly as
 * one pass of the checks would), in a new answer the entry keeps for that
 * second (the last one only: connections to one server come in bursts). A
 * hit, inside the window or at the kept second, parses, verifies and copies
 * nothing; a new second outside the window costs one copy of the answer.
 *
 * Bounded by opts.cache_chains entries and opts.cache_chain_bytes, FIFO
 * (oldest first); chains whose key exceeds TLSD_CERT_CHAIN_KEY_MAX are not
 * cached. Eviction drops the cache's references only: an answer lives until
 * its last holder releases it, and may outlive the store.
 *
 * Not thread-safe, the reference counts included: take and release answers
 * on the thread that uses s (or after it has been joined). Other threads
 * may read an answer while a reference is held for them. */
TLSD_MUST_USE int tlsd_cert_check_chain_shared(struct tlsd_cert_store *s,
					       const struct tlsd_cert_query *q,
					       const struct tlsd_chain_findings **out);

/* Drops one reference to an answer of tlsd_cert_check_chain_shared (NULL:
 * nothing), freeing it with the last one. */
void tlsd_cert_findings_release(const struct tlsd_chain_findings *f);

/* True when the findings hold code (any certificate). */
bool tlsd_cert_has_finding(const struct tlsd_chain_findings *f, enum tlsd_cert_code code);

/* ServerKeyExchange signature check (TLS 1.0-1.2 DHE/ECDHE). The signed data
 * is client_random || server_random || params. */
struct tlsd_ske_check {
	struct tlsd_cur leaf;                /* DER of the server's leaf certificate */
	uint16_t version;                    /* negotiated: 0x0300..0x0303 */
	uint16_t sig_scheme;                 /* TLS 1.2 SignatureScheme; ignored before TLS 1.2 */
	uint8_t client_random[32], server_random[32];
	struct tlsd_cur params;              /* ServerECDHParams / ServerDHParams bytes */
	struct tlsd_cur sig;                 /* the signature bytes */
};

enum tlsd_sig_result {
	TLSD_SIG_OK = 0,     /* the leaf's key made this signature */
	TLSD_SIG_BAD,        /* it did not (wrong key, tampering, or a scheme the key cannot make) */
	TLSD_SIG_UNSUPPORTED, /* scheme or version this module does not check (TLS 1.3, GOST, ...) */
	TLSD_SIG_ERROR,      /* the leaf cannot be parsed, an input is over its cap, or OOM */
};

#define TLSD_SKE_MAX_PARAMS (64u << 10)

/* s may be NULL (the leaf is parsed again). detail (if detail_len > 0)
 * always receives one sentence saying what was checked and the outcome. */
TLSD_MUST_USE enum tlsd_sig_result tlsd_cert_verify_ske(struct tlsd_cert_store *s,
							const struct tlsd_ske_check *in,
							char *detail, size_t detail_len);

/* Escapes n raw bytes into dst (always NUL-terminated when dstlen > 0):
 * bytes outside 0x20..0x7e and the backslash become \xNN. Never splits an
 * escape. Returns false when the output was cut short. */
bool tlsd_cert_escape(char *dst, size_t dstlen, const uint8_t *src, size_t n);

/* The DER of an X.501 Name (a TLS DistinguishedName) as the subjects of
 * struct tlsd_cert_info are written: an RFC 2253 string, escaped, cut to
 * fit len (TLSD_CERT_NAME_LEN holds a subject). Returns false, leaving dst
 * untouched, when der is empty, over TLSD_CERT_MAX_DER, not one whole Name
 * (bytes after it included), or len is 0. */
TLSD_MUST_USE bool tlsd_cert_name_text(char *dst, size_t len, const struct tlsd_cur *der);

/* Unix seconds to "2025-06-01T00:00:00Z" (buf >= 21 bytes; "?" when out of range). */
void tlsd_cert_format_time(char *buf, size_t len, int64_t t);

#endif
