#!/usr/bin/env bash
# Not an open resolver, and no amplifier: a client outside the allowed
# networks gets REFUSED, and the REFUSED answer is never larger than its
# query (header, question and an OPT when it had one, whatever the EDNS
# buffer or type asked), over UDP and TCP. An allowed client is still answered.
. "$(dirname "$0")/../lib.sh"

DNSD_EXTRA='allow = [ "127.0.0.1/32" ];'
fakeup_dnsd

expect_eq "an allowed client is answered" "NOERROR 192.0.2.1" "$(answer good.test A)"
# sizes OUT: "query-size reply-size" from dig +qr output.
sizes() { sed -n 's/^;; QUERY SIZE: \([0-9]*\)$/\1/p; s/^;; MSG SIZE  rcvd: \([0-9]*\)$/\1/p' <<<"$1" | tr '\n' ' '; }
for args in "good.test A" "good.test ANY +bufsize=4096" "good.test TXT +dnssec +bufsize=65535" \
	"good.test A +noedns" "good.test A +tcp" "good.test ANY +tcp +dnssec"; do
	# shellcheck disable=SC2086
	out=$(q -b 127.0.0.5 +qr $args)
	read -r qsize rsize <<<"$(sizes "$out")"
	expect_match "client outside allow ($args): REFUSED" "status: REFUSED" "$out"
	expect_eq "REFUSED ($args) is no larger than its query ($qsize bytes)" 1 \
		"$((${rsize:-99999} <= ${qsize:-0}))"
done
expect_eq "REFUSED answers carry no records" "0 0 0" \
	"$(q -b 127.0.0.5 good.test A +noedns |
	    sed -n 's/.*ANSWER: \([0-9]*\), AUTHORITY: \([0-9]*\), ADDITIONAL: \([0-9]*\).*/\1 \2 \3/p')"
# (dnsd's own loop probes, "<hex>.dnsd-loop.test.", aside.)
expect_eq "only the allowed client's question reached the upstream" "1 0" \
	"$(grep -c ' good.test.$' "$FAKEUP_LOG") $(grep -vc -e ' \.$' -e ' good.test.$' -e '\.dnsd-loop\.test\.$' "$FAKEUP_LOG")"
stop_dnsd
exit $FAILED
