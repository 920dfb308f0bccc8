/* The policy engine: (query name, client, time) -> decision.
 * No sockets, no event loop, no logging: the daemon and dnsd-policy both link
 * it. A loaded policy is immutable; a reload loads a new one and swaps the
 * pointer, so a bad file never replaces a good one. */
#ifndef DNSD_POLICY_H
#define DNSD_POLICY_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "client.h"
#include "netaddr.h"

struct policy;

enum policy_action {
	POLICY_NONE = 0, /* the name is in no category: answer normally */
	POLICY_ALLOW,    /* category name, but allowlisted or client exempt */
	POLICY_LOG,      /* answer normally, record the host */
	POLICY_NXDOMAIN,
	POLICY_NODATA,
	POLICY_REFUSED,
	POLICY_SINKHOLE, /* answer A/AAAA with the configured addresses */
};

#define POLICY_SINKHOLE_MAX 4
struct policy_sinkhole {
	int n4, n6;
	struct in_addr a4[POLICY_SINKHOLE_MAX];
	struct in6_addr a6[POLICY_SINKHOLE_MAX];
};

/* Every pointer is borrowed from the policy and valid until policy_free. */
struct policy_decision {
	enum policy_action action;
	const char *category;  /* NULL when no category matched */
	const char *pattern;   /* the matching pattern as written in the file */
	const char *phase;     /* the phase in force for this client, or NULL */
	const char *group;     /* the client group that decided, or NULL */
	const char *reason;    /* short words: "allowlisted", "client exempt", ... */
	time_t until;          /* for an expiring exemption: its end; else 0 */
	uint32_t negative_ttl; /* TTL of the SOA in synthesised negative answers */
	uint32_t answer_ttl;   /* TTL of synthesised sinkhole records */
	const struct policy_sinkhole *sinkhole; /* for POLICY_SINKHOLE */
	bool clock_unsynced; /* now was below the clock floor: unsynced rule applied */
};

/* Load and check a policy file. On error returns NULL and writes
 * "file:line: message" into err. The caller frees with policy_free. */
struct policy *policy_load(const char *path, char *err, size_t errlen);
void policy_free(struct policy *p);

/* Decide for a name in presentation format ("www.Example.com", trailing dot
 * optional). Returns -1 when the name is not a valid domain name. */
int policy_decide_name(const struct policy *p, const char *name, const struct client *c, time_t now,
                       struct policy_decision *d);

/* The clock-sanity floor: the later of the file's not-before and the build
 * date. A clock below it is treated as unsynced. */
time_t policy_clock_floor(const struct policy *p);

/* The default phase in force at now (NULL before the first), and the next
 * phase start or end or exemption expiry after now, or 0 when there is none
 * (the clock reaching the floor is not one: see policy_clock_unsynced). */
const char *policy_phase_at(const struct policy *p, time_t now);
time_t policy_next_boundary(const struct policy *p, time_t now);

const char *policy_action_name(enum policy_action a);
const char *policy_path(const struct policy *p);

/* Flags for the _ex variants. POLICY_NOW_TRUSTED: now is an explicit
 * instant (dnsd -n, policy.now, dnsd-policy --at), taken as it is down to
 * the file's not_before (below it, as a clock that has not synced, the
 * unsynced rule applies); without it a now below policy_clock_floor is
 * "unsynced". POLICY_AUDIT: record everything, block nothing: an action
 * that would block becomes POLICY_LOG. */
#define POLICY_NOW_TRUSTED 0x1
#define POLICY_AUDIT 0x2
/* The floor that applies with flags, and whether now is below it. */
time_t policy_clock_floor_ex(const struct policy *p, unsigned flags);
bool policy_clock_unsynced(const struct policy *p, time_t now, unsigned flags);
/* Decide for a query name in wire format (uncompressed labels ending in the
 * root label, any case). Cost O(number of labels). */
void policy_decide_ex(const struct policy *p, const uint8_t *qname, size_t qname_len,
                      const struct client *c, time_t now, unsigned flags,
                      struct policy_decision *d);
int policy_decide_name_ex(const struct policy *p, const char *name, const struct client *c,
                          time_t now, unsigned flags, struct policy_decision *d);
/* policy_phase_at is the plain timeline; this applies the clock-sanity
 * rule too (the phase dnsd actually uses for default clients). */
const char *policy_phase_at_ex(const struct policy *p, time_t now, unsigned flags);

/* Check a file and report every error found (not only the first) as
 * "file:line: message", one call of report each. Returns the number of
 * errors: 0 when the file loads. */
int policy_check(const char *path, void (*report)(void *arg, const char *msg), void *arg);

/* The file's timezone setting (NULL: none, times print in UTC), the number
 * of patterns (allowlist included) and the bytes the loaded policy holds. */
const char *policy_timezone(const struct policy *p);
size_t policy_pattern_count(const struct policy *p);
size_t policy_memory(const struct policy *p);

/* Text reports for dnsd-policy, written to out. policy_explain returns -1
 * when name is not a valid domain name. */
int policy_explain(const struct policy *p, const char *name, const struct client *c, time_t now,
                   unsigned flags, FILE *out);
void policy_timeline(const struct policy *p, FILE *out);

enum policy_export_format { POLICY_EXPORT_RPZ, POLICY_EXPORT_UNBOUND, POLICY_EXPORT_DNSMASQ };
/* The rules in force at `at` for clients in no group (the clock taken as
 * trusted), in a format other resolvers read; what the format cannot express
 * is widened and said in comments. */
void policy_export(const struct policy *p, enum policy_export_format f, time_t at, FILE *out);

#endif
