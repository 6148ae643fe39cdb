/* One line per connection (report_line.h). */
#include "tlsd/report_line.h"

#include <string.h>

#include "tlsd/community_id.h"
#include "tlsd/cur.h"
#include "tlsd/obuf.h"
#include "tlsd/tls_names.h"

static void line_field(struct tlsd_obuf *out, const uint8_t *s, size_t len)
{
	struct tlsd_cur c;
	uint8_t b;

	if (len == 0) {
		tlsd_obuf_putc(out, '-');
		return;
	}
	tlsd_cur_init(&c, s, len);
	while (tlsd_cur_get_u8(&c, &b)) {
		if (b > 0x20 && b < 0x7f && b != '\\')
			tlsd_obuf_putc(out, (char)b);
		else
			tlsd_obuf_printf(out, "\\x%02x", b);
	}
}

void tlsd_line_field(FILE *f, const uint8_t *s, size_t len)
{
	struct tlsd_obuf ob;

	tlsd_obuf_init(&ob, f);
	line_field(&ob, s, len);
	tlsd_obuf_flush(&ob);
}

static void cstr_field(struct tlsd_obuf *out, const char *s)
{
	line_field(out, (const uint8_t *)(s ? s : ""), s ? strlen(s) : 0);
}

static void endpoint(struct tlsd_obuf *out, const struct tlsd_endpoint *e, uint8_t ipv)
{
	char ip[64];

	tlsd_addr_str(&e->addr, ipv, ip, sizeof(ip));
	tlsd_obuf_puts(out, ipv == 6 ? " [" : " ");
	tlsd_obuf_puts(out, ip);
	tlsd_obuf_puts(out, ipv == 6 ? "]:" : ":");
	tlsd_obuf_u64(out, e->port);
}

/* The time as one token: "2026-11-27 05:08:52.730294 UTC" becomes
 * "2026-11-27T05:08:52.730294Z"; a local zone name is appended directly. */
static void time_token(struct tlsd_obuf *out, tlsd_time_ns t, const struct tlsd_line_opts *o)
{
	char buf[TLSD_TIME_STR_LEN];
	size_t n;

	tlsd_format_time(buf, sizeof(buf), t, o->time_fmt, o->time_origin);
	n = strlen(buf);
	if (n > 4 && strcmp(buf + n - 4, " UTC") == 0)
		strcpy(buf + n - 4, "Z");
	tlsd_obuf_putc(out, ' ');
	for (char *p = buf, *first = strchr(buf, ' '); *p; p++) {
		if (*p != ' ')
			tlsd_obuf_putc(out, *p);
		else if (p == first && strchr(p + 1, ':'))
			tlsd_obuf_putc(out, 'T'); /* between the date and the time of day */
	}
	if (!buf[0])
		tlsd_obuf_putc(out, '-');
}

static void version_token(struct tlsd_obuf *out, uint16_t v)
{
	const char *n = tlsd_name_version(v);

	if (!n) {
		tlsd_obuf_printf(out, "0x%04x", v);
		return;
	}
	for (; *n; n++)
		if (*n != ' ')
			tlsd_obuf_putc(out, *n);
}

static void line_record(struct tlsd_obuf *out, const struct tlsd_report *r,
			const struct tlsd_line_opts *o)
{
	const struct tlsd_diag *cause = tlsd_report_main_cause(r);
	char buf[24], id[TLSD_CONN_UID_LEN];
	bool first = true;

	tlsd_obuf_puts(out, r->outcome == TLSD_OUTCOME_ESTABLISHED ? "ESTABLISHED"
			    : r->outcome == TLSD_OUTCOME_FAILED    ? "FAILED"
								   : "INCOMPLETE");
	tlsd_obuf_putc(out, ' ');
	cstr_field(out, tlsd_step_name(r->failed_step));
	tlsd_obuf_putc(out, ' ');
	if (cause) {
		cstr_field(out, cause->code);
		tlsd_obuf_printf(out, "(%s)", tlsd_confidence_name(cause->confidence));
	} else {
		tlsd_obuf_putc(out, '-');
	}
	tlsd_obuf_putc(out, ' ');
	if (r->has_sni)
		line_field(out, r->sni, r->sni_len);
	else
		tlsd_obuf_putc(out, '-');
	endpoint(out, &r->server, r->ip_version);
	endpoint(out, &r->client, r->ip_version);
	time_token(out, r->ts_first, o);
	tlsd_obuf_printf(out, " ended=%s/%s", tlsd_party_name(r->term_by), tlsd_how_name(r->term_how));
	if (r->transport != TLSD_TRANSPORT_TCP)
		tlsd_obuf_printf(out, " transport=%s", tlsd_transport_name(r->transport));
	tlsd_obuf_puts(out, " alert=");
	if (!r->has_alert)
		tlsd_obuf_putc(out, '-');
	else if (r->alert.encrypted && !r->alert.decrypted)
		tlsd_obuf_printf(out, "%s:encrypted", tlsd_party_name(r->alert.sender));
	else
		tlsd_obuf_printf(out, "%s:%s:%s(%u)", tlsd_party_name(r->alert.sender),
			r->alert.level == 2 ? "fatal" : r->alert.level == 1 ? "warning" : "level?",
			tlsd_name_alert_or_code(r->alert.code, buf, sizeof(buf)), r->alert.code);
	tlsd_obuf_puts(out, " version=");
	if (r->version)
		version_token(out, r->version);
	else
		tlsd_obuf_putc(out, '-');
	tlsd_obuf_puts(out, " history=");
	cstr_field(out, r->history);
	if (tlsd_conn_uid(r, id) == 0)
		tlsd_obuf_printf(out, " id=%s", id);
	for (unsigned i = 0; i < r->n_diags && i < TLSD_MAX_DIAGS; i++) {
		if (&r->diags[i] == cause)
			continue;
		tlsd_obuf_puts(out, !first ? "," : cause ? " also=" : " warnings=");
		cstr_field(out, r->diags[i].code);
		first = false;
	}
	if (o->verbose) {
		char cid[TLSD_COMMUNITY_ID_LEN];

		if (tlsd_report_community_id(r, cid) == 0)
			tlsd_obuf_printf(out, " community_id=%s", cid);
	}
	tlsd_obuf_putc(out, '\n');
}

void tlsd_report_line(FILE *f, const struct tlsd_report *r, const struct tlsd_line_opts *o)
{
	struct tlsd_obuf ob;

	tlsd_obuf_init(&ob, f);
	line_record(&ob, r, o);
	tlsd_obuf_flush(&ob);
}
