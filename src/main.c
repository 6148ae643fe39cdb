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
#include "tlsd/pcap_out.h"
#include "tlsd/cert.h"
#include "tlsd/openssl_init.h"
#include "tlsd/output.h"
#include "tlsd/report_json.h"
#include "tlsd/report_text.h"
#include "tlsd/result_filter.h"
#include "tlsd/session.h"
#include "tlsd/stamp_guard.h"
#include "tlsd/summary.h"
#include "tlsd/workers.h"
#include "tlsd_config.h"

enum exit_code {
	EXIT_NO_FAILURE = 0, /* input analysed, no handshake failed */
	EXIT_FAILURES = 1,   /* at least one handshake failed */
	EXIT_TROUBLE = 2,    /* usage or input error */
};

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

#define MAX_PORTS 64
#define MAX_READ_FILES 256

struct options {
	const char **files;
	size_t n_files;
	const char *iface;
	char *filter;           /* BPF: -f, or the arguments after the files */
	const char *output;
	const char *write_file;
	const char *user;
	int fanout_group;      /* --fanout: PACKET_FANOUT group id; -1: none */
	enum tlsd_format format;
	enum tlsd_group_mode group;
	enum tlsd_time_fmt time_fmt;
	enum color_mode color;
	bool all, summary, stats, list_ifaces, no_promisc;
	bool quiet, verbose, line_buffered, explain;
	struct tlsd_result_filter *results; /* --cause, --sni, --server, ... */
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
	unsigned threads; /* --threads; 0: chosen by choose_threads() */
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
	      "TLS over TCP, QUIC and DTLS 1.0/1.2 (UDP, with ICMP errors) are analysed;\n"
	      "DTLS 1.3 is recognised and counted.\n"
	      "\n"
	      "Input:\n"
	      "  -r, --read FILE         read a capture file (pcap or pcapng; - for stdin; repeatable)\n"
	      "  -i, --interface IFACE   capture live on IFACE\n"
	      "  -f, --filter FILTER     capture filter (BPF, as in tshark and dumpcap); or give it\n"
	      "                          after the files, as with tcpdump\n"
	      "  -D, --list-interfaces   list the interfaces that can be captured on\n"
	      "  -p, --no-promiscuous-mode  do not put the interface into promiscuous mode\n"
	      "  -s, --snapshot-length N bytes captured per packet (default 262144)\n"
	      "  -B, --buffer-size KiB   kernel capture buffer size (live default 32768 = 32 MiB)\n"
	      "      --fanout GROUP      live (Linux): share the interface's connections with the\n"
	      "                          other tlsdiag processes given the same GROUP (0-65535;\n"
	      "                          PACKET_FANOUT by flow hash: each connection to one of them)\n"
	      "  -Z, --relinquish-privileges USER  drop privileges after opening the interface (-i)\n"
	      "                          and the -o and -w files\n"
	      "  -c, --count N           stop after N packets\n"
	      "      --duration SECONDS  stop a live capture after SECONDS\n"
	      "  -n                      accepted for tcpdump habits: tlsdiag never resolves names\n",
	      out);
	fputs("Output:\n"
	      "  -T, --format FORMAT     text (default), json (JSON Lines), line (one line per\n"
	      "                          connection: verdict, step, cause first), zeek (ssl.log TSV)\n"
	      "  -a, --all               report established connections too\n"
	      "      --group             fold identical failures into one row each, with patterns\n"
	      "                          (on by default for text from files when more than 20\n"
	      "                          failures would be printed)\n"
	      "      --no-group          print every connection, however many\n"
	      "  -q, --quiet             no per-connection output (summary, stats, exit status only)\n"
	      "  -v, -V, --verbose       more: every kind in the grouped view, curl commands,\n"
	      "                          connection ids\n"
	      "      --explain           spell out each connection's history string\n"
	      "  -t, --time-format FMT   times as ud (UTC with date, default), u (UTC), ad, a\n"
	      "                          (local), r (seconds since the first packet), e (epoch)\n"
	      "  -l, --line-buffered     flush after every line (reports are flushed after each\n"
	      "                          connection anyway when reading live or from a pipe)\n"
	      "      --summary           print a summary at the end\n"
	      "      --stats             print packet counters and anomalies at the end (live:\n"
	      "                          and the kernel's received and dropped counts)\n"
	      "      --color[=WHEN]      colour text output: auto (default; off with NO_COLOR),\n"
	      "                          always, never\n"
	      "  -o, --output FILE       write reports to FILE\n"
	      "  -w, --write FILE        write the packets of failed connections to a pcapng FILE\n"
	      "      --snap-flow BYTES   bytes of packets kept per connection for -w (65536)\n",
	      out);
	fputs("Filters on the result (a comma list or the option again = either; all must match):\n"
	      "      --outcome LIST      failed, incomplete, established\n"
	      "      --cause LIST        diagnosis codes or globs, e.g. 'certificate_*'\n"
	      "      --sni LIST          server names or globs, e.g. '*.example.com' (- = no SNI)\n"
	      "      --server LIST       ADDR, ADDR/LEN, ADDR:PORT, [IPv6]:PORT, :PORT\n"
	      "      --min-confidence L  certain, likely or possible\n",
	      out);
	fputs("Analysis:\n"
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
	      "      --threads N         analyse TCP connections on N threads in all, the reader\n"
	      "                          keeping a share (default: one per core; 1 for files\n"
	      "                          under 64 MiB); 1 = no threads. The output is the same\n"
	      "                          for any N\n"
	      "  -h, --help              this help\n"
	      "      --version           print the version\n"
	      "Exit status: 0 no handshake failed, 1 at least one failed (of those selected),\n"
	      "2 usage or input error. See tlsdiag(1).\n",
	      out);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	/* Digits only: strtoull alone also takes " 5", "+5" and "-5". */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A comma list of ports; an empty item ("443,,80", "443,") is an error. */
static int parse_ports(struct options *o, const char *list)
{
	char *dup = strdup(list), *tok = dup;
	int rc = 0;

	if (!dup)
		return -ENOMEM;
	while (tok && rc == 0) {
		char *comma = strchr(tok, ',');
		uint64_t v;

		if (comma)
			*comma = '\0';
		if (parse_u64(tok, 65535, &v) < 0 || v == 0 || o->n_ports == MAX_PORTS)
			rc = -EINVAL;
		else
			o->ports[o->n_ports++] = (uint16_t)v;
		tok = comma ? comma + 1 : NULL;
	}
	free(dup);
	return rc;
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

static bool is_dir(const char *path)
{
	struct stat st;

	errno = 0;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
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
	OPT_GROUP,
	OPT_NO_GROUP,
	OPT_EXPLAIN,
	OPT_CAUSE,
	OPT_SNI,
	OPT_SERVER,
	OPT_OUTCOME,
	OPT_MIN_CONFIDENCE,
	OPT_THREADS,
	OPT_VERSION,
	OPT_FANOUT,
};

static const struct option long_options[] = {
	{"read", required_argument, NULL, 'r'},
	{"interface", required_argument, NULL, 'i'},
	{"list-interfaces", no_argument, NULL, 'D'},
	{"no-promiscuous-mode", no_argument, NULL, 'p'},
	{"snapshot-length", required_argument, NULL, 's'},
	{"buffer-size", required_argument, NULL, 'B'},
	{"fanout", required_argument, NULL, OPT_FANOUT},
	{"relinquish-privileges", required_argument, NULL, 'Z'},
	{"count", required_argument, NULL, 'c'},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"format", required_argument, NULL, 'T'},
	{"filter", required_argument, NULL, 'f'},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"line-buffered", no_argument, NULL, 'l'},
	{"time-format", required_argument, NULL, 't'},
	{"group", no_argument, NULL, OPT_GROUP},
	{"no-group", no_argument, NULL, OPT_NO_GROUP},
	{"explain", no_argument, NULL, OPT_EXPLAIN},
	{"cause", required_argument, NULL, OPT_CAUSE},
	{"sni", required_argument, NULL, OPT_SNI},
	{"server", required_argument, NULL, OPT_SERVER},
	{"outcome", required_argument, NULL, OPT_OUTCOME},
	{"min-confidence", required_argument, NULL, OPT_MIN_CONFIDENCE},
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
	{"threads", required_argument, NULL, OPT_THREADS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

static int bad_value(const char *opt, const char *val)
{
	fprintf(stderr, "tlsdiag: invalid value for %s: '%s'\n", opt, val ? val : "");
	return -EINVAL;
}

static bool parse_format(const char *s, enum tlsd_format *out)
{
	static const struct {
		const char *name;
		enum tlsd_format f;
	} names[] = {{"text", TLSD_FORMAT_TEXT}, {"json", TLSD_FORMAT_JSON},
		     {"line", TLSD_FORMAT_LINE}, {"zeek", TLSD_FORMAT_ZEEK}};

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(names); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].f;
			return true;
		}
	}
	return false;
}

/* Words a capture filter starts with (pcap-filter(7) primitives). */
static bool looks_like_bpf(const char *s)
{
	static const char *const words[] = {"port", "host", "net", "tcp", "udp", "ip", "ip6",
					    "src", "dst", "not", "vlan", "portrange", "ether"};
	size_t n = strcspn(s, " ");

	if (s[n] == ' ')
		return true;
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(words); i++)
		if (strcmp(s, words[i]) == 0)
			return true;
	return false;
}

/* -T with a value meant for tshark's -T, or a filter. */
static int bad_format(const char *val)
{
	fprintf(stderr, "tlsdiag: invalid value for -T/--format: '%s' (text, json, line or zeek)\n",
		val);
	if (strcmp(val, "ek") == 0 || strcmp(val, "jsonraw") == 0)
		fputs("tlsdiag: hint: -T json writes JSON Lines, one object per connection, as tshark's "
		      "-T ek does per packet\n", stderr);
	else if (strcmp(val, "fields") == 0 || strcmp(val, "tabs") == 0 || strcmp(val, "psml") == 0 ||
		 strcmp(val, "pdml") == 0 || strcmp(val, "ps") == 0)
		fputs("tlsdiag: hint: -T line prints one line per connection (for awk and cut); -T json "
		      "with jq picks fields\n", stderr);
	else if (looks_like_bpf(val))
		fprintf(stderr, "tlsdiag: hint: -T sets the output format; did you mean the capture "
			"filter -f '%s'?\n", val);
	return -EINVAL;
}

/* tshark's -o takes "name:value" preferences; ours is the output file. */
static bool looks_like_preference(const char *v)
{
	const char *colon = strchr(v, ':'), *dot = strchr(v, '.');

	if (!colon || !dot || dot > colon)
		return false;
	for (const char *p = v; p < colon; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'))
			return false;
	return true;
}

static int preference_hint(const char *v)
{
	fprintf(stderr, "tlsdiag: -o writes the reports to a file; '%s' looks like a tshark "
		"preference\n", v);
	if (strncmp(v, "tls.keylog_file:", 16) == 0 || strncmp(v, "ssl.keylog_file:", 16) == 0)
		fprintf(stderr, "tlsdiag: hint: did you mean --keylog %s?\n", strchr(v, ':') + 1);
	return -EINVAL;
}

/* tshark's -a autostop conditions, given where a file or filter goes. */
static bool autostop_hint(const char *a)
{
	static const char *const conds[] = {"duration:", "packets:", "filesize:", "files:"};

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(conds); i++) {
		if (strncmp(a, conds[i], strlen(conds[i])) == 0) {
			fprintf(stderr, "tlsdiag: '%s' looks like tshark's -a autostop condition; here -a "
				"is --all: use --duration SECONDS or -c PACKETS\n", a);
			return true;
		}
	}
	return false;
}

static void unknown_option(const char *arg, int opt)
{
	fprintf(stderr, "tlsdiag: unknown option %s\n", arg);
	if (opt == 'Y')
		fputs("tlsdiag: hint: tshark's -Y display filter selects packets; tlsdiag selects results "
		      "with --outcome, --cause, --sni, --server and --min-confidence\n", stderr);
	else if (opt == 'x' || opt == 'X')
		fputs("tlsdiag: hint: -T json prints every field of each connection\n", stderr);
	fputs("Try 'tlsdiag --help'.\n", stderr);
}

static int result_opt(int rc, const char *opt, const char *val)
{
	if (rc == -ENOMEM) {
		fputs("tlsdiag: out of memory\n", stderr);
		return rc;
	}
	return rc < 0 ? bad_value(opt, val) : 0;
}

/* What parse_options() allocated; every way out of main() goes through it. */
static void free_options(struct options *o)
{
	free(o->filter);
	o->filter = NULL;
	tlsd_result_filter_free(o->results);
	o->results = NULL;
}

/* Returns 0 to run, 1 when done (help/version), negative on usage error. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const char *files_r[MAX_READ_FILES];
	int c;
	uint64_t v;

	tlsd_limits_default(&o->lim);
	o->color = COLOR_AUTO;
	o->fanout_group = -1;
	o->expiry_warning_days = TLSD_DEFAULT_EXPIRY_WARNING_DAYS;
	o->results = tlsd_result_filter_new();
	if (!o->results)
		return -ENOMEM;
	opterr = 0; /* unknown options get a hint below */
	while ((c = getopt_long(argc, argv, ":r:i:Dps:B:Z:c:T:f:ao:w:hVvqlnt:", long_options, NULL)) !=
	       -1) {
		switch (c) {
		case 'r': /* repeatable: the files are read in order, as one capture */
			if (o->n_files == MAX_READ_FILES) {
				fprintf(stderr, "tlsdiag: more than %d -r files\n", MAX_READ_FILES);
				return -EINVAL;
			}
			files_r[o->n_files++] = optarg;
			o->files = files_r;
			break;
		case 'i':
			if (!*optarg)
				return bad_value("-i", optarg);
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
		case OPT_FANOUT:
			if (parse_u64(optarg, 65535, &v) < 0)
				return bad_value("--fanout", optarg);
			o->fanout_group = (int)v;
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
		case 'T':
			if (!parse_format(optarg, &o->format))
				return bad_format(optarg);
			break;
		case 'f':
			if (parse_format(optarg, &(enum tlsd_format){0})) {
				fprintf(stderr, "tlsdiag: -f takes a capture filter, as in tshark and dumpcap; "
					"did you mean -T %s?\n", optarg);
				return -EINVAL;
			}
			if (o->filter) {
				fputs("tlsdiag: give one capture filter (-f)\n", stderr);
				return -EINVAL;
			}
			o->filter = strdup(optarg);
			if (!o->filter)
				return -ENOMEM;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
		case 'V':
			o->verbose = true;
			break;
		case 'l':
			o->line_buffered = true;
			break;
		case 'n':
			break; /* names are never resolved */
		case 't':
			if (!tlsd_parse_time_fmt(optarg, &o->time_fmt))
				return bad_value("-t", optarg);
			break;
		case OPT_GROUP:
			o->group = TLSD_GROUP_ON;
			break;
		case OPT_NO_GROUP:
			o->group = TLSD_GROUP_OFF;
			break;
		case OPT_EXPLAIN:
			o->explain = true;
			break;
		case OPT_CAUSE:
			if (result_opt(tlsd_result_filter_causes(o->results, optarg), "--cause", optarg))
				return -EINVAL;
			break;
		case OPT_SNI:
			if (result_opt(tlsd_result_filter_snis(o->results, optarg), "--sni", optarg))
				return -EINVAL;
			break;
		case OPT_SERVER:
			if (result_opt(tlsd_result_filter_servers(o->results, optarg), "--server", optarg))
				return -EINVAL;
			break;
		case OPT_OUTCOME:
			if (result_opt(tlsd_result_filter_outcomes(o->results, optarg), "--outcome", optarg))
				return -EINVAL;
			break;
		case OPT_MIN_CONFIDENCE:
			if (result_opt(tlsd_result_filter_min_confidence(o->results, optarg),
				       "--min-confidence", optarg))
				return -EINVAL;
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
			if (looks_like_preference(optarg))
				return preference_hint(optarg);
			o->output = optarg;
			break;
		case 'w':
			o->write_file = optarg;
			break;
		case OPT_SNAP_FLOW:
			if (parse_u64(optarg, 1u << 30, &v) < 0 || v == 0)
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
			if (parse_u64(optarg, SIZE_MAX / 2, &v) < 0 || v == 0)
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
		case OPT_THREADS:
			if (parse_u64(optarg, TLSD_WORKERS_MAX, &v) < 0 || v == 0)
				return bad_value("--threads", optarg);
			o->threads = (unsigned)v;
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
		case OPT_VERSION:
			printf("tlsdiag %s\n%s\n", TLSD_VERSION, pcap_lib_version());
			return 1;
		case ':':
			fprintf(stderr, "tlsdiag: option %s needs a value\n", argv[optind - 1]);
			fputs("Try 'tlsdiag --help'.\n", stderr);
			return -EINVAL;
		default:
			unknown_option(argv[optind - 1], optopt);
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
	for (int i = first_filter; i < argc; i++) {
		if (autostop_hint(argv[i]))
			return -EINVAL;
		/* A file after the filter: tcpdump's order is files, then filter. */
		if (i > first_filter && !o->iface && looks_like_file(argv[i]) &&
		    strcmp(argv[i], "-") != 0) {
			fprintf(stderr, "tlsdiag: the filter goes after the files: tlsdiag [options] "
				"%s... '", argv[i]);
			for (int j = first_filter; j < i; j++)
				fprintf(stderr, "%s%s", j > first_filter ? " " : "", argv[j]);
			fputs("' (or give it with -f)\n", stderr);
			return -EINVAL;
		}
	}
	if (first_filter < argc) {
		if (o->filter) {
			fputs("tlsdiag: a capture filter was given both with -f and after the files; "
			      "give one\n", stderr);
			return -EINVAL;
		}
		o->filter = join_args(&argv[first_filter], argc - first_filter);
		if (!o->filter)
			return -ENOMEM;
	}
	if (o->group == TLSD_GROUP_ON && o->format != TLSD_FORMAT_TEXT &&
	    o->format != TLSD_FORMAT_JSON) {
		fputs("tlsdiag: --group works with -T text or -T json\n", stderr);
		return -EINVAL;
	}
	if (o->list_ifaces)
		return 0;
	if (o->iface && o->n_files) {
		fputs("tlsdiag: give either -i IFACE or capture files, not both\n", stderr);
		return -EINVAL;
	}
	if (o->fanout_group >= 0 && !o->iface) {
		fputs("tlsdiag: --fanout shares a live capture between processes; it needs -i\n",
		      stderr);
		return -EINVAL;
	}
	if (o->user && !o->iface) {
		fputs("tlsdiag: -Z drops privileges after opening an interface; it needs -i "
		      "(read files as the user you want instead)\n", stderr);
		return -EINVAL;
	}
	if (o->ca_path && !is_dir(o->ca_path)) {
		fprintf(stderr, "tlsdiag: --ca-path %s: %s\n", o->ca_path,
			errno ? strerror(errno) : "not a directory");
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
/* A live capture's kernel counters (pcap_stats) at its end. */
struct kernel_stats {
	bool valid;
	uint64_t received, dropped, if_dropped;
};

struct run {
	const struct options *opt;
	FILE *out;
	bool color;
	struct tlsd_output *output;
	struct tlsd_summary *summary;
	struct tlsd_pcap_out *pout; /* -w */
	uint64_t reported;
	struct tlsd_keylog *keylog; /* --keylog's and pcapng-embedded secrets */
	struct kernel_stats kstats; /* live capture, for --stats */
};

/* Connections' frames held for -w before they are written in capture order. */
#define PCAP_OUT_HOLD (64u << 20)

/* Closes the -w file; -1 after saying why when anything written to it was
 * lost. */
static int close_pcap_out(struct run *run, const char *path)
{
	int rc = tlsd_pcap_out_close(run->pout);

	run->pout = NULL;
	if (rc == 0)
		return 0;
	fprintf(stderr, "tlsdiag: -w %s: write error: %s\n", path, strerror(-rc));
	return -1;
}

static void emit(void *ud, struct tlsd_report *r, const struct tlsd_flow *f,
		 const uint8_t *frames, size_t frames_len)
{
	struct run *run = ud;

	(void)f;
	tlsd_summary_annotate(run->summary, r);
	/* The result filters decide what is shown, summarised and counted for
	 * the exit status; -a only decides what is shown. */
	if (!tlsd_output_selects(run->output, r))
		return;
	tlsd_summary_add(run->summary, r);
	run->reported++;
	tlsd_output_report(run->output, r);
	if (run->pout && frames && r->outcome == TLSD_OUTCOME_FAILED &&
	    tlsd_pcap_out_add(run->pout, frames, frames_len) == 0 && run->opt->iface)
		/* Live: on disk at once, so a crash or power cut keeps the evidence;
		 * an error is reported when the file is closed. */
		(void)!tlsd_pcap_out_flush(run->pout);
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

/* An established connection's certificate findings (warnings, the leaf's
 * fingerprint) are read by its shown report, the summary's warning counts
 * and the grouped view's patterns, nothing else: no verdict depends on
 * them. When none of those will read them, its chain is not checked. */
static bool established_certs_unread(const struct options *o)
{
	bool grouped = o->format == TLSD_FORMAT_TEXT || o->group == TLSD_GROUP_ON;

	return !o->all && !o->summary && !grouped &&
	       !tlsd_result_filter_wants_established(o->results);
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

/* A file's first frame, stamped ts: its connections and the reports from
 * then on are the file's. If it steps back in time, the connections still
 * open end first (tlsd_analyzer_restart), reported under the name of the
 * file before, whose packets they are. */
static void file_begins(struct tlsd_analyzer *a, const struct tlsd_ctx *ctx,
			struct tlsd_output *out, const char *name, tlsd_time_ns ts)
{
	if (tlsd_analyzer_clock_restarts(a, ts)) {
		tlsd_analyzer_restart(a, ts);
		tlsd_analyzer_sync(a);
	}
	/* The next frame is the file's first (held frames went out before). */
	tlsd_output_begin_file(out, name, ctx->frame_no + 1);
}

/* One frame to the analysis. A file's frames come through the stamp
 * guard: a stray is counted, and a confirmed step back restarts the clock
 * as a file given out of order does (the file's name stays). */
static void deliver(struct tlsd_analyzer *a, struct tlsd_ctx *ctx, struct tlsd_output *out,
		    const struct tlsd_stamp_out *so)
{
	if (so->restart && tlsd_analyzer_clock_restarts(a, so->fr.ts)) {
		tlsd_analyzer_restart(a, so->fr.ts);
		tlsd_analyzer_sync(a);
	}
	if (so->stray)
		tlsd_ctx_count(ctx, TLSD_ANOM_CAPTURE_STRAY_STAMP);
	if (so->filtered) {
		tlsd_analyzer_filtered(a, &so->fr);
		return;
	}
	if (ctx->cnt.packets == 0)
		tlsd_output_set_origin(out, so->fr.ts); /* -t r */
	tlsd_analyzer_frame(a, &so->fr);
}

/* deliver(), unless -c's count of packets is reached (frames the filter
 * rejected are not counted, and still go to the analysis). */
static void deliver_counted(struct tlsd_analyzer *a, struct tlsd_ctx *ctx,
			    struct tlsd_output *out, const struct options *o,
			    const struct tlsd_stamp_out *so)
{
	if (so->filtered || !o->count || ctx->cnt.packets < o->count)
		deliver(a, ctx, out, so);
}

/* The frames the guard has decided (all that it holds, with flush), as
 * many as -c still allows. */
static void drain(struct tlsd_stamp_guard *g, bool flush, struct tlsd_analyzer *a,
		  struct tlsd_ctx *ctx, const struct options *o, struct tlsd_output *out)
{
	struct tlsd_stamp_out so;

	if (tlsd_stamp_guard_held(g) == 0)
		return; /* the common case, each frame */
	while (tlsd_stamp_guard_next(g, flush, &so))
		deliver_counted(a, ctx, out, o, &so);
}

/* Reads one capture to its end (or until -c / --duration / a signal).
 * Returns 0, or -1 after printing an error (what was read is kept).
 * file: the file's name, named in the reports from its first frame on;
 * NULL for a live capture (named already). A pcapng file's later sections
 * (files concatenated) begin as a file does. A file's frames pass the stamp
 * guard (stamp_guard.h); a live capture's go straight on. */
static int pump(struct tlsd_capture *cap, struct tlsd_analyzer *a, struct tlsd_ctx *ctx,
		const struct options *o, bool live, struct tlsd_output *out, const char *file)
{
	double deadline = o->duration > 0 ? monotonic_s() + o->duration : 0;
	char err[TLSD_CAPTURE_ERRLEN];
	uint64_t section = 0; /* of the last frame, 0 before the first */
	struct tlsd_stamp_guard guard;
	int rc = 0;

	tlsd_stamp_guard_init(&guard, ctx->lim.idle_timeout);
	current_capture = cap;
	while (!stop_requested) {
		struct tlsd_stamp_out so = {0};
		enum tlsd_capture_status st;

		/* Held frames may be filtered ones, which -c does not count: read
		 * on until enough were delivered (drain stops at the count). */
		if (o->count && ctx->cnt.packets >= o->count)
			break;
		if (deadline && monotonic_s() >= deadline)
			break;
		st = tlsd_capture_next(cap, &so.fr, err);
		so.filtered = st == TLSD_CAPTURE_FILTERED;
		if (file && (st == TLSD_CAPTURE_FRAME || so.filtered)) {
			uint64_t now_in = tlsd_capture_section(cap);

			if (now_in != section) {
				drain(&guard, true, a, ctx, o, out);
				tlsd_stamp_guard_reset(&guard);
				file_begins(a, ctx, out, file, so.fr.ts);
			}
			section = now_in;
			switch (tlsd_stamp_guard_take(&guard, &so.fr, so.filtered)) {
			case TLSD_STAMP_PASS:
				deliver(a, ctx, out, &so);
				break;
			case TLSD_STAMP_NOMEM:
				drain(&guard, true, a, ctx, o, out);
				deliver_counted(a, ctx, out, o, &so);
				break;
			case TLSD_STAMP_HELD:
			default:
				break;
			}
			drain(&guard, false, a, ctx, o, out);
		} else if (st == TLSD_CAPTURE_FRAME || so.filtered) {
			deliver(a, ctx, out, &so);
		} else if (st == TLSD_CAPTURE_TIMEOUT) {
			if (live) {
				tlsd_analyzer_tick(a, wall_clock_ns());
			} else {
				/* A pipe with no input for now: what the workers
				 * finished and the output buffers go out, as they
				 * would at the end of the input. */
				drain(&guard, true, a, ctx, o, out);
				tlsd_analyzer_sync(a);
				fflush(NULL);
			}
		} else if (st == TLSD_CAPTURE_ERROR) {
			fprintf(stderr, "tlsdiag: %s\n", err);
			rc = -1;
			break;
		} else {
			break; /* end of file, or stopped */
		}
	}
	drain(&guard, true, a, ctx, o, out);
	tlsd_stamp_guard_free(&guard);
	current_capture = NULL;
	return rc;
}

static void print_stats(FILE *out, const struct tlsd_ctx *ctx, const struct kernel_stats *k,
			enum tlsd_format fmt, int dlt)
{
	const struct tlsd_counters *c = &ctx->cnt;
	const char *dlt_name = dlt >= 0 ? pcap_datalink_val_to_name(dlt) : NULL;

	if (fmt == TLSD_FORMAT_JSON) {
		fprintf(out, "{\"stats\":{\"link_type\":\"%s\",\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64
			",\"ipv4\":%" PRIu64 ",\"ipv6\":%" PRIu64 ",\"tcp_packets\":%" PRIu64
			",\"udp_packets\":%" PRIu64 ",\"tcp_connections\":%" PRIu64
			",\"tls_connections\":%" PRIu64 ",\"udp_flows\":%" PRIu64
			",\"udp_migrations\":%" PRIu64 ",\"quic_connections\":%" PRIu64
			",\"dtls_associations\":%" PRIu64 ",\"dtls_records\":%" PRIu64
			",\"dtls_fragments\":%" PRIu64 ",\"dtls_retransmissions\":%" PRIu64
			",\"dtls13_records\":%" PRIu64 ",\"udp_muxed_other\":%" PRIu64
			",\"anomalies\":{",
			dlt_name ? dlt_name : "unknown", c->packets, c->bytes, c->ipv4, c->ipv6,
			c->tcp_packets, c->udp_packets, c->flows_created, c->flows_tls,
			c->udp_flows_created, c->udp_migrations, c->quic_connections,
			c->dtls_associations, c->dtls_records, c->dtls_fragments,
			c->dtls_retransmissions, c->dtls13_records, c->udp_muxed_other);
		bool first = true;

		for (int i = 0; i < TLSD_ANOM__COUNT; i++) {
			if (!c->anomalies[i])
				continue;
			fprintf(out, "%s\"%s\":%" PRIu64, first ? "" : ",",
				tlsd_anomaly_name((enum tlsd_anomaly)i), c->anomalies[i]);
			first = false;
		}
		fputc('}', out);
		if (k->valid)
			fprintf(out, ",\"kernel\":{\"received\":%" PRIu64 ",\"dropped\":%" PRIu64
				",\"interface_dropped\":%" PRIu64 "}",
				k->received, k->dropped, k->if_dropped);
		fprintf(out, "},\"type\":\"stats\",\"schema_version\":%d}\n",
			TLSD_JSON_SCHEMA_VERSION);
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
	fprintf(out, "  DTLS associations: %" PRIu64 " (records: %" PRIu64
		", handshake fragments: %" PRIu64 ", retransmitted datagrams: %" PRIu64
		", DTLS 1.3 records: %" PRIu64 "); STUN/RTP/other datagrams beside DTLS: %" PRIu64 "\n",
		c->dtls_associations, c->dtls_records, c->dtls_fragments, c->dtls_retransmissions,
		c->dtls13_records, c->udp_muxed_other);
	if (k->valid)
		fprintf(out, "  kernel: %" PRIu64 " packets received by filter, %" PRIu64
			" dropped by kernel, %" PRIu64 " dropped by interface\n",
			k->received, k->dropped, k->if_dropped);
	for (int i = 0; i < TLSD_ANOM__COUNT; i++)
		if (c->anomalies[i])
			fprintf(out, "  %s: %" PRIu64 "\n", tlsd_anomaly_name((enum tlsd_anomaly)i),
				c->anomalies[i]);
}

static int open_pcap_out(struct run *run, const struct options *o)
{
	char err[PATH_MAX + 256];

	run->pout = tlsd_pcap_out_open(o->write_file, PCAP_OUT_HOLD, err, sizeof(err));
	if (!run->pout) {
		fprintf(stderr, "tlsdiag: -w %s\n", err); /* err names the path */
		return -1;
	}
	return 0;
}

/* Records whose captured length exceeds their length on the wire (or the
 * snap length) were clamped and counted: say that the file is damaged. */
static void note_bad_headers(struct tlsd_capture *cap, struct tlsd_ctx *ctx, const char *name)
{
	uint64_t bad = tlsd_capture_bad_headers(cap);

	ctx->cnt.anomalies[TLSD_ANOM_PKT_BAD_PKTHDR] += bad;
	if (bad)
		fprintf(stderr, "tlsdiag: warning: %s: %" PRIu64 " record%s with a captured length "
			"over its length on the wire or the snap length: the file is damaged\n",
			name, bad, bad == 1 ? "" : "s");
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
			.fanout = o->fanout_group >= 0,
			.fanout_group = (uint16_t)(o->fanout_group >= 0 ? o->fanout_group : 0),
			/* whole TPACKET_V3 blocks, not one wakeup per packet */
			.immediate = false,
		};
		struct kernel_stats *k = &run->kstats;
		struct tlsd_capture *cap;

		if (tlsd_capture_open_live(&cap, &lo, o->filter, err, warn) < 0) {
			fprintf(stderr, "tlsdiag: %s\n", err);
			return -1;
		}
		if (warn[0])
			fprintf(stderr, "tlsdiag: warning: %s\n", warn);
		*last_dlt = tlsd_capture_dlt(cap);
		/* -o and -w are both opened before privileges are dropped (-o at
		 * the start), so both may live where only root can write. */
		if (o->write_file && !run->pout && open_pcap_out(run, o) < 0) {
			tlsd_capture_close(cap);
			return -1;
		}
		if (o->user && drop_privileges(o->user) < 0) {
			tlsd_capture_close(cap);
			return -1;
		}
		tlsd_output_set_source(run->output, o->iface, true);
		fprintf(stderr, "tlsdiag: listening on %s, link-type %s\n", o->iface,
			pcap_datalink_val_to_name(*last_dlt) ? pcap_datalink_val_to_name(*last_dlt)
							     : "?");
		rc = pump(cap, a, ctx, o, true, run->output, NULL);
		note_bad_headers(cap, ctx, o->iface);
		k->valid = tlsd_capture_stats(cap, &k->received, &k->dropped, &k->if_dropped) == 0;
		if (k->valid)
			fprintf(stderr, "tlsdiag: %" PRIu64 " packets received by filter, %" PRIu64
				" dropped by kernel, %" PRIu64 " dropped by interface\n",
				k->received, k->dropped, k->if_dropped);
		tlsd_capture_close(cap);
		return rc;
	}
	for (size_t i = 0; i < o->n_files && !stop_requested; i++) {
		struct tlsd_capture *cap;

		if (o->count && ctx->cnt.packets >= o->count)
			break;
		struct tlsd_file_opts fo = {.filter = o->filter,
					    .secrets = tlsd_analyzer_secrets(a, run->keylog)};

		if (tlsd_capture_open_file_opts(&cap, o->files[i], &fo, err) < 0) {
			fprintf(stderr, "tlsdiag: %s\n", err);
			rc = -1;
			continue;
		}
		tlsd_analyzer_sync(a); /* the reports so far name the file before */
		tlsd_analyzer_share_buffers(a, cap);
		*last_dlt = tlsd_capture_dlt(cap);
		if (o->write_file && !run->pout && open_pcap_out(run, o) < 0) {
			tlsd_capture_close(cap);
			return -1;
		}
		if (pump(cap, a, ctx, o, false, run->output, o->files[i]) < 0)
			rc = -1;
		note_bad_headers(cap, ctx, o->files[i]);
		tlsd_capture_close(cap);
	}
	return rc;
}

/* Input that arrives over time (a pipe, a socket, a terminal): reports are
 * flushed as connections end, as for a live capture. */
static bool streaming_input(const struct options *o)
{
	struct stat st;

	for (size_t i = 0; i < o->n_files; i++) {
		int r = strcmp(o->files[i], "-") == 0 ? fstat(STDIN_FILENO, &st)
							: stat(o->files[i], &st);

		if (r == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode)))
			return true;
	}
	return false;
}

/* An output that is the same file as an input (device and inode, not the
 * name) would destroy it: refused before anything is opened for writing. */
static int same_file(const char *out, const char *in, const char *what)
{
	struct stat so, si;

	if (!out || !in || strcmp(in, "-") == 0 || stat(out, &so) != 0 || stat(in, &si) != 0 ||
	    so.st_dev != si.st_dev || so.st_ino != si.st_ino)
		return 0;
	fprintf(stderr, "tlsdiag: %s %s is the same file as the input %s: refusing to "
		"overwrite it\n", what, out, in);
	return -1;
}

static int refuse_overwrite(const struct options *o)
{
	const char *outs[2][2] = {{o->output, "-o"}, {o->write_file, "-w"}};

	for (int k = 0; k < 2; k++) {
		const char *out = outs[k][0], *what = outs[k][1];

		for (size_t i = 0; i < o->n_files; i++)
			if (same_file(out, o->files[i], what) < 0)
				return -1;
		if (same_file(out, o->keylog_file, what) < 0 || same_file(out, o->ca_file, what) < 0)
			return -1;
	}
	return same_file(o->write_file, o->output, "-w");
}

/* Files smaller than this are read on one thread by default: starting
 * workers and a certificate store each costs more than they save. */
#define THREADS_MIN_INPUT (64u << 20)

/* --threads, or by default one thread per core (the reader is one of
 * them: it analyses a share of the TCP connections itself), except for
 * small files and for input that arrives over time (a pipe: a batch would
 * hold its reports back until it is full). */
static unsigned choose_threads(const struct options *o)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t total = 0;
	struct stat st;

	if (o->threads)
		return o->threads;
	if (cores <= 1)
		return 1;
	for (size_t i = 0; i < o->n_files && !o->iface; i++) {
		if (strcmp(o->files[i], "-") == 0 || stat(o->files[i], &st) != 0 ||
		    !S_ISREG(st.st_mode))
			return 1;
		total += (uint64_t)st.st_size;
	}
	if (!o->iface && total < THREADS_MIN_INPUT)
		return 1;
	return (unsigned)TLSD_MIN(cores, (long)TLSD_WORKERS_MAX);
}

/* One certificate stage per share of the TCP connections (workers.h), each
 * with its own store: a store's scratch answers, caches and libcrypto
 * objects are not thread-safe (cert.h). Share 0 is analysed on the reader
 * thread, which also checks the UDP connections' chains (DTLS, QUIC): it
 * keeps the reader's store (first). Shares 1.. run on worker threads and
 * get stores of their own. */
static int worker_cert_stores(struct tlsd_cert_checks *wc, unsigned n,
			      const struct tlsd_cert_checks *first, const struct tlsd_cert_opts *co)
{
	char cerr[256];

	for (unsigned i = 0; i < n; i++) {
		wc[i] = *first;
		if (i == 0)
			continue;
		wc[i].store = tlsd_cert_store_new(co, cerr, sizeof(cerr));
		if (!wc[i].store) {
			fprintf(stderr, "tlsdiag: certificate store: %s\n", cerr);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options opt = {0};
	struct tlsd_ctx ctx;
	struct run run = {0};
	struct tlsd_analyzer *a = NULL;
	struct tlsd_conn_cfg cfg;
	struct tlsd_cert_checks certs = {0};
	struct tlsd_cert_checks *worker_certs = NULL;
	struct tlsd_cert_opts co;
	unsigned threads;
	struct tlsd_keylog *keylog = NULL;
	struct sigaction sa;
	int rc, last_dlt = -1, status = EXIT_TROUBLE;
	char err[TLSD_CAPTURE_ERRLEN];
	const char *no_color;

	if (!tlsd_openssl_init()) {
		fprintf(stderr, "tlsdiag: cannot start libcrypto\n");
		return EXIT_TROUBLE;
	}
	rc = parse_options(argc, argv, &opt);
	if (rc != 0) {
		free_options(&opt);
		return rc > 0 ? EXIT_NO_FAILURE : EXIT_TROUBLE;
	}
	if (opt.list_ifaces) {
		rc = tlsd_capture_list_interfaces(err);
		if (rc < 0)
			fprintf(stderr, "tlsdiag: %s\n", err);
		free_options(&opt);
		return rc < 0 ? EXIT_TROUBLE : EXIT_NO_FAILURE;
	}

	if (refuse_overwrite(&opt) < 0) {
		free_options(&opt);
		return EXIT_TROUBLE;
	}
	tlsd_ctx_init(&ctx);
	ctx.lim = opt.lim;
	run.opt = &opt;
	run.out = stdout;
	if (opt.output) {
		run.out = fopen(opt.output, "w");
		if (!run.out) {
			fprintf(stderr, "tlsdiag: %s: %s\n", opt.output, strerror(errno));
			free_options(&opt);
			return EXIT_TROUBLE;
		}
	}
	if (opt.line_buffered)
		setvbuf(run.out, NULL, _IOLBF, 0);
	/* NO_COLOR (no-color.org): no colour unless asked for explicitly. */
	no_color = getenv("NO_COLOR");
	run.color = opt.color == COLOR_ALWAYS ||
		    (opt.color == COLOR_AUTO && !opt.output && isatty(STDOUT_FILENO) &&
		     !(no_color && no_color[0]));
	{
		struct tlsd_output_opts oo = {
			.format = opt.format,
			.group = opt.group,
			.all = opt.all,
			.quiet = opt.quiet,
			.verbose = opt.verbose,
			.explain = opt.explain,
			.color = run.color,
			.flush_each = opt.line_buffered || opt.iface || streaming_input(&opt),
			.time_fmt = opt.time_fmt,
			.filter = opt.results,
		};

		run.output = tlsd_output_new(run.out, &oo);
		if (!run.output) {
			fputs("tlsdiag: out of memory\n", stderr);
			goto out;
		}
	}
	threads = choose_threads(&opt);
	if (!opt.no_cert_checks) {
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
		certs.skip_established = established_certs_unread(&opt);
		/* The warnings of reports never printed: unless the summary
		 * counts them or a result filter may select by them. */
		if (!opt.summary && tlsd_result_filter_empty(opt.results))
			certs.details_unread = tlsd_output_details_dropped(run.output);
		if (threads > 1) {
			worker_certs = calloc(threads, sizeof(*worker_certs));
			if (!worker_certs) {
				fputs("tlsdiag: out of memory\n", stderr);
				goto out;
			}
			if (worker_cert_stores(worker_certs, threads, &certs, &co) < 0)
				goto out;
		}
	}
	/* Always there: pcapng files may carry their own key logs. */
	keylog = tlsd_keylog_new();
	if (!keylog) {
		fputs("tlsdiag: out of memory\n", stderr);
		goto out;
	}
	run.keylog = keylog;
	if (opt.keylog_file) {
		struct tlsd_keylog_stats ks;

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
		/* only JSON and Zeek's ssl.log show them */
		.no_fingerprints = opt.format != TLSD_FORMAT_JSON && opt.format != TLSD_FORMAT_ZEEK,
		.certs = certs.store ? &certs : NULL,
		.keylog = keylog,
	};
	if (run.summary)
		a = tlsd_analyzer_new_threads(&ctx, &cfg, threads, worker_certs);
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
	tlsd_output_finish(run.output);
	if (opt.summary) {
		if (opt.format == TLSD_FORMAT_JSON) {
			tlsd_summary_json(run.summary, run.out);
		} else {
			const struct tlsd_group *g = tlsd_output_group(run.output);

			tlsd_summary_text(run.summary, run.out, run.color);
			if (tlsd_output_hidden(run.output))
				fprintf(run.out, "  not shown: %" PRIu64 " incomplete connection%s picked up "
					"mid-stream without a handshake message (-a shows them)\n",
					tlsd_output_hidden(run.output),
					tlsd_output_hidden(run.output) == 1 ? "" : "s");
			if (g && !tlsd_output_grouped(run.output))
				tlsd_group_patterns_text(g, run.out, tlsd_output_group_opts(run.output));
		}
	}
	if (opt.stats)
		print_stats(run.out, &ctx, &run.kstats, opt.format, last_dlt);
	if (rc < 0)
		status = EXIT_TROUBLE;
	else
		status = tlsd_summary_failed(run.summary) ? EXIT_FAILURES : EXIT_NO_FAILURE;
out:
	tlsd_analyzer_free(a);
	for (unsigned i = 1; worker_certs && i < threads; i++)
		tlsd_cert_store_free(worker_certs[i].store);
	free(worker_certs);
	tlsd_cert_store_free(certs.store);
	tlsd_keylog_free(keylog);
	tlsd_summary_free(run.summary);
	tlsd_output_free(run.output);
	if (close_pcap_out(&run, opt.write_file) < 0)
		status = EXIT_TROUBLE;
	if (run.out && fflush(run.out) != 0) {
		fprintf(stderr, "tlsdiag: write error: %s\n", strerror(errno));
		status = EXIT_TROUBLE;
	}
	if (run.out && run.out != stdout)
		fclose(run.out);
	free_options(&opt);
	return status;
}
