/* Unit tests for the TLS record framer (tls_record.c). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/tls_handshake.h"
#include "tlsd/tls_record.h"
#include "tls_fixtures.h"

/* Everything the framer reported, as one comparable text log. */
struct log {
	char text[8192];
	size_t len;
	int messages, alerts, ccs, records, anomalies, lost;
	enum tlsd_framing why;
	uint64_t lost_off;
	uint8_t sample[TLSD_SAMPLE_LEN];
	size_t sample_len;
	struct tlsd_hs_msg last_msg;
	uint8_t last_body[1024];
	bool encrypt_on_ccs;
	struct tlsd_tls_dir *t;
	enum tlsd_anomaly last_anomaly;
};

__attribute__((format(printf, 2, 3))) static void log_add(struct log *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(l->text + l->len, sizeof(l->text) - l->len, fmt, ap);
	va_end(ap);
	ck_assert(n >= 0 && (size_t)n < sizeof(l->text) - l->len);
	l->len += (size_t)n;
}

static void on_record(void *ud, enum tlsd_dir d, const struct tlsd_record_info *ri)
{
	struct log *l = ud;

	l->records++;
	log_add(l, "R%u@%llu/%u%s ", ri->type, (unsigned long long)ri->off, ri->len,
	     ri->encrypted ? "e" : "");
}

static void on_hs(void *ud, enum tlsd_dir d, const struct tlsd_hs_msg *m)
{
	struct log *l = ud;

	l->messages++;
	l->last_msg = *m;
	memcpy(l->last_body, m->body, TLSD_MIN((size_t)m->len, sizeof(l->last_body)));
	log_add(l, "H%u@%llu/%u%s ", m->type, (unsigned long long)m->off, m->len, m->sslv2 ? "v2" : "");
}

static void on_alert(void *ud, enum tlsd_dir d, uint8_t level, uint8_t desc, uint64_t off,
		     tlsd_time_ns ts)
{
	struct log *l = ud;

	l->alerts++;
	log_add(l, "A%u.%u@%llu ", level, desc, (unsigned long long)off);
}

static void on_ccs(void *ud, enum tlsd_dir d, uint64_t off, tlsd_time_ns ts)
{
	struct log *l = ud;

	l->ccs++;
	log_add(l, "C@%llu ", (unsigned long long)off);
	if (l->encrypt_on_ccs)
		tlsd_tls_dir_set_encrypted(l->t, true);
}

static void on_anomaly(void *ud, enum tlsd_dir d, enum tlsd_anomaly a, uint64_t off,
		       const char *what)
{
	struct log *l = ud;

	l->anomalies++;
	l->last_anomaly = a;
	log_add(l, "X%d@%llu ", (int)a, (unsigned long long)off);
}

static void on_lost(void *ud, enum tlsd_dir d, enum tlsd_framing why, uint64_t off,
		    const uint8_t *sample, size_t sample_len)
{
	struct log *l = ud;

	l->lost++;
	l->why = why;
	l->lost_off = off;
	ck_assert_uint_le(sample_len, TLSD_SAMPLE_LEN);
	memcpy(l->sample, sample, sample_len);
	l->sample_len = sample_len;
	log_add(l, "L%d@%llu ", (int)why, (unsigned long long)off);
}

static const struct tlsd_tls_events events = {
	.record = on_record,
	.handshake = on_hs,
	.alert = on_alert,
	.ccs = on_ccs,
	.anomaly = on_anomaly,
	.framing_lost = on_lost,
};

/* Feeds `p` cut at the given offsets (ascending, may be empty), honouring
 * the skip counts like the reassembler would. Each chunk is an exact-size
 * heap copy so ASan catches reads past it. Returns the bytes skipped. */
static uint64_t feed_cuts(struct tlsd_tls_dir *t, struct log *l, const uint8_t *p, size_t n,
			  const size_t *cuts, size_t n_cuts)
{
	size_t pos = 0;
	uint64_t skipped = 0, skip = 0;

	for (size_t i = 0; i <= n_cuts; i++) {
		size_t end = i < n_cuts ? cuts[i] : n;

		if (skip) {
			uint64_t s = TLSD_MIN(skip, (uint64_t)(end - pos));

			pos += (size_t)s;
			skip -= s;
			skipped += s;
		}
		if (end <= pos)
			continue;
		uint8_t *chunk = malloc(end - pos);

		ck_assert_ptr_nonnull(chunk);
		memcpy(chunk, p + pos, end - pos);
		skip += tlsd_tls_dir_feed(t, TLSD_DIR_S2C, &events, l, chunk, end - pos, 1);
		free(chunk);
		pos = end;
	}
	ck_assert_uint_le(t->off, n + skip);
	return skipped + skip;
}

static void start(struct tlsd_tls_dir *t, struct log *l, size_t max_hs)
{
	memset(l, 0, sizeof(*l));
	l->t = t;
	tlsd_tls_dir_init(t, max_hs);
}

/* Appends a record header + body to a stream buffer. */
static size_t put_record(uint8_t *out, size_t at, uint8_t type, uint16_t version,
			 const uint8_t *body, size_t len)
{
	out[at] = type;
	out[at + 1] = (uint8_t)(version >> 8);
	out[at + 2] = (uint8_t)version;
	out[at + 3] = (uint8_t)(len >> 8);
	out[at + 4] = (uint8_t)len;
	if (len)
		memcpy(out + at + 5, body, len);
	return at + 5 + len;
}

/* A server flight: SH in its own record, then CCS, an alert, and an
 * application-data record. */
static size_t build_flight(uint8_t *s)
{
	size_t n, shn;
	uint8_t *sh = tlsd_fix_hex(TLSD_FIX_RFC8448_SH, &shn);
	static const uint8_t ccs[] = {1}, alert[] = {1, 0}, app[40] = {0};

	n = put_record(s, 0, TLSD_CT_HANDSHAKE, 0x0303, sh, shn);
	n = put_record(s, n, TLSD_CT_CHANGE_CIPHER_SPEC, 0x0303, ccs, sizeof(ccs));
	n = put_record(s, n, TLSD_CT_ALERT, 0x0303, alert, sizeof(alert));
	n = put_record(s, n, TLSD_CT_APPLICATION_DATA, 0x0303, app, sizeof(app));
	free(sh);
	return n;
}

START_TEST(tc_whole_flight)
{
	uint8_t s[512];
	size_t n = build_flight(s);
	struct tlsd_tls_dir t;
	struct log l;

	start(&t, &l, 1 << 16);
	ck_assert_uint_eq(feed_cuts(&t, &l, s, n, NULL, 0), 0);
	ck_assert_str_eq(l.text, "R22@0/90 H2@0/86 R20@95/1 C@95 R21@101/2 A1.0@101 R23@108/40e ");
	ck_assert_uint_eq(l.last_msg.records, 1);
	ck_assert_uint_eq(l.last_msg.chunks, 1);
	ck_assert_uint_eq(l.last_msg.record_version, 0x0303);
	ck_assert_uint_eq(t.records, 4);
	ck_assert_uint_eq(t.off, n);
	ck_assert_int_eq(t.framing, TLSD_FRAMING_OK);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

/* The same stream split at every byte boundary gives the same report. */
START_TEST(tc_split_every_boundary)
{
	uint8_t s[512];
	size_t n = build_flight(s);
	struct tlsd_tls_dir t;
	struct log whole, l;

	start(&t, &whole, 1 << 16);
	ck_assert_uint_eq(feed_cuts(&t, &whole, s, n, NULL, 0), 0);
	tlsd_tls_dir_cleanup(&t);
	for (size_t cut = 1; cut < n; cut++) {
		start(&t, &l, 1 << 16);
		(void)feed_cuts(&t, &l, s, n, &cut, 1);
		ck_assert_msg(strcmp(l.text, whole.text) == 0, "cut %zu: %s", cut, l.text);
		tlsd_tls_dir_cleanup(&t);
	}
	/* And byte by byte. */
	size_t cuts[512];

	for (size_t i = 0; i < n; i++)
		cuts[i] = i + 1;
	start(&t, &l, 1 << 16);
	(void)feed_cuts(&t, &l, s, n, cuts, n - 1);
	ck_assert_str_eq(l.text, whole.text);
	ck_assert_uint_eq(l.last_msg.chunks, 90); /* one per message byte */
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

/* Encrypted bodies are not buffered: the remainder is a skip count. */
START_TEST(tc_encrypted_skip)
{
	uint8_t s[512];
	size_t n = build_flight(s), cut = n - 30;
	struct tlsd_tls_dir t;
	struct log l;

	start(&t, &l, 1 << 16);
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &events, &l, s, cut, 1), 30);
	ck_assert_uint_eq(t.off, n);
	/* The next byte fed is a header again. */
	static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};

	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &events, &l, alert, sizeof(alert), 2),
			  0);
	ck_assert_int_eq(l.alerts, 2);
	ck_assert(strstr(l.text, "A2.40@") != NULL);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

/* set_encrypted from the CCS callback applies from the very next record,
 * within the same feed() call. */
START_TEST(tc_encrypted_after_ccs)
{
	uint8_t s[256], body[24] = {0};
	static const uint8_t ccs[] = {1};
	size_t n;
	struct tlsd_tls_dir t;
	struct log l;

	n = put_record(s, 0, TLSD_CT_CHANGE_CIPHER_SPEC, 0x0303, ccs, 1);
	body[0] = 20; /* would be a Finished header if parsed */
	n = put_record(s, n, TLSD_CT_HANDSHAKE, 0x0303, body, sizeof(body));
	n = put_record(s, n, TLSD_CT_ALERT, 0x0303, body, 18);
	start(&t, &l, 1 << 16);
	/* The first record must be handshake or alert: start with a CH. */
	static const uint8_t hd[] = {0x16, 0x03, 0x01, 0x00, 0x04, 0x0e, 0x00, 0x00, 0x00};

	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &events, &l, hd, sizeof(hd), 1), 0);
	l.encrypt_on_ccs = true;
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &events, &l, s, n - 10, 1), 10);
	ck_assert_str_eq(l.text, "R22@0/4 H14@0/0 R20@9/1 C@9 R22@15/24e R21@44/18e ");
	ck_assert_int_eq(l.messages, 1);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

/* An alert split 1+1 across two records, then a whole one. */
START_TEST(tc_alert_split)
{
	uint8_t s[64];
	static const uint8_t a1[] = {2}, a2[] = {40}, a3[] = {1, 0};
	size_t n;
	struct tlsd_tls_dir t;
	struct log l;

	n = put_record(s, 0, TLSD_CT_ALERT, 0x0303, a1, 1);
	n = put_record(s, n, TLSD_CT_ALERT, 0x0303, a2, 1);
	n = put_record(s, n, TLSD_CT_ALERT, 0x0303, a3, 2);
	start(&t, &l, 1 << 16);
	ck_assert_uint_eq(feed_cuts(&t, &l, s, n, NULL, 0), 0);
	ck_assert_str_eq(l.text, "R21@0/1 R21@6/1 A2.40@0 R21@12/2 A1.0@12 ");
	ck_assert_int_eq(l.anomalies, 0);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

/* A ClientHello over three records, delivered in five chunks. */
START_TEST(tc_message_over_three_records)
{
	size_t chn, n = 0;
	uint8_t *ch = tlsd_fix_hex(TLSD_FIX_RFC8448_CH, &chn), s[512];
	struct tlsd_tls_dir t;
	struct log l;
	struct tlsd_client_hello hello;
	size_t cuts[] = {3, 60, 100, 150};

	n = put_record(s, n, TLSD_CT_HANDSHAKE, 0x0301, ch, 50);
	n = put_record(s, n, TLSD_CT_HANDSHAKE, 0x0301, ch + 50, 100);
	n = put_record(s, n, TLSD_CT_HANDSHAKE, 0x0301, ch + 150, chn - 150);
	start(&t, &l, 1 << 16);
	ck_assert_uint_eq(feed_cuts(&t, &l, s, n, cuts, TLSD_ARRAY_SIZE(cuts)), 0);
	ck_assert_int_eq(l.messages, 1);
	ck_assert_uint_eq(l.last_msg.type, 1);
	ck_assert_uint_eq(l.last_msg.len, chn - 4);
	ck_assert_uint_eq(l.last_msg.off, 0);
	ck_assert_uint_eq(l.last_msg.records, 3);
	ck_assert_uint_eq(l.last_msg.chunks, 4); /* the first chunk holds only a header */
	ck_assert_uint_eq(l.last_msg.record_version, 0x0301);
	ck_assert_int_eq(tlsd_parse_client_hello(l.last_body, l.last_msg.len, &hello, NULL),
			 TLSD_PARSE_OK);
	ck_assert_str_eq((const char *)hello.sni, "server");
	ck_assert_uint_eq(t.hs.len, 0);
	free(ch);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

/* Several handshake messages coalesced in one record, the last one cut by
 * the record end and finished in the next record. */
START_TEST(tc_coalesced_messages)
{
	static const uint8_t b1[] = {0x0e, 0, 0, 0, 0x0e, 0, 0, 0, 0x04, 0, 0, 6, 1, 2};
	static const uint8_t b2[] = {3, 4, 5, 6, 0x0e, 0, 0, 0};
	uint8_t s[64];
	size_t n;
	struct tlsd_tls_dir t;
	struct log l;

	n = put_record(s, 0, TLSD_CT_HANDSHAKE, 0x0303, b1, sizeof(b1));
	n = put_record(s, n, TLSD_CT_HANDSHAKE, 0x0303, b2, sizeof(b2));
	start(&t, &l, 1 << 16);
	ck_assert_uint_eq(feed_cuts(&t, &l, s, n, NULL, 0), 0);
	ck_assert_str_eq(l.text, "R22@0/14 H14@0/0 H14@0/0 R22@19/8 H4@0/6 H14@19/0 ");
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

START_TEST(tc_two_records_one_delivery)
{
	static const uint8_t s[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x0e, 0x00, 0x00, 0x00,
				    0x16, 0x03, 0x03, 0x00, 0x04, 0x0e, 0x00, 0x00, 0x00};
	struct tlsd_tls_dir t;
	struct log l;

	start(&t, &l, 1 << 16);
	ck_assert_uint_eq(feed_cuts(&t, &l, s, sizeof(s), NULL, 0), 0);
	ck_assert_str_eq(l.text, "R22@0/4 H14@0/0 R22@9/4 H14@9/0 ");
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

START_TEST(tc_sslv2_hello)
{
	static const uint8_t s[] = {
		0x80, 0x22, 0x01, 0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10,
		0x01, 0x00, 0x80, 0x00, 0x00, 0x35, 0x00, 0x00, 0x2f,
		0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
		0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
		/* then a TLS alert record */
		0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46,
	};
	struct tlsd_tls_dir t;
	struct log l;
	struct tlsd_client_hello ch;

	ck_assert_int_eq(tlsd_tls_looks_like_record(s, sizeof(s)), TLSD_PARSE_OK);
	for (size_t cut = 1; cut < sizeof(s); cut++) {
		start(&t, &l, 1 << 16);
		(void)feed_cuts(&t, &l, s, sizeof(s), &cut, 1);
		ck_assert_str_eq(l.text, "R22@0/34 H1@0/34v2 R21@36/2 A2.70@36 ");
		ck_assert(l.last_msg.sslv2);
		ck_assert_int_eq(tlsd_parse_sslv2_client_hello(l.last_body, l.last_msg.len, &ch, NULL),
				 TLSD_PARSE_OK);
		ck_assert_uint_eq(ch.n_suites, 2);
		tlsd_tls_dir_cleanup(&t);
	}
}
END_TEST

/* A record declaring 2^14 + 2049 bytes: framing is lost (desync). */
START_TEST(tc_record_too_long)
{
	uint8_t s[64];
	static const uint8_t shd[] = {0x0e, 0, 0, 0};
	size_t n = put_record(s, 0, TLSD_CT_HANDSHAKE, 0x0303, shd, 4);
	struct tlsd_tls_dir t;
	struct log l;

	s[n++] = 0x17;
	s[n++] = 0x03;
	s[n++] = 0x03;
	s[n++] = (uint8_t)((TLSD_RECORD_MAX_LEN + 1) >> 8);
	s[n++] = (uint8_t)(TLSD_RECORD_MAX_LEN + 1);
	s[n++] = 0xaa;
	start(&t, &l, 1 << 16);
	ck_assert_uint_eq(feed_cuts(&t, &l, s, n, NULL, 0), 0);
	ck_assert_int_eq(l.lost, 1);
	ck_assert_int_eq(l.why, TLSD_FRAMING_DESYNC);
	ck_assert_uint_eq(l.lost_off, 9);
	ck_assert_uint_eq(l.sample_len, 6);
	ck_assert_uint_eq(l.sample[0], 0x17);
	ck_assert_uint_eq(l.sample[5], 0xaa);
	/* Nothing more is reported afterwards. */
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &events, &l, s, n, 1), 0);
	ck_assert_int_eq(l.lost, 1);
	ck_assert_int_eq(l.records, 1);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

START_TEST(tc_bad_type_and_version)
{
	static const uint8_t shd[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x0e, 0x00, 0x00, 0x00};
	static const uint8_t bad_type[] = {0x19, 0x03, 0x03, 0x00, 0x01, 0x00};
	static const uint8_t bad_ver[] = {0x17, 0x04, 0x03, 0x00, 0x01, 0x00};
	struct tlsd_tls_dir t;
	struct log l;

	start(&t, &l, 1 << 16);
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &events, &l, shd, sizeof(shd), 1), 0);
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &events, &l, bad_type, 1, 1), 0);
	ck_assert_int_eq(l.why, TLSD_FRAMING_DESYNC);
	tlsd_tls_dir_cleanup(&t);
	start(&t, &l, 1 << 16);
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &events, &l, shd, sizeof(shd), 1), 0);
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &events, &l, bad_ver, 3, 1), 0);
	ck_assert_int_eq(l.why, TLSD_FRAMING_DESYNC);
	ck_assert_uint_eq(l.lost_off, 9);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

/* Plain text where TLS was expected: NOT_TLS with the bytes as evidence. */
static const char *const not_tls[] = {
	"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\n\r\n",
	"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
	"220 smtp.example.com ESMTP Postfix\r\n",
	"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
};

START_TEST(tc_not_tls)
{
	const char *txt = not_tls[_i];
	size_t n = strlen(txt);
	struct tlsd_tls_dir t;
	struct log l;

	ck_assert_int_eq(tlsd_tls_looks_like_record((const uint8_t *)txt, n), TLSD_PARSE_MALFORMED);
	start(&t, &l, 1 << 16);
	ck_assert_uint_eq(feed_cuts(&t, &l, (const uint8_t *)txt, n, NULL, 0), 0);
	ck_assert_int_eq(l.lost, 1);
	ck_assert_int_eq(l.why, TLSD_FRAMING_NOT_TLS);
	ck_assert_uint_eq(l.lost_off, 0);
	ck_assert_uint_eq(l.sample_len, TLSD_MIN(n, (size_t)TLSD_SAMPLE_LEN));
	ck_assert_mem_eq(l.sample, txt, l.sample_len);
	ck_assert_int_eq(l.records, 0);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

START_TEST(tc_looks_like_record)
{
	static const uint8_t hs[] = {0x16, 0x03, 0x01, 0x02, 0x00};
	static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02};
	static const uint8_t app[] = {0x17, 0x03, 0x03, 0x00, 0x20};
	static const uint8_t huge[] = {0x16, 0x03, 0x01, 0x48, 0x01};

	ck_assert_int_eq(tlsd_tls_looks_like_record(hs, 0), TLSD_PARSE_NEED_MORE);
	ck_assert_int_eq(tlsd_tls_looks_like_record(hs, 3), TLSD_PARSE_NEED_MORE);
	ck_assert_int_eq(tlsd_tls_looks_like_record(hs, 5), TLSD_PARSE_OK);
	ck_assert_int_eq(tlsd_tls_looks_like_record(alert, 5), TLSD_PARSE_OK);
	ck_assert_int_eq(tlsd_tls_looks_like_record(app, 5), TLSD_PARSE_MALFORMED);
	ck_assert_int_eq(tlsd_tls_looks_like_record(huge, 5), TLSD_PARSE_MALFORMED);
}
END_TEST

/* A handshake message above the cap: OVERFLOW + capture-cap anomaly. */
START_TEST(tc_handshake_cap)
{
	size_t chn, n;
	uint8_t *ch = tlsd_fix_hex(TLSD_FIX_RFC8448_CH, &chn), s[512];
	struct tlsd_tls_dir t;
	struct log l;

	n = put_record(s, 0, TLSD_CT_HANDSHAKE, 0x0301, ch, chn);
	start(&t, &l, 100);
	(void)feed_cuts(&t, &l, s, n, NULL, 0);
	ck_assert_int_eq(l.lost, 1);
	ck_assert_int_eq(l.why, TLSD_FRAMING_OVERFLOW);
	ck_assert_int_eq(l.last_anomaly, TLSD_ANOM_CAPTURE_CAP_HANDSHAKE);
	ck_assert_int_eq(l.messages, 0);
	free(ch);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

START_TEST(tc_empty_records_anomaly)
{
	static const uint8_t s[] = {0x16, 0x03, 0x03, 0x00, 0x00, 0x15, 0x03, 0x03, 0x00, 0x00};
	struct tlsd_tls_dir t;
	struct log l;

	start(&t, &l, 1 << 16);
	ck_assert_uint_eq(feed_cuts(&t, &l, s, sizeof(s), NULL, 0), 0);
	ck_assert_int_eq(l.anomalies, 2);
	ck_assert_int_eq(l.lost, 0);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

/* Gaps: inside a skipped body framing goes on; elsewhere it is lost. */
START_TEST(tc_gap)
{
	static const uint8_t shd[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x0e, 0x00, 0x00, 0x00};
	struct tlsd_tls_dir t;
	struct log l;

	start(&t, &l, 1 << 16);
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &events, &l, shd, sizeof(shd), 1), 0);
	t.in_body = true; /* as if the caller fed a skipped body without skipping */
	t.skip_body = true;
	t.body_left = 100;
	tlsd_tls_dir_gap(&t, TLSD_DIR_S2C, &events, &l, 60);
	ck_assert_int_eq(t.framing, TLSD_FRAMING_OK);
	ck_assert_uint_eq(t.body_left, 40);
	tlsd_tls_dir_gap(&t, TLSD_DIR_S2C, &events, &l, 41);
	ck_assert_int_eq(l.why, TLSD_FRAMING_GAP);
	ck_assert_uint_eq(l.lost_off, 9 + 60);
	tlsd_tls_dir_cleanup(&t);

	start(&t, &l, 1 << 16);
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &events, &l, shd, 7, 1), 0);
	tlsd_tls_dir_gap(&t, TLSD_DIR_S2C, &events, &l, 1);
	ck_assert_int_eq(l.why, TLSD_FRAMING_GAP);
	ck_assert_uint_eq(l.lost_off, 7);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

/* TLS 1.3 middlebox-compatibility CCS and a plaintext alert still parse
 * after set_encrypted(true). */
START_TEST(tc_plaintext_after_encrypted)
{
	static const uint8_t s[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01,
				    0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x30};
	static const uint8_t shd[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x0e, 0x00, 0x00, 0x00};
	struct tlsd_tls_dir t;
	struct log l;

	start(&t, &l, 1 << 16);
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &events, &l, shd, sizeof(shd), 1), 0);
	tlsd_tls_dir_set_encrypted(&t, true);
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &events, &l, s, sizeof(s), 1), 0);
	ck_assert_int_eq(l.ccs, 1);
	ck_assert_int_eq(l.alerts, 1);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

Suite *tls_record_suite(void);
Suite *tls_record_suite(void)
{
	Suite *s = suite_create("tls_record");
	TCase *tc;

	tc = tcase_create("framing");
	tcase_add_test(tc, tc_whole_flight);
	tcase_add_test(tc, tc_split_every_boundary);
	tcase_add_test(tc, tc_two_records_one_delivery);
	tcase_add_test(tc, tc_alert_split);
	tcase_add_test(tc, tc_message_over_three_records);
	tcase_add_test(tc, tc_coalesced_messages);
	tcase_add_test(tc, tc_sslv2_hello);
	tcase_add_test(tc, tc_empty_records_anomaly);
	suite_add_tcase(s, tc);

	tc = tcase_create("encrypted");
	tcase_add_test(tc, tc_encrypted_skip);
	tcase_add_test(tc, tc_encrypted_after_ccs);
	tcase_add_test(tc, tc_plaintext_after_encrypted);
	tcase_add_test(tc, tc_gap);
	suite_add_tcase(s, tc);

	tc = tcase_create("lost");
	tcase_add_test(tc, tc_record_too_long);
	tcase_add_test(tc, tc_bad_type_and_version);
	tcase_add_loop_test(tc, tc_not_tls, 0, (int)TLSD_ARRAY_SIZE(not_tls));
	tcase_add_test(tc, tc_looks_like_record);
	tcase_add_test(tc, tc_handshake_cap);
	suite_add_tcase(s, tc);
	return s;
}
