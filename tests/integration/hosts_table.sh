#!/usr/bin/env bash
# Per-host logs end to end: queries from several loopback sources and a
# dnsmasq lease file; the hosts table (text, JSON, CSV, one host), the event
# log's fields and folding, per-host files, the control protocol against
# garbage, the table surviving SIGTERM and kill -9, a corrupt state file,
# and the HTML report rendered by headless Chromium.
. "$(dirname "$0")/../lib.sh"

hosts_setup || { not_ok "nsd started"; exit 1; }
hosts_conf "$T/bad.conf" "recent = 5;
  max_hosts = 0;"
expect_match "dnsd -t names the bad line in the hosts group" 'bad\.conf:7: max_hosts: 0 is out of range' \
	"$("$DNSD" -t -c "$T/bad.conf" 2>&1)"
hosts_conf "$T/dnsd.conf" "save_interval = 1;" "fold_minutes = 60; host_dir = \"$T/per-host\";"
mkdir -p "$T/per-host"
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" && wait_ctl || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }

for i in 1 2 3; do qfrom 127.0.0.2 upd.kaspersky.com A >/dev/null; done
qfrom 127.0.0.2 activation-v2.kaspersky.com A >/dev/null
qfrom 127.0.0.3 ds.kaspersky.com A >/dev/null
qfrom 127.0.0.3 ds.kaspersky.com AAAA >/dev/null
qfrom 127.0.0.4 www.kaspersky.com A >/dev/null	# in no category: not a host of interest
expect_eq "blocked category answered NXDOMAIN" NXDOMAIN "$(rcode -b 127.0.0.2 upd.kaspersky.com A)"
expect_eq "logged category answered normally" 192.0.2.30 "$(qfrom 127.0.0.3 +short ds.kaspersky.com A)"

table=$(ctl hosts)
expect_match "hosts: anna-laptop with its MAC from the lease" \
	'127\.0\.0\.2 +aa:bb:cc:00:00:02 anna-laptop .* 5' "$table"
expect_match "hosts: bob-pc" '127\.0\.0\.3 +aa:bb:cc:00:00:03 bob-pc .* 3' "$table"
expect_match "hosts: categories and last action" 'last nxdomain; update 4, licensing 1' "$table"
check "hosts: a host with no category query is not listed" bash -c "! grep -q 127.0.0.4 <<<'$table'"
expect_eq "hosts: fits 80 columns" 0 "$(awk 'length > 80' <<<"$table" | wc -l)"

json=$(ctl hosts --json)
expect_eq "json: two hosts" 2 "$(jq '.hosts | length' <<<"$json")"
expect_eq "json: most recently seen first" 127.0.0.3 "$(jq -r '.hosts[0].ip' <<<"$json")"
expect_eq "json: per-category counts" '{"update":4,"licensing":1}' \
	"$(jq -c '.hosts[] | select(.ip == "127.0.0.2") | .categories' <<<"$json")"
expect_eq "json: hostname" bob-pc "$(jq -r '.hosts[] | select(.ip == "127.0.0.3") | .hostname' <<<"$json")"
expect_eq "json: distinct names" '["ds.kaspersky.com"]' \
	"$(jq -c '.hosts[] | select(.ip == "127.0.0.3") | .names' <<<"$json")"
expect_eq "json: recent attempts, newest first" "A AAAA A" \
	"$(jq -r '[.hosts[] | select(.ip == "127.0.0.3") | .recent[].type] | join(" ")' <<<"$json")"
expect_eq "json: last action" log "$(jq -r '.hosts[0].last_action' <<<"$json")"

csv=$(ctl hosts --csv)
expect_eq "csv: header and one line per host" 3 "$(wc -l <<<"$csv")"
expect_match "csv: a host line" '127\.0\.0\.2,aa:bb:cc:00:00:02,anna-laptop,[0-9T:Z-]+,[0-9T:Z-]+,5,update=4;licensing=1,nxdomain' "$csv"

expect_match "host NAME: recent attempts" 'upd\.kaspersky\.com' "$(ctl host anna-laptop)"
expect_match "host MAC: the same host" 'host +127\.0\.0\.2' "$(ctl host aa:bb:cc:00:00:02)"
expect_match "host: unknown host is an error" 'no host 10\.9\.9\.9' "$(ctl host 10.9.9.9 2>&1)"
check "host: unknown host exits 1" bash -c "! '$DNSDCTL' -s '$T/ctl.sock' host 10.9.9.9"

# The control socket: mode 0660, garbage answered with an error, still alive.
expect_eq "control socket mode 0660" 660 "$(stat -c %a "$T/ctl.sock")"
expect_match "garbage command" '^error: unknown command' "$(printf 'xyzzy\n' | socat -t 5 - UNIX-CONNECT:"$T/ctl.sock")"
expect_match "binary garbage" '^error:' "$(printf '\x00\xff\x01\n' | socat -t 5 - UNIX-CONNECT:"$T/ctl.sock")"
expect_match "overlong request" 'request too long' "$(head -c 5000 /dev/zero | tr '\0' a | socat -t 5 - UNIX-CONNECT:"$T/ctl.sock" 2>/dev/null)"
n=0
for _ in $(seq 20); do
	case "$(head -c 5000 /dev/zero | tr '\0' a | socat -t 5 - UNIX-CONNECT:"$T/ctl.sock" 2>/dev/null)" in
	*'request too long'*) n=$((n + 1)) ;;
	esac
done
expect_eq "20 overlong requests in a row: each gets its error (no slot left busy)" 20 "$n"
expect_match "still answering after garbage" 'hosts:' "$(ctl status)"

# The event log: one line per new (host, name) pair, exactly the documented fields.
attempt_keys='["action","category","client","event","hostname","mac","name","phase","time","type"]'
expect_eq "event log: three attempt lines (repeats folded)" 3 "$(grep -c '"event":"attempt"' "$T/events.log")"
expect_eq "event log: every attempt line has exactly the documented fields" "$attempt_keys" \
	"$(jq -c 'select(.event == "attempt") | keys' "$T/events.log" | sort -u)"
expect_eq "event log: the NXDOMAIN attempt" \
	'{"client":"127.0.0.2","mac":"aa:bb:cc:00:00:02","hostname":"anna-laptop","name":"upd.kaspersky.com","type":"A","category":"update","phase":"enforce","action":"nxdomain"}' \
	"$(jq -c 'select(.name == "upd.kaspersky.com") | del(.time, .event)' "$T/events.log")"
expect_match "event log: RFC 3339 UTC time" '^"20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z"$' \
	"$(jq -c 'select(.name == "upd.kaspersky.com") | .time' "$T/events.log")"
expect_eq "per-host file: one per host" "127.0.0.2.log 127.0.0.3.log" "$(cd "$T/per-host" && ls | tr '\n' ' ' | sed 's/ $//')"
expect_eq "per-host file: that host's lines only" 2 "$(jq -r .client "$T/per-host/127.0.0.2.log" | grep -c 127.0.0.2)"

# The HTML report in a real browser: one table row per host.
ctl report --html -o "$T/report.html"
check "report: no external references" bash -c "! grep -Eq '(src|href)=\"(https?:)?//' '$T/report.html'"
timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --user-data-dir="$T/chr" \
	--dump-dom "file://$T/report.html" >"$T/dom.html" 2>"$T/chromium.err"
expect_eq "report: Chromium renders one row per host" 2 "$(grep -o '<tr class="host">' "$T/dom.html" | wc -l)"
expect_match "report: the chart is there" '<svg[^>]*attempts per host per day' "$(cat "$T/dom.html")"

# SIGTERM: summaries of the folded repeats are written, the table is saved.
stop_dnsd
expect_eq "exit: summary with the repeat count" 3 \
	"$(jq -r 'select(.event == "summary" and .client == "127.0.0.2" and .name == "upd.kaspersky.com") | .repeats' "$T/events.log")"
expect_eq "event log: every summary line has exactly the documented fields" \
	'["action","category","client","event","hostname","mac","name","phase","repeats","since","time","type"]' \
	"$(jq -c 'select(.event == "summary") | keys' "$T/events.log" | sort -u)"

start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" && wait_ctl || { not_ok "dnsd restarts"; cat "$DNSD_LOG"; exit 1; }
expect_eq "restart: the table survived SIGTERM" "127.0.0.3:3 127.0.0.2:5" \
	"$(ctl hosts --json | jq -r '[.hosts[] | "\(.ip):\(.total)"] | join(" ")')"

# kill -9 after a save interval: what was saved survives.
qfrom 127.0.0.3 ds.kaspersky.com A >/dev/null
for i in $(seq 100); do grep -q 'total = 4L' "$T/hosts.state" 2>/dev/null && break; sleep 0.1; done
kill -9 "$DNSD_PID"; wait "$DNSD_PID" 2>/dev/null
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" && wait_ctl || { not_ok "dnsd restarts after kill -9"; cat "$DNSD_LOG"; exit 1; }
expect_eq "kill -9: the table saved at the interval survived" 4 \
	"$(ctl hosts --json | jq '.hosts[] | select(.ip == "127.0.0.3") | .total')"
stop_dnsd

# A corrupt state file: moved aside, a warning, an empty table, DNS works.
printf 'version = 1;\nhosts = ( { addr = "127.0.0.2"; \x01\x02 garbage\n' >"$T/hosts.state"
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" && wait_ctl || { not_ok "dnsd starts with a corrupt state file"; cat "$DNSD_LOG"; exit 1; }
check "corrupt state: moved aside" test -s "$T/hosts.state.corrupt"
expect_match "corrupt state: a warning naming the file" 'hosts\.state.*corrupt' "$(cat "$DNSD_LOG")"
expect_eq "corrupt state: empty table" 0 "$(ctl hosts --json | jq '.hosts | length')"
expect_match "corrupt state: status says so" 'corrupt file moved aside' "$(ctl status)"
expect_eq "corrupt state: DNS still answers" 192.0.2.30 "$(qfrom 127.0.0.3 +short ds.kaspersky.com A)"
stop_dnsd
exit $FAILED
