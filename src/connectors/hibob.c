/* hibob — connector (being written). */
#include "connectors/connector.h"

static int authenticate(struct conn_ctx *ctx)
{
    return err_set(ctx->err, ERR_INTERNAL, "the hibob connector is not available yet");
}

static int fetch(struct conn_ctx *ctx, const struct conn_sink *sink)
{
    (void)sink;
    return err_set(ctx->err, ERR_INTERNAL, "the hibob connector is not available yet");
}

const struct connector connector_hibob = {
    .tool = "hibob",
    .models = 0,
    .supports_delta = 0,
    .authenticate = authenticate,
    .fetch = fetch,
};
