/* dnsdctl: the control client. Sends one request line to dnsd's control
 * socket and prints the answer; formats are chosen here, rendered by dnsd. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "fleet.h"
#include "paths.h"

#define DNSDCTL_REPLY_MAX (64u << 20)

static void
usage(void)
{
	fprintf(stderr,
	        "usage: dnsdctl [-s SOCKET | -c CONFIG] COMMAND\n"
	        "       dnsdctl -V | --version\n"
	        "default: the control_socket of " DNSD_CONF_PATH ", else " DNSD_CONTROL_SOCKET "\n"
	        "commands:\n"
	        "  status [--json]          uptime, policy phase, clock, cache, upstreams, logs\n"
	        "  stats                    counters\n"
	        "  hosts [--all] [--json | --csv]\n"
	        "                           hosts that asked policy names, last seen first;\n"
	        "                           --all: also those that left the table (archive)\n"
	        "  host IP|MAC|NAME         one host's recent attempts\n"
	        "  report --html [-o FILE]  a self-contained HTML page (stdout without -o)\n"
	        "  report --merge SITE=FILE... [--json | --html] [-o FILE]\n"
	        "                           one table from several dnsd's hosts --json exports\n"
	        "  reload                   re-read the configuration and policy\n"
	        "  flush-cache              empty the DNS cache\n");
	exit(2);
}

/* The request line for argv, or NULL when the arguments are wrong. */
static char *
request(int argc, char **argv, const char **outfile)
{
	static char line[1024];
	const char *cmd = argv[0];
	if (strcmp(cmd, "hosts") == 0 && argc <= 3) {
		const char *fmt = "text";
		bool all = false;
		for (int i = 1; i < argc; i++) {
			if (strcmp(argv[i], "--all") == 0 && !all)
				all = true;
			else if (strcmp(argv[i], "--json") == 0 && strcmp(fmt, "text") == 0)
				fmt = "json";
			else if (strcmp(argv[i], "--csv") == 0 && strcmp(fmt, "text") == 0)
				fmt = "csv";
			else
				return NULL;
		}
		snprintf(line, sizeof line, "hosts %s%s\n", fmt, all ? " all" : "");
	} else if (strcmp(cmd, "status") == 0 && argc == 2 && strcmp(argv[1], "--json") == 0) {
		snprintf(line, sizeof line, "status json\n");
	} else if (strcmp(cmd, "host") == 0 && argc == 2) {
		if (snprintf(line, sizeof line, "host %s\n", argv[1]) >= (int)sizeof line ||
		    strchr(argv[1], '\n'))
			return NULL;
	} else if (strcmp(cmd, "report") == 0) {
		bool html = false;
		for (int i = 1; i < argc; i++) {
			if (strcmp(argv[i], "--html") == 0)
				html = true;
			else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
				*outfile = argv[++i];
			else
				return NULL;
		}
		if (!html)
			return NULL;
		snprintf(line, sizeof line, "hosts html\n");
	} else if (argc == 1 && (strcmp(cmd, "status") == 0 || strcmp(cmd, "stats") == 0 ||
	                         strcmp(cmd, "reload") == 0 || strcmp(cmd, "flush-cache") == 0 ||
	                         strcmp(cmd, "help") == 0))
		snprintf(line, sizeof line, "%s\n", cmd);
	else
		return NULL;
	return line;
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, "dnsdctl: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {30, 0};
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		fprintf(stderr, "dnsdctl: %s: %s\n", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* The whole answer, NUL-terminated; caller frees. */
static char *
read_reply(int fd)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	ssize_t r;
	while (buf && (r = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)r;
		if (len + 1 == cap) {
			char *nb = cap < DNSDCTL_REPLY_MAX ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* The whole of path, NUL-terminated, in *len bytes; caller frees. NULL
 * with errno set when it cannot be read or is larger than a reply can be. */
static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 65536;
	char *buf = malloc(cap);
	*len = 0;
	while (buf && !ferror(f) && !feof(f)) {
		if (*len + 1 == cap) {
			char *nb = cap < DNSDCTL_REPLY_MAX ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				free(buf);
				buf = NULL;
				errno = EFBIG;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		*len += fread(buf + *len, 1, cap - *len - 1, f);
	}
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf)
		buf[*len] = '\0';
	return buf;
}

/* report --merge: read each SITE=FILE export and print one table; no
 * socket. Exit status as main's. */
static int
merge_report(int argc, char **argv)
{
	enum hostreport_format fmt = HOSTREPORT_TEXT;
	const char *outfile = NULL;
	char err[256];
	int rc = 1;
	struct fleet *fl = fleet_new();
	struct evbuffer *out = evbuffer_new();
	if (!fl || !out) {
		fprintf(stderr, "dnsdctl: out of memory\n");
		goto done;
	}
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (strcmp(argv[i], "--merge") == 0)
			continue;
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "--html") == 0)
			fmt = argv[i][2] == 'j' ? HOSTREPORT_JSON : HOSTREPORT_HTML;
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			outfile = argv[++i];
		else if (eq && argv[i][0] != '-') {
			size_t len;
			*eq = '\0';
			char *text = read_file(eq + 1, &len);
			if (!text) {
				fprintf(stderr, "dnsdctl: %s: %s\n", eq + 1, strerror(errno));
				goto done;
			}
			int r = fleet_add(fl, argv[i], text, len, err, sizeof err);
			free(text);
			if (r == -1) {
				fprintf(stderr, "dnsdctl: %s: %s\n", eq + 1, err);
				goto done;
			}
		} else
			usage();
	}
	fleet_report(fl, fmt, out);
	FILE *o = outfile ? fopen(outfile, "w") : stdout;
	if (!o) {
		fprintf(stderr, "dnsdctl: %s: %s\n", outfile, strerror(errno));
		goto done;
	}
	while (evbuffer_get_length(out) && evbuffer_write(out, fileno(o)) > 0)
		;
	rc = evbuffer_get_length(out) ? 1 : 0;
	if (rc)
		fprintf(stderr, "dnsdctl: %s: %s\n", outfile ? outfile : "stdout", strerror(errno));
	if (outfile && fclose(o) != 0)
		rc = 1;
done:
	if (out)
		evbuffer_free(out);
	fleet_free(fl);
	return rc;
}

/* -s, else the control_socket of -c's config, else that of the installed
 * config when it loads, else the built-in default (which the installed
 * config also names: one Makefile variable sets both). */
static const char *
socket_path(const char *sock, const char *conf)
{
	char err[CONFIG_ERR_MAX];
	static char path[256];
	if (sock)
		return sock;
	struct config *c = config_load(conf ? conf : DNSD_CONF_PATH, err, sizeof err);
	if (!c && conf) {
		fprintf(stderr, "%s", err);
		exit(1);
	}
	snprintf(path, sizeof path, "%s",
	         c && c->control_socket ? c->control_socket : DNSD_CONTROL_SOCKET);
	config_free(c);
	return path;
}

int
main(int argc, char **argv)
{
	const char *sock = NULL, *conf = NULL, *outfile = NULL;
	static const struct option longopts[] = {{"version", no_argument, NULL, 'V'},
	                                         {NULL, 0, NULL, 0}};
	int opt;
	while ((opt = getopt_long(argc, argv, "+s:c:hV", longopts, NULL)) != -1) {
		if (opt == 's')
			sock = optarg;
		else if (opt == 'c')
			conf = optarg;
		else if (opt == 'V') {
			printf("dnsdctl %s\n", DNSD_VERSION);
			return 0;
		} else
			usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	for (int i = 1; strcmp(argv[0], "report") == 0 && i < argc; i++)
		if (strcmp(argv[i], "--merge") == 0)
			return merge_report(argc, argv);
	char *line = request(argc, argv, &outfile);
	if (!line)
		usage();
	int fd = connect_to(socket_path(sock, conf));
	if (fd == -1)
		return 1;
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		fprintf(stderr, "dnsdctl: write: %s\n", strerror(errno));
		return 1;
	}
	shutdown(fd, SHUT_WR);
	char *reply = read_reply(fd);
	close(fd);
	if (!reply || strncmp(reply, "ok\n", 3) != 0) {
		fprintf(stderr, "dnsdctl: %s", reply && *reply ? reply : "no answer from dnsd\n");
		free(reply);
		return 1;
	}
	FILE *out = outfile ? fopen(outfile, "w") : stdout;
	if (!out) {
		fprintf(stderr, "dnsdctl: %s: %s\n", outfile, strerror(errno));
		free(reply);
		return 1;
	}
	fputs(reply + 3, out);
	int rc = fflush(out) == 0 && !ferror(out) ? 0 : 1;
	if (outfile && fclose(out) != 0)
		rc = 1;
	free(reply);
	return rc;
}
