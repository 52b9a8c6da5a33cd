/* jsonarena — chunked allocation for parsed jansson trees (see jsonarena.h). */
#include "core/jsonarena.h"

#include "core/alloc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define CHUNK_SIZE  ((size_t)1 << 20) /* chunks are aligned to their size */
#define CHUNK_SMALL (CHUNK_SIZE / 8)  /* larger values get a malloc of their own */
#define MAX_CHUNKS  512               /* chunks per thread; past that, malloc */
#define KEEP_CHUNKS 8                 /* released chunks a thread keeps for the next tree */
#define ALIGN       16

/* The chunks of one parsed tree. live counts its values not yet freed, plus
 * one while the parse runs, so the chunks go when the count drops to 0. */
struct arena {
    long live;
    char *cur; /* the chunk being filled */
    size_t used;
};

/* Every chunk of this thread's live arenas, for free() to recognise. */
struct chunk_ref {
    uintptr_t base;
    struct arena *owner;
};

static _Thread_local struct arena *parsing;
static _Thread_local struct chunk_ref chunks[MAX_CHUNKS];
static _Thread_local int nchunks;
/* Released chunks kept for reuse: a fresh one costs a page fault per page
 * touched, and a sync parses one page after another. */
static _Thread_local char *spare[KEEP_CHUNKS];
static _Thread_local int nspare;
static int installed;
/* Set on a thread once it keeps spare chunks: its destructor frees them
 * when the thread ends (an HTTP thread may parse a token response). */
static pthread_key_t spare_key;

static void release(struct arena *a)
{
    int j = 0;

    for (int i = 0; i < nchunks; i++) {
        if (chunks[i].owner != a)
            chunks[j++] = chunks[i];
        else if (nspare < KEEP_CHUNKS) {
            spare[nspare++] = (char *)chunks[i].base;
            pthread_setspecific(spare_key, &nspare);
        } else
            free((void *)chunks[i].base);
    }
    nchunks = j;
    free(a);
}

/* Frees the chunks this thread keeps for reuse. */
void jsonarena_thread_done(void)
{
    while (nspare > 0)
        free(spare[--nspare]);
}

static void *arena_malloc(size_t size)
{
    struct arena *a = parsing;
    void *p;

    if (!a || size > CHUNK_SMALL)
        return malloc(size);
    size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (!a->cur || a->used + size > CHUNK_SIZE) {
        char *c;
        if (nchunks == MAX_CHUNKS)
            return malloc(size);
        c = nspare > 0 ? spare[--nspare] : aligned_alloc(CHUNK_SIZE, CHUNK_SIZE);
        if (!c)
            return NULL; /* jansson reports it as out of memory */
        chunks[nchunks].base = (uintptr_t)c;
        chunks[nchunks].owner = a;
        nchunks++;
        a->cur = c;
        a->used = 0;
    }
    p = a->cur + a->used;
    a->used += size;
    a->live++;
    return p;
}

static void arena_free(void *p)
{
    uintptr_t base = (uintptr_t)p & ~(uintptr_t)(CHUNK_SIZE - 1);

    /* Newest chunks first: a page's values are mostly freed soon after. */
    for (int i = nchunks - 1; p && i >= 0; i--) {
        if (chunks[i].base == base) {
            struct arena *a = chunks[i].owner;
            if (--a->live == 0)
                release(a);
            return;
        }
    }
    free(p);
}

static void free_spares_at_exit(void *unused)
{
    (void)unused;
    jsonarena_thread_done();
}

static void install_once(void)
{
    if (pthread_key_create(&spare_key, free_spares_at_exit) != 0)
        return; /* without it, trees are parsed with malloc */
    json_set_alloc_funcs(arena_malloc, arena_free);
    installed = 1;
}

void jsonarena_install(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, install_once);
}

json_t *jsonarena_loadb(const char *buf, size_t len, size_t flags, json_error_t *error)
{
    struct arena *a;
    json_t *j;

    if (!installed || parsing)
        return json_loadb(buf, len, flags, error);
    a = xcalloc(1, sizeof(*a));
    a->live = 1;
    parsing = a;
    j = json_loadb(buf, len, flags, error);
    parsing = NULL;
    if (--a->live == 0)
        release(a);
    return j;
}
