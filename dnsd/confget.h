/* Typed reads of one libconfig group with range checks and "file:line:
 * message" errors, shared by the subsystems that parse their own group
 * (hosts, log). An absent setting leaves the default in place. */
#ifndef DNSD_CONFGET_H
#define DNSD_CONFGET_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Each returns 0 (value read or absent) or -1 with err filled. */
int confget_int(const config_setting_t *grp, const char *name, long long min, long long max,
                long long *out, char *err, size_t errlen);
int confget_bool(const config_setting_t *grp, const char *name, bool *out, char *err,
                 size_t errlen);
/* *out is replaced by a copy the caller frees; "" becomes NULL (disabled). */
int confget_str(const config_setting_t *grp, const char *name, char **out, char *err,
                size_t errlen);
/* The same for a path: a relative one is taken relative to the directory
 * of the file the setting was read from, like every path in dnsd.conf. */
int confget_path(const config_setting_t *grp, const char *name, char **out, char *err,
                 size_t errlen);
/* p relative to the directory of conf_file (absolute p as is); NULL for
 * NULL or "". The caller frees. */
char *confget_resolve(const char *conf_file, const char *p);
/* Who will write the files dnsd writes at run time: after the privilege
 * drop, uid with the one group gid; self when that is this process as it
 * is (no drop). */
struct confget_who {
	uid_t uid;
	gid_t gid;
	bool self;
};
/* The directory of the path in setting name of grp (with is_dir, that
 * directory itself), under root (a chroot, or NULL), must exist and be
 * writable by who (who NULL: only exist). 0 (also when the setting is
 * absent or not a string: its owner reports that), or -1 with "file:line:
 * message". */
int confget_writable(const config_setting_t *grp, const char *name, bool is_dir,
                     const char *root, const struct confget_who *who, char *err,
                     size_t errlen);
/* -1 when grp holds a setting not in the NULL-terminated names. */
int confget_known(const config_setting_t *grp, const char *const *names, char *err, size_t errlen);
/* A copy of s (NULL stays NULL) for options structs that own their
 * strings; sets *fail when out of memory. */
char *confget_dup(const char *s, bool *fail);
void confget_error(const config_setting_t *s, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
