/* Unit tests for the query pipeline (dnsd/query.c) alone: queries go in as
 * request_handler calls, against a fake forwarder (records each upstream
 * query; the test answers it) and a fake reply sink (records late answers,
 * holds and releases). The real cache, policy, access list and host table
 * are behind it, loaded from a config and policy written here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testdir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <ldns/ldns.h>

#include "access.h"
#include "cache.h"
#include "config.h"
#include "forward.h"
#include "hosts/hostlog.h"
#include "ifaddr.h"
#include "livepolicy.h"
#include "query.h"

#define NOW (1727582400 + 7 * 86400) /* a week after the policy's phase starts */
#define MAX_ASKED 8

/* The fake forwarder: what it was asked, and the callbacks to answer. */
struct fake_forward {
	int asked;
	struct msg_query q[MAX_ASKED];
	forward_done_cb done[MAX_ASKED];
	void *arg[MAX_ASKED];
};

/* The fake reply sink: late answers and the hold count of its client. */
struct fake_sink {
	int sent, held;
	uint8_t msg[4096];
	size_t len;
};

struct fixture {
	char dir[64];
	struct event_base *base;
	struct config *cfg;
	struct cache *cache;
	struct livepolicy *phase;
	struct ifaddr_table *ifa;
	struct access *acc;
	struct hostlog *hl;
	struct fake_forward fwd;
	struct query_ctx *qc;
	uint8_t out[65537];
};

static int
fake_forward_query(void *ctx, const struct msg_query *q, forward_done_cb done, void *arg)
{
	struct fake_forward *f = ctx;
	if (f->asked == MAX_ASKED)
		return -1;
	f->q[f->asked] = *q;
	f->done[f->asked] = done;
	f->arg[f->asked++] = arg;
	return 0;
}

static bool
fake_forward_loop_seen(void *ctx, const struct msg_query *q, const struct netaddr *from)
{
	(void)ctx;
	(void)q;
	(void)from;
	return false;
}

static void
fake_sink_send(void *ctx, const uint8_t *msg, size_t len)
{
	struct fake_sink *s = ctx;
	assert_true(len <= sizeof s->msg);
	memcpy(s->msg, msg, len);
	s->len = len;
	s->sent++;
}

static void *
fake_sink_hold(void *ctx)
{
	((struct fake_sink *)ctx)->held++;
	return ctx;
}

static void
fake_sink_release(void *ctx)
{
	((struct fake_sink *)ctx)->held--;
}

static const struct reply_ops fake_sink_ops = {fake_sink_send, fake_sink_hold, fake_sink_release};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	char path[128], text[1024], err[CONFIG_ERR_MAX];
	if (!fx || testdir_make(fx->dir, sizeof fx->dir, "test_query") == -1)
		return -1;
	snprintf(path, sizeof path, "%s/policy.conf", fx->dir);
	if (testdir_write(
	        path, "timezone = \"UTC\";\n"
	              "categories = { update = ( \"upd.kaspersky.com\" );\n"
	              "               ksn = ( \"ds.kaspersky.com\" ); };\n"
	              "phases = ( { name = \"cutoff\"; start = \"2024-09-29\"; others = \"log\";\n"
	              "             actions = { update = \"nxdomain\"; }; } );\n"
	              "clients = ( { name = \"exempt\"; addresses = ( \"127.0.0.9\" );\n"
	              "              exempt = true; } );\n") == -1)
		return -1;
	snprintf(text, sizeof text,
	         "listen = [ \"127.0.0.1@5353\" ];\nupstreams = [ \"127.0.0.1@9\" ];\n"
	         "allow = [ \"127.0.0.0/8\" ];\nlocal_service = false;\n"
	         "forward = { max_waiters = 4; };\npolicy = { file = \"%s\"; };\n"
	         "hosts = { trusted_forwarders = [ \"127.0.0.1\" ]; };\n",
	         path);
	snprintf(path, sizeof path, "%s/dnsd.conf", fx->dir);
	if (testdir_write(path, text) == -1)
		return -1;
	struct cache_limits lim = {
	    .max_entries = 64, .max_bytes = 1 << 20, .max_ttl = 86400, .servfail_ttl = 5};
	struct policy *pol;
	if ((fx->cfg = config_load(path, err, sizeof err)) == NULL ||
	    (pol = policy_load(fx->cfg->policy_file, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s", err);
		return -1;
	}
	if ((fx->base = event_base_new()) == NULL || (fx->cache = cache_new(&lim)) == NULL ||
	    (fx->phase = livepolicy_new(fx->base)) == NULL || (fx->ifa = ifaddr_new()) == NULL ||
	    (fx->acc = access_new(fx->ifa, fx->cfg)) == NULL ||
	    (fx->hl = hostlog_new(fx->cfg, fx->base, err, sizeof err)) == NULL)
		return -1;
	livepolicy_set_policy(fx->phase, pol);
	livepolicy_set_now(fx->phase, true, NOW);
	struct forwarder up = {fake_forward_query, fake_forward_loop_seen, &fx->fwd};
	if ((fx->qc = query_new(fx->cache, up, fx->phase, fx->cfg)) == NULL)
		return -1;
	query_set_access(fx->qc, fx->acc);
	query_set_hostlog(fx->qc, fx->hl);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	query_free(fx->qc);
	hostlog_free(fx->hl);
	access_free(fx->acc);
	ifaddr_free(fx->ifa);
	livepolicy_free(fx->phase);
	cache_free(fx->cache);
	config_free(fx->cfg);
	event_base_free(fx->base);
	testdir_remove(fx->dir);
	free(fx);
	return 0;
}

/* A query in wire format: id, name, type, class, and an OPT carrying the
 * options opt (optlen bytes, code-length-data as on the wire) when edns. */
static size_t
wire_query(uint8_t *buf, uint16_t id, const char *name, uint16_t qtype, uint16_t qclass, bool edns,
           const uint8_t *opt, size_t optlen)
{
	ldns_rdf *dname = ldns_dname_new_frm_str(name);
	assert_non_null(dname);
	size_t n = 0, dl = ldns_rdf_size(dname);
	ldns_write_uint16(buf, id);
	ldns_write_uint16(buf + 2, 0x0100); /* RD */
	ldns_write_uint16(buf + 4, 1);
	memset(buf + 6, 0, 6);
	buf[11] = edns;
	n = 12;
	memcpy(buf + n, ldns_rdf_data(dname), dl);
	n += dl;
	ldns_rdf_deep_free(dname);
	ldns_write_uint16(buf + n, qtype);
	ldns_write_uint16(buf + n + 2, qclass);
	n += 4;
	if (edns) {
		buf[n++] = 0; /* root */
		ldns_write_uint16(buf + n, LDNS_RR_TYPE_OPT);
		ldns_write_uint16(buf + n + 2, 1232);
		memset(buf + n + 4, 0, 4);
		ldns_write_uint16(buf + n + 8, (uint16_t)optlen);
		n += 10;
		memcpy(buf + n, opt, optlen);
		n += optlen;
	}
	return n;
}

/* Hand the query to the pipeline as listen would, from src; the sink gets
 * late answers. Returns the immediate answer's length. */
static size_t
ask(struct fixture *fx, struct fake_sink *sink, const char *src, const uint8_t *pkt, size_t len)
{
	struct request rq = {.pkt = pkt, .len = len, .reply = {&fake_sink_ops, sink}};
	assert_int_equal(netaddr_parse(&rq.src, src), 0);
	return query_handle(fx->qc, &rq, fx->out, sizeof fx->out);
}

/* The fake upstream answers its i-th query with an A record for it. */
static void
upstream_answers(struct fixture *fx, int i, const char *rr)
{
	const struct msg_query *q = &fx->fwd.q[i];
	ldns_rdf *name = NULL;
	assert_int_equal(ldns_wire2dname(&name, q->qname, q->qname_len, &(size_t){0}),
	                 LDNS_STATUS_OK);
	ldns_pkt *p = ldns_pkt_query_new(name, q->qtype, q->qclass, LDNS_RD | LDNS_QR | LDNS_RA);
	ldns_rr *a = NULL;
	assert_int_equal(ldns_rr_new_frm_str(&a, rr, 0, NULL, NULL), LDNS_STATUS_OK);
	ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, a);
	fx->fwd.done[i](p, fx->fwd.arg[i]);
	ldns_pkt_free(p);
}

static ldns_pkt *
parse_answer(const uint8_t *msg, size_t len)
{
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, msg, len), LDNS_STATUS_OK);
	assert_true(ldns_pkt_qr(p));
	return p;
}

/* Ask name/qtype/qclass (no EDNS) from src: the answer must come at once.
 * Returns its rcode; *qlen and *n the query's and the answer's lengths. */
static ldns_pkt_rcode
rcode_at_once(struct fixture *fx, const char *src, const char *name, uint16_t qtype,
              uint16_t qclass, size_t *qlen, size_t *n)
{
	struct fake_sink sink = {0};
	uint8_t pkt[512];
	*qlen = wire_query(pkt, 9, name, qtype, qclass, false, NULL, 0);
	*n = ask(fx, &sink, src, pkt, *qlen);
	assert_true(*n > 0);
	ldns_pkt *p = parse_answer(fx->out, *n);
	ldns_pkt_rcode rcode = ldns_pkt_get_rcode(p);
	ldns_pkt_free(p);
	return rcode;
}

/* The host the table holds for ip, or NULL. */
static const struct host *
recorded(struct fixture *fx, const char *ip)
{
	struct netaddr a;
	const struct host *e;
	assert_int_equal(netaddr_parse(&a, ip), 0);
	TAILQ_FOREACH(e, hosts_list(hostlog_hosts(fx->hl)), lru)
	if (netaddr_equal(&e->addr, &a))
		return e;
	return NULL;
}

static void
test_miss_is_forwarded_and_answered_late(void **state)
{
	struct fixture *fx = *state;
	struct fake_sink sink = {0};
	uint8_t pkt[512];
	size_t len = wire_query(pkt, 0x1234, "www.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN,
	                        false, NULL, 0);
	assert_int_equal(ask(fx, &sink, "127.0.0.5", pkt, len), 0);
	assert_int_equal(fx->fwd.asked, 1);
	assert_int_equal(fx->fwd.q[0].qtype, LDNS_RR_TYPE_A);
	assert_int_equal(sink.held, 1);
	assert_int_equal(sink.sent, 0);

	upstream_answers(fx, 0, "www.example.com. 300 IN A 192.0.2.1");
	assert_int_equal(sink.sent, 1);
	assert_int_equal(sink.held, 0); /* released once answered */
	ldns_pkt *p = parse_answer(sink.msg, sink.len);
	assert_int_equal(ldns_pkt_id(p), 0x1234);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
}

static void
test_same_question_is_forwarded_once(void **state)
{
	struct fixture *fx = *state;
	struct fake_sink a = {0}, b = {0};
	uint8_t pkt[512];
	size_t len = wire_query(pkt, 1, "www.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, false,
	                        NULL, 0);
	assert_int_equal(ask(fx, &a, "127.0.0.5", pkt, len), 0);
	len = wire_query(pkt, 2, "WWW.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, false, NULL,
	                 0);
	assert_int_equal(ask(fx, &b, "127.0.0.6", pkt, len), 0);
	assert_int_equal(fx->fwd.asked, 1);
	upstream_answers(fx, 0, "www.example.com. 300 IN A 192.0.2.1");
	assert_int_equal(a.sent, 1);
	assert_int_equal(b.sent, 1);
	ldns_pkt *p = parse_answer(b.msg, b.len);
	assert_int_equal(ldns_pkt_id(p), 2); /* each in its own ID */
	ldns_pkt_free(p);
}

static void
test_cached_answer_is_served_at_once(void **state)
{
	struct fixture *fx = *state;
	struct fake_sink sink = {0};
	uint8_t pkt[512];
	size_t len = wire_query(pkt, 7, "www.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, false,
	                        NULL, 0);
	assert_int_equal(ask(fx, &sink, "127.0.0.5", pkt, len), 0);
	upstream_answers(fx, 0, "www.example.com. 300 IN A 192.0.2.1");

	ldns_write_uint16(pkt, 8);
	size_t n = ask(fx, &sink, "127.0.0.6", pkt, len);
	assert_true(n > 0);
	assert_int_equal(fx->fwd.asked, 1); /* not forwarded again */
	ldns_pkt *p = parse_answer(fx->out, n);
	assert_int_equal(ldns_pkt_id(p), 8);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
	struct query_stats st;
	query_get_stats(fx->qc, &st);
	assert_int_equal(st.cache_hits, 1);
}

static void
test_blocked_name_is_nxdomain_without_forwarding(void **state)
{
	struct fixture *fx = *state;
	size_t qlen, n;
	assert_int_equal(rcode_at_once(fx, "127.0.0.5", "upd.kaspersky.com.", LDNS_RR_TYPE_A,
	                               LDNS_RR_CLASS_IN, &qlen, &n),
	                 LDNS_RCODE_NXDOMAIN);
	assert_int_equal(fx->fwd.asked, 0);
	const struct host *e = recorded(fx, "127.0.0.5");
	assert_non_null(e);
	assert_int_equal(e->last_action, POLICY_NXDOMAIN);
}

static void
test_client_outside_allow_list_is_refused(void **state)
{
	struct fixture *fx = *state;
	size_t qlen, n;
	assert_int_equal(rcode_at_once(fx, "203.0.113.9", "www.example.com.", LDNS_RR_TYPE_A,
	                               LDNS_RR_CLASS_IN, &qlen, &n),
	                 LDNS_RCODE_REFUSED);
	assert_true(n <= qlen); /* nothing to amplify */
	assert_int_equal(fx->fwd.asked, 0);
}

/* Classes other than IN and zone transfers: REFUSED; meta-types: FORMERR;
 * none of them forwarded. */
static void
test_gate_answers_class_and_type_itself(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		uint16_t qtype, qclass;
		ldns_pkt_rcode rcode;
	} cases[] = {
	    {LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH, LDNS_RCODE_REFUSED},
	    {LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, LDNS_RCODE_REFUSED},
	    {LDNS_RR_TYPE_IXFR, LDNS_RR_CLASS_IN, LDNS_RCODE_REFUSED},
	    {LDNS_RR_TYPE_TSIG, LDNS_RR_CLASS_IN, LDNS_RCODE_FORMERR},
	    {128, LDNS_RR_CLASS_IN, LDNS_RCODE_FORMERR},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t qlen, n;
		assert_int_equal(rcode_at_once(fx, "127.0.0.5", "version.bind.", cases[i].qtype,
		                               cases[i].qclass, &qlen, &n),
		                 cases[i].rcode);
	}
	assert_int_equal(fx->fwd.asked, 0);
}

static void
test_log_only_name_is_forwarded_and_recorded(void **state)
{
	struct fixture *fx = *state;
	struct fake_sink sink = {0};
	uint8_t pkt[512];
	size_t len = wire_query(pkt, 12, "ds.kaspersky.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN,
	                        false, NULL, 0);
	assert_null(recorded(fx, "127.0.0.5"));
	assert_int_equal(ask(fx, &sink, "127.0.0.5", pkt, len), 0);
	assert_int_equal(fx->fwd.asked, 1);
	const struct host *e = recorded(fx, "127.0.0.5");
	assert_non_null(e);
	assert_int_equal(e->total, 1);
	assert_int_equal(e->last_action, POLICY_LOG);
	upstream_answers(fx, 0, "ds.kaspersky.com. 300 IN A 192.0.2.30");
	assert_int_equal(sink.sent, 1);
	/* a name in no category is not recorded */
	len = wire_query(pkt, 13, "www.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, false, NULL,
	                 0);
	ask(fx, &sink, "127.0.0.6", pkt, len);
	assert_null(recorded(fx, "127.0.0.6"));
}

/* A trusted forwarder's query with ECS 127.0.0.9/32 and dnsmasq's MAC
 * option: the client is 127.0.0.9 with that MAC, decided for (exempt, so
 * not blocked) and recorded; from an untrusted source the options count
 * for nothing. */
static void
test_forwarder_options_identify_the_client(void **state)
{
	struct fixture *fx = *state;
	struct fake_sink sink = {0};
	static const uint8_t opts[] = {
	    0,    8,    0, 8, 0,    1, 32, 0, 127, 0,    0, 9, /* ECS 127.0.0.9/32 */
	    0xfd, 0xe9, 0, 6, 0x02, 0, 0,  0, 0,   0x09,       /* 65001: MAC 02:00:00:00:00:09 */
	};
	uint8_t pkt[512];
	size_t len = wire_query(pkt, 14, "upd.kaspersky.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN,
	                        true, opts, sizeof opts);
	/* from the forwarder: decided for the exempt client behind it */
	assert_int_equal(ask(fx, &sink, "127.0.0.1", pkt, len), 0);
	assert_int_equal(fx->fwd.asked, 1);
	const struct host *e = recorded(fx, "127.0.0.9");
	assert_non_null(e);
	assert_true(e->has_mac);
	assert_memory_equal(e->mac, ((const uint8_t[]){2, 0, 0, 0, 0, 9}), 6);
	assert_null(recorded(fx, "127.0.0.1"));
	/* the same bytes from elsewhere: that source, blocked */
	size_t n = ask(fx, &sink, "127.0.0.2", pkt, len);
	assert_true(n > 0);
	ldns_pkt *p = parse_answer(fx->out, n);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
	assert_non_null(recorded(fx, "127.0.0.2"));
	upstream_answers(fx, 0, "upd.kaspersky.com. 300 IN A 192.0.2.10");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_miss_is_forwarded_and_answered_late, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_same_question_is_forwarded_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cached_answer_is_served_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_blocked_name_is_nxdomain_without_forwarding, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_client_outside_allow_list_is_refused, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_gate_answers_class_and_type_itself, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_log_only_name_is_forwarded_and_recorded, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_forwarder_options_identify_the_client, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
