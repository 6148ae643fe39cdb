/* SHA-1 (sha1.h), FIPS 180-4 section 6.1. */
#include "tlsd/sha1.h"

#include <string.h>

static uint32_t rol(uint32_t x, unsigned n)
{
	return x << n | x >> (32 - n);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One round: e += rol(a, 5) + f + k + w; b = rol(b, 30) (the variables
 * rotate by renaming, as in the reference code). */
#define ROUND(a, b, c, d, e, f, k, w)                                          \
	do {                                                                   \
		(e) += rol((a), 5) + (f) + (k) + (w);                          \
		(b) = rol((b), 30);                                            \
	} while (0)

/* The message schedule in a ring of 16 words: w[t] for t >= 16. */
#define W(t) (w[(t) & 15] = rol(w[((t) + 13) & 15] ^ w[((t) + 8) & 15] ^ w[((t) + 2) & 15] ^ w[(t) & 15], 1))

#define CH(b, c, d) (((c) ^ (d)) & (b)) ^ (d)
#define PAR(b, c, d) ((b) ^ (c) ^ (d))
#define MAJ(b, c, d) (((b) & (c)) | (((b) | (c)) & (d)))

/* Five rounds with the same f, k; the variables rotate through. */
#define FIVE(F, K, t, WV)                                                      \
	do {                                                                   \
		ROUND(a, b, c, d, e, F(b, c, d), K, WV(t));                    \
		ROUND(e, a, b, c, d, F(a, b, c), K, WV((t) + 1));              \
		ROUND(d, e, a, b, c, F(e, a, b), K, WV((t) + 2));              \
		ROUND(c, d, e, a, b, F(d, e, a), K, WV((t) + 3));              \
		ROUND(b, c, d, e, a, F(c, d, e), K, WV((t) + 4));              \
	} while (0)

#define W0(t) w[t]

static void block(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[16], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int t = 0; t < 16; t++)
		w[t] = be32(p + 4 * t);
	FIVE(CH, 0x5a827999, 0, W0);
	FIVE(CH, 0x5a827999, 5, W0);
	FIVE(CH, 0x5a827999, 10, W0);
	ROUND(a, b, c, d, e, CH(b, c, d), 0x5a827999, w[15]);
	ROUND(e, a, b, c, d, CH(a, b, c), 0x5a827999, W(16));
	ROUND(d, e, a, b, c, CH(e, a, b), 0x5a827999, W(17));
	ROUND(c, d, e, a, b, CH(d, e, a), 0x5a827999, W(18));
	ROUND(b, c, d, e, a, CH(c, d, e), 0x5a827999, W(19));
	for (int t = 20; t < 40; t += 5)
		FIVE(PAR, 0x6ed9eba1, t, W);
	for (int t = 40; t < 60; t += 5)
		FIVE(MAJ, 0x8f1bbcdc, t, W);
	for (int t = 60; t < 80; t += 5)
		FIVE(PAR, 0xca62c1d6, t, W);
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void tlsd_sha1(const uint8_t *p, size_t n, uint8_t out[TLSD_SHA1_LEN])
{
	uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
	uint64_t bits = (uint64_t)n * 8;
	uint8_t last[128] = {0};
	size_t tail = n % 64, pad;

	for (size_t off = 0; off + 64 <= n; off += 64)
		block(h, p + off);
	/* The tail, 0x80, zeros, and the length in bits: one or two blocks. */
	if (tail)
		memcpy(last, p + n - tail, tail);
	last[tail] = 0x80;
	pad = tail < 56 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		last[pad - 1 - i] = (uint8_t)(bits >> (8 * i));
	block(h, last);
	if (pad == 128)
		block(h, last + 64);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
}
