/* The config reader's libconfig half (see confread.h). libconfig accepts a
 * string that runs over line ends, so an unterminated one swallows what
 * follows and the parser fails lines later: the error names where it
 * started. */
#include "confread.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The line of the first string in file, up to line last, that runs over a
 * line end or to the end of the file. 0 when there is none. */
static int
confread_open_string_line(const char *file, int last)
{
	FILE *f = fopen(file, "r");
	if (f == NULL)
		return 0;
	int ch, line = 1, start = 0, found = 0;
	enum { CODE, STRING, ESCAPE, LINE_COMMENT, BLOCK_COMMENT, BLOCK_STAR } st = CODE;
	while (!found && line <= last && (ch = getc(f)) != EOF) {
		switch (st) {
		case CODE:
			if (ch == '"') {
				st = STRING;
				start = line;
			} else if (ch == '#')
				st = LINE_COMMENT;
			else if (ch == '/') {
				int next = getc(f);
				if (next == '/')
					st = LINE_COMMENT;
				else if (next == '*')
					st = BLOCK_COMMENT;
				else if (next != EOF)
					ungetc(next, f);
			}
			break;
		case STRING:
			if (ch == '\\')
				st = ESCAPE;
			else if (ch == '"')
				st = CODE;
			else if (ch == '\n')
				found = start;
			break;
		case ESCAPE:
			st = STRING;
			break;
		case LINE_COMMENT:
			if (ch == '\n')
				st = CODE;
			break;
		case BLOCK_COMMENT:
		case BLOCK_STAR:
			st = ch == '*'                       ? BLOCK_STAR
			     : st == BLOCK_STAR && ch == '/' ? CODE
			                                     : BLOCK_COMMENT;
			break;
		}
		if (ch == '\n')
			line++;
	}
	fclose(f);
	return found ? found : st == STRING ? start : 0;
}

int
confread_file(config_t *lc, const char *path, struct conf_errors *e)
{
	if (config_read_file(lc, path) == CONFIG_TRUE)
		return 0;
	if (config_error_type(lc) == CONFIG_ERR_FILE_IO)
		return -1;
	const char *file = config_error_file(lc) ? config_error_file(lc) : path;
	int line = config_error_line(lc), open = confread_open_string_line(file, line);
	if (open)
		conf_error(e, file, open, "unterminated string (%s at line %d)",
		           config_error_text(lc), line);
	else
		conf_error(e, file, line, "%s", config_error_text(lc));
	return -2;
}

void
confread_error(struct conf_errors *e, const config_setting_t *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	conf_error(e, config_setting_source_file(s), (int)config_setting_source_line(s), "%s", msg);
}

bool
confread_at(const config_setting_t *s, struct conf_at *at)
{
	const char *f = s ? config_setting_source_file(s) : NULL;
	at->file = f ? strdup(f) : NULL;
	at->line = s ? (int)config_setting_source_line(s) : 0;
	return !f || at->file;
}

void
confread_known(struct conf_errors *e, const config_setting_t *g, const char *const *names,
               const char *fmt, const char *what)
{
	for (int i = 0; g && i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(s);
		const char *const *k = names;
		while (*k && strcmp(*k, n ? n : "") != 0)
			k++;
		if (!*k)
			confread_error(e, s, fmt, n ? n : "?", what);
	}
}

void
confread_int(struct conf_errors *e, const config_setting_t *g, const char *name, long long min,
             long long max, long long *out)
{
	const config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;
	if (s == NULL)
		return;
	int t = config_setting_type(s);
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
		confread_error(e, s, "%s: expected an integer", name);
		return;
	}
	long long v = config_setting_get_int64(s);
	if (v < min || v > max)
		confread_error(e, s, "%s: %lld is out of range %lld..%lld", name, v, min, max);
	else
		*out = v;
}

void
confread_bool(struct conf_errors *e, const config_setting_t *g, const char *name, bool *out)
{
	const config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;
	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		confread_error(e, s, "%s: expected true or false", name);
	else
		*out = config_setting_get_bool(s);
}

const char *
confread_str(struct conf_errors *e, const config_setting_t *g, const char *name)
{
	const config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;
	if (s == NULL)
		return NULL;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		confread_error(e, s, "%s: expected a string", name);
		return NULL;
	}
	return config_setting_get_string(s);
}

/* confread_strdup and confread_path. */
static void
confread_copy(struct conf_errors *e, const config_setting_t *g, const char *name, bool is_path,
              char **out)
{
	const char *v = confread_str(e, g, name);
	if (v == NULL)
		return;
	const config_setting_t *s = config_setting_get_member(g, name);
	char *copy = !*v       ? NULL
	             : is_path ? conf_resolve(config_setting_source_file(s), v)
	                       : strdup(v);
	if (*v && !copy) {
		confread_error(e, s, "%s: out of memory", name);
		return;
	}
	free(*out);
	*out = copy;
}

void
confread_strdup(struct conf_errors *e, const config_setting_t *g, const char *name, char **out)
{
	confread_copy(e, g, name, false, out);
}

void
confread_path(struct conf_errors *e, const config_setting_t *g, const char *name, char **out)
{
	confread_copy(e, g, name, true, out);
}
