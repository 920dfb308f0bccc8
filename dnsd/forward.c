/* Upstream queries. Each try uses a fresh CSPRNG ID and a connected UDP
 * socket bound to a CSPRNG-chosen port, so the kernel filters the source
 * address and port and we check the ID and the question. Tries rotate
 * through the upstreams (skipping those marked down), each waiting its
 * upstream's timeout (rto.c) before the next goes; all stay open until one
 * answers or the budget runs out. A truncated answer is asked again over TCP
 * of the same upstream. */
#include "forward.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <ldns/ldns.h>

#include "clock.h"
#include "log.h"
#include "rand.h"
#include "rto.h"

#define FORWARD_PORT_TRIES 16 /* random ports tried before giving up */
#define FORWARD_RTO_MIN 200   /* ms: the shortest per-try timeout */
/* Loop probes: "<16 hex digits>.dnsd-loop.test." TXT, as dnsmasq's
 * --dns-loop-detect asks "<8 hex digits>.test.": the name is never
 * delegated, so without a loop the upstream's answer is NXDOMAIN. */
#define FORWARD_LOOP_SUFFIX "\011dnsd-loop\004test"
#define FORWARD_LOOP_NAME_LEN (1 + 16 + sizeof FORWARD_LOOP_SUFFIX) /* with the root */
#define FORWARD_LOOP_RECHECK_S 600 /* every upstream probed again this often */

struct forward_upstream {
	struct config_addr addr;
	char name[64];
	unsigned fails;       /* consecutive */
	long long down_until; /* monotonic ms; 0 when up */
	struct rto rto;       /* its per-try timeout */
	/* Loop detection: the name of its latest probe, whether that probe
	 * came back to us as a client query, whether it was answered, the
	 * probe's socket (open until the answer or the next probe), and when
	 * it went (monotonic ms; 0: never). */
	uint8_t loop_name[FORWARD_LOOP_NAME_LEN];
	bool loop_seen, loop_answered, looping;
	int loop_fd;
	struct event *loop_ev;
	uint16_t loop_id;
	long long loop_sent;
};

/* One UDP try: its own socket, source port and ID, kept open until the
 * query ends, so that a late answer to an earlier try is still taken. */
struct forward_try {
	struct forward_query *fq;
	int fd;           /* -1 once closed */
	struct event *ev; /* UDP read */
	int up;           /* upstream index in the list of generation gen */
	unsigned gen;
	uint16_t id;
	long long sent;  /* monotonic ms */
	unsigned waited; /* ms it was given before the next try */
	bool lost;       /* its time ran out, or the network failed it */
	bool replied;    /* the upstream answered it (any rcode) */
};

struct forward_query {
	struct forward *f;
	struct forward_query *prev, *next;
	forward_done_cb done;
	void *arg;
	struct msg_query q;
	uint8_t *wire; /* the query, from msg_pkt2wire */
	size_t wire_len;
	long long deadline; /* monotonic ms */
	unsigned next_up;
	struct bufferevent *bev; /* TCP, after a truncated answer */
	unsigned tcp_gen;
	int tcp_up;
	uint16_t tcp_id;
	struct event *timer; /* the last try's timeout, or the deadline */
	unsigned ntries, maxtries;
	struct forward_try tries[]; /* maxtries */
};

struct forward {
	struct event_base *base;
	struct forward_upstream up[CONFIG_MAX_UPSTREAMS];
	int nup;
	unsigned gen;
	unsigned timeout_ms, budget_ms, down_after, probe_s, max_outstanding;
	struct forward_query *head;
	struct forward_stats st;
	struct event *loop_timer; /* the next round of loop probes */
};

static void forward_next(struct forward_query *fq);
static void forward_loop_round(evutil_socket_t fd, short what, void *arg);
static void forward_loop_close(struct forward_upstream *u);
static void forward_loop_probe(struct forward *f, int k);

struct forward *
forward_new(struct event_base *base, const struct config *c)
{
	struct forward *f = calloc(1, sizeof *f);
	if (f == NULL)
		return NULL;
	f->base = base;
	if ((f->loop_timer = evtimer_new(base, forward_loop_round, f)) == NULL) {
		free(f);
		return NULL;
	}
	forward_configure(f, c);
	return f;
}

/* Every try of a query keeps its socket: up to two per upstream, and TCP,
 * for each query in flight, and a loop probe per upstream. Raise the soft
 * descriptor limit that far (the hard limit allows it without privilege),
 * or say what will fail. */
static void
forward_reserve_fds(const struct forward *f)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)f->max_outstanding * (2u * (unsigned)f->nup + 1) + (rlim_t)f->nup +
	              256; /* listeners, TCP clients, files */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < need)
		log_warnx(
		    "only %llu file descriptors of the %llu that forward.max_outstanding may "
		    "need: under load some upstream tries will fail (raise the limit or lower it)",
		    (unsigned long long)rl.rlim_cur, (unsigned long long)need);
}

/* Replaces the upstream list (from the config or a re-read resolv.conf):
 * measured RTTs and loop state start afresh, and the new list is probed for
 * loops from the event loop. Needs f's timeouts set. */
void
forward_set_upstreams(struct forward *f, const struct config_addr *a, int n)
{
	f->gen++;
	for (int i = 0; i < f->nup; i++)
		forward_loop_close(&f->up[i]);
	f->nup = n < CONFIG_MAX_UPSTREAMS ? n : CONFIG_MAX_UPSTREAMS;
	for (int i = 0; i < f->nup; i++) {
		struct forward_upstream *u = &f->up[i];
		struct netaddr na;
		char host[NETADDR_STRLEN];
		memset(u, 0, sizeof *u);
		u->loop_fd = -1;
		u->addr = a[i];
		netaddr_from_sockaddr(&na, (const struct sockaddr *)&u->addr.ss);
		snprintf(u->name, sizeof u->name, "%s@%u", netaddr_str(&na, host),
		         ntohs(((const struct sockaddr_in *)&u->addr.ss)->sin_port));
		rto_init(&u->rto, f->timeout_ms,
		         f->timeout_ms < FORWARD_RTO_MIN ? f->timeout_ms : FORWARD_RTO_MIN,
		         f->budget_ms);
	}
	forward_reserve_fds(f);
	struct timeval now = {0, 0};
	evtimer_add(f->loop_timer, &now);
}

void
forward_configure(struct forward *f, const struct config *c)
{
	f->timeout_ms = c->forward.timeout_ms;
	f->budget_ms = c->forward.budget_ms;
	f->down_after = c->forward.down_after;
	f->probe_s = c->forward.probe_s;
	f->max_outstanding = c->forward.max_outstanding;
	forward_set_upstreams(f, c->upstream, c->nupstream);
}

/* A UDP socket and its read event (a try's, a loop probe's): closed, *fd
 * -1 and *ev NULL after. */
static void
forward_sock_close(int *fd, struct event **ev)
{
	if (*ev) {
		event_free(*ev);
		*ev = NULL;
	}
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static void
forward_try_close(struct forward_try *t)
{
	forward_sock_close(&t->fd, &t->ev);
}

static void
forward_tcp_close(struct forward_query *fq)
{
	if (fq->bev) {
		bufferevent_free(fq->bev);
		fq->bev = NULL;
	}
}

static void
forward_query_free(struct forward_query *fq)
{
	struct forward *f = fq->f;
	for (unsigned i = 0; i < fq->ntries; i++)
		forward_try_close(&fq->tries[i]);
	forward_tcp_close(fq);
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

void
forward_free(struct forward *f)
{
	if (f == NULL)
		return;
	while (f->head)
		forward_query_free(f->head);
	for (int i = 0; i < f->nup; i++)
		forward_loop_close(&f->up[i]);
	event_free(f->loop_timer);
	free(f);
}

/* Upstream up of a query of generation gen answered (ok), or failed. */
static void
forward_health(struct forward *f, unsigned gen, int up, int ok)
{
	if (gen != f->gen || up < 0)
		return; /* the upstream list changed under this query */
	struct forward_upstream *u = &f->up[up];
	if (ok) {
		if (u->down_until)
			log_info("upstream %s is back", u->name);
		u->fails = 0;
		u->down_until = 0;
		return;
	}
	if (++u->fails >= f->down_after) {
		if (u->down_until == 0) {
			log_warnx("upstream %s down after %u failures", u->name, u->fails);
			forward_loop_probe(f, up); /* a loop is one cause */
		}
		u->down_until = clock_mono_ms() + (long long)f->probe_s * 1000;
	}
}

/* The query ends. An upstream counts one failure when a try of it was lost
 * and none of its tries got an answer: a slow answer that came in time for
 * the budget is no failure, nor is a try whose time had not run out. */
static void
forward_finish(struct forward_query *fq, ldns_pkt *resp)
{
	struct forward *f = fq->f;
	forward_done_cb done = fq->done;
	void *arg = fq->arg;
	unsigned replied = 0, lost = 0;
	for (unsigned i = 0; i < fq->ntries; i++) {
		const struct forward_try *t = &fq->tries[i];
		if (t->gen != f->gen)
			continue; /* the upstream list changed since */
		if (t->replied)
			replied |= 1u << t->up;
		else if (t->lost)
			lost |= 1u << t->up;
	}
	for (int k = 0; k < f->nup; k++)
		if ((lost & ~replied) & (1u << k))
			forward_health(f, f->gen, k, 0);
	if (resp == NULL)
		f->st.failures++;
	forward_query_free(fq);
	done(resp, arg);
}

/* Tries still open: their answers may yet come. */
static unsigned
forward_open_tries(const struct forward_query *fq)
{
	unsigned n = 0;
	for (unsigned i = 0; i < fq->ntries; i++)
		n += fq->tries[i].fd >= 0;
	return n;
}

/* Try t ended without an answer to give (a network error, or an error
 * rcode): when it was the latest try, the next goes now rather than at its
 * timeout; when nothing is left open, the query ends at once. */
static void
forward_try_done(struct forward_try *t)
{
	struct forward_query *fq = t->fq;
	forward_try_close(t);
	if (fq->bev == NULL && (t == &fq->tries[fq->ntries - 1] || forward_open_tries(fq) == 0))
		forward_next(fq);
}

/* resp parsed when it answers the question of q asked with id (caller
 * frees). A reply with the right ID and an error rcode but no question
 * (how many servers refuse a class or type) proves the upstream alive:
 * *alive is then set. Else NULL, counted. */
static ldns_pkt *
forward_matches(struct forward_query *fq, uint16_t id, const uint8_t *resp, size_t len, bool *alive)
{
	ldns_pkt *p = NULL;
	int ok = 0;
	*alive = false;
	if (len >= MSG_HDR_LEN && LDNS_ID_WIRE(resp) == id && LDNS_QR_WIRE(resp) &&
	    LDNS_OPCODE_WIRE(resp) == LDNS_PACKET_QUERY && LDNS_QDCOUNT(resp) == 0) {
		uint8_t rc = LDNS_RCODE_WIRE(resp);
		*alive = rc == LDNS_RCODE_FORMERR || rc == LDNS_RCODE_SERVFAIL ||
		         rc == LDNS_RCODE_NOTIMPL || rc == LDNS_RCODE_REFUSED;
	} else if (len >= MSG_HDR_LEN && LDNS_ID_WIRE(resp) == id && LDNS_QR_WIRE(resp) &&
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
	if (!*alive)
		fq->f->st.mismatched++;
	return NULL;
}

static void forward_tcp_start(struct forward_query *fq, unsigned gen, int up);

/* A matching answer from upstream up arrived over UDP (t) or TCP (t NULL),
 * parsed (freed here). */
static void
forward_answer(struct forward_query *fq, struct forward_try *t, int up, ldns_pkt *p)
{
	struct forward *f = fq->f;
	unsigned gen = t ? t->gen : fq->tcp_gen;
	f->st.answers++;
	forward_health(f, gen, up, 1);
	if (t)
		t->replied = true;
	if (t && ldns_pkt_tc(p)) {
		forward_try_close(t);
		if (fq->bev == NULL) {
			f->st.tcp_retries++;
			forward_tcp_start(fq, gen, up);
		}
	} else {
		switch (ldns_pkt_get_rcode(p)) {
		case LDNS_RCODE_SERVFAIL:
		case LDNS_RCODE_REFUSED:
		case LDNS_RCODE_NOTIMPL:
		case LDNS_RCODE_FORMERR:
			/* This upstream cannot answer; another might. It is
			 * alive, though: an answer never counts towards
			 * marking it down. */
			if (t)
				forward_try_done(t);
			else {
				forward_tcp_close(fq);
				forward_next(fq);
			}
			break;
		default:
			forward_finish(fq, p);
		}
	}
	ldns_pkt_free(p);
}

static void
forward_udp_read(evutil_socket_t fd, short what, void *arg)
{
	struct forward_try *t = arg;
	struct forward_query *fq = t->fq;
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
			t->lost = true;
			forward_try_done(t);
			return;
		}
		bool alive;
		ldns_pkt *p = forward_matches(fq, t->id, buf, (size_t)n, &alive);
		if (p || alive) {
			long long rtt = clock_mono_ms() - t->sent;
			if (t->gen == fq->f->gen)
				rto_sample(&fq->f->up[t->up].rto, rtt > 0 ? (unsigned)rtt : 0);
		}
		if (p) {
			forward_answer(fq, t, t->up, p);
			return;
		}
		if (alive) {
			fq->f->st.answers++;
			forward_health(fq->f, t->gen, t->up, 1);
			t->replied = true;
			forward_try_done(t);
			return;
		}
	}
}

/* TCP to upstream up failed: it counts against it now (no late answer
 * can come), and the query goes on over UDP. */
static void
forward_tcp_failed(struct forward_query *fq)
{
	forward_health(fq->f, fq->tcp_gen, fq->tcp_up, 0);
	forward_tcp_close(fq);
	forward_next(fq);
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
			forward_tcp_failed(fq);
			return;
		}
		evbuffer_drain(in, 2);
		evbuffer_remove(in, msg, len);
		bool alive;
		ldns_pkt *p = forward_matches(fq, fq->tcp_id, msg, len, &alive);
		free(msg);
		if (p) {
			forward_answer(fq, NULL, fq->tcp_up, p);
			return;
		}
		if (alive) {
			forward_health(fq->f, fq->tcp_gen, fq->tcp_up, 1);
			forward_tcp_close(fq);
			forward_next(fq);
			return;
		}
	}
}

static void
forward_tcp_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		forward_tcp_failed(arg);
}

/* The query again over TCP to upstream up (of the list of generation gen),
 * for what is left of the budget; the UDP tries still open stay open. */
static void
forward_tcp_start(struct forward_query *fq, unsigned gen, int up)
{
	struct forward *f = fq->f;
	uint8_t hdr[2];
	if (gen != f->gen) {
		forward_next(fq);
		return;
	}
	struct forward_upstream *u = &f->up[up];
	fq->tcp_up = up;
	fq->tcp_gen = gen;
	fq->bev = bufferevent_socket_new(f->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (fq->bev == NULL || bufferevent_socket_connect(fq->bev, (struct sockaddr *)&u->addr.ss,
	                                                  (int)u->addr.len) < 0) {
		forward_tcp_failed(fq);
		return;
	}
	fq->tcp_id = rand_u16();
	ldns_write_uint16(fq->wire, fq->tcp_id);
	ldns_write_uint16(hdr, (uint16_t)fq->wire_len);
	bufferevent_write(fq->bev, hdr, 2);
	bufferevent_write(fq->bev, fq->wire, fq->wire_len);
	bufferevent_setcb(fq->bev, forward_tcp_read, NULL, forward_tcp_event, fq);
	bufferevent_enable(fq->bev, EV_READ | EV_WRITE);
	long long left = fq->deadline - clock_mono_ms();
	if (left < 0)
		left = 0;
	struct timeval tv = {left / 1000, (left % 1000) * 1000};
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

/* Send wire to to from a fresh socket whose answers go to cb(arg). 0, or
 * -1 with errno and *fd, *ev as far as they got (for forward_sock_close). */
static int
forward_sock_send(struct forward *f, const struct config_addr *to, event_callback_fn cb, void *arg,
                  const uint8_t *wire, size_t len, int *fd, struct event **ev)
{
	*fd = forward_udp_socket(to);
	if (*fd < 0 || (*ev = event_new(f->base, *fd, EV_READ | EV_PERSIST, cb, arg)) == NULL ||
	    event_add(*ev, NULL) < 0 || send(*fd, wire, len, 0) < 0)
		return -1;
	return 0;
}

/* The next upstream to try: in order from where the last try left off,
 * skipping those marked down unless a probe is due. When all are down, the
 * next in order anyway. Upstreams that loop back to us are never asked:
 * -1 when every one does. */
static int
forward_pick(struct forward_query *fq)
{
	struct forward *f = fq->f;
	long long now = clock_mono_ms();
	int fallback = -1;
	for (int i = 0; i < f->nup; i++) {
		int k = (int)((fq->next_up + (unsigned)i) % (unsigned)f->nup);
		struct forward_upstream *u = &f->up[k];
		if (u->looping)
			continue;
		if (u->down_until == 0 || u->down_until <= now) {
			if (u->down_until) /* one probe per interval */
				u->down_until = now + (long long)f->probe_s * 1000;
			fq->next_up = (unsigned)k + 1;
			return k;
		}
		if (fallback < 0)
			fallback = k;
	}
	if (fallback >= 0)
		fq->next_up = (unsigned)fallback + 1;
	return fallback;
}

/* The timer: the latest try's time ran out (its socket stays open), or
 * the budget did. */
static void
forward_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct forward_query *fq = arg;
	(void)fd;
	(void)what;
	if (clock_mono_ms() >= fq->deadline) {
		forward_finish(fq, NULL);
		return;
	}
	struct forward_try *t = fq->ntries ? &fq->tries[fq->ntries - 1] : NULL;
	if (fq->bev == NULL && t && t->fd >= 0 && !t->lost) {
		t->lost = true;
		fq->f->st.timeouts++;
		if (t->gen == fq->f->gen)
			rto_backoff(&fq->f->up[t->up].rto, t->waited);
	}
	forward_next(fq);
}

/* Arm the timer for ms from now. */
static void
forward_arm(struct forward_query *fq, long long ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	evtimer_add(fq->timer, &tv);
}

/* Send the next try, to the next upstream, waiting that upstream's timeout
 * (or what is left of the budget). When every upstream had two tries, wait
 * for the open ones until the budget is spent, or end now when none is
 * open. */
static void
forward_next(struct forward_query *fq)
{
	struct forward *f = fq->f;
	long long left = fq->deadline - clock_mono_ms();
	if (left <= 0) {
		forward_finish(fq, NULL);
		return;
	}
	if (fq->bev || fq->ntries >= fq->maxtries || f->nup == 0) {
		if (fq->bev == NULL && forward_open_tries(fq) == 0)
			forward_finish(fq, NULL);
		else
			forward_arm(fq, left);
		return;
	}
	int up = forward_pick(fq);
	if (up < 0) {
		fq->maxtries = fq->ntries; /* every upstream loops */
		forward_arm(fq, 0);        /* never call back from forward_query() */
		return;
	}
	struct forward_try *t = &fq->tries[fq->ntries++];
	t->gen = f->gen;
	t->fq = fq;
	t->up = up;
	t->id = rand_u16();
	t->sent = clock_mono_ms();
	t->waited = f->up[t->up].rto.timeout;
	forward_arm(fq, left < t->waited ? left : t->waited);
	ldns_write_uint16(fq->wire, t->id);
	if (forward_sock_send(f, &f->up[t->up].addr, forward_udp_read, t, fq->wire, fq->wire_len,
	                      &t->fd, &t->ev) < 0) {
		log_debug("upstream %s: %s", f->up[t->up].name, strerror(errno));
		forward_try_close(t);
		t->lost = true;
		/* The next try from the loop: never call back from inside
		 * forward_query(). */
		forward_arm(fq, 0);
		return;
	}
	f->st.sent++;
}

/* The upstream query for q's question, built by ldns: RD and AD set, CD
 * and DO copied, our own OPT with payload 1232 and no options. 0 with *wire
 * set (caller frees), or -1. */
static int
forward_wire(const struct msg_query *q, uint8_t **wire, size_t *len)
{
	*wire = NULL;
	ldns_rdf *name = ldns_dname_new_frm_data(q->qname_len, q->qname);
	if (name == NULL)
		return -1;
	ldns_pkt *p = ldns_pkt_query_new(name, q->qtype, q->qclass, LDNS_RD | LDNS_AD);
	if (p == NULL)
		return -1;
	ldns_pkt_set_cd(p, (q->flags & MSG_F_CD) != 0);
	ldns_pkt_set_edns_udp_size(p, MSG_EDNS_PAYLOAD);
	ldns_pkt_set_edns_do(p, q->do_bit);
	ldns_status s = msg_pkt2wire(wire, p, len);
	ldns_pkt_free(p);
	return s != LDNS_STATUS_OK || *len < MSG_HDR_LEN ? -1 : 0;
}

static void
forward_loop_close(struct forward_upstream *u)
{
	forward_sock_close(&u->loop_fd, &u->loop_ev);
}

/* The upstream answered its probe. A real answer (NOERROR, NXDOMAIN) to a
 * probe that did not come back to us first shows that the upstream does
 * not loop (any more): in a loop, dnsd refuses the probe, and the answer is
 * an error. */
static void
forward_loop_answer(evutil_socket_t fd, short what, void *arg)
{
	struct forward_upstream *u = arg;
	uint8_t hdr[MSG_HDR_LEN];
	(void)what;
	ssize_t n = recv(fd, hdr, sizeof hdr, 0); /* the rest is discarded */
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n >= 0 && (n < MSG_HDR_LEN || LDNS_ID_WIRE(hdr) != u->loop_id || !LDNS_QR_WIRE(hdr)))
		return; /* not the answer: wait for it */
	u->loop_answered = n >= 0;
	if (n >= 0 && u->looping && !u->loop_seen &&
	    (LDNS_RCODE_WIRE(hdr) == LDNS_RCODE_NOERROR ||
	     LDNS_RCODE_WIRE(hdr) == LDNS_RCODE_NXDOMAIN)) {
		log_info("upstream %s no longer loops back to dnsd: using it again", u->name);
		u->looping = false;
	}
	forward_loop_close(u);
}

/* Send upstream k a probe under a fresh random name; its socket stays open
 * until the answer or the next probe. */
static void
forward_loop_probe(struct forward *f, int k)
{
	static const char hex[] = "0123456789abcdef";
	struct forward_upstream *u = &f->up[k];
	struct msg_query q = {.has_question = true,
	                      .qtype = LDNS_RR_TYPE_TXT,
	                      .qclass = LDNS_RR_CLASS_IN,
	                      .qname_len = FORWARD_LOOP_NAME_LEN};
	uint8_t rnd[8], *wire = NULL;
	size_t len;
	forward_loop_close(u);
	u->loop_sent = clock_mono_ms();
	if (rand_bytes(rnd, sizeof rnd) < 0)
		return;
	u->loop_name[0] = 2 * sizeof rnd;
	for (size_t i = 0; i < sizeof rnd; i++) {
		u->loop_name[1 + 2 * i] = (uint8_t)hex[rnd[i] >> 4];
		u->loop_name[2 + 2 * i] = (uint8_t)hex[rnd[i] & 15];
	}
	/* The suffix's terminating NUL is the root label. */
	memcpy(u->loop_name + 1 + 2 * sizeof rnd, FORWARD_LOOP_SUFFIX, sizeof FORWARD_LOOP_SUFFIX);
	u->loop_seen = u->loop_answered = false;
	memcpy(q.qname, u->loop_name, FORWARD_LOOP_NAME_LEN);
	if (forward_wire(&q, &wire, &len) < 0)
		return;
	u->loop_id = rand_u16();
	ldns_write_uint16(wire, u->loop_id);
	if (forward_sock_send(f, &u->addr, forward_loop_answer, u, wire, len, &u->loop_fd,
	                      &u->loop_ev) < 0) {
		log_debug("upstream %s: loop probe: %s", u->name, strerror(errno));
		forward_loop_close(u);
	}
	free(wire);
}

/* Every probe_interval: probe the upstreams that loop (to see whether they
 * stopped) or did not answer the last probe, and every upstream not probed
 * for FORWARD_LOOP_RECHECK_S. */
static void
forward_loop_round(evutil_socket_t fd, short what, void *arg)
{
	struct forward *f = arg;
	long long now = clock_mono_ms();
	(void)fd;
	(void)what;
	for (int k = 0; k < f->nup; k++) {
		struct forward_upstream *u = &f->up[k];
		if (u->looping || !u->loop_answered ||
		    now - u->loop_sent >= FORWARD_LOOP_RECHECK_S * 1000LL)
			forward_loop_probe(f, k);
	}
	struct timeval tv = {(time_t)f->probe_s, 0};
	evtimer_add(f->loop_timer, &tv);
}

bool
forward_loop_seen(struct forward *f, const struct msg_query *q, const struct netaddr *from)
{
	if (q->qtype != LDNS_RR_TYPE_TXT || q->qname_len != FORWARD_LOOP_NAME_LEN)
		return false;
	for (int k = 0; k < f->nup; k++) {
		struct forward_upstream *u = &f->up[k];
		if (memcmp(q->key, u->loop_name, FORWARD_LOOP_NAME_LEN) != 0)
			continue;
		char host[NETADDR_STRLEN];
		if (!u->looping)
			log_warnx(
			    "forwarding loop: upstream %s sends dnsd's queries back to it (a "
			    "probe came back from %s); not asking it until a probe does not come "
			    "back",
			    u->name, netaddr_str(from, host));
		u->looping = true;
		u->loop_seen = true;
		return true;
	}
	return false;
}

int
forward_query(struct forward *f, const struct msg_query *q, forward_done_cb done, void *arg)
{
	if (f->nup == 0 || f->st.outstanding >= f->max_outstanding)
		return -1;
	/* Every upstream twice at most: an upstream that fails at once must
	 * not turn the budget into a busy loop. */
	unsigned maxtries = 2u * (unsigned)f->nup;
	struct forward_query *fq = calloc(1, sizeof *fq + maxtries * sizeof fq->tries[0]);
	if (fq == NULL)
		return -1;
	fq->f = f;
	fq->q = *q;
	fq->done = done;
	fq->arg = arg;
	fq->maxtries = maxtries;
	fq->tcp_up = -1;
	fq->deadline = clock_mono_ms() + f->budget_ms;
	fq->timer = evtimer_new(f->base, forward_timeout, fq);
	if (fq->timer == NULL || forward_wire(&fq->q, &fq->wire, &fq->wire_len) < 0) {
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
	if (f->nup == 0)
		forward_arm(fq, 0); /* SERVFAIL, from the loop */
	else
		forward_next(fq);
	return 0;
}

static int
forward_query_cb(void *ctx, const struct msg_query *q, forward_done_cb done, void *arg)
{
	return forward_query(ctx, q, done, arg);
}

static bool
forward_loop_seen_cb(void *ctx, const struct msg_query *q, const struct netaddr *from)
{
	return forward_loop_seen(ctx, q, from);
}

struct forwarder
forward_forwarder(struct forward *f)
{
	return (struct forwarder){forward_query_cb, forward_loop_seen_cb, f};
}

void
forward_get_stats(const struct forward *f, struct forward_stats *st)
{
	long long now = clock_mono_ms();
	*st = f->st;
	st->nupstream = f->nup;
	for (int i = 0; i < f->nup; i++) {
		snprintf(st->up[i].addr, sizeof st->up[i].addr, "%s", f->up[i].name);
		st->up[i].down = f->up[i].down_until > now;
		st->up[i].looping = f->up[i].looping;
		st->up[i].fails = f->up[i].fails;
		st->up[i].measured = f->up[i].rto.measured;
		st->up[i].srtt_ms = f->up[i].rto.measured ? f->up[i].rto.srtt : 0;
		st->up[i].timeout_ms = f->up[i].rto.timeout;
	}
}
