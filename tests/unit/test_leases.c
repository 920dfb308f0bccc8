/* Unit tests for leases: dnsmasq lease lines (IPv4, IPv6, malformed),
 * odhcpd's hosts file, and re-reading a file that changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "testdir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosts/leases.h"

static const char dnsmasq_sample[] =
    "1732400000 aa:bb:cc:00:00:01 192.168.1.10 anna-laptop 01:aa:bb:cc:00:00:01\n"
    "1732400000 aa:bb:cc:00:00:02 192.168.1.11 * *\n"
    "garbage line\n"
    "1732400000 aa:bb:cc:00:00:03 not-an-ip host3 *\n"
    "notanumber aa:bb:cc:00:00:04 192.168.1.13 host4 *\n"
    "1732400000 aa:bb:cc:00:00:05 192.168.1.14 bad<name> *\n"
    "duid 00:01:00:01:2c:aa:bb:cc:dd:ee:ff:00:11\n"
    "1732400000 1234567 fd00::10 anna-laptop.lan 00:02:00:00\n"
    "\n";

static FILE *
text_file(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	return f;
}

static void
test_dnsmasq_lines_parse_and_malformed_are_skipped(void **state)
{
	(void)state;
	struct lease out[16];
	char buf[NETADDR_STRLEN], mac[MAC_STRLEN];
	FILE *f = text_file(dnsmasq_sample);
	int n = leases_parse_dnsmasq(f, out, 16);
	fclose(f);
	assert_int_equal(n, 4);
	assert_string_equal(netaddr_str(&out[0].addr, buf), "192.168.1.10");
	assert_string_equal(out[0].hostname, "anna-laptop");
	assert_true(out[0].has_mac);
	assert_string_equal(mac_str(out[0].mac, mac), "aa:bb:cc:00:00:01");
	assert_string_equal(out[1].hostname, ""); /* "*" = no name */
	assert_string_equal(out[2].hostname, ""); /* unprintable name dropped */
	assert_string_equal(netaddr_str(&out[3].addr, buf), "fd00::10");
	assert_string_equal(out[3].hostname, "anna-laptop"); /* domain cut */
	assert_false(out[3].has_mac);                        /* an IAID, not a MAC */
}

static void
test_parse_stops_at_the_bound(void **state)
{
	(void)state;
	struct lease out[2];
	FILE *f = text_file(dnsmasq_sample);
	assert_int_equal(leases_parse_dnsmasq(f, out, 2), 2);
	fclose(f);
}

static void
test_odhcpd_hosts_file(void **state)
{
	(void)state;
	struct lease out[8];
	char buf[NETADDR_STRLEN];
	FILE *f = text_file("# odhcpd\nfd00::20\tprinter.lan\n2001:db8::5 nas\nbad\n"
	                    "fd00::21 <script>\n");
	int n = leases_parse_odhcpd(f, out, 8);
	fclose(f);
	assert_int_equal(n, 2);
	assert_string_equal(netaddr_str(&out[0].addr, buf), "fd00::20");
	assert_string_equal(out[0].hostname, "printer");
	assert_string_equal(out[1].hostname, "nas");
}

static void
test_lookup_rereads_a_changed_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_leases.XXXXXX", path[64], odhcpd[64];
	struct netaddr a, b;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/dhcp.leases", dir);
	snprintf(odhcpd, sizeof odhcpd, "%s/odhcpd", dir);
	assert_int_equal(testdir_write(path, "1 aa:bb:cc:00:00:01 192.168.1.10 first *\n"), 0);
	struct leases *l = leases_new(path, odhcpd);
	assert_non_null(l);
	netaddr_parse(&a, "192.168.1.10");
	netaddr_parse(&b, "fd00::20");
	const struct lease *e = leases_lookup(l, &a, 100);
	assert_non_null(e);
	assert_string_equal(e->hostname, "first");
	assert_null(leases_lookup(l, &b, 100));

	assert_int_equal(testdir_write(path, "1 aa:bb:cc:00:00:01 192.168.1.10 second-name *\n"),
	                 0);
	assert_int_equal(testdir_write(odhcpd, "fd00::20 printer\n"), 0);
	e = leases_lookup(l, &a, 101);
	assert_non_null(e);
	assert_string_equal(e->hostname, "second-name");
	assert_non_null(leases_lookup(l, &b, 101));

	unlink(path);
	assert_null(leases_lookup(l, &a, 102));
	leases_free(l);
	unlink(odhcpd);
	rmdir(dir);
}

static void
test_a_large_lease_file_is_read_whole(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_leases.XXXXXX", path[64];
	struct netaddr a;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/dhcp.leases", dir);
	FILE *f = fopen(path, "w");
	for (int i = 0; i < 300; i++)
		fprintf(f, "1 aa:bb:cc:00:%02x:%02x 10.0.%d.%d host%d *\n", i / 256, i % 256,
		        i / 256, i % 256, i);
	fclose(f);
	struct leases *l = leases_new(path, NULL);
	netaddr_parse(&a, "10.0.1.43"); /* the 300th */
	const struct lease *e = leases_lookup(l, &a, 1);
	assert_non_null(e);
	assert_string_equal(e->hostname, "host299");
	leases_free(l);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dnsmasq_lines_parse_and_malformed_are_skipped),
	    cmocka_unit_test(test_parse_stops_at_the_bound),
	    cmocka_unit_test(test_odhcpd_hosts_file),
	    cmocka_unit_test(test_lookup_rereads_a_changed_file),
	    cmocka_unit_test(test_a_large_lease_file_is_read_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
