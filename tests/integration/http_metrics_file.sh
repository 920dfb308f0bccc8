#!/usr/bin/env bash
# metrics_file: the Prometheus metrics as a textfile for node-exporter's
# textfile collector, with or without the HTTP server (make HTTP=0): it
# passes `promtool check metrics`, carries the answers by category and
# action, is rewritten on its timer and replaced atomically.
. "$(dirname "$0")/../lib.sh"

command -v promtool >/dev/null || { not_ok "promtool installed (tests/deps.sh test)"; exit 1; }
hosts_setup || { not_ok "nsd started"; exit 1; }
hosts_conf "$T/dnsd.conf"
printf 'metrics_file = "%s/prom/dnsd.prom";\nmetrics_interval = 1;\n' "$T" >>"$T/dnsd.conf"
mkdir -p "$T/prom"
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }
for _ in 1 2 3; do qfrom 127.0.0.2 upd.kaspersky.com A >/dev/null; done
qfrom 127.0.0.3 ds.kaspersky.com A >/dev/null

f=$T/prom/dnsd.prom
for _ in $(seq 100); do grep -q 'category="ksn",action="log"} 1' "$f" 2>/dev/null && break; sleep 0.1; done
lint=$(promtool check metrics <"$f" 2>&1); rc=$?
expect_eq "promtool check metrics: clean" "0 " "$rc $lint"
expect_match "answers by category and action" 'dnsd_policy_answers_total\{category="update",action="nxdomain"\} 3' "$(cat "$f")"
expect_match "the phase as an info metric" 'dnsd_policy_phase_info\{phase="enforce"\} 1' "$(cat "$f")"
qfrom 127.0.0.2 upd.kaspersky.com A >/dev/null
for _ in $(seq 100); do grep -q 'action="nxdomain"} 4' "$f" && break; sleep 0.1; done
expect_match "rewritten on its timer" 'category="update",action="nxdomain"\} 4' "$(cat "$f")"
expect_eq "only the file in its directory (the temp file renamed over it)" dnsd.prom "$(ls "$T/prom")"
expect_eq "DNS still answers" 192.0.2.30 "$(qfrom 127.0.0.3 +short ds.kaspersky.com A)"
stop_dnsd
exit $FAILED
