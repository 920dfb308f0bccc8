/* Fuzz harness for the configuration file (dnsd/config.c and the groups its
 * subsystems parse: hosts, log, ratelimit): the bytes are loaded as dnsd.conf;
 * when they load, each subsystem parses its group. A failed load must say
 * where, as "file:line: message". */
#include <assert.h>
#include <string.h>

#include "config.h"
#include "hosts/hostlog.h"
#include "fuzz.h"
#include "ratelimit.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONFIG_ERR_MAX];
	const char *path;
	struct config *c;
	struct hosts_opts ho;
	struct eventlog_opts lo;
	struct ratelimit_config rc;

	if (fuzz_names_outside(data, size))
		return 0;
	path = fuzz_scratch_file("dnsd.conf", data, size);
	if ((c = config_load(path, err, sizeof err)) == NULL) {
		assert(strncmp(err, path, strlen(path)) == 0);
		return 0;
	}
	err[0] = '\0';
	hosts_opts_defaults(&ho);
	hosts_config(config_group(c, "hosts"), &ho, err, sizeof err);
	hosts_opts_free(&ho);
	eventlog_opts_defaults(&lo);
	eventlog_config(config_group(c, "log"), &lo, err, sizeof err);
	eventlog_opts_free(&lo);
	ratelimit_config(config_group(c, "ratelimit"), &rc, err, sizeof err);
	config_free(c);
	return 0;
}
