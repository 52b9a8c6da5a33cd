/* hris — GET /v1/hris/employees and the rendering of stored records. */
#include "api/hris.h"

#include "api/app.h"
#include "api/paging.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/isotime.h"
#include "core/jsonx.h"
#include "model/models.h"
#include "model/scope.h"
#include "model/tools.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOCS_BATCH 250 /* employees rendered per stored batch */

/* ---- query parameters -------------------------------------------------- */

/* Splits a comma list into *out (values point into a copy kept in *store). */
static int split_list(const char *name, const char *v, int max, char **store, const char ***out,
                      int *n, struct err *e)
{
    char *copy, *p, *save = NULL;
    const char **vals;
    int count = 0;

    *store = copy = xstrdup(v);
    vals = xcalloc((size_t)max + 1, sizeof(*vals));
    for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        while (*p == ' ')
            p++;
        for (char *q = p + strlen(p); q > p && q[-1] == ' '; q--)
            q[-1] = '\0';
        if (!*p)
            continue;
        if (count >= max) {
            free(vals);
            return err_set(e, ERR_INVALID, "%s: more than %d values", name, max);
        }
        vals[count++] = p;
    }
    if (count == 0) {
        free(vals);
        return err_set(e, ERR_INVALID, "%s: expected a comma-separated list", name);
    }
    *out = vals;
    *n = count;
    return ERR_OK;
}

static int parse_bool(const struct req *rq, const char *name, int *out, struct err *e)
{
    const char *v = req_query_get(rq, name);

    *out = 0;
    if (!v)
        return ERR_OK;
    if (strcmp(v, "true") == 0)
        *out = 1;
    else if (strcmp(v, "false") != 0)
        return err_set(e, ERR_INVALID, "%s: expected \"true\" or \"false\"", name);
    return ERR_OK;
}

static int valid_status(const char *s)
{
    return !strcmp(s, "ACTIVE") || !strcmp(s, "PENDING") || !strcmp(s, "INACTIVE") ||
           !strcmp(s, "LEAVE");
}

struct filters {
    struct store_list_query q;
    char *stores[16];
    const char **lists[16];
    int nstores;
    char *value_json; /* the custom_fields filter's value (JSON text) */
    char field_id[IDS_LEN + 1];
};

static void filters_free(struct filters *f)
{
    for (int i = 0; i < f->nstores; i++) {
        free(f->stores[i]);
        free(f->lists[i]);
    }
    free(f->value_json);
}

/* Adds the list parameter name as a filter on attribute attr (NULL: ids). */
static int add_list(const struct req *rq, struct filters *f, const char *name, const char *attr,
                    int lower_case, int unsupported, int ignore_unsupported, struct err *e)
{
    const char *v = req_query_get(rq, name);
    const char **vals = NULL;
    int n = 0, rc;

    if (!v)
        return ERR_OK;
    rc = split_list(name, v, req_max_filter_values(rq), &f->stores[f->nstores], &vals, &n, e);
    f->lists[f->nstores] = vals;
    f->nstores++;
    if (rc != ERR_OK)
        return rc;
    if (lower_case) {
        for (int i = 0; i < n; i++)
            for (char *p = (char *)vals[i]; *p; p++)
                *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    }
    if (unsupported && ignore_unsupported)
        return ERR_OK;
    if (!attr && strcmp(name, "ids") == 0) {
        f->q.ids = vals;
        f->q.nids = n;
    } else if (!attr) {
        f->q.remote_ids = vals;
        f->q.nremote_ids = n;
    } else {
        struct store_attr_filter *af = &f->q.filters[f->q.nfilters++];
        af->name = attr;
        af->values = vals;
        af->n = n;
    }
    return ERR_OK;
}

/* The filters every list has: deletions, changes, ids. */
static int parse_common_filters(const struct req *rq, struct filters *f, int *ignore, struct err *e)
{
    const char *v;
    int rc;

    rc = parse_bool(rq, "include_deleted", &f->q.include_deleted, e);
    if (rc == ERR_OK)
        rc = parse_bool(rq, "ignore_unsupported_filters", ignore, e);
    v = req_query_get(rq, "updated_after");
    if (rc == ERR_OK && v && isotime_parse(v, &f->q.updated_after) != ERR_OK)
        rc = err_set(e, ERR_INVALID,
                     "updated_after: expected an ISO-8601 date-time such as "
                     "2024-05-01T00:00:00.000Z");
    if (rc == ERR_OK)
        rc = add_list(rq, f, "ids", NULL, 0, 0, *ignore, e);
    if (rc == ERR_OK)
        rc = add_list(rq, f, "remote_ids", NULL, 0, 0, *ignore, e);
    return rc;
}

struct mapping_lookup {
    const char *key;
    int found;
    char field_id[IDS_LEN + 1]; /* "" when unmapped */
};

static void on_mapping_lookup(void *ud, const char *key, const char *field_id)
{
    struct mapping_lookup *m = ud;

    if (strcmp(key, m->key) != 0)
        return;
    m->found = 1;
    snprintf(m->field_id, sizeof(m->field_id), "%s", field_id ? field_id : "");
}

/* custom_fields={"key": value}: records whose mapped field holds value
 * (null: also those without one). An unmapped key holds null everywhere. */
static int parse_custom_field_filter(const struct req *rq, const char *text, struct filters *f,
                                     struct err *e)
{
    json_t *cf = json_loads(text, JSON_DECODE_ANY, NULL), *val;
    struct mapping_lookup m;
    struct buf b;
    int rc;

    if (!json_is_object(cf) || json_object_size(cf) != 1) {
        json_decref(cf);
        return err_set(e, ERR_INVALID,
                       "custom_fields: expected a JSON object with one key, "
                       "such as {\"tshirt_size\":\"XL\"}");
    }
    memset(&m, 0, sizeof(m));
    m.key = json_object_iter_key(json_object_iter(cf));
    val = json_object_iter_value(json_object_iter(cf));
    if (json_is_object(val) || json_is_array(val)) {
        rc = err_set(e, ERR_INVALID,
                     "custom_fields.%.64s: the value must be a string, number, boolean or null",
                     m.key);
        json_decref(cf);
        return rc;
    }
    rc = store_custom_fields_mapped(rq->app->store, rq->integration.id, "hris_employees",
                                    on_mapping_lookup, &m);
    if (rc == ERR_OK && !m.found)
        rc = err_set(e, ERR_INVALID, "custom_fields: \"%.64s\" is not a custom field of employees",
                     m.key);
    if (rc == ERR_OK && !m.field_id[0]) {
        f->q.value_none = !json_is_null(val);
    } else if (rc == ERR_OK) {
        buf_init(&b, 0);
        jsonx_dump(val, &b);
        f->value_json = buf_take(&b);
        memcpy(f->field_id, m.field_id, sizeof(f->field_id));
        f->q.value_field_id = f->field_id;
        f->q.value_json = f->value_json;
        f->q.value_or_missing = json_is_null(val);
    }
    json_decref(cf);
    return rc;
}

static int parse_employee_filters(const struct req *rq, struct filters *f, struct err *e)
{
    const struct tool_def *tool = tools_find(rq->integration.tool);
    const char *v;
    int rc, ignore = 0;

    rc = parse_common_filters(rq, f, &ignore, e);
    if (rc == ERR_OK)
        rc = add_list(rq, f, "employment_statuses", "employment_status", 0, 0, ignore, e);
    if (rc == ERR_OK && !req_query_get(rq, "employment_statuses"))
        rc = add_list(rq, f, "employment_status", "employment_status", 0, 0, ignore, e);
    for (int i = 0; rc == ERR_OK && i < f->q.nfilters; i++) {
        if (strcmp(f->q.filters[i].name, "employment_status") != 0)
            continue;
        for (int j = 0; j < f->q.filters[i].n; j++) {
            if (!valid_status(f->q.filters[i].values[j]))
                rc = err_set(e, ERR_INVALID,
                             "employment_statuses: \"%.32s\" is not one of ACTIVE, PENDING, "
                             "INACTIVE, LEAVE",
                             f->q.filters[i].values[j]);
        }
    }
    if (rc == ERR_OK)
        rc = add_list(rq, f, "group_ids", "group_id", 0, 0, ignore, e);
    if (rc == ERR_OK)
        rc = add_list(rq, f, "legal_entity_ids", "legal_entity_id", 0, 0, ignore, e);
    if (rc == ERR_OK)
        rc = add_list(rq, f, "work_location_ids", "work_location_id", 0, 0, ignore, e);
    if (rc == ERR_OK)
        rc = add_list(rq, f, "work_emails", "work_email", 1,
                      tools_field_unsupported(tool, "work_email"), ignore, e);
    if (rc == ERR_OK)
        rc = add_list(rq, f, "personal_emails", "personal_email", 1,
                      tools_field_unsupported(tool, "personal_email"), ignore, e);
    v = req_query_get(rq, "custom_fields");
    if (rc == ERR_OK && v)
        rc = parse_custom_field_filter(rq, v, f, e);
    return rc;
}

/* A single-value condition (op) on attribute attr, its value kept in f. */
static void add_condition(struct filters *f, const char *attr, int op, char *value, int or_missing)
{
    struct store_attr_filter *af = &f->q.filters[f->q.nfilters++];
    const char **vals = xcalloc(2, sizeof(*vals));

    vals[0] = value;
    f->stores[f->nstores] = value;
    f->lists[f->nstores] = vals;
    f->nstores++;
    af->name = attr;
    af->values = vals;
    af->n = 1;
    af->op = op;
    af->or_missing = or_missing;
}

/* name_contains: a case-insensitive substring of the name, LIKE wildcards escaped. */
static int parse_name_contains(const struct req *rq, struct filters *f, struct err *e)
{
    const char *v = req_query_get(rq, "name_contains");
    char *pattern, *o;

    if (!v)
        return ERR_OK;
    if (strlen(v) > 256)
        return err_set(e, ERR_INVALID, "name_contains: longer than 256 characters");
    pattern = o = xmalloc(strlen(v) * 2 + 3);
    *o++ = '%';
    for (const char *p = v; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            *o++ = '\\';
        *o++ = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    }
    *o++ = '%';
    *o = '\0';
    add_condition(f, "name", FILTER_CONTAINS, pattern, 0);
    return ERR_OK;
}

static int parse_group_filters(const struct req *rq, struct filters *f, struct err *e)
{
    int rc, ignore = 0;

    rc = parse_common_filters(rq, f, &ignore, e);
    if (rc == ERR_OK)
        rc = add_list(rq, f, "types", "type", 0, 0, ignore, e);
    if (rc == ERR_OK && f->q.nfilters) {
        struct store_attr_filter *af = &f->q.filters[f->q.nfilters - 1];
        for (int i = 0; i < af->n && rc == ERR_OK; i++) {
            const char *t = af->values[i];
            if (!strcmp(t, "null"))
                af->or_missing = 1; /* groups without a type */
            else if (strcmp(t, "DEPARTMENT") && strcmp(t, "TEAM") && strcmp(t, "COST_CENTER"))
                rc = err_set(e, ERR_INVALID,
                             "types: \"%.32s\" is not one of DEPARTMENT, TEAM, COST_CENTER, null",
                             t);
        }
    }
    if (rc == ERR_OK)
        rc = parse_name_contains(rq, f, e);
    return rc;
}

static int parse_named_filters(const struct req *rq, struct filters *f, struct err *e)
{
    int ignore = 0, rc = parse_common_filters(rq, f, &ignore, e);

    return rc == ERR_OK ? parse_name_contains(rq, f, e) : rc;
}

static int parse_plain_filters(const struct req *rq, struct filters *f, struct err *e)
{
    int ignore = 0;

    return parse_common_filters(rq, f, &ignore, e);
}

/* A date(-time) parameter as the ISO text stored attributes compare with. */
static int parse_time_param(const struct req *rq, const char *name, int end_of_day, char **out,
                            struct err *e)
{
    const char *v = req_query_get(rq, name);
    char ts[ISOTIME_LEN];
    int64_t ms;

    *out = NULL;
    if (!v)
        return ERR_OK;
    if (isotime_parse(v, &ms) != ERR_OK)
        return err_set(e, ERR_INVALID, "%s: expected an ISO-8601 date or date-time", name);
    /* A bare date until which absences start includes that whole day. */
    if (end_of_day && strlen(v) == 10)
        ms += 86400000 - 1;
    isotime_format(ms, ts);
    *out = xstrdup(ts);
    return ERR_OK;
}

static int parse_absence_filters(const struct req *rq, struct filters *f, struct err *e)
{
    char *from = NULL, *until = NULL, *tfrom = NULL, *tuntil = NULL;
    int rc, ignore = 0;

    rc = parse_common_filters(rq, f, &ignore, e);
    if (rc == ERR_OK)
        rc = add_list(rq, f, "type_ids", "type_id", 0, 0, ignore, e);
    if (rc == ERR_OK)
        rc = add_list(rq, f, "employee_id", "employee_id", 0, 0, ignore, e);
    if (rc == ERR_OK)
        rc = parse_time_param(rq, "date_from", 0, &from, e);
    if (rc == ERR_OK)
        rc = parse_time_param(rq, "date_until", 1, &until, e);
    if (rc == ERR_OK)
        rc = parse_time_param(rq, "time_from", 0, &tfrom, e);
    if (rc == ERR_OK)
        rc = parse_time_param(rq, "time_until", 1, &tuntil, e);
    /* Absences that have not ended before "from" (open-ended ones too) and
     * that start by "until". */
    if (rc != ERR_OK) {
        free(from);
        free(until);
        free(tfrom);
        free(tuntil);
        return rc;
    }
    /* The filters own the strings from here on. */
    if (from)
        add_condition(f, "end_date", FILTER_GE, from, 1);
    if (tfrom)
        add_condition(f, "end_date", FILTER_GE, tfrom, 1);
    if (until)
        add_condition(f, "start_date", FILTER_LE, until, 0);
    if (tuntil)
        add_condition(f, "start_date", FILTER_LE, tuntil, 0);
    return ERR_OK;
}

static int parse_balance_filters(const struct req *rq, struct filters *f, struct err *e)
{
    int ignore = 0, rc = parse_common_filters(rq, f, &ignore, e);

    return rc == ERR_OK ? add_list(rq, f, "employee_id", "employee_id", 0, 0, ignore, e) : rc;
}

/* ---- page assembly ----------------------------------------------------- */

struct row {
    char id[IDS_LEN + 1];
    char *body; /* NULL when doc holds the record as served */
    size_t body_len;
    int64_t changed_at, deleted_at;
    char *doc;
    size_t doc_len;
};

struct rows {
    struct row *v;
    int n, cap;
};

static void rows_add(struct rows *rs, const struct store_record_row *r)
{
    struct row *x;

    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 64;
        rs->v = xrealloc(rs->v, sizeof(*rs->v) * (size_t)rs->cap);
    }
    x = &rs->v[rs->n++];
    snprintf(x->id, sizeof(x->id), "%s", r->id);
    x->body = r->body ? xstrndup(r->body, r->body_len) : NULL;
    x->body_len = r->body_len;
    x->changed_at = r->changed_at;
    x->deleted_at = r->remote_deleted_at;
    x->doc = r->doc ? xstrndup(r->doc, r->doc_len) : NULL;
    x->doc_len = r->doc_len;
}

static void rows_free(struct rows *rs)
{
    for (int i = 0; i < rs->n; i++) {
        free(rs->v[i].body);
        free(rs->v[i].doc);
    }
    free(rs->v);
    memset(rs, 0, sizeof(*rs));
}

static void on_page_row(void *ud, const struct store_record_row *r)
{
    rows_add(ud, r);
}

/* Child records grouped by the parent they point at. */
struct children {
    json_t *by_parent; /* parent id -> [index into rows] */
    struct rows rows;
};

/* Everything the page's records refer to, keyed by id (jansson objects as maps). */
struct lookup {
    json_t *attrs;  /* record id -> {name: [values]} */
    json_t *nested; /* record id -> index into nested rows */
    struct rows nested_rows;
    struct children jobs;     /* employments of employees */
    struct children balances; /* time-off balances of employees */
    json_t *values;           /* record id -> {field id: value text} */
    struct scope scope;       /* the integration's scope config */
};

static void on_attr(void *ud, const char *record_id, const char *name, const char *value)
{
    struct lookup *l = ud;
    json_t *rec = json_object_get(l->attrs, record_id), *list;

    if (!rec) {
        rec = json_object();
        json_object_set_new(l->attrs, record_id, rec);
    }
    list = json_object_get(rec, name);
    if (!list) {
        list = json_array();
        json_object_set_new(rec, name, list);
    }
    json_array_append_new(list, json_string(value));
}

static void on_nested(void *ud, const struct store_record_row *r)
{
    struct lookup *l = ud;

    json_object_set_new(l->nested, r->id, json_integer(l->nested_rows.n));
    rows_add(&l->nested_rows, r);
}

static void on_child(void *ud, const char *parent, const struct store_record_row *r)
{
    struct children *c = ud;
    json_t *list = json_object_get(c->by_parent, parent);

    if (!list) {
        list = json_array();
        json_object_set_new(c->by_parent, parent, list);
    }
    json_array_append_new(list, json_integer(c->rows.n));
    rows_add(&c->rows, r);
}

/* The children of parent, as row indexes (borrowed; NULL when none). */
static json_t *children_of(const struct children *c, const char *parent)
{
    return json_object_get(c->by_parent, parent);
}

static void children_free(struct children *c)
{
    json_decref(c->by_parent);
    rows_free(&c->rows);
}

static void on_value(void *ud, const char *record_id, const char *field_id, const char *value,
                     size_t len)
{
    struct lookup *l = ud;
    json_t *rec = json_object_get(l->values, record_id);

    if (!rec) {
        rec = json_object();
        json_object_set_new(l->values, record_id, rec);
    }
    json_object_set_new(rec, field_id, json_stringn(value, len));
}

struct selected {
    struct store_field *v;
    int n;
};

static void on_selected(void *ud, const struct store_field *f)
{
    struct selected *s = ud;

    s->v = xrealloc(s->v, sizeof(*s->v) * (size_t)(s->n + 1));
    s->v[s->n] = *f;
    s->v[s->n].key = xstrdup(f->key);
    s->v[s->n].label = f->label ? xstrdup(f->label) : NULL;
    s->n++;
}

static void selected_free(struct selected *s)
{
    for (int i = 0; i < s->n; i++)
        store_field_free(&s->v[i]);
    free(s->v);
}

/* ---- rendering ------------------------------------------------------------ */

static void append_time(struct buf *b, const char *key, int64_t ms)
{
    char ts[ISOTIME_LEN];

    if (!ms) {
        buf_printf(b, ",\"%s\":null", key);
        return;
    }
    isotime_format(ms, ts);
    buf_printf(b, ",\"%s\":\"%s\"", key, ts);
}

/* ,"integration_fields":[…] with every selected field, stored value or null. */
static void append_fields(struct buf *b, const struct lookup *l, const char *record_id,
                          const struct selected *sel)
{
    json_t *vals = json_object_get(l->values, record_id);

    buf_append_str(b, ",\"integration_fields\":[");
    for (int i = 0; i < sel->n; i++) {
        const struct store_field *f = &sel->v[i];
        json_t *v = json_object_get(vals, f->id);

        buf_printf(b, "%s{\"id\":\"%s\",\"key\":", i ? "," : "", f->id);
        buf_append_json_string(b, f->key, strlen(f->key));
        buf_printf(b, ",\"type\":\"%s\",\"value\":", f->type);
        if (v)
            buf_append(b, json_string_value(v), json_string_length(v));
        else
            buf_append_str(b, "null");
        buf_append_str(b, ",\"label\":");
        if (f->label)
            buf_append_json_string(b, f->label, strlen(f->label));
        else
            buf_append_str(b, "null");
        buf_append_char(b, '}');
    }
    buf_append_char(b, ']');
}

/* What records of a model carry beside their unified fields, as far as
 * the scope config lets them: the fields selected for passthrough and the
 * custom fields with the integration field each is mapped onto. */
struct mapping {
    char *key;
    char field_id[IDS_LEN + 1]; /* "" when unmapped */
};

struct extras {
    struct selected sel;
    struct mapping *custom;
    int ncustom;
};

static void on_mapping(void *ud, const char *key, const char *field_id)
{
    struct extras *x = ud;

    x->custom = xrealloc(x->custom, sizeof(*x->custom) * (size_t)(x->ncustom + 1));
    x->custom[x->ncustom].key = xstrdup(key);
    snprintf(x->custom[x->ncustom].field_id, IDS_LEN + 1, "%s", field_id ? field_id : "");
    x->ncustom++;
}

static int extras_load(struct store *s, const char *integ, const struct scope *sc, enum model m,
                       struct extras *x)
{
    const char *model = models_get(m)->id;
    int rc = ERR_OK;

    if (sc->m[m].integration_fields)
        rc = store_fields_selected(s, integ, model, on_selected, &x->sel);
    if (rc == ERR_OK && sc->m[m].custom_fields)
        rc = store_custom_fields_mapped(s, integ, model, on_mapping, x);
    return rc;
}

/* Whether rendering needs stored field values at all. */
static int extras_need_values(const struct extras *x)
{
    int need = x->sel.n > 0;

    for (int i = 0; i < x->ncustom; i++)
        need |= x->custom[i].field_id[0] != '\0';
    return need;
}

static void extras_free(struct extras *x)
{
    selected_free(&x->sel);
    for (int i = 0; i < x->ncustom; i++)
        free(x->custom[i].key);
    free(x->custom);
}

/* ,"custom_fields":{…},"integration_fields":[…] */
static void append_extras(struct buf *b, const struct lookup *l, const char *record_id,
                          const struct extras *x)
{
    json_t *vals = json_object_get(l->values, record_id);

    buf_append_str(b, ",\"custom_fields\":{");
    for (int i = 0; i < x->ncustom; i++) {
        json_t *v = x->custom[i].field_id[0] ? json_object_get(vals, x->custom[i].field_id) : NULL;
        if (i)
            buf_append_char(b, ',');
        buf_append_json_string(b, x->custom[i].key, strlen(x->custom[i].key));
        buf_append_char(b, ':');
        if (v)
            buf_append(b, json_string_value(v), json_string_length(v));
        else
            buf_append_str(b, "null");
    }
    buf_append_char(b, '}');
    append_fields(b, l, record_id, &x->sel);
}

/* A stored body (or summary) of model m, its closing brace left off as
 * stored, with the fields the scope config switches off as null. Records
 * synced since the switch hold null there already; until that sync (or when
 * it fails) the stored text still has the values, so they are masked here. */
static void append_body(struct buf *b, const struct lookup *l, enum model m, const char *body,
                        size_t len)
{
    const char *const *fields = models_get(m)->fields;
    struct buf text;
    json_t *j;

    if (!l->scope.m[m].fields_off) {
        buf_append(b, body, len);
        return;
    }
    buf_init(&text, len + 2);
    buf_append(&text, body, len);
    buf_append_char(&text, '}');
    j = json_loadb(buf_str(&text), text.len, JSON_ALLOW_NUL, NULL);
    buf_reset(&text);
    for (int i = 0; json_is_object(j) && fields[i]; i++) {
        if (!scope_field_on(&l->scope, m, fields[i]) && json_object_get(j, fields[i]))
            json_object_set_new(j, fields[i], json_null());
    }
    if (json_is_object(j) && jsonx_dump(j, &text) == ERR_OK && text.len > 1)
        buf_append(b, buf_str(&text), text.len - 1); /* without its closing brace */
    else
        buf_append_str(b, "{\"id\":null"); /* unreadable: nothing of it leaks */
    json_decref(j);
    buf_free(&text);
}

static const struct row *nested_row(const struct lookup *l, const char *id)
{
    json_t *i = json_object_get(l->nested, id);

    return i ? &l->nested_rows.v[json_integer_value(i)] : NULL;
}

static const char *first_attr(const struct lookup *l, const char *record_id, const char *name)
{
    return json_string_value(
        json_array_get(json_object_get(json_object_get(l->attrs, record_id), name), 0));
}

/* A nested object (summary), closed; with its times when the model has them. */
static void append_nested(struct buf *b, const struct lookup *l, enum model m, const struct row *r,
                          int with_times)
{
    append_body(b, l, m, r->body, r->body_len);
    if (with_times) {
        append_time(b, "changed_at", r->changed_at);
        append_time(b, "remote_deleted_at", r->deleted_at);
    }
    buf_append_char(b, '}');
}

/* The record of model m that attr names, nested (null when there is none
 * or the scope config disables m). */
static void append_single(struct buf *b, const struct lookup *l, const char *key,
                          const char *record_id, const char *attr, enum model m, int with_times)
{
    const char *target = l->scope.m[m].enabled ? first_attr(l, record_id, attr) : NULL;
    const struct row *r = target ? nested_row(l, target) : NULL;

    buf_printf(b, ",\"%s\":", key);
    if (r)
        append_nested(b, l, m, r, with_times);
    else
        buf_append_str(b, "null");
}

static void append_groups(struct buf *b, const struct lookup *l, const char *key,
                          const char *record_id)
{
    json_t *ids = json_object_get(json_object_get(l->attrs, record_id), "group_id");
    json_t *id;
    size_t i;
    int n = 0;

    buf_printf(b, ",\"%s\":[", key);
    if (!l->scope.m[MODEL_GROUPS].enabled)
        ids = NULL;
    json_array_foreach (ids, i, id) {
        const struct row *r = nested_row(l, json_string_value(id));
        if (!r)
            continue;
        if (n++)
            buf_append_char(b, ',');
        append_nested(b, l, MODEL_GROUPS, r, 0);
    }
    buf_append_char(b, ']');
}

static void render_employee(struct buf *b, const struct row *e, const struct lookup *l,
                            const struct extras *emp_x, const struct extras *job_x)
{
    json_t *kids = l->scope.m[MODEL_EMPLOYMENTS].enabled ? children_of(&l->jobs, e->id) : NULL, *ix;
    size_t i;

    append_body(b, l, MODEL_EMPLOYEES, e->body, e->body_len);
    append_time(b, "changed_at", e->changed_at);
    append_time(b, "remote_deleted_at", e->deleted_at);
    append_extras(b, l, e->id, emp_x);
    buf_append_str(b, ",\"employments\":[");
    json_array_foreach (kids, i, ix) {
        const struct row *j = &l->jobs.rows.v[json_integer_value(ix)];
        if (i)
            buf_append_char(b, ',');
        append_body(b, l, MODEL_EMPLOYMENTS, j->body, j->body_len);
        append_time(b, "changed_at", j->changed_at);
        append_time(b, "remote_deleted_at", j->deleted_at);
        append_extras(b, l, j->id, job_x);
        buf_append_char(b, '}');
    }
    buf_append_str(b, "],\"time_off_balances\":[");
    kids = l->scope.m[MODEL_TIME_OFF_BALANCES].enabled ? children_of(&l->balances, e->id) : NULL;
    json_array_foreach (kids, i, ix) {
        const struct row *t = &l->balances.rows.v[json_integer_value(ix)];
        if (i)
            buf_append_char(b, ',');
        append_body(b, l, MODEL_TIME_OFF_BALANCES, t->body, t->body_len);
        append_time(b, "changed_at", t->changed_at);
        append_time(b, "remote_deleted_at", t->deleted_at);
        buf_append_char(b, '}');
    }
    buf_append_char(b, ']');
    append_single(b, l, "manager", e->id, "manager_id", MODEL_EMPLOYEES, 0);
    append_groups(b, l, "groups", e->id);
    append_groups(b, l, "teams", e->id);
    append_single(b, l, "legal_entity", e->id, "legal_entity_id", MODEL_LEGAL_ENTITIES, 0);
    append_single(b, l, "work_location", e->id, "work_location_id", MODEL_LOCATIONS, 1);
    buf_append_char(b, '}');
}

/* Answers INTEGRATION.MODEL_NOT_AVAILABLE unless the integration's tool
 * syncs m, and INTEGRATION.MODEL_DISABLED when its scope config turns m off. */
static int model_available(const struct req *rq, struct resp *rs, const struct scope *sc,
                           enum model m)
{
    const struct tool_def *t = tools_find(rq->integration.tool);

    if (!t || t->coverage[m] != COV_SUPPORTED) {
        resp_error(rs, HE_MODEL_NOT_AVAILABLE, "the %s model is not available for %s integrations",
                   models_get(m)->id, t ? t->label : rq->integration.tool);
        return 0;
    }
    if (!sc->m[m].enabled) {
        resp_error(rs, HE_MODEL_DISABLED,
                   "the %s model is disabled in the integration's scope config", models_get(m)->id);
        return 0;
    }
    return 1;
}

/* ---- employees ------------------------------------------------------------- */

/* Bumped whenever render_employee's output changes: stored docs of an
 * older format are then stale. */
#define DOC_FORMAT "1"

/* What shapes a served employee besides the records: the scope config and
 * the extras of employees and their employments. fp fingerprints all of it
 * (stored docs rendered under another fp are stale). */
struct emp_view {
    struct scope scope;
    struct extras emp_x, job_x;
    int64_t fp;
};

static void fp_text(crypto_generichash_state *h, const char *t)
{
    /* Length-prefixed, so that ("ab", "c") and ("a", "bc") differ. */
    uint32_t len = t ? (uint32_t)strlen(t) : UINT32_MAX;

    crypto_generichash_update(h, (const unsigned char *)&len, sizeof(len));
    if (t)
        crypto_generichash_update(h, (const unsigned char *)t, len);
}

static void fp_extras(crypto_generichash_state *h, const struct extras *x)
{
    char n[32];

    snprintf(n, sizeof(n), "%d/%d", x->sel.n, x->ncustom);
    fp_text(h, n);
    for (int i = 0; i < x->sel.n; i++) {
        fp_text(h, x->sel.v[i].id);
        fp_text(h, x->sel.v[i].key);
        fp_text(h, x->sel.v[i].type);
        fp_text(h, x->sel.v[i].label);
    }
    for (int i = 0; i < x->ncustom; i++) {
        fp_text(h, x->custom[i].key);
        fp_text(h, x->custom[i].field_id);
    }
}

static int emp_view_load(struct store *s, const char *integ, const char *scope_text,
                         struct emp_view *v)
{
    crypto_generichash_state h;
    unsigned char out[8];
    uint64_t fp = 0;
    int rc;

    memset(v, 0, sizeof(*v));
    scope_from_text(scope_text, &v->scope);
    rc = extras_load(s, integ, &v->scope, MODEL_EMPLOYEES, &v->emp_x);
    if (rc == ERR_OK)
        rc = extras_load(s, integ, &v->scope, MODEL_EMPLOYMENTS, &v->job_x);
    crypto_generichash_init(&h, NULL, 0, sizeof(out));
    fp_text(&h, "doc format " DOC_FORMAT);
    fp_text(&h, scope_text);
    fp_extras(&h, &v->emp_x);
    fp_extras(&h, &v->job_x);
    crypto_generichash_final(&h, out, sizeof(out));
    for (size_t i = 0; i < sizeof(out); i++)
        fp = fp << 8 | out[i];
    v->fp = (int64_t)(fp >> 1); /* a non-negative BIGINT */
    return rc;
}

static void emp_view_free(struct emp_view *v)
{
    extras_free(&v->emp_x);
    extras_free(&v->job_x);
}

/* Renders the employees rows[0..n) (each with its body) into out one after
 * another; ends[i] gets the offset where row i's object ends. Children
 * deleted remotely are nested only with include_deleted. */
static int render_employees(struct store *s, const char *integ, const struct emp_view *v,
                            struct row *const rows[], int n, int include_deleted, struct buf *out,
                            size_t ends[])
{
    const char **ids = xcalloc((size_t)n + 1, sizeof(*ids));
    const char **linked = xcalloc((size_t)n * 8 + 1, sizeof(*linked));
    struct lookup l;
    const char *key;
    json_t *val;
    int rc = ERR_OK, nlinked = 0;

    memset(&l, 0, sizeof(l));
    l.scope = v->scope;
    l.attrs = json_object();
    l.nested = json_object();
    l.jobs.by_parent = json_object();
    l.balances.by_parent = json_object();
    l.values = json_object();
    for (int i = 0; i < n; i++)
        ids[i] = rows[i]->id;
    if (n)
        rc = store_records_attrs(s, integ, ids, n, on_attr, &l);
    /* Everything the rows link to, fetched in one go. */
    json_object_foreach (l.attrs, key, val) {
        for (const char *const *a = models_employee_links; *a; a++) {
            json_t *list = json_object_get(val, *a), *x;
            size_t i;
            json_array_foreach (list, i, x) {
                if (nlinked < n * 8)
                    linked[nlinked++] = json_string_value(x);
            }
        }
    }
    if (rc == ERR_OK && nlinked)
        rc = store_records_summaries(s, integ, linked, nlinked, on_nested, &l);
    if (rc == ERR_OK && n)
        rc = store_records_children(s, integ, "hris_employments", MODELS_CHILD_ATTR, ids, n,
                                    include_deleted, on_child, &l.jobs);
    if (rc == ERR_OK && n)
        rc = store_records_children(s, integ, "hris_time_off_balances", MODELS_CHILD_ATTR, ids, n,
                                    include_deleted, on_child, &l.balances);
    if (rc == ERR_OK && n && extras_need_values(&v->emp_x))
        rc = store_field_values(s, integ, ids, n, on_value, &l);
    if (rc == ERR_OK && extras_need_values(&v->job_x) && l.jobs.rows.n) {
        const char **job_ids = xcalloc((size_t)l.jobs.rows.n + 1, sizeof(*job_ids));
        for (int i = 0; i < l.jobs.rows.n; i++)
            job_ids[i] = l.jobs.rows.v[i].id;
        rc = store_field_values(s, integ, job_ids, l.jobs.rows.n, on_value, &l);
        free(job_ids);
    }
    for (int i = 0; rc == ERR_OK && i < n; i++) {
        render_employee(out, rows[i], &l, &v->emp_x, &v->job_x);
        ends[i] = out->len;
    }
    json_decref(l.attrs);
    json_decref(l.nested);
    children_free(&l.jobs);
    children_free(&l.balances);
    json_decref(l.values);
    rows_free(&l.nested_rows);
    free(ids);
    free(linked);
    return rc;
}

/* A page of employees being written: current docs go straight into out,
 * records without one are kept to be rendered. */
struct emp_page {
    struct buf *out;
    int limit, n, more;
    struct rows stale;
    struct span {
        size_t from, to; /* the row's doc in out */
        int stale;       /* or its index in stale (-1: none) */
    } * spans;
    char last_id[IDS_LEN + 1];
};

/* Adds row id to the page: its doc, or (doc NULL) r to be rendered. */
static void page_add(struct emp_page *p, const char *id, const char *doc, size_t len,
                     const struct store_record_row *r)
{
    struct span *sp;

    if (p->n == p->limit) {
        p->more = 1; /* the row after the page */
        return;
    }
    sp = &p->spans[p->n];
    if (p->n)
        buf_append_char(p->out, ',');
    sp->from = p->out->len;
    sp->stale = -1;
    if (doc) {
        buf_append(p->out, doc, len);
    } else {
        sp->stale = p->stale.n;
        rows_add(&p->stale, r);
    }
    sp->to = p->out->len;
    snprintf(p->last_id, sizeof(p->last_id), "%s", id);
    p->n++;
}

static void on_employee_row(void *ud, const struct store_record_row *r)
{
    page_add(ud, r->id, r->doc, r->doc_len, r);
}

static void on_employee_doc(void *ud, const char *id, const char *doc, size_t len)
{
    page_add(ud, id, doc, len, NULL);
}

/* Whether q lists every employee not deleted, filtered by nothing. */
static int unfiltered(const struct store_list_query *q)
{
    return !q->include_deleted && !q->nids && !q->nremote_ids && !q->nfilters &&
           !q->value_field_id && !q->value_none && !q->updated_after;
}

/* Puts the rendered stale rows (ends[] as render_employees gives them) in
 * their places between the docs already in p->out, from offset start. */
static void merge_rendered(struct emp_page *p, size_t start, const struct buf *rendered,
                           const size_t ends[])
{
    struct buf merged;

    buf_init(&merged, 0);
    buf_append(&merged, buf_str(p->out), start);
    for (int i = 0; i < p->n; i++) {
        const struct span *sp = &p->spans[i];
        if (i)
            buf_append_char(&merged, ',');
        if (sp->stale < 0) {
            buf_append(&merged, buf_str(p->out) + sp->from, sp->to - sp->from);
        } else {
            size_t from = sp->stale ? ends[sp->stale - 1] : 0;
            buf_append(&merged, buf_str(rendered) + from, ends[sp->stale] - from);
        }
    }
    buf_free(p->out);
    *p->out = merged;
}

void hris_employees(struct req *rq, struct resp *rs)
{
    const struct app *app = rq->app;
    const char *integ = rq->integration.id;
    struct filters f;
    struct paging pg;
    struct emp_page page;
    struct emp_view v;
    struct row **stale = NULL;
    size_t *ends = NULL, start;
    struct buf rendered;
    struct err e;
    json_t *next = NULL;
    int rc, from_docs = 0;

    memset(&f, 0, sizeof(f));
    memset(&page, 0, sizeof(page));
    buf_init(&rendered, 0);
    err_init(&e);
    rc = emp_view_load(app->store, integ, rq->integration.scope_config, &v);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, NULL);
        goto out;
    }
    if (!model_available(rq, rs, &v.scope, MODEL_EMPLOYEES))
        goto out;
    rc = paging_parse(rq, 100, 250, "hris_employees", integ, &pg, &e);
    if (rc == ERR_OK)
        rc = parse_employee_filters(rq, &f, &e);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, &e);
        goto out;
    }
    f.q.integration_id = integ;
    f.q.model = "hris_employees";
    f.q.after_id = pg.after;
    f.q.limit = pg.limit + 1;
    f.q.link_attrs = models_employee_links;
    f.q.child_attr = MODELS_CHILD_ATTR;
    /* Stored docs nest the children not deleted; with deleted ones, render. */
    f.q.with_docs = !f.q.include_deleted;
    f.q.doc_fp = v.fp;
    page.out = resp_success_begin(rs, 200);
    buf_append_str(page.out, "{\"results\":[");
    start = page.out->len;
    page.limit = pg.limit;
    page.spans = xcalloc((size_t)pg.limit + 1, sizeof(*page.spans));
    /* With nothing to filter by, a complete set of docs is the page. */
    if (unfiltered(&f.q))
        rc = store_docs_page(app->store, integ, v.fp, pg.after, f.q.limit, on_employee_doc, &page,
                             &from_docs);
    if (rc == ERR_OK && !from_docs)
        rc = store_records_list(app->store, &f.q, on_employee_row, &page);
    /* Records without a current doc are rendered now. */
    if (rc == ERR_OK && page.stale.n) {
        stale = xcalloc((size_t)page.stale.n, sizeof(*stale));
        ends = xcalloc((size_t)page.stale.n, sizeof(*ends));
        for (int i = 0; i < page.stale.n; i++)
            stale[i] = &page.stale.v[i];
        rc = render_employees(app->store, integ, &v, stale, page.stale.n, f.q.include_deleted,
                              &rendered, ends);
        if (rc == ERR_OK)
            merge_rendered(&page, start, &rendered, ends);
    }
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, NULL);
        goto out;
    }
    buf_append_str(page.out, "],\"next\":");
    next = paging_next(rq, &pg, page.more, page.n ? page.last_id : NULL);
    if (json_is_string(next))
        buf_printf(page.out, "\"%s\"}", json_string_value(next));
    else
        buf_append_str(page.out, "null}");
    resp_success_end(rs);
out:
    json_decref(next);
    rows_free(&page.stale);
    free(page.spans);
    emp_view_free(&v);
    filters_free(&f);
    free(stale);
    free(ends);
    buf_free(&rendered);
}

int hris_docs_refresh(struct store *s, const char *integration_id)
{
    struct store_integration it;
    struct emp_view v;
    char after[IDS_LEN + 1];
    int rc, conflicts = 0;

    rc = store_integration_get_any(s, integration_id, &it);
    if (rc != ERR_OK)
        return rc;
    rc = emp_view_load(s, integration_id, it.scope_config, &v);
    after[0] = '\0';
    while (rc == ERR_OK) {
        struct rows batch = {0};
        struct row *rows[DOCS_BATCH];
        struct store_doc docs[DOCS_BATCH];
        size_t ends[DOCS_BATCH];
        struct buf text;
        int64_t version = 0;

        rc = store_data_version(s, integration_id, &version);
        if (rc == ERR_OK)
            rc = store_docs_stale(s, integration_id, "hris_employees", v.fp, after, DOCS_BATCH,
                                  on_page_row, &batch);
        /* Complete only when a pass from the first id found nothing stale. */
        if (rc == ERR_OK && batch.n == 0 && !after[0])
            rc = store_docs_complete(s, integration_id, version, v.fp);
        if (rc == ERR_OK && batch.n == 0 && after[0]) {
            after[0] = '\0'; /* once more from the start: what a sync changed meanwhile */
            rows_free(&batch);
            continue;
        }
        if (rc != ERR_OK || batch.n == 0) {
            rows_free(&batch);
            break;
        }
        for (int i = 0; i < batch.n; i++)
            rows[i] = &batch.v[i];
        buf_init(&text, 0);
        rc = render_employees(s, integration_id, &v, rows, batch.n, 0, &text, ends);
        for (int i = 0; rc == ERR_OK && i < batch.n; i++) {
            size_t from = i ? ends[i - 1] : 0;
            docs[i].id = batch.v[i].id;
            docs[i].doc = buf_str(&text) + from;
            docs[i].len = ends[i] - from;
        }
        if (rc == ERR_OK)
            rc = store_docs_put(s, integration_id, version, v.fp, docs, batch.n);
        if (rc == ERR_OK)
            snprintf(after, sizeof(after), "%s", batch.v[batch.n - 1].id);
        /* A sync applied meanwhile: render again from its data. */
        if (rc == ERR_CONFLICT && ++conflicts < 5) {
            rc = ERR_OK;
            after[0] = '\0';
        }
        buf_free(&text);
        rows_free(&batch);
    }
    emp_view_free(&v);
    store_integration_free(&it);
    return rc;
}

/* ---- the other lists ---------------------------------------------------- */

typedef int parse_filters_fn(const struct req *rq, struct filters *f, struct err *e);

struct list_def {
    enum model model;
    const char *kind; /* names the list inside cursors */
    parse_filters_fn *parse;
    const char *type_attr; /* nests the absence type this attribute names ("type_id") */
};

static const char *const type_links[] = {"type_id", NULL};

static void list_records(struct req *rq, struct resp *rs, const struct list_def *d)
{
    const struct app *app = rq->app;
    const struct model_def *md = models_get(d->model);
    const char *integ = rq->integration.id;
    struct filters f;
    struct paging pg;
    struct rows page = {0};
    struct lookup l;
    struct extras x = {0};
    const char **ids = NULL, **linked = NULL;
    json_t *next = NULL;
    struct buf out;
    struct err e;
    int rc, more, nlinked = 0;

    memset(&f, 0, sizeof(f));
    memset(&l, 0, sizeof(l));
    buf_init(&out, 0);
    err_init(&e);
    scope_from_text(rq->integration.scope_config, &l.scope);
    if (!model_available(rq, rs, &l.scope, d->model))
        return;
    rc = paging_parse(rq, 100, 250, d->kind, integ, &pg, &e);
    if (rc == ERR_OK)
        rc = d->parse(rq, &f, &e);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, &e);
        goto out;
    }
    f.q.integration_id = integ;
    f.q.model = md->id;
    f.q.after_id = pg.after;
    f.q.limit = pg.limit + 1;
    f.q.link_attrs = d->type_attr ? type_links : NULL;
    rc = store_records_list(app->store, &f.q, on_page_row, &page);
    more = page.n > pg.limit;
    if (more) {
        free(page.v[pg.limit].body);
        page.n = pg.limit;
    }
    ids = xcalloc((size_t)page.n + 1, sizeof(*ids));
    for (int i = 0; i < page.n; i++)
        ids[i] = page.v[i].id;
    l.attrs = json_object();
    l.nested = json_object();
    l.values = json_object();
    if (rc == ERR_OK && d->type_attr) {
        rc = store_records_attrs(app->store, integ, ids, page.n, on_attr, &l);
        linked = xcalloc((size_t)page.n + 1, sizeof(*linked));
        for (int i = 0; i < page.n; i++) {
            const char *t = first_attr(&l, page.v[i].id, d->type_attr);
            if (t)
                linked[nlinked++] = t;
        }
        if (rc == ERR_OK)
            rc = store_records_summaries(app->store, integ, linked, nlinked, on_nested, &l);
    }
    if (rc == ERR_OK && md->has_custom_fields)
        rc = extras_load(app->store, integ, &l.scope, d->model, &x);
    if (rc == ERR_OK && extras_need_values(&x))
        rc = store_field_values(app->store, integ, ids, page.n, on_value, &l);
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, NULL);
        goto out;
    }

    buf_append_str(&out, "{\"results\":[");
    for (int i = 0; i < page.n; i++) {
        const struct row *r = &page.v[i];
        if (i)
            buf_append_char(&out, ',');
        append_body(&out, &l, d->model, r->body, r->body_len);
        append_time(&out, "changed_at", r->changed_at);
        append_time(&out, "remote_deleted_at", r->deleted_at);
        if (md->has_custom_fields)
            append_extras(&out, &l, r->id, &x);
        if (d->type_attr)
            append_single(&out, &l, "type", r->id, d->type_attr, MODEL_ABSENCE_TYPES, 1);
        buf_append_char(&out, '}');
    }
    buf_append_str(&out, "],\"next\":");
    next = paging_next(rq, &pg, more, page.n ? page.v[page.n - 1].id : NULL);
    if (json_is_string(next))
        buf_printf(&out, "\"%s\"}", json_string_value(next));
    else
        buf_append_str(&out, "null}");
    resp_success_raw(rs, 200, buf_str(&out), out.len);
out:
    json_decref(next);
    json_decref(l.attrs);
    json_decref(l.nested);
    json_decref(l.values);
    rows_free(&l.nested_rows);
    rows_free(&page);
    extras_free(&x);
    filters_free(&f);
    free(ids);
    free(linked);
    buf_free(&out);
}

void hris_employments(struct req *rq, struct resp *rs)
{
    static const struct list_def d = {MODEL_EMPLOYMENTS, "hris_employments", parse_plain_filters,
                                      NULL};
    list_records(rq, rs, &d);
}

void hris_groups(struct req *rq, struct resp *rs)
{
    static const struct list_def d = {MODEL_GROUPS, "hris_groups", parse_group_filters, NULL};
    list_records(rq, rs, &d);
}

void hris_teams(struct req *rq, struct resp *rs)
{
    static const struct list_def d = {MODEL_GROUPS, "hris_teams", parse_plain_filters, NULL};
    list_records(rq, rs, &d);
}

void hris_locations(struct req *rq, struct resp *rs)
{
    static const struct list_def d = {MODEL_LOCATIONS, "hris_locations", parse_named_filters, NULL};
    list_records(rq, rs, &d);
}

void hris_legal_entities(struct req *rq, struct resp *rs)
{
    static const struct list_def d = {MODEL_LEGAL_ENTITIES, "hris_legal_entities",
                                      parse_named_filters, NULL};
    list_records(rq, rs, &d);
}

void hris_absence_types(struct req *rq, struct resp *rs)
{
    static const struct list_def d = {MODEL_ABSENCE_TYPES, "hris_absence_types",
                                      parse_plain_filters, NULL};
    list_records(rq, rs, &d);
}

void hris_absences(struct req *rq, struct resp *rs)
{
    static const struct list_def d = {MODEL_ABSENCES, "hris_absences", parse_absence_filters,
                                      "type_id"};
    list_records(rq, rs, &d);
}

void hris_time_off_balances(struct req *rq, struct resp *rs)
{
    static const struct list_def d = {MODEL_TIME_OFF_BALANCES, "hris_time_off_balances",
                                      parse_balance_filters, "type_id"};
    list_records(rq, rs, &d);
}
