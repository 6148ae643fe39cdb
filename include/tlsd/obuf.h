/* An output buffer in front of a FILE: reporters append a whole record to it
 * (bytes, numbers, times) and it reaches stdio in large writes, instead of
 * one fputc/fprintf per field. The storage lives in the struct (on the
 * caller's stack); when it fills up, what it holds goes to the FILE and the
 * record continues, so a record of any size works. Nothing is ever cut:
 * every byte appended reaches the FILE, in order, by tlsd_obuf_flush(). */
#ifndef TLSD_OBUF_H
#define TLSD_OBUF_H

#include <stdio.h>
#include <string.h>

#include "tlsd/common.h"

#define TLSD_OBUF_SIZE 16384

struct tlsd_obuf {
	FILE *out;
	size_t len;
	char p[TLSD_OBUF_SIZE];
};

/* b->p is not cleared (only b->len). */
static inline void tlsd_obuf_init(struct tlsd_obuf *b, FILE *out)
{
	b->out = out;
	b->len = 0;
}

/* What is held goes to the FILE (fwrite); the FILE itself is not flushed. */
void tlsd_obuf_flush(struct tlsd_obuf *b);
void tlsd_obuf_write_slow(struct tlsd_obuf *b, const void *s, size_t n);

static inline void tlsd_obuf_write(struct tlsd_obuf *b, const void *s, size_t n)
{
	if (n <= TLSD_OBUF_SIZE - b->len) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	} else {
		tlsd_obuf_write_slow(b, s, n);
	}
}

static inline void tlsd_obuf_putc(struct tlsd_obuf *b, char c)
{
	if (b->len == TLSD_OBUF_SIZE)
		tlsd_obuf_flush(b);
	b->p[b->len++] = c;
}

static inline void tlsd_obuf_puts(struct tlsd_obuf *b, const char *s)
{
	tlsd_obuf_write(b, s, strlen(s));
}

/* Room for n <= TLSD_OBUF_SIZE bytes at the end (flushing first if need
 * be): write at most n bytes there, then tlsd_obuf_commit() what was. */
static inline char *tlsd_obuf_reserve(struct tlsd_obuf *b, size_t n)
{
	if (n > TLSD_OBUF_SIZE - b->len)
		tlsd_obuf_flush(b);
	return b->p + b->len;
}

static inline void tlsd_obuf_commit(struct tlsd_obuf *b, size_t n)
{
	b->len += n;
}

/* printf("%" PRIu64) and printf("%" PRId64). */
void tlsd_obuf_u64(struct tlsd_obuf *b, uint64_t v);
void tlsd_obuf_i64(struct tlsd_obuf *b, int64_t v);
/* printf("0x%0*x", width, v): lower-case hex, at least width digits. */
void tlsd_obuf_hex(struct tlsd_obuf *b, uint64_t v, unsigned width);
/* printf("%.6f", ns / 1e9), byte for byte (the double's rounding included). */
void tlsd_obuf_seconds6(struct tlsd_obuf *b, int64_t ns);
/* The whole microseconds that tlsd_obuf_seconds6 prints for ns >= 0, so
 * that a record's "duration" and "duration_us" name the same time. */
int64_t tlsd_obuf_us6(int64_t ns);
/* Anything else (the slow path: vsnprintf). */
__attribute__((format(printf, 2, 3))) void tlsd_obuf_printf(struct tlsd_obuf *b,
							     const char *fmt, ...);

/* Decimal digits of v into out (no terminator); returns how many (1..20). */
size_t tlsd_fmt_u64(char out[20], uint64_t v);

/* strftime("%Y-%m-%dT%H:%M:%S") of the UTC second sec into out[19]
 * (no terminator). false, out untouched, when gmtime_r would fail or the
 * year has not four digits (callers then use gmtime_r and strftime). */
TLSD_MUST_USE bool tlsd_fmt_utc_second(char out[19], int64_t sec);

#endif
