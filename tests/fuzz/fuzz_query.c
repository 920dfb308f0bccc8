/* Fuzz harness for the query path (dnsd/query.c, msg.c, synth.c, the policy
 * decision and its synthesised answers, the per-host records with EDNS client
 * options, the cache hit path): the first byte picks the client (allowed or
 * not, IPv4 or IPv6; 127.0.0.1 is a trusted forwarder), the rest is the
 * packet it sends over UDP. The policy (fixture/policy.conf) blocks names
 * under kaspersky.com with every action; the cache holds a few answers, one a CNAME into a blocked
 * name. A miss goes to an upstream on 127.0.0.1 port 9 where nothing
 * listens; the pipeline is torn down after each input. Every answer must
 * carry the query's ID, be well framed and fit 64 KiB; a client outside the
 * allowed networks gets nothing larger than what it sent. */
#include <arpa/inet.h>
#include <assert.h>
#include <event2/event.h>

#include "access.h"
#include "cache.h"
#include "config.h"
#include "forward.h"
#include "fuzz.h"
#include "fuzz_dns.h"
#include "hosts/hostlog.h"
#include "ifaddr.h"
#include "livepolicy.h"
#include "query.h"

#define FUZZ_TXT250                                                                                \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"                             \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"                             \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"                             \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"                             \
	"xxxxxxxxxx"

static struct event_base *fuzz_base;
static struct config *fuzz_cfg;
static struct cache *fuzz_cache;
static struct livepolicy *fuzz_phase;
static struct hostlog *fuzz_hostlog;
static struct access *fuzz_access; /* the fixture's allow list, no local_service */
static struct request fuzz_clients[4];
static uint8_t fuzz_out[65535 + 2];

/* Late answers (none come: the upstream is dead and torn down first). */
static void
fuzz_reply_send(void *ctx, const uint8_t *msg, size_t len)
{
	(void)ctx;
	(void)msg;
	(void)len;
}

static void *
fuzz_reply_hold(void *ctx)
{
	return ctx;
}

static void
fuzz_reply_release(void *ctx)
{
	(void)ctx;
}

static const struct reply_ops fuzz_reply_ops = {fuzz_reply_send, fuzz_reply_hold,
                                                fuzz_reply_release};

static void
fuzz_client(struct request *rq, const char *addr)
{
	memset(rq, 0, sizeof *rq);
	if (netaddr_parse(&rq->src, addr) != 0)
		abort();
	rq->reply = (struct reply){&fuzz_reply_ops, rq};
}

/* An answer in the cache for name/type, as the DO bit of the key says. */
static void
fuzz_cache_fill(const char *name, ldns_rr_type type, bool do_bit, ldns_pkt_rcode rcode,
                const char *const *answer, const char *const *authority)
{
	struct msg_query q;
	uint8_t wire[4096];
	size_t len;
	struct cache_entry *e;

	fuzz_dns_msg_query(&q, name, type, 1, do_bit ? 1232 : 0, do_bit);
	len = fuzz_dns_answer(wire, sizeof wire, &q, rcode, answer, authority);
	if ((e = cache_entry_new(cache_get_limits(fuzz_cache), q.key, q.key_len, wire, len, 0)) ==
	    NULL)
		abort();
	cache_insert(fuzz_cache, e);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const a[] = {"www.example.com. 3600 IN A 192.0.2.1",
	                                "www.example.com. 3600 IN A 192.0.2.2", NULL};
	static const char *const cname[] = {"alias.example.com. 3600 IN CNAME upd.kaspersky.com.",
	                                    "upd.kaspersky.com. 3600 IN A 192.0.2.1", NULL};
	static const char *const soa[] = {"example.com. 3600 IN SOA ns.example.com. "
	                                  "hostmaster.example.com. 1 3600 600 86400 300",
	                                  NULL};
	static const char *const txt[] = {
	    "big.example.com. 3600 IN TXT \"" FUZZ_TXT250 "\" \"" FUZZ_TXT250 "\"",
	    "big.example.com. 3600 IN TXT \"" FUZZ_TXT250 "\" \"" FUZZ_TXT250 "\" \"x\"", NULL};
	struct cache_limits lim = {
	    .max_entries = 64, .max_bytes = 1 << 20, .max_ttl = 86400, .servfail_ttl = 5};
	char err[CONFIG_ERR_MAX];
	struct policy *pol;

	(void)argc;
	(void)argv;
	if ((fuzz_base = event_base_new()) == NULL || (fuzz_cache = cache_new(&lim)) == NULL ||
	    (fuzz_phase = livepolicy_new(fuzz_base)) == NULL)
		abort();
	fuzz_cfg = config_load(FUZZ_DIR "/fixture/dnsd.conf", err, sizeof err);
	pol = fuzz_cfg ? policy_load(fuzz_cfg->policy_file, err, sizeof err) : NULL;
	if (fuzz_cfg == NULL || pol == NULL ||
	    (fuzz_hostlog = hostlog_new(fuzz_cfg, fuzz_base, err, sizeof err)) == NULL) {
		fprintf(stderr, "fuzz_query: %s\n", err);
		abort();
	}
	if ((fuzz_access = access_new(ifaddr_new(), fuzz_cfg)) == NULL)
		abort();
	/* A week after the cutoff: no boundary ahead, every decision fixed. */
	livepolicy_set_policy(fuzz_phase, pol);
	livepolicy_set_now(fuzz_phase, true, 1727582400 + 7 * 86400);
	fuzz_cache_fill("www.example.com.", LDNS_RR_TYPE_A, false, LDNS_RCODE_NOERROR, a, NULL);
	fuzz_cache_fill("www.example.com.", LDNS_RR_TYPE_A, true, LDNS_RCODE_NOERROR, a, NULL);
	fuzz_cache_fill("alias.example.com.", LDNS_RR_TYPE_A, false, LDNS_RCODE_NOERROR, cname,
	                NULL);
	fuzz_cache_fill("nx.example.com.", LDNS_RR_TYPE_AAAA, false, LDNS_RCODE_NXDOMAIN, NULL,
	                soa);
	fuzz_cache_fill("www.example.com.", LDNS_RR_TYPE_MX, false, LDNS_RCODE_NOERROR, NULL, soa);
	fuzz_cache_fill("big.example.com.", LDNS_RR_TYPE_TXT, false, LDNS_RCODE_NOERROR, txt, NULL);
	fuzz_client(&fuzz_clients[0], "127.0.0.1");
	fuzz_client(&fuzz_clients[1], "203.0.113.9");
	fuzz_client(&fuzz_clients[2], "::1");
	fuzz_client(&fuzz_clients[3], "2001:db8::9");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request *cl;
	struct forward *fwd;
	struct query_ctx *qc;
	size_t n;

	if (size < 1)
		return 0;
	cl = &fuzz_clients[data[0] % 4];
	data++, size--;
	if ((fwd = forward_new(fuzz_base, fuzz_cfg)) == NULL ||
	    (qc = query_new(fuzz_cache, forward_forwarder(fwd), fuzz_phase, fuzz_cfg)) == NULL)
		abort();
	query_set_hostlog(qc, fuzz_hostlog);
	query_set_access(qc, fuzz_access);
	cl->pkt = data;
	cl->len = size;
	n = query_handle(qc, cl, fuzz_out, sizeof fuzz_out);
	if (n > 0) {
		assert(n >= MSG_HDR_LEN && n <= 65535);
		assert(size >= 2 && memcmp(fuzz_out, data, 2) == 0);
		assert(LDNS_QR_WIRE(fuzz_out));
		assert(fuzz_well_framed(fuzz_out, n));
		/* Outside the allowed networks: no amplification. */
		if (cl == &fuzz_clients[1] || cl == &fuzz_clients[3])
			assert(n <= size && LDNS_RCODE_WIRE(fuzz_out) == LDNS_RCODE_REFUSED);
	}
	/* Upstream queries first: their callbacks point at pending questions. */
	forward_free(fwd);
	query_free(qc);
	return 0;
}
