/* passthrough — the API side of raw remote requests. */
#include "api/passthrough.h"

#include "api/app.h"
#include "sync/passthrough.h"

#include <string.h>

void passthrough_post(struct req *rq, struct resp *rs)
{
    json_t *body = NULL, *result = NULL;
    struct err e;
    int rc;

    err_init(&e);
    if (strcmp(rq->params[0], rq->integration.tool) != 0) {
        resp_error(rs, HE_INPUT_INVALID, "the integration's tool is %s, not %.64s",
                   rq->integration.tool, rq->params[0]);
        return;
    }
    rc = req_json_object(rq, 0, &body, &e);
    if (rc == ERR_OK)
        rc = passthrough_call(&rq->integration, &rq->app->master, rq->params[1], body, &result, &e);
    json_decref(body);
    switch (rc) {
    case ERR_OK:
        resp_json_take(
            rs, 200,
            json_pack("{s:s, s:o, s:[]}", "status", "success", "data", result, "warnings"));
        break;
    case ERR_INVALID:
    case ERR_NOT_FOUND:
        resp_error(rs, HE_INPUT_INVALID, "%s", e.msg);
        break;
    default:
        /* A refused credential or an unreachable remote: the remote's fault,
         * told in the message (General endpoints only have PLATFORM codes). */
        resp_error(rs, HE_REMOTE_FAILED, "%s", e.msg[0] ? e.msg : "the remote failed");
    }
}
