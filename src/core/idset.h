/*
 * idset — a compact set of record ids: which ids a page or a response has
 * delivered already. Each id is kept as a 64-bit hash in an open-addressing
 * table (11 to 21 bytes per id). Two distinct ids share a hash with odds
 * below 1 in 10^12 among the at most 5,000 of one page.
 */
#ifndef HB_CORE_IDSET_H
#define HB_CORE_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct idset {
    uint64_t *slots; /* 0 marks an empty slot */
    size_t cap;      /* a power of two */
    size_t n;
};

/* Initialises an empty set. */
void idset_init(struct idset *s);

/* Frees the table; the set can be reused after idset_init(). */
void idset_free(struct idset *s);

/* Adds id. Returns 1 when it was new, 0 when it was there already. */
int idset_add(struct idset *s, const char *id);

/* Whether id is in the set. */
int idset_has(const struct idset *s, const char *id);

#endif
