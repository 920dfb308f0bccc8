#!/usr/bin/env bash
# resolv_conf at boot: dnsd starts with no resolv.conf at all (the WAN has no
# DNS servers yet), answers from its policy, SERVFAILs other names at once
# instead of after the forward budget, and forwards within seconds of a
# nameserver appearing in the file, with no signal and whatever wrote it.
. "$(dirname "$0")/../lib.sh"

NSD_PORT=$(free_port)
DNSD_PORT=$(free_port)
start_nsd example.test "$TOP/tests/integration/core_zone.db" "$NSD_PORT" || { not_ok "nsd started"; exit 1; }
block_policy "$T/block.conf"
mkdir "$T/resolv.d"
cat >"$T/dnsd.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
resolv_conf = "resolv.d/resolv.conf.auto";
policy = { file = "block.conf"; };
forward = { budget_ms = 3000; };
control_socket = "ctl.sock";
CONF
check "dnsd -t accepts a resolv_conf that does not exist yet" "$DNSD" -t -c "$T/dnsd.conf"
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" || { not_ok "dnsd starts with no resolv.conf"; cat "$DNSD_LOG"; exit 1; }
ok "dnsd starts with no resolv.conf"
check "it says it has no nameserver yet" grep -q 'no usable nameserver' "$DNSD_LOG"
expect_match "and so does dnsdctl status" "upstreams: none" "$(ctl status 2>&1)"
expect_eq "a policy name is answered without an upstream" NXDOMAIN "$(rcode blocked.test A)"
t0=$(date +%s%N)
expect_eq "another name: SERVFAIL" SERVFAIL "$(rcode www.example.test A)"
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$ms" -lt 1000 ]; then ok "SERVFAIL at once, not after the 3 s budget (${ms} ms)"
else not_ok "SERVFAIL at once, not after the 3 s budget (${ms} ms)"; fi

# An empty file first (netifd creates it before the WAN has servers), then
# the servers, written as netifd writes them (a new file moved in place).
: >"$T/resolv.d/resolv.conf.auto"
printf '# Interface wwan\nnameserver 127.0.0.1#%s\n' "$NSD_PORT" >"$T/resolv.d/new"
t0=$(date +%s%N)
mv "$T/resolv.d/new" "$T/resolv.d/resolv.conf.auto"
got=""
for i in $(seq 100); do
	got=$(q +short www.example.test A)
	[ "$got" = 192.0.2.10 ] && break
	sleep 0.1
done
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "forwarding once a nameserver appears" 192.0.2.10 "$got"
if [ "$ms" -le 3000 ]; then ok "within 3 s of the file changing (${ms} ms)"
else not_ok "within 3 s of the file changing (${ms} ms)"; fi
check "the new upstream is logged" grep -q "upstreams 127.0.0.1@$NSD_PORT" "$DNSD_LOG"
expect_match "and shown by dnsdctl status" "upstream 127.0.0.1@$NSD_PORT: up" "$(ctl status 2>&1)"
# The WAN goes down: netifd empties the file; dnsd stops forwarding.
: >"$T/resolv.d/resolv.conf.auto"
# (A new name each time: the NXDOMAIN of the last is cached.)
for i in $(seq 100); do [ "$(rcode "nope$i.example.test" A)" = SERVFAIL ] && break; sleep 0.1; done
expect_eq "an emptied resolv.conf: SERVFAIL again" SERVFAIL "$(rcode nope-last.example.test A)"
stop_dnsd
