/* HTML escaping (html.h). */
#include "html.h"

#include <string.h>

void
html_str(struct evbuffer *out, const char *s)
{
	for (; *s; s++) {
		const char *esc = *s == '<'   ? "&lt;"
		                  : *s == '>' ? "&gt;"
		                  : *s == '&' ? "&amp;"
		                  : *s == '"' ? "&quot;"
		                              : NULL;
		evbuffer_add(out, esc ? esc : s, esc ? strlen(esc) : 1);
	}
}
