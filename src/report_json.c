/* JSON Lines reporter. Key order follows FAILURE-CATALOG.md, extras after. */
#include "tlsd/report_json.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "tlsd/cert.h"
#include "tlsd/cur.h"
#include "tlsd/quic.h"
#include "tlsd/explain.h"
#include "tlsd/tls_names.h"

/* Length of the valid UTF-8 sequence starting at s[0..n), or 0 if invalid
 * (overlongs, surrogates and values above U+10FFFF are invalid). */
static size_t utf8_seq_len(const uint8_t *s, size_t n)
{
	uint8_t b0 = s[0];
	size_t need;
	uint32_t cp;

	if (b0 < 0x80)
		return 1;
	if (b0 >= 0xc2 && b0 <= 0xdf) {
		need = 2;
		cp = b0 & 0x1f;
	} else if (b0 >= 0xe0 && b0 <= 0xef) {
		need = 3;
		cp = b0 & 0x0f;
	} else if (b0 >= 0xf0 && b0 <= 0xf4) {
		need = 4;
		cp = b0 & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

void tlsd_json_string(FILE *out, const uint8_t *s, size_t len)
{
	struct tlsd_cur c;

	tlsd_cur_init(&c, s, len);
	fputc('"', out);
	while (tlsd_cur_len(&c) > 0) {
		const uint8_t *p = tlsd_cur_data(&c);
		size_t n = utf8_seq_len(p, tlsd_cur_len(&c));
		uint8_t b = p[0];

		if (n == 0) {
			fprintf(out, "\\\\x%02x", b);
			n = 1;
		} else if (b == '"' || b == '\\') {
			fputc('\\', out);
			fputc(b, out);
		} else if (b == '\n') {
			fputs("\\n", out);
		} else if (b == '\t') {
			fputs("\\t", out);
		} else if (b == '\r') {
			fputs("\\r", out);
		} else if (b < 0x20 || b == 0x7f) {
			fprintf(out, "\\u%04x", b);
		} else {
			fwrite(p, 1, n, out);
		}
		if (!tlsd_cur_skip(&c, n))
			break;
	}
	fputc('"', out);
}

static void json_cstr(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	tlsd_json_string(out, (const uint8_t *)s, strlen(s));
}

static void json_time(FILE *out, tlsd_time_ns t)
{
	time_t sec = (time_t)(t / TLSD_NS_PER_SEC);
	long usec = (long)((t % TLSD_NS_PER_SEC) / 1000);
	struct tm tm;
	char buf[32];

	if (usec < 0) {
		usec += 1000000;
		sec--;
	}
	if (!gmtime_r(&sec, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm)) {
		fputs("null", out);
		return;
	}
	fprintf(out, "\"%s.%06ldZ\"", buf, usec);
}

static void json_seconds(FILE *out, tlsd_time_ns t)
{
	if (t < 0)
		fputs("null", out);
	else
		fprintf(out, "%.6f", (double)t / 1e9);
}

static void json_version(FILE *out, uint16_t v)
{
	const char *n = tlsd_name_version(v);
	char buf[8];

	if (!n) {
		snprintf(buf, sizeof(buf), "0x%04x", v);
		n = buf;
	}
	json_cstr(out, n);
}

static void json_endpoint(FILE *out, const struct tlsd_endpoint *e, uint8_t ipv)
{
	char ip[64];

	fputs("{\"ip\":", out);
	json_cstr(out, tlsd_addr_str(&e->addr, ipv, ip, sizeof(ip)));
	fprintf(out, ",\"port\":%u}", e->port);
}

static void json_strlist(FILE *out, const struct tlsd_strlist *l)
{
	size_t pos = 0, len;
	const uint8_t *s;
	bool first = true;

	fputc('[', out);
	while (tlsd_strlist_next(l, &pos, &s, &len)) {
		if (!first)
			fputc(',', out);
		tlsd_json_string(out, s, len);
		first = false;
	}
	fputc(']', out);
}

static void json_alert(FILE *out, const struct tlsd_report *r)
{
	char buf[24];

	if (!r->has_alert) {
		fputs("null", out);
		return;
	}
	if (r->alert.encrypted && !r->alert.decrypted) {
		fputs("{\"level\":null,\"code\":null,\"name\":null,\"sender\":", out);
	} else {
		fputs("{\"level\":", out);
		json_cstr(out, tlsd_name_alert_level(r->alert.level));
		fprintf(out, ",\"code\":%u,\"name\":", r->alert.code);
		json_cstr(out, tlsd_name_alert_or_code(r->alert.code, buf, sizeof(buf)));
		fputs(",\"sender\":", out);
	}
	json_cstr(out, tlsd_party_name(r->alert.sender));
	fprintf(out, ",\"encrypted\":%s}", r->alert.encrypted ? "true" : "false");
}

static void json_diag_words(FILE *out, const struct tlsd_report *r, const struct tlsd_diag *d)
{
	char buf[1024];

	tlsd_explain_text(r, d, buf, sizeof(buf));
	fputs(",\"text\":", out);
	json_cstr(out, buf);
	tlsd_explain_evidence(r, d, buf, sizeof(buf));
	fputs(",\"evidence\":", out);
	json_cstr(out, buf);
}

/* "facts": the diagnosis's facts by key, typed (explain.h). */
static void json_facts(FILE *out, const struct tlsd_report *r, const struct tlsd_diag *d)
{
	char buf[512];
	bool first = true;

	fputs(",\"facts\":{", out);
	for (unsigned i = 0; i < d->n_facts && i < TLSD_DIAG_MAX_FACTS; i++) {
		const struct tlsd_fact *f = &d->facts[i];
		enum tlsd_fact_json t = tlsd_fact_json_type(f);

		bool dup = false;

		for (unsigned j = 0; j < i; j++)
			dup = dup || d->facts[j].id == f->id;
		if (t == TLSD_FJ_HIDDEN || dup)
			continue;
		if (!first)
			fputc(',', out);
		first = false;
		json_cstr(out, tlsd_fact_key((enum tlsd_fact_id)f->id));
		fputc(':', out);
		tlsd_explain_fact_value(r, f, buf, sizeof(buf));
		if (t == TLSD_FJ_STRING)
			json_cstr(out, buf);
		else
			fputs(buf, out);
	}
	fputc('}', out);
}

static void json_diags(FILE *out, const struct tlsd_report *r)
{
	fputc('[', out);
	for (unsigned i = 0; i < r->n_diags; i++) {
		const struct tlsd_diag *d = &r->diags[i];

		if (i)
			fputc(',', out);
		fputs("{\"code\":", out);
		json_cstr(out, d->code);
		fputs(",\"confidence\":", out);
		json_cstr(out, tlsd_confidence_name(d->confidence));
		json_diag_words(out, r, d);
		json_facts(out, r, d);
		fputc('}', out);
	}
	fputc(']', out);
}

static void json_cert_time(FILE *out, bool valid, int64_t t)
{
	char buf[32];

	if (!valid) {
		fputs("null", out);
		return;
	}
	tlsd_cert_format_time(buf, sizeof(buf), t);
	json_cstr(out, buf);
}

/* One certificate (cert.h: every string is already printable ASCII with
 * \xNN escapes; it still goes through the JSON escaper). */
static void json_cert(FILE *out, const struct tlsd_cert_info *ci)
{
	fputs("{\"subject\":", out);
	json_cstr(out, ci->parsed ? ci->subject : NULL);
	fputs(",\"issuer\":", out);
	json_cstr(out, ci->parsed ? ci->issuer : NULL);
	fputs(",\"san_dns\":[", out);
	for (unsigned i = 0; i < ci->n_dns && i < TLSD_CERT_MAX_DNS; i++) {
		if (i)
			fputc(',', out);
		json_cstr(out, ci->dns[i]);
	}
	fputs("],\"san_ip\":[", out);
	for (unsigned i = 0; i < ci->n_ips && i < TLSD_CERT_MAX_IPS; i++) {
		if (i)
			fputc(',', out);
		json_cstr(out, ci->ips[i]);
	}
	fputs("],\"serial\":", out);
	json_cstr(out, ci->parsed ? ci->serial : NULL);
	fputs(",\"not_before\":", out);
	json_cert_time(out, ci->parsed && ci->times_valid, ci->not_before);
	fputs(",\"not_after\":", out);
	json_cert_time(out, ci->parsed && ci->times_valid, ci->not_after);
	fputs(",\"key_type\":", out);
	json_cstr(out, ci->parsed ? ci->key_type : NULL);
	if (ci->parsed)
		fprintf(out, ",\"key_bits\":%d", ci->key_bits);
	else
		fputs(",\"key_bits\":null", out);
	fputs(",\"signature_algorithm\":", out);
	json_cstr(out, ci->parsed ? ci->sig_alg : NULL);
	fputs(",\"sha256\":", out);
	json_cstr(out, ci->sha256);
	fprintf(out, ",\"position\":%d", ci->position);
	/* Additions */
	fputs(",\"key_group\":", out);
	json_cstr(out, ci->parsed && ci->key_group[0] ? ci->key_group : NULL);
	fprintf(out,
		",\"der_length\":%" PRIu32 ",\"parsed\":%s,\"too_large\":%s,\"self_signed\":%s,"
		"\"is_ca\":%s,\"san_total\":%" PRIu32 ",\"san_truncated\":%s}",
		ci->der_len, ci->parsed ? "true" : "false", ci->too_large ? "true" : "false",
		ci->self_signed ? "true" : "false", ci->is_ca ? "true" : "false", ci->n_san_total,
		ci->san_truncated ? "true" : "false");
}

static const char *ske_sig_name(enum tlsd_ske_sig v)
{
	switch (v) {
	case TLSD_SKE_SIG_VALID: return "valid";
	case TLSD_SKE_SIG_INVALID: return "invalid";
	case TLSD_SKE_SIG_UNCHECKED: return "unchecked";
	case TLSD_SKE_SIG_NONE:
	default: return NULL;
	}
}

static void json_chain(FILE *out, const struct tlsd_chain_findings *f)
{
	fputc('[', out);
	for (uint32_t i = 0; f && i < f->n_certs && i < TLSD_CERT_MAX_CHAIN; i++) {
		if (i)
			fputc(',', out);
		json_cert(out, &f->certs[i]);
	}
	fputc(']', out);
}

/* "transport", "quic_version" and "quic_close" (FAILURE-CATALOG.md, QUIC
 * and DTLS). */
static void json_transport(FILE *out, const struct tlsd_report *r)
{
	const struct tlsd_report_quic_close *c = &r->quic_close;

	fputs(",\"transport\":", out);
	json_cstr(out, tlsd_transport_name(r->transport));
	fputs(",\"quic_version\":", out);
	if (r->quic_version) {
		const char *n = tlsd_quic_version_name(r->quic_version);
		char buf[16];

		if (!n) {
			snprintf(buf, sizeof(buf), "0x%08" PRIx32, r->quic_version);
			n = buf;
		}
		json_cstr(out, n);
	} else {
		fputs("null", out);
	}
	fputs(",\"quic_close\":", out);
	if (!r->has_quic_close) {
		fputs("null", out);
		return;
	}
	if (c->encrypted) {
		fputs("{\"frame\":null,\"code\":null,\"name\":null,\"reason\":null,\"sender\":", out);
	} else {
		fputs("{\"frame\":", out);
		json_cstr(out, c->app ? "application" : "transport");
		fprintf(out, ",\"code\":%" PRIu64 ",\"name\":", c->code);
		json_cstr(out, c->app ? NULL : tlsd_quic_error_name(c->code));
		fputs(",\"reason\":", out);
		tlsd_json_string(out, c->reason, c->reason_len);
		fputs(",\"sender\":", out);
	}
	json_cstr(out, tlsd_party_name(c->sender));
	fprintf(out, ",\"encrypted\":%s}", c->encrypted ? "true" : "false");
}

void tlsd_report_json(FILE *out, const struct tlsd_report *r)
{
	fputs("{\"ts\":", out);
	json_time(out, r->ts_first);
	fputs(",\"duration\":", out);
	json_seconds(out, r->ts_last - r->ts_first);
	fputs(",\"client\":", out);
	json_endpoint(out, &r->client, r->ip_version);
	fputs(",\"server\":", out);
	json_endpoint(out, &r->server, r->ip_version);
	fputs(",\"sni\":", out);
	if (r->has_sni)
		tlsd_json_string(out, r->sni, r->sni_len);
	else
		fputs("null", out);
	fputs(",\"versions_offered\":[", out);
	for (unsigned i = 0; i < r->n_versions_offered; i++) {
		if (i)
			fputc(',', out);
		json_version(out, r->versions_offered[i]);
	}
	fputs("],\"version\":", out);
	if (r->version)
		json_version(out, r->version);
	else
		fputs("null", out);
	fputs(",\"cipher\":", out);
	if (r->has_cipher) {
		const char *n = tlsd_name_suite(r->cipher);
		char buf[8];

		if (!n) {
			snprintf(buf, sizeof(buf), "0x%04x", r->cipher);
			n = buf;
		}
		json_cstr(out, n);
	} else {
		fputs("null", out);
	}
	fputs(",\"alpn_offered\":", out);
	json_strlist(out, &r->alpn_offered);
	fputs(",\"alpn\":", out);
	{
		size_t pos = 0, len;
		const uint8_t *s;

		if (r->has_alpn && tlsd_strlist_next(&r->alpn, &pos, &s, &len))
			tlsd_json_string(out, s, len);
		else
			fputs("null", out);
	}
	fputs(",\"outcome\":", out);
	json_cstr(out, tlsd_outcome_name(r->outcome));
	fprintf(out, ",\"resumed\":%s", r->resumed ? "true" : "false");
	fputs(",\"failed_step\":", out);
	json_cstr(out, tlsd_step_name(r->failed_step));
	fputs(",\"last_message\":", out);
	if (r->has_last_message && !tlsd_name_handshake(r->last_message))
		fprintf(out, "\"handshake_type_%u\"", r->last_message);
	else
		json_cstr(out, r->has_last_message ? tlsd_name_handshake(r->last_message) : NULL);
	fputs(",\"history\":", out);
	json_cstr(out, r->history);
	fputs(",\"termination\":{\"by\":", out);
	json_cstr(out, tlsd_party_name(r->term_by));
	fputs(",\"how\":", out);
	json_cstr(out, tlsd_how_name(r->term_how));
	fputs("},\"alert\":", out);
	json_alert(out, r);
	fputs(",\"diagnosis\":", out);
	json_diags(out, r);
	json_transport(out, r);
	/* Certificates (TLS <= 1.2 plaintext chains), right after the diagnosis. */
	fputs(",\"certificates\":", out);
	json_chain(out, r->certs);
	fputs(",\"client_certificates\":", out);
	json_chain(out, r->client_certs);
	if (r->certs)
		fprintf(out, ",\"certificates_sent\":%" PRIu32, r->certs->n_sent);
	else
		fputs(",\"certificates_sent\":null", out);
	fputs(",\"server_key_exchange_signature\":", out);
	json_cstr(out, ske_sig_name(r->ske_sig));
	/* Additions beyond the catalog's contract. */
	fputs(",\"rtt\":", out);
	json_seconds(out, r->rtt);
	fputs(",\"time_to_failure\":", out);
	json_seconds(out, r->time_to_failure);
	fprintf(out, ",\"client_hello\":{\"size\":%" PRIu32 ",\"segments\":%u",
		r->client_hello_len, r->client_hello_segments);
	/* The suites offered, GREASE left out, by IANA name (hex when unknown). */
	fputs(",\"cipher_suites\":[", out);
	for (unsigned i = 0, n = 0; i < r->n_suites_kept && i < TLSD_MAX_SUITES; i++) {
		const char *name;
		char buf[8];

		if (tlsd_is_grease(r->suites_offered[i]))
			continue;
		name = tlsd_name_suite(r->suites_offered[i]);
		if (!name) {
			snprintf(buf, sizeof(buf), "0x%04x", r->suites_offered[i]);
			name = buf;
		}
		fputs(n++ ? "," : "", out);
		json_cstr(out, name);
	}
	fprintf(out, "],\"cipher_suites_total\":%u}", r->n_suites_offered);
	fputs(",\"ja3\":", out);
	json_cstr(out, r->ja3[0] ? r->ja3 : NULL);
	fputs(",\"ja3s\":", out);
	json_cstr(out, r->ja3s[0] ? r->ja3s : NULL);
	fputs(",\"ja4\":", out);
	json_cstr(out, r->ja4[0] ? r->ja4 : NULL);
	fprintf(out, ",\"roles_guessed\":%s,\"anomalies\":%" PRIu32 "}\n",
		r->roles_guessed ? "true" : "false", r->anomalies);
}
