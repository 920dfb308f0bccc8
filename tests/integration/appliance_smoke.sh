#!/usr/bin/env bash
# The appliance smoke test: the shipped Kaspersky policy with the clock set
# after the 2024-09-29 cutoff, a real nsd upstream, queries with dig from
# two loopback "hosts" named by a dnsmasq lease file, the host table.  Small on purpose:
# `make cross` runs it against cross builds under qemu-user (DNSD_BUILD
# points at wrapper scripts), `make test` against the native builds.
source "$(dirname "$0")/../lib.sh"

# nsd with a kaspersky.com zone, a lease file naming 127.0.0.2 and
# 127.0.0.3 (tests/lib.sh); the shipped policy, not the helper's small one.
hosts_setup || { not_ok "nsd started"; exit 1; }
cat >"$T/dnsd.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
allow = [ "127.0.0.0/8" ];
control_socket = "$T/ctl.sock";
policy = { file = "$TOP/policy/kaspersky.conf"; now = "2024-10-01T12:00:00Z"; };
hosts = { leases = "$LEASES"; };
CONF
check "dnsd -t accepts the smoke config" "$DNSD" -t -c "$T/dnsd.conf"
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" || { not_ok "dnsd answers"; sed 's/^/#   /' "$DNSD_LOG"; exit 1; }

expect_eq "a name in no category resolves through dnsd" "192.0.2.40" \
	"$(q -b 127.0.0.2 +short www.kaspersky.com A)"
expect_eq "the update servers are NXDOMAIN after the cutoff" "NXDOMAIN" \
	"$(rcode -b 127.0.0.2 upd.kaspersky.com A)"
expect_eq "activation is NXDOMAIN after the cutoff" "NXDOMAIN" \
	"$(rcode -b 127.0.0.3 activation-v2.kaspersky.com A)"
hosts=$("$DNSDCTL" -s "$T/ctl.sock" hosts 2>&1)
expect_match "the host table names the lease holder that asked" "anna-laptop" "$hosts"
expect_match "the host table names the other one" "bob-pc" "$hosts"
stop_dnsd
exit $FAILED
