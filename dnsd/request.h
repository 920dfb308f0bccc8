/* One client query as the sockets hand it to whoever answers it, and the
 * reply handle through which a late answer goes back: listen.c fills both,
 * the query pipeline reads them, and neither knows the other (header only). */
#ifndef DNSD_REQUEST_H
#define DNSD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

/* How a reply reaches its client; ctx is the socket side's own. */
struct reply_ops {
	/* Send msg (TCP: framed; dropped when the connection has gone). */
	void (*send)(void *ctx, const uint8_t *msg, size_t len);
	/* Keep the destination past the handler's return: returns the ctx to
	 * use from then on (NULL: out of memory, nothing held). */
	void *(*hold)(void *ctx);
	/* Give up a held ctx (a TCP connection may close once nothing is owed). */
	void (*release)(void *ctx);
};

struct reply {
	const struct reply_ops *ops;
	void *ctx; /* valid during the handler call only, unless held */
};

/* A query from a client socket, borrowed for the handler call. */
struct request {
	const uint8_t *pkt;
	size_t len;
	struct netaddr src; /* the packet's source */
	unsigned ifindex;   /* where it came in; 0 when unknown */
	bool tcp;
	struct reply reply;
};

/* Answer rq: returns the length of an answer written to out at once (0:
 * none now; a later one goes through rq->reply, held). arg is the
 * handler's own, given with it. */
typedef size_t (*request_handler)(void *arg, const struct request *rq, uint8_t *out, size_t cap);

#endif
