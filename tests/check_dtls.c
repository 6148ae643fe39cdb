/* Unit tests for DTLS: the record layer and handshake fragments (dtls.c),
 * the DTLS hello parsers (tls_handshake.c), and one association's
 * reassembly, retransmission and cookie facts (dtls_conn.c) down to the
 * report (diagnose_udp.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dtls_fixtures.h"
#include "tlsd/ctx.h"
#include "tlsd/dtls.h"
#include "tlsd/dtls_conn.h"
#include "tlsd/report.h"
#include "tlsd/tls_handshake.h"
#include "tlsd/tls_record.h"

#define SEC TLSD_NS_PER_SEC
#define MS (TLSD_NS_PER_SEC / 1000)

static size_t unhex(const char *h, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (h[0] && h[1] && n < max) {
		unsigned v;

		ck_assert_int_eq(sscanf(h, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

static uint8_t ch_body[512];
static size_t ch_len;

static void load_ch(void)
{
	ch_len = unhex(TLSD_FIX_DTLS12_CH_BODY, ch_body, sizeof(ch_body));
	ck_assert_uint_eq(ch_len, 198);
}

/* The same hello with a 20-byte cookie (what the client sends back). */
static size_t ch_with_cookie(uint8_t *out)
{
	size_t o = TLSD_FIX_DTLS12_CH_COOKIE_OFF;

	memcpy(out, ch_body, o);
	out[o] = 20;
	memset(out + o + 1, 0xc0, 20);
	memcpy(out + o + 21, ch_body + o + 1, ch_len - o - 1);
	return ch_len + 20;
}

static size_t put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 2;
}

static size_t put24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	return 1 + put16(p + 1, v);
}

/* One record: type, version, epoch, 48-bit seq, length, body. */
static size_t record(uint8_t *p, uint8_t type, uint16_t epoch, uint64_t seq, const uint8_t *body,
		     size_t len)
{
	size_t n = 0;

	p[n++] = type;
	n += put16(p + n, TLSD_VERSION_DTLS12);
	n += put16(p + n, epoch);
	n += put16(p + n, (uint32_t)(seq >> 32));
	n += put16(p + n, (uint32_t)(seq >> 16) & 0xffff);
	n += put16(p + n, (uint32_t)seq & 0xffff);
	n += put16(p + n, (uint32_t)len);
	memcpy(p + n, body, len);
	return n + len;
}

/* One handshake fragment (12-byte header + bytes [off, off + flen) of msg). */
static size_t frag(uint8_t *p, uint8_t type, const uint8_t *msg, uint32_t msg_len, uint16_t seq,
		   uint32_t off, uint32_t flen)
{
	size_t n = 0;

	p[n++] = type;
	n += put24(p + n, msg_len);
	n += put16(p + n, seq);
	n += put24(p + n, off);
	n += put24(p + n, flen);
	memcpy(p + n, msg + off, flen);
	return n + flen;
}

/* A datagram holding one handshake record with one fragment. */
static size_t hs_datagram(uint8_t *p, uint64_t rec_seq, uint8_t type, const uint8_t *msg,
			  uint32_t msg_len, uint16_t seq, uint32_t off, uint32_t flen)
{
	uint8_t f[1024];
	size_t fl = frag(f, type, msg, msg_len, seq, off, flen);

	return record(p, TLSD_CT_HANDSHAKE, 0, rec_seq, f, fl);
}

/* ---- records ---- */

START_TEST(tc_record_two)
{
	uint8_t dg[128], body[3] = {1, 2, 3}, ccs = 1;
	size_t n = record(dg, TLSD_CT_HANDSHAKE, 0, UINT64_C(0x123456789abc), body, 3);
	struct tlsd_cur c;
	struct tlsd_dtls_record r;

	n += record(dg + n, TLSD_CT_CHANGE_CIPHER_SPEC, 1, 7, &ccs, 1);
	tlsd_cur_init(&c, dg, n);
	ck_assert_int_eq(tlsd_dtls_record_next(&c, &r), TLSD_PARSE_OK);
	ck_assert_int_eq(r.kind, TLSD_DTLS_REC_PLAIN);
	ck_assert_uint_eq(r.type, TLSD_CT_HANDSHAKE);
	ck_assert_uint_eq(r.version, TLSD_VERSION_DTLS12);
	ck_assert_uint_eq(r.epoch, 0);
	ck_assert(r.seq == UINT64_C(0x123456789abc));
	ck_assert_uint_eq(tlsd_cur_len(&r.body), 3);
	ck_assert_uint_eq(r.wire_len, 16);
	ck_assert_int_eq(tlsd_dtls_record_next(&c, &r), TLSD_PARSE_OK);
	ck_assert_uint_eq(r.type, TLSD_CT_CHANGE_CIPHER_SPEC);
	ck_assert_uint_eq(r.epoch, 1);
	ck_assert(r.seq == 7);
	ck_assert_uint_eq(tlsd_cur_len(&c), 0);
}
END_TEST

/* A record cut at every length: NEED_MORE, and nothing moves. */
START_TEST(tc_record_truncated)
{
	uint8_t dg[64], body[20] = {0};
	size_t n = record(dg, TLSD_CT_ALERT, 0, 1, body, sizeof(body));
	size_t cut = (size_t)_i;
	struct tlsd_cur c;
	struct tlsd_dtls_record r, sentinel;

	ck_assert_uint_lt(cut, n);
	memset(&sentinel, 0xa5, sizeof(sentinel));
	r = sentinel;
	tlsd_cur_init(&c, dg, cut);
	ck_assert_int_eq(tlsd_dtls_record_next(&c, &r), TLSD_PARSE_NEED_MORE);
	ck_assert_uint_eq(tlsd_cur_len(&c), cut);
	ck_assert_mem_eq(&r, &sentinel, sizeof(r));
}
END_TEST

START_TEST(tc_record_bad)
{
	static const uint8_t tls[] = {0x16, 0x03, 0x03, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0x00, 0x00};
	static const uint8_t rtp[] = {0x80, 0x00, 0x01};
	static const uint8_t stun[] = {0x00, 0x01, 0x00, 0x00};
	const uint8_t *bad[] = {tls, rtp, stun};
	size_t lens[] = {sizeof(tls), sizeof(rtp), sizeof(stun)};

	for (size_t i = 0; i < 3; i++) {
		struct tlsd_cur c;
		struct tlsd_dtls_record r;

		tlsd_cur_init(&c, bad[i], lens[i]);
		ck_assert_int_eq(tlsd_dtls_record_next(&c, &r), TLSD_PARSE_MALFORMED);
		ck_assert_uint_eq(tlsd_cur_len(&c), lens[i]);
	}
}
END_TEST

/* RFC 9147 4: 0 0 1 C S L E E. */
START_TEST(tc_unified)
{
	/* S and L: 16-bit seq, length 3; then a second, shortest form. */
	static const uint8_t two[] = {0x2e, 0x12, 0x34, 0x00, 0x03, 0xaa, 0xbb, 0xcc,
				      0x21, 0x05, 0x01, 0x02};
	/* C: the record runs to the end of the datagram. */
	static const uint8_t cid[] = {0x3c, 0x01, 0x02, 0x03, 0x04};
	struct tlsd_cur c;
	struct tlsd_dtls_record r;

	tlsd_cur_init(&c, two, sizeof(two));
	ck_assert_int_eq(tlsd_dtls_record_next(&c, &r), TLSD_PARSE_OK);
	ck_assert_int_eq(r.kind, TLSD_DTLS_REC_UNIFIED);
	ck_assert_uint_eq(r.epoch, 2);
	ck_assert(r.seq == 0x1234);
	ck_assert_uint_eq(tlsd_cur_len(&r.body), 3);
	ck_assert_int_eq(tlsd_dtls_record_next(&c, &r), TLSD_PARSE_OK);
	ck_assert_uint_eq(r.epoch, 1);
	ck_assert(r.seq == 5);
	ck_assert_uint_eq(tlsd_cur_len(&r.body), 2);
	ck_assert_uint_eq(tlsd_cur_len(&c), 0);
	tlsd_cur_init(&c, cid, sizeof(cid));
	ck_assert_int_eq(tlsd_dtls_record_next(&c, &r), TLSD_PARSE_OK);
	ck_assert(r.unified_cid);
	ck_assert_uint_eq(tlsd_cur_len(&r.body), 4);
	/* Cut inside the sequence number or the length. */
	for (size_t cut = 1; cut < 5; cut++) {
		tlsd_cur_init(&c, two, cut);
		ck_assert_int_eq(tlsd_dtls_record_next(&c, &r), TLSD_PARSE_NEED_MORE);
	}
}
END_TEST

START_TEST(tc_record_cid)
{
	uint8_t dg[64], body[8] = {0};
	size_t n = record(dg, TLSD_DTLS_CT_TLS12_CID, 1, 3, body, sizeof(body));
	struct tlsd_cur c;
	struct tlsd_dtls_record r;

	tlsd_cur_init(&c, dg, n);
	ck_assert_int_eq(tlsd_dtls_record_next(&c, &r), TLSD_PARSE_OK);
	ck_assert_int_eq(r.kind, TLSD_DTLS_REC_CID);
	ck_assert_uint_eq(tlsd_cur_len(&c), 0);
	ck_assert_uint_eq(tlsd_cur_len(&r.body), n - 11);
}
END_TEST

/* ---- handshake fragments ---- */

START_TEST(tc_frag)
{
	uint8_t msg[100], buf[256];
	size_t n;
	struct tlsd_cur c;
	struct tlsd_dtls_hs_frag f;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	n = frag(buf, 11, msg, 100, 3, 40, 30);
	n += frag(buf + n, 11, msg, 100, 3, 70, 30);
	tlsd_cur_init(&c, buf, n);
	ck_assert_int_eq(tlsd_dtls_hs_frag_next(&c, &f), TLSD_PARSE_OK);
	ck_assert_uint_eq(f.type, 11);
	ck_assert_uint_eq(f.msg_len, 100);
	ck_assert_uint_eq(f.message_seq, 3);
	ck_assert_uint_eq(f.frag_off, 40);
	ck_assert_uint_eq(f.frag_len, 30);
	ck_assert_mem_eq(tlsd_cur_data(&f.data), msg + 40, 30);
	ck_assert_int_eq(tlsd_dtls_hs_frag_next(&c, &f), TLSD_PARSE_OK);
	ck_assert_uint_eq(f.frag_off, 70);
	ck_assert_uint_eq(tlsd_cur_len(&c), 0);
}
END_TEST

/* Header cut at every length, a fragment past its message or its record. */
START_TEST(tc_frag_bad)
{
	uint8_t msg[100] = {0}, buf[256];
	size_t n = frag(buf, 1, msg, 100, 0, 0, 50);
	struct tlsd_cur c;
	struct tlsd_dtls_hs_frag f;

	for (size_t cut = 0; cut < n; cut++) {
		tlsd_cur_init(&c, buf, cut);
		ck_assert_int_eq(tlsd_dtls_hs_frag_next(&c, &f), TLSD_PARSE_MALFORMED);
		ck_assert_uint_eq(tlsd_cur_len(&c), cut);
	}
	/* offset + length beyond the message */
	n = frag(buf, 1, msg, 100, 0, 60, 40);
	buf[3] = 90; /* message length 100 -> 90 */
	tlsd_cur_init(&c, buf, n);
	ck_assert_int_eq(tlsd_dtls_hs_frag_next(&c, &f), TLSD_PARSE_MALFORMED);
	/* offset beyond the message */
	n = frag(buf, 1, msg, 10, 0, 11, 0);
	tlsd_cur_init(&c, buf, n);
	ck_assert_int_eq(tlsd_dtls_hs_frag_next(&c, &f), TLSD_PARSE_MALFORMED);
}
END_TEST

START_TEST(tc_demux)
{
	static const struct {
		uint8_t b;
		enum tlsd_dtls_demux want;
	} t[] = {
		{0, TLSD_DEMUX_STUN},   {3, TLSD_DEMUX_STUN},   {4, TLSD_DEMUX_OTHER},
		{16, TLSD_DEMUX_ZRTP},  {19, TLSD_DEMUX_ZRTP},  {20, TLSD_DEMUX_DTLS},
		{22, TLSD_DEMUX_DTLS},  {0x2c, TLSD_DEMUX_DTLS}, {63, TLSD_DEMUX_DTLS},
		{64, TLSD_DEMUX_TURN_CHANNEL}, {79, TLSD_DEMUX_TURN_CHANNEL},
		{80, TLSD_DEMUX_OTHER}, {128, TLSD_DEMUX_RTP},  {191, TLSD_DEMUX_RTP},
		{192, TLSD_DEMUX_OTHER}, {255, TLSD_DEMUX_OTHER},
	};

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(t); i++)
		ck_assert_int_eq(tlsd_dtls_demux(t[i].b), t[i].want);
}
END_TEST

START_TEST(tc_starts)
{
	uint8_t dg[512], hvr[] = {0xfe, 0xff, 0x00};
	size_t n;

	load_ch();
	n = hs_datagram(dg, 0, TLSD_HS_CLIENT_HELLO, ch_body, (uint32_t)ch_len, 0, 0,
			(uint32_t)ch_len);
	ck_assert(tlsd_dtls_starts_association(dg, n));
	/* Only the first fragment of the hello says so. */
	n = hs_datagram(dg, 0, TLSD_HS_CLIENT_HELLO, ch_body, (uint32_t)ch_len, 0, 100, 98);
	ck_assert(!tlsd_dtls_starts_association(dg, n));
	n = hs_datagram(dg, 0, TLSD_HS_HELLO_VERIFY_REQUEST, hvr, 3, 0, 0, 3);
	ck_assert(!tlsd_dtls_starts_association(dg, n));
	n = hs_datagram(dg, 0, TLSD_HS_CLIENT_HELLO, ch_body, (uint32_t)ch_len, 0, 0,
			(uint32_t)ch_len);
	dg[4] = 1; /* epoch 1 */
	ck_assert(!tlsd_dtls_starts_association(dg, n));
	ck_assert(!tlsd_dtls_starts_association(dg, 0));
}
END_TEST

/* ---- hello parsers ---- */

START_TEST(tc_parse_hvr)
{
	static const uint8_t ok[] = {0xfe, 0xff, 0x03, 1, 2, 3};
	static const uint8_t trailing[] = {0xfe, 0xff, 0x01, 1, 9};
	struct tlsd_hello_verify_request h;
	struct tlsd_parse_err err;

	ck_assert_int_eq(tlsd_parse_hello_verify_request(ok, sizeof(ok), &h, &err), TLSD_PARSE_OK);
	ck_assert_uint_eq(h.server_version, TLSD_VERSION_DTLS10);
	ck_assert_uint_eq(h.cookie_len, 3);
	ck_assert_int_eq(tlsd_parse_hello_verify_request(trailing, sizeof(trailing), &h, &err),
			 TLSD_PARSE_MALFORMED);
	for (size_t cut = 0; cut < sizeof(ok); cut++)
		ck_assert_int_eq(tlsd_parse_hello_verify_request(ok, cut, &h, &err),
				 TLSD_PARSE_MALFORMED);
}
END_TEST

START_TEST(tc_parse_dtls_ch)
{
	uint8_t cookie[512];
	size_t n;
	struct tlsd_client_hello ch;
	struct tlsd_parse_err err;

	load_ch();
	ck_assert_int_eq(tlsd_parse_dtls_client_hello(ch_body, ch_len, &ch, &err), TLSD_PARSE_OK);
	ck_assert(ch.dtls);
	ck_assert_uint_eq(ch.legacy_version, TLSD_VERSION_DTLS12);
	ck_assert_uint_eq(ch.dtls_cookie_len, 0);
	ck_assert_uint_eq(ch.n_suites_total, 28);
	ck_assert(ch.has_sni);
	ck_assert_str_eq((const char *)ch.sni, "dtls.test");
	n = ch_with_cookie(cookie);
	ck_assert_int_eq(tlsd_parse_dtls_client_hello(cookie, n, &ch, &err), TLSD_PARSE_OK);
	ck_assert_uint_eq(ch.dtls_cookie_len, 20);
	ck_assert_str_eq((const char *)ch.sni, "dtls.test");
	/* Read as a TLS hello, the cookie byte is taken for the suites. */
	ck_assert_int_ne(tlsd_parse_client_hello(cookie, n, &ch, &err), TLSD_PARSE_OK);
}
END_TEST

/* Cut at every length before the extensions: never OK. */
START_TEST(tc_parse_dtls_ch_truncated)
{
	struct tlsd_client_hello ch;
	struct tlsd_parse_err err;
	size_t cut = (size_t)_i;

	load_ch();
	if (cut == 96) /* the end of the compression methods: a hello without extensions */
		return;
	ck_assert_int_eq(tlsd_parse_dtls_client_hello(ch_body, cut, &ch, &err),
			 TLSD_PARSE_MALFORMED);
}
END_TEST

START_TEST(tc_dtls_versions)
{
	ck_assert(tlsd_version_is_dtls(TLSD_VERSION_DTLS10));
	ck_assert(tlsd_version_is_dtls(TLSD_VERSION_DTLS12));
	ck_assert(tlsd_version_is_dtls(TLSD_VERSION_DTLS13));
	ck_assert(tlsd_version_is_dtls(TLSD_VERSION_DTLS_BAD));
	ck_assert(!tlsd_version_is_dtls(0xfefe));
	ck_assert(!tlsd_version_is_dtls(TLSD_VERSION_TLS12));
	ck_assert_uint_lt(tlsd_version_tls_equiv(TLSD_VERSION_DTLS10),
			  tlsd_version_tls_equiv(TLSD_VERSION_DTLS12));
	ck_assert_uint_eq(tlsd_version_tls_equiv(TLSD_VERSION_DTLS12), TLSD_VERSION_TLS12);
	ck_assert(tlsd_version_is_tls13(TLSD_VERSION_DTLS13));
	ck_assert(!tlsd_version_is_tls13(TLSD_VERSION_DTLS12));
}
END_TEST

/* ---- one association ---- */

struct assoc {
	struct tlsd_ctx ctx;
	struct tlsd_conn_cfg cfg;
	struct tlsd_dtls_env env;
	struct tlsd_udp_flow flow;
	struct tlsd_dtls_conn *dc;
	struct tlsd_report r;
};

static struct tlsd_pkt pkt_of(const uint8_t *p, size_t len, tlsd_time_ns ts, enum tlsd_dir d)
{
	return (struct tlsd_pkt){
		.ts = ts,
		.ip_version = 4,
		.ip_proto = 17,
		.sport = d == TLSD_DIR_C2S ? 40000 : 4433,
		.dport = d == TLSD_DIR_C2S ? 4433 : 40000,
		.payload = p,
		.payload_len = (uint32_t)len,
		.payload_wire_len = (uint32_t)len,
	};
}

static void assoc_start(struct assoc *a, const uint8_t *p, size_t len, tlsd_time_ns ts)
{
	struct tlsd_pkt pkt = pkt_of(p, len, ts, TLSD_DIR_C2S);

	memset(a, 0, sizeof(*a));
	tlsd_ctx_init(&a->ctx);
	a->ctx.now = ts;
	a->env = (struct tlsd_dtls_env){.ctx = &a->ctx, .cfg = &a->cfg};
	a->flow.id = 1;
	a->flow.ip_version = 4;
	a->flow.side[TLSD_DIR_C2S].port = 40000;
	a->flow.side[TLSD_DIR_S2C].port = 4433;
	a->dc = tlsd_dtls_conn_new(&a->env, &pkt);
	ck_assert_ptr_nonnull(a->dc);
}

static enum tlsd_dtls_feed feed(struct assoc *a, enum tlsd_dir d, const uint8_t *p, size_t len,
				tlsd_time_ns ts)
{
	struct tlsd_pkt pkt = pkt_of(p, len, ts, d);

	if (ts > a->ctx.now)
		a->ctx.now = ts;
	return tlsd_dtls_conn_datagram(a->dc, d, &pkt);
}

/* The whole hello in one datagram (dg, at least 512 bytes), which starts
 * the association and is fed at time ts; returns its length. */
static size_t start_with_hello(struct assoc *a, uint8_t *dg, tlsd_time_ns ts)
{
	size_t n;

	load_ch();
	n = hs_datagram(dg, 0, TLSD_HS_CLIENT_HELLO, ch_body, (uint32_t)ch_len, 0, 0,
			(uint32_t)ch_len);
	assoc_start(a, dg, n, ts);
	ck_assert_int_eq(feed(a, TLSD_DIR_C2S, dg, n, ts), TLSD_DTLS_FEED_OK);
	return n;
}

/* ServerHello body: DTLS 1.2, a zero random, no session id, suite c02f,
 * null compression. */
static const uint8_t server_hello[38] = {[0] = 0xfe, [1] = 0xfd, [35] = 0xc0, [36] = 0x2f};

/* start_with_hello(), then the server's HelloVerifyRequest hvr 1 ms later;
 * the client's hello with a cookie goes to cookie_ch (512 bytes); returns
 * its length. */
static size_t hello_and_hvr(struct assoc *a, uint8_t *dg, const uint8_t *hvr, size_t hvr_len,
			    uint8_t *cookie_ch)
{
	size_t n;

	(void)start_with_hello(a, dg, SEC);
	n = hs_datagram(dg, 0, TLSD_HS_HELLO_VERIFY_REQUEST, hvr, (uint32_t)hvr_len, 0, 0,
			(uint32_t)hvr_len);
	ck_assert_int_eq(feed(a, TLSD_DIR_S2C, dg, n, SEC + MS), 0);
	return ch_with_cookie(cookie_ch);
}

/* Ends the association at capture time `end` and builds its report. */
static void finish(struct assoc *a, tlsd_time_ns end)
{
	a->ctx.now = end;
	tlsd_dtls_conn_report(a->dc, &a->flow, TLSD_UDP_END_CAPTURE_END, &a->r);
}

static void assoc_free(struct assoc *a)
{
	tlsd_dtls_conn_free(a->dc);
	ck_assert_uint_eq(a->ctx.reasm_mem_used, 0);
}

static const struct tlsd_diag *diag_of(const struct tlsd_report *r, enum tlsd_cause c)
{
	for (unsigned i = 0; i < r->n_diags; i++)
		if (r->diags[i].cause == c)
			return &r->diags[i];
	return NULL;
}

static void assert_hello_read(const struct assoc *a)
{
	ck_assert_int_eq(a->r.transport, TLSD_TRANSPORT_DTLS);
	ck_assert(a->r.has_sni);
	ck_assert_str_eq((const char *)a->r.sni, "dtls.test");
	ck_assert_uint_eq(a->r.n_suites_offered, 28);
	ck_assert_uint_eq(a->r.versions_offered[0], TLSD_VERSION_DTLS12);
	ck_assert_uint_eq(a->r.client_hello_len, 198);
}

/* The hello in 4 fragments, each in its own datagram, in all 24 orders;
 * every fragment also sent twice. */
START_TEST(tc_conn_fragment_orders)
{
	static const uint32_t cuts[5] = {0, 50, 51, 140, 198};
	uint8_t dg[4][512];
	size_t n[4], order[4] = {0, 1, 2, 3}, rest[4] = {0, 1, 2, 3};
	unsigned perm = (unsigned)_i;
	struct assoc a;

	load_ch();
	/* The _i-th permutation of 0..3 (factorial number system). */
	for (size_t k = 4, j = 0; k > 0; k--, j++) {
		unsigned f = k == 4 ? 6 : k == 3 ? 2 : 1;
		size_t idx = (perm / f) % k;

		order[j] = rest[idx];
		memmove(rest + idx, rest + idx + 1, (k - idx - 1) * sizeof(rest[0]));
		perm %= f;
	}
	for (size_t i = 0; i < 4; i++)
		n[i] = hs_datagram(dg[i], i, TLSD_HS_CLIENT_HELLO, ch_body, (uint32_t)ch_len, 0,
				   cuts[i], cuts[i + 1] - cuts[i]);
	assoc_start(&a, dg[order[0]], n[order[0]], SEC);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg[order[i]], n[order[i]], SEC), 0);
		ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg[order[i]], n[order[i]], SEC), 0);
	}
	finish(&a, SEC + 100 * MS);
	assert_hello_read(&a);
	ck_assert_str_eq(a.r.history, "C");
	ck_assert_uint_eq(a.r.client_hello_segments, 4);
	ck_assert_int_eq(a.r.outcome, TLSD_OUTCOME_INCOMPLETE); /* the capture ended at once */
	ck_assert_uint_eq(a.ctx.cnt.dtls_fragments, 8);
	assoc_free(&a);
}
END_TEST

/* Overlapping fragments, one repeated with other bytes (first bytes win,
 * the difference is a finding); several fragments in one record. */
START_TEST(tc_conn_overlap)
{
	uint8_t dg[1024], f[1024], alt[512];
	size_t n, fl;
	struct assoc a;

	load_ch();
	memcpy(alt, ch_body, ch_len);
	alt[120] ^= 0xff;
	n = hs_datagram(dg, 0, TLSD_HS_CLIENT_HELLO, ch_body, (uint32_t)ch_len, 0, 50, 100);
	assoc_start(&a, dg, n, SEC);
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, SEC), 0);
	n = hs_datagram(dg, 1, TLSD_HS_CLIENT_HELLO, alt, (uint32_t)ch_len, 0, 100, 98);
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, SEC), 0);
	fl = frag(f, TLSD_HS_CLIENT_HELLO, ch_body, (uint32_t)ch_len, 0, 0, 30);
	fl += frag(f + fl, TLSD_HS_CLIENT_HELLO, ch_body, (uint32_t)ch_len, 0, 20, 40);
	n = record(dg, TLSD_CT_HANDSHAKE, 0, 2, f, fl);
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, SEC), 0);
	finish(&a, SEC);
	assert_hello_read(&a);
	ck_assert_uint_ge(a.r.anomalies, 1);
	assoc_free(&a);
}
END_TEST

/* The hello sent again after 1 s and 2 s more, never answered: the
 * retransmission timeout, with a copy 1 ms after the first that is no
 * retransmission of its own. */
START_TEST(tc_conn_retransmission)
{
	uint8_t dg[512];
	size_t n;
	struct assoc a;
	const struct tlsd_diag *d;
	const struct tlsd_fact *f;

	n = start_with_hello(&a, dg, SEC);
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, SEC + MS), 0);
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, 2 * SEC), 0);
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, 4 * SEC), 0);
	finish(&a, 10 * SEC);
	assert_hello_read(&a);
	ck_assert_str_eq(a.r.history, "C");
	ck_assert_int_eq(a.r.outcome, TLSD_OUTCOME_FAILED);
	ck_assert_int_eq(a.r.failed_step, TLSD_STEP_SERVER_HELLO);
	ck_assert_int_eq(a.r.term_how, TLSD_HOW_TIMEOUT);
	d = diag_of(&a.r, TLSD_CAUSE_DTLS_RETRANSMISSION_TIMEOUT);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->confidence, TLSD_CONF_CERTAIN);
	f = tlsd_diag_find(d, TLSD_FACT_RETRANSMISSIONS);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->v.u, 2);
	f = tlsd_diag_find(d, TLSD_FACT_FLIGHT_SENDER);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->a, TLSD_PARTY_CLIENT);
	ck_assert_uint_eq(a.ctx.cnt.dtls_retransmissions, 3);
	assoc_free(&a);
}
END_TEST

/* One hello, never sent again, nothing back in the 9 s the capture watched:
 * a DTLS client resends on a timer, so one that did not stopped (or the
 * capture missed its copies): the timeout is only possible. */
START_TEST(tc_conn_sent_once)
{
	uint8_t dg[512];
	struct assoc a;
	const struct tlsd_diag *d;

	(void)start_with_hello(&a, dg, SEC);
	finish(&a, 10 * SEC);
	ck_assert_int_eq(a.r.outcome, TLSD_OUTCOME_FAILED);
	ck_assert_int_eq(a.r.term_how, TLSD_HOW_TIMEOUT);
	d = diag_of(&a.r, TLSD_CAUSE_DTLS_RETRANSMISSION_TIMEOUT);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->confidence, TLSD_CONF_POSSIBLE);
	ck_assert_ptr_null(tlsd_diag_find(d, TLSD_FACT_RETRANSMISSIONS));
	assoc_free(&a);
}
END_TEST

/* Sent once and again 1 ms later, and the capture ends 0.5 s after: too
 * soon for a verdict. */
START_TEST(tc_conn_too_soon)
{
	uint8_t dg[512];
	size_t n;
	struct assoc a;

	n = start_with_hello(&a, dg, SEC);
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, SEC + MS), 0);
	finish(&a, SEC + 500 * MS);
	ck_assert_int_eq(a.r.outcome, TLSD_OUTCOME_INCOMPLETE);
	ck_assert_ptr_null(diag_of(&a.r, TLSD_CAUSE_DTLS_RETRANSMISSION_TIMEOUT));
	assoc_free(&a);
}
END_TEST

/* ClientHello, HelloVerifyRequest, then: 0 the cookie hello (numbered 1)
 * and a ServerHello; 1 nothing but the first hello again; 2 the cookie
 * hello answered by another HelloVerifyRequest; 3 the cookie hello never
 * answered; 4 the cookie hello numbered 0 (a peer that numbers anew). */
START_TEST(tc_conn_cookie)
{
	static const uint8_t hvr[] = {0xfe, 0xff, 20, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0,
				      0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0, 0xc0,
				      0xc0, 0xc0, 0xc0};
	uint8_t dg[512], cookie_ch[512];
	size_t n, cn;
	int variant = _i;
	struct assoc a;
	const struct tlsd_diag *d;

	cn = hello_and_hvr(&a, dg, hvr, sizeof(hvr), cookie_ch);
	if (variant == 1) {
		n = hs_datagram(dg, 1, TLSD_HS_CLIENT_HELLO, ch_body, (uint32_t)ch_len, 0, 0,
				(uint32_t)ch_len);
		ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, 2 * SEC), 0);
		finish(&a, 5 * SEC);
		d = diag_of(&a.r, TLSD_CAUSE_DTLS_COOKIE_EXCHANGE_FAILED);
		ck_assert_ptr_nonnull(d);
		ck_assert_uint_eq(tlsd_diag_find(d, TLSD_FACT_HINT)->a, TLSD_HINT_COOKIE_NOT_RETURNED);
		ck_assert_uint_eq(tlsd_diag_find(d, TLSD_FACT_CLIENT_AFTER_HVR)->v.u, 1);
		ck_assert_int_eq(a.r.failed_step, TLSD_STEP_CLIENT_HELLO);
		ck_assert_str_eq(a.r.history, "Cv");
		assoc_free(&a);
		return;
	}
	n = hs_datagram(dg, 1, TLSD_HS_CLIENT_HELLO, cookie_ch, (uint32_t)cn,
			variant == 4 ? 0 : 1, 0, (uint32_t)cn);
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, SEC + 2 * MS), 0);
	if (variant == 0 || variant == 4) {
		n = hs_datagram(dg, 1, TLSD_HS_SERVER_HELLO, server_hello, sizeof(server_hello), 1, 0,
				sizeof(server_hello));
		ck_assert_int_eq(feed(&a, TLSD_DIR_S2C, dg, n, SEC + 3 * MS), 0);
		finish(&a, SEC + 4 * MS);
		ck_assert_str_eq(a.r.history, "CvCs");
		ck_assert_ptr_null(diag_of(&a.r, TLSD_CAUSE_DTLS_COOKIE_EXCHANGE_FAILED));
		ck_assert_ptr_null(diag_of(&a.r, TLSD_CAUSE_DUPLICATE_CLIENT_HELLO));
		ck_assert(a.r.has_cipher);
		ck_assert_uint_eq(a.r.cipher, 0xc02f);
		assert_hello_read(&a);
		assoc_free(&a);
		return;
	}
	if (variant == 2) {
		n = hs_datagram(dg, 1, TLSD_HS_HELLO_VERIFY_REQUEST, hvr, sizeof(hvr), 1, 0,
				sizeof(hvr));
		ck_assert_int_eq(feed(&a, TLSD_DIR_S2C, dg, n, SEC + 3 * MS), 0);
	}
	finish(&a, 5 * SEC);
	d = diag_of(&a.r, TLSD_CAUSE_DTLS_COOKIE_EXCHANGE_FAILED);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(tlsd_diag_find(d, TLSD_FACT_HINT)->a,
			  variant == 2 ? TLSD_HINT_COOKIE_LOOP : TLSD_HINT_COOKIE_IGNORED);
	ck_assert_uint_eq(tlsd_diag_find(d, TLSD_FACT_COOKIE_HELLOS)->v.u, 1);
	ck_assert_int_eq(a.r.outcome, TLSD_OUTCOME_FAILED);
	ck_assert_int_eq(a.r.failed_step, TLSD_STEP_CLIENT_HELLO);
	ck_assert_int_eq(a.r.term_by, TLSD_PARTY_SERVER);
	assoc_free(&a);
}
END_TEST

/* A server that numbers anew after its HelloVerifyRequest (ServerHello as
 * message 0): the ServerHello is read, and its later copies are copies. */
START_TEST(tc_conn_renumber)
{
	static const uint8_t hvr[] = {0xfe, 0xff, 1, 0xc0};
	uint8_t dg[512], cookie_ch[512];
	size_t n, cn;
	struct assoc a;

	cn = hello_and_hvr(&a, dg, hvr, sizeof(hvr), cookie_ch);
	n = hs_datagram(dg, 1, TLSD_HS_CLIENT_HELLO, cookie_ch, (uint32_t)cn, 1, 0, (uint32_t)cn);
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, SEC + 2 * MS), 0);
	for (int copy = 0; copy < 2; copy++) {
		n = hs_datagram(dg, 1, TLSD_HS_SERVER_HELLO, server_hello, sizeof(server_hello), 0, 0,
				sizeof(server_hello));
		ck_assert_int_eq(feed(&a, TLSD_DIR_S2C, dg, n, (2 + copy) * SEC), 0);
		n = hs_datagram(dg, 2, TLSD_HS_SERVER_HELLO_DONE, server_hello, 0, 1, 0, 0);
		ck_assert_int_eq(feed(&a, TLSD_DIR_S2C, dg, n, (2 + copy) * SEC + MS), 0);
	}
	finish(&a, 3 * SEC + 2 * MS);
	ck_assert_str_eq(a.r.history, "CvCsn");
	ck_assert_uint_eq(a.r.cipher, 0xc02f);
	assoc_free(&a);
}
END_TEST

/* A hello of another random: a new association on the same 5-tuple. */
START_TEST(tc_conn_new_association)
{
	uint8_t dg[512], other[512];
	size_t n;
	struct assoc a;

	n = start_with_hello(&a, dg, SEC);
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, 2 * SEC), TLSD_DTLS_FEED_OK);
	memcpy(other, ch_body, ch_len);
	other[10] ^= 1;
	n = hs_datagram(dg, 5, TLSD_HS_CLIENT_HELLO, other, (uint32_t)ch_len, 0, 0,
			(uint32_t)ch_len);
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, 3 * SEC), TLSD_DTLS_FEED_NEW_ASSOCIATION);
	finish(&a, 3 * SEC);
	assert_hello_read(&a);
	assoc_free(&a);
}
END_TEST

/* A server alert in the clear after the hello: the TLS rules decide. */
START_TEST(tc_conn_alert)
{
	static const uint8_t alert[] = {2, 40};
	uint8_t dg[512];
	size_t n;
	struct assoc a;

	n = start_with_hello(&a, dg, SEC);
	n = record(dg, TLSD_CT_ALERT, 0, 0, alert, sizeof(alert));
	ck_assert_int_eq(feed(&a, TLSD_DIR_S2C, dg, n, SEC + MS), 0);
	finish(&a, SEC + 2 * MS);
	ck_assert_int_eq(a.r.outcome, TLSD_OUTCOME_FAILED);
	ck_assert(a.r.has_alert);
	ck_assert_uint_eq(a.r.alert.code, 40);
	ck_assert_int_eq(a.r.alert.sender, TLSD_PARTY_SERVER);
	ck_assert_str_eq(a.r.history, "Cl");
	assoc_free(&a);
}
END_TEST

/* Bogus lengths: a message above --max-handshake, fragments that disagree
 * on the message, message_seq far ahead, a record longer than the datagram. */
START_TEST(tc_conn_bogus)
{
	uint8_t dg[512], f[64];
	size_t n, fl;
	struct assoc a;

	load_ch();
	n = hs_datagram(dg, 0, TLSD_HS_CLIENT_HELLO, ch_body, (uint32_t)ch_len, 0, 0, 100);
	assoc_start(&a, dg, n, SEC);
	a.ctx.lim.max_handshake = 1000;
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, SEC), 0);
	/* another length for the same message: ignored */
	n = hs_datagram(dg, 1, TLSD_HS_CLIENT_HELLO, ch_body, (uint32_t)ch_len - 1, 0, 100, 97);
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, SEC), 0);
	/* far ahead: ignored */
	n = hs_datagram(dg, 2, 11, ch_body, 10, 500, 0, 10);
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n, SEC), 0);
	/* the record claims more than the datagram holds */
	n = hs_datagram(dg, 3, TLSD_HS_CLIENT_HELLO, ch_body, (uint32_t)ch_len, 0, 100, 98);
	ck_assert_int_eq(feed(&a, TLSD_DIR_C2S, dg, n - 1, SEC), 0);
	/* the server's certificate is said to be 2 MB */
	fl = frag(f, 11, ch_body, 10, 0, 0, 10);
	f[1] = 0x20;
	n = record(dg, TLSD_CT_HANDSHAKE, 0, 0, f, fl);
	ck_assert_int_eq(feed(&a, TLSD_DIR_S2C, dg, n, SEC), 0);
	finish(&a, SEC);
	ck_assert(!a.r.has_sni); /* the hello never completed */
	ck_assert_uint_ge(a.r.anomalies, 3);
	ck_assert_uint_eq(a.ctx.cnt.anomalies[TLSD_ANOM_CAPTURE_CAP_HANDSHAKE], 1);
	ck_assert_int_eq(a.r.outcome, TLSD_OUTCOME_INCOMPLETE);
	assoc_free(&a);
}
END_TEST

/* The first datagram cut by the snap length at every length: a capture
 * defect, never a crash, never a verdict blaming a peer. */
START_TEST(tc_conn_snap_cut)
{
	uint8_t dg[512];
	size_t n, cut = (size_t)_i;
	struct assoc a;
	struct tlsd_pkt pkt;

	load_ch();
	n = hs_datagram(dg, 0, TLSD_HS_CLIENT_HELLO, ch_body, (uint32_t)ch_len, 0, 0,
			(uint32_t)ch_len);
	ck_assert_uint_lt(cut, n);
	assoc_start(&a, dg, n, SEC);
	pkt = pkt_of(dg, cut, SEC, TLSD_DIR_C2S);
	pkt.payload_wire_len = (uint32_t)n;
	ck_assert_int_eq(tlsd_dtls_conn_datagram(a.dc, TLSD_DIR_C2S, &pkt), 0);
	finish(&a, 30 * SEC);
	ck_assert_int_ne(a.r.outcome, TLSD_OUTCOME_FAILED);
	assoc_free(&a);
}
END_TEST

Suite *dtls_suite(void);
Suite *dtls_suite(void)
{
	Suite *s = suite_create("dtls");
	TCase *tc;

	tc = tcase_create("record");
	tcase_add_test(tc, tc_record_two);
	tcase_add_loop_test(tc, tc_record_truncated, 0, 33);
	tcase_add_test(tc, tc_record_bad);
	tcase_add_test(tc, tc_unified);
	tcase_add_test(tc, tc_record_cid);
	suite_add_tcase(s, tc);
	tc = tcase_create("fragment");
	tcase_add_test(tc, tc_frag);
	tcase_add_test(tc, tc_frag_bad);
	tcase_add_test(tc, tc_demux);
	tcase_add_test(tc, tc_starts);
	suite_add_tcase(s, tc);
	tc = tcase_create("hello");
	tcase_add_test(tc, tc_parse_hvr);
	tcase_add_test(tc, tc_parse_dtls_ch);
	tcase_add_loop_test(tc, tc_parse_dtls_ch_truncated, 0, 97);
	tcase_add_test(tc, tc_dtls_versions);
	suite_add_tcase(s, tc);
	tc = tcase_create("association");
	tcase_add_loop_test(tc, tc_conn_fragment_orders, 0, 24);
	tcase_add_test(tc, tc_conn_overlap);
	tcase_add_test(tc, tc_conn_retransmission);
	tcase_add_test(tc, tc_conn_too_soon);
	tcase_add_test(tc, tc_conn_sent_once);
	tcase_add_loop_test(tc, tc_conn_cookie, 0, 5);
	tcase_add_test(tc, tc_conn_renumber);
	tcase_add_test(tc, tc_conn_new_association);
	tcase_add_test(tc, tc_conn_alert);
	tcase_add_test(tc, tc_conn_bogus);
	tcase_add_loop_test(tc, tc_conn_snap_cut, 0, 223);
	suite_add_tcase(s, tc);
	return s;
}
