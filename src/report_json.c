/* JSON Lines reporter. Key order follows FAILURE-CATALOG.md, extras after. */
#include "tlsd/report_json.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "tlsd/cert.h"
#include "tlsd/community_id.h"
#include "tlsd/history.h"
#include "tlsd/next_step.h"
#include "tlsd/obuf.h"
#include "tlsd/cur.h"
#include "tlsd/quic.h"
#include "tlsd/explain.h"
#include "tlsd/tls_names.h"

#define ob_puts tlsd_obuf_puts

/* Two lower-case hex digits of b (a static string, not terminated). */
static const char *hex2(uint8_t b)
{
	static const char digits[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
				     "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
				     "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
				     "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
				     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
				     "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
				     "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
				     "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

	return digits + 2 * b;
}

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

/* 16 bytes, compared all at once (GCC/Clang vector extension: SSE2 on
 * x86-64, NEON on arm64, plain code elsewhere). */
typedef int8_t v16 __attribute__((vector_size(16)));

/* Index of the first byte of x[0..16) that does not go out as it is, or
 * 16: plain bytes are printable ASCII but '"' and '\\' (as signed bytes,
 * < 0x20 also takes every byte >= 0x80). */
static size_t first_special(v16 x)
{
	v16 m = (v16)((x < 0x20) | (x == 0x7f) | (x == '"') | (x == '\\'));
	uint64_t lo, hi;

	memcpy(&lo, &m, 8);
	memcpy(&hi, (const char *)&m + 8, 8);
	if (!(lo | hi))
		return 16;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return lo ? (size_t)__builtin_ctzll(lo) / 8 : 8 + (size_t)__builtin_ctzll(hi) / 8;
#else
	for (size_t i = 0;; i++)
		if (m[i])
			return i;
#endif
}

/* Length of the run of plain ASCII bytes at s[0..n), 16 bytes at a time:
 * JSON strings were a tenth of a JSON record's instructions at 8. */
static size_t plain_run(const uint8_t *s, size_t n)
{
	size_t i = 0, k;
	v16 x;

	for (; i + 16 <= n; i += 16) {
		memcpy(&x, s + i, 16);
		k = first_special(x);
		if (k < 16)
			return i + k;
	}
	if (i == n)
		return n;
	/* The last bytes, padded with plain ones. */
	memset(&x, 'a', sizeof(x));
	memcpy(&x, s + i, n - i);
	return i + TLSD_MIN(first_special(x), n - i);
}

void tlsd_json_str(struct tlsd_obuf *out, const uint8_t *s, size_t len)
{
	struct tlsd_cur c;

	tlsd_cur_init(&c, s, len);
	tlsd_obuf_putc(out, '"');
	while (tlsd_cur_len(&c) > 0) {
		const uint8_t *p = tlsd_cur_data(&c);
		size_t left = tlsd_cur_len(&c), run = 0, n;
		uint8_t b;

		/* A run of bytes that need no escape goes out in one write. */
		for (;;) {
			run += plain_run(p + run, left - run);
			if (run == left || p[run] < 0x80 || (n = utf8_seq_len(p + run, left - run)) == 0)
				break;
			run += n;
		}
		if (run) {
			tlsd_obuf_write(out, p, run);
			if (!tlsd_cur_skip(&c, run))
				break;
			continue;
		}
		n = utf8_seq_len(p, left);
		b = p[0];
		if (n == 0) {
			ob_puts(out, "\\\\x");
			tlsd_obuf_write(out, hex2(b), 2);
			n = 1;
		} else if (b == '"' || b == '\\') {
			tlsd_obuf_putc(out, '\\');
			tlsd_obuf_putc(out, (char)b);
		} else if (b == '\n') {
			ob_puts(out, "\\n");
		} else if (b == '\t') {
			ob_puts(out, "\\t");
		} else if (b == '\r') {
			ob_puts(out, "\\r");
		} else {
			ob_puts(out, "\\u00");
			tlsd_obuf_write(out, hex2(b), 2);
		}
		if (!tlsd_cur_skip(&c, n))
			break;
	}
	tlsd_obuf_putc(out, '"');
}

void tlsd_json_string(FILE *f, const uint8_t *s, size_t len)
{
	struct tlsd_obuf ob;

	tlsd_obuf_init(&ob, f);
	tlsd_json_str(&ob, s, len);
	tlsd_obuf_flush(&ob);
}

static void json_cstr(struct tlsd_obuf *out, const char *s)
{
	if (!s) {
		ob_puts(out, "null");
		return;
	}
	tlsd_json_str(out, (const uint8_t *)s, strlen(s));
}

void tlsd_json_tm(struct tlsd_obuf *out, tlsd_time_ns t)
{
	time_t sec = (time_t)(t / TLSD_NS_PER_SEC);
	long usec = (long)((t % TLSD_NS_PER_SEC) / 1000);
	struct tm tm;
	char buf[32];
	char *p;

	if (usec < 0) {
		usec += 1000000;
		sec--;
	}
	p = tlsd_obuf_reserve(out, 29);
	if (tlsd_fmt_utc_second(p + 1, (int64_t)sec)) {
		p[0] = '"';
		p[20] = '.';
		for (int i = 26; i >= 21; i--) {
			p[i] = (char)('0' + usec % 10);
			usec /= 10;
		}
		p[27] = 'Z';
		p[28] = '"';
		tlsd_obuf_commit(out, 29);
		return;
	}
	if (!gmtime_r(&sec, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm)) {
		ob_puts(out, "null");
		return;
	}
	tlsd_obuf_printf(out, "\"%s.%06ldZ\"", buf, usec);
}

void tlsd_json_time(FILE *f, tlsd_time_ns t)
{
	struct tlsd_obuf ob;

	tlsd_obuf_init(&ob, f);
	tlsd_json_tm(&ob, t);
	tlsd_obuf_flush(&ob);
}

static void json_seconds(struct tlsd_obuf *out, tlsd_time_ns t)
{
	if (t < 0)
		ob_puts(out, "null");
	else
		tlsd_obuf_seconds6(out, t);
}

/* A suite or version name, or "0x%04x" when there is none. The names need
 * no escaping (tests/check_tls_names.c tc_names_json_plain checks them all). */
static void json_named(struct tlsd_obuf *out, const char *n, uint16_t v)
{
	tlsd_obuf_putc(out, '"');
	if (n)
		ob_puts(out, n);
	else
		tlsd_obuf_hex(out, v, 4);
	tlsd_obuf_putc(out, '"');
}

static void json_version(struct tlsd_obuf *out, uint16_t v)
{
	json_named(out, tlsd_name_version(v), v);
}

void tlsd_json_ep(struct tlsd_obuf *out, const struct tlsd_endpoint *e, uint8_t ipv)
{
	char ip[64];

	ob_puts(out, "{\"ip\":");
	json_cstr(out, tlsd_addr_str(&e->addr, ipv, ip, sizeof(ip)));
	ob_puts(out, ",\"port\":");
	tlsd_obuf_u64(out, e->port);
	tlsd_obuf_putc(out, '}');
}

void tlsd_json_endpoint(FILE *f, const struct tlsd_endpoint *e, uint8_t ipv)
{
	struct tlsd_obuf ob;

	tlsd_obuf_init(&ob, f);
	tlsd_json_ep(&ob, e, ipv);
	tlsd_obuf_flush(&ob);
}

static void json_strlist(struct tlsd_obuf *out, const struct tlsd_strlist *l)
{
	size_t pos = 0, len;
	const uint8_t *s;
	bool first = true;

	tlsd_obuf_putc(out, '[');
	while (tlsd_strlist_next(l, &pos, &s, &len)) {
		if (!first)
			tlsd_obuf_putc(out, ',');
		tlsd_json_str(out, s, len);
		first = false;
	}
	tlsd_obuf_putc(out, ']');
}

static void json_alert(struct tlsd_obuf *out, const struct tlsd_report *r)
{
	char buf[24];

	if (!r->has_alert) {
		ob_puts(out, "null");
		return;
	}
	if (r->alert.encrypted && !r->alert.decrypted) {
		ob_puts(out, "{\"level\":null,\"code\":null,\"name\":null,\"sender\":");
	} else {
		ob_puts(out, "{\"level\":");
		json_cstr(out, tlsd_name_alert_level(r->alert.level));
		ob_puts(out, ",\"code\":");
		tlsd_obuf_u64(out, r->alert.code);
		ob_puts(out, ",\"name\":");
		json_cstr(out, tlsd_name_alert_or_code(r->alert.code, buf, sizeof(buf)));
		ob_puts(out, ",\"sender\":");
	}
	json_cstr(out, tlsd_party_name(r->alert.sender));
	ob_puts(out, r->alert.encrypted ? ",\"encrypted\":true}" : ",\"encrypted\":false}");
}

static void json_diag_words(struct tlsd_obuf *out, const struct tlsd_report *r,
			    const struct tlsd_diag *d)
{
	char buf[1024];
	size_t n;

	n = tlsd_explain_text(r, d, buf, sizeof(buf));
	ob_puts(out, ",\"text\":");
	tlsd_json_str(out, (const uint8_t *)buf, n);
	n = tlsd_explain_evidence(r, d, buf, sizeof(buf));
	ob_puts(out, ",\"evidence\":");
	tlsd_json_str(out, (const uint8_t *)buf, n);
}

/* "facts": the diagnosis's facts by key, typed (explain.h). */
static void json_facts(struct tlsd_obuf *out, const struct tlsd_report *r,
		       const struct tlsd_diag *d)
{
	char buf[512];
	bool first = true;
	size_t n;

	ob_puts(out, ",\"facts\":{");
	for (unsigned i = 0; i < d->n_facts && i < TLSD_DIAG_MAX_FACTS; i++) {
		const struct tlsd_fact *f = &d->facts[i];
		enum tlsd_fact_json t = tlsd_fact_json_type(f);

		bool dup = false;

		for (unsigned j = 0; j < i; j++)
			dup = dup || d->facts[j].id == f->id;
		if (t == TLSD_FJ_HIDDEN || dup)
			continue;
		if (!first)
			tlsd_obuf_putc(out, ',');
		first = false;
		json_cstr(out, tlsd_fact_key((enum tlsd_fact_id)f->id));
		tlsd_obuf_putc(out, ':');
		n = tlsd_explain_fact_value(r, f, buf, sizeof(buf));
		if (t == TLSD_FJ_STRING)
			tlsd_json_str(out, (const uint8_t *)buf, n);
		else
			tlsd_obuf_write(out, buf, n);
	}
	tlsd_obuf_putc(out, '}');
}

static void json_diags(struct tlsd_obuf *out, const struct tlsd_report *r)
{
	tlsd_obuf_putc(out, '[');
	for (unsigned i = 0; i < r->n_diags; i++) {
		const struct tlsd_diag *d = &r->diags[i];

		if (i)
			tlsd_obuf_putc(out, ',');
		ob_puts(out, "{\"code\":");
		json_cstr(out, d->code);
		ob_puts(out, ",\"confidence\":");
		json_cstr(out, tlsd_confidence_name(d->confidence));
		json_diag_words(out, r, d);
		json_facts(out, r, d);
		tlsd_obuf_putc(out, '}');
	}
	tlsd_obuf_putc(out, ']');
}

static void json_cert_time(struct tlsd_obuf *out, bool valid, int64_t t)
{
	char buf[32];

	if (!valid) {
		ob_puts(out, "null");
		return;
	}
	tlsd_cert_format_time(buf, sizeof(buf), t);
	json_cstr(out, buf);
}

/* One certificate (cert.h: every string is already printable ASCII with
 * \xNN escapes; it still goes through the JSON escaper). */
static void json_cert(struct tlsd_obuf *out, const struct tlsd_cert_info *ci)
{
	ob_puts(out, "{\"subject\":");
	json_cstr(out, ci->parsed ? ci->subject : NULL);
	ob_puts(out, ",\"issuer\":");
	json_cstr(out, ci->parsed ? ci->issuer : NULL);
	ob_puts(out, ",\"san_dns\":[");
	for (unsigned i = 0; i < ci->n_dns && i < TLSD_CERT_MAX_DNS; i++) {
		if (i)
			tlsd_obuf_putc(out, ',');
		json_cstr(out, ci->dns[i]);
	}
	ob_puts(out, "],\"san_ip\":[");
	for (unsigned i = 0; i < ci->n_ips && i < TLSD_CERT_MAX_IPS; i++) {
		if (i)
			tlsd_obuf_putc(out, ',');
		json_cstr(out, ci->ips[i]);
	}
	ob_puts(out, "],\"serial\":");
	json_cstr(out, ci->parsed ? ci->serial : NULL);
	ob_puts(out, ",\"not_before\":");
	json_cert_time(out, ci->parsed && ci->times_valid, ci->not_before);
	ob_puts(out, ",\"not_after\":");
	json_cert_time(out, ci->parsed && ci->times_valid, ci->not_after);
	ob_puts(out, ",\"key_type\":");
	json_cstr(out, ci->parsed ? ci->key_type : NULL);
	if (ci->parsed) {
		ob_puts(out, ",\"key_bits\":");
		tlsd_obuf_i64(out, ci->key_bits);
	} else {
		ob_puts(out, ",\"key_bits\":null");
	}
	ob_puts(out, ",\"signature_algorithm\":");
	json_cstr(out, ci->parsed ? ci->sig_alg : NULL);
	ob_puts(out, ",\"sha256\":");
	json_cstr(out, ci->sha256);
	ob_puts(out, ",\"position\":");
	tlsd_obuf_i64(out, ci->position);
	/* Additions */
	ob_puts(out, ",\"key_group\":");
	json_cstr(out, ci->parsed && ci->key_group[0] ? ci->key_group : NULL);
	ob_puts(out, ",\"der_length\":");
	tlsd_obuf_u64(out, ci->der_len);
	ob_puts(out, ci->parsed ? ",\"parsed\":true" : ",\"parsed\":false");
	ob_puts(out, ci->too_large ? ",\"too_large\":true" : ",\"too_large\":false");
	ob_puts(out, ci->self_signed ? ",\"self_signed\":true" : ",\"self_signed\":false");
	ob_puts(out, ci->is_ca ? ",\"is_ca\":true" : ",\"is_ca\":false");
	ob_puts(out, ",\"san_total\":");
	tlsd_obuf_u64(out, ci->n_san_total);
	ob_puts(out, ci->san_truncated ? ",\"san_truncated\":true}" : ",\"san_truncated\":false}");
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

static void json_chain(struct tlsd_obuf *out, const struct tlsd_chain_findings *f)
{
	tlsd_obuf_putc(out, '[');
	for (uint32_t i = 0; f && i < f->n_certs && i < TLSD_CERT_MAX_CHAIN; i++) {
		if (i)
			tlsd_obuf_putc(out, ',');
		json_cert(out, &f->certs[i]);
	}
	tlsd_obuf_putc(out, ']');
}

/* Microseconds as an integer (pipelines re-render small floats as 2.7e-05). */
static void json_us(struct tlsd_obuf *out, tlsd_time_ns t)
{
	if (t < 0)
		ob_puts(out, "null");
	else
		tlsd_obuf_i64(out, tlsd_obuf_us6(t)); /* the seconds field, rounded alike */
}

static void json_next_steps(struct tlsd_obuf *out, const struct tlsd_report *r)
{
	struct tlsd_next_steps ns;

	if (r->outcome == TLSD_OUTCOME_ESTABLISHED) {
		ob_puts(out, "null");
		return;
	}
	tlsd_next_steps(r, &ns);
	ob_puts(out, "{\"openssl\":");
	json_cstr(out, ns.openssl[0] ? ns.openssl : NULL);
	ob_puts(out, ",\"curl\":");
	json_cstr(out, ns.curl[0] ? ns.curl : NULL);
	ob_puts(out, ",\"tshark_filter\":");
	json_cstr(out, ns.filter);
	tlsd_obuf_putc(out, '}');
}

static void json_history_explained(struct tlsd_obuf *out, const char *h)
{
	struct tlsd_history_step st;
	size_t pos = 0;
	bool first = true;

	tlsd_obuf_putc(out, '[');
	while (tlsd_history_next(h, &pos, &st)) {
		ob_puts(out, first ? "{\"symbol\":" : ",{\"symbol\":");
		json_cstr(out, st.sym);
		ob_puts(out, ",\"by\":");
		json_cstr(out, st.who);
		ob_puts(out, ",\"event\":");
		json_cstr(out, st.what);
		tlsd_obuf_putc(out, '}');
		first = false;
	}
	tlsd_obuf_putc(out, ']');
}

/* Fields for log pipelines, after the catalog's and the earlier additions. */
static void json_pipeline_fields(struct tlsd_obuf *out, const struct tlsd_report *r,
				 const struct tlsd_json_opts *o)
{
	const struct tlsd_diag *cause = tlsd_report_main_cause(r);
	char id[TLSD_CONN_UID_LEN], cid[TLSD_COMMUNITY_ID_LEN];

	ob_puts(out, ",\"type\":\"connection\",\"schema_version\":");
	tlsd_obuf_i64(out, TLSD_JSON_SCHEMA_VERSION);
	ob_puts(out, ",\"id\":");
	json_cstr(out, tlsd_conn_uid(r, id) == 0 ? id : NULL);
	ob_puts(out, ",\"community_id\":");
	json_cstr(out, tlsd_report_community_id(r, cid) == 0 ? cid
											    : NULL);
	ob_puts(out, ",\"source\":");
	if (o && o->source) {
		ob_puts(out, o->live ? "{\"type\":\"interface\",\"name\":" : "{\"type\":\"file\",\"name\":");
		json_cstr(out, o->source);
		tlsd_obuf_putc(out, '}');
	} else {
		ob_puts(out, "null");
	}
	ob_puts(out, ",\"cause\":");
	json_cstr(out, cause ? cause->code : NULL);
	ob_puts(out, ",\"confidence\":");
	json_cstr(out, cause ? tlsd_confidence_name(cause->confidence) : NULL);
	ob_puts(out, ",\"curve\":");
	json_cstr(out, r->kx_group ? tlsd_name_group(r->kx_group) : NULL);
	ob_puts(out, ",\"duration_us\":");
	json_us(out, r->ts_last - r->ts_first);
	ob_puts(out, ",\"rtt_us\":");
	json_us(out, r->rtt);
	ob_puts(out, ",\"time_to_failure_us\":");
	json_us(out, r->time_to_failure);
	ob_puts(out, ",\"next_steps\":");
	json_next_steps(out, r);
	if (o && o->explain) {
		ob_puts(out, ",\"history_explained\":");
		json_history_explained(out, r->history);
	}
}

/* pcapng: the interface name and the packet comments. */
static void json_capture_notes(struct tlsd_obuf *out, const struct tlsd_report *r)
{
	ob_puts(out, ",\"interface\":");
	json_cstr(out, r->interface[0] ? r->interface : NULL);
	ob_puts(out, ",\"comments\":[");
	for (unsigned i = 0; i < r->n_comments && i < TLSD_MAX_COMMENTS; i++) {
		ob_puts(out, i ? ",{\"frame\":" : "{\"frame\":");
		tlsd_obuf_u64(out, r->comments[i].frame);
		ob_puts(out, ",\"text\":");
		tlsd_json_str(out, r->comments[i].text,
				 TLSD_MIN(r->comments[i].len, (uint16_t)TLSD_COMMENT_LEN));
		tlsd_obuf_putc(out, '}');
	}
	ob_puts(out, "],\"comments_total\":");
	tlsd_obuf_u64(out, r->n_comments_total);
}

/* "transport", "quic_version" and "quic_close" (FAILURE-CATALOG.md, QUIC
 * and DTLS). */
static void json_transport(struct tlsd_obuf *out, const struct tlsd_report *r)
{
	const struct tlsd_report_quic_close *c = &r->quic_close;

	ob_puts(out, ",\"transport\":");
	json_cstr(out, tlsd_transport_name(r->transport));
	ob_puts(out, ",\"quic_version\":");
	if (r->quic_version) {
		const char *n = tlsd_quic_version_name(r->quic_version);

		if (n) {
			json_cstr(out, n);
		} else {
			tlsd_obuf_putc(out, '"');
			tlsd_obuf_hex(out, r->quic_version, 8);
			tlsd_obuf_putc(out, '"');
		}
	} else {
		ob_puts(out, "null");
	}
	ob_puts(out, ",\"quic_close\":");
	if (!r->has_quic_close) {
		ob_puts(out, "null");
		return;
	}
	if (c->encrypted) {
		ob_puts(out, "{\"frame\":null,\"code\":null,\"name\":null,\"reason\":null,\"sender\":");
	} else {
		ob_puts(out, "{\"frame\":");
		json_cstr(out, c->app ? "application" : "transport");
		ob_puts(out, ",\"code\":");
		tlsd_obuf_u64(out, c->code);
		ob_puts(out, ",\"name\":");
		json_cstr(out, c->app ? NULL : tlsd_quic_error_name(c->code));
		ob_puts(out, ",\"reason\":");
		tlsd_json_str(out, c->reason, c->reason_len);
		ob_puts(out, ",\"sender\":");
	}
	json_cstr(out, tlsd_party_name(c->sender));
	ob_puts(out, c->encrypted ? ",\"encrypted\":true}" : ",\"encrypted\":false}");
}

void tlsd_report_json(FILE *f, const struct tlsd_report *r)
{
	tlsd_report_json_ex(f, r, NULL);
}

void tlsd_report_json_ex(FILE *f, const struct tlsd_report *r, const struct tlsd_json_opts *o)
{
	struct tlsd_obuf ob;

	tlsd_obuf_init(&ob, f);
	tlsd_report_json_ob(&ob, r, o);
	tlsd_obuf_flush(&ob);
}

void tlsd_report_json_ob(struct tlsd_obuf *out, const struct tlsd_report *r,
			 const struct tlsd_json_opts *o)
{
	ob_puts(out, "{\"ts\":");
	tlsd_json_tm(out, r->ts_first);
	ob_puts(out, ",\"duration\":");
	json_seconds(out, r->ts_last - r->ts_first);
	ob_puts(out, ",\"client\":");
	tlsd_json_ep(out, &r->client, r->ip_version);
	ob_puts(out, ",\"server\":");
	tlsd_json_ep(out, &r->server, r->ip_version);
	ob_puts(out, ",\"sni\":");
	if (r->has_sni)
		tlsd_json_str(out, r->sni, r->sni_len);
	else
		ob_puts(out, "null");
	ob_puts(out, ",\"versions_offered\":[");
	for (unsigned i = 0; i < r->n_versions_offered; i++) {
		if (i)
			tlsd_obuf_putc(out, ',');
		json_version(out, r->versions_offered[i]);
	}
	ob_puts(out, "],\"version\":");
	if (r->version)
		json_version(out, r->version);
	else
		ob_puts(out, "null");
	ob_puts(out, ",\"cipher\":");
	if (r->has_cipher) {
		json_named(out, tlsd_name_suite(r->cipher), r->cipher);
	} else {
		ob_puts(out, "null");
	}
	ob_puts(out, ",\"alpn_offered\":");
	json_strlist(out, &r->alpn_offered);
	ob_puts(out, ",\"alpn\":");
	{
		size_t pos = 0, len;
		const uint8_t *s;

		if (r->has_alpn && tlsd_strlist_next(&r->alpn, &pos, &s, &len))
			tlsd_json_str(out, s, len);
		else
			ob_puts(out, "null");
	}
	ob_puts(out, ",\"outcome\":");
	json_cstr(out, tlsd_outcome_name(r->outcome));
	ob_puts(out, r->resumed ? ",\"resumed\":true" : ",\"resumed\":false");
	ob_puts(out, ",\"failed_step\":");
	json_cstr(out, tlsd_step_name(r->failed_step));
	ob_puts(out, ",\"last_message\":");
	if (r->has_last_message && !tlsd_name_handshake(r->last_message)) {
		ob_puts(out, "\"handshake_type_");
		tlsd_obuf_u64(out, r->last_message);
		tlsd_obuf_putc(out, '"');
	} else {
		json_cstr(out, r->has_last_message ? tlsd_name_handshake(r->last_message) : NULL);
	}
	ob_puts(out, ",\"history\":");
	json_cstr(out, r->history);
	ob_puts(out, ",\"termination\":{\"by\":");
	json_cstr(out, tlsd_party_name(r->term_by));
	ob_puts(out, ",\"how\":");
	json_cstr(out, tlsd_how_name(r->term_how));
	ob_puts(out, "},\"alert\":");
	json_alert(out, r);
	ob_puts(out, ",\"diagnosis\":");
	json_diags(out, r);
	json_transport(out, r);
	/* Certificates (TLS <= 1.2 plaintext chains), right after the diagnosis. */
	ob_puts(out, ",\"certificates\":");
	json_chain(out, r->certs);
	ob_puts(out, ",\"client_certificates\":");
	json_chain(out, r->client_certs);
	if (r->certs) {
		ob_puts(out, ",\"certificates_sent\":");
		tlsd_obuf_u64(out, r->certs->n_sent);
	} else {
		ob_puts(out, ",\"certificates_sent\":null");
	}
	ob_puts(out, ",\"server_key_exchange_signature\":");
	json_cstr(out, ske_sig_name(r->ske_sig));
	/* Additions beyond the catalog's contract. */
	ob_puts(out, ",\"rtt\":");
	json_seconds(out, r->rtt);
	ob_puts(out, ",\"time_to_failure\":");
	json_seconds(out, r->time_to_failure);
	/* Sizes of a ClientHello that was not seen are null, not 0. */
	if (r->client_hello_len) {
		ob_puts(out, ",\"client_hello\":{\"size\":");
		tlsd_obuf_u64(out, r->client_hello_len);
		ob_puts(out, ",\"segments\":");
		tlsd_obuf_u64(out, r->client_hello_segments);
	} else {
		ob_puts(out, ",\"client_hello\":{\"size\":null,\"segments\":null");
	}
	/* The suites offered, GREASE left out, by IANA name (hex when unknown). */
	ob_puts(out, ",\"cipher_suites\":[");
	for (unsigned i = 0, n = 0; i < r->n_suites_kept && i < TLSD_MAX_SUITES; i++) {
		if (tlsd_is_grease(r->suites_offered[i]))
			continue;
		if (n++)
			tlsd_obuf_putc(out, ',');
		json_named(out, tlsd_name_suite(r->suites_offered[i]), r->suites_offered[i]);
	}
	if (r->client_hello_len) {
		ob_puts(out, "],\"cipher_suites_total\":");
		tlsd_obuf_u64(out, r->n_suites_offered);
		tlsd_obuf_putc(out, '}');
	} else {
		ob_puts(out, "],\"cipher_suites_total\":null}");
	}
	ob_puts(out, ",\"ja3\":");
	json_cstr(out, r->ja3[0] ? r->ja3 : NULL);
	ob_puts(out, ",\"ja3s\":");
	json_cstr(out, r->ja3s[0] ? r->ja3s : NULL);
	ob_puts(out, ",\"ja4\":");
	json_cstr(out, r->ja4[0] ? r->ja4 : NULL);
	ob_puts(out, r->roles_guessed ? ",\"roles_guessed\":true" : ",\"roles_guessed\":false");
	ob_puts(out, ",\"anomalies\":");
	tlsd_obuf_u64(out, r->anomalies);
	json_pipeline_fields(out, r, o);
	json_capture_notes(out, r);
	ob_puts(out, "}\n");
}
