/* The configuration file in, a plain struct out: read and checked once,
 * every error reported as "file:line: message" (lib/conf.h). The groups of
 * other subsystems ("hosts", "log", "ratelimit", "http") are read here too,
 * into their owners' plain option structs; libconfig stays in the reader
 * (config.c, config_subsys.c). */
#ifndef DNSD_CONFIG_H
#define DNSD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "conf.h"
#include "netaddr.h"
#include "ratelimit.h"

#define CONFIG_MAX_LISTEN 16
#define CONFIG_MAX_UPSTREAMS 8
#define CONFIG_MAX_ALLOW 64
#define CONFIG_MAX_LAN 16 /* lan_interfaces */
#define CONFIG_MAX_HTTP_LISTEN 4
#define CONFIG_ERR_MAX 4096 /* room for the error lines of one load */

struct hosts_opts;
struct eventlog_opts;

struct config_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* The "http" group, what http.c takes. */
struct http_conf {
	struct config_addr listen[CONFIG_MAX_HTTP_LISTEN];
	int nlisten; /* 0: no HTTP server (no "http" group) */
	char *token; /* NULL: none asked (loopback only) */
	struct cidr allow[CONFIG_MAX_ALLOW];
	int nallow;
	unsigned max_connections;
	unsigned timeout_s;  /* to read a request and write its answer */
	unsigned max_header; /* bytes of request line and headers */
	unsigned refresh_s;  /* the page polls the API this often */
};

struct config {
	char *path;
	struct config_addr listen[CONFIG_MAX_LISTEN];
	int nlisten;
	struct config_addr upstream[CONFIG_MAX_UPSTREAMS];
	int nupstream;
	char *resolv_conf; /* NULL when upstreams are listed; read by resolv.c */
	struct cidr allow[CONFIG_MAX_ALLOW];
	int nallow;
	bool local_service;                   /* also answer clients on attached LAN subnets */
	char *lan_interfaces[CONFIG_MAX_LAN]; /* none: every non-WAN interface */
	int nlan_interfaces;
	struct {
		size_t max_entries, max_bytes;
		uint32_t min_ttl, max_ttl, servfail_ttl;
	} cache;
	struct {
		unsigned timeout_ms; /* per try */
		unsigned budget_ms;  /* per client query, all tries */
		unsigned down_after; /* consecutive failures */
		unsigned probe_s;    /* a down upstream is retried after */
		unsigned max_outstanding;
		unsigned max_waiters; /* clients on one coalesced question */
	} forward;
	struct {
		unsigned max_connections;
		unsigned idle_timeout_s;
		unsigned max_queries; /* in flight per connection */
	} tcp;
	struct http_conf http;
	char *metrics_file;        /* Prometheus textfile; NULL: none */
	unsigned metrics_interval; /* seconds between its rewrites */
	char *user, *group, *chroot, *pid_file, *control_socket;
	char *policy_file; /* NULL: no policy */
	time_t now;        /* policy clock override when now_set */
	bool now_set;      /* policy.now given: else the system clock */
	bool audit;        /* policy.audit: record everything, block nothing */
	/* The per-host room's groups, in its own structs (hosts/hostlog.h
	 * defines them): owned, never NULL in a loaded config. */
	struct hosts_opts *hosts;          /* the "hosts" group */
	struct eventlog_opts *log;         /* the "log" group */
	struct ratelimit_config ratelimit; /* the "ratelimit" group */
	/* Where these were set, for the checks made after loading. */
	struct conf_at at_user, at_group, at_state_file, at_log_file, at_host_dir;
};

/* Load and check FILE. On error returns NULL and writes every problem found,
 * one "file:line: message" per line, into err. The caller frees the result
 * with config_free. */
struct config *config_load(const char *path, char *err, size_t errlen);
void config_free(struct config *c);

/* Parse "2024-09-29", "2024-09-29T00:00:00Z", "...T00:00:00-04:00" or
 * "@1727582400" (any instant from 1970-01-01T00:00:00Z, "@0", on). Times
 * without an offset are UTC. -1 when invalid. */
time_t config_parse_time(const char *text);

/* "ADDR" or "ADDR@PORT" (v4 or v6) into a socket address. -1 when invalid. */
int config_parse_addr(struct config_addr *a, const char *text, unsigned default_port);

#endif
