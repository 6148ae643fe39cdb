/* One QUIC connection: packets to handshake messages and transport facts
 * (see quic_conn.h). */
#include "tlsd/quic_conn.h"

#include <stdlib.h>
#include <string.h>

#include "tlsd/keylog.h"
#include "tlsd/rangebuf.h"
#include "tlsd/session.h"
#include "tlsd/tls_handshake.h"
#include "tlsd/udp_facts.h"

#define HS_HDR 4 /* handshake message: type(1) length(3) */

struct crypto_stream {
	struct tlsd_rangebuf rb;
	uint64_t parsed;   /* bytes handed on as whole messages */
	uint16_t packets;  /* packets that carried bytes of the current message */
	bool lost;         /* over the cap: no more messages from it */
};

struct tlsd_quic_conn {
	const struct tlsd_quic_env *env;
	struct tlsd_session *s;
	struct tlsd_udp_facts *uf;
	uint32_t version;             /* of the client's Initials */
	struct tlsd_quic_cid odcid;   /* the client's first DCID (after a Retry: the Retry's SCID) */
	struct tlsd_quic_cid client_scid, server_scid;
	bool have_client_scid, have_server_scid;
	struct tlsd_quic_keys keys[TLSD_QUIC_SPACE__COUNT][2];
	uint32_t key_version[2];      /* version the Initial keys of each side were made for */
	bool keys_tried[TLSD_QUIC_SPACE__COUNT];
	int64_t largest[TLSD_QUIC_SPACE__COUNT][2];
	struct crypto_stream crypto[TLSD_QUIC_SPACE__COUNT][2];
	/* the packet being read, for the frame callbacks */
	enum tlsd_dir cur_dir;
	enum tlsd_quic_space cur_space;
	tlsd_time_ns cur_ts;
};

/* ---- starting ---- */

/* Packets sent towards `to` carry cid: a new path of this connection is
 * found by it. A full table only means such a move goes unnoticed. */
static void register_cid(struct tlsd_udp_table *t, struct tlsd_udp_flow *f, enum tlsd_dir to,
			 const struct tlsd_quic_cid *cid)
{
	if (cid->len && tlsd_udp_flow_add_cid(t, f, to, cid->b, cid->len) != 0)
		return;
}

bool tlsd_quic_starts_connection(const struct tlsd_pkt *pkt)
{
	struct tlsd_cur c;
	struct tlsd_quic_hdr h;

	if (pkt->payload_wire_len < TLSD_QUIC_MIN_INITIAL)
		return false;
	tlsd_cur_init(&c, pkt->payload, pkt->payload_len);
	/* A client's first Initial keeps the fixed bit (it cannot know yet
	 * whether the server allows greasing it) and a DCID of 8+ bytes. */
	/* A long header of a version we do not read, in a datagram that
	 * size, is a client trying that version (it draws Version
	 * Negotiation). */
	return tlsd_quic_parse(&c, 0, &h) == TLSD_PARSE_OK &&
	       (h.type == TLSD_QUIC_PKT_INITIAL || h.type == TLSD_QUIC_PKT_UNKNOWN) &&
	       (h.first & 0x40) && h.dcid.len >= 8;
}

struct tlsd_quic_conn *tlsd_quic_conn_new(const struct tlsd_quic_env *env,
					  struct tlsd_udp_flow *f, const struct tlsd_pkt *pkt)
{
	struct tlsd_quic_conn *qc = calloc(1, sizeof(*qc));
	struct tlsd_cur c;
	struct tlsd_quic_hdr h;

	if (!qc)
		return NULL;
	qc->env = env;
	qc->s = tlsd_udp_session_new(env->ctx, env->cfg, TLSD_TRANSPORT_QUIC, pkt);
	if (!qc->s) {
		free(qc);
		return NULL;
	}
	qc->uf = tlsd_session_udp_facts(qc->s);
	for (int sp = 0; sp < TLSD_QUIC_SPACE__COUNT; sp++) {
		for (int d = 0; d < 2; d++) {
			qc->largest[sp][d] = -1;
			tlsd_rangebuf_init(&qc->crypto[sp][d].rb, env->ctx->lim.max_handshake);
		}
	}
	tlsd_cur_init(&c, pkt->payload, pkt->payload_len);
	if (tlsd_quic_parse(&c, 0, &h) == TLSD_PARSE_OK &&
	    (h.type == TLSD_QUIC_PKT_INITIAL || h.type == TLSD_QUIC_PKT_UNKNOWN)) {
		qc->version = h.version;
		qc->odcid = h.dcid;
		qc->client_scid = h.scid;
		qc->have_client_scid = true;
		qc->uf->quic_version = h.version;
		/* Server-to-client packets carry the client's SCID. */
		register_cid(env->table, f, TLSD_DIR_C2S, &h.scid);
		register_cid(env->table, f, TLSD_DIR_S2C, &h.dcid);
	}
	env->ctx->cnt.quic_connections++;
	return qc;
}

void tlsd_quic_conn_free(struct tlsd_quic_conn *qc)
{
	if (!qc)
		return;
	for (int sp = 0; sp < TLSD_QUIC_SPACE__COUNT; sp++)
		for (int d = 0; d < 2; d++)
			tlsd_rangebuf_cleanup(&qc->crypto[sp][d].rb);
	tlsd_session_free(qc->s);
	memset(qc->keys, 0, sizeof(qc->keys));
	free(qc);
}

/* ---- keys ---- */

/* Initial keys of side d for packets of `version` (a server may answer in
 * another compatible version, RFC 9368). */
static bool initial_keys(struct tlsd_quic_conn *qc, enum tlsd_dir d, uint32_t version)
{
	struct tlsd_quic_keys c, s;

	if (qc->keys[TLSD_QUIC_SPACE_INITIAL][d].aead && qc->key_version[d] == version)
		return true;
	if (tlsd_quic_initial_keys(version, &qc->odcid, &c, &s) != 0)
		return false;
	qc->keys[TLSD_QUIC_SPACE_INITIAL][d] = d == TLSD_DIR_C2S ? c : s;
	qc->key_version[d] = version;
	return true;
}

/* Handshake or 1-RTT keys from the key log, once the hellos are known. */
static void keylog_keys(struct tlsd_quic_conn *qc, enum tlsd_quic_space sp)
{
	static const enum tlsd_keylog_label labels[TLSD_QUIC_SPACE__COUNT][2] = {
		[TLSD_QUIC_SPACE_HANDSHAKE] = {TLSD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
					       TLSD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET},
		[TLSD_QUIC_SPACE_APP] = {TLSD_KEYLOG_CLIENT_TRAFFIC_SECRET_0,
					 TLSD_KEYLOG_SERVER_TRAFFIC_SECRET_0},
	};
	const struct tlsd_keylog *kl = qc->env->cfg->keylog;
	struct tlsd_session_crypto cp;
	uint32_t version = qc->uf->server_version ? qc->uf->server_version : qc->version;

	if (!kl || qc->keys_tried[sp] || !tlsd_session_crypto_params(qc->s, &cp))
		return;
	qc->keys_tried[sp] = true;
	for (int d = 0; d < 2; d++) {
		struct tlsd_secret sec;

		if (tlsd_keylog_get(kl, cp.client_random, labels[sp][d], &sec) &&
		    tlsd_quic_keys_from_secret(version, cp.suite, sec.b, sec.len, &qc->keys[sp][d]) != 0)
			qc->keys[sp][d] = (struct tlsd_quic_keys){0};
	}
	if (sp == TLSD_QUIC_SPACE_HANDSHAKE && qc->keys[sp][0].aead && qc->keys[sp][1].aead)
		qc->uf->hs_keys = true;
}

/* ---- CRYPTO streams -> handshake messages ---- */

static void deliver(struct tlsd_quic_conn *qc, enum tlsd_dir d, enum tlsd_quic_space sp)
{
	struct crypto_stream *cs = &qc->crypto[sp][d];
	uint64_t contig = tlsd_rangebuf_contig(&cs->rb);

	while (!cs->lost && contig - cs->parsed >= HS_HDR) {
		struct tlsd_cur v, body;
		uint8_t type;
		uint32_t len;
		struct tlsd_hs_msg m;

		if (!tlsd_rangebuf_view(&cs->rb, cs->parsed, HS_HDR, &v) || !tlsd_cur_get_u8(&v, &type) ||
		    !tlsd_cur_get_u24(&v, &len))
			return;
		if (len > qc->env->ctx->lim.max_handshake - HS_HDR) {
			cs->lost = true;
			qc->uf->crypto_cap = true;
			tlsd_ctx_count(qc->env->ctx, TLSD_ANOM_CAPTURE_CAP_HANDSHAKE);
			tlsd_session_framing_lost(qc->s, d, TLSD_FRAMING_OVERFLOW, cs->parsed, NULL, 0);
			return;
		}
		if (contig - cs->parsed < HS_HDR + (uint64_t)len ||
		    !tlsd_rangebuf_view(&cs->rb, cs->parsed + HS_HDR, len, &body))
			return;
		m = (struct tlsd_hs_msg){
			.off = cs->parsed,
			.ts = qc->cur_ts,
			.type = type,
			.len = len,
			.body = tlsd_cur_data(&body),
			.record_version = TLSD_VERSION_TLS12,
			.records = cs->packets ? cs->packets : 1,
			.chunks = cs->packets ? cs->packets : 1,
			/* Initial packets are readable by anyone (keys from the
			 * DCID): their messages drive the state machine as
			 * plaintext ones do; the others needed the key log. */
			.decrypted = sp != TLSD_QUIC_SPACE_INITIAL,
		};
		cs->parsed += HS_HDR + (uint64_t)len;
		cs->packets = 0;
		tlsd_session_handshake(qc->s, d, &m);
		if (type == TLSD_HS_SERVER_HELLO && d == TLSD_DIR_S2C && sp == TLSD_QUIC_SPACE_INITIAL) {
			keylog_keys(qc, TLSD_QUIC_SPACE_HANDSHAKE);
			keylog_keys(qc, TLSD_QUIC_SPACE_APP);
		}
	}
}

static void ev_crypto(void *ud, uint64_t off, struct tlsd_cur data)
{
	struct tlsd_quic_conn *qc = ud;
	struct crypto_stream *cs = &qc->crypto[qc->cur_space][qc->cur_dir];
	bool differs = false;
	int r;

	if (cs->lost)
		return;
	r = tlsd_rangebuf_put(&cs->rb, off, tlsd_cur_data(&data), tlsd_cur_len(&data), &differs);
	if (r != 0) {
		cs->lost = true;
		qc->uf->crypto_cap = true;
		tlsd_ctx_count(qc->env->ctx, TLSD_ANOM_CAPTURE_CAP_HANDSHAKE);
		tlsd_session_framing_lost(qc->s, qc->cur_dir, TLSD_FRAMING_OVERFLOW, off, NULL, 0);
		return;
	}
	if (differs)
		tlsd_session_anomaly(qc->s, qc->cur_dir, TLSD_ANOM_TCP_INCONSISTENT_RETRANSMIT, off,
				     "CRYPTO bytes sent again differ");
	if (off + tlsd_cur_len(&data) > cs->parsed && cs->packets < UINT16_MAX)
		cs->packets++;
	deliver(qc, qc->cur_dir, qc->cur_space);
}

static void ev_close(void *ud, const struct tlsd_quic_close *c)
{
	struct tlsd_quic_conn *qc = ud;
	struct tlsd_quic_close_fact *cf = &qc->uf->close;
	struct tlsd_cur reason = c->reason;

	qc->uf->closes++;
	if (cf->seen)
		return;
	*cf = (struct tlsd_quic_close_fact){
		.seen = true,
		.app = c->app,
		.dir = qc->cur_dir,
		.space = (uint8_t)qc->cur_space,
		.code = c->code,
		.frame_type = c->frame_type,
		.ts = qc->cur_ts,
	};
	cf->reason_len = (uint16_t)TLSD_MIN(tlsd_cur_len(&reason), sizeof(cf->reason));
	if (!tlsd_cur_copy(&reason, cf->reason, cf->reason_len))
		cf->reason_len = 0;
	/* A crypto error carries a TLS alert (RFC 9001 4.8). */
	if (!c->app && c->code >= TLSD_QUIC_CRYPTO_ERROR_BASE && c->code <= 0x01ff) {
		uint8_t desc = (uint8_t)(c->code - TLSD_QUIC_CRYPTO_ERROR_BASE);

		if (qc->cur_space == TLSD_QUIC_SPACE_INITIAL)
			tlsd_session_alert(qc->s, qc->cur_dir, 2, desc, 0, qc->cur_ts);
		else
			tlsd_session_alert_decrypted(qc->s, qc->cur_dir, 2, desc, 0, qc->cur_ts);
	}
}

static void ev_handshake_done(void *ud)
{
	struct tlsd_quic_conn *qc = ud;

	if (qc->cur_dir == TLSD_DIR_S2C)
		qc->uf->handshake_done = true;
}

static const struct tlsd_quic_frame_events frame_events = {
	.crypto = ev_crypto,
	.close = ev_close,
	.handshake_done = ev_handshake_done,
};

/* ---- packets ---- */

static enum tlsd_quic_space space_of(enum tlsd_quic_pkt t)
{
	switch (t) {
	case TLSD_QUIC_PKT_INITIAL: return TLSD_QUIC_SPACE_INITIAL;
	case TLSD_QUIC_PKT_HANDSHAKE: return TLSD_QUIC_SPACE_HANDSHAKE;
	case TLSD_QUIC_PKT_0RTT:
	case TLSD_QUIC_PKT_SHORT:
	case TLSD_QUIC_PKT_RETRY:
	case TLSD_QUIC_PKT_VN:
	case TLSD_QUIC_PKT_UNKNOWN:
	default: return TLSD_QUIC_SPACE_APP;
	}
}

/* Decrypts a protected packet and walks its frames. */
static void read_packet(struct tlsd_quic_conn *qc, enum tlsd_dir d, const struct tlsd_quic_hdr *h,
			tlsd_time_ns ts)
{
	enum tlsd_quic_space sp = space_of(h->type);
	const struct tlsd_quic_keys *k = &qc->keys[sp][d];
	struct tlsd_quic_plain pl;
	struct tlsd_cur payload;

	if (h->type == TLSD_QUIC_PKT_0RTT || !k->aead) {
		qc->uf->unreadable[d]++;
		return;
	}
	switch (tlsd_quic_open(qc->env->crypto, k, h, qc->largest[sp][d], &pl)) {
	case TLSD_QUIC_OPEN_OK:
		break;
	case TLSD_QUIC_OPEN_BAD:
		/* Not this connection's keys (or a key update): unreadable. */
		qc->uf->unreadable[d]++;
		return;
	case TLSD_QUIC_OPEN_MALFORMED:
	case TLSD_QUIC_OPEN_INTERNAL:
	default:
		qc->uf->unreadable[d]++;
		return;
	}
	if ((int64_t)pl.pn > qc->largest[sp][d])
		qc->largest[sp][d] = (int64_t)pl.pn;
	qc->cur_dir = d;
	qc->cur_space = sp;
	qc->cur_ts = ts;
	tlsd_cur_init(&payload, pl.payload, pl.len);
	if (tlsd_quic_frames(payload, &frame_events, qc) != TLSD_PARSE_OK)
		tlsd_session_anomaly(qc->s, d, TLSD_ANOM_TLS_BAD_RECORD, 0,
				     "QUIC frame that does not parse");
}

static void read_unknown_version(struct tlsd_quic_conn *qc, const struct tlsd_quic_hdr *h,
				 tlsd_time_ns ts)
{
	/* Version 1's keys (tshark's guess), then draft-29's (what ngtcp2
	 * uses for versions it does not know). */
	static const uint32_t guesses[] = {0, TLSD_QUIC_DRAFT29};
	struct tlsd_cur c = h->pkt;
	struct tlsd_quic_hdr v1;
	struct tlsd_quic_plain pl;

	if (tlsd_quic_parse_as_v1(&c, &v1) != TLSD_PARSE_OK || v1.type != TLSD_QUIC_PKT_INITIAL)
		return;
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(guesses); i++) {
		if (!initial_keys(qc, TLSD_DIR_C2S, guesses[i]))
			continue;
		if (tlsd_quic_open(qc->env->crypto, &qc->keys[TLSD_QUIC_SPACE_INITIAL][TLSD_DIR_C2S],
				   &v1, qc->largest[TLSD_QUIC_SPACE_INITIAL][TLSD_DIR_C2S],
				   &pl) == TLSD_QUIC_OPEN_OK) {
			read_packet(qc, TLSD_DIR_C2S, &v1, ts);
			return;
		}
	}
}

static bool cid_eq(const struct tlsd_quic_cid *a, const struct tlsd_quic_cid *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

static void note_vn(struct tlsd_quic_conn *qc, const struct tlsd_quic_hdr *h, tlsd_time_ns ts)
{
	struct tlsd_udp_facts *uf = qc->uf;
	struct tlsd_cur v = h->versions;
	uint32_t ver;

	if (uf->vn)
		return;
	uf->vn = true;
	uf->vn_ts = ts;
	while (uf->n_vn < TLSD_UDP_MAX_VN && tlsd_cur_get_u32(&v, &ver))
		uf->vn_versions[uf->n_vn++] = ver;
}

static void note_retry(struct tlsd_quic_conn *qc, struct tlsd_udp_flow *f,
		       const struct tlsd_quic_hdr *h, tlsd_time_ns ts)
{
	struct tlsd_udp_facts *uf = qc->uf;

	if (uf->retries < UINT8_MAX)
		uf->retries++;
	uf->retry_ts = ts;
	uf->retry_token_used = false;
	uf->initials_after_retry = 0;
	/* The client's next Initials go to the Retry's SCID, and both sides'
	 * Initial keys come from it (RFC 9001 5.2). */
	qc->odcid = h->scid;
	qc->keys[TLSD_QUIC_SPACE_INITIAL][0] = (struct tlsd_quic_keys){0};
	qc->keys[TLSD_QUIC_SPACE_INITIAL][1] = (struct tlsd_quic_keys){0};
	register_cid(qc->env->table, f, TLSD_DIR_S2C, &h->scid);
}

/* Order facts: what each side sent after the other's Handshake flight. */
static void note_order(struct tlsd_quic_conn *qc, enum tlsd_dir d, enum tlsd_quic_pkt t,
		       size_t len, tlsd_time_ns ts)
{
	struct tlsd_udp_facts *uf = qc->uf;

	if (t == TLSD_QUIC_PKT_HANDSHAKE) {
		if (uf->handshakes[d]++ == 0)
			uf->first_hs_ts[d] = ts;
		uf->hs_bytes[d] += len;
		if (d == TLSD_DIR_S2C) {
			uf->last_srv_hs_ts = ts;
			if (uf->handshakes[TLSD_DIR_C2S])
				uf->srv_hs_after_cli_hs++;
		}
	} else if (t == TLSD_QUIC_PKT_SHORT) {
		if (uf->shorts[d]++ == 0)
			uf->first_short_ts[d] = ts;
		if (d == TLSD_DIR_S2C && uf->handshakes[TLSD_DIR_C2S])
			uf->srv_short_after_cli_hs++;
		if (d == TLSD_DIR_C2S && uf->handshakes[TLSD_DIR_S2C])
			uf->cli_short_after_srv_hs++;
	}
}

/* A client Initial from another connection: another SCID (a new attempt),
 * or another version after Version Negotiation (RFC 9000 6.2: the client
 * starts a new connection, possibly with the same connection IDs). */
static bool other_connection(const struct tlsd_quic_conn *qc, const struct tlsd_quic_hdr *h)
{
	if (!qc->have_client_scid ||
	    (h->type != TLSD_QUIC_PKT_INITIAL && h->type != TLSD_QUIC_PKT_UNKNOWN))
		return false;
	if (qc->uf->vn && h->version != qc->version)
		return true;
	return !cid_eq(&h->scid, &qc->client_scid) && !cid_eq(&h->dcid, &qc->odcid) &&
	       !(qc->have_server_scid && cid_eq(&h->dcid, &qc->server_scid));
}

/* A server datagram that is not a packet of this connection: a short
 * header whose DCID is not the client's (RFC 9000 10.3). */
static bool maybe_reset(const struct tlsd_quic_conn *qc, const struct tlsd_quic_hdr *h)
{
	return h->type == TLSD_QUIC_PKT_SHORT && qc->client_scid.len > 0 &&
	       h->len >= TLSD_QUIC_RESET_MIN && !cid_eq(&h->dcid, &qc->client_scid) &&
	       !qc->keys[TLSD_QUIC_SPACE_APP][TLSD_DIR_S2C].aead;
}

enum tlsd_quic_feed tlsd_quic_conn_datagram(struct tlsd_quic_conn *qc, struct tlsd_udp_flow *f,
					    enum tlsd_dir d, const struct tlsd_pkt *pkt)
{
	struct tlsd_udp_facts *uf = qc->uf;
	struct tlsd_cur dg;
	bool first = true;

	tlsd_cur_init(&dg, pkt->payload, pkt->payload_len);
	while (tlsd_cur_len(&dg)) {
		struct tlsd_quic_hdr h;
		const struct tlsd_quic_cid *dcid = d == TLSD_DIR_C2S
							   ? (qc->have_server_scid ? &qc->server_scid : &qc->odcid)
							   : &qc->client_scid;

		if (tlsd_quic_parse(&dg, dcid->len, &h) != TLSD_PARSE_OK) {
			if (!first) /* padding after coalesced packets, or a cut */
				break;
			tlsd_session_anomaly(qc->s, d, TLSD_ANOM_TLS_BAD_RECORD, 0,
					     "datagram that is not a QUIC packet");
			break;
		}
		if (first && d == TLSD_DIR_C2S && other_connection(qc, &h))
			return TLSD_QUIC_FEED_NEW_CONNECTION;
		if (first) {
			tlsd_udp_facts_datagram(uf, d, pkt);
			if (d == TLSD_DIR_S2C) {
				bool reset = maybe_reset(qc, &h);

				uf->stateless_reset = reset;
				if (reset)
					uf->reset_ts = pkt->ts;
			}
		}
		first = false;
		switch (h.type) {
		case TLSD_QUIC_PKT_VN:
			if (d == TLSD_DIR_S2C)
				note_vn(qc, &h, pkt->ts);
			break;
		case TLSD_QUIC_PKT_RETRY:
			if (d == TLSD_DIR_S2C)
				note_retry(qc, f, &h, pkt->ts);
			break;
		case TLSD_QUIC_PKT_INITIAL:
			uf->initials[d]++;
			if (d == TLSD_DIR_C2S && uf->retries) {
				uf->initials_after_retry++;
				if (tlsd_cur_len(&h.token))
					uf->retry_token_used = true;
			}
			if (d == TLSD_DIR_S2C && !qc->have_server_scid) {
				qc->server_scid = h.scid;
				qc->have_server_scid = true;
				uf->server_version = h.version;
				register_cid(qc->env->table, f, TLSD_DIR_S2C, &h.scid);
			}
			if (initial_keys(qc, d, h.version))
				read_packet(qc, d, &h, pkt->ts);
			else
				uf->unreadable[d]++;
			break;
		case TLSD_QUIC_PKT_HANDSHAKE:
		case TLSD_QUIC_PKT_SHORT:
		case TLSD_QUIC_PKT_0RTT:
			if (h.type == TLSD_QUIC_PKT_0RTT)
				uf->zero_rtt++;
			note_order(qc, d, h.type, h.len, pkt->ts);
			if (!(d == TLSD_DIR_S2C && uf->stateless_reset))
				read_packet(qc, d, &h, pkt->ts);
			break;
		case TLSD_QUIC_PKT_UNKNOWN:
			/* A client trying a version we do not read often builds
			 * its Initial like version 1's (to draw Version
			 * Negotiation): read its ClientHello if it is one. */
			if (d == TLSD_DIR_C2S)
				read_unknown_version(qc, &h, pkt->ts);
			break;
		default:
			break;
		}
	}
	return TLSD_QUIC_FEED_OK;
}

void tlsd_quic_conn_icmp(struct tlsd_quic_conn *qc, const struct tlsd_udp_flow *f,
			 enum tlsd_dir d, const struct tlsd_pkt *pkt)
{
	tlsd_udp_facts_icmp(qc->uf, f, d, pkt);
}

void tlsd_quic_conn_report(struct tlsd_quic_conn *qc, const struct tlsd_udp_flow *f,
			   enum tlsd_udp_end how, struct tlsd_report *r)
{
	tlsd_udp_session_report(qc->s, f, how, false, r);
}
