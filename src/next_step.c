/* Commands that confirm a failure (next_step.h). */
#include "tlsd/next_step.h"

#include <openssl/ssl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tlsd/tls_names.h"

/* Bounded appends: a string that would not fit is dropped whole, so a
 * command is never cut in the middle of an argument. */
struct sb {
	char *p;
	size_t size, len;
};

__attribute__((format(printf, 2, 3))) static bool sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->size - b->len) {
		b->p[b->len] = 0;
		return false;
	}
	b->len += (size_t)n;
	return true;
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
	if (r->ip_version == 6)
		sb_add(b, "[%s]:%u", ip, r->server.port);
	else
		sb_add(b, "%s:%u", ip, r->server.port);
}

/* The client's suites in OpenSSL's names: TLS <= 1.2 ones for -cipher,
 * TLS 1.3 ones (IANA names) for -ciphersuites. Suites this OpenSSL does
 * not know are left out. */
static void suite_lists(struct sb *b, const struct tlsd_report *r)
{
	char c12[TLSD_NEXT_CMD_LEN / 2] = "", c13[256] = "";
	struct sb b12 = {c12, sizeof(c12), 0}, b13 = {c13, sizeof(c13), 0};

	for (unsigned i = 0; i < r->n_suites_kept && i < TLSD_MAX_SUITES; i++) {
		uint16_t s = r->suites_offered[i];
		const char *iana = tlsd_name_suite(s), *name;
		struct tlsd_suite_info si;

		if (!iana || tlsd_is_grease(s) || s == TLSD_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV ||
		    s == TLSD_SUITE_FALLBACK_SCSV || !tlsd_suite_info(s, &si))
			continue;
		if (si.tls13) {
			sb_add(&b13, "%s%s", b13.len ? ":" : "", iana);
			continue;
		}
		name = OPENSSL_cipher_name(iana);
		if (name && strcmp(name, "(NONE)") != 0)
			sb_add(&b12, "%s%s", b12.len ? ":" : "", name);
	}
	if (b12.len)
		sb_add(b, " -cipher %s", c12);
	if (b13.len)
		sb_add(b, " -ciphersuites %s", c13);
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
	char list[512] = "";
	struct sb lb = {list, sizeof(list), 0};

	while (tlsd_strlist_next(&r->alpn_offered, &pos, &s, &len))
		if (!alpn_token(s, len) || !sb_add(&lb, "%s%.*s", lb.len ? "," : "", (int)len,
						   (const char *)s))
			return;
	if (lb.len)
		sb_add(b, " -alpn %s", list);
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
		sb_add(b, " -servername %.*s", (int)r->sni_len, (const char *)r->sni);
	else if (!r->has_sni && r->client_hello_len)
		sb_add(b, " -noservername"); /* the ClientHello was seen: it had none */
	/* The client's versions: one flag when it offered one, a range otherwise. */
	if (hi && hi == lo)
		sb_add(b, " %s", openssl_version_flag(hi));
	else if (hi && hi < 0x0304)
		sb_add(b, " -no_tls1_3");
	if (cause_is(r, "no_shared_cipher") || cause_is(r, "differs_from_accepted_clients"))
		suite_lists(b, r);
	if (cause_is(r, "no_shared_group")) {
		bool first = true;

		for (unsigned i = 0; i < r->n_groups_offered && i < TLSD_MAX_GROUPS; i++) {
			const char *g = openssl_group(r->groups_offered[i]);

			if (g && sb_add(b, "%s%s", first ? " -groups " : ":", g))
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
			sb_add(b, " -verify_hostname %.*s", (int)r->sni_len, (const char *)r->sni);
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
		sb_add(b, " --tls-max 1.%u", (unsigned)(hi - 0x0301));
	if (plain_sni)
		sb_add(b, " --resolve %.*s:%u:%s%s%s https://%.*s:%u/", (int)r->sni_len,
		       (const char *)r->sni, r->server.port, v6o, ip, v6c, (int)r->sni_len,
		       (const char *)r->sni, r->server.port);
	else
		sb_add(b, " -k https://%s%s%s:%u/", v6o, ip, v6c, r->server.port);
}

void tlsd_next_steps(const struct tlsd_report *r, struct tlsd_next_steps *out)
{
	struct sb b;
	char a[64], c[64];
	const char *fam = r->ip_version == 6 ? "ipv6" : "ip";
	const char *l4 = r->transport == TLSD_TRANSPORT_TCP ? "tcp" : "udp";
	bool plain_sni = r->has_sni && tlsd_next_plain_hostname(r->sni, r->sni_len);

	memset(out, 0, sizeof(*out));
	/* s_client and curl speak TLS over TCP only (QUIC and DTLS: the filter). */
	if (r->transport == TLSD_TRANSPORT_TCP) {
		b = (struct sb){out->openssl, sizeof(out->openssl), 0};
		openssl_cmd(&b, r, plain_sni);
		if (https_like(r)) {
			b = (struct sb){out->curl, sizeof(out->curl), 0};
			curl_cmd(&b, r, plain_sni);
		}
	}
	tlsd_addr_str(&r->client.addr, r->ip_version, c, sizeof(c));
	tlsd_addr_str(&r->server.addr, r->ip_version, a, sizeof(a));
	if (strcmp(a, c) == 0) /* loopback: one address, the ports tell the sides apart */
		snprintf(out->filter, sizeof(out->filter), "%s.addr==%s && %s.port==%u && %s.port==%u",
			 fam, c, l4, r->client.port, l4, r->server.port);
	else
		snprintf(out->filter, sizeof(out->filter),
			 "%s.addr==%s && %s.addr==%s && %s.port==%u && %s.port==%u", fam, c, fam, a, l4,
			 r->client.port, l4, r->server.port);
}
