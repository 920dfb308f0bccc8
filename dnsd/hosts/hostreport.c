/* Host table reports (see hostreport.h). Local time in the human formats,
 * RFC 3339 UTC in the machine ones. */
#include "hostreport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostarch.h"
#include "html.h"
#include "json.h"

#define CHART_HOSTS 8 /* hosts drawn one by one; the rest are "others" */

static const char *const chart_colors[CHART_HOSTS + 1] = {"#4e79a7", "#f28e2b", "#e15759",
                                                          "#76b7b2", "#59a14f", "#edc948",
                                                          "#b07aa1", "#ff9da7", "#9c755f"};

int
hostreport_format_parse(const char *s)
{
	static const char *const names[] = {"text", "json", "csv", "html"};
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static const char *
short_time(time_t t, char buf[32], const char *fmt)
{
	struct tm tm;
	if (!t || !localtime_r(&t, &tm) || !strftime(buf, 32, fmt, &tm))
		strcpy(buf, "-");
	return buf;
}

/* "update 12, licensing 3" into buf (truncated to len). */
static const char *
category_counts(const struct hosts *h, const struct host *e, char *buf, size_t len, const char *kv,
                const char *sep)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; hosts_category(h, i) && n < len; i++) {
		if (!host_cat_count(e, i))
			continue;
		int w = snprintf(buf + n, len - n, "%s%s%s%u", n ? sep : "", hosts_category(h, i),
		                 kv, host_cat_count(e, i));
		if (w < 0)
			break;
		n += (size_t)w;
	}
	return buf;
}

/* One host in the 80-column table: the fields, then its last action and
 * counts per category ("update 12, licensing 3"). */
static void
text_row(struct evbuffer *out, const char *ip, const char *mac, const char *hostname, time_t first,
         time_t last, unsigned long long total, const char *action, const char *cats)
{
	char t1[32], t2[32], line[80]; /* the second line is cut to the terminal width */
	if (strlen(ip) > 15)
		evbuffer_add_printf(out, "%s\n%-15s", ip, "");
	else
		evbuffer_add_printf(out, "%-15s", ip);
	evbuffer_add_printf(out, " %-17s %-12.12s %-11s %-11s %6llu\n", mac[0] ? mac : "-",
	                    hostname[0] ? hostname : "-", short_time(first, t1, "%m-%d %H:%M"),
	                    short_time(last, t2, "%m-%d %H:%M"), total);
	snprintf(line, sizeof line, "  last %s; %s", action, cats);
	evbuffer_add_printf(out, "%s\n", line);
}

static void
text_table(const struct hosts *h, struct evbuffer *out)
{
	const struct host *e;
	char ip[NETADDR_STRLEN], mac[MAC_STRLEN], cats[128];
	evbuffer_add_printf(out, "%-15s %-17s %-12s %-11s %-11s %6s\n", "IP", "MAC", "HOSTNAME",
	                    "FIRST SEEN", "LAST SEEN", "COUNT");
	TAILQ_FOREACH(e, hosts_list(h), lru)
	text_row(out, netaddr_str(&e->addr, ip), e->has_mac ? mac_str(e->mac, mac) : "",
	         e->hostname, e->first, e->last, (unsigned long long)e->total,
	         policy_action_name((enum policy_action)e->last_action),
	         category_counts(h, e, cats, sizeof cats, " ", ", "));
}

/* ---- hosts that left the table (the archive) ---- */

/* The archived hosts not in the table now, most recently seen first; an
 * empty list without an archive. -1 (and a message in out) when it cannot
 * be read. */
static int
archived(const struct hosts *h, struct hostarch_list *l, struct evbuffer *out)
{
	const struct hosts_opts *o = hosts_options(h);
	memset(l, 0, sizeof *l);
	if (!o->archive)
		return 0;
	if (hostarch_load(o->archive, o->archive_max_size, l) == -1) {
		evbuffer_add_printf(out, "hosts: cannot read the archive %s\n", o->archive);
		return -1;
	}
	int n = 0;
	for (int i = 0; i < l->n; i++)
		if (!hosts_find(h, l->recs[i].addr))
			l->recs[n++] = l->recs[i];
	l->n = n;
	return 0;
}

/* "update=3;ksn=1" as "update 3, ksn 1" into buf. */
static const char *
archived_cats(const char *cats, char *buf, size_t len)
{
	size_t n = 0;
	for (const char *c = cats; *c && n + 3 < len; c++) {
		if (*c == ';')
			buf[n++] = ',';
		buf[n++] = *c == ';' || *c == '=' ? ' ' : *c;
	}
	buf[n] = '\0';
	return buf;
}

static void
text_archived(const struct hostarch_list *l, struct evbuffer *out)
{
	char cats[128];
	evbuffer_add_printf(out, "\n%d host%s that left the table (archive), last seen first:\n",
	                    l->n, l->n == 1 ? "" : "s");
	for (int i = 0; i < l->n; i++) {
		const struct hostarch_rec *r = &l->recs[i];
		text_row(out, r->addr, r->mac, r->hostname, (time_t)r->first, (time_t)r->last,
		         (unsigned long long)r->total, r->action,
		         archived_cats(r->cats, cats, sizeof cats));
	}
}

/* Each item of list (separated by sep, "k=v" pairs when kv) as JSON. */
static void
json_split(struct evbuffer *out, const char *list, char sep, bool kv)
{
	char item[1024];
	for (const char *p = list; *p;) {
		const char *end = strchr(p, sep);
		size_t n = end ? (size_t)(end - p) : strlen(p);
		snprintf(item, sizeof item, "%.*s", (int)n, p);
		if (p != list)
			evbuffer_add(out, ",", 1);
		char *eq = kv ? strchr(item, '=') : NULL;
		if (eq)
			*eq = '\0';
		json_str(out, item);
		if (eq)
			evbuffer_add_printf(out, ":%llu", strtoull(eq + 1, NULL, 10));
		else if (kv)
			evbuffer_add_printf(out, ":0");
		p += n + (end ? 1 : 0);
	}
}

static void
json_archived(const struct hostarch_list *l, struct evbuffer *out)
{
	evbuffer_add_printf(out, ",\"archived\":[");
	for (int i = 0; i < l->n; i++) {
		const struct hostarch_rec *r = &l->recs[i];
		evbuffer_add_printf(out, "%s{\"ip\":", i ? ",\n" : "");
		json_str(out, r->addr);
		json_kv_str(out, "mac", r->mac[0] ? r->mac : NULL);
		json_kv_str(out, "hostname", r->hostname[0] ? r->hostname : NULL);
		json_kv_time(out, "first", (time_t)r->first);
		json_kv_time(out, "last", (time_t)r->last);
		evbuffer_add_printf(out, ",\"total\":%lld,\"categories\":{", r->total);
		json_split(out, r->cats, ';', true);
		evbuffer_add_printf(out, "}");
		json_kv_str(out, "last_action", r->action);
		evbuffer_add_printf(out, ",\"names\":[");
		json_split(out, r->names, ',', false);
		evbuffer_add_printf(out, "]}");
	}
	evbuffer_add_printf(out, "]");
}

int
hostreport_host(const struct hosts *h, const char *key, struct evbuffer *out)
{
	const struct host *e = hosts_find(h, key);
	char ip[NETADDR_STRLEN], mac[MAC_STRLEN], t1[32], t2[32], cats[256], tb[16];
	if (!e)
		return -1;
	/* one field a line: an IPv6 address, a MAC and a long hostname do not fit in 80 */
	evbuffer_add_printf(out, "host        %s\nmac         %s\nhostname    %.68s\n",
	                    netaddr_str(&e->addr, ip), e->has_mac ? mac_str(e->mac, mac) : "-",
	                    e->hostname[0] ? e->hostname : "-");
	evbuffer_add_printf(out, "first seen  %s\nlast seen   %s\n",
	                    short_time(e->first, t1, "%Y-%m-%d %H:%M:%S"),
	                    short_time(e->last, t2, "%Y-%m-%d %H:%M:%S"));
	evbuffer_add_printf(out, "attempts    %llu, last action %s\ncategories  %.68s\n",
	                    (unsigned long long)e->total, policy_action_name(e->last_action),
	                    category_counts(h, e, cats, sizeof cats, " ", ", "));
	evbuffer_add_printf(out, "names asked (%d kept):\n", e->nnames);
	for (int i = 0; i < e->nnames; i++)
		evbuffer_add_printf(out, "  %.76s\n", e->names[i]);
	evbuffer_add_printf(out, "recent attempts, newest first:\n%-14s %-6s %-10s %-9s %s\n",
	                    "TIME", "TYPE", "CATEGORY", "ACTION", "NAME");
	const struct host_attempt *a;
	for (int i = 0; (a = host_recent(h, e, i)); i++)
		evbuffer_add_printf(out, "%-14s %-6.6s %-10.10s %-9.9s %.35s\n",
		                    short_time(a->time, t1, "%m-%d %H:%M:%S"),
		                    eventlog_type_name(a->qtype, tb), hosts_category(h, a->cat),
		                    policy_action_name(a->action), a->name);
	return 0;
}

static void
json_host(const struct hosts *h, const struct host *e, struct evbuffer *out)
{
	char buf[NETADDR_STRLEN], tb[16];
	evbuffer_add_printf(out, "{\"ip\":");
	json_str(out, netaddr_str(&e->addr, buf));
	json_kv_str(out, "mac", e->has_mac ? mac_str(e->mac, buf) : NULL);
	json_kv_str(out, "hostname", e->hostname[0] ? e->hostname : NULL);
	json_kv_time(out, "first", e->first);
	json_kv_time(out, "last", e->last);
	evbuffer_add_printf(out, ",\"total\":%llu,\"categories\":{", (unsigned long long)e->total);
	for (int i = 0, n = 0; hosts_category(h, i); i++)
		if (host_cat_count(e, i)) {
			evbuffer_add_printf(out, "%s", n++ ? "," : "");
			json_str(out, hosts_category(h, i));
			evbuffer_add_printf(out, ":%u", host_cat_count(e, i));
		}
	evbuffer_add_printf(out, "}");
	json_kv_str(out, "last_action", policy_action_name(e->last_action));
	evbuffer_add_printf(out, ",\"names\":[");
	for (int i = 0; i < e->nnames; i++) {
		evbuffer_add_printf(out, "%s", i ? "," : "");
		json_str(out, e->names[i]);
	}
	evbuffer_add_printf(out, "],\"recent\":[");
	const struct host_attempt *a;
	for (int i = 0; (a = host_recent(h, e, i)); i++) {
		evbuffer_add_printf(out, "%s{\"time\":", i ? "," : "");
		json_str(out, json_time(a->time, (char[JSON_TIMELEN]){0}));
		json_kv_str(out, "name", a->name);
		json_kv_str(out, "type", eventlog_type_name(a->qtype, tb));
		json_kv_str(out, "category", hosts_category(h, a->cat));
		json_kv_str(out, "action", policy_action_name(a->action));
		evbuffer_add_printf(out, "}");
	}
	evbuffer_add_printf(out, "],\"days\":{");
	int32_t today = (int32_t)(e->last / 86400);
	for (int d = hosts_options(h)->days - 1, n = 0; d >= 0; d--) {
		uint32_t c = host_day_count(h, e, today - d);
		if (c)
			evbuffer_add_printf(
			    out, "%s\"%.10s\":%u", n++ ? "," : "",
			    json_time((time_t)(today - d) * 86400, (char[JSON_TIMELEN]){0}), c);
	}
	evbuffer_add_printf(out, "}}");
}

static void
csv_field(struct evbuffer *out, const char *s, const char *sep)
{
	if (strpbrk(s, ",\"\n")) {
		evbuffer_add(out, "\"", 1);
		for (; *s; s++)
			evbuffer_add(out, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
		evbuffer_add(out, "\"", 1);
	} else
		evbuffer_add(out, s, strlen(s));
	evbuffer_add(out, sep, strlen(sep));
}

/* One CSV row; with a place ("table" or "archive", for --all) one more column. */
static void
csv_row(struct evbuffer *out, const char *ip, const char *mac, const char *hostname, time_t first,
        time_t last, unsigned long long total, const char *cats, const char *action,
        const char *place)
{
	char t[JSON_TIMELEN], num[24];
	csv_field(out, ip, ",");
	csv_field(out, mac, ",");
	csv_field(out, hostname, ",");
	csv_field(out, json_time(first, t), ",");
	csv_field(out, json_time(last, t), ",");
	snprintf(num, sizeof num, "%llu", total);
	csv_field(out, num, ",");
	csv_field(out, cats, ",");
	csv_field(out, action, place ? "," : "\n");
	if (place)
		csv_field(out, place, "\n");
}

/* l: the archived hosts to add (--all), or NULL. */
static void
csv_table(const struct hosts *h, const struct hostarch_list *l, struct evbuffer *out)
{
	const struct host *e;
	char buf[NETADDR_STRLEN], mac[MAC_STRLEN], cats[512];
	evbuffer_add_printf(out, "ip,mac,hostname,first,last,total,categories,last_action%s\n",
	                    l ? ",place" : "");
	TAILQ_FOREACH(e, hosts_list(h), lru)
	csv_row(out, netaddr_str(&e->addr, buf), e->has_mac ? mac_str(e->mac, mac) : "",
	        e->hostname, e->first, e->last, (unsigned long long)e->total,
	        category_counts(h, e, cats, sizeof cats, "=", ";"),
	        policy_action_name((enum policy_action)e->last_action), l ? "table" : NULL);
	for (int i = 0; l && i < l->n; i++) {
		const struct hostarch_rec *r = &l->recs[i];
		csv_row(out, r->addr, r->mac, r->hostname, (time_t)r->first, (time_t)r->last,
		        (unsigned long long)r->total, r->cats, r->action, "archive");
	}
}

/* Stacked bars: one per day over the kept days, one colour per host for
 * the CHART_HOSTS busiest hosts of the period, the rest as "others". */
static uint64_t
day_total(const struct hosts *h, int32_t day)
{
	const struct host *e;
	uint64_t tot = 0;
	TAILQ_FOREACH(e, hosts_list(h), lru)
	tot += host_day_count(h, e, day);
	return tot;
}

static int
busiest(const struct hosts *h, int32_t today, const struct host *top[CHART_HOSTS])
{
	uint64_t topsum[CHART_HOSTS] = {0};
	const struct host *e;
	int nh = 0;
	TAILQ_FOREACH(e, hosts_list(h), lru)
	{
		uint64_t sum = 0;
		for (int d = 0; d < hosts_options(h)->days; d++)
			sum += host_day_count(h, e, today - d);
		if (!sum || (nh == CHART_HOSTS && sum <= topsum[CHART_HOSTS - 1]))
			continue;
		int k = nh < CHART_HOSTS ? nh++ : CHART_HOSTS - 1;
		for (; k > 0 && topsum[k - 1] < sum; k--) {
			top[k] = top[k - 1];
			topsum[k] = topsum[k - 1];
		}
		top[k] = e;
		topsum[k] = sum;
	}
	return nh;
}

static void
html_legend(const struct host *const *top, int nh, struct evbuffer *out)
{
	char ip[NETADDR_STRLEN];
	evbuffer_add_printf(out, "<ul class=\"legend\">\n");
	for (int k = 0; k <= nh; k++) {
		evbuffer_add_printf(out, "<li><span style=\"background:%s\"></span>",
		                    chart_colors[k < nh ? k : CHART_HOSTS]);
		if (k == nh) {
			evbuffer_add_printf(out, "others</li>\n");
			break;
		}
		html_str(out, netaddr_str(&top[k]->addr, ip));
		if (top[k]->hostname[0]) {
			evbuffer_add_printf(out, " (");
			html_str(out, top[k]->hostname);
			evbuffer_add_printf(out, ")");
		}
		evbuffer_add_printf(out, "</li>\n");
	}
	evbuffer_add_printf(out, "</ul>\n");
}

static void
html_chart(const struct hosts *h, time_t now, struct evbuffer *out)
{
	const int ndays = hosts_options(h)->days, bw = 18, ch = 200, left = 50, top_m = 10;
	const int32_t today = (int32_t)(now / 86400);
	const struct host *top[CHART_HOSTS] = {0};
	int nh = busiest(h, today, top);
	uint64_t daymax = 1;
	for (int d = 0; d < ndays; d++) {
		uint64_t t = day_total(h, today - d);
		daymax = t > daymax ? t : daymax;
	}
	int width = left + ndays * bw + 10, height = top_m + ch + 20;
	evbuffer_add_printf(
	    out,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" role=\"img\" aria-label=\"attempts per host per day\">\n",
	    width, height);
	evbuffer_add_printf(out,
	                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
	                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%llu</text>"
	                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n",
	                    left, top_m + ch, width - 10, top_m + ch, left - 4, top_m + 10,
	                    (unsigned long long)daymax, left - 4, top_m + ch);
	for (int d = ndays - 1; d >= 0; d--) {
		int x = left + (ndays - 1 - d) * bw, y = top_m + ch;
		uint64_t rest = day_total(h, today - d);
		for (int k = 0; k <= nh; k++) {
			uint64_t c = k < nh ? host_day_count(h, top[k], today - d) : rest;
			rest -= k < nh ? c : 0;
			int bh = (int)(c * (uint64_t)ch / daymax);
			if (!c)
				continue;
			y -= bh;
			evbuffer_add_printf(out,
			                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			                    "fill=\"%s\"><title>%llu</title></rect>\n",
			                    x + 2, y, bw - 4, bh,
			                    chart_colors[k < nh ? k : CHART_HOSTS],
			                    (unsigned long long)c);
		}
		if (d % 7 == 0) {
			char lbl[32];
			evbuffer_add_printf(
			    out, "<text x=\"%d\" y=\"%d\" font-size=\"10\">%s</text>\n", x,
			    top_m + ch + 14, short_time((time_t)(today - d) * 86400, lbl, "%m-%d"));
		}
	}
	evbuffer_add_printf(out, "</svg>\n");
	html_legend(top, nh, out);
}

static void
html_archived(const struct hostarch_list *l, struct evbuffer *out)
{
	char t1[32], t2[32], cats[256];
	evbuffer_add_printf(out,
	                    "<h2>Hosts that left the table</h2>\n<p>%d hosts, from the archive, "
	                    "last seen first.</p>\n<table id=\"archived\"><thead><tr><th>IP</th>"
	                    "<th>MAC</th><th>Hostname</th><th>First seen</th><th>Last seen</th>"
	                    "<th>Attempts</th><th>Categories</th><th>Last action</th></tr></thead>"
	                    "\n<tbody>\n",
	                    l->n);
	for (int i = 0; i < l->n; i++) {
		const struct hostarch_rec *r = &l->recs[i];
		evbuffer_add_printf(out, "<tr class=\"archived\"><td>");
		html_str(out, r->addr);
		evbuffer_add_printf(out, "</td><td>");
		html_str(out, r->mac);
		evbuffer_add_printf(out, "</td><td>");
		html_str(out, r->hostname);
		evbuffer_add_printf(out, "</td><td>%s</td><td>%s</td><td class=\"n\">%lld</td><td>",
		                    short_time((time_t)r->first, t1, "%Y-%m-%d %H:%M"),
		                    short_time((time_t)r->last, t2, "%Y-%m-%d %H:%M"), r->total);
		html_str(out, archived_cats(r->cats, cats, sizeof cats));
		evbuffer_add_printf(out, "</td><td>");
		html_str(out, r->action);
		evbuffer_add_printf(out, "</td></tr>\n");
	}
	evbuffer_add_printf(out, "</tbody></table>\n");
}

static void
html_page(const struct hosts *h, const struct hostarch_list *l, time_t now, struct evbuffer *out)
{
	char t1[32], t2[32], cats[256], buf[NETADDR_STRLEN];
	const struct host *e;
	evbuffer_add_printf(
	    out,
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<title>dnsd: hosts trying policy names</title>\n<style>\n"
	    "body{font-family:sans-serif;margin:2em;color:#222}\n"
	    "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3em .6em;"
	    "text-align:left}\nth{background:#eee}td.n{text-align:right}\n"
	    ".legend{list-style:none;padding:0}.legend li{display:inline-block;margin-right:1em}\n"
	    ".legend span{display:inline-block;width:.9em;height:.9em;margin-right:.3em}\n"
	    "</style></head><body>\n<h1>Hosts trying policy names</h1>\n");
	struct hosts_stats st;
	hosts_get_stats(h, &st);
	evbuffer_add_printf(out, "<p>Generated %s; %d hosts.</p>\n",
	                    short_time(now, t1, "%Y-%m-%d %H:%M %Z"), st.hosts);
	evbuffer_add_printf(
	    out, "<table id=\"hosts\"><thead><tr><th>IP</th><th>MAC</th>"
	         "<th>Hostname</th><th>First seen</th><th>Last seen</th><th>Attempts</th>"
	         "<th>Categories</th><th>Last action</th></tr></thead>\n<tbody>\n");
	TAILQ_FOREACH(e, hosts_list(h), lru)
	{
		evbuffer_add_printf(out, "<tr class=\"host\"><td>");
		html_str(out, netaddr_str(&e->addr, buf));
		evbuffer_add_printf(out, "</td><td>%s</td><td>",
		                    e->has_mac ? mac_str(e->mac, buf) : "");
		html_str(out, e->hostname);
		evbuffer_add_printf(out, "</td><td>%s</td><td>%s</td><td class=\"n\">%llu</td><td>",
		                    short_time(e->first, t1, "%Y-%m-%d %H:%M"),
		                    short_time(e->last, t2, "%Y-%m-%d %H:%M"),
		                    (unsigned long long)e->total);
		html_str(out, category_counts(h, e, cats, sizeof cats, " ", ", "));
		evbuffer_add_printf(out, "</td><td>%s</td></tr>\n",
		                    policy_action_name((enum policy_action)e->last_action));
	}
	evbuffer_add_printf(out, "</tbody></table>\n");
	if (l->n)
		html_archived(l, out);
	evbuffer_add_printf(out, "<h2>Attempts per day, last %d days</h2>\n",
	                    hosts_options(h)->days);
	html_chart(h, now, out);
	evbuffer_add_printf(out, "</body></html>\n");
}

int
hostreport_host_json(const struct hosts *h, const char *key, struct evbuffer *out)
{
	const struct host *e = hosts_find(h, key);
	if (!e)
		return -1;
	json_host(h, e, out);
	evbuffer_add(out, "\n", 1);
	return 0;
}

/* The static helpers above, for the live pages (hostreport.h). */
const char *
hostreport_time(time_t t, char buf[32], const char *fmt)
{
	return short_time(t, buf, fmt);
}

const char *
hostreport_category_counts(const struct hosts *h, const struct host *e, char *buf, size_t len,
                           const char *kv, const char *sep)
{
	return category_counts(h, e, buf, len, kv, sep);
}

int
hostreport_hosts(const struct hosts *h, enum hostreport_format f, bool all, time_t now,
                 struct evbuffer *out)
{
	const struct host *e;
	struct hostarch_list l;
	/* the HTML report always shows the hosts that left the table */
	if ((all || f == HOSTREPORT_HTML) && archived(h, &l, out) == -1)
		return -1;
	all = all || f == HOSTREPORT_HTML;
	switch (f) {
	case HOSTREPORT_TEXT:
		text_table(h, out);
		if (all)
			text_archived(&l, out);
		break;
	case HOSTREPORT_JSON:
		evbuffer_add_printf(out, "{\"hosts\":[");
		TAILQ_FOREACH(e, hosts_list(h), lru)
		{
			if (e != TAILQ_FIRST(hosts_list(h)))
				evbuffer_add(out, ",\n", 2);
			json_host(h, e, out);
		}
		evbuffer_add_printf(out, "]");
		if (all)
			json_archived(&l, out);
		evbuffer_add_printf(out, "}\n");
		break;
	case HOSTREPORT_CSV:
		csv_table(h, all ? &l : NULL, out);
		break;
	case HOSTREPORT_HTML:
		html_page(h, &l, now, out);
		break;
	}
	if (all)
		hostarch_list_free(&l);
	return 0;
}

static int
hosts_cmd(const char *args, struct evbuffer *out, void *arg)
{
	char fmt[8];
	const char *sp = strchr(args, ' ');
	size_t n = sp ? (size_t)(sp - args) : strlen(args);
	bool all = sp && strcmp(sp + 1, "all") == 0;
	snprintf(fmt, sizeof fmt, "%.*s", (int)(n < sizeof fmt ? n : sizeof fmt - 1), args);
	int f = hostreport_format_parse(n == 0 ? "text" : n < sizeof fmt ? fmt : "");
	if (f < 0 || (sp && !all)) {
		evbuffer_add_printf(out, "hosts: expected text, json, csv or html, then \"all\" "
		                         "for the archived hosts too\n");
		return -1;
	}
	return hostreport_hosts(arg, (enum hostreport_format)f, all, time(NULL), out);
}

static int
host_cmd(const char *args, struct evbuffer *out, void *arg)
{
	if (!*args) {
		evbuffer_add_printf(out, "host: expected an IP address, MAC or hostname\n");
		return -1;
	}
	if (hostreport_host(arg, args, out) == -1) {
		evbuffer_add_printf(out, "host: no host %.80s in the table\n", args);
		return -1;
	}
	return 0;
}

int
hostreport_register(struct control *c, struct hosts *h)
{
	return control_add(c, "hosts", hosts_cmd, h) == 0 &&
	               control_add(c, "host", host_cmd, h) == 0
	           ? 0
	           : -1;
}
