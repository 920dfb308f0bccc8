# Markdown tables from the bench results (the TSV run.sh writes: date,
# machine, daemon, scenario, metric, value): per-scenario figures, footprint,
# dnsd's ratios to dnsmasq and Unbound, policy load, and the issue-6 targets.
BEGIN { FS = "\t" }
NR == 1 { next }
{
	date = $1; machine = $2
	v[$3, $4, $5] = $6
	if (!(($3) in seen)) { seen[$3] = 1; if ($3 != "dnsd-policy" && $3 != "machine") daemons[++nd] = $3 }
	if ($3 == "dnsd-policy" && $4 ~ /^check-[0-9]+$/ && !(($4) in pseen)) { pseen[$4] = 1; pol[++np] = $4 }
}
function val(d, s, m) { return ((d, s, m) in v) ? v[d, s, m] : "" }
function show(x) { return x == "" ? "-" : x }
function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
function times(a, b) { return ratio(a, b) == "-" ? "-" : ratio(a, b) "x" }
function bound(d, s) {
	if (val(d, s, "server_cpu_pct") == "") return "-"
	if (val(d, s, "server_cpu_pct") + 0 >= 90) return "server"
	if (val(d, s, "client_core_busy_pct") + 0 >= 90) return "client core"
	return "neither (latency)"
}
function target(what, ok, measured) {
	printf "| %s | %s | %s |\n", what, measured, ok == "" ? "not measured" : (ok ? "met" : "**not met**")
}
END {
	split("miss-heavy cache-hot blocked", sc, " ")
	printf "Run of %s on %s (load average before %s, after %s).\n\n", date, machine,
	    show(val("machine", "all", "loadavg_before")), show(val("machine", "all", "loadavg_after"))
	print "| daemon | scenario | QPS (median run) | QPS of each run | mean latency us | p99 latency us | sent | lost | server CPU us/answer (user + sys) | server CPU % | client core busy % | dnsperf CPU % | bound by | answers |"
	print "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
	for (i = 1; i <= nd; i++)
		for (j = 1; j <= 3; j++) {
			d = daemons[i]; s = sc[j]
			if (val(d, s, "qps") == "") continue
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", d, s,
			    val(d, s, "qps"), show(val(d, s, "qps_runs")), val(d, s, "mean_us"), val(d, s, "p99_us"), val(d, s, "sent"),
			    val(d, s, "lost"), val(d, s, "cpu_us_per_answer") " (" val(d, s, "user_us_per_answer") " + " val(d, s, "sys_us_per_answer") ")", val(d, s, "server_cpu_pct"),
			    val(d, s, "client_core_busy_pct"), val(d, s, "dnsperf_cpu_pct"), bound(d, s),
			    val(d, s, "rcodes")
		}
	print ""
	print "| daemon | peak RSS (VmHWM) kB | at the end: anonymous kB | at the end: files and libraries kB | stripped binary bytes | instructions per cached answer (callgrind) |"
	print "|---|---:|---:|---:|---:|---:|"
	for (i = 1; i <= nd; i++) {
		d = daemons[i]
		printf "| %s | %s | %s | %s | %s | %s |\n", d, show(val(d, "all", "peak_rss_kb")),
		    show(val(d, "all", "rss_anon_kb")), show(val(d, "all", "rss_file_kb")),
		    show(val(d, "all", "stripped_bytes")), show(val(d, "callgrind", "instructions_per_cached_answer"))
	}
	if (val("unbound", "all", "cache_entries") != "")
		printf "\nUnbound held %s messages in its cache after miss-heavy (dnsmasq and dnsd: 10000 entries).\n", val("unbound", "all", "cache_entries")
	print ""
	print "| dnsd / other | dnsmasq | Unbound |"
	print "|---|---:|---:|"
	n = split("cache-hot:cpu_us_per_answer:cache-hot server CPU per answer,cache-hot:qps:cache-hot QPS,blocked:qps:blocked QPS,blocked:cpu_us_per_answer:blocked server CPU per answer,miss-heavy:qps:miss-heavy QPS,miss-heavy:cpu_us_per_answer:miss-heavy server CPU per answer,all:peak_rss_kb:peak RSS,all:stripped_bytes:stripped binary,callgrind:instructions_per_cached_answer:instructions per cached answer", rows, ",")
	for (k = 1; k <= n; k++) {
		split(rows[k], f, ":")
		printf "| %s | %s | %s |\n", f[3], ratio(val("dnsd", f[1], f[2]), val("dnsmasq", f[1], f[2])),
		    ratio(val("dnsd", f[1], f[2]), val("unbound", f[1], f[2]))
	}
	print ""
	print "| policy | patterns | load time s | peak RSS kB |"
	print "|---|---:|---:|---:|"
	if (val("dnsd-policy", "check-kaspersky", "load_s") != "")
		printf "| policy/kaspersky.conf | - | %s | %s |\n", val("dnsd-policy", "check-kaspersky", "load_s"), val("dnsd-policy", "check-kaspersky", "max_rss_kb")
	for (i = 1; i <= np; i++) {
		p = pol[i]; npat = substr(p, 7)
		printf "| generated | %s | %s | %s |\n", npat, val("dnsd-policy", p, "load_s"), val("dnsd-policy", p, "max_rss_kb")
	}
	print ""
	print "| target (issue 6) | measured | |"
	print "|---|---|---|"
	a = val("dnsd", "cache-hot", "cpu_us_per_answer"); b = val("dnsmasq", "cache-hot", "cpu_us_per_answer"); c = val("unbound", "cache-hot", "cpu_us_per_answer")
	target("cache-hot server CPU/answer <= 0.5x dnsmasq", (a == "" || b == "") ? "" : a <= 0.5 * b, times(a, b))
	target("cache-hot server CPU/answer <= 0.7x Unbound", (a == "" || c == "") ? "" : a <= 0.7 * c, times(a, c))
	a = val("dnsd", "cache-hot", "qps"); b = val("dnsmasq", "cache-hot", "qps"); c = val("unbound", "cache-hot", "qps")
	target("cache-hot QPS >= dnsmasq and Unbound", (a == "" || b == "" || c == "") ? "" : a >= b && a >= c, show(a) " vs " show(b) ", " show(c))
	b = val("dnsd", "blocked", "qps")
	target("blocked QPS >= cache-hot QPS", (a == "" || b == "") ? "" : b >= a, show(b) " vs " show(a))
	a = val("dnsd", "miss-heavy", "qps"); b = val("dnsmasq", "miss-heavy", "qps")
	target("miss-heavy QPS >= dnsmasq", (a == "" || b == "") ? "" : a >= b, show(a) " vs " show(b))
	a = val("dnsd", "all", "peak_rss_kb"); b = val("dnsmasq", "all", "peak_rss_kb")
	target("peak RSS (10000-entry cache) <= dnsmasq", (a == "" || b == "") ? "" : a <= b, show(a) " kB vs " show(b) " kB")
	a = val("dnsd", "all", "stripped_bytes")
	target("stripped x86_64 binary <= 200 KB", a == "" ? "" : a <= 204800, show(a) " bytes")
	a = val("dnsd-policy", "check-100000", "load_s"); b = val("dnsd-policy", "check-100000", "max_rss_kb")
	target("100k-pattern policy loads in < 0.5 s and < 16 MB", (a == "" || b == "") ? "" : a < 0.5 && b < 16384, show(a) " s, " show(b) " kB")
}
