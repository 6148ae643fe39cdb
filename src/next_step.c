/* Commands that confirm a failure (next_step.h). */
#include "tlsd/next_step.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tlsd/obuf.h"
#include "tlsd/openssl_names.h"
#include "tlsd/tls_names.h"

/* Bounded appends: a group of pieces that would not fit is dropped whole
 * (sb_begin .. sb_end), so a command is never cut in the middle of an
 * argument. Pieces are copied, not formatted: this runs for every failure. */
struct sb {
	char *p;
	size_t size, len;
	size_t mark; /* len at sb_begin */
	bool over;   /* a piece since sb_begin did not fit */
};

static void sb_init(struct sb *b, char *p, size_t size)
{
	*b = (struct sb){.p = p, .size = size};
	p[0] = 0;
}

static void sb_begin(struct sb *b)
{
	b->mark = b->len;
	b->over = false;
}

static void sb_cat(struct sb *b, const char *s, size_t n)
{
	if (b->over || n >= b->size - b->len) {
		b->over = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void sb_str(struct sb *b, const char *s)
{
	sb_cat(b, s, strlen(s));
}

static void sb_uint(struct sb *b, unsigned v)
{
	char t[20];

	sb_cat(b, t, tlsd_fmt_u64(t, v));
}

/* Whether the group fit; if not, it is taken out again. */
static bool sb_end(struct sb *b)
{
	if (!b->over)
		return true;
	b->len = b->mark;
	b->p[b->len] = 0;
	return false;
}

/* A flag and its value as one group. */
static bool sb_arg(struct sb *b, const char *flag, const char *v, size_t n)
{
	sb_begin(b);
	sb_str(b, flag);
	sb_cat(b, v, n);
	return sb_end(b);
}

/* One piece as its own group. */
static bool sb_add(struct sb *b, const char *s)
{
	sb_begin(b);
	sb_str(b, s);
	return sb_end(b);
}

bool tlsd_next_plain_hostname(const uint8_t *s, size_t len)
{
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_'))
			return false;
	}
	return true;
}

bool tlsd_shell_quote(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf), need = 2, i;
	bool plain = *s != 0;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("-._/:=,+@%", c)))
			plain = false;
		need += c == '\'' ? 4 : 1;
	}
	if (plain)
		need = i;
	if (len + need + 1 > size)
		return false;
	if (plain) {
		memcpy(buf + len, s, i + 1);
		return true;
	}
	buf[len++] = '\'';
	for (i = 0; s[i]; i++) {
		if (s[i] == '\'') {
			memcpy(buf + len, "'\\''", 4);
			len += 4;
		} else {
			buf[len++] = s[i];
		}
	}
	buf[len++] = '\'';
	buf[len] = 0;
	return true;
}

static const char *cause(const struct tlsd_report *r)
{
	const struct tlsd_diag *d = tlsd_report_main_cause(r);

	return d ? d->code : "";
}

static bool cause_is(const struct tlsd_report *r, const char *code)
{
	return strcmp(cause(r), code) == 0;
}

static uint16_t max_version(const struct tlsd_report *r, uint16_t *min_out)
{
	uint16_t hi = 0, lo = 0xffff;

	for (unsigned i = 0; i < r->n_versions_offered && i < TLSD_MAX_VERSIONS; i++) {
		uint16_t v = r->versions_offered[i];

		/* TLS and SSL 3.0 only; DTLS and drafts are not s_client flags. */
		if (v < 0x0300 || v > 0x0304)
			continue;
		hi = v > hi ? v : hi;
		lo = v < lo ? v : lo;
	}
	*min_out = hi ? lo : 0;
	return hi;
}

static const char *openssl_version_flag(uint16_t v)
{
	switch (v) {
	case 0x0300: return "-ssl3";
	case 0x0301: return "-tls1";
	case 0x0302: return "-tls1_1";
	case 0x0303: return "-tls1_2";
	case 0x0304: return "-tls1_3";
	default: return NULL;
	}
}

/* OpenSSL's -groups names for the IANA group names it knows. */
static const char *openssl_group(uint16_t g)
{
	switch (g) {
	case 0x0017: return "P-256";
	case 0x0018: return "P-384";
	case 0x0019: return "P-521";
	case 0x001d: return "X25519";
	case 0x001e: return "X448";
	case 0x0100: return "ffdhe2048";
	case 0x0101: return "ffdhe3072";
	case 0x0102: return "ffdhe4096";
	case 0x0103: return "ffdhe6144";
	case 0x0104: return "ffdhe8192";
	default: return NULL;
	}
}

static void host_port(struct sb *b, const struct tlsd_report *r)
{
	char ip[64];

	tlsd_addr_str(&r->server.addr, r->ip_version, ip, sizeof(ip));
	sb_begin(b);
	sb_str(b, r->ip_version == 6 ? "[" : "");
	sb_str(b, ip);
	sb_str(b, r->ip_version == 6 ? "]:" : ":");
	sb_uint(b, r->server.port);
	sb_end(b);
}

/* The client's suites in OpenSSL's names: TLS <= 1.2 ones for -cipher,
 * TLS 1.3 ones (IANA names) for -ciphersuites. Suites this OpenSSL does
 * not know are left out. */
static void suite_lists(struct sb *b, const struct tlsd_report *r)
{
	char c12[TLSD_NEXT_CMD_LEN / 2], c13[256];
	struct sb b12, b13;

	sb_init(&b12, c12, sizeof(c12));
	sb_init(&b13, c13, sizeof(c13));

	for (unsigned i = 0; i < r->n_suites_kept && i < TLSD_MAX_SUITES; i++) {
		uint16_t s = r->suites_offered[i];
		const char *iana = tlsd_name_suite(s), *name;
		struct tlsd_suite_info si;

		if (!iana || tlsd_is_grease(s) || s == TLSD_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV ||
		    s == TLSD_SUITE_FALLBACK_SCSV || !tlsd_suite_info(s, &si))
			continue;
		if (si.tls13) {
			sb_begin(&b13);
			sb_str(&b13, b13.len ? ":" : "");
			sb_str(&b13, iana);
			sb_end(&b13);
			continue;
		}
		name = tlsd_openssl_suite_name(s);
		if (name) {
			sb_begin(&b12);
			sb_str(&b12, b12.len ? ":" : "");
			sb_str(&b12, name);
			sb_end(&b12);
		}
	}
	if (b12.len) {
		sb_begin(b);
		sb_str(b, " -cipher ");
		sb_cat(b, c12, b12.len);
		sb_end(b);
	}
	if (b13.len) {
		sb_begin(b);
		sb_str(b, " -ciphersuites ");
		sb_cat(b, c13, b13.len);
		sb_end(b);
	}
}

/* ALPN ids as -alpn's comma list, when every one is a plain token. */
static bool alpn_token(const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || (s[i] && strchr("-._/", s[i]))))
			return false;
	return len > 0;
}

static void alpn_list(struct sb *b, const struct tlsd_report *r)
{
	size_t pos = 0, len;
	const uint8_t *s;
	char list[512];
	struct sb lb;

	sb_init(&lb, list, sizeof(list));
	while (tlsd_strlist_next(&r->alpn_offered, &pos, &s, &len)) {
		if (!alpn_token(s, len))
			return;
		sb_begin(&lb);
		sb_str(&lb, lb.len ? "," : "");
		sb_cat(&lb, (const char *)s, len);
		if (!sb_end(&lb))
			return;
	}
	if (lb.len) {
		sb_begin(b);
		sb_str(b, " -alpn ");
		sb_cat(b, list, lb.len);
		sb_end(b);
	}
}

static void openssl_cmd(struct sb *b, const struct tlsd_report *r, bool plain_sni)
{
	uint16_t lo, hi = max_version(r, &lo);
	const char *c = cause(r);
	bool cert_step = r->failed_step == TLSD_STEP_CERTIFICATE ||
			 strncmp(c, "certificate_", 12) == 0 || strstr(c, "server_certificate") ||
			 cause_is(r, "hostname_mismatch") || cause_is(r, "missing_intermediate") ||
			 cause_is(r, "self_signed");

	sb_add(b, "openssl s_client -connect ");
	host_port(b, r);
	if (plain_sni)
		sb_arg(b, " -servername ", (const char *)r->sni, r->sni_len);
	else if (!r->has_sni && r->client_hello_len)
		sb_add(b, " -noservername"); /* the ClientHello was seen: it had none */
	/* The client's versions: one flag when it offered one, a range otherwise. */
	if (hi && hi == lo)
		sb_arg(b, " ", openssl_version_flag(hi), strlen(openssl_version_flag(hi)));
	else if (hi && hi < 0x0304)
		sb_add(b, " -no_tls1_3");
	if (cause_is(r, "no_shared_cipher") || cause_is(r, "differs_from_accepted_clients"))
		suite_lists(b, r);
	if (cause_is(r, "no_shared_group")) {
		bool first = true;

		for (unsigned i = 0; i < r->n_groups_offered && i < TLSD_MAX_GROUPS; i++) {
			const char *g = openssl_group(r->groups_offered[i]);

			if (g && sb_arg(b, first ? " -groups " : ":", g, strlen(g)))
				first = false;
		}
	}
	if (r->alpn_offered.n && (cause_is(r, "no_application_protocol") ||
				  r->failed_step == TLSD_STEP_SERVER_HELLO))
		alpn_list(b, r);
	if (cause_is(r, "inappropriate_fallback"))
		sb_add(b, " -fallback_scsv");
	if (cert_step) {
		sb_add(b, " -showcerts -verify_return_error");
		if (plain_sni)
			sb_arg(b, " -verify_hostname ", (const char *)r->sni, r->sni_len);
	}
	sb_add(b, " </dev/null");
}

static bool https_like(const struct tlsd_report *r)
{
	size_t pos = 0, len;
	const uint8_t *s;

	if (r->server.port == 443 || r->server.port == 8443)
		return true;
	while (tlsd_strlist_next(&r->alpn_offered, &pos, &s, &len))
		if ((len == 2 && memcmp(s, "h2", 2) == 0) || (len == 8 && memcmp(s, "http/1.1", 8) == 0))
			return true;
	return false;
}

static void curl_cmd(struct sb *b, const struct tlsd_report *r, bool plain_sni)
{
	uint16_t lo, hi = max_version(r, &lo);
	char ip[64];
	const char *v6o = r->ip_version == 6 ? "[" : "", *v6c = r->ip_version == 6 ? "]" : "";

	tlsd_addr_str(&r->server.addr, r->ip_version, ip, sizeof(ip));
	sb_add(b, "curl -v");
	if (hi == 0x0304 && lo == 0x0304)
		sb_add(b, " --tlsv1.3");
	else if (hi >= 0x0301 && hi < 0x0304)
		sb_arg(b, " --tls-max 1.", &"0123"[hi - 0x0301], 1);
	sb_begin(b);
	if (plain_sni) {
		sb_str(b, " --resolve ");
		sb_cat(b, (const char *)r->sni, r->sni_len);
		sb_str(b, ":");
		sb_uint(b, r->server.port);
		sb_str(b, ":");
		sb_str(b, v6o);
		sb_str(b, ip);
		sb_str(b, v6c);
		sb_str(b, " https://");
		sb_cat(b, (const char *)r->sni, r->sni_len);
	} else {
		sb_str(b, " -k https://");
		sb_str(b, v6o);
		sb_str(b, ip);
		sb_str(b, v6c);
	}
	sb_str(b, ":");
	sb_uint(b, r->server.port);
	sb_str(b, "/");
	sb_end(b);
}

void tlsd_next_steps(const struct tlsd_report *r, struct tlsd_next_steps *out)
{
	struct sb b;
	char a[64], c[64];
	const char *fam = r->ip_version == 6 ? "ipv6" : "ip";
	const char *l4 = r->transport == TLSD_TRANSPORT_TCP ? "tcp" : "udp";
	bool plain_sni = r->has_sni && tlsd_next_plain_hostname(r->sni, r->sni_len);

	out->openssl[0] = 0;
	out->curl[0] = 0;
	/* s_client and curl speak TLS over TCP only (QUIC and DTLS: the filter). */
	if (r->transport == TLSD_TRANSPORT_TCP) {
		sb_init(&b, out->openssl, sizeof(out->openssl));
		openssl_cmd(&b, r, plain_sni);
		if (https_like(r)) {
			sb_init(&b, out->curl, sizeof(out->curl));
			curl_cmd(&b, r, plain_sni);
		}
	}
	tlsd_addr_str(&r->client.addr, r->ip_version, c, sizeof(c));
	tlsd_addr_str(&r->server.addr, r->ip_version, a, sizeof(a));
	/* "ip.addr==C && ip.addr==S && tcp.port==P && tcp.port==Q"; on loopback
	 * one address, the ports tell the sides apart. */
	sb_init(&b, out->filter, sizeof(out->filter));
	sb_begin(&b);
	sb_str(&b, fam);
	sb_str(&b, ".addr==");
	sb_str(&b, c);
	if (strcmp(a, c) != 0) {
		sb_str(&b, " && ");
		sb_str(&b, fam);
		sb_str(&b, ".addr==");
		sb_str(&b, a);
	}
	sb_str(&b, " && ");
	sb_str(&b, l4);
	sb_str(&b, ".port==");
	sb_uint(&b, r->client.port);
	sb_str(&b, " && ");
	sb_str(&b, l4);
	sb_str(&b, ".port==");
	sb_uint(&b, r->server.port);
	if (sb_end(&b))
		return;
	/* Longer than the field (it is not, for any address): cut as before. */
	if (strcmp(a, c) == 0)
		snprintf(out->filter, sizeof(out->filter), "%s.addr==%s && %s.port==%u && %s.port==%u",
			 fam, c, l4, r->client.port, l4, r->server.port);
	else
		snprintf(out->filter, sizeof(out->filter),
			 "%s.addr==%s && %s.addr==%s && %s.port==%u && %s.port==%u", fam, c, fam, a, l4,
			 r->client.port, l4, r->server.port);
}
