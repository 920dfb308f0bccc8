#!/usr/bin/env bash
# The OpenWrt tier (tests/openwrt/run.sh) on its stand-ins: the package on a
# router in namespaces, under procd, ubus, uci and rc.common, with a real
# dnsmasq, a LAN host and a real nsd on the WAN. `make test-openwrt
# OPENWRT_ROOT=DIR` runs the same tier on a real OpenWrt userland; when the
# shared folder beside the checkout holds one (../shared/openwrt, with
# sbin/procd), this runs the tier on it too, its lines marked "real root".
here=$(dirname "$0")
bash "$here/../openwrt/run.sh"
rc=$?
real=$(cd "$here/../../.." && pwd)/shared/openwrt
if [ -x "$real/sbin/procd" ]; then
	bash "$here/../openwrt/run.sh" "$real" | sed -E 's/^(not ok|ok|skip)( - )?/\1 - real root: /'
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
fi
exit $rc
