#!/usr/bin/env bash
# Started as root with user = "nobody", dnsd binds first (port 53 on a
# loopback address of its own) and then runs with no privilege at all: every
# UID and GID of /proc/PID/status is nobody's, no supplementary groups, no
# capabilities, yet it answers over UDP and TCP. The control socket is mode
# 0660, never world-writable: root uses it, another user cannot.
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "ok - privileges are dropped after binding # skip not root"
	exit 0
fi
NOBODY=$(id -u nobody) NOGROUP=$(getent group nogroup | cut -d: -f3)
UP=$(free_port)
start_fakeup "$UP" || { not_ok "fake upstream started"; exit 1; }
# Port 53 needs root to bind; 127.0.0.77 keeps clear of any system resolver.
DNSD_PORT=53 ADDR=127.0.0.77
if ss -Hlnu "sport = :53" | grep -q "$ADDR:53"; then
	DNSD_PORT=$(free_port)
	echo "# $ADDR:53 is taken: testing on port $DNSD_PORT"
fi
cat >"$T/dnsd.conf" <<CONF
listen = [ "$ADDR@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$UP" ];
user = "nobody";
group = "nogroup";
control_socket = "$T/ctl.sock";
CONF
start_dnsd "$T/dnsd.conf"
for i in $(seq 100); do [ -S "$T/ctl.sock" ] && wait_dns "$DNSD_PORT" "$ADDR" && break; sleep 0.1; done
# status FIELD: the values of a /proc/PID/status line, one space apart.
status() { awk -v f="$1:" '$1 == f { $1 = ""; print substr($0, 2) }' "/proc/$DNSD_PID/status"; }
expect_eq "every UID is nobody's" "$NOBODY $NOBODY $NOBODY $NOBODY" "$(status Uid | tr -s '\t ' ' ')"
expect_eq "every GID is nogroup's" "$NOGROUP $NOGROUP $NOGROUP $NOGROUP" "$(status Gid | tr -s '\t ' ' ')"
expect_match "no supplementary groups but nogroup" "^($NOGROUP)? *$" "$(status Groups)"
expect_eq "no effective capabilities" "0000000000000000" "$(status CapEff)"
expect_eq "no permitted capabilities" "0000000000000000" "$(status CapPrm)"
expect_eq "still answers over UDP" 192.0.2.1 \
	"$(dig @$ADDR -p "$DNSD_PORT" +tries=1 +time=3 +short good.udp.test A)"
expect_eq "still answers over TCP" 192.0.2.1 \
	"$(dig @$ADDR -p "$DNSD_PORT" +tcp +tries=1 +time=3 +short good.tcp.test A)"
expect_eq "control socket mode 0660" 660 "$(stat -c %a "$T/ctl.sock")"
expect_eq "control socket not world-writable" 0 "$((0$(stat -c %a "$T/ctl.sock") & 2))"
check "root can use the control socket" "$DNSDCTL" -s "$T/ctl.sock" status
expect_match "another user cannot (permission denied)" "Permission denied" \
	"$(setpriv --reuid=1 --regid=1 --clear-groups "$DNSDCTL" -s "$T/ctl.sock" status 2>&1)"
stop_dnsd
exit $FAILED
