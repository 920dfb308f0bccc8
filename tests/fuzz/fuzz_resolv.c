/* Fuzz harness for the resolv.conf parser (dnsd/resolv.c): the bytes are
 * the file's text, not NUL-terminated. Every address returned is IPv4 or
 * IPv6 with a port, and never more than asked for. */
#include <assert.h>

#include "fuzz.h"
#include "resolv.h"

#define FUZZ_RESOLV_MAX 4

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_addr out[FUZZ_RESOLV_MAX];
	int n = resolv_parse((const char *)data, size, out, FUZZ_RESOLV_MAX);
	assert(n >= 0 && n <= FUZZ_RESOLV_MAX);
	for (int i = 0; i < n; i++) {
		assert(out[i].ss.ss_family == AF_INET || out[i].ss.ss_family == AF_INET6);
		assert(((const struct sockaddr_in *)&out[i].ss)->sin_port != 0);
	}
	return 0;
}
