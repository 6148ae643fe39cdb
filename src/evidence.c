/* What the capture proves about one connection (see evidence.h). */
#include "tlsd/evidence.h"

#include <string.h>

static const struct tlsd_sess_dir *sd_of(const struct tlsd_session *s, enum tlsd_dir d)
{
	return &s->dir[d];
}

static void side(const struct tlsd_session *s, enum tlsd_dir d, struct tlsd_ev_side *out)
{
	const struct tlsd_sess_cover *cv = &s->cover[d];
	const struct tlsd_sess_dir *sd = sd_of(s, d);

	memset(out, 0, sizeof(*out));
	out->gap_in_handshake = sd->gap && sd->gap_in_handshake;
	if (sd->gap)
		out->missing = sd->gap_len;
	if (!cv->known) {
		/* No coverage facts (a session built by hand): nothing says
		 * the direction is missing. */
		out->seen = true;
		return;
	}
	out->known = true;
	out->packets = cv->packets;
	out->seen = cv->packets > 0;
	out->captured = cv->captured;
	out->snap_cut = cv->snap_cut;
	out->acked_known = cv->acked_known;
	out->acked = cv->acked;
	if (cv->acked_known && cv->acked > cv->captured && cv->acked - cv->captured > out->missing)
		out->missing = cv->acked - cv->captured;
}

/* The client went on after the server's certificate: a certificate it
 * rejected would have stopped it there. */
static bool went_on(const struct tlsd_session *s)
{
	const struct tlsd_sess_dir *c = sd_of(s, TLSD_DIR_C2S);

	/* TLS <= 1.2: its Finished, then an alert and no data of its own
	 * (the type of a protected record shows there). NSS sends its
	 * Finished before it has checked the chain and refuses the chain
	 * after: a Finished does not say the client accepted it. */
	if (c->app_records == 0 && c->enc_records > 0 &&
	    c->enc_last[(c->enc_records - 1) % TLSD_SESS_ENC_LAST].type == TLSD_CT_ALERT)
		return false;
	if (s->established)
		return true;
	if (s->has_sh && tlsd_version_is_tls13(s->version))
		return s->state == TLSD_SS_TLS13_POST ||
		       (s->state == TLSD_SS_TLS13_CLIENT_FLIGHT &&
			(s->t13.cli_flight > 1 ||
			 (s->t13.cli_flight == 1 &&
			  !tlsd_session_tls13_alert_sized(s, s->t13.cli_flight_first_len))));
	return s->srv_cert && (s->cke || c->ccs || c->finished || c->app_records > 0);
}

void tlsd_evidence_compute(const struct tlsd_session *s, struct tlsd_evidence *ev)
{
	const struct tlsd_sess_dir *cd = sd_of(s, TLSD_DIR_C2S), *svd = sd_of(s, TLSD_DIR_S2C);
	struct tlsd_ev_side *c, *sv;

	memset(ev, 0, sizeof(*ev));
	side(s, TLSD_DIR_C2S, &ev->side[TLSD_DIR_C2S]);
	side(s, TLSD_DIR_S2C, &ev->side[TLSD_DIR_S2C]);
	c = &ev->side[TLSD_DIR_C2S];
	sv = &ev->side[TLSD_DIR_S2C];
	ev->client_wait = -1;
	ev->reaction = -1;
	ev->client_had_flight = true; /* until its ACKs say otherwise */
	ev->silence = s->silence;

	/* Coverage. */
	ev->midstream = s->midstream && !s->has_ch;
	ev->handshake_gap = c->gap_in_handshake || sv->gap_in_handshake ||
			    cd->framing == TLSD_FRAMING_GAP || svd->framing == TLSD_FRAMING_GAP;
	for (int i = 0; i < 2; i++) {
		if (s->dir[i].framing == TLSD_FRAMING_OVERFLOW) {
			ev->overflow = true;
			ev->overflow_dir = (enum tlsd_dir)i;
		}
	}
	ev->limit_hit = s->limit_hit;
	ev->limit = s->limit;
	if (c->known && sv->known) {
		/* A side with no packet at all, while the other side's packets
		 * say it exists: it sent bytes (ACKs advanced), or the client
		 * went on as if answered. */
		bool server_talked = (sv->acked_known && sv->acked > 0) || cd->ccs || s->cke ||
				     cd->app_records > 0;

		/* Nothing from the server while the client acts as if answered,
		 * or with no TCP handshake either (a sampled packet): the
		 * capture cannot show what the server did. */
		if (!sv->seen && c->seen && (server_talked || (s->has_ch && !s->syn_seen))) {
			ev->one_sided = true;
			ev->absent = TLSD_DIR_S2C;
		} else if (!c->seen && sv->seen) {
			ev->one_sided = true;
			ev->absent = TLSD_DIR_C2S;
		}
	}

	/* Order. */
	ev->server_spoke = svd->records > 0 || svd->framing != TLSD_FRAMING_OK || sv->captured > 0 ||
			   (sv->acked_known && sv->acked > 0);
	if (cd->end_seen) {
		ev->client_ended = true;
		ev->client_end_ts = cd->end_ts;
		if (s->has_ch && cd->end_ts >= s->ch_ts)
			ev->client_wait = cd->end_ts - s->ch_ts;
		ev->client_first = cd->end_peer_captured == 0 && cd->end_peer_records == 0 &&
				   !(cd->end_acked_known && cd->end_acked > 0);
		/* What it had received of the server's bytes sent before. */
		if (cd->end_acked_known && cd->end_acked < cd->end_peer_captured) {
			ev->client_had_flight = false;
			ev->flight_unacked = cd->end_peer_captured - cd->end_acked;
		}
		if (cd->end_peer_last_ts && cd->end_ts >= cd->end_peer_last_ts)
			ev->reaction = cd->end_ts - cd->end_peer_last_ts;
	}
	if (s->has_ch && c->known && c->acked_known) {
		/* Handshake header and one record header per record it spans. */
		uint64_t end = s->ch_off + 4 + s->ch_len +
			       UINT64_C(5) * TLSD_MAX(s->ch_records, (uint16_t)1);

		ev->server_acked_hello = c->acked >= end;
		if (!ev->server_acked_hello && sv->seen) {
			ev->hello_not_received = true;
			ev->hello_acked = c->acked > s->ch_off ? c->acked - s->ch_off : 0;
		}
	}
	ev->client_went_on = went_on(s);
}
