/* UDP flows -> QUIC connections / DTLS associations -> reports. */
#include "tlsd/udp_conn.h"

#include <stdlib.h>

#include "tlsd/capture_notes.h"
#include "tlsd/dtls.h"
#include "tlsd/dtls_conn.h"
#include "tlsd/quic_conn.h"

enum udp_kind {
	UDP_UNDECIDED = 0,
	UDP_QUIC,
	UDP_DTLS,
	UDP_OTHER,
};

struct udp_conn {
	enum udp_kind kind;
	uint32_t watched; /* datagrams seen while undecided */
	struct tlsd_quic_conn *quic;
	struct tlsd_dtls_conn *dtls;
	struct tlsd_conn_notes notes; /* pcapng: interface, packet comments */
};

struct tlsd_udp_mux {
	struct tlsd_ctx *ctx;
	struct tlsd_conn_cfg cfg;
	struct tlsd_quic_env qenv;
	struct tlsd_dtls_env denv;
	struct tlsd_udp_table *table;
	struct tlsd_ifnames ifnames;
};

static bool port_followed(const struct tlsd_udp_mux *m, const struct tlsd_udp_flow *f)
{
	if (!m->cfg.ports)
		return true;
	for (size_t i = 0; i < m->cfg.n_ports; i++)
		if (f->side[0].port == m->cfg.ports[i] || f->side[1].port == m->cfg.ports[i])
			return true;
	return false;
}

/* A report handed to the sink, with what it borrows from. */
struct udp_done {
	struct tlsd_conn_done done;
	struct tlsd_quic_conn *quic;
	struct tlsd_dtls_conn *dtls;
};

static void release_done(struct tlsd_conn_done *d)
{
	struct udp_done *u = d->owner;

	free(d->r);
	tlsd_quic_conn_free(u->quic);
	tlsd_dtls_conn_free(u->dtls);
	free(u);
}

/* Reports the flow's QUIC connection or DTLS association and ends it. */
static void emit(struct tlsd_udp_mux *m, struct udp_conn *c, const struct tlsd_udp_flow *f,
		 enum tlsd_udp_end how)
{
	struct tlsd_report *r = malloc(sizeof(*r));
	struct udp_done *u = r && m->cfg.take ? calloc(1, sizeof(*u)) : NULL;

	if (u) {
		if (c->quic)
			tlsd_quic_conn_report(c->quic, f, how, r);
		else
			tlsd_dtls_conn_report(c->dtls, f, how, r);
		tlsd_notes_report(&m->ifnames, &c->notes, r);
		u->quic = c->quic;
		u->dtls = c->dtls;
		u->done = (struct tlsd_conn_done){
			.r = r, .rank = TLSD_CONN_RANK_UDP, .release = release_done, .owner = u};
		m->cfg.take(m->cfg.take_ud, &u->done);
	} else {
		free(r);
		tlsd_quic_conn_free(c->quic);
		tlsd_dtls_conn_free(c->dtls);
	}
	c->quic = NULL;
	c->dtls = NULL;
	tlsd_notes_cleanup(&c->notes); /* a next connection on the flow has its own */
}

static void on_open(void *ud, struct tlsd_udp_flow *f, const struct tlsd_pkt *pkt)
{
	struct tlsd_udp_mux *m = ud;
	struct udp_conn *c;

	if (!port_followed(m, f)) {
		tlsd_udp_flow_ignore(m->table, f);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		tlsd_udp_flow_ignore(m->table, f);
		return;
	}
	tlsd_notes_open(&m->ifnames, &c->notes, pkt);
	f->user = c;
}

/* The connection that supersedes another on the flow starts with the
 * packet that began it: its interface and comment. */
static void restart_notes(struct tlsd_udp_mux *m, struct udp_conn *c, const struct tlsd_pkt *pkt)
{
	tlsd_notes_open(&m->ifnames, &c->notes, pkt);
	tlsd_notes_packet(&c->notes, pkt);
}

static void start_quic(struct tlsd_udp_mux *m, struct tlsd_udp_flow *f, struct udp_conn *c,
		       enum tlsd_dir d, const struct tlsd_pkt *pkt)
{
	/* A client Initial from the side taken for the server: the capture
	 * missed the client's first datagrams, or the roles were guessed. */
	if (d == TLSD_DIR_S2C)
		tlsd_udp_flow_swap_roles(m->table, f);
	c->quic = tlsd_quic_conn_new(&m->qenv, f, pkt);
	c->kind = c->quic ? UDP_QUIC : UDP_OTHER;
}

static void start_dtls(struct tlsd_udp_mux *m, struct tlsd_udp_flow *f, struct udp_conn *c,
		       enum tlsd_dir d, const struct tlsd_pkt *pkt)
{
	/* The hello came from the side taken for the server. */
	if (d == TLSD_DIR_S2C)
		tlsd_udp_flow_swap_roles(m->table, f);
	c->dtls = tlsd_dtls_conn_new(&m->denv, pkt);
	c->kind = c->dtls ? UDP_DTLS : UDP_OTHER;
}

static bool first_byte_dtls(const struct tlsd_pkt *pkt)
{
	return pkt->payload_len > 0 && tlsd_dtls_demux(pkt->payload[0]) == TLSD_DEMUX_DTLS;
}

/* Undecided: does this datagram start a QUIC connection or a DTLS
 * association? Returns true when one started (its direction is then C2S). */
static bool decide(struct tlsd_udp_mux *m, struct tlsd_udp_flow *f, struct udp_conn *c,
		   enum tlsd_dir d, const struct tlsd_pkt *pkt)
{
	if (tlsd_quic_starts_connection(pkt)) {
		start_quic(m, f, c, d, pkt);
		return c->kind == UDP_QUIC;
	}
	if (first_byte_dtls(pkt) && tlsd_dtls_starts_association(pkt->payload, pkt->payload_len)) {
		start_dtls(m, f, c, d, pkt);
		return c->kind == UDP_DTLS;
	}
	/* STUN before a WebRTC DTLS handshake does not use up the watch. */
	if (pkt->payload_len > 0 && tlsd_dtls_demux(pkt->payload[0]) == TLSD_DEMUX_STUN)
		return false;
	if (++c->watched >= TLSD_UDP_WATCH_DATAGRAMS) {
		c->kind = UDP_OTHER;
		tlsd_udp_flow_ignore(m->table, f);
	}
	return false;
}

static void dtls_datagram(struct tlsd_udp_mux *m, struct tlsd_udp_flow *f, struct udp_conn *c,
			  enum tlsd_dir d, const struct tlsd_pkt *pkt)
{
	if (!first_byte_dtls(pkt)) {
		tlsd_dtls_conn_other(c->dtls, d, pkt);
		return;
	}
	if (tlsd_dtls_conn_datagram(c->dtls, d, pkt) == TLSD_DTLS_FEED_NEW_ASSOCIATION) {
		emit(m, c, f, TLSD_UDP_END_SUPERSEDED);
		restart_notes(m, c, pkt);
		c->dtls = tlsd_dtls_conn_new(&m->denv, pkt);
		if (!c->dtls) {
			c->kind = UDP_OTHER;
			return;
		}
		/* Its own first hello never starts yet another one. */
		if (tlsd_dtls_conn_datagram(c->dtls, d, pkt) != TLSD_DTLS_FEED_OK)
			return;
	}
}

static void on_datagram(void *ud, struct tlsd_udp_flow *f, enum tlsd_dir d,
			const struct tlsd_pkt *pkt)
{
	struct tlsd_udp_mux *m = ud;
	struct udp_conn *c = f->user;

	if (!c || c->kind == UDP_OTHER)
		return;
	tlsd_notes_packet(&c->notes, pkt);
	if (c->kind == UDP_UNDECIDED) {
		if (!decide(m, f, c, d, pkt))
			return;
		d = TLSD_DIR_C2S;
	}
	if (c->kind == UDP_DTLS) {
		dtls_datagram(m, f, c, d, pkt);
		return;
	}
	if (tlsd_quic_conn_datagram(c->quic, f, d, pkt) == TLSD_QUIC_FEED_NEW_CONNECTION) {
		emit(m, c, f, TLSD_UDP_END_SUPERSEDED);
		restart_notes(m, c, pkt);
		c->quic = tlsd_quic_conn_new(&m->qenv, f, pkt);
		if (!c->quic) {
			c->kind = UDP_OTHER;
			return;
		}
		/* Its own first Initial never starts yet another one. */
		if (tlsd_quic_conn_datagram(c->quic, f, d, pkt) != TLSD_QUIC_FEED_OK)
			return;
	}
}

static void on_icmp(void *ud, struct tlsd_udp_flow *f, enum tlsd_dir d, const struct tlsd_pkt *pkt)
{
	struct udp_conn *c = f->user;

	(void)ud;
	if (c && c->kind == UDP_QUIC && c->quic)
		tlsd_quic_conn_icmp(c->quic, f, d, pkt);
	else if (c && c->kind == UDP_DTLS && c->dtls)
		tlsd_dtls_conn_icmp(c->dtls, f, d, pkt);
}

static void on_close(void *ud, struct tlsd_udp_flow *f, enum tlsd_udp_end how)
{
	struct tlsd_udp_mux *m = ud;
	struct udp_conn *c = f->user;

	f->user = NULL;
	if (!c)
		return;
	if (c->quic || c->dtls)
		emit(m, c, f, how);
	tlsd_notes_cleanup(&c->notes);
	free(c);
}

static const struct tlsd_udp_ops udp_ops = {
	.open = on_open,
	.datagram = on_datagram,
	.icmp = on_icmp,
	.close = on_close,
};

const struct tlsd_udp_ops *tlsd_udp_mux_ops(void)
{
	return &udp_ops;
}

struct tlsd_udp_mux *tlsd_udp_mux_new(struct tlsd_ctx *ctx, const struct tlsd_conn_cfg *cfg)
{
	struct tlsd_udp_mux *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->ctx = ctx;
	m->cfg = *cfg;
	m->qenv.ctx = ctx;
	m->qenv.cfg = &m->cfg;
	m->denv.ctx = ctx;
	m->denv.cfg = &m->cfg;
	m->qenv.crypto = tlsd_quic_crypto_new();
	if (!m->qenv.crypto) {
		free(m);
		return NULL;
	}
	return m;
}

void tlsd_udp_mux_attach(struct tlsd_udp_mux *m, struct tlsd_udp_table *t)
{
	m->table = t;
	m->qenv.table = t;
}

void tlsd_udp_mux_free(struct tlsd_udp_mux *m)
{
	if (!m)
		return;
	tlsd_quic_crypto_free(m->qenv.crypto);
	tlsd_ifnames_cleanup(&m->ifnames);
	free(m);
}
