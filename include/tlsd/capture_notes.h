/* What a capture file says about a connection's packets beyond their bytes
 * (pcapng): the name of the interface its first packet was captured on, and
 * the packet comments. Kept per connection in bounded memory, copied into
 * its report; the TCP (conn.c) and UDP (udp_conn.c) consumers share it.
 *
 * Interface names are interned (at most TLSD_NOTES_MAX_IFNAMES per table;
 * more are not reported): a connection keeps a one-byte index, and the names
 * outlive the capture file that gave them (connections continue across
 * files). A connection keeps its first TLSD_MAX_COMMENTS comments, each cut
 * at TLSD_COMMENT_LEN bytes, and counts them all; nothing is allocated for a
 * connection without comments. */
#ifndef TLSD_CAPTURE_NOTES_H
#define TLSD_CAPTURE_NOTES_H

#include "tlsd/decode.h"
#include "tlsd/report.h"

#define TLSD_NOTES_MAX_IFNAMES 255u

/* Interned interface names; {0} is an empty table. */
struct tlsd_ifnames {
	char (*names)[TLSD_IFACE_NAME_LEN]; /* allocated at the first name */
	uint8_t n;
	uint8_t last; /* index + 1 of the last name looked up */
};

struct tlsd_notes_comments;

/* One connection's notes; {0} is empty. */
struct tlsd_conn_notes {
	uint8_t iface; /* index + 1 into the table; 0: none */
	struct tlsd_notes_comments *comments;
};

/* The connection's first packet: its interface. */
void tlsd_notes_open(struct tlsd_ifnames *t, struct tlsd_conn_notes *n,
		     const struct tlsd_pkt *pkt);
/* Into the report: interface, comments, comments_total. */
void tlsd_notes_report(const struct tlsd_ifnames *t, const struct tlsd_conn_notes *n,
		       struct tlsd_report *r);
/* Forgets the comments (the interface stays). */
void tlsd_notes_cleanup(struct tlsd_conn_notes *n);
void tlsd_ifnames_cleanup(struct tlsd_ifnames *t);

void tlsd_notes_comment_(struct tlsd_conn_notes *n, const struct tlsd_pkt *pkt);

/* Every packet of the connection: its comment, if any (inline: one test
 * per packet, a call only for a comment). */
static inline void tlsd_notes_packet(struct tlsd_conn_notes *n, const struct tlsd_pkt *pkt)
{
	if (pkt->frame && pkt->frame->comment)
		tlsd_notes_comment_(n, pkt);
}

#endif
