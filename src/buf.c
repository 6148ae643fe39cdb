/* Owned byte buffer with a hard cap: the only growable storage for peer data. */
#include "tlsd/buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tlsd_buf_init(struct tlsd_buf *b, size_t cap)
{
	*b = (struct tlsd_buf){.cap = cap};
}

void tlsd_buf_cleanup(struct tlsd_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

int tlsd_buf_append(struct tlsd_buf *b, const uint8_t *p, size_t n)
{
	if (n == 0)
		return 0;
	if (n > b->cap || b->len > b->cap - n)
		return -ENOSPC;
	if (b->len + n > b->alloc) {
		size_t want = b->alloc ? b->alloc : 256;
		uint8_t *d;

		while (want < b->len + n)
			want *= 2;
		if (want > b->cap)
			want = b->cap;
		d = realloc(b->data, want);
		if (!d)
			return -ENOMEM;
		b->data = d;
		b->alloc = want;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void tlsd_buf_consume(struct tlsd_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

void tlsd_buf_reset(struct tlsd_buf *b)
{
	b->len = 0;
}

void tlsd_buf_shrink(struct tlsd_buf *b)
{
	if (b->len == 0 && b->data) {
		free(b->data);
		b->data = NULL;
		b->alloc = 0;
	}
}
