/* TLS record decryption with key log secrets (see tls_decrypt.h).
 *
 * The suite's bulk cipher and hashes are read from its IANA name
 * (tls_names: "TLS_<kx>_WITH_<bulk>[_<hash>]", TLS 1.3 "TLS_<bulk>_<hash>"),
 * so every suite that combines a cipher of the table below with a supported
 * MAC/PRF hash is read, whatever its key exchange. */
#include "tlsd/tls_decrypt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "tlsd/cur.h"
#include "tlsd/tls_handshake.h"
#include "tlsd/tls_names.h"
#include "tlsd/tls_record.h"

#define AEAD_NONCE_LEN 12
#define MAX_KEY 32
#define MAX_IV 16
#define MAX_HASH 48
#define TLS12_AAD_LEN 13 /* seq(8) type(1) version(2) length(2) */
#define TLS13_AAD_LEN 5
#define MAX_KEY_BLOCK (2 * (MAX_HASH + MAX_KEY + MAX_IV))

enum bulk_kind { BULK_GCM, BULK_CCM, BULK_CHACHA, BULK_CBC, BULK_NULL };

struct bulk {
	const char *token;  /* in the suite name */
	const char *evp;    /* OpenSSL cipher name */
	enum bulk_kind kind;
	uint8_t key_len;
	uint8_t block;      /* CBC block size */
	uint8_t tag_len;    /* AEAD */
};

/* Longest tokens first where one is a prefix of another (CCM_8, CCM). */
static const struct bulk bulks[] = {
	{"AES_128_GCM", "AES-128-GCM", BULK_GCM, 16, 0, 16},
	{"AES_256_GCM", "AES-256-GCM", BULK_GCM, 32, 0, 16},
	{"ARIA_128_GCM", "ARIA-128-GCM", BULK_GCM, 16, 0, 16},
	{"ARIA_256_GCM", "ARIA-256-GCM", BULK_GCM, 32, 0, 16},
	{"AES_128_CCM_8", "AES-128-CCM", BULK_CCM, 16, 0, 8},
	{"AES_256_CCM_8", "AES-256-CCM", BULK_CCM, 32, 0, 8},
	{"AES_128_CCM", "AES-128-CCM", BULK_CCM, 16, 0, 16},
	{"AES_256_CCM", "AES-256-CCM", BULK_CCM, 32, 0, 16},
	{"CHACHA20_POLY1305", "ChaCha20-Poly1305", BULK_CHACHA, 32, 0, 16},
	{"AES_128_CBC", "AES-128-CBC", BULK_CBC, 16, 16, 0},
	{"AES_256_CBC", "AES-256-CBC", BULK_CBC, 32, 16, 0},
	{"CAMELLIA_128_CBC", "CAMELLIA-128-CBC", BULK_CBC, 16, 16, 0},
	{"CAMELLIA_256_CBC", "CAMELLIA-256-CBC", BULK_CBC, 32, 16, 0},
	{"ARIA_128_CBC", "ARIA-128-CBC", BULK_CBC, 16, 16, 0},
	{"ARIA_256_CBC", "ARIA-256-CBC", BULK_CBC, 32, 16, 0},
	{"3DES_EDE_CBC", "DES-EDE3-CBC", BULK_CBC, 24, 8, 0},
	{"NULL", NULL, BULK_NULL, 0, 0, 0},
};

struct hash {
	const char *token; /* suffix in the suite name */
	const char *evp;
	uint8_t len;
};

static const struct hash hashes[] = {
	{"MD5", "MD5", 16},
	{"SHA", "SHA1", 20},
	{"SHA256", "SHA256", 32},
	{"SHA384", "SHA384", 48},
};

/* What a suite name says. hash is the MAC hash of CBC/NULL suites and the
 * PRF/HKDF hash of AEAD suites (NULL when the name has none). */
struct suite_desc {
	const struct bulk *bulk;
	const struct hash *hash;
	bool tls13;
};

enum mode { MODE_NONE, MODE_TLS13, MODE_AEAD_EXPLICIT, MODE_AEAD_XOR, MODE_CBC, MODE_NULL };

struct tlsd_decrypt {
	enum mode mode;
	const struct bulk *bulk;
	const struct hash *hash;      /* TLS 1.3 HKDF hash; TLS <= 1.2 MAC hash */
	EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *cctx;
	EVP_MAC *hmac;
	EVP_MAC_CTX *mctx;
	uint16_t suite;
	bool etm;
	bool chained_iv;              /* TLS 1.0 CBC */
	uint8_t key[MAX_KEY];
	uint8_t iv[MAX_IV];           /* TLS 1.3/ChaCha: 12; GCM/CCM: 4-byte salt; TLS 1.0: chain */
	uint8_t mac_key[MAX_HASH];
	uint8_t secret[MAX_HASH];     /* TLS 1.3 traffic secret, for KeyUpdate */
	uint64_t seq;
	uint8_t out[TLSD_DECRYPT_MAX_PLAINTEXT + MAX_IV];
};

const char *tlsd_decrypt_result_name(enum tlsd_decrypt_result r)
{
	switch (r) {
	case TLSD_DECRYPT_OK:
		return "ok";
	case TLSD_DECRYPT_BAD_MAC:
		return "bad_mac";
	case TLSD_DECRYPT_UNSUPPORTED:
		return "unsupported";
	case TLSD_DECRYPT_MALFORMED:
		return "malformed";
	case TLSD_DECRYPT_INTERNAL:
		return "internal";
	default:
		return "unknown";
	}
}

/* ---- suites ---- */

static bool starts_with(const char *s, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0)
		return false;
	*rest = s + n;
	return true;
}

static bool describe_suite(uint16_t suite, struct suite_desc *out)
{
	struct tlsd_suite_info info;
	const char *name = tlsd_name_suite(suite), *rest, *with;
	struct suite_desc d = {0};

	if (!name || !tlsd_suite_info(suite, &info))
		return false;
	d.tls13 = info.tls13;
	if (d.tls13) {
		if (!starts_with(name, "TLS_", &rest))
			return false;
	} else {
		with = strstr(name, "_WITH_");
		if (!with)
			return false;
		rest = with + strlen("_WITH_");
	}
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(bulks) && !d.bulk; i++) {
		const char *tail;

		if (!starts_with(rest, bulks[i].token, &tail))
			continue;
		if (*tail == '\0') {
			d.bulk = &bulks[i];
			break;
		}
		if (*tail != '_')
			continue;
		for (size_t h = 0; h < TLSD_ARRAY_SIZE(hashes); h++) {
			if (strcmp(tail + 1, hashes[h].token) == 0) {
				d.bulk = &bulks[i];
				d.hash = &hashes[h];
				break;
			}
		}
	}
	if (!d.bulk)
		return false;
	if (d.tls13) {
		/* TLS 1.3 suites are AEAD with an HKDF hash of 256 or 384 bits. */
		if (d.bulk->kind == BULK_CBC || d.bulk->kind == BULK_NULL || !d.hash ||
		    d.hash->len < 32)
			return false;
	} else if (d.bulk->kind == BULK_CBC || d.bulk->kind == BULK_NULL) {
		if (!d.hash)
			return false;
	} else if (d.hash && d.hash->len < 32) {
		return false; /* an AEAD suite names its PRF hash, never SHA-1 */
	}
	*out = d;
	return true;
}

bool tlsd_decrypt_supported(uint16_t version, uint16_t suite)
{
	struct suite_desc d;

	if (!describe_suite(suite, &d))
		return false;
	if (version == TLSD_VERSION_TLS13)
		return d.tls13;
	if (d.tls13 || version < TLSD_VERSION_TLS10 || version > TLSD_VERSION_TLS12)
		return false;
	/* AEAD record protection exists from TLS 1.2 on. */
	return version == TLSD_VERSION_TLS12 ||
	       d.bulk->kind == BULK_CBC || d.bulk->kind == BULK_NULL;
}

/* ---- key derivation ---- */

/* Runs the KDF `name` with params into out[len]. */
static int kdf_derive(const char *name, const OSSL_PARAM *params, uint8_t *out, size_t len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, name, NULL);
	EVP_KDF_CTX *kctx;
	int r = -EIO;

	if (!kdf)
		return -EIO;
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (!kctx)
		return -ENOMEM;
	if (EVP_KDF_derive(kctx, out, len, params) > 0)
		r = 0;
	EVP_KDF_CTX_free(kctx);
	return r;
}

/* HKDF-Expand-Label(secret, label, "", len) (RFC 8446 7.1). */
int tlsd_hkdf_expand_label(const char *digest, const uint8_t *secret, size_t secret_len,
			   const char *label, uint8_t *out, size_t len)
{
	uint8_t info[2 + 1 + 255 + 1];
	size_t ll = strlen("tls13 ") + strlen(label), n = 0;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM params[5];

	if (ll > 255 || len > UINT16_MAX)
		return -EINVAL;
	info[n++] = (uint8_t)(len >> 8);
	info[n++] = (uint8_t)len;
	info[n++] = (uint8_t)ll;
	memcpy(info + n, "tls13 ", 6);
	memcpy(info + n + 6, label, ll - 6);
	n += ll;
	info[n++] = 0; /* empty context */
	params[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret,
						      secret_len);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
	params[4] = OSSL_PARAM_construct_end();
	return kdf_derive("HKDF", params, out, len);
}

static int expand_label(const struct hash *h, const uint8_t *secret, size_t secret_len,
			const char *label, uint8_t *out, size_t len)
{
	return tlsd_hkdf_expand_label(h->evp, secret, secret_len, label, out, len);
}

int tlsd_hkdf_extract(const char *digest, const uint8_t *salt, size_t salt_len,
		      const uint8_t *ikm, size_t ikm_len, uint8_t *out, size_t out_len)
{
	int mode = EVP_KDF_HKDF_MODE_EXTRACT_ONLY;
	OSSL_PARAM params[5];

	params[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
	params[4] = OSSL_PARAM_construct_end();
	return kdf_derive("HKDF", params, out, out_len);
}

bool tlsd_decrypt_tls13_suite(uint16_t suite, struct tlsd_tls13_suite *out)
{
	struct suite_desc d;

	if (!describe_suite(suite, &d) || !d.tls13 || !d.bulk->evp)
		return false;
	*out = (struct tlsd_tls13_suite){
		.digest = d.hash->evp,
		.hash_len = d.hash->len,
		.key_len = d.bulk->key_len,
		.tag_len = d.bulk->tag_len,
		.chacha = d.bulk->kind == BULK_CHACHA,
		.ccm = d.bulk->kind == BULK_CCM,
	};
	return true;
}

/* The TLS PRF (RFC 5246 5; RFC 2246 5 with "MD5-SHA1"). */
static int tls_prf(const char *digest, const uint8_t *secret, size_t secret_len,
		   const uint8_t *seed, size_t seed_len, uint8_t *out, size_t len)
{
	OSSL_PARAM params[4];

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret,
						      secret_len);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed, seed_len);
	params[3] = OSSL_PARAM_construct_end();
	return kdf_derive("TLS1-PRF", params, out, len);
}

int tlsd_decrypt_tls13_key_iv(uint16_t suite, const uint8_t *secret, size_t secret_len,
			      uint8_t key[32], size_t *key_len, uint8_t iv[12])
{
	struct suite_desc d;
	uint8_t k[MAX_KEY], v[AEAD_NONCE_LEN];

	if (!describe_suite(suite, &d) || !d.tls13)
		return -ENOTSUP;
	if (secret_len != d.hash->len)
		return -EINVAL;
	TLSD_TRY(expand_label(d.hash, secret, secret_len, "key", k, d.bulk->key_len));
	TLSD_TRY(expand_label(d.hash, secret, secret_len, "iv", v, sizeof(v)));
	memcpy(key, k, d.bulk->key_len);
	memcpy(iv, v, sizeof(v));
	*key_len = d.bulk->key_len;
	OPENSSL_cleanse(k, sizeof(k));
	return 0;
}

/* ---- state ---- */

struct tlsd_decrypt *tlsd_decrypt_new(void)
{
	struct tlsd_decrypt *dc = calloc(1, sizeof(*dc));

	if (!dc)
		return NULL;
	dc->cctx = EVP_CIPHER_CTX_new();
	if (!dc->cctx) {
		free(dc);
		return NULL;
	}
	return dc;
}

void tlsd_decrypt_reset(struct tlsd_decrypt *dc)
{
	if (!dc)
		return;
	EVP_CIPHER_free(dc->cipher);
	dc->cipher = NULL;
	EVP_MAC_CTX_free(dc->mctx);
	dc->mctx = NULL;
	EVP_MAC_free(dc->hmac);
	dc->hmac = NULL;
	OPENSSL_cleanse(dc->key, sizeof(dc->key));
	OPENSSL_cleanse(dc->mac_key, sizeof(dc->mac_key));
	OPENSSL_cleanse(dc->secret, sizeof(dc->secret));
	OPENSSL_cleanse(dc->iv, sizeof(dc->iv));
	dc->mode = MODE_NONE;
	dc->bulk = NULL;
	dc->hash = NULL;
	dc->seq = 0;
	dc->etm = false;
	dc->chained_iv = false;
}

void tlsd_decrypt_free(struct tlsd_decrypt *dc)
{
	if (!dc)
		return;
	tlsd_decrypt_reset(dc);
	EVP_CIPHER_CTX_free(dc->cctx);
	OPENSSL_cleanse(dc->out, sizeof(dc->out));
	free(dc);
}

bool tlsd_decrypt_has_keys(const struct tlsd_decrypt *dc)
{
	return dc && dc->mode != MODE_NONE;
}

uint64_t tlsd_decrypt_seq(const struct tlsd_decrypt *dc)
{
	return dc ? dc->seq : 0;
}

static int fetch_cipher(struct tlsd_decrypt *dc, const struct bulk *b)
{
	if (!b->evp)
		return 0;
	dc->cipher = EVP_CIPHER_fetch(NULL, b->evp, NULL);
	return dc->cipher ? 0 : -ENOTSUP; /* e.g. a provider without it */
}

static int fetch_hmac(struct tlsd_decrypt *dc)
{
	dc->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!dc->hmac)
		return -EIO;
	dc->mctx = EVP_MAC_CTX_new(dc->hmac);
	return dc->mctx ? 0 : -ENOMEM;
}

static int install_tls13(struct tlsd_decrypt *dc, const struct suite_desc *d, uint16_t suite,
			 const uint8_t *secret, size_t secret_len)
{
	size_t key_len;

	TLSD_TRY(tlsd_decrypt_tls13_key_iv(suite, secret, secret_len, dc->key, &key_len, dc->iv));
	TLSD_TRY(fetch_cipher(dc, d->bulk));
	memcpy(dc->secret, secret, secret_len);
	dc->bulk = d->bulk;
	dc->hash = d->hash;
	dc->suite = suite;
	dc->mode = MODE_TLS13;
	return 0;
}

int tlsd_decrypt_set_tls13(struct tlsd_decrypt *dc, uint16_t suite, const uint8_t *secret,
			   size_t secret_len)
{
	struct suite_desc d;
	int r;

	tlsd_decrypt_reset(dc);
	if (!describe_suite(suite, &d) || !d.tls13)
		return -ENOTSUP;
	if (secret_len != d.hash->len)
		return -EINVAL;
	r = install_tls13(dc, &d, suite, secret, secret_len);
	if (r < 0)
		tlsd_decrypt_reset(dc);
	return r;
}

int tlsd_decrypt_key_update(struct tlsd_decrypt *dc)
{
	uint8_t next[MAX_HASH];
	struct suite_desc d;
	uint16_t suite = dc->suite;
	int r;

	if (dc->mode != MODE_TLS13 || !describe_suite(suite, &d))
		return -EINVAL;
	r = expand_label(d.hash, dc->secret, d.hash->len, "traffic upd", next, d.hash->len);
	if (r == 0)
		r = tlsd_decrypt_set_tls13(dc, suite, next, d.hash->len);
	OPENSSL_cleanse(next, sizeof(next));
	return r;
}

static int install_tls12(struct tlsd_decrypt *dc, enum tlsd_dir dir, const struct suite_desc *d,
			 const struct tlsd_tls12_keys *k)
{
	const struct bulk *b = d->bulk;
	uint8_t seed[13 + 64], block[MAX_KEY_BLOCK];
	size_t mac_len = 0, iv_len = 0, off = 0;
	const char *prf;
	bool client = dir == TLSD_DIR_C2S;
	int r;

	switch (b->kind) {
	case BULK_GCM:
	case BULK_CCM:
		iv_len = 4; /* implicit salt; 8 explicit bytes in each record */
		dc->mode = MODE_AEAD_EXPLICIT;
		break;
	case BULK_CHACHA:
		iv_len = AEAD_NONCE_LEN;
		dc->mode = MODE_AEAD_XOR;
		break;
	case BULK_CBC:
		mac_len = d->hash->len;
		iv_len = b->block; /* used by TLS 1.0 only */
		dc->mode = MODE_CBC;
		break;
	case BULK_NULL:
		mac_len = d->hash->len;
		dc->mode = MODE_NULL;
		break;
	default:
		return -ENOTSUP;
	}
	if (k->version < TLSD_VERSION_TLS12)
		prf = "MD5-SHA1";
	else
		prf = d->hash && d->hash->len == 48 ? "SHA384" : "SHA256";
	memcpy(seed, "key expansion", 13);
	memcpy(seed + 13, k->server_random, 32);
	memcpy(seed + 45, k->client_random, 32);
	size_t need = 2 * (mac_len + b->key_len + iv_len);

	r = tls_prf(prf, k->master_secret, 48, seed, sizeof(seed), block, need);
	if (r < 0)
		return r;
	/* client MAC, server MAC, client key, server key, client IV, server IV */
	memcpy(dc->mac_key, block + (client ? 0 : mac_len), mac_len);
	off = 2 * mac_len;
	memcpy(dc->key, block + off + (client ? 0 : b->key_len), b->key_len);
	off += 2 * (size_t)b->key_len;
	memcpy(dc->iv, block + off + (client ? 0 : iv_len), iv_len);
	OPENSSL_cleanse(block, sizeof(block));
	dc->bulk = b;
	dc->hash = d->hash;
	dc->suite = k->suite;
	dc->etm = k->encrypt_then_mac;
	dc->chained_iv = b->kind == BULK_CBC && k->version == TLSD_VERSION_TLS10;
	TLSD_TRY(fetch_cipher(dc, b));
	if (mac_len)
		TLSD_TRY(fetch_hmac(dc));
	return 0;
}

int tlsd_decrypt_set_tls12(struct tlsd_decrypt *dc, enum tlsd_dir d,
			   const struct tlsd_tls12_keys *k)
{
	struct suite_desc sd;
	int r;

	tlsd_decrypt_reset(dc);
	if (!k->master_secret || !k->client_random || !k->server_random)
		return -EINVAL;
	if (!tlsd_decrypt_supported(k->version, k->suite) || k->version == TLSD_VERSION_TLS13 ||
	    !describe_suite(k->suite, &sd))
		return -ENOTSUP;
	r = install_tls12(dc, d, &sd, k);
	if (r < 0)
		tlsd_decrypt_reset(dc);
	return r;
}

/* ---- records ---- */

/* The nonce of RFC 8446 5.3 / RFC 7905: IV xor the sequence number. */
static void xor_nonce(const uint8_t iv[AEAD_NONCE_LEN], uint64_t seq, uint8_t out[AEAD_NONCE_LEN])
{
	memcpy(out, iv, AEAD_NONCE_LEN);
	for (size_t i = 0; i < 8; i++)
		out[AEAD_NONCE_LEN - 1 - i] ^= (uint8_t)(seq >> (8 * i));
}

static void put_tls12_aad(uint8_t aad[TLS12_AAD_LEN], uint64_t seq, uint8_t type,
			  uint16_t version, size_t len)
{
	for (size_t i = 0; i < 8; i++)
		aad[i] = (uint8_t)(seq >> (56 - 8 * i));
	aad[8] = type;
	aad[9] = (uint8_t)(version >> 8);
	aad[10] = (uint8_t)version;
	aad[11] = (uint8_t)(len >> 8);
	aad[12] = (uint8_t)len;
}

/* AEAD open into dc->out. ct and tag are views of the record. */
static enum tlsd_decrypt_result aead_open(struct tlsd_decrypt *dc, const uint8_t *nonce,
					  const uint8_t *aad, size_t aad_len,
					  const struct tlsd_cur *ct, const struct tlsd_cur *tag)
{
	EVP_CIPHER_CTX *c = dc->cctx;
	size_t n = tlsd_cur_len(ct);
	int outl = 0, fin = 0, tl = (int)tlsd_cur_len(tag);
	/* OpenSSL wants a non-NULL input even for 0 bytes. */
	const uint8_t *in = n ? tlsd_cur_data(ct) : dc->out;
	bool ccm = dc->bulk->kind == BULK_CCM;

	if (n > TLSD_DECRYPT_MAX_PLAINTEXT)
		return TLSD_DECRYPT_MALFORMED;
	if (!EVP_CIPHER_CTX_reset(c) || !EVP_DecryptInit_ex2(c, dc->cipher, NULL, NULL, NULL) ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, AEAD_NONCE_LEN, NULL) <= 0)
		return TLSD_DECRYPT_INTERNAL;
	if (ccm && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, tl,
				       (void *)tlsd_cur_data(tag)) <= 0)
		return TLSD_DECRYPT_INTERNAL;
	if (!EVP_DecryptInit_ex2(c, NULL, dc->key, nonce, NULL))
		return TLSD_DECRYPT_INTERNAL;
	if (ccm && !EVP_DecryptUpdate(c, NULL, &outl, NULL, (int)n))
		return TLSD_DECRYPT_INTERNAL;
	if (!EVP_DecryptUpdate(c, NULL, &outl, aad, (int)aad_len))
		return TLSD_DECRYPT_INTERNAL;
	if (ccm)
		return EVP_DecryptUpdate(c, dc->out, &outl, in, (int)n) > 0 ? TLSD_DECRYPT_OK
									: TLSD_DECRYPT_BAD_MAC;
	if (!EVP_DecryptUpdate(c, dc->out, &outl, in, (int)n) ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, tl, (void *)tlsd_cur_data(tag)) <= 0)
		return TLSD_DECRYPT_INTERNAL;
	return EVP_DecryptFinal_ex(c, dc->out + outl, &fin) > 0 ? TLSD_DECRYPT_OK
								 : TLSD_DECRYPT_BAD_MAC;
}

static enum tlsd_decrypt_result open_tls13(struct tlsd_decrypt *dc, uint8_t type,
					   uint16_t version, struct tlsd_cur body,
					   struct tlsd_plaintext *out)
{
	size_t len = tlsd_cur_len(&body), tag_len = dc->bulk->tag_len;
	uint8_t nonce[AEAD_NONCE_LEN], aad[TLS13_AAD_LEN];
	struct tlsd_cur ct, tag, plain;
	enum tlsd_decrypt_result r;
	uint8_t x = 0;

	if (len < tag_len + 1 || len > UINT16_MAX)
		return TLSD_DECRYPT_MALFORMED;
	if (!tlsd_cur_get_bytes(&body, &ct, len - tag_len) ||
	    !tlsd_cur_get_bytes(&body, &tag, tag_len))
		return TLSD_DECRYPT_MALFORMED;
	aad[0] = type;
	aad[1] = (uint8_t)(version >> 8);
	aad[2] = (uint8_t)version;
	aad[3] = (uint8_t)(len >> 8);
	aad[4] = (uint8_t)len;
	xor_nonce(dc->iv, dc->seq, nonce);
	r = aead_open(dc, nonce, aad, sizeof(aad), &ct, &tag);
	if (r != TLSD_DECRYPT_OK)
		return r;
	/* TLSInnerPlaintext: content, type, zeros. */
	size_t n = tlsd_cur_len(&ct);

	tlsd_cur_init(&plain, dc->out, n);
	while (n > 0 && tlsd_cur_peek_at(&plain, n - 1, &x) && x == 0)
		n--;
	if (n == 0)
		return TLSD_DECRYPT_MALFORMED;
	*out = (struct tlsd_plaintext){.type = x, .p = dc->out, .len = n - 1,
				       .overflow = n - 1 > TLSD_RECORD_MAX_PLAINTEXT };
	return TLSD_DECRYPT_OK;
}

/* TLS 1.2 AES-GCM/CCM (explicit nonce) and ChaCha20-Poly1305 (RFC 7905). */
static enum tlsd_decrypt_result open_tls12_aead(struct tlsd_decrypt *dc, uint8_t type,
						uint16_t version, struct tlsd_cur body,
						struct tlsd_plaintext *out)
{
	size_t len = tlsd_cur_len(&body), tag_len = dc->bulk->tag_len;
	size_t explicit_len = dc->mode == MODE_AEAD_EXPLICIT ? 8 : 0;
	uint8_t nonce[AEAD_NONCE_LEN], aad[TLS12_AAD_LEN];
	struct tlsd_cur ct, tag;
	enum tlsd_decrypt_result r;

	if (len < explicit_len + tag_len)
		return TLSD_DECRYPT_MALFORMED;
	if (explicit_len) {
		memcpy(nonce, dc->iv, 4);
		if (!tlsd_cur_copy(&body, nonce + 4, explicit_len))
			return TLSD_DECRYPT_MALFORMED;
	} else {
		xor_nonce(dc->iv, dc->seq, nonce);
	}
	size_t n = len - explicit_len - tag_len;

	if (!tlsd_cur_get_bytes(&body, &ct, n) || !tlsd_cur_get_bytes(&body, &tag, tag_len))
		return TLSD_DECRYPT_MALFORMED;
	put_tls12_aad(aad, dc->seq, type, version, n);
	r = aead_open(dc, nonce, aad, sizeof(aad), &ct, &tag);
	if (r != TLSD_DECRYPT_OK)
		return r;
	*out = (struct tlsd_plaintext){.type = type, .p = dc->out, .len = n,
				       .overflow = n > TLSD_RECORD_MAX_PLAINTEXT};
	return TLSD_DECRYPT_OK;
}

/* HMAC(mac_key, seq || type || version || length || a || b) == mac? */
static enum tlsd_decrypt_result check_mac(struct tlsd_decrypt *dc, uint8_t type,
					  uint16_t version, size_t length,
					  const uint8_t *a, size_t a_len, const uint8_t *b,
					  size_t b_len, const struct tlsd_cur *mac)
{
	uint8_t hdr[TLS12_AAD_LEN], md[EVP_MAX_MD_SIZE];
	size_t md_len = 0;
	OSSL_PARAM params[2];

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)dc->hash->evp, 0);
	params[1] = OSSL_PARAM_construct_end();
	put_tls12_aad(hdr, dc->seq, type, version, length);
	if (!EVP_MAC_init(dc->mctx, dc->mac_key, dc->hash->len, params) ||
	    !EVP_MAC_update(dc->mctx, hdr, sizeof(hdr)) ||
	    (a_len && !EVP_MAC_update(dc->mctx, a, a_len)) ||
	    (b_len && !EVP_MAC_update(dc->mctx, b, b_len)) ||
	    !EVP_MAC_final(dc->mctx, md, &md_len, sizeof(md)))
		return TLSD_DECRYPT_INTERNAL;
	if (md_len != tlsd_cur_len(mac) || CRYPTO_memcmp(md, tlsd_cur_data(mac), md_len) != 0)
		return TLSD_DECRYPT_BAD_MAC;
	return TLSD_DECRYPT_OK;
}

/* CBC-decrypts ct (a whole number of blocks) with iv into dc->out. */
static bool cbc_decrypt(struct tlsd_decrypt *dc, const uint8_t *iv, const struct tlsd_cur *ct)
{
	EVP_CIPHER_CTX *c = dc->cctx;
	int outl = 0, fin = 0;

	return EVP_CIPHER_CTX_reset(c) &&
	       EVP_DecryptInit_ex2(c, dc->cipher, dc->key, iv, NULL) &&
	       EVP_CIPHER_CTX_set_padding(c, 0) &&
	       EVP_DecryptUpdate(c, dc->out, &outl, tlsd_cur_data(ct), (int)tlsd_cur_len(ct)) &&
	       EVP_DecryptFinal_ex(c, dc->out + outl, &fin) &&
	       (size_t)outl + (size_t)fin == tlsd_cur_len(ct);
}

/* The padding at the end of n decrypted bytes: its total length (with the
 * length byte), or 0 when it is not TLS padding. */
static size_t cbc_padding(const struct tlsd_decrypt *dc, size_t n)
{
	struct tlsd_cur c;
	uint8_t pad, x;

	tlsd_cur_init(&c, dc->out, n);
	if (n == 0 || !tlsd_cur_peek_at(&c, n - 1, &pad) || (size_t)pad + 1 > n)
		return 0;
	for (size_t i = 0; i <= pad; i++)
		if (!tlsd_cur_peek_at(&c, n - 1 - i, &x) || x != pad)
			return 0;
	return (size_t)pad + 1;
}

/* CBC suites: [explicit IV] ciphertext [MAC when encrypt_then_mac]. */
static enum tlsd_decrypt_result open_cbc(struct tlsd_decrypt *dc, uint8_t type,
					 uint16_t version, struct tlsd_cur body,
					 struct tlsd_plaintext *out)
{
	size_t len = tlsd_cur_len(&body), bs = dc->bulk->block, mac_len = dc->hash->len;
	size_t iv_len = dc->chained_iv ? 0 : bs, enc_len;
	uint8_t iv[MAX_IV];
	struct tlsd_cur rec = body, ivc, ct, mac, last;
	enum tlsd_decrypt_result r = TLSD_DECRYPT_OK;

	if (bs == 0 || bs > MAX_IV)
		return TLSD_DECRYPT_UNSUPPORTED; /* not a CBC table entry */
	if (dc->etm) {
		if (len < iv_len + bs + mac_len)
			return TLSD_DECRYPT_MALFORMED;
		enc_len = len - mac_len;
	} else {
		enc_len = len;
	}
	if (enc_len < iv_len + bs || (enc_len - iv_len) % bs != 0)
		return TLSD_DECRYPT_MALFORMED;
	if (!tlsd_cur_get_bytes(&body, &ivc, iv_len) ||
	    !tlsd_cur_get_bytes(&body, &ct, enc_len - iv_len) ||
	    !tlsd_cur_get_bytes(&body, &mac, len - enc_len))
		return TLSD_DECRYPT_MALFORMED;
	if (dc->chained_iv) {
		memcpy(iv, dc->iv, bs);
		/* The next record's IV is this one's last ciphertext block. */
		last = ct;
		if (!tlsd_cur_skip(&last, tlsd_cur_len(&ct) - bs) || !tlsd_cur_copy(&last, dc->iv, bs))
			return TLSD_DECRYPT_MALFORMED;
	} else {
		struct tlsd_cur v = ivc;

		if (!tlsd_cur_copy(&v, iv, bs))
			return TLSD_DECRYPT_MALFORMED;
	}
	if (dc->etm) {
		/* MAC over IV and ciphertext, checked before decrypting. */
		r = check_mac(dc, type, version, enc_len, tlsd_cur_data(&rec), enc_len, NULL, 0,
			      &mac);
		if (r != TLSD_DECRYPT_OK)
			return r;
	}
	if (!cbc_decrypt(dc, iv, &ct))
		return TLSD_DECRYPT_INTERNAL;
	size_t n = tlsd_cur_len(&ct), pad = cbc_padding(dc, n);

	if (pad == 0 || (!dc->etm && pad + mac_len > n))
		return TLSD_DECRYPT_BAD_MAC; /* bad padding reads as bad_record_mac */
	n -= pad;
	if (!dc->etm) {
		struct tlsd_cur plain, m;

		n -= mac_len;
		tlsd_cur_init(&plain, dc->out, n + mac_len);
		if (!tlsd_cur_skip(&plain, n) || !tlsd_cur_get_bytes(&plain, &m, mac_len))
			return TLSD_DECRYPT_INTERNAL;
		r = check_mac(dc, type, version, n, dc->out, n, NULL, 0, &m);
		if (r != TLSD_DECRYPT_OK)
			return r;
	}
	*out = (struct tlsd_plaintext){.type = type, .p = dc->out, .len = n,
				       .overflow = n > TLSD_RECORD_MAX_PLAINTEXT};
	return TLSD_DECRYPT_OK;
}

/* NULL cipher: content || MAC. */
static enum tlsd_decrypt_result open_null(struct tlsd_decrypt *dc, uint8_t type,
					  uint16_t version, struct tlsd_cur body,
					  struct tlsd_plaintext *out)
{
	size_t len = tlsd_cur_len(&body), mac_len = dc->hash->len;
	struct tlsd_cur content, mac;
	enum tlsd_decrypt_result r;

	if (len < mac_len || len - mac_len > TLSD_DECRYPT_MAX_PLAINTEXT)
		return TLSD_DECRYPT_MALFORMED;
	if (!tlsd_cur_get_bytes(&body, &content, len - mac_len) ||
	    !tlsd_cur_get_bytes(&body, &mac, mac_len))
		return TLSD_DECRYPT_MALFORMED;
	r = check_mac(dc, type, version, tlsd_cur_len(&content), tlsd_cur_data(&content),
		      tlsd_cur_len(&content), NULL, 0, &mac);
	if (r != TLSD_DECRYPT_OK)
		return r;
	if (!tlsd_cur_copy(&content, dc->out, len - mac_len))
		return TLSD_DECRYPT_INTERNAL;
	*out = (struct tlsd_plaintext){.type = type, .p = dc->out, .len = len - mac_len,
				       .overflow = len - mac_len > TLSD_RECORD_MAX_PLAINTEXT};
	return TLSD_DECRYPT_OK;
}

enum tlsd_decrypt_result tlsd_decrypt_record(struct tlsd_decrypt *dc, uint8_t type,
					     uint16_t version, const uint8_t *body, size_t len,
					     struct tlsd_plaintext *out)
{
	struct tlsd_cur b;
	struct tlsd_plaintext pt;
	enum tlsd_decrypt_result r;

	if (!dc || dc->mode == MODE_NONE)
		return TLSD_DECRYPT_UNSUPPORTED;
	tlsd_cur_init(&b, body, body ? len : 0);
	if (len > TLSD_DECRYPT_MAX_PLAINTEXT || (len && !body)) {
		r = TLSD_DECRYPT_MALFORMED;
	} else {
		switch (dc->mode) {
		case MODE_TLS13:
			r = open_tls13(dc, type, version, b, &pt);
			break;
		case MODE_AEAD_EXPLICIT:
		case MODE_AEAD_XOR:
			r = open_tls12_aead(dc, type, version, b, &pt);
			break;
		case MODE_CBC:
			r = open_cbc(dc, type, version, b, &pt);
			break;
		case MODE_NULL:
			r = open_null(dc, type, version, b, &pt);
			break;
		case MODE_NONE:
		default:
			r = TLSD_DECRYPT_UNSUPPORTED;
			break;
		}
	}
	dc->seq++;
	if (r == TLSD_DECRYPT_OK)
		*out = pt;
	return r;
}

void tlsd_decrypt_skip(struct tlsd_decrypt *dc)
{
	if (!dc || dc->mode == MODE_NONE)
		return;
	if (dc->chained_iv) {
		tlsd_decrypt_reset(dc);
		return;
	}
	dc->seq++;
}
