#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/fuzz_*.c) with clang against the
# project's own sources, then either fuzzes each one or replays its corpus.
# Usage: tests/fuzz/run.sh [--check | --build] [HARNESS...]
#   (default)  fuzz each harness FUZZ_SECONDS (60) and print execs/s and coverage
#   --check    run each harness once over tests/fuzz/corpus/H and tests/fuzz/regress/H
#              (no fuzzing; TAP-ish "ok - ..." lines for the test suite)
#   --build    build only
# Environment: FUZZ_SECONDS, FUZZ_BUILD (build-fuzz), FUZZ_JOBS (harnesses run
# at once, 1), FUZZ_NICE (niceness of the fuzzers, 10), CLANG (clang).
# Exit: 0 clean, 1 a crash or a failing input, 2 no clang, 3 a build failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)

mode=fuzz
case "${1:-}" in
--check) mode=check; shift ;;
--build) mode=build; shift ;;
-h | --help) sed -n '2,11p' "$0"; exit 0 ;;
esac

CLANG=${CLANG:-clang}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
niceness=${FUZZ_NICE:-10}
out=$top/${FUZZ_BUILD:-build-fuzz}
fuzzdir=$top/tests/fuzz

harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
	for f in "$fuzzdir"/fuzz_*.c; do [ -f "$f" ] && harnesses+=("$(basename "$f" .c)"); done
fi
[ ${#harnesses[@]} -gt 0 ] || { echo "fuzz: no harnesses in $fuzzdir" >&2; exit 3; }

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
epoch=$(git log -1 --format=%ct 2>/dev/null || date +%s)
# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION is the libFuzzer convention; the
# project code does not change behaviour on it.
# Warnings are the gcc build's business; here only the harnesses get them.
cflags="-std=gnu11 -g -O1 $san -Ilib -Idnsd -Ipolicy -I$fuzzdir
	$(pkg-config --cflags ldns libevent libconfig) -DDNSD_BUILD_EPOCH=${epoch}LL
	-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -DDNSD_HTTP"
libs="$(pkg-config --libs ldns libevent libconfig)"
export LSAN_OPTIONS="suppressions=$fuzzdir/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# Harnesses that parse files write them here; a harness that crashes or
# times out cannot clean up after itself.
export FUZZ_SCRATCH=$out/scratch

# The project's library sources: everything but the programs' main files.
lib_sources() {
	local f
	for f in lib/*.c dnsd/*.c dnsd/hosts/*.c policy/*.c; do
		case "$f" in dnsd/main.c | policy/dnsd-policy.c) ;; *) echo "$f" ;; esac
	done
}

# Compiles what changed (a header change rebuilds everything) into one
# archive, so each harness links only the objects it uses.
build_lib() {
	local src obj newest_h rebuilt=0 objs=()
	mkdir -p "$out/obj"
	newest_h=$(ls -t lib/*.h dnsd/*.h dnsd/hosts/*.h policy/*.h "$fuzzdir"/*.h 2>/dev/null | head -1)
	for src in $(lib_sources); do
		obj=$out/obj/$(echo "$src" | tr / _).o
		objs+=("$obj")
		if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_h" -nt "$obj" ]; then
			# shellcheck disable=SC2086
			$CLANG $cflags -fsanitize=fuzzer-no-link -c -o "$obj" "$src" || return 1
			rebuilt=1
		fi
	done
	# From the list, not obj/*.o: an object of a moved source would
	# define its symbols twice.
	if [ $rebuilt = 1 ] || [ ! -f "$out/libfuzzdnsd.a" ]; then
		rm -f "$out/libfuzzdnsd.a"
		ar rcs "$out/libfuzzdnsd.a" "${objs[@]}" || return 1
	fi
}

build_harness() {
	local h=$1 bin=$out/$1
	if [ -f "$bin" ] && [ ! "$fuzzdir/$h.c" -nt "$bin" ] && [ ! "$out/libfuzzdnsd.a" -nt "$bin" ]; then
		return 0
	fi
	# shellcheck disable=SC2086
	$CLANG $cflags -D_GNU_SOURCE -DFUZZ_DIR="\"$fuzzdir\"" -Wall -Wextra -Wshadow \
	    -fsanitize=fuzzer -o "$bin" "$fuzzdir/$h.c" "$out/libfuzzdnsd.a" $libs
}

# Inputs of a harness for --check: seeds and regression inputs.
inputs_of() {
	find "$fuzzdir/corpus/$1" "$fuzzdir/regress/$1" -type f 2>/dev/null | sort
}

check_harness() {
	local h=$1 n log
	mapfile -t files < <(inputs_of "$h")
	n=${#files[@]}
	if [ "$n" -eq 0 ]; then
		echo "not ok - $h has a seed corpus"
		return 1
	fi
	log=$out/$h.check.log
	# Given files (not directories) libFuzzer runs each once and stops.
	if "$out/$h" -rss_limit_mb=2048 -timeout=20 "${files[@]}" >"$log" 2>&1; then
		echo "ok - $h runs clean over its $n corpus and regression inputs"
	else
		echo "not ok - $h runs clean over its $n corpus and regression inputs"
		{ grep 'Running: ' "$log" | tail -1; grep -E 'ERROR|SUMMARY|Assertion|runtime error' "$log"; } |
		    head -20 | sed 's/^/#   /'
		return 1
	fi
}

# Fuzz one harness; leaves a one-line summary in $out/$h.summary.
fuzz_harness() {
	local h=$1 work=$out/corpus/$1 log=$out/$1.fuzz.log dict="" rc leaks seeds=()
	mkdir -p "$work" "$out/crashes"
	[ -f "$fuzzdir/dict/$h.dict" ] && dict="-dict=$fuzzdir/dict/$h.dict"
	[ -d "$fuzzdir/corpus/$h" ] && seeds+=("$fuzzdir/corpus/$h")
	[ -d "$fuzzdir/regress/$h" ] && seeds+=("$fuzzdir/regress/$h")
	# libconfig leaks on many syntax errors (lsan.supp); suppressed or not,
	# each leak makes libFuzzer scan the heap, 17 times slower. Those
	# harnesses fuzz without leak checks and replay their corpus with them.
	case $h in fuzz_config | fuzz_policy) leaks=0 ;; *) leaks=1 ;; esac
	# New inputs go to the work corpus (first directory); the seed
	# directories in the tree are only read.
	# shellcheck disable=SC2086
	nice -n "$niceness" "$out/$h" -max_total_time="$seconds" -print_final_stats=1 \
	    -detect_leaks=$leaks -rss_limit_mb=2048 -timeout=20 \
	    -artifact_prefix="$out/crashes/$h-" $dict "$work" "${seeds[@]}" >"$log" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && [ $leaks = 0 ]; then
		find "$work" -type f | xargs -r -n 1000 nice -n "$niceness" "$out/$h" \
		    -timeout=20 >"$out/$h.replay.log" 2>&1 || rc=$?
		[ $rc -eq 0 ] || sed -n '/ERROR: LeakSanitizer/,/SUMMARY/p' "$out/$h.replay.log" >>"$log"
	fi
	summarise "$h" "$log" "$rc" >"$out/$h.summary"
}

# One line from libFuzzer's output: runs, execs/s, cov, ft, corpus, crash.
summarise() {
	local h=$1 log=$2 rc=$3 runs eps cov ft corp secs verdict
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
	corp=$(grep -oE 'corp: [0-9]+/[0-9]+[A-Za-z]*' "$log" | tail -1 | cut -d' ' -f2)
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
	if [ "$rc" -eq 0 ]; then
		verdict="no crash"
	else
		verdict="CRASH (exit $rc): $(grep -m1 -oE 'Test unit written to .*|SUMMARY: .*' "$log")"
	fi
	printf '%-14s %5ss  %8s execs/s  %10s runs  cov %6s  ft %6s  corpus %-10s %s\n' \
	    "$h" "${secs:-?}" "${eps:-?}" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$verdict"
}

if ! command -v "$CLANG" >/dev/null; then
	echo "fuzz: $CLANG not found (tests/deps.sh fuzz installs it)" >&2
	exit 2
fi
mkdir -p "$out"
# One build at a time in this directory (make fuzz and the test suite's
# corpus check may meet).
exec 9>"$out/.lock"
flock 9
build_lib || { echo "fuzz: building the project sources with clang failed" >&2; exit 3; }
mkdir -p "$FUZZ_SCRATCH"
for d in "$FUZZ_SCRATCH"/dnsd-fuzz.*; do	# left by harnesses no longer running
	[ -d "$d" ] && ! kill -0 "${d##*.}" 2>/dev/null && rm -rf "$d"
done
failed=0
for h in "${harnesses[@]}"; do
	build_harness "$h" || { echo "fuzz: building $h failed" >&2; failed=1; }
done
flock -u 9
[ $failed = 0 ] || exit 3
[ $mode = build ] && exit 0

if [ $mode = check ]; then
	for h in "${harnesses[@]}"; do check_harness "$h" || failed=1; done
	exit $failed
fi

echo "fuzz: ${#harnesses[@]} harnesses, $seconds s each, $jobs at a time, logs in $out"
running=0
for h in "${harnesses[@]}"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	fuzz_harness "$h" &
	running=$((running + 1))
done
wait
for h in "${harnesses[@]}"; do
	cat "$out/$h.summary"
done | tee "$out/results.txt"
grep -q CRASH "$out/results.txt" && exit 1
exit 0
