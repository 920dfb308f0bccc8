#!/usr/bin/env bash
# The Debian package (`make deb`): it builds; lintian finds no error and no
# warning but the ones kept below; installed with dpkg into a fresh Debian 12
# root (debootstrap --variant=minbase from the system's Debian mirror) it
# puts every file where docs/debian.md says, its config passes `dnsd -t`,
# `systemd-analyze verify` accepts its unit, and the unit's ExecStart, run as
# the unit runs it (user dnsd, CAP_NET_BIND_SERVICE, its directories) inside
# network namespaces this script makes, answers the LAN on port 53 from the
# resolvers behind systemd-resolved's stub and refuses the WAN; `dpkg
# --purge` then leaves the root's file list as it was before the install.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v debootstrap >/dev/null || ! command -v dpkg-buildpackage >/dev/null ||
	! command -v lintian >/dev/null || ! command -v dnsmasq >/dev/null; then
	echo "# skipped: needs root, debootstrap, dpkg-dev, debhelper, lintian and dnsmasq"
	exit 0
fi
# The package is built from the source with Debian's flags, not from this
# build directory: once is enough, in the build without sanitizers.
if nm "$DNSD" 2>/dev/null | grep -q __asan_init; then
	echo "# skipped: sanitizer build (the package is tested with the plain build)"
	exit 0
fi

# Tags kept, each with its reason (there is no warning or error to keep):
# - package-supports-alternative-init-but-no-init.d-script (info): dnsd's
#   Debian target is systemd with its sandbox; sysvinit users run dnsd -c.
kept_tags="package-supports-alternative-init-but-no-init.d-script"

start=$SECONDS
say_time() { echo "# $1 after $((SECONDS - start)) s"; }

# 1. Build.
out=$DNSD_BUILD/deb
check "make deb builds the package" make -C "$TOP" --no-print-directory BUILD="$DNSD_BUILD" deb
deb=$(ls "$out"/dnsd_*_*.deb 2>/dev/null | grep -v dbgsym | head -1)
[ -n "$deb" ] || { not_ok "no .deb in $out"; exit 1; }
echo "# package: $(basename "$deb"), $(stat -c %s "$deb") bytes"
say_time "built"

# make install PREFIX=/usr puts the same files at the same places (the
# package adds only its docs; debhelper compresses the man pages).
files_of() { sed -e 's|^\./||' -e 's|\.gz$||' | grep -v '^usr/share/doc/' | LC_ALL=C sort; }
make -C "$TOP" --no-print-directory BUILD="$T/build-usr" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system \
	DESTDIR="$T/inst" install >"$T/install.log" 2>&1 || sed 's/^/# /' "$T/install.log"
expect_eq "make install PREFIX=/usr installs the package's files" \
	"$(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | files_of)" \
	"$(cd "$T/inst" && find . ! -type d | files_of)"

# 2. Lintian: no error, no warning that is not kept above.
lintian -I --pedantic "$out"/dnsd_*.changes >"$T/lintian" 2>&1
sed 's/^/# lintian: /' "$T/lintian"
expect_eq "lintian reports no error" "" "$(grep '^E: ' "$T/lintian")"
expect_eq "lintian reports nothing but the kept tags" "" \
	"$(grep -E '^[EWIP]: ' "$T/lintian" | grep -vwE "$(tr ' ' '|' <<<"$kept_tags")")"
say_time "lintian done"

# 3. A throw-away Debian 12 root from the system's mirror.  The tarball of
# its packages is kept under the build directory between runs.
mirror=$(awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ { print u; exit }' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' \
	/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
mirror=${mirror:-http://deb.debian.org/debian}
# The package's run-time dependencies, preinstalled: dpkg -i then checks
# that its Depends are met by exactly these.
incl=libldns3,libevent-2.1-7,libevent-extra-2.1-7,libconfig9,procps,systemd-standalone-sysusers
cache=$DNSD_BUILD/deb-cache
tgz=$cache/bookworm-minbase-$(md5sum <<<"$incl $mirror" | cut -c1-8).tgz
mkdir -p "$cache"
if [ ! -s "$tgz" ]; then
	rm -rf "$cache/work"
	debootstrap --variant=minbase --include="$incl" --make-tarball="$tgz.tmp" \
		bookworm "$cache/work" "$mirror" >"$T/debootstrap.log" 2>&1 && mv "$tgz.tmp" "$tgz"
	rm -rf "$cache/work"
fi
R=$T/root
check "debootstrap makes a Debian 12 root" \
	debootstrap --variant=minbase --include="$incl" --unpack-tarball="$tgz" bookworm "$R" "$mirror"
[ -x "$R/usr/bin/dpkg" ] || { not_ok "no root: $(tail -5 "$T/debootstrap.log" 2>/dev/null)"; exit 1; }
say_time "root ready"

# The firewall's network, in namespaces: a LAN host, the firewall (where
# dnsd runs), the ISP's resolver on the WAN side.
fw=dnsd-fw-$$ lan=dnsd-lan-$$ wan=dnsd-wan-$$
trap 'for n in "$fw" "$lan" "$wan"; do ip netns del "$n" 2>/dev/null; done; cleanup' EXIT
for n in "$fw" "$lan" "$wan"; do ip netns add "$n" && ip -n "$n" link set lo up; done
ip link add veth0 netns "$lan" type veth peer name lan0 netns "$fw"
ip link add veth0 netns "$wan" type veth peer name wan0 netns "$fw"
ip -n "$lan" addr add 10.97.0.2/24 dev veth0
ip -n "$fw" addr add 10.97.0.1/24 dev lan0
ip -n "$wan" addr add 203.0.113.2/24 dev veth0
ip -n "$fw" addr add 203.0.113.1/24 dev wan0
for l in "$lan veth0" "$wan veth0" "$fw lan0" "$fw wan0"; do ip -n ${l% *} link set ${l#* } up; done
# The default route marks wan0 as the WAN: its subnet is not served.
ip -n "$fw" route add default via 203.0.113.2
# The ISP's resolver, on the WAN side.
ip netns exec "$wan" dnsmasq -C /dev/null --keep-in-foreground --port=53 --listen-address=203.0.113.2 \
	--bind-interfaces --no-resolv --no-hosts --pid-file= --address=/ok.test/198.51.100.7 \
	--address=/kaspersky.com/198.51.100.8 2>"$T/dnsmasq.err" &
PIDS+=($!)

# The host's resolvers as a firewall with systemd-resolved has them: the
# stub in /etc/resolv.conf, the real ones (and this host) behind it.
echo "nameserver 127.0.0.53" >"$R/etc/resolv.conf"
mkdir -p "$R/run/systemd/resolve"
printf 'nameserver 127.0.0.1\nnameserver 203.0.113.2\n' >"$R/run/systemd/resolve/resolv.conf"

# Every file and directory of the root but those dpkg, apt and the kernel
# keep for themselves.
listing() {
	(cd "$R" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./sys \
		-o -path ./var/lib/dpkg -o -path ./var/cache/debconf -o -path ./var/log/dpkg.log \) -prune \
		-o -print | LC_ALL=C sort)
}
listing >"$T/before"

# 4. Install.
cp "$deb" "$R/tmp/"
check "dpkg -i installs it, its Depends met" chroot "$R" dpkg -i "/tmp/$(basename "$deb")"
rm -f "$R/tmp/$(basename "$deb")"
for f in /usr/sbin/dnsd /usr/sbin/dnsdctl /usr/bin/dnsd-policy; do
	check "$f is installed" test -x "$R$f"
done
for f in /usr/share/man/man1/dnsd-policy.1.gz /usr/share/man/man8/dnsd.8.gz /usr/share/man/man8/dnsdctl.8.gz /usr/share/man/man5/dnsd.conf.5.gz \
	/usr/share/dnsd/kaspersky.conf /lib/systemd/system/dnsd.service /usr/lib/sysusers.d/dnsd.conf \
	/usr/share/doc/dnsd/copyright /usr/share/doc/dnsd/debian.md.gz; do
	check "$f is installed" test -s "$R$f"
done
expect_eq "dnsd.conf and policy.conf in /etc/dnsd are conffiles" \
	"/etc/dnsd/dnsd.conf /etc/dnsd/policy.conf" \
	"$(chroot "$R" dpkg-query -W -f='${Conffiles}' dnsd | awk 'NF { print $1 }' | sort | xargs)"
expect_match "the user dnsd exists, a system user" '^dnsd:x:[0-9]{1,3}:' "$(grep '^dnsd:' "$R/etc/passwd")"
check "the unit is enabled" test -L "$R/etc/systemd/system/multi-user.target.wants/dnsd.service"
check "dnsd -t passes on the installed config, on the firewall" ip netns exec "$fw" chroot "$R" /usr/sbin/dnsd -t
check "the installed policy (policy.conf including the shipped one) passes dnsd-policy check" \
	chroot "$R" dnsd-policy check /etc/dnsd/policy.conf
unit=$R/lib/systemd/system/dnsd.service
# The root has no systemd: verify on this host a copy whose commands point
# into the root, so that each must exist there.
sed -E "s#^(Exec[A-Za-z]*=[-@:+!]*)/#\\1$R/#" "$unit" >"$T/dnsd.service"
check "the unit's commands point into the root" grep -q "^ExecStart=$R/usr/sbin/dnsd " "$T/dnsd.service"
out_verify=$(systemd-analyze verify "$T/dnsd.service" 2>&1 | grep -v "Command 'man ")
expect_eq "systemd-analyze verify accepts the installed unit" "" "$out_verify"

# 5. The unit's ExecStart, run as systemd would: its directories made and
# given to its user, its user, its one capability, its umask, its /proc.
key() { sed -n "s/^$1=//p" "$unit" | tail -1; }
exec_start=$(key ExecStart) user=$(key User) group=$(key Group)
for d in "run:$(key RuntimeDirectory)" "var/lib:$(key StateDirectory)" "var/log:$(key LogsDirectory)"; do
	for sub in ${d#*:}; do
		install -d -m 0755 "$R/${d%%:*}/$sub"
		chroot "$R" chown "$user:$group" "/${d%%:*}/$sub"
	done
done
caps=$(key AmbientCapabilities | tr 'A-Z' 'a-z' | sed 's/cap_/+/g')
# Its own /proc as ProtectProc=invisible and ProcSubset=pid give it, in a
# mount namespace that ends with it.
proc_opts=subset=$(key ProcSubset),hidepid=$(key ProtectProc)
ip netns exec "$fw" unshare --mount --propagation private sh -c \
	'mount -t proc -o "$1" proc "$2/proc" || exit 1; shift 2; exec "$@"' sh "$proc_opts" "$R" \
	chroot "$R" setpriv --reuid="$user" --regid="$group" --init-groups \
	--inh-caps="$caps" --ambient-caps="$caps" --bounding-set=-all,"$caps" \
	sh -c "umask $(key UMask) && exec $exec_start" >"$T/dnsd.log" 2>&1 &
dnsd_pid=$!
PIDS+=($dnsd_pid)
dig_in() { local n=$1; shift; ip netns exec "$n" dig +tries=1 +time=1 "$@" 2>&1; }
for _ in $(seq 100); do dig_in "$lan" @10.97.0.1 ok.test | grep -q 198.51.100.7 && break; sleep 0.1; done
say_time "dnsd answering"
expect_eq "a LAN host gets an answer on port 53, forwarded to the resolver behind the stub" "198.51.100.7" \
	"$(dig_in "$lan" +short @10.97.0.1 ok.test)"
expect_match "the shipped policy blocks a Kaspersky update name" "status: NXDOMAIN" \
	"$(dig_in "$lan" @10.97.0.1 upd.kaspersky.com)"
expect_match "a WAN host is refused" "status: REFUSED" "$(dig_in "$wan" @203.0.113.1 ok.test)"
expect_eq "dnsd runs as the unit's user" "$(grep "^$user:" "$R/etc/passwd" | cut -d: -f3)" \
	"$(awk '/^Uid:/ { print $2 }' "/proc/$dnsd_pid/status" 2>/dev/null)"
status=$(ip netns exec "$fw" chroot "$R" dnsdctl status 2>&1)
expect_match "dnsdctl finds the control socket without -c, and dnsd forwards to 203.0.113.2" "203\.0\.113\.2" "$status"
if [[ "$status" =~ 127\.0\.0\.(1|53)[^0-9] ]]; then
	not_ok "dnsd forwards to itself or to the stub: $status"
else
	ok "dnsd forwards neither to itself nor to the stub"
fi
expect_match "dnsdctl hosts lists the LAN host that asked a policy name" "10\.97\.0\.2" \
	"$(ip netns exec "$fw" chroot "$R" dnsdctl hosts 2>&1)"
check "the event log on disk records the attempt" grep -q upd.kaspersky.com "$R/var/log/dnsd/events.log"
check "the per-host log on disk records it" grep -q upd.kaspersky.com "$R/var/log/dnsd/hosts/10.97.0.2.log"
kill -TERM "$dnsd_pid"
for _ in $(seq 100); do kill -0 "$dnsd_pid" 2>/dev/null || break; sleep 0.1; done
check "on exit the host table is saved in /var/lib/dnsd" test -s "$R/var/lib/dnsd/hosts.state"
rm -rf "$R/run/dnsd" # systemd removes the RuntimeDirectory= when the unit stops
say_time "dnsd stopped"

# 6. Purge: nothing left but the user (Debian keeps system users).
check "dpkg --purge removes it" chroot "$R" dpkg --purge dnsd
listing >"$T/after"
left=$(comm -13 "$T/before" "$T/after" | grep -vxE '\./etc/(passwd|group|shadow|gshadow)-')
expect_eq "purge leaves no file behind" "" "$left"
expect_eq "and takes none that was there before" "" "$(comm -23 "$T/before" "$T/after")"
say_time "done"
exit $FAILED
