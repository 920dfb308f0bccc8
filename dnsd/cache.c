/* The answer cache: a chained hash table of wire-format answers with an LRU
 * list, bounded by entries and by bytes. Parsing happens once, at store
 * time (ldns re-encodes the answer, ldns_wire2dname walks every owner); a
 * hit only copies and patches. */
#include "cache.h"

#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "hash.h"

struct cache_ttl {
	uint16_t off; /* of the TTL field, from the start of the answer */
	uint32_t ttl; /* clamped at store time */
};

/* Of the answer only the records are kept (body): a hit writes the header
 * and the client's own question, which has the stored question's length
 * (the key matched), so TTL offsets and compression pointers still hold. */
struct cache_entry {
	struct cache_entry *hnext;       /* hash chain */
	struct cache_entry *prev, *next; /* LRU list, most recent first */
	uint32_t hash;
	uint32_t ttl;
	time_t stored;
	uint32_t size;  /* accounted bytes */
	uint16_t flags; /* the upstream header flags (rcode, AD) */
	uint16_t ancount, nscount, arcount;
	uint16_t key_len, body_len, cnames_len, nttl, ncnames;
	struct cache_ttl ttls[]; /* then key, body, cname targets */
};

struct cache {
	struct cache_limits lim;
	struct cache_entry **buckets;
	size_t nbuckets; /* a power of two */
	struct cache_entry *lru_head, *lru_tail;
	struct cache_stats st;
};

static uint8_t *
cache_entry_key(const struct cache_entry *e)
{
	return (uint8_t *)(e->ttls + e->nttl);
}

static uint8_t *
cache_entry_body(const struct cache_entry *e)
{
	return cache_entry_key(e) + e->key_len;
}

static uint32_t
cache_hash(const uint8_t *key, size_t len)
{
	uint32_t h = hash_bytes(hash_seed(), key, len);
	return h ^ (h >> 15);
}

struct cache *
cache_new(const struct cache_limits *lim)
{
	struct cache *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	c->lim = *lim;
	size_t want = lim->max_entries ? lim->max_entries : lim->max_bytes / 256;
	c->nbuckets = 64;
	while (c->nbuckets < want && c->nbuckets < (1u << 22))
		c->nbuckets <<= 1;
	c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
	if (c->buckets == NULL) {
		free(c->buckets);
		free(c);
		return NULL;
	}
	return c;
}

static void
cache_unlink(struct cache *c, struct cache_entry *e)
{
	struct cache_entry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];
	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	if (e->prev)
		e->prev->next = e->next;
	else
		c->lru_head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->lru_tail = e->prev;
	c->st.entries--;
	c->st.bytes -= e->size;
	free(e);
}

void
cache_flush(struct cache *c)
{
	while (c->lru_head)
		cache_unlink(c, c->lru_head);
}

void
cache_free(struct cache *c)
{
	if (c == NULL)
		return;
	cache_flush(c);
	free(c->buckets);
	free(c);
}

void
cache_get_stats(const struct cache *c, struct cache_stats *st)
{
	*st = c->st;
}

const struct cache_limits *
cache_get_limits(const struct cache *c)
{
	return &c->lim;
}

static uint32_t
cache_clamp(const struct cache_limits *lim, uint32_t ttl)
{
	if (ttl < lim->min_ttl)
		ttl = lim->min_ttl;
	if (lim->max_ttl && ttl > lim->max_ttl)
		ttl = lim->max_ttl;
	return ttl;
}

/* What one walk over an upstream answer finds. */
struct cache_scan {
	struct cache_ttl ttls[512];
	unsigned nttl;
	uint8_t cnames[2048];
	size_t cnames_len;
	unsigned ncnames;
	uint16_t ancount;
	size_t body; /* where the records start: after the question */
	int has_soa;
	uint32_t soa_neg; /* min(SOA TTL, SOA MINIMUM) */
	uint32_t min_ttl; /* over every record */
};

/* Walk one name with ldns (it checks compression pointers and lengths);
 * returns the uncompressed name, caller frees, or NULL. */
static ldns_rdf *
cache_read_name(const uint8_t *p, size_t len, size_t *pos)
{
	ldns_rdf *d = NULL;
	if (ldns_wire2dname(&d, p, len, pos) != LDNS_STATUS_OK)
		return NULL;
	return d;
}

static void
cache_add_cname(struct cache_scan *s, const uint8_t *p, size_t len, size_t rdpos)
{
	ldns_rdf *t = cache_read_name(p, len, &rdpos);
	if (t == NULL)
		return;
	size_t n = ldns_rdf_size(t);
	if (s->cnames_len + n <= sizeof s->cnames) {
		msg_name_lower(s->cnames + s->cnames_len, ldns_rdf_data(t), n);
		s->cnames_len += n;
		s->ncnames++;
	}
	ldns_rdf_deep_free(t);
}

/* Re-encode the parsed answer with ldns: every name is compressed again,
 * so pointers only reach names ldns wrote (never the header, whose counts
 * we rewrite), RDATA is framed as parsed, any TSIG is gone and the OPT, if
 * any, is the last record. Returns the new wire (caller frees) or NULL. */
static uint8_t *
cache_normalise(ldns_pkt *p, size_t *out_len)
{
	uint8_t *wire = NULL;
	ldns_rr_free(ldns_pkt_tsig(p));
	ldns_pkt_set_tsig(p, NULL);
	if (ldns_pkt_qdcount(p) != 1 || msg_pkt2wire(&wire, p, out_len) != LDNS_STATUS_OK) {
		free(wire);
		wire = NULL;
	}
	return wire;
}

/* Walk the normalised answer, noting every TTL, the CNAME targets and the
 * SOA of a negative answer, and cut off its OPT (we add our own per
 * client). 0, or -1 when it does not parse. */
static int
cache_scan(struct cache_scan *s, uint8_t *resp, size_t *lenp)
{
	size_t len = *lenp;
	size_t pos = MSG_HDR_LEN;
	if (len < MSG_HDR_LEN || len > LDNS_MAX_PACKETLEN || LDNS_QDCOUNT(resp) != 1)
		return -1;
	ldns_rdf *qn = cache_read_name(resp, len, &pos);
	if (qn == NULL)
		return -1;
	ldns_rdf_deep_free(qn);
	pos += 4;
	if (pos > len)
		return -1;
	s->body = pos;

	unsigned an = LDNS_ANCOUNT(resp), ns = LDNS_NSCOUNT(resp), ar = LDNS_ARCOUNT(resp);
	s->nttl = s->ncnames = 0;
	s->cnames_len = 0;
	s->ancount = (uint16_t)an;
	s->has_soa = 0;
	s->min_ttl = UINT32_MAX;
	for (unsigned i = 0; i < an + ns + ar; i++) {
		size_t start = pos;
		ldns_rdf *owner = cache_read_name(resp, len, &pos);
		if (owner == NULL)
			return -1;
		ldns_rdf_deep_free(owner);
		if (pos + 10 > len)
			return -1;
		uint16_t type = ldns_read_uint16(resp + pos);
		uint32_t ttl = ldns_read_uint32(resp + pos + 4);
		size_t rdlen = ldns_read_uint16(resp + pos + 8);
		size_t end = pos + 10 + rdlen;
		if (end > len || s->nttl == sizeof s->ttls / sizeof s->ttls[0])
			return -1;
		if (type == LDNS_RR_TYPE_OPT) {
			/* ldns writes it last; an OPT in the answer or
			 * authority section is a broken answer. */
			if (i + 1 != an + ns + ar || i < an + ns)
				return -1;
			ldns_write_uint16(resp + LDNS_ARCOUNT_OFF, (uint16_t)(ar - 1));
			*lenp = start;
			break;
		}
		if (ttl > INT32_MAX) /* RFC 2181 8: treat as zero */
			ttl = 0;
		s->ttls[s->nttl].off = (uint16_t)(pos + 4);
		s->ttls[s->nttl++].ttl = ttl;
		if (ttl < s->min_ttl)
			s->min_ttl = ttl;
		if (i < an && type == LDNS_RR_TYPE_CNAME)
			cache_add_cname(s, resp, len, pos + 10);
		if (i >= an && i < an + ns && type == LDNS_RR_TYPE_SOA && rdlen >= 22) {
			uint32_t minimum = ldns_read_uint32(resp + end - 4);
			s->soa_neg = ttl < minimum ? ttl : minimum;
			s->has_soa = 1;
		}
		pos = end;
	}
	return 0;
}

/* The entry's lifetime from what the scan found; 0 = not cacheable. */
static uint32_t
cache_entry_ttl(const struct cache_limits *lim, const struct cache_scan *s, int rcode)
{
	switch (rcode) {
	case LDNS_RCODE_SERVFAIL:
		return lim->servfail_ttl;
	case LDNS_RCODE_NXDOMAIN:
		return s->has_soa ? cache_clamp(lim, s->soa_neg) : 0;
	case LDNS_RCODE_NOERROR:
		if (s->ancount == 0) /* NODATA */
			return s->has_soa ? cache_clamp(lim, s->soa_neg) : 0;
		return cache_clamp(lim, s->min_ttl);
	default:
		return 0;
	}
}

struct cache_entry *
cache_entry_new(const struct cache_limits *lim, const uint8_t *key, size_t key_len,
                const uint8_t *resp, size_t resp_len, time_t now)
{
	ldns_pkt *p = NULL;
	if (msg_wire2pkt(&p, resp, resp_len) < 0)
		return NULL;
	struct cache_entry *e = cache_entry_from_pkt(lim, key, key_len, p, now);
	ldns_pkt_free(p);
	return e;
}

/* Minimal responses, as Unbound's default: a positive answer to a query
 * without DO keeps only its answer section. The upstream's NS and glue
 * are of no use to a stub, would cost cache memory, answer bytes and a
 * shorter lifetime (the entry lives as long as its shortest TTL). With DO
 * everything stays: a validator may need the proofs in the authority. */
static void
cache_minimise(ldns_pkt *p, const uint8_t *key, size_t key_len)
{
	if ((key[key_len - 1] & MSG_KEY_DO) || ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR ||
	    ldns_pkt_ancount(p) == 0)
		return;
	ldns_rr_list_deep_free(ldns_pkt_authority(p));
	ldns_pkt_set_authority(p, ldns_rr_list_new());
	ldns_pkt_set_nscount(p, 0);
	ldns_rr_list_deep_free(ldns_pkt_additional(p));
	ldns_pkt_set_additional(p, ldns_rr_list_new());
	ldns_pkt_set_arcount(p, 0);
}

struct cache_entry *
cache_entry_from_pkt(const struct cache_limits *lim, const uint8_t *key, size_t key_len,
                     ldns_pkt *p, time_t now)
{
	/* The key is the name and 5 bytes (type, class, bits): the stored
	 * question must be that long for a hit's own question to fit. */
	size_t key_extra = MSG_KEY_MAX - MSG_NAME_MAX;
	if (key_len < key_extra)
		return NULL;
	cache_minimise(p, key, key_len);
	struct cache_scan *s = malloc(sizeof *s);
	struct cache_entry *e = NULL;
	size_t norm_len = 0;
	uint8_t *norm = cache_normalise(p, &norm_len);
	if (s == NULL || norm == NULL || cache_scan(s, norm, &norm_len) < 0 ||
	    s->body != MSG_HDR_LEN + key_len - key_extra + 4)
		goto out;
	size_t body_len = norm_len - s->body;
	size_t size =
	    sizeof *e + s->nttl * sizeof(struct cache_ttl) + key_len + body_len + s->cnames_len;
	e = malloc(size);
	if (e == NULL)
		goto out;
	e->size = size;
	e->flags = ldns_read_uint16(norm + 2);
	e->ttl = cache_entry_ttl(lim, s, MSG_RCODE(e->flags));
	e->stored = now;
	e->ancount = LDNS_ANCOUNT(norm);
	e->nscount = LDNS_NSCOUNT(norm);
	e->arcount = LDNS_ARCOUNT(norm);
	e->key_len = (uint16_t)key_len;
	e->body_len = (uint16_t)body_len;
	e->cnames_len = (uint16_t)s->cnames_len;
	e->ncnames = (uint16_t)s->ncnames;
	e->nttl = (uint16_t)s->nttl;
	int negative = MSG_RCODE(e->flags) != LDNS_RCODE_NOERROR || s->ancount == 0;
	for (unsigned i = 0; i < s->nttl; i++) {
		uint32_t t = cache_clamp(lim, s->ttls[i].ttl);
		/* Records of a negative answer never outlive it. */
		e->ttls[i].off = s->ttls[i].off;
		e->ttls[i].ttl = negative && t > e->ttl ? e->ttl : t;
	}
	memcpy(cache_entry_key(e), key, key_len);
	memcpy(cache_entry_body(e), norm + s->body, body_len);
	memcpy(cache_entry_body(e) + body_len, s->cnames, s->cnames_len);
out:
	free(norm);
	free(s);
	return e;
}

void
cache_entry_free(struct cache_entry *e)
{
	free(e);
}

int
cache_entry_cacheable(const struct cache_entry *e)
{
	return e->ttl > 0;
}

int
cache_entry_rcode(const struct cache_entry *e)
{
	return MSG_RCODE(e->flags);
}

const uint8_t *
cache_entry_cnames(const struct cache_entry *e, unsigned *n)
{
	*n = e->ncnames;
	return cache_entry_body(e) + e->body_len;
}

static struct cache_entry *
cache_find(struct cache *c, const uint8_t *key, size_t key_len, uint32_t hash)
{
	struct cache_entry *e = c->buckets[hash & (c->nbuckets - 1)];
	for (; e; e = e->hnext)
		if (e->hash == hash && e->key_len == key_len &&
		    memcmp(cache_entry_key(e), key, key_len) == 0)
			return e;
	return NULL;
}

void
cache_insert(struct cache *c, struct cache_entry *e)
{
	if (!cache_entry_cacheable(e) || e->size > c->lim.max_bytes) {
		free(e);
		return;
	}
	e->hash = cache_hash(cache_entry_key(e), e->key_len);
	struct cache_entry *old = cache_find(c, cache_entry_key(e), e->key_len, e->hash);
	if (old)
		cache_unlink(c, old);
	while (c->lru_tail && (c->st.bytes + e->size > c->lim.max_bytes ||
	                       (c->lim.max_entries && c->st.entries >= c->lim.max_entries))) {
		cache_unlink(c, c->lru_tail);
		c->st.evictions++;
	}
	struct cache_entry **b = &c->buckets[e->hash & (c->nbuckets - 1)];
	e->hnext = *b;
	*b = e;
	e->prev = NULL;
	e->next = c->lru_head;
	if (c->lru_head)
		c->lru_head->prev = e;
	else
		c->lru_tail = e;
	c->lru_head = e;
	c->st.entries++;
	c->st.bytes += e->size;
	c->st.inserts++;
}

const struct cache_entry *
cache_lookup(struct cache *c, const uint8_t *key, size_t key_len, time_t now)
{
	uint32_t hash = cache_hash(key, key_len);
	struct cache_entry *e = cache_find(c, key, key_len, hash);
	if (e && now >= e->stored + (time_t)e->ttl) {
		cache_unlink(c, e);
		e = NULL;
	}
	if (e == NULL) {
		c->st.misses++;
		return NULL;
	}
	c->st.hits++;
	if (e != c->lru_head) { /* move to the front */
		e->prev->next = e->next;
		if (e->next)
			e->next->prev = e->prev;
		else
			c->lru_tail = e->prev;
		e->prev = NULL;
		e->next = c->lru_head;
		c->lru_head->prev = e;
		c->lru_head = e;
	}
	return e;
}

size_t
cache_render(const struct cache_entry *e, const struct msg_query *q, time_t now, size_t limit,
             uint8_t *out, size_t cap)
{
	size_t opt = q->edns ? MSG_OPT_LEN : 0;
	uint16_t flags = msg_answer_flags(q, MSG_RCODE(e->flags));
	/* RFC 6840 5.8: AD only to clients that asked for it. */
	if ((e->flags & MSG_F_AD) && (q->do_bit || (q->flags & MSG_F_AD)))
		flags |= MSG_F_AD;
	if (limit > cap)
		limit = cap;
	size_t head = MSG_HDR_LEN + q->qname_len + 4u, len;
	if (head + e->body_len + opt > limit) {
		len = msg_write_header_question(q, flags | MSG_F_TC, out, cap);
	} else {
		uint32_t age = now > e->stored ? (uint32_t)(now - e->stored) : 0;
		msg_write_header_question(q, flags, out, cap);
		ldns_write_uint16(out + LDNS_ANCOUNT_OFF, e->ancount);
		ldns_write_uint16(out + LDNS_NSCOUNT_OFF, e->nscount);
		ldns_write_uint16(out + LDNS_ARCOUNT_OFF, e->arcount);
		memcpy(out + head, cache_entry_body(e), e->body_len);
		len = head + e->body_len;
		for (unsigned i = 0; i < e->nttl; i++)
			ldns_write_uint32(out + e->ttls[i].off,
			                  e->ttls[i].ttl > age ? e->ttls[i].ttl - age : 0);
	}
	if (len && q->edns)
		len = msg_append_opt(out, len, cap, q->do_bit, 0);
	return len;
}
