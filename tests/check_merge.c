/* Unit tests for src/merge.c (the one output order of finished connections);
 * the dispatch of src/workers.c is in check_workers.c. */
#include <check.h>
#include <string.h>

#include "tlsd/merge.h"

#define MAX_SEEN 64

struct sink {
	uint64_t seen[MAX_SEEN]; /* seq of each emitted report, in order */
	size_t n;
};

static int released;

static void emit(void *ud, struct tlsd_report *r, const struct tlsd_flow *f, const uint8_t *frames,
		 size_t frames_len)
{
	struct sink *s = ud;

	(void)f;
	(void)frames;
	(void)frames_len;
	ck_assert_uint_lt(s->n, MAX_SEEN);
	s->seen[s->n++] = r->flow_id;
}

static void release(struct tlsd_conn_done *d)
{
	(void)d;
	released++;
}

/* A finished connection with its key; the report carries seq in flow_id
 * so that the sink can say what it was given. */
struct rec {
	struct tlsd_conn_done d;
	struct tlsd_report r;
};

static void rec_init(struct rec *x, uint64_t event, enum tlsd_conn_rank rank, uint64_t seq)
{
	memset(x, 0, sizeof(*x));
	x->r.flow_id = seq;
	x->d = (struct tlsd_conn_done){.r = &x->r, .rank = rank, .seq = seq, .event = event,
				       .release = release};
}

static struct tlsd_merge *new_merge(struct sink *s, struct tlsd_counters *cnt)
{
	struct tlsd_conn_cfg cfg = {.emit = emit, .ud = s};
	struct tlsd_merge *mg = tlsd_merge_new(&cfg, cnt);

	ck_assert_ptr_nonnull(mg);
	released = 0;
	return mg;
}

START_TEST(test_order)
{
	struct rec a, b;

	rec_init(&a, 5, TLSD_CONN_RANK_IDLE, 900);
	rec_init(&b, 6, TLSD_CONN_RANK_IDLE, 100);
	ck_assert(tlsd_merge_before(&a.d, &b.d)); /* the event first */
	rec_init(&b, 5, TLSD_CONN_RANK_EVICTED, 100);
	ck_assert(tlsd_merge_before(&a.d, &b.d)); /* then the rank */
	rec_init(&b, 5, TLSD_CONN_RANK_IDLE, 100);
	ck_assert(tlsd_merge_before(&b.d, &a.d)); /* then the first frame */
	ck_assert(!tlsd_merge_before(&a.d, &b.d));
	rec_init(&b, TLSD_MERGE_END, TLSD_CONN_RANK_IDLE, 1);
	ck_assert(tlsd_merge_before(&a.d, &b.d)); /* the end of input last */
}
END_TEST

/* Two workers and the UDP stream: nothing is emitted while a stream could
 * still bring something earlier; then all of it in key order. */
START_TEST(test_kway)
{
	struct sink s = {0};
	struct tlsd_counters cnt = {0};
	struct tlsd_merge *mg = new_merge(&s, &cnt);
	struct tlsd_merge_stream w0 = {0}, w1 = {0}, udp = {0};
	struct tlsd_merge_stream *all[] = {&w0, &w1, &udp};
	struct rec r[6];

	rec_init(&r[0], 10, TLSD_CONN_RANK_IDLE, 7);   /* w0 */
	rec_init(&r[1], 10, TLSD_CONN_RANK_PACKET, 9); /* w0 */
	rec_init(&r[2], 10, TLSD_CONN_RANK_IDLE, 3);   /* w1 */
	rec_init(&r[3], 12, TLSD_CONN_RANK_IDLE, 1);   /* w1 */
	rec_init(&r[4], 11, TLSD_CONN_RANK_UDP, 1);    /* udp */
	rec_init(&r[5], TLSD_MERGE_END, TLSD_CONN_RANK_UDP, 2);
	tlsd_merge_stream_push(&w0, &r[0].d);
	tlsd_merge_stream_push(&w0, &r[1].d);
	w0.watermark = 10;
	udp.watermark = 20;
	/* w1 has said nothing: it may still end a connection at event 10. */
	ck_assert_uint_eq(tlsd_merge_run(mg, all, 3), 0);
	tlsd_merge_stream_push(&w1, &r[2].d);
	/* Its (10, idle, 3) comes first; then w1 could still bring (10, idle, 5):
	 * w0's (10, idle, 7) waits. */
	ck_assert_uint_eq(tlsd_merge_run(mg, all, 3), 1);
	ck_assert_uint_eq(s.seen[0], 3);
	w1.watermark = 11;
	tlsd_merge_stream_push(&udp, &r[4].d);
	/* UDP's (11, udp, 1) waits: w0 has only done event 10. */
	ck_assert_uint_eq(tlsd_merge_run(mg, all, 3), 2);
	ck_assert_uint_eq(s.seen[1], 7);
	ck_assert_uint_eq(s.seen[2], 9);
	tlsd_merge_stream_push(&w1, &r[3].d);
	tlsd_merge_stream_push(&udp, &r[5].d);
	/* w0 is at event 10: its next could come before (12, idle, 1). */
	ck_assert_uint_eq(tlsd_merge_run(mg, all, 3), 0);
	w0.watermark = TLSD_MERGE_END;
	w1.watermark = TLSD_MERGE_END;
	udp.watermark = TLSD_MERGE_END;
	ck_assert_uint_eq(tlsd_merge_run(mg, all, 3), 3);
	ck_assert_uint_eq(s.seen[3], 1); /* UDP's at event 11 */
	ck_assert_uint_eq(s.seen[4], 1); /* w1's at event 12 */
	ck_assert_uint_eq(s.seen[5], 2); /* UDP's at the end */
	ck_assert_int_eq(released, 6);
	ck_assert_uint_eq(w0.emitted + w1.emitted + udp.emitted, 6);
	tlsd_merge_free(mg);
}
END_TEST

/* A stream that queued (e, idle, 5) cannot bring (e, idle, 4) any more: its
 * floor lets another stream's (e, idle, 4) go although it has no head. */
START_TEST(test_floor)
{
	struct sink s = {0};
	struct tlsd_counters cnt = {0};
	struct tlsd_merge *mg = new_merge(&s, &cnt);
	struct tlsd_merge_stream w0 = {0}, w1 = {0};
	struct tlsd_merge_stream *all[] = {&w0, &w1};
	struct rec a, b;

	rec_init(&a, TLSD_MERGE_END, TLSD_CONN_RANK_IDLE, 5);
	rec_init(&b, TLSD_MERGE_END, TLSD_CONN_RANK_IDLE, 4);
	tlsd_merge_stream_push(&w0, &a.d);
	ck_assert_uint_eq(tlsd_merge_run(mg, all, 2), 0);
	tlsd_merge_stream_push(&w1, &b.d);
	ck_assert_uint_eq(tlsd_merge_run(mg, all, 2), 1); /* 4; 5 waits for w1 */
	ck_assert_uint_eq(s.seen[0], 4);
	ck_assert_uint_eq(tlsd_merge_run(mg, all, 2), 0);
	w1.watermark = TLSD_MERGE_END;
	ck_assert_uint_eq(tlsd_merge_run(mg, all, 2), 1);
	ck_assert_uint_eq(s.seen[1], 5);
	tlsd_merge_free(mg);
}
END_TEST

/* client_not_tls on a port not registered for TLS: shown, and its counts
 * added, only once a report in the output order showed the server
 * speaking TLS. */
START_TEST(test_known_server)
{
	struct sink s = {0};
	struct tlsd_counters cnt = {0}, delta = {0};
	struct tlsd_merge *mg = new_merge(&s, &cnt);
	struct rec maybe1, tls, maybe2, other;

	delta.flows_tls = 1;
	delta.anomalies[TLSD_ANOM_TLS_NOT_TLS] = 1;
	rec_init(&maybe1, 1, TLSD_CONN_RANK_PACKET, 1);
	maybe1.d.server.port = 8080;
	maybe1.d.server.addr.b[0] = 10;
	maybe1.d.ip_version = 4;
	maybe1.d.if_known_server = &delta;
	tlsd_merge_emit(mg, &maybe1.d);
	ck_assert_uint_eq(s.n, 0); /* not known yet: dropped */
	ck_assert_uint_eq(cnt.flows_tls, 0);
	ck_assert_int_eq(released, 1);

	rec_init(&tls, 2, TLSD_CONN_RANK_PACKET, 2);
	tls.d.server = maybe1.d.server;
	tls.d.ip_version = 4;
	tls.d.tls_server = true;
	tlsd_merge_emit(mg, &tls.d);
	ck_assert_uint_eq(s.n, 1);

	maybe2 = maybe1;
	maybe2.d.r = &maybe2.r;
	maybe2.r.flow_id = 3;
	tlsd_merge_emit(mg, &maybe2.d);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.seen[1], 3);
	ck_assert_uint_eq(cnt.flows_tls, 1);
	ck_assert_uint_eq(cnt.anomalies[TLSD_ANOM_TLS_NOT_TLS], 1);

	other = maybe1; /* same address and port, IPv6: another server */
	other.d.r = &other.r;
	other.d.ip_version = 6;
	tlsd_merge_emit(mg, &other.d);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(released, 4);
	tlsd_merge_free(mg);
}
END_TEST

Suite *merge_suite(void);
Suite *merge_suite(void)
{
	Suite *s = suite_create("merge");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_kway);
	tcase_add_test(tc, test_floor);
	tcase_add_test(tc, test_known_server);
	suite_add_tcase(s, tc);
	return s;
}
