/*
 * paging — the cursor and page_size query parameters every list endpoint
 * shares: strict parsing (page_size a whole number in range, cursor one this
 * server issued for this very list), and the cursor of the next page.
 */
#ifndef HB_API_PAGING_H
#define HB_API_PAGING_H

#include "core/cursor.h"
#include "http/request.h"

#include <jansson.h>

struct paging {
    int limit;
    char after[CURSOR_KEY_MAX]; /* "" on the first page */
    const char *kind;
    const char *integration;
};

/* Reads page_size (default def, 1..max) and cursor for the list (kind,
 * integration). Returns ERR_OK, or ERR_INVALID with e naming the parameter. */
int paging_parse(const struct req *rq, int def, int max, const char *kind, const char *integration,
                 struct paging *out, struct err *e);

/* The next-page cursor as a new JSON string when more follows (positioned
 * after last), else JSON null. */
json_t *paging_next(const struct req *rq, const struct paging *pg, int more, const char *last);

/* Parses a whole decimal number in min..max. Returns 0 and *out, or -1. */
int paging_parse_int(const char *s, long min, long max, long *out);

#endif
