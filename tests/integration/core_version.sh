#!/usr/bin/env bash
# dnsd -V / --version and dnsdctl --version print the version the Makefile
# defines (OpenWrt's feed CI runs them), and exit 0.
. "$(dirname "$0")/../lib.sh"

want=$(sed -n 's/^VERSION *?= *//p' "$TOP/Makefile")
expect_match "the Makefile defines a version" '^[0-9]+\.[0-9]+' "$want"
expect_eq "dnsd -V" "dnsd $want" "$("$DNSD" -V)"
expect_eq "dnsd --version" "dnsd $want" "$("$DNSD" --version)"
expect_eq "dnsdctl --version" "dnsdctl $want" "$("$DNSDCTL" --version)"
expect_eq "dnsdctl -V" "dnsdctl $want" "$("$DNSDCTL" -V)"
