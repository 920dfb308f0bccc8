/* Who may ask: the explicit allow list, and (local_service, the default)
 * every client on a subnet attached to a LAN interface (ifaddr). A refused
 * client is logged, at most once per ACCESS_LOG_S, with its address. */
#ifndef DNSD_ACCESS_H
#define DNSD_ACCESS_H

#include <stdbool.h>

#include "config.h"
#include "ifaddr.h"
#include "netaddr.h"

#define ACCESS_LOG_S 10

struct access;

/* ifa and c are borrowed (c until the next access_configure). Caller frees
 * with access_free. */
struct access *access_new(struct ifaddr_table *ifa, const struct config *c);
void access_configure(struct access *acc, const struct config *c);
void access_free(struct access *acc);

/* Whether the client a (the query came in on interface ifindex, 0 when
 * unknown) may ask. An address on no known subnet refreshes the interface
 * snapshot (rate-limited) before it is refused. */
bool access_check(struct access *acc, const struct netaddr *a, unsigned ifindex);

#endif
