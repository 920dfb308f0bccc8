# Shared helpers for integration scenarios (source it; bash).
# Scenarios start real peers on loopback ports picked free, print
# "ok - what" / "not ok - what" per check, and stop every peer by PID.
set -u

DNSD_BUILD=${DNSD_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build}
DNSD=$DNSD_BUILD/dnsd
DNSDCTL=$DNSD_BUILD/dnsdctl
DNSD_POLICY=$DNSD_BUILD/dnsd-policy
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T=$(mktemp -d /tmp/dnsd-test.XXXXXX)
chmod 755 "$T"
PIDS=()
FAILED=0

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; FAILED=1; }
# check DESC CMD...: ok when CMD succeeds.
check() { local d="$1"; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else not_ok "$d"; fi; }
# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi
}
# expect_match DESC REGEX TEXT
expect_match() {
	if [[ "$3" =~ $2 ]]; then ok "$1"; else not_ok "$1 (no match for '$2' in: $(head -c 400 <<<"$3"))"; fi
}

# free_port: a port free for both UDP and TCP on loopback: below the
# kernel's ephemeral range (where any client's source port may land between
# this check and the server's bind) and used by no socket at all, listening
# or not (a TIME_WAIT connection also makes a bind fail).
free_port() {
	local p lo
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null
	[ "${lo:-0}" -gt 21024 ] || lo=32768
	while :; do
		p=$((20000 + RANDOM % (lo - 20000)))
		ss -Hanut "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
	done
}

# wait_dns PORT [ADDR]: until something answers DNS there (10 s at most).
wait_dns() {
	local i
	for i in $(seq 100); do
		dig @"${2:-127.0.0.1}" -p "$1" +tries=1 +time=1 . SOA >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# start_nsd ZONE ZONEFILE PORT [ADDR]: a real authoritative server.
# Extra zones: set NSD_EXTRA to more "zone: ..." config text.
start_nsd() {
	local zone=$1 file=$2 port=$3 addr=${4:-127.0.0.1} d
	d=$(mktemp -d "$T/nsd.XXXX")
	cp "$file" "$d/zone"
	cat >"$d/nsd.conf" <<NSD
server:
	ip-address: $addr@$port
	port: $port
	username: ""
	chroot: ""
	zonesdir: "$d"
	database: ""
	pidfile: "$d/nsd.pid"
	xfrdfile: "$d/xfrd.state"
	zonelistfile: "$d/zone.list"
	logfile: "$d/nsd.log"
	verbosity: 2
	log-only-syslog: no
	server-count: 1
	hide-version: yes
remote-control:
	control-enable: no
zone:
	name: "$zone"
	zonefile: "$d/zone"
${NSD_EXTRA:-}
NSD
	nsd -d -c "$d/nsd.conf" >"$d/stderr" 2>&1 &
	PIDS+=($!)
	NSD_LOG=$d/nsd.log
	wait_dns "$port" "$addr" || { echo "# nsd did not start:"; sed 's/^/#   /' "$d/stderr" "$d/nsd.log" 2>/dev/null; return 1; }
}

# start_dnsd CONF [ARGS...]: dnsd in the foreground; DNSD_PID, DNSD_LOG set.
# With DNSD_NETNS set, inside that network namespace.
start_dnsd() {
	local conf=$1; shift
	DNSD_LOG=$T/dnsd.$RANDOM.log
	${DNSD_NETNS:+ip netns exec "$DNSD_NETNS"} "$DNSD" -d -c "$conf" "$@" >"$DNSD_LOG" 2>&1 &
	DNSD_PID=$!
	PIDS+=($DNSD_PID)
}

# stop_dnsd: SIGTERM, wait, and fail on sanitizer reports or a bad exit.
stop_dnsd() {
	local rc
	kill -TERM "$DNSD_PID" 2>/dev/null
	wait "$DNSD_PID"; rc=$?
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$DNSD_LOG"; then
		not_ok "dnsd ran clean under sanitizers"; sed 's/^/#   /' "$DNSD_LOG" | head -60
	elif [ "$rc" -ne 0 ]; then
		not_ok "dnsd exited 0 on SIGTERM (got $rc)"; tail -20 "$DNSD_LOG" | sed 's/^/#   /'
	fi
}

# q ARGS...: dig against dnsd with short timeouts.
q() { dig @127.0.0.1 -p "$DNSD_PORT" +tries=1 +time=3 "$@"; }
# rcode ARGS...: just the status (NOERROR, NXDOMAIN, ...).
rcode() { q "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }

# ---- per-host logs (tests/integration/hosts_*.sh) ----

# hosts_setup: nsd with a kaspersky.com test zone, a small policy (update ->
# nxdomain; licensing, ksn -> log) and a dnsmasq lease file naming
# 127.0.0.2 and 127.0.0.3. Sets NSD_PORT, DNSD_PORT, HOSTS_POLICY, LEASES.
hosts_setup() {
	cat >"$T/kaspersky.db" <<'ZONE'
$ORIGIN kaspersky.com.
$TTL 300
@	IN SOA	ns1 hostmaster ( 1 3600 600 86400 60 )
	IN NS	ns1
ns1	IN A	127.0.0.1
activation-v2	IN A	192.0.2.20
ds	IN A	192.0.2.30
upd	IN A	192.0.2.10
www	IN A	192.0.2.40
cdn	IN CNAME	upd
mirror	IN CNAME	ds
relay	IN CNAME	ds
ZONE
	cat >"$T/policy.conf" <<'POLICY'
timezone = "UTC";
not_before = "2020-01-01";
categories = {
	update = ( "upd.kaspersky.com" );
	licensing = ( "activation-v2.kaspersky.com" );
	ksn = ( "ds.kaspersky.com", "relay.kaspersky.com" );
};
phases = ( { name = "enforce"; start = "2020-01-01 00:00"; actions = { update = "nxdomain"; }; others = "log"; } );
POLICY
	cat >"$T/dhcp.leases" <<'LEASES'
1900000000 aa:bb:cc:00:00:02 127.0.0.2 anna-laptop 01:aa:bb:cc:00:00:02
1900000000 aa:bb:cc:00:00:03 127.0.0.3 bob-pc *
LEASES
	HOSTS_POLICY=$T/policy.conf
	LEASES=$T/dhcp.leases
	NSD_PORT=$(free_port)
	DNSD_PORT=$(free_port)
	start_nsd kaspersky.com "$T/kaspersky.db" "$NSD_PORT"
}

# hosts_conf FILE [EXTRA-HOSTS-SETTINGS] [EXTRA-LOG-SETTINGS]: a dnsd.conf for
# the hosts_setup world with the control socket at $T/ctl.sock, the state
# file at $HOSTS_STATE and the event log at $HOSTS_EVENTS (defaults in $T).
hosts_conf() {
	cat >"$1" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
allow = [ "127.0.0.0/8", "::1/128" ];
control_socket = "$T/ctl.sock";
policy = { file = "$HOSTS_POLICY"; };
hosts = { leases = "$LEASES"; state_file = "${HOSTS_STATE:-$T/hosts.state}"; ${2:-} };
log = { file = "${HOSTS_EVENTS:-$T/events.log}"; ${3:-} };
CONF
}

# ctl ARGS...: dnsdctl on the test's control socket.
ctl() { "$DNSDCTL" -s "$T/ctl.sock" "$@"; }

# wait_ctl: until the control socket answers (10 s at most).
wait_ctl() {
	local i
	for i in $(seq 100); do ctl status >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

# qfrom SRC NAME [ARGS...]: a query from a loopback source address.
qfrom() { local src=$1; shift; q -b "$src" "$@"; }

# nx_burst SRC N: N blocked names (nI.upd.kaspersky.com) from SRC; prints
# how many came back NXDOMAIN.
nx_burst() {
	local i ok=0
	for i in $(seq "$2"); do
		[ "$(rcode -b "$1" "n$i.upd.kaspersky.com" A)" = NXDOMAIN ] && ok=$((ok + 1))
	done
	echo "$ok"
}

# netns_pair NSA NSB IFA IFB NET MAC: two network namespaces joined by a
# veth pair, IFA in NSA with NET.1/24, IFB in NSB with NET.2/24 and MAC, lo
# up in both; deleted at exit. Give them unique names (with $$).
netns_pair() {
	local a=$1 b=$2 ia=$3 ib=$4 net=$5 mac=$6
	# shellcheck disable=SC2064
	trap "cleanup; ip netns del $a 2>/dev/null; ip netns del $b 2>/dev/null" EXIT
	ip netns add "$a" && ip netns add "$b" && ip link add "$ia" type veth peer name "$ib" &&
		ip link set "$ia" netns "$a" && ip link set "$ib" netns "$b" &&
		ip -n "$b" link set "$ib" address "$mac" &&
		ip -n "$a" addr add "$net.1/24" dev "$ia" && ip -n "$b" addr add "$net.2/24" dev "$ib" &&
		ip -n "$a" link set lo up && ip -n "$a" link set "$ia" up &&
		ip -n "$b" link set lo up && ip -n "$b" link set "$ib" up
}

# ---- hardening (tests/integration/fault_*.sh, security_*.sh) ----

# start_fakeup PORT [ARGS...]: the hostile fake upstream tests/tools/fakeup.c
# (built here with cc against ldns) on 127.0.0.1#PORT; it logs "port id name"
# for every query to $FAKEUP_LOG. Sets FAKEUP_PID.
start_fakeup() {
	local port=$1; shift
	if [ ! -x "$T/fakeup" ]; then
		# shellcheck disable=SC2046
		cc -std=gnu11 -O1 -o "$T/fakeup" "$TOP/tests/tools/fakeup.c" \
		    $(pkg-config --cflags --libs ldns) || return 1
	fi
	FAKEUP_LOG=$T/fakeup.$port.log
	"$T/fakeup" -p "$port" -l "$FAKEUP_LOG" "$@" 2>>"$T/fakeup.stderr" &
	FAKEUP_PID=$!
	PIDS+=($FAKEUP_PID)
	wait_dns "$port"
}

# answer ARGS...: what dnsd answered, as "STATUS addr addr..." (one line).
answer() {
	local out
	out=$(q "$@")
	echo "$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out") $(awk '!/^;/ && $4 == "A" { print $5 }' <<<"$out" | sort | tr '\n' ' ')" | sed 's/ *$//'
}

# fakeup_dnsd [FAKEUP-ARGS...]: a fake upstream (start_fakeup) on a free port
# and dnsd forwarding to it with $T/dnsd.conf: listen, upstreams and the
# lines in $DNSD_EXTRA. Sets UP and DNSD_PORT; ends the scenario with a
# "not ok" when either does not come up.
fakeup_dnsd() {
	UP=$(free_port)
	DNSD_PORT=$(free_port)
	start_fakeup "$UP" "$@" || { not_ok "fake upstream started"; exit 1; }
	printf 'listen = [ "127.0.0.1@%s" ];\nupstreams = [ "127.0.0.1@%s" ];\n%s\n' \
	    "$DNSD_PORT" "$UP" "${DNSD_EXTRA:-}" >"$T/dnsd.conf"
	start_dnsd "$T/dnsd.conf"
	wait_dns "$DNSD_PORT" || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }
}

# block_policy FILE: a policy answering NXDOMAIN for blocked.test and below.
block_policy() {
	cat >"$1" <<'POLICY'
timezone = "UTC";
categories = { block = ( "blocked.test" ); };
phases = ( { name = "on"; start = "2020-01-01"; others = "nxdomain"; } );
POLICY
}

# ---- core (tests/integration/core_*.sh) ----

# nsd_dnsd [ZONEFILE]: nsd serving example.test (default: the core test
# zone) on a free port, and dnsd on 127.0.0.1 and ::1 forwarding to it with
# $T/dnsd.conf: listen, upstreams and the lines in $DNSD_EXTRA. Sets
# NSD_PORT and DNSD_PORT; ends the scenario with a "not ok" when either does
# not come up.
nsd_dnsd() {
	NSD_PORT=$(free_port)
	DNSD_PORT=$(free_port)
	start_nsd example.test "${1:-$TOP/tests/integration/core_zone.db}" "$NSD_PORT" ||
		{ not_ok "nsd started"; exit 1; }
	printf 'listen = [ "127.0.0.1@%s", "::1@%s" ];\nupstreams = [ "127.0.0.1@%s" ];\n%s\n' \
	    "$DNSD_PORT" "$DNSD_PORT" "$NSD_PORT" "${DNSD_EXTRA:-}" >"$T/dnsd.conf"
	start_dnsd "$T/dnsd.conf"
	wait_dns "$DNSD_PORT" || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }
}

# ---- the HTTP server (tests/integration/http_*.sh) ----

# http_require: end the scenario with a skip when this dnsd was built with
# HTTP=0 (no HTTP server: dnsd -t refuses an http group).
http_require() {
	printf 'upstreams = [ "127.0.0.1" ];\nhttp = { };\n' >"$T/http-probe.conf"
	"$DNSD" -t -c "$T/http-probe.conf" >/dev/null 2>&1 && return 0
	expect_match "an http group is refused by a dnsd built with HTTP=0" 'built without the HTTP server' \
		"$("$DNSD" -t -c "$T/http-probe.conf" 2>&1)"
	echo "ok - HTTP server tests # skip dnsd built with HTTP=0"
	exit $FAILED
}

# http_conf FILE [SETTINGS]: append an http group on 127.0.0.1 and a free
# port (HTTP_PORT) with SETTINGS to a dnsd.conf.
http_conf() {
	HTTP_PORT=$(free_port)
	printf 'http = { listen = [ "127.0.0.1@%s" ]; %s };\n' "$HTTP_PORT" "${2:-}" >>"$1"
}

# hget PATH [CURL-ARGS...]: GET from dnsd's HTTP server; prints the body
# then the status code on the last line.
hget() { local p=$1; shift; curl -s -m 5 -w '\n%{http_code}' "$@" "http://127.0.0.1:$HTTP_PORT$p"; }

# wait_http: until the HTTP server answers (10 s at most).
wait_http() {
	local i
	for i in $(seq 100); do
		curl -s -m 1 -o /dev/null "http://127.0.0.1:$HTTP_PORT/" "$@" && return 0
		sleep 0.1
	done
	return 1
}

# chromium_run ARGS...: headless Chromium as the tests run it (root, no
# sandbox, no network but loopback, a fresh profile each time).
chromium_run() {
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$T/chr.XXXX")" "$@" 2>>"$T/chromium.err"
}
