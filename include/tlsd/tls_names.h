/* Names for TLS code points, generated at build time from src/tls_names.tsv
 * (one data file: versions, cipher suites with their key exchange and
 * cipher properties, alerts, handshake types, extensions, groups, signature
 * schemes, content types). Lookups return NULL for unknown values. */
#ifndef TLSD_TLS_NAMES_H
#define TLSD_TLS_NAMES_H

#include "tlsd/tls_handshake.h"

const char *tlsd_name_version(uint16_t v);       /* "TLS 1.2", "SSL 3.0", "DTLS 1.2" */
const char *tlsd_name_suite(uint16_t s);         /* IANA: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
const char *tlsd_name_alert(uint8_t desc);       /* "handshake_failure" */
const char *tlsd_name_alert_level(uint8_t lvl);  /* "warning", "fatal" */
const char *tlsd_name_handshake(uint8_t type);   /* "client_hello" (RFC 8446 names) */
const char *tlsd_name_extension(uint16_t type);  /* "server_name" */
const char *tlsd_name_group(uint16_t g);         /* "x25519", "secp256r1" */
const char *tlsd_name_sigscheme(uint16_t s);     /* "rsa_pss_rsae_sha256" */
const char *tlsd_name_content_type(uint8_t t);   /* "handshake" */

/* Properties of a cipher suite, for diagnosis. */
enum tlsd_suite_cipher {
	TLSD_CIPHER_UNKNOWN = 0,
	TLSD_CIPHER_NULL,
	TLSD_CIPHER_RC4,
	TLSD_CIPHER_CBC,  /* any block cipher in CBC mode (3DES, AES, Camellia, ...) */
	TLSD_CIPHER_AEAD, /* GCM, CCM, ChaCha20-Poly1305 */
};

struct tlsd_suite_info {
	enum tlsd_kx_kind kx;
	enum tlsd_suite_cipher cipher;
	uint8_t aead_tag_len;   /* 16, or 8 for CCM_8; 0 when not AEAD */
	uint8_t explicit_iv;    /* TLS 1.2 AES-GCM/CCM nonce_explicit bytes (8) */
	bool tls13;             /* a TLS 1.3 suite (0x13xx) */
	bool export_grade;
};

/* false when the suite is unknown (out untouched). */
TLSD_MUST_USE bool tlsd_suite_info(uint16_t suite, struct tlsd_suite_info *out);

/* The suite table, sorted by code point (for tests and listings). */
size_t tlsd_suite_count(void);
uint16_t tlsd_suite_at(size_t i); /* 0 when i >= tlsd_suite_count() */

/* Name or "unknown_<code>" / "0x%04x" into buf for unknown values. */
const char *tlsd_name_alert_or_code(uint8_t desc, char *buf, size_t len);

#endif
