/* The per-host table (see hosts.h): a hash on the address for lookups, a
 * list in last-seen order for eviction and listing, and the state file
 * written and read with libconfig. */
#include "hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confget.h"
#include "log.h"

#define HOSTS_STATE_VERSION 1

struct hosts {
	struct hosts_opts o;
	struct host_list lru;
	struct host **buckets;
	unsigned nbuckets, maxbuckets; /* grown with the hosts up to maxbuckets */
	char cats[HOSTS_MAX_CATS][HOSTS_CATLEN];
	const char *cat_seen[HOSTS_MAX_CATS]; /* the string cats[i] was last found for */
	int ncats;
	struct leases *leases;
	struct eventlog *elog;
	struct event *timer;
	bool dirty;
	struct hosts_stats st;
};

static const char *const hosts_keys[] = {
    "max_hosts",  "max_names",          "recent", "days",
    "state_file", "save_interval",      "leases", "odhcpd_hosts",
    "neigh_ttl",  "trusted_forwarders", NULL};

void
hosts_opts_defaults(struct hosts_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_hosts = 256;
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
	o->state_file = o->leases_file = o->odhcpd_file = NULL;
}

static int
forwarders_config(const config_setting_t *grp, struct clientid_opts *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(grp, "trusted_forwarders");
	if (!s)
		return 0;
	if (!config_setting_is_aggregate(s) || config_setting_length(s) > CLIENTID_MAX_FORWARDERS) {
		confget_error(s, err, errlen,
		              "trusted_forwarders: expected a list of at most %d "
		              "addresses or prefixes",
		              CLIENTID_MAX_FORWARDERS);
		return -1;
	}
	c->nforwarders = 0;
	for (int i = 0; i < config_setting_length(s); i++) {
		const char *v = config_setting_get_string_elem(s, i);
		if (!v || cidr_parse(&c->forwarders[c->nforwarders++], v) == -1) {
			confget_error(s, err, errlen,
			              "trusted_forwarders: '%s' is not an address "
			              "or prefix",
			              v ? v : "(not a string)");
			return -1;
		}
	}
	return 0;
}

int
hosts_config(const config_setting_t *grp, struct hosts_opts *o, char *err, size_t errlen)
{
	long long max = o->max_hosts, names = o->max_names, recent = o->recent, days = o->days;
	long long save = o->save_interval, ttl = o->neigh_ttl;
	if (!grp)
		return 0;
	if (confget_known(grp, hosts_keys, err, errlen) == -1 ||
	    confget_int(grp, "max_hosts", 1, 1 << 20, &max, err, errlen) == -1 ||
	    confget_int(grp, "max_names", 0, 4096, &names, err, errlen) == -1 ||
	    confget_int(grp, "recent", 0, 4096, &recent, err, errlen) == -1 ||
	    confget_int(grp, "days", 1, HOSTS_MAX_DAYS, &days, err, errlen) == -1 ||
	    confget_path(grp, "state_file", &o->state_file, err, errlen) == -1 ||
	    confget_int(grp, "save_interval", 1, 7 * 86400, &save, err, errlen) == -1 ||
	    confget_path(grp, "leases", &o->leases_file, err, errlen) == -1 ||
	    confget_path(grp, "odhcpd_hosts", &o->odhcpd_file, err, errlen) == -1 ||
	    confget_int(grp, "neigh_ttl", 1, 3600, &ttl, err, errlen) == -1 ||
	    forwarders_config(grp, &o->clientid, err, errlen) == -1)
		return -1;
	o->max_hosts = (int)max;
	o->max_names = (int)names;
	o->recent = (int)recent;
	o->days = (int)days;
	o->save_interval = (int)save;
	o->neigh_ttl = (int)ttl;
	return 0;
}

/* ---- hosts ---- */

static unsigned
addr_hash(const struct netaddr *na, unsigned nbuckets)
{
	uint32_t x = 2166136261u;
	for (int i = 0, n = na->family == AF_INET ? 4 : 16; i < n; i++)
		x = (x ^ na->addr[i]) * 16777619u;
	return x & (nbuckets - 1);
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
	struct host **b = calloc(n, sizeof *b), *e;
	if (!b)
		return; /* longer chains, still correct */
	TAILQ_FOREACH(e, &h->lru, lru)
	{
		e->hnext = b[addr_hash(&e->addr, n)];
		b[addr_hash(&e->addr, n)] = e;
	}
	free(h->buckets);
	h->buckets = b;
	h->nbuckets = n;
}

static void
host_free(const struct hosts *h, struct host *e)
{
	for (int i = 0; i < e->nnames; i++)
		free(e->names[i]);
	for (int i = 0; i < h->o.recent; i++)
		free(e->ring[i].buf);
	free(e->names);
	free(e->name_hashes);
	free(e->ring);
	free(e->days);
	free(e);
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

/* A new host at the tail (the caller moves it), evicting to stay in bounds. */
static struct host *
host_add(struct hosts *h, const struct netaddr *na)
{
	if (h->st.hosts >= h->o.max_hosts) {
		host_remove(h, TAILQ_LAST(&h->lru, host_list));
		h->st.evicted++;
	} else if ((unsigned)h->st.hosts >= h->nbuckets && h->nbuckets < h->maxbuckets)
		hosts_grow(h);
	struct host *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->ring = calloc((size_t)h->o.recent + 1, sizeof *e->ring);
	e->days = calloc((size_t)h->o.days, sizeof *e->days);
	if (!e->ring || !e->days) {
		host_free(h, e);
		return NULL;
	}
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

static int
grow_names(const struct hosts *h, struct host *e)
{
	int cap = e->names_cap ? e->names_cap * 2 : 4;
	cap = cap < h->o.max_names ? cap : h->o.max_names;
	char **names = realloc(e->names, (size_t)cap * sizeof *names);
	if (names)
		e->names = names;
	uint32_t *hashes = names ? realloc(e->name_hashes, (size_t)cap * sizeof *hashes) : NULL;
	if (!hashes)
		return -1;
	e->name_hashes = hashes;
	e->names_cap = cap;
	return 0;
}

/* The host's kept copy of name (hash: eventlog_name_hash), added while
 * there is room; NULL when the list is full without it. */
static const char *
add_name(const struct hosts *h, struct host *e, const char *name, uint32_t hash)
{
	for (int i = 0; i < e->nnames; i++)
		if (e->name_hashes[i] == hash && strcasecmp(e->names[i], name) == 0)
			return e->names[i];
	if (e->nnames == h->o.max_names || (e->nnames == e->names_cap && grow_names(h, e) == -1) ||
	    !(e->names[e->nnames] = strdup(name)))
		return NULL;
	e->name_hashes[e->nnames] = hash;
	return e->names[e->nnames++];
}

/* The slot's own copy of name, in a buffer reused from attempt to
 * attempt (grown when a longer name comes): no allocation per query. */
static const char *
slot_copy(struct host_attempt *a, const char *name)
{
	size_t n = strlen(name) + 1;
	if (n > a->bufcap) {
		char *b = realloc(a->buf, n);
		if (!b)
			return "";
		a->buf = b;
		a->bufcap = (uint16_t)n;
	}
	return memcpy(a->buf, name, n);
}

/* kept: the host's copy of name (shared), or NULL. */
static void
add_recent(const struct hosts *h, struct host *e, time_t t, const char *name, const char *kept,
           uint16_t qtype, int cat, enum policy_action action)
{
	if (h->o.recent == 0)
		return;
	struct host_attempt *a = &e->ring[e->ring_head];
	a->name = kept ? kept : slot_copy(a, name);
	a->time = t;
	a->qtype = qtype;
	a->cat = (uint8_t)cat;
	a->action = (uint8_t)action;
	e->ring_head = (e->ring_head + 1) % h->o.recent;
	if (e->ring_n < h->o.recent)
		e->ring_n++;
}

static void
add_day(const struct hosts *h, struct host *e, int32_t day, uint32_t n)
{
	struct host_day *d = &e->days[(unsigned)day % (unsigned)h->o.days];
	if (d->day != day) {
		d->day = day;
		d->count = 0;
	}
	d->count += n;
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
		memcpy(e->hostname, l->hostname, sizeof e->hostname);
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
hosts_record(struct hosts *h, const struct client_info *ci, const char *qname, uint16_t qtype,
             const struct policy_decision *d, time_t now)
{
	if (!d->category || ci->addr.family == 0)
		return;
	struct host *e = *host_slot(h, &ci->addr);
	if (!e && !(e = host_add(h, &ci->addr)))
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
	uint32_t hash = eventlog_name_hash(qname);
	e->last = now;
	e->total++;
	e->cat_count[cat]++;
	e->last_action = d->action;
	h->st.by_action[cat][d->action <= POLICY_SINKHOLE ? d->action : POLICY_NONE]++;
	add_recent(h, e, now, qname, add_name(h, e, qname, hash), qtype, cat, d->action);
	add_day(h, e, day_of(now), 1);
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
	const struct host_day *d = &e->days[(unsigned)day % (unsigned)h->o.days];
	return d->day == day ? d->count : 0;
}

void
hosts_status(const struct hosts *h, time_t now, struct evbuffer *out)
{
	evbuffer_add_printf(out, "hosts: %d of %d, %llu recorded, %llu evicted; state ",
	                    h->st.hosts, h->o.max_hosts, (unsigned long long)h->st.recorded,
	                    (unsigned long long)h->st.evicted);
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
	set_str(g, "action", policy_action_name(e->last_action));
	config_setting_t *a = config_setting_add(g, "counts", CONFIG_TYPE_ARRAY);
	for (int i = 0; i < h->ncats; i++)
		config_setting_set_int64_elem(a, -1, e->cat_count[i]);
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
	for (int i = 0; i < h->o.days; i++) {
		if (!e->days[i].count)
			continue;
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
		h->dirty = false;
		h->st.saves++;
		h->st.last_save = now;
		return 0;
	}
	if (h->st.save_errors++ == 0)
		log_warn("hosts: cannot save %s: %s", h->o.state_file, strerror(errno));
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
		add_recent(h, e, (time_t)config_setting_get_int64_elem(r, 0), name,
		           add_name(h, e, name, eventlog_name_hash(name)),
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
	struct host *e = host_add(h, &na);
	if (!e)
		return false;
	e->first = first;
	e->last = last;
	e->total = (uint64_t)total;
	snprintf(e->hostname, sizeof e->hostname, "%s", hostname);
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
		e->cat_count[catmap[i]] += (uint32_t)config_setting_get_int64_elem(a, i);
	a = config_setting_get_member(g, "names");
	for (int i = 0; a && i < config_setting_length(a); i++) {
		const char *n = config_setting_get_string_elem(a, i);
		if (!n)
			return false;
		add_name(h, e, n, eventlog_name_hash(n));
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
		log_warn("hosts: %s:%d: corrupt state file (%s), moved to %s; starting with an "
		         "empty table",
		         h->o.state_file, config_error_line(&cfg),
		         config_error_text(&cfg) ? config_error_text(&cfg) : "bad content", aside);
		if (rename(h->o.state_file, aside) == -1)
			log_warn("hosts: rename %s: %s", aside, strerror(errno));
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
	h->o.state_file = confget_dup(o->state_file, &fail);
	h->o.leases_file = confget_dup(o->leases_file, &fail);
	h->o.odhcpd_file = confget_dup(o->odhcpd_file, &fail);
	h->leases = leases;
	h->elog = elog;
	for (h->maxbuckets = 16; h->maxbuckets < (unsigned)o->max_hosts; h->maxbuckets <<= 1)
		;
	h->nbuckets = 16;
	h->buckets = calloc(h->nbuckets, sizeof *h->buckets);
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
	if (h->buckets)
		clear(h);
	if (h->timer)
		event_free(h->timer);
	free(h->buckets);
	hosts_opts_free(&h->o);
	free(h);
}
