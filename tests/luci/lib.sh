# Helpers for the LuCI app's tests (tests/integration/luci_*.sh and
# tests/luci/run.sh); source after tests/lib.sh.

# luci_jshn ROOT: ROOT/usr/share/libubox/jshn.sh for the rpcd plugin, the
# OpenWrt stand-in of tests/openwrt/ when there is one, else tests/luci's.
luci_jshn() {
	mkdir -p "$1/usr/share/libubox"
	if [ -f "$TOP/tests/openwrt/jshn.sh" ]; then
		cp "$TOP/tests/openwrt/jshn.sh" "$1/usr/share/libubox/jshn.sh"
	else
		cp "$TOP/tests/luci/jshn.sh" "$1/usr/share/libubox/jshn.sh"
	fi
}
