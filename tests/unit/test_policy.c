/* Unit tests of the policy engine: pattern kinds and precedence, names in
 * any case and form, time zones and DST, phase boundaries to the second,
 * client groups and exemptions, the clock-sanity rule, file:line errors,
 * the shipped policy and the exports. Policy files go to a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy.h"
#include "tztime.h"

static char tmpdir[64];
static int file_no;

/* Writes text to a new file in the temp dir; returns its path (static). */
static const char *
write_file(const char *text)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/p%d.conf", tmpdir, file_no++);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static struct policy *
load_text(const char *text)
{
	char err[1024];
	struct policy *p = policy_load(write_file(text), err, sizeof err);
	if (!p)
		fail_msg("policy did not load: %s", err);
	return p;
}

/* The first error of a bad policy (static buffer). */
static const char *
load_error(const char *text)
{
	static char err[1024];
	struct policy *p = policy_load(write_file(text), err, sizeof err);
	if (p) {
		policy_free(p);
		fail_msg("a bad policy loaded");
	}
	return err;
}

static time_t
at(const char *when)
{
	char err[300];
	time_t t;
	if (tztime_parse(when, NULL, &t, err, sizeof err) < 0)
		fail_msg("%s", err);
	return t;
}

static struct policy_decision
decide_at(const struct policy *p, const char *name, const struct client *c, time_t now)
{
	struct policy_decision d;
	assert_int_equal(policy_decide_name_ex(p, name, c, now, POLICY_NOW_TRUSTED, &d), 0);
	return d;
}

static struct policy_decision
decide(const struct policy *p, const char *name)
{
	return decide_at(p, name, NULL, at("2024-08-01T00:00:00Z"));
}

static struct client
client(const char *addr)
{
	struct client c = {0};
	assert_int_equal(netaddr_parse(&c.addr, addr), 0);
	return c;
}

static const char precedence_conf[] = "categories = {\n"
                                      "  dom = ( \"example.com\" );\n"
                                      "  exact = ( \"=www.example.com\" );\n"
                                      "  wild = ( \"w*.example.com\" );\n"
                                      "  sub = ( \"sub.example.com\", \"Upper.Example.NET.\" );\n"
                                      "};\n"
                                      "allow = ( \"=ok.sub.example.com\" );\n"
                                      "phases = ( { name = \"block\"; start = "
                                      "\"2024-01-01T00:00:00Z\"; others = \"nxdomain\"; } );\n";

static void
expect_match(const struct policy *p, const char *name, enum policy_action a, const char *cat,
             const char *pattern)
{
	struct policy_decision d = decide(p, name);
	assert_int_equal(d.action, a);
	if (cat)
		assert_string_equal(d.category, cat);
	else
		assert_null(d.category);
	if (pattern)
		assert_string_equal(d.pattern, pattern);
	else
		assert_null(d.pattern);
}

static void
test_exact_beats_wildcard_beats_longest_domain(void **state)
{
	(void)state;
	struct policy *p = load_text(precedence_conf);
	expect_match(p, "www.example.com", POLICY_NXDOMAIN, "exact", "=www.example.com");
	expect_match(p, "wx.example.com", POLICY_NXDOMAIN, "wild", "w*.example.com");
	expect_match(p, "w.example.com", POLICY_NXDOMAIN, "wild", "w*.example.com");
	expect_match(p, "example.com", POLICY_NXDOMAIN, "dom", "example.com");
	expect_match(p, "a.b.example.com", POLICY_NXDOMAIN, "dom", "example.com");
	expect_match(p, "a.sub.example.com", POLICY_NXDOMAIN, "sub", "sub.example.com");
	expect_match(p, "x.www.example.com", POLICY_NXDOMAIN, "dom", "example.com");
	/* '*' stays inside one label. */
	expect_match(p, "wx.deep.example.com", POLICY_NXDOMAIN, "dom", "example.com");
	expect_match(p, "example.org", POLICY_NONE, NULL, NULL);
	expect_match(p, "com", POLICY_NONE, NULL, NULL);
	policy_free(p);
}

static void
test_allowlist_wins_and_exact_allow_stays_exact(void **state)
{
	(void)state;
	struct policy *p = load_text(precedence_conf);
	struct policy_decision d = decide(p, "ok.sub.example.com");
	assert_int_equal(d.action, POLICY_ALLOW);
	assert_string_equal(d.reason, "allowlisted");
	assert_string_equal(d.category, "sub");
	expect_match(p, "x.ok.sub.example.com", POLICY_NXDOMAIN, "sub", "sub.example.com");
	policy_free(p);
}

static void
test_names_match_in_any_case_with_or_without_trailing_dot(void **state)
{
	(void)state;
	struct policy *p = load_text(precedence_conf);
	expect_match(p, "WWW.Example.COM.", POLICY_NXDOMAIN, "exact", "=www.example.com");
	expect_match(p, "upper.example.net", POLICY_NXDOMAIN, "sub", "Upper.Example.NET.");
	expect_match(p, "X.UPPER.EXAMPLE.NET.", POLICY_NXDOMAIN, "sub", "Upper.Example.NET.");
	policy_free(p);
}

static void
test_wire_names_are_decided_and_malformed_ones_ignored(void **state)
{
	(void)state;
	struct policy *p = load_text(precedence_conf);
	static const uint8_t www[] = "\3WWW\7example\3COM";
	static const uint8_t bad[] = "\77www\7example\3com";
	static const uint8_t dotted[] = "\6x.w\0w!\7example\3com";
	struct policy_decision d;
	policy_decide_ex(p, www, sizeof www, NULL, at("2024-08-01T00:00:00Z"), POLICY_NOW_TRUSTED,
	                 &d);
	assert_int_equal(d.action, POLICY_NXDOMAIN);
	assert_string_equal(d.pattern, "=www.example.com");
	/* A label holding a dot or a NUL is one label: no exact match, the domain still. */
	policy_decide_ex(p, dotted, sizeof dotted, NULL, at("2024-08-01T00:00:00Z"),
	                 POLICY_NOW_TRUSTED, &d);
	assert_string_equal(d.pattern, "example.com");
	policy_decide_ex(p, bad, sizeof bad, NULL, at("2024-08-01T00:00:00Z"), POLICY_NOW_TRUSTED,
	                 &d);
	assert_int_equal(d.action, POLICY_NONE);
	assert_int_equal(policy_decide_name(p, "a..b", NULL, 0, &d), -1);
	policy_free(p);
}

static void
test_idn_must_be_punycode(void **state)
{
	(void)state;
	const char *err = load_error("categories = {\n  a = (\n    \"b\xc3\xbc"
	                             "cher.example\"\n  );\n};\n");
	assert_non_null(strstr(err, ":3: "));
	assert_non_null(strstr(err, "punycode"));
	struct policy *p = load_text("categories = { a = ( \"xn--bcher-kva.example\" ); };\n");
	expect_match(p, "www.XN--BCHER-KVA.example", POLICY_LOG, "a", "xn--bcher-kva.example");
	policy_free(p);
}

static void
test_times_in_new_york_follow_edt_and_est(void **state)
{
	(void)state;
	assert_int_equal(at("2024-07-20 00:00 America/New_York"), at("2024-07-20T04:00:00Z"));
	assert_int_equal(at("2024-12-01 00:00 America/New_York"), at("2024-12-01T05:00:00Z"));
	assert_int_equal(at("2024-07-20T00:00:00-04:00"), at("2024-07-20T04:00:00Z"));
	assert_int_equal(at("2024-07-20T06:30:00+0230"), at("2024-07-20T04:00:00Z"));
	assert_int_equal(at("2024-07-20T04:00:00Z"), 1721448000);
	char err[300];
	time_t t;
	assert_int_equal(tztime_parse("2024-07-20 00:00", "America/New_York", &t, err, sizeof err),
	                 0);
	assert_int_equal(t, at("2024-07-20T04:00:00Z"));
}

static void
test_dst_gap_moves_forward_and_repeated_hour_takes_first(void **state)
{
	(void)state;
	/* 02:30 does not exist on 2024-03-10 in New York: 03:30 EDT. */
	assert_int_equal(at("2024-03-10 02:30 America/New_York"), at("2024-03-10T07:30:00Z"));
	/* 01:30 happens twice on 2024-11-03: the first, EDT. */
	assert_int_equal(at("2024-11-03 01:30 America/New_York"), at("2024-11-03T05:30:00Z"));
}

static void
test_bad_times_and_zones_are_errors(void **state)
{
	(void)state;
	char err[300];
	time_t t;
	assert_int_equal(tztime_parse("2024-07-20 00:00 Mars/Olympus", NULL, &t, err, sizeof err),
	                 -1);
	assert_non_null(strstr(err, "Mars/Olympus"));
	assert_int_equal(tztime_parse("2024-02-30", "UTC", &t, err, sizeof err), -1);
	assert_int_equal(tztime_parse("2024-07-20 00:00", NULL, &t, err, sizeof err), -1);
	assert_non_null(strstr(err, "timezone"));
	assert_int_equal(
	    tztime_parse("2024-07-20 00:00 ../../etc/passwd", NULL, &t, err, sizeof err), -1);
	assert_int_equal(tztime_parse("yesterday", "UTC", &t, err, sizeof err), -1);
}

static struct policy *
load_shipped(void)
{
	char err[1024];
	struct policy *p = policy_load("policy/kaspersky.conf", err, sizeof err);
	if (!p)
		fail_msg("%s", err);
	return p;
}

static void
expect_action_at(const struct policy *p, const char *name, time_t t, enum policy_action a,
                 const char *phase)
{
	struct policy_decision d = decide_at(p, name, NULL, t);
	if (d.action != a)
		fail_msg("%s at %lld: %s, want %s", name, (long long)t,
		         policy_action_name(d.action), policy_action_name(a));
	if (phase)
		assert_string_equal(d.phase, phase);
}

static void
test_shipped_policy_boundaries_to_the_second(void **state)
{
	(void)state;
	struct policy *p = load_shipped();
	time_t sales = at("2024-07-20T04:00:00Z"), cutoff = at("2024-09-29T04:00:00Z");
	expect_action_at(p, "my.kaspersky.com", sales - 1, POLICY_LOG, "audit");
	expect_action_at(p, "my.kaspersky.com", sales, POLICY_NXDOMAIN, "no-new-sales");
	expect_action_at(p, "activate.activation-v2.kaspersky.com", sales, POLICY_NXDOMAIN, NULL);
	expect_action_at(p, "s07.upd.kaspersky.com", sales, POLICY_LOG, "no-new-sales");
	expect_action_at(p, "s07.upd.kaspersky.com", cutoff - 1, POLICY_LOG, "no-new-sales");
	expect_action_at(p, "s07.upd.kaspersky.com", cutoff, POLICY_NXDOMAIN, "cutoff");
	expect_action_at(p, "dnl-19.geo.kaspersky.com", cutoff, POLICY_NXDOMAIN, "cutoff");
	expect_action_at(p, "ksn-verdict-geo.kaspersky-labs.com", cutoff - 1, POLICY_LOG, NULL);
	expect_action_at(p, "ksn-verdict-geo.kaspersky-labs.com", cutoff, POLICY_NXDOMAIN, NULL);
	expect_action_at(p, "ksn-dc1.geoksn.kaspersky.com", cutoff, POLICY_NXDOMAIN, NULL);
	expect_action_at(p, "touch.kaspersky.com", cutoff, POLICY_LOG, "cutoff");
	expect_action_at(p, "support.kaspersky.com", cutoff, POLICY_ALLOW, NULL);
	/* every Kaspersky-owned name is in a category: at least logged */
	expect_action_at(p, "www.kaspersky.com", cutoff, POLICY_LOG, "cutoff");
	expect_action_at(p, "www.kaspersky.de", cutoff, POLICY_LOG, "cutoff");
	expect_action_at(p, "dc1-file.ksn.kaspersky-labs.com", cutoff, POLICY_NXDOMAIN, "cutoff");
	expect_action_at(p, "www.example.com", cutoff, POLICY_NONE, NULL);
	/* Before not_before even a set clock counts as unsynced: the unsynced
	 * rule ("latest"), as dnsd does on a clock that reads that date. */
	expect_action_at(p, "my.kaspersky.com", at("2024-01-01T00:00:00Z"), POLICY_NXDOMAIN,
	                 "cutoff");
	assert_string_equal(policy_phase_at(p, sales - 1), "audit");
	assert_string_equal(policy_phase_at(p, sales), "no-new-sales");
	assert_null(policy_phase_at(p, at("2024-01-01T00:00:00Z")));
	assert_int_equal(policy_next_boundary(p, sales - 1), sales);
	assert_int_equal(policy_next_boundary(p, sales), cutoff);
	/* No later phase: the build date (the clock floor) is no boundary. */
	assert_int_equal(policy_next_boundary(p, cutoff), 0);
	policy_free(p);
}

static void
test_phase_end_returns_to_logging(void **state)
{
	(void)state;
	struct policy *p =
	    load_text("categories = { a = ( \"a.example\" ); };\n"
	              "phases = ( { name = \"x\"; start = \"2024-01-01T00:00:00Z\"; "
	              "end = \"2024-02-01T00:00:00Z\"; others = \"refused\"; } );\n");
	time_t end = at("2024-02-01T00:00:00Z");
	expect_action_at(p, "a.example", end - 1, POLICY_REFUSED, "x");
	struct policy_decision d = decide_at(p, "a.example", NULL, end);
	assert_int_equal(d.action, POLICY_LOG);
	assert_null(d.phase);
	assert_string_equal(d.reason, "no phase in force");
	assert_int_equal(policy_next_boundary(p, end - 1), end);
	policy_free(p);
}

static const char groups_conf[] =
    "categories = { a = ( \"a.example\" ); };\n"
    "phases = ( { name = \"block\"; start = \"2024-01-01T00:00:00Z\"; others = \"nxdomain\"; } );\n"
    "clients = (\n"
    "  { name = \"lab\"; addresses = ( \"10.0.0.0/8\", \"fd00::/8\" );\n"
    "    phases = ( { name = \"lab-audit\"; start = \"2024-01-01T00:00:00Z\"; } ); },\n"
    "  { name = \"migration\"; addresses = ( \"10.0.3.7\" ); exempt = true;\n"
    "    until = \"2024-10-15T00:00:00Z\"; reason = \"its migration\"; },\n"
    "  { name = \"kiosk\"; macs = ( \"02:00:00:00:00:01\" ); exempt = true; },\n"
    "  { name = \"lab-twin\"; addresses = ( \"10.0.0.0/8\" ); exempt = true; }\n"
    ");\n";

static void
test_expiring_exemption_ends_at_its_second(void **state)
{
	(void)state;
	struct policy *p = load_text(groups_conf);
	struct client c = client("10.0.3.7");
	time_t until = at("2024-10-15T00:00:00Z");
	struct policy_decision d = decide_at(p, "a.example", &c, until - 1);
	assert_int_equal(d.action, POLICY_ALLOW);
	assert_string_equal(d.group, "migration");
	assert_string_equal(d.reason, "client exempt: its migration");
	assert_int_equal(d.until, until);
	/* Expired: the next most specific group (lab, its own schedule) decides. */
	d = decide_at(p, "a.example", &c, until);
	assert_int_equal(d.action, POLICY_LOG);
	assert_string_equal(d.group, "lab");
	assert_string_equal(d.phase, "lab-audit");
	assert_int_equal(policy_next_boundary(p, until - 10), until);
	policy_free(p);
}

static void
test_overlapping_groups_most_specific_then_mac_then_first_listed(void **state)
{
	(void)state;
	struct policy *p = load_text(groups_conf);
	time_t t = at("2024-08-01T00:00:00Z");
	struct client c = client("10.9.9.9");
	struct policy_decision d = decide_at(p, "a.example", &c, t);
	assert_string_equal(d.group, "lab"); /* tie with lab-twin: the first listed */
	assert_int_equal(d.action, POLICY_LOG);
	c = client("fd00::1");
	assert_string_equal(decide_at(p, "a.example", &c, t).group, "lab");
	c = client("10.0.3.7");
	memcpy(c.mac, (const uint8_t[6]){2, 0, 0, 0, 0, 1}, 6);
	c.has_mac = true;
	d = decide_at(p, "a.example", &c, t);
	assert_string_equal(d.group, "kiosk");
	assert_int_equal(d.action, POLICY_ALLOW);
	c = client("192.168.1.1");
	d = decide_at(p, "a.example", &c, t);
	assert_null(d.group);
	assert_int_equal(d.action, POLICY_NXDOMAIN);
	policy_free(p);
}

static void
test_unsynced_clock_applies_latest_phase_by_default(void **state)
{
	(void)state;
	struct policy *p = load_shipped();
	time_t boot = 0; /* a router without RTC boots in 1970 */
	/* The shipped not_before is 2024-06-20: a floor past the cutoff is the
	 * build date (DNSD_BUILD_EPOCH) at work. */
	assert_true(policy_clock_floor(p) > at("2024-09-29T04:00:00Z"));
	struct policy_decision d;
	assert_int_equal(policy_decide_name(p, "s01.upd.kaspersky.com", NULL, boot, &d), 0);
	assert_true(d.clock_unsynced);
	assert_int_equal(d.action, POLICY_NXDOMAIN);
	assert_string_equal(d.phase, "cutoff");
	assert_string_equal(policy_phase_at_ex(p, boot, 0), "cutoff");
	assert_int_equal(policy_next_boundary(p, boot), at("2024-06-20T04:00:00Z"));
	/* A set clock (dnsd -n, --at) is taken as it is down to the file's
	 * not_before, below the build date too... */
	time_t july = at("2024-07-01T00:00:00Z");
	policy_decide_name_ex(p, "s01.upd.kaspersky.com", NULL, july, POLICY_NOW_TRUSTED, &d);
	assert_false(d.clock_unsynced);
	assert_int_equal(d.action, POLICY_LOG);
	assert_int_equal(policy_clock_floor_ex(p, POLICY_NOW_TRUSTED), at("2024-06-20T04:00:00Z"));
	/* ...and below it is a clock that has not synced (dnsd -n @0). */
	policy_decide_name_ex(p, "s01.upd.kaspersky.com", NULL, boot, POLICY_NOW_TRUSTED, &d);
	assert_true(d.clock_unsynced);
	assert_int_equal(d.action, POLICY_NXDOMAIN);
	assert_true(policy_clock_unsynced(p, boot, POLICY_NOW_TRUSTED));
	/* At the floor the clock counts as synced. */
	policy_decide_name(p, "s01.upd.kaspersky.com", NULL, policy_clock_floor(p), &d);
	assert_false(d.clock_unsynced);
	policy_free(p);
}

static void
test_syntax_errors_name_where_a_string_starts_and_whole_file_errors_no_line(void **state)
{
	(void)state;
	/* A quote in a comment does not count; the string opened on line 3
	 * runs on and libconfig fails on line 5. */
	const char *err =
	    load_error("# a \"quoted\" word\ntimezone = \"UTC\";\n"
	               "categories = { a = ( \"x.test ); };\nphases = ( { name = \"on\";\n"
	               "start = \"2020-01-01\"; } );\n");
	assert_non_null(strstr(err, ":3: unterminated string"));
	char missing[] = "/nonexistent/dir/policy.conf";
	char buf[300];
	assert_null(policy_load(missing, buf, sizeof buf));
	assert_string_equal(buf,
	                    "/nonexistent/dir/policy.conf: cannot read: No such file or directory");
}

static void
test_audit_mode_logs_what_would_block(void **state)
{
	(void)state;
	struct policy *p = load_shipped();
	time_t cutoff = at("2024-09-29T04:00:00Z");
	struct policy_decision d;
	policy_decide_name_ex(p, "s01.upd.kaspersky.com", NULL, cutoff,
	                      POLICY_NOW_TRUSTED | POLICY_AUDIT, &d);
	assert_int_equal(d.action, POLICY_LOG);
	assert_string_equal(d.category, "update");
	assert_string_equal(d.phase, "cutoff");
	/* On an unsynced clock too. */
	policy_decide_name_ex(p, "s01.upd.kaspersky.com", NULL, 0, POLICY_AUDIT, &d);
	assert_true(d.clock_unsynced);
	assert_int_equal(d.action, POLICY_LOG);
	/* Allowlisted names and names in no category are unchanged. */
	policy_decide_name_ex(p, "support.kaspersky.com", NULL, cutoff, POLICY_AUDIT, &d);
	assert_int_equal(d.action, POLICY_ALLOW);
	policy_decide_name_ex(p, "www.debian.org", NULL, cutoff, POLICY_AUDIT, &d);
	assert_int_equal(d.action, POLICY_NONE);
	policy_free(p);
}

static void
test_unsynced_rule_first_log_or_named_phase(void **state)
{
	(void)state;
	static const char fmt[] =
	    "not_before = \"2037-01-01T00:00:00Z\"; unsynced = \"%s\";\n"
	    "categories = { a = ( \"a.example\" ); };\n"
	    "phases = ( { name = \"one\"; start = \"2024-01-01T00:00:00Z\"; others = \"nodata\"; "
	    "},\n"
	    "  { name = \"two\"; start = \"2024-02-01T00:00:00Z\"; others = \"nxdomain\"; },\n"
	    "  { name = \"three\"; start = \"2024-03-01T00:00:00Z\"; others = \"refused\"; } );\n"
	    "clients = ( { name = \"old\"; addresses = ( \"10.0.0.1\" ); exempt = true;\n"
	    "  until = \"2037-06-01T00:00:00Z\"; } );\n";
	static const struct {
		const char *rule, *phase;
		enum policy_action a;
	} cases[] = {{"first", "one", POLICY_NODATA},
	             {"two", "two", POLICY_NXDOMAIN},
	             {"latest", "three", POLICY_REFUSED},
	             {"log", NULL, POLICY_LOG}};
	char text[1024];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, fmt, cases[i].rule);
		struct policy *p = load_text(text);
		assert_int_equal(policy_clock_floor(p), at("2037-01-01T00:00:00Z"));
		struct policy_decision d;
		/* Even in 2024-08, below the floor: unsynced. */
		struct client c = client("10.0.0.1");
		policy_decide_name(p, "a.example", &c, at("2024-08-01T00:00:00Z"), &d);
		assert_true(d.clock_unsynced);
		assert_int_equal(d.action, cases[i].a);
		/* A dated exemption cannot be trusted on an unsynced clock. */
		assert_null(d.group);
		if (cases[i].phase)
			assert_string_equal(d.phase, cases[i].phase);
		policy_free(p);
	}
	assert_non_null(strstr(load_error("unsynced = \"never\";\n"), ":1: "));
}

static void
test_refused_nodata_sinkhole_and_ttls(void **state)
{
	(void)state;
	struct policy *p =
	    load_text("negative_ttl = 120; answer_ttl = 30;\n"
	              "sinkhole = { a = ( \"192.0.2.1\" ); aaaa = ( \"2001:db8::1\", \"::\" ); };\n"
	              "categories = { r = ( \"r.example\" ); n = ( \"n.example\" ); s = ( "
	              "\"s.example\" ); };\n"
	              "phases = ( { name = \"p\"; start = \"2024-01-01T00:00:00Z\";\n"
	              "  actions = { r = \"refused\"; n = \"nodata\"; s = \"sinkhole\"; }; } );\n");
	struct policy_decision d = decide(p, "r.example");
	assert_int_equal(d.action, POLICY_REFUSED);
	assert_int_equal(d.negative_ttl, 120);
	assert_int_equal(decide(p, "x.n.example").action, POLICY_NODATA);
	d = decide(p, "s.example");
	assert_int_equal(d.action, POLICY_SINKHOLE);
	assert_int_equal(d.answer_ttl, 30);
	assert_int_equal(d.sinkhole->n4, 1);
	assert_int_equal(d.sinkhole->n6, 2);
	assert_int_equal(d.sinkhole->a4[0].s_addr, htonl(0xc0000201));
	policy_free(p);
	assert_non_null(
	    strstr(load_error("categories = { s = ( \"s.example\" ); };\n"
	                      "phases = ( { name = \"p\"; start = \"2024-01-01T00:00:00Z\";\n"
	                      "  others = \"sinkhole\"; } );\n"),
	           ":3: action sinkhole needs"));
}

static void
test_bad_files_give_file_line_messages(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"categories = {\n a = ( \"x\" \n", ":3: syntax error"},
	    {"categories = { a = ( \"a.example\" ); };\nphases = ( { name = \"p\";\n"
	     "  start = \"2024-13-01T00:00:00Z\"; } );\n",
	     ":3: start: bad date-time"},
	    {"categories = { a = ( \"a.example\" );\n b = ( \"A.example.\" ); };\n",
	     ":2: pattern \"A.example.\" repeats \"a.example\" of a (line 1)"},
	    {"categories = { a = (\n \"x.*.example\" ); };\n", ":2: '*' only allowed"},
	    {"categories = { a = ( \"*\" ); };\n", ":1: wildcard pattern"},
	    {"categroies = { };\n", ":1: unknown setting \"categroies\""},
	    {"phases = ( { name = \"b\"; start = \"2024-02-01T00:00:00Z\"; },\n"
	     " { name = \"a\"; start = \"2024-01-01T00:00:00Z\"; } );\n",
	     ":2: phase \"a\" must start after"},
	    {"phases = ( { name = \"p\"; start = \"2024-01-01T00:00:00Z\";\n actions = { nope = "
	     "\"log\"; }; } );\n",
	     ":2: phase \"p\": no category \"nope\""},
	    {"clients = ( { name = \"g\";\n addresses = ( \"10.0.0.999\" ); exempt = true; } );\n",
	     ":2: client group \"g\": \"10.0.0.999\" is not an address"},
	    {"clients = ( { name = \"g\"; addresses = ( \"10.0.0.1\" );\n until = "
	     "\"2024-01-01T00:00:00Z\"; } );\n",
	     ":1: client group \"g\": \"until\" ends an exemption"},
	    {"timezone = \"Nowhere/City\";\n", ":1: unknown time zone \"Nowhere/City\""},
	    {"phases = ( { name = \"p\"; start = \"2024-01-01 00:00\"; } );\n",
	     "no UTC offset or time zone"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *err = load_error(cases[i].text);
		if (!strstr(err, cases[i].want) || strncmp(err, tmpdir, strlen(tmpdir)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err, cases[i].want);
	}
}

static void
count_error(void *arg, const char *msg)
{
	(void)msg;
	(*(int *)arg)++;
}

static void
test_check_reports_every_error(void **state)
{
	(void)state;
	int n = 0;
	const char *path = write_file("categories = { a = ( \"bad..one\", \"b\xc3\xa4\" ); };\n"
	                              "phases = ( { name = \"p\"; start = \"never\"; } );\n"
	                              "clients = ( { name = \"g\"; } );\n");
	int ret = policy_check(path, count_error, &n);
	assert_int_equal(ret, n);
	assert_true(n >= 5);
	char err[1024];
	assert_null(policy_load(path, err, sizeof err));
	assert_non_null(strstr(err, "more errors"));
	n = 0;
	assert_int_equal(policy_check("policy/kaspersky.conf", count_error, &n), 0);
}

struct last_message {
	int n;
	char last[512];
};

static void
keep_last(void *arg, const char *msg)
{
	struct last_message *m = arg;
	m->n++;
	snprintf(m->last, sizeof m->last, "%s", msg);
}

/* Past CONF_MAX_ERRORS lines the rest are counted in one last line, and
 * the check still returns how many errors there were. */
static void
test_check_bounds_its_errors_with_a_count(void **state)
{
	(void)state;
	char text[4096] = "";
	size_t used = 0;
	for (int i = 0; i < 150; i++)
		used += (size_t)snprintf(text + used, sizeof text - used, "typo%d = 1;\n", i);
	const char *path = write_file(text);
	struct last_message m = {0};
	assert_int_equal(policy_check(path, keep_last, &m), 150);
	assert_int_equal(m.n, 101);
	char want[600];
	snprintf(want, sizeof want, "%s: and 50 more errors", path);
	assert_string_equal(m.last, want);
}

struct messages {
	char text[16][160];
	int n;
};

/* Keeps each message without its directory (file:line: message). */
static void
keep_message(void *arg, const char *msg)
{
	struct messages *m = arg;
	const char *base = strrchr(msg, '/');
	if (m->n < 16)
		snprintf(m->text[m->n++], sizeof m->text[0], "%s", base ? base + 1 : msg);
}

/* Inline lists are compiled from their end (so that libconfig can free
 * each element at once); the messages must still come in file order, and a
 * repeat must name the first time its pattern was written. */
static void
test_list_errors_come_in_file_order_naming_the_first_of_a_repeat(void **state)
{
	(void)state;
	struct messages m = {.n = 0};
	const char *path = write_file("categories = { a = (\n"
	                              "  \"x.example\",\n"
	                              "  \"X.example.\",\n"
	                              "  \"bad..name\",\n"
	                              "  \"x.example\",\n"
	                              "  \"w-*.example\", \"W-*.Example\"\n"
	                              " );\n"
	                              " b = ( \"w-*.example.\", 17, \"ok.example\" ); };\n"
	                              "allow = ( \"x.example\", \"x.example\" );\n");
	const char *file = strrchr(path, '/') + 1;
	static const char *const want[] = {
	    ":3: pattern \"X.example.\" repeats \"x.example\" of a (line 2)",
	    ":4: empty label in pattern \"bad..name\"",
	    ":5: pattern \"x.example\" repeats \"x.example\" of a (line 2)",
	    ":6: pattern \"W-*.Example\" repeats \"w-*.example\" of a (line 6)",
	    ":8: pattern \"w-*.example.\" repeats \"w-*.example\" of a (line 6)",
	    ":8: patterns must be strings",
	    ":9: pattern \"x.example\" repeats \"x.example\" of the allowlist (line 9)",
	};
	int n = (int)(sizeof want / sizeof want[0]);
	assert_int_equal(policy_check(path, keep_message, &m), n);
	assert_int_equal(m.n, n);
	for (int i = 0; i < n; i++) {
		char full[200];
		snprintf(full, sizeof full, "%s%s", file, want[i]);
		assert_string_equal(m.text[i], full);
	}
}

/* Only the first errors are reported, also when the list is compiled from
 * its end: the count still covers all of them. */
static void
test_a_list_with_many_errors_reports_the_first_and_counts_all(void **state)
{
	(void)state;
	char text[8192], *w = text;
	w += sprintf(w, "categories = { a = (\n");
	for (int i = 0; i < 300; i++)
		w += sprintf(w, "\"bad..%d\",\n", i);
	sprintf(w, "\"last.example\" ); };\n");
	struct messages m = {.n = 0};
	assert_int_equal(policy_check(write_file(text), keep_message, &m), 300);
	assert_non_null(strstr(m.text[0], ":2: empty label in pattern \"bad..0\""));
	assert_non_null(strstr(m.text[15], ":17: empty label in pattern \"bad..15\""));
}

static void
test_pattern_file_is_read_relative_to_the_policy(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof path, "%s/list.txt", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("# a list\nlisted.example\n=only.example  # exact\n\nbad..name\n", f);
	fclose(f);
	const char *err = load_error("categories = { big = { file = \"list.txt\"; }; };\n");
	assert_non_null(strstr(err, "list.txt:5: empty label"));
	f = fopen(path, "w");
	fputs("listed.example\n=only.example\n", f);
	fclose(f);
	struct policy *p = load_text(
	    "categories = { big = { file = \"list.txt\"; patterns = ( \"c.example\" ); }; };\n");
	expect_match(p, "x.listed.example", POLICY_LOG, "big", "listed.example");
	expect_match(p, "x.only.example", POLICY_NONE, NULL, NULL);
	expect_match(p, "c.example", POLICY_LOG, "big", "c.example");
	assert_int_equal(policy_pattern_count(p), 3);
	policy_free(p);
}

static void
test_many_patterns_stay_exact_matches(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof path, "%s/many.txt", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 100000; i++)
		fprintf(f, "%sh%d.d%d.example\n", i % 3 == 0 ? "=" : "", i, i % 977);
	fclose(f);
	struct policy *p = load_text("categories = { big = { file = \"many.txt\"; }; };\n");
	assert_int_equal(policy_pattern_count(p), 100000);
	expect_match(p, "h99999.d345.example", POLICY_LOG, "big", "=h99999.d345.example");
	expect_match(p, "x.h99998.d344.example", POLICY_LOG, "big", "h99998.d344.example");
	expect_match(p, "h99999x.d345.example", POLICY_NONE, NULL, NULL);
	print_message("# 100k patterns: %zu bytes held by the policy\n", policy_memory(p));
	policy_free(p);
}

static char *
export_text(const struct policy *p, enum policy_export_format f, time_t t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	policy_export(p, f, t, out);
	fclose(out);
	return buf;
}

static void
test_exports_follow_the_phase_and_say_what_is_widened(void **state)
{
	(void)state;
	struct policy *p = load_shipped();
	time_t cutoff = at("2024-09-29T04:00:00Z");
	char *rpz = export_text(p, POLICY_EXPORT_RPZ, cutoff);
	assert_non_null(strstr(rpz, "\n@ SOA "));
	assert_non_null(strstr(rpz, "\n*.upd.kaspersky.com CNAME .\n"));
	assert_non_null(strstr(rpz, "\nsupport.kaspersky.com CNAME rpz-passthru.\n"));
	assert_non_null(strstr(rpz, "widened to every name under geo.kaspersky.com"));
	assert_null(strstr(rpz, "touch.kaspersky.com CNAME"));
	free(rpz);
	char *ub = export_text(p, POLICY_EXPORT_UNBOUND, cutoff - 1);
	assert_non_null(strstr(ub, "local-zone: \"my.kaspersky.com.\" always_nxdomain\n"));
	assert_null(strstr(ub, "upd.kaspersky.com"));
	free(ub);
	char *dm = export_text(p, POLICY_EXPORT_DNSMASQ, cutoff);
	assert_non_null(strstr(dm, "\naddress=/upd.kaspersky.com/\n"));
	assert_non_null(strstr(dm, "\nserver=/support.kaspersky.com/#\n"));
	free(dm);
	policy_free(p);
}

/* A logged name under a blocked domain is passed through (dnsd answers it),
 * and every place the export cannot follow dnsd is listed. */
static void
test_exports_pass_logged_names_and_list_every_difference(void **state)
{
	(void)state;
	struct policy *p = load_text(
	    "categories = { block = ( \"example.com\", \"x-*.example.org\" );\n"
	    "  watch = ( \"www.example.com\", \"=one.example.com\", \"w-*.example.com\" );\n"
	    "  refuse = ( \"example.net\" ); };\n"
	    "phases = ( { name = \"b\"; start = \"2024-01-01T00:00:00Z\";\n"
	    "  actions = { block = \"nxdomain\"; refuse = \"refused\"; }; } );\n");
	time_t t = at("2024-06-01T00:00:00Z");
	char *ub = export_text(p, POLICY_EXPORT_UNBOUND, t);
	assert_non_null(strstr(ub, "local-zone: \"www.example.com.\" always_transparent\n"));
	assert_non_null(strstr(ub, "differs from dnsd: example.org and below: nxdomain here; dnsd: "
	                           "nxdomain only for x-*.example.org"));
	assert_non_null(strstr(ub, "differs from dnsd: one.example.com and below: passed through"));
	assert_non_null(
	    strstr(ub, "differs from dnsd: w-*.example.com: blocked by a domain above it"));
	assert_null(strstr(ub, "differs from dnsd: example.net")); /* Unbound has REFUSED */
	assert_non_null(strstr(ub, "\n# 3 differences from dnsd"));
	free(ub);
	char *dm = export_text(p, POLICY_EXPORT_DNSMASQ, t);
	assert_non_null(strstr(dm, "\nserver=/www.example.com/#\n"));
	assert_non_null(strstr(dm, "differs from dnsd: example.net: nxdomain here; dnsd: refused"));
	free(dm);
	char *rpz = export_text(p, POLICY_EXPORT_RPZ, t);
	assert_non_null(strstr(rpz, "\n*.www.example.com CNAME rpz-passthru.\n"));
	assert_non_null(strstr(rpz, "\none.example.com CNAME rpz-passthru.\n"));
	assert_null(strstr(rpz, "*.one.example.com"));
	free(rpz);
	policy_free(p);
}

static void
test_explain_says_why(void **state)
{
	(void)state;
	struct policy *p = load_shipped();
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct client c = client("10.0.0.5");
	assert_int_equal(policy_explain(p, "dnl-03.geo.kaspersky.com", &c,
	                                at("2024-10-01T00:00:00Z"), POLICY_NOW_TRUSTED, out),
	                 0);
	fclose(out);
	assert_non_null(strstr(buf, "pattern:  dnl-*.geo.kaspersky.com (leftmost-label wildcard)"));
	assert_non_null(strstr(buf, "blocks category update: answered with nxdomain"));
	free(buf);
	policy_free(p);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_policy.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exact_beats_wildcard_beats_longest_domain),
	    cmocka_unit_test(test_allowlist_wins_and_exact_allow_stays_exact),
	    cmocka_unit_test(test_names_match_in_any_case_with_or_without_trailing_dot),
	    cmocka_unit_test(test_wire_names_are_decided_and_malformed_ones_ignored),
	    cmocka_unit_test(test_idn_must_be_punycode),
	    cmocka_unit_test(test_times_in_new_york_follow_edt_and_est),
	    cmocka_unit_test(test_dst_gap_moves_forward_and_repeated_hour_takes_first),
	    cmocka_unit_test(test_bad_times_and_zones_are_errors),
	    cmocka_unit_test(test_shipped_policy_boundaries_to_the_second),
	    cmocka_unit_test(test_phase_end_returns_to_logging),
	    cmocka_unit_test(test_expiring_exemption_ends_at_its_second),
	    cmocka_unit_test(test_overlapping_groups_most_specific_then_mac_then_first_listed),
	    cmocka_unit_test(test_unsynced_clock_applies_latest_phase_by_default),
	    cmocka_unit_test(
	        test_syntax_errors_name_where_a_string_starts_and_whole_file_errors_no_line),
	    cmocka_unit_test(test_audit_mode_logs_what_would_block),
	    cmocka_unit_test(test_unsynced_rule_first_log_or_named_phase),
	    cmocka_unit_test(test_refused_nodata_sinkhole_and_ttls),
	    cmocka_unit_test(test_bad_files_give_file_line_messages),
	    cmocka_unit_test(test_check_reports_every_error),
	    cmocka_unit_test(test_list_errors_come_in_file_order_naming_the_first_of_a_repeat),
	    cmocka_unit_test(test_a_list_with_many_errors_reports_the_first_and_counts_all),
	    cmocka_unit_test(test_pattern_file_is_read_relative_to_the_policy),
	    cmocka_unit_test(test_many_patterns_stay_exact_matches),
	    cmocka_unit_test(test_exports_follow_the_phase_and_say_what_is_widened),
	    cmocka_unit_test(test_exports_pass_logged_names_and_list_every_difference),
	    cmocka_unit_test(test_explain_says_why),
	    cmocka_unit_test(test_check_bounds_its_errors_with_a_count),
	};
	return cmocka_run_group_tests_name("policy", tests, setup, teardown);
}
