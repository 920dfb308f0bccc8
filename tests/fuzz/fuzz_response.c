/* Fuzz harness for the upstream-response path into the cache
 * (dnsd/cache.c): the bytes are an upstream's answer to one of four known
 * questions (picked by the first byte, whose high bits also move the clock).
 * An answer that passes dnsd's acceptance check (forward.c: ID, QR, framing
 * without TSIG, one question equal to ours; others never reach the cache)
 * goes into a small shared cache and is rendered back to clients asking that
 * question in their own case, ID and EDNS size; every rendered answer must
 * fit its limit, carry the client's ID and question and be well framed. */
#include <assert.h>

#include "cache.h"
#include "fuzz.h"
#include "fuzz_dns.h"

#define FUZZ_KEYS 4
#define FUZZ_VARIANTS 3

static struct cache *fuzz_cache;
static const struct cache_limits fuzz_limits = {
    .max_entries = 32,
    .max_bytes = 64 * 1024,
    .min_ttl = 0,
    .max_ttl = 86400,
    .servfail_ttl = 5,
};
/* [key][0] is the question sent upstream; the others ask the same key. */
static struct msg_query fuzz_q[FUZZ_KEYS][FUZZ_VARIANTS];
static time_t fuzz_now = 1000;
static uint8_t fuzz_out[65535 + 2];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((fuzz_cache = cache_new(&fuzz_limits)) == NULL)
		abort();
	fuzz_dns_msg_query(&fuzz_q[0][0], "www.example.com.", LDNS_RR_TYPE_A, 1, 0, false);
	fuzz_dns_msg_query(&fuzz_q[0][1], "WWW.Example.COM.", LDNS_RR_TYPE_A, 2, 0, false);
	fuzz_dns_msg_query(&fuzz_q[0][2], "www.EXAMPLE.com.", LDNS_RR_TYPE_A, 3, 512, false);
	fuzz_dns_msg_query(&fuzz_q[1][0], "www.example.com.", LDNS_RR_TYPE_A, 4, 1232, true);
	fuzz_dns_msg_query(&fuzz_q[1][1], "wWw.example.com.", LDNS_RR_TYPE_A, 5, 4096, true);
	fuzz_dns_msg_query(&fuzz_q[1][2], "www.example.coM.", LDNS_RR_TYPE_A, 6, 512, true);
	fuzz_dns_msg_query(&fuzz_q[2][0], "nx.example.com.", LDNS_RR_TYPE_AAAA, 7, 0, false);
	fuzz_dns_msg_query(&fuzz_q[2][1], "NX.example.com.", LDNS_RR_TYPE_AAAA, 8, 1232, false);
	fuzz_dns_msg_query(&fuzz_q[2][2], "nx.example.COM.", LDNS_RR_TYPE_AAAA, 9, 600, false);
	fuzz_dns_msg_query(&fuzz_q[3][0], "big.example.com.", LDNS_RR_TYPE_TXT, 10, 0, false);
	fuzz_dns_msg_query(&fuzz_q[3][1], "Big.example.com.", LDNS_RR_TYPE_TXT, 11, 1232, false);
	fuzz_dns_msg_query(&fuzz_q[3][2], "bIG.example.com.", LDNS_RR_TYPE_TXT, 12, 700, false);
	return 0;
}

/* What forward.c checks before an answer reaches the cache. */
static bool
fuzz_accepted(const struct msg_query *q, const uint8_t *resp, size_t len)
{
	ldns_pkt *p = NULL;
	ldns_rr *qr;
	ldns_rdf *want;
	bool ok = false;

	if (len < MSG_HDR_LEN || LDNS_ID_WIRE(resp) != q->id || !LDNS_QR_WIRE(resp) ||
	    LDNS_OPCODE_WIRE(resp) != LDNS_PACKET_QUERY || LDNS_QDCOUNT(resp) != 1 ||
	    msg_wire2pkt(&p, resp, len) != 0)
		return false;
	qr = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	want = ldns_dname_new_frm_data(q->qname_len, q->qname);
	ok = qr && want && ldns_dname_compare(ldns_rr_owner(qr), want) == 0 &&
	     ldns_rr_get_type(qr) == q->qtype && ldns_rr_get_class(qr) == q->qclass;
	ldns_rdf_deep_free(want);
	ldns_pkt_free(p);
	return ok;
}

static void
fuzz_render_check(const struct cache_entry *e, const struct msg_query *q, size_t limit)
{
	size_t n = cache_render(e, q, fuzz_now, limit, fuzz_out, sizeof fuzz_out);

	assert(n > 0 && n <= limit);
	assert(LDNS_ID_WIRE(fuzz_out) == q->id && LDNS_QR_WIRE(fuzz_out));
	assert(LDNS_QDCOUNT(fuzz_out) == 1);
	assert(memcmp(fuzz_out + MSG_HDR_LEN, q->qname, q->qname_len) == 0);
	assert(ldns_read_uint16(fuzz_out + MSG_HDR_LEN + q->qname_len) == q->qtype);
	assert(fuzz_well_framed(fuzz_out, n));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct msg_query *q;
	const struct cache_entry *hit;
	struct cache_entry *e;
	unsigned cnames, i, v;
	const uint8_t *names;
	size_t off, n;

	if (size < 1)
		return 0;
	q = &fuzz_q[data[0] % FUZZ_KEYS][0];
	fuzz_now += data[0] >> 4;
	if (!fuzz_accepted(q, data + 1, size - 1))
		return 0;
	e = cache_entry_new(&fuzz_limits, q->key, q->key_len, data + 1, size - 1, fuzz_now);
	if (e == NULL)
		return 0;
	names = cache_entry_cnames(e, &cnames);
	for (i = 0, off = 0; i < cnames; i++, off += n)
		assert((n = msg_name_len(names + off, MSG_NAME_MAX)) > 0);
	cache_insert(fuzz_cache, e);
	if ((hit = cache_lookup(fuzz_cache, q->key, q->key_len, fuzz_now)) == NULL)
		return 0;
	for (v = 0; v < FUZZ_VARIANTS; v++) {
		const struct msg_query *client = &fuzz_q[data[0] % FUZZ_KEYS][v];

		fuzz_render_check(hit, client, msg_udp_limit(client));
		fuzz_render_check(hit, client, 65535);
	}
	return 0;
}
