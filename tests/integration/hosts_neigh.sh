#!/usr/bin/env bash
# A new host's first record carries its MAC: dnsd in one network namespace,
# a client in another, joined by a veth pair. The neighbour snapshot is
# taken (by a query from loopback) before the client exists; the client's
# first query must still be recorded with its MAC, not "mac": null.
. "$(dirname "$0")/../lib.sh"

NSA=dnsdNa$$ NSB=dnsdNb$$
if netns_pair "$NSA" "$NSB" na$$ nb$$ 10.198.0 02:00:00:00:00:77; then
	ok "network namespaces with a veth pair"
else
	not_ok "network namespaces with a veth pair"; exit 1
fi
cat >"$T/policy.conf" <<'POLICY'
timezone = "UTC";
categories = { update = ( "upd.kaspersky.com" ); };
phases = ( { name = "enforce"; start = "2020-01-01 00:00"; actions = { update = "nxdomain"; }; } );
POLICY
DNSD_PORT=$(free_port)
cat >"$T/dnsd.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT", "10.198.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$(free_port)" ];
allow = [ "127.0.0.0/8", "10.198.0.0/24" ];
control_socket = "$T/ctl.sock";
policy = { file = "$T/policy.conf"; };
log = { file = "$T/events.log"; };
CONF
DNSD_NETNS=$NSA start_dnsd "$T/dnsd.conf"
wait_ctl || { not_ok "dnsd in the namespace starts"; cat "$DNSD_LOG"; exit 1; }
# the snapshot (kept 10 s) is taken now, without the client in it
ip netns exec "$NSA" dig @127.0.0.1 -p "$DNSD_PORT" +tries=1 +time=2 first.upd.kaspersky.com A >/dev/null
check "the client is not in dnsd's neighbour table yet" \
	bash -c "! ip -n $NSA neigh show 10.198.0.2 | grep -q lladdr"
# a miss reads the table again at most every 100 ms: wait past that bound
sleep 0.2
rc=$(ip netns exec "$NSB" dig @10.198.0.1 -p "$DNSD_PORT" +tries=1 +time=2 s01.upd.kaspersky.com A |
	sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
expect_eq "the new host's query is blocked" NXDOMAIN "$rc"
for i in $(seq 100); do grep -q '"client":"10.198.0.2"' "$T/events.log" 2>/dev/null && break; sleep 0.1; done
expect_eq "the new host's first record has its MAC" 02:00:00:00:00:77 \
	"$(grep '"client":"10.198.0.2"' "$T/events.log" | head -1 | jq -r .mac)"
expect_eq "the host table has its MAC" "10.198.0.2 02:00:00:00:00:77" \
	"$(ctl hosts --json | jq -r '.hosts[] | select(.ip == "10.198.0.2") | "\(.ip) \(.mac)"')"
stop_dnsd
exit $FAILED
