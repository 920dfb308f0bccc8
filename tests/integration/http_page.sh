#!/usr/bin/env bash
# The live page in headless Chromium against a running dnsd: one row per
# host, re-rendered by the page's own script from /api/hosts (data-src
# "api"), the names each host asked, the phase in force; the host page with
# its per-day chart and recent attempts; screenshots on a desktop and a
# phone width (kept in $HTTP_SHOTS when set).
. "$(dirname "$0")/../lib.sh"
http_require

hosts_setup || { not_ok "nsd started"; exit 1; }
hosts_conf "$T/dnsd.conf"
http_conf "$T/dnsd.conf" "refresh = 1;"
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" && wait_http || { not_ok "dnsd and its HTTP server start"; cat "$DNSD_LOG"; exit 1; }
qfrom 127.0.0.2 upd.kaspersky.com A >/dev/null
qfrom 127.0.0.2 activation-v2.kaspersky.com A >/dev/null
qfrom 127.0.0.3 ds.kaspersky.com A >/dev/null
qfrom 127.0.0.6 ds.kaspersky.com AAAA >/dev/null
qfrom 127.0.0.4 www.kaspersky.com A >/dev/null	# in no category: never listed

U=http://127.0.0.1:$HTTP_PORT
check "page: no external references" bash -c "! curl -s '$U/' | grep -Eq '(src|href)=\"(https?:)?//'"
expect_match "page: viewport meta for phones" '<meta name="viewport"' "$(curl -s "$U/")"

# The server renders the rows with data-src="server"; after a virtual
# second the page's script has replaced them from /api/hosts.
chromium_run --virtual-time-budget=4000 --dump-dom "$U/" >"$T/dom.html"
dom=$(cat "$T/dom.html")
expect_eq "page: one row per host, rendered by the script from /api/hosts" 3 \
	"$(grep -o '<tr class="host" data-src="api">' <<<"$dom" | wc -l)"
expect_eq "page: no server-rendered row left" 0 "$(grep -c 'data-src="server"' <<<"$dom")"
expect_match "page: the host link" '<a href="/host/127.0.0.6">127.0.0.6</a>' "$dom"
expect_match "page: the names 127.0.0.2 asked, in its row" \
	'127\.0\.0\.2</a>.*<li>activation-v2\.kaspersky\.com</li><li>upd\.kaspersky\.com</li>|127\.0\.0\.2</a>.*<li>upd\.kaspersky\.com</li><li>activation-v2\.kaspersky\.com</li>' "$dom"
expect_match "page: hostname and MAC from the lease" 'anna-laptop</td>' "$dom"
expect_match "page: an unknown MAC shows -" '127\.0\.0\.6</a></td><td data-label="MAC">-</td><td data-label="Hostname">-</td>' "$dom"
expect_match "page: the phase in force" '<dd id="phase">enforce</dd>' "$dom"
expect_match "page: the timeline" 'phase "enforce"|phase &quot;enforce&quot;' "$dom"
expect_match "page: the script said it updated" '<span id="updated">updated 20' "$dom"
check "page: a name in no category is not listed" bash -c "! grep -q '127.0.0.4' '$T/dom.html'"

host=$(chromium_run --virtual-time-budget=3000 --dump-dom "$U/host/127.0.0.2")
expect_eq "host page: one bar for today in the per-day chart" 1 "$(grep -o '<rect class="day"' <<<"$host" | wc -l)"
expect_eq "host page: two recent attempts" 2 "$(grep -o '<tr class="attempt">' <<<"$host" | wc -l)"
expect_match "host page: the newest first" '<tr class="attempt">.*activation-v2.*upd\.kaspersky' "$host"

# Screenshots: a desktop and a phone width.
shots=${HTTP_SHOTS:-$T}
mkdir -p "$shots"
chromium_run --virtual-time-budget=2000 --window-size=1280,800 --screenshot="$shots/page-desktop.png" "$U/" >/dev/null
chromium_run --virtual-time-budget=2000 --window-size=390,1100 --screenshot="$shots/page-phone.png" "$U/" >/dev/null
chromium_run --virtual-time-budget=2000 --window-size=1000,900 --screenshot="$shots/page-host.png" "$U/host/127.0.0.2" >/dev/null
for s in desktop phone host; do
	check "screenshot $s written" test -s "$shots/page-$s.png"
done
expect_eq "DNS still answers" 192.0.2.30 "$(qfrom 127.0.0.3 +short ds.kaspersky.com A)"
stop_dnsd
exit $FAILED
