/* The event log's per-host files DIR/ADDR.log, each with one ADDR.log.1
 * copy kept, for at most max_files hosts: the least recently written
 * host's files go to make room, and files of an earlier run count too. */
#ifndef DNSD_HOSTFILES_H
#define DNSD_HOSTFILES_H

#include <stddef.h>
#include <time.h>

#include "netaddr.h"

struct hostfile;

struct hostfiles {
	const char *dir; /* borrowed: outlives the hostfiles */
	long long max_size;
	int max_files;
	struct hostfile *v; /* grown as hosts are written, up to max_files */
	int n, cap;
	int err; /* the latest failure's errno */
};

/* Counts the files already in dir. Nothing fails: an unreadable dir is
 * found out by the first write. */
void hostfiles_open(struct hostfiles *hf, const char *dir, long long max_size, int max_files);
/* 0, or -1 (hf->err set): the line is not written. */
int hostfiles_write(struct hostfiles *hf, const struct netaddr *na, const char *line, size_t len,
                    time_t now);
void hostfiles_close(struct hostfiles *hf);

#endif
