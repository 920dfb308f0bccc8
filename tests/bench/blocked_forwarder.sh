#!/usr/bin/env bash
# Instructions per blocked answer behind a trusted forwarder: dnsd under
# callgrind with per-host logs and 127.0.0.1 as trusted forwarder; dnsperf
# sends a blocked name carrying dnsmasq's options (--add-mac: 65001 with six
# bytes, --add-subnet=32: ECS 127.0.0.7/32), as dnsmasq would forward it.
# kdig sends them (dnsperf 2.10 sends one -E option only), 100 queries per
# kdig run, one after another.
# Counters are zeroed after a warm-up; prints instructions per answer.
# Usage: tests/bench/blocked_forwarder.sh BUILD_DIR [QUERIES]
# Env: NAME (default upd.kaspersky.com; www.kaspersky.com: a cached answer
# for a name in no category, the cost of identifying every asker), OPTS
# (kdig options; default the ECS and MAC above; "" for a client asking
# directly).
set -uo pipefail
export DNSD_BUILD=$(cd "${1:-build}" && pwd)
N=${2:-2000}
. "$(dirname "$0")/../lib.sh"

hosts_setup || { echo "nsd did not start" >&2; exit 1; }
hosts_conf "$T/dnsd.conf" 'trusted_forwarders = [ "127.0.0.1" ];'
valgrind --tool=callgrind --callgrind-out-file="$T/cg" "$DNSD" -d -c "$T/dnsd.conf" >"$T/dnsd.log" 2>&1 &
PIDS+=($!)
DNSD_PID=$!
for i in $(seq 600); do dig @127.0.0.1 -p "$DNSD_PORT" +tries=1 +time=1 . SOA >/dev/null 2>&1 && break; sleep 0.1; done
opts=${OPTS-+subnet=127.0.0.7/32 +ednsopt=65001:020000000007}
# send COUNT: COUNT blocked queries with the options, answers to $T/answers.
send() {
	local i args=()
	for i in $(seq 100); do args+=("${NAME:-upd.kaspersky.com}" A); done
	for i in $(seq $(($1 / 100))); do
		kdig @127.0.0.1 -p "$DNSD_PORT" +notcp +retry=0 +time=5 $opts "${args[@]}"
	done | grep -c 'status: \(NXDOMAIN\|NOERROR\)' >"$T/answers"
}
send 100
callgrind_control -z "$DNSD_PID" >/dev/null 2>&1
send "$N"
rm -f "$T/cg"*
callgrind_control -d "$DNSD_PID" >/dev/null 2>&1
answered=$(cat "$T/answers")
ir=$(cat "$T/cg"* | sed -n 's/^summary: \([0-9]*\).*/\1/p; s/^totals: \([0-9]*\).*/\1/p' | head -1)
host=$("$DNSDCTL" -s "$T/ctl.sock" hosts --json | jq -r '.hosts[] | "\(.ip) \(.mac)"' | tr '\n' ' ')
echo "answers=$answered instructions=$ir per_answer=$((ir / answered)) hosts: $host"
