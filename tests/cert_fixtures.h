/* Certificate fixtures (tests/certs, made by tests/certs/make.sh with fixed
 * validity dates) for the session and diagnosis suites: file loading, a trust
 * store, TLS 1.2 Certificate message bodies and chain findings. */
#ifndef TLSD_TESTS_CERT_FIXTURES_H
#define TLSD_TESTS_CERT_FIXTURES_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/cert.h"

#ifndef TLSD_SRCDIR
#define TLSD_SRCDIR "."
#endif
#define TLSD_FIX_CERTS TLSD_SRCDIR "/tests/certs/"

/* Capture times (Unix seconds, UTC) against the fixtures' dates. */
#define TLSD_FIX_T_2025_06_01 INT64_C(1748736000) /* every "good" certificate is valid */
#define TLSD_FIX_T_2025_06_05 INT64_C(1749081600) /* short.der expires in 5 days */

struct tlsd_fix_blob {
	uint8_t *p;
	size_t len;
};

static inline struct tlsd_fix_blob tlsd_fix_slurp(const char *name)
{
	char path[512];
	struct tlsd_fix_blob b = {0};
	FILE *f;
	long n;

	snprintf(path, sizeof(path), TLSD_FIX_CERTS "%s", name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert(fseek(f, 0, SEEK_END) == 0);
	n = ftell(f);
	ck_assert(n > 0 && fseek(f, 0, SEEK_SET) == 0);
	b.p = malloc((size_t)n);
	ck_assert(b.p != NULL);
	ck_assert(fread(b.p, 1, (size_t)n, f) == (size_t)n);
	b.len = (size_t)n;
	fclose(f);
	return b;
}

static inline struct tlsd_cert_store *tlsd_fix_store(const char *ca_pem, uint32_t max_chain)
{
	struct tlsd_cert_opts o;
	struct tlsd_cert_store *s;
	char path[512], err[256] = "";

	tlsd_cert_opts_default(&o);
	snprintf(path, sizeof(path), TLSD_FIX_CERTS "%s", ca_pem);
	o.ca_file = path;
	if (max_chain)
		o.max_chain = max_chain;
	s = tlsd_cert_store_new(&o, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	return s;
}

static inline void tlsd_fix_put24(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

/* TLS 1.2 Certificate body (RFC 5246 7.4.2):
 *   opaque ASN.1Cert<1..2^24-1>;  ASN.1Cert certificate_list<0..2^24-1>;
 * from the named fixture files (NULL-terminated). Free b.p. */
static inline struct tlsd_fix_blob tlsd_fix_cert_msg(const char *const *names)
{
	struct tlsd_fix_blob out = {0}, d;
	size_t total = 0;

	out.p = malloc(3);
	ck_assert(out.p != NULL);
	out.len = 3;
	for (size_t i = 0; names[i]; i++) {
		uint8_t *np;

		d = tlsd_fix_slurp(names[i]);
		np = realloc(out.p, out.len + 3 + d.len);
		ck_assert(np != NULL);
		out.p = np;
		tlsd_fix_put24(out.p + out.len, d.len);
		memcpy(out.p + out.len + 3, d.p, d.len);
		out.len += 3 + d.len;
		total += 3 + d.len;
		free(d.p);
	}
	tlsd_fix_put24(out.p, total);
	return out;
}

/* Findings for the chain made of the named fixture files. */
static inline void tlsd_fix_findings(struct tlsd_cert_store *s, const char *const *names,
				     const char *sni, int64_t t, struct tlsd_chain_findings *out)
{
	struct tlsd_fix_blob b[TLSD_CERT_MAX_CHAIN];
	struct tlsd_cur ders[TLSD_CERT_MAX_CHAIN];
	struct tlsd_cert_query q = {.ders = ders, .capture_time_s = t, .expiry_warning_days = 14};
	size_t n = 0;

	for (; names[n] && n < TLSD_CERT_MAX_CHAIN; n++) {
		b[n] = tlsd_fix_slurp(names[n]);
		tlsd_cur_init(&ders[n], b[n].p, b[n].len);
	}
	q.n = n;
	q.sni = (const uint8_t *)sni;
	q.sni_len = sni ? strlen(sni) : 0;
	ck_assert_int_eq(tlsd_cert_check_chain(s, &q, out), 0);
	for (size_t i = 0; i < n; i++)
		free(b[i].p);
}

#endif
