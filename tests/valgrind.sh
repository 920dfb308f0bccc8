#!/usr/bin/env bash
# dnsd once under Valgrind (memcheck, full leak check): start, a mix of
# cached, uncached, blocked and malformed queries over UDP and TCP, control
# commands, a good and a bad SIGHUP, SIGTERM. Passes with no memcheck error
# and nothing definitely or indirectly lost (libconfig's own leak on a bad
# file is suppressed like in tests/fuzz/lsan.supp).
# Usage: tests/valgrind.sh [BUILD_DIR]   (default build: not a sanitizer build)
set -u
cd "$(dirname "$0")/.."
export DNSD_BUILD=${1:-$PWD/build}
case $DNSD_BUILD in /*) ;; *) DNSD_BUILD=$PWD/$DNSD_BUILD ;; esac
. tests/lib.sh
command -v valgrind >/dev/null || { echo "valgrind: not installed (tests/deps.sh bench)" >&2; exit 2; }
cat >"$T/libconfig.supp" <<'SUPP'
{
   libconfig-string-token-on-syntax-error
   Memcheck:Leak
   ...
   fun:libconfig_yylex
}
SUPP
cat >"$T/dnsd-valgrind" <<WRAP
#!/bin/sh
exec valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \\
    --suppressions=$T/libconfig.supp --log-file=$T/valgrind.log $DNSD_BUILD/dnsd "\$@"
WRAP
chmod +x "$T/dnsd-valgrind"
DNSD=$T/dnsd-valgrind
block_policy "$T/policy.conf"
DNSD_EXTRA="policy = { file = \"policy.conf\"; };
control_socket = \"$T/ctl.sock\";
forward = { timeout_ms = 2000; budget_ms = 4000; };"
fakeup_dnsd
for i in $(seq 100); do echo "good.v$((i % 30)).test A"; echo "w$i.blocked.test AAAA"; done >"$T/names"
dig @127.0.0.1 -p "$DNSD_PORT" +tries=2 +time=5 -f "$T/names" | grep -c 'status:' >"$T/n"
expect_eq "200 queries answered under valgrind" 200 "$(cat "$T/n")"
expect_eq "TCP answered" "192.0.2.1" "$(q +tcp +short good.tcp.test A)"
for f in pointer-loop qdcount2 name-256 opcode-notify two-opts; do
	tail -c +2 "$TOP/tests/fuzz/corpus/fuzz_query/$f" >/dev/udp/127.0.0.1/"$DNSD_PORT"
done
for c in status stats hosts "hosts json" "host 127.0.0.1" flush-cache; do
	# shellcheck disable=SC2086
	"$DNSDCTL" -s "$T/ctl.sock" $c >/dev/null 2>&1
done
kill -HUP "$DNSD_PID"
printf '""' >"$T/policy.conf"
sleep 2
kill -HUP "$DNSD_PID"
sleep 2
expect_eq "still answering after two reloads" NXDOMAIN "$(rcode x.blocked.test A)"
kill -TERM "$DNSD_PID"
wait "$DNSD_PID"
rc=$?
sed -n '/HEAP SUMMARY/,$p' "$T/valgrind.log" | sed 's/^==[0-9]*== */# /'
expect_eq "valgrind: no errors, no definite or indirect leak (exit status)" 0 "$rc"
expect_match "valgrind: nothing definitely lost" "definitely lost: 0 bytes|All heap blocks were freed" \
	"$(cat "$T/valgrind.log")"
exit $FAILED
