#!/usr/bin/env bash
# The policy inside dnsd, with dig against dnsd and a real nsd upstream: the
# shipped policy just before and just after each boundary (now override),
# a CNAME leading into a blocked name, an allowlisted name under a blocked
# domain, an exempt client, the refused/nodata/sinkhole actions, and a bad
# policy on SIGHUP that keeps the old one and logs file:line.
. "$(dirname "$0")/../lib.sh"

NSD_PORT=$(free_port)
cat >"$T/example.zone" <<'EOF'
$TTL 300
@	SOA ns.kaspersky.com. hostmaster.kaspersky.com. 1 3600 600 86400 300
@	NS ns.kaspersky.com.
go	CNAME s01.upd.kaspersky.com.
refused	A 192.0.2.20
nodata	A 192.0.2.21
sink	A 192.0.2.22
sink	AAAA 2001:db8::22
plain	A 192.0.2.23
EOF
NSD_EXTRA="zone:
	name: \"example.test\"
	zonefile: \"$T/example.zone\""
start_nsd kaspersky.com "$TOP/tests/integration/policy_kaspersky.zone" "$NSD_PORT" || { not_ok "nsd started"; exit 1; }

# dnsd_with POLICY NOW: (re)start dnsd with that policy and now override.
dnsd_with() {
	DNSD_PORT=$(free_port)
	cat >"$T/dnsd.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
allow = [ "127.0.0.0/8" ];
policy = { file = "$1"; };
CONF
	start_dnsd "$T/dnsd.conf" -n "$2"
	wait_dns "$DNSD_PORT" || { not_ok "dnsd answers (policy $1, now $2)"; sed 's/^/#   /' "$DNSD_LOG"; return 1; }
}

# first_a NAME: the first A record dnsd gives, or the rcode when none.
first_a() {
	local out; out=$(q +short "$@" | grep -E '^[0-9.]+$' | head -1)
	[ -n "$out" ] && echo "$out" || rcode "$@"
}

SHIPPED=$TOP/policy/kaspersky.conf
# 2024-07-20 00:00 and 2024-09-29 00:00 America/New_York (EDT, UTC-4).
SALES=1721448000
CUTOFF=1727582400

# --- the shipped policy around each boundary -----------------------------
# dnsd's override clock runs from the given moment, so "just before" starts
# 30 s early to leave room for a slow (ASan) start; "at" cannot be early.
for when in $((SALES - 30)) $SALES $((CUTOFF - 30)) $CUTOFF; do
	dnsd_with "$SHIPPED" "@$when" || continue
	if [ "$when" -lt "$SALES" ]; then my=192.0.2.4; else my=NXDOMAIN; fi
	if [ "$when" -lt "$CUTOFF" ]; then upd=192.0.2.5; else upd=NXDOMAIN; fi
	expect_eq "shipped policy at @$when: portal my.kaspersky.com" "$my" "$(first_a my.kaspersky.com A)"
	expect_eq "shipped policy at @$when: update s01.upd.kaspersky.com" "$upd" "$(first_a s01.upd.kaspersky.com A)"
	expect_eq "shipped policy at @$when: www.kaspersky.com is only logged" "192.0.2.1" "$(first_a www.kaspersky.com A)"
	expect_eq "shipped policy at @$when: touch.kaspersky.com is only logged" "192.0.2.3" "$(first_a touch.kaspersky.com A)"
	expect_eq "shipped policy at @$when: support.kaspersky.com is allowlisted" "192.0.2.2" "$(first_a support.kaspersky.com A)"
	if [ "$when" -ge "$CUTOFF" ]; then
		expect_eq "a CNAME in the same zone into a blocked name" NXDOMAIN "$(rcode alias.kaspersky.com A)"
		expect_eq "a CNAME from another zone into a blocked name" NXDOMAIN "$(rcode go.example.test A)"
		out=$(q s01.upd.kaspersky.com A)
		expect_match "NXDOMAIN carries an SOA with the policy's negative TTL (300)" \
			'AUTHORITY: 1.*[[:space:]]300[[:space:]]+IN[[:space:]]+SOA' "$(tr '\n' ' ' <<<"$out")"
	fi
	stop_dnsd
done

# --- a boundary taking effect live, without a restart ------------------------
if dnsd_with "$SHIPPED" "@$((CUTOFF - 4))"; then
	first=$(first_a s01.upd.kaspersky.com A)
	for i in $(seq 100); do
		now=$(first_a s01.upd.kaspersky.com A)
		[ "$now" = NXDOMAIN ] && break
		sleep 0.1
	done
	if [ "$first" = NXDOMAIN ]; then
		echo "# dnsd started too late to see the answer before the boundary"
	else
		expect_eq "before the live boundary the name resolves" 192.0.2.5 "$first"
	fi
	expect_eq "the cutoff takes effect on its second without a restart" NXDOMAIN "$now"
	if [ "$first" != NXDOMAIN ]; then
		# The boundary timer runs on the monotonic clock, the policy on
		# the wall clock: on a busy VM the wall clock can step ahead, and
		# then the line comes from the clock-jump check (every 10 s).
		for i in $(seq 120); do
			grep -q "policy: phase cutoff in force" "$DNSD_LOG" && break
			sleep 0.1
		done
		expect_match "the phase change is logged" "policy: phase cutoff in force" "$(cat "$DNSD_LOG")"
	fi
	stop_dnsd
fi

# --- an unsynced clock: the system clock below the policy's not_before -------
cat >"$T/unsynced.conf" <<'EOF'
not_before = "2037-01-01T00:00:00Z";
categories = { upd = ( "upd.kaspersky.com" ); };
phases = ( { name = "audit"; start = "2024-01-01T00:00:00Z"; others = "log"; },
	{ name = "enforce"; start = "2024-09-29T04:00:00Z"; others = "nxdomain"; } );
EOF
DNSD_PORT=$(free_port)
cat >"$T/dnsd-unsynced.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
policy = { file = "$T/unsynced.conf"; };
CONF
start_dnsd "$T/dnsd-unsynced.conf"
if wait_dns "$DNSD_PORT"; then
	expect_eq "an unsynced clock applies the latest phase" NXDOMAIN "$(rcode s01.upd.kaspersky.com A)"
	expect_match "an unsynced clock is logged as a warning" "warn.*not synced" "$(cat "$DNSD_LOG")"
	stop_dnsd
else
	not_ok "dnsd answers with an unsynced clock"; sed 's/^/#   /' "$DNSD_LOG"
fi

# --- actions, allowlist, exempt client ------------------------------------
cat >"$T/test.conf" <<'EOF'
negative_ttl = 123;
sinkhole = { a = ( "192.0.2.99" ); aaaa = ( "2001:db8::99" ); };
categories = {
	block = ( "kaspersky.com" );
	ref = ( "refused.example.test" );
	nod = ( "nodata.example.test" );
	sink = ( "sink.example.test" );
};
allow = ( "support.kaspersky.com" );
phases = ( { name = "on"; start = "2024-01-01T00:00:00Z"; others = "nxdomain";
	actions = { ref = "refused"; nod = "nodata"; sink = "sinkhole"; }; } );
clients = ( { name = "exempt-host"; addresses = ( "127.0.0.5" ); exempt = true;
	reason = "test host"; } );
EOF
if dnsd_with "$T/test.conf" "2024-08-01T00:00:00Z"; then
	expect_eq "a blocked domain: www.kaspersky.com" NXDOMAIN "$(rcode www.kaspersky.com A)"
	out=$(q www.kaspersky.com A)
	expect_match "NXDOMAIN carries an SOA with negative_ttl 123" \
		'AUTHORITY: 1.*[[:space:]]123[[:space:]]+IN[[:space:]]+SOA' "$(tr '\n' ' ' <<<"$out")"
	expect_eq "an allowlisted name under the blocked domain" 192.0.2.2 "$(first_a support.kaspersky.com A)"
	expect_eq "the exempt client (127.0.0.5) gets the real answer" 192.0.2.1 "$(first_a -b 127.0.0.5 www.kaspersky.com A)"
	expect_eq "another client (127.0.0.6) is blocked" NXDOMAIN "$(rcode -b 127.0.0.6 www.kaspersky.com A)"
	# One cached CNAME answer, decided per client when it is served.
	expect_eq "the exempt client follows a CNAME into the blocked domain" 192.0.2.5 \
		"$(first_a -b 127.0.0.5 go.example.test A)"
	expect_eq "the same cached CNAME answer is blocked for another client" NXDOMAIN \
		"$(rcode -b 127.0.0.6 go.example.test A)"
	expect_eq "action refused" REFUSED "$(rcode refused.example.test A)"
	out=$(q nodata.example.test A)
	expect_match "action nodata: NOERROR, no answer, SOA" \
		'status: NOERROR.*ANSWER: 0.*AUTHORITY: 1.*IN[[:space:]]+SOA' "$(tr '\n' ' ' <<<"$out")"
	expect_eq "action sinkhole: A" 192.0.2.99 "$(q +short sink.example.test A)"
	expect_eq "action sinkhole: AAAA" 2001:db8::99 "$(q +short sink.example.test AAAA)"
	expect_eq "a name in no category" 192.0.2.23 "$(first_a plain.example.test A)"

	# A bad policy on SIGHUP keeps the old one and logs file:line.
	cp "$T/test.conf" "$T/test.conf.good"
	printf 'categories = {\n\tblock = ( "bad..name" );\n};\n' >"$T/test.conf"
	kill -HUP "$DNSD_PID"
	for i in $(seq 100); do grep -q "test.conf:2:" "$DNSD_LOG" && break; sleep 0.1; done
	expect_match "the log names file:line of the bad policy" "test.conf:2:" "$(cat "$DNSD_LOG")"
	expect_eq "the old policy stays in force after a bad reload" NXDOMAIN "$(rcode www.kaspersky.com A)"
	expect_eq "... and its allowlist too" 192.0.2.2 "$(first_a support.kaspersky.com A)"
	# A good reload takes effect.
	sed 's/others = "nxdomain"/others = "log"/' "$T/test.conf.good" >"$T/test.conf"
	kill -HUP "$DNSD_PID"
	for i in $(seq 100); do [ "$(rcode www.kaspersky.com A)" = NOERROR ] && break; sleep 0.1; done
	expect_eq "a good policy on SIGHUP replaces the old one" 192.0.2.1 "$(first_a www.kaspersky.com A)"
	stop_dnsd
fi
exit $FAILED
