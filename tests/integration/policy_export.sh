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
exit $FAILED
