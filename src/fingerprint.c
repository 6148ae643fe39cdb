/* JA3/JA3S (MD5) and JA4/JA4S (SHA-256, truncated) from parsed hellos. */
#include "tlsd/fingerprint.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
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

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sb *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->p + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= s->cap - s->len) {
		s->overflow = true;
		return;
	}
	s->len += (size_t)n;
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

static void sb_u16(struct sb *s, uint16_t v, bool hex)
{
	static const char digits[] = "0123456789abcdef";
	char buf[5];
	size_t n = 0;

	if (hex) {
		for (int shift = 12; shift >= 0; shift -= 4)
			buf[n++] = digits[(v >> shift) & 0xf];
	} else {
		char rev[5];
		size_t k = 0;

		do {
			rev[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (k)
			buf[n++] = rev[--k];
	}
	sb_put(s, buf, n);
}

/* Appends values joined by sep, GREASE left out: decimal (JA3) or
 * 4-digit lower-case hex (JA4). */
static void sb_list(struct sb *s, const uint16_t *v, size_t n, bool hex, char sep)
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		if (tlsd_is_grease(v[i]))
			continue;
		if (!first)
			sb_put(s, &sep, 1);
		sb_u16(s, v[i], hex);
		first = false;
	}
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

static int digest_hex(const EVP_MD *md, const char *in, size_t len, char *hex, size_t hex_chars)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	static const char digits[] = "0123456789abcdef";

	if (!EVP_Digest(in, len, d, &dlen, md, NULL) || dlen * 2 < hex_chars)
		return -EIO;
	for (size_t i = 0; i < hex_chars; i++)
		hex[i] = digits[(d[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	hex[hex_chars] = 0;
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
	TLSD_TRY(digest_hex(digest(0), str, s->len, hex, TLSD_MD5_HEX_LEN - 1));
	memcpy(md5_hex, hex, sizeof(hex));
	return 0;
}

int tlsd_fp_ja3(const struct tlsd_client_hello *ch, char *str, size_t str_len,
		char md5_hex[TLSD_MD5_HEX_LEN])
{
	struct sb s;
	uint16_t pf[TLSD_MAX_POINT_FORMATS];

	for (size_t i = 0; i < ch->n_point_formats; i++)
		pf[i] = ch->point_formats[i];
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
	return finish_md5(&s, str, md5_hex);
}

int tlsd_fp_ja3s(const struct tlsd_server_hello *sh, char *str, size_t str_len,
		 char md5_hex[TLSD_MD5_HEX_LEN])
{
	struct sb s;

	sb_init(&s, str, str_len);
	sb_printf(&s, "%u,%u,", (unsigned)sh->legacy_version, (unsigned)sh->suite);
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
	return digest_hex(digest(1), s->p, s->len, out, JA4_HASH_LEN);
}

/* Long enough for the kept lists as 4-hex-digit values with separators. */
#define JA4_RAW_MAX ((TLSD_MAX_SUITES + TLSD_MAX_EXTS + TLSD_MAX_SIGALGS) * 5 + 8)

int tlsd_fp_ja4(const struct tlsd_client_hello *ch, char transport, char out[TLSD_JA4_LEN])
{
	char raw[JA4_RAW_MAX], hb[JA4_HASH_LEN + 1], hc[JA4_HASH_LEN + 1], alpn[3];
	uint16_t sorted[TLSD_MAX_SUITES > TLSD_MAX_EXTS ? TLSD_MAX_SUITES : TLSD_MAX_EXTS] = {0};
	uint16_t version = ch->sslv2 ? TLSD_VERSION_SSL2 : ch->legacy_version;
	size_t n_ciphers, n_exts, k;
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
	n_ciphers = TLSD_MIN(count_non_grease(ch->suites, ch->n_suites), (size_t)99);
	n_exts = TLSD_MIN(count_non_grease(ch->exts, ch->n_exts), (size_t)99);
	ja4_alpn(&ch->alpn, alpn);

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

	snprintf(out, TLSD_JA4_LEN, "%c%s%c%02zu%02zu%s_%s_%s", transport, ja4_version(version),
		 ch->has_sni ? 'd' : 'i', n_ciphers, n_exts, alpn, hb, hc);
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
	snprintf(out, TLSD_JA4S_LEN, "%c%s%02zu%s_%04x_%s", transport,
		 ja4_version(tlsd_server_hello_version(sh)),
		 TLSD_MIN(count_non_grease(sh->exts, sh->n_exts), (size_t)99), alpn,
		 (unsigned)sh->suite, hc);
	return 0;
}
