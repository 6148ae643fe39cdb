/* Out-of-order reassembly into one capped buffer (see rangebuf.h). */
#include "tlsd/rangebuf.h"

#include <errno.h>
#include <string.h>

void tlsd_rangebuf_init(struct tlsd_rangebuf *rb, size_t cap)
{
	*rb = (struct tlsd_rangebuf){0};
	tlsd_buf_init(&rb->buf, cap);
}

void tlsd_rangebuf_cleanup(struct tlsd_rangebuf *rb)
{
	if (!rb)
		return;
	tlsd_buf_cleanup(&rb->buf);
	rb->n = 0;
}

void tlsd_rangebuf_reset(struct tlsd_rangebuf *rb)
{
	size_t cap = rb->buf.cap;

	tlsd_rangebuf_cleanup(rb);
	tlsd_rangebuf_init(rb, cap);
}

void tlsd_rangebuf_clear(struct tlsd_rangebuf *rb)
{
	tlsd_buf_reset(&rb->buf);
	rb->n = 0;
	rb->differs = false;
}

uint64_t tlsd_rangebuf_held(const struct tlsd_rangebuf *rb)
{
	uint64_t n = 0;

	for (uint8_t i = 0; i < rb->n; i++)
		n += rb->r[i].end - rb->r[i].start;
	return n;
}

uint64_t tlsd_rangebuf_contig(const struct tlsd_rangebuf *rb)
{
	return rb->n && rb->r[0].start == 0 ? rb->r[0].end : 0;
}

uint64_t tlsd_rangebuf_end(const struct tlsd_rangebuf *rb)
{
	return rb->n ? rb->r[rb->n - 1].end : 0;
}

bool tlsd_rangebuf_view(const struct tlsd_rangebuf *rb, uint64_t off, size_t len,
			struct tlsd_cur *out)
{
	struct tlsd_cur all;

	for (uint8_t i = 0; i < rb->n; i++) {
		if (off >= rb->r[i].start && off <= rb->r[i].end && len <= rb->r[i].end - off) {
			tlsd_cur_init(&all, rb->buf.data, rb->buf.len);
			return tlsd_cur_skip(&all, (size_t)off) && tlsd_cur_get_bytes(&all, out, len);
		}
	}
	return false;
}

/* Grows the buffer to `want` bytes with zeros. */
static int extend(struct tlsd_buf *b, size_t want)
{
	static const uint8_t zeros[256];

	while (b->len < want) {
		size_t n = TLSD_MIN(want - b->len, sizeof(zeros));

		TLSD_TRY(tlsd_buf_append(b, zeros, n));
	}
	return 0;
}

/* The range list after adding [s, e), merged; false when it would not fit. */
static bool merged(const struct tlsd_rangebuf *rb, uint64_t s, uint64_t e,
		   struct tlsd_rangebuf_range *out, uint8_t *n_out)
{
	uint8_t n = 0;
	bool placed = false;

	for (uint8_t i = 0; i <= rb->n; i++) {
		struct tlsd_rangebuf_range cur;

		if (i < rb->n && (placed || rb->r[i].start <= s)) {
			cur = rb->r[i];
		} else if (!placed) {
			cur = (struct tlsd_rangebuf_range){s, e};
			placed = true;
			i--; /* the held range at i still comes */
		} else {
			break;
		}
		if (n && cur.start <= out[n - 1].end) {
			if (cur.end > out[n - 1].end)
				out[n - 1].end = cur.end;
			continue;
		}
		if (n == TLSD_RANGEBUF_MAX_RANGES)
			return false;
		out[n++] = cur;
	}
	*n_out = n;
	return true;
}

int tlsd_rangebuf_put(struct tlsd_rangebuf *rb, uint64_t off, const uint8_t *p, size_t len,
		      bool *differs)
{
	struct tlsd_rangebuf_range nr[TLSD_RANGEBUF_MAX_RANGES];
	struct tlsd_cur src;
	uint64_t end;
	uint8_t n;
	bool diff = false;

	if (len == 0)
		return 0;
	if (off > rb->buf.cap || len > rb->buf.cap - off)
		return -ENOSPC;
	end = off + len;
	if (!merged(rb, off, end, nr, &n))
		return -E2BIG;
	TLSD_TRY(extend(&rb->buf, (size_t)TLSD_MAX((uint64_t)rb->buf.len, end)));
	/* Copy the parts not held yet; compare the parts that are. */
	tlsd_cur_init(&src, p, len);
	for (uint64_t pos = off; pos < end;) {
		uint64_t held_end = 0, next_held = end;
		struct tlsd_cur piece;

		for (uint8_t i = 0; i < rb->n; i++) {
			if (rb->r[i].start <= pos && pos < rb->r[i].end)
				held_end = TLSD_MIN(rb->r[i].end, end);
			else if (rb->r[i].start > pos && rb->r[i].start < next_held)
				next_held = rb->r[i].start;
		}
		if (held_end) {
			if (!tlsd_cur_get_bytes(&src, &piece, (size_t)(held_end - pos)))
				return -EINVAL;
			if (memcmp(rb->buf.data + pos, tlsd_cur_data(&piece), tlsd_cur_len(&piece)) != 0)
				diff = true;
			pos = held_end;
		} else {
			if (!tlsd_cur_copy(&src, rb->buf.data + pos, (size_t)(next_held - pos)))
				return -EINVAL;
			pos = next_held;
		}
	}
	memcpy(rb->r, nr, sizeof(nr[0]) * n);
	rb->n = n;
	if (diff)
		rb->differs = true;
	if (differs)
		*differs = diff;
	return 0;
}
