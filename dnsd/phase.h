/* The policy in the daemon: the loaded policy (swapped whole on reload), the
 * policy clock (the system clock, or an override that runs from the given
 * moment), and the timers that log each phase change at its second and
 * notice clock jumps (a router's NTP sync). */
#ifndef DNSD_PHASE_H
#define DNSD_PHASE_H

#include <stdbool.h>
#include <time.h>

#include "policy.h"

struct event_base;
struct phase;

/* base is borrowed. NULL on allocation failure. */
struct phase *phase_new(struct event_base *base);
/* Frees the policy too. */
void phase_free(struct phase *ph);

/* Take ownership of p (NULL: no policy), freeing the previous one, and
 * re-arm the boundary timer. */
void phase_set_policy(struct phase *ph, struct policy *p);
/* With set, the policy clock starts at now (any instant, 0 included) and
 * runs; without, it is the system clock. Logs the instant in force. */
void phase_set_now(struct phase *ph, bool set, time_t now);
/* Audit mode: every decision that would block only logs (POLICY_AUDIT). */
void phase_set_audit(struct phase *ph, bool on);

/* Borrowed until the next phase_set_policy. NULL when there is none. */
const struct policy *phase_policy(const struct phase *ph);
/* The policy clock, and the flags for policy_decide_ex at that time. */
time_t phase_now(const struct phase *ph);
unsigned phase_flags(const struct phase *ph);

/* For the status: the phase in force (NULL: none), the next phase
 * boundary (0: none), and whether the clock is below the policy's sanity
 * floor (the unsynced rule applies). */
const char *phase_current(const struct phase *ph);
time_t phase_next_boundary(const struct phase *ph);
bool phase_clock_unsynced(const struct phase *ph);

#endif
