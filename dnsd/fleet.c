/* Merging host tables across sites (see fleet.h). An export is checked
 * whole before anything of it is merged; merged hosts live in an array with
 * an open-addressing index on their key. */
#include "fleet.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hash.h"
#include "html.h"
#include "json.h"
#include "jsonread.h"
#include "netaddr.h"

#define FLEET_MAX_TOKENS (1 << 22) /* values of one export: a 64 MiB dnsd export has fewer */
#define FLEET_MAX_ADDRS 8          /* addresses kept per merged host */
#define FLEET_MAX_NAMES 64         /* names kept per merged host */
#define FLEET_MAX_CATS 16          /* categories per merged host; more count as "other" */
#define FLEET_CATLEN 32
#define FLEET_ACTIONLEN 16
#define FLEET_NAMELEN 1024                 /* a name asked, or a hostname */
#define FLEET_MAX_COUNT 9007199254740992.0 /* 2^53: exact in a JSON number */

struct fleet_cat {
	char name[FLEET_CATLEN];
	uint64_t count;
};

struct fleet_host {
	char *key;
	bool has_mac;
	uint8_t mac[6];
	char *hostname; /* of the latest record that had one; NULL: none */
	struct netaddr addrs[FLEET_MAX_ADDRS];
	int naddrs;
	uint64_t sites; /* bit i: seen at site i */
	time_t first, last;
	uint64_t total;
	struct fleet_cat cats[FLEET_MAX_CATS];
	int ncats;
	char last_action[FLEET_ACTIONLEN];
	char **names;
	int nnames;
};

struct fleet {
	char sites[FLEET_MAX_SITES][FLEET_SITELEN];
	int site_hosts[FLEET_MAX_SITES]; /* records in each site's export */
	int nsites;
	struct fleet_host **hosts;
	int nhosts, cap;
	int *index; /* nindex slots: host number + 1, 0 empty */
	size_t nindex;
};

/* One host record of an export, checked; strings borrowed from the reader. */
struct fleet_rec {
	struct netaddr addr;
	bool has_mac;
	uint8_t mac[6];
	const char *hostname, *last_action;
	time_t first, last;
	uint64_t total;
	int cats, names; /* token of the object / array, -1: absent */
};

struct fleet *
fleet_new(void)
{
	return calloc(1, sizeof(struct fleet));
}

static void
host_free(struct fleet_host *h)
{
	for (int i = 0; i < h->nnames; i++)
		free(h->names[i]);
	free(h->names);
	free(h->hostname);
	free(h->key);
	free(h);
}

void
fleet_free(struct fleet *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->nhosts; i++)
		host_free(f->hosts[i]);
	free(f->hosts);
	free(f->index);
	free(f);
}

/* The slot of key in the index: its host's, or the empty one to fill. */
static size_t
index_slot(const struct fleet *f, const char *key)
{
	/* Keys come from other sites' files: the seeded hash. */
	size_t i = hash_bytes(hash_seed(), key, strlen(key)) & (f->nindex - 1);
	while (f->index[i] && strcmp(f->hosts[f->index[i] - 1]->key, key) != 0)
		i = (i + 1) & (f->nindex - 1);
	return i;
}

/* Room for one more host (array and index at most half full). */
static int
grow(struct fleet *f)
{
	if (f->nhosts == f->cap) {
		int cap = f->cap ? f->cap * 2 : 256;
		struct fleet_host **nh = realloc(f->hosts, (size_t)cap * sizeof *nh);
		if (!nh)
			return -1;
		f->hosts = nh;
		f->cap = cap;
	}
	if ((size_t)f->nhosts * 2 + 2 <= f->nindex)
		return 0;
	size_t n = f->nindex ? f->nindex * 2 : 1024;
	int *ni = calloc(n, sizeof *ni), *old = f->index;
	if (!ni)
		return -1;
	f->index = ni;
	f->nindex = n;
	for (int k = 0; k < f->nhosts; k++)
		f->index[index_slot(f, f->hosts[k]->key)] = k + 1;
	free(old);
	return 0;
}

/* "2024-07-20T04:00:00Z" -> time; -1 when it is not one. */
static time_t
parse_time(const char *s)
{
	struct tm tm = {0};
	char z;
	int n = 0;
	if (!s ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	           &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z, &n) != 7 ||
	    z != 'Z' || s[n] || tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

static bool
count_ok(const struct jsonr *j, int i)
{
	double v = jsonr_num(j, i, -1);
	/* Whole numbers only; in range, the cast is exact (no libm needed). */
	return v >= 0 && v < FLEET_MAX_COUNT && (double)(uint64_t)v == v;
}

/* A string member that may be absent or null; NULL in *out then. */
static const char *
opt_str(const struct jsonr *j, int obj, const char *key, size_t maxlen, const char **out)
{
	int v = jsonr_get(j, obj, key);
	*out = NULL;
	if (v < 0 || j->tok[v].type == JSONR_NULL)
		return NULL;
	if (!(*out = jsonr_str(j, v)) || !**out || strlen(*out) >= maxlen)
		return key;
	return NULL;
}

/* Check host record obj into r; NULL, or what is wrong with it. */
static const char *
rec_check(const struct jsonr *j, int obj, struct fleet_rec *r)
{
	const char *bad, *mac, *t1, *t2;
	int v;
	*r = (struct fleet_rec){.cats = -1, .names = -1};
	if (j->tok[obj].type != JSONR_OBJ)
		return "a host is not an object";
	if (!jsonr_str(j, jsonr_get(j, obj, "ip")) ||
	    netaddr_parse(&r->addr, jsonr_str(j, jsonr_get(j, obj, "ip"))) == -1)
		return "ip: not an address";
	if ((bad = opt_str(j, obj, "mac", MAC_STRLEN, &mac)) ||
	    (bad = opt_str(j, obj, "hostname", FLEET_NAMELEN, &r->hostname)) ||
	    (bad = opt_str(j, obj, "last_action", FLEET_ACTIONLEN, &r->last_action)))
		return bad;
	if (mac && mac_parse(r->mac, mac) == -1)
		return "mac: not a MAC address";
	r->has_mac = mac != NULL;
	if (opt_str(j, obj, "first", JSON_TIMELEN, &t1) ||
	    opt_str(j, obj, "last", JSON_TIMELEN, &t2) || (r->first = parse_time(t1)) == -1 ||
	    (r->last = parse_time(t2)) == -1)
		return "first, last: not RFC 3339 UTC times";
	if (!count_ok(j, v = jsonr_get(j, obj, "total")))
		return "total: not a count";
	r->total = (uint64_t)j->tok[v].num;
	if ((v = jsonr_get(j, obj, "categories")) >= 0) {
		if (j->tok[v].type != JSONR_OBJ)
			return "categories: not an object";
		for (int k = v + 1, m = 0; m < j->tok[v].n; m++, k = j->tok[k + 1].end)
			if (!*j->tok[k].s || strlen(j->tok[k].s) >= FLEET_CATLEN ||
			    !count_ok(j, k + 1))
				return "categories: not name: count";
		r->cats = v;
	}
	if ((v = jsonr_get(j, obj, "names")) >= 0) {
		if (j->tok[v].type != JSONR_ARR)
			return "names: not an array";
		for (int k = v + 1; k < j->tok[v].end; k++)
			if (j->tok[k].type != JSONR_STR || strlen(j->tok[k].s) >= FLEET_NAMELEN)
				return "names: not a list of names";
		r->names = v;
	}
	return NULL;
}

static void
rec_key(const struct fleet_rec *r, const char *site, char *key, size_t len)
{
	char a[NETADDR_STRLEN], m[MAC_STRLEN];
	if (r->has_mac)
		snprintf(key, len, "m%s", mac_str(r->mac, m));
	else if (r->hostname)
		snprintf(key, len, "h%s\t%s", r->hostname, netaddr_str(&r->addr, a));
	else /* an address alone names a machine only within its own site */
		snprintf(key, len, "a%s\t%s", site, netaddr_str(&r->addr, a));
}

/* The last slot is kept for "other": dnsd counts past its own category
 * bound the same way, and a merge of sites with different policies may
 * bring more names than fit. */
static void
merge_cat(struct fleet_host *h, const char *name, uint64_t n)
{
	int i;
	for (;;) {
		for (i = 0; i < h->ncats && strcmp(h->cats[i].name, name) != 0; i++)
			;
		if (i < h->ncats || h->ncats < FLEET_MAX_CATS - 1 || strcmp(name, "other") == 0)
			break;
		name = "other";
	}
	if (i == h->ncats) {
		snprintf(h->cats[i].name, FLEET_CATLEN, "%s", name);
		h->ncats++;
	}
	h->cats[i].count += n;
}

static int
merge_name(struct fleet_host *h, const char *name)
{
	for (int i = 0; i < h->nnames; i++)
		if (strcmp(h->names[i], name) == 0)
			return 0;
	if (h->nnames == FLEET_MAX_NAMES)
		return 0;
	char **nn = realloc(h->names, (size_t)(h->nnames + 1) * sizeof *nn);
	if (!nn)
		return -1;
	h->names = nn;
	return (h->names[h->nnames] = strdup(name)) ? (h->nnames++, 0) : -1;
}

/* The merged host for r, created when new; NULL when out of memory. */
static struct fleet_host *
host_for(struct fleet *f, const struct fleet_rec *r, const char *site)
{
	char key[FLEET_NAMELEN + FLEET_SITELEN + NETADDR_STRLEN + 4];
	rec_key(r, site, key, sizeof key);
	if (grow(f) == -1)
		return NULL;
	size_t slot = index_slot(f, key);
	if (f->index[slot])
		return f->hosts[f->index[slot] - 1];
	struct fleet_host *h = calloc(1, sizeof *h);
	if (!h || !(h->key = strdup(key))) {
		free(h);
		return NULL;
	}
	h->has_mac = r->has_mac;
	memcpy(h->mac, r->mac, 6);
	h->first = r->first;
	f->hosts[f->nhosts++] = h;
	f->index[slot] = f->nhosts;
	return h;
}

static int
merge(struct fleet *f, int site, const struct jsonr *j, const struct fleet_rec *r)
{
	struct fleet_host *h = host_for(f, r, f->sites[site]);
	if (!h)
		return -1;
	bool newest = r->last >= h->last;
	h->sites |= 1ull << site;
	h->first = r->first < h->first ? r->first : h->first;
	h->total += r->total;
	if (newest) {
		h->last = r->last;
		snprintf(h->last_action, sizeof h->last_action, "%s",
		         r->last_action ? r->last_action : "");
	}
	if (r->hostname && (newest || !h->hostname)) {
		char *s = strdup(r->hostname);
		if (!s)
			return -1;
		free(h->hostname);
		h->hostname = s;
	}
	int a;
	for (a = 0; a < h->naddrs && !netaddr_equal(&h->addrs[a], &r->addr); a++)
		;
	if (a == h->naddrs && a < FLEET_MAX_ADDRS)
		h->addrs[h->naddrs++] = r->addr;
	if (r->cats >= 0)
		for (int k = r->cats + 1, m = 0; m < j->tok[r->cats].n; m++, k = j->tok[k + 1].end)
			merge_cat(h, j->tok[k].s, (uint64_t)j->tok[k + 1].num);
	if (r->names >= 0)
		for (int k = r->names + 1; k < j->tok[r->names].end; k++)
			if (merge_name(h, j->tok[k].s) == -1)
				return -1;
	return 0;
}

static bool
site_ok(const struct fleet *f, const char *site, char *err, size_t errlen)
{
	size_t n = strlen(site);
	if (n == 0 || n >= FLEET_SITELEN ||
	    strspn(site, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                 "0123456789._-") != n) {
		snprintf(err, errlen, "site name %.64s: 1 to %d of A-Z a-z 0-9 . _ -", site,
		         FLEET_SITELEN - 1);
		return false;
	}
	for (int i = 0; i < f->nsites; i++)
		if (strcmp(f->sites[i], site) == 0) {
			snprintf(err, errlen, "site %s given twice", site);
			return false;
		}
	if (f->nsites == FLEET_MAX_SITES) {
		snprintf(err, errlen, "more than %d sites", FLEET_MAX_SITES);
		return false;
	}
	return true;
}

int
fleet_add(struct fleet *f, const char *site, const char *json, size_t len, char *err, size_t errlen)
{
	struct jsonr j;
	struct fleet_rec r;
	const char *why = NULL;
	int hosts, n = 0, rc = 0;
	if (!site_ok(f, site, err, errlen) ||
	    jsonr_parse(&j, json, len, FLEET_MAX_TOKENS, err, errlen) == -1)
		return -1;
	if ((hosts = jsonr_get(&j, 0, "hosts")) < 0 || j.tok[hosts].type != JSONR_ARR)
		why = "not a dnsd hosts export: no \"hosts\" array";
	else if (f->nhosts + j.tok[hosts].n > FLEET_MAX_HOSTS)
		why = "more hosts than a merge holds";
	for (int k = hosts + 1; !why && n < j.tok[hosts].n; k = j.tok[k].end, n++)
		why = rec_check(&j, k, &r);
	if (why) {
		if (n) /* the n-th record of "hosts" */
			snprintf(err, errlen, "host %d: %s", n, why);
		else
			snprintf(err, errlen, "%s", why);
		jsonr_free(&j);
		return -1;
	}
	snprintf(f->sites[f->nsites], FLEET_SITELEN, "%s", site);
	f->site_hosts[f->nsites] = j.tok[hosts].n;
	for (int k = hosts + 1, m = 0; rc == 0 && m < j.tok[hosts].n; k = j.tok[k].end, m++) {
		rec_check(&j, k, &r);
		rc = merge(f, f->nsites, &j, &r);
	}
	f->nsites++;
	if (rc == -1)
		snprintf(err, errlen, "out of memory");
	jsonr_free(&j);
	return rc;
}

static int
by_last(const void *a, const void *b)
{
	const struct fleet_host *x = *(struct fleet_host *const *)a,
	                        *y = *(struct fleet_host *const *)b;
	return x->last != y->last ? (x->last < y->last ? 1 : -1) : strcmp(x->key, y->key);
}

/* "2024-07-20 04:00" (UTC) into buf. */
static const char *
utc_minute(time_t t, char buf[JSON_TIMELEN])
{
	json_time(t, buf);
	buf[10] = ' ';
	buf[16] = '\0';
	return buf;
}

/* The site names of h joined by sep. */
static void
add_sites(const struct fleet *f, const struct fleet_host *h, const char *sep,
          void (*put)(struct evbuffer *, const char *), struct evbuffer *out)
{
	for (int i = 0, n = 0; i < f->nsites; i++)
		if (h->sites & 1ull << i) {
			evbuffer_add_printf(out, "%s", n++ ? sep : "");
			put(out, f->sites[i]);
		}
}

static void
add_addrs(const struct fleet_host *h, const char *sep, void (*put)(struct evbuffer *, const char *),
          struct evbuffer *out)
{
	char a[NETADDR_STRLEN];
	for (int i = 0; i < h->naddrs; i++) {
		evbuffer_add_printf(out, "%s", i ? sep : "");
		put(out, netaddr_str(&h->addrs[i], a));
	}
}

static void
add_names(const struct fleet_host *h, const char *sep, void (*put)(struct evbuffer *, const char *),
          struct evbuffer *out)
{
	for (int i = 0; i < h->nnames; i++) {
		evbuffer_add_printf(out, "%s", i ? sep : "");
		put(out, h->names[i]);
	}
}

static void
add_cats(const struct fleet_host *h, void (*put)(struct evbuffer *, const char *),
         struct evbuffer *out)
{
	for (int i = 0; i < h->ncats; i++) {
		evbuffer_add_printf(out, "%s", i ? ", " : "");
		put(out, h->cats[i].name);
		evbuffer_add_printf(out, " %llu", (unsigned long long)h->cats[i].count);
	}
}

/* Text output: control characters from an export (a hostname with a
 * newline or an escape sequence) become '?', one line stays one line. */
static void
put_plain(struct evbuffer *out, const char *s)
{
	for (; *s; s++)
		evbuffer_add(out, (unsigned char)*s < 0x20 || *s == 0x7f ? "?" : s, 1);
}

static void
text_host(const struct fleet *f, const struct fleet_host *h, struct evbuffer *out)
{
	char m[MAC_STRLEN], t1[JSON_TIMELEN], t2[JSON_TIMELEN], line[80];
	struct evbuffer *b = evbuffer_new();
	if (!b)
		return;
	put_plain(b, h->hostname ? h->hostname : "-");
	size_t n = evbuffer_remove(b, line, 20);
	line[n] = '\0';
	evbuffer_drain(b, evbuffer_get_length(b));
	evbuffer_add_printf(out, "%-17s %-20s %-16s %-16s %6llu\n",
	                    h->has_mac ? mac_str(h->mac, m) : "-", line, utc_minute(h->first, t1),
	                    utc_minute(h->last, t2), (unsigned long long)h->total);
	/* the second line, cut to the terminal width */
	evbuffer_add_printf(b, "  at ");
	add_sites(f, h, ",", put_plain, b);
	evbuffer_add_printf(b, " as ");
	add_addrs(h, ",", put_plain, b);
	evbuffer_add_printf(b, "; last %s; ", h->last_action[0] ? h->last_action : "-");
	add_cats(h, put_plain, b);
	n = evbuffer_copyout(b, line, sizeof line - 1);
	line[n] = '\0';
	evbuffer_add_printf(out, "%s\n", line);
	evbuffer_free(b);
}

static void
json_host(const struct fleet *f, const struct fleet_host *h, struct evbuffer *out)
{
	char m[MAC_STRLEN];
	evbuffer_add_printf(out, "{\"mac\":");
	json_str(out, h->has_mac ? mac_str(h->mac, m) : NULL);
	json_kv_str(out, "hostname", h->hostname);
	evbuffer_add_printf(out, ",\"addresses\":[");
	add_addrs(h, ",", json_str, out);
	evbuffer_add_printf(out, "],\"sites\":[");
	add_sites(f, h, ",", json_str, out);
	evbuffer_add_printf(out, "]");
	json_kv_time(out, "first", h->first);
	json_kv_time(out, "last", h->last);
	evbuffer_add_printf(out, ",\"total\":%llu,\"categories\":{", (unsigned long long)h->total);
	for (int i = 0; i < h->ncats; i++) {
		evbuffer_add_printf(out, "%s", i ? "," : "");
		json_str(out, h->cats[i].name);
		evbuffer_add_printf(out, ":%llu", (unsigned long long)h->cats[i].count);
	}
	evbuffer_add_printf(out, "}");
	json_kv_str(out, "last_action", h->last_action[0] ? h->last_action : NULL);
	evbuffer_add_printf(out, ",\"names\":[");
	add_names(h, ",", json_str, out);
	evbuffer_add_printf(out, "]}");
}

static void
html_host(const struct fleet *f, const struct fleet_host *h, struct evbuffer *out)
{
	char m[MAC_STRLEN], t1[JSON_TIMELEN], t2[JSON_TIMELEN];
	evbuffer_add_printf(out, "<tr class=\"host\"><td>%s</td><td>",
	                    h->has_mac ? mac_str(h->mac, m) : "-");
	html_str(out, h->hostname ? h->hostname : "-");
	evbuffer_add_printf(out, "</td><td>");
	add_addrs(h, ", ", html_str, out);
	evbuffer_add_printf(out, "</td><td class=\"sites\">");
	add_sites(f, h, ", ", html_str, out);
	evbuffer_add_printf(out, "</td><td>%s</td><td>%s</td><td class=\"n\">%llu</td><td>",
	                    utc_minute(h->first, t1), utc_minute(h->last, t2),
	                    (unsigned long long)h->total);
	add_cats(h, html_str, out);
	evbuffer_add_printf(out, "</td><td>");
	html_str(out, h->last_action[0] ? h->last_action : "-");
	evbuffer_add_printf(out, "</td><td>");
	add_names(h, " ", html_str, out);
	evbuffer_add_printf(out, "</td></tr>\n");
}

static void
html_head(const struct fleet *f, struct evbuffer *out)
{
	evbuffer_add_printf(
	    out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	         "<title>dnsd: hosts trying policy names, all sites</title>\n<style>\n"
	         "body{font-family:sans-serif;margin:1em;color:#222}\n"
	         "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3em .6em;"
	         "text-align:left;vertical-align:top}\nth{background:#eee}td.n{text-align:right}\n"
	         "</style></head><body>\n<h1>Hosts trying policy names, all sites</h1>\n<p>");
	for (int i = 0; i < f->nsites; i++) {
		evbuffer_add_printf(out, "%s", i ? ", " : "Sites: ");
		html_str(out, f->sites[i]);
		evbuffer_add_printf(out, " (%d)", f->site_hosts[i]);
	}
	evbuffer_add_printf(
	    out,
	    "; %d machines. Times in UTC.</p>\n<table id=\"hosts\"><thead><tr><th>MAC</th>"
	    "<th>Hostname</th><th>Addresses</th><th>Sites</th><th>First seen</th>"
	    "<th>Last seen</th><th>Attempts</th><th>Categories</th><th>Last action</th>"
	    "<th>Names asked</th></tr></thead>\n<tbody>\n",
	    f->nhosts);
}

int
fleet_report(const struct fleet *f, enum hostreport_format fmt, struct evbuffer *out)
{
	if (fmt == HOSTREPORT_CSV)
		return -1;
	struct fleet_host **v = malloc(((size_t)f->nhosts + 1) * sizeof *v);
	if (!v)
		return -1;
	if (f->nhosts)
		memcpy(v, f->hosts, (size_t)f->nhosts * sizeof *v);
	qsort(v, (size_t)f->nhosts, sizeof *v, by_last);
	if (fmt == HOSTREPORT_TEXT)
		evbuffer_add_printf(out, "%-17s %-20s %-16s %-16s %6s\n", "MAC", "HOSTNAME",
		                    "FIRST SEEN (UTC)", "LAST SEEN (UTC)", "COUNT");
	else if (fmt == HOSTREPORT_JSON) {
		evbuffer_add_printf(out, "{\"sites\":[");
		for (int i = 0; i < f->nsites; i++) {
			evbuffer_add_printf(out, "%s{\"name\":", i ? "," : "");
			json_str(out, f->sites[i]);
			evbuffer_add_printf(out, ",\"hosts\":%d}", f->site_hosts[i]);
		}
		evbuffer_add_printf(out, "],\"hosts\":[");
	} else
		html_head(f, out);
	for (int i = 0; i < f->nhosts; i++)
		if (fmt == HOSTREPORT_TEXT)
			text_host(f, v[i], out);
		else if (fmt == HOSTREPORT_JSON) {
			evbuffer_add_printf(out, "%s", i ? ",\n" : "");
			json_host(f, v[i], out);
		} else
			html_host(f, v[i], out);
	if (fmt == HOSTREPORT_JSON)
		evbuffer_add_printf(out, "]}\n");
	else if (fmt == HOSTREPORT_HTML)
		evbuffer_add_printf(out, "</tbody></table>\n</body></html>\n");
	free(v);
	return 0;
}
