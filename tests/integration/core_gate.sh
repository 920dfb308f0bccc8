#!/usr/bin/env bash
# Questions dnsd answers itself, so that a client cannot knock out a healthy
# upstream with them: another class (CLASS42, CH), meta-types (OPT, MAILA,
# MAILB) and zone transfers (AXFR, IXFR, over UDP and TCP) get REFUSED or
# FORMERR without reaching the upstream (its query log) and without marking
# it down (down_after = 1: one counted failure would). An upstream that
# refuses with a bare header (no question) is alive, not failed. Error
# answers carry an OPT when the query had one (RFC 6891 6.1.1), and the
# answer to an unknown opcode sets no RA and copies no CD.
. "$(dirname "$0")/../lib.sh"

DNSD_EXTRA="forward = { down_after = 1; timeout_ms = 400; budget_ms = 2000; };
cache = { servfail_ttl = 0; };
control_socket = \"$T/ctl.sock\";"
fakeup_dnsd

# kd ARGS...: kdig against dnsd; prints its rcode ("REFUSED", ...).
kd() {
	kdig @127.0.0.1 -p "$DNSD_PORT" +retry=0 +timeout=3 "$@" 2>&1 |
		sed -n "s/.*status: \([A-Z]*\);.*/\1/p; s/.*server replied with error '\([A-Z]*\)'.*/\1/p" | head -1
}

expect_eq "CLASS42 is REFUSED" "REFUSED" "$(rcode -c CLASS42 -t A good.c42.test)"
expect_eq "CH version.bind is REFUSED (dnsd serves no CH names)" "REFUSED" \
	"$(rcode -c CH -t TXT good.version.bind)"
expect_eq "qtype OPT is FORMERR" "FORMERR" "$(rcode good.opt.test TYPE41)"
expect_eq "qtype MAILB is FORMERR" "FORMERR" "$(rcode good.mailb.test MAILB)"
expect_eq "qtype MAILA is FORMERR" "FORMERR" "$(rcode good.maila.test MAILA)"
expect_eq "AXFR over TCP is REFUSED" "REFUSED" "$(kd good.axfr.test AXFR)"
expect_eq "AXFR over UDP is REFUSED" "REFUSED" "$(kd +notcp good.axfr.test AXFR)"
expect_eq "IXFR over UDP is REFUSED" "REFUSED" "$(kd +notcp good.ixfr.test IXFR=1)"
expect_eq "IXFR over TCP is REFUSED" "REFUSED" "$(kd +tcp good.ixfr.test IXFR=1)"
for n in c42 version opt mailb maila axfr ixfr; do
	check "$n never reached the upstream" bash -c "! grep -q ' good\.$n\.' '$FAKEUP_LOG'"
done
expect_eq "ANY is forwarded (as Unbound)" "NOERROR 1" \
	"$(rcode good.any.test ANY) $(grep -c ' good.any.test.$' "$FAKEUP_LOG")"

# A bare REFUSED from the upstream: SERVFAIL at once, not after the budget,
# and the upstream stays up.
start=$(date +%s%N)
expect_eq "an upstream's bare REFUSED: SERVFAIL" "SERVFAIL" "$(rcode refused.test A)"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "and at once (${ms} ms, budget 2000)" test "$ms" -lt 1000
expect_match "the upstream is still up with no failure" \
	"upstream 127.0.0.1@$UP: up, 0 consecutive failures" "$(ctl status)"
expect_eq "no upstream timeouts were counted" "upstream timeouts 0" "$(ctl stats | grep 'upstream timeouts')"
expect_eq "the upstream still answers" "NOERROR 192.0.2.1" "$(answer good.after.test A)"
check "never logged down" bash -c "! grep -q 'down after' '$DNSD_LOG'"

# RFC 6891 6.1.1: error answers to EDNS queries carry an OPT.
opt() { q "$@" | grep -c 'OPT PSEUDOSECTION'; }
expect_eq "FORMERR (MAILB) carries an OPT" 1 "$(opt good.mailb.test MAILB)"
expect_eq "REFUSED (CLASS42) carries an OPT" 1 "$(opt -c CLASS42 -t A good.c42.test)"
expect_eq "NOTIMP (opcode 2) carries an OPT" 1 "$(opt +opcode=2 good.op.test A)"
expect_eq "REFUSED to a client outside allow carries an OPT" 1 "$(opt -b 127.0.0.2 good.out.test A)"
# FORMERR for a query with no question but an OPT: ARCOUNT 1 in the answer.
printf '\xab\xcd\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00' >"$T/noq.bin"
exec 3<>/dev/udp/127.0.0.1/"$DNSD_PORT"
cat "$T/noq.bin" >&3
reply=$(timeout 3 head -c 23 <&3 | od -An -tx1 | tr -d ' \n')
exec 3>&-
expect_eq "FORMERR (no question) carries an OPT (rcode, ARCOUNT, OPT type)" "1 0001 0029" \
	"$(( 0x${reply:6:2} & 15 )) ${reply:20:4} ${reply:26:4}"
expect_match "NOTIMP sets no RA and copies no CD" 'status: NOTIMP, .*flags: qr rd;' \
	"$(q +opcode=2 +cdflag good.op.test A | tr '\n' ' ')"
expect_match "a QUERY answer still sets RA and copies CD" 'flags: qr rd ra cd;' \
	"$(q +cdflag good.cd.test A)"
stop_dnsd
exit $FAILED
