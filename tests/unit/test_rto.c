/* The per-upstream timeout arithmetic (dnsd/rto.c): the initial value,
 * RFC 6298's first and later samples, the floor on the variation term, the
 * bounds, and backoff doubling the timeout the lost try waited. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "rto.h"

static void
test_unmeasured_upstream_waits_the_initial_timeout_within_bounds(void **state)
{
	struct rto r;
	(void)state;
	rto_init(&r, 1000, 200, 3000);
	assert_int_equal(r.timeout, 1000);
	assert_false(r.measured);
	rto_init(&r, 50, 200, 3000);
	assert_int_equal(r.timeout, 200);
	rto_init(&r, 9000, 200, 3000);
	assert_int_equal(r.timeout, 3000);
}

static void
test_first_sample_sets_srtt_and_half_of_it_as_variation(void **state)
{
	struct rto r;
	(void)state;
	rto_init(&r, 1000, 200, 10000);
	rto_sample(&r, 1200);
	assert_true(r.measured);
	assert_int_equal(r.srtt, 1200);
	assert_int_equal(r.rttvar, 600);
	assert_int_equal(r.timeout, 1200 + 4 * 600);
}

static void
test_later_samples_move_srtt_by_an_eighth_and_variation_by_a_quarter(void **state)
{
	struct rto r;
	(void)state;
	rto_init(&r, 1000, 200, 10000);
	rto_sample(&r, 800);  /* srtt 800, rttvar 400 */
	rto_sample(&r, 1600); /* delta 800 */
	assert_int_equal(r.rttvar, (3 * 400 + 800) / 4);
	assert_int_equal(r.srtt, (7 * 800 + 1600) / 8);
	assert_int_equal(r.timeout, r.srtt + 4 * r.rttvar);
}

static void
test_steady_rtt_keeps_the_floor_above_it(void **state)
{
	struct rto r;
	(void)state;
	rto_init(&r, 1000, 200, 3000);
	for (int i = 0; i < 100; i++)
		rto_sample(&r, 1200);
	assert_int_equal(r.srtt, 1200);
	assert_int_equal(r.timeout, 1200 + 200);
	for (int i = 0; i < 100; i++)
		rto_sample(&r, 0); /* loopback */
	assert_int_equal(r.timeout, 200);
}

static void
test_timeout_never_exceeds_the_budget(void **state)
{
	struct rto r;
	(void)state;
	rto_init(&r, 1000, 200, 3000);
	rto_sample(&r, 2500);
	assert_int_equal(r.timeout, 3000);
}

static void
test_backoff_doubles_what_the_lost_try_waited(void **state)
{
	struct rto r;
	(void)state;
	rto_init(&r, 1000, 200, 3000);
	rto_backoff(&r, 1000);
	assert_int_equal(r.timeout, 2000);
	/* Many tries that waited 1000 ms time out together: doubled once. */
	rto_backoff(&r, 1000);
	assert_int_equal(r.timeout, 2000);
	rto_backoff(&r, 2000);
	assert_int_equal(r.timeout, 3000); /* the bound */
	/* A sample brings it back to the measurement. */
	rto_sample(&r, 100);
	assert_int_equal(r.timeout, 100 + 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unmeasured_upstream_waits_the_initial_timeout_within_bounds),
	    cmocka_unit_test(test_first_sample_sets_srtt_and_half_of_it_as_variation),
	    cmocka_unit_test(test_later_samples_move_srtt_by_an_eighth_and_variation_by_a_quarter),
	    cmocka_unit_test(test_steady_rtt_keeps_the_floor_above_it),
	    cmocka_unit_test(test_timeout_never_exceeds_the_budget),
	    cmocka_unit_test(test_backoff_doubles_what_the_lost_try_waited),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
