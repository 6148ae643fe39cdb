/* QUIC on the wire, as far as a passive observer reads it (RFC 8999, 9000,
 * 9001, 9369; drafts 29-34 where they share version 1's layout):
 * long and short headers, Version Negotiation, Retry, coalesced packets,
 * Initial keys from the client's first Destination Connection ID, keys of
 * the other spaces from TLS secrets (a key log), header protection, packet
 * protection (AES-GCM, ChaCha20-Poly1305) and the frames of a decrypted
 * payload. libcrypto does the cryptography; every read of packet bytes goes
 * through the cursor. No allocation per packet: plaintext lands in the
 * buffer of one struct tlsd_quic_crypto, shared by a whole run. */
#ifndef TLSD_QUIC_H
#define TLSD_QUIC_H

#include "tlsd/cur.h"

#define TLSD_QUIC_V1 0x00000001u
#define TLSD_QUIC_V2 0x6b3343cfu
#define TLSD_QUIC_DRAFT29 0xff00001du
#define TLSD_QUIC_MAX_CID 20
#define TLSD_QUIC_MIN_INITIAL 1200 /* a client's Initial datagram is padded to this */
#define TLSD_QUIC_MAX_DATAGRAM 65527
#define TLSD_QUIC_RESET_MIN 21 /* a stateless reset: 5 unpredictable + 16 token bytes */

enum tlsd_quic_pkt {
	TLSD_QUIC_PKT_INITIAL = 0,
	TLSD_QUIC_PKT_0RTT,
	TLSD_QUIC_PKT_HANDSHAKE,
	TLSD_QUIC_PKT_RETRY,
	TLSD_QUIC_PKT_VN,      /* Version Negotiation (version 0) */
	TLSD_QUIC_PKT_SHORT,   /* 1-RTT */
	TLSD_QUIC_PKT_UNKNOWN, /* a long header of a version we do not read */
};

/* Packet number spaces. */
enum tlsd_quic_space {
	TLSD_QUIC_SPACE_INITIAL = 0,
	TLSD_QUIC_SPACE_HANDSHAKE,
	TLSD_QUIC_SPACE_APP,
	TLSD_QUIC_SPACE__COUNT
};

struct tlsd_quic_cid {
	uint8_t len;
	uint8_t b[TLSD_QUIC_MAX_CID];
};

struct tlsd_quic_hdr {
	enum tlsd_quic_pkt type;
	uint8_t first;              /* first byte, still header-protected */
	uint32_t version;           /* long headers */
	struct tlsd_quic_cid dcid, scid;
	struct tlsd_cur token;      /* Initial: token; Retry: the retry token */
	struct tlsd_cur versions;   /* Version Negotiation: 4 bytes each */
	size_t pn_off;              /* packet number offset (protected packets) */
	size_t len;                 /* bytes of this packet in the datagram */
	struct tlsd_cur pkt;        /* those bytes */
};

/* Version 1, 2 or a draft (0xff00001d-0xff000022) whose Initial we read. */
bool tlsd_quic_version_known(uint32_t v);
/* "v1", "v2", "draft-29", or NULL. */
const char *tlsd_quic_version_name(uint32_t v);
/* A long header (bit 0x80). The fixed bit (0x40) is not checked anywhere
 * but in a client's first Initial: peers may grease it (RFC 9287). */
static inline bool tlsd_quic_is_long(uint8_t b0)
{
	return (b0 & 0x80) != 0;
}

/* Variable-length integer (RFC 9000 16); nothing moves on failure. */
TLSD_MUST_USE bool tlsd_quic_get_varint(struct tlsd_cur *c, uint64_t *out);

/* Parses the packet at the start of *dgram (what is left of a datagram;
 * coalesced packets follow each other). short_dcid_len: the Destination
 * Connection ID length of short headers (known from the connection). On OK,
 * *dgram moves past the packet. NEED_MORE: the datagram was cut (snap
 * length); MALFORMED: not a QUIC packet. Nothing moves on failure. */
TLSD_MUST_USE enum tlsd_parse tlsd_quic_parse(struct tlsd_cur *dgram, size_t short_dcid_len,
					      struct tlsd_quic_hdr *out);

/* The same for a long header of a version we do not read, taken to have
 * version 1's layout (as clients testing Version Negotiation build them). */
TLSD_MUST_USE enum tlsd_parse tlsd_quic_parse_as_v1(struct tlsd_cur *dgram,
						    struct tlsd_quic_hdr *out);

/* ---- packet protection ---- */

enum tlsd_quic_aead {
	TLSD_QUIC_AEAD_NONE = 0,
	TLSD_QUIC_AEAD_AES128GCM,
	TLSD_QUIC_AEAD_AES256GCM,
	TLSD_QUIC_AEAD_CHACHA20,
};

struct tlsd_quic_keys {
	enum tlsd_quic_aead aead; /* NONE: no keys */
	uint8_t key_len;
	uint8_t key[32], iv[12], hp[32];
};

/* Initial keys of both sides from the client's first Destination
 * Connection ID (RFC 9001 5.2, RFC 9369 3.3.1); version 0 means "version
 * 1's keys" (for a version we do not read). 0, -ENOTSUP (version), -EIO. */
TLSD_MUST_USE int tlsd_quic_initial_keys(uint32_t version, const struct tlsd_quic_cid *odcid,
					 struct tlsd_quic_keys *client,
					 struct tlsd_quic_keys *server);
/* Keys of a TLS traffic secret (key log) for a TLS 1.3 suite
 * (RFC 9001 5.1). 0, -ENOTSUP (suite), -EINVAL (secret length), -EIO. */
TLSD_MUST_USE int tlsd_quic_keys_from_secret(uint32_t version, uint16_t suite,
					     const uint8_t *secret, size_t secret_len,
					     struct tlsd_quic_keys *out);

struct tlsd_quic_crypto; /* libcrypto state and buffers shared by a run */

/* NULL on OOM or when libcrypto lacks a needed cipher. */
struct tlsd_quic_crypto *tlsd_quic_crypto_new(void);
void tlsd_quic_crypto_free(struct tlsd_quic_crypto *qc);

enum tlsd_quic_open_result {
	TLSD_QUIC_OPEN_OK = 0,
	TLSD_QUIC_OPEN_BAD,       /* authentication failed: other keys, or altered */
	TLSD_QUIC_OPEN_MALFORMED, /* too short for header protection and a tag */
	TLSD_QUIC_OPEN_INTERNAL,  /* libcrypto failed */
};

struct tlsd_quic_plain {
	uint64_t pn;             /* full packet number */
	uint8_t first;           /* unprotected first byte */
	const uint8_t *payload;  /* frames; valid until the next open on qc */
	size_t len;
};

/* Removes header and packet protection from h->pkt. largest_pn is the
 * highest packet number opened so far in this space and direction, -1 for
 * none (RFC 9000 A.3). *out is written only on OK. */
TLSD_MUST_USE enum tlsd_quic_open_result tlsd_quic_open(struct tlsd_quic_crypto *qc,
							const struct tlsd_quic_keys *k,
							const struct tlsd_quic_hdr *h,
							int64_t largest_pn,
							struct tlsd_quic_plain *out);

/* ---- frames ---- */

struct tlsd_quic_close {
	bool app;             /* 0x1d: application close; 0x1c: transport */
	uint64_t code;
	uint64_t frame_type;  /* 0x1c only: the frame that caused it */
	struct tlsd_cur reason;
};

/* Every callback may be NULL. Views are valid during the call only. */
struct tlsd_quic_frame_events {
	void (*crypto)(void *ud, uint64_t off, struct tlsd_cur data);
	void (*close)(void *ud, const struct tlsd_quic_close *c);
	void (*handshake_done)(void *ud);
	void (*ack_eliciting)(void *ud); /* any frame but PADDING, ACK, CONNECTION_CLOSE */
};

/* Walks the frames of a decrypted payload. MALFORMED at the first frame
 * that does not parse or whose type is unknown (the frames before it have
 * been reported). */
TLSD_MUST_USE enum tlsd_parse tlsd_quic_frames(struct tlsd_cur payload,
					       const struct tlsd_quic_frame_events *ev, void *ud);

/* Transport error names (RFC 9000 20.1, RFC 9368): "PROTOCOL_VIOLATION",
 * "CRYPTO_ERROR" for 0x0100-0x01ff, NULL when unassigned. */
const char *tlsd_quic_error_name(uint64_t code);
#define TLSD_QUIC_CRYPTO_ERROR_BASE 0x0100u

#endif
