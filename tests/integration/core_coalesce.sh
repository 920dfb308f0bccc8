#!/usr/bin/env bash
# Identical questions in flight share one upstream query: five clients ask
# the same name of an upstream that never answers (tests/tools/fakeup.c);
# the upstream sees one query per try, not one per client, and every client
# gets SERVFAIL.
. "$(dirname "$0")/../lib.sh"

DNSD_EXTRA='forward = { timeout_ms = 600; budget_ms = 2000; };'
fakeup_dnsd

for i in 1 2 3 4 5; do
	rcode +time=5 silent.coalesce.test A >"$T/rc.$i" &
done
wait_clients() { local i; for i in 1 2 3 4 5; do [ -s "$T/rc.$i" ] || return 1; done; }
for i in $(seq 80); do wait_clients && break; sleep 0.1; done
expect_eq "every client gets SERVFAIL" "SERVFAIL SERVFAIL SERVFAIL SERVFAIL SERVFAIL" \
	"$(cat "$T"/rc.? | tr '\n' ' ' | sed 's/ $//')"
n=$(grep -c 'silent.coalesce.test' "$FAKEUP_LOG")
# Two tries at most (every upstream twice), whatever the number of clients.
check "five clients, $n upstream queries (at most 2)" test "$n" -ge 1 -a "$n" -le 2
stop_dnsd
exit $FAILED
