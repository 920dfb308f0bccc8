/* The per-host table (see hosts.h): a hash on the address for lookups, a
 * list in last-seen order for eviction and listing, a hash of the names
 * every host shares, the archive of evicted hosts and the state file
 * written and read with libconfig. */
#include "hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h> /* the state file */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "hash.h"
#include "hostarch.h"
#include "log.h"

#define HOSTS_STATE_VERSION 1
/* Each allocation costs malloc's header and rounding besides its size:
 * counted so that max_bytes and the status figure match the process. */
#define HOSTS_ALLOC_OVERHEAD 16
#define HOSTS_EVICT_LOG_SECS 60 /* at most one eviction line a minute */

/* A name, kept once for all the hosts and attempts that refer to it. */
struct hname {
	struct hname *next;
	uint32_t hash; /* hash_name(hash_seed(), text) */
	uint32_t refs;
	char text[];
};

struct hosts {
	struct hosts_opts o;
	struct host_list lru;
	struct host **buckets;
	unsigned nbuckets, maxbuckets; /* grown with the hosts up to maxbuckets */
	char cats[HOSTS_MAX_CATS][HOSTS_CATLEN];
	const char *cat_seen[HOSTS_MAX_CATS]; /* the string cats[i] was last found for */
	int ncats;
	struct hname **name_buckets; /* the shared names, grown with them */
	unsigned nname_buckets, nnames;
	struct leases *leases;
	struct eventlog *elog;
	struct event *timer;
	bool dirty;
	bool save_failing; /* the last save failed (logged once until one works) */
	struct hosts_stats st;
	uint64_t evicted_unlogged; /* evictions since the last log line */
	time_t evict_logged;
};

/* ---- memory ---- */

/* realloc that keeps h->st.bytes: old and size are the block's sizes
 * (0: none). NULL (the block unchanged) when out of memory. */
static void *
tab_realloc(struct hosts *h, void *p, size_t old, size_t size)
{
	void *q = realloc(p, size);
	if (!q)
		return NULL;
	h->st.bytes += (long long)size - (long long)old;
	h->st.bytes += !old ? HOSTS_ALLOC_OVERHEAD : 0;
	return q;
}

static void
tab_free(struct hosts *h, void *p, size_t size)
{
	if (!p)
		return;
	free(p);
	h->st.bytes -= (long long)size + HOSTS_ALLOC_OVERHEAD;
}

/* Room for one more of an array grown by doubling up to max. */
static bool
tab_reserve(struct hosts *h, void **arr, uint16_t n, uint16_t *cap, int max, size_t elem)
{
	if (n < *cap)
		return true;
	if (n >= max)
		return false;
	int c = *cap ? *cap * 2 : 1;
	c = c < max ? c : max;
	void *a = tab_realloc(h, *arr, *cap * elem, (size_t)c * elem);
	if (!a)
		return false;
	*arr = a;
	*cap = (uint16_t)c;
	return true;
}

/* ---- shared names ---- */

static struct hname *
name_of(const char *text)
{
	return (struct hname *)(void *)(text - offsetof(struct hname, text));
}

static void
names_grow(struct hosts *h)
{
	unsigned n = h->nname_buckets ? h->nname_buckets * 2 : 64;
	struct hname **b = tab_realloc(h, NULL, 0, n * sizeof *b);
	if (!b)
		return; /* longer chains, still correct */
	memset(b, 0, n * sizeof *b);
	for (unsigned i = 0; i < h->nname_buckets; i++)
		for (struct hname *x = h->name_buckets[i], *next; x; x = next) {
			next = x->next;
			x->next = b[x->hash & (n - 1)];
			b[x->hash & (n - 1)] = x;
		}
	tab_free(h, h->name_buckets, h->nname_buckets * sizeof *b);
	h->name_buckets = b;
	h->nname_buckets = n;
}

/* The shared copy of name with one more reference (the first spelling
 * seen is kept: names compare case-insensitively); NULL out of memory. */
static const char *
name_ref(struct hosts *h, const char *name, uint32_t hash)
{
	if (h->nnames >= h->nname_buckets)
		names_grow(h);
	if (!h->nname_buckets)
		return NULL;
	struct hname **p = &h->name_buckets[hash & (h->nname_buckets - 1)];
	for (; *p; p = &(*p)->next)
		if ((*p)->hash == hash && strcasecmp((*p)->text, name) == 0) {
			(*p)->refs++;
			return (*p)->text;
		}
	size_t len = strlen(name) + 1;
	struct hname *x = tab_realloc(h, NULL, 0, sizeof *x + len);
	if (!x)
		return NULL;
	x->next = NULL;
	x->hash = hash;
	x->refs = 1;
	memcpy(x->text, name, len);
	*p = x;
	h->nnames++;
	return x->text;
}

static void
name_unref(struct hosts *h, const char *text)
{
	if (!text)
		return;
	struct hname *x = name_of(text);
	if (--x->refs)
		return;
	struct hname **p = &h->name_buckets[x->hash & (h->nname_buckets - 1)];
	while (*p != x)
		p = &(*p)->next;
	*p = x->next;
	h->nnames--;
	tab_free(h, x, sizeof *x + strlen(x->text) + 1);
}

/* ---- hosts ---- */

static unsigned
addr_hash(const struct netaddr *na, unsigned nbuckets)
{
	return netaddr_hash(hash_seed(), na) & (nbuckets - 1);
}

static struct host **
host_slot(const struct hosts *h, const struct netaddr *na)
{
	struct host **p = &h->buckets[addr_hash(na, h->nbuckets)];
	while (*p && !netaddr_equal(&(*p)->addr, na))
		p = &(*p)->hnext;
	return p;
}

/* Twice the buckets, while there are more hosts than buckets: a router
 * with five hosts does not pay for max_hosts. */
static void
hosts_grow(struct hosts *h)
{
	unsigned n = h->nbuckets * 2;
	struct host **b = tab_realloc(h, NULL, 0, n * sizeof *b), *e;
	if (!b)
		return; /* longer chains, still correct */
	memset(b, 0, n * sizeof *b);
	TAILQ_FOREACH(e, &h->lru, lru)
	{
		e->hnext = b[addr_hash(&e->addr, n)];
		b[addr_hash(&e->addr, n)] = e;
	}
	tab_free(h, h->buckets, h->nbuckets * sizeof *b);
	h->buckets = b;
	h->nbuckets = n;
}

static void
set_hostname(struct hosts *h, struct host *e, const char *name)
{
	if (strcmp(e->hostname, name) == 0)
		return;
	size_t len = strlen(name) + 1;
	char *copy = name[0] ? tab_realloc(h, NULL, 0, len) : NULL;
	if (name[0] && !copy)
		return;
	if (e->hostname[0])
		tab_free(h, (void *)e->hostname, strlen(e->hostname) + 1);
	e->hostname = copy ? memcpy(copy, name, len) : "";
}

static void
host_free(struct hosts *h, struct host *e)
{
	for (int i = 0; i < e->nnames; i++)
		name_unref(h, e->names[i]);
	for (int i = 0; i < e->ring_n; i++)
		name_unref(h, e->ring[i].name);
	set_hostname(h, e, "");
	tab_free(h, e->names, e->names_cap * sizeof *e->names);
	tab_free(h, e->ring, e->ring_cap * sizeof *e->ring);
	tab_free(h, e->days, e->days_cap * sizeof *e->days);
	tab_free(h, e->cats, e->cats_cap * sizeof *e->cats);
	tab_free(h, e, sizeof *e);
}

static void
host_remove(struct hosts *h, struct host *e)
{
	struct host **p = host_slot(h, &e->addr);
	*p = e->hnext;
	TAILQ_REMOVE(&h->lru, e, lru);
	host_free(h, e);
	h->st.hosts--;
}

/* "update=3;ksn=1" and "a.example,b.example" for the archive. */
static void
archive_lists(const struct hosts *h, const struct host *e, struct evbuffer *cats,
              struct evbuffer *names)
{
	for (int i = 0; i < e->ncats; i++)
		evbuffer_add_printf(cats, "%s%s=%u", i ? ";" : "", h->cats[e->cats[i].cat],
		                    e->cats[i].count);
	for (int i = 0; i < e->nnames; i++) {
		if (i)
			evbuffer_add(names, ",", 1);
		for (const char *c = e->names[i]; *c; c++)
			evbuffer_add(names, *c == ',' ? "?" : c, 1);
	}
	evbuffer_add(cats, "", 1);
	evbuffer_add(names, "", 1);
}

static void
archive_host(struct hosts *h, const struct host *e)
{
	char addr[NETADDR_STRLEN], mac[MAC_STRLEN];
	struct evbuffer *cats = evbuffer_new(), *names = evbuffer_new();
	int rc = -1;
	if (cats && names) {
		archive_lists(h, e, cats, names);
		struct hostarch_rec r = {
		    .addr = netaddr_str(&e->addr, addr),
		    .mac = e->has_mac ? mac_str(e->mac, mac) : "",
		    .hostname = e->hostname,
		    .first = e->first,
		    .last = e->last,
		    .total = (long long)e->total,
		    .action = policy_action_name((enum policy_action)e->last_action),
		    .cats = (const char *)evbuffer_pullup(cats, -1),
		    .names = (const char *)evbuffer_pullup(names, -1)};
		rc = hostarch_append(h->o.archive, h->o.archive_max_size, &r);
	}
	if (rc == 0)
		h->st.archived++;
	else if (h->st.archive_errors++ == 0)
		log_warnx("hosts: cannot write the archive %s: %s; evicted hosts are lost",
		         h->o.archive, strerror(errno));
	if (cats)
		evbuffer_free(cats);
	if (names)
		evbuffer_free(names);
}

/* One line for the evictions not yet logged, at once for the first and
 * then at most every HOSTS_EVICT_LOG_SECS (or when forced). */
static void
evict_report(struct hosts *h, time_t now, bool force)
{
	uint64_t n = h->evicted_unlogged;
	if (!n || (!force && h->evict_logged && now - h->evict_logged < HOSTS_EVICT_LOG_SECS &&
	           now >= h->evict_logged))
		return;
	log_warnx("hosts: table full (%d hosts, %lld bytes): %llu least recently seen host%s "
	         "evicted%s%s; %llu since start",
	         h->st.hosts, h->st.bytes, (unsigned long long)n, n == 1 ? "" : "s",
	         h->o.archive ? " to the archive " : " and not archived (set hosts.archive)",
	         h->o.archive ? h->o.archive : "", (unsigned long long)h->st.evicted);
	h->evicted_unlogged = 0;
	h->evict_logged = now;
}

static bool
over_bounds(const struct hosts *h, int extra_hosts)
{
	return h->st.hosts + extra_hosts > h->o.max_hosts ||
	       (h->o.max_bytes && h->st.bytes > h->o.max_bytes);
}

/* Evict the least recently seen hosts (never keep) while the table is over
 * its bounds with room for extra_hosts more. */
static void
evict(struct hosts *h, const struct host *keep, int extra_hosts, time_t now)
{
	struct host *e;
	while (over_bounds(h, extra_hosts) && (e = TAILQ_LAST(&h->lru, host_list)) && e != keep) {
		if (h->o.archive)
			archive_host(h, e);
		host_remove(h, e);
		h->st.evicted++;
		h->evicted_unlogged++;
		h->dirty = true;
		evict_report(h, now, false);
	}
}

/* A new host at the tail (the caller moves it), evicting to stay in bounds. */
static struct host *
host_add(struct hosts *h, const struct netaddr *na, time_t now)
{
	evict(h, NULL, 1, now);
	if ((unsigned)h->st.hosts >= h->nbuckets && h->nbuckets < h->maxbuckets)
		hosts_grow(h);
	struct host *e = tab_realloc(h, NULL, 0, sizeof *e);
	if (!e)
		return NULL;
	memset(e, 0, sizeof *e);
	e->hostname = "";
	e->addr = *na;
	struct host **p = host_slot(h, na);
	*p = e;
	TAILQ_INSERT_TAIL(&h->lru, e, lru);
	h->st.hosts++;
	return e;
}

static int
category_index(struct hosts *h, const char *name)
{
	/* the policy hands out one string per category: its address finds the
	 * index, one comparison confirms it (a reload may reuse the memory) */
	for (int i = 0; i < h->ncats; i++)
		if (h->cat_seen[i] == name && strcmp(h->cats[i], name) == 0)
			return i;
	for (int i = 0; i < h->ncats; i++)
		if (strcmp(h->cats[i], name) == 0) {
			h->cat_seen[i] = name;
			return i;
		}
	if (h->ncats == HOSTS_MAX_CATS - 1)
		snprintf(h->cats[h->ncats++], HOSTS_CATLEN, "other");
	if (h->ncats == HOSTS_MAX_CATS)
		return HOSTS_MAX_CATS - 1;
	snprintf(h->cats[h->ncats], HOSTS_CATLEN, "%s", name);
	h->cat_seen[h->ncats] = name;
	return h->ncats++;
}

static void
add_cat(struct hosts *h, struct host *e, int cat, uint32_t n)
{
	for (int i = 0; i < e->ncats; i++)
		if (e->cats[i].cat == (uint32_t)cat) {
			e->cats[i].count += n;
			return;
		}
	if (!tab_reserve(h, (void **)&e->cats, e->ncats, &e->cats_cap, HOSTS_MAX_CATS,
	                 sizeof *e->cats))
		return;
	e->cats[e->ncats++] = (struct host_cat){(uint32_t)cat, n};
}

/* Keep name (shared) in the host's list while there is room. */
static void
add_name(struct hosts *h, struct host *e, const char *shared)
{
	for (int i = 0; i < e->nnames; i++)
		if (e->names[i] == shared)
			return;
	if (!tab_reserve(h, (void **)&e->names, e->nnames, &e->names_cap, h->o.max_names,
	                 sizeof *e->names))
		return;
	name_of(shared)->refs++;
	e->names[e->nnames++] = shared;
}

/* shared: the table's copy of the name, one reference handed to the ring. */
static void
add_recent(struct hosts *h, struct host *e, time_t t, const char *shared, uint16_t qtype,
           int cat, enum policy_action action)
{
	if (h->o.recent == 0 ||
	    (e->ring_n == e->ring_cap && e->ring_cap < h->o.recent &&
	     !tab_reserve(h, (void **)&e->ring, e->ring_n, &e->ring_cap, h->o.recent,
	                  sizeof *e->ring))) {
		name_unref(h, shared);
		return;
	}
	/* the ring grows before it first wraps, so ring_head == ring_n until then */
	struct host_attempt *a = &e->ring[e->ring_head];
	if (e->ring_n == h->o.recent)
		name_unref(h, a->name);
	*a = (struct host_attempt){.time = t,
	                           .name = shared,
	                           .qtype = qtype,
	                           .cat = (uint8_t)cat,
	                           .action = (uint8_t)action};
	e->ring_head = (uint16_t)((e->ring_head + 1) % h->o.recent);
	if (e->ring_n < h->o.recent)
		e->ring_n++;
}

/* The days kept are the last `days` days up to the newest one seen. */
static void
add_day(struct hosts *h, struct host *e, int32_t day, uint32_t n)
{
	int i = e->ndays;
	while (i > 0 && e->days[i - 1].day > day)
		i--;
	if (i > 0 && e->days[i - 1].day == day) {
		e->days[i - 1].count += n;
		return;
	}
	int32_t newest = e->ndays && e->days[e->ndays - 1].day > day ? e->days[e->ndays - 1].day
	                                                             : day;
	if (day <= newest - h->o.days)
		return;
	int old = 0; /* out of the window, or the oldest when full */
	while (old < e->ndays && e->days[old].day <= newest - h->o.days)
		old++;
	if (old == 0 && e->ndays == h->o.days)
		old = 1;
	if (old) {
		memmove(e->days, e->days + old, (size_t)(e->ndays - old) * sizeof *e->days);
		e->ndays = (uint16_t)(e->ndays - old);
		i -= old;
		if (i < 0)
			return; /* it was the oldest */
	}
	if (!tab_reserve(h, (void **)&e->days, e->ndays, &e->days_cap, h->o.days,
	                 sizeof *e->days))
		return;
	memmove(e->days + i + 1, e->days + i, (size_t)(e->ndays - i) * sizeof *e->days);
	e->days[i] = (struct host_day){day, n};
	e->ndays++;
}

/* Hostname and MAC from the DHCP leases, looked up again only when the
 * lease files changed since this host's last look. */
static void
host_lease(struct hosts *h, struct host *e, time_t now)
{
	unsigned gen = h->leases ? leases_generation(h->leases, now) : 0;
	if (gen == e->lease_gen)
		return;
	e->lease_gen = gen;
	const struct lease *l = leases_lookup(h->leases, &e->addr, now);
	if (l && l->hostname[0])
		set_hostname(h, e, l->hostname);
	if (l && l->has_mac && !e->has_mac) {
		memcpy(e->mac, l->mac, 6);
		e->has_mac = true;
	}
}

static int32_t
day_of(time_t t)
{
	return (int32_t)(t / 86400);
}

void
hosts_record(struct hosts *h, const struct client *ci, const char *qname, uint16_t qtype,
             const struct policy_decision *d, time_t now)
{
	if (!d->category || ci->addr.family == 0)
		return;
	struct host *e = *host_slot(h, &ci->addr);
	if (!e && !(e = host_add(h, &ci->addr, now)))
		return;
	if (e->total == 0)
		e->first = now;
	if (TAILQ_FIRST(&h->lru) != e) {
		TAILQ_REMOVE(&h->lru, e, lru);
		TAILQ_INSERT_HEAD(&h->lru, e, lru);
	}
	if (ci->has_mac) {
		memcpy(e->mac, ci->mac, 6);
		e->has_mac = true;
	}
	host_lease(h, e, now);
	int cat = category_index(h, d->category);
	uint32_t hash = hash_name(hash_seed(), qname);
	e->last = now;
	e->total++;
	add_cat(h, e, cat, 1);
	e->last_action = (uint8_t)d->action;
	h->st.by_action[cat][d->action <= POLICY_SINKHOLE ? d->action : POLICY_NONE]++;
	const char *shared = name_ref(h, qname, hash);
	if (shared) {
		add_name(h, e, shared);
		add_recent(h, e, now, shared, qtype, cat, d->action);
	}
	add_day(h, e, day_of(now), 1);
	evict(h, e, 0, now); /* the host's lists grew: the byte bound */
	h->dirty = true;
	h->st.recorded++;
	if (h->elog) {
		struct eventlog_event ev = {.time = now,
		                            .addr = e->addr,
		                            .mac = e->has_mac ? e->mac : NULL,
		                            .hostname = e->hostname[0] ? e->hostname : NULL,
		                            .name = qname,
		                            .name_hash = hash,
		                            .qtype = qtype,
		                            .category = d->category,
		                            .phase = d->phase,
		                            .action = d->action};
		eventlog_record(h->elog, &ev);
	}
}

/* ---- queries ---- */

const struct host_list *
hosts_list(const struct hosts *h)
{
	return &h->lru;
}

const struct host *
hosts_find(const struct hosts *h, const char *key)
{
	struct netaddr na;
	uint8_t mac[6];
	if (netaddr_parse(&na, key) == 0)
		return *host_slot(h, &na);
	bool by_mac = mac_parse(mac, key) == 0;
	const struct host *e;
	TAILQ_FOREACH(e, &h->lru, lru)
	if (by_mac ? e->has_mac && memcmp(e->mac, mac, 6) == 0 : strcasecmp(e->hostname, key) == 0)
		return e;
	return NULL;
}

const char *
hosts_category(const struct hosts *h, int i)
{
	return i >= 0 && i < h->ncats ? h->cats[i] : NULL;
}

const struct hosts_opts *
hosts_options(const struct hosts *h)
{
	return &h->o;
}

void
hosts_get_stats(const struct hosts *h, struct hosts_stats *s)
{
	*s = h->st;
}

const struct host_attempt *
host_recent(const struct hosts *h, const struct host *e, int i)
{
	if (i < 0 || i >= e->ring_n)
		return NULL;
	return &e->ring[((e->ring_head - 1 - i) % h->o.recent + h->o.recent) % h->o.recent];
}

uint32_t
host_day_count(const struct hosts *h, const struct host *e, int32_t day)
{
	(void)h;
	for (int i = e->ndays - 1; i >= 0 && e->days[i].day >= day; i--)
		if (e->days[i].day == day)
			return e->days[i].count;
	return 0;
}

uint32_t
host_cat_count(const struct host *e, int i)
{
	for (int k = 0; k < e->ncats; k++)
		if (e->cats[k].cat == (uint32_t)i)
			return e->cats[k].count;
	return 0;
}

void
hosts_status(const struct hosts *h, time_t now, struct evbuffer *out)
{
	evbuffer_add_printf(out, "hosts: %d of %d, %lld bytes", h->st.hosts, h->o.max_hosts,
	                    h->st.bytes);
	if (h->o.max_bytes)
		evbuffer_add_printf(out, " of %lld", h->o.max_bytes);
	evbuffer_add_printf(out, ", %llu recorded, %llu evicted", (unsigned long long)h->st.recorded,
	                    (unsigned long long)h->st.evicted);
	if (h->o.archive)
		evbuffer_add_printf(out, " (%llu archived, %llu lost)",
		                    (unsigned long long)h->st.archived,
		                    (unsigned long long)h->st.archive_errors);
	else if (h->st.evicted)
		evbuffer_add_printf(out, " (not archived)");
	evbuffer_add_printf(out, "; state ");
	if (!h->o.state_file)
		evbuffer_add_printf(out, "not saved\n");
	else if (h->st.last_save)
		evbuffer_add_printf(
		    out, "saved %lld s ago, %llu save errors%s\n",
		    (long long)(now - h->st.last_save), (unsigned long long)h->st.save_errors,
		    h->st.loaded_corrupt ? ", corrupt file moved aside at start" : "");
	else
		evbuffer_add_printf(out, "not saved yet, %llu save errors%s\n",
		                    (unsigned long long)h->st.save_errors,
		                    h->st.loaded_corrupt ? ", corrupt file moved aside at start"
		                                         : "");
}

/* ---- the state file ---- */

static void
set_int64(config_setting_t *parent, const char *name, long long v)
{
	config_setting_set_int64(config_setting_add(parent, name, CONFIG_TYPE_INT64), v);
}

static void
set_str(config_setting_t *parent, const char *name, const char *v)
{
	config_setting_set_string(config_setting_add(parent, name, CONFIG_TYPE_STRING), v);
}

static void
save_host(const struct hosts *h, const struct host *e, config_setting_t *g)
{
	char buf[NETADDR_STRLEN];
	set_str(g, "addr", netaddr_str(&e->addr, buf));
	if (e->has_mac)
		set_str(g, "mac", mac_str(e->mac, buf));
	set_str(g, "hostname", e->hostname);
	set_int64(g, "first", e->first);
	set_int64(g, "last", e->last);
	set_int64(g, "total", (long long)e->total);
	set_str(g, "action", policy_action_name((enum policy_action)e->last_action));
	config_setting_t *a = config_setting_add(g, "counts", CONFIG_TYPE_ARRAY);
	for (int i = 0; i < h->ncats; i++)
		config_setting_set_int64_elem(a, -1, host_cat_count(e, i));
	a = config_setting_add(g, "names", CONFIG_TYPE_ARRAY);
	for (int i = 0; i < e->nnames; i++)
		config_setting_set_string_elem(a, -1, e->names[i]);
	a = config_setting_add(g, "recent", CONFIG_TYPE_LIST);
	for (int i = e->ring_n - 1; i >= 0; i--) { /* oldest first, as replayed */
		const struct host_attempt *r = host_recent(h, e, i);
		config_setting_t *l = config_setting_add(a, NULL, CONFIG_TYPE_LIST);
		config_setting_set_int64(config_setting_add(l, NULL, CONFIG_TYPE_INT64), r->time);
		config_setting_set_string(config_setting_add(l, NULL, CONFIG_TYPE_STRING),
		                          r->name ? r->name : "");
		config_setting_set_int(config_setting_add(l, NULL, CONFIG_TYPE_INT), r->qtype);
		config_setting_set_int(config_setting_add(l, NULL, CONFIG_TYPE_INT), r->cat);
		config_setting_set_string(config_setting_add(l, NULL, CONFIG_TYPE_STRING),
		                          policy_action_name(r->action));
	}
	a = config_setting_add(g, "days", CONFIG_TYPE_LIST);
	for (int i = 0; i < e->ndays; i++) {
		config_setting_t *l = config_setting_add(a, NULL, CONFIG_TYPE_ARRAY);
		config_setting_set_int64_elem(l, -1, e->days[i].day);
		config_setting_set_int64_elem(l, -1, e->days[i].count);
	}
}

static int
write_state(const struct hosts *h, config_t *cfg, const char *tmp)
{
	config_setting_t *root = config_root_setting(cfg);
	set_int64(root, "version", HOSTS_STATE_VERSION);
	config_setting_t *a = config_setting_add(root, "categories", CONFIG_TYPE_ARRAY);
	for (int i = 0; i < h->ncats; i++)
		config_setting_set_string_elem(a, -1, h->cats[i]);
	config_setting_t *l = config_setting_add(root, "hosts", CONFIG_TYPE_LIST);
	const struct host *e;
	TAILQ_FOREACH(e, &h->lru, lru)
	save_host(h, e, config_setting_add(l, NULL, CONFIG_TYPE_GROUP));
	/* never through a symlink planted in a shared directory such as /tmp */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
	FILE *f = fd == -1 ? NULL : fdopen(fd, "w");
	if (!f) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	config_write(cfg, f);
	int rc = fflush(f) == 0 && !ferror(f) && fsync(fileno(f)) == 0 ? 0 : -1;
	return fclose(f) == 0 ? rc : -1;
}

int
hosts_save(struct hosts *h, time_t now)
{
	char tmp[PATH_MAX];
	if (!h->o.state_file || !h->dirty)
		return 0;
	snprintf(tmp, sizeof tmp, "%s.tmp", h->o.state_file);
	config_t cfg;
	config_init(&cfg);
	int rc = write_state(h, &cfg, tmp);
	config_destroy(&cfg);
	if (rc == 0 && rename(tmp, h->o.state_file) == 0) {
		if (h->save_failing)
			log_warnx("hosts: %s saved again", h->o.state_file);
		h->save_failing = false;
		h->dirty = false;
		h->st.saves++;
		h->st.last_save = now;
		return 0;
	}
	/* once when saving starts failing, once when it works again */
	if (!h->save_failing)
		log_warnx("hosts: cannot save %s: %s; the table is only in memory until it works",
		         h->o.state_file, strerror(errno));
	h->save_failing = true;
	h->st.save_errors++;
	unlink(tmp);
	return -1;
}

static bool
get_i64(const config_setting_t *g, const char *name, long long min, long long *v)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	if (!s || (config_setting_type(s) != CONFIG_TYPE_INT64 &&
	           config_setting_type(s) != CONFIG_TYPE_INT))
		return false;
	*v = config_setting_get_int64(s);
	return *v >= min;
}

static bool
action_parse(const char *s, uint8_t *out)
{
	for (int a = POLICY_NONE; s && a <= POLICY_SINKHOLE; a++)
		if (strcmp(policy_action_name((enum policy_action)a), s) == 0) {
			*out = (uint8_t)a;
			return true;
		}
	return false;
}

static bool
load_recent(struct hosts *h, struct host *e, const config_setting_t *l, const int *catmap)
{
	for (int i = 0; l && i < config_setting_length(l); i++) {
		const config_setting_t *r = config_setting_get_elem(l, (unsigned)i);
		const char *name = config_setting_get_string_elem(r, 1);
		uint8_t action;
		int cat = config_setting_get_int_elem(r, 3);
		if (config_setting_length(r) != 5 || !name || cat < 0 || cat >= HOSTS_MAX_CATS ||
		    catmap[cat] < 0 || !action_parse(config_setting_get_string_elem(r, 4), &action))
			return false;
		const char *shared = name_ref(h, name, hash_name(hash_seed(), name));
		if (!shared)
			return false;
		add_name(h, e, shared);
		add_recent(h, e, (time_t)config_setting_get_int64_elem(r, 0), shared,
		           (uint16_t)config_setting_get_int_elem(r, 2), catmap[cat], action);
	}
	return true;
}

static bool
load_host(struct hosts *h, const config_setting_t *g, const int *catmap, int nfilecats)
{
	struct netaddr na;
	const char *addr = NULL, *mac = NULL, *hostname = NULL, *action = NULL;
	long long first, last, total;
	config_setting_lookup_string(g, "addr", &addr);
	config_setting_lookup_string(g, "hostname", &hostname);
	config_setting_lookup_string(g, "action", &action);
	if (!addr || netaddr_parse(&na, addr) == -1 || !hostname ||
	    !get_i64(g, "first", 0, &first) || !get_i64(g, "last", first, &last) ||
	    !get_i64(g, "total", 0, &total))
		return false;
	if (*host_slot(h, &na))
		return false; /* a duplicate cannot come from hosts_save */
	if (h->st.hosts >= h->o.max_hosts)
		return true; /* the cap shrank: keep the most recent ones */
	struct host *e = host_add(h, &na, last);
	if (!e)
		return false;
	e->first = first;
	e->last = last;
	e->total = (uint64_t)total;
	set_hostname(h, e, hostname);
	if (config_setting_lookup_string(g, "mac", &mac) == CONFIG_TRUE) {
		if (mac_parse(e->mac, mac) == -1)
			return false;
		e->has_mac = true;
	}
	uint8_t act;
	if (!action_parse(action, &act))
		return false;
	e->last_action = act;
	const config_setting_t *a = config_setting_get_member(g, "counts");
	if (!a || config_setting_length(a) > nfilecats)
		return false;
	for (int i = 0; i < config_setting_length(a); i++)
		if (config_setting_get_int64_elem(a, i) > 0)
			add_cat(h, e, catmap[i], (uint32_t)config_setting_get_int64_elem(a, i));
	a = config_setting_get_member(g, "names");
	for (int i = 0; a && i < config_setting_length(a); i++) {
		const char *n = config_setting_get_string_elem(a, i);
		const char *shared = n ? name_ref(h, n, hash_name(hash_seed(), n)) : NULL;
		if (!shared)
			return false;
		add_name(h, e, shared);
		name_unref(h, shared);
	}
	if (!load_recent(h, e, config_setting_get_member(g, "recent"), catmap))
		return false;
	a = config_setting_get_member(g, "days");
	for (int i = 0; a && i < config_setting_length(a); i++) {
		const config_setting_t *d = config_setting_get_elem(a, (unsigned)i);
		if (config_setting_length(d) != 2)
			return false;
		int32_t day = (int32_t)config_setting_get_int64_elem(d, 0);
		if (day > day_of(last) - h->o.days)
			add_day(h, e, day, (uint32_t)config_setting_get_int64_elem(d, 1));
	}
	return true;
}

static bool
load_state(struct hosts *h, const config_t *cfg)
{
	long long version;
	int catmap[HOSTS_MAX_CATS];
	for (int i = 0; i < HOSTS_MAX_CATS; i++)
		catmap[i] = -1;
	const config_setting_t *root = config_root_setting(cfg);
	const config_setting_t *cats = config_setting_get_member(root, "categories");
	const config_setting_t *list = config_setting_get_member(root, "hosts");
	if (!get_i64(root, "version", 0, &version) || version != HOSTS_STATE_VERSION || !cats ||
	    !list || !config_setting_is_list(list) || config_setting_length(cats) > HOSTS_MAX_CATS)
		return false;
	for (int i = 0; i < config_setting_length(cats); i++) {
		const char *c = config_setting_get_string_elem(cats, i);
		if (!c)
			return false;
		catmap[i] = category_index(h, c);
	}
	for (int i = 0; i < config_setting_length(list); i++)
		if (!load_host(h, config_setting_get_elem(list, (unsigned)i), catmap,
		               config_setting_length(cats)))
			return false;
	return true;
}

static void
clear(struct hosts *h)
{
	while (!TAILQ_EMPTY(&h->lru))
		host_remove(h, TAILQ_FIRST(&h->lru));
	h->ncats = 0;
}

int
hosts_load(struct hosts *h)
{
	struct stat st;
	char aside[PATH_MAX];
	clear(h);
	if (!h->o.state_file || stat(h->o.state_file, &st) == -1)
		return 0;
	config_t cfg;
	config_init(&cfg);
	bool ok = config_read_file(&cfg, h->o.state_file) == CONFIG_TRUE && load_state(h, &cfg);
	if (!ok) {
		snprintf(aside, sizeof aside, "%s.corrupt", h->o.state_file);
		log_warnx("hosts: %s:%d: corrupt state file (%s), moved to %s; starting with an "
		         "empty table",
		         h->o.state_file, config_error_line(&cfg),
		         config_error_text(&cfg) ? config_error_text(&cfg) : "bad content", aside);
		if (rename(h->o.state_file, aside) == -1)
			log_warn("hosts: rename %s", aside);
		clear(h);
		h->st.loaded_corrupt = true;
	}
	config_destroy(&cfg);
	h->dirty = false;
	return ok ? 0 : -1;
}

/* ---- life cycle ---- */

static void
save_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	evict_report(arg, time(NULL), false);
	hosts_save(arg, time(NULL));
}

struct hosts *
hosts_new(const struct hosts_opts *o, struct event_base *base, struct leases *leases,
          struct eventlog *elog)
{
	struct hosts *h = calloc(1, sizeof *h);
	bool fail = false;
	if (!h)
		return NULL;
	TAILQ_INIT(&h->lru);
	h->o = *o;
	h->o.state_file = conf_dup(o->state_file, &fail);
	h->o.leases_file = conf_dup(o->leases_file, &fail);
	h->o.odhcpd_file = conf_dup(o->odhcpd_file, &fail);
	h->o.archive = conf_dup(o->archive, &fail);
	if (!h->o.archive && o->state_file && !fail) {
		size_t n = strlen(o->state_file) + sizeof ".archive";
		if ((h->o.archive = malloc(n)))
			snprintf(h->o.archive, n, "%s.archive", o->state_file);
		fail = !h->o.archive;
	}
	h->leases = leases;
	h->elog = elog;
	for (h->maxbuckets = 16; h->maxbuckets < (unsigned)o->max_hosts; h->maxbuckets <<= 1)
		;
	h->st.bytes = (long long)sizeof *h + HOSTS_ALLOC_OVERHEAD;
	h->buckets = tab_realloc(h, NULL, 0, 16 * sizeof *h->buckets);
	if (h->buckets) {
		h->nbuckets = 16;
		memset(h->buckets, 0, 16 * sizeof *h->buckets);
	}
	if (fail || !h->buckets) {
		hosts_free(h);
		return NULL;
	}
	hosts_load(h);
	if (base && h->o.state_file && (h->timer = event_new(base, -1, EV_PERSIST, save_cb, h))) {
		struct timeval tv = {h->o.save_interval, 0};
		event_add(h->timer, &tv);
	}
	return h;
}

void
hosts_set_sinks(struct hosts *h, struct leases *leases, struct eventlog *elog)
{
	struct host *e;
	h->leases = leases;
	h->elog = elog;
	/* the new reader's generations are not the old one's: look again */
	TAILQ_FOREACH(e, &h->lru, lru)
	{
		e->lease_gen = 0;
	}
}

void
hosts_free(struct hosts *h)
{
	if (!h)
		return;
	evict_report(h, time(NULL), true);
	if (h->buckets)
		clear(h);
	if (h->timer)
		event_free(h->timer);
	free(h->buckets);
	free(h->name_buckets);
	hosts_opts_free(&h->o);
	free(h);
}
