#!/usr/bin/env bash
# `make cross ARCH=mipsel|armhf|arm64|musl`: builds dnsd and its unit tests
# for another target, runs the unit tests and the smoke test
# (tests/integration/appliance_smoke.sh) against that build, and prints the
# stripped sizes.  mipsel/armhf/arm64: Debian's cross compilers and the
# target's Debian -dev packages, run under qemu-user.  musl: Debian's
# musl-gcc, the libraries built from their Debian source packages
# (musl-sysroot.sh), static, run natively.
#
# Cross libraries are unpacked into a private sysroot (build-cross-ARCH/
# sysroot) instead of being installed as ARCH packages: Multi-Arch: same
# packages must carry one version for every architecture, and the host's
# security updates (libevent, libssl) often reach amd64 before the foreign
# index, which makes `apt-get install libevent-dev:mipsel` unsatisfiable.
# Usage: appliance/cross/build.sh [ARCH...]   (default: mipsel armhf arm64)
# DNSD_CROSS_TESTS=all runs every integration test against the target build
# instead of the smoke test alone (about 2 minutes per architecture).
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)

# Target libraries and their run-time dependencies (the C library comes from
# the cross toolchain's libc6-dev-ARCH-cross in /usr/TRIPLET).
cross_debs="libldns-dev libldns3 libssl-dev libssl3 libconfig-dev libconfig9
	libevent-dev libevent-2.1-7 libevent-core-2.1-7 libevent-extra-2.1-7
	libevent-pthreads-2.1-7 libevent-openssl-2.1-7 libcmocka-dev libcmocka0"

stage_start=0
stage() { stage_start=$(date +%s); echo "cross[$arch]: $1"; }
stage_done() { echo "cross[$arch]: $1 took $(($(date +%s) - stage_start)) s"; }

# cross_setup ARCH: triplet, qemu and the tool prefix for an architecture.
cross_setup() {
	qemu="" tools=""
	case "$1" in
	mipsel) triplet=mipsel-linux-gnu qemu=qemu-mipsel ;;
	armhf) triplet=arm-linux-gnueabihf qemu=qemu-arm ;;
	arm64) triplet=aarch64-linux-gnu qemu=qemu-aarch64 ;;
	musl) triplet="" ;;
	*) echo "usage: make cross ARCH=mipsel|armhf|arm64|musl" >&2; exit 2 ;;
	esac
	[ -n "$triplet" ] && tools=$triplet-
	return 0
}

# cross_sysroot: the target -dev packages unpacked under $sysroot; redone
# only when the package list changed.  apt runs with its own lists and
# cache in $bdir/apt and APT::Architectures set to the target, so neither
# dpkg's architecture list nor the host's apt state changes (a foreign
# architecture on the host would make every later `apt-get update` fetch
# and depend on its indexes).
cross_sysroot() {
	local stamp="$sysroot/.debs" want pkgs="" p apt_opts
	want=$(echo "$cross_debs" | tr -s ' \t\n' ' ')
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
	apt_opts=(-o "Dir::State::Lists=$top/$bdir/apt/lists" -o "Dir::Cache=$top/$bdir/apt/cache"
		-o "APT::Architectures::=$arch" -o Debug::NoLocking=1)
	mkdir -p "$bdir/apt/lists/partial" "$bdir/apt/cache"
	# A mirror mid-sync fails one index now and then: retry, then go on
	# with what we have (the download below says if it is not enough).
	apt-get "${apt_opts[@]}" update -qq || { sleep 10; apt-get "${apt_opts[@]}" update -qq; } ||
		echo "cross: apt-get update failed; trying with the indexes we have" >&2
	for p in $want; do pkgs="$pkgs $p:$arch"; done
	rm -rf "$sysroot" "$bdir/debs"
	mkdir -p "$sysroot" "$bdir/debs"
	# shellcheck disable=SC2086
	if ! (cd "$bdir/debs" && apt-get "${apt_opts[@]}" download -q $pkgs >download.log 2>&1); then
		cat "$bdir/debs/download.log" >&2
		exit 1
	fi
	for p in "$bdir"/debs/*.deb; do dpkg-deb -x "$p" "$sysroot"; done
	echo "$want" >"$stamp"
}

# cross_wrappers: $bdir/qemu/ mirrors the build tree with scripts that run
# each target binary under qemu-user, so tests/run and tests/lib.sh use the
# cross build unchanged (DNSD_BUILD=$bdir/qemu).
cross_wrappers() {
	local f rel
	rm -rf "$bdir/qemu"
	for f in "$top/$bdir"/dnsd "$top/$bdir"/dnsdctl "$top/$bdir"/dnsd-policy "$top/$bdir"/tests/test_*; do
		[ -x "$f" ] || continue
		rel=${f#"$top/$bdir"/}
		mkdir -p "$(dirname "$bdir/qemu/$rel")"
		cat >"$bdir/qemu/$rel" <<EOF
#!/bin/sh
QEMU_LD_PREFIX=/usr/$triplet LD_LIBRARY_PATH=$sysroot/usr/lib/$triplet exec $qemu "$f" "\$@"
EOF
		chmod +x "$bdir/qemu/$rel"
	done
}

# cross_make: the top Makefile with the target's compiler and libraries.
cross_make() {
	if [ "$arch" = musl ]; then
		# libevent_core only, as OpenWrt's libevent2-core package has it.
		PKG_CONFIG_LIBDIR="$sysroot/lib/pkgconfig" \
			make --no-print-directory -j"$(nproc)" BUILD="$bdir" CC=musl-gcc \
			PKGS="ldns libevent_core libconfig" \
			CFLAGS="-Os -g" CPPFLAGS="-isystem $sysroot/include" \
			LDFLAGS="-static -L$sysroot/lib" tests
	else
		local libdir=$sysroot/usr/lib/$triplet
		PKG_CONFIG_LIBDIR="$libdir/pkgconfig:$sysroot/usr/share/pkgconfig" \
			PKG_CONFIG_SYSROOT_DIR="$sysroot" \
			make --no-print-directory -j"$(nproc)" BUILD="$bdir" \
			CC="$triplet-gcc" AR="$triplet-ar" CFLAGS="-Os -g" \
			CPPFLAGS="-isystem $sysroot/usr/include/$triplet" \
			LDFLAGS="-L$libdir -Wl,-rpath-link,$libdir" tests
	fi
}

cross_one() {
	arch=$1
	cross_setup "$arch"
	bdir="build-cross-$arch"
	sysroot="$top/$bdir/sysroot"
	local t0 run p
	t0=$(date +%s)
	mkdir -p "$bdir"

	if [ "$arch" = musl ]; then
		stage "toolchain (musl-tools, cmake, dpkg-dev, nsd, dig)"
		tests/deps.sh cross "musl-tools cmake dpkg-dev"
		stage_done toolchain
		stage "ldns, libevent, libconfig, cmocka from Debian sources into $bdir/sysroot"
		[ -f "$sysroot/lib/libldns.a" ] || appliance/cross/musl-sysroot.sh "$sysroot"
		stage_done sysroot
	else
		stage "toolchain (gcc-$triplet, qemu-user, nsd, dig)"
		tests/deps.sh cross "gcc-$triplet libc6-dev-$arch-cross"
		stage_done toolchain
		stage "target libraries into $bdir/sysroot"
		cross_sysroot
		stage_done sysroot
	fi

	stage "build"
	cross_make
	run=$bdir
	if [ -n "$qemu" ]; then
		cross_wrappers
		run=$bdir/qemu
	fi
	stage_done build

	if [ "${DNSD_CROSS_TESTS:-smoke}" = all ]; then
		stage "every unit and integration test${qemu:+ under $qemu}"
		tests/run "$run" || status=1
	else
		stage "unit tests and smoke test${qemu:+ under $qemu}"
		tests/run "$run" -k /unit/ || status=1
		tests/run "$run" -k appliance_smoke || status=1
	fi
	stage_done tests

	for p in dnsd dnsdctl dnsd-policy; do
		[ -f "$bdir/$p" ] || continue
		"${tools}strip" -o "$bdir/$p.stripped" "$bdir/$p"
		echo "cross[$arch]: size $p stripped $(stat -c %s "$bdir/$p.stripped") bytes"
	done
	echo "cross[$arch]: total $(($(date +%s) - t0)) s"
}

status=0
if [ $# -eq 0 ] || [ -z "$1" ]; then set -- mipsel armhf arm64; fi
for a in "$@"; do cross_one "$a"; done
exit $status
