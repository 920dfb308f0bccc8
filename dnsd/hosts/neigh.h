/* MAC addresses from the kernel's neighbour table: /proc/net/arp for IPv4,
 * an rtnetlink RTM_GETNEIGH dump for IPv6. The whole table is snapshotted at
 * most once per TTL seconds (at most NEIGH_MAX entries, memory grown with
 * the table) and sorted, so a lookup is a binary search in memory, never a
 * syscall per query; a miss reads the table again at most ten times a
 * second. */
#ifndef DNSD_NEIGH_H
#define DNSD_NEIGH_H

#include <stdio.h>
#include <time.h>

#include "netaddr.h"

#define NEIGH_MAX 2048

struct neigh;

struct neigh_entry {
	struct netaddr addr;
	uint8_t mac[6];
};

/* arp_path NULL means /proc/net/arp; ipv6 false skips the netlink dump
 * (tests). Caller frees. */
struct neigh *neigh_new(int ttl, const char *arp_path, bool ipv6);
void neigh_free(struct neigh *n);

/* 0 and mac filled when addr is in the table, -1 otherwise. A miss takes
 * the snapshot again first when the last one is over 100 ms old, so a host
 * new to the LAN is found before the TTL runs out. */
int neigh_lookup(struct neigh *n, const struct netaddr *addr, time_t now, uint8_t mac[6]);

/* Parse /proc/net/arp text: complete entries only. Returns how many. */
int neigh_parse_arp(FILE *f, struct neigh_entry *out, int max);

#endif
