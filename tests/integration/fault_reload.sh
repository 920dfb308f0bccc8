#!/usr/bin/env bash
# SIGHUP with hostile files (core_config.sh and policy_daemon.sh cover a
# plain syntax error): an empty file (for the policy: one with no patterns,
# refused when the policy in force has some), random binary, a lone ""
# (libconfig leaks on it: tests/fuzz/lsan.supp), a directory, a missing
# file, for the config and for the policy; a 1 MB junk policy. Every one is
# refused with a log line, the old configuration and policy stay in force
# and serve; then 50 SIGHUPs in a row with good files while queries run.
. "$(dirname "$0")/../lib.sh"

export LSAN_OPTIONS="suppressions=$TOP/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
block_policy "$T/policy.conf"
cp "$T/policy.conf" "$T/policy.conf.good"
DNSD_EXTRA='policy = { file = "policy.conf"; };'
fakeup_dnsd
cp "$T/dnsd.conf" "$T/dnsd.conf.good"
expect_eq "before: the policy blocks" NXDOMAIN "$(rcode good.blocked.test A)"

# hup_with FILE DESC: install the bad FILE (already written), SIGHUP, then
# expect a refusal in the log and the old state serving; restore FILE.
hup_with() {
	local file=$1 desc=$2 before
	before=$(grep -c "keeping the previous" "$DNSD_LOG")
	kill -HUP "$DNSD_PID"
	for i in $(seq 50); do
		[ "$(grep -c "keeping the previous" "$DNSD_LOG")" -gt "$before" ] && break
		sleep 0.1
	done
	expect_eq "$desc: refused, logged" 1 "$(($(grep -c "keeping the previous" "$DNSD_LOG") > before))"
	expect_eq "$desc: the old policy still blocks" NXDOMAIN "$(rcode good.blocked.test A)"
	expect_eq "$desc: other names still resolve" "NOERROR 192.0.2.1" "$(answer good.$RANDOM.test A)"
	rm -rf "$T/$file"
	cp "$T/$file.good" "$T/$file"
}
for f in dnsd.conf policy.conf; do
	: >"$T/$f"; hup_with "$f" "empty $f"
	head -c 3000 /dev/urandom >"$T/$f"; hup_with "$f" "random binary $f"
	printf '""' >"$T/$f"; hup_with "$f" "a lone \"\" as $f"
	rm "$T/$f"; mkdir "$T/$f"; hup_with "$f" "a directory as $f"
	rm "$T/$f"; hup_with "$f" "missing $f"
done
head -c 1000000 /dev/urandom | base64 -w 200 | sed 's/^/categories = { x = ( "/; s/$/" ); };/' \
	>"$T/policy.conf"
hup_with policy.conf "a 1 MB junk policy"

for i in $(seq 50); do kill -HUP "$DNSD_PID"; done &
HUPS=$!
for i in $(seq 20); do rcode good.blocked.test A; done | sort | uniq -c >"$T/during"
wait $HUPS
expect_eq "50 SIGHUPs in a row: every answer during them right" "20 NXDOMAIN" "$(awk '{ print $1, $2 }' "$T/during")"
expect_eq "after them: still serving" "NOERROR 192.0.2.1" "$(answer good.after.test A)"
stop_dnsd
exit $FAILED
