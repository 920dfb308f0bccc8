/* The pattern table (see pattern.h): one open-addressing hash keyed on
 * (kind, lower-case wire name). Whole-domain and exact patterns are keyed on
 * their name; wildcards hang in a list off a key for their parent name. */
#include "pattern.h"

#include <ctype.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KEY_EXACT, KEY_DOMAIN, KEY_PARENT, KEY_ANCHOR };

/* One allocation per pattern: this header, the key, then the text as
 * written (NUL-terminated; empty for a parent key). */
struct pentry {
	struct pentry *next;  /* parent: first wildcard; wildcard: the next one */
	struct pentry *order; /* the next pattern in the order added */
	int32_t tag, line;
	uint32_t hash; /* key_hash of a key in the hash table */
	uint8_t keylen, keykind;
	uint8_t kind; /* enum pattern_kind */
	uint8_t key[]; /* wire name; for a wildcard its glob label */
};

static const char *
entry_text(const struct pentry *e)
{
	return (const char *)e->key + e->keylen;
}

/* Every name a pattern matches ends in the pattern's anchor: the last two
 * labels of its key, or its only one. A bit per anchor lets a lookup stop
 * after the name's last two labels when it ends in no anchor, as most
 * names (google.com, ...) do. A bit set by another anchor only costs the
 * full lookup. */
#define ANCHOR_BITS 4096

struct pattern_table {
	struct arena *arena;
	struct pentry **slots;
	size_t cap, used, count;
	struct pentry *first, *last;
	uint64_t anchors[ANCHOR_BITS / 64];
	int anchor_all; /* a pattern for the root: no name can be passed over */
};

struct pattern_table *
pattern_table_new(struct arena *a)
{
	struct pattern_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->arena = a;
	t->cap = 64;
	t->slots = calloc(t->cap, sizeof *t->slots);
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void
pattern_table_free(struct pattern_table *t)
{
	if (t) {
		free(t->slots);
		free(t);
	}
}

/* FNV-1a over the labels from the root leftwards, so that the hashes of
 * all suffixes of a query name come out of one pass (suffix_hashes). */
#define HASH_ROOT 2166136261u

static uint32_t
label_step(uint32_t h, const uint8_t *label)
{
	for (size_t i = 0; i <= label[0]; i++)
		h = (h ^ label[i]) * 16777619u;
	return h;
}

/* hs[i] for i from `from` down to stop: the hash of the name from label i
 * down to the root, of n labels (hs[from + 1] is read when from < n - 1). */
static void
suffix_hashes(const uint8_t *wire, const uint8_t *offs, int n, int from, int stop, uint32_t *hs)
{
	for (int i = from; i >= stop; i--)
		hs[i] = label_step(i + 1 < n ? hs[i + 1] : HASH_ROOT, wire + offs[i]);
}

/* FNV's low bits depend only on the inputs' low bits, and the table index
 * is the low bits: finish with a mixer (murmur3's fmix32). */
static uint32_t
key_final(uint32_t h, int keykind)
{
	h ^= (uint32_t)keykind * 0x9e3779b9u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/* The suffix hash of a whole wire name (before key_final); *anchor: that
 * of its anchor (last two labels), -1 for the root. */
static uint32_t
name_hash(const uint8_t *wire, int64_t *anchor)
{
	uint8_t offs[128] = { 0 };
	uint32_t hs[128];
	int n = 0;
	for (size_t pos = 0; wire[pos] && n < 128; pos += wire[pos] + 1u)
		offs[n++] = (uint8_t)pos;
	suffix_hashes(wire, offs, n, n - 1, 0, hs);
	*anchor = n ? (int64_t)hs[n >= 2 ? n - 2 : 0] : -1;
	return n ? hs[0] : HASH_ROOT;
}

static uint32_t
anchor_bit(uint32_t h)
{
	return key_final(h, KEY_ANCHOR) & (ANCHOR_BITS - 1);
}

static int
anchor_seen(const struct pattern_table *t, uint32_t h)
{
	uint32_t b = anchor_bit(h);
	return (t->anchors[b / 64] >> (b % 64)) & 1;
}

/* h: the suffix hash of key (before key_final). */
static struct pentry *
key_find(const struct pattern_table *t, int keykind, uint32_t h, const uint8_t *key, size_t len)
{
	size_t mask = t->cap - 1;
	h = key_final(h, keykind);
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct pentry *e = t->slots[i];
		if (!e)
			return NULL;
		if (e->hash == h && e->keykind == keykind && e->keylen == len &&
		    memcmp(e->key, key, len) == 0)
			return e;
	}
}

static void
key_insert_slot(struct pentry **slots, size_t cap, struct pentry *e)
{
	size_t mask = cap - 1;
	size_t i = e->hash & mask;
	while (slots[i])
		i = (i + 1) & mask;
	slots[i] = e;
}

static int
key_insert(struct pattern_table *t, struct pentry *e)
{
	/* At most half full: a miss (most label lookups) then probes ~2.5 slots. */
	if ((t->used + 1) * 2 > t->cap) {
		size_t cap = t->cap * 2;
		struct pentry **slots = calloc(cap, sizeof *slots);
		if (!slots)
			return -1;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slots[i])
				key_insert_slot(slots, cap, t->slots[i]);
		free(t->slots);
		t->slots = slots;
		t->cap = cap;
	}
	key_insert_slot(t->slots, t->cap, e);
	t->used++;
	return 0;
}

static bool
label_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '_';
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
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
		snprintf(err, errlen, "name longer than 253 characters in pattern \"%.40s...\"", text);
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
				snprintf(err, errlen, "label longer than 63 characters in pattern \"%s\"", text);
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
			snprintf(err, errlen, "non-ASCII name in pattern \"%s\": write internationalised names "
			    "as punycode (xn--...)", text);
			return -1;
		}
		if (c == '*') {
			if (label != 0) {
				snprintf(err, errlen, "'*' only allowed in the leftmost label, in pattern \"%s\"", text);
				return -1;
			}
			if (kind == PATTERN_EXACT) {
				snprintf(err, errlen, "'=' and '*' cannot be combined, in pattern \"%s\"", text);
				return -1;
			}
			wild = true;
		} else if (!label_char_ok((char)c)) {
			snprintf(err, errlen, "invalid character '%c' in pattern \"%s\" (letters, digits, '-', "
			    "'_' only)", isprint(c) ? c : '?', text);
			return -1;
		}
		wire[w + 1 + (i - lstart)] = (uint8_t)lower((char)c);
	}
	if (wild) {
		if (label < 2) {
			snprintf(err, errlen, "wildcard pattern \"%s\" needs a parent name (e.g. \"*.example.com\")",
			    text);
			return -1;
		}
		kind = PATTERN_WILDCARD;
	}
	*wirelen = w + 1;
	return kind;
}

static void
fill_match(struct pattern_match *m, const struct pentry *e)
{
	m->kind = e->kind;
	m->text = entry_text(e);
	m->tag = e->tag;
	m->line = e->line;
}

static struct pentry *
entry_new(struct pattern_table *t, const uint8_t *key, size_t keylen, int keykind, uint32_t hash,
    const char *text)
{
	size_t tl = strlen(text);
	struct pentry *e = arena_alloc(t->arena, sizeof *e + keylen + tl + 1);
	if (!e)
		return NULL;
	memcpy(e->key, key, keylen);
	memcpy(e->key + keylen, text, tl + 1);
	e->keylen = (uint8_t)keylen;
	e->keykind = (uint8_t)keykind;
	e->hash = key_final(hash, keykind);
	return e;
}

int
pattern_add(struct pattern_table *t, const char *text, int tag, int line,
    struct pattern_match *dup, char *err, size_t errlen)
{
	uint8_t wire[PATTERN_WIRE_MAX + 1], glob[64];
	size_t wirelen = 0, globlen = 0;
	int kind = pattern_parse(text, wire, &wirelen, glob, &globlen, err, errlen);
	if (kind < 0)
		return -1;

	int64_t anchor;
	uint32_t hash = name_hash(wire, &anchor);
	if (anchor < 0) {
		t->anchor_all = 1;
	} else {
		uint32_t b = anchor_bit((uint32_t)anchor);
		t->anchors[b / 64] |= 1ull << (b % 64);
	}
	struct pentry *e, *parent = NULL;
	if (kind == PATTERN_WILDCARD) {
		parent = key_find(t, KEY_PARENT, hash, wire, wirelen);
		for (e = parent ? parent->next : NULL; e; e = e->next)
			if (e->keylen == globlen && memcmp(e->key, glob, globlen) == 0) {
				fill_match(dup, e);
				return -2;
			}
		if (!parent) {
			parent = entry_new(t, wire, wirelen, KEY_PARENT, hash, "");
			if (!parent || key_insert(t, parent) < 0)
				goto nomem;
		}
		e = entry_new(t, glob, globlen, KEY_PARENT, 0, text); /* in a list, not hashed */
		if (!e)
			goto nomem;
		/* Append, so that the first wildcard written is tried first. */
		struct pentry **pp = &parent->next;
		while (*pp)
			pp = &(*pp)->next;
		*pp = e;
	} else {
		int keykind = kind == PATTERN_EXACT ? KEY_EXACT : KEY_DOMAIN;
		if ((e = key_find(t, keykind, hash, wire, wirelen))) {
			fill_match(dup, e);
			return -2;
		}
		if (!(e = entry_new(t, wire, wirelen, keykind, hash, text)) || key_insert(t, e) < 0)
			goto nomem;
	}
	e->kind = (uint8_t)kind;
	e->tag = tag;
	e->line = line;
	if (t->last)
		t->last->order = e;
	else
		t->first = e;
	t->last = e;
	t->count++;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* '*' matches any run of bytes (also none); both sides are lower case. */
static bool
glob_match(const uint8_t *g, size_t gl, const uint8_t *s, size_t sl)
{
	size_t gi = 0, si = 0, star = SIZE_MAX, mark = 0;
	while (si < sl) {
		if (gi < gl && g[gi] == '*') {
			star = gi++;
			mark = si;
		} else if (gi < gl && g[gi] == s[si]) {
			gi++;
			si++;
		} else if (star != SIZE_MAX) {
			gi = star + 1;
			si = ++mark;
		} else
			return false;
	}
	while (gi < gl && g[gi] == '*')
		gi++;
	return gi == gl;
}

bool
pattern_lookup(const struct pattern_table *t, const uint8_t *wire, const uint8_t *offs,
    int nlabels, struct pattern_match *m)
{
	if (nlabels == 0 || t->count == 0)
		return false;
	size_t total = offs[nlabels - 1] + wire[offs[nlabels - 1]] + 2;
	uint32_t hs[128];
	int last = nlabels >= 2 ? nlabels - 2 : 0;
	suffix_hashes(wire, offs, nlabels, nlabels - 1, last, hs);
	if (!t->anchor_all && !anchor_seen(t, hs[nlabels - 1]) && !anchor_seen(t, hs[last]))
		return false;
	suffix_hashes(wire, offs, nlabels, last - 1, 0, hs);
	const struct pentry *e = key_find(t, KEY_EXACT, hs[0], wire, total);
	if (!e && nlabels >= 2 &&
	    (e = key_find(t, KEY_PARENT, hs[1], wire + offs[1], total - offs[1]))) {
		for (e = e->next; e; e = e->next)
			if (glob_match(e->key, e->keylen, wire + 1, wire[0]))
				break;
	}
	for (int i = 0; !e && i < nlabels; i++)
		e = key_find(t, KEY_DOMAIN, hs[i], wire + offs[i], total - offs[i]);
	if (!e)
		return false;
	fill_match(m, e);
	return true;
}

void
pattern_foreach(const struct pattern_table *t, void (*cb)(void *arg, const struct pattern_match *m),
    void *arg)
{
	struct pattern_match m;
	for (const struct pentry *e = t->first; e; e = e->order) {
		fill_match(&m, e);
		cb(arg, &m);
	}
}

size_t
pattern_count(const struct pattern_table *t)
{
	return t->count;
}

size_t
pattern_table_memory(const struct pattern_table *t)
{
	return sizeof *t + t->cap * sizeof *t->slots;
}

int
name_labels(uint8_t *wire, size_t len, uint8_t *offs)
{
	size_t pos = 0;
	int n = 0;
	while (pos < len && wire[pos] != 0) {
		size_t l = wire[pos];
		if (l > 63 || pos + 1 + l >= len || n >= 127)
			return -1;
		offs[n++] = (uint8_t)pos;
		for (size_t i = pos + 1; i <= pos + l; i++)
			wire[i] = (uint8_t)lower((char)wire[i]);
		pos += 1 + l;
	}
	return pos + 1 == len ? n : -1;
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
