# functions.sh stand-in (busybox ash): OpenWrt's UCI shell API as init
# scripts use it. config_load evaluates `uci -n export` (single-quoted values,
# as uci quotes them) into CONFIG_<section>_<option> variables; lists are
# joined by spaces for config_get and kept item by item for
# config_list_foreach; config_get_bool knows uci's boolean spellings.

append() { local var=$1 value=$2 sep=${3:- }; eval "export -n -- \"$var=\${$var:+\${$var}\${value:+\$sep}}\$value\""; }
list_contains() { local var=$1 str=$2 val; eval "val=\" \${$var} \""; [ "${val%% $str *}" != "$val" ]; }

config() {
	local cfgtype=$1 name=$2
	CONFIG_NUM_SECTIONS=$((CONFIG_NUM_SECTIONS + 1))
	name=${name:-cfg$CONFIG_NUM_SECTIONS}
	append CONFIG_SECTIONS "$name"
	export -n "CONFIG_SECTION=$name"
	export -n "CONFIG_${name}_TYPE=$cfgtype"
}
option() { export -n "CONFIG_${CONFIG_SECTION}_$1=$2"; }
list() {
	local len
	eval "len=\${CONFIG_${CONFIG_SECTION}_$1_LENGTH:-0}"
	len=$((len + 1))
	export -n "CONFIG_${CONFIG_SECTION}_$1_ITEM$len=$2"
	export -n "CONFIG_${CONFIG_SECTION}_$1_LENGTH=$len"
	append "CONFIG_${CONFIG_SECTION}_$1" "$2" " "
}
package() { :; }

reset_cb() { config_cb() { :; }; option_cb() { :; }; list_cb() { :; }; }
reset_cb

config_load() {
	local pkg=$1 data
	CONFIG_SECTIONS= CONFIG_NUM_SECTIONS=0 CONFIG_SECTION=
	data=$(uci -q -n export "$pkg") || return 1
	eval "$data"
}
config_get() {
	case "$3" in
	"") eval "echo \"\${CONFIG_$1_$2:-\${3}}\"" ;;
	*) eval "export -n -- \"$1=\${CONFIG_$2_$3:-\${4}}\"" ;;
	esac
}
config_set() { export -n "CONFIG_$1_$2=$3"; }
get_bool() {
	local _tmp=$1
	case "$_tmp" in
	1 | on | true | yes | enabled) _tmp=1 ;;
	0 | off | false | no | disabled) _tmp=0 ;;
	*) _tmp=$2 ;;
	esac
	echo -n "$_tmp"
}
config_get_bool() {
	local _tmp
	config_get _tmp "$2" "$3" "$4"
	_tmp=$(get_bool "$_tmp" "$4")
	export -n "$1=$_tmp"
}
config_foreach() {
	local fn=$1 type=$2 section cfgtype
	[ "$#" -ge 1 ] && shift
	[ "$#" -ge 1 ] && shift
	for section in $CONFIG_SECTIONS; do
		config_get cfgtype "$section" TYPE
		[ -n "$type" ] && [ "$type" != "$cfgtype" ] && continue
		eval "$fn \"\$section\" \"\$@\""
	done
}
config_list_foreach() {
	local section=$1 option=$2 fn=$3 len i val
	shift 3
	config_get len "$section" "${option}_LENGTH"
	i=1
	while [ "$i" -le "${len:-0}" ]; do
		config_get val "$section" "${option}_ITEM$i"
		eval "$fn \"\$val\" \"\$@\""
		i=$((i + 1))
	done
}
uci_get() { uci -q get "$1${2:+.$2}${3:+.$3}" || { [ -n "$4" ] && echo "$4"; }; }
uci_set() { uci -q set "$1.$2.$3=$4"; }
