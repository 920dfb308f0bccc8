#!/usr/bin/env bash
# A forwarding loop found at run time: dnsd listening on the wildcard
# address forwards to a real dnsmasq that forwards back to dnsd. dnsd's loop
# probe (TXT <random>.dnsd-loop.test) comes back to it as a client query:
# the loop is logged naming the upstream, the upstream shows LOOPING in
# status and is not asked (a client gets SERVFAIL at once, not after the
# budget). When dnsmasq is pointed at a real server instead, the next probe
# gets a real answer (NXDOMAIN) without coming back: dnsd says so and uses
# it again.
. "$(dirname "$0")/../lib.sh"

NSD_PORT=$(free_port)
DNSD_PORT=$(free_port)
DM_PORT=$(free_port)
# nsd also serves dnsd-loop.test, as a recursive resolver's NXDOMAIN for
# the probe names would come from the root.
cat >"$T/loop.db" <<'ZONE'
$ORIGIN dnsd-loop.test.
$TTL 300
@	IN SOA	ns1.example.test. hostmaster.example.test. ( 1 3600 600 86400 60 )
	IN NS	ns1.example.test.
ZONE
NSD_EXTRA="zone:
	name: \"dnsd-loop.test\"
	zonefile: \"$T/loop.db\""
start_nsd example.test "$TOP/tests/integration/core_zone.db" "$NSD_PORT" || { not_ok "nsd started"; exit 1; }

# start_dnsmasq SERVER_PORT: a dnsmasq on DM_PORT, no cache, forwarding to
# 127.0.0.1#SERVER_PORT. Sets DM_PID.
start_dnsmasq() {
	dnsmasq -k -C /dev/null -u root --pid-file= --no-hosts --no-resolv --cache-size=0 \
		--port="$DM_PORT" --listen-address=127.0.0.1 --bind-interfaces \
		--server="127.0.0.1#$1" >>"$T/dnsmasq.log" 2>&1 &
	DM_PID=$!
	PIDS+=($DM_PID)
}
start_dnsmasq "$DNSD_PORT"
# until dnsmasq listens (it cannot answer yet: its server is not up)
for i in $(seq 100); do ss -Hlnu "sport = :$DM_PORT" | grep -q . && break; sleep 0.1; done

cat >"$T/dnsd.conf" <<CONF
listen = [ "0.0.0.0@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$DM_PORT" ];
forward = { probe_interval = 1; budget_ms = 2000; };
cache = { servfail_ttl = 0; };
control_socket = "$T/ctl.sock";
CONF
start_dnsd "$T/dnsd.conf"
wait_ctl || { not_ok "dnsd started"; cat "$DNSD_LOG"; exit 1; }

# wait_log REGEX: until the dnsd log matches (10 s at most).
wait_log() {
	local i
	for i in $(seq 100); do grep -qE "$1" "$DNSD_LOG" && return 0; sleep 0.1; done
	return 1
}
check "the loop is logged, naming the upstream" \
	wait_log "forwarding loop: upstream 127.0.0.1@$DM_PORT sends dnsd's queries back"
expect_match "status shows the upstream LOOPING" "upstream 127.0.0.1@$DM_PORT: LOOPING" "$(ctl status)"
start=$(date +%s%N)
expect_eq "a client query: SERVFAIL" "SERVFAIL" "$(rcode www.example.test A)"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "and at once (${ms} ms; budget 2000): the looping upstream is not asked" test "$ms" -lt 1000
# Probes every second go on meeting the loop (each one refused when it
# comes back): still LOOPING, logged once.
for i in $(seq 100); do
	[ "$(ctl stats | sed -n 's/^refused //p')" -ge 3 ] && break; sleep 0.1
done
expect_match "still LOOPING after more probes" "upstream 127.0.0.1@$DM_PORT: LOOPING" "$(ctl status)"
expect_eq "the loop is logged once" 1 "$(grep -c 'forwarding loop:' "$DNSD_LOG")"

# The loop ends: dnsmasq now forwards to nsd.
kill "$DM_PID"; wait "$DM_PID" 2>/dev/null
start_dnsmasq "$NSD_PORT"
check "the end of the loop is logged" wait_log "upstream 127.0.0.1@$DM_PORT no longer loops"
expect_eq "and the upstream answers again" "192.0.2.10" "$(q +short www.example.test A)"
expect_match "status shows it up" "upstream 127.0.0.1@$DM_PORT: up" "$(ctl status)"
stop_dnsd
exit $FAILED
