#!/usr/bin/env bash
# The OpenWrt init script's logic, run on Debian against stand-ins for
# functions.sh's config API (tests/tools/openwrt-functions.sh), procd's
# shell API, ubus/jsonfilter, fw4 and netifd (recorded, not executed), with
# its paths pointed into a scratch directory: it starts with no WAN DNS
# servers yet (the boot case) and registers dnsd with procd (respawn, SIGHUP
# on config or policy changes, unprivileged, jailed), reloads on any
# interface coming up whatever its name, keeps the old config when a UCI
# change does not pass `dnsd -t`, puts the add-subnet snippet into the
# conf-dir the running dnsmasq instance reads, keeps the host table across
# a reboot without rewriting flash when nothing changed, and saves and
# restores the user's dnsmasq settings around `coexist`.
source "$(dirname "$0")/../lib.sh"

pkg=$TOP/appliance/openwrt/dnsd/files
log=$T/calls
export UCI_CONFIG_DIR=$T/config DNSD_FUNCTIONS=$TOP/tests/tools/openwrt-functions.sh
printf 'network_get_device() { eval "$1=br-$2"; }\n' >"$T/network.sh"
export DNSD_NETWORK_SH=$T/network.sh
mkdir -p "$UCI_CONFIG_DIR" "$T/var/etc"
# shellcheck disable=SC1091
. "$DNSD_FUNCTIONS"

# The init script with its paths moved under $T (only the settings at its
# top and the absolute paths of dnsmasq's files change).
sed -e "s|^PROG=.*|PROG=$DNSD|" -e "s|^RENDER=.*|RENDER=$pkg/dnsd-uci|" \
	-e "s|^FORCE=.*|FORCE=$pkg/dnsd-force-dns|" -e "s|^CONF=.*|CONF=$T/var/etc/dnsd.conf|" \
	-e "s|^RUN_DIR=.*|RUN_DIR=$T/run|" -e "s|^DATA_DIR=.*|DATA_DIR=$T/data|" \
	-e "s|^SAVED=.*|SAVED=$T/etc/dnsd/dnsmasq.saved|" \
	-e "s|/var/etc/dnsmasq.conf|$T/var/etc/dnsmasq.conf|; s|/tmp/dnsmasq\.\$cfg\.d|$T/tmp/dnsmasq.\$cfg.d|" \
	-e 's|^\([[:space:]]*\)\. /lib/functions/network.sh$|\1:|' \
	"$pkg/dnsd.init" >"$T/dnsd.init"
export NFT_DIR=$T/nftables.d

# Stand-ins, recording what the script asks of procd and the system.
# shellcheck disable=SC2317,SC2034 # called by the sourced init script
extra_command() { :; }
procd_open_instance() { echo "open ${1:-}" >>"$log"; }
procd_set_param() { echo "set $*" >>"$log"; }
procd_append_param() { echo "append $*" >>"$log"; }
procd_add_jail() { echo "jail $*" >>"$log"; }
procd_add_jail_mount() { echo "jail_mount $*" >>"$log"; }
procd_add_jail_mount_rw() { echo "jail_mount_rw $*" >>"$log"; }
procd_close_instance() { echo "close" >>"$log"; }
procd_add_reload_trigger() { echo "reload_trigger $*" >>"$log"; }
procd_add_raw_trigger() { echo "raw_trigger $*" >>"$log"; }
logger() { echo "logger $*" >>"$log"; }
fw4() { echo "fw4 $*" >>"$log"; }
chown() { :; }
uci() { echo "uci $*" >>"$log"; [ "$1 $2" = "-q batch" ] && cat >>"$T/batch"; return 0; }
network_get_device() { eval "$1=br-$2"; }
network_get_ipaddr() { eval "$1=192.168.1.1"; }
# ubus's `service list` of dnsmasq, as procd answers it ($UBUS_DNSMASQ) and
# jsonfilter as jq.
ubus() { [ "$*" = 'call service list {"name":"dnsmasq"}' ] && [ -n "${UBUS_DNSMASQ:-}" ] && echo "$UBUS_DNSMASQ"; }
jsonfilter() { local e="${2#@}"; jq -r "${e//\[\*\]/[]} // empty"; }
# The init script's own "check" command would replace tests/lib.sh's check.
eval "$(declare -f check | sed '1s/^check/lib_check/')"
# shellcheck disable=SC1091
. "$T/dnsd.init"
eval "$(declare -f lib_check | sed '1s/^lib_check/check/')"

dhcp_config() {
	cat >"$UCI_CONFIG_DIR/dhcp" <<EOF
config dnsmasq
	option domainneeded '1'
	option noresolv '0'
	list server '/corp.example/10.0.0.1'
	list server '9.9.9.9'
	option confdir '$T/uci-confdir'

config dhcp 'lan'
	option interface 'lan'
	list dhcp_option '42,192.168.1.1'
EOF
}
dhcp_config
# dnsmasq's section is anonymous, as on a stock router: the name uci gives it.
CFG=$(uci_export "$UCI_CONFIG_DIR/dhcp" | sed -n "s/^config dnsmasq '\(.*\)'/\1/p")
uci_base() {
	sed -e "s|^\toption policy_file .*|\toption policy_file '$TOP/policy/kaspersky.conf'|" \
		-e "s|'/tmp/dnsd/|'$T/data/|; s|'/etc/dnsd/history'|'$T/flash/history'|" \
		"$pkg/dnsd.config" >"$UCI_CONFIG_DIR/dnsd"
	printf "\toption resolv_conf '%s'\n" "$T/wan/resolv.conf.auto" >>"$UCI_CONFIG_DIR/dnsd"
	dhcp_config
}

# ---- cold boot: the WAN has no DNS servers yet ----
uci_base
sed -i "s/option force_dns '0'/option force_dns 'yes'/" "$UCI_CONFIG_DIR/dnsd"
# The running dnsmasq instance reads a conf-dir of its own (not the UCI one).
printf 'conf-dir=%s,*.conf\n' "$T/tmp/dnsmasq.$CFG.d" >"$T/var/etc/dnsmasq.conf.$CFG"
UBUS_DNSMASQ='{"dnsmasq":{"instances":{"'$CFG'":{"running":true,"pid":42,"command":["/usr/sbin/dnsmasq","-C","'$T/var/etc/dnsmasq.conf.$CFG'","-k","-x","/var/run/dnsmasq/dnsmasq.'$CFG'.pid"]}}}}'
: >"$log"
start_service 2>/dev/null
expect_eq "with no resolv.conf yet, start renders the UCI config into dnsd.conf" \
	"$("$pkg/dnsd-uci")" "$(cat "$T/var/etc/dnsd.conf" 2>&1)"
calls=$(cat "$log")
expect_match "and registers dnsd with procd in the foreground" \
	"open dnsd.set command $DNSD -d -c $T/var/etc/dnsd.conf" "$(tr '\n' '.' <"$log")"
expect_match "procd respawns it" "set respawn 3600 5 5" "$calls"
expect_match "a change in the config means a reload" "set file $T/var/etc/dnsd.conf" "$calls"
expect_match "so does a change in the policy" "append file $TOP/policy/kaspersky.conf" "$calls"
expect_match "and a reload is SIGHUP, not a restart" "set reload_signal HUP" "$calls"
check "resolv.conf is dnsd's own business, not procd's" bash -c "! grep -q 'file.*resolv' '$log'"
expect_match "procd runs it as the dnsd user (behind: port 5353)" "set user dnsd.set group dnsd" "$(tr '\n' '.' <"$log")"
expect_match "with no new privileges" "set no_new_privs 1" "$calls"
expect_match "in a jail with log access and /proc (neighbours, routes), where ujail exists" "jail dnsd log procfs" "$calls"
expect_match "the jail may write only dnsd's run and data directories" "jail_mount_rw $T/run $T/data" "$calls"
expect_match "the history saver runs beside it" "open history.set command /bin/sh -c while sleep 21600" "$(tr '\n' '.' <"$log")"
expect_eq "behind mode: the add-subnet line goes to the conf-dir the running dnsmasq reads" \
	"add-subnet=32,128" "$(cat "$T/tmp/dnsmasq.$CFG.d/dnsd-add-subnet.conf" 2>&1)"
check "not to the UCI confdir that instance does not read" test ! -e "$T/uci-confdir/dnsd-add-subnet.conf"
expect_match "force_dns 'yes' writes the fw4 redirect for the lan device" \
	'iifname \{ "br-lan" \}.*redirect to :53' "$(cat "$NFT_DIR"/chain-pre/dstnat/*.nft 2>&1)"
expect_match "and reloads fw4" "fw4 -q reload" "$calls"
"$DNSD" -t -c "$T/var/etc/dnsd.conf" >/dev/null 2>&1
expect_eq "the rendered config passes dnsd -t without resolv.conf" 0 "$?"

# Triggers: the UCI config, and any interface coming up, whatever its name.
: >"$log"
service_triggers
expect_eq "triggers: uci commit dnsd, and interface.*.up (wwan, lte, pppoe as well as wan)" \
	"reload_trigger dnsd|raw_trigger interface.*.up 2000 /etc/init.d/dnsd reload" \
	"$(paste -sd '|' "$log")"

# ---- dnsmasq not running yet (boot: dnsd starts first) ----
rm -rf "$T/tmp"
UBUS_DNSMASQ=""
: >"$log"
start_service 2>/dev/null
expect_eq "at boot, the snippet goes where dnsmasq's init script will point (the -C file's conf-dir)" \
	"add-subnet=32,128" "$(cat "$T/tmp/dnsmasq.$CFG.d/dnsd-add-subnet.conf" 2>&1)"
rm -f "$T/var/etc/dnsmasq.conf.$CFG"
sed -i "/option confdir/d" "$UCI_CONFIG_DIR/dhcp"
rm -rf "$T/tmp"
start_service 2>/dev/null
expect_eq "before dnsmasq ever ran: /tmp/dnsmasq.SECTION.d, as its init script chooses" \
	"add-subnet=32,128" "$(cat "$T/tmp/dnsmasq.$CFG.d/dnsd-add-subnet.conf" 2>&1)"

# ---- a reload with a UCI typo keeps the running config ----
cp "$T/var/etc/dnsd.conf" "$T/good.conf"
printf "\toption cache_max_entriez '5'\n" >>"$UCI_CONFIG_DIR/dnsd"
: >"$log"
start_service 2>/dev/null
expect_eq "a change dnsd -t rejects leaves the old config in place" "$(cat "$T/good.conf")" \
	"$(cat "$T/var/etc/dnsd.conf")"
expect_match "and logs dnsd -t's complaint with the line" \
	"logger -t dnsd .*dnsd.conf.new:[0-9]+: .*max_entriez.*keeping the running" "$(tr '\n' ' ' <"$log")"
expect_match "the instance stays (procd sends no SIGHUP: the file did not change)" \
	"open dnsd.*close" "$(tr '\n' ' ' <"$log")"
check "force DNS stays on: nothing rewritten, no fw4 reload" bash -c "! grep -q fw4 '$log'"

# ---- primary mode, force DNS off, then stop ----
uci_base
sed -i "s/option mode 'behind'/option mode 'primary'/" "$UCI_CONFIG_DIR/dnsd"
printf 'conf-dir=%s\n' "$T/tmp/dnsmasq.$CFG.d" >"$T/var/etc/dnsmasq.conf.$CFG"
mkdir -p "$T/tmp/dnsmasq.$CFG.d" && echo "add-subnet=32,128" >"$T/tmp/dnsmasq.$CFG.d/dnsd-add-subnet.conf"
: >"$log"
start_service 2>/dev/null
check "primary mode removes the add-subnet line" test ! -e "$T/tmp/dnsmasq.$CFG.d/dnsd-add-subnet.conf"
check "on port 53 dnsd starts as root and drops privileges itself (no ujail)" \
	bash -c "! grep -q 'set user' '$log'"
expect_match "primary renders port 53 of every address" '"0\.0\.0\.0@53", "::@53"' "$(cat "$T/var/etc/dnsd.conf")"
expect_eq "force_dns 0 removes the fw4 rules" "" "$(find "$NFT_DIR" -type f)"
expect_match "and reloads fw4" "fw4 -q reload" "$(cat "$log")"
: >"$log"
stop_service
check "stop with the rules already gone does not reload fw4" bash -c "! grep -q fw4 '$log'"

# ---- disabled, in UCI's other spellings ----
for off in 0 no off false disabled; do
	uci_base
	sed -i "s/option enabled '1'/option enabled '$off'/" "$UCI_CONFIG_DIR/dnsd"
	: >"$log"
	start_service 2>/dev/null
	check "enabled '$off' starts no instance" bash -c "! grep -q open '$log'"
done

# ---- history: the host table survives a reboot, flash written only on change ----
uci_base
mkdir -p "$T/data"
echo "version = 1; hosts = ( );" >"$T/data/hosts.state"
printf '{"n":%d}\n' $(seq 1000) >"$T/data/events.log"
save_history
check "save_history copies the host table to flash" cmp "$T/data/hosts.state" "$T/flash/history/hosts.state"
expect_eq "and the event log's last history_log_lines (200) lines" 200 "$(wc -l <"$T/flash/history/events.tail")"
touch -d '2020-01-01' "$T/flash/history/hosts.state" "$T/flash/history/events.tail"
save_history
expect_eq "unchanged: flash is not written again" "2020-01-01 2020-01-01" \
	"$(date -r "$T/flash/history/hosts.state" +%F) $(date -r "$T/flash/history/events.tail" +%F)"
rm -rf "$T/data" # a reboot empties RAM
: >"$log"
start_service 2>/dev/null
check "after a reboot, start puts the table back before dnsd starts" \
	cmp "$T/flash/history/hosts.state" "$T/data/hosts.state"
expect_eq "and the event log's tail" 200 "$(wc -l <"$T/data/events.log" 2>&1)"
# stop: procd kills dnsd after stop_service; service_stopped waits for it.
sleep 30 &
dnsd_stop_pid=$!
( sleep 0.5; echo "version = 1; hosts = ( ); saved = 1;" >"$T/data/hosts.state"; kill "$dnsd_stop_pid" ) &
service_stopped
expect_eq "on stop, the table dnsd wrote as it exited goes to flash" \
	"version = 1; hosts = ( ); saved = 1;" "$(cat "$T/flash/history/hosts.state")"

# ---- coexist: the user's dnsmasq settings are saved once and restored exactly ----
uci_base
/etc/init.d/dnsd() { echo "dnsd-init $*" >>"$log"; }
: >"$T/batch"
coexist behind >/dev/null 2>&1
expect_eq "coexist saves the user's settings first" "$(cat <<EOF
set dhcp.$CFG.noresolv='0'
add_list dhcp.$CFG.server='/corp.example/10.0.0.1'
add_list dhcp.$CFG.server='9.9.9.9'
add_list dhcp.lan.dhcp_option='42,192.168.1.1'
EOF
)" "$(cat "$T/etc/dnsd/dnsmasq.saved" 2>&1)"
b=$(cat "$T/batch")
expect_match "behind: every server goes, then the user's conditional forward comes back" \
	"delete dhcp.$CFG.server.*delete dhcp.$CFG.server.add_list dhcp.$CFG.server='/corp.example/10.0.0.1'.add_list dhcp.$CFG.server='127.0.0.1#5353'" \
	"$(tr '\n' '.' <<<"$b")"
check "behind: the plain upstream is not kept (it would bypass dnsd)" \
	bash -c "! grep -q \"add_list dhcp.$CFG.server='9.9.9.9'\" <<<\"\$(sed -n '/^delete dhcp.$CFG.server/,\$p' '$T/batch' | sed '1,/^delete dhcp.$CFG.server/d')\""
expect_match "behind: noresolv, add-mac, no cache" "noresolv='1'.*addmac='1'.*cachesize='0'" "$(tr '\n' '.' <<<"$b")"
# The user changes nothing; dnsd goes primary, then off.
sed -i "s/option noresolv '0'/option noresolv '1'/" "$UCI_CONFIG_DIR/dhcp"
: >"$T/batch"
coexist primary >/dev/null 2>&1
expect_eq "a second coexist keeps the first save (the user's, not dnsd's)" \
	"set dhcp.$CFG.noresolv='0'" "$(head -n 1 "$T/etc/dnsd/dnsmasq.saved")"
expect_match "primary: the user's settings back, then dnsmasq's DNS off" \
	"delete dhcp.$CFG.server.*add_list dhcp.$CFG.server='/corp.example/10.0.0.1'.add_list dhcp.$CFG.server='9.9.9.9'.*set dhcp.$CFG.port='0'" \
	"$(tr '\n' '.' <"$T/batch")"
: >"$T/batch"
coexist off >/dev/null 2>&1
expect_eq "off: exactly the saved settings, after deleting dnsd's" "$(cat <<EOF
delete dhcp.$CFG.port
delete dhcp.$CFG.noresolv
delete dhcp.$CFG.addmac
delete dhcp.$CFG.cachesize
delete dhcp.$CFG.server
delete dhcp.lan.dhcp_option
set dhcp.$CFG.noresolv='0'
add_list dhcp.$CFG.server='/corp.example/10.0.0.1'
add_list dhcp.$CFG.server='9.9.9.9'
add_list dhcp.lan.dhcp_option='42,192.168.1.1'
EOF
)" "$(grep . "$T/batch")"
check "off forgets the save (the next coexist saves anew)" test ! -e "$T/etc/dnsd/dnsmasq.saved"
printf "config dnsmasq\n\tlist server '/it'\\\\''s.example/10.0.0.2'\n" >"$UCI_CONFIG_DIR/dhcp"
coexist behind >/dev/null 2>&1
expect_eq "a value holding a quote is saved as uci batch reads it" \
	"add_list dhcp.$CFG.server='/it'\\''s.example/10.0.0.2'" \
	"$(grep server "$T/etc/dnsd/dnsmasq.saved")"
exit $FAILED
