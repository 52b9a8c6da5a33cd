/* scope_configs — create, list, read and replace scope configs. */
#include "api/scope_configs.h"

#include "api/app.h"
#include "api/paging.h"
#include "core/isotime.h"
#include "core/log.h"
#include "model/scope.h"
#include "sync/jobs.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_PAGE 100
#define MAX_PAGE     250
#define MAX_NAME     256

static json_t *scope_config_json(const struct store_scope_config *sc)
{
    struct scope scope;
    char ts[ISOTIME_LEN];

    scope_from_text(sc->config, &scope);
    isotime_format(sc->created_at, ts);
    return json_pack("{s:s, s:o, s:b, s:o, s:s}", "id", sc->id, "name",
                     sc->name ? json_string(sc->name) : json_null(), "is_default", sc->is_default,
                     "models", scope_to_json(&scope), "created_at", ts);
}

/* Reads {"name", "models"} into name and the config's JSON text. */
static int parse_body(const json_t *body, const char **name, char **config, struct err *e)
{
    const json_t *v;
    struct scope scope;
    const char *key;
    json_t *full;
    int rc;

    json_object_foreach ((json_t *)body, key, v) {
        if (strcmp(key, "name") != 0 && strcmp(key, "models") != 0)
            return err_set(e, ERR_INVALID, "%.64s: unknown field", key);
    }
    v = json_object_get(body, "name");
    if (v && !json_is_null(v) && (!json_is_string(v) || json_string_length(v) > MAX_NAME))
        return err_set(e, ERR_INVALID, "name: expected a string of at most %d bytes", MAX_NAME);
    *name = json_string_value(v);
    rc = scope_from_json(json_object_get(body, "models"), &scope, e);
    if (rc != ERR_OK)
        return rc;
    full = scope_to_json(&scope);
    *config = json_dumps(full, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(full);
    return ERR_OK;
}

static void respond_with(struct req *rq, struct resp *rs, const char *id, int status)
{
    struct store_scope_config sc;
    int rc;

    memset(&sc, 0, sizeof(sc));
    rc = store_scope_config_get(rq->app->store, rq->environment_id, id, &sc);
    if (rc == ERR_NOT_FOUND)
        resp_error(rs, HE_NOT_FOUND, "scope config %.64s does not exist", id);
    else if (rc != ERR_OK)
        resp_from_err(rs, rc, NULL);
    else
        resp_success_take(rs, status, scope_config_json(&sc));
    store_scope_config_free(&sc);
}

void scope_configs_create(struct req *rq, struct resp *rs)
{
    const char *name = NULL;
    char *config = NULL, id[IDS_LEN + 1];
    json_t *body = NULL;
    struct err e;
    int rc;

    err_init(&e);
    rc = req_json_object(rq, 0, &body, &e);
    if (rc == ERR_OK)
        rc = parse_body(body, &name, &config, &e);
    if (rc == ERR_OK)
        rc = store_scope_config_create(rq->app->store, rq->environment_id, name, config, id);
    if (rc == ERR_OK)
        respond_with(rq, rs, id, 201);
    else
        resp_from_err(rs, rc, &e);
    free(config);
    json_decref(body);
}

struct list_state {
    json_t *results;
    char last[IDS_LEN + 1];
    int n, limit;
};

static void on_scope_config(void *ud, const struct store_scope_config *sc)
{
    struct list_state *st = ud;

    if (++st->n > st->limit)
        return; /* the row that tells whether another page follows */
    memcpy(st->last, sc->id, sizeof(st->last));
    json_array_append_new(st->results, scope_config_json(sc));
}

void scope_configs_list(struct req *rq, struct resp *rs)
{
    struct list_state st;
    struct paging pg;
    struct err e;
    json_t *next;
    int rc;

    err_init(&e);
    rc = paging_parse(rq, DEFAULT_PAGE, MAX_PAGE, "scope-configs", rq->environment_id, &pg, &e);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, &e);
        return;
    }
    memset(&st, 0, sizeof(st));
    st.limit = pg.limit;
    st.results = json_array();
    rc = store_scope_configs_list(rq->app->store, rq->environment_id, pg.after, pg.limit + 1,
                                  on_scope_config, &st);
    if (rc != ERR_OK) {
        json_decref(st.results);
        resp_from_err(rs, rc, NULL);
        return;
    }
    next = paging_next(rq, &pg, st.n > pg.limit, st.last);
    resp_success_take(
        rs, 200,
        json_pack("{s:o, s:O, s:o}", "results", st.results, "next", next, "next_cursor", next));
}

void scope_configs_get(struct req *rq, struct resp *rs)
{
    respond_with(rq, rs, rq->params[0], 200);
}

/* Queues a FULL sync of an integration whose scope changed. */
static void on_affected(void *ud, const char *integration_id)
{
    struct req *rq = ud;
    struct store_sync_run run;
    int already = 0;

    if (store_sync_enqueue(rq->app->store, integration_id, SYNC_FULL, 1, &run, &already) == ERR_OK)
        log_info("api", "msg=\"scope changed, sync queued\" integration=%s", integration_id);
}

void scope_configs_update(struct req *rq, struct resp *rs)
{
    const char *name = NULL;
    char *config = NULL;
    json_t *body = NULL;
    struct err e;
    int rc;

    err_init(&e);
    rc = req_json_object(rq, 0, &body, &e);
    if (rc == ERR_OK)
        rc = parse_body(body, &name, &config, &e);
    if (rc == ERR_OK)
        rc = store_scope_config_update(rq->app->store, rq->environment_id, rq->params[0], name,
                                       config, isotime_now_ms());
    if (rc == ERR_OK) {
        rc = store_scope_config_integrations(rq->app->store, rq->params[0], on_affected, rq);
        jobs_wake(rq->app->jobs);
    }
    if (rc == ERR_NOT_FOUND)
        resp_error(rs, HE_NOT_FOUND, "scope config %.64s does not exist", rq->params[0]);
    else if (rc != ERR_OK)
        resp_from_err(rs, rc, &e);
    else
        respond_with(rq, rs, rq->params[0], 200);
    free(config);
    json_decref(body);
}
