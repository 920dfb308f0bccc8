/* Fuzz harness for the EDNS client options (dnsd/hosts/clientid.c, and
 * msg.c keeping them). The first byte picks the entry: 0 feeds one option
 * (code from the next two bytes, the rest as payload) to
 * clientid_parse_option; anything else parses the remaining bytes as a DNS
 * query (msg_parse_query) from a trusted forwarder for clientid_identify. */
#include <assert.h>
#include <string.h>

#include "fuzz.h"
#include "hosts/clientid.h"

static struct clientid_opts fuzz_opts;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (cidr_parse(&fuzz_opts.forwarders[0], "127.0.0.0/8") != 0 ||
	    cidr_parse(&fuzz_opts.forwarders[1], "::1") != 0)
		abort();
	fuzz_opts.nforwarders = 2;
	return 0;
}

static void
fuzz_clientid_check(const struct client *ci)
{
	assert(ci->addr.family == AF_INET || ci->addr.family == AF_INET6);
}

static void
fuzz_clientid_option(const uint8_t *data, size_t size)
{
	struct client ci;

	if (size < 2)
		return;
	memset(&ci, 0, sizeof ci);
	ci.addr.family = AF_INET;
	if (clientid_parse_option((uint16_t)(data[0] << 8 | data[1]), data + 2, size - 2, &ci) == 1)
		fuzz_clientid_check(&ci);
}

static void
fuzz_clientid_packet(const uint8_t *data, size_t size)
{
	struct netaddr src;
	struct msg_query q;
	struct client ci;

	netaddr_parse(&src, "127.0.0.1");
	msg_parse_query(&q, data, size);
	clientid_identify(&fuzz_opts, &src, &q, &ci);
	fuzz_clientid_check(&ci);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] == 0)
		fuzz_clientid_option(data + 1, size - 1);
	else
		fuzz_clientid_packet(data + 1, size - 1);
	return 0;
}
