/* custom_fields — custom field definitions and their mappings. */
#include "api/custom_fields.h"

#include "api/app.h"
#include "api/paging.h"
#include "core/log.h"
#include "http/auth.h"
#include "model/models.h"
#include "sync/jobs.h"

#include <string.h>

#define DEFAULT_PAGE    100
#define MAX_PAGE        250
#define MAX_LABEL       256
#define MAX_DESCRIPTION 2048

static json_t *nullable(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* A definition; with_mapping adds its integration_field (object or null). */
static json_t *custom_field_json(const struct store_custom_field *cf, int with_mapping)
{
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", cf->id, "key", cf->key, "model", cf->model,
                  "label", nullable(cf->label), "description", nullable(cf->description));

    if (with_mapping)
        json_object_set_new(j, "integration_field",
                            cf->mapped ? json_pack("{s:s, s:s, s:s, s:o}", "id", cf->field.id,
                                                   "key", cf->field.key, "type", cf->field.type,
                                                   "label", nullable(cf->field.label))
                                       : json_null());
    return j;
}

static int valid_key(const char *k)
{
    size_t n = k ? strlen(k) : 0;

    if (n == 0 || n > STORE_CUSTOM_KEY_MAX)
        return 0;
    for (const char *p = k; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    }
    return 1;
}

/* An optional string of at most max bytes (null or absent: NULL). */
static int opt_text(const json_t *body, const char *key, size_t max, const char **out,
                    struct err *e)
{
    const json_t *v = json_object_get(body, key);

    *out = NULL;
    if (!v || json_is_null(v))
        return ERR_OK;
    if (!json_is_string(v))
        return err_set(e, ERR_INVALID, "%s: expected a string or null", key);
    if (json_string_length(v) > max)
        return err_set(e, ERR_INVALID, "%s: longer than %zu bytes", key, max);
    *out = json_string_value(v);
    return ERR_OK;
}

static int parse_definition(const json_t *body, struct store_custom_field *cf, struct err *e)
{
    const char *key, *model = json_string_value(json_object_get(body, "model"));
    const json_t *v;
    enum model m;
    int rc;

    json_object_foreach ((json_t *)body, key, v) {
        if (strcmp(key, "model") && strcmp(key, "key") && strcmp(key, "label") &&
            strcmp(key, "description"))
            return err_set(e, ERR_INVALID, "%.64s: unknown field", key);
    }
    if (!model || models_find(model, &m) != 0 || !models_get(m)->has_custom_fields)
        return err_set(e, ERR_INVALID,
                       "model: expected a model with custom fields (hris_employees, "
                       "hris_employments)");
    key = json_string_value(json_object_get(body, "key"));
    if (!valid_key(key))
        return err_set(e, ERR_INVALID,
                       "key: 1 to %d characters of a-z, 0-9 and _ (such as tshirt_size)",
                       STORE_CUSTOM_KEY_MAX);
    snprintf(cf->model, sizeof(cf->model), "%s", model);
    cf->key = (char *)key;
    rc = opt_text(body, "label", MAX_LABEL, (const char **)&cf->label, e);
    if (rc == ERR_OK)
        rc = opt_text(body, "description", MAX_DESCRIPTION, (const char **)&cf->description, e);
    return rc;
}

void custom_field_definitions_create(struct req *rq, struct resp *rs)
{
    struct store_custom_field cf;
    json_t *body = NULL;
    struct err e;
    int rc;

    memset(&cf, 0, sizeof(cf));
    err_init(&e);
    rc = req_json_object(rq, 0, &body, &e);
    if (rc == ERR_OK)
        rc = parse_definition(body, &cf, &e);
    if (rc == ERR_OK) {
        rc = store_custom_field_create(rq->app->store, rq->environment_id, &cf);
        if (rc == ERR_CONFLICT)
            err_set(&e, rc, "key: %s already has a custom field %s", cf.model, cf.key);
    }
    if (rc == ERR_OK)
        resp_success_take(rs, 201, custom_field_json(&cf, 0));
    else
        resp_from_err(rs, rc, &e);
    json_decref(body); /* cf borrowed its strings */
}

struct list_state {
    json_t *results;
    char last[IDS_LEN + 1];
    int n, limit, with_mapping;
};

static void on_custom_field(void *ud, const struct store_custom_field *cf)
{
    struct list_state *st = ud;

    if (++st->n > st->limit)
        return; /* the row that tells whether another page follows */
    memcpy(st->last, cf->id, sizeof(st->last));
    json_array_append_new(st->results, custom_field_json(cf, st->with_mapping));
}

/* A page of definitions, with their mapping on integration (or none). */
static void list(struct req *rq, struct resp *rs, const char *integration)
{
    struct list_state st;
    struct paging pg;
    struct err e;
    json_t *next;
    int rc;

    err_init(&e);
    rc = paging_parse(rq, DEFAULT_PAGE, MAX_PAGE, "custom-fields",
                      integration ? integration : rq->environment_id, &pg, &e);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, &e);
        return;
    }
    memset(&st, 0, sizeof(st));
    st.limit = pg.limit;
    st.with_mapping = integration != NULL;
    st.results = json_array();
    rc = store_custom_fields_list(rq->app->store, rq->environment_id, integration, pg.after,
                                  pg.limit + 1, on_custom_field, &st);
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

void custom_field_definitions_list(struct req *rq, struct resp *rs)
{
    list(rq, rs, NULL);
}

void custom_field_definitions_delete(struct req *rq, struct resp *rs)
{
    struct store_custom_field cf;
    json_t *body = NULL;
    struct err e;
    int rc;

    err_init(&e);
    rc = req_json_object(rq, 1, &body, &e); /* {} or nothing */
    json_decref(body);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, &e);
        return;
    }
    memset(&cf, 0, sizeof(cf));
    rc = store_custom_field_get(rq->app->store, rq->environment_id, NULL, rq->params[0], &cf);
    if (rc == ERR_OK)
        rc = store_custom_field_delete(rq->app->store, rq->environment_id, cf.id);
    if (rc == ERR_NOT_FOUND)
        resp_error(rs, HE_NOT_FOUND, "custom field %.64s does not exist", rq->params[0]);
    else if (rc != ERR_OK)
        resp_from_err(rs, rc, NULL);
    else
        resp_success_take(rs, 200, custom_field_json(&cf, 0));
    store_custom_field_free(&cf);
}

void integration_custom_fields_list(struct req *rq, struct resp *rs)
{
    if (auth_load_integration(rq, rs, rq->params[0]) != ERR_OK)
        return;
    list(rq, rs, rq->integration.id);
}

/* Reads {"integration_field_id": id|null}; *field_id NULL means unmap. */
static int parse_mapping(const json_t *body, const char **field_id, struct err *e)
{
    const char *key;
    const json_t *v;

    json_object_foreach ((json_t *)body, key, v) {
        if (strcmp(key, "integration_field_id") != 0)
            return err_set(e, ERR_INVALID, "%.64s: unknown field", key);
    }
    v = json_object_get(body, "integration_field_id");
    if (!v)
        return err_set(e, ERR_INVALID, "integration_field_id: required (an id or null)");
    if (!json_is_string(v) && !json_is_null(v))
        return err_set(e, ERR_INVALID, "integration_field_id: expected an id or null");
    *field_id = json_string_value(v);
    return ERR_OK;
}

void integration_custom_fields_update(struct req *rq, struct resp *rs)
{
    const struct app *app = rq->app;
    struct store_custom_field cf;
    const char *field_id = NULL;
    json_t *body = NULL;
    struct err e;
    int rc;

    memset(&cf, 0, sizeof(cf));
    if (auth_load_integration(rq, rs, rq->params[0]) != ERR_OK)
        return;
    err_init(&e);
    rc = req_json_object(rq, 0, &body, &e);
    if (rc == ERR_OK)
        rc = parse_mapping(body, &field_id, &e);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, &e);
        goto out;
    }
    rc = store_custom_field_get(app->store, rq->environment_id, NULL, rq->params[1], &cf);
    if (rc == ERR_NOT_FOUND) {
        resp_error(rs, HE_NOT_FOUND, "custom field %.64s does not exist", rq->params[1]);
        goto out;
    }
    if (rc == ERR_OK)
        rc = store_custom_field_map(app->store, rq->integration.id, &cf, field_id);
    if (rc == ERR_NOT_FOUND || rc == ERR_INVALID) {
        resp_error(rs, HE_INPUT_INVALID,
                   "integration_field_id: %.64s is not an integration field of this "
                   "integration's %s",
                   field_id, cf.model);
        goto out;
    }
    if (rc == ERR_OK && field_id) {
        /* The values arrive with the next FULL sync (behind a running one). */
        struct store_sync_run run;
        int already = 0;
        rc = store_sync_enqueue(app->store, rq->integration.id, SYNC_FULL, 1, &run, &already);
        jobs_wake(app->jobs);
    }
    /* The definition as this integration now sees it. */
    store_custom_field_free(&cf);
    memset(&cf, 0, sizeof(cf));
    if (rc == ERR_OK)
        rc = store_custom_field_get(app->store, rq->environment_id, rq->integration.id,
                                    rq->params[1], &cf);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, NULL);
        goto out;
    }
    log_info("api", "msg=\"custom field %s\" integration=%s custom_field=%s",
             field_id ? "mapped" : "unmapped", rq->integration.id, cf.id);
    resp_success_take(rs, 200, custom_field_json(&cf, 1));
out:
    store_custom_field_free(&cf);
    json_decref(body);
}
