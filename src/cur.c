/* The bounds-checked cursor: the only code that touches cursor p/len. */
#include "tlsd/cur.h"

#include <string.h>

void tlsd_cur_init(struct tlsd_cur *c, const uint8_t *p, size_t len)
{
	c->p = len ? p : NULL;
	c->len = p ? len : 0;
}

size_t tlsd_cur_len(const struct tlsd_cur *c)
{
	return c->len;
}

const uint8_t *tlsd_cur_data(const struct tlsd_cur *c)
{
	return c->p;
}

bool tlsd_cur_skip(struct tlsd_cur *c, size_t n)
{
	if (n > c->len)
		return false;
	if (n) {
		c->p += n;
		c->len -= n;
	}
	return true;
}

/* Reads an n-byte big-endian integer; n <= 4. */
static bool get_be(struct tlsd_cur *c, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (n > c->len)
		return false;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | c->p[i];
	c->p += n;
	c->len -= n;
	*out = v;
	return true;
}

bool tlsd_cur_get_u8(struct tlsd_cur *c, uint8_t *out)
{
	uint32_t v;

	if (!get_be(c, 1, &v))
		return false;
	*out = (uint8_t)v;
	return true;
}

bool tlsd_cur_get_u16(struct tlsd_cur *c, uint16_t *out)
{
	uint32_t v;

	if (!get_be(c, 2, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

bool tlsd_cur_get_u24(struct tlsd_cur *c, uint32_t *out)
{
	return get_be(c, 3, out);
}

bool tlsd_cur_get_u32(struct tlsd_cur *c, uint32_t *out)
{
	return get_be(c, 4, out);
}

bool tlsd_cur_get_u16le(struct tlsd_cur *c, uint16_t *out)
{
	if (c->len < 2)
		return false;
	*out = (uint16_t)(c->p[0] | (c->p[1] << 8));
	c->p += 2;
	c->len -= 2;
	return true;
}

bool tlsd_cur_get_u32le(struct tlsd_cur *c, uint32_t *out)
{
	if (c->len < 4)
		return false;
	*out = (uint32_t)c->p[0] | ((uint32_t)c->p[1] << 8) | ((uint32_t)c->p[2] << 16) |
	       ((uint32_t)c->p[3] << 24);
	c->p += 4;
	c->len -= 4;
	return true;
}

bool tlsd_cur_peek_u8(const struct tlsd_cur *c, uint8_t *out)
{
	return tlsd_cur_peek_at(c, 0, out);
}

bool tlsd_cur_peek_u16(const struct tlsd_cur *c, uint16_t *out)
{
	struct tlsd_cur copy = *c;

	return tlsd_cur_get_u16(&copy, out);
}

bool tlsd_cur_peek_at(const struct tlsd_cur *c, size_t off, uint8_t *out)
{
	if (off >= c->len)
		return false;
	*out = c->p[off];
	return true;
}

bool tlsd_cur_get_bytes(struct tlsd_cur *c, struct tlsd_cur *out, size_t n)
{
	if (n > c->len)
		return false;
	tlsd_cur_init(out, c->p, n);
	if (n) {
		c->p += n;
		c->len -= n;
	}
	return true;
}

bool tlsd_cur_copy(struct tlsd_cur *c, uint8_t *dst, size_t n)
{
	if (n > c->len)
		return false;
	if (n) {
		memcpy(dst, c->p, n);
		c->p += n;
		c->len -= n;
	}
	return true;
}

/* Length-prefixed vector: work on a copy and commit only on success, so a
 * failure leaves both *c and *out untouched. */
static bool get_prefixed(struct tlsd_cur *c, struct tlsd_cur *out, size_t len_bytes)
{
	struct tlsd_cur copy = *c;
	uint32_t n;

	if (!get_be(&copy, len_bytes, &n) || n > copy.len)
		return false;
	tlsd_cur_init(out, copy.p, n);
	if (n) {
		copy.p += n;
		copy.len -= n;
	}
	*c = copy;
	return true;
}

bool tlsd_cur_get_u8_prefixed(struct tlsd_cur *c, struct tlsd_cur *out)
{
	return get_prefixed(c, out, 1);
}

bool tlsd_cur_get_u16_prefixed(struct tlsd_cur *c, struct tlsd_cur *out)
{
	return get_prefixed(c, out, 2);
}

bool tlsd_cur_get_u24_prefixed(struct tlsd_cur *c, struct tlsd_cur *out)
{
	return get_prefixed(c, out, 3);
}
