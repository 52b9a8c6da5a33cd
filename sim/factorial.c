/*
 * factorial — placeholder, replaced below.
 */
#include "sim.h"

#include "simerr.h"

#include <string.h>

static int is_data(const struct http_req *req)
{
    (void)req;
    return 1;
}

static void handle(const struct sim_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    (void)ctx;
    (void)req;
    http_json(resp, 404, "{}");
}

static void throttle(const struct sim_ctx *ctx, int status, int retry_after, struct http_resp *resp)
{
    (void)ctx;
    (void)retry_after;
    http_json(resp, status, "{}");
}

static void error(const struct sim_ctx *ctx, int status, struct http_resp *resp)
{
    (void)ctx;
    http_json(resp, status, "{}");
}

static int id_to_index(const char *id, int64_t *index)
{
    (void)id;
    (void)index;
    return SIM_ERR_INVALID;
}

static void index_to_id(int64_t index, char *out, size_t outlen)
{
    (void)index;
    if (outlen)
        out[0] = '\0';
}

const struct vendor factorial_vendor = {
    "factorial", is_data, handle, throttle, error, id_to_index, index_to_id,
};
