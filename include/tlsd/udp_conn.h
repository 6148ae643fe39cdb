/* The UDP flow table's consumer: decides by content what each UDP flow
 * carries (a QUIC connection from a client Initial, DTLS from a record
 * header; RFC 7983 / RFC 9443 first-byte demultiplexing keeps STUN, TURN
 * and RTP on the same 5-tuple apart), hands datagrams and ICMP errors to
 * the connection, and a finished connection's report to the sink given in
 * struct tlsd_conn_cfg (the same sink as TCP's). */
#ifndef TLSD_UDP_CONN_H
#define TLSD_UDP_CONN_H

#include "tlsd/conn.h"
#include "tlsd/udp_flow.h"

/* Datagrams a flow may carry before its first QUIC Initial or DTLS
 * ClientHello before it is no longer watched. */
#define TLSD_UDP_WATCH_DATAGRAMS 64u

struct tlsd_udp_mux;

TLSD_MUST_USE struct tlsd_udp_mux *tlsd_udp_mux_new(struct tlsd_ctx *ctx,
						    const struct tlsd_conn_cfg *cfg);
void tlsd_udp_mux_free(struct tlsd_udp_mux *m);
const struct tlsd_udp_ops *tlsd_udp_mux_ops(void);
void tlsd_udp_mux_attach(struct tlsd_udp_mux *m, struct tlsd_udp_table *t);

#endif
