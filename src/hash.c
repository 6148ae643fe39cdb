/* Keyed hashing (see hash.h). */
#include "tlsd/hash.h"

#include <sys/random.h>
#include <time.h>

void tlsd_hash_random_key(uint64_t key[4])
{
	struct timespec ts;
	size_t got = 0;

	while (got < 4 * sizeof(key[0])) {
		ssize_t n = getrandom((uint8_t *)key + got, 4 * sizeof(key[0]) - got, GRND_NONBLOCK);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got == 4 * sizeof(key[0]))
		return;
	/* No entropy yet (early boot): still different per run and table. */
	clock_gettime(CLOCK_REALTIME, &ts);
	key[0] ^= (uint64_t)ts.tv_nsec * UINT64_C(0x9e3779b97f4a7c15);
	key[1] ^= (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)key;
	key[2] ^= tlsd_mum(key[0], key[1] | 1);
	key[3] ^= tlsd_mum(key[1], key[0] | 1);
}

uint64_t tlsd_hash_bytes64(const uint64_t key[4], const uint8_t *p, size_t n)
{
	uint64_t h = key[0] ^ n;
	uint8_t tail[8];
	size_t i = 0;

	for (; i + 16 <= n; i += 16)
		h = tlsd_mum(h ^ tlsd_load64(p + i) ^ key[1], tlsd_load64(p + i + 8) ^ key[2]);
	if (i + 8 <= n) {
		h = tlsd_mum(h ^ tlsd_load64(p + i) ^ key[1], key[3]);
		i += 8;
	}
	if (i < n) {
		memset(tail, 0, sizeof(tail));
		memcpy(tail, p + i, n - i);
		h = tlsd_mum(h ^ tlsd_load64(tail) ^ key[2], key[3] ^ UINT64_C(0x9e3779b97f4a7c15));
	}
	return tlsd_mum(h ^ key[3], key[0] | 1);
}

uint32_t tlsd_hash_bytes(const uint64_t key[4], const uint8_t *p, size_t n)
{
	uint64_t h = tlsd_hash_bytes64(key, p, n);

	return (uint32_t)(h ^ (h >> 32));
}
