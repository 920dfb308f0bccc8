#!/usr/bin/env bash
# Installs the Debian packages a make target needs, only those missing.
# Usage: tests/deps.sh build|test|bench|fuzz|cross|deb
# On a system without apt-get or when not root it only reports what is missing.
set -euo pipefail

build_pkgs="make gcc pkg-config libldns-dev libevent-dev libconfig-dev"
test_pkgs="$build_pkgs libcmocka-dev tzdata nsd unbound dnsmasq-base bind9-dnsutils ldnsutils knot-dnsutils iproute2 procps rsyslog chromium socat jq nftables busybox dnsperf clang libclang-rt-14-dev llvm debhelper dpkg-dev lintian debootstrap systemd curl prometheus"
bench_pkgs="$build_pkgs nsd unbound dnsmasq-base dnsperf bind9-dnsutils procps valgrind binutils curl"
fuzz_pkgs="$build_pkgs clang libclang-rt-14-dev llvm"
cross_pkgs="$build_pkgs qemu-user tzdata nsd bind9-dnsutils iproute2"
deb_pkgs="$build_pkgs debhelper dpkg-dev"

case "${1:-build}" in
build) want=$build_pkgs ;;
test) want=$test_pkgs ;;
bench) want=$bench_pkgs ;;
fuzz) want=$fuzz_pkgs ;;
cross) want="$cross_pkgs ${2:-}" ;;
deb) want=$deb_pkgs ;;
*) echo "usage: $0 build|test|bench|fuzz|cross|deb [extra packages]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "deps: missing packages:$missing (install them, or run as root on Debian)" >&2
	exit 0
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Never let a package start a daemon of its own on port 53 during install.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
