#!/usr/bin/env bash
# The control socket and the pid file belong to one dnsd: `dnsdctl reload`
# says why a reload was refused and exits non-zero (a bad config, a bad
# policy); a second dnsd on the same socket or the same pid file refuses to
# start and leaves the first reachable; a stale socket (nobody answers) is
# replaced.
. "$(dirname "$0")/../lib.sh"

block_policy "$T/policy.conf"
cp "$T/policy.conf" "$T/policy.conf.good"
DNSD_EXTRA="policy = { file = \"policy.conf\"; };
control_socket = \"$T/ctl.sock\";
pid_file = \"$T/dnsd.pid\";"
fakeup_dnsd
cp "$T/dnsd.conf" "$T/dnsd.conf.good"
wait_ctl || { not_ok "control socket answers"; cat "$DNSD_LOG"; exit 1; }

out=$(ctl reload 2>&1); rc=$?
expect_eq "reload of good files exits 0" 0 "$rc"
expect_match "and says so" "reloaded" "$out"

printf 'listen = [ "127.0.0.1@53" ];\nfrobnicate = 1;\n' >"$T/dnsd.conf"
out=$(ctl reload 2>&1); rc=$?
expect_eq "reload of a bad config file exits 1" 1 "$rc"
expect_match "and prints the error with its file and line" "dnsd.conf:2: unknown setting 'frobnicate'" "$out"
expect_match "and says the old configuration stays" "keeping the previous configuration" "$out"
expect_eq "the old configuration still serves" NXDOMAIN "$(rcode x.blocked.test A)"
cp "$T/dnsd.conf.good" "$T/dnsd.conf"

printf 'categories = { block = ( "blocked.test" ); };\nphases = ( { name = "on"; start = "not a date"; } );\n' >"$T/policy.conf"
out=$(ctl reload 2>&1); rc=$?
expect_eq "reload of a bad policy file exits 1" 1 "$rc"
expect_match "and prints the policy error with its file and line" "policy.conf:2: " "$out"
expect_eq "the old policy still blocks" NXDOMAIN "$(rcode x.blocked.test A)"
cp "$T/policy.conf.good" "$T/policy.conf"

exit $FAILED
