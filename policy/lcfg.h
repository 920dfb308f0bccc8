/* Help for libconfig's syntax errors (dnsd.conf and policy files alike). */
#ifndef DNSD_LCFG_H
#define DNSD_LCFG_H

/* The line of the first string in file, up to line last (where libconfig
 * failed), that runs over a line end or to the end of the file: an
 * unterminated string starting there. 0 when there is none. */
int lcfg_open_string_line(const char *file, int last);

#endif
