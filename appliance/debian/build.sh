#!/bin/sh
# make deb: builds the binary package with dpkg-buildpackage in a scratch
# copy of the tree, with appliance/debian/ copied into place as debian/.
# Usage: appliance/debian/build.sh OUTDIR   (the .deb lands in OUTDIR)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
src=$out/src/dnsd
rm -rf "$out/src" "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
mkdir -p "$src"
cd "$top"
cp -a Makefile LICENSE README.md lib dnsd ctl policy docs appliance "$src/"
cp -a appliance/debian "$src/debian"
cp appliance/systemd/dnsd.sysusers "$src/debian/dnsd.sysusers"
rm -f "$src/debian/build.sh"
# The policy engine's clock floor is the date of the last commit, as in a
# build from the repository (dpkg-buildpackage would take the changelog's).
epoch=${SOURCE_DATE_EPOCH:-}
if [ -z "$epoch" ] && git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	epoch=$(git -C "$top" log -1 --format=%ct)
fi
# A clean environment: not the outer make's variables (BUILD, PREFIX, CFLAGS,
# its job server), which the inner make would take over debhelper's.
cd "$src"
env -i PATH="$PATH" HOME="${HOME:-/root}" LANG=C.UTF-8 ${epoch:+SOURCE_DATE_EPOCH=$epoch} \
	dpkg-buildpackage -b -us -uc
mv "$out"/src/*.deb "$out"/src/*.buildinfo "$out"/src/*.changes "$out"/
ls "$out"/*.deb
