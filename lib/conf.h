/* What the config reader (lib/confread.h) hands to everyone else, without
 * libconfig: "file:line: message" errors collected up to a bound, paths
 * relative to the file that names them, and the check that a configured
 * directory is writable. dnsd.conf and policy files alike. */
#ifndef DNSD_CONF_H
#define DNSD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CONF_MAX_ERRORS 100 /* error lines reported per file; then "and N more" */

/* Where errors go: to report, one line at a time without a newline, or
 * (report NULL) appended to buf, "line\n" each, as long as they fit whole
 * with room kept for the "and N more" line. */
struct conf_errors {
	const char *path; /* the file read: named by whole-file errors */
	void (*report)(void *arg, const char *line);
	void *arg;
	char *buf; /* borrowed */
	size_t buflen;
	int n;     /* errors found */
	int shown; /* errors reported */
};

/* e to collect into the buffer err (emptied). */
void conf_errors_buf(struct conf_errors *e, const char *path, char *err, size_t errlen);
/* One error: "file:line: message", or "file: message" when line is 0 (the
 * whole file); file NULL means e->path. */
void conf_error(struct conf_errors *e, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* After the last error: "path: and N more errors" when some were not shown. */
void conf_errors_end(struct conf_errors *e);

/* Where a setting was read, for errors found after the file was read (a
 * user that does not exist, a directory that is not writable). */
struct conf_at {
	char *file; /* owned; NULL: the setting was absent */
	int line;
};
void conf_at_free(struct conf_at *at);
/* "file:line: message" about at, into err (replacing what it held). */
void conf_at_error(const struct conf_at *at, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* p relative to the directory of conf_file (absolute p as is); NULL for
 * NULL or "". The caller frees. */
char *conf_resolve(const char *conf_file, const char *p);
/* A copy of s (NULL stays NULL) for options structs that own their
 * strings; sets *fail when out of memory. */
char *conf_dup(const char *s, bool *fail);

/* Who will write the files dnsd writes at run time: after the privilege
 * drop, uid with the one group gid; self when that is this process as it
 * is (no drop). */
struct conf_who {
	uid_t uid;
	gid_t gid;
	bool self;
};
/* The directory of path (with is_dir, path itself), under root (a chroot,
 * or NULL), must exist and be writable by who (who NULL: only exist).
 * name is the setting, at where it was read. 0 (also for a NULL path), or
 * -1 with "file:line: name: ..." in err. */
int conf_writable(const struct conf_at *at, const char *name, const char *path, bool is_dir,
                  const char *root, const struct conf_who *who, char *err, size_t errlen);

#endif
