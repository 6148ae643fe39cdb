/* The pcap reader against libpcap itself: every record (time stamp,
 * lengths, bytes) and every error message must be what libpcap 1.10 hands
 * over for the same file, on hand-made files with each edge of the format
 * and on every pcap in captures/. Files it does not take must be refused
 * (left to libpcap), never misread. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tlsd/decode.h"
#include "tlsd/pcapfile.h"

static char path[] = "/tmp/tlsd_check_pcapfile_XXXXXX";
static int path_fd = -1;

static void setup(void)
{
	path_fd = mkstemp(path);
	ck_assert_int_ge(path_fd, 0);
}

static void teardown(void)
{
	close(path_fd);
	unlink(path);
	strcpy(path, "/tmp/tlsd_check_pcapfile_XXXXXX");
}

/* ---- writing files byte by byte ------------------------------------------ */

struct wbuf {
	uint8_t b[1u << 22];
	size_t n;
	bool big_endian;
};

static struct wbuf w;

static void put32(uint32_t v)
{
	for (int i = 0; i < 4; i++)
		w.b[w.n++] = (uint8_t)(w.big_endian ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void put16(uint16_t v)
{
	w.b[w.n++] = (uint8_t)(w.big_endian ? v >> 8 : v);
	w.b[w.n++] = (uint8_t)(w.big_endian ? v : v >> 8);
}

static void file_header(bool big_endian, uint32_t magic, uint16_t major, uint16_t minor,
			uint32_t snaplen, uint32_t linktype)
{
	w.n = 0;
	w.big_endian = big_endian;
	put32(magic);
	put16(major);
	put16(minor);
	put32(0);
	put32(0);
	put32(snaplen);
	put32(linktype);
}

/* A record whose header says caplen/len, with `body` bytes following. */
static void record(uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len, uint32_t body)
{
	put32(sec);
	put32(frac);
	put32(caplen);
	put32(len);
	for (uint32_t i = 0; i < body; i++)
		w.b[w.n++] = (uint8_t)(i * 7 + caplen);
}

static void flush_file(void)
{
	ck_assert_int_eq(ftruncate(path_fd, 0), 0);
	ck_assert_int_eq(pwrite(path_fd, w.b, w.n, 0), (ssize_t)w.n);
}

/* ---- reading -------------------------------------------------------------- */

struct src {
	int fd;
	size_t max_read; /* 0: as asked; else at most this much per read (a pipe) */
	bool again;      /* every other read says -EAGAIN (a pipe gone quiet) */
	unsigned reads;
};

static ssize_t src_read(void *ud, uint8_t *buf, size_t n)
{
	struct src *s = ud;
	ssize_t r;

	if (s->again && s->reads++ % 2 == 0)
		return -EAGAIN;

	if (s->max_read && n > s->max_read)
		n = s->max_read;
	r = read(s->fd, buf, n);
	return r < 0 ? -errno : r;
}

/* Opens `file` with our reader: 1 taken, 0 refused. */
static int open_ours(const char *file, struct tlsd_pcapfile **pf, struct src *s)
{
	uint8_t hdr[TLSD_PCAPFILE_HDR_LEN];
	ssize_t n;
	int r;

	s->fd = open(file, O_RDONLY);
	ck_assert_int_ge(s->fd, 0);
	n = read(s->fd, hdr, sizeof(hdr));
	ck_assert_int_ge(n, 0);
	r = tlsd_pcapfile_new(pf, hdr, (size_t)n, tlsd_decode_dlt_supported, src_read, s);
	ck_assert_int_ge(r, 0);
	if (r == 0)
		close(s->fd);
	return r;
}

/* Reads `file` with both readers and compares them record by record.
 * Returns the number of records. */
static unsigned compare_src(const char *file, size_t max_read, bool again)
{
	char errbuf[PCAP_ERRBUF_SIZE], err[TLSD_PCAPFILE_ERRLEN] = "";
	struct tlsd_pcapfile_packet pkt;
	struct tlsd_pcapfile *pf;
	struct pcap_pkthdr *h;
	const u_char *data;
	struct src s = {.max_read = max_read};
	unsigned agains = 0;
	enum tlsd_pcapfile_status st;
	unsigned n = 0;
	pcap_t *p;
	int r;

	p = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	ck_assert_msg(p != NULL, "%s: %s", file, errbuf);
	ck_assert_int_eq(open_ours(file, &pf, &s), 1);
	s.again = again; /* after the header, as capture.c does */
	ck_assert_int_eq(tlsd_pcapfile_dlt(pf), pcap_datalink(p));
	ck_assert_uint_eq(tlsd_pcapfile_snaplen(pf), (uint32_t)pcap_snapshot(p));
	for (;;) {
		r = pcap_next_ex(p, &h, &data);
		while ((st = tlsd_pcapfile_next(pf, &pkt, err)) == TLSD_PCAPFILE_AGAIN)
			agains++;
		if (r != 1)
			break;
		ck_assert_msg(st == TLSD_PCAPFILE_PACKET, "%s record %u: %s", file, n, err);
		ck_assert_int_eq(pkt.sec, (int64_t)h->ts.tv_sec);
		ck_assert_int_eq(pkt.frac_ns, (int64_t)h->ts.tv_usec);
		ck_assert_uint_eq(pkt.caplen, h->caplen);
		ck_assert_uint_eq(pkt.wirelen, h->len);
		ck_assert_ptr_nonnull(pkt.data);
		ck_assert_msg(memcmp(pkt.data, data, h->caplen) == 0, "%s record %u bytes", file, n);
		n++;
	}
	if (r == PCAP_ERROR_BREAK) {
		ck_assert_msg(st == TLSD_PCAPFILE_END, "%s after %u: %s", file, n, err);
	} else {
		ck_assert_int_eq(r, PCAP_ERROR);
		ck_assert_int_eq(st, TLSD_PCAPFILE_ERROR);
		ck_assert_str_eq(err, pcap_geterr(p));
		/* and the same error again */
		ck_assert_int_eq(tlsd_pcapfile_next(pf, &pkt, err), TLSD_PCAPFILE_ERROR);
		ck_assert_str_eq(err, pcap_geterr(p));
	}
	ck_assert(again ? agains > 0 : agains == 0);
	tlsd_pcapfile_free(pf);
	close(s.fd);
	pcap_close(p);
	return n;
}

static unsigned compare(const char *file, size_t max_read)
{
	return compare_src(file, max_read, false);
}

static void compare_all_ways(unsigned want_records)
{
	flush_file();
	ck_assert_uint_eq(compare(path, 0), want_records);
	ck_assert_uint_eq(compare(path, 1), want_records);  /* a byte per read */
	ck_assert_uint_eq(compare(path, 7), want_records);
	ck_assert_uint_eq(compare(path, 4093), want_records);
	/* -EAGAIN anywhere, also inside a record: the same records */
	ck_assert_uint_eq(compare_src(path, 5, true), want_records);
	ck_assert_uint_eq(compare_src(path, 0, true), want_records);
}

/* ---- the cases ------------------------------------------------------------ */

/* Both magics in both byte orders; the time stamps and lengths as libpcap
 * gives them, odd values included. */
static const struct {
	bool big_endian;
	uint32_t magic;
} layouts[] = {
	{false, 0xa1b2c3d4u},
	{false, 0xa1b23c4du},
	{true, 0xa1b2c3d4u},
	{true, 0xa1b23c4du},
};

START_TEST(tc_layouts)
{
	file_header(layouts[_i].big_endian, layouts[_i].magic, 2, 4, 65535, 1);
	record(1700000000u, 123456u, 60, 60, 60);
	record(0xfffffff0u, 2000000u, 54, 1514, 54);  /* negative seconds, fraction >= 1 s */
	record(1700000001u, 0x80000001u, 0, 0, 0);   /* empty; a negative fraction */
	record(1700000002u, 999999999u, 100, 40, 100); /* caplen above len: as written */
	compare_all_ways(4);
}
END_TEST

/* Snapshot lengths: 0 and too large mean 262144; a record above the
 * snapshot length is cut to it (its rest skipped). */
START_TEST(tc_snapshot)
{
	file_header(false, 0xa1b2c3d4u, 2, 4, 0, 1);
	record(1, 0, 1514, 1514, 1514);
	compare_all_ways(1);
	file_header(false, 0xa1b2c3d4u, 2, 4, 300000, 1);
	record(1, 0, 1514, 1514, 1514);
	compare_all_ways(1);
	file_header(true, 0xa1b2c3d4u, 2, 4, 0x80000000u, 1);
	record(1, 0, 1514, 1514, 1514);
	compare_all_ways(1);
	file_header(false, 0xa1b2c3d4u, 2, 4, 100, 1);
	record(1, 0, 150, 1514, 150);
	record(2, 0, 100, 1514, 100);
	record(3, 0, 262144, 262144, 262144);
	record(4, 0, 60, 60, 60);
	compare_all_ways(4);
}
END_TEST

/* Each way a file can end badly, with libpcap's message. */
START_TEST(tc_damaged)
{
	/* a record longer than any snapshot */
	file_header(false, 0xa1b2c3d4u, 2, 4, 65535, 1);
	record(1, 0, 60, 60, 60);
	record(2, 0, 262145, 262145, 0);
	compare_all_ways(1);
	/* above the maximum but within a larger snapshot length */
	file_header(false, 0xa1b2c3d4u, 2, 4, 300000, 1);
	record(1, 0, 60, 60, 60);
	record(2, 0, 262145, 262145, 0);
	compare_all_ways(1);
	/* the file ends inside a record header */
	file_header(false, 0xa1b2c3d4u, 2, 4, 65535, 1);
	record(1, 0, 60, 60, 60);
	w.n += 5;
	compare_all_ways(1);
	/* inside a record's bytes */
	file_header(true, 0xa1b23c4du, 2, 4, 65535, 1);
	record(1, 0, 60, 60, 60);
	record(1, 0, 600, 600, 100);
	compare_all_ways(1);
	/* above the snapshot length, ending inside the kept part */
	file_header(false, 0xa1b2c3d4u, 2, 4, 100, 1);
	record(1, 0, 500, 500, 50);
	compare_all_ways(0);
	/* ... and inside the part skipped */
	file_header(false, 0xa1b2c3d4u, 2, 4, 100, 1);
	record(1, 0, 500, 500, 300);
	compare_all_ways(0);
	/* no record at all */
	file_header(false, 0xa1b2c3d4u, 2, 4, 100, 1);
	compare_all_ways(0);
}
END_TEST

/* Records of every size across the reader's buffer refills. */
START_TEST(tc_many_sizes)
{
	uint32_t len = 0;

	file_header(false, 0xa1b2c3d4u, 2, 4, 262144, 1);
	for (unsigned i = 0; i < 400; i++) {
		len = (len * 1103515245u + 12345u) % (i % 50 == 0 ? 262145u : 3000u);
		record(i, i, len, len, len);
	}
	flush_file();
	ck_assert_uint_eq(compare(path, 0), 400);
	ck_assert_uint_eq(compare(path, 333), 400);
}
END_TEST

/* Shared buffers: the same records; reuse(k) comes before buffer k is read
 * into again, in turn, and until then every record that lies in buffer k
 * still holds its bytes; reuse(-1) at the end. */
#define SHARE_N 3
#define SHARE_MAX 2000

static struct {
	const uint8_t *data[SHARE_MAX];
	uint8_t copy[SHARE_MAX][64];
	size_t len[SHARE_MAX];
	int buffer[SHARE_MAX];
	unsigned n, reuses, last;
	bool all_released;
} kept;

static void check_kept(void *ud, int buffer)
{
	(void)ud;
	if (buffer < 0) {
		kept.all_released = true;
		return;
	}
	ck_assert_int_eq(buffer, (int)((kept.last + 1) % SHARE_N));
	kept.last = (unsigned)buffer;
	kept.reuses++;
	for (unsigned i = 0; i < kept.n; i++) {
		if (kept.buffer[i] != buffer)
			continue;
		ck_assert_msg(memcmp(kept.data[i], kept.copy[i], kept.len[i]) == 0,
			      "record %u changed before its buffer was reused", i);
		kept.buffer[i] = -1; /* may change from now on */
	}
}

START_TEST(tc_shared)
{
	struct tlsd_pcapfile_packet pkt;
	struct tlsd_pcapfile *pf;
	char err[TLSD_PCAPFILE_ERRLEN];
	struct src s = {0};
	uint32_t len = 0;
	unsigned n = 0;

	file_header(false, 0xa1b2c3d4u, 2, 4, 262144, 1);
	for (unsigned i = 0; i < 1500; i++) {
		len = 40 + (len * 1103515245u + 12345u) % (i % 100 == 0 ? 200000u : 1500u);
		record(i, i, len, len, len);
	}
	flush_file();
	ck_assert_uint_eq(compare(path, 0), 1500);
	memset(&kept, 0, sizeof(kept));
	kept.last = 0;
	ck_assert_int_eq(open_ours(path, &pf, &s), 1);
	ck_assert_int_eq(tlsd_pcapfile_slab(pf), -1);
	ck_assert_int_eq(tlsd_pcapfile_share(pf, 1, check_kept, NULL), -EINVAL);
	ck_assert_int_eq(tlsd_pcapfile_share(pf, SHARE_N, check_kept, NULL), 0);
	ck_assert_int_eq(tlsd_pcapfile_share(pf, SHARE_N, check_kept, NULL), -EINVAL);
	while (tlsd_pcapfile_next(pf, &pkt, err) == TLSD_PCAPFILE_PACKET) {
		ck_assert_uint_lt(n, SHARE_MAX);
		kept.data[n] = pkt.data;
		kept.len[n] = TLSD_MIN(pkt.caplen, 64u);
		memcpy(kept.copy[n], pkt.data, kept.len[n]);
		kept.buffer[n] = tlsd_pcapfile_slab(pf);
		ck_assert_int_ge(kept.buffer[n], 0);
		kept.n = ++n;
	}
	ck_assert_uint_eq(n, 1500);
	ck_assert_uint_gt(kept.reuses, 2 * SHARE_N); /* the buffers went round */
	ck_assert(!kept.all_released);
	tlsd_pcapfile_free(pf);
	ck_assert(kept.all_released);
	close(s.fd);
}
END_TEST

/* What libpcap may read differently is refused, for libpcap to read. */
START_TEST(tc_refused)
{
	struct tlsd_pcapfile *pf = NULL;
	struct src s;
	uint8_t hdr[TLSD_PCAPFILE_HDR_LEN];

	static const struct {
		uint32_t magic;
		uint16_t minor;
		uint32_t linktype;
	} refused[] = {
		{0xa1b2c3d4u, 3, 1},                  /* lengths maybe swapped */
		{0xa1b2cd34u, 4, 1},                  /* Kuznetzov's headers */
		{0xa1b2c3d4u, 4, 1u | 0x04000000u},   /* FCS bits */
		{0xa1b2c3d4u, 4, 105},                /* 802.11: not decoded */
		{0x0a0d0d0au, 4, 1},                  /* pcapng */
	};

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		file_header(false, refused[i].magic, 2, refused[i].minor, 65535, refused[i].linktype);
		flush_file();
		ck_assert_int_eq(open_ours(path, &pf, &s), 0);
	}
	/* a header cut short */
	memset(hdr, 0, sizeof(hdr));
	hdr[0] = 0xd4, hdr[1] = 0xc3, hdr[2] = 0xb2, hdr[3] = 0xa1;
	for (size_t n = 0; n < sizeof(hdr); n++)
		ck_assert_int_eq(tlsd_pcapfile_new(&pf, hdr, n, tlsd_decode_dlt_supported, src_read,
						   &s),
				 0);
}
END_TEST

/* LINKTYPE_ values map to libpcap's DLT_ values (RAW is 101 in files). */
START_TEST(tc_linktypes)
{
	static const uint32_t lts[] = {0, 1, 9, 101, 104, 108, 113, 204, 228, 229, 276};

	for (size_t i = 0; i < sizeof(lts) / sizeof(lts[0]); i++) {
		file_header(false, 0xa1b2c3d4u, 2, 4, 65535, lts[i]);
		record(1, 0, 40, 40, 40);
		flush_file();
		ck_assert_uint_eq(compare(path, 0), 1);
	}
}
END_TEST

/* libpcap swaps the CAN ID after the cooked header of SocketCAN and CAN FD
 * frames in LINUX_SLL/SLL2 files of the other byte order when the captured
 * and the original length both cover it, and nothing else: so does our
 * reader (byte-compared with libpcap in compare()). */
START_TEST(tc_socketcan)
{
	static const uint16_t protocols[] = {0x000c, 0x000d, 0x000e, 0x0800};
	static const struct {
		uint32_t linktype, hdr_len, proto_off;
	} links[] = {{113, 16, 14}, {276, 20, 0}};

	for (size_t l = 0; l < sizeof(links) / sizeof(links[0]); l++) {
		uint32_t hdr_len = links[l].hdr_len;
		const uint32_t lens[] = {hdr_len + 3, hdr_len + 4, 40};

		file_header(_i == 1, 0xa1b2c3d4u, 2, 4, 65535, links[l].linktype);
		for (size_t p = 0; p < sizeof(protocols) / sizeof(protocols[0]); p++) {
			for (size_t k = 0; k < 2 * sizeof(lens) / sizeof(lens[0]); k++) {
				uint32_t caplen = lens[k / 2];
				/* the original length too must cover the ID */
				uint32_t wirelen = k % 2 ? hdr_len + 3 : caplen;
				size_t body = w.n + 16;

				record(1, 0, caplen, wirelen, caplen);
				w.b[body + links[l].proto_off] = (uint8_t)(protocols[p] >> 8);
				w.b[body + links[l].proto_off + 1] = (uint8_t)protocols[p];
			}
		}
		compare_all_ways(24);
	}
}
END_TEST

/* Every pcap of captures/ reads the same as with libpcap. */
START_TEST(tc_captures)
{
	char dir[4096], file[4096 + 256];
	unsigned files = 0;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/captures", TLSD_SRCDIR);
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		struct tlsd_pcapfile *pf;
		struct src s;

		if (l < 5 || strcmp(e->d_name + l - 5, ".pcap") != 0)
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, e->d_name);
		if (open_ours(file, &pf, &s) == 0)
			continue; /* pcapng named .pcap, or a variant */
		tlsd_pcapfile_free(pf);
		close(s.fd);
		compare(file, 0);
		files++;
	}
	closedir(d);
	ck_assert_uint_ge(files, 50);
}
END_TEST

Suite *pcapfile_suite(void);

Suite *pcapfile_suite(void)
{
	Suite *s = suite_create("pcapfile");
	TCase *tc = tcase_create("pcapfile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, tc_layouts, 0, (int)(sizeof(layouts) / sizeof(layouts[0])));
	tcase_add_test(tc, tc_snapshot);
	tcase_add_test(tc, tc_damaged);
	tcase_add_test(tc, tc_many_sizes);
	tcase_add_test(tc, tc_shared);
	tcase_add_test(tc, tc_refused);
	tcase_add_test(tc, tc_linktypes);
	tcase_add_loop_test(tc, tc_socketcan, 0, 2);
	tcase_add_test(tc, tc_captures);
	suite_add_tcase(s, tc);
	return s;
}
