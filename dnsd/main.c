/* dnsd: arguments, start-up (bind, daemonise, drop privileges), the one
 * event base, signals (SIGHUP reloads atomically, SIGTERM/SIGINT exit
 * cleanly) and the wiring of the subsystems. */
#define _GNU_SOURCE /* setgroups */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "cache.h"
#include "config.h"
#include "control.h"
#include "ctlcmd.h"
#include "forward.h"
#include "hostlog.h"
#ifdef DNSD_HTTP
#include "http.h"
#endif
#include "listen.h"
#include "log.h"
#include "metrics.h"
#include "phase.h"
#include "policy.h"
#include "query.h"
#include "ratelimit.h"

#define DNSD_DEFAULT_CONF "/etc/dnsd/dnsd.conf"
#define DNSD_RESOLV_CHECK_S 5	/* how often resolv_conf is looked at */

struct dnsd {
	const char *conf_path;
	struct config *cfg;
	struct event_base *base;
	struct cache *cache;
	struct forward *fwd;
	struct query_ctx *qc;
	struct listen *listen;
	struct phase *phase;
	time_t now_cli;		/* -n: wins over the config's policy.now */
	time_t now_in_force;	/* the override the policy clock runs from, or 0 */
	struct event *sig_hup, *sig_term, *sig_int;
	struct event *resolv_ev;	/* watches resolv_conf */
	struct stat resolv_st;	/* as last seen */
	struct hostlog *hl;		/* per-host records (HOSTS) */
	struct control *ctl;		/* control socket, NULL when not configured */
	struct ctlcmd_src ctlsrc;	/* what its commands, the pages and metrics read */
#ifdef DNSD_HTTP
	struct http *http;		/* NULL when there is no http group */
#endif
	struct metrics_file *mfile;	/* NULL when there is no metrics_file */
};

static void
usage(void)
{
	fprintf(stderr, "usage: dnsd [-dtv] [-c file] [-n datetime]\n");
	exit(1);
}

static void
dnsd_cache_limits(const struct config *c, struct cache_limits *lim)
{
	lim->max_entries = c->cache.max_entries;
	lim->max_bytes = c->cache.max_bytes;
	lim->min_ttl = c->cache.min_ttl;
	lim->max_ttl = c->cache.max_ttl;
	lim->servfail_ttl = c->cache.servfail_ttl;
}

/* Report one "file:line: message" line to stderr (-t) or the log. */
static void
dnsd_report(void *to_stderr, const char *line)
{
	if (to_stderr)
		fprintf(stderr, "%s\n", line);
	else
		log_warn("%s", line);
}

/* Load the config file and the policy it names; every problem is reported
 * as file:line. 0, or -1 with nothing loaded. */
static int
dnsd_load(const char *path, int to_stderr, struct config **cfgp, struct policy **polp)
{
	char err[CONFIG_ERR_MAX];
	void *out = to_stderr ? stderr : NULL;
	struct config *c = config_load(path, err, sizeof err);
	*cfgp = NULL;
	*polp = NULL;
	if (c == NULL) {
		for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n"))
			dnsd_report(out, line);
		return -1;
	}
	struct ratelimit_config rc;
	if (ratelimit_config(config_group(c, "ratelimit"), &rc, err, sizeof err) < 0) {
		dnsd_report(out, strtok(err, "\n"));
		config_free(c);
		return -1;
	}
	if (hostlog_check(c, err, sizeof err) < 0) {
		for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n"))
			dnsd_report(out, line);
		config_free(c);
		return -1;
	}
	if (c->policy_file && (*polp = policy_load(c->policy_file, err, sizeof err)) == NULL) {
		/* On a terminal: every error in the policy, not just the first. */
		if (to_stderr)
			policy_check(c->policy_file, dnsd_report, out);
		else
			dnsd_report(out, err);
		config_free(c);
		return -1;
	}
	*cfgp = c;
	return 0;
}

/* The policy clock: -n, else the config's policy.now, else the system's. */
static void
dnsd_set_now(struct dnsd *d)
{
	time_t now = d->now_cli ? d->now_cli : d->cfg->now;
	if (now != d->now_in_force) {
		phase_set_now(d->phase, now);
		d->now_in_force = now;
	}
}

/* The HTTP server's token, allow list and limits, and the metrics file,
 * from d->cfg (at start and on reload; HTTP listen addresses change only
 * on restart). */
static void
dnsd_configure_metrics(struct dnsd *d)
{
	const struct config *c = d->cfg;
#ifdef DNSD_HTTP
	if (d->http && c->http.nlisten)
		http_configure(d->http, c);
	else if (!d->http != !c->http.nlisten)
		log_warn("reload: the http server starts or stops only on restart");
#endif
	if (d->mfile && c->metrics_file)
		metrics_file_configure(d->mfile, c->metrics_file, c->metrics_interval);
	else if (c->metrics_file) {
		if ((d->mfile = metrics_file_new(d->base, c->metrics_file, c->metrics_interval,
		    &d->ctlsrc)) == NULL)
			log_warn("metrics_file %s: out of memory", c->metrics_file);
	} else {
		metrics_file_free(d->mfile);
		d->mfile = NULL;
	}
}

static int
dnsd_same_listen(const struct config *a, const struct config *b)
{
	if (a->nlisten != b->nlisten)
		return 0;
	for (int i = 0; i < a->nlisten; i++)
		if (a->listen[i].len != b->listen[i].len ||
		    memcmp(&a->listen[i].ss, &b->listen[i].ss, a->listen[i].len) != 0)
			return 0;
	return 1;
}

/* SIGHUP: the new file replaces the old only when all of it is good. */
static void
dnsd_reload(struct dnsd *d)
{
	struct config *c;
	struct policy *pol;
	if (dnsd_load(d->conf_path, 0, &c, &pol) < 0) {
		log_warn("reload failed: keeping the previous configuration and policy");
		return;
	}
	/* A policy file emptied by a non-atomic writer or a full disk parses
	 * as a valid policy that blocks nothing: never swap one in silently. */
	const struct policy *prev = phase_policy(d->phase);
	if (pol && prev && policy_pattern_count(pol) == 0 && policy_pattern_count(prev) > 0) {
		log_warn("%s: the new policy has no patterns: keeping the previous "
			 "configuration and policy", policy_path(pol));
		policy_free(pol);
		config_free(c);
		return;
	}
	if (!dnsd_same_listen(c, d->cfg))
		log_warn("reload: listen addresses change only on restart");
	struct cache_limits lim, old;
	dnsd_cache_limits(c, &lim);
	old = *cache_get_limits(d->cache);
	if (memcmp(&lim, &old, sizeof lim) != 0) {
		struct cache *nc = cache_new(&lim);
		if (nc == NULL) {
			log_warn("reload: cannot allocate the cache: keeping the previous configuration");
			policy_free(pol);
			config_free(c);
			return;
		}
		query_set_cache(d->qc, nc);
		cache_free(d->cache);
		d->cache = nc;
	}
	forward_configure(d->fwd, c);
	listen_configure(d->listen, c);
	query_configure(d->qc, c);
	char herr[CONFIG_ERR_MAX];
	if (hostlog_configure(d->hl, c, herr, sizeof herr) < 0)
		log_warn("reload: %s", herr);
	config_free(d->cfg);
	d->cfg = c;
	phase_set_policy(d->phase, pol);
	dnsd_set_now(d);
	dnsd_configure_metrics(d);
	log_info("configuration reloaded from %s", d->conf_path);
}

static void
dnsd_reload_cb(void *arg)
{
	dnsd_reload(arg);
}

/* Whether resolv_conf is another file, or was written, since last seen. */
static int
dnsd_resolv_changed(struct dnsd *d)
{
	struct stat st;
	if (d->cfg->resolv_conf == NULL || stat(d->cfg->resolv_conf, &st) < 0)
		return 0;
	int changed = st.st_ino != d->resolv_st.st_ino ||
	    st.st_mtim.tv_sec != d->resolv_st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != d->resolv_st.st_mtim.tv_nsec || st.st_size != d->resolv_st.st_size;
	d->resolv_st = st;
	return changed;
}

/* A router's resolv.conf is rewritten when the WAN link comes up with other
 * resolvers: reload as on SIGHUP. */
static void
dnsd_resolv_check(evutil_socket_t fd, short what, void *arg)
{
	struct dnsd *d = arg;
	(void)fd;
	(void)what;
	if (dnsd_resolv_changed(d)) {
		log_info("%s changed: reloading", d->cfg->resolv_conf);
		dnsd_reload(d);
	}
}

static void
dnsd_signal(evutil_socket_t sig, short what, void *arg)
{
	struct dnsd *d = arg;
	(void)what;
	if (sig == SIGHUP)
		dnsd_reload(d);
	else {
		log_info("exiting on signal %d", (int)sig);
		event_base_loopexit(d->base, NULL);
	}
}

static void
dnsd_drop_privileges(const struct config *c)
{
	struct passwd *pw = NULL;
	gid_t gid = getgid();
	if (c->user && (pw = getpwnam(c->user)) == NULL)
		fatal("user %s: no such user", c->user);
	if (pw)
		gid = pw->pw_gid;
	if (c->group) {
		struct group *gr = getgrnam(c->group);
		if (gr == NULL)
			fatal("group %s: no such group", c->group);
		gid = gr->gr_gid;
	}
	/* The control socket (0660) belongs to the configured group, so that
	 * admins in it can use dnsdctl without root. */
	if (c->group && c->control_socket && chown(c->control_socket, (uid_t)-1, gid) < 0)
		log_warn("control socket %s: chown: %s", c->control_socket, strerror(errno));
	if (c->chroot && (chroot(c->chroot) < 0 || chdir("/") < 0))
		fatal("chroot %s: %s", c->chroot, strerror(errno));
	if (pw == NULL && c->group == NULL)
		return;
	/* Started as that user already (systemd User=): nothing to drop. */
	if (getgid() == gid && (pw == NULL || getuid() == pw->pw_uid))
		return;
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0)
		fatal("setgid %u: %s", (unsigned)gid, strerror(errno));
	if (pw && setuid(pw->pw_uid) < 0)
		fatal("setuid %s: %s", c->user, strerror(errno));
	if (pw && pw->pw_uid != 0 && setuid(0) == 0)
		fatal("could regain root after dropping privileges");
}

static void
dnsd_write_pid(const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0)
		fatal("pid file %s: %s", path, strerror(errno));
}

/* The per-host records, the HTTP server, the metrics file and the control
 * socket (before privileges go:
 * their files may be in root's directories). */
static void
dnsd_start_hosts(struct dnsd *d)
{
	char err[CONFIG_ERR_MAX];
	if ((d->hl = hostlog_new(d->cfg, d->base, err, sizeof err)) == NULL)
		fatal("%s", err);
	query_set_hostlog(d->qc, d->hl);
	d->ctlsrc = (struct ctlcmd_src){ .started = time(NULL), .cache = &d->cache, .fwd = &d->fwd,
		.qc = &d->qc, .listen = &d->listen, .phase = &d->phase, .hl = &d->hl,
		.reload = dnsd_reload_cb, .reload_arg = d };
#ifdef DNSD_HTTP
	if (d->cfg->http.nlisten &&
	    (d->http = http_new(d->base, d->cfg, &d->ctlsrc, err, sizeof err)) == NULL)
		fatal("%s", err);
#endif
	dnsd_configure_metrics(d);
	if (d->cfg->control_socket == NULL)
		return;
	if ((d->ctl = control_new(d->base, d->cfg->control_socket, err, sizeof err)) == NULL)
		fatal("%s", err);
	if (ctlcmd_register(d->ctl, &d->ctlsrc) < 0)
		fatal("control: too many commands");
}

static void
dnsd_start(struct dnsd *d, int foreground, struct policy *pol)
{
	char err[256];
	struct cache_limits lim;
	if ((d->listen = listen_open(d->cfg, err, sizeof err)) == NULL)
		fatal("%s", err);
	if (!foreground && daemon(0, 0) < 0)
		fatal("daemon: %s", strerror(errno));
	if (d->cfg->pid_file)
		dnsd_write_pid(d->cfg->pid_file);
	if ((d->base = event_base_new()) == NULL)
		fatal("event_base_new failed");
	dnsd_cache_limits(d->cfg, &lim);
	if ((d->phase = phase_new(d->base)) == NULL || (d->cache = cache_new(&lim)) == NULL ||
	    (d->fwd = forward_new(d->base, d->cfg)) == NULL ||
	    (d->qc = query_new(d->cache, d->fwd, d->phase, d->cfg)) == NULL)
		fatal("out of memory");
	dnsd_set_now(d);
	phase_set_policy(d->phase, pol);
	if (listen_start(d->listen, d->base, d->qc) < 0)
		fatal("cannot start listening");
	d->sig_hup = evsignal_new(d->base, SIGHUP, dnsd_signal, d);
	d->sig_term = evsignal_new(d->base, SIGTERM, dnsd_signal, d);
	d->sig_int = evsignal_new(d->base, SIGINT, dnsd_signal, d);
	if (!d->sig_hup || !d->sig_term || !d->sig_int || evsignal_add(d->sig_hup, NULL) < 0 ||
	    evsignal_add(d->sig_term, NULL) < 0 || evsignal_add(d->sig_int, NULL) < 0)
		fatal("cannot install signal handlers");
	signal(SIGPIPE, SIG_IGN);
	struct timeval every = { DNSD_RESOLV_CHECK_S, 0 };
	dnsd_resolv_changed(d);
	if ((d->resolv_ev = event_new(d->base, -1, EV_PERSIST, dnsd_resolv_check, d)) == NULL ||
	    evtimer_add(d->resolv_ev, &every) < 0)
		fatal("cannot start the resolv.conf timer");
	dnsd_start_hosts(d);
	dnsd_drop_privileges(d->cfg);
}

/* Upstream queries first (their callbacks reference pending questions),
 * then pending questions (they hold client connections), then sockets. */
static void
dnsd_stop(struct dnsd *d)
{
	control_free(d->ctl);
#ifdef DNSD_HTTP
	http_free(d->http);
#endif
	metrics_file_free(d->mfile);
	hostlog_free(d->hl);	/* saves the host table, writes pending summaries */
	forward_free(d->fwd);
	query_free(d->qc);
	listen_free(d->listen);
	cache_free(d->cache);
	phase_free(d->phase);
	event_free(d->sig_hup);
	event_free(d->sig_term);
	event_free(d->sig_int);
	event_free(d->resolv_ev);
	event_base_free(d->base);
	if (d->cfg->pid_file && unlink(d->cfg->pid_file) < 0)
		log_debug("pid file %s: %s", d->cfg->pid_file, strerror(errno));
	config_free(d->cfg);
}

int
main(int argc, char **argv)
{
	struct dnsd d = { .conf_path = DNSD_DEFAULT_CONF };
	int foreground = 0, check = 0, verbose = 0, ch;
	struct policy *pol;

	while ((ch = getopt(argc, argv, "c:dhn:tv")) != -1) {
		switch (ch) {
		case 'c':
			d.conf_path = optarg;
			break;
		case 'd':
			foreground = 1;
			break;
		case 'n':
			if ((d.now_cli = config_parse_time(optarg)) == -1) {
				fprintf(stderr, "dnsd: -n %s: not a date-time\n", optarg);
				return 1;
			}
			break;
		case 't':
			check = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	log_init("dnsd", foreground || check, verbose);
	if (dnsd_load(d.conf_path, 1, &d.cfg, &pol) < 0)
		return 1;
	if (check) {
		fprintf(stderr, "%s: configuration OK\n", d.conf_path);
		policy_free(pol);
		config_free(d.cfg);
		return 0;
	}
	dnsd_start(&d, foreground, pol);
	log_info("dnsd started: %d listen address(es), %d upstream(s)", d.cfg->nlisten,
	    d.cfg->nupstream);
	event_base_dispatch(d.base);
	dnsd_stop(&d);
	return 0;
}
