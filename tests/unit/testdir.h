/* Scratch directories for unit tests: made under /tmp, removed with all
 * they hold. Header only, for the test files that need one. */
#ifndef DNSD_TESTDIR_H
#define DNSD_TESTDIR_H

#include <stdio.h>
#include <stdlib.h>

/* dir (len bytes) receives "/tmp/NAME.XXXXXX", created. 0 or -1. */
static inline int
testdir_make(char *dir, size_t len, const char *name)
{
	snprintf(dir, len, "/tmp/%s.XXXXXX", name);
	return mkdtemp(dir) ? 0 : -1;
}

/* Create or replace the file at path with text. 0 or -1. */
static inline int
testdir_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int rc = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) == 0 ? rc : -1;
}

static inline int
testdir_remove(const char *dir)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
