/* Fuzz harness for the host archive (dnsd/hosts/hostarch.c): the bytes are
 * written as an archive file and loaded as `dnsdctl hosts --all` does, and
 * each line is also parsed alone. Every record loaded must hold a valid
 * address and non-negative numbers, the records must be unique per address
 * and ordered most recently seen first. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "hosts/hostarch.h"
#include "netaddr.h"

static void
check_rec(const struct hostarch_rec *r)
{
	struct netaddr na;
	assert(netaddr_parse(&na, r->addr) == 0);
	assert(r->first >= 0 && r->last >= 0 && r->total >= 0);
	assert(r->action[0] && r->mac && r->hostname && r->cats && r->names);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4096];
	const char *dir = getenv("FUZZ_SCRATCH");
	snprintf(path, sizeof path, "%s/hostarch.%d", dir ? dir : "/tmp", (int)getpid());
	FILE *f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct hostarch_list l;
	if (hostarch_load(path, 1 << 20, &l) == 0) {
		for (int i = 0; i < l.n; i++) {
			check_rec(&l.recs[i]);
			if (i)
				assert(l.recs[i - 1].last >= l.recs[i].last);
			for (int k = 0; k < i; k++)
				assert(strcmp(l.recs[k].addr, l.recs[i].addr) != 0);
		}
		hostarch_list_free(&l);
	}
	unlink(path);
	char *line = malloc(size + 1);
	if (line) {
		struct hostarch_rec r;
		memcpy(line, data, size);
		line[size] = '\0';
		if (hostarch_parse(line, &r) == 0)
			check_rec(&r);
		free(line);
	}
	return 0;
}
