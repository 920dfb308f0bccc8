/* Upstream queries. Each try uses a fresh CSPRNG ID and a connected UDP
 * socket bound to a CSPRNG-chosen port, so the kernel filters the source
 * address and port and we check the ID and the question. A truncated answer
 * is asked again over TCP of the same upstream. Tries rotate through the
 * upstreams (skipping those marked down) until one answers or the budget
 * runs out. */
#include "forward.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <ldns/ldns.h>

#include "log.h"
#include "rand.h"

#define FORWARD_PORT_TRIES 16	/* random ports tried before giving up */

struct forward_upstream {
	struct config_addr addr;
	char name[64];
	unsigned fails;		/* consecutive */
	long long down_until;	/* monotonic ms; 0 when up */
	uint64_t rtt_us_sum, rtt_n;	/* UDP answers to this upstream */
};

struct forward_query {
	struct forward *f;
	struct forward_query *prev, *next;
	forward_done_cb done;
	void *arg;
	struct msg_query q;
	uint8_t *wire;		/* the query, from msg_pkt2wire */
	size_t wire_len;
	uint16_t id;
	long long deadline;	/* monotonic ms */
	long long sent_us;	/* monotonic, when this try's UDP query left */
	unsigned tries, next_up, gen;
	int cur;		/* upstream index of this try */
	int fd;
	struct event *ev;	/* UDP read */
	struct bufferevent *bev;	/* TCP */
	struct event *timer;	/* the try's timeout; also used to defer */
};

struct forward {
	struct event_base *base;
	struct forward_upstream up[CONFIG_MAX_UPSTREAMS];
	int nup;
	unsigned gen;
	unsigned timeout_ms, budget_ms, down_after, probe_s, max_outstanding;
	struct forward_query *head;
	struct forward_stats st;
};

static void forward_try(struct forward_query *fq);

static long long
forward_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long
forward_now_ms(void)
{
	return forward_now_us() / 1000;
}

struct forward *
forward_new(struct event_base *base, const struct config *c)
{
	struct forward *f = calloc(1, sizeof *f);
	if (f == NULL)
		return NULL;
	f->base = base;
	forward_configure(f, c);
	return f;
}

void
forward_configure(struct forward *f, const struct config *c)
{
	f->gen++;
	f->nup = c->nupstream;
	for (int i = 0; i < c->nupstream; i++) {
		struct forward_upstream *u = &f->up[i];
		struct netaddr na;
		char host[NETADDR_STRLEN];
		memset(u, 0, sizeof *u);
		u->addr = c->upstream[i];
		netaddr_from_sockaddr(&na, (const struct sockaddr *)&u->addr.ss);
		snprintf(u->name, sizeof u->name, "%s@%u", netaddr_str(&na, host),
		    ntohs(((const struct sockaddr_in *)&u->addr.ss)->sin_port));
	}
	f->timeout_ms = c->forward.timeout_ms;
	f->budget_ms = c->forward.budget_ms;
	f->down_after = c->forward.down_after;
	f->probe_s = c->forward.probe_s;
	f->max_outstanding = c->forward.max_outstanding;
}

/* End the current try: sockets and timer closed. */
static void
forward_try_end(struct forward_query *fq)
{
	if (fq->ev) {
		event_free(fq->ev);
		fq->ev = NULL;
	}
	if (fq->fd >= 0) {
		close(fq->fd);
		fq->fd = -1;
	}
	if (fq->bev) {
		bufferevent_free(fq->bev);
		fq->bev = NULL;
	}
	evtimer_del(fq->timer);
}

static void
forward_query_free(struct forward_query *fq)
{
	struct forward *f = fq->f;
	forward_try_end(fq);
	event_free(fq->timer);
	if (fq->prev)
		fq->prev->next = fq->next;
	else
		f->head = fq->next;
	if (fq->next)
		fq->next->prev = fq->prev;
	f->st.outstanding--;
	free(fq->wire);
	free(fq);
}

static void
forward_finish(struct forward_query *fq, ldns_pkt *resp)
{
	forward_done_cb done = fq->done;
	void *arg = fq->arg;
	if (resp == NULL)
		fq->f->st.failures++;
	forward_query_free(fq);
	done(resp, arg);
}

void
forward_free(struct forward *f)
{
	if (f == NULL)
		return;
	while (f->head)
		forward_query_free(f->head);
	free(f);
}

/* The upstream of this try answered usefully, or failed. */
static void
forward_health(struct forward_query *fq, int ok)
{
	struct forward *f = fq->f;
	if (fq->gen != f->gen || fq->cur < 0)
		return;	/* the upstream list changed under this query */
	struct forward_upstream *u = &f->up[fq->cur];
	if (ok) {
		if (u->down_until)
			log_info("upstream %s is back", u->name);
		u->fails = 0;
		u->down_until = 0;
		return;
	}
	if (++u->fails >= f->down_after) {
		if (u->down_until == 0)
			log_warn("upstream %s down after %u failures", u->name, u->fails);
		u->down_until = forward_now_ms() + (long long)f->probe_s * 1000;
	}
}

static void
forward_try_failed(struct forward_query *fq)
{
	forward_health(fq, 0);
	forward_try_end(fq);
	forward_try(fq);
}

/* resp parsed when it answers this try's question (caller frees); NULL when
 * not (counted). */
static ldns_pkt *
forward_matches(struct forward_query *fq, const uint8_t *resp, size_t len)
{
	ldns_pkt *p = NULL;
	int ok = 0;
	if (len >= MSG_HDR_LEN && LDNS_ID_WIRE(resp) == fq->id && LDNS_QR_WIRE(resp) &&
	    LDNS_OPCODE_WIRE(resp) == LDNS_PACKET_QUERY && LDNS_QDCOUNT(resp) == 1 &&
	    msg_wire2pkt(&p, resp, len) == 0) {
		/* The key starts with the question's name in lower case. */
		ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(p), 0);
		ldns_rdf *owner = qr ? ldns_rr_owner(qr) : NULL;
		if (owner)
			ldns_dname2canonical(owner);
		ok = owner && ldns_rdf_size(owner) == fq->q.qname_len &&
		    memcmp(ldns_rdf_data(owner), fq->q.key, fq->q.qname_len) == 0 &&
		    ldns_rr_get_type(qr) == fq->q.qtype && ldns_rr_get_class(qr) == fq->q.qclass;
	}
	if (ok)
		return p;
	ldns_pkt_free(p);
	fq->f->st.mismatched++;
	return NULL;
}

static void forward_tcp_start(struct forward_query *fq);

/* A matching answer arrived over UDP or TCP, parsed (freed here). */
static void
forward_answer(struct forward_query *fq, ldns_pkt *p, int tcp)
{
	fq->f->st.answers++;
	if (!tcp && fq->gen == fq->f->gen && fq->cur >= 0) {
		struct forward_upstream *u = &fq->f->up[fq->cur];
		u->rtt_us_sum += (uint64_t)(forward_now_us() - fq->sent_us);
		u->rtt_n++;
	}
	if (!tcp && ldns_pkt_tc(p)) {
		fq->f->st.tcp_retries++;
		forward_try_end(fq);
		forward_tcp_start(fq);
	} else {
		switch (ldns_pkt_get_rcode(p)) {
		case LDNS_RCODE_SERVFAIL:
		case LDNS_RCODE_REFUSED:
		case LDNS_RCODE_NOTIMPL:
		case LDNS_RCODE_FORMERR:
			/* This upstream cannot answer; another might. It is
			 * alive, though: an answer never counts towards
			 * marking it down. */
			forward_health(fq, 1);
			forward_try_end(fq);
			forward_try(fq);
			break;
		default:
			forward_health(fq, 1);
			forward_finish(fq, p);
		}
	}
	ldns_pkt_free(p);
}

static void
forward_udp_read(evutil_socket_t fd, short what, void *arg)
{
	struct forward_query *fq = arg;
	uint8_t buf[LDNS_MAX_PACKETLEN];
	(void)what;
	for (;;) {
		/* Connected socket: only the upstream's address and port get
		 * here. */
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			/* ICMP port unreachable and friends. */
			forward_try_failed(fq);
			return;
		}
		ldns_pkt *p = forward_matches(fq, buf, (size_t)n);
		if (p) {
			forward_answer(fq, p, 0);
			return;
		}
	}
}

static void
forward_tcp_read(struct bufferevent *bev, void *arg)
{
	struct forward_query *fq = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t hdr[2];
	while (evbuffer_copyout(in, hdr, 2) == 2) {
		size_t len = ldns_read_uint16(hdr);
		if (evbuffer_get_length(in) < len + 2)
			return;
		uint8_t *msg = malloc(len ? len : 1);
		if (msg == NULL) {
			forward_try_failed(fq);
			return;
		}
		evbuffer_drain(in, 2);
		evbuffer_remove(in, msg, len);
		ldns_pkt *p = forward_matches(fq, msg, len);
		free(msg);
		if (p) {
			forward_answer(fq, p, 1);
			return;
		}
	}
}

static void
forward_tcp_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		forward_try_failed(arg);
}

static void
forward_tcp_start(struct forward_query *fq)
{
	struct forward *f = fq->f;
	struct forward_upstream *u = &f->up[fq->cur];
	uint8_t hdr[2];
	if (fq->gen != f->gen) {
		forward_try(fq);
		return;
	}
	fq->bev = bufferevent_socket_new(f->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (fq->bev == NULL ||
	    bufferevent_socket_connect(fq->bev, (struct sockaddr *)&u->addr.ss, (int)u->addr.len) < 0) {
		forward_try_failed(fq);
		return;
	}
	fq->id = rand_u16();
	ldns_write_uint16(fq->wire, fq->id);
	ldns_write_uint16(hdr, (uint16_t)fq->wire_len);
	bufferevent_write(fq->bev, hdr, 2);
	bufferevent_write(fq->bev, fq->wire, fq->wire_len);
	bufferevent_setcb(fq->bev, forward_tcp_read, NULL, forward_tcp_event, fq);
	bufferevent_enable(fq->bev, EV_READ | EV_WRITE);
	/* The try's timer keeps running: TCP gets what is left of it. */
	long long left = fq->deadline - forward_now_ms();
	struct timeval tv = { left > 0 ? left / 1000 : 0, left > 0 ? (left % 1000) * 1000 : 0 };
	if (!evtimer_pending(fq->timer, NULL))
		evtimer_add(fq->timer, &tv);
}

/* A connected UDP socket from a random source port. -1 on failure. */
static int
forward_udp_socket(const struct config_addr *to)
{
	int fd = socket(to->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_storage from;
	memset(&from, 0, sizeof from);
	from.ss_family = to->ss.ss_family;
	for (int i = 0; i < FORWARD_PORT_TRIES; i++) {
		in_port_t port = htons((uint16_t)(1024 + rand_uniform(65536 - 1024)));
		if (from.ss_family == AF_INET)
			((struct sockaddr_in *)&from)->sin_port = port;
		else
			((struct sockaddr_in6 *)&from)->sin6_port = port;
		if (bind(fd, (struct sockaddr *)&from, to->len) == 0) {
			if (connect(fd, (const struct sockaddr *)&to->ss, to->len) == 0)
				return fd;
			break;
		}
		if (errno != EADDRINUSE)
			break;
	}
	close(fd);
	return -1;
}

/* The next upstream to try: in order from where the last try left off,
 * skipping those marked down unless a probe is due. When all are down, the
 * next in order anyway. */
static int
forward_pick(struct forward_query *fq)
{
	struct forward *f = fq->f;
	long long now = forward_now_ms();
	for (int i = 0; i < f->nup; i++) {
		int k = (int)((fq->next_up + (unsigned)i) % (unsigned)f->nup);
		struct forward_upstream *u = &f->up[k];
		if (u->down_until == 0 || u->down_until <= now) {
			if (u->down_until)	/* one probe per interval */
				u->down_until = now + (long long)f->probe_s * 1000;
			fq->next_up = (unsigned)k + 1;
			return k;
		}
	}
	return (int)(fq->next_up++ % (unsigned)f->nup);
}

static void
forward_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct forward_query *fq = arg;
	(void)fd;
	(void)what;
	fq->f->st.timeouts++;
	forward_try_failed(fq);
}

static void
forward_try(struct forward_query *fq)
{
	struct forward *f = fq->f;
	long long left = fq->deadline - forward_now_ms();
	/* Every upstream twice at most: an upstream that fails at once must
	 * not turn the budget into a busy loop. */
	if (left <= 0 || f->nup == 0 || fq->tries >= 2u * (unsigned)f->nup) {
		forward_finish(fq, NULL);
		return;
	}
	fq->tries++;
	fq->gen = f->gen;
	fq->cur = forward_pick(fq);
	if (left > f->timeout_ms)
		left = f->timeout_ms;
	struct timeval tv = { left / 1000, (left % 1000) * 1000 };
	evtimer_add(fq->timer, &tv);

	fq->id = rand_u16();
	ldns_write_uint16(fq->wire, fq->id);
	fq->fd = forward_udp_socket(&f->up[fq->cur].addr);
	if (fq->fd < 0 || (fq->ev = event_new(f->base, fq->fd, EV_READ | EV_PERSIST,
	    forward_udp_read, fq)) == NULL || event_add(fq->ev, NULL) < 0 ||
	    send(fq->fd, fq->wire, fq->wire_len, 0) < 0) {
		log_debug("upstream %s: %s", f->up[fq->cur].name, strerror(errno));
		/* Fail this try from the loop: never call back from inside
		 * forward_query(). */
		struct timeval now = { 0, 0 };
		evtimer_add(fq->timer, &now);
		return;
	}
	fq->sent_us = forward_now_us();
	f->st.sent++;
}

/* The upstream query, built by ldns: RD and AD set, CD and DO copied,
 * our own OPT with payload 1232 and no options. */
static int
forward_build(struct forward_query *fq)
{
	ldns_rdf *name = ldns_dname_new_frm_data(fq->q.qname_len, fq->q.qname);
	if (name == NULL)
		return -1;
	ldns_pkt *p = ldns_pkt_query_new(name, fq->q.qtype, fq->q.qclass, LDNS_RD | LDNS_AD);
	if (p == NULL)
		return -1;
	ldns_pkt_set_cd(p, (fq->q.flags & MSG_F_CD) != 0);
	ldns_pkt_set_edns_udp_size(p, MSG_EDNS_PAYLOAD);
	ldns_pkt_set_edns_do(p, fq->q.do_bit);
	ldns_status s = msg_pkt2wire(&fq->wire, p, &fq->wire_len);
	ldns_pkt_free(p);
	return s != LDNS_STATUS_OK || fq->wire_len < MSG_HDR_LEN ? -1 : 0;
}

int
forward_query(struct forward *f, const struct msg_query *q, forward_done_cb done, void *arg)
{
	if (f->st.outstanding >= f->max_outstanding)
		return -1;
	struct forward_query *fq = calloc(1, sizeof *fq);
	if (fq == NULL)
		return -1;
	fq->f = f;
	fq->q = *q;
	fq->done = done;
	fq->arg = arg;
	fq->fd = -1;
	fq->cur = -1;
	fq->deadline = forward_now_ms() + f->budget_ms;
	fq->timer = evtimer_new(f->base, forward_timeout, fq);
	if (fq->timer == NULL || forward_build(fq) < 0) {
		if (fq->timer)
			event_free(fq->timer);
		free(fq->wire);
		free(fq);
		return -1;
	}
	fq->next = f->head;
	if (f->head)
		f->head->prev = fq;
	f->head = fq;
	f->st.outstanding++;
	forward_try(fq);
	return 0;
}

void
forward_get_stats(const struct forward *f, struct forward_stats *st)
{
	long long now = forward_now_ms();
	*st = f->st;
	st->nupstream = f->nup;
	for (int i = 0; i < f->nup; i++) {
		snprintf(st->up[i].addr, sizeof st->up[i].addr, "%s", f->up[i].name);
		st->up[i].down = f->up[i].down_until > now;
		st->up[i].fails = f->up[i].fails;
		st->up[i].rtt_us_sum = f->up[i].rtt_us_sum;
		st->up[i].rtt_n = f->up[i].rtt_n;
	}
}
