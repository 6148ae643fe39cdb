/* Unit tests for the capture front end: error texts, nanosecond timestamps,
 * filters, unsupported link types, truncated files, record-header clamping,
 * gzip, pipes, and pcapng files through our reader (per-frame link types,
 * interface names, comments, per-link-type filters, embedded key logs).
 * Pcaps are written by the test with pcap_open_dead + pcap_dump, pcapng
 * files with tests/pcapng_writer.h. */
#include <check.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pcapng_writer.h"
#include "tlsd/capture.h"
#include "tlsd/keylog.h"

#define TS_SEC 1700000000
#define TS_NSEC 123456789

static char path[64];
static char gzpath[80];

extern char **environ;

static void setup(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/tlsd-check-capture-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void teardown(void)
{
	unlink(path);
	if (*gzpath)
		unlink(gzpath);
	*gzpath = '\0';
}

/* Ethernet/IPv4 frame, TCP (proto 6) or UDP (17), padded to `len`. */
static void frame_bytes(uint8_t *b, size_t len, uint8_t proto)
{
	static const uint8_t hdr[] = {
		2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00,               /* Ethernet */
		0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, /* IPv4 */
	};

	memset(b, 0, len);
	memcpy(b, hdr, sizeof(hdr));
	b[14 + 9] = proto;
}

/* Writes n packets of `len` bytes with a given precision and link type;
 * record i has caplen `len` and wire length `len + wire_extra`. */
static void write_pcap(int dlt, int precision, int n, size_t len, uint32_t caplen_override)
{
	pcap_t *p = pcap_open_dead_with_tstamp_precision(dlt, 65535, (u_int)precision);
	pcap_dumper_t *d;
	uint8_t b[2048];

	ck_assert_ptr_nonnull(p);
	d = pcap_dump_open(p, path);
	ck_assert_msg(d != NULL, "%s", pcap_geterr(p));
	for (int i = 0; i < n; i++) {
		struct pcap_pkthdr h = {
			.ts = {.tv_sec = TS_SEC + i,
			       .tv_usec = precision == PCAP_TSTAMP_PRECISION_NANO ? TS_NSEC : 123456},
			.caplen = (bpf_u_int32)len,
			.len = (bpf_u_int32)len,
		};

		frame_bytes(b, len, i == 1 ? 17 : 6);
		if (caplen_override && i == 0)
			h.len = caplen_override; /* a record header with caplen > len */
		pcap_dump((u_char *)d, &h, b);
	}
	pcap_dump_close(d);
	pcap_close(p);
}

/* The message starts with the file name. */
static void names_file(const char *err)
{
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':', "%s", err);
}

static void has(const char *err, const char *needle)
{
	ck_assert_msg(strstr(err, needle) != NULL, "\"%s\" not in \"%s\"", needle, err);
}

static int filtered_out; /* TLSD_CAPTURE_FILTERED frames of the last read_all() */
static tlsd_time_ns last_filtered_ts;

/* Frames until the end; those the filter rejected are counted apart (they
 * come back in file order, with their time stamps). */
static int read_all(struct tlsd_capture *cap, struct tlsd_frame *first, char *err,
		    enum tlsd_capture_status *last)
{
	struct tlsd_frame f;
	int n = 0;

	filtered_out = 0;
	while ((*last = tlsd_capture_next(cap, &f, err)) == TLSD_CAPTURE_FRAME ||
	       *last == TLSD_CAPTURE_FILTERED) {
		if (*last == TLSD_CAPTURE_FILTERED) {
			ck_assert_uint_gt(f.caplen, 0);
			last_filtered_ts = f.ts;
			filtered_out++;
			continue;
		}
		if (n == 0)
			*first = f;
		n++;
	}
	return n;
}

START_TEST(tc_missing_file)
{
	struct tlsd_capture *cap = (struct tlsd_capture *)&path; /* sentinel */
	char err[TLSD_CAPTURE_ERRLEN] = "";

	ck_assert_int_lt(tlsd_capture_open_file(&cap, "/nonexistent/foo.pcap", NULL, err), 0);
	ck_assert_str_eq(err, "/nonexistent/foo.pcap: No such file or directory");
	ck_assert_ptr_eq(cap, (struct tlsd_capture *)&path);
}
END_TEST

START_TEST(tc_not_a_pcap)
{
	struct tlsd_capture *cap;
	char err[TLSD_CAPTURE_ERRLEN] = "", want[128];
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs("this is not a capture file, just some text\n", f);
	fclose(f);
	ck_assert_int_lt(tlsd_capture_open_file(&cap, path, NULL, err), 0);
	snprintf(want, sizeof(want), "%s: unknown file format", path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(tc_bad_filter)
{
	struct tlsd_capture *cap;
	char err[TLSD_CAPTURE_ERRLEN] = "";

	write_pcap(DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, 1, 60, 0);
	ck_assert_int_lt(tlsd_capture_open_file(&cap, path, "tcp port", err), 0);
	names_file(err);
	has(err, "bad filter \"tcp port\": ");
	has(err, "syntax error");
}
END_TEST

START_TEST(tc_read_nano)
{
	struct tlsd_capture *cap;
	struct tlsd_frame first;
	enum tlsd_capture_status st;
	char err[TLSD_CAPTURE_ERRLEN] = "";
	uint64_t rx, drop, ifdrop;

	write_pcap(DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, 3, 60, 0);
	ck_assert_int_eq(tlsd_capture_open_file(&cap, path, NULL, err), 0);
	ck_assert_int_eq(tlsd_capture_dlt(cap), DLT_EN10MB);
	ck_assert_int_eq(read_all(cap, &first, err, &st), 3);
	ck_assert_int_eq(st, TLSD_CAPTURE_END);
	ck_assert_int_eq(first.ts, (int64_t)TS_SEC * 1000000000 + TS_NSEC);
	ck_assert_uint_eq(first.caplen, 60);
	ck_assert_uint_eq(first.wirelen, 60);
	ck_assert_int_eq(first.dlt, DLT_EN10MB);
	ck_assert_uint_eq(tlsd_capture_bad_headers(cap), 0);
	ck_assert_int_eq(tlsd_capture_stats(cap, &rx, &drop, &ifdrop), -1);
	tlsd_capture_close(cap);
}
END_TEST

/* A microsecond pcap still yields nanoseconds. */
START_TEST(tc_read_micro)
{
	struct tlsd_capture *cap;
	struct tlsd_frame first;
	enum tlsd_capture_status st;
	char err[TLSD_CAPTURE_ERRLEN] = "";

	write_pcap(DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, 2, 60, 0);
	ck_assert_int_eq(tlsd_capture_open_file(&cap, path, NULL, err), 0);
	ck_assert_int_eq(read_all(cap, &first, err, &st), 2);
	ck_assert_int_eq(first.ts, (int64_t)TS_SEC * 1000000000 + 123456000);
	tlsd_capture_close(cap);
}
END_TEST

START_TEST(tc_filter_applied)
{
	struct tlsd_capture *cap;
	struct tlsd_frame first;
	enum tlsd_capture_status st;
	char err[TLSD_CAPTURE_ERRLEN] = "";

	write_pcap(DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, 3, 60, 0);
	ck_assert_int_eq(tlsd_capture_open_file(&cap, path, "udp", err), 0);
	ck_assert_int_eq(read_all(cap, &first, err, &st), 1);
	ck_assert_int_eq(filtered_out, 2);
	ck_assert_int_eq(last_filtered_ts, (int64_t)(TS_SEC + 2) * 1000000000 + TS_NSEC);
	ck_assert_int_eq(st, TLSD_CAPTURE_END);
	ck_assert_int_eq(first.ts, (int64_t)(TS_SEC + 1) * 1000000000 + TS_NSEC);
	tlsd_capture_close(cap);
}
END_TEST

START_TEST(tc_unsupported_dlt)
{
	struct tlsd_capture *cap;
	char err[TLSD_CAPTURE_ERRLEN] = "";

	write_pcap(DLT_IEEE802_11, PCAP_TSTAMP_PRECISION_NANO, 1, 60, 0);
	ck_assert_int_lt(tlsd_capture_open_file(&cap, path, NULL, err), 0);
	names_file(err);
	has(err, "unsupported link type IEEE802_11");
	has(err, "supported: EN10MB");
}
END_TEST

/* The last record is cut short: two frames, then an error naming the file
 * and the packet after which it happened. */
START_TEST(tc_truncated_file)
{
	struct tlsd_capture *cap;
	struct tlsd_frame first;
	enum tlsd_capture_status st;
	char err[TLSD_CAPTURE_ERRLEN] = "";

	write_pcap(DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, 3, 100, 0);
	ck_assert_int_eq(truncate(path, 24 + 3 * (16 + 100) - 50), 0);
	ck_assert_int_eq(tlsd_capture_open_file(&cap, path, NULL, err), 0);
	ck_assert_int_eq(read_all(cap, &first, err, &st), 2);
	ck_assert_int_eq(st, TLSD_CAPTURE_ERROR);
	names_file(err);
	has(err, "truncated dump file");
	has(err, "(after packet 2)");
	tlsd_capture_close(cap);
}
END_TEST

/* caplen > wire length in a record header: clamped and counted. */
START_TEST(tc_bad_record_header)
{
	struct tlsd_capture *cap;
	struct tlsd_frame first;
	enum tlsd_capture_status st;
	char err[TLSD_CAPTURE_ERRLEN] = "";

	write_pcap(DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, 2, 100, 60);
	ck_assert_int_eq(tlsd_capture_open_file(&cap, path, NULL, err), 0);
	ck_assert_int_eq(read_all(cap, &first, err, &st), 2);
	ck_assert_uint_eq(first.caplen, 60);
	ck_assert_uint_eq(first.wirelen, 60);
	ck_assert_uint_eq(tlsd_capture_bad_headers(cap), 1);
	tlsd_capture_close(cap);
}
END_TEST

/* ---- gzip-compressed files ------------------------------------------------ */

/* Compresses `path` into `gzpath` with `gzip -c` (no shell). */
static void gzip_file(void)
{
	static char a0[] = "gzip", a1[] = "-c";
	char *const argv[] = {a0, a1, path, NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = 0;

	snprintf(gzpath, sizeof(gzpath), "%s.gz", path);
	ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
	ck_assert_int_eq(posix_spawn_file_actions_addopen(&fa, 1, gzpath,
							  O_WRONLY | O_CREAT | O_TRUNC, 0600), 0);
	ck_assert_int_eq(posix_spawnp(&pid, "gzip", &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void gz_names_file(const char *err)
{
	ck_assert_msg(strncmp(err, gzpath, strlen(gzpath)) == 0 && err[strlen(gzpath)] == ':',
		      "%s", err);
}

/* A gzip-compressed pcap reads like the plain one (frames, nanoseconds,
 * filter), and closing early (gzip still writing) reaps the child. */
START_TEST(tc_gzip_read)
{
	struct tlsd_capture *cap;
	struct tlsd_frame first, f;
	enum tlsd_capture_status st;
	char err[TLSD_CAPTURE_ERRLEN] = "";

	write_pcap(DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, 200, 1000, 0);
	gzip_file();
	ck_assert_int_eq(tlsd_capture_open_file(&cap, gzpath, NULL, err), 0);
	ck_assert_int_eq(tlsd_capture_dlt(cap), DLT_EN10MB);
	ck_assert_int_eq(read_all(cap, &first, err, &st), 200);
	ck_assert_int_eq(st, TLSD_CAPTURE_END);
	ck_assert_int_eq(first.ts, (int64_t)TS_SEC * 1000000000 + TS_NSEC);
	ck_assert_uint_eq(first.caplen, 1000);
	tlsd_capture_close(cap);

	ck_assert_int_eq(tlsd_capture_open_file(&cap, gzpath, "udp", err), 0);
	ck_assert_int_eq(read_all(cap, &first, err, &st), 1);
	tlsd_capture_close(cap);

	ck_assert_int_eq(tlsd_capture_open_file(&cap, gzpath, NULL, err), 0);
	ck_assert_int_eq(tlsd_capture_next(cap, &f, err), TLSD_CAPTURE_FRAME);
	tlsd_capture_close(cap); /* 199 frames unread */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1); /* no child left */
}
END_TEST

/* Cut in the middle: frames up to the cut, then an error naming the file
 * (libpcap's truncated record, or gzip's failure at a record boundary). */
START_TEST(tc_gzip_truncated)
{
	struct tlsd_capture *cap;
	struct tlsd_frame first;
	enum tlsd_capture_status st;
	char err[TLSD_CAPTURE_ERRLEN] = "";
	struct stat sb;
	int n;

	write_pcap(DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, 200, 1000, 0);
	gzip_file();
	ck_assert_int_eq(stat(gzpath, &sb), 0);
	ck_assert_int_eq(truncate(gzpath, sb.st_size / 2), 0);
	ck_assert_int_eq(tlsd_capture_open_file(&cap, gzpath, NULL, err), 0);
	n = read_all(cap, &first, err, &st);
	ck_assert_int_lt(n, 200);
	ck_assert_int_eq(st, TLSD_CAPTURE_ERROR);
	gz_names_file(err);
	ck_assert_msg(strstr(err, "truncated") != NULL, "%s", err);
	tlsd_capture_close(cap);
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
}
END_TEST

/* gzip magic, then garbage: the open fails and says gzip could not
 * decompress it. */
START_TEST(tc_gzip_corrupt)
{
	struct tlsd_capture *cap;
	char err[TLSD_CAPTURE_ERRLEN] = "";
	FILE *f;

	snprintf(gzpath, sizeof(gzpath), "%s.gz", path);
	f = fopen(gzpath, "w");
	ck_assert_ptr_nonnull(f);
	fputs("\x1f\x8b this is not deflate data at all, not even close", f);
	fclose(f);
	ck_assert_int_lt(tlsd_capture_open_file(&cap, gzpath, NULL, err), 0);
	gz_names_file(err);
	has(err, "gzip could not decompress");
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
}
END_TEST

/* ---- pcapng files (our reader) -------------------------------------------- */

static void write_bytes(const char *p, const uint8_t *b, size_t len)
{
	FILE *f = fopen(p, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* BSD loopback (DLT_NULL): AF_INET in host order, then the IPv4 header of
 * frame_bytes(). */
static void null_frame(uint8_t *b, size_t len, uint8_t proto)
{
	uint8_t eth[64];
	uint32_t af = 2;

	frame_bytes(eth, sizeof(eth), proto);
	memset(b, 0, len);
	memcpy(b, &af, 4);
	memcpy(b + 4, eth + 14, len - 4 < sizeof(eth) - 14 ? len - 4 : sizeof(eth) - 14);
}

/* Two interfaces of different link types (what libpcap refuses): eth0
 * (Ethernet, ns) and lo0 (BSD loopback, us, one hour of if_tsoffset); a TCP
 * and a UDP packet on each, the first with a comment; and a TLS key log. */
static void write_pcapng_multi(bool le)
{
	static const char keylog[] =
		"CLIENT_RANDOM 0101010101010101010101010101010101010101010101010101010101010101 "
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
		"202122232425262728292a2b2c2d2e2f\n";
	struct ngw w = {0};
	uint8_t eth_tcp[60], eth_udp[60], lo_tcp[44], lo_udp[44];

	frame_bytes(eth_tcp, sizeof(eth_tcp), 6);
	frame_bytes(eth_udp, sizeof(eth_udp), 17);
	null_frame(lo_tcp, sizeof(lo_tcp), 6);
	null_frame(lo_udp, sizeof(lo_udp), 17);
	ngw_shb(&w, le);
	ngw_dsb(&w, 0x544c534bu, keylog, sizeof(keylog) - 1);
	ngw_idb(&w, 1, 262144, "eth0", 9, 0);
	ngw_idb(&w, 0, 262144, "lo0", -1, 3600);
	ngw_epb(&w, 0, (uint64_t)TS_SEC * 1000000000 + TS_NSEC, eth_tcp, 60, 60, "first packet");
	ngw_epb(&w, 1, (uint64_t)TS_SEC * 1000000 + 1, lo_tcp, 44, 44, NULL);
	ngw_epb(&w, 0, (uint64_t)TS_SEC * 1000000000 + 2, eth_udp, 60, 60, NULL);
	ngw_epb(&w, 1, (uint64_t)TS_SEC * 1000000 + 3, lo_udp, 44, 44, NULL);
	write_bytes(path, w.b, w.len);
	ngw_free(&w);
}

START_TEST(tc_pcapng_multi_link)
{
	struct tlsd_keylog *kl = tlsd_keylog_new();
	struct tlsd_file_opts o = {.secrets = kl};
	struct tlsd_capture *cap;
	struct tlsd_frame f[4];
	struct tlsd_secret sec;
	uint8_t r1[32];
	char err[TLSD_CAPTURE_ERRLEN] = "";

	write_pcapng_multi(_i == 1);
	ck_assert_int_eq(tlsd_capture_open_file_opts(&cap, path, &o, err), 0);
	ck_assert_int_eq(tlsd_capture_dlt(cap), DLT_EN10MB);
	/* the key log came before the first interface: loaded at the open */
	ck_assert_uint_eq(tlsd_capture_secrets_blocks(cap), 1);
	memset(r1, 1, sizeof(r1));
	ck_assert(tlsd_keylog_get(kl, r1, TLSD_KEYLOG_CLIENT_RANDOM, &sec));
	ck_assert_uint_eq(sec.len, 48);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(tlsd_capture_next(cap, &f[i], err), TLSD_CAPTURE_FRAME);
		ck_assert_str_eq(f[i].iface, i % 2 ? "lo0" : "eth0");
		ck_assert_int_eq(f[i].dlt, i % 2 ? DLT_NULL : DLT_EN10MB);
		ck_assert_uint_eq(f[i].caplen, i % 2 ? 44 : 60);
		ck_assert_uint_eq(f[i].wirelen, f[i].caplen);
	}
	ck_assert_int_eq(f[0].ts, (int64_t)TS_SEC * 1000000000 + TS_NSEC);
	ck_assert_int_eq(f[1].ts, (int64_t)(TS_SEC + 3600) * 1000000000 + 1000);
	ck_assert_int_eq(f[2].ts, (int64_t)TS_SEC * 1000000000 + 2);
	ck_assert_uint_eq(f[0].comment_len, 12);
	ck_assert_ptr_null(f[2].comment);
	ck_assert_int_eq(tlsd_capture_next(cap, &f[0], err), TLSD_CAPTURE_END);
	tlsd_capture_close(cap);
	tlsd_keylog_free(kl);
}
END_TEST

/* A filter is compiled for each link type: "tcp" keeps the TCP packet of
 * both interfaces; "ether src 02:00:00:00:00:02" cannot apply to the
 * loopback, whose packets it then does not match. */
START_TEST(tc_pcapng_filter)
{
	struct tlsd_capture *cap;
	struct tlsd_frame f;
	char err[TLSD_CAPTURE_ERRLEN] = "";
	int n = 0;

	enum tlsd_capture_status st;
	int out = 0;

	write_pcapng_multi(false);
	ck_assert_int_eq(tlsd_capture_open_file(&cap, path, "tcp", err), 0);
	while ((st = tlsd_capture_next(cap, &f, err)) == TLSD_CAPTURE_FRAME ||
	       st == TLSD_CAPTURE_FILTERED) {
		if (st == TLSD_CAPTURE_FILTERED) {
			out++; /* the UDP packets, returned only for their time */
			continue;
		}
		ck_assert_str_eq(f.iface, n ? "lo0" : "eth0");
		n++;
	}
	ck_assert_int_eq(st, TLSD_CAPTURE_END);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(out, 2);
	tlsd_capture_close(cap);

	n = 0;
	out = 0;
	ck_assert_int_eq(tlsd_capture_open_file(&cap, path, "ether src 02:00:00:00:00:02", err), 0);
	while ((st = tlsd_capture_next(cap, &f, err)) == TLSD_CAPTURE_FRAME ||
	       st == TLSD_CAPTURE_FILTERED) {
		if (st == TLSD_CAPTURE_FILTERED) {
			out++;
			continue;
		}
		ck_assert_str_eq(f.iface, "eth0");
		n++;
	}
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(out, 2);
	tlsd_capture_close(cap);

	ck_assert_int_lt(tlsd_capture_open_file(&cap, path, "tcp port", err), 0);
	names_file(err);
	has(err, "bad filter \"tcp port\": ");
}
END_TEST

/* Key logs are ignored without a place to put them; the file reads alike. */
START_TEST(tc_pcapng_no_keylog)
{
	struct tlsd_capture *cap;
	struct tlsd_frame first;
	enum tlsd_capture_status st;
	char err[TLSD_CAPTURE_ERRLEN] = "";

	write_pcapng_multi(true);
	ck_assert_int_eq(tlsd_capture_open_file(&cap, path, NULL, err), 0);
	ck_assert_int_eq(read_all(cap, &first, err, &st), 4);
	ck_assert_int_eq(st, TLSD_CAPTURE_END);
	ck_assert_uint_eq(tlsd_capture_secrets_blocks(cap), 0);
	tlsd_capture_close(cap);
}
END_TEST

/* Cut inside the last block: three frames, then an error naming the file,
 * the block's offset and the packet after which it happened. */
START_TEST(tc_pcapng_truncated)
{
	struct tlsd_capture *cap;
	struct tlsd_frame first;
	enum tlsd_capture_status st;
	char err[TLSD_CAPTURE_ERRLEN] = "";
	struct stat sb;

	write_pcapng_multi(false);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(truncate(path, sb.st_size - 10), 0);
	ck_assert_int_eq(tlsd_capture_open_file(&cap, path, NULL, err), 0);
	ck_assert_int_eq(read_all(cap, &first, err, &st), 3);
	ck_assert_int_eq(st, TLSD_CAPTURE_ERROR);
	names_file(err);
	has(err, "pcapng block at offset ");
	has(err, "the file ends inside the block");
	has(err, "(after packet 3)");
	tlsd_capture_close(cap);
}
END_TEST

/* gzip-compressed pcapng goes through gzip and then our reader. */
START_TEST(tc_pcapng_gzip)
{
	struct tlsd_capture *cap;
	struct tlsd_frame first;
	enum tlsd_capture_status st;
	char err[TLSD_CAPTURE_ERRLEN] = "";

	write_pcapng_multi(false);
	gzip_file();
	ck_assert_int_eq(tlsd_capture_open_file(&cap, gzpath, "udp", err), 0);
	ck_assert_int_eq(read_all(cap, &first, err, &st), 2);
	ck_assert_int_eq(st, TLSD_CAPTURE_END);
	ck_assert_str_eq(first.iface, "eth0");
	tlsd_capture_close(cap);
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
}
END_TEST

/* Only a link type we do not decode: the end of the file says so, as the
 * open does for a pcap file. */
START_TEST(tc_pcapng_unsupported)
{
	struct ngw w = {0};
	struct tlsd_capture *cap;
	struct tlsd_frame first;
	enum tlsd_capture_status st;
	char err[TLSD_CAPTURE_ERRLEN] = "";
	uint8_t b[60];

	frame_bytes(b, sizeof(b), 6);
	ngw_shb(&w, true);
	ngw_idb(&w, 105 /* IEEE802_11 */, 0, "wlan0", -1, 0);
	ngw_epb(&w, 0, 0, b, 60, 60, NULL);
	write_bytes(path, w.b, w.len);
	ngw_free(&w);
	ck_assert_int_eq(tlsd_capture_open_file(&cap, path, NULL, err), 0);
	ck_assert_int_eq(read_all(cap, &first, err, &st), 1);
	ck_assert_int_eq(st, TLSD_CAPTURE_ERROR);
	names_file(err);
	has(err, "unsupported link type IEEE802_11");
	tlsd_capture_close(cap);
}
END_TEST

/* A pcap file read through a pipe: its sniffed first bytes are handed back
 * to libpcap. */
START_TEST(tc_pipe_pcap)
{
	struct tlsd_capture *cap;
	struct tlsd_frame first;
	enum tlsd_capture_status st;
	char err[TLSD_CAPTURE_ERRLEN] = "", dev[32];
	int pfd[2], status;
	pid_t pid;

	write_pcap(DLT_EN10MB, PCAP_TSTAMP_PRECISION_NANO, 3, 60, 0);
	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(path, O_RDONLY);
		char buf[512];
		ssize_t n;

		close(pfd[0]);
		while (fd >= 0 && (n = read(fd, buf, 3)) > 0) /* small writes */
			if (write(pfd[1], buf, (size_t)n) != n)
				_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	snprintf(dev, sizeof(dev), "/dev/fd/%d", pfd[0]);
	ck_assert_int_eq(tlsd_capture_open_file(&cap, dev, NULL, err), 0);
	ck_assert_int_eq(read_all(cap, &first, err, &st), 3);
	ck_assert_int_eq(st, TLSD_CAPTURE_END);
	ck_assert_int_eq(first.ts, (int64_t)TS_SEC * 1000000000 + TS_NSEC);
	ck_assert_ptr_null(first.iface);
	tlsd_capture_close(cap);
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
}
END_TEST

/* A live open of an interface that does not exist fails in words. */
START_TEST(tc_live_no_such_device)
{
	struct tlsd_live_opts o = {.iface = "tlsd-nonexistent0"};
	struct tlsd_capture *cap;
	char err[TLSD_CAPTURE_ERRLEN] = "", warn[TLSD_CAPTURE_ERRLEN] = "";

	ck_assert_int_lt(tlsd_capture_open_live(&cap, &o, NULL, err, warn), 0);
	ck_assert_msg(strncmp(err, "tlsd-nonexistent0: ", 19) == 0, "%s", err);
	/* unprivileged: permission denied with the capability hint */
	ck_assert_msg(strstr(err, "no such device") || strstr(err, "CAP_NET_RAW"), "%s", err);
}
END_TEST

Suite *capture_suite(void);
Suite *capture_suite(void)
{
	Suite *s = suite_create("capture");
	struct {
		const char *name;
		const TTest *t;
	} cases[] = {
		{"tc_missing_file", tc_missing_file},
		{"tc_not_a_pcap", tc_not_a_pcap},
		{"tc_bad_filter", tc_bad_filter},
		{"tc_read_nano", tc_read_nano},
		{"tc_read_micro", tc_read_micro},
		{"tc_filter_applied", tc_filter_applied},
		{"tc_unsupported_dlt", tc_unsupported_dlt},
		{"tc_truncated_file", tc_truncated_file},
		{"tc_bad_record_header", tc_bad_record_header},
		{"tc_gzip_read", tc_gzip_read},
		{"tc_gzip_truncated", tc_gzip_truncated},
		{"tc_gzip_corrupt", tc_gzip_corrupt},
		{"tc_pcapng_filter", tc_pcapng_filter},
		{"tc_pcapng_no_keylog", tc_pcapng_no_keylog},
		{"tc_pcapng_truncated", tc_pcapng_truncated},
		{"tc_pcapng_gzip", tc_pcapng_gzip},
		{"tc_pcapng_unsupported", tc_pcapng_unsupported},
		{"tc_pipe_pcap", tc_pipe_pcap},
		{"tc_live_no_such_device", tc_live_no_such_device},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_add_test(tc, cases[i].t);
		suite_add_tcase(s, tc);
	}
	{
		/* both byte orders */
		TCase *tc = tcase_create("tc_pcapng_multi_link");

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_add_loop_test(tc, tc_pcapng_multi_link, 0, 2);
		suite_add_tcase(s, tc);
	}
	return s;
}
