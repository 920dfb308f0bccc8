/* Answers dnsd authors itself: error rcodes (FORMERR, REFUSED, NOTIMP,
 * BADVERS, SERVFAIL), header and question only, so that no error answer is
 * larger than the query that caused it (plus an OPT); and the policy's
 * answers (NXDOMAIN/NODATA with an SOA, REFUSED, sinkhole addresses). */
#ifndef DNSD_SYNTH_H
#define DNSD_SYNTH_H

#include <stdbool.h>
#include <stddef.h>

#include "msg.h"
#include "policy.h"

#define SYNTH_RCODE_BADVERS 16 /* extended rcode, carried in the OPT */

/* Write the error answer for q into out. with_opt: add an OPT when the query
 * had one (BADVERS always carries one). Returns the length, 0 when cap is
 * too small. */
size_t synth_error(const struct msg_query *q, int rcode, bool with_opt, uint8_t *out, size_t cap);

/* The answer for a blocking decision (NXDOMAIN, NODATA, REFUSED, SINKHOLE),
 * built with ldns: QR, RA and the client's RD/CD set, AA and AD clear (the
 * name is not ours; the answer is not validated). Negative answers carry
 * "QNAME SOA localhost. nobody.invalid. 1 3600 600 86400 TTL" in the
 * authority section with TTL = d->negative_ttl, so clients cache them for
 * that long. SINKHOLE answers A/AAAA with the configured addresses
 * (d->answer_ttl), and NODATA for other types or an empty family. An OPT
 * when the query had one. Truncated (TC) beyond limit. Returns the length,
 * 0 on failure. */
size_t synth_policy(const struct msg_query *q, const struct policy_decision *d, size_t limit,
                    uint8_t *out, size_t cap);

#endif
