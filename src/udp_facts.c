/* Transport facts and reports shared by QUIC and DTLS (see udp_facts.h). */
#include "tlsd/udp_facts.h"

#include <string.h>

#include "tlsd/conn.h"
#include "tlsd/session.h"
#include "tlsd/udp_flow.h"

struct tlsd_session *tlsd_udp_session_new(const struct tlsd_ctx *ctx,
					  const struct tlsd_conn_cfg *cfg,
					  enum tlsd_transport t, const struct tlsd_pkt *pkt)
{
	struct tlsd_session *s = tlsd_session_new(ctx);

	if (!s)
		return NULL;
	tlsd_session_set_cert_checks(s, cfg->certs);
	if (cfg->no_fingerprints)
		tlsd_session_skip_fingerprints(s);
	if (!tlsd_session_udp_open(s, t, pkt->ts)) {
		tlsd_session_free(s);
		return NULL;
	}
	tlsd_session_udp_facts(s)->server_port = pkt->dport;
	return s;
}

void tlsd_udp_facts_datagram(struct tlsd_udp_facts *uf, enum tlsd_dir d,
			     const struct tlsd_pkt *pkt)
{
	if (uf->datagrams[d]++ == 0)
		uf->first_ts[d] = pkt->ts;
	uf->last_ts[d] = pkt->ts;
	if (pkt->payload_wire_len > uf->max_datagram[d])
		uf->max_datagram[d] = pkt->payload_wire_len;
}

void tlsd_udp_facts_icmp(struct tlsd_udp_facts *uf, const struct tlsd_udp_flow *f,
			 enum tlsd_dir d, const struct tlsd_pkt *pkt)
{
	const struct tlsd_addr *dest = &f->side[tlsd_dir_other(d)].addr;

	if (uf->icmp++)
		return;
	uf->icmp_type = pkt->icmp.type;
	uf->icmp_code = pkt->icmp.code;
	uf->icmp_ip_version = pkt->ip_version;
	uf->icmp_about = d;
	uf->icmp_from = pkt->src;
	uf->icmp_from_peer = memcmp(pkt->src.b, dest->b, sizeof(dest->b)) == 0;
	uf->icmp_ts = pkt->ts;
}

static enum tlsd_flow_end flow_end(enum tlsd_udp_end how)
{
	switch (how) {
	case TLSD_UDP_END_TIMEOUT: return TLSD_FLOW_END_TIMEOUT;
	case TLSD_UDP_END_EVICTED: return TLSD_FLOW_END_EVICTED;
	case TLSD_UDP_END_SUPERSEDED: return TLSD_FLOW_END_PORT_REUSE;
	case TLSD_UDP_END_CAPTURE_END:
	default: return TLSD_FLOW_END_CAPTURE_END;
	}
}

void tlsd_udp_session_report(struct tlsd_session *s, const struct tlsd_udp_flow *f,
			     enum tlsd_udp_end how, bool with_cover, struct tlsd_report *r)
{
	const struct tlsd_udp_facts *uf = tlsd_session_udp_facts(s);
	tlsd_time_ns first = uf->first_ts[TLSD_DIR_C2S], last = TLSD_MAX(uf->last_ts[0], uf->last_ts[1]);

	if (uf->icmp_ts > last)
		last = uf->icmp_ts;
	if (with_cover)
		for (int d = 0; d < 2; d++)
			tlsd_session_udp_cover(s, (enum tlsd_dir)d, uf->datagrams[d], uf->first_ts[d],
					       uf->last_ts[d]);
	tlsd_session_tcp_end(s, NULL, flow_end(how), last);
	tlsd_session_report(s, NULL, r);
	r->flow_id = f->id;
	r->first_frame = f->first_frame;
	r->ts_first = first ? first : f->first_ts;
	r->ts_last = last ? last : f->last_ts;
	r->ip_version = f->ip_version;
	r->client.addr = f->side[TLSD_DIR_C2S].addr;
	r->client.port = f->side[TLSD_DIR_C2S].port;
	r->server.addr = f->side[TLSD_DIR_S2C].addr;
	r->server.port = f->side[TLSD_DIR_S2C].port;
}
