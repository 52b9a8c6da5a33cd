/* idset — open-addressing set of 64-bit id hashes. */
#include "core/idset.h"

#include "core/alloc.h"

#include <stdlib.h>
#include <string.h>

void idset_init(struct idset *s)
{
    s->slots = NULL;
    s->cap = 0;
    s->n = 0;
}

void idset_free(struct idset *s)
{
    free(s->slots);
    idset_init(s);
}

/* FNV-1a, then a final mix so that nearby strings spread across the table. */
static uint64_t hash(const char *id)
{
    uint64_t h = 14695981039346656037ULL;

    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 1099511628211ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h ? h : 1; /* 0 marks empty slots */
}

static int insert(uint64_t *slots, size_t cap, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);

    while (slots[i]) {
        if (slots[i] == h)
            return 0;
        i = (i + 1) & (cap - 1);
    }
    slots[i] = h;
    return 1;
}

int idset_add(struct idset *s, const char *id)
{
    uint64_t h = hash(id);
    int added;

    /* Grow at 3/4 full. */
    if ((s->n + 1) * 4 > s->cap * 3) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        uint64_t *slots = xcalloc(cap, sizeof(*slots));
        for (size_t i = 0; i < s->cap; i++) {
            if (s->slots[i])
                insert(slots, cap, s->slots[i]);
        }
        free(s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    added = insert(s->slots, s->cap, h);
    s->n += (size_t)added;
    return added;
}

int idset_has(const struct idset *s, const char *id)
{
    uint64_t h;
    size_t i;

    if (!s->cap)
        return 0;
    h = hash(id);
    for (i = (size_t)h & (s->cap - 1); s->slots[i]; i = (i + 1) & (s->cap - 1)) {
        if (s->slots[i] == h)
            return 1;
    }
    return 0;
}
