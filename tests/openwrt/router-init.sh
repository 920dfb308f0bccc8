#!/bin/bash
# PID 1 of the "router": run by tests/openwrt/run.sh inside
# `unshare --mount --pid --net --fork --mount-proc`. FLASH (the test's
# directory that survives reboots) becomes /etc (bind) and the upper layer
# of /usr (overlay on the host's /usr, where busybox is /bin/sh), SHARE (the
# test's exchange directory) is /mnt, /tmp is a
# fresh tmpfs and /var is /tmp (as OpenWrt links it), /run a fresh tmpfs.
# Then, as procd's boot does: ubusd, procd (not PID 1: -S), /sbin/reload_config
# (the boot script's md5 baseline), every /etc/rc.d/S* with "boot", and the
# netifd stand-in's ifup of each line of /mnt/interfaces. SIGTERM
# is the reboot/poweroff: /etc/rc.d/K* "shutdown", the logs kept in /mnt
# for the test, then exit (the kernel kills what is left of the namespace).
set -u
FLASH=$1 SHARE=$2
mount --make-rprivate /
mount --bind "$SHARE" /mnt
mount --bind "$FLASH/etc" /etc
mount -t overlay overlay -o "lowerdir=/usr,upperdir=$FLASH/usr,workdir=$FLASH/usr.work" /usr
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount --bind /tmp /var
mount -t tmpfs tmpfs /run
# Its own /dev, so that /dev/log is the router's: the host's device nodes it
# needs, bound onto a tmpfs.
mkdir /run/dev /run/dev/pts
for n in null zero full random urandom tty ptmx; do
	touch "/run/dev/$n" && mount --bind "/dev/$n" "/run/dev/$n"
done
mount --bind /dev/pts /run/dev/pts
ln -s /proc/self/fd /run/dev/fd
mount --rbind /run/dev /dev
mkdir -p /var/run/ubus /var/lock /var/log /var/etc /tmp/resolv.conf.d
: >/tmp/resolv.conf.d/resolv.conf.auto
ip link set lo up
# The test plumbs the links from outside, as the hardware is there at boot.
for _ in $(seq 100); do [ -f /mnt/links ] && break; sleep 0.1; done

log=/var/log/boot.log
shutdown() {
	local s
	for s in /etc/rc.d/K*; do [ -x "$s" ] && "$s" shutdown >>"$log" 2>&1; done
	cat /var/log/procd.log /var/log/messages >"/mnt/log.$(date +%s%N)" 2>/dev/null
	exit 0
}
trap shutdown TERM

# The system log (OpenWrt's logd; busybox syslogd here): procd logs the
# output of instances with stdout/stderr set there, dnsd its syslog lines.
busybox syslogd -n -O /var/log/messages &
for _ in $(seq 100); do [ -S /dev/log ] && break; sleep 0.1; done
ubusd -s /var/run/ubus/ubus.sock >>/var/log/ubusd.log 2>&1 &
for _ in $(seq 100); do [ -S /var/run/ubus/ubus.sock ] || [ -f /var/run/ubus/standin.pid ] && break; sleep 0.1; done
procd -s /var/run/ubus/ubus.sock -S >>/var/log/procd.log 2>&1 &
ubus -t 10 wait_for service >>"$log" 2>&1
echo procd >>/mnt/progress
/sbin/reload_config >>"$log" 2>&1
for s in /etc/rc.d/S*; do [ -x "$s" ] && "$s" boot >>"$log" 2>&1; echo "$s" >>/mnt/progress; done
# netifd (S20network) brings up the interfaces configured at boot.
while read -r iface; do
	[ -n "$iface" ] && netifd-event up $iface >>"$log" 2>&1
done </mnt/interfaces
echo booted >/mnt/ready
# Up until the reboot (SIGTERM) or until the test is gone (its lock free).
while :; do
	sleep 1 & wait $!
	flock -n /mnt/alive true && shutdown
done
