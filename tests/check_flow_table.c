/* Unit tests for the flow table: roles, lifetimes (FIN, RST, timeout,
 * eviction, port reuse, tombstones), callbacks order, consumer requests from
 * inside callbacks (skip, ignore, swap_roles) and counters. Packets are
 * built by hand. Every test ends with ctx.reasm_mem_used == 0. */
#include <arpa/inet.h>
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/flow_table.h"

#define C_IP "10.0.0.1"
#define S_IP "10.0.0.2"
#define C_PORT 40000
#define S_PORT 443
#define C_ISN 1000u
#define S_ISN 5000u
#define SEC TLSD_NS_PER_SEC

struct cons {
	struct tlsd_flow_table *t;
	struct tlsd_ctx *ctx;
	char log[4096];
	size_t loglen;
	uint8_t stream[2][4096];
	uint64_t data_bytes[2];
	struct tlsd_rst_info rst;
	/* actions taken from callbacks */
	bool ignore_on_open;
	bool ignore_on_data;
	bool swap_on_first_s2c_data;
	uint64_t skip_n;
	enum tlsd_dir skip_dir;
	unsigned events;
	bool quiet; /* no log (many flows) */
	bool keep_idle; /* answer to keep_idle */
};

static void logf_(struct cons *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logf_(struct cons *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->quiet)
		return;
	va_start(ap, fmt);
	n = vsnprintf(c->log + c->loglen, sizeof(c->log) - c->loglen, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	c->loglen += (size_t)n;
	ck_assert_uint_lt(c->loglen, sizeof(c->log));
}

static char dchar(enum tlsd_dir d)
{
	return d == TLSD_DIR_C2S ? 'C' : 'S';
}

static void on_open(void *ud, struct tlsd_flow *f, const struct tlsd_pkt *pkt)
{
	struct cons *c = ud;

	(void)pkt;
	ck_assert_ptr_null(f->user);
	f->user = c;
	logf_(c, "open#%llu ", (unsigned long long)f->id);
	if (c->ignore_on_open)
		tlsd_flow_ignore(c->t, f);
}

static void on_data(void *ud, struct tlsd_flow *f, enum tlsd_dir d, uint64_t off,
		    const uint8_t *p, size_t len, tlsd_time_ns ts)
{
	struct cons *c = ud;

	(void)ts;
	ck_assert_ptr_eq(f->user, c);
	ck_assert(!f->ignored);
	logf_(c, "d:%c:%llu:%zu ", dchar(d), (unsigned long long)off, len);
	for (size_t i = 0; i < len && off + i < sizeof(c->stream[0]); i++)
		c->stream[d][off + i] = p[i];
	c->data_bytes[d] += len;
	if (c->swap_on_first_s2c_data && d == TLSD_DIR_S2C) {
		c->swap_on_first_s2c_data = false;
		tlsd_flow_swap_roles(c->t, f);
		d = TLSD_DIR_C2S;
	}
	if (c->skip_n && d == c->skip_dir) {
		tlsd_flow_skip(c->t, f, d, c->skip_n);
		c->skip_n = 0;
	}
	if (c->ignore_on_data)
		tlsd_flow_ignore(c->t, f);
}

static void on_gap(void *ud, struct tlsd_flow *f, enum tlsd_dir d, uint64_t off, uint64_t len)
{
	struct cons *c = ud;

	(void)f;
	logf_(c, "g:%c:%llu:%llu ", dchar(d), (unsigned long long)off, (unsigned long long)len);
}

static void on_fin(void *ud, struct tlsd_flow *f, enum tlsd_dir d, tlsd_time_ns ts)
{
	struct cons *c = ud;

	(void)f;
	(void)ts;
	logf_(c, "fin:%c ", dchar(d));
}

static void on_rst(void *ud, struct tlsd_flow *f, enum tlsd_dir d, const struct tlsd_rst_info *ri)
{
	struct cons *c = ud;

	(void)f;
	c->rst = *ri;
	logf_(c, "rst:%c ", dchar(d));
}

static const char *const end_names[] = {"CLOSE", "RESET", "TIMEOUT", "END", "EVICTED", "REUSE"};

static void on_close(void *ud, struct tlsd_flow *f, enum tlsd_flow_end how)
{
	struct cons *c = ud;

	ck_assert_ptr_eq(f->user, c);
	f->user = NULL;
	logf_(c, "close#%llu:%s ", (unsigned long long)f->id, end_names[how]);
}

static void on_event(void *ud, struct tlsd_flow *f, enum tlsd_dir d, unsigned ev)
{
	struct cons *c = ud;

	(void)f;
	(void)d;
	c->events |= ev;
}

static bool on_keep_idle(void *ud, struct tlsd_flow *f)
{
	const struct cons *c = ud;

	(void)f;
	return c->keep_idle;
}

static const struct tlsd_flow_ops ops = {
	.keep_idle = on_keep_idle,
	.open = on_open,
	.data = on_data,
	.gap = on_gap,
	.fin = on_fin,
	.rst = on_rst,
	.close = on_close,
	.tcp_event = on_event,
};

struct fx {
	struct tlsd_ctx ctx;
	struct cons c;
	struct tlsd_flow_table *t;
	bool file_clock; /* packets come from a file (silences stop the idle clock) */
};

static struct fx *fx_new(void)
{
	struct fx *x = calloc(1, sizeof(*x));

	ck_assert_ptr_nonnull(x);
	tlsd_ctx_init(&x->ctx);
	x->c.ctx = &x->ctx;
	return x;
}

static void fx_start(struct fx *x)
{
	x->t = tlsd_flow_table_new(&x->ctx, &ops, &x->c);
	ck_assert_ptr_nonnull(x->t);
	x->c.t = x->t;
}

static void fx_done(struct fx *x)
{
	tlsd_flow_table_free(x->t);
	ck_assert_uint_eq(x->ctx.reasm_mem_used, 0);
	free(x);
}

static void addr(struct tlsd_addr *a, const char *s, uint8_t *ipv)
{
	memset(a, 0, sizeof(*a));
	if (strchr(s, ':')) {
		ck_assert_int_eq(inet_pton(AF_INET6, s, a->b), 1);
		*ipv = 6;
	} else {
		ck_assert_int_eq(inet_pton(AF_INET, s, a->b), 1);
		*ipv = 4;
	}
}

/* Added to every packet time (tc_end_of_clock moves the capture to the end of
 * the clock). */
static tlsd_time_ns base_ns;

static void pkt_send(struct fx *x, double t, const char *src, uint16_t sport, const char *dst,
		     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const char *payload)
{
	struct tlsd_pkt p = {0};

	addr(&p.src, src, &p.ip_version);
	addr(&p.dst, dst, &p.ip_version);
	p.ts = base_ns + (tlsd_time_ns)(t * (double)SEC);
	p.ip_proto = 6;
	p.ttl = strcmp(src, C_IP) == 0 ? 64 : 128;
	p.ip_id = (uint16_t)(seq & 0xffff);
	p.sport = sport;
	p.dport = dport;
	p.seq = seq;
	p.ack = ack;
	p.tcp_flags = flags;
	p.window = 1000;
	p.payload = (const uint8_t *)payload;
	p.payload_len = payload ? (uint32_t)strlen(payload) : 0;
	p.payload_wire_len = p.payload_len;
	/* Live: a pause between packets is time passing (the file rule that a
	 * capture-wide silence stops the idle clock has a test of its own). */
	tlsd_ctx_advance(&x->ctx, p.ts, x->file_clock ? false : true);
	x->ctx.frame_no++;
	p.frame_no = x->ctx.frame_no;
	tlsd_flow_table_packet(x->t, &p);
}

/* Client / server packets of the default tuple; off = stream offset. */
static void cs(struct fx *x, double t, uint32_t off, uint32_t ack_off, uint8_t fl, const char *pl)
{
	pkt_send(x, t, C_IP, C_PORT, S_IP, S_PORT, C_ISN + 1 + off, S_ISN + 1 + ack_off, fl, pl);
}

static void sc(struct fx *x, double t, uint32_t off, uint32_t ack_off, uint8_t fl, const char *pl)
{
	pkt_send(x, t, S_IP, S_PORT, C_IP, C_PORT, S_ISN + 1 + off, C_ISN + 1 + ack_off, fl, pl);
}

static void handshake(struct fx *x, double t)
{
	pkt_send(x, t, C_IP, C_PORT, S_IP, S_PORT, C_ISN, 0, TLSD_TCP_SYN, NULL);
	pkt_send(x, t + 0.01, S_IP, S_PORT, C_IP, C_PORT, S_ISN, C_ISN + 1,
		 TLSD_TCP_SYN | TLSD_TCP_ACK, NULL);
	cs(x, t + 0.02, 0, 0, TLSD_TCP_ACK, NULL);
}

#define A TLSD_TCP_ACK
#define AF (TLSD_TCP_ACK | TLSD_TCP_FIN)
#define AR (TLSD_TCP_ACK | TLSD_TCP_RST)

static struct tlsd_flow *capture_flow;

static void grab_open(void *ud, struct tlsd_flow *f, const struct tlsd_pkt *pkt)
{
	capture_flow = f;
	on_open(ud, f, pkt);
}

static const struct tlsd_flow_ops grab_ops = {
	.open = grab_open,
	.data = on_data,
	.gap = on_gap,
	.fin = on_fin,
	.rst = on_rst,
	.close = on_close,
	.tcp_event = on_event,
};

/* A table whose open callback remembers the flow in capture_flow. */
static void fx_start_grab(struct fx *x)
{
	x->t = tlsd_flow_table_new(&x->ctx, &grab_ops, &x->c);
	ck_assert_ptr_nonnull(x->t);
	x->c.t = x->t;
}

/* ---- roles ---- */

START_TEST(tc_roles_syn)
{
	struct fx *x = fx_new();
	struct tlsd_flow *f;

	fx_start_grab(x);
	handshake(x, 1.0);
	f = capture_flow;
	ck_assert_str_eq(x->c.log, "open#1 ");
	ck_assert_uint_eq(f->port[TLSD_DIR_C2S], C_PORT);
	ck_assert_uint_eq(f->port[TLSD_DIR_S2C], S_PORT);
	ck_assert(!f->roles_guessed);
	ck_assert_int_eq(f->syn_ts, 1 * SEC);
	ck_assert_int_eq(f->synack_ts, (tlsd_time_ns)(1.01 * SEC));
	ck_assert_int_eq(f->ack3_ts, (tlsd_time_ns)(1.02 * SEC));
	ck_assert_uint_eq(f->side[TLSD_DIR_C2S].packets, 2);
	ck_assert_uint_eq(f->side[TLSD_DIR_S2C].packets, 1);
	ck_assert_uint_eq(f->side[TLSD_DIR_C2S].first_ttl, 64);
	ck_assert_uint_eq(f->side[TLSD_DIR_S2C].last_ttl, 128);
	ck_assert(f->side[TLSD_DIR_C2S].syn && f->side[TLSD_DIR_S2C].syn);
	ck_assert(f->side[TLSD_DIR_C2S].ack_seen);
	ck_assert_uint_eq(f->side[TLSD_DIR_C2S].last_ack, S_ISN + 1);
	ck_assert_uint_eq(f->side[TLSD_DIR_C2S].reasm.isn, C_ISN + 1);
	ck_assert_uint_eq(f->side[TLSD_DIR_S2C].reasm.isn, S_ISN + 1);
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 1);
	ck_assert_uint_eq(x->ctx.cnt.flows_created, 1);
	cs(x, 1.1, 0, 0, A, "hi");
	ck_assert_uint_eq(f->side[TLSD_DIR_C2S].bytes, 2);
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_CAPTURE_MIDSTREAM], 0);
	tlsd_flow_table_finish(x->t);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:2 close#1:END ");
	fx_done(x);
}
END_TEST

START_TEST(tc_roles_synack_only)
{
	struct fx *x = fx_new();

	fx_start_grab(x);
	pkt_send(x, 1, S_IP, S_PORT, C_IP, C_PORT, S_ISN, C_ISN + 1, TLSD_TCP_SYN | A, NULL);
	ck_assert_uint_eq(capture_flow->port[TLSD_DIR_C2S], C_PORT);
	ck_assert(!capture_flow->roles_guessed);
	sc(x, 2, 0, 0, A, "srv");
	cs(x, 3, 0, 3, A, "cli");
	ck_assert_str_eq(x->c.log, "open#1 d:S:0:3 d:C:0:3 ");
	/* The client's side started mid-stream (its SYN was not seen). */
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_CAPTURE_MIDSTREAM], 1);
	fx_done(x);
}
END_TEST

START_TEST(tc_roles_guessed)
{
	struct fx *x = fx_new();

	fx_start_grab(x);
	/* First packet from the low port: the high port is the client. */
	sc(x, 1, 0, 0, A, "abc");
	ck_assert(capture_flow->roles_guessed);
	ck_assert_uint_eq(capture_flow->port[TLSD_DIR_C2S], C_PORT);
	ck_assert(capture_flow->side[TLSD_DIR_S2C].reasm.midstream);
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_CAPTURE_MIDSTREAM], 1);
	/* Held until the peer's ACK says where the stream begins. */
	ck_assert_str_eq(x->c.log, "open#1 ");
	cs(x, 1.1, 0, 3, A, NULL);
	ck_assert_str_eq(x->c.log, "open#1 d:S:0:3 ");
	fx_done(x);
}
END_TEST

START_TEST(tc_ipv6)
{
	struct fx *x = fx_new();

	fx_start(x);
	pkt_send(x, 1, "2001:db8::1", 50000, "2001:db8::2", 443, 10, 0, TLSD_TCP_SYN, NULL);
	pkt_send(x, 1, "2001:db8::2", 443, "2001:db8::1", 50000, 20, 11, TLSD_TCP_SYN | A, NULL);
	pkt_send(x, 1, "2001:db8::1", 50000, "2001:db8::2", 443, 11, 21, A, "hello");
	pkt_send(x, 1, "2001:db8::2", 443, "2001:db8::1", 50000, 21, 16, A, "world");
	/* The same ports over IPv4 are another flow. */
	pkt_send(x, 1, "10.0.0.1", 50000, "10.0.0.2", 443, 10, 0, TLSD_TCP_SYN, NULL);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:5 d:S:0:5 open#2 ");
	ck_assert_mem_eq(x->c.stream[TLSD_DIR_C2S], "hello", 5);
	ck_assert_mem_eq(x->c.stream[TLSD_DIR_S2C], "world", 5);
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 2);
	fx_done(x);
}
END_TEST

/* An IPv4 and an IPv6 connection whose addresses have the same 16 bytes
 * (an IPv4 address fills the first 4, the rest are 0) and the same ports:
 * two flows, each packet to its own, whichever way it goes; the RST of one
 * leaves the other open, and the grave takes only the closed one's trailing
 * packets. check_flow_table_collide runs this with both under one slot tag. */
START_TEST(tc_ipv4_ipv6_same_bytes)
{
	struct fx *x = fx_new();

	fx_start(x);
	pkt_send(x, 1, "10.0.0.1", 50000, "10.0.0.2", 443, 10, 0, TLSD_TCP_SYN, NULL);
	pkt_send(x, 1, "a00:1::", 50000, "a00:2::", 443, 100, 0, TLSD_TCP_SYN, NULL);
	pkt_send(x, 1, "a00:2::", 443, "a00:1::", 50000, 200, 101, TLSD_TCP_SYN | A, NULL);
	pkt_send(x, 1, "10.0.0.2", 443, "10.0.0.1", 50000, 20, 11, TLSD_TCP_SYN | A, NULL);
	pkt_send(x, 2, "10.0.0.1", 50000, "10.0.0.2", 443, 11, 21, A, "four");
	pkt_send(x, 2, "a00:1::", 50000, "a00:2::", 443, 101, 201, A, "six");
	pkt_send(x, 2, "a00:2::", 443, "a00:1::", 50000, 201, 104, A, "6");
	pkt_send(x, 2, "10.0.0.2", 443, "10.0.0.1", 50000, 21, 15, A, "v4");
	ck_assert_str_eq(x->c.log, "open#1 open#2 d:C:0:4 d:C:0:3 d:S:0:1 d:S:0:2 ");
	ck_assert_uint_eq(x->ctx.cnt.flows_created, 2);
	pkt_send(x, 3, "10.0.0.2", 443, "10.0.0.1", 50000, 23, 15, AR, NULL);
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 1);
	/* The IPv4 tuple's late ACK: its grave. The IPv6 one's: its open flow. */
	pkt_send(x, 4, "10.0.0.1", 50000, "10.0.0.2", 443, 15, 23, A, NULL);
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_TCP_AFTER_CLOSE], 1);
	pkt_send(x, 4, "a00:1::", 50000, "a00:2::", 443, 104, 202, A, "!");
	pkt_send(x, 4, "a00:2::", 443, "a00:1::", 50000, 202, 105, A, "?");
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_TCP_AFTER_CLOSE], 1);
	ck_assert_uint_eq(x->ctx.cnt.flows_created, 2);
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 1);
	tlsd_flow_table_finish(x->t);
	ck_assert_str_eq(x->c.log, "open#1 open#2 d:C:0:4 d:C:0:3 d:S:0:1 d:S:0:2 rst:S "
				   "close#1:RESET d:C:3:1 d:S:1:1 close#2:END ");
	fx_done(x);
}
END_TEST

/* ---- FIN ---- */

START_TEST(tc_fin_both)
{
	struct fx *x = fx_new();

	fx_start(x);
	handshake(x, 1);
	cs(x, 1.1, 0, 0, A, "hello");
	sc(x, 1.2, 0, 5, A, "world");
	cs(x, 1.3, 5, 5, AF, NULL);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:5 d:S:0:5 fin:C ");
	sc(x, 1.4, 5, 6, AF, NULL);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:5 d:S:0:5 fin:C fin:S close#1:CLOSE ");
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 0);
	ck_assert_uint_eq(tlsd_flow_table_tombstones(x->t), 1);
	/* Trailing ACK and a retransmitted FIN: absorbed by the grave. */
	cs(x, 1.5, 6, 6, A, NULL);
	sc(x, 2.5, 5, 6, AF, NULL);
	ck_assert_uint_eq(tlsd_flow_table_tombstones(x->t), 1);
	ck_assert_uint_eq(x->ctx.cnt.flows_created, 1);
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_TCP_AFTER_CLOSE], 2);
	/* A retransmission a minute later (exponential backoff) too. */
	sc(x, 62.5, 5, 6, AF, NULL);
	ck_assert_uint_eq(x->ctx.cnt.flows_created, 1);
	/* Idle past the idle timeout: gone. */
	tlsd_ctx_advance(&x->ctx, 200 * SEC, true);
	tlsd_flow_table_expire(x->t);
	ck_assert_uint_eq(tlsd_flow_table_tombstones(x->t), 0);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:5 d:S:0:5 fin:C fin:S close#1:CLOSE ");
	fx_done(x);
}
END_TEST

/* Server FIN first, after a hole; the client's FIN; then the client's ACK
 * of the server FIN declares the hole a gap and the FIN is delivered. */
START_TEST(tc_fin_odd_order)
{
	struct fx *x = fx_new();

	fx_start(x);
	handshake(x, 1);
	sc(x, 1.1, 5, 0, AF, "67890");
	ck_assert_str_eq(x->c.log, "open#1 ");
	cs(x, 1.2, 0, 0, AF, NULL);
	ck_assert_str_eq(x->c.log, "open#1 fin:C ");
	cs(x, 1.3, 1, 11, A, NULL);
	ck_assert_str_eq(x->c.log, "open#1 fin:C g:S:0:5 d:S:5:5 fin:S close#1:CLOSE ");
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_CAPTURE_GAP], 1);
	fx_done(x);
}
END_TEST

/* A FIN whose data never came: the flush at the end declares the gap. */
START_TEST(tc_fin_gap_flush)
{
	struct fx *x = fx_new();

	fx_start(x);
	handshake(x, 1);
	cs(x, 1.1, 0, 0, A, "ab");
	cs(x, 1.2, 10, 0, AF, "xy");
	tlsd_flow_table_finish(x->t);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:2 g:C:2:8 d:C:10:2 fin:C close#1:END ");
	fx_done(x);
}
END_TEST

/* ---- RST ---- */

START_TEST(tc_rst_server)
{
	struct fx *x = fx_new();

	fx_start(x);
	handshake(x, 1);
	cs(x, 1.1, 10, 0, A, "later");
	ck_assert_uint_gt(x->ctx.reasm_mem_used, 0);
	sc(x, 1.2, 0, 0, AR, NULL);
	ck_assert_str_eq(x->c.log, "open#1 g:C:0:10 d:C:10:5 rst:S close#1:RESET ");
	ck_assert(x->c.rst.seq_in_window);
	ck_assert(x->c.rst.has_ack);
	ck_assert_uint_eq(x->c.rst.ttl, 128);
	ck_assert_uint_eq(x->c.rst.seq, S_ISN + 1);
	ck_assert_uint_eq(x->c.rst.frame_no, 5);
	ck_assert_uint_eq(x->ctx.reasm_mem_used, 0);
	ck_assert_uint_eq(tlsd_flow_table_tombstones(x->t), 1);
	/* Retransmissions after the RST do not start a new flow. */
	cs(x, 1.3, 10, 0, A, "later");
	ck_assert_uint_eq(x->ctx.cnt.flows_created, 1);
	fx_done(x);
}
END_TEST

START_TEST(tc_rst_client_out_of_window)
{
	struct fx *x = fx_new();

	fx_start(x);
	handshake(x, 1);
	sc(x, 1.1, 0, 0, A, "hello");
	pkt_send(x, 1.2, C_IP, C_PORT, S_IP, S_PORT, C_ISN + 1 + 0x40000000u, 0, TLSD_TCP_RST,
		 NULL);
	ck_assert_str_eq(x->c.log, "open#1 d:S:0:5 rst:C close#1:RESET ");
	ck_assert(!x->c.rst.seq_in_window);
	ck_assert(!x->c.rst.has_ack);
	fx_done(x);
}
END_TEST

/* FIN from one side, then RST from the other: fin, rst, close. */
START_TEST(tc_fin_then_rst)
{
	struct fx *x = fx_new();

	fx_start(x);
	handshake(x, 1);
	cs(x, 1.1, 0, 0, AF, "bye");
	sc(x, 1.2, 0, 4, AR, NULL);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:3 fin:C rst:S close#1:RESET ");
	fx_done(x);
}
END_TEST

START_TEST(tc_rst_lone)
{
	struct fx *x = fx_new();

	fx_start(x);
	sc(x, 1, 0, 0, AR, NULL);
	ck_assert_str_eq(x->c.log, "");
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 0);
	fx_done(x);
}
END_TEST

/* ---- SYNs: retransmission, port reuse, tombstone reuse ---- */

START_TEST(tc_syn_retransmit)
{
	struct fx *x = fx_new();

	fx_start(x);
	pkt_send(x, 1, C_IP, C_PORT, S_IP, S_PORT, C_ISN, 0, TLSD_TCP_SYN, NULL);
	pkt_send(x, 2, C_IP, C_PORT, S_IP, S_PORT, C_ISN, 0, TLSD_TCP_SYN, NULL);
	ck_assert_str_eq(x->c.log, "open#1 ");
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_TCP_RETRANSMIT], 1);
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_TCP_PORT_REUSE], 0);
	fx_done(x);
}
END_TEST

START_TEST(tc_port_reuse)
{
	struct fx *x = fx_new();

	fx_start(x);
	handshake(x, 1);
	cs(x, 1.1, 0, 0, A, "one");
	pkt_send(x, 5, C_IP, C_PORT, S_IP, S_PORT, 777777, 0, TLSD_TCP_SYN, NULL);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:3 close#1:REUSE open#2 ");
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_TCP_PORT_REUSE], 1);
	pkt_send(x, 5, C_IP, C_PORT, S_IP, S_PORT, 777778, 0, A, "two");
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:3 close#1:REUSE open#2 d:C:0:3 ");
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 1);
	fx_done(x);
}
END_TEST

START_TEST(tc_syn_on_tombstone)
{
	struct fx *x = fx_new();

	fx_start(x);
	handshake(x, 1);
	sc(x, 1.1, 0, 0, AR, NULL);
	pkt_send(x, 1.5, C_IP, C_PORT, S_IP, S_PORT, 99, 0, TLSD_TCP_SYN, NULL);
	ck_assert_str_eq(x->c.log, "open#1 rst:S close#1:RESET open#2 ");
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_TCP_PORT_REUSE], 0);
	ck_assert_uint_eq(tlsd_flow_table_tombstones(x->t), 0);
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 1);
	fx_done(x);
}
END_TEST

/* ---- timeouts, eviction, finish ---- */

START_TEST(tc_idle_timeout)
{
	struct fx *x = fx_new();

	x->ctx.lim.idle_timeout = 60 * SEC;
	fx_start(x);
	handshake(x, 1);
	cs(x, 2, 0, 0, A, "x");
	/* Another flow's packet much later expires the first one. */
	pkt_send(x, 100, "10.9.9.9", 1234, S_IP, S_PORT, 1, 0, TLSD_TCP_SYN, NULL);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:1 close#1:TIMEOUT open#2 ");
	tlsd_ctx_advance(&x->ctx, 200 * SEC, true);
	tlsd_flow_table_expire(x->t);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:1 close#1:TIMEOUT open#2 close#2:TIMEOUT ");
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 0);
	fx_done(x);
}
END_TEST

/* Packets stamped at the latest time capture.c gives (pcapng nanoseconds after
 * 2262 are clamped there, less than a second before INT64_MAX): adding the idle
 * timeout (open flows, graves) must saturate, not overflow (UBSan caught it). */
START_TEST(tc_end_of_clock)
{
	struct fx *x = fx_new();

	base_ns = (INT64_MAX / SEC - 1) * SEC;
	x->ctx.lim.idle_timeout = 120 * SEC;
	fx_start(x);
	handshake(x, 0.1);
	cs(x, 0.2, 0, 0, A, "x");
	cs(x, 0.3, 1, 0, AF, NULL);
	sc(x, 0.4, 0, 2, AF, NULL);
	pkt_send(x, 0.5, "10.9.9.9", 1234, S_IP, S_PORT, 1, 0, TLSD_TCP_SYN, NULL);
	cs(x, 0.6, 2, 1, A, NULL);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:1 fin:C fin:S close#1:CLOSE open#2 ");
	x->ctx.now = INT64_MAX;
	tlsd_flow_table_expire(x->t);
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 1); /* #2 is not idle for 120 s */
	ck_assert_int_eq(tlsd_time_add(INT64_MAX - SEC, 120 * SEC), INT64_MAX);
	ck_assert_int_eq(tlsd_time_add(5, -7), -2);
	ck_assert_int_eq(tlsd_time_add(INT64_MIN + 1, -SEC), INT64_MIN);
	base_ns = 0;
	fx_done(x);
}
END_TEST

/* A packet of a flow idle past the timeout closes it; that packet and the
 * rest belong to the closed connection (its grave), not to a new one. */
START_TEST(tc_idle_same_tuple)
{
	struct fx *x = fx_new();

	x->ctx.lim.idle_timeout = 60 * SEC;
	fx_start(x);
	handshake(x, 1);
	cs(x, 100, 0, 0, A, "late");
	sc(x, 100.1, 0, 4, A, NULL);
	ck_assert_str_eq(x->c.log, "open#1 close#1:TIMEOUT ");
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_TCP_AFTER_CLOSE], 2);
	/* A new SYN on the 5-tuple starts a new connection. */
	cs(x, 101, 0, 0, TLSD_TCP_SYN, NULL);
	ck_assert_str_eq(x->c.log, "open#1 close#1:TIMEOUT open#2 ");
	fx_done(x);
}
END_TEST

/* A consumer that keeps an idle flow (an established connection): no
 * timeout, and its later packets continue the same flow. */
START_TEST(tc_idle_kept)
{
	struct fx *x = fx_new();

	x->ctx.lim.idle_timeout = 60 * SEC;
	x->c.keep_idle = true;
	fx_start(x);
	handshake(x, 1);
	cs(x, 2, 0, 0, A, "x");
	pkt_send(x, 100, "10.9.9.9", 1234, S_IP, S_PORT, 1, 0, TLSD_TCP_SYN, NULL);
	tlsd_ctx_advance(&x->ctx, 400 * SEC, true);
	tlsd_flow_table_expire(x->t);
	cs(x, 400, 1, 0, A, "y");
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:1 open#2 d:C:1:1 ");
	fx_done(x);
}
END_TEST

/* In a file, a silence of the whole capture longer than the idle timeout
 * is a discontinuity: the waiting flow does not time out across it. */
START_TEST(tc_idle_silence)
{
	struct fx *x = fx_new();

	x->ctx.lim.idle_timeout = 60 * SEC;
	x->file_clock = true;
	fx_start(x);
	handshake(x, 1);
	cs(x, 2, 0, 0, A, "x");
	/* Two years later. */
	sc(x, 2 + 63072000.0, 0, 1, A, "y");
	tlsd_flow_table_expire(x->t);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:1 d:S:0:1 ");
	ck_assert_uint_eq(x->ctx.cnt.silences, 1);
	ck_assert_int_eq(tlsd_ctx_silence_within(&x->ctx, 1 * SEC, 63072010 * SEC),
			 63072000 * SEC);
	fx_done(x);
}
END_TEST

/* The first packet of a file stamped more than a second before the clock
 * restarts it (files given out of order); less does not, and
 * within a file nothing sets the clock back. A restart puts the capture
 * clock at the packet's time, keeps the idle clock, forgets the silences
 * before and is counted. */
START_TEST(tc_clock_restart)
{
	struct tlsd_ctx ctx;
	tlsd_time_ns idle;

	tlsd_ctx_init(&ctx);
	ctx.lim.idle_timeout = 60 * SEC;
	ck_assert(!tlsd_ctx_clock_restarts(&ctx, 0)); /* not started */
	tlsd_ctx_advance(&ctx, 1000 * SEC, false);
	ck_assert(!tlsd_ctx_clock_restarts(&ctx, 999 * SEC)); /* exactly a second */
	ck_assert(tlsd_ctx_clock_restarts(&ctx, 999 * SEC - 1));
	tlsd_ctx_advance(&ctx, 100 * SEC, false); /* advancing never sets it back */
	ck_assert_int_eq(ctx.now, 1000 * SEC);
	tlsd_ctx_advance(&ctx, 2000 * SEC, false); /* a silence */
	ck_assert_uint_eq(ctx.cnt.silences, 1);
	ck_assert_int_eq(tlsd_ctx_silence_within(&ctx, 0, 3000 * SEC), 1000 * SEC);
	ck_assert(tlsd_ctx_clock_restarts(&ctx, 100 * SEC));
	idle = ctx.idle_clock;
	tlsd_ctx_restart(&ctx, 100 * SEC);
	tlsd_ctx_advance(&ctx, 100 * SEC, false);
	ck_assert_int_eq(ctx.now, 100 * SEC);
	ck_assert_int_eq(ctx.idle_clock, idle);
	ck_assert_uint_eq(ctx.cnt.anomalies[TLSD_ANOM_CAPTURE_CLOCK_BACK], 1);
	ck_assert_int_eq(tlsd_ctx_silence_within(&ctx, 0, 3000 * SEC), 0);
	/* The clock runs on from there, with silences of its own. */
	tlsd_ctx_advance(&ctx, 110 * SEC, false);
	ck_assert_int_eq(ctx.idle_clock, idle + 10 * SEC);
	tlsd_ctx_advance(&ctx, 5000 * SEC, false);
	ck_assert_uint_eq(ctx.cnt.silences, 2);
	ck_assert_int_eq(tlsd_ctx_silence_within(&ctx, 50 * SEC, 6000 * SEC), 4890 * SEC);
	ck_assert_int_eq(tlsd_ctx_silence_within(&ctx, 0, 3000 * SEC), 0);
}
END_TEST

START_TEST(tc_evict)
{
	struct fx *x = fx_new();
	char ip[32];

	x->ctx.lim.max_flows = 3;
	fx_start(x);
	for (int i = 1; i <= 3; i++) {
		snprintf(ip, sizeof(ip), "10.1.0.%d", i);
		pkt_send(x, i, ip, 1000, S_IP, S_PORT, 1, 0, TLSD_TCP_SYN, NULL);
	}
	/* Flow 1 is active again: flow 2 is now the least recently active. */
	pkt_send(x, 4, "10.1.0.1", 1000, S_IP, S_PORT, 2, 0, A, "a");
	pkt_send(x, 5, "10.1.0.4", 1000, S_IP, S_PORT, 1, 0, TLSD_TCP_SYN, NULL);
	ck_assert_str_eq(x->c.log, "open#1 open#2 open#3 d:C:0:1 close#2:EVICTED open#4 ");
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_CAPTURE_CAP_FLOWS], 1);
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 3);
	fx_done(x);
}
END_TEST

/* Graves do not take places of max_flows. */
START_TEST(tc_evict_tombstone_first)
{
	struct fx *x = fx_new();

	x->ctx.lim.max_flows = 2;
	fx_start(x);
	handshake(x, 1);
	sc(x, 1.1, 0, 0, AR, NULL);
	pkt_send(x, 1.2, "10.1.0.1", 1000, S_IP, S_PORT, 1, 0, TLSD_TCP_SYN, NULL);
	pkt_send(x, 1.3, "10.1.0.2", 1000, S_IP, S_PORT, 1, 0, TLSD_TCP_SYN, NULL);
	ck_assert_str_eq(x->c.log, "open#1 rst:S close#1:RESET open#2 open#3 ");
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_CAPTURE_CAP_FLOWS], 0);
	ck_assert_uint_eq(tlsd_flow_table_tombstones(x->t), 1);
	fx_done(x);
}
END_TEST

/* A table that shares the run with others (workers) keeps its share of
 * the graves: here 1/32768 of them, one set of four. */
static void close_twenty(struct fx *x)
{
	char ip[32];

	for (int i = 0; i < 20; i++) {
		snprintf(ip, sizeof(ip), "10.3.0.%d", i + 1);
		pkt_send(x, 1, ip, 1000, S_IP, S_PORT, 1, 0, TLSD_TCP_SYN, NULL);
		pkt_send(x, 1.1, S_IP, S_PORT, ip, 1000, 0, 2, AR, NULL);
	}
}

START_TEST(tc_share_graves)
{
	struct fx *x = fx_new();

	x->c.quiet = true;
	fx_start(x);
	tlsd_flow_table_share(x->t, 1, 1u << 15);
	close_twenty(x);
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 0);
	ck_assert_uint_eq(tlsd_flow_table_tombstones(x->t), 4);
	fx_done(x);

	/* Alone, the same table remembers all of them. */
	x = fx_new();
	x->c.quiet = true;
	fx_start(x);
	close_twenty(x);
	ck_assert_uint_eq(tlsd_flow_table_tombstones(x->t), 20);
	fx_done(x);
}
END_TEST

/* Graves of a table with part/whole of the connections, in bytes (16 a
 * grave), from the table's memory once one connection closed. */
static size_t share_graves_bytes(uint64_t part, uint64_t whole)
{
	struct fx *x = fx_new();
	size_t before, after;

	x->c.quiet = true;
	fx_start(x);
	if (whole)
		tlsd_flow_table_share(x->t, part, whole);
	pkt_send(x, 1, "10.3.0.1", 1000, S_IP, S_PORT, 1, 0, TLSD_TCP_SYN, NULL);
	before = tlsd_flow_table_memory(x->t);
	pkt_send(x, 1.1, S_IP, S_PORT, "10.3.0.1", 1000, 0, 2, AR, NULL);
	after = tlsd_flow_table_memory(x->t);
	fx_done(x);
	return after - before;
}

/* A share's graves are the power of two nearest its part of one table's:
 * 1/5 of 131,072 is 26,214, nearest 32,768 (not 16,384 below); 4/5 is
 * 104,857, nearest 131,072; 1/3 is 43,690, nearest 32,768. */
START_TEST(tc_share_graves_nearest)
{
	size_t one = share_graves_bytes(0, 0);

	ck_assert_uint_eq(one, 131072 * 16);
	ck_assert_uint_eq(share_graves_bytes(1, 1), one);
	ck_assert_uint_eq(share_graves_bytes(1, 5), one / 4);
	ck_assert_uint_eq(share_graves_bytes(4, 5), one);
	ck_assert_uint_eq(share_graves_bytes(1, 3), one / 4);
	ck_assert_uint_eq(share_graves_bytes(1, 2), one / 2);
}
END_TEST

START_TEST(tc_finish_order)
{
	struct fx *x = fx_new();

	fx_start(x);
	pkt_send(x, 1, "10.1.0.1", 1000, S_IP, S_PORT, 1, 0, TLSD_TCP_SYN, NULL);
	pkt_send(x, 2, "10.1.0.2", 1000, S_IP, S_PORT, 1, 0, TLSD_TCP_SYN, NULL);
	pkt_send(x, 3, "10.1.0.3", 1000, S_IP, S_PORT, 1, 0, TLSD_TCP_SYN, NULL);
	pkt_send(x, 4, "10.1.0.2", 1000, S_IP, S_PORT, 2, 0, A, NULL);
	pkt_send(x, 5, "10.1.0.1", 1000, S_IP, S_PORT, 2, 0, A, NULL);
	tlsd_flow_table_finish(x->t);
	ck_assert_str_eq(x->c.log, "open#1 open#2 open#3 close#1:END close#2:END close#3:END ");
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 0);
	fx_done(x);
}
END_TEST

/* Many flows: the slab and the slot array grow; everything is found again. */
START_TEST(tc_many_flows)
{
	struct fx *x = fx_new();
	char ip[32];

	x->c.quiet = true;
	fx_start(x);
	for (int i = 0; i < 5000; i++) {
		snprintf(ip, sizeof(ip), "10.2.%d.%d", i / 250, i % 250);
		pkt_send(x, 1, ip, (uint16_t)(1024 + i), S_IP, S_PORT, 1, 0, TLSD_TCP_SYN, NULL);
	}
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 5000);
	/* Half of them close with a RST; the rest are still found. */
	for (int i = 0; i < 5000; i += 2) {
		snprintf(ip, sizeof(ip), "10.2.%d.%d", i / 250, i % 250);
		pkt_send(x, 2, S_IP, S_PORT, ip, (uint16_t)(1024 + i), 0, 2, AR, NULL);
	}
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 2500);
	ck_assert_uint_eq(tlsd_flow_table_tombstones(x->t), 2500);
	for (int i = 1; i < 5000; i += 2) {
		snprintf(ip, sizeof(ip), "10.2.%d.%d", i / 250, i % 250);
		pkt_send(x, 11, ip, (uint16_t)(1024 + i), S_IP, S_PORT, 2, 0, A, "z");
	}
	ck_assert_uint_eq(x->ctx.cnt.flows_created, 5000);
	ck_assert_uint_eq(x->c.data_bytes[TLSD_DIR_C2S], 2500);
	/* The slab and slots, plus the fixed-size grave array (2 MiB). */
	ck_assert_uint_lt(tlsd_flow_table_memory(x->t), (size_t)8192 * 512 + (2u << 20));
	fx_done(x);
}
END_TEST

/* ---- consumer requests ---- */

START_TEST(tc_ignore_on_open)
{
	struct fx *x = fx_new();

	x->c.ignore_on_open = true;
	fx_start(x);
	handshake(x, 1);
	cs(x, 1.1, 10, 0, A, "ooo");
	cs(x, 1.2, 0, 0, A, "inorder");
	ck_assert_uint_eq(x->ctx.reasm_mem_used, 0);
	cs(x, 1.3, 13, 0, AF, NULL);
	sc(x, 1.4, 0, 14, AF, NULL);
	ck_assert_str_eq(x->c.log, "open#1 fin:C fin:S close#1:CLOSE ");
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_TCP_OUT_OF_ORDER], 0);
	fx_done(x);
}
END_TEST

/* Ignored from a data callback while the other direction holds buffered
 * segments: they are freed at once. */
START_TEST(tc_ignore_in_callback)
{
	struct fx *x = fx_new();

	fx_start(x);
	handshake(x, 1);
	sc(x, 1.1, 10, 0, A, "buffered");
	ck_assert_uint_gt(x->ctx.reasm_mem_used, 0);
	x->c.ignore_on_data = true;
	cs(x, 1.2, 0, 0, A, "hello");
	ck_assert_uint_eq(x->ctx.reasm_mem_used, 0);
	cs(x, 1.3, 5, 0, A, "more");
	sc(x, 1.4, 0, 9, AR, NULL);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:5 rst:S close#1:RESET ");
	fx_done(x);
}
END_TEST

/* skip over a hole whose bytes arrive later: they are never delivered. */
START_TEST(tc_skip_across_ooo)
{
	struct fx *x = fx_new();

	fx_start(x);
	handshake(x, 1);
	cs(x, 1.1, 10, 0, A, "0123456789abcdefghij"); /* [10,30) buffered */
	x->c.skip_n = 20;
	x->c.skip_dir = TLSD_DIR_C2S;
	cs(x, 1.2, 0, 0, A, "HDR01"); /* [0,5); skip [5,25) */
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:5 d:C:25:5 ");
	ck_assert_mem_eq(x->c.stream[TLSD_DIR_C2S] + 25, "fghij", 5);
	cs(x, 1.3, 5, 0, A, "hole!"); /* [5,10): consumed by the skip */
	cs(x, 1.4, 30, 0, A, "end");
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:5 d:C:25:5 d:C:30:3 ");
	ck_assert_uint_eq(x->ctx.reasm_mem_used, 0);
	fx_done(x);
}
END_TEST

/* Picked up mid-stream on a TCP keep-alive probe (one old byte, resent
 * with seq = next - 1): that byte is not the start of the stream. With the
 * peer's ACK seen, the stream starts at the ACK; without it, a lone byte
 * without PSH is not taken as the start. */
START_TEST(tc_midstream_keepalive)
{
	struct fx *x = fx_new();

	fx_start(x);
	/* Server ACK first: the client's next byte is offset 100. */
	sc(x, 1, 0, 100, A, NULL);
	cs(x, 1.1, 99, 0, A, "k");
	cs(x, 1.2, 100, 0, A | TLSD_TCP_PSH, "HELLO");
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:5 ");
	ck_assert_mem_eq(x->c.stream[TLSD_DIR_C2S], "HELLO", 5);
	fx_done(x);

	x = fx_new();
	fx_start(x);
	cs(x, 1, 99, 0, A, "k");
	cs(x, 1.1, 100, 0, A | TLSD_TCP_PSH, "HELLO");
	ck_assert_str_eq(x->c.log, "open#1 ");
	tlsd_flow_table_finish(x->t);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:5 close#1:END ");
	fx_done(x);
}
END_TEST

/* Picked up mid-stream with the first pieces out of order: the peer's
 * ACK says where the stream goes on, so the earlier piece still counts. */
START_TEST(tc_midstream_reordered)
{
	struct fx *x = fx_new();

	fx_start(x);
	cs(x, 1, 0, 0, A, NULL); /* client ACKs server offset 0 */
	sc(x, 1.1, 5, 0, A, "FGH");
	sc(x, 1.2, 0, 0, A, "ABCDE");
	ck_assert_str_eq(x->c.log, "open#1 d:S:0:5 d:S:5:3 ");
	ck_assert_mem_eq(x->c.stream[TLSD_DIR_S2C], "ABCDEFGH", 8);
	fx_done(x);
}
END_TEST

/* Several SYN-ACKs with different sequence numbers before any data (a SYN
 * proxy or load balancer): the last one is the server's stream. */
START_TEST(tc_synack_new_isn)
{
	struct fx *x = fx_new();

	fx_start(x);
	pkt_send(x, 1, C_IP, C_PORT, S_IP, S_PORT, C_ISN, 0, TLSD_TCP_SYN, NULL);
	pkt_send(x, 1.01, S_IP, S_PORT, C_IP, C_PORT, 777, C_ISN + 1,
		 TLSD_TCP_SYN | TLSD_TCP_ACK, NULL);
	pkt_send(x, 1.02, S_IP, S_PORT, C_IP, C_PORT, S_ISN, C_ISN + 1,
		 TLSD_TCP_SYN | TLSD_TCP_ACK, NULL);
	cs(x, 1.03, 0, 0, A, NULL);
	sc(x, 1.04, 0, 0, A, "hello");
	ck_assert_str_eq(x->c.log, "open#1 d:S:0:5 ");
	fx_done(x);
}
END_TEST

/* Roles guessed wrong: the consumer swaps from inside a data callback, in
 * the middle of one reassembler run; the rest of the run already uses the
 * new directions, and skip takes the new numbering. */
START_TEST(tc_swap_mid_run)
{
	struct fx *x = fx_new();
	struct tlsd_flow *f;

	fx_start_grab(x);
	/* Mid-stream: the high port is taken for the client. Its ACK is in the
	 * server's sequence space, as on the wire. */
	pkt_send(x, 1, C_IP, C_PORT, S_IP, S_PORT, 1, S_ISN + 1, A, NULL);
	f = capture_flow;
	ck_assert(f->roles_guessed);
	sc(x, 1.1, 0, 0, A, "AB");
	ck_assert_str_eq(x->c.log, "open#1 d:S:0:2 ");
	/* Now: buffered [6,10), then [2,6) arrives; the consumer swaps in the
	 * first callback and skips 1 in the new numbering, so the buffered
	 * chunk comes as C2S from offset 7. */
	sc(x, 1.2, 6, 0, A, "GHIJ");
	x->c.swap_on_first_s2c_data = true;
	x->c.skip_n = 1;
	x->c.skip_dir = TLSD_DIR_C2S;
	sc(x, 1.3, 2, 0, A, "CDEF");
	ck_assert_str_eq(x->c.log, "open#1 d:S:0:2 d:S:2:4 d:C:7:3 ");
	ck_assert_uint_eq(f->port[TLSD_DIR_C2S], S_PORT);
	ck_assert_uint_eq(f->port[TLSD_DIR_S2C], C_PORT);
	/* Later packets from 443 are C2S. */
	sc(x, 1.4, 10, 0, A, "K");
	ck_assert_str_eq(x->c.log, "open#1 d:S:0:2 d:S:2:4 d:C:7:3 d:C:10:1 ");
	fx_done(x);
}
END_TEST

/* A swap from inside the data callback of a segment that also carries the
 * FIN: the FIN goes to the sender's new side, as the data did (the
 * direction is looked up again after a swap, only then). */
START_TEST(tc_swap_then_fin)
{
	struct fx *x = fx_new();

	fx_start_grab(x);
	pkt_send(x, 1, C_IP, C_PORT, S_IP, S_PORT, 1, S_ISN + 1, A, NULL);
	ck_assert(capture_flow->roles_guessed);
	x->c.swap_on_first_s2c_data = true;
	sc(x, 1.1, 0, 0, AF, "AB");
	ck_assert_str_eq(x->c.log, "open#1 d:S:0:2 fin:C ");
	ck_assert_uint_eq(capture_flow->port[TLSD_DIR_C2S], S_PORT);
	fx_done(x);
}
END_TEST

/* swap_roles between packets swaps the 5-tuple's ends with the sides: later
 * packets from both ends find the flow, in the new directions, and after the
 * close both ends' trailing packets find its grave. */
START_TEST(tc_swap_lookups)
{
	struct fx *x = fx_new();
	struct tlsd_addr c_ip, s_ip;
	uint8_t ipv;
	struct tlsd_flow *f;

	addr(&c_ip, C_IP, &ipv);
	addr(&s_ip, S_IP, &ipv);
	fx_start_grab(x);
	cs(x, 1, 0, 0, A, NULL); /* mid-stream: the high port is taken for the client */
	f = capture_flow;
	ck_assert(f->roles_guessed);
	ck_assert_mem_eq(f->addr[TLSD_DIR_C2S].b, c_ip.b, 16);
	tlsd_flow_swap_roles(x->t, f);
	ck_assert_mem_eq(f->addr[TLSD_DIR_C2S].b, s_ip.b, 16);
	ck_assert_mem_eq(f->addr[TLSD_DIR_S2C].b, c_ip.b, 16);
	ck_assert_uint_eq(f->port[TLSD_DIR_C2S], S_PORT);
	ck_assert_uint_eq(f->port[TLSD_DIR_S2C], C_PORT);
	ck_assert_uint_eq(f->side[TLSD_DIR_S2C].packets, 1);
	sc(x, 1.1, 0, 0, A, "AB");
	cs(x, 1.2, 0, 2, A, "xyz");
	sc(x, 1.3, 2, 3, A, "C");
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:2 d:S:0:3 d:C:2:1 ");
	ck_assert_uint_eq(f->side[TLSD_DIR_C2S].packets, 2);
	ck_assert_uint_eq(f->side[TLSD_DIR_S2C].packets, 2);
	ck_assert_uint_eq(x->ctx.cnt.flows_created, 1);
	cs(x, 1.4, 3, 3, AR, NULL);
	ck_assert_uint_eq(tlsd_flow_table_count(x->t), 0);
	sc(x, 1.5, 3, 3, A, NULL);
	cs(x, 1.6, 3, 3, A, NULL);
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_TCP_AFTER_CLOSE], 2);
	ck_assert_uint_eq(x->ctx.cnt.flows_created, 1);
	ck_assert_str_eq(x->c.log, "open#1 d:C:0:2 d:S:0:3 d:C:2:1 rst:S close#1:RESET ");
	fx_done(x);
}
END_TEST

/* ---- counters ---- */

START_TEST(tc_counters)
{
	struct fx *x = fx_new();

	fx_start(x);
	handshake(x, 1);
	cs(x, 1.1, 5, 0, A, "world");
	cs(x, 1.2, 5, 0, A, "WORLD");
	cs(x, 1.3, 0, 0, A, "hello");
	cs(x, 1.4, 0, 0, A, "hello");
	cs(x, 1.5, 10, 0, AF, NULL);
	cs(x, 1.6, 10, 0, A, "late");
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_TCP_OUT_OF_ORDER], 1);
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_TCP_INCONSISTENT_RETRANSMIT], 1);
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_TCP_RETRANSMIT], 1);
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_TCP_DATA_AFTER_FIN], 1);
	ck_assert_uint_eq(x->c.events, TLSD_REASM_EV_OUT_OF_ORDER | TLSD_REASM_EV_INCONSISTENT |
					       TLSD_REASM_EV_RETRANSMIT | TLSD_REASM_EV_AFTER_FIN);
	ck_assert_mem_eq(x->c.stream[TLSD_DIR_C2S], "helloworld", 10);
	fx_done(x);
}
END_TEST

START_TEST(tc_reasm_cap)
{
	struct fx *x = fx_new();

	x->ctx.lim.reasm_mem = 2 * (10 + TLSD_REASM_SEG_OVERHEAD);
	fx_start(x);
	handshake(x, 1);
	cs(x, 1.1, 10, 0, A, "0123456789");
	cs(x, 1.2, 30, 0, A, "0123456789");
	cs(x, 1.3, 50, 0, A, "0123456789");
	ck_assert_uint_eq(x->ctx.cnt.anomalies[TLSD_ANOM_CAPTURE_CAP_REASM], 1);
	ck_assert_uint_le(x->ctx.reasm_mem_used, x->ctx.lim.reasm_mem);
	ck_assert_str_eq(x->c.log, "open#1 g:C:0:10 d:C:10:10 ");
	fx_done(x);
}
END_TEST

Suite *flow_table_suite(void);
Suite *flow_table_suite(void)
{
	Suite *s = suite_create("flow_table");
	struct {
		const char *name;
		const TTest *fn;
	} cases[] = {
		{"roles_syn", tc_roles_syn},
		{"roles_synack_only", tc_roles_synack_only},
		{"roles_guessed", tc_roles_guessed},
		{"ipv6", tc_ipv6},
		{"ipv4_ipv6_same_bytes", tc_ipv4_ipv6_same_bytes},
		{"fin_both", tc_fin_both},
		{"fin_odd_order", tc_fin_odd_order},
		{"fin_gap_flush", tc_fin_gap_flush},
		{"rst_server", tc_rst_server},
		{"rst_client_out_of_window", tc_rst_client_out_of_window},
		{"fin_then_rst", tc_fin_then_rst},
		{"rst_lone", tc_rst_lone},
		{"syn_retransmit", tc_syn_retransmit},
		{"port_reuse", tc_port_reuse},
		{"syn_on_tombstone", tc_syn_on_tombstone},
		{"idle_timeout", tc_idle_timeout},
		{"idle_same_tuple", tc_idle_same_tuple},
		{"end_of_clock", tc_end_of_clock},
		{"evict", tc_evict},
		{"evict_tombstone_first", tc_evict_tombstone_first},
		{"share_graves", tc_share_graves},
		{"share_graves_nearest", tc_share_graves_nearest},
		{"idle_kept", tc_idle_kept},
		{"idle_silence", tc_idle_silence},
		{"clock_restart", tc_clock_restart},
		{"finish_order", tc_finish_order},
		{"many_flows", tc_many_flows},
		{"ignore_on_open", tc_ignore_on_open},
		{"ignore_in_callback", tc_ignore_in_callback},
		{"skip_across_ooo", tc_skip_across_ooo},
		{"swap_mid_run", tc_swap_mid_run},
		{"swap_then_fin", tc_swap_then_fin},
		{"swap_lookups", tc_swap_lookups},
		{"midstream_keepalive", tc_midstream_keepalive},
		{"midstream_reordered", tc_midstream_reordered},
		{"synack_new_isn", tc_synack_new_isn},
		{"counters", tc_counters},
		{"reasm_cap", tc_reasm_cap},
	};

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(cases); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_add_test(tc, cases[i].fn);
		suite_add_tcase(s, tc);
	}
	return s;
}
