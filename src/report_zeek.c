/* Zeek ssl.log writer (report_zeek.h). */
#include "tlsd/report_zeek.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "tlsd/cert.h"
#include "tlsd/community_id.h"
#include "tlsd/cur.h"
#include "tlsd/obuf.h"
#include "tlsd/tls_names.h"

static const struct {
	const char *name, *type;
} fields[] = {
	{"ts", "time"},
	{"uid", "string"},
	{"id.orig_h", "addr"},
	{"id.orig_p", "port"},
	{"id.resp_h", "addr"},
	{"id.resp_p", "port"},
	{"version", "string"},
	{"cipher", "string"},
	{"curve", "string"},
	{"server_name", "string"},
	{"resumed", "bool"},
	{"last_alert", "string"},
	{"next_protocol", "string"},
	{"established", "bool"},
	{"ssl_history", "string"},
	{"cert_chain_fps", "vector[string]"},
	{"client_cert_chain_fps", "vector[string]"},
	{"sni_matches_cert", "bool"},
	{"validation_status", "string"},
	{"ja3", "string"},
	{"ja3s", "string"},
	{"community_id", "string"},
	{"tlsdiag.outcome", "string"},
	{"tlsdiag.failed_step", "string"},
	{"tlsdiag.cause", "string"},
	{"tlsdiag.confidence", "string"},
};

const char *tlsd_zeek_version(uint16_t v)
{
	switch (v) {
	case 0x0002: return "SSLv2";
	case 0x0300: return "SSLv3";
	case 0x0301: return "TLSv10";
	case 0x0302: return "TLSv11";
	case 0x0303: return "TLSv12";
	case 0x0304: return "TLSv13";
	case 0xfeff: return "DTLSv10";
	case 0xfefd: return "DTLSv12";
	case 0xfefc: return "DTLSv13";
	default: return NULL;
	}
}

static void stamp(FILE *out, const char *what, tlsd_time_ns t)
{
	time_t sec = (time_t)(t / TLSD_NS_PER_SEC);
	struct tm tm;
	char buf[32];

	if (t >= 0 && gmtime_r(&sec, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%d-%H-%M-%S", &tm))
		fprintf(out, "#%s\t%s\n", what, buf);
	else
		fprintf(out, "#%s\t-\n", what);
}

void tlsd_zeek_header(FILE *out, tlsd_time_ns open_ts)
{
	fputs("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
	      "#path\tssl\n", out);
	stamp(out, "open", open_ts);
	fputs("#fields", out);
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(fields); i++)
		fprintf(out, "\t%s", fields[i].name);
	fputs("\n#types", out);
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(fields); i++)
		fprintf(out, "\t%s", fields[i].type);
	fputc('\n', out);
}

void tlsd_zeek_footer(FILE *out, tlsd_time_ns close_ts)
{
	stamp(out, "close", close_ts);
}

/* One string value, escaped as Zeek's ASCII writer does: bytes outside
 * printable ASCII, the separators and backslash as \xNN; "" is "(empty)";
 * a value that reads as the unset mark is escaped too. in_set: ',' too. */
static void zstr(struct tlsd_obuf *out, const uint8_t *s, size_t len, bool in_set)
{
	struct tlsd_cur c;
	uint8_t b;

	if (len == 0) {
		tlsd_obuf_puts(out, "(empty)");
		return;
	}
	if (len == 1 && s[0] == '-') {
		tlsd_obuf_puts(out, "\\x2d");
		return;
	}
	tlsd_cur_init(&c, s, len);
	while (tlsd_cur_get_u8(&c, &b)) {
		if (b >= 0x20 && b < 0x7f && b != '\\' && !(in_set && b == ','))
			tlsd_obuf_putc(out, (char)b);
		else
			tlsd_obuf_printf(out, "\\x%02x", b);
	}
}

static void zcstr(struct tlsd_obuf *out, const char *s)
{
	tlsd_obuf_putc(out, '\t');
	if (!s)
		tlsd_obuf_putc(out, '-');
	else
		zstr(out, (const uint8_t *)s, strlen(s), false);
}

static void zbool(struct tlsd_obuf *out, int v) /* 1 T, 0 F, -1 unset */
{
	tlsd_obuf_puts(out, v < 0 ? "\t-" : v ? "\tT" : "\tF");
}

static void zaddr(struct tlsd_obuf *out, const struct tlsd_endpoint *e, uint8_t ipv)
{
	char ip[64];

	tlsd_obuf_putc(out, '\t');
	tlsd_obuf_puts(out, tlsd_addr_str(&e->addr, ipv, ip, sizeof(ip)));
	tlsd_obuf_putc(out, '\t');
	tlsd_obuf_u64(out, e->port);
}

static void zchain(struct tlsd_obuf *out, const struct tlsd_chain_findings *f)
{
	tlsd_obuf_putc(out, '\t');
	if (!f || f->n_certs == 0) {
		tlsd_obuf_putc(out, '-');
		return;
	}
	for (uint32_t i = 0; i < f->n_certs && i < TLSD_CERT_MAX_CHAIN; i++) {
		if (i)
			tlsd_obuf_putc(out, ',');
		zstr(out, (const uint8_t *)f->certs[i].sha256, strlen(f->certs[i].sha256), true);
	}
}

static void zeek_record(struct tlsd_obuf *out, const struct tlsd_report *r)
{
	const struct tlsd_diag *cause = tlsd_report_main_cause(r);
	const struct tlsd_chain_findings *f = r->certs;
	char id[TLSD_CONN_UID_LEN], cid[TLSD_COMMUNITY_ID_LEN], buf[24];
	size_t pos = 0, len;
	const uint8_t *alpn;
	tlsd_time_ns t = r->ts_first;

	tlsd_obuf_printf(out, "%" PRId64 ".%06" PRId64, t / TLSD_NS_PER_SEC, t % TLSD_NS_PER_SEC / 1000);
	zcstr(out, tlsd_conn_uid(r, id) == 0 ? id : NULL);
	zaddr(out, &r->client, r->ip_version);
	zaddr(out, &r->server, r->ip_version);
	zcstr(out, r->version ? tlsd_zeek_version(r->version) : NULL);
	zcstr(out, r->has_cipher ? tlsd_name_suite(r->cipher) : NULL);
	zcstr(out, r->kx_group ? tlsd_name_group(r->kx_group) : NULL);
	tlsd_obuf_putc(out, '\t');
	if (r->has_sni)
		zstr(out, r->sni, r->sni_len, false);
	else
		tlsd_obuf_putc(out, '-');
	zbool(out, r->resumed);
	zcstr(out, r->has_alert && !(r->alert.encrypted && !r->alert.decrypted)
			   ? tlsd_name_alert_or_code(r->alert.code, buf, sizeof(buf))
			   : NULL);
	tlsd_obuf_putc(out, '\t');
	if (r->has_alpn && tlsd_strlist_next(&r->alpn, &pos, &alpn, &len))
		zstr(out, alpn, len, false);
	else
		tlsd_obuf_putc(out, '-');
	zbool(out, r->outcome == TLSD_OUTCOME_ESTABLISHED);
	zcstr(out, r->history[0] ? r->history : NULL);
	zchain(out, r->certs);
	zchain(out, r->client_certs);
	zbool(out, f && f->n_certs && f->host_checked
			   ? !tlsd_cert_has_finding(f, TLSD_CERT_HOSTNAME_MISMATCH)
			   : -1);
	zcstr(out, !f || !f->n_certs ? NULL
		   : f->verified    ? "ok"
		   : f->verify_error_text[0] ? f->verify_error_text
					     : NULL);
	zcstr(out, r->ja3[0] ? r->ja3 : NULL);
	zcstr(out, r->ja3s[0] ? r->ja3s : NULL);
	zcstr(out, tlsd_report_community_id(r, cid) == 0 ? cid
											   : NULL);
	zcstr(out, tlsd_outcome_name(r->outcome));
	zcstr(out, tlsd_step_name(r->failed_step));
	zcstr(out, cause ? cause->code : NULL);
	zcstr(out, cause ? tlsd_confidence_name(cause->confidence) : NULL);
	tlsd_obuf_putc(out, '\n');
}

void tlsd_report_zeek(FILE *f, const struct tlsd_report *r)
{
	struct tlsd_obuf ob;

	tlsd_obuf_init(&ob, f);
	zeek_record(&ob, r);
	tlsd_obuf_flush(&ob);
}
