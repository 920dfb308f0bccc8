/* Typed libconfig reads with "file:line: message" errors (see confget.h). */
#define _GNU_SOURCE /* asprintf */
#include "confget.h"

#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
confget_error(const config_setting_t *s, char *err, size_t errlen, const char *fmt, ...)
{
	const char *file = config_setting_source_file(s);
	int n = snprintf(err, errlen, "%s:%u: ", file ? file : "(config)",
	                 config_setting_source_line(s));
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

int
confget_int(const config_setting_t *grp, const char *name, long long min, long long max,
            long long *out, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(grp, name);
	if (!s)
		return 0;
	int t = config_setting_type(s);
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
		confget_error(s, err, errlen, "%s: expected an integer", name);
		return -1;
	}
	long long v = config_setting_get_int64(s);
	if (v < min || v > max) {
		confget_error(s, err, errlen, "%s: %lld is out of range %lld..%lld", name, v, min,
		              max);
		return -1;
	}
	*out = v;
	return 0;
}

int
confget_bool(const config_setting_t *grp, const char *name, bool *out, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(grp, name);
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		confget_error(s, err, errlen, "%s: expected true or false", name);
		return -1;
	}
	*out = config_setting_get_bool(s);
	return 0;
}

char *
confget_resolve(const char *conf_file, const char *p)
{
	if (p == NULL || *p == '\0')
		return NULL;
	if (p[0] == '/' || conf_file == NULL)
		return strdup(p);
	char *copy = strdup(conf_file), *out = NULL;
	if (copy && asprintf(&out, "%s/%s", dirname(copy), p) < 0)
		out = NULL;
	free(copy);
	return out;
}

/* confget_str and confget_path: a string, copied as written or as a path. */
static int
confget_string(const config_setting_t *grp, const char *name, bool is_path, char **out,
    char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(grp, name);
	if (!s)
		return 0;
	const char *v = config_setting_get_string(s);
	if (!v) {
		confget_error(s, err, errlen, "%s: expected a string", name);
		return -1;
	}
	char *copy = !*v ? NULL : is_path ? confget_resolve(config_setting_source_file(s), v) :
	    strdup(v);
	if (*v && !copy) {
		confget_error(s, err, errlen, "%s: out of memory", name);
		return -1;
	}
	free(*out);
	*out = copy;
	return 0;
}

int
confget_str(const config_setting_t *grp, const char *name, char **out, char *err, size_t errlen)
{
	return confget_string(grp, name, false, out, err, errlen);
}

int
confget_path(const config_setting_t *grp, const char *name, char **out, char *err, size_t errlen)
{
	return confget_string(grp, name, true, out, err, errlen);
}

int
confget_known(const config_setting_t *grp, const char *const *names, char *err, size_t errlen)
{
	for (int i = 0; i < config_setting_length(grp); i++) {
		const config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
		const char *n = config_setting_name(s);
		const char *const *k = names;
		while (*k && strcmp(*k, n ? n : "") != 0)
			k++;
		if (!*k) {
			confget_error(s, err, errlen, "unknown setting '%s' in group '%s'",
			              n ? n : "?",
			              config_setting_name(grp) ? config_setting_name(grp) : "");
			return -1;
		}
	}
	return 0;
}

char *
confget_dup(const char *s, bool *fail)
{
	char *d = s ? strdup(s) : NULL;
	if (s && !d)
		*fail = true;
	return d;
}
