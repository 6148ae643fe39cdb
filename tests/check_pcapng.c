/* Unit tests for the native pcapng reader (pcapng.c) on hand-made blocks
 * (tests/pcapng_writer.h): both byte orders, several sections, time stamp
 * resolutions, every block kind, truncation at every length, impossible
 * lengths, the interface cap, reads of one byte at a time. */
#include <check.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng_writer.h"
#include "tlsd/pcapng.h"

/* The input: bytes in memory, handed out `chunk` bytes per read (0: all
 * that is asked); a read error instead once `fail_at` bytes were read. */
struct memsrc {
	const uint8_t *p;
	size_t len, off, chunk, fail_at;
	bool fail;
	bool again; /* every other read says -EAGAIN (a pipe gone quiet) */
	unsigned reads;
};

static ssize_t mem_read(void *ud, uint8_t *buf, size_t n)
{
	struct memsrc *m = ud;
	size_t k = TLSD_MIN(n, m->len - m->off);

	if (m->again && m->reads++ % 2 == 0)
		return -EAGAIN;
	if (m->fail && m->off >= m->fail_at)
		return -EIO;
	if (m->chunk)
		k = TLSD_MIN(k, m->chunk);
	memcpy(buf, m->p + m->off, k);
	m->off += k;
	return (ssize_t)k;
}

static struct tlsd_pcapng *open_mem(struct memsrc *m, const struct ngw *w, size_t chunk)
{
	struct tlsd_pcapng *ng;

	*m = (struct memsrc){.p = w->b, .len = w->len, .chunk = chunk};
	ng = tlsd_pcapng_new(mem_read, m);
	ck_assert_ptr_nonnull(ng);
	return ng;
}

static const uint8_t frame60[60] = {
	0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00, 0x45, 0, 0, 46, 0, 1,
	0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0x12, 0x34, 0x01, 0xbb, 0, 0,
	0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0, 0, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

/* 2023-11-14 22:13:20.123456789 UTC */
#define TS_SEC INT64_C(1700000000)
#define TS_NS INT64_C(123456789)

static void expect_err(struct tlsd_pcapng *ng, const char *part)
{
	struct tlsd_pcapng_event ev = {.kind = TLSD_PCAPNG_PACKET, .iface = 777};
	char err[TLSD_PCAPNG_ERRLEN] = "";

	ck_assert_int_eq(tlsd_pcapng_next(ng, &ev, err), TLSD_PCAPNG_ERROR);
	ck_assert_msg(strstr(err, part), "error \"%s\" lacks \"%s\"", err, part);
	ck_assert_msg(strstr(err, "offset"), "error \"%s\" names no offset", err);
	ck_assert_uint_eq(ev.iface, 777); /* untouched */
	/* sticky */
	ck_assert_int_eq(tlsd_pcapng_next(ng, &ev, err), TLSD_PCAPNG_ERROR);
	ck_assert_msg(strstr(err, part), "second error \"%s\"", err);
}

static enum tlsd_pcapng_kind next(struct tlsd_pcapng *ng, struct tlsd_pcapng_event *ev)
{
	char err[TLSD_PCAPNG_ERRLEN] = "";
	enum tlsd_pcapng_kind k = tlsd_pcapng_next(ng, ev, err);

	ck_assert_msg(k != TLSD_PCAPNG_ERROR, "unexpected error: %s", err);
	return k;
}

/* A one-interface file: Ethernet, nanoseconds, "eth0", one packet with a
 * comment. */
static void small_file(struct ngw *w, bool le)
{
	ngw_shb(w, le);
	ngw_idb(w, 1, 65535, "eth0", 9, 0);
	ngw_epb(w, 0, (uint64_t)(TS_SEC * 1000000000 + TS_NS), frame60, 60, 70, "hello");
}

START_TEST(tc_one_packet)
{
	struct ngw w = {0};
	struct memsrc m;
	struct tlsd_pcapng *ng;
	struct tlsd_pcapng_event ev;
	const struct tlsd_pcapng_iface *ifc;
	struct tlsd_pcapng_stats st;

	small_file(&w, _i == 1);
	ng = open_mem(&m, &w, 0);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_INTERFACE);
	ck_assert_uint_eq(ev.iface, 0);
	ifc = tlsd_pcapng_iface(ng, 0);
	ck_assert_ptr_nonnull(ifc);
	ck_assert_uint_eq(ifc->linktype, 1);
	ck_assert_int_eq(ifc->dlt, DLT_EN10MB);
	ck_assert_uint_eq(ifc->snaplen, 65535);
	ck_assert_str_eq(ifc->name, "eth0");
	ck_assert_uint_eq(ifc->tsresol, 9);
	ck_assert_ptr_null(tlsd_pcapng_iface(ng, 1));
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_PACKET);
	ck_assert_uint_eq(ev.pkt.iface, 0);
	ck_assert_int_eq(ev.pkt.ts, TS_SEC * TLSD_NS_PER_SEC + TS_NS);
	ck_assert_uint_eq(ev.pkt.caplen, 60);
	ck_assert_uint_eq(ev.pkt.wirelen, 70);
	ck_assert_mem_eq(ev.pkt.data, frame60, 60);
	ck_assert_uint_eq(ev.pkt.comment_len, 5);
	ck_assert_mem_eq(ev.pkt.comment, "hello", 5);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_END);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_END);
	tlsd_pcapng_get_stats(ng, &st);
	ck_assert_uint_eq(st.blocks, 3);
	ck_assert_uint_eq(st.sections, 1);
	ck_assert_uint_eq(st.packets, 1);
	ck_assert_uint_eq(st.offset, w.len);
	tlsd_pcapng_free(ng);
	ngw_free(&w);
}
END_TEST

/* -EAGAIN from the input, at every other read and so inside every block:
 * TLSD_PCAPNG_AGAIN, nothing lost, the same events as without it. */
START_TEST(tc_again)
{
	struct ngw w = {0};
	struct memsrc m;
	struct tlsd_pcapng *ng;
	struct tlsd_pcapng_event ev;
	char err[TLSD_PCAPNG_ERRLEN] = "";
	enum tlsd_pcapng_kind k, want[] = {TLSD_PCAPNG_INTERFACE, TLSD_PCAPNG_PACKET,
					   TLSD_PCAPNG_END};
	unsigned agains = 0;

	small_file(&w, _i == 1);
	ng = open_mem(&m, &w, _i == 1 ? 3 : 0);
	m.again = true;
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(want); i++) {
		while ((k = tlsd_pcapng_next(ng, &ev, err)) == TLSD_PCAPNG_AGAIN)
			agains++;
		ck_assert_msg(k == want[i], "event %zu: %d (%s)", i, (int)k, err);
		if (k == TLSD_PCAPNG_PACKET) {
			ck_assert_mem_eq(ev.pkt.data, frame60, 60);
			ck_assert_mem_eq(ev.pkt.comment, "hello", 5);
		}
	}
	ck_assert_uint_ge(agains, 2);
	tlsd_pcapng_free(ng);
	ngw_free(&w);
}
END_TEST

/* The same file handed over one byte per read (a pipe at its slowest). */
START_TEST(tc_byte_by_byte)
{
	struct ngw w = {0};
	struct memsrc m;
	struct tlsd_pcapng *ng;
	struct tlsd_pcapng_event ev;

	small_file(&w, _i == 1);
	ngw_epb(&w, 0, 5, frame60, 7, 7, NULL);
	ng = open_mem(&m, &w, 1);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_INTERFACE);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_PACKET);
	ck_assert_mem_eq(ev.pkt.data, frame60, 60);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_PACKET);
	ck_assert_uint_eq(ev.pkt.caplen, 7);
	ck_assert_ptr_null(ev.pkt.comment);
	ck_assert_int_eq(ev.pkt.ts, 5); /* 5 ns */
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_END);
	tlsd_pcapng_free(ng);
	ngw_free(&w);
}
END_TEST

/* Cut the file at every length: the packets before the cut are returned,
 * then an error naming the offset, or the end when the cut falls between
 * blocks. Never a crash or a read beyond the bytes (ASan runs this). */
START_TEST(tc_truncated_everywhere)
{
	struct ngw w = {0};
	size_t shb_end, idb_end, epb1_end;

	ngw_shb(&w, _i == 1);
	shb_end = w.len;
	ngw_idb(&w, 1, 0, "lo", 9, 0);
	idb_end = w.len;
	ngw_epb(&w, 0, 1, frame60, 60, 60, "c");
	epb1_end = w.len;
	ngw_epb(&w, 0, 2, frame60, 33, 60, NULL);

	for (size_t cut = 0; cut < w.len; cut++) {
		/* a copy of exactly `cut` bytes, so that ASan sees any overread */
		uint8_t *copy = malloc(cut ? cut : 1);
		struct memsrc m = {.p = copy, .len = cut};
		struct tlsd_pcapng *ng;
		struct tlsd_pcapng_event ev;
		char err[TLSD_PCAPNG_ERRLEN] = "";
		enum tlsd_pcapng_kind k;
		unsigned packets = 0, ifaces = 0;
		bool at_boundary = cut == shb_end || cut == idb_end || cut == epb1_end;

		memcpy(copy, w.b, cut);
		ng = tlsd_pcapng_new(mem_read, &m);
		while ((k = tlsd_pcapng_next(ng, &ev, err)) == TLSD_PCAPNG_PACKET ||
		       k == TLSD_PCAPNG_INTERFACE) {
			if (k == TLSD_PCAPNG_PACKET) {
				ck_assert_mem_eq(ev.pkt.data, frame60, ev.pkt.caplen);
				packets++;
			} else {
				ifaces++;
			}
		}
		ck_assert_uint_eq(packets, cut >= epb1_end ? 1 : 0);
		ck_assert_uint_eq(ifaces, cut >= idb_end ? 1 : 0);
		if (at_boundary) {
			ck_assert_msg(k == TLSD_PCAPNG_END, "cut %zu: %s", cut, err);
		} else {
			ck_assert_msg(k == TLSD_PCAPNG_ERROR, "cut %zu: no error", cut);
			ck_assert_msg(strstr(err, "offset"), "cut %zu: %s", cut, err);
			if (cut == 0)
				ck_assert_msg(strstr(err, "empty"), "%s", err);
			else
				ck_assert_msg(strstr(err, "ends inside"), "cut %zu: %s", cut, err);
		}
		tlsd_pcapng_free(ng);
		free(copy);
	}
	ngw_free(&w);
}
END_TEST

/* Two sections, the second in the other byte order with its own
 * interfaces: indices start again at 0, and the first section's second
 * interface does not exist any more. */
START_TEST(tc_sections)
{
	struct ngw w = {0};
	struct memsrc m;
	struct tlsd_pcapng *ng;
	struct tlsd_pcapng_event ev;
	struct tlsd_pcapng_stats st;
	bool le = _i == 1;

	ngw_shb(&w, le);
	ngw_idb(&w, 1, 0, "eth0", -1, 0);
	ngw_idb(&w, 0, 0, "lo0", -1, 0);
	ngw_epb(&w, 1, 1000000, frame60, 4, 4, NULL); /* 1 s at the default us */
	ngw_shb(&w, !le);
	ngw_idb(&w, 276, 128, "any", 9, 0);
	ngw_epb(&w, 0, 7, frame60, 60, 60, NULL);
	ngw_epb(&w, 1, 7, frame60, 60, 60, NULL); /* interface 1 is gone */
	ng = open_mem(&m, &w, 0);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_INTERFACE);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_INTERFACE);
	ck_assert_uint_eq(ev.iface, 1);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_PACKET);
	ck_assert_uint_eq(ev.pkt.iface, 1);
	ck_assert_int_eq(ev.pkt.ts, TLSD_NS_PER_SEC);
	ck_assert_int_eq(tlsd_pcapng_iface(ng, ev.pkt.iface)->dlt, DLT_NULL);
	ck_assert_uint_eq(tlsd_pcapng_iface_count(ng), 2);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_INTERFACE);
	ck_assert_uint_eq(ev.iface, 0);
	ck_assert_uint_eq(tlsd_pcapng_iface_count(ng), 1);
	ck_assert_str_eq(tlsd_pcapng_iface(ng, 0)->name, "any");
	ck_assert_int_eq(tlsd_pcapng_iface(ng, 0)->dlt, 276);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_PACKET);
	ck_assert_int_eq(ev.pkt.ts, 7);
	expect_err(ng, "packet for interface 1, but the section defines 1 interface");
	tlsd_pcapng_get_stats(ng, &st);
	ck_assert_uint_eq(st.sections, 2);
	ck_assert_uint_eq(st.packets, 2);
	tlsd_pcapng_free(ng);
	ngw_free(&w);
}
END_TEST

/* if_tsresol and if_tsoffset, through the reader. */
static const struct {
	int tsresol;
	int64_t tsoffset;
	uint64_t units;
	tlsd_time_ns want;
} ts_cases[] = {
	{-1, 0, UINT64_C(1700000000123456), TS_SEC * TLSD_NS_PER_SEC + 123456000}, /* us */
	{6, 0, UINT64_C(1700000000123456), TS_SEC * TLSD_NS_PER_SEC + 123456000},
	{9, 0, UINT64_C(1700000000123456789), TS_SEC * TLSD_NS_PER_SEC + TS_NS},
	{3, 0, UINT64_C(1700000000123), TS_SEC * TLSD_NS_PER_SEC + 123000000},
	{0, 0, UINT64_C(1700000000), TS_SEC * TLSD_NS_PER_SEC},
	{0x80 | 10, 0, (UINT64_C(1700000000) << 10) | 512, TS_SEC * TLSD_NS_PER_SEC + 500000000},
	{0x80 | 30, 0, (UINT64_C(5) << 30) | (UINT64_C(1) << 29), 5 * TLSD_NS_PER_SEC + 500000000},
	{0x80 | 40, 0, (UINT64_C(3) << 40) | (UINT64_C(1) << 38), 3 * TLSD_NS_PER_SEC + 250000000},
	{0x80, 0, 42, 42 * TLSD_NS_PER_SEC},
	{6, 1000, UINT64_C(1000000), 1001 * TLSD_NS_PER_SEC},
	{6, -1000, UINT64_C(1500000000), (1500 - 1000) * TLSD_NS_PER_SEC},
	{6, -1000, UINT64_C(500000000), 0}, /* before the epoch: clamped */
	{15, 0, UINT64_C(1700000000123456789), 1700 * TLSD_NS_PER_SEC + 123},
};

START_TEST(tc_tsresol)
{
	struct ngw w = {0};
	struct memsrc m;
	struct tlsd_pcapng *ng;
	struct tlsd_pcapng_event ev;

	ngw_shb(&w, _i % 2 == 0);
	ngw_idb(&w, 1, 0, NULL, ts_cases[_i].tsresol, ts_cases[_i].tsoffset);
	ngw_epb(&w, 0, ts_cases[_i].units, frame60, 60, 60, NULL);
	ng = open_mem(&m, &w, 0);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_INTERFACE);
	ck_assert_str_eq(tlsd_pcapng_iface(ng, 0)->name, "");
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_PACKET);
	ck_assert_int_eq(ev.pkt.ts, ts_cases[_i].want);
	tlsd_pcapng_free(ng);
	ngw_free(&w);
}
END_TEST

START_TEST(tc_ts_ns_limits)
{
	const tlsd_time_ns max = TLSD_PCAPNG_MAX_SEC * TLSD_NS_PER_SEC;

	/* the largest values clamp at 2106 instead of overflowing later sums */
	ck_assert_int_eq(tlsd_pcapng_ts_ns(UINT64_MAX, 0, 0), max);
	ck_assert_int_eq(tlsd_pcapng_ts_ns(UINT64_MAX, 0, INT64_MAX), max);
	ck_assert_int_eq(tlsd_pcapng_ts_ns(UINT64_C(4294967295999999999), 9, 0),
			 max + 999999999);
	ck_assert_int_eq(tlsd_pcapng_ts_ns(UINT64_C(4294967296000000000), 9, 0), max);
	ck_assert_int_eq(tlsd_pcapng_ts_ns(1, 0, 4294967294), max);
	ck_assert_int_eq(tlsd_pcapng_ts_ns(0, 0, INT64_MIN), 0);
	ck_assert_int_eq(tlsd_pcapng_ts_ns(0, 0, -1), 0);
	ck_assert_int_ge(tlsd_pcapng_ts_ns(UINT64_MAX, 0x80 | 63, 0), TLSD_NS_PER_SEC);
	ck_assert_int_lt(tlsd_pcapng_ts_ns(UINT64_MAX, 0x80 | 63, 0), 2 * TLSD_NS_PER_SEC);
	ck_assert_int_eq(tlsd_pcapng_ts_ns(UINT64_MAX, 19, 0),
			 1 * TLSD_NS_PER_SEC + 844674407); /* 18446744073709551615e-19 s */
}
END_TEST

START_TEST(tc_bad_tsresol)
{
	static const int bad[] = {20, 0x80 | 64, 0xff};
	struct ngw w = {0};
	struct memsrc m;
	struct tlsd_pcapng *ng;

	ngw_shb(&w, false);
	ngw_idb(&w, 1, 0, NULL, bad[_i], 0);
	ng = open_mem(&m, &w, 0);
	expect_err(ng, "time stamp resolution");
	tlsd_pcapng_free(ng);
	ngw_free(&w);
}
END_TEST

/* Simple Packet Block (interface 0, cut to its snaplen, no time stamp) and
 * the obsolete Packet Block (16-bit interface). */
START_TEST(tc_spb_pb)
{
	struct ngw w = {0};
	struct memsrc m;
	struct tlsd_pcapng *ng;
	struct tlsd_pcapng_event ev;

	ngw_shb(&w, _i == 1);
	ngw_idb(&w, 1, 20, "a", -1, 0);
	ngw_idb(&w, 101, 0, "b", 9, 0);
	/* SPB: origlen 60, data cut at the snaplen 20 */
	ngw_begin(&w, 3);
	ngw_u32(&w, 60);
	ngw_bytes(&w, frame60, 20);
	ngw_end(&w);
	/* PB: interface 1, drops 0, ts, caplen 10, origlen 60, data, comment */
	ngw_begin(&w, 2);
	ngw_u16(&w, 1);
	ngw_u16(&w, 0);
	ngw_u32(&w, 0);
	ngw_u32(&w, 99);
	ngw_u32(&w, 10);
	ngw_u32(&w, 60);
	ngw_bytes(&w, frame60, 10);
	ngw_pad(&w);
	ngw_opt(&w, 1, "pb\0junk", 7); /* a string ends at its NUL */
	ngw_opt_end(&w);
	ngw_end(&w);
	ng = open_mem(&m, &w, 0);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_INTERFACE);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_INTERFACE);
	ck_assert_int_eq(tlsd_pcapng_iface(ng, 1)->dlt, DLT_RAW);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_PACKET);
	ck_assert_uint_eq(ev.pkt.iface, 0);
	ck_assert_uint_eq(ev.pkt.caplen, 20);
	ck_assert_uint_eq(ev.pkt.wirelen, 60);
	ck_assert_int_eq(ev.pkt.ts, 0);
	ck_assert_mem_eq(ev.pkt.data, frame60, 20);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_PACKET);
	ck_assert_uint_eq(ev.pkt.iface, 1);
	ck_assert_uint_eq(ev.pkt.caplen, 10);
	ck_assert_int_eq(ev.pkt.ts, 99);
	ck_assert_uint_eq(ev.pkt.comment_len, 2);
	ck_assert_mem_eq(ev.pkt.comment, "pb", 2);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_END);
	tlsd_pcapng_free(ng);
	ngw_free(&w);
}
END_TEST

/* NRB, ISB, custom, journal and unknown blocks are skipped; a DSB is
 * handed over with its type. */
START_TEST(tc_skip_and_secrets)
{
	static const char keylog[] = "CLIENT_RANDOM 00 11\n";
	static const uint32_t skipped[] = {4, 5, 9, 0xBAD, 0x40000BAD, 0x80001234, 0x42};
	struct ngw w = {0};
	struct memsrc m;
	struct tlsd_pcapng *ng;
	struct tlsd_pcapng_event ev;
	struct tlsd_pcapng_stats st;

	ngw_shb(&w, _i == 1);
	ngw_dsb(&w, 0x544c534bu, keylog, sizeof(keylog) - 1);
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(skipped); i++) {
		ngw_begin(&w, skipped[i]);
		ngw_u32(&w, 0x01020304);
		ngw_end(&w);
	}
	ngw_idb(&w, 1, 0, NULL, -1, 0);
	ngw_dsb(&w, 0x57474b4c /* WireGuard */, "x", 1);
	ng = open_mem(&m, &w, 0);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_SECRETS);
	ck_assert_uint_eq(ev.secrets_type, TLSD_PCAPNG_SECRETS_TLS);
	ck_assert_uint_eq(ev.secrets_len, sizeof(keylog) - 1);
	ck_assert_mem_eq(ev.secrets, keylog, sizeof(keylog) - 1);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_INTERFACE);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_SECRETS);
	ck_assert_uint_eq(ev.secrets_type, 0x57474b4c);
	ck_assert_uint_eq(ev.secrets_len, 1);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_END);
	tlsd_pcapng_get_stats(ng, &st);
	ck_assert_uint_eq(st.skipped, TLSD_ARRAY_SIZE(skipped));
	ck_assert_uint_eq(st.secrets, 2);
	tlsd_pcapng_free(ng);
	ngw_free(&w);
}
END_TEST

/* Impossible lengths and fields: each is an error naming what is wrong. */
enum bad_kind {
	BAD_LEN_8,
	BAD_LEN_13,
	BAD_LEN_HUGE,
	BAD_TRAILER,
	BAD_CAPLEN,
	BAD_OPTION,
	BAD_SECRETS_LEN,
	BAD_EPB_SHORT,
	BAD_IDB_SHORT,
	BAD_SPB_SNAP,
	BAD_BOM,
	BAD_VERSION,
	BAD_NOT_PCAPNG,
	BAD_PACKET_FIRST,
	BAD_TSOFFSET_LEN,
};

static const struct {
	enum bad_kind kind;
	const char *msg;
} bad_cases[] = {
	{BAD_LEN_8, "bad block length 8"},
	{BAD_LEN_13, "bad block length 13"},
	{BAD_LEN_HUGE, "over tlsdiag's limit"},
	{BAD_TRAILER, "block lengths differ"},
	{BAD_CAPLEN, "captured length 200 is larger than the block"},
	{BAD_OPTION, "malformed option"},
	{BAD_SECRETS_LEN, "secrets length 1000 is larger than the block"},
	{BAD_EPB_SHORT, "enhanced packet block too short"},
	{BAD_IDB_SHORT, "interface description too short"},
	{BAD_SPB_SNAP, "captured length 60 is larger than the block"},
	{BAD_BOM, "bad byte-order magic"},
	{BAD_VERSION, "pcapng version 2.0 is not supported"},
	{BAD_NOT_PCAPNG, "no section header block first"},
	{BAD_PACKET_FIRST, "packet for interface 0, but the section defines 0 interfaces"},
	{BAD_TSOFFSET_LEN, "if_tsoffset option of 4 bytes"},
};

static void write_bad(struct ngw *w, enum bad_kind kind)
{
	if (kind != BAD_NOT_PCAPNG && kind != BAD_BOM && kind != BAD_VERSION)
		ngw_shb(w, false);
	if (kind != BAD_PACKET_FIRST && kind != BAD_NOT_PCAPNG && kind != BAD_BOM &&
	    kind != BAD_VERSION && kind != BAD_IDB_SHORT && kind != BAD_TSOFFSET_LEN &&
	    kind != BAD_SPB_SNAP)
		ngw_idb(w, 1, 0, NULL, -1, 0);
	switch (kind) {
	case BAD_LEN_8:
	case BAD_LEN_13:
	case BAD_LEN_HUGE:
		ngw_u32(w, 6);
		ngw_u32(w, kind == BAD_LEN_8 ? 8 : kind == BAD_LEN_13 ? 13 : 0x7ffffff0);
		ngw_u64(w, 0);
		ngw_u64(w, 0);
		break;
	case BAD_TRAILER:
		ngw_epb(w, 0, 0, frame60, 60, 60, NULL);
		w->b[w->len - 1] ^= 0x40;
		break;
	case BAD_CAPLEN:
		ngw_begin(w, 6);
		ngw_u32(w, 0);
		ngw_u32(w, 0);
		ngw_u32(w, 0);
		ngw_u32(w, 200);
		ngw_u32(w, 60);
		ngw_bytes(w, frame60, 60);
		ngw_end(w);
		break;
	case BAD_OPTION:
		ngw_begin(w, 6);
		ngw_u32(w, 0);
		ngw_u32(w, 0);
		ngw_u32(w, 0);
		ngw_u32(w, 4);
		ngw_u32(w, 4);
		ngw_bytes(w, frame60, 4);
		ngw_u16(w, 1);
		ngw_u16(w, 100); /* a comment of 100 bytes in 4 */
		ngw_bytes(w, "abcd", 4);
		ngw_end(w);
		break;
	case BAD_SECRETS_LEN:
		ngw_begin(w, 10);
		ngw_u32(w, 0x544c534bu);
		ngw_u32(w, 1000);
		ngw_bytes(w, "CLIENT_RANDOM", 12);
		ngw_end(w);
		break;
	case BAD_EPB_SHORT:
		ngw_begin(w, 6);
		ngw_u32(w, 0);
		ngw_u32(w, 0);
		ngw_end(w);
		break;
	case BAD_IDB_SHORT:
		ngw_begin(w, 1);
		ngw_u16(w, 1);
		ngw_u16(w, 0);
		ngw_end(w);
		break;
	case BAD_SPB_SNAP:
		ngw_idb(w, 1, 0, NULL, -1, 0);
		ngw_begin(w, 3);
		ngw_u32(w, 60);
		ngw_bytes(w, frame60, 20); /* no snaplen: all 60 bytes are due */
		ngw_end(w);
		break;
	case BAD_BOM:
		ngw_begin(w, 0x0A0D0D0Au);
		ngw_u32(w, 0x1A2B3C4Eu);
		ngw_u64(w, 0);
		ngw_u32(w, 0);
		ngw_end(w);
		break;
	case BAD_VERSION:
		ngw_begin(w, 0x0A0D0D0Au);
		ngw_u32(w, 0x1A2B3C4Du);
		ngw_u16(w, 2);
		ngw_u16(w, 0);
		ngw_u64(w, 0);
		ngw_end(w);
		break;
	case BAD_NOT_PCAPNG:
		ngw_idb(w, 1, 0, NULL, -1, 0);
		break;
	case BAD_PACKET_FIRST:
		ngw_epb(w, 0, 0, frame60, 60, 60, NULL);
		break;
	case BAD_TSOFFSET_LEN:
		ngw_begin(w, 1);
		ngw_u16(w, 1);
		ngw_u16(w, 0);
		ngw_u32(w, 0);
		ngw_opt(w, 14, "abcd", 4);
		ngw_end(w);
		break;
	default:
		break;
	}
}

START_TEST(tc_bad)
{
	struct ngw w = {0};
	struct memsrc m;
	struct tlsd_pcapng *ng;
	struct tlsd_pcapng_event ev;
	char err[TLSD_PCAPNG_ERRLEN];
	enum tlsd_pcapng_kind k;

	write_bad(&w, bad_cases[_i].kind);
	ng = open_mem(&m, &w, 0);
	/* the good blocks before it are read */
	while ((k = tlsd_pcapng_next(ng, &ev, err)) == TLSD_PCAPNG_INTERFACE)
		;
	ck_assert_int_eq(k, TLSD_PCAPNG_ERROR);
	ck_assert_msg(strstr(err, bad_cases[_i].msg), "case %d: \"%s\" lacks \"%s\"", _i, err,
		      bad_cases[_i].msg);
	ck_assert_msg(strstr(err, "offset"), "%s", err);
	tlsd_pcapng_free(ng);
	ngw_free(&w);
}
END_TEST

/* A block larger than the read buffer is read whole; one over the block cap
 * is refused before anything is allocated for it. */
START_TEST(tc_large_block)
{
	struct ngw w = {0};
	struct memsrc m;
	struct tlsd_pcapng *ng;
	struct tlsd_pcapng_event ev;
	uint32_t big = 1u << 20;
	uint8_t *data = malloc(big);

	for (uint32_t i = 0; i < big; i++)
		data[i] = (uint8_t)(i * 7);
	ngw_shb(&w, true);
	ngw_idb(&w, 1, 0, NULL, -1, 0);
	ngw_epb(&w, 0, 0, data, big, big, NULL);
	ngw_epb(&w, 0, 0, frame60, 60, 60, NULL);
	ng = open_mem(&m, &w, 4096);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_INTERFACE);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_PACKET);
	ck_assert_uint_eq(ev.pkt.caplen, big);
	ck_assert_mem_eq(ev.pkt.data, data, big);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_PACKET);
	ck_assert_mem_eq(ev.pkt.data, frame60, 60);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_END);
	tlsd_pcapng_free(ng);
	ngw_free(&w);
	free(data);
}
END_TEST

/* At most TLSD_PCAPNG_MAX_IFACES interfaces per section; a new section
 * starts counting again. */
START_TEST(tc_iface_cap)
{
	struct ngw w = {0};
	struct memsrc m;
	struct tlsd_pcapng *ng;
	struct tlsd_pcapng_event ev;
	char err[TLSD_PCAPNG_ERRLEN];
	unsigned n = 0;

	ngw_shb(&w, false);
	for (unsigned i = 0; i < TLSD_PCAPNG_MAX_IFACES; i++)
		ngw_idb(&w, 1, 0, NULL, -1, 0);
	ngw_shb(&w, true);
	for (unsigned i = 0; i <= TLSD_PCAPNG_MAX_IFACES; i++)
		ngw_idb(&w, 1, 0, NULL, -1, 0);
	ng = open_mem(&m, &w, 0);
	while (tlsd_pcapng_next(ng, &ev, err) == TLSD_PCAPNG_INTERFACE)
		n++;
	ck_assert_uint_eq(n, 2 * TLSD_PCAPNG_MAX_IFACES);
	ck_assert_msg(strstr(err, "interfaces in one section"), "%s", err);
	tlsd_pcapng_free(ng);
	ngw_free(&w);
}
END_TEST

/* A read error is an error naming the offset, after the packets read. */
START_TEST(tc_read_error)
{
	struct ngw w = {0};
	struct memsrc m;
	struct tlsd_pcapng *ng;
	struct tlsd_pcapng_event ev;
	size_t first;

	small_file(&w, false);
	first = w.len;
	ngw_epb(&w, 0, 0, frame60, 60, 60, NULL);
	m = (struct memsrc){.p = w.b, .len = w.len, .chunk = first, .fail = true, .fail_at = first};
	ng = tlsd_pcapng_new(mem_read, &m);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_INTERFACE);
	ck_assert_int_eq(next(ng, &ev), TLSD_PCAPNG_PACKET);
	expect_err(ng, "read error: Input/output error");
	tlsd_pcapng_free(ng);
	ngw_free(&w);
}
END_TEST

START_TEST(tc_magic_and_linktypes)
{
	static const uint8_t ng_magic[] = {0x0a, 0x0d, 0x0d, 0x0a};
	static const uint8_t pcap_magic[] = {0xd4, 0xc3, 0xb2, 0xa1};

	ck_assert(tlsd_pcapng_magic(ng_magic, 4));
	ck_assert(!tlsd_pcapng_magic(ng_magic, 3));
	ck_assert(!tlsd_pcapng_magic(pcap_magic, 4));
	ck_assert(!tlsd_pcapng_magic(NULL, 0));
	/* libpcap's own mapping, through a pcap file header written by it */
	ck_assert_int_eq(tlsd_pcapng_linktype_to_dlt(101), DLT_RAW);
	ck_assert_int_eq(tlsd_pcapng_linktype_to_dlt(1), DLT_EN10MB);
	ck_assert_int_eq(tlsd_pcapng_linktype_to_dlt(0), DLT_NULL);
	ck_assert_int_eq(tlsd_pcapng_linktype_to_dlt(113), DLT_LINUX_SLL);
	ck_assert_int_eq(tlsd_pcapng_linktype_to_dlt(276), 276);
	ck_assert_int_eq(tlsd_pcapng_linktype_to_dlt(108), DLT_LOOP);
	ck_assert_int_eq(tlsd_pcapng_linktype_to_dlt(100), DLT_ATM_RFC1483);
}
END_TEST

Suite *pcapng_suite(void);

Suite *pcapng_suite(void)
{
	Suite *s = suite_create("pcapng");
	struct {
		const char *name;
		const TTest *fn;
		int n;
	} cases[] = {
		{"tc_one_packet", tc_one_packet, 2},
		{"tc_byte_by_byte", tc_byte_by_byte, 2},
		{"tc_again", tc_again, 2},
		{"tc_truncated_everywhere", tc_truncated_everywhere, 2},
		{"tc_sections", tc_sections, 2},
		{"tc_tsresol", tc_tsresol, (int)TLSD_ARRAY_SIZE(ts_cases)},
		{"tc_ts_ns_limits", tc_ts_ns_limits, 1},
		{"tc_bad_tsresol", tc_bad_tsresol, 3},
		{"tc_spb_pb", tc_spb_pb, 2},
		{"tc_skip_and_secrets", tc_skip_and_secrets, 2},
		{"tc_bad", tc_bad, (int)TLSD_ARRAY_SIZE(bad_cases)},
		{"tc_large_block", tc_large_block, 1},
		{"tc_iface_cap", tc_iface_cap, 1},
		{"tc_read_error", tc_read_error, 1},
		{"tc_magic_and_linktypes", tc_magic_and_linktypes, 1},
	};

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(cases); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_add_loop_test(tc, cases[i].fn, 0, cases[i].n);
		suite_add_tcase(s, tc);
	}
	return s;
}
