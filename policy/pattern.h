/* Name patterns and the table that matches query names against them.
 * Pattern syntax: "example.com" is the whole domain (the name and every name
 * below it), "=example.com" that name only, "dnl-*.example.com" a leftmost-
 * label wildcard ('*' matches any run of characters inside that one label).
 * Case-insensitive, trailing dot optional, ASCII only (IDNs as punycode).
 * A lookup costs one hash probe per label of the query name, plus the
 * wildcards written under the query's parent name; the name is lowered and
 * hashed once for all tables (struct pattern_name). */
#ifndef DNSD_PATTERN_H
#define DNSD_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

enum pattern_kind {
	PATTERN_EXACT,    /* "=name" */
	PATTERN_WILDCARD, /* "x-*.parent" */
	PATTERN_DOMAIN,   /* "name": name and below */
};

#define PATTERN_WIRE_MAX 255

struct pattern_match {
	enum pattern_kind kind;
	const char *text; /* the pattern as written; owned by the table */
	int tag;          /* what the caller gave to pattern_add (a category) */
	int line;         /* where it was written */
	uint32_t pos;     /* its position in the table (see pattern_reserve) */
};

struct pattern_table;

/* Entries (the text as written, once) live in arena a (borrowed; it must
 * outlive the table). The hash table itself is freed with pattern_table_free.
 * NULL when out of memory. */
struct pattern_table *pattern_table_new(struct arena *a);
void pattern_table_free(struct pattern_table *t);

/* Add text with tag and line, after every pattern added so far. Returns 0;
 * -1 with a message in err when the text is not a valid pattern; -2 when the
 * same pattern is already in the table (*dup then describes the earlier one). */
int pattern_add(struct pattern_table *t, const char *text, int tag, int line,
                struct pattern_match *dup, char *err, size_t errlen);

/* Room for n more patterns, added in any order with pattern_add_at at the
 * positions returned .. returned + n - 1 (after everything added before).
 * This lets a loader compile a list from its end and free each element once
 * compiled. Returns -1 when the 2^32 positions would run out. */
int64_t pattern_reserve(struct pattern_table *t, size_t n);
/* pattern_add at position pos; a pattern added earlier at a later position
 * is the repeat then: -3, *dup describes it and text takes its place. */
int pattern_add_at(struct pattern_table *t, uint32_t pos, const char *text, int tag, int line,
                   struct pattern_match *dup, char *err, size_t errlen);
/* The pattern in the table that text repeats (same kind and name). */
bool pattern_find(const struct pattern_table *t, const char *text, struct pattern_match *m);

/* A query name, lowered and hashed lazily by the lookups (labels from the
 * root leftwards, as far as a lookup needs): prepare it once for lookups in
 * several tables. */
struct pattern_name {
	const uint8_t *wire;         /* borrowed */
	uint8_t offs[128];           /* label offsets in wire */
	uint8_t len;                 /* of wire */
	int n, hashed;               /* labels (root excluded); lowest label hashed */
	uint32_t hs[128];            /* hs[i]: hash of labels i.. (valid for i >= hashed) */
	uint32_t fs[128];            /* and finished (pattern.c) */
	char text[PATTERN_WIRE_MAX]; /* dotted, lower case: suffix i at offs[i] */
};

/* A wire name (uncompressed, ending in the root label, any case; borrowed
 * until the last lookup with qn). Returns the number of labels or -1 when
 * it is malformed. */
int pattern_name_init(struct pattern_name *qn, const uint8_t *wire, size_t len);

/* The best match for qn: exact, then wildcard, then the longest domain. */
bool pattern_lookup(const struct pattern_table *t, struct pattern_name *qn,
                    struct pattern_match *m);

/* Every pattern, in the order of positions. Returns -1 (and calls cb for
 * none) when out of memory. */
int pattern_foreach(const struct pattern_table *t,
                    void (*cb)(void *arg, const struct pattern_match *m), void *arg);
size_t pattern_count(const struct pattern_table *t);
/* Bytes of the hash table itself (the entries live in the arena). */
size_t pattern_table_memory(const struct pattern_table *t);

/* A presentation name ("www.Example.com", escapes allowed) to a wire name
 * in wire (PATTERN_WIRE_MAX bytes; case kept, lookups lower it);
 * returns its length or -1. */
int name_to_wire(const char *text, uint8_t *wire);

/* The presentation form of the domain part of a pattern (no '=' and no
 * wildcard label, lower case, no trailing dot) into buf, and the wildcard
 * label (or NULL) into *glob. Returns buf. Only for texts pattern_add took. */
const char *pattern_parent(const struct pattern_match *m, char *buf, size_t len, const char **glob,
                           size_t *globlen);

#endif
