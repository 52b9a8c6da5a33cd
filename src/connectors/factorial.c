/*
 * factorial — the Factorial public API connector (the versioned resources
 * API, /api/<version>/resources/...).
 *
 * The API key travels in the x-api-key header; there is no session, so
 * authenticate only checks the key with a one-record request. Every list
 * pages by cursor (limit <= 100, after_id = the previous meta.end_cursor,
 * while meta.has_next_page). An employee's job title, start date and hours
 * live in contract versions and its custom field values in their own
 * resource, so each page of employees is followed by one batched
 * contract_versions and one batched custom_fields/values walk
 * (employee_ids[]), and only then emitted.
 *
 * Integration fields: the employee's own attributes are DEFAULT and keyed as
 * Factorial names them ("birthday_on"); custom fields are CUSTOM, keyed by the
 * custom field id ("75") and labelled with its label_text; their values are
 * the values resource's "value" exactly as received. Contract versions are
 * the employment's DEFAULT fields.
 *
 * DELTA: employees with updated_at_gteq, plus the employees whose custom
 * values changed (custom_fields/values with updated_at_gteq), each with all
 * of its values. Teams, locations, legal entities and time off are small or
 * not filterable by change and come whole every time; unchanged records cost
 * no write. Deletions are found by FULL syncs (Factorial has no tombstones).
 */
#include "connectors/connector.h"

#include "connectors/normalize.h"
#include "core/buf.h"
#include "core/isotime.h"
#include "core/jsonarena.h"
#include "core/jsonx.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One of the quarterly versions Factorial supports (each for about a year). */
#define API_VERSION "2026-04-01"

#define PAGE_SIZE  100
#define MAX_PAGES  1000000
#define URL_MAX    (64 * 1024)
#define CURSOR_MAX 256
#define DATE_LEN   11 /* "YYYY-MM-DD" + NUL */
/* Custom values held in memory for one batch of employees: the employee page
 * shrinks when a company has many custom fields. */
#define VALUES_PER_BATCH 20000
/* Employees a DELTA sync may find changed through their custom values alone. */
#define MAX_DELTA_IDS 1000000
/* Weekly hours from which an employee on payroll counts as full-time [inf]. */
#define FULL_TIME_HOURS 35.0

/* State of one fetch. */
struct run {
    const struct conn_sink *sink;
    json_t *currency; /* legal entity id -> its currency */
    json_t *done;     /* DELTA: employees already delivered (id -> true) */
    int nfields;      /* custom fields in the metadata */
    char today[DATE_LEN];
};

/* The contract versions and custom values of one batch of employees. */
struct batch {
    struct run *run;
    json_t *contracts; /* employee id -> the version that describes it today */
    json_t *values;    /* employee id -> {custom field id -> value as received} */
    size_t nvalues;
};

/* ---- HTTP --------------------------------------------------------------- */

/* GETs url with the API key and parses a {"data":[…],"meta":…} body. */
static int get_json(struct conn_ctx *ctx, const char *url, const char *resource, json_t **out)
{
    char auth[1100];
    struct fetch_req req = {"GET", url, {auth, "Accept: application/json", NULL}, NULL, 0};
    struct fetch_resp resp;
    json_error_t je;
    json_t *j;
    long status;
    int rc;

    snprintf(auth, sizeof(auth), "x-api-key: %s", ctx->token);
    rc = fetch_do(ctx->http, &req, &resp, ctx->err);
    sodium_memzero(auth, sizeof(auth));
    if (rc != ERR_OK)
        return rc;
    status = resp.status;
    if (status == 401 || status == 403) {
        fetch_resp_free(&resp);
        ctx->auth_failed = 1;
        return err_set(ctx->err, ERR_UNAUTHORIZED, "factorial: the API key was refused (%ld)",
                       status);
    }
    if (status != 200) {
        fetch_resp_free(&resp);
        if (status == 404)
            return err_set(ctx->err, ERR_REMOTE,
                           "factorial: GET %s answered 404 (is API version " API_VERSION
                           " served at this base URL?)",
                           resource);
        return err_set(ctx->err, ERR_REMOTE, "factorial: GET %s answered %ld", resource, status);
    }
    j = jsonarena_loadb(buf_str(&resp.body), resp.body.len, 0, &je);
    fetch_resp_free(&resp);
    if (!j)
        return err_set(ctx->err, ERR_REMOTE, "factorial: GET %s sent invalid JSON: %s", resource,
                       je.text);
    if (!json_is_array(json_object_get(j, "data"))) {
        json_decref(j);
        return err_set(ctx->err, ERR_REMOTE, "factorial: GET %s sent a body without a data array",
                       resource);
    }
    *out = j;
    return ERR_OK;
}

/* Called with each page's data array. */
typedef int page_fn(struct conn_ctx *ctx, json_t *items, void *ud);

/* Walks every page of resource (query: extra parameters, may be NULL). */
static int each_page(struct conn_ctx *ctx, const char *resource, const char *query, int limit,
                     page_fn *fn, void *ud)
{
    char cursor[CURSOR_MAX] = "";
    struct buf url;
    int more = 1, rc = ERR_OK;

    buf_init(&url, URL_MAX);
    for (long page = 0; rc == ERR_OK && more; page++) {
        json_t *j = NULL, *meta, *end;

        if (page >= MAX_PAGES) {
            rc = err_set(ctx->err, ERR_TOO_LARGE, "factorial: GET %s has more than %d pages",
                         resource, MAX_PAGES);
            break;
        }
        buf_reset(&url);
        rc = buf_printf(&url, "%s/api/" API_VERSION "/resources/%s?limit=%d%s%s", ctx->base_url,
                        resource, limit, query && *query ? "&" : "", query ? query : "");
        if (rc == ERR_OK && cursor[0])
            rc = buf_append_str(&url, "&after_id=");
        if (rc == ERR_OK && cursor[0])
            rc = conn_escape(&url, cursor);
        if (rc != ERR_OK) {
            rc = err_set(ctx->err, rc, "factorial: the request URL for %s is too long", resource);
            break;
        }
        rc = get_json(ctx, buf_str(&url), resource, &j);
        if (rc != ERR_OK)
            break;
        rc = fn(ctx, json_object_get(j, "data"), ud);
        meta = json_object_get(j, "meta");
        end = json_object_get(meta, "end_cursor");
        more = json_is_true(json_object_get(meta, "has_next_page"));
        if (rc == ERR_OK && more) {
            if (!json_is_string(end) || json_string_length(end) == 0 ||
                json_string_length(end) >= sizeof(cursor) ||
                strcmp(json_string_value(end), cursor) == 0)
                rc = err_set(ctx->err, ERR_REMOTE,
                             "factorial: GET %s announced another page without a new end_cursor",
                             resource);
            else
                snprintf(cursor, sizeof(cursor), "%s", json_string_value(end));
        }
        json_decref(j);
    }
    buf_free(&url);
    return rc;
}

static int authenticate(struct conn_ctx *ctx)
{
    const char *key = jsonx_str(ctx->credentials, "api_key");
    char url[2048];
    json_t *j = NULL;
    int rc;

    if (!key || !*key)
        return err_set(ctx->err, ERR_INVALID, "factorial: the credentials lack api_key");
    if (strlen(key) >= sizeof(ctx->token) || strpbrk(key, "\r\n"))
        return err_set(ctx->err, ERR_INVALID,
                       "factorial: the api_key is not a usable header value");
    snprintf(ctx->token, sizeof(ctx->token), "%s", key);
    /* No exchange: one record proves the key (and the base URL and version). */
    snprintf(url, sizeof(url),
             "%s/api/" API_VERSION "/resources/employees/employees?limit=1&only_active=false"
             "&only_managers=false",
             ctx->base_url);
    rc = get_json(ctx, url, "employees/employees", &j);
    json_decref(j);
    return rc;
}

static int auth_header(struct conn_ctx *ctx, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "x-api-key: %s", ctx->token);

    return n < 0 || (size_t)n >= outlen ? ERR_TOO_LARGE : ERR_OK;
}

/* ---- mapping helpers ---------------------------------------------------- */

/* An id (integer or non-empty string) as a string; 0, or -1 when unusable. */
static int id_string(const json_t *v, char out[CONN_REMOTE_ID_MAX])
{
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

static const char *const gender_map[][2] = {
    {"male", "MALE"}, {"female", "FEMALE"}, {"other", "NON_BINARY"}, {NULL, NULL}};
static const char *const period_map[][2] = {{"yearly", "YEAR"}, {"monthly", "MONTH"},
                                            {"weekly", "WEEK"}, {"daily", "DAY"},
                                            {"hourly", "HOUR"}, {NULL, NULL}};

/* d as a JSON integer when it is whole (as normalize_number does), else a real. */
static json_t *number(double d)
{
    if (d == (double)(json_int_t)d && d > -1e15 && d < 1e15)
        return json_integer((json_int_t)d);
    return json_real(d);
}

/* An amount in cents (integer or numeric string) in units, or null. */
static json_t *from_cents(const json_t *v)
{
    json_t *n = normalize_number(v), *out;

    if (json_is_integer(n) && json_integer_value(n) % 100 == 0)
        out = json_integer(json_integer_value(n) / 100);
    else if (json_is_number(n))
        out = json_real(json_number_value(n) / 100.0);
    else
        out = json_null();
    json_decref(n);
    return out;
}

/* Weekly hours of a contract version (working_hours in hundredths of an hour
 * per working_hours_frequency [inf]); -1 when unknown or not per week. */
static double weekly_hours(const json_t *contract)
{
    const char *freq = jsonx_str(contract, "working_hours_frequency");
    json_t *n;
    double h = -1;

    if (freq && strcmp(freq, "week") != 0)
        return -1;
    n = normalize_number(json_object_get(contract, "working_hours"));
    if (json_is_number(n))
        h = json_number_value(n) / 100.0;
    json_decref(n);
    return h;
}

/* Factorial names no employment type: contractors have no payroll, and the
 * weekly hours tell full-time from part-time [inf]. */
static json_t *employment_type(const json_t *contract)
{
    double h;

    if (!contract)
        return json_null();
    if (json_is_false(json_object_get(contract, "has_payroll")))
        return json_string("CONTRACT");
    h = weekly_hours(contract);
    if (h < 0)
        return json_null();
    return json_string(h >= FULL_TIME_HOURS ? "FULL_TIME" : "PART_TIME");
}

/* Whether contract version b describes the employee on `today` better than
 * a: the latest one in effect, else (nothing in effect yet) the first to be. */
static int better_version(const json_t *a, const json_t *b, const char *today)
{
    const char *ea = jsonx_str(a, "effective_on"), *eb = jsonx_str(b, "effective_on");
    int pa, pb;

    if (!eb)
        return 0;
    if (!ea)
        return 1;
    pa = strncmp(ea, today, 10) <= 0;
    pb = strncmp(eb, today, 10) <= 0;
    if (pa != pb)
        return pb;
    return pa ? strncmp(eb, ea, 10) >= 0 : strncmp(eb, ea, 10) < 0;
}

/* An address object from Factorial's address keys, or null without any. */
static json_t *address(const json_t *o)
{
    static const char *const keys[][2] = {{"city", "city"},
                                          {"country", "country"},
                                          {"state", "state"},
                                          {"street_1", "address_line_1"},
                                          {"street_2", "address_line_2"},
                                          {"zip_code", "postal_code"}};
    json_t *a = json_object();
    int any = 0;

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *v = normalize_string(json_object_get(o, keys[i][1]));
        any |= !json_is_null(v);
        json_object_set_new(a, keys[i][0], v);
    }
    json_object_set_new(a, "raw", json_null());
    if (!any) {
        json_decref(a);
        return json_null();
    }
    return a;
}

static void add_link(struct conn_record *r, const char *attr, enum model target, const json_t *v)
{
    if (r->nlinks < CONN_MAX_LINKS && id_string(v, r->links[r->nlinks].remote_id) == 0) {
        r->links[r->nlinks].attr = attr;
        r->links[r->nlinks].target = target;
        r->nlinks++;
    }
}

/* Reports the keys of raw as DEFAULT fields of model, where the model has
 * integration fields. */
static int emit_default_fields(const struct conn_sink *sink, enum model model, const json_t *raw)
{
    const char *key;
    json_t *v;
    int rc = ERR_OK;

    if (!models_get(model)->has_custom_fields)
        return ERR_OK;
    json_object_foreach ((json_t *)raw, key, v) {
        struct conn_field f = {model, key, NULL, 0};
        if (rc == ERR_OK)
            rc = sink->field(sink->ud, &f);
    }
    return rc;
}

/* Emits one record of model whose remote id is item's "id". */
static int emit_simple(struct conn_ctx *ctx, const struct conn_sink *sink, enum model model,
                       json_t *item, json_t *unified, const char *what)
{
    char rid[CONN_REMOTE_ID_MAX];
    struct conn_record r;
    int rc;

    if (id_string(json_object_get(item, "id"), rid) != 0) {
        json_decref(unified);
        return err_set(ctx->err, ERR_REMOTE, "factorial: %s without a usable id", what);
    }
    memset(&r, 0, sizeof(r));
    r.model = model;
    r.remote_id = rid;
    r.raw = item;
    r.unified = unified;
    rc = emit_default_fields(sink, model, item);
    if (rc == ERR_OK)
        rc = sink->record(sink->ud, &r);
    json_decref(unified);
    return rc;
}

/* ---- employees ------------------------------------------------------------ */

/* Maps one employee with its contract version (may be NULL) and custom
 * values ({field id -> value}, may be NULL) and emits its employment, then
 * itself. */
static int map_employee(struct conn_ctx *ctx, struct run *run, json_t *item, json_t *contract,
                        json_t *custom)
{
    const struct conn_sink *sink = run->sink;
    json_t *raw = NULL, *u = NULL, *v, *email;
    struct conn_record r, emp;
    const char *key, *starts, *first, *last;
    char rid[CONN_REMOTE_ID_MAX];
    size_t i;
    int rc = ERR_OK;

    if (!json_is_object(item))
        return err_set(ctx->err, ERR_REMOTE, "factorial: an employee that is not an object");
    if (id_string(json_object_get(item, "id"), rid) != 0)
        return err_set(ctx->err, ERR_REMOTE, "factorial: an employee without a usable id");
    if (contract && !json_is_object(contract))
        contract = NULL;

    /* The employment first, so the employee's page holds both. */
    if (contract) {
        char le[CONN_REMOTE_ID_MAX];
        json_t *cur = NULL;

        if (id_string(json_object_get(item, "legal_entity_id"), le) == 0)
            cur = json_object_get(run->currency, le);
        memset(&emp, 0, sizeof(emp));
        emp.model = MODEL_EMPLOYMENTS;
        /* One employment per employee, whichever version describes it: keyed by
         * the employee, so a new version replaces it rather than adding one. */
        emp.remote_id = rid;
        emp.raw = contract;
        emp.unified = json_object();
        json_object_set_new(emp.unified, "job_title",
                            normalize_string(json_object_get(contract, "job_title")));
        json_object_set_new(emp.unified, "pay_rate",
                            from_cents(json_object_get(contract, "salary_amount")));
        json_object_set_new(emp.unified, "pay_period",
                            map_enum(jsonx_str(contract, "salary_frequency"), period_map));
        json_object_set_new(emp.unified, "pay_frequency", json_null());
        json_object_set_new(emp.unified, "employment_type", employment_type(contract));
        json_object_set_new(emp.unified, "pay_currency",
                            json_is_string(cur) ? json_incref(cur) : json_null());
        json_object_set_new(emp.unified, "effective_date",
                            normalize_date(json_object_get(contract, "effective_on")));
        emp.links[0].attr = "employee_id";
        emp.links[0].target = MODEL_EMPLOYEES;
        snprintf(emp.links[0].remote_id, CONN_REMOTE_ID_MAX, "%s", rid);
        emp.nlinks = 1;
        rc = emit_default_fields(sink, MODEL_EMPLOYMENTS, contract);
        if (rc == ERR_OK)
            rc = sink->record(sink->ud, &emp);
        json_decref(emp.unified);
        if (rc != ERR_OK)
            return rc;
    }

    raw = json_copy(item); /* shallow: the values stay the remote's */
    json_object_foreach (item, key, v) {
        struct conn_field f = {MODEL_EMPLOYEES, key, NULL, 0};
        rc = sink->field(sink->ud, &f);
        if (rc != ERR_OK)
            goto out;
    }
    if (json_is_object(custom))
        json_object_update(raw, custom);

    u = json_object();
    json_object_set_new(u, "employee_number",
                        normalize_string(json_object_get(item, "company_identifier")));
    json_object_set_new(u, "first_name", normalize_string(json_object_get(item, "first_name")));
    json_object_set_new(u, "last_name", normalize_string(json_object_get(item, "last_name")));
    json_object_set_new(u, "nationality", normalize_string(json_object_get(item, "nationality")));
    first = jsonx_str(item, "first_name");
    last = jsonx_str(item, "last_name");
    if (jsonx_str(item, "full_name") && *jsonx_str(item, "full_name")) {
        json_object_set_new(u, "display_full_name", json_string(jsonx_str(item, "full_name")));
    } else if ((first && *first) || (last && *last)) {
        char name[512];
        snprintf(name, sizeof(name), "%s%s%s", first ? first : "",
                 first && *first && last && *last ? " " : "", last ? last : "");
        json_object_set_new(u, "display_full_name", json_string(name));
    } else {
        json_object_set_new(u, "display_full_name", json_null());
    }
    json_object_set_new(u, "job_title",
                        contract ? normalize_string(json_object_get(contract, "job_title"))
                                 : json_null());
    email = normalize_string(json_object_get(item, "email"));
    if (json_is_null(email)) {
        json_decref(email);
        email = normalize_string(json_object_get(item, "login_email"));
    }
    json_object_set_new(u, "work_email", email);
    json_object_set_new(u, "personal_email",
                        normalize_string(json_object_get(item, "personal_email")));
    json_object_set_new(u, "gender", map_enum(jsonx_str(item, "gender"), gender_map));

    starts = contract ? jsonx_str(contract, "starts_on") : NULL;
    v = json_object_get(item, "active");
    if (json_is_true(v))
        json_object_set_new(
            u, "employment_status",
            json_string(starts && strncmp(starts, run->today, 10) > 0 ? "PENDING" : "ACTIVE"));
    else if (json_is_false(v))
        json_object_set_new(u, "employment_status", json_string("INACTIVE"));
    else
        json_object_set_new(u, "employment_status", json_null());
    json_object_set_new(u, "employment_type", employment_type(contract));
    {
        double h = contract ? weekly_hours(contract) : -1;
        json_object_set_new(u, "weekly_hours", h >= 0 ? number(h) : json_null());
    }
    json_object_set_new(u, "date_of_birth", normalize_date(json_object_get(item, "birthday_on")));
    /* Without a contract version, the seniority date is the best hint. */
    json_object_set_new(u, "start_date",
                        contract
                            ? normalize_date(json_object_get(contract, "starts_on"))
                            : normalize_date(json_object_get(item, "seniority_calculation_date")));
    json_object_set_new(u, "termination_date",
                        normalize_date(json_object_get(item, "terminated_on")));
    json_object_set_new(u, "remote_created_at",
                        normalize_timestamp(json_object_get(item, "created_at")));

    memset(&r, 0, sizeof(r));
    r.model = MODEL_EMPLOYEES;
    r.remote_id = rid;
    r.raw = raw;
    r.unified = u;
    add_link(&r, "manager_id", MODEL_EMPLOYEES, json_object_get(item, "manager_id"));
    add_link(&r, "work_location_id", MODEL_LOCATIONS, json_object_get(item, "location_id"));
    add_link(&r, "legal_entity_id", MODEL_LEGAL_ENTITIES, json_object_get(item, "legal_entity_id"));
    json_array_foreach (json_object_get(item, "team_ids"), i, v)
        add_link(&r, "group_id", MODEL_GROUPS, v);
    rc = sink->record(sink->ud, &r);
out:
    json_decref(raw);
    json_decref(u);
    return rc;
}

static int on_contracts(struct conn_ctx *ctx, json_t *items, void *ud)
{
    struct batch *b = ud;
    char eid[CONN_REMOTE_ID_MAX];
    json_t *item;
    size_t i;

    json_array_foreach (items, i, item) {
        json_t *cur;

        if (id_string(json_object_get(item, "employee_id"), eid) != 0)
            return err_set(ctx->err, ERR_REMOTE,
                           "factorial: a contract version without a usable employee_id");
        cur = json_object_get(b->contracts, eid);
        if (!cur || better_version(cur, item, b->run->today))
            json_object_set(b->contracts, eid, item);
    }
    return ERR_OK;
}

/* Files each employee's custom values, and reports the fields they name. */
static int on_values(struct conn_ctx *ctx, json_t *items, void *ud)
{
    struct batch *b = ud;
    char eid[CONN_REMOTE_ID_MAX], fid[CONN_REMOTE_ID_MAX];
    json_t *item;
    size_t i;
    int rc = ERR_OK;

    json_array_foreach (items, i, item) {
        const char *type = jsonx_str(item, "valuable_type");
        json_t *v = json_object_get(item, "value"), *of;
        struct conn_field f = {MODEL_EMPLOYEES, fid, jsonx_str(item, "label"), 1};

        if (type && strcmp(type, "Employees::Employee") != 0)
            continue; /* a value of another kind of record */
        if (id_string(json_object_get(item, "valuable_id"), eid) != 0 ||
            id_string(json_object_get(item, "field_id"), fid) != 0)
            return err_set(ctx->err, ERR_REMOTE,
                           "factorial: a custom value without a usable valuable_id or field_id");
        if (!v)
            continue; /* not readable with this key: not a null */
        /* The page size keeps a batch near VALUES_PER_BATCH; fields missing
         * from the metadata may add some, but not without bound. */
        if (++b->nvalues > VALUES_PER_BATCH * 2)
            return err_set(ctx->err, ERR_TOO_LARGE,
                           "factorial: more than %d custom values for one page of employees",
                           VALUES_PER_BATCH * 2);
        rc = b->run->sink->field(b->run->sink->ud, &f);
        if (rc != ERR_OK)
            return rc;
        of = json_object_get(b->values, eid);
        if (!of) {
            of = json_object();
            json_object_set_new(b->values, eid, of);
        }
        json_object_set(of, fid, v);
    }
    return rc;
}

/* "employee_ids%5B%5D=1&employee_ids%5B%5D=2…" for the employees in items. */
static int ids_query(struct conn_ctx *ctx, json_t *items, const char *param, struct buf *q)
{
    char id[CONN_REMOTE_ID_MAX];
    json_t *item;
    size_t i;
    int rc = ERR_OK;

    json_array_foreach (items, i, item) {
        if (id_string(json_object_get(item, "id"), id) != 0)
            return err_set(ctx->err, ERR_REMOTE, "factorial: an employee without a usable id");
        rc = buf_printf(q, "%s%s%%5B%%5D=", i ? "&" : "", param);
        if (rc == ERR_OK)
            rc = conn_escape(q, id);
        if (rc != ERR_OK)
            return err_set(ctx->err, rc, "factorial: too many employee ids for one request");
    }
    return ERR_OK;
}

/* One page of employees: their contract versions and custom values, then
 * the records, then a page boundary. */
static int on_employees(struct conn_ctx *ctx, json_t *items, void *ud)
{
    struct run *run = ud;
    struct batch b = {run, json_object(), json_object(), 0};
    struct buf q;
    json_t *item;
    size_t i;
    int rc;

    if (json_array_size(items) == 0)
        return ERR_OK;
    buf_init(&q, URL_MAX / 2);
    rc = ids_query(ctx, items, "employee_ids", &q);
    if (rc == ERR_OK)
        rc =
            each_page(ctx, "contracts/contract_versions", buf_str(&q), PAGE_SIZE, on_contracts, &b);
    if (rc == ERR_OK && run->nfields > 0)
        rc = each_page(ctx, "custom_fields/values", buf_str(&q), PAGE_SIZE, on_values, &b);
    json_array_foreach (items, i, item) {
        char id[CONN_REMOTE_ID_MAX];

        if (rc != ERR_OK)
            break;
        if (id_string(json_object_get(item, "id"), id) != 0) {
            rc = err_set(ctx->err, ERR_REMOTE, "factorial: an employee without a usable id");
            break;
        }
        if (run->done) {
            if (json_object_get(run->done, id))
                continue;
            if (json_object_size(run->done) >= MAX_DELTA_IDS) {
                rc = err_set(ctx->err, ERR_TOO_LARGE,
                             "factorial: more than %d employees changed; run a FULL sync",
                             MAX_DELTA_IDS);
                break;
            }
            json_object_set_new(run->done, id, json_true());
        }
        rc = map_employee(ctx, run, item, json_object_get(b.contracts, id),
                          json_object_get(b.values, id));
    }
    if (rc == ERR_OK)
        rc = run->sink->page_done(run->sink->ud);
    buf_free(&q);
    json_decref(b.contracts);
    json_decref(b.values);
    return rc;
}

static int on_custom_fields(struct conn_ctx *ctx, json_t *items, void *ud)
{
    struct run *run = ud;
    char fid[CONN_REMOTE_ID_MAX];
    json_t *item;
    size_t i;
    int rc = ERR_OK;

    json_array_foreach (items, i, item) {
        struct conn_field f = {MODEL_EMPLOYEES, fid, jsonx_str(item, "label_text"), 1};

        if (id_string(json_object_get(item, "id"), fid) != 0)
            return err_set(ctx->err, ERR_REMOTE, "factorial: a custom field without a usable id");
        rc = run->sink->field(run->sink->ud, &f);
        if (rc != ERR_OK)
            break;
        run->nfields++;
    }
    return rc;
}

/* DELTA: the employees whose custom values changed, not yet delivered. */
static int on_changed_values(struct conn_ctx *ctx, json_t *items, void *ud)
{
    json_t *ids = ud, *item;
    char eid[CONN_REMOTE_ID_MAX];
    size_t i;

    json_array_foreach (items, i, item) {
        const char *type = jsonx_str(item, "valuable_type");

        if (type && strcmp(type, "Employees::Employee") != 0)
            continue;
        if (id_string(json_object_get(item, "valuable_id"), eid) != 0)
            return err_set(ctx->err, ERR_REMOTE,
                           "factorial: a custom value without a usable valuable_id");
        if (json_object_size(ids) >= MAX_DELTA_IDS)
            return err_set(ctx->err, ERR_TOO_LARGE,
                           "factorial: more than %d employees changed; run a FULL sync",
                           MAX_DELTA_IDS);
        json_object_set_new(ids, eid, json_true());
    }
    return ERR_OK;
}

static int fetch_employees(struct conn_ctx *ctx, struct run *run)
{
    char since[ISOTIME_LEN], query[256];
    int limit = PAGE_SIZE, rc;

    if (run->nfields > 0 && VALUES_PER_BATCH / run->nfields < limit)
        limit = VALUES_PER_BATCH / run->nfields > 0 ? VALUES_PER_BATCH / run->nfields : 1;
    if (!ctx->since_ms)
        return each_page(ctx, "employees/employees", "only_active=false&only_managers=false", limit,
                         on_employees, run);

    isotime_format(ctx->since_ms, since);
    snprintf(query, sizeof(query), "only_active=false&only_managers=false&updated_at_gteq=%s",
             since);
    run->done = json_object();
    rc = each_page(ctx, "employees/employees", query, limit, on_employees, run);
    if (rc == ERR_OK && run->nfields > 0) {
        json_t *changed = json_object(), *batch = json_array();
        const char *id;
        json_t *v;
        struct buf q;

        snprintf(query, sizeof(query), "updated_at_gteq=%s", since);
        rc = each_page(ctx, "custom_fields/values", query, PAGE_SIZE, on_changed_values, changed);
        /* Fetch those not delivered yet, a page of ids at a time. */
        buf_init(&q, URL_MAX / 2);
        json_object_foreach (changed, id, v) {
            if (rc != ERR_OK)
                break;
            if (json_object_get(run->done, id))
                continue;
            json_array_append_new(batch, json_pack("{s:s}", "id", id));
            if (json_array_size(batch) < (size_t)limit)
                continue;
            buf_reset(&q);
            rc = buf_append_str(&q, "only_active=false&only_managers=false&");
            if (rc == ERR_OK)
                rc = ids_query(ctx, batch, "ids", &q);
            if (rc == ERR_OK)
                rc = each_page(ctx, "employees/employees", buf_str(&q), limit, on_employees, run);
            json_array_clear(batch);
        }
        if (rc == ERR_OK && json_array_size(batch) > 0) {
            buf_reset(&q);
            rc = buf_append_str(&q, "only_active=false&only_managers=false&");
            if (rc == ERR_OK)
                rc = ids_query(ctx, batch, "ids", &q);
            if (rc == ERR_OK)
                rc = each_page(ctx, "employees/employees", buf_str(&q), limit, on_employees, run);
        }
        buf_free(&q);
        json_decref(batch);
        json_decref(changed);
    }
    return rc;
}

/* ---- organisation ----------------------------------------------------------- */

static int on_legal_entities(struct conn_ctx *ctx, json_t *items, void *ud)
{
    struct run *run = ud;
    json_t *item;
    size_t i;
    int rc = ERR_OK;

    json_array_foreach (items, i, item) {
        json_t *u = json_object(), *name = normalize_string(json_object_get(item, "legal_name"));
        char id[CONN_REMOTE_ID_MAX];

        if (json_is_null(name)) {
            json_decref(name);
            name = normalize_string(json_object_get(item, "name"));
        }
        json_object_set_new(u, "name", name);
        json_object_set_new(u, "address", address(item));
        if (id_string(json_object_get(item, "id"), id) == 0 && jsonx_str(item, "currency"))
            json_object_set(run->currency, id, json_object_get(item, "currency"));
        rc = emit_simple(ctx, run->sink, MODEL_LEGAL_ENTITIES, item, u, "a legal entity");
        if (rc != ERR_OK)
            break;
    }
    if (rc == ERR_OK)
        rc = run->sink->page_done(run->sink->ud);
    return rc;
}

static int on_locations(struct conn_ctx *ctx, json_t *items, void *ud)
{
    struct run *run = ud;
    json_t *item;
    size_t i;
    int rc = ERR_OK;

    json_array_foreach (items, i, item) {
        json_t *u = json_object();

        json_object_set_new(u, "name", normalize_string(json_object_get(item, "name")));
        json_object_set_new(u, "address", address(item));
        json_object_set_new(u, "type", json_string("OFFICE"));
        rc = emit_simple(ctx, run->sink, MODEL_LOCATIONS, item, u, "a location");
        if (rc != ERR_OK)
            break;
    }
    if (rc == ERR_OK)
        rc = run->sink->page_done(run->sink->ud);
    return rc;
}

static int on_teams(struct conn_ctx *ctx, json_t *items, void *ud)
{
    struct run *run = ud;
    json_t *item;
    size_t i;
    int rc = ERR_OK;

    json_array_foreach (items, i, item) {
        json_t *u = json_object();

        json_object_set_new(u, "name", normalize_string(json_object_get(item, "name")));
        json_object_set_new(u, "type", json_string("TEAM"));
        json_object_set_new(u, "parent_id", json_null());
        rc = emit_simple(ctx, run->sink, MODEL_GROUPS, item, u, "a team");
        if (rc != ERR_OK)
            break;
    }
    if (rc == ERR_OK)
        rc = run->sink->page_done(run->sink->ud);
    return rc;
}

/* ---- time off ----------------------------------------------------------------- */

static int on_leave_types(struct conn_ctx *ctx, json_t *items, void *ud)
{
    struct run *run = ud;
    json_t *item;
    size_t i;
    int rc = ERR_OK;

    json_array_foreach (items, i, item) {
        json_t *u = json_object();

        json_object_set_new(u, "name", normalize_string(json_object_get(item, "name")));
        /* Leaves are whole days, or half days (half_day on the leave). */
        json_object_set_new(u, "unit", json_string("DAYS"));
        json_object_set_new(u, "half_days_supported", json_true());
        json_object_set_new(u, "exact_times_supported", json_false());
        rc = emit_simple(ctx, run->sink, MODEL_ABSENCE_TYPES, item, u, "a leave type");
        if (rc != ERR_OK)
            break;
    }
    if (rc == ERR_OK)
        rc = run->sink->page_done(run->sink->ud);
    return rc;
}

static int on_leaves(struct conn_ctx *ctx, json_t *items, void *ud)
{
    struct run *run = ud;
    char rid[CONN_REMOTE_ID_MAX];
    json_t *item;
    size_t i;
    int rc = ERR_OK;

    json_array_foreach (items, i, item) {
        const char *half = jsonx_str(item, "half_day");
        json_t *approved = json_object_get(item, "approved");
        struct conn_record r;

        if (id_string(json_object_get(item, "id"), rid) != 0)
            return err_set(ctx->err, ERR_REMOTE, "factorial: a leave without a usable id");
        memset(&r, 0, sizeof(r));
        r.model = MODEL_ABSENCES;
        r.remote_id = rid;
        r.raw = item;
        r.unified = json_object();
        json_object_set_new(r.unified, "start_date",
                            normalize_date(json_object_get(item, "start_on")));
        json_object_set_new(r.unified, "end_date",
                            normalize_date(json_object_get(item, "finish_on")));
        /* Factorial spells it "beggining_of_day"; the right spelling is accepted too. */
        json_object_set_new(r.unified, "start_half_day",
                            json_boolean(half && (strcmp(half, "beggining_of_day") == 0 ||
                                                  strcmp(half, "beginning_of_day") == 0)));
        json_object_set_new(r.unified, "end_half_day",
                            json_boolean(half && strcmp(half, "end_of_day") == 0));
        json_object_set_new(r.unified, "amount", json_null()); /* not given by Factorial */
        json_object_set_new(r.unified, "unit", json_string("DAYS"));
        json_object_set_new(r.unified, "status",
                            json_is_true(approved)    ? json_string("APPROVED")
                            : json_is_false(approved) ? json_string("DECLINED")
                            : json_is_null(approved)  ? json_string("REQUESTED")
                                                      : json_null());
        json_object_set_new(r.unified, "employee_note",
                            normalize_string(json_object_get(item, "description")));
        json_object_set_new(r.unified, "remote_created_at",
                            normalize_timestamp(json_object_get(item, "created_at")));
        json_object_set_new(r.unified, "remote_updated_at",
                            normalize_timestamp(json_object_get(item, "updated_at")));
        add_link(&r, "employee_id", MODEL_EMPLOYEES, json_object_get(item, "employee_id"));
        add_link(&r, "type_id", MODEL_ABSENCE_TYPES, json_object_get(item, "leave_type_id"));
        rc = run->sink->record(run->sink->ud, &r);
        json_decref(r.unified);
        if (rc != ERR_OK)
            return rc;
    }
    return run->sink->page_done(run->sink->ud);
}

static int on_allowances(struct conn_ctx *ctx, json_t *items, void *ud)
{
    struct run *run = ud;
    char rid[CONN_REMOTE_ID_MAX];
    json_t *item;
    size_t i;
    int rc = ERR_OK;

    json_array_foreach (items, i, item) {
        const char *unit = jsonx_str(item, "unit");
        struct conn_record r;
        json_t *bal = json_object_get(item, "balance_days");

        if (id_string(json_object_get(item, "id"), rid) != 0)
            return err_set(ctx->err, ERR_REMOTE, "factorial: an allowance without a usable id");
        if (!bal && unit && strcmp(unit, "hours") == 0)
            bal = json_object_get(item, "balance_hours");
        memset(&r, 0, sizeof(r));
        r.model = MODEL_TIME_OFF_BALANCES;
        r.remote_id = rid;
        r.raw = item;
        r.unified = json_object();
        json_object_set_new(r.unified, "balance", normalize_number(bal));
        json_object_set_new(r.unified, "balance_unit",
                            !unit                        ? json_null()
                            : strcmp(unit, "days") == 0  ? json_string("DAYS")
                            : strcmp(unit, "hours") == 0 ? json_string("HOURS")
                                                         : json_null());
        json_object_set_new(r.unified, "used", json_null());
        json_object_set_new(r.unified, "used_unit", json_null());
        add_link(&r, "employee_id", MODEL_EMPLOYEES, json_object_get(item, "employee_id"));
        add_link(&r, "type_id", MODEL_ABSENCE_TYPES, json_object_get(item, "leave_type_id"));
        rc = run->sink->record(run->sink->ud, &r);
        json_decref(r.unified);
        if (rc != ERR_OK)
            return rc;
    }
    return run->sink->page_done(run->sink->ud);
}

/* ---- the connector ------------------------------------------------------------ */

static void today_of(int64_t now_ms, char out[DATE_LEN])
{
    char ts[ISOTIME_LEN];

    isotime_format(now_ms, ts);
    snprintf(out, DATE_LEN, "%.10s", ts);
}

static int fetch(struct conn_ctx *ctx, const struct conn_sink *sink)
{
    struct run run;
    int rc;

    memset(&run, 0, sizeof(run));
    run.sink = sink;
    run.currency = json_object();
    today_of(isotime_now_ms(), run.today);
    /* Organisation first: employees link to it, employments take its currency. */
    rc = each_page(ctx, "companies/legal_entities", NULL, PAGE_SIZE, on_legal_entities, &run);
    if (rc == ERR_OK)
        rc = each_page(ctx, "locations/locations", NULL, PAGE_SIZE, on_locations, &run);
    if (rc == ERR_OK)
        rc = each_page(ctx, "teams/teams", NULL, PAGE_SIZE, on_teams, &run);
    if (rc == ERR_OK)
        rc = each_page(ctx, "custom_fields/fields", NULL, PAGE_SIZE, on_custom_fields, &run);
    if (rc == ERR_OK)
        rc = fetch_employees(ctx, &run);
    if (rc == ERR_OK)
        rc = each_page(ctx, "timeoff/leave_types", NULL, PAGE_SIZE, on_leave_types, &run);
    if (rc == ERR_OK)
        rc = each_page(ctx, "timeoff/leaves", NULL, PAGE_SIZE, on_leaves, &run);
    if (rc == ERR_OK)
        rc = each_page(ctx, "timeoff/allowances", NULL, PAGE_SIZE, on_allowances, &run);
    json_decref(run.currency);
    json_decref(run.done);
    return rc;
}

static const struct conn_api apis[] = {{"api", "/api/" API_VERSION}, {NULL, NULL}};

const struct connector connector_factorial = {
    .tool = "factorial",
    .models = (1u << MODEL_EMPLOYEES) | (1u << MODEL_EMPLOYMENTS) | (1u << MODEL_GROUPS) |
              (1u << MODEL_LOCATIONS) | (1u << MODEL_LEGAL_ENTITIES) | (1u << MODEL_ABSENCE_TYPES) |
              (1u << MODEL_ABSENCES) | (1u << MODEL_TIME_OFF_BALANCES),
    .supports_delta = 1,
    .authenticate = authenticate,
    .fetch = fetch,
    .apis = apis,
    .auth_header = auth_header,
};
