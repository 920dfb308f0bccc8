/* Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c): the entry points
 * and a per-process scratch directory for parsers that read from paths. */
#ifndef DNSD_FUZZ_H
#define DNSD_FUZZ_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* tests/fuzz, where fixture/ holds the files some harnesses start from
 * (run.sh defines it). */
#ifndef FUZZ_DIR
#error "FUZZ_DIR: build the harnesses with tests/fuzz/run.sh"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_SCRATCH_FILES 4

static char fuzz_scratch_dir[96];
static char fuzz_scratch_paths[FUZZ_SCRATCH_FILES][160];

static inline void
fuzz_scratch_remove(void)
{
	int i;

	for (i = 0; i < FUZZ_SCRATCH_FILES; i++)
		if (fuzz_scratch_paths[i][0] != '\0')
			unlink(fuzz_scratch_paths[i]);
	rmdir(fuzz_scratch_dir);
}

/* The path of name (no slashes) in this process's scratch directory (under
 * $FUZZ_SCRATCH, where run.sh removes what dead harnesses left, else
 * /dev/shm or /tmp), created on first use and removed at a normal exit with everything
 * named here; static storage. At most FUZZ_SCRATCH_FILES names. */
static inline const char *
fuzz_scratch_path(const char *name)
{
	int i;

	const char *base = getenv("FUZZ_SCRATCH");

	if (fuzz_scratch_dir[0] == '\0') {
		if (base == NULL)
			base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(fuzz_scratch_dir, sizeof fuzz_scratch_dir, "%s/dnsd-fuzz.%d", base,
		         (int)getpid());
		if (mkdir(fuzz_scratch_dir, 0700) != 0) {
			perror(fuzz_scratch_dir);
			abort();
		}
		atexit(fuzz_scratch_remove);
	}
	for (i = 0; i < FUZZ_SCRATCH_FILES; i++) {
		if (fuzz_scratch_paths[i][0] == '\0')
			snprintf(fuzz_scratch_paths[i], sizeof fuzz_scratch_paths[i], "%s/%s",
			         fuzz_scratch_dir, name);
		if (strcmp(strrchr(fuzz_scratch_paths[i], '/') + 1, name) == 0)
			return fuzz_scratch_paths[i];
	}
	abort();
}

/* Writes data to the scratch file name and returns its path. Aborts on
 * failure: a harness that cannot write its input has nothing to test. */
static inline const char *
fuzz_scratch_file(const char *name, const uint8_t *data, size_t size)
{
	const char *path = fuzz_scratch_path(name);
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    write(fd, data, size) != (ssize_t)size || close(fd) != 0) {
		perror(path);
		abort();
	}
	return path;
}

/* Files outside the scratch directory that a fuzzed file must not name:
 * endless or special ones, and libconfig's @include of anything at all. */
static inline int
fuzz_names_outside(const uint8_t *data, size_t size)
{
	static const char *const bad[] = {"@include", "/dev", "/proc", "/sys", NULL};
	int i;

	for (i = 0; bad[i] != NULL; i++)
		if (memmem(data, size, bad[i], strlen(bad[i])) != NULL)
			return 1;
	return 0;
}

#endif
