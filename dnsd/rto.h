/* The retransmission timeout of one upstream, as RFC 6298 computes it for
 * TCP: smoothed round-trip time plus four times its variation (at least the
 * lower bound), doubled on each timeout, within bounds. Plain arithmetic in
 * milliseconds, no clock. */
#ifndef DNSD_RTO_H
#define DNSD_RTO_H

#include <stdbool.h>

struct rto {
	unsigned srtt, rttvar; /* ms; valid once measured */
	unsigned timeout;      /* ms: what the next try waits */
	unsigned min, max;     /* bounds of timeout */
	bool measured;
};

/* Not yet measured: the first try waits initial (within min..max). */
void rto_init(struct rto *r, unsigned initial, unsigned min, unsigned max);
/* An answer came ms after its query was sent. */
void rto_sample(struct rto *r, unsigned ms);
/* A try that waited waited ms went unanswered: the timeout doubles from
 * that, not from the current value, so that many queries timing out at once
 * double it once. */
void rto_backoff(struct rto *r, unsigned waited);

#endif
