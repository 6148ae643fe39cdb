/* Handshake message body parsers (RFC 8446, RFC 5246, RFC 6066, RFC 7301...).
 *
 * BoringSSL CBS shape: each parser is one chain of checked reads through
 * struct tlsd_cur, every length-prefixed vector becomes a sub-cursor and is
 * checked to be fully consumed. Results are built in a local struct and
 * copied to *out only on success. */
#include "tlsd/tls_handshake.h"

#include <string.h>

/* Extension types the parsers look at (IANA ExtensionType). */
enum {
	EXT_SERVER_NAME = 0,
	EXT_STATUS_REQUEST = 5,
	EXT_SUPPORTED_GROUPS = 10,
	EXT_EC_POINT_FORMATS = 11,
	EXT_SIGNATURE_ALGORITHMS = 13,
	EXT_ALPN = 16,
	EXT_PADDING = 21,
	EXT_ENCRYPT_THEN_MAC = 22,
	EXT_EXTENDED_MASTER_SECRET = 23,
	EXT_COMPRESS_CERTIFICATE = 27,
	EXT_RECORD_SIZE_LIMIT = 28,
	EXT_SESSION_TICKET = 35,
	EXT_PRE_SHARED_KEY = 41,
	EXT_EARLY_DATA = 42,
	EXT_SUPPORTED_VERSIONS = 43,
	EXT_COOKIE = 44,
	EXT_PSK_KEY_EXCHANGE_MODES = 45,
	EXT_CERTIFICATE_AUTHORITIES = 47,
	EXT_POST_HANDSHAKE_AUTH = 49,
	EXT_SIGNATURE_ALGORITHMS_CERT = 50,
	EXT_KEY_SHARE = 51,
	EXT_ENCRYPTED_CLIENT_HELLO = 0xfe0d,
	EXT_RENEGOTIATION_INFO = 0xff01,
};

/* RFC 8446 4.1.3: SHA-256("HelloRetryRequest"). */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};
/* RFC 8446 4.1.3: last 8 bytes of a downgrading server's random. */
static const uint8_t downgrade_tls12[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
static const uint8_t downgrade_tls11[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00};

/* Where a parse failed. A cursor's position is `end - tlsd_cur_len(c)`,
 * where `end` is the body offset of the cursor's last byte + 1. */
static enum tlsd_parse malformed(struct tlsd_parse_err *err, const char *field, size_t end,
				 const struct tlsd_cur *c)
{
	if (err) {
		size_t left = tlsd_cur_len(c);

		err->field = field;
		err->off = end >= left ? end - left : 0;
	}
	return TLSD_PARSE_MALFORMED;
}

/* Adds one entry to a bounded string list; counts it either way. */
static void strlist_add(struct tlsd_strlist *l, const struct tlsd_cur *s)
{
	size_t n = tlsd_cur_len(s);
	struct tlsd_cur copy = *s;

	l->total++;
	if (n > 255 || l->used + 1 + n > sizeof(l->data))
		return;
	l->data[l->used] = (uint8_t)n;
	if (!tlsd_cur_copy(&copy, l->data + l->used + 1, n))
		return;
	l->used = (uint16_t)(l->used + 1 + n);
	l->n++;
}

bool tlsd_strlist_next(const struct tlsd_strlist *l, size_t *pos, const uint8_t **s, size_t *len)
{
	struct tlsd_cur c, item;

	if (*pos >= l->used)
		return false;
	tlsd_cur_init(&c, l->data + *pos, l->used - *pos);
	if (!tlsd_cur_get_u8_prefixed(&c, &item))
		return false;
	*s = tlsd_cur_data(&item);
	*len = tlsd_cur_len(&item);
	*pos = l->used - tlsd_cur_len(&c);
	return true;
}

/* Reads a vector of u16 values: keeps the first `max` in arr, returns the
 * count kept in *n (saturating) and whether the vector was whole. */
static bool get_u16_list(struct tlsd_cur *v, uint16_t *arr, size_t max, size_t *n)
{
	size_t k = 0;

	if (tlsd_cur_len(v) % 2)
		return false;
	while (tlsd_cur_len(v)) {
		uint16_t x;

		if (!tlsd_cur_get_u16(v, &x))
			return false;
		if (k < max)
			arr[k++] = x;
	}
	*n = k;
	return true;
}

#define SEEN_WORDS (65536 / 64)
#define SEEN_SLOTS 64u /* a power of two; half full at most */

/* The extension types of one list, for telling duplicates. A hello has a
 * score of them: a small table on the stack, not an 8 KiB bitmap of every
 * type cleared for each hello (3.6 % of all instructions on a capture of
 * short handshakes). A hostile list of thousands moves to the bitmap. */
struct ext_seen {
	uint32_t slot[SEEN_SLOTS]; /* type + 1; 0: empty */
	unsigned n;
	bool in_bits;
	uint64_t bits[SEEN_WORDS]; /* only once in_bits: not cleared before */
};

static bool bit_seen_before(struct ext_seen *s, uint16_t type)
{
	uint64_t bit = UINT64_C(1) << (type % 64);
	bool dup = s->bits[type / 64] & bit;

	s->bits[type / 64] |= bit;
	return dup;
}

/* Marks an extension type seen; true when it was already seen. */
static bool seen_before(struct ext_seen *s, uint16_t type)
{
	uint32_t i;

	if (s->in_bits)
		return bit_seen_before(s, type);
	for (i = (type * 0x9e37u) >> 4 & (SEEN_SLOTS - 1); s->slot[i];
	     i = (i + 1) & (SEEN_SLOTS - 1))
		if (s->slot[i] == (uint32_t)type + 1)
			return true;
	if (s->n + 1 <= SEEN_SLOTS / 2) {
		s->slot[i] = (uint32_t)type + 1;
		s->n++;
		return false;
	}
	/* Full: every type so far into the bitmap, then this one. */
	memset(s->bits, 0, sizeof(s->bits));
	for (unsigned k = 0; k < SEEN_SLOTS; k++)
		if (s->slot[k])
			(void)bit_seen_before(s, (uint16_t)(s->slot[k] - 1));
	s->in_bits = true;
	return bit_seen_before(s, type);
}

/* struct {
 *     NameType name_type;            (host_name(0))
 *     select (name_type) { case host_name: HostName; } name;
 * } ServerName;
 * opaque HostName<1..2^16-1>;
 * struct { ServerName server_name_list<1..2^16-1> } ServerNameList;   RFC 6066 3 */
static bool parse_sni(struct tlsd_cur *d, struct tlsd_client_hello *ch)
{
	struct tlsd_cur list;

	if (!tlsd_cur_get_u16_prefixed(d, &list) || tlsd_cur_len(&list) == 0 ||
	    tlsd_cur_len(d) != 0)
		return false;
	while (tlsd_cur_len(&list)) {
		uint8_t type;
		struct tlsd_cur name;

		if (!tlsd_cur_get_u8(&list, &type) || !tlsd_cur_get_u16_prefixed(&list, &name) ||
		    tlsd_cur_len(&name) == 0)
			return false;
		if (type != 0 || ch->has_sni)
			continue;
		size_t n = tlsd_cur_len(&name);
		size_t keep = TLSD_MIN(n, (size_t)TLSD_MAX_SNI);

		if (!tlsd_cur_copy(&name, ch->sni, keep))
			return false;
		ch->sni[keep] = 0;
		ch->sni_len = (uint16_t)keep;
		ch->sni_truncated = keep < n;
		ch->has_sni = true;
	}
	return true;
}

/* opaque ProtocolName<1..2^8-1>;
 * struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;   RFC 7301 3.1 */
static bool parse_alpn(struct tlsd_cur *d, struct tlsd_strlist *out)
{
	struct tlsd_cur list;

	if (!tlsd_cur_get_u16_prefixed(d, &list) || tlsd_cur_len(&list) < 2 ||
	    tlsd_cur_len(d) != 0)
		return false;
	while (tlsd_cur_len(&list)) {
		struct tlsd_cur name;

		if (!tlsd_cur_get_u8_prefixed(&list, &name) || tlsd_cur_len(&name) == 0)
			return false;
		strlist_add(out, &name);
	}
	return true;
}

/* struct {
 *     NamedGroup group;
 *     opaque key_exchange<1..2^16-1>;
 * } KeyShareEntry;
 * struct { KeyShareEntry client_shares<0..2^16-1>; } KeyShareClientHello;   RFC 8446 4.2.8 */
static bool parse_key_share_ch(struct tlsd_cur *d, struct tlsd_client_hello *ch)
{
	struct tlsd_cur list;

	if (!tlsd_cur_get_u16_prefixed(d, &list) || tlsd_cur_len(d) != 0)
		return false;
	while (tlsd_cur_len(&list)) {
		uint16_t group;
		struct tlsd_cur key;

		if (!tlsd_cur_get_u16(&list, &group) || !tlsd_cur_get_u16_prefixed(&list, &key) ||
		    tlsd_cur_len(&key) == 0)
			return false;
		if (ch->n_key_shares < TLSD_MAX_KEY_SHARES) {
			ch->key_share_groups[ch->n_key_shares] = group;
			ch->key_share_lens[ch->n_key_shares] = (uint16_t)tlsd_cur_len(&key);
			ch->n_key_shares++;
		}
	}
	return true;
}

/* struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } PskIdentity;
 * opaque PskBinderEntry<32..255>;
 * struct {
 *     PskIdentity identities<7..2^16-1>;
 *     PskBinderEntry binders<33..2^16-1>;
 * } OfferedPsks;                                                          RFC 8446 4.2.11 */
static bool parse_offered_psks(struct tlsd_cur *d)
{
	struct tlsd_cur ids, binders;

	if (!tlsd_cur_get_u16_prefixed(d, &ids) || tlsd_cur_len(&ids) < 7 ||
	    !tlsd_cur_get_u16_prefixed(d, &binders) || tlsd_cur_len(&binders) < 33 ||
	    tlsd_cur_len(d) != 0)
		return false;
	while (tlsd_cur_len(&ids)) {
		struct tlsd_cur id;
		uint32_t age;

		if (!tlsd_cur_get_u16_prefixed(&ids, &id) || tlsd_cur_len(&id) == 0 ||
		    !tlsd_cur_get_u32(&ids, &age))
			return false;
	}
	while (tlsd_cur_len(&binders)) {
		struct tlsd_cur b;

		if (!tlsd_cur_get_u8_prefixed(&binders, &b) || tlsd_cur_len(&b) < 32)
			return false;
	}
	return true;
}

/* A u16 list with a u16 length prefix and at least 2 bytes (groups, sigalgs). */
static bool parse_u16_vec16(struct tlsd_cur *d, uint16_t *arr, size_t max, uint8_t *n)
{
	struct tlsd_cur list;
	size_t k;

	if (!tlsd_cur_get_u16_prefixed(d, &list) || tlsd_cur_len(&list) < 2 ||
	    tlsd_cur_len(d) != 0 || !get_u16_list(&list, arr, max, &k))
		return false;
	*n = (uint8_t)k;
	return true;
}

/* One ClientHello extension body: returns false when it is malformed. */
static bool parse_ch_ext(uint16_t type, struct tlsd_cur *d, struct tlsd_client_hello *ch)
{
	struct tlsd_cur v;
	size_t k;
	uint8_t n8;

	switch (type) {
	case EXT_SERVER_NAME:
		return parse_sni(d, ch);
	case EXT_SUPPORTED_VERSIONS:
		/* ProtocolVersion versions<2..254>; */
		if (!tlsd_cur_get_u8_prefixed(d, &v) || tlsd_cur_len(&v) < 2 ||
		    tlsd_cur_len(d) != 0 || !get_u16_list(&v, ch->versions, TLSD_MAX_VERSIONS, &k))
			return false;
		ch->n_versions = (uint8_t)k;
		ch->has_supported_versions = true;
		return true;
	case EXT_SUPPORTED_GROUPS:
		/* NamedGroup named_group_list<2..2^16-1>; */
		return parse_u16_vec16(d, ch->groups, TLSD_MAX_GROUPS, &ch->n_groups);
	case EXT_EC_POINT_FORMATS:
		/* ECPointFormat ec_point_format_list<1..2^8-1>;  RFC 8422 5.1.2 */
		if (!tlsd_cur_get_u8_prefixed(d, &v) || tlsd_cur_len(&v) == 0 ||
		    tlsd_cur_len(d) != 0)
			return false;
		ch->n_point_formats = 0;
		while (tlsd_cur_get_u8(&v, &n8))
			if (ch->n_point_formats < TLSD_MAX_POINT_FORMATS)
				ch->point_formats[ch->n_point_formats++] = n8;
		return true;
	case EXT_SIGNATURE_ALGORITHMS:
		/* SignatureScheme supported_signature_algorithms<2..2^16-2>; */
		return parse_u16_vec16(d, ch->sigalgs, TLSD_MAX_SIGALGS, &ch->n_sigalgs);
	case EXT_SIGNATURE_ALGORITHMS_CERT: {
		uint16_t dummy[1];

		ch->has_sigalgs_cert = true;
		return parse_u16_vec16(d, dummy, 0, &n8);
	}
	case EXT_KEY_SHARE:
		ch->has_key_share = true;
		return parse_key_share_ch(d, ch);
	case EXT_PSK_KEY_EXCHANGE_MODES:
		/* PskKeyExchangeMode ke_modes<1..255>; */
		if (!tlsd_cur_get_u8_prefixed(d, &v) || tlsd_cur_len(&v) == 0 ||
		    tlsd_cur_len(d) != 0)
			return false;
		while (tlsd_cur_get_u8(&v, &n8))
			if (n8 < 8)
				ch->psk_modes |= (uint8_t)(1u << n8);
		return true;
	case EXT_PRE_SHARED_KEY:
		ch->has_psk = true;
		return parse_offered_psks(d);
	case EXT_EARLY_DATA:
		ch->has_early_data = true;
		return tlsd_cur_len(d) == 0;
	case EXT_ALPN:
		ch->has_alpn = true;
		return parse_alpn(d, &ch->alpn);
	case EXT_STATUS_REQUEST:
		/* CertificateStatusType status_type; + request (RFC 6066 8) */
		ch->has_status_request = true;
		return tlsd_cur_len(d) == 0 || tlsd_cur_peek_u8(d, &n8);
	case EXT_SESSION_TICKET:
		ch->has_session_ticket = true;
		ch->session_ticket_len = (uint16_t)tlsd_cur_len(d);
		return true;
	case EXT_EXTENDED_MASTER_SECRET:
		ch->has_ems = true;
		return tlsd_cur_len(d) == 0;
	case EXT_ENCRYPT_THEN_MAC:
		ch->has_etm = true;
		return tlsd_cur_len(d) == 0;
	case EXT_POST_HANDSHAKE_AUTH:
		ch->has_pha = true;
		return tlsd_cur_len(d) == 0;
	case EXT_RENEGOTIATION_INFO:
		/* opaque renegotiated_connection<0..255>;  RFC 5746 3.2 */
		ch->has_reneg_info = true;
		return tlsd_cur_get_u8_prefixed(d, &v) && tlsd_cur_len(d) == 0;
	case EXT_PADDING:
		ch->has_padding = true;
		ch->padding_len = (uint16_t)tlsd_cur_len(d);
		return true;
	case EXT_RECORD_SIZE_LIMIT:
		/* uint16 RecordSizeLimit;  RFC 8449 4 */
		ch->has_record_size_limit = true;
		return tlsd_cur_get_u16(d, &ch->record_size_limit) && tlsd_cur_len(d) == 0;
	case EXT_COOKIE:
		/* opaque cookie<1..2^16-1>; */
		ch->has_cookie = true;
		return tlsd_cur_get_u16_prefixed(d, &v) && tlsd_cur_len(&v) > 0 &&
		       tlsd_cur_len(d) == 0;
	case EXT_ENCRYPTED_CLIENT_HELLO:
		ch->has_ech = true;
		return tlsd_cur_len(d) > 0;
	case EXT_COMPRESS_CERTIFICATE:
		/* CertificateCompressionAlgorithm algorithms<2..2^8-2>;  RFC 8879 3 */
		ch->has_compress_cert = true;
		return tlsd_cur_get_u8_prefixed(d, &v) && tlsd_cur_len(&v) >= 2 &&
		       tlsd_cur_len(&v) % 2 == 0 && tlsd_cur_len(d) == 0;
	default:
		return true;
	}
}

/* Walks an extension block (the inside of Extension extensions<..>), calling
 * one_ext for each; records types, duplicates and the first bad one. */
struct ext_walk {
	uint16_t *types;
	uint16_t max;
	uint16_t n;
	uint16_t total;
	bool dup;
	const char *bad_field;
	/* Lenient walks (hellos) note a malformed extension body and go on: the
	 * extension framing is intact, and the rest of the hello (SNI, offers)
	 * is what a diagnosis of the peer's decode_error needs. */
	bool lenient;
	/* Salvage walks stop quietly at an extension cut short. */
	bool salvage;
	bool bad;
	uint16_t bad_type;
};

typedef bool (*ext_fn)(uint16_t type, struct tlsd_cur *d, void *arg);

static bool walk_exts(struct tlsd_cur *list, struct ext_walk *w, ext_fn fn, void *arg,
		      size_t end, struct tlsd_parse_err *err)
{
	struct ext_seen seen;

	memset(seen.slot, 0, sizeof(seen.slot));
	seen.n = 0;
	seen.in_bits = false;
	while (tlsd_cur_len(list)) {
		uint16_t type;
		struct tlsd_cur d;
		size_t d_end;

		if (!tlsd_cur_get_u16(list, &type) || !tlsd_cur_get_u16_prefixed(list, &d)) {
			if (w->salvage) {
				w->bad = true;
				return true;
			}
			malformed(err, "extension header", end, list);
			return false;
		}
		d_end = end - tlsd_cur_len(list);
		if (w->n < w->max)
			w->types[w->n++] = type;
		if (w->total < UINT16_MAX)
			w->total++;
		if (seen_before(&seen, type))
			w->dup = true;
		if (!fn(type, &d, arg)) {
			if (w->lenient) {
				if (!w->bad)
					w->bad_type = type;
				w->bad = true;
				continue;
			}
			malformed(err, "extension body", d_end, &d);
			return false;
		}
	}
	return true;
}

static bool ch_ext_cb(uint16_t type, struct tlsd_cur *d, void *arg)
{
	return parse_ch_ext(type, d, arg);
}

/* uint16 ProtocolVersion;
 * opaque Random[32];
 * uint8 CipherSuite[2];
 * struct {
 *     ProtocolVersion legacy_version = 0x0303;
 *     Random random;
 *     opaque legacy_session_id<0..32>;
 *     CipherSuite cipher_suites<2..2^16-2>;
 *     opaque legacy_compression_methods<1..2^8-1>;
 *     Extension extensions<8..2^16-1>;          (absent in old clients)
 * } ClientHello;                                          RFC 8446 4.1.2 */
static enum tlsd_parse parse_client_hello(const uint8_t *body, size_t len, bool dtls,
					  struct tlsd_client_hello *out, struct tlsd_parse_err *err,
					  bool salvage)
{
	static const struct tlsd_client_hello zero;
	struct tlsd_client_hello ch = zero;
	struct tlsd_cur c, sid, suites, comp, exts;

	tlsd_cur_init(&c, body, len);
	ch.msg_len = (uint32_t)len;
	ch.dtls = dtls;
	if (!tlsd_cur_get_u16(&c, &ch.legacy_version))
		return malformed(err, "legacy_version", len, &c);
	if (!tlsd_cur_copy(&c, ch.random, sizeof(ch.random)))
		return malformed(err, "random", len, &c);
	if (!tlsd_cur_get_u8_prefixed(&c, &sid) || tlsd_cur_len(&sid) > 32)
		return malformed(err, "legacy_session_id", len, &c);
	ch.session_id_len = (uint8_t)tlsd_cur_len(&sid);
	if (!tlsd_cur_copy(&sid, ch.session_id, ch.session_id_len))
		return malformed(err, "legacy_session_id", len, &c);
	if (dtls) {
		struct tlsd_cur cookie;

		if (!tlsd_cur_get_u8_prefixed(&c, &cookie))
			return malformed(err, "cookie", len, &c);
		ch.dtls_cookie_len = (uint8_t)tlsd_cur_len(&cookie);
	}
	if (!tlsd_cur_get_u16_prefixed(&c, &suites) || tlsd_cur_len(&suites) < 2 ||
	    tlsd_cur_len(&suites) % 2)
		return malformed(err, "cipher_suites", len, &c);
	ch.n_suites_total = (uint16_t)(tlsd_cur_len(&suites) / 2);
	while (tlsd_cur_len(&suites)) {
		uint16_t s;

		if (!tlsd_cur_get_u16(&suites, &s))
			return malformed(err, "cipher_suites", len, &c);
		if (ch.n_suites < TLSD_MAX_SUITES)
			ch.suites[ch.n_suites++] = s;
		ch.fallback_scsv |= s == TLSD_SUITE_FALLBACK_SCSV;
		ch.reneg_scsv |= s == TLSD_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV;
	}
	if (!tlsd_cur_get_u8_prefixed(&c, &comp) || tlsd_cur_len(&comp) == 0)
		return malformed(err, "legacy_compression_methods", len, &c);
	ch.n_compressions = (uint8_t)tlsd_cur_len(&comp);
	while (tlsd_cur_len(&comp)) {
		uint8_t m;

		if (!tlsd_cur_get_u8(&comp, &m))
			return malformed(err, "legacy_compression_methods", len, &c);
		ch.compression_null |= m == 0;
	}
	if (tlsd_cur_len(&c) == 0)
		goto done; /* no extensions block (SSL 3.0 / early TLS clients) */
	if (!tlsd_cur_get_u16_prefixed(&c, &exts)) {
		uint16_t declared;

		/* The block claims more than the message holds: salvage what
		 * is there. */
		if (!salvage || !tlsd_cur_get_u16(&c, &declared))
			return malformed(err, "extensions", len, &c);
		exts = c;
		if (!tlsd_cur_skip(&c, tlsd_cur_len(&c)))
			return malformed(err, "extensions", len, &c);
		ch.salvaged = true;
	}
	{
		struct ext_walk w = {.types = ch.exts, .max = TLSD_MAX_EXTS, .lenient = true,
				     .salvage = salvage};
		size_t end = len - tlsd_cur_len(&c);

		if (!walk_exts(&exts, &w, ch_ext_cb, &ch, end, err))
			return TLSD_PARSE_MALFORMED;
		ch.bad_ext = w.bad;
		ch.salvaged = ch.salvaged || (salvage && w.bad);
		ch.bad_ext_type = w.bad_type;
		ch.n_exts = w.n;
		ch.n_exts_total = w.total;
		ch.dup_ext = w.dup;
	}
	ch.trailing = tlsd_cur_len(&c) != 0;
done:
	*out = ch;
	return TLSD_PARSE_OK;
}

enum tlsd_parse tlsd_parse_client_hello(const uint8_t *body, size_t len,
					struct tlsd_client_hello *out,
					struct tlsd_parse_err *err)
{
	return parse_client_hello(body, len, false, out, err, false);
}

/* DTLS (RFC 6347 4.2.1): the same with
 *     opaque cookie<0..2^8-1>;
 * between legacy_session_id and cipher_suites. */
enum tlsd_parse tlsd_parse_dtls_client_hello(const uint8_t *body, size_t len,
					     struct tlsd_client_hello *out,
					     struct tlsd_parse_err *err)
{
	return parse_client_hello(body, len, true, out, err, false);
}

/* struct {
 *     ProtocolVersion server_version;
 *     opaque cookie<0..2^8-1>;
 * } HelloVerifyRequest;                                   RFC 6347 4.2.1 */
enum tlsd_parse tlsd_parse_hello_verify_request(const uint8_t *body, size_t len,
						struct tlsd_hello_verify_request *out,
						struct tlsd_parse_err *err)
{
	struct tlsd_hello_verify_request h = {0};
	struct tlsd_cur c, cookie;

	tlsd_cur_init(&c, body, len);
	if (!tlsd_cur_get_u16(&c, &h.server_version))
		return malformed(err, "server_version", len, &c);
	if (!tlsd_cur_get_u8_prefixed(&c, &cookie))
		return malformed(err, "cookie", len, &c);
	if (tlsd_cur_len(&c) != 0)
		return malformed(err, "trailing bytes", len, &c);
	h.cookie_len = (uint8_t)tlsd_cur_len(&cookie);
	*out = h;
	return TLSD_PARSE_OK;
}

enum tlsd_parse tlsd_parse_client_hello_salvage(const uint8_t *body, size_t len,
						struct tlsd_client_hello *out)
{
	return parse_client_hello(body, len, false, out, NULL, true);
}

/* SSLv2 CLIENT-HELLO (RFC 6101 E.2 / RFC 5246 E.2):
 *     uint8 msg_type = 1;
 *     Version version;
 *     uint16 cipher_spec_length;      (multiple of 3)
 *     uint16 session_id_length;       (0 or 16)
 *     uint16 challenge_length;        (16..32)
 *     V2CipherSpec cipher_specs[cipher_spec_length];
 *     opaque session_id[session_id_length];
 *     opaque challenge[challenge_length]; */
enum tlsd_parse tlsd_parse_sslv2_client_hello(const uint8_t *body, size_t len,
					      struct tlsd_client_hello *out,
					      struct tlsd_parse_err *err)
{
	static const struct tlsd_client_hello zero;
	struct tlsd_client_hello ch = zero;
	struct tlsd_cur c, specs, sid, chal;
	uint8_t type;
	uint16_t spec_len, sid_len, chal_len;

	tlsd_cur_init(&c, body, len);
	ch.msg_len = (uint32_t)len;
	ch.sslv2 = true;
	if (!tlsd_cur_get_u8(&c, &type) || type != 1)
		return malformed(err, "msg_type", len, &c);
	if (!tlsd_cur_get_u16(&c, &ch.legacy_version))
		return malformed(err, "version", len, &c);
	if (!tlsd_cur_get_u16(&c, &spec_len) || spec_len == 0 || spec_len % 3)
		return malformed(err, "cipher_spec_length", len, &c);
	if (!tlsd_cur_get_u16(&c, &sid_len) || sid_len > 32)
		return malformed(err, "session_id_length", len, &c);
	if (!tlsd_cur_get_u16(&c, &chal_len) || chal_len < 16 || chal_len > 32)
		return malformed(err, "challenge_length", len, &c);
	if (!tlsd_cur_get_bytes(&c, &specs, spec_len))
		return malformed(err, "cipher_specs", len, &c);
	if (!tlsd_cur_get_bytes(&c, &sid, sid_len))
		return malformed(err, "session_id", len, &c);
	if (!tlsd_cur_get_bytes(&c, &chal, chal_len))
		return malformed(err, "challenge", len, &c);
	ch.session_id_len = (uint8_t)sid_len;
	if (!tlsd_cur_copy(&sid, ch.session_id, sid_len) ||
	    /* The challenge is the right-aligned ClientHello.random. */
	    !tlsd_cur_copy(&chal, ch.random + (32 - chal_len), chal_len))
		return malformed(err, "challenge", len, &c);
	ch.n_suites_total = 0;
	while (tlsd_cur_len(&specs)) {
		uint8_t kind;
		uint16_t s;

		if (!tlsd_cur_get_u8(&specs, &kind) || !tlsd_cur_get_u16(&specs, &s))
			return malformed(err, "cipher_specs", len, &c);
		if (kind != 0) {
			ch.n_ssl2_specs++; /* an SSLv2-only cipher kind */
			continue;
		}
		ch.n_suites_total++;
		if (ch.n_suites < TLSD_MAX_SUITES)
			ch.suites[ch.n_suites++] = s;
		ch.fallback_scsv |= s == TLSD_SUITE_FALLBACK_SCSV;
		ch.reneg_scsv |= s == TLSD_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV;
	}
	ch.n_compressions = 1;
	ch.compression_null = true;
	ch.trailing = tlsd_cur_len(&c) != 0;
	*out = ch;
	return TLSD_PARSE_OK;
}

/* One ServerHello / HelloRetryRequest extension body. */
static bool parse_sh_ext(uint16_t type, struct tlsd_cur *d, struct tlsd_server_hello *sh)
{
	struct tlsd_cur v;

	switch (type) {
	case EXT_SUPPORTED_VERSIONS:
		/* ProtocolVersion selected_version; */
		return tlsd_cur_get_u16(d, &sh->selected_version) && tlsd_cur_len(d) == 0;
	case EXT_KEY_SHARE:
		/* SH: KeyShareEntry server_share; HRR: NamedGroup selected_group; */
		sh->has_key_share = true;
		if (!tlsd_cur_get_u16(d, &sh->key_share_group))
			return false;
		if (sh->is_hrr)
			return tlsd_cur_len(d) == 0;
		return tlsd_cur_get_u16_prefixed(d, &v) && tlsd_cur_len(&v) > 0 &&
		       tlsd_cur_len(d) == 0;
	case EXT_ALPN:
		/* Exactly one ProtocolName (RFC 7301 3.1). */
		sh->has_alpn = true;
		return parse_alpn(d, &sh->alpn) && sh->alpn.total == 1;
	case EXT_PRE_SHARED_KEY:
		/* uint16 selected_identity; */
		sh->has_psk = true;
		return tlsd_cur_get_u16(d, &sh->psk_identity) && tlsd_cur_len(d) == 0;
	case EXT_EXTENDED_MASTER_SECRET:
		sh->has_ems = true;
		return tlsd_cur_len(d) == 0;
	case EXT_ENCRYPT_THEN_MAC:
		sh->has_etm = true;
		return tlsd_cur_len(d) == 0;
	case EXT_RENEGOTIATION_INFO:
		sh->has_reneg_info = true;
		return tlsd_cur_get_u8_prefixed(d, &v) && tlsd_cur_len(d) == 0;
	case EXT_SESSION_TICKET:
		sh->has_session_ticket = true;
		return tlsd_cur_len(d) == 0;
	case EXT_STATUS_REQUEST:
		sh->has_status_request = true;
		return tlsd_cur_len(d) == 0;
	case EXT_SERVER_NAME:
		sh->has_sni = true;
		return tlsd_cur_len(d) == 0;
	case EXT_COOKIE:
		sh->has_cookie = true;
		return tlsd_cur_get_u16_prefixed(d, &v) && tlsd_cur_len(&v) > 0 &&
		       tlsd_cur_len(d) == 0;
	default:
		return true;
	}
}

static bool sh_ext_cb(uint16_t type, struct tlsd_cur *d, void *arg)
{
	return parse_sh_ext(type, d, arg);
}

/* struct {
 *     ProtocolVersion legacy_version = 0x0303;
 *     Random random;
 *     opaque legacy_session_id_echo<0..32>;
 *     CipherSuite cipher_suite;
 *     uint8 legacy_compression_method = 0;
 *     Extension extensions<6..2^16-1>;          (absent before TLS 1.3 if none)
 * } ServerHello;                                          RFC 8446 4.1.3 */
enum tlsd_parse tlsd_parse_server_hello(const uint8_t *body, size_t len,
					struct tlsd_server_hello *out,
					struct tlsd_parse_err *err)
{
	static const struct tlsd_server_hello zero;
	struct tlsd_server_hello sh = zero;
	struct tlsd_cur c, sid, exts;

	tlsd_cur_init(&c, body, len);
	if (!tlsd_cur_get_u16(&c, &sh.legacy_version))
		return malformed(err, "legacy_version", len, &c);
	if (!tlsd_cur_copy(&c, sh.random, sizeof(sh.random)))
		return malformed(err, "random", len, &c);
	if (((sh.legacy_version & 0xff00) == 0x7f00 && (sh.legacy_version & 0xff) < 22) ||
	    sh.legacy_version == TLSD_VERSION_TLS13) {
		/* TLS 1.3 drafts before 22: version, random, cipher_suite,
		 * extensions; no session id, no compression, and the draft is
		 * the selected version. Some early draft servers (draft 14 at
		 * tls13.crypto.mozilla.org) wrote 0x0304 here, which the final
		 * format never does (legacy_version is 0x0303). */
		if (!tlsd_cur_get_u16(&c, &sh.suite))
			return malformed(err, "cipher_suite", len, &c);
		sh.selected_version = sh.legacy_version;
		goto extensions;
	}
	if (!tlsd_cur_get_u8_prefixed(&c, &sid) || tlsd_cur_len(&sid) > 32)
		return malformed(err, "legacy_session_id_echo", len, &c);
	sh.session_id_len = (uint8_t)tlsd_cur_len(&sid);
	if (!tlsd_cur_copy(&sid, sh.session_id, sh.session_id_len))
		return malformed(err, "legacy_session_id_echo", len, &c);
	if (!tlsd_cur_get_u16(&c, &sh.suite))
		return malformed(err, "cipher_suite", len, &c);
	if (!tlsd_cur_get_u8(&c, &sh.compression))
		return malformed(err, "legacy_compression_method", len, &c);
extensions:
	sh.is_hrr = memcmp(sh.random, hrr_random, sizeof(hrr_random)) == 0;
	if (memcmp(sh.random + 24, downgrade_tls12, 8) == 0)
		sh.downgrade = TLSD_DOWNGRADE_TLS12;
	else if (memcmp(sh.random + 24, downgrade_tls11, 8) == 0)
		sh.downgrade = TLSD_DOWNGRADE_TLS11;
	if (tlsd_cur_len(&c) == 0)
		goto done;
	if (!tlsd_cur_get_u16_prefixed(&c, &exts))
		return malformed(err, "extensions", len, &c);
	{
		struct ext_walk w = {.types = sh.exts, .max = TLSD_MAX_EXTS};
		size_t end = len - tlsd_cur_len(&c);

		if (!walk_exts(&exts, &w, sh_ext_cb, &sh, end, err))
			return TLSD_PARSE_MALFORMED;
		sh.n_exts = w.n;
		sh.dup_ext = w.dup;
	}
	sh.trailing = tlsd_cur_len(&c) != 0;
done:
	*out = sh;
	return TLSD_PARSE_OK;
}

uint16_t tlsd_server_hello_version(const struct tlsd_server_hello *sh)
{
	return sh->selected_version ? sh->selected_version : sh->legacy_version;
}

static void keep_cert(struct tlsd_certificate_msg *m, const struct tlsd_cur *der)
{
	if (m->n_kept < TLSD_MAX_CERTS)
		m->der[m->n_kept++] = *der;
	m->n_certs++;
}

/* TLS <= 1.2 (RFC 5246 7.4.2):
 *     opaque ASN.1Cert<1..2^24-1>;
 *     struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
 * TLS 1.3 (RFC 8446 4.4.2):
 *     struct {
 *         opaque cert_data<1..2^24-1>;           (X.509; RawPublicKey not handled)
 *         Extension extensions<0..2^16-1>;
 *     } CertificateEntry;
 *     struct {
 *         opaque certificate_request_context<0..2^8-1>;
 *         CertificateEntry certificate_list<0..2^24-1>;
 *     } Certificate; */
enum tlsd_parse tlsd_parse_certificate(const uint8_t *body, size_t len, bool tls13,
				       struct tlsd_certificate_msg *out,
				       struct tlsd_parse_err *err)
{
	struct tlsd_certificate_msg m = {.tls13 = tls13};
	struct tlsd_cur c, ctx, list;
	size_t list_end;

	tlsd_cur_init(&c, body, len);
	if (tls13 && !tlsd_cur_get_u8_prefixed(&c, &ctx))
		return malformed(err, "certificate_request_context", len, &c);
	if (!tlsd_cur_get_u24_prefixed(&c, &list))
		return malformed(err, "certificate_list", len, &c);
	if (tlsd_cur_len(&c) != 0)
		return malformed(err, "trailing bytes", len, &c);
	m.total_len = (uint32_t)tlsd_cur_len(&list);
	list_end = len;
	while (tlsd_cur_len(&list)) {
		struct tlsd_cur der, exts;

		if (!tlsd_cur_get_u24_prefixed(&list, &der) || tlsd_cur_len(&der) == 0)
			return malformed(err, tls13 ? "cert_data" : "ASN.1Cert", list_end, &list);
		if (tls13 && !tlsd_cur_get_u16_prefixed(&list, &exts))
			return malformed(err, "CertificateEntry.extensions", list_end, &list);
		keep_cert(&m, &der);
	}
	*out = m;
	return TLSD_PARSE_OK;
}

/* Counts DistinguishedName entries, opaque DistinguishedName<1..2^16-1>;
 * and keeps a view of the first one (first stays untouched when there is
 * none, and both outputs on failure). */
static bool count_dns(struct tlsd_cur *list, uint16_t *n, struct tlsd_cur *first)
{
	struct tlsd_cur head = {0};
	uint16_t k = 0;

	while (tlsd_cur_len(list)) {
		struct tlsd_cur dn;

		if (!tlsd_cur_get_u16_prefixed(list, &dn) || tlsd_cur_len(&dn) == 0)
			return false;
		if (k == 0)
			head = dn;
		if (k < UINT16_MAX)
			k++;
	}
	*n = k;
	if (k)
		*first = head;
	return true;
}

static bool cr13_ext_cb(uint16_t type, struct tlsd_cur *d, void *arg)
{
	struct tlsd_certificate_request *cr = arg;
	struct tlsd_cur list;

	switch (type) {
	case EXT_SIGNATURE_ALGORITHMS:
		if (!tlsd_cur_get_u16_prefixed(d, &list) || tlsd_cur_len(&list) < 2 ||
		    tlsd_cur_len(&list) % 2 || tlsd_cur_len(d) != 0)
			return false;
		cr->n_sigalgs = (uint16_t)(tlsd_cur_len(&list) / 2);
		return true;
	case EXT_CERTIFICATE_AUTHORITIES:
		/* DistinguishedName authorities<3..2^16-1>; */
		return tlsd_cur_get_u16_prefixed(d, &list) && tlsd_cur_len(d) == 0 &&
		       count_dns(&list, &cr->n_ca_names, &cr->first_ca);
	default:
		return true;
	}
}

/* TLS <= 1.2 (RFC 5246 7.4.4):
 *     struct {
 *         ClientCertificateType certificate_types<1..2^8-1>;
 *         SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;  (1.2 only)
 *         DistinguishedName certificate_authorities<0..2^16-1>;
 *     } CertificateRequest;
 * TLS 1.3 (RFC 8446 4.3.2):
 *     struct {
 *         opaque certificate_request_context<0..2^8-1>;
 *         Extension extensions<2..2^16-1>;
 *     } CertificateRequest; */
enum tlsd_parse tlsd_parse_certificate_request(const uint8_t *body, size_t len, uint16_t version,
					       struct tlsd_certificate_request *out,
					       struct tlsd_parse_err *err)
{
	struct tlsd_certificate_request cr = {0};
	struct tlsd_cur c, v;

	tlsd_cur_init(&c, body, len);
	version = tlsd_version_tls_equiv(version);
	if (tlsd_version_is_tls13(version)) {
		struct ext_walk w = {0};
		size_t end;

		cr.tls13 = true;
		if (!tlsd_cur_get_u8_prefixed(&c, &v))
			return malformed(err, "certificate_request_context", len, &c);
		if (!tlsd_cur_get_u16_prefixed(&c, &v) || tlsd_cur_len(&v) < 2)
			return malformed(err, "extensions", len, &c);
		if (tlsd_cur_len(&c) != 0)
			return malformed(err, "trailing bytes", len, &c);
		end = len;
		if (!walk_exts(&v, &w, cr13_ext_cb, &cr, end, err))
			return TLSD_PARSE_MALFORMED;
		*out = cr;
		return TLSD_PARSE_OK;
	}
	if (!tlsd_cur_get_u8_prefixed(&c, &v) || tlsd_cur_len(&v) == 0)
		return malformed(err, "certificate_types", len, &c);
	cr.n_types = (uint8_t)tlsd_cur_len(&v);
	if (version >= TLSD_VERSION_TLS12) {
		if (!tlsd_cur_get_u16_prefixed(&c, &v) || tlsd_cur_len(&v) < 2 ||
		    tlsd_cur_len(&v) % 2)
			return malformed(err, "supported_signature_algorithms", len, &c);
		cr.n_sigalgs = (uint16_t)(tlsd_cur_len(&v) / 2);
	}
	if (!tlsd_cur_get_u16_prefixed(&c, &v))
		return malformed(err, "certificate_authorities", len, &c);
	if (!count_dns(&v, &cr.n_ca_names, &cr.first_ca))
		return malformed(err, "DistinguishedName", len - tlsd_cur_len(&c), &v);
	if (tlsd_cur_len(&c) != 0)
		return malformed(err, "trailing bytes", len, &c);
	*out = cr;
	return TLSD_PARSE_OK;
}

/* Bit length of a big-endian unsigned integer (leading zero bytes allowed). */
static uint16_t bit_length(struct tlsd_cur n)
{
	uint8_t b = 0;
	size_t bits;

	while (tlsd_cur_peek_u8(&n, &b) && b == 0)
		if (!tlsd_cur_skip(&n, 1))
			return 0;
	if (tlsd_cur_len(&n) == 0)
		return 0;
	bits = (tlsd_cur_len(&n) - 1) * 8;
	while (b) {
		bits++;
		b >>= 1;
	}
	return bits > UINT16_MAX ? UINT16_MAX : (uint16_t)bits;
}

/* A vector<1..2^16-1> (u16 length, not empty). */
static bool get_vec16_nonempty(struct tlsd_cur *c, struct tlsd_cur *out)
{
	struct tlsd_cur tmp = *c, v;

	if (!tlsd_cur_get_u16_prefixed(&tmp, &v) || tlsd_cur_len(&v) == 0)
		return false;
	*c = tmp;
	*out = v;
	return true;
}

/* RFC 5246 7.4.3 / RFC 8422 5.4 / RFC 4279:
 *     struct { opaque dh_p<1..2^16-1>; opaque dh_g<1..2^16-1>;
 *              opaque dh_Ys<1..2^16-1>; } ServerDHParams;
 *     struct { ECCurveType curve_type (named_curve = 3); NamedCurve namedcurve;
 *              opaque point<1..2^8-1>; } ServerECDHParams;
 *     struct { opaque rsa_modulus<1..2^16-1>; opaque rsa_exponent<1..2^16-1>; }
 *              ServerRSAParams;                                (export RSA)
 *     opaque psk_identity_hint<0..2^16-1>;                     (PSK kinds, first)
 *     struct {
 *         select (KeyExchangeAlgorithm) { ... params ... };
 *         digitally-signed struct { ... } signed_params;       (not PSK / anon)
 *     } ServerKeyExchange;
 *     digitally-signed = SignatureAndHashAlgorithm (TLS 1.2 only) +
 *                        opaque signature<0..2^16-1>; */
enum tlsd_parse tlsd_parse_server_key_exchange(const uint8_t *body, size_t len,
					       enum tlsd_kx_kind kind, uint16_t version,
					       struct tlsd_server_key_exchange *out,
					       struct tlsd_parse_err *err)
{
	struct tlsd_server_key_exchange ske = {.kind = kind};
	struct tlsd_cur c, start, v, v2;
	bool is_dh, is_ec, is_rsa, signed_params;

	tlsd_cur_init(&c, body, len);
	is_dh = kind == TLSD_KX_DHE || kind == TLSD_KX_DHE_PSK || kind == TLSD_KX_DH_ANON;
	is_ec = kind == TLSD_KX_ECDHE || kind == TLSD_KX_ECDHE_PSK || kind == TLSD_KX_ECDH_ANON;
	is_rsa = kind == TLSD_KX_RSA;
	signed_params = kind == TLSD_KX_DHE || kind == TLSD_KX_ECDHE || kind == TLSD_KX_RSA;
	if (kind == TLSD_KX_PSK || kind == TLSD_KX_DHE_PSK || kind == TLSD_KX_ECDHE_PSK ||
	    kind == TLSD_KX_RSA_PSK) {
		if (!tlsd_cur_get_u16_prefixed(&c, &v))
			return malformed(err, "psk_identity_hint", len, &c);
	} else if (!is_dh && !is_ec && !is_rsa) {
		return malformed(err, "key exchange without ServerKeyExchange", len, &c);
	}
	start = c;
	if (is_dh) {
		if (!get_vec16_nonempty(&c, &v))
			return malformed(err, "dh_p", len, &c);
		ske.dh_p_bits = bit_length(v);
		if (!get_vec16_nonempty(&c, &v) || !get_vec16_nonempty(&c, &v2))
			return malformed(err, "dh_g/dh_Ys", len, &c);
	} else if (is_ec) {
		if (!tlsd_cur_get_u8(&c, &ske.ec_curve_type) || ske.ec_curve_type != 3)
			return malformed(err, "curve_type", len, &c);
		if (!tlsd_cur_get_u16(&c, &ske.group))
			return malformed(err, "namedcurve", len, &c);
		if (!tlsd_cur_get_u8_prefixed(&c, &v) || tlsd_cur_len(&v) == 0)
			return malformed(err, "point", len, &c);
	} else if (is_rsa) {
		if (!get_vec16_nonempty(&c, &v) || !get_vec16_nonempty(&c, &v2))
			return malformed(err, "rsa_modulus/rsa_exponent", len, &c);
	}
	if (!tlsd_cur_get_bytes(&start, &ske.params, tlsd_cur_len(&start) - tlsd_cur_len(&c)))
		return malformed(err, "params", len, &c);
	if (signed_params) {
		if (tlsd_version_tls_equiv(version) >= TLSD_VERSION_TLS12 &&
		    !tlsd_version_is_tls13(version) && !tlsd_cur_get_u16(&c, &ske.sig_scheme))
			return malformed(err, "signature algorithm", len, &c);
		if (!tlsd_cur_get_u16_prefixed(&c, &ske.signature))
			return malformed(err, "signature", len, &c);
	}
	if (tlsd_cur_len(&c) != 0)
		return malformed(err, "trailing bytes", len, &c);
	*out = ske;
	return TLSD_PARSE_OK;
}

/* TLS <= 1.2 (RFC 5077 3.3):
 *     struct { uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>; } NewSessionTicket;
 * TLS 1.3 (RFC 8446 4.6.1):
 *     struct {
 *         uint32 ticket_lifetime;
 *         uint32 ticket_age_add;
 *         opaque ticket_nonce<0..255>;
 *         opaque ticket<1..2^16-1>;
 *         Extension extensions<0..2^16-2>;
 *     } NewSessionTicket; */
enum tlsd_parse tlsd_parse_new_session_ticket(const uint8_t *body, size_t len, bool tls13,
					      struct tlsd_new_session_ticket *out,
					      struct tlsd_parse_err *err)
{
	struct tlsd_new_session_ticket t = {.tls13 = tls13};
	struct tlsd_cur c, v;
	uint32_t age_add;

	tlsd_cur_init(&c, body, len);
	if (!tlsd_cur_get_u32(&c, &t.lifetime))
		return malformed(err, "ticket_lifetime", len, &c);
	if (tls13) {
		if (!tlsd_cur_get_u32(&c, &age_add))
			return malformed(err, "ticket_age_add", len, &c);
		if (!tlsd_cur_get_u8_prefixed(&c, &v))
			return malformed(err, "ticket_nonce", len, &c);
	}
	if (!tlsd_cur_get_u16_prefixed(&c, &v) || (tls13 && tlsd_cur_len(&v) == 0))
		return malformed(err, "ticket", len, &c);
	t.ticket_len = (uint16_t)tlsd_cur_len(&v);
	if (tls13 && !tlsd_cur_get_u16_prefixed(&c, &v))
		return malformed(err, "extensions", len, &c);
	if (tlsd_cur_len(&c) != 0)
		return malformed(err, "trailing bytes", len, &c);
	*out = t;
	return TLSD_PARSE_OK;
}
