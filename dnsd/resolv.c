/* resolv_conf: parse the file's nameserver lines (or, when it names only
 * systemd-resolved's stub, those of resolved's own resolv.conf), drop those
 * that are dnsd itself (a listen address, or one of the machine's own
 * addresses when dnsd listens on a wildcard address on that port), and give
 * forward the list when it differs from the last one. A one-second timer
 * stats both files. */
#include "resolv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <event2/event.h>

#include "forward.h"
#include "ifaddr.h"
#include "log.h"

#define RESOLV_CHECK_MS 1000
#define RESOLV_MAX_BYTES 65536 /* more of a resolv.conf is ignored */
/* systemd-resolved's stub, and the file naming the resolvers behind it. */
#define RESOLV_STUB "127.0.0.53"
#define RESOLV_RESOLVED_CONF "/run/systemd/resolve/resolv.conf"

struct resolv {
	struct event_base *base;
	struct forward *fwd;
	struct ifaddr_table *ifa;
	const struct config *cfg;
	struct event *timer;
	struct stat st;          /* as last read; st_ino 0: missing */
	struct stat st_resolved; /* RESOLV_RESOLVED_CONF's, the same way */
	struct config_addr up[CONFIG_MAX_UPSTREAMS];
	int nup; /* as last given to forward; -1: never */
};

int
resolv_parse(const char *text, size_t len, struct config_addr *out, int max)
{
	int n = 0;
	const char *end = text + len;
	while (text < end && n < max) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t ll = nl ? (size_t)(nl - text) : (size_t)(end - text);
		char line[256], addr[128];
		if (ll < sizeof line) {
			memcpy(line, text, ll);
			line[ll] = '\0';
			if (sscanf(line, " nameserver %127s", addr) == 1) {
				/* dnsmasq writes ADDR#PORT; dnsd.conf ADDR@PORT. */
				char *hash = strchr(addr, '#');
				if (hash)
					*hash = '@';
				if (config_parse_addr(&out[n], addr, 53) == 0)
					n++;
			}
		}
		text += ll + (nl != NULL);
	}
	return n;
}

struct resolv *
resolv_new(struct event_base *base, struct forward *fwd, struct ifaddr_table *ifa)
{
	struct resolv *r = calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->base = base;
	r->fwd = fwd;
	r->ifa = ifa;
	r->nup = -1;
	return r;
}

void
resolv_free(struct resolv *r)
{
	if (r == NULL)
		return;
	if (r->timer)
		event_free(r->timer);
	free(r);
}

static in_port_t
resolv_port(const struct config_addr *a)
{
	/* Both families keep the port at the same offset. */
	return ((const struct sockaddr_in *)&a->ss)->sin_port;
}

static int
resolv_wildcard(const struct config_addr *a)
{
	struct netaddr na;
	netaddr_from_sockaddr(&na, (const struct sockaddr *)&a->ss);
	for (int i = 0; i < (na.family == AF_INET ? 4 : 16); i++)
		if (na.addr[i])
			return 0;
	return 1;
}

/* Why ns is dnsd itself, or NULL when it is not. */
static const char *
resolv_is_self(const struct resolv *r, const struct config_addr *ns)
{
	const struct config *c = r->cfg;
	struct netaddr na, la;
	netaddr_from_sockaddr(&na, (const struct sockaddr *)&ns->ss);
	for (int i = 0; i < c->nlisten; i++) {
		if (resolv_port(&c->listen[i]) != resolv_port(ns))
			continue;
		netaddr_from_sockaddr(&la, (const struct sockaddr *)&c->listen[i].ss);
		if (netaddr_equal(&na, &la))
			return "a listen address";
		if (resolv_wildcard(&c->listen[i]) && ifaddr_is_own(r->ifa, &na))
			return "this machine's own address, and dnsd listens on a wildcard address";
	}
	return NULL;
}

/* The nameservers of path into all (CONFIG_MAX_UPSTREAMS); how many, or -1
 * when it cannot be read (logged unless it is missing). */
static int
resolv_load(const char *path, struct config_addr *all)
{
	char *buf = malloc(RESOLV_MAX_BYTES);
	FILE *f = fopen(path, "r");
	if (f == NULL || buf == NULL) {
		if (f == NULL && errno != ENOENT)
			log_warn("resolv_conf %s", path);
		if (f)
			fclose(f);
		free(buf);
		return -1;
	}
	size_t len = fread(buf, 1, RESOLV_MAX_BYTES, f);
	fclose(f);
	int n = resolv_parse(buf, len, all, CONFIG_MAX_UPSTREAMS);
	free(buf);
	return n;
}

/* Whether the list names systemd-resolved's stub at port 53 and nothing else. */
static int
resolv_only_stub(const struct config_addr *all, int n)
{
	struct config_addr stub;
	struct netaddr na, ns;
	if (config_parse_addr(&stub, RESOLV_STUB, 53) < 0)
		return 0;
	netaddr_from_sockaddr(&ns, (const struct sockaddr *)&stub.ss);
	for (int i = 0; i < n; i++) {
		netaddr_from_sockaddr(&na, (const struct sockaddr *)&all[i].ss);
		if (!netaddr_equal(&na, &ns) || resolv_port(&all[i]) != resolv_port(&stub))
			return 0;
	}
	return n > 0;
}

/* The usable nameservers of the file into up; how many.  A file naming only
 * resolved's stub stands for the resolvers behind it, when resolved says
 * which: the stub would loop back whenever resolved forwards to dnsd, and
 * on a wildcard listen address at port 53 it is dnsd's own address anyway. */
static int
resolv_read(struct resolv *r, struct config_addr *up)
{
	const char *path = r->cfg->resolv_conf;
	struct config_addr all[CONFIG_MAX_UPSTREAMS];
	int nall = resolv_load(path, all), n = 0, nbehind;
	/* all is left as it was when the file cannot be read. */
	if (resolv_only_stub(all, nall) &&
	    (nbehind = resolv_load(RESOLV_RESOLVED_CONF, all)) >= 0) {
		path = RESOLV_RESOLVED_CONF;
		nall = nbehind;
	}
	ifaddr_refresh_limited(r->ifa);
	for (int i = 0; i < nall; i++) {
		struct netaddr na;
		char host[NETADDR_STRLEN];
		const char *why = resolv_is_self(r, &all[i]);
		netaddr_from_sockaddr(&na, (const struct sockaddr *)&all[i].ss);
		if (why)
			log_warnx("resolv_conf %s: nameserver %s skipped: it is %s (dnsd would "
			          "forward to itself)",
			          path, netaddr_str(&na, host), why);
		else
			up[n++] = all[i];
	}
	return n;
}

static void
resolv_log(const struct resolv *r)
{
	char line[CONFIG_MAX_UPSTREAMS * 64] = "", host[NETADDR_STRLEN];
	size_t used = 0;
	if (r->nup == 0) {
		log_warnx("resolv_conf %s: no usable nameserver: names not in the cache or "
		          "policy get SERVFAIL until one appears",
		          r->cfg->resolv_conf);
		return;
	}
	for (int i = 0; i < r->nup && used < sizeof line; i++) {
		struct netaddr na;
		netaddr_from_sockaddr(&na, (const struct sockaddr *)&r->up[i].ss);
		int w = snprintf(line + used, sizeof line - used, "%s%s@%u", i ? ", " : "",
		                 netaddr_str(&na, host), ntohs(resolv_port(&r->up[i])));
		used += w > 0 ? (size_t)w : 0;
	}
	log_info("resolv_conf %s: upstreams %s", r->cfg->resolv_conf, line);
}

/* Read the file and hand forward its list; force: even when unchanged
 * (forward_configure has just replaced it). */
static void
resolv_apply(struct resolv *r, int force)
{
	struct config_addr up[CONFIG_MAX_UPSTREAMS];
	int n = resolv_read(r, up);
	int same = n == r->nup && memcmp(up, r->up, (size_t)n * sizeof up[0]) == 0;
	if (same && !force)
		return;
	memcpy(r->up, up, (size_t)n * sizeof up[0]);
	r->nup = n;
	forward_set_upstreams(r->fwd, r->up, r->nup);
	if (!same)
		resolv_log(r);
}

/* Whether path is another file, was written, or (dis)appeared since last
 * seen as *last, which it updates. */
static int
resolv_stat_changed(const char *path, struct stat *last)
{
	struct stat st;
	if (stat(path, &st) < 0)
		memset(&st, 0, sizeof st);
	int changed = st.st_ino != last->st_ino || st.st_dev != last->st_dev ||
	              st.st_mtim.tv_sec != last->st_mtim.tv_sec ||
	              st.st_mtim.tv_nsec != last->st_mtim.tv_nsec || st.st_size != last->st_size;
	*last = st;
	return changed;
}

/* Whether the file, or resolved's behind its stub, changed since last read. */
static int
resolv_changed(struct resolv *r)
{
	int changed = resolv_stat_changed(r->cfg->resolv_conf, &r->st);
	return resolv_stat_changed(RESOLV_RESOLVED_CONF, &r->st_resolved) || changed;
}

static void
resolv_check(evutil_socket_t fd, short what, void *arg)
{
	struct resolv *r = arg;
	(void)fd;
	(void)what;
	if (resolv_changed(r))
		resolv_apply(r, 0);
}

int
resolv_configure(struct resolv *r, const struct config *c)
{
	r->cfg = c;
	if (c->resolv_conf == NULL) {
		if (r->timer)
			evtimer_del(r->timer);
		r->nup = -1;
		return 0;
	}
	resolv_changed(r);
	resolv_apply(r, 1);
	struct timeval every = {RESOLV_CHECK_MS / 1000, (RESOLV_CHECK_MS % 1000) * 1000};
	if (r->timer == NULL &&
	    (r->timer = event_new(r->base, -1, EV_PERSIST, resolv_check, r)) == NULL)
		return -1;
	return evtimer_pending(r->timer, NULL) ? 0 : evtimer_add(r->timer, &every);
}
