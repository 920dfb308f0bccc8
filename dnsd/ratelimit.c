/* Per-client token buckets (see ratelimit.h). The table has a fixed number of
 * sets of RL_WAYS entries; a new prefix takes a free way or evicts the least
 * recently seen one of its set. The set index comes from the seeded hash
 * (lib/hash.h), so a flooder cannot aim its sources at a victim's set. */
#include "ratelimit.h"

#include "hash.h"

#include <stdlib.h>
#include <string.h>

#define RL_WAYS 8
/* Tokens are counted in thousandths so that a rate of r per second refills
 * exactly r thousandths per millisecond. */
#define RL_MILLI 1000u

struct rl_key {
	uint8_t family;   /* 0 for a free entry */
	uint8_t addr[16]; /* the prefix, host bits cleared */
};

struct rl_entry {
	struct rl_key key;
	uint64_t tokens;  /* thousandths of a query */
	uint64_t last_ms; /* last refill */
};

struct ratelimit {
	struct ratelimit_config cfg;
	uint64_t depth; /* burst in thousandths */
	size_t nsets;
	struct rl_entry *entries; /* nsets * RL_WAYS */
	struct ratelimit_stats stats;
};

struct ratelimit *
ratelimit_new(const struct ratelimit_config *c)
{
	struct ratelimit *rl;

	if (c->table_size == 0 || c->prefix4 < 1 || c->prefix4 > 32 || c->prefix6 < 1 ||
	    c->prefix6 > 128)
		return NULL;
	if ((rl = calloc(1, sizeof *rl)) == NULL)
		return NULL;
	rl->cfg = *c;
	rl->depth = (uint64_t)(c->burst ? c->burst : c->rate) * RL_MILLI;
	rl->nsets = (c->table_size + RL_WAYS - 1) / RL_WAYS;
	if ((rl->entries = calloc(rl->nsets * RL_WAYS, sizeof *rl->entries)) == NULL) {
		free(rl);
		return NULL;
	}
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	free(rl->entries);
	free(rl);
}

static void
rl_key_make(const struct ratelimit *rl, const struct netaddr *na, struct rl_key *k)
{
	int bits = na->family == AF_INET ? rl->cfg.prefix4 : rl->cfg.prefix6;
	int full = bits / 8;

	memset(k, 0, sizeof *k);
	k->family = (uint8_t)na->family;
	memcpy(k->addr, na->addr, (size_t)full);
	if (bits % 8)
		k->addr[full] = na->addr[full] & (uint8_t)(0xff00u >> (bits % 8));
}

static size_t
rl_set(const struct ratelimit *rl, const struct rl_key *k)
{
	return hash_bytes(hash_byte(hash_seed(), k->family), k->addr, sizeof k->addr) % rl->nsets;
}

/* The entry for k, created (full bucket) when missing. */
static struct rl_entry *
rl_find(struct ratelimit *rl, const struct rl_key *k, uint64_t now_ms)
{
	struct rl_entry *set = rl->entries + rl_set(rl, k) * RL_WAYS, *victim = NULL;
	int i;

	for (i = 0; i < RL_WAYS; i++) {
		if (memcmp(&set[i].key, k, sizeof *k) == 0)
			return &set[i];
		if (victim == NULL || set[i].key.family == 0 ||
		    (victim->key.family != 0 && set[i].last_ms < victim->last_ms))
			victim = &set[i];
	}
	if (victim->key.family != 0)
		rl->stats.evicted++;
	victim->key = *k;
	victim->tokens = rl->depth;
	victim->last_ms = now_ms;
	return victim;
}

bool
ratelimit_allow(struct ratelimit *rl, const struct netaddr *client, uint64_t now_ms)
{
	struct rl_key k;
	struct rl_entry *e;
	uint64_t elapsed;

	if (rl->cfg.rate == 0 || (client->family != AF_INET && client->family != AF_INET6)) {
		rl->stats.allowed++;
		return true;
	}
	rl_key_make(rl, client, &k);
	e = rl_find(rl, &k, now_ms);
	/* A clock that went backwards refills nothing; a long pause refills
	 * at most the whole bucket (and the cap keeps the product in range). */
	elapsed = now_ms > e->last_ms ? now_ms - e->last_ms : 0;
	if (elapsed > rl->depth / rl->cfg.rate + 1)
		e->tokens = rl->depth;
	else if ((e->tokens += elapsed * rl->cfg.rate) > rl->depth)
		e->tokens = rl->depth;
	e->last_ms = now_ms > e->last_ms ? now_ms : e->last_ms;
	if (e->tokens < RL_MILLI) {
		rl->stats.limited++;
		return false;
	}
	e->tokens -= RL_MILLI;
	rl->stats.allowed++;
	return true;
}

void
ratelimit_get_stats(const struct ratelimit *rl, struct ratelimit_stats *s)
{
	*s = rl->stats;
}
