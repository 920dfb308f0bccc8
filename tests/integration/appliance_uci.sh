#!/usr/bin/env bash
# The OpenWrt package, testable on Debian: UCI config in, expected dnsd.conf
# out (appliance/openwrt/dnsd/files/dnsd-uci reading UCI through the
# functions.sh config API, stood in by tests/tools/openwrt-functions.sh),
# with dash and busybox ash; every UCI boolean spelling; values holding
# ', " and \ quoted for libconfig; a UCI typo caught by `dnsd -t` with its
# line; the init script parses on old and new rc.common; the package
# Makefile follows the feed's conventions and installs what files/ holds.
source "$(dirname "$0")/../lib.sh"

pkg=$TOP/appliance/openwrt/dnsd
export DNSD_FUNCTIONS=$TOP/tests/tools/openwrt-functions.sh UCI_CONFIG_DIR=$T/config
# netifd's network_get_device, as on a router where lan is br-lan.
printf 'network_get_device() { [ "$2" = lan ] && eval "$1=br-lan"; }\n' >"$T/network.sh"
export DNSD_NETWORK_SH=$T/network.sh
mkdir -p "$UCI_CONFIG_DIR"
render() { sh "$pkg/files/dnsd-uci" "$@"; }
echo "nameserver 127.0.0.1" >"$T/resolv.conf"

# The shipped defaults ("behind" dnsmasq), with the two paths that only
# exist on a router pointed at test files (later options win in UCI).
cp "$pkg/files/dnsd.config" "$UCI_CONFIG_DIR/dnsd"
printf "\toption resolv_conf '%s'\n\toption policy_file '%s'\n" \
	"$T/resolv.conf" "$TOP/policy/kaspersky.conf" >>"$UCI_CONFIG_DIR/dnsd"
render >"$T/shipped.conf"
expect_eq "the shipped UCI defaults render to the expected dnsd.conf" "$(cat <<EOF
# Generated from UCI 'dnsd' by dnsd-uci: edit that (uci), not this file.
listen = [ "127.0.0.1@5353", "::1@5353" ];
local_service = true;
lan_interfaces = [ "br-lan" ];
user = "dnsd";
control_socket = "/var/run/dnsd/control.sock";
resolv_conf = "$T/resolv.conf";
cache = { max_entries = 10000; max_bytes = 4194304; };
policy = { file = "$TOP/policy/kaspersky.conf"; };
hosts = { state_file = "/tmp/dnsd/hosts.state"; save_interval = 60; leases = "/tmp/dhcp.leases"; trusted_forwarders = [ "127.0.0.1", "::1" ]; };
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
cat >"$UCI_CONFIG_DIR/full" <<'EOF'
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
	option history_dir '/etc/dnsd/history'

config dnsd 'second'
	option user 'ignored'
EOF
expect_eq "lists, quotes, groups and mode primary render as expected" "$(cat <<EOF
# Generated from UCI 'full' by dnsd-uci: edit that (uci), not this file.
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
)" "$(render full)"
render full >"$T/full.conf"
check "dnsd -t accepts the full rendering" "$DNSD" -t -c "$T/full.conf"

printf 'config dnsd main\n\toption mode primary\n' >"$UCI_CONFIG_DIR/min"
expect_match "mode primary listens on port 53 of every address" \
	'listen = \[ "0\.0\.0\.0@53", "::@53" \];' "$(render min)"
expect_match "without upstreams the WAN's resolv.conf is used" \
	'resolv_conf = "/tmp/resolv.conf.d/resolv.conf.auto";' "$(render min)"
printf "config dnsd\n\toption mode 'primary'\n" >"$UCI_CONFIG_DIR/anon"
expect_match "an anonymous dnsd section is read too" '"0\.0\.0\.0@53"' "$(render anon 2>&1)"

# Every UCI boolean spelling (LuCI writes '1'), for the daemon's booleans.
for spelling in 1:true yes:true on:true true:true enabled:true \
	0:false no:false off:false false:false disabled:false; do
	v=${spelling%:*} want=${spelling#*:}
	printf "config dnsd main\n\tlist upstream '192.0.2.1'\n\toption log_syslog '%s'\n\toption local_service '%s'\n" \
		"$v" "$v" >"$UCI_CONFIG_DIR/bool"
	out=$(render bool 2>&1)
	expect_match "UCI boolean '$v' renders syslog = $want" "syslog = $want;" "$out"
	expect_match "UCI boolean '$v' renders local_service = $want" "local_service = $want;" "$out"
	render bool >"$T/bool.conf" 2>/dev/null
	check "dnsd -t accepts the boolean '$v'" "$DNSD" -t -c "$T/bool.conf"
done
printf "config dnsd main\n\toption log_syslog 'maybe'\n" >"$UCI_CONFIG_DIR/nobool"
out=$(render nobool 2>&1)
expect_eq "a word that is no boolean is refused" 1 "$?"
expect_match "and named" "log_syslog: 'maybe' is not a boolean" "$out"

# Values holding ', " and \ (as uci writes them: single quotes, '\'' for a
# quote) reach dnsd.conf escaped for libconfig.
cat >"$UCI_CONFIG_DIR/quotes" <<'EOF'
config dnsd 'main'
	list upstream '192.0.2.1'
	option control_socket '/tmp/it'\''s "the" \sock'
	option hosts_leases "/tmp/a \"b\" c\\d"
	list hosts_trusted_forwarders '127.0.0.1'
EOF
out=$(render quotes)
expect_match "a value with ' \" and \\ is quoted for libconfig" \
	'control_socket = "/tmp/it'"'"'s \\"the\\" \\\\sock";' "$out"
expect_match "a double-quoted UCI value too" 'leases = "/tmp/a \\"b\\" c\\\\d";' "$out"
render quotes >"$T/quotes.conf"
check "dnsd -t accepts it" "$DNSD" -t -c "$T/quotes.conf"

if command -v busybox >/dev/null; then
	# OpenWrt's userland: busybox ash, sed and tr.
	mkdir -p "$T/bb"
	for a in sed tr awk cat; do ln -sf "$(command -v busybox)" "$T/bb/$a"; done
	for f in full quotes dnsd; do
		expect_eq "busybox ash renders '$f' the same" "$(render "$f" 2>&1)" \
			"$(PATH=$T/bb:$PATH busybox sh "$pkg/files/dnsd-uci" "$f" 2>&1)"
	done
fi

printf 'config dnsd main\n\toption mode sideways\n' >"$UCI_CONFIG_DIR/bad"
out=$(render bad 2>&1)
expect_eq "an unknown mode is refused" "1" "$?"
expect_match "and named" "mode must be primary or behind, not sideways" "$out"

# A typo in a UCI option reaches dnsd -t, which names the line; the init
# script then keeps the running config.
cp "$UCI_CONFIG_DIR/dnsd" "$UCI_CONFIG_DIR/typo"
printf "\toption cache_max_entriez '5'\n" >>"$UCI_CONFIG_DIR/typo"
render typo >"$T/typo.conf"
out=$("$DNSD" -t -c "$T/typo.conf" 2>&1)
expect_eq "dnsd -t rejects a UCI typo" "1" "$?"
expect_match "naming the rendered line" "typo\.conf:[0-9]+:.*max_entriez" "$out"

init=$pkg/files/dnsd.init
check "the init script parses (sh -n)" sh -n "$init"
if command -v busybox >/dev/null; then
	check "the init script parses (busybox ash -n)" busybox sh -n "$init"
fi
expect_match "the init script uses procd with respawn and SIGHUP on reload" \
	"USE_PROCD=1.*respawn.*reload_signal HUP" "$(tr '\n' ' ' <"$init")"
# rc.common before 21.02 has no extra_command: the script must not call it.
out=$(sh -c '. "$1"; echo "$EXTRA_COMMANDS"' sh "$init" 2>&1)
expect_eq "without extra_command (old rc.common): EXTRA_COMMANDS" "check coexist save_history" "$out"
out=$(sh -c 'extra_command() { echo "$1"; }; . "$1"; echo "${EXTRA_COMMANDS:-none}"' sh "$init" 2>&1 | tr '\n' ' ')
expect_eq "with extra_command (new rc.common): extra_command" "check coexist save_history none " "$out"
expect_match "boot and WAN triggers: any interface coming up, not wan/wan6 by name" \
	'procd_add_raw_trigger "interface\.\*\.up"' "$(cat "$init")"
check "no trigger names wan or wan6" bash -c "! grep -Eq 'interface_trigger|[\"\x27 ]wan6?[\"\x27 ]' '$init'"

# The package Makefile: OpenWrt's library names, the feed's conventions,
# and every file in files/ installed (a file added but not installed, or
# renamed, fails here).
mk=$(cat "$pkg/Makefile")
expect_match "the package depends on OpenWrt's ldns, libevent (core) and libconfig" \
	"DEPENDS:=\+libldns \+libevent2-core \+libconfig" "$mk"
expect_match "and links libevent's core only, as libevent2-core holds" \
	'PKGS="libldns libevent_core libconfig"' "$mk"
expect_match "PKG_MAINTAINER is empty or Name <email>" \
	'PKG_MAINTAINER:=(\s|$|[^<]+ <[^>]+@[^>]+>)' "$mk"
expect_match "PKG_VERSION comes from the Makefile's VERSION" 'PKG_VERSION:=\$\(shell sed .*VERSION' "$mk"
expect_eq "which it finds" "$(sed -n 's/^VERSION *?= *//p' "$TOP/Makefile")" \
	"$(sed -n 's/^VERSION *?= *//p' "$TOP/Makefile" | grep -E '^[0-9]+\.[0-9]+\.[0-9]+$')"
expect_match "the package has a URL line" '  URL:=' "$mk"
expect_match "the shipped policy is data under /usr/share/dnsd" \
	'policy/kaspersky.conf \$\(1\)/usr/share/dnsd/kaspersky.conf' "$mk"
expect_eq "the only conffile is the UCI file" "/etc/config/dnsd" \
	"$(sed -n '/^define Package\/dnsd\/conffiles/,/^endef/p' "$pkg/Makefile" | sed '1d;$d')"
expect_eq "the shipped UCI config points at that policy" "/usr/share/dnsd/kaspersky.conf" \
	"$(sed -n "s/^\toption policy_file '\(.*\)'/\1/p" "$pkg/files/dnsd.config")"
expect_match "removal puts dnsmasq back first (prerm: coexist off)" \
	'Package/dnsd/prerm.*coexist off.*stop' "$(tr '\n' ' ' <"$pkg/Makefile")"
for f in "$pkg"/files/*; do
	expect_match "the package installs files/$(basename "$f")" "\./files/$(basename "$f") " "$mk"
done
check "the shipped policy the package installs exists" test -f "$TOP/policy/kaspersky.conf"
exit $FAILED
