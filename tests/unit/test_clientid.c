/* Unit tests for clientid: EDNS Client Subnet and dnsmasq's MAC options,
 * including malformed payloads and the trusted-forwarder rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hosts/clientid.h"
#include "hosts/neigh.h"

static void
test_ecs_full_ipv4_prefix_names_the_client(void **state)
{
	(void)state;
	const uint8_t opt[] = {0, 1, 32, 0, 192, 168, 1, 10};
	struct client ci = {0};
	char buf[NETADDR_STRLEN];
	assert_int_equal(clientid_parse_option(8, opt, sizeof opt, &ci), 1);
	assert_string_equal(netaddr_str(&ci.addr, buf), "192.168.1.10");
}

static void
test_ecs_full_ipv6_prefix_names_the_client(void **state)
{
	(void)state;
	uint8_t opt[20] = {0, 2, 128, 0};
	struct client ci = {0};
	char buf[NETADDR_STRLEN];
	inet_pton(AF_INET6, "fd00::1:2", opt + 4);
	assert_int_equal(clientid_parse_option(8, opt, sizeof opt, &ci), 1);
	assert_string_equal(netaddr_str(&ci.addr, buf), "fd00::1:2");
}

static void
test_ecs_short_prefix_is_a_network_not_a_host(void **state)
{
	(void)state;
	const uint8_t opt[] = {0, 1, 24, 0, 192, 168, 1};
	struct client ci = {0};
	assert_int_equal(clientid_parse_option(8, opt, sizeof opt, &ci), 0);
	assert_int_equal(ci.addr.family, 0);
}

static void
test_ecs_malformed_is_rejected(void **state)
{
	(void)state;
	const uint8_t shortopt[] = {0, 1, 32};
	const uint8_t badfam[] = {0, 3, 32, 0, 1, 2, 3, 4};
	const uint8_t badlen[] = {0, 1, 32, 0, 1, 2, 3};
	const uint8_t toolong[] = {0, 1, 40, 0, 1, 2, 3, 4, 5};
	struct client ci = {0};
	assert_int_equal(clientid_parse_option(8, shortopt, sizeof shortopt, &ci), -1);
	assert_int_equal(clientid_parse_option(8, badfam, sizeof badfam, &ci), -1);
	assert_int_equal(clientid_parse_option(8, badlen, sizeof badlen, &ci), -1);
	assert_int_equal(clientid_parse_option(8, toolong, sizeof toolong, &ci), -1);
	assert_int_equal(clientid_parse_option(8, NULL, 0, &ci), -1);
	assert_int_equal(ci.addr.family, 0);
}

static void
test_mac_option_binary(void **state)
{
	(void)state;
	const uint8_t mac[] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
	struct client ci = {0};
	assert_int_equal(clientid_parse_option(65001, mac, 6, &ci), 1);
	assert_true(ci.has_mac);
	assert_memory_equal(ci.mac, mac, 6);
	struct client bad = {0};
	assert_int_equal(clientid_parse_option(65001, mac, 5, &bad), -1);
	assert_false(bad.has_mac);
}

static void
test_device_id_base64_and_text(void **state)
{
	(void)state;
	const uint8_t want[] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
	struct client a = {0}, b = {0}, c = {0};
	assert_int_equal(clientid_parse_option(65073, (const uint8_t *)"qrvM3e7/", 8, &a), 1);
	assert_memory_equal(a.mac, want, 6);
	assert_int_equal(clientid_parse_option(65073, (const uint8_t *)"aa:bb:cc:dd:ee:ff", 17, &b),
	                 1);
	assert_memory_equal(b.mac, want, 6);
	assert_int_equal(clientid_parse_option(65073, (const uint8_t *)"qrvM3e7!", 8, &c), -1);
	assert_int_equal(
	    clientid_parse_option(65073, (const uint8_t *)"aa:bb:cc:dd:ee:f\0", 17, &c), -1);
	assert_int_equal(clientid_parse_option(65073, (const uint8_t *)"xyz", 3, &c), -1);
	assert_false(c.has_mac);
}

static void
test_other_options_are_ignored(void **state)
{
	(void)state;
	struct client ci = {0};
	assert_int_equal(clientid_parse_option(10, (const uint8_t *)"cookie!!", 8, &ci), 0);
}

/* A query in wire format carrying opts as its OPT RDATA; caller frees. */
static uint8_t *
query_with_options(const uint8_t *opts, size_t len, size_t *wirelen)
{
	ldns_pkt *p = NULL;
	uint8_t *wire = NULL;
	assert_int_equal(ldns_pkt_query_new_frm_str(&p, "example.com.", LDNS_RR_TYPE_A,
	                                            LDNS_RR_CLASS_IN, LDNS_RD),
	                 LDNS_STATUS_OK);
	ldns_pkt_set_edns_udp_size(p, 1232);
	ldns_pkt_set_edns_data(p, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, len, opts));
	assert_int_equal(ldns_pkt2wire(&wire, p, wirelen), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return wire;
}

/* Identify the sender of a query carrying opts, sent from src, cut to cut
 * bytes when cut > 0, with 127.0.0.1 as the only trusted forwarder. Returns
 * the client address as text (static buffer). */
static const char *
identify(const uint8_t *opts, size_t optlen, const char *src, size_t cut, struct client *ci)
{
	static char buf[NETADDR_STRLEN];
	struct clientid_opts o = {.nforwarders = 1};
	struct netaddr from;
	size_t len;
	assert_int_equal(cidr_parse(&o.forwarders[0], "127.0.0.1"), 0);
	assert_int_equal(netaddr_parse(&from, src), 0);
	uint8_t *p = query_with_options(opts, optlen, &len);
	struct msg_query q;
	msg_parse_query(&q, p, cut ? cut : len); /* what it keeps, whatever the status */
	clientid_identify(&o, &from, &q, ci);
	free(p);
	return netaddr_str(&ci->addr, buf);
}

static void
test_options_trusted_only_from_forwarders(void **state)
{
	(void)state;
	const uint8_t opts[] = {0, 8,    0,    8, 0, 1, 32, 0, 10, 0, 0,
	                        7, 0xfd, 0xe9, 0, 6, 1, 2,  3, 4,  5, 6};
	struct client ci;
	assert_string_equal(identify(opts, sizeof opts, "127.0.0.1", 0, &ci), "10.0.0.7");
	assert_true(ci.has_mac && ci.via.family == AF_INET);
	assert_int_equal(ci.mac[5], 6);
	assert_string_equal(identify(opts, sizeof opts, "127.0.0.9", 0, &ci), "127.0.0.9");
	assert_false(ci.has_mac || ci.via.family);
}

static void
test_truncated_option_list_is_ignored(void **state)
{
	(void)state;
	const uint8_t opts[] = {0, 8, 0, 8, 0, 1, 32};
	struct client ci;
	assert_string_equal(identify(opts, sizeof opts, "127.0.0.1", 0, &ci), "127.0.0.1");
	assert_false(ci.via.family);
	assert_string_equal(identify(opts, sizeof opts, "127.0.0.1", 5, &ci), "127.0.0.1");
	assert_false(ci.via.family);
}

static void
test_arp_table_complete_entries_only(void **state)
{
	(void)state;
	static const char arp[] =
	    "IP address       HW type     Flags       HW address            Mask     Device\n"
	    "192.168.1.10     0x1         0x2         aa:bb:cc:00:00:01     *        br-lan\n"
	    "192.168.1.11     0x1         0x0         00:00:00:00:00:00     *        br-lan\n"
	    "garbage\n";
	struct neigh_entry out[4];
	char buf[MAC_STRLEN];
	FILE *f = fmemopen((void *)arp, sizeof arp - 1, "r");
	assert_int_equal(neigh_parse_arp(f, out, 4), 1);
	fclose(f);
	assert_string_equal(mac_str(out[0].mac, buf), "aa:bb:cc:00:00:01");
}

static void
test_neigh_lookup_uses_the_snapshot(void **state)
{
	(void)state;
	char path[] = "/tmp/test_neigh.XXXXXX";
	int fd = mkstemp(path);
	static const char arp[] = "IP address HW type Flags HW address Mask Device\n"
	                          "10.0.0.5 0x1 0x2 02:00:00:00:00:05 * eth0\n";
	assert_int_equal(write(fd, arp, sizeof arp - 1), (ssize_t)sizeof arp - 1);
	close(fd);
	struct neigh *n = neigh_new(10, path, false);
	struct netaddr a;
	uint8_t mac[6];
	netaddr_parse(&a, "10.0.0.5");
	assert_int_equal(neigh_lookup(n, &a, 100, mac), 0);
	assert_int_equal(mac[5], 5);
	unlink(path);
	assert_int_equal(neigh_lookup(n, &a, 105, mac), 0);  /* cached */
	assert_int_equal(neigh_lookup(n, &a, 110, mac), -1); /* re-read: gone */
	neigh_free(n);
}

/* A host new to the LAN is in the kernel's table before the snapshot's TTL
 * runs out: a miss reads the table again (at most every 100 ms). */
static void
test_neigh_miss_reads_the_table_again_for_a_new_host(void **state)
{
	(void)state;
	char path[] = "/tmp/test_neigh.XXXXXX";
	int fd = mkstemp(path);
	static const char head[] = "IP address HW type Flags HW address Mask Device\n";
	static const char added[] = "10.0.0.6 0x1 0x2 02:00:00:00:00:06 * eth0\n";
	assert_int_equal(write(fd, head, sizeof head - 1), (ssize_t)sizeof head - 1);
	struct neigh *n = neigh_new(10, path, false);
	struct netaddr a;
	uint8_t mac[6];
	netaddr_parse(&a, "10.0.0.6");
	assert_int_equal(neigh_lookup(n, &a, 100, mac), -1); /* not there yet */
	assert_int_equal(write(fd, added, sizeof added - 1), (ssize_t)sizeof added - 1);
	close(fd);
	struct timespec wait = {0, 150 * 1000 * 1000};
	nanosleep(&wait, NULL);
	/* the same second, well within the 10 s TTL */
	assert_int_equal(neigh_lookup(n, &a, 100, mac), 0);
	assert_int_equal(mac[5], 6);
	unlink(path);
	neigh_free(n);
}

static void
test_neigh_lookup_finds_every_entry_of_a_large_table(void **state)
{
	(void)state;
	char path[] = "/tmp/test_neigh.XXXXXX", line[128];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("IP address HW type Flags HW address Mask Device\n", f);
	for (int i = 299; i >= 0; i--) /* out of order, more than one growth step */
		fprintf(f, "10.0.%d.%d 0x1 0x2 02:00:00:00:%02x:%02x * eth0\n", i / 256, i % 256,
		        i / 256, i % 256);
	fclose(f);
	struct neigh *n = neigh_new(10, path, false);
	struct netaddr a;
	uint8_t mac[6];
	for (int i = 0; i < 300; i++) {
		snprintf(line, sizeof line, "10.0.%d.%d", i / 256, i % 256);
		netaddr_parse(&a, line);
		assert_int_equal(neigh_lookup(n, &a, 100, mac), 0);
		assert_int_equal(mac[4] * 256 + mac[5], i);
	}
	netaddr_parse(&a, "10.0.1.44");
	assert_int_equal(neigh_lookup(n, &a, 100, mac), -1);
	netaddr_parse(&a, "::ffff:10.0.0.7"); /* mapped: the same host */
	assert_int_equal(neigh_lookup(n, &a, 100, mac), 0);
	neigh_free(n);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ecs_full_ipv4_prefix_names_the_client),
	    cmocka_unit_test(test_ecs_full_ipv6_prefix_names_the_client),
	    cmocka_unit_test(test_ecs_short_prefix_is_a_network_not_a_host),
	    cmocka_unit_test(test_ecs_malformed_is_rejected),
	    cmocka_unit_test(test_mac_option_binary),
	    cmocka_unit_test(test_device_id_base64_and_text),
	    cmocka_unit_test(test_other_options_are_ignored),
	    cmocka_unit_test(test_options_trusted_only_from_forwarders),
	    cmocka_unit_test(test_truncated_option_list_is_ignored),
	    cmocka_unit_test(test_arp_table_complete_entries_only),
	    cmocka_unit_test(test_neigh_lookup_uses_the_snapshot),
	    cmocka_unit_test(test_neigh_miss_reads_the_table_again_for_a_new_host),
	    cmocka_unit_test(test_neigh_lookup_finds_every_entry_of_a_large_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
