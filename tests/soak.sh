#!/usr/bin/env bash
# The soak: SOAK_SECONDS (600) of dnsperf on loopback against dnsd (the ASan
# build by default) with a mix of cached names (a small set asked over and
# over), uncached names (a large set, more than the cache holds, so misses and
# evictions never stop) and names the policy blocks. Passes with zero lost
# queries, zero SERVFAIL, a clean sanitizer exit and an RSS that stays flat
# once the cache is full (the last sample at most SOAK_RSS_SLACK % (10) above
# the first sample taken with a full cache). RSS is sampled every 10 s.
# Usage: tests/soak.sh [BUILD_DIR]   (default build-asan; SOAK_QPS, default 2000)
set -u
cd "$(dirname "$0")/.."
export DNSD_BUILD=${1:-$PWD/build-asan}
case $DNSD_BUILD in /*) ;; *) DNSD_BUILD=$PWD/$DNSD_BUILD ;; esac
. tests/lib.sh
export LSAN_OPTIONS="suppressions=$TOP/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
SECONDS_TOTAL=${SOAK_SECONDS:-600}
QPS=${SOAK_QPS:-2000}
SLACK=${SOAK_RSS_SLACK:-10}
MAX_ENTRIES=5000

command -v dnsperf >/dev/null || { echo "soak: dnsperf not installed (tests/deps.sh bench)" >&2; exit 2; }
[ -x "$DNSD" ] || { echo "soak: no $DNSD (make BUILD=... SAN=1)" >&2; exit 2; }
# 40 % cached (100 names), 40 % uncached (40000 names, 8 times the cache),
# 20 % blocked (1000 names), interleaved.
awk -v n=100000 'BEGIN { for (i = 0; i < n; i++) {
	r = i % 5
	if (r < 2) printf "good.hot%d.test A\n", i % 100
	else if (r < 4) printf "good.cold%d.test A\n", i % 40000
	else printf "w%d.blocked.test AAAA\n", i % 1000 } }' >"$T/names"
block_policy "$T/policy.conf"
DNSD_EXTRA="cache = { max_entries = $MAX_ENTRIES; max_bytes = 4194304; };
policy = { file = \"policy.conf\"; };
control_socket = \"$T/ctl.sock\";"
fakeup_dnsd

echo "soak: $SECONDS_TOTAL s at up to $QPS queries/s against $DNSD (pid $DNSD_PID)"
dnsperf -s 127.0.0.1 -p "$DNSD_PORT" -d "$T/names" -l "$SECONDS_TOTAL" -Q "$QPS" -c 4 -q 200 -t 2 \
    >"$T/dnsperf.out" 2>&1 &
PERF=$!
full_rss=""
echo "   time   RSS kB   cache entries"
for ((t = 0; t <= SECONDS_TOTAL; t += 10)); do
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$DNSD_PID/status" 2>/dev/null)
	entries=$("$DNSDCTL" -s "$T/ctl.sock" status 2>/dev/null | sed -n 's/^cache: \([0-9]*\) entries.*/\1/p')
	printf '%6ds %9s %9s\n' "$t" "${rss:-?}" "${entries:-?}"
	echo "$t $rss $entries" >>"$T/rss"
	[ -z "$full_rss" ] && [ "${entries:-0}" -ge $((MAX_ENTRIES * 95 / 100)) ] && full_rss=$rss
	[ "$t" -lt "$SECONDS_TOTAL" ] && sleep 10
done
wait $PERF
sed -n '/Statistics:/,$p' "$T/dnsperf.out" | grep -E 'Queries (sent|completed|lost)|Response codes|Queries per second'
sent=$(sed -n 's/^ *Queries sent: *\([0-9]*\).*/\1/p' "$T/dnsperf.out")
lost=$(sed -n 's/^ *Queries lost: *\([0-9]*\).*/\1/p' "$T/dnsperf.out")
servfail=$(grep -o 'SERVFAIL [0-9]*' "$T/dnsperf.out" | awk '{ print $2 }')
end_rss=$(tail -1 "$T/rss" | cut -d' ' -f2)
start_rss=$(head -1 "$T/rss" | cut -d' ' -f2)
echo "soak: RSS at start $start_rss kB, with a full cache ${full_rss:-never} kB, at the end $end_rss kB"
stop_dnsd
[ "${sent:-0}" -gt 0 ] && ok "dnsperf sent $sent queries" || not_ok "dnsperf sent queries"
expect_eq "no query lost" 0 "${lost:-?}"
expect_eq "no SERVFAIL" 0 "${servfail:-0}"
if [ -n "$full_rss" ]; then
	expect_eq "RSS flat once the cache is full (end <= full + $SLACK %)" 1 \
		"$((end_rss * 100 <= full_rss * (100 + SLACK)))"
else
	not_ok "the cache filled up during the soak (make it longer)"
fi
exit $FAILED
