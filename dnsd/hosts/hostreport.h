/* The host table as people and programs read it: an 80-column text table,
 * one host's detail, JSON, CSV, and a self-contained HTML page with an
 * inline SVG chart of attempts per host per day (no scripts, no external
 * assets). Output is appended to an evbuffer owned by the caller. */
#ifndef DNSD_HOSTREPORT_H
#define DNSD_HOSTREPORT_H

#include <event2/buffer.h>
#include <stdbool.h>
#include <time.h>

#include "control.h"
#include "hosts.h"

enum hostreport_format { HOSTREPORT_TEXT, HOSTREPORT_JSON, HOSTREPORT_CSV, HOSTREPORT_HTML };

/* "text", "json", "csv", "html" -> format; -1 when unknown. */
int hostreport_format_parse(const char *s);
/* The table; with all (and always in HTML) also the hosts that left it,
 * from the archive. -1 (a message in out) when the archive cannot be read. */
int hostreport_hosts(const struct hosts *h, enum hostreport_format f, bool all, time_t now,
                     struct evbuffer *out);
/* One host by IP, MAC or hostname; -1 when there is none. */
int hostreport_host(const struct hosts *h, const char *key, struct evbuffer *out);
/* The same host as one JSON object (the objects of "hosts json"). */
int hostreport_host_json(const struct hosts *h, const char *key, struct evbuffer *out);

/* Pieces the live pages (http_pages.c) share with these reports: local
 * time by strftime fmt, "-" for 0 (returns buf); "update 12, licensing 3"
 * with kv between name and count and sep between pairs (truncated to len;
 * returns buf). */
const char *hostreport_time(time_t t, char buf[32], const char *fmt);
const char *hostreport_category_counts(const struct hosts *h, const struct host *e, char *buf,
                                       size_t len, const char *kv, const char *sep);

/* Register "hosts [text|json|csv|html] [all]" and "host KEY" on c; h is
 * borrowed for the life of c. -1 when c has no room. */
int hostreport_register(struct control *c, struct hosts *h);

#endif
