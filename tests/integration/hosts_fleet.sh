#!/usr/bin/env bash
# One view across a fleet: three dnsd instances (three "sites", each its own
# config, port, control socket, state and DHCP leases) asked policy names
# with dig from several loopback addresses; their `hosts --json` exports
# merged by `dnsdctl report --merge`. anna-laptop has the same MAC at site1
# and site2 (different addresses): it is one machine seen at both sites. A
# host known only by its address stays one row per site. Broken exports are
# refused with the file and what is wrong, and print nothing.
. "$(dirname "$0")/../lib.sh"

hosts_setup || { not_ok "nsd started"; exit 1; }
# site1: anna-laptop 127.0.0.2, bob-pc 127.0.0.3; site2: anna-laptop again
# (same MAC) at 127.0.0.5; site3: no leases. 127.0.0.4 asks at site1 and
# site3 and has no lease anywhere.
printf '1900000000 aa:bb:cc:00:00:05 127.0.0.3 bob-pc *\n' >>"$T/leases.site1"
printf '1900000000 aa:bb:cc:00:00:02 127.0.0.2 anna-laptop *\n' >>"$T/leases.site1"
printf '1900000000 aa:bb:cc:00:00:02 127.0.0.5 anna-laptop *\n' >"$T/leases.site2"
: >"$T/leases.site3"
declare -A PORT
for s in site1 site2 site3; do
	PORT[$s]=$(free_port)
	cat >"$T/$s.conf" <<CONF
listen = [ "127.0.0.1@${PORT[$s]}" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
allow = [ "127.0.0.0/8" ];
control_socket = "$T/$s.sock";
policy = { file = "$HOSTS_POLICY"; };
hosts = { leases = "$T/leases.$s"; state_file = "$T/$s.state"; };
CONF
	start_dnsd "$T/$s.conf"
	wait_dns "${PORT[$s]}" || { not_ok "dnsd $s answers"; cat "$DNSD_LOG"; exit 1; }
done
ask() { dig @127.0.0.1 -p "${PORT[$1]}" -b "$2" +tries=1 +time=3 "$3" A >/dev/null; }
ask site1 127.0.0.2 upd.kaspersky.com
ask site1 127.0.0.2 upd.kaspersky.com
ask site1 127.0.0.3 ds.kaspersky.com
ask site1 127.0.0.4 ds.kaspersky.com
ask site2 127.0.0.5 activation-v2.kaspersky.com
ask site2 127.0.0.5 upd.kaspersky.com
ask site2 127.0.0.5 upd.kaspersky.com
ask site3 127.0.0.4 upd.kaspersky.com
for s in site1 site2 site3; do
	"$DNSDCTL" -s "$T/$s.sock" hosts --json >"$T/$s.json" || not_ok "hosts --json from $s"
done
expect_eq "each site recorded its hosts" "3 1 1" \
	"$(for s in site1 site2 site3; do jq '.hosts | length' "$T/$s.json"; done | tr '\n' ' ' | sed 's/ $//')"

merge=(report --merge site1="$T/site1.json" site2="$T/site2.json" site3="$T/site3.json")
json=$("$DNSDCTL" "${merge[@]}" --json)
expect_eq "merged: the three sites with their host counts" '[["site1",3],["site2",1],["site3",1]]' \
	"$(jq -c '[.sites[] | [.name, .hosts]]' <<<"$json")"
expect_eq "merged: anna-laptop (one MAC at two sites) is one row" 1 \
	"$(jq '[.hosts[] | select(.mac == "aa:bb:cc:00:00:02")] | length' <<<"$json")"
expect_eq "merged: anna-laptop seen at site1 and site2, at both addresses" \
	'{"sites":["site1","site2"],"addresses":["127.0.0.5","127.0.0.2"],"hostname":"anna-laptop"}' \
	"$(jq -c '.hosts[] | select(.mac == "aa:bb:cc:00:00:02") | {sites, addresses: (.addresses | sort | reverse), hostname}' <<<"$json")"
expect_eq "merged: anna-laptop's counts summed across sites" '5 {"update":4,"licensing":1}' \
	"$(jq -c '.hosts[] | select(.mac == "aa:bb:cc:00:00:02") | .total, .categories' <<<"$json" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "merged: the names it asked anywhere" '["activation-v2.kaspersky.com","upd.kaspersky.com"]' \
	"$(jq -c '.hosts[] | select(.mac == "aa:bb:cc:00:00:02") | .names | sort' <<<"$json")"
# Times across sites: the earliest first and the latest last (with that
# record's last action), from exports whose times differ (crafted from the
# real ones: the daemons all saw their hosts within the same second or two).
jq '(.hosts[] | select(.ip == "127.0.0.2")) |= (.first = "2021-01-01T00:00:00Z")' "$T/site1.json" >"$T/old1.json"
jq '(.hosts[] | select(.ip == "127.0.0.5")) |= (.last = "2031-01-01T00:00:00Z" | .last_action = "refused")' \
	"$T/site2.json" >"$T/late2.json"
expect_eq "merged: the earliest first, the latest last and its action" "2021-01-01T00:00:00Z 2031-01-01T00:00:00Z refused" \
	"$("$DNSDCTL" report --merge s1="$T/old1.json" s2="$T/late2.json" --json |
		jq -r '.hosts[] | select(.mac == "aa:bb:cc:00:00:02") | "\(.first) \(.last) \(.last_action)"')"
expect_eq "merged: 127.0.0.4 (address only) stays one row per site" '[["site1"],["site3"]]' \
	"$(jq -c '[.hosts[] | select(.addresses == ["127.0.0.4"]) | .sites] | sort' <<<"$json")"
expect_eq "merged: four machines in all" 4 "$(jq '.hosts | length' <<<"$json")"

text=$("$DNSDCTL" "${merge[@]}")
expect_match "text: anna-laptop once, at site1,site2" \
	'aa:bb:cc:00:00:02 anna-laptop .* 5'$'\n''  at site1,site2 as ' "$text"
expect_eq "text: a header and two lines a machine, 80 columns" "9 0" \
	"$(wc -l <<<"$text") $(awk 'length > 80' <<<"$text" | wc -l)"
"$DNSDCTL" "${merge[@]}" --html -o "$T/fleet.html"
expect_eq "html: one row per machine" 4 "$(grep -c '<tr class="host">' "$T/fleet.html")"
expect_match "html: anna-laptop's row names both sites" \
	'aa:bb:cc:00:00:02</td><td>anna-laptop</td>.*<td class="sites">site1, site2</td>' "$(cat "$T/fleet.html")"

# Broken or hostile exports: refused whole, with the file and the place.
printf '{"hosts":[\n{"ip":"127.0.0.9",}]}' >"$T/trailing.json"
jq -c '.hosts[0].mac = "not-a-mac"' "$T/site2.json" >"$T/badmac.json"
head -c 100 "$T/site1.json" >"$T/cut.json"
out=$("$DNSDCTL" report --merge a="$T/site1.json" b="$T/trailing.json" 2>"$T/err"); rc=$?
expect_eq "a JSON syntax error: exit 1, nothing on stdout" "1 " "$rc $out"
expect_eq "a JSON syntax error: file and line" "dnsdctl: $T/trailing.json: line 2: expected a member name" "$(cat "$T/err")"
expect_eq "a bad field: file, host and field" "dnsdctl: $T/badmac.json: host 1: mac: not a MAC address" \
	"$("$DNSDCTL" report --merge a="$T/badmac.json" 2>&1)"
expect_match "a cut export is refused" "cut\.json: line 1: " "$("$DNSDCTL" report --merge a="$T/cut.json" 2>&1)"
expect_eq "a site named twice is refused" "dnsdctl: $T/site2.json: site a given twice" \
	"$("$DNSDCTL" report --merge a="$T/site1.json" a="$T/site2.json" 2>&1)"
expect_match "a missing file is refused" "nope\.json: No such file" \
	"$("$DNSDCTL" report --merge a="$T/nope.json" 2>&1)"
for s in site1 site2 site3; do check "dnsd at $s still answers" wait_dns "${PORT[$s]}"; done
exit $FAILED
