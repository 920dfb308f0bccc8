/* Wiring of the per-host subsystem (see hostlog.h). */
#include "hostlog.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventlog.h"
#include "hostreport.h"
#include "hosts.h"
#include "leases.h"
#include "log.h"
#include "neigh.h"

struct hostlog {
	struct event_base *base;
	struct clientid_opts clientid;
	struct eventlog *elog;
	struct leases *leases;
	struct neigh *neigh;
	struct hosts *hosts;
	uint8_t plain[256]; /* name_plain's map: a byte lower-cased, 0 when not plain */
};

/* name_plain's map: letters (lower-cased), digits, '-' and '_'. */
static void
plain_map_init(uint8_t map[256])
{
	memset(map, 0, 256);
	for (int c = '0'; c <= '9'; c++)
		map[c] = (uint8_t)c;
	for (int c = 'a'; c <= 'z'; c++)
		map[c] = map[c - 'a' + 'A'] = (uint8_t)c;
	map['-'] = '-';
	map['_'] = '_';
}

/* New sinks from parsed options; the old ones are freed on success. */
static int
build_sinks(struct hostlog *hl, const struct hosts_opts *ho, const struct eventlog_opts *lo)
{
	struct eventlog *elog = eventlog_new(lo, hl->base);
	struct leases *leases = leases_new(ho->leases_file, ho->odhcpd_file);
	struct neigh *neigh = neigh_new(ho->neigh_ttl, NULL, true);
	if (!elog || !leases || !neigh) {
		eventlog_free(elog);
		leases_free(leases);
		neigh_free(neigh);
		return -1;
	}
	eventlog_free(hl->elog);
	leases_free(hl->leases);
	neigh_free(hl->neigh);
	hl->elog = elog;
	hl->leases = leases;
	hl->neigh = neigh;
	hl->clientid = ho->clientid;
	if (hl->hosts)
		hosts_set_sinks(hl->hosts, hl->leases, hl->elog);
	return 0;
}

struct hostlog *
hostlog_new(const struct config *c, struct event_base *base, char *err, size_t errlen)
{
	struct hostlog *hl = calloc(1, sizeof *hl);
	if (!hl) {
		snprintf(err, errlen, "hostlog: out of memory");
		return NULL;
	}
	hl->base = base;
	plain_map_init(hl->plain);
	if (build_sinks(hl, c->hosts, c->log) == -1 ||
	    !(hl->hosts = hosts_new(c->hosts, base, hl->leases, hl->elog))) {
		snprintf(err, errlen, "hostlog: out of memory");
		hostlog_free(hl);
		return NULL;
	}
	return hl;
}

int
hostlog_configure(struct hostlog *hl, const struct config *c, char *err, size_t errlen)
{
	const struct hosts_opts *ho = c->hosts;
	int rc = build_sinks(hl, ho, c->log);
	if (rc == -1)
		snprintf(err, errlen, "hostlog: out of memory");
	const struct hosts_opts *cur = hosts_options(hl->hosts);
	if (rc == 0 &&
	    (ho->max_hosts != cur->max_hosts || ho->max_bytes != cur->max_bytes ||
	     ho->archive_max_size != cur->archive_max_size ||
	     (ho->archive && (!cur->archive || strcmp(ho->archive, cur->archive) != 0)) ||
	     ho->max_names != cur->max_names || ho->recent != cur->recent ||
	     ho->days != cur->days || ho->save_interval != cur->save_interval ||
	     (ho->state_file == NULL) != (cur->state_file == NULL) ||
	     (ho->state_file && strcmp(ho->state_file, cur->state_file) != 0)))
		log_warnx("reload: the hosts table sizes, state file and archive change only on "
		          "restart");
	return rc;
}

void
hostlog_free(struct hostlog *hl)
{
	if (!hl)
		return;
	if (hl->hosts) {
		hosts_save(hl->hosts, time(NULL));
		hosts_free(hl->hosts);
	}
	eventlog_free(hl->elog);
	leases_free(hl->leases);
	neigh_free(hl->neigh);
	free(hl);
}

void
hostlog_identify(struct hostlog *hl, const struct netaddr *src, const struct msg_query *q,
                 struct client *ci)
{
	clientid_identify(&hl->clientid, src, q, ci);
	/* also behind a forwarder on this router: the client is our neighbour too */
	if (!ci->has_mac && neigh_lookup(hl->neigh, &ci->addr, time(NULL), ci->mac) == 0)
		ci->has_mac = true;
}

/* The usual name (letters, digits, '-', '_') straight into out, lower-cased,
 * without the trailing dot: this runs for every query with a category, and
 * ldns' general printer costs a buffer allocation and a printf per label.
 * -1 for anything else, which then goes through ldns. */
static int
name_plain(const uint8_t map[256], const uint8_t *wire, size_t len, char *out, size_t cap)
{
	size_t o = 0, i = 0;
	while (i < len && wire[i]) {
		size_t l = wire[i++];
		if (l > 63 || i + l > len || o + l + 1 >= cap)
			return -1;
		if (o)
			out[o++] = '.';
		for (size_t end = i + l; i < end; i++)
			if (!(out[o++] = (char)map[wire[i]]))
				return -1;
	}
	if (o == 0 || i >= len)
		return -1; /* the root, or no terminating label */
	out[o] = '\0';
	return 0;
}

void
hostlog_record(struct hostlog *hl, const struct client *ci, const uint8_t *qname, size_t qname_len,
               uint16_t qtype, const struct policy_decision *d)
{
	char plain[LDNS_MAX_DOMAINLEN + 1];
	if (name_plain(hl->plain, qname, qname_len, plain, sizeof plain) == 0) {
		hosts_record(hl->hosts, ci, plain, qtype, d, time(NULL));
		return;
	}
	ldns_rdf *rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, qname_len, qname);
	char *name = rdf ? ldns_rdf2str(rdf) : NULL;
	if (name) {
		size_t n = strlen(name);
		if (n > 1 && name[n - 1] == '.')
			name[n - 1] = '\0';
		for (char *p = name; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p | 0x20 : *p);
		hosts_record(hl->hosts, ci, name, qtype, d, time(NULL));
	}
	free(name);
	ldns_rdf_deep_free(rdf);
}

void
hostlog_status(const struct hostlog *hl, struct evbuffer *out)
{
	hosts_status(hl->hosts, time(NULL), out);
	eventlog_status(hl->elog, out);
}

int
hostlog_register(struct hostlog *hl, struct control *c)
{
	return hostreport_register(c, hl->hosts);
}

const struct hosts *
hostlog_hosts(const struct hostlog *hl)
{
	return hl->hosts;
}

const struct eventlog *
hostlog_eventlog(const struct hostlog *hl)
{
	return hl->elog;
}
