#!/usr/bin/env bash
# The fuzz harnesses (tests/fuzz/fuzz_*.c), built with clang, libFuzzer and
# ASan+UBSan, each run once over its seed corpus and every regression input
# (inputs that once crashed it): no fuzzing, just proof that nothing known
# crashes, leaks or trips a harness assertion. Skipped without clang.
. "$(dirname "$0")/../lib.sh"

if ! command -v clang >/dev/null; then
	echo "ok - fuzz harnesses replay their corpora # skip clang not installed"
	exit 0
fi
# One build directory for every run (the test suite runs this once per dnsd
# build; the second time only replays).
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz} "$TOP/tests/fuzz/run.sh" --check 2>"$T/build.log"
case $? in
0) ;;
1) FAILED=1 ;;	# a harness failed: its "not ok" line is out
*) not_ok "fuzz harnesses build with clang"; sed 's/^/#   /' "$T/build.log" | tail -30 ;;
esac
exit $FAILED
