#!/usr/bin/env bash
# A name in no category whose answer is a CNAME into one: the policy applies
# to the whole answer, and the host is recorded as asking that name, in the
# target's category, whether the answer came from the upstream or the cache.
. "$(dirname "$0")/../lib.sh"

hosts_setup || { not_ok "nsd started"; exit 1; }
hosts_conf "$T/dnsd.conf"
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" && wait_ctl || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }

# cdn.kaspersky.com -> upd (update: nxdomain); mirror.kaspersky.com -> ds (ksn: log)
expect_eq "CNAME into a blocked name, from the upstream: NXDOMAIN" NXDOMAIN \
	"$(rcode -b 127.0.0.2 cdn.kaspersky.com A)"
expect_eq "the same, from the cache: NXDOMAIN" NXDOMAIN "$(rcode -b 127.0.0.2 cdn.kaspersky.com A)"
expect_eq "CNAME into a logged name: answered" 192.0.2.30 \
	"$(qfrom 127.0.0.3 +short mirror.kaspersky.com A | tail -1)"
qfrom 127.0.0.3 mirror.kaspersky.com A >/dev/null
qfrom 127.0.0.4 www.kaspersky.com A >/dev/null

json=$(ctl hosts --json)
expect_eq "both hosts are in the table, the third is not" "127.0.0.2 127.0.0.3" \
	"$(jq -r '[.hosts[].ip] | sort | join(" ")' <<<"$json")"
expect_eq "blocked via CNAME: the name asked, twice, in the target's category" \
	'{"names":["cdn.kaspersky.com"],"categories":{"update":2},"last_action":"nxdomain"}' \
	"$(jq -c '.hosts[] | select(.ip == "127.0.0.2") | {names, categories, last_action}' <<<"$json")"
expect_eq "logged via CNAME: the name asked, twice, action log" \
	'{"names":["mirror.kaspersky.com"],"categories":{"ksn":2},"last_action":"log"}' \
	"$(jq -c '.hosts[] | select(.ip == "127.0.0.3") | {names, categories, last_action}' <<<"$json")"
expect_eq "the host's MAC comes from the lease as for a direct query" aa:bb:cc:00:00:02 \
	"$(jq -r '.hosts[] | select(.ip == "127.0.0.2") | .mac' <<<"$json")"
expect_eq "event log: the CNAME attempt with the target's category and the action" \
	'{"client":"127.0.0.2","name":"cdn.kaspersky.com","category":"update","action":"nxdomain"}' \
	"$(jq -c 'select(.event == "attempt" and .name == "cdn.kaspersky.com") | {client, name, category, action}' "$T/events.log")"

# A name in a category (relay, ksn) whose CNAME is in one too (ds) is one
# attempt, not two.
qfrom 127.0.0.3 relay.kaspersky.com A >/dev/null
expect_eq "a category name with a CNAME into a category counts once" 3 \
	"$(ctl hosts --json | jq '.hosts[] | select(.ip == "127.0.0.3") | .categories.ksn')"
stop_dnsd

# The CNAME decision is for the real client, as a direct query's: the MAC
# a trusted forwarder (127.0.0.1 here) passes in dnsmasq's option 65001 is
# exempt, the forwarder itself is not.
{ cat "$HOSTS_POLICY"; echo 'clients = ( { name = "bob"; macs = ( "aa:bb:cc:00:00:03" ); exempt = true; } );'; } \
	>"$T/exempt.conf"
HOSTS_POLICY=$T/exempt.conf HOSTS_STATE=$T/exempt.state \
	hosts_conf "$T/dnsd.conf" 'trusted_forwarders = [ "127.0.0.1" ];'
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" && wait_ctl || { not_ok "dnsd answers (exempt MAC)"; cat "$DNSD_LOG"; exit 1; }
bob=+ednsopt=65001:aabbcc000003
expect_eq "exempt by MAC: a direct query is answered" 192.0.2.10 "$(q +short "$bob" upd.kaspersky.com A | tail -1)"
expect_eq "exempt by MAC: a CNAME into a blocked name is answered" 192.0.2.10 \
	"$(q +short "$bob" cdn.kaspersky.com A | tail -1)"
expect_eq "exempt by MAC: from the cache too" 192.0.2.10 "$(q +short "$bob" cdn.kaspersky.com A | tail -1)"
expect_eq "the exempt host is recorded by its MAC with action allow" allow \
	"$(ctl hosts --json | jq -r '.hosts[] | select(.mac == "aa:bb:cc:00:00:03") | .last_action')"
expect_eq "without the MAC: blocked" NXDOMAIN "$(rcode cdn.kaspersky.com A)"
stop_dnsd
