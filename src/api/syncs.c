/* syncs — force a sync, list sync runs. */
#include "api/syncs.h"

#include "api/app.h"
#include "api/paging.h"
#include "connectors/connector.h"
#include "core/isotime.h"
#include "core/log.h"
#include "http/auth.h"
#include "sync/jobs.h"

#include <string.h>

void syncs_force(struct req *rq, struct resp *rs)
{
    const struct connector *conn = connector_find(rq->integration.tool);
    struct store_sync_run run;
    json_t *body = NULL, *t;
    const char *key;
    struct err e;
    int rc, type = SYNC_FULL, already = 0;

    err_init(&e);
    rc = req_json_object(rq, 1, &body, &e);
    if (rc == ERR_OK) {
        json_object_foreach (body, key, t) {
            if (strcmp(key, "type") != 0) {
                rc = err_set(&e, ERR_INVALID, "%.64s: unknown field", key);
                break;
            }
        }
    }
    t = json_object_get(body, "type");
    if (rc == ERR_OK && t && !json_is_null(t)) {
        if (json_is_string(t) && strcmp(json_string_value(t), "DELTA") == 0)
            type = SYNC_DELTA;
        else if (!json_is_string(t) || strcmp(json_string_value(t), "FULL") != 0)
            rc = err_set(&e, ERR_INVALID, "type: expected \"FULL\" or \"DELTA\"");
    }
    json_decref(body);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, &e);
        return;
    }
    if (!rq->integration.enabled) {
        resp_error(rs, HE_INPUT_INVALID, "integration %s is disabled; enable it to sync",
                   rq->integration.id);
        return;
    }
    if (!conn) {
        resp_error(rs, HE_INPUT_INVALID, "integration %s has no connector to sync with",
                   rq->integration.id);
        return;
    }
    if (type == SYNC_DELTA && !conn->supports_delta)
        type = SYNC_FULL; /* the remote cannot filter by change time */
    rc = store_sync_enqueue(rq->app->store, rq->integration.id, type, 0, &run, &already);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, NULL);
        return;
    }
    jobs_wake(rq->app->jobs);
    log_info("api", "msg=\"sync forced\" integration=%s run=%s already_queued=%d",
             rq->integration.id, run.id, already);
    resp_success_take(rs, 200,
                      json_pack("{s:b, s:s, s:s}", "already_queued", already, "sync_id", run.id,
                                "type", store_sync_type_name(run.type)));
}

static json_t *time_or_null(int64_t ms)
{
    char ts[ISOTIME_LEN];

    if (!ms)
        return json_null();
    isotime_format(ms, ts);
    return json_string(ts);
}

static void on_run(void *ud, const struct store_sync_run *r)
{
    json_array_append_new(
        ud,
        json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:o}", "id", r->id, "type",
                  store_sync_type_name(r->type), "state", r->state, "created_at",
                  time_or_null(r->created_at), "started_at", time_or_null(r->started_at),
                  "ended_at", time_or_null(r->ended_at), "records_fetched", (json_int_t)r->fetched,
                  "records_created", (json_int_t)r->created, "records_updated",
                  (json_int_t)r->updated, "records_deleted", (json_int_t)r->deleted, "error",
                  r->error ? json_string(r->error) : json_null()));
}

void syncs_list(struct req *rq, struct resp *rs)
{
    const char *size = req_query_get(rq, "page_size");
    json_t *results;
    long n = 50;
    int rc;

    if (size && paging_parse_int(size, 1, 250, &n) != 0) {
        resp_error(rs, HE_INPUT_INVALID, "page_size: expected a whole number from 1 to 250");
        return;
    }
    results = json_array();
    rc =
        store_sync_list(rq->app->store, rq->environment_id, rq->params[0], (int)n, on_run, results);
    if (rc == ERR_NOT_FOUND) {
        json_decref(results);
        resp_error(rs, HE_INTEGRATION_NOT_FOUND, "integration %.80s does not exist", rq->params[0]);
        return;
    }
    if (rc != ERR_OK) {
        json_decref(results);
        resp_from_err(rs, rc, NULL);
        return;
    }
    resp_success_take(rs, 200, json_pack("{s:o}", "results", results));
}
