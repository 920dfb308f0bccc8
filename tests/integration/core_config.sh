#!/usr/bin/env bash
# The config file: `dnsd -t` names the file and line of every error and
# exits 1 (0 for a good file); SIGHUP with a bad file keeps the old
# configuration serving and logs file:line; SIGHUP with a good file takes
# effect (a new allow list).
. "$(dirname "$0")/../lib.sh"

# libconfig stays inside the config reader: the one header that includes it
# is lib/confread.h, and only the readers of dnsd.conf (config*) and of
# policy files (policy.c) include either, besides the host table's state
# file (hoststate.c), which is written in libconfig's syntax.
readers=$(cd "$TOP" && grep -rlE '#include [<"](libconfig|confread|config_impl)\.h[>"]' dnsd policy lib ctl \
	| xargs -n1 basename | sort | tr '\n' ' ')
expect_eq "libconfig.h, confread.h and config_impl.h are included only by the config reader" \
	"config.c config_impl.h config_subsys.c confread.c confread.h hoststate.c policy.c " "$readers"
expect_eq "no header but confread.h includes libconfig.h" "lib/confread.h" \
	"$(cd "$TOP" && grep -rl '#include <libconfig.h>' --include='*.h' dnsd policy lib ctl)"

NSD_PORT=$(free_port)
DNSD_PORT=$(free_port)

cat >"$T/good.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
allow = [ "127.0.0.0/8" ];
CONF
out=$("$DNSD" -t -c "$T/good.conf" 2>&1); rc=$?
expect_eq "-t on a good file exits 0" 0 "$rc"

cat >"$T/syntax.conf" <<'CONF'
listen = [ "127.0.0.1@5353" ];
upstreams = [ "127.0.0.1" ];
allow = [ "127.0.0.0/8" ;
CONF
out=$("$DNSD" -t -c "$T/syntax.conf" 2>&1); rc=$?
expect_eq "-t on a syntax error exits 1" 1 "$rc"
expect_match "-t names the file and line of a syntax error" "syntax.conf:3: " "$out"

cat >"$T/semantic.conf" <<'CONF'
listen = [ "127.0.0.1@5353" ];
upstreams = [ "127.0.0.1" ];
allow = [ "127.0.0.0/8",
	"not-a-network" ];
cache = { max_ttl = -5; };
frobnicate = 1;
CONF
out=$("$DNSD" -t -c "$T/semantic.conf" 2>&1); rc=$?
expect_eq "-t on semantic errors exits 1" 1 "$rc"
expect_match "-t names the line of a bad network" "semantic.conf:4: allow: 'not-a-network'" "$out"
expect_match "-t names the line of an out-of-range value" "semantic.conf:5: max_ttl" "$out"
expect_match "-t names the line of an unknown setting" "semantic.conf:6: unknown setting 'frobnicate'" "$out"
out=$("$DNSD" -t -c "$T/missing.conf" 2>&1); rc=$?
expect_eq "-t on a missing file exits 1" 1 "$rc"
expect_eq "-t names a missing file alone, with no line" "$T/missing.conf: No such file or directory" "$out"

printf 'listen = [ "127.0.0.1@5353" ];\n' >"$T/noup.conf"
out=$("$DNSD" -t -c "$T/noup.conf" 2>&1)
expect_eq "-t names the file alone for a whole-file error" \
    "$T/noup.conf: no upstreams and no resolv_conf: nowhere to forward to" "$out"

# A string left open swallows the lines after it; libconfig fails at its
# end, dnsd names the line where it starts. Quotes in comments and escaped
# quotes do not count.
cat >"$T/open.conf" <<'CONF'
# a "quoted" word in a comment
/* and "another" in a block */ listen = [ "127.0.0.1@5353" ];
allow = [ "127.0.0.0/8", "a\"b ];
upstreams = [ "127.0.0.1" ];
cache = { max_ttl = 60; };
CONF
out=$("$DNSD" -t -c "$T/open.conf" 2>&1); rc=$?
expect_eq "-t on an unterminated string exits 1" 1 "$rc"
expect_match "-t names the line where an unterminated string starts" "open.conf:3: unterminated string" "$out"
printf 'listen = [ "127.0.0.1@5353" ];\nupstreams = [ "127.0.0.1 ];\n' >"$T/open-eof.conf"
out=$("$DNSD" -t -c "$T/open-eof.conf" 2>&1)
expect_match "-t names the start of a string open at the end of the file" "open-eof.conf:2: unterminated string" "$out"

# The directories dnsd writes in at run time must exist (and be writable by
# the user it runs as): at -t, at start and on reload, each named with its
# file and line.
cat >"$T/dirs.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
hosts = { state_file = "state/hosts.state"; };
log = {
	file = "events/events.log";
	host_dir = "per-host";
};
CONF
out=$("$DNSD" -t -c "$T/dirs.conf" 2>&1); rc=$?
expect_eq "-t with three missing directories exits 1" 1 "$rc"
expect_match "-t names a missing state_file directory" "dirs.conf:3: state_file: directory $T/state: No such file" "$out"
expect_match "-t names a missing log.file directory" "dirs.conf:5: file: directory $T/events: No such file" "$out"
expect_match "-t names a missing host_dir" "dirs.conf:6: host_dir: directory $T/per-host: No such file" "$out"
mkdir "$T/state" "$T/events"
out=$("$DNSD" -t -c "$T/dirs.conf" 2>&1); rc=$?
expect_eq "-t with only host_dir missing still fails, on it alone" "1 1" "$rc $(grep -c . <<<"$out")"
: >"$T/per-host"
expect_match "-t: a host_dir that is a file is refused" "host_dir: $T/per-host is not a directory" \
	"$("$DNSD" -t -c "$T/dirs.conf" 2>&1)"
rm "$T/per-host"; mkdir "$T/per-host"
out=$("$DNSD" -t -c "$T/dirs.conf" 2>&1); rc=$?
expect_eq "-t passes when the directories exist" 0 "$rc"
rmdir "$T/events"
out=$(timeout 10 "$DNSD" -d -c "$T/dirs.conf" 2>&1); rc=$?
expect_eq "start with a missing log directory exits 1" 1 "$rc"
expect_match "and names it" "dirs.conf:5: file: directory $T/events" "$out"
mkdir "$T/events"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	# root can write anywhere; the user dnsd drops to cannot.
	chmod 755 "$T/state"
	printf 'user = "nobody";\n' >>"$T/dirs.conf"
	out=$("$DNSD" -t -c "$T/dirs.conf" 2>&1); rc=$?
	expect_eq "-t as root with user nobody and a root-owned 0755 state directory exits 1" 1 "$rc"
	expect_match "and says the user cannot write there" "dirs.conf:3: state_file: directory $T/state is not writable by the user dnsd runs as \\(uid $(id -u nobody)" "$out"
	chown nobody "$T/state" "$T/events" "$T/per-host"
	out=$("$DNSD" -t -c "$T/dirs.conf" 2>&1); rc=$?
	expect_eq "-t passes once nobody owns them" 0 "$rc"
fi

start_nsd example.test "$TOP/tests/integration/core_zone.db" "$NSD_PORT" || { not_ok "nsd started"; exit 1; }
cp "$T/good.conf" "$T/dnsd.conf"
start_dnsd "$T/dnsd.conf"
wait_dns "$DNSD_PORT" || { not_ok "dnsd answers"; cat "$DNSD_LOG"; exit 1; }
expect_eq "serving with the first config" "192.0.2.10" "$(q +short www.example.test A)"

cp "$T/syntax.conf" "$T/dnsd.conf"
kill -HUP "$DNSD_PID"
sleep 0.5
expect_eq "SIGHUP with a bad file: still serving (an uncached name)" "192.0.2.25" "$(q +short mail.example.test A)"
check "SIGHUP with a bad file: file:line logged" grep -q "dnsd.conf:3: " "$DNSD_LOG"
check "SIGHUP with a bad file: old config kept" grep -q "keeping the previous configuration" "$DNSD_LOG"

sed 's|127.0.0.0/8|127.0.0.1/32|' "$T/good.conf" >"$T/dnsd.conf"
kill -HUP "$DNSD_PID"
for i in $(seq 100); do grep -q "configuration reloaded" "$DNSD_LOG" && break; sleep 0.1; done
expect_eq "SIGHUP with a good file: new allow list in force" "REFUSED" "$(rcode -b 127.0.0.2 www.example.test A)"
expect_eq "SIGHUP with a good file: allowed client served" "NOERROR" "$(rcode www.example.test A)"

stop_dnsd

# A rewritten resolv.conf is picked up without a signal (OpenWrt rewrites
# it when the WAN link comes up). Nothing is sent to these addresses.
DNSD_PORT=$(free_port)
echo "nameserver 127.0.0.9" >"$T/resolv.conf"
cat >"$T/resolv-dnsd.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
resolv_conf = "resolv.conf";
CONF
start_dnsd "$T/resolv-dnsd.conf"
wait_dns "$DNSD_PORT" 2>/dev/null
printf 'nameserver 127.0.0.10\nnameserver 127.0.0.11\n' >"$T/resolv.conf.new"
mv "$T/resolv.conf.new" "$T/resolv.conf"
for i in $(seq 100); do grep -q 'upstreams 127.0.0.10@53, 127.0.0.11@53' "$DNSD_LOG" && break; sleep 0.1; done
check "a rewritten resolv.conf is read again" grep -q 'upstreams 127.0.0.10@53, 127.0.0.11@53' "$DNSD_LOG"
stop_dnsd

# Privileges: as root, dnsd writes its pid file, then runs as the user.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	DNSD_PORT=$(free_port)
	cat >"$T/priv.conf" <<CONF
listen = [ "127.0.0.1@$DNSD_PORT" ];
upstreams = [ "127.0.0.1@$NSD_PORT" ];
user = "nobody";
pid_file = "dnsd.pid";
CONF
	start_dnsd "$T/priv.conf"
	wait_dns "$DNSD_PORT" || { not_ok "dnsd answers as nobody"; cat "$DNSD_LOG"; exit 1; }
	expect_eq "pid file holds dnsd's pid" "$DNSD_PID" "$(cat "$T/dnsd.pid" 2>/dev/null)"
	expect_eq "runs as the configured user" "$(id -u nobody)" "$(awk '/^Uid:/ {print $2}' /proc/"$DNSD_PID"/status)"
	expect_eq "answers as that user" "192.0.2.10" "$(q +short www.example.test A)"
	stop_dnsd
fi
exit $FAILED
