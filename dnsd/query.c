/* The per-query pipeline. The policy decides first (blocking answers are
 * authored here and never cached). Questions that miss the cache are
 * coalesced: one pending entry per cache key, one upstream query, a bounded
 * list of waiting clients, each answered in its own ID, case and EDNS, and
 * each checked for CNAME targets the policy blocks for that client. */
#include "query.h"

#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "access.h"
#include "clock.h"
#include "hash.h"
#include "hosts/hostlog.h"
#include "log.h"
#include "ratelimit.h"
#include "synth.h"

#define QUERY_BUCKETS 1024 /* pending questions hash; chains are short */
#define QUERY_TCP_LIMIT 65535

struct query_waiter {
	struct query_waiter *next;
	struct reply reply; /* held */
	bool tcp;
	struct client who; /* for a CNAME target in a category */
	bool record;       /* the query's own name was in no category */
	struct msg_query q;
};

struct query_pending {
	struct query_pending *hnext;
	struct query_ctx *qc;
	struct msg_query q; /* the first asker's: the key and question */
	struct query_waiter *waiters;
	unsigned nwaiters;
};

struct query_ctx {
	struct cache *cache;
	struct forwarder up;
	const struct livepolicy *ph;
	const struct config *cfg;
	struct ratelimit *rl; /* NULL: no rate limit */
	struct query_pending *pending[QUERY_BUCKETS];
	struct query_stats st;
	uint8_t buf[QUERY_TCP_LIMIT + 2]; /* answers rendered for waiters */
	struct hostlog *hl;               /* per-host records; NULL: none (HOSTS) */
	struct access *acc;               /* who may ask; NULL: nobody */
};

/* A fresh limiter from c's "ratelimit" group; the buckets start full
 * again after a reload. */
static void
query_ratelimit_configure(struct query_ctx *qc, const struct config *c)
{
	ratelimit_free(qc->rl);
	qc->rl = NULL;
	if (c->ratelimit.rate && (qc->rl = ratelimit_new(&c->ratelimit)) == NULL)
		log_warnx("ratelimit: out of memory: queries are not rate limited");
}

struct query_ctx *
query_new(struct cache *cache, struct forwarder up, const struct livepolicy *ph,
          const struct config *c)
{
	struct query_ctx *qc = calloc(1, sizeof *qc);
	if (qc == NULL)
		return NULL;
	qc->cache = cache;
	qc->up = up;
	qc->ph = ph;
	qc->cfg = c;
	query_ratelimit_configure(qc, c);
	return qc;
}

static void
query_pending_free(struct query_pending *p)
{
	struct query_waiter *w, *next;
	for (w = p->waiters; w; w = next) {
		next = w->next;
		w->reply.ops->release(w->reply.ctx);
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
	ratelimit_free(qc->rl);
	free(qc);
}

void
query_configure(struct query_ctx *qc, const struct config *c)
{
	qc->cfg = c;
	query_ratelimit_configure(qc, c);
}

void
query_set_cache(struct query_ctx *qc, struct cache *cache)
{
	qc->cache = cache;
}

void
query_set_hostlog(struct query_ctx *qc, struct hostlog *hl)
{
	qc->hl = hl;
}

void
query_set_access(struct query_ctx *qc, struct access *acc)
{
	qc->acc = acc;
}

void
query_get_stats(const struct query_ctx *qc, struct query_stats *st)
{
	*st = qc->st;
}

static size_t
query_limit(bool tcp, const struct msg_query *q)
{
	return tcp ? QUERY_TCP_LIMIT : msg_udp_limit(q);
}

static struct query_pending **
query_pending_slot(struct query_ctx *qc, const struct msg_query *q)
{
	uint32_t h = hash_bytes(hash_seed(), q->key, q->key_len);
	struct query_pending **pp = &qc->pending[h % QUERY_BUCKETS];
	while (*pp &&
	       ((*pp)->q.key_len != q->key_len || memcmp((*pp)->q.key, q->key, q->key_len) != 0))
		pp = &(*pp)->hnext;
	return pp;
}

static int
query_add_waiter(struct query_pending *p, const struct msg_query *q, const struct request *rq,
                 const struct client *who, bool record)
{
	struct query_waiter *w = malloc(sizeof *w);
	if (w == NULL)
		return -1;
	w->reply.ops = rq->reply.ops;
	if ((w->reply.ctx = rq->reply.ops->hold(rq->reply.ctx)) == NULL) {
		free(w);
		return -1;
	}
	w->q = *q;
	w->tcp = rq->tcp;
	w->who = *who;
	w->record = record;
	w->next = p->waiters;
	p->waiters = w;
	p->nwaiters++;
	return 0;
}

static int
query_blocks(enum policy_action a)
{
	return a == POLICY_NXDOMAIN || a == POLICY_NODATA || a == POLICY_REFUSED ||
	       a == POLICY_SINKHOLE;
}

/* Who asked q: with per-host logs, the real client from a trusted
 * forwarder's options (kept by the one parse of q) and the MAC; else the
 * source address. Found once, before the first decision. */
static void
query_identify(struct query_ctx *qc, const struct request *rq, const struct msg_query *q,
               struct client *who)
{
	if (qc->hl)
		hostlog_identify(qc->hl, &rq->src, q, who);
	else
		*who = (struct client){.addr = rq->src};
}

/* The one policy decision for q from who; a name in a category is recorded
 * (HOSTS). Returns 1 when the action blocks (dnsd answers itself), 0 for
 * none/allow/log (the normal path). */
static int
query_policy(struct query_ctx *qc, const struct msg_query *q, const struct client *who,
             struct policy_decision *d)
{
	const struct policy *p = livepolicy_policy(qc->ph);
	if (p == NULL) {
		d->category = NULL;
		return 0;
	}
	policy_decide_ex(p, q->qname, q->qname_len, who, livepolicy_now(qc->ph),
	                 livepolicy_flags(qc->ph), d);
	if (d->category && qc->hl)
		hostlog_record(qc->hl, who, q->qname, q->qname_len, q->qtype, d);
	return query_blocks(d->action);
}

/* The decision for the n CNAME targets t (wire names, one after another)
 * for who: the first that blocks, else the first in a category, else none.
 * Returns 1 when a target blocks, -1 when t is malformed. */
static int
query_cname_decide(struct query_ctx *qc, const struct policy *p, const uint8_t *t, unsigned n,
                   const struct client *who, struct policy_decision *d)
{
	struct policy_decision first = {0};
	for (unsigned i = 0; i < n; i++) {
		size_t tl = msg_name_len(t, MSG_NAME_MAX);
		if (tl == 0)
			return -1;
		policy_decide_ex(p, t, tl, who, livepolicy_now(qc->ph), livepolicy_flags(qc->ph),
		                 d);
		if (query_blocks(d->action))
			return 1;
		if (d->category && first.category == NULL)
			first = *d;
		t += tl;
	}
	*d = first;
	return 0;
}

/* Whether a CNAME target of the answer e reaches a name the policy blocks
 * for who; d then holds that decision. Checked at serve time, as decisions
 * depend on the client and the time. When record is set (the query's own
 * name was in no category) and a target is in one, the host is recorded as
 * asking q for that category. */
static int
query_cname_policy(struct query_ctx *qc, const struct cache_entry *e, const struct msg_query *q,
                   const struct client *who, bool record, struct policy_decision *d)
{
	const struct policy *p = livepolicy_policy(qc->ph);
	unsigned n;
	const uint8_t *t = cache_entry_cnames(e, &n);
	if (n == 0 || p == NULL)
		return 0;
	int blocked = query_cname_decide(qc, p, t, n, who, d);
	if (blocked < 0)
		return 0;
	if (record && d->category && qc->hl)
		hostlog_record(qc->hl, who, q->qname, q->qname_len, q->qtype, d);
	if (blocked)
		qc->st.policy_cname_blocked++;
	return blocked;
}

/* Render e for one client: the cached answer, or the policy's when a CNAME
 * target is blocked. */
static size_t
query_render(struct query_ctx *qc, const struct cache_entry *e, const struct msg_query *q,
             const struct client *who, bool tcp, bool record, time_t now, uint8_t *out, size_t cap)
{
	struct policy_decision d;
	size_t limit = query_limit(tcp, q);
	if (query_cname_policy(qc, e, q, who, record, &d))
		return synth_policy(q, &d, limit, out, cap);
	return cache_render(e, q, now, limit, out, cap);
}

/* The upstream answered (or every upstream failed): answer each waiter from
 * one parsed entry, then offer the entry to the cache. */
static void
query_forward_done(ldns_pkt *resp, void *arg)
{
	struct query_pending *p = arg;
	struct query_ctx *qc = p->qc;
	time_t now = clock_mono_s();
	const struct cache_limits *lim = cache_get_limits(qc->cache);

	*query_pending_slot(qc, &p->q) = p->hnext;
	qc->st.pending--;
	struct cache_entry *e = NULL;
	if (resp)
		e = cache_entry_from_pkt(lim, p->q.key, p->q.key_len, resp, now);
	if (e == NULL) {
		/* Cached for servfail_ttl: a dead upstream is not asked again
		 * for every client retry. */
		size_t n = synth_error(&p->q, LDNS_RCODE_SERVFAIL, false, qc->buf, sizeof qc->buf);
		e = cache_entry_new(lim, p->q.key, p->q.key_len, qc->buf, n, now);
	}
	if (e && cache_entry_rcode(e) == LDNS_RCODE_SERVFAIL)
		qc->st.servfail += p->nwaiters;
	for (struct query_waiter *w = p->waiters; w && e; w = w->next) {
		size_t n = query_render(qc, e, &w->q, &w->who, w->tcp, w->record, now, qc->buf,
		                        sizeof qc->buf);
		if (n)
			w->reply.ops->send(w->reply.ctx, qc->buf, n);
	}
	if (e)
		cache_insert(qc->cache, e);
	query_pending_free(p);
}

/* A cache miss: join the pending question or start one (who, record: see
 * query_cname_policy). Returns an immediate SERVFAIL length when neither is
 * possible, else 0. */
static size_t
query_forward(struct query_ctx *qc, const struct msg_query *q, const struct request *rq,
              const struct client *who, bool record, uint8_t *out, size_t cap)
{
	struct query_pending **pp = query_pending_slot(qc, q), *p = *pp;
	if (p) {
		if (p->nwaiters >= qc->cfg->forward.max_waiters ||
		    query_add_waiter(p, q, rq, who, record) < 0)
			goto servfail;
		qc->st.coalesced++;
		return 0;
	}
	if ((p = calloc(1, sizeof *p)) == NULL)
		goto servfail;
	p->qc = qc;
	p->q = *q;
	if (query_add_waiter(p, q, rq, who, record) < 0 ||
	    qc->up.query(qc->up.ctx, q, query_forward_done, p) < 0) {
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

/* Questions dnsd answers itself, as Unbound does, because no upstream can
 * answer them usefully and their replies (REFUSED or FORMERR, often without
 * the question) would count against a healthy upstream: classes other than
 * IN (dnsd serves no CH names such as version.bind) and zone transfers get
 * REFUSED, meta-types FORMERR. ANY is forwarded. Returns the rcode, or
 * NOERROR to go on. */
static int
query_gate(const struct msg_query *q)
{
	if (q->qclass != LDNS_RR_CLASS_IN || q->qtype == LDNS_RR_TYPE_AXFR ||
	    q->qtype == LDNS_RR_TYPE_IXFR)
		return LDNS_RCODE_REFUSED;
	if (q->qtype == LDNS_RR_TYPE_OPT || q->qtype == LDNS_RR_TYPE_TSIG ||
	    q->qtype == LDNS_RR_TYPE_TKEY || q->qtype == LDNS_RR_TYPE_MAILA ||
	    q->qtype == LDNS_RR_TYPE_MAILB || (q->qtype >= 128 && q->qtype <= 248))
		return LDNS_RCODE_FORMERR;
	return LDNS_RCODE_NOERROR;
}

size_t
query_handle(struct query_ctx *qc, const struct request *rq, uint8_t *out, size_t cap)
{
	struct msg_query q;
	enum msg_status st = msg_parse_query(&q, rq->pkt, rq->len);
	qc->st.queries++;

	if (st == MSG_DROP) {
		qc->st.dropped++;
		return 0;
	}
	if (qc->acc == NULL || !access_check(qc->acc, &rq->src, rq->ifindex)) {
		/* Header, question and the client's OPT: nothing to amplify. */
		if (!q.has_question) {
			qc->st.dropped++;
			return 0;
		}
		qc->st.refused++;
		return synth_error(&q, LDNS_RCODE_REFUSED, true, out, cap);
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
	/* Our own loop probe, come back: answered, never forwarded again. */
	if (qc->up.loop_seen(qc->up.ctx, &q, &rq->src)) {
		qc->st.refused++;
		return synth_error(&q, LDNS_RCODE_REFUSED, true, out, cap);
	}
	int gate = query_gate(&q);
	if (gate != LDNS_RCODE_NOERROR) {
		if (gate == LDNS_RCODE_REFUSED)
			qc->st.refused++;
		else
			qc->st.formerr++;
		return synth_error(&q, gate, true, out, cap);
	}
	/* Per-client rate limit, before any policy, cache or upstream work. */
	if (qc->rl && !ratelimit_allow(qc->rl, &rq->src, clock_mono_coarse_ms())) {
		qc->st.ratelimited++;
		qc->st.dropped++;
		return 0;
	}
	struct policy_decision d;
	struct client who;
	query_identify(qc, rq, &q, &who);
	if (query_policy(qc, &q, &who, &d)) {
		/* Never cached, never forwarded. */
		qc->st.policy_blocked++;
		return synth_policy(&q, &d, query_limit(rq->tcp, &q), out, cap);
	}

	time_t now = clock_mono_s();
	const struct cache_entry *e = cache_lookup(qc->cache, q.key, q.key_len, now);
	bool record = d.category == NULL;
	if (e) {
		qc->st.cache_hits++;
		return query_render(qc, e, &q, &who, rq->tcp, record, now, out, cap);
	}
	return query_forward(qc, &q, rq, &who, record, out, cap);
}
