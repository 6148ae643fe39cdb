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

/* Appends one frame (TLSD_CONN_FRAME_HDR layout) whose one byte is TAG. */
static size_t frame(uint8_t *p, size_t at, uint64_t ts, uint8_t tag)
{
	uint32_t one = 1;

	memcpy(p + at, &ts, 8);
	memcpy(p + at + 8, &one, 4);
	memcpy(p + at + 12, &one, 4);
	p[at + 16] = tag;
	return at + 17;
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
	o = tlsd_pcap_out_open(path, 1, hold_max, err, sizeof(err));
	ck_assert_msg(o != NULL, "%s", err);
	ck_assert_int_eq(tlsd_pcap_out_dlt(o), 1);
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
	order_case(40, "BbAaz");
}
END_TEST

START_TEST(tc_write_error)
{
	char err[512];
	uint8_t f[64];
	size_t len = frame(f, 0, 1, 'x');
	struct tlsd_pcap_out *o;

	/* /dev/full takes the open, fails every write. */
	o = tlsd_pcap_out_open("/dev/full", 1, 1 << 20, err, sizeof(err));
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(tlsd_pcap_out_add(o, f, len), 0); /* held */
	ck_assert_int_eq(tlsd_pcap_out_close(o), -ENOSPC);
	o = tlsd_pcap_out_open("/nonexistent-dir/x.pcap", 1, 1 << 20, err, sizeof(err));
	ck_assert_ptr_null(o);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x.pcap"));
	ck_assert_int_eq(tlsd_pcap_out_close(NULL), 0);
}
END_TEST

Suite *pcap_out_suite(void);
Suite *pcap_out_suite(void)
{
	Suite *s = suite_create("pcap_out");
	TCase *tc = tcase_create("pcap_out");

	tcase_add_test(tc, tc_capture_order);
	tcase_add_test(tc, tc_write_error);
	suite_add_tcase(s, tc);
	return s;
}
