/* QUIC and DTLS verdicts (see diagnose_udp.h). */
#include "tlsd/diagnose_udp.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tlsd/diagnose.h"
#include "tlsd/quic.h"
#include "tlsd/tls_names.h"

static enum tlsd_party party(enum tlsd_dir d)
{
	return d == TLSD_DIR_C2S ? TLSD_PARTY_CLIENT : TLSD_PARTY_SERVER;
}

static const char *who(enum tlsd_dir d)
{
	return d == TLSD_DIR_C2S ? "client" : "server";
}

static void set_verdict(struct tlsd_report *r, const struct tlsd_session *s,
			enum tlsd_outcome o, enum tlsd_step step, enum tlsd_party by,
			enum tlsd_how how, tlsd_time_ns ts)
{
	r->outcome = o;
	r->failed_step = o == TLSD_OUTCOME_FAILED ? step : TLSD_STEP_NONE;
	r->term_by = by;
	r->term_how = how;
	r->has_alert = false;
	memset(&r->alert, 0, sizeof(r->alert));
	r->n_diags = 0;
	r->time_to_failure = -1;
	if (o == TLSD_OUTCOME_FAILED && s->has_ch && ts >= s->ch_ts && ts)
		r->time_to_failure = ts - s->ch_ts;
}

/* How an association without a close ended: the flow table's word. */
static enum tlsd_how idle_how(const struct tlsd_session *s)
{
	return s->ended && s->end_how == TLSD_FLOW_END_TIMEOUT ? TLSD_HOW_TIMEOUT
							       : TLSD_HOW_CAPTURE_END;
}

static void version_str(uint32_t v, char *buf, size_t len)
{
	const char *n = tlsd_quic_version_name(v);

	if (n)
		snprintf(buf, len, "%s (0x%08" PRIx32 ")", n, v);
	else
		snprintf(buf, len, "0x%08" PRIx32, v);
}

static void close_str(const struct tlsd_quic_close_fact *c, char *buf, size_t len)
{
	const char *name = c->app ? NULL : tlsd_quic_error_name(c->code);
	int n;

	n = snprintf(buf, len, "%s CONNECTION_CLOSE %s (0x%" PRIx64 ") from the %s in %s packet",
		     c->app ? "application" : "transport", name ? name : "error", c->code,
		     who(c->dir),
		     c->space == TLSD_QUIC_SPACE_INITIAL     ? "an Initial"
		     : c->space == TLSD_QUIC_SPACE_HANDSHAKE ? "a Handshake"
							     : "a 1-RTT");
	if (n > 0 && (size_t)n < len && c->reason_len) {
		size_t pos = (size_t)n;

		pos += (size_t)snprintf(buf + pos, len - pos, ", reason \"");
		for (size_t i = 0; i < c->reason_len && pos + 6 < len; i++) {
			uint8_t b = c->reason[i];

			pos += (size_t)snprintf(buf + pos, len - pos,
						b >= 0x20 && b < 0x7f && b != '"' && b != '\\' ? "%c"
											 : "\\x%02x",
						b);
		}
		if (pos + 1 < len)
			snprintf(buf + pos, len - pos, "\"");
	}
}

static void fill_quic_fields(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = s->udp;
	const struct tlsd_quic_close_fact *c = &uf->close;

	r->quic_version = uf->quic_version;
	if (!c->seen)
		return;
	r->has_quic_close = true;
	r->quic_close = (struct tlsd_report_quic_close){
		.app = c->app,
		.sender = party(c->dir),
		.code = c->code,
		.reason_len = c->reason_len,
	};
	memcpy(r->quic_close.reason, c->reason, c->reason_len);
}

/* A close that nobody could read (Handshake packets without keys). */
static void inferred_close(struct tlsd_report *r, enum tlsd_dir d)
{
	if (r->has_quic_close)
		return;
	r->has_quic_close = true;
	r->quic_close = (struct tlsd_report_quic_close){.encrypted = true, .sender = party(d)};
}

static const char *icmp_name(uint8_t ipv, uint8_t type, uint8_t code)
{
	if (ipv == 4 && type == 3) {
		switch (code) {
		case 0: return "network unreachable";
		case 1: return "host unreachable";
		case 2: return "protocol unreachable";
		case 3: return "port unreachable";
		case 9:
		case 10:
		case 13: return "administratively prohibited";
		default: return "destination unreachable";
		}
	}
	switch (code) {
	case 0: return "no route to destination";
	case 1: return "administratively prohibited";
	case 3: return "address unreachable";
	case 4: return "port unreachable";
	default: return "destination unreachable";
	}
}

/* Q8: the client's datagrams drew ICMP errors and nothing else. */
static void diag_icmp(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = s->udp;
	const char *name = icmp_name(uf->icmp_ip_version, uf->icmp_type, uf->icmp_code);
	struct tlsd_diag *d;
	char from[64];

	tlsd_addr_str(&uf->icmp_from, uf->icmp_ip_version, from, sizeof(from));
	set_verdict(r, s, TLSD_OUTCOME_FAILED, TLSD_STEP_CLIENT_HELLO,
		    uf->icmp_from_peer ? TLSD_PARTY_SERVER : TLSD_PARTY_MIDDLEBOX, TLSD_HOW_RESET,
		    uf->icmp_ts);
	d = tlsd_report_diag(r, TLSD_CAUSE_PORT_UNREACHABLE, TLSD_CONF_CERTAIN);
	tlsd_diag_fact_strf(r, d, TLSD_FACT_ICMP, "%stype %u code %u (%s)",
			    uf->icmp_ip_version == 6 ? "v6 " : "", uf->icmp_type, uf->icmp_code, name);
	tlsd_diag_fact_strf(r, d, TLSD_FACT_ICMP_FROM, "%s (%s)", from,
			    uf->icmp_from_peer ? "the server itself"
					       : "a router or firewall on the path");
	tlsd_diag_fact_ns(d, TLSD_FACT_AFTER_FIRST_DATAGRAM, uf->icmp_ts - uf->first_ts[TLSD_DIR_C2S]);
	tlsd_diag_fact_u(d, TLSD_FACT_ICMP_COUNT, uf->icmp);
	tlsd_diag_fact_u(d, TLSD_FACT_CLIENT_DATAGRAMS, uf->datagrams[TLSD_DIR_C2S]);
	tlsd_diag_fact_u(d, TLSD_FACT_UDP_PORT, s->udp->server_port);
}

/* Q2: the server answered the client's version with Version Negotiation
 * (a refusal of that version whatever the list says). */
static bool diag_vn(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = s->udp;
	char cv[48], list[160] = "";
	size_t pos = 0;
	struct tlsd_diag *d;

	set_verdict(r, s, TLSD_OUTCOME_FAILED, TLSD_STEP_CLIENT_HELLO, TLSD_PARTY_SERVER,
		    TLSD_HOW_CLOSE, uf->vn_ts);
	version_str(uf->quic_version, cv, sizeof(cv));
	for (unsigned i = 0; i < uf->n_vn && pos + 1 < sizeof(list); i++) {
		char v[48];
		int n;

		version_str(uf->vn_versions[i], v, sizeof(v));
		n = snprintf(list + pos, sizeof(list) - pos, "%s%s", i ? ", " : "", v);
		if (n < 0)
			break;
		pos += (size_t)n;
	}
	d = tlsd_report_diag(r, TLSD_CAUSE_QUIC_VERSION_MISMATCH, TLSD_CONF_CERTAIN);
	tlsd_diag_fact_strf(r, d, TLSD_FACT_QUIC_VERSION, "%s", cv);
	tlsd_diag_fact_strf(r, d, TLSD_FACT_VN_VERSIONS, "%s", list[0] ? list : "(none)");
	return true;
}

/* Q5: a Retry after a Retry, or a Retry the client never followed. */
static bool diag_retry(const struct tlsd_session *s, struct tlsd_report *r, bool answered)
{
	const struct tlsd_udp_facts *uf = s->udp;
	bool loop = uf->retries >= 2;
	struct tlsd_diag *d;

	if (!loop && (answered || uf->retry_token_used))
		return false;
	set_verdict(r, s, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO,
		    loop ? TLSD_PARTY_SERVER : TLSD_PARTY_CLIENT, idle_how(s), uf->retry_ts);
	d = tlsd_report_diag(r, TLSD_CAUSE_QUIC_RETRY_FAILED,
			     loop ? TLSD_CONF_CERTAIN : TLSD_CONF_LIKELY);
	tlsd_diag_fact(d, TLSD_FACT_HINT,
		       loop ? TLSD_HINT_RETRY_LOOP : TLSD_HINT_RETRY_NOT_FOLLOWED, 0);
	tlsd_diag_fact_u(d, TLSD_FACT_RETRIES, uf->retries);
	tlsd_diag_fact_u(d, TLSD_FACT_INITIALS_AFTER_RETRY, uf->initials_after_retry);
	tlsd_diag_fact(d, TLSD_FACT_RETRY_TOKEN_USED, uf->retry_token_used, 0);
	return true;
}

/* Q1: nothing from the server at all. */
static bool diag_no_response(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = s->udp;
	tlsd_time_ns first = uf->first_ts[TLSD_DIR_C2S], span = uf->last_ts[TLSD_DIR_C2S] - first;
	tlsd_time_ns waited = s->ended ? s->end_ts - first : span;
	bool client_closed = uf->close.seen && uf->close.dir == TLSD_DIR_C2S;
	struct tlsd_diag *d;

	(void)waited;
	/* Q1 needs the client's retries on record: Initials sent over at least
	 * a second (its probe timer fired) with nothing back. One burst of
	 * Initials (a ClientHello split over datagrams) and the end of the
	 * capture prove nothing about the server. */
	if (uf->initials[TLSD_DIR_C2S] < 2 || span < TLSD_UDP_NO_RESPONSE_MIN_WAIT)
		return false;
	set_verdict(r, s, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO,
		    client_closed ? TLSD_PARTY_CLIENT : TLSD_PARTY_UNKNOWN, TLSD_HOW_TIMEOUT,
		    uf->last_ts[TLSD_DIR_C2S]);
	/* Likely, not certain: a capture of the client's direction only looks
	 * the same (UDP has no ACKs to say what the server sent). */
	d = tlsd_report_diag(r, TLSD_CAUSE_QUIC_NO_RESPONSE, TLSD_CONF_LIKELY);
	tlsd_diag_fact_u(d, TLSD_FACT_CLIENT_DATAGRAMS, uf->datagrams[TLSD_DIR_C2S]);
	tlsd_diag_fact_u(d, TLSD_FACT_CLIENT_INITIALS, uf->initials[TLSD_DIR_C2S]);
	tlsd_diag_fact_ns(d, TLSD_FACT_CLIENT_SPAN, span);
	tlsd_diag_fact(d, TLSD_FACT_NO_SERVER_PACKET, 0, 0);
	if (client_closed) {
		char cs[200];

		close_str(&uf->close, cs, sizeof(cs));
		tlsd_diag_fact_strf(r, d, TLSD_FACT_QUIC_CLOSE, "then the client gave up: %s", cs);
	}
	tlsd_diag_fact_u(d, TLSD_FACT_UDP_PORT, s->udp->server_port);
	return true;
}

/* No answer, but the capture does not show the client retrying: it ended,
 * or holds one direction only. Incomplete, saying what is there. */
static void unanswered_too_soon(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = s->udp;
	struct tlsd_diag *d;

	set_verdict(r, s, TLSD_OUTCOME_INCOMPLETE, TLSD_STEP_NONE, TLSD_PARTY_UNKNOWN,
		    idle_how(s), uf->last_ts[TLSD_DIR_C2S]);
	d = tlsd_report_diag(r, TLSD_CAUSE_CAPTURE_INCOMPLETE, TLSD_CONF_CERTAIN);
	tlsd_diag_fact_u(d, TLSD_FACT_CLIENT_DATAGRAMS, uf->datagrams[TLSD_DIR_C2S]);
	tlsd_diag_fact_u(d, TLSD_FACT_CLIENT_INITIALS, uf->initials[TLSD_DIR_C2S]);
	tlsd_diag_fact_ns(d, TLSD_FACT_CLIENT_SPAN,
			  uf->last_ts[TLSD_DIR_C2S] - uf->first_ts[TLSD_DIR_C2S]);
	tlsd_diag_fact(d, TLSD_FACT_NO_SERVER_PACKET, 0, 0);
}

/* Q4: a transport close during the handshake. */
static void diag_transport_close(const struct tlsd_session *s, struct tlsd_report *r,
				 enum tlsd_step step)
{
	const struct tlsd_quic_close_fact *c = &s->udp->close;
	const char *name = c->app ? NULL : tlsd_quic_error_name(c->code);
	struct tlsd_diag *d;
	char cs[200];

	set_verdict(r, s, TLSD_OUTCOME_FAILED, step, party(c->dir), TLSD_HOW_CLOSE, c->ts);
	close_str(c, cs, sizeof(cs));
	d = tlsd_report_diag(r, TLSD_CAUSE_QUIC_TRANSPORT_ERROR, TLSD_CONF_CERTAIN);
	tlsd_diag_fact_strf(r, d, TLSD_FACT_QUIC_CLOSE, "%s", cs);
	tlsd_diag_fact(d, TLSD_FACT_CLOSE_SENDER, (uint16_t)party(c->dir), 0);
	tlsd_diag_fact_strf(r, d, TLSD_FACT_QUIC_ERROR, "%s (0x%" PRIx64 ")", name ? name : "code",
			    c->code);
}

static enum tlsd_step step_reached(const struct tlsd_session *s)
{
	if (!s->has_sh)
		return TLSD_STEP_SERVER_HELLO;
	return TLSD_STEP_CERTIFICATE;
}

/* The client closed without an error (NO_ERROR, or an application close)
 * before the handshake completed: it gave up, e.g. its TCP attempt won the
 * race (catalog row 29). */
static void diag_client_gave_up(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_quic_close_fact *c = &s->udp->close;
	struct tlsd_diag *d;
	char cs[200];

	set_verdict(r, s, TLSD_OUTCOME_FAILED, step_reached(s), TLSD_PARTY_CLIENT, TLSD_HOW_CLOSE,
		    c->ts);
	d = tlsd_report_diag(r, TLSD_CAUSE_CLIENT_ABANDONED, TLSD_CONF_LIKELY);
	tlsd_diag_fact(d, TLSD_FACT_HINT, TLSD_HINT_ABANDON_BEFORE_ANSWER_OR_RACE, 0);
	close_str(c, cs, sizeof(cs));
	tlsd_diag_fact_strf(r, d, TLSD_FACT_QUIC_CLOSE, "%s", cs);
}

/* How an established connection ended. */
static void quic_established(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = s->udp;

	if (uf->close.seen)
		set_verdict(r, s, TLSD_OUTCOME_ESTABLISHED, TLSD_STEP_NONE, party(uf->close.dir),
			    TLSD_HOW_CLOSE, uf->close.ts);
	else
		set_verdict(r, s, TLSD_OUTCOME_ESTABLISHED, TLSD_STEP_NONE, TLSD_PARTY_UNKNOWN,
			    idle_how(s), s->end_ts);
}

/* The handshake after the ServerHello, from the order of the packets (their
 * content needs the key log). Returns false when nothing can be said. */
static bool quic_after_server_hello(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = s->udp;
	struct tlsd_diag *d;
	bool cli_hs = uf->handshakes[TLSD_DIR_C2S] > 0, srv_hs = uf->handshakes[TLSD_DIR_S2C] > 0;
	bool over = s->ended && (s->end_how == TLSD_FLOW_END_TIMEOUT ||
				 s->end_ts - uf->last_ts[TLSD_DIR_C2S] >= TLSD_UDP_NO_RESPONSE_MIN_WAIT);

	if (uf->handshake_done ||
	    (uf->cli_short_after_srv_hs > 0 && uf->srv_short_after_cli_hs > 0)) {
		quic_established(s, r);
		return true;
	}
	if (srv_hs && cli_hs && uf->cli_short_after_srv_hs == 0 && !uf->hs_keys &&
	    uf->last_ts[TLSD_DIR_C2S] >= uf->last_srv_hs_ts) {
		/* The client answered the server's flight in Handshake packets
		 * only and never sent 1-RTT data: it refused the flight. */
		set_verdict(r, s, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_CLIENT,
			    TLSD_HOW_ALERT, uf->first_hs_ts[TLSD_DIR_C2S]);
		inferred_close(r, TLSD_DIR_C2S);
		d = tlsd_report_diag(r, TLSD_CAUSE_SERVER_CERTIFICATE_REJECTED, TLSD_CONF_LIKELY);
		tlsd_diag_fact_strf(r, d, TLSD_FACT_HS_FLIGHT,
				    "server's Handshake flight %u packet(s), %" PRIu64 " bytes; the "
				    "client answered with %u Handshake packet(s) (%" PRIu64 " bytes) "
				    "and no 1-RTT packet: a CONNECTION_CLOSE unreadable without the "
				    "key log",
				    uf->handshakes[TLSD_DIR_S2C], uf->hs_bytes[TLSD_DIR_S2C],
				    uf->handshakes[TLSD_DIR_C2S], uf->hs_bytes[TLSD_DIR_C2S]);
		return true;
	}
	if (srv_hs && cli_hs && uf->cli_short_after_srv_hs > 0 && uf->srv_short_after_cli_hs == 0 &&
	    uf->srv_hs_after_cli_hs > 0 && !uf->hs_keys && over) {
		/* The client finished; the server answered in Handshake
		 * packets only and went silent: it refused the client's flight. */
		bool cert = uf->hs_bytes[TLSD_DIR_C2S] > 400;

		set_verdict(r, s, TLSD_OUTCOME_FAILED, TLSD_STEP_CERTIFICATE, TLSD_PARTY_SERVER,
			    TLSD_HOW_ALERT, uf->last_srv_hs_ts);
		inferred_close(r, TLSD_DIR_S2C);
		d = tlsd_report_diag(r, cert ? TLSD_CAUSE_CLIENT_CERTIFICATE_REJECTED
					     : TLSD_CAUSE_CLIENT_CERTIFICATE_REQUIRED,
				     TLSD_CONF_LIKELY);
		tlsd_diag_fact_strf(r, d, TLSD_FACT_HS_FLIGHT,
				    "client's Handshake flight %u packet(s), %" PRIu64 " bytes (%s); the "
				    "server answered with Handshake packets only and no 1-RTT packet: a "
				    "CONNECTION_CLOSE unreadable without the key log",
				    uf->handshakes[TLSD_DIR_C2S], uf->hs_bytes[TLSD_DIR_C2S],
				    cert ? "a certificate" : "no certificate");
		return true;
	}
	return false;
}

static bool diagnose_quic(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = s->udp;
	uint32_t answers = uf->initials[TLSD_DIR_S2C] + uf->handshakes[TLSD_DIR_S2C] +
			   uf->shorts[TLSD_DIR_S2C];
	const struct tlsd_quic_close_fact *c = &uf->close;

	if (s->has_fatal && !s->fatal.encrypted)
		return false; /* a TLS alert in a crypto error: the TLS rules */
	if (uf->icmp && answers == 0) {
		diag_icmp(s, r);
		return true;
	}
	if (uf->vn && answers == 0 && diag_vn(s, r))
		return true;
	if (uf->retries && diag_retry(s, r, answers > 0))
		return true;
	if (answers == 0 && !(c->seen && c->dir == TLSD_DIR_S2C)) {
		if (diag_no_response(s, r))
			return true;
		if (c->seen && c->dir == TLSD_DIR_C2S)
			diag_client_gave_up(s, r); /* closed before any answer */
		else
			unanswered_too_soon(s, r);
		return true;
	} else if (c->seen && !uf->handshake_done &&
		   !(uf->cli_short_after_srv_hs > 0 && uf->srv_short_after_cli_hs > 0)) {
		if (c->dir == TLSD_DIR_C2S && (c->app || c->code == 0))
			diag_client_gave_up(s, r);
		else
			diag_transport_close(s, r, step_reached(s));
		return true;
	}
	if (s->has_sh && quic_after_server_hello(s, r))
		return true;
	if (uf->stateless_reset && answers > 0) {
		struct tlsd_diag *d;

		set_verdict(r, s, TLSD_OUTCOME_FAILED, step_reached(s), TLSD_PARTY_SERVER,
			    TLSD_HOW_RESET, uf->reset_ts);
		d = tlsd_report_diag(r, TLSD_CAUSE_QUIC_STATELESS_RESET, TLSD_CONF_LIKELY);
		tlsd_diag_fact(d, TLSD_FACT_STATELESS_RESET, 0, 0);
		return true;
	}
	return false;
}

/* ---- DTLS ---- */

/* How long the capture watched the association after ts: not across a
 * capture-wide silence, but an idle timeout ran on captured time only. */
static tlsd_time_ns watched_after(const struct tlsd_session *s, tlsd_time_ns ts)
{
	tlsd_time_ns until = TLSD_MAX(s->observed_until, s->end_ts);
	tlsd_time_ns w = until > ts ? until - ts : 0;

	if (s->ended && s->end_how == TLSD_FLOW_END_TIMEOUT && s->ctx)
		return s->silence ? s->ctx->lim.idle_timeout : TLSD_MAX(w, s->ctx->lim.idle_timeout);
	return s->silence ? 0 : w;
}

/* Q6: a HelloVerifyRequest that did not lead to a ServerHello. */
static bool diag_cookie(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = s->udp;
	enum tlsd_hint hint;
	enum tlsd_confidence conf = TLSD_CONF_CERTAIN;
	enum tlsd_party by = TLSD_PARTY_UNKNOWN;
	tlsd_time_ns watched;
	struct tlsd_diag *d;

	if (uf->hvr_after_cookie > 0) {
		hint = TLSD_HINT_COOKIE_LOOP;
		by = TLSD_PARTY_SERVER;
		watched = watched_after(s, uf->hvr_ts);
	} else if (uf->cookie_hellos == 0) {
		/* Nothing but hellos without the cookie (resent copies, or new
		 * ones) after the HelloVerifyRequest, or silence. */
		watched = watched_after(s, uf->hvr_first_ts);
		if (uf->cli_after_hvr == 0 && watched < TLSD_UDP_NO_RESPONSE_MIN_WAIT)
			return false; /* the capture ended too soon to tell */
		hint = TLSD_HINT_COOKIE_NOT_RETURNED;
	} else if (uf->srv_after_cookie == 0) {
		watched = watched_after(s, uf->cookie_hello_ts);
		if (watched < TLSD_UDP_NO_RESPONSE_MIN_WAIT)
			return false;
		hint = TLSD_HINT_COOKIE_IGNORED;
		by = TLSD_PARTY_SERVER;
		conf = TLSD_CONF_LIKELY;
	} else {
		return false; /* the server answered the cookie: the rest decides */
	}
	/* It failed when the client gave up (its last datagram), or with the
	 * server's last refusal. */
	set_verdict(r, s, TLSD_OUTCOME_FAILED, TLSD_STEP_CLIENT_HELLO, by, TLSD_HOW_TIMEOUT,
		    hint == TLSD_HINT_COOKIE_LOOP ? uf->hvr_ts : uf->last_ts[TLSD_DIR_C2S]);
	d = tlsd_report_diag(r, TLSD_CAUSE_DTLS_COOKIE_EXCHANGE_FAILED, conf);
	tlsd_diag_fact(d, TLSD_FACT_HINT, (uint16_t)hint, 0);
	tlsd_diag_fact_u(d, TLSD_FACT_HVR_COUNT, uf->hvr);
	if (uf->hvr_after_cookie)
		tlsd_diag_fact_u(d, TLSD_FACT_HVR_AFTER_COOKIE, uf->hvr_after_cookie);
	tlsd_diag_fact_u(d, TLSD_FACT_COOKIE_HELLOS, uf->cookie_hellos);
	if (hint == TLSD_HINT_COOKIE_NOT_RETURNED)
		tlsd_diag_fact_u(d, TLSD_FACT_CLIENT_AFTER_HVR, uf->cli_after_hvr);
	if (hint == TLSD_HINT_COOKIE_IGNORED)
		tlsd_diag_fact(d, TLSD_FACT_NO_ANSWER_TO_COOKIE, 0, 0);
	tlsd_diag_fact_ns(d, TLSD_FACT_WATCHED_AFTER, watched);
	return true;
}

/* Q7: the latest flight was sent again and drew no answer. */
static bool diag_retransmission(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = s->udp;
	enum tlsd_dir fd = uf->last_flight, o = tlsd_dir_other(fd);
	tlsd_time_ns last = TLSD_MAX(uf->last_ts[0], uf->last_ts[1]);
	tlsd_time_ns watched = watched_after(s, last);
	bool proven = uf->peer_retx_during[fd] > 0;
	/* The peer's last datagram came before this flight began. */
	bool peer_silent = uf->datagrams[o] == 0 || uf->last_ts[o] < uf->flight_ts[fd];
	bool mtu = uf->flight_max[fd] > TLSD_DTLS_MTU_SUSPECT &&
		   uf->flight_max[fd] > uf->answered_max[fd];
	enum tlsd_hint hint = mtu ? TLSD_HINT_RETX_MTU : TLSD_HINT_RETX_LOST;
	enum tlsd_confidence conf = TLSD_CONF_CERTAIN;
	struct tlsd_diag *d;

	if (!uf->any_flight)
		return false;
	/* Still sending when the capture ended: no verdict yet. */
	if (watched < TLSD_UDP_NO_RESPONSE_MIN_WAIT && uf->flight_retx[fd] < 2 && !proven)
		return false;
	if (uf->flight_retx[fd] == 0) {
		/* Sent once, never again: only a client hello that drew
		 * nothing at all, long enough ago, says something. A DTLS
		 * client resends on a timer (RFC 6347 4.2.4), so one that did
		 * not gave up or was stopped, or the capture missed its copies
		 * (sampled, one-sided, merged): the silence is only possible. */
		if (fd != TLSD_DIR_C2S || s->has_sh || uf->datagrams[TLSD_DIR_S2C] > 0)
			return false;
		conf = TLSD_CONF_POSSIBLE;
	} else if (fd == TLSD_DIR_S2C && peer_silent && !proven) {
		/* A DTLS client resends its own flight when it gets nothing:
		 * one that sent nothing at all may have stopped instead. */
		hint = mtu ? TLSD_HINT_RETX_MTU : TLSD_HINT_RETX_PEER_STOPPED;
		conf = TLSD_CONF_POSSIBLE;
	} else if (!proven && uf->flight_retx[fd] < 2) {
		conf = TLSD_CONF_LIKELY;
	}
	set_verdict(r, s, TLSD_OUTCOME_FAILED,
		    s->has_sh ? tlsd_diagnose_step_reached(s) : TLSD_STEP_SERVER_HELLO,
		    TLSD_PARTY_UNKNOWN, TLSD_HOW_TIMEOUT,
		    uf->last_ts[fd]);
	d = tlsd_report_diag(r, TLSD_CAUSE_DTLS_RETRANSMISSION_TIMEOUT, conf);
	tlsd_diag_fact(d, TLSD_FACT_HINT, (uint16_t)hint, 0);
	tlsd_diag_fact(d, TLSD_FACT_FLIGHT_SENDER, (uint16_t)party(fd), 0);
	if (uf->flight_retx[fd])
		tlsd_diag_fact_u(d, TLSD_FACT_RETRANSMISSIONS, uf->flight_retx[fd]);
	tlsd_diag_fact_u(d, TLSD_FACT_TRIES, uf->flight_retx[fd] + 1u);
	if (uf->flight_retx[fd])
		tlsd_diag_fact_ns(d, TLSD_FACT_RETRANSMIT_SPAN,
				  uf->last_retransmit_ts[fd] - uf->flight_ts[fd]);
	tlsd_diag_fact_u(d, TLSD_FACT_LARGEST_DATAGRAM, uf->flight_max[fd]);
	if (mtu && uf->answered_max[fd])
		tlsd_diag_fact_u(d, TLSD_FACT_ANSWERED_DATAGRAM, uf->answered_max[fd]);
	if (proven)
		tlsd_diag_fact_u(d, TLSD_FACT_PEER_RETRANSMITTED, uf->peer_retx_during[fd]);
	else if (peer_silent)
		tlsd_diag_fact(d, TLSD_FACT_PEER_SILENT, 0, 0);
	if (watched > 0)
		tlsd_diag_fact_ns(d, TLSD_FACT_WATCHED_AFTER, watched);
	return true;
}

static bool diagnose_dtls(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = s->udp;

	if (s->has_fatal && !s->fatal.encrypted)
		return false; /* a readable alert: the TLS rules */
	if (uf->icmp && uf->datagrams[TLSD_DIR_S2C] == 0) {
		diag_icmp(s, r);
		return true;
	}
	if (tlsd_session_established(s) || s->has_fatal || s->has_close_alert)
		return false;
	/* A side missing from the capture while the other went on: the
	 * evidence stage says incomplete. */
	if (uf->datagrams[TLSD_DIR_C2S] == 0 ||
	    (uf->datagrams[TLSD_DIR_S2C] == 0 && (s->cke || s->dir[TLSD_DIR_C2S].ccs)))
		return false;
	if (uf->hvr && !s->has_sh && diag_cookie(s, r))
		return true;
	return diag_retransmission(s, r);
}

bool tlsd_diagnose_udp(const struct tlsd_session *s, struct tlsd_report *r)
{
	r->transport = s->transport;
	if (!s->udp) /* not opened by tlsd_session_udp_open */
		return false;
	if (s->transport == TLSD_TRANSPORT_DTLS)
		return diagnose_dtls(s, r);
	if (s->transport != TLSD_TRANSPORT_QUIC)
		return false;
	fill_quic_fields(s, r);
	return diagnose_quic(s, r);
}
