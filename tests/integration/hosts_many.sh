#!/usr/bin/env bash
# A large site with the default host table: 10,000 distinct hosts (source
# addresses 127.10.x.y on loopback, from tests/tools/manyhosts.c) each ask
# a blocked Kaspersky name once; every one of them is in `dnsdctl hosts`,
# none evicted. Prints dnsd's resident memory per host (RSS before and
# after) and checks it stays under 1 KiB.
. "$(dirname "$0")/../lib.sh"

N=10000
cc -std=gnu11 -O1 -o "$T/manyhosts" "$TOP/tests/tools/manyhosts.c" || { not_ok "manyhosts built"; exit 1; }
DNSD_PORT=$(free_port)
cat >"$T/policy.conf" <<'POLICY'
timezone = "UTC";
categories = { update = ( "upd.kaspersky.com" ); };
phases = ( { name = "enforce"; start = "2020-01-01 00:00"; actions = { update = "nxdomain"; }; } );
POLICY
# no hosts group: the defaults
cat >"$T/dnsd.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$(free_port)" ];
allow = [ "127.0.0.0/8" ];
control_socket = "$T/ctl.sock";
policy = { file = "$T/policy.conf"; };
CONF
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" && wait_ctl || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$DNSD_PID/status"; }
q -b 127.0.0.2 warm.upd.kaspersky.com A >/dev/null
before=$(rss)
out=$("$T/manyhosts" "$DNSD_PORT" "$N" s01.upd.kaspersky.com)
expect_eq "every one of $N hosts answered" "answered $N of $N" "$out"
after=$(rss)
ctl hosts --json | jq -r '.hosts[].ip' | sort >"$T/listed"
for i in $(seq 1 $N); do echo "127.10.$((i >> 8)).$((i & 255))"; done | sort >"$T/expected"
expect_eq "every one of $N hosts is in dnsdctl hosts (default config)" "" \
	"$(comm -23 "$T/expected" "$T/listed" | head -5)"
expect_match "status: no host evicted" "hosts: $((N + 1)) of [0-9]+, [0-9]+ bytes, [0-9]+ recorded, 0 evicted" "$(ctl status)"
per_host=$(( (after - before) * 1024 / N ))
table=$(ctl status | sed -n 's/^hosts: [0-9]* of [0-9]*, \([0-9]*\) bytes.*/\1/p')
echo "# RSS ${before} kB -> ${after} kB: $per_host bytes per host; table $table bytes, $((table / (N + 1))) per host"
check "resident memory per host under 1 KiB (got $per_host bytes)" test "$per_host" -lt 1024
stop_dnsd

# A table too small for the site: the hosts that leave it are archived,
# listed by hosts --all, counted in status and logged once for the burst.
sed -i "s|^policy = |hosts = { max_hosts = 100; state_file = \"$T/hosts.state\"; };\npolicy = |" "$T/dnsd.conf"
rm -f "$T/ctl.sock"
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" && wait_ctl || { not_ok "dnsd answers (max_hosts 100)"; cat "$DNSD_LOG"; exit 1; }
"$T/manyhosts" "$DNSD_PORT" 150 s01.upd.kaspersky.com >/dev/null
expect_eq "max_hosts 100: 100 in the table, 50 archived, all 150 listed by hosts --all" "100 50 150" \
	"$(ctl hosts --all --json | jq -r '"\(.hosts | length) \(.archived | length) \(.hosts + .archived | map(.ip) | unique | length)"')"
expect_eq "hosts --all --csv marks the archived hosts" 50 "$(ctl hosts --all --csv | grep -c ',archive$')"
expect_match "status counts the evictions and the archive" '50 evicted \(50 archived, 0 lost\)' "$(ctl status)"
expect_eq "the log reports the first eviction at once, and no line per host" 1 \
	"$(grep -c 'hosts: table full .* evicted to the archive' "$DNSD_LOG")"
check "the HTML report lists the hosts that left the table" \
	test "$(ctl report --html | grep -c '<tr class="archived">')" -eq 50
stop_dnsd
expect_match "the rest of the burst is logged at exit" 'hosts: table full .*: 49 least recently seen hosts evicted to the archive .*; 50 since start' "$(cat "$DNSD_LOG")"
exit $FAILED
