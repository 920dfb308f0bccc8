#!/usr/bin/env bash
# The OpenWrt tier (tests/openwrt/run.sh) on its stand-ins: the package on a
# router in namespaces, under procd, ubus, uci and rc.common, with a real
# dnsmasq, a LAN host and a real nsd on the WAN. `make test-openwrt
# OPENWRT_ROOT=DIR` runs the same tier on a real OpenWrt userland.
exec bash "$(dirname "$0")/../openwrt/run.sh"
