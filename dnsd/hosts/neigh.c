/* Neighbour table snapshot (see neigh.h). */
#include "neigh.h"

#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define ATF_COM 0x02 /* completed entry, from linux/if_arp.h */
/* A miss re-reads the table at most this often: a new host's address is
 * in the kernel's table (it just sent us an ARP request or an NS) before
 * the snapshot's TTL runs out, and its first record should carry the MAC;
 * off-link clients that always miss cost at most 10 reads a second. */
#define NEIGH_RETRY_MS 100

struct neigh {
	int ttl;
	bool ipv6;
	char *arp_path;
	time_t taken;
	long long taken_ms; /* monotonic milliseconds of the last snapshot */
	int n, cap;
	struct neigh_entry *tab; /* sorted by address; grown up to NEIGH_MAX */
};

struct neigh *
neigh_new(int ttl, const char *arp_path, bool ipv6)
{
	struct neigh *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->ttl = ttl > 0 ? ttl : 1;
	n->ipv6 = ipv6;
	n->taken = -1;
	if (!(n->arp_path = strdup(arp_path ? arp_path : "/proc/net/arp"))) {
		free(n);
		return NULL;
	}
	return n;
}

void
neigh_free(struct neigh *n)
{
	if (!n)
		return;
	free(n->arp_path);
	free(n->tab);
	free(n);
}

int
neigh_parse_arp(FILE *f, struct neigh_entry *out, int max)
{
	char line[256], ip[64], hw[64];
	unsigned int type, flags;
	int n = 0;
	while (n < max && fgets(line, sizeof line, f)) {
		if (sscanf(line, "%63s 0x%x 0x%x %63s", ip, &type, &flags, hw) != 4 ||
		    !(flags & ATF_COM))
			continue;
		if (netaddr_parse(&out[n].addr, ip) == 0 && mac_parse(out[n].mac, hw) == 0)
			n++;
	}
	return n;
}

/* Room for one more entry. */
static bool
reserve(struct neigh *n)
{
	if (n->n < n->cap)
		return true;
	int cap = n->cap ? n->cap * 2 : 16;
	cap = cap < NEIGH_MAX ? cap : NEIGH_MAX;
	struct neigh_entry *t = cap > n->cap ? realloc(n->tab, (size_t)cap * sizeof *t) : NULL;
	if (!t)
		return false;
	n->tab = t;
	n->cap = cap;
	return true;
}

static int
addr_cmp(const struct netaddr *x, const struct netaddr *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof x->addr);
}

static int
entry_cmp(const void *a, const void *b)
{
	return addr_cmp(&((const struct neigh_entry *)a)->addr,
	                &((const struct neigh_entry *)b)->addr);
}

static void
add_nlmsg(struct neigh *n, const struct nlmsghdr *h)
{
	const struct ndmsg *nd = NLMSG_DATA(h);
	const uint8_t *dst = NULL, *lladdr = NULL;
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof *nd);
	if (len < 0 || nd->ndm_family != AF_INET6 ||
	    !(nd->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)))
		return;
	for (const struct rtattr *a =
	         (const struct rtattr *)((const char *)nd + NLMSG_ALIGN(sizeof *nd));
	     RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) == 16)
			dst = RTA_DATA(a);
		else if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6)
			lladdr = RTA_DATA(a);
	}
	if (!dst || !lladdr || !reserve(n))
		return;
	struct neigh_entry *e = &n->tab[n->n++];
	memset(&e->addr, 0, sizeof e->addr);
	e->addr.family = AF_INET6;
	memcpy(e->addr.addr, dst, 16);
	memcpy(e->mac, lladdr, 6);
}

static void
dump_ipv6(struct neigh *n)
{
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
	} req = {.h = {.nlmsg_len = sizeof req,
	               .nlmsg_type = RTM_GETNEIGH,
	               .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
	               .nlmsg_seq = 1},
	         .nd = {.ndm_family = AF_INET6}};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd == -1)
		return;
	struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (send(fd, &req, sizeof req, 0) == (ssize_t)sizeof req) {
		char buf[16384] __attribute__((aligned(4)));
		for (bool done = false; !done;) {
			ssize_t r = recv(fd, buf, sizeof buf, 0);
			if (r <= 0)
				break;
			int len = (int)r;
			for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
			     h = NLMSG_NEXT(h, len)) {
				if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
					done = true;
					break;
				}
				if (h->nlmsg_type == RTM_NEWNEIGH)
					add_nlmsg(n, h);
			}
		}
	}
	close(fd);
}

static void
snapshot(struct neigh *n)
{
	FILE *f = fopen(n->arp_path, "r");
	n->n = 0;
	if (f) {
		/* one entry at a time: the table grows with the neighbours */
		while (reserve(n) && neigh_parse_arp(f, &n->tab[n->n], 1) == 1)
			n->n++;
		fclose(f);
	}
	if (n->ipv6)
		dump_ipv6(n);
	if (n->n > 1)
		qsort(n->tab, (size_t)n->n, sizeof *n->tab, entry_cmp);
}

static void
take(struct neigh *n, time_t now)
{
	n->taken = now;
	n->taken_ms = clock_mono_ms();
	snapshot(n);
}

/* binary search by hand: bsearch's indirect calls cost more than the
 * search itself on the small tables of most LANs */
static int
search(const struct neigh *n, const struct netaddr *addr, uint8_t mac[6])
{
	for (int lo = 0, hi = n->n; lo < hi;) {
		int mid = lo + (hi - lo) / 2, c = addr_cmp(addr, &n->tab[mid].addr);
		if (c == 0) {
			memcpy(mac, n->tab[mid].mac, 6);
			return 0;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

int
neigh_lookup(struct neigh *n, const struct netaddr *addr, time_t now, uint8_t mac[6])
{
	bool fresh = n->taken < 0 || now - n->taken >= n->ttl || now < n->taken;
	if (fresh)
		take(n, now);
	if (search(n, addr, mac) == 0)
		return 0;
	if (fresh || clock_mono_ms() - n->taken_ms < NEIGH_RETRY_MS)
		return -1;
	take(n, now);
	return search(n, addr, mac);
}
