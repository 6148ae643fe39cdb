/* Unit tests for the handshake message parsers (tls_handshake.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/tls_handshake.h"
#include "tls_fixtures.h"

/* A fixture as a whole handshake message: the body starts after 4 bytes
 * (or after a 5-byte record header + 4 for the *_RECORD fixtures). */
struct msg {
	uint8_t *all;
	size_t all_len;
	const uint8_t *body;
	size_t len;
};

static struct msg load(const char *hex, size_t skip)
{
	struct msg m;

	m.all = tlsd_fix_hex(hex, &m.all_len);
	ck_assert_uint_ge(m.all_len, skip);
	m.body = m.all + skip;
	m.len = m.all_len - skip;
	return m;
}

/* The body copied to an exact-size heap block, so that ASan sees any read
 * past `len`. */
static uint8_t *exact(const uint8_t *p, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(b);
	if (len)
		memcpy(b, p, len);
	return b;
}

START_TEST(tc_rfc8448_client_hello)
{
	struct msg m = load(TLSD_FIX_RFC8448_CH, 4);
	struct tlsd_client_hello ch;
	struct tlsd_parse_err err = {0};

	ck_assert_int_eq(tlsd_parse_client_hello(m.body, m.len, &ch, &err), TLSD_PARSE_OK);
	ck_assert_uint_eq(ch.legacy_version, 0x0303);
	ck_assert_uint_eq(ch.random[0], 0xcb);
	ck_assert_uint_eq(ch.session_id_len, 0);
	ck_assert_uint_eq(ch.n_suites, 3);
	ck_assert_uint_eq(ch.suites[0], 0x1301);
	ck_assert_uint_eq(ch.suites[1], 0x1303);
	ck_assert_uint_eq(ch.suites[2], 0x1302);
	ck_assert(ch.compression_null);
	ck_assert(ch.has_sni);
	ck_assert_str_eq((const char *)ch.sni, "server");
	ck_assert_uint_eq(ch.sni_len, 6);
	ck_assert(ch.has_reneg_info);
	ck_assert_uint_eq(ch.n_groups, 9);
	ck_assert_uint_eq(ch.groups[0], 0x001d);
	ck_assert_uint_eq(ch.groups[8], 0x0104);
	ck_assert(ch.has_session_ticket);
	ck_assert_uint_eq(ch.session_ticket_len, 0);
	ck_assert_uint_eq(ch.n_key_shares, 1);
	ck_assert_uint_eq(ch.key_share_groups[0], 0x001d);
	ck_assert_uint_eq(ch.key_share_lens[0], 32);
	ck_assert(ch.has_supported_versions);
	ck_assert_uint_eq(ch.n_versions, 1);
	ck_assert_uint_eq(ch.versions[0], 0x0304);
	ck_assert_uint_eq(ch.n_sigalgs, 15);
	ck_assert_uint_eq(ch.sigalgs[0], 0x0403);
	ck_assert_uint_eq(ch.psk_modes, 2);
	ck_assert(ch.has_record_size_limit);
	ck_assert_uint_eq(ch.record_size_limit, 0x4001);
	ck_assert_uint_eq(ch.n_exts, 9);
	ck_assert_uint_eq(ch.n_exts_total, 9);
	ck_assert_uint_eq(ch.exts[0], 0x0000);
	ck_assert_uint_eq(ch.exts[8], 0x001c);
	ck_assert(!ch.dup_ext);
	ck_assert(!ch.trailing);
	ck_assert(!ch.has_alpn);
	ck_assert_uint_eq(ch.msg_len, 192);
	free(m.all);
}
END_TEST

START_TEST(tc_rfc8448_server_hello)
{
	struct msg m = load(TLSD_FIX_RFC8448_SH, 4);
	struct tlsd_server_hello sh;
	struct tlsd_parse_err err = {0};

	ck_assert_int_eq(tlsd_parse_server_hello(m.body, m.len, &sh, &err), TLSD_PARSE_OK);
	ck_assert_uint_eq(sh.legacy_version, 0x0303);
	ck_assert_uint_eq(sh.suite, 0x1301);
	ck_assert_uint_eq(sh.selected_version, 0x0304);
	ck_assert_uint_eq(tlsd_server_hello_version(&sh), 0x0304);
	ck_assert(!sh.is_hrr);
	ck_assert(sh.has_key_share);
	ck_assert_uint_eq(sh.key_share_group, 0x001d);
	ck_assert_uint_eq(sh.n_exts, 2);
	ck_assert_int_eq(sh.downgrade, TLSD_DOWNGRADE_NONE);
	free(m.all);
}
END_TEST

START_TEST(tc_rfc8448_hello_retry_request)
{
	struct msg m = load(TLSD_FIX_RFC8448_HRR, 4);
	struct tlsd_server_hello sh;
	struct tlsd_parse_err err = {0};

	ck_assert_int_eq(tlsd_parse_server_hello(m.body, m.len, &sh, &err), TLSD_PARSE_OK);
	ck_assert(sh.is_hrr);
	ck_assert_uint_eq(sh.suite, 0x1301);
	ck_assert_uint_eq(sh.key_share_group, 0x0017); /* selected_group secp256r1 */
	ck_assert(sh.has_cookie);
	ck_assert_uint_eq(sh.selected_version, 0x0304);
	ck_assert_uint_eq(sh.n_exts, 3);
	free(m.all);
}
END_TEST

/* A real Chrome hello: GREASE kept in the arrays, ALPN list kept. */
START_TEST(tc_chrome_client_hello_grease)
{
	struct msg m = load(TLSD_FIX_CHROME_CH_RECORD, 5 + 4);
	struct tlsd_client_hello ch;
	struct tlsd_parse_err err = {0};
	size_t pos = 0, len;
	const uint8_t *s;

	ck_assert_int_eq(tlsd_parse_client_hello(m.body, m.len, &ch, &err), TLSD_PARSE_OK);
	ck_assert(tlsd_is_grease(ch.suites[0]));
	ck_assert_uint_eq(ch.n_suites, 16);
	ck_assert(tlsd_is_grease(ch.exts[0]));
	ck_assert_str_eq((const char *)ch.sni, "clientservices.googleapis.com");
	ck_assert(ch.has_alpn);
	ck_assert_uint_eq(ch.alpn.total, 2);
	ck_assert(tlsd_strlist_next(&ch.alpn, &pos, &s, &len));
	ck_assert_uint_eq(len, 2);
	ck_assert_mem_eq(s, "h2", 2);
	ck_assert(tlsd_strlist_next(&ch.alpn, &pos, &s, &len));
	ck_assert_mem_eq(s, "http/1.1", 8);
	ck_assert(!tlsd_strlist_next(&ch.alpn, &pos, &s, &len));
	ck_assert(ch.has_compress_cert);
	ck_assert(ch.has_ems);
	ck_assert(tlsd_is_grease(ch.versions[0]));
	ck_assert(!ch.dup_ext);
	free(m.all);
}
END_TEST

START_TEST(tc_grease_values)
{
	for (unsigned i = 0; i < 16; i++)
		ck_assert(tlsd_is_grease((uint16_t)(i << 12 | 0x0a00 | i << 4 | 0x0a)));
	ck_assert(!tlsd_is_grease(0x0a1a));
	ck_assert(!tlsd_is_grease(0x1a0a));
	ck_assert(!tlsd_is_grease(0x1301));
	ck_assert(!tlsd_is_grease(0x0000));
}
END_TEST

/* Builds a minimal ClientHello body with the given extension block bytes. */
static size_t build_ch(uint8_t *out, const uint8_t *exts, size_t exts_len)
{
	size_t n = 0;

	out[n++] = 0x03;
	out[n++] = 0x03;
	memset(out + n, 0x11, 32);
	n += 32;
	out[n++] = 0;    /* session id */
	out[n++] = 0;
	out[n++] = 2;    /* suites */
	out[n++] = 0x13;
	out[n++] = 0x01;
	out[n++] = 1;    /* compression */
	out[n++] = 0;
	out[n++] = (uint8_t)(exts_len >> 8);
	out[n++] = (uint8_t)exts_len;
	memcpy(out + n, exts, exts_len);
	return n + exts_len;
}

START_TEST(tc_duplicate_extension)
{
	static const uint8_t exts[] = {0x00, 0x17, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00};
	uint8_t b[128];
	size_t n = build_ch(b, exts, sizeof(exts));
	struct tlsd_client_hello ch;

	ck_assert_int_eq(tlsd_parse_client_hello(b, n, &ch, NULL), TLSD_PARSE_OK);
	ck_assert(ch.dup_ext);
	ck_assert(ch.has_ems);
	ck_assert_uint_eq(ch.n_exts, 2);
}
END_TEST

/* Duplicates among many extensions, on both sides of the switch from the
 * small table to the bitmap (32 distinct types), including types that
 * share a table slot: a repeat is found wherever it is, and no list of
 * distinct types is called one with a duplicate. */
START_TEST(tc_duplicate_among_many)
{
	static const unsigned sizes[] = {1, 2, 31, 32, 33, 64, 300};
	uint8_t exts[4 * 302], b[sizeof(exts) + 64];
	struct tlsd_client_hello ch;

	for (size_t k = 0; k < TLSD_ARRAY_SIZE(sizes); k++) {
		unsigned n = sizes[k];

		/* Empty extensions of unknown types 0x4000 + 16 i (slot neighbours). */
		for (unsigned i = 0; i < n; i++) {
			uint16_t t = (uint16_t)(0x4000 + 16 * i);

			exts[4 * i] = (uint8_t)(t >> 8);
			exts[4 * i + 1] = (uint8_t)t;
			exts[4 * i + 2] = exts[4 * i + 3] = 0;
		}
		ck_assert_int_eq(tlsd_parse_client_hello(b, build_ch(b, exts, 4 * n), &ch, NULL),
				 TLSD_PARSE_OK);
		ck_assert_msg(!ch.dup_ext, "%u distinct types called a duplicate", n);
		ck_assert_uint_eq(ch.n_exts_total, n);
		/* The first type again, at the end, and the last one repeated. */
		for (unsigned rep = 0; rep < 2; rep++) {
			memcpy(exts + 4 * n, exts + (rep ? 4 * (n - 1) : 0), 4);
			ck_assert_int_eq(tlsd_parse_client_hello(b, build_ch(b, exts, 4 * (n + 1)),
								 &ch, NULL),
					 TLSD_PARSE_OK);
			ck_assert_msg(ch.dup_ext, "a repeat among %u types not found", n);
		}
	}
}
END_TEST

START_TEST(tc_trailing_bytes)
{
	static const uint8_t exts[] = {0x00, 0x17, 0x00, 0x00};
	uint8_t b[128];
	size_t n = build_ch(b, exts, sizeof(exts));
	struct tlsd_client_hello ch;

	b[n++] = 0xee;
	ck_assert_int_eq(tlsd_parse_client_hello(b, n, &ch, NULL), TLSD_PARSE_OK);
	ck_assert(ch.trailing);
}
END_TEST

/* encrypted_client_hello (0xfe0d): outer ECH with GREASE-like payload. */
START_TEST(tc_ech)
{
	static const uint8_t exts[] = {0xfe, 0x0d, 0x00, 0x05, 0x00, 0x00, 0x01, 0x00, 0x01,
				       0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04};
	uint8_t b[128];
	size_t n = build_ch(b, exts, sizeof(exts));
	struct tlsd_client_hello ch;

	ck_assert_int_eq(tlsd_parse_client_hello(b, n, &ch, NULL), TLSD_PARSE_OK);
	ck_assert(ch.has_ech);
	ck_assert_uint_eq(ch.exts[0], 0xfe0d);
	ck_assert_uint_eq(ch.versions[0], 0x0304);
}
END_TEST

/* Long SNI: kept up to TLSD_MAX_SNI bytes, any byte values. */
START_TEST(tc_sni_long_and_raw)
{
	uint8_t exts[4 + 2 + 3 + 300], b[512];
	size_t n;
	struct tlsd_client_hello ch;

	exts[0] = 0;
	exts[1] = 0;
	exts[2] = (2 + 3 + 300) >> 8;
	exts[3] = (2 + 3 + 300) & 0xff;
	exts[4] = (3 + 300) >> 8;
	exts[5] = (3 + 300) & 0xff;
	exts[6] = 0;
	exts[7] = 300 >> 8;
	exts[8] = 300 & 0xff;
	for (int i = 0; i < 300; i++)
		exts[9 + i] = (uint8_t)i;
	n = build_ch(b, exts, sizeof(exts));
	ck_assert_int_eq(tlsd_parse_client_hello(b, n, &ch, NULL), TLSD_PARSE_OK);
	ck_assert(ch.has_sni);
	ck_assert(ch.sni_truncated);
	ck_assert_uint_eq(ch.sni_len, TLSD_MAX_SNI);
	ck_assert_uint_eq(ch.sni[0], 0);
	ck_assert_uint_eq(ch.sni[10], 10);
}
END_TEST

START_TEST(tc_sslv2_client_hello)
{
	/* msg_type 1, version 3.1, 9 bytes of cipher specs (one SSLv2-only
	 * kind), no session id, 16-byte challenge. */
	static const uint8_t b[] = {
		0x01, 0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10,
		0x01, 0x00, 0x80, 0x00, 0x00, 0x35, 0x00, 0x00, 0x2f,
		0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
		0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	};
	struct tlsd_client_hello ch;

	ck_assert_int_eq(tlsd_parse_sslv2_client_hello(b, sizeof(b), &ch, NULL), TLSD_PARSE_OK);
	ck_assert(ch.sslv2);
	ck_assert_uint_eq(ch.legacy_version, 0x0301);
	ck_assert_uint_eq(ch.n_suites, 2);
	ck_assert_uint_eq(ch.suites[0], 0x0035);
	ck_assert_uint_eq(ch.suites[1], 0x002f);
	ck_assert_uint_eq(ch.random[0], 0);
	ck_assert_uint_eq(ch.random[16], 0xa0);
	ck_assert_uint_eq(ch.random[31], 0xaf);
	for (size_t i = 0; i < sizeof(b); i++) {
		uint8_t *e = exact(b, i);

		ck_assert_int_eq(tlsd_parse_sslv2_client_hello(e, i, &ch, NULL),
				 TLSD_PARSE_MALFORMED);
		free(e);
	}
}
END_TEST

START_TEST(tc_downgrade_sentinel)
{
	struct msg m = load(TLSD_FIX_RFC8448_SH, 4);
	struct tlsd_server_hello sh;
	static const uint8_t tls12[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};

	memcpy((uint8_t *)m.body + 2 + 24, tls12, 8);
	ck_assert_int_eq(tlsd_parse_server_hello(m.body, m.len, &sh, NULL), TLSD_PARSE_OK);
	ck_assert_int_eq(sh.downgrade, TLSD_DOWNGRADE_TLS12);
	((uint8_t *)m.body)[2 + 31] = 0x00;
	ck_assert_int_eq(tlsd_parse_server_hello(m.body, m.len, &sh, NULL), TLSD_PARSE_OK);
	ck_assert_int_eq(sh.downgrade, TLSD_DOWNGRADE_TLS11);
	free(m.all);
}
END_TEST

START_TEST(tc_tls12_messages)
{
	struct msg sh = load(TLSD_FIX_TLS12_SH, 4), cert = load(TLSD_FIX_TLS12_CERT, 4);
	struct msg cr = load(TLSD_FIX_TLS12_CR, 4), ske = load(TLSD_FIX_ECDHE_SKE, 4);
	struct msg dhe = load(TLSD_FIX_DHE_SKE, 4);
	struct tlsd_server_hello s;
	struct tlsd_certificate_msg c;
	struct tlsd_certificate_request r;
	struct tlsd_server_key_exchange k;

	ck_assert_int_eq(tlsd_parse_server_hello(sh.body, sh.len, &s, NULL), TLSD_PARSE_OK);
	ck_assert_uint_eq(s.suite, 0xc02f);
	ck_assert_uint_eq(tlsd_server_hello_version(&s), 0x0303);
	ck_assert(s.has_reneg_info);
	ck_assert(s.has_ems);

	ck_assert_int_eq(tlsd_parse_certificate(cert.body, cert.len, false, &c, NULL), TLSD_PARSE_OK);
	ck_assert_uint_eq(c.n_certs, 1);
	ck_assert_uint_eq(c.n_kept, 1);
	ck_assert_uint_eq(tlsd_cur_len(&c.der[0]), 0x311);
	ck_assert_uint_eq(tlsd_cur_data(&c.der[0])[0], 0x30);

	ck_assert_int_eq(tlsd_parse_certificate_request(cr.body, cr.len, 0x0303, &r, NULL),
			 TLSD_PARSE_OK);
	ck_assert(!r.tls13);
	ck_assert_uint_eq(r.n_types, 3);
	ck_assert_uint_eq(r.n_sigalgs, 20);
	ck_assert_uint_eq(r.n_ca_names, 0);

	ck_assert_int_eq(tlsd_parse_server_key_exchange(ske.body, ske.len, TLSD_KX_ECDHE, 0x0303,
							&k, NULL),
			 TLSD_PARSE_OK);
	ck_assert_uint_eq(k.ec_curve_type, 3);
	ck_assert_uint_eq(k.group, 0x001d);
	ck_assert_uint_eq(tlsd_cur_len(&k.params), 1 + 2 + 1 + 32);
	ck_assert(tlsd_cur_data(&k.params) == ske.body);
	ck_assert_uint_ne(k.sig_scheme, 0);
	ck_assert_uint_eq(tlsd_cur_len(&k.signature), 256);

	ck_assert_int_eq(tlsd_parse_server_key_exchange(dhe.body, dhe.len, TLSD_KX_DHE, 0x0303, &k,
							NULL),
			 TLSD_PARSE_OK);
	ck_assert_uint_eq(k.dh_p_bits, 2048);
	ck_assert_uint_eq(tlsd_cur_len(&k.params), 2 + 256 + 2 + 1 + 2 + 256);
	ck_assert_uint_eq(tlsd_cur_len(&k.signature), 256);
	/* Before TLS 1.2 there is no signature scheme: the same bytes no longer parse. */
	ck_assert_int_eq(tlsd_parse_server_key_exchange(dhe.body, dhe.len, TLSD_KX_DHE, 0x0301, &k,
							NULL),
			 TLSD_PARSE_MALFORMED);
	free(sh.all);
	free(cert.all);
	free(cr.all);
	free(ske.all);
	free(dhe.all);
}
END_TEST

/* CertificateRequests naming CAs. Names: A = "CN=Test CA" (20 bytes of
 * DER: SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String } } }),
 * B = "CN=B" (14 bytes). */
#define DN_A "30123110300e0603550403130754657374204341"
#define DN_B "300c310a30080603550403130142"
/* TLS 1.2: certificate_types<1> {rsa_sign}, supported_signature_algorithms
 * <2> {rsa_pkcs1_sha256}, certificate_authorities<...>. */
#define CR12_HEAD "0101" "00020401"
#define CR12_NONE "0d000008" CR12_HEAD "0000"
#define CR12_ONE "0d00001e" CR12_HEAD "0016" "0014" DN_A
#define CR12_THREE "0d000044" CR12_HEAD "003c" "0014" DN_A "000e" DN_B "0014" DN_A
/* TLS 1.0/1.1: no signature algorithms. */
#define CR10_ONE "0d00001a" "0101" "0016" "0014" DN_A
/* TLS 1.3: context<0>, extensions { signature_algorithms {rsa_pkcs1_sha256},
 * certificate_authorities {A, B} }. */
#define CR13_TWO "0d000037" "00" "0034" "000d000400020401" "002f0028" "0026" "0014" DN_A \
	"000e" DN_B

static void assert_first_ca(const struct tlsd_certificate_request *r, const struct msg *m,
			    size_t at, size_t len)
{
	ck_assert_uint_eq(tlsd_cur_len(&r->first_ca), len);
	ck_assert_ptr_eq(tlsd_cur_data(&r->first_ca), m->body + at);
}

START_TEST(tc_certificate_request_ca_names)
{
	struct msg none = load(CR12_NONE, 4), one = load(CR12_ONE, 4), three = load(CR12_THREE, 4);
	struct msg old = load(CR10_ONE, 4), t13 = load(CR13_TWO, 4);
	struct tlsd_certificate_request r;

	/* An empty list: any CA (RFC 5246 7.4.4); no name kept. */
	ck_assert_int_eq(tlsd_parse_certificate_request(none.body, none.len, 0x0303, &r, NULL),
			 TLSD_PARSE_OK);
	ck_assert_uint_eq(r.n_ca_names, 0);
	ck_assert_uint_eq(tlsd_cur_len(&r.first_ca), 0);

	ck_assert_int_eq(tlsd_parse_certificate_request(one.body, one.len, 0x0303, &r, NULL),
			 TLSD_PARSE_OK);
	ck_assert_uint_eq(r.n_ca_names, 1);
	assert_first_ca(&r, &one, 2 + 4 + 2 + 2, 20);
	ck_assert_uint_eq(tlsd_cur_data(&r.first_ca)[0], 0x30);

	/* Several: the count, and the first one (not the last). */
	ck_assert_int_eq(tlsd_parse_certificate_request(three.body, three.len, 0x0303, &r, NULL),
			 TLSD_PARSE_OK);
	ck_assert_uint_eq(r.n_ca_names, 3);
	assert_first_ca(&r, &three, 2 + 4 + 2 + 2, 20);

	ck_assert_int_eq(tlsd_parse_certificate_request(old.body, old.len, 0x0301, &r, NULL),
			 TLSD_PARSE_OK);
	ck_assert_uint_eq(r.n_ca_names, 1);
	assert_first_ca(&r, &old, 2 + 2 + 2, 20);

	/* TLS 1.3: certificate_authorities. */
	ck_assert_int_eq(tlsd_parse_certificate_request(t13.body, t13.len, 0x0304, &r, NULL),
			 TLSD_PARSE_OK);
	ck_assert(r.tls13);
	ck_assert_uint_eq(r.n_ca_names, 2);
	assert_first_ca(&r, &t13, 1 + 2 + 8 + 4 + 2 + 2, 20);
	free(none.all);
	free(one.all);
	free(three.all);
	free(old.all);
	free(t13.all);
}
END_TEST

/* Broken DistinguishedName vectors: MALFORMED, the output untouched. */
static const char *const cr_bad[] = {
	CR12_HEAD "0002" "0000",                  /* a name of length 0 */
	CR12_HEAD "0004" "0014" "3012",           /* a name longer than the list */
	CR12_HEAD "0020" "0014" DN_A,             /* a list longer than the message */
	CR12_HEAD "0016" "0014" DN_A "00",        /* a byte after the list */
	CR12_HEAD "0017" "0014" DN_A "00",        /* a byte left in the list */
	CR12_HEAD "0001" "00",                    /* half a length */
};

START_TEST(tc_certificate_request_ca_names_bad)
{
	struct msg m = load(cr_bad[_i], 0);
	struct tlsd_certificate_request r, sentinel;
	struct tlsd_parse_err err = {0};

	memset(&r, 0xa5, sizeof(r));
	memset(&sentinel, 0xa5, sizeof(sentinel));
	ck_assert_int_eq(tlsd_parse_certificate_request(m.body, m.len, 0x0303, &r, &err),
			 TLSD_PARSE_MALFORMED);
	ck_assert_ptr_nonnull(err.field);
	ck_assert_mem_eq(&r, &sentinel, sizeof(r));
	free(m.all);
}
END_TEST

START_TEST(tc_tls13_messages)
{
	struct msg cert = load(TLSD_FIX_TLS13_CERT, 4), cr = load(TLSD_FIX_TLS13_CR, 4);
	struct tlsd_certificate_msg c;
	struct tlsd_certificate_request r;

	ck_assert_int_eq(tlsd_parse_certificate(cert.body, cert.len, true, &c, NULL), TLSD_PARSE_OK);
	ck_assert(c.tls13);
	ck_assert_uint_eq(c.n_certs, 1);
	ck_assert_int_eq(tlsd_parse_certificate(cert.body, cert.len, false, &c, NULL),
			 TLSD_PARSE_MALFORMED);
	ck_assert_int_eq(tlsd_parse_certificate_request(cr.body, cr.len, 0x0304, &r, NULL),
			 TLSD_PARSE_OK);
	ck_assert(r.tls13);
	ck_assert_uint_eq(r.n_sigalgs, 16);
	free(cert.all);
	free(cr.all);
}
END_TEST

START_TEST(tc_new_session_ticket)
{
	static const uint8_t t12[] = {0x00, 0x00, 0x1c, 0x20, 0x00, 0x03, 0xaa, 0xbb, 0xcc};
	static const uint8_t t13[] = {0x00, 0x00, 0x1c, 0x20, 0x01, 0x02, 0x03, 0x04, 0x01, 0x00,
				      0x00, 0x02, 0xaa, 0xbb, 0x00, 0x00};
	struct tlsd_new_session_ticket t;

	ck_assert_int_eq(tlsd_parse_new_session_ticket(t12, sizeof(t12), false, &t, NULL),
			 TLSD_PARSE_OK);
	ck_assert_uint_eq(t.lifetime, 7200);
	ck_assert_uint_eq(t.ticket_len, 3);
	ck_assert_int_eq(tlsd_parse_new_session_ticket(t13, sizeof(t13), true, &t, NULL),
			 TLSD_PARSE_OK);
	ck_assert(t.tls13);
	ck_assert_uint_eq(t.ticket_len, 2);
	ck_assert_int_eq(tlsd_parse_new_session_ticket(t13, sizeof(t13), false, &t, NULL),
			 TLSD_PARSE_MALFORMED);
}
END_TEST

/* Every parser on every truncation 0..n-1 of a valid message: MALFORMED
 * (a hello cut exactly before its extensions block is a valid old-style
 * hello), never a read past the end (exact-size copies under ASan), and
 * the output untouched on failure (sentinel). */
enum which { P_CH, P_SH, P_CERT12, P_CERT13, P_CR12, P_CR13, P_ECDHE, P_DHE };

static const struct {
	const char *hex;
	size_t skip;
	enum which p;
} trunc_cases[] = {
	{TLSD_FIX_RFC8448_CH, 4, P_CH},      {TLSD_FIX_CHROME_CH_RECORD, 9, P_CH},
	{TLSD_FIX_RFC8448_SH, 4, P_SH},      {TLSD_FIX_RFC8448_HRR, 4, P_SH},
	{TLSD_FIX_TLS12_CERT, 4, P_CERT12},  {TLSD_FIX_TLS13_CERT, 4, P_CERT13},
	{TLSD_FIX_TLS12_CR, 4, P_CR12},      {TLSD_FIX_TLS13_CR, 4, P_CR13},
	{TLSD_FIX_ECDHE_SKE, 4, P_ECDHE},    {TLSD_FIX_DHE_SKE, 4, P_DHE},
	{CR12_ONE, 4, P_CR12},               {CR12_THREE, 4, P_CR12},
	{CR13_TWO, 4, P_CR13},
};

static union {
	struct tlsd_client_hello ch;
	struct tlsd_server_hello sh;
	struct tlsd_certificate_msg cert;
	struct tlsd_certificate_request cr;
	struct tlsd_server_key_exchange ske;
} out_u, sentinel_u;

static enum tlsd_parse run_parser(enum which p, const uint8_t *b, size_t n,
				  struct tlsd_parse_err *err)
{
	switch (p) {
	case P_CH:
		return tlsd_parse_client_hello(b, n, &out_u.ch, err);
	case P_SH:
		return tlsd_parse_server_hello(b, n, &out_u.sh, err);
	case P_CERT12:
		return tlsd_parse_certificate(b, n, false, &out_u.cert, err);
	case P_CERT13:
		return tlsd_parse_certificate(b, n, true, &out_u.cert, err);
	case P_CR12:
		return tlsd_parse_certificate_request(b, n, 0x0303, &out_u.cr, err);
	case P_CR13:
		return tlsd_parse_certificate_request(b, n, 0x0304, &out_u.cr, err);
	case P_ECDHE:
		return tlsd_parse_server_key_exchange(b, n, TLSD_KX_ECDHE, 0x0303, &out_u.ske, err);
	case P_DHE:
		return tlsd_parse_server_key_exchange(b, n, TLSD_KX_DHE, 0x0303, &out_u.ske, err);
	default:
		return TLSD_PARSE_MALFORMED;
	}
}

START_TEST(tc_truncation_every_length)
{
	struct msg m = load(trunc_cases[_i].hex, trunc_cases[_i].skip);
	enum which p = trunc_cases[_i].p;
	size_t ok = 0;

	ck_assert_int_eq(run_parser(p, m.body, m.len, NULL), TLSD_PARSE_OK);
	for (size_t n = 0; n < m.len; n++) {
		uint8_t *e = exact(m.body, n);
		struct tlsd_parse_err err = {0};
		enum tlsd_parse r;

		memset(&out_u, 0xa5, sizeof(out_u));
		memset(&sentinel_u, 0xa5, sizeof(sentinel_u));
		r = run_parser(p, e, n, &err);
		if (r == TLSD_PARSE_OK) {
			ok++;
		} else {
			ck_assert_int_eq(r, TLSD_PARSE_MALFORMED);
			ck_assert_ptr_nonnull(err.field);
			ck_assert_uint_le(err.off, n);
			ck_assert_mem_eq(&out_u, &sentinel_u, sizeof(out_u));
		}
		free(e);
	}
	/* Only hellos cut right before their extensions block parse. */
	ck_assert_uint_le(ok, (p == P_CH || p == P_SH) ? 1 : 0);
	free(m.all);
}
END_TEST

/* Every length field of the RFC 8448 ClientHello set one too long and one
 * too short. Offsets are into the body (after the 4-byte header). A bad
 * length inside one extension's body leaves the extension framing intact:
 * the hello parses with bad_ext naming that extension (bad_ext >= 0);
 * the other fields make the whole hello malformed (bad_ext = -1). */
static const struct {
	size_t off;
	unsigned width;
	const char *what;
	int bad_ext;
} ch_lengths[] = {
	{34, 1, "legacy_session_id", -1},
	{35, 2, "cipher_suites", -1},
	{43, 1, "legacy_compression_methods", -1},
	{45, 2, "extensions", -1},
	{49, 2, "server_name extension length", -1},
	{51, 2, "server_name_list", 0},
	{54, 2, "HostName", 0},
	{97, 2, "key_share extension length", -1},
	{99, 2, "client_shares", 51},
	{103, 2, "key_exchange", 51},
};

START_TEST(tc_length_fields_wrong)
{
	struct msg m = load(TLSD_FIX_RFC8448_CH, 4);
	size_t off = ch_lengths[_i].off;
	unsigned w = ch_lengths[_i].width;

	for (int delta = -1; delta <= 1; delta += 2) {
		uint8_t *e = exact(m.body, m.len);
		struct tlsd_client_hello ch;
		unsigned v = w == 1 ? e[off] : ((unsigned)e[off] << 8 | e[off + 1]);

		v = (unsigned)((int)v + delta);
		if (w == 1) {
			e[off] = (uint8_t)v;
		} else {
			e[off] = (uint8_t)(v >> 8);
			e[off + 1] = (uint8_t)v;
		}
		if (ch_lengths[_i].bad_ext < 0) {
			ck_assert_msg(tlsd_parse_client_hello(e, m.len, &ch, NULL) ==
					      TLSD_PARSE_MALFORMED,
				      "%s %+d parsed", ch_lengths[_i].what, delta);
		} else {
			ck_assert_msg(tlsd_parse_client_hello(e, m.len, &ch, NULL) == TLSD_PARSE_OK,
				      "%s %+d: hello lost", ch_lengths[_i].what, delta);
			ck_assert(ch.bad_ext);
			ck_assert_int_eq(ch.bad_ext_type, ch_lengths[_i].bad_ext);
		}
		free(e);
	}
	free(m.all);
}
END_TEST

START_TEST(tc_strlist_bounded)
{
	/* 40 ALPN names of 9 bytes: only what fits in TLSD_STRLIST_BYTES is kept. */
	uint8_t exts[4 + 2 + 40 * 10], b[600];
	size_t n, pos = 0, len, count = 0;
	const uint8_t *s;
	struct tlsd_client_hello ch;

	exts[0] = 0;
	exts[1] = 16;
	exts[2] = (2 + 400) >> 8;
	exts[3] = (2 + 400) & 0xff;
	exts[4] = 400 >> 8;
	exts[5] = 400 & 0xff;
	for (int i = 0; i < 40; i++) {
		exts[6 + i * 10] = 9;
		memcpy(exts + 7 + i * 10, "proto-abc", 9);
	}
	n = build_ch(b, exts, sizeof(exts));
	ck_assert_int_eq(tlsd_parse_client_hello(b, n, &ch, NULL), TLSD_PARSE_OK);
	ck_assert_uint_eq(ch.alpn.total, 40);
	ck_assert_uint_eq(ch.alpn.n, TLSD_STRLIST_BYTES / 10);
	while (tlsd_strlist_next(&ch.alpn, &pos, &s, &len)) {
		ck_assert_uint_eq(len, 9);
		count++;
	}
	ck_assert_uint_eq(count, ch.alpn.n);
}
END_TEST

/* A TLS 1.3 draft-18 ServerHello (drafts before 22): version, random,
 * cipher_suite, extensions; no session id, no compression. Layout as in
 * draft-ietf-tls-tls13-18 section 4.1.3, key_share extension empty here. */
static const uint8_t draft18_sh[] = {
	0x7f, 0x12,                                     /* server_version: draft 18 */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* random */
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
	0x13, 0x01,                                     /* TLS_AES_128_GCM_SHA256 */
	0x00, 0x04,                                     /* extensions */
	0x00, 0x28, 0x00, 0x00,                         /* key_share (draft 40), empty */
};

START_TEST(tc_draft_server_hello)
{
	struct tlsd_server_hello sh;

	ck_assert_int_eq(tlsd_parse_server_hello(draft18_sh, sizeof(draft18_sh), &sh, NULL),
			 TLSD_PARSE_OK);
	ck_assert_uint_eq(sh.suite, 0x1301);
	ck_assert_uint_eq(tlsd_server_hello_version(&sh), 0x7f12);
	ck_assert(tlsd_version_is_tls13(tlsd_server_hello_version(&sh)));
	ck_assert_uint_eq(sh.n_exts, 1);
	ck_assert_uint_eq(sh.session_id_len, 0);
	/* Every truncation is malformed, except right before the (optional)
	 * extensions block. */
	for (size_t n = 0; n < sizeof(draft18_sh); n++)
		ck_assert_int_eq(tlsd_parse_server_hello(draft18_sh, n, &sh, NULL),
				 n == 36 ? TLSD_PARSE_OK : TLSD_PARSE_MALFORMED);
}
END_TEST

/* The same layout with 0x0304 in the version field, as early draft servers
 * wrote it (suricata-verify tls13-draft14: tls13.crypto.mozilla.org, 2016;
 * tshark 4.0 shows "Version: TLS 1.3 (0x0304)" there and misreads the
 * rest). The final format never puts 0x0304 here. */
START_TEST(tc_draft_server_hello_0304)
{
	uint8_t b[sizeof(draft18_sh)];
	struct tlsd_server_hello sh;

	memcpy(b, draft18_sh, sizeof(b));
	b[0] = 0x03;
	b[1] = 0x04;
	ck_assert_int_eq(tlsd_parse_server_hello(b, sizeof(b), &sh, NULL), TLSD_PARSE_OK);
	ck_assert_uint_eq(sh.suite, 0x1301);
	ck_assert_uint_eq(tlsd_server_hello_version(&sh), TLSD_VERSION_TLS13);
	ck_assert_uint_eq(sh.session_id_len, 0);
}
END_TEST

Suite *tls_handshake_suite(void);
Suite *tls_handshake_suite(void)
{
	Suite *s = suite_create("tls_handshake");
	TCase *tc;

	tc = tcase_create("rfc8448");
	tcase_add_test(tc, tc_rfc8448_client_hello);
	tcase_add_test(tc, tc_rfc8448_server_hello);
	tcase_add_test(tc, tc_rfc8448_hello_retry_request);
	tcase_add_test(tc, tc_draft_server_hello);
	tcase_add_test(tc, tc_draft_server_hello_0304);
	suite_add_tcase(s, tc);

	tc = tcase_create("client_hello");
	tcase_add_test(tc, tc_chrome_client_hello_grease);
	tcase_add_test(tc, tc_grease_values);
	tcase_add_test(tc, tc_duplicate_extension);
	tcase_add_test(tc, tc_duplicate_among_many);
	tcase_add_test(tc, tc_trailing_bytes);
	tcase_add_test(tc, tc_ech);
	tcase_add_test(tc, tc_sni_long_and_raw);
	tcase_add_test(tc, tc_sslv2_client_hello);
	tcase_add_test(tc, tc_strlist_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("server_messages");
	tcase_add_test(tc, tc_downgrade_sentinel);
	tcase_add_test(tc, tc_tls12_messages);
	tcase_add_test(tc, tc_tls13_messages);
	tcase_add_test(tc, tc_certificate_request_ca_names);
	tcase_add_loop_test(tc, tc_certificate_request_ca_names_bad, 0,
			    (int)TLSD_ARRAY_SIZE(cr_bad));
	tcase_add_test(tc, tc_new_session_ticket);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_loop_test(tc, tc_truncation_every_length, 0, (int)TLSD_ARRAY_SIZE(trunc_cases));
	tcase_add_loop_test(tc, tc_length_fields_wrong, 0, (int)TLSD_ARRAY_SIZE(ch_lengths));
	suite_add_tcase(s, tc);
	return s;
}
