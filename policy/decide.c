/* Decisions: (name, client, time) -> action, and the timeline queries
 * (phase in force, next boundary). Allocation-free; the name is lowered and
 * hashed once, then costs one hash probe per label in each of the two
 * pattern tables (none in a table that no pattern of the name's last two
 * labels is in). */
#include "policy_impl.h"

#include <string.h>

const struct pol_phase *
pol_phase_at(const struct pol_schedule *s, time_t now)
{
	const struct pol_phase *ph = NULL;
	for (int i = 0; i < s->n && s->phases[i].start <= now; i++)
		ph = &s->phases[i];
	return ph && ph->end && now >= ph->end ? NULL : ph;
}

const struct pol_phase *
pol_phase_unsynced(const struct policy *p, const struct pol_schedule *s)
{
	if (s->n == 0 || p->unsynced == UNSYNCED_LOG)
		return NULL;
	if (p->unsynced == UNSYNCED_FIRST)
		return &s->phases[0];
	if (p->unsynced == UNSYNCED_PHASE)
		for (int i = 0; i < s->n; i++)
			if (strcmp(s->phases[i].name, p->unsynced_phase) == 0)
				return &s->phases[i];
	return &s->phases[s->n - 1];
}

time_t
policy_clock_floor_ex(const struct policy *p, unsigned flags)
{
	return flags & POLICY_NOW_TRUSTED ? p->not_before : policy_clock_floor(p);
}

bool
policy_clock_unsynced(const struct policy *p, time_t now, unsigned flags)
{
	return now < policy_clock_floor_ex(p, flags);
}

/* An exemption with an end date cannot be trusted on an unsynced clock. */
static bool
exemption_active(const struct pol_group *g, time_t now, bool unsynced)
{
	return g->exempt && (g->until == 0 || (!unsynced && now < g->until));
}

/* How closely the group names the client: a MAC beats any prefix, a longer
 * prefix a shorter one; -1 when it does not match. */
static int
group_score(const struct pol_group *g, const struct client *c)
{
	int best = -1;
	if (c->has_mac)
		for (int i = 0; i < g->nmacs; i++)
			if (memcmp(g->macs[i], c->mac, 6) == 0)
				return 1000;
	if (c->addr.family)
		for (int i = 0; i < g->nnets; i++)
			if (g->nets[i].prefix > best && cidr_contains(&g->nets[i], &c->addr))
				best = g->nets[i].prefix;
	return best;
}

/* The group that decides for client c at now: the most specific match
 * among groups that change something at now (first listed on a tie). */
static const struct pol_group *
group_select(const struct policy *p, const struct client *c, time_t now, bool unsynced)
{
	const struct pol_group *best = NULL;
	int best_score = -1;
	if (!c)
		return NULL;
	for (int i = 0; i < p->ngroups; i++) {
		const struct pol_group *g = &p->groups[i];
		if (g->sched.n == 0 && !exemption_active(g, now, unsynced))
			continue;
		int s = group_score(g, c);
		if (s > best_score) {
			best = g;
			best_score = s;
		}
	}
	return best;
}

void
policy_decide_ex(const struct policy *p, const uint8_t *qname, size_t qname_len,
                 const struct client *c, time_t now, unsigned flags, struct policy_decision *d)
{
	struct pattern_name qn;
	struct pattern_match cm, am;

	memset(d, 0, sizeof *d);
	d->negative_ttl = p->negative_ttl;
	d->answer_ttl = p->answer_ttl;
	d->sinkhole = &p->sinkhole;
	if (pattern_name_init(&qn, qname, qname_len) <= 0)
		return;
	bool in_cat = pattern_lookup(p->cats, &qn, &cm);
	if (pattern_lookup(p->allow, &qn, &am)) {
		d->action = POLICY_ALLOW;
		d->category = in_cat ? p->catnames[cm.tag] : NULL;
		d->pattern = am.text;
		d->reason = "allowlisted";
		return;
	}
	if (!in_cat)
		return;
	d->category = p->catnames[cm.tag];
	d->pattern = cm.text;

	bool unsynced = policy_clock_unsynced(p, now, flags);
	const struct pol_group *g = group_select(p, c, now, unsynced);
	d->clock_unsynced = unsynced;
	if (g) {
		d->group = g->name;
		if (exemption_active(g, now, unsynced)) {
			d->action = POLICY_ALLOW;
			d->reason = g->reason;
			d->until = g->until;
			return;
		}
	}
	const struct pol_schedule *s = g && g->sched.n ? &g->sched : &p->sched;
	const struct pol_phase *ph = unsynced ? pol_phase_unsynced(p, s) : pol_phase_at(s, now);
	if (!ph) {
		d->action = POLICY_LOG;
		d->reason = unsynced ? "clock unsynced: log only" : "no phase in force";
		return;
	}
	d->action = ph->actions[cm.tag];
	d->phase = ph->name;
	d->reason = unsynced ? ph->reason_unsynced : ph->reason;
	if ((flags & POLICY_AUDIT) && d->action > POLICY_LOG) {
		d->action = POLICY_LOG;
		d->reason = "audit mode: the phase would block";
	}
}

int
policy_decide_name_ex(const struct policy *p, const char *name, const struct client *c, time_t now,
                      unsigned flags, struct policy_decision *d)
{
	uint8_t wire[PATTERN_WIRE_MAX];
	int len = name_to_wire(name, wire);
	if (len < 0) {
		memset(d, 0, sizeof *d);
		return -1;
	}
	policy_decide_ex(p, wire, (size_t)len, c, now, flags, d);
	return 0;
}

int
policy_decide_name(const struct policy *p, const char *name, const struct client *c, time_t now,
                   struct policy_decision *d)
{
	return policy_decide_name_ex(p, name, c, now, 0, d);
}

const char *
policy_phase_at(const struct policy *p, time_t now)
{
	const struct pol_phase *ph = pol_phase_at(&p->sched, now);
	return ph ? ph->name : NULL;
}

const char *
policy_phase_at_ex(const struct policy *p, time_t now, unsigned flags)
{
	const struct pol_phase *ph = policy_clock_unsynced(p, now, flags)
	                                 ? pol_phase_unsynced(p, &p->sched)
	                                 : pol_phase_at(&p->sched, now);
	return ph ? ph->name : NULL;
}

static void
earliest_after(time_t *best, time_t t, time_t now)
{
	if (t > now && (*best == 0 || t < *best))
		*best = t;
}

static void
schedule_boundaries(const struct pol_schedule *s, time_t now, time_t *best)
{
	for (int i = 0; i < s->n; i++) {
		earliest_after(best, s->phases[i].start, now);
		earliest_after(best, s->phases[i].end, now);
	}
}

time_t
policy_next_boundary(const struct policy *p, time_t now)
{
	time_t best = 0;
	schedule_boundaries(&p->sched, now, &best);
	for (int i = 0; i < p->ngroups; i++) {
		schedule_boundaries(&p->groups[i].sched, now, &best);
		earliest_after(&best, p->groups[i].until, now);
	}
	return best;
}

const char *
policy_action_name(enum policy_action a)
{
	switch (a) {
	case POLICY_NONE:
		return "none";
	case POLICY_ALLOW:
		return "allow";
	case POLICY_LOG:
		return "log";
	case POLICY_NXDOMAIN:
		return "nxdomain";
	case POLICY_NODATA:
		return "nodata";
	case POLICY_REFUSED:
		return "refused";
	case POLICY_SINKHOLE:
		return "sinkhole";
	}
	return "?";
}
