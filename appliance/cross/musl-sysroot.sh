#!/usr/bin/env bash
# Builds ldns, libevent, libconfig and cmocka with Debian's musl-gcc from
# their Debian source packages (Debian patches applied) into a static-only
# sysroot, so that dnsd can be linked against musl as on OpenWrt.
# Usage: appliance/cross/musl-sysroot.sh SYSROOT
# What differs from the Debian binaries: ldns is built --without-ssl (no
# DNSSEC crypto, which dnsd does not call), libevent --disable-openssl.
set -euo pipefail
sysroot=$1
work=$sysroot.work
rm -rf "$sysroot" "$work"
mkdir -p "$sysroot/include/sys" "$work/lists/partial"

# A private apt configuration: deb-src lines without touching the host's.
cat >"$work/sources.list" <<EOF
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOF
apt_src=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$work/lists" -o Dir::Cache::archives="$work")
apt-get "${apt_src[@]}" update -qq
(cd "$work" && apt-get "${apt_src[@]}" source -qq ldns libevent libconfig cmocka \
	>source.log 2>&1) || { cat "$work/source.log" >&2; exit 1; }

# Debian's patches leave autotools inputs newer than their outputs; never
# regenerate (autotools are not installed, and the outputs are in the tarball).
noauto=(ACLOCAL=true AUTOMAKE=true AUTOCONF=true AUTOHEADER=true)
# build NAME DIR MAKE-ARGS -- CONFIGURE-ARGS: configure one library with
# musl-gcc, then make MAKE-ARGS (its install targets) in DIR.
build() {
	local name=$1 dir=$2 make_args=()
	shift 2
	while [ "$1" != -- ]; do make_args+=("$1"); shift; done
	shift
	echo "musl: building $name"
	# shellcheck disable=SC2086 # DIR is a glob: the unpacked source directory
	(cd "$work"/$dir && CC=musl-gcc ./configure --prefix="$sysroot" --disable-shared \
		--enable-static "$@" && make -j"$(nproc)" "${noauto[@]}" "${make_args[@]}") \
		>"$work/$name.log" 2>&1 || { tail -30 "$work/$name.log" >&2; exit 1; }
}
# libconfig: only lib/, the docs need makeinfo.
build libconfig 'libconfig-*/' -C lib install -- --disable-cxx --disable-examples
build libevent 'libevent-*/' install -- --disable-openssl --disable-samples \
	--disable-libevent-regress --disable-debug-mode
build ldns 'ldns-*/' install-h install-lib install-pc -- --without-ssl --disable-sha2 \
	--disable-gost --disable-ecdsa --disable-dane --disable-ed25519 --disable-ed448 \
	--disable-dsa --without-drill --without-examples

echo "musl: building cmocka"
(cmake -S "$work"/cmocka-*/ -B "$work/cmocka-build" -DCMAKE_C_COMPILER=musl-gcc \
	-DWITH_STATIC_LIB=ON -DUNIT_TESTING=OFF -DWITH_EXAMPLES=OFF \
	-DCMAKE_INSTALL_PREFIX="$sysroot" -DCMAKE_INSTALL_LIBDIR=lib &&
	cmake --build "$work/cmocka-build" -j"$(nproc)" && cmake --install "$work/cmocka-build") \
	>"$work/cmocka.log" 2>&1 || { tail -30 "$work/cmocka.log" >&2; exit 1; }
rm -f "$sysroot"/lib/libcmocka.so*
ln -sf libcmocka-static.a "$sysroot/lib/libcmocka.a"

# musl has no <sys/queue.h> (header-only BSD macros): OpenWrt's toolchain
# and Alpine's bsd-compat-headers add one; so does this sysroot.
cp /usr/include/x86_64-linux-gnu/sys/queue.h "$sysroot/include/sys/queue.h"
# Kernel UAPI headers (netlink, for the neighbour table), as any toolchain has.
for d in linux asm-generic; do ln -sfn /usr/include/$d "$sysroot/include/$d"; done
ln -sfn /usr/include/x86_64-linux-gnu/asm "$sysroot/include/asm"
rm -rf "$work"
