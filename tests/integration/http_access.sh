#!/usr/bin/env bash
# The HTTP server's access rules against a running dnsd: the config check
# (a non-loopback address needs a token), no answer at all outside the
# allow list, the token (Bearer and basic auth), read-only methods, sizes,
# malformed requests, the connection bound; DNS keeps answering throughout.
. "$(dirname "$0")/../lib.sh"
http_require

hosts_setup || { not_ok "nsd started"; exit 1; }
TOKEN=test-token-0123456789abcdef

# dnsd -t: the config refuses what would expose the table.
hosts_conf "$T/bad.conf"
printf 'http = {\n  listen = [ "0.0.0.0@8053" ];\n};\n' >>"$T/bad.conf"
expect_match "dnsd -t: a non-loopback address without a token is refused, with its line" \
	'bad\.conf:[0-9]+: listen: a non-loopback address needs a token' "$("$DNSD" -t -c "$T/bad.conf" 2>&1)"
hosts_conf "$T/bad2.conf"
printf 'http = { token = "short"; max_connections = 0; bogus = 1; };\n' >>"$T/bad2.conf"
out=$("$DNSD" -t -c "$T/bad2.conf" 2>&1)
expect_match "dnsd -t: a short token" 'bad2\.conf:[0-9]+: token: 16 to 256 characters' "$out"
expect_match "dnsd -t: max_connections out of range" 'max_connections: 0 is out of range' "$out"
expect_match "dnsd -t: an unknown setting in http" "unknown setting 'bogus' in http" "$out"
hosts_conf "$T/ok.conf"
printf 'http = { listen = [ "0.0.0.0@8053" ]; token = "%s"; };\n' "$TOKEN" >>"$T/ok.conf"
check "dnsd -t: a non-loopback address with a token is fine" "$DNSD" -t -c "$T/ok.conf"

hosts_conf "$T/dnsd.conf"
http_conf "$T/dnsd.conf" "token = \"$TOKEN\"; allow = [ \"127.0.0.1\" ]; max_connections = 3;
  max_header = 1024; timeout = 2;"
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" && wait_http || { not_ok "dnsd and its HTTP server start"; cat "$DNSD_LOG"; exit 1; }
qfrom 127.0.0.2 upd.kaspersky.com A >/dev/null

code() { tail -n 1 <<<"$1"; }
r=$(hget /api/hosts)
expect_eq "no token: 401" 401 "$(code "$r")"
expect_match "no token: the challenge names Bearer and Basic" 'WWW-Authenticate: Bearer realm="dnsd", Basic realm="dnsd"' \
	"$(curl -s -i -m 5 "http://127.0.0.1:$HTTP_PORT/")"
expect_eq "a wrong token: 401" 401 "$(code "$(hget /metrics -H "Authorization: Bearer ${TOKEN}x")")"
expect_eq "a token prefix: 401" 401 "$(code "$(hget /metrics -H "Authorization: Bearer ${TOKEN%?}")")"
r=$(hget /api/hosts -H "Authorization: Bearer $TOKEN")
expect_eq "Bearer token: 200" 200 "$(code "$r")"
expect_eq "Bearer token: the host table" 127.0.0.2 "$(head -n -1 <<<"$r" | jq -r '.hosts[0].ip')"
r=$(hget /api/status -u "admin:$TOKEN")
expect_eq "basic auth, the token as password: 200" 200 "$(code "$r")"
expect_eq "/api/status: phase, hosts, log and the upstream's state" "enforce 1 0 up" \
	"$(head -n -1 <<<"$r" | jq -r '"\(.policy.phase) \(.hosts.count) \(.log.dropped) \(.upstreams[0].state)"')"
expect_eq "/api/status is dnsdctl status --json" "$(ctl status --json | jq -c 'del(.now, .uptime, .policy.policy_time)')" \
	"$(head -n -1 <<<"$r" | jq -c 'del(.now, .uptime, .policy.policy_time)')"
expect_eq "basic auth, a wrong password: 401" 401 "$(code "$(hget /api/status -u "admin:nope")")"
expect_eq "basic auth, garbage base64: 401" 401 "$(code "$(hget / -H 'Authorization: Basic !!!!')")"

A=(-H "Authorization: Bearer $TOKEN")
for m in POST PUT DELETE PATCH OPTIONS; do
	expect_eq "$m: 405" 405 "$(code "$(hget / -X "$m" "${A[@]}")")"
done
expect_match "405 says Allow: GET, HEAD" 'Allow: GET, HEAD' "$(curl -s -i -m 5 -X POST "${A[@]}" "http://127.0.0.1:$HTTP_PORT/")"
expect_eq "HEAD: 200" 200 "$(curl -s -m 5 -I -o /dev/null -w '%{http_code}' "${A[@]}" "http://127.0.0.1:$HTTP_PORT/metrics")"
expect_eq "unknown path: 404" 404 "$(code "$(hget /etc/passwd "${A[@]}")")"
expect_eq "host not in the table: 404" 404 "$(code "$(hget /api/host/10.9.9.9 "${A[@]}")")"
expect_eq "host key with a bad escape: 400" 400 "$(code "$(hget /api/host/%zz "${A[@]}")")"
expect_eq "host key with a NUL: 400" 400 "$(code "$(hget /host/a%00b "${A[@]}")")"
expect_eq "host by MAC, percent-encoded: 200" 200 "$(code "$(hget /api/host/aa%3Abb%3Acc%3A00%3A00%3A02 "${A[@]}")")"
expect_eq "oversized headers (max_header 1024): 400" 400 \
	"$(code "$(hget / "${A[@]}" -H "X-Pad: $(head -c 2000 /dev/zero | tr '\0' a)")")"
expect_eq "an oversized request line: 400" 400 "$(code "$(hget "/$(head -c 3000 /dev/zero | tr '\0' a)" "${A[@]}")")"
expect_eq "a body on GET: 413" 413 "$(code "$(hget / "${A[@]}" --data-binary 0123456789 -X GET)")"
expect_match "a malformed request line: 400" '^HTTP/1\.[01] 400' \
	"$(printf 'GARBAGE\r\n\r\n' | socat -t 3 - TCP:127.0.0.1:"$HTTP_PORT" | head -n 1)"
expect_match "binary garbage: 400" '^HTTP/1\.[01] 400' \
	"$(printf '\x00\xff\x01\x02 / HTTP/1.1\r\n\r\n' | socat -t 3 - TCP:127.0.0.1:"$HTTP_PORT" | head -n 1)"

# Outside the allow list: not a single byte back, whatever is asked.
out=$(printf 'GET /metrics HTTP/1.0\r\nAuthorization: Bearer %s\r\n\r\n' "$TOKEN" |
	socat -t 3 - TCP:127.0.0.1:"$HTTP_PORT",bind=127.0.0.5 2>/dev/null | wc -c)
expect_eq "a peer outside the allow list gets no answer (0 bytes)" 0 "$out"
curl -s -m 5 --interface 127.0.0.5 "${A[@]}" "http://127.0.0.1:$HTTP_PORT/" >/dev/null; rc=$?
expect_eq "curl from outside the allow list: empty reply (52)" 52 "$rc"

# The connection bound: three idle connections fill it; a fourth waits
# unanswered, and is served once the idle ones time out.
exec 5<>/dev/tcp/127.0.0.1/"$HTTP_PORT" 6<>/dev/tcp/127.0.0.1/"$HTTP_PORT" 7<>/dev/tcp/127.0.0.1/"$HTTP_PORT"
for _ in $(seq 100); do grep -q 'http: 3 connections open' "$DNSD_LOG" && break; sleep 0.1; done
expect_match "the log says the bound was reached" 'http: 3 connections open' "$(cat "$DNSD_LOG")"
curl -s -m 1 -o /dev/null "${A[@]}" "http://127.0.0.1:$HTTP_PORT/metrics"; rc=$?
expect_eq "max_connections reached: the next request waits (curl timeout 28)" 28 "$rc"
expect_eq "DNS answers while the HTTP server is full" NXDOMAIN "$(rcode -b 127.0.0.2 upd.kaspersky.com A)"
served=0
for _ in $(seq 100); do
	[ "$(curl -s -m 1 -o /dev/null -w '%{http_code}' "${A[@]}" "http://127.0.0.1:$HTTP_PORT/metrics")" = 200 ] && { served=1; break; }
	sleep 0.1
done
expect_eq "idle connections time out and free their slots" 1 "$served"
exec 5>&- 6>&- 7>&-

# SIGHUP takes a new token (the listen address stays).
sed -i "s/$TOKEN/new-$TOKEN/" "$T/dnsd.conf"
kill -HUP "$DNSD_PID"
for _ in $(seq 100); do grep -q 'configuration reloaded' "$DNSD_LOG" && break; sleep 0.1; done
expect_eq "reload: the old token no longer works" 401 "$(code "$(hget /metrics "${A[@]}")")"
A=(-H "Authorization: Bearer new-$TOKEN")
expect_eq "reload: the new token works" 200 "$(code "$(hget /metrics "${A[@]}")")"

# After all of it: DNS and the HTTP server still serve.
expect_eq "DNS still answers" 192.0.2.30 "$(qfrom 127.0.0.3 +short ds.kaspersky.com A)"
expect_eq "the HTTP server still answers" 200 "$(code "$(hget /api/status "${A[@]}")")"
stop_dnsd
exit $FAILED
