/*
 * isotime — timestamps. Internally every time is milliseconds since the Unix
 * epoch (int64). On the wire it is ISO-8601 UTC with milliseconds:
 * "2024-05-01T00:00:00.000Z".
 */
#ifndef HB_CORE_ISOTIME_H
#define HB_CORE_ISOTIME_H

#include <stdint.h>
#include <time.h>

#define ISOTIME_LEN 25 /* "YYYY-MM-DDTHH:MM:SS.mmmZ" + NUL */

/* Current wall-clock time in ms. */
int64_t isotime_now_ms(void);

/* Monotonic clock in ms, for durations. */
int64_t isotime_mono_ms(void);

/* The wall-clock instant ms from now, as pthread_cond_timedwait wants it. */
struct timespec isotime_wall_after(int64_t ms);

/* Writes ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out (ISOTIME_LEN bytes). */
void isotime_format(int64_t ms, char out[ISOTIME_LEN]);

/* Parses an ISO-8601 date or date-time: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]"
 * followed by "Z", "+HH:MM", "-HH:MM" or nothing (UTC). Returns ERR_OK and
 * writes *out_ms, or ERR_INVALID (also for an instant outside the years
 * 0000-9999 UTC, which an offset can produce and isotime_format cannot write). */
int isotime_parse(const char *s, int64_t *out_ms);

#endif
