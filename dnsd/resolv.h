/* resolv_conf: the nameservers of a resolv.conf as dnsd's upstreams. Read at
 * start, on reload and whenever the file changes (stat looked at once a
 * second, as dnsmasq does); handed to forward with forward_set_upstreams.
 * A file naming only systemd-resolved's stub (127.0.0.53) stands for
 * /run/systemd/resolve/resolv.conf, the resolvers behind it.
 * A missing or empty file is no error: until a nameserver appears, queries
 * dnsd cannot answer from its cache or policy get SERVFAIL at once. */
#ifndef DNSD_RESOLV_H
#define DNSD_RESOLV_H

#include <stddef.h>

#include "config.h"

struct event_base;
struct forward;
struct ifaddr_table;

/* The nameserver lines of resolv.conf text (port 53; "ADDR#PORT" and
 * "ADDR@PORT" also) into out, at most max; other lines and bad addresses
 * are skipped. Returns how many. */
int resolv_parse(const char *text, size_t len, struct config_addr *out, int max);

struct resolv;
/* fwd and ifa are borrowed and must outlive it. Caller frees. */
struct resolv *resolv_new(struct event_base *base, struct forward *fwd, struct ifaddr_table *ifa);
/* Take a (re)loaded config (borrowed until the next call): read its
 * resolv_conf now and watch it; nothing when it lists upstreams. 0 or -1
 * (the timer could not start). */
int resolv_configure(struct resolv *r, const struct config *c);
void resolv_free(struct resolv *r);

#endif
