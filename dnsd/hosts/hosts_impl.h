/* Inside the host table, for its two files: hosts.c (the table, its
 * names and its LRU) and hoststate.c (the state file). Not for use outside
 * dnsd/hosts/. */
#ifndef DNSD_HOSTS_IMPL_H
#define DNSD_HOSTS_IMPL_H

#include <event2/event.h>

#include "hosts.h"

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

/* The table's operations that the state file replays on load; hosts.c
 * documents each. */
const char *hosts_name_ref(struct hosts *h, const char *name, uint32_t hash);
void hosts_name_unref(struct hosts *h, const char *text);
void hosts_add_name(struct hosts *h, struct host *e, const char *shared);
void hosts_add_recent(struct hosts *h, struct host *e, time_t t, const char *shared, uint16_t qtype,
                      int cat, enum policy_action action);
struct host **hosts_host_slot(const struct hosts *h, const struct netaddr *na);
struct host *hosts_host_add(struct hosts *h, const struct netaddr *na, time_t now);
void hosts_set_hostname(struct hosts *h, struct host *e, const char *name);
void hosts_add_cat(struct hosts *h, struct host *e, int cat, uint32_t n);
void hosts_add_day(struct hosts *h, struct host *e, int32_t day, uint32_t n);
int32_t hosts_day_of(time_t t);
int hosts_category_index(struct hosts *h, const char *name);
void hosts_host_remove(struct hosts *h, struct host *e);
void hosts_clear(struct hosts *h);

#endif
