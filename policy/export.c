/* Exports the rules in force at one moment for default clients as a
 * Response Policy Zone, Unbound local-zone lines or dnsmasq lines. What a
 * format cannot express (a wildcard inside a label, an exact name without
 * its subtree, REFUSED) is widened or mapped to NXDOMAIN, and every such
 * place where the export and dnsd answer differently is written as a
 * "differs from dnsd:" comment. A logged name under a blocked domain is
 * passed through, as dnsd answers it normally. */
#include "policy_impl.h"

#include <arpa/inet.h>
#include <string.h>

#include "tztime.h"

struct exporter {
	const struct policy *p;
	enum policy_export_format f;
	FILE *out;
	const struct pol_phase *phase; /* NULL: every category is log only */
	const char *cmt;               /* the format's comment leader */
	struct pattern_table *seen;    /* owner names written, to skip repeats */
	struct pattern_table *blocked; /* the domains the export blocks, as written */
	bool passthru;                 /* the last pass: logged names under blocked domains */
	int last_tag;
	int ndiffer; /* "differs from dnsd" lines written */
};

/* One place where the export answers otherwise than dnsd: "SUBJECT: HERE
 * here; dnsd: THERE". SUBJECT is a domain ("NAME and below") or a pattern. */
static void
export_differs(struct exporter *ex, const char *subject, bool and_below, const char *here,
               const char *there)
{
	fprintf(ex->out, "%s differs from dnsd: %s%s: %s here; dnsd: %s\n", ex->cmt, subject,
	        and_below ? " and below" : "", here, there);
	ex->ndiffer++;
}

/* Remember that the export blocks name (and below, unless exact). */
static void
export_blocked(struct exporter *ex, const char *name, bool exact)
{
	char text[PATTERN_WIRE_MAX + 70], err[16];
	struct pattern_match dup;
	snprintf(text, sizeof text, "%s%s", exact ? "=" : "", name);
	pattern_add(ex->blocked, text, 0, 0, &dup, err, sizeof err);
}

/* Whether the export blocks name (a pattern's name, without '=' or glob). */
static bool
export_covers(const struct exporter *ex, const char *name)
{
	uint8_t wire[PATTERN_WIRE_MAX];
	struct pattern_name qn;
	struct pattern_match m;
	int len = name_to_wire(name, wire);
	return len > 0 && pattern_name_init(&qn, wire, (size_t)len) > 0 &&
	       pattern_lookup(ex->blocked, &qn, &m);
}

/* True the first time an owner (or zone) name is written. */
static bool
export_first(struct exporter *ex, const char *owner)
{
	char text[300], err[16];
	struct pattern_match dup;
	snprintf(text, sizeof text, "%s%s", owner[0] == '*' ? "" : "=", owner);
	return pattern_add(ex->seen, text, 0, 0, &dup, err, sizeof err) == 0;
}

static void
export_rpz_owner(struct exporter *ex, const char *owner, enum policy_action a)
{
	const struct policy_sinkhole *sh = &ex->p->sinkhole;
	char addr[INET6_ADDRSTRLEN];
	if (!export_first(ex, owner)) {
		fprintf(ex->out, "; %s already written above\n", owner);
		return;
	}
	switch (a) {
	case POLICY_ALLOW:
	case POLICY_LOG:
		fprintf(ex->out, "%s CNAME rpz-passthru.\n", owner);
		break;
	case POLICY_NODATA:
		fprintf(ex->out, "%s CNAME *.\n", owner);
		break;
	case POLICY_SINKHOLE:
		for (int i = 0; i < sh->n4; i++)
			fprintf(ex->out, "%s A %s\n", owner,
			        inet_ntop(AF_INET, &sh->a4[i], addr, sizeof addr));
		for (int i = 0; i < sh->n6; i++)
			fprintf(ex->out, "%s AAAA %s\n", owner,
			        inet_ntop(AF_INET6, &sh->a6[i], addr, sizeof addr));
		break;
	default:
		fprintf(ex->out, "%s CNAME .\n", owner);
	}
}

static void
export_rpz(struct exporter *ex, const struct pattern_match *m, const char *name,
           enum policy_action a)
{
	char wild[PATTERN_WIRE_MAX + 64];
	snprintf(wild, sizeof wild, "*.%s", name);
	if (m->kind != PATTERN_WILDCARD)
		export_rpz_owner(ex, name, a);
	if (m->kind != PATTERN_EXACT)
		export_rpz_owner(ex, wild, a);
	if (a != POLICY_ALLOW && a != POLICY_LOG) {
		if (m->kind != PATTERN_WILDCARD)
			export_blocked(ex, name, true);
		if (m->kind != PATTERN_EXACT)
			export_blocked(ex, wild + 2, false);
	}
}

static void
export_zone(struct exporter *ex, const char *name, enum policy_action a)
{
	const struct policy_sinkhole *sh = &ex->p->sinkhole;
	char addr[INET6_ADDRSTRLEN];
	if (!export_first(ex, name)) {
		fprintf(ex->out, "# %s already written above\n", name);
		return;
	}
	if (a != POLICY_ALLOW && a != POLICY_LOG)
		export_blocked(ex, name, false);
	if (ex->f == POLICY_EXPORT_UNBOUND) {
		static const char *const types[] = {
		    [POLICY_ALLOW] = "always_transparent", [POLICY_LOG] = "always_transparent",
		    [POLICY_NXDOMAIN] = "always_nxdomain", [POLICY_NODATA] = "always_nodata",
		    [POLICY_REFUSED] = "always_refuse",    [POLICY_SINKHOLE] = "redirect"};
		fprintf(ex->out, "local-zone: \"%s.\" %s\n", name, types[a]);
		for (int i = 0; a == POLICY_SINKHOLE && i < sh->n4; i++)
			fprintf(ex->out, "local-data: \"%s. %u IN A %s\"\n", name,
			        ex->p->answer_ttl,
			        inet_ntop(AF_INET, &sh->a4[i], addr, sizeof addr));
		for (int i = 0; a == POLICY_SINKHOLE && i < sh->n6; i++)
			fprintf(ex->out, "local-data: \"%s. %u IN AAAA %s\"\n", name,
			        ex->p->answer_ttl,
			        inet_ntop(AF_INET6, &sh->a6[i], addr, sizeof addr));
		return;
	}
	if (a == POLICY_ALLOW || a == POLICY_LOG)
		fprintf(ex->out, "server=/%s/#\n", name);
	else if (a != POLICY_SINKHOLE)
		fprintf(ex->out, "address=/%s/\n", name);
	for (int i = 0; a == POLICY_SINKHOLE && i < sh->n4; i++)
		fprintf(ex->out, "address=/%s/%s\n", name,
		        inet_ntop(AF_INET, &sh->a4[i], addr, sizeof addr));
	for (int i = 0; a == POLICY_SINKHOLE && i < sh->n6; i++)
		fprintf(ex->out, "address=/%s/%s\n", name,
		        inet_ntop(AF_INET6, &sh->a6[i], addr, sizeof addr));
}

static void
export_category_header(struct exporter *ex, const struct pattern_match *m, enum policy_action a)
{
	const char *cat = m->tag < 0 ? "allowlist" : ex->p->catnames[m->tag];
	if (m->tag == ex->last_tag)
		return;
	ex->last_tag = m->tag;
	fprintf(ex->out, "%s\n%s %s: %s", ex->cmt, ex->cmt, cat, policy_action_name(a));
	if (a == POLICY_LOG)
		fprintf(ex->out,
		        " only: not exported (answered normally; only dnsd records who asks)");
	else if (a == POLICY_REFUSED && ex->f != POLICY_EXPORT_UNBOUND)
		fprintf(ex->out, " (this format has no REFUSED: exported as NXDOMAIN)");
	else if (a == POLICY_NODATA && ex->f == POLICY_EXPORT_DNSMASQ)
		fprintf(ex->out, " (dnsmasq has no NODATA: exported as NXDOMAIN)");
	fputc('\n', ex->out);
}

/* The answer this format gives for a, in words, when it is not dnsd's. */
static const char *
export_mapped(const struct exporter *ex, enum policy_action a)
{
	if (a == POLICY_REFUSED && ex->f != POLICY_EXPORT_UNBOUND)
		return "nxdomain";
	if (a == POLICY_NODATA && ex->f == POLICY_EXPORT_DNSMASQ)
		return "nxdomain";
	return NULL;
}

/* A logged name that the export would block with a domain above it: pass
 * it through, as dnsd answers it normally (a wildcard cannot be). */
static void
export_logged(struct exporter *ex, const struct pattern_match *m, const char *name)
{
	if (!export_covers(ex, name))
		return;
	if (ex->last_tag != m->tag) {
		ex->last_tag = m->tag;
		fprintf(ex->out,
		        "%s\n%s %s: log, under a blocked domain: passed through as in dnsd\n",
		        ex->cmt, ex->cmt, ex->p->catnames[m->tag]);
	}
	if (m->kind == PATTERN_WILDCARD) {
		export_differs(ex, m->text, false, "blocked by a domain above it", "log");
		return;
	}
	if (m->kind == PATTERN_EXACT && ex->f != POLICY_EXPORT_RPZ)
		export_differs(ex, name, true, "passed through", "only the name itself is log");
	if (ex->f == POLICY_EXPORT_RPZ)
		export_rpz(ex, m, name, POLICY_LOG);
	else
		export_zone(ex, name, POLICY_LOG);
}

static void
export_pattern(void *arg, const struct pattern_match *m)
{
	struct exporter *ex = arg;
	enum policy_action a = m->tag < 0  ? POLICY_ALLOW
	                       : ex->phase ? (enum policy_action)ex->phase->actions[m->tag]
	                                   : POLICY_LOG;
	char name[300], there[320];
	const char *glob;
	size_t globlen;

	pattern_parent(m, name, sizeof name, &glob, &globlen);
	if (ex->passthru) {
		if (a == POLICY_LOG)
			export_logged(ex, m, name);
		return;
	}
	export_category_header(ex, m, a);
	if (a == POLICY_LOG)
		return;
	if (m->kind == PATTERN_WILDCARD && a == POLICY_ALLOW) {
		fprintf(ex->out,
		        "%s %s: an allowed wildcard cannot be widened safely: not exported\n",
		        ex->cmt, m->text);
		export_differs(ex, m->text, false, "blocked where a blocked domain covers it",
		               "allow");
		return;
	}
	snprintf(there, sizeof there, "%s only for %s (and its other rules)", policy_action_name(a),
	         m->text);
	if (m->kind == PATTERN_WILDCARD) {
		fprintf(ex->out,
		        "%s %s: a wildcard inside a label cannot be expressed: widened to every "
		        "name under %s\n",
		        ex->cmt, m->text, name);
		export_differs(ex, name, true, policy_action_name(a), there);
	} else if (m->kind == PATTERN_EXACT && ex->f != POLICY_EXPORT_RPZ) {
		fprintf(ex->out,
		        "%s %s: exact names cannot be expressed: widened to %s and below\n",
		        ex->cmt, m->text, name);
		export_differs(ex, name, true, policy_action_name(a), there);
	}
	if (export_mapped(ex, a))
		export_differs(ex, m->text, false, export_mapped(ex, a), policy_action_name(a));
	if (ex->f == POLICY_EXPORT_RPZ)
		export_rpz(ex, m, name, a);
	else
		export_zone(ex, name, a);
}

void
policy_export(const struct policy *p, enum policy_export_format f, time_t at, FILE *out)
{
	struct exporter ex = {
	    .p = p, .f = f, .out = out, .cmt = f == POLICY_EXPORT_RPZ ? ";" : "#", .last_tag = -2};
	char local[64], utc[32];
	struct arena *a = arena_new();
	ex.seen = a ? pattern_table_new(a) : NULL;
	ex.blocked = a ? pattern_table_new(a) : NULL;
	ex.phase = pol_phase_at(&p->sched, at);

	fprintf(out, "%s exported by dnsd-policy from %s\n", ex.cmt, p->path);
	fprintf(out, "%s rules in force at %s (%s) for clients in no group: phase %s\n", ex.cmt,
	        tztime_format(at, p->zone, local, sizeof local),
	        tztime_format_utc(at, utc, sizeof utc),
	        ex.phase ? ex.phase->name : "none (everything only logged)");
	fprintf(out,
	        "%s client groups, exemptions and later phases are not exported: re-export at "
	        "each boundary\n",
	        ex.cmt);
	if (!ex.seen || !ex.blocked) {
		fprintf(out, "%s out of memory\n", ex.cmt);
		pattern_table_free(ex.seen);
		pattern_table_free(ex.blocked);
		arena_free(a);
		return;
	}
	if (f == POLICY_EXPORT_RPZ) {
		fprintf(out, "; load as a response policy zone of any name (e.g. rpz.dnsd.)\n");
		fprintf(out, "$TTL %u\n", p->answer_ttl);
		fprintf(out, "@ SOA localhost. hostmaster.localhost. %lld 3600 600 86400 %u\n",
		        (long long)(at > 0 ? (uint32_t)at : 1), p->negative_ttl);
		fprintf(out, "@ NS localhost.\n");
	} else if (f == POLICY_EXPORT_UNBOUND)
		fprintf(out, "# include in unbound.conf's server: clause\n");
	/* The allowlist first, so that it wins where an owner name repeats. */
	pattern_foreach(p->allow, export_pattern, &ex);
	pattern_foreach(p->cats, export_pattern, &ex);
	/* last: a logged name loses an owner it shares with a blocked one */
	ex.passthru = true;
	ex.last_tag = -2;
	pattern_foreach(p->cats, export_pattern, &ex);
	fprintf(out,
	        "%s\n%s %d difference%s from dnsd, each on a \"differs from dnsd:\" line above; "
	        "every other name gets the same answer as from dnsd\n",
	        ex.cmt, ex.cmt, ex.ndiffer, ex.ndiffer == 1 ? "" : "s");
	pattern_table_free(ex.seen);
	pattern_table_free(ex.blocked);
	arena_free(a);
}
