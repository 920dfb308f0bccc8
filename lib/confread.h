/* The config reader's libconfig half: read a file, report its syntax errors
 * and check a group's members with "file:line: message" errors (conf.h),
 * going on after each so that one run shows them all. Included only by the
 * readers of dnsd.conf (dnsd/config*.c) and of policy files (policy.c). */
#ifndef DNSD_CONFREAD_H
#define DNSD_CONFREAD_H

#include <libconfig.h>
#include <stdbool.h>

#include "conf.h"

/* Read path into lc (config_init'ed by the caller). 0; -1 with errno when
 * the file cannot be read (not reported: the caller words it); -2 when it
 * is not valid libconfig, reported with the line where an unterminated
 * string starts. */
int confread_file(config_t *lc, const char *path, struct conf_errors *e);

/* An error at setting s (its file, else e->path, and line). */
void confread_error(struct conf_errors *e, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Where s was read, for errors found later; at->file NULL when s is NULL.
 * false when out of memory. */
bool confread_at(const config_setting_t *s, struct conf_at *at);

/* Report each member of g whose name is not in names (NULL-terminated),
 * with fmt taking the name and then what. */
void confread_known(struct conf_errors *e, const config_setting_t *g, const char *const *names,
                    const char *fmt, const char *what);

/* Typed members of g (g may be NULL). Each leaves *out as it is when the
 * member is absent or wrong (reported). */
void confread_int(struct conf_errors *e, const config_setting_t *g, const char *name, long long min,
                  long long max, long long *out);
void confread_bool(struct conf_errors *e, const config_setting_t *g, const char *name, bool *out);
/* Borrowed from g's config; NULL when absent or not a string. */
const char *confread_str(struct conf_errors *e, const config_setting_t *g, const char *name);
/* A copy the caller frees replaces *out; "" becomes NULL. As a path
 * (confread_path), relative to the directory of the file it was read from. */
void confread_strdup(struct conf_errors *e, const config_setting_t *g, const char *name,
                     char **out);
void confread_path(struct conf_errors *e, const config_setting_t *g, const char *name, char **out);

#endif
