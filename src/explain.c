/* Cause codes and facts to words (see explain.h and diag_codes.h). */
#include "tlsd/explain.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tlsd/obuf.h"
#include "tlsd/session_facts.h"
#include "tlsd/tls_names.h"

struct fact_def {
	const char *key;
	enum tlsd_fact_kind kind;
	const char *phrase;
};

static const struct fact_def facts[TLSD_FACT__COUNT] = {
#define TLSD_FACT_DEF_(e, key, kind, phrase) [TLSD_FACT_##e] = {key, kind, phrase},
	TLSD_FACT_LIST(TLSD_FACT_DEF_)
#undef TLSD_FACT_DEF_
};

static const char *const cause_text[TLSD_CAUSE__COUNT] = {
#define TLSD_CAUSE_TEXT_(e, name, text) [TLSD_CAUSE_##e] = text,
	TLSD_CAUSE_LIST(TLSD_CAUSE_TEXT_)
#undef TLSD_CAUSE_TEXT_
};

/* ---- bounded string building -------------------------------------------- */

struct sb {
	char *p;
	size_t cap, len;
};

static void sb_init(struct sb *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	if (cap)
		p[0] = '\0';
}

static void sb_putn(struct sb *b, const char *s, size_t n)
{
	size_t room;

	if (b->cap == 0 || b->len + 1 >= b->cap)
		return;
	room = b->cap - 1 - b->len;
	n = TLSD_MIN(n, room);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->cap == 0 || b->len + 1 >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = TLSD_MIN(b->len + (size_t)n, b->cap - 1);
}

/* printf("%" PRIu64) and ("%" PRId64) without printf: these run for every
 * report's facts. Truncated at the end of the buffer like the rest. */
static void sb_u64(struct sb *b, uint64_t v)
{
	char t[20];

	sb_putn(b, t, tlsd_fmt_u64(t, v));
}

static void sb_i64(struct sb *b, int64_t v)
{
	if (v < 0) {
		sb_puts(b, "-");
		sb_u64(b, (uint64_t)-(v + 1) + 1);
	} else {
		sb_u64(b, (uint64_t)v);
	}
}

static void sb_named(struct sb *b, const char *name, uint16_t v)
{
	if (name)
		sb_puts(b, name);
	else
		sb_printf(b, "0x%04x", v);
}

/* Runs of printable bytes in one copy and \xNN by hand: a sample of a
 * peer that does not speak TLS goes through here byte by byte. */
size_t tlsd_explain_escaped(const uint8_t *p, size_t n, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	struct sb b;
	size_t i = 0, run;

	sb_init(&b, buf, len);
	while (i < n) {
		for (run = i; run < n && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '\\' &&
			      p[run] != '"';
		     run++)
			;
		if (run > i) {
			sb_putn(&b, (const char *)p + i, run - i);
			i = run;
			continue;
		}
		sb_putn(&b, (const char[4]){'\\', 'x', hex[p[i] >> 4], hex[p[i] & 0xf]}, 4);
		i++;
	}
	return b.len;
}

static void sb_escaped(struct sb *b, const uint8_t *p, size_t n)
{
	char tmp[4 * 64 + 1];

	while (n > 0) {
		size_t k = TLSD_MIN(n, (size_t)64);

		tlsd_explain_escaped(p, k, tmp, sizeof(tmp));
		sb_puts(b, tmp);
		p += k;
		n -= k;
	}
}

/* units / 10^decimals with that many decimals, then suffix: printf("%.Nf")
 * of a value already rounded to whole units. */
static void sb_fixed(struct sb *b, uint64_t units, unsigned decimals, const char *suffix)
{
	char t[32];
	size_t n = 0;
	uint64_t scale = 1;

	for (unsigned i = 0; i < decimals; i++)
		scale *= 10;
	n = tlsd_fmt_u64(t, units / scale);
	t[n++] = '.';
	for (unsigned i = decimals; i-- > 0;) {
		t[n + i] = (char)('0' + units % 10);
		units /= 10;
	}
	n += decimals;
	sb_putn(b, t, n);
	sb_puts(b, suffix);
}

/* The three common ranges without printf, rounded in integers: the double
 * printf would round is within 1e-13 of the exact value, and unless that
 * value lies exactly halfway between two outputs (ties, left to printf)
 * it is at least 1 ns from the halfway point, so both round alike. */
size_t tlsd_explain_duration(tlsd_time_ns ns, char *buf, size_t len)
{
	double ms = (double)ns / 1e6, s = ms / 1e3;
	struct sb b;

	sb_init(&b, buf, len);
	if (ns < 0)
		sb_puts(&b, "?");
	else if (ms < 1 && ns % 1000 != 500)
		sb_fixed(&b, ((uint64_t)ns + 500) / 1000, 3, " ms");
	else if (ms < 1)
		sb_printf(&b, "%.3f ms", ms);
	else if (ms < 1000 && ns % 100000 != 50000)
		sb_fixed(&b, ((uint64_t)ns + 50000) / 100000, 1, " ms");
	else if (ms < 1000)
		sb_printf(&b, "%.1f ms", ms);
	else if (s < 120 && ns % 10000000 != 5000000)
		sb_fixed(&b, ((uint64_t)ns + 5000000) / 10000000, 2, " s");
	else if (s < 120)
		sb_printf(&b, "%.2f s", s);
	else if (s < 2 * 3600)
		sb_printf(&b, "%.0f min", s / 60);
	else if (s < 2 * 86400)
		sb_printf(&b, "%.1f h", s / 3600);
	else
		sb_printf(&b, "%.0f days", s / 86400);
	return b.len;
}

/* ---- values ----------------------------------------------------------------- */

static bool is_scsv(uint16_t s)
{
	return s == TLSD_SUITE_FALLBACK_SCSV || s == TLSD_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV;
}

/* "5 suites (CBC only: 5), versions TLS 1.2, TLS 1.1": what the offer holds. */
static void sb_offer(struct sb *b, const struct tlsd_report *r, bool with_versions)
{
	unsigned total = 0, aead = 0, cbc = 0, rc4 = 0, null = 0, named = 0;

	for (unsigned i = 0; i < r->n_suites_kept && i < TLSD_MAX_SUITES; i++) {
		struct tlsd_suite_info si;
		uint16_t s = r->suites_offered[i];

		if (tlsd_is_grease(s) || is_scsv(s))
			continue;
		total++;
		if (!tlsd_suite_info(s, &si))
			continue;
		aead += si.cipher == TLSD_CIPHER_AEAD;
		cbc += si.cipher == TLSD_CIPHER_CBC;
		rc4 += si.cipher == TLSD_CIPHER_RC4;
		null += si.cipher == TLSD_CIPHER_NULL;
	}
	if (r->n_suites_offered > r->n_suites_kept)
		total += r->n_suites_offered - r->n_suites_kept;
	sb_u64(b, total);
	sb_puts(b, total == 1 ? " suite" : " suites");
	if (total && total <= 4) {
		for (unsigned i = 0; i < r->n_suites_kept && i < TLSD_MAX_SUITES; i++) {
			uint16_t s = r->suites_offered[i];

			if (tlsd_is_grease(s) || is_scsv(s))
				continue;
			sb_puts(b, named++ ? ", " : " ");
			sb_named(b, tlsd_name_suite(s), s);
		}
	}
	if (total && (cbc == total || rc4 == total || null == total)) {
		sb_puts(b, cbc == total ? " (CBC only: " : rc4 == total ? " (RC4 only: " : " (NULL only: ");
		sb_u64(b, total);
		sb_puts(b, ")");
	} else if (total) {
		sb_puts(b, " (AEAD ");
		sb_u64(b, aead);
		sb_puts(b, ", CBC ");
		sb_u64(b, cbc);
		sb_puts(b, ", other ");
		sb_u64(b, total - aead - cbc);
		sb_puts(b, ")");
	}
	if (!with_versions)
		return;
	sb_puts(b, ", versions ");
	for (unsigned i = 0; i < r->n_versions_offered; i++) {
		sb_puts(b, i ? ", " : "");
		sb_named(b, tlsd_name_version(r->versions_offered[i]), r->versions_offered[i]);
	}
	if (!r->n_versions_offered)
		sb_puts(b, "(none)");
}

static void sb_groups(struct sb *b, const struct tlsd_report *r)
{
	unsigned n = 0;

	sb_puts(b, "client groups ");
	for (unsigned i = 0; i < r->n_groups_offered && i < TLSD_MAX_GROUPS; i++) {
		if (tlsd_is_grease(r->groups_offered[i]))
			continue;
		sb_puts(b, n++ ? ", " : "");
		sb_named(b, tlsd_name_group(r->groups_offered[i]), r->groups_offered[i]);
	}
	if (!n)
		sb_puts(b, "(none)");
	n = 0;
	sb_puts(b, ", key shares ");
	for (unsigned i = 0; i < r->n_key_shares && i < TLSD_MAX_KEY_SHARES; i++) {
		if (tlsd_is_grease(r->key_shares[i]))
			continue;
		sb_puts(b, n++ ? ", " : "");
		sb_named(b, tlsd_name_group(r->key_shares[i]), r->key_shares[i]);
	}
	if (!n)
		sb_puts(b, "(none)");
}

static void sb_alpn(struct sb *b, const struct tlsd_strlist *l)
{
	size_t pos = 0, len;
	const uint8_t *p;
	bool any = false;

	while (tlsd_strlist_next(l, &pos, &p, &len)) {
		sb_puts(b, any ? ", \"" : "\"");
		sb_escaped(b, p, len);
		sb_puts(b, "\"");
		any = true;
	}
	if (!any)
		sb_puts(b, "(none)");
}

static const char *dir_word(unsigned dir)
{
	return dir == TLSD_DIR_C2S ? "client" : "server";
}

static void sb_alert(struct sb *b, const struct tlsd_fact *f)
{
	char nb[32];
	const char *lvl;

	sb_puts(b, (f->b & 0x100) ? "client" : "server");
	if (f->b & 0x200) {
		sb_puts(b, " encrypted alert");
		return;
	}
	lvl = tlsd_name_alert_level((uint8_t)(f->b & 0xff));
	sb_puts(b, " alert ");
	sb_puts(b, lvl ? lvl : "level?");
	sb_puts(b, " ");
	sb_u64(b, f->a);
	sb_puts(b, " ");
	sb_puts(b, tlsd_name_alert_or_code((uint8_t)f->a, nb, sizeof(nb)));
}

static const char *hint_words(enum tlsd_hint h)
{
	switch (h) {
	case TLSD_HINT_CIPHER_CBC_ONLY:
		return " The client offered only CBC suites; enable an AEAD suite such as "
		       "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 on one side.";
	case TLSD_HINT_CIPHER_OBSOLETE:
		return " The client offered only obsolete suites (RC4, NULL or export); update the "
		       "client's cipher list.";
	case TLSD_HINT_CIPHER_GENERIC:
		return " Enable a suite from the client's list (see the evidence) on the server, or "
		       "the server's on the client.";
	case TLSD_HINT_VERSION_CLIENT_REFUSED:
		return "The server chose {server_version}, which the client does not accept; enable "
		       "a version the client offered on the server, or allow {server_version} on "
		       "the client.";
	case TLSD_HINT_VERSION_SERVER_REFUSED:
		return "The server refused every protocol version the client offered; enable a "
		       "common version (TLS 1.2 or later) on both sides.";
	case TLSD_HINT_VERSION_OLD_ONLY:
		return "The client offered only versions below TLS 1.2, which many servers refuse "
		       "(OpenSSL answers internal_error, GnuTLS handshake_failure); enable TLS 1.2 "
		       "or later on the client.";
	case TLSD_HINT_VERSION_SSL2:
		return "The server answered in SSL 2.0, which is insecure and refused by every "
		       "current client; enable TLS 1.2 or later on the server.";
	case TLSD_HINT_UNTRUSTED_ALERT:
		return "The client does not trust the CA that issued the server's certificate; "
		       "install the issuing CA (or send the missing intermediate) or use a "
		       "certificate from a CA the client trusts.";
	case TLSD_HINT_UNTRUSTED_STORE:
		return "The server's chain does not verify against tlsdiag's trust store (the "
		       "system's, or --ca-file); clients with the same store refuse it; if yours "
		       "use another, check with --ca-file.";
	case TLSD_HINT_ABANDON_BEFORE_ANSWER:
		return "before any answer from the server";
	case TLSD_HINT_ABANDON_PARTIAL_FLIGHT:
		return "before it had received the server's whole flight";
	case TLSD_HINT_ABANDON_SLOW:
		return "long after the server's flight, without an alert";
	case TLSD_HINT_ABANDON_BEFORE_ANSWER_OR_RACE:
		return "it closed without an error before the handshake completed, perhaps because "
		       "another connection won a race";
	case TLSD_HINT_ABANDON_BEFORE_FINISHED:
		return "it closed right after its own Finished, before the server's could arrive";
	case TLSD_HINT_NOT_VISIBLE_ENCRYPTED:
		return "an encrypted alert";
	case TLSD_HINT_NOT_VISIBLE_SILENT:
		return "a close or reset without an alert";
	case TLSD_HINT_NOT_VISIBLE_TIMEOUT:
		return "the connection went silent";
	case TLSD_HINT_RETRY_LOOP:
		return "The server answered the client's Initial with Retry again and again (address "
		       "validation loop): its Retry tokens do not validate, e.g. behind a load "
		       "balancer whose nodes do not share the token key.";
	case TLSD_HINT_RETRY_NOT_FOLLOWED:
		return "The client did not follow the server's Retry (it did not send the token "
		       "back): a client or middlebox that drops Retry; check the client's QUIC stack.";
	case TLSD_HINT_COOKIE_NOT_RETURNED:
		return "The server answered the client's ClientHello with a HelloVerifyRequest and the "
		       "client never sent its hello back with the cookie: the HelloVerifyRequest did "
		       "not reach the client (a firewall or NAT on the way back) or the client's DTLS "
		       "stack does not do the cookie exchange; check the path and the client.";
	case TLSD_HINT_COOKIE_LOOP:
		return "The server answered even the client's hello with the cookie by another "
		       "HelloVerifyRequest: it does not accept the cookies it hands out (a changed "
		       "cookie secret, a load balancer sending the two hellos to different nodes, or "
		       "a NAT changing the client's address or port in between).";
	case TLSD_HINT_COOKIE_IGNORED:
		return "The client sent its hello back with the server's cookie and the server never "
		       "answered it: the server dropped the cookie as invalid (e.g. the client's "
		       "address or port changed in between) or the datagram was lost; check the "
		       "server's logs and any NAT in between.";
	case TLSD_HINT_RETX_LOST:
		return "its datagrams, or the answers to them, are lost or filtered on the way (a "
		       "firewall, a rate limit, a one-way route), or the peer does not answer; the "
		       "capture shows no answer. Check the path and the peer.";
	case TLSD_HINT_RETX_MTU:
		return "its largest datagram ({largest_datagram}) is larger than any of that side's "
		       "datagrams that got through, so the path MTU is the likely cause (large or "
		       "fragmented datagrams dropped); lower the sender's DTLS MTU or fix the path.";
	case TLSD_HINT_RETX_PEER_STOPPED:
		return "its datagrams were lost on the way, or the peer stopped (it sent nothing "
		       "more, not even its own flight again); check the peer and the path.";
	case TLSD_HINT_ALERT_PEER_LOGS:
	case TLSD_HINT_ALERT_EXPLAINED:
	case TLSD_HINT_NONE:
	default:
		return "";
	}
}

const char *tlsd_fact_key(enum tlsd_fact_id id)
{
	return (unsigned)id < TLSD_FACT__COUNT ? facts[id].key : "unknown";
}

static enum tlsd_fact_kind kind_of(const struct tlsd_fact *f)
{
	return f->id < TLSD_FACT__COUNT ? facts[f->id].kind : TLSD_FK_FLAG;
}

enum tlsd_fact_json tlsd_fact_json_type(const struct tlsd_fact *f)
{
	switch (kind_of(f)) {
	case TLSD_FK_HINT:
		return TLSD_FJ_HIDDEN;
	case TLSD_FK_COUNT:
	case TLSD_FK_CA_COUNT:
	case TLSD_FK_BYTES:
	case TLSD_FK_DURATION:
		return TLSD_FJ_NUMBER;
	case TLSD_FK_BOOL:
	case TLSD_FK_FLAG:
		return TLSD_FJ_BOOL;
	default:
		return TLSD_FJ_STRING;
	}
}

static void sb_value(struct sb *b, const struct tlsd_report *r, const struct tlsd_fact *f,
		     bool json)
{
	char tmp[48];

	switch (kind_of(f)) {
	case TLSD_FK_COUNT:
		sb_u64(b, f->v.u);
		break;
	case TLSD_FK_CA_COUNT:
		if (json) {
			sb_u64(b, f->v.u);
		} else if (f->v.u == 0) {
			/* RFC 5246 7.4.4: an empty list lets the client send any. */
			sb_puts(b, "it names no CA: the client may send any certificate, which the server still checks against CAs of its own");
		} else {
			sb_u64(b, f->v.u);
			sb_puts(b, f->v.u == 1 ? " CA named" : " CAs named");
		}
		break;
	case TLSD_FK_BYTES:
		sb_u64(b, f->v.u);
		if (!json)
			sb_puts(b, " bytes");
		break;
	case TLSD_FK_DURATION:
		if (json) {
			/* milliseconds with three decimals */
			int64_t frac = (f->v.i < 0 ? -f->v.i : f->v.i) / 1000 % 1000;
			char d3[3] = {(char)('0' + frac / 100), (char)('0' + frac / 10 % 10),
				      (char)('0' + frac % 10)};

			sb_i64(b, f->v.i / 1000000);
			sb_puts(b, ".");
			sb_putn(b, d3, 3);
		} else {
			tlsd_explain_duration(f->v.i, tmp, sizeof(tmp));
			sb_puts(b, tmp);
		}
		break;
	case TLSD_FK_BOOL:
		sb_puts(b, f->a ? (json ? "true" : "yes") : (json ? "false" : "no"));
		break;
	case TLSD_FK_FLAG:
		sb_puts(b, json ? "true" : "");
		break;
	case TLSD_FK_STR:
		sb_puts(b, f->v.s ? f->v.s : "");
		break;
	case TLSD_FK_VERSION:
		sb_named(b, tlsd_name_version(f->a), f->a);
		break;
	case TLSD_FK_GROUP:
		sb_named(b, tlsd_name_group(f->a), f->a);
		break;
	case TLSD_FK_ALERT:
		sb_alert(b, f);
		break;
	case TLSD_FK_PARTY:
		sb_puts(b, tlsd_party_name((enum tlsd_party)f->a));
		break;
	case TLSD_FK_ENDING:
		sb_puts(b, tlsd_how_name((enum tlsd_how)f->b));
		sb_puts(b, " (");
		sb_puts(b, tlsd_party_name((enum tlsd_party)f->a));
		sb_puts(b, ")");
		break;
	case TLSD_FK_STATE:
		sb_puts(b, tlsd_sstate_name((enum tlsd_sstate)f->a));
		break;
	case TLSD_FK_HINT:
		sb_puts(b, hint_words((enum tlsd_hint)f->a));
		break;
	case TLSD_FK_OFFER:
		sb_offer(b, r, true);
		break;
	case TLSD_FK_VERSIONS:
		for (unsigned i = 0; i < r->n_versions_offered; i++) {
			sb_puts(b, i ? ", " : "");
			sb_named(b, tlsd_name_version(r->versions_offered[i]),
				 r->versions_offered[i]);
		}
		if (!r->n_versions_offered)
			sb_puts(b, "(none)");
		break;
	case TLSD_FK_GROUPS:
		sb_groups(b, r);
		break;
	case TLSD_FK_ALPN:
		sb_alpn(b, &r->alpn_offered);
		break;
	case TLSD_FK_SNI:
		if (r->has_sni) {
			sb_puts(b, "\"");
			sb_escaped(b, r->sni, r->sni_len);
			sb_puts(b, "\"");
		} else {
			sb_puts(b, "absent");
		}
		break;
	case TLSD_FK_SAMPLE: {
		unsigned d = f->a & 1;

		if (f->id == TLSD_FACT_SAMPLE) {
			sb_puts(b, dir_word(d));
			sb_puts(b, "'s first bytes: ");
		}
		sb_puts(b, "\"");
		sb_escaped(b, r->sample[d], TLSD_MIN(r->sample_len[d], (uint8_t)TLSD_REPORT_SAMPLE));
		sb_puts(b, "\"");
		break;
	}
	default:
		break;
	}
}

size_t tlsd_explain_fact_value(const struct tlsd_report *r, const struct tlsd_fact *f, char *buf,
			       size_t len)
{
	struct sb b;

	sb_init(&b, buf, len);
	sb_value(&b, r, f, true);
	return b.len;
}

/* A fact's phrase with its value in place of "{}". */
static void sb_phrase(struct sb *b, const struct tlsd_report *r, const struct tlsd_fact *f)
{
	const char *ph = facts[f->id].phrase, *hole;

	hole = strstr(ph, "{}");
	if (!hole) {
		sb_puts(b, ph);
		return;
	}
	sb_putn(b, ph, (size_t)(hole - ph));
	sb_value(b, r, f, false);
	sb_puts(b, hole + 2);
}

size_t tlsd_explain_evidence(const struct tlsd_report *r, const struct tlsd_diag *d, char *buf,
			     size_t len)
{
	struct sb b;
	bool any = false;

	sb_init(&b, buf, len);
	for (unsigned i = 0; i < d->n_facts && i < TLSD_DIAG_MAX_FACTS; i++) {
		const struct tlsd_fact *f = &d->facts[i];

		if (f->id >= TLSD_FACT__COUNT || !facts[f->id].phrase)
			continue;
		if (any && (f->id == TLSD_FACT_AFTER_CLIENT_HELLO ||
			    (f->id == TLSD_FACT_CA_NAMES && i > 0 &&
			     (d->facts[i - 1].id == TLSD_FACT_CA_NAME_FIRST ||
			      d->facts[i - 1].id == TLSD_FACT_CERT_REQUEST)))) {
			/* "... alert ... 1.2 ms after the ClientHello" and "... from
			 * \"CN=...\" (1 CA named)" read as one. */
			sb_puts(&b, " ");
		} else {
			sb_puts(&b, any ? "; " : "");
		}
		sb_phrase(&b, r, f);
		any = true;
	}
	return b.len;
}

/* The ALERT cause's sentence: who sent which alert. */
static void sb_alert_sentence(struct sb *b, const struct tlsd_diag *d)
{
	const struct tlsd_fact *a = tlsd_diag_find(d, TLSD_FACT_ALERT);
	const struct tlsd_fact *h = tlsd_diag_find(d, TLSD_FACT_HINT);
	char nb[32];

	if (!a) {
		sb_puts(b, "A peer aborted the handshake with an alert.");
		return;
	}
	const char *name = tlsd_name_alert_or_code((uint8_t)a->a, nb, sizeof(nb));

	sb_printf(b, "The %s aborted the handshake with %s %s alert (%u)",
		  (a->b & 0x100) ? "client" : "server", strchr("aeiou", name[0]) ? "an" : "a", name,
		  a->a);
	if (h && h->a == TLSD_HINT_ALERT_EXPLAINED)
		sb_puts(b, "; see the other diagnoses for why.");
	else if (h && h->a == TLSD_HINT_ALERT_MALFORMED_HELLO)
		sb_puts(b, ": the ClientHello is malformed (see the evidence); fix the client, or the "
			   "device that rewrites its hello.");
	else
		sb_puts(b, "; its logs say why.");
}

/* Writes template t with each {key} replaced by the value of d's fact with
 * that key ("" when absent); a hint's words are templates too. */
static void sb_template(struct sb *b, const struct tlsd_report *r, const struct tlsd_diag *d,
			const char *t, int depth)
{
	while (*t) {
		const char *open = strchr(t, '{'), *close;

		if (!open || !(close = strchr(open, '}'))) {
			sb_puts(b, t);
			break;
		}
		sb_putn(b, t, (size_t)(open - t));
		for (unsigned i = 0; i < d->n_facts && i < TLSD_DIAG_MAX_FACTS; i++) {
			const struct tlsd_fact *f = &d->facts[i];
			const char *key = tlsd_fact_key((enum tlsd_fact_id)f->id);

			if (strlen(key) != (size_t)(close - open - 1) ||
			    memcmp(key, open + 1, (size_t)(close - open - 1)) != 0)
				continue;
			if (kind_of(f) == TLSD_FK_HINT && depth == 0)
				sb_template(b, r, d, hint_words((enum tlsd_hint)f->a), depth + 1);
			else
				sb_value(b, r, f, false);
			break;
		}
		t = close + 1;
	}
}

size_t tlsd_explain_text(const struct tlsd_report *r, const struct tlsd_diag *d, char *buf,
			 size_t len)
{
	const char *t = (unsigned)d->cause < TLSD_CAUSE__COUNT ? cause_text[d->cause] : "";
	struct sb b;

	sb_init(&b, buf, len);
	if (d->cause == TLSD_CAUSE_ALERT)
		sb_alert_sentence(&b, d);
	else
		sb_template(&b, r, d, t, 0);
	return b.len;
}
