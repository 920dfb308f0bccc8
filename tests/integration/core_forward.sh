#!/usr/bin/env bash
# Core forwarding against a real nsd: record types, NXDOMAIN/NODATA, answers
# and negative answers served from cache once the upstream is gone, TCP,
# a large answer truncated over UDP and fetched over TCP, protocol corners
# (FORMERR, NOTIMP, BADVERS, REFUSED), and a clean exit.
. "$(dirname "$0")/../lib.sh"

# 127.0.0.2 is left out of allow on purpose: it must be refused.
DNSD_EXTRA='allow = [ "127.0.0.1/32", "::1/128" ];
cache = { servfail_ttl = 1; };'
nsd_dnsd

expect_eq "A record" "192.0.2.10" "$(q +short www.example.test A)"
expect_eq "AAAA record" "2001:db8::10" "$(q +short www.example.test AAAA)"
expect_eq "MX record" "10 mail.example.test." "$(q +short example.test MX)"
expect_eq "TXT record" '"hello from the test zone"' "$(q +short txt.example.test TXT)"
expect_eq "NXDOMAIN" "NXDOMAIN" "$(rcode nope.example.test A)"
out=$(q www.example.test TXT)
expect_match "NODATA: NOERROR, no answer, SOA in authority" \
	'status: NOERROR.*ANSWER: 0.*AUTHORITY: 1.*IN[[:space:]]+SOA' "$(tr '\n' ' ' <<<"$out")"
# nsd adds the zone's NS (and glue) to a positive answer; dnsd, like
# Unbound's minimal-responses, gives stub clients the answer section only.
expect_match "nsd itself adds its NS to the authority" 'AUTHORITY: [1-9]' \
	"$(dig @127.0.0.1 -p "$NSD_PORT" +tries=1 +time=2 +norec mail.example.test A)"
expect_match "minimal responses: a positive answer carries the answer section only" \
	'ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1' "$(q mail.example.test A)"
expect_match "minimal responses: with DO the authority stays" 'ANSWER: 1, AUTHORITY: [1-9]' \
	"$(q +dnssec mail.example.test A)"
expect_match "answers are not authoritative, recursion available" 'flags: qr rd ra;' "$(q www.example.test A)"
expect_eq "name case is kept" "WwW.ExAmPle.TEST." "$(q +noall +answer WwW.ExAmPle.TEST A | awk '{print $1}')"
expect_eq "query over TCP" "192.0.2.10" "$(q +tcp +short www.example.test A)"
expect_eq "several queries on one TCP connection" "192.0.2.10 192.0.2.25 2001:db8::10" \
	"$(q +tcp +keepopen +short www.example.test A mail.example.test A www.example.test AAAA | tr '\n' ' ' | sed 's/ $//')"

# A large TXT: truncated over UDP, complete over TCP.
expect_match "large answer is truncated over UDP" 'flags: qr tc rd ra' "$(q +ignore big.example.test TXT)"
expect_eq "large answer arrives complete over TCP" 12 "$(q +short big.example.test TXT | grep -o '" "' | wc -l | awk '{print $1+1}')"

# Protocol corners.
expect_match "EDNS version 1 gets BADVERS" 'status: BADVERS' "$(q +edns=1 +noednsnegotiation www.example.test)"
expect_eq "unknown opcode gets NOTIMP" "NOTIMP" "$(rcode +opcode=2 www.example.test)"
check "no OPT when the client sent none" bash -c "! dig @127.0.0.1 -p $DNSD_PORT +noedns www.example.test | grep -q 'OPT PSEUDOSECTION'"
expect_eq "a client outside allow is REFUSED" "REFUSED" "$(rcode -b 127.0.0.2 www.example.test A)"
expect_match "REFUSED carries no records" 'ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0' "$(q -b 127.0.0.2 +noedns www.example.test A)"
expect_eq "IPv6 client" "192.0.2.10" "$(dig @::1 -p "$DNSD_PORT" +tries=1 +time=3 +short www.example.test A)"

# Malformed: QDCOUNT=2 with one question -> FORMERR, then service goes on.
printf '\x12\x34\x01\x00\x00\x02\x00\x00\x00\x00\x00\x00\x03foo\x00\x00\x01\x00\x01' >"$T/bad.bin"
exec 3<>/dev/udp/127.0.0.1/"$DNSD_PORT"
cat "$T/bad.bin" >&3
reply=$(timeout 3 head -c 12 <&3 | od -An -tx1 | tr -d ' \n')
exec 3>&-
expect_match "malformed query gets FORMERR with its ID" '^1234.1' "$reply"
expect_eq "FORMERR rcode" "1" "$(( 0x${reply:6:2} & 15 ))"
# Garbage shorter than a header is dropped, and the next query works.
printf '\x01\x02\x03' >/dev/udp/127.0.0.1/"$DNSD_PORT"
expect_eq "the next valid query still works" "192.0.2.10" "$(q +short www.example.test A)"

# From the cache: stop the upstream; cached answers (positive and negative)
# still come, with TTLs gone down.
ttl1=$(q +noall +answer www.example.test A | awk '{print $2}')
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null
sleep 1.2
expect_eq "cached answer with the upstream gone" "192.0.2.10" "$(q +short www.example.test A)"
ttl2=$(q +noall +answer www.example.test A | awk '{print $2}')
check "TTL went down in the cache ($ttl1 -> $ttl2)" test "$ttl2" -lt "$ttl1"
expect_eq "NXDOMAIN from the negative cache" "NXDOMAIN" "$(rcode nope.example.test A)"
expect_eq "NODATA from the negative cache" "0" "$(q www.example.test TXT | sed -n 's/.*ANSWER: \([0-9]*\),.*/\1/p')"
expect_match "negative TTL is the SOA minimum (60) gone down" 'SOA' "$(q nope.example.test | awk '$4=="SOA" && $2<=60 && $2>50')"
expect_eq "not cached and upstream gone: SERVFAIL" "SERVFAIL" "$(rcode ns1.example.test A)"

stop_dnsd
exit $FAILED
