/* dnsd: arguments, start-up (bind, daemonise, drop privileges), the one
 * event base, signals (SIGHUP reloads atomically, SIGTERM/SIGINT exit
 * cleanly) and the wiring of the subsystems. */
#define _GNU_SOURCE /* setgroups */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "access.h"
#include "cache.h"
#include "conf.h"
#include "config.h"
#include "control.h"
#include "ctlcmd.h"
#include "forward.h"
#include "hosts/hostlog.h"
#ifdef DNSD_HTTP
#include "http.h"
#endif
#include "ifaddr.h"
#include "listen.h"
#include "livepolicy.h"
#include "log.h"
#include "metrics.h"
#include "paths.h"
#include "policy.h"
#include "query.h"
#include "ratelimit.h"
#include "resolv.h"

struct dnsd {
	const char *conf_path;
	struct config *cfg;
	struct event_base *base;
	struct cache *cache;
	struct forward *fwd;
	struct query_ctx *qc;
	struct listen *listen;
	struct livepolicy *phase;
	time_t now_cli; /* -n: wins over the config's policy.now */
	bool now_cli_set;
	bool now_set;        /* an override is in force: now_in_force */
	time_t now_in_force; /* the override the policy clock runs from */
	bool audit_cli;      /* -a: audit mode whatever policy.audit says */
	struct event *sig_hup, *sig_term, *sig_int;
	struct ifaddr_table *ifa; /* our addresses and attached subnets */
	struct access *acc;       /* who may ask */
	struct resolv *resolv;    /* resolv_conf's nameservers */
	struct hostlog *hl;       /* per-host records (HOSTS) */
	struct control *ctl;      /* control socket, NULL when not configured */
	struct ctlcmd_src ctlsrc; /* what its commands, the pages and metrics read */
	int pid_fd;               /* the locked pid file, or -1 */
#ifdef DNSD_HTTP
	struct http *http; /* NULL when there is no http group */
#endif
	struct metrics_file *mfile; /* NULL when there is no metrics_file */
};

static void
usage(void)
{
	fprintf(stderr,
	        "usage: dnsd [-adtv] [-c file] [-n datetime]\n       dnsd -V | --version\n");
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

/* Where the problems of one load go: stderr (-t, start) or the log
 * (reload), and also into why when a control client asked for the reload. */
struct dnsd_sink {
	bool to_stderr;
	char *why; /* NULL, or the lines so far, NUL-terminated */
	size_t whylen;
};

/* Report one "file:line: message" line. */
static void
dnsd_report(void *arg, const char *line)
{
	struct dnsd_sink *k = arg;
	if (k->to_stderr)
		fprintf(stderr, "%s\n", line);
	else
		log_warnx("%s", line);
	if (k->why) {
		size_t used = strnlen(k->why, k->whylen);
		snprintf(k->why + used, k->whylen - used, "%s\n", line);
	}
}

/* Each line of err, reported. */
static void
dnsd_report_lines(struct dnsd_sink *k, char *err)
{
	for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n"))
		dnsd_report(k, line);
}

/* The user and group dnsd runs as after the privilege drop (this
 * process's own when none is configured). 0, or -1 with "file:line:
 * message" in err. */
static int
dnsd_run_as(const struct config *c, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	struct passwd *pw = NULL;
	*uid = getuid();
	*gid = getgid();
	if (c->user && (pw = getpwnam(c->user)) == NULL) {
		conf_at_error(&c->at_user, err, errlen, "user: no such user '%s'", c->user);
		return -1;
	}
	if (pw) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (c->group) {
		struct group *gr = getgrnam(c->group);
		if (gr == NULL) {
			conf_at_error(&c->at_group, err, errlen, "group: no such group '%s'",
			              c->group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

/* The directories of the files written at run time exist and are writable
 * by the user dnsd runs as (inside the chroot), so that no record is lost
 * to a typo found at exit. running: after the start (a reload), as this
 * process is now. Every problem reported; 0 or -1. */
static int
dnsd_check_dirs(const struct config *c, bool running, struct dnsd_sink *k)
{
	const struct {
		const struct conf_at *at;
		const char *name, *path;
		bool is_dir;
	} files[] = {{&c->at_state_file, "state_file", c->hosts->state_file, false},
	             {&c->at_log_file, "file", c->log->file, false},
	             {&c->at_host_dir, "host_dir", c->log->host_dir, true}};
	char err[CONFIG_ERR_MAX] = "";
	struct conf_who who = {.self = true};
	const struct conf_who *w = &who;
	/* A user unknown here (dnsd -t on another machine) is an error at
	 * start; here only whether the directories exist can be told. */
	if (!running && dnsd_run_as(c, &who.uid, &who.gid, err, sizeof err) < 0)
		w = NULL;
	else if (!running)
		who.self = who.uid == getuid() && who.gid == getgid();
	int rc = 0;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		if (conf_writable(files[i].at, files[i].name, files[i].path, files[i].is_dir,
		                  running ? NULL : c->chroot, w, err, sizeof err) < 0) {
			dnsd_report(k, err);
			rc = -1;
		}
	return rc;
}

/* Load the config file and the policy it names; every problem is reported
 * as file:line. running: a reload (see dnsd_check_dirs). 0, or -1 with
 * nothing loaded. */
static int
dnsd_load(const char *path, bool running, struct dnsd_sink *k, struct config **cfgp,
          struct policy **polp)
{
	char err[CONFIG_ERR_MAX];
	struct config *c = config_load(path, err, sizeof err);
	*cfgp = NULL;
	*polp = NULL;
	if (c == NULL) {
		dnsd_report_lines(k, err);
		return -1;
	}
	if (dnsd_check_dirs(c, running, k) < 0) {
		config_free(c);
		return -1;
	}
	if (c->policy_file && (*polp = policy_load(c->policy_file, err, sizeof err)) == NULL) {
		/* On a terminal: every error in the policy, not just the first. */
		if (k->to_stderr)
			policy_check(c->policy_file, dnsd_report, k);
		else
			dnsd_report(k, err);
		config_free(c);
		return -1;
	}
	*cfgp = c;
	return 0;
}

/* The policy clock: -n, else the config's policy.now, else the system's;
 * and audit mode: -a or policy.audit. */
static void
dnsd_set_now(struct dnsd *d, bool first)
{
	bool set = d->now_cli_set || d->cfg->now_set;
	time_t now = d->now_cli_set ? d->now_cli : d->cfg->now_set ? d->cfg->now : 0;
	if (first || set != d->now_set || (set && now != d->now_in_force)) {
		livepolicy_set_now(d->phase, set, now);
		d->now_set = set;
		d->now_in_force = now;
	}
	livepolicy_set_audit(d->phase, d->audit_cli || d->cfg->audit);
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
		http_configure(d->http, &c->http);
	else if (!d->http != !c->http.nlisten)
		log_warnx("reload: the http server starts or stops only on restart");
#endif
	if (d->mfile && c->metrics_file)
		metrics_file_configure(d->mfile, c->metrics_file, c->metrics_interval);
	else if (c->metrics_file) {
		if ((d->mfile = metrics_file_new(d->base, c->metrics_file, c->metrics_interval,
		                                 &d->ctlsrc)) == NULL)
			log_warnx("metrics_file %s: out of memory", c->metrics_file);
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
static int
dnsd_reload(struct dnsd *d, char *why, size_t whylen)
{
	struct config *c;
	struct policy *pol;
	struct dnsd_sink k = {.why = why, .whylen = whylen};
	if (why && whylen)
		why[0] = '\0';
	if (dnsd_load(d->conf_path, true, &k, &c, &pol) < 0) {
		dnsd_report(&k, "reload failed: keeping the previous configuration and policy");
		return -1;
	}
	/* A policy file emptied by a non-atomic writer or a full disk parses
	 * as a valid policy that blocks nothing: never swap one in silently. */
	const struct policy *prev = livepolicy_policy(d->phase);
	if (pol && prev && policy_pattern_count(pol) == 0 && policy_pattern_count(prev) > 0) {
		char line[512];
		snprintf(line, sizeof line,
		         "%s: the new policy has no patterns: keeping the "
		         "previous configuration and policy",
		         policy_path(pol));
		dnsd_report(&k, line);
		policy_free(pol);
		config_free(c);
		return -1;
	}
	if (!dnsd_same_listen(c, d->cfg))
		log_warnx("reload: listen addresses change only on restart");
	struct cache_limits lim, old;
	dnsd_cache_limits(c, &lim);
	old = *cache_get_limits(d->cache);
	if (memcmp(&lim, &old, sizeof lim) != 0) {
		struct cache *nc = cache_new(&lim);
		if (nc == NULL) {
			dnsd_report(&k, "reload: cannot allocate the cache: keeping the previous "
			                "configuration");
			policy_free(pol);
			config_free(c);
			return -1;
		}
		query_set_cache(d->qc, nc);
		cache_free(d->cache);
		d->cache = nc;
	}
	forward_configure(d->fwd, c);
	ifaddr_refresh(d->ifa);
	access_configure(d->acc, c);
	if (resolv_configure(d->resolv, c) < 0)
		log_warnx("reload: cannot watch %s", c->resolv_conf);
	listen_configure(d->listen, c);
	query_configure(d->qc, c);
	char herr[CONFIG_ERR_MAX];
	if (hostlog_configure(d->hl, c, herr, sizeof herr) < 0)
		log_warnx("reload: %s", herr);
	config_free(d->cfg);
	d->cfg = c;
	livepolicy_set_policy(d->phase, pol);
	dnsd_set_now(d, false);
	dnsd_configure_metrics(d);
	log_info("configuration reloaded from %s", d->conf_path);
	return 0;
}

static int
dnsd_reload_cb(void *arg, char *why, size_t whylen)
{
	return dnsd_reload(arg, why, whylen);
}

static void
dnsd_signal(evutil_socket_t sig, short what, void *arg)
{
	struct dnsd *d = arg;
	(void)what;
	if (sig == SIGHUP)
		dnsd_reload(d, NULL, 0);
	else {
		log_info("exiting on signal %d", (int)sig);
		event_base_loopexit(d->base, NULL);
	}
}

static void
dnsd_drop_privileges(const struct config *c)
{
	char err[CONFIG_ERR_MAX] = "";
	uid_t uid;
	gid_t gid;
	if (dnsd_run_as(c, &uid, &gid, err, sizeof err) < 0)
		fatalx("%s", strtok(err, "\n"));
	/* The control socket (0660) belongs to the configured group, so that
	 * admins in it can use dnsdctl without root. */
	if (c->group && c->control_socket && chown(c->control_socket, (uid_t)-1, gid) < 0)
		log_warn("control socket %s: chown", c->control_socket);
	if (c->chroot && (chroot(c->chroot) < 0 || chdir("/") < 0))
		fatal("chroot %s", c->chroot);
	if (c->user == NULL && c->group == NULL)
		return;
	/* Started as that user already (systemd User=): nothing to drop. */
	if (getgid() == gid && getuid() == uid)
		return;
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0)
		fatal("setgid %u", (unsigned)gid);
	if (c->user && setuid(uid) < 0)
		fatal("setuid %s", c->user);
	if (c->user && uid != 0 && setuid(0) == 0)
		fatalx("could regain root after dropping privileges");
}

/* Open and lock the pid file for the life of the process (flock: the
 * lock follows the descriptor through daemon()'s fork). Another dnsd
 * holding it stops this one. */
static int
dnsd_lock_pid(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd == -1)
		fatal("pid file %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK)
			fatal("pid file %s: flock", path);
		char buf[32];
		ssize_t n = read(fd, buf, sizeof buf - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		fatalx("pid file %s is locked by another dnsd (pid %s): not starting", path,
		       *buf ? buf : "?");
	}
	return fd;
}

static void
dnsd_write_pid(int fd, const char *path)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)n, 0) != n)
		fatal("pid file %s", path);
}

/* The per-host records, the HTTP server, the metrics file and the control
 * socket (before privileges go:
 * their files may be in root's directories). */
static void
dnsd_start_hosts(struct dnsd *d)
{
	char err[CONFIG_ERR_MAX];
	if ((d->hl = hostlog_new(d->cfg, d->base, err, sizeof err)) == NULL)
		fatalx("%s", err);
	query_set_hostlog(d->qc, d->hl);
	d->ctlsrc = (struct ctlcmd_src){.started = time(NULL),
	                                .cache = &d->cache,
	                                .fwd = &d->fwd,
	                                .qc = &d->qc,
	                                .listen = &d->listen,
	                                .phase = &d->phase,
	                                .hl = &d->hl,
	                                .reload = dnsd_reload_cb,
	                                .reload_arg = d};
#ifdef DNSD_HTTP
	if (d->cfg->http.nlisten &&
	    (d->http = http_new(d->base, &d->cfg->http, &d->ctlsrc, err, sizeof err)) == NULL)
		fatalx("%s", err);
#endif
	dnsd_configure_metrics(d);
	if (d->cfg->control_socket == NULL)
		return;
	if ((d->ctl = control_new(d->base, d->cfg->control_socket, err, sizeof err)) == NULL)
		fatalx("%s", err);
	if (ctlcmd_register(d->ctl, &d->ctlsrc) < 0)
		fatalx("control: too many commands");
}

/* listen's handler: every client query goes to the query pipeline. */
static size_t
dnsd_on_query(void *arg, const struct request *rq, uint8_t *out, size_t cap)
{
	return query_handle(arg, rq, out, cap);
}

static void
dnsd_start(struct dnsd *d, int foreground, struct policy *pol)
{
	char err[256];
	struct cache_limits lim;
	/* Another dnsd on the same socket or pid file: stop before touching
	 * anything of it. */
	if (d->cfg->control_socket && control_check(d->cfg->control_socket, err, sizeof err) < 0)
		fatalx("%s", err);
	if (d->cfg->pid_file)
		d->pid_fd = dnsd_lock_pid(d->cfg->pid_file);
	if ((d->listen = listen_open(d->cfg, err, sizeof err)) == NULL)
		fatalx("%s", err);
	if (!foreground && daemon(0, 0) < 0)
		fatal("daemon");
	if (d->pid_fd != -1)
		dnsd_write_pid(d->pid_fd, d->cfg->pid_file);
	if ((d->base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	dnsd_cache_limits(d->cfg, &lim);
	if ((d->phase = livepolicy_new(d->base)) == NULL || (d->cache = cache_new(&lim)) == NULL ||
	    (d->fwd = forward_new(d->base, d->cfg)) == NULL ||
	    (d->qc = query_new(d->cache, forward_forwarder(d->fwd), d->phase, d->cfg)) == NULL ||
	    (d->ifa = ifaddr_new()) == NULL || (d->acc = access_new(d->ifa, d->cfg)) == NULL ||
	    (d->resolv = resolv_new(d->base, d->fwd, d->ifa)) == NULL)
		fatalx("out of memory");
	ifaddr_refresh(d->ifa);
	query_set_access(d->qc, d->acc);
	if (resolv_configure(d->resolv, d->cfg) < 0)
		fatalx("cannot watch %s", d->cfg->resolv_conf);
	dnsd_set_now(d, true);
	livepolicy_set_policy(d->phase, pol);
	if (listen_start(d->listen, d->base, dnsd_on_query, d->qc) < 0)
		fatalx("cannot start listening");
	d->sig_hup = evsignal_new(d->base, SIGHUP, dnsd_signal, d);
	d->sig_term = evsignal_new(d->base, SIGTERM, dnsd_signal, d);
	d->sig_int = evsignal_new(d->base, SIGINT, dnsd_signal, d);
	if (!d->sig_hup || !d->sig_term || !d->sig_int || evsignal_add(d->sig_hup, NULL) < 0 ||
	    evsignal_add(d->sig_term, NULL) < 0 || evsignal_add(d->sig_int, NULL) < 0)
		fatalx("cannot install signal handlers");
	signal(SIGPIPE, SIG_IGN);
	dnsd_start_hosts(d);
	dnsd_drop_privileges(d->cfg);
}

/* The control and HTTP servers first (their commands read every other
 * subsystem), then the host log (it saves the table and writes the pending
 * summaries while the rest still stands), then upstream queries (their
 * callbacks reference pending questions), then pending questions (they hold
 * client connections), then sockets. */
static void
dnsd_stop(struct dnsd *d)
{
	control_free(d->ctl);
#ifdef DNSD_HTTP
	http_free(d->http);
#endif
	metrics_file_free(d->mfile);
	hostlog_free(d->hl); /* saves the host table, writes pending summaries */
	resolv_free(d->resolv);
	forward_free(d->fwd);
	query_free(d->qc);
	access_free(d->acc);
	ifaddr_free(d->ifa);
	listen_free(d->listen);
	cache_free(d->cache);
	livepolicy_free(d->phase);
	event_free(d->sig_hup);
	event_free(d->sig_term);
	event_free(d->sig_int);
	event_base_free(d->base);
	/* Unlinked while still locked, so that it is never another's file. */
	if (d->cfg->pid_file && unlink(d->cfg->pid_file) < 0)
		log_debug("pid file %s: %s", d->cfg->pid_file, strerror(errno));
	if (d->pid_fd != -1)
		close(d->pid_fd);
	config_free(d->cfg);
}

int
main(int argc, char **argv)
{
	struct dnsd d = {.conf_path = DNSD_CONF_PATH, .pid_fd = -1};
	int foreground = 0, check = 0, verbose = 0, ch;
	struct policy *pol;

	static const struct option longopts[] = {{"version", no_argument, NULL, 'V'},
	                                         {NULL, 0, NULL, 0}};
	while ((ch = getopt_long(argc, argv, "ac:dhn:tvV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'V':
			printf("dnsd %s\n", DNSD_VERSION);
			return 0;
		case 'c':
			d.conf_path = optarg;
			break;
		case 'd':
			foreground = 1;
			break;
		case 'n':
			if ((d.now_cli = config_parse_time(optarg)) == -1) {
				fprintf(stderr,
				        "dnsd: -n %s: not a date-time (2024-09-29, "
				        "2024-09-29T00:00:00-04:00 or @SECONDS)\n",
				        optarg);
				return 1;
			}
			d.now_cli_set = true;
			break;
		case 'a':
			d.audit_cli = true;
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
	struct dnsd_sink k = {.to_stderr = true};
	if (dnsd_load(d.conf_path, false, &k, &d.cfg, &pol) < 0)
		return 1;
	if (check) {
		fprintf(stderr, "%s: configuration OK\n", d.conf_path);
		policy_free(pol);
		config_free(d.cfg);
		return 0;
	}
	dnsd_start(&d, foreground, pol);
	struct forward_stats fs;
	forward_get_stats(d.fwd, &fs);
	log_info("dnsd %s started: %d listen address(es), %d upstream(s)", DNSD_VERSION,
	         d.cfg->nlisten, fs.nupstream);
	event_base_dispatch(d.base);
	dnsd_stop(&d);
	return 0;
}
