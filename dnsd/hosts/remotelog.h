/* The event log's remote collector: RFC 5424 records over UDP (one
 * datagram each, on a connected socket) or TCP (RFC 6587 octet counting,
 * at most 64 KiB queued, reconnecting every 5 s after a loss). */
#ifndef DNSD_REMOTELOG_H
#define DNSD_REMOTELOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <event2/event.h>

struct remotelog {
	bool opened;
	bool use_tcp;     /* else UDP */
	const char *host; /* numeric address; borrowed: outlives the remotelog */
	int port;
	int facility;
	struct event_base *base; /* NULL: UDP only (tests) */
	int udp;                 /* -1 when none */
	struct bufferevent *tcp;
	bool tcp_up;
	struct event *retry;
	char myname[256]; /* the HOSTNAME field */
};

/* Connects to the collector at host and port; records carry the syslog
 * facility number. base is borrowed. Failures are not fatal: UDP records
 * are dropped, TCP keeps retrying. */
void remotelog_open(struct remotelog *r, bool tcp, const char *host, int port, int facility,
                    struct event_base *base);
/* One record of event kind for a JSON line of len bytes (newline included).
 * 0, or -1 when not connected or the queue is full (errno set when a
 * system call failed, else 0). */
int remotelog_send(struct remotelog *r, const char *kind, time_t t, const char *json, size_t len);
/* TCP: connected; UDP: always. */
bool remotelog_up(const struct remotelog *r);
/* Hands the queued TCP records over as far as the socket takes them now.
 * Safe on a zeroed, never opened remotelog. */
void remotelog_close(struct remotelog *r);

#endif
