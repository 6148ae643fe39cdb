/* TLS record framer for one direction of a connection: turns the in-order
 * byte stream into records, plaintext handshake messages (coalesced and
 * defragmented across records), alerts and ChangeCipherSpec, and notes
 * encrypted records by type and length without copying them.
 *
 * Encrypted bodies (application data, and everything after a TLS <= 1.2
 * ChangeCipherSpec) are not buffered: feed() returns how many bytes beyond
 * the chunk the caller should ask the reassembler to skip. Unless the
 * caller has the keys: want_body() then asks for a body, encrypted_body()
 * hands it over whole, and the caller feeds what it decrypted back with
 * tlsd_tls_dir_feed_inner(), which reassembles protected handshake messages
 * (in a buffer of their own) and reads protected alerts. */
#ifndef TLSD_TLS_RECORD_H
#define TLSD_TLS_RECORD_H

#include "tlsd/buf.h"
#include "tlsd/ctx.h"

enum tlsd_content_type {
	TLSD_CT_CHANGE_CIPHER_SPEC = 20,
	TLSD_CT_ALERT = 21,
	TLSD_CT_HANDSHAKE = 22,
	TLSD_CT_APPLICATION_DATA = 23,
	TLSD_CT_HEARTBEAT = 24,
};

#define TLSD_RECORD_HEADER_LEN 5
#define TLSD_RECORD_MAX_PLAINTEXT (1u << 14)
/* Largest length a well-formed record may declare (2^14 + 2048, RFC 5246). */
#define TLSD_RECORD_MAX_LEN ((1u << 14) + 2048u)

struct tlsd_record_info {
	uint64_t off;       /* stream offset of the record header */
	tlsd_time_ns ts;    /* time of the packet that completed the header */
	uint8_t type;
	uint16_t version;   /* legacy record version */
	uint16_t len;       /* body length */
	bool encrypted;     /* body is not parsed (protected or application data) */
};

/* One complete plaintext handshake message. body is valid only during the
 * callback. For an SSLv2-compatible ClientHello, sslv2 is set, type is 1 and
 * body holds the SSLv2 message after its 2- or 3-byte header. */
struct tlsd_hs_msg {
	uint64_t off;        /* stream offset of the record carrying its first byte */
	tlsd_time_ns ts;     /* time of the packet that completed it */
	uint8_t type;
	uint32_t len;        /* body length */
	const uint8_t *body;
	uint16_t record_version;
	uint16_t records;    /* records it spanned */
	uint16_t chunks;     /* stream deliveries (≈ TCP segments) it spanned; for a
			      * decrypted message, the records */
	bool sslv2;
	bool decrypted;      /* read from protected records (tlsd_tls_dir_feed_inner) */
	/* Larger than --max-handshake: only its header was read (len is 0,
	 * declared_len the length it announced) and its bytes are skipped,
	 * so the messages after it are still framed. */
	bool oversized;
	uint32_t declared_len;
};

/* Why a direction stopped being framed. */
enum tlsd_framing {
	TLSD_FRAMING_OK = 0,
	TLSD_FRAMING_NOT_TLS,   /* first bytes were not a TLS record */
	TLSD_FRAMING_DESYNC,    /* a bad record header later on */
	TLSD_FRAMING_GAP,       /* bytes missing where a header was expected */
	TLSD_FRAMING_OVERFLOW,  /* a handshake message above --max-handshake */
};

/* What the framer reports; every callback is optional. They may call
 * tlsd_tls_dir_set_encrypted() on the same direction. */
struct tlsd_tls_events {
	void (*record)(void *ud, enum tlsd_dir d, const struct tlsd_record_info *ri);
	void (*handshake)(void *ud, enum tlsd_dir d, const struct tlsd_hs_msg *m);
	void (*alert)(void *ud, enum tlsd_dir d, uint8_t level, uint8_t desc, uint64_t off,
		      tlsd_time_ns ts);
	void (*ccs)(void *ud, enum tlsd_dir d, uint64_t off, tlsd_time_ns ts);
	void (*heartbeat)(void *ud, enum tlsd_dir d, uint64_t off, uint16_t len);
	/* A finding about the peer's bytes (TLSD_ANOM_TLS_*), with the offset
	 * and a short static description of the field. */
	void (*anomaly)(void *ud, enum tlsd_dir d, enum tlsd_anomaly a, uint64_t off,
			const char *what);
	/* The direction stopped being framed; sample = its first bytes at the
	 * point of failure (printable evidence such as "HTTP/1.1 400"). */
	void (*framing_lost)(void *ud, enum tlsd_dir d, enum tlsd_framing why, uint64_t off,
			     const uint8_t *sample, size_t sample_len);

	/* Decryption hooks; both or neither. want_body() is asked right after
	 * record() for every record whose body is not parsed in clear
	 * (ri->encrypted), heartbeats included. When it returns true the body
	 * is collected (up to TLSD_RECORD_MAX_LEN, no skip count for it) and
	 * encrypted_body() gets it once complete: in place when the whole body
	 * lies in one fed chunk, else from t->rec. body is NULL (len 0) when a
	 * gap (tlsd_tls_dir_gap) took some of it: count the record (its
	 * sequence number) without decrypting. Exactly one encrypted_body()
	 * call follows each true want_body() unless framing is lost. */
	bool (*want_body)(void *ud, enum tlsd_dir d, const struct tlsd_record_info *ri);
	void (*encrypted_body)(void *ud, enum tlsd_dir d, const struct tlsd_record_info *ri,
			       const uint8_t *body, size_t len);
	/* An alert read from decrypted bytes (tlsd_tls_dir_feed_inner); alert()
	 * is only ever called for alerts sent in clear. */
	void (*alert_decrypted)(void *ud, enum tlsd_dir d, uint8_t level, uint8_t desc,
				uint64_t off, tlsd_time_ns ts);
};

/* Bookkeeping of the handshake message being reassembled. */
struct tlsd_hs_track {
	uint64_t off;               /* offset of the record carrying its first byte */
	uint16_t records, chunks;
	uint16_t record_version;    /* version of that record */
	uint32_t last_feed;         /* feed that last added to it */
	uint32_t last_record;       /* record that last added to it */
};

#define TLSD_SAMPLE_LEN 48

struct tlsd_tls_dir {
	uint64_t off;               /* stream offset of the next byte fed */
	enum tlsd_framing framing;
	bool encrypted;             /* TLS <= 1.2 after ChangeCipherSpec */
	bool started;               /* first record header seen */
	bool midstream;             /* capture began mid-connection: any record type may come first */
	bool in_body;
	uint8_t hdr[TLSD_RECORD_HEADER_LEN];
	uint8_t hdr_len;
	struct tlsd_record_info cur;
	uint32_t body_left;
	uint8_t alert_part[2];      /* alerts may be split across records */
	uint8_t alert_part_len;
	struct tlsd_buf rec;        /* plaintext record body being collected */
	struct tlsd_buf hs;         /* handshake message(s) being reassembled */
	struct tlsd_hs_track hs_track;
	uint32_t hs_skip;           /* bytes of an oversized handshake message still to skip */
	uint32_t records;           /* records seen */
	uint8_t sample[TLSD_SAMPLE_LEN]; /* first bytes of the stream */
	uint8_t sample_len;
	/* Framer bookkeeping (added by the implementation). */
	uint64_t hdr_off;           /* stream offset of the header being collected */
	uint64_t alert_off;         /* record offset of alert_part[0] */
	uint32_t feeds;             /* feed() calls that carried bytes */
	bool skip_body;             /* current body is not parsed (encrypted, heartbeat) */
	bool sslv2;                 /* current record is an SSLv2-compatible ClientHello */
	/* Decryption hook state. */
	bool collect_body;          /* current encrypted body goes to encrypted_body() */
	bool body_lost;             /* a gap took part of it */
	bool inner_lost;            /* decrypted handshake stream over the cap: ignored */
	uint8_t inner_alert[2];     /* decrypted alert split across records */
	uint8_t inner_alert_len;
	uint64_t inner_alert_off;
	uint32_t inner_records;     /* feed_inner() calls */
	struct tlsd_buf inner_hs;   /* decrypted handshake message(s) being reassembled */
	struct tlsd_hs_track inner_track;
};

void tlsd_tls_dir_init(struct tlsd_tls_dir *t, size_t max_handshake);
void tlsd_tls_dir_cleanup(struct tlsd_tls_dir *t);

/* Feeds in-order bytes. Returns the number of bytes after this chunk that
 * belong to an unparsed record body: the caller should skip them in the
 * reassembler (and must then not feed them). The framer counts them as
 * consumed: the next byte fed is taken to be the next record header.
 *
 * Records are reported (record callback) as soon as their header is
 * complete, plaintext ones before any of their content callbacks. After
 * set_encrypted(true), a ChangeCipherSpec record of length 1 and an alert
 * record of length 2 are still parsed as plaintext: a protected record can
 * not be that short, and TLS 1.3 peers send both unprotected (middlebox
 * compatibility CCS; an alert from a client that has not switched keys). */
TLSD_MUST_USE uint64_t tlsd_tls_dir_feed(struct tlsd_tls_dir *t, enum tlsd_dir d,
					 const struct tlsd_tls_events *ev, void *ud,
					 const uint8_t *p, size_t len, tlsd_time_ns ts);
/* len bytes are missing. Inside an unparsed body framing continues; else the
 * direction is lost (TLSD_FRAMING_GAP). */
void tlsd_tls_dir_gap(struct tlsd_tls_dir *t, enum tlsd_dir d, const struct tlsd_tls_events *ev,
		      void *ud, uint64_t len);
void tlsd_tls_dir_set_encrypted(struct tlsd_tls_dir *t, bool encrypted);
/* From the record callback: this record and the ones after it are protected
 * after all (a ChangeCipherSpec that was taken for TLS 1.3's middlebox
 * compatibility one did switch keys). Updates the current record_info. */
void tlsd_tls_dir_protect_current(struct tlsd_tls_dir *t);

/* Feeds the plaintext of one decrypted record of this direction (inner_type:
 * its real content type, the TLS 1.3 inner one; ri: the record as reported).
 * Handshake bytes go through the same message reassembly as plaintext ones,
 * in a separate buffer capped like it, and come out as handshake() with
 * m->decrypted set; alerts go to alert_decrypted(); application data is
 * ignored. Anomalies are reported at ri->off. Call it in record order, from
 * encrypted_body() or later; it does not touch the plaintext framing state,
 * so calling it from inside feed() is fine. */
void tlsd_tls_dir_feed_inner(struct tlsd_tls_dir *t, enum tlsd_dir d,
			     const struct tlsd_tls_events *ev, void *ud, uint8_t inner_type,
			     const uint8_t *p, size_t len, const struct tlsd_record_info *ri);

/* Does this look like the start of a TLS record or SSLv2 ClientHello?
 * (content-based TLS detection). NEED_MORE when too few bytes. */
TLSD_MUST_USE enum tlsd_parse tlsd_tls_looks_like_record(const uint8_t *p, size_t len);
/* The same for a connection picked up mid-stream: any record type. */
TLSD_MUST_USE enum tlsd_parse tlsd_tls_looks_like_midstream_record(const uint8_t *p, size_t len);
/* The capture began mid-connection: accept any record type first. */
void tlsd_tls_dir_set_midstream(struct tlsd_tls_dir *t);

#endif
