/* Per-client rate limiting: one token bucket per client prefix (an IPv4 /32
 * and an IPv6 /56 by default, so one LAN host or one delegated IPv6 prefix
 * is one client) in a bounded, set-associative table that never grows. */
#ifndef DNSD_RATELIMIT_H
#define DNSD_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

struct ratelimit;

struct ratelimit_config {
	uint32_t rate;       /* queries per second per client prefix; 0 = no limit */
	uint32_t burst;      /* bucket depth in queries; 0 = the same as rate */
	uint32_t table_size; /* client prefixes tracked at once: 40 bytes each */
	int prefix4;         /* key length for IPv4 clients, 1..32 */
	int prefix6;         /* key length for IPv6 clients, 1..128 */
};

struct ratelimit_stats {
	uint64_t allowed; /* queries let through */
	uint64_t limited; /* queries refused because the bucket was empty */
	uint64_t evicted; /* prefixes dropped from a full table set */
};

/* The defaults: no limit, 2048 prefixes, /32 and /56 (defined with the config reader,
 * dnsd/config_subsys.c). */
void ratelimit_config_default(struct ratelimit_config *c);

/* Returns NULL when the config is out of range (prefix lengths, a table of 0)
 * or on allocation failure. The caller frees with ratelimit_free; c is copied. */
struct ratelimit *ratelimit_new(const struct ratelimit_config *c);
void ratelimit_free(struct ratelimit *rl);

/* One query from client at now_ms (a monotonic clock in milliseconds): true
 * when it may be answered. Always true when the rate is 0 or the client
 * address family is unknown. */
bool ratelimit_allow(struct ratelimit *rl, const struct netaddr *client, uint64_t now_ms);

void ratelimit_get_stats(const struct ratelimit *rl, struct ratelimit_stats *s);

#endif
