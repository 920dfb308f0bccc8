/* Prometheus metrics (see metrics.h): one pass over the subsystems'
 * counters, written as the text exposition format, to a buffer or to a
 * textfile on a timer. */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosts/hostlog.h"
#include "log.h"

struct metrics_file {
	const struct ctlcmd_src *src;
	char *path;
	struct event *timer;
};

/* "# HELP" and "# TYPE" of one metric family. */
static void
family(struct evbuffer *out, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
one(struct evbuffer *out, const char *name, const char *type, const char *help,
    unsigned long long v)
{
	family(out, name, type, help);
	evbuffer_add_printf(out, "%s %llu\n", name, v);
}

/* A label value, escaped as the format asks (backslash, quote, newline). */
static void
label(struct evbuffer *out, const char *v)
{
	for (; *v; v++) {
		const char *esc = *v == '\\'   ? "\\\\"
		                  : *v == '"'  ? "\\\""
		                  : *v == '\n' ? "\\n"
		                               : NULL;
		evbuffer_add(out, esc ? esc : v, esc ? 2 : 1);
	}
}

static void
sample(struct evbuffer *out, const char *name, const char *lname, const char *lval,
       unsigned long long v)
{
	evbuffer_add_printf(out, "%s{%s=\"", name, lname);
	label(out, lval);
	evbuffer_add_printf(out, "\"} %llu\n", v);
}

static void
metrics_queries(const struct ctlcmd_src *s, struct evbuffer *out)
{
	struct query_stats q = {0};
	struct listen_stats l = {0};
	struct cache_stats c = {0};
	if (*s->qc)
		query_get_stats(*s->qc, &q);
	if (*s->listen)
		listen_get_stats(*s->listen, &l);
	if (*s->cache)
		cache_get_stats(*s->cache, &c);
	family(out, "dnsd_queries_total", "counter", "DNS queries received, by transport.");
	sample(out, "dnsd_queries_total", "transport", "udp", l.udp_queries);
	sample(out, "dnsd_queries_total", "transport", "tcp", l.tcp_queries);
	one(out, "dnsd_cache_hits_total", "counter", "Queries answered from the cache.", c.hits);
	one(out, "dnsd_cache_misses_total", "counter", "Cache lookups that found nothing.",
	    c.misses);
	one(out, "dnsd_cache_evictions_total", "counter", "Entries evicted to stay in bounds.",
	    c.evictions);
	one(out, "dnsd_cache_entries", "gauge", "Entries in the cache.", c.entries);
	one(out, "dnsd_cache_bytes", "gauge", "Bytes the cache holds.", c.bytes);
	one(out, "dnsd_queries_forwarded_total", "counter", "Questions sent upstream.",
	    q.forwarded);
	one(out, "dnsd_queries_coalesced_total", "counter",
	    "Queries that joined a question already upstream.", q.coalesced);
	family(out, "dnsd_queries_dropped_total", "counter", "Queries dropped unanswered.");
	sample(out, "dnsd_queries_dropped_total", "reason", "ratelimit", q.ratelimited);
	sample(out, "dnsd_queries_dropped_total", "reason", "other", q.dropped - q.ratelimited);
	family(out, "dnsd_error_responses_total", "counter", "Error answers, by rcode.");
	sample(out, "dnsd_error_responses_total", "rcode", "REFUSED", q.refused);
	sample(out, "dnsd_error_responses_total", "rcode", "FORMERR", q.formerr);
	sample(out, "dnsd_error_responses_total", "rcode", "NOTIMP", q.notimp);
	sample(out, "dnsd_error_responses_total", "rcode", "SERVFAIL", q.servfail);
	sample(out, "dnsd_error_responses_total", "rcode", "BADVERS", q.badvers);
}

static void
metrics_upstreams(const struct ctlcmd_src *s, struct evbuffer *out)
{
	struct forward_stats f = {0};
	static const char *const names[] = {
	    "dnsd_upstream_up", "dnsd_upstream_consecutive_failures", "dnsd_upstream_rtt_seconds"};
	if (*s->fwd)
		forward_get_stats(*s->fwd, &f);
	one(out, "dnsd_upstream_queries_total", "counter", "Queries sent to upstreams.", f.sent);
	one(out, "dnsd_upstream_timeouts_total", "counter", "Upstream tries that timed out.",
	    f.timeouts);
	one(out, "dnsd_upstream_failures_total", "counter",
	    "Questions no upstream answered within the budget.", f.failures);
	family(out, names[0], "gauge", "1 when the upstream is up, 0 when marked down.");
	for (int i = 0; i < f.nupstream; i++)
		sample(out, names[0], "upstream", f.up[i].addr, !f.up[i].down);
	family(out, names[1], "gauge", "Consecutive failures of the upstream.");
	for (int i = 0; i < f.nupstream; i++)
		sample(out, names[1], "upstream", f.up[i].addr, f.up[i].fails);
	family(out, names[2], "gauge",
	       "Smoothed round-trip time of the upstream's answers (absent until measured).");
	for (int i = 0; i < f.nupstream; i++) {
		if (!f.up[i].measured)
			continue;
		evbuffer_add_printf(out, "%s{upstream=\"", names[2]);
		label(out, f.up[i].addr);
		evbuffer_add_printf(out, "\"} %.3f\n", (double)f.up[i].srtt_ms / 1e3);
	}
}

/* Hosts whose last attempt is within window seconds of now, by the
 * categories they have asked. */
static void
metrics_hosts_seen(const struct hosts *h, time_t now, struct evbuffer *out)
{
	static const struct {
		const char *name;
		time_t secs;
	} windows[] = {{"24h", 86400}, {"30d", 30 * 86400}};
	family(out, "dnsd_hosts_seen", "gauge",
	       "Hosts seen in the window that asked names of the category.");
	for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++)
		for (int i = 0; hosts_category(h, i); i++) {
			const struct host *e;
			unsigned n = 0;
			TAILQ_FOREACH(e, hosts_list(h), lru)
			{
				if (e->last < now - windows[w].secs)
					break; /* most recent first */
				n += host_cat_count(e, i) > 0;
			}
			evbuffer_add_printf(out, "dnsd_hosts_seen{category=\"");
			label(out, hosts_category(h, i));
			evbuffer_add_printf(out, "\",window=\"%s\"} %u\n", windows[w].name, n);
		}
}

static void
metrics_hosts(const struct hostlog *hl, time_t now, struct evbuffer *out)
{
	const struct hosts *h = hostlog_hosts(hl);
	struct hosts_stats hs;
	struct eventlog_stats es;
	hosts_get_stats(h, &hs);
	eventlog_get_stats(hostlog_eventlog(hl), &es);
	family(out, "dnsd_policy_answers_total", "counter",
	       "Queries for names in a policy category, by category and action.");
	for (int i = 0; hosts_category(h, i); i++)
		for (int a = POLICY_ALLOW; a <= POLICY_SINKHOLE; a++) {
			evbuffer_add_printf(out, "dnsd_policy_answers_total{category=\"");
			label(out, hosts_category(h, i));
			evbuffer_add_printf(out, "\",action=\"%s\"} %llu\n",
			                    policy_action_name((enum policy_action)a),
			                    (unsigned long long)hs.by_action[i][a]);
		}
	one(out, "dnsd_hosts", "gauge", "Hosts in the host table.", (unsigned long long)hs.hosts);
	one(out, "dnsd_hosts_evicted_total", "counter", "Hosts evicted from the full table.",
	    hs.evicted);
	metrics_hosts_seen(h, now, out);
	one(out, "dnsd_log_records_total", "counter", "Event log lines produced.", es.lines);
	one(out, "dnsd_log_records_dropped_total", "counter",
	    "Event log lines a configured sink could not take.", es.dropped);
}

static void
metrics_policy(const struct livepolicy *ph, struct evbuffer *out)
{
	const char *cur = livepolicy_current(ph);
	time_t next = livepolicy_next_boundary(ph);
	family(out, "dnsd_policy_phase_info", "gauge",
	       "The phase in force (\"none\" before the first).");
	sample(out, "dnsd_policy_phase_info", "phase", cur ? cur : "none", 1);
	one(out, "dnsd_policy_clock_unsynced", "gauge",
	    "1 when the clock is below the policy's floor (the unsynced rule applies).",
	    livepolicy_clock_unsynced(ph));
	if (next) {
		time_t pnow = livepolicy_now(ph);
		family(out, "dnsd_policy_next_boundary_seconds", "gauge",
		       "Seconds until the next moment a policy decision can change.");
		evbuffer_add_printf(out, "dnsd_policy_next_boundary_seconds %lld\n",
		                    (long long)(next > pnow ? next - pnow : 0));
	}
}

void
metrics_write(const struct ctlcmd_src *s, struct evbuffer *out)
{
	time_t now = time(NULL);
	family(out, "dnsd_start_time_seconds", "gauge", "Start time since the Unix epoch.");
	evbuffer_add_printf(out, "dnsd_start_time_seconds %lld\n", (long long)s->started);
	metrics_queries(s, out);
	metrics_upstreams(s, out);
	if (*s->hl)
		metrics_hosts(*s->hl, now, out);
	if (*s->phase && livepolicy_policy(*s->phase))
		metrics_policy(*s->phase, out);
}

int
metrics_file_write(struct metrics_file *m)
{
	char tmp[4096];
	struct evbuffer *b = evbuffer_new();
	int fd = -1, rc = -1;
	if (!b || snprintf(tmp, sizeof tmp, "%s.tmp", m->path) >= (int)sizeof tmp) {
		errno = b ? ENAMETOOLONG : ENOMEM;
		goto out;
	}
	metrics_write(m->src, b);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		goto out;
	while (evbuffer_get_length(b) > 0)
		if (evbuffer_write(b, fd) < 0)
			goto out;
	if (close(fd) < 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	rc = rename(tmp, m->path);
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	evbuffer_free(b);
	return rc;
}

static void
metrics_file_cb(evutil_socket_t fd, short what, void *arg)
{
	struct metrics_file *m = arg;
	(void)fd;
	(void)what;
	if (metrics_file_write(m) < 0)
		log_warn("metrics_file %s", m->path);
}

void
metrics_file_configure(struct metrics_file *m, const char *path, unsigned interval)
{
	struct timeval every = {(time_t)interval, 0};
	char *p = strdup(path);
	if (p) {
		free(m->path);
		m->path = p;
	}
	evtimer_add(m->timer, &every);
	metrics_file_cb(-1, 0, m);
}

struct metrics_file *
metrics_file_new(struct event_base *base, const char *path, unsigned interval,
                 const struct ctlcmd_src *src)
{
	struct metrics_file *m = calloc(1, sizeof *m);
	if (!m || !(m->timer = event_new(base, -1, EV_PERSIST, metrics_file_cb, m))) {
		metrics_file_free(m);
		return NULL;
	}
	m->src = src;
	metrics_file_configure(m, path, interval);
	if (!m->path) {
		metrics_file_free(m);
		return NULL;
	}
	return m;
}

void
metrics_file_free(struct metrics_file *m)
{
	if (!m)
		return;
	if (m->timer)
		event_free(m->timer);
	free(m->path);
	free(m);
}
