/* Loading and checking policy files: libconfig text in, a struct policy
 * out (see policy_impl.h). The loader keeps going after an error so that
 * `dnsd-policy check` can list every problem as file:line: message. */
#include "policy_impl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confread.h"
#include "tztime.h"

#define DEFAULT_NEGATIVE_TTL 300
#define DEFAULT_ANSWER_TTL 60

struct loader {
	struct policy *p;
	const char *path;
	struct conf_errors e;
	bool oom;
};

#define lerr_at(L, ...) conf_error(&(L)->e, __VA_ARGS__)

/* libconfig gives a list element the line of the token after it; the
 * element's own line is where its quoted text is. Error path only: it
 * reads the file. */
static int
text_line(const char *path, int line, const char *text)
{
	FILE *f = fopen(path, "r");
	char buf[4][1024], quoted[300];
	int n = 0;
	if (!f)
		return line;
	snprintf(quoted, sizeof quoted, "\"%s\"", text);
	while (n < line && fgets(buf[n % 4], sizeof buf[0], f))
		n++;
	fclose(f);
	for (int back = 0; back < 4 && n - back > 0; back++)
		if (strstr(buf[(n - back - 1) % 4], quoted))
			return n - back;
	return line;
}

static const char *
setting_file(struct loader *L, const config_setting_t *s)
{
	const char *f = config_setting_source_file(s);
	return f ? f : L->path;
}

#define lerr(L, s, ...) confread_error(&(L)->e, (s), __VA_ARGS__)

static const char *
keep(struct loader *L, const char *s)
{
	char *c = arena_strdup(L->p->arena, s);
	if (!c) {
		L->oom = true;
		return "";
	}
	return c;
}

static void *
alloc(struct loader *L, size_t size)
{
	void *m = arena_alloc(L->p->arena, size ? size : 1);
	if (!m)
		L->oom = true;
	return m;
}

/* The string member key of g: NULL when absent or (with an error) not a string. */
static const char *
get_str(struct loader *L, const config_setting_t *g, const char *key)
{
	const config_setting_t *m = config_setting_get_member(g, key);
	if (!m)
		return NULL;
	if (config_setting_type(m) != CONFIG_TYPE_STRING) {
		lerr(L, m, "\"%s\" must be a string", key);
		return NULL;
	}
	return config_setting_get_string(m);
}

/* A list or array member of strings; NULL when absent or wrong. */
static config_setting_t *
get_strlist(struct loader *L, const config_setting_t *g, const char *key)
{
	config_setting_t *m = config_setting_get_member(g, key);
	if (!m)
		return NULL;
	if (!config_setting_is_list(m) && !config_setting_is_array(m)) {
		lerr(L, m, "\"%s\" must be a list of strings, e.g. ( \"a\", \"b\" )", key);
		return NULL;
	}
	for (int i = 0; i < config_setting_length(m); i++)
		if (config_setting_type(config_setting_get_elem(m, (unsigned)i)) !=
		    CONFIG_TYPE_STRING) {
			lerr(L, m, "\"%s\" must contain strings only", key);
			return NULL;
		}
	return m;
}

static bool
get_time(struct loader *L, const config_setting_t *g, const char *key, time_t *out)
{
	const char *s = get_str(L, g, key);
	char err[300];
	if (!s)
		return false;
	if (tztime_parse(s, L->p->zone, out, err, sizeof err) < 0) {
		lerr(L, config_setting_get_member(g, key), "%s: %s", key, err);
		return false;
	}
	return true;
}

static void
get_ttl(struct loader *L, const config_setting_t *root, const char *key, uint32_t *out)
{
	const config_setting_t *m = config_setting_get_member(root, key);
	if (!m)
		return;
	long long v = config_setting_type(m) == CONFIG_TYPE_INT     ? config_setting_get_int(m)
	              : config_setting_type(m) == CONFIG_TYPE_INT64 ? config_setting_get_int64(m)
	                                                            : -1;
	if (v < 0 || v > 604800)
		lerr(L, m, "\"%s\" must be a number of seconds from 0 to 604800", key);
	else
		*out = (uint32_t)v;
}

static void
report_invalid(struct loader *L, const char *file, int line, const char *text, const char *err)
{
	lerr_at(L, file, text_line(file, line, text), "%s", err);
}

/* text at line repeats orig, written earlier. */
static void
report_repeat(struct loader *L, const char *file, int line, const char *text,
              const struct pattern_match *orig)
{
	lerr_at(L, file, text_line(file, line, text),
	        "pattern \"%s\" repeats \"%s\" of %s (line %d)", text, orig->text,
	        orig->tag < 0 ? "the allowlist" : L->p->catnames[orig->tag],
	        text_line(file, orig->line, orig->text));
}

static void
add_pattern(struct loader *L, struct pattern_table *t, const char *text, int tag, const char *file,
            int line)
{
	char err[400];
	struct pattern_match dup;
	int r = pattern_add(t, text, tag, line, &dup, err, sizeof err);
	if (r == -1)
		report_invalid(L, file, line, text, err);
	else if (r == -2)
		report_repeat(L, file, line, text, &dup);
}

/* A pattern list file: one pattern a line, '#' starts a comment. */
static void
load_pattern_file(struct loader *L, struct pattern_table *t, int tag, const config_setting_t *m)
{
	const char *name = config_setting_get_string(m);
	char path[4096], line[1024];
	const char *slash = strrchr(L->path, '/');
	if (name[0] == '/' || !slash)
		snprintf(path, sizeof path, "%s", name);
	else
		snprintf(path, sizeof path, "%.*s/%s", (int)(slash - L->path), L->path, name);
	FILE *f = fopen(path, "r");
	if (!f) {
		lerr(L, m, "cannot read pattern file %s: %s", path, strerror(errno));
		return;
	}
	const char *fname = keep(L, path);
	for (int n = 1; fgets(line, sizeof line, f); n++) {
		char *s = line, *e;
		if ((e = strchr(s, '#')))
			*e = '\0';
		s += strspn(s, " \t\r\n");
		e = s + strcspn(s, " \t\r\n");
		if (*(e + strspn(e, " \t\r\n")) != '\0')
			lerr_at(L, fname, n, "one pattern per line");
		*e = '\0';
		if (*s)
			add_pattern(L, t, s, tag, fname, n);
	}
	fclose(f);
}

/* An error in an inline pattern list, kept until the list is done. */
struct list_error {
	uint32_t pos;     /* the element's position in the pattern table */
	const char *file; /* libconfig's, valid until config_destroy */
	int line;         /* libconfig's line of the element (see text_line) */
	char *text;       /* the pattern; NULL when the element is no string */
	char *msg;        /* what is wrong with it; NULL: it repeats an earlier one */
};

/* The errors of a list compiled from its end: the earliest CONF_MAX_ERRORS
 * (all that can be reported). */
struct list_errors {
	struct list_error e[CONF_MAX_ERRORS];
	int n, dropped;
};

static void
list_error_free(struct list_error *e)
{
	free(e->text);
	free(e->msg);
}

static void
list_error_add(struct loader *L, struct list_errors *le, uint32_t pos, const char *file, int line,
               const char *text, const char *msg)
{
	int at = le->n;
	if (le->n == CONF_MAX_ERRORS) { /* keep the earliest: give up the latest */
		at = 0;
		for (int i = 1; i < le->n; i++)
			if (le->e[i].pos > le->e[at].pos)
				at = i;
		le->dropped++;
		if (le->e[at].pos < pos)
			return;
		list_error_free(&le->e[at]);
	} else
		le->n++;
	struct list_error *e = &le->e[at];
	*e = (struct list_error){pos, file, line, text ? strdup(text) : NULL,
	                         msg ? strdup(msg) : NULL};
	if ((text && !e->text) || (msg && !e->msg))
		L->oom = true;
}

static int
list_error_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct list_error *)a)->pos, y = ((const struct list_error *)b)->pos;
	return x < y ? -1 : x > y;
}

/* In file order; a repeat names the earliest pattern it repeats, known
 * only now. */
static void
list_errors_report(struct loader *L, struct pattern_table *t, struct list_errors *le)
{
	struct pattern_match orig;
	qsort(le->e, (size_t)le->n, sizeof le->e[0], list_error_cmp);
	for (int i = 0; i < le->n; i++) {
		struct list_error *e = &le->e[i];
		if (!e->text)
			lerr_at(L, e->file, e->line, "patterns must be strings");
		else if (e->msg)
			report_invalid(L, e->file, e->line, e->text, e->msg);
		else if (pattern_find(t, e->text, &orig))
			report_repeat(L, e->file, e->line, e->text, &orig);
		list_error_free(e);
	}
	L->e.n += le->dropped;
}

/* An inline list of patterns, compiled from its end so that each element
 * can leave libconfig's tree (about 120 bytes each) as soon as it is in the
 * pattern table: a big list is then never held twice. Removing the last
 * element of a list moves nothing. */
static void
load_pattern_list(struct loader *L, struct pattern_table *t, int tag, config_setting_t *list)
{
	int n = config_setting_length(list);
	int64_t base = pattern_reserve(t, (size_t)n);
	struct list_errors *le = NULL;
	char err[400];
	struct pattern_match dup;
	if (base < 0) {
		L->oom = true;
		return;
	}
	for (int i = n - 1; i >= 0; i--) {
		config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		const char *text = config_setting_get_string(e), *file = setting_file(L, e);
		int line = config_setting_source_line(e);
		uint32_t pos = (uint32_t)(base + i);
		int r = text ? pattern_add_at(t, pos, text, tag, line, &dup, err, sizeof err) : -1;
		if (r != 0 && !le && !(le = calloc(1, sizeof *le))) {
			L->oom = true;
			return;
		}
		if (r == -1)
			list_error_add(L, le, pos, file, line, text, text ? err : NULL);
		else if (r == -2)
			list_error_add(L, le, pos, file, line, text, NULL);
		else if (r == -3) /* the later dup repeats text */
			list_error_add(L, le, dup.pos, setting_file(L, list), dup.line, dup.text,
			               NULL);
		config_setting_remove_elem(list, (unsigned)i);
	}
	if (le)
		list_errors_report(L, t, le);
	free(le);
}

/* A pattern set: a list of patterns, or a group { patterns = (...); file = "x"; }. */
static void
load_patterns(struct loader *L, struct pattern_table *t, int tag, config_setting_t *s)
{
	static const char *const keys[] = {"patterns", "file", NULL};
	config_setting_t *list = s;
	if (config_setting_is_group(s)) {
		confread_known(&L->e, s, keys, "unknown setting \"%s\" in %s",
		               config_setting_name(s));
		list = get_strlist(L, s, "patterns");
		if (get_str(L, s, "file"))
			load_pattern_file(L, t, tag, config_setting_get_member(s, "file"));
		if (!list)
			return;
	} else if (!config_setting_is_list(s) && !config_setting_is_array(s)) {
		lerr(L, s, "\"%s\" must be a list of patterns or a group with patterns/file",
		     config_setting_name(s));
		return;
	}
	load_pattern_list(L, t, tag, list);
}

static void
load_categories(struct loader *L, config_setting_t *cats)
{
	struct policy *p = L->p;
	if (!config_setting_is_group(cats)) {
		lerr(L, cats,
		     "\"categories\" must be a group: categories = { update = ( ... ); };");
		return;
	}
	p->ncat = config_setting_length(cats);
	p->catnames = alloc(L, (size_t)p->ncat * sizeof *p->catnames);
	if (!p->catnames)
		return;
	for (int i = 0; i < p->ncat; i++)
		p->catnames[i] =
		    keep(L, config_setting_name(config_setting_get_elem(cats, (unsigned)i)));
	for (int i = 0; i < p->ncat; i++)
		load_patterns(L, p->cats, i, config_setting_get_elem(cats, (unsigned)i));
}

static int
parse_action(const char *s)
{
	static const char *const names[] = {"log", "nxdomain", "nodata", "refused", "sinkhole"};
	static const enum policy_action acts[] = {POLICY_LOG, POLICY_NXDOMAIN, POLICY_NODATA,
	                                          POLICY_REFUSED, POLICY_SINKHOLE};
	for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)acts[i];
	return -1;
}

static bool
check_action(struct loader *L, const config_setting_t *m, const char *s, uint8_t *out)
{
	int a = parse_action(s);
	if (a < 0) {
		lerr(L, m, "unknown action \"%s\" (log, nxdomain, nodata, refused or sinkhole)", s);
		return false;
	}
	if (a == POLICY_SINKHOLE && L->p->sinkhole.n4 + L->p->sinkhole.n6 == 0) {
		lerr(L, m,
		     "action sinkhole needs a top-level sinkhole = { a = ( ... ); aaaa = ( ... ); "
		     "}");
		return false;
	}
	*out = (uint8_t)a;
	return true;
}

static void
load_actions(struct loader *L, struct pol_phase *ph, const config_setting_t *g)
{
	const char *others = get_str(L, g, "others");
	uint8_t def = POLICY_LOG;
	if (others)
		check_action(L, config_setting_get_member(g, "others"), others, &def);
	for (int c = 0; c < L->p->ncat; c++)
		ph->actions[c] = def;
	const config_setting_t *acts = config_setting_get_member(g, "actions");
	if (!acts)
		return;
	if (!config_setting_is_group(acts)) {
		lerr(L, acts, "\"actions\" must be a group: actions = { update = \"nxdomain\"; };");
		return;
	}
	for (int i = 0; i < config_setting_length(acts); i++) {
		const config_setting_t *m = config_setting_get_elem(acts, (unsigned)i);
		const char *cat = config_setting_name(m), *a = config_setting_get_string(m);
		int c = 0;
		while (c < L->p->ncat && strcmp(L->p->catnames[c], cat) != 0)
			c++;
		if (c == L->p->ncat)
			lerr(L, m, "phase \"%s\": no category \"%s\"", ph->name, cat);
		else if (!a)
			lerr(L, m, "the action for \"%s\" must be a string", cat);
		else
			check_action(L, m, a, &ph->actions[c]);
	}
}

static void
phase_reasons(struct loader *L, struct pol_phase *ph)
{
	char buf[400], when[64];
	tztime_format(ph->start, L->p->zone, when, sizeof when);
	snprintf(buf, sizeof buf, "phase \"%s\" (since %s)", ph->name, when);
	ph->reason = keep(L, buf);
	snprintf(buf, sizeof buf, "clock unsynced: phase \"%s\" assumed", ph->name);
	ph->reason_unsynced = keep(L, buf);
}

static void
load_schedule(struct loader *L, struct pol_schedule *sc, const config_setting_t *list)
{
	static const char *const keys[] = {"name", "start", "end", "actions", "others", NULL};
	if (!config_setting_is_list(list)) {
		lerr(L, list,
		     "\"phases\" must be a list of groups: phases = ( { name = ...; }, ... );");
		return;
	}
	int n = config_setting_length(list);
	sc->phases = alloc(L, (size_t)n * sizeof *sc->phases);
	if (!sc->phases)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		struct pol_phase *ph = &sc->phases[sc->n];
		if (!config_setting_is_group(g)) {
			lerr(L, g, "a phase must be a group { name = ...; start = ...; }");
			continue;
		}
		confread_known(&L->e, g, keys, "unknown setting \"%s\" in %s", "a phase");
		const char *name = get_str(L, g, "name");
		ph->line = config_setting_source_line(g);
		if (!name) {
			lerr(L, g, "a phase needs a name");
			name = "?";
		}
		ph->name = keep(L, name);
		for (int k = 0; k < sc->n; k++)
			if (strcmp(sc->phases[k].name, name) == 0)
				lerr(L, g, "phase \"%s\" defined twice", name);
		bool ok = get_time(L, g, "start", &ph->start);
		if (!config_setting_get_member(g, "start"))
			lerr(L, g, "phase \"%s\" needs a start", name);
		if (!(ph->actions = alloc(L, (size_t)L->p->ncat)))
			return;
		load_actions(L, ph, g);
		if (!ok)
			continue;
		if (get_time(L, g, "end", &ph->end) && ph->end <= ph->start)
			lerr(L, g, "phase \"%s\" ends before it starts", name);
		if (sc->n > 0) {
			struct pol_phase *prev = &sc->phases[sc->n - 1];
			if (ph->start <= prev->start)
				lerr(L, g,
				     "phase \"%s\" must start after phase \"%s\" (phases are "
				     "listed in "
				     "time order)",
				     name, prev->name);
			else if (prev->end && prev->end > ph->start)
				lerr(L, g, "phase \"%s\" starts before phase \"%s\" ends", name,
				     prev->name);
		}
		phase_reasons(L, ph);
		sc->n++;
	}
}

static void
load_group_members(struct loader *L, struct pol_group *gr, const config_setting_t *g)
{
	const config_setting_t *addrs = get_strlist(L, g, "addresses");
	const config_setting_t *macs = get_strlist(L, g, "macs");
	if (addrs) {
		gr->nets = alloc(L, (size_t)config_setting_length(addrs) * sizeof *gr->nets);
		for (int i = 0; gr->nets && i < config_setting_length(addrs); i++) {
			const config_setting_t *e = config_setting_get_elem(addrs, (unsigned)i);
			if (cidr_parse(&gr->nets[gr->nnets], config_setting_get_string(e)) < 0)
				lerr(L, e,
				     "client group \"%s\": \"%s\" is not an address or prefix",
				     gr->name, config_setting_get_string(e));
			else
				gr->nnets++;
		}
	}
	if (macs) {
		gr->macs = alloc(L, (size_t)config_setting_length(macs) * sizeof *gr->macs);
		for (int i = 0; gr->macs && i < config_setting_length(macs); i++) {
			const config_setting_t *e = config_setting_get_elem(macs, (unsigned)i);
			if (mac_parse(gr->macs[gr->nmacs], config_setting_get_string(e)) < 0)
				lerr(L, e, "client group \"%s\": \"%s\" is not a MAC address",
				     gr->name, config_setting_get_string(e));
			else
				gr->nmacs++;
		}
	}
	if (!addrs && !macs)
		lerr(L, g, "client group \"%s\" needs addresses or macs", gr->name);
}

static void
load_group(struct loader *L, struct pol_group *gr, const config_setting_t *g)
{
	static const char *const keys[] = {"name",  "addresses", "macs",   "exempt",
	                                   "until", "reason",    "phases", NULL};
	confread_known(&L->e, g, keys, "unknown setting \"%s\" in %s", "a client group");
	const char *name = get_str(L, g, "name");
	if (!name)
		lerr(L, g, "a client group needs a name");
	gr->name = keep(L, name ? name : "?");
	load_group_members(L, gr, g);

	const config_setting_t *ex = config_setting_get_member(g, "exempt");
	if (ex && config_setting_type(ex) != CONFIG_TYPE_BOOL)
		lerr(L, ex, "\"exempt\" must be true or false");
	gr->exempt =
	    ex && config_setting_type(ex) == CONFIG_TYPE_BOOL && config_setting_get_bool(ex);
	if (config_setting_get_member(g, "until")) {
		get_time(L, g, "until", &gr->until);
		if (!gr->exempt)
			lerr(L, g,
			     "client group \"%s\": \"until\" ends an exemption, but the group is "
			     "not "
			     "exempt = true",
			     gr->name);
	}
	const char *why = get_str(L, g, "reason");
	char buf[400];
	snprintf(buf, sizeof buf, "client exempt%s%s", why ? ": " : "", why ? why : "");
	gr->reason = keep(L, buf);

	const config_setting_t *ph = config_setting_get_member(g, "phases");
	if (ph)
		load_schedule(L, &gr->sched, ph);
	if (!gr->exempt && !ph)
		lerr(L, g,
		     "client group \"%s\" changes nothing: give it exempt = true or its own phases",
		     gr->name);
}

static void
load_clients(struct loader *L, const config_setting_t *list)
{
	struct policy *p = L->p;
	if (!config_setting_is_list(list)) {
		lerr(L, list,
		     "\"clients\" must be a list of groups: clients = ( { name = ...; }, ... );");
		return;
	}
	int n = config_setting_length(list);
	if (!(p->groups = alloc(L, (size_t)n * sizeof *p->groups)))
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		if (!config_setting_is_group(g)) {
			lerr(L, g,
			     "a client group must be a group { name = ...; addresses = ...; }");
			continue;
		}
		load_group(L, &p->groups[p->ngroups], g);
		for (int k = 0; k < p->ngroups; k++)
			if (strcmp(p->groups[k].name, p->groups[p->ngroups].name) == 0)
				lerr(L, g, "client group \"%s\" defined twice", p->groups[k].name);
		p->ngroups++;
	}
}

static void
load_sinkhole(struct loader *L, const config_setting_t *g)
{
	static const char *const keys[] = {"a", "aaaa", NULL};
	struct policy_sinkhole *sh = &L->p->sinkhole;
	if (!config_setting_is_group(g)) {
		lerr(L, g, "\"sinkhole\" must be a group: sinkhole = { a = ( \"0.0.0.0\" ); };");
		return;
	}
	confread_known(&L->e, g, keys, "unknown setting \"%s\" in %s", "sinkhole");
	for (int fam = 0; fam < 2; fam++) {
		const config_setting_t *l = get_strlist(L, g, fam ? "aaaa" : "a");
		for (int i = 0; l && i < config_setting_length(l); i++) {
			const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
			int *n = fam ? &sh->n6 : &sh->n4;
			void *dst = fam ? (void *)&sh->a6[*n] : (void *)&sh->a4[*n];
			if (*n >= POLICY_SINKHOLE_MAX)
				lerr(L, e, "at most %d sinkhole addresses per family",
				     POLICY_SINKHOLE_MAX);
			else if (inet_pton(fam ? AF_INET6 : AF_INET, config_setting_get_string(e),
			                   dst) != 1)
				lerr(L, e, "\"%s\" is not an IPv%d address",
				     config_setting_get_string(e), fam ? 6 : 4);
			else
				(*n)++;
		}
	}
}

static void
load_unsynced(struct loader *L, const config_setting_t *root)
{
	struct policy *p = L->p;
	const char *u = get_str(L, root, "unsynced");
	if (!u || strcmp(u, "latest") == 0)
		return;
	if (strcmp(u, "first") == 0)
		p->unsynced = UNSYNCED_FIRST;
	else if (strcmp(u, "log") == 0)
		p->unsynced = UNSYNCED_LOG;
	else {
		p->unsynced = UNSYNCED_PHASE;
		p->unsynced_phase = keep(L, u);
		for (int i = 0; i < p->sched.n; i++)
			if (strcmp(p->sched.phases[i].name, u) == 0)
				return;
		lerr(L, config_setting_get_member(root, "unsynced"),
		     "unsynced = \"%s\": want latest, first, log or the name of a phase", u);
	}
}

static void
load_root(struct loader *L, const config_setting_t *root)
{
	static const char *const keys[] = {"not_before", "timezone", "unsynced", "negative_ttl",
	                                   "answer_ttl", "sinkhole", "allow",    "categories",
	                                   "phases",     "clients",  NULL};
	struct policy *p = L->p;
	config_setting_t *s;
	char err[300];
	confread_known(&L->e, root, keys, "unknown setting \"%s\" in %s", "the policy file");

	const char *zone = get_str(L, root, "timezone");
	if (zone && tztime_zone_check(zone, err, sizeof err) < 0)
		lerr(L, config_setting_get_member(root, "timezone"), "%s", err);
	else if (zone)
		p->zone = keep(L, zone);
	get_time(L, root, "not_before", &p->not_before);
	get_ttl(L, root, "negative_ttl", &p->negative_ttl);
	get_ttl(L, root, "answer_ttl", &p->answer_ttl);
	if ((s = config_setting_get_member(root, "sinkhole")))
		load_sinkhole(L, s);
	if ((s = config_setting_get_member(root, "categories")))
		load_categories(L, s);
	if ((s = config_setting_get_member(root, "allow")))
		load_patterns(L, p->allow, -1, s);
	if ((s = config_setting_get_member(root, "phases")))
		load_schedule(L, &p->sched, s);
	if ((s = config_setting_get_member(root, "clients")))
		load_clients(L, s);
	load_unsynced(L, root);
}

/* Loads path, reporting errors; NULL when there was any. */
static struct policy *
policy_load_report(const char *path, void (*report)(void *, const char *), void *arg, int *nerr)
{
	struct loader L = {.path = path};
	struct arena *a = arena_new();
	struct policy *p = a ? arena_alloc(a, sizeof *p) : NULL;
	config_t cf;

	L.e = (struct conf_errors){.path = path, .report = report, .arg = arg};

	if (!p) {
		arena_free(a);
		report(arg, "out of memory");
		*nerr = 1;
		return NULL;
	}
	p->arena = a;
	p->negative_ttl = DEFAULT_NEGATIVE_TTL;
	p->answer_ttl = DEFAULT_ANSWER_TTL;
	L.p = p;
	p->path = keep(&L, path);
	p->cats = pattern_table_new(a);
	p->allow = pattern_table_new(a);
	config_init(&cf);
	/* @include "x" means x next to the policy file, as pattern files do. */
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, (size_t)(slash - path)) : NULL;
	if (dir)
		config_set_include_dir(&cf, dir);
	if (!p->cats || !p->allow) {
		L.oom = true;
	} else {
		int rc = confread_file(&cf, path, &L.e);
		if (rc == -1)
			lerr_at(&L, path, 0, "cannot read: %s", strerror(errno));
		else if (rc == 0)
			load_root(&L, config_root_setting(&cf));
	}
	config_destroy(&cf);
	free(dir);
	if (L.oom)
		lerr_at(&L, path, 0, "out of memory");
	conf_errors_end(&L.e);
	*nerr = L.e.n;
	if (L.e.n) {
		policy_free(p);
		return NULL;
	}
	return p;
}

struct first_error {
	char *buf;
	size_t len;
	int n;
};

static void
keep_first(void *arg, const char *msg)
{
	struct first_error *fe = arg;
	if (fe->n++ == 0)
		snprintf(fe->buf, fe->len, "%s", msg);
}

struct policy *
policy_load(const char *path, char *err, size_t errlen)
{
	struct first_error fe = {err, errlen, 0};
	int nerr;
	struct policy *p = policy_load_report(path, keep_first, &fe, &nerr);
	if (nerr > 1) {
		size_t l = strlen(err);
		snprintf(err + l, errlen - l, " (and %d more errors)", nerr - 1);
	}
	return p;
}

int
policy_check(const char *path, void (*report)(void *arg, const char *msg), void *arg)
{
	int nerr;
	policy_free(policy_load_report(path, report, arg, &nerr));
	return nerr;
}

void
policy_free(struct policy *p)
{
	if (!p)
		return;
	pattern_table_free(p->cats);
	pattern_table_free(p->allow);
	arena_free(p->arena);
}

const char *
policy_path(const struct policy *p)
{
	return p->path;
}

const char *
policy_timezone(const struct policy *p)
{
	return p->zone;
}

size_t
policy_pattern_count(const struct policy *p)
{
	return pattern_count(p->cats) + pattern_count(p->allow);
}

size_t
policy_memory(const struct policy *p)
{
	return arena_size(p->arena) + pattern_table_memory(p->cats) +
	       pattern_table_memory(p->allow);
}

time_t
policy_clock_floor(const struct policy *p)
{
	time_t build = (time_t)DNSD_BUILD_EPOCH;
	return p->not_before > build ? p->not_before : build;
}
