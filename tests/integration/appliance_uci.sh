#!/usr/bin/env bash
# The OpenWrt package, testable on Debian: UCI config in, expected dnsd.conf
# out (appliance/openwrt/dnsd/files/dnsd-uci, with mawk and busybox awk),
# parsed by `dnsd -t`; a UCI typo is caught by `dnsd -t` with its line; the
# init script parses; the package Makefile installs what files/ holds.
source "$(dirname "$0")/../lib.sh"

pkg=$TOP/appliance/openwrt/dnsd
render=$pkg/files/dnsd-uci
echo "nameserver 127.0.0.1" >"$T/resolv.conf"

# The shipped defaults ("behind" dnsmasq), with the two paths that only
# exist on a router pointed at test files (later options win in UCI).
cp "$pkg/files/dnsd.config" "$T/dnsd"
printf "\toption resolv_conf '%s'\n\toption policy_file '%s'\n" \
	"$T/resolv.conf" "$TOP/policy/kaspersky.conf" >>"$T/dnsd"
"$render" "$T/dnsd" >"$T/shipped.conf"
expect_eq "the shipped UCI defaults render to the expected dnsd.conf" "$(cat <<EOF
# Generated from $T/dnsd by dnsd-uci: edit that file (uci), not this one.
listen = [ "127.0.0.1@5353", "::1@5353" ];
user = "dnsd";
control_socket = "/var/run/dnsd/control.sock";
resolv_conf = "$T/resolv.conf";
cache = { max_entries = 10000; max_bytes = 4194304; };
policy = { file = "$TOP/policy/kaspersky.conf"; };
hosts = { state_file = "/tmp/dnsd/hosts.state"; leases = "/tmp/dhcp.leases"; trusted_forwarders = [ "127.0.0.1", "::1" ]; };
log = { file = "/tmp/dnsd/events.log"; max_size = 1048576; keep = 1; host_dir = "/tmp/dnsd/hosts"; syslog = false; };
EOF
)" "$(cat "$T/shipped.conf")"
# dnsd -t wants the directories it writes in (the init script creates
# them under DATA_DIR, /tmp/dnsd): here under $T.
mkdir -p "$T/data/hosts"
sed "s|\"/tmp/dnsd/|\"$T/data/|g" "$T/shipped.conf" >"$T/shipped-here.conf"
check "dnsd -t accepts the rendered shipped defaults" "$DNSD" -t -c "$T/shipped-here.conf"

# Every kind of line: quoting, lists, comments, other sections, a second
# dnsd section (ignored), mode primary with a port and mixed listen lines.
cat >"$T/full" <<'EOF'
config other 'x'
	option user 'not-me'

# comment
config dnsd 'main'
	option enabled '1'
	option mode 'primary'
	option port '5300'
	list listen '127.0.0.1'
	list listen "::1@5301"
	list upstream '127.0.0.1@5399'
	list upstream 192.0.2.53
	list allow '127.0.0.0/8'
	list allow '192.168.1.0/24'
	option group 'nogroup'
	option cache_min_ttl '30'
	option forward_timeout_ms '500'
	option tcp_max_connections 32
	option policy_now '2024-10-01T00:00:00Z'
	option log_syslog 'true'
	option force_dns '1'
	list force_dns_interface 'lan'

config dnsd 'second'
	option user 'ignored'
EOF
expect_eq "lists, quotes, groups and mode primary render as expected" "$(cat <<EOF
# Generated from $T/full by dnsd-uci: edit that file (uci), not this one.
listen = [ "127.0.0.1@5300", "::1@5301" ];
upstreams = [ "127.0.0.1@5399", "192.0.2.53" ];
allow = [ "127.0.0.0/8", "192.168.1.0/24" ];
group = "nogroup";
cache = { min_ttl = 30; };
forward = { timeout_ms = 500; };
tcp = { max_connections = 32; };
policy = { now = "2024-10-01T00:00:00Z"; };
log = { syslog = true; };
EOF
)" "$("$render" "$T/full")"
"$render" "$T/full" >"$T/full.conf"
check "dnsd -t accepts the full rendering" "$DNSD" -t -c "$T/full.conf"

printf 'config dnsd main\n\toption mode primary\n' >"$T/min"
expect_match "mode primary listens on port 53 of every address" \
	'listen = \[ "0\.0\.0\.0@53", "::@53" \];' "$("$render" "$T/min")"
expect_match "without upstreams the WAN's resolv.conf is used" \
	'resolv_conf = "/tmp/resolv.conf.d/resolv.conf.auto";' "$("$render" "$T/min")"

if command -v busybox >/dev/null; then
	mkdir -p "$T/bb"
	ln -s "$(command -v busybox)" "$T/bb/awk"
	expect_eq "busybox awk (OpenWrt's) renders the same" "$("$render" "$T/full")" \
		"$(PATH=$T/bb:$PATH busybox sh "$render" "$T/full")"
fi

printf 'config dnsd main\n\toption mode sideways\n' >"$T/bad"
out=$("$render" "$T/bad" 2>&1)
expect_eq "an unknown mode is refused" "1" "$?"
expect_match "and named" "mode must be primary or behind, not sideways" "$out"

# A typo in a UCI option reaches dnsd -t, which names the line; the init
# script then keeps the running config.
cp "$T/dnsd" "$T/typo"
printf "\toption cache_max_entriez '5'\n" >>"$T/typo"
"$render" "$T/typo" >"$T/typo.conf"
out=$("$DNSD" -t -c "$T/typo.conf" 2>&1)
expect_eq "dnsd -t rejects a UCI typo" "1" "$?"
expect_match "naming the rendered line" "typo\.conf:[0-9]+:.*max_entriez" "$out"

check "the init script parses (sh -n)" sh -n "$pkg/files/dnsd.init"
if command -v busybox >/dev/null; then
	check "the init script parses (busybox ash -n)" busybox sh -n "$pkg/files/dnsd.init"
fi
expect_match "the init script uses procd with respawn and SIGHUP on reload" \
	"USE_PROCD=1.*respawn.*reload_signal HUP" "$(tr '\n' ' ' <"$pkg/files/dnsd.init")"

# The package Makefile: OpenWrt's library names, and every file in files/
# installed (a file added but not installed, or renamed, fails here).
mk=$(cat "$pkg/Makefile")
expect_match "the package depends on OpenWrt's ldns, libevent (core) and libconfig" \
	"DEPENDS:=\+libldns \+libevent2-core \+libconfig" "$mk"
expect_match "and links libevent's core only, as libevent2-core holds" \
	'PKGS="libldns libevent_core libconfig"' "$mk"
for f in "$pkg"/files/*; do
	expect_match "the package installs files/$(basename "$f")" "\./files/$(basename "$f") " "$mk"
done
check "the shipped policy the package installs exists" test -f "$TOP/policy/kaspersky.conf"
exit $FAILED
