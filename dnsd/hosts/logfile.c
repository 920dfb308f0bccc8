/* The event log file and its rotation (see logfile.h). */
#include "logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

void
logfile_init(struct logfile *f, const char *path, long long max_size, int keep)
{
	memset(f, 0, sizeof *f);
	f->path = path;
	f->max_size = max_size;
	f->keep = keep;
	f->fd = -1;
	f->open_failed = -1;
}

int
logfile_append_open(const char *path, long long *size)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd != -1 && fstat(fd, &st) == -1) {
		close(fd);
		return -1;
	}
	if (fd != -1)
		*size = st.st_size;
	return fd;
}

int
logfile_append_line(int fd, long long *size, const char *line, size_t len)
{
	ssize_t w = write(fd, line, len);
	if (w == (ssize_t)len) {
		*size += (long long)len;
		return 0;
	}
	if (w > 0 && ftruncate(fd, *size) == -1)
		log_debug("eventlog: truncate after short write: %s", strerror(errno));
	return -1;
}

int
logfile_open(struct logfile *f)
{
	f->fd = logfile_append_open(f->path, &f->size);
	return f->fd == -1 ? -1 : 0;
}

static void
logfile_rotate(struct logfile *f)
{
	char from[PATH_MAX], to[PATH_MAX];
	logfile_close(f);
	for (int i = f->keep - 1; i >= 1; i--) {
		snprintf(from, sizeof from, "%s.%d", f->path, i);
		snprintf(to, sizeof to, "%s.%d", f->path, i + 1);
		rename(from, to);
	}
	if (f->keep > 0) {
		snprintf(to, sizeof to, "%s.1", f->path);
		rename(f->path, to);
	} else
		unlink(f->path);
	f->rotations++;
}

int
logfile_write(struct logfile *f, const char *line, size_t len, time_t now)
{
	if (f->fd != -1 && f->size > 0 && f->size + (long long)len > f->max_size)
		logfile_rotate(f);
	if (f->fd == -1) {
		if (now == f->open_failed)
			return -1;
		if (logfile_open(f) == -1) {
			f->open_failed = now;
			f->err = errno;
			return -1;
		}
	}
	if (logfile_append_line(f->fd, &f->size, line, len) == -1) {
		f->err = errno;
		logfile_close(f);
		return -1;
	}
	return 0;
}

void
logfile_close(struct logfile *f)
{
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
}
