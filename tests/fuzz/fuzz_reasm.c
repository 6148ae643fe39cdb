/* Fuzz target: TCP segments into a flow table with small caps.
 *
 * Input: one config byte, then ops of 9 bytes:
 *   0     flags: bit0 direction (0 = from the high-port side), bit1 SYN,
 *         bit2 FIN, bit3 RST, bit4 ACK, bit5 payload bytes differ from the
 *         pattern, bit6 second 5-tuple, bit7 the consumer acts (skip, ignore
 *         or swap_roles, chosen by the length) in the next data callback
 *   1-2   signed sequence delta from that direction's high-water mark
 *   3-4   payload length (mod 1501)
 *   5     bit7: snap length cut, captured = len * (b & 0x7f) / 127
 *   6-7   signed ACK delta from the other direction's high-water mark
 *   8     capture time advance, 1/10 s
 * Checks: per flow and direction, data and gap offsets never go back and
 * never overlap (so each byte is delivered at most once), out-of-order
 * memory stays under its cap, delivered bytes match the sender's pattern
 * (when no op changed bytes or roles), and everything is freed. */
#include <stdlib.h>
#include <string.h>

#include "tlsd/flow_table.h"

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x))                                                      \
			abort();                                               \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct user {
	uint64_t end[2]; /* end of the last delivery or gap, by direction */
	bool fin[2];
};

struct state {
	struct tlsd_ctx ctx;
	struct tlsd_flow_table *t;
	unsigned open_users;
	int action;  /* -1 none, else 0 skip, 1 ignore, 2 swap */
	uint32_t action_arg;
	bool check_bytes;
};

static uint8_t pattern(uint32_t seq)
{
	return (uint8_t)((seq * 2654435761u) >> 24);
}

static void on_open(void *ud, struct tlsd_flow *f, const struct tlsd_pkt *pkt)
{
	struct state *st = ud;
	struct user *u = calloc(1, sizeof(*u));

	(void)pkt;
	CHECK(f->user == NULL);
	if (!u) {
		tlsd_flow_ignore(st->t, f);
		return;
	}
	f->user = u;
	st->open_users++;
}

static void advance(struct user *u, enum tlsd_dir d, uint64_t off, uint64_t len)
{
	CHECK(len > 0);
	CHECK(off >= u->end[d]);
	CHECK(!u->fin[d]);
	u->end[d] = off + len;
}

static void on_data(void *ud, struct tlsd_flow *f, enum tlsd_dir d, uint64_t off,
		    const uint8_t *p, size_t len, tlsd_time_ns ts)
{
	struct state *st = ud;
	struct user *u = f->user;

	(void)ts;
	CHECK(!f->ignored);
	CHECK(st->ctx.reasm_mem_used <= st->ctx.lim.reasm_mem);
	if (!u)
		return;
	advance(u, d, off, len);
	if (st->check_bytes) {
		uint32_t isn = f->side[d].reasm.isn;

		for (size_t i = 0; i < len; i++)
			CHECK(p[i] == pattern(isn + (uint32_t)(off + i)));
	}
	switch (st->action) {
	case 0:
		tlsd_flow_skip(st->t, f, d, st->action_arg);
		break;
	case 1:
		tlsd_flow_ignore(st->t, f);
		break;
	case 2: {
		uint64_t e = u->end[0];

		tlsd_flow_swap_roles(st->t, f);
		u->end[0] = u->end[1];
		u->end[1] = e;
		bool fn = u->fin[0];

		u->fin[0] = u->fin[1];
		u->fin[1] = fn;
		st->check_bytes = false; /* f->side is swapped only after this run */
		break;
	}
	default:
		break;
	}
	st->action = -1;
}

static void on_gap(void *ud, struct tlsd_flow *f, enum tlsd_dir d, uint64_t off, uint64_t len)
{
	struct user *u = f->user;

	(void)ud;
	CHECK(!f->ignored);
	if (u)
		advance(u, d, off, len);
}

static void on_fin(void *ud, struct tlsd_flow *f, enum tlsd_dir d, tlsd_time_ns ts)
{
	struct user *u = f->user;

	(void)ud;
	(void)ts;
	if (u) {
		CHECK(!u->fin[d]);
		u->fin[d] = true;
	}
}

static void on_close(void *ud, struct tlsd_flow *f, enum tlsd_flow_end how)
{
	struct state *st = ud;

	(void)how;
	if (f->user) {
		free(f->user);
		f->user = NULL;
		st->open_users--;
	}
}

static const struct tlsd_flow_ops ops = {
	.open = on_open,
	.data = on_data,
	.gap = on_gap,
	.fin = on_fin,
	.close = on_close,
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t base[2][2] = {{0xfffff000u, 0x7ffffc00u}, {1000u, 0x12345678u}};
	static uint8_t payload[1500];
	struct state st = {.action = -1, .check_bytes = true};
	uint32_t hw[2][2] = {{0}}; /* high-water mark per tuple and direction */

	if (size < 1)
		return 0;
	tlsd_ctx_init(&st.ctx);
	st.ctx.lim.max_flows = 1 + (data[0] & 3);
	st.ctx.lim.reasm_mem = 1000 + (size_t)(data[0] >> 2) * 100;
	st.ctx.lim.reasm_per_dir = 600 + (size_t)(data[0] >> 4) * 150;
	st.ctx.lim.idle_timeout = 10 * TLSD_NS_PER_SEC;
	st.t = tlsd_flow_table_new(&st.ctx, &ops, &st);
	if (!st.t)
		return 0;
	st.ctx.now = TLSD_NS_PER_SEC;
	for (size_t i = 1; i + 9 <= size; i += 9) {
		const uint8_t *op = data + i;
		unsigned tup = (op[0] >> 6) & 1, dir = op[0] & 1;
		uint32_t len = rd16(op + 3) % 1501u;
		uint32_t caplen = (op[5] & 0x80) ? len * (op[5] & 0x7fu) / 127u : len;
		uint32_t seq = base[tup][dir] + hw[tup][dir] + (uint32_t)(int16_t)rd16(op + 1);
		uint32_t ack = base[tup][!dir] + hw[tup][!dir] + (uint32_t)(int16_t)rd16(op + 6);
		struct tlsd_pkt p = {0};

		if (op[0] & 0x20)
			st.check_bytes = false;
		if (op[0] & 0x80) {
			st.action = (int)(len % 4);
			st.action_arg = len * 3;
		}
		for (uint32_t k = 0; k < caplen; k++)
			payload[k] = pattern(seq + ((op[0] & 0x02) ? 1u : 0u) + k) ^
				     ((op[0] & 0x20) ? 0x5a : 0);
		st.ctx.now += (tlsd_time_ns)op[8] * (TLSD_NS_PER_SEC / 10);
		p.ts = st.ctx.now;
		p.frame_no = ++st.ctx.frame_no;
		p.ip_version = 4;
		p.ip_proto = 6;
		p.src.b[0] = 10;
		p.src.b[3] = (uint8_t)(1 + tup * 2);
		p.dst.b[0] = 10;
		p.dst.b[3] = 2;
		p.sport = (uint16_t)(40000 + tup);
		p.dport = 443;
		if (dir) {
			struct tlsd_addr a = p.src;
			uint16_t port = p.sport;

			p.src = p.dst;
			p.dst = a;
			p.sport = p.dport;
			p.dport = port;
		}
		p.ttl = 64;
		p.seq = seq;
		p.ack = ack;
		p.tcp_flags = (uint8_t)(((op[0] >> 1) & 1 ? TLSD_TCP_SYN : 0) |
					((op[0] >> 2) & 1 ? TLSD_TCP_FIN : 0) |
					((op[0] >> 3) & 1 ? TLSD_TCP_RST : 0) |
					((op[0] >> 4) & 1 ? TLSD_TCP_ACK : 0));
		p.window = 65535;
		p.payload = payload;
		p.payload_len = caplen;
		p.payload_wire_len = len;
		if ((int32_t)(seq + len - base[tup][dir] - hw[tup][dir]) > 0)
			hw[tup][dir] = seq + len - base[tup][dir];
		tlsd_flow_table_packet(st.t, &p);
		CHECK(st.ctx.reasm_mem_used <= st.ctx.lim.reasm_mem);
		st.action = -1;
	}
	tlsd_flow_table_finish(st.t);
	CHECK(st.open_users == 0);
	CHECK(tlsd_flow_table_count(st.t) == 0);
	tlsd_flow_table_free(st.t);
	CHECK(st.ctx.reasm_mem_used == 0);
	return 0;
}
