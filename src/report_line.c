/* One line per connection (report_line.h). */
#include "tlsd/report_line.h"

#include <string.h>

#include "tlsd/community_id.h"
#include "tlsd/cur.h"
#include "tlsd/tls_names.h"

void tlsd_line_field(FILE *out, const uint8_t *s, size_t len)
{
	struct tlsd_cur c;
	uint8_t b;

	if (len == 0) {
		fputc('-', out);
		return;
	}
	tlsd_cur_init(&c, s, len);
	while (tlsd_cur_get_u8(&c, &b)) {
		if (b > 0x20 && b < 0x7f && b != '\\')
			fputc(b, out);
		else
			fprintf(out, "\\x%02x", b);
	}
}

static void cstr_field(FILE *out, const char *s)
{
	tlsd_line_field(out, (const uint8_t *)(s ? s : ""), s ? strlen(s) : 0);
}

static void endpoint(FILE *out, const struct tlsd_endpoint *e, uint8_t ipv)
{
	char ip[64];

	tlsd_addr_str(&e->addr, ipv, ip, sizeof(ip));
	fprintf(out, ipv == 6 ? " [%s]:%u" : " %s:%u", ip, e->port);
}

/* The time as one token: "2026-11-27 05:08:52.730294 UTC" becomes
 * "2026-11-27T05:08:52.730294Z"; a local zone name is appended directly. */
static void time_token(FILE *out, tlsd_time_ns t, const struct tlsd_line_opts *o)
{
	char buf[TLSD_TIME_STR_LEN];
	size_t n;

	tlsd_format_time(buf, sizeof(buf), t, o->time_fmt, o->time_origin);
	n = strlen(buf);
	if (n > 4 && strcmp(buf + n - 4, " UTC") == 0)
		strcpy(buf + n - 4, "Z");
	fputc(' ', out);
	for (char *p = buf, *first = strchr(buf, ' '); *p; p++) {
		if (*p != ' ')
			fputc(*p, out);
		else if (p == first && strchr(p + 1, ':'))
			fputc('T', out); /* between the date and the time of day */
	}
	if (!buf[0])
		fputc('-', out);
}

static void version_token(FILE *out, uint16_t v)
{
	const char *n = tlsd_name_version(v);

	if (!n) {
		fprintf(out, "0x%04x", v);
		return;
	}
	for (; *n; n++)
		if (*n != ' ')
			fputc(*n, out);
}

void tlsd_report_line(FILE *out, const struct tlsd_report *r, const struct tlsd_line_opts *o)
{
	const struct tlsd_diag *cause = tlsd_report_main_cause(r);
	char buf[24], id[TLSD_CONN_UID_LEN];
	bool first = true;

	fputs(r->outcome == TLSD_OUTCOME_ESTABLISHED ? "ESTABLISHED"
	      : r->outcome == TLSD_OUTCOME_FAILED    ? "FAILED"
						     : "INCOMPLETE",
	      out);
	fputc(' ', out);
	cstr_field(out, tlsd_step_name(r->failed_step));
	fputc(' ', out);
	if (cause) {
		cstr_field(out, cause->code);
		fprintf(out, "(%s)", tlsd_confidence_name(cause->confidence));
	} else {
		fputc('-', out);
	}
	fputc(' ', out);
	if (r->has_sni)
		tlsd_line_field(out, r->sni, r->sni_len);
	else
		fputc('-', out);
	endpoint(out, &r->server, r->ip_version);
	endpoint(out, &r->client, r->ip_version);
	time_token(out, r->ts_first, o);
	fprintf(out, " ended=%s/%s", tlsd_party_name(r->term_by), tlsd_how_name(r->term_how));
	if (r->transport != TLSD_TRANSPORT_TCP)
		fprintf(out, " transport=%s", tlsd_transport_name(r->transport));
	fputs(" alert=", out);
	if (!r->has_alert)
		fputc('-', out);
	else if (r->alert.encrypted && !r->alert.decrypted)
		fprintf(out, "%s:encrypted", tlsd_party_name(r->alert.sender));
	else
		fprintf(out, "%s:%s:%s(%u)", tlsd_party_name(r->alert.sender),
			r->alert.level == 2 ? "fatal" : r->alert.level == 1 ? "warning" : "level?",
			tlsd_name_alert_or_code(r->alert.code, buf, sizeof(buf)), r->alert.code);
	fputs(" version=", out);
	if (r->version)
		version_token(out, r->version);
	else
		fputc('-', out);
	fputs(" history=", out);
	cstr_field(out, r->history);
	if (tlsd_conn_uid(r, id) == 0)
		fprintf(out, " id=%s", id);
	for (unsigned i = 0; i < r->n_diags && i < TLSD_MAX_DIAGS; i++) {
		if (&r->diags[i] == cause)
			continue;
		fputs(!first ? "," : cause ? " also=" : " warnings=", out);
		cstr_field(out, r->diags[i].code);
		first = false;
	}
	if (o->verbose) {
		char cid[TLSD_COMMUNITY_ID_LEN];

		if (tlsd_report_community_id(r, cid) == 0)
			fprintf(out, " community_id=%s", cid);
	}
	fputc('\n', out);
}
