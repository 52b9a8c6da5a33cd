/* integration_fields — list and select integration fields. */
#include "api/integration_fields.h"

#include "api/app.h"
#include "api/paging.h"
#include "core/log.h"
#include "http/auth.h"
#include "model/scope.h"
#include "sync/jobs.h"

#include "core/buf.h"
#include "core/bytecache.h"

#include <sodium.h>
#include <string.h>

#define DEFAULT_PAGE 250
#define MAX_PAGE     2000

static json_t *field_json(const struct store_field *f)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:b}", "id", f->id, "key", f->key, "model",
                     f->model, "type", f->type, "label",
                     f->label ? json_string(f->label) : json_null(), "is_passthrough_enabled",
                     f->passthrough, "is_writable", 0);
}

/* Appends the field's JSON object, as field_json() has it (written directly: a page holds up to
 * 2,000 of them). */
static void append_field(struct buf *b, const struct store_field *f)
{
    buf_append_str(b, "{\"id\":");
    buf_append_json_string(b, f->id, strlen(f->id));
    buf_append_str(b, ",\"key\":");
    buf_append_json_string(b, f->key, strlen(f->key));
    buf_append_str(b, ",\"model\":");
    buf_append_json_string(b, f->model, strlen(f->model));
    buf_append_str(b, ",\"type\":");
    buf_append_json_string(b, f->type, strlen(f->type));
    buf_append_str(b, ",\"label\":");
    if (f->label)
        buf_append_json_string(b, f->label, strlen(f->label));
    else
        buf_append_str(b, "null");
    buf_printf(b, ",\"is_passthrough_enabled\":%s,\"is_writable\":false}",
               f->passthrough ? "true" : "false");
}

struct list_state {
    struct buf *out;
    int shown; /* fields written */
    char last[IDS_LEN + 1];
    int n, limit;
    struct scope scope;
};

/* Fields of models whose integration fields the scope config turns off are
 * not shown (the next sync drops them); such a page may come out short. */
static void on_field(void *ud, const struct store_field *f)
{
    struct list_state *st = ud;
    enum model m;

    if (++st->n > st->limit)
        return; /* the row that tells whether another page follows */
    memcpy(st->last, f->id, sizeof(st->last));
    if (models_find(f->model, &m) == 0 &&
        (!st->scope.m[m].enabled || !st->scope.m[m].integration_fields))
        return;
    if (st->shown++)
        buf_append_char(st->out, ',');
    append_field(st->out, f);
}

/* What a page of fields is made of: the integration's fields as of its data
 * version (which every change of them moves), its scope config and the
 * position and size of the page. */
static void page_key(const struct store_integration *it, const struct paging *pg,
                     unsigned char key[BYTECACHE_KEY])
{
    crypto_generichash_state h;
    const char *scope = it->scope_config ? it->scope_config : "";
    int64_t parts[2] = {it->data_version, pg->limit};

    crypto_generichash_init(&h, NULL, 0, BYTECACHE_KEY);
    crypto_generichash_update(&h, (const unsigned char *)it->id, strlen(it->id) + 1);
    crypto_generichash_update(&h, (const unsigned char *)parts, sizeof(parts));
    crypto_generichash_update(&h, (const unsigned char *)pg->after, strlen(pg->after) + 1);
    crypto_generichash_update(&h, (const unsigned char *)scope, strlen(scope));
    crypto_generichash_final(&h, key, BYTECACHE_KEY);
}

void integration_fields_list(struct req *rq, struct resp *rs)
{
    struct list_state st;
    struct paging pg;
    struct err e;
    json_t *next;
    const char *cursor;
    unsigned char key[BYTECACHE_KEY];
    size_t start;
    int rc, more;

    if (auth_load_integration(rq, rs, rq->params[0]) != ERR_OK)
        return;
    err_init(&e);
    rc =
        paging_parse(rq, DEFAULT_PAGE, MAX_PAGE, "integration-fields", rq->integration.id, &pg, &e);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, &e);
        return;
    }
    memset(&st, 0, sizeof(st));
    st.out = resp_success_begin(rs, 200);
    start = st.out->len;
    page_key(&rq->integration, &pg, key);
    if (bytecache_get(rq->app->fields_pages, key, st.out)) {
        resp_success_end(rs);
        return;
    }
    st.limit = pg.limit;
    scope_from_text(rq->integration.scope_config, &st.scope);
    buf_append_str(st.out, "{\"results\":[");
    /* One more than the page tells whether another page follows. */
    rc = store_fields_list(rq->app->store, rq->integration.id, pg.after, pg.limit + 1, on_field,
                           &st);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, NULL);
        return;
    }
    more = st.n > pg.limit;
    next = paging_next(rq, &pg, more, st.last);
    cursor = json_string_value(next);
    /* next_cursor: the name older clients read, inside data and beside it. */
    if (cursor)
        buf_printf(st.out, "],\"next\":\"%s\",\"next_cursor\":\"%s\"},\"next_cursor\":\"%s\"",
                   cursor, cursor, cursor);
    else
        buf_append_str(st.out, "],\"next\":null,\"next_cursor\":null},\"next_cursor\":null");
    bytecache_put(rq->app->fields_pages, key, st.out->data + start, st.out->len - start);
    resp_success_end(rs);
    json_decref(next);
}

void integration_fields_update(struct req *rq, struct resp *rs)
{
    const struct app *app = rq->app;
    struct store_field f;
    json_t *body = NULL, *v;
    const char *key;
    struct err e;
    int rc;

    memset(&f, 0, sizeof(f));
    if (auth_load_integration(rq, rs, rq->params[0]) != ERR_OK)
        return;
    err_init(&e);
    rc = req_json_object(rq, 0, &body, &e);
    if (rc == ERR_OK) {
        json_object_foreach (body, key, v) {
            if (strcmp(key, "enable_passthrough") != 0) {
                rc = err_set(&e, ERR_INVALID, "%.64s: unknown field", key);
                break;
            }
        }
    }
    v = json_object_get(body, "enable_passthrough");
    if (rc == ERR_OK && !v)
        rc = err_set(&e, ERR_INVALID, "enable_passthrough: required (true, false or null)");
    if (rc == ERR_OK && !json_is_boolean(v) && !json_is_null(v))
        rc = err_set(&e, ERR_INVALID, "enable_passthrough: expected true, false or null");
    if (rc != ERR_OK) {
        json_decref(body);
        resp_from_err(rs, rc, &e);
        return;
    }
    rc = store_field_get(app->store, rq->integration.id, rq->params[1], &f);
    if (rc == ERR_NOT_FOUND) {
        json_decref(body);
        resp_error(rs, HE_NOT_FOUND, "integration field %.64s does not exist", rq->params[1]);
        return;
    }
    if (rc == ERR_OK && json_is_boolean(v) && json_is_true(v) != f.passthrough) {
        rc = store_field_set_passthrough(app->store, rq->integration.id, f.id, json_is_true(v));
        f.passthrough = json_is_true(v);
        if (rc == ERR_OK && f.passthrough) {
            /* Values arrive with the next FULL sync: queue it now (behind a
             * running one, which did not select this field). */
            struct store_sync_run run;
            int already = 0;
            rc = store_sync_enqueue(app->store, rq->integration.id, SYNC_FULL, 1, &run, &already);
            jobs_wake(app->jobs);
        }
        log_info("api", "msg=\"passthrough %s\" integration=%s field=%s",
                 f.passthrough ? "enabled" : "disabled", rq->integration.id, f.id);
    }
    json_decref(body);
    if (rc != ERR_OK) {
        store_field_free(&f);
        resp_from_err(rs, rc, NULL);
        return;
    }
    resp_success_take(rs, 200, field_json(&f));
    store_field_free(&f);
}
