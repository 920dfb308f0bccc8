/* Unit tests for the per-client rate limiter (dnsd/ratelimit.c): bucket depth,
 * refill, independence of clients, prefix keys, the bounded table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <string.h>

#include "netaddr.h"
#include "ratelimit.h"

static struct ratelimit *
rl_with(uint32_t rate, uint32_t burst, uint32_t table_size)
{
	struct ratelimit_config c;
	struct ratelimit *rl;

	ratelimit_config_default(&c);
	c.rate = rate;
	c.burst = burst;
	c.table_size = table_size;
	rl = ratelimit_new(&c);
	assert_non_null(rl);
	return rl;
}

static struct netaddr
addr(const char *text)
{
	struct netaddr na;

	assert_int_equal(netaddr_parse(&na, text), 0);
	return na;
}

/* How many of n queries at one instant get through. */
static int
allowed_of(struct ratelimit *rl, const char *client, int n, uint64_t now_ms)
{
	struct netaddr na = addr(client);
	int i, ok = 0;

	for (i = 0; i < n; i++)
		ok += ratelimit_allow(rl, &na, now_ms);
	return ok;
}

static void
test_rate_zero_never_limits(void **state)
{
	struct ratelimit *rl = rl_with(0, 0, 16);
	struct ratelimit_stats s;

	(void)state;
	assert_int_equal(allowed_of(rl, "127.0.0.5", 10000, 1), 10000);
	ratelimit_get_stats(rl, &s);
	assert_int_equal(s.limited, 0);
	ratelimit_free(rl);
}

static void
test_burst_is_served_then_limited(void **state)
{
	struct ratelimit *rl = rl_with(10, 20, 16);
	struct ratelimit_stats s;

	(void)state;
	assert_int_equal(allowed_of(rl, "10.0.0.1", 100, 1000), 20);
	ratelimit_get_stats(rl, &s);
	assert_int_equal(s.allowed, 20);
	assert_int_equal(s.limited, 80);
	ratelimit_free(rl);
}

static void
test_burst_defaults_to_rate(void **state)
{
	struct ratelimit *rl = rl_with(5, 0, 16);

	(void)state;
	assert_int_equal(allowed_of(rl, "10.0.0.1", 50, 1000), 5);
	ratelimit_free(rl);
}

static void
test_bucket_refills_at_rate(void **state)
{
	struct ratelimit *rl = rl_with(10, 10, 16);

	(void)state;
	assert_int_equal(allowed_of(rl, "10.0.0.1", 10, 1000), 10);
	assert_int_equal(allowed_of(rl, "10.0.0.1", 10, 1000), 0);
	/* 10 per second: one token per 100 ms, none before. */
	assert_int_equal(allowed_of(rl, "10.0.0.1", 5, 1099), 0);
	assert_int_equal(allowed_of(rl, "10.0.0.1", 5, 1100), 1);
	assert_int_equal(allowed_of(rl, "10.0.0.1", 5, 1550), 4);
	ratelimit_free(rl);
}

static void
test_long_pause_refills_only_the_burst(void **state)
{
	struct ratelimit *rl = rl_with(1000, 50, 16);

	(void)state;
	assert_int_equal(allowed_of(rl, "10.0.0.1", 50, 1), 50);
	assert_int_equal(allowed_of(rl, "10.0.0.1", 500, UINT64_C(1) << 60), 50);
	ratelimit_free(rl);
}

static void
test_clock_going_back_refills_nothing(void **state)
{
	struct ratelimit *rl = rl_with(10, 10, 16);

	(void)state;
	assert_int_equal(allowed_of(rl, "10.0.0.1", 10, 50000), 10);
	assert_int_equal(allowed_of(rl, "10.0.0.1", 10, 1000), 0);
	/* Time is measured from the latest moment seen, not the earlier one. */
	assert_int_equal(allowed_of(rl, "10.0.0.1", 10, 50050), 0);
	assert_int_equal(allowed_of(rl, "10.0.0.1", 10, 50100), 1);
	ratelimit_free(rl);
}

static void
test_flooding_client_does_not_limit_another(void **state)
{
	struct ratelimit *rl = rl_with(10, 10, 64);

	(void)state;
	assert_int_equal(allowed_of(rl, "127.0.0.5", 1000, 1), 10);
	assert_int_equal(allowed_of(rl, "127.0.0.6", 10, 1), 10);
	ratelimit_free(rl);
}

static void
test_ipv6_clients_share_a_56(void **state)
{
	struct ratelimit *rl = rl_with(10, 10, 64);

	(void)state;
	assert_int_equal(allowed_of(rl, "2001:db8:0:ab::1", 6, 1), 6);
	/* Same /56 (2001:db8:0:ab00::/56), another host and /64. */
	assert_int_equal(allowed_of(rl, "2001:db8:0:ff::2", 10, 1), 4);
	/* Next /56 over. */
	assert_int_equal(allowed_of(rl, "2001:db8:0:100::1", 10, 1), 10);
	ratelimit_free(rl);
}

static void
test_ipv4_prefix_is_configurable(void **state)
{
	struct ratelimit_config c;
	struct ratelimit *rl;

	(void)state;
	ratelimit_config_default(&c);
	c.rate = 10;
	c.prefix4 = 24;
	assert_non_null(rl = ratelimit_new(&c));
	assert_int_equal(allowed_of(rl, "192.168.1.10", 7, 1), 7);
	assert_int_equal(allowed_of(rl, "192.168.1.200", 7, 1), 3);
	assert_int_equal(allowed_of(rl, "192.168.2.1", 7, 1), 7);
	ratelimit_free(rl);
}

static void
test_table_is_bounded_and_evicts_least_recent(void **state)
{
	/* One set of 8 ways: a ninth prefix evicts the least recently seen. */
	struct ratelimit *rl = rl_with(1, 1, 8);
	struct ratelimit_stats s;
	char a[32];
	int i;

	(void)state;
	for (i = 0; i < 8; i++) {
		snprintf(a, sizeof a, "10.0.0.%d", i + 1);
		assert_int_equal(allowed_of(rl, a, 2, 10 + i), 1);
	}
	ratelimit_get_stats(rl, &s);
	assert_int_equal(s.evicted, 0);
	assert_int_equal(allowed_of(rl, "10.0.1.1", 2, 100), 1);
	ratelimit_get_stats(rl, &s);
	assert_int_equal(s.evicted, 1);
	/* 10.0.0.1 was the oldest: it comes back with a fresh bucket, while
	 * 10.0.0.8 (still tracked) stays limited. */
	assert_int_equal(allowed_of(rl, "10.0.0.8", 1, 100), 0);
	assert_int_equal(allowed_of(rl, "10.0.0.1", 1, 100), 1);
	ratelimit_free(rl);
}

static void
test_unknown_family_is_not_limited(void **state)
{
	struct ratelimit *rl = rl_with(1, 1, 8);
	struct netaddr na = {0};
	int i;

	(void)state;
	for (i = 0; i < 5; i++)
		assert_true(ratelimit_allow(rl, &na, 1));
	ratelimit_free(rl);
}

static void
test_bad_config_is_rejected(void **state)
{
	struct ratelimit_config c;

	(void)state;
	ratelimit_config_default(&c);
	c.table_size = 0;
	assert_null(ratelimit_new(&c));
	ratelimit_config_default(&c);
	c.prefix4 = 33;
	assert_null(ratelimit_new(&c));
	ratelimit_config_default(&c);
	c.prefix6 = 0;
	assert_null(ratelimit_new(&c));
	ratelimit_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rate_zero_never_limits),
	    cmocka_unit_test(test_burst_is_served_then_limited),
	    cmocka_unit_test(test_burst_defaults_to_rate),
	    cmocka_unit_test(test_bucket_refills_at_rate),
	    cmocka_unit_test(test_long_pause_refills_only_the_burst),
	    cmocka_unit_test(test_clock_going_back_refills_nothing),
	    cmocka_unit_test(test_flooding_client_does_not_limit_another),
	    cmocka_unit_test(test_ipv6_clients_share_a_56),
	    cmocka_unit_test(test_ipv4_prefix_is_configurable),
	    cmocka_unit_test(test_table_is_bounded_and_evicts_least_recent),
	    cmocka_unit_test(test_unknown_family_is_not_limited),
	    cmocka_unit_test(test_bad_config_is_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
