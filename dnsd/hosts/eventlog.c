/* The event log (see eventlog.h): line formatting, folding of repeats, and
 * the sinks (file with rotation, syslog(3), per-host files, remote RFC 5424).
 * Each line is built once and handed to every sink. */
#include "eventlog.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "hash.h"
#include "json.h"
#include "log.h"

#define REMOTE_QUEUE_MAX (64 * 1024) /* bytes waiting for a TCP collector */
#define REMOTE_RETRY_SECS 5

/* One (host, name) pair. Sized to its strings: the table holds up to
 * max_pairs of them, most for names asked once. */
struct fold {
	struct fold *next;     /* hash chain */
	TAILQ_ENTRY(fold) lru; /* most recently attempted first */
	struct netaddr addr;
	uint32_t hash; /* of the name, continued over addr */
	uint8_t mac[6];
	bool has_mac;
	uint8_t action; /* enum policy_action */
	uint16_t qtype;
	uint16_t off_hostname, off_category, off_phase; /* into text */
	uint32_t repeats; /* since the last line written for this pair */
	time_t window;    /* start of the current fold window */
	time_t since;     /* first repeat in the window */
	time_t last;
	char text[]; /* name, hostname, category, phase: each NUL-terminated */
};
TAILQ_HEAD(fold_list, fold);

struct hostfile {
	char addr[NETADDR_STRLEN];
	time_t used;
};

struct eventlog {
	struct eventlog_opts o;
	struct event_base *base;
	struct event *timer;
	struct eventlog_stats st;
	bool sinks; /* any configured: without one, no pair is kept */

	int fd; /* the log file, -1 when closed */
	long long size;
	time_t open_failed;

	struct fold **buckets;
	unsigned nbuckets, maxbuckets; /* grown with the pairs up to maxbuckets */
	struct fold_list lru;

	struct hostfile *hostfiles; /* grown as hosts are written, up to host_files */
	int nhostfiles, hostfiles_cap;

	int udp; /* remote UDP socket, -1 when none */
	struct bufferevent *tcp;
	bool tcp_up;
	struct event *retry;
	char myname[256];
	struct evbuffer *line; /* scratch for the line being written */

	/* drops per sink not yet reported in the log, and when it last was */
	uint64_t drops_unlogged[EVENTLOG_SINKS];
	time_t drops_logged[EVENTLOG_SINKS];
	int drop_errno[EVENTLOG_SINKS]; /* the latest failure's errno, 0 if none */
};

#define DROP_LOG_SECS 60 /* at most one drop line per sink this often */

/* ---- the log file ---- */

static void
file_rotate(struct eventlog *el)
{
	char from[PATH_MAX], to[PATH_MAX];
	close(el->fd);
	el->fd = -1;
	for (int i = el->o.keep - 1; i >= 1; i--) {
		snprintf(from, sizeof from, "%s.%d", el->o.file, i);
		snprintf(to, sizeof to, "%s.%d", el->o.file, i + 1);
		rename(from, to);
	}
	if (el->o.keep > 0) {
		snprintf(to, sizeof to, "%s.1", el->o.file);
		rename(el->o.file, to);
	} else
		unlink(el->o.file);
	el->st.rotations++;
}

static int
open_append(const char *path, long long *size)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd != -1 && fstat(fd, &st) == -1) {
		close(fd);
		return -1;
	}
	if (fd != -1)
		*size = st.st_size;
	return fd;
}

/* Whole line or nothing: a short write (disk full) is cut back off. */
static int
write_line(int fd, long long *size, const char *line, size_t len)
{
	ssize_t w = write(fd, line, len);
	if (w == (ssize_t)len) {
		*size += (long long)len;
		return 0;
	}
	if (w > 0 && ftruncate(fd, *size) == -1)
		log_debug("eventlog: truncate after short write: %s", strerror(errno));
	return -1;
}

static int
file_write(struct eventlog *el, const char *line, size_t len, time_t now)
{
	if (el->fd != -1 && el->size > 0 && el->size + (long long)len > el->o.max_size)
		file_rotate(el);
	if (el->fd == -1) {
		/* a broken path is retried once a second, not once a record */
		if (now == el->open_failed)
			return -1;
		if ((el->fd = open_append(el->o.file, &el->size)) == -1) {
			el->open_failed = now;
			el->drop_errno[EVENTLOG_SINK_FILE] = errno;
			return -1;
		}
	}
	if (write_line(el->fd, &el->size, line, len) == -1) {
		el->drop_errno[EVENTLOG_SINK_FILE] = errno;
		close(el->fd);
		el->fd = -1;
		return -1;
	}
	return 0;
}

/* ---- per-host files ---- */

static void
hostfile_remove(struct eventlog *el, int i)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s.log", el->o.host_dir, el->hostfiles[i].addr);
	unlink(path);
	snprintf(path, sizeof path, "%s/%s.log.1", el->o.host_dir, el->hostfiles[i].addr);
	unlink(path);
	el->hostfiles[i] = el->hostfiles[--el->nhostfiles];
}

/* Make room for and remember addr; the least recently written host's
 * files go when the directory is at its cap. -1 when out of memory. */
static int
hostfile_track(struct eventlog *el, const char *addr, time_t used)
{
	int oldest = 0;
	for (int i = 0; i < el->nhostfiles; i++) {
		if (strcmp(el->hostfiles[i].addr, addr) == 0) {
			el->hostfiles[i].used = used;
			return 0;
		}
		if (el->hostfiles[i].used < el->hostfiles[oldest].used)
			oldest = i;
	}
	if (el->nhostfiles >= el->o.host_files)
		hostfile_remove(el, oldest);
	if (el->nhostfiles == el->hostfiles_cap) {
		int cap = el->hostfiles_cap ? el->hostfiles_cap * 2 : 8;
		cap = cap < el->o.host_files ? cap : el->o.host_files;
		struct hostfile *t = realloc(el->hostfiles, (size_t)cap * sizeof *t);
		if (!t)
			return -1;
		el->hostfiles = t;
		el->hostfiles_cap = cap;
	}
	struct hostfile *h = &el->hostfiles[el->nhostfiles++];
	snprintf(h->addr, sizeof h->addr, "%s", addr);
	h->used = used;
	return 0;
}

/* Files left by an earlier run count against the cap too. */
static void
hostfile_scan(struct eventlog *el)
{
	DIR *d = opendir(el->o.host_dir);
	struct dirent *de;
	struct netaddr na;
	char addr[NETADDR_STRLEN], path[PATH_MAX];
	struct stat st;
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 5 || n - 4 >= sizeof addr || strcmp(de->d_name + n - 4, ".log") != 0)
			continue;
		memcpy(addr, de->d_name, n - 4);
		addr[n - 4] = '\0';
		snprintf(path, sizeof path, "%s/%s", el->o.host_dir, de->d_name);
		if (netaddr_parse(&na, addr) == 0 && stat(path, &st) == 0)
			hostfile_track(el, addr, st.st_mtime);
	}
	closedir(d);
}

static int
hostfile_write(struct eventlog *el, const struct netaddr *na, const char *line, size_t len,
               time_t now)
{
	char addr[NETADDR_STRLEN], path[PATH_MAX], old[PATH_MAX + 2];
	long long size = 0;
	if (hostfile_track(el, netaddr_str(na, addr), now) == -1)
		return -1;
	snprintf(path, sizeof path, "%s/%s.log", el->o.host_dir, addr);
	int fd = open_append(path, &size);
	if (fd != -1 && size > 0 && size + (long long)len > el->o.host_max_size) {
		close(fd);
		snprintf(old, sizeof old, "%s.1", path);
		rename(path, old);
		fd = open_append(path, &size);
	}
	int rc = fd == -1 ? -1 : write_line(fd, &size, line, len);
	if (rc == -1)
		el->drop_errno[EVENTLOG_SINK_HOSTDIR] = errno;
	if (fd != -1)
		close(fd);
	return rc;
}

/* ---- remote syslog ---- */

static void remote_connect(struct eventlog *el);

static void
remote_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	remote_connect(arg);
}

static void
remote_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct eventlog *el = arg;
	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		el->tcp_up = true;
		return;
	}
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
		log_debug("eventlog: remote collector connection lost");
		bufferevent_free(el->tcp);
		el->tcp = NULL;
		el->tcp_up = false;
		struct timeval tv = {REMOTE_RETRY_SECS, 0};
		evtimer_add(el->retry, &tv);
	}
}

static int
remote_sockaddr(const struct eventlog_opts *o, struct sockaddr_storage *ss, socklen_t *len)
{
	struct netaddr na;
	memset(ss, 0, sizeof *ss);
	if (netaddr_parse(&na, o->remote_host) == -1)
		return -1;
	if (na.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)o->remote_port);
		memcpy(&sin->sin_addr, na.addr, 4);
		*len = sizeof *sin;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)o->remote_port);
		memcpy(&sin6->sin6_addr, na.addr, 16);
		*len = sizeof *sin6;
	}
	return 0;
}

static void
remote_connect(struct eventlog *el)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (remote_sockaddr(&el->o, &ss, &len) == -1)
		return;
	if (el->o.remote_proto == EVENTLOG_REMOTE_UDP) {
		el->udp = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (el->udp != -1 && connect(el->udp, (struct sockaddr *)&ss, len) == -1) {
			close(el->udp);
			el->udp = -1;
		}
		return;
	}
	if (!el->base)
		return;
	el->tcp = bufferevent_socket_new(el->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!el->tcp)
		return;
	bufferevent_setcb(el->tcp, NULL, NULL, remote_event_cb, el);
	bufferevent_enable(el->tcp, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(el->tcp, (struct sockaddr *)&ss, (int)len) == -1) {
		bufferevent_free(el->tcp);
		el->tcp = NULL;
		struct timeval tv = {REMOTE_RETRY_SECS, 0};
		evtimer_add(el->retry, &tv);
	}
}

/* RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG; over TCP with
 * RFC 6587 octet counting. */
static int
remote_send(struct eventlog *el, const char *kind, time_t t, const char *json, size_t len)
{
	char head[512], ts[JSON_TIMELEN];
	int hl = snprintf(head, sizeof head, "<%d>1 %s %s dnsd %ld %s - ", el->o.facility * 8 + 6,
	                  json_time(t, ts), el->myname, (long)getpid(), kind);
	size_t msglen = (size_t)hl + len - 1; /* without the newline */
	if (el->o.remote_proto == EVENTLOG_REMOTE_UDP) {
		char dgram[4096];
		if (el->udp == -1 || msglen > sizeof dgram)
			return -1;
		memcpy(dgram, head, (size_t)hl);
		memcpy(dgram + hl, json, len - 1);
		return send(el->udp, dgram, msglen, 0) == (ssize_t)msglen ? 0 : -1;
	}
	if (!el->tcp)
		return -1;
	struct evbuffer *out = bufferevent_get_output(el->tcp);
	if (evbuffer_get_length(out) + msglen > REMOTE_QUEUE_MAX)
		return -1;
	evbuffer_add_printf(out, "%zu ", msglen);
	evbuffer_add(out, head, (size_t)hl);
	evbuffer_add(out, json, len - 1);
	return 0;
}

/* ---- lines ---- */

const char *
eventlog_type_name(uint16_t qtype, char *buf)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(qtype);
	if (d && d->_name)
		return d->_name;
	snprintf(buf, 16, "TYPE%u", qtype);
	return buf;
}

static const char *
sink_name(const struct eventlog *el, int sink, char *buf, size_t len)
{
	if (sink == EVENTLOG_SINK_FILE)
		snprintf(buf, len, "file %s", el->o.file);
	else if (sink == EVENTLOG_SINK_HOSTDIR)
		snprintf(buf, len, "host_dir %s", el->o.host_dir);
	else if (sink == EVENTLOG_SINK_REMOTE)
		snprintf(buf, len, "remote %s port %d", el->o.remote_host, el->o.remote_port);
	else
		snprintf(buf, len, "memory");
	return buf;
}

/* One line for the drops of sink not yet reported, when there are some
 * and the last line is DROP_LOG_SECS old (or force). */
static void
drop_report(struct eventlog *el, int sink, time_t now, bool force)
{
	char name[PATH_MAX + 32];
	uint64_t n = el->drops_unlogged[sink];
	if (n == 0 || (!force && now - el->drops_logged[sink] < DROP_LOG_SECS &&
	               now >= el->drops_logged[sink]))
		return;
	int e = el->drop_errno[sink];
	log_warnx("eventlog: %s: %llu record%s dropped (%s); %llu dropped since start",
	         sink_name(el, sink, name, sizeof name), (unsigned long long)n, n == 1 ? "" : "s",
	         e ? strerror(e)
	           : sink == EVENTLOG_SINK_REMOTE ? "collector not connected or its queue full"
	                                          : "out of memory",
	         (unsigned long long)el->st.dropped_by[sink]);
	el->drops_unlogged[sink] = 0;
	el->drops_logged[sink] = now;
}

/* A record a sink could not take: counted, and reported in the log at once
 * for the first of a burst, then at most every DROP_LOG_SECS. */
static void
drop(struct eventlog *el, int sink, time_t now)
{
	el->st.dropped++;
	el->st.dropped_by[sink]++;
	el->drops_unlogged[sink]++;
	drop_report(el, sink, now, false);
}

static void
emit(struct eventlog *el, const char *kind, const struct fold *f, time_t t)
{
	char addr[NETADDR_STRLEN], mac[MAC_STRLEN], tbuf[16];
	struct evbuffer *b = el->line;
	evbuffer_drain(b, evbuffer_get_length(b));
	evbuffer_add(b, "{", 1);
	evbuffer_add_printf(b, "\"time\":\"%s\"", json_time(t, (char[JSON_TIMELEN]){0}));
	json_kv_str(b, "event", kind);
	json_kv_str(b, "client", netaddr_str(&f->addr, addr));
	json_kv_str(b, "mac", f->has_mac ? mac_str(f->mac, mac) : NULL);
	const char *hostname = f->text + f->off_hostname, *phase = f->text + f->off_phase;
	json_kv_str(b, "hostname", hostname[0] ? hostname : NULL);
	json_kv_str(b, "name", f->text);
	json_kv_str(b, "type", eventlog_type_name(f->qtype, tbuf));
	json_kv_str(b, "category", f->text + f->off_category);
	json_kv_str(b, "phase", phase[0] ? phase : NULL);
	json_kv_str(b, "action", policy_action_name(f->action));
	if (strcmp(kind, "summary") == 0) {
		evbuffer_add_printf(b, ",\"repeats\":%u", f->repeats);
		json_kv_time(b, "since", f->since);
	}
	evbuffer_add(b, "}\n", 2);

	size_t len = evbuffer_get_length(b);
	const char *line = (const char *)evbuffer_pullup(b, -1);
	el->st.lines++;
	if (el->o.file) {
		bool ok = file_write(el, line, len, t) == 0;
		if (!ok)
			drop(el, EVENTLOG_SINK_FILE, t);
		else if (!el->st.file_ok) {
			drop_report(el, EVENTLOG_SINK_FILE, t, true);
			log_warnx("eventlog: %s: writable again", el->o.file);
		}
		el->st.file_ok = ok;
	}
	if (el->o.host_dir && hostfile_write(el, &f->addr, line, len, t) == -1)
		drop(el, EVENTLOG_SINK_HOSTDIR, t);
	if (el->o.syslog)
		syslog(LOG_INFO, "%.*s", (int)len - 1, line);
	if (el->o.remote_proto != EVENTLOG_REMOTE_NONE) {
		errno = 0;
		el->st.remote_ok = remote_send(el, kind, t, line, len) == 0;
		if (!el->st.remote_ok) {
			el->drop_errno[EVENTLOG_SINK_REMOTE] = errno;
			drop(el, EVENTLOG_SINK_REMOTE, t);
		}
	}
}

/* ---- folding ---- */

#define FOLD_HOSTLEN 63  /* longest hostname kept */
#define FOLD_LABELLEN 31 /* longest category and phase kept */

static struct fold **
fold_find(struct eventlog *el, const struct netaddr *na, const char *name, uint32_t hash)
{
	struct fold **p = &el->buckets[hash & (el->nbuckets - 1)];
	while (*p && !((*p)->hash == hash && netaddr_equal(&(*p)->addr, na) &&
	               strcasecmp((*p)->text, name) == 0))
		p = &(*p)->next;
	return p;
}

/* The chain slot that points at f. */
static struct fold **
fold_slot(struct eventlog *el, const struct fold *f)
{
	struct fold **p = &el->buckets[f->hash & (el->nbuckets - 1)];
	while (*p != f)
		p = &(*p)->next;
	return p;
}

static void
fold_unlink(struct eventlog *el, struct fold **p)
{
	struct fold *f = *p;
	*p = f->next;
	TAILQ_REMOVE(&el->lru, f, lru);
	free(f);
	el->st.pairs--;
}

static void
fold_insert(struct eventlog *el, struct fold *f)
{
	struct fold **b = &el->buckets[f->hash & (el->nbuckets - 1)];
	f->next = *b;
	*b = f;
	TAILQ_INSERT_HEAD(&el->lru, f, lru);
	el->st.pairs++;
}

/* The buckets grow with the pairs, up to max_pairs' worth: a router whose
 * hosts ask a few names does not pay for the whole bound. */
static void
fold_grow(struct eventlog *el)
{
	unsigned n = el->nbuckets * 2;
	struct fold **b = calloc(n, sizeof *b);
	if (!b)
		return; /* longer chains, still correct */
	free(el->buckets);
	el->buckets = b;
	el->nbuckets = n;
	struct fold *f;
	TAILQ_FOREACH(f, &el->lru, lru)
	{
		f->next = b[f->hash & (n - 1)];
		b[f->hash & (n - 1)] = f;
	}
}

static void
fold_summarise(struct eventlog *el, struct fold *f, time_t now)
{
	emit(el, "summary", f, f->last);
	f->repeats = 0;
	f->window = now;
}

/* The table is full: the pair attempted longest ago goes, its repeats written. */
static void
fold_evict(struct eventlog *el, time_t now)
{
	struct fold *f = TAILQ_LAST(&el->lru, fold_list);
	if (!f)
		return;
	if (f->repeats)
		fold_summarise(el, f, now);
	fold_unlink(el, fold_slot(el, f));
}

/* Copy n bytes of src (NULL when n is 0) and a NUL; past the copy. */
static char *
put_str(char *dst, const char *src, size_t n)
{
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
	return dst + n + 1;
}

/* A fold for name with ev's hostname, category and phase, sized to them;
 * only the strings are set. NULL when out of memory. */
static struct fold *
fold_new(const char *name, size_t namelen, const struct eventlog_event *ev)
{
	size_t hl = ev->hostname ? strnlen(ev->hostname, FOLD_HOSTLEN) : 0;
	size_t cl = ev->category ? strnlen(ev->category, FOLD_LABELLEN) : 0;
	size_t pl = ev->phase ? strnlen(ev->phase, FOLD_LABELLEN) : 0;
	struct fold *f = malloc(sizeof *f + namelen + hl + cl + pl + 4);
	if (!f)
		return NULL;
	memset(f, 0, sizeof *f);
	char *t = put_str(f->text, name, namelen);
	f->off_hostname = (uint16_t)(t - f->text);
	t = put_str(t, ev->hostname, hl);
	f->off_category = (uint16_t)(t - f->text);
	t = put_str(t, ev->category, cl);
	f->off_phase = (uint16_t)(t - f->text);
	put_str(t, ev->phase, pl);
	return f;
}

static bool
label_same(const char *kept, const char *s, size_t max)
{
	return strncmp(kept, s ? s : "", max) == 0;
}

/* The fold at *p with ev's hostname, category and phase: itself when they
 * did not change (the usual repeat), else a resized copy in its place. */
static struct fold *
fold_relabel(struct eventlog *el, struct fold **p, const struct eventlog_event *ev)
{
	struct fold *f = *p, *n;
	if (label_same(f->text + f->off_hostname, ev->hostname, FOLD_HOSTLEN) &&
	    label_same(f->text + f->off_category, ev->category, FOLD_LABELLEN) &&
	    label_same(f->text + f->off_phase, ev->phase, FOLD_LABELLEN))
		return f;
	if (!(n = fold_new(f->text, strlen(f->text), ev)))
		return f; /* the old labels stay: better than losing the pair */
	uint16_t offs[3] = {n->off_hostname, n->off_category, n->off_phase};
	memcpy(n, f, sizeof *n);
	n->off_hostname = offs[0];
	n->off_category = offs[1];
	n->off_phase = offs[2];
	*p = n;
	TAILQ_INSERT_BEFORE(f, n, lru);
	TAILQ_REMOVE(&el->lru, f, lru);
	free(f);
	return n;
}

static void
fold_set(struct fold *f, const struct eventlog_event *ev)
{
	f->has_mac = ev->mac != NULL;
	if (ev->mac)
		memcpy(f->mac, ev->mac, 6);
	f->qtype = ev->qtype;
	f->action = (uint8_t)ev->action;
	f->last = ev->time;
}

void
eventlog_record(struct eventlog *el, const struct eventlog_event *ev)
{
	el->st.attempts++;
	if (!el->sinks || !ev->name)
		return;
	uint32_t hash =
	    netaddr_hash(ev->name_hash ? ev->name_hash : hash_name(hash_seed(), ev->name), &ev->addr);
	struct fold **p = fold_find(el, &ev->addr, ev->name, hash);
	if (*p) {
		struct fold *f = fold_relabel(el, p, ev);
		fold_set(f, ev);
		if (TAILQ_FIRST(&el->lru) != f) {
			TAILQ_REMOVE(&el->lru, f, lru);
			TAILQ_INSERT_HEAD(&el->lru, f, lru);
		}
		if (f->repeats++ == 0)
			f->since = ev->time;
		el->st.folded++;
		return;
	}
	size_t namelen = strlen(ev->name);
	if (namelen > LDNS_MAX_DOMAINLEN)
		return;
	if (el->st.pairs >= el->o.max_pairs)
		fold_evict(el, ev->time);
	else if ((unsigned)el->st.pairs >= el->nbuckets && el->nbuckets < el->maxbuckets)
		fold_grow(el);
	struct fold *f = fold_new(ev->name, namelen, ev);
	if (!f) {
		el->drop_errno[EVENTLOG_SINK_MEMORY] = ENOMEM;
		drop(el, EVENTLOG_SINK_MEMORY, ev->time);
		return;
	}
	f->addr = ev->addr;
	f->hash = hash;
	fold_set(f, ev);
	f->window = ev->time;
	fold_insert(el, f);
	emit(el, "attempt", f, ev->time);
}

static void
sweep(struct eventlog *el, time_t now, bool all)
{
	for (unsigned b = 0; b < el->nbuckets; b++) {
		struct fold **p = &el->buckets[b];
		while (*p) {
			struct fold *f = *p;
			bool due = all || now - f->window >= el->o.fold_secs || now < f->window;
			if (due && f->repeats)
				fold_summarise(el, f, now);
			else if (due && !all) {
				/* quiet for a whole window: the next attempt is news again */
				fold_unlink(el, p);
				continue;
			}
			p = &f->next;
		}
	}
}

void
eventlog_tick(struct eventlog *el, time_t now)
{
	sweep(el, now, false);
	for (int i = 0; i < EVENTLOG_SINKS; i++)
		drop_report(el, i, now, false);
}

void
eventlog_flush(struct eventlog *el, time_t now)
{
	sweep(el, now, true);
	for (int i = 0; i < EVENTLOG_SINKS; i++)
		drop_report(el, i, now, true);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	eventlog_tick(arg, time(NULL));
}

void
eventlog_get_stats(const struct eventlog *el, struct eventlog_stats *s)
{
	*s = el->st;
	if (el->o.remote_proto == EVENTLOG_REMOTE_TCP)
		s->remote_ok = el->st.remote_ok && el->tcp_up;
}

void
eventlog_status(const struct eventlog *el, struct evbuffer *out)
{
	struct eventlog_stats s;
	eventlog_get_stats(el, &s);
	const char *file = !el->o.file ? "off" : s.file_ok ? "ok" : "FAILING";
	const char *remote = el->o.remote_proto == EVENTLOG_REMOTE_NONE ? "off"
	                     : s.remote_ok                              ? "ok"
	                                                                : "FAILING";
	evbuffer_add_printf(out,
	                    "log: file %s, remote %s, %llu dropped (file %llu, host_dir %llu, "
	                    "remote %llu, memory %llu)\n",
	                    file, remote, (unsigned long long)s.dropped,
	                    (unsigned long long)s.dropped_by[EVENTLOG_SINK_FILE],
	                    (unsigned long long)s.dropped_by[EVENTLOG_SINK_HOSTDIR],
	                    (unsigned long long)s.dropped_by[EVENTLOG_SINK_REMOTE],
	                    (unsigned long long)s.dropped_by[EVENTLOG_SINK_MEMORY]);
	evbuffer_add_printf(out,
	                    "  %llu attempts, %llu lines, %llu folded, %llu rotations, %d pairs\n",
	                    (unsigned long long)s.attempts, (unsigned long long)s.lines,
	                    (unsigned long long)s.folded, (unsigned long long)s.rotations, s.pairs);
}

struct eventlog *
eventlog_new(const struct eventlog_opts *o, struct event_base *base)
{
	struct eventlog *el = calloc(1, sizeof *el);
	bool fail = false;
	if (!el)
		return NULL;
	el->o = *o;
	el->o.file = conf_dup(o->file, &fail);
	el->o.host_dir = conf_dup(o->host_dir, &fail);
	el->o.remote_host = conf_dup(o->remote_host, &fail);
	el->base = base;
	el->fd = -1;
	el->udp = -1;
	el->open_failed = -1;
	el->st.file_ok = el->st.remote_ok = true;
	el->sinks = o->file || o->syslog || o->host_dir || o->remote_proto != EVENTLOG_REMOTE_NONE;
	TAILQ_INIT(&el->lru);
	for (el->maxbuckets = 16; el->maxbuckets < (unsigned)o->max_pairs; el->maxbuckets <<= 1)
		;
	el->nbuckets = 16;
	el->buckets = calloc(el->nbuckets, sizeof *el->buckets);
	el->line = evbuffer_new();
	if (fail || !el->buckets || !el->line) {
		eventlog_free(el);
		return NULL;
	}
	if (gethostname(el->myname, sizeof el->myname - 1) == -1 || !el->myname[0])
		strcpy(el->myname, "-");
	if (el->o.file && (el->fd = open_append(el->o.file, &el->size)) == -1) {
		log_warnx("eventlog: %s: %s; records are dropped until it works", el->o.file,
		         strerror(errno));
		el->st.file_ok = false;
	}
	if (el->o.host_dir)
		hostfile_scan(el);
	if (base) {
		el->timer = event_new(base, -1, EV_PERSIST, tick_cb, el);
		el->retry = evtimer_new(base, remote_retry_cb, el);
		int secs = o->fold_secs / 4 < 1 ? 1 : o->fold_secs / 4 > 30 ? 30 : o->fold_secs / 4;
		struct timeval tv = {secs, 0};
		if (el->timer)
			event_add(el->timer, &tv);
	}
	if (el->o.remote_proto != EVENTLOG_REMOTE_NONE)
		remote_connect(el);
	return el;
}

void
eventlog_free(struct eventlog *el)
{
	if (!el)
		return;
	if (el->buckets) {
		eventlog_flush(el, time(NULL));
		for (unsigned b = 0; b < el->nbuckets; b++)
			while (el->buckets[b])
				fold_unlink(el, &el->buckets[b]);
	}
	if (el->tcp) {
		/* a last try to hand the queued records to the collector */
		evutil_socket_t fd = bufferevent_getfd(el->tcp);
		struct evbuffer *out = bufferevent_get_output(el->tcp);
		if (el->tcp_up && fd != -1)
			evbuffer_write(out, fd);
		bufferevent_free(el->tcp);
	}
	if (el->timer)
		event_free(el->timer);
	if (el->retry)
		event_free(el->retry);
	if (el->udp != -1)
		close(el->udp);
	if (el->fd != -1)
		close(el->fd);
	if (el->line)
		evbuffer_free(el->line);
	free(el->buckets);
	free(el->hostfiles);
	eventlog_opts_free(&el->o);
	free(el);
}
