/* paging — page_size and cursor parameters, next cursors. */
#include "api/paging.h"

#include "api/app.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int paging_parse_int(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    long v;

    if (!s || !*s || strlen(s) > 18)
        return -1;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int paging_parse(const struct req *rq, int def, int max, const char *kind, const char *integration,
                 struct paging *out, struct err *e)
{
    const char *size = req_query_get(rq, "page_size");
    const char *cursor = req_query_get(rq, "cursor");
    long n = def;

    memset(out, 0, sizeof(*out));
    out->kind = kind;
    out->integration = integration;
    if (size && paging_parse_int(size, 1, max, &n) != 0)
        return err_set(e, ERR_INVALID,
                       "page_size: expected a whole number from 1 to %d, got "
                       "\"%.32s\"",
                       max, size);
    out->limit = (int)n;
    if (cursor && *cursor)
        return cursor_decode(&rq->app->master, kind, integration, cursor, out->after, e);
    return ERR_OK;
}

json_t *paging_next(const struct req *rq, const struct paging *pg, int more, const char *last)
{
    char c[CURSOR_MAX];

    if (!more || !last ||
        cursor_encode(&rq->app->master, pg->kind, pg->integration, last, c) != ERR_OK)
        return json_null();
    return json_string(c);
}
