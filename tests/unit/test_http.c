/* Unit tests for dnsd/http.c's access rules without sockets: the token in
 * Bearer and basic auth, and http_handle's order of checks (allow list,
 * method, token, path) on a server that binds nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

#define TOKEN "unit-token-0123456789"

static void
test_token_bearer_and_basic(void **state)
{
	(void)state;
	assert_true(http_token_ok(NULL, NULL));
	assert_true(http_token_ok("anything", NULL));
	assert_false(http_token_ok(NULL, TOKEN));
	assert_true(http_token_ok("Bearer " TOKEN, TOKEN));
	assert_true(http_token_ok("bearer " TOKEN, TOKEN));
	assert_false(http_token_ok("Bearer " TOKEN "x", TOKEN));
	assert_false(http_token_ok("Bearer unit-token-012345678", TOKEN));
	assert_false(http_token_ok("Bearer ", TOKEN));
	assert_false(http_token_ok(TOKEN, TOKEN));
	/* "admin:unit-token-0123456789" and "admin:wrong" */
	assert_true(http_token_ok("Basic YWRtaW46dW5pdC10b2tlbi0wMTIzNDU2Nzg5", TOKEN));
	assert_false(http_token_ok("Basic YWRtaW46d3Jvbmc=", TOKEN));
	/* no colon, bad characters, the token then a NUL and more */
	assert_false(http_token_ok("Basic dW5pdC10b2tlbi0wMTIzNDU2Nzg5", TOKEN));
	assert_false(http_token_ok("Basic !!!!", TOKEN));
	assert_false(http_token_ok("Basic YTp1bml0LXRva2VuLTAxMjM0NTY3ODkAeA==", TOKEN));
}

static void
handle(const struct http *h, const char *peer, const char *method, const char *uri,
       const char *auth, struct http_reply *r)
{
	struct http_request rq = {.method = method, .uri = uri, .authorization = auth};
	struct evbuffer *out = evbuffer_new();
	assert_non_null(out);
	assert_int_equal(netaddr_parse(&rq.peer, peer), 0);
	http_handle(h, &rq, out, r);
	assert_true(evbuffer_get_length(out) > 0);
	evbuffer_free(out);
}

static void
test_handle_checks_in_order(void **state)
{
	(void)state;
	struct event_base *base = event_base_new();
	struct config c = {0};
	struct cache *cache = NULL;
	struct forward *fwd = NULL;
	struct query_ctx *qc = NULL;
	struct listen *listen = NULL;
	struct livepolicy *phase = NULL;
	struct hostlog *hl = NULL;
	struct ctlcmd_src src = {
	    .cache = &cache, .fwd = &fwd, .qc = &qc, .listen = &listen, .phase = &phase, .hl = &hl};
	struct http_reply r;
	char err[256];
	c.http.token = TOKEN;
	c.http.max_connections = 2;
	c.http.timeout_s = 1;
	c.http.max_header = 1024;
	c.http.refresh_s = 5;
	cidr_parse(&c.http.allow[0], "127.0.0.1");
	c.http.nallow = 1;
	struct http *h = http_new(base, &c.http, &src, err, sizeof err);
	assert_non_null(h);

	handle(h, "127.0.0.2", "GET", "/metrics", "Bearer " TOKEN, &r);
	assert_true(r.refused);
	assert_int_equal(r.code, 403);
	handle(h, "127.0.0.1", "POST", "/metrics", NULL, &r);
	assert_int_equal(r.code, 405);
	assert_string_equal(r.allow, "GET, HEAD");
	handle(h, "127.0.0.1", "GET", "/metrics", NULL, &r);
	assert_int_equal(r.code, 401);
	assert_true(r.challenge);
	handle(h, "127.0.0.1", "GET", "/metrics", "Bearer " TOKEN, &r);
	assert_int_equal(r.code, 200);
	assert_false(r.refused);
	handle(h, "127.0.0.1", "HEAD", "/api/status?x=1", "Bearer " TOKEN, &r);
	assert_int_equal(r.code, 200);
	assert_string_equal(r.content_type, "application/json");
	handle(h, "127.0.0.1", "GET", "/metricsx", "Bearer " TOKEN, &r);
	assert_int_equal(r.code, 404);
	handle(h, "127.0.0.1", "GET", "*", "Bearer " TOKEN, &r);
	assert_int_equal(r.code, 400);
	http_free(h);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_token_bearer_and_basic),
	    cmocka_unit_test(test_handle_checks_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
