/*
 * alloc — allocation wrappers that never return NULL. Running out of memory
 * logs and aborts; callers never check. Untrusted input cannot cause it
 * because every buffer it can grow is bounded (style.md §6).
 */
#ifndef HB_CORE_ALLOC_H
#define HB_CORE_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Copies at most n bytes of s and NUL-terminates. */
char *xstrndup(const char *s, size_t n);

#endif
