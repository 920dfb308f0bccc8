/* Client sockets: UDP (batched with recvmmsg/sendmmsg, replies sent from
 * the address the query came to) and TCP (2-byte framing, pipelined
 * queries, idle timeout, connection limit). Each query goes to
 * query_handle(); late answers come back through listen_reply(). */
#ifndef DNSD_LISTEN_H
#define DNSD_LISTEN_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "netaddr.h"

struct event_base;
struct listen;
struct listen_conn;
struct query_ctx;

/* Where an answer goes. Plain data, copied freely; a copy that outlives the
 * call to query_handle() must be held (listen_client_hold) and released. */
struct listen_client {
	struct sockaddr_storage peer;
	socklen_t peer_len;
	struct netaddr addr; /* the peer, for allow lists and policy */
	int fd;              /* the UDP socket; -1 for TCP */
	int dst_family;      /* 0, or the family of dst (wildcard sockets) */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} dst;                    /* the address the query came to */
	unsigned ifindex;         /* and its interface */
	struct listen_conn *conn; /* TCP only */
};

/* Bind every configured address, UDP and TCP (before privileges are
 * dropped). NULL on error, with the reason in err. Caller frees. */
struct listen *listen_open(const struct config *c, char *err, size_t errlen);
/* Start serving on base; queries go to qc (borrowed). 0 or -1. */
int listen_start(struct listen *l, struct event_base *base, struct query_ctx *qc);
/* Take the TCP limits of a reloaded config (addresses need a restart). */
void listen_configure(struct listen *l, const struct config *c);
void listen_free(struct listen *l);

/* Send an answer to a client (TCP: framed; dropped if the connection has
 * gone). */
void listen_reply(const struct listen_client *cl, const uint8_t *msg, size_t len);
void listen_client_hold(const struct listen_client *cl);
void listen_client_release(const struct listen_client *cl);
static inline int
listen_client_is_tcp(const struct listen_client *cl)
{
	return cl->conn != NULL;
}

struct listen_stats {
	uint64_t udp_queries, tcp_queries, tcp_accepted, tcp_refused, tcp_closed_idle;
	unsigned tcp_open;
};
void listen_get_stats(const struct listen *l, struct listen_stats *st);

#endif
