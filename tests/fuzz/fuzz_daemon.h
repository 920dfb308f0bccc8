/* A daemon's worth of subsystems for the harnesses that drive what the
 * control socket and the HTTP server read (fuzz_control, fuzz_http): the
 * fixture config and policy, a cache, forwarder, query context and phase,
 * and a host table holding a few hosts that asked blocked and logged
 * names. Include after fuzz.h. */
#ifndef DNSD_FUZZ_DAEMON_H
#define DNSD_FUZZ_DAEMON_H

#include <event2/event.h>

#include "cache.h"
#include "config.h"
#include "ctlcmd.h"
#include "forward.h"
#include "hosts/hostlog.h"
#include "livepolicy.h"
#include "query.h"

#define FUZZ_DAEMON_NOW (1727582400 + 86400)

static struct {
	struct event_base *base;
	struct config *cfg;
	struct cache *cache;
	struct forward *fwd;
	struct query_ctx *qc;
	struct listen *listen; /* none: the readers must cope */
	struct livepolicy *phase;
	struct hostlog *hl;
	struct ctlcmd_src src;
} fuzz_daemon;

static int
fuzz_daemon_reload(void *arg, char *why, size_t whylen)
{
	(void)arg;
	(void)why;
	(void)whylen;
	return 0;
}

/* A few hosts asking blocked and logged names. */
static void
fuzz_daemon_hosts(const struct policy *pol)
{
	static const char *const clients[] = {"192.168.1.10", "192.168.1.11", "fd00::7"};
	static const char *const names[] = {"upd.kaspersky.com", "lic.kaspersky.com",
	                                    "www.kaspersky.com", "portal.kaspersky.com"};
	struct policy_decision d;
	struct client ci;
	struct netaddr src;
	size_t c, n;

	for (c = 0; c < sizeof clients / sizeof clients[0]; c++) {
		netaddr_parse(&src, clients[c]);
		hostlog_identify(fuzz_daemon.hl, &src, NULL, &ci);
		for (n = 0; n <= c + 1 && n < sizeof names / sizeof names[0]; n++) {
			uint8_t wire[256];
			size_t len = 0;

			policy_decide_name_ex(pol, names[n], &ci, FUZZ_DAEMON_NOW,
			                      POLICY_NOW_TRUSTED, &d);
			for (const char *l = names[n]; *l;
			     l += strcspn(l, ".") + (l[strcspn(l, ".")] != 0)) {
				size_t k = strcspn(l, ".");

				wire[len++] = (uint8_t)k;
				memcpy(wire + len, l, k);
				len += k;
			}
			wire[len++] = 0;
			hostlog_record(fuzz_daemon.hl, &ci, wire, len, 1, &d);
		}
	}
}

/* Set everything up (aborts on failure); name prefixes the messages. */
static void
fuzz_daemon_start(const char *name)
{
	struct policy *pol;
	char err[CONFIG_ERR_MAX];
	struct cache_limits lim = {
	    .max_entries = 64, .max_bytes = 1 << 20, .max_ttl = 86400, .servfail_ttl = 5};

	if ((fuzz_daemon.base = event_base_new()) == NULL ||
	    (fuzz_daemon.cfg = config_load(FUZZ_DIR "/fixture/dnsd.conf", err, sizeof err)) ==
	        NULL ||
	    (pol = policy_load(fuzz_daemon.cfg->policy_file, err, sizeof err)) == NULL ||
	    (fuzz_daemon.hl = hostlog_new(fuzz_daemon.cfg, fuzz_daemon.base, err, sizeof err)) ==
	        NULL) {
		fprintf(stderr, "%s: %s\n", name, err);
		abort();
	}
	if ((fuzz_daemon.cache = cache_new(&lim)) == NULL ||
	    (fuzz_daemon.fwd = forward_new(fuzz_daemon.base, fuzz_daemon.cfg)) == NULL ||
	    (fuzz_daemon.phase = livepolicy_new(fuzz_daemon.base)) == NULL ||
	    (fuzz_daemon.qc = query_new(fuzz_daemon.cache, forward_forwarder(fuzz_daemon.fwd),
	                                fuzz_daemon.phase, fuzz_daemon.cfg)) == NULL)
		abort();
	livepolicy_set_policy(fuzz_daemon.phase, pol);
	livepolicy_set_now(fuzz_daemon.phase, true, FUZZ_DAEMON_NOW);
	fuzz_daemon_hosts(pol);
	fuzz_daemon.src = (struct ctlcmd_src){.started = 1727582400,
	                                      .cache = &fuzz_daemon.cache,
	                                      .fwd = &fuzz_daemon.fwd,
	                                      .qc = &fuzz_daemon.qc,
	                                      .listen = &fuzz_daemon.listen,
	                                      .phase = &fuzz_daemon.phase,
	                                      .hl = &fuzz_daemon.hl,
	                                      .reload = fuzz_daemon_reload};
}

#endif
