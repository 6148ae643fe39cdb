/* libpcap front end: files and live interfaces, BPF filters, record-header
 * sanity checks (tcpdump print.c), nanosecond timestamps; gzip-compressed
 * files through a `gzip -dc` child process. */
#include "tlsd/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tlsd/decode.h"
#include "tlsd/limits.h"

#define NAME_MAX_ 256
/* stdio buffer for files: libpcap freads record by record, and with the
 * default 4 KiB buffer every 4 KiB is a read() system call (262,000 of
 * them per GB, half the time of reading a hot file). 64 KiB stays in the
 * L2 cache next to the analyzer's state: 256 KiB and 1 MiB buffers read
 * as fast alone but made a whole run ~10 % slower. */
#define FILE_BUF_SIZE (64u << 10)
#define LIVE_TIMEOUT_MS 100
#define PERM_HINT "capturing needs root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities"

struct tlsd_capture {
	pcap_t *p;
	char name[NAME_MAX_]; /* file or interface, for messages */
	int dlt;
	uint32_t snaplen;     /* pcap_snapshot(), 0 when unknown */
	bool live;
	bool nano;            /* timestamps in ns (else us) */
	int fd;               /* live: selectable fd in non-blocking mode, else -1 */
	volatile sig_atomic_t stopped;
	uint64_t frames;      /* records read */
	uint64_t bad_headers; /* records whose header had to be clamped */
	pid_t gzip_pid;       /* decompressing child, 0 when none (or reaped) */
	char *iobuf;          /* the FILE's buffer; freed after pcap_close() */
};

extern char **environ;

static void set_name(struct tlsd_capture *cap, const char *name)
{
	snprintf(cap->name, sizeof(cap->name), "%s", name);
}

/* "name: msg", unless libpcap already put the name in front. */
static void errf(char *err, const char *name, const char *msg)
{
	size_t n = strlen(name);
	int w;

	/* A message longer than the buffer is cut: checking the result keeps
	 * gcc's -Wformat-truncation quiet about that deliberate truncation. */
	if (strncmp(msg, name, n) == 0 && msg[n] == ':')
		w = snprintf(err, TLSD_CAPTURE_ERRLEN, "%s", msg);
	else
		w = snprintf(err, TLSD_CAPTURE_ERRLEN, "%s: %s", name, msg);
	if (w < 0)
		err[0] = '\0';
}

static const char *dlt_name(int dlt, char *buf, size_t len)
{
	const char *name = pcap_datalink_val_to_name(dlt);
	const char *desc = pcap_datalink_val_to_description(dlt);

	if (name && desc)
		snprintf(buf, len, "%s (%s)", name, desc);
	else if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%d", dlt);
	return buf;
}

/* Link type check and optional filter: common tail of both openers. */
static int finish_open(struct tlsd_capture *cap, const char *filter, bpf_u_int32 netmask,
		       char *err)
{
	struct bpf_program prog;
	char msg[TLSD_CAPTURE_ERRLEN];
	int snap;

	cap->dlt = pcap_datalink(cap->p);
	if (!tlsd_decode_dlt_supported(cap->dlt)) {
		char dn[128];

		snprintf(msg, sizeof(msg), "unsupported link type %s; supported: %s",
			 dlt_name(cap->dlt, dn, sizeof(dn)), tlsd_decode_supported_dlts());
		errf(err, cap->name, msg);
		return -EINVAL;
	}
	snap = pcap_snapshot(cap->p);
	cap->snaplen = snap > 0 ? (uint32_t)snap : 0;
	if (!filter || !*filter)
		return 0;
	if (pcap_compile(cap->p, &prog, filter, 1, netmask) != 0) {
		snprintf(msg, sizeof(msg), "bad filter \"%s\": %s", filter, pcap_geterr(cap->p));
		errf(err, cap->name, msg);
		return -EINVAL;
	}
	if (pcap_setfilter(cap->p, &prog) != 0) {
		snprintf(msg, sizeof(msg), "cannot set filter: %s", pcap_geterr(cap->p));
		errf(err, cap->name, msg);
		pcap_freecode(&prog);
		return -EINVAL;
	}
	pcap_freecode(&prog);
	return 0;
}

/* Waits for the gzip child; true when it decompressed everything (exit 0,
 * or 2: gzip's "warning", e.g. trailing garbage ignored). */
static bool gzip_reap(struct tlsd_capture *cap)
{
	int status = 0;
	pid_t r;

	if (cap->gzip_pid <= 0)
		return true;
	do
		r = waitpid(cap->gzip_pid, &status, 0);
	while (r < 0 && errno == EINTR);
	cap->gzip_pid = 0;
	return r > 0 && WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 2);
}

#define GZIP_FAILED "gzip could not decompress the file (corrupt or truncated)"

/* libpcap reads fp (closed by pcap_close(), or here on failure) through a
 * large stdio buffer. Returns 0, or -EIO with err filled. */
static int open_stream(struct tlsd_capture *cap, FILE *fp, char *err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";

	cap->iobuf = malloc(FILE_BUF_SIZE);
	if (cap->iobuf && setvbuf(fp, cap->iobuf, _IOFBF, FILE_BUF_SIZE) != 0) {
		free(cap->iobuf);
		cap->iobuf = NULL; /* the default buffer still works */
	}
	cap->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!cap->p) {
		fclose(fp); /* libpcap leaves it open on failure */
		free(cap->iobuf);
		cap->iobuf = NULL;
		errf(err, cap->name, errbuf);
		return -EIO;
	}
	return 0;
}

/* A capture file that is not compressed, read from fd (at offset 0). */
static int open_plain(struct tlsd_capture *cap, int fd, char *err)
{
	FILE *fp = fdopen(fd, "rb");
	int r;

	if (!fp) {
		r = -errno;
		close(fd);
		errf(err, cap->name, strerror(-r));
		return r;
	}
	return open_stream(cap, fp, err);
}

/* gzip-compressed captures (magic 1f 8b), which libpcap cannot read, as
 * tshark can: a child `gzip -dc` (argv, no shell) reads the opened file on
 * its standard input and writes the capture into a pipe that libpcap reads
 * as a stream. Other files are read directly (open_plain). Returns 0 with
 * cap->p set, or a negative errno with err filled. */
static int open_file(struct tlsd_capture *cap, const char *path, char *err)
{
	static char arg0[] = "gzip", arg1[] = "-dc";
	char *const argv[] = {arg0, arg1, NULL};
	posix_spawn_file_actions_t fa;
	unsigned char magic[2];
	int fd, pfd[2], r;
	struct stat st;
	FILE *fp;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		errf(err, cap->name, strerror(-r));
		return r;
	}
	/* A pipe (`tlsdiag <(cmd)`) cannot be sniffed and rewound: read as is. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return open_plain(cap, fd, err);
	if (read(fd, magic, 2) != 2 || magic[0] != 0x1f || magic[1] != 0x8b) {
		if (lseek(fd, 0, SEEK_SET) != 0) {
			r = -errno;
			close(fd);
			errf(err, cap->name, strerror(-r));
			return r;
		}
		return open_plain(cap, fd, err);
	}
	if (lseek(fd, 0, SEEK_SET) != 0 || pipe(pfd) != 0) {
		r = -errno;
		close(fd);
		errf(err, cap->name, strerror(-r));
		return r;
	}
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	(void)fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
	r = posix_spawn_file_actions_init(&fa);
	if (r == 0) {
		if ((r = posix_spawn_file_actions_adddup2(&fa, fd, 0)) == 0 &&
		    (r = posix_spawn_file_actions_adddup2(&fa, pfd[1], 1)) == 0 &&
		    (r = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0)) == 0)
			r = posix_spawnp(&cap->gzip_pid, "gzip", &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
	}
	close(fd);
	close(pfd[1]);
	if (r != 0) {
		char msg[TLSD_CAPTURE_ERRLEN];

		cap->gzip_pid = 0;
		close(pfd[0]);
		snprintf(msg, sizeof(msg), "gzip-compressed, and gzip cannot be run: %s",
			 strerror(r));
		errf(err, cap->name, msg);
		return -EIO;
	}
	fp = fdopen(pfd[0], "rb");
	if (!fp) {
		r = -errno;
		close(pfd[0]);
		(void)gzip_reap(cap);
		errf(err, cap->name, strerror(-r));
		return r;
	}
	r = open_stream(cap, fp, err);
	if (r < 0 && !gzip_reap(cap))
		errf(err, cap->name, GZIP_FAILED);
	return r;
}

int tlsd_capture_open_file(struct tlsd_capture **out, const char *path, const char *filter,
			   char *err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct tlsd_capture *cap = calloc(1, sizeof(*cap));
	bool is_stdin = strcmp(path, "-") == 0;
	int r;

	if (!cap) {
		errf(err, path, strerror(ENOMEM));
		return -ENOMEM;
	}
	cap->fd = -1;
	set_name(cap, is_stdin ? "standard input" : path);
	if (is_stdin) { /* not sniffed (no unread) */
		cap->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
								 errbuf);
		if (!cap->p)
			errf(err, cap->name, errbuf);
		r = cap->p ? 0 : -EIO;
	} else {
		r = open_file(cap, path, err);
	}
	if (r < 0) {
		free(cap);
		return r;
	}
	cap->nano = pcap_get_tstamp_precision(cap->p) == PCAP_TSTAMP_PRECISION_NANO;
	r = finish_open(cap, filter, PCAP_NETMASK_UNKNOWN, err);
	if (r < 0) {
		tlsd_capture_close(cap);
		return r;
	}
	*out = cap;
	return 0;
}

/* pcap_activate() results in words (tcpdump's messages, plus hints). */
static void activate_error(const struct tlsd_capture *cap, int r, char *err)
{
	const char *detail = pcap_geterr(cap->p);
	char msg[TLSD_CAPTURE_ERRLEN];

	switch (r) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		snprintf(msg, sizeof(msg), "no such device");
		break;
	case PCAP_ERROR_PERM_DENIED:
		snprintf(msg, sizeof(msg), "permission denied (%s)%s%s", PERM_HINT,
			 *detail ? ": " : "", detail);
		break;
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		snprintf(msg, sizeof(msg), "promiscuous mode not permitted (%s)", PERM_HINT);
		break;
	case PCAP_ERROR_IFACE_NOT_UP:
		snprintf(msg, sizeof(msg), "interface is not up");
		break;
	case PCAP_ERROR_RFMON_NOTSUP:
		snprintf(msg, sizeof(msg), "monitor mode not supported");
		break;
	case PCAP_ERROR_ACTIVATED:
	case PCAP_ERROR:
	default:
		snprintf(msg, sizeof(msg), "%s", *detail ? detail : pcap_statustostr(r));
		break;
	}
	errf(err, cap->name, msg);
}

static void activate_warning(const struct tlsd_capture *cap, int r, char *warn)
{
	const char *detail = pcap_geterr(cap->p);
	char msg[TLSD_CAPTURE_ERRLEN];

	switch (r) {
	case PCAP_WARNING_PROMISC_NOTSUP:
		snprintf(msg, sizeof(msg), "promiscuous mode not supported%s%s",
			 *detail ? ": " : "", detail);
		break;
	case PCAP_WARNING_TSTAMP_TYPE_NOTSUP:
		snprintf(msg, sizeof(msg), "time stamp type not supported");
		break;
	case PCAP_WARNING:
	default:
		snprintf(msg, sizeof(msg), "%s", *detail ? detail : pcap_statustostr(r));
		break;
	}
	errf(warn, cap->name, msg);
}

/* The first interface libpcap would pick (like tcpdump without -i). */
static int default_iface(char *name, size_t len, char *err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *devs = NULL;

	if (pcap_findalldevs(&devs, errbuf) != 0) {
		errf(err, "interfaces", errbuf);
		return -EIO;
	}
	if (!devs) {
		errf(err, "interfaces", "no capture device found (" PERM_HINT "?)");
		return -ENODEV;
	}
	snprintf(name, len, "%s", devs->name);
	pcap_freealldevs(devs);
	return 0;
}

int tlsd_capture_open_live(struct tlsd_capture **out, const struct tlsd_live_opts *opts,
			   const char *filter, char *err, char *warn)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	char iface[NAME_MAX_];
	bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
	struct tlsd_capture *cap;
	int r;

	*warn = '\0';
	if (opts->iface && *opts->iface)
		snprintf(iface, sizeof(iface), "%s", opts->iface);
	else
		TLSD_TRY(default_iface(iface, sizeof(iface), err));
	cap = calloc(1, sizeof(*cap));
	if (!cap) {
		errf(err, iface, strerror(ENOMEM));
		return -ENOMEM;
	}
	set_name(cap, iface);
	cap->live = true;
	cap->fd = -1;
	cap->p = pcap_create(iface, errbuf);
	if (!cap->p) {
		errf(err, iface, errbuf);
		free(cap);
		return -EIO;
	}
	if (pcap_set_snaplen(cap->p, opts->snaplen > 0 ? opts->snaplen : TLSD_DEFAULT_SNAPLEN) != 0 ||
	    pcap_set_promisc(cap->p, opts->promisc) != 0 ||
	    pcap_set_immediate_mode(cap->p, opts->immediate) != 0 ||
	    pcap_set_timeout(cap->p, LIVE_TIMEOUT_MS) != 0 ||
	    (opts->buffer_kib > 0 && pcap_set_buffer_size(cap->p, opts->buffer_kib * 1024) != 0)) {
		errf(err, iface, pcap_geterr(cap->p));
		tlsd_capture_close(cap);
		return -EINVAL;
	}
	/* Nanoseconds where the platform offers them; microseconds otherwise. */
	(void)pcap_set_tstamp_precision(cap->p, PCAP_TSTAMP_PRECISION_NANO);
	r = pcap_activate(cap->p);
	if (r < 0) {
		activate_error(cap, r, err);
		tlsd_capture_close(cap);
		return r == PCAP_ERROR_PERM_DENIED || r == PCAP_ERROR_PROMISC_PERM_DENIED ? -EPERM
		       : r == PCAP_ERROR_NO_SUCH_DEVICE                                   ? -ENODEV
														  : -EIO;
	}
	if (r > 0)
		activate_warning(cap, r, warn);
	cap->nano = pcap_get_tstamp_precision(cap->p) == PCAP_TSTAMP_PRECISION_NANO;
	/* Linux TPACKET_V3 starts the read timeout only once a packet arrived:
	 * poll ourselves so an idle interface still yields TIMEOUT. */
	cap->fd = pcap_get_selectable_fd(cap->p);
	if (cap->fd >= 0 && pcap_setnonblock(cap->p, 1, errbuf) != 0)
		cap->fd = -1;
	if (pcap_lookupnet(iface, &net, &mask, errbuf) != 0)
		mask = PCAP_NETMASK_UNKNOWN; /* "any", interfaces without IPv4 */
	r = finish_open(cap, filter, mask, err);
	if (r < 0) {
		tlsd_capture_close(cap);
		return r;
	}
	*out = cap;
	return 0;
}

void tlsd_capture_close(struct tlsd_capture *cap)
{
	if (!cap)
		return;
	if (cap->p)
		pcap_close(cap->p); /* closes the pipe: an unfinished gzip ends on SIGPIPE */
	(void)gzip_reap(cap);
	free(cap->iobuf);
	free(cap);
}

static tlsd_time_ns ts_ns(const struct tlsd_capture *cap, const struct timeval *tv)
{
	/* pcap gives non-negative seconds; clamp absurd pcapng values instead of
	 * overflowing. */
	int64_t sec = (int64_t)tv->tv_sec;
	int64_t frac = (int64_t)tv->tv_usec;

	if (sec < 0)
		sec = 0;
	if (sec > INT64_MAX / TLSD_NS_PER_SEC - 1)
		sec = INT64_MAX / TLSD_NS_PER_SEC - 1;
	if (!cap->nano)
		frac *= 1000;
	if (frac < 0 || frac >= TLSD_NS_PER_SEC)
		frac = 0;
	return sec * TLSD_NS_PER_SEC + frac;
}

enum tlsd_capture_status tlsd_capture_next(struct tlsd_capture *cap, struct tlsd_frame *frame,
					   char *err)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	uint32_t caplen, wirelen;
	char msg[TLSD_CAPTURE_ERRLEN];
	int r = pcap_next_ex(cap->p, &h, &data);

	if (r == 0 && cap->fd >= 0 && !cap->stopped) {
		struct pollfd pfd = {.fd = cap->fd, .events = POLLIN};

		if (poll(&pfd, 1, LIVE_TIMEOUT_MS) > 0)
			r = pcap_next_ex(cap->p, &h, &data);
	}
	if (r == 0 && cap->stopped)
		r = PCAP_ERROR_BREAK;
	switch (r) {
	case 1:
		break;
	case 0:
		return TLSD_CAPTURE_TIMEOUT;
	case PCAP_ERROR_BREAK:
		if (cap->live || cap->stopped)
			return TLSD_CAPTURE_STOPPED;
		/* the end of a decompressed stream is only the end of the file if
		 * gzip read all of it */
		if (!gzip_reap(cap)) {
			snprintf(msg, sizeof(msg), GZIP_FAILED " (after packet %llu)",
				 (unsigned long long)cap->frames);
			errf(err, cap->name, msg);
			return TLSD_CAPTURE_ERROR;
		}
		return TLSD_CAPTURE_END;
	case PCAP_ERROR:
	default:
		if (cap->live)
			snprintf(msg, sizeof(msg), "%s", pcap_geterr(cap->p));
		else
			snprintf(msg, sizeof(msg), "%s (after packet %llu)", pcap_geterr(cap->p),
				 (unsigned long long)cap->frames);
		errf(err, cap->name, msg);
		return TLSD_CAPTURE_ERROR;
	}
	cap->frames++;
	/* Never trust the record header beyond the bytes libpcap handed us. */
	caplen = h->caplen;
	wirelen = h->len;
	if (caplen > wirelen || (cap->snaplen && caplen > cap->snaplen)) {
		cap->bad_headers++;
		caplen = TLSD_MIN(caplen, wirelen);
		if (cap->snaplen)
			caplen = TLSD_MIN(caplen, cap->snaplen);
	}
	frame->ts = ts_ns(cap, &h->ts);
	frame->caplen = caplen;
	frame->wirelen = wirelen;
	frame->dlt = cap->dlt;
	frame->data = data;
	return TLSD_CAPTURE_FRAME;
}

uint64_t tlsd_capture_bad_headers(const struct tlsd_capture *cap)
{
	return cap->bad_headers;
}

void tlsd_capture_break(struct tlsd_capture *cap)
{
	cap->stopped = 1;
	pcap_breakloop(cap->p);
}

int tlsd_capture_dlt(const struct tlsd_capture *cap)
{
	return cap->dlt;
}

int tlsd_capture_stats(struct tlsd_capture *cap, uint64_t *received, uint64_t *dropped,
		       uint64_t *if_dropped)
{
	struct pcap_stat ps;

	if (!cap->live || pcap_stats(cap->p, &ps) != 0)
		return -1;
	*received = ps.ps_recv;
	*dropped = ps.ps_drop;
	*if_dropped = ps.ps_ifdrop;
	return 0;
}

void *tlsd_capture_pcap(struct tlsd_capture *cap)
{
	return cap->p;
}

int tlsd_capture_list_interfaces(char *err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *devs = NULL;
	unsigned i = 0;

	if (pcap_findalldevs(&devs, errbuf) != 0) {
		errf(err, "interfaces", errbuf);
		return -1;
	}
	for (const pcap_if_t *d = devs; d; d = d->next) {
		const char *sep = "";

		printf("%u.%s", ++i, d->name);
		if (d->description)
			printf(" (%s)", d->description);
		printf(" [");
		if (d->flags & PCAP_IF_UP) {
			printf("Up");
			sep = ", ";
		}
		if (d->flags & PCAP_IF_RUNNING) {
			printf("%sRunning", sep);
			sep = ", ";
		}
		if (d->flags & PCAP_IF_LOOPBACK) {
			printf("%sLoopback", sep);
			sep = ", ";
		}
		if (d->flags & PCAP_IF_WIRELESS)
			printf("%sWireless", sep);
		printf("]\n");
	}
	if (i == 0)
		printf("(no interfaces found; %s)\n", PERM_HINT);
	pcap_freealldevs(devs);
	return 0;
}
