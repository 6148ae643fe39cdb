/* QUIC and DTLS verdicts (see diagnose_udp.h). */
#include "tlsd/diagnose_udp.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tlsd/quic.h"
#include "tlsd/tls_names.h"

#define MS(ns) ((double)(ns) / 1e6)

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
	const struct tlsd_udp_facts *uf = &s->udp;
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
	const struct tlsd_udp_facts *uf = &s->udp;
	char ev[TLSD_DIAG_EVIDENCE_LEN], from[64];

	tlsd_addr_str(&uf->icmp_from, uf->icmp_ip_version, from, sizeof(from));
	set_verdict(r, s, TLSD_OUTCOME_FAILED, TLSD_STEP_CLIENT_HELLO,
		    uf->icmp_from_peer ? TLSD_PARTY_SERVER : TLSD_PARTY_MIDDLEBOX, TLSD_HOW_RESET,
		    uf->icmp_ts);
	snprintf(ev, sizeof(ev),
		 "ICMP%s type %u code %u (%s) from %s (%s) %.1f ms after the client's first "
		 "datagram, %u in all; %u datagram(s) from the client, none answered",
		 uf->icmp_ip_version == 6 ? "v6" : "", uf->icmp_type, uf->icmp_code,
		 icmp_name(uf->icmp_ip_version, uf->icmp_type, uf->icmp_code), from,
		 uf->icmp_from_peer ? "the server itself" : "a router or firewall on the path",
		 MS(uf->icmp_ts - uf->first_ts[TLSD_DIR_C2S]), uf->icmp, uf->datagrams[TLSD_DIR_C2S]);
	tlsd_report_add_diag(r, "port_unreachable", TLSD_CONF_CERTAIN, ev,
			     "The client's datagrams were refused with ICMP %s: nothing listens on "
			     "UDP port %u there, or a firewall rejects it; start the service or "
			     "open the port.",
			     icmp_name(uf->icmp_ip_version, uf->icmp_type, uf->icmp_code),
			     s->udp.server_port);
}

/* Q2: the server answered the client's version with Version Negotiation
 * (a refusal of that version whatever the list says). */
static bool diag_vn(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = &s->udp;
	char ev[TLSD_DIAG_EVIDENCE_LEN], cv[48];
	size_t pos;

	set_verdict(r, s, TLSD_OUTCOME_FAILED, TLSD_STEP_CLIENT_HELLO, TLSD_PARTY_SERVER,
		    TLSD_HOW_CLOSE, uf->vn_ts);
	version_str(uf->quic_version, cv, sizeof(cv));
	pos = (size_t)snprintf(ev, sizeof(ev),
			       "client's Initial used QUIC %s; the server's Version Negotiation "
			       "lists",
			       cv);
	for (unsigned i = 0; i < uf->n_vn && pos < sizeof(ev); i++) {
		char v[48];

		version_str(uf->vn_versions[i], v, sizeof(v));
		pos += (size_t)snprintf(ev + pos, sizeof(ev) - pos, "%s %s", i ? "," : "", v);
	}
	tlsd_report_add_diag(r, "quic_version_mismatch", TLSD_CONF_CERTAIN, ev,
			     "The server does not speak the client's QUIC version and offered "
			     "others; enable a common version (QUIC v1) on both sides.");
	return true;
}

/* Q5: a Retry after a Retry, or a Retry the client never followed. */
static bool diag_retry(const struct tlsd_session *s, struct tlsd_report *r, bool answered)
{
	const struct tlsd_udp_facts *uf = &s->udp;
	char ev[TLSD_DIAG_EVIDENCE_LEN];
	bool loop = uf->retries >= 2;

	if (!loop && (answered || uf->retry_token_used))
		return false;
	set_verdict(r, s, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO,
		    loop ? TLSD_PARTY_SERVER : TLSD_PARTY_CLIENT, idle_how(s), uf->retry_ts);
	snprintf(ev, sizeof(ev),
		 "%u Retry packet(s) from the server; %u client Initial(s) after the last one, %s "
		 "its token",
		 uf->retries, uf->initials_after_retry,
		 uf->retry_token_used ? "carrying" : "none carrying");
	tlsd_report_add_diag(r, "quic_retry_failed", loop ? TLSD_CONF_CERTAIN : TLSD_CONF_LIKELY,
			     ev,
			     loop ? "The server answered the client's Initial with Retry again and "
				    "again (address validation loop): its Retry tokens do not "
				    "validate, e.g. behind a load balancer whose nodes do not share "
				    "the token key."
				  : "The client did not follow the server's Retry (it did not send "
				    "the token back): a client or middlebox that drops Retry; check "
				    "the client's QUIC stack.");
	return true;
}

/* Q1: nothing from the server at all. */
static bool diag_no_response(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = &s->udp;
	char ev[TLSD_DIAG_EVIDENCE_LEN];
	tlsd_time_ns first = uf->first_ts[TLSD_DIR_C2S], span = uf->last_ts[TLSD_DIR_C2S] - first;
	tlsd_time_ns waited = s->ended ? s->end_ts - first : span;
	bool client_closed = uf->close.seen && uf->close.dir == TLSD_DIR_C2S;
	size_t pos;

	if (uf->initials[TLSD_DIR_C2S] < 2 && waited < TLSD_UDP_NO_RESPONSE_MIN_WAIT &&
	    !client_closed)
		return false; /* the capture ended too soon to tell */
	set_verdict(r, s, TLSD_OUTCOME_FAILED, TLSD_STEP_SERVER_HELLO,
		    client_closed ? TLSD_PARTY_CLIENT : TLSD_PARTY_UNKNOWN, TLSD_HOW_TIMEOUT,
		    uf->last_ts[TLSD_DIR_C2S]);
	pos = (size_t)snprintf(ev, sizeof(ev),
			       "client sent %u datagram(s) with %u Initial packet(s) over %.3f s, no "
			       "packet from the server",
			       uf->datagrams[TLSD_DIR_C2S], uf->initials[TLSD_DIR_C2S],
			       (double)span / 1e9);
	if (client_closed && pos < sizeof(ev)) {
		char cs[200];

		close_str(&uf->close, cs, sizeof(cs));
		snprintf(ev + pos, sizeof(ev) - pos, "; then the client gave up: %s", cs);
	}
	tlsd_report_add_diag(r, "quic_no_response",
			     uf->initials[TLSD_DIR_C2S] >= 2 ? TLSD_CONF_CERTAIN : TLSD_CONF_LIKELY,
			     ev,
			     "The server never answered the client's QUIC Initials: UDP to port %u "
			     "is dropped on the path (firewall, rate limit) or no QUIC server "
			     "listens there; browsers then fall back to TCP.",
			     s->udp.server_port);
	return true;
}

/* Q4: a transport close during the handshake. */
static void diag_transport_close(const struct tlsd_session *s, struct tlsd_report *r,
				 enum tlsd_step step)
{
	const struct tlsd_quic_close_fact *c = &s->udp.close;
	char ev[TLSD_DIAG_EVIDENCE_LEN];
	const char *name = c->app ? NULL : tlsd_quic_error_name(c->code);

	set_verdict(r, s, TLSD_OUTCOME_FAILED, step, party(c->dir), TLSD_HOW_CLOSE, c->ts);
	close_str(c, ev, sizeof(ev));
	tlsd_report_add_diag(r, "quic_transport_error", TLSD_CONF_CERTAIN, ev,
			     "The %s closed the connection during the handshake with the QUIC "
			     "error %s (0x%" PRIx64 "); its logs say why (transport parameters, "
			     "tokens, limits).",
			     who(c->dir), name ? name : "code", c->code);
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
	const struct tlsd_quic_close_fact *c = &s->udp.close;
	char ev[TLSD_DIAG_EVIDENCE_LEN];

	set_verdict(r, s, TLSD_OUTCOME_FAILED, step_reached(s), TLSD_PARTY_CLIENT, TLSD_HOW_CLOSE,
		    c->ts);
	close_str(c, ev, sizeof(ev));
	tlsd_report_add_diag(r, "client_abandoned", TLSD_CONF_LIKELY, ev,
			     "The client closed the connection without an error before the "
			     "handshake completed (it gave up, or another connection won a race); "
			     "the server did not fail.");
}

/* How an established connection ended. */
static void quic_established(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = &s->udp;

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
	const struct tlsd_udp_facts *uf = &s->udp;
	char ev[TLSD_DIAG_EVIDENCE_LEN];
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
		snprintf(ev, sizeof(ev),
			 "server's Handshake flight %u packet(s), %" PRIu64 " bytes; the client "
			 "answered with %u Handshake packet(s) (%" PRIu64 " bytes) and no 1-RTT "
			 "packet: a CONNECTION_CLOSE unreadable without the key log",
			 uf->handshakes[TLSD_DIR_S2C], uf->hs_bytes[TLSD_DIR_S2C],
			 uf->handshakes[TLSD_DIR_C2S], uf->hs_bytes[TLSD_DIR_C2S]);
		tlsd_report_add_diag(r, "server_certificate_rejected", TLSD_CONF_LIKELY, ev,
				     "The client aborted right after the server's certificate "
				     "flight, most likely rejecting its certificate; check its "
				     "validity, host names and chain against the client's trust "
				     "store (--keylog shows the alert).");
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
		snprintf(ev, sizeof(ev),
			 "client's Handshake flight %u packet(s), %" PRIu64 " bytes (%s); the server "
			 "answered with Handshake packets only and no 1-RTT packet: a "
			 "CONNECTION_CLOSE unreadable without the key log",
			 uf->handshakes[TLSD_DIR_C2S], uf->hs_bytes[TLSD_DIR_C2S],
			 cert ? "a certificate" : "no certificate");
		tlsd_report_add_diag(r, cert ? "client_certificate_rejected"
					     : "client_certificate_required",
				     TLSD_CONF_LIKELY, ev,
				     cert ? "The server rejected the client's certificate; check that "
					    "a CA the server trusts issued it and that it is valid."
					  : "The server most likely requires a client certificate and "
					    "the client sent none; configure the client with one.");
		return true;
	}
	return false;
}

static bool diagnose_quic(const struct tlsd_session *s, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = &s->udp;
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
		char ev[TLSD_DIAG_EVIDENCE_LEN];

		set_verdict(r, s, TLSD_OUTCOME_FAILED, step_reached(s), TLSD_PARTY_SERVER,
			    TLSD_HOW_RESET, uf->reset_ts);
		snprintf(ev, sizeof(ev),
			 "the server's last datagram is no packet of this connection (its "
			 "Destination Connection ID is not the client's): a stateless reset");
		tlsd_report_add_diag(r, "quic_stateless_reset", TLSD_CONF_LIKELY, ev,
				     "The server no longer knew the connection and reset it "
				     "(restarted, or a load balancer sent the packets to another "
				     "node).");
		return true;
	}
	return false;
}

bool tlsd_diagnose_udp(const struct tlsd_session *s, struct tlsd_report *r)
{
	r->transport = s->transport;
	if (s->transport != TLSD_TRANSPORT_QUIC)
		return false;
	fill_quic_fields(s, r);
	return diagnose_quic(s, r);
}
