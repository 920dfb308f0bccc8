/* The live pages (see http_pages.h). Each is rendered whole here, so it
 * reads without its script; the script only re-renders the parts that
 * change from the same JSON that dnsdctl prints. */
#include "http_pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosts/hostlog.h"
#include "html.h"
#include "json.h"

#define PAGE_TIME "%Y-%m-%d %H:%M"

/* Shared by both pages: phones get one card per row (td data-label). */
static const char page_css[] =
    "body{font-family:system-ui,sans-serif;margin:0 auto;padding:.8em;max-width:80em;"
    "color:#222;background:#fafafa}\n"
    "h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.1em;margin:1em 0 .4em}\n"
    "a{color:#2a5ea8}.muted{color:#666;font-size:.9em}\n"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:0}"
    "dt{font-weight:600}dd{margin:0}\n"
    "table{border-collapse:collapse;width:100%;background:#fff}"
    "th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}"
    "th{background:#eee}td.n{text-align:right}\n"
    "ul.names{margin:0;padding-left:1em}pre{white-space:pre-wrap;font-size:.85em}\n"
    ".act-nxdomain,.act-refused,.act-nodata,.act-sinkhole{color:#b00020;font-weight:600}\n"
    "svg{max-width:100%;height:auto;background:#fff}\n"
    "@media (max-width:40em){table,thead,tbody,tr,td{display:block}thead{display:none}"
    "tr{border:1px solid #ccc;margin-bottom:.6em}td{border:0;border-bottom:1px solid #eee}"
    "td::before{content:attr(data-label);font-weight:600;display:inline-block;"
    "min-width:7em}td.n{text-align:left}}\n";

/* The script's helpers, shared by both pages: fetch JSON, text cells, time
 * as PAGE_TIME in local time, "-" for what is unknown, then poll(). */
static const char page_js_common[] =
    "var R=+document.body.getAttribute('data-refresh')*1000;\n"
    "function $(i){return document.getElementById(i)}\n"
    "function p2(n){return (n<10?'0':'')+n}\n"
    "function tm(s){if(!s)return '-';var d=new Date(s);return d.getFullYear()+'-'+"
    "p2(d.getMonth()+1)+'-'+p2(d.getDate())+' '+p2(d.getHours())+':'+p2(d.getMinutes())}\n"
    "function td(tr,label,text,cls){var c=document.createElement('td');"
    "c.setAttribute('data-label',label);c.textContent=text==null||text===''?'-':text;"
    "if(cls)c.className=cls;tr.appendChild(c);return c}\n"
    "function cats(c){var a=[];for(var k in c)a.push(k+' '+c[k]);return a.length?a.join(', "
    "'):'-'}\n"
    "function get(u){return fetch(u,{credentials:'same-origin',cache:'no-store'})"
    ".then(function(r){if(!r.ok)throw new Error(r.status+' '+r.statusText);return r.json()})}\n"
    "function poll(urls,show){setTimeout(function(){Promise.all(urls.map(get)).then(function(v){"
    "show.apply(null,v);$('updated').textContent='updated '+tm(new Date().toISOString())})"
    ".catch(function(e){$('updated').textContent='update failed: '+e.message})"
    ".then(function(){poll(urls,show)})},R)}\n";

static void
page_head(struct evbuffer *out, const char *title, unsigned refresh_s)
{
	evbuffer_add_printf(
	    out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
	         "<title>");
	html_str(out, title);
	evbuffer_add_printf(out,
	                    "</title>\n<style>\n%s</style></head>\n<body data-refresh=\"%u\">\n",
	                    page_css, refresh_s);
}

/* A td with its phone label; text NULL or "" is shown as "-". */
static void
page_td(struct evbuffer *out, const char *label, const char *text, const char *cls)
{
	evbuffer_add_printf(out, "<td data-label=\"%s\"%s%s%s>", label, cls ? " class=\"" : "",
	                    cls ? cls : "", cls ? "\"" : "");
	html_str(out, text && *text ? text : "-");
	evbuffer_add_printf(out, "</td>");
}

static void
page_policy(const struct livepolicy *ph, struct evbuffer *out)
{
	const struct policy *p = ph ? livepolicy_policy(ph) : NULL;
	char next[32];
	evbuffer_add_printf(out, "<section id=\"policy\"><h2>Policy</h2>\n<dl>");
	if (!p) {
		evbuffer_add_printf(out, "<dt>Phase in force</dt><dd id=\"phase\">-</dd>"
		                         "<dt>Next boundary</dt><dd id=\"next\">-</dd></dl>"
		                         "<p>No policy is loaded.</p></section>\n");
		return;
	}
	const char *cur = livepolicy_current(ph);
	evbuffer_add_printf(out, "<dt>Phase in force</dt><dd id=\"phase\">");
	html_str(out, cur ? cur : "none (before the first phase)");
	evbuffer_add_printf(out,
	                    "</dd><dt>Next boundary</dt><dd id=\"next\">%s</dd>"
	                    "<dt>Clock</dt><dd id=\"clock\">%s</dd></dl>\n",
	                    hostreport_time(livepolicy_next_boundary(ph), next, PAGE_TIME),
	                    livepolicy_flags(ph) & POLICY_NOW_TRUSTED ? "overridden"
	                    : livepolicy_clock_unsynced(ph)           ? "unsynced"
	                                                              : "sane");
	char *text = ctlcmd_timeline(p);
	if (text) {
		evbuffer_add_printf(out,
		                    "<details><summary>Timeline</summary><pre id=\"timeline\">");
		html_str(out, text);
		evbuffer_add_printf(out, "</pre></details>\n");
		free(text);
	}
	evbuffer_add_printf(out, "</section>\n");
}

static void
page_host_row(const struct hosts *h, const struct host *e, struct evbuffer *out)
{
	char ip[NETADDR_STRLEN], mac[MAC_STRLEN], t1[32], t2[32], cats[256], n[24];
	netaddr_str(&e->addr, ip);
	evbuffer_add_printf(out,
	                    "<tr class=\"host\" data-src=\"server\"><td data-label=\"IP\">"
	                    "<a href=\"/host/%s\">%s</a></td>",
	                    ip, ip);
	page_td(out, "MAC", e->has_mac ? mac_str(e->mac, mac) : NULL, NULL);
	page_td(out, "Hostname", e->hostname, NULL);
	page_td(out, "First seen", hostreport_time(e->first, t1, PAGE_TIME), NULL);
	page_td(out, "Last seen", hostreport_time(e->last, t2, PAGE_TIME), NULL);
	snprintf(n, sizeof n, "%llu", (unsigned long long)e->total);
	page_td(out, "Attempts", n, "n");
	page_td(out, "Categories", hostreport_category_counts(h, e, cats, sizeof cats, " ", ", "),
	        NULL);
	snprintf(n, sizeof n, "act-%s", policy_action_name(e->last_action));
	page_td(out, "Last action", policy_action_name(e->last_action), n);
	evbuffer_add_printf(out, "<td data-label=\"Names asked\"><ul class=\"names\">");
	for (int i = 0; i < e->nnames; i++) {
		evbuffer_add_printf(out, "<li>");
		html_str(out, e->names[i]);
		evbuffer_add_printf(out, "</li>");
	}
	evbuffer_add_printf(out, "</ul></td></tr>\n");
}

static const char page_index_js[] =
    "function hosts(j,s){var b=$('rows');b.textContent='';\n"
    " j.hosts.forEach(function(h){var tr=document.createElement('tr');tr.className='host';\n"
    "  tr.setAttribute('data-src','api');var c=td(tr,'IP','');var a=document.createElement('a');\n"
    "  "
    "a.href='/host/"
    "'+encodeURIComponent(h.ip);a.textContent=h.ip;c.textContent='';c.appendChild(a);\n"
    "  td(tr,'MAC',h.mac);td(tr,'Hostname',h.hostname);td(tr,'First seen',tm(h.first));\n"
    "  td(tr,'Last "
    "seen',tm(h.last));td(tr,'Attempts',h.total,'n');td(tr,'Categories',cats(h.categories));\n"
    "  td(tr,'Last action',h.last_action,'act-'+h.last_action);\n"
    "  var u=document.createElement('ul');u.className='names';h.names.forEach(function(n){\n"
    "   var li=document.createElement('li');li.textContent=n;u.appendChild(li)});\n"
    "  td(tr,'Names asked','').textContent='';tr.lastChild.appendChild(u);b.appendChild(tr)});\n"
    " $('nhosts').textContent=j.hosts.length;\n"
    " var p=s.policy;$('phase').textContent=p?(p.phase||'none (before the first phase)'):'-';\n"
    " $('next').textContent=p?tm(p.next_boundary):'-';if($('clock')&&p)$('clock').textContent=p."
    "clock}\n"
    "poll(['/api/hosts','/api/status'],hosts);\n";

void
http_page_index(const struct ctlcmd_src *s, unsigned refresh_s, struct evbuffer *out)
{
	const struct hosts *h = *s->hl ? hostlog_hosts(*s->hl) : NULL;
	const struct host *e;
	char now[32];
	struct hosts_stats st = {0};
	if (h)
		hosts_get_stats(h, &st);
	page_head(out, "dnsd: hosts still trying", refresh_s);
	evbuffer_add_printf(out,
	                    "<h1>dnsd: hosts still trying</h1>\n<p class=\"muted\">"
	                    "<span id=\"updated\">as of %s</span>; refreshes every %u s</p>\n",
	                    hostreport_time(time(NULL), now, PAGE_TIME), refresh_s);
	page_policy(*s->phase, out);
	evbuffer_add_printf(
	    out,
	    "<section><h2>Hosts (<span id=\"nhosts\">%d</span>), newest first</h2>\n"
	    "<table id=\"hosts\"><thead><tr><th>IP</th><th>MAC</th><th>Hostname</th>"
	    "<th>First seen</th><th>Last seen</th><th>Attempts</th><th>Categories</th>"
	    "<th>Last action</th><th>Names asked</th></tr></thead>\n<tbody id=\"rows\">\n",
	    st.hosts);
	if (h)
		TAILQ_FOREACH(e, hosts_list(h), lru)
	page_host_row(h, e, out);
	evbuffer_add_printf(out,
	                    "</tbody></table></section>\n<p class=\"muted\">JSON: "
	                    "<a href=\"/api/hosts\">/api/hosts</a>, <a href=\"/api/status\">"
	                    "/api/status</a>; <a href=\"/metrics\">/metrics</a></p>\n"
	                    "<script>\n%s%s</script>\n</body></html>\n",
	                    page_js_common, page_index_js);
}

/* Attempts per day over the days kept, today last; one bar a day. */
static void
page_chart(const struct hosts *h, const struct host *e, struct evbuffer *out)
{
	const int ndays = hosts_options(h)->days, bw = 16, ch = 120, left = 36, right = 24;
	const int32_t today = (int32_t)(time(NULL) / 86400);
	uint32_t max = 1;
	for (int d = 0; d < ndays; d++) {
		uint32_t c = host_day_count(h, e, today - d);
		max = c > max ? c : max;
	}
	evbuffer_add_printf(out,
	                    "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
	                    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	                    "aria-label=\"attempts per day\" font-size=\"10\">\n"
	                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
	                    "<text x=\"%d\" y=\"10\" text-anchor=\"end\">%u</text>"
	                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n",
	                    left + ndays * bw + right, ch + 28, left + ndays * bw + right, ch + 28,
	                    left, ch + 4, left + ndays * bw, ch + 4, left - 4, max, left - 4,
	                    ch + 4);
	for (int d = ndays - 1; d >= 0; d--) {
		int x = left + (ndays - 1 - d) * bw;
		uint32_t c = host_day_count(h, e, today - d);
		char day[JSON_TIMELEN];
		json_time((time_t)(today - d) * 86400, day);
		if (c) {
			int bh = (int)((uint64_t)c * (uint64_t)ch / max);
			bh = bh ? bh : 1;
			evbuffer_add_printf(
			    out,
			    "<rect class=\"day\" x=\"%d\" y=\"%d\" width=\"%d\" "
			    "height=\"%d\" fill=\"#4e79a7\"><title>%.10s: %u</title></rect>\n",
			    x + 1, ch + 4 - bh, bw - 2, bh, day, c);
		}
		if (d % 7 == 0)
			evbuffer_add_printf(out, "<text x=\"%d\" y=\"%d\">%.5s</text>\n", x,
			                    ch + 18, day + 5);
	}
	evbuffer_add_printf(out, "</svg>\n");
}

static const char page_host_js[] =
    "function host(h){$('total').textContent=h.total;$('last').textContent=tm(h.last);\n"
    " $('action').textContent=h.last_action;$('cats').textContent=cats(h.categories);\n"
    " var b=$('recent');b.textContent='';h.recent.forEach(function(a){\n"
    "  var tr=document.createElement('tr');tr.className='attempt';td(tr,'Time',tm(a.time));\n"
    "  "
    "td(tr,'Type',a.type);td(tr,'Category',a.category);td(tr,'Action',a.action,'act-'+a.action);\n"
    "  td(tr,'Name',a.name);b.appendChild(tr)});\n"
    " var n=$('names');n.textContent='';h.names.forEach(function(x){var "
    "li=document.createElement('li');\n"
    "  li.textContent=x;n.appendChild(li)})}\n";

int
http_page_host(const struct ctlcmd_src *s, const char *key, unsigned refresh_s,
               struct evbuffer *out)
{
	const struct hosts *h = *s->hl ? hostlog_hosts(*s->hl) : NULL;
	const struct host *e = h ? hosts_find(h, key) : NULL;
	char ip[NETADDR_STRLEN], mac[MAC_STRLEN], t1[32], t2[32], cats[256], tb[16];
	if (!e)
		return -1;
	netaddr_str(&e->addr, ip);
	page_head(out, ip, refresh_s);
	evbuffer_add_printf(out,
	                    "<p><a href=\"/\">&larr; all hosts</a></p>\n<h1>%s</h1>\n"
	                    "<p class=\"muted\"><span id=\"updated\">as of %s</span></p>\n<dl>",
	                    ip, hostreport_time(time(NULL), t1, PAGE_TIME));
	evbuffer_add_printf(out, "<dt>MAC</dt><dd>%s</dd><dt>Hostname</dt><dd>",
	                    e->has_mac ? mac_str(e->mac, mac) : "-");
	html_str(out, e->hostname[0] ? e->hostname : "-");
	evbuffer_add_printf(
	    out,
	    "</dd><dt>First seen</dt><dd>%s</dd><dt>Last seen</dt><dd id=\"last\">%s"
	    "</dd><dt>Attempts</dt><dd id=\"total\">%llu</dd><dt>Last action</dt>"
	    "<dd id=\"action\">%s</dd><dt>Categories</dt><dd id=\"cats\">",
	    hostreport_time(e->first, t1, PAGE_TIME), hostreport_time(e->last, t2, PAGE_TIME),
	    (unsigned long long)e->total, policy_action_name(e->last_action));
	hostreport_category_counts(h, e, cats, sizeof cats, " ", ", ");
	html_str(out, cats[0] ? cats : "-");
	evbuffer_add_printf(out, "</dd></dl>\n<h2>Attempts per day, last %d days (UTC)</h2>\n",
	                    hosts_options(h)->days);
	page_chart(h, e, out);
	evbuffer_add_printf(out, "<h2>Names asked</h2>\n<ul id=\"names\" class=\"names\">");
	for (int i = 0; i < e->nnames; i++) {
		evbuffer_add_printf(out, "<li>");
		html_str(out, e->names[i]);
		evbuffer_add_printf(out, "</li>");
	}
	evbuffer_add_printf(out, "</ul>\n<h2>Recent attempts, newest first</h2>\n<table><thead><tr>"
	                         "<th>Time</th><th>Type</th><th>Category</th><th>Action</th>"
	                         "<th>Name</th></tr></thead>\n<tbody id=\"recent\">\n");
	const struct host_attempt *a;
	for (int i = 0; (a = host_recent(h, e, i)); i++) {
		evbuffer_add_printf(out, "<tr class=\"attempt\">");
		page_td(out, "Time", hostreport_time(a->time, t1, "%Y-%m-%d %H:%M:%S"), NULL);
		page_td(out, "Type", eventlog_type_name(a->qtype, tb), NULL);
		page_td(out, "Category", hosts_category(h, a->cat), NULL);
		snprintf(t2, sizeof t2, "act-%s", policy_action_name(a->action));
		page_td(out, "Action", policy_action_name(a->action), t2);
		page_td(out, "Name", a->name, NULL);
		evbuffer_add_printf(out, "</tr>\n");
	}
	evbuffer_add_printf(out, "</tbody></table>\n<script>\n%s%s", page_js_common, page_host_js);
	evbuffer_add_printf(out, "poll(['/api/host/%s'],host);\n</script>\n</body></html>\n", ip);
	return 0;
}
