/* Config errors, paths and directory checks (see conf.h): the half of the
 * config reader that needs no libconfig. */
#define _GNU_SOURCE /* asprintf */
#include "conf.h"

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

#define CONF_LINE_MAX 1024 /* one error line */

void
conf_errors_buf(struct conf_errors *e, const char *path, char *err, size_t errlen)
{
	memset(e, 0, sizeof *e);
	e->path = path;
	e->buf = err;
	e->buflen = errlen;
	if (errlen)
		err[0] = '\0';
}

/* One line out; false when it did not fit (a buffer keeps keep bytes free). */
static bool
conf_errors_put(struct conf_errors *e, const char *line, size_t keep)
{
	if (e->report) {
		e->report(e->arg, line);
		return true;
	}
	size_t used = strnlen(e->buf, e->buflen), len = strlen(line);
	if (used + len + 2 + keep > e->buflen)
		return false;
	memcpy(e->buf + used, line, len);
	memcpy(e->buf + used + len, "\n", 2);
	return true;
}

/* Room kept in a buffer for the closing "and N more" line. */
static size_t
conf_errors_keep(const struct conf_errors *e)
{
	return strlen(e->path ? e->path : "") + sizeof ": and 2147483647 more errors\n";
}

static void
conf_verror(struct conf_errors *e, const char *file, int line, const char *fmt, va_list ap)
{
	char msg[CONF_LINE_MAX], full[CONF_LINE_MAX + 256];
	e->n++;
	if (e->shown >= CONF_MAX_ERRORS)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (!file)
		file = e->path ? e->path : "?";
	if (line > 0)
		snprintf(full, sizeof full, "%s:%d: %s", file, line, msg);
	else
		snprintf(full, sizeof full, "%s: %s", file, msg);
	if (conf_errors_put(e, full, conf_errors_keep(e)))
		e->shown++;
}

void
conf_error(struct conf_errors *e, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	conf_verror(e, file, line, fmt, ap);
	va_end(ap);
}

void
conf_errors_end(struct conf_errors *e)
{
	char line[CONF_LINE_MAX];
	if (e->n <= e->shown)
		return;
	snprintf(line, sizeof line, "%s: and %d more errors", e->path ? e->path : "?",
	         e->n - e->shown);
	conf_errors_put(e, line, 0);
}

void
conf_at_free(struct conf_at *at)
{
	free(at->file);
	at->file = NULL;
}

void
conf_at_error(const struct conf_at *at, char *err, size_t errlen, const char *fmt, ...)
{
	int n = snprintf(err, errlen, "%s:%d: ", at->file ? at->file : "(config)", at->line);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

char *
conf_resolve(const char *conf_file, const char *p)
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

char *
conf_dup(const char *s, bool *fail)
{
	char *d = s ? strdup(s) : NULL;
	if (s && !d)
		*fail = true;
	return d;
}

/* Whether who may create and rename files in the directory st (the mode
 * bits as the kernel applies them to one uid and one group; no ACLs). */
static bool
conf_may_write(const char *dir, const struct stat *st, const struct conf_who *who)
{
	struct statvfs vfs;
	if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
		return false;
	if (who->self)
		return faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0;
	if (who->uid == 0)
		return true;
	mode_t want = st->st_uid == who->uid   ? S_IWUSR | S_IXUSR
	              : st->st_gid == who->gid ? S_IWGRP | S_IXGRP
	                                       : S_IWOTH | S_IXOTH;
	return (st->st_mode & want) == want;
}

int
conf_writable(const struct conf_at *at, const char *name, const char *path, bool is_dir,
              const char *root, const struct conf_who *who, char *err, size_t errlen)
{
	char *copy = path ? strdup(path) : NULL;
	if (!path)
		return 0;
	if (!copy) {
		conf_at_error(at, err, errlen, "%s: out of memory", name);
		return -1;
	}
	char *dir = is_dir ? copy : dirname(copy), *full = NULL;
	struct stat st;
	int rc = -1;
	if (asprintf(&full, "%s%s", root ? root : "", dir) < 0)
		conf_at_error(at, err, errlen, "%s: out of memory", name);
	else if (stat(full, &st) == -1)
		conf_at_error(at, err, errlen, "%s: directory %s: %s", name, full, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		conf_at_error(at, err, errlen, "%s: %s is not a directory", name, full);
	else if (who && !conf_may_write(full, &st, who))
		conf_at_error(at, err, errlen,
		              "%s: directory %s is not writable by %s (uid %u, gid %u)", name, full,
		              who->self ? "dnsd" : "the user dnsd runs as", (unsigned)who->uid,
		              (unsigned)who->gid);
	else
		rc = 0;
	free(full);
	free(copy);
	return rc;
}
