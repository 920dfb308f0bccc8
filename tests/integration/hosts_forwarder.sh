#!/usr/bin/env bash
# The real client behind a trusted forwarder: a real dnsmasq in front with
# --add-subnet=32,128 and --add-mac yields the client's address (loopback)
# and MAC (a veth pair between two network namespaces created here), not
# the forwarder's; options from an untrusted source are ignored; the
# options never reach the upstream.
. "$(dirname "$0")/../lib.sh"

hosts_setup || { not_ok "nsd started"; exit 1; }
hosts_conf "$T/dnsd.conf" 'trusted_forwarders = [ "127.0.0.1" ];'
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" && wait_ctl || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }

# start_dnsmasq ADDR PORT UPSTREAM-PORT [NETNS]: a forwarder adding ECS and MAC.
start_dnsmasq() {
	local run=()
	[ -n "${4:-}" ] && run=(ip netns exec "$4")
	"${run[@]}" dnsmasq -d -k -u root --port "$2" --listen-address "$1" --bind-interfaces \
		--no-resolv --no-hosts --cache-size=0 --server "127.0.0.1#$3" --add-mac \
		--add-subnet=32,128 --host-record=ready.test,127.0.0.1 --pid-file= >"$T/dnsmasq.$2.log" 2>&1 &
	PIDS+=($!)
	local i
	for i in $(seq 50); do
		"${run[@]}" dig @"$1" -p "$2" +tries=1 +time=1 ready.test A >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

FWD_PORT=$(free_port)
start_dnsmasq 127.0.0.10 "$FWD_PORT" "$DNSD_PORT" || { not_ok "dnsmasq answers"; cat "$T/dnsmasq.$FWD_PORT.log"; exit 1; }
viafwd() { dig @127.0.0.10 -p "$FWD_PORT" +tries=1 +time=3 "$@"; }

expect_eq "through dnsmasq: blocked name is NXDOMAIN" NXDOMAIN \
	"$(viafwd -b 127.0.0.5 upd.kaspersky.com A | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')"
expect_eq "through dnsmasq: logged name answered" 192.0.2.30 "$(viafwd -b 127.0.0.6 +short ds.kaspersky.com A)"
json=$(ctl hosts --json)
expect_eq "the table has the real clients, not the forwarder" "127.0.0.5 127.0.0.6" \
	"$(jq -r '[.hosts[].ip] | sort | join(" ")' <<<"$json")"
expect_eq "the event log has the real client" "127.0.0.5" \
	"$(jq -r 'select(.name == "upd.kaspersky.com") | .client' "$T/events.log")"

# dnsmasq's MAC option, as --add-mac sends it, from the trusted forwarder.
q +subnet=127.0.0.7/32 +ednsopt=65001:020000000007 ds.kaspersky.com A >/dev/null
expect_eq "MAC option from a trusted forwarder" 02:00:00:00:00:07 \
	"$(ctl hosts --json | jq -r '.hosts[] | select(.ip == "127.0.0.7") | .mac')"
q +ednsopt=65073:$(printf 'AgAAAAAI' | od -An -tx1 | tr -d ' \n') +subnet=127.0.0.8/32 ds.kaspersky.com A >/dev/null
expect_eq "--add-mac=base64 option from a trusted forwarder" 02:00:00:00:00:08 \
	"$(ctl hosts --json | jq -r '.hosts[] | select(.ip == "127.0.0.8") | .mac')"
# The same options from a host that is no forwarder are ignored.
qfrom 127.0.0.9 +subnet=10.6.6.6/32 +ednsopt=65001:020000000066 ds.kaspersky.com A >/dev/null
json=$(ctl hosts --json)
expect_eq "options from an untrusted source are ignored" "127.0.0.9 null" \
	"$(jq -r '.hosts[] | select(.ip == "127.0.0.9") | "\(.ip) \(.mac)"' <<<"$json")"
check "no host invented from an untrusted ECS option" bash -c "! grep -q 10.6.6.6 <<<'$json'"

# Names are recorded lower-cased; unusual bytes in presentation form.
qfrom 127.0.0.13 UpD.KaSpErSkY.CoM A >/dev/null
qfrom 127.0.0.13 'odd\032name.upd.kaspersky.com' A >/dev/null
expect_eq "names: lower case, unusual bytes escaped" '["upd.kaspersky.com","odd\\032name.upd.kaspersky.com"]' \
	"$(ctl hosts --json | jq -c '.hosts[] | select(.ip == "127.0.0.13") | .names')"

# SIGHUP without trusted forwarders: dnsmasq's clients show as the forwarder.
hosts_conf "$T/dnsd.conf"
kill -HUP "$DNSD_PID"
for i in $(seq 100); do grep -q 'reloaded' "$DNSD_LOG" && break; sleep 0.1; done
viafwd -b 127.0.0.11 upd.kaspersky.com A >/dev/null
json=$(ctl hosts --json)
check "after reload: the forwarder is no longer trusted" bash -c "jq -e '.hosts[] | select(.ip == \"127.0.0.1\")' >/dev/null <<<'$json'"
stop_dnsd

# The options are not forwarded: an upstream that records every datagram
# it gets (dnsd's loop probe comes first).
UP_PORT=$(free_port)
socat -u UDP4-RECV:"$UP_PORT",bind=127.0.0.1 OPEN:"$T/upstream.bin",creat,append &
PIDS+=($!)
cat >"$T/dnsd2.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$UP_PORT" ];
allow = [ "127.0.0.0/8" ];
control_socket = "$T/ctl.sock";
policy = { file = "$HOSTS_POLICY"; };
hosts = { trusted_forwarders = [ "127.0.0.1" ]; };
CONF
start_dnsd "$T/dnsd2.conf"
wait_ctl || { not_ok "dnsd (second config) starts"; cat "$DNSD_LOG"; exit 1; }
q +tries=1 +time=1 +subnet=127.0.0.12/32 +ednsopt=65001:02000000000c ds.kaspersky.com A >/dev/null
for i in $(seq 100); do
	od -An -tx1 "$T/upstream.bin" | tr -d ' \n' | grep -q '026473096b6173706572736b7903636f6d00' && break
	sleep 0.1
done
up=$(od -An -tx1 "$T/upstream.bin" | tr -d ' \n')
expect_match "the upstream got the query" '026473096b6173706572736b7903636f6d00' "$up"
check "no Client Subnet option upstream" bash -c "! grep -q '000800080001200' <<<'$up'"
check "no MAC option upstream" bash -c "! grep -q 'fde90006' <<<'$up'"
expect_eq "but the host was recorded with its MAC" 02:00:00:00:00:0c \
	"$(ctl hosts --json | jq -r '.hosts[] | select(.ip == "127.0.0.12") | .mac')"
stop_dnsd

# --add-mac for real: dnsmasq and dnsd in one namespace, the client in
# another, joined by a veth pair; dnsmasq reads the client's MAC from its
# neighbour table.
NSA=dnsdA$$ NSB=dnsdB$$
if netns_pair "$NSA" "$NSB" va$$ vb$$ 10.199.0 02:00:00:00:00:42; then
	ok "network namespaces with a veth pair"
else
	not_ok "network namespaces with a veth pair"; exit 1
fi
cat >"$T/dnsd3.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
allow = [ "127.0.0.0/8", "10.199.0.0/24" ];
control_socket = "$T/ctl.sock";
policy = { file = "$HOSTS_POLICY"; };
hosts = { trusted_forwarders = [ "127.0.0.1" ]; };
CONF
DNSD_NETNS=$NSA start_dnsd "$T/dnsd3.conf"
wait_ctl || { not_ok "dnsd in the namespace starts"; cat "$DNSD_LOG"; exit 1; }
NS_FWD_PORT=$(free_port)
start_dnsmasq 10.199.0.1 "$NS_FWD_PORT" "$DNSD_PORT" "$NSA" || true
for i in 1 2 3; do
	rc=$(ip netns exec "$NSB" dig @10.199.0.1 -p "$NS_FWD_PORT" +tries=2 +time=2 upd.kaspersky.com A |
		sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
done
expect_eq "namespace client through dnsmasq: NXDOMAIN" NXDOMAIN "$rc"
expect_eq "namespace client: the MAC from dnsmasq's --add-mac" "10.199.0.2 02:00:00:00:00:42" \
	"$(ctl hosts --json | jq -r '.hosts[] | "\(.ip) \(.mac)"')"
stop_dnsd
exit $FAILED
