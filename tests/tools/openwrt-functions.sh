# A stand-in for OpenWrt's /lib/functions.sh config API, for running the
# package's shell on Debian (sourced by appliance_*.sh and given to dnsd-uci
# as DNSD_FUNCTIONS). Like the real one, config_load turns the UCI file
# ($UCI_CONFIG_DIR/PACKAGE) into `config`/`option`/`list` calls (as
# `uci export` prints them, single-quoted) and evaluates them, calling the
# config_cb/option_cb/list_cb hooks; values then come back unquoted from
# config_get, lists through config_list_foreach. UCI's own quoting rules:
# '...' literal, "..." with backslash escapes, a backslash escapes the next
# character, adjacent pieces join, # starts a comment.
# shellcheck shell=sh disable=SC2034,SC3043

# uci_export FILE: the file as `uci export` would print it.
uci_export() {
	awk '
	function tokens(line,    n, i, c, q, tok, intok) {
		n = 0; q = ""; tok = ""; intok = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (q == "\x27") {
				if (c == "\x27") q = ""; else tok = tok c
			} else if (q == "\"") {
				if (c == "\\" && i < length(line)) tok = tok substr(line, ++i, 1)
				else if (c == "\"") q = ""
				else tok = tok c
			} else if (c == " " || c == "\t") {
				if (intok) { t[++n] = tok; tok = ""; intok = 0 }
			} else if (c == "#" && !intok) {
				break
			} else {
				intok = 1
				if (c == "\x27" || c == "\"") q = c
				else if (c == "\\" && i < length(line)) tok = tok substr(line, ++i, 1)
				else tok = tok c
			}
		}
		if (intok) t[++n] = tok
		return n
	}
	function sq(s) { gsub(/\x27/, "\x27\\\x27\x27", s); return "\x27" s "\x27" }
	{
		n = tokens($0)
		if (n == 0) next
		if (t[1] == "config") {
			name = n >= 3 ? t[3] : sprintf("cfg%02x%04x", ++anon, NR)
			print "config " t[2] " " sq(name)
		} else if ((t[1] == "option" || t[1] == "list") && n >= 3)
			print "\t" t[1] " " t[2] " " sq(t[3])
	}' "$1"
}

append() {
	local var="$1" value="$2" sep="${3:- }"
	eval "export -- \"$var=\${$var:+\${$var}\${value:+\$sep}}\$value\""
}
config_set() { export "CONFIG_${1}_${2}=$3"; }
config() {
	CONFIG_NUM_SECTIONS=$((CONFIG_NUM_SECTIONS + 1))
	CONFIG_SECTION=$2
	append CONFIG_SECTIONS "$2"
	config_set "$2" TYPE "$1"
	config_cb "$1" "$2"
}
option() {
	local name="$1"; shift
	config_set "$CONFIG_SECTION" "$name" "$*"
	option_cb "$name" "$*"
}
list() {
	local name="$1" len; shift
	config_get len "$CONFIG_SECTION" "${name}_LENGTH" 0
	[ "$len" = 0 ] && append CONFIG_LIST_STATE "${CONFIG_SECTION}_${name}"
	len=$((len + 1))
	config_set "$CONFIG_SECTION" "${name}_ITEM$len" "$*"
	config_set "$CONFIG_SECTION" "${name}_LENGTH" "$len"
	append "CONFIG_${CONFIG_SECTION}_${name}" "$*" " "
	list_cb "$name" "$*"
}
config_get() {
	case "$3" in
	"") eval echo "\"\${CONFIG_${1}_${2}:-\${4:-}}\"" ;;
	*) eval export -- "${1}=\${CONFIG_${2}_${3}:-\${4:-}}" ;;
	esac
}
get_bool() {
	case "$1" in
	1 | on | true | yes | enabled) echo 1 ;;
	0 | off | false | no | disabled) echo 0 ;;
	*) echo "${2:-}" ;;
	esac
}
config_get_bool() {
	local _tmp
	config_get _tmp "$2" "$3" "${4:-}"
	export "$1=$(get_bool "$_tmp" "${4:-}")"
}
config_list_foreach() {
	local section="$1" option="$2" fn="$3" len i v
	shift 3
	config_get len "$section" "${option}_LENGTH"
	[ -n "$len" ] || return 0
	i=1
	while [ "$i" -le "$len" ]; do
		config_get v "$section" "${option}_ITEM$i"
		"$fn" "$v" "$@"
		i=$((i + 1))
	done
}
config_foreach() {
	local fn="$1" type="${2:-}" s t
	[ $# -ge 1 ] && shift
	[ $# -ge 1 ] && shift
	for s in $CONFIG_SECTIONS; do
		config_get t "$s" TYPE
		[ -z "$type" ] || [ "$t" = "$type" ] && "$fn" "$s" "$@"
	done
}
# As the real one, a new load forgets the lists of the last (options stay).
config_load() {
	local v
	for v in ${CONFIG_LIST_STATE:-}; do
		export "CONFIG_${v}=" "CONFIG_${v}_LENGTH="
	done
	CONFIG_LIST_STATE="" CONFIG_SECTIONS="" CONFIG_NUM_SECTIONS=0 CONFIG_SECTION=""
	eval "$(uci_export "${UCI_CONFIG_DIR:-/etc/config}/$1")"
}
reset_cb() {
	config_cb() { return 0; }
	option_cb() { return 0; }
	list_cb() { return 0; }
}
reset_cb
