/* Logging: one sink, chosen at start-up (stderr with a timestamp when in the
 * foreground, syslog(3) when daemonised). */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static int log_foreground = 1;
static int log_level_verbose;

void
log_init(const char *ident, int foreground, int verbose)
{
	log_foreground = foreground;
	log_level_verbose = verbose;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void log_write(int pri, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
log_vwrite(int pri, const char *fmt, va_list ap)
{
	if (log_foreground) {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", gmtime_r(&now, &tm));
		fprintf(stderr, "%sZ dnsd[%s]: ", ts,
		        pri == LOG_ERR       ? "fatal"
		        : pri == LOG_WARNING ? "warn"
		        : pri == LOG_INFO    ? "info"
		                             : "debug");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else
		vsyslog(pri, fmt, ap);
}

static void
log_write(int pri, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(pri, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;
	if (!log_level_verbose)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap);
	va_end(ap);
}

/* fmt with ": strerror(errno)" appended; errno is read before anything
 * else can change it. */
static void
log_vwrite_errno(int pri, const char *fmt, va_list ap)
{
	const char *err = strerror(errno);
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	log_write(pri, "%s: %s", msg, err);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite_errno(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite_errno(LOG_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
