/* The HTTP server (see http.h): sockets and evhttp, the connection bound,
 * the access checks and the router. Pages are http_pages.c's, metrics
 * metrics.c's, the JSON the control commands' writers. */
#include "http.h"

#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctlcmd.h"
#include "hosts/hostlog.h"
#include "http_pages.h"
#include "log.h"
#include "metrics.h"

#define HTTP_SWEEP_S 1     /* how often closed connections are counted out */
#define HTTP_AUTH_MAX 1024 /* bytes of an Authorization header we look at */

struct http {
	struct event_base *base;
	const struct ctlcmd_src *src;
	struct evhttp *eh;
	struct evhttp_bound_socket *bound[CONFIG_MAX_HTTP_LISTEN];
	int nbound;
	bool paused; /* listeners disabled: max_connections reached */
	char *token;
	struct cidr allow[CONFIG_MAX_ALLOW];
	int nallow;
	unsigned refresh_s;
	/* The open connections' bufferevents, each with a reference of ours:
	 * evhttp frees a connection by clearing its callbacks and dropping its
	 * reference, so one whose callbacks are all NULL is closed when we
	 * drop ours. libevent 2.1 has no connection limit of its own. */
	struct bufferevent **conn;
	unsigned nconn, max_conn;
	struct event *sweep;
};

/* Standard base64 (RFC 4648) into out, NUL-terminated; -1 when invalid or
 * too long. */
static int
http_base64_decode(const char *in, char *out, size_t cap)
{
	unsigned acc = 0, bits = 0;
	size_t n = 0;
	for (; *in && *in != '='; in++) {
		const char *set =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		const char *p = strchr(set, *in);
		if (!p)
			return -1;
		acc = (acc << 6) | (unsigned)(p - set);
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (n + 1 >= cap)
				return -1;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	while (*in == '=')
		in++;
	if (*in || memchr(out, '\0', n))
		return -1;
	out[n] = '\0';
	return 0;
}

bool
http_token_ok(const char *authorization, const char *token)
{
	char decoded[HTTP_AUTH_MAX];
	const char *given = NULL;
	if (!token)
		return true;
	if (!authorization || strlen(authorization) >= HTTP_AUTH_MAX)
		return false;
	if (strncasecmp(authorization, "Bearer ", 7) == 0)
		given = authorization + 7;
	else if (strncasecmp(authorization, "Basic ", 6) == 0 &&
	         http_base64_decode(authorization + 6, decoded, sizeof decoded) == 0 &&
	         (given = strchr(decoded, ':')))
		given++; /* any user name, the token as password */
	if (!given)
		return false;
	size_t lt = strlen(token), lg = strlen(given);
	unsigned char diff = lt != lg;
	for (size_t i = 0; i < lt; i++) /* as long for every guess */
		diff |= (unsigned char)(token[i] ^ (i < lg ? given[i] : 0));
	return diff == 0;
}

static bool
http_allowed(const struct http *h, const struct netaddr *peer)
{
	for (int i = 0; i < h->nallow; i++)
		if (cidr_contains(&h->allow[i], peer))
			return true;
	return false;
}

static int
http_hex(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

/* The percent-decoded path segment s (up to '?' or the end) into out;
 * -1 when too long, malformed, or it holds control bytes or '/'. */
static int
http_decode_key(const char *s, char out[HTTP_KEY_MAX])
{
	size_t n = 0;
	for (; *s && *s != '?'; s++) {
		int c = (unsigned char)*s;
		if (c == '%') {
			int hi = http_hex(s[1]), lo = hi < 0 ? -1 : http_hex(s[2]);
			if (lo < 0)
				return -1;
			c = hi * 16 + lo;
			s += 2;
		}
		if (c < 0x20 || c == 0x7f || c == '/' || n + 1 >= HTTP_KEY_MAX)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return n ? 0 : -1;
}

/* Whether the path of uri (before any query) is exactly p. */
static bool
http_path_is(const char *uri, const char *p)
{
	size_t n = strlen(p);
	return strncmp(uri, p, n) == 0 && (uri[n] == '\0' || uri[n] == '?');
}

static void
http_error(struct http_reply *r, struct evbuffer *out, int code, const char *reason)
{
	r->code = code;
	r->reason = reason;
	r->content_type = "text/plain; charset=utf-8";
	evbuffer_add_printf(out, "%d %s\n", code, reason);
}

static void
http_route(const struct http *h, const char *uri, struct evbuffer *out, struct http_reply *r)
{
	const struct hosts *hosts = *h->src->hl ? hostlog_hosts(*h->src->hl) : NULL;
	char key[HTTP_KEY_MAX];
	r->code = 200;
	r->reason = "OK";
	r->content_type = "application/json";
	if (http_path_is(uri, "/metrics")) {
		r->content_type = "text/plain; version=0.0.4; charset=utf-8";
		metrics_write(h->src, out);
	} else if (http_path_is(uri, "/api/status"))
		ctlcmd_status_json(h->src, out);
	else if (http_path_is(uri, "/api/hosts") && hosts)
		hostreport_hosts(hosts, HOSTREPORT_JSON, false, time(NULL), out);
	else if (strncmp(uri, "/api/host/", 10) == 0 && hosts) {
		if (http_decode_key(uri + 10, key) < 0)
			http_error(r, out, 400, "Bad Request");
		else if (hostreport_host_json(hosts, key, out) < 0)
			http_error(r, out, 404, "Not Found");
	} else if (http_path_is(uri, "/")) {
		r->content_type = "text/html; charset=utf-8";
		http_page_index(h->src, h->refresh_s, out);
	} else if (strncmp(uri, "/host/", 6) == 0 && hosts) {
		r->content_type = "text/html; charset=utf-8";
		if (http_decode_key(uri + 6, key) < 0)
			http_error(r, out, 400, "Bad Request");
		else if (http_page_host(h->src, key, h->refresh_s, out) < 0)
			http_error(r, out, 404, "Not Found");
	} else
		http_error(r, out, 404, "Not Found");
}

void
http_handle(const struct http *h, const struct http_request *rq, struct evbuffer *out,
            struct http_reply *r)
{
	*r = (struct http_reply){0};
	if (!http_allowed(h, &rq->peer)) {
		r->refused = true;
		http_error(r, out, 403, "Forbidden");
	} else if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0) {
		http_error(r, out, 405, "Method Not Allowed");
		r->allow = "GET, HEAD";
	} else if (!http_token_ok(rq->authorization, h->token)) {
		http_error(r, out, 401, "Unauthorized");
		r->challenge = true;
	} else if (rq->uri[0] != '/')
		http_error(r, out, 400, "Bad Request");
	else
		http_route(h, rq->uri, out, r);
}

static const char *
http_method_name(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_OPTIONS:
		return "OPTIONS";
	case EVHTTP_REQ_TRACE:
		return "TRACE";
	case EVHTTP_REQ_CONNECT:
		return "CONNECT";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	}
	return "?";
}

static void
http_request_cb(struct evhttp_request *req, void *arg)
{
	struct http *h = arg;
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	const struct sockaddr *sa = evhttp_connection_get_addr(conn);
	struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
	struct http_request rq = {
	    .method = http_method_name(evhttp_request_get_command(req)),
	    .uri = evhttp_request_get_uri(req),
	    .authorization =
	        evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization"),
	};
	struct http_reply r;
	struct evbuffer *out = evbuffer_new();
	if (sa)
		netaddr_from_sockaddr(&rq.peer, sa);
	if (!out) {
		evhttp_send_error(req, 503, "Service Unavailable");
		return;
	}
	http_handle(h, &rq, out, &r);
	if (r.refused) {
		/* Not a byte to a peer outside the allow list: the socket is
		 * shut before evhttp writes, and evhttp then drops it. */
		shutdown(bufferevent_getfd(evhttp_connection_get_bufferevent(conn)), SHUT_RDWR);
		evhttp_connection_set_timeout(conn, 1);
	}
	evhttp_add_header(oh, "Content-Type", r.content_type);
	evhttp_add_header(oh, "Cache-Control", "no-store");
	evhttp_add_header(oh, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(oh, "Referrer-Policy", "no-referrer");
	evhttp_add_header(oh, "Content-Security-Policy",
	                  "default-src 'none'; style-src 'unsafe-inline'; "
	                  "script-src 'unsafe-inline'; connect-src 'self'; img-src data:; "
	                  "frame-ancestors 'none'");
	if (r.allow)
		evhttp_add_header(oh, "Allow", r.allow);
	if (r.challenge)
		evhttp_add_header(oh, "WWW-Authenticate",
		                  "Bearer realm=\"dnsd\", Basic realm=\"dnsd\"");
	evhttp_send_reply(req, r.code, r.reason, out);
	evbuffer_free(out);
}

static void
http_pause(struct http *h, bool pause)
{
	if (h->paused == pause)
		return;
	for (int i = 0; i < h->nbound; i++) {
		struct evconnlistener *l = evhttp_bound_socket_get_listener(h->bound[i]);
		if (pause)
			evconnlistener_disable(l);
		else
			evconnlistener_enable(l);
	}
	h->paused = pause;
	if (pause)
		log_warnx("http: %u connections open: not accepting more for now", h->nconn);
}

/* Drop our reference to the connections evhttp has freed. */
static void
http_sweep(struct http *h)
{
	for (unsigned i = 0; i < h->nconn;) {
		bufferevent_data_cb rd, wr;
		bufferevent_event_cb ev;
		void *arg;
		bufferevent_getcb(h->conn[i], &rd, &wr, &ev, &arg);
		if (rd || wr || ev) {
			i++;
			continue;
		}
		bufferevent_decref(h->conn[i]);
		h->conn[i] = h->conn[--h->nconn];
	}
	http_pause(h, h->nconn >= h->max_conn);
}

static void
http_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	http_sweep(arg);
}

/* evhttp asks for the bufferevent of each connection it accepts. */
static struct bufferevent *
http_bev_cb(struct event_base *base, void *arg)
{
	struct http *h = arg;
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	http_sweep(h);
	if (bev && h->nconn < h->max_conn) {
		bufferevent_incref(bev);
		h->conn[h->nconn++] = bev;
	}
	/* A listener may accept a few at once: pause now, not after. */
	http_pause(h, h->nconn >= h->max_conn);
	return bev;
}

static int
http_listen(struct http *h, const struct config_addr *a, char *err, size_t errlen)
{
	char name[NETADDR_STRLEN];
	struct netaddr na;
	int one = 1;
	netaddr_from_sockaddr(&na, (const struct sockaddr *)&a->ss);
	netaddr_str(&na, name);
	evutil_socket_t fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    (a->ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		snprintf(err, errlen, "http: %s port %u: %s", name,
		         ntohs(((const struct sockaddr_in *)&a->ss)->sin_port), strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct evconnlistener *l = evconnlistener_new(
	    h->base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16, fd);
	if (!l || !(h->bound[h->nbound] = evhttp_bind_listener(h->eh, l))) {
		snprintf(err, errlen, "http: %s: cannot listen", name);
		if (l)
			evconnlistener_free(l);
		else
			close(fd);
		return -1;
	}
	h->nbound++;
	return 0;
}

void
http_configure(struct http *h, const struct http_conf *c)
{
	free(h->token);
	h->token = c->token ? strdup(c->token) : NULL;
	if (c->token && !h->token)
		log_warnx("http: out of memory: the token stays unset, nothing is answered");
	memcpy(h->allow, c->allow, sizeof h->allow);
	h->nallow = c->token && !h->token ? 0 : c->nallow;
	h->refresh_s = c->refresh_s;
	evhttp_set_timeout(h->eh, (int)c->timeout_s);
	evhttp_set_max_headers_size(h->eh, (ev_ssize_t)c->max_header);
	evhttp_set_max_body_size(h->eh, 0); /* read-only: no request has a body */
}

struct http *
http_new(struct event_base *base, const struct http_conf *c, const struct ctlcmd_src *src,
         char *err, size_t errlen)
{
	struct http *h = calloc(1, sizeof *h);
	struct timeval every = {HTTP_SWEEP_S, 0};
	if (!h || !(h->conn = calloc(c->max_connections, sizeof *h->conn)) ||
	    !(h->eh = evhttp_new(base)) ||
	    !(h->sweep = event_new(base, -1, EV_PERSIST, http_sweep_cb, h)) ||
	    evtimer_add(h->sweep, &every) < 0) {
		snprintf(err, errlen, "http: out of memory");
		http_free(h);
		return NULL;
	}
	h->base = base;
	h->src = src;
	h->max_conn = c->max_connections;
	/* every method reaches the handler, which answers 405 itself */
	evhttp_set_allowed_methods(h->eh, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
	                                      EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	                                      EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	                                      EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(h->eh, http_request_cb, h);
	evhttp_set_bevcb(h->eh, http_bev_cb, h);
	http_configure(h, c);
	for (int i = 0; i < c->nlisten; i++)
		if (http_listen(h, &c->listen[i], err, errlen) < 0) {
			http_free(h);
			return NULL;
		}
	return h;
}

void
http_free(struct http *h)
{
	if (!h)
		return;
	if (h->eh)
		evhttp_free(h->eh); /* frees the listeners and connections */
	for (unsigned i = 0; i < h->nconn; i++)
		bufferevent_decref(h->conn[i]);
	if (h->sweep)
		event_free(h->sweep);
	free(h->conn);
	free(h->token);
	free(h);
}
