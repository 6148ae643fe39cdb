/* Distinct counting: exact set, then HyperLogLog (distinct.h).
 *
 * The estimate is Ertl's improved raw estimator ("New cardinality
 * estimation algorithms for HyperLogLog sketches", 2017, algorithm 6): no
 * empirical bias tables, and good from a handful of values to far beyond
 * what the registers of a 64-bit hash can saturate. */
#include "tlsd/distinct.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tlsd/hash.h"

#define M (UINT32_C(1) << TLSD_DISTINCT_P)
#define Q (64 - TLSD_DISTINCT_P) /* bits of the hash left for the rank */
#define MIN_SLOTS 8u
#define MAX_PROBES 64u

/* Fixed: fingerprints (and so estimates) are the same in every run. */
static const uint64_t fp_key[4] = {
	UINT64_C(0x243f6a8885a308d3), UINT64_C(0x13198a2e03707344),
	UINT64_C(0xa4093822299f31d0), UINT64_C(0x082efa98ec4e6c89),
};

uint64_t tlsd_distinct_hash(const void *p, size_t len)
{
	return tlsd_hash_bytes64(fp_key, p, len) | 1;
}

uint64_t tlsd_distinct_hash32(const void *p)
{
	const uint8_t *b = p;
	uint64_t h = fp_key[0] ^ 32;

	/* tlsd_hash_bytes64 for n = 32, without its loop and tail. */
	h = tlsd_mum(h ^ tlsd_load64(b) ^ fp_key[1], tlsd_load64(b + 8) ^ fp_key[2]);
	h = tlsd_mum(h ^ tlsd_load64(b + 16) ^ fp_key[1], tlsd_load64(b + 24) ^ fp_key[2]);
	return tlsd_mum(h ^ fp_key[3], fp_key[0] | 1) | 1;
}

static bool take(struct tlsd_distinct_budget *b, size_t n)
{
	if (n > b->max - b->used)
		return false;
	b->used += n;
	return true;
}

static void give_back(struct tlsd_distinct_budget *b, size_t n)
{
	b->used -= TLSD_MIN(n, b->used);
}

static void reg_add(uint8_t *regs, uint64_t h)
{
	uint32_t i = (uint32_t)(h >> Q);
	uint64_t w = h << TLSD_DISTINCT_P;
	uint8_t rank = w ? (uint8_t)(__builtin_clzll(w) + 1) : (uint8_t)(Q + 1);

	if (rank > regs[i])
		regs[i] = rank;
}

static void free_tab(struct tlsd_distinct *d, struct tlsd_distinct_budget *b)
{
	if (d->tab)
		give_back(b, (size_t)d->slots * sizeof(*d->tab));
	free(d->tab);
	d->tab = NULL;
	d->slots = 0;
}

/* Exact to estimate; false without memory for the registers. */
static bool to_estimate(struct tlsd_distinct *d, struct tlsd_distinct_budget *b)
{
	uint8_t *regs;

	if (!take(b, M))
		return false;
	regs = calloc(M, 1);
	if (!regs) {
		give_back(b, M);
		return false;
	}
	for (uint32_t i = 0; d->tab && i < d->slots; i++)
		if (d->tab[i])
			reg_add(regs, d->tab[i]);
	free_tab(d, b);
	d->regs = regs;
	return true;
}

/* Puts h in a table known not to hold it; false after MAX_PROBES. */
static bool put(uint64_t *tab, uint32_t slots, uint64_t h)
{
	uint32_t mask = slots - 1, i = (uint32_t)h & mask;

	for (unsigned p = 0; p < MAX_PROBES; p++, i = (i + 1) & mask) {
		if (!tab[i]) {
			tab[i] = h;
			return true;
		}
	}
	return false;
}

/* Room for one more value at load <= 1/2; false when the set has to stop
 * being exact. */
static bool reserve(struct tlsd_distinct *d, struct tlsd_distinct_budget *b)
{
	uint32_t n = d->slots ? d->slots * 2 : MIN_SLOTS;
	uint64_t *tab;

	if (d->tab && (d->n + 1) * 2 <= d->slots)
		return true;
	if (d->n >= TLSD_DISTINCT_EXACT_MAX || !take(b, (size_t)n * sizeof(*tab)))
		return false;
	tab = calloc(n, sizeof(*tab));
	if (!tab) {
		give_back(b, (size_t)n * sizeof(*tab));
		return false;
	}
	for (uint32_t i = 0; d->tab && i < d->slots; i++) {
		if (d->tab[i] && !put(tab, n, d->tab[i])) {
			free(tab);
			give_back(b, (size_t)n * sizeof(*tab));
			return false;
		}
	}
	free_tab(d, b);
	d->tab = tab;
	d->slots = n;
	return true;
}

void tlsd_distinct_add(struct tlsd_distinct *d, struct tlsd_distinct_budget *b, uint64_t h)
{
	if (d->regs) {
		reg_add(d->regs, h);
		return;
	}
	if (d->stopped)
		return;
	if (d->tab) {
		uint32_t mask = d->slots - 1, i = (uint32_t)h & mask;

		for (unsigned p = 0; p < MAX_PROBES && d->tab[i]; p++, i = (i + 1) & mask)
			if (d->tab[i] == h)
				return;
	}
	if (reserve(d, b) && put(d->tab, d->slots, h)) {
		d->n++;
		return;
	}
	/* Too many values, too little memory or a long probe: estimate. */
	if (to_estimate(d, b))
		reg_add(d->regs, h);
	else
		d->stopped = true;
}

bool tlsd_distinct_approx(const struct tlsd_distinct *d)
{
	return d->regs || d->stopped;
}

static double sigma(double x)
{
	double y = 1, z = x, zp;

	if (x == 1)
		return INFINITY;
	do {
		x *= x;
		zp = z;
		z += x * y;
		y += y;
	} while (zp != z);
	return z;
}

static double tau(double x)
{
	double y = 1, z = 1 - x, zp;

	if (x == 0 || x == 1)
		return 0;
	do {
		x = sqrt(x);
		zp = z;
		y *= 0.5;
		z -= (1 - x) * (1 - x) * y;
	} while (zp != z);
	return z / 3;
}

uint64_t tlsd_distinct_count(const struct tlsd_distinct *d)
{
	uint32_t c[Q + 2] = {0};
	double m = M, z;

	if (!d->regs)
		return d->n;
	for (uint32_t i = 0; i < M; i++)
		c[d->regs[i]]++;
	z = m * tau(1 - c[Q + 1] / m);
	for (int k = Q; k >= 1; k--)
		z = 0.5 * (z + c[k]);
	z += m * sigma(c[0] / m);
	return (uint64_t)(m * m / (2 * log(2)) / z + 0.5);
}

void tlsd_distinct_free(struct tlsd_distinct *d, struct tlsd_distinct_budget *b)
{
	free_tab(d, b);
	if (d->regs)
		give_back(b, M);
	free(d->regs);
	memset(d, 0, sizeof(*d));
}
