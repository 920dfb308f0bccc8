/* Fuzz harness for the policy file (policy/policy.c and its pattern and time
 * parsers): load the bytes as a policy; when they load, ask decisions for a
 * fixed set of names, clients and moments, and run the reports dnsd-policy
 * prints (timeline, explain, the three exports) into /dev/null. */
#include <assert.h>
#include <string.h>

#include "fuzz.h"
#include "policy.h"

static FILE *fuzz_null;

static const char *const fuzz_names[] = {
    "kaspersky.com",
    "www.Kaspersky.COM.",
    "dnl-01.geo.kaspersky.com",
    "dnl-x.y.geo.kaspersky.com",
    "ksn-a.kaspersky-labs.com",
    "a.b.c.d.e.f.g.h.example.org",
    "example.org",
    ".",
    "*",
    "xn--80ak6aa92e.com",
    "-",
    "a..b",
    NULL,
};

/* Around the shipped boundaries (2024-07-20 and 2024-09-29, New York) and
 * before any build floor. */
static const time_t fuzz_times[] = {0, 1721448000 - 1, 1721448000, 1727582400, 1900000000};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const char list[] = "# a pattern file next to the policy\nkaspersky.com\n"
	                           "=ksn.kaspersky-labs.com\ndnl-*.geo.kaspersky.com\n";

	if ((fuzz_null = fopen("/dev/null", "w")) == NULL)
		abort();
	fuzz_scratch_file("list.txt", (const uint8_t *)list, sizeof list - 1);
	return 0;
}

static void
fuzz_policy_decisions(const struct policy *p)
{
	struct client clients[3] = {{.has_mac = false},
	                            {.mac = {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01}, .has_mac = true},
	                            {.has_mac = false}};
	struct policy_decision d;
	size_t t;
	int n, c;

	netaddr_parse(&clients[0].addr, "192.168.1.10");
	netaddr_parse(&clients[1].addr, "10.0.3.7");
	netaddr_parse(&clients[2].addr, "fd00::7");
	for (n = 0; fuzz_names[n] != NULL; n++) {
		for (c = 0; c < 3; c++) {
			for (t = 0; t < sizeof fuzz_times / sizeof fuzz_times[0]; t++) {
				if (policy_decide_name_ex(p, fuzz_names[n], &clients[c],
				                          fuzz_times[t],
				                          t % 2 ? POLICY_NOW_TRUSTED : 0, &d) == 0)
					assert(d.action <= POLICY_SINKHOLE);
			}
		}
		policy_explain(p, fuzz_names[n], &clients[n % 3], fuzz_times[n % 5],
		               POLICY_NOW_TRUSTED, fuzz_null);
	}
	for (t = 0; t < sizeof fuzz_times / sizeof fuzz_times[0]; t++) {
		policy_phase_at(p, fuzz_times[t]);
		policy_phase_at_ex(p, fuzz_times[t], 0);
		policy_next_boundary(p, fuzz_times[t]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct policy *p;

	if (fuzz_names_outside(data, size))
		return 0;
	/* A pattern "file" is read relative to the policy: list.txt is there. */
	p = policy_load(fuzz_scratch_file("policy.conf", data, size), err, sizeof err);
	if (p == NULL) {
		assert(memchr(err, '\0', sizeof err) != NULL);
		return 0;
	}
	fuzz_policy_decisions(p);
	policy_timeline(p, fuzz_null);
	policy_export(p, POLICY_EXPORT_RPZ, 1727582400, fuzz_null);
	policy_export(p, POLICY_EXPORT_UNBOUND, 1727582400, fuzz_null);
	policy_export(p, POLICY_EXPORT_DNSMASQ, 1727582400, fuzz_null);
	policy_free(p);
	return 0;
}
