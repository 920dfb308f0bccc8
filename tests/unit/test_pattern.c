/* Unit tests of the pattern table (policy/pattern.c) on its own: patterns
 * added out of order at reserved positions (as the loader compiles a list
 * from its end), repeats, output order, names compared byte for byte with
 * the text as written, and tables that grow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "pattern.h"

struct fixture {
	struct arena *arena;
	struct pattern_table *t;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	f->arena = arena_new();
	assert_non_null(f->arena);
	f->t = pattern_table_new(f->arena);
	assert_non_null(f->t);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	pattern_table_free(f->t);
	arena_free(f->arena);
	free(f);
	return 0;
}

static void
add(struct pattern_table *t, const char *text, int tag)
{
	char err[300];
	struct pattern_match dup;
	if (pattern_add(t, text, tag, tag, &dup, err, sizeof err) != 0)
		fail_msg("pattern_add(\"%s\"): %s", text, err);
}

/* pattern_add_at with the line as tag too. */
static int
add_at(struct pattern_table *t, int64_t pos, const char *text, int line, struct pattern_match *dup)
{
	char err[300];
	return pattern_add_at(t, (uint32_t)pos, text, line, line, dup, err, sizeof err);
}

/* The text of the match for a wire name (given as raw bytes), or NULL. */
static const char *
lookup_wire(const struct pattern_table *t, const void *wire, size_t len)
{
	struct pattern_name qn;
	struct pattern_match m;
	if (pattern_name_init(&qn, wire, len) < 0)
		fail_msg("bad wire name");
	return pattern_lookup(t, &qn, &m) ? m.text : NULL;
}

static const char *
lookup(const struct pattern_table *t, const char *name)
{
	uint8_t wire[PATTERN_WIRE_MAX];
	int len = name_to_wire(name, wire);
	assert_true(len > 0);
	return lookup_wire(t, wire, (size_t)len);
}

static void
expect_lookup(const struct pattern_table *t, const char *name, const char *want)
{
	const char *got = lookup(t, name);
	if (want == NULL && got == NULL)
		return;
	if (want == NULL || got == NULL || strcmp(want, got) != 0)
		fail_msg("%s: got %s, want %s", name, got ? got : "no match",
		         want ? want : "no match");
}

static void
test_added_from_the_end_the_first_written_still_wins(void **state)
{
	struct fixture *f = *state;
	struct pattern_match dup;
	int64_t base = pattern_reserve(f->t, 4);
	assert_true(base >= 0);
	/* Positions 3, 2, 1, 0: the order a list is compiled from its end. */
	assert_int_equal(add_at(f->t, base + 3, "x*.example", 13, &dup), 0);
	assert_int_equal(add_at(f->t, base + 2, "*y.example", 12, &dup), 0);
	assert_int_equal(add_at(f->t, base + 1, "=xy.example", 11, &dup), 0);
	assert_int_equal(add_at(f->t, base, "example", 10, &dup), 0);
	expect_lookup(f->t, "xy.example", "=xy.example");
	/* Both wildcards match: the one at the earlier position. */
	expect_lookup(f->t, "xay.example", "*y.example");
	expect_lookup(f->t, "xa.example", "x*.example");
	expect_lookup(f->t, "a.xy.example", "example");
	assert_int_equal(pattern_count(f->t), 4);
}

static void
test_a_repeat_at_an_earlier_position_takes_the_place(void **state)
{
	struct fixture *f = *state;
	char err[300];
	struct pattern_match dup, m;
	int64_t base = pattern_reserve(f->t, 4);
	assert_true(base >= 0);
	assert_int_equal(add_at(f->t, base + 3, "A.example", 40, &dup), 0);
	assert_int_equal(add_at(f->t, base + 2, "w-*.Example", 30, &dup), 0);
	/* An earlier repeat: -3, dup is the later one, which it replaces. */
	assert_int_equal(add_at(f->t, base + 1, "a.example.", 20, &dup), -3);
	assert_string_equal(dup.text, "A.example");
	assert_int_equal(dup.line, 40);
	assert_int_equal(add_at(f->t, base, "W-*.example", 10, &dup), -3);
	assert_string_equal(dup.text, "w-*.Example");
	assert_true(pattern_find(f->t, "A.EXAMPLE", &m));
	assert_string_equal(m.text, "a.example.");
	assert_int_equal(m.line, 20);
	assert_true(pattern_find(f->t, "w-*.example", &m));
	assert_string_equal(m.text, "W-*.example");
	assert_int_equal(m.line, 10);
	/* A later repeat: -2, dup is the earlier one. */
	assert_int_equal(pattern_add(f->t, "a.example", 2, 50, &dup, err, sizeof err), -2);
	assert_int_equal(dup.line, 20);
	assert_int_equal(pattern_count(f->t), 2);
	expect_lookup(f->t, "w-1.example", "W-*.example");
	assert_false(pattern_find(f->t, "=a.example", &m));
}

struct order {
	char texts[8][32];
	int n;
};

static void
collect(void *arg, const struct pattern_match *m)
{
	struct order *o = arg;
	if (o->n < 8)
		snprintf(o->texts[o->n++], sizeof o->texts[0], "%s", m->text);
}

static void
test_foreach_goes_by_position_not_by_insertion(void **state)
{
	struct fixture *f = *state;
	static const char *const texts[] = {"a.example", "=b.example", "c*.example", "d*.example",
	                                    "e.example"};
	struct pattern_match dup;
	struct order o = {.n = 0};
	add(f->t, "first.example", 0);
	int64_t base = pattern_reserve(f->t, 5);
	for (int i = 4; i >= 0; i--)
		assert_int_equal(add_at(f->t, base + i, texts[i], i, &dup), 0);
	add(f->t, "last.example", 0);
	assert_int_equal(pattern_foreach(f->t, collect, &o), 0);
	assert_int_equal(o.n, 7);
	assert_string_equal(o.texts[0], "first.example");
	for (int i = 0; i < 5; i++)
		assert_string_equal(o.texts[i + 1], texts[i]);
	assert_string_equal(o.texts[6], "last.example");
}

static void
test_a_label_holding_a_dot_or_nul_never_matches_two_labels(void **state)
{
	struct fixture *f = *state;
	add(f->t, "=a.b.example", 0);
	add(f->t, "c.d.example", 0);
	add(f->t, "x*.example", 0);
	/* One label "a.b" under example: the same characters, not the name. */
	static const uint8_t dotted[] = "\003a.b\007example";
	assert_null(lookup_wire(f->t, dotted, sizeof dotted));
	static const uint8_t dotted_domain[] = "\001z\003c.d\007example";
	assert_null(lookup_wire(f->t, dotted_domain, sizeof dotted_domain));
	static const uint8_t nul[] = "\003c\0d\007example";
	assert_null(lookup_wire(f->t, nul, sizeof nul));
	/* A wildcard's '*' does match any byte of its one label. */
	static const uint8_t glob[] = "\003x.y\007example";
	assert_non_null(lookup_wire(f->t, glob, sizeof glob));
	expect_lookup(f->t, "A.B.Example", "=a.b.example");
	expect_lookup(f->t, "z.c.d.example", "c.d.example");
}

static void
test_capitals_match_any_case_and_are_kept_as_written(void **state)
{
	struct fixture *f = *state;
	add(f->t, "WWW.Example.COM.", 0);
	add(f->t, "=Exact.EXAMPLE.com", 0);
	add(f->t, "Dnl-*.Geo.example.com", 0);
	expect_lookup(f->t, "www.example.com", "WWW.Example.COM.");
	expect_lookup(f->t, "a.WwW.eXample.com", "WWW.Example.COM.");
	expect_lookup(f->t, "EXACT.example.COM", "=Exact.EXAMPLE.com");
	expect_lookup(f->t, "x.exact.example.com", NULL);
	expect_lookup(f->t, "dnl-7.GEO.example.com", "Dnl-*.Geo.example.com");
	expect_lookup(f->t, "dnx-7.geo.example.com", NULL);
}

static void
test_a_growing_table_finds_every_pattern_and_nothing_else(void **state)
{
	struct fixture *f = *state;
	char text[64];
	struct pattern_match dup;
	enum { N = 30000 };
	int64_t base = pattern_reserve(f->t, N / 2);
	for (int i = N / 2 - 1; i >= 0; i--) {
		snprintf(text, sizeof text, "n%d.d%d.example", i, i % 97);
		assert_int_equal(add_at(f->t, base + i, text, i, &dup), 0);
	}
	for (int i = N / 2; i < N; i++) {
		snprintf(text, sizeof text, "n%d.d%d.example", i, i % 97);
		add(f->t, text, 0);
	}
	assert_int_equal(pattern_count(f->t), N);
	for (int i = 0; i < N; i += 7) {
		char name[80];
		snprintf(text, sizeof text, "n%d.d%d.example", i, i % 97);
		snprintf(name, sizeof name, "www.%s", text);
		expect_lookup(f->t, name, text);
		snprintf(name, sizeof name, "n%d.d%d.example", i, (i + 1) % 97);
		expect_lookup(f->t, name, NULL);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_added_from_the_end_the_first_written_still_wins,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_repeat_at_an_earlier_position_takes_the_place,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_foreach_goes_by_position_not_by_insertion, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_a_label_holding_a_dot_or_nul_never_matches_two_labels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_capitals_match_any_case_and_are_kept_as_written,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_a_growing_table_finds_every_pattern_and_nothing_else, setup, teardown),
	};
	return cmocka_run_group_tests_name("pattern", tests, NULL, NULL);
}
