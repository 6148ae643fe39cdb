/* What a capture proves about one connection (FAILURE-CATALOG.md,
 * "Evidence rules"), computed once from the finished session and read by
 * every diagnosis rule: which directions the capture holds and how much of
 * them, who acted first, what each side had received when it acted, and
 * whether the capture itself was continuous. The session records what
 * happened; this stage says what the capture can show; diagnose.c decides
 * only from these facts. Pure: no I/O, no allocation. */
#ifndef TLSD_EVIDENCE_H
#define TLSD_EVIDENCE_H

#include "tlsd/session_facts.h"

/* A client that ends a connection this soon after its ClientHello, with no
 * answer, is giving up (a preconnect or a race), not waiting for a server. */
#define TLSD_EV_GIVE_UP_NS (TLSD_NS_PER_SEC)
/* A client that rejects a certificate does so within this time of receiving
 * it; a scanner or a client timeout acts later. */
#define TLSD_EV_REJECT_WINDOW_NS (TLSD_NS_PER_SEC)
/* An unanswered ClientHello proves nothing about the server before this. */
#define TLSD_EV_NO_RESPONSE_MIN_NS (TLSD_NS_PER_SEC)

/* One direction, by sender. */
struct tlsd_ev_side {
	bool known;            /* coverage facts came from the flow */
	bool seen;             /* at least one packet of it is in the capture */
	uint32_t packets;
	uint64_t captured;     /* stream bytes the capture holds */
	bool acked_known;
	uint64_t acked;        /* stream bytes the peer acknowledged */
	uint64_t missing;      /* bytes sent (acknowledged, or a gap) that the capture lacks */
	uint64_t snap_cut;     /* of which the capture's snap length cut off */
	bool gap_in_handshake; /* bytes missing before the handshake was over */
};

struct tlsd_evidence {
	struct tlsd_ev_side side[2];

	/* Coverage */
	bool midstream;        /* the capture began inside the connection (no ClientHello) */
	bool one_sided;        /* one direction has no packet although the other's prove it talked */
	enum tlsd_dir absent;  /* ... the direction that is absent */
	bool handshake_gap;    /* bytes of either side missing during the handshake */
	bool overflow;         /* a handshake message above --max-handshake */
	enum tlsd_dir overflow_dir;
	bool limit_hit;        /* a snap length cut or one of tlsdiag's caps stopped it */
	enum tlsd_anomaly limit;

	/* Order: who acted first */
	bool server_spoke;     /* a server byte was captured (or acknowledged) */
	bool client_ended;     /* the client sent a FIN or RST */
	tlsd_time_ns client_end_ts;
	bool client_first;     /* ... before any server byte */
	tlsd_time_ns client_wait; /* ClientHello to the client's FIN/RST; -1 unknown */
	bool server_acked_hello; /* the server's ACKs cover the whole ClientHello */
	/* Its ACKs are in the capture and never covered the whole hello: the
	 * server's TCP did not receive it (lost or dropped on the way, the
	 * capture being nearer the client), whatever the server did next. */
	bool hello_not_received;
	uint64_t hello_acked;    /* ... bytes of the hello (with its headers) it did receive */

	/* What the client had received when it ended the connection */
	bool client_had_flight;    /* its ACKs covered every server byte sent before */
	uint64_t flight_unacked;   /* server bytes it had not acknowledged */
	tlsd_time_ns reaction;     /* the server's last record to the client's end; -1 unknown */

	/* The client accepted the server's certificate: it went on with the
	 * handshake after receiving it (key exchange, CCS, Finished, data). */
	bool client_went_on;

	/* Time */
	tlsd_time_ns silence;  /* longest capture-wide silence inside the connection */
};

void tlsd_evidence_compute(const struct tlsd_session *s, struct tlsd_evidence *ev);

#endif
