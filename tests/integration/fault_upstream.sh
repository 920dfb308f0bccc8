#!/usr/bin/env bash
# A hostile upstream (tests/tools/fakeup.c): silent, slow (answers after the
# timeout), garbage, truncated, wrong ID, wrong question, answers from another
# port or address, 500 forged IDs, TSIG records (ldns leaks on several:
# under ASan the leak would fail the scenario). Nothing of it reaches a
# client or the cache: with the genuine answer following, the client gets the
# genuine one; without, SERVFAIL, and asking again never returns the forgery.
. "$(dirname "$0")/../lib.sh"

GOOD=192.0.2.1
# The late answer of "slow" comes 1.5 s after the query, past the 1 s budget.
DNSD_EXTRA='forward = { timeout_ms = 400; budget_ms = 1000; down_after = 100; };
cache = { servfail_ttl = 0; };'
fakeup_dnsd -d 1500 -n 500

expect_eq "a genuine answer passes" "NOERROR $GOOD" "$(answer good.test A)"

for mode in garbage truncated wrongid wrongq otherport otheraddr spoof tsig; do
	expect_eq "$mode, then the genuine answer: the genuine one is taken" "NOERROR $GOOD" \
		"$(answer "$mode.then-good.test" A)"
	expect_eq "$mode alone: SERVFAIL, not the forgery" "SERVFAIL" "$(answer "$mode.test" A)"
	expect_eq "$mode alone, asked again: still not cached" "SERVFAIL" "$(answer "$mode.test" A)"
done
check "the fake upstream really was asked (wrongid.test)" grep -q ' wrongid.test.$' "$FAKEUP_LOG"
expect_eq "the name of the wrong-question forgery was not cached" "SERVFAIL" \
	"$(answer evil.example A)"

expect_eq "silent upstream: SERVFAIL within the budget" "SERVFAIL" "$(answer silent.test A)"
expect_eq "slow upstream: SERVFAIL within the budget" "SERVFAIL" "$(answer slow.test A)"
# Let the late forged answers arrive (1.5 s after each query), then ask again.
sleep 2
expect_eq "slow upstream: the late answer was not cached" "SERVFAIL" "$(answer slow.test A)"
expect_eq "after all that, genuine answers still pass" "NOERROR $GOOD" "$(answer good.again.test A)"
expect_eq "and the second time from the cache" "NOERROR $GOOD 1" \
	"$(answer good.again.test A) $(grep -c ' good.again.test.$' "$FAKEUP_LOG")"
stop_dnsd
exit $FAILED
