/* Unit tests for dnsd/cache.c: TTLs decrement with age and are clamped,
 * negative answers live min(SOA TTL, SOA MINIMUM), the byte bound evicts the
 * least recently used entry, the DO bit is part of the key, and rendering
 * keeps the client's ID, case and EDNS. Answers are built with ldns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "cache.h"
#include "msg.h"

static const struct cache_limits lim_default = {
    .max_entries = 1000,
    .max_bytes = 1 << 20,
    .min_ttl = 0,
    .max_ttl = 86400,
    .servfail_ttl = 5,
};

/* An upstream answer: rcode, then RR strings for answer and authority
 * ("" ends a section), with an OPT (DO set) when edns. Caller frees. */
static uint8_t *
answer(const char *qname, ldns_rr_type qtype, ldns_pkt_rcode rcode, const char **an,
       const char **ns, int edns, size_t *len)
{
	ldns_pkt *p =
	    ldns_pkt_query_new(ldns_dname_new_frm_str(qname), qtype, LDNS_RR_CLASS_IN, LDNS_RD);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_ra(p, true);
	ldns_pkt_set_rcode(p, rcode);
	for (; an && *an; an++) {
		ldns_rr *rr = NULL;
		assert_int_equal(ldns_rr_new_frm_str(&rr, *an, 0, NULL, NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	for (; ns && *ns; ns++) {
		ldns_rr *rr = NULL;
		assert_int_equal(ldns_rr_new_frm_str(&rr, *ns, 0, NULL, NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, rr);
	}
	if (edns) {
		ldns_pkt_set_edns_udp_size(p, 4096);
		ldns_pkt_set_edns_do(p, true);
	}
	uint8_t *wire = NULL;
	assert_int_equal(ldns_pkt2wire(&wire, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return wire;
}

/* A client query for name/type, parsed the way dnsd parses it. */
static void
client_query(struct msg_query *q, const char *qname, ldns_rr_type qtype, int edns, int do_bit,
             uint16_t id)
{
	ldns_pkt *p =
	    ldns_pkt_query_new(ldns_dname_new_frm_str(qname), qtype, LDNS_RR_CLASS_IN, LDNS_RD);
	ldns_pkt_set_id(p, id);
	if (edns) {
		ldns_pkt_set_edns_udp_size(p, 1232);
		ldns_pkt_set_edns_do(p, do_bit);
	}
	uint8_t *wire = NULL;
	size_t len;
	assert_int_equal(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	assert_int_equal(msg_parse_query(q, wire, len), MSG_OK);
	free(wire);
	ldns_pkt_free(p);
}

/* Store the answer to q in c at time now. */
static void
store(struct cache *c, const struct msg_query *q, const uint8_t *resp, size_t len, time_t now)
{
	struct cache_entry *e =
	    cache_entry_new(cache_get_limits(c), q->key, q->key_len, resp, len, now);
	assert_non_null(e);
	cache_insert(c, e);
}

/* Render the cached answer to q at now and parse it back with ldns. */
static ldns_pkt *
hit(struct cache *c, const struct msg_query *q, time_t now)
{
	static uint8_t out[65535];
	const struct cache_entry *e = cache_lookup(c, q->key, q->key_len, now);
	if (e == NULL)
		return NULL;
	size_t n = cache_render(e, q, now, 65535, out, sizeof out);
	assert_true(n > 0);
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, out, n), LDNS_STATUS_OK);
	return p;
}

static uint32_t
answer_ttl(ldns_pkt *p, int i)
{
	return ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), (size_t)i));
}

static void
test_hit_ttl_decreases_with_age(void **state)
{
	(void)state;
	const char *an[] = {"www.example.test. 300 IN A 192.0.2.1",
	                    "www.example.test. 100 IN A 192.0.2.2", NULL};
	struct cache *c = cache_new(&lim_default);
	struct msg_query q;
	size_t len;
	uint8_t *r =
	    answer("www.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, an, NULL, 0, &len);
	client_query(&q, "www.example.test.", LDNS_RR_TYPE_A, 0, 0, 7);
	store(c, &q, r, len, 1000);
	ldns_pkt *p = hit(c, &q, 1040);
	assert_non_null(p);
	assert_int_equal(answer_ttl(p, 0), 260);
	assert_int_equal(answer_ttl(p, 1), 60);
	ldns_pkt_free(p);
	/* The entry lives as long as its shortest TTL. */
	assert_null(hit(c, &q, 1100));
	struct cache_stats st;
	cache_get_stats(c, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.entries, 0);
	free(r);
	cache_free(c);
}

static void
test_ttl_clamped_to_min_and_max(void **state)
{
	(void)state;
	struct cache_limits lim = lim_default;
	lim.min_ttl = 60;
	lim.max_ttl = 3600;
	const char *an[] = {"a.example.test. 5 IN A 192.0.2.1",
	                    "a.example.test. 999999 IN A 192.0.2.2", NULL};
	struct cache *c = cache_new(&lim);
	struct msg_query q;
	size_t len;
	uint8_t *r =
	    answer("a.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, an, NULL, 0, &len);
	client_query(&q, "a.example.test.", LDNS_RR_TYPE_A, 0, 0, 1);
	store(c, &q, r, len, 0);
	ldns_pkt *p = hit(c, &q, 0);
	assert_int_equal(answer_ttl(p, 0), 60);
	assert_int_equal(answer_ttl(p, 1), 3600);
	ldns_pkt_free(p);
	free(r);
	cache_free(c);
}

static const char *soa_ns[] = {
    "example.test. 600 IN SOA ns1.example.test. host.example.test. 1 3600 600 86400 30", NULL};

static void
test_nxdomain_uses_soa_minimum(void **state)
{
	(void)state;
	struct cache *c = cache_new(&lim_default);
	struct msg_query q;
	size_t len;
	uint8_t *r = answer("nope.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, NULL, soa_ns,
	                    0, &len);
	client_query(&q, "nope.example.test.", LDNS_RR_TYPE_A, 0, 0, 2);
	store(c, &q, r, len, 100);
	ldns_pkt *p = hit(c, &q, 110);
	assert_non_null(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	/* min(SOA TTL 600, MINIMUM 30), minus the age */
	assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_authority(p), 0)), 20);
	ldns_pkt_free(p);
	assert_null(hit(c, &q, 130));
	free(r);
	cache_free(c);
}

static void
test_nodata_cached_and_nodata_without_soa_not(void **state)
{
	(void)state;
	struct cache *c = cache_new(&lim_default);
	struct msg_query q;
	size_t len;
	uint8_t *r =
	    answer("www.example.test.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, NULL, soa_ns, 0, &len);
	client_query(&q, "www.example.test.", LDNS_RR_TYPE_MX, 0, 0, 3);
	store(c, &q, r, len, 0);
	ldns_pkt *p = hit(c, &q, 29);
	assert_non_null(p);
	ldns_pkt_free(p);
	assert_null(hit(c, &q, 30));
	free(r);

	r = answer("www.example.test.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, NULL, NULL, 0, &len);
	struct cache_entry *e = cache_entry_new(&lim_default, q.key, q.key_len, r, len, 0);
	assert_non_null(e);
	assert_false(cache_entry_cacheable(e));
	cache_entry_free(e);
	free(r);
	cache_free(c);
}

static void
test_servfail_lives_servfail_ttl(void **state)
{
	(void)state;
	struct cache *c = cache_new(&lim_default);
	struct msg_query q;
	size_t len;
	uint8_t *r =
	    answer("x.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_SERVFAIL, NULL, NULL, 0, &len);
	client_query(&q, "x.example.test.", LDNS_RR_TYPE_A, 0, 0, 4);
	store(c, &q, r, len, 0);
	ldns_pkt *p = hit(c, &q, 4);
	assert_non_null(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(p);
	assert_null(hit(c, &q, 5));
	free(r);
	cache_free(c);
}

static void
test_do_bit_is_part_of_the_key(void **state)
{
	(void)state;
	const char *an[] = {"www.example.test. 300 IN A 192.0.2.1", NULL};
	struct cache *c = cache_new(&lim_default);
	struct msg_query plain, dnssec;
	size_t len;
	uint8_t *r =
	    answer("www.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, an, NULL, 1, &len);
	client_query(&plain, "www.example.test.", LDNS_RR_TYPE_A, 1, 0, 5);
	client_query(&dnssec, "www.example.test.", LDNS_RR_TYPE_A, 1, 1, 5);
	store(c, &plain, r, len, 0);
	assert_null(cache_lookup(c, dnssec.key, dnssec.key_len, 0));
	assert_non_null(cache_lookup(c, plain.key, plain.key_len, 0));
	free(r);
	cache_free(c);
}

/* A positive answer keeps only its answer section without DO (the NS of
 * the authority does not shorten its life either); with DO all stays. */
static void
test_minimal_responses_without_do(void **state)
{
	(void)state;
	const char *an[] = {"www.example.test. 300 IN A 192.0.2.1", NULL};
	const char *ns[] = {"example.test. 60 IN NS ns1.example.test.", NULL};
	struct cache *c = cache_new(&lim_default);
	struct msg_query plain, dnssec;
	size_t len;
	uint8_t *r =
	    answer("www.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, an, ns, 1, &len);
	client_query(&plain, "www.example.test.", LDNS_RR_TYPE_A, 1, 0, 5);
	client_query(&dnssec, "www.example.test.", LDNS_RR_TYPE_A, 1, 1, 5);
	store(c, &plain, r, len, 0);
	store(c, &dnssec, r, len, 0);
	ldns_pkt *p = hit(c, &plain, 100);
	assert_non_null(p);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	assert_int_equal(ldns_pkt_nscount(p), 0);
	assert_int_equal(answer_ttl(p, 0), 200);
	ldns_pkt_free(p);
	p = hit(c, &dnssec, 10);
	assert_non_null(p);
	assert_int_equal(ldns_pkt_nscount(p), 1);
	ldns_pkt_free(p);
	assert_null(hit(c, &dnssec, 100)); /* the NS TTL (60) bounds the DO entry */
	free(r);
	cache_free(c);
}

static void
test_render_keeps_client_id_case_and_edns(void **state)
{
	(void)state;
	const char *an[] = {"www.example.test. 300 IN A 192.0.2.1", NULL};
	struct cache *c = cache_new(&lim_default);
	struct msg_query first, second;
	size_t len;
	/* The upstream's OPT (payload 4096) is not what the client sees. */
	uint8_t *r =
	    answer("www.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, an, NULL, 1, &len);
	client_query(&first, "www.example.test.", LDNS_RR_TYPE_A, 0, 0, 1);
	client_query(&second, "WwW.ExAmple.TEST.", LDNS_RR_TYPE_A, 1, 0, 0xbeef);
	store(c, &first, r, len, 0);

	ldns_pkt *p = hit(c, &first, 0);
	assert_false(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_arcount(p), 0);
	ldns_pkt_free(p);

	p = hit(c, &second, 0);
	assert_non_null(p);
	assert_int_equal(ldns_pkt_id(p), 0xbeef);
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_edns_udp_size(p), MSG_EDNS_PAYLOAD);
	assert_false(ldns_pkt_aa(p));
	assert_true(ldns_pkt_ra(p));
	char *qn = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(p), 0)));
	assert_string_equal(qn, "WwW.ExAmple.TEST.");
	free(qn);
	ldns_pkt_free(p);
	free(r);
	cache_free(c);
}

static void
test_render_truncates_over_the_limit(void **state)
{
	(void)state;
	const char *an[] = {
	    "t.example.test. 300 IN TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
	    NULL};
	uint8_t out[512];
	struct cache *c = cache_new(&lim_default);
	struct msg_query q;
	size_t len;
	uint8_t *r =
	    answer("t.example.test.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, an, NULL, 0, &len);
	client_query(&q, "t.example.test.", LDNS_RR_TYPE_TXT, 0, 0, 9);
	store(c, &q, r, len, 0);
	const struct cache_entry *e = cache_lookup(c, q.key, q.key_len, 0);
	size_t n = cache_render(e, &q, 0, 40, out, sizeof out);
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, out, n), LDNS_STATUS_OK);
	assert_true(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	ldns_pkt_free(p);
	free(r);
	cache_free(c);
}

static void
test_byte_bound_evicts_least_recently_used(void **state)
{
	(void)state;
	char name[64], rr[128];
	struct msg_query q[3];
	uint8_t *r[3];
	size_t len[3];
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "h%d.example.test.", i);
		snprintf(rr, sizeof rr, "%s 300 IN A 192.0.2.%d", name, i);
		const char *an[] = {rr, NULL};
		r[i] = answer(name, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, an, NULL, 0, &len[i]);
		client_query(&q[i], name, LDNS_RR_TYPE_A, 0, 0, 1);
	}
	/* Room for two entries, not three. */
	struct cache_entry *probe =
	    cache_entry_new(&lim_default, q[0].key, q[0].key_len, r[0], len[0], 0);
	struct cache *tmp = cache_new(&lim_default);
	cache_insert(tmp, probe);
	struct cache_stats st;
	cache_get_stats(tmp, &st);
	cache_free(tmp);

	struct cache_limits lim = lim_default;
	lim.max_bytes = st.bytes * 2 + st.bytes / 2;
	struct cache *c = cache_new(&lim);
	store(c, &q[0], r[0], len[0], 0);
	store(c, &q[1], r[1], len[1], 0);
	assert_non_null(cache_lookup(c, q[0].key, q[0].key_len, 0)); /* h0 now most recent */
	store(c, &q[2], r[2], len[2], 0);
	cache_get_stats(c, &st);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.evictions, 1);
	assert_true(st.bytes <= lim.max_bytes);
	assert_non_null(cache_lookup(c, q[0].key, q[0].key_len, 0));
	assert_null(cache_lookup(c, q[1].key, q[1].key_len, 0));
	assert_non_null(cache_lookup(c, q[2].key, q[2].key_len, 0));
	for (int i = 0; i < 3; i++)
		free(r[i]);
	cache_free(c);
}

static void
test_entry_bound_evicts(void **state)
{
	(void)state;
	struct cache_limits lim = lim_default;
	lim.max_entries = 1;
	const char *an[] = {"www.example.test. 300 IN A 192.0.2.1", NULL};
	struct cache *c = cache_new(&lim);
	struct msg_query a, b;
	size_t len;
	uint8_t *r =
	    answer("www.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, an, NULL, 0, &len);
	client_query(&a, "www.example.test.", LDNS_RR_TYPE_A, 0, 0, 1);
	client_query(&b, "www.example.test.", LDNS_RR_TYPE_A, 1, 1, 1);
	store(c, &a, r, len, 0);
	store(c, &b, r, len, 0);
	struct cache_stats st;
	cache_get_stats(c, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.evictions, 1);
	free(r);
	cache_free(c);
}

static void
test_cname_targets_recorded(void **state)
{
	(void)state;
	const char *an[] = {"alias.example.test. 300 IN CNAME Mid.Example.Test.",
	                    "mid.example.test. 300 IN CNAME www.example.test.",
	                    "www.example.test. 300 IN A 192.0.2.1", NULL};
	struct msg_query q;
	size_t len;
	uint8_t *r =
	    answer("alias.example.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, an, NULL, 0, &len);
	client_query(&q, "alias.example.test.", LDNS_RR_TYPE_A, 0, 0, 1);
	struct cache_entry *e = cache_entry_new(&lim_default, q.key, q.key_len, r, len, 0);
	unsigned n;
	const uint8_t *t = cache_entry_cnames(e, &n);
	assert_int_equal(n, 2);
	assert_memory_equal(t, "\3mid\7example\4test", 18);
	assert_memory_equal(t + 18, "\3www\7example\4test", 18);
	cache_entry_free(e);
	free(r);
}

/* Found by fuzzing (HARDEN): an owner compressed as a pointer to the low
 * byte of ARCOUNT changed meaning once dnsd rewrote the counts. */
static void
test_pointer_into_header_does_not_corrupt_answers(void **state)
{
	(void)state;
	static const uint8_t resp[] = {
	    0x12, 0x34, 0x81, 0x80, 0,   1,   0,   1, 0,    0,   0,   0,   3, 'w', 'w', 'w', 7,
	    'e',  'x',  'a',  'm',  'p', 'l', 'e', 3, 'c',  'o', 'm', 0,   0, 1,   0,   1,   0xc0,
	    0x0b, 0,    1,    0,    1,   0,   0,   1, 0x2c, 0,   4,   192, 0, 2,   1,
	};
	struct cache *c = cache_new(&lim_default);
	struct msg_query q;
	client_query(&q, "www.example.com.", LDNS_RR_TYPE_A, 1, 0, 0x1234);
	store(c, &q, resp, sizeof resp, 0);
	ldns_pkt *p = hit(c, &q, 0); /* parses, with the OPT added */
	assert_non_null(p);
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_ancount(p), 1);
	char *owner = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_answer(p), 0)));
	assert_string_equal(owner, ".");
	free(owner);
	ldns_pkt_free(p);
	cache_free(c);
}

/* Found by fuzzing (HARDEN): an OPT counted in the answer section made
 * dnsd write ARCOUNT 65535. Such an answer is not stored. */
static void
test_opt_in_answer_section_is_rejected(void **state)
{
	(void)state;
	static const uint8_t resp[] = {
	    0x12, 0x34, 0x81, 0x80, 0,    1,   0,   2,    0,   0, 0,   0,   3,    'w', 'w',
	    'w',  7,    'e',  'x',  'a',  'm', 'p', 'l',  'e', 3, 'c', 'o', 'm',  0,   0,
	    1,    0,    1,    0xc0, 0x0c, 0,   1,   0,    1,   0, 0,   1,   0x2c, 0,   4,
	    192,  0,    2,    1,    0,    0,   41,  0x10, 0,   0, 0,   0,   0,    0,   0,
	};
	struct msg_query q;
	client_query(&q, "www.example.com.", LDNS_RR_TYPE_A, 1, 0, 0x1234);
	assert_null(cache_entry_new(&lim_default, q.key, q.key_len, resp, sizeof resp, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hit_ttl_decreases_with_age),
	    cmocka_unit_test(test_ttl_clamped_to_min_and_max),
	    cmocka_unit_test(test_nxdomain_uses_soa_minimum),
	    cmocka_unit_test(test_minimal_responses_without_do),
	    cmocka_unit_test(test_nodata_cached_and_nodata_without_soa_not),
	    cmocka_unit_test(test_servfail_lives_servfail_ttl),
	    cmocka_unit_test(test_do_bit_is_part_of_the_key),
	    cmocka_unit_test(test_render_keeps_client_id_case_and_edns),
	    cmocka_unit_test(test_render_truncates_over_the_limit),
	    cmocka_unit_test(test_byte_bound_evicts_least_recently_used),
	    cmocka_unit_test(test_entry_bound_evicts),
	    cmocka_unit_test(test_cname_targets_recorded),
	    cmocka_unit_test(test_pointer_into_header_does_not_corrupt_answers),
	    cmocka_unit_test(test_opt_in_answer_section_is_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
