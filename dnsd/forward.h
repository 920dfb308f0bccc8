/* Upstream servers: one fresh random ID and source port per query, strict
 * acceptance (address, port, ID and question must match), per-try timeouts
 * across several upstreams within a total budget, TCP when the answer is
 * truncated, upstreams marked down after repeated failures and probed back. */
#ifndef DNSD_FORWARD_H
#define DNSD_FORWARD_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "msg.h"

struct event_base;
struct forward;

/* resp is the upstream's answer as ldns parsed it (borrowed for the call;
 * the callee may change it, forward frees it after), or NULL when every
 * upstream failed within the budget. */
typedef void (*forward_done_cb)(ldns_pkt *resp, void *arg);

struct forward *forward_new(struct event_base *base, const struct config *c);
/* Take the upstreams and timeouts of a reloaded config. */
void forward_configure(struct forward *f, const struct config *c);
/* Frees every outstanding query without calling back. */
void forward_free(struct forward *f);

/* Ask the upstreams q's question (its DO and CD bits go along; its other
 * EDNS options do not). -1 when too many queries are outstanding; else done
 * is called exactly once, later (never from inside this call). */
int forward_query(struct forward *f, const struct msg_query *q, forward_done_cb done, void *arg);

#define FORWARD_STATUS_MAX CONFIG_MAX_UPSTREAMS
struct forward_stats {
	uint64_t sent, answers, mismatched, timeouts, tcp_retries, failures;
	unsigned outstanding;
	int nupstream;
	struct {
		char addr[64]; /* "address@port" */
		int down;
		unsigned fails; /* consecutive */
		uint64_t rtt_us_sum, rtt_n; /* round trips of UDP answers, microseconds */
	} up[FORWARD_STATUS_MAX];
};
void forward_get_stats(const struct forward *f, struct forward_stats *st);

#endif
