/* Unit tests for the TLS record framer (tls_record.c). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/tls_handshake.h"
#include "tlsd/tls_record.h"
#include "tls_fixtures.h"
#include "tlsd/tls_decrypt.h"

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
	log_add(l, "H%u@%llu/%u%s%s ", m->type, (unsigned long long)m->off, m->len,
		m->sslv2 ? "v2" : "", m->decrypted ? "d" : "");
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

/* A handshake message above the cap: reported by its header only
 * (oversized, declared length), its bytes skipped, the capture-cap anomaly
 * counted, and the records after it still framed, however the stream was
 * cut into pieces. */
START_TEST(tc_handshake_cap)
{
	static const uint8_t alert[] = {2, 40};
	size_t chn, n;
	uint8_t *ch = tlsd_fix_hex(TLSD_FIX_RFC8448_CH, &chn), s[1024];
	struct tlsd_tls_dir t;
	struct log l;
	size_t cuts[] = {1, 3, 7, 100, 0};

	/* The message split over two records, then an alert. */
	n = put_record(s, 0, TLSD_CT_HANDSHAKE, 0x0301, ch, 60);
	n = put_record(s, n, TLSD_CT_HANDSHAKE, 0x0301, ch + 60, chn - 60);
	n = put_record(s, n, TLSD_CT_ALERT, 0x0303, alert, sizeof(alert));
	for (size_t k = 0; k < TLSD_ARRAY_SIZE(cuts); k++) {
		start(&t, &l, 100);
		(void)feed_cuts(&t, &l, s, n, cuts[k] ? &cuts[k] : NULL, cuts[k] ? 1 : 0);
		ck_assert_int_eq(l.lost, 0);
		ck_assert_int_eq(l.last_anomaly, TLSD_ANOM_CAPTURE_CAP_HANDSHAKE);
		ck_assert_int_eq(l.messages, 1);
		ck_assert(l.last_msg.oversized);
		ck_assert_uint_eq(l.last_msg.len, 0);
		ck_assert_uint_eq(l.last_msg.declared_len, chn - 4);
		ck_assert_uint_eq(l.last_msg.type, TLSD_HS_CLIENT_HELLO);
		ck_assert_int_eq(l.alerts, 1);
		tlsd_tls_dir_cleanup(&t);
	}
	free(ch);
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


/* ---- decryption hooks (want_body / encrypted_body / feed_inner) ---- */

/* What the hooks saw; embeds the plain log so on_* callbacks still work. */
struct hook_log {
	struct log l;              /* first: the callbacks cast ud to struct log */
	bool want;                 /* want_body's answer */
	int bodies, lost_bodies, in_place, alerts_dec;
	uint8_t body[2][TLSD_RECORD_MAX_LEN];
	size_t body_len[2];
	struct tlsd_decrypt *dc;   /* when set: decrypt and feed back */
	const struct tlsd_tls_events *ev;
	int dec_ok, dec_bad;
};

static bool on_want(void *ud, enum tlsd_dir d, const struct tlsd_record_info *ri)
{
	struct hook_log *h = ud;

	ck_assert(ri->encrypted);
	log_add(&h->l, "W%u ", ri->type);
	return h->want;
}

static void on_body(void *ud, enum tlsd_dir d, const struct tlsd_record_info *ri,
		    const uint8_t *body, size_t len)
{
	struct hook_log *h = ud;

	log_add(&h->l, "B%u@%llu/%zu%s ", ri->type, (unsigned long long)ri->off, len,
		body ? "" : "lost");
	if (!body) {
		ck_assert_uint_eq(len, 0);
		h->lost_bodies++;
		if (h->dc)
			tlsd_decrypt_skip(h->dc);
		return;
	}
	ck_assert_uint_eq(len, ri->len);
	if (body != h->l.t->rec.data)
		h->in_place++;
	if (h->bodies < 2) {
		memcpy(h->body[h->bodies], body, len);
		h->body_len[h->bodies] = len;
	}
	h->bodies++;
	if (h->dc) {
		struct tlsd_plaintext pt;

		if (tlsd_decrypt_record(h->dc, ri->type, ri->version, body, len, &pt) !=
		    TLSD_DECRYPT_OK) {
			h->dec_bad++;
			return;
		}
		h->dec_ok++;
		tlsd_tls_dir_feed_inner(h->l.t, d, h->ev, ud, pt.type, pt.p, pt.len, ri);
	}
}

static void on_alert_dec(void *ud, enum tlsd_dir d, uint8_t level, uint8_t desc, uint64_t off,
			 tlsd_time_ns ts)
{
	struct hook_log *h = ud;

	h->alerts_dec++;
	log_add(&h->l, "a%u.%u@%llu ", level, desc, (unsigned long long)off);
}

static const struct tlsd_tls_events hook_events = {
	.record = on_record,
	.handshake = on_hs,
	.alert = on_alert,
	.ccs = on_ccs,
	.anomaly = on_anomaly,
	.framing_lost = on_lost,
	.want_body = on_want,
	.encrypted_body = on_body,
	.alert_decrypted = on_alert_dec,
};

static void hook_start(struct tlsd_tls_dir *t, struct hook_log *h, size_t max_hs, bool want)
{
	memset(h, 0, sizeof(*h));
	h->l.t = t;
	h->want = want;
	h->ev = &hook_events;
	tlsd_tls_dir_init(t, max_hs);
}

/* feed_cuts with the hook events. */
static uint64_t hook_feed_cuts(struct tlsd_tls_dir *t, struct hook_log *h, const uint8_t *p,
			       size_t n, const size_t *cuts, size_t n_cuts)
{
	size_t pos = 0;
	uint64_t skipped = 0;

	for (size_t i = 0; i <= n_cuts; i++) {
		size_t end = i < n_cuts ? cuts[i] : n;

		if (end <= pos)
			continue;
		uint8_t *chunk = malloc(end - pos);

		ck_assert_ptr_nonnull(chunk);
		memcpy(chunk, p + pos, end - pos);
		uint64_t skip = tlsd_tls_dir_feed(t, TLSD_DIR_S2C, &hook_events, h, chunk, end - pos, 1);

		free(chunk);
		pos = end;
		ck_assert_uint_le(skip, n - pos);
		pos += (size_t)skip;
		skipped += skip;
	}
	return skipped;
}

/* A handshake record, then two application-data records of 40 and 7 bytes. */
static size_t build_protected(uint8_t *s)
{
	static const uint8_t shd[] = {0x0e, 0, 0, 0};
	uint8_t a[40], b[7];
	size_t n;

	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(0xa0 + i);
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(0xb0 + i);
	n = put_record(s, 0, TLSD_CT_HANDSHAKE, 0x0303, shd, sizeof(shd));
	n = put_record(s, n, TLSD_CT_APPLICATION_DATA, 0x0303, a, sizeof(a));
	return put_record(s, n, TLSD_CT_APPLICATION_DATA, 0x0303, b, sizeof(b));
}

/* Bodies are handed over whole and only once, at every split point; never
 * a skip count; in place when a chunk holds the whole body. */
START_TEST(tc_hook_collect_every_boundary)
{
	uint8_t s[128];
	size_t n = build_protected(s);
	struct tlsd_tls_dir t;
	static struct hook_log whole, h;
	static const char want[] = "R22@0/4 H14@0/0 R23@9/40e W23 B23@9/40 R23@54/7e W23 B23@54/7 ";

	hook_start(&t, &whole, 1 << 16, true);
	ck_assert_uint_eq(hook_feed_cuts(&t, &whole, s, n, NULL, 0), 0);
	ck_assert_str_eq(whole.l.text, want);
	ck_assert_int_eq(whole.in_place, 2);
	ck_assert_uint_eq(whole.body_len[0], 40);
	ck_assert_uint_eq(whole.body[0][39], 0xa0 + 39);
	ck_assert_uint_eq(whole.body[1][0], 0xb0);
	tlsd_tls_dir_cleanup(&t);
	for (size_t cut = 1; cut < n; cut++) {
		size_t cuts[2] = {cut, cut + 1 < n ? cut + 1 : cut};

		hook_start(&t, &h, 1 << 16, true);
		ck_assert_uint_eq(hook_feed_cuts(&t, &h, s, n, cuts, 2), 0);
		ck_assert_msg(strcmp(h.l.text, want) == 0, "cut %zu: %s", cut, h.l.text);
		ck_assert_int_eq(h.bodies, 2);
		ck_assert_mem_eq(h.body[0], whole.body[0], 40);
		ck_assert_mem_eq(h.body[1], whole.body[1], 7);
		ck_assert_uint_eq(t.off, n);
		tlsd_tls_dir_cleanup(&t);
	}
}
END_TEST

/* want_body() false, or no hooks: bodies are skipped as before. */
START_TEST(tc_hook_declined)
{
	uint8_t s[128];
	struct tlsd_tls_dir t;
	static struct hook_log h;

	ck_assert_uint_eq(build_protected(s), 66);
	hook_start(&t, &h, 1 << 16, false);
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &hook_events, &h, s, 20, 1), 34);
	ck_assert_str_eq(h.l.text, "R22@0/4 H14@0/0 R23@9/40e W23 ");
	ck_assert_int_eq(h.bodies, 0);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

/* A gap inside a collected body: the record is reported lost, once, and
 * framing goes on; a 0-length protected record is handed over empty. */
START_TEST(tc_hook_gap_and_empty)
{
	uint8_t s[128];
	size_t n = build_protected(s);
	struct tlsd_tls_dir t;
	static struct hook_log h;

	hook_start(&t, &h, 1 << 16, true);
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &hook_events, &h, s, 20, 1), 0);
	tlsd_tls_dir_gap(&t, TLSD_DIR_S2C, &hook_events, &h, 10);
	ck_assert_int_eq(h.lost_bodies, 0);
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &hook_events, &h, s + 30, n - 30, 1), 0);
	ck_assert_str_eq(h.l.text, "R22@0/4 H14@0/0 R23@9/40e W23 B23@9/0lost R23@54/7e W23 B23@54/7 ");
	ck_assert_int_eq(h.lost_bodies, 1);
	ck_assert_int_eq(t.framing, TLSD_FRAMING_OK);
	/* A gap ending exactly at the body's end. */
	static const uint8_t app[] = {0x17, 0x03, 0x03, 0x00, 0x08, 1, 2, 3};

	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &hook_events, &h, app, sizeof(app), 1),
			  0);
	tlsd_tls_dir_gap(&t, TLSD_DIR_S2C, &hook_events, &h, 5);
	ck_assert_int_eq(h.lost_bodies, 2);
	static const uint8_t empty[] = {0x17, 0x03, 0x03, 0x00, 0x00};

	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &hook_events, &h, empty,
					    sizeof(empty), 1), 0);
	ck_assert(strstr(h.l.text, "W23 B23@79/0 ") != NULL);
	ck_assert_int_eq(h.lost_bodies, 2);
	/* A gap beyond the body still loses framing. */
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &hook_events, &h, app, 6, 1), 0);
	tlsd_tls_dir_gap(&t, TLSD_DIR_S2C, &hook_events, &h, 10);
	ck_assert_int_eq(t.framing, TLSD_FRAMING_GAP);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

static struct tlsd_record_info inner_ri(uint64_t off)
{
	return (struct tlsd_record_info){.off = off, .ts = 7, .type = TLSD_CT_APPLICATION_DATA,
					 .version = 0x0303, .len = 100, .encrypted = true};
}

/* Decrypted handshake bytes: a message over three records, coalesced ones,
 * then alerts; plaintext state untouched. */
START_TEST(tc_feed_inner)
{
	static const uint8_t r1[] = {0x08, 0x00, 0x00, 0x06, 1, 2};
	static const uint8_t r2[] = {3, 4};
	static const uint8_t r3[] = {5, 6, 0x14, 0x00, 0x00, 0x01, 0xff, 0x0b, 0x00};
	static const uint8_t r4[] = {0x00, 0x00};
	static const uint8_t alert[] = {2, 116}, half1[] = {2}, half2[] = {40};
	struct tlsd_tls_dir t;
	static struct hook_log h;
	struct tlsd_record_info ri;

	hook_start(&t, &h, 1 << 16, true);
	ri = inner_ri(100);
	tlsd_tls_dir_feed_inner(&t, TLSD_DIR_S2C, &hook_events, &h, TLSD_CT_HANDSHAKE, r1,
				sizeof(r1), &ri);
	ri = inner_ri(200);
	tlsd_tls_dir_feed_inner(&t, TLSD_DIR_S2C, &hook_events, &h, TLSD_CT_HANDSHAKE, r2,
				sizeof(r2), &ri);
	ri = inner_ri(300);
	tlsd_tls_dir_feed_inner(&t, TLSD_DIR_S2C, &hook_events, &h, TLSD_CT_HANDSHAKE, r3,
				sizeof(r3), &ri);
	ck_assert_str_eq(h.l.text, "H8@100/6d H20@300/1d ");
	ck_assert_uint_eq(h.l.last_msg.records, 1);
	ck_assert_uint_eq(t.inner_hs.len, 2); /* the start of a Certificate */
	ri = inner_ri(400);
	tlsd_tls_dir_feed_inner(&t, TLSD_DIR_S2C, &hook_events, &h, TLSD_CT_HANDSHAKE, r4,
				sizeof(r4), &ri);
	ck_assert_str_eq(h.l.text, "H8@100/6d H20@300/1d H11@300/0d ");
	ck_assert_uint_eq(h.l.last_msg.records, 2);
	ck_assert_uint_eq(h.l.last_msg.chunks, 2);
	ck_assert(h.l.last_msg.decrypted);
	ck_assert_uint_eq(h.l.last_msg.ts, 7);
	/* An alert in one record, one split over two; never alert(). */
	ri = inner_ri(500);
	tlsd_tls_dir_feed_inner(&t, TLSD_DIR_S2C, &hook_events, &h, TLSD_CT_ALERT, alert,
				sizeof(alert), &ri);
	ri = inner_ri(600);
	tlsd_tls_dir_feed_inner(&t, TLSD_DIR_S2C, &hook_events, &h, TLSD_CT_ALERT, half1, 1, &ri);
	ri = inner_ri(700);
	tlsd_tls_dir_feed_inner(&t, TLSD_DIR_S2C, &hook_events, &h, TLSD_CT_ALERT, half2, 1, &ri);
	ck_assert_int_eq(h.alerts_dec, 2);
	ck_assert_int_eq(h.l.alerts, 0);
	ck_assert(strstr(h.l.text, "a2.116@500 a2.40@600 ") != NULL);
	ck_assert_int_eq(h.l.anomalies, 0);
	/* Application data is ignored; an unknown inner type is a finding. */
	ri = inner_ri(800);
	tlsd_tls_dir_feed_inner(&t, TLSD_DIR_S2C, &hook_events, &h, TLSD_CT_APPLICATION_DATA, r1,
				sizeof(r1), &ri);
	ck_assert_int_eq(h.l.anomalies, 0);
	tlsd_tls_dir_feed_inner(&t, TLSD_DIR_S2C, &hook_events, &h, 99, r1, sizeof(r1), &ri);
	ck_assert_int_eq(h.l.anomalies, 1);
	/* A fragment cut by an alert. */
	tlsd_tls_dir_feed_inner(&t, TLSD_DIR_S2C, &hook_events, &h, TLSD_CT_HANDSHAKE, r1, 3, &ri);
	tlsd_tls_dir_feed_inner(&t, TLSD_DIR_S2C, &hook_events, &h, TLSD_CT_ALERT, alert,
				sizeof(alert), &ri);
	ck_assert_int_eq(h.l.anomalies, 2);
	ck_assert_int_eq(h.l.last_anomaly, TLSD_ANOM_TLS_BAD_RECORD);
	/* The plaintext side saw nothing of it. */
	ck_assert_uint_eq(t.hs.len, 0);
	ck_assert_uint_eq(t.records, 0);
	ck_assert_int_eq(t.framing, TLSD_FRAMING_OK);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

/* A decrypted message over the cap: a cap anomaly, later decrypted
 * handshake bytes are ignored, plaintext framing goes on. */
START_TEST(tc_feed_inner_cap)
{
	static const uint8_t big[] = {0x0b, 0x01, 0x00, 0x00, 1, 2, 3};
	static const uint8_t fin[] = {0x14, 0x00, 0x00, 0x00};
	static const uint8_t shd[] = {0x16, 0x03, 0x03, 0x00, 0x04, 0x0e, 0x00, 0x00, 0x00};
	struct tlsd_tls_dir t;
	static struct hook_log h;
	struct tlsd_record_info ri = inner_ri(0);

	hook_start(&t, &h, 1000, true);
	tlsd_tls_dir_feed_inner(&t, TLSD_DIR_S2C, &hook_events, &h, TLSD_CT_HANDSHAKE, big,
				sizeof(big), &ri);
	ck_assert_int_eq(h.l.last_anomaly, TLSD_ANOM_CAPTURE_CAP_HANDSHAKE);
	ck_assert(t.inner_lost);
	tlsd_tls_dir_feed_inner(&t, TLSD_DIR_S2C, &hook_events, &h, TLSD_CT_HANDSHAKE, fin,
				sizeof(fin), &ri);
	ck_assert_int_eq(h.l.messages, 0);
	ck_assert_int_eq(t.framing, TLSD_FRAMING_OK);
	ck_assert_uint_eq(tlsd_tls_dir_feed(&t, TLSD_DIR_S2C, &hook_events, &h, shd, sizeof(shd), 1),
			  0);
	ck_assert_int_eq(h.l.messages, 1);
	tlsd_tls_dir_cleanup(&t);
}
END_TEST

/* End to end with real keys: RFC 8448 section 3, the server's ServerHello
 * in clear, then its protected flight, split at every byte: the hooks
 * decrypt it and four handshake messages come out, marked decrypted. */
#define RFC8448_SHTS "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"

START_TEST(tc_hook_rfc8448_flight)
{
	static const char flight_hex[] =
		"17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40a"
		"a2b8ea73f848a7ca07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f5261"
		"34aadc7fc78c4b729df828b5ecf7b13bd9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183e"
		"f3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2e"
		"d65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd610928d809810e4b7ed1a"
		"8fd991f06aa6248204797e36a6a73b70a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a8"
		"9441ac66272fd8fb330ef8190579b3684596c960bd596eea520a56a8d650f563aad27409960dca63"
		"d3e688611ea5e22f4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26"
		"f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b65962224531 7b49eeda0c6258f1"
		"00d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f252107f24"
		"3d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7c"
		"ca71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe"
		"5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8af"
		"e67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614"
		"636c0b9b68c19ed2e31c0b3b66763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f"
		"60f0504de93b5b845e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5"
		"d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e750edc53370d2b";
	char clean[sizeof(flight_hex)];
	size_t k = 0, fn, shn, sn, n;
	static uint8_t s[1024];
	uint8_t *flight, *sh, *secret;
	struct tlsd_tls_dir t;
	static struct hook_log h;

	for (const char *c = flight_hex; *c; c++)
		if (*c != ' ')
			clean[k++] = *c;
	clean[k] = '\0';
	flight = tlsd_fix_hex(clean, &fn);
	sh = tlsd_fix_hex(TLSD_FIX_RFC8448_SH, &shn);
	secret = tlsd_fix_hex(RFC8448_SHTS, &sn);
	ck_assert_uint_eq(fn, 679);
	n = put_record(s, 0, TLSD_CT_HANDSHAKE, 0x0303, sh, shn);
	memcpy(s + n, flight, fn);
	n += fn;
	for (size_t cut = 0; cut < n; cut += 37) {
		size_t cuts[3] = {cut, cut + 200 < n ? cut + 200 : n, cut + 201 < n ? cut + 201 : n};

		hook_start(&t, &h, 1 << 16, true);
		h.dc = tlsd_decrypt_new();
		ck_assert_ptr_nonnull(h.dc);
		ck_assert_int_eq(tlsd_decrypt_set_tls13(h.dc, 0x1301, secret, sn), 0);
		ck_assert_uint_eq(hook_feed_cuts(&t, &h, s, n, cuts, 3), 0);
		ck_assert_int_eq(h.dec_ok, 1);
		ck_assert_msg(strstr(h.l.text, "W23 B23@95/674 H8@95/36d H11@95/"
					     "441d H15@95/132d H20@95/32d ") != NULL,
			      "cut %zu: %s", cut, h.l.text);
		ck_assert_int_eq(h.l.messages, 5);
		tlsd_decrypt_free(h.dc);
		tlsd_tls_dir_cleanup(&t);
	}
	free(flight);
	free(sh);
	free(secret);
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
	tc = tcase_create("decryption_hooks");
	tcase_add_test(tc, tc_hook_collect_every_boundary);
	tcase_add_test(tc, tc_hook_declined);
	tcase_add_test(tc, tc_hook_gap_and_empty);
	tcase_add_test(tc, tc_feed_inner);
	tcase_add_test(tc, tc_feed_inner_cap);
	tcase_add_test(tc, tc_hook_rfc8448_flight);
	suite_add_tcase(s, tc);
	return s;
}
