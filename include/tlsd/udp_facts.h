/* What the QUIC and DTLS glue (quic_conn.c, dtls_conn.c) saw of one
 * connection besides its TLS messages: the transport's own facts, kept in
 * the session for diagnose_udp.c. Bounded: counters and first/last events. */
#ifndef TLSD_UDP_FACTS_H
#define TLSD_UDP_FACTS_H

#include "tlsd/report.h"
#include "tlsd/udp_flow.h"

#define TLSD_UDP_MAX_VN 8
/* DTLS: a copy of a flight sent sooner than this after the same side's
 * previous datagram is part of the same sending, not a retransmission
 * round (timers start at 100 ms to 1 s, RFC 9147 5.8, RFC 6347 4.2.4). */
#define TLSD_DTLS_RETX_GAP (TLSD_NS_PER_SEC / 100)

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

	/* DTLS (dtls_conn.c) */
	uint16_t dtls_version;      /* record version of the client's first hello */
	uint32_t hvr;               /* HelloVerifyRequests (each copy) */
	tlsd_time_ns hvr_first_ts, hvr_ts; /* the first and the last one */
	uint8_t hvr_cookie_len;     /* cookie length of the last one */
	uint32_t hvr_after_cookie;  /* ... that answered a hello carrying a cookie */
	uint32_t cookie_hellos;     /* ClientHellos carrying a cookie (each copy) */
	tlsd_time_ns cookie_hello_ts;   /* the first one */
	uint32_t plain_hellos_after_hvr; /* ... without a cookie, after an HVR (each copy) */
	uint32_t cli_after_hvr;     /* client datagrams since the first HVR */
	uint32_t srv_after_cookie;  /* server datagrams after the first cookie hello */
	uint32_t retransmits[2];    /* datagrams that carried a flight again */
	tlsd_time_ns last_retransmit_ts[2];
	uint32_t flights[2];        /* flights each side started */
	bool any_flight;
	enum tlsd_dir last_flight;  /* who sent the most recent flight */
	uint32_t flight_retx[2];    /* times each side's latest flight was sent again (rounds:
				     * copies closer than TLSD_DTLS_RETX_GAP count once) */
	tlsd_time_ns flight_ts[2];  /* its first datagram */
	uint32_t flight_max[2];     /* its largest datagram (UDP payload bytes) */
	uint32_t flight_datagrams[2];
	uint32_t answered_max[2];   /* largest datagram of a flight of this side that the
				     * peer answered (so it arrived) */
	uint32_t peer_retx_during[2]; /* retransmissions by the peer of its own flight after
				       * this side's latest flight began */
	uint32_t dtls_records[2];
	uint32_t dtls13_records[2]; /* unified headers (DTLS 1.3, protected) */
	uint32_t other_datagrams;   /* STUN, RTP, ... on the same 5-tuple */
	uint32_t undecodable[2];    /* datagrams or records that are not DTLS */
	bool frag_cap;              /* a message's fragments went over a cap */
};

struct tlsd_session;

/* Glue shared by quic_conn.c and dtls_conn.c (src/udp_facts.c). */

/* A session for a QUIC connection or DTLS association whose client's first
 * datagram is pkt: the run's certificate stage and fingerprint choice,
 * the server's port. NULL on OOM. */
struct tlsd_conn_cfg;
struct tlsd_session *tlsd_udp_session_new(const struct tlsd_ctx *ctx,
					  const struct tlsd_conn_cfg *cfg,
					  enum tlsd_transport t, const struct tlsd_pkt *pkt);

/* The first datagram of direction d: counts, times and its size. */
void tlsd_udp_facts_datagram(struct tlsd_udp_facts *uf, enum tlsd_dir d,
			     const struct tlsd_pkt *pkt);
/* An ICMP error quoting a datagram of direction d (only the first is kept). */
void tlsd_udp_facts_icmp(struct tlsd_udp_facts *uf, const struct tlsd_udp_flow *f,
			 enum tlsd_dir d, const struct tlsd_pkt *pkt);
/* Ends session s (its last packet, or ICMP error, ends it) and builds its
 * report with the flow's endpoints; with_cover: the datagrams of each
 * direction are the evidence stage's coverage (what the capture held). */
void tlsd_udp_session_report(struct tlsd_session *s, const struct tlsd_udp_flow *f,
			     enum tlsd_udp_end how, bool with_cover, struct tlsd_report *r);

#endif
