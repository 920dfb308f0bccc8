#!/usr/bin/env bash
# The two ways dnsd sits beside OpenWrt's dnsmasq, with Debian's real
# dnsmasq on loopback ports (a free port stands in for 53), dnsd's config
# rendered from UCI by the package's dnsd-uci, the shipped Kaspersky policy
# after the cutoff, and a real nsd upstream:
#  (a) primary: dnsd answers clients, dnsmasq runs with port=0 (DHCP only);
#  (b) behind:  dnsmasq answers clients and forwards to dnsd with
#      --add-mac --add-subnet=32,128 and no cache (what `/etc/init.d/dnsd
#      coexist behind` sets), so dnsd's host table names the real hosts.
source "$(dirname "$0")/../lib.sh"

# nsd with a kaspersky.com zone and a dnsmasq lease file naming 127.0.0.2
# (anna-laptop) and 127.0.0.3 (bob-pc): tests/lib.sh.
hosts_setup || { not_ok "nsd started"; exit 1; }

# uci_dnsd NAME MODE PORT: a /etc/config/NAME for this world, read by
# dnsd-uci through the functions.sh stand-in.
export UCI_CONFIG_DIR=$T DNSD_FUNCTIONS=$TOP/tests/tools/openwrt-functions.sh
uci_dnsd() {
	cat >"$T/$1" <<EOF
config dnsd 'main'
	option mode '$2'
	option port '$3'
	list listen '127.0.0.1'
	list upstream '127.0.0.1@$NSD_PORT'
	list allow '127.0.0.0/8'
	option control_socket '$T/ctl.sock'
	option policy_file '$TOP/policy/kaspersky.conf'
	option policy_now '2024-10-01T12:00:00Z'
	option hosts_leases '$LEASES'
	list hosts_trusted_forwarders '127.0.0.1'
EOF
}

# start_dnsmasq ARGS...: Debian's dnsmasq in the foreground, no system files.
start_dnsmasq() {
	dnsmasq -k -C /dev/null -u root --pid-file= --no-hosts --no-resolv "$@" \
		>"$T/dnsmasq.log" 2>&1 &
	DNSMASQ_PID=$!
	PIDS+=($DNSMASQ_PID)
}

status_of() { sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }

# ---- (a) primary: dnsd on the DNS port, dnsmasq DHCP only ----
uci_dnsd uci-a primary "$DNSD_PORT"
"$TOP/appliance/openwrt/dnsd/files/dnsd-uci" uci-a >"$T/a.conf"
start_dnsd "$T/a.conf"
start_dnsmasq --port=0 --dhcp-leasefile="$LEASES"
wait_dns "$DNSD_PORT" || { not_ok "(a) dnsd answers"; sed 's/^/#   /' "$DNSD_LOG"; exit 1; }
check "(a) dnsmasq with port=0 runs beside dnsd" kill -0 "$DNSMASQ_PID"
expect_eq "(a) dnsmasq holds no DNS socket" "" \
	"$(ss -Hlnup 2>/dev/null | grep "pid=$DNSMASQ_PID,")"
expect_eq "(a) clients get answers from dnsd" "192.0.2.40" \
	"$(q -b 127.0.0.2 +short www.kaspersky.com A)"
expect_eq "(a) a blocked name is NXDOMAIN" "NXDOMAIN" \
	"$(q -b 127.0.0.2 upd.kaspersky.com A | status_of)"
expect_match "(a) the host table names the host from dnsmasq's leases" '"anna-laptop"' \
	"$("$DNSDCTL" -s "$T/ctl.sock" hosts --json 2>&1)"
kill "$DNSMASQ_PID"; wait "$DNSMASQ_PID" 2>/dev/null
stop_dnsd

# ---- (b) behind: dnsmasq on the DNS port forwards to dnsd ----
DNSD_PORT=$(free_port)
FRONT_PORT=$(free_port)
uci_dnsd uci-b behind "$DNSD_PORT"
"$TOP/appliance/openwrt/dnsd/files/dnsd-uci" uci-b >"$T/b.conf"
start_dnsd "$T/b.conf"
start_dnsmasq --port="$FRONT_PORT" --listen-address=127.0.0.1 --bind-interfaces \
	--server="127.0.0.1#$DNSD_PORT" --add-mac --add-subnet=32,128 --cache-size=0
wait_dns "$DNSD_PORT" || { not_ok "(b) dnsd answers"; sed 's/^/#   /' "$DNSD_LOG"; exit 1; }
wait_dns "$FRONT_PORT" || { not_ok "(b) dnsmasq answers"; sed 's/^/#   /' "$T/dnsmasq.log"; exit 1; }
expect_match "(b) dnsmasq holds the DNS port (as seen by the check in (a))" ":$FRONT_PORT " \
	"$(ss -Hlnup 2>/dev/null | grep "pid=$DNSMASQ_PID,")"
front() { dig @127.0.0.1 -p "$FRONT_PORT" +tries=1 +time=3 "$@"; }
expect_eq "(b) an answer flows nsd -> dnsd -> dnsmasq -> client" "192.0.2.40" \
	"$(front -b 127.0.0.2 +short www.kaspersky.com A)"
expect_eq "(b) a blocked name is NXDOMAIN through dnsmasq" "NXDOMAIN" \
	"$(front -b 127.0.0.2 upd.kaspersky.com A | status_of)"
expect_eq "(b) a second host asking the same name reaches dnsd too (no dnsmasq cache)" \
	"NXDOMAIN" "$(front -b 127.0.0.3 upd.kaspersky.com A | status_of)"
json=$("$DNSDCTL" -s "$T/ctl.sock" hosts --json 2>&1)
expect_match "(b) the host table names the first real host" '"anna-laptop"' "$json"
expect_match "(b) and the second" '"bob-pc"' "$json"
check "(b) dnsmasq itself is not listed as a host" \
	bash -c "grep -q '\"hosts\"' <<<'$json' && ! grep -q '\"127\.0\.0\.1\"' <<<'$json'"
stop_dnsd
exit $FAILED
