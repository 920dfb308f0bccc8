/* Date-times in policy files: ISO 8601 with a UTC offset or "Z", or a local
 * date-time in an IANA zone read from the system's zoneinfo ($TZDIR or
 * /usr/share/zoneinfo), and printing instants in such a zone.
 * Works by switching TZ for the duration of a call: not thread-safe. */
#ifndef DNSD_TZTIME_H
#define DNSD_TZTIME_H

#include <stddef.h>
#include <time.h>

/* Accepted: "2024-07-20" (00:00), "2024-07-20 00:00", "2024-07-20T00:00:00",
 * each optionally followed by "Z", "+02:00"/"-0400", or " Area/City". Without
 * an offset or zone, zone (may be NULL: then that is an error) applies.
 * A local time in a spring-forward gap moves forward by the gap; one that
 * occurs twice in the autumn means the first (daylight-time) instant.
 * Returns 0, or -1 with a message in err. */
int tztime_parse(const char *text, const char *zone, time_t *out, char *err, size_t errlen);

/* 0 when zone names a readable zoneinfo file, else -1 with a message. */
int tztime_zone_check(const char *zone, char *err, size_t errlen);

/* "2024-07-20 00:00:00 EDT" in zone (NULL: UTC) into buf; returns buf. */
char *tztime_format(time_t t, const char *zone, char *buf, size_t len);
/* "2024-07-20T04:00:00Z" into buf; returns buf. */
char *tztime_format_utc(time_t t, char *buf, size_t len);

#endif
