/* Control socket (see control.h): libevent's listener and bufferevents;
 * each connection reads one bounded line, runs one command, writes, closes. */
#include "control.h"

#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

struct control_cmd {
	const char *name;
	control_fn fn;
	void *arg;
};

struct control_conn {
	LIST_ENTRY(control_conn) entry;
	struct control *c;
	struct bufferevent *bev;
};

struct control {
	struct evconnlistener *listener;
	char *path;
	struct control_cmd cmds[CONTROL_MAX_COMMANDS];
	int ncmds;
	int nconns;
	LIST_HEAD(, control_conn) conns;
};

int
control_add(struct control *c, const char *cmd, control_fn fn, void *arg)
{
	if (c->ncmds >= CONTROL_MAX_COMMANDS)
		return -1;
	c->cmds[c->ncmds++] = (struct control_cmd){cmd, fn, arg};
	return 0;
}

static void
help(const struct control *c, struct evbuffer *out)
{
	evbuffer_add_printf(out, "commands: help");
	for (int i = 0; i < c->ncmds; i++)
		evbuffer_add_printf(out, " %s", c->cmds[i].name);
	evbuffer_add_printf(out, "\n");
}

void
control_dispatch(struct control *c, const char *line, struct evbuffer *out)
{
	char word[64];
	size_t n = strcspn(line, " \t");
	const char *args = line + n + strspn(line + n, " \t");
	for (const char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t') {
			evbuffer_add_printf(out, "error: control characters in the request\n");
			return;
		}
	if (n == 0 || n >= sizeof word) {
		evbuffer_add_printf(out, "error: expected a command (try help)\n");
		return;
	}
	memcpy(word, line, n);
	word[n] = '\0';
	if (strcmp(word, "help") == 0) {
		evbuffer_add_printf(out, "ok\n");
		help(c, out);
		return;
	}
	for (int i = 0; i < c->ncmds; i++) {
		if (strcmp(word, c->cmds[i].name) != 0)
			continue;
		struct evbuffer *body = evbuffer_new();
		if (!body) {
			evbuffer_add_printf(out, "error: out of memory\n");
			return;
		}
		int rc = c->cmds[i].fn(args, body, c->cmds[i].arg);
		evbuffer_add_printf(out, rc == 0 ? "ok\n" : "error: ");
		evbuffer_add_buffer(out, body);
		evbuffer_free(body);
		return;
	}
	evbuffer_add_printf(out, "error: unknown command '%.40s' (try help)\n", word);
}

static void
conn_free(struct control_conn *cc)
{
	LIST_REMOVE(cc, entry);
	cc->c->nconns--;
	bufferevent_free(cc->bev);
	free(cc);
}

static void
conn_discard(struct bufferevent *bev, void *arg)
{
	(void)arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	evbuffer_drain(in, evbuffer_get_length(in));
}

static void
conn_closed(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	conn_free(arg);
}

/* The reply is out: half-close and discard what the client still sends until
 * it closes (or the timeout), so a client still writing an overlong request
 * reads the error instead of a reset. */
static void
conn_written(struct bufferevent *bev, void *arg)
{
	shutdown(bufferevent_getfd(bev), SHUT_WR);
	conn_discard(bev, arg);
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	bufferevent_setcb(bev, conn_discard, NULL, conn_closed, arg);
	bufferevent_enable(bev, EV_READ);
}

/* line NULL: answer with the error instead. */
static void
conn_reply(struct control_conn *cc, const char *line, const char *error)
{
	struct evbuffer *out = bufferevent_get_output(cc->bev);
	if (line)
		control_dispatch(cc->c, line, out);
	else
		evbuffer_add_printf(out, "error: %s\n", error);
	bufferevent_disable(cc->bev, EV_READ);
	bufferevent_setcb(cc->bev, NULL, conn_written, conn_closed, cc);
}

static void
conn_line(struct control_conn *cc, const char *line, size_t n)
{
	if (n > CONTROL_LINE_MAX)
		conn_reply(cc, NULL, "request too long");
	else if (strlen(line) != n)
		conn_reply(cc, NULL, "NUL byte in the request");
	else
		conn_reply(cc, line, NULL);
}

static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct control_conn *cc = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n;
	char *line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);
	if (line)
		conn_line(cc, line, n);
	else if (evbuffer_get_length(in) > CONTROL_LINE_MAX)
		conn_reply(cc, NULL, "request too long");
	free(line);
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct control_conn *cc = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n = evbuffer_get_length(in);
	/* a request without its newline: answer it once the client half-closes */
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) && n > 0 && n <= CONTROL_LINE_MAX) {
		char line[CONTROL_LINE_MAX + 1];
		evbuffer_remove(in, line, n);
		line[n] = '\0';
		conn_line(cc, line, n);
		return;
	}
	conn_free(cc);
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	struct control *c = arg;
	(void)l;
	(void)sa;
	(void)len;
	if (c->nconns >= CONTROL_CONN_MAX) {
		static const char busy[] = "error: busy\n";
		if (write(fd, busy, sizeof busy - 1) < 0)
			log_debug("control: %s", strerror(errno));
		close(fd);
		return;
	}
	struct control_conn *cc = calloc(1, sizeof *cc);
	struct bufferevent *bev =
	    bufferevent_socket_new(evconnlistener_get_base(l), fd, BEV_OPT_CLOSE_ON_FREE);
	if (!cc || !bev) {
		free(cc);
		if (bev)
			bufferevent_free(bev);
		else
			close(fd);
		return;
	}
	cc->c = c;
	cc->bev = bev;
	LIST_INSERT_HEAD(&c->conns, cc, entry);
	c->nconns++;
	struct timeval tv = {CONTROL_TIMEOUT_SECS, 0};
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_setwatermark(bev, EV_READ, 0, CONTROL_LINE_MAX + 2);
	bufferevent_setcb(bev, conn_read, NULL, conn_event, cc);
	bufferevent_enable(bev, EV_READ);
}

int
control_check(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return -1;
	}
	if (lstat(path, &st) == -1)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	/* Non-blocking: a live dnsd with a full backlog answers EAGAIN. */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -1;
	}
	int rc = connect(fd, (struct sockaddr *)&sun, sizeof sun), e = errno;
	close(fd);
	if (rc == -1 && (e == ECONNREFUSED || e == ENOENT))
		return 0; /* stale: its process is gone */
	if (rc == 0 || e == EAGAIN)
		snprintf(err, errlen,
		         "control socket %s: another process (another dnsd?) answers "
		         "there: not starting",
		         path);
	else
		snprintf(err, errlen, "control socket %s: cannot tell whether it is in use: %s",
		         path, strerror(e));
	return -1;
}

static int
bind_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (control_check(path, err, errlen) < 0)
		return -1;
	if (unlink(path) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -1;
	}
	mode_t old = umask(0117);
	int rc = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (rc == -1 || chmod(path, 0660) == -1 || listen(fd, 16) == -1) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct control *
control_new(struct event_base *base, const char *path, char *err, size_t errlen)
{
	struct control *c = calloc(1, sizeof *c);
	if (!c || !(c->path = strdup(path))) {
		snprintf(err, errlen, "control: out of memory");
		free(c);
		return NULL;
	}
	LIST_INIT(&c->conns);
	int fd = bind_unix(path, err, errlen);
	if (fd == -1) {
		free(c->path);
		free(c);
		return NULL;
	}
	c->listener = evconnlistener_new(base, accept_cb, c, LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (!c->listener) {
		snprintf(err, errlen, "control: cannot listen on %s", path);
		close(fd);
		control_free(c);
		return NULL;
	}
	return c;
}

void
control_free(struct control *c)
{
	if (!c)
		return;
	while (!LIST_EMPTY(&c->conns))
		conn_free(LIST_FIRST(&c->conns));
	if (c->listener) {
		evconnlistener_free(c->listener);
		unlink(c->path);
	}
	free(c->path);
	free(c);
}
