/* DTLS records, handshake fragments and first-byte demultiplexing (see
 * dtls.h). */
#include "tlsd/dtls.h"

#include "tlsd/tls_handshake.h"
#include "tlsd/tls_record.h"

/* RFC 9147 4: the unified header's first byte is 0 0 1 C S L E E. */
#define UNIFIED_MASK 0xe0
#define UNIFIED_BITS 0x20
#define UNIFIED_C 0x10 /* connection ID present */
#define UNIFIED_S 0x08 /* 16-bit sequence number (else 8) */
#define UNIFIED_L 0x04 /* length present (else: to the end of the datagram) */
#define UNIFIED_EPOCH 0x03

static bool plain_type(uint8_t t)
{
	return t >= TLSD_CT_CHANGE_CIPHER_SPEC && t <= TLSD_DTLS_CT_ACK;
}

/* struct {
 *     ContentType type;
 *     ProtocolVersion version;
 *     uint16 epoch;
 *     uint48 sequence_number;
 *     uint16 length;
 *     opaque fragment[DTLSPlaintext.length];
 * } DTLSPlaintext;                                        RFC 6347 4.1
 * tls12_cid (RFC 9146 4) puts the negotiated-length CID before length. */
static enum tlsd_parse plain_record(struct tlsd_cur *dg, struct tlsd_dtls_record *out)
{
	struct tlsd_dtls_record r = {.kind = TLSD_DTLS_REC_PLAIN};
	struct tlsd_cur c = *dg;
	size_t total = tlsd_cur_len(dg);
	uint16_t seq_hi;
	uint32_t seq_lo;

	if (!tlsd_cur_get_u8(&c, &r.type) || !tlsd_cur_get_u16(&c, &r.version))
		return TLSD_PARSE_NEED_MORE;
	if (!tlsd_version_is_dtls(r.version))
		return TLSD_PARSE_MALFORMED;
	if (!tlsd_cur_get_u16(&c, &r.epoch) || !tlsd_cur_get_u16(&c, &seq_hi) ||
	    !tlsd_cur_get_u32(&c, &seq_lo))
		return TLSD_PARSE_NEED_MORE;
	r.seq = (uint64_t)seq_hi << 32 | seq_lo;
	r.first = r.type;
	if (r.type == TLSD_DTLS_CT_TLS12_CID) {
		r.kind = TLSD_DTLS_REC_CID;
		r.body = c;
		if (!tlsd_cur_skip(&c, tlsd_cur_len(&c)))
			return TLSD_PARSE_MALFORMED;
	} else if (!tlsd_cur_get_u16_prefixed(&c, &r.body)) {
		return TLSD_PARSE_NEED_MORE;
	}
	r.wire_len = total - tlsd_cur_len(&c);
	*out = r;
	*dg = c;
	return TLSD_PARSE_OK;
}

/* 0 0 1 C S L E E | [Connection ID] | seq (8 or 16) | [length (16)] |
 * encrypted record                                        RFC 9147 4 */
static enum tlsd_parse unified_record(struct tlsd_cur *dg, struct tlsd_dtls_record *out)
{
	struct tlsd_dtls_record r = {.kind = TLSD_DTLS_REC_UNIFIED};
	struct tlsd_cur c = *dg;
	size_t total = tlsd_cur_len(dg);
	uint8_t b;

	if (!tlsd_cur_get_u8(&c, &b))
		return TLSD_PARSE_NEED_MORE;
	r.first = b;
	r.epoch = b & UNIFIED_EPOCH;
	if (b & UNIFIED_C) {
		/* The CID's length was negotiated: nothing after it can be
		 * located. The record runs to the end of the datagram. */
		r.unified_cid = true;
		r.body = c;
		if (!tlsd_cur_skip(&c, tlsd_cur_len(&c)))
			return TLSD_PARSE_MALFORMED;
	} else {
		if (b & UNIFIED_S) {
			uint16_t s16;

			if (!tlsd_cur_get_u16(&c, &s16))
				return TLSD_PARSE_NEED_MORE;
			r.seq = s16;
		} else {
			uint8_t s8;

			if (!tlsd_cur_get_u8(&c, &s8))
				return TLSD_PARSE_NEED_MORE;
			r.seq = s8;
		}
		if (b & UNIFIED_L) {
			if (!tlsd_cur_get_u16_prefixed(&c, &r.body))
				return TLSD_PARSE_NEED_MORE;
		} else {
			r.body = c;
			if (!tlsd_cur_skip(&c, tlsd_cur_len(&c)))
				return TLSD_PARSE_MALFORMED;
		}
	}
	r.wire_len = total - tlsd_cur_len(&c);
	*out = r;
	*dg = c;
	return TLSD_PARSE_OK;
}

enum tlsd_parse tlsd_dtls_record_next(struct tlsd_cur *dg, struct tlsd_dtls_record *out)
{
	uint8_t b;

	if (!tlsd_cur_peek_u8(dg, &b))
		return TLSD_PARSE_NEED_MORE;
	if (plain_type(b))
		return plain_record(dg, out);
	if ((b & UNIFIED_MASK) == UNIFIED_BITS)
		return unified_record(dg, out);
	return TLSD_PARSE_MALFORMED;
}

/* struct {
 *     HandshakeType msg_type;
 *     uint24 length;
 *     uint16 message_seq;
 *     uint24 fragment_offset;
 *     uint24 fragment_length;
 *     ... body fragment ...
 * } Handshake;                                            RFC 6347 4.2.2 */
enum tlsd_parse tlsd_dtls_hs_frag_next(struct tlsd_cur *body, struct tlsd_dtls_hs_frag *out)
{
	struct tlsd_dtls_hs_frag f = {0};
	struct tlsd_cur c = *body;

	if (!tlsd_cur_get_u8(&c, &f.type) || !tlsd_cur_get_u24(&c, &f.msg_len) ||
	    !tlsd_cur_get_u16(&c, &f.message_seq) || !tlsd_cur_get_u24(&c, &f.frag_off) ||
	    !tlsd_cur_get_u24(&c, &f.frag_len))
		return TLSD_PARSE_MALFORMED;
	if (f.frag_off > f.msg_len || f.frag_len > f.msg_len - f.frag_off)
		return TLSD_PARSE_MALFORMED;
	if (!tlsd_cur_get_bytes(&c, &f.data, f.frag_len))
		return TLSD_PARSE_MALFORMED;
	*out = f;
	*body = c;
	return TLSD_PARSE_OK;
}

enum tlsd_dtls_demux tlsd_dtls_demux(uint8_t b)
{
	if (b <= 3)
		return TLSD_DEMUX_STUN;
	if (b >= 16 && b <= 19)
		return TLSD_DEMUX_ZRTP;
	if (b >= 20 && b <= 63)
		return TLSD_DEMUX_DTLS;
	if (b >= 64 && b <= 79)
		return TLSD_DEMUX_TURN_CHANNEL;
	if (b >= 128 && b <= 191)
		return TLSD_DEMUX_RTP;
	return TLSD_DEMUX_OTHER;
}

bool tlsd_dtls_starts_association(const uint8_t *p, size_t len)
{
	struct tlsd_cur dg, body;
	struct tlsd_dtls_record r;
	struct tlsd_dtls_hs_frag f;
	uint16_t hello_version;

	tlsd_cur_init(&dg, p, len);
	if (tlsd_dtls_record_next(&dg, &r) != TLSD_PARSE_OK || r.kind != TLSD_DTLS_REC_PLAIN ||
	    r.type != TLSD_CT_HANDSHAKE || r.epoch != 0)
		return false;
	body = r.body;
	if (tlsd_dtls_hs_frag_next(&body, &f) != TLSD_PARSE_OK || f.type != TLSD_HS_CLIENT_HELLO ||
	    f.frag_off != 0)
		return false;
	return tlsd_cur_get_u16(&f.data, &hello_version) && tlsd_version_is_dtls(hello_version);
}
