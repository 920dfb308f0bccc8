/* The tables' hash (FNV-1a) and its per-process seed. */
#include "hash.h"

#include <stdbool.h>

#include "rand.h"

uint32_t
hash_bytes(uint32_t h, const void *p, size_t len)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < len; i++)
		h = hash_byte(h, b[i]);
	return h;
}

uint32_t
hash_name(uint32_t h, const char *name)
{
	for (const uint8_t *b = (const uint8_t *)name; *b; b++)
		h = hash_byte(h, *b | 0x20);
	return h;
}

uint32_t
hash_seed(void)
{
	/* The process's one hash key: drawn on first use, never changed, so
	 * that a table hashes alike for its whole life. */
	static uint32_t seed;
	static bool drawn;
	if (!drawn) {
		if (rand_bytes(&seed, sizeof seed) < 0)
			seed = 0x9e3779b9u;
		drawn = true;
	}
	return HASH_FNV_BASIS ^ seed;
}
