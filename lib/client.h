/* Who asked a query: found once per query, before the first decision
 * (dnsd/hosts/clientid.c from the parsed query, the neighbour table), then
 * read by the policy, the host table and the logs. Plain data, copied
 * freely (header only). */
#ifndef DNSD_CLIENT_H
#define DNSD_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "netaddr.h"

struct client {
	struct netaddr addr; /* the real client: a trusted forwarder's ECS, else
	                        the packet's source; family 0 when unknown */
	uint8_t mac[6];
	bool has_mac;       /* from a forwarder's MAC option or the neighbour table */
	struct netaddr via; /* the trusted forwarder whose options named it;
	                       family 0: none (asked directly) */
};

#endif
