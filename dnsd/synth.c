/* Answers dnsd authors itself. Error answers are header + question copies:
 * fast, allocation-free, and never an amplifier. Negative policy answers
 * (the blocked names a router sees all day) are the same plus an SOA whose
 * RDATA ldns built once; sinkhole addresses are built with ldns. None is
 * cached. */
#include "synth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

size_t
synth_error(const struct msg_query *q, int rcode, bool with_opt, uint8_t *out, size_t cap)
{
	size_t len = msg_write_header_question(q, msg_answer_flags(q, rcode & 0xf), out, cap);
	if (len && (rcode == SYNTH_RCODE_BADVERS || (with_opt && q->edns)))
		len = msg_append_opt(out, len, cap, q->do_bit, (uint8_t)(rcode >> 4));
	return len;
}

/* The RDATA of the SOA in negative answers, "localhost. nobody.invalid. 1
 * 3600 600 86400 0", built by ldns on first use and kept: building the whole
 * record per query cost ~70000 instructions per blocked query. The last four
 * bytes (MINIMUM) are the per-answer negative TTL. Returns 0 when ldns fails. */
static size_t
synth_soa_rdata(const uint8_t **rdata)
{
	static uint8_t buf[64];
	static size_t len;
	if (len == 0) {
		ldns_rr *rr = NULL;
		ldns_buffer *b = ldns_buffer_new(sizeof buf);
		if (b &&
		    ldns_rr_new_frm_str(&rr,
		                        ". 0 IN SOA localhost. nobody.invalid. 1 3600 600 "
		                        "86400 0",
		                        0, NULL, NULL) == LDNS_STATUS_OK &&
		    ldns_rr_rdata2buffer_wire(b, rr) == LDNS_STATUS_OK &&
		    ldns_buffer_position(b) <= sizeof buf) {
			memcpy(buf, ldns_buffer_begin(b), ldns_buffer_position(b));
			len = ldns_buffer_position(b);
		}
		ldns_rr_free(rr);
		ldns_buffer_free(b);
	}
	*rdata = buf;
	return len;
}

/* Append the SOA of a negative answer to the authority section: owner the
 * question name (a pointer to it), TTL and MINIMUM the negative TTL.
 * Returns the new length, 0 when it does not fit. */
static size_t
synth_append_soa(uint8_t *out, size_t len, size_t cap, uint32_t ttl)
{
	const uint8_t *rdata;
	size_t rdlen = synth_soa_rdata(&rdata);
	if (rdlen < 4 || len + 12 + rdlen > cap)
		return 0;
	uint8_t *p = out + len;
	ldns_write_uint16(p, 0xc000 | MSG_HDR_LEN);
	ldns_write_uint16(p + 2, LDNS_RR_TYPE_SOA);
	ldns_write_uint16(p + 4, LDNS_RR_CLASS_IN);
	ldns_write_uint32(p + 6, ttl);
	ldns_write_uint16(p + 10, (uint16_t)rdlen);
	memcpy(p + 12, rdata, rdlen - 4);
	ldns_write_uint32(p + 12 + rdlen - 4, ttl);
	ldns_write_uint16(out + LDNS_NSCOUNT_OFF, LDNS_NSCOUNT(out) + 1);
	return len + 12 + rdlen;
}

/* How many sinkhole addresses answer q. */
static int
synth_sinkhole_count(const struct msg_query *q, const struct policy_decision *d)
{
	const struct policy_sinkhole *s = d->sinkhole;
	if (s == NULL || q->qclass != LDNS_RR_CLASS_IN)
		return 0;
	return q->qtype == LDNS_RR_TYPE_A ? s->n4 : q->qtype == LDNS_RR_TYPE_AAAA ? s->n6 : 0;
}

/* The answer when it exceeds limit: header, question, TC. */
static size_t
synth_truncated(const struct msg_query *q, uint8_t *out, size_t cap)
{
	size_t len = msg_write_header_question(q, msg_answer_flags(q, 0) | MSG_F_TC, out, cap);
	if (len && q->edns)
		len = msg_append_opt(out, len, cap, q->do_bit, 0);
	return len;
}

/* NXDOMAIN, or NODATA (NOERROR, no answer), with the SOA and an OPT when
 * the query had one. */
static size_t
synth_negative(const struct msg_query *q, const struct policy_decision *d, size_t limit,
               uint8_t *out, size_t cap)
{
	int rcode = d->action == POLICY_NXDOMAIN ? LDNS_RCODE_NXDOMAIN : LDNS_RCODE_NOERROR;
	if (limit > cap)
		limit = cap;
	size_t len = msg_write_header_question(q, msg_answer_flags(q, rcode), out, limit);
	if (len)
		len = synth_append_soa(out, len, limit, d->negative_ttl);
	if (len && q->edns)
		len = msg_append_opt(out, len, limit, q->do_bit, 0);
	return len ? len : synth_truncated(q, out, cap);
}

/* The sinkhole addresses of q's type, pushed to the answer section.
 * Returns how many. */
static int
synth_sinkhole(ldns_pkt *p, ldns_rdf *owner, const struct msg_query *q,
               const struct policy_decision *d)
{
	const struct policy_sinkhole *s = d->sinkhole;
	int n = 0, count = synth_sinkhole_count(q, d);
	for (int i = 0; i < count; i++) {
		ldns_rr *rr = ldns_rr_new();
		ldns_rdf *rd = q->qtype == LDNS_RR_TYPE_A
		                   ? ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, &s->a4[i])
		                   : ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, 16, &s->a6[i]);
		if (rr == NULL || rd == NULL) {
			ldns_rr_free(rr);
			ldns_rdf_deep_free(rd);
			break;
		}
		ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
		ldns_rr_set_type(rr, q->qtype);
		ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
		ldns_rr_set_ttl(rr, d->answer_ttl);
		ldns_rr_push_rdf(rr, rd);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
		n++;
	}
	return n;
}

size_t
synth_policy(const struct msg_query *q, const struct policy_decision *d, size_t limit, uint8_t *out,
             size_t cap)
{
	if (d->action == POLICY_REFUSED)
		return synth_error(q, LDNS_RCODE_REFUSED, true, out, cap);
	if (d->action != POLICY_SINKHOLE || synth_sinkhole_count(q, d) == 0)
		return synth_negative(q, d, limit, out, cap);
	ldns_rdf *owner = ldns_dname_new_frm_data(q->qname_len, q->qname);
	ldns_pkt *p = ldns_pkt_new();
	ldns_rr *qr = ldns_rr_new();
	size_t len = 0;
	uint8_t *wire = NULL;
	if (owner == NULL || p == NULL || qr == NULL)
		goto out;
	ldns_rr_set_owner(qr, ldns_rdf_clone(owner));
	ldns_rr_set_type(qr, q->qtype);
	ldns_rr_set_class(qr, q->qclass);
	ldns_rr_set_question(qr, true);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, qr);
	qr = NULL;
	ldns_pkt_set_id(p, q->id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_rd(p, (q->flags & MSG_F_RD) != 0);
	ldns_pkt_set_cd(p, (q->flags & MSG_F_CD) != 0);
	ldns_pkt_set_ra(p, true);
	if (synth_sinkhole(p, owner, q, d) == 0)
		goto out;
	ldns_pkt_set_rcode(p, LDNS_RCODE_NOERROR);
	if (q->edns) {
		ldns_pkt_set_edns_udp_size(p, MSG_EDNS_PAYLOAD);
		ldns_pkt_set_edns_do(p, q->do_bit);
	}
	size_t n;
	if (msg_pkt2wire(&wire, p, &n) != LDNS_STATUS_OK)
		goto out;
	if (limit > cap)
		limit = cap;
	if (n <= limit) {
		memcpy(out, wire, n);
		len = n;
	} else {
		len = synth_truncated(q, out, cap);
	}
out:
	ldns_rr_free(qr);
	free(wire);
	ldns_pkt_free(p);
	ldns_rdf_deep_free(owner);
	return len;
}
