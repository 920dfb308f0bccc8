#!/usr/bin/env bash
# The OpenWrt tier: a router in namespaces, running the dnsd package as
# OpenWrt runs it. Usage: tests/openwrt/run.sh [OPENWRT_ROOT]
# Without OPENWRT_ROOT the OpenWrt userland is the stand-ins in
# tests/openwrt/standins; with it, the real procd, ubusd, ubus, uci,
# jsonfilter, jshn and shell libraries of that root (docs/openwrt.md).
# The router (router-init.sh as PID 1 of `unshare --mount --pid --net
# --fork --mount-proc`) has a LAN veth to a "host" namespace and a WAN
# veth to a "wan" namespace where a real nsd is the ISP's resolver. The
# package's files are installed as its Makefile installs them, with
# Debian's dnsmasq laid out as OpenWrt's dnsmasq init lays it out.
# Prints "ok"/"not ok" per check, or one "skip" line without namespaces.
# OWRT_HOLD=SECONDS keeps the router up that long at the first failure.
source "$(dirname "$0")/../lib.sh"

OWRT=${1:-${OPENWRT_ROOT:-}}
HERE=$TOP/tests/openwrt
PKGDIR=$TOP/appliance/openwrt/dnsd
FLASH=$T/flash SHARE=$T/share
LAN4=192.168.71 LAN6=2001:db8:71 WAN4=198.51.100 WAN6=2001:db8:ff
HOST_MAC=02:00:00:00:71:10
ZONE=kaspersky.com

if ! unshare --mount --pid --net --fork --mount-proc true 2>/dev/null; then
	echo "skip - network, mount and PID namespaces are not available here"
	exit 0
fi
for c in busybox dnsmasq nsd dig jq; do
	command -v "$c" >/dev/null || { not_ok "$c is installed (tests/deps.sh test)"; exit 1; }
done
if [ -n "$OWRT" ]; then
	for f in sbin/procd sbin/ubusd bin/ubus bin/uci bin/jsonfilter etc/rc.common lib/functions.sh \
		lib/functions/procd.sh lib/functions/network.sh usr/share/libubox/jshn.sh; do
		[ -e "$OWRT/$f" ] || { not_ok "OPENWRT_ROOT holds $f"; exit 1; }
	done
fi

# procd preloads its libsetlbf.so into instances whose output it logs; an
# ASan build of dnsd must then accept not coming first (the router's
# processes inherit this from router-init.sh).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# ---- namespaces: host (LAN client) and wan (ISP resolver) live throughout ----
# The test holds a lock on $SHARE/alive while it runs: the namespaces' own
# processes (started with fd 9 closed) end when it is gone, even killed.
mkdir -p "$SHARE"
exec 9>"$SHARE/alive"
flock 9
# hold_ns VAR: a network namespace held by a process (its PID) that lives
# as long as the test.
hold_ns() {
	local p
	unshare --net sh -c "until flock -n '$SHARE/alive' true; do sleep 1; done" >/dev/null 2>&1 9>&- &
	p=$!; PIDS+=("$p")
	for _ in $(seq 100); do [ "$(readlink /proc/$p/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break; sleep 0.1; done
	printf -v "$1" %s "$p"
}
hold_ns HOST_NS
hold_ns WAN_NS
in_host() { nsenter -t "$HOST_NS" -n "$@"; }
in_wan() { nsenter -t "$WAN_NS" -n "$@"; }
in_host ip link set lo up
in_wan ip link set lo up

cat >"$T/zone" <<ZONEFILE
\$ORIGIN $ZONE.
\$TTL 300
@	IN SOA	ns1 hostmaster ( 1 3600 600 86400 60 )
	IN NS	ns1
ns1	IN A	$WAN4.1
www	IN A	192.0.2.40
	IN AAAA	2001:db8:40::40
ds	IN A	192.0.2.30
ZONEFILE

# ---- the router's flash: /etc and the /usr overlay ----
mkdir -p "$SHARE" "$FLASH"/etc/{config,init.d,rc.d} "$FLASH"/usr/{bin,sbin,libexec} \
	"$FLASH"/usr/lib/functions "$FLASH"/usr/lib/config "$FLASH"/usr/share/libubox "$FLASH/usr.work"
cp /etc/ld.so.cache "$FLASH/etc/"
cat >"$FLASH/etc/passwd" <<'EOF2'
root:x:0:0:root:/root:/bin/ash
daemon:x:1:1:daemon:/var:/bin/false
network:x:101:101:network:/var:/bin/false
dnsmasq:x:453:453:dnsmasq:/var/run/dnsmasq:/bin/false
nobody:x:65534:65534:nobody:/var:/bin/false
EOF2
cat >"$FLASH/etc/group" <<'EOF2'
root:x:0:
daemon:x:1:
network:x:101:
dnsmasq:x:453:
nogroup:x:65534:
EOF2
printf '127.0.0.1 localhost\n::1 localhost\n' >"$FLASH/etc/hosts"
echo OpenWrt >"$FLASH/etc/hostname"
ln -s /usr/bin/busybox "$FLASH/usr/bin/sh"
ln -s /usr/bin/busybox "$FLASH/usr/bin/ash"
# OpenWrt's awk is busybox's (Debian's goes through /etc/alternatives).
for b in awk which; do ln -s /usr/bin/busybox "$FLASH/usr/bin/$b"; done
sa=$HERE/standins
# The OpenWrt userland, where OpenWrt puts it (uci in /sbin: uci.sh calls
# /sbin/uci): the stand-ins, or the real root's binaries and scripts.
if [ -z "$OWRT" ]; then
	cp "$sa/sbin/procd" "$sa/sbin/ubusd" "$FLASH/usr/sbin/"
	cp "$sa/sbin/uci" "$sa/sbin/uci.awk" "$FLASH/usr/sbin/"
	cp "$sa/bin/ubus" "$sa/usr/bin/jsonfilter" "$FLASH/usr/bin/"
	cp "$sa/usr/share/libubox/json-c.jq" "$FLASH/usr/share/libubox/"
	cp "$sa/usr/libexec/procd-service" "$FLASH/usr/libexec/"
	src=$sa
else
	cp -a "$OWRT"/lib/*.so* "$FLASH/usr/lib/"
	cp "$OWRT/sbin/procd" "$OWRT/sbin/ubusd" "$FLASH/usr/sbin/"
	cp "$OWRT/bin/uci" "$FLASH/usr/sbin/"
	cp "$OWRT/bin/jsonfilter" "$FLASH/usr/bin/"
	[ -e "$OWRT/bin/jshn" ] && cp "$OWRT/bin/jshn" "$FLASH/usr/bin/"
	# ubus: the real CLI, behind the stand-in that answers network.interface
	# for the netifd the tier does not run.
	cp "$OWRT/bin/ubus" "$FLASH/usr/libexec/ubus.real"
	cp "$sa/bin/ubus" "$FLASH/usr/bin/ubus"
	src=$OWRT
fi
cp "$src/etc/rc.common" "$FLASH/etc/rc.common"
cp "$src/lib/functions.sh" "$FLASH/usr/lib/functions.sh"
for f in lib/functions/procd.sh lib/functions/network.sh lib/functions/service.sh \
	lib/config/uci.sh usr/share/libubox/jshn.sh; do
	[ -e "$src/$f" ] && cp "$src/$f" "$FLASH/usr/${f#usr/}"
done
if [ -e "$src/sbin/reload_config" ]; then cp "$src/sbin/reload_config" "$FLASH/usr/sbin/"
else cp "$sa/sbin/reload_config" "$FLASH/usr/sbin/"; fi
cp "$sa/sbin/netifd-event" "$FLASH/usr/sbin/"
cp "$sa/etc/init.d/dnsmasq" "$FLASH/etc/init.d/dnsmasq"
ln -s ../init.d/dnsmasq "$FLASH/etc/rc.d/S19dnsmasq"
ln -s ../init.d/dnsmasq "$FLASH/etc/rc.d/K85dnsmasq"
# OpenWrt's default /etc/config/dhcp, with the user's conditional forward.
cat >"$FLASH/etc/config/dhcp" <<'EOF2'

config dnsmasq
	option domainneeded '1'
	option boguspriv '1'
	option localise_queries '1'
	option rebind_protection '1'
	option rebind_localhost '1'
	option local '/lan/'
	option domain 'lan'
	option expandhosts '1'
	option cachesize '1000'
	option authoritative '1'
	option readethers '1'
	option leasefile '/tmp/dhcp.leases'
	option resolvfile '/tmp/resolv.conf.d/resolv.conf.auto'
	list server '/corp.example/10.0.0.1'
	option nonwildcard '1'
	option localservice '1'
	option ednspacket_max '1232'

config dhcp 'lan'
	option interface 'lan'
	option start '100'
	option limit '150'
	option leasetime '12h'

config dhcp 'wan'
	option interface 'wan'
	option ignore '1'
EOF2
printf "\nconfig system\n\toption hostname 'OpenWrt'\n\toption timezone 'UTC'\n" >"$FLASH/etc/config/system"
printf "\nconfig interface 'lan'\n\toption device 'br-lan'\n\toption proto 'static'\n\toption ipaddr '$LAN4.1'\n\toption netmask '255.255.255.0'\n\nconfig interface 'wwan'\n\toption device 'wan0'\n\toption proto 'dhcp'\n" >"$FLASH/etc/config/network"

# ---- the package, as its Makefile installs it and opkg runs it ----
# make_define NAME: the body of "define NAME" in the package Makefile.
make_define() { awk -v d="define $1" '$0 == d { on = 1; next } on && $0 == "endef" { exit } on' "$PKGDIR/Makefile"; }
# The install recipe with make's variables for this tree; staged in
# $SHARE/ipkg (the router's /mnt/ipkg), then copied onto / by pkg_install.
rm -rf "$SHARE/ipkg"; mkdir -p "$SHARE/ipkg"
recipe=$(make_define Package/dnsd/install | sed \
	-e 's/^\t//' \
	-e 's|\$(INSTALL_DIR)|install -d -m0755|g' -e 's|\$(INSTALL_BIN)|install -m0755|g' \
	-e 's|\$(INSTALL_CONF)|install -m0600|g' -e 's|\$(INSTALL_DATA)|install -m0644|g' \
	-e 's|\$(CP)|cp -fpR|g' -e 's|\$(LN)|ln -sf|g' \
	-e "s|\$(PKG_BUILD_DIR)/build|$DNSD_BUILD|g" -e "s|\$(PKG_BUILD_DIR)|$TOP|g" \
	-e "s|\$(DNSD_SRC)|$TOP|g" -e "s|\./files/|$PKGDIR/files/|g" -e "s|\$(1)|$SHARE/ipkg|g")
(cd "$PKGDIR" && eval "$recipe") || { not_ok "the package's install recipe runs"; exit 1; }
make_define Package/dnsd/conffiles >"$SHARE/conffiles"
for s in postinst prerm postrm; do make_define "Package/dnsd/$s" | sed 's/\$\$/$/g' >"$SHARE/$s"; done
userid=$(sed -n 's/^[[:space:]]*USERID:=//p' "$PKGDIR/Makefile")

# ---- boot, reboot, commands on the router ----
ROUTER=0 UNSHARE=0
# plumb: the router's links, as the hardware is there at boot.
plumb() {
	local r=$1
	ip link add br-lan netns "$r" address 02:00:00:00:71:01 type veth peer name eth0 netns "$HOST_NS" address "$HOST_MAC"
	ip link add wan0 netns "$r" type veth peer name eth0 netns "$WAN_NS"
	nsenter -t "$r" -n sh -c "
		ip link set br-lan up && ip link set wan0 up &&
		ip addr add $LAN4.1/24 dev br-lan && ip addr add $LAN6::1/64 dev br-lan nodad &&
		ip addr add fd71::1/64 dev br-lan nodad &&
		ip addr add $WAN4.2/24 dev wan0 && ip addr add $WAN6::2/64 dev wan0 nodad &&
		ip route add default via $WAN4.1 && ip -6 route add default via $WAN6::1"
	in_host sh -c "ip link set eth0 up && ip addr add $LAN4.10/24 dev eth0 &&
		ip addr add $LAN6::10/64 dev eth0 nodad && ip route add default via $LAN4.1"
	in_wan sh -c "ip link set eth0 up && ip addr add $WAN4.1/24 dev eth0 && ip addr add $WAN6::1/64 dev eth0 nodad"
}
# boot: start the router and wait until its boot scripts ran (10 s at
# most for each step: procd up, each /etc/rc.d/S* script, the interfaces).
boot() {
	local n=0 last=0 end
	rm -f "$SHARE/ready" "$SHARE/links" "$SHARE/progress"
	unshare --mount --pid --net --fork --mount-proc --kill-child "$HERE/router-init.sh" "$FLASH" "$SHARE" \
		>>"$T/router.out" 2>&1 9>&- &
	UNSHARE=$!
	for _ in $(seq 100); do ROUTER=$(pgrep -P "$UNSHARE" | head -1); [ -n "$ROUTER" ] && break; sleep 0.1; done
	plumb "$ROUTER" && echo "lan br-lan $LAN4.1/24" >"$SHARE/interfaces" && touch "$SHARE/links"
	end=$(($(date +%s) + 10))
	while [ "$(date +%s)" -le "$end" ]; do
		[ -f "$SHARE/ready" ] && return 0
		n=$(cat "$SHARE/progress" 2>/dev/null | wc -l)
		[ "$n" != "$last" ] && { last=$n; end=$(($(date +%s) + 10)); }
		sleep 0.1
	done
	return 1
}
# sanitizer_reports: sanitizer reports in the system log (where procd puts
# dnsd's output) of this boot and of the earlier ones (router-init.sh keeps
# them).
sanitizer_reports() {
	{ rt 'cat /var/log/procd.log /var/log/messages'; cat "$SHARE"/log.* 2>/dev/null; } |
		grep -E "AddressSanitizer|LeakSanitizer|runtime error:"
}
# halt: SIGTERM to the router's init (K* shutdown), then the namespace goes.
halt() {
	kill -TERM "$ROUTER" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$UNSHARE" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$UNSHARE" 2>/dev/null
	wait "$UNSHARE" 2>/dev/null
}
if [ -n "${OWRT_HOLD:-}" ]; then
	eval "$(declare -f not_ok | sed '1s/^not_ok/lib_not_ok/')"
	not_ok() {
		lib_not_ok "$@"
		[ -n "$OWRT_HOLD" ] || return 0
		echo "# held: nsenter -t $ROUTER -m -p -n sh ($OWRT_HOLD s)"; sleep "$OWRT_HOLD"; OWRT_HOLD=
	}
fi
cleanup_router() { [ "$UNSHARE" != 0 ] && halt; }
trap 'cleanup_router; cleanup' EXIT
# rt CMD...: a shell command on the router, as root logged in there.
rt() { nsenter -t "$ROUTER" -m -p -n --wd=/ /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root /bin/sh -c "$*" 9>&-; }
# q_from_host SERVER NAME [ARGS]: dig from the LAN host.
q_from_host() { local s=$1; shift; in_host dig @"$s" +tries=1 +time=1 "$@"; }
status_of() { sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
# poll CMD...: until CMD succeeds (10 s at most, whatever CMD takes).
poll() {
	local end=$(($(date +%s%N) + 10000000000))
	while [ "$(date +%s%N)" -lt "$end" ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
answers_a() { q_from_host "$1" "$2" A | grep -q "^$2.*IN[[:space:]]A[[:space:]]"; }
# dnsd_pid: the pid procd has for the instance running dnsd (none: empty).
dnsd_pid() {
	rt "ubus call service list '{\"name\":\"dnsd\"}'" |
		jq -r '.dnsd.instances[]? | select(.command[0] == "/usr/sbin/dnsd") | .pid // empty' | head -1
}
dnsd_running() { [ -n "$(dnsd_pid)" ]; }
respawned() { local p; p=$(dnsd_pid); [ -n "$p" ] && [ "$p" != "$1" ]; }
hosts_out() { rt "dnsdctl -s /var/run/dnsd/control.sock hosts" 2>&1; }
host_listed() { hosts_out | grep -q "$LAN4\.10"; }
answers_v6() { q_from_host "$LAN6::1" "www.$ZONE" AAAA | grep -q "status: NOERROR"; }
diag() {
	echo "# --- router diagnostics"
	rt 'for f in /var/log/*.log; do echo "== $f"; tail -25 $f; done; ubus call service list; cat /var/etc/dnsd.conf; cat /var/etc/dnsmasq.conf.*; ls -la /tmp/dnsmasq.*.d; cat /tmp/resolv.conf.d/resolv.conf.auto' 2>&1 | sed 's/^/#   /'
	tail -5 "$T/router.out" | sed 's/^/#   /'
}

# ---- nsd: the ISP's resolver, on the WAN ----
start_wan_nsd() {
	mkdir -p "$T/nsd"
	cp "$T/zone" "$T/nsd/zone"
	cat >"$T/nsd/nsd.conf" <<NSD
server:
	ip-address: $WAN4.1
	port: 53
	ip-freebind: yes
	username: ""
	chroot: ""
	zonesdir: "$T/nsd"
	database: ""
	pidfile: "$T/nsd/nsd.pid"
	xfrdfile: "$T/nsd/xfrd.state"
	zonelistfile: "$T/nsd/zone.list"
	logfile: "$T/nsd/nsd.log"
	server-count: 1
remote-control:
	control-enable: no
zone:
	name: "$ZONE"
	zonefile: "$T/nsd/zone"
NSD
	# nsenter execs nsd: $! is nsd itself, which cleanup stops.
	nsenter -t "$WAN_NS" -n nsd -d -c "$T/nsd/nsd.conf" >"$T/nsd/stderr" 2>&1 9>&- &
	PIDS+=($!)
}

# pkg_install: opkg install: the files onto /, the package's user, then its
# postinst and opkg's default one (enable and start its init scripts).
pkg_install() {
	rt 'mkdir -p /usr/lib/opkg/info && cd /mnt/ipkg && find . ! -type d | sed "s|^\.||" >/usr/lib/opkg/info/dnsd.list &&
		tar -C /mnt/ipkg -cf - . | tar -C / --keep-directory-symlink -xf -'
	if [ -n "$userid" ]; then
		rt "grep -q '^${userid%%:*}:' /etc/group || echo '${userid#*:}:x:450:' >>/etc/group
			grep -q '^${userid%%:*}:' /etc/passwd || echo '${userid%%:*}:x:450:450:${userid%%:*}:/var:/bin/false' >>/etc/passwd"
	fi
	rt 'sh /mnt/postinst; for i in $(grep "^/etc/init.d/" /usr/lib/opkg/info/dnsd.list); do $i enable; $i start; done'
}
# pkg_remove: opkg remove: prerm, opkg's default prerm (disable, stop), the
# files but the conffiles, postrm.
pkg_remove() {
	rt 'sh /mnt/prerm; for i in $(grep "^/etc/init.d/" /usr/lib/opkg/info/dnsd.list); do $i disable; $i stop; done
		for f in $(cat /usr/lib/opkg/info/dnsd.list); do grep -qx "$f" /mnt/conffiles || rm -f "$f"; done
		sh /mnt/postrm; rm -f /usr/lib/opkg/info/dnsd.list'
}

# ================= scenarios =================

# ---- first boot: install the package, put dnsmasq behind dnsd ----
boot || { not_ok "the router boots"; diag; exit 1; }
start_wan_nsd
poll in_wan dig @"$WAN4.1" +tries=1 +time=1 "www.$ZONE" || { not_ok "nsd answers on the WAN"; cat "$T/nsd/stderr"; exit 1; }
dnsmasq_up() { rt "ubus call service list" | jq -e ".dnsmasq.instances.cfg01411c.running"; }
check "dnsmasq runs under procd as OpenWrt lays it out (instance cfg01411c)" poll dnsmasq_up
pkg_install
check "the package installs and dnsd starts under procd" poll dnsd_running
check "procd passes dnsd's output to the system log" poll rt "grep -q 'dnsd\[[0-9]*\]: .*started' /var/log/messages"
rt '/etc/init.d/dnsd coexist behind' >"$T/coexist.out" 2>&1
# The host table goes to RAM every 2 s instead of every minute, so that the
# kill -9 below finds it saved within the tier's 10 s waits.
rt 'uci set dnsd.main.hosts_save_interval=2; uci commit dnsd'
expect_match "coexist behind: dnsmasq forwards to dnsd" "127.0.0.1#5353" "$(rt 'uci get dhcp.@dnsmasq[0].server')"

# ---- cold boot with an empty resolv.conf.auto; then wwan comes up ----
halt
boot || { not_ok "the router reboots"; diag; exit 1; }
expect_eq "cold boot: resolv.conf.auto is empty" "" "$(rt 'grep nameserver /tmp/resolv.conf.d/resolv.conf.auto')"
check "cold boot: dnsd runs without any nameserver" poll dnsd_running
rt "netifd-event up wwan wan0 $WAN4.2/24 $WAN4.1"
start=$(date +%s%N)
if poll answers_a "$LAN4.1" "www.$ZONE"; then
	ok "after ifup of wwan with a nameserver, the LAN host gets answers through dnsmasq and dnsd ($((($(date +%s%N) - start) / 1000000)) ms)"
else
	not_ok "after ifup of wwan with a nameserver, the LAN host gets answers"; diag
fi

# ---- behind: the LAN host is logged under its own address and MAC ----
q_from_host "$LAN4.1" "ds.$ZONE" A >/dev/null
poll host_listed
h=$(hosts_out)
expect_match "behind: dnsctl hosts names the LAN host's address" "$LAN4\.10" "$h"
expect_match "behind: and its MAC" "$HOST_MAC" "$h"

# ---- kill -9: procd respawns dnsd; the host table is intact ----
saved() { rt "grep -q '$LAN4.10' \$(uci get dnsd.main.hosts_state_file)"; }
check "the host table is saved (in RAM) before the kill" poll saved
pid=$(dnsd_pid)
[ -n "$pid" ] && rt "kill -9 $pid"
check "kill -9: procd respawns dnsd" poll respawned "$pid"
check "the respawned dnsd answers" poll answers_a "$LAN4.1" "www.$ZONE"
expect_match "the host table is intact after the respawn" "$LAN4\.10.*$HOST_MAC|$HOST_MAC.*$LAN4\.10" "$(hosts_out | tr '\n' ' ')"

# ---- uci set + commit + reload_config: reload, dnsd keeps serving ----
# (Seconds after any interface event, whose raw trigger also reloads.)
pid=$(dnsd_pid)
rt 'uci set dnsd.main.log_syslog=1; uci commit dnsd; reload_config'
check "uci commit dnsd + reload_config re-renders dnsd.conf (syslog on)" \
	poll rt "grep -q 'syslog = true' /var/etc/dnsd.conf"
expect_eq "the reload keeps the same dnsd process (SIGHUP, no restart)" "${pid:-none}" "$(dnsd_pid)"
check "and dnsd keeps serving" answers_a "$LAN4.1" "www.$ZONE"

# ---- reboot keeps the table ----
halt
boot || { not_ok "the router reboots"; diag; exit 1; }
poll host_listed
expect_match "after a reboot the host table still names the LAN host" "$LAN4\.10" "$(hosts_out)"
rt "netifd-event up wwan wan0 $WAN4.2/24 $WAN4.1"
check "after the reboot the LAN answers again" poll answers_a "$LAN4.1" "www.$ZONE"

# ---- primary: IPv6 on the LAN's global prefix answers, the WAN is refused ----
rt '/etc/init.d/dnsd coexist primary' >>"$T/coexist.out" 2>&1
check "primary: dnsd answers an IPv6 client on the LAN's global prefix" \
	poll answers_v6
expect_eq "primary: a WAN-side client gets REFUSED" "REFUSED" \
	"$(in_wan dig @"$WAN4.2" +tries=1 +time=2 "www.$ZONE" A | status_of)"

expect_eq "dnsd ran clean under sanitizers (its output in the system log, every boot)" "" "$(sanitizer_reports)"

# ---- coexist behind, primary, then removal: the user's dnsmasq settings stay ----
rt '/etc/init.d/dnsd coexist behind; /etc/init.d/dnsd coexist primary' >>"$T/coexist.out" 2>&1
pkg_remove >>"$T/coexist.out" 2>&1
expect_match "after coexist behind, primary and removal, the user's conditional forward is in /etc/config/dhcp" \
	"list server '/corp.example/10.0.0.1'" "$(rt 'cat /etc/config/dhcp')"
check "and dnsmasq answers the LAN on port 53 again" poll answers_a "$LAN4.1" "www.$ZONE"
[ "$FAILED" = 0 ] || diag
exit $FAILED
