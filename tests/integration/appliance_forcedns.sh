#!/usr/bin/env bash
# Force-DNS rules, proven on a real kernel inside two network namespaces
# this script creates (a LAN host and a router; nothing leaves them): the
# shipped Debian nftables file redirects a query aimed at a foreign resolver
# to the router's own DNS server and refuses port 853; the fw4 snippets the
# OpenWrt package renders load inside an fw4-shaped table.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v nft >/dev/null || ! command -v dnsmasq >/dev/null; then
	echo "# skipped: needs root, nft (package nftables) and dnsmasq"
	exit 0
fi

lan=dnsd-lan-$$ rtr=dnsd-rtr-$$
trap 'ip netns del "$lan" 2>/dev/null; ip netns del "$rtr" 2>/dev/null; cleanup' EXIT
ip netns add "$lan"
ip netns add "$rtr"
ip link add veth-lan netns "$lan" type veth peer name lan0 netns "$rtr"
ip -n "$lan" addr add 10.99.0.2/24 dev veth-lan
ip -n "$rtr" addr add 10.99.0.1/24 dev lan0
ip -n "$rtr" link add wan0 type veth peer name wan1
ip -n "$rtr" addr add 198.51.100.1/24 dev wan0
for ns in "$lan" "$rtr"; do ip -n "$ns" link set lo up; done
ip -n "$lan" link set veth-lan up
ip -n "$rtr" link set lan0 up
ip -n "$rtr" link set wan0 up
ip -n "$rtr" link set wan1 up
ip -n "$lan" route add default via 10.99.0.1
# The "public resolver" (TEST-NET-1) is routed into a veth with no one behind it.
ip -n "$rtr" route add 192.0.2.0/24 dev wan0
ip netns exec "$rtr" sysctl -qw net.ipv4.ip_forward=1

ip netns exec "$rtr" dnsmasq -C /dev/null --keep-in-foreground --port=53 \
	--listen-address=10.99.0.1 --bind-interfaces --no-resolv --no-hosts \
	--pid-file= --address=/forced.test/10.1.2.3 2>"$T/dnsmasq.err" &
PIDS+=($!)

lan_dig() { ip netns exec "$lan" dig +tries=1 +time=1 +short "$@" 2>&1; }
for _ in $(seq 50); do lan_dig @10.99.0.1 forced.test | grep -q 10.1.2.3 && break; sleep 0.1; done
expect_eq "the router's DNS answers the LAN host directly" "10.1.2.3" "$(lan_dig @10.99.0.1 forced.test)"
expect_match "without the rules a foreign resolver is unreachable" "timed out" \
	"$(lan_dig @192.0.2.53 forced.test)"

sed 's/^define DNSD_LAN_IF = .*/define DNSD_LAN_IF = { "lan0" }/' \
	"$TOP/appliance/nftables/dnsd-force-dns.nft" >"$T/force.nft"
check "the Debian nftables file passes nft -c" ip netns exec "$rtr" nft -c -f "$T/force.nft"
check "the Debian nftables file loads" ip netns exec "$rtr" nft -f "$T/force.nft"
check "loading it twice keeps one table" ip netns exec "$rtr" nft -f "$T/force.nft"
expect_eq "a query to a foreign resolver is answered by the router's DNS" "10.1.2.3" \
	"$(lan_dig @192.0.2.53 forced.test)"
expect_eq "over TCP too" "10.1.2.3" "$(lan_dig +tcp @192.0.2.53 forced.test)"
expect_match "DNS over TLS (port 853) is refused" "refused" \
	"$(lan_dig +tcp -p 853 @192.0.2.53 forced.test)"
expect_match "the port 853 counter saw it" "counter packets [1-9]" \
	"$(ip netns exec "$rtr" nft list chain inet dnsd_force_dns forward)"
expect_match "the redirect counter saw the redirected queries" "counter packets [1-9]" \
	"$(ip netns exec "$rtr" nft list chain inet dnsd_force_dns dstnat)"
check "the table is removable" ip netns exec "$rtr" nft delete table inet dnsd_force_dns

# The OpenWrt side: render the fw4 chain snippets and load them into a table
# shaped like fw4's (includes land at the top of its dstnat/forward chains).
fw=$TOP/appliance/openwrt/dnsd/files/dnsd-force-dns
NFT_DIR=$T/nftables.d "$fw" on 53 br-lan br-guest
expect_eq "dnsd-force-dns on reports a change" 0 $?
NFT_DIR=$T/nftables.d "$fw" on 53 br-lan br-guest
expect_eq "rendering the same settings again writes nothing" 1 $?
cat >"$T/fw4.nft" <<EOF
table inet fw4 {
	chain dstnat {
		type nat hook prerouting priority dstnat; policy accept;
		include "$T/nftables.d/chain-pre/dstnat/*.nft"
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		include "$T/nftables.d/chain-pre/forward/*.nft"
	}
}
EOF
check "the fw4 snippets pass nft -c inside an fw4-shaped table" ip netns exec "$rtr" nft -c -f "$T/fw4.nft"
NFT_DIR=$T/nftables.d "$fw" off
expect_eq "dnsd-force-dns off removes the snippets" "0:" \
	"$?:$(find "$T/nftables.d" -type f)"
exit $FAILED
