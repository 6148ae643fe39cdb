/* Text reporter: readable at a glance by someone under pressure. */
#include "tlsd/report_text.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "tlsd/cert.h"
#include "tlsd/community_id.h"
#include "tlsd/history.h"
#include "tlsd/next_step.h"
#include "tlsd/cur.h"
#include "tlsd/quic.h"
#include "tlsd/explain.h"
#include "tlsd/tls_names.h"

#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

/* Printable ASCII as is, except the bytes of ALSO; a backslash doubled; the
 * rest as \xHH. */
static void escaped(FILE *out, const uint8_t *s, size_t len, const char *also)
{
	struct tlsd_cur c;
	uint8_t b;

	tlsd_cur_init(&c, s, len);
	while (tlsd_cur_get_u8(&c, &b)) {
		if (b == '\\')
			fputs("\\\\", out);
		else if (b >= 0x20 && b < 0x7f && !strchr(also, b))
			fputc(b, out);
		else
			fprintf(out, "\\x%02x", b);
	}
}

void tlsd_text_escaped(FILE *out, const uint8_t *s, size_t len)
{
	escaped(out, s, len, "");
}

/* A peer's bytes as the value of a key=value field of a one-line header: a
 * space, '=' or '"' in it is escaped too, so it cannot fake the fields that
 * follow. */
static void field_escaped(FILE *out, const uint8_t *s, size_t len)
{
	escaped(out, s, len, " =\"");
}

static const char *col(const struct tlsd_text_opts *o, const char *code)
{
	return o->color ? code : "";
}

static void print_time(FILE *out, tlsd_time_ns t, const struct tlsd_text_opts *o)
{
	char buf[TLSD_TIME_STR_LEN];

	fputs(tlsd_format_time(buf, sizeof(buf), t, o->time_fmt, o->time_origin), out);
}

static void print_endpoint(FILE *out, const struct tlsd_endpoint *e, uint8_t ipv)
{
	char ip[64];

	tlsd_addr_str(&e->addr, ipv, ip, sizeof(ip));
	if (ipv == 6)
		fprintf(out, "[%s]:%u", ip, e->port);
	else
		fprintf(out, "%s:%u", ip, e->port);
}

/* A code point's name, or its value in hex when the tables lack it. */
static void print_named(FILE *out, const char *name, uint16_t v)
{
	if (name)
		fputs(name, out);
	else
		fprintf(out, "0x%04x", v);
}

static void print_version(FILE *out, uint16_t v)
{
	print_named(out, tlsd_name_version(v), v);
}

static void print_suite(FILE *out, uint16_t s)
{
	print_named(out, tlsd_name_suite(s), s);
}

static void print_strlist(FILE *out, const struct tlsd_strlist *l)
{
	size_t pos = 0, len;
	const uint8_t *s;
	bool first = true;

	while (tlsd_strlist_next(l, &pos, &s, &len)) {
		if (!first)
			fputc(',', out);
		tlsd_text_escaped(out, s, len);
		first = false;
	}
}

static void print_versions_offered(FILE *out, const struct tlsd_report *r)
{
	for (unsigned i = 0; i < r->n_versions_offered; i++) {
		if (i)
			fputs(", ", out);
		print_version(out, r->versions_offered[i]);
	}
	if (!r->n_versions_offered)
		fputc('-', out);
}

/* Cipher suites offered, not counting GREASE and the signalling values
 * (TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV), which are not
 * suites a server could choose. */
static void print_suite_count(FILE *out, const struct tlsd_report *r)
{
	unsigned n = r->n_suites_offered;

	for (unsigned i = 0; i < r->n_suites_kept && i < TLSD_MAX_SUITES; i++) {
		uint16_t s = r->suites_offered[i];

		if (tlsd_is_grease(s) || s == TLSD_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV ||
		    s == TLSD_SUITE_FALLBACK_SCSV)
			n--;
	}
	fprintf(out, "; %u cipher suite%s", n, n == 1 ? "" : "s");
	if (r->n_ssl2_specs)
		fprintf(out, " and %u SSL 2.0 cipher spec%s", r->n_ssl2_specs,
			r->n_ssl2_specs == 1 ? "" : "s");
}

static void print_ms(FILE *out, tlsd_time_ns t)
{
	double ms = (double)t / 1e6;

	fprintf(out, ms < 1 ? "%.3f ms" : "%.1f ms", ms);
}

static void print_alert(FILE *out, const struct tlsd_report *r)
{
	char buf[24];

	if (r->alert.encrypted && !r->alert.decrypted) {
		fprintf(out, "encrypted alert from %s (content not readable without keys)",
			tlsd_party_name(r->alert.sender));
		return;
	}
	fprintf(out, "%s %s (%u) from %s%s",
		r->alert.level == 2 ? "fatal" : r->alert.level == 1 ? "warning" : "level?",
		tlsd_name_alert_or_code(r->alert.code, buf, sizeof(buf)), r->alert.code,
		tlsd_party_name(r->alert.sender),
		r->alert.decrypted ? " (encrypted, read with the key log)" : "");
}

/* One line per certificate. cert.h strings are printable ASCII already
 * (other bytes arrive as \xNN), so they are printed as they are. */
static void print_chain(FILE *out, const char *who, const struct tlsd_chain_findings *f)
{
	char nb[32], na[32];

	for (uint32_t i = 0; f && i < f->n_certs && i < TLSD_CERT_MAX_CHAIN; i++) {
		const struct tlsd_cert_info *ci = &f->certs[i];

		fprintf(out, "  %scert %" PRIu32 ":%*s", who, i, who[0] ? 1 : 5, "");
		if (!ci->parsed) {
			fprintf(out, "%" PRIu32 " bytes, %s; sha256 %s\n", ci->der_len,
				ci->too_large ? "too large to parse" : "not a certificate", ci->sha256);
			continue;
		}
		tlsd_cert_format_time(nb, sizeof(nb), ci->not_before);
		tlsd_cert_format_time(na, sizeof(na), ci->not_after);
		fprintf(out, "%s; issuer %s; %s .. %s; %s %d", ci->subject, ci->issuer,
			ci->times_valid ? nb : "?", ci->times_valid ? na : "?", ci->key_type,
			ci->key_bits);
		if (ci->key_group[0])
			fprintf(out, " %s", ci->key_group);
		fprintf(out, "; %s", ci->sig_alg);
		for (unsigned j = 0; j < ci->n_dns && j < TLSD_CERT_MAX_DNS; j++)
			fprintf(out, "%s%s", j ? "," : "; DNS ", ci->dns[j]);
		for (unsigned j = 0; j < ci->n_ips && j < TLSD_CERT_MAX_IPS; j++)
			fprintf(out, "%s%s", j ? "," : "; IP ", ci->ips[j]);
		if (ci->san_truncated)
			fprintf(out, " (%" PRIu32 " names in all)", ci->n_san_total);
		fprintf(out, "; serial %s; sha256 %s\n", ci->serial, ci->sha256);
	}
	if (f && f->n_sent > f->n_certs)
		fprintf(out, "  %scerts:%*s%" PRIu32 " more not checked (--max-chain)\n", who,
			who[0] ? 1 : 5, "", f->n_sent - f->n_certs);
}

static void print_certs(FILE *out, const struct tlsd_report *r)
{
	print_chain(out, "", r->certs);
	print_chain(out, "client ", r->client_certs);
}

/* --explain: one line per history symbol. */
static void print_explained(FILE *out, const char *h)
{
	struct tlsd_history_step st;
	size_t pos = 0;

	while (tlsd_history_next(h, &pos, &st))
		fprintf(out, "              %-3s %-9s %s\n", st.sym, st.who ? st.who : "-", st.what);
}

/* What confirms the failure, and the packets to look at. */
static void print_next_steps(FILE *out, const struct tlsd_report *r, const struct tlsd_text_opts *o)
{
	struct tlsd_next_steps ns;
	char src[512] = "";

	tlsd_next_steps(r, &ns);
	/* An incomplete connection has no failure to confirm, only packets. */
	if (r->outcome == TLSD_OUTCOME_FAILED && ns.openssl[0])
		fprintf(out, "  next:       %s\n", ns.openssl);
	if (o->verbose && ns.curl[0] && r->outcome == TLSD_OUTCOME_FAILED)
		fprintf(out, "  curl:       %s\n", ns.curl);
	if (o->source && tlsd_shell_quote(src, sizeof(src), o->source))
		fprintf(out, "  packets:    tshark %s %s -Y '%s'\n", o->live ? "-i" : "-r", src,
			ns.filter);
	else
		fprintf(out, "  packets:    tshark -Y '%s'\n", ns.filter);
	if (o->verbose) {
		char id[TLSD_CONN_UID_LEN], cid[TLSD_COMMUNITY_ID_LEN];

		if (tlsd_conn_uid(r, id) == 0 &&
		    tlsd_report_community_id(r, cid) == 0)
			fprintf(out, "  id:         %s (community_id %s)\n", id, cid);
	}
}

/* pcapng: the interface (failures; established connections show it on
 * their line) and the packet comments. */
static void print_capture_notes(FILE *out, const struct tlsd_report *r, bool iface)
{
	if (iface && r->interface[0]) {
		fputs("  interface:  ", out);
		tlsd_text_escaped(out, (const uint8_t *)r->interface, strlen(r->interface));
		fputc('\n', out);
	}
	for (unsigned i = 0; i < r->n_comments && i < TLSD_MAX_COMMENTS; i++) {
		fprintf(out, "  comment:    frame %" PRIu64 ": ", r->comments[i].frame);
		tlsd_text_escaped(out, r->comments[i].text,
				  TLSD_MIN(r->comments[i].len, (uint16_t)TLSD_COMMENT_LEN));
		fputc('\n', out);
	}
	if (r->n_comments_total > r->n_comments)
		fprintf(out, "  comment:    %" PRIu32 " more\n", r->n_comments_total - r->n_comments);
}

/* " QUIC v1" / " DTLS" after the endpoints; nothing for TCP, nor for DTLS
 * when the line goes on with a version whose name says it. */
static void print_transport(FILE *out, const struct tlsd_report *r, bool version_follows)
{
	const char *v;

	if (r->transport == TLSD_TRANSPORT_TCP)
		return;
	if (version_follows && r->transport == TLSD_TRANSPORT_DTLS &&
	    tlsd_version_is_dtls(r->version) && tlsd_name_version(r->version))
		return;
	fputs(r->transport == TLSD_TRANSPORT_QUIC ? " QUIC" : " DTLS", out);
	if (!r->quic_version)
		return;
	v = tlsd_quic_version_name(r->quic_version);
	if (v)
		fprintf(out, " %s", v);
	else
		fprintf(out, " 0x%08" PRIx32, r->quic_version);
}

/* "  close:      transport PROTOCOL_VIOLATION (0xa) from server "reason"" */
static void print_quic_close(FILE *out, const struct tlsd_report *r)
{
	const struct tlsd_report_quic_close *c = &r->quic_close;
	const char *name = c->app ? NULL : tlsd_quic_error_name(c->code);

	if (!r->has_quic_close)
		return;
	fputs("  close:      ", out);
	if (c->encrypted) {
		fprintf(out, "CONNECTION_CLOSE from %s (in a packet not readable without keys)\n",
			tlsd_party_name(c->sender));
		return;
	}
	fprintf(out, "%s %s (0x%" PRIx64 ") from %s", c->app ? "application" : "transport",
		name ? name : "error", c->code, tlsd_party_name(c->sender));
	if (c->reason_len) {
		fputs(" \"", out);
		tlsd_text_escaped(out, c->reason, c->reason_len);
		fputc('"', out);
	}
	fputc('\n', out);
}

static void print_one_line(FILE *out, const struct tlsd_report *r, const struct tlsd_text_opts *o)
{
	fprintf(out, "%s%-11s%s ", col(o, C_GREEN), "ESTABLISHED", col(o, C_OFF));
	print_endpoint(out, &r->client, r->ip_version);
	fputs(" -> ", out);
	print_endpoint(out, &r->server, r->ip_version);
	print_transport(out, r, true);
	if (r->has_sni) {
		fputs(" sni=", out);
		field_escaped(out, r->sni, r->sni_len);
	}
	fputc(' ', out);
	if (r->version)
		print_version(out, r->version);
	if (r->has_cipher) {
		fputc(' ', out);
		print_suite(out, r->cipher);
	}
	if (r->resumed)
		fputs(" resumed", out);
	if (r->interface[0]) {
		fputs(" interface=", out);
		field_escaped(out, (const uint8_t *)r->interface, strlen(r->interface));
	}
	fprintf(out, " history=%s\n", r->history);
	for (unsigned i = 0; i < r->n_diags; i++) {
		char text[640];

		tlsd_explain_text(r, &r->diags[i], text, sizeof(text));
		fprintf(out, "  %swarning%s: %s (%s): %s\n", col(o, C_YELLOW), col(o, C_OFF),
			r->diags[i].code, tlsd_confidence_name(r->diags[i].confidence), text);
	}
	print_capture_notes(out, r, false);
	print_certs(out, r);
}

void tlsd_report_text(FILE *out, const struct tlsd_report *r, const struct tlsd_text_opts *o)
{
	const char *label = r->outcome == TLSD_OUTCOME_FAILED ? "FAILED" : "INCOMPLETE";
	const char *lc = r->outcome == TLSD_OUTCOME_FAILED ? C_RED : C_YELLOW;

	if (r->outcome == TLSD_OUTCOME_ESTABLISHED) {
		if (o->all)
			print_one_line(out, r, o);
		return;
	}
	fprintf(out, "%s%s%s%s ", col(o, C_BOLD), col(o, lc), label, col(o, C_OFF));
	print_endpoint(out, &r->client, r->ip_version);
	fputs(" -> ", out);
	print_endpoint(out, &r->server, r->ip_version);
	print_transport(out, r, false);
	if (r->has_sni) {
		fputs("  sni=", out);
		field_escaped(out, r->sni, r->sni_len);
	}
	fputs("  ", out);
	print_time(out, r->ts_first, o);
	fputc('\n', out);

	fprintf(out, "  step:       %s", r->failed_step ? tlsd_step_name(r->failed_step) : "-");
	if (r->has_last_message) {
		const char *hn = tlsd_name_handshake(r->last_message);

		if (hn)
			fprintf(out, " (last handshake message: %s)", hn);
		else
			fprintf(out, " (last handshake message: type %u)", r->last_message);
	}
	fputc('\n', out);
	fprintf(out, "  ended:      by %s, %s", tlsd_party_name(r->term_by), tlsd_how_name(r->term_how));
	if (r->time_to_failure >= 0) {
		fputs(", ", out);
		print_ms(out, r->time_to_failure);
		fputs(" after the ClientHello", out);
	}
	/* 0: the capture's timestamps cannot tell (coarse or rewritten). */
	if (r->rtt > 0) {
		fputs(" (TCP round trip ", out);
		print_ms(out, r->rtt);
		fputc(')', out);
	}
	fputc('\n', out);
	print_quic_close(out, r);
	if (r->has_alert) {
		fputs("  alert:      ", out);
		print_alert(out, r);
		fputc('\n', out);
	}
	fputs("  offered:    ", out);
	print_versions_offered(out, r);
	if (r->client_hello_len && !r->n_versions_offered)
		fputs(" (the ClientHello could not be read)", out);
	else if (r->client_hello_len)
		print_suite_count(out, r);
	if (r->alpn_offered.n) {
		fputs("; ALPN ", out);
		print_strlist(out, &r->alpn_offered);
	}
	if (r->client_hello_len)
		fprintf(out, "; ClientHello %" PRIu32 " bytes in %u segment%s", r->client_hello_len,
			r->client_hello_segments, r->client_hello_segments == 1 ? "" : "s");
	fputc('\n', out);
	if (r->version || r->has_cipher) {
		fputs("  agreed:     ", out);
		if (r->version)
			print_version(out, r->version);
		if (r->has_cipher) {
			fputc(' ', out);
			print_suite(out, r->cipher);
		}
		if (r->has_alpn) {
			fputs(" ALPN ", out);
			print_strlist(out, &r->alpn);
		}
		fputc('\n', out);
	}
	fprintf(out, "  history:    %s\n", r->history);
	if (o->explain)
		print_explained(out, r->history);
	print_capture_notes(out, r, true);
	for (unsigned i = 0; i < r->n_diags; i++) {
		const struct tlsd_diag *d = &r->diags[i];
		char text[640], evidence[1024];

		tlsd_explain_text(r, d, text, sizeof(text));
		tlsd_explain_evidence(r, d, evidence, sizeof(evidence));
		fprintf(out, "  %scause:%s      %s%s%s (%s): %s\n", col(o, C_BOLD), col(o, C_OFF),
			col(o, lc), d->code, col(o, C_OFF), tlsd_confidence_name(d->confidence),
			text);
		if (evidence[0])
			fprintf(out, "  %sevidence:%s   %s\n", col(o, C_DIM), col(o, C_OFF), evidence);
	}
	if (o->next_steps)
		print_next_steps(out, r, o);
	print_certs(out, r);
	fputc('\n', out);
}
