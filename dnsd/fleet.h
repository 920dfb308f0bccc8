/* One list of machines from the host tables of several dnsd instances (each
 * a site's `dnsdctl hosts --json` export): a host is keyed by its MAC where
 * known, else by hostname and address, else by address within its site;
 * each merged host has the sites it was seen at, its addresses, first and
 * last seen across sites, summed counts per category, the union of names
 * asked, and the last action of its latest record. Output as text, JSON or
 * a self-contained HTML page; times in UTC (sites may be in different zones). */
#ifndef DNSD_FLEET_H
#define DNSD_FLEET_H

#include <event2/buffer.h>
#include <stddef.h>

#include "hosts/hostlog.h" /* enum hostreport_format */

#define FLEET_MAX_SITES 64
#define FLEET_MAX_HOSTS 100000 /* merged hosts */
#define FLEET_SITELEN 64

struct fleet;

/* NULL when out of memory. */
struct fleet *fleet_new(void);
void fleet_free(struct fleet *f);

/* Merge one site's export (json[0..len), borrowed). site: 1-63 of
 * [A-Za-z0-9._-], not already added. All or nothing: 0, or -1 with
 * "line N: what" (or a message about the site) in err and f unchanged. */
int fleet_add(struct fleet *f, const char *site, const char *json, size_t len, char *err,
              size_t errlen);

/* The merged table, most recently seen first; HOSTREPORT_CSV is not offered
 * (-1). */
int fleet_report(const struct fleet *f, enum hostreport_format fmt, struct evbuffer *out);

#endif
