/* The real client behind a trusted local forwarder: EDNS Client Subnet
 * (option 8, as dnsmasq --add-subnet=32,128 sends it) and dnsmasq's MAC
 * options (65001 binary from --add-mac, 65073 from --add-mac=base64|text). */
#ifndef DNSD_CLIENTID_H
#define DNSD_CLIENTID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

#define CLIENTID_OPT_ECS 8
#define CLIENTID_OPT_MAC 65001      /* dnsmasq --add-mac: 6 raw bytes */
#define CLIENTID_OPT_DEVICEID 65073 /* --add-mac=base64 (8 chars) or =text (aa:bb:..) */
#define CLIENTID_MAX_FORWARDERS 8

struct client_info {
	struct netaddr addr; /* the real client (the packet source otherwise) */
	uint8_t mac[6];
	bool has_mac;
	bool via_forwarder; /* addr or mac came from a trusted forwarder's options */
};

struct clientid_opts {
	int nforwarders;
	struct cidr forwarders[CLIENTID_MAX_FORWARDERS];
};

/* Parse one EDNS option's payload into ci. Returns 1 when it identified the
 * client, 0 when the option is not one of ours, -1 when it is malformed
 * (ci unchanged). An ECS prefix shorter than a full address names a network,
 * not a host, and is ignored (0). */
int clientid_parse_option(uint16_t code, const uint8_t *data, size_t len, struct client_info *ci);

/* Fill ci for the query pkt (wire format) from src: the source address,
 * replaced by the packet's EDNS options when src is a trusted forwarder.
 * ldns parses the packet only in that case. */
void clientid_identify(const struct clientid_opts *o, const struct netaddr *src, const uint8_t *pkt,
                       size_t len, struct client_info *ci);

bool clientid_trusted(const struct clientid_opts *o, const struct netaddr *src);

#endif
