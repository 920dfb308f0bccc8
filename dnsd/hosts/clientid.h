/* The real client behind a trusted local forwarder: EDNS Client Subnet
 * (option 8, as dnsmasq --add-subnet=32,128 sends it) and dnsmasq's MAC
 * options (65001 binary from --add-mac, 65073 from --add-mac=base64|text). */
#ifndef DNSD_CLIENTID_H
#define DNSD_CLIENTID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "msg.h"
#include "netaddr.h"

#define CLIENTID_OPT_ECS MSG_OPT_ECS
#define CLIENTID_OPT_MAC MSG_OPT_MAC           /* dnsmasq --add-mac: 6 raw bytes */
#define CLIENTID_OPT_DEVICEID MSG_OPT_DEVICEID /* --add-mac=base64 (8 chars) or =text (aa:bb:..)   \
	                                        */
#define CLIENTID_MAX_FORWARDERS 8

struct clientid_opts {
	int nforwarders;
	struct cidr forwarders[CLIENTID_MAX_FORWARDERS];
};

/* Parse one EDNS option's payload into c. Returns 1 when it identified the
 * client, 0 when the option is not one of ours, -1 when it is malformed
 * (c unchanged). An ECS prefix shorter than a full address names a network,
 * not a host, and is ignored (0). */
int clientid_parse_option(uint16_t code, const uint8_t *data, size_t len, struct client *c);

/* Fill c for the query q (as msg_parse_query kept it; NULL: none) from src:
 * the source address, replaced by the query's client options when src is a
 * trusted forwarder (c->via is then src). No second parse of the packet. */
void clientid_identify(const struct clientid_opts *o, const struct netaddr *src,
                       const struct msg_query *q, struct client *c);

bool clientid_trusted(const struct clientid_opts *o, const struct netaddr *src);

#endif
