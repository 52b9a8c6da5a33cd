/* bytecache — rendered answers under the digest of what made them. */
#include "core/bytecache.h"

#include "core/alloc.h"
#include "core/err.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    unsigned char key[BYTECACHE_KEY];
    char *data; /* NULL: empty */
    size_t len;
    uint64_t used; /* tick of the last get or put */
};

struct bytecache {
    pthread_mutex_t lock;
    struct slot *slots;
    int nslots;
    size_t max_entry;
    uint64_t tick;
};

struct bytecache *bytecache_new(int slots, size_t max_entry)
{
    struct bytecache *c = xcalloc(1, sizeof(*c));

    pthread_mutex_init(&c->lock, NULL);
    c->nslots = slots > 0 ? slots : 1;
    c->slots = xcalloc((size_t)c->nslots, sizeof(*c->slots));
    c->max_entry = max_entry;
    return c;
}

void bytecache_free(struct bytecache *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->nslots; i++)
        free(c->slots[i].data);
    free(c->slots);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* The slot holding key, or NULL. Called with the lock held. */
static struct slot *find(struct bytecache *c, const unsigned char *key)
{
    for (int i = 0; i < c->nslots; i++) {
        if (c->slots[i].data && memcmp(c->slots[i].key, key, BYTECACHE_KEY) == 0)
            return &c->slots[i];
    }
    return NULL;
}

int bytecache_get(struct bytecache *c, const unsigned char key[BYTECACHE_KEY], struct buf *out)
{
    struct slot *s;
    int found = 0;

    if (!c)
        return 0;
    pthread_mutex_lock(&c->lock);
    s = find(c, key);
    if (s && buf_append(out, s->data, s->len) == ERR_OK) {
        s->used = ++c->tick;
        found = 1;
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}

void bytecache_put(struct bytecache *c, const unsigned char key[BYTECACHE_KEY], const char *data,
                   size_t len)
{
    struct slot *s;
    char *copy;

    if (!c || len > c->max_entry)
        return;
    copy = xmalloc(len ? len : 1);
    memcpy(copy, data, len);
    pthread_mutex_lock(&c->lock);
    s = find(c, key);
    if (!s) {
        /* The least recently used; an empty slot was never used (0). */
        s = &c->slots[0];
        for (int i = 1; i < c->nslots; i++) {
            if (c->slots[i].used < s->used)
                s = &c->slots[i];
        }
    }
    free(s->data);
    memcpy(s->key, key, BYTECACHE_KEY);
    s->data = copy;
    s->len = len;
    s->used = ++c->tick;
    pthread_mutex_unlock(&c->lock);
}
