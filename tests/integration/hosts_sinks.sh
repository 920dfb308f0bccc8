#!/usr/bin/env bash
# Where the event log goes when things go wrong, and far away: a full disk
# (a tiny tmpfs mounted here) leaves DNS answering and raises the dropped
# counter shown by status; a real rsyslog on loopback receives RFC 5424
# records over UDP and, after a reload, over TCP.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$T/full" "$T/rsyslog"
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; umount "$T/full" 2>/dev/null; cleanup' EXIT
mount -t tmpfs -o size=16k tmpfs "$T/full" || { not_ok "tmpfs mounted"; exit 1; }

UDP_PORT=$(free_port)
TCP_PORT=$(free_port)
cat >"$T/rsyslog.conf" <<CONF
global(workDirectory="$T/rsyslog")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="$UDP_PORT")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$TCP_PORT")
*.* action(type="omfile" file="$T/remote.log" template="RSYSLOG_SyslogProtocol23Format")
CONF
rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslog.pid" >"$T/rsyslog.out" 2>&1 &
PIDS+=($!)
for i in $(seq 100); do ss -Hltn "sport = :$TCP_PORT" | grep -q . && break; sleep 0.1; done

hosts_setup || { not_ok "nsd started"; exit 1; }
# the disk is full before dnsd starts: the state file and the log cannot be written
dd if=/dev/zero of="$T/full/filler" bs=1k count=64 2>/dev/null
HOSTS_STATE=$T/full/hosts.state HOSTS_EVENTS=$T/full/events.log hosts_conf "$T/dnsd.conf" \
	"save_interval = 1;" "remote = \"127.0.0.1\"; remote_port = $UDP_PORT;"
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" && wait_ctl || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }

expect_eq "full disk: every query answered" 20 "$(nx_burst 127.0.0.2 20)"
expect_eq "full disk: names outside the policy still resolve" 192.0.2.40 "$(qfrom 127.0.0.2 +short www.kaspersky.com A)"
status=$(ctl status)
expect_match "full disk: status shows the log file failing" 'log: file FAILING' "$status"
dropped=$(sed -n 's/.* \([0-9][0-9]*\) dropped.*/\1/p' <<<"$status")
check "full disk: the dropped counter rose (got ${dropped:-none})" test "${dropped:-0}" -ge 19
expect_match "full disk: status counts the drops per sink" 'dropped \(file [1-9][0-9]*, host_dir 0' "$status"
expect_eq "full disk: the drops are reported in the log, once for the burst" 1 \
	"$(grep -c "eventlog: file $T/full/events.log: 1 record dropped" "$DNSD_LOG")"
for i in $(seq 100); do ctl status | grep -Eq '[1-9][0-9]* save errors' && break; sleep 0.1; done
expect_match "full disk: state save errors are counted" '[1-9][0-9]* save errors' "$(ctl status)"
expect_eq "full disk: the table still counts" 20 "$(ctl hosts --json | jq '.hosts[0].total')"

# Space again: the log resumes without a restart.
rm -f "$T/full/filler"
sleep 1.1	# a broken log file is retried once a second
qfrom 127.0.0.2 again.upd.kaspersky.com A >/dev/null
expect_match "space again: the log file works" 'log: file ok' "$(ctl status)"
expect_match "space again: the drops since the first line are reported" \
	"eventlog: file $T/full/events.log: [1-9][0-9]* records dropped \(No space left on device\)" "$(cat "$DNSD_LOG")"
expect_eq "space again: the new record is in the file" again.upd.kaspersky.com \
	"$(jq -r .name "$T/full/events.log" 2>/dev/null | tail -1)"
for i in $(seq 100); do grep -q 'saved again' "$DNSD_LOG" && break; sleep 0.1; done
expect_eq "space again: the state file failure was logged once, its recovery too" "1 1" \
	"$(grep -c "hosts: cannot save $T/full/hosts.state" "$DNSD_LOG") $(grep -c "hosts: $T/full/hosts.state saved again" "$DNSD_LOG")"

# rsyslog received RFC 5424 records over UDP (all of them: UDP is not the full disk).
for i in $(seq 100); do [ "$(grep -c 'dnsd' "$T/remote.log" 2>/dev/null)" -ge 21 ] && break; sleep 0.1; done
expect_eq "rsyslog (UDP): every record arrived" 21 "$(grep -c ' dnsd ' "$T/remote.log" 2>/dev/null)"
line=$(grep 'n1\.upd' "$T/remote.log" | head -1)
expect_match "rsyslog (UDP): RFC 5424 header: PRI, version, time, host, app, procid, msgid" \
	"^<30>1 20[0-9-]+T[0-9:.]+(Z|[+-][0-9:]+) [^ ]+ dnsd $DNSD_PID attempt - " "$line"
expect_eq "rsyslog (UDP): the message is the JSON event" n1.upd.kaspersky.com \
	"$(sed 's/^[^{]*//' <<<"$line" | jq -r .name)"

# Reload to TCP; rsyslog gets the next records over TCP.
hosts_conf "$T/dnsd.conf" "" "remote = \"127.0.0.1\"; remote_port = $TCP_PORT; remote_protocol = \"tcp\";"
kill -HUP "$DNSD_PID"
for i in $(seq 100); do grep -q 'reloaded' "$DNSD_LOG" && break; sleep 0.1; done
for i in $(seq 100); do ctl status | grep -q 'remote ok' && break; sleep 0.1; done
qfrom 127.0.0.3 tcp.upd.kaspersky.com A >/dev/null
for i in $(seq 100); do grep -q 'tcp\.upd' "$T/remote.log" 2>/dev/null && break; sleep 0.1; done
expect_match "rsyslog (TCP): the record arrived, octet-counted framing understood" \
	"^<30>1 [^ ]+ [^ ]+ dnsd $DNSD_PID attempt - \{\"time\".*\"name\":\"tcp\.upd\.kaspersky\.com\"" \
	"$(grep 'tcp\.upd' "$T/remote.log")"
stop_dnsd
exit $FAILED
