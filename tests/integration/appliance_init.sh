#!/usr/bin/env bash
# The OpenWrt init script's start/stop logic, run on Debian against
# stand-ins for procd, UCI's shell API, fw4 and netifd (recorded, not
# executed), with its path settings pointed into a scratch directory:
# it renders and checks the config, asks procd for respawn and for SIGHUP
# when the config, the WAN resolvers or the policy change, keeps the old
# config when a UCI change does not pass `dnsd -t`, and manages the dnsmasq
# snippet and the force-DNS rules.
source "$(dirname "$0")/../lib.sh"

pkg=$TOP/appliance/openwrt/dnsd/files
log=$T/calls
echo "nameserver 127.0.0.1" >"$T/resolv.conf"

# The init script with its paths moved under $T (only the settings at its
# top and the netifd library it sources change).
sed -e "s|^PROG=.*|PROG=$DNSD|" -e "s|^RENDER=.*|RENDER=$pkg/dnsd-uci|" \
	-e "s|^FORCE=.*|FORCE=$pkg/dnsd-force-dns|" -e "s|^UCI_FILE=.*|UCI_FILE=$T/uci|" \
	-e "s|^CONF=.*|CONF=$T/var/etc/dnsd.conf|" -e "s|^RESOLV=.*|RESOLV=$T/resolv.conf|" \
	-e "s|^RUN_DIR=.*|RUN_DIR=$T/run|" -e "s|^DATA_DIR=.*|DATA_DIR=$T/data|" \
	-e 's|^\([[:space:]]*\)\. /lib/functions/network.sh$|\1:|' \
	"$pkg/dnsd.init" >"$T/dnsd.init"
export NFT_DIR=$T/nftables.d

# Stand-ins: UCI reads from $T/uci (lists joined by spaces, as config_get does).
# shellcheck disable=SC2317,SC2034 # called by the sourced init script
extra_command() { :; }
config_load() { :; }
config_get() {
	local v
	v=$(awk -v sec="$2" -v key="$3" '
		$1 == "config" { gsub(/'\''/, "", $3); in_sec = ($3 == sec); next }
		in_sec && ($1 == "option" || $1 == "list") && $2 == key {
			v = $3; gsub(/'\''/, "", v); out = out (out == "" ? "" : " ") v
		}
		END { print out }' "$T/uci")
	eval "$1=\${v:-\${4:-}}"
}
config_get_bool() {
	config_get "$@"
	case "${!1}" in 1 | on | true | yes | enabled) eval "$1=1" ;; *) eval "$1=0" ;; esac
}
procd_open_instance() { echo "open" >>"$log"; }
procd_set_param() { echo "set $*" >>"$log"; }
procd_append_param() { echo "append $*" >>"$log"; }
procd_close_instance() { echo "close" >>"$log"; }
logger() { echo "logger $*" >>"$log"; }
fw4() { echo "fw4 $*" >>"$log"; }
uci() { [ "$*" = "-q get dhcp.@dnsmasq[0].confdir" ] && echo "$T/dnsmasq.d"; }
network_get_device() { eval "$1=br-$2"; }
# The init script's own "check" command would replace tests/lib.sh's check.
eval "$(declare -f check | sed '1s/^check/lib_check/')"
# shellcheck disable=SC1091
. "$T/dnsd.init"
eval "$(declare -f lib_check | sed '1s/^lib_check/check/')"

uci_base() {
	sed "s|^\toption policy_file .*|\toption policy_file '$TOP/policy/kaspersky.conf'|" \
		"$pkg/dnsd.config" >"$T/uci"
	printf "\toption resolv_conf '%s'\n" "$T/resolv.conf" >>"$T/uci"
	# Its files in DATA_DIR, which the init script creates (dnsd -t checks).
	sed -i "s|'/tmp/dnsd/|'$T/data/|" "$T/uci"
}

# ---- start with force DNS on ----
uci_base
sed -i "s/option force_dns '0'/option force_dns '1'/" "$T/uci"
: >"$log"
start_service 2>/dev/null
expect_eq "start renders the UCI config into dnsd.conf" "$("$pkg/dnsd-uci" "$T/uci")" \
	"$(cat "$T/var/etc/dnsd.conf" 2>&1)"
calls=$(cat "$log")
expect_match "procd runs dnsd in the foreground with the rendered config" \
	"set command $DNSD -d -c $T/var/etc/dnsd.conf" "$calls"
expect_match "procd respawns it" "set respawn 3600 5 5" "$calls"
expect_match "a change in the config or the WAN resolvers means a reload" \
	"set file $T/var/etc/dnsd.conf $T/resolv.conf" "$calls"
expect_match "so does a change in the policy" "append file $TOP/policy/kaspersky.conf" "$calls"
expect_match "and a reload is SIGHUP, not a restart" "set reload_signal HUP" "$calls"
expect_eq "behind mode gives dnsmasq the add-subnet line" "add-subnet=32,128" \
	"$(cat "$T/dnsmasq.d/dnsd-add-subnet.conf" 2>&1)"
expect_match "force_dns writes the fw4 redirect for the lan device" \
	'iifname \{ "br-lan" \}.*redirect to :53' "$(cat "$NFT_DIR"/chain-pre/dstnat/*.nft 2>&1)"
expect_match "and reloads fw4" "fw4 -q reload" "$calls"

# ---- a reload with a UCI typo keeps the running config ----
cp "$T/var/etc/dnsd.conf" "$T/good.conf"
printf "\toption cache_max_entriez '5'\n" >>"$T/uci"
: >"$log"
start_service 2>/dev/null
expect_eq "a change dnsd -t rejects leaves the old config in place" "$(cat "$T/good.conf")" \
	"$(cat "$T/var/etc/dnsd.conf")"
expect_match "and logs dnsd -t's complaint with the line" \
	"logger -t dnsd .*dnsd.conf.new:[0-9]+: .*max_entriez.*keeping the running" "$(tr '\n' ' ' <"$log")"
expect_match "the instance stays (procd sends no SIGHUP: the file did not change)" \
	"open.*close" "$(tr '\n' ' ' <"$log")"
check "force DNS stays on: nothing rewritten, no fw4 reload" bash -c "! grep -q fw4 '$log'"

# ---- primary mode, force DNS off, then stop ----
uci_base
sed -i "s/option mode 'behind'/option mode 'primary'/" "$T/uci"
: >"$log"
start_service 2>/dev/null
check "primary mode removes the add-subnet line" test ! -e "$T/dnsmasq.d/dnsd-add-subnet.conf"
expect_eq "force_dns 0 removes the fw4 rules" "" "$(find "$NFT_DIR" -type f)"
expect_match "and reloads fw4" "fw4 -q reload" "$(cat "$log")"
: >"$log"
stop_service
check "stop with the rules already gone does not reload fw4" bash -c "! grep -q fw4 '$log'"

# ---- disabled ----
sed -i "s/option enabled '1'/option enabled '0'/" "$T/uci"
: >"$log"
start_service 2>/dev/null
check "enabled 0 starts no instance" bash -c "! grep -q open '$log'"
exit $FAILED
