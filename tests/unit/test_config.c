/* Unit tests for dnsd/config.c: every error carries file:line, defaults
 * are never an open resolver, a resolv.conf may be missing at start, relative
 * paths follow the config file, and the date-time and address syntaxes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char dir[] = "/tmp/test_config.XXXXXX";

/* Write text to dir/name and return the path (static buffer). */
static const char *
write_file(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

/* The default allow list is loopback only: the LAN comes from local_service
 * (attached subnets), so a WAN in a private range is not an open resolver. */
static void
test_defaults_allow_loopback_and_local_service(void **state)
{
	(void)state;
	char err[CONFIG_ERR_MAX];
	struct config *c = config_load(write_file("a.conf", "upstreams = [ \"192.0.2.1\" ];\n"), err,
	    sizeof err);
	assert_non_null(c);
	struct netaddr lo, lan, wan;
	netaddr_parse(&lo, "127.0.0.1");
	netaddr_parse(&lan, "192.168.1.20");
	netaddr_parse(&wan, "198.51.100.7");
	int lo_ok = 0, lan_ok = 0, wan_ok = 0;
	for (int i = 0; i < c->nallow; i++) {
		lo_ok |= cidr_contains(&c->allow[i], &lo);
		lan_ok |= cidr_contains(&c->allow[i], &lan);
		wan_ok |= cidr_contains(&c->allow[i], &wan);
	}
	assert_true(lo_ok);
	assert_false(lan_ok || wan_ok);
	assert_true(c->local_service);
	assert_int_equal(c->nlan_interfaces, 0);
	assert_int_equal(c->nlisten, 2);
	assert_true(c->forward.budget_ms <= 3000);
	config_free(c);
}

static void
test_local_service_and_lan_interfaces(void **state)
{
	(void)state;
	char err[CONFIG_ERR_MAX];
	struct config *c = config_load(write_file("l.conf", "upstreams = [ \"192.0.2.1\" ];\n"
							    "local_service = false;\n"
							    "lan_interfaces = [ \"br-lan\", \"wlan0\" ];\n"),
	    err, sizeof err);
	assert_non_null(c);
	assert_false(c->local_service);
	assert_int_equal(c->nlan_interfaces, 2);
	assert_string_equal(c->lan_interfaces[1], "wlan0");
	config_free(c);
	assert_null(config_load(write_file("m.conf", "upstreams = [ \"192.0.2.1\" ];\n"
						    "local_service = \"yes\";\n"
						    "lan_interfaces = [ \"br lan\" ];\n"),
	    err, sizeof err));
	assert_non_null(strstr(err, "m.conf:2: local_service: expected true or false"));
	assert_non_null(strstr(err, "m.conf:3: lan_interfaces: 'br lan'"));
}

static void
test_every_error_names_its_line(void **state)
{
	(void)state;
	char err[CONFIG_ERR_MAX];
	const char *path = write_file("b.conf", "upstreams = [ \"192.0.2.1\" ];\n"
						"listen = [ \"nonsense\" ];\n"
						"cache = { min_ttl = 99999999; };\n"
						"tcp = { speed = 1; };\n"
						"typo = 1;\n");
	assert_null(config_load(path, err, sizeof err));
	assert_non_null(strstr(err, "b.conf:2: listen: 'nonsense'"));
	assert_non_null(strstr(err, "b.conf:3: min_ttl"));
	assert_non_null(strstr(err, "b.conf:4: unknown setting 'speed' in tcp"));
	assert_non_null(strstr(err, "b.conf:5: unknown setting 'typo'"));
	path = write_file("c.conf", "upstreams = [ \"192.0.2.1\" ;\n");
	assert_null(config_load(path, err, sizeof err));
	assert_non_null(strstr(err, "c.conf:1: "));
}

/* At boot the WAN has no DNS servers yet: a missing or empty resolv.conf
 * is no error (resolv.c reads it, and again when it changes). */
static void
test_resolv_conf_may_be_missing(void **state)
{
	(void)state;
	char err[CONFIG_ERR_MAX], text[512];
	snprintf(text, sizeof text, "resolv_conf = \"%s/no-such-resolv.conf\";\n", dir);
	struct config *c = config_load(write_file("d.conf", text), err, sizeof err);
	assert_non_null(c);
	assert_int_equal(c->nupstream, 0);
	assert_non_null(strstr(c->resolv_conf, "no-such-resolv.conf"));
	config_free(c);
}

static void
test_relative_paths_follow_the_config_file(void **state)
{
	(void)state;
	char err[CONFIG_ERR_MAX], want[300];
	struct config *c = config_load(write_file("e.conf", "upstreams = [ \"192.0.2.1@5300\" ];\n"
							    "policy = { file = \"p.conf\"; now = "
							    "\"2024-09-29T00:00:00-04:00\"; };\n"),
	    err, sizeof err);
	assert_non_null(c);
	snprintf(want, sizeof want, "%s/p.conf", dir);
	assert_string_equal(c->policy_file, want);
	assert_int_equal(c->now, 1727582400);
	config_free(c);
}

static void
test_time_syntax(void **state)
{
	(void)state;
	assert_int_equal(config_parse_time("2024-09-29"), 1727568000);
	assert_int_equal(config_parse_time("2024-09-29T04:00:00Z"), 1727582400);
	assert_int_equal(config_parse_time("2024-09-29T00:00-04:00"), 1727582400);
	assert_int_equal(config_parse_time("2024-09-29 04:00:00+0000"), 1727582400);
	assert_int_equal(config_parse_time("@1727582400"), 1727582400);
	assert_int_equal(config_parse_time("2024-13-01"), -1);
	assert_int_equal(config_parse_time("2024-09-29T25:00"), -1);
	assert_int_equal(config_parse_time("yesterday"), -1);
	assert_int_equal(config_parse_time("2024-09-29Tjunk"), -1);
}

static void
test_address_syntax(void **state)
{
	(void)state;
	struct config_addr a;
	assert_int_equal(config_parse_addr(&a, "192.0.2.1", 53), 0);
	assert_int_equal(a.ss.ss_family, AF_INET);
	assert_int_equal(config_parse_addr(&a, "2001:db8::1@5353", 53), 0);
	assert_int_equal(a.ss.ss_family, AF_INET6);
	assert_int_equal(config_parse_addr(&a, "192.0.2.1@0", 53), -1);
	assert_int_equal(config_parse_addr(&a, "192.0.2.1@70000", 53), -1);
	assert_int_equal(config_parse_addr(&a, "host.example@53", 53), -1);
	assert_int_equal(config_parse_addr(&a, "@53", 53), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_allow_loopback_and_local_service),
		cmocka_unit_test(test_local_service_and_lan_interfaces),
		cmocka_unit_test(test_every_error_names_its_line),
		cmocka_unit_test(test_resolv_conf_may_be_missing),
		cmocka_unit_test(test_relative_paths_follow_the_config_file),
		cmocka_unit_test(test_time_syntax),
		cmocka_unit_test(test_address_syntax),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
