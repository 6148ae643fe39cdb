/* The verdict (outcome, failed step, termination) and the diagnosis list of
 * one finished session. Pure: reads the session and what the evidence stage
 * (evidence.c) says the capture proves, writes codes and facts into the
 * report; the reporters (explain.c) turn them into words.
 *
 * The rules follow FAILURE-CATALOG.md (the five steps, rows 1-43, and the
 * "Evidence rules") and the outcome rules documented at the top of
 * session.c. A cause is "certain" only when the capture proves it (an alert
 * that names it, or a fact on the wire that admits no other reading),
 * "likely" when the evidence fits and the named facts rule out the
 * alternatives, "possible" otherwise; with no rule's evidence present the
 * cause is cause_not_visible. Several diagnoses may apply; the most specific
 * comes first. */
#include "tlsd/diagnose.h"

#include <string.h>

#include <openssl/x509_vfy.h>

#include "tlsd/diagnose_udp.h"
#include "tlsd/evidence.h"
#include "tlsd/tls_names.h"

/* A ClientHello above this does not fit one typical segment (MSS 1460). */
#define TLSD_LARGE_CLIENT_HELLO 1400
/* A certificate message above this exceeds common client limits. */
#define TLSD_LARGE_CERT_MSG (64u << 10)

/* ---- facts about the offer ------------------------------------------------ */

static bool is_scsv(uint16_t s)
{
	return s == TLSD_SUITE_FALLBACK_SCSV || s == TLSD_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV;
}

struct suite_mix {
	unsigned total, aead, cbc, rc4, null, export_grade;
};

static void suite_mix(const struct tlsd_session *sess, struct suite_mix *m)
{
	struct tlsd_sess_ch_lists v;

	tlsd_session_ch_lists(sess, &v);
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < v.n_suites; i++) {
		struct tlsd_suite_info si;
		uint16_t s = v.suites[i];

		if (tlsd_is_grease(s) || is_scsv(s))
			continue;
		m->total++;
		if (!tlsd_suite_info(s, &si))
			continue;
		m->export_grade += si.export_grade;
		m->aead += si.cipher == TLSD_CIPHER_AEAD;
		m->cbc += si.cipher == TLSD_CIPHER_CBC;
		m->rc4 += si.cipher == TLSD_CIPHER_RC4;
		m->null += si.cipher == TLSD_CIPHER_NULL;
	}
	if (sess->ch.n_suites_total > v.n_suites)
		m->total += sess->ch.n_suites_total - (unsigned)v.n_suites;
}

/* The highest version offered, as its TLS equivalent (DTLS 1.2 = TLS 1.2). */
static uint16_t max_offered(const struct tlsd_session *s)
{
	const struct tlsd_sess_ch *ch = &s->ch;
	struct tlsd_sess_ch_lists l;
	uint16_t best = 0;

	tlsd_session_ch_lists(s, &l);
	if (ch->has_supported_versions && l.n_versions > 0) {
		for (size_t i = 0; i < l.n_versions; i++) {
			uint16_t v = tlsd_version_tls_equiv(l.versions[i]);

			if (!tlsd_is_grease(l.versions[i]) && v > best && v <= 0x03ff)
				best = v;
		}
		if (best)
			return best;
	}
	return tlsd_version_tls_equiv(ch->legacy_version);
}

static bool offers_tls13(const struct tlsd_session *s)
{
	return s->ch_parsed && max_offered(s) >= TLSD_VERSION_TLS13;
}

/* Every version the client offers (GREASE aside) is TLS 1.3 or later. */
static bool offers_only_tls13(const struct tlsd_session *s)
{
	struct tlsd_sess_ch_lists l;
	size_t real = 0;

	if (!s->ch_parsed || !s->ch.has_supported_versions)
		return false;
	tlsd_session_ch_lists(s, &l);
	for (size_t i = 0; i < l.n_versions; i++) {
		if (tlsd_is_grease(l.versions[i]))
			continue;
		if (tlsd_version_tls_equiv(l.versions[i]) < TLSD_VERSION_TLS13)
			return false;
		real++;
	}
	return real > 0;
}

static bool client_offered_group(const struct tlsd_session *s, uint16_t g)
{
	struct tlsd_sess_ch_lists v;

	tlsd_session_ch_lists(s, &v);
	for (size_t i = 0; i < v.n_groups; i++)
		if (v.groups[i] == g)
			return true;
	return false;
}

/* The offer holds a suite that practically every server enables: the
 * HTTP/2 mandatory TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (RFC 7540 9.2.2) or
 * its ECDSA twin, or TLS 1.3's mandatory TLS_AES_128_GCM_SHA256 (RFC 8446
 * 9.1). A refusal of such an offer is rarely about cipher suites. */
static bool mainstream_offer(const struct tlsd_session *s)
{
	struct tlsd_sess_ch_lists v;

	tlsd_session_ch_lists(s, &v);
	for (size_t i = 0; i < v.n_suites; i++)
		if (v.suites[i] == 0xc02f || v.suites[i] == 0xc02b || v.suites[i] == 0x1301)
			return true;
	return false;
}

static bool client_offered_suite(const struct tlsd_session *s, uint16_t suite)
{
	struct tlsd_sess_ch_lists v;

	tlsd_session_ch_lists(s, &v);
	if (s->ch.n_suites_total > v.n_suites)
		return true; /* not all kept: cannot say it was not offered */
	for (size_t i = 0; i < v.n_suites; i++)
		if (v.suites[i] == suite)
			return true;
	return false;
}

static bool client_offered_version(const struct tlsd_session *s, uint16_t v)
{
	const struct tlsd_sess_ch *ch = &s->ch;
	struct tlsd_sess_ch_lists l;

	if (!ch->has_supported_versions)
		return tlsd_version_tls_equiv(v) <= tlsd_version_tls_equiv(ch->legacy_version);
	tlsd_session_ch_lists(s, &l);
	for (size_t i = 0; i < l.n_versions; i++)
		if (l.versions[i] == v)
			return true;
	return false;
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

/* The first FIN or RST of either side, and whether it was a RST. */
static tlsd_time_ns first_end_ts(const struct tlsd_session *s)
{
	tlsd_time_ns t = INT64_MAX;

	for (int i = 0; i < 2; i++) {
		if (s->dir[i].fin)
			t = TLSD_MIN(t, s->dir[i].fin_ts);
		if (s->dir[i].rst)
			t = TLSD_MIN(t, s->dir[i].rst_ts);
	}
	return t;
}

static bool first_end_is_rst(const struct tlsd_session *s)
{
	tlsd_time_ns t = first_end_ts(s);

	return (s->dir[0].rst && s->dir[0].rst_ts == t) || (s->dir[1].rst && s->dir[1].rst_ts == t);
}

enum tlsd_tls13_verdict tlsd_diagnose_tls13(const struct tlsd_session *s)
{
	const struct tlsd_sess_tls13 *t = &s->t13;

	if (!tls13(s))
		return TLSD_T13_NONE;
	switch (s->state) {
	case TLSD_SS_TLS13_SERVER_FLIGHT:
		if (t->srv_flight > 0 &&
		    (s->dir[TLSD_DIR_C2S].fin || s->dir[TLSD_DIR_C2S].rst))
			return TLSD_T13_CLIENT_ABORT;
		return TLSD_T13_PENDING;
	case TLSD_SS_TLS13_CLIENT_FLIGHT:
		if (t->cli_flight == 1 && tlsd_session_tls13_alert_sized(s, t->cli_flight_first_len) &&
		    (any_fin(s) || any_rst(s) || s->ended))
			return TLSD_T13_CLIENT_ALERT;
		/* A reset right after the client's flight refused it; a close,
		 * or a reset long after (an idle connection torn down), did
		 * not. */
		if (first_end_is_rst(s) &&
		    first_end_ts(s) - TLSD_MAX(t->cli_flight_last_ts, t->cli_flight_ts) <= TLSD_NS_PER_SEC)
			return TLSD_T13_CLOSED_AFTER_FLIGHT;
		if (any_fin(s) || any_rst(s) || (s->ended && s->end_how == TLSD_FLOW_END_TIMEOUT))
			return TLSD_T13_ESTABLISHED;
		return TLSD_T13_PENDING;
	case TLSD_SS_TLS13_POST:
		if (t->post_srv == 1 && tlsd_session_tls13_alert_sized(s, t->post_srv_first_len))
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

/* Why a connection is incomplete: what the capture lacks. */
enum gap_reason {
	GAP_NONE = 0,
	GAP_MIDSTREAM,     /* began after the ClientHello */
	GAP_MISSING,       /* bytes the peers exchanged are not in it */
	GAP_ONE_SIDED,     /* one direction is not in it */
	GAP_DISCONTINUITY, /* the capture itself is interrupted */
	GAP_LIMIT,         /* one of tlsdiag's limits */
	GAP_ENDED,         /* it ended before a verdict */
};

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
	enum gap_reason gap;
	bool ssl2;           /* an SSL 2.0 handshake that completed */
};

static bool no_server_hello(enum tlsd_sstate st)
{
	return st == TLSD_SS_IDLE || st == TLSD_SS_CLIENT_HELLO || st == TLSD_SS_HELLO_RETRY ||
	       st == TLSD_SS_CLIENT_HELLO2 || st == TLSD_SS_HELLO_VERIFY;
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
	case TLSD_SS_HELLO_VERIFY:
		return TLSD_STEP_CLIENT_HELLO; /* the client owes its cookie hello */
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

enum tlsd_step tlsd_diagnose_step_reached(const struct tlsd_session *s)
{
	return step_by_state(s, s->state);
}

static bool chain_at_fault(const struct tlsd_session *s);

static enum tlsd_step step_for_alert(const struct tlsd_session *s, const struct tlsd_sess_alert *a)
{
	bool from_client = a->dir == TLSD_DIR_C2S;

	/* A client's alert after its own Finished and before the server's
	 * came cannot be about that Finished: it refuses what it had, the
	 * server's certificate (NSS checks it while it finishes). */
	if (a->encrypted && from_client && s->srv_cert && !s->abbreviated &&
	    (a->state == TLSD_SS_CLIENT_FINISHED || a->state == TLSD_SS_SERVER_TICKET))
		return TLSD_STEP_CERTIFICATE;
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
			/* A generic refusal after the server's chain and key
			 * exchange: the certificate when the chain has an error
			 * of its own and the key exchange checks out (Erlang/OTP
			 * clients send 40 for a host name that does not match). */
			if (s->ske && chain_at_fault(s))
				return TLSD_STEP_CERTIFICATE;
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

/* SSL 2.0: the server's first record is a SERVER-HELLO (message type 4). */
static bool ssl2_server_hello(const struct tlsd_session *s)
{
	const struct tlsd_sess_dir *sd = &s->dir[TLSD_DIR_S2C];

	return sd->framing == TLSD_FRAMING_NOT_TLS && sd->sample_len >= 3 && (sd->sample[0] & 0x80) &&
	       sd->sample[2] == 4;
}

/* An SSL 2.0 handshake that went on past the SERVER-HELLO: both sides sent
 * more records (CLIENT-MASTER-KEY, FINISHED, data) and it closed normally. */
static bool ssl2_completed(const struct tlsd_session *s)
{
	const struct tlsd_sess_dir *sd = &s->dir[TLSD_DIR_S2C];
	const struct tlsd_sess_cover *cc = &s->cover[TLSD_DIR_C2S], *sc = &s->cover[TLSD_DIR_S2C];
	uint32_t first;

	if (!ssl2_server_hello(s) || !s->has_ch || !s->ch.sslv2 || !cc->known || any_rst(s))
		return false;
	first = (((uint32_t)sd->sample[0] & 0x7f) << 8 | sd->sample[1]) + 2;
	return sc->captured > first && cc->captured > (uint64_t)s->ch_len + 2;
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

/* A side that spoke TLS and then sent a record header no stack writes. */
static bool malformed_record(const struct tlsd_session *s, enum tlsd_dir d)
{
	return s->dir[d].framing == TLSD_FRAMING_DESYNC;
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

/* Incomplete: the capture lacks what a verdict would need. The ending is
 * still reported as seen, with an unreadable alert if one came. */
static void incomplete(const struct tlsd_session *s, struct verdict *v, enum gap_reason why)
{
	v->outcome = TLSD_OUTCOME_INCOMPLETE;
	v->step = TLSD_STEP_NONE;
	v->gap = why;
	if (s->has_fatal) {
		ending(s, v);
		v->has_alert = true;
		v->alert = s->fatal;
	} else {
		established_ending(s, v); /* a close_notify ends it like this */
	}
}

/* Bytes of the handshake the peers exchanged that the capture lacks. */
static bool bytes_missing(const struct tlsd_evidence *ev)
{
	return ev->handshake_gap || ev->side[TLSD_DIR_S2C].missing > 0 ||
	       ev->side[TLSD_DIR_C2S].missing > 0;
}

/* The outcome is "established" (t13: tlsd_diagnose_tls13(s)); *ssl2 says
 * it was an SSL 2.0 handshake. */
static bool established_outcome(const struct tlsd_session *s, enum tlsd_tls13_verdict t13,
				bool *ssl2)
{
	bool established = s->established || t13 == TLSD_T13_ESTABLISHED;

	*ssl2 = false;
	/* TLS 1.3 (alerts read with the key log): a fatal alert before the
	 * client's flight was answered, or as the server's only record after
	 * it (the server refused the client's certificate or Finished, with an
	 * alert whose size did not say so: tlsd_session_tls13_alert_sized), is
	 * a failure; one after the server went on is not the handshake's. */
	if (established && t13 == TLSD_T13_ESTABLISHED && s->has_fatal &&
	    (s->fatal.state != TLSD_SS_TLS13_POST ||
	     (s->fatal.dir == TLSD_DIR_S2C && s->t13.post_srv == 1)))
		established = false;
	/* TLS <= 1.2, read with the key log: a client that checks the
	 * server's certificate while it finishes the handshake (NSS, Firefox's
	 * stack) refuses it with a fatal alert after both Finished; before any
	 * data of its own, that alert ends the handshake (so does one for a
	 * server Finished that did not verify). */
	if (established && s->established && s->has_fatal && s->fatal.dir == TLSD_DIR_C2S &&
	    !s->fatal.encrypted && s->dir[TLSD_DIR_C2S].app_records == 0)
		established = false;
	if (!established && !s->has_fatal && ssl2_completed(s)) {
		established = true;
		*ssl2 = true;
	}
	return established;
}

bool tlsd_diagnose_established(const struct tlsd_session *s)
{
	bool ssl2;

	return established_outcome(s, tlsd_diagnose_tls13(s), &ssl2);
}

static void decide(const struct tlsd_session *s, const struct tlsd_evidence *ev, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->t13 = tlsd_diagnose_tls13(s);
	if (established_outcome(s, v->t13, &v->ssl2)) {
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
	/* Otherwise what the capture lacks may hide the messages that explain
	 * the rest: no verdict on a part of the connection. */
	if (ev->midstream) {
		incomplete(s, v, GAP_MIDSTREAM);
		return;
	}
	if (ev->overflow || ev->limit_hit) {
		incomplete(s, v, GAP_LIMIT);
		return;
	}
	if (ev->one_sided) {
		incomplete(s, v, GAP_ONE_SIDED);
		return;
	}
	if (bytes_missing(ev)) {
		incomplete(s, v, GAP_MISSING);
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
		/* The client left before any answer: the step it had reached. */
		if (v->by == TLSD_PARTY_CLIENT && ev->client_first && s->has_ch)
			v->step = TLSD_STEP_SERVER_HELLO;
		return;
	}
	untracked_ending(s, v);
	/* Silence: only a wait that the capture watched is evidence. */
	if (ev->silence > 0) {
		incomplete(s, v, GAP_DISCONTINUITY);
		return;
	}
	if (v->how != TLSD_HOW_CAPTURE_END) {
		v->step = step_by_state(s, s->state);
		return;
	}
	/* The capture ended first: only a long unanswered hello is a verdict,
	 * and only when the server's side of the connection is in it. */
	if (s->state == TLSD_SS_CLIENT_HELLO && s->dir[TLSD_DIR_S2C].records == 0 &&
	    s->dir[TLSD_DIR_S2C].framing == TLSD_FRAMING_OK && ev->side[TLSD_DIR_S2C].seen &&
	    TLSD_MAX(s->observed_until, s->end_ts) - s->ch_ts >= TLSD_EV_NO_RESPONSE_MIN_NS) {
		v->step = TLSD_STEP_SERVER_HELLO;
		return;
	}
	incomplete(s, v, GAP_ENDED);
}

/* ---- diagnoses ----------------------------------------------------------- */

struct dctx {
	const struct tlsd_session *s;
	const struct tlsd_evidence *ev;
	const struct verdict *v;
	struct tlsd_report *r;
	uint32_t cert_done; /* server-chain findings already reported (bit per index) */
	bool ske_done;      /* key_exchange_signature_invalid already reported */
};

static enum tlsd_party party_of(enum tlsd_dir d)
{
	return d == TLSD_DIR_C2S ? TLSD_PARTY_CLIENT : TLSD_PARTY_SERVER;
}

static void fact_hint(struct tlsd_diag *d, enum tlsd_hint h)
{
	tlsd_diag_fact(d, TLSD_FACT_HINT, (uint16_t)h, 0);
}

/* The alert, and when it came after the ClientHello. */
static void fact_alert(struct dctx *c, struct tlsd_diag *d, const struct tlsd_sess_alert *a)
{
	uint32_t b = a->level | (a->dir == TLSD_DIR_C2S ? 0x100u : 0) | (a->encrypted ? 0x200u : 0);

	if (!d)
		return;
	tlsd_diag_fact(d, TLSD_FACT_ALERT, a->encrypted ? 0 : a->desc, b);
	if (c->s->has_ch && a->ts >= c->s->ch_ts)
		tlsd_diag_fact_ns(d, TLSD_FACT_AFTER_CLIENT_HELLO, a->ts - c->s->ch_ts);
}

/* The verdict's alert, or how it ended. */
static void fact_end(struct dctx *c, struct tlsd_diag *d)
{
	if (c->v->has_alert)
		fact_alert(c, d, &c->v->alert);
	else
		tlsd_diag_fact(d, TLSD_FACT_ENDED, (uint16_t)c->v->by, (uint32_t)c->v->how);
}

static struct tlsd_diag *add(struct dctx *c, enum tlsd_cause cause, enum tlsd_confidence conf)
{
	return tlsd_report_diag(c->r, cause, conf);
}

static void diag_no_shared_cipher(struct dctx *c, enum tlsd_confidence conf)
{
	struct tlsd_diag *d = add(c, TLSD_CAUSE_NO_SHARED_CIPHER, conf);
	struct suite_mix m;

	suite_mix(c->s, &m);
	if (m.total && m.cbc == m.total)
		fact_hint(d, TLSD_HINT_CIPHER_CBC_ONLY);
	else if (m.total && m.rc4 + m.null + m.export_grade >= m.total)
		fact_hint(d, TLSD_HINT_CIPHER_OBSOLETE);
	else
		fact_hint(d, TLSD_HINT_CIPHER_GENERIC);
	if (c->s->ch_parsed)
		tlsd_diag_fact(d, TLSD_FACT_OFFER, 0, 0);
	fact_end(c, d);
}

static void diag_no_shared_group(struct dctx *c, enum tlsd_confidence conf)
{
	struct tlsd_diag *d = add(c, TLSD_CAUSE_NO_SHARED_GROUP, conf);

	if (c->s->ch_parsed)
		tlsd_diag_fact(d, TLSD_FACT_GROUPS_OFFERED, 0, 0);
	if (c->s->has_hrr && c->s->hrr.key_share_group)
		tlsd_diag_fact(d, TLSD_FACT_HRR_GROUP, c->s->hrr.key_share_group, 0);
	else if (c->s->has_hrr)
		tlsd_diag_fact(d, TLSD_FACT_HRR_NO_GROUP, 0, 0);
	if (c->v->has_alert)
		fact_alert(c, d, &c->v->alert);
}

static void diag_version(struct dctx *c, enum tlsd_confidence conf, enum tlsd_hint hint)
{
	struct tlsd_diag *d = add(c, TLSD_CAUSE_PROTOCOL_VERSION_MISMATCH, conf);

	fact_hint(d, hint);
	if (c->s->ch_parsed)
		tlsd_diag_fact(d, TLSD_FACT_VERSIONS_OFFERED, 0, 0);
	if (c->s->has_sh)
		tlsd_diag_fact(d, TLSD_FACT_SERVER_VERSION, c->s->version, 0);
	if (c->v->has_alert)
		fact_alert(c, d, &c->v->alert);
}

/* An alert no rule explains: its code, the state, and what else is odd. */
static void diag_alert_generic(struct dctx *c, bool explained)
{
	const struct tlsd_sess_alert *a = &c->v->alert;
	char nb[32], code[TLSD_DIAG_CODE_LEN];
	struct tlsd_diag *d;

	/* The server could not read the hello: our parser says where. */
	bool bad_hello = a->dir == TLSD_DIR_S2C && c->s->has_ch && no_server_hello(a->state) &&
			 (!c->s->ch_parsed || c->s->ch.bad_ext);

	snprintf(code, sizeof(code), "alert_%s", tlsd_name_alert_or_code(a->desc, nb, sizeof(nb)));
	d = tlsd_report_diag_named(c->r, TLSD_CAUSE_ALERT, code, TLSD_CONF_CERTAIN);
	fact_hint(d, bad_hello   ? TLSD_HINT_ALERT_MALFORMED_HELLO
		     : explained ? TLSD_HINT_ALERT_EXPLAINED
				 : TLSD_HINT_ALERT_PEER_LOGS);
	fact_alert(c, d, a);
	tlsd_diag_fact(d, TLSD_FACT_STATE, (uint16_t)a->state, 0);
	if (!c->s->ch_parsed && c->s->has_ch && a->dir == TLSD_DIR_S2C) {
		tlsd_diag_fact_str(d, TLSD_FACT_CH_MALFORMED_AT,
				   c->s->ch_err.field ? c->s->ch_err.field : "?");
		tlsd_diag_fact_u(d, TLSD_FACT_CH_MALFORMED_OFFSET, c->s->ch_err.off);
	} else if (bad_hello) {
		const char *en = tlsd_name_extension(c->s->ch.bad_ext_type);

		tlsd_diag_fact_strf(c->r, d, TLSD_FACT_CH_MALFORMED_AT, "its %s extension (%u)",
				    en ? en : "unknown", c->s->ch.bad_ext_type);
	}
	if (c->s->unexpected)
		tlsd_diag_fact_str(d, TLSD_FACT_UNEXPECTED,
				   c->s->first_unexpected ? c->s->first_unexpected : "");
}

static void fact_server_certs(struct dctx *c, struct tlsd_diag *d)
{
	if (!c->s->srv_cert)
		return;
	if (c->s->srv_cert_count)
		tlsd_diag_fact_u(d, TLSD_FACT_SERVER_CERTS, c->s->srv_cert_count);
	tlsd_diag_fact_u(d, TLSD_FACT_SERVER_CERT_BYTES, c->s->srv_cert_len);
}

static void diag_server_cert_rejected(struct dctx *c, enum tlsd_confidence conf)
{
	struct tlsd_diag *d = add(c, TLSD_CAUSE_SERVER_CERTIFICATE_REJECTED, conf);

	fact_server_certs(c, d);
	fact_end(c, d);
	if (!c->v->has_alert && c->ev->reaction >= 0)
		tlsd_diag_fact_ns(d, TLSD_FACT_REACTION, c->ev->reaction);
}

/* Which CAs the server's CertificateRequest named: clients (Go, Java,
 * browsers) withhold a certificate that none of them issued, so the one the
 * operator must install comes from one of these. */
static void fact_ca_names(struct tlsd_diag *d, const struct tlsd_session *s)
{
	if (!s->cr_parsed)
		return;
	if (s->cr_first_ca)
		tlsd_diag_fact_str(d, TLSD_FACT_CA_NAME_FIRST, s->cr_first_ca);
	tlsd_diag_fact_u(d, TLSD_FACT_CA_NAMES, s->cr_ca_names);
}

static void diag_client_cert_required(struct dctx *c, enum tlsd_confidence conf)
{
	struct tlsd_diag *d = add(c, TLSD_CAUSE_CLIENT_CERTIFICATE_REQUIRED, conf);
	const struct tlsd_session *s = c->s;

	if (tls13(s)) {
		tlsd_diag_fact_u(d, TLSD_FACT_TLS13_CLIENT_FLIGHT, s->t13.cli_flight);
		tlsd_diag_fact_u(d, TLSD_FACT_TLS13_CLIENT_FLIGHT_FIRST, s->t13.cli_flight_first_len);
		if (s->cert_request) { /* read with the key log */
			tlsd_diag_fact(d, TLSD_FACT_CERT_REQUEST, 0, 0);
			fact_ca_names(d, s);
		}
	} else {
		tlsd_diag_fact(d, TLSD_FACT_CERT_REQUEST, 0, 0);
		fact_ca_names(d, s);
		tlsd_diag_fact_str(d, TLSD_FACT_CLIENT_CERT_SENT,
				   s->cli_cert ? "an empty Certificate"
				   : s->cli_no_certificate_alert ? "a no_certificate warning"
								 : "no Certificate");
	}
	fact_end(c, d);
}

static void diag_client_cert_rejected(struct dctx *c, enum tlsd_confidence conf)
{
	struct tlsd_diag *d = add(c, TLSD_CAUSE_CLIENT_CERTIFICATE_REJECTED, conf);
	const struct tlsd_chain_findings *f = c->s->certs.cli_findings;

	if (tls13(c->s)) {
		tlsd_diag_fact_u(d, TLSD_FACT_TLS13_CLIENT_FLIGHT, c->s->t13.cli_flight);
		tlsd_diag_fact_u(d, TLSD_FACT_TLS13_CLIENT_FLIGHT_FIRST,
				 c->s->t13.cli_flight_first_len);
	} else {
		tlsd_diag_fact_u(d, TLSD_FACT_CLIENT_CERTS, c->s->cli_cert_count);
		tlsd_diag_fact_u(d, TLSD_FACT_CLIENT_CERT_BYTES, c->s->cli_cert_len);
	}
	fact_end(c, d);
	if (!d || !f || f->n_certs == 0 || !f->certs[0].parsed)
		return;
	tlsd_diag_fact_strf(c->r, d, TLSD_FACT_CLIENT_CHAIN, "\"%s\" issued by \"%s\"",
			    f->certs[0].subject, f->certs[0].issuer);
	if (f->verified)
		tlsd_diag_fact_str(d, TLSD_FACT_CLIENT_CHAIN_VERIFY,
				   "it verifies against tlsdiag's trust store");
	else if (f->verify_error_text[0])
		tlsd_diag_fact_strf(c->r, d, TLSD_FACT_CLIENT_CHAIN_VERIFY,
				    "it does not verify against tlsdiag's trust store: %s",
				    f->verify_error_text);
	for (size_t i = 0; i < f->n_findings; i++)
		if (f->findings[i].code == TLSD_CERT_EXPIRED ||
		    f->findings[i].code == TLSD_CERT_NOT_YET_VALID)
			tlsd_diag_fact_str(d, TLSD_FACT_CERT_EVIDENCE, f->findings[i].evidence);
}

static void diag_finished(struct dctx *c, enum tlsd_confidence conf)
{
	struct tlsd_diag *d = add(c, TLSD_CAUSE_FINISHED_VERIFICATION_FAILED, conf);

	fact_end(c, d);
	tlsd_diag_fact(d, TLSD_FACT_CLIENT_CCS, c->s->dir[TLSD_DIR_C2S].ccs, 0);
	tlsd_diag_fact(d, TLSD_FACT_SERVER_CCS, c->s->dir[TLSD_DIR_S2C].ccs, 0);
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

/* Findings that only say what tlsdiag's own trust store makes of the chain:
 * the client's store, at the capture's time, may differ. */
static bool store_dependent(enum tlsd_cert_code code)
{
	return code == TLSD_CERT_UNTRUSTED || code == TLSD_CERT_MISSING_INTERMEDIATE;
}

/* The first error of the server's chain that does not depend on tlsdiag's
 * trust store nor on today's policy (a host name, the dates at the capture
 * time, a malformed certificate); -1 when none. A weak key or SHA-1 is left
 * out: clients of a years-old capture accepted them. */
static int own_chain_error(const struct tlsd_session *s)
{
	const struct tlsd_chain_findings *f = srv_findings(s);

	for (size_t i = 0; f && i < f->n_findings; i++) {
		enum tlsd_cert_code code = f->findings[i].code;

		if (f->findings[i].severity == TLSD_CERT_SEV_ERROR && !store_dependent(code) &&
		    code != TLSD_CERT_WEAK_KEY && code != TLSD_CERT_WEAK_SIGNATURE_ALGORITHM)
			return (int)i;
	}
	return -1;
}

/* A refusal whose alert names nothing is the chain's doing: it has an error
 * of its own and the key exchange checks out. */
static bool chain_at_fault(const struct tlsd_session *s)
{
	return own_chain_error(s) >= 0 && !ske_bad(s);
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
	case 40: /* a generic refusal: diag_cert_cause keeps it below certain */
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

/* The subject of the chain's last certificate's issuer: the CA it ends at. */
static const char *chain_top_issuer(const struct tlsd_chain_findings *f)
{
	for (uint32_t i = f->n_certs; i > 0; i--)
		if (f->certs[i - 1].parsed)
			return f->certs[i - 1].issuer;
	return NULL;
}

/* One finding of the server's chain as a diagnosis; with_alert adds the
 * verdict's alert that agrees with it. */
static void add_cert_diag(struct dctx *c, size_t idx, enum tlsd_confidence conf, bool with_alert)
{
	const struct tlsd_chain_findings *f = srv_findings(c->s);
	const struct tlsd_cert_finding *fd = &f->findings[idx];
	struct tlsd_diag *d;

	c->cert_done |= UINT32_C(1) << idx;
	d = tlsd_report_diag_named(c->r, TLSD_CAUSE_CERTIFICATE_FINDING, tlsd_cert_code_name(fd->code),
				   conf);
	tlsd_diag_fact_str(d, TLSD_FACT_CERT_TEXT, fd->text);
	tlsd_diag_fact_str(d, TLSD_FACT_CERT_EVIDENCE, fd->evidence);
	if (fd->code == TLSD_CERT_SELF_SIGNED && !f->verified && f->verify_error_text[0])
		tlsd_diag_fact_str(d, TLSD_FACT_OPENSSL_ERROR, f->verify_error_text);
	if (with_alert && c->v->has_alert)
		fact_alert(c, d, &c->v->alert);
	else if (with_alert && c->ev->reaction >= 0)
		tlsd_diag_fact_ns(d, TLSD_FACT_REACTION, c->ev->reaction);
}

/* The chain ends at a CA this machine lacks while the client went on: not a
 * failure; the warning names the CA (catalog row 42). */
static void diag_trust_anchor(struct dctx *c, size_t idx)
{
	const struct tlsd_chain_findings *f = srv_findings(c->s);
	struct tlsd_diag *d;
	const char *top = chain_top_issuer(f);

	c->cert_done |= UINT32_C(1) << idx;
	d = add(c, TLSD_CAUSE_TRUST_ANCHOR_NOT_IN_STORE, TLSD_CONF_POSSIBLE);
	if (top)
		tlsd_diag_fact_strf(c->r, d, TLSD_FACT_TRUST_ROOT, "\"%s\"", top);
	tlsd_diag_fact(d, TLSD_FACT_CLIENT_ACCEPTED_CHAIN, 0, 0);
	tlsd_diag_fact_str(d, TLSD_FACT_CERT_EVIDENCE, f->findings[idx].evidence);
}

static void diag_ske(struct dctx *c, enum tlsd_confidence conf)
{
	struct tlsd_diag *d = add(c, TLSD_CAUSE_KEY_EXCHANGE_SIGNATURE_INVALID, conf);

	c->ske_done = true;
	tlsd_diag_fact_str(d, TLSD_FACT_SKE_DETAIL, c->s->certs.ske_detail ? c->s->certs.ske_detail : "");
	if (c->v->has_alert)
		fact_alert(c, d, &c->v->alert);
}

/* The findings that a client alert confirms, best match first. A finding
 * that only depends on tlsdiag's trust store is at most likely: the
 * client's store at the capture's time may differ (catalog row 42). An
 * untrusted chain beside a certain cause that already explains the alert
 * (42/46 for a host name, say) is only possible: the alternative is not
 * ruled out, the root this machine lacks may well have been the client's
 * (catalog, evidence rules); unknown_ca (48) names it, and keeps it. */
static bool diag_cert_cause(struct dctx *c, const struct tlsd_sess_alert *a)
{
	const struct tlsd_chain_findings *f = srv_findings(c->s);
	bool any = false, certain = false;

	if (a->desc == 51 && a->before_peer_ccs && ske_bad(c->s)) {
		diag_ske(c, TLSD_CONF_CERTAIN);
		return true;
	}
	if (!f)
		return false;
	/* handshake_failure names no certificate problem: a finding it may
	 * stand for is the cause only after the server's chain and key
	 * exchange, when the key exchange checks out, and at most likely. */
	if (a->desc == 40 && !(c->s->ske && chain_at_fault(c->s)))
		return false;
	for (int rank = 0; rank < 16; rank++) {
		for (size_t i = 0; i < f->n_findings; i++) {
			const struct tlsd_cert_finding *fd = &f->findings[i];
			enum tlsd_confidence conf =
				any || a->desc == 40 ? TLSD_CONF_LIKELY : TLSD_CONF_CERTAIN;

			if (cert_alert_rank(a->desc, fd) != rank || (c->cert_done & (UINT32_C(1) << i)) ||
			    cert_redundant(f, fd))
				continue;
			/* unknown_ca names an untrusted chain itself. */
			if (store_dependent(fd->code) &&
			    !(a->desc == 48 && fd->code == TLSD_CERT_UNTRUSTED))
				conf = (fd->code == TLSD_CERT_UNTRUSTED && certain) || a->desc == 40
					       ? TLSD_CONF_POSSIBLE
					       : TLSD_CONF_LIKELY;
			add_cert_diag(c, i, conf, true);
			any = true;
			certain |= conf == TLSD_CONF_CERTAIN;
		}
	}
	return any;
}

/* A client that left right after the server's flight without an alert:
 * errors found in the chain are candidates, never certain. */
static bool diag_cert_cause_silent(struct dctx *c)
{
	const struct tlsd_chain_findings *f = srv_findings(c->s);

	if (ske_bad(c->s)) {
		diag_ske(c, TLSD_CONF_LIKELY);
		c->r->failed_step = TLSD_STEP_KEY_EXCHANGE;
		return true;
	}
	for (size_t i = 0; f && i < f->n_findings; i++) {
		const struct tlsd_cert_finding *fd = &f->findings[i];

		if (fd->severity != TLSD_CERT_SEV_ERROR || cert_redundant(f, fd))
			continue;
		add_cert_diag(c, i, store_dependent(fd->code) ? TLSD_CONF_POSSIBLE : TLSD_CONF_LIKELY,
			      true);
		return true;
	}
	return false;
}

/* The first error of the server's chain that does not depend on tlsdiag's
 * trust store, as the likely cause of a refusal whose alert names nothing
 * (encrypted); false when there is none or the key exchange failed. */
static bool diag_chain_error_cause(struct dctx *c)
{
	if (!chain_at_fault(c->s))
		return false;
	add_cert_diag(c, (size_t)own_chain_error(c->s), TLSD_CONF_LIKELY, true);
	return true;
}

/* Every finding not reported yet, as a warning: "possible" (the handshake
 * did not fail because of it, or nothing says it did). A chain the client
 * went on with was trusted by it: what only tlsdiag's store refuses is
 * trust_anchor_not_in_store. */
static void diag_cert_rest(struct dctx *c)
{
	const struct tlsd_chain_findings *f = srv_findings(c->s);
	bool anchor_said = false;

	if (ske_bad(c->s) && !c->ske_done)
		diag_ske(c, TLSD_CONF_POSSIBLE);
	for (size_t i = 0; f && i < f->n_findings; i++) {
		const struct tlsd_cert_finding *fd = &f->findings[i];

		if ((c->cert_done & (UINT32_C(1) << i)) || cert_redundant(f, fd))
			continue;
		if (store_dependent(fd->code) && c->ev->client_went_on) {
			if (!anchor_said)
				diag_trust_anchor(c, i);
			anchor_said = true;
			continue;
		}
		add_cert_diag(c, i, TLSD_CONF_POSSIBLE, false);
	}
}

/* The client refused a ServerHello that chose something it never offered. */
static bool diag_server_hello_invalid(struct dctx *c)
{
	const struct tlsd_session *s = c->s;
	struct tlsd_suite_info si;
	struct tlsd_diag *d;
	const char *what = NULL;

	if (!s->ch_parsed || !s->sh_parsed || s->ch.sslv2)
		return false;
	if (!client_offered_suite(s, s->sh.suite))
		what = "a cipher suite the client did not offer";
	else if (s->version && !client_offered_version(s, s->version))
		what = "a version the client did not offer";
	else if (!tls13(s) && tlsd_suite_info(s->sh.suite, &si) && si.tls13)
		what = "a TLS 1.3 cipher suite for an earlier version";
	else if (tls13(s) && s->sh.key_share_group &&
		 !client_offered_group(s, s->sh.key_share_group))
		what = "a key-exchange group the client did not offer";
	if (!what)
		return false;
	d = add(c, TLSD_CAUSE_SERVER_HELLO_INVALID, TLSD_CONF_CERTAIN);
	tlsd_diag_fact_strf(c->r, d, TLSD_FACT_UNEXPECTED, "the ServerHello chose %s", what);
	tlsd_diag_fact(d, TLSD_FACT_SERVER_VERSION, s->version, 0);
	fact_end(c, d);
	return true;
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
	struct tlsd_diag *d;

	if (!srv && a->state == TLSD_SS_SERVER_HELLO && (a->desc == 47 || a->desc == 40 ||
							  a->desc == 70 || a->desc == 110))
		(void)diag_server_hello_invalid(c);
	if (srv && pre_sh) {
		switch (a->desc) {
		case 40:
			if (s->has_hrr) {
				diag_no_shared_group(c, TLSD_CONF_LIKELY);
			} else if (old_only) {
				diag_version(c, TLSD_CONF_LIKELY, TLSD_HINT_VERSION_OLD_ONLY);
				diag_no_shared_cipher(c, TLSD_CONF_POSSIBLE);
			} else if (s->ch_parsed && !s->ch.has_sni && mainstream_offer(s)) {
				/* A mainstream offer without a server name: name-based
				 * hosting (CDNs) refuses exactly this (catalog row 35). */
				d = add(c, TLSD_CAUSE_SNI_REQUIRED, TLSD_CONF_LIKELY);
				tlsd_diag_fact(d, TLSD_FACT_SNI, 0, 0);
				tlsd_diag_fact(d, TLSD_FACT_OFFER, 0, 0);
				fact_alert(c, d, a);
				diag_no_shared_cipher(c, TLSD_CONF_POSSIBLE);
			} else if (offers_only_tls13(s) && s->transport != TLSD_TRANSPORT_QUIC) {
				/* Catalog row 3: a server limited to TLS 1.2
				 * refuses a TLS 1.3-only hello with 40 (GnuTLS,
				 * wolfSSL) where OpenSSL sends 70. (QUIC offers
				 * TLS 1.3 alone, and its servers speak it.) */
				diag_version(c, TLSD_CONF_LIKELY, TLSD_HINT_VERSION_SERVER_REFUSED);
				diag_no_shared_cipher(c, TLSD_CONF_POSSIBLE);
				diag_no_shared_group(c, TLSD_CONF_POSSIBLE);
			} else if (offers_tls13(s)) {
				diag_no_shared_cipher(c, TLSD_CONF_POSSIBLE);
				diag_no_shared_group(c, TLSD_CONF_POSSIBLE);
			} else if (s->ch_parsed && mainstream_offer(s) &&
				   s->transport != TLSD_TRANSPORT_DTLS) {
				/* Common suites refused: a server that requires TLS 1.3
				 * (GnuTLS answers 40 to a version it does not speak) or
				 * suites configured away. (DTLS servers that speak only
				 * DTLS 1.3 are not in use.) */
				diag_no_shared_cipher(c, TLSD_CONF_POSSIBLE);
				diag_version(c, TLSD_CONF_POSSIBLE, TLSD_HINT_VERSION_SERVER_REFUSED);
			} else {
				diag_no_shared_cipher(c, TLSD_CONF_LIKELY);
			}
			break;
		case 70:
			diag_version(c, TLSD_CONF_CERTAIN, TLSD_HINT_VERSION_SERVER_REFUSED);
			break;
		case 71:
			/* insufficient_security before any ServerHello: the server
			 * requires more than the hello offers, where other stacks
			 * send 40 (Erlang/OTP does this for no shared suite). */
			if (old_only) {
				diag_version(c, TLSD_CONF_LIKELY, TLSD_HINT_VERSION_OLD_ONLY);
				diag_no_shared_cipher(c, TLSD_CONF_POSSIBLE);
			} else if (offers_tls13(s)) {
				diag_no_shared_cipher(c, TLSD_CONF_POSSIBLE);
				diag_no_shared_group(c, TLSD_CONF_POSSIBLE);
			} else {
				diag_no_shared_cipher(c, TLSD_CONF_LIKELY);
			}
			break;
		case 80:
			if (old_only)
				diag_version(c, TLSD_CONF_LIKELY, TLSD_HINT_VERSION_OLD_ONLY);
			break;
		default:
			break;
		}
	}
	if (!srv && a->desc == 70 && s->has_sh)
		diag_version(c, TLSD_CONF_CERTAIN, TLSD_HINT_VERSION_CLIENT_REFUSED);
	if (!srv && a->desc == 47 && s->has_hrr && s->ch_parsed &&
	    !client_offered_group(s, s->hrr.key_share_group))
		diag_no_shared_group(c, TLSD_CONF_CERTAIN);
	if (a->desc == 86) {
		d = add(c, TLSD_CAUSE_INAPPROPRIATE_FALLBACK, TLSD_CONF_CERTAIN);
		tlsd_diag_fact(d, TLSD_FACT_FALLBACK_SCSV, s->ch_parsed && s->ch.fallback_scsv, 0);
		if (s->ch_parsed)
			tlsd_diag_fact(d, TLSD_FACT_VERSIONS_OFFERED, 0, 0);
		fact_alert(c, d, a);
	}
	if (a->desc == 112) {
		d = add(c, TLSD_CAUSE_UNRECOGNIZED_NAME, TLSD_CONF_CERTAIN);
		tlsd_diag_fact(d, TLSD_FACT_SNI, 0, 0);
		fact_alert(c, d, a);
	}
	if (a->desc == 120) {
		d = add(c, TLSD_CAUSE_NO_APPLICATION_PROTOCOL, TLSD_CONF_CERTAIN);
		tlsd_diag_fact(d, TLSD_FACT_ALPN_OFFERED, 0, 0);
		fact_alert(c, d, a);
	}
	if (!srv && a->desc == 48 && !pre_sh) {
		/* The client said it does not know the CA. When the leaf's issuer
		 * was neither sent nor in tlsdiag's store, a missing
		 * intermediate and a private CA look alike: both, neither
		 * certain (catalog, evidence rules). */
		bool mi = tlsd_report_has_diag(c->r, "missing_intermediate");
		const struct tlsd_chain_findings *f = srv_findings(s);
		/* A leaf that says where to fetch its issuer (AIA caIssuers)
		 * comes from a public CA: the intermediate is what is missing.
		 * Without it, a private CA is as likely. */
		bool aia = f && f->n_certs && f->certs[0].parsed && f->certs[0].aia_ca_issuers;

		if (mi) {
			for (unsigned i = 0; i < c->r->n_diags; i++)
				if (strcmp(c->r->diags[i].code, "missing_intermediate") == 0)
					tlsd_diag_fact(&c->r->diags[i], TLSD_FACT_LEAF_AIA, aia, 0);
		}
		if (!cert_cause || mi) {
			d = add(c, TLSD_CAUSE_SERVER_CERTIFICATE_UNTRUSTED,
				!mi ? TLSD_CONF_CERTAIN : aia ? TLSD_CONF_POSSIBLE : TLSD_CONF_LIKELY);
			fact_hint(d, TLSD_HINT_UNTRUSTED_ALERT);
			fact_server_certs(c, d);
			fact_alert(c, d, a);
			if (srv_findings(s) && srv_findings(s)->verified)
				tlsd_diag_fact(d, TLSD_FACT_STORE_VERIFIES, 0, 0);
		}
	}
	/* The client names a certificate problem after the server's chain (or,
	 * read with the key log, after a TLS 1.3 flight that carried one): the
	 * rejection is on the wire, its reason is not (Go and Java send 42 or
	 * 46 for an unknown CA, a host name and a broken chain alike). */
	if (!srv && a->desc >= 42 && a->desc <= 46 && !pre_sh && !cert_cause)
		diag_server_cert_rejected(c, s->srv_cert || (a->decrypted && !s->psk_accepted)
						     ? TLSD_CONF_CERTAIN
						     : TLSD_CONF_LIKELY);
	if (!srv && !pre_sh && s->srv_cert_len >= TLSD_LARGE_CERT_MSG &&
	    (a->desc == 22 || a->desc == 50 || a->desc == 80)) {
		d = add(c, TLSD_CAUSE_HANDSHAKE_MESSAGE_TOO_LARGE, TLSD_CONF_LIKELY);
		fact_server_certs(c, d);
		fact_alert(c, d, a);
	}
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
		diag_alert_generic(c, c->r->n_diags != n);
}

/* Direction d's first bytes are one record-shaped unit: a 5-byte header
 * whose length field is exactly what followed it in the capture. */
static bool record_shaped(const struct tlsd_session *s, enum tlsd_dir d)
{
	const struct tlsd_sess_dir *sd = &s->dir[d];
	const struct tlsd_sess_cover *cv = &s->cover[d];
	struct tlsd_cur c;
	uint8_t type;
	uint16_t version, len;

	tlsd_cur_init(&c, sd->sample, sd->sample_len);
	if (!cv->known || !tlsd_cur_get_u8(&c, &type) || !tlsd_cur_get_u16(&c, &version) ||
	    !tlsd_cur_get_u16(&c, &len))
		return false;
	return len > 0 && len <= 16384 + 2048 && cv->captured == 5u + len;
}

static void diag_not_tls(struct dctx *c, enum tlsd_dir dir)
{
	struct tlsd_diag *d;

	if (dir == TLSD_DIR_C2S) {
		/* Certain when the server answered in TLS; when it only closed,
		 * it is known to speak TLS from elsewhere (other connections in
		 * the capture, or a TLS port): likely. */
		bool server_spoke_tls = c->s->dir[TLSD_DIR_S2C].records > 0 || c->v->has_alert;

		d = add(c, TLSD_CAUSE_CLIENT_NOT_TLS,
			server_spoke_tls ? TLSD_CONF_CERTAIN : TLSD_CONF_LIKELY);
		tlsd_diag_fact(d, TLSD_FACT_SAMPLE, TLSD_DIR_C2S, 0);
		fact_end(c, d);
		return;
	}
	if (ssl2_server_hello(c->s)) {
		/* It speaks SSL, just not a version any current client accepts. */
		d = add(c, TLSD_CAUSE_PROTOCOL_VERSION_MISMATCH, TLSD_CONF_CERTAIN);
		fact_hint(d, TLSD_HINT_VERSION_SSL2);
		tlsd_diag_fact(d, TLSD_FACT_SAMPLE, TLSD_DIR_S2C, 0);
		tlsd_diag_fact(d, TLSD_FACT_SSL2_SERVER_HELLO, 0, 0);
		return;
	}
	if (record_shaped(c->s, TLSD_DIR_S2C)) {
		/* Shaped like one TLS record whose length matches what was
		 * sent, with an impossible header: a TLS stack (or something
		 * rewriting it) wrote it, not a plaintext protocol. */
		d = add(c, TLSD_CAUSE_MALFORMED_RECORD, TLSD_CONF_LIKELY);
		tlsd_diag_fact(d, TLSD_FACT_RECORD_HEADER, TLSD_DIR_S2C, 0);
		fact_end(c, d);
		return;
	}
	d = add(c, TLSD_CAUSE_SERVER_NOT_TLS, TLSD_CONF_CERTAIN);
	tlsd_diag_fact(d, TLSD_FACT_SAMPLE, TLSD_DIR_S2C, 0);
}

static void diag_large_hello(struct dctx *c)
{
	const struct tlsd_session *s = c->s;
	struct tlsd_diag *d;

	/* By size, not by the segments seen: how a capture point or a
	 * re-segmenting device cut the stream must not change the verdict. */
	if (!s->has_ch || s->ch_len <= TLSD_LARGE_CLIENT_HELLO)
		return;
	/* Likely when the server's ACKs show it got the hello's first bytes
	 * and not the rest: the small packets of the connection pass and a
	 * later segment of the hello does not (a path MTU black hole, a
	 * device that drops or cannot reassemble large hellos). A hello
	 * lost whole may as well be dropped for what it says. */
	d = add(c, TLSD_CAUSE_LARGE_CLIENT_HELLO,
		c->ev->hello_not_received && c->ev->hello_acked > 0 ? TLSD_CONF_LIKELY
								     : TLSD_CONF_POSSIBLE);
	tlsd_diag_fact_u(d, TLSD_FACT_CH_SIZE, s->ch_len);
	tlsd_diag_fact_u(d, TLSD_FACT_CH_RECORDS, s->ch_records);
	if (c->ev->hello_not_received)
		tlsd_diag_fact_u(d, TLSD_FACT_HELLO_ACKED, c->ev->hello_acked);
	if (s->ch_parsed)
		tlsd_diag_fact(d, TLSD_FACT_GROUPS_OFFERED, 0, 0);
}

/* The ClientHello got no TLS answer: a reset or close from the server's
 * address, or silence. */
static void diag_no_answer(struct dctx *c)
{
	const struct tlsd_session *s = c->s;
	const struct verdict *v = c->v;
	tlsd_time_ns wait = v->ts && v->ts >= s->ch_ts ? v->ts - s->ch_ts : -1;
	struct tlsd_diag *d;

	if (v->how == TLSD_HOW_RESET && v->end_dir == TLSD_DIR_S2C) {
		d = add(c, TLSD_CAUSE_RESET_AFTER_CLIENT_HELLO, TLSD_CONF_CERTAIN);
		tlsd_diag_fact(d, TLSD_FACT_RST_FROM, TLSD_PARTY_SERVER, 0);
		if (wait >= 0)
			tlsd_diag_fact_ns(d, TLSD_FACT_AFTER_CLIENT_HELLO, wait);
		tlsd_diag_fact(d, TLSD_FACT_NO_SERVER_BYTES, 0, 0);
		if (s->dir[TLSD_DIR_S2C].rst_info.ttl)
			tlsd_diag_fact_u(d, TLSD_FACT_RST_TTL, s->dir[TLSD_DIR_S2C].rst_info.ttl);
		for (int i = 0; i < 2; i++) {
			const struct tlsd_sess_dir *sd = &s->dir[i];

			if (!sd->rst || !sd->rst_middlebox)
				continue;
			d = add(c, TLSD_CAUSE_MIDDLEBOX_RESET, TLSD_CONF_LIKELY);
			tlsd_diag_fact_str(d, TLSD_FACT_RST_EVIDENCE, sd->rst_why ? sd->rst_why : "");
		}
	} else if (v->how == TLSD_HOW_CLOSE && v->end_dir == TLSD_DIR_S2C &&
		   c->ev->hello_not_received && wait >= TLSD_EV_NO_RESPONSE_MIN_NS) {
		/* It closed long after a hello its TCP never received in full:
		 * it gave up waiting for it, it did not refuse it. */
		d = add(c, TLSD_CAUSE_SERVER_NO_RESPONSE, TLSD_CONF_LIKELY);
		tlsd_diag_fact(d, TLSD_FACT_NO_SERVER_BYTES, 0, 0);
		tlsd_diag_fact_ns(d, TLSD_FACT_WAITED, wait);
		tlsd_diag_fact(d, TLSD_FACT_SERVER_ACKED_HELLO, false, 0);
		tlsd_diag_fact_u(d, TLSD_FACT_HELLO_ACKED, c->ev->hello_acked);
		tlsd_diag_fact(d, TLSD_FACT_ENDED, (uint16_t)v->by, (uint32_t)v->how);
	} else if (v->how == TLSD_HOW_CLOSE && v->end_dir == TLSD_DIR_S2C) {
		d = add(c, TLSD_CAUSE_SERVER_CLOSED_AFTER_CLIENT_HELLO, TLSD_CONF_LIKELY);
		tlsd_diag_fact(d, TLSD_FACT_SERVER_FIN, 0, 0);
		if (wait >= 0)
			tlsd_diag_fact_ns(d, TLSD_FACT_AFTER_CLIENT_HELLO, wait);
		tlsd_diag_fact(d, TLSD_FACT_NO_SERVER_BYTES, 0, 0);
	} else {
		/* Silence (a timeout, or the capture ended): proven when the
		 * server acknowledged the hello and the capture watched long. */
		tlsd_time_ns watched =
			(v->how == TLSD_HOW_CAPTURE_END ? TLSD_MAX(s->observed_until, s->end_ts) : v->ts) -
			s->ch_ts;

		d = add(c, TLSD_CAUSE_SERVER_NO_RESPONSE,
			c->ev->server_acked_hello && v->how == TLSD_HOW_TIMEOUT ? TLSD_CONF_CERTAIN
										  : TLSD_CONF_LIKELY);
		tlsd_diag_fact(d, TLSD_FACT_NO_SERVER_BYTES, 0, 0);
		tlsd_diag_fact_ns(d, TLSD_FACT_WAITED, watched);
		tlsd_diag_fact(d, TLSD_FACT_SERVER_ACKED_HELLO, c->ev->server_acked_hello, 0);
		if (c->ev->hello_not_received)
			tlsd_diag_fact_u(d, TLSD_FACT_HELLO_ACKED, c->ev->hello_acked);
		tlsd_diag_fact(d, TLSD_FACT_ENDED, (uint16_t)v->by, (uint32_t)v->how);
	}
	diag_large_hello(c);
}

/* The client ended the connection before the server's first byte. */
static void diag_client_first(struct dctx *c)
{
	const struct tlsd_evidence *ev = c->ev;
	struct tlsd_diag *d;

	if (ev->client_wait >= TLSD_EV_NO_RESPONSE_MIN_NS && ev->side[TLSD_DIR_S2C].seen) {
		/* It waited: the server was silent that long, the client's own
		 * timeout ended it. */
		d = add(c, TLSD_CAUSE_SERVER_NO_RESPONSE, TLSD_CONF_LIKELY);
		tlsd_diag_fact(d, TLSD_FACT_NO_SERVER_BYTES, 0, 0);
		tlsd_diag_fact_ns(d, TLSD_FACT_CLIENT_GAVE_UP_AFTER, ev->client_wait);
		tlsd_diag_fact(d, TLSD_FACT_SERVER_ACKED_HELLO, ev->server_acked_hello, 0);
		tlsd_diag_fact(d, TLSD_FACT_ENDED, (uint16_t)c->v->by, (uint32_t)c->v->how);
		diag_large_hello(c);
		return;
	}
	d = add(c, TLSD_CAUSE_CLIENT_ABANDONED, TLSD_CONF_LIKELY);
	fact_hint(d, TLSD_HINT_ABANDON_BEFORE_ANSWER);
	if (ev->client_wait >= 0)
		tlsd_diag_fact_ns(d, TLSD_FACT_CLIENT_GAVE_UP_AFTER, ev->client_wait);
	tlsd_diag_fact(d, TLSD_FACT_BEFORE_SERVER_BYTE, 0, 0);
	tlsd_diag_fact(d, TLSD_FACT_ENDED, (uint16_t)c->v->by, (uint32_t)c->v->how);
}

/* The client ended it after (part of) the server's flight, without an
 * alert: a rejection is quick and follows the whole flight. */
static void diag_client_abort_after_flight(struct dctx *c)
{
	const struct tlsd_evidence *ev = c->ev;
	struct tlsd_diag *d;

	if (c->s->srv_cert_len >= TLSD_LARGE_CERT_MSG) {
		/* Clients refuse a certificate message this large as soon as
		 * its header announces it (OpenSSL: 100 KiB), mid-flight. */
		d = add(c, TLSD_CAUSE_HANDSHAKE_MESSAGE_TOO_LARGE, TLSD_CONF_LIKELY);
		fact_server_certs(c, d);
		tlsd_diag_fact(d, TLSD_FACT_ENDED, (uint16_t)c->v->by, (uint32_t)c->v->how);
		return;
	}
	/* It ended before the certificate arrived, or its ACKs say it had
	 * not received all of the flight: it cannot have judged the chain. */
	bool partial = !ev->client_had_flight ||
		       (c->s->srv_cert && ev->client_ended && c->s->srv_cert_ts > ev->client_end_ts);

	if (partial || ev->reaction > TLSD_EV_REJECT_WINDOW_NS) {
		d = add(c, TLSD_CAUSE_CLIENT_ABANDONED, TLSD_CONF_LIKELY);
		if (partial) {
			fact_hint(d, TLSD_HINT_ABANDON_PARTIAL_FLIGHT);
			if (ev->flight_unacked)
				tlsd_diag_fact_u(d, TLSD_FACT_FLIGHT_UNACKED, ev->flight_unacked);
		} else {
			fact_hint(d, TLSD_HINT_ABANDON_SLOW);
			tlsd_diag_fact_ns(d, TLSD_FACT_REACTION, ev->reaction);
		}
		tlsd_diag_fact(d, TLSD_FACT_ENDED, (uint16_t)c->v->by, (uint32_t)c->v->how);
		return;
	}
	if (diag_cert_cause_silent(c))
		return;
	diag_server_cert_rejected(c, TLSD_CONF_POSSIBLE);
}

/* The TCP round trip seen at the connection's start, or dflt. */
static tlsd_time_ns rtt_or(const struct tlsd_session *s, tlsd_time_ns dflt)
{
	if (s->syn_ts && s->ack3_ts > s->syn_ts)
		return s->ack3_ts - s->syn_ts;
	return dflt;
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
			diag_server_cert_rejected(c, TLSD_CONF_LIKELY);
		}
		return;
	}
	if (v->has_alert && v->alert.encrypted) {
		/* TLS <= 1.2 encrypted alert before completion. */
		if (v->alert.dir == TLSD_DIR_S2C && client_cert_missing(s)) {
			diag_client_cert_required(c, TLSD_CONF_LIKELY);
		} else if (v->alert.dir == TLSD_DIR_C2S && v->step == TLSD_STEP_CERTIFICATE) {
			/* An error of the chain itself first; else the refusal. */
			if (!diag_chain_error_cause(c))
				diag_server_cert_rejected(c, TLSD_CONF_LIKELY);
		} else if (v->step == TLSD_STEP_FINISHED) {
			diag_finished(c, TLSD_CONF_POSSIBLE);
		}
		return;
	}
	if (v->by == TLSD_PARTY_CLIENT && c->ev->client_first && s->has_ch) {
		diag_client_first(c);
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
		diag_client_abort_after_flight(c);
		return;
	}
	if (v->by == TLSD_PARTY_CLIENT && s->state == TLSD_SS_SERVER_HELLO &&
	    diag_server_hello_invalid(c))
		return;
	if (v->by == TLSD_PARTY_SERVER && client_cert_missing(s) && s->state >= TLSD_SS_CLIENT_CERT &&
	    s->state <= TLSD_SS_SERVER_CCS) {
		diag_client_cert_required(c, TLSD_CONF_LIKELY);
		return;
	}
	if (v->by == TLSD_PARTY_CLIENT && !s->dir[TLSD_DIR_S2C].ccs &&
	    (s->state == TLSD_SS_CLIENT_FINISHED || s->state == TLSD_SS_SERVER_TICKET) &&
	    c->ev->client_ended && c->ev->client_end_ts - s->dir[TLSD_DIR_C2S].ccs_ts < rtt_or(s, 0)) {
		/* The client closed sooner after its Finished than a round
		 * trip: the server's Finished could not have arrived. */
		struct tlsd_diag *d = add(c, TLSD_CAUSE_CLIENT_ABANDONED, TLSD_CONF_LIKELY);

		fact_hint(d, TLSD_HINT_ABANDON_BEFORE_FINISHED);
		tlsd_diag_fact_ns(d, TLSD_FACT_AFTER_OWN_FINISHED,
				  c->ev->client_end_ts - s->dir[TLSD_DIR_C2S].ccs_ts);
		tlsd_diag_fact(d, TLSD_FACT_ENDED, (uint16_t)v->by, (uint32_t)v->how);
		return;
	}
	if (v->step == TLSD_STEP_FINISHED && (v->how == TLSD_HOW_RESET || v->how == TLSD_HOW_CLOSE))
		diag_finished(c, TLSD_CONF_POSSIBLE);
}

/* The ClientHello never arrived whole (catalog row 41). */
static void diag_hello_cut(struct dctx *c, enum tlsd_confidence conf)
{
	struct tlsd_diag *d = add(c, TLSD_CAUSE_CLIENT_HELLO_INCOMPLETE, conf);

	tlsd_diag_fact_u(d, TLSD_FACT_CH_CUT_HAVE, c->s->ch_cut_have);
	if (c->s->ch_cut_want)
		tlsd_diag_fact_u(d, TLSD_FACT_CH_CUT_WANT, c->s->ch_cut_want);
	fact_end(c, d);
}

/* One of tlsdiag's own limits (or the capture's snap length) stopped the
 * analysis: name it and the option that raises it (catalog row 38). */
static void diag_limit(struct dctx *c)
{
	static const struct {
		enum tlsd_anomaly a;
		const char *limit, *option;
	} limits[] = {
		{TLSD_ANOM_CAPTURE_CAP_HANDSHAKE,
		 "the largest handshake message followed (256 KiB by default)", "--max-handshake"},
		{TLSD_ANOM_CAPTURE_CAP_FLOWS, "the number of connections followed at once",
		 "--max-flows"},
		{TLSD_ANOM_CAPTURE_CAP_REASM, "the memory for out-of-order TCP data", "--reasm-mem"},
		{TLSD_ANOM_CAPTURE_CAP_DEPTH, "the bytes followed per direction during a handshake",
		 "--max-handshake"},
	};
	const struct tlsd_evidence *ev = c->ev;
	enum tlsd_anomaly a = ev->overflow ? TLSD_ANOM_CAPTURE_CAP_HANDSHAKE : ev->limit;
	struct tlsd_diag *d;

	for (size_t i = 0; i < TLSD_ARRAY_SIZE(limits); i++) {
		if (limits[i].a != a)
			continue;
		d = add(c, TLSD_CAUSE_ANALYSIS_LIMIT_REACHED, TLSD_CONF_CERTAIN);
		tlsd_diag_fact_str(d, TLSD_FACT_LIMIT, limits[i].limit);
		tlsd_diag_fact_str(d, TLSD_FACT_OPTION, limits[i].option);
		if (ev->overflow)
			tlsd_diag_fact(d, TLSD_FACT_OVERSIZED_MESSAGE,
				       (uint16_t)party_of(ev->overflow_dir), 0);
		return;
	}
	/* The capture's own cut (snap length): capture again with a larger one. */
	d = add(c, TLSD_CAUSE_CAPTURE_INCOMPLETE, TLSD_CONF_CERTAIN);
	tlsd_diag_fact_str(d, TLSD_FACT_CAPTURE_DEFECT, tlsd_anomaly_name(a));
}

/* A handshake message over --max-handshake was skipped unread: what it
 * would have shown (a certificate's checks) is missing. */
static void diag_oversized(struct dctx *c)
{
	struct tlsd_diag *d;
	char nb[48];
	const char *name;

	if (!c->s->oversized)
		return;
	name = tlsd_name_handshake(c->s->oversized_type);
	if (!name) {
		snprintf(nb, sizeof(nb), "handshake type %u", c->s->oversized_type);
		name = nb;
	}
	d = add(c, TLSD_CAUSE_ANALYSIS_LIMIT_REACHED, TLSD_CONF_POSSIBLE);
	tlsd_diag_fact_strf(c->r, d, TLSD_FACT_LIMIT, "a %s %s of %u bytes was not read",
			    c->s->oversized_dir == TLSD_DIR_C2S ? "client" : "server", name,
			    c->s->oversized_len);
	tlsd_diag_fact_str(d, TLSD_FACT_OPTION, "--max-handshake");
}

/* What the capture lacks, for an incomplete connection. */
static void diag_gap(struct dctx *c)
{
	const struct tlsd_session *s = c->s;
	const struct tlsd_evidence *ev = c->ev;
	const struct tlsd_ev_side *cl = &ev->side[TLSD_DIR_C2S], *sv = &ev->side[TLSD_DIR_S2C];
	struct tlsd_diag *d = NULL;

	switch (c->v->gap) {
	case GAP_MIDSTREAM:
		d = add(c, TLSD_CAUSE_CAPTURE_INCOMPLETE, TLSD_CONF_CERTAIN);
		tlsd_diag_fact(d, TLSD_FACT_MIDSTREAM, 0, 0);
		break;
	case GAP_ONE_SIDED:
		d = add(c, TLSD_CAUSE_CAPTURE_ONE_SIDED, TLSD_CONF_CERTAIN);
		tlsd_diag_fact(d, ev->absent == TLSD_DIR_S2C ? TLSD_FACT_NO_SERVER_PACKETS
							      : TLSD_FACT_NO_CLIENT_PACKETS, 0, 0);
		if (sv->missing)
			tlsd_diag_fact_u(d, TLSD_FACT_MISSING_SERVER, sv->missing);
		if (cl->missing)
			tlsd_diag_fact_u(d, TLSD_FACT_MISSING_CLIENT, cl->missing);
		if (ev->absent == TLSD_DIR_S2C && (s->cke || s->dir[TLSD_DIR_C2S].ccs))
			tlsd_diag_fact(d, TLSD_FACT_CLIENT_WENT_ON, 0, 0);
		break;
	case GAP_MISSING:
		if (cl->snap_cut || sv->snap_cut) {
			/* Not lost: cut by the capture's own snap length. */
			d = add(c, TLSD_CAUSE_CAPTURE_INCOMPLETE, TLSD_CONF_CERTAIN);
			tlsd_diag_fact_u(d, TLSD_FACT_SNAP_CUT, cl->snap_cut + sv->snap_cut);
			break;
		}
		d = add(c, TLSD_CAUSE_PACKETS_MISSING, TLSD_CONF_CERTAIN);
		if (sv->missing)
			tlsd_diag_fact_u(d, TLSD_FACT_MISSING_SERVER, sv->missing);
		if (cl->missing)
			tlsd_diag_fact_u(d, TLSD_FACT_MISSING_CLIENT, cl->missing);
		if (s->cke || s->dir[TLSD_DIR_C2S].ccs)
			tlsd_diag_fact(d, TLSD_FACT_CLIENT_WENT_ON, 0, 0);
		break;
	case GAP_DISCONTINUITY:
		d = add(c, TLSD_CAUSE_CAPTURE_DISCONTINUITY, TLSD_CONF_CERTAIN);
		tlsd_diag_fact_ns(d, TLSD_FACT_SILENCE, ev->silence);
		tlsd_diag_fact(d, TLSD_FACT_CAPTURE_ENDED, (uint16_t)s->state, 0);
		break;
	case GAP_LIMIT:
		diag_limit(c);
		return;
	case GAP_ENDED:
	case GAP_NONE:
	default:
		if (s->ch_cut && !s->has_ch)
			diag_hello_cut(c, TLSD_CONF_POSSIBLE);
		d = add(c, TLSD_CAUSE_CAPTURE_INCOMPLETE, TLSD_CONF_CERTAIN);
		tlsd_diag_fact(d, TLSD_FACT_CAPTURE_ENDED, (uint16_t)s->state, 0);
		if (s->has_ch && s->observed_until > s->ch_ts)
			tlsd_diag_fact_ns(d, TLSD_FACT_AFTER_CLIENT_HELLO, s->observed_until - s->ch_ts);
		break;
	}
	if (c->v->has_alert)
		fact_alert(c, d, &c->v->alert);
}

/* Capture defects noted on a connection that still got a verdict. */
static void diag_defects(struct dctx *c)
{
	struct tlsd_diag *d;

	if (!c->s->limit_hit && !c->ev->handshake_gap)
		return;
	d = add(c, TLSD_CAUSE_CAPTURE_INCOMPLETE, TLSD_CONF_POSSIBLE);
	tlsd_diag_fact_str(d, TLSD_FACT_CAPTURE_DEFECT, tlsd_anomaly_name(c->s->first_capture_defect));
}

/* Heartbeats while the handshake was under way (RFC 6520 forbids them), or
 * a response larger than any request: Heartbleed probing. */
static void diag_heartbeat(struct dctx *c)
{
	const struct tlsd_sess_dir *cl = &c->s->dir[TLSD_DIR_C2S], *sv = &c->s->dir[TLSD_DIR_S2C];
	struct tlsd_diag *d;
	bool early = cl->heartbeats_early || sv->heartbeats_early;
	bool larger = sv->heartbeat_max_len > cl->heartbeat_max_len && cl->heartbeat_max_len;

	if (!early && !larger)
		return;
	d = add(c, TLSD_CAUSE_HEARTBEAT_ABUSE, TLSD_CONF_LIKELY);
	tlsd_diag_fact_u(d, TLSD_FACT_HEARTBEATS_CLIENT, cl->heartbeats);
	tlsd_diag_fact_u(d, TLSD_FACT_HEARTBEATS_SERVER, sv->heartbeats);
	tlsd_diag_fact(d, TLSD_FACT_STATE, (uint16_t)c->s->state, 0);
}

/* A second ClientHello that no HelloRetryRequest asked for. */
static void diag_duplicate_hello(struct dctx *c)
{
	struct tlsd_diag *d;

	/* A HelloRetryRequest or a DTLS HelloVerifyRequest asked for each
	 * further hello. */
	if (c->s->n_client_hellos < 2 || c->s->has_hrr ||
	    c->s->n_client_hellos <= c->s->n_hvr + 1)
		return;
	d = add(c, TLSD_CAUSE_DUPLICATE_CLIENT_HELLO, TLSD_CONF_LIKELY);
	tlsd_diag_fact_u(d, TLSD_FACT_CLIENT_HELLOS, c->s->n_client_hellos);
	fact_end(c, d);
}

/* A side that spoke TLS, then sent a record header no stack writes. */
static void diag_malformed_record(struct dctx *c)
{
	struct tlsd_diag *d;

	for (int i = 0; i < 2; i++) {
		if (!malformed_record(c->s, (enum tlsd_dir)i))
			continue;
		d = add(c, TLSD_CAUSE_MALFORMED_RECORD, TLSD_CONF_LIKELY);
		tlsd_diag_fact(d, TLSD_FACT_RECORD_HEADER, (uint16_t)i, 0);
		tlsd_diag_fact(d, TLSD_FACT_STATE, (uint16_t)c->s->state, 0);
	}
}

/* No rule's evidence: say what is known (catalog row 43). */
static void diag_not_visible(struct dctx *c)
{
	const struct verdict *v = c->v;
	struct tlsd_diag *d = add(c, TLSD_CAUSE_CAUSE_NOT_VISIBLE, TLSD_CONF_CERTAIN);

	fact_hint(d, v->has_alert && v->alert.encrypted ? TLSD_HINT_NOT_VISIBLE_ENCRYPTED
		     : v->how == TLSD_HOW_TIMEOUT	   ? TLSD_HINT_NOT_VISIBLE_TIMEOUT
							   : TLSD_HINT_NOT_VISIBLE_SILENT);
	tlsd_diag_fact(d, TLSD_FACT_STATE, (uint16_t)c->s->state, 0);
	fact_end(c, d);
}

enum tlsd_outcome tlsd_diagnose_outcome(const struct tlsd_session *s)
{
	struct tlsd_evidence ev;
	struct verdict v;

	tlsd_evidence_compute(s, &ev);
	decide(s, &ev, &v);
	return v.outcome;
}

void tlsd_diagnose(const struct tlsd_session *s, struct tlsd_report *r)
{
	struct tlsd_evidence ev;
	struct verdict v;
	struct dctx c = {.s = s, .ev = &ev, .v = &v, .r = r};
	uint8_t before;

	tlsd_evidence_compute(s, &ev);
	decide(s, &ev, &v);
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
		diag_gap(&c);
		diag_heartbeat(&c);
		diag_cert_rest(&c);
		return;
	case TLSD_OUTCOME_ESTABLISHED:
		diag_oversized(&c);
		if (v.ssl2) {
			struct tlsd_diag *d = add(&c, TLSD_CAUSE_SSL2_NEGOTIATED, TLSD_CONF_CERTAIN);

			tlsd_diag_fact(d, TLSD_FACT_SAMPLE, TLSD_DIR_S2C, 0);
			tlsd_diag_fact(d, TLSD_FACT_SSL2_SERVER_HELLO, 0, 0);
		}
		diag_heartbeat(&c);
		diag_defects(&c);
		diag_cert_rest(&c);
		return;
	case TLSD_OUTCOME_FAILED:
	default:
		break;
	}
	before = r->n_diags;
	/* An unasked second ClientHello, or Heartbleed probing, explains
	 * what follows it. */
	diag_duplicate_hello(&c);
	diag_heartbeat(&c);
	if (client_not_tls(s))
		diag_not_tls(&c, TLSD_DIR_C2S);
	else if (server_not_tls(s))
		diag_not_tls(&c, TLSD_DIR_S2C);
	else if (v.has_alert && !v.alert.encrypted && s->has_fatal)
		diag_alert(&c);
	else
		diag_silent(&c);
	diag_malformed_record(&c);
	if (r->n_diags == before && s->ch_cut)
		diag_hello_cut(&c, TLSD_CONF_LIKELY);
	if (r->n_diags == before)
		diag_not_visible(&c);
	diag_oversized(&c);
	diag_defects(&c);
	diag_cert_rest(&c);
}
