# The uci stand-in's engine (tests/openwrt/standins/sbin/uci runs it): reads a
# package (/etc/config syntax, or the staged copy), applies one or more uci
# commands, prints what uci prints, writes the staged copy. Anonymous
# sections are named as libuci names them when it allocates one:
# "cfg" + %02x sections so far + %04x of djbhash(type).
# Variables: pkg, file (to parse) or staged_in (the staged copy), staged_out,
# export_names, show_names, quiet; from the environment UCI_CMDS (one a line,
# fields split by \001) or UCI_LINE (a batch line to split into words).

function djb(h, s,   i) {
	for (i = 1; i <= length(s); i++) h = (h * 33 + ORD[substr(s, i, 1)]) % 2147483648
	return h
}
function add_section(type, name) {
	n++; stype[n] = type; nopt[n] = 0; sdel[n] = 0; nalloc++
	if (name == "") { sanon[n] = 1; name = sprintf("cfg%02x%04x", nalloc, djb(5381, type) % 65536) }
	else sanon[n] = 0
	sname[n] = name
	return n
}
function opt_index(s, o,   j) {
	for (j = 1; j <= nopt[s]; j++) if (oname[s, j] == o && !odel[s, j]) return j
	return 0
}
function set_opt(s, o, kind, v,   j) {
	j = opt_index(s, o)
	if (!j) { j = ++nopt[s]; oname[s, j] = o; odel[s, j] = 0; oval[s, j] = "" }
	if (kind == "list" && otype[s, j] == "list" && oval[s, j] != "") oval[s, j] = oval[s, j] SEP v
	else oval[s, j] = v
	otype[s, j] = kind
}
# Tokenizer of uci's file and batch syntax: words, '...' (no escapes),
# "..." (backslash escapes), \x outside quotes, adjacent pieces joined,
# # starts a comment. Fills TOK[1..NT].
function tokenize(line,   i, c, cur, have, q) {
	NT = 0; cur = ""; have = 0; q = ""
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (q == "'") { if (c == "'") q = ""; else cur = cur c; continue }
		if (q == "\"") {
			if (c == "\\" && i < length(line)) { i++; cur = cur substr(line, i, 1) }
			else if (c == "\"") q = ""
			else cur = cur c
			continue
		}
		if (c == "'" || c == "\"") { q = c; have = 1; continue }
		if (c == "\\" && i < length(line)) { i++; cur = cur substr(line, i, 1); have = 1; continue }
		if (c == " " || c == "\t") { if (have) { TOK[++NT] = cur; cur = ""; have = 0 }; continue }
		if (c == "#" && !have) break
		cur = cur c; have = 1
	}
	if (q != "") return -1
	if (have) TOK[++NT] = cur
	return NT
}
function parse_file(path,   line, cs, lineno) {
	cs = 0; lineno = 0
	while ((getline line < path) > 0) {
		lineno++
		if (tokenize(line) < 0) { err = "Parse error (unterminated quote) at line " lineno; return }
		if (NT == 0) continue
		if (TOK[1] == "package") continue
		if (TOK[1] == "config") cs = add_section(TOK[2], NT > 2 ? TOK[3] : "")
		else if ((TOK[1] == "option" || TOK[1] == "list") && cs && NT >= 2)
			set_opt(cs, TOK[2], TOK[1], NT > 2 ? TOK[3] : "")
		else { err = "Parse error at line " lineno; return }
	}
	close(path)
}
function unesc(s) { gsub(/\\t/, "\t", s); gsub(/\\n/, "\n", s); gsub(/\\\\/, "\\", s); return s }
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/\t/, "\\t", s); gsub(/\n/, "\\n", s); return s }
function load_staged(path,   line, f, cs) {
	while ((getline line < path) > 0) {
		split(line, f, "\t")
		if (f[1] == "N") nalloc = f[2] + 0
		else if (f[1] == "S") { n++; cs = n; stype[n] = f[3]; sname[n] = f[2]; sanon[n] = f[4]; nopt[n] = 0; sdel[n] = 0 }
		else { set_opt(cs, f[2], f[1] == "O" ? "option" : "list", ""); oval[cs, nopt[cs]] = unesc(f[3]); gsub(/\001/, SEP, oval[cs, nopt[cs]]) }
	}
	close(path)
}
function save_staged(path,   s, j, v) {
	printf "N\t%d\n", nalloc > path
	for (s = 1; s <= n; s++) {
		if (sdel[s]) continue
		printf "S\t%s\t%s\t%d\n", sname[s], stype[s], sanon[s] > path
		for (j = 1; j <= nopt[s]; j++) if (!odel[s, j]) {
			v = esc(oval[s, j])
			printf "%s\t%s\t%s\n", otype[s, j] == "list" ? "L" : "O", oname[s, j], v > path
		}
	}
	close(path)
}
function q(v) { gsub(/'/, "'\\''", v); return "'" v "'" }
# Section by name or @type[N] (negative N from the end); 0 when none.
function find_section(ref,   t, idx, s, cnt, m, list) {
	if (ref ~ /^@[A-Za-z0-9_-]+\[-?[0-9]+\]$/) {
		t = substr(ref, 2, index(ref, "[") - 2); idx = substr(ref, index(ref, "[") + 1); idx = substr(idx, 1, length(idx) - 1) + 0
		cnt = 0
		for (s = 1; s <= n; s++) if (!sdel[s] && stype[s] == t) list[++cnt] = s
		if (idx < 0) idx += cnt
		return (idx >= 0 && idx < cnt) ? list[idx + 1] : 0
	}
	for (s = 1; s <= n; s++) if (!sdel[s] && sname[s] == ref) return s
	return 0
}
function disp_name(s,   t, i, k) {
	if (!sanon[s] || show_names) return sname[s]
	k = 0
	for (i = 1; i < s; i++) if (!sdel[i] && stype[i] == stype[s]) k++
	return "@" stype[s] "[" k "]"
}
function joined(s, j, sp,   a, k, m, out) {
	if (otype[s, j] != "list") return oval[s, j]
	m = split(oval[s, j], a, SEP); out = ""
	for (k = 1; k <= m; k++) out = out (k > 1 ? sp : "") a[k]
	return out
}
function show_opt(s, j,   a, k, m, out) {
	if (otype[s, j] != "list") return q(oval[s, j])
	m = split(oval[s, j], a, SEP); out = ""
	for (k = 1; k <= m; k++) out = out (k > 1 ? " " : "") q(a[k])
	return out
}
function show_section(s,   j) {
	print pkg "." disp_name(s) "=" stype[s]
	for (j = 1; j <= nopt[s]; j++) if (!odel[s, j]) print pkg "." disp_name(s) "." oname[s, j] "=" show_opt(s, j)
}
# print_section S NAMED: its config line (with its name when NAMED or
# not anonymous) and its options and lists, quoted as uci quotes them.
function print_section(s, named,   j, a, k, m) {
	print "config " stype[s] ((!sanon[s] || named) ? " " q(sname[s]) : "")
	for (j = 1; j <= nopt[s]; j++) {
		if (odel[s, j]) continue
		if (otype[s, j] != "list") { print "\toption " oname[s, j] " " q(oval[s, j]); continue }
		m = split(oval[s, j], a, SEP)
		for (k = 1; k <= m; k++) print "\tlist " oname[s, j] " " q(a[k])
	}
}
function do_export(   s) {
	print "package " pkg; print ""
	for (s = 1; s <= n; s++) if (!sdel[s]) { print_section(s, export_names); print "" }
}
# What uci commit writes: a blank line before each section, one at the end.
function do_write(   s) {
	for (s = 1; s <= n; s++) if (!sdel[s]) { print ""; print_section(s, 0) }
	print ""
}
function fail(msg) { if (!quiet) print "uci: " msg > "/dev/stderr"; rc = 1 }
# One command: op and its argument (pkg.section[.option][=value]).
function run(op, arg,   path, val, eq, p, s, j, parts, np, a, m, k, out) {
	eq = index(arg, "=")
	if (eq) { path = substr(arg, 1, eq - 1); val = substr(arg, eq + 1) } else path = arg
	np = split(path, parts, ".")
	if (op == "add") {            # uci add PKG TYPE: prints the new name
		s = add_section(val_type, ""); print sname[s]; dirty = 1; return
	}
	if (op == "show") {
		if (np == 1) { for (s = 1; s <= n; s++) if (!sdel[s]) show_section(s); return }
		s = find_section(parts[2]); if (!s) { fail("Entry not found"); return }
		if (np == 2) { show_section(s); return }
		j = opt_index(s, parts[3]); if (!j) { fail("Entry not found"); return }
		print pkg "." disp_name(s) "." parts[3] "=" show_opt(s, j); return
	}
	if (op == "export") { do_export(); return }
	if (op == "write") { do_write(); return }
	s = (np >= 2) ? find_section(parts[2]) : 0
	if (op == "get") {
		if (!s) { fail("Entry not found"); return }
		if (np == 2) { print stype[s]; return }
		j = opt_index(s, parts[3]); if (!j) { fail("Entry not found"); return }
		print joined(s, j, " "); return
	}
	if (op == "set" && np == 2) {
		if (!s) { s = add_section(val, parts[2]) } else stype[s] = val
		dirty = 1; return
	}
	if (!s) { fail("Invalid argument"); return }
	if (op == "set") { set_opt(s, parts[3], "option", val); dirty = 1; return }
	if (op == "add_list") { set_opt(s, parts[3], "list", val); dirty = 1; return }
	if (op == "del_list") {
		j = opt_index(s, parts[3]); if (!j || otype[s, j] != "list") return
		m = split(oval[s, j], a, SEP); out = ""; p = 0
		for (k = 1; k <= m; k++) if (a[k] != val) out = out (p++ ? SEP : "") a[k]
		oval[s, j] = out; if (p == 0) odel[s, j] = 1
		dirty = 1; return
	}
	if (op == "delete") {
		if (np == 2) sdel[s] = 1
		else { j = opt_index(s, parts[3]); if (!j) { fail("Entry not found"); return }; odel[s, j] = 1 }
		dirty = 1; return
	}
	fail("unknown command " op)
}
BEGIN {
	SEP = "\002"
	cmds = ENVIRON["UCI_CMDS"]; tokenize_line = ENVIRON["UCI_LINE"]
	for (i = 1; i < 256; i++) ORD[sprintf("%c", i)] = i
	n = 0; nalloc = 0; rc = 0; err = ""
	if (tokenize_line != "") { if (tokenize(tokenize_line) < 0) exit 1; for (i = 1; i <= NT; i++) printf "%s%s", TOK[i], (i < NT ? "\001" : "\n"); exit 0 }
	if (staged_in != "") load_staged(staged_in); else if (file != "") parse_file(file)
	if (err != "") { fail(err); exit 1 }
	m = split(cmds, lines, "\n")
	for (i = 1; i <= m; i++) {
		split(lines[i], f, "\001"); val_type = f[3]
		run(f[1], f[2])
	}
	if (dirty) save_staged(staged_out)
	exit rc
}
