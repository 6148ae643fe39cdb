/* Capture front end: files and live interfaces, BPF filters, record-header
 * sanity checks (tcpdump print.c), nanosecond timestamps; gzip-compressed
 * files through a `gzip -dc` child process. Live capture goes through
 * libpcap; pcapng files through our own reader (pcapng.c), since libpcap
 * 1.10 refuses interfaces with different link types; pcap files through
 * our own reader too (pcapfile.c: records handed over in place, not
 * copied twice), except the old format variants, left to libpcap. The
 * first bytes of every input are sniffed, pipes and standard input
 * included. */
#define _GNU_SOURCE /* fopencookie: sniffed bytes handed back to libpcap */
#include "tlsd/capture.h"

#include <errno.h>
#ifdef __linux__
#include <linux/if_packet.h>
#include <sys/socket.h>
#endif
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tlsd/decode.h"
#include "tlsd/keylog.h"
#include "tlsd/limits.h"
#include "tlsd/pcapfile.h"
#include "tlsd/pcapng.h"

#define NAME_MAX_ 256
/* stdio buffer for files: libpcap freads record by record, and with the
 * default 4 KiB buffer every 4 KiB is a read() system call (262,000 of
 * them per GB, half the time of reading a hot file). 64 KiB stays in the
 * L2 cache next to the analyzer's state: 256 KiB and 1 MiB buffers read
 * as fast alone but made a whole run ~10 % slower. */
#define FILE_BUF_SIZE (64u << 10)
/* Live read timeout: without immediate mode, the longest a packet waits in
 * a TPACKET_V3 block before the kernel hands the block over (reports stay
 * well within a second of the failure), and the poll() that lets a signal
 * or --duration stop an idle capture. */
#define LIVE_TIMEOUT_MS 100
/* A pipe (`tcpdump -w - | tlsdiag -`) idle this long: the same bound on how
 * long a report waits. */
#define STREAM_IDLE_MS 100
#define PERM_HINT "capturing needs root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities"
/* Enough for a pcap file header: its version and link type decide the reader. */
#define SNIFF_LEN TLSD_PCAPFILE_HDR_LEN
/* Distinct link types with a compiled filter in one pcapng file. */
#define MAX_FILTERS 64u

/* A file descriptor whose first bytes were already read to sniff the
 * format: they are returned first. */
struct fd_src {
	int fd;
	uint8_t pre[SNIFF_LEN];
	size_t pre_len, pre_off;
	/* A pipe read by our readers: when no input came for STREAM_IDLE_MS,
	 * a read returns -EAGAIN once (the capture says TIMEOUT, and what the
	 * workers and the output hold is handed out), then blocks. */
	bool idle_check;
	bool idle_reported;
};

/* The filter compiled for one link type of a pcapng file. usable: false
 * when it cannot apply to that link type (it then matches nothing). */
struct ng_filter {
	int dlt;
	bool usable;
	struct bpf_program prog;
};

struct tlsd_capture {
	pcap_t *p;            /* libpcap: live capture, old pcap variants */
	struct tlsd_pcapng *ng; /* or our pcapng reader */
	struct tlsd_pcapfile *pf; /* or our pcap reader */
	struct fd_src src;    /* our readers' input (closed by us) */
	struct fd_src cookie; /* libpcap's input after sniffing a stream (its FILE closes it) */
	char *filter;         /* pcapng: the filter expression, or NULL */
	struct ng_filter *filters;
	uint32_t n_filters;
	uint32_t last_filter; /* index of the last used, for the common case */
	struct bpf_program file_prog; /* pcap file: the filter, run by us */
	bool file_filter;             /* file_prog is compiled */
	struct tlsd_keylog *secrets; /* pcapng: where TLS key logs go, or NULL */
	uint64_t secrets_bytes;      /* key log bytes loaded from this file */
	uint64_t secrets_blocks;     /* TLS key log blocks loaded */
	uint64_t frames_supported;   /* pcapng: frames of a link type we decode */
	int unsupported_dlt;         /* pcapng: a link type of the others, or -1 */
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
	/* Not snprintf("%s"): gcc 12 with the sanitizers inlines this and
	 * then warns that the argument may be null (-Wformat-truncation). */
	size_t n = name ? strnlen(name, sizeof(cap->name) - 1) : 0;

	if (n)
		memcpy(cap->name, name, n);
	cap->name[n] = '\0';
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

/* Compiles filter with libpcap's handle p, or, without one (our readers),
 * for link type dlt on a dead handle. Returns 0, -EINVAL with msg ("bad
 * filter ...") filled, or -ENOMEM. */
static int compile_filter(pcap_t *p, int dlt, int snaplen, const char *filter,
			  bpf_u_int32 netmask, struct bpf_program *prog, char *msg, size_t msglen)
{
	pcap_t *compiler = p ? p : pcap_open_dead(dlt, snaplen);
	int r;

	if (!compiler)
		return -ENOMEM;
	r = pcap_compile(compiler, prog, filter, 1, netmask) == 0 ? 0 : -EINVAL;
	if (r < 0)
		snprintf(msg, msglen, "bad filter \"%s\": %s", filter, pcap_geterr(compiler));
	if (compiler != p)
		pcap_close(compiler);
	return r;
}

/* Link type check and optional filter: common tail of both openers. */
static int finish_open(struct tlsd_capture *cap, const char *filter, bpf_u_int32 netmask,
		       char *err)
{
	struct bpf_program prog;
	char msg[TLSD_CAPTURE_ERRLEN];
	int snap, r;

	if (cap->pf) {
		cap->dlt = tlsd_pcapfile_dlt(cap->pf);
		cap->snaplen = tlsd_pcapfile_snaplen(cap->pf);
	} else {
		cap->dlt = pcap_datalink(cap->p);
		snap = pcap_snapshot(cap->p);
		cap->snaplen = snap > 0 ? (uint32_t)snap : 0;
	}
	if (!tlsd_decode_dlt_supported(cap->dlt)) {
		char dn[128];

		snprintf(msg, sizeof(msg), "unsupported link type %s; supported: %s",
			 dlt_name(cap->dlt, dn, sizeof(dn)), tlsd_decode_supported_dlts());
		errf(err, cap->name, msg);
		return -EINVAL;
	}
	if (!filter || !*filter)
		return 0;
	/* Our pcap reader has no pcap_t: the file's link type then. */
	r = compile_filter(cap->p, cap->dlt, (int)cap->snaplen, filter, netmask, &prog, msg,
			   sizeof(msg));
	if (r < 0) {
		errf(err, cap->name, r == -ENOMEM ? strerror(ENOMEM) : msg);
		return r;
	}
	if (!cap->live) {
		/* Files: the packets the filter rejects are still read (libpcap
		 * would run the same BPF program on them in user space) and
		 * returned as TLSD_CAPTURE_FILTERED. */
		cap->file_prog = prog;
		cap->file_filter = true;
		return 0;
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
	/* Only the thread that reads the capture touches fp: no stdio lock
	 * per fread (it costs as much as the read itself once worker threads
	 * exist, --threads). */
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
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

/* A capture file that is not compressed, read by libpcap from fd (at the
 * start of the capture). */
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

/* ---- reading the sniffed bytes back ------------------------------------ */

static ssize_t fd_src_read(void *ud, uint8_t *buf, size_t n)
{
	struct fd_src *s = ud;
	ssize_t r;

	if (s->pre_off < s->pre_len) {
		size_t k = TLSD_MIN(n, s->pre_len - s->pre_off);

		memcpy(buf, s->pre + s->pre_off, k);
		s->pre_off += k;
		return (ssize_t)k;
	}
	if (s->idle_check && !s->idle_reported) {
		struct pollfd pfd = {.fd = s->fd, .events = POLLIN};

		/* A signal (EINTR) also returns, so that a stop is seen. */
		if (poll(&pfd, 1, STREAM_IDLE_MS) <= 0) {
			s->idle_reported = true;
			return -EAGAIN;
		}
	}
	s->idle_reported = false;
	do
		r = read(s->fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static ssize_t cookie_read(void *ud, char *buf, size_t n)
{
	ssize_t r = fd_src_read(ud, (uint8_t *)buf, n);

	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

static int cookie_close(void *ud)
{
	struct fd_src *s = ud;

	return close(s->fd);
}

/* Reads up to SNIFF_LEN bytes (fewer only at the end of the input). */
static int sniff(int fd, uint8_t *buf, size_t *got)
{
	size_t n = 0;

	while (n < SNIFF_LEN) {
		ssize_t r = read(fd, buf + n, SNIFF_LEN - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*got = n;
	return 0;
}

/* ---- pcapng: our reader ------------------------------------------------- */

/* The filter for a link type, compiled on first use (pcap_open_dead +
 * pcap_compile, run with pcap_offline_filter). For the file's first
 * interface a filter that does not compile is an error (as for a pcap
 * file); for a later link type it matches nothing there (e.g. "ether host"
 * on a loopback interface). Returns the index, or -1 with err filled. */
static int filter_for(struct tlsd_capture *cap, int dlt, bool first, char *err)
{
	char msg[TLSD_CAPTURE_ERRLEN];
	struct ng_filter *f;
	int r;

	if (cap->last_filter < cap->n_filters && cap->filters[cap->last_filter].dlt == dlt)
		return (int)cap->last_filter;
	for (uint32_t i = 0; i < cap->n_filters; i++) {
		if (cap->filters[i].dlt == dlt) {
			cap->last_filter = i;
			return (int)i;
		}
	}
	if (cap->n_filters >= MAX_FILTERS) {
		errf(err, cap->name, "too many link types with a filter");
		return -1;
	}
	if (!cap->filters) {
		cap->filters = calloc(MAX_FILTERS, sizeof(*cap->filters));
		if (!cap->filters) {
			errf(err, cap->name, strerror(ENOMEM));
			return -1;
		}
	}
	f = &cap->filters[cap->n_filters];
	*f = (struct ng_filter){.dlt = dlt};
	r = compile_filter(NULL, dlt, TLSD_DEFAULT_SNAPLEN, cap->filter, PCAP_NETMASK_UNKNOWN,
			   &f->prog, msg, sizeof(msg));
	if (r == -ENOMEM || (r < 0 && first)) {
		errf(err, cap->name, r == -ENOMEM ? strerror(ENOMEM) : msg);
		return -1;
	}
	f->usable = r == 0;
	cap->last_filter = cap->n_filters;
	return (int)cap->n_filters++;
}

/* A Decryption Secrets Block: a TLS key log goes where --keylog's go. The
 * bytes loaded from one file are capped like a key log file. */
static void take_secrets(struct tlsd_capture *cap, const struct tlsd_pcapng_event *ev)
{
	if (ev->secrets_type != TLSD_PCAPNG_SECRETS_TLS || !cap->secrets ||
	    cap->secrets_bytes + ev->secrets_len > TLSD_KEYLOG_MAX_FILE)
		return;
	cap->secrets_bytes += ev->secrets_len;
	if (tlsd_keylog_load_mem(cap->secrets, ev->secrets, ev->secrets_len) == 0)
		cap->secrets_blocks++;
}

static void ng_error(struct tlsd_capture *cap, const char *msg, char *err)
{
	char m[TLSD_CAPTURE_ERRLEN];

	snprintf(m, sizeof(m), "%s (after packet %llu)", msg, (unsigned long long)cap->frames);
	errf(err, cap->name, m);
}

/* Reads up to the first interface (and the key logs before it), so that
 * the link type is known and a bad filter fails the open. A file with no
 * interface at all is empty. */
static int ng_start(struct tlsd_capture *cap, char *err)
{
	char msg[TLSD_PCAPNG_ERRLEN];
	struct tlsd_pcapng_event ev;

	cap->dlt = -1;
	for (;;) {
		switch (tlsd_pcapng_next(cap->ng, &ev, msg)) {
		case TLSD_PCAPNG_SECRETS:
			take_secrets(cap, &ev);
			continue;
		case TLSD_PCAPNG_INTERFACE:
			cap->dlt = tlsd_pcapng_iface(cap->ng, ev.iface)->dlt;
			if (cap->filter && filter_for(cap, cap->dlt, true, err) < 0)
				return -EINVAL;
			return 0;
		case TLSD_PCAPNG_END:
			return 0;
		case TLSD_PCAPNG_AGAIN: /* not before the open is done; harmless */
			continue;
		case TLSD_PCAPNG_ERROR:
			errf(err, cap->name, msg);
			return -EIO;
		case TLSD_PCAPNG_PACKET: /* the reader refuses packets before an interface */
		default:
			errf(err, cap->name, "internal error: packet before any interface");
			return -EIO;
		}
	}
}

static int open_pcapng(struct tlsd_capture *cap, int fd, const uint8_t *pre, size_t pre_len,
		       char *err)
{
	cap->src.fd = fd;
	memcpy(cap->src.pre, pre, pre_len);
	cap->src.pre_len = pre_len;
	cap->src.pre_off = 0;
	cap->ng = tlsd_pcapng_new(fd_src_read, &cap->src);
	if (!cap->ng) {
		close(fd);
		cap->src.fd = -1;
		errf(err, cap->name, strerror(ENOMEM));
		return -ENOMEM;
	}
	return 0;
}

/* libpcap on an input whose first bytes were read already: a FILE that
 * returns them first. */
static int open_cookie(struct tlsd_capture *cap, int fd, const uint8_t *pre, size_t pre_len,
		       char *err)
{
	cookie_io_functions_t io = {.read = cookie_read, .close = cookie_close};
	FILE *fp;

	cap->cookie.fd = fd;
	memcpy(cap->cookie.pre, pre, pre_len);
	cap->cookie.pre_len = pre_len;
	cap->cookie.pre_off = 0;
	fp = fopencookie(&cap->cookie, "rb", io);
	if (!fp) {
		int r = -errno;

		close(fd);
		errf(err, cap->name, strerror(-r));
		return r;
	}
	return open_stream(cap, fp, err);
}

/* A pcap file whose first `got` bytes are in pre (already consumed from
 * fd when `consumed`): our reader when it takes the file, else libpcap. */
static int open_pcap(struct tlsd_capture *cap, int fd, const uint8_t *pre, size_t got,
		     bool consumed, char *err)
{
	int r = tlsd_pcapfile_new(&cap->pf, pre, got, tlsd_decode_dlt_supported, fd_src_read,
				  &cap->src);

	if (r < 0) {
		close(fd);
		errf(err, cap->name, strerror(-r));
		return r;
	}
	if (r == 0)
		return consumed ? open_cookie(cap, fd, pre, got, err) : open_plain(cap, fd, err);
	/* Our reader goes on after the header, which it has. */
	if (!consumed && lseek(fd, TLSD_PCAPFILE_HDR_LEN, SEEK_CUR) < 0) {
		r = -errno;
		tlsd_pcapfile_free(cap->pf);
		cap->pf = NULL;
		close(fd);
		errf(err, cap->name, strerror(-r));
		return r;
	}
	cap->src = (struct fd_src){.fd = fd};
	return 0;
}

/* fd is an uncompressed capture (a regular file at its start, a pipe, the
 * output of gzip): pcapng goes to our reader, pcap to ours or libpcap. */
static int open_sniffed(struct tlsd_capture *cap, int fd, bool seekable, char *err)
{
	uint8_t pre[SNIFF_LEN];
	size_t got = 0;

	if (seekable) {
		off_t at = lseek(fd, 0, SEEK_CUR);
		ssize_t n = at < 0 ? -1 : pread(fd, pre, SNIFF_LEN, at);

		if (n < 0)
			seekable = false; /* read it like a pipe */
		else if (!tlsd_pcapng_magic(pre, (size_t)n))
			return open_pcap(cap, fd, pre, (size_t)n, false, err);
	}
	if (!seekable) {
		int r = sniff(fd, pre, &got);

		if (r < 0) {
			close(fd);
			errf(err, cap->name, strerror(-r));
			return r;
		}
		if (!tlsd_pcapng_magic(pre, got))
			return open_pcap(cap, fd, pre, got, true, err);
	}
	return open_pcapng(cap, fd, pre, got, err);
}

/* gzip-compressed captures (magic 1f 8b), which libpcap cannot read, as
 * tshark can: a child `gzip -dc` (argv, no shell) reads the opened file on
 * its standard input and writes the capture into a pipe that is read as a
 * stream. Other files are read directly (open_sniffed). Returns 0 with
 * cap->p or cap->ng set, or a negative errno with err filled. */
static int open_file(struct tlsd_capture *cap, const char *path, char *err)
{
	static char arg0[] = "gzip", arg1[] = "-dc";
	char *const argv[] = {arg0, arg1, NULL};
	posix_spawn_file_actions_t fa;
	unsigned char magic[2];
	int fd, pfd[2], r;
	struct stat st;
	off_t at;

	if (strcmp(path, "-") == 0)
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		errf(err, cap->name, strerror(-r));
		return r;
	}
	/* A pipe (`tlsdiag <(cmd)`, stdin) cannot be rewound: sniffed as a stream. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return open_sniffed(cap, fd, false, err);
	at = lseek(fd, 0, SEEK_CUR);
	if (at < 0 || pread(fd, magic, 2, at) != 2 || magic[0] != 0x1f || magic[1] != 0x8b)
		return open_sniffed(cap, fd, true, err);
	if (pipe(pfd) != 0) {
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
	r = open_sniffed(cap, pfd[0], false, err);
	if (r < 0 && !gzip_reap(cap))
		errf(err, cap->name, GZIP_FAILED);
	return r;
}

int tlsd_capture_open_file_opts(struct tlsd_capture **out, const char *path,
				const struct tlsd_file_opts *opts, char *err)
{
	struct tlsd_capture *cap = calloc(1, sizeof(*cap));
	const char *filter = opts ? opts->filter : NULL;
	int r;

	if (!cap) {
		errf(err, path, strerror(ENOMEM));
		return -ENOMEM;
	}
	cap->fd = -1;
	cap->src.fd = -1;
	cap->unsupported_dlt = -1;
	cap->secrets = opts ? opts->secrets : NULL;
	set_name(cap, strcmp(path, "-") == 0 ? "standard input" : path);
	r = open_file(cap, path, err);
	if (r < 0) {
		(void)gzip_reap(cap);
		free(cap);
		return r;
	}
	if (cap->ng) {
		if (filter && *filter) {
			cap->filter = strdup(filter);
			if (!cap->filter) {
				errf(err, cap->name, strerror(ENOMEM));
				tlsd_capture_close(cap);
				return -ENOMEM;
			}
		}
		cap->nano = true;
		r = ng_start(cap, err);
	} else if (cap->pf) {
		cap->nano = true;
		r = finish_open(cap, filter, PCAP_NETMASK_UNKNOWN, err);
	} else {
		cap->nano = pcap_get_tstamp_precision(cap->p) == PCAP_TSTAMP_PRECISION_NANO;
		r = finish_open(cap, filter, PCAP_NETMASK_UNKNOWN, err);
	}
	if (r < 0) {
		tlsd_capture_close(cap);
		return r;
	}
	if (cap->src.fd >= 0) {
		struct stat st;

		cap->src.idle_check = fstat(cap->src.fd, &st) == 0 && !S_ISREG(st.st_mode);
	}
	*out = cap;
	return 0;
}

int tlsd_capture_open_file(struct tlsd_capture **out, const char *path, const char *filter,
			   char *err)
{
	struct tlsd_file_opts o = {.filter = filter};

	return tlsd_capture_open_file_opts(out, path, &o, err);
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

/* PACKET_FANOUT on libpcap's socket, after pcap_activate() bound it to the
 * interface (as Suricata and Zeek's AF_PACKET plugin do; libpcap has no
 * call for it). Every member of a group must ask for the same mode. */
static int join_fanout(struct tlsd_capture *cap, uint16_t group, char *err)
{
#ifdef PACKET_FANOUT
	int fd = pcap_fileno(cap->p);
	/* The mode and flags in the upper 16 bits; FLAG_DEFRAG (0x8000) << 16
	 * does not fit an int, so the value is built unsigned. */
	uint32_t arg = (uint32_t)group | ((uint32_t)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16);
	char msg[TLSD_CAPTURE_ERRLEN];

	if (fd >= 0 && setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) == 0)
		return 0;
	snprintf(msg, sizeof(msg),
		 "cannot join fanout group %u: %s (every process of a group must capture on the "
		 "same interface with the same --fanout)",
		 (unsigned)group, fd < 0 ? "no capture socket" : strerror(errno));
	errf(err, cap->name, msg);
	return -1;
#else
	(void)group;
	errf(err, cap->name, "--fanout needs Linux PACKET_FANOUT");
	return -1;
#endif
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
	    pcap_set_buffer_size(cap->p, (opts->buffer_kib > 0 ? opts->buffer_kib
								  : TLSD_LIVE_BUFFER_KIB_DEFAULT) *
						 1024) != 0) {
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
	if (opts->fanout && join_fanout(cap, opts->fanout_group, err) < 0) {
		tlsd_capture_close(cap);
		return -EINVAL;
	}
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
	tlsd_pcapng_free(cap->ng);
	tlsd_pcapfile_free(cap->pf);
	if (cap->src.fd >= 0)
		close(cap->src.fd);
	(void)gzip_reap(cap);
	if (cap->file_filter)
		pcap_freecode(&cap->file_prog);
	for (uint32_t i = 0; i < cap->n_filters; i++)
		if (cap->filters[i].usable)
			pcap_freecode(&cap->filters[i].prog);
	free(cap->filters);
	free(cap->filter);
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

/* Never trust a record header beyond the bytes handed over: caplen above
 * the wire length or the snapshot length is clamped and counted. */
static uint32_t clamp_caplen(struct tlsd_capture *cap, uint32_t caplen, uint32_t wirelen,
			     uint32_t snaplen)
{
	if (caplen > wirelen || (snaplen && caplen > snaplen)) {
		cap->bad_headers++;
		caplen = TLSD_MIN(caplen, wirelen);
		if (snaplen)
			caplen = TLSD_MIN(caplen, snaplen);
	}
	return caplen;
}

/* End of a file read as a stream: only the end if gzip read all of it. */
static enum tlsd_capture_status stream_end(struct tlsd_capture *cap, char *err)
{
	if (!gzip_reap(cap)) {
		char msg[TLSD_CAPTURE_ERRLEN];

		snprintf(msg, sizeof(msg), GZIP_FAILED " (after packet %llu)",
			 (unsigned long long)cap->frames);
		errf(err, cap->name, msg);
		return TLSD_CAPTURE_ERROR;
	}
	return TLSD_CAPTURE_END;
}

/* A pcapng file in which no packet had a link type we decode: say so, as
 * the open does for a pcap file. */
static enum tlsd_capture_status ng_end(struct tlsd_capture *cap, char *err)
{
	char msg[TLSD_CAPTURE_ERRLEN], dn[128];

	if (cap->frames == 0 || cap->frames_supported > 0)
		return stream_end(cap, err);
	snprintf(msg, sizeof(msg), "unsupported link type %s; supported: %s",
		 dlt_name(cap->unsupported_dlt, dn, sizeof(dn)), tlsd_decode_supported_dlts());
	errf(err, cap->name, msg);
	return TLSD_CAPTURE_ERROR;
}

/* Does the filter let this packet through? */
static bool ng_filter_pass(struct tlsd_capture *cap, int dlt, const struct tlsd_pcapng_packet *p,
			   uint32_t caplen)
{
	struct pcap_pkthdr h = {.caplen = caplen, .len = p->wirelen};
	char err[TLSD_CAPTURE_ERRLEN];
	int i = filter_for(cap, dlt, false, err);

	/* Out of memory or link types: the packet is let through unfiltered
	 * rather than lost. */
	if (i < 0)
		return true;
	return cap->filters[i].usable && pcap_offline_filter(&cap->filters[i].prog, &h, p->data);
}

static enum tlsd_capture_status ng_next(struct tlsd_capture *cap, struct tlsd_frame *frame,
					char *err)
{
	char msg[TLSD_PCAPNG_ERRLEN];
	struct tlsd_pcapng_event ev;

	while (!cap->stopped) {
		const struct tlsd_pcapng_iface *ifc;
		uint32_t caplen;

		switch (tlsd_pcapng_next(cap->ng, &ev, msg)) {
		case TLSD_PCAPNG_PACKET:
			break;
		case TLSD_PCAPNG_SECRETS:
			take_secrets(cap, &ev);
			continue;
		case TLSD_PCAPNG_INTERFACE:
			if (cap->dlt < 0)
				cap->dlt = tlsd_pcapng_iface(cap->ng, ev.iface)->dlt;
			continue;
		case TLSD_PCAPNG_END:
			return ng_end(cap, err);
		case TLSD_PCAPNG_AGAIN:
			return TLSD_CAPTURE_TIMEOUT;
		case TLSD_PCAPNG_ERROR:
		default:
			ng_error(cap, msg, err);
			return TLSD_CAPTURE_ERROR;
		}
		ifc = tlsd_pcapng_iface(cap->ng, ev.pkt.iface);
		if (!ifc)
			continue; /* cannot happen: the reader checks it */
		caplen = clamp_caplen(cap, ev.pkt.caplen, ev.pkt.wirelen, ifc->snaplen);
		cap->frames++;
		if (tlsd_decode_dlt_supported(ifc->dlt))
			cap->frames_supported++;
		else
			cap->unsupported_dlt = ifc->dlt;
		*frame = (struct tlsd_frame){
			.ts = ev.pkt.ts,
			.caplen = caplen,
			.wirelen = ev.pkt.wirelen,
			.dlt = ifc->dlt,
			.data = ev.pkt.data,
			.iface = ifc->name[0] ? ifc->name : NULL,
			.comment = ev.pkt.comment,
			.comment_len = ev.pkt.comment_len,
		};
		if (cap->filter && !ng_filter_pass(cap, ifc->dlt, &ev.pkt, caplen))
			return TLSD_CAPTURE_FILTERED;
		return TLSD_CAPTURE_FRAME;
	}
	return TLSD_CAPTURE_STOPPED;
}

static enum tlsd_capture_status pf_next(struct tlsd_capture *cap, struct tlsd_frame *frame,
					char *err)
{
	char msg[TLSD_PCAPFILE_ERRLEN], m[TLSD_CAPTURE_ERRLEN];
	struct tlsd_pcapfile_packet pkt;
	struct timeval tv;

	if (cap->stopped)
		return TLSD_CAPTURE_STOPPED;
	switch (tlsd_pcapfile_next(cap->pf, &pkt, msg)) {
	case TLSD_PCAPFILE_PACKET:
		break;
	case TLSD_PCAPFILE_END:
		return stream_end(cap, err);
	case TLSD_PCAPFILE_AGAIN:
		return TLSD_CAPTURE_TIMEOUT;
	case TLSD_PCAPFILE_ERROR:
	default:
		snprintf(m, sizeof(m), "%s (after packet %llu)", msg,
			 (unsigned long long)cap->frames);
		errf(err, cap->name, m);
		return TLSD_CAPTURE_ERROR;
	}
	cap->frames++;
	tv = (struct timeval){.tv_sec = (time_t)pkt.sec, .tv_usec = (suseconds_t)pkt.frac_ns};
	*frame = (struct tlsd_frame){
		.ts = ts_ns(cap, &tv),
		.caplen = clamp_caplen(cap, pkt.caplen, pkt.wirelen, cap->snaplen),
		.wirelen = pkt.wirelen,
		.dlt = cap->dlt,
		.data = pkt.data,
		.shared_buffer = (uint16_t)(tlsd_pcapfile_slab(cap->pf) + 1),
	};
	if (cap->file_filter) {
		/* The record header as libpcap would hand it to the filter. */
		struct pcap_pkthdr h = {.ts = tv, .caplen = pkt.caplen, .len = pkt.wirelen};

		if (!pcap_offline_filter(&cap->file_prog, &h, pkt.data))
			return TLSD_CAPTURE_FILTERED;
	}
	return TLSD_CAPTURE_FRAME;
}

enum tlsd_capture_status tlsd_capture_next(struct tlsd_capture *cap, struct tlsd_frame *frame,
					   char *err)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	uint32_t caplen, wirelen;
	char msg[TLSD_CAPTURE_ERRLEN];
	int r;

	if (cap->pf)
		return pf_next(cap, frame, err);
	if (cap->ng)
		return ng_next(cap, frame, err);
	r = pcap_next_ex(cap->p, &h, &data);
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
		return stream_end(cap, err);
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
	wirelen = h->len;
	caplen = clamp_caplen(cap, h->caplen, wirelen, cap->snaplen);
	*frame = (struct tlsd_frame){
		.ts = ts_ns(cap, &h->ts),
		.caplen = caplen,
		.wirelen = wirelen,
		.dlt = cap->dlt,
		.data = data,
	};
	if (cap->file_filter && !pcap_offline_filter(&cap->file_prog, h, data))
		return TLSD_CAPTURE_FILTERED;
	return TLSD_CAPTURE_FRAME;
}

bool tlsd_capture_share_buffers(struct tlsd_capture *cap, unsigned n, tlsd_capture_reuse_fn reuse,
				void *ud)
{
	return cap->pf && tlsd_pcapfile_share(cap->pf, n, reuse, ud) == 0;
}

uint64_t tlsd_capture_bad_headers(const struct tlsd_capture *cap)
{
	return cap->bad_headers;
}

void tlsd_capture_break(struct tlsd_capture *cap)
{
	cap->stopped = 1;
	if (cap->p)
		pcap_breakloop(cap->p);
}

int tlsd_capture_dlt(const struct tlsd_capture *cap)
{
	return cap->dlt;
}

uint64_t tlsd_capture_section(const struct tlsd_capture *cap)
{
	return cap->ng ? tlsd_pcapng_sections(cap->ng) : 1;
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

uint64_t tlsd_capture_secrets_blocks(const struct tlsd_capture *cap)
{
	return cap->secrets_blocks;
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
