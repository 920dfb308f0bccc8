/* The pattern table (see pattern.h): one open-addressing hash keyed on the
 * lower-case name, holding exact and whole-domain patterns and the parents
 * of wildcards, each of which chains its wildcards in position order. An
 * entry is a small header and the text as written: a key is compared with
 * that text, so no name is stored twice. */
#include "pattern.h"

#include "hash.h"

#include <ctype.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND_PARENT 3 /* after enum pattern_kind: the parent name of wildcards */

/* Followed by its text, NUL-terminated: the pattern as written, or for a
 * parent its name in lower case; when the text has capitals, then by its
 * name in lower case (lookups compare with that). */
struct pentry {
	uint32_t hash; /* key_final of the name; not used for a wildcard */
	uint32_t pos;  /* position (pattern_add_at): orders repeats and output */
	int32_t tag, line;
	uint8_t kind;    /* enum pattern_kind or KIND_PARENT */
	uint8_t namelen; /* of the name in presentation form, no trailing dot */
	bool lowered;    /* the lower-case name follows the text */
};

/* A parent (in the hash) and its wildcards (not), in position order. */
struct pchain {
	struct pchain *next;
	struct pentry e;
};

static struct pchain *
chain_of(const struct pentry *e)
{
	return (struct pchain *)((char *)e - offsetof(struct pchain, e));
}

/* Every name a pattern matches ends in the pattern's anchor: the last two
 * labels of its name, or its only one. A bit per anchor lets a lookup stop
 * after the name's last two labels when it ends in no anchor, as most
 * names (google.com, ...) do. A bit set by another anchor only costs the
 * full lookup. */
#define ANCHOR_BITS 4096

/* The slots live in pages of 64 kB, below the allocators' mmap threshold
 * (128 kB in glibc and musl): they are then carved from heap memory freed
 * by libconfig's list elements (policy.c frees them as it compiles them)
 * rather than from new pages, so a big inline list costs no more than
 * libconfig's tree of it. */
#define SLOT_SHIFT 13
#define SLOT_PAGE ((size_t)1 << SLOT_SHIFT)

struct pattern_table {
	struct arena *arena;
	struct pentry ***pages;  /* cap slots, SLOT_PAGE a page */
	size_t cap, used, count; /* slots, slots in use, patterns */
	uint64_t *names;         /* a bit per key hash: most probes are skipped */
	size_t nbits;            /* a power of two >= 2 cap */
	uint32_t npos, pending;  /* positions handed out, and not yet added */
	uint64_t anchors[ANCHOR_BITS / 64];
};

struct pattern_table *
pattern_table_new(struct arena *a)
{
	struct pattern_table *t = calloc(1, sizeof *t);
	if (t)
		t->arena = a;
	return t;
}

static size_t
page_count(size_t cap)
{
	return (cap + SLOT_PAGE - 1) >> SLOT_SHIFT;
}

static void
pages_free(struct pentry ***pages, size_t cap)
{
	for (size_t p = 0; pages && p < page_count(cap); p++)
		free(pages[p]);
	free(pages);
}

void
pattern_table_free(struct pattern_table *t)
{
	if (t) {
		pages_free(t->pages, t->cap);
		free(t->names);
		free(t);
	}
}

#define X4(f, c) f(c), f(c + 1), f(c + 2), f(c + 3)
#define X16(f, c) X4(f, c), X4(f, c + 4), X4(f, c + 8), X4(f, c + 12)
#define X64(f, c) X16(f, c), X16(f, c + 16), X16(f, c + 32), X16(f, c + 48)
#define X256(f)                                                                                    \
	{                                                                                          \
		X64(f, 0), X64(f, 64), X64(f, 128), X64(f, 192)                                    \
	}
#define LO(c) ((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c))
static const uint8_t lower_tab[256] = X256(LO);
/* A name's bytes as lookups hash and compare them: lower case, and a '.'
 * inside a label (legal on the wire) as 0xff, never equal to the '.'
 * between the labels of a pattern (nor to any byte a pattern holds). */
#define QB(c) ((c) == '.' ? 0xff : LO(c))
static const uint8_t query_tab[256] = X256(QB);

static char
lower(char c)
{
	return (char)lower_tab[(uint8_t)c];
}

/* FNV-1a over the labels from the root leftwards, so that the hashes of
 * all suffixes of a query name come out of one pass. */
#define HASH_ROOT HASH_FNV_BASIS

/* Writes the label to text on the way (see query_tab), and then its end:
 * '.' or (for the last label) NUL. */
static uint32_t
label_hash(uint32_t h, const uint8_t *label, char *text, bool last)
{
	unsigned len = label[0];
	h = hash_byte(h, (uint8_t)len);
	for (unsigned i = 0; i < len; i++) {
		uint8_t c = query_tab[label[i + 1]];
		text[i] = (char)c;
		h = hash_byte(h, c);
	}
	text[len] = last ? '\0' : '.';
	return h;
}

/* FNV's low bits depend only on the inputs' low bits: finish with a mixer
 * (murmur3's fmix32). Its high bits pick the slot, its low bits the names
 * bit, its top 12 bits the anchor bit. */
static uint32_t
key_final(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/* Hashes (and lowers) the labels of qn down to label stop. */
static void
name_hash_to(struct pattern_name *qn, int stop)
{
	for (int i = qn->hashed - 1; i >= stop; i--) {
		bool last = i + 1 == qn->n;
		qn->hs[i] = label_hash(last ? HASH_ROOT : qn->hs[i + 1], qn->wire + qn->offs[i],
		                       qn->text + qn->offs[i], last);
		qn->fs[i] = key_final(qn->hs[i]);
	}
	if (stop < qn->hashed)
		qn->hashed = stop;
}

int
pattern_name_init(struct pattern_name *qn, const uint8_t *wire, size_t len)
{
	size_t pos = 0;
	int n = 0;
	if (len > PATTERN_WIRE_MAX)
		return -1;
	while (pos < len && wire[pos] != 0) {
		size_t l = wire[pos];
		if (l > 63 || pos + 1 + l >= len || n >= 127)
			return -1;
		qn->offs[n++] = (uint8_t)pos;
		pos += 1 + l;
	}
	if (pos + 1 != len)
		return -1;
	qn->wire = wire;
	qn->len = (uint8_t)len;
	qn->n = qn->hashed = n;
	return n;
}

static uint32_t
anchor_bit(uint32_t f)
{
	return f >> 20;
}

static bool
anchor_seen(const struct pattern_table *t, uint32_t h)
{
	uint32_t b = anchor_bit(h);
	return (t->anchors[b / 64] >> (b % 64)) & 1;
}

/* Any capacity, not only powers of two: the table is sized to its need. */
static size_t
slot_of(const struct pattern_table *t, uint32_t hash)
{
	return (size_t)(((uint64_t)hash * t->cap) >> 32);
}

static size_t
slot_next(const struct pattern_table *t, size_t i)
{
	return i + 1 == t->cap ? 0 : i + 1;
}

static struct pentry **
slot(const struct pattern_table *t, size_t i)
{
	return &t->pages[i >> SLOT_SHIFT][i & (SLOT_PAGE - 1)];
}

/* The names bit of a key (the slot takes the hash's high bits, this the low). */
static void
name_mark(struct pattern_table *t, uint32_t hash)
{
	t->names[(hash & (t->nbits - 1)) / 64] |= 1ull << (hash % 64);
}

static bool
name_maybe(const struct pattern_table *t, uint32_t hash)
{
	return (t->names[(hash & (t->nbits - 1)) / 64] >> (hash % 64)) & 1;
}

static struct pentry ***
pages_new(size_t cap)
{
	size_t n = page_count(cap);
	struct pentry ***pages = calloc(n, sizeof *pages);
	for (size_t p = 0; pages && p < n; p++) {
		size_t len = p + 1 < n ? SLOT_PAGE : cap - p * SLOT_PAGE;
		if (!(pages[p] = calloc(len, sizeof **pages))) {
			pages_free(pages, p * SLOT_PAGE);
			return NULL;
		}
	}
	return pages;
}

/* Room for one more key, at most half full (a miss, as most label lookups
 * are, then probes ~2.5 slots): grow by 1.5 to 2 times, to what the
 * patterns reserved and still to come need when that is in the range. */
static int
table_fit(struct pattern_table *t)
{
	if ((t->used + 1) * 2 <= t->cap)
		return 0;
	size_t ocap = t->cap, cap = 2 * (t->used + t->pending + 1);
	if (cap > 2 * ocap)
		cap = 2 * ocap;
	if (cap < ocap + ocap / 2)
		cap = ocap + ocap / 2;
	if (cap < 64)
		cap = 64;
	size_t nbits = 4096;
	while (nbits < 2 * cap)
		nbits *= 2;
	struct pentry ***old = t->pages, ***pages = cap <= UINT32_MAX ? pages_new(cap) : NULL;
	uint64_t *names = pages ? calloc(nbits / 64, sizeof *names) : NULL;
	if (!names) {
		pages_free(pages, cap);
		return -1;
	}
	free(t->names);
	t->names = names;
	t->nbits = nbits;
	t->pages = pages;
	t->cap = cap;
	for (size_t i = 0; i < ocap; i++) {
		struct pentry *e = old[i >> SLOT_SHIFT][i & (SLOT_PAGE - 1)];
		if (e) {
			size_t j = slot_of(t, e->hash);
			while (*slot(t, j))
				j = slot_next(t, j);
			*slot(t, j) = e;
			name_mark(t, e->hash);
		}
	}
	pages_free(old, ocap);
	return 0;
}

static const char *
entry_text(const struct pentry *e)
{
	return (const char *)(e + 1);
}

/* The name in lower case, in presentation form (trailing dot optional). */
static const char *
entry_name(const struct pentry *e)
{
	const char *s = entry_text(e);
	return e->lowered ? s + strlen(s) + 1 : s + (e->kind == PATTERN_EXACT);
}

/* The slots of the entries for suffix i of qn (hashed), by kind (NULL:
 * none of that kind). */
static void
probe(const struct pattern_table *t, const struct pattern_name *qn, int i, struct pentry **k[4])
{
	uint32_t h = qn->fs[i];
	if (t->cap == 0 || !name_maybe(t, h))
		return;
	const char *name = qn->text + qn->offs[i];
	size_t len = (size_t)qn->len - qn->offs[i] - 2;
	for (size_t j = slot_of(t, h); *slot(t, j); j = slot_next(t, j)) {
		struct pentry **s = slot(t, j);
		if ((*s)->hash == h && (*s)->namelen == len &&
		    memcmp(entry_name(*s), name, len) == 0)
			k[(*s)->kind] = s;
	}
}

/* The glob g (a wildcard's text, up to its first '.') against the label s
 * (see query_tab): '*' matches any run of bytes, also none. */
static bool
glob_match(const char *g, const uint8_t *s, size_t sl)
{
	size_t gi = 0, si = 0, star = SIZE_MAX, mark = 0;
	while (si < sl) {
		if (g[gi] == '*') {
			star = gi++;
			mark = si;
		} else if (g[gi] != '.' && (uint8_t)lower(g[gi]) == s[si]) {
			gi++;
			si++;
		} else if (star != SIZE_MAX) {
			gi = star + 1;
			si = ++mark;
		} else
			return false;
	}
	while (g[gi] == '*')
		gi++;
	return g[gi] == '.';
}

/* The same glob: text (as written) up to its first '.' and the lower-case
 * glob of len bytes. */
static bool
glob_is(const char *text, const uint8_t *glob, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (text[i] == '.' || (uint8_t)lower(text[i]) != glob[i])
			return false;
	return text[len] == '.';
}

static bool
label_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* Validates a pattern text and builds the lower-case wire form of its name
 * (for a wildcard: of its parent; the glob label goes to glob). Returns the
 * kind, or -1 with a message in err. */
static int
pattern_parse(const char *text, uint8_t *wire, size_t *wirelen, uint8_t *glob, size_t *globlen,
              char *err, size_t errlen)
{
	int kind = PATTERN_DOMAIN;
	const char *s = text;
	if (*s == '=') {
		kind = PATTERN_EXACT;
		s++;
	}
	size_t len = strlen(s);
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0) {
		snprintf(err, errlen, "empty name in pattern \"%s\"", text);
		return -1;
	}
	if (len > 253) {
		snprintf(err, errlen, "name longer than 253 characters in pattern \"%.40s...\"",
		         text);
		return -1;
	}
	size_t w = 0, lstart = 0;
	int label = 0;
	bool wild = false;
	wire[0] = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			size_t l = i - lstart;
			if (l == 0) {
				snprintf(err, errlen, "empty label in pattern \"%s\"", text);
				return -1;
			}
			if (l > 63) {
				snprintf(err, errlen,
				         "label longer than 63 characters in pattern \"%s\"", text);
				return -1;
			}
			if (label == 0 && wild) {
				memcpy(glob, wire + 1, l);
				*globlen = l;
				w = 0;
			} else {
				wire[w] = (uint8_t)l;
				w += l + 1;
			}
			wire[w] = 0;
			lstart = i + 1;
			label++;
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		if (c & 0x80) {
			snprintf(err, errlen,
			         "non-ASCII name in pattern \"%s\": write internationalised names "
			         "as punycode (xn--...)",
			         text);
			return -1;
		}
		if (c == '*') {
			if (label != 0) {
				snprintf(
				    err, errlen,
				    "'*' only allowed in the leftmost label, in pattern \"%s\"",
				    text);
				return -1;
			}
			if (kind == PATTERN_EXACT) {
				snprintf(err, errlen,
				         "'=' and '*' cannot be combined, in pattern \"%s\"", text);
				return -1;
			}
			wild = true;
		} else if (!label_char_ok((char)c)) {
			snprintf(err, errlen,
			         "invalid character '%c' in pattern \"%s\" (letters, digits, '-', "
			         "'_' only)",
			         isprint(c) ? c : '?', text);
			return -1;
		}
		wire[w + 1 + (i - lstart)] = (uint8_t)lower((char)c);
	}
	if (wild) {
		if (label < 2) {
			snprintf(
			    err, errlen,
			    "wildcard pattern \"%s\" needs a parent name (e.g. \"*.example.com\")",
			    text);
			return -1;
		}
		kind = PATTERN_WILDCARD;
	}
	*wirelen = w + 1;
	return kind;
}

/* A parsed pattern: its kind, the name it is keyed on (for a wildcard the
 * parent's), hashed, and a wildcard's glob label. */
struct pkey {
	int kind;
	size_t globlen;
	uint8_t glob[64];
	uint8_t wire[PATTERN_WIRE_MAX + 1];
	struct pattern_name name;
};

static int
key_parse(struct pkey *k, const char *text, char *err, size_t errlen)
{
	size_t wirelen = 0;
	k->kind = pattern_parse(text, k->wire, &wirelen, k->glob, &k->globlen, err, errlen);
	if (k->kind < 0)
		return -1;
	pattern_name_init(&k->name, k->wire, wirelen);
	name_hash_to(&k->name, 0);
	return 0;
}

/* The entry of pattern k in t, or NULL; *parent: the chain of its parent
 * name (NULL when there is none). */
static struct pentry *
key_find(const struct pattern_table *t, const struct pkey *k, struct pchain **parent)
{
	struct pentry **s[4] = {NULL};
	probe(t, &k->name, 0, s);
	*parent = s[KIND_PARENT] ? chain_of(*s[KIND_PARENT]) : NULL;
	if (k->kind != PATTERN_WILDCARD)
		return s[k->kind] ? *s[k->kind] : NULL;
	for (struct pchain *c = *parent ? (*parent)->next : NULL; c; c = c->next)
		if (glob_is(entry_text(&c->e), k->glob, k->globlen))
			return &c->e;
	return NULL;
}

static int
key_insert(struct pattern_table *t, struct pentry *e)
{
	if (table_fit(t) < 0)
		return -1;
	size_t i = slot_of(t, e->hash);
	while (*slot(t, i))
		i = slot_next(t, i);
	*slot(t, i) = e;
	name_mark(t, e->hash);
	t->used++;
	return 0;
}

static void
key_replace(struct pattern_table *t, const struct pentry *old, struct pentry *e)
{
	size_t i = slot_of(t, old->hash);
	while (*slot(t, i) != old)
		i = slot_next(t, i);
	*slot(t, i) = e;
}

/* Into the chain in position order (a scan: wildcards under one name are few). */
static void
chain_insert(struct pchain *parent, struct pchain *c)
{
	struct pchain **pp = &parent->next;
	while (*pp && (*pp)->e.pos < c->e.pos)
		pp = &(*pp)->next;
	c->next = *pp;
	*pp = c;
}

static void
chain_remove(struct pchain *parent, const struct pchain *c)
{
	struct pchain **pp = &parent->next;
	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
}

static void
fill_match(struct pattern_match *m, const struct pentry *e)
{
	m->kind = e->kind;
	m->text = entry_text(e);
	m->tag = e->tag;
	m->line = e->line;
	m->pos = e->pos;
}

/* An entry for text (tl bytes) named like k. */
static struct pentry *
entry_new(struct pattern_table *t, int kind, const char *text, size_t tl, const struct pkey *k)
{
	size_t link =
	    kind == PATTERN_WILDCARD || kind == KIND_PARENT ? offsetof(struct pchain, e) : 0;
	size_t namelen = (size_t)k->name.len - 2;
	bool lowered = false;
	for (size_t i = 0; kind != PATTERN_WILDCARD && i < tl; i++)
		lowered |= text[i] != lower(text[i]);
	char *m = arena_alloc(t->arena,
	                      link + sizeof(struct pentry) + tl + 1 + (lowered ? namelen + 1 : 0));
	if (!m)
		return NULL;
	struct pentry *e = (struct pentry *)(m + link);
	e->hash = k->name.fs[0];
	e->kind = (uint8_t)kind;
	e->namelen = (uint8_t)namelen;
	e->lowered = lowered;
	char *s = memcpy(e + 1, text, tl);
	if (lowered)
		for (size_t i = 0; i < namelen; i++)
			s[tl + 1 + i] = lower(text[(kind == PATTERN_EXACT) + i]);
	return e;
}

/* The parent entry for the wildcards of k: its name in lower case. */
static struct pchain *
parent_new(struct pattern_table *t, const struct pkey *k)
{
	struct pentry *e = entry_new(t, KIND_PARENT, k->name.text, strlen(k->name.text), k);
	if (!e || key_insert(t, e) < 0)
		return NULL;
	return chain_of(e);
}

int64_t
pattern_reserve(struct pattern_table *t, size_t n)
{
	if (n > UINT32_MAX - t->npos)
		return -1;
	t->npos += (uint32_t)n;
	t->pending += (uint32_t)n;
	return t->npos - (uint32_t)n;
}

int
pattern_add(struct pattern_table *t, const char *text, int tag, int line, struct pattern_match *dup,
            char *err, size_t errlen)
{
	int64_t pos = pattern_reserve(t, 1);
	if (pos < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return pattern_add_at(t, (uint32_t)pos, text, tag, line, dup, err, errlen);
}

int
pattern_add_at(struct pattern_table *t, uint32_t pos, const char *text, int tag, int line,
               struct pattern_match *dup, char *err, size_t errlen)
{
	struct pkey k;
	struct pchain *parent;
	t->pending -= t->pending > 0;
	if (key_parse(&k, text, err, errlen) < 0)
		return -1;
	struct pentry *old = key_find(t, &k, &parent);
	if (old && old->pos < pos) {
		fill_match(dup, old);
		return -2;
	}
	if (k.kind == PATTERN_WILDCARD && !parent && !(parent = parent_new(t, &k)))
		goto nomem;
	struct pentry *e = entry_new(t, k.kind, text, strlen(text), &k);
	if (!e)
		goto nomem;
	e->pos = pos;
	e->tag = tag;
	e->line = line;
	if (k.kind == PATTERN_WILDCARD) {
		if (old)
			chain_remove(parent, chain_of(old));
		chain_insert(parent, chain_of(e));
	} else if (old) {
		key_replace(t, old, e);
	} else if (key_insert(t, e) < 0) {
		goto nomem;
	}
	int n = k.name.n;
	uint32_t b = anchor_bit(k.name.fs[n >= 2 ? n - 2 : 0]);
	t->anchors[b / 64] |= 1ull << (b % 64);
	if (old) {
		fill_match(dup, old);
		return -3;
	}
	t->count++;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

bool
pattern_find(const struct pattern_table *t, const char *text, struct pattern_match *m)
{
	struct pkey k;
	struct pchain *parent;
	char err[8];
	const struct pentry *e =
	    key_parse(&k, text, err, sizeof err) < 0 ? NULL : key_find(t, &k, &parent);
	if (e)
		fill_match(m, e);
	return e != NULL;
}

static const struct pentry *
wildcard_match(const struct pchain *parent, const struct pattern_name *qn)
{
	for (const struct pchain *c = parent->next; c; c = c->next)
		if (glob_match(entry_text(&c->e), (const uint8_t *)qn->text, qn->wire[0]))
			return &c->e;
	return NULL;
}

bool
pattern_lookup(const struct pattern_table *t, struct pattern_name *qn, struct pattern_match *m)
{
	int n = qn->n;
	if (n == 0 || t->count == 0)
		return false;
	int last = n >= 2 ? n - 2 : 0;
	name_hash_to(qn, last);
	if (!anchor_seen(t, qn->fs[n - 1]) && !anchor_seen(t, qn->fs[last]))
		return false;
	name_hash_to(qn, 0);
	/* Suffix by suffix, longest first: an exact pattern for the name, then
	 * a wildcard under its parent, then the longest domain. */
	const struct pentry *e = NULL, *dom = NULL;
	for (int i = 0; i < n && !e; i++) {
		if (name_maybe(t, qn->fs[i])) { /* most suffixes end here */
			struct pentry **k[4] = {NULL};
			probe(t, qn, i, k);
			if (i == 0 && k[PATTERN_EXACT])
				e = *k[PATTERN_EXACT];
			else if (i == 1 && k[KIND_PARENT])
				e = wildcard_match(chain_of(*k[KIND_PARENT]), qn);
			if (!dom && k[PATTERN_DOMAIN])
				dom = *k[PATTERN_DOMAIN];
		}
		if (!e && i >= 1)
			e = dom;
	}
	if (!e)
		e = dom;
	if (!e)
		return false;
	fill_match(m, e);
	return true;
}

static int
by_pos(const void *a, const void *b)
{
	uint32_t x = (*(const struct pentry *const *)a)->pos,
	         y = (*(const struct pentry *const *)b)->pos;
	return x < y ? -1 : x > y;
}

int
pattern_foreach(const struct pattern_table *t, void (*cb)(void *arg, const struct pattern_match *m),
                void *arg)
{
	const struct pentry **all = malloc((t->count ? t->count : 1) * sizeof *all);
	size_t n = 0;
	if (!all)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		const struct pentry *e = *slot(t, i);
		if (e && e->kind != KIND_PARENT)
			all[n++] = e;
		else if (e)
			for (const struct pchain *c = chain_of(e)->next; c; c = c->next)
				all[n++] = &c->e;
	}
	qsort(all, n, sizeof *all, by_pos);
	struct pattern_match m;
	for (size_t i = 0; i < n; i++) {
		fill_match(&m, all[i]);
		cb(arg, &m);
	}
	free(all);
	return 0;
}

size_t
pattern_count(const struct pattern_table *t)
{
	return t->count;
}

size_t
pattern_table_memory(const struct pattern_table *t)
{
	return sizeof *t + page_count(t->cap) * sizeof *t->pages + t->cap * sizeof **t->pages +
	       t->nbits / 8;
}

int
name_to_wire(const char *text, uint8_t *wire)
{
	ldns_rdf *rdf = NULL;
	if (!*text)
		text = ".";
	if (ldns_str2rdf_dname(&rdf, text) != LDNS_STATUS_OK || !rdf)
		return -1;
	size_t len = ldns_rdf_size(rdf);
	int ret = -1;
	if (len <= PATTERN_WIRE_MAX) {
		memcpy(wire, ldns_rdf_data(rdf), len);
		ret = (int)len;
	}
	ldns_rdf_deep_free(rdf);
	return ret;
}

const char *
pattern_parent(const struct pattern_match *m, char *buf, size_t len, const char **glob,
               size_t *globlen)
{
	const char *s = m->text + (m->kind == PATTERN_EXACT);
	*glob = NULL;
	*globlen = 0;
	if (m->kind == PATTERN_WILDCARD) {
		const char *dot = strchr(s, '.');
		*glob = s;
		*globlen = (size_t)(dot - s);
		s = dot + 1;
	}
	size_t i = 0;
	for (; s[i] && i + 1 < len; i++)
		buf[i] = lower(s[i]);
	if (i > 0 && buf[i - 1] == '.')
		i--;
	buf[i] = '\0';
	return buf;
}
