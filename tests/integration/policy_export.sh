#!/usr/bin/env bash
# dnsd-policy against real resolvers: `check` on the shipped and on bad
# files, and the RPZ / Unbound / dnsmasq exports of the shipped policy loaded
# into Debian's unbound and dnsmasq on loopback, in front of an nsd that
# serves the Kaspersky zones with made-up addresses. Blocked names must come
# back NXDOMAIN, all others as the upstream answers them.
. "$(dirname "$0")/../lib.sh"

SHIPPED=$TOP/policy/kaspersky.conf

# --- check ---------------------------------------------------------------
out=$("$DNSD_POLICY" check "$SHIPPED" 2>&1)
expect_eq "dnsd-policy check accepts the shipped policy" "0" "$?"
cat >"$T/bad.conf" <<'EOF'
categories = {
	update = ( "upd.example", "bad..name" );
	portal = ( "UPD.example." );
};
phases = ( { name = "x"; start = "2024-07-20 00:00 Nowhere/Town"; } );
EOF
out=$("$DNSD_POLICY" check "$T/bad.conf" 2>&1); rc=$?
expect_eq "dnsd-policy check rejects a bad file (exit 1)" "1" "$rc"
expect_match "check names file:line of a bad pattern" "$T/bad.conf:2: empty label" "$out"
expect_match "check names file:line of a repeated pattern" "$T/bad.conf:3: pattern \"UPD.example.\" repeats" "$out"
expect_match "check names file:line of an unknown zone" "$T/bad.conf:5: start: unknown time zone" "$out"
expect_match "check reports every error, not only the first" "3 errors" "$out"
out=$("$DNSD_POLICY" export "$SHIPPED" 2>&1); rc=$?
expect_eq "export without --format is a usage error (exit 2)" "2" "$rc"

# --- explain, timeline ------------------------------------------------------
out=$("$DNSD_POLICY" explain "$SHIPPED" DNL-07.geo.kaspersky.com. --client 10.0.0.5 --at "2024-09-29 00:00")
expect_match "explain names the pattern and its kind" "pattern:  dnl-\*\.geo\.kaspersky\.com \(leftmost-label wildcard\)" "$out"
expect_match "explain names phase and action" "phase:    cutoff.*action:   nxdomain" "$(tr '\n' ' ' <<<"$out")"
out=$("$DNSD_POLICY" explain "$SHIPPED" s01.upd.kaspersky.com --at "2024-09-28T23:59:59-04:00")
expect_match "explain one second before the cutoff: log" "action:   log" "$out"
out=$("$DNSD_POLICY" explain "$SHIPPED" support.kaspersky.com --at 2024-10-01)
expect_match "explain says why an allowlisted name passes" "reason:   allowlisted" "$out"
"$DNSD_POLICY" explain "$SHIPPED" x.example --at "yesterday" >/dev/null 2>&1
expect_eq "a bad --at is a usage error (exit 2)" 2 "$?"
out=$("$DNSD_POLICY" timeline "$SHIPPED")
expect_match "timeline: the cutoff in New York time and UTC" \
	'phase "cutoff".*start: 2024-09-29 00:00:00 EDT \(2024-09-29T04:00:00Z\).*nxdomain: update, licensing, ksn, portal' \
	"$(tr '\n' ' ' <<<"$out")"

# --- upstream --------------------------------------------------------------
cat >"$T/labs.zone" <<'EOF'
$TTL 300
@	SOA ns.kaspersky.com. hostmaster.kaspersky.com. 1 3600 600 86400 300
@	NS ns.kaspersky.com.
*	A 192.0.2.9
EOF
NSDPORT=$(free_port)
NSD_EXTRA="zone:
	name: \"kaspersky-labs.com\"
	zonefile: \"$T/labs.zone\""
start_nsd kaspersky.com "$TOP/tests/integration/policy_kaspersky.zone" "$NSDPORT" || { not_ok "nsd started"; exit 1; }

# status NAME PORT: the rcode, and for NOERROR the first address.
status() {
	local out
	out=$(dig @127.0.0.1 -p "$2" +tries=2 +time=2 "$1" A)
	local rc; rc=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out")
	[ "$rc" = NOERROR ] && rc="NOERROR $(dig @127.0.0.1 -p "$2" +short +tries=2 +time=2 "$1" A | head -1)"
	echo "$rc"
}

# expect_answers WHAT PORT NAME=EXPECTED...
expect_answers() {
	local what=$1 port=$2 pair; shift 2
	for pair in "$@"; do
		expect_eq "$what: ${pair%%=*}" "${pair#*=}" "$(status "${pair%%=*}" "$port")"
	done
}

# start_unbound EXTRA_CONFIG: unbound on a free port (UBPORT), everything it
# resolves comes from the nsd above (stubs for the zones and for the root).
start_unbound() {
	UBPORT=$(free_port)
	local d; d=$(mktemp -d "$T/unbound.XXXX")
	cat >"$d/unbound.conf" <<EOF
server:
	interface: 127.0.0.1
	port: $UBPORT
	outgoing-interface: 127.0.0.1
	do-ip6: no
	do-daemonize: no
	chroot: ""
	username: ""
	directory: "$d"
	pidfile: ""
	use-syslog: no
	logfile: "$d/unbound.log"
	verbosity: 1
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	module-config: "respip iterator"
$1
stub-zone:
	name: "kaspersky.com"
	stub-addr: 127.0.0.1@$NSDPORT
stub-zone:
	name: "kaspersky-labs.com"
	stub-addr: 127.0.0.1@$NSDPORT
stub-zone:
	name: "."
	stub-addr: 127.0.0.1@$NSDPORT
remote-control:
	control-enable: no
EOF
	unbound -d -c "$d/unbound.conf" >"$d/stderr" 2>&1 &
	UBPID=$!
	PIDS+=($UBPID)
	wait_dns "$UBPORT" || { echo "# unbound did not start:"; sed 's/^/#   /' "$d/stderr" "$d/unbound.log"; return 1; }
}

stop_pid() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

CUTOFF="2024-09-29 00:00"      # America/New_York, the file's zone
SALES="2024-08-01 12:00"

# --- RPZ in unbound ---------------------------------------------------------
"$DNSD_POLICY" export "$SHIPPED" --format rpz --at "$CUTOFF" >"$T/cutoff.rpz"
if start_unbound "rpz:
	name: \"rpz.dnsd.\"
	zonefile: \"$T/cutoff.rpz\""; then
	expect_answers "unbound + RPZ at the cutoff" "$UBPORT" \
		s01.upd.kaspersky.com=NXDOMAIN dnl-03.geo.kaspersky.com=NXDOMAIN \
		my.kaspersky.com=NXDOMAIN ds.kaspersky.com=NXDOMAIN \
		ksn-url-geo.kaspersky-labs.com=NXDOMAIN \
		www.kaspersky.com="NOERROR 192.0.2.1" support.kaspersky.com="NOERROR 192.0.2.2" \
		touch.kaspersky.com="NOERROR 192.0.2.3"
	stop_pid "$UBPID"
else
	not_ok "unbound started with the exported RPZ"
fi

"$DNSD_POLICY" export "$SHIPPED" --format rpz --at "$SALES" >"$T/sales.rpz"
if start_unbound "rpz:
	name: \"rpz.dnsd.\"
	zonefile: \"$T/sales.rpz\""; then
	expect_answers "unbound + RPZ after the sales stop" "$UBPORT" \
		my.kaspersky.com=NXDOMAIN s01.upd.kaspersky.com="NOERROR 192.0.2.5" \
		www.kaspersky.com="NOERROR 192.0.2.1"
	stop_pid "$UBPID"
else
	not_ok "unbound started with the second RPZ"
fi

# --- Unbound local-zone lines ---------------------------------------------------
"$DNSD_POLICY" export "$SHIPPED" --format unbound --at "$CUTOFF" >"$T/cutoff.unbound"
if start_unbound "	include: \"$T/cutoff.unbound\""; then
	expect_answers "unbound local-zone export at the cutoff" "$UBPORT" \
		s01.upd.kaspersky.com=NXDOMAIN dnl-03.geo.kaspersky.com=NXDOMAIN \
		my.kaspersky.com=NXDOMAIN www.kaspersky.com="NOERROR 192.0.2.1" \
		support.kaspersky.com="NOERROR 192.0.2.2"
	stop_pid "$UBPID"
else
	not_ok "unbound started with the local-zone export"
fi

# start_dnsmasq CONF: dnsmasq on a free port (DMPORT) forwarding to the nsd.
start_dnsmasq() {
	DMPORT=$(free_port)
	dnsmasq -d -k --port "$DMPORT" --listen-address 127.0.0.1 --bind-interfaces --no-resolv \
		--no-hosts --server "127.0.0.1#$NSDPORT" --conf-file="$1" --pid-file= \
		-u root >"$1.log" 2>&1 &
	DMPID=$!
	PIDS+=($DMPID)
	wait_dns "$DMPORT" || { echo "# dnsmasq did not start:"; sed 's/^/#   /' "$1.log"; return 1; }
}

# --- dnsmasq ---------------------------------------------------------------
"$DNSD_POLICY" export "$SHIPPED" --format dnsmasq --at "$CUTOFF" >"$T/cutoff.dnsmasq"
if start_dnsmasq "$T/cutoff.dnsmasq"; then
	expect_answers "dnsmasq export at the cutoff" "$DMPORT" \
		s01.upd.kaspersky.com=NXDOMAIN dnl-03.geo.kaspersky.com=NXDOMAIN \
		my.kaspersky.com=NXDOMAIN ksn-url-geo.kaspersky-labs.com=NXDOMAIN \
		www.kaspersky.com="NOERROR 192.0.2.1" support.kaspersky.com="NOERROR 192.0.2.2" \
		touch.kaspersky.com="NOERROR 192.0.2.3"
	stop_pid "$DMPID"
else
	not_ok "dnsmasq started with the export"
fi

# --- an allowlisted name under a blocked domain, in each format ---------------
cat >"$T/wide.conf" <<'EOF'
categories = { all = ( "kaspersky.com" ); };
allow = ( "support.kaspersky.com" );
phases = ( { name = "block"; start = "2024-01-01T00:00:00Z"; others = "nxdomain"; } );
EOF
for f in rpz unbound dnsmasq; do
	"$DNSD_POLICY" export "$T/wide.conf" --format $f --at 2024-06-01T00:00:00Z >"$T/wide.$f"
done
if start_unbound "rpz:
	name: \"rpz.dnsd.\"
	zonefile: \"$T/wide.rpz\""; then
	expect_answers "RPZ passthru for the allowlist" "$UBPORT" \
		www.kaspersky.com=NXDOMAIN support.kaspersky.com="NOERROR 192.0.2.2"
	stop_pid "$UBPID"
else
	not_ok "unbound started with the allowlist RPZ"
fi
if start_unbound "	include: \"$T/wide.unbound\""; then
	expect_answers "Unbound always_transparent for the allowlist" "$UBPORT" \
		www.kaspersky.com=NXDOMAIN support.kaspersky.com="NOERROR 192.0.2.2"
	stop_pid "$UBPID"
else
	not_ok "unbound started with the allowlist local-zones"
fi
if start_dnsmasq "$T/wide.dnsmasq"; then
	expect_answers "dnsmasq server=/.../# for the allowlist" "$DMPORT" \
		www.kaspersky.com=NXDOMAIN support.kaspersky.com="NOERROR 192.0.2.2"
	stop_pid "$DMPID"
else
	not_ok "dnsmasq started with the allowlist export"
fi

# --- dnsd and its exports: the same answer, or a listed difference -----------
# One generated list of names through dnsd (shipped policy, a day after the
# cutoff) and through the Unbound and dnsmasq exports for that moment, all in
# front of an nsd whose zones answer every name (wildcards), so a block shows
# as NXDOMAIN and nothing else does. Every name answered differently must
# fall under a "differs from dnsd:" line of that export.
for z in kaspersky.com kaspersky-labs.com kaspersky.de; do
	printf '$TTL 300\n@ SOA ns.%s. h.%s. 1 3600 600 86400 300\n@ NS ns.%s.\n@ A 192.0.2.9\n* A 192.0.2.9\n' \
		"$z" "$z" "$z" >"$T/all.$z.zone"
done
NSDPORT=$(free_port)
NSD_EXTRA="zone:
	name: \"kaspersky-labs.com\"
	zonefile: \"$T/all.kaspersky-labs.com.zone\"
zone:
	name: \"kaspersky.de\"
	zonefile: \"$T/all.kaspersky.de.zone\""
start_nsd kaspersky.com "$T/all.kaspersky.com.zone" "$NSDPORT" || { not_ok "nsd (every name) started"; exit 1; }
AT=2024-09-30T04:00:00Z
names=()
for i in 00 07 19; do names+=(s$i.upd.kaspersky.com p$i.upd.kaspersky.com dnl-$i.geo.kaspersky.com); done
for s in cinfo url verdict crypto-kas; do names+=(ksn-$s-geo.kaspersky-labs.com ksn-$s.geoksn.kaspersky.com); done
names+=(cm.k.kaspersky-labs.com edge.geo.kaspersky.com activate.activation-v2.kaspersky.com
	activation-v2.geo.kaspersky.com mdr.ksn.kaspersky-labs.com dc1.ksn.kaspersky-labs.com ds.kaspersky.com
	my.kaspersky.com store.kaspersky.com usa.kaspersky.com touch.kaspersky.com x.touch.kaspersky.com
	support.kaspersky.com kb.support.kaspersky.com)
for d in kaspersky.com geo.kaspersky.com upd.kaspersky.com kaspersky-labs.com ksn.kaspersky-labs.com \
	k.kaspersky-labs.com geoksn.kaspersky.com activation-v2.kaspersky.com kaspersky.de; do
	names+=("$d" "www.$d" "dnl-x.$d" "ksn-x-geo.$d" "a.b.$d" "edge.$d")
done
# answer NAME PORT: "RCODE FIRST-A" in one query
answer() {
	dig @127.0.0.1 -p "$2" +tries=2 +time=2 +noall +comments +answer "$1" A |
		awk '/status:/ { sub(/,.*/, "", $6); rc = $6 } $4 == "A" && !a { a = $5 } END { print rc, a }'
}
# listed NAME FILE: whether a "differs from dnsd:" line of FILE covers NAME
listed() {
	local subj
	while read -r subj; do
		case "$subj" in
		*" and below") subj=${subj% and below}; [[ "$1" == "$subj" || "$1" == *".$subj" ]] && return 0 ;;
		*) [[ "$1" == ${subj#=} ]] && return 0 ;;
		esac
	done < <(sed -n 's/^[#;] differs from dnsd: \(.*\): .* here; dnsd: .*/\1/p' "$2")
	return 1
}
# compare WHAT PORT EXPORT-FILE: every name against dnsd's answers in $T/dnsd.answers
compare() {
	local n i=0 differ=0 unlisted=()
	for n in "${names[@]}"; do
		a=$(answer "$n" "$2")
		if [ "$a" != "${dnsd_answer[$i]}" ]; then
			differ=$((differ + 1))
			listed "$n" "$3" || unlisted+=("$n: dnsd '${dnsd_answer[$i]}', $1 '$a'")
		fi
		i=$((i + 1))
	done
	echo "# $1: ${#names[@]} names, $differ answered otherwise than by dnsd, ${#unlisted[@]} of them not listed"
	expect_eq "$1: every name answered otherwise than by dnsd is listed by the export" "" "${unlisted[*]}"
	check "$1: the comparison sees the listed differences (got $differ)" test "$differ" -gt 0
}
DNSD_PORT=$(free_port)
cat >"$T/cmp.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$NSDPORT" ];
allow = [ "127.0.0.0/8" ];
policy = { file = "$SHIPPED"; };
CONF
start_dnsd "$T/cmp.conf" -n "@$(date -d "$AT" +%s)"
wait_dns "$DNSD_PORT" || { not_ok "dnsd answers"; sed 's/^/#   /' "$DNSD_LOG"; exit 1; }
dnsd_answer=()
for n in "${names[@]}"; do dnsd_answer+=("$(answer "$n" "$DNSD_PORT")"); done
stop_dnsd
"$DNSD_POLICY" export "$SHIPPED" --format unbound --at "$AT" >"$T/cmp.unbound"
if start_unbound "	include: \"$T/cmp.unbound\"
stub-zone:
	name: \"kaspersky.de\"
	stub-addr: 127.0.0.1@$NSDPORT"; then
	compare "unbound local-zone export" "$UBPORT" "$T/cmp.unbound"
	stop_pid "$UBPID"
else
	not_ok "unbound started with the export to compare"
fi
"$DNSD_POLICY" export "$SHIPPED" --format dnsmasq --at "$AT" >"$T/cmp.dnsmasq"
if start_dnsmasq "$T/cmp.dnsmasq"; then
	compare "dnsmasq export" "$DMPORT" "$T/cmp.dnsmasq"
	stop_pid "$DMPID"
else
	not_ok "dnsmasq started with the export to compare"
fi
exit $FAILED
