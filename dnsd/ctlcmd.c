/* Control commands of the daemon (see ctlcmd.h). Human output, 80 columns. */
#include "ctlcmd.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static void
status_policy(const struct ctlcmd_src *s, struct evbuffer *out)
{
	const struct phase *ph = *s->phase;
	const struct policy *p = ph ? phase_policy(ph) : NULL;
	char t1[JSON_TIMELEN], t2[JSON_TIMELEN];
	if (!p) {
		evbuffer_add_printf(out, "policy: none loaded\n");
		return;
	}
	time_t now = phase_now(ph), next = phase_next_boundary(ph);
	const char *cur = phase_current(ph);
	evbuffer_add_printf(out, "policy: %s\n  phase in force: %s\n  next boundary: %s\n",
	                    policy_path(p), cur ? cur : "(none: before the first phase)",
	                    next ? json_time(next, t1) : "none");
	if (phase_flags(ph) & POLICY_NOW_TRUSTED)
		evbuffer_add_printf(out, "clock: overridden, policy time %s\n", json_time(now, t1));
	else if (phase_clock_unsynced(ph))
		evbuffer_add_printf(out,
		                    "clock: UNSYNCED: %s is before %s; the unsynced rule applies\n",
		                    json_time(now, t1), json_time(policy_clock_floor(p), t2));
	else
		evbuffer_add_printf(out, "clock: sane (%s, floor %.10s)\n", json_time(now, t1),
		                    json_time(policy_clock_floor(p), t2));
}

static void
status_dns(const struct ctlcmd_src *s, struct evbuffer *out)
{
	struct cache_stats cs = {0};
	struct forward_stats fs = {0};
	if (*s->cache)
		cache_get_stats(*s->cache, &cs);
	uint64_t lookups = cs.hits + cs.misses;
	evbuffer_add_printf(out,
	                    "cache: %zu entries, %zu bytes, %llu hits (%.0f%%), %llu misses, "
	                    "%llu evictions\n",
	                    cs.entries, cs.bytes, (unsigned long long)cs.hits,
	                    lookups ? 100.0 * (double)cs.hits / (double)lookups : 0.0,
	                    (unsigned long long)cs.misses, (unsigned long long)cs.evictions);
	if (*s->fwd)
		forward_get_stats(*s->fwd, &fs);
	if (fs.nupstream == 0)
		evbuffer_add_printf(out, "upstreams: none (resolv_conf names no usable nameserver yet): "
		                         "SERVFAIL for names not in the cache or policy\n");
	for (int i = 0; i < fs.nupstream && i < FORWARD_STATUS_MAX; i++)
		evbuffer_add_printf(out, "upstream %s: %s, %u consecutive failures\n",
		                    fs.up[i].addr, fs.up[i].down ? "DOWN" : "up", fs.up[i].fails);
}

static int
status_cmd(const char *args, struct evbuffer *out, void *arg)
{
	const struct ctlcmd_src *s = arg;
	long up = (long)(time(NULL) - s->started);
	(void)args;
	evbuffer_add_printf(out, "uptime: %ldd %02ld:%02ld:%02ld\n", up / 86400, up / 3600 % 24,
	                    up / 60 % 60, up % 60);
	status_policy(s, out);
	status_dns(s, out);
	if (*s->hl)
		hostlog_status(*s->hl, out);
	return 0;
}

static int
stats_cmd(const char *args, struct evbuffer *out, void *arg)
{
	const struct ctlcmd_src *s = arg;
	struct query_stats q = {0};
	struct forward_stats f = {0};
	struct listen_stats l = {0};
	(void)args;
	/* an absent subsystem counts nothing */
	if (*s->qc)
		query_get_stats(*s->qc, &q);
	if (*s->fwd)
		forward_get_stats(*s->fwd, &f);
	if (*s->listen)
		listen_get_stats(*s->listen, &l);
	evbuffer_add_printf(
	    out,
	    "queries %llu (udp %llu, tcp %llu)\ncache hits %llu\nforwarded %llu\n"
	    "coalesced %llu\ndropped %llu (rate-limited %llu)\nrefused %llu\nformerr %llu\n"
	    "notimp %llu\n"
	    "badvers %llu\nservfail %llu\npending %u\npolicy blocked %llu\n"
	    "policy cname blocked %llu\n",
	    (unsigned long long)q.queries, (unsigned long long)l.udp_queries,
	    (unsigned long long)l.tcp_queries, (unsigned long long)q.cache_hits,
	    (unsigned long long)q.forwarded, (unsigned long long)q.coalesced,
	    (unsigned long long)q.dropped, (unsigned long long)q.ratelimited,
	    (unsigned long long)q.refused,
	    (unsigned long long)q.formerr, (unsigned long long)q.notimp,
	    (unsigned long long)q.badvers, (unsigned long long)q.servfail, q.pending,
	    (unsigned long long)q.policy_blocked, (unsigned long long)q.policy_cname_blocked);
	evbuffer_add_printf(
	    out,
	    "upstream sent %llu\nupstream answers %llu\nupstream mismatched %llu\n"
	    "upstream timeouts %llu\nupstream tcp retries %llu\nupstream failures %llu\n"
	    "tcp connections open %u\ntcp connections refused %llu\n",
	    (unsigned long long)f.sent, (unsigned long long)f.answers,
	    (unsigned long long)f.mismatched, (unsigned long long)f.timeouts,
	    (unsigned long long)f.tcp_retries, (unsigned long long)f.failures, l.tcp_open,
	    (unsigned long long)l.tcp_refused);
	return 0;
}

static int
reload_cmd(const char *args, struct evbuffer *out, void *arg)
{
	const struct ctlcmd_src *s = arg;
	(void)args;
	s->reload(s->reload_arg);
	evbuffer_add_printf(out, "reload requested (see the log for the outcome)\n");
	return 0;
}

static int
flush_cmd(const char *args, struct evbuffer *out, void *arg)
{
	const struct ctlcmd_src *s = arg;
	(void)args;
	if (!*s->cache) {
		evbuffer_add_printf(out, "flush-cache: no cache\n");
		return -1;
	}
	cache_flush(*s->cache);
	evbuffer_add_printf(out, "cache flushed\n");
	return 0;
}

int
ctlcmd_register(struct control *c, const struct ctlcmd_src *src)
{
	void *arg = (void *)(uintptr_t)src; /* handlers only read it */
	if (control_add(c, "status", status_cmd, arg) == -1 ||
	    control_add(c, "stats", stats_cmd, arg) == -1 ||
	    control_add(c, "reload", reload_cmd, arg) == -1 ||
	    control_add(c, "flush-cache", flush_cmd, arg) == -1)
		return -1;
	return *src->hl ? hostlog_register(*src->hl, c) : 0;
}
