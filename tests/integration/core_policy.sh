#!/usr/bin/env bash
# The policy in dnsd (the core side of issue 3): a blocked name gets
# NXDOMAIN with an SOA carrying the policy's negative TTL, never from the
# upstream and never cached; a CNAME into a blocked name is blocked; the
# sinkhole and refused actions; normal names resolve; a phase boundary
# takes effect while running and is logged; -t and SIGHUP with a bad
# policy name the line and keep the old one.
. "$(dirname "$0")/../lib.sh"

cp "$TOP/tests/integration/core_policy.conf" "$T/policy.conf"
DNSD_EXTRA='policy = { file = "policy.conf"; now = "2030-06-01T12:00:00Z"; };'
nsd_dnsd
check "-t loads the policy" "$DNSD" -t -c "$T/dnsd.conf"

# Ask the CNAME first: its answer (towards -> blocked) gets cached, and must
# still be blocked when served from the cache.
expect_eq "a CNAME into a blocked name is NXDOMAIN" "NXDOMAIN" "$(rcode towards.example.test A)"
expect_eq "and again from the cache" "NXDOMAIN" "$(rcode towards.example.test A)"
out=$(q blocked.example.test A)
expect_match "blocked name: NXDOMAIN" 'status: NXDOMAIN' "$out"
expect_match "blocked name: not authoritative, recursion available" 'flags: qr rd ra;' "$out"
expect_match "blocked name: SOA with the policy's negative TTL" \
	'blocked\.example\.test\.[[:space:]]+120[[:space:]]+IN[[:space:]]+SOA' "$out"
expect_eq "blocked name, other type: NXDOMAIN too" "NXDOMAIN" "$(rcode BLOCKED.example.test AAAA)"
expect_eq "blocked name over TCP" "NXDOMAIN" "$(rcode +tcp blocked.example.test A)"
expect_eq "a normal name resolves" "192.0.2.10" "$(q +short www.example.test A)"
expect_eq "a logged name resolves" "192.0.2.88" "$(q +short logged.example.test A)"
expect_eq "sinkhole A" "0.0.0.0" "$(q +short sink.example.test A)"
expect_eq "sinkhole AAAA" "::" "$(q +short sink.example.test AAAA)"
expect_match "sinkhole TTL is the policy's answer_ttl" 'sink\.example\.test\.[[:space:]]+30[[:space:]]+IN[[:space:]]+A' \
	"$(q +noall +answer sink.example.test A)"
expect_match "sinkhole, other type: NODATA with SOA" 'status: NOERROR.*ANSWER: 0.*AUTHORITY: 1' \
	"$(q sink.example.test MX | tr '\n' ' ')"
expect_eq "refused action" "REFUSED" "$(rcode refused.example.test A)"

# An emptied policy file (a non-atomic writer, a full disk) is a valid
# policy that blocks nothing: a reload must not swap it in.
: >"$T/policy.conf"
kill -HUP "$DNSD_PID"
for i in $(seq 100); do grep -q 'has no patterns' "$DNSD_LOG" && break; sleep 0.1; done
check "SIGHUP with an empty policy is refused, logged" grep -q 'policy.conf: the new policy has no patterns' "$DNSD_LOG"
expect_eq "SIGHUP with an empty policy: the old policy still blocks" "NXDOMAIN" "$(rcode blocked.example.test A)"
cp "$TOP/tests/integration/core_policy.conf" "$T/policy.conf"
stop_dnsd

# Before the boundary the same names resolve; the boundary then passes while
# dnsd runs: the change is logged and takes effect.
start_dnsd "$T/dnsd.conf" -n "2029-12-31T23:59:57Z"
wait_dns "$DNSD_PORT" || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }
for i in $(seq 100); do grep -q 'phase enforce in force' "$DNSD_LOG" && break; sleep 0.1; done
check "the phase change is logged at the boundary" grep -q 'policy: phase enforce in force' "$DNSD_LOG"
expect_eq "after the boundary the name is blocked" "NXDOMAIN" "$(rcode blocked.example.test A)"
stop_dnsd

start_dnsd "$T/dnsd.conf" -n "2029-12-31T00:00:00Z"
wait_dns "$DNSD_PORT" || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }
expect_eq "-n before the boundary: the name resolves" "192.0.2.66" "$(q +short blocked.example.test A)"
check "the audit phase is logged at start" grep -q 'phase audit in force' "$DNSD_LOG"

# A bad policy: SIGHUP keeps the old one and names the line.
printf 'categories = {\n\tblock = ( "blocked.example.test" );\n};\nphases = ( { name = "x"; start = "not a date"; } );\n' >"$T/policy.conf"
kill -HUP "$DNSD_PID"
for i in $(seq 100); do grep -q 'keeping the previous' "$DNSD_LOG" && break; sleep 0.1; done
check "SIGHUP with a bad policy logs file:line" grep -q 'policy.conf:4: ' "$DNSD_LOG"
expect_eq "SIGHUP with a bad policy: the old policy stays" "192.0.2.66" "$(q +short blocked.example.test A)"
printf 'categories = {\n\tblock = ( "blocked.example.test" );\n};\nphases = ( { name = "x"; start = "not a date"; } );\n' >"$T/policy.conf"
out=$("$DNSD" -t -c "$T/dnsd.conf" 2>&1); rc=$?
expect_eq "-t with a bad policy exits 1" 1 "$rc"
expect_match "-t with a bad policy names the line" 'policy.conf:4: ' "$out"
stop_dnsd
exit $FAILED
