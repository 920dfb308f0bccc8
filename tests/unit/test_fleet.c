/* Unit tests for the fleet merge (dnsd/fleet.c): how hosts are matched
 * across sites, what is summed and kept, the category bound, and that a
 * bad export or site name changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "jsonread.h"

/* One host record; mac and hostname may be NULL. */
static char *
host(char *buf, size_t len, const char *ip, const char *mac, const char *hostname, const char *last,
     int total, const char *extra)
{
	char m[40], h[80];
	snprintf(m, sizeof m, mac ? "\"%s\"" : "null", mac);
	snprintf(h, sizeof h, hostname ? "\"%s\"" : "null", hostname);
	snprintf(buf, len,
	         "{\"ip\":\"%s\",\"mac\":%s,\"hostname\":%s,\"first\":\"2026-01-01T00:00:00Z\","
	         "\"last\":\"%s\",\"total\":%d%s}",
	         ip, m, h, last, total, extra ? extra : "");
	return buf;
}

static int
add(struct fleet *f, const char *site, const char *hosts, char *err)
{
	char doc[4096];
	snprintf(doc, sizeof doc, "{\"hosts\":[%s]}", hosts);
	return fleet_add(f, site, doc, strlen(doc), err, 256);
}

/* The merged table as JSON, read back; caller frees with jsonr_free. */
static int
merged(const struct fleet *f, struct jsonr *j)
{
	char err[256];
	struct evbuffer *out = evbuffer_new();
	assert_int_equal(fleet_report(f, HOSTREPORT_JSON, out), 0);
	size_t len = evbuffer_get_length(out);
	assert_int_equal(
	    jsonr_parse(j, (char *)evbuffer_pullup(out, -1), len, 100000, err, sizeof err), 0);
	evbuffer_free(out);
	int hosts = jsonr_get(j, 0, "hosts");
	assert_true(hosts > 0);
	return hosts;
}

static void
test_hosts_match_by_mac_then_name_and_address_then_address_in_site(void **state)
{
	struct fleet *f = fleet_new();
	struct jsonr j;
	char a[512], b[512], c[512], err[256], all[2048];
	(void)state;
	snprintf(all, sizeof all, "%s,%s,%s",
	         host(a, sizeof a, "10.0.0.2", "aa:bb:cc:00:00:02", "anna", "2026-01-02T00:00:00Z",
	              2, NULL),
	         host(b, sizeof b, "10.0.0.3", NULL, "bob", "2026-01-02T00:00:00Z", 1, NULL),
	         host(c, sizeof c, "10.0.0.4", NULL, NULL, "2026-01-02T00:00:00Z", 1, NULL));
	assert_int_equal(add(f, "one", all, err), 0);
	snprintf(all, sizeof all, "%s,%s,%s",
	         host(a, sizeof a, "10.9.0.2", "AA:BB:CC:00:00:02", NULL, "2026-01-03T00:00:00Z", 3,
	              NULL),
	         host(b, sizeof b, "10.0.0.3", NULL, "bob", "2026-01-01T00:00:00Z", 1, NULL),
	         host(c, sizeof c, "10.0.0.4", NULL, NULL, "2026-01-02T00:00:00Z", 1, NULL));
	assert_int_equal(add(f, "two", all, err), 0);
	int hosts = merged(f, &j);
	/* anna (one MAC), bob (same name and address), 10.0.0.4 twice (one per site) */
	assert_int_equal(j.tok[hosts].n, 4);
	int anna = hosts + 1; /* seen last, so first */
	assert_string_equal(jsonr_str(&j, jsonr_get(&j, anna, "mac")), "aa:bb:cc:00:00:02");
	assert_string_equal(jsonr_str(&j, jsonr_get(&j, anna, "hostname")), "anna");
	assert_true(jsonr_num(&j, jsonr_get(&j, anna, "total"), 0) == 5);
	assert_int_equal(j.tok[jsonr_get(&j, anna, "sites")].n, 2);
	assert_int_equal(j.tok[jsonr_get(&j, anna, "addresses")].n, 2);
	assert_string_equal(jsonr_str(&j, jsonr_get(&j, anna, "last")), "2026-01-03T00:00:00Z");
	jsonr_free(&j);
	fleet_free(f);
}

static void
test_categories_past_the_bound_count_as_other(void **state)
{
	struct fleet *f = fleet_new();
	struct jsonr j;
	char extra[1024] = ",\"categories\":{", rec[2048], err[256];
	(void)state;
	for (int i = 0; i < 20; i++)
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "%s\"c%d\":1",
		         i ? "," : "", i);
	strcat(extra, "}");
	assert_int_equal(
	    add(f, "one",
	        host(rec, sizeof rec, "10.0.0.2", NULL, NULL, "2026-01-02T00:00:00Z", 20, extra),
	        err),
	    0);
	int hosts = merged(f, &j);
	int cats = jsonr_get(&j, hosts + 1, "categories");
	assert_int_equal(j.tok[cats].n, 16);
	assert_true(jsonr_num(&j, jsonr_get(&j, cats, "c14"), 0) == 1);
	assert_true(jsonr_num(&j, jsonr_get(&j, cats, "other"), 0) == 5);
	assert_int_equal(jsonr_get(&j, cats, "c15"), -1);
	jsonr_free(&j);
	fleet_free(f);
}

static void
test_a_bad_export_or_site_changes_nothing(void **state)
{
	struct fleet *f = fleet_new();
	struct jsonr j;
	char good[512], bad[512], both[1024], err[256];
	(void)state;
	host(good, sizeof good, "10.0.0.2", NULL, "anna", "2026-01-02T00:00:00Z", 1, NULL);
	host(bad, sizeof bad, "10.0.0.3", "aa:bb", "bob", "2026-01-02T00:00:00Z", 1, NULL);
	snprintf(both, sizeof both, "%s,%s", good, bad);
	assert_int_equal(add(f, "one", both, err), -1);
	assert_string_equal(err, "host 2: mac: not a MAC address");
	host(bad, sizeof bad, "10.0.0.3", NULL, "bob", "2026-01-02T00:00:00Z", -1, NULL);
	assert_int_equal(add(f, "one", bad, err), -1);
	assert_string_equal(err, "host 1: total: not a count");
	host(bad, sizeof bad, "10.0.0.3", NULL, "bob", "2026-01-02 00:00:00", 1, NULL);
	assert_int_equal(add(f, "one", bad, err), -1);
	assert_string_equal(err, "host 1: first, last: not RFC 3339 UTC times");
	assert_int_equal(fleet_add(f, "one", "{\"hosts\":{}}", 12, err, sizeof err), -1);
	assert_string_equal(err, "not a dnsd hosts export: no \"hosts\" array");
	assert_int_equal(add(f, "a b", good, err), -1);
	assert_int_equal(add(f, "one", good, err), 0);
	assert_int_equal(add(f, "one", good, err), -1);
	assert_string_equal(err, "site one given twice");
	int hosts = merged(f, &j);
	assert_int_equal(j.tok[hosts].n, 1);
	assert_int_equal(j.tok[jsonr_get(&j, 0, "sites")].n, 1);
	jsonr_free(&j);
	fleet_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hosts_match_by_mac_then_name_and_address_then_address_in_site),
	    cmocka_unit_test(test_categories_past_the_bound_count_as_other),
	    cmocka_unit_test(test_a_bad_export_or_site_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
