# network.sh stand-in (busybox ash): netifd's interface state as scripts
# read it, from `ubus call network.interface dump` (jsonfilter on the
# cached dump, as OpenWrt's network.sh does).
__network_ifstatus() {
	local __var=$1 __iface=$2 __field=$3
	[ -n "$__NETWORK_CACHE" ] || __NETWORK_CACHE=$(ubus call network.interface dump 2>/dev/null)
	eval "$__var=\$(printf '%s' \"\$__NETWORK_CACHE\" | jsonfilter -e \"@.interface[@.interface='$__iface']$__field\")"
	eval "[ -n \"\$$__var\" ]"
}
network_flush_cache() { __NETWORK_CACHE=; }
network_get_ipaddr() { __network_ifstatus "$1" "$2" "['ipv4-address'][0].address"; }
network_get_ipaddr6() { __network_ifstatus "$1" "$2" "['ipv6-address'][0].address"; }
network_get_subnet() { local a m; __network_ifstatus a "$2" "['ipv4-address'][0].address" && __network_ifstatus m "$2" "['ipv4-address'][0].mask" && eval "$1=\$a/\$m"; }
network_get_device() { __network_ifstatus "$1" "$2" ".l3_device"; }
network_get_physdev() { __network_ifstatus "$1" "$2" ".device"; }
network_get_dnsserver() { __network_ifstatus "$1" "$2" "['dns-server'][*]"; }
network_is_up() { local up; __network_ifstatus up "$1" ".up" && [ "$up" = 1 ]; }
