/* The remote syslog sink of the event log (see remotelog.h). */
#include "remotelog.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "json.h"
#include "log.h"
#include "netaddr.h"

#define REMOTE_QUEUE_MAX (64 * 1024) /* bytes waiting for a TCP collector */
#define REMOTE_RETRY_SECS 5

static void remotelog_connect(struct remotelog *r);

static void
remotelog_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	remotelog_connect(arg);
}

static void
remotelog_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct remotelog *r = arg;
	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		r->tcp_up = true;
		return;
	}
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
		log_debug("eventlog: remote collector connection lost");
		bufferevent_free(r->tcp);
		r->tcp = NULL;
		r->tcp_up = false;
		struct timeval tv = {REMOTE_RETRY_SECS, 0};
		evtimer_add(r->retry, &tv);
	}
}

static int
remotelog_sockaddr(const struct remotelog *r, struct sockaddr_storage *ss, socklen_t *len)
{
	struct netaddr na;
	memset(ss, 0, sizeof *ss);
	if (netaddr_parse(&na, r->host) == -1)
		return -1;
	if (na.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)r->port);
		memcpy(&sin->sin_addr, na.addr, 4);
		*len = sizeof *sin;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)r->port);
		memcpy(&sin6->sin6_addr, na.addr, 16);
		*len = sizeof *sin6;
	}
	return 0;
}

static void
remotelog_connect(struct remotelog *r)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (remotelog_sockaddr(r, &ss, &len) == -1)
		return;
	if (!r->use_tcp) {
		r->udp = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (r->udp != -1 && connect(r->udp, (struct sockaddr *)&ss, len) == -1) {
			close(r->udp);
			r->udp = -1;
		}
		return;
	}
	if (!r->base)
		return;
	r->tcp = bufferevent_socket_new(r->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!r->tcp)
		return;
	bufferevent_setcb(r->tcp, NULL, NULL, remotelog_event_cb, r);
	bufferevent_enable(r->tcp, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(r->tcp, (struct sockaddr *)&ss, (int)len) == -1) {
		bufferevent_free(r->tcp);
		r->tcp = NULL;
		struct timeval tv = {REMOTE_RETRY_SECS, 0};
		evtimer_add(r->retry, &tv);
	}
}

void
remotelog_open(struct remotelog *r, bool tcp, const char *host, int port, int facility,
               struct event_base *base)
{
	memset(r, 0, sizeof *r);
	r->opened = true;
	r->use_tcp = tcp;
	r->host = host;
	r->port = port;
	r->facility = facility;
	r->base = base;
	r->udp = -1;
	if (gethostname(r->myname, sizeof r->myname - 1) == -1 || !r->myname[0])
		strcpy(r->myname, "-");
	if (base)
		r->retry = evtimer_new(base, remotelog_retry_cb, r);
	remotelog_connect(r);
}

/* RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG; over TCP with
 * RFC 6587 octet counting. */
int
remotelog_send(struct remotelog *r, const char *kind, time_t t, const char *json, size_t len)
{
	char head[512], ts[JSON_TIMELEN];
	int hl = snprintf(head, sizeof head, "<%d>1 %s %s dnsd %ld %s - ", r->facility * 8 + 6,
	                  json_time(t, ts), r->myname, (long)getpid(), kind);
	size_t msglen = (size_t)hl + len - 1; /* without the newline */
	if (!r->use_tcp) {
		char dgram[4096];
		if (r->udp == -1 || msglen > sizeof dgram)
			return -1;
		memcpy(dgram, head, (size_t)hl);
		memcpy(dgram + hl, json, len - 1);
		return send(r->udp, dgram, msglen, 0) == (ssize_t)msglen ? 0 : -1;
	}
	if (!r->tcp)
		return -1;
	struct evbuffer *out = bufferevent_get_output(r->tcp);
	if (evbuffer_get_length(out) + msglen > REMOTE_QUEUE_MAX)
		return -1;
	evbuffer_add_printf(out, "%zu ", msglen);
	evbuffer_add(out, head, (size_t)hl);
	evbuffer_add(out, json, len - 1);
	return 0;
}

bool
remotelog_up(const struct remotelog *r)
{
	return !r->use_tcp || r->tcp_up;
}

void
remotelog_close(struct remotelog *r)
{
	if (!r->opened)
		return;
	if (r->tcp) {
		/* a last try to hand the queued records to the collector */
		evutil_socket_t fd = bufferevent_getfd(r->tcp);
		struct evbuffer *out = bufferevent_get_output(r->tcp);
		if (r->tcp_up && fd != -1)
			evbuffer_write(out, fd);
		bufferevent_free(r->tcp);
		r->tcp = NULL;
	}
	if (r->retry)
		event_free(r->retry);
	r->retry = NULL;
	if (r->udp != -1)
		close(r->udp);
	r->udp = -1;
}
