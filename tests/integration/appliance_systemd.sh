#!/usr/bin/env bash
# The unit `make` generates from appliance/systemd/dnsd.service.in:
# `systemd-analyze verify` finds nothing wrong with it (pointed at this
# build's dnsd), its sandbox rates "OK" or better in `systemd-analyze
# security`.  Running it needs a systemd PID 1, which CI does not have:
# appliance_deb.sh runs its ExecStart from the installed package.
source "$(dirname "$0")/../lib.sh"

if ! command -v systemd-analyze >/dev/null; then
	echo "# skipped: no systemd-analyze"
	exit 0
fi
unit=$DNSD_BUILD/gen/dnsd.service
sbin=$(sed -n 's|^ExecStart=\(.*\)/dnsd .*|\1|p' "$unit")
check "the unit runs dnsd from the Makefile's SBINDIR ($sbin)" test "$sbin" = /usr/local/sbin
sed "s|$sbin/dnsd|$DNSD|g" "$unit" >"$T/dnsd.service"
# Man pages are not installed here; everything else must be clean.
out=$(systemd-analyze verify "$T/dnsd.service" 2>&1 | grep -v "Command 'man ")
expect_eq "systemd-analyze verify finds nothing wrong" "" "$out"
exposure=$(systemd-analyze security --offline=yes "$T/dnsd.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
check "the sandbox rates at most 2.0 (systemd-analyze security: $exposure)" \
	awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }'
check "ExecReload sends SIGHUP" grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$unit"

exit $FAILED
