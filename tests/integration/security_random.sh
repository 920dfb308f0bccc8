#!/usr/bin/env bash
# Upstream query IDs and source ports come from a CSPRNG: over 200 distinct
# questions the fake upstream (tests/tools/fakeup.c) sees them all distinct
# (a few birthday collisions allowed), spread over the whole range, and in no
# order (about half the steps go up, as for independent draws; a counter or
# a fixed port would fail).
. "$(dirname "$0")/../lib.sh"

N=200
fakeup_dnsd

for i in $(seq $N); do echo "good.q$i.test A"; done >"$T/names"
dig @127.0.0.1 -p "$DNSD_PORT" +tries=1 +time=3 -f "$T/names" | grep -c 'status: NOERROR' >"$T/answered"
expect_eq "all $N questions answered" "$N" "$(cat "$T/answered")"
grep ' good\.q[0-9]*\.test\.$' "$FAKEUP_LOG" >"$T/seen"
expect_eq "the upstream saw $N queries" "$N" "$(wc -l <"$T/seen")"

# spread FIELD LABEL MIN_RANGE: distinct values, range and rising steps.
spread() {
	local stats
	stats=$(awk -v f="$1" '
		{ v = $f; if (!(v in seen)) d++; seen[v] = 1
		  if (NR == 1 || v < lo) lo = v; if (NR == 1 || v > hi) hi = v
		  if (NR > 1 && v > prev) up++; prev = v }
		END { printf "%d %d %d", d, hi - lo, up }' "$T/seen")
	read -r distinct range up <<<"$stats"
	echo "# $2: $distinct distinct of $N, range $range, $up of $((N - 1)) steps up"
	expect_eq "$2: at least $((N - 10)) of $N distinct" 1 "$((distinct >= N - 10))"
	expect_eq "$2: spread over at least $3" 1 "$((range >= $3))"
	expect_eq "$2: in no order (60..140 of $((N - 1)) steps up)" 1 "$((up >= 60 && up <= 140))"
}
spread 1 "source ports" 30000
spread 2 "query IDs" 40000
stop_dnsd
exit $FAILED
