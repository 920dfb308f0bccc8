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

printf 'log = { host_dir = "no-such-dir"; };\n' >>"$T/dnsd.conf"
out=$(ctl reload 2>&1); rc=$?
expect_eq "reload naming a missing host_dir exits 1" 1 "$rc"
expect_match "and names the setting's line" "dnsd.conf:[0-9]+: host_dir: directory $T/no-such-dir: No such file" "$out"
mkdir "$T/no-such-dir"
expect_eq "once it exists the reload succeeds" 0 "$(ctl reload >/dev/null 2>&1; echo $?)"
cp "$T/dnsd.conf.good" "$T/dnsd.conf"
ctl reload >/dev/null

# A second dnsd on the same control socket (its own DNS port and pid file).
PORT2=$(free_port)
sed -e "s/127.0.0.1@$DNSD_PORT/127.0.0.1@$PORT2/" -e "s|$T/dnsd.pid|$T/dnsd2.pid|" \
    "$T/dnsd.conf" >"$T/second.conf"
out=$(timeout 10 "$DNSD" -d -c "$T/second.conf" 2>&1); rc=$?
expect_eq "a second dnsd on the same control socket exits 1" 1 "$rc"
expect_match "and says another process answers there" "ctl.sock: another process .* answers there" "$out"
check "the first's socket is still there" test -S "$T/ctl.sock"
check "and answers" ctl status
check "the second wrote no pid file" test ! -e "$T/dnsd2.pid"

# A second dnsd with the same pid file (its own socket and port).
sed -e "s/127.0.0.1@$DNSD_PORT/127.0.0.1@$PORT2/" -e "s|$T/ctl.sock|$T/ctl2.sock|" \
    "$T/dnsd.conf" >"$T/second.conf"
out=$(timeout 10 "$DNSD" -d -c "$T/second.conf" 2>&1); rc=$?
expect_eq "a second dnsd with the same pid file exits 1" 1 "$rc"
expect_match "and names the pid that holds it" "dnsd.pid is locked by another dnsd \\(pid $DNSD_PID\\)" "$out"
expect_eq "the pid file still names the first" "$DNSD_PID" "$(cat "$T/dnsd.pid")"
check "the second left no socket" test ! -e "$T/ctl2.sock"
stop_dnsd
check "the first removes its pid file on exit" test ! -e "$T/dnsd.pid"

# A stale socket (its dnsd was killed): nobody answers, it is replaced.
start_dnsd "$T/dnsd.conf"
wait_ctl || { not_ok "dnsd restarts"; cat "$DNSD_LOG"; exit 1; }
kill -KILL "$DNSD_PID"; wait "$DNSD_PID" 2>/dev/null
check "a killed dnsd leaves its socket behind" test -S "$T/ctl.sock"
start_dnsd "$T/dnsd.conf"
wait_ctl
check "a new dnsd replaces a stale socket and answers on it" ctl status
expect_eq "and holds the pid file" "$DNSD_PID" "$(cat "$T/dnsd.pid" 2>/dev/null)"
stop_dnsd

exit $FAILED
