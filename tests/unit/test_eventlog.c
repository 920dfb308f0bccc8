/* Unit tests for the event log: the line format, folding of repeats with an
 * injected clock, rotation, per-host files, and dropping (never failing)
 * when the file cannot be written. */
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

#include "hosts/eventlog.h"

struct fixture {
	char dir[64];
	char file[96];
	struct eventlog_opts o;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	if (!fx || testdir_make(fx->dir, sizeof fx->dir, "test_eventlog") == -1)
		return -1;
	snprintf(fx->file, sizeof fx->file, "%s/events.log", fx->dir);
	eventlog_opts_defaults(&fx->o);
	fx->o.file = fx->file;
	fx->o.fold_secs = 600;
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
attempt(struct eventlog *el, const char *ip, const char *name, time_t t)
{
	static const uint8_t mac[6] = {0xaa, 0xbb, 0xcc, 0, 0, 1};
	struct eventlog_event ev = {.time = t,
	                            .mac = mac,
	                            .hostname = "anna",
	                            .name = name,
	                            .qtype = 1,
	                            .category = "update",
	                            .phase = "cutoff",
	                            .action = POLICY_NXDOMAIN};
	assert_int_equal(netaddr_parse(&ev.addr, ip), 0);
	eventlog_record(el, &ev);
}

/* The whole file (at most 64 KiB) and its line count. */
static int
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int lines = 0;
	buf[0] = '\0';
	if (!f)
		return -1;
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	for (size_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	return lines;
}

static void
test_first_attempt_is_one_json_line_with_every_field(void **state)
{
	struct fixture *fx = *state;
	static char buf[65536];
	struct eventlog *el = eventlog_new(&fx->o, NULL);
	attempt(el, "192.168.1.10", "dnl-01.geo.kaspersky.com", 1727582400);
	assert_int_equal(slurp(fx->file, buf, sizeof buf), 1);
	assert_string_equal(
	    buf, "{\"time\":\"2024-09-29T04:00:00Z\",\"event\":\"attempt\","
	         "\"client\":\"192.168.1.10\",\"mac\":\"aa:bb:cc:00:00:01\",\"hostname\":\"anna\","
	         "\"name\":\"dnl-01.geo.kaspersky.com\",\"type\":\"A\",\"category\":\"update\","
	         "\"phase\":\"cutoff\",\"action\":\"nxdomain\"}\n");
	eventlog_free(el);
}

static void
test_repeats_fold_into_one_summary_per_interval(void **state)
{
	struct fixture *fx = *state;
	static char buf[65536];
	struct eventlog_stats st;
	struct eventlog *el = eventlog_new(&fx->o, NULL);
	attempt(el, "10.0.0.1", "a.kaspersky.com", 1000);
	for (int i = 1; i <= 5; i++)
		attempt(el, "10.0.0.1", "a.kaspersky.com", 1000 + i * 10);
	attempt(el, "10.0.0.2", "a.kaspersky.com", 1001); /* another host: news */
	eventlog_tick(el, 1599);
	assert_int_equal(slurp(fx->file, buf, sizeof buf), 2);
	eventlog_tick(el, 1600);
	assert_int_equal(slurp(fx->file, buf, sizeof buf), 3);
	assert_non_null(strstr(buf, "\"event\":\"summary\""));
	assert_non_null(strstr(buf, "\"repeats\":5,\"since\":\"1970-01-01T00:16:50Z\"}"));
	/* the next window: one more repeat, one more summary */
	attempt(el, "10.0.0.1", "a.kaspersky.com", 1700);
	eventlog_tick(el, 2200);
	assert_int_equal(slurp(fx->file, buf, sizeof buf), 4);
	eventlog_get_stats(el, &st);
	assert_int_equal(st.attempts, 8);
	assert_int_equal(st.folded, 6);
	assert_int_equal(st.dropped, 0);
	eventlog_free(el);
}

static void
test_quiet_pair_is_forgotten_and_logged_again(void **state)
{
	struct fixture *fx = *state;
	static char buf[65536];
	struct eventlog *el = eventlog_new(&fx->o, NULL);
	attempt(el, "10.0.0.1", "a.kaspersky.com", 1000);
	eventlog_tick(el, 1600); /* no repeats: nothing written, pair dropped */
	assert_int_equal(slurp(fx->file, buf, sizeof buf), 1);
	attempt(el, "10.0.0.1", "a.kaspersky.com", 1700);
	assert_int_equal(slurp(fx->file, buf, sizeof buf), 2);
	assert_null(strstr(buf, "summary"));
	eventlog_free(el);
}

static void
test_pending_repeats_are_written_on_exit(void **state)
{
	struct fixture *fx = *state;
	static char buf[65536];
	struct eventlog *el = eventlog_new(&fx->o, NULL);
	attempt(el, "10.0.0.1", "a.kaspersky.com", 1000);
	attempt(el, "10.0.0.1", "a.kaspersky.com", 1001);
	eventlog_free(el);
	assert_int_equal(slurp(fx->file, buf, sizeof buf), 2);
	assert_non_null(strstr(buf, "\"repeats\":1"));
}

static void
test_full_pair_table_evicts_with_its_summary(void **state)
{
	struct fixture *fx = *state;
	static char buf[65536];
	char name[64];
	struct eventlog_stats st;
	fx->o.max_pairs = 16;
	struct eventlog *el = eventlog_new(&fx->o, NULL);
	attempt(el, "10.0.0.1", "first.kaspersky.com", 1000);
	attempt(el, "10.0.0.1", "first.kaspersky.com", 1001);
	for (int i = 0; i < 16; i++) {
		snprintf(name, sizeof name, "n%d.kaspersky.com", i);
		attempt(el, "10.0.0.1", name, 1002 + i);
	}
	eventlog_get_stats(el, &st);
	assert_int_equal(st.pairs, 16);
	assert_int_equal(slurp(fx->file, buf, sizeof buf), 18); /* 17 attempts + 1 summary */
	assert_non_null(strstr(
	    buf, "\"event\":\"summary\",\"client\":\"10.0.0.1\",\"mac\":"
	         "\"aa:bb:cc:00:00:01\",\"hostname\":\"anna\",\"name\":\"first.kaspersky.com\""));
	eventlog_free(el);
}

static void
test_many_pairs_fold_as_the_table_grows(void **state)
{
	struct fixture *fx = *state;
	char name[64];
	struct eventlog_stats st;
	fx->o.max_pairs = 256;
	struct eventlog *el = eventlog_new(&fx->o, NULL);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 200; i++) {
			snprintf(name, sizeof name,
			         round ? "N%d.Kaspersky.COM" : "n%d.kaspersky.com", i);
			attempt(el, i % 2 ? "10.0.0.1" : "fd00::1", name, 1000 + round);
		}
	eventlog_get_stats(el, &st);
	assert_int_equal(st.pairs, 200);
	assert_int_equal(st.lines, 200); /* the second round, in other case, folded */
	assert_int_equal(st.folded, 200);
	eventlog_free(el);
}

static void
test_summary_carries_the_latest_hostname(void **state)
{
	struct fixture *fx = *state;
	static char buf[65536];
	struct eventlog *el = eventlog_new(&fx->o, NULL);
	attempt(el, "10.0.0.1", "a.kaspersky.com", 1000); /* hostname "anna" */
	struct eventlog_event ev = {.time = 1010,
	                            .hostname = "anna-renamed-in-dhcp",
	                            .name = "a.kaspersky.com",
	                            .qtype = 1,
	                            .category = "licensing",
	                            .action = POLICY_LOG};
	assert_int_equal(netaddr_parse(&ev.addr, "10.0.0.1"), 0);
	eventlog_record(el, &ev);
	eventlog_flush(el, 1020);
	assert_int_equal(slurp(fx->file, buf, sizeof buf), 2);
	assert_non_null(strstr(buf, "\"event\":\"summary\",\"client\":\"10.0.0.1\",\"mac\":null,"
	                            "\"hostname\":\"anna-renamed-in-dhcp\",\"name\":"
	                            "\"a.kaspersky.com\",\"type\":\"A\",\"category\":"
	                            "\"licensing\",\"phase\":null,\"action\":\"log\""));
	eventlog_free(el);
}

static void
test_without_a_sink_attempts_are_only_counted(void **state)
{
	struct fixture *fx = *state;
	struct eventlog_stats st;
	fx->o.file = NULL;
	struct eventlog *el = eventlog_new(&fx->o, NULL);
	attempt(el, "10.0.0.1", "a.kaspersky.com", 1000);
	attempt(el, "10.0.0.1", "a.kaspersky.com", 1001);
	eventlog_get_stats(el, &st);
	assert_int_equal(st.attempts, 2);
	assert_int_equal(st.pairs, 0); /* no memory for pairs nobody reads */
	assert_int_equal(st.lines, 0);
	eventlog_free(el);
	assert_int_equal(access(fx->file, F_OK), -1);
}

static void
test_rotation_keeps_k_files(void **state)
{
	struct fixture *fx = *state;
	char name[64], path[128];
	struct stat st;
	struct eventlog_stats es;
	fx->o.max_size = 4096;
	fx->o.keep = 2;
	struct eventlog *el = eventlog_new(&fx->o, NULL);
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "n%d.kaspersky.com", i);
		attempt(el, "10.0.0.1", name, 1000);
	}
	eventlog_get_stats(el, &es);
	assert_true(es.rotations >= 3);
	assert_int_equal(es.dropped, 0);
	assert_int_equal(stat(fx->file, &st), 0);
	assert_true(st.st_size <= 4096);
	snprintf(path, sizeof path, "%s.1", fx->file);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size <= 4096);
	snprintf(path, sizeof path, "%s.2", fx->file);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof path, "%s.3", fx->file);
	assert_int_not_equal(stat(path, &st), 0);
	eventlog_free(el);
}

static void
test_unwritable_file_drops_and_counts(void **state)
{
	struct fixture *fx = *state;
	struct eventlog_stats st;
	char path[128];
	snprintf(path, sizeof path, "%s/missing/events.log", fx->dir);
	fx->o.file = path;
	struct eventlog *el = eventlog_new(&fx->o, NULL);
	assert_non_null(el);
	attempt(el, "10.0.0.1", "a.kaspersky.com", 1000);
	attempt(el, "10.0.0.1", "b.kaspersky.com", 1001);
	eventlog_get_stats(el, &st);
	assert_int_equal(st.dropped, 2);
	assert_false(st.file_ok);
	/* the directory appears: writing resumes */
	snprintf(path, sizeof path, "%s/missing", fx->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	attempt(el, "10.0.0.1", "c.kaspersky.com", 1002);
	eventlog_get_stats(el, &st);
	assert_int_equal(st.dropped, 2);
	assert_true(st.file_ok);
	eventlog_free(el);
}

static void
test_per_host_files_are_bounded(void **state)
{
	struct fixture *fx = *state;
	static char buf[65536];
	char path[160];
	struct stat st;
	fx->o.host_dir = fx->dir;
	fx->o.host_files = 2;
	struct eventlog *el = eventlog_new(&fx->o, NULL);
	attempt(el, "10.0.0.1", "a.kaspersky.com", 1000);
	attempt(el, "10.0.0.2", "a.kaspersky.com", 1001);
	attempt(el, "10.0.0.1", "b.kaspersky.com", 1002);
	attempt(el, "10.0.0.3", "a.kaspersky.com", 1003); /* .2 is the oldest file */
	snprintf(path, sizeof path, "%s/10.0.0.1.log", fx->dir);
	assert_int_equal(slurp(path, buf, sizeof buf), 2);
	assert_null(strstr(buf, "10.0.0.3"));
	snprintf(path, sizeof path, "%s/10.0.0.2.log", fx->dir);
	assert_int_not_equal(stat(path, &st), 0);
	snprintf(path, sizeof path, "%s/10.0.0.3.log", fx->dir);
	assert_int_equal(stat(path, &st), 0);
	eventlog_free(el);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_first_attempt_is_one_json_line_with_every_field,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_repeats_fold_into_one_summary_per_interval, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_quiet_pair_is_forgotten_and_logged_again, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_pending_repeats_are_written_on_exit, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_full_pair_table_evicts_with_its_summary, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_many_pairs_fold_as_the_table_grows, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_summary_carries_the_latest_hostname, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_without_a_sink_attempts_are_only_counted, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_rotation_keeps_k_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unwritable_file_drops_and_counts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_per_host_files_are_bounded, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
