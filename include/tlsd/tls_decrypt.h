/* Record protection of one direction of a TLS connection, for reading
 * records with the secrets of a key log (see keylog.h). OpenSSL 3 libcrypto
 * does the cryptography (EVP_KDF HKDF / TLS1-PRF, EVP_MAC HMAC, EVP_CIPHER).
 *
 * TLS 1.3 (RFC 8446 5.2, 7.3): key and IV from a traffic secret with
 *   HKDF-Expand-Label; nonce = IV xor sequence number; AAD = record header;
 *   the plaintext's zero padding is stripped and its last non-zero byte is
 *   the inner content type. Suites 0x1301-0x1305.
 * TLS 1.0-1.2 (RFC 2246/4346/5246 6.2.3, 6.3): key block from the master
 *   secret (CLIENT_RANDOM line) with the version's PRF (MD5+SHA1 before 1.2,
 *   else P_SHA256, or P_SHA384 for suites named ..._SHA384).
 *   AEAD: AES-GCM and AES-CCM(_8) with a 4-byte implicit salt and an 8-byte
 *   explicit nonce (RFC 5288, 6655), ChaCha20-Poly1305 (RFC 7905), ARIA-GCM;
 *   CBC (AES, Camellia, ARIA, 3DES) with HMAC-MD5/SHA1/SHA256/SHA384,
 *   MAC-then-encrypt or encrypt_then_mac (RFC 7366); TLS 1.0 chained IVs;
 *   NULL ciphers (MAC only). RC4, DES, SEED, IDEA, export and GOST suites
 *   and SSL 3.0 are UNSUPPORTED.
 *
 * Sequence numbers: one per record read with a key, starting at 0 when the
 * key is installed. Every record the peer protected with the key must go
 * through tlsd_decrypt_record() or tlsd_decrypt_skip(), in stream order,
 * whatever the result, or the following records fail with BAD_MAC. */
#ifndef TLSD_TLS_DECRYPT_H
#define TLSD_TLS_DECRYPT_H

#include "tlsd/common.h"

/* Largest plaintext returned: a TLS 1.2 record body may declare up to
 * 2^14 + 2048 bytes (tls_record.h TLSD_RECORD_MAX_LEN); plaintext is never
 * longer than its record. TLS 1.3 plaintext above 2^14 + 1 bytes (inner
 * type included) is still returned, flagged in tlsd_plaintext.overflow. */
#define TLSD_DECRYPT_MAX_PLAINTEXT ((1u << 14) + 2048u)

enum tlsd_decrypt_result {
	TLSD_DECRYPT_OK = 0,
	TLSD_DECRYPT_BAD_MAC,     /* authentication failed (wrong keys, corruption, bad
				   * CBC padding): a finding, like bad_record_mac */
	TLSD_DECRYPT_UNSUPPORTED, /* no keys installed, or suite/version we cannot read */
	TLSD_DECRYPT_MALFORMED,   /* record too short or too long for its protection, a
				   * CBC body not a multiple of the block size, or a TLS 1.3
				   * plaintext that is all padding */
	TLSD_DECRYPT_INTERNAL,    /* libcrypto failed (resources): not the peer's fault */
};

const char *tlsd_decrypt_result_name(enum tlsd_decrypt_result r);

/* A decrypted record: valid until the next call on the same state. */
struct tlsd_plaintext {
	uint8_t type;       /* TLS 1.3: the inner content type; else the record's type */
	bool overflow;      /* longer than the protocol allows (record_overflow) */
	const uint8_t *p;
	size_t len;
};

struct tlsd_decrypt; /* one direction */

/* NULL on OOM. A new state has no keys (UNSUPPORTED). */
struct tlsd_decrypt *tlsd_decrypt_new(void);
void tlsd_decrypt_free(struct tlsd_decrypt *dc);

/* TLS 1.3: installs the key of a traffic secret (handshake, application, or
 * early data) and resets the sequence number. Returns 0, -ENOTSUP (not a
 * TLS 1.3 suite we read), -EINVAL (secret length is not the suite's hash
 * length), -ENOMEM/-EIO (libcrypto). On failure the state has no keys. */
TLSD_MUST_USE int tlsd_decrypt_set_tls13(struct tlsd_decrypt *dc, uint16_t suite,
					 const uint8_t *secret, size_t secret_len);
/* TLS 1.3 KeyUpdate: the next traffic secret of the installed one
 * (RFC 8446 7.2), sequence reset. -EINVAL without a TLS 1.3 key. */
TLSD_MUST_USE int tlsd_decrypt_key_update(struct tlsd_decrypt *dc);

struct tlsd_tls12_keys {
	uint16_t version;              /* negotiated: 0x0301..0x0303 */
	uint16_t suite;
	const uint8_t *master_secret;  /* 48 bytes (CLIENT_RANDOM line) */
	const uint8_t *client_random;  /* 32 bytes, ClientHello.random */
	const uint8_t *server_random;  /* 32 bytes, ServerHello.random */
	bool encrypt_then_mac;         /* both hellos carried encrypt_then_mac (22) */
};

/* TLS 1.0-1.2: installs the write keys of side `d` (TLSD_DIR_C2S: the
 * client's) for reading that side's records after its ChangeCipherSpec,
 * sequence 0. encrypt_then_mac only matters for CBC suites. Returns 0,
 * -ENOTSUP (suite or version not supported), -EINVAL, -ENOMEM/-EIO. */
TLSD_MUST_USE int tlsd_decrypt_set_tls12(struct tlsd_decrypt *dc, enum tlsd_dir d,
					 const struct tlsd_tls12_keys *k);

/* Forgets the keys (UNSUPPORTED until the next set_*). */
void tlsd_decrypt_reset(struct tlsd_decrypt *dc);
bool tlsd_decrypt_has_keys(const struct tlsd_decrypt *dc);
/* Records read (or skipped) with the current key. */
uint64_t tlsd_decrypt_seq(const struct tlsd_decrypt *dc);

/* Decrypts one record body. type, version and len come from its header
 * (tlsd_record_info). *out is written only on OK. The sequence number
 * advances whenever keys are installed, whatever the result; a TLS 1.0 CBC
 * state also chains its IV on the record's last ciphertext block. */
TLSD_MUST_USE enum tlsd_decrypt_result tlsd_decrypt_record(struct tlsd_decrypt *dc,
							   uint8_t type, uint16_t version,
							   const uint8_t *body, size_t len,
							   struct tlsd_plaintext *out);
/* A record protected with the current key was not seen (capture gap): count
 * it. TLS 1.0 CBC cannot continue after a lost record (its next IV was in
 * it): the keys are dropped. */
void tlsd_decrypt_skip(struct tlsd_decrypt *dc);

/* Helpers, exposed for tests: TLS 1.3 key and IV of a traffic secret.
 * key must hold 32 bytes; *key_len gets 16 or 32. 0, -ENOTSUP, -EINVAL, -EIO. */
TLSD_MUST_USE int tlsd_decrypt_tls13_key_iv(uint16_t suite, const uint8_t *secret,
					    size_t secret_len, uint8_t key[32], size_t *key_len,
					    uint8_t iv[12]);
/* HKDF (RFC 5869) with a libcrypto digest name ("SHA256", "SHA384"), and
 * TLS 1.3's HKDF-Expand-Label(secret, label, "", len) (RFC 8446 7.1; label
 * without the "tls13 " prefix). QUIC derives its packet protection keys
 * with them (RFC 9001 5). 0, -EINVAL, -EIO. */
TLSD_MUST_USE int tlsd_hkdf_extract(const char *digest, const uint8_t *salt, size_t salt_len,
				    const uint8_t *ikm, size_t ikm_len, uint8_t *out,
				    size_t out_len);
TLSD_MUST_USE int tlsd_hkdf_expand_label(const char *digest, const uint8_t *secret,
					 size_t secret_len, const char *label, uint8_t *out,
					 size_t len);

/* What a TLS 1.3 suite uses. */
struct tlsd_tls13_suite {
	const char *digest;  /* HKDF hash, libcrypto name */
	uint8_t hash_len;
	uint8_t key_len;     /* AEAD key */
	uint8_t tag_len;
	bool chacha;         /* ChaCha20-Poly1305 (else AES-GCM or AES-CCM) */
	bool ccm;
};
/* false when suite is not a TLS 1.3 suite we read. */
TLSD_MUST_USE bool tlsd_decrypt_tls13_suite(uint16_t suite, struct tlsd_tls13_suite *out);

/* Can we read records of this suite at this version (0x0301..0x0304)? */
bool tlsd_decrypt_supported(uint16_t version, uint16_t suite);

#endif
