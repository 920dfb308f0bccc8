/* Unit tests for dnsd/config.c: every error carries file:line (the groups
 * of the subsystems too, all in one load, bounded with a count), defaults
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
#include "hosts/hostlog.h"

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
	struct config *c =
	    config_load(write_file("a.conf", "upstreams = [ \"192.0.2.1\" ];\n"), err, sizeof err);
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
	struct config *c =
	    config_load(write_file("l.conf", "upstreams = [ \"192.0.2.1\" ];\n"
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

/* text followed by an upstream (so that text's line numbers hold) as NAME;
 * the config or NULL with err filled. */
static struct config *
load_text(const char *name, const char *text, char *err, size_t errlen)
{
	char full[4096];
	snprintf(full, sizeof full, "%supstreams = [ \"192.0.2.1\" ];\n", text);
	return config_load(write_file(name, full), err, errlen);
}

static void
test_hosts_group_is_read_with_its_lines(void **state)
{
	(void)state;
	char err[CONFIG_ERR_MAX];
	struct config *c = load_text("h.conf",
	                             "hosts = {\n max_hosts = 10;\n"
	                             " trusted_forwarders = [ \"127.0.0.1\", \"::1\" ];\n}\n",
	                             err, sizeof err);
	assert_non_null(c);
	assert_int_equal(c->hosts->max_hosts, 10);
	assert_int_equal(c->hosts->clientid.nforwarders, 2);
	assert_int_equal(c->hosts->recent, 16); /* the owner's default */
	config_free(c);
	assert_null(
	    load_text("h.conf", "hosts = {\n max_hosts = 10;\n recnet = 5;\n}\n", err, sizeof err));
	assert_non_null(strstr(err, "h.conf:3: unknown setting 'recnet' in hosts"));
	assert_null(load_text("h.conf", "hosts = {\n max_hosts = 0;\n}\n", err, sizeof err));
	assert_non_null(strstr(err, "h.conf:2: max_hosts: 0 is out of range"));
}

static void
test_log_group_is_read_with_its_lines(void **state)
{
	(void)state;
	char err[CONFIG_ERR_MAX];
	struct config *c = load_text(
	    "g.conf",
	    "log = {\n file = \"/tmp/x.log\";\n"
	    " fold_minutes = 5;\n remote = \"127.0.0.1\";\n remote_protocol = \"tcp\";\n}\n",
	    err, sizeof err);
	assert_non_null(c);
	assert_int_equal(c->log->fold_secs, 300);
	assert_int_equal(c->log->remote_proto, EVENTLOG_REMOTE_TCP);
	assert_string_equal(c->log->file, "/tmp/x.log");
	config_free(c);
	assert_null(
	    load_text("g.conf", "log = {\n remote = \"collector.lan\";\n}\n", err, sizeof err));
	assert_non_null(strstr(err, "g.conf:2: remote: expected a numeric"));
}

static void
test_ratelimit_group_is_read_with_its_lines(void **state)
{
	(void)state;
	char err[CONFIG_ERR_MAX];
	struct config *c = load_text("r.conf",
	                             "ratelimit = { rate = 50; burst = 200; "
	                             "table_size = 64;\nipv4_prefix = 24; ipv6_prefix = 48; };\n",
	                             err, sizeof err);
	assert_non_null(c);
	assert_int_equal(c->ratelimit.rate, 50);
	assert_int_equal(c->ratelimit.burst, 200);
	assert_int_equal(c->ratelimit.table_size, 64);
	assert_int_equal(c->ratelimit.prefix4, 24);
	assert_int_equal(c->ratelimit.prefix6, 48);
	config_free(c);
	/* No group at all: the defaults (no limit). */
	assert_non_null(c = load_text("r.conf", "", err, sizeof err));
	assert_int_equal(c->ratelimit.rate, 0);
	assert_int_equal(c->ratelimit.prefix6, 56);
	config_free(c);
	assert_null(load_text("r.conf", "ratelimit = {\n rate = 10;\n ipv4_prefix = 40;\n};\n", err,
	                      sizeof err));
	assert_non_null(strstr(err, "r.conf:3: ipv4_prefix: 40 is out of range"));
	assert_null(load_text("r.conf", "ratelimit = {\n rat = 10;\n};\n", err, sizeof err));
	assert_non_null(strstr(err, "r.conf:2: unknown setting 'rat'"));
	assert_null(load_text("r.conf", "ratelimit = 5;\n", err, sizeof err));
	assert_non_null(strstr(err, "r.conf:1: ratelimit: expected a group"));
}

/* One read reports the errors of every group, the subsystems' too, not
 * only the first. */
static void
test_errors_of_every_group_in_one_load(void **state)
{
	(void)state;
	char err[CONFIG_ERR_MAX];
	assert_null(load_text("all.conf",
	                      "cache = { min_ttl = -1; };\n"
	                      "hosts = {\n max_hosts = 0;\n days = 0;\n};\n"
	                      "log = { keep = 100; };\nratelimit = { rate = -1; };\n",
	                      err, sizeof err));
	assert_non_null(strstr(err, "all.conf:1: min_ttl"));
	assert_non_null(strstr(err, "all.conf:3: max_hosts"));
	assert_non_null(strstr(err, "all.conf:4: days"));
	assert_non_null(strstr(err, "all.conf:6: keep"));
	assert_non_null(strstr(err, "all.conf:7: rate"));
}

/* Errors are bounded by the buffer: what does not fit is counted in one
 * last line, and that line always fits. */
static void
test_too_many_errors_end_with_a_count(void **state)
{
	(void)state;
	char err[CONFIG_ERR_MAX], text[4096] = "", *last;
	size_t used = 0;
	for (int i = 0; i < 200; i++)
		used += (size_t)snprintf(text + used, sizeof text - used, "typo%d = 1;\n", i);
	assert_null(load_text("many.conf", text, err, sizeof err));
	int shown = 0;
	for (char *p = err; (p = strstr(p, "unknown setting")); p++)
		shown++;
	assert_true(shown > 10 && shown < 200);
	assert_non_null(last = strstr(err, "many.conf: and "));
	assert_int_equal(atoi(last + strlen("many.conf: and ")), 200 - shown);
	assert_string_equal(strchr(last, '\n'), "\n");
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
	    cmocka_unit_test(test_hosts_group_is_read_with_its_lines),
	    cmocka_unit_test(test_log_group_is_read_with_its_lines),
	    cmocka_unit_test(test_ratelimit_group_is_read_with_its_lines),
	    cmocka_unit_test(test_errors_of_every_group_in_one_load),
	    cmocka_unit_test(test_too_many_errors_end_with_a_count),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
