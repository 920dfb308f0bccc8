#!/usr/bin/env bash
# Every record a sink drops is reported: a host_dir removed while dnsd runs
# (a missing one is refused at start) and a TCP collector that is not
# listening. DNS keeps answering; status counts
# the drops per sink; the log names each failing sink at the first drop and
# then at most once a minute (20 drops, one line each), and the drops since
# that line are reported at exit.
. "$(dirname "$0")/../lib.sh"

hosts_setup || { not_ok "nsd started"; exit 1; }
DEAD_PORT=$(free_port)
mkdir "$T/no-such-dir"
hosts_conf "$T/dnsd.conf" "" "host_dir = \"$T/no-such-dir\"; remote = \"127.0.0.1\"; remote_port = $DEAD_PORT; remote_protocol = \"tcp\";"
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" && wait_ctl || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }
rmdir "$T/no-such-dir"

expect_eq "every query answered while two sinks drop" 20 "$(nx_burst 127.0.0.2 20)"
status=$(ctl status)
expect_match "status counts the host_dir and remote drops" \
	'40 dropped \(file 0, host_dir 20, remote 20' "$(sed 's/log: .* \([0-9]* dropped\)/\1/' <<<"$status" | grep dropped)"
expect_eq "the missing host_dir is reported once for the burst" 1 \
	"$(grep -c "eventlog: host_dir $T/no-such-dir: 1 record dropped (No such file or directory)" "$DNSD_LOG")"
expect_eq "the collector away is reported once for the burst" 1 \
	"$(grep -c "eventlog: remote 127.0.0.1 port $DEAD_PORT: 1 record dropped" "$DNSD_LOG")"
stop_dnsd
expect_match "the later drops are reported at exit" \
	"host_dir $T/no-such-dir: 19 records dropped .*; 20 dropped since start" "$(cat "$DNSD_LOG")"
exit $FAILED
