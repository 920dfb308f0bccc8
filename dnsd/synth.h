/* Answers dnsd authors itself: error rcodes (FORMERR, REFUSED, NOTIMP,
 * BADVERS, SERVFAIL), header and question only, so that no error answer is
 * larger than the query that caused it (plus an OPT). */
#ifndef DNSD_SYNTH_H
#define DNSD_SYNTH_H

#include <stdbool.h>
#include <stddef.h>

#include "msg.h"

#define SYNTH_RCODE_BADVERS 16	/* extended rcode, carried in the OPT */

/* Write the error answer for q into out. with_opt: add an OPT when the query
 * had one (BADVERS always carries one). Returns the length, 0 when cap is
 * too small. */
size_t synth_error(const struct msg_query *q, int rcode, bool with_opt, uint8_t *out,
    size_t cap);

#endif
