#!/usr/bin/env bash
# Slow upstreams get answers: nsd behind a relay that holds each answer
# 1200 ms (a busy ISP resolver) and another that holds it 2500 ms (a
# satellite link), each the only upstream of its dnsd, budget_ms 3000 (the
# default). Two rounds of 20 distinct names asked at once: every one is
# answered (the first try's socket stays open while later tries go, and the
# per-try timeout grows with the measured RTT), none is SERVFAIL, and the
# slow upstream is never marked down (down_after 1). The answer times are
# printed as comments for the record.
. "$(dirname "$0")/../lib.sh"

cat >"$T/slow.db" <<'ZONE'
$ORIGIN slow.test.
$TTL 300
@	IN SOA	ns1 hostmaster ( 1 3600 600 86400 60 )
	IN NS	ns1
ns1	IN A	127.0.0.1
*	IN A	192.0.2.77
ZONE
NSD_PORT=$(free_port)
start_nsd slow.test "$T/slow.db" "$NSD_PORT" || { not_ok "nsd started"; exit 1; }
cc -std=gnu11 -O1 -o "$T/delayrelay" "$TOP/tests/tools/delayrelay.c" ||
	{ not_ok "delayrelay builds"; exit 1; }

# slow_dnsd NAME DELAY_MS: a relay holding nsd's answers DELAY_MS and a dnsd
# forwarding only to it; sets PORT_<NAME>, PID_<NAME> and LOG_<NAME>.
slow_dnsd() {
	local name=$1 delay=$2 relay port i
	relay=$(free_port)
	"$T/delayrelay" -p "$relay" -u "$NSD_PORT" -d "$delay" &
	PIDS+=($!)
	port=$(free_port)
	cat >"$T/$name.conf" <<CONF
listen = [ "127.0.0.1@$port" ];
upstreams = [ "127.0.0.1@$relay" ];
forward = { budget_ms = 3000; down_after = 1; };
control_socket = "$T/$name.sock";
CONF
	start_dnsd "$T/$name.conf"
	for i in $(seq 100); do
		"$DNSDCTL" -s "$T/$name.sock" status >/dev/null 2>&1 && break
		sleep 0.1
	done
	printf -v "PORT_$name" %s "$port"
	printf -v "LOG_$name" %s "$DNSD_LOG"
	printf -v "PID_$name" %s "$DNSD_PID"
}
slow_dnsd fast1200 1200
slow_dnsd slow2500 2500

# round NAME ROUND: 20 distinct names at once; each dig's output in a file.
round() {
	local port_var=PORT_$1 i
	for i in $(seq 20); do
		dig @127.0.0.1 -p "${!port_var}" +tries=1 +time=6 "n$i.r$2.$1.slow.test" A \
			>"$T/$1.$2.$i.out" 2>&1 &
	done
}
for r in 1 2; do
	round fast1200 "$r"
	round slow2500 "$r"
	wait $(jobs -p | grep -vxF "$(printf '%s\n' "${PIDS[@]}")") 2>/dev/null
done

for name in fast1200 slow2500; do
	for r in 1 2; do
		good=0 times=()
		for i in $(seq 20); do
			out=$(cat "$T/$name.$r.$i.out")
			if grep -q 'status: NOERROR' <<<"$out" && grep -q '192.0.2.77' <<<"$out"; then
				good=$((good + 1))
			else
				echo "# $name round $r name $i: $(grep -E 'status|timed out|Query time' <<<"$out" | tr '\n' ' ')"
			fi
			times+=("$(sed -n 's/;; Query time: \([0-9]*\) msec/\1/p' <<<"$out")")
		done
		expect_eq "$name round $r: 20 of 20 distinct names answered" 20 "$good"
		echo "# $name round $r answer times (ms): $(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')"
	done
	log_var=LOG_$name
	status=$("$DNSDCTL" -s "$T/$name.sock" status | grep '^upstream')
	echo "# $name: $status"
	expect_match "$name: the slow upstream is up with no failure" 'up, 0 consecutive failures' "$status"
	expect_match "$name: status shows its measured round-trip time" 'rtt (1[2-9]|2[0-9])[0-9]{2} ms' "$status"
	check "$name: never logged down" bash -c "! grep -q 'down after' '${!log_var}'"
	pid_var=PID_$name
	DNSD_PID=${!pid_var} DNSD_LOG=${!log_var}
	stop_dnsd
done
# An upstream that never answered has no round-trip time yet: '-', not 0.
port=$(free_port)
printf 'listen = [ "127.0.0.1@%s" ];\nupstreams = [ "127.0.0.1@%s" ];\ncontrol_socket = "%s";\n' \
	"$port" "$(free_port)" "$T/ctl.sock" >"$T/dead.conf"
start_dnsd "$T/dead.conf"
wait_ctl || { not_ok "dnsd with a dead upstream starts"; cat "$DNSD_LOG"; exit 1; }
dig @127.0.0.1 -p "$port" +tries=1 +time=3 never.example.test A >/dev/null
expect_match "an upstream never answered shows no round-trip time" 'rtt - ms' "$(ctl status | grep '^upstream')"
stop_dnsd
exit $FAILED
