/* The per-query pipeline: validate, check the allow list, (rate limit),
 * decide policy, answer from the cache or coalesce into one upstream query,
 * then render the answer for every waiting client. */
#ifndef DNSD_QUERY_H
#define DNSD_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cache.h"
#include "config.h"
#include "forward.h"
#include "livepolicy.h"
#include "request.h"

struct query_ctx;

/* cache, ph and up's context are borrowed and must outlive the context. */
struct query_ctx *query_new(struct cache *cache, struct forwarder up, const struct livepolicy *ph,
                            const struct config *c);
/* Frees pending questions and their waiters (no answers sent). */
void query_free(struct query_ctx *qc);
/* Take a reloaded config (borrowed until the next call). */
void query_configure(struct query_ctx *qc, const struct config *c);
/* Record hosts that ask policy names (HOSTS); hl is borrowed, NULL: none. */
struct hostlog;
void query_set_hostlog(struct query_ctx *qc, struct hostlog *hl);
/* Who may ask (access.c); acc is borrowed. Until it is set, every client
 * is refused. */
struct access;
void query_set_access(struct query_ctx *qc, struct access *acc);
/* Swap the cache (after a reload changed its limits); the old one is the
 * caller's. */
void query_set_cache(struct query_ctx *qc, struct cache *cache);

/* Handle one query (a request_handler for qc). Returns the length of an
 * answer written to out at once (0: none now; it follows through the
 * request's reply handle, or the packet was dropped). UDP answers are cut
 * to the client's size with TC set. */
size_t query_handle(struct query_ctx *qc, const struct request *rq, uint8_t *out, size_t cap);

struct query_stats {
	uint64_t queries, cache_hits, forwarded, coalesced, dropped;
	uint64_t refused, formerr, notimp, badvers, servfail;
	uint64_t policy_blocked, policy_cname_blocked;
	uint64_t ratelimited; /* dropped by the per-client rate limit (also in dropped) */
	unsigned pending;
};
void query_get_stats(const struct query_ctx *qc, struct query_stats *st);

#endif
