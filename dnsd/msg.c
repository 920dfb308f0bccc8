/* Client query parsing and the small wire writes shared by every answer
 * dnsd sends. Parsing a query allocates nothing and checks every length;
 * msg_pkt2wire (answers ldns built) returns a copy the caller frees. */
#include "msg.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#define MSG_TYPE_OPT 41

size_t
msg_name_len(const uint8_t *name, size_t max)
{
	size_t pos = 0;
	while (pos < max) {
		uint8_t l = name[pos];
		if (l == 0)
			return pos + 1 <= MSG_NAME_MAX ? pos + 1 : 0;
		if (l > 63) /* compression or extended label types */
			return 0;
		pos += 1u + l;
	}
	return 0;
}

void
msg_name_lower(uint8_t *dst, const uint8_t *src, size_t len)
{
	/* Label lengths are <= 63 and never in 'A'..'Z', so lowering every
	 * byte is safe. */
	for (size_t i = 0; i < len; i++)
		dst[i] = (uint8_t)tolower(src[i]);
}

/* Skip a possibly compressed name; returns the position after it or 0. */
static size_t
msg_skip_name(const uint8_t *pkt, size_t len, size_t pos)
{
	while (pos < len) {
		uint8_t l = pkt[pos];
		if (l == 0)
			return pos + 1;
		if ((l & 0xc0) == 0xc0)
			return pos + 2 <= len ? pos + 2 : 0;
		if (l > 63)
			return 0;
		pos += 1u + l;
	}
	return 0;
}

/* The framing check of msg_wire2pkt. */
static int
msg_check_framing(const uint8_t *pkt, size_t len)
{
	if (len < MSG_HDR_LEN)
		return -1;
	unsigned qd = LDNS_QDCOUNT(pkt);
	unsigned n = qd + LDNS_ANCOUNT(pkt) + LDNS_NSCOUNT(pkt) + LDNS_ARCOUNT(pkt);
	size_t pos = MSG_HDR_LEN;
	for (unsigned i = 0; i < n; i++) {
		size_t start = pos;
		if ((pos = msg_skip_name(pkt, len, pos)) == 0)
			return -1;
		if (i < qd) {
			pos += 4;
		} else if (pos + 10 <= len && ldns_read_uint16(pkt + pos) != LDNS_RR_TYPE_TSIG) {
			pos += 10 + (size_t)ldns_read_uint16(pkt + pos + 8);
			/* ldns must read the record as ending where RDLENGTH says:
			 * it does not skip RDATA bytes its fields leave over, and
			 * would read them as further records (a TSIG among them). */
			ldns_rr *rr = NULL;
			size_t end = start;
			if (pos > len ||
			    ldns_wire2rr(&rr, pkt, len, &end, LDNS_SECTION_ANSWER) !=
			        LDNS_STATUS_OK ||
			    end != pos) {
				ldns_rr_free(rr);
				return -1;
			}
			ldns_rr_free(rr);
		} else
			return -1;
		if (pos > len)
			return -1;
	}
	return 0;
}

ldns_status
msg_pkt2wire(uint8_t **wire, const ldns_pkt *p, size_t *len)
{
	static ldns_buffer *work;
	*wire = NULL;
	if (work == NULL && (work = ldns_buffer_new(LDNS_MAX_PACKETLEN)) == NULL)
		return LDNS_STATUS_MEM_ERR;
	ldns_buffer_clear(work);
	ldns_status s = ldns_pkt2buffer_wire(work, p);
	if (s != LDNS_STATUS_OK)
		return s;
	*len = ldns_buffer_position(work);
	if ((*wire = malloc(*len ? *len : 1)) == NULL)
		return LDNS_STATUS_MEM_ERR;
	memcpy(*wire, ldns_buffer_begin(work), *len);
	return LDNS_STATUS_OK;
}

int
msg_wire2pkt(ldns_pkt **p, const uint8_t *pkt, size_t len)
{
	*p = NULL;
	if (msg_check_framing(pkt, len) != 0 || ldns_wire2pkt(p, pkt, len) != LDNS_STATUS_OK) {
		ldns_pkt_free(*p);
		*p = NULL;
		return -1;
	}
	return 0;
}

/* Keep the client options of the OPT RDATA d (len bytes); none when its
 * options do not tile it. */
static void
msg_keep_client_opts(struct msg_query *q, const uint8_t *d, size_t len)
{
	size_t pos = 0;
	q->nopts = 0;
	while (pos < len) {
		if (pos + 4 > len)
			goto bad;
		uint16_t code = ldns_read_uint16(d + pos), olen = ldns_read_uint16(d + pos + 2);
		pos += 4;
		if (pos + olen > len)
			goto bad;
		if ((code == MSG_OPT_ECS || code == MSG_OPT_MAC || code == MSG_OPT_DEVICEID) &&
		    olen <= MSG_CLIENT_OPT_MAX && q->nopts < MSG_CLIENT_OPTS) {
			struct msg_opt *o = &q->opts[q->nopts++];
			o->code = code;
			o->len = (uint8_t)olen;
			memcpy(o->data, d + pos, olen);
		}
		pos += olen;
	}
	return;
bad:
	q->nopts = 0;
}

/* Walk the answer, authority and additional sections looking for the OPT.
 * Returns MSG_OK or MSG_FORMERR. */
static enum msg_status
msg_parse_rrs(struct msg_query *q, const uint8_t *pkt, size_t len, size_t pos)
{
	unsigned n = LDNS_ANCOUNT(pkt) + LDNS_NSCOUNT(pkt) + LDNS_ARCOUNT(pkt);
	unsigned first_ar = LDNS_ANCOUNT(pkt) + LDNS_NSCOUNT(pkt);
	for (unsigned i = 0; i < n; i++) {
		size_t owner = pos;
		pos = msg_skip_name(pkt, len, pos);
		if (pos == 0 || pos + 10 > len)
			return MSG_FORMERR;
		uint16_t type = ldns_read_uint16(pkt + pos);
		size_t rdlen = ldns_read_uint16(pkt + pos + 8);
		if (pos + 10 + rdlen > len)
			return MSG_FORMERR;
		if (type == MSG_TYPE_OPT) {
			/* RFC 6891 6.1.1: one OPT, in the additional section,
			 * owned by the root. */
			if (q->edns || i < first_ar || pkt[owner] != 0)
				return MSG_FORMERR;
			q->edns = true;
			q->udp_size = ldns_read_uint16(pkt + pos + 2);
			q->edns_version = pkt[pos + 5];
			q->do_bit = (pkt[pos + 6] & 0x80) != 0;
			msg_keep_client_opts(q, pkt + pos + 10, rdlen);
		}
		pos += 10 + rdlen;
	}
	return MSG_OK;
}

/* The position after the question section, 0 when it is cut short. */
static size_t
msg_skip_questions(const uint8_t *pkt, size_t len)
{
	size_t pos = MSG_HDR_LEN;
	for (unsigned i = 0; i < LDNS_QDCOUNT(pkt); i++) {
		pos = msg_skip_name(pkt, len, pos);
		if (pos == 0 || (pos += 4) > len)
			return 0;
	}
	return pos;
}

enum msg_status
msg_parse_query(struct msg_query *q, const uint8_t *pkt, size_t len)
{
	q->has_question = false;
	q->edns = q->do_bit = false;
	q->edns_version = 0;
	q->udp_size = 0;
	q->nopts = 0;
	q->key_len = 0;
	if (len < MSG_HDR_LEN)
		return MSG_DROP;
	q->id = LDNS_ID_WIRE(pkt);
	q->flags = ldns_read_uint16(pkt + 2);
	if (q->flags & MSG_F_QR) /* never answer answers: loops */
		return MSG_DROP;

	if (LDNS_QDCOUNT(pkt) == 1) {
		size_t nl = msg_name_len(pkt + MSG_HDR_LEN, len - MSG_HDR_LEN);
		if (nl > 0 && MSG_HDR_LEN + nl + 4 <= len) {
			const uint8_t *t = pkt + MSG_HDR_LEN + nl;
			memcpy(q->qname, pkt + MSG_HDR_LEN, nl);
			q->qname_len = (uint8_t)nl;
			q->qtype = ldns_read_uint16(t);
			q->qclass = ldns_read_uint16(t + 2);
			q->has_question = true;
		}
	}
	/* The OPT is looked for before any error is decided: the error
	 * answer to a query with one carries one too (RFC 6891 6.1.1). */
	size_t pos = msg_skip_questions(pkt, len);
	enum msg_status st = pos ? msg_parse_rrs(q, pkt, len, pos) : MSG_FORMERR;
	if (MSG_OPCODE(q->flags) != LDNS_PACKET_QUERY)
		return MSG_NOTIMP;
	if (!q->has_question)
		return MSG_FORMERR;
	if (st != MSG_OK)
		return st;
	if (q->edns && q->edns_version > 0)
		return MSG_BADVERS;

	msg_name_lower(q->key, q->qname, q->qname_len);
	uint8_t *k = q->key + q->qname_len;
	ldns_write_uint16(k, q->qtype);
	ldns_write_uint16(k + 2, q->qclass);
	k[4] = (q->do_bit ? MSG_KEY_DO : 0) | (q->flags & MSG_F_CD ? MSG_KEY_CD : 0);
	q->key_len = q->qname_len + 5;
	return MSG_OK;
}

size_t
msg_udp_limit(const struct msg_query *q)
{
	if (!q->edns || q->udp_size <= MSG_UDP_MIN)
		return MSG_UDP_MIN;
	/* Never more than we advertise: avoids IP fragmentation (DNS flag
	 * day 2020). */
	return q->udp_size < MSG_EDNS_PAYLOAD ? q->udp_size : MSG_EDNS_PAYLOAD;
}

uint16_t
msg_answer_flags(const struct msg_query *q, int rcode)
{
	uint16_t f = MSG_F_QR | (q->flags & (0xf << 11 | MSG_F_RD)) | (uint16_t)(rcode & 0xf);
	/* RA and CD speak of recursion and validation: only for queries. */
	if (MSG_OPCODE(q->flags) == LDNS_PACKET_QUERY)
		f |= MSG_F_RA | (q->flags & MSG_F_CD);
	return f;
}

size_t
msg_write_header_question(const struct msg_query *q, uint16_t flags, uint8_t *out, size_t cap)
{
	size_t len = MSG_HDR_LEN + (q->has_question ? q->qname_len + 4u : 0);
	if (len > cap)
		return 0;
	memset(out, 0, MSG_HDR_LEN);
	ldns_write_uint16(out, q->id);
	ldns_write_uint16(out + 2, flags);
	if (q->has_question) {
		ldns_write_uint16(out + LDNS_QDCOUNT_OFF, 1);
		memcpy(out + MSG_HDR_LEN, q->qname, q->qname_len);
		ldns_write_uint16(out + MSG_HDR_LEN + q->qname_len, q->qtype);
		ldns_write_uint16(out + MSG_HDR_LEN + q->qname_len + 2, q->qclass);
	}
	return len;
}

size_t
msg_append_opt(uint8_t *out, size_t len, size_t cap, bool do_bit, uint8_t ext_rcode)
{
	if (len + MSG_OPT_LEN > cap)
		return 0;
	uint8_t *p = out + len;
	p[0] = 0; /* root owner */
	ldns_write_uint16(p + 1, MSG_TYPE_OPT);
	ldns_write_uint16(p + 3, MSG_EDNS_PAYLOAD);
	p[5] = ext_rcode;
	p[6] = 0; /* version */
	p[7] = do_bit ? 0x80 : 0;
	p[8] = 0;
	ldns_write_uint16(p + 9, 0); /* no options */
	ldns_write_uint16(out + LDNS_ARCOUNT_OFF, LDNS_ARCOUNT(out) + 1);
	return len + MSG_OPT_LEN;
}
