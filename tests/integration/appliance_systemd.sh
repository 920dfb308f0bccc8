#!/usr/bin/env bash
# appliance/systemd/dnsd.service: `systemd-analyze verify` finds nothing
# wrong with it (pointed at this build's dnsd), its sandbox rates "OK" or
# better in `systemd-analyze security`, and the config it expects passes
# `dnsd -t`.  Running it needs a systemd PID 1, which CI does not have.
source "$(dirname "$0")/../lib.sh"

if ! command -v systemd-analyze >/dev/null; then
	echo "# skipped: no systemd-analyze"
	exit 0
fi
unit=$TOP/appliance/systemd/dnsd.service
sed "s|/usr/local/sbin/dnsd|$DNSD|g" "$unit" >"$T/dnsd.service"
# Man pages are not installed here; everything else must be clean.
out=$(systemd-analyze verify "$T/dnsd.service" 2>&1 | grep -v "Command 'man ")
expect_eq "systemd-analyze verify finds nothing wrong" "" "$out"
exposure=$(systemd-analyze security --offline=yes "$T/dnsd.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
check "the sandbox rates at most 2.0 (systemd-analyze security: $exposure)" \
	awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }'
check "ExecReload sends SIGHUP" grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$unit"

# The settings docs/openwrt.md tells Debian users to use with this unit.
cat >"$T/dnsd.conf" <<CONF
listen = [ "0.0.0.0@53", "::@53" ];
upstreams = [ "192.0.2.53" ];
control_socket = "/run/dnsd/control.sock";
hosts = { state_file = "/var/lib/dnsd/hosts.state"; leases = "/var/lib/misc/dnsmasq.leases"; };
log = { file = "/var/log/dnsd/events.log"; host_dir = "/var/log/dnsd/hosts"; };
CONF
# dnsd -t checks that the directories it writes in exist: moved under $T,
# with what the unit's *Directory= settings make systemd create before
# ExecStartPre, they must pass.
out=$("$DNSD" -t -c "$T/dnsd.conf" 2>&1)
[ -d /var/lib/dnsd ] || expect_match "without the unit's directories dnsd -t names the missing one" \
	"dnsd.conf:4: state_file: directory /var/lib/dnsd: No such file" "$out"
for kind in Runtime:run State:var/lib Logs:var/log; do
	for d in $(sed -n "s/^${kind%%:*}Directory=//p" "$unit"); do mkdir -p "$T/${kind#*:}/$d"; done
done
sed -i -e "s|\"/var/|\"$T/var/|g" -e "s|\"/run/|\"$T/run/|g" "$T/dnsd.conf"
check "the documented Debian settings pass dnsd -t in the directories the unit creates" \
	"$DNSD" -t -c "$T/dnsd.conf"
exit $FAILED
