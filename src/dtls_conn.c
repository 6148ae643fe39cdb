/* One DTLS association: datagrams to handshake messages and transport
 * facts (see dtls_conn.h). */
#include "tlsd/dtls_conn.h"

#include <stdlib.h>
#include <string.h>

#include "tlsd/dtls.h"
#include "tlsd/rangebuf.h"
#include "tlsd/session.h"
#include "tlsd/tls_handshake.h"
#include "tlsd/udp_facts.h"

#define RANDOM_OFF 2 /* client_version(2), then random(32) */
#define RANDOM_LEN 32

/* A handshake message being put together from fragments. */
struct msg_slot {
	bool used;
	uint8_t type;
	uint16_t seq;
	uint32_t len;
	uint16_t record_version;  /* of the record that carried its first fragment */
	uint16_t records, datagrams;
	uint32_t last_dg;         /* datagram (per side) that last added to it */
	tlsd_time_ns ts;          /* ... and its time */
	uint64_t off;             /* side offset of that first record */
	struct tlsd_rangebuf rb;
};

/* A message already delivered: a later copy is a retransmission. */
struct seen_msg {
	uint16_t seq;
	uint8_t type;
	uint32_t len;
};

struct dtls_side {
	bool started;             /* a handshake fragment seen from this side */
	bool lost;                /* over a cap: no more messages from it */
	uint16_t next_seq;        /* message_seq delivered next */
	struct msg_slot slot[TLSD_DTLS_MSG_SLOTS];
	struct seen_msg seen[TLSD_DTLS_SEEN_MSGS]; /* ring */
	uint8_t n_seen, seen_pos;
	bool ccs;                 /* a ChangeCipherSpec went to the session */
	uint16_t ccs_epoch;       /* the epoch of the record that carried it */
	bool finished_retx;       /* a CCS sent again: its Finished follows again */
	uint64_t off;             /* record bytes so far (event offsets) */
	uint32_t dg;              /* datagrams so far */
};

struct tlsd_dtls_conn {
	const struct tlsd_dtls_env *env;
	struct tlsd_session *s;
	struct tlsd_udp_facts *uf;
	bool have_random;
	uint8_t random[RANDOM_LEN]; /* the client's first hello */
	bool hvr_pending;         /* the server's last message was a HelloVerifyRequest */
	bool last_hello_cookie;   /* the client's last hello carried a cookie */
	struct dtls_side side[2];
	size_t mem;               /* fragment buffers, counted in ctx->reasm_mem_used */
	/* the datagram being read */
	tlsd_time_ns now;
	tlsd_time_ns prev_ts;     /* the same side's datagram before it; 0 none */
	uint32_t dg_size;         /* its UDP payload bytes on the wire */
	bool dg_new, dg_retx;
};

/* ---- starting and ending ---- */

struct tlsd_dtls_conn *tlsd_dtls_conn_new(const struct tlsd_dtls_env *env,
					  const struct tlsd_pkt *pkt)
{
	struct tlsd_dtls_conn *dc = calloc(1, sizeof(*dc));

	if (!dc)
		return NULL;
	dc->env = env;
	dc->s = tlsd_udp_session_new(env->ctx, env->cfg, TLSD_TRANSPORT_DTLS, pkt);
	if (!dc->s) {
		free(dc);
		return NULL;
	}
	dc->uf = tlsd_session_udp_facts(dc->s);
	for (int d = 0; d < 2; d++)
		for (unsigned i = 0; i < TLSD_DTLS_MSG_SLOTS; i++)
			tlsd_rangebuf_init(&dc->side[d].slot[i].rb, env->ctx->lim.max_handshake);
	env->ctx->cnt.dtls_associations++;
	return dc;
}

/* Gives the fragment buffers back (the handshake no longer needs them). */
static void release_buffers(struct tlsd_dtls_conn *dc)
{
	struct tlsd_ctx *ctx = dc->env->ctx;

	for (int d = 0; d < 2; d++) {
		for (unsigned i = 0; i < TLSD_DTLS_MSG_SLOTS; i++) {
			tlsd_rangebuf_reset(&dc->side[d].slot[i].rb);
			dc->side[d].slot[i].used = false;
		}
	}
	ctx->reasm_mem_used -= TLSD_MIN(dc->mem, ctx->reasm_mem_used);
	dc->mem = 0;
}

void tlsd_dtls_conn_free(struct tlsd_dtls_conn *dc)
{
	if (!dc)
		return;
	release_buffers(dc);
	for (int d = 0; d < 2; d++)
		for (unsigned i = 0; i < TLSD_DTLS_MSG_SLOTS; i++)
			tlsd_rangebuf_cleanup(&dc->side[d].slot[i].rb);
	tlsd_session_free(dc->s);
	free(dc);
}

/* ---- flights ---- */

/* A new message (or ChangeCipherSpec) from d: the first of a flight when
 * the peer spoke last, which answers the peer's flight. */
static void new_content(struct tlsd_dtls_conn *dc, enum tlsd_dir d)
{
	struct tlsd_udp_facts *uf = dc->uf;

	dc->dg_new = true;
	if (uf->any_flight && uf->last_flight == d)
		return;
	if (uf->any_flight) {
		enum tlsd_dir o = uf->last_flight;

		uf->answered_max[o] = TLSD_MAX(uf->answered_max[o], uf->flight_max[o]);
	}
	uf->any_flight = true;
	uf->last_flight = d;
	uf->flights[d]++;
	uf->flight_retx[d] = 0;
	uf->flight_ts[d] = dc->now;
	uf->flight_max[d] = 0;
	uf->flight_datagrams[d] = 0;
	uf->peer_retx_during[d] = 0;
}

/* After each datagram: what it was to the flights. */
static void end_datagram(struct tlsd_dtls_conn *dc, enum tlsd_dir d)
{
	struct tlsd_udp_facts *uf = dc->uf;
	uint32_t size = dc->dg_size;

	if (dc->dg_retx) {
		uf->retransmits[d]++;
		dc->env->ctx->cnt.dtls_retransmissions++;
		/* A copy right behind the side's previous datagram belongs to
		 * the same sending (a flight of several datagrams, a duplicated
		 * packet); a retransmission timer waits far longer. */
		if (!dc->prev_ts || dc->now - dc->prev_ts >= TLSD_DTLS_RETX_GAP) {
			uf->last_retransmit_ts[d] = dc->now;
			if (uf->any_flight && uf->last_flight == d)
				uf->flight_retx[d]++;
			else if (uf->any_flight)
				uf->peer_retx_during[uf->last_flight]++;
		}
	}
	if ((dc->dg_new || dc->dg_retx) && uf->any_flight && uf->last_flight == d) {
		uf->flight_max[d] = TLSD_MAX(uf->flight_max[d], size);
		uf->flight_datagrams[d]++;
	}
}

/* ---- whole messages ---- */

static void clear_slot(struct msg_slot *sl)
{
	tlsd_rangebuf_clear(&sl->rb);
	sl->used = false;
}

static void remember(struct dtls_side *sd, uint16_t seq, uint8_t type, uint32_t len)
{
	sd->seen[sd->seen_pos] = (struct seen_msg){.seq = seq, .type = type, .len = len};
	sd->seen_pos = (uint8_t)((sd->seen_pos + 1) % TLSD_DTLS_SEEN_MSGS);
	if (sd->n_seen < TLSD_DTLS_SEEN_MSGS)
		sd->n_seen++;
}

/* The latest message delivered under seq. */
static const struct seen_msg *find_seen(const struct dtls_side *sd, uint16_t seq)
{
	for (uint8_t k = 1; k <= sd->n_seen; k++) {
		const struct seen_msg *m =
			&sd->seen[(sd->seen_pos + TLSD_DTLS_SEEN_MSGS - k) % TLSD_DTLS_SEEN_MSGS];

		if (m->seq == seq)
			return m;
	}
	return NULL;
}

/* The peer numbers anew from seq: what it sent under seq and above before
 * is no longer what a copy is compared with. */
static void renumber(struct dtls_side *sd, uint16_t seq)
{
	uint8_t n = 0;
	struct seen_msg keep[TLSD_DTLS_SEEN_MSGS] = {{0}};

	for (uint8_t k = sd->n_seen; k >= 1; k--) {
		const struct seen_msg *m =
			&sd->seen[(sd->seen_pos + TLSD_DTLS_SEEN_MSGS - k) % TLSD_DTLS_SEEN_MSGS];

		if ((uint16_t)(m->seq - seq) >= UINT16_MAX / 2) /* below seq: kept */
			keep[n++] = *m;
	}
	memcpy(sd->seen, keep, n * sizeof(keep[0]));
	sd->n_seen = n;
	sd->seen_pos = (uint8_t)(n % TLSD_DTLS_SEEN_MSGS);
	sd->next_seq = seq;
	for (unsigned i = 0; i < TLSD_DTLS_MSG_SLOTS; i++)
		clear_slot(&sd->slot[i]);
}

/* The cookie of a ClientHello (client_version, random, session_id, cookie):
 * its length, or -1 when the body is too short to say. */
static int hello_cookie_len(struct tlsd_cur c)
{
	struct tlsd_cur v;

	if (!tlsd_cur_skip(&c, RANDOM_OFF + RANDOM_LEN) || !tlsd_cur_get_u8_prefixed(&c, &v) ||
	    !tlsd_cur_get_u8_prefixed(&c, &v))
		return -1;
	return (int)tlsd_cur_len(&v);
}

/* Facts of the cookie exchange, from a message about to be delivered. */
static void note_cookie_exchange(struct tlsd_dtls_conn *dc, enum tlsd_dir d, uint8_t type,
				 struct tlsd_cur body)
{
	struct tlsd_udp_facts *uf = dc->uf;

	if (d == TLSD_DIR_S2C) {
		struct tlsd_hello_verify_request hvr;
		struct tlsd_parse_err err;

		dc->hvr_pending = type == TLSD_HS_HELLO_VERIFY_REQUEST;
		if (type != TLSD_HS_HELLO_VERIFY_REQUEST)
			return;
		if (tlsd_parse_hello_verify_request(tlsd_cur_data(&body), tlsd_cur_len(&body), &hvr,
						    &err) == TLSD_PARSE_OK)
			uf->hvr_cookie_len = hvr.cookie_len;
		return;
	}
	if (type != TLSD_HS_CLIENT_HELLO)
		return;
	{
		/* The latest hello's: its retransmissions are no new association. */
		struct tlsd_cur c = body;

		if (tlsd_cur_skip(&c, RANDOM_OFF) && tlsd_cur_copy(&c, dc->random, RANDOM_LEN))
			dc->have_random = true;
	}
}

struct msg_meta {
	tlsd_time_ns ts;
	uint8_t type;
	uint16_t seq;
	uint16_t record_version;
	uint16_t records, datagrams;
	uint64_t off;
};

static void deliver(struct tlsd_dtls_conn *dc, enum tlsd_dir d, const struct msg_meta *mm,
		    struct tlsd_cur body)
{
	struct dtls_side *sd = &dc->side[d];
	struct tlsd_hs_msg m = {
		.off = mm->off,
		.ts = mm->ts,
		.type = mm->type,
		.len = (uint32_t)tlsd_cur_len(&body),
		.body = tlsd_cur_data(&body),
		.record_version = mm->record_version,
		.records = mm->records ? mm->records : 1,
		.chunks = mm->datagrams ? mm->datagrams : 1,
	};

	remember(sd, mm->seq, mm->type, m.len);
	sd->next_seq = (uint16_t)(mm->seq + 1);
	new_content(dc, d);
	note_cookie_exchange(dc, d, mm->type, body);
	tlsd_session_handshake(dc->s, d, &m);
}

/* Delivers the messages now complete in message_seq order. */
static void deliver_ready(struct tlsd_dtls_conn *dc, enum tlsd_dir d)
{
	struct dtls_side *sd = &dc->side[d];
	bool again = true;

	while (again && !sd->lost) {
		again = false;
		for (unsigned i = 0; i < TLSD_DTLS_MSG_SLOTS; i++) {
			struct msg_slot *sl = &sd->slot[i];
			struct tlsd_cur body;
			struct msg_meta mm;

			if (!sl->used || sl->seq != sd->next_seq ||
			    tlsd_rangebuf_contig(&sl->rb) < sl->len)
				continue;
			if (sl->len == 0)
				tlsd_cur_init(&body, NULL, 0);
			else if (!tlsd_rangebuf_view(&sl->rb, 0, sl->len, &body))
				continue;
			mm = (struct msg_meta){.ts = sl->ts, .type = sl->type, .seq = sl->seq,
					       .record_version = sl->record_version,
					       .records = sl->records, .datagrams = sl->datagrams,
					       .off = sl->off};
			deliver(dc, d, &mm, body);
			clear_slot(sl);
			again = true;
			break;
		}
	}
}

/* ---- fragments ---- */

static void give_up_side(struct tlsd_dtls_conn *dc, enum tlsd_dir d, enum tlsd_anomaly a,
			 uint64_t off)
{
	struct dtls_side *sd = &dc->side[d];

	sd->lost = true;
	dc->uf->frag_cap = true;
	tlsd_ctx_count(dc->env->ctx, a);
	tlsd_session_anomaly(dc->s, d, a, off, "DTLS handshake reassembly over its limit");
	if (a == TLSD_ANOM_CAPTURE_CAP_HANDSHAKE)
		tlsd_session_framing_lost(dc->s, d, TLSD_FRAMING_OVERFLOW, off, NULL, 0);
	for (unsigned i = 0; i < TLSD_DTLS_MSG_SLOTS; i++)
		clear_slot(&sd->slot[i]);
}

static struct msg_slot *slot_of(struct dtls_side *sd, uint16_t seq)
{
	for (unsigned i = 0; i < TLSD_DTLS_MSG_SLOTS; i++)
		if (sd->slot[i].used && sd->slot[i].seq == seq)
			return &sd->slot[i];
	return NULL;
}

/* The slot for message seq, or a free one (evicting the message furthest
 * ahead when that is further ahead than seq); NULL when none. */
static struct msg_slot *slot_for(struct dtls_side *sd, uint16_t seq)
{
	struct msg_slot *free_sl = NULL, *far = slot_of(sd, seq);

	if (far)
		return far;
	for (unsigned i = 0; i < TLSD_DTLS_MSG_SLOTS; i++) {
		struct msg_slot *sl = &sd->slot[i];

		if (!sl->used && !free_sl)
			free_sl = sl;
		if (sl->used && (uint16_t)(sl->seq - sd->next_seq) > (uint16_t)(seq - sd->next_seq) &&
		    (!far || (uint16_t)(sl->seq - sd->next_seq) > (uint16_t)(far->seq - sd->next_seq)))
			far = sl;
	}
	if (free_sl)
		return free_sl;
	if (far) {
		tlsd_rangebuf_clear(&far->rb);
		far->used = false;
	}
	return far;
}

/* The client's hello carried another random: a new association. */
static bool new_client_random(const struct tlsd_dtls_conn *dc, const struct tlsd_dtls_hs_frag *f)
{
	struct tlsd_cur c = f->data;
	uint8_t r[RANDOM_LEN];

	return dc->have_random && f->type == TLSD_HS_CLIENT_HELLO && f->frag_off == 0 &&
	       tlsd_cur_skip(&c, RANDOM_OFF) && tlsd_cur_copy(&c, r, RANDOM_LEN) &&
	       memcmp(r, dc->random, RANDOM_LEN) != 0;
}

/* Stores a fragment in its slot; false when it was dropped. */
static bool store(struct tlsd_dtls_conn *dc, enum tlsd_dir d, struct msg_slot *sl,
		  const struct tlsd_dtls_hs_frag *f, uint64_t rec_off)
{
	struct tlsd_ctx *ctx = dc->env->ctx;
	struct dtls_side *sd = &dc->side[d];
	uint64_t held = tlsd_rangebuf_held(&sl->rb), end = (uint64_t)f->frag_off + f->frag_len;
	size_t alloc = sl->rb.buf.alloc;
	bool differs = false;
	int r;

	if (end > sl->rb.buf.len && end - sl->rb.buf.len > ctx->lim.reasm_mem - TLSD_MIN(ctx->reasm_mem_used, ctx->lim.reasm_mem)) {
		give_up_side(dc, d, TLSD_ANOM_CAPTURE_CAP_REASM, rec_off);
		return false;
	}
	r = tlsd_rangebuf_put(&sl->rb, f->frag_off, tlsd_cur_data(&f->data), f->frag_len, &differs);
	if (sl->rb.buf.alloc > alloc) {
		dc->mem += sl->rb.buf.alloc - alloc;
		ctx->reasm_mem_used += sl->rb.buf.alloc - alloc;
	}
	if (r != 0) {
		give_up_side(dc, d, TLSD_ANOM_CAPTURE_CAP_HANDSHAKE, rec_off);
		return false;
	}
	if (differs)
		tlsd_session_anomaly(dc->s, d, TLSD_ANOM_TCP_INCONSISTENT_RETRANSMIT, rec_off,
				     "DTLS handshake fragment sent again with other bytes");
	if (tlsd_rangebuf_held(&sl->rb) == held && f->frag_len > 0) {
		dc->dg_retx = true; /* a piece of a message already held */
		return true;
	}
	dc->dg_new = true;
	sl->records++;
	sl->ts = dc->now;
	if (sl->last_dg != sd->dg) {
		sl->datagrams++;
		sl->last_dg = sd->dg;
	}
	return true;
}

/* The cookie exchange counts every copy of a hello and a
 * HelloVerifyRequest (a stateless server answers each copy of the hello
 * with the same HelloVerifyRequest, message_seq 0 again), from the first
 * fragment of each. */
static void note_hello_copy(struct tlsd_dtls_conn *dc, enum tlsd_dir d,
			    const struct tlsd_dtls_hs_frag *f)
{
	struct tlsd_udp_facts *uf = dc->uf;

	if (d == TLSD_DIR_S2C && f->type == TLSD_HS_HELLO_VERIFY_REQUEST) {
		if (uf->hvr++ == 0)
			uf->hvr_first_ts = dc->now;
		uf->hvr_ts = dc->now;
		if (dc->last_hello_cookie)
			uf->hvr_after_cookie++;
	} else if (d == TLSD_DIR_C2S && f->type == TLSD_HS_CLIENT_HELLO) {
		dc->last_hello_cookie = hello_cookie_len(f->data) > 0;
		if (dc->last_hello_cookie) {
			if (uf->cookie_hellos++ == 0)
				uf->cookie_hello_ts = dc->now;
		} else if (uf->hvr) {
			uf->plain_hellos_after_hvr++;
		}
	}
}

static void on_fragment(struct tlsd_dtls_conn *dc, enum tlsd_dir d, const struct tlsd_dtls_record *rec,
			uint64_t rec_off, const struct tlsd_dtls_hs_frag *f)
{
	struct dtls_side *sd = &dc->side[d];
	uint16_t ahead;
	struct msg_slot *sl;

	if (f->frag_off != 0 || f->frag_len != f->msg_len)
		dc->env->ctx->cnt.dtls_fragments++;
	if (f->frag_off == 0)
		note_hello_copy(dc, d, f);
	if (sd->lost)
		return;
	if (f->msg_len > dc->env->ctx->lim.max_handshake) {
		give_up_side(dc, d, TLSD_ANOM_CAPTURE_CAP_HANDSHAKE, rec_off);
		return;
	}
	if (!sd->started) {
		sd->started = true;
		sd->next_seq = f->message_seq;
	}
	ahead = (uint16_t)(f->message_seq - sd->next_seq);
	if (ahead >= TLSD_DTLS_MSG_AHEAD) {
		const struct seen_msg *sm = find_seen(sd, f->message_seq);

		if (sm && sm->type == f->type && sm->len == f->msg_len) {
			dc->dg_retx = true; /* a message delivered before: a retransmission */
			return;
		}
		if (ahead < UINT16_MAX / 2) {
			tlsd_session_anomaly(dc->s, d, TLSD_ANOM_TLS_BAD_HANDSHAKE, rec_off,
					     "DTLS message_seq far ahead of the next one");
			return;
		}
		/* Behind, and not a copy of what came under that number: the
		 * peer numbers anew (a stateless server after its
		 * HelloVerifyRequest, a cookie hello numbered 0), or, before
		 * anything was delivered, a later message came first. */
		if (sd->n_seen)
			renumber(sd, f->message_seq);
		else
			sd->next_seq = f->message_seq;
	}
	if (f->message_seq == sd->next_seq && f->frag_off == 0 && f->frag_len == f->msg_len &&
	    !slot_of(sd, f->message_seq)) {
		/* The common case: the whole message in one fragment, in order. */
		struct msg_meta mm = {.ts = dc->now, .type = f->type, .seq = f->message_seq,
				      .record_version = rec->version, .records = 1, .datagrams = 1,
				      .off = rec_off};

		deliver(dc, d, &mm, f->data);
		deliver_ready(dc, d);
		return;
	}
	sl = slot_for(sd, f->message_seq);
	if (!sl)
		return; /* too far ahead for the slots left: the peer sends it again */
	if (!sl->used) {
		*sl = (struct msg_slot){.used = true, .type = f->type, .seq = f->message_seq,
					.len = f->msg_len, .record_version = rec->version,
					.last_dg = sd->dg - 1, .off = rec_off, .rb = sl->rb};
	} else if (sl->type != f->type || sl->len != f->msg_len) {
		tlsd_session_anomaly(dc->s, d, TLSD_ANOM_TLS_BAD_HANDSHAKE, rec_off,
				     "DTLS fragments of one message disagree on its type or length");
		return;
	}
	if (store(dc, d, sl, f, rec_off))
		deliver_ready(dc, d);
}

/* ---- records ---- */

static void handshake_record(struct tlsd_dtls_conn *dc, enum tlsd_dir d,
			     const struct tlsd_dtls_record *r, uint64_t rec_off)
{
	struct tlsd_cur body = r->body;

	while (tlsd_cur_len(&body)) {
		struct tlsd_dtls_hs_frag f;

		if (tlsd_dtls_hs_frag_next(&body, &f) != TLSD_PARSE_OK) {
			tlsd_ctx_count(dc->env->ctx, TLSD_ANOM_TLS_BAD_HANDSHAKE);
			tlsd_session_anomaly(dc->s, d, TLSD_ANOM_TLS_BAD_HANDSHAKE, rec_off,
					     "DTLS handshake fragment header");
			return;
		}
		on_fragment(dc, d, r, rec_off, &f);
	}
}

static void ccs_record(struct tlsd_dtls_conn *dc, enum tlsd_dir d, const struct tlsd_dtls_record *r,
		       uint64_t rec_off)
{
	struct dtls_side *sd = &dc->side[d];
	uint8_t v = 0;
	struct tlsd_cur c = r->body;

	if (tlsd_cur_len(&c) != 1 || !tlsd_cur_get_u8(&c, &v) || v != 1)
		tlsd_session_anomaly(dc->s, d, TLSD_ANOM_TLS_BAD_RECORD, rec_off,
				     "ChangeCipherSpec body");
	if (sd->ccs && r->epoch == sd->ccs_epoch) {
		/* The flight that ended with it is being sent again. */
		dc->dg_retx = true;
		sd->finished_retx = true;
		return;
	}
	sd->ccs = true;
	sd->ccs_epoch = r->epoch;
	sd->finished_retx = false;
	new_content(dc, d);
	/* Epochs, not the session's answer, say which records are protected. */
	if (!tlsd_session_ccs(dc->s, d, rec_off, dc->now))
		return; /* DTLS 1.3 compatibility CCS */
}

static void alert_record(struct tlsd_dtls_conn *dc, enum tlsd_dir d, const struct tlsd_dtls_record *r,
			 uint64_t rec_off)
{
	struct tlsd_cur c = r->body;
	uint8_t level, desc;

	/* struct { AlertLevel level; AlertDescription description; } Alert;
	 * DTLS never splits an alert over records. */
	if (tlsd_cur_len(&c) != 2 || !tlsd_cur_get_u8(&c, &level) || !tlsd_cur_get_u8(&c, &desc)) {
		tlsd_ctx_count(dc->env->ctx, TLSD_ANOM_TLS_BAD_ALERT);
		tlsd_session_anomaly(dc->s, d, TLSD_ANOM_TLS_BAD_ALERT, rec_off, "DTLS alert record");
		return;
	}
	dc->dg_new = true;
	tlsd_session_alert(dc->s, d, level, desc, rec_off, dc->now);
}

/* A record protected under an epoch above 0. */
static void protected_record(struct tlsd_dtls_conn *dc, enum tlsd_dir d,
			     const struct tlsd_record_info *ri)
{
	struct dtls_side *sd = &dc->side[d];

	if (ri->type == TLSD_CT_HANDSHAKE && sd->finished_retx) {
		/* The Finished of a flight sent again. */
		sd->finished_retx = false;
		dc->dg_retx = true;
		return;
	}
	if (ri->type == TLSD_CT_HANDSHAKE)
		new_content(dc, d);
	else
		dc->dg_new = true;
	tlsd_session_record(dc->s, d, ri);
}

static void on_record(struct tlsd_dtls_conn *dc, enum tlsd_dir d, const struct tlsd_dtls_record *r)
{
	struct dtls_side *sd = &dc->side[d];
	struct tlsd_ctx *ctx = dc->env->ctx;
	uint64_t rec_off = sd->off;
	struct tlsd_record_info ri = {
		.off = rec_off,
		.ts = dc->now,
		.type = r->type,
		.version = r->version,
		.len = (uint16_t)TLSD_MIN(tlsd_cur_len(&r->body), (size_t)UINT16_MAX),
		.encrypted = r->epoch > 0 || r->kind != TLSD_DTLS_REC_PLAIN,
	};

	sd->off += r->wire_len;
	dc->uf->dtls_records[d]++;
	ctx->cnt.dtls_records++;
	if (tlsd_cur_len(&r->body) > TLSD_DTLS_MAX_RECORD)
		tlsd_session_anomaly(dc->s, d, TLSD_ANOM_TLS_RECORD_OVERFLOW, rec_off,
				     "DTLS record longer than 2^14+2048");
	if (d == TLSD_DIR_C2S && !dc->uf->dtls_version && r->kind == TLSD_DTLS_REC_PLAIN)
		dc->uf->dtls_version = r->version;
	if (r->kind != TLSD_DTLS_REC_PLAIN) {
		/* DTLS 1.3 (unified header) or a DTLS 1.2 connection-ID record:
		 * protected, its real type inside. */
		if (r->kind == TLSD_DTLS_REC_UNIFIED) {
			dc->uf->dtls13_records[d]++;
			ctx->cnt.dtls13_records++;
		}
		ri.type = TLSD_CT_APPLICATION_DATA;
		protected_record(dc, d, &ri);
		return;
	}
	if (ri.encrypted) {
		protected_record(dc, d, &ri);
		return;
	}
	tlsd_session_record(dc->s, d, &ri);
	switch (r->type) {
	case TLSD_CT_HANDSHAKE:
		handshake_record(dc, d, r, rec_off);
		break;
	case TLSD_CT_CHANGE_CIPHER_SPEC:
		ccs_record(dc, d, r, rec_off);
		break;
	case TLSD_CT_ALERT:
		alert_record(dc, d, r, rec_off);
		break;
	case TLSD_CT_HEARTBEAT:
		dc->dg_new = true;
		tlsd_session_heartbeat(dc->s, d, rec_off, ri.len);
		break;
	default:
		dc->dg_new = true;
		break;
	}
}

/* ---- datagrams ---- */

/* The client's datagram opens with a ClientHello of another random, and is
 * not the cookie hello the server asked for. */
static bool other_association(const struct tlsd_dtls_conn *dc, const struct tlsd_pkt *pkt)
{
	struct tlsd_cur dg, body;
	struct tlsd_dtls_record r;
	struct tlsd_dtls_hs_frag f;

	if (!dc->have_random)
		return false;
	tlsd_cur_init(&dg, pkt->payload, pkt->payload_len);
	if (tlsd_dtls_record_next(&dg, &r) != TLSD_PARSE_OK || r.kind != TLSD_DTLS_REC_PLAIN ||
	    r.type != TLSD_CT_HANDSHAKE || r.epoch != 0)
		return false;
	body = r.body;
	if (tlsd_dtls_hs_frag_next(&body, &f) != TLSD_PARSE_OK || !new_client_random(dc, &f))
		return false;
	/* Asked for by a HelloVerifyRequest: the answer (which old stacks
	 * sent with a new random, and without a cookie when the server gave
	 * none). */
	return !dc->hvr_pending;
}

enum tlsd_dtls_feed tlsd_dtls_conn_datagram(struct tlsd_dtls_conn *dc, enum tlsd_dir d,
					    const struct tlsd_pkt *pkt)
{
	struct tlsd_udp_facts *uf = dc->uf;
	struct dtls_side *sd = &dc->side[d];
	struct tlsd_cur dg;

	if (d == TLSD_DIR_C2S && other_association(dc, pkt))
		return TLSD_DTLS_FEED_NEW_ASSOCIATION;
	dc->prev_ts = uf->datagrams[d] ? uf->last_ts[d] : 0;
	tlsd_udp_facts_datagram(uf, d, pkt);
	if (d == TLSD_DIR_S2C && uf->cookie_hellos)
		uf->srv_after_cookie++;
	if (d == TLSD_DIR_C2S && uf->hvr)
		uf->cli_after_hvr++;
	dc->now = pkt->ts;
	dc->dg_size = pkt->payload_wire_len;
	dc->dg_new = false;
	dc->dg_retx = false;
	sd->dg++;
	tlsd_cur_init(&dg, pkt->payload, pkt->payload_len);
	while (tlsd_cur_len(&dg)) {
		struct tlsd_dtls_record r;
		enum tlsd_parse p = tlsd_dtls_record_next(&dg, &r);

		if (p == TLSD_PARSE_OK) {
			on_record(dc, d, &r);
			continue;
		}
		if (p == TLSD_PARSE_NEED_MORE && pkt->payload_len < pkt->payload_wire_len) {
			/* The snap length cut the datagram: a capture defect. */
			tlsd_ctx_count(dc->env->ctx, TLSD_ANOM_CAPTURE_SNAPLEN);
			tlsd_session_anomaly(dc->s, d, TLSD_ANOM_CAPTURE_SNAPLEN, sd->off,
					     "datagram cut by the snap length");
		} else {
			uf->undecodable[d]++;
			tlsd_ctx_count(dc->env->ctx, TLSD_ANOM_TLS_BAD_RECORD);
			tlsd_session_anomaly(dc->s, d, TLSD_ANOM_TLS_BAD_RECORD, sd->off,
					     "datagram bytes that are not a DTLS record");
		}
		break;
	}
	end_datagram(dc, d);
	if (tlsd_session_handshake_over(dc->s) && dc->mem)
		release_buffers(dc);
	return TLSD_DTLS_FEED_OK;
}

void tlsd_dtls_conn_other(struct tlsd_dtls_conn *dc, enum tlsd_dir d, const struct tlsd_pkt *pkt)
{
	(void)d;
	(void)pkt;
	dc->uf->other_datagrams++;
	dc->env->ctx->cnt.udp_muxed_other++;
}

void tlsd_dtls_conn_icmp(struct tlsd_dtls_conn *dc, const struct tlsd_udp_flow *f,
			 enum tlsd_dir d, const struct tlsd_pkt *pkt)
{
	tlsd_udp_facts_icmp(dc->uf, f, d, pkt);
}

/* At the end: messages complete in the slots but waiting behind one that
 * never completed are delivered in message_seq order, past the hole. */
static void flush_side(struct tlsd_dtls_conn *dc, enum tlsd_dir d)
{
	struct dtls_side *sd = &dc->side[d];

	while (!sd->lost) {
		struct msg_slot *best = NULL;

		for (unsigned i = 0; i < TLSD_DTLS_MSG_SLOTS; i++) {
			struct msg_slot *sl = &sd->slot[i];

			if (sl->used && tlsd_rangebuf_contig(&sl->rb) >= sl->len &&
			    (!best || (uint16_t)(sl->seq - sd->next_seq) <
					      (uint16_t)(best->seq - sd->next_seq)))
				best = sl;
		}
		if (!best)
			return;
		sd->next_seq = best->seq;
		dc->now = best->ts;
		deliver_ready(dc, d);
	}
}

void tlsd_dtls_conn_report(struct tlsd_dtls_conn *dc, const struct tlsd_udp_flow *f,
			   enum tlsd_udp_end how, struct tlsd_report *r)
{
	flush_side(dc, TLSD_DIR_C2S);
	flush_side(dc, TLSD_DIR_S2C);
	tlsd_udp_session_report(dc->s, f, how, true, r);
}
