/*
 * bytecache — a small cache of rendered answers shared by the HTTP threads.
 * Each entry is a copy of some bytes under a digest of everything that made
 * them (BYTECACHE_KEY bytes, e.g. BLAKE2b of the data version and the
 * query), so an entry never needs invalidating: a change makes another key.
 * A fixed number of slots, the least recently used one replaced; entries
 * over max_entry bytes are not kept. One mutex: a lookup is a few key
 * compares and a copy.
 */
#ifndef HB_CORE_BYTECACHE_H
#define HB_CORE_BYTECACHE_H

#include "core/buf.h"

#include <stddef.h>

#define BYTECACHE_KEY 16

struct bytecache;

/* A cache of slots entries of at most max_entry bytes each. */
struct bytecache *bytecache_new(int slots, size_t max_entry);

/* Frees the cache and its entries. Accepts NULL. */
void bytecache_free(struct bytecache *c);

/* Appends the bytes kept under key to out. Returns 1 when it did; 0 when
 * nothing is kept there (or c is NULL, or out refused them). */
int bytecache_get(struct bytecache *c, const unsigned char key[BYTECACHE_KEY], struct buf *out);

/* Keeps a copy of len bytes under key (replacing what was there). Does
 * nothing when c is NULL or len is over the cache's max_entry. */
void bytecache_put(struct bytecache *c, const unsigned char key[BYTECACHE_KEY], const char *data,
                   size_t len);

#endif
