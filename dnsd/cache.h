/* The answer cache: wire-format answers keyed on (lower-cased name, type,
 * class, DO/CD bits), with the offset of every TTL recorded at store time so
 * that a hit is a copy plus a few stores: no parsing, no allocation.
 * A hard byte bound with LRU eviction; negative caching per RFC 2308. */
#ifndef DNSD_CACHE_H
#define DNSD_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "msg.h"

struct cache;
struct cache_entry;

struct cache_limits {
	size_t max_entries;
	size_t max_bytes; /* every byte of an entry is counted */
	uint32_t min_ttl, max_ttl;
	uint32_t servfail_ttl; /* SERVFAIL answers live this long */
};

struct cache_stats {
	uint64_t hits, misses, evictions, inserts;
	size_t entries, bytes;
};

/* Times are seconds of a monotonic clock, supplied by the caller. */
struct cache *cache_new(const struct cache_limits *lim);
void cache_free(struct cache *c);
void cache_flush(struct cache *c);
void cache_get_stats(const struct cache *c, struct cache_stats *st);
const struct cache_limits *cache_get_limits(const struct cache *c);

/* Build an entry from an answer parsed by ldns (any OPT and TSIG are
 * dropped; a positive answer for a key without DO keeps only its answer
 * section; p is changed accordingly and stays the caller's; TTLs clamped;
 * the TTL is the smallest record TTL, or for NXDOMAIN/NODATA min(SOA TTL,
 * SOA MINIMUM); SERVFAIL gets servfail_ttl). NULL when it does not encode.
 * The caller owns the entry: cache_insert or cache_entry_free. */
struct cache_entry *cache_entry_from_pkt(const struct cache_limits *lim, const uint8_t *key,
                                         size_t key_len, ldns_pkt *p, time_t now);
/* The same from wire format; NULL also when it does not parse. */
struct cache_entry *cache_entry_new(const struct cache_limits *lim, const uint8_t *key,
                                    size_t key_len, const uint8_t *resp, size_t resp_len,
                                    time_t now);
void cache_entry_free(struct cache_entry *e);
/* Whether the entry may be stored (a positive TTL, a cacheable rcode). */
int cache_entry_cacheable(const struct cache_entry *e);
int cache_entry_rcode(const struct cache_entry *e);

/* Store e, replacing an entry with the same key, evicting least recently
 * used entries to stay within the limits. Takes ownership of e (frees it
 * when it cannot be stored). */
void cache_insert(struct cache *c, struct cache_entry *e);
/* A live entry for key, or NULL (expired entries are dropped). Borrowed
 * until the next cache_insert, cache_flush or cache_free. */
const struct cache_entry *cache_lookup(struct cache *c, const uint8_t *key, size_t key_len,
                                       time_t now);

/* The CNAME targets in the answer section, in order, as uncompressed
 * lower-case wire names one after another; *n is their count. Borrowed
 * from the entry. */
const uint8_t *cache_entry_cnames(const struct cache_entry *e, unsigned *n);

/* Render the entry as the answer to q: q's ID and question bytes, TTLs
 * decremented by the age, an OPT when q had one, truncated with TC when it
 * exceeds limit. Returns the length, 0 when cap is too small. */
size_t cache_render(const struct cache_entry *e, const struct msg_query *q, time_t now,
                    size_t limit, uint8_t *out, size_t cap);

#endif
