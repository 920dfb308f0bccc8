/* Exports the rules in force at one moment for default clients as a
 * Response Policy Zone, Unbound local-zone lines or dnsmasq lines. What a
 * format cannot express (a wildcard inside a label, an exact name without
 * its subtree, REFUSED) is widened or mapped to NXDOMAIN, with a comment. */
#include "policy_impl.h"

#include <arpa/inet.h>
#include <string.h>

#include "tztime.h"

struct exporter {
	const struct policy *p;
	enum policy_export_format f;
	FILE *out;
	const struct pol_phase *phase; /* NULL: every category is log only */
	const char *cmt;	       /* the format's comment leader */
	struct pattern_table *seen;    /* owner names written, to skip repeats */
	int last_tag;
};

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
		fprintf(ex->out, "%s CNAME rpz-passthru.\n", owner);
		break;
	case POLICY_NODATA:
		fprintf(ex->out, "%s CNAME *.\n", owner);
		break;
	case POLICY_SINKHOLE:
		for (int i = 0; i < sh->n4; i++)
			fprintf(ex->out, "%s A %s\n", owner, inet_ntop(AF_INET, &sh->a4[i], addr, sizeof addr));
		for (int i = 0; i < sh->n6; i++)
			fprintf(ex->out, "%s AAAA %s\n", owner,
			    inet_ntop(AF_INET6, &sh->a6[i], addr, sizeof addr));
		break;
	default:
		fprintf(ex->out, "%s CNAME .\n", owner);
	}
}

static void
export_rpz(struct exporter *ex, const struct pattern_match *m, const char *name, enum policy_action a)
{
	char wild[PATTERN_WIRE_MAX + 64];
	snprintf(wild, sizeof wild, "*.%s", name);
	if (m->kind != PATTERN_WILDCARD)
		export_rpz_owner(ex, name, a);
	if (m->kind != PATTERN_EXACT)
		export_rpz_owner(ex, wild, a);
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
	if (ex->f == POLICY_EXPORT_UNBOUND) {
		static const char *const types[] = { [POLICY_ALLOW] = "always_transparent",
			[POLICY_NXDOMAIN] = "always_nxdomain", [POLICY_NODATA] = "always_nodata",
			[POLICY_REFUSED] = "always_refuse", [POLICY_SINKHOLE] = "redirect" };
		fprintf(ex->out, "local-zone: \"%s.\" %s\n", name, types[a]);
		for (int i = 0; a == POLICY_SINKHOLE && i < sh->n4; i++)
			fprintf(ex->out, "local-data: \"%s. %u IN A %s\"\n", name, ex->p->answer_ttl,
			    inet_ntop(AF_INET, &sh->a4[i], addr, sizeof addr));
		for (int i = 0; a == POLICY_SINKHOLE && i < sh->n6; i++)
			fprintf(ex->out, "local-data: \"%s. %u IN AAAA %s\"\n", name, ex->p->answer_ttl,
			    inet_ntop(AF_INET6, &sh->a6[i], addr, sizeof addr));
		return;
	}
	if (a == POLICY_ALLOW)
		fprintf(ex->out, "server=/%s/#\n", name);
	else if (a != POLICY_SINKHOLE)
		fprintf(ex->out, "address=/%s/\n", name);
	for (int i = 0; a == POLICY_SINKHOLE && i < sh->n4; i++)
		fprintf(ex->out, "address=/%s/%s\n", name, inet_ntop(AF_INET, &sh->a4[i], addr, sizeof addr));
	for (int i = 0; a == POLICY_SINKHOLE && i < sh->n6; i++)
		fprintf(ex->out, "address=/%s/%s\n", name, inet_ntop(AF_INET6, &sh->a6[i], addr, sizeof addr));
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
		fprintf(ex->out, " only: not exported (answered normally; only dnsd records who asks)");
	else if (a == POLICY_REFUSED && ex->f != POLICY_EXPORT_UNBOUND)
		fprintf(ex->out, " (this format has no REFUSED: exported as NXDOMAIN)");
	else if (a == POLICY_NODATA && ex->f == POLICY_EXPORT_DNSMASQ)
		fprintf(ex->out, " (dnsmasq has no NODATA: exported as NXDOMAIN)");
	fputc('\n', ex->out);
}

static void
export_pattern(void *arg, const struct pattern_match *m)
{
	struct exporter *ex = arg;
	enum policy_action a = m->tag < 0 ? POLICY_ALLOW :
	    ex->phase ? (enum policy_action)ex->phase->actions[m->tag] : POLICY_LOG;
	char name[300];
	const char *glob;
	size_t globlen;

	export_category_header(ex, m, a);
	if (a == POLICY_LOG)
		return;
	pattern_parent(m, name, sizeof name, &glob, &globlen);
	if (m->kind == PATTERN_WILDCARD && a == POLICY_ALLOW) {
		fprintf(ex->out, "%s %s: an allowed wildcard cannot be widened safely: not exported\n",
		    ex->cmt, m->text);
		return;
	}
	if (m->kind == PATTERN_WILDCARD)
		fprintf(ex->out, "%s %s: a wildcard inside a label cannot be expressed: widened to every "
		    "name under %s\n", ex->cmt, m->text, name);
	else if (m->kind == PATTERN_EXACT && ex->f != POLICY_EXPORT_RPZ)
		fprintf(ex->out, "%s %s: exact names cannot be expressed: widened to %s and below\n",
		    ex->cmt, m->text, name);
	if (ex->f == POLICY_EXPORT_RPZ)
		export_rpz(ex, m, name, a);
	else
		export_zone(ex, name, a);
}

void
policy_export(const struct policy *p, enum policy_export_format f, time_t at, FILE *out)
{
	struct exporter ex = { .p = p, .f = f, .out = out, .cmt = f == POLICY_EXPORT_RPZ ? ";" : "#",
		.last_tag = -2 };
	char local[64], utc[32];
	struct arena *a = arena_new();
	ex.seen = a ? pattern_table_new(a) : NULL;
	ex.phase = pol_phase_at(&p->sched, at);

	fprintf(out, "%s exported by dnsd-policy from %s\n", ex.cmt, p->path);
	fprintf(out, "%s rules in force at %s (%s) for clients in no group: phase %s\n", ex.cmt,
	    tztime_format(at, p->zone, local, sizeof local), tztime_format_utc(at, utc, sizeof utc),
	    ex.phase ? ex.phase->name : "none (everything only logged)");
	fprintf(out, "%s client groups, exemptions and later phases are not exported: re-export at "
	    "each boundary\n", ex.cmt);
	if (!ex.seen) {
		fprintf(out, "%s out of memory\n", ex.cmt);
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
	pattern_table_free(ex.seen);
	arena_free(a);
}
