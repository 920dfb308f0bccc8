/* A small, bounded JSON reader for JSON that comes from elsewhere (another
 * dnsd's `hosts --json` export): the whole text in, a flat array of tokens
 * out, each subtree contiguous, strings decoded to NUL-terminated UTF-8.
 * Rejects what RFC 8259 rejects, invalid UTF-8, \u0000 and lone surrogates,
 * nesting deeper than JSONR_MAX_DEPTH and more than max_tokens tokens. */
#ifndef DNSD_JSONREAD_H
#define DNSD_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>

#define JSONR_MAX_DEPTH 32

enum jsonr_type { JSONR_NULL, JSONR_FALSE, JSONR_TRUE, JSONR_NUM, JSONR_STR, JSONR_ARR, JSONR_OBJ };

struct jsonr_tok {
	enum jsonr_type type;
	int end;    /* index of the token after this one's subtree */
	int n;      /* array: items; object: members (each a key then a value) */
	char *s;    /* string: decoded, NUL-terminated; owned by the reader */
	double num; /* number */
};

/* Owns its tokens and string bytes; jsonr_free releases both. */
struct jsonr {
	struct jsonr_tok *tok;
	int ntok, cap;
	char *buf;
};

/* Parse text[0..len) into j (tokens from index 0, the top value). 0, or -1
 * with "line N: what" in err and j left empty. */
int jsonr_parse(struct jsonr *j, const char *text, size_t len, int max_tokens, char *err,
                size_t errlen);
void jsonr_free(struct jsonr *j);

/* The value of member key of object token obj, or -1 (absent, or obj not an
 * object). */
int jsonr_get(const struct jsonr *j, int obj, const char *key);
/* Type-checked reads of token i (i may be -1): the string or NULL; the
 * number or dflt. */
const char *jsonr_str(const struct jsonr *j, int i);
double jsonr_num(const struct jsonr *j, int i, double dflt);

#endif
