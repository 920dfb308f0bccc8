/* The monotonic clock, for timeouts, intervals and rate limits: it never
 * jumps with the wall clock (an NTP sync, the admin). The policy runs on
 * wall time instead (livepolicy.h). */
#ifndef DNSD_CLOCK_H
#define DNSD_CLOCK_H

#include <stdint.h>
#include <time.h>

time_t clock_mono_s(void);
long long clock_mono_ms(void);
/* Milliseconds at a scheduler tick's precision, for the per-query path
 * (CLOCK_MONOTONIC_COARSE reads no hardware counter). */
uint64_t clock_mono_coarse_ms(void);

#endif
