/* dnsd: arguments, start-up (bind, daemonise, drop privileges), the one
 * event base, signals (SIGHUP reloads atomically, SIGTERM/SIGINT exit
 * cleanly) and the wiring of the subsystems. */
#define _GNU_SOURCE /* setgroups */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "cache.h"
#include "config.h"
#include "forward.h"
#include "listen.h"
#include "log.h"
#include "query.h"

#define DNSD_DEFAULT_CONF "/etc/dnsd/dnsd.conf"

struct dnsd {
	const char *conf_path;
	struct config *cfg;
	struct event_base *base;
	struct cache *cache;
	struct forward *fwd;
	struct query_ctx *qc;
	struct listen *listen;
	struct event *sig_hup, *sig_term, *sig_int;
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

/* Load the config file; every problem is logged (or printed, for -t). */
static struct config *
dnsd_load(const char *path, int to_stderr)
{
	char err[CONFIG_ERR_MAX];
	struct config *c = config_load(path, err, sizeof err);
	if (c)
		return c;
	for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n")) {
		if (to_stderr)
			fprintf(stderr, "%s\n", line);
		else
			log_warn("%s", line);
	}
	return NULL;
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
	struct config *c = dnsd_load(d->conf_path, 0);
	if (c == NULL) {
		log_warn("reload failed: keeping the previous configuration");
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
	config_free(d->cfg);
	d->cfg = c;
	log_info("configuration reloaded from %s", d->conf_path);
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
	if (c->chroot && (chroot(c->chroot) < 0 || chdir("/") < 0))
		fatal("chroot %s: %s", c->chroot, strerror(errno));
	if (pw == NULL && c->group == NULL)
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

static void
dnsd_start(struct dnsd *d, int foreground)
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
	if ((d->cache = cache_new(&lim)) == NULL || (d->fwd = forward_new(d->base, d->cfg)) == NULL ||
	    (d->qc = query_new(d->cache, d->fwd, d->cfg)) == NULL)
		fatal("out of memory");
	if (listen_start(d->listen, d->base, d->qc) < 0)
		fatal("cannot start listening");
	d->sig_hup = evsignal_new(d->base, SIGHUP, dnsd_signal, d);
	d->sig_term = evsignal_new(d->base, SIGTERM, dnsd_signal, d);
	d->sig_int = evsignal_new(d->base, SIGINT, dnsd_signal, d);
	if (!d->sig_hup || !d->sig_term || !d->sig_int || evsignal_add(d->sig_hup, NULL) < 0 ||
	    evsignal_add(d->sig_term, NULL) < 0 || evsignal_add(d->sig_int, NULL) < 0)
		fatal("cannot install signal handlers");
	signal(SIGPIPE, SIG_IGN);
	dnsd_drop_privileges(d->cfg);
}

/* Upstream queries first (their callbacks reference pending questions),
 * then pending questions (they hold client connections), then sockets. */
static void
dnsd_stop(struct dnsd *d)
{
	forward_free(d->fwd);
	query_free(d->qc);
	listen_free(d->listen);
	cache_free(d->cache);
	event_free(d->sig_hup);
	event_free(d->sig_term);
	event_free(d->sig_int);
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
	time_t now_override = 0;

	while ((ch = getopt(argc, argv, "c:dhn:tv")) != -1) {
		switch (ch) {
		case 'c':
			d.conf_path = optarg;
			break;
		case 'd':
			foreground = 1;
			break;
		case 'n':
			if ((now_override = config_parse_time(optarg)) == -1) {
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
	(void)now_override;

	log_init("dnsd", foreground || check, verbose);
	d.cfg = dnsd_load(d.conf_path, 1);
	if (check) {
		if (d.cfg)
			fprintf(stderr, "%s: configuration OK\n", d.conf_path);
		config_free(d.cfg);
		return d.cfg ? 0 : 1;
	}
	if (d.cfg == NULL)
		return 1;
	dnsd_start(&d, foreground);
	log_info("dnsd started: %d listen address(es), %d upstream(s)", d.cfg->nlisten,
	    d.cfg->nupstream);
	event_base_dispatch(d.base);
	dnsd_stop(&d);
	return 0;
}
