#!/usr/bin/env bash
# Hostile packets from an allowed client, sent raw over UDP: every opcode,
# every class, QDCOUNT 0 and 2, compression loops and pointers past the end in
# the question, oversize names and labels, odd header flags, short and
# truncated packets (tests/fuzz/corpus/fuzz_query holds most of them). Each
# gets no answer or a sane one (its own ID, QR set, the expected RCODE), and
# dnsd keeps answering normal queries afterwards.
. "$(dirname "$0")/../lib.sh"

DNSD_EXTRA='forward = { timeout_ms = 300; budget_ms = 600; };'
fakeup_dnsd

# rawq FILE: send FILE as one UDP datagram; print the reply in hex ("" if none).
rawq() {
	local reply
	exec 3<>"/dev/udp/127.0.0.1/$DNSD_PORT"
	cat "$1" >&3
	reply=$(timeout 1.5 dd bs=65535 count=1 <&3 2>/dev/null | od -An -tx1 -v | tr -d ' \n')
	exec 3>&-
	echo "$reply"
}

# expect_reply DESC FILE ALLOWED_RCODES ("drop" allows no reply): the reply
# carries the query's ID, QR set, and one of the allowed RCODEs.
expect_reply() {
	local desc=$1 file=$2 allowed=$3 reply id rc
	reply=$(rawq "$file")
	if [ -z "$reply" ]; then
		[[ " $allowed " == *" drop "* ]] && ok "$desc: dropped" || not_ok "$desc: no reply"
		return
	fi
	id=$(od -An -tx1 -N2 "$file" | tr -d ' \n')
	rc=$((0x${reply:7:1}))
	if [ "${reply:0:4}" != "$id" ] || [ $((0x${reply:4:1} & 8)) -eq 0 ]; then
		not_ok "$desc: reply has the query's ID and QR (got ${reply:0:24})"
	elif [[ " $allowed " != *" $rc "* ]]; then
		not_ok "$desc: RCODE $rc not in ($allowed)"
	else
		ok "$desc: RCODE $rc"
	fi
}

# Header (ID 0xbeef, FLAGS, QDCOUNT) and a question good.test. TYPE CLASS.
packet() {
	local flags=$1 qd=$2 type=$3 class=$4
	printf '\xbe\xef'
	printf "\\x$(printf %02x $((flags >> 8)))\\x$(printf %02x $((flags & 255)))"
	printf "\\x00\\x$(printf %02x "$qd")\\x00\\x00\\x00\\x00\\x00\\x00"
	printf '\x04good\x04test\x00'
	printf "\\x$(printf %02x $((type >> 8)))\\x$(printf %02x $((type & 255)))"
	printf "\\x$(printf %02x $((class >> 8)))\\x$(printf %02x $((class & 255)))"
}

# RCODEs: 0 NOERROR, 1 FORMERR, 2 SERVFAIL, 3 NXDOMAIN, 4 NOTIMP, 5 REFUSED.
for op in $(seq 1 15); do
	packet $(((op << 11) | 0x100)) 1 1 1 >"$T/op$op"
	expect_reply "opcode $op" "$T/op$op" "4 1 drop"
done
for class in 0 1 2 3 4 254 255 65535; do
	for type in 1 255; do
		packet $((0x100)) 1 "$type" "$class" >"$T/class$class.$type"
		expect_reply "class $class type $type" "$T/class$class.$type" "0 1 2 3 4 5"
	done
done
packet $((0x100)) 0 1 1 | head -c 12 >"$T/qd0"
expect_reply "QDCOUNT 0" "$T/qd0" "1 drop"
{ packet $((0x100)) 2 1 1; printf '\x04good\x04test\x00\x00\x1c\x00\x01'; } >"$T/qd2"
expect_reply "QDCOUNT 2" "$T/qd2" "1 drop"
for f in pointer-loop pointer-overrun pointer-in-rr-loop name-256 label-64 two-opts opt-in-answer \
	short-11 truncated-question qr-set trailing-junk tc-aa-ad-cd-z rd-clear edns-version1; do
	tail -c +2 "$TOP/tests/fuzz/corpus/fuzz_query/$f" >"$T/$f"
	case $f in
	qr-set | short-11) want="drop" ;;
	tc-aa-ad-cd-z | rd-clear) want="0 1 2" ;;
	edns-version1) want="0" ;;	# BADVERS (16): 0 in the header, 1 in the OPT
	# Junk where dnsd reads nothing (after the question, or the owner of a
	# non-OPT additional record) may be ignored: the question is then asked.
	trailing-junk | pointer-in-rr-loop) want="0 1 2 drop" ;;
	*) want="1 drop" ;;
	esac
	expect_reply "$f" "$T/$f" "$want"
done
expect_eq "EDNS version 1: BADVERS" "BADVERS" "$(rcode +edns=1 +noednsneg good.test A)"
expect_eq "dnsd still answers normal queries" "NOERROR 192.0.2.1" "$(answer good.after.test A)"
stop_dnsd
exit $FAILED
