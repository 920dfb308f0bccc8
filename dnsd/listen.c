/* Client sockets. UDP: recvmmsg/sendmmsg batches; on wildcard addresses the
 * destination of each query is read (IP_PKTINFO / IPV6_RECVPKTINFO) and the
 * answer leaves from it. TCP: bufferevents, 2-byte framing, pipelined
 * queries answered as they complete, an idle timeout and a connection
 * limit (the oldest idle connection makes room; else the newcomer waits). */
#define _GNU_SOURCE /* recvmmsg, in6_pktinfo */
#include "listen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "log.h"
#include "msg.h"

#define LISTEN_BATCH 32
#define LISTEN_UDP_MAX 4096 /* larger queries are not DNS we answer */
#define LISTEN_CMSG 64
#define LISTEN_TCP_MAX 65535

/* Where a UDP answer goes: the peer, and the address and interface the
 * query came to, to answer from (wildcard sockets). */
struct listen_client {
	struct sockaddr_storage peer;
	socklen_t peer_len;
	int fd;         /* the socket */
	int dst_family; /* 0, or the family of dst (wildcard sockets) */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} dst;
	unsigned ifindex;
};

struct listen_udp {
	struct listen *l;
	int fd;
	int wildcard;
	struct event *ev;
};

struct listen_conn {
	struct listen *l;                /* NULL once the listener is gone */
	struct bufferevent *bev;         /* NULL once closed */
	struct listen_conn *prev, *next; /* by last activity, oldest first */
	struct netaddr peer;
	unsigned refs; /* the connection itself + pending answers */
	unsigned inflight;
	bool eof; /* the client has closed its side */
};

struct listen {
	struct event_base *base;
	request_handler handler;
	void *handler_arg;
	struct listen_udp udp[CONFIG_MAX_LISTEN];
	int nudp;
	int tcp_fd[CONFIG_MAX_LISTEN];
	struct evconnlistener *tcp[CONFIG_MAX_LISTEN];
	int ntcp;
	unsigned max_conns, idle_s, max_queries;
	struct listen_conn *conns_head, *conns_tail;
	struct listen_stats st;
	/* Batch buffers, reused for every read. */
	uint8_t in[LISTEN_BATCH][LISTEN_UDP_MAX];
	uint8_t out[LISTEN_BATCH][MSG_EDNS_PAYLOAD];
	struct listen_client cl[LISTEN_BATCH];
	struct mmsghdr inm[LISTEN_BATCH], outm[LISTEN_BATCH];
	struct iovec iniov[LISTEN_BATCH], outiov[LISTEN_BATCH];
	uint8_t incmsg[LISTEN_BATCH][LISTEN_CMSG] __attribute__((aligned(8)));
	uint8_t outcmsg[LISTEN_BATCH][LISTEN_CMSG] __attribute__((aligned(8)));
	uint8_t tcpin[LISTEN_TCP_MAX], tcpout[LISTEN_TCP_MAX];
};

/* The reply handles of each transport (defined with their functions below). */
static const struct reply_ops listen_udp_ops, listen_tcp_ops;

static int
listen_is_wildcard(const struct config_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == INADDR_ANY;
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}

static int
listen_socket(const struct config_addr *a, int type, char *err, size_t errlen)
{
	int on = 1, fd = socket(a->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	char host[NETADDR_STRLEN];
	struct netaddr na;
	if (fd < 0)
		goto fail;
	if (type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
		goto fail;
	if (a->ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0)
		goto fail;
	if (type == SOCK_DGRAM && listen_is_wildcard(a) &&
	    (a->ss.ss_family == AF_INET
	         ? setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on)
	         : setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on)) < 0)
		goto fail;
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		goto fail;
	if (type == SOCK_STREAM && listen(fd, 128) < 0)
		goto fail;
	return fd;
fail:
	netaddr_from_sockaddr(&na, (const struct sockaddr *)&a->ss);
	snprintf(err, errlen, "listen %s port %u (%s): %s", netaddr_str(&na, host),
	         ntohs(((const struct sockaddr_in *)&a->ss)->sin_port),
	         type == SOCK_DGRAM ? "udp" : "tcp", strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

struct listen *
listen_open(const struct config *c, char *err, size_t errlen)
{
	struct listen *l = calloc(1, sizeof *l);
	if (l == NULL) {
		snprintf(err, errlen, "listen: out of memory");
		return NULL;
	}
	listen_configure(l, c);
	for (int i = 0; i < c->nlisten; i++) {
		int u = listen_socket(&c->listen[i], SOCK_DGRAM, err, errlen);
		if (u < 0)
			goto fail;
		l->udp[l->nudp].l = l;
		l->udp[l->nudp].wildcard = listen_is_wildcard(&c->listen[i]);
		l->udp[l->nudp++].fd = u;
		int t = listen_socket(&c->listen[i], SOCK_STREAM, err, errlen);
		if (t < 0)
			goto fail;
		l->tcp_fd[l->ntcp++] = t;
	}
	return l;
fail:
	listen_free(l);
	return NULL;
}

void
listen_configure(struct listen *l, const struct config *c)
{
	l->max_conns = c->tcp.max_connections;
	l->idle_s = c->tcp.idle_timeout_s;
	l->max_queries = c->tcp.max_queries;
}

void
listen_get_stats(const struct listen *l, struct listen_stats *st)
{
	*st = l->st;
}

/* UDP */

/* Record where the query went (wildcard sockets only). */
static void
listen_udp_dst(struct listen_client *cl, struct msghdr *mh)
{
	cl->dst_family = 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(cm), sizeof pi);
			cl->dst.v4 = pi.ipi_addr;
			cl->ifindex = (unsigned)pi.ipi_ifindex;
			cl->dst_family = AF_INET;
		} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(cm), sizeof pi);
			cl->dst.v6 = pi.ipi6_addr;
			cl->ifindex = pi.ipi6_ifindex;
			cl->dst_family = AF_INET6;
		}
	}
}

/* Fill mh to send msg to cl, from cl's destination address when known. */
static void
listen_udp_msghdr(const struct listen_client *cl, struct msghdr *mh, struct iovec *iov,
                  uint8_t *cmsgbuf)
{
	memset(mh, 0, sizeof *mh);
	mh->msg_name = (void *)&cl->peer;
	mh->msg_namelen = cl->peer_len;
	mh->msg_iov = iov;
	mh->msg_iovlen = 1;
	if (cl->dst_family == 0)
		return;
	memset(cmsgbuf, 0, LISTEN_CMSG);
	mh->msg_control = cmsgbuf;
	mh->msg_controllen = LISTEN_CMSG;
	struct cmsghdr *cm = CMSG_FIRSTHDR(mh);
	if (cl->dst_family == AF_INET) {
		struct in_pktinfo pi = {.ipi_spec_dst = cl->dst.v4};
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(cm), &pi, sizeof pi);
		mh->msg_controllen = CMSG_SPACE(sizeof pi);
	} else {
		struct in6_pktinfo pi = {.ipi6_addr = cl->dst.v6, .ipi6_ifindex = cl->ifindex};
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(cm), &pi, sizeof pi);
		mh->msg_controllen = CMSG_SPACE(sizeof pi);
	}
}

static void
listen_udp_read(evutil_socket_t fd, short what, void *arg)
{
	struct listen_udp *u = arg;
	struct listen *l = u->l;
	(void)what;
	for (int i = 0; i < LISTEN_BATCH; i++) {
		l->iniov[i] = (struct iovec){l->in[i], sizeof l->in[i]};
		struct msghdr *mh = &l->inm[i].msg_hdr;
		memset(mh, 0, sizeof *mh);
		mh->msg_name = &l->cl[i].peer;
		mh->msg_namelen = sizeof l->cl[i].peer;
		mh->msg_iov = &l->iniov[i];
		mh->msg_iovlen = 1;
		if (u->wildcard) {
			mh->msg_control = l->incmsg[i];
			mh->msg_controllen = LISTEN_CMSG;
		}
	}
	int n = recvmmsg(fd, l->inm, LISTEN_BATCH, 0, NULL);
	if (n <= 0)
		return;
	int nout = 0;
	for (int i = 0; i < n; i++) {
		struct listen_client *cl = &l->cl[i];
		struct msghdr *mh = &l->inm[i].msg_hdr;
		if (mh->msg_flags & MSG_TRUNC)
			continue;
		cl->peer_len = mh->msg_namelen;
		cl->fd = fd;
		cl->ifindex = 0;
		listen_udp_dst(cl, mh);
		l->st.udp_queries++;
		struct request rq = {.pkt = l->in[i],
		                     .len = l->inm[i].msg_len,
		                     .ifindex = cl->ifindex,
		                     .reply = {&listen_udp_ops, cl}};
		netaddr_from_sockaddr(&rq.src, (struct sockaddr *)&cl->peer);
		size_t len = l->handler(l->handler_arg, &rq, l->out[nout], sizeof l->out[nout]);
		if (len == 0)
			continue;
		l->outiov[nout] = (struct iovec){l->out[nout], len};
		listen_udp_msghdr(cl, &l->outm[nout].msg_hdr, &l->outiov[nout], l->outcmsg[nout]);
		nout++;
	}
	for (int sent = 0; sent < nout;) {
		int r = sendmmsg(fd, l->outm + sent, (unsigned)(nout - sent), 0);
		if (r <= 0) {
			/* A full socket buffer loses these answers; clients
			 * retry. Skip the one that failed and go on. */
			sent++;
			continue;
		}
		sent += r;
	}
}

/* TCP */

/* The connection list is ordered by last activity, oldest first. */
static void
listen_conn_unlink(struct listen *l, struct listen_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		l->conns_head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		l->conns_tail = c->prev;
	c->prev = c->next = NULL;
}

static void
listen_conn_append(struct listen *l, struct listen_conn *c)
{
	c->prev = l->conns_tail;
	c->next = NULL;
	if (l->conns_tail)
		l->conns_tail->next = c;
	else
		l->conns_head = c;
	l->conns_tail = c;
}

static void
listen_conn_touch(struct listen_conn *c)
{
	if (c->l->conns_tail != c) {
		listen_conn_unlink(c->l, c);
		listen_conn_append(c->l, c);
	}
}

static void
listen_conn_unref(struct listen_conn *c)
{
	if (--c->refs == 0)
		free(c);
}

static void
listen_conn_close(struct listen_conn *c)
{
	struct listen *l = c->l;
	if (c->bev == NULL)
		return;
	bufferevent_free(c->bev);
	c->bev = NULL;
	if (l) {
		listen_conn_unlink(l, c);
		l->st.tcp_open--;
	}
	c->l = NULL;
	listen_conn_unref(c);
}

static void
listen_tcp_write(struct listen_conn *c, const uint8_t *msg, size_t len)
{
	uint8_t hdr[2];
	ldns_write_uint16(hdr, (uint16_t)len);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	evbuffer_add(out, hdr, 2);
	evbuffer_add(out, msg, len);
}

static void
listen_tcp_read(struct bufferevent *bev, void *arg)
{
	struct listen_conn *c = arg;
	struct listen *l = c->l;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t hdr[2];
	while (c->bev && c->inflight < l->max_queries && evbuffer_copyout(in, hdr, 2) == 2) {
		size_t len = ldns_read_uint16(hdr);
		if (evbuffer_get_length(in) < len + 2)
			break;
		evbuffer_drain(in, 2);
		evbuffer_remove(in, l->tcpin, len);
		listen_conn_touch(c);
		l->st.tcp_queries++;
		struct request rq = {.pkt = l->tcpin,
		                     .len = len,
		                     .src = c->peer,
		                     .tcp = true,
		                     .reply = {&listen_tcp_ops, c}};
		size_t n = l->handler(l->handler_arg, &rq, l->tcpout, sizeof l->tcpout);
		if (n)
			listen_tcp_write(c, l->tcpout, n);
	}
	/* Too many answers owed: stop reading until some are sent. */
	if (c->bev && c->inflight >= l->max_queries)
		bufferevent_disable(bev, EV_READ);
}

/* Whether a half-closed connection has nothing more to send. */
static bool
listen_conn_done(struct listen_conn *c)
{
	return c->eof && c->inflight == 0 &&
	       evbuffer_get_length(bufferevent_get_output(c->bev)) == 0;
}

/* Output written: a client that closed its side gets every answer it is
 * owed (RFC 7766 6.2.4), then the connection closes. */
static void
listen_tcp_drained(struct bufferevent *bev, void *arg)
{
	(void)bev;
	if (listen_conn_done(arg))
		listen_conn_close(arg);
}

static void
listen_tcp_event(struct bufferevent *bev, short what, void *arg)
{
	struct listen_conn *c = arg;
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR)) {
		c->eof = true;
		bufferevent_disable(bev, EV_READ);
		if (!listen_conn_done(c))
			return;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		/* Idle only when nothing is owed; a client that does not read
		 * its answers (a write timeout) is not waited for. */
		if ((what & BEV_EVENT_READING) && c->inflight > 0) {
			if (!c->eof)
				bufferevent_enable(bev, EV_READ);
			return;
		}
		c->l->st.tcp_closed_idle++;
	}
	listen_conn_close(c);
}

/* Make room for a new connection: close the oldest idle one. */
static int
listen_tcp_make_room(struct listen *l)
{
	if (l->st.tcp_open < l->max_conns)
		return 0;
	for (struct listen_conn *c = l->conns_head; c; c = c->next)
		if (c->inflight == 0 && evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
			l->st.tcp_closed_idle++;
			listen_conn_close(c);
			return 0;
		}
	return -1;
}

static void
listen_tcp_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen,
                  void *arg)
{
	struct listen *l = arg;
	(void)lev;
	(void)salen;
	if (listen_tcp_make_room(l) < 0) {
		l->st.tcp_refused++;
		close(fd);
		return;
	}
	struct listen_conn *c = calloc(1, sizeof *c);
	if (c == NULL) {
		close(fd);
		return;
	}
	c->bev = bufferevent_socket_new(l->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		free(c);
		close(fd);
		return;
	}
	c->l = l;
	c->refs = 1;
	netaddr_from_sockaddr(&c->peer, sa);
	listen_conn_append(l, c);
	l->st.tcp_open++;
	l->st.tcp_accepted++;
	struct timeval idle = {(time_t)l->idle_s, 0};
	bufferevent_setcb(c->bev, listen_tcp_read, listen_tcp_drained, listen_tcp_event, c);
	bufferevent_set_timeouts(c->bev, &idle, &idle);
	bufferevent_setwatermark(c->bev, EV_READ, 2, LISTEN_TCP_MAX + 2);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

int
listen_start(struct listen *l, struct event_base *base, request_handler handler, void *arg)
{
	l->base = base;
	l->handler = handler;
	l->handler_arg = arg;
	for (int i = 0; i < l->nudp; i++) {
		struct listen_udp *u = &l->udp[i];
		u->ev = event_new(base, u->fd, EV_READ | EV_PERSIST, listen_udp_read, u);
		if (u->ev == NULL || event_add(u->ev, NULL) < 0)
			return -1;
	}
	for (int i = 0; i < l->ntcp; i++) {
		l->tcp[i] = evconnlistener_new(base, listen_tcp_accept, l,
		                               LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0,
		                               l->tcp_fd[i]);
		if (l->tcp[i] == NULL)
			return -1;
	}
	return 0;
}

void
listen_free(struct listen *l)
{
	if (l == NULL)
		return;
	while (l->conns_head)
		listen_conn_close(l->conns_head);
	for (int i = 0; i < l->nudp; i++) {
		if (l->udp[i].ev)
			event_free(l->udp[i].ev);
		close(l->udp[i].fd);
	}
	for (int i = 0; i < l->ntcp; i++) {
		if (l->tcp[i])
			evconnlistener_free(l->tcp[i]);
		else
			close(l->tcp_fd[i]);
	}
	free(l);
}

/* Reply handles. UDP: the destination, copied when held (the batch
 * buffers are reused by the next read). */
static void
listen_udp_send(void *ctx, const uint8_t *msg, size_t len)
{
	const struct listen_client *cl = ctx;
	struct msghdr mh;
	struct iovec iov = {(void *)msg, len};
	uint8_t cmsg[LISTEN_CMSG] __attribute__((aligned(8)));
	listen_udp_msghdr(cl, &mh, &iov, cmsg);
	if (sendmsg(cl->fd, &mh, 0) < 0)
		log_debug("udp reply: %s", strerror(errno));
}

static void *
listen_udp_hold(void *ctx)
{
	struct listen_client *cl = malloc(sizeof *cl);
	if (cl)
		*cl = *(const struct listen_client *)ctx;
	return cl;
}

static const struct reply_ops listen_udp_ops = {listen_udp_send, listen_udp_hold, free};

/* TCP: the connection, counted; an answer for a closed one is dropped. */
static void
listen_tcp_send(void *ctx, const uint8_t *msg, size_t len)
{
	struct listen_conn *c = ctx;
	if (c->bev)
		listen_tcp_write(c, msg, len);
}

static void *
listen_tcp_hold(void *ctx)
{
	struct listen_conn *c = ctx;
	c->refs++;
	c->inflight++;
	return c;
}

static void
listen_tcp_release(void *ctx)
{
	struct listen_conn *c = ctx;
	c->inflight--;
	if (c->bev && listen_conn_done(c))
		listen_conn_close(c);
	/* Reading was paused at the in-flight limit: resume, and pick up
	 * queries already buffered (from the loop, not from inside this
	 * caller). */
	if (c->bev && c->l && !c->eof && c->inflight + 1 == c->l->max_queries) {
		bufferevent_enable(c->bev, EV_READ);
		bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_DEFER_CALLBACKS);
	}
	listen_conn_unref(c);
}

static const struct reply_ops listen_tcp_ops = {listen_tcp_send, listen_tcp_hold,
                                                listen_tcp_release};
