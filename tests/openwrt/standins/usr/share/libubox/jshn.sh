# jshn.sh stand-in (busybox ash): the JSON builder of libubox's jshn.sh as
# procd.sh and init scripts use it (json_init, json_add_*, json_close_*,
# json_dump, json_cleanup), and json_load/json_get_var/json_select on top
# of jq. Namespaces are kept by name so procd.sh's json_set_namespace works.

# _jshn_str S: S as a JSON string (jq only when something needs escaping).
_jshn_str() {
	case "$1" in
	*[\"\\]* | *[![:print:]]*) printf "%s" "$1" | jq -Rs . ;;
	*) printf '"%s"' "$1" ;;
	esac
}
# _jshn_key NAME: separator, and "NAME": inside an object.
_jshn_key() {
	case "$_JSHN_FIRST" in
	1*) _JSHN_FIRST="0${_JSHN_FIRST#1}" ;;
	*) _JSHN_BUF="$_JSHN_BUF," ;;
	esac
	case "$_JSHN_TYPE" in o*) _JSHN_BUF="$_JSHN_BUF$(_jshn_str "$1"):" ;; esac
}
json_init() { _JSHN_BUF="{"; _JSHN_FIRST=1; _JSHN_TYPE=o; _JSHN_LOADED=; _JSHN_SEL=.; }
json_cleanup() { json_init; }
json_set_namespace() {
	[ -n "$2" ] && eval "$2=\${_JSHN_NS:-default}"
	# Save the current builder under the old name, load the new one's.
	eval "_JSHN_SAVE_${_JSHN_NS:-default}_B=\$_JSHN_BUF _JSHN_SAVE_${_JSHN_NS:-default}_F=\$_JSHN_FIRST _JSHN_SAVE_${_JSHN_NS:-default}_T=\$_JSHN_TYPE"
	_JSHN_NS=$1
	eval "_JSHN_BUF=\${_JSHN_SAVE_${1}_B:-} _JSHN_FIRST=\${_JSHN_SAVE_${1}_F:-} _JSHN_TYPE=\${_JSHN_SAVE_${1}_T:-}"
}
json_add_string() { _jshn_key "$1"; _JSHN_BUF="$_JSHN_BUF$(_jshn_str "$2")"; }
json_add_int() { _jshn_key "$1"; _JSHN_BUF="$_JSHN_BUF$(($2))"; }
json_add_boolean() { _jshn_key "$1"; case "$2" in 1|true) _JSHN_BUF="${_JSHN_BUF}true" ;; *) _JSHN_BUF="${_JSHN_BUF}false" ;; esac; }
json_add_null() { _jshn_key "$1"; _JSHN_BUF="${_JSHN_BUF}null"; }
json_add_object() { _jshn_key "$1"; _JSHN_BUF="$_JSHN_BUF{"; _JSHN_FIRST="1$_JSHN_FIRST"; _JSHN_TYPE="o$_JSHN_TYPE"; }
json_add_array() { _jshn_key "$1"; _JSHN_BUF="$_JSHN_BUF["; _JSHN_FIRST="1$_JSHN_FIRST"; _JSHN_TYPE="a$_JSHN_TYPE"; }
_jshn_close() {
	case "$_JSHN_TYPE" in o*) _JSHN_BUF="$_JSHN_BUF}" ;; a*) _JSHN_BUF="$_JSHN_BUF]" ;; esac
	_JSHN_FIRST=${_JSHN_FIRST#?}; _JSHN_TYPE=${_JSHN_TYPE#?}
}
json_close_object() { _jshn_close; }
json_close_array() { _jshn_close; }
# json_dump: the whole document, open containers closed (as jshn -w does).
json_dump() {
	local b="$_JSHN_BUF" t="$_JSHN_TYPE"
	while [ -n "$t" ]; do case "$t" in o*) b="$b}" ;; a*) b="$b]" ;; esac; t=${t#?}; done
	printf "%s\n" "$b" | jq -r "$(cat "$IPKG_INSTROOT/usr/share/libubox/json-c.jq") jsonc"
}
# Reading: json_load TEXT, json_select KEY|.., json_get_var VAR KEY,
# json_get_keys VAR, json_get_type VAR KEY.
json_load() { _JSHN_LOADED=$1; _JSHN_SEL=.; }
json_load_file() { json_load "$(cat "$1")"; }
json_select() {
	case "$1" in
	..) _JSHN_SEL=${_JSHN_SEL%\[*}; [ -n "$_JSHN_SEL" ] || _JSHN_SEL=. ;;
	*) printf '%s' "$_JSHN_LOADED" | jq -e "$_JSHN_SEL[$(_jshn_str "$1")] | objects, arrays" >/dev/null 2>&1 || return 1
	   _JSHN_SEL="$_JSHN_SEL[$(_jshn_str "$1")]" ;;
	esac
}
json_get_var() {
	local v
	v=$(printf '%s' "$_JSHN_LOADED" | jq -r "$_JSHN_SEL[$(_jshn_str "$2")] // empty | if type == \"boolean\" then (if . then 1 else 0 end) else . end" 2>/dev/null)
	[ -n "$v" ] || v=${3:-}
	eval "$1=\$v"
	[ -n "$v" ]
}
json_get_keys() { eval "$1=\"\$(printf '%s' \"\$_JSHN_LOADED\" | jq -r \"$_JSHN_SEL | keys_unsorted | map(tostring) | join(\\\" \\\")\")\""; }
json_get_type() {
	local t
	t=$(printf '%s' "$_JSHN_LOADED" | jq -r "$_JSHN_SEL[$(_jshn_str "$2")] | type" 2>/dev/null)
	case "$t" in object) t=object ;; array) t=array ;; string) t=string ;; number) t=int ;; boolean) t=boolean ;; *) t= ;; esac
	eval "$1=\$t"; [ -n "$t" ]
}
