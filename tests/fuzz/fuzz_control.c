/* Fuzz harness for the control protocol (dnsd/control.c dispatch, and the
 * commands of ctlcmd.c and report.c: status, stats, flush-cache, reload,
 * hosts in every format, host KEY): the bytes are one request line, run
 * against a daemon's worth of subsystems whose host table holds a few hosts.
 * Every reply must start with "ok\n" or "error: ". */
#include <assert.h>
#include <event2/buffer.h>
#include <event2/event.h>

#include "cache.h"
#include "config.h"
#include "control.h"
#include "ctlcmd.h"
#include "forward.h"
#include "fuzz.h"
#include "hostlog.h"
#include "phase.h"
#include "query.h"

static struct control *fuzz_ctl;
static struct cache *fuzz_cache;
static struct forward *fuzz_fwd;
static struct query_ctx *fuzz_qc;
static struct listen *fuzz_listen;	/* none: the commands must cope */
static struct phase *fuzz_phase;
static struct hostlog *fuzz_hostlog;
static struct ctlcmd_src fuzz_src;

static int
fuzz_reload(void *arg, char *why, size_t whylen)
{
	(void)arg;
	(void)why;
	(void)whylen;
	return 0;
}

/* A few hosts asking blocked and logged names. */
static void
fuzz_control_hosts(const struct policy *pol)
{
	static const char *const clients[] = { "192.168.1.10", "192.168.1.11", "fd00::7" };
	static const char *const names[] = { "upd.kaspersky.com", "lic.kaspersky.com",
		"www.kaspersky.com", "portal.kaspersky.com" };
	struct policy_decision d;
	struct client_info ci;
	struct netaddr src;
	size_t c, n;

	for (c = 0; c < sizeof clients / sizeof clients[0]; c++) {
		netaddr_parse(&src, clients[c]);
		hostlog_identify(fuzz_hostlog, &src, NULL, 0, &ci);
		for (n = 0; n <= c + 1 && n < sizeof names / sizeof names[0]; n++) {
			struct policy_client who = { ci.addr, NULL };
			uint8_t wire[256];
			size_t len = 0;

			policy_decide_name_ex(pol, names[n], &who, 1727582400 + 86400, POLICY_NOW_TRUSTED,
			    &d);
			for (const char *l = names[n]; *l; l += strcspn(l, ".") + (l[strcspn(l, ".")] != 0)) {
				size_t k = strcspn(l, ".");

				wire[len++] = (uint8_t)k;
				memcpy(wire + len, l, k);
				len += k;
			}
			wire[len++] = 0;
			hostlog_record(fuzz_hostlog, &ci, wire, len, 1, &d);
		}
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct event_base *base = event_base_new();
	struct config *cfg;
	struct policy *pol;
	char err[CONFIG_ERR_MAX];
	struct cache_limits lim = { .max_entries = 64, .max_bytes = 1 << 20, .max_ttl = 86400,
		.servfail_ttl = 5 };

	(void)argc;
	(void)argv;
	if (base == NULL || (cfg = config_load(FUZZ_DIR "/fixture/dnsd.conf", err, sizeof err)) == NULL ||
	    (pol = policy_load(cfg->policy_file, err, sizeof err)) == NULL ||
	    (fuzz_hostlog = hostlog_new(cfg, base, err, sizeof err)) == NULL) {
		fprintf(stderr, "fuzz_control: %s\n", err);
		abort();
	}
	if ((fuzz_cache = cache_new(&lim)) == NULL || (fuzz_fwd = forward_new(base, cfg)) == NULL ||
	    (fuzz_phase = phase_new(base)) == NULL ||
	    (fuzz_qc = query_new(fuzz_cache, fuzz_fwd, fuzz_phase, cfg)) == NULL)
		abort();
	phase_set_policy(fuzz_phase, pol);
	phase_set_now(fuzz_phase, true, 1727582400 + 86400);
	fuzz_control_hosts(pol);
	/* The socket is bound but never served: requests go to dispatch. */
	if ((fuzz_ctl = control_new(base, fuzz_scratch_path("ctl.sock"), err, sizeof err)) ==
	    NULL) {
		fprintf(stderr, "fuzz_control: %s\n", err);
		abort();
	}
	fuzz_src = (struct ctlcmd_src){ .started = 1727582400, .cache = &fuzz_cache, .fwd = &fuzz_fwd,
		.qc = &fuzz_qc, .listen = &fuzz_listen, .phase = &fuzz_phase, .hl = &fuzz_hostlog,
		.reload = fuzz_reload };
	if (ctlcmd_register(fuzz_ctl, &fuzz_src) < 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[CONTROL_LINE_MAX + 1];
	struct evbuffer *out = evbuffer_new();
	char head[8] = "";

	if (out == NULL)
		abort();
	/* A connection hands over at most one line, without its newline. */
	if (size > CONTROL_LINE_MAX)
		size = CONTROL_LINE_MAX;
	memcpy(line, data, size);
	line[size] = '\0';
	line[strcspn(line, "\n")] = '\0';
	control_dispatch(fuzz_ctl, line, out);
	evbuffer_copyout(out, head, sizeof head - 1);
	assert(strncmp(head, "ok\n", 3) == 0 || strncmp(head, "error: ", 7) == 0);
	evbuffer_free(out);
	return 0;
}
