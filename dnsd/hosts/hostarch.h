/* The archive of hosts that left the host table: one tab-separated line per
 * evicted host (address, MAC, hostname, first and last seen, attempts,
 * last action, counts per category, names), appended, rotated to FILE.1
 * past a size, read back for `dnsdctl hosts --all` and the HTML report. */
#ifndef DNSD_HOSTARCH_H
#define DNSD_HOSTARCH_H

#include <stddef.h>

/* One archived host; the strings are "" when unknown. As filled by
 * hostarch_parse, they point into the parsed line. */
struct hostarch_rec {
	const char *addr, *mac, *hostname;
	long long first, last, total;
	const char *action;
	const char *cats;  /* "update=3;ksn=1" */
	const char *names; /* "a.example,b.example" */
};

/* Append r as one line to path (mode 0640, never through a symlink),
 * renaming path to path.1 first when the line would take it past max_size.
 * Tabs and newlines in the strings are written as spaces. 0, or -1 with
 * errno set. */
int hostarch_append(const char *path, long long max_size, const struct hostarch_rec *r);

/* Split one line (without its newline; tabs become NULs) into r. 0, or -1
 * when it is not a record (wrong field count, bad number or address). */
int hostarch_parse(char *line, struct hostarch_rec *r);

/* The archived hosts of path.1 and path: the latest record of each address,
 * most recently seen first. Each file is read up to max_size + 64 KiB. */
struct hostarch_list {
	char *buf; /* the files' text, which recs point into */
	struct hostarch_rec *recs;
	int n;
};
/* 0 (also when there is no archive), -1 out of memory. Caller frees with
 * hostarch_list_free. */
int hostarch_load(const char *path, long long max_size, struct hostarch_list *l);
void hostarch_list_free(struct hostarch_list *l);

#endif
