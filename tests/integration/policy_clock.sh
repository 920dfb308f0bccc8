#!/usr/bin/env bash
# The policy clock at its edges and audit mode: -n takes any instant (@0 and
# 1970-01-01 included) and logs it; a clock before the policy's not_before,
# set or not, runs the unsynced rule, and the warning prints dates; status
# shows no "next boundary" after the last phase (not the build date);
# dnsd-policy explain --at 1970-01-01 shows the unsynced rule; audit mode
# (policy.audit, dnsd -a) records every policy name and blocks none.
. "$(dirname "$0")/../lib.sh"

hosts_setup || { not_ok "nsd started"; exit 1; }
# update blocked from 2021; before not_before (2020) the "watch" phase,
# which only logs, is the unsynced rule.
cat >"$T/clock.conf" <<'POLICY'
timezone = "UTC";
not_before = "2020-01-01";
unsynced = "watch";
categories = { update = ( "upd.kaspersky.com" ); licensing = ( "activation-v2.kaspersky.com" ); };
phases = ( { name = "watch"; start = "2019-01-01"; others = "log"; },
	{ name = "enforce"; start = "2021-01-01"; actions = { update = "nxdomain"; }; others = "log"; } );
POLICY
HOSTS_POLICY=$T/clock.conf
hosts_conf "$T/dnsd.conf"

# run_with DESC EXPECTED-RCODE ARGS...: dnsd with ARGS, the answer for the
# update name checked, then stopped.
run_with() {
	local desc=$1 want=$2; shift 2
	start_dnsd "$T/dnsd.conf" "$@"
	wait_dns "$DNSD_PORT" && wait_ctl || { not_ok "dnsd $*: answers"; cat "$DNSD_LOG"; exit 1; }
	expect_eq "$desc" "$want" "$(rcode upd.kaspersky.com A)"
}

run_with "the system clock (past 2021): update blocked" NXDOMAIN
expect_match "the log says the system clock is in force" "policy: clock: the system clock" "$(cat "$DNSD_LOG")"
stop_dnsd

run_with "-n @0: the unsynced rule (watch: logged, answered)" NOERROR -n @0
log=$(cat "$DNSD_LOG")
expect_match "-n @0: the log names the instant" "policy: clock set to 1970-01-01T00:00:00Z" "$log"
expect_match "-n @0: the unsynced warning prints dates" \
	"warn.*the clock \\(1970-01-01T00:00:[0-9]{2}Z\\) is before 2020-01-01T00:00:00Z \\(not synced\\?\\)" "$log"
status=$(ctl status)
expect_match "-n @0: status says the clock is unsynced" "clock: UNSYNCED \\(set by -n" "$status"
expect_match "-n @0: status names the unsynced rule's phase" "phase in force: watch \\(the unsynced rule\\)" "$status"
expect_match "-n @0: the host is still recorded" "127\\.0\\.0\\.1 .*update" "$(ctl hosts)"
stop_dnsd

run_with "-n 1970-01-01: the unsynced rule too" NOERROR -n 1970-01-01
stop_dnsd
run_with "-n 2019-06-01 (before not_before): the unsynced rule" NOERROR -n 2019-06-01
stop_dnsd
run_with "-n 2021-06-01: the timeline at that instant, build date or not" NXDOMAIN -n 2021-06-01
stop_dnsd
out=$("$DNSD" -t -c "$T/dnsd.conf" -n 1969-12-31 2>&1); rc=$?
expect_eq "-n before 1970 is refused" "1 dnsd: -n 1969-12-31: not a date-time" "$rc ${out%% (*}"

# The shipped policy with the policy clock after its last phase: no next
# boundary (the build date, the clock floor, is none).
cat >"$T/shipped.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
control_socket = "$T/ctl.sock";
policy = { file = "$TOP/policy/kaspersky.conf"; now = "2024-10-15T00:00:00Z"; };
CONF
start_dnsd "$T/shipped.conf"
wait_ctl || { not_ok "dnsd with the shipped policy answers"; cat "$DNSD_LOG"; exit 1; }
status=$(ctl status)
expect_match "policy clock at 2024-10-15: the last phase in force" "phase in force: cutoff" "$status"
expect_match "and no next boundary" "next boundary: none \\(no later phase\\)" "$status"
stop_dnsd

# dnsd-policy explain at an unset clock says what dnsd does then.
out=$("$DNSD_POLICY" explain "$T/clock.conf" upd.kaspersky.com --at 1970-01-01)
expect_match "explain --at 1970-01-01: the clock is unsynced" "clock: +unsynced \\(before 2020-01-01" "$out"
expect_match "explain --at 1970-01-01: the unsynced rule's phase and action" "phase: +watch.*action: +log" "$(tr '\n' ' ' <<<"$out")"
out=$("$DNSD_POLICY" explain "$T/clock.conf" upd.kaspersky.com --at 2021-06-01)
check "explain --at after not_before: no unsynced line" bash -c "! grep -q unsynced <<<'$out'"

# Audit mode: everything recorded, nothing blocked, whatever the phase.
for how in conf flag; do
	if [ $how = conf ]; then
		sed 's|policy = { file = "\([^"]*\)"; };|policy = { file = "\1"; audit = true; };|' \
		    "$T/dnsd.conf" >"$T/audit.conf"
		args=()
	else
		cp "$T/dnsd.conf" "$T/audit.conf"
		args=(-a)
	fi
	rm -f "$T/hosts.state"
	start_dnsd "$T/audit.conf" "${args[@]}"
	wait_dns "$DNSD_PORT" && wait_ctl || { not_ok "audit ($how): dnsd answers"; cat "$DNSD_LOG"; exit 1; }
	expect_eq "audit ($how): a blocked name resolves" 192.0.2.10 "$(qfrom 127.0.0.2 +short upd.kaspersky.com A)"
	qfrom 127.0.0.3 activation-v2.kaspersky.com A >/dev/null
	table=$(ctl hosts)
	expect_match "audit ($how): the host asking it is recorded, as logged" \
	    '127\.0\.0\.2 .*anna-laptop' "$table"
	expect_match "audit ($how): its last action is log" 'last log; update 1' "$table"
	expect_match "audit ($how): the other host too" '127\.0\.0\.3 .*bob-pc' "$table"
	expect_match "audit ($how): status shows audit mode" "audit mode: on" "$(ctl status)"
	expect_match "audit ($how): logged at start" "policy: audit mode on" "$(cat "$DNSD_LOG")"
	stop_dnsd
done
# Audit mode with -n @0 too (the unsynced rule would otherwise block).
sed -i 's/unsynced = "watch";/unsynced = "latest";/' "$T/clock.conf"
run_with "audit and -n @0 with a blocking unsynced rule: answered" NOERROR -a -n @0
stop_dnsd
run_with "without audit the same clock blocks" NXDOMAIN -n @0
stop_dnsd
exit $FAILED
