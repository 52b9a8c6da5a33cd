/* ratelimit — token buckets per API key in a fixed table. */
#include "http/ratelimit.h"

#include "core/alloc.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define PROBE  8    /* slots searched from a key's home slot */
#define MILLIS 1000 /* tokens are counted in thousandths */

struct bucket {
    uint64_t tag;   /* keyed hash of the identity; 0: free */
    int64_t tokens; /* thousandths of a token */
    int64_t last_ms;
};

struct ratelimit {
    pthread_mutex_t lock;
    int64_t rate;     /* tokens per second = thousandths per millisecond */
    int64_t capacity; /* burst, in thousandths */
    size_t mask;
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
    struct bucket *slots;
};

struct ratelimit *ratelimit_new(long rate, long burst, size_t slots)
{
    struct ratelimit *rl = xcalloc(1, sizeof(*rl));

    if (slots == 0 || (slots & (slots - 1)) != 0)
        slots = RATELIMIT_SLOTS;
    rl->rate = rate > 0 ? rate : 1;
    rl->capacity = (int64_t)(burst > 0 ? burst : 1) * MILLIS;
    rl->mask = slots - 1;
    rl->slots = xcalloc(slots, sizeof(*rl->slots));
    /* A fresh key per process: tags say nothing outside it. */
    crypto_shorthash_keygen(rl->hash_key);
    pthread_mutex_init(&rl->lock, NULL);
    return rl;
}

void ratelimit_destroy(struct ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    sodium_memzero(rl->hash_key, sizeof(rl->hash_key));
    free(rl->slots);
    free(rl);
}

/* The bucket's tokens at now, refilled since it was last used. */
static int64_t refilled(const struct ratelimit *rl, const struct bucket *b, int64_t now_ms)
{
    int64_t elapsed = now_ms - b->last_ms;

    if (elapsed <= 0)
        return b->tokens;
    /* Long idle: full. Checked first so elapsed * rate cannot overflow. */
    if (elapsed >= rl->capacity / rl->rate + 1)
        return rl->capacity;
    return b->tokens + elapsed * rl->rate < rl->capacity ? b->tokens + elapsed * rl->rate
                                                         : rl->capacity;
}

/* The slot for tag: its own, else a free one, else the fullest bucket
 * nearby (forgetting it costs that key the least). */
static struct bucket *find_slot(struct ratelimit *rl, uint64_t tag, int64_t now_ms)
{
    struct bucket *victim = NULL;
    int64_t most = -1;

    for (size_t i = 0; i < PROBE; i++) {
        struct bucket *b = &rl->slots[(tag + i) & rl->mask];
        int64_t t;

        if (b->tag == tag)
            return b;
        if (b->tag == 0) {
            if (most < INT64_MAX) {
                victim = b;
                most = INT64_MAX;
            }
            continue;
        }
        t = refilled(rl, b, now_ms);
        if (t > most) {
            victim = b;
            most = t;
        }
    }
    victim->tag = tag;
    victim->tokens = rl->capacity;
    victim->last_ms = now_ms;
    return victim;
}

int ratelimit_allow(struct ratelimit *rl, const void *id, size_t id_len, int64_t now_ms,
                    int *retry_after_s)
{
    unsigned char h[crypto_shorthash_BYTES];
    struct bucket *b;
    uint64_t tag;
    int ok;

    if (!rl)
        return 1;
    crypto_shorthash(h, id, id_len, rl->hash_key);
    memcpy(&tag, h, sizeof(tag));
    if (tag == 0)
        tag = 1; /* 0 marks a free slot */

    pthread_mutex_lock(&rl->lock);
    b = find_slot(rl, tag, now_ms);
    b->tokens = refilled(rl, b, now_ms);
    if (now_ms > b->last_ms)
        b->last_ms = now_ms;
    ok = b->tokens >= MILLIS;
    if (ok) {
        b->tokens -= MILLIS;
    } else {
        int64_t wait_ms = (MILLIS - b->tokens + rl->rate - 1) / rl->rate;
        int64_t s = (wait_ms + 999) / 1000;
        *retry_after_s = s < 1 ? 1 : s > 3600 ? 3600 : (int)s;
    }
    pthread_mutex_unlock(&rl->lock);
    return ok;
}
