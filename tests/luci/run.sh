#!/usr/bin/env bash
# make test-luci: the LuCI app's views in headless Chromium against a real
# LuCI JavaScript runtime (a luci-base htdocs tree, not in this repository),
# a stand-in /ubus (server.js) whose luci.dnsd calls run the app's rpcd
# plugin against a live dnsd with recorded hosts, and UCI from the shipped
# /etc/config/dnsd. Asserts on the rendered DOM: the phase in force, one row
# per host with the names it asked, the settings fields filled from UCI.
# Screenshots go to $SHOTS (default: build dir) for a person to look at.
# Usage: tests/luci/run.sh BUILD_DIR LUCI_ROOT
DNSD_BUILD=$(cd "${1:?build dir}" && pwd)
LUCI_ROOT=${2:?LUCI_ROOT}
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/luci/lib.sh"
SHOTS=${SHOTS:-$DNSD_BUILD/luci-shots}

for f in cbi.js luci.js form.js rpc.js uci.js ui.js; do
	[ -f "$LUCI_ROOT/luci-static/resources/$f" ] ||
		{ echo "test-luci: $LUCI_ROOT/luci-static/resources/$f missing: not a luci-base htdocs tree" >&2; exit 2; }
done

mkdir -p "$T/uci"
cp "$TOP/appliance/openwrt/dnsd/files/dnsd.config" "$T/uci/dnsd"

luci_dnsd
qfrom 127.0.0.2 upd.kaspersky.com A >/dev/null
qfrom 127.0.0.2 activation-v2.kaspersky.com A >/dev/null
qfrom 127.0.0.3 ds.kaspersky.com A >/dev/null

# start_server PORT [ENV...]: server.js on PORT, the plugin run with ENV.
start_server() {
	local port=$1; shift
	env IPKG_INSTROOT="$TOP/tests/openwrt/standins" DNSDCTL="$DNSDCTL" DNSD_CONF="$T/dnsd.conf" "$@" \
		node "$TOP/tests/luci/server.js" "$port" "$LUCI_ROOT" "$LUCI_APP" "$T/uci" \
		"$LUCI_PLUGIN" "$T/server.$port.log" &
	PIDS+=($!)
	for i in $(seq 100); do grep -q listening "$T/server.$port.log" 2>/dev/null && break; sleep 0.1; done
}
HTTP_PORT=$(free_port)
start_server "$HTTP_PORT"

# chrome ARGS... URL: headless Chromium with a fresh profile; the virtual
# time budget lets LuCI's promises and rpc calls settle before the dump.
chrome() {
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$T/chrome.XXXX")" --window-size=1280,900 \
		--virtual-time-budget=8000 "$@" 2>>"$T/chrome.log"
}
mkdir -p "$SHOTS"
url=http://127.0.0.1:$HTTP_PORT/cgi-bin/luci/admin/services/dnsd

dom=$(chrome --dump-dom "$url/overview")
chrome --screenshot="$SHOTS/overview.png" "$url/overview" >/dev/null
rows=$(grep -o '<tr class="tr cbi-rowstyle[^"]*"[^>]*>.*' <<<"$dom" | sed 's/<\/tr>/&\n/g')
expect_match "overview: the phase in force" '<td[^>]*>Phase in force</td><td[^>]*>enforce</td>' "$dom"
expect_match "overview: the next boundary, in the browser's time" \
	'<td[^>]*>Next boundary</td><td[^>]*>[^<]*(2099|2098)[^<]*</td>' "$dom"
expect_eq "overview: one row per host" 2 "$(grep -c 'data-title="IP"' <<<"$rows")"
expect_match "overview: anna-laptop's row with its MAC, count and names" \
	'127\.0\.0\.2</td>.*aa:bb:cc:00:00:02</td>.*anna-laptop</td>.*>2</td>.*update 1, licensing 1</td>.*>log</td>.*upd\.kaspersky\.com activation-v2\.kaspersky\.com</td>' \
	"$(grep '127\.0\.0\.2' <<<"$rows")"
expect_match "overview: bob-pc's row" '127\.0\.0\.3</td>.*bob-pc</td>.*ds\.kaspersky\.com</td>' \
	"$(grep '127\.0\.0\.3' <<<"$rows")"

# uci_option NAME: the value the shipped /etc/config/dnsd gives NAME.
uci_option() { sed -n "s/^[[:space:]]*option $1 '\(.*\)'\$/\1/p" "$T/uci/dnsd"; }
dom=$(chrome --dump-dom "$url/settings")
chrome --screenshot="$SHOTS/settings.png" "$url/settings" >/dev/null
v=$(uci_option cache_max_entries)
expect_match "settings: cache entries filled from UCI ($v)" \
	"id=\"widget\.cbid\.dnsd\.main\.cache_max_entries\"[^>]*value=\"$v\"|value=\"$v\"[^>]*id=\"widget\.cbid\.dnsd\.main\.cache_max_entries\"" "$dom"
v=$(uci_option policy_file)
expect_match "settings: policy file filled from UCI ($v)" "id=\"widget\.cbid\.dnsd\.main\.policy_file\"[^>]*value=\"$v\"|value=\"$v\"[^>]*id=\"widget\.cbid\.dnsd\.main\.policy_file\"" "$dom"
expect_match "settings: mode from UCI selected" '<option value="behind" selected' "$dom"
expect_match "settings: trusted forwarders list from UCI" '127\.0\.0\.1.*::1' \
	"$(grep -o 'cbid\.dnsd\.main\.hosts_trusted_forwarders.*' <<<"$dom" | head -c 3000)"

# A table larger than a ubus message takes (here: a bound of one line):
# the rows that fit, and a note of how many are left out.
SMALL_PORT=$(free_port)
start_server "$SMALL_PORT" DNSD_RPC_MAX=1
dom=$(chrome --dump-dom "http://127.0.0.1:$SMALL_PORT/cgi-bin/luci/admin/services/dnsd/overview")
expect_eq "overview over the bound: the most recent host's row only" 1 "$(grep -o 'data-title="IP"' <<<"$dom" | wc -l)"
expect_match "overview over the bound: how many are not shown" '<p id="dnsd-more">Not shown, seen less recently: 1 hosts;' "$dom"

# dnsd stopped: the page says what the plugin answered instead of rows.
stop_dnsd
dom=$(chrome --dump-dom "$url/overview")
expect_match "overview with dnsd down: the plugin's error in the hosts table" \
	"<em>dnsdctl hosts: dnsdctl: $T/ctl.sock: [^<]+</em>" "$dom"
expect_match "overview with dnsd down: the status error" "<td[^>]*>dnsdctl status: dnsdctl: " "$dom"

if [ "$FAILED" -ne 0 ]; then
	echo "# server logs:"; cat "$T"/server.*.log | sed 's/^/#   /'
fi
echo "# screenshots: $SHOTS/overview.png $SHOTS/settings.png"
exit $FAILED
