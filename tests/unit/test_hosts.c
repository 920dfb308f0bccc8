/* Unit tests for the per-host table: counting, bounds and eviction, the
 * lease hostname, lookups, the state file round trip and a corrupt file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "testdir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hosts/hostreport.h"
#include "hosts/hosts.h"

struct fixture {
	char dir[64];
	char state[96];
	struct hosts_opts o;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	if (!fx || testdir_make(fx->dir, sizeof fx->dir, "test_hosts") == -1)
		return -1;
	snprintf(fx->state, sizeof fx->state, "%s/hosts.state", fx->dir);
	hosts_opts_defaults(&fx->o);
	fx->o.max_hosts = 3;
	fx->o.max_names = 2;
	fx->o.recent = 3;
	fx->o.days = 7;
	fx->o.state_file = fx->state;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	int rc = testdir_remove(fx->dir);
	free(fx);
	return rc;
}

static void
record(struct hosts *h, const char *ip, const char *name, const char *cat, enum policy_action a,
       time_t now)
{
	struct client ci = {0};
	struct policy_decision d = {.action = a, .category = cat, .phase = "cutoff"};
	assert_int_equal(netaddr_parse(&ci.addr, ip), 0);
	hosts_record(h, &ci, name, 1, &d, now);
}

static uint32_t
cat_count(const struct hosts *h, const struct host *e, const char *cat)
{
	for (int i = 0; hosts_category(h, i); i++)
		if (strcmp(hosts_category(h, i), cat) == 0)
			return host_cat_count(e, i);
	return 0;
}

static void
test_record_counts_per_category_and_keeps_names_bounded(void **state)
{
	struct fixture *fx = *state;
	struct hosts *h = hosts_new(&fx->o, NULL, NULL, NULL);
	record(h, "10.0.0.1", "a.kaspersky.com", "update", POLICY_LOG, 1000);
	record(h, "10.0.0.1", "A.kaspersky.com", "update", POLICY_LOG, 1001);
	record(h, "10.0.0.1", "b.kaspersky.com", "licensing", POLICY_NXDOMAIN, 1002);
	record(h, "10.0.0.1", "c.kaspersky.com", "licensing", POLICY_NXDOMAIN, 1003);
	const struct host *e = hosts_find(h, "10.0.0.1");
	assert_non_null(e);
	assert_int_equal(e->total, 4);
	assert_int_equal(cat_count(h, e, "update"), 2);
	assert_int_equal(cat_count(h, e, "licensing"), 2);
	assert_int_equal(e->nnames, 2); /* case-insensitive, capped at 2 */
	assert_int_equal(e->first, 1000);
	assert_int_equal(e->last, 1003);
	assert_int_equal(e->last_action, POLICY_NXDOMAIN);
	assert_string_equal(host_recent(h, e, 0)->name, "c.kaspersky.com");
	assert_string_equal(host_recent(h, e, 2)->name, "a.kaspersky.com"); /* the kept spelling */
	assert_null(host_recent(h, e, 3));                                  /* ring of 3 */
	assert_int_equal(host_day_count(h, e, 0), 4);
	hosts_free(h);
}

static void
test_no_category_is_not_recorded(void **state)
{
	struct fixture *fx = *state;
	struct hosts *h = hosts_new(&fx->o, NULL, NULL, NULL);
	record(h, "10.0.0.1", "example.com", NULL, POLICY_NONE, 1000);
	assert_null(hosts_find(h, "10.0.0.1"));
	hosts_free(h);
}

static void
test_cap_evicts_the_least_recently_seen(void **state)
{
	struct fixture *fx = *state;
	struct hosts *h = hosts_new(&fx->o, NULL, NULL, NULL);
	struct hosts_stats st;
	record(h, "10.0.0.1", "x.kaspersky.com", "ksn", POLICY_LOG, 100);
	record(h, "10.0.0.2", "x.kaspersky.com", "ksn", POLICY_LOG, 101);
	record(h, "10.0.0.3", "x.kaspersky.com", "ksn", POLICY_LOG, 102);
	record(h, "10.0.0.1", "x.kaspersky.com", "ksn", POLICY_LOG, 103); /* .2 now oldest */
	record(h, "10.0.0.4", "x.kaspersky.com", "ksn", POLICY_LOG, 104);
	assert_null(hosts_find(h, "10.0.0.2"));
	assert_non_null(hosts_find(h, "10.0.0.1"));
	assert_non_null(hosts_find(h, "10.0.0.4"));
	hosts_get_stats(h, &st);
	assert_int_equal(st.hosts, 3);
	assert_int_equal(st.evicted, 1);
	char buf[NETADDR_STRLEN];
	assert_string_equal(netaddr_str(&TAILQ_FIRST(hosts_list(h))->addr, buf), "10.0.0.4");
	hosts_free(h);
}

static void
test_hostname_and_mac_come_from_the_leases_and_follow_their_changes(void **state)
{
	struct fixture *fx = *state;
	char path[128];
	snprintf(path, sizeof path, "%s/dhcp.leases", fx->dir);
	assert_int_equal(testdir_write(path, "1 aa:bb:cc:00:00:01 10.0.0.1 anna-laptop *\n"), 0);
	struct leases *l = leases_new(path, NULL);
	struct hosts *h = hosts_new(&fx->o, NULL, l, NULL);
	record(h, "10.0.0.1", "x.kaspersky.com", "ksn", POLICY_LOG, 100);
	const struct host *e = hosts_find(h, "ANNA-laptop");
	assert_non_null(e);
	assert_true(e->has_mac);
	assert_ptr_equal(hosts_find(h, "aa:bb:cc:00:00:01"), e);
	assert_null(hosts_find(h, "bb:bb:cc:00:00:01"));
	/* a new reader (reload) is asked again, though its generation is the
	 * one the host last saw */
	assert_int_equal(testdir_write(path, "1 aa:bb:cc:00:00:01 10.0.0.1 anna-tablet *\n"), 0);
	struct leases *l2 = leases_new(path, NULL);
	hosts_set_sinks(h, l2, NULL);
	leases_free(l);
	record(h, "10.0.0.1", "x.kaspersky.com", "ksn", POLICY_LOG, 101);
	assert_ptr_equal(hosts_find(h, "anna-tablet"), e);
	/* renamed in DHCP: the host's kept name follows once the file changed */
	assert_int_equal(testdir_write(path, "1 aa:bb:cc:00:00:01 10.0.0.1 anna-desktop *\n"), 0);
	record(h, "10.0.0.1", "x.kaspersky.com", "ksn", POLICY_LOG, 102);
	assert_string_equal(e->hostname, "anna-desktop");
	hosts_free(h);
	leases_free(l2);
}

static void
test_many_hosts_stay_findable_as_the_table_grows(void **state)
{
	struct fixture *fx = *state;
	char ip[32];
	fx->o.max_hosts = 100;
	struct hosts *h = hosts_new(&fx->o, NULL, NULL, NULL);
	for (int i = 0; i < 120; i++) {
		snprintf(ip, sizeof ip, i % 2 ? "10.0.%d.1" : "fd00::%x", i);
		record(h, ip, "x.kaspersky.com", "ksn", POLICY_LOG, 100 + i);
	}
	struct hosts_stats st;
	hosts_get_stats(h, &st);
	assert_int_equal(st.hosts, 100);
	assert_int_equal(st.evicted, 20);
	for (int i = 0; i < 120; i++) {
		snprintf(ip, sizeof ip, i % 2 ? "10.0.%d.1" : "fd00::%x", i);
		const struct host *e = hosts_find(h, ip);
		if (i < 20)
			assert_null(e);
		else
			assert_true(e && e->total == 1 && e->first == 100 + i);
	}
	hosts_free(h);
}

static void
test_recent_attempts_keep_names_past_the_kept_list(void **state)
{
	struct fixture *fx = *state;
	static const char *const names[] = {"a.kaspersky.com", "b.kaspersky.com",
	                                    "a-much-longer-name.update.kaspersky.com",
	                                    "c.kaspersky.com", "d.kaspersky.com"};
	struct hosts *h = hosts_new(&fx->o, NULL, NULL, NULL); /* 2 names, ring of 3 */
	for (int i = 0; i < 5; i++)
		record(h, "10.0.0.1", names[i], "update", POLICY_LOG, 100 + i);
	const struct host *e = hosts_find(h, "10.0.0.1");
	assert_int_equal(e->nnames, 2);
	assert_string_equal(host_recent(h, e, 0)->name, "d.kaspersky.com");
	assert_string_equal(host_recent(h, e, 1)->name, "c.kaspersky.com");
	assert_string_equal(host_recent(h, e, 2)->name, names[2]);
	/* a slot that held a long name takes a short one, and back */
	record(h, "10.0.0.1", "e.kaspersky.com", "update", POLICY_LOG, 105);
	record(h, "10.0.0.1", names[2], "update", POLICY_LOG, 106);
	assert_string_equal(host_recent(h, e, 0)->name, names[2]);
	assert_string_equal(host_recent(h, e, 1)->name, "e.kaspersky.com");
	assert_string_equal(host_recent(h, e, 2)->name, "d.kaspersky.com");
	hosts_free(h);
}

static void
test_state_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct hosts *h = hosts_new(&fx->o, NULL, NULL, NULL);
	record(h, "10.0.0.1", "a.kaspersky.com", "update", POLICY_LOG, 86400 * 3 + 5);
	record(h, "fd00::1", "b.kaspersky.com", "licensing", POLICY_NXDOMAIN, 86400 * 4 + 5);
	record(h, "fd00::1", "b.kaspersky.com", "licensing", POLICY_NXDOMAIN, 86400 * 4 + 6);
	assert_int_equal(hosts_save(h, 999), 0);
	hosts_free(h);

	h = hosts_new(&fx->o, NULL, NULL, NULL);
	const struct host *e = hosts_find(h, "fd00::1");
	assert_non_null(e);
	assert_int_equal(e->total, 2);
	assert_int_equal(cat_count(h, e, "licensing"), 2);
	assert_int_equal(e->last_action, POLICY_NXDOMAIN);
	assert_int_equal(e->first, 86400 * 4 + 5);
	assert_string_equal(host_recent(h, e, 0)->name, "b.kaspersky.com");
	assert_int_equal(host_recent(h, e, 1)->time, 86400 * 4 + 5);
	assert_int_equal(host_day_count(h, e, 4), 2);
	e = hosts_find(h, "10.0.0.1");
	assert_non_null(e);
	assert_int_equal(cat_count(h, e, "update"), 1);
	assert_int_equal(host_day_count(h, e, 3), 1);
	/* order kept: most recently seen first */
	assert_ptr_equal(TAILQ_LAST(hosts_list(h), host_list), e);
	hosts_free(h);
}

static void
test_corrupt_state_is_moved_aside(void **state)
{
	struct fixture *fx = *state;
	char aside[128];
	struct stat st;
	struct hosts_stats hs;
	FILE *f = fopen(fx->state, "w");
	fputs("version = 1;\ncategories = [\"update\"];\nhosts = ( { addr = \"10.0.0.1\"; ", f);
	fclose(f);
	struct hosts *h = hosts_new(&fx->o, NULL, NULL, NULL);
	hosts_get_stats(h, &hs);
	assert_true(hs.loaded_corrupt);
	assert_int_equal(hs.hosts, 0);
	snprintf(aside, sizeof aside, "%s.corrupt", fx->state);
	assert_int_equal(stat(aside, &st), 0);
	assert_int_not_equal(stat(fx->state, &st), 0);
	/* and the table works */
	record(h, "10.0.0.9", "a.kaspersky.com", "update", POLICY_LOG, 5);
	assert_int_equal(hosts_save(h, 6), 0);
	hosts_free(h);
}

static void
test_semantically_bad_state_is_corrupt(void **state)
{
	struct fixture *fx = *state;
	struct hosts_stats hs;
	FILE *f = fopen(fx->state, "w");
	fputs("version = 1;\ncategories = [\"update\"];\nhosts = ( { addr = \"nonsense\"; "
	      "hostname = \"\"; first = 1L; last = 2L; total = 1L; action = \"log\"; "
	      "counts = [1]; } );\n",
	      f);
	fclose(f);
	struct hosts *h = hosts_new(&fx->o, NULL, NULL, NULL);
	hosts_get_stats(h, &hs);
	assert_true(hs.loaded_corrupt);
	hosts_free(h);
}

static void
test_unwritable_state_counts_an_error(void **state)
{
	struct fixture *fx = *state;
	struct hosts_stats hs;
	fx->o.state_file = "/nonexistent-dir/hosts.state";
	struct hosts *h = hosts_new(&fx->o, NULL, NULL, NULL);
	record(h, "10.0.0.1", "a.kaspersky.com", "update", POLICY_LOG, 5);
	assert_int_equal(hosts_save(h, 6), -1);
	hosts_get_stats(h, &hs);
	assert_int_equal(hs.save_errors, 1);
	hosts_free(h);
}

static char *
render_all(const struct hosts *h, enum hostreport_format f, bool all)
{
	static char buf[65536];
	struct evbuffer *out = evbuffer_new();
	assert_int_equal(hostreport_hosts(h, f, all, 86400 * 5, out), 0);
	size_t n = evbuffer_remove(out, buf, sizeof buf - 1);
	buf[n] = '\0';
	evbuffer_free(out);
	return buf;
}

static char *
render(const struct hosts *h, enum hostreport_format f)
{
	return render_all(h, f, false);
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* A host that must leave the table goes to the archive, where hosts --all
 * and the HTML report still list it; one that came back is listed once. */
static void
test_evicted_hosts_are_archived_and_listed_with_all(void **state)
{
	struct fixture *fx = *state;
	struct hosts *h = hosts_new(&fx->o, NULL, NULL, NULL); /* 3 hosts */
	struct hosts_stats st;
	char ip[32];
	for (int i = 1; i <= 5; i++) {
		snprintf(ip, sizeof ip, "10.0.0.%d", i);
		record(h, ip, i == 1 ? "one,two.kaspersky.com" : "x.kaspersky.com", "ksn",
		       POLICY_NXDOMAIN, 86400 * 4 + i);
	}
	hosts_get_stats(h, &st);
	assert_int_equal(st.evicted, 2);
	assert_int_equal(st.archived, 2);
	assert_null(strstr(render(h, HOSTREPORT_TEXT), "left the table"));
	char *t = render_all(h, HOSTREPORT_TEXT, true);
	assert_non_null(strstr(t, "2 hosts that left the table"));
	assert_non_null(strstr(t, "\n10.0.0.2 "));
	assert_non_null(strstr(t, "\n10.0.0.1 "));
	assert_non_null(strstr(t, "last nxdomain; ksn 1"));
	char *j = render_all(h, HOSTREPORT_JSON, true);
	assert_non_null(strstr(j, "\"archived\":[{\"ip\":\"10.0.0.2\""));
	assert_non_null(strstr(j, "\"categories\":{\"ksn\":1},\"last_action\":\"nxdomain\","
	                          "\"names\":[\"one?two.kaspersky.com\"]"));
	assert_int_equal(count(render(h, HOSTREPORT_HTML), "<tr class=\"archived\">"), 2);
	assert_int_equal(count(render_all(h, HOSTREPORT_CSV, true), ",archive\n"), 2);
	/* .1 comes back (evicting .3): listed in the table, not in the archive */
	record(h, "10.0.0.1", "x.kaspersky.com", "ksn", POLICY_NXDOMAIN, 86400 * 4 + 9);
	t = render_all(h, HOSTREPORT_TEXT, true);
	assert_int_equal(count(t, "\n10.0.0.1 "), 1);
	assert_non_null(strstr(t, "2 hosts that left the table"));
	hosts_free(h);
}

static void
test_max_bytes_bounds_the_table(void **state)
{
	struct fixture *fx = *state;
	struct hosts_stats st;
	char ip[32];
	fx->o.max_hosts = 1000;
	fx->o.max_bytes = 20000;
	struct hosts *h = hosts_new(&fx->o, NULL, NULL, NULL);
	for (int i = 0; i < 200; i++) {
		snprintf(ip, sizeof ip, "10.0.%d.%d", i / 100, i % 100);
		record(h, ip, "x.kaspersky.com", "ksn", POLICY_LOG, 1000 + i);
		hosts_get_stats(h, &st);
		assert_true(st.bytes <= 20000);
	}
	assert_true(st.hosts > 20 && st.hosts < 200);
	assert_int_equal(st.evicted, 200 - st.hosts);
	assert_non_null(hosts_find(h, "10.0.1.99")); /* the newest stays */
	hosts_free(h);
}

/* The default table holds 10,000 hosts in a few MB: a host that asked one
 * name costs under 400 bytes (the figure in docs/logs.md). */
static void
test_a_host_that_asked_one_name_costs_under_400_bytes(void **state)
{
	struct fixture *fx = *state;
	struct hosts_opts o;
	struct hosts_stats before, after;
	char ip[32];
	hosts_opts_defaults(&o);
	o.state_file = fx->state;
	struct hosts *h = hosts_new(&o, NULL, NULL, NULL);
	hosts_get_stats(h, &before);
	for (int i = 0; i < 10000; i++) {
		snprintf(ip, sizeof ip, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		record(h, ip, "dnl-01.geo.kaspersky.com", "update", POLICY_NXDOMAIN, 1000 + i);
	}
	hosts_get_stats(h, &after);
	assert_int_equal(after.hosts, 10000);
	assert_int_equal(after.evicted, 0);
	long long per_host = (after.bytes - before.bytes) / 10000;
	printf("# %lld bytes per host\n", per_host);
	assert_true(per_host < 400);
	hosts_free(h);
}

static void
test_reports_list_every_host_in_80_columns(void **state)
{
	struct fixture *fx = *state;
	struct hosts *h = hosts_new(&fx->o, NULL, NULL, NULL);
	record(h, "10.0.0.1", "a.kaspersky.com", "update", POLICY_LOG, 86400 * 3);
	record(h, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", "very-long-name.of.some.kaspersky.com",
	       "licensing_and_activation", POLICY_NXDOMAIN, 86400 * 4);
	record(h, "10.0.0.3", "a.kaspersky.com", "update", POLICY_LOG, 86400 * 4 + 1);

	char *t = render(h, HOSTREPORT_TEXT);
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n"))
		assert_true(strlen(line) <= 80);
	struct evbuffer *out = evbuffer_new();
	assert_int_equal(hostreport_host(h, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", out), 0);
	assert_int_equal(hostreport_host(h, "10.9.9.9", out), -1);
	evbuffer_add(out, "", 1);
	t = (char *)evbuffer_pullup(out, -1);
	assert_non_null(strstr(t, "very-long-name.of.some.kaspersky.com"));
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n"))
		assert_true(strlen(line) <= 80);
	evbuffer_free(out);
	assert_int_equal(count(render(h, HOSTREPORT_HTML), "<tr class=\"host\">"), 3);
	assert_int_equal(count(render(h, HOSTREPORT_HTML), "<rect "), 3);
	assert_null(strstr(render(h, HOSTREPORT_HTML), "<script"));
	assert_int_equal(count(render(h, HOSTREPORT_CSV), "\n"), 4);
	char *j = render(h, HOSTREPORT_JSON);
	assert_int_equal(strncmp(j, "{\"hosts\":[{\"ip\":\"10.0.0.3\"", 26), 0);
	assert_int_equal(count(j, "\"ip\":"), 3);
	assert_int_equal(hostreport_format_parse("xml"), -1);
	hosts_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_record_counts_per_category_and_keeps_names_bounded,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_category_is_not_recorded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cap_evicts_the_least_recently_seen, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_hostname_and_mac_come_from_the_leases_and_follow_their_changes, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(test_many_hosts_stay_findable_as_the_table_grows, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_recent_attempts_keep_names_past_the_kept_list,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_state_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_state_is_moved_aside, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_semantically_bad_state_is_corrupt, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_unwritable_state_counts_an_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_evicted_hosts_are_archived_and_listed_with_all,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_max_bytes_bounds_the_table, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_host_that_asked_one_name_costs_under_400_bytes,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reports_list_every_host_in_80_columns, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
