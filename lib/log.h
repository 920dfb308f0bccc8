/* Logging for the daemon: stderr in the foreground, syslog otherwise.
 * As OpenBSD's: log_warn and fatal append ": " and strerror(errno), the
 * x variants do not. The warnings never exit; fatal and fatalx log and
 * exit 1 (start-up only). */
#ifndef DNSD_LOG_H
#define DNSD_LOG_H

#include <stdarg.h>

/* ident is borrowed for the life of the program. */
void log_init(const char *ident, int foreground, int verbose);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
