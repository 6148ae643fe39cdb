/* Every resource a peer can make tlsdiag spend is capped here; each cap can
 * be overridden from the command line. Hitting a cap is a counted event. */
#ifndef TLSD_LIMITS_H
#define TLSD_LIMITS_H

#include "tlsd/common.h"

#define TLSD_DEFAULT_SNAPLEN 262144
#define TLSD_DEFAULT_MAX_FLOWS 1000000u
#define TLSD_DEFAULT_MAX_UDP_FLOWS 262144u      /* UDP flows (QUIC, DTLS, other) */
#define TLSD_DEFAULT_IDLE_TIMEOUT_S 120
#define TLSD_DEFAULT_REASM_MEM (64u << 20)      /* all out-of-order bytes */
#define TLSD_DEFAULT_REASM_PER_DIR (256u << 10) /* out-of-order bytes per direction */
#define TLSD_DEFAULT_MAX_HANDSHAKE (256u << 10) /* one handshake message */
#define TLSD_DEFAULT_DEPTH (1u << 20)           /* bytes followed per direction before the handshake ends */
#define TLSD_DEFAULT_IPFRAG_MEM (16u << 20)     /* all IP fragments held */
#define TLSD_DEFAULT_IPFRAG_MAX (8192u)         /* datagrams under reassembly */
#define TLSD_DEFAULT_IPFRAG_TIMEOUT_S 30
#define TLSD_DEFAULT_MAX_CHAIN 10
#define TLSD_DEFAULT_SNAP_FLOW (64u << 10) /* -w: bytes of packets kept per failed flow */
#define TLSD_DEFAULT_EXPIRY_WARNING_DAYS 14

/* DTLS handshake reassembly (dtls_conn.c), per association and direction:
 * messages reassembled at once (each capped at max_handshake, all together
 * against reasm_mem), delivered messages remembered to recognise a
 * retransmitted flight, and how far past the next expected message_seq a
 * fragment may lie. Fixed: nothing a peer sends makes them grow. */
#define TLSD_DTLS_MSG_SLOTS 4u
#define TLSD_DTLS_SEEN_MSGS 16u
#define TLSD_DTLS_MSG_AHEAD 32u

struct tlsd_limits {
	uint32_t max_flows;
	uint32_t max_udp_flows;
	tlsd_time_ns idle_timeout;
	size_t reasm_mem;
	size_t reasm_per_dir;
	size_t max_handshake;
	uint64_t depth;
	size_t ipfrag_mem;
	uint32_t ipfrag_max;
	tlsd_time_ns ipfrag_timeout;
	uint32_t max_chain;
	size_t snap_flow;
};

void tlsd_limits_default(struct tlsd_limits *lim);

#endif
