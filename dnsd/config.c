/* The configuration file: libconfig parses, this file checks every setting
 * and fills struct config, reporting each problem with its file and line
 * and carrying on so that one run of `dnsd -t` shows them all. */
#define _GNU_SOURCE /* asprintf */
#include "config.h"
#include "config_impl.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The LAN comes from local_service (attached subnets), not from private
 * ranges: a WAN in 10/8 or 100.64/10 must not see an open resolver. */
static const char *const config_default_allow[] = {"127.0.0.0/8", "::1/128", NULL};

/* Top-level groups read into their owners' option structs. */
static const char *const config_subsystem_groups[] = {"hosts", "log", "ratelimit", NULL};

/* Paths are relative to the directory of the config file. */
static char *
config_path(const struct config *c, const char *p)
{
	return conf_resolve(c->path, p);
}

int
config_parse_addr(struct config_addr *a, const char *text, unsigned default_port)
{
	char host[INET6_ADDRSTRLEN + 1];
	unsigned long port = default_port;
	const char *at = strrchr(text, '@');
	size_t hl = at ? (size_t)(at - text) : strlen(text);
	if (hl == 0 || hl >= sizeof host)
		return -1;
	memcpy(host, text, hl);
	host[hl] = '\0';
	if (at) {
		char *end;
		errno = 0;
		port = strtoul(at + 1, &end, 10);
		if (errno || *end || end == at + 1 || port == 0 || port > 65535)
			return -1;
	}
	memset(a, 0, sizeof *a);
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		a->len = sizeof *s4;
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		a->len = sizeof *s6;
	} else
		return -1;
	return 0;
}

/* A list or array of address strings. */
static int
config_addrs(struct config_ctx *x, const config_setting_t *s, struct config_addr *out, int max,
             unsigned default_port)
{
	int n = 0;
	if (!config_setting_is_aggregate(s)) {
		confread_error(x->e, s, "%s: expected a list of addresses", config_setting_name(s));
		return 0;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *t = config_setting_get_string(e);
		if (t == NULL || config_parse_addr(&out[n], t, default_port) < 0)
			confread_error(x->e, e, "%s: '%s' is not an address or address@port",
			               config_setting_name(s), t ? t : "(not a string)");
		else if (n == max)
			confread_error(x->e, e, "%s: more than %d addresses",
			               config_setting_name(s), max);
		else
			n++;
	}
	return n;
}

/* A list of networks into out; the count, errors reported. */
static int
config_cidrs(struct config_ctx *x, const config_setting_t *s, struct cidr *out, int max)
{
	int n = 0;
	if (!config_setting_is_aggregate(s)) {
		confread_error(x->e, s, "%s: expected a list of networks", config_setting_name(s));
		return 0;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *t = config_setting_get_string(e);
		if (t == NULL || cidr_parse(&out[n], t) < 0)
			confread_error(x->e, e, "%s: '%s' is not an address or network",
			               config_setting_name(s), t ? t : "(not a string)");
		else if (n == max)
			confread_error(x->e, e, "%s: more than %d networks", config_setting_name(s),
			               max);
		else
			n++;
	}
	return n;
}

static void
config_allow(struct config_ctx *x, const config_setting_t *s)
{
	struct config *c = x->c;
	if (s == NULL) {
		for (const char *const *d = config_default_allow; *d; d++)
			cidr_parse(&c->allow[c->nallow++], *d);
		return;
	}
	c->nallow = config_cidrs(x, s, c->allow, CONFIG_MAX_ALLOW);
}

/* local_service (boolean) and lan_interfaces (interface names). */
static void
config_local_service(struct config_ctx *x, const config_setting_t *root)
{
	struct config *c = x->c;
	const config_setting_t *s = config_setting_get_member(root, "local_service");
	c->local_service = true;
	if (s && config_setting_type(s) != CONFIG_TYPE_BOOL)
		confread_error(x->e, s, "local_service: expected true or false");
	else if (s)
		c->local_service = config_setting_get_bool(s);
	if ((s = config_setting_get_member(root, "lan_interfaces")) == NULL)
		return;
	if (!config_setting_is_aggregate(s)) {
		confread_error(x->e, s, "lan_interfaces: expected a list of interface names");
		return;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *t = config_setting_get_string(e);
		if (t == NULL || *t == '\0' || strlen(t) >= 16 || strpbrk(t, " /\t"))
			confread_error(x->e, e, "lan_interfaces: '%s' is not an interface name",
			               t ? t : "(not a string)");
		else if (c->nlan_interfaces == CONFIG_MAX_LAN)
			confread_error(x->e, e, "lan_interfaces: more than %d interfaces",
			               CONFIG_MAX_LAN);
		else if ((c->lan_interfaces[c->nlan_interfaces] = strdup(t)))
			c->nlan_interfaces++;
	}
}

static const config_setting_t *
config_subgroup(struct config_ctx *x, const config_setting_t *root, const char *name,
                const char *const *names)
{
	const config_setting_t *g = config_setting_get_member(root, name);
	if (g == NULL)
		return NULL;
	if (!config_setting_is_group(g)) {
		confread_error(x->e, g, "%s: expected a group { ... }", name);
		return NULL;
	}
	char what[64];
	snprintf(what, sizeof what, " in %s", name);
	confread_known(x->e, g, names, "unknown setting '%s'%s", what);
	return g;
}

static void
config_groups(struct config_ctx *x, const config_setting_t *root)
{
	static const char *const cache_names[] = {"max_entries", "max_bytes",    "min_ttl",
	                                          "max_ttl",     "servfail_ttl", NULL};
	static const char *const fwd_names[] = {
	    "timeout_ms",      "budget_ms",   "down_after", "probe_interval",
	    "max_outstanding", "max_waiters", NULL};
	static const char *const tcp_names[] = {"max_connections", "idle_timeout", "max_queries",
	                                        NULL};
	static const char *const policy_names[] = {"file", "now", "audit", NULL};
	struct config *c = x->c;
	const config_setting_t *g;

	g = config_subgroup(x, root, "cache", cache_names);
	CONFIG_UINT(x, g, "max_entries", 0, 1u << 24, c->cache.max_entries);
	CONFIG_UINT(x, g, "max_bytes", 4096, 1ull << 34, c->cache.max_bytes);
	CONFIG_UINT(x, g, "min_ttl", 0, 86400, c->cache.min_ttl);
	CONFIG_UINT(x, g, "max_ttl", 0, 7 * 86400, c->cache.max_ttl);
	CONFIG_UINT(x, g, "servfail_ttl", 0, 30, c->cache.servfail_ttl);
	if (g && c->cache.max_ttl && c->cache.min_ttl > c->cache.max_ttl)
		confread_error(x->e, g, "cache: min_ttl is above max_ttl");

	g = config_subgroup(x, root, "forward", fwd_names);
	CONFIG_UINT(x, g, "timeout_ms", 50, 10000, c->forward.timeout_ms);
	CONFIG_UINT(x, g, "budget_ms", 100, 30000, c->forward.budget_ms);
	CONFIG_UINT(x, g, "down_after", 1, 100, c->forward.down_after);
	CONFIG_UINT(x, g, "probe_interval", 1, 3600, c->forward.probe_s);
	CONFIG_UINT(x, g, "max_outstanding", 1, 65536, c->forward.max_outstanding);
	CONFIG_UINT(x, g, "max_waiters", 1, 4096, c->forward.max_waiters);

	g = config_subgroup(x, root, "tcp", tcp_names);
	CONFIG_UINT(x, g, "max_connections", 1, 65536, c->tcp.max_connections);
	CONFIG_UINT(x, g, "idle_timeout", 1, 3600, c->tcp.idle_timeout_s);
	CONFIG_UINT(x, g, "max_queries", 1, 1024, c->tcp.max_queries);

	g = config_subgroup(x, root, "policy", policy_names);
	if (g) {
		c->policy_file = config_path(c, confread_str(x->e, g, "file"));
		const char *now = confread_str(x->e, g, "now");
		if (now && (c->now = config_parse_time(now)) == -1)
			confread_error(x->e, config_setting_get_member(g, "now"),
			               "now: '%s' is not a date-time (2024-09-29T00:00:00-04:00)",
			               now);
		c->now_set = now && c->now != -1;
		const config_setting_t *a = config_setting_get_member(g, "audit");
		if (a && config_setting_type(a) != CONFIG_TYPE_BOOL)
			confread_error(x->e, a, "audit: expected true or false");
		else if (a)
			c->audit = config_setting_get_bool(a);
	}
}

static bool
config_loopback(const struct config_addr *a)
{
	struct netaddr na;
	struct cidr lo4, lo6;
	netaddr_from_sockaddr(&na, (const struct sockaddr *)&a->ss);
	cidr_parse(&lo4, "127.0.0.0/8");
	cidr_parse(&lo6, "::1/128");
	return cidr_contains(&lo4, &na) || cidr_contains(&lo6, &na);
}

/* The HTTP server (pages, JSON API, /metrics): loopback and no token by
 * default; any other address must have a token, so that the host table is
 * never readable by whoever can reach the port. */
static void
config_http(struct config_ctx *x, const config_setting_t *root)
{
	static const char *const names[] = {"listen",  "token",      "allow",   "max_connections",
	                                    "timeout", "max_header", "refresh", NULL};
	struct config *c = x->c;
	const config_setting_t *g = config_subgroup(x, root, "http", names), *s;
	if (g == NULL)
		return;
#ifndef DNSD_HTTP
	confread_error(x->e, g,
	               "http: this dnsd was built without the HTTP server (make HTTP=0); "
	               "use metrics_file for the Prometheus metrics");
	return;
#endif
	if ((s = config_setting_get_member(g, "listen")))
		c->http.nlisten = config_addrs(x, s, c->http.listen, CONFIG_MAX_HTTP_LISTEN, 8053);
	else
		c->http.nlisten = config_parse_addr(&c->http.listen[0], "127.0.0.1", 8053) == 0;
	if (s && config_setting_length(s) == 0)
		confread_error(x->e, s, "listen: the list is empty");
	const char *tok = confread_str(x->e, g, "token");
	if (tok && (strlen(tok) < 16 || strlen(tok) > 256 || strpbrk(tok, " \t\r\n:")))
		confread_error(x->e, config_setting_get_member(g, "token"),
		               "token: 16 to 256 characters, no spaces or ':'");
	else if (tok)
		c->http.token = strdup(tok);
	for (int i = 0; i < c->http.nlisten && !c->http.token; i++)
		if (!config_loopback(&c->http.listen[i]))
			confread_error(x->e, s, "listen: a non-loopback address needs a token");
	if ((s = config_setting_get_member(g, "allow")))
		c->http.nallow = config_cidrs(x, s, c->http.allow, CONFIG_MAX_ALLOW);
	else {
		cidr_parse(&c->http.allow[0], "127.0.0.0/8");
		cidr_parse(&c->http.allow[1], "::1/128");
		c->http.nallow = 2;
	}
	CONFIG_UINT(x, g, "max_connections", 1, 1024, c->http.max_connections);
	CONFIG_UINT(x, g, "timeout", 1, 300, c->http.timeout_s);
	CONFIG_UINT(x, g, "max_header", 512, 65536, c->http.max_header);
	CONFIG_UINT(x, g, "refresh", 1, 3600, c->http.refresh_s);
}

static void
config_top(struct config_ctx *x, const config_setting_t *root)
{
	static const char *const names[] = {"listen",
	                                    "upstreams",
	                                    "resolv_conf",
	                                    "allow",
	                                    "local_service",
	                                    "lan_interfaces",
	                                    "cache",
	                                    "forward",
	                                    "tcp",
	                                    "user",
	                                    "group",
	                                    "chroot",
	                                    "pid_file",
	                                    "control_socket",
	                                    "policy",
	                                    "hosts",
	                                    "log",
	                                    "ratelimit",
	                                    "http",
	                                    "metrics_file",
	                                    "metrics_interval",
	                                    NULL};
	struct config *c = x->c;
	const config_setting_t *s;

	confread_known(x->e, root, names, "unknown setting '%s'%s", "");
	for (const char *const *g = config_subsystem_groups; *g; g++)
		if ((s = config_setting_get_member(root, *g)) && !config_setting_is_group(s))
			confread_error(x->e, s, "%s: expected a group { ... }", *g);

	if ((s = config_setting_get_member(root, "listen")))
		c->nlisten = config_addrs(x, s, c->listen, CONFIG_MAX_LISTEN, 53);
	else {
		config_parse_addr(&c->listen[0], "127.0.0.1", 53);
		config_parse_addr(&c->listen[1], "::1", 53);
		c->nlisten = 2;
	}
	const config_setting_t *up = config_setting_get_member(root, "upstreams");
	const config_setting_t *rc = config_setting_get_member(root, "resolv_conf");
	if (up && rc)
		confread_error(x->e, rc,
		               "resolv_conf: give either upstreams or resolv_conf, not both");
	else if (up) {
		c->nupstream = config_addrs(x, up, c->upstream, CONFIG_MAX_UPSTREAMS, 53);
		if (config_setting_length(up) == 0)
			confread_error(x->e, up, "upstreams: the list is empty");
	} else if (rc) {
		const char *p = confread_str(x->e, root, "resolv_conf");
		if (p && *p)
			c->resolv_conf = config_path(c, p);
		else
			confread_error(x->e, rc, "resolv_conf: expected a file name");
	} else
		confread_error(x->e, root,
		               "no upstreams and no resolv_conf: nowhere to forward to");

	config_allow(x, config_setting_get_member(root, "allow"));
	config_local_service(x, root);
	config_groups(x, root);
	config_http(x, root);
	CONFIG_UINT(x, root, "metrics_interval", 1, 3600, c->metrics_interval);

	struct {
		const char *name;
		char **field;
		int is_path;
	} strs[] = {
	    {"user", &c->user, 0},
	    {"group", &c->group, 0},
	    {"chroot", &c->chroot, 1},
	    {"pid_file", &c->pid_file, 1},
	    {"control_socket", &c->control_socket, 1},
	    {"metrics_file", &c->metrics_file, 1},
	};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		const char *v = confread_str(x->e, root, strs[i].name);
		if (v && *v)
			*strs[i].field = strs[i].is_path ? config_path(c, v) : strdup(v);
	}
	config_hosts(x, config_setting_get_member(root, "hosts"));
	config_log(x, config_setting_get_member(root, "log"));
	config_ratelimit(x, config_setting_get_member(root, "ratelimit"));
	config_where(x, root);
}

static void
config_defaults(struct config *c)
{
	c->cache.max_entries = 100000;
	c->cache.max_bytes = 16u << 20;
	c->cache.min_ttl = 0;
	c->cache.max_ttl = 86400;
	c->cache.servfail_ttl = 5;
	c->forward.timeout_ms = 1000;
	c->forward.budget_ms = 3000;
	c->forward.down_after = 3;
	c->forward.probe_s = 30;
	c->forward.max_outstanding = 1024;
	c->forward.max_waiters = 64;
	c->tcp.max_connections = 64;
	c->tcp.idle_timeout_s = 10;
	c->tcp.max_queries = 16;
	c->http.max_connections = 16;
	c->http.timeout_s = 10;
	c->http.max_header = 8192;
	c->http.refresh_s = 10;
	c->metrics_interval = 15;
	ratelimit_config_default(&c->ratelimit);
}

struct config *
config_load(const char *path, char *err, size_t errlen)
{
	struct config *c = calloc(1, sizeof *c);
	struct conf_errors e;
	conf_errors_buf(&e, path, err, errlen);
	if (c == NULL || (c->path = strdup(path)) == NULL || config_subsys_new(c) < 0) {
		conf_error(&e, NULL, 0, "out of memory");
		config_free(c);
		return NULL;
	}
	config_t lc;
	config_init(&lc);
	config_defaults(c);
	struct config_ctx x = {c, &e};
	int rc = confread_file(&lc, path, &e);
	if (rc == -1)
		conf_error(&e, NULL, 0, "%s", strerror(errno));
	else if (rc == 0)
		config_top(&x, config_root_setting(&lc));
	config_destroy(&lc);
	conf_errors_end(&e);
	if (e.n) {
		config_free(c);
		return NULL;
	}
	return c;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->resolv_conf);
	for (int i = 0; i < c->nlan_interfaces; i++)
		free(c->lan_interfaces[i]);
	free(c->user);
	free(c->group);
	free(c->chroot);
	free(c->pid_file);
	free(c->control_socket);
	free(c->policy_file);
	free(c->http.token);
	free(c->metrics_file);
	config_subsys_free(c);
	struct conf_at *at[] = {&c->at_user, &c->at_group, &c->at_state_file, &c->at_log_file,
	                        &c->at_host_dir};
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
		conf_at_free(at[i]);
	free(c);
}

/* Digits at *p, exactly n of them. */
static int
config_digits(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

time_t
config_parse_time(const char *t)
{
	if (t[0] == '@') {
		char *end;
		errno = 0;
		long long v = strtoll(t + 1, &end, 10);
		return errno || *end || end == t + 1 || v < 0 ? -1 : (time_t)v;
	}
	struct tm tm = {0};
	int y = config_digits(&t, 4), sign, off = 0;
	if (y < 0 || *t++ != '-' || (tm.tm_mon = config_digits(&t, 2) - 1) < 0 || *t++ != '-' ||
	    (tm.tm_mday = config_digits(&t, 2)) < 1)
		return -1;
	tm.tm_year = y - 1900;
	if (*t == 'T' || *t == ' ') {
		t++;
		if ((tm.tm_hour = config_digits(&t, 2)) < 0 || *t++ != ':' ||
		    (tm.tm_min = config_digits(&t, 2)) < 0)
			return -1;
		if (*t == ':') {
			t++;
			if ((tm.tm_sec = config_digits(&t, 2)) < 0)
				return -1;
		}
	}
	if (*t == 'Z')
		t++;
	else if (*t == '+' || *t == '-') {
		sign = *t++ == '-' ? -1 : 1;
		int h = config_digits(&t, 2);
		if (*t == ':')
			t++;
		int m = config_digits(&t, 2);
		if (h < 0 || m < 0)
			return -1;
		off = sign * (h * 3600 + m * 60);
	}
	if (*t || tm.tm_mon > 11 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	time_t t0 = timegm(&tm) - off;
	return t0 < 0 ? -1 : t0;
}
