/* The CSPRNG wrapper: a small buffer refilled from getrandom(2), so that the
 * per-query cost is a copy rather than a system call. */
#include "rand.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static uint8_t rand_pool[256];
static size_t rand_left;

int
rand_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
rand_take(void *buf, size_t len)
{
	if (rand_left < len) {
		/* getrandom(2) with flags 0 only fails for bad arguments. */
		if (rand_bytes(rand_pool, sizeof rand_pool) < 0)
			abort();
		rand_left = sizeof rand_pool;
	}
	memcpy(buf, rand_pool + sizeof rand_pool - rand_left, len);
	/* Do not leave used randomness lying around. */
	memset(rand_pool + sizeof rand_pool - rand_left, 0, len);
	rand_left -= len;
}

uint16_t
rand_u16(void)
{
	uint16_t v;
	rand_take(&v, sizeof v);
	return v;
}

uint32_t
rand_uniform(uint32_t upper)
{
	/* Rejection sampling avoids modulo bias. */
	uint32_t v, min = -upper % upper;
	do
		rand_take(&v, sizeof v);
	while (v < min);
	return v % upper;
}
