/* Fuzz harness for the HTTP server's request path (dnsd/http.c
 * http_handle: the allow list, the token in Bearer and basic auth, the
 * method, the router and the percent-decoding of /host/KEY, then the
 * pages, JSON and metrics it renders), against a daemon's worth of
 * subsystems. Input: a flags byte (bit 0: the peer is outside the allow
 * list, bit 1: no token is configured), then "METHOD URI\n" and the
 * Authorization header's value (absent when there is no newline).
 * The reply must be one the access rules allow. */
#include <assert.h>
#include <event2/buffer.h>

#include "fuzz.h"
#include "fuzz_daemon.h"
#include "http.h"

#define FUZZ_HTTP_MAX 4096 /* evhttp's own header bound is below this */
#define FUZZ_HTTP_TOKEN "fuzz-token-0123456789"

static struct http *fuzz_http_tok, *fuzz_http_open;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[CONFIG_ERR_MAX];
	struct config *c;

	(void)argc;
	(void)argv;
	fuzz_daemon_start("fuzz_http");
	/* No listen address: the servers bind nothing, requests go to
	 * http_handle. */
	c = fuzz_daemon.cfg;
	c->http.nlisten = 0;
	c->http.max_connections = 4;
	c->http.refresh_s = 10;
	cidr_parse(&c->http.allow[0], "127.0.0.0/8");
	c->http.nallow = 1;
	if ((fuzz_http_open =
	         http_new(fuzz_daemon.base, &c->http, &fuzz_daemon.src, err, sizeof err)) == NULL)
		abort();
	c->http.token = strdup(FUZZ_HTTP_TOKEN);
	if ((fuzz_http_tok =
	         http_new(fuzz_daemon.base, &c->http, &fuzz_daemon.src, err, sizeof err)) == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[FUZZ_HTTP_MAX + 1];
	struct http_request rq = {.method = "", .uri = ""};
	struct http_reply r;
	struct evbuffer *out;
	char *nl, *sp;
	bool outside, open;

	if (size < 1)
		return 0;
	outside = data[0] & 1;
	open = data[0] & 2;
	data++;
	size--;
	if (size > FUZZ_HTTP_MAX)
		size = FUZZ_HTTP_MAX;
	memcpy(buf, data, size);
	buf[size] = '\0'; /* evhttp hands over C strings */
	if ((nl = strchr(buf, '\n'))) {
		*nl = '\0';
		rq.authorization = nl + 1;
	}
	rq.method = buf;
	if ((sp = strchr(buf, ' '))) {
		*sp = '\0';
		rq.uri = sp + 1;
	}
	netaddr_parse(&rq.peer, outside ? "192.0.2.1" : "127.0.0.1");
	if ((out = evbuffer_new()) == NULL)
		abort();
	http_handle(open ? fuzz_http_open : fuzz_http_tok, &rq, out, &r);
	assert(r.content_type && r.reason && evbuffer_get_length(out) > 0);
	assert(r.refused == outside);
	if (outside)
		assert(r.code == 403);
	else if (strcmp(rq.method, "GET") != 0 && strcmp(rq.method, "HEAD") != 0)
		assert(r.code == 405 && r.allow);
	else if (!open && !http_token_ok(rq.authorization, FUZZ_HTTP_TOKEN))
		assert(r.code == 401 && r.challenge);
	else
		assert(r.code == 200 || r.code == 400 || r.code == 404);
	/* A token is never accepted without the token in it. */
	if (r.code == 200 && !open)
		assert(rq.authorization && (strstr(rq.authorization, FUZZ_HTTP_TOKEN) ||
		                            strncasecmp(rq.authorization, "Basic ", 6) == 0));
	evbuffer_free(out);
	return 0;
}
