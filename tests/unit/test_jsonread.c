/* Unit tests for the JSON reader (dnsd/jsonread.c): what RFC 8259 accepts
 * and rejects, string decoding (escapes, surrogate pairs, UTF-8), the token
 * layout that lets a caller skip a subtree, and the bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "jsonread.h"

static int
parse(struct jsonr *j, const char *text, char *err)
{
	return jsonr_parse(j, text, strlen(text), 1000, err, 128);
}

static void
test_valid_documents_parse(void **state)
{
	static const char *const ok[] = {
	    "0",
	    "-0.5e+3",
	    "\"\"",
	    "true",
	    "null",
	    " [ ] ",
	    "{}",
	    "[1,[2,[3]],{\"a\":{}}]",
	    "{\"a\":1,\"a\":2}",
	    "\"\\u00e9\\ud83d\\ude00\"",
	    "1E9",
	};
	struct jsonr j;
	char err[128];
	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		if (parse(&j, ok[i], err) != 0)
			fail_msg("%s: %s", ok[i], err);
		jsonr_free(&j);
	}
}

static void
test_invalid_documents_are_refused_with_a_line(void **state)
{
	static const char *const bad[][2] = {
	    {"", "line 1: expected a value"},
	    {"[1,]", "line 1: expected a value"},
	    {"{\"a\":1,}", "line 1: expected a member name"},
	    {"[1\n,\n2", "line 3: expected ',' or ']'"},
	    {"01", "line 1: text after the value"},
	    {"1.", "line 1: bad number"},
	    {"-", "line 1: expected a value"},
	    {"\"a", "line 1: unterminated string"},
	    {"\"\t\"", "line 1: control character in string"},
	    {"\"\\x\"", "line 1: bad escape in string"},
	    {"\"\\u0000\"", "line 1: \\u0000 in string"},
	    {"\"\\ud800\"", "line 1: lone surrogate in string"},
	    {"\"\\udc00\"", "line 1: lone surrogate in string"},
	    {"\"\xc0\xaf\"", "line 1: invalid UTF-8 in string"},     /* overlong '/' */
	    {"\"\xed\xa0\x80\"", "line 1: invalid UTF-8 in string"}, /* a surrogate */
	    {"\"\xe2\x82\"", "line 1: invalid UTF-8 in string"},     /* cut short */
	    {"tru", "line 1: expected a value"},
	    {"{} {}", "line 1: text after the value"},
	};
	struct jsonr j;
	char err[128];
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(parse(&j, bad[i][0], err), -1);
		assert_string_equal(err, bad[i][1]);
		assert_null(j.tok);
	}
}

static void
test_strings_are_decoded(void **state)
{
	struct jsonr j;
	char err[128];
	(void)state;
	assert_int_equal(
	    parse(&j, "[\"a\\\"b\\\\c\\/d\\n\", \"\\u00e9\\ud83d\\ude00\", \"\xc3\xa9\"]", err), 0);
	assert_string_equal(jsonr_str(&j, 1), "a\"b\\c/d\n");
	assert_string_equal(jsonr_str(&j, 2), "\xc3\xa9\xf0\x9f\x98\x80");
	assert_string_equal(jsonr_str(&j, 3), "\xc3\xa9");
	jsonr_free(&j);
}

static void
test_members_are_found_past_nested_values(void **state)
{
	struct jsonr j;
	char err[128];
	(void)state;
	assert_int_equal(parse(&j, "{\"a\":[1,{\"b\":2}],\"c\":{\"d\":[]},\"e\":42}", err), 0);
	assert_int_equal(j.tok[0].n, 3);
	assert_int_equal(j.tok[0].end, j.ntok);
	assert_true(jsonr_num(&j, jsonr_get(&j, 0, "e"), -1) == 42);
	assert_int_equal(jsonr_get(&j, 0, "b"), -1); /* not a member of the top */
	assert_int_equal(jsonr_get(&j, jsonr_get(&j, 0, "a"), "b"), -1); /* an array */
	assert_null(jsonr_str(&j, jsonr_get(&j, 0, "e")));
	assert_true(jsonr_num(&j, -1, 7) == 7);
	jsonr_free(&j);
}

static void
test_depth_and_token_bounds(void **state)
{
	char deep[2 * JSONR_MAX_DEPTH + 8], err[128];
	struct jsonr j;
	(void)state;
	memset(deep, '[', JSONR_MAX_DEPTH + 1);
	memset(deep + JSONR_MAX_DEPTH + 1, ']', JSONR_MAX_DEPTH + 1);
	deep[2 * JSONR_MAX_DEPTH + 2] = '\0';
	assert_int_equal(parse(&j, deep, err), 0);
	jsonr_free(&j);
	memmove(deep + 1, deep, strlen(deep) + 1);
	deep[0] = '[';
	strcat(deep, "]");
	assert_int_equal(parse(&j, deep, err), -1);
	assert_string_equal(err, "line 1: nested too deep");
	assert_int_equal(jsonr_parse(&j, "[1,2,3]", 7, 3, err, sizeof err), -1);
	assert_string_equal(err, "line 1: too many values");
	assert_int_equal(jsonr_parse(&j, "[1,2,3]", 7, 4, err, sizeof err), 0);
	jsonr_free(&j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_documents_parse),
	    cmocka_unit_test(test_invalid_documents_are_refused_with_a_line),
	    cmocka_unit_test(test_strings_are_decoded),
	    cmocka_unit_test(test_members_are_found_past_nested_values),
	    cmocka_unit_test(test_depth_and_token_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
