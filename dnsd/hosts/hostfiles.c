/* The per-host event files (see hostfiles.h). */
#include "hostfiles.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfile.h"

struct hostfile {
	char addr[NETADDR_STRLEN];
	time_t used;
};

static void
hostfiles_remove(struct hostfiles *hf, int i)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s.log", hf->dir, hf->v[i].addr);
	unlink(path);
	snprintf(path, sizeof path, "%s/%s.log.1", hf->dir, hf->v[i].addr);
	unlink(path);
	hf->v[i] = hf->v[--hf->n];
}

/* Make room for and remember addr; the least recently written host's
 * files go when the directory is at its cap. -1 when out of memory. */
static int
hostfiles_track(struct hostfiles *hf, const char *addr, time_t used)
{
	int oldest = 0;
	for (int i = 0; i < hf->n; i++) {
		if (strcmp(hf->v[i].addr, addr) == 0) {
			hf->v[i].used = used;
			return 0;
		}
		if (hf->v[i].used < hf->v[oldest].used)
			oldest = i;
	}
	if (hf->n >= hf->max_files)
		hostfiles_remove(hf, oldest);
	if (hf->n == hf->cap) {
		int cap = hf->cap ? hf->cap * 2 : 8;
		cap = cap < hf->max_files ? cap : hf->max_files;
		struct hostfile *t = realloc(hf->v, (size_t)cap * sizeof *t);
		if (!t)
			return -1;
		hf->v = t;
		hf->cap = cap;
	}
	struct hostfile *h = &hf->v[hf->n++];
	snprintf(h->addr, sizeof h->addr, "%s", addr);
	h->used = used;
	return 0;
}

void
hostfiles_open(struct hostfiles *hf, const char *dir, long long max_size, int max_files)
{
	memset(hf, 0, sizeof *hf);
	hf->dir = dir;
	hf->max_size = max_size;
	hf->max_files = max_files;
	DIR *d = opendir(dir);
	struct dirent *de;
	struct netaddr na;
	char addr[NETADDR_STRLEN], path[PATH_MAX];
	struct stat st;
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 5 || n - 4 >= sizeof addr || strcmp(de->d_name + n - 4, ".log") != 0)
			continue;
		memcpy(addr, de->d_name, n - 4);
		addr[n - 4] = '\0';
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (netaddr_parse(&na, addr) == 0 && stat(path, &st) == 0)
			hostfiles_track(hf, addr, st.st_mtime);
	}
	closedir(d);
}

int
hostfiles_write(struct hostfiles *hf, const struct netaddr *na, const char *line, size_t len,
                time_t now)
{
	char addr[NETADDR_STRLEN], path[PATH_MAX], old[PATH_MAX + 2];
	long long size = 0;
	if (hostfiles_track(hf, netaddr_str(na, addr), now) == -1) {
		hf->err = errno;
		return -1;
	}
	snprintf(path, sizeof path, "%s/%s.log", hf->dir, addr);
	int fd = logfile_append_open(path, &size);
	if (fd != -1 && size > 0 && size + (long long)len > hf->max_size) {
		close(fd);
		snprintf(old, sizeof old, "%s.1", path);
		rename(path, old);
		fd = logfile_append_open(path, &size);
	}
	int rc = fd == -1 ? -1 : logfile_append_line(fd, &size, line, len);
	if (rc == -1)
		hf->err = errno;
	if (fd != -1)
		close(fd);
	return rc;
}

void
hostfiles_close(struct hostfiles *hf)
{
	free(hf->v);
	hf->v = NULL;
	hf->n = hf->cap = 0;
}
