/* router — route matching, 404/405, authentication, dispatch. */
#include "http/router.h"

#include "http/auth.h"

#include <stdio.h>
#include <string.h>

/* Matches pattern against rq's segments, collecting {} parameters. */
static int match(const char *pattern, struct req *rq)
{
    const char *p = pattern;
    int seg = 0, nparams = 0;
    const char *params[REQ_MAX_PARAMS];

    while (*p == '/')
        p++;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);

        if (seg >= rq->nsegments)
            return 0;
        if (len == 2 && p[0] == '{' && p[1] == '}') {
            if (nparams >= REQ_MAX_PARAMS || !rq->segments[seg][0])
                return 0;
            params[nparams++] = rq->segments[seg];
        } else if (strlen(rq->segments[seg]) != len || memcmp(rq->segments[seg], p, len) != 0) {
            return 0;
        }
        seg++;
        if (!slash)
            break;
        p = slash + 1;
    }
    /* One trailing slash is tolerated ("/v1/check-api-key/"). */
    if (seg == rq->nsegments - 1 && rq->segments[seg][0] == '\0')
        seg++;
    if (seg != rq->nsegments)
        return 0;
    memcpy(rq->params, params, sizeof(params[0]) * (size_t)nparams);
    rq->nparams = nparams;
    return 1;
}

void router_dispatch(struct req *rq, struct resp *rs)
{
    const struct route *found = NULL;
    size_t allow_len = 0;

    rs->allow[0] = '\0';
    for (const struct route *r = router_routes; r->method; r++) {
        if (!match(r->pattern, rq))
            continue;
        if (strcmp(r->method, rq->method) == 0) {
            found = r;
            break;
        }
        if (allow_len + strlen(r->method) + 3 < sizeof(rs->allow))
            allow_len += (size_t)snprintf(rs->allow + allow_len, sizeof(rs->allow) - allow_len,
                                          "%s%s", allow_len ? ", " : "", r->method);
    }
    if (!found) {
        rs->family = FAMILY_GENERAL;
        if (allow_len)
            resp_error(rs, HE_METHOD_NOT_ALLOWED, "%s is not allowed here; allowed: %s", rq->method,
                       rs->allow);
        else
            resp_error(rs, HE_ROUTE_NOT_FOUND, "no endpoint %s %s", rq->method, rq->path);
        return;
    }
    rs->family = found->family;
    if ((found->flags & ROUTE_AUTH) && auth_api_key(rq, rs) != ERR_OK)
        return;
    if ((found->flags & ROUTE_INTEGRATION) && auth_integration(rq, rs) != ERR_OK)
        return;
    found->fn(rq, rs);
}
