/* The machine's own addresses and attached subnets from getifaddrs(3); the
 * WAN is every interface holding a default route in the main table
 * (/proc/self/net/route and ipv6_route: /proc/net is hidden under systemd's
 * ProcSubset=pid). Answers "is this address ours"
 * for the resolv.conf loop check and "is this client on the LAN" for the
 * default access rule. */
#define _GNU_SOURCE
#include "ifaddr.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"

#define IFADDR_MAX_WAN 16

struct ifaddr_entry {
	char name[IF_NAMESIZE];
	unsigned ifindex;
	struct cidr subnet;  /* the attached subnet */
	struct netaddr addr; /* our address on it */
	bool loopback, wan;
};

struct ifaddr_table {
	struct ifaddr_entry e[IFADDR_MAX];
	int n;
	long long refreshed_ms; /* monotonic; 0: never */
};

struct ifaddr_table *
ifaddr_new(void)
{
	return calloc(1, sizeof(struct ifaddr_table));
}

void
ifaddr_free(struct ifaddr_table *ifa)
{
	free(ifa);
}

static int
ifaddr_prefix_len(const struct sockaddr *mask)
{
	struct netaddr m;
	int len = 0;
	netaddr_from_sockaddr(&m, mask);
	for (int i = 0; i < (m.family == AF_INET ? 4 : 16); i++)
		len += __builtin_popcount(m.addr[i]);
	return len;
}

/* Names of the interfaces with a default route, into wan[]; their count. */
static int
ifaddr_default_routes(char wan[][IF_NAMESIZE], int max)
{
	char line[512], iface[IF_NAMESIZE], dest[40];
	unsigned long dlen, flags, mask;
	int n = 0;
	FILE *f = fopen("/proc/self/net/route", "r");
	while (f && fgets(line, sizeof line, f) && n < max)
		if (sscanf(line, "%15s %39s %*s %lx %*s %*s %*s %lx", iface, dest, &flags, &mask) ==
		        4 &&
		    strcmp(dest, "00000000") == 0 && mask == 0 && (flags & 1))
			snprintf(wan[n++], IF_NAMESIZE, "%s", iface);
	if (f)
		fclose(f);
	/* dest dlen src slen nexthop metric refcnt use flags iface; a reject
	 * route (flag 0x200, the kernel's "unreachable" on lo) is no WAN. */
	f = fopen("/proc/self/net/ipv6_route", "r");
	while (f && fgets(line, sizeof line, f) && n < max)
		if (sscanf(line, "%39s %lx %*s %*s %*s %*s %*s %*s %lx %15s", dest, &dlen, &flags,
		           iface) == 4 &&
		    dlen == 0 && strspn(dest, "0") == 32 && !(flags & 0x200) &&
		    strcmp(iface, "lo") != 0)
			snprintf(wan[n++], IF_NAMESIZE, "%s", iface);
	if (f)
		fclose(f);
	return n;
}

void
ifaddr_refresh(struct ifaddr_table *ifa)
{
	struct ifaddrs *all;
	char wan[IFADDR_MAX_WAN][IF_NAMESIZE];
	ifa->refreshed_ms = clock_mono_ms();
	if (getifaddrs(&all) < 0) {
		log_warnx("getifaddrs: %s: keeping the previous interface addresses",
		          strerror(errno));
		return;
	}
	int nwan = ifaddr_default_routes(wan, IFADDR_MAX_WAN), n = 0, skipped = 0;
	for (struct ifaddrs *i = all; i; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_netmask == NULL ||
		    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		if (n == IFADDR_MAX) {
			skipped++;
			continue;
		}
		struct ifaddr_entry *e = &ifa->e[n++];
		memset(e, 0, sizeof *e);
		snprintf(e->name, sizeof e->name, "%s", i->ifa_name);
		e->ifindex = if_nametoindex(i->ifa_name);
		e->loopback = (i->ifa_flags & IFF_LOOPBACK) != 0;
		netaddr_from_sockaddr(&e->addr, i->ifa_addr);
		e->subnet.net = e->addr;
		e->subnet.prefix = ifaddr_prefix_len(i->ifa_netmask);
		/* Host bits cleared, as cidr_contains expects. */
		for (int b = e->subnet.prefix; b < 128; b++)
			e->subnet.net.addr[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
		for (int w = 0; w < nwan && !e->wan; w++)
			e->wan = strcmp(wan[w], e->name) == 0;
	}
	freeifaddrs(all);
	if (skipped)
		log_warnx("interfaces: %d addresses beyond the first %d ignored", skipped,
		          IFADDR_MAX);
	ifa->n = n;
}

bool
ifaddr_refresh_limited(struct ifaddr_table *ifa)
{
	if (ifa->refreshed_ms && clock_mono_ms() - ifa->refreshed_ms < IFADDR_REFRESH_MS)
		return false;
	ifaddr_refresh(ifa);
	return true;
}

bool
ifaddr_is_own(const struct ifaddr_table *ifa, const struct netaddr *a)
{
	/* All of 127/8 is ours, not just the address lo carries. */
	for (int i = 0; i < ifa->n; i++)
		if (netaddr_equal(&ifa->e[i].addr, a) ||
		    (ifa->e[i].loopback && cidr_contains(&ifa->e[i].subnet, a)))
			return true;
	return false;
}

static bool
ifaddr_link_local(const struct netaddr *a)
{
	return a->family == AF_INET ? a->addr[0] == 169 && a->addr[1] == 254
	                            : a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80;
}

static bool
ifaddr_is_lan(const struct ifaddr_entry *e, char *const *lan, int nlan)
{
	if (nlan == 0)
		return !e->loopback && !e->wan;
	for (int i = 0; i < nlan; i++)
		if (strcmp(lan[i], e->name) == 0)
			return true;
	return false;
}

bool
ifaddr_on_lan(const struct ifaddr_table *ifa, const struct netaddr *a, unsigned ifindex,
              char *const *lan, int nlan)
{
	bool ll = ifaddr_link_local(a);
	for (int i = 0; i < ifa->n; i++) {
		const struct ifaddr_entry *e = &ifa->e[i];
		if (ll && ifindex && e->ifindex != ifindex)
			continue;
		if (ifaddr_is_lan(e, lan, nlan) && cidr_contains(&e->subnet, a))
			return true;
	}
	return false;
}
