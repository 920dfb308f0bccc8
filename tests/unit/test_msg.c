/* Unit tests for dnsd/msg.c: what a client query must look like (one
 * question, opcode QUERY, one OPT in the additional section, EDNS version 0)
 * and the cache key it yields (lower-cased name, type, class, DO/CD). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "msg.h"

/* p in wire format; p is freed. Caller frees the wire. */
static uint8_t *
pkt_wire(ldns_pkt *p, size_t *len)
{
	uint8_t *wire = NULL;
	assert_int_equal(ldns_pkt2wire(&wire, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return wire;
}

/* A query built by ldns, then patched by the test. Caller frees. */
static uint8_t *
query_wire(const char *name, int edns, int do_bit, size_t *len)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(name), LDNS_RR_TYPE_A,
	                                 LDNS_RR_CLASS_IN, LDNS_RD);
	if (edns) {
		ldns_pkt_set_edns_udp_size(p, 4096);
		ldns_pkt_set_edns_do(p, do_bit);
	}
	return pkt_wire(p, len);
}

static void
test_plain_query_parses_with_lowercase_key(void **state)
{
	(void)state;
	size_t len;
	uint8_t *w = query_wire("WWW.Example.COM.", 1, 1, &len);
	struct msg_query q;
	assert_int_equal(msg_parse_query(&q, w, len), MSG_OK);
	assert_true(q.edns);
	assert_true(q.do_bit);
	assert_int_equal(q.udp_size, 4096);
	assert_int_equal(msg_udp_limit(&q), MSG_EDNS_PAYLOAD);
	assert_memory_equal(q.qname, "\3WWW\7Example\3COM", 17);
	assert_memory_equal(q.key, "\3www\7example\3com\0\0\1\0\1\1", 22);
	free(w);
}

static void
test_do_and_cd_bits_change_the_key(void **state)
{
	(void)state;
	size_t len;
	struct msg_query a, b, c;
	uint8_t *w = query_wire("example.com.", 1, 0, &len);
	assert_int_equal(msg_parse_query(&a, w, len), MSG_OK);
	w[3] |= 0x10; /* CD */
	assert_int_equal(msg_parse_query(&b, w, len), MSG_OK);
	free(w);
	w = query_wire("example.com.", 1, 1, &len);
	assert_int_equal(msg_parse_query(&c, w, len), MSG_OK);
	assert_int_equal(a.key_len, b.key_len);
	assert_memory_not_equal(a.key, b.key, a.key_len);
	assert_memory_not_equal(a.key, c.key, a.key_len);
	free(w);
}

static void
test_bad_queries_get_the_right_status(void **state)
{
	(void)state;
	size_t len;
	struct msg_query q;
	uint8_t *w = query_wire("example.com.", 0, 0, &len);

	assert_int_equal(msg_parse_query(&q, w, 11), MSG_DROP); /* shorter than a header */
	w[2] |= 0x80;                                           /* QR: an answer */
	assert_int_equal(msg_parse_query(&q, w, len), MSG_DROP);
	w[2] &= 0x7f;
	w[2] |= 2 << 3; /* opcode STATUS */
	assert_int_equal(msg_parse_query(&q, w, len), MSG_NOTIMP);
	assert_true(q.has_question);
	w[2] &= ~(0xf << 3);
	w[5] = 2; /* QDCOUNT 2 */
	assert_int_equal(msg_parse_query(&q, w, len), MSG_FORMERR);
	w[5] = 0;
	assert_int_equal(msg_parse_query(&q, w, len), MSG_FORMERR);
	assert_false(q.has_question);
	w[5] = 1;
	assert_int_equal(msg_parse_query(&q, w, len - 1), MSG_FORMERR); /* cut question */
	w[12] = 0xc0; /* a compression pointer in the question */
	assert_int_equal(msg_parse_query(&q, w, len), MSG_FORMERR);
	free(w);
}

static void
test_edns_version_and_opt_placement(void **state)
{
	(void)state;
	size_t len;
	struct msg_query q;
	uint8_t *w = query_wire("example.com.", 1, 0, &len);
	/* The OPT is the last 11 bytes: version is byte 6 of it. */
	w[len - 11 + 6] = 1;
	assert_int_equal(msg_parse_query(&q, w, len), MSG_BADVERS);
	w[len - 11 + 6] = 0;
	/* The same OPT counted in the answer section instead. */
	w[7] = 1;
	w[11] = 0;
	assert_int_equal(msg_parse_query(&q, w, len), MSG_FORMERR);
	/* Two OPTs. */
	uint8_t *two = malloc(len + 11);
	memcpy(two, w, len);
	memcpy(two + len, w + len - 11, 11);
	two[7] = 0;
	two[11] = 2;
	assert_int_equal(msg_parse_query(&q, two, len + 11), MSG_FORMERR);
	/* An RR running past the end. */
	two[11] = 1;
	assert_int_equal(msg_parse_query(&q, two, len - 1), MSG_FORMERR);
	free(two);
	free(w);
}

static void
test_error_queries_keep_their_opt_and_flags(void **state)
{
	(void)state;
	size_t len;
	struct msg_query q;
	uint8_t *w = query_wire("example.com.", 1, 0, &len);
	w[2] |= 2 << 3; /* opcode STATUS */
	w[3] |= 0x10;   /* CD */
	assert_int_equal(msg_parse_query(&q, w, len), MSG_NOTIMP);
	assert_true(q.edns); /* so that the NOTIMP carries an OPT */
	uint16_t f = msg_answer_flags(&q, LDNS_RCODE_NOTIMPL);
	assert_int_equal(f & (MSG_F_RA | MSG_F_CD), 0);
	assert_int_equal(f & MSG_F_RD, MSG_F_RD);
	w[2] &= ~(0xf << 3);
	assert_int_equal(msg_parse_query(&q, w, len), MSG_OK);
	f = msg_answer_flags(&q, LDNS_RCODE_NOERROR);
	assert_int_equal(f & (MSG_F_RA | MSG_F_CD), MSG_F_RA | MSG_F_CD);
	w[5] = 0; /* no question, the OPT right after the header */
	uint8_t *noq = malloc(MSG_HDR_LEN + 11);
	memcpy(noq, w, MSG_HDR_LEN);
	memcpy(noq + MSG_HDR_LEN, w + len - 11, 11);
	assert_int_equal(msg_parse_query(&q, noq, MSG_HDR_LEN + 11), MSG_FORMERR);
	assert_true(q.edns);
	free(noq);
	free(w);
}

static void
test_udp_limit_follows_the_client(void **state)
{
	(void)state;
	struct msg_query q = {.edns = false};
	assert_int_equal(msg_udp_limit(&q), 512);
	q.edns = true;
	q.udp_size = 100;
	assert_int_equal(msg_udp_limit(&q), 512);
	q.udp_size = 1000;
	assert_int_equal(msg_udp_limit(&q), 1000);
	q.udp_size = 65535;
	assert_int_equal(msg_udp_limit(&q), MSG_EDNS_PAYLOAD);
}

/* A query whose OPT carries opts (code-length-data) as its RDATA. */
static uint8_t *
query_with_opts(const uint8_t *opts, size_t optlen, size_t *len)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str("example.com."), LDNS_RR_TYPE_A,
	                                 LDNS_RR_CLASS_IN, LDNS_RD);
	ldns_pkt_set_edns_udp_size(p, 1232);
	ldns_pkt_set_edns_data(p, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, optlen, opts));
	return pkt_wire(p, len);
}

/* The one parse keeps what identifies a forwarder's client (ECS, dnsmasq's
 * MAC options) in order, skips other options and oversized payloads, and
 * keeps nothing from options that do not tile the OPT's RDATA. */
static void
test_client_options_are_kept(void **state)
{
	(void)state;
	static const uint8_t opts[] = {
	    0,    10,   0,   8,   1,   2,   3,   4,   5,   6,   7,   8, /* cookie: skipped */
	    0,    8,    0,   8,   0,   1,   32,  0,   10,  0,   0,   7, /* ECS 10.0.0.7/32 */
	    0xfd, 0xe9, 0,   6,   2,   0,   0,   0,   0,   7,           /* 65001: MAC */
	    0xfe, 0x31, 0,   21,  'a', 'a', ':', 'b', 'b', ':', 'c', 'c', ':',
	    'd',  'd',  ':', 'e', 'e', ':', 'f', 'f', 'x', 'y', 'z', 'w', /* 65073, too long:
	                                                                     skipped */
	};
	size_t len;
	struct msg_query q;
	uint8_t *w = query_with_opts(opts, sizeof opts, &len);
	assert_int_equal(msg_parse_query(&q, w, len), MSG_OK);
	assert_int_equal(q.nopts, 2);
	assert_int_equal(q.opts[0].code, MSG_OPT_ECS);
	assert_int_equal(q.opts[0].len, 8);
	assert_memory_equal(q.opts[0].data, opts + 16, 8);
	assert_int_equal(q.opts[1].code, MSG_OPT_MAC);
	assert_memory_equal(q.opts[1].data, opts + 28, 6);
	free(w);
	/* the last option claims more than the RDATA holds: none kept */
	w = query_with_opts(opts + 12, 22 - 1, &len);
	assert_int_equal(msg_parse_query(&q, w, len), MSG_OK);
	assert_int_equal(q.nopts, 0);
	free(w);
	/* no EDNS: none */
	w = query_wire("example.com.", 0, 0, &len);
	assert_int_equal(msg_parse_query(&q, w, len), MSG_OK);
	assert_int_equal(q.nopts, 0);
	free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_query_parses_with_lowercase_key),
	    cmocka_unit_test(test_do_and_cd_bits_change_the_key),
	    cmocka_unit_test(test_bad_queries_get_the_right_status),
	    cmocka_unit_test(test_edns_version_and_opt_placement),
	    cmocka_unit_test(test_error_queries_keep_their_opt_and_flags),
	    cmocka_unit_test(test_udp_limit_follows_the_client),
	    cmocka_unit_test(test_client_options_are_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
