/* The archive of evicted hosts (see hostarch.h): plain lines, so that an
 * admin can also read it with grep and cut. */
#include "hostarch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netaddr.h"

#define HOSTARCH_FIELDS 9
#define HOSTARCH_SLACK (64 * 1024) /* read past max_size: the last line may cross it */

static void
put_field(FILE *f, const char *s, char sep)
{
	for (; s && *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
	fputc(sep, f);
}

int
hostarch_append(const char *path, long long max_size, const struct hostarch_rec *r)
{
	char old[PATH_MAX], num[3][24];
	struct stat st;
	if (stat(path, &st) == 0 && st.st_size > 0 && st.st_size + 512 > max_size) {
		if (snprintf(old, sizeof old, "%s.1", path) >= (int)sizeof old) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (rename(path, old) == -1)
			return -1;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0640);
	FILE *f = fd == -1 ? NULL : fdopen(fd, "a");
	if (!f) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	snprintf(num[0], sizeof num[0], "%lld", r->first);
	snprintf(num[1], sizeof num[1], "%lld", r->last);
	snprintf(num[2], sizeof num[2], "%lld", r->total);
	const char *fields[HOSTARCH_FIELDS] = {r->addr, r->mac,    r->hostname, num[0],  num[1],
	                                       num[2],  r->action, r->cats,     r->names};
	for (int i = 0; i < HOSTARCH_FIELDS; i++)
		put_field(f, fields[i], i == HOSTARCH_FIELDS - 1 ? '\n' : '\t');
	int rc = fflush(f) == 0 && !ferror(f) ? 0 : -1;
	return fclose(f) == 0 ? rc : -1;
}

static int
number(const char *s, long long *v)
{
	char *end;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return *s && !*end && errno == 0 && *v >= 0 ? 0 : -1;
}

int
hostarch_parse(char *line, struct hostarch_rec *r)
{
	char *f[HOSTARCH_FIELDS];
	struct netaddr na;
	int n = 0;
	for (char *p = line; n < HOSTARCH_FIELDS; n++) {
		f[n] = p;
		char *tab = strchr(p, '\t');
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	if (n != HOSTARCH_FIELDS - 1 || netaddr_parse(&na, f[0]) == -1 ||
	    number(f[3], &r->first) == -1 || number(f[4], &r->last) == -1 ||
	    number(f[5], &r->total) == -1 || !f[6][0])
		return -1;
	r->addr = f[0];
	r->mac = f[1];
	r->hostname = f[2];
	r->action = f[6];
	r->cats = f[7];
	r->names = f[8];
	return 0;
}

/* Append up to max bytes of path to *buf (NUL-terminated). */
static int
slurp(const char *path, size_t max, char **buf, size_t *len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	char *b = realloc(*buf, *len + max + 1);
	if (!b) {
		fclose(f);
		return -1;
	}
	*buf = b;
	*len += fread(b + *len, 1, max, f);
	b[*len] = '\0';
	fclose(f);
	return 0;
}

static int
by_addr_then_newest(const void *a, const void *b)
{
	const struct hostarch_rec *x = a, *y = b;
	int c = strcmp(x->addr, y->addr);
	if (c)
		return c;
	return x->last != y->last ? (x->last < y->last ? 1 : -1) : 0;
}

static int
newest_first(const void *a, const void *b)
{
	const struct hostarch_rec *x = a, *y = b;
	return x->last != y->last ? (x->last < y->last ? 1 : -1) : strcmp(x->addr, y->addr);
}

int
hostarch_load(const char *path, long long max_size, struct hostarch_list *l)
{
	char old[PATH_MAX];
	size_t len = 0, max = (size_t)max_size + HOSTARCH_SLACK;
	memset(l, 0, sizeof *l);
	snprintf(old, sizeof old, "%s.1", path);
	if (slurp(old, max, &l->buf, &len) == -1 || slurp(path, max, &l->buf, &len) == -1)
		goto fail;
	if (!l->buf)
		return 0;
	int cap = 0;
	for (size_t i = 0; i < len; i++)
		cap += l->buf[i] == '\n';
	if (cap == 0)
		return 0;
	if (!(l->recs = calloc((size_t)cap, sizeof *l->recs)))
		goto fail;
	for (char *p = l->buf, *nl; l->n < cap && (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		if (hostarch_parse(p, &l->recs[l->n]) == 0)
			l->n++;
	}
	/* the latest record of each address: a host can leave, come back and leave again */
	qsort(l->recs, (size_t)l->n, sizeof *l->recs, by_addr_then_newest);
	int u = 0;
	for (int i = 0; i < l->n; i++)
		if (u == 0 || strcmp(l->recs[u - 1].addr, l->recs[i].addr) != 0)
			l->recs[u++] = l->recs[i];
	l->n = u;
	qsort(l->recs, (size_t)l->n, sizeof *l->recs, newest_first);
	return 0;
fail:
	hostarch_list_free(l);
	return -1;
}

void
hostarch_list_free(struct hostarch_list *l)
{
	free(l->buf);
	free(l->recs);
	memset(l, 0, sizeof *l);
}
