/* tlsdiag: find and explain failed TLS handshakes in captures.
 *
 * Options, wiring and exit codes. This is the only code that prints
 * diagnostics for the user (errors on stderr start with "tlsdiag: "). */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tlsd/analyzer.h"
#include "tlsd/keylog.h"
#include "tlsd/cert.h"
#include "tlsd/report_json.h"
#include "tlsd/report_text.h"
#include "tlsd/session.h"
#include "tlsd/summary.h"
#include "tlsd_config.h"

enum exit_code {
	EXIT_NO_FAILURE = 0, /* input analysed, no handshake failed */
	EXIT_FAILURES = 1,   /* at least one handshake failed */
	EXIT_TROUBLE = 2,    /* usage or input error */
};

enum out_format { FORMAT_TEXT, FORMAT_JSON };
enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

#define MAX_PORTS 64

struct options {
	const char **files;
	size_t n_files;
	const char *iface;
	char *filter;
	const char *output;
	const char *write_file;
	const char *user;
	enum out_format format;
	enum color_mode color;
	bool all, summary, stats, list_ifaces, no_promisc;
	int snaplen, buffer_kib;
	uint64_t count;        /* 0: unlimited */
	double duration;       /* seconds; 0: unlimited */
	uint16_t ports[MAX_PORTS];
	size_t n_ports;
	struct tlsd_limits lim;
	const char *ca_file, *ca_path; /* certificate trust store; both NULL: the system's */
	const char *keylog_file;       /* --keylog: NSS key log for decryption */
	int expiry_warning_days;
	bool no_cert_checks;
	bool verify_all_signatures;
};

/* Written by the signal handler only (tcpdump: the handler just breaks the
 * capture loop). */
static volatile sig_atomic_t stop_requested;
static struct tlsd_capture *volatile current_capture;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (current_capture)
		tlsd_capture_break(current_capture);
}

static void usage(FILE *out)
{
	fputs("Usage: tlsdiag [options] FILE... [filter expression]\n"
	      "       tlsdiag [options] -r FILE [filter expression]\n"
	      "       tlsdiag [options] -i IFACE [filter expression]\n"
	      "       tlsdiag -D\n"
	      "Find failed TLS handshakes: the step, who ended it, the alert and the likely cause.\n"
	      "TLS over TCP and QUIC (UDP, with ICMP errors) are analysed; DTLS is not yet.\n"
	      "\n"
	      "  -r, --read FILE         read a capture file (pcap or pcapng; - for stdin)\n"
	      "  -i, --interface IFACE   capture live on IFACE\n"
	      "  -D, --list-interfaces   list the interfaces that can be captured on\n"
	      "  -p, --no-promiscuous-mode  do not put the interface into promiscuous mode\n"
	      "  -s, --snapshot-length N bytes captured per packet (default 262144)\n"
	      "  -B, --buffer-size KiB   kernel capture buffer size\n"
	      "  -Z, --relinquish-privileges USER  drop privileges after opening the capture\n"
	      "  -c, --count N           stop after N packets\n"
	      "      --duration SECONDS  stop a live capture after SECONDS\n"
	      "  -f, --format text|json  output format (json: JSON Lines, one object per connection)\n"
	      "  -a, --all               report established connections too\n"
	      "      --summary           print a summary at the end\n"
	      "      --stats             print packet counters and anomalies at the end\n"
	      "      --color[=WHEN]      colour text output: auto (default), always, never\n"
	      "  -o, --output FILE       write reports to FILE\n"
	      "  -w, --write FILE        write the packets of failed connections to a pcap FILE\n"
	      "      --snap-flow BYTES   bytes of packets kept per connection for -w (65536)\n"
	      "      --ports LIST        only follow connections on these TCP/UDP ports (comma list)\n"
	      "      --idle-timeout SECS connection idle timeout in capture time (120)\n"
	      "      --max-flows N       connections tracked at once (1000000)\n"
	      "      --max-udp-flows N   UDP flows (QUIC, DTLS, other) tracked at once (262144)\n"
	      "      --reasm-mem BYTES   memory for out-of-order TCP data, all connections (64 MiB)\n"
	      "      --max-handshake BYTES  largest handshake message followed (256 KiB)\n"
	      "      --ca-file FILE      check server certificates against the CAs in FILE (PEM)\n"
	      "      --ca-path DIR       ... or in DIR (c_rehash'ed); default: the system store\n"
	      "      --max-chain N       certificates checked per chain (10, at most 10)\n"
	      "      --expiry-warning DAYS  warn about certificates expiring this soon (14; 0 off)\n"
	      "      --no-cert-checks    skip the certificate stage (no certificate findings)\n"
	      "      --verify-all-signatures  also verify ServerKeyExchange signatures the client accepted\n"
	      "      --keylog FILE       decrypt with this key log (SSLKEYLOGFILE format): real\n"
	      "                          alert codes and TLS 1.3 certificates; QUIC Handshake\n"
	      "                          and 1-RTT packets (closes, certificates)\n"
	      "  -h, --help              this help\n"
	      "  -V, --version           print the version\n"
	      "Exit status: 0 no handshake failed, 1 at least one failed, 2 usage or input error.\n"
	      "See tlsdiag(1).\n",
	      out);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_ports(struct options *o, const char *list)
{
	char *dup = strdup(list), *save = NULL;

	if (!dup)
		return -ENOMEM;
	for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint64_t v;

		if (parse_u64(tok, 65535, &v) < 0 || v == 0 || o->n_ports == MAX_PORTS) {
			free(dup);
			return -EINVAL;
		}
		o->ports[o->n_ports++] = (uint16_t)v;
	}
	free(dup);
	return o->n_ports ? 0 : -EINVAL;
}

/* Positional arguments: leading capture files, then a filter expression.
 * An argument is a file when it exists, is "-", or looks like a path. */
static bool looks_like_file(const char *a)
{
	struct stat st;
	const char *dot = strrchr(a, '.');

	if (strcmp(a, "-") == 0 || stat(a, &st) == 0 || strchr(a, '/'))
		return true;
	return dot && (strcmp(dot, ".pcap") == 0 || strcmp(dot, ".pcapng") == 0 ||
		       strcmp(dot, ".cap") == 0 || strcmp(dot, ".dmp") == 0);
}

static char *join_args(char **argv, int n)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

enum long_only {
	OPT_DURATION = 1000,
	OPT_SUMMARY,
	OPT_STATS,
	OPT_COLOR,
	OPT_SNAP_FLOW,
	OPT_PORTS,
	OPT_IDLE_TIMEOUT,
	OPT_MAX_FLOWS,
	OPT_MAX_UDP_FLOWS,
	OPT_REASM_MEM,
	OPT_MAX_HANDSHAKE,
	OPT_CA_FILE,
	OPT_CA_PATH,
	OPT_MAX_CHAIN,
	OPT_EXPIRY_WARNING,
	OPT_NO_CERT_CHECKS,
	OPT_VERIFY_ALL_SIGNATURES,
	OPT_KEYLOG,
};

static const struct option long_options[] = {
	{"read", required_argument, NULL, 'r'},
	{"interface", required_argument, NULL, 'i'},
	{"list-interfaces", no_argument, NULL, 'D'},
	{"no-promiscuous-mode", no_argument, NULL, 'p'},
	{"snapshot-length", required_argument, NULL, 's'},
	{"buffer-size", required_argument, NULL, 'B'},
	{"relinquish-privileges", required_argument, NULL, 'Z'},
	{"count", required_argument, NULL, 'c'},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"format", required_argument, NULL, 'f'},
	{"all", no_argument, NULL, 'a'},
	{"summary", no_argument, NULL, OPT_SUMMARY},
	{"stats", no_argument, NULL, OPT_STATS},
	{"color", optional_argument, NULL, OPT_COLOR},
	{"colour", optional_argument, NULL, OPT_COLOR},
	{"output", required_argument, NULL, 'o'},
	{"write", required_argument, NULL, 'w'},
	{"snap-flow", required_argument, NULL, OPT_SNAP_FLOW},
	{"ports", required_argument, NULL, OPT_PORTS},
	{"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
	{"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
	{"max-udp-flows", required_argument, NULL, OPT_MAX_UDP_FLOWS},
	{"reasm-mem", required_argument, NULL, OPT_REASM_MEM},
	{"max-handshake", required_argument, NULL, OPT_MAX_HANDSHAKE},
	{"ca-file", required_argument, NULL, OPT_CA_FILE},
	{"ca-path", required_argument, NULL, OPT_CA_PATH},
	{"max-chain", required_argument, NULL, OPT_MAX_CHAIN},
	{"expiry-warning", required_argument, NULL, OPT_EXPIRY_WARNING},
	{"no-cert-checks", no_argument, NULL, OPT_NO_CERT_CHECKS},
	{"verify-all-signatures", no_argument, NULL, OPT_VERIFY_ALL_SIGNATURES},
	{"keylog", required_argument, NULL, OPT_KEYLOG},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static int bad_value(const char *opt, const char *val)
{
	fprintf(stderr, "tlsdiag: invalid value for %s: '%s'\n", opt, val ? val : "");
	return -EINVAL;
}

/* Returns 0 to run, 1 when done (help/version), negative on usage error. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const char *files_r[1];
	int c;
	uint64_t v;

	tlsd_limits_default(&o->lim);
	o->color = COLOR_AUTO;
	o->expiry_warning_days = TLSD_DEFAULT_EXPIRY_WARNING_DAYS;
	while ((c = getopt_long(argc, argv, "r:i:Dps:B:Z:c:f:ao:w:hV", long_options, NULL)) != -1) {
		switch (c) {
		case 'r':
			files_r[0] = optarg;
			o->files = files_r;
			o->n_files = 1;
			break;
		case 'i':
			o->iface = optarg;
			break;
		case 'D':
			o->list_ifaces = true;
			break;
		case 'p':
			o->no_promisc = true;
			break;
		case 's':
			if (parse_u64(optarg, 262144, &v) < 0)
				return bad_value("-s", optarg);
			o->snaplen = (int)v;
			break;
		case 'B':
			if (parse_u64(optarg, INT_MAX / 1024, &v) < 0 || v == 0)
				return bad_value("-B", optarg);
			o->buffer_kib = (int)v;
			break;
		case 'Z':
			o->user = optarg;
			break;
		case 'c':
			if (parse_u64(optarg, UINT64_MAX, &o->count) < 0 || o->count == 0)
				return bad_value("-c", optarg);
			break;
		case OPT_DURATION: {
			char *end;

			errno = 0;
			o->duration = strtod(optarg, &end);
			if (errno || *end || !(o->duration > 0))
				return bad_value("--duration", optarg);
			break;
		}
		case 'f':
			if (strcmp(optarg, "text") == 0)
				o->format = FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->format = FORMAT_JSON;
			else
				return bad_value("--format", optarg);
			break;
		case 'a':
			o->all = true;
			break;
		case OPT_SUMMARY:
			o->summary = true;
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case OPT_COLOR:
			if (!optarg || strcmp(optarg, "always") == 0)
				o->color = COLOR_ALWAYS;
			else if (strcmp(optarg, "never") == 0)
				o->color = COLOR_NEVER;
			else if (strcmp(optarg, "auto") == 0)
				o->color = COLOR_AUTO;
			else
				return bad_value("--color", optarg);
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'w':
			o->write_file = optarg;
			break;
		case OPT_SNAP_FLOW:
			if (parse_u64(optarg, 1u << 30, &v) < 0)
				return bad_value("--snap-flow", optarg);
			o->lim.snap_flow = (size_t)v;
			break;
		case OPT_PORTS:
			if (parse_ports(o, optarg) < 0)
				return bad_value("--ports", optarg);
			break;
		case OPT_IDLE_TIMEOUT:
			if (parse_u64(optarg, 86400 * 365, &v) < 0 || v == 0)
				return bad_value("--idle-timeout", optarg);
			o->lim.idle_timeout = (tlsd_time_ns)v * TLSD_NS_PER_SEC;
			break;
		case OPT_MAX_FLOWS:
			if (parse_u64(optarg, UINT32_MAX / 2, &v) < 0 || v == 0)
				return bad_value("--max-flows", optarg);
			o->lim.max_flows = (uint32_t)v;
			break;
		case OPT_MAX_UDP_FLOWS:
			if (parse_u64(optarg, UINT32_MAX / 2, &v) < 0 || v == 0)
				return bad_value("--max-udp-flows", optarg);
			o->lim.max_udp_flows = (uint32_t)v;
			break;
		case OPT_REASM_MEM:
			if (parse_u64(optarg, SIZE_MAX / 2, &v) < 0)
				return bad_value("--reasm-mem", optarg);
			o->lim.reasm_mem = (size_t)v;
			break;
		case OPT_MAX_HANDSHAKE:
			if (parse_u64(optarg, 16u << 20, &v) < 0 || v < 1024)
				return bad_value("--max-handshake", optarg);
			o->lim.max_handshake = (size_t)v;
			break;
		case OPT_CA_FILE:
			o->ca_file = optarg;
			break;
		case OPT_CA_PATH:
			o->ca_path = optarg;
			break;
		case OPT_MAX_CHAIN:
			if (parse_u64(optarg, TLSD_CERT_MAX_CHAIN, &v) < 0 || v == 0)
				return bad_value("--max-chain", optarg);
			o->lim.max_chain = (uint32_t)v;
			break;
		case OPT_EXPIRY_WARNING:
			if (parse_u64(optarg, 3650, &v) < 0)
				return bad_value("--expiry-warning", optarg);
			o->expiry_warning_days = (int)v;
			break;
		case OPT_KEYLOG:
			o->keylog_file = optarg;
			break;
		case OPT_VERIFY_ALL_SIGNATURES:
			o->verify_all_signatures = true;
			break;
		case OPT_NO_CERT_CHECKS:
			o->no_cert_checks = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("tlsdiag %s\n%s\n", TLSD_VERSION, pcap_lib_version());
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	int first_filter = optind;

	if (!o->files && !o->iface && !o->list_ifaces) {
		while (first_filter < argc && looks_like_file(argv[first_filter]))
			first_filter++;
		o->files = (const char **)&argv[optind];
		o->n_files = (size_t)(first_filter - optind);
	}
	if (first_filter < argc) {
		o->filter = join_args(&argv[first_filter], argc - first_filter);
		if (!o->filter)
			return -ENOMEM;
	}
	if (o->list_ifaces)
		return 0;
	if (o->iface && o->n_files) {
		fputs("tlsdiag: give either -i IFACE or capture files, not both\n", stderr);
		return -EINVAL;
	}
	if (!o->iface && o->n_files == 0) {
		fputs("tlsdiag: no capture file or interface given\n", stderr);
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* State shared with the report sink. */
struct run {
	const struct options *opt;
	FILE *out;
	bool color;
	struct tlsd_summary *summary;
	pcap_dumper_t *dumper;
	uint64_t reported;
};

static void write_frames(pcap_dumper_t *d, const uint8_t *frames, size_t len)
{
	size_t pos = 0;

	while (pos + TLSD_CONN_FRAME_HDR <= len) {
		struct pcap_pkthdr h;
		uint64_t ts;
		uint32_t caplen, wirelen;

		memcpy(&ts, frames + pos, 8);
		memcpy(&caplen, frames + pos + 8, 4);
		memcpy(&wirelen, frames + pos + 12, 4);
		pos += TLSD_CONN_FRAME_HDR;
		if (caplen > len - pos)
			break;
		h.ts.tv_sec = (time_t)(ts / 1000000000u);
		h.ts.tv_usec = (suseconds_t)(ts % 1000000000u / 1000u);
		h.caplen = caplen;
		h.len = wirelen;
		pcap_dump((u_char *)d, &h, frames + pos);
		pos += caplen;
	}
}

static void emit(void *ud, struct tlsd_report *r, const struct tlsd_flow *f,
		 const uint8_t *frames, size_t frames_len)
{
	struct run *run = ud;
	struct tlsd_text_opts to = {.all = run->opt->all, .color = run->color};

	(void)f;
	/* A connection picked up mid-stream with no handshake message in view
	 * says nothing about handshakes: only shown with --all. */
	if (!run->opt->all && r->outcome == TLSD_OUTCOME_INCOMPLETE && !r->has_last_message &&
	    r->roles_guessed)
		return;
	tlsd_summary_annotate(run->summary, r);
	tlsd_summary_add(run->summary, r);
	run->reported++;
	if (run->opt->format == FORMAT_JSON) {
		if (run->opt->all || r->outcome != TLSD_OUTCOME_ESTABLISHED)
			tlsd_report_json(run->out, r);
	} else {
		tlsd_report_text(run->out, r, &to);
	}
	if (run->dumper && frames && r->outcome == TLSD_OUTCOME_FAILED)
		write_frames(run->dumper, frames, frames_len);
	if (run->opt->iface)
		fflush(run->out);
}

static int drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		fprintf(stderr, "tlsdiag: -Z %s: no such user\n", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		fprintf(stderr, "tlsdiag: -Z %s: cannot drop privileges: %s\n", user, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0 && pw->pw_uid != 0) {
		fprintf(stderr, "tlsdiag: -Z %s: privileges could be regained; refusing to go on\n",
			user);
		return -1;
	}
	return 0;
}

static tlsd_time_ns wall_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (tlsd_time_ns)ts.tv_sec * TLSD_NS_PER_SEC + ts.tv_nsec;
}

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads one capture to its end (or until -c / --duration / a signal).
 * Returns 0, or -1 after printing an error (what was read is kept). */
static int pump(struct tlsd_capture *cap, struct tlsd_analyzer *a, struct tlsd_ctx *ctx,
		const struct options *o, bool live)
{
	double deadline = o->duration > 0 ? monotonic_s() + o->duration : 0;
	char err[TLSD_CAPTURE_ERRLEN];

	current_capture = cap;
	while (!stop_requested) {
		struct tlsd_frame fr;
		enum tlsd_capture_status st;

		if (o->count && ctx->cnt.packets >= o->count)
			break;
		if (deadline && monotonic_s() >= deadline)
			break;
		st = tlsd_capture_next(cap, &fr, err);
		if (st == TLSD_CAPTURE_FRAME) {
			tlsd_analyzer_frame(a, &fr);
		} else if (st == TLSD_CAPTURE_TIMEOUT) {
			if (live)
				tlsd_analyzer_tick(a, wall_clock_ns());
		} else if (st == TLSD_CAPTURE_ERROR) {
			current_capture = NULL;
			fprintf(stderr, "tlsdiag: %s\n", err);
			return -1;
		} else {
			break; /* end of file, or stopped */
		}
	}
	current_capture = NULL;
	return 0;
}

static void print_stats(FILE *out, const struct tlsd_ctx *ctx, enum out_format fmt, int dlt)
{
	const struct tlsd_counters *c = &ctx->cnt;
	const char *dlt_name = dlt >= 0 ? pcap_datalink_val_to_name(dlt) : NULL;

	if (fmt == FORMAT_JSON) {
		fprintf(out, "{\"stats\":{\"link_type\":\"%s\",\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64
			",\"ipv4\":%" PRIu64 ",\"ipv6\":%" PRIu64 ",\"tcp_packets\":%" PRIu64
			",\"udp_packets\":%" PRIu64 ",\"tcp_connections\":%" PRIu64
			",\"tls_connections\":%" PRIu64 ",\"udp_flows\":%" PRIu64
			",\"udp_migrations\":%" PRIu64 ",\"quic_connections\":%" PRIu64
			",\"anomalies\":{",
			dlt_name ? dlt_name : "unknown", c->packets, c->bytes, c->ipv4, c->ipv6,
			c->tcp_packets, c->udp_packets, c->flows_created, c->flows_tls,
			c->udp_flows_created, c->udp_migrations, c->quic_connections);
		bool first = true;

		for (int i = 0; i < TLSD_ANOM__COUNT; i++) {
			if (!c->anomalies[i])
				continue;
			fprintf(out, "%s\"%s\":%" PRIu64, first ? "" : ",",
				tlsd_anomaly_name((enum tlsd_anomaly)i), c->anomalies[i]);
			first = false;
		}
		fputs("}}}\n", out);
		return;
	}
	fprintf(out, "Statistics:\n  link type: %s\n  packets: %" PRIu64 " (%" PRIu64 " bytes)\n"
		"  IPv4: %" PRIu64 ", IPv6: %" PRIu64 "\n  TCP packets: %" PRIu64
		", UDP packets: %" PRIu64 "\n  TCP connections: %" PRIu64 ", TLS connections: %" PRIu64
		"\n  UDP flows: %" PRIu64 " (moved to a new address: %" PRIu64 "), QUIC connections: %" PRIu64
		"\n",
		dlt_name ? dlt_name : "unknown", c->packets, c->bytes, c->ipv4, c->ipv6, c->tcp_packets,
		c->udp_packets, c->flows_created, c->flows_tls, c->udp_flows_created, c->udp_migrations,
		c->quic_connections);
	for (int i = 0; i < TLSD_ANOM__COUNT; i++)
		if (c->anomalies[i])
			fprintf(out, "  %s: %" PRIu64 "\n", tlsd_anomaly_name((enum tlsd_anomaly)i),
				c->anomalies[i]);
}

static int open_dumper(struct run *run, const struct options *o, int dlt)
{
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(dlt, 262144, PCAP_TSTAMP_PRECISION_MICRO);

	if (!dead)
		return -1;
	run->dumper = pcap_dump_open(dead, o->write_file);
	if (!run->dumper) {
		fprintf(stderr, "tlsdiag: %s: %s\n", o->write_file, pcap_geterr(dead));
		pcap_close(dead);
		return -1;
	}
	/* The dumper wrote its file header; it needs nothing more from dead. */
	pcap_close(dead);
	return 0;
}

static int run_captures(struct options *o, struct run *run, struct tlsd_ctx *ctx,
			struct tlsd_analyzer *a, int *last_dlt)
{
	char err[TLSD_CAPTURE_ERRLEN], warn[TLSD_CAPTURE_ERRLEN] = "";
	int rc = 0;

	if (o->iface) {
		struct tlsd_live_opts lo = {
			.iface = o->iface,
			.snaplen = o->snaplen,
			.promisc = !o->no_promisc,
			.buffer_kib = o->buffer_kib,
			.immediate = true,
		};
		struct tlsd_capture *cap;
		uint64_t recv, drop, ifdrop;

		if (tlsd_capture_open_live(&cap, &lo, o->filter, err, warn) < 0) {
			fprintf(stderr, "tlsdiag: %s\n", err);
			return -1;
		}
		if (warn[0])
			fprintf(stderr, "tlsdiag: warning: %s\n", warn);
		*last_dlt = tlsd_capture_dlt(cap);
		if (o->user && drop_privileges(o->user) < 0) {
			tlsd_capture_close(cap);
			return -1;
		}
		if (o->write_file && !run->dumper && open_dumper(run, o, *last_dlt) < 0) {
			tlsd_capture_close(cap);
			return -1;
		}
		fprintf(stderr, "tlsdiag: listening on %s, link-type %s\n", o->iface,
			pcap_datalink_val_to_name(*last_dlt) ? pcap_datalink_val_to_name(*last_dlt)
							     : "?");
		rc = pump(cap, a, ctx, o, true);
		ctx->cnt.anomalies[TLSD_ANOM_PKT_BAD_PKTHDR] += tlsd_capture_bad_headers(cap);
		if (tlsd_capture_stats(cap, &recv, &drop, &ifdrop) == 0)
			fprintf(stderr, "tlsdiag: %" PRIu64 " packets received by filter, %" PRIu64
				" dropped by kernel, %" PRIu64 " dropped by interface\n",
				recv, drop, ifdrop);
		tlsd_capture_close(cap);
		return rc;
	}
	for (size_t i = 0; i < o->n_files && !stop_requested; i++) {
		struct tlsd_capture *cap;

		if (o->count && ctx->cnt.packets >= o->count)
			break;
		if (tlsd_capture_open_file(&cap, o->files[i], o->filter, err) < 0) {
			fprintf(stderr, "tlsdiag: %s\n", err);
			rc = -1;
			continue;
		}
		*last_dlt = tlsd_capture_dlt(cap);
		if (o->write_file && !run->dumper && open_dumper(run, o, *last_dlt) < 0) {
			tlsd_capture_close(cap);
			return -1;
		}
		if (pump(cap, a, ctx, o, false) < 0)
			rc = -1;
		ctx->cnt.anomalies[TLSD_ANOM_PKT_BAD_PKTHDR] += tlsd_capture_bad_headers(cap);
		tlsd_capture_close(cap);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct options opt = {0};
	struct tlsd_ctx ctx;
	struct run run = {0};
	struct tlsd_analyzer *a = NULL;
	struct tlsd_conn_cfg cfg;
	struct tlsd_cert_checks certs = {0};
	struct tlsd_keylog *keylog = NULL;
	struct sigaction sa;
	int rc, last_dlt = -1, status = EXIT_TROUBLE;
	char err[TLSD_CAPTURE_ERRLEN];

	rc = parse_options(argc, argv, &opt);
	if (rc != 0) {
		free(opt.filter);
		return rc > 0 ? EXIT_NO_FAILURE : EXIT_TROUBLE;
	}
	if (opt.list_ifaces) {
		rc = tlsd_capture_list_interfaces(err);
		if (rc < 0)
			fprintf(stderr, "tlsdiag: %s\n", err);
		free(opt.filter);
		return rc < 0 ? EXIT_TROUBLE : EXIT_NO_FAILURE;
	}

	tlsd_ctx_init(&ctx);
	ctx.lim = opt.lim;
	run.opt = &opt;
	run.out = stdout;
	if (opt.output) {
		run.out = fopen(opt.output, "w");
		if (!run.out) {
			fprintf(stderr, "tlsdiag: %s: %s\n", opt.output, strerror(errno));
			free(opt.filter);
			return EXIT_TROUBLE;
		}
	}
	run.color = opt.color == COLOR_ALWAYS ||
		    (opt.color == COLOR_AUTO && !opt.output && isatty(STDOUT_FILENO));
	if (!opt.no_cert_checks) {
		struct tlsd_cert_opts co;
		char cerr[256];

		tlsd_cert_opts_default(&co);
		co.ca_file = opt.ca_file;
		co.ca_path = opt.ca_path;
		co.max_chain = opt.lim.max_chain;
		certs.store = tlsd_cert_store_new(&co, cerr, sizeof(cerr));
		if (!certs.store) {
			fprintf(stderr, "tlsdiag: certificate store: %s\n", cerr);
			goto out;
		}
		certs.max_chain = opt.lim.max_chain;
		certs.expiry_warning_days = opt.expiry_warning_days;
		certs.ctx = &ctx;
		certs.verify_all_signatures = opt.verify_all_signatures;
		certs.skip_established = !opt.all; /* only -a shows an established one's details */
	}
	if (opt.keylog_file) {
		struct tlsd_keylog_stats ks;

		keylog = tlsd_keylog_new();
		if (!keylog) {
			fputs("tlsdiag: out of memory\n", stderr);
			goto out;
		}
		rc = tlsd_keylog_load_file(keylog, opt.keylog_file);
		if (rc < 0 && rc != -EFBIG) {
			fprintf(stderr, "tlsdiag: %s: %s\n", opt.keylog_file, strerror(-rc));
			goto out;
		}
		tlsd_keylog_get_stats(keylog, &ks);
		if (rc == -EFBIG)
			fprintf(stderr, "tlsdiag: %s: too large; using its first %" PRIu64 " bytes\n",
				opt.keylog_file, ks.bytes);
		if (ks.malformed)
			fprintf(stderr, "tlsdiag: %s: %" PRIu64 " malformed line%s skipped (first: line %"
				PRIu64 ")\n", opt.keylog_file, ks.malformed,
				ks.malformed == 1 ? "" : "s", ks.first_malformed_line);
	}
	run.summary = tlsd_summary_new();
	cfg = (struct tlsd_conn_cfg){
		.ports = opt.n_ports ? opt.ports : NULL,
		.n_ports = opt.n_ports,
		.emit = emit,
		.ud = &run,
		.keep_frames = opt.write_file != NULL,
		.no_fingerprints = opt.format != FORMAT_JSON, /* only JSON shows them */
		.certs = certs.store ? &certs : NULL,
		.keylog = keylog,
	};
	if (run.summary)
		a = tlsd_analyzer_new(&ctx, &cfg);
	if (!a) {
		fputs("tlsdiag: out of memory\n", stderr);
		goto out;
	}
	tlsd_analyzer_set_live(a, opt.iface != NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	rc = run_captures(&opt, &run, &ctx, a, &last_dlt);
	/* Whatever was read is analysed and reported, even after an error. */
	tlsd_analyzer_finish(a);
	if (opt.summary) {
		if (opt.format == FORMAT_JSON)
			tlsd_summary_json(run.summary, run.out);
		else
			tlsd_summary_text(run.summary, run.out, run.color);
	}
	if (opt.stats)
		print_stats(run.out, &ctx, opt.format, last_dlt);
	if (rc < 0)
		status = EXIT_TROUBLE;
	else
		status = tlsd_summary_failed(run.summary) ? EXIT_FAILURES : EXIT_NO_FAILURE;
out:
	tlsd_analyzer_free(a);
	tlsd_cert_store_free(certs.store);
	tlsd_keylog_free(keylog);
	tlsd_summary_free(run.summary);
	if (run.dumper)
		pcap_dump_close(run.dumper);
	if (run.out && fflush(run.out) != 0) {
		fprintf(stderr, "tlsdiag: write error: %s\n", strerror(errno));
		status = EXIT_TROUBLE;
	}
	if (run.out && run.out != stdout)
		fclose(run.out);
	free(opt.filter);
	return status;
}
