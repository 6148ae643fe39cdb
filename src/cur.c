/* The bounds-checked cursor: the big-endian reads are static inline in
 * include/tlsd/cur.h (hot path); the rarely used little-endian ones live
 * here. Only this file and cur.h touch cursor p/len. */
#include "tlsd/cur.h"

bool tlsd_cur_get_u16le(struct tlsd_cur *c, uint16_t *out)
{
	if (c->len < 2)
		return false;
	*out = (uint16_t)(c->p[0] | (c->p[1] << 8));
	tlsd_cur_advance_(c, 2);
	return true;
}

bool tlsd_cur_get_u32le(struct tlsd_cur *c, uint32_t *out)
{
	if (c->len < 4)
		return false;
	*out = (uint32_t)c->p[0] | ((uint32_t)c->p[1] << 8) | ((uint32_t)c->p[2] << 16) |
	       ((uint32_t)c->p[3] << 24);
	tlsd_cur_advance_(c, 4);
	return true;
}
