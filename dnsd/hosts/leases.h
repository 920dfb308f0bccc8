/* DHCP host names: dnsmasq's lease file (as OpenWrt writes it) and odhcpd's
 * hosts file. Both are re-read when their mtime or size changes, checked
 * at most once a second; at most LEASES_MAX entries are kept. */
#ifndef DNSD_LEASES_H
#define DNSD_LEASES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "netaddr.h"

#define LEASES_MAX 4096
#define LEASES_NAMELEN 64

struct leases;

struct lease {
	struct netaddr addr;
	uint8_t mac[6];
	bool has_mac;
	char hostname[LEASES_NAMELEN];
};

/* Paths are copied; either may be NULL (not read). Caller frees. */
struct leases *leases_new(const char *dnsmasq_path, const char *odhcpd_path);
void leases_free(struct leases *l);

/* The entry for addr, re-reading changed files first. Returns NULL when
 * unknown; the pointer is borrowed until the next leases_* call. */
const struct lease *leases_lookup(struct leases *l, const struct netaddr *addr, time_t now);

/* Re-reads changed files like leases_lookup and returns a number that
 * changes whenever the table did (0 until a file was read): a caller that
 * keeps what it looked up need not look again while it stays the same. */
unsigned leases_generation(struct leases *l, time_t now);

/* Parsers, exposed for tests: append the valid lines of f to out (at most
 * max entries), return how many were added. Malformed lines are skipped. */
int leases_parse_dnsmasq(FILE *f, struct lease *out, int max);
int leases_parse_odhcpd(FILE *f, struct lease *out, int max);

#endif
