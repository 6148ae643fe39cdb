/* Per-connection glue: flow table events -> TLS framer -> session. */
#include "tlsd/conn.h"

#include <stdlib.h>
#include <string.h>

#include "tlsd/buf.h"
#include "tlsd/capture_notes.h"
#include "tlsd/keylog.h"
#include "tlsd/pool.h"
#include "tlsd/session.h"
#include "tlsd/session_facts.h" /* tlsd_session_init: sessions in the mux's free list */
#include "tlsd/tls_decrypt.h"
#include "tlsd/tls_record.h"

/* Until the first bytes say whether a connection is TLS, each side's first
 * bytes are kept here (the evidence for server_not_tls / client_not_tls). */
enum conn_kind {
	CONN_UNDECIDED = 0,
	CONN_PLAINTEXT, /* both sides spoke plain text: watch for STARTTLS */
	CONN_TLS,
	CONN_NOT_TLS,
};

/* How much plain text a connection may carry before a STARTTLS upgrade
 * (SMTP, IMAP, POP3, LDAP, XMPP, FTP, PostgreSQL, MySQL all negotiate in a
 * few hundred bytes) until it is no longer watched. */
#define STARTTLS_WATCH_BYTES 16384u
#define STARTTLS_WATCH_CHUNKS 64u

struct conn_probe {
	uint8_t bytes[TLSD_SAMPLE_LEN];
	uint8_t len;
	uint64_t total; /* bytes this side sent while undecided (kept or not) */
	enum tlsd_parse verdict; /* of tlsd_tls_looks_like_record on bytes */
	bool seen;
};

/* TCP endings seen while undecided, replayed if the connection turns out to
 * be TLS at its close. */
struct conn_pending_end {
	tlsd_time_ns fin_ts[2];
	bool fin[2], rst[2];
	struct tlsd_rst_info rst_info[2];
};

/* What every callback reads first leads (the flow table prefetches a
 * consumer's first cache line when a packet finds its flow). */
struct tlsd_conn {
	enum conn_kind kind;
	struct tlsd_session *session;
	struct tlsd_conn_mux *mux; /* whose free lists it goes back to */
	bool roles_flipped;
	uint32_t plain_bytes, plain_chunks; /* while CONN_PLAINTEXT */
	struct conn_pending_end pending;
	struct conn_probe probe[2];
	struct tlsd_tls_dir tls[2];
	struct tlsd_decrypt *dc[2]; /* key-log decryption per direction; NULL = off */
	struct tlsd_buf frames; /* -w */
	struct tlsd_conn_notes notes; /* pcapng: interface, packet comments */
	uint64_t first_frame; /* of its first packet: its place among reports */
	struct tlsd_conn_done done; /* handed to the sink when it ends */
};

/* Freed connections, sessions and reports kept for the next ones (pool.h):
 * a connection's three large objects cost three malloc/free pairs and three
 * cold 1-5 KiB clears, which the connections of a busy capture (a million
 * short failed handshakes) paid more for than for parsing their hellos.
 * LIFO, so the session or report taken next is the one released last,
 * still in the cache. Sessions and reports have pools of their own: a
 * session is what every open connection holds, so it is allocated at its
 * own size, not at the larger report's. Each pool keeps what it ever held
 * at once (the connections open at the peak, bounded by --max-flows, and
 * the reports of the worker batches in flight, workers.h). */

struct tlsd_conn_mux {
	struct tlsd_ctx *ctx;
	struct tlsd_conn_cfg cfg;
	struct tlsd_flow_table *table;
	struct tlsd_ifnames ifnames;
	struct tlsd_pool conns, sessions, reports;
	/* Connections handed to the sink and not released yet: they come back
	 * to the free lists, so a mux freed before them (workers.c releases
	 * after the mux at exit) goes only when the last one is released. */
	uint64_t outstanding;
	bool dead;
};

static void mux_destroy(struct tlsd_conn_mux *m);

/* Ports registered for TLS-wrapped services (IANA), plus 4433 (OpenSSL's
 * s_server default) and the usual HTTPS alternatives. */
static const uint16_t tls_ports[] = {
	443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995,
	3269, 4433, 5061, 5223, 5986, 6443, 8443, 9443,
};

static bool tls_port(const struct tlsd_flow *f)
{
	for (size_t i = 0; i < TLSD_ARRAY_SIZE(tls_ports); i++)
		if (f->port[TLSD_DIR_S2C] == tls_ports[i])
			return true;
	return false;
}

/* The framer's callbacks forward to the session; ud is the flow. */
struct feed_ctx {
	struct tlsd_conn_mux *mux;
	struct tlsd_flow *flow;
	struct tlsd_conn *conn;
};

static void ev_record(void *ud, enum tlsd_dir d, const struct tlsd_record_info *ri)
{
	struct feed_ctx *fc = ud;

	if (tlsd_session_ccs_switched_keys(fc->conn->session, d, ri))
		tlsd_tls_dir_protect_current(&fc->conn->tls[d]); /* ri is the framer's: updated */
	tlsd_session_record(fc->conn->session, d, ri);
}

/* ---- key-log decryption --------------------------------------------- */

/* The key log, or NULL while it holds nothing (main always passes one:
 * pcapng files may bring their secrets along). */
static const struct tlsd_keylog *keylog_of(const struct feed_ctx *fc)
{
	return tlsd_keylog_empty(fc->mux->cfg.keylog) ? NULL : fc->mux->cfg.keylog;
}

/* Installs a TLS 1.3 traffic secret for direction d. Without it (a partial
 * key log, a suite not decrypted) that direction is left unread from here:
 * the records still say what they say by their sizes. */
static void install_tls13(struct feed_ctx *fc, enum tlsd_dir d, enum tlsd_keylog_label label,
			  const struct tlsd_session_crypto *cp)
{
	struct tlsd_secret sec;
	struct tlsd_decrypt *dc = fc->conn->dc[d];

	if (!dc)
		return;
	if (!tlsd_keylog_get(keylog_of(fc), cp->client_random, label, &sec) ||
	    tlsd_decrypt_set_tls13(dc, cp->suite, sec.b, sec.len) != 0)
		tlsd_decrypt_reset(dc);
}

/* After the ServerHello: TLS 1.3 records are protected with the handshake
 * secrets from the next record on. */
static void keys_after_server_hello(struct feed_ctx *fc)
{
	struct tlsd_session_crypto cp;

	if (!keylog_of(fc) || !tlsd_session_crypto_params(fc->conn->session, &cp) ||
	    cp.version != TLSD_VERSION_TLS13 || !tlsd_decrypt_supported(cp.version, cp.suite))
		return;
	install_tls13(fc, TLSD_DIR_C2S, TLSD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, &cp);
	install_tls13(fc, TLSD_DIR_S2C, TLSD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, &cp);
}

/* A direction's ChangeCipherSpec (TLS <= 1.2): its later records use the
 * key block from the master secret. */
static void keys_after_ccs(struct feed_ctx *fc, enum tlsd_dir d)
{
	struct tlsd_session_crypto cp;
	struct tlsd_secret ms;
	struct tlsd_tls12_keys k = {0};

	if (!keylog_of(fc) || !fc->conn->dc[d] ||
	    !tlsd_session_crypto_params(fc->conn->session, &cp) ||
	    cp.version == TLSD_VERSION_TLS13 || !tlsd_decrypt_supported(cp.version, cp.suite) ||
	    !tlsd_keylog_get(keylog_of(fc), cp.client_random, TLSD_KEYLOG_CLIENT_RANDOM, &ms) ||
	    ms.len != TLSD_KEYLOG_MASTER_LEN)
		return;
	k.version = cp.version;
	k.suite = cp.suite;
	k.master_secret = ms.b;
	k.client_random = cp.client_random;
	k.server_random = cp.server_random;
	k.encrypt_then_mac = cp.encrypt_then_mac;
	/* Keys it cannot set (an unsupported corner) just leave it unread. */
	if (tlsd_decrypt_set_tls12(fc->conn->dc[d], d, &k) != 0)
		return;
}

static bool ev_want_body(void *ud, enum tlsd_dir d, const struct tlsd_record_info *ri)
{
	struct feed_ctx *fc = ud;

	(void)ri;
	return fc->conn->dc[d] && tlsd_decrypt_has_keys(fc->conn->dc[d]);
}

static const struct tlsd_tls_events tls_events;

static void ev_encrypted_body(void *ud, enum tlsd_dir d, const struct tlsd_record_info *ri,
			      const uint8_t *body, size_t len)
{
	struct feed_ctx *fc = ud;
	struct tlsd_plaintext pt;

	if (!body) {
		tlsd_decrypt_skip(fc->conn->dc[d]); /* lost to a gap: keep the count */
		return;
	}
	switch (tlsd_decrypt_record(fc->conn->dc[d], ri->type, ri->version, body, len, &pt)) {
	case TLSD_DECRYPT_OK:
		tlsd_tls_dir_feed_inner(&fc->conn->tls[d], d, &tls_events, fc, pt.type, pt.p, pt.len,
					ri);
		break;
	case TLSD_DECRYPT_BAD_MAC:
		/* Wrong keys for this record, or altered bytes: a finding. */
		tlsd_session_anomaly(fc->conn->session, d, TLSD_ANOM_TLS_BAD_RECORD, ri->off,
				     "record does not decrypt with the key log's keys");
		break;
	case TLSD_DECRYPT_UNSUPPORTED:
	case TLSD_DECRYPT_MALFORMED:
	case TLSD_DECRYPT_INTERNAL:
	default:
		break;
	}
}

static void ev_alert_decrypted(void *ud, enum tlsd_dir d, uint8_t level, uint8_t desc,
			       uint64_t off, tlsd_time_ns ts)
{
	struct feed_ctx *fc = ud;

	tlsd_session_alert_decrypted(fc->conn->session, d, level, desc, off, ts);
}

static void ev_handshake(void *ud, enum tlsd_dir d, const struct tlsd_hs_msg *m)
{
	struct feed_ctx *fc = ud;
	struct tlsd_session_crypto cp;

	tlsd_session_handshake(fc->conn->session, d, m);
	if (!fc->conn->dc[d] && !fc->conn->dc[tlsd_dir_other(d)])
		return;
	if (!m->decrypted && m->type == TLSD_HS_SERVER_HELLO && d == TLSD_DIR_S2C) {
		keys_after_server_hello(fc);
	} else if (m->decrypted && tlsd_session_crypto_params(fc->conn->session, &cp) &&
		   cp.version == TLSD_VERSION_TLS13) {
		/* TLS 1.3: after a side's Finished its records use the
		 * application secret; KeyUpdate moves it on. */
		if (m->type == TLSD_HS_FINISHED)
			install_tls13(fc, d,
				      d == TLSD_DIR_C2S ? TLSD_KEYLOG_CLIENT_TRAFFIC_SECRET_0
							: TLSD_KEYLOG_SERVER_TRAFFIC_SECRET_0,
				      &cp);
		else if (m->type == TLSD_HS_KEY_UPDATE && fc->conn->dc[d] &&
			 tlsd_decrypt_key_update(fc->conn->dc[d]) != 0)
			return; /* unreadable from here on: the records say the rest */
	}
}

static void ev_alert(void *ud, enum tlsd_dir d, uint8_t level, uint8_t desc, uint64_t off,
		     tlsd_time_ns ts)
{
	struct feed_ctx *fc = ud;

	tlsd_session_alert(fc->conn->session, d, level, desc, off, ts);
}

static void ev_ccs(void *ud, enum tlsd_dir d, uint64_t off, tlsd_time_ns ts)
{
	struct feed_ctx *fc = ud;

	if (tlsd_session_ccs(fc->conn->session, d, off, ts)) {
		tlsd_tls_dir_set_encrypted(&fc->conn->tls[d], true);
		keys_after_ccs(fc, d);
	}
}

static void ev_heartbeat(void *ud, enum tlsd_dir d, uint64_t off, uint16_t len)
{
	struct feed_ctx *fc = ud;

	tlsd_session_heartbeat(fc->conn->session, d, off, len);
}

static void ev_anomaly(void *ud, enum tlsd_dir d, enum tlsd_anomaly a, uint64_t off,
		       const char *what)
{
	struct feed_ctx *fc = ud;

	tlsd_ctx_count(fc->mux->ctx, a);
	tlsd_session_anomaly(fc->conn->session, d, a, off, what);
}

static void ev_framing_lost(void *ud, enum tlsd_dir d, enum tlsd_framing why, uint64_t off,
			    const uint8_t *sample, size_t sample_len)
{
	struct feed_ctx *fc = ud;

	if (why == TLSD_FRAMING_NOT_TLS)
		tlsd_ctx_count(fc->mux->ctx, TLSD_ANOM_TLS_NOT_TLS);
	else if (why == TLSD_FRAMING_DESYNC)
		tlsd_ctx_count(fc->mux->ctx, TLSD_ANOM_TLS_BAD_RECORD);
	tlsd_session_framing_lost(fc->conn->session, d, why, off, sample, sample_len);
}

static const struct tlsd_tls_events tls_events = {
	.want_body = ev_want_body,
	.encrypted_body = ev_encrypted_body,
	.alert_decrypted = ev_alert_decrypted,
	.record = ev_record,
	.handshake = ev_handshake,
	.alert = ev_alert,
	.ccs = ev_ccs,
	.heartbeat = ev_heartbeat,
	.anomaly = ev_anomaly,
	.framing_lost = ev_framing_lost,
};

static void conn_free(struct tlsd_conn *c)
{
	struct tlsd_conn_mux *m;

	if (!c)
		return;
	m = c->mux;
	if (c->session) {
		tlsd_session_cleanup(c->session);
		tlsd_pool_put(&m->sessions, c->session);
	}
	tlsd_decrypt_free(c->dc[0]);
	tlsd_decrypt_free(c->dc[1]);
	tlsd_tls_dir_cleanup(&c->tls[0]);
	tlsd_tls_dir_cleanup(&c->tls[1]);
	tlsd_buf_cleanup(&c->frames);
	tlsd_notes_cleanup(&c->notes);
	tlsd_pool_put(&m->conns, c);
}

/* Feeds bytes of one direction to its framer. Returns how many bytes after
 * them belong to an encrypted record body (see tlsd_tls_dir_feed). */
static uint64_t feed_framer(struct tlsd_conn_mux *m, struct tlsd_flow *f, struct tlsd_conn *c,
			    enum tlsd_dir d, const uint8_t *p, size_t len, tlsd_time_ns ts)
{
	struct feed_ctx fc = {.mux = m, .flow = f, .conn = c};

	/* After framing is lost only the stream's first bytes still matter
	 * (the framer keeps them as evidence), and it returns at once. */
	if (c->tls[d].framing != TLSD_FRAMING_OK && c->tls[d].off >= TLSD_SAMPLE_LEN)
		return 0;
	return tlsd_tls_dir_feed(&c->tls[d], d, &tls_events, &fc, p, len, ts);
}

/* Feeds in-order bytes and asks the reassembler to skip the rest of an
 * encrypted record body beyond them, so it is never copied. */
static void feed(struct tlsd_conn_mux *m, struct tlsd_flow *f, struct tlsd_conn *c,
		 enum tlsd_dir d, const uint8_t *p, size_t len, tlsd_time_ns ts)
{
	uint64_t skip = feed_framer(m, f, c, d, p, len, ts);

	if (skip)
		tlsd_flow_skip(m->table, f, d, skip);
}

static bool port_followed(const struct tlsd_conn_mux *m, const struct tlsd_flow *f)
{
	if (!m->cfg.ports)
		return true;
	for (size_t i = 0; i < m->cfg.n_ports; i++)
		if (f->port[0] == m->cfg.ports[i] || f->port[1] == m->cfg.ports[i])
			return true;
	return false;
}

static void on_open(void *ud, struct tlsd_flow *f, const struct tlsd_pkt *pkt)
{
	struct tlsd_conn_mux *m = ud;
	struct tlsd_conn *c;

	if (!port_followed(m, f)) {
		tlsd_flow_ignore(m->table, f);
		return;
	}
	c = tlsd_pool_get(&m->conns);
	if (!c) {
		tlsd_flow_ignore(m->table, f);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->mux = m;
	if (m->cfg.keep_frames)
		tlsd_buf_init(&c->frames, m->ctx->lim.snap_flow);
	tlsd_notes_open(&m->ifnames, &c->notes, pkt);
	c->first_frame = pkt->frame_no;
	f->user = c;
}

static void keep_frame(struct tlsd_conn_mux *m, struct tlsd_conn *c, const struct tlsd_pkt *pkt)
{
	uint8_t hdr[TLSD_CONN_FRAME_HDR];
	const struct tlsd_frame *fr = pkt->frame;
	uint64_t ts;

	if (!m->cfg.keep_frames || !fr || !fr->data)
		return;
	if (c->frames.len + TLSD_CONN_FRAME_HDR + fr->caplen > c->frames.cap)
		return; /* --snap-flow reached: keep the handshake's first packets */
	ts = (uint64_t)(fr->restamped ? fr->recorded_ts : fr->ts);
	memcpy(hdr, &ts, 8);
	memcpy(hdr + 8, &fr->caplen, 4);
	memcpy(hdr + 12, &fr->wirelen, 4);
	memcpy(hdr + 16, &fr->dlt, 4);
	if (tlsd_buf_append(&c->frames, hdr, sizeof(hdr)) == 0 &&
	    tlsd_buf_append(&c->frames, fr->data, fr->caplen) != 0)
		c->frames.len -= sizeof(hdr);
}

/* What on_packet() does for a packet with a comment, a FIN or RST, or when
 * frames are kept: out of line, so that the other packets pay for no
 * register saves. */
__attribute__((noinline)) static void packet_notes(struct tlsd_conn_mux *m, struct tlsd_conn *c,
						   const struct tlsd_pkt *pkt)
{
	tlsd_notes_packet(&c->notes, pkt);
	/* The connection ends soon, maybe with this packet: its session is
	 * read all over (fin, rst, the report). */
	if ((pkt->tcp_flags & (TLSD_TCP_FIN | TLSD_TCP_RST)) && c->kind == CONN_TLS)
		tlsd_session_prefetch(c->session);
	if (m->cfg.keep_frames && c->kind != CONN_NOT_TLS)
		keep_frame(m, c, pkt);
}

static void on_packet(void *ud, struct tlsd_flow *f, enum tlsd_dir d, const struct tlsd_pkt *pkt)
{
	struct tlsd_conn_mux *m = ud;
	struct tlsd_conn *c = f->user;

	(void)d;
	/* The connection itself is not touched otherwise: a cache miss per
	 * packet. */
	if (c && ((pkt->tcp_flags & (TLSD_TCP_FIN | TLSD_TCP_RST)) ||
		  (pkt->frame && pkt->frame->comment) || m->cfg.keep_frames))
		packet_notes(m, c, pkt);
}

/* Is this chunk the start of a ClientHello (TLS record or SSLv2 form)? */
static bool looks_like_client_hello(const uint8_t *p, size_t len)
{
	if (len >= 6 && p[0] == TLSD_CT_HANDSHAKE && p[1] == 3 && p[5] == TLSD_HS_CLIENT_HELLO)
		return true;
	/* SSLv2: 2-byte length with the high bit set, then msg type 1. */
	return len >= 3 && (p[0] & 0x80) && p[2] == 1;
}

/* Is this chunk the start of a ServerHello record? */
static bool looks_like_server_hello(const uint8_t *p, size_t len)
{
	return len >= 6 && p[0] == TLSD_CT_HANDSHAKE && p[1] == 3 && p[5] == TLSD_HS_SERVER_HELLO;
}

static void start_tls(struct tlsd_conn_mux *m, struct tlsd_flow *f, struct tlsd_conn *c)
{
	c->session = tlsd_pool_get(&m->sessions);
	if (c->session)
		tlsd_session_init(c->session, m->ctx);
	if (!c->session) {
		c->kind = CONN_NOT_TLS;
		tlsd_flow_ignore(m->table, f);
		return;
	}
	tlsd_session_set_cert_checks(c->session, m->cfg.certs);
	c->kind = CONN_TLS;
	m->ctx->cnt.flows_tls++;
	tlsd_tls_dir_init(&c->tls[0], m->ctx->lim.max_handshake);
	tlsd_tls_dir_init(&c->tls[1], m->ctx->lim.max_handshake);
	if (f->roles_guessed) {
		tlsd_tls_dir_set_midstream(&c->tls[0]);
		tlsd_tls_dir_set_midstream(&c->tls[1]);
	}
	if (!tlsd_keylog_empty(m->cfg.keylog)) {
		/* Decryption states only where a key log has secrets; a failed
		 * allocation just means this connection is not decrypted. */
		c->dc[0] = tlsd_decrypt_new();
		c->dc[1] = tlsd_decrypt_new();
	}
	if (m->cfg.no_fingerprints)
		tlsd_session_skip_fingerprints(c->session);
	tlsd_session_tcp_open(c->session, f);
	if (c->roles_flipped)
		tlsd_session_roles_flipped(c->session);
}

static void give_up(struct tlsd_conn_mux *m, struct tlsd_flow *f, struct tlsd_conn *c)
{
	c->kind = CONN_NOT_TLS;
	m->ctx->cnt.flows_ignored++;
	tlsd_buf_cleanup(&c->frames);
	tlsd_flow_ignore(m->table, f);
}

/* Content-based TLS detection. A connection is followed when the client's
 * first bytes are a TLS record, or when the client's bytes are not TLS but
 * the server answers with a TLS record (a TLS server receiving plain text:
 * client_not_tls). The server's non-TLS first bytes are kept as evidence
 * for server_not_tls. *d is updated when the roles turn out swapped;
 * *consumed tells how many bytes of this chunk went into the probe. */
static bool classify(struct tlsd_conn_mux *m, struct tlsd_flow *f, struct tlsd_conn *c,
		     enum tlsd_dir *d, const uint8_t *p, size_t len, size_t *consumed)
{
	struct conn_probe *pr = &c->probe[*d];
	const struct conn_probe *cl, *sv;

	*consumed = 0;
	pr->total += len;
	/* The probe keeps filling up to its size even once decided: it is the
	 * evidence shown for a side that does not speak TLS, and must not
	 * depend on how the first bytes were cut into segments. */
	if (pr->len < sizeof(pr->bytes)) {
		size_t n = TLSD_MIN(sizeof(pr->bytes) - pr->len, len);

		memcpy(pr->bytes + pr->len, p, n);
		pr->len = (uint8_t)(pr->len + n);
		pr->seen = true;
		*consumed = n;
		pr->verdict = f->roles_guessed
				      ? tlsd_tls_looks_like_midstream_record(pr->bytes, pr->len)
				      : tlsd_tls_looks_like_record(pr->bytes, pr->len);
		if (pr->verdict == TLSD_PARSE_NEED_MORE && pr->len == sizeof(pr->bytes))
			pr->verdict = TLSD_PARSE_MALFORMED;
	}
	/* Capture began after the SYN: the side that sends a ClientHello first
	 * is the client, the side that sends a ServerHello first the server
	 * (content decides roles before ports). */
	if (f->roles_guessed && !c->probe[tlsd_dir_other(*d)].seen &&
	    ((*d == TLSD_DIR_S2C && looks_like_client_hello(pr->bytes, pr->len)) ||
	     (*d == TLSD_DIR_C2S && looks_like_server_hello(pr->bytes, pr->len)))) {
		struct conn_probe tmp = c->probe[0];

		tlsd_flow_swap_roles(m->table, f);
		c->roles_flipped = true;
		c->probe[0] = c->probe[1];
		c->probe[1] = tmp;
		*d = tlsd_dir_other(*d);
	}
	cl = &c->probe[TLSD_DIR_C2S];
	sv = &c->probe[TLSD_DIR_S2C];
	if (cl->seen && cl->verdict == TLSD_PARSE_OK)
		return true;
	/* A server that speaks TLS first: a capture picked up after the
	 * ClientHello, or a server answering something not yet seen. Decide
	 * now, or its records would be lost while waiting for the client. */
	if (!cl->seen && sv->seen && sv->verdict == TLSD_PARSE_OK)
		return true;
	if (cl->seen && cl->verdict == TLSD_PARSE_MALFORMED) {
		if (sv->seen && sv->verdict == TLSD_PARSE_OK)
			return true; /* a TLS server answering plain text */
		if (sv->seen && sv->verdict == TLSD_PARSE_MALFORMED)
			c->kind = CONN_PLAINTEXT; /* neither speaks TLS yet: STARTTLS? */
	}
	return false;
}

/* Replays what each side sent while undecided into the new framers. The
 * current chunk (direction d) is fed whole by the caller: here only its
 * earlier bytes. The other side's probe may hold only the first bytes it
 * sent: the rest were delivered and dropped, so they become a skip (inside
 * an encrypted body) or a gap for its framer. */
static void replay_probes(struct tlsd_conn_mux *m, struct tlsd_flow *f, struct tlsd_conn *c,
			  enum tlsd_dir d, size_t consumed, tlsd_time_ns ts)
{
	/* Client first: the session wants the ClientHello before the answer. */
	for (int i = 0; i < 2; i++) {
		struct conn_probe *pr = &c->probe[i];
		struct feed_ctx fc = {.mux = m, .flow = f, .conn = c};
		uint64_t skip, lost;

		if (!pr->seen)
			continue;
		if ((enum tlsd_dir)i == d) {
			size_t earlier = pr->len > consumed ? pr->len - consumed : 0;

			if (earlier)
				feed(m, f, c, d, pr->bytes, earlier, ts);
			continue;
		}
		skip = feed_framer(m, f, c, (enum tlsd_dir)i, pr->bytes, pr->len, ts);
		lost = pr->total - pr->len;
		if (lost < skip)
			tlsd_flow_skip(m->table, f, (enum tlsd_dir)i, skip - lost);
		else if (lost > skip && c->tls[i].framing == TLSD_FRAMING_OK)
			tlsd_tls_dir_gap(&c->tls[i], (enum tlsd_dir)i, &tls_events, &fc, lost - skip);
	}
}

static void on_data(void *ud, struct tlsd_flow *f, enum tlsd_dir d, uint64_t off,
		    const uint8_t *p, size_t len, tlsd_time_ns ts)
{
	struct tlsd_conn_mux *m = ud;
	struct tlsd_conn *c = f->user;

	(void)off;
	if (!c || c->kind == CONN_NOT_TLS)
		return;
	if (c->kind == CONN_PLAINTEXT) {
		/* A ClientHello at the start of a client write after a plain-text
		 * exchange: the connection was upgraded (STARTTLS). TLS starts
		 * here; what came before is not TLS and is not replayed. */
		if (d == TLSD_DIR_C2S && looks_like_client_hello(p, len)) {
			memset(c->probe, 0, sizeof(c->probe));
			start_tls(m, f, c);
			if (c->kind == CONN_TLS)
				feed(m, f, c, d, p, len, ts);
			return;
		}
		c->plain_bytes += (uint32_t)TLSD_MIN(len, (size_t)STARTTLS_WATCH_BYTES);
		if (++c->plain_chunks > STARTTLS_WATCH_CHUNKS || c->plain_bytes > STARTTLS_WATCH_BYTES)
			give_up(m, f, c);
		return;
	}
	if (c->kind == CONN_UNDECIDED) {
		size_t consumed;

		if (!classify(m, f, c, &d, p, len, &consumed))
			return;
		start_tls(m, f, c);
		if (c->kind != CONN_TLS)
			return;
		replay_probes(m, f, c, d, consumed, ts);
	}
	feed(m, f, c, d, p, len, ts);
}

static void on_gap(void *ud, struct tlsd_flow *f, enum tlsd_dir d, uint64_t off, uint64_t len)
{
	struct tlsd_conn_mux *m = ud;
	struct tlsd_conn *c = f->user;
	struct feed_ctx fc = {.mux = m, .flow = f, .conn = c};

	if (!c || c->kind != CONN_TLS)
		return;
	tlsd_session_tcp_gap(c->session, d, off, len);
	if (c->tls[d].framing == TLSD_FRAMING_OK)
		tlsd_tls_dir_gap(&c->tls[d], d, &tls_events, &fc, len);
}

static void on_fin(void *ud, struct tlsd_flow *f, enum tlsd_dir d, tlsd_time_ns ts)
{
	struct tlsd_conn *c = f->user;

	(void)ud;
	if (c && c->kind == CONN_TLS) {
		tlsd_session_tcp_fin(c->session, f, d, ts);
	} else if (c && c->kind == CONN_UNDECIDED && !c->pending.fin[d]) {
		c->pending.fin[d] = true;
		c->pending.fin_ts[d] = ts;
	}
}

static void on_rst(void *ud, struct tlsd_flow *f, enum tlsd_dir d, const struct tlsd_rst_info *ri)
{
	struct tlsd_conn *c = f->user;

	(void)ud;
	if (c && c->kind == CONN_TLS) {
		tlsd_session_tcp_rst(c->session, f, d, ri);
	} else if (c && c->kind == CONN_UNDECIDED && !c->pending.rst[d]) {
		c->pending.rst[d] = true;
		c->pending.rst_info[d] = *ri;
	}
}

/* The client sent something that is not TLS and the server closed without
 * a word. Only for a server known to speak TLS is that client_not_tls: a
 * port registered for TLS, or a server seen speaking TLS before, which the
 * sink decides in report order (if_known_server). */
static bool silent_server(const struct tlsd_conn *c)
{
	return !c->probe[TLSD_DIR_S2C].seen && c->probe[TLSD_DIR_C2S].seen &&
	       c->probe[TLSD_DIR_C2S].verdict == TLSD_PARSE_MALFORMED;
}

static void adopt_silent_tls_server(struct tlsd_conn_mux *m, struct tlsd_flow *f,
				    struct tlsd_conn *c)
{
	const struct conn_pending_end *pe = &c->pending;
	tlsd_time_ns order[2];

	start_tls(m, f, c);
	if (c->kind != CONN_TLS)
		return;
	replay_probes(m, f, c, TLSD_DIR_S2C, 0, f->side[TLSD_DIR_C2S].first_ts);
	/* Replay the endings in the order they happened. */
	for (int i = 0; i < 2; i++)
		order[i] = pe->rst[i] ? pe->rst_info[i].ts : pe->fin[i] ? pe->fin_ts[i] : INT64_MAX;
	for (int k = 0; k < 2; k++) {
		int i = (order[0] <= order[1]) ? k : 1 - k;

		if (pe->rst[i])
			tlsd_session_tcp_rst(c->session, f, (enum tlsd_dir)i, &pe->rst_info[i]);
		else if (pe->fin[i])
			tlsd_session_tcp_fin(c->session, f, (enum tlsd_dir)i, pe->fin_ts[i]);
	}
}

static void release_done(struct tlsd_conn_done *d)
{
	struct tlsd_conn *c = d->owner;
	struct tlsd_conn_mux *m = c->mux;

	tlsd_pool_put(&m->reports, d->r);
	free(d->if_known_server);
	conn_free(c);
	if (--m->outstanding == 0 && m->dead)
		mux_destroy(m);
}

static enum tlsd_conn_rank rank_of(enum tlsd_flow_end how)
{
	switch (how) {
	case TLSD_FLOW_END_TIMEOUT:
	case TLSD_FLOW_END_CAPTURE_END:
		return TLSD_CONN_RANK_IDLE;
	case TLSD_FLOW_END_EVICTED:
		return TLSD_CONN_RANK_EVICTED;
	case TLSD_FLOW_END_CLOSE:
	case TLSD_FLOW_END_RESET:
	case TLSD_FLOW_END_PORT_REUSE:
	default:
		return TLSD_CONN_RANK_PACKET;
	}
}

/* A TLS connection's report into c->done.r (NULL for a lookalike, which
 * is only counted). */
static void report_tls(struct tlsd_conn_mux *m, struct tlsd_flow *f, struct tlsd_conn *c,
		       enum tlsd_flow_end how)
{
	const struct tlsd_tls_dir *ct = &c->tls[TLSD_DIR_C2S];
	struct tlsd_cur pending;
	uint8_t type = 0;

	/* A ClientHello the client never finished: a handshake record
	 * cut short, or a message of type 1 still being collected. */
	tlsd_cur_init(&pending, ct->hs.data, ct->hs.len);
	if (tlsd_cur_peek_u8(&pending, &type) && type == TLSD_HS_CLIENT_HELLO)
		tlsd_session_hello_cut(c->session, (uint32_t)ct->hs.len, 0);
	else if (ct->hs.len == 0 && ct->in_body && ct->cur.type == TLSD_CT_HANDSHAKE &&
		 ct->body_left == ct->cur.len)
		tlsd_session_hello_cut(c->session, 0, ct->cur.len);
	for (int i = 0; i < 2; i++)
		tlsd_session_stream_start(c->session, (enum tlsd_dir)i, c->tls[i].sample,
					  c->tls[i].sample_len);
	/* The failing event of an idle or cut connection is its last packet,
	 * not the moment the capture clock noticed. */
	tlsd_session_tcp_end(c->session, f, how, f->last_ts);
	if (tlsd_session_lookalike(c->session)) {
		tlsd_ctx_count(m->ctx, TLSD_ANOM_TLS_LOOKALIKE);
		return;
	}
	c->done.r = tlsd_pool_get(&m->reports);
	if (!c->done.r)
		return;
	tlsd_session_report(c->session, f, c->done.r);
	c->done.r->first_frame = c->first_frame;
	tlsd_notes_report(&m->ifnames, &c->notes, c->done.r);
}

static void on_close(void *ud, struct tlsd_flow *f, enum tlsd_flow_end how)
{
	struct tlsd_conn_mux *m = ud;
	struct tlsd_conn *c = f->user;
	struct tlsd_conn_done *d;
	struct tlsd_counters before;
	bool maybe = false; /* adopted only if the sink knows the server */

	f->user = NULL;
	if (!c)
		return;
	if (c->kind == CONN_UNDECIDED && silent_server(c)) {
		maybe = !tls_port(f);
		if (maybe)
			before = m->ctx->cnt;
		adopt_silent_tls_server(m, f, c);
	}
	d = &c->done;
	if (c->kind == CONN_TLS) {
		tlsd_session_prefetch(c->session);
		report_tls(m, f, c, how);
	}
	if (maybe) {
		/* What adopting it counted is the sink's to add, if it does. */
		d->if_known_server = malloc(sizeof(*d->if_known_server));
		if (d->if_known_server)
			tlsd_counters_diff(d->if_known_server, &m->ctx->cnt, &before);
		m->ctx->cnt = before;
		if (!d->if_known_server) {
			tlsd_pool_put(&m->reports, d->r);
			d->r = NULL;
		}
	}
	if (c->kind != CONN_TLS || (!d->r && !d->if_known_server) || !m->cfg.take) {
		tlsd_pool_put(&m->reports, d->r);
		free(d->if_known_server);
		conn_free(c);
		return;
	}
	d->frames = c->frames.len ? c->frames.data : NULL;
	d->frames_len = c->frames.len;
	d->rank = rank_of(how);
	d->seq = c->first_frame;
	d->server.addr = f->addr[TLSD_DIR_S2C];
	d->server.port = f->port[TLSD_DIR_S2C];
	d->ip_version = f->ip_version;
	d->tls_server = d->r && d->r->version;
	d->release = release_done;
	d->owner = c;
	m->outstanding++;
	m->cfg.take(m->cfg.take_ud, d);
}

/* An established connection idles as long as it likes: its verdict needs
 * no timer, and its later packets belong to the same report. */
static bool on_keep_idle(void *ud, struct tlsd_flow *f)
{
	const struct tlsd_conn *c = f->user;

	(void)ud;
	return c && c->kind == CONN_TLS && tlsd_session_established(c->session);
}

static const struct tlsd_flow_ops conn_ops = {
	.open = on_open,
	.packet = on_packet,
	.data = on_data,
	.gap = on_gap,
	.fin = on_fin,
	.rst = on_rst,
	.close = on_close,
	.keep_idle = on_keep_idle,
};

const struct tlsd_flow_ops *tlsd_conn_mux_ops(void)
{
	return &conn_ops;
}

struct tlsd_conn_mux *tlsd_conn_mux_new(struct tlsd_ctx *ctx, const struct tlsd_conn_cfg *cfg)
{
	struct tlsd_conn_mux *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->ctx = ctx;
	m->cfg = *cfg;
	tlsd_pool_init(&m->conns, sizeof(struct tlsd_conn));
	tlsd_pool_init(&m->sessions, sizeof(struct tlsd_session));
	tlsd_pool_init(&m->reports, sizeof(struct tlsd_report));
	return m;
}

void tlsd_conn_mux_attach(struct tlsd_conn_mux *m, struct tlsd_flow_table *t)
{
	m->table = t;
}

static void mux_destroy(struct tlsd_conn_mux *m)
{
	tlsd_ifnames_cleanup(&m->ifnames);
	tlsd_pool_cleanup(&m->conns);
	tlsd_pool_cleanup(&m->sessions);
	tlsd_pool_cleanup(&m->reports);
	free(m);
}

void tlsd_conn_mux_free(struct tlsd_conn_mux *m)
{
	if (!m)
		return;
	if (m->outstanding) {
		m->dead = true; /* the last release frees it */
		return;
	}
	mux_destroy(m);
}
