/*
 * ratelimit — a token bucket per API key. Each key may make `burst` requests
 * at once and `rate` per second after that; a request over the limit is told
 * how many seconds to wait (Retry-After). Keys are known only by a keyed
 * hash of the identity the caller passes (the API key's stored hash), so the
 * table never holds anything that authenticates. The table has a fixed
 * number of slots, so memory stays bounded however many keys there are; when
 * a neighbourhood of slots is full, the bucket nearest to full (the one that
 * loses least by being forgotten) makes room. Thread-safe. The buckets live
 * in this process: several `serve` processes each apply the limit on their
 * own.
 */
#ifndef HB_HTTP_RATELIMIT_H
#define HB_HTTP_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#define RATELIMIT_SLOTS 4096 /* keys tracked at once (a power of two) */

struct ratelimit;

/* A limiter of rate requests per second with bursts of burst (both >= 1)
 * over slots buckets (a power of two; 0 means RATELIMIT_SLOTS). */
struct ratelimit *ratelimit_new(long rate, long burst, size_t slots);

/* Frees the limiter. Accepts NULL. */
void ratelimit_destroy(struct ratelimit *rl);

/* Takes one request from the bucket of id (id_len bytes) at now_ms (a
 * monotonic clock). Returns 1 when the request may go ahead; else 0 with
 * *retry_after_s set to the whole seconds (at least 1) until it may. A NULL
 * limiter allows everything. */
int ratelimit_allow(struct ratelimit *rl, const void *id, size_t id_len, int64_t now_ms,
                    int *retry_after_s);

#endif
