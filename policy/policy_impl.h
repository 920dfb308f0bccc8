/* The loaded policy's representation, shared by the files of the policy
 * library (load, decide, reports, export); not part of its interface.
 * Everything hangs off one arena and is freed by policy_free. */
#ifndef DNSD_POLICY_IMPL_H
#define DNSD_POLICY_IMPL_H

#include "arena.h"
#include "pattern.h"
#include "policy.h"

struct pol_phase {
	const char *name;
	time_t start, end; /* end 0: until the next phase starts */
	uint8_t *actions;  /* enum policy_action, one per category */
	const char *reason, *reason_unsynced;
	int line;
};

struct pol_schedule {
	struct pol_phase *phases; /* sorted by start, not overlapping */
	int n;
};

struct pol_group {
	const char *name, *reason;
	struct cidr *nets;
	uint8_t (*macs)[6];
	int nnets, nmacs;
	bool exempt;
	time_t until;              /* exemption end, 0: none */
	struct pol_schedule sched; /* n == 0: the default schedule */
};

enum pol_unsynced { UNSYNCED_LATEST, UNSYNCED_FIRST, UNSYNCED_LOG, UNSYNCED_PHASE };

struct policy {
	struct arena *arena;
	const char *path, *zone;
	struct pattern_table *cats, *allow;
	const char **catnames;
	int ncat;
	struct pol_schedule sched;
	struct pol_group *groups;
	int ngroups;
	time_t not_before;
	enum pol_unsynced unsynced;
	const char *unsynced_phase;
	uint32_t negative_ttl, answer_ttl;
	struct policy_sinkhole sinkhole;
};

/* The phase of a schedule in force at now (NULL: none), and the one the
 * unsynced rule picks (NULL for "log"). In decide.c. */
const struct pol_phase *pol_phase_at(const struct pol_schedule *s, time_t now);
const struct pol_phase *pol_phase_unsynced(const struct policy *p, const struct pol_schedule *s);

#endif
