/* The per-query pipeline. Questions that miss the cache are coalesced: one
 * pending entry per cache key, one upstream query, a bounded list of
 * waiting clients, each answered in its own ID, case and EDNS. */
#include "query.h"

#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "log.h"
#include "synth.h"

#define QUERY_BUCKETS 1024	/* pending questions hash; chains are short */
#define QUERY_TCP_LIMIT 65535

struct query_waiter {
	struct query_waiter *next;
	struct listen_client cl;
	struct msg_query q;
};

struct query_pending {
	struct query_pending *hnext;
	struct query_ctx *qc;
	struct msg_query q;	/* the first asker's: the key and question */
	struct query_waiter *waiters;
	unsigned nwaiters;
};

struct query_ctx {
	struct cache *cache;
	struct forward *fwd;
	const struct config *cfg;
	struct query_pending *pending[QUERY_BUCKETS];
	struct query_stats st;
	uint8_t buf[QUERY_TCP_LIMIT + 2];	/* answers rendered for waiters */
};

/* Cache ages use a clock that never jumps. */
static time_t
query_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

struct query_ctx *
query_new(struct cache *cache, struct forward *fwd, const struct config *c)
{
	struct query_ctx *qc = calloc(1, sizeof *qc);
	if (qc == NULL)
		return NULL;
	qc->cache = cache;
	qc->fwd = fwd;
	qc->cfg = c;
	return qc;
}

static void
query_pending_free(struct query_pending *p)
{
	struct query_waiter *w, *next;
	for (w = p->waiters; w; w = next) {
		next = w->next;
		listen_client_release(&w->cl);
		free(w);
	}
	free(p);
}

void
query_free(struct query_ctx *qc)
{
	if (qc == NULL)
		return;
	for (size_t i = 0; i < QUERY_BUCKETS; i++) {
		struct query_pending *p, *next;
		for (p = qc->pending[i]; p; p = next) {
			next = p->hnext;
			query_pending_free(p);
		}
	}
	free(qc);
}

void
query_configure(struct query_ctx *qc, const struct config *c)
{
	qc->cfg = c;
}

void
query_set_cache(struct query_ctx *qc, struct cache *cache)
{
	qc->cache = cache;
}

void
query_get_stats(const struct query_ctx *qc, struct query_stats *st)
{
	*st = qc->st;
}

static int
query_allowed(const struct query_ctx *qc, const struct netaddr *a)
{
	for (int i = 0; i < qc->cfg->nallow; i++)
		if (cidr_contains(&qc->cfg->allow[i], a))
			return 1;
	return 0;
}

static size_t
query_limit(const struct listen_client *cl, const struct msg_query *q)
{
	return listen_client_is_tcp(cl) ? QUERY_TCP_LIMIT : msg_udp_limit(q);
}

static struct query_pending **
query_pending_slot(struct query_ctx *qc, const struct msg_query *q)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < q->key_len; i++)
		h = (h ^ q->key[i]) * 16777619u;
	struct query_pending **pp = &qc->pending[h % QUERY_BUCKETS];
	while (*pp && ((*pp)->q.key_len != q->key_len ||
	    memcmp((*pp)->q.key, q->key, q->key_len) != 0))
		pp = &(*pp)->hnext;
	return pp;
}

static int
query_add_waiter(struct query_pending *p, const struct msg_query *q,
    const struct listen_client *cl)
{
	struct query_waiter *w = malloc(sizeof *w);
	if (w == NULL)
		return -1;
	w->q = *q;
	w->cl = *cl;
	listen_client_hold(&w->cl);
	w->next = p->waiters;
	p->waiters = w;
	p->nwaiters++;
	return 0;
}

/* The upstream answered (or every upstream failed): answer each waiter from
 * one parsed entry, then offer the entry to the cache. */
static void
query_forward_done(const uint8_t *resp, size_t len, void *arg)
{
	struct query_pending *p = arg;
	struct query_ctx *qc = p->qc;
	time_t now = query_monotonic();
	const struct cache_limits *lim = cache_get_limits(qc->cache);

	*query_pending_slot(qc, &p->q) = p->hnext;
	qc->st.pending--;
	struct cache_entry *e = NULL;
	if (resp)
		e = cache_entry_new(lim, p->q.key, p->q.key_len, resp, len, now);
	if (e == NULL) {
		/* Cached for servfail_ttl: a dead upstream is not asked again
		 * for every client retry. */
		size_t n = synth_error(&p->q, LDNS_RCODE_SERVFAIL, false, qc->buf, sizeof qc->buf);
		e = cache_entry_new(lim, p->q.key, p->q.key_len, qc->buf, n, now);
	}
	if (e && cache_entry_rcode(e) == LDNS_RCODE_SERVFAIL)
		qc->st.servfail += p->nwaiters;
	for (struct query_waiter *w = p->waiters; w && e; w = w->next) {
		size_t n = cache_render(e, &w->q, now, query_limit(&w->cl, &w->q), qc->buf,
		    sizeof qc->buf);
		if (n)
			listen_reply(&w->cl, qc->buf, n);
	}
	if (e)
		cache_insert(qc->cache, e);
	query_pending_free(p);
}

/* A cache miss: join the pending question or start one. Returns an
 * immediate SERVFAIL length when neither is possible, else 0. */
static size_t
query_forward(struct query_ctx *qc, const struct msg_query *q, const struct listen_client *cl,
    uint8_t *out, size_t cap)
{
	struct query_pending **pp = query_pending_slot(qc, q), *p = *pp;
	if (p) {
		if (p->nwaiters >= qc->cfg->forward.max_waiters || query_add_waiter(p, q, cl) < 0)
			goto servfail;
		qc->st.coalesced++;
		return 0;
	}
	if ((p = calloc(1, sizeof *p)) == NULL)
		goto servfail;
	p->qc = qc;
	p->q = *q;
	if (query_add_waiter(p, q, cl) < 0 || forward_query(qc->fwd, q, query_forward_done, p) < 0) {
		query_pending_free(p);
		goto servfail;
	}
	*pp = p;
	qc->st.pending++;
	qc->st.forwarded++;
	return 0;
servfail:
	qc->st.servfail++;
	return synth_error(q, LDNS_RCODE_SERVFAIL, true, out, cap);
}

size_t
query_handle(struct query_ctx *qc, const uint8_t *pkt, size_t len,
    const struct listen_client *cl, uint8_t *out, size_t cap)
{
	struct msg_query q;
	enum msg_status st = msg_parse_query(&q, pkt, len);
	qc->st.queries++;

	if (st == MSG_DROP) {
		qc->st.dropped++;
		return 0;
	}
	if (!query_allowed(qc, &cl->addr)) {
		/* Header and question only: nothing to amplify. */
		if (!q.has_question) {
			qc->st.dropped++;
			return 0;
		}
		qc->st.refused++;
		return synth_error(&q, LDNS_RCODE_REFUSED, false, out, cap);
	}
	switch (st) {
	case MSG_FORMERR:
		qc->st.formerr++;
		return synth_error(&q, LDNS_RCODE_FORMERR, true, out, cap);
	case MSG_NOTIMP:
		qc->st.notimp++;
		return synth_error(&q, LDNS_RCODE_NOTIMPL, true, out, cap);
	case MSG_BADVERS:
		qc->st.badvers++;
		return synth_error(&q, SYNTH_RCODE_BADVERS, true, out, cap);
	default:
		break;
	}
	/* Hook (HARDEN): per-client rate limiting goes here, before any
	 * cache or upstream work. */
	/* Hook (POLICY, phase 2): policy_decide(); blocking actions answer
	 * here with synth, never cached, never forwarded. */

	time_t now = query_monotonic();
	const struct cache_entry *e = cache_lookup(qc->cache, q.key, q.key_len, now);
	if (e) {
		qc->st.cache_hits++;
		return cache_render(e, &q, now, query_limit(cl, &q), out, cap);
	}
	return query_forward(qc, &q, cl, out, cap);
}
