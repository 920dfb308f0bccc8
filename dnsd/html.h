/* HTML escaping for the pages dnsd and dnsdctl write (the host report, the
 * live pages, the fleet report): text and attribute values. */
#ifndef DNSD_HTML_H
#define DNSD_HTML_H

#include <event2/buffer.h>

/* Append s with <, >, & and " escaped. */
void html_str(struct evbuffer *out, const char *s);

#endif
