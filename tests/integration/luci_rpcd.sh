#!/usr/bin/env bash
# The LuCI app's rpcd plugin (usr/libexec/rpcd/luci.dnsd) run as rpcd runs
# an exec plugin: `luci.dnsd list`, then `luci.dnsd call METHOD` with the
# arguments on stdin, against a running dnsd that has recorded hosts. Every
# answer must be one JSON object, the hosts trimmed to fit a ubus message;
# a dnsd that is down gives {"error": ...}.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/luci/lib.sh"

# As on a router: busybox ash, jshn.sh from the OpenWrt stand-ins.
rpc() { IPKG_INSTROOT=$TOP/tests/openwrt/standins DNSDCTL=$DNSDCTL DNSD_CONF=$T/dnsd.conf busybox sh "$LUCI_PLUGIN" "$@"; }

luci_dnsd
qfrom 127.0.0.2 upd.kaspersky.com A >/dev/null
qfrom 127.0.0.2 upd.kaspersky.com A >/dev/null
qfrom 127.0.0.3 ds.kaspersky.com A >/dev/null

list=$(rpc list)
expect_eq "list: the methods hosts and status, no arguments" '{"hosts":{},"status":{}}' \
	"$(jq -cS . <<<"$list")"

hosts=$(echo '{}' | rpc call hosts); rc=$?
expect_eq "call hosts: exit 0" 0 "$rc"
expect_eq "call hosts: one JSON object" object "$(jq -r type <<<"$hosts")"
expect_eq "call hosts: both hosts, last seen first" "127.0.0.3 127.0.0.2" \
	"$(jq -r '[.hosts[].ip] | join(" ")' <<<"$hosts")"
expect_eq "call hosts: a host's hostname, MAC, count, names, last action" \
	"anna-laptop aa:bb:cc:00:00:02 2 upd.kaspersky.com nxdomain" \
	"$(jq -r '.hosts[] | select(.ip == "127.0.0.2") | "\(.hostname) \(.mac) \(.total) \(.names | join(",")) \(.last_action)"' <<<"$hosts")"

expect_eq "call hosts: without the recent attempts and per-day counts the page does not show" \
	"false false" "$(jq -r '[any(.hosts[]; has("recent")), any(.hosts[]; has("days"))] | join(" ")' <<<"$hosts")"
expect_eq "call hosts: within the bound, all hosts, nothing truncated" null \
	"$(jq -r .truncated <<<"$hosts")"
small=$(echo '{}' | DNSD_RPC_MAX=1 rpc call hosts)
expect_eq "call hosts over the bound: valid JSON, the most recent host, the rest counted" \
	"127.0.0.3 1" "$(jq -r '"\([.hosts[].ip] | join(",")) \(.truncated)"' <<<"$small")"

status=$(echo '{}' | rpc call status); rc=$?
expect_eq "call status: exit 0" 0 "$rc"
expect_eq "call status: phase in force, clock, policy file" "enforce sane $HOSTS_POLICY" \
	"$(jq -r '.policy | "\(.phase) \(.clock) \(.file)"' <<<"$status")"
expect_eq "call status: the next boundary, no audit" "2099-01-01T00:00:00Z false" \
	"$(jq -r '.policy | "\(.next_boundary) \(.audit)"' <<<"$status")"
expect_eq "call status: the upstream, up" "127.0.0.1@$NSD_PORT up" \
	"$(jq -r '.upstreams[0] | "\(.address) \(.state)"' <<<"$status")"

# The policy clock set back before the clock floor (-n): as the text status
# says, the unsynced rule applies (the latest phase) and there is no next
# boundary.
stop_dnsd
start_dnsd "$T/dnsd.conf" -n 2019-06-01
wait_ctl || not_ok "dnsd -n answers"
expect_match "text status: the unsynced rule, no next boundary" \
	'phase in force: later \(the unsynced rule\).*next boundary: none while the clock is unsynced' \
	"$(ctl status | tr '\n' ' ')"
expect_eq "call status with the clock unsynced: the same" "later null unsynced" \
	"$(echo '{}' | rpc call status | jq -r '.policy | "\(.phase) \(.next_boundary) \(.clock)"')"

stop_dnsd
down=$(echo '{}' | rpc call hosts); rc=$?
expect_eq "dnsd down: still exit 0 (rpcd passes the object on)" 0 "$rc"
expect_match "dnsd down: an error object naming the socket" \
	"^dnsdctl hosts: dnsdctl: $T/ctl.sock: " "$(jq -r .error <<<"$down")"
exit $FAILED
