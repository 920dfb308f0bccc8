/* The one hash of the tables: FNV-1a (32 bits), continued byte by byte
 * from a start value. Tables keyed by what clients choose (names,
 * addresses) start from hash_seed(), random for the life of the process,
 * so that nobody can aim entries at one chain; a table built only from
 * trusted input (the policy's patterns) may start from HASH_FNV_BASIS. */
#ifndef DNSD_HASH_H
#define DNSD_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV_BASIS 2166136261u
#define HASH_FNV_PRIME 16777619u

static inline uint32_t
hash_byte(uint32_t h, uint8_t c)
{
	return (h ^ c) * HASH_FNV_PRIME;
}

/* h continued over len bytes at p. */
uint32_t hash_bytes(uint32_t h, const void *p, size_t len);
/* h continued over the NUL-terminated name, ASCII case folded (names that
 * strcasecmp finds equal hash alike). */
uint32_t hash_name(uint32_t h, const char *name);
/* HASH_FNV_BASIS mixed with a random value drawn once per process (the
 * kernel's; a fixed one if getrandom fails, which only makes chains
 * predictable). */
uint32_t hash_seed(void);

#endif
