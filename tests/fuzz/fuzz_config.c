/* Fuzz harness for the configuration file (dnsd/config.c with lib/conf*.c,
 * every group including the subsystems' hosts, log, ratelimit and http):
 * the bytes are loaded as dnsd.conf. A failed load must say where, as
 * "file:line: message" or "file: message", one error a line, within the
 * buffer. */
#include <assert.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONFIG_ERR_MAX];
	const char *path;
	struct config *c;

	if (fuzz_names_outside(data, size))
		return 0;
	path = fuzz_scratch_file("dnsd.conf", data, size);
	if ((c = config_load(path, err, sizeof err)) == NULL) {
		assert(strncmp(err, path, strlen(path)) == 0);
		assert(strlen(err) < sizeof err - 1 && err[strlen(err) - 1] == '\n');
		return 0;
	}
	config_free(c);
	return 0;
}
