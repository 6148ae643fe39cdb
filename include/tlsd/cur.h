/* The one bounds-checked read cursor over untrusted bytes (BoringSSL CBS shape).
 *
 * A cursor is a view {p, len}: it never owns p. Every read goes through one of
 * these functions; nothing else in tlsdiag indexes packet bytes. Stronger than
 * CBS: a call that fails changes neither *c nor *out. */
#ifndef TLSD_CUR_H
#define TLSD_CUR_H

#include "tlsd/common.h"

struct tlsd_cur {
	const uint8_t *p;
	size_t len;
};

void tlsd_cur_init(struct tlsd_cur *c, const uint8_t *p, size_t len);
size_t tlsd_cur_len(const struct tlsd_cur *c);
/* Pointer to the unread bytes, for handing a view to a consumer (callbacks,
 * hashing, memcmp). Never index it beyond tlsd_cur_len(). */
const uint8_t *tlsd_cur_data(const struct tlsd_cur *c);

TLSD_MUST_USE bool tlsd_cur_skip(struct tlsd_cur *c, size_t n);
TLSD_MUST_USE bool tlsd_cur_get_u8(struct tlsd_cur *c, uint8_t *out);
TLSD_MUST_USE bool tlsd_cur_get_u16(struct tlsd_cur *c, uint16_t *out);
TLSD_MUST_USE bool tlsd_cur_get_u24(struct tlsd_cur *c, uint32_t *out);
TLSD_MUST_USE bool tlsd_cur_get_u32(struct tlsd_cur *c, uint32_t *out);
/* Little-endian reads, for pcap/DLT_NULL headers written in host order. */
TLSD_MUST_USE bool tlsd_cur_get_u16le(struct tlsd_cur *c, uint16_t *out);
TLSD_MUST_USE bool tlsd_cur_get_u32le(struct tlsd_cur *c, uint32_t *out);
TLSD_MUST_USE bool tlsd_cur_peek_u8(const struct tlsd_cur *c, uint8_t *out);
TLSD_MUST_USE bool tlsd_cur_peek_u16(const struct tlsd_cur *c, uint16_t *out);
/* Read a byte at offset `off` without consuming (for lookahead checks). */
TLSD_MUST_USE bool tlsd_cur_peek_at(const struct tlsd_cur *c, size_t off, uint8_t *out);
/* Split off the next n bytes as their own cursor. */
TLSD_MUST_USE bool tlsd_cur_get_bytes(struct tlsd_cur *c, struct tlsd_cur *out, size_t n);
TLSD_MUST_USE bool tlsd_cur_copy(struct tlsd_cur *c, uint8_t *dst, size_t n);
/* Length-prefixed vectors (TLS opaque<..>): the body becomes a sub-cursor. */
TLSD_MUST_USE bool tlsd_cur_get_u8_prefixed(struct tlsd_cur *c, struct tlsd_cur *out);
TLSD_MUST_USE bool tlsd_cur_get_u16_prefixed(struct tlsd_cur *c, struct tlsd_cur *out);
TLSD_MUST_USE bool tlsd_cur_get_u24_prefixed(struct tlsd_cur *c, struct tlsd_cur *out);

#endif
