/* DTLS on the wire, as far as a passive observer reads it: the record
 * layer of DTLS 1.0 and 1.2 (RFC 6347 4.1: a 13-byte header with epoch and
 * 48-bit sequence number, several records per datagram), handshake message
 * fragments (RFC 6347 4.2.2: a 12-byte header with message_seq,
 * fragment_offset and fragment_length), DTLS 1.3's unified header (RFC 9147
 * 4: recognised and sized, never decrypted), and the first-byte rule that
 * keeps DTLS apart from STUN, ZRTP, TURN channels and RTP/RTCP sharing one
 * 5-tuple (RFC 7983, RFC 9443). Pure functions over the cursor: no
 * allocation, no state. */
#ifndef TLSD_DTLS_H
#define TLSD_DTLS_H

#include "tlsd/cur.h"

#define TLSD_DTLS_RECORD_HEADER_LEN 13
#define TLSD_DTLS_HS_HEADER_LEN 12
/* The largest record a peer may send (DTLSCiphertext, 2^14 + 2048). */
#define TLSD_DTLS_MAX_RECORD ((1u << 14) + 2048u)
/* RFC 9146 content type of a DTLS 1.2 record carrying a connection ID. */
#define TLSD_DTLS_CT_TLS12_CID 25
/* RFC 9147 7: DTLS 1.3 ACK (sent protected, in a unified header). */
#define TLSD_DTLS_CT_ACK 26

enum tlsd_dtls_rec_kind {
	TLSD_DTLS_REC_PLAIN = 0, /* 13-byte header: DTLSPlaintext, or DTLSCiphertext of 1.0/1.2 */
	TLSD_DTLS_REC_UNIFIED,   /* DTLS 1.3 unified header (first bits 001): protected */
	TLSD_DTLS_REC_CID,       /* tls12_cid: the CID's length was negotiated, so
				  * the header's end is unknown; body = rest of the datagram */
};

struct tlsd_dtls_record {
	enum tlsd_dtls_rec_kind kind;
	uint8_t type;        /* content type; unified: 0 (the real one is protected) */
	uint8_t first;       /* first byte on the wire */
	uint16_t version;    /* record version; unified: 0 */
	uint16_t epoch;      /* unified: its low two bits */
	uint64_t seq;        /* 48 bits; unified: the (protected) low 8 or 16 bits */
	bool unified_cid;    /* unified header with a connection ID: body = rest */
	struct tlsd_cur body;
	size_t wire_len;     /* header + body */
};

/* Reads the record at the start of *dg and moves *dg past it.
 * OK: *out filled. NEED_MORE: the datagram ends inside the header or body
 * (a cut datagram, or a length that lies). MALFORMED: the first byte is no
 * DTLS content type nor a unified header, or a 13-byte header whose
 * version is no DTLS version. Nothing is written or moved unless OK. */
TLSD_MUST_USE enum tlsd_parse tlsd_dtls_record_next(struct tlsd_cur *dg,
						    struct tlsd_dtls_record *out);

struct tlsd_dtls_hs_frag {
	uint8_t type;          /* HandshakeType */
	uint32_t msg_len;      /* length of the whole message */
	uint16_t message_seq;
	uint32_t frag_off, frag_len;
	struct tlsd_cur data;  /* frag_len bytes */
};

/* Reads the handshake fragment at the start of a plaintext handshake
 * record's body and moves *body past it (a record may carry several).
 * MALFORMED: a header cut short, a fragment running past the message
 * (fragment_offset + fragment_length > length) or past the record. Nothing
 * is written or moved unless OK. */
TLSD_MUST_USE enum tlsd_parse tlsd_dtls_hs_frag_next(struct tlsd_cur *body,
						     struct tlsd_dtls_hs_frag *out);

/* What a UDP datagram carries by its first byte (RFC 7983 7, RFC 9443). */
enum tlsd_dtls_demux {
	TLSD_DEMUX_STUN = 0,     /* 0-3 */
	TLSD_DEMUX_ZRTP,         /* 16-19 */
	TLSD_DEMUX_DTLS,         /* 20-63 */
	TLSD_DEMUX_TURN_CHANNEL, /* 64-79 */
	TLSD_DEMUX_RTP,          /* 128-191: RTP or RTCP */
	TLSD_DEMUX_OTHER,        /* anything else (QUIC's ranges among them) */
};

enum tlsd_dtls_demux tlsd_dtls_demux(uint8_t first);

/* Does this datagram open a DTLS association: its first record a
 * plaintext epoch-0 handshake record whose first fragment is the start of
 * a ClientHello (DTLS version in record and hello)? */
bool tlsd_dtls_starts_association(const uint8_t *p, size_t len);

#endif
