/* Fuzz harness for the DHCP lease parsers (dnsd/hosts/leases.c): the same bytes
 * read as a dnsmasq lease file and as an odhcpd hosts file. Every entry
 * returned must hold a known address and a terminated, bounded host name. */
#include <assert.h>
#include <string.h>

#include "fuzz.h"
#include "hosts/leases.h"

#define FUZZ_LEASES_MAX 64

static void
fuzz_leases_parse(int (*parse)(FILE *, struct lease *, int), const uint8_t *data, size_t size)
{
	static struct lease out[FUZZ_LEASES_MAX];
	FILE *f = fmemopen((void *)data, size, "r");
	int i, n;

	if (f == NULL)
		return;
	n = parse(f, out, FUZZ_LEASES_MAX);
	fclose(f);
	assert(n >= 0 && n <= FUZZ_LEASES_MAX);
	for (i = 0; i < n; i++) {
		assert(out[i].addr.family == AF_INET || out[i].addr.family == AF_INET6);
		assert(strnlen(out[i].hostname, LEASES_NAMELEN) < LEASES_NAMELEN);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	fuzz_leases_parse(leases_parse_dnsmasq, data, size);
	fuzz_leases_parse(leases_parse_odhcpd, data, size);
	return 0;
}
