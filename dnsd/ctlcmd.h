/* The daemon's control commands: status, stats, reload, flush-cache (and,
 * through hostlog, hosts and host). They read the subsystems through
 * pointers to main's own fields, so a reload that swaps a subsystem is seen
 * by the next command. */
#ifndef DNSD_CTLCMD_H
#define DNSD_CTLCMD_H

#include <time.h>

#include "cache.h"
#include "control.h"
#include "forward.h"
#include "hosts/hostlog.h"
#include "listen.h"
#include "livepolicy.h"
#include "query.h"

/* Every pointer is borrowed from main and must outlive the control socket;
 * the pointed-to pointers may be NULL (subsystem absent). */
struct ctlcmd_src {
	time_t started; /* wall clock at start */
	struct cache *const *cache;
	struct forward *const *fwd;
	struct query_ctx *const *qc;
	struct listen *const *listen;
	struct livepolicy *const *phase;
	struct hostlog *const *hl;
	/* What SIGHUP does; -1 when the files were refused, with the
	 * reasons in why (lines). */
	int (*reload)(void *arg, char *why, size_t whylen);
	void *reload_arg;
};

/* What "status json" (and the HTTP server's /api/status) writes: uptime,
 * the policy (phase in force, next boundary, clock, timeline), the cache,
 * the upstreams (state, mean RTT), the host table and the event log, as
 * one JSON object and a newline. */
void ctlcmd_status_json(const struct ctlcmd_src *s, struct evbuffer *out);
/* The policy timeline as dnsd-policy --timeline prints it; the caller
 * frees. NULL when out of memory. */
char *ctlcmd_timeline(const struct policy *p);

/* Register the commands on c; src is borrowed for the life of c. -1 when
 * c has no room. */
int ctlcmd_register(struct control *c, const struct ctlcmd_src *src);

#endif
