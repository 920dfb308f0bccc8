/* The tables' one hash (lib/hash.c): FNV-1a as published, the name variant
 * folding only ASCII case, the per-process seed fixed once drawn, and the
 * address variant covering only the family's bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "hash.h"
#include "netaddr.h"

static void
test_bytes_is_fnv1a(void **state)
{
	(void)state;
	/* The published FNV-1a 32-bit test vectors. */
	assert_int_equal(hash_bytes(HASH_FNV_BASIS, "", 0), 0x811c9dc5u);
	assert_int_equal(hash_bytes(HASH_FNV_BASIS, "a", 1), 0xe40c292cu);
	assert_int_equal(hash_bytes(HASH_FNV_BASIS, "foobar", 6), 0xbf9cf968u);
}

static void
test_name_hash_ignores_case_only(void **state)
{
	(void)state;
	uint32_t s = hash_seed();
	assert_int_equal(hash_name(s, "Dnl-07.GEO.kaspersky.com"),
	                 hash_name(s, "dnl-07.geo.KASPERSKY.COM"));
	assert_int_not_equal(hash_name(s, "dnl-07.geo.kaspersky.com"),
	                     hash_name(s, "dnl-08.geo.kaspersky.com"));
	assert_int_not_equal(hash_name(s, "a.kaspersky.com"), hash_name(s, "a.kaspersky.co"));
}

static void
test_seed_is_drawn_once(void **state)
{
	(void)state;
	assert_int_equal(hash_seed(), hash_seed());
	assert_int_equal(hash_bytes(hash_seed(), "x", 1), hash_bytes(hash_seed(), "x", 1));
}

static void
test_address_hash_covers_only_the_family_bytes(void **state)
{
	(void)state;
	struct netaddr a, b;
	memset(&a, 0, sizeof a);
	memset(&b, 0xff, sizeof b);
	a.family = b.family = AF_INET;
	memcpy(a.addr, "\x0a\x00\x00\x01", 4);
	memcpy(b.addr, "\x0a\x00\x00\x01", 4);
	assert_int_equal(netaddr_hash(1, &a), netaddr_hash(1, &b));
	assert_int_equal(netaddr_hash(1, &a), hash_bytes(1, "\x0a\x00\x00\x01", 4));
	b.addr[3] = 2;
	assert_int_not_equal(netaddr_hash(1, &a), netaddr_hash(1, &b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bytes_is_fnv1a),
	    cmocka_unit_test(test_name_hash_ignores_case_only),
	    cmocka_unit_test(test_seed_is_drawn_once),
	    cmocka_unit_test(test_address_hash_covers_only_the_family_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
