/* The event log (see eventlog.h): line formatting, folding of repeats, and
 * handing each line, built once, to every sink: the file (logfile.c),
 * syslog(3), the per-host files (hostfiles.c) and the remote collector
 * (remotelog.c); drops are counted and reported here. */
#include "eventlog.h"

#include <errno.h>
#include <event2/buffer.h>
#include <ldns/ldns.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <syslog.h>

#include "conf.h"
#include "hash.h"
#include "hostfiles.h"
#include "json.h"
#include "log.h"
#include "logfile.h"
#include "remotelog.h"

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

struct eventlog {
	struct eventlog_opts o;
	struct event_base *base;
	struct event *timer;
	struct eventlog_stats st;
	bool sinks; /* any configured: without one, no pair is kept */

	struct logfile file;
	struct hostfiles hostfiles;
	struct remotelog remote;

	struct fold **buckets;
	unsigned nbuckets, maxbuckets; /* grown with the pairs up to maxbuckets */
	struct fold_list lru;

	struct evbuffer *line; /* scratch for the line being written */

	/* drops per sink not yet reported in the log, and when it last was */
	uint64_t drops_unlogged[EVENTLOG_SINKS];
	time_t drops_logged[EVENTLOG_SINKS];
	int drop_errno[EVENTLOG_SINKS]; /* the latest failure's errno, 0 if none */
};

#define DROP_LOG_SECS 60 /* at most one drop line per sink this often */

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
	          e                              ? strerror(e)
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
		bool ok = logfile_write(&el->file, line, len, t) == 0;
		if (!ok) {
			el->drop_errno[EVENTLOG_SINK_FILE] = el->file.err;
			drop(el, EVENTLOG_SINK_FILE, t);
		} else if (!el->st.file_ok) {
			drop_report(el, EVENTLOG_SINK_FILE, t, true);
			log_warnx("eventlog: %s: writable again", el->o.file);
		}
		el->st.file_ok = ok;
	}
	if (el->o.host_dir && hostfiles_write(&el->hostfiles, &f->addr, line, len, t) == -1) {
		el->drop_errno[EVENTLOG_SINK_HOSTDIR] = el->hostfiles.err;
		drop(el, EVENTLOG_SINK_HOSTDIR, t);
	}
	if (el->o.syslog)
		syslog(LOG_INFO, "%.*s", (int)len - 1, line);
	if (el->o.remote_proto != EVENTLOG_REMOTE_NONE) {
		errno = 0;
		el->st.remote_ok = remotelog_send(&el->remote, kind, t, line, len) == 0;
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
	uint32_t hash = netaddr_hash(
	    ev->name_hash ? ev->name_hash : hash_name(hash_seed(), ev->name), &ev->addr);
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
	s->rotations = el->file.rotations;
	if (el->o.remote_proto != EVENTLOG_REMOTE_NONE)
		s->remote_ok = el->st.remote_ok && remotelog_up(&el->remote);
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
	logfile_init(&el->file, el->o.file, o->max_size, o->keep);
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
	if (el->o.file && logfile_open(&el->file) == -1) {
		log_warnx("eventlog: %s: %s; records are dropped until it works", el->o.file,
		          strerror(errno));
		el->st.file_ok = false;
	}
	if (el->o.host_dir)
		hostfiles_open(&el->hostfiles, el->o.host_dir, o->host_max_size, o->host_files);
	if (base) {
		el->timer = event_new(base, -1, EV_PERSIST, tick_cb, el);
		int secs = o->fold_secs / 4 < 1 ? 1 : o->fold_secs / 4 > 30 ? 30 : o->fold_secs / 4;
		struct timeval tv = {secs, 0};
		if (el->timer)
			event_add(el->timer, &tv);
	}
	if (el->o.remote_proto != EVENTLOG_REMOTE_NONE)
		remotelog_open(&el->remote, el->o.remote_proto == EVENTLOG_REMOTE_TCP,
		               el->o.remote_host, el->o.remote_port, el->o.facility, base);
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
	remotelog_close(&el->remote);
	if (el->timer)
		event_free(el->timer);
	logfile_close(&el->file);
	if (el->line)
		evbuffer_free(el->line);
	free(el->buckets);
	hostfiles_close(&el->hostfiles);
	eventlog_opts_free(&el->o);
	free(el);
}
