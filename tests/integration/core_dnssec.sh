#!/usr/bin/env bash
# DNSSEC through dnsd: a zone signed with ldns-signzone, served by nsd.
# With DO the answer carries RRSIGs and the response OPT the DO bit; without
# DO no RRSIG; the DO bit is part of the cache key (both forms cached apart);
# CD is copied to the response; AA is never set on forwarded answers; a
# client without EDNS gets no OPT.
. "$(dirname "$0")/../lib.sh"

mkdir "$T/sign"
cp "$TOP/tests/integration/core_zone.db" "$T/sign/zone"
key=$(cd "$T/sign" && ldns-keygen -a ECDSAP256SHA256 example.test 2>/dev/null) ||
	{ not_ok "ldns-keygen made a key"; exit 1; }
(cd "$T/sign" && ldns-signzone zone "$key") || { not_ok "ldns-signzone signed the zone"; exit 1; }
check "the signed zone has RRSIGs" grep -q RRSIG "$T/sign/zone.signed"
nsd_dnsd "$T/sign/zone.signed"

# rrsigs ARGS...: how many RRSIG records the answer section holds.
rrsigs() { q +noall +answer "$@" | awk '$4 == "RRSIG"' | wc -l; }
# edns_flags ARGS...: the flags of the response OPT ("do" or "").
edns_flags() { q "$@" | sed -n 's/^; EDNS: version: 0, flags:\([^;]*\);.*/\1/p' | tr -d ' '; }
# header_flags ARGS...: the header flags, e.g. "qr rd ra".
header_flags() { q "$@" | sed -n 's/^;; flags: \([^;]*\);.*/\1/p'; }

# The upstream itself signs: without this the checks below prove nothing.
expect_eq "nsd answers with an RRSIG when asked with DO" 1 \
	"$(dig @127.0.0.1 -p "$NSD_PORT" +tries=1 +time=3 +dnssec +noall +answer www.example.test A | awk '$4 == "RRSIG"' | wc -l)"

# DO first, then without: a cache that ignored DO would hand out the RRSIG.
expect_eq "with DO: the answer carries an RRSIG" 1 "$(rrsigs +dnssec www.example.test A)"
expect_eq "with DO: the response OPT has the DO bit" "do" "$(edns_flags +dnssec www.example.test A)"
expect_eq "without DO after a DO answer: no RRSIG" 0 "$(rrsigs +nodnssec www.example.test A)"
expect_eq "without DO: the response OPT has no DO bit" "" "$(edns_flags +nodnssec www.example.test A)"
expect_eq "with DO again: the RRSIG is back" 1 "$(rrsigs +dnssec www.example.test A)"

# Without DO first, then with: a cache that ignored DO would drop the RRSIG.
expect_eq "without DO first: no RRSIG" 0 "$(rrsigs +nodnssec mail.example.test A)"
expect_eq "with DO after a plain answer: an RRSIG" 1 "$(rrsigs +dnssec mail.example.test A)"
expect_eq "without DO again: no RRSIG" 0 "$(rrsigs +nodnssec mail.example.test A)"

# Negative answers: with DO the authority has the NSEC proof, without none.
check "NXDOMAIN with DO carries NSEC and RRSIG" bash -c \
	"dig @127.0.0.1 -p $DNSD_PORT +tries=1 +time=3 +dnssec +noall +authority nope.example.test A | awk '\$4 == \"NSEC\"' | grep -q . &&
	 dig @127.0.0.1 -p $DNSD_PORT +tries=1 +time=3 +dnssec +noall +authority nope.example.test A | awk '\$4 == \"RRSIG\"' | grep -q ."
expect_eq "NXDOMAIN without DO: no NSEC, no RRSIG" 0 \
	"$(q +nodnssec +noall +authority nope.example.test A | awk '$4 == "NSEC" || $4 == "RRSIG"' | wc -l)"

# CD: copied from the query, and only then; AA: never on forwarded answers
# (nsd, being authoritative, sets it).
check "nsd sets AA (so the next checks can fail)" bash -c \
	"dig @127.0.0.1 -p $NSD_PORT +tries=1 +time=3 www.example.test A | grep -q '^;; flags: qr aa'"
expect_eq "CD is copied into the response" "qr rd ra cd" "$(header_flags +cd +dnssec txt.example.test TXT)"
expect_eq "CD is copied into a cached response" "qr rd ra cd" "$(header_flags +cd +dnssec txt.example.test TXT)"
expect_eq "no CD in the query: none in the response" "qr rd ra" "$(header_flags +dnssec txt.example.test TXT)"
expect_eq "AA is not set on a forwarded answer" "qr rd ra" "$(header_flags +dnssec example.test SOA)"
expect_eq "AA is not set on a forwarded NXDOMAIN" "qr rd ra" "$(header_flags +dnssec nope2.example.test A)"
expect_eq "AA is not set on a forwarded answer over TCP" "qr rd ra" "$(header_flags +tcp +dnssec example.test NS)"

# A client without EDNS: no OPT, and no RRSIG even where a DO answer is cached.
out=$(q +noedns www.example.test A)
check "no OPT for a client without EDNS" bash -c "! grep -q 'OPT PSEUDOSECTION' <<<'$out'"
check "no RRSIG for a client without EDNS" bash -c "! grep -q RRSIG <<<'$out'"
expect_match "the answer still comes without EDNS" 'status: NOERROR, .*ANSWER: 1,' "$(tr '\n' ' ' <<<"$out")"

# Both forms are cached apart: with the upstream gone each still comes right.
kill "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null
expect_eq "cached without the upstream, with DO: RRSIG" 1 "$(rrsigs +dnssec www.example.test A)"
expect_eq "cached without the upstream, without DO: no RRSIG" 0 "$(rrsigs +nodnssec www.example.test A)"
expect_eq "cached without the upstream, without DO: the address" "192.0.2.10" \
	"$(q +nodnssec +short www.example.test A)"

stop_dnsd
exit $FAILED
