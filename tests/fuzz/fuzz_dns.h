/* DNS helpers for the harnesses that drive the query and cache paths:
 * client queries and upstream answers built with ldns from text. */
#ifndef DNSD_FUZZ_DNS_H
#define DNSD_FUZZ_DNS_H

#include <ldns/ldns.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

/* p as wire bytes in out; returns the length and frees p. Aborts when it
 * does not fit (harness set-up only). */
static inline size_t
fuzz_dns_wire(ldns_pkt *p, uint8_t *out, size_t cap)
{
	uint8_t *wire = NULL;
	size_t len = 0;

	if (ldns_pkt2wire(&wire, p, &len) != LDNS_STATUS_OK || len > cap)
		abort();
	memcpy(out, wire, len);
	free(wire);
	ldns_pkt_free(p);
	return len;
}

/* A client query for name/type as wire bytes in out; returns the length.
 * udp == 0: no EDNS. Aborts on failure (harness set-up only). */
static inline size_t
fuzz_dns_query(uint8_t *out, size_t cap, const char *name, ldns_rr_type type, uint16_t id,
               uint16_t udp, bool do_bit)
{
	ldns_pkt *p =
	    ldns_pkt_query_new(ldns_dname_new_frm_str(name), type, LDNS_RR_CLASS_IN, LDNS_RD);

	if (p == NULL)
		abort();
	ldns_pkt_set_id(p, id);
	if (udp) {
		ldns_pkt_set_edns_udp_size(p, udp);
		ldns_pkt_set_edns_do(p, do_bit);
	}
	return fuzz_dns_wire(p, out, cap);
}

/* The parsed client query for name/type (see fuzz_dns_query). */
static inline void
fuzz_dns_msg_query(struct msg_query *q, const char *name, ldns_rr_type type, uint16_t id,
                   uint16_t udp, bool do_bit)
{
	uint8_t wire[512];
	size_t len = fuzz_dns_query(wire, sizeof wire, name, type, id, udp, do_bit);

	if (msg_parse_query(q, wire, len) != MSG_OK)
		abort();
}

/* An upstream answer to q with rcode and records in presentation format,
 * NULL-terminated lists (answer, authority). Returns the length in out. */
static inline size_t
fuzz_dns_answer(uint8_t *out, size_t cap, const struct msg_query *q, ldns_pkt_rcode rcode,
                const char *const *answer, const char *const *authority)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_rr *question = ldns_rr_new(), *rr;
	int i;

	ldns_pkt_set_id(p, q->id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_rd(p, true);
	ldns_pkt_set_ra(p, true);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	ldns_rr_set_question(question, true);
	ldns_rr_set_owner(question, ldns_dname_new_frm_data(q->qname_len, q->qname));
	ldns_rr_set_type(question, (ldns_rr_type)q->qtype);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, question);
	for (i = 0; answer && answer[i]; i++)
		if (ldns_rr_new_frm_str(&rr, answer[i], 300, NULL, NULL) == LDNS_STATUS_OK)
			ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	for (i = 0; authority && authority[i]; i++)
		if (ldns_rr_new_frm_str(&rr, authority[i], 300, NULL, NULL) == LDNS_STATUS_OK)
			ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, rr);
	return fuzz_dns_wire(p, out, cap);
}

/* Every record the header counts is there, framed by its RDLENGTH, and
 * nothing follows. (Not ldns_wire2pkt: it parses RDATA by type and, when an
 * upstream's RDATA is shorter than its RDLENGTH says, reads the rest as the
 * next record, so a faithful copy of such an answer would fail it.) */
static inline bool
fuzz_well_framed(const uint8_t *m, size_t len)
{
	unsigned i, qd, n;
	size_t pos = MSG_HDR_LEN;
	ldns_rdf *name = NULL;

	if (len < MSG_HDR_LEN)
		return false;
	qd = LDNS_QDCOUNT(m);
	n = qd + LDNS_ANCOUNT(m) + LDNS_NSCOUNT(m) + LDNS_ARCOUNT(m);
	for (i = 0; i < n; i++) {
		if (ldns_wire2dname(&name, m, len, &pos) != LDNS_STATUS_OK)
			return false;
		ldns_rdf_deep_free(name);
		if (i < qd)
			pos += 4;
		else if (pos + 10 <= len)
			pos += 10 + ldns_read_uint16(m + pos + 8);
		else
			return false;
		if (pos > len)
			return false;
	}
	return pos == len;
}

#endif
