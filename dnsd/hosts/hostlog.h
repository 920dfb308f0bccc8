/* The door of dnsd/hosts/, the per-host side, as the daemon wires it: from
 * the "hosts" and "log" config groups it builds the lease reader, the
 * neighbour cache, the event log and the host table. The query pipeline asks it who a client really
 * is and tells it what that client asked; the control socket reads it. */
#ifndef DNSD_HOSTLOG_H
#define DNSD_HOSTLOG_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>

#include "clientid.h"
#include "config.h"
#include "control.h"
#include "hostreport.h"
#include "policy.h"

struct hostlog;

/* base is borrowed. NULL with err filled when out of memory. */
struct hostlog *hostlog_new(const struct config *c, struct event_base *base, char *err,
                            size_t errlen);
/* Reload: new log settings, lease paths, forwarders. Table sizes and the
 * state file change only on restart. -1 (old settings kept) when out of
 * memory. */
int hostlog_configure(struct hostlog *hl, const struct config *c, char *err, size_t errlen);
/* Saves the table and writes the pending summaries first. */
void hostlog_free(struct hostlog *hl);

/* The real client of the query q (parsed; NULL: none) from src: EDNS
 * options when src is a trusted forwarder, the MAC from the neighbour table
 * otherwise. */
void hostlog_identify(struct hostlog *hl, const struct netaddr *src, const struct msg_query *q,
                      struct client *ci);
/* Record a query whose decision has a category (qname in wire format). */
void hostlog_record(struct hostlog *hl, const struct client *ci, const uint8_t *qname,
                    size_t qname_len, uint16_t qtype, const struct policy_decision *d);

/* Lines for dnsdctl status: the table and the event log. */
void hostlog_status(const struct hostlog *hl, struct evbuffer *out);
/* The host table and the event log, for the HTTP pages and the metrics;
 * borrowed until the next hostlog_configure or hostlog_free. They are read
 * through hosts.h, eventlog.h and hostreport.h, which this header brings:
 * outside dnsd/hosts/ nothing else of the room is included. */
const struct hosts *hostlog_hosts(const struct hostlog *hl);
const struct eventlog *hostlog_eventlog(const struct hostlog *hl);
/* "hosts" and "host" commands on c; hl must outlive c. */
int hostlog_register(struct hostlog *hl, struct control *c);

#endif
