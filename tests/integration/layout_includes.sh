#!/usr/bin/env bash
# No include cycle between modules. A module is a .c file with its .h
# (dnsd/listen.c and dnsd/listen.h are "dnsd/listen"); A depends on B when a
# file of A has `#include "B.h"`. A header with no .c of its own
# (policy_impl.h, fuzz.h) is part of whoever includes it: its includes count
# as theirs. The edges go through tsort(1), which names the modules of every
# cycle. Also fails on an include that names no file of the tree.
set -u
cd "$(dirname "$0")/../.."

fail=0
mapfile -t files < <(find lib dnsd ctl policy tests/unit tests/fuzz -name '*.[ch]' 2>/dev/null | sort)
mapfile -t dirs < <(printf '%s\n' "${files[@]}" | xargs -n1 dirname | sort -u)
declare -A incs	# file -> the files it includes, resolved
for f in "${files[@]}"; do
	while read -r inc; do
		to=""
		for d in "$(dirname "$f")" "${dirs[@]}"; do
			[ -f "$d/$inc" ] && { to=$(realpath -m --relative-to=. "$d/$inc"); break; }
		done
		# paths.h is generated into the build directory
		[ -n "$to" ] || [ "$inc" = paths.h ] || { echo "not ok - $f includes \"$inc\", found nowhere"; fail=1; }
		[ -n "$to" ] && incs[$f]+="$to "
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done
is_module() { [ -f "${1%.*}.c" ]; }
# deps FILE: the modules FILE depends on, through header-only files.
deps() {
	local t
	for t in ${incs[$1]:-}; do
		if is_module "$t"; then echo "${t%.*}"; else deps "$t"; fi
	done
}
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for f in "${files[@]}"; do
	is_module "$f" || continue
	echo "${f%.*} ${f%.*}" >>"$edges"	# a node even without edges
	deps "$f" | sed "s|^|${f%.*} |" >>"$edges"
done
sort -u -o "$edges" "$edges"
cycles=$(tsort "$edges" 2>&1 >/dev/null | sed -n 's/^tsort: //p' | grep -v 'input contains a loop')
if [ -n "$cycles" ]; then
	echo "not ok - no include cycle between modules; modules in a cycle:"
	sed 's/^/#   /' <<<"$cycles"
	fail=1
else
	echo "ok - no include cycle between modules ($(awk '$1 != $2' "$edges" | wc -l) dependencies checked)"
fi
exit $fail
