# JSON as json-c prints it for jshn and jsonfilter (JSON_C_TO_STRING_SPACED):
# "{ "k": v, ... }", "[ a, b ]", "{ }", "[ ]", and "/" escaped as "\/".
def jsonc: if type == "object" then
		(if length == 0 then "{ }" else "{ " + (to_entries | map((.key | tojson | gsub("/"; "\\/")) + ": " + (.value | jsonc)) | join(", ")) + " }" end)
	elif type == "array" then (if length == 0 then "[ ]" else "[ " + (map(jsonc) | join(", ")) + " ]" end)
	else tojson | gsub("/"; "\\/") end;
