/* The one bounds-checked read cursor over untrusted bytes (BoringSSL CBS shape).
 *
 * A cursor is a view {p, len}: it never owns p. Every read goes through one of
 * these functions; nothing else in tlsdiag indexes packet bytes. Stronger than
 * CBS: a call that fails changes neither *c nor *out.
 *
 * The reads run for every field of every packet, so they are defined here,
 * static inline (an out-of-line call per field cost ~4 % of a run); only
 * this header touches p/len. */
#ifndef TLSD_CUR_H
#define TLSD_CUR_H

#include <string.h>

#include "tlsd/common.h"

struct tlsd_cur {
	const uint8_t *p;
	size_t len;
};

static inline void tlsd_cur_init(struct tlsd_cur *c, const uint8_t *p, size_t len)
{
	c->p = len ? p : NULL;
	c->len = p ? len : 0;
}

static inline size_t tlsd_cur_len(const struct tlsd_cur *c)
{
	return c->len;
}

/* Pointer to the unread bytes, for handing a view to a consumer (callbacks,
 * hashing, memcmp). Never index it beyond tlsd_cur_len(). */
static inline const uint8_t *tlsd_cur_data(const struct tlsd_cur *c)
{
	return c->p;
}

/* Consumes n bytes that the caller knows are there. */
static inline void tlsd_cur_advance_(struct tlsd_cur *c, size_t n)
{
	if (n) {
		c->p += n;
		c->len -= n;
	}
}

TLSD_MUST_USE static inline bool tlsd_cur_skip(struct tlsd_cur *c, size_t n)
{
	if (n > c->len)
		return false;
	tlsd_cur_advance_(c, n);
	return true;
}

/* Reads an n-byte big-endian integer; n <= 4. */
TLSD_MUST_USE static inline bool tlsd_cur_get_be_(struct tlsd_cur *c, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (n > c->len)
		return false;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | c->p[i];
	tlsd_cur_advance_(c, n);
	*out = v;
	return true;
}

TLSD_MUST_USE static inline bool tlsd_cur_get_u8(struct tlsd_cur *c, uint8_t *out)
{
	uint32_t v;

	if (!tlsd_cur_get_be_(c, 1, &v))
		return false;
	*out = (uint8_t)v;
	return true;
}

TLSD_MUST_USE static inline bool tlsd_cur_get_u16(struct tlsd_cur *c, uint16_t *out)
{
	uint32_t v;

	if (!tlsd_cur_get_be_(c, 2, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

TLSD_MUST_USE static inline bool tlsd_cur_get_u24(struct tlsd_cur *c, uint32_t *out)
{
	return tlsd_cur_get_be_(c, 3, out);
}

TLSD_MUST_USE static inline bool tlsd_cur_get_u32(struct tlsd_cur *c, uint32_t *out)
{
	return tlsd_cur_get_be_(c, 4, out);
}

/* Little-endian reads, for pcap/DLT_NULL headers written in host order
 * (four per pcap record: inline like the others). */
TLSD_MUST_USE static inline bool tlsd_cur_get_u16le(struct tlsd_cur *c, uint16_t *out)
{
	if (c->len < 2)
		return false;
	*out = (uint16_t)(c->p[0] | (c->p[1] << 8));
	tlsd_cur_advance_(c, 2);
	return true;
}

TLSD_MUST_USE static inline bool tlsd_cur_get_u32le(struct tlsd_cur *c, uint32_t *out)
{
	if (c->len < 4)
		return false;
	*out = (uint32_t)c->p[0] | ((uint32_t)c->p[1] << 8) | ((uint32_t)c->p[2] << 16) |
	       ((uint32_t)c->p[3] << 24);
	tlsd_cur_advance_(c, 4);
	return true;
}

/* Read a byte at offset `off` without consuming (for lookahead checks). */
TLSD_MUST_USE static inline bool tlsd_cur_peek_at(const struct tlsd_cur *c, size_t off,
						  uint8_t *out)
{
	if (off >= c->len)
		return false;
	*out = c->p[off];
	return true;
}

TLSD_MUST_USE static inline bool tlsd_cur_peek_u8(const struct tlsd_cur *c, uint8_t *out)
{
	return tlsd_cur_peek_at(c, 0, out);
}

TLSD_MUST_USE static inline bool tlsd_cur_peek_u16(const struct tlsd_cur *c, uint16_t *out)
{
	struct tlsd_cur copy = *c;

	return tlsd_cur_get_u16(&copy, out);
}

/* Split off the next n bytes as their own cursor. */
TLSD_MUST_USE static inline bool tlsd_cur_get_bytes(struct tlsd_cur *c, struct tlsd_cur *out,
						    size_t n)
{
	if (n > c->len)
		return false;
	tlsd_cur_init(out, c->p, n);
	tlsd_cur_advance_(c, n);
	return true;
}

TLSD_MUST_USE static inline bool tlsd_cur_copy(struct tlsd_cur *c, uint8_t *dst, size_t n)
{
	if (n > c->len)
		return false;
	if (n)
		memcpy(dst, c->p, n);
	tlsd_cur_advance_(c, n);
	return true;
}

/* Length-prefixed vectors (TLS opaque<..>): the body becomes a sub-cursor.
 * Works on a copy and commits only on success, so a failure leaves both *c
 * and *out untouched. */
TLSD_MUST_USE static inline bool tlsd_cur_get_prefixed_(struct tlsd_cur *c, struct tlsd_cur *out,
							size_t len_bytes)
{
	struct tlsd_cur copy = *c;
	uint32_t n;

	if (!tlsd_cur_get_be_(&copy, len_bytes, &n) || n > copy.len)
		return false;
	tlsd_cur_init(out, copy.p, n);
	tlsd_cur_advance_(&copy, n);
	*c = copy;
	return true;
}

TLSD_MUST_USE static inline bool tlsd_cur_get_u8_prefixed(struct tlsd_cur *c, struct tlsd_cur *out)
{
	return tlsd_cur_get_prefixed_(c, out, 1);
}

TLSD_MUST_USE static inline bool tlsd_cur_get_u16_prefixed(struct tlsd_cur *c,
							   struct tlsd_cur *out)
{
	return tlsd_cur_get_prefixed_(c, out, 2);
}

TLSD_MUST_USE static inline bool tlsd_cur_get_u24_prefixed(struct tlsd_cur *c,
							   struct tlsd_cur *out)
{
	return tlsd_cur_get_prefixed_(c, out, 3);
}

#endif
