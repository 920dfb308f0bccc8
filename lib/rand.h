/* Random numbers from the kernel CSPRNG (getrandom(2)), for upstream query
 * IDs, source ports and hash seeds. Never seeded from the clock. */
#ifndef DNSD_RAND_H
#define DNSD_RAND_H

#include <stddef.h>
#include <stdint.h>

/* Fill buf with len random bytes. Blocks only until the kernel pool is
 * initialised (once per boot); 0 on success, -1 with errno on failure. */
int rand_bytes(void *buf, size_t len);
uint16_t rand_u16(void);
/* Uniform in [0, upper); upper > 0. */
uint32_t rand_uniform(uint32_t upper);

#endif
