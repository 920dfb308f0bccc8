#!/usr/bin/env bash
# Garbage on the control socket, at the socket level (hosts_table.sh covers
# bad commands): random binary, an overlong request line, 100 KB without a
# newline, a NUL byte, a request cut short by EOF, 200 junk connections in a
# row, and more idle connections than the daemon serves at once (the extra
# ones hear "busy"). dnsd answers every one with an error or a close, keeps
# resolving, and `dnsdctl status` works after.
. "$(dirname "$0")/../lib.sh"

if ! command -v socat >/dev/null; then
	echo "ok - garbage on the control socket # skip socat not installed"
	exit 0
fi
SOCK=$T/ctl.sock
DNSD_EXTRA="control_socket = \"$SOCK\";"
fakeup_dnsd
for i in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done

# send FILE: the daemon's reply to FILE's bytes (half-closed after them).
send() { timeout 5 socat -t 3 - "UNIX-CONNECT:$SOCK" <"$1" 2>/dev/null | head -c 200; }

head -c 4096 /dev/urandom >"$T/junk"
expect_match "random binary: an error reply" "^error: " "$(send "$T/junk")"
{ head -c 2000 /dev/zero | tr '\0' 'a'; echo; } >"$T/long"
expect_match "a 2 KB request line: request too long" "^error: request too long" "$(send "$T/long")"
head -c 100000 /dev/zero | tr '\0' 'a' >"$T/huge"
timeout 5 socat -t 3 - "UNIX-CONNECT:$SOCK" <"$T/huge" >/dev/null 2>&1
expect_eq "100 KB without a newline: the connection is closed, not held" 1 "$(($? != 124))"
printf 'sta\0tus\n' >"$T/nul"
expect_match "a NUL byte: an error reply" "^error: " "$(send "$T/nul")"
printf 'status' >"$T/nonl"
expect_match "a request without its newline, then EOF: answered" "^ok" "$(send "$T/nonl")"

for i in $(seq 200); do head -c $((RANDOM % 300)) /dev/urandom | socat -t 1 - "UNIX-CONNECT:$SOCK" \
	>/dev/null 2>&1; done
expect_match "after 200 junk connections: status works" "^uptime: " "$("$DNSDCTL" -s "$SOCK" status 2>&1)"

# Idle clients: their stdin is a FIFO nobody writes to until the end.
mkfifo "$T/idle"
holders=()
for i in $(seq 20); do
	socat - "UNIX-CONNECT:$SOCK" <"$T/idle" >"$T/hold.$i" 2>&1 &
	holders+=($!)
done
exec {idle}>"$T/idle"
for i in $(seq 100); do [ "$(cat "$T"/hold.* | grep -c busy)" -ge 4 ] && break; sleep 0.1; done
expect_eq "20 idle connections: the 4 over the limit of 16 hear busy" 4 "$(cat "$T"/hold.* | grep -c '^error: busy')"
expect_eq "DNS answered while the control socket is full" "NOERROR 192.0.2.1" "$(answer good.ctl.test A)"
exec {idle}>&-
kill "${holders[@]}" 2>/dev/null
wait "${holders[@]}" 2>/dev/null
for i in $(seq 100); do "$DNSDCTL" -s "$SOCK" status >/dev/null 2>&1 && break; sleep 0.1; done
expect_match "once they are gone: status works" "^uptime: " "$("$DNSDCTL" -s "$SOCK" status 2>&1)"
stop_dnsd
exit $FAILED
