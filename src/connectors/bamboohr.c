/*
 * bamboohr — the BambooHR API connector.
 *
 * Auth is HTTP Basic with the API key as user name ("key:x"); there is no
 * session, so authenticate() checks the key with GET /v1/meta/fields. Every
 * request asks for JSON (BambooHR answers XML otherwise).
 *
 * Employees come from custom reports (POST /v1/reports/custom), the only bulk
 * read that carries custom fields. A report has no pagination, so the run
 * first asks for the ids alone (one small report), then reads the employees
 * in chunks of CHUNK_EMPLOYEES with filters.employeeIds, each chunk being one
 * page. A chunk asks for every field /v1/meta/fields lists plus the standard
 * fields this file maps, split into reports of at most 400 fields (the
 * vendor's cap) merged by id. DELTA runs take the ids from
 * GET /v1/employees/changed instead, whose "Deleted" entries become
 * tombstones.
 *
 * Report values are strings: integration fields keep them exactly; unified
 * fields are normalised (dates, "0000-00-00" as null, numbers). Department,
 * division and location are names: they become groups (DEPARTMENT), legal
 * entities and locations, identified by their option id in /v1/meta/lists
 * (or by the name when the list does not hold it). Each employee also yields
 * one employment from its job fields. Time off: types, requests and each
 * employee's balances from the calculator.
 */
#include "connectors/connector.h"

#include "connectors/normalize.h"
#include "core/buf.h"
#include "core/isotime.h"
#include "core/jsonarena.h"
#include "core/jsonx.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REPORT_MAX_FIELDS 400     /* BambooHR refuses more in one report */
#define CHUNK_EMPLOYEES   500     /* employees per report chunk (one page) */
#define MAX_EMPLOYEES     5000000 /* ids one run accepts from the remote */
#define MAX_META_FIELDS   20000   /* fields /v1/meta/fields may list */
#define MAX_LIST_OPTIONS  100000  /* options over all lists we use */
#define MAX_TIME_OFF      5000000 /* time-off requests in one answer */
#define DELTA_TIME_OFF    100     /* changed employees whose time off is read one by one */

/* Standard fields the mapping reads; always requested, whether or not the
 * metadata lists them (third parties report built-in fields missing there). */
static const char *const mapped_keys[] = {"employeeNumber",
                                          "firstName",
                                          "lastName",
                                          "preferredName",
                                          "displayName",
                                          "workEmail",
                                          "homeEmail",
                                          "mobilePhone",
                                          "status",
                                          "employmentHistoryStatus",
                                          "hireDate",
                                          "originalHireDate",
                                          "terminationDate",
                                          "dateOfBirth",
                                          "gender",
                                          "maritalStatus",
                                          "supervisorEId",
                                          "jobTitle",
                                          "department",
                                          "division",
                                          "location",
                                          "standardHoursPerWeek",
                                          "payRate",
                                          "payPer",
                                          "paySchedule",
                                          "payType",
                                          NULL};

/* The job fields, which belong to the employment as well. */
static const char *const employment_keys[] = {"jobTitle",
                                              "employmentHistoryStatus",
                                              "standardHoursPerWeek",
                                              "payRate",
                                              "payPer",
                                              "paySchedule",
                                              "payType",
                                              "hireDate",
                                              NULL};

/* The list fields that name other records, and what they become. */
static const char *const list_aliases[] = {"department", "division", "location", NULL};

/* One run's state. */
struct run {
    struct conn_ctx *ctx;
    const struct conn_sink *sink;
    json_t *catalog; /* field key -> {"label": str|null, "custom": bool} */
    json_t *keys;    /* the field keys every report asks for (strings) */
    json_t *lists;   /* alias -> {option name -> option object} */
    json_t *types;   /* time-off type ids (strings) */
    char today[11];  /* "YYYY-MM-DD", UTC */
};

/* ---- HTTP --------------------------------------------------------------- */

/* Writes "Authorization: Basic base64(key:x)" into ctx->token. */
static int make_auth(struct conn_ctx *ctx)
{
    const char *key = jsonx_str(ctx->credentials, "api_key");
    char user[600], b64[900];
    int n, rc = ERR_OK;

    if (!key || !*key)
        return err_set(ctx->err, ERR_INVALID, "bamboohr: the credentials lack api_key");
    n = snprintf(user, sizeof(user), "%s:x", key);
    if (n < 0 || (size_t)n >= sizeof(user)) {
        rc = err_set(ctx->err, ERR_INVALID, "bamboohr: api_key is too long");
        goto out;
    }
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)user, (size_t)n,
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(ctx->token, sizeof(ctx->token), "Authorization: Basic %s", b64);
out:
    sodium_memzero(user, sizeof(user));
    sodium_memzero(b64, sizeof(b64));
    return rc;
}

/* The value of a response header (case-insensitive name) into out, or "". */
static void resp_header(const struct fetch_resp *r, const char *name, char *out, size_t outlen)
{
    const char *p = buf_str(&r->headers);
    size_t nlen = strlen(name);

    out[0] = '\0';
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);

        if (len > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            size_t vlen = len - nlen - 1;

            while (vlen && (*v == ' ' || *v == '\t'))
                v++, vlen--;
            while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == ' '))
                vlen--;
            snprintf(out, outlen, "%.*s", (int)vlen, v);
            /* A remote header goes into run errors: keep it printable. */
            for (char *c = out; *c; c++) {
                if ((unsigned char)*c < 0x20 || *c == '"')
                    *c = ' ';
            }
            return;
        }
        p = eol ? eol + 1 : NULL;
    }
}

/* Sends one request to base_url + path and answers ERR_OK with a 200 in
 * *out; the caller frees it. Refused credentials are ERR_UNAUTHORIZED, any
 * other status ERR_REMOTE, both with BambooHR's error header in the message. */
static int call(struct conn_ctx *ctx, const char *method, const char *path, const char *body,
                const char *what, struct fetch_resp *out)
{
    struct fetch_req req = {method,
                            NULL,
                            {ctx->token, "Accept: application/json",
                             body ? "Content-Type: application/json" : NULL, NULL},
                            body,
                            body ? strlen(body) : 0};
    struct buf url;
    char why[256];
    long status;
    int rc;

    if (!ctx->token[0]) {
        rc = make_auth(ctx);
        if (rc != ERR_OK)
            return rc;
    }
    buf_init(&url, 8192);
    rc = buf_printf(&url, "%s%s", ctx->base_url, path);
    if (rc != ERR_OK) {
        buf_free(&url);
        return err_set(ctx->err, rc, "bamboohr: the URL for %s is too long", what);
    }
    req.url = buf_str(&url);
    rc = fetch_do(ctx->http, &req, out, ctx->err);
    buf_free(&url);
    if (rc != ERR_OK)
        return rc;
    if (out->status == 200)
        return ERR_OK;
    status = out->status;
    resp_header(out, "X-BambooHR-Error-Message", why, sizeof(why));
    fetch_resp_free(out);
    if (status == 401 || status == 403) {
        ctx->auth_failed = 1;
        return err_set(ctx->err, ERR_UNAUTHORIZED, "bamboohr: the API key was refused (%ld%s%s)",
                       status, why[0] ? ": " : "", why);
    }
    return err_set(ctx->err, ERR_REMOTE, "bamboohr: %s answered %ld%s%s", what, status,
                   why[0] ? ": " : "", why);
}

/* call() and parse the body as JSON into *out (a new reference). */
static int call_json(struct conn_ctx *ctx, const char *method, const char *path, const char *body,
                     const char *what, json_t **out)
{
    struct fetch_resp resp;
    json_error_t je;
    json_t *j;
    int rc = call(ctx, method, path, body, what, &resp);

    if (rc != ERR_OK)
        return rc;
    j = jsonarena_loadb(buf_str(&resp.body), resp.body.len, 0, &je);
    fetch_resp_free(&resp);
    if (!j)
        return err_set(ctx->err, ERR_REMOTE, "bamboohr: %s sent invalid JSON (line %d: %s)", what,
                       je.line, je.text);
    *out = j;
    return ERR_OK;
}

static int authenticate(struct conn_ctx *ctx)
{
    json_t *j = NULL;
    int rc = make_auth(ctx);

    if (rc == ERR_OK)
        rc = call_json(ctx, "GET", "/v1/meta/fields", NULL, "GET /v1/meta/fields", &j);
    if (rc == ERR_OK && !json_is_array(j))
        rc = err_set(ctx->err, ERR_REMOTE, "bamboohr: GET /v1/meta/fields sent no list");
    json_decref(j);
    return rc;
}

/* ---- values --------------------------------------------------------------- */

/* A remote id (string or integer) as a string into out. Returns 0, or -1
 * when it is missing, empty or too long. */
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

static const char *str_of(const json_t *obj, const char *key)
{
    const char *s = jsonx_str(obj, key);

    return s && *s ? s : NULL;
}

/* Maps a value through map (case-insensitive); unknown values pass through
 * (open enums), empty ones are null. */
static json_t *map_enum(const char *v, const char *const map[][2])
{
    if (!v || !*v)
        return json_null();
    for (int i = 0; map[i][0]; i++) {
        if (strcasecmp(map[i][0], v) == 0)
            return map[i][1] ? json_string(map[i][1]) : json_null();
    }
    return json_string(v);
}

/* As map_enum, but values outside the map are null (closed enums). */
static json_t *map_closed(const char *v, const char *const map[][2])
{
    for (int i = 0; v && map[i][0]; i++) {
        if (strcasecmp(map[i][0], v) == 0)
            return json_string(map[i][1]);
    }
    return json_null();
}

static const char *const gender_map[][2] = {{"Male", "MALE"},
                                            {"Female", "FEMALE"},
                                            {"Non-binary", "NON_BINARY"},
                                            {"Nonbinary", "NON_BINARY"},
                                            {NULL, NULL}};
/* "Terminated" says nothing about the kind of contract. */
static const char *const type_map[][2] = {{"Full-Time", "FULL_TIME"},
                                          {"Full Time", "FULL_TIME"},
                                          {"Part-Time", "PART_TIME"},
                                          {"Part Time", "PART_TIME"},
                                          {"Contractor", "CONTRACT"},
                                          {"Contract", "CONTRACT"},
                                          {"Intern", "INTERNSHIP"},
                                          {"Internship", "INTERNSHIP"},
                                          {"Freelance", "FREELANCE"},
                                          {"Terminated", NULL},
                                          {NULL, NULL}};
static const char *const marital_map[][2] = {{"Single", "SINGLE"},
                                             {"Married", "MARRIED"},
                                             {"Divorced", "DIVORCED"},
                                             {"Widowed", "WIDOWED"},
                                             {"Separated", "SEPARATED"},
                                             {"Domestic Partnership", "DOMESTIC_PARTNERSHIP"},
                                             {NULL, NULL}};
static const char *const period_map[][2] = {
    {"Hour", "HOUR"},       {"Day", "DAY"},   {"Week", "WEEK"}, {"Month", "MONTH"},
    {"Quarter", "QUARTER"}, {"Year", "YEAR"}, {NULL, NULL}};
static const char *const frequency_map[][2] = {{"Weekly", "WEEKLY"},
                                               {"Every other week", "BIWEEKLY"},
                                               {"Twice a month", "SEMIMONTHLY"},
                                               {"Once a month", "MONTHLY"},
                                               {"Monthly", "MONTHLY"},
                                               {"Quarterly", "QUARTERLY"},
                                               {"Twice a year", "SEMIANNUALLY"},
                                               {"Once a year", "ANNUALLY"},
                                               {"Daily", "DAILY"},
                                               {NULL, NULL}};
static const char *const unit_map[][2] = {{"days", "DAYS"}, {"hours", "HOURS"}, {NULL, NULL}};
/* A request's status.status: BambooHR's documented words, and also the
 * pending/rejected that hrsim's BambooHR sends (unmapped, they leaked into
 * the unified status as lower-case strings). */
static const char *const absence_status_map[][2] = {
    {"approved", "APPROVED"},    {"requested", "REQUESTED"},
    {"pending", "REQUESTED"},    {"denied", "DECLINED"},
    {"declined", "DECLINED"},    {"rejected", "DECLINED"},
    {"canceled", "CANCELLED"},   {"cancelled", "CANCELLED"},
    {"superceded", "CANCELLED"}, {NULL, NULL}};

/* A BambooHR field created by the customer: a numeric id without an alias,
 * or a "custom…" alias. */
static int is_custom_key(const char *key)
{
    if (strncmp(key, "custom", 6) == 0 && isupper((unsigned char)key[6]))
        return 1;
    return isdigit((unsigned char)key[0]);
}

/* A money value: "62400.00", "62400.00 USD" or {"value":…,"currency":…}.
 * Sets *amount and *currency (new references, null when absent). */
static void split_money(const json_t *v, json_t **amount, json_t **currency)
{
    const char *s;
    char num[64];
    json_t *n_v;
    size_t n;

    *amount = json_null();
    *currency = json_null();
    if (json_is_object(v)) {
        json_decref(*amount);
        *amount = normalize_number(json_object_get(v, "value"));
        json_decref(*currency);
        *currency = normalize_string(json_object_get(v, "currency"));
        return;
    }
    s = json_string_value(v);
    if (!s)
        return;
    n = strcspn(s, " ");
    if (n >= sizeof(num))
        return;
    memcpy(num, s, n);
    num[n] = '\0';
    n_v = json_string(num);
    json_decref(*amount);
    *amount = normalize_number(n_v);
    json_decref(n_v);
    s += n;
    while (*s == ' ')
        s++;
    if (*s) {
        json_decref(*currency);
        *currency = json_string(s);
    }
}

/* ---- fields --------------------------------------------------------------- */

static int emit_field(const struct run *st, enum model model, const char *key)
{
    json_t *c = json_object_get(st->catalog, key);
    struct conn_field f = {model, key, jsonx_str(c, "label"),
                           c ? json_is_true(json_object_get(c, "custom")) : is_custom_key(key)};

    return st->sink->field(st->sink->ud, &f);
}

/* Reports every key of raw as a field of model. */
static int emit_fields_of(const struct run *st, enum model model, const json_t *raw)
{
    const char *key;
    json_t *v;
    int rc = ERR_OK;

    json_object_foreach ((json_t *)raw, key, v) {
        if (rc == ERR_OK)
            rc = emit_field(st, model, key);
    }
    return rc;
}

static void add_key(json_t *keys, json_t *seen, const char *key)
{
    if (!key || !*key || strcmp(key, "id") == 0 || json_object_get(seen, key))
        return;
    json_object_set_new(seen, key, json_true());
    json_array_append_new(keys, json_string(key));
}

/* Takes the body of GET /v1/meta/fields: the catalog (labels, custom or
 * not), the report keys, and every field reported to the sink. */
static int take_fields(struct run *st, json_t *j)
{
    json_t *item, *seen = json_object();
    size_t i;
    int rc = ERR_OK;

    if (!json_is_array(j))
        rc = err_set(st->ctx->err, ERR_REMOTE, "bamboohr: GET /v1/meta/fields sent no list");
    if (rc == ERR_OK && json_array_size(j) > MAX_META_FIELDS)
        rc = err_set(st->ctx->err, ERR_TOO_LARGE, "bamboohr: more than %d fields in the metadata",
                     MAX_META_FIELDS);
    for (const char *const *k = mapped_keys; rc == ERR_OK && *k; k++)
        add_key(st->keys, seen, *k);
    json_array_foreach (j, i, item) {
        const char *alias = str_of(item, "alias"), *name = str_of(item, "name");
        char key[CONN_REMOTE_ID_MAX];
        struct conn_field f;

        if (rc != ERR_OK)
            break;
        if (json_is_true(json_object_get(item, "deprecated")))
            continue;
        if (alias && strlen(alias) < sizeof(key))
            snprintf(key, sizeof(key), "%s", alias);
        else if (id_string(json_object_get(item, "id"), key) != 0)
            continue; /* nothing to ask for it by */
        f.model = MODEL_EMPLOYEES;
        f.key = key;
        f.label = name;
        f.custom = !alias || is_custom_key(alias);
        json_object_set_new(st->catalog, key,
                            json_pack("{s:o, s:b}", "label", name ? json_string(name) : json_null(),
                                      "custom", f.custom));
        add_key(st->keys, seen, key);
        rc = st->sink->field(st->sink->ud, &f);
    }
    json_decref(seen);
    return rc;
}

static int load_fields(struct run *st)
{
    json_t *j = NULL;
    int rc = call_json(st->ctx, "GET", "/v1/meta/fields", NULL, "GET /v1/meta/fields", &j);

    if (rc == ERR_OK)
        rc = take_fields(st, j);
    json_decref(j);
    return rc;
}

/* ---- groups, locations, legal entities -------------------------------------- */

/* The option object of name in the list alias, or NULL. Borrowed. */
static json_t *list_option(const struct run *st, const char *alias, const char *name)
{
    return json_object_get(json_object_get(st->lists, alias), name);
}

static enum model list_model(const char *alias)
{
    if (strcmp(alias, "department") == 0)
        return MODEL_GROUPS;
    if (strcmp(alias, "division") == 0)
        return MODEL_LEGAL_ENTITIES;
    return MODEL_LOCATIONS;
}

/* The remote id of the record a list value names: its option id, or the
 * name itself when the list does not hold it. */
static int list_ref(const struct run *st, const char *alias, const char *name,
                    char out[CONN_REMOTE_ID_MAX])
{
    json_t *opt = list_option(st, alias, name);

    if (opt && id_string(json_object_get(opt, "id"), out) == 0)
        return 0;
    if (strlen(name) >= CONN_REMOTE_ID_MAX)
        return -1;
    snprintf(out, CONN_REMOTE_ID_MAX, "%s", name);
    return 0;
}

/* Emits the group, legal entity or location that name is in list alias. */
static int emit_list_record(const struct run *st, const char *alias, const char *name)
{
    json_t *opt = list_option(st, alias, name), *raw;
    char rid[CONN_REMOTE_ID_MAX];
    struct conn_record r;
    int rc;

    if (list_ref(st, alias, name, rid) != 0)
        return ERR_OK;
    raw = opt ? json_incref(opt) : json_pack("{s:s}", "name", name);
    memset(&r, 0, sizeof(r));
    r.model = list_model(alias);
    r.remote_id = rid;
    r.raw = raw;
    r.unified = json_pack("{s:s}", "name", name);
    if (r.model == MODEL_GROUPS)
        json_object_set_new(r.unified, "type", json_string("DEPARTMENT"));
    else if (r.model == MODEL_LOCATIONS)
        json_object_set_new(r.unified, "type", json_string("OFFICE"));
    rc = emit_fields_of(st, r.model, raw);
    if (rc == ERR_OK)
        rc = st->sink->record(st->sink->ud, &r);
    json_decref(r.unified);
    json_decref(raw);
    return rc;
}

/* Takes the body of GET /v1/meta/lists: remembers the options of
 * department, division and location, and emits every one not archived. */
static int take_lists(struct run *st, json_t *j)
{
    json_t *item;
    size_t i, total = 0;
    int rc = ERR_OK;

    if (!json_is_array(j))
        rc = err_set(st->ctx->err, ERR_REMOTE, "bamboohr: GET /v1/meta/lists sent no list");
    json_array_foreach (j, i, item) {
        const char *alias = str_of(item, "alias");
        json_t *opts = json_object_get(item, "options"), *o, *byname;
        size_t k;

        if (rc != ERR_OK || !alias)
            continue;
        for (const char *const *a = list_aliases; rc == ERR_OK && *a; a++) {
            if (strcmp(*a, alias) != 0)
                continue;
            total += json_array_size(opts);
            if (total > MAX_LIST_OPTIONS) {
                rc = err_set(st->ctx->err, ERR_TOO_LARGE,
                             "bamboohr: more than %d list options in the metadata",
                             MAX_LIST_OPTIONS);
                break;
            }
            byname = json_object();
            json_array_foreach (opts, k, o) {
                const char *name = str_of(o, "name");
                if (name && !json_object_get(byname, name))
                    json_object_set(byname, name, o);
            }
            json_object_set_new(st->lists, alias, byname);
            json_array_foreach (opts, k, o) {
                const char *name = str_of(o, "name");
                const char *archived = str_of(o, "archived");
                if (rc == ERR_OK && name && !(archived && strcmp(archived, "yes") == 0))
                    rc = emit_list_record(st, alias, name);
            }
        }
    }
    return rc;
}

static int load_lists(struct run *st)
{
    json_t *j = NULL;
    int rc = call_json(st->ctx, "GET", "/v1/meta/lists", NULL, "GET /v1/meta/lists", &j);

    if (rc == ERR_OK)
        rc = take_lists(st, j);
    json_decref(j);
    if (rc == ERR_OK)
        rc = st->sink->page_done(st->sink->ud);
    return rc;
}

/* ---- employees ----------------------------------------------------------------- */

static void add_link(struct conn_record *r, const char *attr, enum model target, const char *rid)
{
    if (r->nlinks < CONN_MAX_LINKS && rid && *rid && strlen(rid) < CONN_REMOTE_ID_MAX) {
        r->links[r->nlinks].attr = attr;
        r->links[r->nlinks].target = target;
        snprintf(r->links[r->nlinks].remote_id, CONN_REMOTE_ID_MAX, "%s", rid);
        r->nlinks++;
    }
}

static json_t *display_name(const json_t *row)
{
    const char *d = str_of(row, "displayName"), *first = str_of(row, "preferredName");
    const char *last = str_of(row, "lastName");
    char name[512];

    if (d)
        return json_string(d);
    if (!first)
        first = str_of(row, "firstName");
    if (!first && !last)
        return json_null();
    snprintf(name, sizeof(name), "%s%s%s", first ? first : "", first && last ? " " : "",
             last ? last : "");
    return json_string(name);
}

/* Emits the employment of an employee: its job fields. */
static int emit_employment(const struct run *st, const char *rid, const json_t *row)
{
    json_t *raw = json_object(), *amount, *currency, *v;
    struct conn_record r;
    int rc;

    for (const char *const *k = employment_keys; *k; k++) {
        v = json_object_get(row, *k);
        if (v)
            json_object_set(raw, *k, v);
    }
    split_money(json_object_get(row, "payRate"), &amount, &currency);
    memset(&r, 0, sizeof(r));
    r.model = MODEL_EMPLOYMENTS;
    r.remote_id = rid;
    r.raw = raw;
    r.unified = json_object();
    json_object_set_new(r.unified, "job_title", normalize_string(json_object_get(row, "jobTitle")));
    json_object_set_new(r.unified, "employment_type",
                        map_enum(str_of(row, "employmentHistoryStatus"), type_map));
    json_object_set_new(r.unified, "pay_rate", amount);
    json_object_set_new(r.unified, "pay_currency", currency);
    /* Without payPer, BambooHR's pay rate is per year. */
    v = json_object_get(r.unified, "pay_rate");
    json_object_set_new(r.unified, "pay_period",
                        str_of(row, "payPer") ? map_enum(str_of(row, "payPer"), period_map)
                        : json_is_number(v)   ? json_string("YEAR")
                                              : json_null());
    json_object_set_new(r.unified, "pay_frequency",
                        map_enum(str_of(row, "paySchedule"), frequency_map));
    json_object_set_new(r.unified, "effective_date",
                        normalize_date(json_object_get(row, "hireDate")));
    add_link(&r, "employee_id", MODEL_EMPLOYEES, rid);
    rc = emit_fields_of(st, MODEL_EMPLOYMENTS, raw);
    if (rc == ERR_OK)
        rc = st->sink->record(st->sink->ud, &r);
    json_decref(r.unified);
    json_decref(raw);
    return rc;
}

/* Maps one report row ({"id":…, <key>: <string>|null …}) and emits the
 * employee with everything it names. */
static int map_employee(struct run *st, json_t *row)
{
    json_t *u = json_object(), *start;
    struct conn_record r;
    char rid[CONN_REMOTE_ID_MAX], ref[CONN_REMOTE_ID_MAX];
    const char *status, *hire;
    int rc = ERR_OK;

    memset(&r, 0, sizeof(r));
    if (!json_is_object(row) || id_string(json_object_get(row, "id"), rid) != 0) {
        rc = err_set(st->ctx->err, ERR_REMOTE, "bamboohr: a report row without a usable id");
        goto out;
    }
    json_object_set_new(u, "employee_number",
                        normalize_string(json_object_get(row, "employeeNumber")));
    json_object_set_new(u, "first_name", normalize_string(json_object_get(row, "firstName")));
    json_object_set_new(u, "last_name", normalize_string(json_object_get(row, "lastName")));
    json_object_set_new(u, "display_full_name", display_name(row));
    json_object_set_new(u, "job_title", normalize_string(json_object_get(row, "jobTitle")));
    json_object_set_new(u, "work_email", normalize_string(json_object_get(row, "workEmail")));
    json_object_set_new(u, "personal_email", normalize_string(json_object_get(row, "homeEmail")));
    json_object_set_new(u, "mobile_phone_number",
                        normalize_string(json_object_get(row, "mobilePhone")));
    json_object_set_new(u, "gender", map_enum(str_of(row, "gender"), gender_map));
    json_object_set_new(u, "marital_status", map_enum(str_of(row, "maritalStatus"), marital_map));
    json_object_set_new(u, "employment_type",
                        map_enum(str_of(row, "employmentHistoryStatus"), type_map));
    json_object_set_new(u, "weekly_hours",
                        normalize_number(json_object_get(row, "standardHoursPerWeek")));
    json_object_set_new(u, "date_of_birth", normalize_date(json_object_get(row, "dateOfBirth")));
    start = normalize_date(json_object_get(row, "hireDate"));
    if (json_is_null(start)) {
        json_decref(start);
        start = normalize_date(json_object_get(row, "originalHireDate"));
    }
    json_object_set_new(u, "start_date", start);
    json_object_set_new(u, "termination_date",
                        normalize_date(json_object_get(row, "terminationDate")));
    json_object_set_new(u, "remote_created_at", json_null());
    status = str_of(row, "status");
    hire = json_string_value(start);
    if (status && strcasecmp(status, "Active") == 0)
        json_object_set_new(
            u, "employment_status",
            json_string(hire && strncmp(hire, st->today, 10) > 0 ? "PENDING" : "ACTIVE"));
    else if (status && strcasecmp(status, "Inactive") == 0)
        json_object_set_new(u, "employment_status", json_string("INACTIVE"));
    else
        json_object_set_new(u, "employment_status",
                            normalize_string(json_object_get(row, "status")));

    /* What it names first, so links resolve within the page. */
    for (const char *const *a = list_aliases; rc == ERR_OK && *a; a++) {
        const char *name = str_of(row, *a);
        if (name)
            rc = emit_list_record(st, *a, name);
    }
    /* Its fields were reported with the report that carried it. */
    if (rc == ERR_OK)
        rc = emit_employment(st, rid, row);
    if (rc != ERR_OK)
        goto out;

    r.model = MODEL_EMPLOYEES;
    r.remote_id = rid;
    r.raw = row;
    r.unified = u;
    add_link(&r, "manager_id", MODEL_EMPLOYEES, str_of(row, "supervisorEId"));
    if (str_of(row, "location") && list_ref(st, "location", str_of(row, "location"), ref) == 0)
        add_link(&r, "work_location_id", MODEL_LOCATIONS, ref);
    if (str_of(row, "division") && list_ref(st, "division", str_of(row, "division"), ref) == 0)
        add_link(&r, "legal_entity_id", MODEL_LEGAL_ENTITIES, ref);
    if (str_of(row, "department") &&
        list_ref(st, "department", str_of(row, "department"), ref) == 0)
        add_link(&r, "group_id", MODEL_GROUPS, ref);
    rc = st->sink->record(st->sink->ud, &r);
out:
    json_decref(u);
    return rc;
}

/* POSTs one custom report for the fields keys[from, from+n) and, when ids
 * is given, only for those employees. *out: the "employees" array. */
static int report(struct run *st, const json_t *keys, size_t from, size_t n, const json_t *ids,
                  json_t **out)
{
    json_t *body = json_object(), *fields = json_array(), *j = NULL, *emps, *f;
    char *text;
    size_t i;
    int rc;

    for (i = from; i < from + n && i < json_array_size(keys); i++)
        json_array_append(fields, json_array_get(keys, i));
    json_object_set_new(body, "title", json_string("hrbridge sync"));
    json_object_set_new(body, "fields", fields);
    if (ids)
        json_object_set_new(body, "filters", json_pack("{s:O}", "employeeIds", ids));
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    /* onlyCurrent=false: future hires and future-dated values too. */
    rc = call_json(st->ctx, "POST", "/v1/reports/custom?format=JSON&onlyCurrent=false", text,
                   "POST /v1/reports/custom", &j);
    free(text);
    if (rc != ERR_OK)
        return rc;
    emps = json_object_get(j, "employees");
    if (!json_is_array(emps)) {
        json_decref(j);
        return err_set(st->ctx->err, ERR_REMOTE,
                       "bamboohr: POST /v1/reports/custom sent no employees list");
    }
    if (json_array_size(emps) > MAX_EMPLOYEES) {
        json_decref(j);
        return err_set(st->ctx->err, ERR_TOO_LARGE, "bamboohr: more than %d employees",
                       MAX_EMPLOYEES);
    }
    /* Every row has the keys the report lists (and "id"): report them once
     * here, the report's own labels filling what the metadata lacks. */
    rc = emit_field(st, MODEL_EMPLOYEES, "id");
    json_array_foreach (json_object_get(j, "fields"), i, f) {
        const char *key = str_of(f, "id");

        if (rc != ERR_OK || !key)
            continue;
        if (!json_object_get(st->catalog, key))
            json_object_set_new(st->catalog, key,
                                json_pack("{s:o, s:b}", "label",
                                          normalize_string(json_object_get(f, "name")), "custom",
                                          is_custom_key(key)));
        rc = emit_field(st, MODEL_EMPLOYEES, key);
    }
    if (rc != ERR_OK) {
        json_decref(j);
        return rc;
    }
    *out = json_incref(emps);
    json_decref(j);
    return ERR_OK;
}

/* Reads the employees ids[from, from+n) with every field (in reports of at
 * most REPORT_MAX_FIELDS, merged by id) and emits them as one page. */
static int fetch_chunk(struct run *st, const json_t *ids, size_t from, size_t n)
{
    json_t *chunk = json_array(), *rows = json_object(), *emps, *e, *v;
    size_t i, nkeys = json_array_size(st->keys);
    int rc = ERR_OK;

    for (i = from; i < from + n && i < json_array_size(ids); i++)
        json_array_append(chunk, json_array_get(ids, i));
    for (size_t k = 0; rc == ERR_OK && (k == 0 || k < nkeys); k += REPORT_MAX_FIELDS) {
        emps = NULL;
        rc = report(st, st->keys, k, REPORT_MAX_FIELDS, chunk, &emps);
        json_array_foreach (emps, i, e) {
            char rid[CONN_REMOTE_ID_MAX];
            json_t *row;

            if (rc != ERR_OK)
                break;
            if (id_string(json_object_get(e, "id"), rid) != 0) {
                rc =
                    err_set(st->ctx->err, ERR_REMOTE, "bamboohr: a report row without a usable id");
                break;
            }
            row = json_object_get(rows, rid);
            if (row)
                json_object_update(row, e);
            else
                json_object_set(rows, rid, e);
        }
        json_decref(emps);
    }
    /* In the order asked for. */
    json_array_foreach (chunk, i, v) {
        char rid[CONN_REMOTE_ID_MAX];
        json_t *row;

        if (rc != ERR_OK)
            break;
        if (id_string(v, rid) != 0)
            continue;
        row = json_object_get(rows, rid);
        if (row)
            rc = map_employee(st, row);
    }
    json_decref(chunk);
    json_decref(rows);
    if (rc == ERR_OK)
        rc = st->sink->page_done(st->sink->ud);
    return rc;
}

/* Every employee id, from a report of one small field. */
static int all_ids(struct run *st, json_t **out)
{
    json_t *keys = json_pack("[s]", "status"), *emps = NULL, *e, *ids = json_array();
    char rid[CONN_REMOTE_ID_MAX];
    size_t i;
    int rc = report(st, keys, 0, 1, NULL, &emps);

    json_array_foreach (emps, i, e) {
        if (rc != ERR_OK)
            break;
        if (id_string(json_object_get(e, "id"), rid) != 0)
            rc = err_set(st->ctx->err, ERR_REMOTE, "bamboohr: a report row without a usable id");
        else
            json_array_append_new(ids, json_string(rid));
    }
    json_decref(emps);
    json_decref(keys);
    if (rc != ERR_OK) {
        json_decref(ids);
        return rc;
    }
    *out = ids;
    return ERR_OK;
}

/* Takes the body of GET /v1/employees/changed: inserted and updated ids go
 * to ids; deletions become tombstones of the employee, its employment and
 * its balances. */
static int take_changes(struct run *st, json_t *j, json_t *ids)
{
    json_t *emps = json_object_get(j, "employees"), *e;
    const char *key;
    int rc = ERR_OK;

    /* An empty map may come as [] (PHP). */
    if (!json_is_object(emps) && !(json_is_array(emps) && json_array_size(emps) == 0))
        rc = err_set(st->ctx->err, ERR_REMOTE,
                     "bamboohr: GET /v1/employees/changed sent no employees map");
    if (rc == ERR_OK && json_object_size(emps) > MAX_EMPLOYEES)
        rc = err_set(st->ctx->err, ERR_TOO_LARGE, "bamboohr: more than %d changed employees",
                     MAX_EMPLOYEES);
    json_object_foreach (emps, key, e) {
        char rid[CONN_REMOTE_ID_MAX];
        const char *action = str_of(e, "action");

        if (rc != ERR_OK)
            break;
        /* The map is keyed by id; the entry repeats it. */
        if (id_string(json_object_get(e, "id"), rid) != 0) {
            if (strlen(key) == 0 || strlen(key) >= sizeof(rid))
                continue;
            snprintf(rid, sizeof(rid), "%s", key);
        }
        if (action && strcasecmp(action, "Deleted") == 0) {
            json_t *t;
            size_t i;

            rc = st->sink->deleted(st->sink->ud, MODEL_EMPLOYEES, rid);
            if (rc == ERR_OK)
                rc = st->sink->deleted(st->sink->ud, MODEL_EMPLOYMENTS, rid);
            json_array_foreach (st->types, i, t) {
                char bid[2 * CONN_REMOTE_ID_MAX + 2];
                snprintf(bid, sizeof(bid), "%s-%s", rid, json_string_value(t));
                if (rc == ERR_OK && strlen(bid) < CONN_REMOTE_ID_MAX)
                    rc = st->sink->deleted(st->sink->ud, MODEL_TIME_OFF_BALANCES, bid);
            }
        } else {
            json_array_append_new(ids, json_string(rid));
        }
    }
    return rc;
}

/* DELTA: the ids changed since ctx->since_ms, tombstones for the deleted. */
static int changed_ids(struct run *st, json_t **out)
{
    char path[128], ts[ISOTIME_LEN];
    json_t *j = NULL, *ids = json_array();
    int rc;

    isotime_format(st->ctx->since_ms, ts);
    snprintf(path, sizeof(path), "/v1/employees/changed?since=%.19sZ", ts);
    rc = call_json(st->ctx, "GET", path, NULL, "GET /v1/employees/changed", &j);
    if (rc == ERR_OK)
        rc = take_changes(st, j, ids);
    json_decref(j);
    if (rc != ERR_OK) {
        json_decref(ids);
        return rc;
    }
    *out = ids;
    return ERR_OK;
}

/* ---- time off -------------------------------------------------------------------- */

/* GET /v1/meta/time_off/types → absence types; remembers their ids. */
static int fetch_absence_types(struct run *st)
{
    json_t *j = NULL, *list, *t;
    size_t i;
    int rc;

    rc = call_json(st->ctx, "GET", "/v1/meta/time_off/types", NULL, "GET /v1/meta/time_off/types",
                   &j);
    list = json_is_array(j) ? j : json_object_get(j, "timeOffTypes");
    if (rc == ERR_OK && !json_is_array(list))
        rc = err_set(st->ctx->err, ERR_REMOTE,
                     "bamboohr: GET /v1/meta/time_off/types sent no timeOffTypes");
    json_array_foreach (list, i, t) {
        char rid[CONN_REMOTE_ID_MAX];
        struct conn_record r;

        if (rc != ERR_OK)
            break;
        if (id_string(json_object_get(t, "id"), rid) != 0) {
            rc = err_set(st->ctx->err, ERR_REMOTE, "bamboohr: a time-off type without an id");
            break;
        }
        json_array_append_new(st->types, json_string(rid));
        memset(&r, 0, sizeof(r));
        r.model = MODEL_ABSENCE_TYPES;
        r.remote_id = rid;
        r.raw = t;
        r.unified =
            json_pack("{s:o, s:o, s:n, s:n}", "name", normalize_string(json_object_get(t, "name")),
                      "unit", map_closed(str_of(t, "units"), unit_map), "half_days_supported",
                      "exact_times_supported");
        rc = emit_fields_of(st, MODEL_ABSENCE_TYPES, t);
        if (rc == ERR_OK)
            rc = st->sink->record(st->sink->ud, &r);
        json_decref(r.unified);
    }
    json_decref(j);
    if (rc == ERR_OK)
        rc = st->sink->page_done(st->sink->ud);
    return rc;
}

static int map_absence(struct run *st, json_t *a)
{
    json_t *status = json_object_get(a, "status"), *amount = json_object_get(a, "amount");
    char rid[CONN_REMOTE_ID_MAX], ref[CONN_REMOTE_ID_MAX];
    struct conn_record r;
    const char *st_value;
    int rc;

    if (id_string(json_object_get(a, "id"), rid) != 0)
        return err_set(st->ctx->err, ERR_REMOTE, "bamboohr: a time-off request without an id");
    st_value = json_is_object(status) ? str_of(status, "status") : json_string_value(status);
    memset(&r, 0, sizeof(r));
    r.model = MODEL_ABSENCES;
    r.remote_id = rid;
    r.raw = a;
    r.unified = json_object();
    json_object_set_new(r.unified, "start_date", normalize_date(json_object_get(a, "start")));
    json_object_set_new(r.unified, "end_date", normalize_date(json_object_get(a, "end")));
    json_object_set_new(r.unified, "amount", normalize_number(json_object_get(amount, "amount")));
    json_object_set_new(r.unified, "unit", map_closed(str_of(amount, "unit"), unit_map));
    json_object_set_new(r.unified, "status", map_enum(st_value, absence_status_map));
    json_object_set_new(r.unified, "employee_note",
                        normalize_string(json_object_get(json_object_get(a, "notes"), "employee")));
    json_object_set_new(r.unified, "remote_created_at",
                        normalize_timestamp(json_object_get(a, "created")));
    json_object_set_new(r.unified, "remote_updated_at",
                        normalize_timestamp(json_object_get(status, "lastChanged")));
    if (id_string(json_object_get(a, "employeeId"), ref) == 0)
        add_link(&r, "employee_id", MODEL_EMPLOYEES, ref);
    if (id_string(json_object_get(json_object_get(a, "type"), "id"), ref) == 0)
        add_link(&r, "type_id", MODEL_ABSENCE_TYPES, ref);
    rc = emit_fields_of(st, MODEL_ABSENCES, a);
    if (rc == ERR_OK)
        rc = st->sink->record(st->sink->ud, &r);
    json_decref(r.unified);
    return rc;
}

/* GET /v1/time_off/requests over every date, for one employee or all. */
static int fetch_absences(struct run *st, const char *employee)
{
    char path[256];
    json_t *j = NULL, *a;
    size_t i;
    int rc;

    snprintf(path, sizeof(path), "/v1/time_off/requests?start=1970-01-01&end=2099-12-31%s%s",
             employee ? "&employeeId=" : "", employee ? employee : "");
    rc = call_json(st->ctx, "GET", path, NULL, "GET /v1/time_off/requests", &j);
    if (rc == ERR_OK && !json_is_array(j))
        rc = err_set(st->ctx->err, ERR_REMOTE, "bamboohr: GET /v1/time_off/requests sent no list");
    if (rc == ERR_OK && json_array_size(j) > MAX_TIME_OFF)
        rc = err_set(st->ctx->err, ERR_TOO_LARGE, "bamboohr: more than %d time-off requests",
                     MAX_TIME_OFF);
    json_array_foreach (j, i, a) {
        if (rc != ERR_OK)
            break;
        rc = map_absence(st, a);
        /* Pages of bounded size for the engine. */
        if (rc == ERR_OK && i % CHUNK_EMPLOYEES == CHUNK_EMPLOYEES - 1)
            rc = st->sink->page_done(st->sink->ud);
    }
    json_decref(j);
    if (rc == ERR_OK)
        rc = st->sink->page_done(st->sink->ud);
    return rc;
}

/* GET /v1/employees/{id}/time_off/calculator → that employee's balances. */
static int fetch_balances(struct run *st, const char *employee)
{
    struct buf path;
    json_t *j = NULL, *b;
    size_t i;
    int rc;

    /* The id comes from the remote: escaped, it stays one path segment. */
    buf_init(&path, 512);
    rc = buf_append_str(&path, "/v1/employees/");
    if (rc == ERR_OK)
        rc = conn_escape(&path, employee);
    if (rc == ERR_OK)
        rc = buf_append_str(&path, "/time_off/calculator");
    if (rc == ERR_OK)
        rc = call_json(st->ctx, "GET", buf_str(&path), NULL,
                       "GET /v1/employees/{id}/time_off/calculator", &j);
    buf_free(&path);
    if (rc == ERR_OK && !json_is_array(j))
        rc = err_set(st->ctx->err, ERR_REMOTE,
                     "bamboohr: GET /v1/employees/{id}/time_off/calculator sent no list");
    json_array_foreach (j, i, b) {
        char type[CONN_REMOTE_ID_MAX], rid[CONN_REMOTE_ID_MAX];
        struct conn_record r;

        if (rc != ERR_OK)
            break;
        if (id_string(json_object_get(b, "timeOffType"), type) != 0)
            continue;
        if (snprintf(rid, sizeof(rid), "%s-%s", employee, type) >= (int)sizeof(rid))
            continue;
        memset(&r, 0, sizeof(r));
        r.model = MODEL_TIME_OFF_BALANCES;
        r.remote_id = rid;
        r.raw = b;
        r.unified = json_pack("{s:o, s:o, s:n, s:n}", "balance",
                              normalize_number(json_object_get(b, "balance")), "balance_unit",
                              map_closed(str_of(b, "units"), unit_map), "used", "used_unit");
        add_link(&r, "employee_id", MODEL_EMPLOYEES, employee);
        add_link(&r, "type_id", MODEL_ABSENCE_TYPES, type);
        rc = emit_fields_of(st, MODEL_TIME_OFF_BALANCES, b);
        if (rc == ERR_OK)
            rc = st->sink->record(st->sink->ud, &r);
        json_decref(r.unified);
    }
    json_decref(j);
    return rc;
}

/* ---- the connector ---------------------------------------------------------- */

static void run_init(struct run *st, struct conn_ctx *ctx, const struct conn_sink *sink)
{
    char now[ISOTIME_LEN];

    memset(st, 0, sizeof(*st));
    st->ctx = ctx;
    st->sink = sink;
    st->catalog = json_object();
    st->keys = json_array();
    st->lists = json_object();
    st->types = json_array();
    json_object_set_new(st->catalog, "id", json_pack("{s:s, s:b}", "label", "ID", "custom", 0));
    isotime_format(isotime_now_ms(), now);
    snprintf(st->today, sizeof(st->today), "%.10s", now);
}

static void run_free(struct run *st)
{
    json_decref(st->catalog);
    json_decref(st->keys);
    json_decref(st->lists);
    json_decref(st->types);
}

static int fetch(struct conn_ctx *ctx, const struct conn_sink *sink)
{
    struct run st;
    json_t *ids = NULL, *v;
    size_t i, n;
    int rc;

    run_init(&st, ctx, sink);
    rc = load_fields(&st);
    if (rc == ERR_OK)
        rc = load_lists(&st);
    if (rc == ERR_OK)
        rc = fetch_absence_types(&st);
    if (rc == ERR_OK)
        rc = ctx->since_ms ? changed_ids(&st, &ids) : all_ids(&st, &ids);
    if (rc == ERR_OK && json_array_size(ids) > MAX_EMPLOYEES)
        rc = err_set(ctx->err, ERR_TOO_LARGE, "bamboohr: more than %d employees", MAX_EMPLOYEES);
    n = json_array_size(ids);
    for (i = 0; rc == ERR_OK && i < n; i += CHUNK_EMPLOYEES) {
        rc = fetch_chunk(&st, ids, i, CHUNK_EMPLOYEES);
        for (size_t k = i; rc == ERR_OK && k < i + CHUNK_EMPLOYEES && k < n; k++)
            rc = fetch_balances(&st, json_string_value(json_array_get(ids, k)));
        if (rc == ERR_OK)
            rc = sink->page_done(sink->ud);
    }
    /* Time off: everyone's in FULL runs; in DELTA runs, the changed
     * employees' when they are few, else everyone's again. */
    if (rc == ERR_OK && ctx->since_ms && n <= DELTA_TIME_OFF) {
        json_array_foreach (ids, i, v) {
            if (rc == ERR_OK)
                rc = fetch_absences(&st, json_string_value(v));
        }
    } else if (rc == ERR_OK) {
        rc = fetch_absences(&st, NULL);
    }
    json_decref(ids);
    run_free(&st);
    return rc;
}

static int auth_header(struct conn_ctx *ctx, char *out, size_t outlen)
{
    int n;

    if (!ctx->token[0] && make_auth(ctx) != ERR_OK)
        return ERR_INVALID;
    n = snprintf(out, outlen, "%s", ctx->token);
    return n < 0 || (size_t)n >= outlen ? ERR_TOO_LARGE : ERR_OK;
}

static const struct conn_api apis[] = {{"v1", "/v1"}, {NULL, NULL}};

const struct connector connector_bamboohr = {
    .tool = "bamboohr",
    .models = (1u << MODEL_EMPLOYEES) | (1u << MODEL_EMPLOYMENTS) | (1u << MODEL_GROUPS) |
              (1u << MODEL_LOCATIONS) | (1u << MODEL_LEGAL_ENTITIES) | (1u << MODEL_ABSENCE_TYPES) |
              (1u << MODEL_ABSENCES) | (1u << MODEL_TIME_OFF_BALANCES),
    .supports_delta = 1,
    .authenticate = authenticate,
    .fetch = fetch,
    .apis = apis,
    .auth_header = auth_header,
};
