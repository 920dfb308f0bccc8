#!/usr/bin/env bash
# Who may ask, by default: a router in a namespace (R) with a LAN veth (an
# IPv4 subnet and a global IPv6 prefix) and a WAN veth holding the default
# route. dnsd listens on the wildcard address with no allow list beyond its
# loopback default: the LAN client (L) is answered over IPv4 and IPv6, the
# WAN client (W) is REFUSED and logged with its address. A LAN prefix added
# while dnsd runs is answered without a reload; lan_interfaces narrows the
# LAN. The resolv.conf names R's own LAN address: with a wildcard listen
# that is dnsd itself, and it is skipped.
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" = 0 ] || { ok "# SKIP needs root for network namespaces"; exit 0; }
R=dnsdR$$ L=dnsdL$$ W=dnsdW$$
trap 'cleanup; ip netns del $R 2>/dev/null; ip netns del $L 2>/dev/null; ip netns del $W 2>/dev/null' EXIT
if ip netns add "$R" && ip netns add "$L" && ip netns add "$W" &&
	ip link add rl$$ type veth peer name ll$$ && ip link add rw$$ type veth peer name ww$$ &&
	ip link set rl$$ netns "$R" && ip link set ll$$ netns "$L" &&
	ip link set rw$$ netns "$R" && ip link set ww$$ netns "$W" &&
	ip -n "$R" addr add 10.198.1.1/24 dev rl$$ && ip -n "$L" addr add 10.198.1.2/24 dev ll$$ &&
	ip -n "$R" addr add 2001:db8:1::1/64 dev rl$$ nodad && ip -n "$L" addr add 2001:db8:1::2/64 dev ll$$ nodad &&
	ip -n "$R" addr add 198.51.100.1/24 dev rw$$ && ip -n "$W" addr add 198.51.100.2/24 dev ww$$ &&
	for n in "$R" "$L" "$W"; do ip -n "$n" link set lo up || exit 1; done &&
	ip -n "$R" link set rl$$ up && ip -n "$L" link set ll$$ up &&
	ip -n "$R" link set rw$$ up && ip -n "$W" link set ww$$ up &&
	ip -n "$R" route add default via 198.51.100.254 dev rw$$; then
	ok "a router namespace with a LAN and a WAN veth"
else
	not_ok "a router namespace with a LAN and a WAN veth"; exit 1
fi

# start_nsd writes nsd's config and checks it serves; then the same nsd
# runs inside R, the upstream on R's loopback.
NSD_PORT=$(free_port)
start_nsd example.test "$TOP/tests/integration/core_zone.db" "$NSD_PORT" || { not_ok "nsd started"; exit 1; }
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null
d=$(dirname "$NSD_LOG")
ip netns exec "$R" nsd -d -c "$d/nsd.conf" >"$d/stderr" 2>&1 &
PIDS+=($!)
for i in $(seq 100); do
	ip netns exec "$R" dig @127.0.0.1 -p "$NSD_PORT" +tries=1 +time=1 example.test SOA >/dev/null 2>&1 && break
	sleep 0.1
done
printf 'nameserver 10.198.1.1\nnameserver 127.0.0.1#%s\n' "$NSD_PORT" >"$T/resolv.conf"
cat >"$T/dnsd.conf" <<CONF
listen = [ "0.0.0.0@53", "::@53" ];
resolv_conf = "resolv.conf";
CONF
DNSD_NETNS=$R start_dnsd "$T/dnsd.conf"
# rq NS SERVER [DIG-ARGS...]: the status of a query from namespace NS.
rq() { local n=$1 s=$2; shift 2; ip netns exec "$n" dig @"$s" +tries=1 +time=2 "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
for i in $(seq 100); do [ "$(rq "$R" 127.0.0.1 www.example.test A)" = NOERROR ] && break; sleep 0.1; done

check "resolv.conf naming the router's own address: skipped and logged" \
	grep -q "nameserver 10.198.1.1 skipped: it is this machine's own address" "$DNSD_LOG"
check "... and the other nameserver is used" grep -q "upstreams 127.0.0.1@$NSD_PORT\$" "$DNSD_LOG"
expect_eq "LAN client over IPv4: answered" NOERROR "$(rq "$L" 10.198.1.1 www.example.test A)"
expect_eq "LAN client on the global IPv6 prefix: answered" NOERROR "$(rq "$L" 2001:db8:1::1 www.example.test AAAA)"
expect_eq "WAN client: REFUSED" REFUSED "$(rq "$W" 198.51.100.1 www.example.test A)"
for i in $(seq 100); do grep -q 'refused a query from 198.51.100.2' "$DNSD_LOG" && break; sleep 0.1; done
check "the refused WAN client is logged with its address" grep -q 'refused a query from 198.51.100.2' "$DNSD_LOG"
for i in 1 2 3 4 5; do rq "$W" 198.51.100.1 www.example.test A >/dev/null; done
expect_eq "refusals are logged rate-limited (one line for six)" 1 "$(grep -c 'refused a query from' "$DNSD_LOG")"

# A prefix the LAN gets while dnsd runs (a new delegation): no reload needed.
ip -n "$R" addr add 10.198.2.1/24 dev rl$$ && ip -n "$L" addr add 10.198.2.2/24 dev ll$$
# The interface snapshot is refreshed at most once a second: the first
# query may come too soon after the last refresh.
for i in $(seq 100); do [ "$(rq "$L" 10.198.2.1 -b 10.198.2.2 www.example.test A)" = NOERROR ] && break; sleep 0.1; done
expect_eq "a LAN prefix added at run time: answered" NOERROR "$(rq "$L" 10.198.2.1 -b 10.198.2.2 www.example.test A)"

# lan_interfaces names the LAN; the veth is then not part of it.
printf 'lan_interfaces = [ "br-lan" ];\n' >>"$T/dnsd.conf"
kill -HUP "$DNSD_PID"
for i in $(seq 100); do [ "$(grep -c 'configuration reloaded' "$DNSD_LOG")" -ge 1 ] && break; sleep 0.1; done
expect_eq "lan_interfaces without the veth: the client is REFUSED" REFUSED "$(rq "$L" 10.198.1.1 www.example.test A)"
stop_dnsd
