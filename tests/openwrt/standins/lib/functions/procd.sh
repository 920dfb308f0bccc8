# procd.sh stand-in (busybox ash): what an init script with USE_PROCD=1 calls
# to describe its service to procd (ubus call service set|add|delete|signal|
# list|event), built with jshn as OpenWrt's procd.sh builds it: instances
# with command, respawn, file, reload_signal, env, user, jail...; triggers
# (config.change, interface.*, raw); data. procd_lock serialises one service.
. "$IPKG_INSTROOT/usr/share/libubox/jshn.sh"

_PROCD_SERVICE=
_procd_trigger_open=0

procd_lock() {
	local basescript service_name
	basescript=$(readlink "$initscript")
	service_name=$(basename "${basescript:-$initscript}")
	flock -n 1000 2>/dev/null && return
	mkdir -p /var/lock
	exec 1000>"/var/lock/procd_${service_name}.lock"
	flock 1000
}

procd_lock

_procd_ubus_call() {
	ubus call service "$1" "$(json_dump)"
	json_cleanup
}

procd_open_service() {
	_PROCD_SERVICE=$1
	_PROCD_INSTANCE_SEQ=0
	json_init
	json_add_string name "$1"
	[ -n "$2" ] && json_add_string script "$2"
	json_add_object instances
}

procd_close_service() {
	json_close_object
	procd_open_trigger
	service_triggers
	procd_close_trigger
	procd_open_data
	service_data
	procd_close_data
	_procd_ubus_call "${1:-set}"
}

procd_open_trigger() {
	_procd_trigger_open=$((_procd_trigger_open + 1))
	[ "$_procd_trigger_open" -gt 1 ] && return
	json_add_array triggers
}
procd_close_trigger() {
	_procd_trigger_open=$((_procd_trigger_open - 1))
	[ "$_procd_trigger_open" -lt 1 ] || return
	json_close_array
}
procd_open_data() { json_add_object data; }
procd_close_data() { json_close_object; }

procd_open_instance() {
	local name=${1:-instance$((_PROCD_INSTANCE_SEQ + 1))}
	_PROCD_INSTANCE_SEQ=$((_PROCD_INSTANCE_SEQ + 1))
	json_add_object "$name"
	[ -n "$TRACE_SYSCALLS" ] && json_add_boolean trace 1
}
procd_close_instance() { json_close_object; }

_procd_strings() { while [ "$#" -gt 0 ]; do json_add_string "" "$1"; shift; done; }
_procd_table() { local kv; for kv in "$@"; do json_add_string "${kv%%=*}" "${kv#*=}"; done; }

# procd_set_param TYPE VALUES...: arrays, tables or single values by type,
# as procd's instance policy expects them.
procd_set_param() {
	local type=$1; shift
	case "$type" in
	command | netdev | file | respawn | watch | watchdog)
		json_add_array "$type"; _procd_strings "$@"; json_close_array ;;
	env | data | limits)
		json_add_object "$type"; _procd_table "$@"; json_close_object ;;
	nice | term_timeout) json_add_int "$type" "$1" ;;
	reload_signal) json_add_int "$type" "$(kill -l "$1")" ;;
	stdout | stderr | no_new_privs) json_add_boolean "$type" "$1" ;;
	*) json_add_string "$type" "$1" ;;
	esac
}
# procd_append_param TYPE VALUES...: more values for the array just set
# (reopened as jshn's json_select does); otherwise like procd_set_param.
procd_append_param() {
	local type=$1 tail; shift
	tail=${_JSHN_BUF##*\"$type\":[}
	case "$tail" in
	*]*]* | "$_JSHN_BUF" | *[!]]) procd_set_param "$type" "$@"; return ;;
	esac
	_JSHN_BUF=${_JSHN_BUF%]}; _JSHN_FIRST="0$_JSHN_FIRST"; _JSHN_TYPE="a$_JSHN_TYPE"
	[ "$tail" = "]" ] && _JSHN_FIRST="1${_JSHN_FIRST#?}"
	_procd_strings "$@"; json_close_array
}

procd_add_jail() {
	local name=$1; shift
	json_add_object jail
	json_add_string name "$name"
	while [ "$#" -gt 0 ]; do json_add_boolean "$1" 1; shift; done
	json_close_object
}
procd_add_jail_mount() { :; }
procd_add_jail_mount_rw() { :; }

# Triggers: [TYPE, RULE, DELAY_MS] as procd's trigger_add reads them.
procd_add_raw_trigger() {
	local type=$1 delay=$2; shift 2
	json_add_array ""; json_add_string "" "$type"
	json_add_array ""; json_add_array ""; json_add_string "" run_script; _procd_strings "$@"
	json_close_array; json_close_array
	json_add_int "" "$delay"; json_close_array
}
# _procd_if_trigger TYPE KEY VALUE CMD...: run CMD when the event's KEY is VALUE.
_procd_if_trigger() {
	local type=$1 key=$2 value=$3; shift 3
	json_add_array ""; json_add_string "" "$type"
	json_add_array ""; json_add_string "" if
	json_add_array ""; _procd_strings eq "$key" "$value"; json_close_array
	json_add_array ""; json_add_string "" run_script; _procd_strings "$@"; json_close_array
	json_close_array
	json_add_int "" "${PROCD_RELOAD_DELAY:-1000}"; json_close_array
}
procd_add_config_trigger() { local type=$1 pkg=$2; shift 2; _procd_if_trigger "$type" package "$pkg" "$@"; }
procd_add_interface_trigger() { local type=$1 iface=$2; shift 2; _procd_if_trigger "$type" interface "$iface" "$@"; }
# The service's own name, from the init script's path, as procd.sh finds it.
_procd_name() { local script; script=$(readlink "$initscript"); basename "${script:-$initscript}"; }
procd_add_reload_trigger() {
	local f name
	name=$(_procd_name)
	procd_open_trigger
	for f in "$@"; do procd_add_config_trigger config.change "$f" "/etc/init.d/$name" reload; done
	procd_close_trigger
}
procd_add_reload_interface_trigger() {
	local name
	name=$(_procd_name)
	procd_open_trigger
	procd_add_interface_trigger "interface.*" "$1" "/etc/init.d/$name" reload
	procd_close_trigger
}
procd_add_validation() { :; }

procd_running() {
	local service=$1 instance=${2:-*} running
	[ "$instance" = "*" ] || instance="'$instance'"
	json_init; json_add_string name "$service"
	running=$(_procd_ubus_call list | jsonfilter -l 1 -e "@['$service'].instances[$instance].running")
	[ "$running" = true ]
}
procd_kill() {
	json_init; json_add_string name "$1"
	[ -n "$2" ] && json_add_string instance "$2"
	_procd_ubus_call delete
}
procd_send_signal() {
	local service=$1 instance=$2 signal=$3
	json_init; json_add_string name "$service"
	[ -n "$instance" ] && [ "$instance" != "*" ] && json_add_string instance "$instance"
	[ -n "$signal" ] && json_add_int signal "$(kill -l "$signal")"
	_procd_ubus_call signal
}
_procd_status() {
	local service=$1 instance=$2 data
	json_init; json_add_string name "$service"
	data=$(_procd_ubus_call list | jsonfilter -e "@['$service']")
	[ -z "$data" ] && { echo "inactive"; return 3; }
	if printf '%s' "$data" | jsonfilter -e '@.instances[*].running' | grep -q true; then
		echo "running"; return 0
	fi
	echo "not running"; return 5
}
procd_set_config_changed() {
	json_init; json_add_string type config.change
	json_add_object data; json_add_string package "$1"; json_close_object
	ubus call service event "$(json_dump)"
}
