/* The HTTP server (libevent's evhttp): the live hosts page, the JSON API
 * and the Prometheus metrics, read-only. Access: only peers in the http
 * allow list get an answer, a token (Bearer or basic auth password) when
 * one is configured, GET and HEAD only, bounded connections, headers and
 * time. Built only with HTTP=1 (the default); OpenWrt's libevent2-extra. */
#ifndef DNSD_HTTP_H
#define DNSD_HTTP_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "ctlcmd.h"
#include "netaddr.h"

#define HTTP_KEY_MAX 256 /* bytes of a decoded /host/KEY */

struct http;

/* One request as the access checks and the router see it; every pointer
 * is borrowed for the call. authorization is NULL when absent. */
struct http_request {
	const char *method;
	const char *uri;
	const char *authorization;
	struct netaddr peer;
};

struct http_reply {
	int code;
	const char *reason;
	const char *content_type;
	const char *allow; /* the Allow header of a 405, else NULL */
	bool challenge;    /* a 401: send WWW-Authenticate */
	bool refused;      /* the peer is not allowed: close, answer nothing */
};

/* Bind the listen addresses of c. base and src are borrowed for the life
 * of the server. NULL with err filled when a socket cannot be bound. */
struct http *http_new(struct event_base *base, const struct http_conf *c,
                      const struct ctlcmd_src *src, char *err, size_t errlen);
/* Take the token, allow list and limits of a reloaded config (the listen
 * addresses change only on restart). */
void http_configure(struct http *h, const struct http_conf *c);
void http_free(struct http *h);

/* The answer to one request: reply filled, the body appended to out. The
 * whole request path after evhttp's parsing (access, routing, decoding),
 * without sockets, so that the fuzz harness drives it. */
void http_handle(const struct http *h, const struct http_request *rq, struct evbuffer *out,
                 struct http_reply *reply);

/* The access part alone, for tests: whether authorization (NULL: absent)
 * carries token as "Bearer TOKEN" or basic auth with TOKEN as password. */
bool http_token_ok(const char *authorization, const char *token);

#endif
