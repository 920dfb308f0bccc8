/* The event log's files: whole lines appended (a short write is cut back
 * off), and the log file itself with size rotation (FILE.1 .. FILE.keep).
 * The per-host files (hostfiles.h) append through the same two functions. */
#ifndef DNSD_LOGFILE_H
#define DNSD_LOGFILE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct logfile {
	const char *path; /* borrowed: outlives the logfile */
	long long max_size;
	int keep;
	int fd; /* -1 when closed */
	long long size;
	time_t open_failed; /* a broken path is retried once a second */
	int err;            /* the latest failure's errno */
	uint64_t rotations;
};

/* Nothing is opened yet. */
void logfile_init(struct logfile *f, const char *path, long long max_size, int keep);
/* 0, or -1 with errno (logfile_write tries again). */
int logfile_open(struct logfile *f);
/* Rotates first when the line would pass max_size. 0, or -1 (f->err set):
 * the line is not written. */
int logfile_write(struct logfile *f, const char *line, size_t len, time_t now);
void logfile_close(struct logfile *f);

/* O_APPEND, created 0640, no symlink followed; *size is the file's. -1 with
 * errno. */
int logfile_append_open(const char *path, long long *size);
/* The whole line or nothing; *size grows by len. -1 with errno. */
int logfile_append_line(int fd, long long *size, const char *line, size_t len);

#endif
