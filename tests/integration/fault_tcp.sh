#!/usr/bin/env bash
# TCP under attack (tcp = { max_connections = 4; idle_timeout = 5; }): idle
# connections and slow writers (half a length prefix, then nothing) fill every
# slot, yet a new client's TCP query is answered (the oldest idle connection
# makes room) and UDP clients are answered throughout; every connection that
# stays idle is closed by the idle timeout.
. "$(dirname "$0")/../lib.sh"

DNSD_EXTRA='tcp = { max_connections = 4; idle_timeout = 5; };'
fakeup_dnsd

tcpq() { dig @127.0.0.1 -p "$DNSD_PORT" -b 127.0.0.6 +tcp +tries=1 +time=3 +short "$@"; }
# closed SECONDS FD: dnsd closes the connection (EOF) within SECONDS.
closed() { timeout "$1" cat <&"$2" >/dev/null 2>&1; }

idle=()
for i in 1 2 3 4; do
	exec {fd}<>"/dev/tcp/127.0.0.1/$DNSD_PORT" || { not_ok "connection $i opened"; exit 1; }
	idle+=("$fd")
done
expect_eq "all slots idle: a new client's TCP query is still answered" 192.0.2.1 "$(tcpq good.tcp1.test A)"
# Well before the 5 s idle timeout:
check "the oldest idle connection made room (closed by dnsd at once)" closed 2 "${idle[0]}"
expect_eq "UDP clients answered while TCP is full" "NOERROR 192.0.2.1" "$(answer good.udp1.test A)"

slow=()
for i in 1 2 3 4; do
	exec {fd}<>"/dev/tcp/127.0.0.1/$DNSD_PORT" || { not_ok "slow connection $i opened"; exit 1; }
	printf '\x00' >&"$fd"	# half of a 2-byte length, then nothing
	slow+=("$fd")
done
expect_eq "slow writers in every slot: a new client's TCP query is still answered" 192.0.2.1 \
	"$(tcpq good.tcp2.test A)"
expect_eq "UDP clients answered while slow writers hold TCP" "NOERROR 192.0.2.1" \
	"$(answer good.udp2.test A)"

exec {fd}<>"/dev/tcp/127.0.0.1/$DNSD_PORT" || { not_ok "a last idle connection opened"; exit 1; }
check "an idle connection is closed by the idle timeout" closed 12 "$fd"
n=0
for fd in "${idle[@]:1}" "${slow[@]}"; do closed 12 "$fd" && n=$((n + 1)); done
expect_eq "every idle or stalled connection was closed" 7 "$n"
expect_eq "TCP answers again after the attack" 192.0.2.1 "$(tcpq good.tcp3.test A)"
stop_dnsd
exit $FAILED
