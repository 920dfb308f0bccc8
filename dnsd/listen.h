/* Client sockets: UDP (batched with recvmmsg/sendmmsg, replies sent from
 * the address the query came to) and TCP (2-byte framing, pipelined
 * queries, idle timeout, connection limit). Each query goes to the handler
 * main gives listen_start (request.h); late answers come back through the
 * request's reply handle. */
#ifndef DNSD_LISTEN_H
#define DNSD_LISTEN_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "request.h"

struct event_base;
struct listen;

/* Bind every configured address, UDP and TCP (before privileges are
 * dropped). NULL on error, with the reason in err. Caller frees. */
struct listen *listen_open(const struct config *c, char *err, size_t errlen);
/* Start serving on base; each query goes to handler with arg (borrowed,
 * must outlive l). 0 or -1. */
int listen_start(struct listen *l, struct event_base *base, request_handler handler, void *arg);
/* Take the TCP limits of a reloaded config (addresses need a restart). */
void listen_configure(struct listen *l, const struct config *c);
void listen_free(struct listen *l);

struct listen_stats {
	uint64_t udp_queries, tcp_queries, tcp_accepted, tcp_refused, tcp_closed_idle;
	unsigned tcp_open;
};
void listen_get_stats(const struct listen *l, struct listen_stats *st);

#endif
