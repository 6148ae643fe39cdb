/* Hand-made pcapng blocks for the tests, in either byte order (the layouts
 * of draft-ietf-opsawg-pcapng, written field by field here so that the
 * tests do not depend on the reader's own constants being right):
 *
 *   block:  u32 type | u32 total length | body | u32 total length
 *   SHB:    0x0A0D0D0A | len | 0x1A2B3C4D | u16 1 | u16 0 | i64 -1 | options
 *   IDB:    1 | len | u16 link type | u16 0 | u32 snaplen | options
 *   EPB:    6 | len | u32 if | u32 ts hi | u32 ts lo | u32 caplen | u32 origlen | data | options
 *   option: u16 code | u16 length | value padded to 4 | (u16 0 | u16 0 at the end)
 */
#ifndef TLSD_TEST_PCAPNG_WRITER_H
#define TLSD_TEST_PCAPNG_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ngw {
	uint8_t *b;
	size_t len, cap;
	bool le;        /* byte order of the section being written */
	size_t blk;     /* start of the open block */
};

static inline void ngw_bytes(struct ngw *w, const void *p, size_t n)
{
	if (w->len + n > w->cap) {
		size_t cap = (w->len + n) * 2 + 64;
		uint8_t *nb = realloc(w->b, cap);

		if (!nb)
			abort();
		w->b = nb;
		w->cap = cap;
	}
	if (n)
		memcpy(w->b + w->len, p, n);
	w->len += n;
}

static inline void ngw_u8(struct ngw *w, uint8_t v)
{
	ngw_bytes(w, &v, 1);
}

static inline void ngw_u16(struct ngw *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	if (w->le) {
		b[0] = (uint8_t)v;
		b[1] = (uint8_t)(v >> 8);
	}
	ngw_bytes(w, b, 2);
}

static inline void ngw_u32(struct ngw *w, uint32_t v)
{
	if (w->le) {
		ngw_u16(w, (uint16_t)v);
		ngw_u16(w, (uint16_t)(v >> 16));
	} else {
		ngw_u16(w, (uint16_t)(v >> 16));
		ngw_u16(w, (uint16_t)v);
	}
}

static inline void ngw_u64(struct ngw *w, uint64_t v)
{
	if (w->le) {
		ngw_u32(w, (uint32_t)v);
		ngw_u32(w, (uint32_t)(v >> 32));
	} else {
		ngw_u32(w, (uint32_t)(v >> 32));
		ngw_u32(w, (uint32_t)v);
	}
}

static inline void ngw_pad(struct ngw *w)
{
	static const uint8_t zero[4];

	ngw_bytes(w, zero, (4 - (w->len & 3)) & 3);
}

static inline void ngw_begin(struct ngw *w, uint32_t type)
{
	w->blk = w->len;
	ngw_u32(w, type);
	ngw_u32(w, 0); /* patched by ngw_end */
}

/* Closes the block: both total lengths. */
static inline void ngw_end(struct ngw *w)
{
	uint32_t total = (uint32_t)(w->len + 4 - w->blk);
	size_t at = w->len;

	ngw_u32(w, total);
	w->len = w->blk + 4;
	ngw_u32(w, total);
	w->len = at + 4;
}

static inline void ngw_opt(struct ngw *w, uint16_t code, const void *p, uint16_t n)
{
	ngw_u16(w, code);
	ngw_u16(w, n);
	ngw_bytes(w, p, n);
	ngw_pad(w);
}

static inline void ngw_opt_end(struct ngw *w)
{
	ngw_u16(w, 0);
	ngw_u16(w, 0);
}

/* A Section Header Block in the given byte order, with a shb_userappl. */
static inline void ngw_shb(struct ngw *w, bool le)
{
	w->le = le;
	ngw_begin(w, 0x0A0D0D0Au);
	ngw_u32(w, 0x1A2B3C4Du);
	ngw_u16(w, 1);
	ngw_u16(w, 0);
	ngw_u64(w, UINT64_MAX); /* section length unknown (-1) */
	ngw_opt(w, 4, "tlsdiag test", 12);
	ngw_opt_end(w);
	ngw_end(w);
}

/* An IDB; name may be NULL; tsresol < 0: no if_tsresol option;
 * tsoffset != 0: an if_tsoffset option. */
static inline void ngw_idb(struct ngw *w, uint16_t linktype, uint32_t snaplen, const char *name,
			   int tsresol, int64_t tsoffset)
{
	ngw_begin(w, 1);
	ngw_u16(w, linktype);
	ngw_u16(w, 0);
	ngw_u32(w, snaplen);
	if (name)
		ngw_opt(w, 2, name, (uint16_t)strlen(name));
	if (tsresol >= 0) {
		uint8_t r = (uint8_t)tsresol;

		ngw_opt(w, 9, &r, 1);
	}
	if (tsoffset) {
		ngw_u16(w, 14);
		ngw_u16(w, 8);
		ngw_u64(w, (uint64_t)tsoffset);
	}
	if (name || tsresol >= 0 || tsoffset)
		ngw_opt_end(w);
	ngw_end(w);
}

/* An EPB; comment may be NULL. */
static inline void ngw_epb(struct ngw *w, uint32_t iface, uint64_t ts, const void *data,
			   uint32_t caplen, uint32_t origlen, const char *comment)
{
	ngw_begin(w, 6);
	ngw_u32(w, iface);
	ngw_u32(w, (uint32_t)(ts >> 32));
	ngw_u32(w, (uint32_t)ts);
	ngw_u32(w, caplen);
	ngw_u32(w, origlen);
	ngw_bytes(w, data, caplen);
	ngw_pad(w);
	if (comment) {
		ngw_opt(w, 1, comment, (uint16_t)strlen(comment));
		ngw_opt_end(w);
	}
	ngw_end(w);
}

/* A Decryption Secrets Block. */
static inline void ngw_dsb(struct ngw *w, uint32_t type, const void *data, uint32_t len)
{
	ngw_begin(w, 0x0000000Au);
	ngw_u32(w, type);
	ngw_u32(w, len);
	ngw_bytes(w, data, len);
	ngw_pad(w);
	ngw_end(w);
}

static inline void ngw_free(struct ngw *w)
{
	free(w->b);
	*w = (struct ngw){0};
}

#endif
