/* The verdict (outcome, failed step, termination) and the diagnosis list of
 * one finished session. Pure: reads the session, writes the report.
 *
 * The rules follow FAILURE-CATALOG.md (the five steps and rows 1-7, 11-23,
 * 25-28) and the outcome rules documented at the top of session.c. Several
 * diagnoses may apply; the most specific cause comes first. */
#include "tlsd/diagnose.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509_vfy.h>

#include "tlsd/diagnose_udp.h"
#include "tlsd/tls_names.h"

#define MS(ns) ((double)(ns) / 1e6)
/* A capture that ends this soon after an unanswered ClientHello proves
 * nothing about the server. */
#define NO_RESPONSE_MIN_WAIT TLSD_NS_PER_SEC
/* A ClientHello above this does not fit one typical segment (MSS 1460). */
#define TLSD_LARGE_CLIENT_HELLO 1400

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

__attribute__((format(printf, 2, 3))) static void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	b->len = TLSD_MIN(b->len + (size_t)n, b->cap - 1);
}

static void sb_version(struct sb *b, uint16_t v)
{
	const char *n = tlsd_name_version(v);

	if (n)
		sb_add(b, "%s", n);
	else
		sb_add(b, "0x%04x", v);
}

static void sb_group(struct sb *b, uint16_t g)
{
	const char *n = tlsd_name_group(g);

	if (n)
		sb_add(b, "%s", n);
	else
		sb_add(b, "0x%04x", g);
}

/* Escapes bytes for evidence: printable ASCII as is, the rest as \xNN. */
static void sb_escaped(struct sb *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' && p[i] != '"')
			sb_add(b, "%c", p[i]);
		else
			sb_add(b, "\\x%02x", p[i]);
	}
}

/* ---- facts about the offer ------------------------------------------------ */

static bool is_scsv(uint16_t s)
{
	return s == TLSD_SUITE_FALLBACK_SCSV || s == TLSD_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV;
}

struct suite_mix {
	unsigned total, aead, cbc, rc4, null, unknown, tls13, export_grade;
};

static void suite_mix(const struct tlsd_client_hello *ch, struct suite_mix *m)
{
	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < ch->n_suites && i < TLSD_MAX_SUITES; i++) {
		struct tlsd_suite_info si;
		uint16_t s = ch->suites[i];

		if (tlsd_is_grease(s) || is_scsv(s))
			continue;
		m->total++;
		if (!tlsd_suite_info(s, &si)) {
			m->unknown++;
			continue;
		}
		if (si.tls13)
			m->tls13++;
		if (si.export_grade)
			m->export_grade++;
		switch (si.cipher) {
		case TLSD_CIPHER_AEAD: m->aead++; break;
		case TLSD_CIPHER_CBC: m->cbc++; break;
		case TLSD_CIPHER_RC4: m->rc4++; break;
		case TLSD_CIPHER_NULL: m->null++; break;
		default: m->unknown++; break;
		}
	}
	/* Suites beyond what the parser kept still count. */
	if (ch->n_suites_total > ch->n_suites)
		m->total += ch->n_suites_total - ch->n_suites;
}

static uint16_t max_offered(const struct tlsd_session *s)
{
	const struct tlsd_client_hello *ch = &s->ch;
	uint16_t best = 0;

	if (ch->has_supported_versions && ch->n_versions > 0) {
		for (unsigned i = 0; i < ch->n_versions && i < TLSD_MAX_VERSIONS; i++)
			if (!tlsd_is_grease(ch->versions[i]) && ch->versions[i] > best &&
			    ch->versions[i] <= 0x03ff)
				best = ch->versions[i];
		if (best)
			return best;
	}
	return ch->legacy_version;
}

static bool offers_tls13(const struct tlsd_session *s)
{
	return s->ch_parsed && max_offered(s) >= TLSD_VERSION_TLS13;
}

static void sb_versions(struct sb *b, const struct tlsd_session *s)
{
	const struct tlsd_client_hello *ch = &s->ch;
	bool any = false;

	if (ch->has_supported_versions) {
		for (unsigned i = 0; i < ch->n_versions && i < TLSD_MAX_VERSIONS; i++) {
			if (tlsd_is_grease(ch->versions[i]))
				continue;
			sb_add(b, "%s", any ? ", " : "");
			sb_version(b, ch->versions[i]);
			any = true;
		}
	}
	if (!any) {
		sb_version(b, ch->legacy_version);
		sb_add(b, "%s", ch->legacy_version >= TLSD_VERSION_TLS10 ? " and below" : "");
	}
}

static void sb_suites(struct sb *b, const struct tlsd_session *s)
{
	struct suite_mix m;

	suite_mix(&s->ch, &m);
	sb_add(b, "client offered %u suite%s", m.total, m.total == 1 ? "" : "s");
	if (m.total <= 4) {
		bool any = false;

		for (unsigned i = 0; i < s->ch.n_suites && i < TLSD_MAX_SUITES; i++) {
			uint16_t v = s->ch.suites[i];
			const char *n = tlsd_name_suite(v);

			if (tlsd_is_grease(v) || is_scsv(v))
				continue;
			sb_add(b, "%s", any ? ", " : " ");
			if (n)
				sb_add(b, "%s", n);
			else
				sb_add(b, "0x%04x", v);
			any = true;
		}
	}
	if (m.total && m.cbc == m.total)
		sb_add(b, " (CBC only: %u)", m.cbc);
	else if (m.total && m.rc4 == m.total)
		sb_add(b, " (RC4 only: %u)", m.rc4);
	else if (m.total && m.null == m.total)
		sb_add(b, " (NULL only: %u)", m.null);
	else
		sb_add(b, " (AEAD %u, CBC %u, other %u)", m.aead, m.cbc,
		       m.total - m.aead - m.cbc);
	sb_add(b, ", versions ");
	sb_versions(b, s);
}

static void sb_groups(struct sb *b, const struct tlsd_client_hello *ch)
{
	bool any = false;

	sb_add(b, "client groups ");
	for (unsigned i = 0; i < ch->n_groups && i < TLSD_MAX_GROUPS; i++) {
		if (tlsd_is_grease(ch->groups[i]))
			continue;
		sb_add(b, "%s", any ? ", " : "");
		sb_group(b, ch->groups[i]);
		any = true;
	}
	if (!any)
		sb_add(b, "(none)");
	any = false;
	sb_add(b, ", key shares ");
	for (unsigned i = 0; i < ch->n_key_shares && i < TLSD_MAX_KEY_SHARES; i++) {
		if (tlsd_is_grease(ch->key_share_groups[i]))
			continue;
		sb_add(b, "%s", any ? ", " : "");
		sb_group(b, ch->key_share_groups[i]);
		any = true;
	}
	if (!any)
		sb_add(b, "(none)");
}

static bool client_offered_group(const struct tlsd_client_hello *ch, uint16_t g)
{
	for (unsigned i = 0; i < ch->n_groups && i < TLSD_MAX_GROUPS; i++)
		if (ch->groups[i] == g)
			return true;
	return false;
}

static void sb_alpn(struct sb *b, const struct tlsd_strlist *l)
{
	size_t pos = 0, len;
	const uint8_t *p;
	bool any = false;

	while (tlsd_strlist_next(l, &pos, &p, &len)) {
		sb_add(b, "%s\"", any ? ", " : "");
		sb_escaped(b, p, len);
		sb_add(b, "\"");
		any = true;
	}
	if (!any)
		sb_add(b, "(none)");
}

static const char *who(enum tlsd_dir d)
{
	return d == TLSD_DIR_C2S ? "client" : "server";
}

static void sb_alert(struct sb *b, const struct tlsd_session *s, const struct tlsd_sess_alert *a)
{
	char nb[32];

	if (a->encrypted) {
		sb_add(b, "%s encrypted alert", who(a->dir));
	} else {
		const char *lvl = tlsd_name_alert_level(a->level);

		sb_add(b, "%s alert %s %u %s", who(a->dir), lvl ? lvl : "level?", a->desc,
		       tlsd_name_alert_or_code(a->desc, nb, sizeof(nb)));
	}
	if (s->has_ch && a->ts >= s->ch_ts)
		sb_add(b, " %.1f ms after ClientHello", MS(a->ts - s->ch_ts));
}

/* For client_certificate_rejected: what our trust store says about the
 * client's chain. */
static void sb_client_chain(struct sb *b, const struct tlsd_session *s)
{
	const struct tlsd_chain_findings *f = s->certs.cli_findings;

	if (!f || f->n_certs == 0 || !f->certs[0].parsed)
		return;
	sb_add(b, "; client certificate \"%s\" issued by \"%s\"", f->certs[0].subject,
	       f->certs[0].issuer);
	if (f->verified)
		sb_add(b, " verifies against tlsdiag's trust store");
	else if (f->verify_error_text[0])
		sb_add(b, " does not verify against tlsdiag's trust store: %s", f->verify_error_text);
	for (size_t i = 0; i < f->n_findings; i++)
		if (f->findings[i].code == TLSD_CERT_EXPIRED ||
		    f->findings[i].code == TLSD_CERT_NOT_YET_VALID)
			sb_add(b, "; %s: %s", tlsd_cert_code_name(f->findings[i].code),
			       f->findings[i].evidence);
}

/* ---- TLS 1.3 by record sizes ------------------------------------------------ */

static bool tls13(const struct tlsd_session *s)
{
	return s->has_sh && tlsd_version_is_tls13(s->version);
}

static bool any_fin(const struct tlsd_session *s)
{
	return s->dir[TLSD_DIR_C2S].fin || s->dir[TLSD_DIR_S2C].fin;
}

static bool any_rst(const struct tlsd_session *s)
{
	return s->dir[TLSD_DIR_C2S].rst || s->dir[TLSD_DIR_S2C].rst;
}

enum tlsd_tls13_verdict tlsd_diagnose_tls13(const struct tlsd_session *s)
{
	const struct tlsd_sess_tls13 *t = &s->t13;
	uint16_t alen = tlsd_session_tls13_alert_len(s);

	if (!tls13(s))
		return TLSD_T13_NONE;
	switch (s->state) {
	case TLSD_SS_TLS13_SERVER_FLIGHT:
		if (t->srv_flight > 0 &&
		    (s->dir[TLSD_DIR_C2S].fin || s->dir[TLSD_DIR_C2S].rst))
			return TLSD_T13_CLIENT_ABORT;
		return TLSD_T13_PENDING;
	case TLSD_SS_TLS13_CLIENT_FLIGHT:
		if (t->cli_flight == 1 && t->cli_flight_first_len == alen &&
		    (any_fin(s) || any_rst(s) || s->ended))
			return TLSD_T13_CLIENT_ALERT;
		if (any_rst(s))
			return TLSD_T13_CLOSED_AFTER_FLIGHT;
		if (any_fin(s) || (s->ended && s->end_how == TLSD_FLOW_END_TIMEOUT))
			return TLSD_T13_ESTABLISHED;
		return TLSD_T13_PENDING;
	case TLSD_SS_TLS13_POST:
		if (t->post_srv == 1 && t->post_srv_first_len == alen)
			return TLSD_T13_SERVER_ALERT;
		return TLSD_T13_ESTABLISHED;
	default:
		return TLSD_T13_NONE;
	}
}

bool tlsd_diagnose_tls13_client_sent_cert(const struct tlsd_session *s)
{
	return s->t13.cli_flight_first_len > TLSD_TLS13_SMALL_FLIGHT;
}

/* ---- the verdict ------------------------------------------------------------ */

struct verdict {
	enum tlsd_outcome outcome;
	enum tlsd_step step;
	enum tlsd_party by;
	enum tlsd_how how;
	tlsd_time_ns ts;     /* the event that ended it; 0 none */
	bool has_alert;
	struct tlsd_sess_alert alert;
	bool inferred;       /* TLS 1.3 alert guessed from a record size */
	enum tlsd_tls13_verdict t13;
	bool rst_ended;      /* the ending event was a reset */
	enum tlsd_dir end_dir;
};

static bool no_server_hello(enum tlsd_sstate st)
{
	return st == TLSD_SS_IDLE || st == TLSD_SS_CLIENT_HELLO || st == TLSD_SS_HELLO_RETRY ||
	       st == TLSD_SS_CLIENT_HELLO2;
}

static bool client_cert_missing(const struct tlsd_session *s)
{
	return s->cert_request && (!s->cli_cert || s->cli_cert_empty);
}

/* The step a failure in state st belongs to when nothing more specific is
 * known (a close, a reset, silence, an unclassified alert). */
static enum tlsd_step step_by_state(const struct tlsd_session *s, enum tlsd_sstate st)
{
	switch (st) {
	case TLSD_SS_IDLE:
		return TLSD_STEP_CLIENT_HELLO;
	case TLSD_SS_CLIENT_HELLO:
	case TLSD_SS_HELLO_RETRY:
	case TLSD_SS_CLIENT_HELLO2:
	case TLSD_SS_SERVER_HELLO:
		return TLSD_STEP_SERVER_HELLO;
	case TLSD_SS_SERVER_CERT:
	case TLSD_SS_SERVER_KX:
	case TLSD_SS_CERT_REQUEST:
	case TLSD_SS_SERVER_DONE:
		return s->srv_cert ? TLSD_STEP_CERTIFICATE : TLSD_STEP_KEY_EXCHANGE;
	case TLSD_SS_CLIENT_CERT:
	case TLSD_SS_CLIENT_KX:
	case TLSD_SS_CLIENT_CERT_VERIFY:
		return client_cert_missing(s) ? TLSD_STEP_CERTIFICATE : TLSD_STEP_KEY_EXCHANGE;
	case TLSD_SS_CLIENT_CCS:
	case TLSD_SS_CLIENT_FINISHED:
	case TLSD_SS_SERVER_TICKET:
	case TLSD_SS_SERVER_CCS:
		return client_cert_missing(s) ? TLSD_STEP_CERTIFICATE : TLSD_STEP_FINISHED;
	case TLSD_SS_ABBR_TICKET:
	case TLSD_SS_ABBR_SERVER_CCS:
	case TLSD_SS_ABBR_SERVER_FINISHED:
	case TLSD_SS_ABBR_CLIENT_CCS:
		return TLSD_STEP_FINISHED;
	case TLSD_SS_TLS13_SERVER_FLIGHT:
		return TLSD_STEP_CERTIFICATE;
	case TLSD_SS_TLS13_CLIENT_FLIGHT:
	case TLSD_SS_TLS13_POST:
		return TLSD_STEP_FINISHED;
	case TLSD_SS_ESTABLISHED:
	default:
		return TLSD_STEP_NONE;
	}
}

static enum tlsd_step step_for_alert(const struct tlsd_session *s, const struct tlsd_sess_alert *a)
{
	bool from_client = a->dir == TLSD_DIR_C2S;

	if (a->encrypted)
		return step_by_state(s, a->state);
	if (a->state == TLSD_SS_IDLE)
		return TLSD_STEP_CLIENT_HELLO;
	if (no_server_hello(a->state)) {
		/* The server could not read the hello. */
		if (!from_client && a->state == TLSD_SS_CLIENT_HELLO &&
		    (a->desc == 50 || a->desc == 22 || a->desc == 47 || a->desc == 10))
			return TLSD_STEP_CLIENT_HELLO;
		return TLSD_STEP_SERVER_HELLO;
	}
	switch (a->desc) {
	case 41: case 42: case 43: case 44: case 45: case 46: case 48: case 116:
		return TLSD_STEP_CERTIFICATE;
	case 20: case 21:
		return TLSD_STEP_FINISHED;
	case 51:
		return a->before_peer_ccs ? TLSD_STEP_KEY_EXCHANGE : TLSD_STEP_FINISHED;
	case 70: case 86: case 109: case 110: case 112: case 120:
		return TLSD_STEP_SERVER_HELLO;
	case 71:
		return TLSD_STEP_KEY_EXCHANGE;
	case 47:
		if (from_client)
			return s->ske ? TLSD_STEP_KEY_EXCHANGE : TLSD_STEP_SERVER_HELLO;
		return TLSD_STEP_KEY_EXCHANGE;
	case 40:
		if (from_client) {
			if (a->state == TLSD_SS_SERVER_HELLO || a->state == TLSD_SS_TLS13_SERVER_FLIGHT)
				return TLSD_STEP_SERVER_HELLO;
			return s->ske ? TLSD_STEP_KEY_EXCHANGE : TLSD_STEP_SERVER_HELLO;
		}
		return client_cert_missing(s) ? TLSD_STEP_CERTIFICATE : TLSD_STEP_KEY_EXCHANGE;
	case 50:
		if (!from_client && client_cert_missing(s))
			return TLSD_STEP_CERTIFICATE;
		return step_by_state(s, a->state);
	default:
		return step_by_state(s, a->state);
	}
}

static bool client_not_tls(const struct tlsd_session *s)
{
	return s->dir[TLSD_DIR_C2S].framing == TLSD_FRAMING_NOT_TLS && !s->has_ch && !s->midstream;
}

static bool server_not_tls(const struct tlsd_session *s)
{
	return s->dir[TLSD_DIR_S2C].framing == TLSD_FRAMING_NOT_TLS && !s->has_sh && !s->has_hrr &&
	       !s->midstream;
}

static bool capture_gap(const struct tlsd_session *s)
{
	return (s->dir[TLSD_DIR_C2S].gap && s->dir[TLSD_DIR_C2S].gap_in_handshake) ||
	       (s->dir[TLSD_DIR_S2C].gap && s->dir[TLSD_DIR_S2C].gap_in_handshake) ||
	       s->dir[TLSD_DIR_C2S].framing == TLSD_FRAMING_GAP ||
	       s->dir[TLSD_DIR_S2C].framing == TLSD_FRAMING_GAP ||
	       s->dir[TLSD_DIR_C2S].framing == TLSD_FRAMING_OVERFLOW ||
	       s->dir[TLSD_DIR_S2C].framing == TLSD_FRAMING_OVERFLOW;
}

static bool capture_midstream(const struct tlsd_session *s)
{
	return s->midstream && !s->has_ch;
}

/* The first TCP event that ended the connection (FIN or RST), if any. */
static bool tcp_ending(const struct tlsd_session *s, struct verdict *v)
{
	bool found = false;

	for (int i = 0; i < 2; i++) {
		const struct tlsd_sess_dir *sd = &s->dir[i];

		if (sd->rst && (!found || sd->rst_ts < v->ts)) {
			found = true;
			v->ts = sd->rst_ts;
			v->how = TLSD_HOW_RESET;
			v->by = sd->rst_middlebox ? TLSD_PARTY_MIDDLEBOX
				: i == TLSD_DIR_C2S ? TLSD_PARTY_CLIENT : TLSD_PARTY_SERVER;
			v->rst_ended = true;
			v->end_dir = (enum tlsd_dir)i;
		}
		if (sd->fin && (!found || sd->fin_ts < v->ts)) {
			found = true;
			v->ts = sd->fin_ts;
			v->how = TLSD_HOW_CLOSE;
			v->by = i == TLSD_DIR_C2S ? TLSD_PARTY_CLIENT : TLSD_PARTY_SERVER;
			v->rst_ended = false;
			v->end_dir = (enum tlsd_dir)i;
		}
	}
	return found;
}

/* The flow table's word for how it ended, when no FIN/RST reached us. */
static void untracked_ending(const struct tlsd_session *s, struct verdict *v)
{
	v->by = TLSD_PARTY_UNKNOWN;
	v->ts = s->end_ts;
	v->how = TLSD_HOW_CAPTURE_END;
	if (!s->ended)
		return;
	switch (s->end_how) {
	case TLSD_FLOW_END_TIMEOUT: v->how = TLSD_HOW_TIMEOUT; break;
	case TLSD_FLOW_END_CLOSE: v->how = TLSD_HOW_CLOSE; break;
	case TLSD_FLOW_END_RESET: v->how = TLSD_HOW_RESET; break;
	default: v->how = TLSD_HOW_CAPTURE_END; break;
	}
}

static void ending(const struct tlsd_session *s, struct verdict *v)
{
	if (!tcp_ending(s, v))
		untracked_ending(s, v);
}

static void set_alert(struct verdict *v, const struct tlsd_sess_alert *a)
{
	v->has_alert = true;
	v->alert = *a;
	v->how = TLSD_HOW_ALERT;
	v->by = a->dir == TLSD_DIR_C2S ? TLSD_PARTY_CLIENT : TLSD_PARTY_SERVER;
	v->ts = a->ts;
}

static void established_ending(const struct tlsd_session *s, struct verdict *v)
{
	bool have = tcp_ending(s, v);
	/* A TLS 1.3 close_notify read with the key log may come before the
	 * records that show the handshake complete: it was noted as a close
	 * before completion, but the connection turned out established. */
	const struct tlsd_sess_alert *ca = s->has_closing_alert ? &s->closing_alert : NULL;
	/* A fatal alert after the handshake (e.g. decode_error in the middle of
	 * the application data, readable with the key log). */
	const struct tlsd_sess_alert *fa = s->has_fatal && !s->fatal.encrypted ? &s->fatal : NULL;

	if (s->has_close_alert && (!ca || s->close_alert.ts < ca->ts))
		ca = &s->close_alert;
	if (fa && (!ca || fa->ts < ca->ts))
		ca = fa;
	if (ca && (!have || ca->ts <= v->ts)) {
		v->how = ca == fa ? TLSD_HOW_ALERT : TLSD_HOW_CLOSE;
		v->by = ca->dir == TLSD_DIR_C2S ? TLSD_PARTY_CLIENT : TLSD_PARTY_SERVER;
		v->ts = ca->ts;
		have = true;
	}
	/* The alert is reported even when a FIN or RST came first: it was
	 * sent, and it is what the peer had to say. */
	if (ca) {
		v->has_alert = true;
		v->alert = *ca;
	}
	if (!have)
		untracked_ending(s, v);
}

static void inferred_alert(struct verdict *v, enum tlsd_dir d, tlsd_time_ns ts,
			   enum tlsd_sstate st)
{
	struct tlsd_sess_alert a = {.dir = d, .encrypted = true, .state = st, .ts = ts};

	set_alert(v, &a);
	v->inferred = true;
	v->step = TLSD_STEP_CERTIFICATE;
	v->outcome = TLSD_OUTCOME_FAILED;
}

static void decide(const struct tlsd_session *s, struct verdict *v)
{
	bool established;

	memset(v, 0, sizeof(*v));
	v->t13 = tlsd_diagnose_tls13(s);
	established = s->established || v->t13 == TLSD_T13_ESTABLISHED;
	if (established && v->t13 == TLSD_T13_ESTABLISHED && s->has_fatal &&
	    s->fatal.state != TLSD_SS_TLS13_POST)
		established = false;

	if (established) {
		v->outcome = TLSD_OUTCOME_ESTABLISHED;
		v->step = TLSD_STEP_NONE;
		established_ending(s, v);
		return;
	}
	v->outcome = TLSD_OUTCOME_FAILED;
	/* A readable alert is a verdict whatever the capture missed. */
	if (s->has_fatal && !s->fatal.encrypted) {
		set_alert(v, &s->fatal);
		v->step = step_for_alert(s, &s->fatal);
		return;
	}
	/* Otherwise missing bytes may hide the messages that explain the rest. */
	if (capture_midstream(s) || capture_gap(s)) {
		v->outcome = TLSD_OUTCOME_INCOMPLETE;
		if (s->has_fatal) {
			/* Unreadable: reported, but the TCP ending tells how. */
			ending(s, v);
			v->has_alert = true;
			v->alert = s->fatal;
		} else {
			established_ending(s, v); /* a close_notify ends it like this */
		}
		return;
	}
	if (s->has_fatal) {
		set_alert(v, &s->fatal);
		v->step = step_for_alert(s, &s->fatal);
		return;
	}
	if (v->t13 == TLSD_T13_SERVER_ALERT) {
		inferred_alert(v, TLSD_DIR_S2C, s->t13.post_srv_first_ts, TLSD_SS_TLS13_POST);
		return;
	}
	if (v->t13 == TLSD_T13_CLIENT_ALERT) {
		inferred_alert(v, TLSD_DIR_C2S, s->t13.cli_flight_ts, TLSD_SS_TLS13_CLIENT_FLIGHT);
		return;
	}
	if (client_not_tls(s)) {
		ending(s, v);
		v->step = TLSD_STEP_CLIENT_HELLO;
		return;
	}
	if (server_not_tls(s)) {
		ending(s, v);
		v->step = TLSD_STEP_SERVER_HELLO;
		return;
	}
	if (s->has_close_alert) {
		set_alert(v, &s->close_alert);
		v->how = TLSD_HOW_CLOSE;
		v->step = step_by_state(s, s->close_alert.state);
		return;
	}
	if (tcp_ending(s, v)) {
		v->step = step_by_state(s, s->state);
		if (v->t13 == TLSD_T13_CLIENT_ABORT)
			v->step = TLSD_STEP_CERTIFICATE;
		return;
	}
	untracked_ending(s, v);
	if (v->how != TLSD_HOW_CAPTURE_END) {
		v->step = step_by_state(s, s->state);
		return;
	}
	/* The capture ended first: only a long unanswered hello is a verdict. */
	if (s->state == TLSD_SS_CLIENT_HELLO && s->dir[TLSD_DIR_S2C].records == 0 &&
	    s->ended && s->end_ts - s->ch_ts >= NO_RESPONSE_MIN_WAIT) {
		v->step = TLSD_STEP_SERVER_HELLO;
		return;
	}
	v->outcome = TLSD_OUTCOME_INCOMPLETE;
	v->step = TLSD_STEP_NONE;
}

/* ---- diagnoses ----------------------------------------------------------- */

struct dctx {
	const struct tlsd_session *s;
	const struct verdict *v;
	struct tlsd_report *r;
	char ev[TLSD_DIAG_EVIDENCE_LEN];
	struct sb b;
	uint32_t cert_done; /* server-chain findings already reported (bit per index) */
	bool ske_done;      /* key_exchange_signature_invalid already reported */
};

static struct sb *ev_begin(struct dctx *c)
{
	sb_init(&c->b, c->ev, sizeof(c->ev));
	return &c->b;
}

/* "<offer>; <alert or ending>" */
static void ev_offer_and_end(struct dctx *c)
{
	struct sb *b = ev_begin(c);

	if (c->s->ch_parsed) {
		sb_suites(b, c->s);
		sb_add(b, "; ");
	}
	if (c->v->has_alert)
		sb_alert(b, c->s, &c->v->alert);
	else
		sb_add(b, "ended by %s (%s)", tlsd_how_name(c->v->how), tlsd_party_name(c->v->by));
}

static void diag_no_shared_cipher(struct dctx *c, enum tlsd_confidence conf)
{
	struct suite_mix m;
	const char *hint;

	suite_mix(&c->s->ch, &m);
	ev_offer_and_end(c);
	if (m.total && m.cbc == m.total)
		hint = " The client offered only CBC suites; enable an AEAD suite such as "
		       "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 on one side.";
	else if (m.total && m.rc4 + m.null + m.export_grade >= m.total)
		hint = " The client offered only obsolete suites (RC4, NULL or export); update the "
		       "client's cipher list.";
	else
		hint = " Enable a suite from the client's list (see the evidence) on the server, or "
		       "the server's on the client.";
	tlsd_report_add_diag(c->r, "no_shared_cipher", conf, c->ev,
			     "The server rejected the client's offer: none of the %u cipher suite%s "
			     "the client proposed is enabled on it.%s",
			     m.total, m.total == 1 ? "" : "s", hint);
}

static void diag_no_shared_group(struct dctx *c, enum tlsd_confidence conf)
{
	struct sb *b = ev_begin(c);

	if (c->s->ch_parsed)
		sb_groups(b, &c->s->ch);
	if (c->s->has_hrr) {
		sb_add(b, "; HelloRetryRequest asked for ");
		sb_group(b, c->s->hrr.key_share_group);
	}
	if (c->v->has_alert) {
		sb_add(b, "; ");
		sb_alert(b, c->s, &c->v->alert);
	}
	tlsd_report_add_diag(c->r, "no_shared_group", conf, c->ev,
			     "Client and server have no key-exchange group in common; enable a "
			     "common group such as x25519 or secp256r1 on both sides.");
}

static void diag_version(struct dctx *c, enum tlsd_confidence conf, bool client_refused)
{
	struct sb *b = ev_begin(c);
	char chosen[24] = "";
	struct sb cb;

	sb_add(b, "client offered ");
	if (c->s->ch_parsed)
		sb_versions(b, c->s);
	else
		sb_add(b, "(unparsed hello)");
	if (c->s->has_sh) {
		sb_init(&cb, chosen, sizeof(chosen));
		sb_version(&cb, c->s->version);
		sb_add(b, "; server chose %s", chosen);
	}
	if (c->v->has_alert) {
		sb_add(b, "; ");
		sb_alert(b, c->s, &c->v->alert);
	}
	if (client_refused)
		tlsd_report_add_diag(c->r, "protocol_version_mismatch", conf, c->ev,
				     "The server chose %s, which the client does not accept; enable "
				     "a version the client offered on the server, or allow %s on "
				     "the client.",
				     chosen[0] ? chosen : "a version", chosen[0] ? chosen : "it");
	else if (conf == TLSD_CONF_CERTAIN)
		tlsd_report_add_diag(c->r, "protocol_version_mismatch", conf, c->ev,
				     "The server refused every protocol version the client offered; "
				     "enable a common version (TLS 1.2 or later) on both sides.");
	else
		tlsd_report_add_diag(c->r, "protocol_version_mismatch", conf, c->ev,
				     "The client offered only versions below TLS 1.2, which many "
				     "servers refuse (OpenSSL answers internal_error, GnuTLS "
				     "handshake_failure); enable TLS 1.2 or later on the client.");
}

static void diag_alert_generic(struct dctx *c)
{
	const struct tlsd_sess_alert *a = &c->v->alert;
	char nb[32], code[TLSD_DIAG_CODE_LEN];
	const char *name = tlsd_name_alert_or_code(a->desc, nb, sizeof(nb));
	struct sb *b = ev_begin(c);

	sb_alert(b, c->s, a);
	sb_add(b, "; handshake state %s", tlsd_sstate_name(a->state));
	if (!c->s->ch_parsed && c->s->has_ch && a->dir == TLSD_DIR_S2C)
		sb_add(b, "; the ClientHello is malformed at %s (offset %zu)",
		       c->s->ch_err.field ? c->s->ch_err.field : "?", c->s->ch_err.off);
	if (c->s->unexpected)
		sb_add(b, "; unexpected: %s", c->s->first_unexpected);
	snprintf(code, sizeof(code), "alert_%s", name);
	tlsd_report_add_diag(c->r, code, TLSD_CONF_CERTAIN, c->ev,
			     "The %s aborted the handshake with a %s alert (%u); its logs say why.",
			     who(a->dir), name, a->desc);
}

static void diag_server_cert_rejected(struct dctx *c, enum tlsd_confidence conf,
				      const char *how)
{
	struct sb *b = ev_begin(c);

	if (c->s->srv_cert)
		sb_add(b, "server sent %u certificate(s), %u bytes; ", c->s->srv_cert_count,
		       c->s->srv_cert_len);
	if (c->v->has_alert)
		sb_alert(b, c->s, &c->v->alert);
	else
		sb_add(b, "client %s without an alert", how);
	tlsd_report_add_diag(c->r, "server_certificate_rejected", conf, c->ev,
			     "The client rejected the server's certificate; check its validity "
			     "dates, host names and chain against the client's trust store.");
}

static void diag_client_cert_required(struct dctx *c, enum tlsd_confidence conf)
{
	struct sb *b = ev_begin(c);
	const struct tlsd_session *s = c->s;

	if (tls13(s)) {
		sb_add(b, "TLS 1.3: client's flight %u record(s), first %u bytes (no certificate); ",
		       s->t13.cli_flight, s->t13.cli_flight_first_len);
	} else {
		sb_add(b, "server sent CertificateRequest; ");
		if (s->cli_cert)
			sb_add(b, "client sent an empty Certificate; ");
		else if (s->cli_no_certificate_alert)
			sb_add(b, "client sent a no_certificate warning; ");
		else
			sb_add(b, "client sent no Certificate; ");
	}
	if (c->v->has_alert)
		sb_alert(b, s, &c->v->alert);
	else
		sb_add(b, "then %s by %s", tlsd_how_name(c->v->how), tlsd_party_name(c->v->by));
	tlsd_report_add_diag(c->r, "client_certificate_required", conf, c->ev,
			     "The server requires a client certificate and the client sent none; "
			     "configure the client with a certificate and key issued by a CA the "
			     "server trusts.");
}

static void diag_client_cert_rejected(struct dctx *c, enum tlsd_confidence conf)
{
	struct sb *b = ev_begin(c);

	if (tls13(c->s))
		sb_add(b, "TLS 1.3: client's flight %u record(s), first %u bytes (a certificate); ",
		       c->s->t13.cli_flight, c->s->t13.cli_flight_first_len);
	else
		sb_add(b, "client sent %u certificate(s), %u bytes; ", c->s->cli_cert_count,
		       c->s->cli_cert_len);
	sb_alert(b, c->s, &c->v->alert);
	sb_client_chain(b, c->s);
	tlsd_report_add_diag(c->r, "client_certificate_rejected", conf, c->ev,
			     "The server rejected the client's certificate; check that a CA in the "
			     "server's client-CA list issued it, that it is valid now and allows "
			     "client authentication.");
}

static void diag_finished(struct dctx *c, enum tlsd_confidence conf)
{
	struct sb *b = ev_begin(c);

	if (c->v->has_alert)
		sb_alert(b, c->s, &c->v->alert);
	else
		sb_add(b, "%s by %s right after the Finished flight", tlsd_how_name(c->v->how),
		       tlsd_party_name(c->v->by));
	sb_add(b, "; client CCS %s, server CCS %s", c->s->dir[TLSD_DIR_C2S].ccs ? "seen" : "not seen",
	       c->s->dir[TLSD_DIR_S2C].ccs ? "seen" : "not seen");
	tlsd_report_add_diag(c->r, "finished_verification_failed", conf, c->ev,
			     "The Finished message did not verify: the two sides derived different "
			     "keys or saw different handshakes (a middlebox altering it, a broken "
			     "implementation, or stale session state); check devices in between.");
}

/* ---- certificate findings (cert.h; the session ran the checks) ----------- */

static const struct tlsd_chain_findings *srv_findings(const struct tlsd_session *s)
{
	return s->certs.srv_findings;
}

static bool ske_bad(const struct tlsd_session *s)
{
	return s->certs.ske_checked && s->certs.ske_result == TLSD_SIG_BAD;
}

/* How well a client's alert agrees with a finding on the server's chain:
 * 0 is the best match, -1 none. The orders follow what validating clients
 * send (OpenSSL's X509 error to alert table: expired 45; unknown issuer and
 * self-signed 48; host name, not yet valid, weak key or digest 42; other
 * stacks also 42/46 for any of them). */
static int cert_alert_rank(uint8_t desc, const struct tlsd_cert_finding *fd)
{
	static const enum tlsd_cert_code a45[] = {TLSD_CERT_EXPIRED, TLSD_CERT_NOT_YET_VALID};
	static const enum tlsd_cert_code a48[] = {TLSD_CERT_SELF_SIGNED,
						  TLSD_CERT_MISSING_INTERMEDIATE,
						  TLSD_CERT_UNTRUSTED};
	static const enum tlsd_cert_code a43[] = {TLSD_CERT_WEAK_KEY,
						  TLSD_CERT_WEAK_SIGNATURE_ALGORITHM,
						  TLSD_CERT_MALFORMED};
	static const enum tlsd_cert_code a42[] = {
		TLSD_CERT_HOSTNAME_MISMATCH, TLSD_CERT_NOT_YET_VALID, TLSD_CERT_EXPIRED,
		TLSD_CERT_SELF_SIGNED, TLSD_CERT_MISSING_INTERMEDIATE, TLSD_CERT_UNTRUSTED,
		TLSD_CERT_WEAK_KEY, TLSD_CERT_WEAK_SIGNATURE_ALGORITHM, TLSD_CERT_MALFORMED};
	const enum tlsd_cert_code *t;
	size_t n;

	if (fd->severity != TLSD_CERT_SEV_ERROR)
		return -1;
	switch (desc) {
	case 45: t = a45; n = TLSD_ARRAY_SIZE(a45); break;
	case 48: t = a48; n = TLSD_ARRAY_SIZE(a48); break;
	case 43: t = a43; n = TLSD_ARRAY_SIZE(a43); break;
	case 42:
	case 46: t = a42; n = TLSD_ARRAY_SIZE(a42); break;
	default: return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (t[i] == fd->code)
			return (int)i;
	return -1;
}

/* A self-signed leaf also fails verification: one finding says it all. */
static bool cert_redundant(const struct tlsd_chain_findings *f, const struct tlsd_cert_finding *fd)
{
	return fd->code == TLSD_CERT_UNTRUSTED && f->verify_error ==
	       X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT && tlsd_cert_has_finding(f, TLSD_CERT_SELF_SIGNED);
}

/* One finding of the server's chain as a diagnosis; with_alert appends the
 * alert that agrees with it. */
static void add_cert_diag(struct dctx *c, size_t idx, enum tlsd_confidence conf, bool with_alert)
{
	const struct tlsd_chain_findings *f = srv_findings(c->s);
	const struct tlsd_cert_finding *fd = &f->findings[idx];
	struct sb *b = ev_begin(c);

	c->cert_done |= UINT32_C(1) << idx;
	sb_add(b, "%s", fd->evidence);
	if (fd->code == TLSD_CERT_SELF_SIGNED && !f->verified && f->verify_error_text[0])
		sb_add(b, "; OpenSSL: %s", f->verify_error_text);
	if (with_alert && c->v->has_alert) {
		sb_add(b, "; ");
		sb_alert(b, c->s, &c->v->alert);
	}
	tlsd_report_add_diag(c->r, tlsd_cert_code_name(fd->code), conf, c->ev, "%s", fd->text);
}

static void diag_ske(struct dctx *c, enum tlsd_confidence conf)
{
	struct sb *b = ev_begin(c);

	c->ske_done = true;
	sb_add(b, "%s", c->s->certs.ske_detail);
	if (c->v->has_alert) {
		sb_add(b, "; ");
		sb_alert(b, c->s, &c->v->alert);
	}
	tlsd_report_add_diag(c->r, "key_exchange_signature_invalid", conf, c->ev,
			     "The server's ServerKeyExchange signature does not verify with the "
			     "public key of its certificate: the server's private key does not match "
			     "its certificate (install the matching key and certificate pair), or "
			     "the traffic was altered on the way.");
}

/* The findings that a client alert confirms, best match first ("certain"),
 * others that agree as "likely". Returns true when one explained it. */
static bool diag_cert_cause(struct dctx *c, const struct tlsd_sess_alert *a)
{
	const struct tlsd_chain_findings *f = srv_findings(c->s);
	bool any = false;

	if (a->desc == 51 && a->before_peer_ccs && ske_bad(c->s)) {
		diag_ske(c, TLSD_CONF_CERTAIN);
		return true;
	}
	if (!f)
		return false;
	for (int rank = 0; rank < 16; rank++) {
		for (size_t i = 0; i < f->n_findings; i++) {
			if (cert_alert_rank(a->desc, &f->findings[i]) != rank ||
			    (c->cert_done & (UINT32_C(1) << i)) || cert_redundant(f, &f->findings[i]))
				continue;
			add_cert_diag(c, i, any ? TLSD_CONF_LIKELY : TLSD_CONF_CERTAIN, true);
			any = true;
		}
	}
	return any;
}

/* A client that left after the server's flight without an alert: errors
 * found in the chain are the likely reason. */
static bool diag_cert_cause_silent(struct dctx *c)
{
	const struct tlsd_chain_findings *f = srv_findings(c->s);

	if (ske_bad(c->s)) {
		diag_ske(c, TLSD_CONF_LIKELY);
		c->r->failed_step = TLSD_STEP_KEY_EXCHANGE;
		return true;
	}
	for (size_t i = 0; f && i < f->n_findings; i++) {
		if (f->findings[i].severity != TLSD_CERT_SEV_ERROR || cert_redundant(f, &f->findings[i]))
			continue;
		add_cert_diag(c, i, TLSD_CONF_LIKELY, true);
		return true;
	}
	return false;
}

/* Every finding not reported yet, as a warning: "possible" (the handshake
 * did not fail because of it, or nothing says it did). */
static void diag_cert_rest(struct dctx *c)
{
	const struct tlsd_chain_findings *f = srv_findings(c->s);

	if (ske_bad(c->s) && !c->ske_done)
		diag_ske(c, TLSD_CONF_POSSIBLE);
	for (size_t i = 0; f && i < f->n_findings; i++)
		if (!(c->cert_done & (UINT32_C(1) << i)) && !cert_redundant(f, &f->findings[i]))
			add_cert_diag(c, i, TLSD_CONF_POSSIBLE, false);
}

/* Diagnoses for a readable alert that ended the handshake. */
static void diag_alert(struct dctx *c)
{
	const struct tlsd_session *s = c->s;
	const struct tlsd_sess_alert *a = &c->v->alert;
	bool srv = a->dir == TLSD_DIR_S2C;
	bool pre_sh = no_server_hello(a->state);
	bool old_only = s->ch_parsed && max_offered(s) < TLSD_VERSION_TLS12;
	uint8_t n = c->r->n_diags;
	bool cert_cause = !srv && !pre_sh && diag_cert_cause(c, a);

	if (srv && pre_sh) {
		switch (a->desc) {
		case 40:
			if (s->has_hrr) {
				diag_no_shared_group(c, TLSD_CONF_LIKELY);
			} else if (old_only) {
				diag_version(c, TLSD_CONF_LIKELY, false);
				diag_no_shared_cipher(c, TLSD_CONF_POSSIBLE);
			} else if (offers_tls13(s)) {
				diag_no_shared_cipher(c, TLSD_CONF_POSSIBLE);
				diag_no_shared_group(c, TLSD_CONF_POSSIBLE);
			} else {
				diag_no_shared_cipher(c, TLSD_CONF_LIKELY);
			}
			break;
		case 70:
			diag_version(c, TLSD_CONF_CERTAIN, false);
			break;
		case 80:
			if (old_only)
				diag_version(c, TLSD_CONF_LIKELY, false);
			break;
		default:
			break;
		}
	}
	if (!srv && a->desc == 70 && s->has_sh)
		diag_version(c, TLSD_CONF_CERTAIN, true);
	if (!srv && a->desc == 47 && s->has_hrr && s->ch_parsed &&
	    !client_offered_group(&s->ch, s->hrr.key_share_group))
		diag_no_shared_group(c, TLSD_CONF_CERTAIN);
	if (a->desc == 86) {
		struct sb *b = ev_begin(c);

		sb_add(b, "client sent TLS_FALLBACK_SCSV: %s; versions ",
		       s->ch_parsed && s->ch.fallback_scsv ? "yes" : "no");
		if (s->ch_parsed)
			sb_versions(b, s);
		sb_add(b, "; ");
		sb_alert(b, s, a);
		tlsd_report_add_diag(c->r, "inappropriate_fallback", TLSD_CONF_CERTAIN, c->ev,
				     "The client retried at a lower version with TLS_FALLBACK_SCSV and "
				     "the server, which supports a higher one, refused; find why the "
				     "client's first, higher-version attempt failed.");
	}
	if (a->desc == 112) {
		struct sb *b = ev_begin(c);

		sb_add(b, "SNI ");
		if (s->ch_parsed && s->ch.has_sni) {
			sb_add(b, "\"");
			sb_escaped(b, s->ch.sni, s->ch.sni_len);
			sb_add(b, "\"");
		} else {
			sb_add(b, "absent");
		}
		sb_add(b, "; ");
		sb_alert(b, s, a);
		tlsd_report_add_diag(c->r, "unrecognized_name", TLSD_CONF_CERTAIN, c->ev,
				     "The server does not serve the host name the client asked for "
				     "(SNI); add the name to the server's configuration or connect "
				     "with a name it serves.");
	}
	if (a->desc == 120) {
		struct sb *b = ev_begin(c);

		sb_add(b, "client offered ALPN ");
		if (s->ch_parsed)
			sb_alpn(b, &s->ch.alpn);
		sb_add(b, "; ");
		sb_alert(b, s, a);
		tlsd_report_add_diag(c->r, "no_application_protocol", TLSD_CONF_CERTAIN, c->ev,
				     "Client and server share no application protocol (ALPN); enable "
				     "one of the client's protocols on the server.");
	}
	if (!srv && a->desc == 48 && !pre_sh && !cert_cause) {
		struct sb *b = ev_begin(c);

		if (s->srv_cert)
			sb_add(b, "server sent %u certificate(s), %u bytes; ", s->srv_cert_count,
			       s->srv_cert_len);
		sb_alert(b, s, a);
		if (srv_findings(s) && srv_findings(s)->verified)
			sb_add(b, "; the chain verifies against tlsdiag's trust store, so the "
				  "client's own store lacks its root CA");
		tlsd_report_add_diag(c->r, "server_certificate_untrusted", TLSD_CONF_CERTAIN, c->ev,
				     "The client does not trust the CA that issued the server's "
				     "certificate; install the issuing CA (or send the missing "
				     "intermediate) or use a certificate from a CA the client trusts.");
	}
	if (!srv && a->desc >= 42 && a->desc <= 46 && !pre_sh && !cert_cause)
		diag_server_cert_rejected(c, TLSD_CONF_LIKELY, "");
	if (srv && !pre_sh && client_cert_missing(s) &&
	    (a->desc == 40 || a->desc == 42 || a->desc == 116 || a->desc == 50))
		diag_client_cert_required(c, s->cli_cert || a->desc == 116 ? TLSD_CONF_CERTAIN
									  : TLSD_CONF_LIKELY);
	if (srv && a->desc == 116)
		diag_client_cert_required(c, TLSD_CONF_CERTAIN);
	if (srv && s->cli_cert && !s->cli_cert_empty &&
	    ((a->desc >= 42 && a->desc <= 46) || a->desc == 48))
		diag_client_cert_rejected(c, TLSD_CONF_CERTAIN);
	if (a->desc == 20 || (a->desc == 51 && !a->before_peer_ccs))
		diag_finished(c, TLSD_CONF_CERTAIN);
	/* Anything the rules above did not explain, and the not-quite-sure ones. */
	if (c->r->n_diags == n || a->desc == 80)
		diag_alert_generic(c);
}

static void diag_not_tls(struct dctx *c, enum tlsd_dir d)
{
	const struct tlsd_sess_dir *sd = &c->s->dir[d];
	struct sb *b = ev_begin(c);

	sb_add(b, "%s's first bytes: \"", who(d));
	sb_escaped(b, sd->sample, sd->sample_len);
	sb_add(b, "\"");
	if (d == TLSD_DIR_C2S) {
		/* Certain when the server answered in TLS; when it only closed,
		 * it is known to speak TLS from elsewhere (other connections in
		 * the capture, or a TLS port): likely. */
		bool server_spoke_tls = c->s->dir[TLSD_DIR_S2C].records > 0 || c->v->has_alert;

		if (c->v->has_alert) {
			sb_add(b, "; ");
			sb_alert(b, c->s, &c->v->alert);
		} else if (!server_spoke_tls) {
			sb_add(b, "; the server (known to speak TLS) closed without answering");
		}
		tlsd_report_add_diag(c->r, "client_not_tls",
				     server_spoke_tls ? TLSD_CONF_CERTAIN : TLSD_CONF_LIKELY, c->ev,
				     "The client sent something that is not TLS to this port; "
				     "configure it to use TLS here (e.g. https:// instead of http://).");
	} else if (sd->sample_len >= 3 && (sd->sample[0] & 0x80) && sd->sample[2] == 4) {
		/* An SSL 2.0 SERVER-HELLO record: it speaks SSL, just not a
		 * version any current client accepts. */
		sb_add(b, " (an SSL 2.0 SERVER-HELLO)");
		tlsd_report_add_diag(c->r, "protocol_version_mismatch", TLSD_CONF_CERTAIN, c->ev,
				     "The server answered in SSL 2.0, which is insecure and refused "
				     "by every current client; enable TLS 1.2 or later on the server.");
	} else {
		tlsd_report_add_diag(c->r, "server_not_tls", TLSD_CONF_CERTAIN, c->ev,
				     "The server answered with something that is not TLS: this port "
				     "serves a plaintext protocol; connect to the TLS port or enable "
				     "TLS on this one.");
	}
}

static void diag_large_hello(struct dctx *c)
{
	const struct tlsd_session *s = c->s;
	struct sb *b;

	/* By size, not by the segments seen: how a capture point or a
	 * re-segmenting device cut the stream must not change the verdict. */
	if (!s->has_ch || s->ch_len <= TLSD_LARGE_CLIENT_HELLO)
		return;
	b = ev_begin(c);
	sb_add(b, "ClientHello %u bytes (over %u: more than one segment holds on many paths), %u record(s)",
	       s->ch_len, TLSD_LARGE_CLIENT_HELLO, s->ch_records);
	if (s->ch_parsed) {
		for (unsigned i = 0; i < s->ch.n_key_shares && i < TLSD_MAX_KEY_SHARES; i++) {
			sb_add(b, "%s", i ? ", " : "; key shares ");
			sb_group(b, s->ch.key_share_groups[i]);
			sb_add(b, " (%u bytes)", s->ch.key_share_lens[i]);
		}
	}
	tlsd_report_add_diag(c->r, "large_client_hello", TLSD_CONF_POSSIBLE, c->ev,
			     "The ClientHello was larger than one segment; some middleboxes drop or "
			     "reset such hellos (e.g. with post-quantum key shares): retry without "
			     "the large key share, or fix the device in between.");
}

static void diag_no_answer(struct dctx *c)
{
	const struct tlsd_session *s = c->s;
	const struct verdict *v = c->v;
	struct sb *b = ev_begin(c);
	tlsd_time_ns wait = v->ts && v->ts >= s->ch_ts ? v->ts - s->ch_ts : 0;

	if (!v->ts && s->ended)
		wait = s->end_ts - s->ch_ts;
	if (v->how == TLSD_HOW_RESET && v->end_dir == TLSD_DIR_S2C) {
		sb_add(b, "RST from the server's address %.1f ms after the ClientHello, no TLS "
		       "bytes from the server",
		       MS(wait));
		if (s->dir[TLSD_DIR_S2C].rst_info.ttl)
			sb_add(b, " (TTL %u)", s->dir[TLSD_DIR_S2C].rst_info.ttl);
		tlsd_report_add_diag(c->r, "reset_after_client_hello", TLSD_CONF_CERTAIN, c->ev,
				     "The connection was reset right after the ClientHello without a "
				     "TLS answer; typical of a firewall or SNI filter blocking the "
				     "name, or a server refusing the connection outright.");
		for (int i = 0; i < 2; i++) {
			const struct tlsd_sess_dir *sd = &s->dir[i];

			if (!sd->rst || !sd->rst_middlebox)
				continue;
			tlsd_report_add_diag(c->r, "middlebox_reset", TLSD_CONF_LIKELY, sd->rst_why,
					     "The reset most likely came from a device on the path, "
					     "not from the server; check firewalls, IPS and SNI "
					     "filters between client and server.");
		}
	} else if (v->how == TLSD_HOW_CLOSE && v->end_dir == TLSD_DIR_S2C) {
		sb_add(b, "server closed (FIN) %.1f ms after the ClientHello without a TLS answer",
		       MS(wait));
		tlsd_report_add_diag(c->r, "server_closed_after_client_hello", TLSD_CONF_LIKELY,
				     c->ev,
				     "The server closed the connection right after the ClientHello "
				     "without a TLS answer; its logs should say why it refused the "
				     "hello (or a proxy in front of it did).");
	} else {
		sb_add(b, "no bytes from the server in %.3f s after the ClientHello; ended by %s (%s)",
		       (double)wait / 1e9, tlsd_how_name(v->how), tlsd_party_name(v->by));
		tlsd_report_add_diag(c->r, "server_no_response",
				     v->how == TLSD_HOW_CAPTURE_END ? TLSD_CONF_LIKELY
								    : TLSD_CONF_CERTAIN,
				     c->ev,
				     "The server accepted the TCP connection but never answered the "
				     "ClientHello; check that a TLS server (not a hung or overloaded "
				     "process) listens there and that nothing drops the hello.");
	}
	diag_large_hello(c);
}

static void diag_capture(struct dctx *c, enum tlsd_confidence conf)
{
	const struct tlsd_session *s = c->s;
	struct sb *b = ev_begin(c);
	bool any = false;

	if (capture_midstream(s)) {
		sb_add(b, "capture started mid-connection (no SYN, no ClientHello)");
		any = true;
	}
	for (int i = 0; i < 2; i++) {
		const struct tlsd_sess_dir *sd = &s->dir[i];

		if (sd->gap) {
			sb_add(b, "%s%" PRIu64 " bytes missing at offset %" PRIu64 " of the %s's stream",
			       any ? "; " : "", sd->gap_len, sd->gap_off, who((enum tlsd_dir)i));
			any = true;
		} else if (sd->framing == TLSD_FRAMING_OVERFLOW) {
			sb_add(b, "%sa %s handshake message above the size limit", any ? "; " : "",
			       who((enum tlsd_dir)i));
			any = true;
		}
	}
	if (s->capture_defects) {
		sb_add(b, "%s%s", any ? "; " : "", tlsd_anomaly_name(s->first_capture_defect));
		any = true;
	}
	if (!any) {
		sb_add(b, "capture ended in state %s", tlsd_sstate_name(s->state));
		if (s->has_ch && s->ended && s->end_ts >= s->ch_ts)
			sb_add(b, " %.1f ms after the ClientHello", MS(s->end_ts - s->ch_ts));
	}
	tlsd_report_add_diag(c->r, "capture_incomplete", conf, c->ev,
			     "The capture does not hold enough of this connection for a verdict; "
			     "capture from its start, with a full snap length and without drops.");
}

/* Failures without a readable alert. */
static void diag_silent(struct dctx *c)
{
	const struct tlsd_session *s = c->s;
	const struct verdict *v = c->v;

	if (v->inferred) {
		if (v->alert.dir == TLSD_DIR_S2C) {
			if (tlsd_diagnose_tls13_client_sent_cert(s))
				diag_client_cert_rejected(c, TLSD_CONF_LIKELY);
			else
				diag_client_cert_required(c, TLSD_CONF_LIKELY);
		} else {
			diag_server_cert_rejected(c, TLSD_CONF_LIKELY, "");
		}
		return;
	}
	if (v->has_alert && v->alert.encrypted) {
		/* TLS <= 1.2 encrypted alert before completion. */
		if (v->alert.dir == TLSD_DIR_S2C && client_cert_missing(s))
			diag_client_cert_required(c, TLSD_CONF_LIKELY);
		else if (v->step == TLSD_STEP_FINISHED)
			diag_finished(c, TLSD_CONF_POSSIBLE);
		return;
	}
	if (no_server_hello(s->state) && s->has_ch && s->dir[TLSD_DIR_S2C].records == 0 &&
	    s->dir[TLSD_DIR_S2C].framing == TLSD_FRAMING_OK) {
		diag_no_answer(c);
		return;
	}
	if (v->t13 == TLSD_T13_CLIENT_ABORT ||
	    (v->by == TLSD_PARTY_CLIENT && s->srv_cert && s->state >= TLSD_SS_SERVER_CERT &&
	     s->state <= TLSD_SS_SERVER_DONE)) {
		if (diag_cert_cause_silent(c))
			return;
		diag_server_cert_rejected(c, TLSD_CONF_POSSIBLE,
					  v->how == TLSD_HOW_RESET ? "reset" : "closed");
		return;
	}
	if (v->by == TLSD_PARTY_SERVER && client_cert_missing(s) && s->state >= TLSD_SS_CLIENT_CERT &&
	    s->state <= TLSD_SS_SERVER_CCS) {
		diag_client_cert_required(c, TLSD_CONF_LIKELY);
		return;
	}
	if (v->step == TLSD_STEP_FINISHED && (v->how == TLSD_HOW_RESET || v->how == TLSD_HOW_CLOSE))
		diag_finished(c, TLSD_CONF_POSSIBLE);
}

void tlsd_diagnose(const struct tlsd_session *s, struct tlsd_report *r)
{
	struct verdict v;
	struct dctx c = {.s = s, .v = &v, .r = r};

	decide(s, &v);
	r->outcome = v.outcome;
	r->failed_step = v.outcome == TLSD_OUTCOME_FAILED ? v.step : TLSD_STEP_NONE;
	r->term_by = v.by;
	r->term_how = v.how;
	r->has_alert = v.has_alert;
	if (v.has_alert) {
		r->alert.sender = v.alert.dir == TLSD_DIR_C2S ? TLSD_PARTY_CLIENT : TLSD_PARTY_SERVER;
		/* Read with the key log: protected on the wire, yet known. */
		r->alert.encrypted = v.alert.encrypted || v.alert.decrypted;
		r->alert.decrypted = v.alert.decrypted;
		r->alert.level = v.alert.encrypted ? 0 : v.alert.level;
		r->alert.code = v.alert.encrypted ? 0 : v.alert.desc;
	}
	r->time_to_failure = -1;
	if (v.outcome == TLSD_OUTCOME_FAILED && s->has_ch && v.ts >= s->ch_ts && v.ts)
		r->time_to_failure = v.ts - s->ch_ts;
	/* QUIC and DTLS: the transport's facts may decide (diagnose_udp.c). */
	if (s->transport != TLSD_TRANSPORT_TCP && tlsd_diagnose_udp(s, r)) {
		diag_cert_rest(&c);
		return;
	}

	switch (v.outcome) {
	case TLSD_OUTCOME_INCOMPLETE:
		diag_capture(&c, TLSD_CONF_CERTAIN);
		diag_cert_rest(&c);
		return;
	case TLSD_OUTCOME_ESTABLISHED:
		if (s->capture_defects || capture_gap(s))
			diag_capture(&c, TLSD_CONF_POSSIBLE);
		diag_cert_rest(&c);
		return;
	case TLSD_OUTCOME_FAILED:
	default:
		break;
	}
	if (client_not_tls(s))
		diag_not_tls(&c, TLSD_DIR_C2S);
	else if (server_not_tls(s))
		diag_not_tls(&c, TLSD_DIR_S2C);
	else if (v.has_alert && !v.alert.encrypted && s->has_fatal)
		diag_alert(&c);
	else
		diag_silent(&c);
	if (s->capture_defects || capture_gap(s))
		diag_capture(&c, TLSD_CONF_POSSIBLE);
	diag_cert_rest(&c);
}
