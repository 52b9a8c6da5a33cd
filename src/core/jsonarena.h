/*
 * jsonarena — parsing remote pages into jansson trees without a malloc and
 * a free per value. A sync parses pages of thousands of small objects and
 * drops each page a moment later; jansson's allocation hooks
 * (json_set_alloc_funcs) let every value of such a tree come from large
 * chunks owned by the tree, which are returned at once when its last value
 * is freed. Values allocated any other way (json_object() and friends, or
 * on a thread that is not parsing) keep using malloc, and the hooks tell
 * the two apart, so trees from both can be mixed freely.
 *
 * Rule: a tree from jsonarena_loadb is released (json_decref) on the thread
 * that parsed it. Until then its chunks stay allocated, also when only one
 * value of it is still referenced.
 */
#ifndef HB_CORE_JSONARENA_H
#define HB_CORE_JSONARENA_H

#include <jansson.h>
#include <stddef.h>

/* Installs the allocation hooks into jansson (once per process; later calls
 * do nothing). Call it early in main, before threads start; values made
 * before it with malloc are still freed correctly. */
void jsonarena_install(void);

/* json_loadb, with the tree's values in chunks of their own when the hooks
 * are installed (plain json_loadb otherwise). Same flags, errors and
 * ownership: the caller owns the returned reference. */
json_t *jsonarena_loadb(const char *buf, size_t len, size_t flags, json_error_t *error);

/* Frees the chunks this thread kept for its next tree. Call it when the
 * thread is done parsing for a while (the end of a sync run); a thread that
 * ends has them freed anyway. */
void jsonarena_thread_done(void);

#endif
