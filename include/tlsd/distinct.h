/* Distinct counting in bounded memory: exact while a set is small, then an
 * estimate (HyperLogLog, 2^TLSD_DISTINCT_P one-byte registers, standard
 * error 1.04 / sqrt(2^P) = 0.8%) marked approximate.
 *
 * A set keeps the 64-bit fingerprints of its values in an open-addressing
 * table (load <= 1/2) of at most TLSD_DISTINCT_EXACT_MAX values. Past that,
 * or when the shared budget has no room for a larger table, or when a probe
 * sequence gets long (values aimed at one bucket), it turns into registers;
 * with no room for those either, it stops counting and its count is a lower
 * bound. All memory comes out of one budget per owner, so many sets together
 * never take more than the budget's max. Fingerprints use a fixed key:
 * estimates are the same from run to run. */
#ifndef TLSD_DISTINCT_H
#define TLSD_DISTINCT_H

#include <stddef.h>

#include "tlsd/common.h"

#define TLSD_DISTINCT_P 14
#define TLSD_DISTINCT_EXACT_MAX 16384u

struct tlsd_distinct_budget {
	size_t used, max; /* bytes */
};

struct tlsd_distinct {
	uint64_t *tab;    /* exact: fingerprints, 0 = empty; NULL before the first value */
	uint8_t *regs;    /* estimate: registers; NULL while exact */
	uint32_t n;       /* distinct values counted exactly (while exact) */
	uint32_t slots;   /* of tab (power of two) */
	bool stopped;     /* no memory: n is a lower bound */
};

/* The fingerprint of a value (never 0). */
uint64_t tlsd_distinct_hash(const void *p, size_t len);
/* tlsd_distinct_hash(p, 32), in fewer instructions (fixed-size keys). */
uint64_t tlsd_distinct_hash32(const void *p);
/* Counts fingerprint h (tlsd_distinct_hash). */
void tlsd_distinct_add(struct tlsd_distinct *d, struct tlsd_distinct_budget *b, uint64_t h);
/* Starts loading what tlsd_distinct_add(d, b, h) will read first (a
 * caller updating several sets at once waits for their misses together). */
static inline void tlsd_distinct_prefetch(const struct tlsd_distinct *d, uint64_t h)
{
	if (d->regs)
		__builtin_prefetch(&d->regs[h >> (64 - TLSD_DISTINCT_P)], 1);
	else if (d->tab)
		__builtin_prefetch(&d->tab[(uint32_t)h & (d->slots - 1)]);
}
/* The number of distinct values added: exact unless tlsd_distinct_approx. */
uint64_t tlsd_distinct_count(const struct tlsd_distinct *d);
bool tlsd_distinct_approx(const struct tlsd_distinct *d);
/* Frees d's memory (back to b); d is empty afterwards. */
void tlsd_distinct_free(struct tlsd_distinct *d, struct tlsd_distinct_budget *b);

#endif
