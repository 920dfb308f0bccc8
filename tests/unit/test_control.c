/* Unit tests for the control protocol: commands, errors for garbage, and
 * a real socket round trip with a mode-0660 socket file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"

static int
echo_cmd(const char *args, struct evbuffer *out, void *arg)
{
	(void)arg;
	if (strcmp(args, "fail") == 0) {
		evbuffer_add_printf(out, "echo: asked to fail\n");
		return -1;
	}
	evbuffer_add_printf(out, "[%s]\n", args);
	return 0;
}

static char *
run(struct control *c, const char *line)
{
	static char buf[4096];
	struct evbuffer *out = evbuffer_new();
	control_dispatch(c, line, out);
	size_t n = evbuffer_remove(out, buf, sizeof buf - 1);
	buf[n] = '\0';
	evbuffer_free(out);
	return buf;
}

/* Send req on a new connection to sock and run the loop until a whole
 * line of answer arrived; the answer is left in buf. */
static void
roundtrip(struct event_base *base, const char *sock, const char *req, size_t len, char *buf,
          size_t cap)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t got = 0;
	strcpy(sun.sun_path, sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	assert_int_equal(write(fd, req, len), (ssize_t)len);
	shutdown(fd, SHUT_WR); /* as socat and dnsdctl do after their request */
	memset(buf, 0, cap);
	for (int i = 0; i < 1000000 && !strchr(buf, '\n'); i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		ssize_t r = recv(fd, buf + got, cap - 1 - got, MSG_DONTWAIT);
		if (r > 0)
			got += (size_t)r;
	}
	close(fd);
}

static void
test_commands_answer_ok_or_error(void **state)
{
	(void)state;
	char path[] = "/tmp/test_control.XXXXXX";
	assert_non_null(mkdtemp(path));
	char sock[64];
	snprintf(sock, sizeof sock, "%s/ctl", path);
	struct event_base *base = event_base_new();
	char err[256];
	struct control *c = control_new(base, sock, err, sizeof err);
	assert_non_null(c);
	assert_int_equal(control_add(c, "echo", echo_cmd, NULL), 0);
	assert_string_equal(run(c, "echo  a b"), "ok\n[a b]\n");
	assert_string_equal(run(c, "echo"), "ok\n[]\n");
	assert_string_equal(run(c, "echo fail"), "error: echo: asked to fail\n");
	assert_string_equal(run(c, "nonsense"), "error: unknown command 'nonsense' (try help)\n");
	assert_string_equal(run(c, ""), "error: expected a command (try help)\n");
	assert_string_equal(run(c, "echo \x1b[2J"), "error: control characters in the request\n");
	assert_string_equal(run(c, "help"), "ok\ncommands: help echo\n");

	struct stat st;
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);

	/* a real connection: request, answer, close */
	char buf[64];
	roundtrip(base, sock, "echo hi\n", 8, buf, sizeof buf);
	assert_string_equal(buf, "ok\n[hi]\n");
	/* a request cut short by EOF, without its newline, is still answered */
	roundtrip(base, sock, "echo eof", 8, buf, sizeof buf);
	assert_string_equal(buf, "ok\n[eof]\n");
	control_free(c);
	assert_int_not_equal(stat(sock, &st), 0);
	event_base_free(base);
	rmdir(path);
}

static void
test_overlong_request_is_refused(void **state)
{
	(void)state;
	char path[] = "/tmp/test_control.XXXXXX", sock[64], buf[128] = "";
	assert_non_null(mkdtemp(path));
	snprintf(sock, sizeof sock, "%s/ctl", path);
	struct event_base *base = event_base_new();
	struct control *c = control_new(base, sock, buf, sizeof buf);
	assert_non_null(c);
	char junk[4000];
	memset(junk, 'x', sizeof junk);
	roundtrip(base, sock, junk, sizeof junk, buf, sizeof buf);
	assert_string_equal(buf, "error: request too long\n");
	control_free(c);
	event_base_free(base);
	rmdir(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commands_answer_ok_or_error),
	    cmocka_unit_test(test_overlong_request_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
