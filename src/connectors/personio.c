/*
 * personio — the Personio Personnel Data API v1 connector.
 *
 * POST /v1/auth exchanges the client id and secret for a token (adopting a
 * rotated one from any response's Authorization header). Employees come from
 * GET /v1/company/employees, 100 per page by offset (DELTA: updated_since,
 * which returns every match at once). Every attribute arrives wrapped as
 * {"label","value","type","universal_id"}; integration fields hold the
 * wrapped value exactly. The employee's department/team, office and
 * subcompany become groups, locations and legal entities; each employee
 * also yields one employment from its contract attributes. Time-off types,
 * periods (GET /v1/company/time-offs) and each fetched employee's balances
 * (one request per employee) complete the absence models. Pages and balance
 * lists the sync already holds (conn_response_known) are not parsed again;
 * an employee or time-off page leaves its paging and item ids for that.
 */
#include "connectors/connector.h"

#include "connectors/normalize.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/isotime.h"
#include "core/jsonarena.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/secret.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE   100
#define MAX_PAGES   1000000
#define PAGES_AHEAD 3 /* time-off pages asked for ahead of the one mapped */

/* Attributes that describe the contract, so they belong to the employment. */
static const char *const employment_keys[] = {
    "position",  "employment_type",   "weekly_working_hours", "fix_salary",   "hourly_salary",
    "hire_date", "contract_end_date", "probation_period_end", "cost_centers", NULL};

/* ---- HTTP --------------------------------------------------------------- */

/* Sends a request with the session token; on 401 authenticates once more. */
static int call(struct conn_ctx *ctx, const char *method, const char *url, const char *body,
                struct fetch_resp *out);

static int authenticate(struct conn_ctx *ctx)
{
    const char *id = jsonx_str(ctx->credentials, "client_id");
    const char *secret = jsonx_str(ctx->credentials, "client_secret");
    struct fetch_req req = {"POST",
                            NULL,
                            {"Content-Type: application/json", "Accept: application/json", NULL},
                            NULL,
                            0};
    struct fetch_resp resp;
    char url[2048];
    json_t *body, *j;
    const char *token;
    char *text;
    int rc;

    if (!id || !secret)
        return err_set(ctx->err, ERR_INVALID,
                       "personio: credentials lack client_id or "
                       "client_secret");
    snprintf(url, sizeof(url), "%s/v1/auth", ctx->base_url);
    body = json_pack("{s:s, s:s}", "client_id", id, "client_secret", secret);
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    req.url = url;
    req.body = text;
    req.body_len = strlen(text);
    rc = fetch_do(ctx->http, &req, &resp, ctx->err);
    secret_free_text(text);
    if (rc != ERR_OK)
        return rc;
    if (resp.status == 401 || resp.status == 403) {
        long status = resp.status;
        ctx->auth_failed = 1;
        fetch_resp_free(&resp);
        return err_set(ctx->err, ERR_UNAUTHORIZED, "personio: the credentials were refused (%ld)",
                       status);
    }
    j = json_loadb(buf_str(&resp.body), resp.body.len, 0, NULL);
    token = json_string_value(json_object_get(json_object_get(j, "data"), "token"));
    if (resp.status != 200 || !token || strlen(token) >= sizeof(ctx->token)) {
        long status = resp.status;
        json_decref(j);
        fetch_resp_free(&resp);
        return err_set(ctx->err, ERR_REMOTE, "personio: POST /v1/auth answered %ld without a token",
                       status);
    }
    snprintf(ctx->token, sizeof(ctx->token), "%s", token);
    json_decref(j);
    fetch_resp_free(&resp);
    return ERR_OK;
}

static int call(struct conn_ctx *ctx, const char *method, const char *url, const char *body,
                struct fetch_resp *out)
{
    char auth[1100];
    int rc;

    for (int attempt = 0; attempt < 2; attempt++) {
        struct fetch_req req = {
            method, url, {auth, "Accept: application/json", NULL}, body, body ? strlen(body) : 0};

        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", ctx->token);
        rc = fetch_do(ctx->http, &req, out, ctx->err);
        memset(auth, 0, sizeof(auth));
        if (rc != ERR_OK)
            return rc;
        /* Personio may rotate the token through the response header. */
        if (out->authorization && strncmp(out->authorization, "Bearer ", 7) == 0 &&
            strlen(out->authorization + 7) < sizeof(ctx->token))
            snprintf(ctx->token, sizeof(ctx->token), "%s", out->authorization + 7);
        if (out->status != 401 || attempt == 1)
            break;
        fetch_resp_free(out);
        rc = authenticate(ctx);
        if (rc != ERR_OK)
            return rc;
    }
    if (out->status == 401 || out->status == 403) {
        ctx->auth_failed = 1;
        fetch_resp_free(out);
        return err_set(ctx->err, ERR_UNAUTHORIZED, "personio: the token was refused");
    }
    return ERR_OK;
}

/* Sends GET url ahead with the session token (fetch_prefetch): a hint, so
 * a refusal changes nothing. */
static void send_ahead(struct conn_ctx *ctx, const char *url)
{
    char auth[1100];
    struct fetch_req req = {"GET", url, {auth, "Accept: application/json", NULL}, NULL, 0};

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", ctx->token);
    (void)fetch_prefetch(ctx->http, &req);
    sodium_memzero(auth, sizeof(auth));
}

/* Parses a {"success":true,"data":…} body into *out. */
static int parse_body(struct conn_ctx *ctx, const char *what, const struct buf *body, json_t **out)
{
    json_error_t je;
    json_t *j = jsonarena_loadb(buf_str(body), body->len, 0, &je);

    if (!j)
        return err_set(ctx->err, ERR_REMOTE, "personio: %s sent invalid JSON: %s", what, je.text);
    if (!json_is_true(json_object_get(j, "success")) ||
        !json_is_array(json_object_get(j, "data"))) {
        json_decref(j);
        return err_set(ctx->err, ERR_REMOTE, "personio: %s sent an unexpected body", what);
    }
    *out = j;
    return ERR_OK;
}

/* GETs url, which has to answer 200. */
static int get_ok(struct conn_ctx *ctx, const char *url, const char *what, struct fetch_resp *resp)
{
    int rc = call(ctx, "GET", url, NULL, resp);

    if (rc == ERR_OK && resp->status != 200) {
        long status = resp->status;
        fetch_resp_free(resp);
        return err_set(ctx->err, ERR_REMOTE, "personio: %s answered %ld", what, status);
    }
    return rc;
}

/* GETs url and parses its body into *out. */
static int get_json(struct conn_ctx *ctx, const char *url, const char *what, json_t **out)
{
    struct fetch_resp resp;
    int rc = get_ok(ctx, url, what, &resp);

    if (rc == ERR_OK) {
        rc = parse_body(ctx, what, &resp.body, out);
        fetch_resp_free(&resp);
    }
    return rc;
}

/* GETs a page of records: *out gets its parsed body unless the sink holds
 * what it maps to (*known). Then *out gets what the page left when it was
 * mapped (page_mapped; NULL for a page that leaves nothing). */
static int get_page(struct conn_ctx *ctx, const struct conn_sink *sink, const char *url,
                    const char *what, json_t **out, int *known)
{
    struct fetch_resp resp;
    const char *memo = NULL;
    int rc = get_ok(ctx, url, what, &resp);

    *out = NULL;
    *known = 0;
    if (rc != ERR_OK)
        return rc;
    rc = conn_response_known(sink, url, &resp.body, known, &memo);
    if (rc == ERR_OK && !*known)
        rc = parse_body(ctx, what, &resp.body, out);
    else if (rc == ERR_OK && memo && !(*out = json_loads(memo, 0, NULL)))
        rc = err_set(ctx->err, ERR_STORE, "personio: what %s left last time is not JSON", what);
    fetch_resp_free(&resp);
    return rc;
}

/* What a page of a list leaves for the next time it is known: its metadata
 * and the id of each item, which is all that paging and the balance
 * requests take from it. */
static int page_mapped(const struct conn_sink *sink, json_t *page)
{
    json_t *m = json_object(), *items = json_array(), *item;
    char *text;
    size_t i;
    int rc;

    json_array_foreach (json_object_get(page, "data"), i, item) {
        json_t *id = json_object_get(json_object_get(item, "attributes"), "id");
        if (json_is_object(id))
            id = json_object_get(id, "value");
        json_array_append_new(items, json_pack("{s:{s:O?}}", "attributes", "id", id));
    }
    json_object_set_new(m, "data", items);
    json_object_set(m, "metadata", json_object_get(page, "metadata"));
    text = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    rc = conn_response_mapped(sink, text);
    free(text);
    return rc;
}

/* ---- mapping ------------------------------------------------------------ */

static const char *attr_str(json_t *raw, const char *key)
{
    return json_string_value(json_object_get(raw, key));
}

/* The remote id of a nested {"type":…,"attributes":{"id":…}} value, whose id
 * is itself wrapped for employees ({"value":1001}) and bare for the rest. */
static int nested_id(json_t *v, char out[CONN_REMOTE_ID_MAX])
{
    json_t *id = json_object_get(json_object_get(v, "attributes"), "id");

    if (json_is_object(id))
        id = json_object_get(id, "value");
    if (json_is_integer(id)) {
        snprintf(out, CONN_REMOTE_ID_MAX, "%lld", (long long)json_integer_value(id));
        return 0;
    }
    if (json_is_string(id) && json_string_length(id) > 0 &&
        json_string_length(id) < CONN_REMOTE_ID_MAX) {
        snprintf(out, CONN_REMOTE_ID_MAX, "%s", json_string_value(id));
        return 0;
    }
    return -1;
}

static json_t *map_enum(const char *v, const char *const map[][2])
{
    if (!v || !*v)
        return json_null();
    for (int i = 0; map[i][0]; i++) {
        if (strcmp(map[i][0], v) == 0)
            return json_string(map[i][1]);
    }
    return json_string(v); /* open enum: unknown values pass through */
}

static const char *const status_map[][2] = {{"active", "ACTIVE"},
                                            {"onboarding", "PENDING"},
                                            {"leave", "LEAVE"},
                                            {"inactive", "INACTIVE"},
                                            {NULL, NULL}};
static const char *const gender_map[][2] = {
    {"male", "MALE"}, {"female", "FEMALE"}, {"diverse", "NON_BINARY"}, {NULL, NULL}};
static const char *const type_map[][2] = {{"external", "CONTRACT"}, {NULL, NULL}};

static void add_link(struct conn_record *r, const char *attr, enum model target, json_t *v)
{
    if (r->nlinks < CONN_MAX_LINKS && nested_id(v, r->links[r->nlinks].remote_id) == 0) {
        r->links[r->nlinks].attr = attr;
        r->links[r->nlinks].target = target;
        r->nlinks++;
    }
}

/* Reports the keys of raw as fields of model, labelled from the wrappers in
 * attrs where there are any. */
static int emit_fields_of(const struct conn_sink *sink, enum model model, json_t *raw,
                          json_t *attrs)
{
    const char *key;
    json_t *v;
    int rc = ERR_OK;

    json_object_foreach (raw, key, v) {
        struct conn_field f = {model, key, jsonx_str(json_object_get(attrs, key), "label"),
                               strncmp(key, "dynamic_", 8) == 0};
        if (rc == ERR_OK)
            rc = sink->field(sink->ud, &f);
    }
    return rc;
}

/* Emits the group, location or legal entity an employee attribute names. */
static int emit_nested(const struct conn_sink *sink, json_t *v, enum model model,
                       const char *group_type)
{
    json_t *attrs = json_object_get(v, "attributes");
    struct conn_record r;
    char rid[CONN_REMOTE_ID_MAX];
    int rc;

    if (!json_is_object(attrs) || nested_id(v, rid) != 0)
        return ERR_OK;
    memset(&r, 0, sizeof(r));
    r.model = model;
    r.remote_id = rid;
    r.raw = attrs;
    r.unified = json_object();
    json_object_set_new(r.unified, "name", normalize_string(json_object_get(attrs, "name")));
    if (group_type)
        json_object_set_new(r.unified, "type", json_string(group_type));
    if (model == MODEL_LOCATIONS)
        json_object_set_new(r.unified, "type", json_string("OFFICE"));
    rc = emit_fields_of(sink, model, attrs, NULL);
    if (rc == ERR_OK)
        rc = sink->record(sink->ud, &r);
    json_decref(r.unified);
    return rc;
}

/* Maps one {"type":"Employee","attributes":{…}} item and emits it with
 * everything it nests. */
static int map_employee(struct conn_ctx *ctx, const struct conn_sink *sink, json_t *item)
{
    json_t *attrs = json_object_get(item, "attributes");
    json_t *raw = json_object(), *employment_raw = json_object(), *u = json_object(), *e;
    struct conn_record r, emp;
    const char *key, *first, *last, *preferred, *dob_key = NULL;
    char rid[CONN_REMOTE_ID_MAX];
    json_t *w, *idv;
    int rc = ERR_OK;

    if (!json_is_object(attrs)) {
        rc = err_set(ctx->err, ERR_REMOTE, "personio: an employee without attributes");
        goto out;
    }
    /* Unwrap every attribute; labels and custom-ness go to the field catalog. */
    json_object_foreach (attrs, key, w) {
        struct conn_field f = {MODEL_EMPLOYEES, key, NULL, strncmp(key, "dynamic_", 8) == 0};
        json_t *value = json_is_object(w) ? json_object_get(w, "value") : NULL;
        f.label = json_is_object(w) ? jsonx_str(w, "label") : NULL;
        json_object_set(raw, key, value ? value : json_null());
        if (json_is_object(w) && jsonx_str(w, "universal_id") &&
            strcmp(jsonx_str(w, "universal_id"), "date_of_birth") == 0)
            dob_key = key;
        rc = sink->field(sink->ud, &f);
        if (rc != ERR_OK)
            goto out;
    }
    idv = json_object_get(raw, "id");
    if (json_is_integer(idv))
        snprintf(rid, sizeof(rid), "%lld", (long long)json_integer_value(idv));
    else if (json_is_string(idv) && json_string_length(idv) > 0 &&
             json_string_length(idv) < sizeof(rid))
        snprintf(rid, sizeof(rid), "%s", json_string_value(idv));
    else {
        rc = err_set(ctx->err, ERR_REMOTE, "personio: an employee without a usable id");
        goto out;
    }

    first = attr_str(raw, "first_name");
    last = attr_str(raw, "last_name");
    preferred = attr_str(raw, "preferred_name");
    json_object_set_new(u, "employee_number", json_null());
    json_object_set_new(u, "first_name", normalize_string(json_object_get(raw, "first_name")));
    json_object_set_new(u, "last_name", normalize_string(json_object_get(raw, "last_name")));
    if (preferred && *preferred) {
        json_object_set_new(u, "display_full_name", json_string(preferred));
    } else if ((first && *first) || (last && *last)) {
        char name[512];
        snprintf(name, sizeof(name), "%s%s%s", first ? first : "", first && last ? " " : "",
                 last ? last : "");
        json_object_set_new(u, "display_full_name", json_string(name));
    } else {
        json_object_set_new(u, "display_full_name", json_null());
    }
    json_object_set_new(u, "job_title", normalize_string(json_object_get(raw, "position")));
    json_object_set_new(u, "work_email", normalize_string(json_object_get(raw, "email")));
    json_object_set_new(u, "gender", map_enum(attr_str(raw, "gender"), gender_map));
    json_object_set_new(u, "employment_status", map_enum(attr_str(raw, "status"), status_map));
    json_object_set_new(u, "employment_type", map_enum(attr_str(raw, "employment_type"), type_map));
    json_object_set_new(u, "weekly_hours",
                        normalize_number(json_object_get(raw, "weekly_working_hours")));
    json_object_set_new(u, "date_of_birth",
                        dob_key ? normalize_date(json_object_get(raw, dob_key)) : json_null());
    json_object_set_new(u, "start_date", normalize_date(json_object_get(raw, "hire_date")));
    e = json_object_get(raw, "termination_date");
    if (!json_is_string(e))
        e = json_object_get(raw, "last_working_day");
    json_object_set_new(u, "termination_date", normalize_date(e));
    json_object_set_new(u, "remote_created_at",
                        normalize_timestamp(json_object_get(raw, "created_at")));

    /* The records it nests come first, so links resolve within the page. */
    if (rc == ERR_OK)
        rc = emit_nested(sink, json_object_get(raw, "department"), MODEL_GROUPS, "DEPARTMENT");
    if (rc == ERR_OK)
        rc = emit_nested(sink, json_object_get(raw, "team"), MODEL_GROUPS, "TEAM");
    if (rc == ERR_OK)
        rc = emit_nested(sink, json_object_get(raw, "office"), MODEL_LOCATIONS, NULL);
    if (rc == ERR_OK)
        rc = emit_nested(sink, json_object_get(raw, "subcompany"), MODEL_LEGAL_ENTITIES, NULL);
    if (rc != ERR_OK)
        goto out;

    /* The employment: the contract attributes of this employee. */
    for (const char *const *k = employment_keys; *k; k++) {
        json_t *v = json_object_get(raw, *k);
        if (v)
            json_object_set(employment_raw, *k, v);
    }
    memset(&emp, 0, sizeof(emp));
    emp.model = MODEL_EMPLOYMENTS;
    emp.remote_id = rid;
    emp.raw = employment_raw;
    emp.unified = json_object();
    json_object_set_new(emp.unified, "job_title",
                        normalize_string(json_object_get(raw, "position")));
    json_object_set_new(emp.unified, "employment_type",
                        map_enum(attr_str(raw, "employment_type"), type_map));
    w = json_object_get(attrs, "fix_salary");
    json_object_set_new(emp.unified, "pay_rate",
                        normalize_number(json_object_get(raw, "fix_salary")));
    json_object_set_new(emp.unified, "pay_period",
                        json_is_number(json_object_get(raw, "fix_salary")) ? json_string("MONTH")
                                                                           : json_null());
    json_object_set_new(emp.unified, "pay_currency",
                        normalize_string(json_object_get(w, "currency")));
    json_object_set_new(emp.unified, "effective_date",
                        normalize_date(json_object_get(raw, "hire_date")));
    emp.links[0].attr = "employee_id";
    emp.links[0].target = MODEL_EMPLOYEES;
    snprintf(emp.links[0].remote_id, CONN_REMOTE_ID_MAX, "%s", rid);
    emp.nlinks = 1;
    rc = emit_fields_of(sink, MODEL_EMPLOYMENTS, employment_raw, attrs);
    if (rc == ERR_OK)
        rc = sink->record(sink->ud, &emp);
    json_decref(emp.unified);
    if (rc != ERR_OK)
        goto out;

    memset(&r, 0, sizeof(r));
    r.model = MODEL_EMPLOYEES;
    r.remote_id = rid;
    r.raw = raw;
    r.unified = u;
    add_link(&r, "manager_id", MODEL_EMPLOYEES, json_object_get(raw, "supervisor"));
    add_link(&r, "work_location_id", MODEL_LOCATIONS, json_object_get(raw, "office"));
    add_link(&r, "legal_entity_id", MODEL_LEGAL_ENTITIES, json_object_get(raw, "subcompany"));
    add_link(&r, "group_id", MODEL_GROUPS, json_object_get(raw, "department"));
    add_link(&r, "group_id", MODEL_GROUPS, json_object_get(raw, "team"));
    rc = sink->record(sink->ud, &r);
out:
    json_decref(raw);
    json_decref(employment_raw);
    json_decref(u);
    return rc;
}

/* ---- the connector ------------------------------------------------------ */

static int fetch_attributes(struct conn_ctx *ctx, const struct conn_sink *sink)
{
    char url[2048];
    json_t *j = NULL, *item;
    size_t i;
    int rc;

    snprintf(url, sizeof(url), "%s/v1/company/employees/attributes", ctx->base_url);
    rc = get_json(ctx, url, "GET /v1/company/employees/attributes", &j);
    if (rc != ERR_OK)
        return rc;
    json_array_foreach (json_object_get(j, "data"), i, item) {
        const char *key = jsonx_str(item, "key");
        struct conn_field f = {MODEL_EMPLOYEES, key, jsonx_str(item, "label"),
                               key && strncmp(key, "dynamic_", 8) == 0};
        if (key && *key)
            rc = sink->field(sink->ud, &f);
        if (rc != ERR_OK)
            break;
    }
    json_decref(j);
    return rc;
}

/* ---- time off ------------------------------------------------------------- */

static const char *const absence_status_map[][2] = {{"approved", "APPROVED"},
                                                    {"pending", "REQUESTED"},
                                                    {"rejected", "DECLINED"},
                                                    {"cancelled", "CANCELLED"},
                                                    {NULL, NULL}};

static const char *const unit_map[][2] = {{"day", "DAYS"}, {"hour", "HOURS"}, {NULL, NULL}};

/* Reports the keys of an item's attributes as fields of model (no labels:
 * Personio's time-off resources carry none). */
static int emit_attribute_fields(const struct conn_sink *sink, enum model model, json_t *attrs)
{
    return emit_fields_of(sink, model, attrs, NULL);
}

static int id_string(json_t *v, char out[CONN_REMOTE_ID_MAX])
{
    if (json_is_object(v))
        v = json_object_get(v, "value");
    if (json_is_integer(v)) {
        snprintf(out, CONN_REMOTE_ID_MAX, "%lld", (long long)json_integer_value(v));
        return 0;
    }
    if (json_is_string(v) && json_string_length(v) > 0 &&
        json_string_length(v) < CONN_REMOTE_ID_MAX) {
        snprintf(out, CONN_REMOTE_ID_MAX, "%s", json_string_value(v));
        return 0;
    }
    return -1;
}

/* Also fills units (type id → "DAYS"/"HOURS"), which balances lack. */
static int fetch_absence_types(struct conn_ctx *ctx, const struct conn_sink *sink, json_t *units)
{
    char url[2048], rid[CONN_REMOTE_ID_MAX];
    json_t *j = NULL, *item;
    size_t i;
    int rc;

    snprintf(url, sizeof(url), "%s/v1/company/time-off-types", ctx->base_url);
    rc = get_json(ctx, url, "GET /v1/company/time-off-types", &j);
    json_array_foreach (json_object_get(j, "data"), i, item) {
        json_t *a = json_object_get(item, "attributes");
        struct conn_record r;

        if (rc != ERR_OK)
            break;
        if (id_string(json_object_get(a, "id"), rid) != 0) {
            rc = err_set(ctx->err, ERR_REMOTE, "personio: a time-off type without an id");
            break;
        }
        memset(&r, 0, sizeof(r));
        r.model = MODEL_ABSENCE_TYPES;
        r.remote_id = rid;
        r.raw = a;
        r.unified =
            json_pack("{s:o, s:o, s:o, s:b}", "name", normalize_string(json_object_get(a, "name")),
                      "unit", map_enum(jsonx_str(a, "unit"), unit_map), "half_days_supported",
                      json_is_true(json_object_get(a, "half_day_requests_enabled")) ? json_true()
                                                                                    : json_false(),
                      "exact_times_supported", 0);
        json_object_set(units, rid, json_object_get(r.unified, "unit"));
        rc = emit_attribute_fields(sink, MODEL_ABSENCE_TYPES, a);
        if (rc == ERR_OK)
            rc = sink->record(sink->ud, &r);
        json_decref(r.unified);
    }
    json_decref(j);
    /* Balances take their unit from this table. */
    if (rc == ERR_OK) {
        char *text = json_dumps(units, JSON_COMPACT | JSON_SORT_KEYS);
        conn_response_context(sink, text, strlen(text));
        free(text);
    }
    if (rc == ERR_OK)
        rc = sink->page_done(sink->ud);
    return rc;
}

/* One item of an employee's balance list: a time-off balance in the unit
 * of its type (units: type id → "DAYS"/"HOURS"). Items without a type id
 * are skipped. */
static int map_balance(const struct conn_sink *sink, const char *employee, json_t *b, json_t *units)
{
    char type[CONN_REMOTE_ID_MAX], rid[2 * CONN_REMOTE_ID_MAX];
    struct conn_record r;
    json_t *unit;
    int rc;

    if (id_string(json_object_get(b, "id"), type) != 0)
        return ERR_OK;
    snprintf(rid, sizeof(rid), "%s-%s", employee, type);
    if (strlen(rid) >= CONN_REMOTE_ID_MAX)
        return ERR_OK;
    unit = json_object_get(units, type);
    memset(&r, 0, sizeof(r));
    r.model = MODEL_TIME_OFF_BALANCES;
    r.remote_id = rid;
    r.raw = b;
    r.unified = json_pack("{s:o, s:O, s:n, s:n}", "balance",
                          normalize_number(json_object_get(b, "balance")), "balance_unit",
                          unit ? unit : json_null(), "used", "used_unit");
    snprintf(r.links[0].remote_id, CONN_REMOTE_ID_MAX, "%s", employee);
    r.links[0].attr = "employee_id";
    r.links[0].target = MODEL_EMPLOYEES;
    snprintf(r.links[1].remote_id, CONN_REMOTE_ID_MAX, "%s", type);
    r.links[1].attr = "type_id";
    r.links[1].target = MODEL_ABSENCE_TYPES;
    r.nlinks = 2;
    rc = emit_attribute_fields(sink, MODEL_TIME_OFF_BALANCES, b);
    if (rc == ERR_OK)
        rc = sink->record(sink->ud, &r);
    json_decref(r.unified);
    return rc;
}

/* The URL of an employee's balances into url (bounded by its cap). */
static int balance_url(struct conn_ctx *ctx, const char *employee, struct buf *url)
{
    /* The id comes from the remote: escaped, it stays one path segment. */
    int rc = buf_printf(url, "%s/v1/company/employees/", ctx->base_url);

    if (rc == ERR_OK)
        rc = conn_escape(url, employee);
    if (rc == ERR_OK)
        rc = buf_append_str(url, "/absences/balance");
    return rc;
}

/* GET /v1/company/employees/{id}/absences/balance: one balance per type. */
static int fetch_balances(struct conn_ctx *ctx, const struct conn_sink *sink, const char *employee,
                          json_t *units)
{
    struct buf url;
    json_t *j = NULL, *b;
    size_t i;
    int rc, known = 0;

    buf_init(&url, 2048);
    rc = balance_url(ctx, employee, &url);
    if (rc == ERR_OK)
        rc = get_page(ctx, sink, buf_str(&url), "GET /v1/company/employees/{id}/absences/balance",
                      &j, &known);
    buf_free(&url);
    json_array_foreach (known ? NULL : json_object_get(j, "data"), i, b) {
        if (rc != ERR_OK)
            break;
        rc = map_balance(sink, employee, b, units);
    }
    if (rc == ERR_OK && !known)
        rc = conn_response_mapped(sink, NULL);
    json_decref(j);
    return rc;
}

/* Sends the balance requests of a page's employees ahead. */
static void send_balances_ahead(struct conn_ctx *ctx, json_t *page)
{
    char id[CONN_REMOTE_ID_MAX];
    struct buf url;
    json_t *item;
    size_t i;

    buf_init(&url, 2048);
    json_array_foreach (page, i, item) {
        buf_reset(&url);
        if (id_string(json_object_get(json_object_get(item, "attributes"), "id"), id) == 0 &&
            balance_url(ctx, id, &url) == ERR_OK)
            send_ahead(ctx, buf_str(&url));
    }
    buf_free(&url);
}

/* The balances of the employees of one page. */
static int fetch_page_balances(struct conn_ctx *ctx, const struct conn_sink *sink, json_t *page,
                               json_t *units)
{
    char id[CONN_REMOTE_ID_MAX];
    json_t *item;
    size_t i;
    int rc = ERR_OK;

    json_array_foreach (page, i, item) {
        if (rc != ERR_OK)
            break;
        if (id_string(json_object_get(json_object_get(item, "attributes"), "id"), id) == 0)
            rc = fetch_balances(ctx, sink, id, units);
    }
    if (rc == ERR_OK)
        rc = sink->page_done(sink->ud);
    return rc;
}

static int map_absence(struct conn_ctx *ctx, const struct conn_sink *sink, json_t *a)
{
    json_t *type = json_object_get(json_object_get(a, "time_off_type"), "attributes");
    json_t *emp = json_object_get(json_object_get(a, "employee"), "attributes");
    char rid[CONN_REMOTE_ID_MAX];
    struct conn_record r;
    json_t *hs, *he;
    int rc;

    if (id_string(json_object_get(a, "id"), rid) != 0)
        return err_set(ctx->err, ERR_REMOTE, "personio: a time-off period without an id");
    memset(&r, 0, sizeof(r));
    r.model = MODEL_ABSENCES;
    r.remote_id = rid;
    r.raw = a;
    hs = json_object_get(a, "half_day_start");
    he = json_object_get(a, "half_day_end");
    r.unified = json_object();
    json_object_set_new(r.unified, "start_date", normalize_date(json_object_get(a, "start_date")));
    json_object_set_new(r.unified, "end_date", normalize_date(json_object_get(a, "end_date")));
    json_object_set_new(r.unified, "start_half_day",
                        json_is_integer(hs) ? json_boolean(json_integer_value(hs)) : json_null());
    json_object_set_new(r.unified, "end_half_day",
                        json_is_integer(he) ? json_boolean(json_integer_value(he)) : json_null());
    json_object_set_new(r.unified, "amount", normalize_number(json_object_get(a, "days_count")));
    json_object_set_new(r.unified, "unit", json_string("DAYS"));
    json_object_set_new(r.unified, "status", map_enum(jsonx_str(a, "status"), absence_status_map));
    json_object_set_new(r.unified, "employee_note",
                        normalize_string(json_object_get(a, "comment")));
    json_object_set_new(r.unified, "remote_created_at",
                        normalize_timestamp(json_object_get(a, "created_at")));
    json_object_set_new(r.unified, "remote_updated_at",
                        normalize_timestamp(json_object_get(a, "updated_at")));
    if (id_string(json_object_get(emp, "id"), r.links[r.nlinks].remote_id) == 0) {
        r.links[r.nlinks].attr = "employee_id";
        r.links[r.nlinks++].target = MODEL_EMPLOYEES;
    }
    if (id_string(json_object_get(type, "id"), r.links[r.nlinks].remote_id) == 0) {
        r.links[r.nlinks].attr = "type_id";
        r.links[r.nlinks++].target = MODEL_ABSENCE_TYPES;
    }
    rc = emit_attribute_fields(sink, MODEL_ABSENCES, a);
    if (rc == ERR_OK)
        rc = sink->record(sink->ud, &r);
    json_decref(r.unified);
    return rc;
}

/* The URL of a page of time-off periods (DELTA: those updated since). */
static void absences_url(struct conn_ctx *ctx, long page, char *url, size_t len)
{
    if (ctx->since_ms) {
        char ts[ISOTIME_LEN];
        isotime_format(ctx->since_ms, ts);
        snprintf(url, len, "%s/v1/company/time-offs?limit=200&offset=%ld&updated_from=%.10s",
                 ctx->base_url, page, ts);
    } else {
        snprintf(url, len, "%s/v1/company/time-offs?limit=200&offset=%ld", ctx->base_url, page);
    }
}

/* GET /v1/company/time-offs pages by page number (from 1), 200 at a time. */
static int fetch_absences(struct conn_ctx *ctx, const struct conn_sink *sink)
{
    char url[2048];
    long sent = 1; /* the last page asked for (the first comes with the employees) */
    int rc = ERR_OK;

    for (long page = 1; rc == ERR_OK && page <= MAX_PAGES; page++) {
        json_t *j = NULL, *item;
        size_t i, n;
        long total_pages;
        int known;

        absences_url(ctx, page, url, sizeof(url));
        rc = get_page(ctx, sink, url, "GET /v1/company/time-offs", &j, &known);
        if (rc == ERR_OK && !j)
            rc = err_set(ctx->err, ERR_STORE, "personio: a known page left nothing");
        if (rc != ERR_OK)
            break;
        n = json_array_size(json_object_get(j, "data"));
        total_pages = (long)json_integer_value(
            json_object_get(json_object_get(j, "metadata"), "total_pages"));
        /* Pages are numbered, so several can be on their way at once. */
        for (long next = page + 1; n > 0 && next <= total_pages && next <= page + PAGES_AHEAD;
             next++) {
            if (next > sent) {
                absences_url(ctx, next, url, sizeof(url));
                send_ahead(ctx, url);
                sent = next;
            }
        }
        json_array_foreach (known ? NULL : json_object_get(j, "data"), i, item) {
            rc = map_absence(ctx, sink, json_object_get(item, "attributes"));
            if (rc != ERR_OK)
                break;
        }
        if (rc == ERR_OK && !known)
            rc = page_mapped(sink, j);
        if (rc == ERR_OK)
            rc = sink->page_done(sink->ud);
        json_decref(j);
        if (n == 0 || page >= total_pages)
            break;
    }
    return rc;
}

/* The URL of a page of employees (DELTA: every one updated since, at once:
 * updated_since makes Personio ignore limit and offset). */
static void employees_url(struct conn_ctx *ctx, long offset, char *url, size_t len)
{
    if (ctx->since_ms) {
        char ts[ISOTIME_LEN];
        isotime_format(ctx->since_ms, ts);
        snprintf(url, len, "%s/v1/company/employees?updated_since=%.19s", ctx->base_url, ts);
    } else {
        snprintf(url, len, "%s/v1/company/employees?limit=%d&offset=%ld", ctx->base_url, PAGE_SIZE,
                 offset);
    }
}

static int fetch(struct conn_ctx *ctx, const struct conn_sink *sink)
{
    char url[2048];
    long offset = 0;
    json_t *units = json_object();
    int rc = fetch_attributes(ctx, sink);

    if (rc == ERR_OK)
        rc = fetch_absence_types(ctx, sink, units);

    for (int page = 0; rc == ERR_OK && page < MAX_PAGES; page++) {
        json_t *j = NULL, *item, *meta;
        size_t i, n;
        long current, total_pages;
        int last, known;

        employees_url(ctx, offset, url, sizeof(url));
        rc = get_page(ctx, sink, url, "GET /v1/company/employees", &j, &known);
        if (rc == ERR_OK && !j)
            rc = err_set(ctx->err, ERR_STORE, "personio: a known page left nothing");
        if (rc != ERR_OK)
            break;
        n = json_array_size(json_object_get(j, "data"));
        meta = json_object_get(j, "metadata");
        current = (long)json_integer_value(json_object_get(meta, "current_page"));
        total_pages = (long)json_integer_value(json_object_get(meta, "total_pages"));
        last = ctx->since_ms || n == 0 || current >= total_pages - 1;
        /* What comes next is asked for while this page is worked through. */
        send_balances_ahead(ctx, json_object_get(j, "data"));
        if (!last) {
            employees_url(ctx, offset + (long)n, url, sizeof(url));
            send_ahead(ctx, url);
        } else {
            absences_url(ctx, 1, url, sizeof(url));
            send_ahead(ctx, url);
        }
        json_array_foreach (known ? NULL : json_object_get(j, "data"), i, item) {
            rc = map_employee(ctx, sink, item);
            if (rc != ERR_OK)
                break;
        }
        if (rc == ERR_OK && !known)
            rc = page_mapped(sink, j);
        if (rc == ERR_OK)
            rc = sink->page_done(sink->ud);
        if (rc == ERR_OK)
            rc = fetch_page_balances(ctx, sink, json_object_get(j, "data"), units);
        json_decref(j);
        if (rc != ERR_OK || last)
            break;
        offset += (long)n;
    }
    json_decref(units);
    if (rc == ERR_OK)
        rc = fetch_absences(ctx, sink);
    return rc;
}

static int auth_header(struct conn_ctx *ctx, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "Authorization: Bearer %s", ctx->token);

    return n < 0 || (size_t)n >= outlen ? ERR_TOO_LARGE : ERR_OK;
}

static const struct conn_api apis[] = {{"personnel", "/v1"}, {NULL, NULL}};

const struct connector connector_personio = {
    .tool = "personio",
    .models = (1u << MODEL_EMPLOYEES) | (1u << MODEL_EMPLOYMENTS) | (1u << MODEL_GROUPS) |
              (1u << MODEL_LOCATIONS) | (1u << MODEL_LEGAL_ENTITIES) | (1u << MODEL_ABSENCE_TYPES) |
              (1u << MODEL_ABSENCES) | (1u << MODEL_TIME_OFF_BALANCES),
    .supports_delta = 1,
    .authenticate = authenticate,
    .fetch = fetch,
    .apis = apis,
    .auth_header = auth_header,
};
