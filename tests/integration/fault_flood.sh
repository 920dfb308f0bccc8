#!/usr/bin/env bash
# A client flooding dnsd (dnsperf from 127.0.0.5, thousands of queries) is
# held to its rate limit (ratelimit = { rate = 20; burst = 40; }): most of
# its queries go unanswered, while another client (127.0.0.6) asking at the
# same time is answered every time. Without the limit the same flood is
# answered in full.
. "$(dirname "$0")/../lib.sh"

if ! command -v dnsperf >/dev/null; then
	echo "ok - client flood is rate limited # skip dnsperf not installed"
	exit 0
fi
UP=$(free_port)
start_fakeup "$UP" || { not_ok "fake upstream started"; exit 1; }
echo "good.flood.test A" >"$T/flood.txt"

# run_dnsd RATELIMIT-GROUP: (re)start dnsd with that ratelimit setting.
run_dnsd() {
	DNSD_PORT=$(free_port)
	cat >"$T/dnsd.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$UP" ];
$1
CONF
	start_dnsd "$T/dnsd.conf"
	wait_dns "$DNSD_PORT" || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }
}

# flood SECONDS: dnsperf from 127.0.0.5; prints "sent completed".
flood() {
	dnsperf -s 127.0.0.1 -p "$DNSD_PORT" -a 127.0.0.5 -d "$T/flood.txt" -l "$1" -Q 2000 -t 1 \
	    -q 2000 2>&1 | awk '/Queries sent:/ { s = $3 } /Queries completed:/ { c = $3 } END { print s + 0, c + 0 }'
}

run_dnsd "ratelimit = { rate = 20; burst = 40; };"
flood 4 >"$T/flood.out" &
FLOOD=$!
sleep 1
served=0
for i in $(seq 20); do
	[ "$(dig @127.0.0.1 -p "$DNSD_PORT" -b 127.0.0.6 +tries=3 +time=1 +short good.other$i.test A)" = 192.0.2.1 ] &&
		served=$((served + 1))
done
wait $FLOOD
read -r sent done <"$T/flood.out"
echo "# flooder: $sent sent, $done answered"
expect_eq "the flood really was a flood (over 1000 queries)" 1 "$((sent > 1000))"
expect_eq "the flooder got at most a quarter answered" 1 "$((done * 4 <= sent))"
expect_eq "the flooder got its burst answered" 1 "$((done >= 40))"
expect_eq "the other client was served every time during the flood" 20 "$served"
stop_dnsd

run_dnsd ""
read -r sent done <<<"$(flood 2)"
echo "# without a limit: $sent sent, $done answered"
expect_eq "without a limit the flood is answered (over 90%)" 1 "$((sent > 0 && done * 10 >= sent * 9))"
stop_dnsd
exit $FAILED
