/* The Prometheus metrics: the text exposition format (version 0.0.4) of the
 * daemon's counters, for /metrics and for a textfile that
 * prometheus-node-exporter(-lua) reads. Bounded: labels are categories,
 * actions, upstreams and the phase, never hosts. Names: docs/logs.md. */
#ifndef DNSD_METRICS_H
#define DNSD_METRICS_H

#include <event2/buffer.h>
#include <event2/event.h>

#include "ctlcmd.h"

struct metrics_file;

/* Append every metric to out; src as for the control commands. */
void metrics_write(const struct ctlcmd_src *src, struct evbuffer *out);

/* Rewrite path (temp file + rename, so a reader never sees half of it)
 * now and every interval seconds. base and src are borrowed for the life
 * of the writer. NULL when out of memory. */
struct metrics_file *metrics_file_new(struct event_base *base, const char *path, unsigned interval,
                                      const struct ctlcmd_src *src);
/* Take a reloaded path and interval. */
void metrics_file_configure(struct metrics_file *m, const char *path, unsigned interval);
void metrics_file_free(struct metrics_file *m);
/* Write the file now; 0, or -1 with errno (logged by the timer). */
int metrics_file_write(struct metrics_file *m);

#endif
