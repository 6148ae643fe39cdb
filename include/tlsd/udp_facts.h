/* What the QUIC and DTLS glue (quic_conn.c, dtls_conn.c) saw of one
 * connection besides its TLS messages: the transport's own facts, kept in
 * the session for diagnose_udp.c. Bounded: counters and first/last events. */
#ifndef TLSD_UDP_FACTS_H
#define TLSD_UDP_FACTS_H

#include "tlsd/report.h"

#define TLSD_UDP_MAX_VN 8

/* The first CONNECTION_CLOSE of a QUIC connection. */
struct tlsd_quic_close_fact {
	bool seen;
	bool app;               /* 0x1d */
	bool encrypted;         /* inferred: a packet we could not read ended it */
	enum tlsd_dir dir;
	uint8_t space;          /* enum tlsd_quic_space it came in */
	uint64_t code, frame_type;
	uint16_t reason_len;
	uint8_t reason[TLSD_QUIC_REASON_LEN];
	tlsd_time_ns ts;
};

struct tlsd_udp_facts {
	/* Datagrams per direction (index enum tlsd_dir) */
	uint32_t datagrams[2];
	uint32_t max_datagram[2];   /* UDP payload bytes */
	tlsd_time_ns first_ts[2], last_ts[2];

	uint16_t server_port;

	/* QUIC */
	uint32_t quic_version;      /* of the client's first Initial */
	uint32_t server_version;    /* of the server's first Initial; 0 none */
	uint32_t initials[2], handshakes[2], shorts[2], zero_rtt;
	uint32_t unreadable[2];     /* protected packets we had no keys for */
	uint64_t hs_bytes[2];       /* bytes of Handshake packets */
	tlsd_time_ns first_hs_ts[2], first_short_ts[2];
	uint32_t srv_short_after_cli_hs; /* server 1-RTT packets after the client's first Handshake packet */
	uint32_t srv_hs_after_cli_hs;    /* server Handshake packets after it */
	uint32_t cli_short_after_srv_hs; /* client 1-RTT packets after the server's first Handshake packet */
	tlsd_time_ns last_srv_hs_ts;
	bool vn;                    /* Version Negotiation from the server */
	uint8_t n_vn;
	uint32_t vn_versions[TLSD_UDP_MAX_VN];
	tlsd_time_ns vn_ts;
	uint8_t retries;            /* Retry packets */
	tlsd_time_ns retry_ts;
	bool retry_token_used;      /* a client Initial after the Retry carried a token */
	uint32_t initials_after_retry;
	bool handshake_done;        /* HANDSHAKE_DONE read (key log) */
	bool hs_keys;               /* Handshake packets read with the key log */
	bool stateless_reset;       /* a datagram from the server that is no packet of this
				     * connection, after which it went silent */
	enum tlsd_dir reset_dir;
	tlsd_time_ns reset_ts;
	struct tlsd_quic_close_fact close;
	uint32_t closes;            /* CONNECTION_CLOSE frames read */
	bool crypto_cap;            /* a CRYPTO stream went over --max-handshake */

	/* ICMP errors quoting our datagrams */
	uint32_t icmp;
	uint8_t icmp_type, icmp_code, icmp_ip_version;
	enum tlsd_dir icmp_about;   /* direction of the quoted datagram */
	bool icmp_from_peer;        /* sent by the quoted datagram's destination itself */
	struct tlsd_addr icmp_from;
	tlsd_time_ns icmp_ts;

	/* DTLS */
	uint32_t hvr;               /* HelloVerifyRequests */
	tlsd_time_ns hvr_ts;
	uint32_t cookie_hellos;     /* ClientHellos carrying a cookie */
	uint32_t retransmits[2];    /* handshake messages sent again */
	uint32_t flights[2];
	tlsd_time_ns last_retransmit_ts[2];
	uint32_t dtls_records[2];
	uint32_t other_datagrams;   /* STUN, RTP, ... on the same 5-tuple */
};

#endif
