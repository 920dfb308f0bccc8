# functions.sh stand-in (busybox ash): OpenWrt's UCI shell API as init
# scripts use it. config_load evaluates `uci -n export` (single-quoted values,
# as uci quotes them) into CONFIG_<section>_<option> variables, calling the
# config_cb/option_cb/list_cb hooks; lists are joined by spaces for
# config_get and kept item by item for config_list_foreach; config_get_bool
# knows uci's boolean spellings.

append() { local var=$1 value=$2 sep=${3:- }; eval "export -n -- \"$var=\${$var:+\${$var}\${value:+\$sep}}\$value\""; }
list_contains() { local var=$1 str=$2 val; eval "val=\" \${$var} \""; [ "${val%% $str *}" != "$val" ]; }

# config/option/list: what `uci export` output calls; each calls the
# script's config_cb/option_cb/list_cb hook unless NO_CALLBACK is set.
config() {
	local cfgtype=$1 name=$2
	CONFIG_NUM_SECTIONS=$((CONFIG_NUM_SECTIONS + 1))
	name=${name:-cfg$CONFIG_NUM_SECTIONS}
	append CONFIG_SECTIONS "$name"
	export -n "CONFIG_SECTION=$name"
	export -n "CONFIG_${name}_TYPE=$cfgtype"
	[ -n "$NO_CALLBACK" ] || config_cb "$cfgtype" "$name"
}
option() {
	local varname=$1; shift
	export -n "CONFIG_${CONFIG_SECTION}_$varname=$*"
	[ -n "$NO_CALLBACK" ] || option_cb "$varname" "$*"
}
list() {
	local varname=$1 len; shift
	eval "len=\${CONFIG_${CONFIG_SECTION}_${varname}_LENGTH:-0}"
	[ "$len" = 0 ] && append CONFIG_LIST_STATE "${CONFIG_SECTION}_$varname"
	len=$((len + 1))
	export -n "CONFIG_${CONFIG_SECTION}_${varname}_ITEM$len=$*"
	export -n "CONFIG_${CONFIG_SECTION}_${varname}_LENGTH=$len"
	append "CONFIG_${CONFIG_SECTION}_$varname" "$*" " "
	[ -n "$NO_CALLBACK" ] || list_cb "$varname" "$*"
}
package() { :; }

reset_cb() { config_cb() { :; }; option_cb() { :; }; list_cb() { :; }; }
reset_cb

# config_load PKG: forget the lists of the previous load, evaluate the
# export, then config_cb with no arguments to close the last section.
config_load() {
	local pkg=$1 data c rc
	for c in $CONFIG_LIST_STATE; do
		unset "CONFIG_${c}" "CONFIG_${c}_LENGTH"
	done
	CONFIG_LIST_STATE= CONFIG_SECTIONS= CONFIG_NUM_SECTIONS=0 CONFIG_SECTION=
	data=$(uci ${UCI_CONFIG_DIR:+-c "$UCI_CONFIG_DIR"} -q -n export "$pkg")
	rc=$?
	[ "$rc" = 0 ] && [ -n "$data" ] && eval "$data"
	${CONFIG_SECTION:+config_cb}
	return $rc
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
