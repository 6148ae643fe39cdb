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

/* Every primitive inlined, always: left to its heuristics the compiler
 * split tlsd_cur_get_bytes() into an out-of-line part called per packet. */
#define TLSD_CUR_INLINE static inline __attribute__((always_inline))

struct tlsd_cur {
	const uint8_t *p;
	size_t len;
};

TLSD_CUR_INLINE void tlsd_cur_init(struct tlsd_cur *c, const uint8_t *p, size_t len)
{
	c->p = len ? p : NULL;
	c->len = p ? len : 0;
}

TLSD_CUR_INLINE size_t tlsd_cur_len(const struct tlsd_cur *c)
{
	return c->len;
}

/* Pointer to the unread bytes, for handing a view to a consumer (callbacks,
 * hashing, memcmp). Never index it beyond tlsd_cur_len(). */
TLSD_CUR_INLINE const uint8_t *tlsd_cur_data(const struct tlsd_cur *c)
{
	return c->p;
}

/* Consumes n bytes that the caller knows are there. */
TLSD_CUR_INLINE void tlsd_cur_advance_(struct tlsd_cur *c, size_t n)
{
	if (n) {
		c->p += n;
		c->len -= n;
	}
}

TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_skip(struct tlsd_cur *c, size_t n)
{
	if (n > c->len)
		return false;
	tlsd_cur_advance_(c, n);
	return true;
}

/* Loads of bytes a caller has just bounds-checked: one load and a byte
 * swap. The byte-at-a-time loop they replace was not always merged by the
 * compiler (a shift and an OR per byte, per field, per packet). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define TLSD_CUR_FROM_BE16_(v) __builtin_bswap16(v)
#define TLSD_CUR_FROM_BE32_(v) __builtin_bswap32(v)
#else
#define TLSD_CUR_FROM_BE16_(v) (v)
#define TLSD_CUR_FROM_BE32_(v) (v)
#endif

TLSD_CUR_INLINE uint16_t tlsd_cur_load_be16_(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return (uint16_t)TLSD_CUR_FROM_BE16_(v);
}

TLSD_CUR_INLINE uint32_t tlsd_cur_load_be32_(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return TLSD_CUR_FROM_BE32_(v);
}

/* Reads an n-byte big-endian integer; n <= 4. Every fixed-size read below
 * comes here: with n a constant, the switch folds to one load. */
TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_get_be_(struct tlsd_cur *c, size_t n, uint32_t *out)
{
	uint32_t v;

	if (n > c->len)
		return false;
	switch (n) {
	case 1:
		v = c->p[0];
		break;
	case 2:
		v = tlsd_cur_load_be16_(c->p);
		break;
	case 3:
		v = (uint32_t)tlsd_cur_load_be16_(c->p) << 8 | c->p[2];
		break;
	case 4:
		v = tlsd_cur_load_be32_(c->p);
		break;
	default: /* 0 */
		v = 0;
		break;
	}
	tlsd_cur_advance_(c, n);
	*out = v;
	return true;
}

TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_get_u8(struct tlsd_cur *c, uint8_t *out)
{
	uint32_t v;

	if (!tlsd_cur_get_be_(c, 1, &v))
		return false;
	*out = (uint8_t)v;
	return true;
}

TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_get_u16(struct tlsd_cur *c, uint16_t *out)
{
	uint32_t v;

	if (!tlsd_cur_get_be_(c, 2, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_get_u24(struct tlsd_cur *c, uint32_t *out)
{
	return tlsd_cur_get_be_(c, 3, out);
}

TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_get_u32(struct tlsd_cur *c, uint32_t *out)
{
	return tlsd_cur_get_be_(c, 4, out);
}

/* Little-endian reads, for pcap/DLT_NULL headers written in host order
 * (four per pcap record: inline like the others). */
TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_get_u16le(struct tlsd_cur *c, uint16_t *out)
{
	uint16_t v;

	if (!tlsd_cur_get_u16(c, &v))
		return false;
	*out = __builtin_bswap16(v);
	return true;
}

TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_get_u32le(struct tlsd_cur *c, uint32_t *out)
{
	uint32_t v;

	if (!tlsd_cur_get_be_(c, 4, &v))
		return false;
	*out = __builtin_bswap32(v);
	return true;
}

/* Read a byte at offset `off` without consuming (for lookahead checks). */
TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_peek_at(const struct tlsd_cur *c, size_t off,
						  uint8_t *out)
{
	if (off >= c->len)
		return false;
	*out = c->p[off];
	return true;
}

TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_peek_u8(const struct tlsd_cur *c, uint8_t *out)
{
	return tlsd_cur_peek_at(c, 0, out);
}

TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_peek_u16(const struct tlsd_cur *c, uint16_t *out)
{
	struct tlsd_cur copy = *c;

	return tlsd_cur_get_u16(&copy, out);
}

/* Split off the next n bytes as their own cursor. */
TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_get_bytes(struct tlsd_cur *c, struct tlsd_cur *out,
						    size_t n)
{
	if (n > c->len)
		return false;
	/* As tlsd_cur_init(out, c->p, n) (c->p is NULL only when c->len, and
	 * so n, is 0), but with out->len plainly n: a constant n then lets the
	 * compiler drop the checks of reads from *out that fit in it. */
	out->p = n ? c->p : NULL;
	out->len = n;
	tlsd_cur_advance_(c, n);
	return true;
}

TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_copy(struct tlsd_cur *c, uint8_t *dst, size_t n)
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
TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_get_prefixed_(struct tlsd_cur *c, struct tlsd_cur *out,
							size_t len_bytes)
{
	struct tlsd_cur copy = *c;
	uint32_t n;

	if (!tlsd_cur_get_be_(&copy, len_bytes, &n) || n > copy.len)
		return false;
	out->p = n ? copy.p : NULL; /* as in tlsd_cur_get_bytes() */
	out->len = n;
	tlsd_cur_advance_(&copy, n);
	*c = copy;
	return true;
}

TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_get_u8_prefixed(struct tlsd_cur *c, struct tlsd_cur *out)
{
	return tlsd_cur_get_prefixed_(c, out, 1);
}

TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_get_u16_prefixed(struct tlsd_cur *c,
							   struct tlsd_cur *out)
{
	return tlsd_cur_get_prefixed_(c, out, 2);
}

TLSD_MUST_USE TLSD_CUR_INLINE bool tlsd_cur_get_u24_prefixed(struct tlsd_cur *c,
							   struct tlsd_cur *out)
{
	return tlsd_cur_get_prefixed_(c, out, 3);
}

#endif
