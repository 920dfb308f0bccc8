/* Addresses, CIDR prefixes and MAC addresses (see netaddr.h). */
#include "netaddr.h"

#include "hash.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static void
netaddr_normalise(struct netaddr *na)
{
	if (na->family == AF_INET6 && memcmp(na->addr, v4mapped, 12) == 0) {
		memmove(na->addr, na->addr + 12, 4);
		memset(na->addr + 4, 0, 12);
		na->family = AF_INET;
	}
}

int
netaddr_parse(struct netaddr *na, const char *text)
{
	memset(na, 0, sizeof *na);
	if (inet_pton(AF_INET, text, na->addr) == 1)
		na->family = AF_INET;
	else if (inet_pton(AF_INET6, text, na->addr) == 1)
		na->family = AF_INET6;
	else
		return -1;
	netaddr_normalise(na);
	return 0;
}

void
netaddr_from_sockaddr(struct netaddr *na, const struct sockaddr *sa)
{
	memset(na, 0, sizeof *na);
	if (sa->sa_family == AF_INET) {
		na->family = AF_INET;
		memcpy(na->addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		na->family = AF_INET6;
		memcpy(na->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		netaddr_normalise(na);
	}
}

static void
mask_bits(uint8_t *addr, int prefix, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		int keep = prefix - i * 8;
		if (keep >= 8)
			continue;
		addr[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

int
cidr_parse(struct cidr *c, const char *text)
{
	char buf[64];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);

	if (len >= sizeof buf)
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (netaddr_parse(&c->net, buf) == -1)
		return -1;
	/* A mapped address given with an IPv6 prefix length: shift the length. */
	int was_v6 = strchr(buf, ':') != NULL;
	int max = c->net.family == AF_INET ? 32 : 128;
	if (slash) {
		char *end;
		long p = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || p < 0 || p > (was_v6 ? 128 : max))
			return -1;
		if (was_v6 && c->net.family == AF_INET)
			p = p < 96 ? 0 : p - 96;
		c->prefix = (int)p;
	} else
		c->prefix = max;
	mask_bits(c->net.addr, c->prefix, 16);
	return 0;
}

bool
cidr_contains(const struct cidr *c, const struct netaddr *na)
{
	if (c->net.family != na->family)
		return false;
	int full = c->prefix / 8, rest = c->prefix % 8;
	if (memcmp(c->net.addr, na->addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t m = (uint8_t)(0xff << (8 - rest));
	return (na->addr[full] & m) == c->net.addr[full];
}

bool
netaddr_equal(const struct netaddr *a, const struct netaddr *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, 16) == 0;
}

const char *
netaddr_str(const struct netaddr *na, char *buf)
{
	if (na->family == 0 || !inet_ntop(na->family, na->addr, buf, NETADDR_STRLEN))
		strcpy(buf, "-");
	return buf;
}

int
mac_parse(uint8_t mac[6], const char *text)
{
	unsigned int b[6];
	char sep[5], tail;
	if (sscanf(text, "%2x%c%2x%c%2x%c%2x%c%2x%c%2x%c", &b[0], &sep[0], &b[1], &sep[1], &b[2],
	           &sep[2], &b[3], &sep[3], &b[4], &sep[4], &b[5], &tail) != 11)
		return -1;
	for (int i = 0; i < 5; i++)
		if (sep[i] != sep[0] || (sep[0] != ':' && sep[0] != '-'))
			return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

const char *
mac_str(const uint8_t mac[6], char *buf)
{
	snprintf(buf, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
	         mac[4], mac[5]);
	return buf;
}

uint32_t
netaddr_hash(uint32_t h, const struct netaddr *na)
{
	return hash_bytes(h, na->addr, na->family == AF_INET ? 4 : 16);
}
