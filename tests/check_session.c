/* Unit tests for the handshake state machine: sequences of synthetic framer
 * and TCP events (hand-built ClientHello/ServerHello bodies) in wire order,
 * checked through the session facts and the finished report. */
#include <check.h>
#include <string.h>

#include "cert_fixtures.h"
#include "tls_fixtures.h"
#include "tlsd/diagnose.h"
#include "tlsd/fingerprint.h"
#include "tlsd/session_facts.h"
#include "explain_fixtures.h"

#define MSEC (TLSD_NS_PER_SEC / 1000)
#define T0 (INT64_C(1700000000) * TLSD_NS_PER_SEC)
#define C2S TLSD_DIR_C2S
#define S2C TLSD_DIR_S2C

/* ---- a tiny byte builder for hello bodies ---------------------------------- */

struct bb {
	uint8_t b[1024];
	size_t n;
};

static void u8(struct bb *b, unsigned v)
{
	ck_assert_uint_lt(b->n, sizeof(b->b));
	b->b[b->n++] = (uint8_t)v;
}

static void u16(struct bb *b, unsigned v)
{
	u8(b, v >> 8);
	u8(b, v);
}

static void fill(struct bb *b, unsigned v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		u8(b, v);
}

static size_t open16(struct bb *b)
{
	size_t at = b->n;

	u16(b, 0);
	return at;
}

static void close16(struct bb *b, size_t at)
{
	size_t len = b->n - at - 2;

	b->b[at] = (uint8_t)(len >> 8);
	b->b[at + 1] = (uint8_t)len;
}

struct hello_opts {
	bool tls13;          /* supported_versions 1.3 + 1.2, key_share */
	uint8_t sid;         /* session id byte (32 bytes of it); 0 = empty */
	uint16_t ks_group;   /* SH key_share / HRR selected group */
	bool hrr;            /* the HelloRetryRequest random */
	bool psk;            /* SH pre_shared_key */
	uint16_t suite;      /* SH */
	uint8_t random;      /* SH random byte (32 of it); 0 = 0x33 */
};

/* ClientHello (RFC 8446 4.1.2 layout). */
static void client_hello(struct bb *b, const struct hello_opts *o)
{
	size_t exts, e, l;

	b->n = 0;
	u16(b, 0x0303);
	fill(b, 0x11, 32);
	if (o->sid) {
		u8(b, 32);
		fill(b, o->sid, 32);
	} else {
		u8(b, 0);
	}
	l = open16(b);
	u16(b, 0x1301);
	u16(b, 0xc02f);
	u16(b, 0x009c);
	close16(b, l);
	u8(b, 1);
	u8(b, 0);
	exts = open16(b);
	/* server_name: "example.com" */
	u16(b, 0);
	e = open16(b);
	l = open16(b);
	u8(b, 0);
	u16(b, 11);
	memcpy(b->b + b->n, "example.com", 11);
	b->n += 11;
	close16(b, l);
	close16(b, e);
	/* supported_groups: x25519, secp256r1 */
	u16(b, 10);
	e = open16(b);
	l = open16(b);
	u16(b, 0x001d);
	u16(b, 0x0017);
	close16(b, l);
	close16(b, e);
	if (o->tls13) {
		/* supported_versions: GREASE, TLS 1.3, TLS 1.2 */
		u16(b, 43);
		e = open16(b);
		u8(b, 6);
		u16(b, 0x0a0a);
		u16(b, 0x0304);
		u16(b, 0x0303);
		close16(b, e);
		/* key_share: x25519 */
		u16(b, 51);
		e = open16(b);
		l = open16(b);
		u16(b, 0x001d);
		u16(b, 32);
		fill(b, 0x22, 32);
		close16(b, l);
		close16(b, e);
	}
	close16(b, exts);
}

static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* ServerHello / HelloRetryRequest (RFC 8446 4.1.3 layout). */
static void server_hello(struct bb *b, const struct hello_opts *o)
{
	size_t exts, e;

	b->n = 0;
	u16(b, 0x0303);
	if (o->hrr) {
		memcpy(b->b + b->n, hrr_random, 32);
		b->n += 32;
	} else {
		fill(b, o->random ? o->random : 0x33, 32);
	}
	if (o->sid) {
		u8(b, 32);
		fill(b, o->sid, 32);
	} else {
		u8(b, 0);
	}
	u16(b, o->suite);
	u8(b, 0);
	exts = open16(b);
	if (o->tls13) {
		u16(b, 43);
		u16(b, 2);
		u16(b, 0x0304);
		u16(b, 51);
		e = open16(b);
		u16(b, o->ks_group);
		if (!o->hrr) {
			u16(b, 32);
			fill(b, 0x44, 32);
		}
		close16(b, e);
		if (o->psk) {
			u16(b, 41);
			u16(b, 2);
			u16(b, 0);
		}
	} else {
		u16(b, 0xff01); /* renegotiation_info, empty */
		u16(b, 1);
		u8(b, 0);
	}
	close16(b, exts);
}

/* ---- event drivers ------------------------------------------------------- */

struct drv {
	struct tlsd_session *s;
	struct tlsd_flow f;
	tlsd_time_ns now;
	uint64_t off[2];
};

static void drv_init(struct drv *d)
{
	memset(d, 0, sizeof(*d));
	d->s = tlsd_session_new(NULL);
	ck_assert_ptr_nonnull(d->s);
	d->now = T0;
	d->f.syn_ts = T0;
	d->f.synack_ts = T0 + 10 * MSEC;
	d->f.ack3_ts = T0 + 10 * MSEC + 20000;
	d->f.side[C2S].syn = d->f.side[S2C].syn = true;
	d->f.side[C2S].first_ttl = d->f.side[S2C].first_ttl = 64;
	d->f.side[C2S].packets = d->f.side[S2C].packets = 3;
	d->f.ip_version = 4;
	d->f.id = 7;
	tlsd_session_tcp_open(d->s, &d->f);
	d->now += 11 * MSEC;
}

static void record(struct drv *d, enum tlsd_dir dir, uint8_t type, uint16_t len, bool enc)
{
	struct tlsd_record_info ri = {
		.off = d->off[dir], .ts = d->now, .type = type, .version = 0x0303, .len = len,
		.encrypted = enc};

	tlsd_session_record(d->s, dir, &ri);
	d->off[dir] += 5u + len;
}

static void hs(struct drv *d, enum tlsd_dir dir, uint8_t type, const uint8_t *body, size_t len)
{
	struct tlsd_hs_msg m = {
		.off = d->off[dir], .ts = d->now, .type = type, .len = (uint32_t)len,
		.body = body, .record_version = 0x0303, .records = 1, .chunks = 1};

	d->now += MSEC / 10;
	record(d, dir, 22, (uint16_t)(len + 4), false);
	tlsd_session_handshake(d->s, dir, &m);
}

static void hs_empty(struct drv *d, enum tlsd_dir dir, uint8_t type)
{
	static const uint8_t dummy[4] = {0};

	hs(d, dir, type, dummy, sizeof(dummy));
}

static void ch(struct drv *d, const struct hello_opts *o)
{
	struct bb b;

	client_hello(&b, o);
	hs(d, C2S, 1, b.b, b.n);
}

static void sh(struct drv *d, const struct hello_opts *o)
{
	struct bb b;

	server_hello(&b, o);
	hs(d, S2C, 2, b.b, b.n);
}

static void cert(struct drv *d, enum tlsd_dir dir, bool empty)
{
	/* TLS 1.2 Certificate: u24 list of u24-prefixed DER blobs. */
	static const uint8_t one[] = {0, 0, 10, 0, 0, 7, 0x30, 5, 2, 1, 1, 5, 0};
	static const uint8_t none[] = {0, 0, 0};

	if (empty)
		hs(d, dir, 11, none, sizeof(none));
	else
		hs(d, dir, 11, one, sizeof(one));
}

static bool ccs(struct drv *d, enum tlsd_dir dir)
{
	d->now += MSEC / 10;
	record(d, dir, 20, 1, false);
	return tlsd_session_ccs(d->s, dir, d->off[dir], d->now);
}

static void enc(struct drv *d, enum tlsd_dir dir, uint8_t type, uint16_t len)
{
	d->now += MSEC / 10;
	record(d, dir, type, len, true);
}

static void app(struct drv *d, enum tlsd_dir dir, uint16_t len)
{
	d->now += MSEC / 10;
	record(d, dir, 23, len, false); /* type 23 is encrypted whatever the flag */
}

static void alert(struct drv *d, enum tlsd_dir dir, uint8_t level, uint8_t desc)
{
	d->now += MSEC / 10;
	record(d, dir, 21, 2, false);
	tlsd_session_alert(d->s, dir, level, desc, d->off[dir], d->now);
}

static void fin(struct drv *d, enum tlsd_dir dir)
{
	d->now += MSEC / 10;
	tlsd_session_tcp_fin(d->s, &d->f, dir, d->now);
}

static void rst(struct drv *d, enum tlsd_dir dir, uint8_t ttl)
{
	struct tlsd_rst_info ri = {.ttl = ttl, .ip_id = 0};

	d->now += MSEC / 10;
	ri.ts = d->now;
	tlsd_session_tcp_rst(d->s, &d->f, dir, &ri);
}

static void end(struct drv *d, enum tlsd_flow_end how, struct tlsd_report *r)
{
	d->now += MSEC;
	tlsd_session_tcp_end(d->s, &d->f, how, d->now);
	tlsd_session_report(d->s, &d->f, r);
}

static void drv_free(struct drv *d)
{
	tlsd_session_free(d->s);
}

/* The TLS 1.2 server flight after the ServerHello: Certificate,
 * ServerKeyExchange, [CertificateRequest,] ServerHelloDone. */
/* A TLS 1.2 CertificateRequest: certificate_types {rsa_sign},
 * signature_algorithms {rsa_pkcs1_sha256}, and one CA, the DER of the Name
 * "O=Example,CN=Test CA". */
static const uint8_t cr_one_ca[] = {
	0x01, 0x01, 0x00, 0x02, 0x04, 0x01, 0x00, 0x27, 0x00, 0x25, 0x30, 0x23, 0x31, 0x10,
	0x30, 0x0e, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x13, 0x07, 'E',  'x',  'a',  'm',  'p',
	'l',  'e',  0x31, 0x0f, 0x30, 0x0d, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x06, 'T',
	'e',  's',  't',  'C',  'A'};

static void tls12_server_flight(struct drv *d, bool cert_request)
{
	cert(d, S2C, false);
	hs_empty(d, S2C, 12);
	if (cert_request)
		hs(d, S2C, 13, cr_one_ca, sizeof(cr_one_ca));
	hs(d, S2C, 14, NULL, 0);
}

/* CCS and encrypted Finished from one side. */
static void tls12_finish(struct drv *d, enum tlsd_dir dir)
{
	ck_assert(ccs(d, dir));
	enc(d, dir, 22, 40);
}

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

#define ASSERT_PREFIX(s, p) ck_assert_msg(has_prefix((s), (p)), "history \"%s\" lacks prefix \"%s\"", (s), (p))

static const struct hello_opts tls12 = {.suite = 0xc02f};
static const struct hello_opts tls13 = {.tls13 = true, .sid = 0x55, .ks_group = 0x001d, .suite = 0x1301};

/* TLS 1.2 full handshake with a ticket, data, close: Zeek's CsxknGIti. */
START_TEST(tc_tls12_full_ok)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls12);
	ck_assert_int_eq(d.s->state, TLSD_SS_CLIENT_HELLO);
	sh(&d, &tls12);
	tls12_server_flight(&d, false);
	hs_empty(&d, C2S, 16);
	tls12_finish(&d, C2S);
	ck_assert_int_eq(d.s->state, TLSD_SS_CLIENT_FINISHED);
	hs_empty(&d, S2C, 4);
	tls12_finish(&d, S2C);
	ck_assert_int_eq(d.s->state, TLSD_SS_ESTABLISHED);
	ck_assert(tlsd_session_handshake_over(d.s));
	app(&d, C2S, 78);
	app(&d, S2C, 104);
	enc(&d, S2C, 21, 26);
	enc(&d, C2S, 21, 26);
	fin(&d, S2C);
	fin(&d, C2S);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ASSERT_PREFIX(r.history, "CsxknGI");
	ck_assert_str_eq(r.history, "CsxknGIDtidDdlL{}");
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ck_assert_int_eq(r.failed_step, TLSD_STEP_NONE);
	ck_assert_int_eq(r.term_how, TLSD_HOW_CLOSE);
	ck_assert_int_eq(r.term_by, TLSD_PARTY_SERVER);
	ck_assert_int_eq(r.version, 0x0303);
	ck_assert_int_eq(r.cipher, 0xc02f);
	ck_assert(r.has_last_message);
	ck_assert_int_eq(r.last_message, 20);
	ck_assert(!r.resumed);
	ck_assert(r.has_sni);
	ck_assert_str_eq((const char *)r.sni, "example.com");
	ck_assert_int_eq(r.n_versions_offered, 1);
	ck_assert_int_eq(r.versions_offered[0], 0x0303);
	ck_assert_int_eq(r.rtt, 10 * MSEC + 20000);
	ck_assert_int_eq(d.s->unexpected, 0);
	ck_assert_int_eq(r.n_diags, 0);
	drv_free(&d);
}
END_TEST

/* Abbreviated handshakes: session id echo, and a ticket. */
START_TEST(tc_tls12_resumed)
{
	struct hello_opts o = {.suite = 0xc02f, .sid = 0x77};
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &o);
	sh(&d, &o);
	if (_i)
		hs_empty(&d, S2C, 4);
	ck_assert(ccs(&d, S2C));
	enc(&d, S2C, 22, 40);
	ck_assert_int_eq(d.s->state, TLSD_SS_ABBR_SERVER_FINISHED);
	ck_assert(ccs(&d, C2S));
	enc(&d, C2S, 22, 40);
	app(&d, C2S, 78);
	fin(&d, C2S);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_str_eq(r.history, _i ? "CstidIDD}" : "CsidIDD}");
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ck_assert(r.resumed);
	ck_assert(d.s->sid_resumed);
	drv_free(&d);
}
END_TEST

/* Client authentication, success. */
START_TEST(tc_tls12_client_auth_ok)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls12);
	sh(&d, &tls12);
	tls12_server_flight(&d, true);
	cert(&d, C2S, false);
	hs_empty(&d, C2S, 16);
	hs_empty(&d, C2S, 15);
	tls12_finish(&d, C2S);
	tls12_finish(&d, S2C);
	end(&d, TLSD_FLOW_END_CAPTURE_END, &r);
	ck_assert_str_eq(r.history, "CsxkrnXGYIDid");
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ck_assert_int_eq(r.term_how, TLSD_HOW_CAPTURE_END);
	ck_assert(r.client_cert_requested);
	ck_assert(r.client_cert_sent);
	drv_free(&d);
}
END_TEST

/* Zeek's CsxkrnXGIl: empty client certificate, server alert. */
START_TEST(tc_tls12_client_cert_required)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls12);
	sh(&d, &tls12);
	tls12_server_flight(&d, true);
	cert(&d, C2S, true);
	hs_empty(&d, C2S, 16);
	tls12_finish(&d, C2S);
	alert(&d, S2C, 2, 40);
	fin(&d, S2C);
	fin(&d, C2S);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ASSERT_PREFIX(r.history, "CsxkrnXGI");
	ck_assert_str_eq(r.history, "CsxkrnXGIDl{}");
	ck_assert(d.s->cli_cert_empty);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_FAILED);
	ck_assert_int_eq(r.failed_step, TLSD_STEP_CERTIFICATE);
	ck_assert_int_eq(r.term_how, TLSD_HOW_ALERT);
	ck_assert_int_eq(r.term_by, TLSD_PARTY_SERVER);
	ck_assert_str_eq(r.diags[0].code, "client_certificate_required");
	ck_assert(tlsd_session_handshake_over(d.s));
	/* Which CA the server asked for, in the words of a subject. */
	ck_assert(d.s->cr_parsed);
	ck_assert_uint_eq(d.s->cr_ca_names, 1);
	ck_assert_str_eq(d.s->cr_first_ca, "CN=TestCA,O=Example");
	ck_assert_ptr_nonnull(strstr(EVD(&r, &r.diags[0]),
				     "server asked for a certificate from \"CN=TestCA,O=Example\" "
				     "(1 CA named)"));
	drv_free(&d);
}
END_TEST

static const struct tlsd_diag *find_diag(const struct tlsd_report *r, const char *code);

/* CertificateRequests that do not parse, or name something that is not a
 * Name: counted as an anomaly (the former), no CA in words. Only the first
 * CertificateRequest is read. */
START_TEST(tc_tls12_certificate_request_bad)
{
	static const uint8_t truncated[] = {0x01, 0x01, 0x00, 0x02, 0x04, 0x01, 0x00, 0x27};
	static const uint8_t not_a_name[] = {0x01, 0x01, 0x00, 0x02, 0x04, 0x01,
					     0x00, 0x05, 0x00, 0x03, 0x01, 0x02, 0x03};
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls12);
	sh(&d, &tls12);
	cert(&d, S2C, false); /* no ServerKeyExchange: the anomalies are the request's */
	if (_i == 0)
		hs(&d, S2C, 13, truncated, sizeof(truncated));
	else
		hs(&d, S2C, 13, not_a_name, sizeof(not_a_name));
	hs(&d, S2C, 13, cr_one_ca, sizeof(cr_one_ca)); /* not kept: not the first */
	hs(&d, S2C, 14, NULL, 0);
	cert(&d, C2S, true);
	alert(&d, S2C, 2, 40);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert(d.s->cert_request);
	ck_assert(r.client_cert_requested);
	ck_assert_ptr_null(d.s->cr_first_ca);
	ck_assert_ptr_null(strstr(EVD(&r, find_diag(&r, "client_certificate_required")),
				  "asked for a certificate from"));
	if (_i == 0) {
		ck_assert(!d.s->cr_parsed);
		ck_assert_uint_eq(d.s->anomalies, 2); /* and the second request, out of order */
		ck_assert_ptr_null(strstr(EVD(&r, find_diag(&r, "client_certificate_required")),
					  "CA named"));
	} else {
		ck_assert(d.s->cr_parsed);
		ck_assert_uint_eq(d.s->anomalies, 1); /* the second request, out of order */
		ck_assert_uint_eq(d.s->cr_ca_names, 1);
		ck_assert_ptr_nonnull(strstr(EVD(&r, find_diag(&r, "client_certificate_required")),
					     "server sent CertificateRequest (1 CA named)"));
	}
	drv_free(&d);
}
END_TEST

/* Zeek's Cl: handshake_failure straight after the hello. */
START_TEST(tc_no_shared_cipher)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls12);
	alert(&d, S2C, 2, 40);
	fin(&d, C2S);
	fin(&d, S2C);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_str_eq(r.history, "Cl}{");
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_FAILED);
	ck_assert_int_eq(r.failed_step, TLSD_STEP_SERVER_HELLO);
	ck_assert_int_eq(r.version, 0);
	ck_assert(!r.has_cipher);
	ck_assert_str_eq(r.diags[0].code, "no_shared_cipher");
	drv_free(&d);
}
END_TEST

/* The TLS 1.3 server flight, as OpenSSL sends it: EE, Cert, CV, Finished. */
static void tls13_server_flight(struct drv *d, bool with_ccs)
{
	if (with_ccs)
		ck_assert(!ccs(d, S2C));
	app(d, S2C, 23);
	app(d, S2C, 1813);
	app(d, S2C, 281);
	app(d, S2C, 69);
}

START_TEST(tc_tls13_ok)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls13);
	sh(&d, &tls13);
	ck_assert_int_eq(d.s->version, 0x0304);
	ck_assert_int_eq(d.s->state, TLSD_SS_TLS13_SERVER_FLIGHT);
	tls13_server_flight(&d, true);
	ck_assert(!ccs(&d, C2S));
	app(&d, C2S, 53);
	app(&d, C2S, 71);
	ck_assert(!tlsd_session_handshake_over(d.s));
	app(&d, S2C, 250);
	app(&d, S2C, 250);
	ck_assert(tlsd_session_handshake_over(d.s));
	app(&d, S2C, 97);
	app(&d, S2C, 19);
	app(&d, C2S, 19);
	fin(&d, S2C);
	fin(&d, C2S);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ASSERT_PREFIX(r.history, "Csi");
	ck_assert_str_eq(r.history, "Csid*IDDd*D{}");
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ck_assert_int_eq(r.term_by, TLSD_PARTY_SERVER);
	ck_assert_int_eq(r.last_message, 2);
	ck_assert(!r.resumed);
	ck_assert_int_eq(r.n_versions_offered, 2); /* GREASE removed */
	ck_assert_int_eq(r.versions_offered[0], 0x0304);
	ck_assert_int_eq(r.kx_group, 0x001d);
	ck_assert_int_eq(d.s->t13.srv_flight, 4);
	ck_assert_int_eq(d.s->t13.cli_flight, 2);
	ck_assert_int_eq(d.s->t13.post_srv, 4);
	ck_assert_int_eq(d.s->unexpected, 0);
	drv_free(&d);
}
END_TEST

/* HelloRetryRequest, second ClientHello, then success. */
START_TEST(tc_tls13_hrr_ok)
{
	struct hello_opts hrr = tls13;
	struct drv d;
	struct tlsd_report r;

	hrr.hrr = true;
	hrr.ks_group = 0x0017;
	drv_init(&d);
	ch(&d, &tls13);
	sh(&d, &hrr);
	ck_assert_int_eq(d.s->state, TLSD_SS_HELLO_RETRY);
	ck_assert(!ccs(&d, S2C));
	ck_assert(!ccs(&d, C2S));
	ch(&d, &tls13);
	ck_assert_int_eq(d.s->state, TLSD_SS_CLIENT_HELLO2);
	sh(&d, &tls13);
	tls13_server_flight(&d, false);
	app(&d, C2S, 53);
	app(&d, S2C, 250);
	end(&d, TLSD_FLOW_END_CAPTURE_END, &r);
	ASSERT_PREFIX(r.history, "CjiICs");
	ck_assert(d.s->has_hrr);
	ck_assert(d.s->has_ch2);
	ck_assert_int_eq(d.s->n_client_hellos, 2);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ck_assert_int_eq(d.s->unexpected, 0);
	drv_free(&d);
}
END_TEST

/* PSK resumption: pre_shared_key in the ServerHello. */
START_TEST(tc_tls13_psk)
{
	struct hello_opts o = tls13;
	struct drv d;
	struct tlsd_report r;

	o.psk = true;
	drv_init(&d);
	ch(&d, &tls13);
	sh(&d, &o);
	ck_assert(!ccs(&d, S2C));
	app(&d, S2C, 23);
	app(&d, S2C, 53);
	ck_assert(!ccs(&d, C2S));
	app(&d, C2S, 53);
	app(&d, S2C, 250);
	fin(&d, C2S);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ck_assert(r.resumed);
	drv_free(&d);
}
END_TEST

/* 0-RTT: application data records before the ServerHello. */
START_TEST(tc_tls13_early_data)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls13);
	ck_assert(!ccs(&d, C2S));
	app(&d, C2S, 100);
	app(&d, C2S, 100);
	sh(&d, &tls13);
	tls13_server_flight(&d, false);
	app(&d, C2S, 21); /* end_of_early_data */
	app(&d, C2S, 53);
	app(&d, S2C, 250);
	end(&d, TLSD_FLOW_END_CAPTURE_END, &r);
	ck_assert_int_eq(d.s->t13.early_records, 2);
	ck_assert_int_eq(d.s->t13.cli_flight_first_len, 53);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ck_assert_int_eq(d.s->unexpected, 0);
	drv_free(&d);
}
END_TEST

/* The server answers the client's flight with one 19-byte record, then FIN. */
START_TEST(tc_tls13_server_encrypted_alert)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls13);
	sh(&d, &tls13);
	tls13_server_flight(&d, true);
	app(&d, S2C, 126); /* CertificateRequest */
	ck_assert(!ccs(&d, C2S));
	app(&d, C2S, 25);
	app(&d, C2S, 53);
	app(&d, C2S, 71);
	app(&d, S2C, 19);
	fin(&d, S2C);
	fin(&d, C2S);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_int_eq(tlsd_diagnose_tls13(d.s), TLSD_T13_SERVER_ALERT);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_FAILED);
	ck_assert_int_eq(r.failed_step, TLSD_STEP_CERTIFICATE);
	ck_assert_int_eq(r.term_how, TLSD_HOW_ALERT);
	ck_assert_int_eq(r.term_by, TLSD_PARTY_SERVER);
	ck_assert(r.alert.encrypted);
	ck_assert_str_eq(r.diags[0].code, "client_certificate_required");
	drv_free(&d);
}
END_TEST

/* The client answers the server's flight with one 19-byte record. */
START_TEST(tc_tls13_client_encrypted_alert)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls13);
	sh(&d, &tls13);
	tls13_server_flight(&d, true);
	ck_assert(!ccs(&d, C2S));
	app(&d, C2S, 19);
	fin(&d, C2S);
	fin(&d, S2C);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_FAILED);
	ck_assert_int_eq(r.failed_step, TLSD_STEP_CERTIFICATE);
	ck_assert_int_eq(r.term_by, TLSD_PARTY_CLIENT);
	ck_assert(r.alert.encrypted);
	ck_assert_str_eq(r.diags[0].code, "server_certificate_rejected");
	drv_free(&d);
}
END_TEST

/* An OpenSSL client's plaintext unknown_ca in TLS 1.3. */
START_TEST(tc_tls13_plaintext_alert)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls13);
	sh(&d, &tls13);
	tls13_server_flight(&d, true);
	alert(&d, C2S, 2, 48);
	fin(&d, C2S);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_str_eq(r.history, "Csid*L}");
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_FAILED);
	ck_assert_int_eq(r.failed_step, TLSD_STEP_CERTIFICATE);
	ck_assert_int_eq(r.alert.code, 48);
	ck_assert(!r.alert.encrypted);
	ck_assert_str_eq(r.diags[0].code, "server_certificate_untrusted");
	drv_free(&d);
}
END_TEST

/* A message out of order is a finding, not the end of the analysis. */
START_TEST(tc_unexpected_message)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls12);
	sh(&d, &tls12);
	cert(&d, S2C, false);
	hs_empty(&d, S2C, 16); /* a ClientKeyExchange from the server */
	ck_assert_int_eq(d.s->unexpected, 1);
	ck_assert_int_eq(d.s->state, TLSD_SS_SERVER_CERT);
	ck_assert_ptr_nonnull(strstr(d.s->first_unexpected, "from the server in state server_certificate"));
	hs_empty(&d, S2C, 12);
	hs(&d, S2C, 14, NULL, 0);
	hs_empty(&d, C2S, 16);
	tls12_finish(&d, C2S);
	tls12_finish(&d, S2C);
	end(&d, TLSD_FLOW_END_CAPTURE_END, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ck_assert_uint_ge(r.anomalies, 1);
	drv_free(&d);
}
END_TEST

/* Renegotiation: encrypted handshake records after completion. */
START_TEST(tc_renegotiation)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls12);
	sh(&d, &tls12);
	tls12_server_flight(&d, false);
	hs_empty(&d, C2S, 16);
	tls12_finish(&d, C2S);
	tls12_finish(&d, S2C);
	app(&d, C2S, 100);
	enc(&d, C2S, 22, 300);
	enc(&d, S2C, 22, 2000);
	end(&d, TLSD_FLOW_END_CAPTURE_END, &r);
	ck_assert(d.s->renegotiation);
	ck_assert_int_eq(d.s->reneg_dir, C2S);
	ck_assert_str_eq(r.history, "CsxknGIDidD%Dd");
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ck_assert_int_eq(d.s->unexpected, 0);
	drv_free(&d);
}
END_TEST

/* SSLv2-compatible hello: followed as far as it goes. */
START_TEST(tc_sslv2_hello)
{
	static const uint8_t v2[] = {
		1, 0x03, 0x01, 0, 6, 0, 0, 0, 16, /* type, version, lengths */
		0, 0x00, 0x2f, 0, 0x00, 0x0a,     /* two TLS suites */
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	};
	struct tlsd_hs_msg m = {.ts = T0, .type = 1, .len = sizeof(v2), .body = v2, .sslv2 = true,
				.records = 1, .chunks = 1};
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	tlsd_session_handshake(d.s, C2S, &m);
	ck_assert(d.s->ch_parsed);
	ck_assert_int_eq(d.s->state, TLSD_SS_CLIENT_HELLO);
	rst(&d, S2C, 64);
	end(&d, TLSD_FLOW_END_RESET, &r);
	ck_assert_int_eq(r.n_versions_offered, 1);
	ck_assert_int_eq(r.versions_offered[0], 0x0301);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_FAILED);
	ck_assert_str_eq(r.diags[0].code, "reset_after_client_hello");
	drv_free(&d);
}
END_TEST

/* D/d runs collapse; the history never overflows its buffer. */
START_TEST(tc_history_bounds)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls12);
	for (int i = 0; i < 10; i++)
		app(&d, C2S, 100); /* unexpected before SH: each one still a D */
	for (int i = 0; i < 120; i++) {
		alert(&d, i % 2 ? S2C : C2S, 1, 112);
	}
	end(&d, TLSD_FLOW_END_CAPTURE_END, &r);
	ASSERT_PREFIX(r.history, "CD*Ll");
	ck_assert_uint_eq(strlen(r.history), TLSD_HISTORY_LEN - 1);
	ck_assert_int_eq(r.history[TLSD_HISTORY_LEN - 2], '+');
	drv_free(&d);
}
END_TEST

/* A RST whose TTL differs from the server's own packets. */
START_TEST(tc_middlebox_rst_ttl)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls13);
	rst(&d, S2C, 250);
	end(&d, TLSD_FLOW_END_RESET, &r);
	ck_assert_str_eq(r.history, "C#");
	ck_assert_int_eq(r.term_by, TLSD_PARTY_MIDDLEBOX);
	ck_assert_int_eq(r.term_how, TLSD_HOW_RESET);
	ck_assert(tlsd_report_has_diag(&r, "reset_after_client_hello"));
	ck_assert(tlsd_report_has_diag(&r, "middlebox_reset"));
	drv_free(&d);
}
END_TEST

/* Resets towards both sides: a middlebox, even with matching TTLs. */
START_TEST(tc_middlebox_rst_both)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls13);
	rst(&d, S2C, 64);
	rst(&d, C2S, 64);
	end(&d, TLSD_FLOW_END_RESET, &r);
	ck_assert_str_eq(r.history, "C##");
	ck_assert_int_eq(r.term_by, TLSD_PARTY_MIDDLEBOX);
	ck_assert_ptr_nonnull(strstr(d.s->dir[S2C].rst_why, "both sides"));
	drv_free(&d);
}
END_TEST

/* A plain server RST is the server's: it came a full round trip (10 ms
 * here) after the hello. */
START_TEST(tc_server_rst)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls13);
	d.now += 20 * MSEC;
	rst(&d, S2C, 64);
	end(&d, TLSD_FLOW_END_RESET, &r);
	ck_assert_str_eq(r.history, "C|");
	ck_assert_int_eq(r.term_by, TLSD_PARTY_SERVER);
	ck_assert(!tlsd_report_has_diag(&r, "middlebox_reset"));
	ck_assert_int_eq(r.time_to_failure, 20 * MSEC + 2 * (MSEC / 10));
	drv_free(&d);
}
END_TEST

/* A "server" RST sooner than the round trip allows (capture near the
 * client: SYN-ACK 10 ms after the SYN, the ACK at once). */
START_TEST(tc_middlebox_rst_timing)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls13);
	rst(&d, S2C, 64);
	end(&d, TLSD_FLOW_END_RESET, &r);
	ck_assert_str_eq(r.history, "C#");
	ck_assert_int_eq(r.term_by, TLSD_PARTY_MIDDLEBOX);
	ck_assert_ptr_nonnull(strstr(d.s->dir[S2C].rst_why, "round trip"));
	drv_free(&d);
}
END_TEST

/* Plain text to a TLS server: client_not_tls. */
START_TEST(tc_client_not_tls)
{
	static const uint8_t get[] = "GET / HTTP/1.1\r\n";
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	tlsd_session_framing_lost(d.s, C2S, TLSD_FRAMING_NOT_TLS, 0, get, sizeof(get) - 1);
	alert(&d, S2C, 2, 10);
	fin(&d, S2C);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_str_eq(r.history, "Ql{");
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_FAILED);
	ck_assert_int_eq(r.failed_step, TLSD_STEP_CLIENT_HELLO);
	ck_assert_str_eq(r.diags[0].code, "client_not_tls");
	drv_free(&d);
}
END_TEST

/* A gap while the handshake is under way: incomplete. */
START_TEST(tc_gap_incomplete)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls12);
	sh(&d, &tls12);
	tlsd_session_tcp_gap(d.s, S2C, 200, 1448);
	tlsd_session_framing_lost(d.s, S2C, TLSD_FRAMING_GAP, 200, NULL, 0);
	fin(&d, C2S);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_str_eq(r.history, "Cs~}");
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_INCOMPLETE);
	ck_assert_str_eq(r.diags[0].code, "packets_missing");
	drv_free(&d);
}
END_TEST

/* Idle timeout after the hello: server_no_response, '@' in the history. */
START_TEST(tc_timeout)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls12);
	d.now += 120 * TLSD_NS_PER_SEC;
	end(&d, TLSD_FLOW_END_TIMEOUT, &r);
	ck_assert_str_eq(r.history, "C@");
	ck_assert_int_eq(r.term_how, TLSD_HOW_TIMEOUT);
	ck_assert_str_eq(r.diags[0].code, "server_no_response");
	drv_free(&d);
}
END_TEST

/* ---- certificate stage ---------------------------------------------------- */

/* The signed ServerKeyExchange of tests/certs/make.sh: client_random 32 x
 * 0x11 (our ClientHello's), server_random 32 x 0x22, ECDHE x25519 params;
 * signed by good.der's key with the named signature file. */
static struct tlsd_fix_blob ske_body(const char *sig_file, uint16_t scheme, bool flip)
{
	struct tlsd_fix_blob data = tlsd_fix_slurp("ske-data.bin");
	struct tlsd_fix_blob sig = tlsd_fix_slurp(sig_file);
	struct tlsd_fix_blob b;
	size_t plen = data.len - 64;

	/* ServerECDHParams params; SignatureAndHashAlgorithm; opaque sig<0..2^16-1> */
	b.len = plen + 4 + sig.len;
	b.p = malloc(b.len);
	ck_assert(b.p != NULL);
	memcpy(b.p, data.p + 64, plen);
	b.p[plen] = (uint8_t)(scheme >> 8);
	b.p[plen + 1] = (uint8_t)scheme;
	b.p[plen + 2] = (uint8_t)(sig.len >> 8);
	b.p[plen + 3] = (uint8_t)sig.len;
	memcpy(b.p + plen + 4, sig.p, sig.len);
	if (flip)
		b.p[b.len - 1] ^= 0x01;
	free(data.p);
	free(sig.p);
	return b;
}

static void cert_msg(struct drv *d, enum tlsd_dir dir, const char *const *names)
{
	struct tlsd_fix_blob m = tlsd_fix_cert_msg(names);

	hs(d, dir, 11, m.p, m.len);
	free(m.p);
}

static const struct tlsd_diag *find_diag(const struct tlsd_report *r, const char *code)
{
	for (unsigned i = 0; i < r->n_diags; i++)
		if (strcmp(r->diags[i].code, code) == 0)
			return &r->diags[i];
	ck_abort_msg("no diagnosis %s", code);
	return NULL;
}

static struct tlsd_ctx cert_ctx;
static struct tlsd_cert_checks cert_cc;

/* A session with the certificate stage on (store: tests/certs/root.pem),
 * whose capture starts on 2025-06-01. */
static void cert_drv(struct drv *d, uint32_t max_chain)
{
	tlsd_ctx_init(&cert_ctx);
	cert_cc = (struct tlsd_cert_checks){
		.store = tlsd_fix_store("root.pem", max_chain),
		.max_chain = max_chain ? max_chain : TLSD_CERT_MAX_CHAIN,
		.expiry_warning_days = 14,
		.ctx = &cert_ctx,
	};
	drv_init(d);
	d->f.first_ts = TLSD_FIX_T_2025_06_01 * TLSD_NS_PER_SEC;
	tlsd_session_tcp_open(d->s, &d->f);
	tlsd_session_set_cert_checks(d->s, &cert_cc);
}

static void cert_drv_free(struct drv *d)
{
	drv_free(d);
	tlsd_cert_store_free(cert_cc.store);
}

static const char *const good_chain[] = {"good.der", "inter.der", NULL};

/* Hellos, then the server's TLS 1.2 flight with the good chain and the
 * ServerKeyExchange ske (freed): Certificate, ServerKeyExchange, Done. */
static void ske_server_flight(struct drv *d, const struct hello_opts *o, struct tlsd_fix_blob ske)
{
	ch(d, o);
	sh(d, o);
	cert_msg(d, S2C, good_chain);
	hs(d, S2C, 12, ske.p, ske.len);
	free(ske.p);
	hs(d, S2C, 14, NULL, 0);
}

/* By default a signature the client accepted (it went on to its CCS) is
 * not verified again: reported unchecked. */
START_TEST(tc_cert_stage_accepted_unchecked)
{
	struct hello_opts o = {.suite = 0xc02f, .random = 0x22};
	struct tlsd_fix_blob ske = ske_body("ske-rsa_pkcs1_sha256.sig", 0x0401, false);
	struct drv d;
	struct tlsd_report r;

	cert_drv(&d, 0);
	ske_server_flight(&d, &o, ske);
	hs_empty(&d, C2S, 16);
	tls12_finish(&d, C2S);
	tls12_finish(&d, S2C);
	fin(&d, C2S);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert(d.s->certs.checked);
	ck_assert(!d.s->certs.ske_checked);
	ck_assert_int_eq(r.ske_sig, TLSD_SKE_SIG_UNCHECKED);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	cert_drv_free(&d);
}
END_TEST

/* The TLS 1.2 server flight with real certificates and a real (or flipped)
 * ServerKeyExchange signature, the client's reaction, and the checks'
 * results in the report: loop 0 = the client goes on, 1 = flipped signature
 * and decrypt_error, 2 = a PSS signature. */
START_TEST(tc_cert_stage)
{
	struct hello_opts o = {.suite = 0xc02f, .random = 0x22};
	struct tlsd_fix_blob ske = _i == 2 ? ske_body("ske-rsa_pss_rsae_sha256.sig", 0x0804, false)
					   : ske_body("ske-rsa_pkcs1_sha256.sig", 0x0401, _i == 1);
	struct drv d;
	struct tlsd_report r;

	cert_drv(&d, 0);
	/* Also the signature the client accepted (loops 0 and 2). */
	cert_cc.verify_all_signatures = true;
	ske_server_flight(&d, &o, ske);
	ck_assert(d.s->certs.ske_kept);
	ck_assert_ptr_nonnull(d.s->certs.mat);
	ck_assert_int_eq(d.s->certs.mat->srv.n, 2);
	ck_assert(!d.s->certs.checked);
	if (_i == 1) {
		alert(&d, C2S, 2, 51);
	} else {
		hs_empty(&d, C2S, 16);
		tls12_finish(&d, C2S);
		tls12_finish(&d, S2C);
	}
	fin(&d, C2S);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert(d.s->certs.checked);
	ck_assert_uint_eq(d.s->certs.mat->mem.len, 0); /* the copies are gone after the checks */
	ck_assert_ptr_nonnull(r.certs);
	ck_assert_ptr_null(r.client_certs);
	ck_assert_uint_eq(r.certs->n_certs, 2);
	ck_assert_uint_eq(r.certs->n_sent, 2);
	ck_assert_str_eq(r.certs->certs[0].subject, "CN=server.test");
	ck_assert(r.certs->verified);
	/* Our ClientHello asks for example.com; good.der covers server.test. */
	ck_assert(tlsd_cert_has_finding(r.certs, TLSD_CERT_HOSTNAME_MISMATCH));
	ck_assert(d.s->certs.ske_checked);
	ck_assert_int_eq(r.ske_sig, _i == 1 ? TLSD_SKE_SIG_INVALID : TLSD_SKE_SIG_VALID);
	if (_i == 1) {
		ck_assert_int_eq(d.s->certs.ske_result, TLSD_SIG_BAD);
		ck_assert_int_eq(r.failed_step, TLSD_STEP_KEY_EXCHANGE);
		ck_assert_str_eq(r.diags[0].code, "key_exchange_signature_invalid");
		ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_CERTAIN);
	} else {
		ck_assert_msg(d.s->certs.ske_result == TLSD_SIG_OK, "%s",
			      d.s->certs.ske_detail ? d.s->certs.ske_detail : "(none)");
		ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
		ck_assert_int_eq(r.n_diags, 1);
		ck_assert_str_eq(r.diags[0].code, "hostname_mismatch");
		ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_POSSIBLE);
	}
	cert_drv_free(&d);
}
END_TEST

/* Once no report is shown in detail (cc->details_unread true: the grouped
 * view), a flipped ServerKeyExchange signature is checked only where the
 * connection failed (the answer may be its cause): loop 0 = decrypt_error,
 * checked and the cause; 1 = the capture ends after the server's flight,
 * not checked; 2 = the same with reports shown, checked, a warning. */
START_TEST(tc_cert_stage_details_unread)
{
	struct hello_opts o = {.suite = 0xc02f, .random = 0x22};
	struct tlsd_fix_blob ske = ske_body("ske-rsa_pkcs1_sha256.sig", 0x0401, true);
	atomic_bool unread;
	struct drv d;
	struct tlsd_report r;

	atomic_init(&unread, _i != 2);
	cert_drv(&d, 0);
	cert_cc.details_unread = &unread;
	ske_server_flight(&d, &o, ske);
	if (_i == 0) {
		alert(&d, C2S, 2, 51);
		fin(&d, C2S);
		end(&d, TLSD_FLOW_END_CLOSE, &r);
	} else {
		end(&d, TLSD_FLOW_END_CAPTURE_END, &r);
	}
	ck_assert(d.s->certs.checked);
	ck_assert_ptr_nonnull(r.certs); /* the chain is checked either way */
	if (_i == 0) {
		ck_assert_int_eq(r.outcome, TLSD_OUTCOME_FAILED);
		ck_assert(d.s->certs.ske_checked);
		ck_assert_str_eq(r.diags[0].code, "key_exchange_signature_invalid");
		ck_assert_int_eq(r.diags[0].confidence, TLSD_CONF_CERTAIN);
	} else {
		ck_assert_int_ne(r.outcome, TLSD_OUTCOME_FAILED);
		ck_assert(d.s->certs.ske_checked == (_i == 2));
		ck_assert_int_eq(r.ske_sig, _i == 2 ? TLSD_SKE_SIG_INVALID : TLSD_SKE_SIG_UNCHECKED);
		ck_assert(tlsd_report_has_diag(&r, "key_exchange_signature_invalid") == (_i == 2));
	}
	cert_drv_free(&d);
}
END_TEST

/* A session made new again (tlsd_session_cleanup, tlsd_session_init: what
 * conn.c does with the sessions of closed connections) after one that held
 * certificate findings gives the same report as a fresh one. */
static void hrr_handshake(struct drv *d, struct tlsd_report *r)
{
	struct hello_opts hrr = tls13;

	hrr.hrr = true;
	hrr.ks_group = 0x0017;
	ch(d, &tls13);
	sh(d, &hrr);
	ch(d, &tls13);
	sh(d, &tls13);
	tls13_server_flight(d, false);
	alert(d, C2S, 2, 42);
	end(d, TLSD_FLOW_END_CLOSE, r);
}

START_TEST(tc_session_reuse)
{
	struct hello_opts o = {.suite = 0xc02f, .random = 0x22};
	struct drv d, fresh;
	struct tlsd_report r, r_reused, r_fresh;
	struct tlsd_session *s;

	cert_drv(&d, 0);
	ch(&d, &o);
	sh(&d, &o);
	cert_msg(&d, S2C, good_chain);
	hs(&d, S2C, 14, NULL, 0);
	alert(&d, C2S, 2, 42);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_ptr_nonnull(d.s->certs.srv_findings);
	s = d.s;
	tlsd_session_cleanup(s);
	ck_assert_ptr_null(s->certs.srv_findings);
	tlsd_session_init(s, NULL);
	ck_assert(!s->has_ch);
	ck_assert_int_eq(s->state, TLSD_SS_IDLE);
	/* The same connection on the reused and on a fresh session. */
	d.s = NULL;
	cert_drv_free(&d);
	drv_init(&d);
	tlsd_session_free(d.s);
	d.s = s;
	tlsd_session_tcp_open(d.s, &d.f);
	/* The report leaves its arrays past their counts as they were
	 * (tlsd_session_report): the same bytes there, to compare it whole. */
	memset(&r_reused, 0xa5, sizeof(r_reused));
	memset(&r_fresh, 0xa5, sizeof(r_fresh));
	hrr_handshake(&d, &r_reused);
	drv_init(&fresh);
	hrr_handshake(&fresh, &r_fresh);
	ck_assert_str_eq(r_reused.history, r_fresh.history);
	ck_assert_int_eq(r_reused.outcome, TLSD_OUTCOME_FAILED);
	ck_assert_ptr_null(r_reused.certs);
	ck_assert_mem_eq(&r_reused, &r_fresh, sizeof(r_fresh));
	drv_free(&d);
	drv_free(&fresh);
}
END_TEST

/* Prefetching a session (conn.c, at a FIN, a RST and the close) is a hint:
 * the report of the connection is the same with or without it. */
START_TEST(tc_session_prefetch)
{
	struct drv d, plain;
	struct tlsd_report r, r_plain;

	drv_init(&d);
	drv_init(&plain);
	tlsd_session_prefetch(d.s);
	memset(&r, 0, sizeof(r));
	memset(&r_plain, 0, sizeof(r_plain));
	hrr_handshake(&d, &r);
	tlsd_session_prefetch(d.s);
	hrr_handshake(&plain, &r_plain);
	ck_assert_mem_eq(&r, &r_plain, sizeof(r));
	drv_free(&d);
	drv_free(&plain);
}
END_TEST

/* The client's chain is kept and checked as a client chain. */
START_TEST(tc_cert_client_chain)
{
	struct drv d;
	struct tlsd_report r;

	cert_drv(&d, 0);
	ch(&d, &tls12);
	sh(&d, &tls12);
	cert_msg(&d, S2C, good_chain);
	hs(&d, S2C, 14, NULL, 0);
	cert_msg(&d, C2S, good_chain);
	alert(&d, S2C, 2, 48);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_ptr_nonnull(r.client_certs);
	ck_assert_uint_eq(r.client_certs->n_certs, 2);
	ck_assert(!r.client_certs->host_checked);
	ck_assert(r.certs->host_checked);
	/* good.der is a serverAuth-only certificate: not for client use. */
	ck_assert(!r.client_certs->verified);
	ck_assert_ptr_nonnull(strstr(EVD(&r, find_diag(&r, "client_certificate_rejected")),
				     "client certificate \"CN=server.test\""));
	cert_drv_free(&d);
}
END_TEST

/* Caps: a chain longer than --max-chain is cut there, a certificate above
 * 64 KiB ends the chain; both are counted cap events, never a crash. */
START_TEST(tc_cert_caps)
{
	struct drv d;
	struct tlsd_report r;

	cert_drv(&d, 1);
	ch(&d, &tls12);
	sh(&d, &tls12);
	cert_msg(&d, S2C, good_chain);
	ck_assert_int_eq(d.s->certs.mat->srv.n, 1);
	ck_assert(d.s->certs.mat->srv.capped);
	ck_assert_uint_eq(cert_ctx.cnt.anomalies[TLSD_ANOM_CAPTURE_CAP_CHAIN], 1);
	hs(&d, S2C, 14, NULL, 0);
	fin(&d, C2S);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_uint_eq(r.certs->n_sent, 2);
	ck_assert_uint_eq(r.certs->n_certs, 1);
	ck_assert(r.certs->chain_truncated);
	cert_drv_free(&d);

	/* A 70000-byte "certificate": nothing is kept, nothing is checked. */
	{
		size_t big = 70000, len = 3 + 3 + big;
		uint8_t *m = calloc(1, len);

		ck_assert_ptr_nonnull(m);
		tlsd_fix_put24(m, 3 + big);
		tlsd_fix_put24(m + 3, big);
		cert_drv(&d, 0);
		ch(&d, &tls12);
		sh(&d, &tls12);
		hs(&d, S2C, 11, m, len);
		free(m);
		ck_assert_int_eq(d.s->certs.mat->srv.n, 0);
		ck_assert(d.s->certs.mat->srv.capped);
		ck_assert_uint_eq(cert_ctx.cnt.anomalies[TLSD_ANOM_CAPTURE_CAP_CHAIN], 1);
		ck_assert_uint_le(d.s->certs.mat->mem.len, 0);
		fin(&d, C2S);
		end(&d, TLSD_FLOW_END_CLOSE, &r);
		ck_assert_ptr_null(r.certs);
		cert_drv_free(&d);
	}
}
END_TEST

/* With skip_established (no --all), an established connection's chain is
 * not checked at all (nothing shows it); a failed one's still is. */
START_TEST(tc_cert_skip_established)
{
	struct drv d;
	struct tlsd_report r;

	cert_drv(&d, 0);
	cert_cc.skip_established = true;
	ch(&d, &tls12);
	sh(&d, &tls12);
	cert_msg(&d, S2C, good_chain);
	hs(&d, S2C, 14, NULL, 0);
	hs_empty(&d, C2S, 16);
	tls12_finish(&d, C2S);
	tls12_finish(&d, S2C);
	fin(&d, C2S);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_ESTABLISHED);
	ck_assert(!d.s->certs.checked);
	ck_assert_ptr_null(r.certs);
	cert_drv_free(&d);

	cert_drv(&d, 0);
	cert_cc.skip_established = true;
	ch(&d, &tls12);
	sh(&d, &tls12);
	cert_msg(&d, S2C, good_chain);
	hs(&d, S2C, 14, NULL, 0);
	alert(&d, C2S, 2, 42);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_int_eq(r.outcome, TLSD_OUTCOME_FAILED);
	ck_assert(d.s->certs.checked);
	ck_assert_ptr_nonnull(r.certs);
	ck_assert(tlsd_cert_has_finding(r.certs, TLSD_CERT_HOSTNAME_MISMATCH));
	cert_drv_free(&d);
}
END_TEST

/* Without a store nothing is kept; the first Certificate of a side counts. */
START_TEST(tc_cert_off)
{
	struct drv d;
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls12);
	sh(&d, &tls12);
	cert_msg(&d, S2C, good_chain);
	ck_assert_ptr_null(d.s->certs.mat); /* the stage is off: nothing kept */
	fin(&d, C2S);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_ptr_null(r.certs);
	ck_assert_ptr_null(r.client_certs);
	ck_assert_int_eq(r.ske_sig, TLSD_SKE_SIG_NONE);
	drv_free(&d);
}
END_TEST

/* One-sided capture of a TLS 1.2 resumption by a client that also offered
 * TLS 1.3: its CCS is first taken for the compatibility one, but the
 * handshake record after it can only be TLS 1.2's encrypted Finished. */
START_TEST(tc_ccs_switched_keys)
{
	struct drv d;
	struct tlsd_record_info fin = {.type = 22, .version = 0x0303, .len = 40};
	struct tlsd_report r;

	drv_init(&d);
	ch(&d, &tls13);
	ck_assert(!ccs(&d, C2S));
	fin.off = d.off[C2S];
	fin.ts = d.now;
	ck_assert(tlsd_session_ccs_switched_keys(d.s, C2S, &fin));
	fin.encrypted = true; /* what the framer then reports */
	tlsd_session_record(d.s, C2S, &fin);
	/* Once is enough: the direction is protected now. */
	ck_assert(!tlsd_session_ccs_switched_keys(d.s, C2S, &fin));
	end(&d, TLSD_FLOW_END_CAPTURE_END, &r);
	ck_assert_str_eq(r.history, "CID");
	drv_free(&d);

	/* After a HelloRetryRequest, plaintext hellos follow CCSs. */
	drv_init(&d);
	ch(&d, &tls13);
	ck_assert(!ccs(&d, C2S));
	d.s->has_hrr = true;
	fin.encrypted = false;
	ck_assert(!tlsd_session_ccs_switched_keys(d.s, C2S, &fin));
	drv_free(&d);
}
END_TEST

/* A reset from the server's address sooner after the ClientHello than the
 * round trip allows cannot come from the server (the capture sits near the
 * client: its ACK of the SYN-ACK followed at once): a middlebox (man page,
 * reset_after_client_hello). One later than the round trip may be the
 * server's. */
START_TEST(tc_rst_timing)
{
	for (int late = 0; late < 2; late++) {
		struct drv d;
		struct tlsd_report r;

		drv_init(&d); /* round trip 10.02 ms */
		ch(&d, &tls12);
		d.now += late ? 12 * MSEC : 8 * MSEC;
		rst(&d, S2C, 64);
		end(&d, TLSD_FLOW_END_RESET, &r);
		ck_assert_int_eq(r.term_by, late ? TLSD_PARTY_SERVER : TLSD_PARTY_MIDDLEBOX);
		drv_free(&d);
	}
}
END_TEST

/* Records that look like TLS, no hello, seen from the SYN: a look-alike. */
/* ---- the kept hellos (struct tlsd_sess_ch/_sh and their list store) ------ */

static void assert_same_strlist(const struct tlsd_strlist *a, const struct tlsd_strlist *b)
{
	ck_assert_uint_eq(a->total, b->total);
	ck_assert_uint_eq(a->n, b->n);
	ck_assert_uint_eq(a->used, b->used);
	ck_assert_mem_eq(a->data, b->data, a->used);
}

/* The fields and list entries of two ClientHellos agree (the JA3 and JA4
 * strings cover the version, suites, extensions, groups, point formats,
 * signature algorithms, versions and ALPN once more). */
static void assert_same_ch(const struct tlsd_client_hello *a, const struct tlsd_client_hello *b)
{
	char sa[TLSD_JA3_STR_MAX], sb[TLSD_JA3_STR_MAX], ma[TLSD_MD5_HEX_LEN], mb[TLSD_MD5_HEX_LEN];
	char ja[TLSD_JA4_LEN], jb[TLSD_JA4_LEN];

	ck_assert_uint_eq(a->legacy_version, b->legacy_version);
	ck_assert_mem_eq(a->random, b->random, sizeof(a->random));
	ck_assert_uint_eq(a->session_id_len, b->session_id_len);
	ck_assert_mem_eq(a->session_id, b->session_id, a->session_id_len);
	ck_assert_uint_eq(a->n_suites_total, b->n_suites_total);
	ck_assert_uint_eq(a->n_suites, b->n_suites);
	ck_assert_mem_eq(a->suites, b->suites, 2u * a->n_suites);
	ck_assert_uint_eq(a->n_exts_total, b->n_exts_total);
	ck_assert_uint_eq(a->n_exts, b->n_exts);
	ck_assert_mem_eq(a->exts, b->exts, 2u * a->n_exts);
	ck_assert_int_eq(a->has_sni, b->has_sni);
	ck_assert_uint_eq(a->sni_len, b->sni_len);
	ck_assert_int_eq(a->sni_truncated, b->sni_truncated);
	ck_assert_mem_eq(a->sni, b->sni, a->sni_len);
	ck_assert_uint_eq(b->sni[b->sni_len], 0);
	ck_assert_uint_eq(a->n_versions, b->n_versions);
	ck_assert_mem_eq(a->versions, b->versions, 2u * a->n_versions);
	ck_assert_uint_eq(a->n_groups, b->n_groups);
	ck_assert_mem_eq(a->groups, b->groups, 2u * a->n_groups);
	ck_assert_uint_eq(a->n_point_formats, b->n_point_formats);
	ck_assert_mem_eq(a->point_formats, b->point_formats, a->n_point_formats);
	ck_assert_uint_eq(a->n_sigalgs, b->n_sigalgs);
	ck_assert_mem_eq(a->sigalgs, b->sigalgs, 2u * a->n_sigalgs);
	ck_assert_uint_eq(a->n_key_shares, b->n_key_shares);
	ck_assert_mem_eq(a->key_share_groups, b->key_share_groups, 2u * a->n_key_shares);
	ck_assert_mem_eq(a->key_share_lens, b->key_share_lens, 2u * a->n_key_shares);
	assert_same_strlist(&a->alpn, &b->alpn);
	ck_assert_uint_eq(a->psk_modes, b->psk_modes);
	ck_assert_uint_eq(a->padding_len, b->padding_len);
	ck_assert_uint_eq(a->msg_len, b->msg_len);
	ck_assert_int_eq(a->has_etm, b->has_etm);
	ck_assert_int_eq(a->has_ems, b->has_ems);
	ck_assert_int_eq(a->has_alpn, b->has_alpn);
	ck_assert_int_eq(a->has_key_share, b->has_key_share);
	ck_assert_int_eq(a->has_supported_versions, b->has_supported_versions);
	ck_assert_int_eq(a->fallback_scsv, b->fallback_scsv);
	ck_assert_int_eq(a->sslv2, b->sslv2);
	ck_assert_int_eq(tlsd_fp_ja3(a, sa, sizeof(sa), ma), 0);
	ck_assert_int_eq(tlsd_fp_ja3(b, sb, sizeof(sb), mb), 0);
	ck_assert_str_eq(sa, sb);
	ck_assert_int_eq(tlsd_fp_ja4(a, TLSD_JA4_TCP, ja), 0);
	ck_assert_int_eq(tlsd_fp_ja4(b, TLSD_JA4_TCP, jb), 0);
	ck_assert_str_eq(ja, jb);
}

static void assert_same_sh(const struct tlsd_server_hello *a, const struct tlsd_server_hello *b)
{
	char sa[TLSD_JA3_STR_MAX], sb[TLSD_JA3_STR_MAX], ma[TLSD_MD5_HEX_LEN], mb[TLSD_MD5_HEX_LEN];

	ck_assert_uint_eq(a->legacy_version, b->legacy_version);
	ck_assert_mem_eq(a->random, b->random, sizeof(a->random));
	ck_assert_uint_eq(a->session_id_len, b->session_id_len);
	ck_assert_mem_eq(a->session_id, b->session_id, a->session_id_len);
	ck_assert_uint_eq(a->suite, b->suite);
	ck_assert_uint_eq(a->selected_version, b->selected_version);
	ck_assert_uint_eq(a->key_share_group, b->key_share_group);
	ck_assert_uint_eq(a->n_exts, b->n_exts);
	ck_assert_mem_eq(a->exts, b->exts, 2u * a->n_exts);
	assert_same_strlist(&a->alpn, &b->alpn);
	ck_assert_int_eq(a->has_alpn, b->has_alpn);
	ck_assert_int_eq(a->has_etm, b->has_etm);
	ck_assert_int_eq(a->downgrade, b->downgrade);
	ck_assert_int_eq(tlsd_fp_ja3s(a, sa, sizeof(sa), ma), 0);
	ck_assert_int_eq(tlsd_fp_ja3s(b, sb, sizeof(sb), mb), 0);
	ck_assert_str_eq(sa, sb);
}

/* Every list at its cap, with more on the wire than kept. */
static void full_hellos(struct tlsd_client_hello *ch, struct tlsd_server_hello *sh)
{
	memset(ch, 0, sizeof(*ch));
	ch->legacy_version = TLSD_VERSION_TLS12;
	memset(ch->random, 0xa5, sizeof(ch->random));
	ch->session_id_len = 32;
	memset(ch->session_id, 0x5a, 32);
	ch->n_suites_total = 3000;
	ch->n_suites = TLSD_MAX_SUITES;
	for (unsigned i = 0; i < TLSD_MAX_SUITES; i++)
		ch->suites[i] = (uint16_t)(0xc000 + i);
	ch->n_exts_total = 100;
	ch->n_exts = TLSD_MAX_EXTS;
	for (unsigned i = 0; i < TLSD_MAX_EXTS; i++)
		ch->exts[i] = (uint16_t)(0x100 + i);
	ch->has_sni = ch->sni_truncated = true;
	ch->sni_len = TLSD_MAX_SNI;
	memset(ch->sni, 'n', TLSD_MAX_SNI);
	ch->has_supported_versions = true;
	ch->n_versions = TLSD_MAX_VERSIONS;
	for (unsigned i = 0; i < TLSD_MAX_VERSIONS; i++)
		ch->versions[i] = (uint16_t)(0x7f00 + i);
	ch->n_groups = TLSD_MAX_GROUPS;
	for (unsigned i = 0; i < TLSD_MAX_GROUPS; i++)
		ch->groups[i] = (uint16_t)(0x200 + i);
	ch->n_point_formats = TLSD_MAX_POINT_FORMATS;
	for (unsigned i = 0; i < TLSD_MAX_POINT_FORMATS; i++)
		ch->point_formats[i] = (uint8_t)i;
	ch->n_sigalgs = TLSD_MAX_SIGALGS;
	for (unsigned i = 0; i < TLSD_MAX_SIGALGS; i++)
		ch->sigalgs[i] = (uint16_t)(0x400 + i);
	ch->has_key_share = true;
	ch->n_key_shares = TLSD_MAX_KEY_SHARES;
	for (unsigned i = 0; i < TLSD_MAX_KEY_SHARES; i++) {
		ch->key_share_groups[i] = (uint16_t)(0x11ec + i);
		ch->key_share_lens[i] = (uint16_t)(1000 + i);
	}
	ch->has_alpn = true;
	ch->alpn.total = 40;
	for (ch->alpn.used = 0; ch->alpn.used + 16 <= TLSD_STRLIST_BYTES; ch->alpn.n++) {
		ch->alpn.data[ch->alpn.used] = 15;
		memset(ch->alpn.data + ch->alpn.used + 1, 'a' + ch->alpn.n, 15);
		ch->alpn.used = (uint16_t)(ch->alpn.used + 16);
	}
	ch->psk_modes = 3;
	ch->msg_len = 65000;

	memset(sh, 0, sizeof(*sh));
	sh->legacy_version = TLSD_VERSION_TLS12;
	memset(sh->random, 0x3c, sizeof(sh->random));
	sh->suite = 0xc02f;
	sh->n_exts = TLSD_MAX_EXTS;
	for (unsigned i = 0; i < TLSD_MAX_EXTS; i++)
		sh->exts[i] = (uint16_t)(0x300 + i);
	sh->has_alpn = true;
	sh->alpn.total = sh->alpn.n = 1;
	sh->alpn.data[0] = 255;
	memset(sh->alpn.data + 1, 'p', 255);
	sh->alpn.used = 256;
	sh->has_etm = true;
}

/* The lists a typical hello carries stay inside the session; they come
 * back exactly as parsed. */
START_TEST(tc_hello_kept_inline)
{
	size_t len;
	uint8_t *chr = tlsd_fix_hex(TLSD_FIX_CHROME_CH_RECORD, &len);
	size_t slen;
	uint8_t *shr = tlsd_fix_hex(TLSD_FIX_CHROME_SH_RECORD, &slen);
	struct tlsd_client_hello parsed, back;
	struct tlsd_server_hello sparsed, sback;
	struct tlsd_parse_err err;
	struct tlsd_sess_ch_lists v;
	struct tlsd_session *s = tlsd_session_new(NULL);

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(tlsd_parse_client_hello(chr + 9, len - 9, &parsed, &err), TLSD_PARSE_OK);
	ck_assert_int_eq(tlsd_parse_server_hello(shr + 9, slen - 9, &sparsed, &err),
			 TLSD_PARSE_OK);
	tlsd_session_set_client_hello(s, &parsed);
	tlsd_session_set_server_hello(s, &sparsed);
	ck_assert_ptr_null(s->lists.heap);
	ck_assert_uint_le(s->lists.len, TLSD_SESS_LISTS_INLINE);
	tlsd_session_client_hello(s, &back);
	assert_same_ch(&parsed, &back);
	tlsd_session_server_hello(s, &sback);
	assert_same_sh(&sparsed, &sback);
	/* in place, the same entries */
	tlsd_session_ch_lists(s, &v);
	ck_assert_uint_eq(v.n_suites, parsed.n_suites);
	ck_assert_mem_eq(v.suites, parsed.suites, 2u * parsed.n_suites);
	ck_assert_uint_eq(v.sni_len, parsed.sni_len);
	ck_assert_mem_eq(v.sni, parsed.sni, parsed.sni_len);
	ck_assert_uint_eq(v.n_groups, parsed.n_groups);
	ck_assert_mem_eq(v.groups, parsed.groups, 2u * parsed.n_groups);
	ck_assert_uint_eq(v.alpn_used, parsed.alpn.used);
	ck_assert_mem_eq(v.alpn, parsed.alpn.data, parsed.alpn.used);
	ck_assert_int_eq(s->ch.has_sni, parsed.has_sni);
	ck_assert_uint_eq(s->sh.suite, sparsed.suite);
	tlsd_session_free(s);
	free(chr);
	free(shr);
}
END_TEST

/* Hellos with every list at its cap: the store moves to the heap, within
 * TLSD_SESS_LISTS_MAX, and everything comes back; totals beyond the caps
 * stay. Also with the ServerHello first (a capture that missed the
 * ClientHello's start). */
START_TEST(tc_hello_kept_max)
{
	struct tlsd_client_hello ch, back;
	struct tlsd_server_hello sh, sback;
	struct tlsd_session *s = tlsd_session_new(NULL);

	ck_assert_ptr_nonnull(s);
	full_hellos(&ch, &sh);
	if (_i == 0) {
		tlsd_session_set_client_hello(s, &ch);
		tlsd_session_set_server_hello(s, &sh);
	} else {
		tlsd_session_set_server_hello(s, &sh);
		tlsd_session_set_client_hello(s, &ch);
	}
	ck_assert_ptr_nonnull(s->lists.heap);
	ck_assert_uint_le(s->lists.len, TLSD_SESS_LISTS_MAX);
	ck_assert_uint_le(s->lists.len, s->lists.cap);
	tlsd_session_client_hello(s, &back);
	assert_same_ch(&ch, &back);
	ck_assert_uint_eq(back.n_suites_total, 3000);
	ck_assert_uint_eq(back.alpn.total, 40);
	tlsd_session_server_hello(s, &sback);
	assert_same_sh(&sh, &sback);
	tlsd_session_free(s);
}
END_TEST

/* Counts past the caps (a hello built by hand, not by the parser) keep to
 * the caps; a store that does not hold what the offsets say gives empty
 * lists, never bytes outside it; a hello set again replaces the first. */
START_TEST(tc_hello_kept_hostile)
{
	struct tlsd_client_hello ch, back;
	struct tlsd_server_hello sh, sback;
	struct tlsd_sess_ch_lists v;
	struct tlsd_session *s = tlsd_session_new(NULL);

	ck_assert_ptr_nonnull(s);
	full_hellos(&ch, &sh);
	ch.n_suites = 5000;
	ch.n_exts = 0xffff;
	ch.sni_len = 1000;
	ch.alpn.used = 4000;
	ch.n_versions = 200;
	ch.n_groups = 255;
	ch.n_point_formats = 255;
	ch.n_sigalgs = 255;
	ch.n_key_shares = 255;
	ch.session_id_len = 200;
	sh.n_exts = 0xffff;
	sh.alpn.used = 0xffff;
	sh.session_id_len = 255;
	tlsd_session_set_client_hello(s, &ch);
	tlsd_session_set_server_hello(s, &sh);
	tlsd_session_client_hello(s, &back);
	ck_assert_uint_eq(back.n_suites, TLSD_MAX_SUITES);
	ck_assert_uint_eq(back.n_suites_total, 3000);
	ck_assert_uint_eq(back.n_exts, TLSD_MAX_EXTS);
	ck_assert_uint_eq(back.sni_len, TLSD_MAX_SNI);
	ck_assert_uint_eq(back.sni[TLSD_MAX_SNI], 0);
	ck_assert_uint_eq(back.alpn.used, TLSD_STRLIST_BYTES);
	ck_assert_uint_eq(back.n_versions, TLSD_MAX_VERSIONS);
	ck_assert_uint_eq(back.n_groups, TLSD_MAX_GROUPS);
	ck_assert_uint_eq(back.n_point_formats, TLSD_MAX_POINT_FORMATS);
	ck_assert_uint_eq(back.n_sigalgs, TLSD_MAX_SIGALGS);
	ck_assert_uint_eq(back.n_key_shares, TLSD_MAX_KEY_SHARES);
	ck_assert_uint_eq(back.session_id_len, 32);
	ck_assert_mem_eq(back.suites, ch.suites, sizeof(ch.suites));
	tlsd_session_server_hello(s, &sback);
	ck_assert_uint_eq(sback.n_exts, TLSD_MAX_EXTS);
	ck_assert_uint_eq(sback.alpn.used, TLSD_STRLIST_BYTES);
	ck_assert_uint_eq(sback.session_id_len, 32);

	/* offsets past the store: nothing, not a read outside it */
	s->ch.lists = (uint16_t)(s->lists.len - 1);
	tlsd_session_ch_lists(s, &v);
	ck_assert_uint_eq(v.n_suites + v.n_exts + v.sni_len + v.alpn_used + v.n_versions, 0);
	tlsd_session_client_hello(s, &back);
	ck_assert_uint_eq(back.n_suites, 0);
	ck_assert_uint_eq(back.n_suites_total, 3000);
	ck_assert_uint_eq(back.alpn.n, 0);
	s->sh.lists = 0xffff;
	tlsd_session_server_hello(s, &sback);
	ck_assert_uint_eq(sback.n_exts, 0);
	ck_assert_uint_eq(sback.suite, 0xc02f);

	/* set again and again: the store ends where its 16-bit offsets do,
	 * and a hello that no longer fits keeps its totals, not its lists */
	full_hellos(&ch, &sh);
	for (int i = 0; i < 70; i++)
		tlsd_session_set_client_hello(s, &ch);
	ck_assert_uint_le(s->lists.len, UINT16_MAX);
	tlsd_session_client_hello(s, &back);
	ck_assert_uint_eq(back.n_suites, 0);
	ck_assert_uint_eq(back.alpn.used, 0);
	ck_assert_uint_eq(back.n_suites_total, 3000);
	ck_assert(back.has_sni);

	/* set again: the new one is what comes back */
	memset(&ch, 0, sizeof(ch));
	ch.n_suites = ch.n_suites_total = 1;
	ch.suites[0] = 0x1301;
	tlsd_session_set_client_hello(s, &ch);
	tlsd_session_client_hello(s, &back);
	assert_same_ch(&ch, &back);
	tlsd_session_free(s);
}
END_TEST

/* Through the state machine: a ClientHello with more suites than the
 * inline store holds is reported whole, and a session reused from the pool
 * (cleanup, init) starts with an empty store. */
START_TEST(tc_hello_kept_large_offer)
{
	struct bb b;
	struct drv d;
	struct tlsd_report r;
	size_t l;

	b.n = 0;
	u16(&b, 0x0303);
	fill(&b, 0x11, 32);
	u8(&b, 0);
	l = open16(&b);
	for (unsigned i = 0; i < 200; i++)
		u16(&b, 0xc000 + i);
	close16(&b, l);
	u8(&b, 1);
	u8(&b, 0);
	drv_init(&d);
	hs(&d, C2S, 1, b.b, b.n);
	ck_assert(d.s->ch_parsed);
	ck_assert_ptr_nonnull(d.s->lists.heap);
	alert(&d, S2C, 2, 40);
	fin(&d, S2C);
	end(&d, TLSD_FLOW_END_CLOSE, &r);
	ck_assert_uint_eq(r.n_suites_offered, 200);
	ck_assert_uint_eq(r.n_suites_kept, TLSD_MAX_SUITES);
	for (unsigned i = 0; i < TLSD_MAX_SUITES; i++)
		ck_assert_uint_eq(r.suites_offered[i], 0xc000 + i);
	tlsd_session_cleanup(d.s);
	tlsd_session_init(d.s, NULL);
	ck_assert_ptr_null(d.s->lists.heap);
	ck_assert_uint_eq(d.s->lists.len, 0);
	drv_free(&d);
}
END_TEST

START_TEST(tc_lookalike)
{
	struct drv d;

	drv_init(&d);
	record(&d, C2S, 22, 0, false);
	enc(&d, C2S, 23, 100);
	ck_assert(tlsd_session_lookalike(d.s));
	drv_free(&d);
	/* A cut ClientHello is not one. */
	drv_init(&d);
	record(&d, C2S, 22, 300, false);
	tlsd_session_hello_cut(d.s, 100, 300);
	ck_assert(!tlsd_session_lookalike(d.s));
	drv_free(&d);
	/* Nor a connection with a ClientHello. */
	drv_init(&d);
	ch(&d, &tls12);
	ck_assert(!tlsd_session_lookalike(d.s));
	drv_free(&d);
}
END_TEST

Suite *session_suite(void);

Suite *session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("state_machine");
	TCase *tcc = tcase_create("certificates");

	tcase_add_loop_test(tcc, tc_cert_stage, 0, 3);
	tcase_add_test(tcc, tc_cert_stage_accepted_unchecked);
	tcase_add_loop_test(tcc, tc_cert_stage_details_unread, 0, 3);
	tcase_add_test(tcc, tc_session_reuse);
	tcase_add_test(tcc, tc_session_prefetch);
	tcase_add_test(tcc, tc_cert_client_chain);
	tcase_add_test(tcc, tc_cert_caps);
	tcase_add_test(tcc, tc_cert_off);
	tcase_add_test(tcc, tc_cert_skip_established);
	suite_add_tcase(s, tcc);

	tcase_add_test(tc, tc_tls12_full_ok);
	tcase_add_loop_test(tc, tc_tls12_resumed, 0, 2);
	tcase_add_test(tc, tc_tls12_client_auth_ok);
	tcase_add_test(tc, tc_tls12_client_cert_required);
	tcase_add_loop_test(tc, tc_tls12_certificate_request_bad, 0, 2);
	tcase_add_test(tc, tc_no_shared_cipher);
	tcase_add_test(tc, tc_tls13_ok);
	tcase_add_test(tc, tc_tls13_hrr_ok);
	tcase_add_test(tc, tc_tls13_psk);
	tcase_add_test(tc, tc_tls13_early_data);
	tcase_add_test(tc, tc_tls13_server_encrypted_alert);
	tcase_add_test(tc, tc_tls13_client_encrypted_alert);
	tcase_add_test(tc, tc_tls13_plaintext_alert);
	tcase_add_test(tc, tc_unexpected_message);
	tcase_add_test(tc, tc_renegotiation);
	tcase_add_test(tc, tc_sslv2_hello);
	tcase_add_test(tc, tc_history_bounds);
	tcase_add_test(tc, tc_middlebox_rst_ttl);
	tcase_add_test(tc, tc_middlebox_rst_both);
	tcase_add_test(tc, tc_server_rst);
	tcase_add_test(tc, tc_middlebox_rst_timing);
	tcase_add_test(tc, tc_client_not_tls);
	tcase_add_test(tc, tc_gap_incomplete);
	tcase_add_test(tc, tc_ccs_switched_keys);
	tcase_add_test(tc, tc_lookalike);
	tcase_add_test(tc, tc_hello_kept_inline);
	tcase_add_loop_test(tc, tc_hello_kept_max, 0, 2);
	tcase_add_test(tc, tc_hello_kept_hostile);
	tcase_add_test(tc, tc_hello_kept_large_offer);
	tcase_add_test(tc, tc_rst_timing);
	tcase_add_test(tc, tc_timeout);
	suite_add_tcase(s, tc);
	return s;
}
