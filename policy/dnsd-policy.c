/* dnsd-policy: check, explain, show and export dnsd policy files.
 * A thin front end: every answer comes from the policy library, so what it
 * says is what dnsd does. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "tztime.h"

static const char usage_text[] =
    "usage: dnsd-policy check FILE\n"
    "       dnsd-policy explain FILE NAME [--client IP] [--mac MAC] [--at DATETIME]\n"
    "       dnsd-policy timeline FILE\n"
    "       dnsd-policy export FILE --format rpz|unbound|dnsmasq [--at DATETIME]\n"
    "\n"
    "check     list every error as file:line: message; exit 0 when the file is good\n"
    "explain   the category, pattern, phase, action and reason for NAME\n"
    "timeline  the phases, their start in the file's time zone and UTC, what each blocks\n"
    "export    the rules in force (now, or at DATETIME) for clients in no group\n"
    "\n"
    "DATETIME: \"2024-07-20\", \"2024-07-20 00:00\" (the file's timezone),\n"
    "\"2024-07-20 00:00 America/New_York\" or \"2024-07-20T04:00:00Z\"/\"...-04:00\".\n"
    "An explicit --at is trusted as far as the build date goes; before the file's\n"
    "not_before it is an unsynced clock and the unsynced rule applies, as in dnsd.\n";

static int
usage(const char *why)
{
	if (why)
		fprintf(stderr, "dnsd-policy: %s\n", why);
	fputs(usage_text, stderr);
	return 2;
}

static void
print_error(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s\n", msg);
}

static int
cmd_check(const char *path)
{
	int n = policy_check(path, print_error, NULL);
	if (n) {
		fprintf(stderr, "%s: %d error%s\n", path, n, n == 1 ? "" : "s");
		return 1;
	}
	printf("%s: ok\n", path);
	return 0;
}

struct opts {
	const char *client, *mac, *at, *format;
};

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"client", required_argument, NULL, 'c'}, {"mac", required_argument, NULL, 'm'},
	    {"at", required_argument, NULL, 'a'},     {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
	int ch;
	while ((ch = getopt_long(argc, argv, "+c:m:a:f:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->client = optarg;
			break;
		case 'm':
			o->mac = optarg;
			break;
		case 'a':
			o->at = optarg;
			break;
		case 'f':
			o->format = optarg;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/* The moment to evaluate: --at (trusted) or the system clock. */
static int
eval_time(const struct policy *p, const char *at, time_t *now, unsigned *flags)
{
	char err[300];
	*flags = 0;
	*now = time(NULL);
	if (!at)
		return 0;
	if (tztime_parse(at, policy_timezone(p), now, err, sizeof err) < 0) {
		fprintf(stderr, "dnsd-policy: --at: %s\n", err);
		return -1;
	}
	*flags = POLICY_NOW_TRUSTED;
	return 0;
}

static int
cmd_explain(const struct policy *p, const char *name, const struct opts *o)
{
	struct client c = {0};
	time_t now;
	unsigned flags;
	if (o->client && netaddr_parse(&c.addr, o->client) < 0)
		return usage("--client: not an IPv4 or IPv6 address");
	if (o->mac) {
		if (mac_parse(c.mac, o->mac) < 0)
			return usage("--mac: not a MAC address (aa:bb:cc:dd:ee:ff)");
		c.has_mac = true;
	}
	if (eval_time(p, o->at, &now, &flags) < 0)
		return 2;
	if (policy_explain(p, name, &c, now, flags, stdout) < 0) {
		fprintf(stderr, "dnsd-policy: \"%s\" is not a valid domain name\n", name);
		return 1;
	}
	return 0;
}

static int
cmd_export(const struct policy *p, const struct opts *o)
{
	static const char *const names[] = {"rpz", "unbound", "dnsmasq"};
	static const enum policy_export_format fmts[] = {POLICY_EXPORT_RPZ, POLICY_EXPORT_UNBOUND,
	                                                 POLICY_EXPORT_DNSMASQ};
	time_t now;
	unsigned flags;
	if (!o->format)
		return usage("export needs --format rpz|unbound|dnsmasq");
	for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
		if (strcmp(o->format, names[i]) == 0) {
			if (eval_time(p, o->at, &now, &flags) < 0)
				return 2;
			policy_export(p, fmts[i], now, stdout);
			return 0;
		}
	return usage("--format: want rpz, unbound or dnsmasq");
}

int
main(int argc, char **argv)
{
	struct opts o = {0};
	char err[1024];
	if (argc < 2)
		return usage(NULL);
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	int want = strcmp(cmd, "explain") == 0 ? 2 : 1;
	if (strcmp(cmd, "check") && strcmp(cmd, "explain") && strcmp(cmd, "timeline") &&
	    strcmp(cmd, "export"))
		return usage("unknown command");
	/* Options may come anywhere after the command. */
	const char *pos[2] = {NULL, NULL};
	int npos = 0;
	optind = 2;
	while (optind < argc) {
		if (argv[optind][0] != '-' || argv[optind][1] == '\0') {
			if (npos >= want)
				return usage("too many arguments");
			pos[npos++] = argv[optind++];
			continue;
		}
		if (parse_opts(argc, argv, &o) < 0)
			return usage(NULL);
	}
	if (npos < want)
		return usage(want == 2 ? "explain needs FILE and NAME" : "missing FILE");
	if (strcmp(cmd, "check") == 0)
		return cmd_check(pos[0]);

	struct policy *p = policy_load(pos[0], err, sizeof err);
	if (!p) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	int rc = 0;
	if (strcmp(cmd, "explain") == 0)
		rc = cmd_explain(p, pos[1], &o);
	else if (strcmp(cmd, "timeline") == 0)
		policy_timeline(p, stdout);
	else
		rc = cmd_export(p, &o);
	policy_free(p);
	return rc;
}
