/* The live pages of the HTTP server: the hosts still trying (newest first,
 * with the names each asked), the policy phase, the next boundary and the
 * timeline, and one page per host with its recent attempts and a per-day
 * chart. Self-contained HTML (inline CSS, SVG and a small script that
 * polls /api/hosts, /api/status or /api/host/KEY to refresh in place),
 * readable on a phone; "-" where a field is unknown. */
#ifndef DNSD_HTTP_PAGES_H
#define DNSD_HTTP_PAGES_H

#include <event2/buffer.h>

#include "ctlcmd.h"

/* refresh_s: how often the page's script polls the API. */
void http_page_index(const struct ctlcmd_src *s, unsigned refresh_s, struct evbuffer *out);
/* -1 (nothing written) when the table has no host key (IP, MAC, hostname). */
int http_page_host(const struct ctlcmd_src *s, const char *key, unsigned refresh_s,
                   struct evbuffer *out);

#endif
