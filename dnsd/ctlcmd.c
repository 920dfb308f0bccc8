/* Control commands of the daemon (see ctlcmd.h). Human output, 80 columns. */
#include "ctlcmd.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hosts/hostlog.h"
#include "json.h"

static void
status_policy(const struct ctlcmd_src *s, struct evbuffer *out)
{
	const struct livepolicy *ph = *s->phase;
	const struct policy *p = ph ? livepolicy_policy(ph) : NULL;
	char t1[JSON_TIMELEN], t2[JSON_TIMELEN];
	if (!p) {
		evbuffer_add_printf(out, "policy: none loaded\n");
		return;
	}
	time_t now = livepolicy_now(ph), next = livepolicy_next_boundary(ph);
	time_t clock_floor = policy_clock_floor_ex(p, livepolicy_flags(ph));
	const char *cur = livepolicy_current(ph);
	bool unsynced = livepolicy_clock_unsynced(ph),
	     set = livepolicy_flags(ph) & POLICY_NOW_TRUSTED;
	evbuffer_add_printf(out, "policy: %s\n  phase in force: %s%s\n", policy_path(p),
	                    cur ? cur : "(none: before the first phase)",
	                    unsynced ? " (the unsynced rule)" : "");
	if (unsynced)
		evbuffer_add_printf(out, "  next boundary: none while the clock is unsynced\n");
	else
		evbuffer_add_printf(out, "  next boundary: %s\n",
		                    next ? json_time(next, t1) : "none (no later phase)");
	if (livepolicy_flags(ph) & POLICY_AUDIT)
		evbuffer_add_printf(out, "  audit mode: on: every policy name is recorded, nothing "
		                         "is blocked\n");
	if (unsynced)
		evbuffer_add_printf(
		    out, "clock: UNSYNCED%s: %s is before %s; the unsynced rule applies\n",
		    set ? " (set by -n or policy.now)" : "", json_time(now, t1),
		    json_time(clock_floor, t2));
	else if (set)
		evbuffer_add_printf(out, "clock: overridden, policy time %s\n", json_time(now, t1));
	else
		evbuffer_add_printf(out, "clock: sane (%s, floor %.10s)\n", json_time(now, t1),
		                    json_time(clock_floor, t2));
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
		evbuffer_add_printf(out,
		                    "upstreams: none (resolv_conf names no usable nameserver yet): "
		                    "SERVFAIL for names not in the cache or policy\n");
	for (int i = 0; i < fs.nupstream && i < FORWARD_STATUS_MAX; i++) {
		char rtt[16] = "-";
		if (fs.up[i].measured)
			snprintf(rtt, sizeof rtt, "%u", fs.up[i].srtt_ms);
		evbuffer_add_printf(out,
		                    "upstream %s: %s, %u consecutive failures, rtt %s ms, "
		                    "timeout %u ms\n",
		                    fs.up[i].addr,
		                    fs.up[i].looping ? "LOOPING"
		                    : fs.up[i].down  ? "DOWN"
		                                     : "up",
		                    fs.up[i].fails, rtt, fs.up[i].timeout_ms);
	}
}

char *
ctlcmd_timeline(const struct policy *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	policy_timeline(p, f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

void
ctlcmd_status_json(const struct ctlcmd_src *s, struct evbuffer *out)
{
	const struct livepolicy *ph = *s->phase;
	const struct policy *p = ph ? livepolicy_policy(ph) : NULL;
	struct cache_stats cs = {0};
	struct forward_stats fs = {0};
	time_t now = time(NULL);
	evbuffer_add_printf(out, "{\"uptime\":%lld", (long long)(now - s->started));
	json_kv_time(out, "now", now);
	evbuffer_add_printf(out, ",\"policy\":");
	if (p) {
		/* as the text status: an unsynced clock (even one set by -n)
		 * applies the unsynced rule, which has no next boundary */
		bool unsynced = livepolicy_clock_unsynced(ph);
		time_t next = unsynced ? 0 : livepolicy_next_boundary(ph);
		char *tl = ctlcmd_timeline(p);
		evbuffer_add_printf(out, "{\"file\":");
		json_str(out, policy_path(p));
		json_kv_str(out, "phase", livepolicy_current(ph));
		if (next)
			json_kv_time(out, "next_boundary", next);
		else
			json_kv_str(out, "next_boundary", NULL);
		json_kv_str(out, "clock",
		            unsynced                                    ? "unsynced"
		            : livepolicy_flags(ph) & POLICY_NOW_TRUSTED ? "overridden"
		                                                        : "sane");
		evbuffer_add_printf(out, ",\"audit\":%s",
		                    livepolicy_flags(ph) & POLICY_AUDIT ? "true" : "false");
		json_kv_time(out, "policy_time", livepolicy_now(ph));
		json_kv_str(out, "timeline", tl);
		evbuffer_add_printf(out, "}");
		free(tl);
	} else
		evbuffer_add_printf(out, "null");
	if (*s->cache)
		cache_get_stats(*s->cache, &cs);
	evbuffer_add_printf(out,
	                    ",\"cache\":{\"entries\":%zu,\"bytes\":%zu,\"hits\":%llu,"
	                    "\"misses\":%llu,\"evictions\":%llu},\"upstreams\":[",
	                    cs.entries, cs.bytes, (unsigned long long)cs.hits,
	                    (unsigned long long)cs.misses, (unsigned long long)cs.evictions);
	if (*s->fwd)
		forward_get_stats(*s->fwd, &fs);
	for (int i = 0; i < fs.nupstream && i < FORWARD_STATUS_MAX; i++) {
		evbuffer_add_printf(out, "%s{\"address\":", i ? "," : "");
		json_str(out, fs.up[i].addr);
		json_kv_str(out, "state", fs.up[i].down ? "down" : "up");
		evbuffer_add_printf(out, ",\"failures\":%u,\"timeout_ms\":%u,\"rtt_ms\":",
		                    fs.up[i].fails, fs.up[i].timeout_ms);
		if (fs.up[i].measured)
			evbuffer_add_printf(out, "%u}", fs.up[i].srtt_ms);
		else
			evbuffer_add_printf(out, "null}");
	}
	evbuffer_add_printf(out, "]");
	if (*s->hl) {
		struct hosts_stats hs;
		struct eventlog_stats es;
		hosts_get_stats(hostlog_hosts(*s->hl), &hs);
		eventlog_get_stats(hostlog_eventlog(*s->hl), &es);
		evbuffer_add_printf(
		    out,
		    ",\"hosts\":{\"count\":%d,\"recorded\":%llu,\"evicted\":%llu,"
		    "\"save_errors\":%llu},\"log\":{\"lines\":%llu,\"dropped\":%llu}",
		    hs.hosts, (unsigned long long)hs.recorded, (unsigned long long)hs.evicted,
		    (unsigned long long)hs.save_errors, (unsigned long long)es.lines,
		    (unsigned long long)es.dropped);
	}
	evbuffer_add_printf(out, "}\n");
}

static int
status_cmd(const char *args, struct evbuffer *out, void *arg)
{
	const struct ctlcmd_src *s = arg;
	long up = (long)(time(NULL) - s->started);
	if (strcmp(args, "json") == 0) {
		ctlcmd_status_json(s, out);
		return 0;
	}
	if (*args) {
		evbuffer_add_printf(out, "status: expected nothing or json\n");
		return -1;
	}
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
	    (unsigned long long)q.refused, (unsigned long long)q.formerr,
	    (unsigned long long)q.notimp, (unsigned long long)q.badvers,
	    (unsigned long long)q.servfail, q.pending, (unsigned long long)q.policy_blocked,
	    (unsigned long long)q.policy_cname_blocked);
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
	char why[CONFIG_ERR_MAX];
	(void)args;
	if (s->reload(s->reload_arg, why, sizeof why) < 0) {
		evbuffer_add(out, why, strlen(why));
		return -1;
	}
	evbuffer_add_printf(out, "configuration and policy reloaded\n");
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
