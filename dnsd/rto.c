/* Retransmission timeouts from measured round-trip times (RFC 6298 2-5):
 * the first sample R sets SRTT = R and RTTVAR = R/2; later ones move RTTVAR
 * by a quarter and SRTT by an eighth towards them; the timeout is SRTT +
 * max(floor, 4 RTTVAR) within the bounds. */
#include "rto.h"

static unsigned
rto_clamp(const struct rto *r, unsigned long long ms)
{
	return ms < r->min ? r->min : ms > r->max ? r->max : (unsigned)ms;
}

void
rto_init(struct rto *r, unsigned initial, unsigned min, unsigned max)
{
	*r = (struct rto){.min = min, .max = max < min ? min : max};
	r->timeout = rto_clamp(r, initial);
}

void
rto_sample(struct rto *r, unsigned ms)
{
	if (!r->measured) {
		r->srtt = ms;
		r->rttvar = ms / 2;
		r->measured = true;
	} else {
		unsigned delta = ms > r->srtt ? ms - r->srtt : r->srtt - ms;
		r->rttvar = (unsigned)((3ull * r->rttvar + delta) / 4);
		r->srtt = (unsigned)((7ull * r->srtt + ms) / 8);
	}
	/* RFC 6298's max(G, 4 RTTVAR) with G the floor: an upstream that
	 * always takes the same time would otherwise get a timeout equal to
	 * its RTT, and a second query on every miss. */
	unsigned long long var = 4ull * r->rttvar;
	r->timeout = rto_clamp(r, r->srtt + (var > r->min ? var : r->min));
}

void
rto_backoff(struct rto *r, unsigned waited)
{
	unsigned doubled = rto_clamp(r, 2ull * waited);
	if (doubled > r->timeout)
		r->timeout = doubled;
}
