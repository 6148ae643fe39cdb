/* Unit tests for the certificate and ServerKeyExchange checks. Fixtures are
 * made by tests/certs/make.sh with fixed validity dates (see its header);
 * certificates with NUL bytes and huge SAN lists are built here with
 * libcrypto. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tlsd/cert.h"
#include "tlsd/tls_handshake.h"

#include "cert_fixtures.h"

#define CERTS TLSD_FIX_CERTS

/* Capture times (Unix seconds, UTC). */
#define T_2024_06_01 INT64_C(1717200000)
#define T_2025_06_01 INT64_C(1748736000) /* the default: everything "good" is valid */
#define T_2025_06_05 INT64_C(1749081600)
#define T_2025_06_11 INT64_C(1749600000)
#define T_2026_12_25 INT64_C(1798156800)
#define T_2027_06_01 INT64_C(1811808000)
#define T_2025_01_01 INT64_C(1735689600)

/* The fixture loader shared with the session and diagnosis suites. */
static struct tlsd_fix_blob slurp(const char *name)
{
	return tlsd_fix_slurp(name);
}

static struct tlsd_cert_store *store_for(const char *ca_pem)
{
	struct tlsd_cert_opts o;
	struct tlsd_cert_store *s;
	char path[512], err[256] = "";

	tlsd_cert_opts_default(&o);
	snprintf(path, sizeof(path), CERTS "%s", ca_pem);
	o.ca_file = path;
	s = tlsd_cert_store_new(&o, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	return s;
}

static struct tlsd_chain_findings F; /* large: not on the stack */

/* Checks the chain made of the named fixture files. */
static void run(struct tlsd_cert_store *s, const char *const *names, const char *sni, int64_t t,
		struct tlsd_chain_findings *out)
{
	struct tlsd_fix_blob b[TLSD_CERT_MAX_CHAIN];
	struct tlsd_cur ders[TLSD_CERT_MAX_CHAIN];
	struct tlsd_cert_query q = {.ders = ders, .capture_time_s = t, .expiry_warning_days = 14};
	size_t n = 0;

	for (; names[n]; n++) {
		b[n] = slurp(names[n]);
		tlsd_cur_init(&ders[n], b[n].p, b[n].len);
	}
	q.n = n;
	q.sni = (const uint8_t *)sni;
	q.sni_len = sni ? strlen(sni) : 0;
	ck_assert_int_eq(tlsd_cert_check_chain(s, &q, out), 0);
	for (size_t i = 0; i < n; i++)
		free(b[i].p);
}

static const struct tlsd_cert_finding *find(const struct tlsd_chain_findings *f,
					    enum tlsd_cert_code c)
{
	for (size_t i = 0; i < f->n_findings; i++)
		if (f->findings[i].code == c)
			return &f->findings[i];
	return NULL;
}

static void dump(const struct tlsd_chain_findings *f)
{
	for (size_t i = 0; i < f->n_findings; i++)
		fprintf(stderr, "  %s pos %d: %s | %s\n", tlsd_cert_code_name(f->findings[i].code),
			f->findings[i].position, f->findings[i].text, f->findings[i].evidence);
}

/* ---- one finding per fixture (table) ------------------------------------ */

#define NONE (-1)

static const struct finding_case {
	const char *label;
	const char *chain[5];
	const char *ca;
	const char *sni;
	int64_t t;
	int want;                 /* enum tlsd_cert_code, or NONE: no finding at all */
	enum tlsd_cert_severity sev;
	int pos;
	const char *evidence;     /* substring of the evidence */
	bool verified;
} finding_cases[] = {
	{"good chain", {"good.der", "inter.der"}, "root.pem", "server.test", T_2025_06_01, NONE,
	 0, 0, NULL, true},
	{"good chain with root sent", {"good.der", "inter.der", "root.der"}, "root.pem",
	 "server.test", T_2025_06_01, NONE, 0, 0, NULL, true},
	{"expired", {"expired.der", "inter.der"}, "root.pem", "expired.test", T_2025_06_01,
	 TLSD_CERT_EXPIRED, TLSD_CERT_SEV_ERROR, 0,
	 "notBefore 2020-01-01T00:00:00Z, notAfter 2021-01-01T00:00:00Z, capture time "
	 "2025-06-01T00:00:00Z",
	 true},
	{"not yet valid", {"notyet.der", "inter.der"}, "root.pem", "notyet.test", T_2025_06_01,
	 TLSD_CERT_NOT_YET_VALID, TLSD_CERT_SEV_ERROR, 0, "notBefore 2030-01-01T00:00:00Z", true},
	{"wrong host", {"wronghost.der", "inter.der"}, "root.pem", "server.test", T_2025_06_01,
	 TLSD_CERT_HOSTNAME_MISMATCH, TLSD_CERT_SEV_ERROR, 0,
	 "SNI \"server.test\"; certificate covers: other.test", true},
	{"CN only, other name", {"cnonly.der", "inter.der"}, "root.pem", "server.test",
	 T_2025_06_01, TLSD_CERT_HOSTNAME_MISMATCH, TLSD_CERT_SEV_ERROR, 0,
	 "no DNS subjectAltName, subject CN: cnonly.test", true},
	{"CN only, its name", {"cnonly.der", "inter.der"}, "root.pem", "cnonly.test", T_2025_06_01,
	 NONE, 0, 0, NULL, true},
	{"self-signed", {"selfsigned.der"}, "root.pem", "selfsigned.test", T_2025_06_01,
	 TLSD_CERT_SELF_SIGNED, TLSD_CERT_SEV_ERROR, 0, "CN=selfsigned.test", false},
	{"self-signed is untrusted", {"selfsigned.der"}, "root.pem", "selfsigned.test",
	 T_2025_06_01, TLSD_CERT_UNTRUSTED, TLSD_CERT_SEV_ERROR, -1, "self-signed certificate",
	 false},
	{"missing intermediate", {"good.der"}, "root.pem", "server.test", T_2025_06_01,
	 TLSD_CERT_MISSING_INTERMEDIATE, TLSD_CERT_SEV_ERROR, 0,
	 "issuer \"O=tlsdiag,CN=tlsdiag Test Intermediate CA\" of \"CN=server.test\" is neither",
	 false},
	{"unknown CA", {"good.der", "inter.der"}, "other-root.pem", "server.test", T_2025_06_01,
	 TLSD_CERT_UNTRUSTED, TLSD_CERT_SEV_ERROR, -1,
	 "OpenSSL: unable to get local issuer certificate (error 20 at depth 1: "
	 "\"O=tlsdiag,CN=tlsdiag Test Intermediate CA\", issued by \"O=tlsdiag,CN=tlsdiag Test "
	 "Root CA\")",
	 false},
	{"unknown root sent", {"good.der", "inter.der", "root.der"}, "other-root.pem",
	 "server.test", T_2025_06_01, TLSD_CERT_UNTRUSTED, TLSD_CERT_SEV_ERROR, -1,
	 "self-signed certificate in certificate chain", false},
	{"chain order", {"good.der", "root.der", "inter.der"}, "root.pem", "server.test",
	 T_2025_06_01, TLSD_CERT_CHAIN_ORDER_INVALID, TLSD_CERT_SEV_WARNING, 1,
	 "certificate 0 \"CN=server.test\" is issued by \"O=tlsdiag,CN=tlsdiag Test "
	 "Intermediate CA\", which is certificate 2, but certificate 1 is \"O=tlsdiag,CN=tlsdiag "
	 "Test Root CA\"",
	 true},
	{"RSA 1024", {"weakrsa.der", "inter.der"}, "root.pem", "weak.test", T_2025_06_01,
	 TLSD_CERT_WEAK_KEY, TLSD_CERT_SEV_ERROR, 0, "RSA key of 1024 bits (minimum 2048)", true},
	{"EC P-224", {"ec224.der", "inter.der"}, "root.pem", "ec224.test", T_2025_06_01,
	 TLSD_CERT_WEAK_KEY, TLSD_CERT_SEV_WARNING, 0, "EC key on secp224r1, 224 bits", true},
	{"SHA-1 signed", {"sha1.der", "inter.der"}, "root.pem", "sha1.test", T_2025_06_01,
	 TLSD_CERT_WEAK_SIGNATURE_ALGORITHM, TLSD_CERT_SEV_ERROR, 0,
	 "\"CN=sha1.test\" is signed with sha1WithRSAEncryption", true},
	{"expires soon", {"short.der", "inter.der"}, "root.pem", "short.test", T_2025_06_05,
	 TLSD_CERT_EXPIRES_SOON, TLSD_CERT_SEV_WARNING, 0, "notAfter 2025-06-10T00:00:00Z", true},
	{"ECDSA", {"ecdsa.der", "inter.der"}, "root.pem", "ecdsa.test", T_2025_06_01, NONE, 0, 0,
	 NULL, true},
	{"Ed25519", {"ed25519.der", "inter.der"}, "root.pem", "ed25519.test", T_2025_06_01, NONE,
	 0, 0, NULL, true},
	{"Ed448", {"ed448.der", "inter.der"}, "root.pem", "ed448.test", T_2025_06_01, NONE, 0, 0,
	 NULL, true},
	{"RSA-PSS key", {"rsapss.der", "inter.der"}, "root.pem", "rsapss.test", T_2025_06_01, NONE,
	 0, 0, NULL, true},
	{"big SAN, last name", {"bigsan.der", "inter.der"}, "root.pem", "name-398.bigsan.test",
	 T_2025_06_01, NONE, 0, 0, NULL, true},
	{"big SAN, other name", {"bigsan.der", "inter.der"}, "root.pem", "server.test",
	 T_2025_06_01, TLSD_CERT_HOSTNAME_MISMATCH, TLSD_CERT_SEV_ERROR, 0, "(and 384 more)", true},
};

START_TEST(tc_findings)
{
	const struct finding_case *c = &finding_cases[_i];
	struct tlsd_cert_store *s = store_for(c->ca);
	const struct tlsd_cert_finding *d;

	run(s, c->chain, c->sni, c->t, &F);
	if (c->want == NONE) {
		if (F.n_findings)
			dump(&F);
		ck_assert_msg(F.n_findings == 0, "%s: unexpected findings", c->label);
	} else {
		d = find(&F, (enum tlsd_cert_code)c->want);
		if (!d) {
			dump(&F);
			ck_abort_msg("%s: no %s", c->label,
				     tlsd_cert_code_name((enum tlsd_cert_code)c->want));
			return;
		}
		ck_assert_int_eq(d->severity, c->sev);
		ck_assert_int_eq(d->position, c->pos);
		ck_assert_msg(strstr(d->evidence, c->evidence) != NULL, "%s: evidence \"%s\"",
			      c->label, d->evidence);
		ck_assert(d->text[0] != '\0');
	}
	ck_assert_msg(F.verified == c->verified, "%s: verified %d (%s)", c->label, F.verified,
		      F.verify_error_text);
	tlsd_cert_store_free(s);
}
END_TEST

/* missing_intermediate explains the failure: no second, vaguer finding. */
START_TEST(tc_missing_intermediate_alone)
{
	static const char *const chain[] = {"good.der", NULL};
	struct tlsd_cert_store *s = store_for("root.pem");

	run(s, chain, "server.test", T_2025_06_01, &F);
	ck_assert_uint_eq(F.n_findings, 1);
	ck_assert_int_eq(F.verify_error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	ck_assert_str_eq(F.verify_error_text, "unable to get local issuer certificate");
	ck_assert_ptr_null(find(&F, TLSD_CERT_UNTRUSTED));
	tlsd_cert_store_free(s);
}
END_TEST

/* An unknown CA is not a missing intermediate. */
START_TEST(tc_unknown_ca_alone)
{
	static const char *const chain[] = {"good.der", "inter.der", NULL};
	struct tlsd_cert_store *s = store_for("other-root.pem");

	run(s, chain, "server.test", T_2025_06_01, &F);
	ck_assert_ptr_null(find(&F, TLSD_CERT_MISSING_INTERMEDIATE));
	ck_assert_uint_eq(F.n_findings, 1);
	ck_assert_int_eq(F.verify_error_depth, 1);
	tlsd_cert_store_free(s);
}
END_TEST

START_TEST(tc_cert_info)
{
	static const char *const chain[] = {"good.der", "inter.der", NULL};
	struct tlsd_cert_store *s = store_for("root.pem");
	const struct tlsd_cert_info *leaf = &F.certs[0], *ca = &F.certs[1];

	run(s, chain, "server.test", T_2025_06_01, &F);
	ck_assert_uint_eq(F.n_sent, 2);
	ck_assert_uint_eq(F.n_certs, 2);
	ck_assert(!F.chain_truncated);
	ck_assert(F.host_checked);
	ck_assert(leaf->parsed);
	ck_assert_int_eq(leaf->position, 0);
	ck_assert_int_eq(ca->position, 1);
	ck_assert_str_eq(leaf->subject, "CN=server.test");
	ck_assert_str_eq(leaf->issuer, "O=tlsdiag,CN=tlsdiag Test Intermediate CA");
	ck_assert_str_eq(leaf->serial, "1000");
	ck_assert(leaf->times_valid);
	ck_assert_int_eq(leaf->not_before, T_2025_01_01);
	ck_assert_int_eq(leaf->not_after, INT64_C(1798761600)); /* 2027-01-01 */
	ck_assert_str_eq(leaf->key_type, "RSA");
	ck_assert_int_eq(leaf->key_bits, 2048);
	ck_assert_str_eq(leaf->sig_alg, "sha256WithRSAEncryption");
	ck_assert_uint_eq(strlen(leaf->sha256), 64);
	ck_assert_uint_eq(leaf->n_dns, 2);
	ck_assert_str_eq(leaf->dns[0], "server.test");
	ck_assert_str_eq(leaf->dns[1], "*.wild.test");
	ck_assert_uint_eq(leaf->n_ips, 1);
	ck_assert_str_eq(leaf->ips[0], "192.0.2.7");
	ck_assert_uint_eq(leaf->n_san_total, 3);
	ck_assert(!leaf->san_truncated);
	ck_assert(!leaf->self_signed);
	ck_assert(!leaf->is_ca);
	ck_assert(!leaf->aia_ca_issuers);
	ck_assert(ca->is_ca);
	ck_assert(!ca->self_signed);
	tlsd_cert_store_free(s);
}
END_TEST

/* caIssuers is what tells "a private CA without a published issuer" from
 * "a public chain the server forgot to send"; an OCSP-only AIA is not it. */
START_TEST(tc_cert_info_aia)
{
	static const char *const chain[] = {"aia.der", NULL};
	struct tlsd_cert_store *s = store_for("root.pem");

	run(s, chain, "aia.test", T_2025_06_01, &F);
	ck_assert_uint_eq(F.n_certs, 1);
	ck_assert(F.certs[0].parsed);
	ck_assert(F.certs[0].aia_ca_issuers);
	tlsd_cert_store_free(s);
}
END_TEST

START_TEST(tc_key_types)
{
	static const struct {
		const char *file, *type, *group;
		int bits;
	} keys[] = {
		{"ecdsa.der", "EC", "prime256v1", 256}, {"ed25519.der", "Ed25519", "", 256},
		{"ed448.der", "Ed448", "", 456},        {"rsapss.der", "RSA-PSS", "", 2048},
		{"weakrsa.der", "RSA", "", 1024},       {"ec224.der", "EC", "secp224r1", 224},
	};
	struct tlsd_cert_store *s = store_for("root.pem");

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(keys); i++) {
		const char *chain[] = {keys[i].file, NULL};

		run(s, chain, NULL, T_2025_06_01, &F);
		ck_assert_str_eq(F.certs[0].key_type, keys[i].type);
		ck_assert_str_eq(F.certs[0].key_group, keys[i].group);
		ck_assert_int_eq(F.certs[0].key_bits, keys[i].bits);
		ck_assert(!F.host_checked);
	}
	tlsd_cert_store_free(s);
}
END_TEST

START_TEST(tc_big_san)
{
	static const char *const chain[] = {"bigsan.der", "inter.der", NULL};
	struct tlsd_cert_store *s = store_for("root.pem");

	run(s, chain, "name-5.bigsan.test", T_2025_06_01, &F);
	ck_assert_uint_eq(F.n_findings, 0);
	ck_assert_uint_eq(F.certs[0].n_dns, TLSD_CERT_MAX_DNS);
	ck_assert_uint_eq(F.certs[0].n_san_total, 400);
	ck_assert(F.certs[0].san_truncated);
	tlsd_cert_store_free(s);
}
END_TEST

/* RFC 6125 through X509_check_host: wildcards cover exactly one label. */
static const struct {
	const char *sni;
	bool match;
} host_cases[] = {
	{"server.test", true},    {"SERVER.Test", true},       {"server.test.", true},
	{"a.wild.test", true},    {"a.b.wild.test", false},    {"wild.test", false},
	{"xserver.test", false},  {"192.0.2.7", true},         {"192.0.2.8", false},
	{"2001:db8::1", false},   {"server.test..", false},    {"a_b.wild.test", false},
};

START_TEST(tc_host)
{
	static const char *const chain[] = {"good.der", "inter.der", NULL};
	struct tlsd_cert_store *s = store_for("root.pem");

	run(s, chain, host_cases[_i].sni, T_2025_06_01, &F);
	ck_assert_msg((find(&F, TLSD_CERT_HOSTNAME_MISMATCH) == NULL) == host_cases[_i].match,
		      "%s", host_cases[_i].sni);
	tlsd_cert_store_free(s);
}
END_TEST

/* An SNI with a NUL or control byte never matches and is escaped. */
START_TEST(tc_host_hostile_sni)
{
	static const char *const chain[] = {"good.der", "inter.der", NULL};
	static const uint8_t sni[] = "server.test\0.evil\x1b";
	struct tlsd_cert_store *s = store_for("root.pem");
	struct tlsd_fix_blob b[2] = {slurp(chain[0]), slurp(chain[1])};
	struct tlsd_cur ders[2];
	struct tlsd_cert_query q = {.ders = ders, .n = 2, .sni = sni, .sni_len = sizeof(sni) - 1,
				    .capture_time_s = T_2025_06_01};
	const struct tlsd_cert_finding *d;

	tlsd_cur_init(&ders[0], b[0].p, b[0].len);
	tlsd_cur_init(&ders[1], b[1].p, b[1].len);
	ck_assert_int_eq(tlsd_cert_check_chain(s, &q, &F), 0);
	d = find(&F, TLSD_CERT_HOSTNAME_MISMATCH);
	ck_assert_ptr_nonnull(d);
	ck_assert_msg(strstr(d->evidence, "SNI \"server.test\\x00.evil\\x1b\"") != NULL, "%s",
		      d->evidence);
	/* a client chain is never compared with the SNI */
	q.client_chain = true;
	ck_assert_int_eq(tlsd_cert_check_chain(s, &q, &F), 0);
	ck_assert(!F.host_checked);
	ck_assert_ptr_null(find(&F, TLSD_CERT_HOSTNAME_MISMATCH));
	free(b[0].p);
	free(b[1].p);
	tlsd_cert_store_free(s);
}
END_TEST

/* The verdict depends on the capture time only, never on today's date; the
 * caches must not carry one time's answer over to another. */
START_TEST(tc_capture_time)
{
	static const char *const chain[] = {"good.der", "inter.der", NULL};
	static const char *const short_chain[] = {"short.der", "inter.der", NULL};
	static const struct {
		int64_t t;
		int want;
	} steps[] = {
		{T_2025_06_01, NONE},
		{T_2024_06_01, TLSD_CERT_NOT_YET_VALID},
		{T_2027_06_01, TLSD_CERT_EXPIRED},
		{T_2026_12_25, TLSD_CERT_EXPIRES_SOON},
		{T_2025_06_01, NONE},
		{T_2025_06_01 + 3600, NONE},
	};
	struct tlsd_cert_store *s = store_for("root.pem");

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(steps); i++) {
		run(s, chain, "server.test", steps[i].t, &F);
		if (steps[i].want == NONE) {
			ck_assert_uint_eq(F.n_findings, 0);
		} else {
			ck_assert_uint_eq(F.n_findings, 1);
			ck_assert_int_eq(F.findings[0].code, steps[i].want);
		}
		ck_assert(F.verified);
	}
	/* to the second, whatever the caches hold for that day */
	run(s, short_chain, "short.test", T_2025_06_11 - INT64_C(2) * 86400, &F);
	ck_assert_ptr_nonnull(find(&F, TLSD_CERT_EXPIRES_SOON));
	run(s, short_chain, "short.test", T_2025_06_11 - 86400, &F); /* notAfter, 2025-06-10 */
	ck_assert_ptr_nonnull(find(&F, TLSD_CERT_EXPIRES_SOON));
	ck_assert_ptr_null(find(&F, TLSD_CERT_EXPIRED));
	run(s, short_chain, "short.test", T_2025_06_11 - 86400 + 1, &F);
	ck_assert_ptr_nonnull(find(&F, TLSD_CERT_EXPIRED));
	ck_assert_ptr_null(find(&F, TLSD_CERT_EXPIRES_SOON));
	run(s, short_chain, "short.test", T_2025_06_11, &F);
	ck_assert_ptr_nonnull(find(&F, TLSD_CERT_EXPIRED));
	tlsd_cert_store_free(s);
}
END_TEST

/* A store that trusts a self-signed certificate: still reported, as a warning. */
START_TEST(tc_self_signed_trusted)
{
	static const char *const chain[] = {"selfsigned.der", NULL};
	char path[] = "/tmp/tlsd-cert-XXXXXX";
	struct tlsd_fix_blob b = slurp("selfsigned.der");
	const unsigned char *p = b.p;
	X509 *x = d2i_X509(NULL, &p, (long)b.len);
	struct tlsd_cert_opts o;
	struct tlsd_cert_store *s;
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(f);
	ck_assert(PEM_write_X509(f, x) == 1);
	fclose(f);
	tlsd_cert_opts_default(&o);
	o.ca_file = path;
	s = tlsd_cert_store_new(&o, NULL, 0);
	unlink(path);
	ck_assert_ptr_nonnull(s);
	run(s, chain, "selfsigned.test", T_2025_06_01, &F);
	ck_assert(F.verified);
	ck_assert_uint_eq(F.n_findings, 1);
	ck_assert_int_eq(F.findings[0].code, TLSD_CERT_SELF_SIGNED);
	ck_assert_int_eq(F.findings[0].severity, TLSD_CERT_SEV_WARNING);
	X509_free(x);
	free(b.p);
	tlsd_cert_store_free(s);
}
END_TEST

START_TEST(tc_store_errors)
{
	struct tlsd_cert_opts o;
	struct tlsd_cert_store *s;
	char err[256] = "";

	tlsd_cert_opts_default(&o);
	o.ca_file = CERTS "does-not-exist.pem";
	ck_assert_ptr_null(tlsd_cert_store_new(&o, err, sizeof(err)));
	ck_assert_msg(strstr(err, "does-not-exist.pem") != NULL, "%s", err);
	o.ca_file = CERTS "ske-data.bin"; /* no certificate in it */
	err[0] = '\0';
	ck_assert_ptr_null(tlsd_cert_store_new(&o, err, sizeof(err)));
	ck_assert(err[0] != '\0');
	s = tlsd_cert_store_new(NULL, err, sizeof(err)); /* the system store */
	ck_assert_ptr_nonnull(s);
	tlsd_cert_store_free(s);
	tlsd_cert_store_free(NULL);
}
END_TEST

/* The system store (no --ca-file/--ca-path): read through OpenSSL's hashed
 * directory (SSL_CERT_DIR) when the CA file is the default bundle, loaded
 * from SSL_CERT_FILE at the first chain when that names another file. */
static void hash_link(const char *dir, const char *pem)
{
	char src[512], dst[600];
	FILE *in, *out;
	X509 *x;

	snprintf(src, sizeof(src), CERTS "%s", pem);
	in = fopen(src, "r");
	ck_assert_ptr_nonnull(in);
	x = PEM_read_X509(in, NULL, NULL, NULL);
	fclose(in);
	ck_assert_ptr_nonnull(x);
	snprintf(dst, sizeof(dst), "%s/%08lx.0", dir, X509_subject_name_hash(x));
	out = fopen(dst, "w");
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(PEM_write_X509(out, x), 1);
	fclose(out);
	X509_free(x);
}

static void unlink_all(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(tc_system_store)
{
	static const char *const chain[] = {"good.der", "inter.der", NULL};
	char dir[] = "/tmp/tlsd-certdir.XXXXXX", empty[] = "/tmp/tlsd-certdir.XXXXXX";
	char *old_file = getenv("SSL_CERT_FILE"), *old_dir = getenv("SSL_CERT_DIR");
	struct tlsd_cert_store *s;
	char err[256] = "";

	old_file = old_file ? strdup(old_file) : NULL;
	old_dir = old_dir ? strdup(old_dir) : NULL;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_ptr_nonnull(mkdtemp(empty));
	/* the hashed directory holds the root: the chain verifies */
	hash_link(dir, "root.pem");
	unsetenv("SSL_CERT_FILE");
	setenv("SSL_CERT_DIR", dir, 1);
	s = tlsd_cert_store_new(NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	run(s, chain, "server.test", T_2025_06_01, &F);
	ck_assert_msg(F.verified, "%s", F.verify_error_text);
	ck_assert_ptr_null(find(&F, TLSD_CERT_UNTRUSTED));
	tlsd_cert_store_free(s);
	/* another root only: unknown CA, and the evidence names the store */
	unlink_all(dir);
	ck_assert_ptr_nonnull(mkdtemp(strcpy(dir, "/tmp/tlsd-certdir.XXXXXX")));
	hash_link(dir, "other-root.pem");
	setenv("SSL_CERT_DIR", dir, 1);
	s = tlsd_cert_store_new(NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	run(s, chain, "server.test", T_2025_06_01, &F);
	ck_assert(!F.verified);
	ck_assert_ptr_nonnull(find(&F, TLSD_CERT_UNTRUSTED));
	ck_assert_ptr_nonnull(strstr(find(&F, TLSD_CERT_UNTRUSTED)->evidence,
				     "the system trust store"));
	tlsd_cert_store_free(s);
	/* SSL_CERT_FILE names another file: it is loaded (at the first chain) */
	setenv("SSL_CERT_FILE", CERTS "root.pem", 1);
	setenv("SSL_CERT_DIR", empty, 1);
	s = tlsd_cert_store_new(NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	run(s, chain, "server.test", T_2025_06_01, &F);
	ck_assert_msg(F.verified, "%s", F.verify_error_text);
	tlsd_cert_store_free(s);
	unlink_all(dir);
	unlink_all(empty);
	if (old_file)
		setenv("SSL_CERT_FILE", old_file, 1);
	else
		unsetenv("SSL_CERT_FILE");
	if (old_dir)
		setenv("SSL_CERT_DIR", old_dir, 1);
	else
		unsetenv("SSL_CERT_DIR");
	free(old_file);
	free(old_dir);
}
END_TEST

START_TEST(tc_einval_untouched)
{
	struct tlsd_cert_store *s = store_for("root.pem");
	struct tlsd_cert_query q = {.capture_time_s = T_2025_06_01};
	struct tlsd_cur der;

	memset(&F, 0xa5, sizeof(F));
	ck_assert_int_eq(tlsd_cert_check_chain(s, &q, &F), -EINVAL);
	q.ders = &der;
	ck_assert_int_eq(tlsd_cert_check_chain(s, &q, &F), -EINVAL);
	ck_assert_int_eq(tlsd_cert_check_chain(NULL, &q, &F), -EINVAL);
	ck_assert_uint_eq(F.n_sent, 0xa5a5a5a5u);
	tlsd_cert_store_free(s);
}
END_TEST

/* ---- hostile DER ---------------------------------------------------------- */

static void check_one(struct tlsd_cert_store *s, const uint8_t *p, size_t len)
{
	struct tlsd_cur der;
	struct tlsd_cert_query q = {.ders = &der, .n = 1, .sni = (const uint8_t *)"server.test",
				    .sni_len = 11, .capture_time_s = T_2025_06_01};

	tlsd_cur_init(&der, p, len);
	ck_assert_int_eq(tlsd_cert_check_chain(s, &q, &F), 0);
}

/* Every prefix of a certificate is refused cleanly, with or without cache. */
START_TEST(tc_truncated_every_length)
{
	struct tlsd_fix_blob b = slurp("good.der");
	struct tlsd_cert_opts o;
	struct tlsd_cert_store *s;
	char err[256];

	tlsd_cert_opts_default(&o);
	o.ca_file = CERTS "root.pem";
	o.cache_certs = _i ? 64 : 0;
	s = tlsd_cert_store_new(&o, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	for (size_t len = 0; len < b.len; len++) {
		check_one(s, b.p, len);
		ck_assert_msg(!F.certs[0].parsed, "prefix %zu parsed", len);
		ck_assert_uint_eq(F.n_findings, 1);
		ck_assert_int_eq(F.findings[0].code, TLSD_CERT_MALFORMED);
		ck_assert_int_eq(F.findings[0].position, 0);
	}
	check_one(s, b.p, b.len);
	ck_assert(F.certs[0].parsed);
	ck_assert_uint_eq(F.n_findings, 1); /* missing_intermediate */
	free(b.p);
	tlsd_cert_store_free(s);
}
END_TEST

START_TEST(tc_hostile_der)
{
	/* SEQUENCE claiming 2^31-1 bytes; SEQUENCE with a 9-byte length. */
	static const uint8_t absurd[] = {0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30, 0x00};
	static const uint8_t long_len[] = {0x30, 0x89, 0x01, 0x00, 0x00, 0x00, 0x00,
					   0x00, 0x00, 0x00, 0x00, 0x02};
	static const uint8_t empty_seq[] = {0x30, 0x00};
	struct tlsd_cert_store *s = store_for("root.pem");
	struct tlsd_fix_blob good = slurp("good.der");
	uint8_t *big = calloc(1, TLSD_CERT_MAX_DER + 1), *trail = malloc(good.len + 1);
	uint32_t x = 12345;

	ck_assert_ptr_nonnull(big);
	ck_assert_ptr_nonnull(trail);
	check_one(s, absurd, sizeof(absurd));
	ck_assert_int_eq(F.findings[0].code, TLSD_CERT_MALFORMED);
	check_one(s, long_len, sizeof(long_len));
	ck_assert_int_eq(F.findings[0].code, TLSD_CERT_MALFORMED);
	check_one(s, empty_seq, sizeof(empty_seq));
	ck_assert_int_eq(F.findings[0].code, TLSD_CERT_MALFORMED);
	check_one(s, NULL, 0);
	ck_assert_int_eq(F.findings[0].code, TLSD_CERT_MALFORMED);
	/* over the cap: not parsed, not blamed on the peer */
	memcpy(big, good.p, good.len);
	check_one(s, big, TLSD_CERT_MAX_DER + 1);
	ck_assert(F.certs[0].too_large);
	ck_assert(!F.certs[0].parsed);
	ck_assert_uint_eq(F.n_findings, 0);
	/* one byte after the DER */
	memcpy(trail, good.p, good.len);
	trail[good.len] = 0;
	check_one(s, trail, good.len + 1);
	ck_assert_int_eq(F.findings[0].code, TLSD_CERT_MALFORMED);
	ck_assert_msg(strstr(F.findings[0].evidence, "1 bytes after") != NULL, "%s",
		      F.findings[0].evidence);
	/* garbage, and a certificate with random bytes flipped */
	for (int round = 0; round < 400; round++) {
		size_t len = 1 + round * 7 % 1500;

		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			big[i] = (uint8_t)(x >> 16);
		}
		check_one(s, big, len);
		memcpy(trail, good.p, good.len);
		x = x * 1103515245u + 12345u;
		trail[(x >> 8) % good.len] ^= (uint8_t)(1 + (x & 0x7f));
		check_one(s, trail, good.len);
	}
	free(big);
	free(trail);
	free(good.p);
	tlsd_cert_store_free(s);
}
END_TEST

/* A broken intermediate does not stop the leaf's checks. */
START_TEST(tc_malformed_intermediate)
{
	struct tlsd_cert_store *s = store_for("root.pem");
	struct tlsd_fix_blob good = slurp("good.der");
	static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
	struct tlsd_cur ders[2];
	struct tlsd_cert_query q = {.ders = ders, .n = 2, .capture_time_s = T_2025_06_01};
	const struct tlsd_cert_finding *d;

	tlsd_cur_init(&ders[0], good.p, good.len);
	tlsd_cur_init(&ders[1], junk, sizeof(junk));
	ck_assert_int_eq(tlsd_cert_check_chain(s, &q, &F), 0);
	d = find(&F, TLSD_CERT_MALFORMED);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->position, 1);
	ck_assert_ptr_nonnull(find(&F, TLSD_CERT_MISSING_INTERMEDIATE));
	free(good.p);
	tlsd_cert_store_free(s);
}
END_TEST

START_TEST(tc_chain_cap)
{
	struct tlsd_cert_store *s = store_for("root.pem");
	struct tlsd_fix_blob good = slurp("good.der"), inter = slurp("inter.der");
	struct tlsd_cur ders[TLSD_CERT_MAX_CHAIN + 3];
	struct tlsd_cert_query q = {.ders = ders, .n = TLSD_ARRAY_SIZE(ders),
				    .capture_time_s = T_2025_06_01};

	tlsd_cur_init(&ders[0], good.p, good.len);
	for (size_t i = 1; i < TLSD_ARRAY_SIZE(ders); i++)
		tlsd_cur_init(&ders[i], inter.p, inter.len);
	ck_assert_int_eq(tlsd_cert_check_chain(s, &q, &F), 0);
	ck_assert_uint_eq(F.n_sent, TLSD_CERT_MAX_CHAIN + 3);
	ck_assert_uint_eq(F.n_certs, TLSD_CERT_MAX_CHAIN);
	ck_assert(F.chain_truncated);
	ck_assert(F.verified);
	free(good.p);
	free(inter.p);
	tlsd_cert_store_free(s);
}
END_TEST

/* A self-signed certificate for pk with raw bytes in its names, built with
 * libcrypto (no hand-written DER). n_dns extra SAN dNSNames. */
static struct tlsd_fix_blob make_cert_for(EVP_PKEY *pk, const uint8_t *cn, size_t cn_len,
					  const uint8_t *dns, size_t dns_len, int n_dns)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	struct tlsd_fix_blob b = {0};
	unsigned char *out = NULL;
	int len;

	ck_assert(pk && x && name && gens);
	for (int i = -1; i < n_dns; i++) {
		GENERAL_NAME *g = GENERAL_NAME_new();
		ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
		char buf[64];

		ck_assert(g && ia5);
		if (i < 0) {
			ck_assert(ASN1_STRING_set(ia5, dns, (int)dns_len));
		} else {
			snprintf(buf, sizeof(buf), "name-%d.huge.test", i);
			ck_assert(ASN1_STRING_set(ia5, buf, -1));
		}
		GENERAL_NAME_set0_value(g, GEN_DNS, ia5);
		ck_assert(sk_GENERAL_NAME_push(gens, g));
	}
	ck_assert(X509_NAME_add_entry_by_NID(name, NID_commonName, V_ASN1_UTF8STRING, cn,
					     (int)cn_len, -1, 0));
	ck_assert(X509_set_version(x, X509_VERSION_3));
	ck_assert(ASN1_INTEGER_set(X509_get_serialNumber(x), 7));
	ck_assert(X509_set_subject_name(x, name) && X509_set_issuer_name(x, name));
	ck_assert(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)T_2025_01_01));
	ck_assert(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)T_2027_06_01));
	ck_assert(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT));
	ck_assert(X509_set_pubkey(x, pk));
	ck_assert(X509_sign(x, pk, EVP_sha256()) > 0);
	len = i2d_X509(x, &out);
	ck_assert(len > 0);
	b.p = malloc((size_t)len);
	ck_assert_ptr_nonnull(b.p);
	memcpy(b.p, out, (size_t)len);
	b.len = (size_t)len;
	OPENSSL_free(out);
	GENERAL_NAMES_free(gens);
	X509_NAME_free(name);
	X509_free(x);
	return b;
}

/* make_cert_for with a new EC key. */
static struct tlsd_fix_blob make_cert(const uint8_t *cn, size_t cn_len, const uint8_t *dns,
				      size_t dns_len, int n_dns)
{
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	struct tlsd_fix_blob b;

	ck_assert_ptr_nonnull(pk);
	b = make_cert_for(pk, cn, cn_len, dns, dns_len, n_dns);
	EVP_PKEY_free(pk);
	return b;
}

START_TEST(tc_nul_in_names)
{
	static const uint8_t cn[] = "evil.test\0.server.test\x1b[31m\\x41\xc3\xa9";
	static const uint8_t dns[] = "server.test\0.evil.test";
	struct tlsd_cert_store *s = store_for("root.pem");
	struct tlsd_fix_blob b = make_cert(cn, sizeof(cn) - 1, dns, sizeof(dns) - 1, 0);
	const struct tlsd_cert_finding *d;

	check_one(s, b.p, b.len);
	ck_assert_str_eq(F.certs[0].subject,
			 "CN=evil.test\\x00.server.test\\x1b[31m\\\\x41\\xc3\\xa9");
	ck_assert_str_eq(F.certs[0].dns[0], "server.test\\x00.evil.test");
	ck_assert(F.certs[0].self_signed);
	d = find(&F, TLSD_CERT_HOSTNAME_MISMATCH); /* a NUL never matches */
	ck_assert_ptr_nonnull(d);
	ck_assert_msg(strstr(d->evidence, "covers: server.test\\x00.evil.test") != NULL, "%s",
		      d->evidence);
	for (size_t i = 0; i < F.n_findings; i++)
		for (const char *p = F.findings[i].evidence; *p; p++)
			ck_assert(*p >= 0x20 && *p <= 0x7e);
	free(b.p);
	tlsd_cert_store_free(s);
}
END_TEST

START_TEST(tc_huge_san)
{
	static const uint8_t cn[] = "huge.test";
	struct tlsd_cert_store *s = store_for("root.pem");
	struct tlsd_fix_blob b = make_cert(cn, sizeof(cn) - 1, (const uint8_t *)"huge.test", 9, 2500);
	struct tlsd_cur der;
	struct tlsd_cert_query q = {.ders = &der, .n = 1,
				    .sni = (const uint8_t *)"name-2499.huge.test", .sni_len = 19,
				    .capture_time_s = T_2025_06_01};

	ck_assert_uint_gt(b.len, 40000);
	ck_assert_uint_le(b.len, TLSD_CERT_MAX_DER);
	tlsd_cur_init(&der, b.p, b.len);
	ck_assert_int_eq(tlsd_cert_check_chain(s, &q, &F), 0);
	ck_assert(F.certs[0].parsed);
	ck_assert_uint_eq(F.certs[0].n_san_total, 2501);
	ck_assert_ptr_null(find(&F, TLSD_CERT_HOSTNAME_MISMATCH));
	q.sni = (const uint8_t *)"server.test";
	q.sni_len = 11;
	ck_assert_int_eq(tlsd_cert_check_chain(s, &q, &F), 0);
	ck_assert_ptr_nonnull(find(&F, TLSD_CERT_HOSTNAME_MISMATCH));
	ck_assert_uint_lt(strlen(find(&F, TLSD_CERT_HOSTNAME_MISMATCH)->evidence),
			  TLSD_CERT_EVIDENCE_LEN);
	free(b.p);
	tlsd_cert_store_free(s);
}
END_TEST

START_TEST(tc_escape)
{
	static const uint8_t raw[] = {'a', 0, 'b', '\\', 0x7f, 0xff, ' ', '~'};
	char out[64];

	ck_assert(tlsd_cert_escape(out, sizeof(out), raw, sizeof(raw)));
	ck_assert_str_eq(out, "a\\x00b\\x5c\\x7f\\xff ~");
	/* never splits an escape */
	ck_assert(!tlsd_cert_escape(out, 5, raw, sizeof(raw)));
	ck_assert_str_eq(out, "a");
	ck_assert(!tlsd_cert_escape(out, 6, raw, sizeof(raw)));
	ck_assert_str_eq(out, "a\\x00");
	ck_assert(tlsd_cert_escape(out, 1, raw, 0));
	ck_assert_str_eq(out, "");
	ck_assert(!tlsd_cert_escape(out, 0, raw, 1));
	tlsd_cert_format_time(out, sizeof(out), T_2025_06_01);
	ck_assert_str_eq(out, "2025-06-01T00:00:00Z");
	tlsd_cert_format_time(out, sizeof(out), INT64_MAX);
	ck_assert_str_eq(out, "?");
	ck_assert_str_eq(tlsd_cert_code_name(TLSD_CERT_UNTRUSTED), "server_certificate_untrusted");
	ck_assert_str_eq(tlsd_cert_code_name(TLSD_CERT_CODE_COUNT), "unknown");
}
END_TEST

/* The DER of a Name of (attribute, value) pairs, in this order. */
static size_t name_der(uint8_t *out, size_t cap, const char *const *av, size_t n)
{
	X509_NAME *nm = X509_NAME_new();
	unsigned char *p = NULL;
	int len;

	ck_assert_ptr_nonnull(nm);
	for (size_t i = 0; i + 1 < n; i += 2)
		ck_assert(X509_NAME_add_entry_by_txt(nm, av[i], MBSTRING_UTF8,
						     (const unsigned char *)av[i + 1], -1, -1, 0));
	len = i2d_X509_NAME(nm, &p);
	ck_assert_int_gt(len, 0);
	ck_assert_uint_le((size_t)len, cap);
	memcpy(out, p, (size_t)len);
	OPENSSL_free(p);
	X509_NAME_free(nm);
	return (size_t)len;
}

/* A TLS DistinguishedName in words, as subjects are written. */
START_TEST(tc_name_text)
{
	static const char *const root[] = {"O", "tlsdiag test", "CN", "tlsdiag Test Root CA"};
	static const char *const odd[] = {"CN", "a,bX"};
	uint8_t der[256], garbage[] = {0x30, 0x03, 0x02, 0x01, 0x01};
	char out[TLSD_CERT_NAME_LEN];
	struct tlsd_cur c;
	size_t n = name_der(der, sizeof(der), root, 4);

	tlsd_cur_init(&c, der, n);
	ck_assert(tlsd_cert_name_text(out, sizeof(out), &c));
	/* RFC 2253 order: the last RDN first, as "subject" is written. */
	ck_assert_str_eq(out, "CN=tlsdiag Test Root CA,O=tlsdiag test");
	/* Cut to fit. */
	ck_assert(tlsd_cert_name_text(out, 8, &c));
	ck_assert_str_eq(out, "CN=tlsd");

	/* Specials escaped by libcrypto, control bytes as \xNN. */
	n = name_der(der, sizeof(der), odd, 2);
	der[n - 1] = 0x01; /* the last character of the value */
	tlsd_cur_init(&c, der, n);
	ck_assert(tlsd_cert_name_text(out, sizeof(out), &c));
	ck_assert_str_eq(out, "CN=a\\,b\\x01");

	/* Not one whole Name: false, out untouched. */
	memset(out, 'z', sizeof(out));
	tlsd_cur_init(&c, der, n - 1);
	ck_assert(!tlsd_cert_name_text(out, sizeof(out), &c));
	ck_assert_int_eq(out[0], 'z');
	der[n] = 0;
	tlsd_cur_init(&c, der, n + 1); /* a byte after it */
	ck_assert(!tlsd_cert_name_text(out, sizeof(out), &c));
	tlsd_cur_init(&c, garbage, sizeof(garbage)); /* a SEQUENCE of an INTEGER */
	ck_assert(!tlsd_cert_name_text(out, sizeof(out), &c));
	tlsd_cur_init(&c, der, 0);
	ck_assert(!tlsd_cert_name_text(out, sizeof(out), &c));
	tlsd_cur_init(&c, der, n);
	ck_assert(!tlsd_cert_name_text(out, 0, &c));
	ck_assert_int_eq(out[0], 'z');
}
END_TEST

/* ---- caches ----------------------------------------------------------- */

START_TEST(tc_cache)
{
	static const char *const chains[][3] = {
		{"good.der", "inter.der", NULL},
		{"expired.der", "inter.der", NULL},
		{"ecdsa.der", "inter.der", NULL},
		{"wronghost.der", "inter.der", NULL},
	};
	struct tlsd_cert_opts o;
	struct tlsd_cert_store *cached, *plain;
	struct tlsd_cert_stats st;
	static struct tlsd_chain_findings G;

	tlsd_cert_opts_default(&o);
	o.ca_file = CERTS "root.pem";
	o.cache_certs = 3; /* smaller than one round: evictions */
	o.cache_verdicts = 2;
	cached = tlsd_cert_store_new(&o, NULL, 0);
	o.cache_certs = o.cache_verdicts = o.cache_chains = 0;
	plain = tlsd_cert_store_new(&o, NULL, 0);
	ck_assert(cached && plain);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < TLSD_ARRAY_SIZE(chains); i++) {
			run(cached, chains[i], "server.test", T_2025_06_01, &F);
			run(plain, chains[i], "server.test", T_2025_06_01, &G);
			ck_assert_uint_eq(F.n_findings, G.n_findings);
			for (size_t k = 0; k < F.n_findings; k++) {
				ck_assert_int_eq(F.findings[k].code, G.findings[k].code);
				ck_assert_str_eq(F.findings[k].evidence, G.findings[k].evidence);
			}
			ck_assert_str_eq(F.certs[0].sha256, G.certs[0].sha256);
			ck_assert_str_eq(F.certs[0].subject, G.certs[0].subject);
		}
	}
	tlsd_cert_store_stats(cached, &st);
	ck_assert_uint_gt(st.cert_evictions, 0);
	ck_assert_uint_gt(st.verdict_evictions, 0);
	tlsd_cert_store_stats(plain, &st);
	ck_assert_uint_eq(st.cert_hits, 0);
	tlsd_cert_store_free(cached);
	tlsd_cert_store_free(plain);
	/* default sizes: the second look is a hit for both caches */
	cached = store_for("root.pem");
	run(cached, chains[0], "server.test", T_2025_06_01, &F);
	run(cached, chains[0], "other.test", T_2025_06_01 + 60, &F);
	ck_assert_ptr_nonnull(find(&F, TLSD_CERT_HOSTNAME_MISMATCH));
	tlsd_cert_store_stats(cached, &st);
	ck_assert_uint_eq(st.cert_misses, 2);
	ck_assert_uint_eq(st.cert_hits, 2);
	ck_assert_uint_eq(st.verdict_misses, 1);
	ck_assert_uint_eq(st.verdict_hits, 1);
	tlsd_cert_store_free(cached);
}
END_TEST

/* The certificate cache's memory bound: what does not fit is not cached,
 * and what fits pushes the oldest out. */
START_TEST(tc_cache_bytes)
{
	static const char *const big[] = {"bigsan.der", NULL};
	static const char *const small[] = {"good.der", NULL};
	static const char *const other[] = {"ecdsa.der", NULL};
	struct tlsd_cert_opts o;
	struct tlsd_cert_store *s;
	struct tlsd_cert_stats st;

	tlsd_cert_opts_default(&o);
	o.ca_file = CERTS "root.pem";
	o.cache_bytes = 16000; /* one small certificate (about 8x its DER) */
	o.cache_chains = 0;    /* every check asks the certificate cache */
	s = tlsd_cert_store_new(&o, NULL, 0);
	ck_assert_ptr_nonnull(s);
	run(s, big, "bigsan.test", T_2025_06_01, &F);
	run(s, big, "bigsan.test", T_2025_06_01, &F);
	ck_assert_uint_eq(F.certs[0].n_san_total, 400);
	tlsd_cert_store_stats(s, &st);
	ck_assert_uint_eq(st.cert_hits, 0); /* too big to keep */
	run(s, small, "server.test", T_2025_06_01, &F);
	run(s, small, "server.test", T_2025_06_01, &F);
	tlsd_cert_store_stats(s, &st);
	ck_assert_uint_eq(st.cert_hits, 1);
	run(s, other, "ecdsa.test", T_2025_06_01, &F);
	tlsd_cert_store_stats(s, &st);
	ck_assert_uint_eq(st.cert_evictions, 1);
	tlsd_cert_store_free(s);
}
END_TEST

/* ---- the chain-answer cache (tlsd_cert_check_chain_shared) ------------- */

#define T_2027_01_01 INT64_C(1798761600) /* good.der's notAfter, to the second */

/* One query of the chain-answer tests: the chain by fixture names. */
struct ask {
	const char *const *chain;
	const char *sni;
	int64_t t;
	int warn;
	bool client;
	uint32_t n_sent;
	bool capped;
};

/* The answer for a (a reference: release it). */
static const struct tlsd_chain_findings *ask(struct tlsd_cert_store *s, const struct ask *a)
{
	struct tlsd_fix_blob b[TLSD_CERT_MAX_CHAIN];
	struct tlsd_cur ders[TLSD_CERT_MAX_CHAIN];
	struct tlsd_cert_query q = {.ders = ders, .capture_time_s = a->t,
				    .expiry_warning_days = a->warn, .client_chain = a->client,
				    .n_sent = a->n_sent, .capped = a->capped};
	const struct tlsd_chain_findings *f = NULL;
	size_t n = 0;

	for (; a->chain[n]; n++) {
		b[n] = slurp(a->chain[n]);
		tlsd_cur_init(&ders[n], b[n].p, b[n].len);
	}
	q.n = n;
	q.sni = (const uint8_t *)a->sni;
	q.sni_len = a->sni ? strlen(a->sni) : 0;
	ck_assert_int_eq(tlsd_cert_check_chain_shared(s, &q, &f), 0);
	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < n; i++)
		free(b[i].p);
	return f;
}

/* Everything a reporter reads, compared; certs[] are calloc'd and filled
 * field by field on both sides, so their bytes compare too. */
static void assert_same(const struct tlsd_chain_findings *a, const struct tlsd_chain_findings *b)
{
	ck_assert_uint_eq(a->n_sent, b->n_sent);
	ck_assert_uint_eq(a->n_certs, b->n_certs);
	ck_assert_int_eq(a->chain_truncated, b->chain_truncated);
	ck_assert_int_eq(a->host_checked, b->host_checked);
	ck_assert_int_eq(a->verified, b->verified);
	ck_assert_int_eq(a->verify_error, b->verify_error);
	ck_assert_int_eq(a->verify_error_depth, b->verify_error_depth);
	ck_assert_str_eq(a->verify_error_text, b->verify_error_text);
	ck_assert_uint_eq(a->n_findings, b->n_findings);
	ck_assert_uint_eq(a->findings_dropped, b->findings_dropped);
	for (size_t i = 0; i < a->n_findings; i++) {
		ck_assert_int_eq(a->findings[i].code, b->findings[i].code);
		ck_assert_int_eq(a->findings[i].severity, b->findings[i].severity);
		ck_assert_int_eq(a->findings[i].position, b->findings[i].position);
		ck_assert_str_eq(a->findings[i].text, b->findings[i].text);
		ck_assert_str_eq(a->findings[i].evidence, b->findings[i].evidence);
	}
	ck_assert_int_eq(memcmp(a->certs, b->certs, a->n_certs * sizeof(a->certs[0])), 0);
}

/* A store with the given chain-answer cache, and every other cache off
 * when plain (each check parses and verifies anew). */
static struct tlsd_cert_store *chain_store(uint32_t chains, size_t bytes, bool plain)
{
	struct tlsd_cert_opts o;
	struct tlsd_cert_store *s;
	char err[256] = "";

	tlsd_cert_opts_default(&o);
	o.ca_file = CERTS "root.pem";
	o.cache_chains = chains;
	o.cache_chain_bytes = bytes;
	if (plain)
		o.cache_certs = o.cache_verdicts = 0;
	s = tlsd_cert_store_new(&o, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	return s;
}

/* The cached answer is the fresh answer, hit or miss, whatever else the
 * cache holds: each query asked three times of a cached store and once of a
 * store without caches, twice over. */
START_TEST(tc_chain_cache_same)
{
	static const char *const good[] = {"good.der", "inter.der", NULL};
	static const char *const good_root[] = {"good.der", "inter.der", "root.der", NULL};
	static const char *const leaf_only[] = {"good.der", NULL};
	static const char *const expired[] = {"expired.der", "inter.der", NULL};
	static const char *const notyet[] = {"notyet.der", "inter.der", NULL};
	static const char *const wronghost[] = {"wronghost.der", "inter.der", NULL};
	static const char *const self[] = {"selfsigned.der", NULL};
	static const char *const weak[] = {"weakrsa.der", "inter.der", NULL};
	static const char *const sha1[] = {"sha1.der", "inter.der", NULL};
	static const char *const shortc[] = {"short.der", "inter.der", NULL};
	static const char *const order[] = {"good.der", "root.der", "inter.der", NULL};
	static const struct ask asks[] = {
		{good, "server.test", T_2025_06_01, 14, false, 0, false},
		{good, "server.test", T_2025_06_01 + 59, 14, false, 0, false},
		{good, "other.test", T_2025_06_01, 14, false, 0, false},
		{good, NULL, T_2025_06_01, 14, false, 0, false},
		{good, "server.test", T_2025_06_01, 14, true, 0, false},
		{good, "server.test", T_2026_12_25, 14, false, 0, false},
		{good, "server.test", T_2027_01_01 + 1, 14, false, 0, false},
		{good, "server.test", T_2024_06_01, 14, false, 0, false},
		{good_root, "server.test", T_2025_06_01, 14, false, 0, false},
		{good, "server.test", T_2025_06_01, 14, false, 7, true},
		{leaf_only, "server.test", T_2025_06_01, 14, false, 0, false},
		{leaf_only, "server.test", T_2027_06_01, 14, false, 0, false},
		{expired, "expired.test", T_2025_06_01, 14, false, 0, false},
		{expired, "expired.test", T_2025_06_01 + 1, 14, false, 0, false},
		{notyet, "notyet.test", T_2025_06_01, 14, false, 0, false},
		{wronghost, "server.test", T_2027_06_01, 14, false, 0, false},
		{self, "selfsigned.test", T_2025_06_01, 14, false, 0, false},
		{self, "selfsigned.test", T_2027_06_01, 14, false, 0, false},
		{weak, "weak.test", T_2027_06_01, 14, false, 0, false},
		{sha1, "sha1.test", T_2026_12_25, 14, false, 0, false},
		{shortc, "short.test", T_2025_06_05, 14, false, 0, false},
		{shortc, "short.test", T_2025_06_05, 0, false, 0, false},
		{shortc, "short.test", T_2025_06_11, 14, false, 0, false},
		{order, "server.test", T_2027_06_01, 14, false, 0, false},
	};
	static const struct {
		struct ask q;
		int codes[3]; /* the findings in order, NONE-terminated */
	} order_cases[] = {
		{{weak, "weak.test", T_2027_06_01, 14, false, 0, false},
		 {TLSD_CERT_EXPIRED, TLSD_CERT_WEAK_KEY, NONE}},
		{{sha1, "sha1.test", T_2026_12_25, 14, false, 0, false},
		 {TLSD_CERT_EXPIRES_SOON, TLSD_CERT_WEAK_SIGNATURE_ALGORITHM, NONE}},
		{{wronghost, "server.test", T_2027_06_01, 14, false, 0, false},
		 {TLSD_CERT_HOSTNAME_MISMATCH, TLSD_CERT_EXPIRED, NONE}},
		{{weak, "weak.test", T_2025_06_01, 14, false, 0, false},
		 {TLSD_CERT_WEAK_KEY, NONE, NONE}},
	};
	struct tlsd_cert_store *cached = chain_store(TLSD_CERT_CACHE_CHAINS,
						     TLSD_CERT_CACHE_CHAIN_BYTES, false);
	struct tlsd_cert_store *plain = chain_store(0, 0, true);
	struct tlsd_cert_stats st;

	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < TLSD_ARRAY_SIZE(asks); i++) {
			const struct tlsd_chain_findings *want = ask(plain, &asks[i]);
			const struct tlsd_chain_findings *a = ask(cached, &asks[i]);
			const struct tlsd_chain_findings *b = ask(cached, &asks[i]);

			assert_same(a, want);
			assert_same(b, want);
			ck_assert_ptr_eq(a, b); /* shared, not copied */
			/* the copying call answers the same */
			run(cached, asks[i].chain, asks[i].sni, asks[i].t, &F);
			if (asks[i].warn == 14 && !asks[i].client && !asks[i].n_sent)
				assert_same(&F, want);
			tlsd_cert_findings_release(want);
			tlsd_cert_findings_release(a);
			tlsd_cert_findings_release(b);
		}
	}
	/* the time findings in their place: after host, trust and order, before
	 * strength (one pass of the checks, catalog order) */
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(order_cases); i++) {
		const struct tlsd_chain_findings *a = ask(cached, &order_cases[i].q);

		for (size_t k = 0; k < 3; k++) {
			if (order_cases[i].codes[k] == NONE) {
				ck_assert_uint_eq(a->n_findings, k);
				break;
			}
			ck_assert_uint_gt(a->n_findings, k);
			ck_assert_int_eq(a->findings[k].code, order_cases[i].codes[k]);
		}
		tlsd_cert_findings_release(a);
	}
	tlsd_cert_store_stats(cached, &st);
	ck_assert_uint_gt(st.chain_hits, 2 * TLSD_ARRAY_SIZE(asks));
	ck_assert_uint_eq(st.chain_evictions, 0);
	tlsd_cert_store_stats(plain, &st);
	ck_assert_uint_eq(st.chain_hits + st.cert_hits + st.verdict_hits, 0);
	tlsd_cert_store_free(cached);
	tlsd_cert_store_free(plain);
}
END_TEST

/* One chain, one day: valid at one second, expired the next. The answer
 * without time findings is shared; the expired one is made for its second
 * (its text names it) and kept for that second only. */
START_TEST(tc_chain_cache_time)
{
	static const char *const good[] = {"good.der", "inter.der", NULL};
	struct ask valid = {good, "server.test", T_2027_01_01, 0, false, 0, false};
	struct ask exp1 = valid, exp2 = valid, soon = valid;
	struct tlsd_cert_store *s = chain_store(TLSD_CERT_CACHE_CHAINS,
						TLSD_CERT_CACHE_CHAIN_BYTES, false);
	struct tlsd_cert_store *plain = chain_store(0, 0, true);
	const struct tlsd_chain_findings *v1, *v2, *e1, *e1b, *e2, *w, *soonf;
	struct tlsd_cert_stats st;

	exp1.t = T_2027_01_01 + 1;
	exp2.t = T_2027_01_01 + 2;
	soon.warn = 14; /* another key: the same second is expires_soon */
	v1 = ask(s, &valid);
	ck_assert_uint_eq(v1->n_findings, 0);
	ck_assert(v1->verified);
	e1 = ask(s, &exp1);
	ck_assert_uint_eq(e1->n_findings, 1);
	ck_assert_int_eq(e1->findings[0].code, TLSD_CERT_EXPIRED);
	ck_assert_ptr_nonnull(strstr(e1->findings[0].evidence,
				     "capture time 2027-01-01T00:00:01Z"));
	w = ask(plain, &exp1);
	assert_same(e1, w);
	tlsd_cert_findings_release(w);
	v2 = ask(s, &valid); /* back to the valid second: the first answer */
	ck_assert_ptr_eq(v1, v2);
	e1b = ask(s, &exp1); /* the same expired second: the kept answer */
	ck_assert_ptr_eq(e1, e1b);
	e2 = ask(s, &exp2); /* another second: a new answer replaces e1 in the entry */
	ck_assert_ptr_ne(e2, e1);
	ck_assert_ptr_nonnull(strstr(e2->findings[0].evidence,
				     "capture time 2027-01-01T00:00:02Z"));
	w = ask(plain, &exp2);
	assert_same(e2, w);
	tlsd_cert_findings_release(w);
	/* e1 is still held, still whole (ASan would see it freed) */
	w = ask(plain, &exp1);
	assert_same(e1, w);
	assert_same(e1b, w);
	tlsd_cert_findings_release(w);
	soonf = ask(s, &soon);
	ck_assert_uint_eq(soonf->n_findings, 1);
	ck_assert_int_eq(soonf->findings[0].code, TLSD_CERT_EXPIRES_SOON);
	w = ask(plain, &soon);
	assert_same(soonf, w);
	tlsd_cert_findings_release(w);
	tlsd_cert_store_stats(s, &st);
	ck_assert_uint_eq(st.chain_misses, 2); /* warn 0 and warn 14 */
	ck_assert_uint_eq(st.chain_hits, 4);
	ck_assert_uint_eq(st.chain_timed, 3); /* exp1, exp2, soon */
	ck_assert_uint_eq(st.verdict_misses, 1); /* one day, one verification */
	tlsd_cert_store_free(s);
	tlsd_cert_store_free(plain);
	/* the answers outlive the store */
	ck_assert_uint_eq(v1->n_findings, 0);
	ck_assert_int_eq(e1->findings[0].code, TLSD_CERT_EXPIRED);
	tlsd_cert_findings_release(v1);
	tlsd_cert_findings_release(v2);
	tlsd_cert_findings_release(e1);
	tlsd_cert_findings_release(e1b);
	tlsd_cert_findings_release(e2);
	tlsd_cert_findings_release(soonf);
	tlsd_cert_findings_release(NULL);
}
END_TEST

/* Everything in the query that changes the answer is in the key. */
START_TEST(tc_chain_cache_keys)
{
	static const char *const good[] = {"good.der", "inter.der", NULL};
	static const char *const shortc[] = {"short.der", "inter.der", NULL};
	const struct ask base = {good, "server.test", T_2025_06_01, 14, false, 0, false};
	struct ask other_sni = base, no_sni = base, client = base, client_sni = base, sent = base,
		   capped = base, other_day = base, warn14 = base, warn0 = base;
	struct tlsd_cert_store *s = chain_store(TLSD_CERT_CACHE_CHAINS,
						TLSD_CERT_CACHE_CHAIN_BYTES, false);
	const struct tlsd_chain_findings *f[10];
	struct tlsd_cert_stats st;

	other_sni.sni = "other.test";
	no_sni.sni = NULL;
	client.client = true;
	client.sni = NULL;
	client_sni.client = true; /* a client chain's SNI is not looked at */
	sent.n_sent = 5;
	capped.capped = true;
	other_day.t = T_2025_06_01 + 86400;
	warn14.chain = warn0.chain = shortc;
	warn14.sni = warn0.sni = "short.test";
	warn14.t = warn0.t = T_2025_06_05;
	warn0.warn = 0;
	f[0] = ask(s, &base);
	f[1] = ask(s, &other_sni);
	f[2] = ask(s, &no_sni);
	f[3] = ask(s, &client);
	f[4] = ask(s, &client_sni);
	f[5] = ask(s, &sent);
	f[6] = ask(s, &capped);
	f[7] = ask(s, &other_day);
	f[8] = ask(s, &warn14);
	f[9] = ask(s, &warn0);
	ck_assert_uint_eq(f[0]->n_findings, 0);
	ck_assert(f[0]->host_checked);
	ck_assert_ptr_nonnull(find(f[1], TLSD_CERT_HOSTNAME_MISMATCH));
	ck_assert(!f[2]->host_checked);
	ck_assert_uint_eq(f[2]->n_findings, 0);
	ck_assert(!f[3]->verified); /* a server certificate, checked for clientAuth */
	ck_assert(!f[3]->host_checked);
	ck_assert_ptr_eq(f[3], f[4]);
	ck_assert_uint_eq(f[5]->n_sent, 5);
	ck_assert(!f[5]->chain_truncated);
	ck_assert_uint_eq(f[6]->n_sent, 2);
	ck_assert(f[6]->chain_truncated);
	ck_assert(!f[0]->chain_truncated);
	ck_assert_ptr_nonnull(find(f[8], TLSD_CERT_EXPIRES_SOON));
	ck_assert_uint_eq(f[9]->n_findings, 0);
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(f); i++)
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(f[i] != f[j] || (i == 4 && j == 3), "%zu and %zu shared", i, j);
	tlsd_cert_store_stats(s, &st);
	ck_assert_uint_eq(st.chain_misses, 9);
	ck_assert_uint_eq(st.chain_hits, 1);
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(f); i++)
		tlsd_cert_findings_release(f[i]);
	tlsd_cert_store_free(s);
}
END_TEST

/* Eviction drops the cache's references, never a holder's: answers of
 * evicted entries stay whole until released (ASan). */
START_TEST(tc_chain_cache_evict)
{
	static const char *const good[] = {"good.der", "inter.der", NULL};
	static const char *const ecdsa[] = {"ecdsa.der", "inter.der", NULL};
	const struct ask a1 = {good, "server.test", T_2027_01_01, 0, false, 0, false};
	const struct ask a2 = {ecdsa, "ecdsa.test", T_2025_06_01, 14, false, 0, false};
	struct ask a1x = a1;
	struct tlsd_cert_store *s = chain_store(1, 0, false);
	struct tlsd_cert_store *plain = chain_store(0, 0, true);
	const struct tlsd_chain_findings *f1, *f1x, *f2, *g1, *w;
	struct tlsd_cert_stats st;

	a1x.t = T_2027_01_01 + 1; /* expired, the same day: a timed answer in a1's entry */
	f1 = ask(s, &a1);
	f1x = ask(s, &a1x);
	f2 = ask(s, &a2); /* one entry: a1's goes, with its timed answer */
	tlsd_cert_store_stats(s, &st);
	ck_assert_uint_eq(st.chain_evictions, 1);
	w = ask(plain, &a1);
	assert_same(f1, w);
	tlsd_cert_findings_release(w);
	w = ask(plain, &a1x);
	assert_same(f1x, w);
	tlsd_cert_findings_release(w);
	g1 = ask(s, &a1); /* made again: a new answer */
	ck_assert_ptr_ne(g1, f1);
	assert_same(g1, f1);
	tlsd_cert_findings_release(f1);
	tlsd_cert_findings_release(f1x);
	tlsd_cert_findings_release(f2);
	tlsd_cert_findings_release(g1);
	tlsd_cert_store_free(s);
	/* a byte bound nothing fits in: every answer made anew, all correct */
	s = chain_store(16, 1, false);
	for (int i = 0; i < 3; i++) {
		f1 = ask(s, &a1x);
		w = ask(plain, &a1x);
		assert_same(f1, w);
		tlsd_cert_findings_release(f1);
		tlsd_cert_findings_release(w);
	}
	tlsd_cert_store_stats(s, &st);
	ck_assert_uint_eq(st.chain_hits, 0);
	tlsd_cert_store_free(s);
	tlsd_cert_store_free(plain);
}
END_TEST

/* ---- ServerKeyExchange ------------------------------------------------- */

static const struct ske_case {
	const char *sig, *leaf;
	uint16_t version, scheme;
} ske_cases[] = {
	{"ske-rsa_pkcs1_sha256.sig", "good.der", TLSD_VERSION_TLS12, 0x0401},
	{"ske-rsa_pkcs1_sha1.sig", "good.der", TLSD_VERSION_TLS12, 0x0201},
	{"ske-rsa_pss_rsae_sha256.sig", "good.der", TLSD_VERSION_TLS12, 0x0804},
	{"ske-rsa_pss_pss_sha384.sig", "rsapss.der", TLSD_VERSION_TLS12, 0x080a},
	{"ske-ecdsa_secp256r1_sha256.sig", "ecdsa.der", TLSD_VERSION_TLS12, 0x0403},
	{"ske-ecdsa_sha1.sig", "ecdsa.der", TLSD_VERSION_TLS12, 0x0203},
	{"ske-ecdsa_sha1.sig", "ecdsa.der", TLSD_VERSION_TLS10, 0},
	{"ske-ed25519.sig", "ed25519.der", TLSD_VERSION_TLS12, 0x0807},
	{"ske-ed448.sig", "ed448.der", TLSD_VERSION_TLS12, 0x0808},
	{"ske-tls10_rsa.sig", "good.der", TLSD_VERSION_TLS10, 0},
	{"ske-tls10_rsa.sig", "good.der", TLSD_VERSION_TLS11, 0},
	{"ske-tls10_rsa.sig", "good.der", 0xfeff, 0}, /* DTLS 1.0 */
	{"ske-rsa_pkcs1_sha256.sig", "good.der", 0xfefd, 0x0401}, /* DTLS 1.2 */
};

struct ske_fixture {
	struct tlsd_fix_blob data, sig, leaf;
	struct tlsd_ske_check in;
};

static void ske_load(struct ske_fixture *fx, const char *sig, const char *leaf, uint16_t version,
		     uint16_t scheme)
{
	fx->data = slurp("ske-data.bin");
	fx->sig = slurp(sig);
	fx->leaf = slurp(leaf);
	ck_assert_uint_gt(fx->data.len, 64);
	fx->in = (struct tlsd_ske_check){.version = version, .sig_scheme = scheme};
	memcpy(fx->in.client_random, fx->data.p, 32);
	memcpy(fx->in.server_random, fx->data.p + 32, 32);
	tlsd_cur_init(&fx->in.params, fx->data.p + 64, fx->data.len - 64);
	tlsd_cur_init(&fx->in.sig, fx->sig.p, fx->sig.len);
	tlsd_cur_init(&fx->in.leaf, fx->leaf.p, fx->leaf.len);
}

static void ske_free(struct ske_fixture *fx)
{
	free(fx->data.p);
	free(fx->sig.p);
	free(fx->leaf.p);
}

/* tlsd_cert_verify_ske with the store s, which keeps its set-up from one
 * call to the next, and without a store: the same answer in the same words. */
static enum tlsd_sig_result ske_check(struct tlsd_cert_store *s, const struct tlsd_ske_check *in,
				      char *detail, size_t len)
{
	enum tlsd_sig_result r = tlsd_cert_verify_ske(s, in, detail, len);
	char alone[256];

	ck_assert_int_eq(tlsd_cert_verify_ske(NULL, in, alone, sizeof(alone)), r);
	ck_assert_str_eq(detail, alone);
	return r;
}

START_TEST(tc_ske_vectors)
{
	const struct ske_case *c = &ske_cases[_i];
	struct tlsd_cert_store *s = store_for("root.pem");
	struct ske_fixture fx;
	char detail[256];
	uint8_t *p;

	ske_load(&fx, c->sig, c->leaf, c->version, c->scheme);
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_OK);
	ck_assert_msg(strstr(detail, "verifies") != NULL, "%s", detail);
	/* one byte of the signature flipped */
	for (size_t off = 0; off < fx.sig.len; off += fx.sig.len / 3 + 1) {
		fx.sig.p[off] ^= 0x01;
		ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_BAD);
		ck_assert_msg(strstr(detail, "does not verify") != NULL, "%s", detail);
		fx.sig.p[off] ^= 0x01;
	}
	/* one byte of the params, then of each random */
	p = fx.data.p + 64;
	p[1] ^= 0x80;
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_BAD);
	p[1] ^= 0x80;
	fx.in.client_random[31] ^= 1;
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_BAD);
	fx.in.client_random[31] ^= 1;
	fx.in.server_random[0] ^= 1;
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_BAD);
	fx.in.server_random[0] ^= 1;
	/* truncated signature, empty signature */
	tlsd_cur_init(&fx.in.sig, fx.sig.p, fx.sig.len - 1);
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_BAD);
	tlsd_cur_init(&fx.in.sig, fx.sig.p, 0);
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_BAD);
	tlsd_cur_init(&fx.in.sig, fx.sig.p, fx.sig.len);
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_OK);
	ske_free(&fx);
	tlsd_cert_store_free(s);
}
END_TEST

/* The server's key does not match its certificate: a valid signature made
 * by another key, or a scheme the certificate's key cannot make. */
START_TEST(tc_ske_key_mismatch)
{
	struct tlsd_cert_store *s = store_for("root.pem");
	struct ske_fixture fx;
	char detail[256];

	ske_load(&fx, "ske-rsa_pkcs1_sha256.sig", "weakrsa.der", TLSD_VERSION_TLS12, 0x0401);
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_BAD);
	ck_assert_msg(strstr(detail, "private key does not match") != NULL, "%s", detail);
	ske_free(&fx);
	ske_load(&fx, "ske-rsa_pkcs1_sha256.sig", "ecdsa.der", TLSD_VERSION_TLS12, 0x0401);
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_BAD);
	ck_assert_msg(strstr(detail, "cannot make") != NULL, "%s", detail);
	ske_free(&fx);
	/* rsa_pss_rsae needs an rsaEncryption key, rsa_pss_pss an RSA-PSS one */
	ske_load(&fx, "ske-rsa_pss_pss_sha384.sig", "rsapss.der", TLSD_VERSION_TLS12, 0x0805);
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_BAD);
	ske_free(&fx);
	/* PKCS#1 signature presented as PSS, and a TLS 1.0 signature as TLS 1.2 */
	ske_load(&fx, "ske-rsa_pkcs1_sha256.sig", "good.der", TLSD_VERSION_TLS12, 0x0804);
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_BAD);
	ske_free(&fx);
	ske_load(&fx, "ske-tls10_rsa.sig", "good.der", TLSD_VERSION_TLS12, 0x0201);
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_BAD);
	ske_free(&fx);
	tlsd_cert_store_free(s);
}
END_TEST

START_TEST(tc_ske_unsupported_and_errors)
{
	static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
	struct tlsd_cert_store *s = store_for("root.pem");
	struct ske_fixture fx;
	char detail[256];

	ske_load(&fx, "ske-rsa_pkcs1_sha256.sig", "good.der", TLSD_VERSION_TLS13, 0x0401);
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_UNSUPPORTED);
	fx.in.version = TLSD_VERSION_TLS12;
	fx.in.sig_scheme = 0x0e0e;
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_UNSUPPORTED);
	ck_assert_msg(strstr(detail, "0x0e0e") != NULL, "%s", detail);
	fx.in.version = 0x0200;
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_UNSUPPORTED);
	/* Ed25519 cannot sign a TLS 1.0 ServerKeyExchange */
	ske_free(&fx);
	ske_load(&fx, "ske-ed25519.sig", "ed25519.der", TLSD_VERSION_TLS10, 0);
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_UNSUPPORTED);
	/* a leaf that does not parse, and truncated leaves */
	fx.in.version = TLSD_VERSION_TLS12;
	fx.in.sig_scheme = 0x0807;
	tlsd_cur_init(&fx.in.leaf, junk, sizeof(junk));
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_ERROR);
	for (size_t len = 0; len < fx.leaf.len; len += 13) {
		tlsd_cur_init(&fx.in.leaf, fx.leaf.p, len);
		ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_ERROR);
	}
	tlsd_cur_init(&fx.in.leaf, fx.leaf.p, fx.leaf.len);
	tlsd_cur_init(&fx.in.params, fx.data.p, TLSD_SKE_MAX_PARAMS + 1); /* length only */
	ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_ERROR);
	ck_assert_int_eq(tlsd_cert_verify_ske(NULL, NULL, detail, sizeof(detail)), TLSD_SIG_ERROR);
	ck_assert_int_eq(tlsd_cert_verify_ske(NULL, &fx.in, NULL, 0), TLSD_SIG_ERROR);
	ske_free(&fx);
	tlsd_cert_store_free(s);
}
END_TEST

/* One store, one leaf, several schemes in turn: each check uses the set-up
 * of its own scheme, kept from the round before, and a kept set-up says
 * "does not verify" to a wrong signature and "verifies" to the right one
 * just after. ECDSA with SHA-1 shares its set-up between TLS 1.0 and 1.2. */
START_TEST(tc_ske_store_reuse)
{
	static const struct ske_case turns[] = {
		{"ske-rsa_pkcs1_sha256.sig", "good.der", TLSD_VERSION_TLS12, 0x0401},
		{"ske-rsa_pss_rsae_sha256.sig", "good.der", TLSD_VERSION_TLS12, 0x0804},
		{"ske-tls10_rsa.sig", "good.der", TLSD_VERSION_TLS10, 0},
		{"ske-rsa_pkcs1_sha1.sig", "good.der", TLSD_VERSION_TLS12, 0x0201},
		{"ske-ecdsa_sha1.sig", "ecdsa.der", TLSD_VERSION_TLS10, 0},
		{"ske-ecdsa_sha1.sig", "ecdsa.der", TLSD_VERSION_TLS12, 0x0203},
		{"ske-ed25519.sig", "ed25519.der", TLSD_VERSION_TLS12, 0x0807},
	};
	struct tlsd_cert_store *s = store_for("root.pem");
	struct ske_fixture fx[TLSD_ARRAY_SIZE(turns)];
	char detail[256];

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(turns); i++)
		ske_load(&fx[i], turns[i].sig, turns[i].leaf, turns[i].version, turns[i].scheme);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < TLSD_ARRAY_SIZE(turns); i++) {
			struct ske_fixture *f = &fx[i];

			ck_assert_int_eq(ske_check(s, &f->in, detail, sizeof(detail)), TLSD_SIG_OK);
			f->sig.p[f->sig.len / 2] ^= 0x04;
			ck_assert_int_eq(ske_check(s, &f->in, detail, sizeof(detail)), TLSD_SIG_BAD);
			f->sig.p[f->sig.len / 2] ^= 0x04;
			f->in.server_random[5] ^= 0x10;
			ck_assert_int_eq(ske_check(s, &f->in, detail, sizeof(detail)), TLSD_SIG_BAD);
			f->in.server_random[5] ^= 0x10;
		}
		/* another scheme's signature, with this scheme's set-up kept */
		fx[1].in.sig = fx[0].in.sig;
		ck_assert_int_eq(ske_check(s, &fx[1].in, detail, sizeof(detail)), TLSD_SIG_BAD);
		tlsd_cur_init(&fx[1].in.sig, fx[1].sig.p, fx[1].sig.len);
		fx[3].in.sig = fx[2].in.sig;
		ck_assert_int_eq(ske_check(s, &fx[3].in, detail, sizeof(detail)), TLSD_SIG_BAD);
		tlsd_cur_init(&fx[3].in.sig, fx[3].sig.p, fx[3].sig.len);
	}
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(turns); i++)
		ske_free(&fx[i]);
	tlsd_cert_store_free(s);
}
END_TEST

/* A set-up is kept by its certificate's id: with a certificate cache of
 * one, the two leaves push each other (and their set-ups) out at every
 * turn; with none, nothing is kept. Same answers either way. */
START_TEST(tc_ske_store_small)
{
	struct tlsd_cert_store *s;
	struct tlsd_cert_opts o;
	struct tlsd_cert_stats st;
	struct ske_fixture rsa, ec;
	char detail[256];

	ske_load(&rsa, "ske-rsa_pss_rsae_sha256.sig", "good.der", TLSD_VERSION_TLS12, 0x0804);
	ske_load(&ec, "ske-ecdsa_secp256r1_sha256.sig", "ecdsa.der", TLSD_VERSION_TLS12, 0x0403);
	tlsd_cert_opts_default(&o);
	for (size_t certs = 0; certs < 3; certs++) {
		o.cache_certs = certs;
		s = tlsd_cert_store_new(&o, NULL, 0);
		ck_assert_ptr_nonnull(s);
		for (int round = 0; round < 4; round++) {
			struct ske_fixture *f = round % 2 ? &ec : &rsa;

			ck_assert_int_eq(ske_check(s, &f->in, detail, sizeof(detail)), TLSD_SIG_OK);
			f->sig.p[3] ^= 0x01;
			ck_assert_int_eq(ske_check(s, &f->in, detail, sizeof(detail)), TLSD_SIG_BAD);
			f->sig.p[3] ^= 0x01;
			ck_assert_int_eq(ske_check(s, &f->in, detail, sizeof(detail)), TLSD_SIG_OK);
		}
		tlsd_cert_store_stats(s, &st);
		ck_assert_uint_eq(st.cert_evictions, certs == 1 ? 3 : 0);
		tlsd_cert_store_free(s);
	}
	ske_free(&rsa);
	ske_free(&ec);
}
END_TEST

/* An RSA-PSS key restricted to SHA-256 (its SPKI says so). */
static EVP_PKEY *pss_sha256_key(void)
{
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
	EVP_PKEY *pk = NULL;

	ck_assert_ptr_nonnull(kc);
	ck_assert_int_eq(EVP_PKEY_keygen_init(kc), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 1024), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_pss_keygen_md_name(kc, "SHA256", NULL), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_pss_keygen_saltlen(kc, 32), 1);
	ck_assert_int_eq(EVP_PKEY_generate(kc, &pk), 1);
	EVP_PKEY_CTX_free(kc);
	return pk;
}

/* A set-up that fails (rsa_pss_pss_sha384 with a key restricted to
 * SHA-256) is not kept: asked again, the same sentence, and the key's own
 * scheme still verifies in between. */
START_TEST(tc_ske_setup_error)
{
	struct tlsd_cert_store *s = store_for("root.pem");
	EVP_PKEY *pk = pss_sha256_key();
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	struct ske_fixture fx;
	char detail[256], first[256];
	size_t siglen = 0;

	ske_load(&fx, "ske-rsa_pss_pss_sha384.sig", "rsapss.der", TLSD_VERSION_TLS12, 0x080a);
	free(fx.leaf.p);
	fx.leaf = make_cert_for(pk, (const uint8_t *)"pss.test", 8, (const uint8_t *)"pss.test", 8,
				0);
	tlsd_cur_init(&fx.in.leaf, fx.leaf.p, fx.leaf.len);
	/* the signed data signed with the restricted key, as rsa_pss_pss_sha256 */
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(EVP_DigestSignInit_ex(m, NULL, "SHA256", NULL, NULL, pk, NULL), 1);
	ck_assert_int_eq(EVP_DigestSign(m, NULL, &siglen, fx.data.p, fx.data.len), 1);
	free(fx.sig.p);
	fx.sig.p = malloc(siglen);
	ck_assert_ptr_nonnull(fx.sig.p);
	ck_assert_int_eq(EVP_DigestSign(m, fx.sig.p, &siglen, fx.data.p, fx.data.len), 1);
	fx.sig.len = siglen;
	tlsd_cur_init(&fx.in.sig, fx.sig.p, fx.sig.len);

	ck_assert_int_eq(ske_check(s, &fx.in, first, sizeof(first)), TLSD_SIG_ERROR);
	ck_assert_msg(strstr(first, "cannot check a rsa_pss_pss_sha384 signature") != NULL, "%s",
		      first);
	for (int round = 0; round < 2; round++) {
		fx.in.sig_scheme = 0x0809;
		ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_OK);
		fx.sig.p[7] ^= 0x20;
		ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_BAD);
		fx.sig.p[7] ^= 0x20;
		fx.in.sig_scheme = 0x080a;
		ck_assert_int_eq(ske_check(s, &fx.in, detail, sizeof(detail)), TLSD_SIG_ERROR);
		ck_assert_str_eq(detail, first);
	}
	EVP_MD_CTX_free(m);
	EVP_PKEY_free(pk);
	ske_free(&fx);
	tlsd_cert_store_free(s);
}
END_TEST

Suite *cert_suite(void);

Suite *cert_suite(void)
{
	Suite *s = suite_create("cert");
	TCase *tc;

	tc = tcase_create("findings");
	tcase_add_loop_test(tc, tc_findings, 0, (int)TLSD_ARRAY_SIZE(finding_cases));
	tcase_add_test(tc, tc_missing_intermediate_alone);
	tcase_add_test(tc, tc_unknown_ca_alone);
	tcase_add_test(tc, tc_self_signed_trusted);
	tcase_add_test(tc, tc_chain_cap);
	suite_add_tcase(s, tc);

	tc = tcase_create("info");
	tcase_add_test(tc, tc_cert_info);
	tcase_add_test(tc, tc_cert_info_aia);
	tcase_add_test(tc, tc_key_types);
	tcase_add_test(tc, tc_big_san);
	tcase_add_test(tc, tc_escape);
	suite_add_tcase(s, tc);

	tc = tcase_create("host");
	tcase_add_loop_test(tc, tc_host, 0, (int)TLSD_ARRAY_SIZE(host_cases));
	tcase_add_test(tc, tc_host_hostile_sni);
	suite_add_tcase(s, tc);

	tc = tcase_create("capture_time");
	tcase_add_test(tc, tc_capture_time);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, tc_truncated_every_length, 0, 2);
	tcase_add_test(tc, tc_hostile_der);
	tcase_add_test(tc, tc_malformed_intermediate);
	tcase_add_test(tc, tc_nul_in_names);
	tcase_add_test(tc, tc_huge_san);
	tcase_add_test(tc, tc_name_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("store");
	tcase_add_test(tc, tc_store_errors);
	tcase_add_test(tc, tc_system_store);
	tcase_add_test(tc, tc_einval_untouched);
	tcase_add_test(tc, tc_cache);
	tcase_add_test(tc, tc_cache_bytes);
	tcase_add_test(tc, tc_chain_cache_same);
	tcase_add_test(tc, tc_chain_cache_time);
	tcase_add_test(tc, tc_chain_cache_keys);
	tcase_add_test(tc, tc_chain_cache_evict);
	suite_add_tcase(s, tc);

	tc = tcase_create("ske");
	tcase_add_loop_test(tc, tc_ske_vectors, 0, (int)TLSD_ARRAY_SIZE(ske_cases));
	tcase_add_test(tc, tc_ske_key_mismatch);
	tcase_add_test(tc, tc_ske_unsupported_and_errors);
	tcase_add_test(tc, tc_ske_store_reuse);
	tcase_add_test(tc, tc_ske_store_small);
	tcase_add_test(tc, tc_ske_setup_error);
	suite_add_tcase(s, tc);
	return s;
}
