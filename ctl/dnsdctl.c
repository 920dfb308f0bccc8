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
	static const struct option longopts[] = { { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 } };
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
