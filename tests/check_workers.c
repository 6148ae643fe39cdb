/* Unit tests for src/workers.c: the split of the TCP connections between
 * the reader's own share and the worker threads (tlsd_workers_pick,
 * tlsd_workers_part), and, through the analyzer, that --threads 2, 3 and 4
 * end and report the connections as one thread does: the same order, the
 * same ends, at the same packets and ticks, whichever share had them.
 * Frames are built by hand (raw IPv4, LINKTYPE_RAW). */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tls_fixtures.h"
#include "tlsd/analyzer.h"
#include "tlsd/workers.h"

#define LINKTYPE_RAW 101
#define SEC TLSD_NS_PER_SEC
#define MS (TLSD_NS_PER_SEC / 1000)
#define CONNS 160
#define MAX_SEEN 512

/* ---- the split ---- */

static struct tlsd_pkt conn_pkt(unsigned i)
{
	struct tlsd_pkt p = {.ip_version = 4, .sport = (uint16_t)(40000 + i), .dport = 443};

	p.src.b[0] = 192;
	p.src.b[3] = (uint8_t)i;
	p.dst.b[0] = 10;
	p.dst.b[3] = (uint8_t)(i >> 8);
	return p;
}

/* Both directions of a connection go to one share; the reader's share is
 * the smaller, the worker threads' are even. */
START_TEST(test_pick)
{
	enum { N = 4000 };
	unsigned hits[4][4] = {{0}};

	for (unsigned i = 0; i < N; i++) {
		struct tlsd_pkt p = conn_pkt(i), q = p;

		q.src = p.dst;
		q.dst = p.src;
		q.sport = p.dport;
		q.dport = p.sport;
		ck_assert_uint_eq(tlsd_workers_pick(&p, 0), 0);
		ck_assert_uint_eq(tlsd_workers_pick(&p, 1), 0);
		for (unsigned n = 2; n <= 4; n++) {
			unsigned k = tlsd_workers_pick(&p, n);

			ck_assert_uint_lt(k, n);
			ck_assert_uint_eq(tlsd_workers_pick(&q, n), k);
			hits[n - 1][k]++;
		}
	}
	for (unsigned n = 2; n <= 4; n++) {
		/* Each share gets about its part of the connections (within 15 %). */
		for (unsigned k = 0; k < n; k++) {
			uint64_t want = tlsd_workers_part(N, n, k);

			ck_assert_uint_gt(hits[n - 1][k] * 100, want * 85);
			ck_assert_uint_lt(hits[n - 1][k] * 100, want * 115);
		}
		ck_assert_uint_lt(tlsd_workers_part(N, n, 0), tlsd_workers_part(N, n, 1));
	}
}
END_TEST

/* A shared limit is split as the connections are: the parts add up to
 * the limit, less the rounding, and none is 0. */
START_TEST(test_part)
{
	static const uint64_t limits[] = {1, 2, 7, 1000, 1000000, UINT32_MAX, UINT64_MAX};

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		uint64_t lim = limits[i];

		ck_assert_uint_eq(tlsd_workers_part(lim, 1, 0), lim);
		for (unsigned n = 2; n <= TLSD_WORKERS_MAX; n++) {
			uint64_t sum = 0;

			for (unsigned k = 0; k < n; k++) {
				uint64_t p = tlsd_workers_part(lim, n, k);

				ck_assert_uint_ge(p, 1);
				ck_assert_uint_le(p, lim);
				if (k > 1)
					ck_assert_uint_eq(p, tlsd_workers_part(lim, n, 1));
				sum += p;
			}
			if (lim >= 1000 && lim < UINT64_MAX / 2) {
				ck_assert_uint_le(sum, lim);
				ck_assert_uint_ge(sum + n, lim);
			}
		}
	}
}
END_TEST

/* ---- one order for any number of threads ---- */

struct seen {
	uint16_t port; /* the client's */
	uint8_t how;   /* enum tlsd_how */
	tlsd_time_ns last;
};

struct sink {
	struct seen seen[MAX_SEEN];
	size_t n;
};

static void emit(void *ud, struct tlsd_report *r, const struct tlsd_flow *f, const uint8_t *frames,
		 size_t frames_len)
{
	struct sink *s = ud;

	(void)f;
	(void)frames;
	(void)frames_len;
	ck_assert_uint_lt(s->n, MAX_SEEN);
	s->seen[s->n++] = (struct seen){.port = r->client.port, .how = (uint8_t)r->term_how,
					.last = r->ts_last};
}

struct feed {
	struct tlsd_analyzer *a;
	uint8_t *ch; /* a ClientHello record */
	size_t ch_len;
};

/* One raw IPv4 TCP frame between client i (10.1.0.i:40000+i) and the
 * server 10.0.0.1:443. */
static void tcp_frame(struct feed *fd, tlsd_time_ns ts, unsigned i, bool to_server, uint8_t flags,
		      uint32_t seq, uint32_t ack, const uint8_t *data, size_t len)
{
	uint8_t b[1600] = {0};
	uint8_t *ip = b, *tcp = b + 20;
	uint8_t cli[4] = {10, 1, (uint8_t)(i >> 8), (uint8_t)i}, srv[4] = {10, 0, 0, 1};
	uint16_t cport = htons((uint16_t)(40000 + i)), sport = htons(443);
	uint16_t tot = htons((uint16_t)(40 + len));
	uint32_t nseq = htonl(seq), nack = htonl(ack);
	struct tlsd_frame fr = {.ts = ts, .dlt = LINKTYPE_RAW, .data = b};

	ck_assert_uint_le(len, sizeof(b) - 40);
	ip[0] = 0x45;
	memcpy(ip + 2, &tot, 2);
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, to_server ? cli : srv, 4);
	memcpy(ip + 16, to_server ? srv : cli, 4);
	memcpy(tcp, to_server ? &cport : &sport, 2);
	memcpy(tcp + 2, to_server ? &sport : &cport, 2);
	memcpy(tcp + 4, &nseq, 4);
	memcpy(tcp + 8, &nack, 4);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	tcp[14] = 0xff;
	if (len)
		memcpy(tcp + 20, data, len);
	fr.caplen = fr.wirelen = (uint32_t)(40 + len);
	tlsd_analyzer_frame(fd->a, &fr);
}

/* A handshake and a ClientHello; then, by i % 5, the server resets, both
 * sides close, or the connection is left to time out or to the end. */
static void conn_open(struct feed *fd, tlsd_time_ns t, unsigned i)
{
	tcp_frame(fd, t, i, true, TLSD_TCP_SYN, 100, 0, NULL, 0);
	tcp_frame(fd, t + 1 * MS, i, false, TLSD_TCP_SYN | TLSD_TCP_ACK, 900, 101, NULL, 0);
	tcp_frame(fd, t + 2 * MS, i, true, TLSD_TCP_ACK, 101, 901, NULL, 0);
	tcp_frame(fd, t + 3 * MS, i, true, TLSD_TCP_ACK | TLSD_TCP_PSH, 101, 901, fd->ch, fd->ch_len);
}

static void conn_end(struct feed *fd, tlsd_time_ns t, unsigned i)
{
	uint32_t cseq = 101 + (uint32_t)fd->ch_len;

	switch (i % 5) {
	case 0:
		tcp_frame(fd, t, i, false, TLSD_TCP_RST | TLSD_TCP_ACK, 901, cseq, NULL, 0);
		break;
	case 1:
		tcp_frame(fd, t, i, true, TLSD_TCP_FIN | TLSD_TCP_ACK, cseq, 901, NULL, 0);
		tcp_frame(fd, t + MS, i, false, TLSD_TCP_FIN | TLSD_TCP_ACK, 901, cseq + 1, NULL, 0);
		tcp_frame(fd, t + 2 * MS, i, true, TLSD_TCP_ACK, cseq + 1, 902, NULL, 0);
		break;
	default:
		break; /* idle: a timeout, or the end of input */
	}
}

/* A frame that is not TCP (an ARP-less raw IPv4 ICMP echo): the clocks
 * move, no table expires at it. */
static void other_frame(struct feed *fd, tlsd_time_ns ts)
{
	uint8_t b[28] = {0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1, 0, 0, 10, 2, 0, 1, 10, 2, 0, 2, 8};
	struct tlsd_frame fr = {.ts = ts, .caplen = sizeof(b), .wirelen = sizeof(b),
				.dlt = LINKTYPE_RAW, .data = b};

	tlsd_analyzer_frame(fd->a, &fr);
}

/* Connections in waves 0.5 s apart with a 2 s idle timeout: idle ones of
 * several shares end at one packet (or one tick, live), some across a
 * capture-wide silence, the rest at the end of input. */
static void run_scenario(unsigned threads, bool live, struct sink *s)
{
	struct tlsd_ctx ctx;
	struct tlsd_conn_cfg cfg = {.emit = emit, .ud = s};
	struct feed fd = {0};
	tlsd_time_ns t = 1000 * SEC;

	memset(s, 0, sizeof(*s));
	tlsd_ctx_init(&ctx);
	ctx.lim.idle_timeout = 2 * SEC;
	fd.ch = tlsd_fix_hex(TLSD_FIX_CHROME_CH_RECORD, &fd.ch_len);
	fd.a = tlsd_analyzer_new_threads(&ctx, &cfg, threads, NULL);
	ck_assert_ptr_nonnull(fd.a);
	tlsd_analyzer_set_live(fd.a, live);
	for (unsigned w = 0; w < CONNS / 16; w++) {
		for (unsigned j = 0; j < 16; j++)
			conn_open(&fd, t + j * 10 * MS, w * 16 + j);
		other_frame(&fd, t + 200 * MS);
		for (unsigned j = 0; j < 16; j++)
			conn_end(&fd, t + 300 * MS + j * 10 * MS, w * 16 + j);
		if (live && w % 3 == 2)
			tlsd_analyzer_tick(fd.a, t + 490 * MS);
		else if (!live && w == 5)
			t += 10 * SEC; /* a silence: no timeout across it */
		t += 500 * MS;
	}
	if (live)
		tlsd_analyzer_tick(fd.a, t + 3 * SEC); /* every idle one ends here */
	tlsd_analyzer_finish(fd.a);
	tlsd_analyzer_free(fd.a);
	free(fd.ch);
}

static void same_order(bool live)
{
	static struct sink one, more;
	unsigned hows[TLSD_HOW_CAPTURE_END + 1] = {0};

	run_scenario(1, live, &one);
	ck_assert_uint_eq(one.n, CONNS);
	for (size_t i = 0; i < one.n; i++)
		hows[one.seen[i].how]++;
	/* Every way to end is there, timeouts by many (the ticks, live). */
	ck_assert_uint_gt(hows[TLSD_HOW_TIMEOUT], 10);
	ck_assert_uint_gt(hows[TLSD_HOW_RESET], 10);
	ck_assert_uint_gt(hows[TLSD_HOW_CLOSE], 10);
	if (!live)
		ck_assert_uint_gt(hows[TLSD_HOW_CAPTURE_END], 0);
	for (unsigned threads = 2; threads <= 4; threads++) {
		run_scenario(threads, live, &more);
		ck_assert_uint_eq(more.n, one.n);
		for (size_t i = 0; i < one.n; i++) {
			ck_assert_uint_eq(more.seen[i].port, one.seen[i].port);
			ck_assert_uint_eq(more.seen[i].how, one.seen[i].how);
			ck_assert_int_eq(more.seen[i].last, one.seen[i].last);
		}
	}
}

START_TEST(test_same_order_file)
{
	same_order(false);
}
END_TEST

START_TEST(test_same_order_live)
{
	same_order(true);
}
END_TEST

Suite *workers_suite(void);
Suite *workers_suite(void)
{
	Suite *s = suite_create("workers");
	TCase *tc = tcase_create("split");
	TCase *order = tcase_create("order");

	tcase_add_test(tc, test_pick);
	tcase_add_test(tc, test_part);
	suite_add_tcase(s, tc);
	tcase_add_test(order, test_same_order_file);
	tcase_add_test(order, test_same_order_live);
	suite_add_tcase(s, order);
	return s;
}
