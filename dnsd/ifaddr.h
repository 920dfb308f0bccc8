/* The machine's own addresses and the subnets attached to its interfaces
 * (getifaddrs, IPv4 and IPv6), with the interfaces that hold a default route
 * (the WAN). A snapshot: refreshed at start, on reload, and at most once a
 * second when an address it does not know asks. */
#ifndef DNSD_IFADDR_H
#define DNSD_IFADDR_H

#include <stdbool.h>

#include "netaddr.h"

#define IFADDR_MAX 256         /* addresses kept; more are ignored (logged) */
#define IFADDR_REFRESH_MS 1000 /* ifaddr_refresh_limited at most this often */

struct ifaddr_table;

/* An empty snapshot (call ifaddr_refresh). Caller frees with ifaddr_free. */
struct ifaddr_table *ifaddr_new(void);
void ifaddr_free(struct ifaddr_table *ifa);
/* Take a new snapshot now; on failure the previous one stays (logged). */
void ifaddr_refresh(struct ifaddr_table *ifa);
/* Refresh unless the last refresh was less than IFADDR_REFRESH_MS ago.
 * true when it refreshed. */
bool ifaddr_refresh_limited(struct ifaddr_table *ifa);

/* Whether a is one of this machine's addresses. */
bool ifaddr_is_own(const struct ifaddr_table *ifa, const struct netaddr *a);

/* Whether a is on a subnet attached to a LAN interface: one named in lan
 * (nlan names), or with nlan 0 any interface but loopback and those holding
 * a default route. A link-local a matches only the interface the query came
 * in on (ifindex; 0 when unknown: any LAN interface). */
bool ifaddr_on_lan(const struct ifaddr_table *ifa, const struct netaddr *a, unsigned ifindex,
                   char *const *lan, int nlan);

#endif
