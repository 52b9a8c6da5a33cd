/*
 * router — finds the handler for a request: matches the decoded path
 * segments against the route table (routes.c), answers 404 or 405 in the
 * error envelope when nothing fits, authenticates when the route asks for
 * it, then calls the handler.
 */
#ifndef HB_HTTP_ROUTER_H
#define HB_HTTP_ROUTER_H

#include "http/request.h"
#include "http/response.h"

/* A handler fills rs (success or error envelope); it never fails silently. */
typedef void route_handler_fn(struct req *rq, struct resp *rs);

#define ROUTE_AUTH        1u /* needs Authorization: Bearer <key> */
#define ROUTE_INTEGRATION 2u /* needs X-Integration-Id of the key's environment */

struct route {
    const char *method;
    const char *pattern; /* "/v1/integrations/{}/enabled": {} matches one segment */
    route_handler_fn *fn;
    int family; /* enum http_family */
    unsigned flags;
};

/* The table, ending with a {NULL} entry (routes.c). */
extern const struct route router_routes[];

/* Routes rq (whose URI is parsed) and fills rs. */
void router_dispatch(struct req *rq, struct resp *rs);

#endif
