/* The small pieces of JSON that the event log and the host reports write:
 * escaped strings and RFC 3339 UTC times. Output only; no parser. */
#ifndef DNSD_JSON_H
#define DNSD_JSON_H

#include <event2/buffer.h>
#include <time.h>

#define JSON_TIMELEN 21 /* "2024-07-20T04:00:00Z" + NUL */

/* Append s as a quoted, escaped JSON string; NULL becomes null. */
void json_str(struct evbuffer *b, const char *s);
/* Append ,"key":value pairs. */
void json_kv_str(struct evbuffer *b, const char *key, const char *s);
void json_kv_time(struct evbuffer *b, const char *key, time_t t);
/* RFC 3339 in UTC into buf; returns buf. */
const char *json_time(time_t t, char buf[JSON_TIMELEN]);

#endif
