/* QUIC packets: headers, packet protection, frames (see quic.h). */
#include "tlsd/quic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "tlsd/tls_decrypt.h"

#define AEAD_TAG 16
#define HP_SAMPLE 16
#define IV_LEN 12
#define PN_MAX_LEN 4

/* ---- versions ---- */

#define DRAFT_FIRST 0xff000017u /* draft-23: the first with version 1's layout */
#define DRAFT_LAST 0xff000022u  /* draft-34 */

bool tlsd_quic_version_known(uint32_t v)
{
	return v == TLSD_QUIC_V1 || v == TLSD_QUIC_V2 || (v >= DRAFT_FIRST && v <= DRAFT_LAST);
}

const char *tlsd_quic_version_name(uint32_t v)
{
	static const char *const drafts[] = {
		"draft-23", "draft-24", "draft-25", "draft-26", "draft-27", "draft-28",
		"draft-29", "draft-30", "draft-31", "draft-32", "draft-33", "draft-34"};

	if (v == TLSD_QUIC_V1)
		return "v1";
	if (v == TLSD_QUIC_V2)
		return "v2";
	if (v >= DRAFT_FIRST && v <= DRAFT_LAST)
		return drafts[v - DRAFT_FIRST];
	return NULL;
}

/* Long header type bits to packet types: version 2 rotates them (RFC 9369 3.2). */
static enum tlsd_quic_pkt long_type(uint32_t version, uint8_t first)
{
	static const enum tlsd_quic_pkt v1[4] = {TLSD_QUIC_PKT_INITIAL, TLSD_QUIC_PKT_0RTT,
						 TLSD_QUIC_PKT_HANDSHAKE, TLSD_QUIC_PKT_RETRY};
	static const enum tlsd_quic_pkt v2[4] = {TLSD_QUIC_PKT_RETRY, TLSD_QUIC_PKT_INITIAL,
						 TLSD_QUIC_PKT_0RTT, TLSD_QUIC_PKT_HANDSHAKE};
	unsigned t = (first >> 4) & 3u;

	return version == TLSD_QUIC_V2 ? v2[t] : v1[t];
}

/* ---- headers ---- */

bool tlsd_quic_get_varint(struct tlsd_cur *c, uint64_t *out)
{
	struct tlsd_cur copy = *c;
	uint8_t b0, b;
	uint64_t v;
	size_t n;

	if (!tlsd_cur_peek_u8(&copy, &b0))
		return false;
	n = (size_t)1 << (b0 >> 6);
	if (tlsd_cur_len(&copy) < n || !tlsd_cur_get_u8(&copy, &b))
		return false;
	v = b & 0x3f;
	for (size_t i = 1; i < n; i++) {
		if (!tlsd_cur_get_u8(&copy, &b))
			return false;
		v = (v << 8) | b;
	}
	*c = copy;
	*out = v;
	return true;
}

static bool get_cid(struct tlsd_cur *c, struct tlsd_quic_cid *cid, size_t max)
{
	uint8_t n;
	struct tlsd_cur copy = *c;

	if (!tlsd_cur_get_u8(&copy, &n) || n > max || n > TLSD_QUIC_MAX_CID ||
	    !tlsd_cur_copy(&copy, cid->b, n))
		return false;
	cid->len = n;
	*c = copy;
	return true;
}

/* Takes n bytes from the start of *all as the packet, with the header part
 * already consumed from *rest. */
static void set_packet(struct tlsd_quic_hdr *h, const struct tlsd_cur *all, size_t len)
{
	struct tlsd_cur a = *all;

	h->len = len;
	if (!tlsd_cur_get_bytes(&a, &h->pkt, len))
		tlsd_cur_init(&h->pkt, NULL, 0);
}

/* RFC 9000 17.2: long headers. A truncated read inside the datagram is a
 * snap-length cut when the datagram is shorter than the header says. */
static enum tlsd_parse parse_long(struct tlsd_cur *dgram, struct tlsd_quic_hdr *h,
				  bool unknown_as_v1)
{
	struct tlsd_cur c = *dgram;
	uint64_t tlen = 0, plen;
	size_t hdr_len;

	if (!tlsd_cur_get_u8(&c, &h->first) || !tlsd_cur_get_u32(&c, &h->version))
		return TLSD_PARSE_NEED_MORE;
	if (h->version == 0) {
		/* Version Negotiation: CIDs of up to 255 bytes, then versions. */
		h->type = TLSD_QUIC_PKT_VN;
		if (!get_cid(&c, &h->dcid, TLSD_QUIC_MAX_CID) || !get_cid(&c, &h->scid, TLSD_QUIC_MAX_CID))
			return TLSD_PARSE_MALFORMED;
		if (tlsd_cur_len(&c) < 4 || tlsd_cur_len(&c) % 4 != 0)
			return TLSD_PARSE_MALFORMED;
		h->versions = c;
		set_packet(h, dgram, tlsd_cur_len(dgram));
		tlsd_cur_init(dgram, NULL, 0);
		return TLSD_PARSE_OK;
	}
	/* The fixed bit (0x40) may be greased once a peer allowed it
	 * (RFC 9287): not checked here. */
	if (!tlsd_quic_version_known(h->version) && !unknown_as_v1) {
		h->type = TLSD_QUIC_PKT_UNKNOWN;
		if (!get_cid(&c, &h->dcid, TLSD_QUIC_MAX_CID) || !get_cid(&c, &h->scid, TLSD_QUIC_MAX_CID))
			return TLSD_PARSE_MALFORMED;
		set_packet(h, dgram, tlsd_cur_len(dgram));
		tlsd_cur_init(dgram, NULL, 0);
		return TLSD_PARSE_OK;
	}
	if (!get_cid(&c, &h->dcid, TLSD_QUIC_MAX_CID) || !get_cid(&c, &h->scid, TLSD_QUIC_MAX_CID))
		return tlsd_cur_len(&c) < 1 + TLSD_QUIC_MAX_CID ? TLSD_PARSE_NEED_MORE
								: TLSD_PARSE_MALFORMED;
	h->type = long_type(h->version, h->first);
	switch (h->type) {
	case TLSD_QUIC_PKT_RETRY:
		if (tlsd_cur_len(&c) < AEAD_TAG)
			return TLSD_PARSE_MALFORMED;
		if (!tlsd_cur_get_bytes(&c, &h->token, tlsd_cur_len(&c) - AEAD_TAG))
			return TLSD_PARSE_MALFORMED;
		set_packet(h, dgram, tlsd_cur_len(dgram));
		tlsd_cur_init(dgram, NULL, 0);
		return TLSD_PARSE_OK;
	case TLSD_QUIC_PKT_INITIAL:
		if (!tlsd_quic_get_varint(&c, &tlen))
			return TLSD_PARSE_NEED_MORE;
		if (tlen > tlsd_cur_len(&c))
			return TLSD_PARSE_MALFORMED;
		if (!tlsd_cur_get_bytes(&c, &h->token, (size_t)tlen))
			return TLSD_PARSE_MALFORMED;
		break;
	default:
		tlsd_cur_init(&h->token, NULL, 0);
		break;
	}
	if (!tlsd_quic_get_varint(&c, &plen))
		return TLSD_PARSE_NEED_MORE;
	hdr_len = tlsd_cur_len(dgram) - tlsd_cur_len(&c);
	h->pn_off = hdr_len;
	if (plen > tlsd_cur_len(&c))
		return TLSD_PARSE_NEED_MORE; /* longer than what was captured */
	if (plen < 1 + AEAD_TAG) /* a packet number and a tag at least */
		return TLSD_PARSE_MALFORMED;
	set_packet(h, dgram, hdr_len + (size_t)plen);
	if (!tlsd_cur_skip(dgram, h->len))
		return TLSD_PARSE_MALFORMED;
	return TLSD_PARSE_OK;
}

static enum tlsd_parse parse(struct tlsd_cur *dgram, size_t short_dcid_len, bool unknown_as_v1,
			     struct tlsd_quic_hdr *out)
{
	struct tlsd_quic_hdr h = {0};
	struct tlsd_cur c = *dgram;
	enum tlsd_parse r;

	if (!tlsd_cur_peek_u8(&c, &h.first))
		return TLSD_PARSE_NEED_MORE;
	if (tlsd_quic_is_long(h.first)) {
		r = parse_long(&c, &h, unknown_as_v1);
		if (r != TLSD_PARSE_OK)
			return r;
		*dgram = c;
		*out = h;
		return TLSD_PARSE_OK;
	}
	/* RFC 9000 17.3: first(1) dcid(known length) pn... up to the end. */
	if (short_dcid_len > TLSD_QUIC_MAX_CID)
		return TLSD_PARSE_MALFORMED;
	h.type = TLSD_QUIC_PKT_SHORT;
	if (!tlsd_cur_skip(&c, 1) || !tlsd_cur_copy(&c, h.dcid.b, short_dcid_len))
		return TLSD_PARSE_NEED_MORE;
	h.dcid.len = (uint8_t)short_dcid_len;
	h.pn_off = 1 + short_dcid_len;
	set_packet(&h, dgram, tlsd_cur_len(dgram));
	tlsd_cur_init(dgram, NULL, 0);
	*out = h;
	return TLSD_PARSE_OK;
}

enum tlsd_parse tlsd_quic_parse(struct tlsd_cur *dgram, size_t short_dcid_len,
				struct tlsd_quic_hdr *out)
{
	return parse(dgram, short_dcid_len, false, out);
}

enum tlsd_parse tlsd_quic_parse_as_v1(struct tlsd_cur *dgram, struct tlsd_quic_hdr *out)
{
	return parse(dgram, 0, true, out);
}

/* ---- keys ---- */

static const uint8_t salt_v1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
				    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
static const uint8_t salt_v2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
				    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
static const uint8_t salt_d23[20] = {0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
				     0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02};
static const uint8_t salt_d29[20] = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
				     0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};

/* Labels of key, iv and hp: version 2 has its own (RFC 9369 3.3.2). */
static void labels(uint32_t version, const char **key, const char **iv, const char **hp)
{
	bool v2 = version == TLSD_QUIC_V2;

	*key = v2 ? "quicv2 key" : "quic key";
	*iv = v2 ? "quicv2 iv" : "quic iv";
	*hp = v2 ? "quicv2 hp" : "quic hp";
}

static int keys_of(uint32_t version, const char *digest, const uint8_t *secret, size_t len,
		   enum tlsd_quic_aead aead, uint8_t key_len, struct tlsd_quic_keys *out)
{
	struct tlsd_quic_keys k = {.aead = aead, .key_len = key_len};
	const char *lk, *liv, *lhp;

	labels(version, &lk, &liv, &lhp);
	TLSD_TRY(tlsd_hkdf_expand_label(digest, secret, len, lk, k.key, key_len));
	TLSD_TRY(tlsd_hkdf_expand_label(digest, secret, len, liv, k.iv, IV_LEN));
	TLSD_TRY(tlsd_hkdf_expand_label(digest, secret, len, lhp, k.hp, key_len));
	*out = k;
	OPENSSL_cleanse(&k, sizeof(k));
	return 0;
}

int tlsd_quic_initial_keys(uint32_t version, const struct tlsd_quic_cid *odcid,
			   struct tlsd_quic_keys *client, struct tlsd_quic_keys *server)
{
	const uint8_t *salt = version == TLSD_QUIC_V1 || version == 0 ? salt_v1
			      : version == TLSD_QUIC_V2	   ? salt_v2
			      : version < TLSD_QUIC_DRAFT29 ? salt_d23
							    : salt_d29;
	uint8_t initial[32], cs[32], ss[32];
	struct tlsd_quic_keys c, s;
	int r;

	if (!tlsd_quic_version_known(version) && version != 0)
		return -ENOTSUP;
	r = tlsd_hkdf_extract("SHA256", salt, sizeof(salt_v1), odcid->b, odcid->len, initial,
			      sizeof(initial));
	if (r == 0)
		r = tlsd_hkdf_expand_label("SHA256", initial, sizeof(initial), "client in", cs,
					   sizeof(cs));
	if (r == 0)
		r = tlsd_hkdf_expand_label("SHA256", initial, sizeof(initial), "server in", ss,
					   sizeof(ss));
	if (r == 0)
		r = keys_of(version, "SHA256", cs, sizeof(cs), TLSD_QUIC_AEAD_AES128GCM, 16, &c);
	if (r == 0)
		r = keys_of(version, "SHA256", ss, sizeof(ss), TLSD_QUIC_AEAD_AES128GCM, 16, &s);
	OPENSSL_cleanse(initial, sizeof(initial));
	OPENSSL_cleanse(cs, sizeof(cs));
	OPENSSL_cleanse(ss, sizeof(ss));
	if (r < 0)
		return r;
	*client = c;
	*server = s;
	return 0;
}

int tlsd_quic_keys_from_secret(uint32_t version, uint16_t suite, const uint8_t *secret,
			       size_t secret_len, struct tlsd_quic_keys *out)
{
	struct tlsd_tls13_suite su;
	enum tlsd_quic_aead aead;

	if (!tlsd_decrypt_tls13_suite(suite, &su) || su.ccm || su.tag_len != AEAD_TAG)
		return -ENOTSUP;
	if (secret_len != su.hash_len)
		return -EINVAL;
	aead = su.chacha ? TLSD_QUIC_AEAD_CHACHA20
	       : su.key_len == 32 ? TLSD_QUIC_AEAD_AES256GCM
				  : TLSD_QUIC_AEAD_AES128GCM;
	return keys_of(version, su.digest, secret, secret_len, aead, su.key_len, out);
}

/* ---- protection ---- */

struct tlsd_quic_crypto {
	bool fetched; /* the ciphers below, at the first packet to open */
	EVP_CIPHER *gcm128, *gcm256, *chacha_poly, *ecb128, *ecb256, *chacha;
	EVP_CIPHER_CTX *aead, *hp;
	uint8_t hdr[TLSD_QUIC_MAX_DATAGRAM];
	uint8_t out[TLSD_QUIC_MAX_DATAGRAM];
};

struct tlsd_quic_crypto *tlsd_quic_crypto_new(void)
{
	struct tlsd_quic_crypto *qc = calloc(1, sizeof(*qc));

	if (!qc)
		return NULL;
	qc->aead = EVP_CIPHER_CTX_new();
	qc->hp = EVP_CIPHER_CTX_new();
	if (!qc->aead || !qc->hp) {
		tlsd_quic_crypto_free(qc);
		return NULL;
	}
	return qc;
}

/* The first cipher fetch builds OpenSSL's cipher tables (about a
 * millisecond): done at the first QUIC packet, not at startup. A cipher
 * that cannot be fetched stays NULL and its packets do not open. */
static void fetch_ciphers(struct tlsd_quic_crypto *qc)
{
	if (qc->fetched)
		return;
	qc->fetched = true;
	qc->gcm128 = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	qc->gcm256 = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	qc->chacha_poly = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	qc->ecb128 = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	qc->ecb256 = EVP_CIPHER_fetch(NULL, "AES-256-ECB", NULL);
	qc->chacha = EVP_CIPHER_fetch(NULL, "ChaCha20", NULL);
}

void tlsd_quic_crypto_free(struct tlsd_quic_crypto *qc)
{
	if (!qc)
		return;
	EVP_CIPHER_free(qc->gcm128);
	EVP_CIPHER_free(qc->gcm256);
	EVP_CIPHER_free(qc->chacha_poly);
	EVP_CIPHER_free(qc->ecb128);
	EVP_CIPHER_free(qc->ecb256);
	EVP_CIPHER_free(qc->chacha);
	EVP_CIPHER_CTX_free(qc->aead);
	EVP_CIPHER_CTX_free(qc->hp);
	free(qc);
}

/* The 5-byte header protection mask of a 16-byte sample (RFC 9001 5.4). */
static bool hp_mask(struct tlsd_quic_crypto *qc, const struct tlsd_quic_keys *k,
		    const uint8_t sample[HP_SAMPLE], uint8_t mask[5])
{
	static const uint8_t zeros[5];
	uint8_t block[HP_SAMPLE + 16];
	EVP_CIPHER *ci;
	int outl = 0;

	fetch_ciphers(qc);
	switch (k->aead) {
	case TLSD_QUIC_AEAD_AES128GCM: ci = qc->ecb128; break;
	case TLSD_QUIC_AEAD_AES256GCM: ci = qc->ecb256; break;
	case TLSD_QUIC_AEAD_CHACHA20: ci = qc->chacha; break;
	case TLSD_QUIC_AEAD_NONE:
	default: return false;
	}
	if (!ci || !EVP_CIPHER_CTX_reset(qc->hp))
		return false;
	if (k->aead == TLSD_QUIC_AEAD_CHACHA20) {
		/* counter = sample[0..3] (little-endian), nonce = sample[4..15]:
		 * exactly OpenSSL's 16-byte ChaCha20 IV. */
		if (!EVP_EncryptInit_ex2(qc->hp, ci, k->hp, sample, NULL) ||
		    !EVP_EncryptUpdate(qc->hp, block, &outl, zeros, sizeof(zeros)) || outl != 5)
			return false;
	} else {
		if (!EVP_EncryptInit_ex2(qc->hp, ci, k->hp, NULL, NULL) ||
		    !EVP_CIPHER_CTX_set_padding(qc->hp, 0) ||
		    !EVP_EncryptUpdate(qc->hp, block, &outl, sample, HP_SAMPLE) || outl != HP_SAMPLE)
			return false;
	}
	memcpy(mask, block, 5);
	return true;
}

/* RFC 9000 A.3. */
static uint64_t decode_pn(int64_t largest, uint64_t truncated, unsigned bits)
{
	uint64_t expected = (uint64_t)(largest + 1);
	uint64_t win = UINT64_C(1) << bits, hwin = win / 2, mask = win - 1;
	uint64_t cand = (expected & ~mask) | truncated;

	if (expected >= hwin && cand <= expected - hwin && cand < (UINT64_C(1) << 62) - win)
		return cand + win;
	if (cand > expected + hwin && cand >= win)
		return cand - win;
	return cand;
}

static EVP_CIPHER *aead_cipher(struct tlsd_quic_crypto *qc, enum tlsd_quic_aead a)
{
	fetch_ciphers(qc);
	switch (a) {
	case TLSD_QUIC_AEAD_AES128GCM: return qc->gcm128;
	case TLSD_QUIC_AEAD_AES256GCM: return qc->gcm256;
	case TLSD_QUIC_AEAD_CHACHA20: return qc->chacha_poly;
	case TLSD_QUIC_AEAD_NONE:
	default: return NULL;
	}
}

enum tlsd_quic_open_result tlsd_quic_open(struct tlsd_quic_crypto *qc,
					  const struct tlsd_quic_keys *k,
					  const struct tlsd_quic_hdr *h, int64_t largest_pn,
					  struct tlsd_quic_plain *out)
{
	struct tlsd_cur c = h->pkt, sample_c, ct, tag;
	uint8_t sample[HP_SAMPLE], mask[5], first, nonce[IV_LEN], b;
	size_t pn_len, hdr_len, ct_len;
	uint64_t tpn = 0, pn;
	EVP_CIPHER *ci = aead_cipher(qc, k->aead);
	bool is_long = tlsd_quic_is_long(h->first);
	int outl = 0, fin = 0;

	if (!ci)
		return TLSD_QUIC_OPEN_INTERNAL;
	/* The sample starts 4 bytes after the packet number's first byte. */
	sample_c = c;
	if (!tlsd_cur_skip(&sample_c, h->pn_off + PN_MAX_LEN) ||
	    !tlsd_cur_copy(&sample_c, sample, sizeof(sample)))
		return TLSD_QUIC_OPEN_MALFORMED;
	if (!hp_mask(qc, k, sample, mask))
		return TLSD_QUIC_OPEN_INTERNAL;
	first = (uint8_t)(h->first ^ (mask[0] & (is_long ? 0x0f : 0x1f)));
	pn_len = (size_t)(first & 3) + 1;
	hdr_len = h->pn_off + pn_len;
	if (tlsd_cur_len(&c) < hdr_len + AEAD_TAG)
		return TLSD_QUIC_OPEN_MALFORMED;
	/* The associated data is the header with protection removed. */
	if (!tlsd_cur_copy(&c, qc->hdr, hdr_len))
		return TLSD_QUIC_OPEN_MALFORMED;
	qc->hdr[0] = first;
	for (size_t i = 0; i < pn_len; i++) {
		b = (uint8_t)(qc->hdr[h->pn_off + i] ^ mask[1 + i]);
		qc->hdr[h->pn_off + i] = b;
		tpn = (tpn << 8) | b;
	}
	pn = decode_pn(largest_pn, tpn, (unsigned)(8 * pn_len));
	ct_len = tlsd_cur_len(&c) - AEAD_TAG;
	if (!tlsd_cur_get_bytes(&c, &ct, ct_len) || !tlsd_cur_get_bytes(&c, &tag, AEAD_TAG))
		return TLSD_QUIC_OPEN_MALFORMED;
	memcpy(nonce, k->iv, IV_LEN);
	for (size_t i = 0; i < 8; i++)
		nonce[IV_LEN - 1 - i] ^= (uint8_t)(pn >> (8 * i));
	if (!EVP_CIPHER_CTX_reset(qc->aead) || !EVP_DecryptInit_ex2(qc->aead, ci, NULL, NULL, NULL) ||
	    EVP_CIPHER_CTX_ctrl(qc->aead, EVP_CTRL_AEAD_SET_IVLEN, IV_LEN, NULL) <= 0 ||
	    !EVP_DecryptInit_ex2(qc->aead, NULL, k->key, nonce, NULL) ||
	    !EVP_DecryptUpdate(qc->aead, NULL, &outl, qc->hdr, (int)hdr_len) ||
	    (ct_len && !EVP_DecryptUpdate(qc->aead, qc->out, &outl, tlsd_cur_data(&ct), (int)ct_len)) ||
	    EVP_CIPHER_CTX_ctrl(qc->aead, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG,
				(void *)tlsd_cur_data(&tag)) <= 0)
		return TLSD_QUIC_OPEN_INTERNAL;
	if (EVP_DecryptFinal_ex(qc->aead, qc->out + outl, &fin) <= 0)
		return TLSD_QUIC_OPEN_BAD;
	*out = (struct tlsd_quic_plain){.pn = pn, .first = first, .payload = qc->out, .len = ct_len};
	return TLSD_QUIC_OPEN_OK;
}

/* ---- frames ---- */

static bool skip_varints(struct tlsd_cur *c, unsigned n)
{
	struct tlsd_cur copy = *c;
	uint64_t v;

	for (unsigned i = 0; i < n; i++)
		if (!tlsd_quic_get_varint(&copy, &v))
			return false;
	*c = copy;
	return true;
}

static bool skip_len_prefixed(struct tlsd_cur *c, struct tlsd_cur *out)
{
	struct tlsd_cur copy = *c;
	uint64_t n;

	if (!tlsd_quic_get_varint(&copy, &n) || n > tlsd_cur_len(&copy) ||
	    !tlsd_cur_get_bytes(&copy, out, (size_t)n))
		return false;
	*c = copy;
	return true;
}

/* ACK / ACK_ECN: largest, delay, range count, first range, ranges, [ECN]. */
static bool skip_ack(struct tlsd_cur *c, bool ecn)
{
	struct tlsd_cur copy = *c;
	uint64_t largest, delay, count, first;

	if (!tlsd_quic_get_varint(&copy, &largest) || !tlsd_quic_get_varint(&copy, &delay) ||
	    !tlsd_quic_get_varint(&copy, &count) || !tlsd_quic_get_varint(&copy, &first) ||
	    count > tlsd_cur_len(&copy))
		return false;
	for (uint64_t i = 0; i < count; i++)
		if (!skip_varints(&copy, 2))
			return false;
	if (ecn && !skip_varints(&copy, 3))
		return false;
	*c = copy;
	return true;
}

static bool skip_stream(struct tlsd_cur *c, uint8_t type)
{
	struct tlsd_cur copy = *c, data;
	uint64_t v;

	if (!tlsd_quic_get_varint(&copy, &v))
		return false;
	if ((type & 0x04) && !tlsd_quic_get_varint(&copy, &v))
		return false;
	if (type & 0x02) {
		if (!skip_len_prefixed(&copy, &data))
			return false;
	} else {
		tlsd_cur_init(&copy, NULL, 0); /* to the end of the packet */
	}
	*c = copy;
	return true;
}

static bool frame_close(struct tlsd_cur *c, bool app, const struct tlsd_quic_frame_events *ev,
			void *ud)
{
	struct tlsd_quic_close cl = {.app = app};
	struct tlsd_cur copy = *c;

	if (!tlsd_quic_get_varint(&copy, &cl.code) ||
	    (!app && !tlsd_quic_get_varint(&copy, &cl.frame_type)) ||
	    !skip_len_prefixed(&copy, &cl.reason))
		return false;
	*c = copy;
	if (ev->close)
		ev->close(ud, &cl);
	return true;
}

static bool frame_crypto(struct tlsd_cur *c, const struct tlsd_quic_frame_events *ev, void *ud)
{
	struct tlsd_cur copy = *c, data;
	uint64_t off;

	if (!tlsd_quic_get_varint(&copy, &off) || !skip_len_prefixed(&copy, &data) ||
	    off > (UINT64_C(1) << 62) - tlsd_cur_len(&data))
		return false;
	*c = copy;
	if (ev->crypto)
		ev->crypto(ud, off, data);
	return true;
}

/* One frame after its type byte; false when it does not parse. */
static bool one_frame(struct tlsd_cur *c, uint64_t type, const struct tlsd_quic_frame_events *ev,
		      void *ud)
{
	struct tlsd_cur v;

	switch (type) {
	case 0x00: return true; /* PADDING */
	case 0x01: return true; /* PING */
	case 0x02:
	case 0x03: return skip_ack(c, type == 0x03);
	case 0x04: return skip_varints(c, 3); /* RESET_STREAM */
	case 0x05: return skip_varints(c, 2); /* STOP_SENDING */
	case 0x06: return frame_crypto(c, ev, ud);
	case 0x07: return skip_len_prefixed(c, &v); /* NEW_TOKEN */
	case 0x08: case 0x09: case 0x0a: case 0x0b:
	case 0x0c: case 0x0d: case 0x0e: case 0x0f:
		return skip_stream(c, (uint8_t)type);
	case 0x10: return skip_varints(c, 1); /* MAX_DATA */
	case 0x11: return skip_varints(c, 2); /* MAX_STREAM_DATA */
	case 0x12: case 0x13: return skip_varints(c, 1); /* MAX_STREAMS */
	case 0x14: return skip_varints(c, 1); /* DATA_BLOCKED */
	case 0x15: return skip_varints(c, 2); /* STREAM_DATA_BLOCKED */
	case 0x16: case 0x17: return skip_varints(c, 1); /* STREAMS_BLOCKED */
	case 0x18: { /* NEW_CONNECTION_ID: seq, retire, len(1), cid, token(16) */
		struct tlsd_cur copy = *c;
		uint8_t n;

		if (!skip_varints(&copy, 2) || !tlsd_cur_get_u8(&copy, &n) || n < 1 ||
		    n > TLSD_QUIC_MAX_CID || !tlsd_cur_skip(&copy, (size_t)n + 16))
			return false;
		*c = copy;
		return true;
	}
	case 0x19: return skip_varints(c, 1); /* RETIRE_CONNECTION_ID */
	case 0x1a: case 0x1b: return tlsd_cur_skip(c, 8); /* PATH_CHALLENGE/RESPONSE */
	case 0x1c:
	case 0x1d: return frame_close(c, type == 0x1d, ev, ud);
	case 0x1e: /* HANDSHAKE_DONE */
		if (ev->handshake_done)
			ev->handshake_done(ud);
		return true;
	case 0x30: tlsd_cur_init(c, NULL, 0); return true; /* DATAGRAM to the end */
	case 0x31: return skip_len_prefixed(c, &v);
	default: return false;
	}
}

enum tlsd_parse tlsd_quic_frames(struct tlsd_cur payload, const struct tlsd_quic_frame_events *ev,
				 void *ud)
{
	while (tlsd_cur_len(&payload)) {
		uint64_t type;

		if (!tlsd_quic_get_varint(&payload, &type) || !one_frame(&payload, type, ev, ud))
			return TLSD_PARSE_MALFORMED;
		if (type != 0x00 && type != 0x02 && type != 0x03 && type != 0x1c && type != 0x1d &&
		    ev->ack_eliciting)
			ev->ack_eliciting(ud);
	}
	return TLSD_PARSE_OK;
}

const char *tlsd_quic_error_name(uint64_t code)
{
	static const char *const names[] = {
		"NO_ERROR", "INTERNAL_ERROR", "CONNECTION_REFUSED", "FLOW_CONTROL_ERROR",
		"STREAM_LIMIT_ERROR", "STREAM_STATE_ERROR", "FINAL_SIZE_ERROR",
		"FRAME_ENCODING_ERROR", "TRANSPORT_PARAMETER_ERROR", "CONNECTION_ID_LIMIT_ERROR",
		"PROTOCOL_VIOLATION", "INVALID_TOKEN", "APPLICATION_ERROR", "CRYPTO_BUFFER_EXCEEDED",
		"KEY_UPDATE_ERROR", "AEAD_LIMIT_REACHED", "NO_VIABLE_PATH", "VERSION_NEGOTIATION_ERROR",
	};

	if (code < TLSD_ARRAY_SIZE(names))
		return names[code];
	if (code >= TLSD_QUIC_CRYPTO_ERROR_BASE && code <= 0x01ff)
		return "CRYPTO_ERROR";
	return NULL;
}
