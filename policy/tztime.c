/* Policy date-times (see tztime.h). Local times are converted by hand from
 * the zone's offsets around the instant, so that the gap and the repeated
 * hour of DST changes have a defined meaning instead of mktime's guess. */
#include "tztime.h"

#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* TZ switched to a zone for the duration of one call, then restored. */
struct tz_saved {
	char *old;
	bool had;
};

static void
tz_enter(struct tz_saved *s, const char *zone)
{
	const char *old = getenv("TZ");
	s->had = old != NULL;
	s->old = old ? strdup(old) : NULL;
	setenv("TZ", zone ? zone : "UTC", 1);
	tzset();
}

static void
tz_leave(struct tz_saved *s)
{
	if (s->had && s->old)
		setenv("TZ", s->old, 1);
	else
		unsetenv("TZ");
	free(s->old);
	tzset();
}

int
tztime_zone_check(const char *zone, char *err, size_t errlen)
{
	if (strcmp(zone, "UTC") == 0)
		return 0;
	for (const char *c = zone; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("/_-+", *c)) {
			snprintf(err, errlen, "invalid time zone name \"%s\"", zone);
			return -1;
		}
	if (zone[0] == '/' || strstr(zone, "..") || !zone[0]) {
		snprintf(err, errlen, "invalid time zone name \"%s\"", zone);
		return -1;
	}
	const char *dir = getenv("TZDIR");
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, zone);
	if (access(path, R_OK) != 0) {
		snprintf(err, errlen,
		         "unknown time zone \"%s\" (no %s; install tzdata or set TZDIR)", zone,
		         path);
		return -1;
	}
	return 0;
}

static bool
same_fields(const struct tm *a, const struct tm *b)
{
	return a->tm_year == b->tm_year && a->tm_mon == b->tm_mon && a->tm_mday == b->tm_mday &&
	       a->tm_hour == b->tm_hour && a->tm_min == b->tm_min && a->tm_sec == b->tm_sec;
}

/* The instant at which the wall clock in zone shows fields. */
static time_t
local_to_utc(const struct tm *fields, const char *zone)
{
	struct tm tmp = *fields, lt;
	time_t wall = timegm(&tmp); /* the fields read as if they were UTC */
	struct tz_saved s;
	tz_enter(&s, zone);
	/* The offsets in force a day either side cover any DST change. */
	long off[2];
	time_t probe[2] = {wall - 86400, wall + 86400};
	for (int i = 0; i < 2; i++) {
		localtime_r(&probe[i], &lt);
		off[i] = lt.tm_gmtoff;
	}
	time_t best = 0;
	bool found = false;
	for (int i = 0; i < 2; i++) {
		time_t t = wall - off[i];
		localtime_r(&t, &lt);
		if (same_fields(&lt, fields) && (!found || t < best)) {
			best = t;
			found = true;
		}
	}
	/* In a gap: the offset from before the change carries the wall time
	 * forward by the length of the gap (02:30 EST -> 03:30 EDT). */
	if (!found)
		best = wall - off[0];
	tz_leave(&s);
	return best;
}

static int
parse_num(const char **p, int digits, int *out)
{
	int v = 0;
	for (int i = 0; i < digits; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

int
tztime_parse(const char *text, const char *zone, time_t *out, char *err, size_t errlen)
{
	struct tm tm = {0};
	const char *p = text;
	int y, mo, d, h = 0, mi = 0, s = 0;
	if (parse_num(&p, 4, &y) || *p++ != '-' || parse_num(&p, 2, &mo) || *p++ != '-' ||
	    parse_num(&p, 2, &d))
		goto bad;
	if ((*p == 'T' || *p == ' ') && isdigit((unsigned char)p[1])) {
		p++;
		if (parse_num(&p, 2, &h) || *p++ != ':' || parse_num(&p, 2, &mi))
			goto bad;
		if (*p == ':' && (p++, parse_num(&p, 2, &s)))
			goto bad;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		goto bad;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	struct tm check = tm;
	time_t wall = timegm(&check);
	if (wall == (time_t)-1 || (sizeof(time_t) < 8 && y > 2037)) {
		/* 32-bit time_t (Debian armhf/mipsel; OpenWrt's musl is 64-bit). */
		snprintf(err, errlen, "\"%s\" is beyond this system's time_t (2038)", text);
		return -1;
	}
	if (check.tm_mday != d) {
		snprintf(err, errlen, "no such date in \"%s\"", text);
		return -1;
	}

	if (*p == 'Z' && p[1] == '\0') {
		*out = wall;
		return 0;
	}
	if ((*p == '+' || *p == '-') && p != text) {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if (parse_num(&p, 2, &oh) || (*p == ':' && !*++p) || parse_num(&p, 2, &om) || *p ||
		    oh > 14 || om > 59)
			goto bad;
		*out = wall - sign * (oh * 3600 + om * 60);
		return 0;
	}
	if (*p == ' ') {
		zone = p + 1;
		if (tztime_zone_check(zone, err, errlen) < 0)
			return -1;
	} else if (*p)
		goto bad;
	else if (!zone) {
		snprintf(err, errlen,
		         "\"%s\" has no UTC offset or time zone, and the file sets no "
		         "timezone",
		         text);
		return -1;
	}
	*out = local_to_utc(&tm, zone);
	return 0;
bad:
	snprintf(err, errlen,
	         "bad date-time \"%s\" (want e.g. \"2024-07-20\", "
	         "\"2024-07-20 00:00 America/New_York\" or \"2024-07-20T00:00:00-04:00\")",
	         text);
	return -1;
}

char *
tztime_format(time_t t, const char *zone, char *buf, size_t len)
{
	struct tm lt;
	struct tz_saved s;
	tz_enter(&s, zone);
	localtime_r(&t, &lt);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", &lt);
	tz_leave(&s);
	return buf;
}

char *
tztime_format_utc(time_t t, char *buf, size_t len)
{
	struct tm gt;
	gmtime_r(&t, &gt);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &gt);
	return buf;
}
