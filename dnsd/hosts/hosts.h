/* The per-host table: for every LAN host that asked a policy category name,
 * who it is (IP, MAC, DHCP hostname), when (first/last seen, per-day counts),
 * how often (total and per category), what (distinct names, a ring of recent
 * attempts) and the last action. Compact: a name is kept once for all hosts,
 * and each host's lists grow with what it asked (about 300 bytes for a host
 * that asked one name). At most max_hosts hosts and, when set, max_bytes:
 * the least recently seen goes to the archive (hostarch.h), counted and
 * logged (rate-limited). Saved atomically (temp file + rename) every
 * save_interval and on exit, loaded at start; a corrupt file is moved aside
 * to FILE.corrupt. */
#ifndef DNSD_HOSTS_H
#define DNSD_HOSTS_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

#include "clientid.h"
#include "eventlog.h"
#include "leases.h"
#include "policy.h"

#define HOSTS_MAX_CATS 16 /* distinct categories; more are counted as "other" */
#define HOSTS_CATLEN 32
#define HOSTS_MAX_DAYS 366
#define HOSTS_ARCHIVE_MAX (1LL << 40) /* archive_max_size's upper bound */

struct hosts;

struct hosts_opts {
	int max_hosts;
	long long max_bytes;           /* table memory bound; 0: max_hosts alone */
	char *archive;                 /* evicted hosts; NULL: STATE_FILE.archive or none */
	long long archive_max_size;    /* bytes, then rotated to .1 (one kept) */
	int max_names;                 /* distinct names kept per host */
	int recent;                    /* recent attempts kept per host */
	int days;                      /* per-day counters kept per host */
	char *state_file;              /* NULL: the table is not saved */
	int save_interval;             /* seconds */
	char *leases_file;             /* dnsmasq leases; NULL: none */
	char *odhcpd_file;             /* odhcpd hosts file; NULL: none */
	int neigh_ttl;                 /* seconds a neighbour-table snapshot is reused */
	struct clientid_opts clientid; /* trusted forwarders */
};

struct host_attempt {
	time_t time;
	const char *name; /* owned by the table (shared by every host that asked it) */
	uint16_t qtype;
	uint8_t cat;    /* index into hosts_category() */
	uint8_t action; /* enum policy_action */
};

struct host_day {
	int32_t day; /* days since 1970-01-01 UTC */
	uint32_t count;
};

struct host_cat {
	uint32_t cat; /* index into hosts_category() */
	uint32_t count;
};

/* Read-only for everyone but hosts.c; valid until the next hosts_* call
 * that records, loads or evicts. */
struct host {
	TAILQ_ENTRY(host) lru; /* most recently seen first */
	struct host *hnext;
	struct netaddr addr;
	uint8_t mac[6];
	bool has_mac;
	uint8_t last_action;  /* enum policy_action */
	const char *hostname; /* "" when unknown */
	time_t first, last;
	uint64_t total;
	struct host_cat *cats;     /* the categories it asked, ncats of them */
	const char **names;        /* the distinct names, shared; grown up to max_names */
	struct host_attempt *ring; /* grown up to recent; then ring[(ring_head - 1 - i)
	                              mod recent] is the i-th newest */
	struct host_day *days;     /* oldest first, grown up to days */
	uint16_t ncats, cats_cap, nnames, names_cap, ring_head, ring_n, ring_cap, ndays, days_cap;
	unsigned lease_gen; /* leases_generation when hostname/MAC were last read */
};
TAILQ_HEAD(host_list, host);

struct hosts_stats {
	int hosts;
	long long bytes; /* what the table holds (allocations plus their overhead) */
	uint64_t recorded, evicted, saves, save_errors;
	uint64_t archived, archive_errors; /* evicted hosts written to / lost from the archive */
	time_t last_save;                  /* 0: never */
	bool loaded_corrupt;               /* the state file was moved aside at start */
	/* attempts recorded since start, by category index and action */
	uint64_t by_action[HOSTS_MAX_CATS][POLICY_SINKHOLE + 1];
};

/* The defaults of every setting, and freeing o's strings (defined with the config reader,
 * dnsd/config_subsys.c). */
void hosts_opts_defaults(struct hosts_opts *o);
void hosts_opts_free(struct hosts_opts *o);

/* o is copied. base (timer for the periodic save), leases and elog are
 * borrowed and may be NULL. Loads the state file. NULL when out of memory. */
struct hosts *hosts_new(const struct hosts_opts *o, struct event_base *base, struct leases *leases,
                        struct eventlog *elog);
/* Replace the borrowed lease reader and event log (reload). */
void hosts_set_sinks(struct hosts *h, struct leases *leases, struct eventlog *elog);
/* Does not save: call hosts_save first when wanted. */
void hosts_free(struct hosts *h);

/* Count one query whose policy decision has a category and hand it to the
 * event log. qname in presentation format. */
void hosts_record(struct hosts *h, const struct client *ci, const char *qname, uint16_t qtype,
                  const struct policy_decision *d, time_t now);

/* Save now (when changed since the last save). 0 or -1 (counted). */
int hosts_save(struct hosts *h, time_t now);
/* Replace the table with the state file's; a corrupt file is moved aside
 * and leaves the table empty. 0 loaded or absent, -1 corrupt. */
int hosts_load(struct hosts *h);

/* Most recently seen first. */
const struct host_list *hosts_list(const struct hosts *h);
/* A host by IP, MAC or hostname (case-insensitive); NULL when none. */
const struct host *hosts_find(const struct hosts *h, const char *key);
const char *hosts_category(const struct hosts *h, int i); /* NULL past the end */
const struct hosts_opts *hosts_options(const struct hosts *h);
void hosts_get_stats(const struct hosts *h, struct hosts_stats *s);
/* One "hosts: ..." line of counters and state-file health for status. */
void hosts_status(const struct hosts *h, time_t now, struct evbuffer *out);

/* The i-th newest attempt of a host, NULL past the end. */
const struct host_attempt *host_recent(const struct hosts *h, const struct host *e, int i);
/* Attempts on day (days since the epoch), 0 when not kept. */
uint32_t host_day_count(const struct hosts *h, const struct host *e, int32_t day);
/* Attempts in category i (hosts_category), 0 when none. */
uint32_t host_cat_count(const struct host *e, int i);

#endif
