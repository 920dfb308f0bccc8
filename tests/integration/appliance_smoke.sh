#!/usr/bin/env bash
# The appliance smoke test: the shipped Kaspersky policy with the clock set
# after the 2024-09-29 cutoff, a real nsd upstream, queries with dig from
# two loopback "hosts" named by a dnsmasq lease file.  Small on purpose:
# `make cross` runs it against cross builds under qemu-user (DNSD_BUILD
# points at wrapper scripts), `make test` against the native builds.
source "$(dirname "$0")/../lib.sh"

cat >"$T/kaspersky.db" <<'ZONE'
$ORIGIN kaspersky.com.
$TTL 300
@		IN SOA	ns1 hostmaster ( 1 3600 600 86400 60 )
		IN NS	ns1
ns1		IN A	127.0.0.1
support		IN A	192.0.2.1
s01.upd		IN A	192.0.2.2
activation-v2	IN A	192.0.2.3
ZONE
cat >"$T/dhcp.leases" <<'LEASES'
1900000000 aa:bb:cc:00:00:02 127.0.0.2 anna-laptop *
LEASES
NSD_PORT=$(free_port)
DNSD_PORT=$(free_port)
start_nsd kaspersky.com "$T/kaspersky.db" "$NSD_PORT" || { not_ok "nsd started"; exit 1; }

cat >"$T/dnsd.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
allow = [ "127.0.0.0/8" ];
control_socket = "$T/ctl.sock";
policy = { file = "$TOP/policy/kaspersky.conf"; now = "2024-10-01T12:00:00Z"; };
hosts = { leases = "$T/dhcp.leases"; };
CONF
check "dnsd -t accepts the smoke config" "$DNSD" -t -c "$T/dnsd.conf"
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" || { not_ok "dnsd answers"; sed 's/^/#   /' "$DNSD_LOG"; exit 1; }

expect_eq "an allowed name resolves through dnsd" "192.0.2.1" \
	"$(q -b 127.0.0.2 +short support.kaspersky.com A)"
expect_eq "an update server is NXDOMAIN after the cutoff" "NXDOMAIN" \
	"$(rcode -b 127.0.0.2 s01.upd.kaspersky.com A)"
expect_eq "activation is NXDOMAIN after the cutoff" "NXDOMAIN" \
	"$(rcode -b 127.0.0.3 activation-v2.kaspersky.com A)"
hosts=$("$DNSDCTL" -s "$T/ctl.sock" hosts 2>&1)
expect_match "the host table names the lease holder that asked" "anna-laptop" "$hosts"
expect_match "the host table lists the other asking host" "127\.0\.0\.3" "$hosts"
stop_dnsd
exit $FAILED
