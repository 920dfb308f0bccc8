#!/usr/bin/env bash
# TCP and sockets: with max_connections = 2 a third connection makes the
# oldest idle one close; a query written in two pieces is answered; a
# half-closed connection gets every answer it is owed; an idle connection
# is closed after idle_timeout; on a wildcard address answers leave from
# the address the query came to.
. "$(dirname "$0")/../lib.sh"

NSD_PORT=$(free_port)
DNSD_PORT=$(free_port)
start_nsd example.test "$TOP/tests/integration/core_zone.db" "$NSD_PORT" || { not_ok "nsd started"; exit 1; }
# run_with IDLE: dnsd with two TCP connections at most.
run_with() {
	cat >"$T/dnsd.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
tcp = { max_connections = 2; idle_timeout = $1; };
CONF
	start_dnsd "$T/dnsd.conf"
	wait_dns "$DNSD_PORT" || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }
}
# closed FD: the peer has closed the connection (EOF within 5 s).
closed() { timeout 5 cat <&"$1" >/dev/null; }
# still_open FD: no EOF within 2 s.
still_open() { timeout 2 cat <&"$1" >/dev/null; [ $? -eq 124 ]; }

# A long idle timeout: only the limit can close connections here.
run_with 60

exec 3<>/dev/tcp/127.0.0.1/"$DNSD_PORT"
sleep 0.2
exec 4<>/dev/tcp/127.0.0.1/"$DNSD_PORT"
sleep 0.2
exec 5<>/dev/tcp/127.0.0.1/"$DNSD_PORT"
check "a third connection closes the oldest idle one" closed 3
# A query for www.example.test A, length-prefixed, sent in two writes.
printf '\x00\x22\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00' >&5
printf '\x03www\x07example\x04test\x00\x00\x01\x00\x01' >&5
reply=$(timeout 5 head -c 4 <&5 | od -An -tx1 | tr -d ' \n')
expect_match "a query written in two pieces is answered" '^....abcd' "$reply"
check "the newer connection stays open" still_open 4
exec 3>&- 4>&- 5>&-
expect_eq "still serving TCP" "192.0.2.10" "$(q +tcp +short www.example.test A)"

# A client that sends its queries and closes its side at once still gets
# every answer (one from the upstream, one from the cache).
if command -v python3 >/dev/null; then
	got=$(python3 - "$DNSD_PORT" <<'PY'
import socket, struct, sys
def q(i, name):
    labels = b"".join(bytes([len(l)]) + l.encode() for l in name.split("."))
    m = struct.pack(">HHHHHH", i, 0x0100, 1, 0, 0, 0) + labels + b"\0\0\1\0\1"
    return struct.pack(">H", len(m)) + m
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(q(1, "ns1.example.test") + q(2, "www.example.test"))
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    data += b
ids = []
while len(data) >= 4:
    n = struct.unpack(">H", data[:2])[0]
    ids.append(struct.unpack(">H", data[2:4])[0])
    data = data[2 + n:]
print(" ".join(str(i) for i in sorted(ids)))
PY
)
	expect_eq "half-closed connection: every answer, then close" "1 2" "$got"
fi
stop_dnsd

run_with 1
exec 3<>/dev/tcp/127.0.0.1/"$DNSD_PORT"
check "an idle connection is closed after idle_timeout" closed 3
exec 3>&-
stop_dnsd
# On a wildcard address each answer leaves from the address its query came
# to (dig rejects an answer from another source).
DNSD_PORT=$(free_port)
cat >"$T/dnsd.conf" <<CONF
listen = [ "0.0.0.0@$DNSD_PORT", "::@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
allow = [ "127.0.0.0/8", "::1/128" ];
CONF
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" || { not_ok "dnsd answers on a wildcard address"; cat "$DNSD_LOG"; exit 1; }
expect_eq "wildcard listen: answer from 127.0.0.2 when asked there" "192.0.2.10" \
	"$(dig @127.0.0.2 -p "$DNSD_PORT" +tries=1 +time=3 +short www.example.test A)"
expect_eq "wildcard listen: IPv6" "2001:db8::10" \
	"$(dig @::1 -p "$DNSD_PORT" +tries=1 +time=3 +short www.example.test AAAA)"
stop_dnsd
exit $FAILED
