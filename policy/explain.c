/* Text reports for people: why a name gets the answer it gets (explain)
 * and what the schedule does when (timeline). Used by dnsd-policy. */
#include "policy_impl.h"

#include <string.h>

#include "tztime.h"

static const char *
pattern_kind_words(const char *text)
{
	if (text[0] == '=')
		return "exact name";
	if (strchr(text, '*'))
		return "leftmost-label wildcard";
	return "the name and everything below it";
}

/* "2024-07-20 00:00:00 EDT (2024-07-20T04:00:00Z)" */
static const char *
both_times(const struct policy *p, time_t t, char *buf, size_t len)
{
	char local[64], utc[32];
	snprintf(buf, len, "%s (%s)", tztime_format(t, p->zone, local, sizeof local),
	         tztime_format_utc(t, utc, sizeof utc));
	return buf;
}

static void
explain_reason(const struct policy_decision *d, FILE *out)
{
	switch (d->action) {
	case POLICY_NONE:
		fprintf(out, "reason:   the name matches no pattern: answered normally\n");
		break;
	case POLICY_ALLOW:
		fprintf(
		    out, "reason:   %s: %s\n", d->reason,
		    strcmp(d->reason, "allowlisted") == 0
		        ? "always answered normally (the allowlist wins over categories and phases)"
		    : d->until ? "answered normally until the exemption ends"
		               : "answered normally");
		break;
	case POLICY_LOG:
		fprintf(out,
		        "reason:   %s; category %s is only logged: answered normally, the client "
		        "recorded\n",
		        d->reason, d->category);
		break;
	default:
		fprintf(out, "reason:   %s blocks category %s: answered with %s\n", d->reason,
		        d->category, policy_action_name(d->action));
	}
}

int
policy_explain(const struct policy *p, const char *name, const struct client *c, time_t now,
               unsigned flags, FILE *out)
{
	struct policy_decision d;
	char buf[128], addr[NETADDR_STRLEN], mac[MAC_STRLEN];
	if (policy_decide_name_ex(p, name, c, now, flags, &d) < 0)
		return -1;
	fprintf(out, "name:     %s\n", name);
	fprintf(out, "client:   %s%s%s, group: %s\n", netaddr_str(&c->addr, addr),
	        c->has_mac ? " mac " : "", c->has_mac ? mac_str(c->mac, mac) : "",
	        d.group ? d.group : "none (default clients)");
	fprintf(out, "time:     %s\n", both_times(p, now, buf, sizeof buf));
	if (policy_clock_unsynced(p, now, flags))
		fprintf(out,
		        "clock:    unsynced (before %s): the unsynced rule applies, as in dnsd "
		        "while its clock has not synced\n",
		        both_times(p, policy_clock_floor_ex(p, flags), buf, sizeof buf));
	fprintf(out, "category: %s\n", d.category ? d.category : "none");
	if (d.pattern)
		fprintf(out, "pattern:  %s (%s)\n", d.pattern, pattern_kind_words(d.pattern));
	fprintf(out, "phase:    %s\n", d.phase ? d.phase : "none");
	fprintf(out, "action:   %s\n", policy_action_name(d.action));
	if (d.until)
		fprintf(out, "until:    %s\n", both_times(p, d.until, buf, sizeof buf));
	explain_reason(&d, out);
	if (d.action == POLICY_NXDOMAIN || d.action == POLICY_NODATA)
		fprintf(out, "ttl:      negative answers carry an SOA with TTL %u\n",
		        d.negative_ttl);
	return 0;
}

static void
timeline_schedule(const struct policy *p, const struct pol_schedule *s, const char *indent,
                  FILE *out)
{
	char buf[128];
	for (int i = 0; i < s->n; i++) {
		const struct pol_phase *ph = &s->phases[i];
		fprintf(out, "%sphase \"%s\" (line %d)\n", indent, ph->name, ph->line);
		fprintf(out, "%s  start: %s\n", indent, both_times(p, ph->start, buf, sizeof buf));
		if (ph->end)
			fprintf(out, "%s  end:   %s\n", indent,
			        both_times(p, ph->end, buf, sizeof buf));
		for (int a = POLICY_LOG; a <= POLICY_SINKHOLE; a++) {
			const char *sep = ": ";
			for (int c = 0; c < p->ncat; c++) {
				if (ph->actions[c] != a)
					continue;
				if (sep[0] == ':')
					fprintf(out, "%s  %s", indent, policy_action_name(a));
				fprintf(out, "%s%s", sep, p->catnames[c]);
				sep = ", ";
			}
			if (sep[0] == ',')
				fputc('\n', out);
		}
	}
}

void
policy_timeline(const struct policy *p, FILE *out)
{
	char buf[128];
	fprintf(out, "policy %s: %zu patterns in %d categories, times shown in %s and UTC\n",
	        p->path, policy_pattern_count(p), p->ncat, p->zone ? p->zone : "UTC");
	fprintf(out, "clock floor: %s\n", both_times(p, policy_clock_floor(p), buf, sizeof buf));
	if (p->sched.n == 0)
		fprintf(out, "no phases: every category is only logged\n");
	else
		fprintf(out, "before %s: no phase, every category only logged\n",
		        both_times(p, p->sched.phases[0].start, buf, sizeof buf));
	timeline_schedule(p, &p->sched, "", out);
	for (int i = 0; i < p->ngroups; i++) {
		const struct pol_group *g = &p->groups[i];
		fprintf(out, "client group \"%s\": %d prefixes, %d MACs\n", g->name, g->nnets,
		        g->nmacs);
		if (g->exempt)
			fprintf(out, "  %s, %s%s\n", g->reason, g->until ? "until " : "without end",
			        g->until ? both_times(p, g->until, buf, sizeof buf) : "");
		if (g->sched.n)
			timeline_schedule(p, &g->sched, "  ", out);
		else
			fprintf(out, "  otherwise follows the default phases\n");
	}
}
