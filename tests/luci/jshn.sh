# jshn.sh stand-in for the LuCI app's rpcd plugin on Debian: only the
# functions the plugin uses (json_init, json_add_object, json_add_string,
# json_close_object, json_dump), strings escaped by jq. Tests use OpenWrt's
# own stand-in from tests/openwrt/jshn.sh instead when that exists.
json_init() { _J=""; _JSEP=""; }
json_add_object() { _J="$_J$_JSEP$(jq -Rn --arg k "$1" '$k'):{"; _JSEP=""; }
json_close_object() { _J="$_J}"; _JSEP=","; }
json_add_string() { _J="$_J$_JSEP$(jq -Rn --arg k "$1" '$k'):$(jq -Rn --arg v "$2" '$v')"; _JSEP=","; }
json_dump() { printf '{%s}\n' "$_J"; }
