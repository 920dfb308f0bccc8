/* Addresses, CIDR prefixes and MAC addresses: parsing, printing, matching.
 * Shared by the policy engine (client groups) and the daemon (allow lists).
 * IPv4-mapped IPv6 addresses are normalised to IPv4. No allocation. */
#ifndef DNSD_NETADDR_H
#define DNSD_NETADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct netaddr {
	int family;       /* AF_INET or AF_INET6; 0 when unknown */
	uint8_t addr[16]; /* network order; IPv4 uses the first 4 */
};

struct cidr {
	struct netaddr net; /* host bits cleared */
	int prefix;
};

#define NETADDR_STRLEN 46 /* INET6_ADDRSTRLEN */
#define MAC_STRLEN 18

/* 0 on success, -1 when the text is not an address / prefix / MAC. */
int netaddr_parse(struct netaddr *na, const char *text);
int cidr_parse(struct cidr *c, const char *text); /* "a.b.c.d/n", "x::/n", bare address = host */
int mac_parse(uint8_t mac[6], const char *text);  /* aa:bb:cc:dd:ee:ff or aa-bb-... */

void netaddr_from_sockaddr(struct netaddr *na, const struct sockaddr *sa);
bool cidr_contains(const struct cidr *c, const struct netaddr *na);
bool netaddr_equal(const struct netaddr *a, const struct netaddr *b);

/* Write into buf (NETADDR_STRLEN / MAC_STRLEN bytes) and return it. */
const char *netaddr_str(const struct netaddr *na, char *buf);
const char *mac_str(const uint8_t mac[6], char *buf);

/* h continued (hash_bytes) over the address's bytes: 4 or 16. */
uint32_t netaddr_hash(uint32_t h, const struct netaddr *na);

#endif
