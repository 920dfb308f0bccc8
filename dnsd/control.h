/* The control socket: a unix stream socket (mode 0660) speaking one line
 * per connection. The client sends "COMMAND [ARGS]\n" (at most
 * CONTROL_LINE_MAX bytes); the daemon answers "ok\n" and the output, or
 * "error: MESSAGE\n", then closes. Commands are registered by the
 * subsystems that own the data; garbage gets an error, never a crash. */
#ifndef DNSD_CONTROL_H
#define DNSD_CONTROL_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <stddef.h>

#define CONTROL_LINE_MAX 1024
#define CONTROL_CONN_MAX 16
#define CONTROL_TIMEOUT_SECS 10
#define CONTROL_MAX_COMMANDS 32

struct control;

/* Writes the answer body to out; returns 0, or -1 with a one-line error
 * message in out. args is "" when none; both borrowed for the call. */
typedef int (*control_fn)(const char *args, struct evbuffer *out, void *arg);

/* 0 when path is free or holds a stale socket (nobody accepts on it); -1
 * with err filled when a process answers there or it is not a socket. */
int control_check(const char *path, char *err, size_t errlen);
/* Bind path (a stale socket there is replaced; a live one or any other file
 * is an error, and left alone). base is borrowed. NULL with err filled on
 * failure. */
struct control *control_new(struct event_base *base, const char *path, char *err, size_t errlen);
/* Unlinks the socket and closes open connections. */
void control_free(struct control *c);
/* cmd is borrowed for the life of c. -1 when the table is full. */
int control_add(struct control *c, const char *cmd, control_fn fn, void *arg);

/* Run one request line as a connection would (tests, and dnsd itself). */
void control_dispatch(struct control *c, const char *line, struct evbuffer *out);

#endif
