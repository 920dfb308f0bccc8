/* Typed libconfig reads with "file:line: message" errors (see confget.h). */
#define _GNU_SOURCE /* asprintf */
#include "confget.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

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

/* Whether who may create and rename files in the directory st (the mode
 * bits as the kernel applies them to one uid and one group; no ACLs). */
static bool
confget_may_write(const char *dir, const struct stat *st, const struct confget_who *who)
{
	struct statvfs vfs;
	if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
		return false;
	if (who->self)
		return faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0;
	if (who->uid == 0)
		return true;
	mode_t want = st->st_uid == who->uid ? S_IWUSR | S_IXUSR :
	    st->st_gid == who->gid ? S_IWGRP | S_IXGRP : S_IWOTH | S_IXOTH;
	return (st->st_mode & want) == want;
}

int
confget_writable(const config_setting_t *grp, const char *name, bool is_dir, const char *root,
                 const struct confget_who *who, char *err, size_t errlen)
{
	const config_setting_t *s = grp ? config_setting_get_member(grp, name) : NULL;
	const char *v = s ? config_setting_get_string(s) : NULL;
	char *path = v ? confget_resolve(config_setting_source_file(s), v) : NULL;
	if (!path)
		return 0;
	char *dir = is_dir ? path : dirname(path), *full = NULL;
	struct stat st;
	int rc = -1;
	if (asprintf(&full, "%s%s", root ? root : "", dir) < 0)
		confget_error(s, err, errlen, "%s: out of memory", name);
	else if (stat(full, &st) == -1)
		confget_error(s, err, errlen, "%s: directory %s: %s", name, full, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		confget_error(s, err, errlen, "%s: %s is not a directory", name, full);
	else if (who && !confget_may_write(full, &st, who))
		confget_error(s, err, errlen, "%s: directory %s is not writable by %s (uid %u, gid %u)",
		              name, full, who->self ? "dnsd" : "the user dnsd runs as",
		              (unsigned)who->uid, (unsigned)who->gid);
	else
		rc = 0;
	free(full);
	free(path);
	return rc;
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
