/* Certificate and ServerKeyExchange checks on OpenSSL 3 libcrypto: parsing,
 * host names, verification at the capture's time, and the findings of the
 * catalog. Nothing here reads ASN.1 by hand; raw bytes that reach a report
 * are escaped first. */
#include "tlsd/cert.h"
#include "tlsd/hash.h"
#include "tlsd/tls_handshake.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define MAX_BUILT (TLSD_CERT_MAX_CHAIN + 2) /* verified chain: sent + store certificates */
#define MAX_CACHE_ENTRIES (1u << 20)
#define SECONDS_PER_DAY INT64_C(86400)
/* Signature-check set-ups kept per store (struct sig_tmpl), and no more
 * than the certificate cache holds: one is found by its certificate's id,
 * which only a cached certificate has. One holds under 1 KB (measured with
 * OpenSSL 3.0: 0.7 KB for RSA-2048 and SHA-256, 0.9 KB for P-256) and keeps
 * its key alive after the certificate's entry is evicted: about 1 MB per
 * store at most. */
#define SIG_TMPLS 256u

static const char *const code_names[] = {
#define CODE_NAME(e, s) [TLSD_CERT_##e] = s,
	TLSD_CERT_CODES(CODE_NAME)
#undef CODE_NAME
};

const char *tlsd_cert_code_name(enum tlsd_cert_code c)
{
	if ((unsigned)c >= TLSD_ARRAY_SIZE(code_names))
		return "unknown";
	return code_names[c];
}

/* ---- escaping and small formatting helpers ---------------------------- */

/* Printable ASCII stays; everything else becomes \xNN. keep_backslash is for
 * RFC 2253 strings, where libcrypto already escaped the backslash. */
static bool escape_bytes(char *dst, size_t dstlen, const uint8_t *src, size_t n,
			 bool keep_backslash)
{
	static const char hex[] = "0123456789abcdef";
	struct tlsd_cur c;
	size_t o = 0;
	uint8_t b;

	if (dstlen == 0)
		return n == 0;
	tlsd_cur_init(&c, src, n);
	while (tlsd_cur_peek_u8(&c, &b)) {
		bool plain = b >= 0x20 && b <= 0x7e && (b != '\\' || keep_backslash);
		size_t need = plain ? 1 : 4;

		if (o + need >= dstlen)
			break;
		if (plain) {
			dst[o++] = (char)b;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[b >> 4];
			dst[o++] = hex[b & 15];
		}
		if (!tlsd_cur_skip(&c, 1))
			break;
	}
	dst[o] = '\0';
	return tlsd_cur_len(&c) == 0;
}

bool tlsd_cert_escape(char *dst, size_t dstlen, const uint8_t *src, size_t n)
{
	return escape_bytes(dst, dstlen, src, n, false);
}

/* Bounded copy of a C string. */
static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* snprintf for text that may be cut short on purpose (bounded reports). */
__attribute__((format(printf, 3, 4))) static void bprintf(char *buf, size_t len, const char *fmt,
							   ...)
{
	va_list ap;

	if (len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Appends to a NUL-terminated buffer, cutting at its end. */
__attribute__((format(printf, 3, 4))) static void append(char *buf, size_t len, const char *fmt,
							  ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

void tlsd_cert_format_time(char *buf, size_t len, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (len == 0)
		return;
	if ((int64_t)tt != t || !gmtime_r(&tt, &tm) || tm.tm_year > 9999 - 1900 ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		copy_str(buf, len, "?");
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return false;
	*out = days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) *
		       SECONDS_PER_DAY +
	       (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 + tm.tm_sec;
	return true;
}

/* The first libcrypto error in words, and an empty queue afterwards. */
static void crypto_error(char *buf, size_t len)
{
	unsigned long e = ERR_peek_error();

	if (e)
		ERR_error_string_n(e, buf, len);
	else
		copy_str(buf, len, "no libcrypto error");
	ERR_clear_error();
}

/* ---- bounded FIFO cache with exact keys ---------------------------------- */

/* Keys are compared byte for byte (a certificate's DER, a chain's
 * certificate ids): the keyed hash only picks the bucket, so a collision,
 * found or made, costs a comparison and never returns another entry. */
struct cache_entry {
	uint64_t h;               /* keyed hash of the key */
	struct cache_entry *next; /* bucket chain */
	void *val;
	size_t weight;            /* estimated bytes held by val and the key */
	size_t key_len;
	uint8_t key[];
};

struct cache {
	struct cache_entry **buckets;
	size_t nbuckets;           /* power of two */
	struct cache_entry **ring; /* insertion order; the oldest at head */
	size_t cap, head, count;
	size_t weight, max_weight; /* estimated bytes held; 0: no byte limit */
	void (*free_val)(void *);
	uint64_t hkey[4];
	uint64_t hits, misses, evictions;
};

static int cache_init(struct cache *c, size_t cap, size_t max_weight, void (*free_val)(void *))
{
	*c = (struct cache){.free_val = free_val, .max_weight = max_weight};
	if (cap == 0)
		return 0;
	if (cap > MAX_CACHE_ENTRIES)
		cap = MAX_CACHE_ENTRIES;
	c->nbuckets = 16;
	while (c->nbuckets < 2 * cap)
		c->nbuckets *= 2;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	c->ring = calloc(cap, sizeof(*c->ring));
	if (!c->buckets || !c->ring) {
		free(c->buckets);
		free(c->ring);
		*c = (struct cache){0};
		return -ENOMEM;
	}
	c->cap = cap;
	c->max_weight = max_weight;
	tlsd_hash_random_key(c->hkey);
	return 0;
}

static void cache_cleanup(struct cache *c)
{
	for (size_t i = 0; i < c->count; i++) {
		struct cache_entry *e = c->ring[(c->head + i) % c->cap];

		c->free_val(e->val);
		free(e);
	}
	free(c->buckets);
	free(c->ring);
	*c = (struct cache){0};
}

static uint64_t cache_hash(const struct cache *c, const struct tlsd_cur *key)
{
	return tlsd_hash_bytes64(c->hkey, tlsd_cur_data(key), tlsd_cur_len(key));
}

static struct cache_entry **cache_bucket(const struct cache *c, uint64_t h)
{
	return &c->buckets[h & (c->nbuckets - 1)];
}

static void *cache_get(struct cache *c, const struct tlsd_cur *key, uint64_t h)
{
	if (c->cap == 0) {
		c->misses++;
		return NULL;
	}
	for (struct cache_entry *e = *cache_bucket(c, h); e; e = e->next) {
		if (e->h == h && e->key_len == tlsd_cur_len(key) &&
		    memcmp(e->key, tlsd_cur_data(key), e->key_len) == 0) {
			c->hits++;
			return e->val;
		}
	}
	c->misses++;
	return NULL;
}

static void cache_evict_oldest(struct cache *c)
{
	struct cache_entry *e = c->ring[c->head], **pp;

	for (pp = cache_bucket(c, e->h); *pp != e; pp = &(*pp)->next)
		;
	*pp = e->next;
	c->free_val(e->val);
	c->weight -= e->weight;
	free(e);
	c->head = (c->head + 1) % c->cap;
	c->count--;
	c->evictions++;
}

/* Takes ownership of val on success (true); on false the caller keeps it.
 * The key is copied. Evicts the oldest entries until both the count and
 * the byte limit hold. */
static bool cache_put(struct cache *c, const struct tlsd_cur *key, uint64_t h, void *val,
		      size_t weight)
{
	struct cache_entry *e, **pp;
	size_t klen = tlsd_cur_len(key);

	weight += klen;
	if (c->cap == 0 || (c->max_weight && weight > c->max_weight))
		return false;
	while (c->count == c->cap || (c->max_weight && c->weight + weight > c->max_weight))
		cache_evict_oldest(c);
	e = malloc(sizeof(*e) + klen);
	if (!e)
		return false;
	e->h = h;
	e->key_len = klen;
	if (klen)
		memcpy(e->key, tlsd_cur_data(key), klen);
	e->val = val;
	e->weight = weight;
	c->weight += weight;
	pp = cache_bucket(c, h);
	e->next = *pp;
	*pp = e;
	c->ring[(c->head + c->count) % c->cap] = e;
	c->count++;
	return true;
}

/* ---- the store ----------------------------------------------------------- */

struct cert_val {
	X509 *x; /* NULL: the DER does not parse */
	uint64_t id; /* unique per store while cached (verdict keys); 0: not cached */
	int key_id;  /* EVP_PKEY_get_base_id of the key, EVP_PKEY_NONE without one: asked at
		      * every signature check, and libcrypto looks it up in its tables */
	struct tlsd_cert_info info;
	char err[128];
};

/* A verified (or partly built) chain, independent of SNI and exact time. */
struct built_cert {
	int sent_idx; /* position in the chain sent; -1: from the trust store */
	bool times_valid;
	int64_t not_before, not_after;
	char subject[TLSD_CERT_NAME_LEN];
};

struct verdict {
	bool verified;
	int err, depth;
	char err_subject[TLSD_CERT_NAME_LEN], err_issuer[TLSD_CERT_NAME_LEN];
	uint8_t n_built;
	struct built_cert built[MAX_BUILT];
};

/* The time stage of one chain's checks (check_times), kept apart from the
 * rest so that an answer can be reused at another capture second: the
 * certificates whose dates are judged, in the order they are judged, and
 * where the time findings go among the others. */
struct timing {
	int64_t quiet_from, quiet_to; /* capture seconds at which no time finding applies */
	uint8_t n_pre;                /* findings made before the time stage */
	uint32_t dropped_pre;         /* ... and dropped (over TLSD_CERT_MAX_FINDINGS) */
	uint8_t n_checks;
	struct built_cert checks[MAX_BUILT + 1]; /* the leaf when not built first, then the built chain */
};

/* A cached chain answer (tlsd_cert_check_chain_shared). */
struct chain_val {
	const struct tlsd_chain_findings *base;  /* the answer without time findings (a reference) */
	const struct tlsd_chain_findings *timed; /* the answer at timed_at, or NULL (a reference) */
	int64_t timed_at;
	struct timing tm;                        /* allocated up to tm.checks[tm.n_checks] */
};

/* A ServerKeyExchange check's set-up for one certificate and signature
 * scheme (tlsd_cert_verify_ske), made once per store: EVP_DigestVerifyInit
 * fetches the signature method, the key's provider form and the digest by
 * name at every call. */
struct sig_tmpl {
	EVP_MD_CTX *m;   /* DigestVerifyInit done: copied for each check */
	EVP_PKEY_CTX *p; /* TLS 1.0/1.1 RSA: verify set up, used as is (EVP_PKEY_verify may be
			  * called again on the same context) */
};

static void free_sig_tmpl(void *p)
{
	struct sig_tmpl *t = p;

	if (!t)
		return;
	EVP_MD_CTX_free(t->m);
	EVP_PKEY_CTX_free(t->p);
	free(t);
}

/* ---- shared answers ------------------------------------------------------- */

/* An answer of tlsd_cert_check_chain_shared sits right after its header,
 * allocated up to certs[n_certs]: findings[] whole (it comes first), certs[]
 * as far as used, not the 44 KB of a full struct. */
union answer_hdr {
	uint32_t refs;
	max_align_t align; /* the answer after it stays aligned */
};

static size_t answer_size(uint32_t n_certs)
{
	return offsetof(struct tlsd_chain_findings, certs) +
	       (size_t)n_certs * sizeof(struct tlsd_cert_info);
}

static union answer_hdr *answer_hdr(const struct tlsd_chain_findings *f)
{
	return (union answer_hdr *)((uintptr_t)f - sizeof(union answer_hdr));
}

/* A new answer for n_certs certificates, one reference held, contents unset. */
static struct tlsd_chain_findings *answer_new(uint32_t n_certs)
{
	union answer_hdr *h = malloc(sizeof(*h) + answer_size(n_certs));

	if (!h)
		return NULL;
	h->refs = 1;
	return (struct tlsd_chain_findings *)(h + 1);
}

static const struct tlsd_chain_findings *answer_ref(const struct tlsd_chain_findings *f)
{
	answer_hdr(f)->refs++;
	return f;
}

void tlsd_cert_findings_release(const struct tlsd_chain_findings *f)
{
	union answer_hdr *h;

	if (!f)
		return;
	h = answer_hdr(f);
	if (--h->refs == 0)
		free(h);
}

/* Copies what f holds (its header and the certificates and findings it
 * counts) to out: not the whole 44 KB struct, most of which is unused. */
static void copy_findings(struct tlsd_chain_findings *out, const struct tlsd_chain_findings *f)
{
	memcpy(out, f, offsetof(struct tlsd_chain_findings, findings));
	memcpy(out->findings, f->findings, f->n_findings * sizeof(f->findings[0]));
	memcpy(out->certs, f->certs, f->n_certs * sizeof(f->certs[0]));
}

/* A shared copy of f (the store's scratch answer); NULL on OOM. */
static const struct tlsd_chain_findings *answer_copy(const struct tlsd_chain_findings *f)
{
	struct tlsd_chain_findings *a = answer_new(f->n_certs);

	if (a)
		copy_findings(a, f);
	return a;
}

static size_t chain_val_size(uint8_t n_checks)
{
	return offsetof(struct chain_val, tm.checks) + (size_t)n_checks * sizeof(struct built_cert);
}

static void free_chain_val(void *p)
{
	struct chain_val *v = p;

	if (!v)
		return;
	tlsd_cert_findings_release(v->base);
	tlsd_cert_findings_release(v->timed);
	free(v);
}

/* How the system trust store is read (tlsd_cert_store_new). */
enum system_store {
	SYSTEM_STORE_NONE = 0, /* --ca-file / --ca-path only */
	SYSTEM_STORE_HASH_DIR, /* OpenSSL's hashed certificate directory: a CA is read when a
				* chain names it */
	SYSTEM_STORE_LAZY,     /* X509_STORE_set_default_paths at the first chain */
};

struct tlsd_cert_store {
	X509_STORE *store;
	enum system_store system; /* what ensure_store() still has to do */
	bool clear_errors;        /* libcrypto's error queue, at first use (startup_errors) */
	EVP_MD *sha256; /* fetched once, at the first certificate: implicit fetches cost a
			 * lock each, and the first fetch of all builds OpenSSL's tables */
	char desc[160]; /* "the system trust store" or the CA file/dir, for evidence */
	uint32_t max_chain;
	struct cache certs, verdicts, chains;
	struct cache sigs; /* struct sig_tmpl by certificate id and scheme */
	uint64_t next_cert_id;
	uint64_t chain_timed;
	struct tlsd_chain_findings *scratch; /* answers are built here, copied out on success */
	struct timing *scratch_timing;       /* ... with their time stage */
	struct verdict *scratch_verdict;     /* a verdict that is not cached */
	uint8_t *key; /* chain-answer keys are built here (TLSD_CERT_CHAIN_KEY_MAX, at the first chain) */
};

/* What a cached certificate costs: a parsed X509 takes about 7 times its DER
 * (measured with OpenSSL 3.0: 878 B of DER hold 6.9 KB), plus our copy. */
static size_t cert_weight(size_t der_len)
{
	return 8 * der_len + sizeof(struct cert_val);
}

static void free_cert_val(void *p)
{
	struct cert_val *v = p;

	if (v)
		X509_free(v->x);
	free(v);
}

void tlsd_cert_opts_default(struct tlsd_cert_opts *o)
{
	*o = (struct tlsd_cert_opts){
		.max_chain = TLSD_CERT_MAX_CHAIN,
		.cache_certs = TLSD_CERT_CACHE_CERTS,
		.cache_verdicts = TLSD_CERT_CACHE_VERDICTS,
		.cache_bytes = TLSD_CERT_CACHE_BYTES,
		.cache_chains = TLSD_CERT_CACHE_CHAINS,
		.cache_chain_bytes = TLSD_CERT_CACHE_CHAIN_BYTES,
	};
}

void tlsd_cert_store_free(struct tlsd_cert_store *s)
{
	if (!s)
		return;
	cache_cleanup(&s->certs);
	cache_cleanup(&s->verdicts);
	cache_cleanup(&s->chains);
	cache_cleanup(&s->sigs);
	X509_STORE_free(s->store);
	EVP_MD_free(s->sha256);
	free(s->scratch);
	free(s->scratch_timing);
	free(s->scratch_verdict);
	free(s->key);
	free(s);
}

static void set_err(char *err, size_t errlen, const char *what, const char *arg)
{
	char why[160];

	crypto_error(why, sizeof(why));
	if (err && errlen)
		snprintf(err, errlen, "%s%s: %s", what, arg ? arg : "", why);
}

/* Whether dir holds c_rehash'ed names ("5ad8a5d6.0"): then OpenSSL's
 * hash-directory lookup finds every CA of the directory by its subject. */
static bool has_hash_links(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		const char *n = e->d_name;
		size_t i = 0;

		while (i < 8 && ((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f')))
			i++;
		found = i == 8 && n[8] == '.' && n[9] >= '0' && n[9] <= '9';
	}
	closedir(d);
	return found;
}

/* Whether the CA file that X509_STORE_set_default_paths would load is the
 * system's own bundle: OpenSSL's default file (SSL_CERT_FILE, when set,
 * naming that same file). */
static bool default_file_is_system_bundle(void)
{
	const char *env = getenv(X509_get_default_cert_file_env());
	char a[PATH_MAX], b[PATH_MAX];

	if (!env || !*env)
		return true;
	return realpath(env, a) && realpath(X509_get_default_cert_file(), b) && strcmp(a, b) == 0;
}

/* The system store without its cost at startup: parsing the CA bundle
 * (OpenSSL's default file, 140-odd roots on Debian) takes about 25 ms.
 * OpenSSL's default directory holds the same CAs one per file under hashed
 * names (update-ca-certificates and c_rehash write both), and its lookup
 * reads only the CAs a chain names, when it names them: that is what is
 * used, as with --ca-path. When SSL_CERT_FILE names another file, or the
 * directory is not hashed, X509_STORE_set_default_paths runs at the first
 * chain instead (ensure_store). */
static int use_system_store(struct tlsd_cert_store *s)
{
	const char *dir = getenv(X509_get_default_cert_dir_env());
	X509_LOOKUP *lu;

	if (!dir || !*dir)
		dir = X509_get_default_cert_dir();
	if (!default_file_is_system_bundle() || strchr(dir, ':') || !has_hash_links(dir)) {
		s->system = SYSTEM_STORE_LAZY;
		return 0;
	}
	lu = X509_STORE_add_lookup(s->store, X509_LOOKUP_hash_dir());
	if (!lu || X509_LOOKUP_add_dir(lu, dir, X509_FILETYPE_PEM) != 1)
		return -1;
	s->system = SYSTEM_STORE_HASH_DIR;
	return 0;
}

/* Loads what use_system_store() deferred, before the store is first asked. */
/* Whatever building the store left in libcrypto's error queue is dropped
 * when the store is first used, not at startup: the first call into the
 * queue loads all of libcrypto's error strings (about 0.9 M instructions),
 * which a capture without certificates never needs. */
static void startup_errors(struct tlsd_cert_store *s)
{
	if (s && s->clear_errors) {
		s->clear_errors = false;
		ERR_clear_error();
	}
}

static void ensure_store(struct tlsd_cert_store *s)
{
	startup_errors(s);
	if (s->system != SYSTEM_STORE_LAZY)
		return;
	s->system = SYSTEM_STORE_NONE;
	/* Fails only without memory: the chains then do not verify. */
	if (X509_STORE_set_default_paths(s->store) != 1)
		ERR_clear_error();
}

struct tlsd_cert_store *tlsd_cert_store_new(const struct tlsd_cert_opts *opts, char *err,
					    size_t errlen)
{
	struct tlsd_cert_opts def;
	struct tlsd_cert_store *s;

	if (!opts) {
		tlsd_cert_opts_default(&def);
		opts = &def;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		set_err(err, errlen, "out of memory", NULL);
		return NULL;
	}
	s->max_chain = opts->max_chain == 0 ? TLSD_CERT_MAX_CHAIN
					    : TLSD_MIN(opts->max_chain, TLSD_CERT_MAX_CHAIN);
	s->store = X509_STORE_new();
	s->scratch = malloc(sizeof(*s->scratch));
	s->scratch_timing = malloc(sizeof(*s->scratch_timing));
	s->scratch_verdict = malloc(sizeof(*s->scratch_verdict));
	if (!s->store || !s->scratch || !s->scratch_timing || !s->scratch_verdict ||
	    cache_init(&s->certs, opts->cache_certs, opts->cache_bytes, free_cert_val) < 0 ||
	    cache_init(&s->verdicts, opts->cache_verdicts, 0, free) < 0 ||
	    cache_init(&s->chains, opts->cache_chains, opts->cache_chain_bytes, free_chain_val) < 0 ||
	    cache_init(&s->sigs, TLSD_MIN(opts->cache_certs, SIG_TMPLS), 0, free_sig_tmpl) < 0) {
		set_err(err, errlen, "out of memory", NULL);
		goto fail;
	}
	if (!opts->ca_file && !opts->ca_path) {
		if (use_system_store(s) < 0) {
			set_err(err, errlen, "cannot use the system trust store", NULL);
			goto fail;
		}
		copy_str(s->desc, sizeof(s->desc), "the system trust store");
	}
	if (opts->ca_file) {
		if (X509_STORE_load_file(s->store, opts->ca_file) != 1) {
			set_err(err, errlen, "cannot load CA certificates from ", opts->ca_file);
			goto fail;
		}
		snprintf(s->desc, sizeof(s->desc), "CA file ");
		escape_bytes(s->desc + strlen(s->desc), sizeof(s->desc) - strlen(s->desc),
			     (const uint8_t *)opts->ca_file, strlen(opts->ca_file), true);
	}
	if (opts->ca_path) {
		if (X509_STORE_load_path(s->store, opts->ca_path) != 1) {
			set_err(err, errlen, "cannot use CA directory ", opts->ca_path);
			goto fail;
		}
		append(s->desc, sizeof(s->desc), "%sCA directory ", opts->ca_file ? " and " : "");
		escape_bytes(s->desc + strlen(s->desc), sizeof(s->desc) - strlen(s->desc),
			     (const uint8_t *)opts->ca_path, strlen(opts->ca_path), true);
	}
	s->clear_errors = true;
	return s;
fail:
	tlsd_cert_store_free(s);
	return NULL;
}

void tlsd_cert_store_stats(const struct tlsd_cert_store *s, struct tlsd_cert_stats *out)
{
	*out = (struct tlsd_cert_stats){0};
	if (!s)
		return;
	out->cert_hits = s->certs.hits;
	out->cert_misses = s->certs.misses;
	out->cert_evictions = s->certs.evictions;
	out->verdict_hits = s->verdicts.hits;
	out->verdict_misses = s->verdicts.misses;
	out->verdict_evictions = s->verdicts.evictions;
	out->chain_hits = s->chains.hits;
	out->chain_misses = s->chains.misses;
	out->chain_evictions = s->chains.evictions;
	out->chain_timed = s->chain_timed;
}

/* ---- one certificate ----------------------------------------------------- */

/* RFC 2253 string of a name: libcrypto backslash-escapes the RFC 2253
 * specials (the backslash included) and leaves control and 8-bit bytes raw,
 * which escape_bytes then writes as \xNN. */
static void name_str(char *dst, size_t len, const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;

	copy_str(dst, len, "?");
	if (!b)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB &
						    ~ASN1_STRFLGS_ESC_CTRL) >= 0 &&
	    (n = BIO_get_mem_data(b, &p)) >= 0)
		escape_bytes(dst, len, (const uint8_t *)p, (size_t)n, true);
	BIO_free(b);
}

bool tlsd_cert_name_text(char *dst, size_t len, const struct tlsd_cur *der)
{
	const unsigned char *p = tlsd_cur_data(der);
	size_t n = tlsd_cur_len(der);
	X509_NAME *name;
	bool ok;

	if (len == 0 || n == 0 || n > TLSD_CERT_MAX_DER)
		return false;
	name = d2i_X509_NAME(NULL, &p, (long)n);
	/* One whole Name and nothing after it: anything else is not the
	 * DistinguishedName the peer claims to send. */
	ok = name && p == tlsd_cur_data(der) + n;
	if (ok)
		name_str(dst, len, name);
	X509_NAME_free(name);
	ERR_clear_error();
	return ok;
}

static void key_info(X509 *x, struct tlsd_cert_info *info)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	const char *t;

	copy_str(info->key_type, sizeof(info->key_type), "unknown");
	if (!pk)
		return;
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA: t = "RSA"; break;
	case EVP_PKEY_RSA_PSS: t = "RSA-PSS"; break;
	case EVP_PKEY_EC: t = "EC"; break;
	case EVP_PKEY_ED25519: t = "Ed25519"; break;
	case EVP_PKEY_ED448: t = "Ed448"; break;
	case EVP_PKEY_DSA: t = "DSA"; break;
	case EVP_PKEY_DH:
	case EVP_PKEY_DHX: t = "DH"; break;
	default: t = EVP_PKEY_get0_type_name(pk); break;
	}
	escape_bytes(info->key_type, sizeof(info->key_type), (const uint8_t *)(t ? t : "unknown"),
		     strlen(t ? t : "unknown"), true);
	info->key_bits = EVP_PKEY_get_bits(pk);
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
	    EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, info->key_group,
					   sizeof(info->key_group), NULL) != 1)
		info->key_group[0] = '\0';
}

static void sig_info(const X509 *x, struct tlsd_cert_info *info)
{
	int nid = X509_get_signature_nid(x);
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	char oid[80];

	if (nid != NID_undef && OBJ_nid2ln(nid)) {
		copy_str(info->sig_alg, sizeof(info->sig_alg), OBJ_nid2ln(nid));
		return;
	}
	X509_get0_signature(NULL, &alg, x);
	if (alg)
		X509_ALGOR_get0(&obj, NULL, NULL, alg);
	if (obj && OBJ_obj2txt(oid, sizeof(oid), obj, 1) > 0)
		escape_bytes(info->sig_alg, sizeof(info->sig_alg), (const uint8_t *)oid,
			     strlen(oid), true);
	else
		copy_str(info->sig_alg, sizeof(info->sig_alg), "unknown");
}

static void san_info(const X509 *x, struct tlsd_cert_info *info)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int n = gens ? sk_GENERAL_NAME_num(gens) : 0;

	for (int i = 0; i < n; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *s;
		int type;

		s = GENERAL_NAME_get0_value(g, &type);
		if (type != GEN_DNS && type != GEN_IPADD)
			continue;
		info->n_san_total++;
		if (type == GEN_DNS) {
			if (info->n_dns >= TLSD_CERT_MAX_DNS) {
				info->san_truncated = true;
				continue;
			}
			if (!escape_bytes(info->dns[info->n_dns], TLSD_CERT_DNS_LEN,
					  ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s),
					  false))
				info->san_truncated = true;
			info->n_dns++;
			continue;
		}
		if (info->n_ips >= TLSD_CERT_MAX_IPS) {
			info->san_truncated = true;
			continue;
		}
		{
			char *dst = info->ips[info->n_ips];
			int len = ASN1_STRING_length(s);
			int af = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;

			if (!af || !inet_ntop(af, ASN1_STRING_get0_data(s), dst, TLSD_CERT_IP_LEN))
				snprintf(dst, TLSD_CERT_IP_LEN, "invalid (%d bytes)", len);
			info->n_ips++;
		}
	}
	GENERAL_NAMES_free(gens);
}

/* An authorityInfoAccess caIssuers entry: publicly issued certificates
 * carry one; many private CAs do not. */
static bool has_ca_issuers(X509 *x)
{
	AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
	bool found = false;

	for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
		const ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);

		found = found || OBJ_obj2nid(ad->method) == NID_ad_ca_issuers;
	}
	AUTHORITY_INFO_ACCESS_free(aia);
	return found;
}

static void fill_info(X509 *x, struct tlsd_cert_info *info)
{
	const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
	BIGNUM *bn = serial ? ASN1_INTEGER_to_BN(serial, NULL) : NULL;
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	info->parsed = true;
	name_str(info->subject, sizeof(info->subject), X509_get_subject_name(x));
	name_str(info->issuer, sizeof(info->issuer), X509_get_issuer_name(x));
	copy_str(info->serial, sizeof(info->serial), hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
	info->times_valid = asn1_time_unix(X509_get0_notBefore(x), &info->not_before) &&
			    asn1_time_unix(X509_get0_notAfter(x), &info->not_after);
	if (!info->times_valid)
		info->not_before = info->not_after = 0;
	key_info(x, info);
	sig_info(x, info);
	san_info(x, info);
	info->self_signed = X509_self_signed(x, 1) == 1;
	info->is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
	info->aia_ca_issuers = has_ca_issuers(x);
	ERR_clear_error();
}

/* Parses one DER certificate (too large, garbage, bytes after it: v->x NULL
 * and v->err says why). NULL on OOM. sha256: the digest to name it by. */
static struct cert_val *parse_cert(const uint8_t *der, size_t len, const EVP_MD *sha256)
{
	struct cert_val *v = calloc(1, sizeof(*v));
	const unsigned char *p = der;
	uint8_t md[32];

	if (!v)
		return NULL;
	if (EVP_Digest(der, len, md, NULL, sha256, NULL) != 1) {
		ERR_clear_error();
		free(v);
		return NULL;
	}
	v->info.der_len = (uint32_t)TLSD_MIN(len, UINT32_MAX);
	for (size_t i = 0; i < 32; i++)
		snprintf(v->info.sha256 + 2 * i, 3, "%02x", md[i]);
	if (len > TLSD_CERT_MAX_DER) {
		v->info.too_large = true;
		snprintf(v->err, sizeof(v->err), "%zu bytes of DER, above the %u-byte cap", len,
			 TLSD_CERT_MAX_DER);
		return v;
	}
	v->x = len ? d2i_X509(NULL, &p, (long)len) : NULL;
	if (!v->x) {
		char why[96];

		crypto_error(why, sizeof(why));
		bprintf(v->err, sizeof(v->err), "%zu bytes that are not a DER certificate (%s)",
			 len, len ? why : "empty");
		return v;
	}
	if ((size_t)(p - der) != len) {
		snprintf(v->err, sizeof(v->err), "%zu bytes after the certificate's DER",
			 len - (size_t)(p - der));
		X509_free(v->x);
		v->x = NULL;
		return v;
	}
	fill_info(v->x, &v->info);
	if (X509_get0_pubkey(v->x))
		v->key_id = EVP_PKEY_get_base_id(X509_get0_pubkey(v->x));
	ERR_clear_error();
	return v;
}

/* SHA-256 for the certificates' fingerprints, fetched at the first one. */
static const EVP_MD *store_sha256(struct tlsd_cert_store *s)
{
	if (s && !s->sha256)
		s->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	return s && s->sha256 ? s->sha256 : EVP_sha256();
}

/* Looks one certificate up in the cache (by its DER bytes), parsing it on a
 * miss: the SHA-256 shown in reports is computed once per certificate, not
 * per connection. Returns the entry, or NULL on OOM; *owned: it is not
 * cached and the caller frees it (free_cert_val). A cached entry stays valid
 * until the next certificate is put in the cache. */
static struct cert_val *find_cert(struct tlsd_cert_store *s, const struct tlsd_cur *der,
				  bool *owned)
{
	struct cert_val *v = NULL;
	uint64_t h = 0;

	*owned = false;
	startup_errors(s);
	if (s) {
		h = cache_hash(&s->certs, der);
		v = cache_get(&s->certs, der, h);
	}
	if (!v) {
		v = parse_cert(tlsd_cur_data(der), tlsd_cur_len(der), store_sha256(s));
		if (!v)
			return NULL;
		v->id = s ? ++s->next_cert_id : 0;
		*owned = !(s && !v->info.too_large &&
			   cache_put(&s->certs, der, h, v, cert_weight(tlsd_cur_len(der))));
		if (*owned)
			v->id = 0;
	}
	return v;
}

/* find_cert for a caller that keeps what it learns: on success *x holds a
 * reference for the caller (NULL when it does not parse), *info a copy, *id
 * the certificate's id (0 when it is not cached), and err the reason when *x
 * is NULL. */
static int load_cert(struct tlsd_cert_store *s, const struct tlsd_cur *der, X509 **x,
		     struct tlsd_cert_info *info, uint64_t *id, char *err, size_t errlen)
{
	bool owned;
	struct cert_val *v = find_cert(s, der, &owned);

	if (!v)
		return -ENOMEM;
	if (v->x && X509_up_ref(v->x) != 1) {
		if (owned)
			free_cert_val(v);
		return -ENOMEM;
	}
	*x = v->x;
	*info = v->info;
	*id = v->id;
	copy_str(err, errlen, v->err);
	if (owned)
		free_cert_val(v);
	return 0;
}

/* ---- verification --------------------------------------------------------- */

struct verify_state {
	struct verdict *v;
	bool have_err;
};

/* Time errors are judged by the caller at the exact capture second, so they
 * do not stop the walk; the first other error does, and is recorded. */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
	struct verify_state *st = X509_STORE_CTX_get_app_data(ctx);
	int e = X509_STORE_CTX_get_error(ctx);
	X509 *cur;

	if (ok)
		return 1;
	if (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID)
		return 1;
	if (st && !st->have_err) {
		st->have_err = true;
		st->v->err = e;
		st->v->depth = X509_STORE_CTX_get_error_depth(ctx);
		cur = X509_STORE_CTX_get_current_cert(ctx);
		if (cur) {
			name_str(st->v->err_subject, sizeof(st->v->err_subject),
				 X509_get_subject_name(cur));
			name_str(st->v->err_issuer, sizeof(st->v->err_issuer),
				 X509_get_issuer_name(cur));
		}
	}
	return 0;
}

static void record_built(X509_STORE_CTX *ctx, X509 *const *xs, size_t n, struct verdict *v)
{
	STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
	int m = chain ? sk_X509_num(chain) : 0;

	for (int i = 0; i < m && v->n_built < MAX_BUILT; i++) {
		X509 *c = sk_X509_value(chain, i);
		struct built_cert *b = &v->built[v->n_built++];

		b->sent_idx = -1;
		for (size_t j = 0; j < n; j++) {
			if (xs[j] && (xs[j] == c || X509_cmp(xs[j], c) == 0)) {
				b->sent_idx = (int)j;
				break;
			}
		}
		b->times_valid = asn1_time_unix(X509_get0_notBefore(c), &b->not_before) &&
				 asn1_time_unix(X509_get0_notAfter(c), &b->not_after);
		name_str(b->subject, sizeof(b->subject), X509_get_subject_name(c));
	}
}

static int run_verify(struct tlsd_cert_store *s, X509 *const *xs, size_t n, int64_t when,
		      bool client_chain, struct verdict *v)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	struct verify_state st = {.v = v};
	int r = -ENOMEM, ok;

	*v = (struct verdict){0};
	if (!ctx || !untrusted)
		goto out;
	for (size_t i = 1; i < n; i++)
		if (xs[i] && !sk_X509_push(untrusted, xs[i]))
			goto out;
	ensure_store(s);
	if (X509_STORE_CTX_init(ctx, s->store, xs[0], untrusted) != 1)
		goto out;
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)when);
	X509_VERIFY_PARAM_set_depth(X509_STORE_CTX_get0_param(ctx), TLSD_CERT_MAX_CHAIN);
	X509_STORE_CTX_set_purpose(ctx, client_chain ? X509_PURPOSE_SSL_CLIENT
						      : X509_PURPOSE_SSL_SERVER);
	X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
	X509_STORE_CTX_set_app_data(ctx, &st);
	ok = X509_verify_cert(ctx);
	v->verified = ok == 1 && !st.have_err;
	if (!v->verified && !st.have_err) {
		v->err = X509_STORE_CTX_get_error(ctx);
		if (v->err == X509_V_OK)
			v->err = X509_V_ERR_UNSPECIFIED;
		v->depth = X509_STORE_CTX_get_error_depth(ctx);
	}
	record_built(ctx, xs, n, v);
	r = 0;
out:
	ERR_clear_error();
	sk_X509_free(untrusted); /* holds no references */
	X509_STORE_CTX_free(ctx);
	return r;
}

/* Verdicts depend on the certificates, the role and (through chain building,
 * which prefers issuers valid at the time) the capture day. A chain with a
 * certificate that is not cached (id 0) is verified every time. *out points
 * into the cache or the store's scratch verdict: valid until the next call. */
static int get_verdict(struct tlsd_cert_store *s, X509 *const *xs, const uint64_t *ids, size_t n,
		       const struct tlsd_cert_query *q, const struct verdict **out)
{
	int64_t day = q->capture_time_s / SECONDS_PER_DAY;
	uint8_t key_in[TLSD_CERT_MAX_CHAIN * sizeof(uint64_t) + sizeof(day) + 1];
	size_t klen = n * sizeof(uint64_t) + sizeof(day) + 1;
	bool cacheable = s->verdicts.cap > 0;
	struct tlsd_cur key;
	struct verdict *v;
	uint64_t h = 0;

	for (size_t i = 0; i < n; i++)
		cacheable = cacheable && ids[i] != 0;
	memcpy(key_in, ids, n * sizeof(uint64_t));
	memcpy(key_in + n * sizeof(uint64_t), &day, sizeof(day));
	key_in[klen - 1] = q->client_chain;
	tlsd_cur_init(&key, key_in, klen);
	if (cacheable) {
		h = cache_hash(&s->verdicts, &key);
		v = cache_get(&s->verdicts, &key, h);
		if (v) {
			*out = v;
			return 0;
		}
	}
	v = cacheable ? malloc(sizeof(*v)) : NULL;
	if (!v)
		v = s->scratch_verdict; /* the answer stands; it is only not cached */
	if (run_verify(s, xs, n, q->capture_time_s, q->client_chain, v) < 0) {
		if (v != s->scratch_verdict)
			free(v);
		return -ENOMEM;
	}
	if (v != s->scratch_verdict && !cache_put(&s->verdicts, &key, h, v, sizeof(*v))) {
		*s->scratch_verdict = *v;
		free(v);
		v = s->scratch_verdict;
	}
	*out = v;
	return 0;
}

/* ---- findings ------------------------------------------------------------- */

/* The place of a new finding: NULL when f holds one with the same code and
 * position already, or is full (then it is counted as dropped). */
static struct tlsd_cert_finding *finding_slot(struct tlsd_chain_findings *f,
					      enum tlsd_cert_code code, int pos)
{
	for (size_t i = 0; i < f->n_findings; i++)
		if (f->findings[i].code == code && f->findings[i].position == pos)
			return NULL;
	if (f->n_findings >= TLSD_CERT_MAX_FINDINGS) {
		f->findings_dropped++;
		return NULL;
	}
	return &f->findings[f->n_findings++];
}

__attribute__((format(printf, 6, 7))) static void
add_finding(struct tlsd_chain_findings *f, enum tlsd_cert_code code, enum tlsd_cert_severity sev,
	    int pos, const char *evidence, const char *fmt, ...)
{
	struct tlsd_cert_finding *d = finding_slot(f, code, pos);
	va_list ap;

	if (!d)
		return;
	d->code = code;
	d->severity = sev;
	d->position = pos;
	va_start(ap, fmt);
	vsnprintf(d->text, sizeof(d->text), fmt, ap);
	va_end(ap);
	copy_str(d->evidence, sizeof(d->evidence), evidence);
}

bool tlsd_cert_has_finding(const struct tlsd_chain_findings *f, enum tlsd_cert_code code)
{
	for (size_t i = 0; f && i < f->n_findings; i++)
		if (f->findings[i].code == code)
			return true;
	return false;
}

/* The names a certificate covers, for hostname_mismatch evidence. */
static void covered_names(char *ev, size_t len, X509 *x, const struct tlsd_cert_info *info)
{
	const X509_NAME *subj = X509_get_subject_name(x);
	int idx = -1;
	size_t shown = 0;

	if (info->n_dns == 0) {
		append(ev, len, "; no DNS subjectAltName, subject CN:");
		while ((idx = X509_NAME_get_index_by_NID(subj, NID_commonName, idx)) >= 0) {
			const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx));
			unsigned char *utf8 = NULL;
			int n = s ? ASN1_STRING_to_UTF8(&utf8, s) : -1;
			char esc[TLSD_CERT_DNS_LEN];

			if (n >= 0) {
				escape_bytes(esc, sizeof(esc), utf8, (size_t)n, false);
				append(ev, len, " %s", esc);
				shown++;
			}
			OPENSSL_free(utf8);
		}
		if (!shown)
			append(ev, len, " (none)");
		ERR_clear_error();
	} else {
		append(ev, len, "; certificate covers:");
		for (size_t i = 0; i < info->n_dns; i++)
			append(ev, len, "%s %s", i ? "," : "", info->dns[i]);
	}
	for (size_t i = 0; i < info->n_ips; i++)
		append(ev, len, "%s IP %s", i || info->n_dns ? "," : "", info->ips[i]);
	if (info->n_san_total > (uint32_t)info->n_dns + info->n_ips)
		append(ev, len, " (and %u more)",
		       (unsigned)(info->n_san_total - info->n_dns - info->n_ips));
}

static void check_host(struct tlsd_chain_findings *f, X509 *x, const struct tlsd_cert_query *q)
{
	char name[TLSD_CERT_NAME_LEN], esc[4 * TLSD_CERT_NAME_LEN], ev[TLSD_CERT_EVIDENCE_LEN];
	uint8_t ipbuf[16];
	size_t len = q->sni_len;
	int rc;

	if (!q->sni || len == 0 || q->client_chain)
		return;
	f->host_checked = true;
	escape_bytes(esc, sizeof(esc), q->sni, len, false);
	if (len >= sizeof(name) || memchr(q->sni, '\0', len)) {
		rc = 0; /* cannot be a host name any certificate covers */
	} else {
		memcpy(name, q->sni, len);
		name[len] = '\0';
		if (len > 1 && name[len - 1] == '.')
			name[--len] = '\0';
		if (inet_pton(AF_INET, name, ipbuf) == 1 || inet_pton(AF_INET6, name, ipbuf) == 1)
			rc = X509_check_ip_asc(x, name, 0);
		else
			rc = X509_check_host(x, name, len, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL);
		ERR_clear_error();
	}
	if (rc == 1 || rc == -1) /* -1: libcrypto failed; no verdict */
		return;
	bprintf(ev, sizeof(ev), "SNI \"%s\"", esc);
	covered_names(ev, sizeof(ev), x, &f->certs[0]);
	add_finding(f, TLSD_CERT_HOSTNAME_MISMATCH, TLSD_CERT_SEV_ERROR, 0, ev,
		    "The server's certificate does not cover the name the client asked for (%.64s): "
		    "reissue it with that name in subjectAltName, or fix the name the client uses.",
		    esc);
}

static bool name_in_chain(const X509_NAME *name, X509 *const *xs, size_t n, size_t skip)
{
	for (size_t j = 0; j < n; j++)
		if (j != skip && xs[j] && X509_NAME_cmp(name, X509_get_subject_name(xs[j])) == 0)
			return true;
	return false;
}

static void check_trust(struct tlsd_chain_findings *f, const struct tlsd_cert_store *s,
			X509 *const *xs, size_t n, const struct verdict *v)
{
	char ev[TLSD_CERT_EVIDENCE_LEN];
	const char *what = X509_verify_cert_error_string(v->err);

	f->verified = v->verified;
	f->verify_error = v->verified ? 0 : v->err;
	f->verify_error_depth = v->verified ? 0 : v->depth;
	if (!v->verified)
		copy_str(f->verify_error_text, sizeof(f->verify_error_text), what);
	if (f->certs[0].self_signed)
		add_finding(f, TLSD_CERT_SELF_SIGNED,
			    v->verified ? TLSD_CERT_SEV_WARNING : TLSD_CERT_SEV_ERROR, 0,
			    f->certs[0].subject,
			    v->verified ? "The server's certificate is self-signed (trusted here "
					  "because the trust store holds it)."
					: "The server's certificate is self-signed: clients cannot "
					  "trust it unless it is installed on each of them; use a "
					  "certificate issued by a CA they trust.");
	if (v->verified)
		return;
	if ((v->err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	     v->err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) &&
	    v->depth == 0 && !f->certs[0].self_signed &&
	    !name_in_chain(X509_get_issuer_name(xs[0]), xs, n, 0)) {
		bprintf(ev, sizeof(ev),
			 "issuer \"%s\" of \"%s\" is neither among the %u certificate(s) sent nor "
			 "in %s; OpenSSL: %s",
			 f->certs[0].issuer, f->certs[0].subject, f->n_certs, s->desc, what);
		add_finding(f, TLSD_CERT_MISSING_INTERMEDIATE, TLSD_CERT_SEV_ERROR, 0, ev,
			    "The server does not send the intermediate CA certificate that issued "
			    "its certificate (%.120s): configure the full chain on the server.",
			    f->certs[0].issuer);
		return;
	}
	bprintf(ev, sizeof(ev), "OpenSSL: %s (error %d at depth %d: \"%s\", issued by \"%s\"); "
				 "trust store: %s",
		 what, v->err, v->depth, v->err_subject[0] ? v->err_subject : "?",
		 v->err_issuer[0] ? v->err_issuer : "?", s->desc);
	add_finding(f, TLSD_CERT_UNTRUSTED, TLSD_CERT_SEV_ERROR, -1, ev,
		    "The certificate chain does not verify against %s at the capture time: %s.",
		    s->desc, what);
}

static void check_order(struct tlsd_chain_findings *f, X509 *const *xs, size_t n)
{
	char ev[TLSD_CERT_EVIDENCE_LEN];

	for (size_t i = 0; i + 1 < n; i++) {
		const X509_NAME *iss;

		if (!xs[i] || !xs[i + 1] || f->certs[i].self_signed)
			continue;
		iss = X509_get_issuer_name(xs[i]);
		if (X509_NAME_cmp(iss, X509_get_subject_name(xs[i + 1])) == 0)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (j == i || j == i + 1 || !xs[j] ||
			    X509_NAME_cmp(iss, X509_get_subject_name(xs[j])) != 0)
				continue;
			/* Long names are cut to the evidence buffer (kept in `cut`:
			 * gcc -O0 warns of the truncation otherwise). */
			int cut = snprintf(ev, sizeof(ev),
					   "certificate %zu \"%s\" is issued by \"%s\", which is "
					   "certificate %zu, but certificate %zu is \"%s\"",
					   i, f->certs[i].subject, f->certs[i].issuer, j, i + 1,
					   f->certs[i + 1].subject);

			(void)cut;
			add_finding(f, TLSD_CERT_CHAIN_ORDER_INVALID, TLSD_CERT_SEV_WARNING,
				    (int)i + 1, ev,
				    "The server sends its certificate chain out of order: each "
				    "certificate should be followed by its issuer (some clients "
				    "refuse this).");
			return;
		}
	}
}

static void check_times(struct tlsd_chain_findings *f, const struct tlsd_cert_query *q,
			const struct built_cert *b)
{
	char ev[TLSD_CERT_EVIDENCE_LEN], nb[32], na[32], now[32];
	int64_t t = q->capture_time_s;
	const char *where = b->sent_idx < 0 ? " (trust store certificate)" : "";

	bool soon = q->expiry_warning_days > 0 &&
		    b->not_after - t < (int64_t)q->expiry_warning_days * SECONDS_PER_DAY;

	if (!b->times_valid || (t >= b->not_before && t <= b->not_after && !soon))
		return;
	tlsd_cert_format_time(nb, sizeof(nb), b->not_before);
	tlsd_cert_format_time(na, sizeof(na), b->not_after);
	tlsd_cert_format_time(now, sizeof(now), t);
	snprintf(ev, sizeof(ev), "\"%s\"%s: notBefore %s, notAfter %s, capture time %s", b->subject,
		 where, nb, na, now);
	if (t < b->not_before)
		add_finding(f, TLSD_CERT_NOT_YET_VALID, TLSD_CERT_SEV_ERROR, b->sent_idx, ev,
			    "A certificate in the chain (%.100s) was not yet valid at the capture "
			    "time: it becomes valid %s; check the issuing date or the clocks.",
			    b->subject, nb);
	else if (t > b->not_after)
		add_finding(f, TLSD_CERT_EXPIRED, TLSD_CERT_SEV_ERROR, b->sent_idx, ev,
			    "A certificate in the chain (%.100s) had expired at the capture time "
			    "(notAfter %s, %lld days before): renew it.",
			    b->subject, na, (long long)((t - b->not_after) / SECONDS_PER_DAY));
	else
		add_finding(f, TLSD_CERT_EXPIRES_SOON, TLSD_CERT_SEV_WARNING, b->sent_idx, ev,
			    "A certificate in the chain (%.100s) expires on %s, %lld days after the "
			    "capture: renew it soon.",
			    b->subject, na, (long long)((b->not_after - t) / SECONDS_PER_DAY));
}

static void check_strength(struct tlsd_chain_findings *f, X509 *x, size_t i)
{
	const struct tlsd_cert_info *info = &f->certs[i];
	char ev[TLSD_CERT_EVIDENCE_LEN];
	const char *t = info->key_type;
	int mdnid = NID_undef;

	if ((!strcmp(t, "RSA") || !strcmp(t, "RSA-PSS") || !strcmp(t, "DSA") || !strcmp(t, "DH")) &&
	    info->key_bits > 0 && info->key_bits < 2048) {
		snprintf(ev, sizeof(ev), "certificate %zu \"%s\": %s key of %d bits (minimum 2048)",
			 i, info->subject, t, info->key_bits);
		add_finding(f, TLSD_CERT_WEAK_KEY, TLSD_CERT_SEV_ERROR, (int)i, ev,
			    "A certificate in the chain has a %d-bit %s key, which current clients "
			    "refuse: reissue it with at least 2048 bits (or an EC key).",
			    info->key_bits, t);
	} else if (!strcmp(t, "EC") && info->key_bits > 0 && info->key_bits < 256) {
		snprintf(ev, sizeof(ev), "certificate %zu \"%s\": EC key on %s, %d bits (minimum 256)",
			 i, info->subject, info->key_group[0] ? info->key_group : "?",
			 info->key_bits);
		add_finding(f, TLSD_CERT_WEAK_KEY,
			    info->key_bits < 224 ? TLSD_CERT_SEV_ERROR : TLSD_CERT_SEV_WARNING,
			    (int)i, ev,
			    "A certificate in the chain has a %d-bit EC key: reissue it on P-256 or "
			    "stronger.",
			    info->key_bits);
	}
	if (info->self_signed || X509_get_signature_info(x, &mdnid, NULL, NULL, NULL) != 1) {
		ERR_clear_error();
		return;
	}
	if (mdnid == NID_md2 || mdnid == NID_md4 || mdnid == NID_md5 || mdnid == NID_sha1 ||
	    mdnid == NID_md5_sha1) {
		snprintf(ev, sizeof(ev), "certificate %zu \"%s\" is signed with %s", i, info->subject,
			 info->sig_alg);
		add_finding(f, TLSD_CERT_WEAK_SIGNATURE_ALGORITHM, TLSD_CERT_SEV_ERROR, (int)i, ev,
			    "A certificate in the chain is signed with %s, which current clients "
			    "refuse: have it reissued with SHA-256 or better.",
			    OBJ_nid2sn(mdnid));
	}
}

/* The window of capture seconds at which none of tm's certificates gets a
 * time finding (check_times' conditions, solved for t). */
static void quiet_window(struct timing *tm, int expiry_warning_days)
{
	tm->quiet_from = INT64_MIN;
	tm->quiet_to = INT64_MAX;
	for (size_t i = 0; i < tm->n_checks; i++) {
		const struct built_cert *b = &tm->checks[i];
		int64_t to = b->not_after;

		if (!b->times_valid)
			continue;
		/* expires_soon when not_after - t < days: quiet up to not_after - days */
		if (expiry_warning_days > 0)
			to = b->not_after - (int64_t)expiry_warning_days * SECONDS_PER_DAY;
		tm->quiet_from = TLSD_MAX(tm->quiet_from, b->not_before);
		tm->quiet_to = TLSD_MIN(tm->quiet_to, to);
	}
}

static bool quiet_at(const struct timing *tm, int64_t t)
{
	return t >= tm->quiet_from && t <= tm->quiet_to;
}

static void add_time_check(struct timing *tm, const struct built_cert *b)
{
	if (tm->n_checks < TLSD_ARRAY_SIZE(tm->checks))
		tm->checks[tm->n_checks++] = *b;
}

/* Every check of one chain but the time stage, into f (all of it: certs and
 * findings, as many as counted); what the time stage needs into tm. */
static int check_untimed(struct tlsd_cert_store *s, const struct tlsd_cert_query *q,
			 struct tlsd_chain_findings *f, struct timing *tm)
{
	X509 *xs[TLSD_CERT_MAX_CHAIN] = {0};
	uint64_t ids[TLSD_CERT_MAX_CHAIN];
	bool relevant[TLSD_CERT_MAX_CHAIN] = {0};
	const struct verdict *v = NULL;
	size_t n;
	int r = -ENOMEM;

	/* The header only: certs[] and findings[] are written as they are counted. */
	memset(f, 0, offsetof(struct tlsd_chain_findings, findings));
	tm->n_checks = 0;
	n = TLSD_MIN(q->n, (size_t)s->max_chain);
	f->n_sent = q->n_sent ? q->n_sent : (uint32_t)TLSD_MIN(q->n, UINT32_MAX);
	f->chain_truncated = q->n > n || q->capped;
	for (size_t i = 0; i < n; i++) {
		char why[128];

		if (load_cert(s, &q->ders[i], &xs[i], &f->certs[i], &ids[i], why, sizeof(why)) < 0)
			goto out;
		f->n_certs = (uint32_t)(i + 1);
		f->certs[i].position = (int)i;
		if (!xs[i] && !f->certs[i].too_large)
			add_finding(f, TLSD_CERT_MALFORMED, TLSD_CERT_SEV_ERROR, (int)i, why,
				    "Certificate %zu of the chain cannot be parsed: the server "
				    "(or something on the path) sends a broken certificate.",
				    i);
	}
	r = 0;
	if (!xs[0])
		goto out;
	if (get_verdict(s, xs, ids, n, q, &v) < 0) {
		r = -ENOMEM;
		goto out;
	}
	check_host(f, xs[0], q);
	check_trust(f, s, xs, n, v);
	check_order(f, xs, n);
	relevant[0] = true;
	for (size_t i = 0; i < v->n_built; i++)
		if (v->built[i].sent_idx >= 0)
			relevant[v->built[i].sent_idx] = true;
	/* The time stage comes here (check_times for each of tm->checks). */
	if (v->n_built == 0 || v->built[0].sent_idx != 0) {
		struct built_cert leaf = {.times_valid = f->certs[0].times_valid,
					  .not_before = f->certs[0].not_before,
					  .not_after = f->certs[0].not_after};

		copy_str(leaf.subject, sizeof(leaf.subject), f->certs[0].subject);
		add_time_check(tm, &leaf);
	}
	for (size_t i = 0; i < v->n_built; i++)
		add_time_check(tm, &v->built[i]);
out:
	tm->n_pre = f->n_findings;
	tm->dropped_pre = f->findings_dropped;
	if (r == 0)
		for (size_t i = 0; i < n; i++)
			if (relevant[i] && xs[i])
				check_strength(f, xs[i], i);
	ERR_clear_error();
	for (size_t i = 0; i < n; i++)
		X509_free(xs[i]);
	quiet_window(tm, q->expiry_warning_days);
	return r;
}

/* The answer at q's capture second, made from u (the answer without time
 * findings) and its time stage tm: u's findings up to the time stage, the
 * time findings for this second, then u's later findings, exactly as one
 * pass of the checks adds them (the same duplicates skipped, the same
 * overflow dropped: the later findings have codes of their own, so only
 * the cap can refuse them). NULL on OOM. */
static const struct tlsd_chain_findings *answer_timed(const struct tlsd_chain_findings *u,
						      const struct timing *tm,
						      const struct tlsd_cert_query *q)
{
	struct tlsd_chain_findings *f = answer_new(u->n_certs);

	if (!f)
		return NULL;
	memcpy(f, u, offsetof(struct tlsd_chain_findings, findings));
	memcpy(f->findings, u->findings, tm->n_pre * sizeof(f->findings[0]));
	f->n_findings = tm->n_pre;
	f->findings_dropped = tm->dropped_pre;
	for (size_t i = 0; i < tm->n_checks; i++)
		check_times(f, q, &tm->checks[i]);
	for (size_t i = tm->n_pre; i < u->n_findings; i++) {
		struct tlsd_cert_finding *d = finding_slot(f, u->findings[i].code,
							   u->findings[i].position);

		if (d)
			*d = u->findings[i];
	}
	f->findings_dropped += u->findings_dropped - tm->dropped_pre;
	memcpy(f->certs, u->certs, u->n_certs * sizeof(f->certs[0]));
	return f;
}

/* The chain-answer key (see tlsd_cert_check_chain_shared) into s->key;
 * false when it does not fit (or no memory: the chain is then not cached).
 * Every field has a fixed size or a length before it, so two queries have
 * the same key only when they ask the same. */
static bool chain_key(struct tlsd_cert_store *s, const struct tlsd_cert_query *q, size_t n,
		      struct tlsd_cur *key)
{
	bool sni = q->sni && q->sni_len && !q->client_chain;
	struct {
		int64_t day;
		uint32_t n_sent, n, sni_len;
		int32_t expiry_warning_days;
		uint8_t truncated, client_chain, pad[6];
	} head = {
		.day = q->capture_time_s / SECONDS_PER_DAY, /* as get_verdict */
		.n_sent = q->n_sent ? q->n_sent : (uint32_t)TLSD_MIN(q->n, UINT32_MAX),
		.n = (uint32_t)n,
		.sni_len = sni ? (uint32_t)TLSD_MIN(q->sni_len, UINT32_MAX) : 0,
		.expiry_warning_days = q->expiry_warning_days,
		.truncated = q->n > n || q->capped,
		.client_chain = q->client_chain,
	};
	size_t len = sizeof(head) + head.sni_len;

	if (head.sni_len > TLSD_CERT_CHAIN_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		len += sizeof(uint32_t) + tlsd_cur_len(&q->ders[i]);
		if (len > TLSD_CERT_CHAIN_KEY_MAX || tlsd_cur_len(&q->ders[i]) > UINT32_MAX)
			return false;
	}
	if (len > TLSD_CERT_CHAIN_KEY_MAX)
		return false;
	if (!s->key)
		s->key = malloc(TLSD_CERT_CHAIN_KEY_MAX);
	if (!s->key)
		return false;
	memcpy(s->key, &head, sizeof(head));
	len = sizeof(head);
	if (head.sni_len) {
		memcpy(s->key + len, q->sni, head.sni_len);
		len += head.sni_len;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t dl = (uint32_t)tlsd_cur_len(&q->ders[i]);

		memcpy(s->key + len, &dl, sizeof(dl));
		len += sizeof(dl);
		if (dl)
			memcpy(s->key + len, tlsd_cur_data(&q->ders[i]), dl);
		len += dl;
	}
	tlsd_cur_init(key, s->key, len);
	return true;
}

/* A cache entry for the answer in s's scratch space; NULL on OOM. */
static struct chain_val *chain_val_new(const struct tlsd_cert_store *s)
{
	const struct timing *tm = s->scratch_timing;
	struct chain_val *v = malloc(chain_val_size(tm->n_checks));

	if (!v)
		return NULL;
	v->base = answer_copy(s->scratch);
	v->timed = NULL;
	v->timed_at = 0;
	memcpy(&v->tm, tm, chain_val_size(tm->n_checks) - offsetof(struct chain_val, tm));
	if (!v->base) {
		free(v);
		return NULL;
	}
	return v;
}

/* What an entry holds: its key, itself, its answer and room for one timed
 * answer of the same size. */
static size_t chain_val_weight(const struct chain_val *v)
{
	return chain_val_size(v->tm.n_checks) +
	       2 * (sizeof(union answer_hdr) + answer_size(v->base->n_certs));
}

int tlsd_cert_check_chain_shared(struct tlsd_cert_store *s, const struct tlsd_cert_query *q,
				 const struct tlsd_chain_findings **out)
{
	const struct tlsd_chain_findings *a;
	struct chain_val *v = NULL;
	struct tlsd_cur key;
	uint64_t h = 0;
	bool keyed;
	int r;

	if (!s || !q || !out || !q->ders || q->n == 0)
		return -EINVAL;
	keyed = s->chains.cap > 0 && chain_key(s, q, TLSD_MIN(q->n, (size_t)s->max_chain), &key);
	if (keyed) {
		h = cache_hash(&s->chains, &key);
		v = cache_get(&s->chains, &key, h);
	}
	if (!v) {
		r = check_untimed(s, q, s->scratch, s->scratch_timing);
		if (r < 0)
			return r;
		v = keyed ? chain_val_new(s) : NULL;
		if (v && !cache_put(&s->chains, &key, h, v, chain_val_weight(v))) {
			free_chain_val(v);
			v = NULL;
		}
	}
	if (!v) { /* not cached: answered from the scratch space */
		a = quiet_at(s->scratch_timing, q->capture_time_s)
			    ? answer_copy(s->scratch)
			    : answer_timed(s->scratch, s->scratch_timing, q);
		if (!a)
			return -ENOMEM;
		*out = a;
		return 0;
	}
	if (quiet_at(&v->tm, q->capture_time_s)) {
		*out = answer_ref(v->base);
		return 0;
	}
	if (!v->timed || v->timed_at != q->capture_time_s) {
		a = answer_timed(v->base, &v->tm, q);
		if (!a)
			return -ENOMEM;
		s->chain_timed++;
		tlsd_cert_findings_release(v->timed); /* holders keep theirs */
		v->timed = a;
		v->timed_at = q->capture_time_s;
	}
	*out = answer_ref(v->timed);
	return 0;
}

int tlsd_cert_check_chain(struct tlsd_cert_store *s, const struct tlsd_cert_query *q,
			  struct tlsd_chain_findings *out)
{
	const struct tlsd_chain_findings *a;
	int r;

	if (!out)
		return -EINVAL;
	r = tlsd_cert_check_chain_shared(s, q, &a);
	if (r < 0)
		return r;
	copy_findings(out, a);
	tlsd_cert_findings_release(a);
	return 0;
}

/* ---- ServerKeyExchange signatures ---------------------------------------- */

enum sig_kind { SK_RSA_PKCS1, SK_RSA_PSS_RSAE, SK_RSA_PSS_PSS, SK_ECDSA, SK_DSA, SK_ED25519, SK_ED448 };

struct sig_scheme {
	uint16_t code;
	enum sig_kind kind;
	const char *md; /* digest name; NULL for EdDSA */
	const char *name;
};

/* TLS 1.2 SignatureScheme values (RFC 8446 4.2.3) and the RFC 5246
 * hash/signature pairs still seen in TLS 1.2. */
static const struct sig_scheme sig_schemes[] = {
	{0x0101, SK_RSA_PKCS1, "MD5", "rsa_pkcs1_md5"},
	{0x0201, SK_RSA_PKCS1, "SHA1", "rsa_pkcs1_sha1"},
	{0x0301, SK_RSA_PKCS1, "SHA224", "rsa_pkcs1_sha224"},
	{0x0401, SK_RSA_PKCS1, "SHA256", "rsa_pkcs1_sha256"},
	{0x0501, SK_RSA_PKCS1, "SHA384", "rsa_pkcs1_sha384"},
	{0x0601, SK_RSA_PKCS1, "SHA512", "rsa_pkcs1_sha512"},
	{0x0202, SK_DSA, "SHA1", "dsa_sha1"},
	{0x0302, SK_DSA, "SHA224", "dsa_sha224"},
	{0x0402, SK_DSA, "SHA256", "dsa_sha256"},
	{0x0502, SK_DSA, "SHA384", "dsa_sha384"},
	{0x0602, SK_DSA, "SHA512", "dsa_sha512"},
	{0x0203, SK_ECDSA, "SHA1", "ecdsa_sha1"},
	{0x0303, SK_ECDSA, "SHA224", "ecdsa_sha224"},
	{0x0403, SK_ECDSA, "SHA256", "ecdsa_secp256r1_sha256"},
	{0x0503, SK_ECDSA, "SHA384", "ecdsa_secp384r1_sha384"},
	{0x0603, SK_ECDSA, "SHA512", "ecdsa_secp521r1_sha512"},
	{0x0804, SK_RSA_PSS_RSAE, "SHA256", "rsa_pss_rsae_sha256"},
	{0x0805, SK_RSA_PSS_RSAE, "SHA384", "rsa_pss_rsae_sha384"},
	{0x0806, SK_RSA_PSS_RSAE, "SHA512", "rsa_pss_rsae_sha512"},
	{0x0807, SK_ED25519, NULL, "ed25519"},
	{0x0808, SK_ED448, NULL, "ed448"},
	{0x0809, SK_RSA_PSS_PSS, "SHA256", "rsa_pss_pss_sha256"},
	{0x080a, SK_RSA_PSS_PSS, "SHA384", "rsa_pss_pss_sha384"},
	{0x080b, SK_RSA_PSS_PSS, "SHA512", "rsa_pss_pss_sha512"},
};

static const struct sig_scheme *find_scheme(uint16_t code)
{
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(sig_schemes); i++)
		if (sig_schemes[i].code == code)
			return &sig_schemes[i];
	return NULL;
}

static int kind_key_id(enum sig_kind k)
{
	switch (k) {
	case SK_RSA_PKCS1:
	case SK_RSA_PSS_RSAE: return EVP_PKEY_RSA;
	case SK_RSA_PSS_PSS: return EVP_PKEY_RSA_PSS;
	case SK_ECDSA: return EVP_PKEY_EC;
	case SK_DSA: return EVP_PKEY_DSA;
	case SK_ED25519: return EVP_PKEY_ED25519;
	case SK_ED448: return EVP_PKEY_ED448;
	default: return EVP_PKEY_NONE;
	}
}

/* The signed data in one buffer, for EdDSA, which verifies in one shot over
 * contiguous bytes (the other schemes are fed the three parts: update3).
 * NULL on OOM. */
static uint8_t *signed_data(const struct tlsd_ske_check *in, size_t *len)
{
	uint8_t *data;

	*len = 64 + tlsd_cur_len(&in->params);
	data = malloc(*len);
	if (!data)
		return NULL;
	memcpy(data, in->client_random, 32);
	memcpy(data + 32, in->server_random, 32);
	if (tlsd_cur_len(&in->params))
		memcpy(data + 64, tlsd_cur_data(&in->params), tlsd_cur_len(&in->params));
	return data;
}

/* Feeds client_random || server_random || params in three parts: a digest
 * sees the same bytes as in one buffer, without the copy. */
static bool update3(EVP_MD_CTX *m, int (*update)(EVP_MD_CTX *, const void *, size_t),
		    const struct tlsd_ske_check *in)
{
	return update(m, in->client_random, 32) == 1 && update(m, in->server_random, 32) == 1 &&
	       (tlsd_cur_len(&in->params) == 0 ||
		update(m, tlsd_cur_data(&in->params), tlsd_cur_len(&in->params)) == 1);
}

/* EdDSA: 1 verifies, 0 does not, -1 cannot be checked (why in err). */
static int oneshot_verify(EVP_PKEY *pk, const uint8_t *data, size_t len,
			  const struct tlsd_cur *sig, char *err, size_t errlen)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int r = -1;

	if (!m || EVP_DigestVerifyInit_ex(m, NULL, NULL, NULL, NULL, pk, NULL) != 1) {
		crypto_error(err, errlen);
		goto out;
	}
	r = EVP_DigestVerify(m, tlsd_cur_data(sig), tlsd_cur_len(sig), data, len) == 1;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(m);
	return r;
}

/* The set-up for sch (md5_sha1: TLS 1.0/1.1 RSA), or NULL with why in err
 * when the key cannot make such a signature (or on OOM). */
static struct sig_tmpl *sig_tmpl_new(EVP_PKEY *pk, const struct sig_scheme *sch, bool md5_sha1,
				     char *err, size_t errlen)
{
	struct sig_tmpl *t = calloc(1, sizeof(*t));
	EVP_PKEY_CTX *pctx = NULL;
	bool pss = sch->kind == SK_RSA_PSS_RSAE || sch->kind == SK_RSA_PSS_PSS;

	if (!t) {
		copy_str(err, errlen, "out of memory");
		return NULL;
	}
	if (md5_sha1) {
		if (!(t->p = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) ||
		    EVP_PKEY_verify_init(t->p) != 1 ||
		    EVP_PKEY_CTX_set_rsa_padding(t->p, RSA_PKCS1_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_signature_md(t->p, EVP_md5_sha1()) != 1)
			goto fail;
		return t;
	}
	if (!(t->m = EVP_MD_CTX_new()) ||
	    EVP_DigestVerifyInit_ex(t->m, &pctx, sch->md, NULL, NULL, pk, NULL) != 1 ||
	    (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)))
		goto fail;
	return t;
fail:
	crypto_error(err, errlen);
	free_sig_tmpl(t);
	return NULL;
}

/* The set-up for sch with the certificate's key, from the store when the
 * certificate is cached (cert_id != 0), else made (*owned: the caller frees
 * it). NULL with why in err as sig_tmpl_new. */
static struct sig_tmpl *get_sig_tmpl(struct tlsd_cert_store *s, uint64_t cert_id, EVP_PKEY *pk,
				     const struct sig_scheme *sch, bool md5_sha1, bool *owned,
				     char *err, size_t errlen)
{
	uint8_t kb[sizeof(cert_id) + 2];
	struct tlsd_cur key;
	struct sig_tmpl *t;
	bool keep = s && cert_id;
	uint64_t h = 0;

	*owned = true;
	if (keep) {
		memcpy(kb, &cert_id, sizeof(cert_id));
		kb[sizeof(cert_id)] = (uint8_t)(sch->code >> 8);
		kb[sizeof(cert_id) + 1] = (uint8_t)sch->code;
		tlsd_cur_init(&key, kb, sizeof(kb));
		h = cache_hash(&s->sigs, &key);
		t = cache_get(&s->sigs, &key, h);
		if (t) {
			*owned = false;
			return t;
		}
	}
	t = sig_tmpl_new(pk, sch, md5_sha1, err, errlen);
	if (t && keep && cache_put(&s->sigs, &key, h, t, 0))
		*owned = false;
	return t;
}

/* 1 verifies, 0 does not, -1 cannot be checked (why in err). */
static int digest_verify(struct tlsd_cert_store *s, uint64_t cert_id, EVP_PKEY *pk,
			 const struct sig_scheme *sch, const struct tlsd_ske_check *in, char *err,
			 size_t errlen)
{
	bool owned;
	struct sig_tmpl *t = get_sig_tmpl(s, cert_id, pk, sch, false, &owned, err, errlen);
	EVP_MD_CTX *m = NULL;
	int r = -1;

	if (!t)
		goto out;
	if (!(m = EVP_MD_CTX_new()) || EVP_MD_CTX_copy_ex(m, t->m) != 1) {
		crypto_error(err, errlen);
		goto out;
	}
	/* The copy is used once: its final step need not keep it usable
	 * (which costs another copy of the key's context). */
	EVP_MD_CTX_set_flags(m, EVP_MD_CTX_FLAG_FINALISE);
	r = update3(m, EVP_DigestVerifyUpdate, in) &&
	    EVP_DigestVerifyFinal(m, tlsd_cur_data(&in->sig), tlsd_cur_len(&in->sig)) == 1;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(m);
	if (owned)
		free_sig_tmpl(t);
	return r;
}

/* One digest of the signed data into md; false with why in err. */
static bool hash_signed(EVP_MD_CTX *m, const EVP_MD *type, const struct tlsd_ske_check *in,
			uint8_t *md, char *err, size_t errlen)
{
	if (EVP_DigestInit_ex(m, type, NULL) != 1 || !update3(m, EVP_DigestUpdate, in) ||
	    EVP_DigestFinal_ex(m, md, NULL) != 1) {
		crypto_error(err, errlen);
		return false;
	}
	return true;
}

/* TLS 1.0/1.1 RSA: PKCS#1 v1.5 over MD5(data) || SHA1(data), no DigestInfo. */
static int md5_sha1_verify(struct tlsd_cert_store *s, uint64_t cert_id, EVP_PKEY *pk,
			   const struct sig_scheme *sch, const struct tlsd_ske_check *in,
			   char *err, size_t errlen)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	struct sig_tmpl *t = NULL;
	bool owned = false;
	uint8_t md[36];
	int r = -1;

	if (!m) {
		crypto_error(err, errlen);
		goto out;
	}
	if (!hash_signed(m, EVP_md5(), in, md, err, errlen) ||
	    !hash_signed(m, EVP_sha1(), in, md + 16, err, errlen))
		goto out;
	t = get_sig_tmpl(s, cert_id, pk, sch, true, &owned, err, errlen);
	if (t)
		r = EVP_PKEY_verify(t->p, tlsd_cur_data(&in->sig), tlsd_cur_len(&in->sig), md,
				    sizeof(md)) == 1;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(m);
	if (owned)
		free_sig_tmpl(t);
	return r;
}

__attribute__((format(printf, 4, 5))) static enum tlsd_sig_result
sig_detail(enum tlsd_sig_result res, char *detail, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (detail && len) {
		va_start(ap, fmt);
		vsnprintf(detail, len, fmt, ap);
		va_end(ap);
	}
	ERR_clear_error();
	return res;
}

enum tlsd_sig_result tlsd_cert_verify_ske(struct tlsd_cert_store *s,
					  const struct tlsd_ske_check *in, char *detail,
					  size_t detail_len)
{
	const struct tlsd_cert_info *info;
	const struct sig_scheme *sch = NULL;
	struct sig_scheme legacy = {0};
	enum tlsd_sig_result res;
	struct cert_val *v;
	uint8_t *data;
	char why[128] = "";
	EVP_PKEY *pk;
	bool owned;
	size_t dlen;
	uint16_t ver;
	int ok;

	if (!in)
		return sig_detail(TLSD_SIG_ERROR, detail, detail_len, "no input");
	ver = in->version == 0xfefd ? TLSD_VERSION_TLS12
	      : in->version == 0xfeff ? TLSD_VERSION_TLS11
				      : in->version; /* DTLS 1.2 / 1.0 */
	if (ver < TLSD_VERSION_SSL3 || ver > TLSD_VERSION_TLS12)
		return sig_detail(TLSD_SIG_UNSUPPORTED, detail, detail_len,
				  "version 0x%04x has no ServerKeyExchange signature to check",
				  in->version);
	if (tlsd_cur_len(&in->params) > TLSD_SKE_MAX_PARAMS)
		return sig_detail(TLSD_SIG_ERROR, detail, detail_len,
				  "ServerKeyExchange parameters of %zu bytes exceed the %u-byte cap",
				  tlsd_cur_len(&in->params), TLSD_SKE_MAX_PARAMS);
	/* The cached entry itself, not a copy of its 3 KB: nothing below puts
	 * a certificate in the cache. */
	v = find_cert(s, &in->leaf, &owned);
	if (!v)
		return sig_detail(TLSD_SIG_ERROR, detail, detail_len, "out of memory");
	info = &v->info;
	pk = v->x ? X509_get0_pubkey(v->x) : NULL;
	if (!pk) {
		res = sig_detail(TLSD_SIG_ERROR, detail, detail_len,
				 "the leaf certificate's public key cannot be read (%s)",
				 v->x ? "unsupported or malformed key" : v->err);
		goto out;
	}
	if (ver == TLSD_VERSION_TLS12) {
		sch = find_scheme(in->sig_scheme);
		if (!sch) {
			res = sig_detail(TLSD_SIG_UNSUPPORTED, detail, detail_len,
					 "signature scheme 0x%04x is not checked", in->sig_scheme);
			goto out;
		}
	} else {
		/* code: the set-up's name in the store (get_sig_tmpl); ECDSA and
		 * DSA with SHA-1 are set up as in TLS 1.2, and RSA's MD5+SHA-1
		 * takes 0x0001, hash "none" with RSA, which TLS 1.2 never signs. */
		switch (v->key_id) {
		case EVP_PKEY_RSA:
			legacy = (struct sig_scheme){0x0001, SK_RSA_PKCS1, NULL, "rsa md5+sha1"};
			break;
		case EVP_PKEY_EC:
			legacy = (struct sig_scheme){0x0203, SK_ECDSA, "SHA1", "ecdsa sha1"};
			break;
		case EVP_PKEY_DSA:
			legacy = (struct sig_scheme){0x0202, SK_DSA, "SHA1", "dsa sha1"};
			break;
		default:
			res = sig_detail(TLSD_SIG_UNSUPPORTED, detail, detail_len,
					 "a %s %d-bit key cannot sign a TLS 1.0/1.1 ServerKeyExchange",
					 info->key_type, info->key_bits);
			goto out;
		}
		sch = &legacy;
	}
	if (v->key_id != kind_key_id(sch->kind)) {
		res = sig_detail(TLSD_SIG_BAD, detail, detail_len,
				 "ServerKeyExchange signed with %s, which the certificate's %s %d-bit "
				 "key cannot make: the server's key does not match its certificate",
				 sch->name, info->key_type, info->key_bits);
		goto out;
	}
	if (tlsd_cur_len(&in->sig) == 0) {
		res = sig_detail(TLSD_SIG_BAD, detail, detail_len,
				 "ServerKeyExchange has an empty %s signature", sch->name);
		goto out;
	}
	if (sch->kind == SK_ED25519 || sch->kind == SK_ED448) {
		data = signed_data(in, &dlen);
		if (!data) {
			res = sig_detail(TLSD_SIG_ERROR, detail, detail_len, "out of memory");
			goto out;
		}
		ok = oneshot_verify(pk, data, dlen, &in->sig, why, sizeof(why));
		free(data);
	} else if (ver < TLSD_VERSION_TLS12 && sch->kind == SK_RSA_PKCS1) {
		ok = md5_sha1_verify(s, v->id, pk, sch, in, why, sizeof(why));
	} else {
		ok = digest_verify(s, v->id, pk, sch, in, why, sizeof(why));
	}
	if (ok < 0)
		res = sig_detail(TLSD_SIG_ERROR, detail, detail_len,
				 "cannot check a %s signature with the certificate's %s %d-bit key: %s",
				 sch->name, info->key_type, info->key_bits, why);
	else if (ok)
		res = sig_detail(TLSD_SIG_OK, detail, detail_len,
				 "ServerKeyExchange %s signature verifies with the certificate's %s "
				 "%d-bit key",
				 sch->name, info->key_type, info->key_bits);
	else
		res = sig_detail(TLSD_SIG_BAD, detail, detail_len,
				 "ServerKeyExchange %s signature does not verify with the "
				 "certificate's %s %d-bit key (%.80s): the server's private key does "
				 "not match its certificate, or the message was altered",
				 sch->name, info->key_type, info->key_bits, info->subject);
out:
	if (owned)
		free_cert_val(v);
	return res;
}
