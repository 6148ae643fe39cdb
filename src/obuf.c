/* Output buffer in front of a FILE (obuf.h). */
#include "tlsd/obuf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

void tlsd_obuf_flush(struct tlsd_obuf *b)
{
	if (b->len)
		fwrite(b->p, 1, b->len, b->out);
	b->len = 0;
}

void tlsd_obuf_write_slow(struct tlsd_obuf *b, const void *s, size_t n)
{
	tlsd_obuf_flush(b);
	if (n >= TLSD_OBUF_SIZE) {
		fwrite(s, 1, n, b->out);
		return;
	}
	memcpy(b->p, s, n);
	b->len = n;
}

size_t tlsd_fmt_u64(char out[20], uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(out, tmp + sizeof(tmp) - n, n);
	return n;
}

void tlsd_obuf_u64(struct tlsd_obuf *b, uint64_t v)
{
	tlsd_obuf_commit(b, tlsd_fmt_u64(tlsd_obuf_reserve(b, 20), v));
}

void tlsd_obuf_i64(struct tlsd_obuf *b, int64_t v)
{
	char *p = tlsd_obuf_reserve(b, 21);

	if (v < 0) {
		*p = '-';
		/* -(v + 1) + 1: no overflow at INT64_MIN. */
		tlsd_obuf_commit(b, 1 + tlsd_fmt_u64(p + 1, (uint64_t)-(v + 1) + 1));
	} else {
		tlsd_obuf_commit(b, tlsd_fmt_u64(p, (uint64_t)v));
	}
}

void tlsd_obuf_hex(struct tlsd_obuf *b, uint64_t v, unsigned width)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = hex[v & 0xf];
		v >>= 4;
	} while (v);
	while (n < width && n < sizeof(tmp))
		tmp[sizeof(tmp) - 1 - n++] = '0';
	tlsd_obuf_write(b, "0x", 2);
	tlsd_obuf_write(b, tmp + sizeof(tmp) - n, n);
}

int64_t tlsd_obuf_us6(int64_t ns)
{
	char buf[48];
	int64_t us = 0;

	if (ns < 0)
		return 0;
	if (ns < INT64_C(1000000000000000) && ns % 1000 != 500)
		return ns / 1000 + (ns % 1000 > 500); /* as seconds6 rounds it */
	/* What printf made of the double: its digits, the point left out. */
	snprintf(buf, sizeof(buf), "%.6f", (double)ns / 1e9);
	for (const char *c = buf; *c; c++)
		if (*c >= '0' && *c <= '9' && us <= (INT64_MAX - 9) / 10)
			us = us * 10 + (*c - '0');
	return us;
}

void tlsd_obuf_seconds6(struct tlsd_obuf *b, int64_t ns)
{
	uint64_t us;
	char *p;
	size_t n;

	/* Below 10^6 s the double ns / 1e9 is within 1.2e-10 of the exact
	 * value, and the exact value is a whole number of nanoseconds: unless
	 * it lies exactly on a rounding boundary (500 ns past a microsecond),
	 * printf's rounding of the double and integer rounding agree. */
	if (ns < 0 || ns >= INT64_C(1000000000000000) || ns % 1000 == 500) {
		tlsd_obuf_printf(b, "%.6f", (double)ns / 1e9);
		return;
	}
	us = (uint64_t)ns / 1000 + ((uint64_t)ns % 1000 > 500);
	p = tlsd_obuf_reserve(b, 32);
	n = tlsd_fmt_u64(p, us / 1000000);
	p[n++] = '.';
	us %= 1000000;
	for (int i = 5; i >= 0; i--) {
		p[n + (size_t)i] = (char)('0' + us % 10);
		us /= 10;
	}
	tlsd_obuf_commit(b, n + 6);
}

void tlsd_obuf_printf(struct tlsd_obuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room = TLSD_OBUF_SIZE - b->len;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < room) {
		b->len += (size_t)n;
		return;
	}
	/* Did not fit: what is held goes first, then the text, straight. */
	tlsd_obuf_flush(b);
	va_start(ap, fmt);
	if ((size_t)n < TLSD_OBUF_SIZE)
		b->len = (size_t)vsnprintf(b->p, TLSD_OBUF_SIZE, fmt, ap);
	else
		vfprintf(b->out, fmt, ap);
	va_end(ap);
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's days_from_civil
 * inverse), for days >= 0. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yoe, doy, mp;

	z += 719468;
	era = z / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static void put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

bool tlsd_fmt_utc_second(char out[19], int64_t sec)
{
	int64_t y;
	unsigned mo, d, s;

	/* 1970-01-01T00:00:00 to 9999-12-31T23:59:59. */
	if (sec < 0 || sec >= INT64_C(253402300800))
		return false;
	civil_from_days(sec / 86400, &y, &mo, &d);
	s = (unsigned)(sec % 86400);
	put2(out, (unsigned)(y / 100));
	put2(out + 2, (unsigned)(y % 100));
	out[4] = '-';
	put2(out + 5, mo);
	out[7] = '-';
	put2(out + 8, d);
	out[10] = 'T';
	put2(out + 11, s / 3600);
	out[13] = ':';
	put2(out + 14, s / 60 % 60);
	out[16] = ':';
	put2(out + 17, s % 60);
	return true;
}
