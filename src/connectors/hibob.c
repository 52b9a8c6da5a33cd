/*
 * hibob — the HiBob ("Bob") API connector.
 *
 * Auth is HTTP Basic with a service user ("id:token"); there is no session,
 * so authenticate() checks the pair with GET /v1/company/people/fields, the
 * field metadata the run needs anyway. HiBob has no change feed: every run
 * reads everything and the engine finds deletions by absence.
 *
 * Employees come from POST /v1/people/search with showInactive (terminated
 * people too). The search has no pagination; it asks for every field the
 * metadata lists plus the ones this file maps, in searches of at most 400
 * fields (HiBob's cap) merged by root.id. Each value arrives twice, nested
 * and flattened ("/work/title": {"value": …}); the connector reads the
 * flattened form: integration fields are keyed by the field path as the
 * metadata names it ("work.custom.field_1651169416679") and hold the value
 * inside the {"value": …} wrapper exactly as sent. Ids are 19-digit strings
 * and stay strings.
 *
 * List fields hold item ids; GET /v1/company/named-lists turns them into
 * names for the unified fields (job title, department, site). Department
 * items become groups (DEPARTMENT), site items locations. Each employee also
 * yields one employment. Time off: policy types become absence types,
 * GET /v1/timeoff/whosout the (approved) absences, and each employee's
 * balance per policy type a time-off balance.
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
#include <strings.h>

#define SEARCH_MAX_FIELDS 400     /* HiBob refuses more fields in one search */
#define PAGE_EMPLOYEES    250     /* employees handed to the engine per page */
#define MAX_EMPLOYEES     5000000 /* employees one search may return */
#define MAX_META_FIELDS   20000   /* fields the metadata may list */
#define MAX_LIST_ITEMS    200000  /* items over all named lists */
#define MAX_LIST_DEPTH    16      /* nesting of hierarchy-list children */
#define MAX_POLICY_TYPES  1000    /* time-off policy types */
#define MAX_ABSENCES      20000000
#define TIMEOFF_FROM      "1970-01-01"
#define TIMEOFF_TO        "2099-12-31"

/* Fields the mapping reads; always asked for, whether or not the metadata
 * lists them (a service user may see fewer; HiBob then leaves them out). */
static const char *const mapped_paths[] = {"root.id",
                                           "root.firstName",
                                           "root.surname",
                                           "root.email",
                                           "root.displayName",
                                           "root.creationDateTime",
                                           "work.startDate",
                                           "work.title",
                                           "work.department",
                                           "work.site",
                                           "work.reportsTo",
                                           "work.employeeIdInCompany",
                                           "internal.status",
                                           "internal.terminationDate",
                                           "home.legalGender",
                                           "home.privateEmail",
                                           "personal.birthDate",
                                           "payroll.employment.type",
                                           "payroll.employment.weeklyHours",
                                           NULL};

/* The fields that describe the job, which belong to the employment too. */
static const char *const employment_paths[] = {"work.title", "work.startDate",
                                               "payroll.employment.type",
                                               "payroll.employment.weeklyHours", NULL};

/* Named lists that fill unified fields, when the metadata names none. */
#define LIST_TITLE      "title"
#define LIST_DEPARTMENT "department"
#define LIST_SITE       "site"

/* One run's state. */
struct run {
    struct conn_ctx *ctx;
    const struct conn_sink *sink;
    json_t *catalog; /* field path -> {"label": str|null, "custom": bool, "list": str|null} */
    json_t *flat;    /* "/work/title" -> "work.title" */
    json_t *paths;   /* the field paths every search asks for (strings) */
    json_t *lists;   /* list name -> {item id -> item name} */
    json_t *ids;     /* employee ids in the search's order (strings) */
    json_t *types;   /* time-off policy type names (strings) */
    char today[11];  /* "YYYY-MM-DD", UTC */
};

/* ---- HTTP --------------------------------------------------------------- */

/* Writes "Authorization: Basic base64(id:token)" into ctx->token. */
static int make_auth(struct conn_ctx *ctx)
{
    const char *id = jsonx_str(ctx->credentials, "service_user_id");
    const char *token = jsonx_str(ctx->credentials, "service_user_token");
    char pair[700], b64[1000];
    int n, rc = ERR_OK;

    if (!id || !*id || !token || !*token)
        return err_set(ctx->err, ERR_INVALID,
                       "hibob: the credentials lack service_user_id or service_user_token");
    n = snprintf(pair, sizeof(pair), "%s:%s", id, token);
    if (n < 0 || (size_t)n >= sizeof(pair)) {
        rc = err_set(ctx->err, ERR_INVALID, "hibob: the service user id or token is too long");
        goto out;
    }
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)pair, (size_t)n,
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(ctx->token, sizeof(ctx->token), "Authorization: Basic %s", b64);
out:
    sodium_memzero(pair, sizeof(pair));
    sodium_memzero(b64, sizeof(b64));
    return rc;
}

/* HiBob's reason from an error body {"key": …, "error": …} into out ("" when
 * there is none), made printable: it ends up in run errors. */
static void error_text(const struct fetch_resp *r, char *out, size_t outlen)
{
    json_t *j = json_loadb(buf_str(&r->body), r->body.len, 0, NULL);
    const char *msg = jsonx_str(j, "error");

    if (!msg)
        msg = jsonx_str(j, "message");
    snprintf(out, outlen, "%s", msg ? msg : "");
    for (char *c = out; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == '"')
            *c = ' ';
    }
    json_decref(j);
}

/* Sends one request to base_url + path and answers ERR_OK with the response
 * in *out (any status but 401 and 403); the caller frees it. Refused
 * credentials are ERR_UNAUTHORIZED with ctx->auth_failed set: HiBob blocks
 * callers that repeat refused calls, so nothing retries them. */
static int send_req(struct conn_ctx *ctx, const char *method, const char *path, const char *body,
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
        return err_set(ctx->err, rc, "hibob: the URL for %s is too long", what);
    }
    req.url = buf_str(&url);
    rc = fetch_do(ctx->http, &req, out, ctx->err);
    buf_free(&url);
    if (rc != ERR_OK)
        return rc;
    if (out->status != 401 && out->status != 403)
        return ERR_OK;
    status = out->status;
    error_text(out, why, sizeof(why));
    fetch_resp_free(out);
    ctx->auth_failed = 1;
    return err_set(ctx->err, ERR_UNAUTHORIZED,
                   "hibob: the service user credentials were refused by %s (%ld%s%s)", what, status,
                   why[0] ? ": " : "", why);
}

/* send_req() expecting a 200 with a JSON body, parsed into *out (a new
 * reference). Other statuses are ERR_REMOTE with HiBob's reason. */
static int call_json(struct conn_ctx *ctx, const char *method, const char *path, const char *body,
                     const char *what, json_t **out)
{
    struct fetch_resp resp;
    json_error_t je;
    char why[256];
    json_t *j;
    int rc = send_req(ctx, method, path, body, what, &resp);

    if (rc != ERR_OK)
        return rc;
    if (resp.status != 200) {
        long status = resp.status;
        error_text(&resp, why, sizeof(why));
        fetch_resp_free(&resp);
        return err_set(ctx->err, ERR_REMOTE, "hibob: %s answered %ld%s%s", what, status,
                       why[0] ? ": " : "", why);
    }
    j = jsonarena_loadb(buf_str(&resp.body), resp.body.len, 0, &je);
    fetch_resp_free(&resp);
    if (!j)
        return err_set(ctx->err, ERR_REMOTE, "hibob: %s sent invalid JSON (line %d: %s)", what,
                       je.line, je.text);
    *out = j;
    return ERR_OK;
}

static int authenticate(struct conn_ctx *ctx)
{
    json_t *j = NULL;
    int rc = make_auth(ctx);

    if (rc == ERR_OK)
        rc = call_json(ctx, "GET", "/v1/company/people/fields", NULL,
                       "GET /v1/company/people/fields", &j);
    if (rc == ERR_OK && !json_is_array(j))
        rc = err_set(ctx->err, ERR_REMOTE, "hibob: GET /v1/company/people/fields sent no list");
    json_decref(j);
    return rc;
}

/* ---- values --------------------------------------------------------------- */

/* A remote id as a string into out. HiBob's are strings; an integer is taken
 * as written (jansson keeps 64-bit integers exact); a real could have lost
 * digits, so it is refused. Returns 0, or -1. */
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
            return json_string(map[i][1]);
    }
    return json_string(v);
}

static const char *const gender_map[][2] = {{"Male", "MALE"},
                                            {"Female", "FEMALE"},
                                            {"Other", "NON_BINARY"},
                                            {"Non-binary", "NON_BINARY"},
                                            {"Nonbinary", "NON_BINARY"},
                                            {NULL, NULL}};
static const char *const type_map[][2] = {{"Full-time", "FULL_TIME"},
                                          {"Full time", "FULL_TIME"},
                                          {"Part-time", "PART_TIME"},
                                          {"Part time", "PART_TIME"},
                                          {"Contractor", "CONTRACT"},
                                          {"Contract", "CONTRACT"},
                                          {"Intern", "INTERNSHIP"},
                                          {"Internship", "INTERNSHIP"},
                                          {"Freelance", "FREELANCE"},
                                          {"Freelancer", "FREELANCE"},
                                          {NULL, NULL}};
static const char *const unit_map[][2] = {{"days", "DAYS"}, {"hours", "HOURS"}, {NULL, NULL}};

/* A field the vendor's customer created: custom fields inside built-in
 * categories ("work.custom.field_…", "work.customColumns.column_…") and
 * every field of a custom category ("category_…"). */
static int is_custom_path(const char *path)
{
    if (strncmp(path, "category_", 9) == 0)
        return 1;
    return strstr(path, ".custom.") != NULL || strstr(path, ".customColumns.") != NULL;
}

/* A value as an employee number: strings as they are, integers in decimal. */
static json_t *number_string(const json_t *v)
{
    char s[32];

    if (json_is_integer(v)) {
        snprintf(s, sizeof(s), "%lld", (long long)json_integer_value(v));
        return json_string(s);
    }
    return normalize_string(v);
}

/* ---- fields --------------------------------------------------------------- */

static void add_path(struct run *st, json_t *seen, const char *path)
{
    if (!path || !*path || json_object_get(seen, path))
        return;
    json_object_set_new(seen, path, json_true());
    json_array_append_new(st->paths, json_string(path));
}

/* Remembers path in the catalog, keyed also by its flattened form. */
static void catalog_add(struct run *st, const char *path, const char *label, const char *list)
{
    struct buf flat;

    json_object_set_new(
        st->catalog, path,
        json_pack("{s:o, s:b, s:o}", "label", label ? json_string(label) : json_null(), "custom",
                  is_custom_path(path), "list", list ? json_string(list) : json_null()));
    buf_init(&flat, 0);
    if (buf_append_char(&flat, '/') == ERR_OK) {
        for (const char *c = path; *c; c++)
            buf_append_char(&flat, *c == '.' ? '/' : *c);
        json_object_set_new(st->flat, buf_str(&flat), json_string(path));
    }
    buf_free(&flat);
}

static int emit_field(const struct run *st, enum model model, const char *key)
{
    json_t *c = json_object_get(st->catalog, key);
    struct conn_field f = {model, key, jsonx_str(c, "label"),
                           c ? json_is_true(json_object_get(c, "custom")) : is_custom_path(key)};

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

/* Takes the body of GET /v1/company/people/fields: the catalog (labels,
 * custom or not, list names), the search's field paths, and every field
 * reported to the sink. */
static int take_fields(struct run *st, const json_t *j)
{
    json_t *item, *seen = json_object();
    size_t i;
    int rc = ERR_OK;

    if (!json_is_array(j))
        rc = err_set(st->ctx->err, ERR_REMOTE, "hibob: GET /v1/company/people/fields sent no list");
    else if (json_array_size(j) > MAX_META_FIELDS)
        rc = err_set(st->ctx->err, ERR_TOO_LARGE, "hibob: more than %d fields in the metadata",
                     MAX_META_FIELDS);
    /* root.id first: every search needs it to merge by. */
    for (const char *const *p = mapped_paths; rc == ERR_OK && *p; p++)
        add_path(st, seen, *p);
    json_array_foreach ((json_t *)j, i, item) {
        const char *path = str_of(item, "id");
        const char *list = str_of(json_object_get(item, "typeData"), "listId");
        struct conn_field f;

        if (rc != ERR_OK)
            break;
        if (!path)
            path = str_of(item, "jsonPath");
        if (!path || strlen(path) >= CONN_REMOTE_ID_MAX)
            continue; /* nothing to ask for it by */
        if (*path == '/')
            continue; /* metadata ids are dot paths; anything else is not one */
        catalog_add(st, path, str_of(item, "name"), list);
        add_path(st, seen, path);
        f.model = MODEL_EMPLOYEES;
        f.key = path;
        f.label = str_of(item, "name");
        f.custom = is_custom_path(path);
        rc = st->sink->field(st->sink->ud, &f);
    }
    json_decref(seen);
    return rc;
}

static int load_fields(struct run *st)
{
    json_t *j = NULL;
    int rc = call_json(st->ctx, "GET", "/v1/company/people/fields", NULL,
                       "GET /v1/company/people/fields", &j);

    if (rc == ERR_OK)
        rc = take_fields(st, j);
    json_decref(j);
    return rc;
}

/* ---- named lists, groups, locations ------------------------------------------ */

/* The named list a list field's values come from: the metadata's listId, or
 * the default for the fields this file maps. Borrowed. */
static const char *list_of(const struct run *st, const char *path, const char *dflt)
{
    const char *list = jsonx_str(json_object_get(st->catalog, path), "list");

    return list ? list : dflt;
}

/* The name of item id in list, or NULL. Borrowed. */
static const char *item_name(const struct run *st, const char *list, const char *id)
{
    return id ? jsonx_str(json_object_get(st->lists, list), id) : NULL;
}

/* Adds the items (and their children) to names: item id -> name. */
static int take_items(struct run *st, const json_t *items, json_t *names, int depth, size_t *total)
{
    json_t *it;
    size_t i;
    int rc = ERR_OK;

    if (depth > MAX_LIST_DEPTH)
        return err_set(st->ctx->err, ERR_TOO_LARGE,
                       "hibob: a named list nests deeper than %d levels", MAX_LIST_DEPTH);
    json_array_foreach ((json_t *)items, i, it) {
        char id[CONN_REMOTE_ID_MAX];
        const char *name = str_of(it, "name");

        if (rc != ERR_OK)
            break;
        if (++*total > MAX_LIST_ITEMS)
            return err_set(st->ctx->err, ERR_TOO_LARGE,
                           "hibob: more than %d items in the named lists", MAX_LIST_ITEMS);
        if (!name)
            name = str_of(it, "value");
        if (name && id_string(json_object_get(it, "id"), id) == 0)
            json_object_set_new(names, id, json_string(name));
        rc = take_items(st, json_object_get(it, "children"), names, depth + 1, total);
    }
    return rc;
}

/* Emits the group or location of every item of list that is not archived. */
static int emit_list_records(struct run *st, const json_t *items, enum model model, int depth)
{
    json_t *it;
    size_t i;
    int rc = ERR_OK;

    json_array_foreach ((json_t *)items, i, it) {
        const char *name = str_of(it, "name");
        char rid[CONN_REMOTE_ID_MAX];
        struct conn_record r;
        json_t *raw;

        if (rc != ERR_OK || depth > MAX_LIST_DEPTH)
            break;
        if (!name)
            name = str_of(it, "value");
        if (!json_is_true(json_object_get(it, "archived")) && name &&
            id_string(json_object_get(it, "id"), rid) == 0) {
            raw = json_deep_copy(it);
            json_object_del(raw, "children");
            memset(&r, 0, sizeof(r));
            r.model = model;
            r.remote_id = rid;
            r.raw = raw;
            r.unified = json_pack("{s:s, s:s}", "name", name, "type",
                                  model == MODEL_GROUPS ? "DEPARTMENT" : "OFFICE");
            rc = emit_fields_of(st, model, raw);
            if (rc == ERR_OK)
                rc = st->sink->record(st->sink->ud, &r);
            json_decref(r.unified);
            json_decref(raw);
        }
        if (rc == ERR_OK)
            rc = emit_list_records(st, json_object_get(it, "children"), model, depth + 1);
    }
    return rc;
}

/* Takes the body of GET /v1/company/named-lists (an array, or an object of
 * lists by name): every list's item names, and the department and site items
 * as groups and locations. */
static int take_lists(struct run *st, const json_t *j)
{
    const char *dept = list_of(st, "work.department", LIST_DEPARTMENT);
    const char *site = list_of(st, "work.site", LIST_SITE);
    json_t *list, *all = NULL;
    size_t i, total = 0;
    int rc = ERR_OK;

    if (json_is_object(j)) {
        const char *key;
        all = json_array();
        json_object_foreach ((json_t *)j, key, list) {
            if (json_is_object(list))
                json_array_append(all, list);
        }
        j = all;
    }
    if (!json_is_array(j))
        rc = err_set(st->ctx->err, ERR_REMOTE, "hibob: GET /v1/company/named-lists sent no list");
    json_array_foreach ((json_t *)j, i, list) {
        const char *name = str_of(list, "name");
        json_t *items = json_object_get(list, "values"), *names;

        if (rc != ERR_OK)
            break;
        if (!name || !json_is_array(items))
            continue;
        names = json_object();
        rc = take_items(st, items, names, 0, &total);
        json_object_set_new(st->lists, name, names);
        if (rc == ERR_OK && strcmp(name, dept) == 0)
            rc = emit_list_records(st, items, MODEL_GROUPS, 0);
        else if (rc == ERR_OK && strcmp(name, site) == 0)
            rc = emit_list_records(st, items, MODEL_LOCATIONS, 0);
    }
    json_decref(all);
    return rc;
}

static int load_lists(struct run *st)
{
    json_t *j = NULL;
    int rc = call_json(st->ctx, "GET", "/v1/company/named-lists", NULL,
                       "GET /v1/company/named-lists", &j);

    if (rc == ERR_OK)
        rc = take_lists(st, j);
    json_decref(j);
    if (rc == ERR_OK)
        rc = st->sink->page_done(st->sink->ud);
    return rc;
}

/* ---- employees ------------------------------------------------------------------ */

static void add_link(struct conn_record *r, const char *attr, enum model target, const char *rid)
{
    if (r->nlinks < CONN_MAX_LINKS && rid && *rid && strlen(rid) < CONN_REMOTE_ID_MAX) {
        r->links[r->nlinks].attr = attr;
        r->links[r->nlinks].target = target;
        snprintf(r->links[r->nlinks].remote_id, CONN_REMOTE_ID_MAX, "%s", rid);
        r->nlinks++;
    }
}

/* The nested form of path in emp ("root.*" at the top level, others in
 * category objects), or NULL. Borrowed. */
static json_t *nested_get(const json_t *emp, const char *path)
{
    const json_t *v = emp;
    char seg[CONN_REMOTE_ID_MAX];

    if (strncmp(path, "root.", 5) == 0)
        return strchr(path + 5, '.') ? NULL : json_object_get(emp, path + 5);
    while (v && *path) {
        size_t n = strcspn(path, ".");

        if (n >= sizeof(seg) || !json_is_object(v))
            return NULL;
        memcpy(seg, path, n);
        seg[n] = '\0';
        v = json_object_get(v, seg);
        path += n;
        if (*path == '.')
            path++;
    }
    return (json_t *)v;
}

/* The raw record of one search result: every flattened "/cat/field" key
 * under the field path the metadata names it by, the value taken out of its
 * {"value": …} wrapper exactly as sent. Fields asked for that only came
 * nested are taken from there. Returns a new object. */
static json_t *build_raw(const struct run *st, const json_t *emp)
{
    json_t *raw = json_object(), *w, *p;
    const char *key;
    size_t i;

    json_object_foreach ((json_t *)emp, key, w) {
        const char *path;
        json_t *v = w;
        struct buf b;

        if (key[0] != '/' || !key[1])
            continue;
        if (json_is_object(w) && json_object_get(w, "value"))
            v = json_object_get(w, "value");
        path = jsonx_str(st->flat, key);
        if (path) {
            json_object_set(raw, path, v);
            continue;
        }
        /* Not in the metadata: the dot path by HiBob's own rule. */
        buf_init(&b, 0);
        for (const char *c = key + 1; *c; c++)
            buf_append_char(&b, *c == '/' ? '.' : *c);
        json_object_set(raw, buf_str(&b), v);
        buf_free(&b);
    }
    json_array_foreach (st->paths, i, p) {
        const char *path = json_string_value(p);
        json_t *v;

        if (json_object_get(raw, path))
            continue;
        v = nested_get(emp, path);
        if (v)
            json_object_set(raw, path, v);
    }
    return raw;
}

static json_t *display_name(const json_t *raw)
{
    const char *d = str_of(raw, "root.displayName"), *first = str_of(raw, "root.firstName");
    const char *last = str_of(raw, "root.surname");
    char name[512];

    if (d)
        return json_string(d);
    if (!first && !last)
        return json_null();
    snprintf(name, sizeof(name), "%s%s%s", first ? first : "", first && last ? " " : "",
             last ? last : "");
    return json_string(name);
}

/* The name of the list item a list field holds, or null when it holds none
 * or the list does not know the item (the raw id stays in the raw record). */
static json_t *list_value(const struct run *st, const json_t *raw, const char *path,
                          const char *dflt)
{
    const json_t *v = json_object_get(raw, path);
    char id[CONN_REMOTE_ID_MAX];
    const char *name;

    if (id_string(v, id) != 0)
        return json_null();
    name = item_name(st, list_of(st, path, dflt), id);
    return name ? json_string(name) : json_null();
}

/* Emits the employment of an employee: its job fields. */
static int emit_employment(const struct run *st, const char *rid, const json_t *raw)
{
    json_t *jraw = json_object(), *v;
    struct conn_record r;
    int rc;

    for (const char *const *p = employment_paths; *p; p++) {
        v = json_object_get(raw, *p);
        if (v)
            json_object_set(jraw, *p, v);
    }
    memset(&r, 0, sizeof(r));
    r.model = MODEL_EMPLOYMENTS;
    r.remote_id = rid;
    r.raw = jraw;
    r.unified = json_object();
    json_object_set_new(r.unified, "job_title", list_value(st, raw, "work.title", LIST_TITLE));
    json_object_set_new(r.unified, "employment_type",
                        map_enum(str_of(raw, "payroll.employment.type"), type_map));
    json_object_set_new(r.unified, "effective_date",
                        normalize_date(json_object_get(raw, "work.startDate")));
    add_link(&r, "employee_id", MODEL_EMPLOYEES, rid);
    rc = emit_fields_of(st, MODEL_EMPLOYMENTS, jraw);
    if (rc == ERR_OK)
        rc = st->sink->record(st->sink->ud, &r);
    json_decref(r.unified);
    json_decref(jraw);
    return rc;
}

/* Maps one search result and emits the employee and its employment. */
static int map_employee(struct run *st, const json_t *emp)
{
    json_t *raw = NULL, *u = json_object(), *start;
    struct conn_record r;
    char rid[CONN_REMOTE_ID_MAX], ref[CONN_REMOTE_ID_MAX];
    const char *status, *hire, *key;
    json_t *v;
    int rc = ERR_OK;

    if (!json_is_object(emp)) {
        rc = err_set(st->ctx->err, ERR_REMOTE, "hibob: a search result that is not an object");
        goto out;
    }
    raw = build_raw(st, emp);
    if (id_string(json_object_get(raw, "root.id"), rid) != 0 &&
        id_string(json_object_get(emp, "id"), rid) != 0) {
        rc = err_set(st->ctx->err, ERR_REMOTE, "hibob: a search result without a usable root.id");
        goto out;
    }
    /* Keys no metadata listed still become fields (without a label). */
    json_object_foreach (raw, key, v) {
        if (rc == ERR_OK && !json_object_get(st->catalog, key))
            rc = emit_field(st, MODEL_EMPLOYEES, key);
    }
    if (rc != ERR_OK)
        goto out;

    json_object_set_new(u, "employee_number",
                        number_string(json_object_get(raw, "work.employeeIdInCompany")));
    json_object_set_new(u, "first_name", normalize_string(json_object_get(raw, "root.firstName")));
    json_object_set_new(u, "last_name", normalize_string(json_object_get(raw, "root.surname")));
    json_object_set_new(u, "display_full_name", display_name(raw));
    json_object_set_new(u, "job_title", list_value(st, raw, "work.title", LIST_TITLE));
    json_object_set_new(u, "work_email", normalize_string(json_object_get(raw, "root.email")));
    json_object_set_new(u, "personal_email",
                        normalize_string(json_object_get(raw, "home.privateEmail")));
    json_object_set_new(u, "gender", map_enum(str_of(raw, "home.legalGender"), gender_map));
    json_object_set_new(u, "employment_type",
                        map_enum(str_of(raw, "payroll.employment.type"), type_map));
    json_object_set_new(u, "weekly_hours",
                        normalize_number(json_object_get(raw, "payroll.employment.weeklyHours")));
    /* personal.shortBirthDate has no year: only a full date counts. */
    json_object_set_new(u, "date_of_birth",
                        normalize_date(json_object_get(raw, "personal.birthDate")));
    start = normalize_date(json_object_get(raw, "work.startDate"));
    json_object_set_new(u, "start_date", start);
    json_object_set_new(u, "termination_date",
                        normalize_date(json_object_get(raw, "internal.terminationDate")));
    json_object_set_new(u, "remote_created_at",
                        normalize_timestamp(json_object_get(raw, "root.creationDateTime")));
    status = str_of(raw, "internal.status");
    hire = json_string_value(start);
    if (status && strcasecmp(status, "Active") == 0)
        json_object_set_new(
            u, "employment_status",
            json_string(hire && strncmp(hire, st->today, 10) > 0 ? "PENDING" : "ACTIVE"));
    else if (status && strcasecmp(status, "Inactive") == 0)
        json_object_set_new(u, "employment_status", json_string("INACTIVE"));
    else
        json_object_set_new(u, "employment_status",
                            normalize_string(json_object_get(raw, "internal.status")));

    rc = emit_employment(st, rid, raw);
    if (rc != ERR_OK)
        goto out;
    memset(&r, 0, sizeof(r));
    r.model = MODEL_EMPLOYEES;
    r.remote_id = rid;
    r.raw = raw;
    r.unified = u;
    v = json_object_get(raw, "work.reportsTo");
    if (json_is_object(v) && id_string(json_object_get(v, "id"), ref) == 0)
        add_link(&r, "manager_id", MODEL_EMPLOYEES, ref);
    else if (id_string(v, ref) == 0) /* an employee-reference field holds the id itself */
        add_link(&r, "manager_id", MODEL_EMPLOYEES, ref);
    if (id_string(json_object_get(raw, "work.site"), ref) == 0)
        add_link(&r, "work_location_id", MODEL_LOCATIONS, ref);
    if (id_string(json_object_get(raw, "work.department"), ref) == 0)
        add_link(&r, "group_id", MODEL_GROUPS, ref);
    json_array_append_new(st->ids, json_string(rid));
    rc = st->sink->record(st->sink->ud, &r);
out:
    json_decref(raw);
    json_decref(u);
    return rc;
}

/* POSTs one search for the fields paths[from, from+n) (and root.id); *out:
 * the "employees" array (a new reference). */
static int search(struct run *st, size_t from, size_t n, json_t **out)
{
    json_t *body = json_object(), *fields = json_array(), *j = NULL, *emps;
    char *text;
    int rc;

    json_array_append_new(fields, json_string("root.id"));
    for (size_t i = from; i < from + n && i < json_array_size(st->paths); i++) {
        json_t *p = json_array_get(st->paths, i);
        if (strcmp(json_string_value(p), "root.id") != 0)
            json_array_append(fields, p);
    }
    json_object_set_new(body, "fields", fields);
    json_object_set_new(body, "showInactive", json_true());
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    rc = call_json(st->ctx, "POST", "/v1/people/search", text, "POST /v1/people/search", &j);
    free(text);
    if (rc != ERR_OK)
        return rc;
    emps = json_object_get(j, "employees");
    if (!json_is_array(emps))
        rc = err_set(st->ctx->err, ERR_REMOTE,
                     "hibob: POST /v1/people/search sent no employees list");
    else if (json_array_size(emps) > MAX_EMPLOYEES)
        rc = err_set(st->ctx->err, ERR_TOO_LARGE, "hibob: more than %d employees", MAX_EMPLOYEES);
    if (rc == ERR_OK)
        *out = json_incref(emps);
    json_decref(j);
    return rc;
}

/* The id a search result is merged by: root.id, flattened or nested. */
static int result_id(const json_t *emp, char out[CONN_REMOTE_ID_MAX])
{
    if (id_string(json_object_get(json_object_get(emp, "/root/id"), "value"), out) == 0)
        return 0;
    return id_string(json_object_get(emp, "id"), out);
}

/* Every employee with every field: one search per SEARCH_MAX_FIELDS - 1
 * fields (each also asks for root.id), later searches merged into the first
 * by id; then the employees are mapped in pages. */
static int fetch_people(struct run *st)
{
    size_t per = SEARCH_MAX_FIELDS - 1, npaths = json_array_size(st->paths), i;
    json_t *first = NULL, *byid = NULL, *emps, *e;
    int rc;

    rc = search(st, 0, per, &first);
    if (rc == ERR_OK && npaths > per) {
        byid = json_object();
        json_array_foreach (first, i, e) {
            char rid[CONN_REMOTE_ID_MAX];
            if (json_is_object(e) && result_id(e, rid) == 0)
                json_object_set(byid, rid, e);
        }
    }
    for (size_t from = per; rc == ERR_OK && from < npaths; from += per) {
        emps = NULL;
        rc = search(st, from, per, &emps);
        json_array_foreach (emps, i, e) {
            char rid[CONN_REMOTE_ID_MAX];
            json_t *into;

            if (rc != ERR_OK)
                break;
            if (!json_is_object(e) || result_id(e, rid) != 0) {
                rc = err_set(st->ctx->err, ERR_REMOTE,
                             "hibob: a search result without a usable root.id");
                break;
            }
            into = json_object_get(byid, rid);
            /* Someone who joined between the searches comes in the next run. */
            if (into)
                json_object_update_recursive(into, e);
        }
        json_decref(emps);
    }
    json_array_foreach (first, i, e) {
        if (rc != ERR_OK)
            break;
        rc = map_employee(st, e);
        if (rc == ERR_OK && i % PAGE_EMPLOYEES == PAGE_EMPLOYEES - 1)
            rc = st->sink->page_done(st->sink->ud);
    }
    json_decref(byid);
    json_decref(first);
    if (rc == ERR_OK)
        rc = st->sink->page_done(st->sink->ud);
    return rc;
}

/* ---- time off -------------------------------------------------------------------- */

/* GET /v1/timeoff/policy-types → absence types, identified by name. */
static int fetch_absence_types(struct run *st)
{
    json_t *j = NULL, *list, *t;
    size_t i;
    int rc;

    rc = call_json(st->ctx, "GET", "/v1/timeoff/policy-types", NULL, "GET /v1/timeoff/policy-types",
                   &j);
    list = json_is_array(j) ? j : json_object_get(j, "policyTypes");
    if (rc == ERR_OK && !json_is_array(list))
        rc = err_set(st->ctx->err, ERR_REMOTE,
                     "hibob: GET /v1/timeoff/policy-types sent no policyTypes");
    if (rc == ERR_OK && json_array_size(list) > MAX_POLICY_TYPES)
        rc = err_set(st->ctx->err, ERR_TOO_LARGE, "hibob: more than %d time-off policy types",
                     MAX_POLICY_TYPES);
    json_array_foreach (list, i, t) {
        const char *name = json_is_string(t) ? json_string_value(t) : str_of(t, "name");
        struct conn_record r;
        json_t *raw;

        if (rc != ERR_OK)
            break;
        if (!name || !*name || strlen(name) >= CONN_REMOTE_ID_MAX)
            continue;
        json_array_append_new(st->types, json_string(name));
        raw = json_pack("{s:s}", "name", name);
        memset(&r, 0, sizeof(r));
        r.model = MODEL_ABSENCE_TYPES;
        r.remote_id = name;
        r.raw = raw;
        r.unified = json_pack("{s:s, s:n, s:n, s:n}", "name", name, "unit", "half_days_supported",
                              "exact_times_supported");
        rc = emit_fields_of(st, MODEL_ABSENCE_TYPES, raw);
        if (rc == ERR_OK)
            rc = st->sink->record(st->sink->ud, &r);
        json_decref(r.unified);
        json_decref(raw);
    }
    json_decref(j);
    if (rc == ERR_OK)
        rc = st->sink->page_done(st->sink->ud);
    return rc;
}

/* A half-day portion: "all_day" is false, "morning"/"afternoon" true. */
static json_t *half_day(const char *portion)
{
    if (!portion)
        return json_null();
    return json_boolean(strcmp(portion, "all_day") != 0);
}

static int map_absence(struct run *st, const json_t *a)
{
    char rid[CONN_REMOTE_ID_MAX], ref[CONN_REMOTE_ID_MAX];
    struct conn_record r;
    const char *type;
    int rc;

    if (id_string(json_object_get(a, "requestId"), rid) != 0)
        return err_set(st->ctx->err, ERR_REMOTE, "hibob: a time-off entry without a requestId");
    memset(&r, 0, sizeof(r));
    r.model = MODEL_ABSENCES;
    r.remote_id = rid;
    r.raw = (json_t *)a;
    r.unified = json_object();
    json_object_set_new(r.unified, "start_date", normalize_date(json_object_get(a, "startDate")));
    json_object_set_new(r.unified, "end_date", normalize_date(json_object_get(a, "endDate")));
    json_object_set_new(r.unified, "start_half_day", half_day(str_of(a, "startDatePortion")));
    json_object_set_new(r.unified, "end_half_day", half_day(str_of(a, "endDatePortion")));
    json_object_set_new(r.unified, "unit", map_enum(str_of(a, "type"), unit_map));
    /* Who's out lists approved time off only. */
    json_object_set_new(r.unified, "status", json_string("APPROVED"));
    if (id_string(json_object_get(a, "employeeId"), ref) == 0)
        add_link(&r, "employee_id", MODEL_EMPLOYEES, ref);
    type = str_of(a, "policyType");
    if (!type)
        type = str_of(a, "policyTypeDisplayName");
    add_link(&r, "type_id", MODEL_ABSENCE_TYPES, type);
    rc = emit_fields_of(st, MODEL_ABSENCES, a);
    if (rc == ERR_OK)
        rc = st->sink->record(st->sink->ud, &r);
    json_decref(r.unified);
    return rc;
}

/* GET /v1/timeoff/whosout over every date. */
static int fetch_absences(struct run *st)
{
    json_t *j = NULL, *outs, *a;
    size_t i;
    int rc;

    rc = call_json(st->ctx, "GET", "/v1/timeoff/whosout?from=" TIMEOFF_FROM "&to=" TIMEOFF_TO, NULL,
                   "GET /v1/timeoff/whosout", &j);
    outs = json_object_get(j, "outs");
    if (rc == ERR_OK && !json_is_array(outs))
        rc = err_set(st->ctx->err, ERR_REMOTE, "hibob: GET /v1/timeoff/whosout sent no outs");
    if (rc == ERR_OK && json_array_size(outs) > MAX_ABSENCES)
        rc = err_set(st->ctx->err, ERR_TOO_LARGE, "hibob: more than %d time-off entries",
                     MAX_ABSENCES);
    json_array_foreach (outs, i, a) {
        if (rc != ERR_OK)
            break;
        rc = map_absence(st, a);
        if (rc == ERR_OK && i % PAGE_EMPLOYEES == PAGE_EMPLOYEES - 1)
            rc = st->sink->page_done(st->sink->ud);
    }
    json_decref(j);
    if (rc == ERR_OK)
        rc = st->sink->page_done(st->sink->ud);
    return rc;
}

/* GET /v1/timeoff/employees/{id}/balance?policyType= for each policy type.
 * A type the employee has no policy of (400, 404) has no balance. */
static int fetch_balances(struct run *st, const char *employee)
{
    json_t *t;
    size_t i;
    int rc = ERR_OK;

    json_array_foreach (st->types, i, t) {
        const char *type = json_string_value(t);
        char rid[CONN_REMOTE_ID_MAX], why[256];
        struct fetch_resp resp;
        struct conn_record r;
        struct buf path, q;
        json_t *j;

        if (rc != ERR_OK)
            break;
        buf_init(&path, 4096);
        buf_init(&q, 1024);
        for (const char *c = type; *c && rc == ERR_OK; c++) {
            unsigned char ch = (unsigned char)*c;
            if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                ch == '-' || ch == '_' || ch == '.' || ch == '~')
                rc = buf_append_char(&q, (char)ch);
            else
                rc = buf_printf(&q, "%%%02X", ch);
        }
        if (rc == ERR_OK)
            rc = buf_printf(&path, "/v1/timeoff/employees/%s/balance?policyType=%s", employee,
                            buf_str(&q));
        buf_free(&q);
        if (rc == ERR_OK)
            rc = send_req(st->ctx, "GET", buf_str(&path), NULL,
                          "GET /v1/timeoff/employees/{id}/balance", &resp);
        buf_free(&path);
        if (rc != ERR_OK)
            break;
        if (resp.status == 400 || resp.status == 404) {
            fetch_resp_free(&resp);
            continue;
        }
        if (resp.status != 200) {
            long status = resp.status;
            error_text(&resp, why, sizeof(why));
            fetch_resp_free(&resp);
            rc = err_set(st->ctx->err, ERR_REMOTE,
                         "hibob: GET /v1/timeoff/employees/{id}/balance answered %ld%s%s", status,
                         why[0] ? ": " : "", why);
            break;
        }
        j = jsonarena_loadb(buf_str(&resp.body), resp.body.len, 0, NULL);
        fetch_resp_free(&resp);
        if (!json_is_object(j)) {
            json_decref(j);
            rc = err_set(st->ctx->err, ERR_REMOTE,
                         "hibob: GET /v1/timeoff/employees/{id}/balance sent no balance object");
            break;
        }
        if (snprintf(rid, sizeof(rid), "%s-%s", employee, type) >= (int)sizeof(rid)) {
            json_decref(j);
            continue;
        }
        memset(&r, 0, sizeof(r));
        r.model = MODEL_TIME_OFF_BALANCES;
        r.remote_id = rid;
        r.raw = j;
        r.unified = json_pack("{s:o, s:o, s:n, s:n}", "balance",
                              normalize_number(json_object_get(j, "balance")), "balance_unit",
                              map_enum(str_of(j, "type"), unit_map), "used", "used_unit");
        add_link(&r, "employee_id", MODEL_EMPLOYEES, employee);
        add_link(&r, "type_id", MODEL_ABSENCE_TYPES, type);
        rc = emit_fields_of(st, MODEL_TIME_OFF_BALANCES, j);
        if (rc == ERR_OK)
            rc = st->sink->record(st->sink->ud, &r);
        json_decref(r.unified);
        json_decref(j);
    }
    return rc;
}

static int fetch_all_balances(struct run *st)
{
    json_t *id;
    size_t i;
    int rc = ERR_OK;

    json_array_foreach (st->ids, i, id) {
        if (rc != ERR_OK)
            break;
        rc = fetch_balances(st, json_string_value(id));
        if (rc == ERR_OK && i % PAGE_EMPLOYEES == PAGE_EMPLOYEES - 1)
            rc = st->sink->page_done(st->sink->ud);
    }
    if (rc == ERR_OK)
        rc = st->sink->page_done(st->sink->ud);
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
    st->flat = json_object();
    st->paths = json_array();
    st->lists = json_object();
    st->ids = json_array();
    st->types = json_array();
    isotime_format(isotime_now_ms(), now);
    snprintf(st->today, sizeof(st->today), "%.10s", now);
}

static void run_free(struct run *st)
{
    json_decref(st->catalog);
    json_decref(st->flat);
    json_decref(st->paths);
    json_decref(st->lists);
    json_decref(st->ids);
    json_decref(st->types);
}

static int fetch(struct conn_ctx *ctx, const struct conn_sink *sink)
{
    struct run st;
    int rc;

    run_init(&st, ctx, sink);
    rc = load_fields(&st);
    if (rc == ERR_OK)
        rc = load_lists(&st);
    if (rc == ERR_OK)
        rc = fetch_people(&st);
    if (rc == ERR_OK)
        rc = fetch_absence_types(&st);
    if (rc == ERR_OK)
        rc = fetch_absences(&st);
    if (rc == ERR_OK)
        rc = fetch_all_balances(&st);
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

const struct connector connector_hibob = {
    .tool = "hibob",
    .models = (1u << MODEL_EMPLOYEES) | (1u << MODEL_EMPLOYMENTS) | (1u << MODEL_GROUPS) |
              (1u << MODEL_LOCATIONS) | (1u << MODEL_ABSENCE_TYPES) | (1u << MODEL_ABSENCES) |
              (1u << MODEL_TIME_OFF_BALANCES),
    .supports_delta = 0,
    .authenticate = authenticate,
    .fetch = fetch,
    .apis = apis,
    .auth_header = auth_header,
};
