/* A bump allocator for a loaded policy: everything a policy owns lives in
 * one arena and is released at once, so loading many patterns costs a few
 * large allocations instead of one malloc per pattern. */
#ifndef DNSD_ARENA_H
#define DNSD_ARENA_H

#include <stddef.h>

struct arena;

/* NULL when out of memory. The caller frees with arena_free. */
struct arena *arena_new(void);
void arena_free(struct arena *a);

/* Memory owned by the arena, valid until arena_free; NULL when out of
 * memory. arena_alloc zeroes and aligns to pointer size. */
void *arena_alloc(struct arena *a, size_t size);
char *arena_strdup(struct arena *a, const char *s);

/* Bytes obtained from malloc so far (for measurements). */
size_t arena_size(const struct arena *a);

#endif
