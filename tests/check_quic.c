/* Unit tests for QUIC headers, keys, packet protection and frames, on the
 * test vectors of RFC 9001 Appendix A. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tlsd/quic.h"

static size_t unhex(const char *h, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (h[0] && h[1] && n < max) {
		unsigned v;

		if (sscanf(h, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

static void ck_hex(const uint8_t *p, size_t n, const char *hex)
{
	uint8_t want[64];
	size_t wn = unhex(hex, want, sizeof(want));

	ck_assert_uint_eq(n, wn);
	ck_assert_mem_eq(p, want, n);
}

/* RFC 9001 A.1: keys of the client and server Initials, DCID 8394c8f03e515708. */
START_TEST(tc_initial_keys)
{
	struct tlsd_quic_cid dcid = {.len = 8};
	struct tlsd_quic_keys c, s;

	unhex("8394c8f03e515708", dcid.b, sizeof(dcid.b));
	ck_assert_int_eq(tlsd_quic_initial_keys(TLSD_QUIC_V1, &dcid, &c, &s), 0);
	ck_hex(c.key, c.key_len, "1f369613dd76d5467730efcbe3b1a22d");
	ck_hex(c.iv, 12, "fa044b2f42a3fd3b46fb255c");
	ck_hex(c.hp, 16, "9f50449e04a0e810283a1e9933adedd2");
	ck_hex(s.key, s.key_len, "cf3a5331653c364c88f0f379b6067e37");
	ck_hex(s.iv, 12, "0ac1493ca1905853b0bba03e");
	ck_hex(s.hp, 16, "c206b8d9b9f0f37644430b490eeaa314");
	ck_assert_int_eq(tlsd_quic_initial_keys(0x1a2a3a4au, &dcid, &c, &s), -ENOTSUP);
}
END_TEST

/* RFC 9001 A.3: the server's Initial (ACK + CRYPTO with the ServerHello). */
static const char server_initial_hex[] =
	"cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a"
	"5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3"
	"dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84"
	"022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4"
	"2158407dd074ee";

struct seen {
	unsigned crypto, closes, done, eliciting;
	uint64_t crypto_off;
	size_t crypto_len;
	uint8_t crypto_first;
	struct tlsd_quic_close close;
	uint8_t reason[64];
};

static void ev_crypto(void *ud, uint64_t off, struct tlsd_cur data)
{
	struct seen *s = ud;

	s->crypto++;
	s->crypto_off = off;
	s->crypto_len = tlsd_cur_len(&data);
	ck_assert(tlsd_cur_peek_u8(&data, &s->crypto_first));
}

static void ev_close(void *ud, const struct tlsd_quic_close *c)
{
	struct seen *s = ud;
	struct tlsd_cur r = c->reason;

	s->closes++;
	s->close = *c;
	ck_assert(tlsd_cur_copy(&r, s->reason, TLSD_MIN(tlsd_cur_len(&r), sizeof(s->reason))));
}

static void ev_done(void *ud)
{
	((struct seen *)ud)->done++;
}

static void ev_eliciting(void *ud)
{
	((struct seen *)ud)->eliciting++;
}

static const struct tlsd_quic_frame_events frame_ev = {
	.crypto = ev_crypto, .close = ev_close, .handshake_done = ev_done,
	.ack_eliciting = ev_eliciting};

START_TEST(tc_server_initial)
{
	uint8_t pkt[256];
	size_t n = unhex(server_initial_hex, pkt, sizeof(pkt));
	struct tlsd_cur dg;
	struct tlsd_quic_hdr h;
	struct tlsd_quic_cid dcid = {.len = 8};
	struct tlsd_quic_keys c, s;
	struct tlsd_quic_plain pl;
	struct tlsd_quic_crypto *qc = tlsd_quic_crypto_new();
	struct seen seen = {0};
	struct tlsd_cur payload;

	ck_assert_ptr_nonnull(qc);
	unhex("8394c8f03e515708", dcid.b, sizeof(dcid.b));
	ck_assert_int_eq(tlsd_quic_initial_keys(TLSD_QUIC_V1, &dcid, &c, &s), 0);
	tlsd_cur_init(&dg, pkt, n);
	ck_assert_int_eq(tlsd_quic_parse(&dg, 0, &h), TLSD_PARSE_OK);
	ck_assert_uint_eq(tlsd_cur_len(&dg), 0);
	ck_assert_int_eq(h.type, TLSD_QUIC_PKT_INITIAL);
	ck_assert_uint_eq(h.version, 1);
	ck_assert_uint_eq(h.dcid.len, 0);
	ck_assert_uint_eq(h.scid.len, 8);
	ck_hex(h.scid.b, 8, "f067a5502a4262b5");
	ck_assert_uint_eq(h.len, n);
	/* The client's keys do not open the server's packet. */
	ck_assert_int_eq(tlsd_quic_open(qc, &c, &h, -1, &pl), TLSD_QUIC_OPEN_BAD);
	ck_assert_int_eq(tlsd_quic_open(qc, &s, &h, -1, &pl), TLSD_QUIC_OPEN_OK);
	ck_assert_uint_eq(pl.pn, 1);
	tlsd_cur_init(&payload, pl.payload, pl.len);
	ck_assert_int_eq(tlsd_quic_frames(payload, &frame_ev, &seen), TLSD_PARSE_OK);
	ck_assert_uint_eq(seen.crypto, 1);
	ck_assert_uint_eq(seen.crypto_off, 0);
	ck_assert_uint_eq(seen.crypto_len, 90);
	ck_assert_uint_eq(seen.crypto_first, 2); /* ServerHello */
	/* A flipped bit anywhere in the protected part fails authentication. */
	pkt[n - 20] ^= 0x01;
	ck_assert_int_eq(tlsd_quic_open(qc, &s, &h, -1, &pl), TLSD_QUIC_OPEN_BAD);
	tlsd_quic_crypto_free(qc);
}
END_TEST

/* Every truncation of the server's Initial: never OK with a longer packet,
 * never a read beyond the cut (ASan/valgrind watch). */
START_TEST(tc_truncated)
{
	uint8_t pkt[256];
	size_t n = unhex(server_initial_hex, pkt, sizeof(pkt));

	for (size_t cut = 0; cut < n; cut++) {
		struct tlsd_cur dg, before;
		struct tlsd_quic_hdr h;
		enum tlsd_parse r;

		tlsd_cur_init(&dg, pkt, cut);
		before = dg;
		r = tlsd_quic_parse(&dg, 0, &h);
		ck_assert_int_ne(r, TLSD_PARSE_OK);
		ck_assert_ptr_eq(tlsd_cur_data(&dg), tlsd_cur_data(&before));
		ck_assert_uint_eq(tlsd_cur_len(&dg), tlsd_cur_len(&before));
	}
}
END_TEST

/* RFC 9001 A.5: ChaCha20-Poly1305 short header packet with a PING. */
START_TEST(tc_chacha_short)
{
	uint8_t secret[32], pkt[64];
	size_t n;
	struct tlsd_quic_keys k;
	struct tlsd_quic_hdr h;
	struct tlsd_quic_plain pl;
	struct tlsd_cur dg;
	struct tlsd_quic_crypto *qc = tlsd_quic_crypto_new();

	ck_assert_ptr_nonnull(qc);
	unhex("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b", secret,
	      sizeof(secret));
	ck_assert_int_eq(tlsd_quic_keys_from_secret(TLSD_QUIC_V1, 0x1303, secret, 32, &k), 0);
	ck_assert_int_eq(k.aead, TLSD_QUIC_AEAD_CHACHA20);
	ck_hex(k.key, k.key_len, "c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8");
	ck_hex(k.iv, 12, "e0459b3474bdd0e44a41c144");
	ck_hex(k.hp, 32, "25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4");
	ck_assert_int_eq(tlsd_quic_keys_from_secret(TLSD_QUIC_V1, 0x1303, secret, 31, &k), -EINVAL);
	ck_assert_int_eq(tlsd_quic_keys_from_secret(TLSD_QUIC_V1, 0xc02f, secret, 32, &k), -ENOTSUP);
	ck_assert_int_eq(tlsd_quic_keys_from_secret(TLSD_QUIC_V1, 0x1303, secret, 32, &k), 0);
	n = unhex("4cfe4189655e5cd55c41f69080575d7999c25a5bfb", pkt, sizeof(pkt));
	tlsd_cur_init(&dg, pkt, n);
	ck_assert_int_eq(tlsd_quic_parse(&dg, 0, &h), TLSD_PARSE_OK);
	ck_assert_int_eq(h.type, TLSD_QUIC_PKT_SHORT);
	ck_assert_int_eq(tlsd_quic_open(qc, &k, &h, 654360563, &pl), TLSD_QUIC_OPEN_OK);
	ck_assert_uint_eq(pl.pn, 654360564);
	ck_assert_uint_eq(pl.len, 1);
	ck_assert_uint_eq(pl.payload[0], 0x01);
	tlsd_quic_crypto_free(qc);
}
END_TEST

START_TEST(tc_varint)
{
	/* RFC 9000 A.1 examples. */
	static const struct {
		const char *hex;
		uint64_t v;
	} cases[] = {
		{"c2197c5eff14e88c", 151288809941952652u}, {"9d7f3e7d", 494878333u},
		{"7bbd", 15293u}, {"25", 37u}, {"4025", 37u},
	};

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(cases); i++) {
		uint8_t b[8];
		size_t n = unhex(cases[i].hex, b, sizeof(b));
		struct tlsd_cur c;
		uint64_t v = 0;

		tlsd_cur_init(&c, b, n);
		ck_assert(tlsd_quic_get_varint(&c, &v));
		ck_assert_uint_eq(v, cases[i].v);
		ck_assert_uint_eq(tlsd_cur_len(&c), 0);
		/* Cut short: fails and moves nothing. */
		tlsd_cur_init(&c, b, n - 1);
		v = 0xdead;
		ck_assert(n == 1 || !tlsd_quic_get_varint(&c, &v));
		ck_assert(n == 1 || (v == 0xdead && tlsd_cur_len(&c) == n - 1));
	}
}
END_TEST

/* Version Negotiation, Retry and coalesced packets. */
START_TEST(tc_vn_retry)
{
	uint8_t vn[] = {0x80, 0, 0, 0, 0, 4, 1, 2, 3, 4, 2, 5, 6, 0xff, 0, 0, 0x1d, 0x0a, 0x1a, 0x2a, 0x3a};
	uint8_t retry[64] = {0xf0, 0, 0, 0, 1, 0, 4, 9, 9, 9, 9};
	struct tlsd_cur dg;
	struct tlsd_quic_hdr h;
	uint32_t v;

	tlsd_cur_init(&dg, vn, sizeof(vn));
	ck_assert_int_eq(tlsd_quic_parse(&dg, 0, &h), TLSD_PARSE_OK);
	ck_assert_int_eq(h.type, TLSD_QUIC_PKT_VN);
	ck_assert_uint_eq(h.dcid.len, 4);
	ck_assert_uint_eq(h.scid.len, 2);
	ck_assert_uint_eq(tlsd_cur_len(&h.versions), 8);
	ck_assert(tlsd_cur_get_u32(&h.versions, &v));
	ck_assert_uint_eq(v, TLSD_QUIC_DRAFT29);
	/* A VN whose version list is not a multiple of 4 bytes. */
	tlsd_cur_init(&dg, vn, sizeof(vn) - 1);
	ck_assert_int_eq(tlsd_quic_parse(&dg, 0, &h), TLSD_PARSE_MALFORMED);
	/* Retry: token then a 16-byte integrity tag. */
	tlsd_cur_init(&dg, retry, 11 + 20 + 16);
	ck_assert_int_eq(tlsd_quic_parse(&dg, 0, &h), TLSD_PARSE_OK);
	ck_assert_int_eq(h.type, TLSD_QUIC_PKT_RETRY);
	ck_assert_uint_eq(h.scid.len, 4);
	ck_assert_uint_eq(tlsd_cur_len(&h.token), 20);
	/* Version 2 numbers its types differently: type bits 00 are Retry... */
	retry[0] = 0xc0;
	retry[1] = 0x6b; retry[2] = 0x33; retry[3] = 0x43; retry[4] = 0xcf;
	tlsd_cur_init(&dg, retry, 11 + 20 + 16);
	ck_assert_int_eq(tlsd_quic_parse(&dg, 0, &h), TLSD_PARSE_OK);
	ck_assert_int_eq(h.type, TLSD_QUIC_PKT_RETRY);
	/* ... which in version 1 is an Initial (token length 0, length 32). */
	retry[1] = 0; retry[2] = 0; retry[3] = 0; retry[4] = 1;
	retry[11] = 0;
	retry[12] = 32;
	tlsd_cur_init(&dg, retry, 13 + 32 + 5);
	ck_assert_int_eq(tlsd_quic_parse(&dg, 0, &h), TLSD_PARSE_OK);
	ck_assert_int_eq(h.type, TLSD_QUIC_PKT_INITIAL);
	ck_assert_uint_eq(h.pn_off, 13);
	ck_assert_uint_eq(h.len, 45);
	ck_assert_uint_eq(tlsd_cur_len(&dg), 5); /* a coalesced packet follows */
}
END_TEST

START_TEST(tc_frames)
{
	/* ACK(ranges 1) PADDING PING CONNECTION_CLOSE(0x1c, 0x178 = alert 120,
	 * frame 0x06, "no alpn") HANDSHAKE_DONE */
	static const uint8_t p[] = {0x02, 0x05, 0x00, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01,
				    0x1c, 0x41, 0x78, 0x06, 0x07, 'n', 'o', ' ', 'a', 'l', 'p', 'n',
				    0x1e};
	struct seen seen = {0};
	struct tlsd_cur c;

	tlsd_cur_init(&c, p, sizeof(p));
	ck_assert_int_eq(tlsd_quic_frames(c, &frame_ev, &seen), TLSD_PARSE_OK);
	ck_assert_uint_eq(seen.closes, 1);
	ck_assert(!seen.close.app);
	ck_assert_uint_eq(seen.close.code, 0x178);
	ck_assert_uint_eq(seen.close.code - TLSD_QUIC_CRYPTO_ERROR_BASE, 120);
	ck_assert_uint_eq(seen.close.frame_type, 6);
	ck_assert_mem_eq(seen.reason, "no alpn", 7);
	ck_assert_uint_eq(seen.done, 1);
	ck_assert_uint_eq(seen.eliciting, 2); /* PING, HANDSHAKE_DONE */
	/* Each truncation: MALFORMED or OK on a prefix, never a crash. */
	for (size_t cut = 0; cut < sizeof(p); cut++) {
		struct seen s2 = {0};

		tlsd_cur_init(&c, p, cut);
		enum tlsd_parse r = tlsd_quic_frames(c, &frame_ev, &s2);

		ck_assert(r == TLSD_PARSE_OK || r == TLSD_PARSE_MALFORMED);
	}
	/* Unknown frame type. */
	{
		static const uint8_t bad[] = {0x01, 0x3f};

		tlsd_cur_init(&c, bad, sizeof(bad));
		ck_assert_int_eq(tlsd_quic_frames(c, &frame_ev, &seen), TLSD_PARSE_MALFORMED);
	}
	ck_assert_str_eq(tlsd_quic_error_name(0x0a), "PROTOCOL_VIOLATION");
	ck_assert_str_eq(tlsd_quic_error_name(0x178), "CRYPTO_ERROR");
	ck_assert_ptr_null(tlsd_quic_error_name(0x4000));
}
END_TEST

Suite *quic_suite(void);
Suite *quic_suite(void)
{
	Suite *s = suite_create("quic");
	TCase *tc = tcase_create("initial_keys");

	tcase_add_test(tc, tc_initial_keys);
	suite_add_tcase(s, tc);
	tc = tcase_create("server_initial");
	tcase_add_test(tc, tc_server_initial);
	suite_add_tcase(s, tc);
	tc = tcase_create("truncated");
	tcase_add_test(tc, tc_truncated);
	suite_add_tcase(s, tc);
	tc = tcase_create("chacha_short");
	tcase_add_test(tc, tc_chacha_short);
	suite_add_tcase(s, tc);
	tc = tcase_create("varint");
	tcase_add_test(tc, tc_varint);
	suite_add_tcase(s, tc);
	tc = tcase_create("vn_retry");
	tcase_add_test(tc, tc_vn_retry);
	suite_add_tcase(s, tc);
	tc = tcase_create("frames");
	tcase_add_test(tc, tc_frames);
	suite_add_tcase(s, tc);
	return s;
}
