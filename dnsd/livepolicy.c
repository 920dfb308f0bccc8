/* The policy in the daemon: the loaded policy, the policy clock and the
 * phase timers. Decisions are always taken with the clock of the moment, so a boundary takes effect
 * at its exact second whatever the timers do; the timers exist to log the change when it happens
 * and to notice a clock that jumped (NTP after boot), re-arming the boundary timer from the new
 * time. */
#include "livepolicy.h"

#include <stdlib.h>
#include <sys/time.h>

#include <event2/event.h>

#include "clock.h"
#include "json.h"
#include "log.h"

#define PHASE_CHECK_S 10 /* the clock-jump check */
#define PHASE_JUMP_S 2   /* wall clock drift from monotonic that counts as a jump */

struct livepolicy {
	struct event_base *base;
	struct policy *policy;
	time_t offset;      /* policy clock = system clock + offset */
	bool trusted;       /* an override is in force */
	bool audit;         /* audit mode: nothing blocked */
	const char *logged; /* the phase last logged as in force */
	bool logged_unsynced;
	time_t mono_ref, wall_ref; /* for jump detection */
	struct event *boundary;
	struct event *check;
};

time_t
livepolicy_now(const struct livepolicy *ph)
{
	return time(NULL) + ph->offset;
}

unsigned
livepolicy_flags(const struct livepolicy *ph)
{
	return (ph->trusted ? POLICY_NOW_TRUSTED : 0) | (ph->audit ? POLICY_AUDIT : 0);
}

const struct policy *
livepolicy_policy(const struct livepolicy *ph)
{
	return ph->policy;
}

const char *
livepolicy_current(const struct livepolicy *ph)
{
	return ph->policy ? policy_phase_at_ex(ph->policy, livepolicy_now(ph), livepolicy_flags(ph))
	                  : NULL;
}

time_t
livepolicy_next_boundary(const struct livepolicy *ph)
{
	return ph->policy ? policy_next_boundary(ph->policy, livepolicy_now(ph)) : 0;
}

bool
livepolicy_clock_unsynced(const struct livepolicy *ph)
{
	return ph->policy &&
	       policy_clock_unsynced(ph->policy, livepolicy_now(ph), livepolicy_flags(ph));
}

/* Log the phase in force when it differs from the last one logged, and
 * the clock state when it changes. */
static void
phase_log(struct livepolicy *ph)
{
	bool unsynced = livepolicy_clock_unsynced(ph);
	if (unsynced != ph->logged_unsynced) {
		char t1[JSON_TIMELEN], t2[JSON_TIMELEN];
		if (unsynced)
			log_warnx(
			    "policy: the clock (%s) is before %s (not synced?): the unsynced "
			    "rule applies",
			    json_time(livepolicy_now(ph), t1),
			    json_time(policy_clock_floor_ex(ph->policy, livepolicy_flags(ph)), t2));
		else
			log_info("policy: the clock is synced");
		ph->logged_unsynced = unsynced;
	}
	const char *cur = livepolicy_current(ph);
	if (cur != ph->logged) {
		log_info("policy: phase %s in force", cur ? cur : "(none)");
		ph->logged = cur;
	}
}

/* Arm the one-shot timer for the next boundary of the policy clock. */
static void
phase_arm(struct livepolicy *ph)
{
	evtimer_del(ph->boundary);
	time_t next = livepolicy_next_boundary(ph);
	if (next == 0)
		return;
	/* To the microsecond, so that the log line carries the boundary's
	 * own second. */
	struct timeval now;
	gettimeofday(&now, NULL);
	long long us = ((long long)next - (now.tv_sec + ph->offset)) * 1000000 - now.tv_usec;
	struct timeval tv = {us > 0 ? us / 1000000 : 0, us > 0 ? us % 1000000 : 0};
	evtimer_add(ph->boundary, &tv);
}

static void
phase_boundary_cb(evutil_socket_t fd, short what, void *arg)
{
	struct livepolicy *ph = arg;
	(void)fd;
	(void)what;
	phase_log(ph);
	phase_arm(ph);
}

static void
phase_check_cb(evutil_socket_t fd, short what, void *arg)
{
	struct livepolicy *ph = arg;
	(void)fd;
	(void)what;
	time_t mono = clock_mono_s(), wall = time(NULL);
	long long drift = (long long)(wall - ph->wall_ref) - (long long)(mono - ph->mono_ref);
	ph->mono_ref = mono;
	ph->wall_ref = wall;
	if (drift > PHASE_JUMP_S || drift < -PHASE_JUMP_S) {
		log_info("policy: the clock jumped by %lld s: re-evaluating", drift);
		phase_arm(ph);
	}
	phase_log(ph);
}

struct livepolicy *
livepolicy_new(struct event_base *base)
{
	struct livepolicy *ph = calloc(1, sizeof *ph);
	if (ph == NULL)
		return NULL;
	ph->base = base;
	ph->boundary = evtimer_new(base, phase_boundary_cb, ph);
	ph->check = event_new(base, -1, EV_PERSIST, phase_check_cb, ph);
	struct timeval every = {PHASE_CHECK_S, 0};
	if (ph->boundary == NULL || ph->check == NULL || evtimer_add(ph->check, &every) < 0) {
		livepolicy_free(ph);
		return NULL;
	}
	ph->mono_ref = clock_mono_s();
	ph->wall_ref = time(NULL);
	return ph;
}

void
livepolicy_free(struct livepolicy *ph)
{
	if (ph == NULL)
		return;
	if (ph->boundary)
		event_free(ph->boundary);
	if (ph->check)
		event_free(ph->check);
	policy_free(ph->policy);
	free(ph);
}

void
livepolicy_set_policy(struct livepolicy *ph, struct policy *p)
{
	policy_free(ph->policy);
	ph->policy = p;
	ph->logged = NULL; /* names belonged to the old policy */
	ph->logged_unsynced = false;
	if (p) {
		/* Log the phase of the new policy even if it has the same name. */
		const char *cur = livepolicy_current(ph);
		log_info("policy: %s loaded; phase %s in force", policy_path(p),
		         cur ? cur : "(none)");
		ph->logged = cur;
		phase_log(ph);
	}
	phase_arm(ph);
}

void
livepolicy_set_now(struct livepolicy *ph, bool set, time_t now)
{
	char t[JSON_TIMELEN];
	ph->trusted = set;
	ph->offset = set ? now - time(NULL) : 0;
	if (set)
		log_info("policy: clock set to %s, running from there", json_time(now, t));
	else
		log_info("policy: clock: the system clock (%s)", json_time(time(NULL), t));
	if (ph->policy) {
		phase_log(ph);
		phase_arm(ph);
	}
}

void
livepolicy_set_audit(struct livepolicy *ph, bool on)
{
	if (on != ph->audit)
		log_info("policy: audit mode %s", on ? "on: every policy name is recorded, nothing "
		                                       "is blocked"
		                                     : "off");
	ph->audit = on;
}
