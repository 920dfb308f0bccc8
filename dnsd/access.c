/* Who may ask: the allow list first, then the LAN's attached subnets, then
 * one rate-limited refresh of the interface snapshot (a new LAN address or
 * prefix appears without a reload). Refusals are logged with the address,
 * one line per ACCESS_LOG_S with the number left unlogged. */
#include "access.h"

#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "log.h"

struct access {
	struct ifaddr_table *ifa;
	const struct config *cfg;
	time_t logged;          /* monotonic s of the last refusal logged */
	unsigned long unlogged; /* refusals since */
};

struct access *
access_new(struct ifaddr_table *ifa, const struct config *c)
{
	struct access *acc = calloc(1, sizeof *acc);
	if (acc == NULL)
		return NULL;
	acc->ifa = ifa;
	acc->cfg = c;
	return acc;
}

void
access_configure(struct access *acc, const struct config *c)
{
	acc->cfg = c;
}

void
access_free(struct access *acc)
{
	free(acc);
}

static bool
access_lan(const struct access *acc, const struct netaddr *a, unsigned ifindex)
{
	const struct config *c = acc->cfg;
	return ifaddr_on_lan(acc->ifa, a, ifindex, c->lan_interfaces, c->nlan_interfaces);
}

static void
access_log_refused(struct access *acc, const struct netaddr *a)
{
	char buf[NETADDR_STRLEN];
	time_t now = clock_mono_s();
	if (acc->logged && now - acc->logged < ACCESS_LOG_S) {
		acc->unlogged++;
		return;
	}
	log_warnx("refused a query from %s: not in allow%s (%lu more refused since the last "
	          "such line)",
	          netaddr_str(a, buf), acc->cfg->local_service ? " and on no LAN subnet" : "",
	          acc->unlogged);
	acc->logged = now ? now : 1;
	acc->unlogged = 0;
}

bool
access_check(struct access *acc, const struct netaddr *a, unsigned ifindex)
{
	const struct config *c = acc->cfg;
	for (int i = 0; i < c->nallow; i++)
		if (cidr_contains(&c->allow[i], a))
			return true;
	if (c->local_service && (access_lan(acc, a, ifindex) ||
	                         (ifaddr_refresh_limited(acc->ifa) && access_lan(acc, a, ifindex))))
		return true;
	access_log_refused(acc, a);
	return false;
}
