/* The event log: one JSON object per line for each query that hit a policy
 * category, to a file (size-rotated), syslog(3), per-host files and a remote
 * RFC 5424 collector (UDP or TCP). The first attempt of a (host, name) pair
 * is written at once; repeats are folded into one "summary" line per pair at
 * most every fold interval. A sink that fails never stops DNS: the record
 * is dropped, counted per sink and reported in the daemon's log (the first
 * drop of a burst at once, then one line per sink a minute at most). With
 * no sink configured an attempt is only counted. Fields: docs/logs.md. */
#ifndef DNSD_EVENTLOG_H
#define DNSD_EVENTLOG_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "eventlog_opts.h"
#include "netaddr.h"
#include "policy.h"

struct eventlog;

/* One attempt; every pointer is borrowed for the call. */
struct eventlog_event {
	time_t time;
	struct netaddr addr;
	const uint8_t *mac;   /* NULL when unknown */
	const char *hostname; /* NULL when unknown */
	const char *name;     /* presentation format */
	uint32_t name_hash;   /* hash_name(hash_seed(), name), or 0: computed here */
	uint16_t qtype;
	const char *category;
	const char *phase; /* NULL when no phase is in force */
	enum policy_action action;
};

/* Where a record can be dropped: eventlog_stats.dropped_by's index. */
enum eventlog_sink {
	EVENTLOG_SINK_FILE,
	EVENTLOG_SINK_HOSTDIR,
	EVENTLOG_SINK_REMOTE,
	EVENTLOG_SINK_MEMORY, /* no memory to keep the (host, name) pair */
	EVENTLOG_SINKS
};

struct eventlog_stats {
	uint64_t attempts; /* events recorded */
	uint64_t lines;    /* lines produced (attempts + summaries) */
	uint64_t folded;   /* repeats folded into summaries */
	uint64_t dropped;  /* lines a configured sink could not take */
	uint64_t dropped_by[EVENTLOG_SINKS];
	uint64_t rotations;
	bool file_ok;   /* the last write to the file worked */
	bool remote_ok; /* the last send to the remote collector worked */
	int pairs;
};

/* The defaults of every setting, and freeing o's strings (defined with the config reader,
 * dnsd/config_subsys.c). */
void eventlog_opts_defaults(struct eventlog_opts *o);
void eventlog_opts_free(struct eventlog_opts *o);

/* o is copied. base is borrowed; with a base, a timer writes due summaries
 * and TCP remote logging works; without one (tests) call eventlog_tick.
 * Returns NULL only when out of memory; unwritable paths are not fatal. */
struct eventlog *eventlog_new(const struct eventlog_opts *o, struct event_base *base);
/* Writes the pending summaries first. */
void eventlog_free(struct eventlog *el);

void eventlog_record(struct eventlog *el, const struct eventlog_event *ev);
/* Write the summaries due at now. */
void eventlog_tick(struct eventlog *el, time_t now);
/* Write every pending summary now (exit, reload). */
void eventlog_flush(struct eventlog *el, time_t now);
void eventlog_get_stats(const struct eventlog *el, struct eventlog_stats *s);
/* "A", "AAAA", ... or "TYPE65400"; buf holds at least 16 bytes. */
const char *eventlog_type_name(uint16_t qtype, char *buf);
/* One "log: ..." line of health and counters for status. */
void eventlog_status(const struct eventlog *el, struct evbuffer *out);

#endif
