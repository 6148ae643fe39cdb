/* JA3/JA3S (MD5) and JA4/JA4S (SHA-256, truncated) from parsed hellos. */
#include "tlsd/fingerprint.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define EXT_SNI 0x0000
#define EXT_ALPN 0x0010
#define JA4_HASH_LEN 12

/* Bounded string builder: remembers an overflow instead of failing each call. */
struct sb {
	char *p;
	size_t cap;
	size_t len;
	bool overflow;
};

static void sb_init(struct sb *s, char *p, size_t cap)
{
	*s = (struct sb){.p = p, .cap = cap};
	if (cap)
		p[0] = 0;
	else
		s->overflow = true;
}

/* Appends raw bytes. Lists are formatted by hand: one fingerprint per
 * connection, and vsnprintf per number cost more than the whole handshake
 * analysis. */
static void sb_put(struct sb *s, const char *p, size_t n)
{
	if (s->overflow || n >= s->cap - s->len) {
		s->overflow = true;
		return;
	}
	memcpy(s->p + s->len, p, n);
	s->len += n;
	s->p[s->len] = 0;
}

/* v in decimal at p (1 to 5 digits); returns how many. */
static size_t put_dec(char *p, uint16_t v)
{
	size_t n = v >= 10000 ? 5 : v >= 1000 ? 4 : v >= 100 ? 3 : v >= 10 ? 2 : 1;

	for (size_t i = n; i-- > 0; v /= 10)
		p[i] = (char)('0' + v % 10);
	return n;
}

/* v as 4 lower-case hex digits at p. */
static void put_hex4(char *p, uint16_t v)
{
	static const char digits[] = "0123456789abcdef";

	p[0] = digits[v >> 12];
	p[1] = digits[(v >> 8) & 0xf];
	p[2] = digits[(v >> 4) & 0xf];
	p[3] = digits[v & 0xf];
}

static void sb_u16(struct sb *s, uint16_t v, bool hex)
{
	char buf[5];

	if (hex) {
		put_hex4(buf, v);
		sb_put(s, buf, 4);
	} else {
		sb_put(s, buf, put_dec(buf, v));
	}
}

/* Appends values joined by sep, GREASE left out: decimal (JA3) or
 * 4-digit lower-case hex (JA4). When the whole list surely fits (5
 * characters and a separator a value), it is written straight into the
 * buffer: one room check a list instead of one copy a value, which was
 * most of the cost of a fingerprint after the digests. */
static void sb_list(struct sb *s, const uint16_t *v, size_t n, bool hex, char sep)
{
	bool first = true;
	char *start, *p;

	if (s->overflow || n * 6 >= s->cap - s->len) {
		for (size_t i = 0; i < n; i++) {
			if (tlsd_is_grease(v[i]))
				continue;
			if (!first)
				sb_put(s, &sep, 1);
			sb_u16(s, v[i], hex);
			first = false;
		}
		return;
	}
	start = p = s->p + s->len;
	for (size_t i = 0; i < n; i++) {
		if (tlsd_is_grease(v[i]))
			continue;
		if (!first)
			*p++ = sep;
		if (hex) {
			put_hex4(p, v[i]);
			p += 4;
		} else {
			p += put_dec(p, v[i]);
		}
		first = false;
	}
	*p = 0;
	s->len += (size_t)(p - start);
}

/* OpenSSL 3 looks a digest up in its provider tables on every use of
 * EVP_md5()/EVP_sha256(); fetch each once. Set once, read-only after. */
static EVP_MD *fetched_md[2];
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_digests(void)
{
	fetched_md[0] = EVP_MD_fetch(NULL, "MD5", NULL);
	fetched_md[1] = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *digest(int which)
{
	pthread_once(&fetch_once, fetch_digests);
	if (fetched_md[which])
		return fetched_md[which];
	return which == 0 ? EVP_md5() : EVP_sha256();
}

/* Recent answers, remembered per thread. A capture's hellos come from a few
 * client and server stacks, so most connections repeat a hello, or at least
 * a string, fingerprinted before: JA3 and JA4 are looked up by the hello's
 * fields they read, and digests by their input, instead of computed again
 * (sorting, formatting and three EVP_Digest calls were a tenth of a JSON
 * record's cost). A hit compares the whole key, so it is the answer for the
 * same input. MEMO_WAYS entries a set, replaced in turn (direct-mapped, a
 * hello's JA3 and JA4 strings shared a slot and evicted each other on every
 * connection of flows-1m); keys and answers longer than an entry are
 * computed every time. */
#define MEMO_SETS 64
#define MEMO_WAYS 4
#define MEMO_DATA 512

struct memo_slot {
	uint64_t hash;
	uint16_t key_len; /* 0: empty */
	uint16_t val_len;
	char data[MEMO_DATA]; /* key, then answer */
};

struct memo_set {
	struct memo_slot way[MEMO_WAYS];
	unsigned next; /* the way replaced on the next miss */
};

static _Thread_local struct memo_set memo[MEMO_SETS];

/* A memo key being built: what the answer depends on, each list preceded by
 * its length so that no two inputs give the same bytes. */
struct memo_key {
	char b[MEMO_DATA];
	size_t len;
	bool over;
};

static void key_put(struct memo_key *k, const void *p, size_t n)
{
	if (k->over || n > sizeof(k->b) - k->len) {
		k->over = true;
		return;
	}
	memcpy(k->b + k->len, p, n);
	k->len += n;
}

static void key_u16(struct memo_key *k, uint16_t v)
{
	key_put(k, &v, sizeof(v));
}

static void key_list(struct memo_key *k, const uint16_t *v, size_t n)
{
	key_u16(k, (uint16_t)n);
	key_put(k, v, n * sizeof(*v));
}

/* 64-bit hash of the key, 8 bytes a step, then MurmurHash3's finalizer
 * (only picks the set and skips most compares). */
static uint64_t memo_hash(const char *p, size_t n)
{
	const uint64_t mul = UINT64_C(0x9e3779b97f4a7c15);
	uint64_t h = n, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * mul;
		h ^= h >> 29;
	}
	if (n) {
		w = 0;
		memcpy(&w, p, n);
		h = (h ^ w) * mul;
	}
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

/* The answer remembered for key k (its length in *val_len), or NULL; *h
 * gets the key's hash for memo_store. */
static const char *memo_find(const struct memo_key *k, uint64_t *h, size_t *val_len)
{
	const struct memo_set *set;

	if (k->over || k->len == 0)
		return NULL;
	*h = memo_hash(k->b, k->len);
	set = &memo[*h % MEMO_SETS];
	for (unsigned i = 0; i < MEMO_WAYS; i++) {
		const struct memo_slot *m = &set->way[i];

		if (m->hash == *h && m->key_len == k->len && memcmp(m->data, k->b, k->len) == 0) {
			*val_len = m->val_len;
			return m->data + k->len;
		}
	}
	return NULL;
}

/* Remembers val as the answer for k (h from memo_find), if both fit. */
static void memo_store(const struct memo_key *k, uint64_t h, const void *val, size_t val_len)
{
	struct memo_set *set;
	struct memo_slot *m;

	if (k->over || k->len == 0 || val_len > MEMO_DATA - k->len)
		return;
	set = &memo[h % MEMO_SETS];
	m = &set->way[set->next];
	set->next = (set->next + 1) % MEMO_WAYS;
	m->hash = h;
	m->key_len = (uint16_t)k->len;
	m->val_len = (uint16_t)val_len;
	memcpy(m->data, k->b, k->len);
	memcpy(m->data + k->len, val, val_len);
}

/* The first hex_chars (<= 32) lower-case hex digits of digest `which`
 * (0 MD5, 1 SHA-256) of in[0..len), NUL-terminated. */
static int digest_hex(int which, const char *in, size_t len, char *hex, size_t hex_chars)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	static const char digits[] = "0123456789abcdef";
	struct memo_key k = {.len = 0};
	const char *hit;
	size_t hit_len = 0;
	uint64_t h = 0;

	if (hex_chars >= TLSD_MD5_HEX_LEN)
		return -EIO;
	key_u16(&k, (uint16_t)('D' << 8 | which));
	key_u16(&k, (uint16_t)hex_chars);
	key_put(&k, in, len);
	hit = memo_find(&k, &h, &hit_len);
	if (hit && hit_len == hex_chars + 1) {
		memcpy(hex, hit, hit_len);
		return 0;
	}
	if (!EVP_Digest(in, len, d, &dlen, digest(which), NULL) || dlen * 2 < hex_chars)
		return -EIO;
	for (size_t i = 0; i < hex_chars; i++)
		hex[i] = digits[(d[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	hex[hex_chars] = 0;
	memo_store(&k, h, hex, hex_chars + 1);
	return 0;
}

static int finish_md5(struct sb *s, char *str, char md5_hex[TLSD_MD5_HEX_LEN])
{
	char hex[TLSD_MD5_HEX_LEN];

	if (s->overflow) {
		if (s->cap)
			str[0] = 0;
		return -ENOSPC;
	}
	TLSD_TRY(digest_hex(0, str, s->len, hex, TLSD_MD5_HEX_LEN - 1));
	memcpy(md5_hex, hex, sizeof(hex));
	return 0;
}

int tlsd_fp_ja3(const struct tlsd_client_hello *ch, char *str, size_t str_len,
		char md5_hex[TLSD_MD5_HEX_LEN])
{
	struct sb s;
	uint16_t pf[TLSD_MAX_POINT_FORMATS];
	struct memo_key k = {.len = 0};
	char val[MEMO_DATA];
	const char *hit;
	size_t hit_len = 0;
	uint64_t h = 0;

	for (size_t i = 0; i < ch->n_point_formats; i++)
		pf[i] = ch->point_formats[i];
	/* Remembered as the MD5, then the string with its NUL. */
	key_u16(&k, (uint16_t)('J' << 8 | '3'));
	key_u16(&k, ch->legacy_version);
	key_list(&k, ch->suites, ch->n_suites);
	key_list(&k, ch->exts, ch->n_exts);
	key_list(&k, ch->groups, ch->n_groups);
	key_list(&k, pf, ch->n_point_formats);
	hit = memo_find(&k, &h, &hit_len);
	if (hit && hit_len > TLSD_MD5_HEX_LEN && hit_len - TLSD_MD5_HEX_LEN <= str_len) {
		memcpy(md5_hex, hit, TLSD_MD5_HEX_LEN);
		memcpy(str, hit + TLSD_MD5_HEX_LEN, hit_len - TLSD_MD5_HEX_LEN);
		return 0;
	}
	sb_init(&s, str, str_len);
	sb_u16(&s, ch->legacy_version, false);
	sb_put(&s, ",", 1);
	sb_list(&s, ch->suites, ch->n_suites, false, '-');
	sb_put(&s, ",", 1);
	sb_list(&s, ch->exts, ch->n_exts, false, '-');
	sb_put(&s, ",", 1);
	sb_list(&s, ch->groups, ch->n_groups, false, '-');
	sb_put(&s, ",", 1);
	sb_list(&s, pf, ch->n_point_formats, false, '-');
	TLSD_TRY(finish_md5(&s, str, md5_hex));
	if (s.len + 1 <= sizeof(val) - TLSD_MD5_HEX_LEN) {
		memcpy(val, md5_hex, TLSD_MD5_HEX_LEN);
		memcpy(val + TLSD_MD5_HEX_LEN, str, s.len + 1);
		memo_store(&k, h, val, TLSD_MD5_HEX_LEN + s.len + 1);
	}
	return 0;
}

int tlsd_fp_ja3s(const struct tlsd_server_hello *sh, char *str, size_t str_len,
		 char md5_hex[TLSD_MD5_HEX_LEN])
{
	struct sb s;

	sb_init(&s, str, str_len);
	sb_u16(&s, sh->legacy_version, false);
	sb_put(&s, ",", 1);
	sb_u16(&s, sh->suite, false);
	sb_put(&s, ",", 1);
	sb_list(&s, sh->exts, sh->n_exts, false, '-');
	return finish_md5(&s, str, md5_hex);
}

/* JA4 two-character version. */
static const char *ja4_version(uint16_t v)
{
	switch (v) {
	case TLSD_VERSION_TLS13:
		return "13";
	case TLSD_VERSION_TLS12:
		return "12";
	case TLSD_VERSION_TLS11:
		return "11";
	case TLSD_VERSION_TLS10:
		return "10";
	case TLSD_VERSION_SSL3:
		return "s3";
	case TLSD_VERSION_SSL2:
		return "s2";
	case 0xfeff:
		return "d1";
	case 0xfefd:
		return "d2";
	case 0xfefc:
		return "d3";
	default:
		return "00";
	}
}

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* First and last character of the first ALPN value (JA4 "ALPN Extension
 * Value"): "00" when none; hex digits when either end is not alphanumeric. */
static void ja4_alpn(const struct tlsd_strlist *l, char out[3])
{
	static const char digits[] = "0123456789abcdef";
	size_t pos = 0, len;
	const uint8_t *v;

	out[0] = out[1] = '0';
	out[2] = 0;
	if (!tlsd_strlist_next(l, &pos, &v, &len) || len == 0)
		return;
	uint8_t a = v[0], z = v[len - 1];

	if (is_alnum(a) && is_alnum(z)) {
		out[0] = (char)a;
		out[1] = (char)z;
	} else {
		out[0] = digits[a >> 4];
		out[1] = digits[z & 0xf];
	}
}

/* Insertion sort: the lists are short (TLSD_MAX_SUITES at most) and qsort's
 * merge sort with its indirect compare cost more than building the rest of
 * the fingerprint. */
static void sort_u16(uint16_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint16_t x = v[i];
		size_t j = i;

		while (j > 0 && v[j - 1] > x) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/* Copies the non-GREASE values (optionally without SNI/ALPN), sorted. */
static size_t sorted_copy(const uint16_t *v, size_t n, uint16_t *out, bool drop_sni_alpn)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (tlsd_is_grease(v[i]) || (drop_sni_alpn && (v[i] == EXT_SNI || v[i] == EXT_ALPN)))
			continue;
		out[k++] = v[i];
	}
	sort_u16(out, k);
	return k;
}

static size_t count_non_grease(const uint16_t *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += !tlsd_is_grease(v[i]);
	return k;
}

/* n <= 99 as two decimal digits ("%02zu"). */
static void put2(char *p, size_t n)
{
	p[0] = (char)('0' + n / 10);
	p[1] = (char)('0' + n % 10);
}

/* 12 hex chars of SHA-256 over a built string, or "000000000000" when empty. */
static int ja4_hash(const struct sb *s, bool empty, char out[JA4_HASH_LEN + 1])
{
	if (s->overflow)
		return -EIO;
	if (empty) {
		memset(out, '0', JA4_HASH_LEN);
		out[JA4_HASH_LEN] = 0;
		return 0;
	}
	return digest_hex(1, s->p, s->len, out, JA4_HASH_LEN);
}

/* Long enough for the kept lists as 4-hex-digit values with separators. */
#define JA4_RAW_MAX ((TLSD_MAX_SUITES + TLSD_MAX_EXTS + TLSD_MAX_SIGALGS) * 5 + 8)

int tlsd_fp_ja4(const struct tlsd_client_hello *ch, char transport, char out[TLSD_JA4_LEN])
{
	char raw[JA4_RAW_MAX], hb[JA4_HASH_LEN + 1], hc[JA4_HASH_LEN + 1], alpn[3];
	uint16_t sorted[TLSD_MAX_SUITES > TLSD_MAX_EXTS ? TLSD_MAX_SUITES : TLSD_MAX_EXTS] = {0};
	uint16_t version = ch->sslv2 ? TLSD_VERSION_SSL2 : ch->legacy_version;
	size_t n_ciphers, n_exts, k, hit_len = 0;
	struct memo_key mk = {.len = 0};
	const char *hit;
	uint64_t h = 0;
	struct sb s;

	if (ch->has_supported_versions) {
		uint16_t best = 0;

		for (size_t i = 0; i < ch->n_versions; i++)
			if (!tlsd_is_grease(ch->versions[i]) &&
			    (!best || tlsd_version_tls_equiv(ch->versions[i]) >
					      tlsd_version_tls_equiv(best)))
				best = ch->versions[i];
		if (best)
			version = best;
	}
	ja4_alpn(&ch->alpn, alpn);
	/* Remembered as the whole fingerprint; the transport is put in after. */
	key_u16(&mk, (uint16_t)('J' << 8 | '4'));
	key_u16(&mk, version);
	key_u16(&mk, ch->has_sni);
	key_put(&mk, alpn, 2);
	key_list(&mk, ch->suites, ch->n_suites);
	key_list(&mk, ch->exts, ch->n_exts);
	key_list(&mk, ch->sigalgs, ch->n_sigalgs);
	hit = memo_find(&mk, &h, &hit_len);
	if (hit && hit_len == TLSD_JA4_LEN) {
		memcpy(out, hit, TLSD_JA4_LEN);
		out[0] = transport;
		return 0;
	}
	n_ciphers = TLSD_MIN(count_non_grease(ch->suites, ch->n_suites), (size_t)99);
	n_exts = TLSD_MIN(count_non_grease(ch->exts, ch->n_exts), (size_t)99);

	k = sorted_copy(ch->suites, ch->n_suites, sorted, false);
	sb_init(&s, raw, sizeof(raw));
	sb_list(&s, sorted, k, true, ',');
	TLSD_TRY(ja4_hash(&s, k == 0, hb));

	k = sorted_copy(ch->exts, ch->n_exts, sorted, true);
	sb_init(&s, raw, sizeof(raw));
	sb_list(&s, sorted, k, true, ',');
	if (count_non_grease(ch->sigalgs, ch->n_sigalgs)) {
		sb_put(&s, "_", 1);
		sb_list(&s, ch->sigalgs, ch->n_sigalgs, true, ',');
	}
	TLSD_TRY(ja4_hash(&s, k == 0, hc));

	/* snprintf("%c%s%c%02zu%02zu%s_%s_%s") by hand: every part has a fixed width. */
	out[0] = transport;
	memcpy(out + 1, ja4_version(version), 2);
	out[3] = ch->has_sni ? 'd' : 'i';
	put2(out + 4, n_ciphers);
	put2(out + 6, n_exts);
	memcpy(out + 8, alpn, 2);
	out[10] = '_';
	memcpy(out + 11, hb, JA4_HASH_LEN);
	out[23] = '_';
	memcpy(out + 24, hc, JA4_HASH_LEN + 1);
	memo_store(&mk, h, out, TLSD_JA4_LEN);
	return 0;
}

int tlsd_fp_ja4s(const struct tlsd_server_hello *sh, char transport, char out[TLSD_JA4S_LEN])
{
	char raw[TLSD_MAX_EXTS * 5 + 8], hc[JA4_HASH_LEN + 1], alpn[3];
	struct sb s;

	ja4_alpn(&sh->alpn, alpn);
	sb_init(&s, raw, sizeof(raw));
	sb_list(&s, sh->exts, sh->n_exts, true, ',');
	TLSD_TRY(ja4_hash(&s, count_non_grease(sh->exts, sh->n_exts) == 0, hc));
	/* snprintf("%c%s%02zu%s_%04x_%s") by hand. */
	out[0] = transport;
	memcpy(out + 1, ja4_version(tlsd_server_hello_version(sh)), 2);
	put2(out + 3, TLSD_MIN(count_non_grease(sh->exts, sh->n_exts), (size_t)99));
	memcpy(out + 5, alpn, 2);
	out[7] = '_';
	put_hex4(out + 8, sh->suite);
	out[12] = '_';
	memcpy(out + 13, hc, JA4_HASH_LEN + 1);
	return 0;
}
