/* Bump allocator in chunks (see arena.h). Large requests get a chunk of
 * their own so that the chunk size stays small for small policies. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 65536

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct chunk *head;
	size_t total;
};

struct arena *
arena_new(void)
{
	return calloc(1, sizeof(struct arena));
}

void
arena_free(struct arena *a)
{
	if (!a)
		return;
	for (struct chunk *c = a->head, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	free(a);
}

void *
arena_alloc(struct arena *a, size_t size)
{
	size = (size + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
	struct chunk *c = a->head;
	if (!c || c->cap - c->used < size) {
		size_t cap = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		a->total += sizeof *c + cap;
		/* A big private chunk goes behind the head so that the rest of the
		 * head chunk is still used for small requests. */
		if (a->head && cap != ARENA_CHUNK) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	size_t len = strlen(s);
	char *c = arena_alloc(a, len + 1);
	if (c)
		memcpy(c, s, len + 1);
	return c;
}

size_t
arena_size(const struct arena *a)
{
	return a->total;
}
