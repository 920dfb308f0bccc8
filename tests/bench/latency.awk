# Mean and 99th-percentile latency from `dnsperf -v` output: every answered
# query is a line "> RCODE name type seconds". Latencies are binned per
# microsecond (dnsperf prints six decimals), so the percentile is exact.
# Prints: answered mean_us p99_us
/^> / {
	us = int($NF * 1000000 + 0.5)
	bin[us]++
	n++
	sum += us
	if (us > max)
		max = us
}
END {
	if (n == 0) {
		print 0, "-", "-"
		exit
	}
	want = n * 0.99
	for (us = 0; us <= max; us++) {
		if (us in bin)
			seen += bin[us]
		if (seen >= want)
			break
	}
	printf "%d %.0f %d\n", n, sum / n, us
}
