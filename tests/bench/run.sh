#!/usr/bin/env bash
# `make bench`: dnsd beside dnsmasq and Unbound, same machine, same run. nsd
# serves a generated 100000-name zone on loopback as everyone's upstream;
# dnsperf drives each daemon through the miss-heavy, cache-hot and blocked
# scenarios; callgrind counts instructions per cached query; dnsd-policy
# check loads generated policies. Results: docs/performance.tsv (one row per
# measurement) and the generated tables in docs/performance.md.
# Usage: tests/bench/run.sh BUILD_DIR
# Env: BENCH_SECONDS (per timed run, default 5), BENCH_RUNS (default 3), BENCH_DAEMONS
# (default "dnsmasq unbound dnsd", dnsd-http when dnsd has the HTTP server:
# dnsd with it enabled and /metrics scraped every second, and dnsd-musl when
# BENCH_MUSL_DNSD, default build-cross-musl/dnsd from `make cross ARCH=musl`, exists), BENCH_POLICY_SIZES, BENCH_CALLGRIND=0 to
# skip callgrind, BENCH_OUT (default docs), KEEP=1 keeps the work directory.
# The whole script is one block, so that bash reads it all before running
# it (editing it during a run cannot disturb that run).
{
set -uo pipefail
BUILD=${1:-build-bench}
here=$(cd "$(dirname "$0")" && pwd)
export DNSD_BUILD=$(cd "$here/../.." && pwd)/$BUILD
. "$here/../lib.sh"

SECS=${BENCH_SECONDS:-5}	# per timed run
RUNS=${BENCH_RUNS:-3}	# timed runs per scenario; the median is reported
MISS_CAP=$((SECS * 6))	# miss-heavy runs the 100000 names once, at most this long
# dnsd-musl: the same code built as for a router (musl, -Os, static, ldns
# without OpenSSL), to tell dnsd's own memory from the Debian libraries'.
DNSD_MUSL=${BENCH_MUSL_DNSD:-$TOP/build-cross-musl/dnsd}
# dnsd-http: dnsd with its HTTP server on and /metrics scraped every second
# (the cost of the page and metrics), when this build has the server.
printf 'upstreams = [ "127.0.0.1" ];\nhttp = { };\n' >"$T/http-probe.conf"
HAS_HTTP=$("$DNSD" -t -c "$T/http-probe.conf" >/dev/null 2>&1 && echo " dnsd-http")
DAEMONS=${BENCH_DAEMONS:-dnsmasq unbound dnsd$HAS_HTTP$([ -x "$DNSD_MUSL" ] && echo " dnsd-musl")}
POLICY_SIZES=${BENCH_POLICY_SIZES-1000 10000 100000 1000000}
OUT=${BENCH_OUT:-$TOP/docs}
ZONE=bench.example
NAMES=100000
HOT=1000
CG_PASSES=20	# callgrind: this many passes over the hot names
NOW_UTC=2024-10-01T00:00:00Z	# after the 2024-09-29 cutoff: the Kaspersky names are NXDOMAIN
POLICY=$TOP/policy/kaspersky.conf
HZ=$(getconf CLK_TCK)

for tool in nsd unbound dnsmasq dnsperf valgrind callgrind_control strip taskset; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make bench installs it via tests/deps.sh bench)" >&2; exit 1; }
done
[ -x "$DNSD" ] || { echo "bench: no $DNSD: build it first (make bench does)" >&2; exit 1; }

# Pinning: this script and everything it starts (nsd, dnsperf) run on the
# client core; each daemon under test gets the other core to itself.
# Other work on the machine is kept off with a raised priority (nice -10).
NCPU=$(nproc)
renice -n -10 $$ >/dev/null 2>&1 || true
if [ "$NCPU" -ge 2 ]; then
	CLIENT_CPU=0 SERVER_CPU=1
	taskset -pc "$CLIENT_CPU" $$ >/dev/null
else
	CLIENT_CPU=0 SERVER_CPU=0
	echo "bench: one CPU: client and server share it, QPS is bound by both" >&2
fi
ON_SERVER=(taskset -c "$SERVER_CPU")

DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
MACHINE="$(uname -srm), $CPU_MODEL, $NCPU CPUs"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
RESULTS=$T/results.tsv
printf 'date\tmachine\tdaemon\tscenario\tmetric\tvalue\n' >"$RESULTS"
# rec DAEMON SCENARIO METRIC VALUE
rec() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$DATE" "$MACHINE" "$1" "$2" "$3" "$4" >>"$RESULTS"; }
say() { echo "bench: $*" >&2; }

# --- data -------------------------------------------------------------------
awk -v zone="$ZONE" -v n="$NAMES" 'BEGIN {
	printf "$ORIGIN %s.\n$TTL 3600\n@ IN SOA ns hostmaster 1 3600 600 86400 300\n@ IN NS ns\nns IN A 127.0.0.1\n", zone
	for (i = 0; i < n; i++)
		printf "h%06d IN A 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256
}' >"$T/zone"
awk -v zone="$ZONE" -v n="$NAMES" 'BEGIN { for (i = 0; i < n; i++) printf "h%06d.%s A\n", i, zone }' >"$T/miss.txt"
head -n "$HOT" "$T/miss.txt" >"$T/cache-hot.txt"

# The blocked names: every name the shipped policy blocks at $NOW_UTC that
# dnsmasq and Unbound can block too. The policy tool's own exports are their
# configuration; a wildcard family (dnl-*.geo...) is queried as its members
# dnl-00 .. dnl-19, whole domains as the domain and names below it.
"$DNSD_POLICY" export "$POLICY" --format dnsmasq --at "$NOW_UTC" >"$T/blocked.dnsmasq" || exit 1
"$DNSD_POLICY" export "$POLICY" --format unbound --at "$NOW_UTC" >"$T/blocked.unbound" || exit 1
awk -v want="$HOT" '
	/a wildcard inside a label/ { w = $2; sub(/:$/, "", w); for (i = 0; i < 20; i++) { x = w; sub(/\*/, sprintf("%02d", i), x); names[++n] = x }; skip = 1; next }
	/always_nxdomain/ { if (skip) { skip = 0; next } d = $2; gsub(/"/, "", d); sub(/\.$/, "", d); doms[++nd] = d; names[++n] = d }
	END { for (i = 0; n < want; i++) names[++n] = sprintf("b%03d.%s", int(i / nd), doms[i % nd + 1])
	      for (i = 1; i <= want; i++) print names[i], "A" }' "$T/blocked.unbound" >"$T/blocked.txt"
[ "$(wc -l <"$T/blocked.txt")" -eq "$HOT" ] || { say "could not derive blocked names from $POLICY"; exit 1; }

NSD_PORT=$(free_port)
start_nsd "$ZONE" "$T/zone" "$NSD_PORT" || exit 1

# --- the daemons --------------------------------------------------------------
# start_<daemon> PORT [WRAPPER...]: start it in the foreground on the server
# core; sets SRV_PID. Each is configured like the others: upstream nsd, a
# 10000-entry cache, the Kaspersky names in force at $NOW_UTC -> NXDOMAIN.
start_dnsmasq() {
	local port=$1; shift
	"$@" dnsmasq -d -k -u root --conf-file="$T/blocked.dnsmasq" --pid-file= --no-hosts \
		--port="$port" --listen-address=127.0.0.1 --bind-interfaces --no-resolv \
		--server="127.0.0.1#$NSD_PORT" --cache-size=10000 >"$T/dnsmasq.log" 2>&1 &
	SRV_PID=$!
}
# Unbound's caches are sized in bytes: 2800k of messages and 2900k of
# RRsets hold about 10000 answers of this zone (measured with
# extended-statistics; the run records msg.cache.count).
start_unbound() {
	local port=$1; shift
	UB_CTL=$(free_port)
	cat >"$T/unbound.conf" <<EOF
server:
	num-threads: 1
	interface: 127.0.0.1
	port: $port
	do-udp: yes
	do-tcp: yes
	do-not-query-localhost: no
	chroot: ""
	username: ""
	directory: "$T"
	pidfile: ""
	use-syslog: no
	verbosity: 0
	extended-statistics: yes
	module-config: "iterator"
	msg-cache-slabs: 1
	rrset-cache-slabs: 1
	infra-cache-slabs: 1
	key-cache-slabs: 1
	msg-cache-size: 2800k
	rrset-cache-size: 2900k
	include: "$T/blocked.unbound"
remote-control:
	control-enable: yes
	control-use-cert: no
	control-interface: 127.0.0.1
	control-port: $UB_CTL
forward-zone:
	name: "."
	forward-addr: 127.0.0.1@$NSD_PORT
EOF
	"$@" unbound -d -c "$T/unbound.conf" >"$T/unbound.log" 2>&1 &
	SRV_PID=$!
}
start_dnsd_bench() { # NAME BINARY PORT [WRAPPER...]
	local name=$1 bin=$2 port=$3; shift 3
	cat >"$T/$name.conf" <<EOF
listen = [ "127.0.0.1@$port" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
allow = [ "127.0.0.0/8" ];
cache = { max_entries = 10000; };
policy = { file = "$POLICY"; now = "$NOW_UTC"; };
EOF
	local http_port=""
	if [ "$name" = dnsd-http ]; then
		http_port=$(free_port)
		HTTP_BENCH_PORT=$http_port
		echo "http = { listen = [ \"127.0.0.1@$http_port\" ]; };" >>"$T/$name.conf"
	fi
	"$@" "$bin" -d -c "$T/$name.conf" >"$T/$name.log" 2>&1 &
	SRV_PID=$!
	if [ -n "$http_port" ]; then
		# Prometheus' way: one scrape a second, for as long as dnsd runs.
		while kill -0 "$SRV_PID" 2>/dev/null; do
			curl -s -m 1 -o /dev/null "http://127.0.0.1:$http_port/metrics"
			sleep 1
		done &
		PIDS+=($!)
	fi
}
start_daemon() { # DAEMON PORT [WRAPPER...]
	local d=$1; shift
	case $d in
	dnsmasq) start_dnsmasq "$@" ;;
	unbound) start_unbound "$@" ;;
	dnsd) start_dnsd_bench dnsd "$DNSD" "$@" ;;
	dnsd-http) start_dnsd_bench dnsd-http "$DNSD" "$@" ;;
	dnsd-musl) start_dnsd_bench dnsd-musl "$DNSD_MUSL" "$@" ;;
	esac
	PIDS+=("$SRV_PID")
}
stop_daemon() { kill "$SRV_PID" 2>/dev/null; wait "$SRV_PID" 2>/dev/null; }
binary_of() { case $1 in dnsd | dnsd-http) echo "$DNSD" ;; dnsd-musl) echo "$DNSD_MUSL" ;; *) command -v "$1" ;; esac; }

# wait_up PORT SECONDS: until a zone name resolves there.
wait_up() {
	local i
	for i in $(seq $(($2 * 10))); do
		[ -n "$(dig @127.0.0.1 -p "$1" +tries=1 +time=1 +short h000000.$ZONE A 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- measuring ----------------------------------------------------------------
# proc_ticks PID: its user and system CPU time in clock ticks.
proc_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12, $13 }'; }
# cpu_busy N: busy and total jiffies of CPU N.
cpu_busy() { awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }'; }
perf_field() { sed -n "s/^  $2:[[:space:]]*\([0-9.]*\).*/\1/p" "$1" | head -1; }

# per_answer TICKS ANSWERED: microseconds of CPU per answer.
per_answer() { awk -v t="$1" -v hz="$HZ" -v n="$2" 'BEGIN { printf "%.2f", (n ? t / hz * 1e6 / n : 0) }'; }

# measure_once FILE QUERYFILE DNSPERF-ARGS...: one dnsperf run against
# SRV_PID/SRV_PORT with the server's CPU time and both cores' busy time read
# before and after; writes "metric<TAB>value" lines to FILE.
measure_once() {
	local res=$1 f=$2; shift 2
	local out=$T/dnsperf.out t0 t1 c0 c1 s0 s1 su ss
	t0=$(proc_ticks "$SRV_PID"); c0=$(cpu_busy "$CLIENT_CPU"); s0=$(cpu_busy "$SERVER_CPU")
	/usr/bin/time -f '%U %S' -o "$T/time" \
		dnsperf -s 127.0.0.1 -p "$SRV_PORT" -d "$f" -t 2 -v "$@" >"$out" 2>&1
	t1=$(proc_ticks "$SRV_PID"); c1=$(cpu_busy "$CLIENT_CPU"); s1=$(cpu_busy "$SERVER_CPU")
	local run qps answered mean p99
	run=$(perf_field "$out" 'Run time (s)')
	qps=$(perf_field "$out" 'Queries per second')
	[ -n "$qps" ] || { say "dnsperf failed:"; tail -5 "$out" >&2; return 1; }
	read -r answered mean p99 < <(awk -f "$here/latency.awk" "$out")
	read -r su ss <"$T/time"
	{
		printf 'qps\t%.0f\n' "$qps"
		printf 'mean_us\t%s\np99_us\t%s\nanswered\t%s\n' "$mean" "$p99" "$answered"
		printf 'sent\t%s\n' "$(perf_field "$out" 'Queries sent')"
		printf 'lost\t%s\n' "$(perf_field "$out" 'Queries lost')"
		printf 'rcodes\t%s\n' "$(sed -n 's/^  Response codes:[[:space:]]*//p' "$out")"
		set -- $t0 $t1
		printf 'cpu_us_per_answer\t%s\n' "$(per_answer $(($3 + $4 - $1 - $2)) "$answered")"
		printf 'user_us_per_answer\t%s\n' "$(per_answer $(($3 - $1)) "$answered")"
		printf 'sys_us_per_answer\t%s\n' "$(per_answer $(($4 - $2)) "$answered")"
		printf 'server_cpu_pct\t%s\n' "$(awk -v t=$(($3 + $4 - $1 - $2)) -v hz="$HZ" -v r="$run" 'BEGIN { printf "%.0f", 100 * t / hz / r }')"
		set -- $s0 $s1
		printf 'server_core_busy_pct\t%s\n' "$(pct $(($3 - $1)) $(($4 - $2)))"
		set -- $c0 $c1
		printf 'client_core_busy_pct\t%s\n' "$(pct $(($3 - $1)) $(($4 - $2)))"
		printf 'dnsperf_cpu_pct\t%s\n' "$(awk -v u="$su" -v s="$ss" -v r="$run" 'BEGIN { printf "%.0f", 100 * (u + s) / r }')"
	} >"$res"
	rm -f "$out"
}

# use DAEMON: point SRV_PID/SRV_PORT at it.
use() { SRV_PID=${SPID[$1]}; SRV_PORT=${SPORT[$1]}; }

# record DAEMON SCENARIO FILES...: the run with the median QPS is recorded
# (other work on a shared machine disturbs single runs), and every run's QPS
# beside it.
record() {
	local d=$1 sc=$2 f all med; shift 2
	all=$(for f in "$@"; do awk '$1 == "qps" { print $2 }' "$f"; done | paste -sd/)
	med=$(for f in "$@"; do echo "$(awk '$1 == "qps" { print $2 }' "$f") $f"; done |
		sort -n | awk -v m=$((($# + 1) / 2)) 'NR == m { print $2 }')
	while IFS=$'\t' read -r m v; do rec "$d" "$sc" "$m" "$v"; done <"$med"
	[ $# -gt 1 ] && rec "$d" "$sc" qps_runs "$all"
	say "$d $sc: $(awk -F'\t' '{ v[$1] = $2 } END { printf "%s QPS, mean %s us, p99 %s us, lost %s, server CPU %s us/answer (%s%%), client core %s%%, %s",
		v["qps"], v["mean_us"], v["p99_us"], v["lost"], v["cpu_us_per_answer"], v["server_cpu_pct"], v["client_core_busy_pct"], v["rcodes"] }' "$med") [runs: $all]"
}

# The HTTP server's cost beside dnsd's: cache-hot QPS and CPU per answer of
# dnsd-http (scraped every second throughout) against dnsd, which on a
# loaded machine differ by more noise than cost; and the server CPU of one
# scrape of /metrics, measured over 5000 scrapes on one connection, which
# is the share of a core (so of server-bound QPS) one scrape a second takes.
http_cost() {
	local q0 q1 c0 c1 t0 t1 n=5000 us
	q0=$(awk -F'\t' '$3 == "dnsd" && $4 == "cache-hot" && $5 == "qps" { print $6 }' "$RESULTS")
	q1=$(awk -F'\t' '$3 == "dnsd-http" && $4 == "cache-hot" && $5 == "qps" { print $6 }' "$RESULTS")
	c0=$(awk -F'\t' '$3 == "dnsd" && $4 == "cache-hot" && $5 == "cpu_us_per_answer" { print $6 }' "$RESULTS")
	c1=$(awk -F'\t' '$3 == "dnsd-http" && $4 == "cache-hot" && $5 == "cpu_us_per_answer" { print $6 }' "$RESULTS")
	rec dnsd-http cache-hot qps_cost_pct "$(awk -v a="$q0" -v b="$q1" 'BEGIN { printf "%.1f", (a > 0 ? 100 * (a - b) / a : 0) }')"
	rec dnsd-http cache-hot cpu_cost_pct "$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f", (a > 0 ? 100 * (b - a) / a : 0) }')"
	t0=$(proc_ticks "${SPID[dnsd-http]}")
	curl -s $(for _ in $(seq $n); do printf 'http://127.0.0.1:%s/metrics ' "$HTTP_BENCH_PORT"; done) >/dev/null
	t1=$(proc_ticks "${SPID[dnsd-http]}")
	set -- $t0 $t1
	us=$(per_answer $(($3 + $4 - $1 - $2)) "$n")
	rec dnsd-http metrics cpu_us_per_scrape "$us"
	rec dnsd-http metrics core_pct_at_1_per_s "$(awk -v u="$us" 'BEGIN { printf "%.4f", u / 1e4 }')"
	say "HTTP server scraped every second: cache-hot QPS $q0 -> $q1, CPU per answer $c0 -> $c1 us; one scrape takes $us us of server CPU ($(awk -v u="$us" 'BEGIN { printf "%.4f", u / 1e4 }') % of a core at one a second)"
}

# All daemons run side by side on the server core (idle but one), so that
# the runs of each scenario can alternate between them: a change in the
# machine's other load then hits all three alike.
bench_daemons() {
	local d sc r up=""
	declare -gA SPID SPORT
	for d in $DAEMONS; do
		SPORT[$d]=$(free_port)
		start_daemon "$d" "${SPORT[$d]}" "${ON_SERVER[@]}"
		SPID[$d]=$SRV_PID
		if ! wait_up "${SPORT[$d]}" 10; then
			say "$d did not answer; skipped"; tail -5 "$T/$d.log" >&2; rec "$d" all error "did not start"
			continue
		fi
		local nx
		nx=$(dig @127.0.0.1 -p "${SPORT[$d]}" +tries=3 +time=3 "$(head -1 "$T/blocked.txt" | cut -d' ' -f1)" A | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
		[ "$nx" = NXDOMAIN ] || say "$d: a blocked name got '$nx', not NXDOMAIN"
		up="$up $d"
	done
	# Miss-heavy first, on cold caches, so that its 100000 names are all
	# misses; it also fills each cache to its bound before the rest.
	for d in $up; do
		use "$d"
		measure_once "$T/$d.miss-heavy" "$T/miss.txt" -n 1 -l "$MISS_CAP" && record "$d" miss-heavy "$T/$d.miss-heavy"
		dnsperf -s 127.0.0.1 -p "$SRV_PORT" -d "$T/cache-hot.txt" -n 1 >/dev/null 2>&1 # warm-up for cache-hot
	done
	for sc in cache-hot blocked; do
		for r in $(seq "$RUNS"); do
			for d in $up; do
				use "$d"
				measure_once "$T/$d.$sc.$r" "$T/$sc.txt" -l "$SECS"
			done
		done
		for d in $up; do record "$d" "$sc" "$T/$d.$sc".*; done
	done
	if [[ " $up " == *" dnsd "* && " $up " == *" dnsd-http "* ]]; then
		http_cost
	fi
	for d in $up; do
		# Peak RSS, and what the resident set is made of now: the process's
		# own memory (anonymous), pages of its binary and shared libraries.
		rec "$d" all peak_rss_kb "$(awk '/^VmHWM/ { print $2 }' "/proc/${SPID[$d]}/status")"
		rec "$d" all rss_anon_kb "$(awk '/^RssAnon/ { print $2 }' "/proc/${SPID[$d]}/status")"
		rec "$d" all rss_file_kb "$(awk '/^RssFile/ { print $2 }' "/proc/${SPID[$d]}/status")"
	done
	case " $up " in *" unbound "*)
		rec unbound all cache_entries "$(unbound-control -c "$T/unbound.conf" stats_noreset | sed -n 's/^msg.cache.count=//p')" ;;
	esac
	for d in $DAEMONS; do
		use "$d"; stop_daemon
		strip -o "$T/$d.stripped" "$(binary_of "$d")" && rec "$d" all stripped_bytes "$(stat -c %s "$T/$d.stripped")"
	done
}

# Instructions per cached query: the daemon under callgrind, counters zeroed
# after a warm-up, then CG_PASSES passes over the hot names.
callgrind_daemon() {
	local d=$1 cg=$T/cg.$1
	SRV_PORT=$(free_port)
	start_daemon "$d" "$SRV_PORT" "${ON_SERVER[@]}" valgrind --tool=callgrind --callgrind-out-file="$cg"
	if ! wait_up "$SRV_PORT" 60; then
		say "$d under callgrind did not answer"; stop_daemon; return
	fi
	dnsperf -s 127.0.0.1 -p "$SRV_PORT" -d "$T/cache-hot.txt" -n 2 -t 10 >/dev/null 2>&1
	callgrind_control -z "$SRV_PID" >/dev/null
	dnsperf -s 127.0.0.1 -p "$SRV_PORT" -d "$T/cache-hot.txt" -n "$CG_PASSES" -q 20 -t 10 >"$T/cg.out" 2>&1
	rm -f "$cg"*
	callgrind_control -d "$SRV_PID" >/dev/null
	local ir answered
	answered=$(sed -n 's/^  Queries completed:[[:space:]]*\([0-9]*\).*/\1/p' "$T/cg.out")
	ir=$(cat "$cg"* 2>/dev/null | sed -n 's/^summary: \([0-9]*\).*/\1/p; s/^totals: \([0-9]*\).*/\1/p' | head -1)
	stop_daemon
	if [ -n "$ir" ] && [ "${answered:-0}" -gt 0 ]; then
		rec "$d" callgrind instructions_per_cached_answer $((ir / answered))
		say "$d: $((ir / answered)) instructions per cached answer ($answered answers)"
	else
		say "$d: no callgrind figure"
	fi
	rm -f "$cg"*
}

# Policy load: N patterns (whole domains, one in ten a label wildcard, one in
# ten exact) checked by dnsd-policy; wall time and peak RSS.
policy_load() {
	local n=$1 f=$T/policy.$1.conf
	awk -v n="$n" 'BEGIN {
		print "timezone = \"UTC\";\ncategories = { bench = ("
		for (i = 0; i < n; i++) {
			if (i % 10 == 1) p = sprintf("w%d-*.d%d.example", i, i % 997)
			else if (i % 10 == 2) p = sprintf("=e%d.d%d.example", i, i % 991)
			else p = sprintf("n%d.d%d.example", i, i % 983)
			printf "\t\"%s\"%s\n", p, (i < n - 1 ? "," : "")
		}
		print "); };\nphases = ( { name = \"block\"; start = \"2024-01-01 00:00\"; actions = { bench = \"nxdomain\"; }; } );"
	}' >"$f"
	if /usr/bin/time -f '%e %M' -o "$T/time" "$DNSD_POLICY" check "$f" >/dev/null 2>"$T/check.err"; then
		local s kb
		read -r s kb <"$T/time"
		rec dnsd-policy "check-$n" load_s "$s"
		rec dnsd-policy "check-$n" max_rss_kb "$kb"
		say "policy with $n patterns: $s s, $kb kB"
	else
		say "policy with $n patterns failed: $(head -3 "$T/check.err")"
	fi
	rm -f "$f"
}

bench_daemons
if [ "${BENCH_CALLGRIND:-1}" != 0 ]; then
	for d in $DAEMONS; do callgrind_daemon "$d"; done
fi
/usr/bin/time -f '%e %M' -o "$T/time" "$DNSD_POLICY" check "$POLICY" >/dev/null 2>&1 &&
	read -r s kb <"$T/time" && rec dnsd-policy check-kaspersky load_s "$s" && rec dnsd-policy check-kaspersky max_rss_kb "$kb"
for n in $POLICY_SIZES; do policy_load "$n"; done

rec machine all loadavg_before "$LOAD_BEFORE"
rec machine all loadavg_after "$(cut -d' ' -f1-3 /proc/loadavg)"

# --- output ---------------------------------------------------------------------
mkdir -p "$OUT"
cp "$RESULTS" "$OUT/performance.tsv"
md=$OUT/performance.md
[ -f "$md" ] || printf '# Performance\n\n<!-- bench:begin -->\n<!-- bench:end -->\n' >"$md"
awk -f "$here/report.awk" "$RESULTS" >"$T/tables.md"
awk -v tables="$T/tables.md" '
	/<!-- bench:begin -->/ { print; while ((getline l < tables) > 0) print l; skip = 1; next }
	/<!-- bench:end -->/ { skip = 0 }
	!skip' "$md" >"$T/performance.md" && cp "$T/performance.md" "$md"
say "results: $OUT/performance.tsv, tables in $md"
cat "$T/tables.md"
exit 0
}
