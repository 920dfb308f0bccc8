#!/usr/bin/env bash
# Every name of a domain Kaspersky owns is recorded with the shipped policy
# after the cutoff: each name of the reference families, the KSN data-centre
# names under ksn.kaspersky-labs.com (blocked), country sites (logged) and
# the allowlisted support site (answered by the real nsd upstream, and
# recorded). Checked in the event log, one line per (host, name).
. "$(dirname "$0")/../lib.sh"

NSD_PORT=$(free_port)
DNSD_PORT=$(free_port)
start_nsd kaspersky.com "$TOP/tests/integration/policy_kaspersky.zone" "$NSD_PORT" || { not_ok "nsd started"; exit 1; }
cat >"$T/dnsd.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
allow = [ "127.0.0.0/8" ];
control_socket = "$T/ctl.sock";
policy = { file = "$TOP/policy/kaspersky.conf"; };
log = { file = "$T/events.log"; };
CONF
# a day after the cutoff (2024-09-29 00:00 America/New_York)
start_dnsd "$T/dnsd.conf" -n @$((1727582400 + 86400))
wait_dns "$DNSD_PORT" || { not_ok "dnsd answers"; sed 's/^/#   /' "$DNSD_LOG"; exit 1; }

# name expected-action, from /work/shared/reference/kaspersky-domains.md's
# families and the names issue 11 found unrecorded.
names=()
for i in $(seq -w 0 19); do
	names+=("s$i.upd.kaspersky.com nxdomain" "p$i.upd.kaspersky.com nxdomain" "dnl-$i.geo.kaspersky.com nxdomain")
done
for s in cinfo info file url verdict tcert crypto-info crypto-kas crypto-tcert crypto-url crypto-verdict crypto-wifiplus; do
	names+=("ksn-$s-geo.kaspersky-labs.com nxdomain")
done
for s in cinfo info file url verdict tcert kas mdr dc1 dc1-file dc1-cert crypto-wifiplus; do
	names+=("ksn-$s.geoksn.kaspersky.com nxdomain")
done
names+=(
	"downloads.upd.kaspersky.com nxdomain" "cm.k.kaspersky-labs.com nxdomain"
	"edge.geo.kaspersky.com nxdomain" "activation-v2.kaspersky.com nxdomain"
	"activate.activation-v2.kaspersky.com nxdomain" "refresh-bkg.activation-v2.kaspersky.com nxdomain"
	"activation-v2.geo.kaspersky.com nxdomain" "mdr.ksn.kaspersky-labs.com nxdomain"
	"dc1.ksn.kaspersky-labs.com nxdomain" "dc1-file.ksn.kaspersky-labs.com nxdomain"
	"dc1-cert.ksn.kaspersky-labs.com nxdomain" "ds.kaspersky.com nxdomain"
	"my.kaspersky.com nxdomain" "store.kaspersky.com nxdomain" "usa.kaspersky.com nxdomain"
	"touch.kaspersky.com log" "support.kaspersky.com allow"
	"www.kaspersky.com log" "kaspersky.com log" "help.kaspersky.com log"
	"www.kaspersky-labs.com log" "kaspersky.de log" "www.kaspersky.de log"
	"www.kaspersky.co.uk log" "support.kaspersky.ru log" "support.kaspersky.co.jp log"
)
for n in "${names[@]}"; do q -b 127.0.0.2 "${n% *}" A >/dev/null; done

expect_eq "support.kaspersky.com is answered normally" 192.0.2.2 "$(q +short support.kaspersky.com A | head -1)"
expect_eq "a KSN data-centre name is blocked after the cutoff" NXDOMAIN "$(rcode dc1.ksn.kaspersky-labs.com A)"

for i in $(seq 100); do [ "$(grep -c '"event":"attempt"' "$T/events.log" 2>/dev/null)" -ge ${#names[@]} ] && break; sleep 0.1; done
missing=() wrong=()
for n in "${names[@]}"; do
	line=$(grep -F "\"name\":\"${n% *}\"" "$T/events.log" | head -1)
	if [ -z "$line" ]; then missing+=("${n% *}")
	elif [[ "$line" != *"\"action\":\"${n#* }\""* ]]; then wrong+=("$n: $line"); fi
done
expect_eq "every one of ${#names[@]} Kaspersky-owned names is recorded" "" "${missing[*]}"
expect_eq "each recorded with its action (ksn blocked, country sites logged, support allowed)" "" "${wrong[*]}"
stop_dnsd
exit $FAILED
