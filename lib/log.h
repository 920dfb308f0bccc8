/* Logging for the daemon: stderr in the foreground, syslog otherwise.
 * log_warn and friends never exit; fatal logs and exits 1 (start-up only). */
#ifndef DNSD_LOG_H
#define DNSD_LOG_H

#include <stdarg.h>

/* ident is borrowed for the life of the program. */
void log_init(const char *ident, int foreground, int verbose);
void log_set_verbose(int verbose);
int log_verbose(void);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
