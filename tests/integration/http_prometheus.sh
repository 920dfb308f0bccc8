#!/usr/bin/env bash
# Prometheus metrics: /metrics passes `promtool check metrics`; a real
# Prometheus (Debian's) scrapes dnsd on loopback every second with the
# token, and its HTTP API returns the expected series after queries.
. "$(dirname "$0")/../lib.sh"
http_require

command -v prometheus >/dev/null && command -v promtool >/dev/null ||
	{ not_ok "prometheus and promtool installed (tests/deps.sh test)"; exit 1; }
hosts_setup || { not_ok "nsd started"; exit 1; }
TOKEN=prom-token-0123456789abcdef
hosts_conf "$T/dnsd.conf"
http_conf "$T/dnsd.conf" "token = \"$TOKEN\";"
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" && wait_http || { not_ok "dnsd and its HTTP server start"; cat "$DNSD_LOG"; exit 1; }

for _ in 1 2 3; do qfrom 127.0.0.2 upd.kaspersky.com A >/dev/null; done
qfrom 127.0.0.3 ds.kaspersky.com A >/dev/null
for _ in 1 2 3 4; do q www.kaspersky.com A >/dev/null; done	# 1 miss, 3 cache hits

m=$(curl -s -m 5 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HTTP_PORT/metrics")
lint=$(promtool check metrics <<<"$m" 2>&1); rc=$?
expect_eq "promtool check metrics: clean" "0 " "$rc $lint"
expect_match "answers by category and action" 'dnsd_policy_answers_total\{category="update",action="nxdomain"\} 3' "$m"
expect_match "answers logged" 'dnsd_policy_answers_total\{category="ksn",action="log"\} 1' "$m"
expect_match "hosts seen in 24 h per category" 'dnsd_hosts_seen\{category="update",window="24h"\} 1' "$m"
expect_match "hosts seen in 30 days per category" 'dnsd_hosts_seen\{category="ksn",window="30d"\} 1' "$m"
expect_match "cache hits" 'dnsd_cache_hits_total [1-9]' "$m"
expect_match "upstream state" "dnsd_upstream_up\\{upstream=\"127.0.0.1@$NSD_PORT\"\\} 1" "$m"
expect_match "upstream smoothed RTT" "dnsd_upstream_rtt_seconds\\{upstream=\"127.0.0.1@$NSD_PORT\"\\} [0-9.]+" "$m"
expect_match "phase as an info metric" 'dnsd_policy_phase_info\{phase="enforce"\} 1' "$m"
expect_match "dropped log records" 'dnsd_log_records_dropped_total 0' "$m"
expect_eq "no per-host label" 0 "$(grep -Ec '127\.0\.0\.[23]|anna-laptop' <<<"$m")"

# A real Prometheus scraping dnsd on loopback with the token.
PROM_PORT=$(free_port)
cat >"$T/prometheus.yml" <<YML
global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: dnsd
    authorization: { type: Bearer, credentials: "$TOKEN" }
    static_configs: [ { targets: [ "127.0.0.1:$HTTP_PORT" ] } ]
YML
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prom" \
	--web.listen-address="127.0.0.1:$PROM_PORT" >"$T/prometheus.log" 2>&1 &
PIDS+=($!)
pq() { curl -s -m 5 --data-urlencode "query=$1" "http://127.0.0.1:$PROM_PORT/api/v1/query"; }
val=""
for _ in $(seq 100); do
	val=$(pq 'dnsd_policy_answers_total{category="update",action="nxdomain"}' 2>/dev/null | jq -r '.data.result[0].value[1] // empty' 2>/dev/null)
	[ "$val" = 3 ] && break
	sleep 0.1
done
expect_eq "Prometheus: the scraped answers counter" 3 "$val"
expect_eq "Prometheus: the target is up" 1 "$(pq 'up{job="dnsd"}' | jq -r '.data.result[0].value[1]')"
expect_eq "Prometheus: the phase info series" enforce "$(pq 'dnsd_policy_phase_info == 1' | jq -r '.data.result[0].metric.phase')"
expect_eq "Prometheus: hosts seen in 24 h, one series per category" "ksn update" \
	"$(pq 'dnsd_hosts_seen{window="24h"} > 0' | jq -r '[.data.result[].metric.category] | sort | join(" ")')"
qfrom 127.0.0.3 ds.kaspersky.com A >/dev/null
for _ in $(seq 100); do
	val=$(pq 'dnsd_policy_answers_total{category="ksn",action="log"}' | jq -r '.data.result[0].value[1] // empty')
	[ "$val" = 2 ] && break
	sleep 0.1
done
expect_eq "Prometheus: a later query shows in the next scrape" 2 "$val"
expect_eq "DNS still answers" 192.0.2.30 "$(qfrom 127.0.0.3 +short ds.kaspersky.com A)"
stop_dnsd
exit $FAILED
