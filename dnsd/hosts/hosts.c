/* The per-host table (see hosts.h): a hash on the address for lookups, a
 * list in last-seen order for eviction and listing, a hash of the names
 * every host shares, and the hand-over of evicted hosts to the archive.
 * The state file is hoststate.c's. */
#include "hosts_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "hash.h"
#include "hostarch.h"
#include "log.h"

/* Each allocation costs malloc's header and rounding besides its size:
 * counted so that max_bytes and the status figure match the process. */
#define HOSTS_ALLOC_OVERHEAD 16
#define HOSTS_EVICT_LOG_SECS 60 /* at most one eviction line a minute */

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
const char *
hosts_name_ref(struct hosts *h, const char *name, uint32_t hash)
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

void
hosts_name_unref(struct hosts *h, const char *text)
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

struct host **
hosts_host_slot(const struct hosts *h, const struct netaddr *na)
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

void
hosts_set_hostname(struct hosts *h, struct host *e, const char *name)
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
		hosts_name_unref(h, e->names[i]);
	for (int i = 0; i < e->ring_n; i++)
		hosts_name_unref(h, e->ring[i].name);
	hosts_set_hostname(h, e, "");
	tab_free(h, e->names, e->names_cap * sizeof *e->names);
	tab_free(h, e->ring, e->ring_cap * sizeof *e->ring);
	tab_free(h, e->days, e->days_cap * sizeof *e->days);
	tab_free(h, e->cats, e->cats_cap * sizeof *e->cats);
	tab_free(h, e, sizeof *e);
}

void
hosts_host_remove(struct hosts *h, struct host *e)
{
	struct host **p = hosts_host_slot(h, &e->addr);
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
		struct hostarch_rec r = {.addr = netaddr_str(&e->addr, addr),
		                         .mac = e->has_mac ? mac_str(e->mac, mac) : "",
		                         .hostname = e->hostname,
		                         .first = e->first,
		                         .last = e->last,
		                         .total = (long long)e->total,
		                         .action =
		                             policy_action_name((enum policy_action)e->last_action),
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
		hosts_host_remove(h, e);
		h->st.evicted++;
		h->evicted_unlogged++;
		h->dirty = true;
		evict_report(h, now, false);
	}
}

/* A new host at the tail (the caller moves it), evicting to stay in bounds. */
struct host *
hosts_host_add(struct hosts *h, const struct netaddr *na, time_t now)
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
	struct host **p = hosts_host_slot(h, na);
	*p = e;
	TAILQ_INSERT_TAIL(&h->lru, e, lru);
	h->st.hosts++;
	return e;
}

int
hosts_category_index(struct hosts *h, const char *name)
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

void
hosts_add_cat(struct hosts *h, struct host *e, int cat, uint32_t n)
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
void
hosts_add_name(struct hosts *h, struct host *e, const char *shared)
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
void
hosts_add_recent(struct hosts *h, struct host *e, time_t t, const char *shared, uint16_t qtype,
                 int cat, enum policy_action action)
{
	if (h->o.recent == 0 || (e->ring_n == e->ring_cap && e->ring_cap < h->o.recent &&
	                         !tab_reserve(h, (void **)&e->ring, e->ring_n, &e->ring_cap,
	                                      h->o.recent, sizeof *e->ring))) {
		hosts_name_unref(h, shared);
		return;
	}
	/* the ring grows before it first wraps, so ring_head == ring_n until then */
	struct host_attempt *a = &e->ring[e->ring_head];
	if (e->ring_n == h->o.recent)
		hosts_name_unref(h, a->name);
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
void
hosts_add_day(struct hosts *h, struct host *e, int32_t day, uint32_t n)
{
	int i = e->ndays;
	while (i > 0 && e->days[i - 1].day > day)
		i--;
	if (i > 0 && e->days[i - 1].day == day) {
		e->days[i - 1].count += n;
		return;
	}
	int32_t newest =
	    e->ndays && e->days[e->ndays - 1].day > day ? e->days[e->ndays - 1].day : day;
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
	if (!tab_reserve(h, (void **)&e->days, e->ndays, &e->days_cap, h->o.days, sizeof *e->days))
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
		hosts_set_hostname(h, e, l->hostname);
	if (l && l->has_mac && !e->has_mac) {
		memcpy(e->mac, l->mac, 6);
		e->has_mac = true;
	}
}

int32_t
hosts_day_of(time_t t)
{
	return (int32_t)(t / 86400);
}

void
hosts_record(struct hosts *h, const struct client *ci, const char *qname, uint16_t qtype,
             const struct policy_decision *d, time_t now)
{
	if (!d->category || ci->addr.family == 0)
		return;
	struct host *e = *hosts_host_slot(h, &ci->addr);
	if (!e && !(e = hosts_host_add(h, &ci->addr, now)))
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
	int cat = hosts_category_index(h, d->category);
	uint32_t hash = hash_name(hash_seed(), qname);
	e->last = now;
	e->total++;
	hosts_add_cat(h, e, cat, 1);
	e->last_action = (uint8_t)d->action;
	h->st.by_action[cat][d->action <= POLICY_SINKHOLE ? d->action : POLICY_NONE]++;
	const char *shared = hosts_name_ref(h, qname, hash);
	if (shared) {
		hosts_add_name(h, e, shared);
		hosts_add_recent(h, e, now, shared, qtype, cat, d->action);
	}
	hosts_add_day(h, e, hosts_day_of(now), 1);
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
		return *hosts_host_slot(h, &na);
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
	evbuffer_add_printf(out, ", %llu recorded, %llu evicted",
	                    (unsigned long long)h->st.recorded, (unsigned long long)h->st.evicted);
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

/* Every host removed and the categories forgotten. */
void
hosts_clear(struct hosts *h)
{
	while (!TAILQ_EMPTY(&h->lru))
		hosts_host_remove(h, TAILQ_FIRST(&h->lru));
	h->ncats = 0;
}

void
hosts_free(struct hosts *h)
{
	if (!h)
		return;
	evict_report(h, time(NULL), true);
	if (h->buckets)
		hosts_clear(h);
	if (h->timer)
		event_free(h->timer);
	free(h->buckets);
	free(h->name_buckets);
	hosts_opts_free(&h->o);
	free(h);
}
