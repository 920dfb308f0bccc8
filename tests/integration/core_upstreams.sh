#!/usr/bin/env bash
# Several upstreams: a dead first upstream -> the answer comes from the
# second, and the dead one is marked down; every upstream dead -> SERVFAIL
# within the bound (well before dig's own 5 s timeout); an IPv6 upstream
# over UDP and TCP; an upstream that never answers is timed out.
. "$(dirname "$0")/../lib.sh"

NSD_PORT=$(free_port)
DEAD1=$(free_port)
DEAD2=$(free_port)
start_nsd example.test "$TOP/tests/integration/core_zone.db" "$NSD_PORT" || { not_ok "nsd started"; exit 1; }

# run_with UPSTREAMS: (re)start dnsd forwarding to those "addr@port" strings.
run_with() {
	DNSD_PORT=$(free_port)
	cat >"$T/dnsd.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ $1 ];
forward = { timeout_ms = 400; budget_ms = 2000; down_after = 2; probe_interval = 60; };
CONF
	start_dnsd "$T/dnsd.conf"
	wait_dns "$DNSD_PORT" || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }
}

# wait_dns itself queries ". SOA", which nsd refuses: harmless.
run_with "\"127.0.0.1@$DEAD1\", \"127.0.0.1@$NSD_PORT\""
expect_eq "first upstream dead: answer from the second" "192.0.2.10" \
	"$(dig @127.0.0.1 -p "$DNSD_PORT" +tries=1 +time=5 +short www.example.test A)"
expect_eq "and again, with the first marked down" "2001:db8::10" \
	"$(dig @127.0.0.1 -p "$DNSD_PORT" +tries=1 +time=5 +short www.example.test AAAA)"
check "the dead upstream is marked down (logged)" grep -q "upstream 127.0.0.1@$DEAD1 down after" "$DNSD_LOG"
check "the live upstream is never marked down" bash -c "! grep -q 'upstream 127.0.0.1@$NSD_PORT down' '$DNSD_LOG'"
stop_dnsd

run_with "\"127.0.0.1@$DEAD1\", \"127.0.0.1@$DEAD2\""
expect_eq "all upstreams dead: SERVFAIL within dig's 5 s" "SERVFAIL" \
	"$(dig @127.0.0.1 -p "$DNSD_PORT" +tries=1 +time=5 www.example.test A | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')"
stop_dnsd

# An IPv6 upstream, over UDP and (for the large answer) TCP.
NSD6_PORT=$(free_port)
start_nsd example.test "$TOP/tests/integration/core_zone.db" "$NSD6_PORT" ::1 || { not_ok "nsd on ::1 started"; exit 1; }
run_with "\"::1@$NSD6_PORT\""
expect_eq "IPv6 upstream" "192.0.2.10" \
	"$(dig @127.0.0.1 -p "$DNSD_PORT" +tries=1 +time=5 +short www.example.test A)"
expect_eq "IPv6 upstream, truncated then over TCP" 12 \
	"$(dig @127.0.0.1 -p "$DNSD_PORT" +tries=1 +time=5 +tcp +short big.example.test TXT | grep -o '" "' | wc -l | awk '{print $1+1}')"
stop_dnsd

# An upstream that swallows queries: the per-try timeout moves on.
if command -v python3 >/dev/null; then
	HOLE=$(free_port)
	python3 -c "import socket,time; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', $HOLE)); time.sleep(120)" &
	PIDS+=($!)
	sleep 0.3
	run_with "\"127.0.0.1@$HOLE\", \"127.0.0.1@$NSD_PORT\""
	expect_eq "silent first upstream: timeout, then the second" "192.0.2.25" \
		"$(dig @127.0.0.1 -p "$DNSD_PORT" +tries=1 +time=5 +short mail.example.test A)"
	stop_dnsd
	run_with "\"127.0.0.1@$HOLE\""
	expect_eq "only a silent upstream: SERVFAIL within dig's 5 s" "SERVFAIL" \
		"$(dig @127.0.0.1 -p "$DNSD_PORT" +tries=1 +time=5 www.example.test A | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')"
	stop_dnsd
fi
# Every try keeps its socket until its query ends: dnsd raises its soft
# descriptor limit to what max_outstanding queries may need, here
# 1024 x (2 tries x 2 upstreams + TCP) + 2 loop probes + 256 = 5378.
DNSD_PORT=$(free_port)
printf 'listen = [ "127.0.0.1@%s" ];\nupstreams = [ "127.0.0.1@%s", "127.0.0.1@%s" ];\n' \
	"$DNSD_PORT" "$NSD_PORT" "$DEAD1" >"$T/fd.conf"
(ulimit -Sn 1024 && exec "$DNSD" -d -c "$T/fd.conf") >"$T/fd.log" 2>&1 &
fd_pid=$!
PIDS+=($fd_pid)
wait_dns "$DNSD_PORT"
expect_eq "the soft descriptor limit is raised for the tries (was 1024)" 5378 \
	"$(awk '/^Max open files/ { print $4 }' "/proc/$fd_pid/limits")"
exit $FAILED
