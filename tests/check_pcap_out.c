/* Unit tests for the -w evidence writer: capture-time order across
 * connections, the hold cap, write errors (read back with libpcap). */
#include <check.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tlsd/conn.h"
#include "tlsd/pcap_out.h"

/* Appends one Ethernet frame (TLSD_CONN_FRAME_HDR layout) whose one byte is TAG. */
static size_t frame_dlt(uint8_t *p, size_t at, uint64_t ts, uint8_t tag, int32_t dlt)
{
	uint32_t one = 1;

	memcpy(p + at, &ts, 8);
	memcpy(p + at + 8, &one, 4);
	memcpy(p + at + 12, &one, 4);
	memcpy(p + at + 16, &dlt, 4);
	p[at + TLSD_CONN_FRAME_HDR] = tag;
	return at + TLSD_CONN_FRAME_HDR + 1;
}

static size_t frame(uint8_t *p, size_t at, uint64_t ts, uint8_t tag)
{
	return frame_dlt(p, at, ts, tag, 1);
}

/* The tags of PATH's packets in file order, and their times. */
static size_t read_back(const char *path, uint8_t *tags, int64_t *ts, size_t max)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t n = 0;

	ck_assert_msg(p != NULL, "%s", err);
	while (n < max && pcap_next_ex(p, &h, &d) == 1) {
		tags[n] = d[0];
		ts[n++] = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
	}
	pcap_close(p);
	return n;
}

/* Connection A (tags 'a'..) ends after B ('b'..) began: the file interleaves
 * them by time, each connection's own order kept for equal times. */
static void order_case(size_t hold_max, const char *want)
{
	char path[] = "/tmp/check_pcap_out.XXXXXX";
	int fd = mkstemp(path);
	char err[512];
	uint8_t a[64], b[64], tags[16];
	int64_t ts[16];
	size_t la = 0, lb = 0, n;
	struct tlsd_pcap_out *o;

	ck_assert_int_ge(fd, 0);
	close(fd);
	o = tlsd_pcap_out_open(path, hold_max, err, sizeof(err));
	ck_assert_msg(o != NULL, "%s", err);
	lb = frame(b, lb, 20, 'B');
	lb = frame(b, lb, 40, 'b');
	la = frame(a, la, 10, 'A');
	la = frame(a, la, 30, 'a');
	la = frame(a, la, 30, 'z'); /* same time: after 'a' */
	ck_assert_int_eq(tlsd_pcap_out_add(o, b, lb), 0); /* B ended first */
	ck_assert_int_eq(tlsd_pcap_out_add(o, a, la), 0);
	ck_assert_int_eq(tlsd_pcap_out_close(o), 0);
	n = read_back(path, tags, ts, 16);
	tags[n] = 0;
	ck_assert_str_eq((const char *)tags, want);
	ck_assert_int_eq(ts[0], want[0] == 'A' ? 10 : 20); /* nanoseconds kept */
	unlink(path);
}

START_TEST(tc_capture_order)
{
	order_case(1 << 20, "ABazb");
	/* A hold cap smaller than both: B is written before A is held. */
	order_case(2 * (TLSD_CONN_FRAME_HDR + 1) + 5, "BbAaz");
}
END_TEST

START_TEST(tc_write_error)
{
	char err[512];
	uint8_t f[64];
	size_t len = frame(f, 0, 1, 'x');
	struct tlsd_pcap_out *o;

	/* /dev/full takes the open, fails every write. */
	o = tlsd_pcap_out_open("/dev/full", 1 << 20, err, sizeof(err));
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(tlsd_pcap_out_add(o, f, len), 0); /* held */
	ck_assert_int_eq(tlsd_pcap_out_close(o), -ENOSPC);
	o = tlsd_pcap_out_open("/nonexistent-dir/x.pcap", 1 << 20, err, sizeof(err));
	ck_assert_ptr_null(o);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x.pcap"));
	ck_assert_int_eq(tlsd_pcap_out_close(NULL), 0);
}
END_TEST

/* Two link types: one interface description block each, before its first
 * packet; each packet names its own interface. */
START_TEST(tc_link_types)
{
	char path[] = "/tmp/check_pcap_out.XXXXXX";
	int fd = mkstemp(path);
	char err[512];
	uint8_t f[64], file[1024];
	size_t len = 0, n, pos;
	struct tlsd_pcap_out *o;
	uint32_t idb_types[4], epb_iface[4];
	unsigned n_idb = 0, n_epb = 0;
	FILE *in;

	ck_assert_int_ge(fd, 0);
	close(fd);
	o = tlsd_pcap_out_open(path, 1 << 20, err, sizeof(err));
	ck_assert_ptr_nonnull(o);
	len = frame_dlt(f, len, 1, 'e', 1);      /* Ethernet */
	len = frame_dlt(f, len, 2, 's', 276);    /* LINUX_SLL2 */
	len = frame_dlt(f, len, 3, 'E', 1);
	ck_assert_int_eq(tlsd_pcap_out_add(o, f, len), 0);
	ck_assert_int_eq(tlsd_pcap_out_close(o), 0);
	in = fopen(path, "rb");
	ck_assert_ptr_nonnull(in);
	n = fread(file, 1, sizeof(file), in);
	fclose(in);
	unlink(path);
	for (pos = 0; pos + 12 <= n;) {
		uint32_t type, blen;

		memcpy(&type, file + pos, 4);
		memcpy(&blen, file + pos + 4, 4);
		ck_assert_uint_ge(blen, 12);
		ck_assert_uint_le(pos + blen, n);
		if (type == 1 && n_idb < 4)
			idb_types[n_idb++] = (uint32_t)file[pos + 8] | (uint32_t)file[pos + 9] << 8;
		if (type == 6 && n_epb < 4)
			memcpy(&epb_iface[n_epb++], file + pos + 8, 4);
		pos += blen;
	}
	ck_assert_uint_eq(pos, n);
	ck_assert_uint_eq(n_idb, 2);
	ck_assert_uint_eq(idb_types[0], 1);
	ck_assert_uint_eq(idb_types[1], 276);
	ck_assert_uint_eq(n_epb, 3);
	ck_assert_uint_eq(epb_iface[0], 0);
	ck_assert_uint_eq(epb_iface[1], 1);
	ck_assert_uint_eq(epb_iface[2], 0);
}
END_TEST

Suite *pcap_out_suite(void);
Suite *pcap_out_suite(void)
{
	Suite *s = suite_create("pcap_out");
	TCase *tc = tcase_create("pcap_out");

	tcase_add_test(tc, tc_capture_order);
	tcase_add_test(tc, tc_write_error);
	tcase_add_test(tc, tc_link_types);
	suite_add_tcase(s, tc);
	return s;
}
