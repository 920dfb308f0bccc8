/* Upstream servers: one fresh random ID and source port per try, strict
 * acceptance (address, port, ID and question must match), per-try timeouts
 * from each upstream's measured round-trip time, every try open until the
 * query ends within a total budget, TCP when the answer is truncated,
 * upstreams marked down after repeated failures and probed back, upstreams
 * that loop back to us found and set aside. */
#ifndef DNSD_FORWARD_H
#define DNSD_FORWARD_H

#include <stdbool.h>
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
/* Replace the upstream list (resolv_conf); n may be 0: then every query
 * fails at once. a is copied. */
void forward_set_upstreams(struct forward *f, const struct config_addr *a, int n);
/* Frees every outstanding query without calling back. */
void forward_free(struct forward *f);

/* Ask the upstreams q's question (its DO and CD bits go along; its other
 * EDNS options do not). -1 when too many queries are outstanding; else done
 * is called exactly once, later (never from inside this call). -1 also when
 * there is no upstream. */
int forward_query(struct forward *f, const struct msg_query *q, forward_done_cb done, void *arg);

/* Forwarding loops (as dnsmasq's --dns-loop-detect): each upstream is sent
 * a TXT query for a random name under dnsd-loop.test at start, on reload,
 * when it is marked down and every 10 minutes. Whether q is such a probe of
 * ours, come back from from: its upstream forwards to us (directly or
 * further on), is logged and not asked until a probe (every
 * probe_interval) gets a real answer without coming back. The caller answers it
 * and never forwards it. */
bool forward_loop_seen(struct forward *f, const struct msg_query *q, const struct netaddr *from);

/* What the query pipeline asks of its upstreams, as function pointers with
 * the contracts of forward_query and forward_loop_seen, so that a test can
 * put a fake in forward.c's place. */
struct forwarder {
	int (*query)(void *ctx, const struct msg_query *q, forward_done_cb done, void *arg);
	bool (*loop_seen)(void *ctx, const struct msg_query *q, const struct netaddr *from);
	void *ctx;
};
/* f as a forwarder (f is borrowed and must outlive its use). */
struct forwarder forward_forwarder(struct forward *f);

#define FORWARD_STATUS_MAX CONFIG_MAX_UPSTREAMS
struct forward_stats {
	uint64_t sent, answers, mismatched, timeouts, tcp_retries, failures;
	unsigned outstanding;
	int nupstream;
	struct {
		char addr[64]; /* "address@port" */
		int down;
		bool looping;     /* sends our queries back to us */
		unsigned fails;   /* consecutive */
		unsigned srtt_ms; /* smoothed round-trip time, when measured */
		bool measured;
		unsigned timeout_ms; /* what its next try waits */
	} up[FORWARD_STATUS_MAX];
};
void forward_get_stats(const struct forward *f, struct forward_stats *st);

#endif
