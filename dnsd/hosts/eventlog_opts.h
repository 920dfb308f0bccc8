/* The event log's settings, plain data (header only): filled by the config
 * reader (which needs no more of the event log than this) and read by the
 * event log, which hands each sink only the values it uses. */
#ifndef DNSD_EVENTLOG_OPTS_H
#define DNSD_EVENTLOG_OPTS_H

#include <stdbool.h>

enum eventlog_proto { EVENTLOG_REMOTE_NONE, EVENTLOG_REMOTE_UDP, EVENTLOG_REMOTE_TCP };

struct eventlog_opts {
	char *file;              /* NULL: no log file */
	bool syslog;             /* also syslog(3), LOG_INFO */
	int fold_secs;           /* repeats of a pair are summarised at most this often */
	long long max_size;      /* rotate the file when a line would pass this size */
	int keep;                /* rotated files kept: FILE.1 .. FILE.keep */
	int max_pairs;           /* (host, name) pairs remembered for folding */
	char *host_dir;          /* per-host files DIR/ADDR.log; NULL: none */
	long long host_max_size; /* per-host file size; one .1 copy kept */
	int host_files;          /* most per-host files in host_dir */
	enum eventlog_proto remote_proto;
	char *remote_host; /* numeric address */
	int remote_port;
	int facility; /* syslog facility number for remote records (default 3, daemon) */
};

#endif
