/* The policy in the daemon: the loaded policy (swapped whole on reload), the
 * policy clock (the system clock, or an override that runs from the given
 * moment), and the timers that log each phase change at its second and
 * notice clock jumps (a router's NTP sync). */
#ifndef DNSD_LIVEPOLICY_H
#define DNSD_LIVEPOLICY_H

#include <stdbool.h>
#include <time.h>

#include "policy.h"

struct event_base;
struct livepolicy;

/* base is borrowed. NULL on allocation failure. */
struct livepolicy *livepolicy_new(struct event_base *base);
/* Frees the policy too. */
void livepolicy_free(struct livepolicy *ph);

/* Take ownership of p (NULL: no policy), freeing the previous one, and
 * re-arm the boundary timer. */
void livepolicy_set_policy(struct livepolicy *ph, struct policy *p);
/* With set, the policy clock starts at now (any instant, 0 included) and
 * runs; without, it is the system clock. Logs the instant in force. */
void livepolicy_set_now(struct livepolicy *ph, bool set, time_t now);
/* Audit mode: every decision that would block only logs (POLICY_AUDIT). */
void livepolicy_set_audit(struct livepolicy *ph, bool on);

/* Borrowed until the next livepolicy_set_policy. NULL when there is none. */
const struct policy *livepolicy_policy(const struct livepolicy *ph);
/* The policy clock, and the flags for policy_decide_ex at that time. */
time_t livepolicy_now(const struct livepolicy *ph);
unsigned livepolicy_flags(const struct livepolicy *ph);

/* For the status: the phase in force (NULL: none), the next phase
 * boundary (0: none), and whether the clock is below the policy's sanity
 * floor (the unsynced rule applies). */
const char *livepolicy_current(const struct livepolicy *ph);
time_t livepolicy_next_boundary(const struct livepolicy *ph);
bool livepolicy_clock_unsynced(const struct livepolicy *ph);

#endif
