/* Keyed hashing for tables indexed by peer-chosen values (5-tuples, QUIC
 * connection IDs): a multiply-fold mix (wyhash-like) under a per-table
 * random key, so that nobody can aim packets at one bucket. */
#ifndef TLSD_HASH_H
#define TLSD_HASH_H

#include <string.h>

#include "tlsd/common.h"

__extension__ typedef unsigned __int128 tlsd_u128;

static inline uint64_t tlsd_mum(uint64_t a, uint64_t b)
{
	tlsd_u128 r = (tlsd_u128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t tlsd_load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Fills key with random bytes (getrandom), or with values that still differ
 * per run and table when the kernel has no entropy yet. */
void tlsd_hash_random_key(uint64_t key[4]);

/* Hash of n bytes under key. */
uint32_t tlsd_hash_bytes(const uint64_t key[4], const uint8_t *p, size_t n);
uint64_t tlsd_hash_bytes64(const uint64_t key[4], const uint8_t *p, size_t n);

#endif
