/* JSON output helpers (see json.h). */
#include "json.h"

void
json_str(struct evbuffer *b, const char *s)
{
	if (!s) {
		evbuffer_add(b, "null", 4);
		return;
	}
	evbuffer_add(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			evbuffer_add_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			evbuffer_add_printf(b, "\\u%04x", c);
		else
			evbuffer_add(b, s, 1);
	}
	evbuffer_add(b, "\"", 1);
}

void
json_kv_str(struct evbuffer *b, const char *key, const char *s)
{
	evbuffer_add_printf(b, ",\"%s\":", key);
	json_str(b, s);
}

void
json_kv_time(struct evbuffer *b, const char *key, time_t t)
{
	char buf[JSON_TIMELEN];
	json_kv_str(b, key, json_time(t, buf));
}

const char *
json_time(time_t t, char buf[JSON_TIMELEN])
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(buf, JSON_TIMELEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
	return buf;
}
