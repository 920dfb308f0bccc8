/* The dnsd.conf groups that other subsystems own, read into their plain
 * option structs (hosts_opts, eventlog_opts, ratelimit_config) with the
 * owners' defaults kept for what a group leaves out. */
#include "config_impl.h"
#include "hosts/hostlog.h"

#include <stdlib.h>
#include <string.h>

/* The options structs' defaults and their strings: here, with the reader
 * that fills them, so that what reads a config (dnsdctl too) links no
 * subsystem. Declared in the owners' headers. */
void
hosts_opts_defaults(struct hosts_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_hosts = 16384;
	o->archive_max_size = 4LL << 20;
	o->max_names = 16;
	o->recent = 16;
	o->days = 30;
	o->save_interval = 600;
	o->neigh_ttl = 10;
}

void
hosts_opts_free(struct hosts_opts *o)
{
	free(o->state_file);
	free(o->leases_file);
	free(o->odhcpd_file);
	free(o->archive);
	o->state_file = o->leases_file = o->odhcpd_file = o->archive = NULL;
}

void
eventlog_opts_defaults(struct eventlog_opts *o)
{
	memset(o, 0, sizeof *o);
	o->fold_secs = 600;
	o->max_size = 512 * 1024;
	o->keep = 2;
	o->max_pairs = 1024;
	o->host_max_size = 64 * 1024;
	o->host_files = 256;
	o->remote_port = 514;
	o->facility = 3;
}

void
eventlog_opts_free(struct eventlog_opts *o)
{
	free(o->file);
	free(o->host_dir);
	free(o->remote_host);
	o->file = o->host_dir = o->remote_host = NULL;
}

int
config_subsys_new(struct config *c)
{
	c->hosts = calloc(1, sizeof *c->hosts);
	c->log = calloc(1, sizeof *c->log);
	if (!c->hosts || !c->log)
		return -1;
	hosts_opts_defaults(c->hosts);
	eventlog_opts_defaults(c->log);
	return 0;
}

void
config_subsys_free(struct config *c)
{
	if (c->hosts)
		hosts_opts_free(c->hosts);
	if (c->log)
		eventlog_opts_free(c->log);
	free(c->hosts);
	free(c->log);
}

void
ratelimit_config_default(struct ratelimit_config *c)
{
	c->rate = 0;
	c->burst = 0;
	c->table_size = 2048;
	c->prefix4 = 32;
	c->prefix6 = 56;
}

/* A group is read only when it is one (config_top reports it otherwise). */
static bool
config_is_group(const config_setting_t *g)
{
	return g && config_setting_is_group(g);
}

/* hosts.trusted_forwarders: the list's line for every error in it. */
static void
config_forwarders(struct config_ctx *x, const config_setting_t *g, struct clientid_opts *o)
{
	const config_setting_t *s = config_setting_get_member(g, "trusted_forwarders");
	if (!s)
		return;
	if (!config_setting_is_aggregate(s) || config_setting_length(s) > CLIENTID_MAX_FORWARDERS) {
		confread_error(
		    x->e, s,
		    "trusted_forwarders: expected a list of at most %d addresses or prefixes",
		    CLIENTID_MAX_FORWARDERS);
		return;
	}
	o->nforwarders = 0;
	for (int i = 0; i < config_setting_length(s); i++) {
		const char *v = config_setting_get_string_elem(s, i);
		if (!v || cidr_parse(&o->forwarders[o->nforwarders], v) == -1)
			confread_error(x->e, s,
			               "trusted_forwarders: '%s' is not an address or prefix",
			               v ? v : "(not a string)");
		else
			o->nforwarders++;
	}
}

/* The "hosts" group: the host table, leases, neighbours, forwarders. */
void
config_hosts(struct config_ctx *x, const config_setting_t *g)
{
	static const char *const names[] = {"max_hosts",
	                                    "max_bytes",
	                                    "max_names",
	                                    "recent",
	                                    "days",
	                                    "state_file",
	                                    "save_interval",
	                                    "leases",
	                                    "odhcpd_hosts",
	                                    "neigh_ttl",
	                                    "archive",
	                                    "archive_max_size",
	                                    "trusted_forwarders",
	                                    NULL};
	struct hosts_opts *o = x->c->hosts;
	if (!config_is_group(g))
		return;
	confread_known(x->e, g, names, "unknown setting '%s'%s", " in hosts");
	CONFIG_UINT(x, g, "max_hosts", 1, 1 << 22, o->max_hosts);
	CONFIG_UINT(x, g, "max_bytes", 0, 1LL << 40, o->max_bytes);
	confread_path(x->e, g, "archive", &o->archive);
	CONFIG_UINT(x, g, "archive_max_size", 4096, HOSTS_ARCHIVE_MAX, o->archive_max_size);
	CONFIG_UINT(x, g, "max_names", 0, 4096, o->max_names);
	CONFIG_UINT(x, g, "recent", 0, 4096, o->recent);
	CONFIG_UINT(x, g, "days", 1, HOSTS_MAX_DAYS, o->days);
	confread_path(x->e, g, "state_file", &o->state_file);
	CONFIG_UINT(x, g, "save_interval", 1, 7 * 86400, o->save_interval);
	confread_path(x->e, g, "leases", &o->leases_file);
	confread_path(x->e, g, "odhcpd_hosts", &o->odhcpd_file);
	CONFIG_UINT(x, g, "neigh_ttl", 1, 3600, o->neigh_ttl);
	config_forwarders(x, g, &o->clientid);
}

/* log.remote, remote_protocol and remote_port. */
static void
config_log_remote(struct config_ctx *x, const config_setting_t *g, struct eventlog_opts *o)
{
	struct netaddr na;
	confread_strdup(x->e, g, "remote", &o->remote_host);
	const char *proto = confread_str(x->e, g, "remote_protocol");
	CONFIG_UINT(x, g, "remote_port", 1, 65535, o->remote_port);
	if (!o->remote_host)
		return;
	o->remote_proto =
	    proto && strcmp(proto, "tcp") == 0 ? EVENTLOG_REMOTE_TCP : EVENTLOG_REMOTE_UDP;
	if (proto && strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
		confread_error(x->e, config_setting_get_member(g, "remote_protocol"),
		               "remote_protocol: expected \"udp\" or \"tcp\"");
	if (netaddr_parse(&na, o->remote_host) == -1)
		confread_error(x->e, config_setting_get_member(g, "remote"),
		               "remote: expected a numeric IPv4 or IPv6 address");
}

/* The "log" group: the event log's sinks and folding. */
void
config_log(struct config_ctx *x, const config_setting_t *g)
{
	static const char *const names[] = {
	    "file",   "syslog",      "fold_minutes",    "fold_seconds",  "max_size",
	    "keep",   "max_pairs",   "host_dir",        "host_max_size", "host_files",
	    "remote", "remote_port", "remote_protocol", "facility",      NULL};
	struct eventlog_opts *o = x->c->log;
	long long fold_min = -1, fold_s = -1;
	if (!config_is_group(g))
		return;
	confread_known(x->e, g, names, "unknown setting '%s'%s", " in log");
	confread_path(x->e, g, "file", &o->file);
	confread_bool(x->e, g, "syslog", &o->syslog);
	confread_int(x->e, g, "fold_minutes", 0, 24 * 60, &fold_min);
	confread_int(x->e, g, "fold_seconds", 0, 24 * 3600, &fold_s);
	CONFIG_UINT(x, g, "max_size", 4096, 1LL << 40, o->max_size);
	CONFIG_UINT(x, g, "keep", 0, 99, o->keep);
	CONFIG_UINT(x, g, "max_pairs", 16, 1 << 20, o->max_pairs);
	confread_path(x->e, g, "host_dir", &o->host_dir);
	CONFIG_UINT(x, g, "host_max_size", 1024, 1LL << 32, o->host_max_size);
	CONFIG_UINT(x, g, "host_files", 1, 65536, o->host_files);
	CONFIG_UINT(x, g, "facility", 0, 23, o->facility);
	config_log_remote(x, g, o);
	if (fold_s >= 0)
		o->fold_secs = (int)fold_s;
	else if (fold_min >= 0)
		o->fold_secs = (int)fold_min * 60;
}

/* The "ratelimit" group:
 *   ratelimit = { rate = 50; burst = 200; table_size = 2048;
 *                 ipv4_prefix = 32; ipv6_prefix = 56; }; */
void
config_ratelimit(struct config_ctx *x, const config_setting_t *g)
{
	static const char *const names[] = {"rate",        "burst",       "table_size",
	                                    "ipv4_prefix", "ipv6_prefix", NULL};
	struct ratelimit_config *o = &x->c->ratelimit;
	if (!config_is_group(g))
		return;
	confread_known(x->e, g, names, "unknown setting '%s'%s", " in ratelimit");
	CONFIG_UINT(x, g, "rate", 0, 1000000, o->rate);
	CONFIG_UINT(x, g, "burst", 0, 10000000, o->burst);
	CONFIG_UINT(x, g, "table_size", 1, 1 << 20, o->table_size);
	CONFIG_UINT(x, g, "ipv4_prefix", 1, 32, o->prefix4);
	CONFIG_UINT(x, g, "ipv6_prefix", 1, 128, o->prefix6);
}

void
config_where(struct config_ctx *x, const config_setting_t *root)
{
	const config_setting_t *h = config_setting_get_member(root, "hosts");
	const config_setting_t *l = config_setting_get_member(root, "log");
	struct config *c = x->c;
	struct {
		const config_setting_t *s;
		struct conf_at *at;
	} w[] = {
	    {config_setting_get_member(root, "user"), &c->at_user},
	    {config_setting_get_member(root, "group"), &c->at_group},
	    {config_is_group(h) ? config_setting_get_member(h, "state_file") : NULL,
	     &c->at_state_file},
	    {config_is_group(l) ? config_setting_get_member(l, "file") : NULL, &c->at_log_file},
	    {config_is_group(l) ? config_setting_get_member(l, "host_dir") : NULL, &c->at_host_dir},
	};
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (!confread_at(w[i].s, w[i].at))
			confread_error(x->e, w[i].s, "out of memory");
}
