# Shared by the LuCI app's tests (tests/integration/luci_rpcd.sh and
# tests/luci/run.sh); source after tests/lib.sh.

LUCI_APP=$TOP/appliance/openwrt/luci-app-dnsd
LUCI_PLUGIN=$LUCI_APP/root/usr/libexec/rpcd/luci.dnsd

# luci_dnsd: the hosts_setup world with a later phase (so that there is a
# next boundary to show) and dnsd running on $T/dnsd.conf; ends the
# scenario with a "not ok" when it does not come up.
luci_dnsd() {
	hosts_setup || { not_ok "nsd started"; exit 1; }
	sed -i 's|others = "log"; } );|others = "log"; }, { name = "later"; start = "2099-01-01 00:00"; others = "nxdomain"; } );|' \
		"$HOSTS_POLICY"
	hosts_conf "$T/dnsd.conf"
	start_dnsd "$T/dnsd.conf"
	wait_dns "$DNSD_PORT" && wait_ctl || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }
}
