/* DHCP leases (see leases.h). dnsmasq lines: "EXPIRY MAC IP HOSTNAME CLIENTID",
 * IPv6 ones after a "duid" line: "EXPIRY IAID IPv6 HOSTNAME CLIENTID"; a
 * hostname of "*" means none. odhcpd writes a hosts file: "IP NAME [ALIAS...]". */
#include "leases.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct leases_file {
	char *path;
	struct timespec mtime;
	off_t size;
	bool seen;
};

struct leases {
	struct leases_file files[2]; /* dnsmasq, odhcpd */
	time_t checked;
	unsigned gen; /* bumped on every re-read */
	int n, cap;
	struct lease *tab; /* cap entries, grown as the files need, at most LEASES_MAX */
};

struct leases *
leases_new(const char *dnsmasq_path, const char *odhcpd_path)
{
	struct leases *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->files[0].path = dnsmasq_path ? strdup(dnsmasq_path) : NULL;
	l->files[1].path = odhcpd_path ? strdup(odhcpd_path) : NULL;
	l->checked = -1;
	return l;
}

void
leases_free(struct leases *l)
{
	if (!l)
		return;
	free(l->files[0].path);
	free(l->files[1].path);
	free(l->tab);
	free(l);
}

static void
set_hostname(struct lease *e, const char *name)
{
	/* odhcpd and dnsmasq may append the local domain; the bare label reads better */
	size_t n = strcspn(name, ".");
	if (n >= LEASES_NAMELEN)
		n = LEASES_NAMELEN - 1;
	memcpy(e->hostname, name, n);
	e->hostname[n] = '\0';
}

static bool
hostname_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(*s == '-' || *s == '_' || *s == '.' || (*s >= '0' && *s <= '9') ||
		      ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')))
			return false;
	return true;
}

int
leases_parse_dnsmasq(FILE *f, struct lease *out, int max)
{
	char line[512], f1[64], f2[64], f3[64], f4[256];
	int n = 0;
	while (n < max && fgets(line, sizeof line, f)) {
		struct lease *e = &out[n];
		memset(e, 0, sizeof *e);
		if (sscanf(line, "%63s %63s %63s %255s", f1, f2, f3, f4) != 4)
			continue; /* includes the "duid SERVER-DUID" line */
		if (netaddr_parse(&e->addr, f3) == -1 || strspn(f1, "0123456789") != strlen(f1))
			continue;
		e->has_mac = mac_parse(e->mac, f2) == 0;
		if (strcmp(f4, "*") != 0 && hostname_ok(f4))
			set_hostname(e, f4);
		n++;
	}
	return n;
}

int
leases_parse_odhcpd(FILE *f, struct lease *out, int max)
{
	char line[512], f1[64], f2[256];
	int n = 0;
	while (n < max && fgets(line, sizeof line, f)) {
		struct lease *e = &out[n];
		memset(e, 0, sizeof *e);
		if (line[strspn(line, " \t")] == '#' || sscanf(line, "%63s %255s", f1, f2) != 2)
			continue;
		if (netaddr_parse(&e->addr, f1) == -1 || !hostname_ok(f2))
			continue;
		set_hostname(e, f2);
		n++;
	}
	return n;
}

static bool
file_changed(struct leases_file *lf)
{
	struct stat st;
	if (!lf->path)
		return false;
	if (stat(lf->path, &st) == -1) {
		bool was = lf->seen;
		lf->seen = false;
		return was;
	}
	bool changed = !lf->seen || st.st_size != lf->size ||
	               st.st_mtim.tv_sec != lf->mtime.tv_sec ||
	               st.st_mtim.tv_nsec != lf->mtime.tv_nsec;
	lf->seen = true;
	lf->mtime = st.st_mtim;
	lf->size = st.st_size;
	return changed;
}

static void
reload(struct leases *l)
{
	int (*parse[2])(FILE *, struct lease *, int) = {leases_parse_dnsmasq, leases_parse_odhcpd};
	for (;;) {
		l->n = 0;
		for (int i = 0; i < 2; i++) {
			FILE *f = l->files[i].path ? fopen(l->files[i].path, "r") : NULL;
			if (!f)
				continue;
			l->n += parse[i](f, l->tab + l->n, l->cap - l->n);
			fclose(f);
		}
		/* a full table may have left lines out: grow and read again */
		if (l->n < l->cap || l->cap >= LEASES_MAX)
			return;
		int cap = l->cap ? l->cap * 2 : 64;
		struct lease *t =
		    realloc(l->tab, (size_t)(cap < LEASES_MAX ? cap : LEASES_MAX) * sizeof *t);
		if (!t)
			return;
		l->tab = t;
		l->cap = cap < LEASES_MAX ? cap : LEASES_MAX;
	}
}

unsigned
leases_generation(struct leases *l, time_t now)
{
	if (now != l->checked) {
		l->checked = now;
		/* both, so that each file's stat stays current */
		bool c0 = file_changed(&l->files[0]), c1 = file_changed(&l->files[1]);
		if (c0 || c1) {
			reload(l);
			if (++l->gen == 0)
				l->gen = 1;
		}
	}
	return l->gen;
}

const struct lease *
leases_lookup(struct leases *l, const struct netaddr *addr, time_t now)
{
	leases_generation(l, now);
	/* newest line last in dnsmasq's file: search backwards */
	for (int i = l->n - 1; i >= 0; i--)
		if (netaddr_equal(&l->tab[i].addr, addr))
			return &l->tab[i];
	return NULL;
}
