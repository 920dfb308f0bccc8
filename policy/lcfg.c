/* Where libconfig's syntax errors really are: libconfig accepts a string
 * that runs over line ends, so an unterminated one swallows what follows
 * and the parser fails lines later. Shared by dnsd.conf and policy files. */
#include "lcfg.h"

#include <stdio.h>

int
lcfg_open_string_line(const char *file, int last)
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
			st = ch == '*' ? BLOCK_STAR : st == BLOCK_STAR && ch == '/' ? CODE : BLOCK_COMMENT;
			break;
		}
		if (ch == '\n')
			line++;
	}
	fclose(f);
	return found ? found : st == STRING ? start : 0;
}
