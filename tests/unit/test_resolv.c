/* Unit tests for dnsd/resolv.c's parser: nameserver lines of a resolv.conf
 * as OpenWrt's netifd and dnsmasq write them, in order, bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "resolv.h"

static unsigned
port_of(const struct config_addr *a)
{
	return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

static void
test_nameserver_lines_in_order(void **state)
{
	(void)state;
	static const char text[] = "# Interface wwan\n"
	                           "nameserver 192.0.2.53\n"
	                           "search lan\n"
	                           "  nameserver\t2001:db8::53 # trailing comment\n"
	                           "nameserver 192.0.2.54#5353\n"
	                           "nameserver not-an-address\n"
	                           "nameserver 192.0.2.55@5300";
	struct config_addr a[8];
	assert_int_equal(resolv_parse(text, sizeof text - 1, a, 8), 4);
	assert_int_equal(a[0].ss.ss_family, AF_INET);
	assert_int_equal(port_of(&a[0]), 53);
	assert_int_equal(a[1].ss.ss_family, AF_INET6);
	assert_int_equal(port_of(&a[2]), 5353);
	assert_int_equal(port_of(&a[3]), 5300);
}

static void
test_empty_and_bounded(void **state)
{
	(void)state;
	struct config_addr a[2];
	assert_int_equal(resolv_parse("", 0, a, 2), 0);
	assert_int_equal(resolv_parse("# nameserver 192.0.2.1\n", 23, a, 2), 0);
	static const char three[] =
	    "nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\n";
	assert_int_equal(resolv_parse(three, sizeof three - 1, a, 2), 2);
	/* Not NUL-terminated: only len bytes are read. */
	assert_int_equal(resolv_parse("nameserver 192.0.2.1", 14, a, 2), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nameserver_lines_in_order),
	    cmocka_unit_test(test_empty_and_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
