#!/usr/bin/env bash
# The LuCI app without a router: its JSON files parse, its views are valid
# JavaScript (node --check), and the names that must agree across files do:
# the menu's views exist, the ACL grants exactly the rpcd methods the plugin
# lists and the views call, and the settings form only names UCI options the
# shipped /etc/config/dnsd names.
. "$(dirname "$0")/../lib.sh"

app=$TOP/appliance/openwrt/luci-app-dnsd
views=$app/htdocs/luci-static/resources/view
menu=$app/root/usr/share/luci/menu.d/luci-app-dnsd.json
acl=$app/root/usr/share/rpcd/acl.d/luci-app-dnsd.json
plugin=$app/root/usr/libexec/rpcd/luci.dnsd

for f in "$menu" "$acl"; do
	check "$(basename "$f") parses as JSON" jq -e . "$f"
done
for f in "$views"/dnsd/*.js; do
	check "$(basename "$f") is valid JavaScript" node --check "$f"
	expect_match "$(basename "$f") starts with 'use strict' and its requires" \
		"^'use strict';"$'\n'"'require view';" "$(head -2 "$f")"
done

expect_eq "the menu sits under Services" "admin/services/dnsd" \
	"$(jq -r 'keys | map(select(test("^admin/services/dnsd$"))) | .[0]' "$menu")"
for v in $(jq -r '.[] | select(.action.type == "view") | .action.path' "$menu"); do
	check "menu view $v exists" test -f "$views/$v.js"
done
expect_eq "the menu depends on the app's ACL and the dnsd UCI config" "luci-app-dnsd dnsd" \
	"$(jq -r '."admin/services/dnsd".depends | "\(.acl[0]) \(.uci | keys[0])"' "$menu")"

# rpcd methods: the ACL, the views and the plugin's case must name the same set.
acl_methods=$(jq -r '."luci-app-dnsd".read.ubus."luci.dnsd" | sort | join(" ")' "$acl")
view_methods=$(sed -n "s/.*object: 'luci.dnsd', method: '\([a-z]*\)'.*/\1/p" "$views"/dnsd/*.js | sort | tr '\n' ' ')
plugin_methods=$(sed -n 's/^\t\([a-z |]*\)) ask.*/\1/p' "$plugin" | tr -d ' ' | tr '|' '\n' | sort | tr '\n' ' ')
expect_eq "the ACL grants hosts and status of luci.dnsd, nothing else" "hosts status" "$acl_methods"
expect_eq "the views call what the ACL grants" "hosts status " "$view_methods"
expect_eq "the plugin answers what the ACL grants" "hosts status " "$plugin_methods"
expect_eq "the ACL grants no ubus object but luci.dnsd" '["luci.dnsd"]' \
	"$(jq -c '[."luci-app-dnsd" | .. | objects | select(has("ubus")) | .ubus | keys[]] | unique' "$acl")"
expect_eq "the ACL reads and writes only the dnsd UCI config" '["dnsd"] ["dnsd"]' \
	"$(jq -c '."luci-app-dnsd" | .read.uci, .write.uci' "$acl" | tr '\n' ' ' | sed 's/ $//')"
check "the rpcd plugin is executable" test -x "$plugin"
check "the rpcd plugin parses (sh -n)" sh -n "$plugin"
check "make test-luci's stub server is valid JavaScript" node --check "$TOP/tests/luci/server.js"
check "make test-luci's driver parses (bash -n)" bash -n "$TOP/tests/luci/run.sh"

# The form edits only options the shipped /etc/config/dnsd names (set or
# commented out), which appliance_uci renders and checks with dnsd -t.
uci_conf=$TOP/appliance/openwrt/dnsd/files/dnsd.config
opts=$(sed -n "s/.*taboption('[a-z]*', form\.[A-Za-z]*, '\([a-z_]*\)'.*/\1/p" "$views/dnsd/settings.js")
expect_match "the settings form has options" "enabled.*upstream" "$(echo $opts)"
for opt in $opts; do
	check "settings option $opt is in the shipped /etc/config/dnsd" \
		grep -qE "^[[:space:]]*#?(option|list) $opt " "$uci_conf"
done
exit $FAILED
