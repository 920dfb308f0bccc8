/* The bounded JSON reader (see jsonread.h): recursive descent with a depth
 * limit over a private copy of the text, strings decoded in place (a decoded
 * string is never longer than its escaped form). */
#include "jsonread.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jp {
	struct jsonr *j;
	char *p, *end, *start;
	int max_tokens;
	const char *why; /* first error */
};

static int
fail(struct jp *x, const char *why)
{
	if (!x->why)
		x->why = why;
	return -1;
}

static void
skip_ws(struct jp *x)
{
	while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\n' || *x->p == '\r'))
		x->p++;
}

static int
new_tok(struct jp *x, enum jsonr_type t)
{
	struct jsonr *j = x->j;
	if (j->ntok >= x->max_tokens)
		return fail(x, "too many values");
	if (j->ntok == j->cap) {
		int cap = j->cap ? j->cap * 2 : 64;
		cap = cap > x->max_tokens ? x->max_tokens : cap;
		struct jsonr_tok *nt = realloc(j->tok, (size_t)cap * sizeof *nt);
		if (!nt)
			return fail(x, "out of memory");
		j->tok = nt;
		j->cap = cap;
	}
	j->tok[j->ntok] = (struct jsonr_tok){.type = t};
	return j->ntok++;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static int
utf8_len(const unsigned char *p, size_t n)
{
	int len;
	uint32_t c;
	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, c = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, c = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, c = p[0] & 0x07;
	else
		return 0;
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return len;
}

static int
hex4(const char *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;
		if (d < 0)
			return -1;
		*v = *v << 4 | (uint32_t)d;
	}
	return 0;
}

static char *
put_utf8(char *o, uint32_t c)
{
	if (c < 0x80)
		*o++ = (char)c;
	else if (c < 0x800) {
		*o++ = (char)(0xc0 | c >> 6);
		*o++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (char)(0xe0 | c >> 12);
		*o++ = (char)(0x80 | (c >> 6 & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (char)(0xf0 | c >> 18);
		*o++ = (char)(0x80 | (c >> 12 & 0x3f));
		*o++ = (char)(0x80 | (c >> 6 & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	}
	return o;
}

/* An escape after the backslash at x->p; writes the character at *o. */
static int
escape(struct jp *x, char **o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k;
	uint32_t c, lo;
	if (x->end - x->p < 2)
		return fail(x, "unterminated string");
	if (x->p[1] != 'u' && (k = strchr(from, x->p[1])) && x->p[1]) {
		*(*o)++ = to[k - from];
		x->p += 2;
		return 0;
	}
	if (x->p[1] != 'u' || x->end - x->p < 6 || hex4(x->p + 2, &c) == -1)
		return fail(x, "bad escape in string");
	x->p += 6;
	if (c >= 0xd800 && c <= 0xdbff) {
		if (x->end - x->p < 6 || x->p[0] != '\\' || x->p[1] != 'u' ||
		    hex4(x->p + 2, &lo) == -1 || lo < 0xdc00 || lo > 0xdfff)
			return fail(x, "lone surrogate in string");
		c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
		x->p += 6;
	} else if ((c >= 0xdc00 && c <= 0xdfff) || c == 0)
		return fail(x, c ? "lone surrogate in string" : "\\u0000 in string");
	*o = put_utf8(*o, c);
	return 0;
}

static int
string(struct jp *x)
{
	int t = new_tok(x, JSONR_STR);
	if (t < 0)
		return -1;
	char *o = ++x->p; /* decoded in place, behind the reading position */
	x->j->tok[t].s = o;
	while (x->p < x->end && *x->p != '"') {
		unsigned char c = (unsigned char)*x->p;
		if (c < 0x20)
			return fail(x, "control character in string");
		if (c == '\\') {
			if (escape(x, &o) == -1)
				return -1;
			continue;
		}
		int n = utf8_len((const unsigned char *)x->p, (size_t)(x->end - x->p));
		if (!n)
			return fail(x, "invalid UTF-8 in string");
		memmove(o, x->p, (size_t)n);
		o += n;
		x->p += n;
	}
	if (x->p == x->end)
		return fail(x, "unterminated string");
	*o = '\0'; /* over a byte already read: o <= x->p */
	x->p++;
	x->j->tok[t].end = t + 1;
	return t;
}

static int
number(struct jp *x)
{
	char *s = x->p, *e;
	if (x->p < x->end && *x->p == '-')
		x->p++;
	if (x->p < x->end && *x->p == '0')
		x->p++;
	else if (x->p < x->end && *x->p >= '1' && *x->p <= '9')
		while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
			x->p++;
	else
		return fail(x, "expected a value");
	if (x->p < x->end && *x->p == '.') {
		if (++x->p == x->end || *x->p < '0' || *x->p > '9')
			return fail(x, "bad number");
		while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
			x->p++;
	}
	if (x->p < x->end && (*x->p == 'e' || *x->p == 'E')) {
		x->p++;
		if (x->p < x->end && (*x->p == '+' || *x->p == '-'))
			x->p++;
		if (x->p == x->end || *x->p < '0' || *x->p > '9')
			return fail(x, "bad number");
		while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
			x->p++;
	}
	int t = new_tok(x, JSONR_NUM);
	if (t < 0)
		return -1;
	/* strtod stops at the same place: the grammar above is a subset of its */
	char save = *x->p;
	*x->p = '\0';
	x->j->tok[t].num = strtod(s, &e);
	*x->p = save;
	x->j->tok[t].end = t + 1;
	return t;
}

static int value(struct jp *x, int depth);

/* An array or object from its opening bracket. */
static int
container(struct jp *x, int depth, bool obj)
{
	int t = new_tok(x, obj ? JSONR_OBJ : JSONR_ARR);
	if (t < 0)
		return -1;
	x->p++;
	skip_ws(x);
	if (x->p < x->end && *x->p == (obj ? '}' : ']')) {
		x->p++;
		x->j->tok[t].end = x->j->ntok;
		return t;
	}
	for (;;) {
		skip_ws(x);
		if (obj) {
			if (x->p == x->end || *x->p != '"')
				return fail(x, "expected a member name");
			if (string(x) < 0)
				return -1;
			skip_ws(x);
			if (x->p == x->end || *x->p != ':')
				return fail(x, "expected ':'");
			x->p++;
		}
		if (value(x, depth + 1) < 0)
			return -1;
		x->j->tok[t].n++;
		skip_ws(x);
		if (x->p < x->end && *x->p == ',') {
			x->p++;
			continue;
		}
		if (x->p < x->end && *x->p == (obj ? '}' : ']')) {
			x->p++;
			break;
		}
		return fail(x, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
	x->j->tok[t].end = x->j->ntok;
	return t;
}

static int
literal(struct jp *x, const char *word, enum jsonr_type type)
{
	size_t n = strlen(word);
	if ((size_t)(x->end - x->p) < n || memcmp(x->p, word, n) != 0)
		return fail(x, "expected a value");
	x->p += n;
	int t = new_tok(x, type);
	if (t >= 0)
		x->j->tok[t].end = t + 1;
	return t;
}

static int
value(struct jp *x, int depth)
{
	if (depth > JSONR_MAX_DEPTH)
		return fail(x, "nested too deep");
	skip_ws(x);
	if (x->p == x->end)
		return fail(x, "expected a value");
	switch (*x->p) {
	case '{':
		return container(x, depth, true);
	case '[':
		return container(x, depth, false);
	case '"':
		return string(x);
	case 't':
		return literal(x, "true", JSONR_TRUE);
	case 'f':
		return literal(x, "false", JSONR_FALSE);
	case 'n':
		return literal(x, "null", JSONR_NULL);
	default:
		return number(x);
	}
}

int
jsonr_parse(struct jsonr *j, const char *text, size_t len, int max_tokens, char *err, size_t errlen)
{
	*j = (struct jsonr){0};
	/* one spare byte: number() terminates its text in place */
	if (len >= SIZE_MAX - 1 || !(j->buf = malloc(len + 1))) {
		snprintf(err, errlen, "line 1: out of memory");
		return -1;
	}
	memcpy(j->buf, text, len);
	j->buf[len] = '\0';
	struct jp x = {.j = j,
	               .p = j->buf,
	               .end = j->buf + len,
	               .start = j->buf,
	               .max_tokens = max_tokens > 0 ? max_tokens : 1};
	if (value(&x, 0) >= 0) {
		skip_ws(&x);
		if (x.p != x.end)
			fail(&x, "text after the value");
	}
	if (!x.why)
		return 0;
	int line = 1;
	for (const char *p = x.start; p < x.p; p++)
		line += *p == '\n';
	snprintf(err, errlen, "line %d: %s", line, x.why);
	jsonr_free(j);
	return -1;
}

void
jsonr_free(struct jsonr *j)
{
	free(j->tok);
	free(j->buf);
	*j = (struct jsonr){0};
}

int
jsonr_get(const struct jsonr *j, int obj, const char *key)
{
	if (obj < 0 || obj >= j->ntok || j->tok[obj].type != JSONR_OBJ)
		return -1;
	for (int k = obj + 1, m = 0; m < j->tok[obj].n; m++, k = j->tok[k + 1].end)
		if (strcmp(j->tok[k].s, key) == 0)
			return k + 1;
	return -1;
}

const char *
jsonr_str(const struct jsonr *j, int i)
{
	return i >= 0 && i < j->ntok && j->tok[i].type == JSONR_STR ? j->tok[i].s : NULL;
}

double
jsonr_num(const struct jsonr *j, int i, double dflt)
{
	return i >= 0 && i < j->ntok && j->tok[i].type == JSONR_NUM ? j->tok[i].num : dflt;
}
