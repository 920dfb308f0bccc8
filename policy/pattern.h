/* Name patterns and the table that matches query names against them.
 * Pattern syntax: "example.com" is the whole domain (the name and every name
 * below it), "=example.com" that name only, "dnl-*.example.com" a leftmost-
 * label wildcard ('*' matches any run of characters inside that one label).
 * Case-insensitive, trailing dot optional, ASCII only (IDNs as punycode).
 * A lookup costs one hash probe per label of the query name, plus the
 * wildcards written under the query's parent name. */
#ifndef DNSD_PATTERN_H
#define DNSD_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

enum pattern_kind {
	PATTERN_EXACT,	  /* "=name" */
	PATTERN_WILDCARD, /* "x-*.parent" */
	PATTERN_DOMAIN,	  /* "name": name and below */
};

#define PATTERN_WIRE_MAX 255

struct pattern_match {
	enum pattern_kind kind;
	const char *text; /* the pattern as written; owned by the table */
	int tag;	  /* what the caller gave to pattern_add (a category) */
	int line;	  /* where it was written */
};

struct pattern_table;

/* Strings are copied into arena a (borrowed; it must outlive the table).
 * The table itself is freed with pattern_table_free. NULL when out of memory. */
struct pattern_table *pattern_table_new(struct arena *a);
void pattern_table_free(struct pattern_table *t);

/* Add text with tag and line. Returns 0; -1 with a message in err when the
 * text is not a valid pattern; -2 when the same pattern is already in the
 * table (*dup then describes the earlier one). */
int pattern_add(struct pattern_table *t, const char *text, int tag, int line,
    struct pattern_match *dup, char *err, size_t errlen);

/* The best match for a lower-case wire name with its label offsets (from
 * name_labels): exact, then wildcard, then the longest domain. */
bool pattern_lookup(const struct pattern_table *t, const uint8_t *wire,
    const uint8_t *offs, int nlabels, struct pattern_match *m);

/* Every pattern, in the order added. */
void pattern_foreach(const struct pattern_table *t,
    void (*cb)(void *arg, const struct pattern_match *m), void *arg);
size_t pattern_count(const struct pattern_table *t);
/* Bytes of the hash table itself (the entries live in the arena). */
size_t pattern_table_memory(const struct pattern_table *t);

/* Lower-case a wire name (uncompressed, ending in the root label) in place
 * and record label offsets; returns the number of labels (root excluded) or
 * -1 when it is malformed. offs needs 128 entries. */
int name_labels(uint8_t *wire, size_t len, uint8_t *offs);

/* A presentation name ("www.Example.com", escapes allowed) to a wire name
 * in wire (PATTERN_WIRE_MAX bytes; case kept, name_labels lowers it);
 * returns its length or -1. */
int name_to_wire(const char *text, uint8_t *wire);

/* The presentation form of the domain part of a pattern (no '=' and no
 * wildcard label, lower case, no trailing dot) into buf, and the wildcard
 * label (or NULL) into *glob. Returns buf. Only for texts pattern_add took. */
const char *pattern_parent(const struct pattern_match *m, char *buf, size_t len,
    const char **glob, size_t *globlen);

#endif
