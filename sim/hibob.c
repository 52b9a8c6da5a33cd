/*
 * hibob — simulated HiBob (see hibob.h and sim/README.md).
 *
 * A search request resolves its field ids once into a list sorted by path;
 * each employee is then rendered twice from that list: nested (opening and
 * closing objects as the path prefix changes) and flattened.
 */
#include "hibob.h"

#include "simerr.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SERVICE_USER    "sim-user"
#define SERVICE_LIMITED "sim-user-limited" /* no access to personal/payroll */
#define SERVICE_TOKEN   "sim-token"
#define STREAM_BATCH    64
#define DEPT_LIST_BASE  209192163
#define TITLE_LIST_BASE 209192200
#define SITE_LIST_BASE  209192300
#define ITEM_LIST_BASE  209200000

enum {
    H_ID,
    H_FIRST_NAME,
    H_SURNAME,
    H_EMAIL,
    H_DISPLAY_NAME,
    H_CREATED,
    H_START_DATE,
    H_TITLE,
    H_DEPARTMENT,
    H_SITE,
    H_REPORTS_TO,
    H_EMPLOYEE_ID,
    H_STATUS,
    H_TERMINATION_DATE,
    H_TERMINATION_REASON,
    H_LIFECYCLE,
    H_LEGAL_GENDER,
    H_PRIVATE_EMAIL,
    H_SHORT_BIRTH,
    H_BIRTH_DATE,
    H_EMP_TYPE,
    H_WEEKLY_HOURS,
    H_COUNT
};

struct hfield {
    const char *path, *name, *type, *list;
};

static const struct hfield std_fields[H_COUNT] = {
    {"root.id", "Employee ID", "text", NULL},
    {"root.firstName", "First name", "text", NULL},
    {"root.surname", "Last name", "text", NULL},
    {"root.email", "Email", "text", NULL},
    {"root.displayName", "Display name", "text", NULL},
    {"root.creationDateTime", "Creation date", "time", NULL},
    {"work.startDate", "Start date", "date", NULL},
    {"work.title", "Job title", "list", "title"},
    {"work.department", "Department", "list", "department"},
    {"work.site", "Site", "list", "site"},
    {"work.reportsTo", "Reports to", "employee-reference", NULL},
    {"work.employeeIdInCompany", "Employee ID in company", "number", NULL},
    {"internal.status", "Status", "text", NULL},
    {"internal.terminationDate", "Termination date", "date", NULL},
    {"internal.terminationReason", "Termination reason", "text", NULL},
    {"internal.lifecycleStatus", "Lifecycle status", "text", NULL},
    {"home.legalGender", "Legal gender", "text", NULL},
    {"home.privateEmail", "Personal email", "text", NULL},
    {"personal.shortBirthDate", "Birthday", "short-date", NULL},
    {"personal.birthDate", "Date of birth", "date", NULL},
    {"payroll.employment.type", "Employment type", "text", NULL},
    {"payroll.employment.weeklyHours", "Weekly hours", "number", NULL},
};

static const char *const ftype_names[GEN_F_COUNT] = {
    "text", "number", "date", "list", "multi-list", "boolean", "currency",
};

static const char *const category_names[][2] = {
    {"root", "Basic info"}, {"work", "Work"},         {"internal", "Internal"},
    {"home", "Home"},       {"personal", "Personal"}, {"payroll", "Payroll"},
};

/* A resolved field of a search request. */
struct sfield {
    int std;       /* >= 0: standard field */
    int k;         /* >= 0: custom field */
    char path[96]; /* dot path, e.g. "work.custom.field_1651169416679" */
};

void hibob_format_id(int64_t index, char *out, size_t outlen)
{
    snprintf(out, outlen, "%llu",
             (unsigned long long)(HIBOB_ID_BASE + (uint64_t)index * HIBOB_ID_STEP));
}

int hibob_parse_id(const char *id, int64_t *index)
{
    unsigned long long v;
    char *end = NULL;

    if (!id || strlen(id) != 19 || id[0] < '0' || id[0] > '9')
        return SIM_ERR_INVALID;
    v = strtoull(id, &end, 10);
    if (*end || v < HIBOB_ID_BASE || (v - HIBOB_ID_BASE) % HIBOB_ID_STEP)
        return SIM_ERR_INVALID;
    v = (v - HIBOB_ID_BASE) / HIBOB_ID_STEP;
    if (v > (unsigned long long)(2 * GEN_MAX_EMPLOYEES))
        return SIM_ERR_INVALID;
    *index = (int64_t)v;
    return SIM_OK;
}

static void custom_path(const struct gen_field *f, char *out, size_t n)
{
    if (f->type == GEN_F_MULTI)
        snprintf(out, n, "work.customColumns.column_%lld", (long long)(HIBOB_COLUMN_TS + f->k));
    else
        snprintf(out, n, "work.custom.field_%lld", (long long)(HIBOB_FIELD_TS + f->k));
}

static void list_name(const struct gen_field *f, char *out, size_t n)
{
    snprintf(out, n, "%c%s", f->camel[0] - 'A' + 'a', f->camel + 1);
}

/* Resolves "root.id", "/root/id" or "root/id" into *out. */
static int resolve(const struct gen_config *gen, const char *id, struct sfield *out)
{
    char path[96];
    size_t n = 0;
    long long ts;
    struct gen_field f;
    const char *p;

    if (*id == '/')
        id++;
    for (p = id; *p && n + 1 < sizeof(path); p++)
        path[n++] = *p == '/' ? '.' : *p;
    path[n] = '\0';
    if (*p)
        return SIM_ERR_NOT_FOUND;
    out->std = -1;
    out->k = -1;
    snprintf(out->path, sizeof(out->path), "%s", path);
    for (int i = 0; i < H_COUNT; i++) {
        if (!strcmp(path, std_fields[i].path)) {
            out->std = i;
            return SIM_OK;
        }
    }
    if (sscanf(path, "work.custom.field_%lld", &ts) == 1 ||
        sscanf(path, "work.customColumns.column_%lld", &ts) == 1) {
        long long k = ts - (strstr(path, "column_") ? HIBOB_COLUMN_TS : HIBOB_FIELD_TS);
        char want[96];

        if (k < 0 || k >= gen->custom_fields)
            return SIM_ERR_NOT_FOUND;
        gen_field(gen, (int)k, &f);
        custom_path(&f, want, sizeof(want));
        if (strcmp(want, path) != 0)
            return SIM_ERR_NOT_FOUND;
        out->k = (int)k;
        return SIM_OK;
    }
    return SIM_ERR_NOT_FOUND;
}

static int field_readable(const struct sfield *f, int limited)
{
    return !limited || (strncmp(f->path, "personal.", 9) && strncmp(f->path, "payroll.", 8));
}

/* ------------------------------------------------------------------------ */
/* Values */

enum hr_mode { HR_NONE, HR_APPEND, HR_REPLACE };

/* Appends the JSON value of f for p. human: display form (list names). */
static void value_json(const struct gen_config *gen, const struct gen_person *p,
                       const struct gen_person *mgr, const struct sfield *f, int human,
                       struct sbuf *b)
{
    char tmp[64];

    if (f->std >= 0) {
        switch (f->std) {
        case H_ID:
            hibob_format_id(p->index, tmp, sizeof(tmp));
            sbuf_add_jstr(b, tmp);
            return;
        case H_FIRST_NAME:
            sbuf_add_jstr(b, p->first_name);
            return;
        case H_SURNAME:
            sbuf_add_jstr(b, p->last_name);
            return;
        case H_EMAIL:
            sbuf_add_jstr(b, p->email);
            return;
        case H_DISPLAY_NAME:
            sbuf_add_jstr(b, p->display_name);
            return;
        case H_CREATED:
            gen_fmt_ts_utc_ms(p->created_at, tmp);
            sbuf_add_jstr(b, tmp);
            return;
        case H_START_DATE:
            gen_fmt_date(p->hire, tmp);
            sbuf_add_jstr(b, tmp);
            return;
        case H_TITLE:
            if (human) {
                sbuf_add_jstr(b, p->title);
            } else {
                snprintf(tmp, sizeof(tmp), "%d", TITLE_LIST_BASE + p->title_idx);
                sbuf_add_jstr(b, tmp);
            }
            return;
        case H_DEPARTMENT:
            if (human) {
                sbuf_add_jstr(b, gen_departments[p->dept]);
            } else {
                snprintf(tmp, sizeof(tmp), "%d", DEPT_LIST_BASE + p->dept);
                sbuf_add_jstr(b, tmp);
            }
            return;
        case H_SITE:
            if (human) {
                sbuf_add_jstr(b, gen_offices[p->office]);
            } else {
                snprintf(tmp, sizeof(tmp), "%d", SITE_LIST_BASE + p->office);
                sbuf_add_jstr(b, tmp);
            }
            return;
        case H_REPORTS_TO:
            if (!mgr) {
                sbuf_adds(b, "null");
                return;
            }
            if (human) {
                sbuf_add_jstr(b, mgr->display_name);
                return;
            }
            hibob_format_id(mgr->index, tmp, sizeof(tmp));
            sbuf_adds(b, "{\"id\":");
            sbuf_add_jstr(b, tmp);
            sbuf_adds(b, ",\"firstName\":");
            sbuf_add_jstr(b, mgr->first_name);
            sbuf_adds(b, ",\"surname\":");
            sbuf_add_jstr(b, mgr->last_name);
            sbuf_adds(b, ",\"email\":");
            sbuf_add_jstr(b, mgr->email);
            sbuf_adds(b, ",\"displayName\":");
            sbuf_add_jstr(b, mgr->display_name);
            sbuf_addc(b, '}');
            return;
        case H_EMPLOYEE_ID:
            sbuf_add_i64(b, p->index + 1);
            return;
        case H_STATUS:
            sbuf_add_jstr(b, p->status == GEN_INACTIVE ? "Inactive" : "Active");
            return;
        case H_TERMINATION_DATE:
            if (!p->has_term) {
                sbuf_adds(b, "null");
                return;
            }
            gen_fmt_date(p->term, tmp);
            sbuf_add_jstr(b, tmp);
            return;
        case H_TERMINATION_REASON:
            sbuf_add_jstr(b, p->has_term ? p->term_reason : NULL);
            return;
        case H_LIFECYCLE:
            sbuf_add_jstr(b, p->status == GEN_INACTIVE     ? "terminated"
                             : p->status == GEN_ONBOARDING ? "hired"
                                                           : "employed");
            return;
        case H_LEGAL_GENDER:
            sbuf_add_jstr(b, p->gender == GEN_FEMALE ? "Female"
                             : p->gender == GEN_MALE ? "Male"
                                                     : "Other");
            return;
        case H_PRIVATE_EMAIL:
            sbuf_add_jstr(b, p->personal_email);
            return;
        case H_SHORT_BIRTH:
        case H_BIRTH_DATE:
            if (!p->has_dob) {
                sbuf_adds(b, "null");
                return;
            }
            gen_fmt_date(p->dob, tmp);
            sbuf_add_jstr(b, f->std == H_SHORT_BIRTH ? tmp + 5 : tmp);
            return;
        case H_EMP_TYPE:
            sbuf_add_jstr(b, p->emp_type == GEN_FULL_TIME   ? "Full-time"
                             : p->emp_type == GEN_PART_TIME ? "Part-time"
                                                            : "Contractor");
            return;
        case H_WEEKLY_HOURS:
            sbuf_add_i64(b, p->weekly_hours);
            return;
        default:
            sbuf_adds(b, "null");
            return;
        }
    }
    {
        struct gen_field gf;
        struct gen_value v;
        int first = 1;

        gen_field(gen, f->k, &gf);
        gen_field_value(gen, p, &gf, &v);
        if (v.is_null) {
            sbuf_adds(b, "null");
            return;
        }
        switch (gf.type) {
        case GEN_F_TEXT:
            sbuf_add_jstr(b, v.text);
            break;
        case GEN_F_NUMBER:
            sbuf_add_centi(b, v.centi);
            break;
        case GEN_F_DATE:
            gen_fmt_date(v.day, tmp);
            sbuf_add_jstr(b, tmp);
            break;
        case GEN_F_SELECT:
            if (human) {
                gen_option(&gf, v.option, tmp, sizeof(tmp));
                sbuf_add_jstr(b, tmp);
            } else {
                sbuf_printf(b, "\"%d\"", ITEM_LIST_BASE + gf.k * 16 + v.option);
            }
            break;
        case GEN_F_MULTI:
            sbuf_addc(b, human ? '"' : '[');
            for (int j = 0; j < gf.n_options; j++) {
                if (!(v.mask & (1u << j)))
                    continue;
                if (human) {
                    gen_option(&gf, j, tmp, sizeof(tmp));
                    sbuf_adds(b, first ? "" : ", ");
                    sbuf_adds(b, tmp);
                } else {
                    sbuf_printf(b, "%s\"%d\"", first ? "" : ",", ITEM_LIST_BASE + gf.k * 16 + j);
                }
                first = 0;
            }
            sbuf_addc(b, human ? '"' : ']');
            break;
        case GEN_F_BOOL:
            sbuf_adds(b, v.flag ? "true" : "false");
            break;
        case GEN_F_MONEY:
            sbuf_adds(b, "{\"value\":");
            sbuf_add_centi(b, v.centi);
            sbuf_adds(b, ",\"currency\":\"EUR\"}");
            break;
        default:
            sbuf_adds(b, "null");
            break;
        }
    }
}

static int has_human_form(const struct gen_config *gen, const struct sfield *f)
{
    struct gen_field gf;

    if (f->std >= 0)
        return f->std == H_TITLE || f->std == H_DEPARTMENT || f->std == H_SITE;
    gen_field(gen, f->k, &gf);
    return gf.type == GEN_F_SELECT || gf.type == GEN_F_MULTI;
}

/* ------------------------------------------------------------------------ */
/* Search */

struct search {
    struct sim_ctx ctx;
    struct sfield *fields; /* sorted by path */
    int n_fields;
    int need_manager;
    int show_inactive;
    enum hr_mode hr;
    int64_t only; /* filtered index, or -1 */
    int filtered;
    int64_t next, end;
    int first;
    int single; /* POST /v1/people/{id}: one object, no envelope */
};

static void search_free(void *cls)
{
    struct search *s = cls;

    free(s->fields);
    free(s);
}

static int cmp_field(const void *a, const void *b)
{
    const struct sfield *x = a, *y = b;
    int xr = !strncmp(x->path, "root.", 5), yr = !strncmp(y->path, "root.", 5);

    if (xr != yr)
        return yr - xr; /* root fields first: they become top-level keys */
    return strcmp(x->path, y->path);
}

/* Number of leading dot segments that a and b share, up to their last
 * segment (the leaf). */
static int common_depth(const char *a, const char *b)
{
    int depth = 0;

    for (;;) {
        const char *da = strchr(a, '.'), *db = strchr(b, '.');

        if (!da || !db || da - a != db - b || strncmp(a, b, (size_t)(da - a)) != 0)
            return depth;
        depth++;
        a = da + 1;
        b = db + 1;
    }
}

static int depth_of(const char *p)
{
    int d = 0;

    for (; *p; p++)
        d += *p == '.';
    return d;
}

static const char *segment(const char *p, int i, size_t *len)
{
    while (i-- > 0)
        p = strchr(p, '.') + 1;
    *len = strchr(p, '.') ? (size_t)(strchr(p, '.') - p) : strlen(p);
    return p;
}

/* Appends the separator before a key in the object at `level` (0 = the
 * employee object itself). */
static void key_sep(struct sbuf *b, int level, int *first_key, int *fresh)
{
    if (level == 0) {
        if (!*first_key)
            sbuf_addc(b, ',');
        *first_key = 0;
    } else {
        if (!fresh[level])
            sbuf_addc(b, ',');
        fresh[level] = 0;
    }
}

/* Renders the nested form: fields sorted by path; root.* become top-level. */
static void render_nested(const struct search *s, const struct gen_person *p,
                          const struct gen_person *mgr, int human, int only_human, struct sbuf *b,
                          int *first_key)
{
    const char *prev = NULL;
    int open = 0; /* objects currently open below the employee object */
    int fresh[8] = {0};

    for (int i = 0; i < s->n_fields; i++) {
        const struct sfield *f = &s->fields[i];
        const char *path = f->path;
        int depth = 0, common = 0;
        size_t len;
        const char *seg;

        if (only_human && !has_human_form(s->ctx.gen, f))
            continue;
        if (!strncmp(path, "root.", 5)) {
            path += 5;
        } else {
            depth = depth_of(path);
            common = prev ? common_depth(prev, path) : 0;
            prev = path;
        }
        if (depth > 6)
            continue;
        if (common > open)
            common = open;
        while (open > common) {
            sbuf_addc(b, '}');
            open--;
        }
        while (open < depth) {
            seg = segment(path, open, &len);
            key_sep(b, open, first_key, fresh);
            sbuf_addc(b, '"');
            sbuf_add(b, seg, len);
            sbuf_adds(b, "\":{");
            open++;
            fresh[open] = 1;
        }
        seg = segment(path, depth, &len);
        key_sep(b, open, first_key, fresh);
        sbuf_addc(b, '"');
        sbuf_add(b, seg, len);
        sbuf_adds(b, "\":");
        value_json(s->ctx.gen, p, mgr, f, human, b);
    }
    while (open-- > 0)
        sbuf_addc(b, '}');
}

static void render_employee(const struct search *s, const struct gen_person *p,
                            const struct gen_person *mgr, struct sbuf *b)
{
    int first_key = 1;

    sbuf_addc(b, '{');
    render_nested(s, p, mgr, s->hr == HR_REPLACE, 0, b, &first_key);
    for (int i = 0; i < s->n_fields; i++) {
        const struct sfield *f = &s->fields[i];

        if (!first_key)
            sbuf_addc(b, ',');
        first_key = 0;
        sbuf_adds(b, "\"/");
        for (const char *c = f->path; *c; c++)
            sbuf_addc(b, *c == '.' ? '/' : *c);
        sbuf_adds(b, "\":{\"value\":");
        value_json(s->ctx.gen, p, mgr, f, s->hr == HR_REPLACE, b);
        sbuf_addc(b, '}');
    }
    if (s->hr == HR_APPEND) {
        int hk = 1;

        sbuf_adds(b, first_key ? "\"humanReadable\":{" : ",\"humanReadable\":{");
        render_nested(s, p, mgr, 1, 1, b, &hk);
        sbuf_addc(b, '}');
    }
    sbuf_addc(b, '}');
}

static int search_fill(void *cls, struct sbuf *out)
{
    struct search *s = cls;
    struct gen_person p, m;
    int n = 0;

    state_rdlock(s->ctx.st);
    while (s->next < s->end && n < STREAM_BATCH) {
        int64_t i = s->next++;
        int have_mgr;

        if (!sim_person_locked(&s->ctx, i, &p))
            continue;
        if (!s->show_inactive && p.status == GEN_INACTIVE && !s->single)
            continue;
        have_mgr = s->need_manager && p.manager >= 0 && sim_person_locked(&s->ctx, p.manager, &m);
        if (!s->first)
            sbuf_addc(out, ',');
        s->first = 0;
        render_employee(s, &p, have_mgr ? &m : NULL, out);
        n++;
    }
    state_unlock(s->ctx.st);
    if (s->next < s->end)
        return 1;
    if (!s->single)
        sbuf_adds(out, "]}");
    return 0;
}

static void reply_error(struct http_resp *resp, int status, const char *key, const char *msg)
{
    resp->status = status;
    resp->content_type = "application/json";
    sbuf_reset(&resp->body);
    sbuf_adds(&resp->body, "{\"key\":");
    sbuf_add_jstr(&resp->body, key);
    sbuf_adds(&resp->body, ",\"error\":");
    sbuf_add_jstr(&resp->body, msg);
    sbuf_addc(&resp->body, '}');
}

/* Index of the employee a filter value or path id names, or -1. */
static int64_t lookup_locked(const struct sim_ctx *ctx, const char *v, int by_email)
{
    struct gen_person p;
    int64_t index;
    const char *at, *d;
    char num[24];
    long long n;

    if (!by_email)
        return hibob_parse_id(v, &index) == SIM_OK && sim_person_locked(ctx, index, &p) ? index
                                                                                        : -1;
    at = strchr(v, '@');
    if (!at)
        return -1;
    for (d = at; d > v && d[-1] >= '0' && d[-1] <= '9'; d--)
        ;
    if (d == at || at - d > 18)
        return -1;
    snprintf(num, sizeof(num), "%.*s", (int)(at - d), d);
    if (http_parse_int(num, 1, 2 * GEN_MAX_EMPLOYEES, &n) || !sim_person_locked(ctx, n - 1, &p) ||
        strcasecmp(p.email, v) != 0)
        return -1;
    return n - 1;
}

static void search(const struct sim_ctx *ctx, const struct http_req *req, const char *single,
                   int limited, struct http_resp *resp)
{
    json_error_t jerr;
    json_t *root = NULL, *fields, *filters, *item, *hr;
    struct search *s = NULL;
    size_t i;

    root = req->body_len ? json_loadb(req->body, req->body_len, 0, &jerr) : json_object();
    if (!root || !json_is_object(root)) {
        reply_error(resp, 400, "request.invalid", "The request body is not valid JSON");
        goto out;
    }
    fields = json_object_get(root, "fields");
    if (fields && !json_is_array(fields)) {
        reply_error(resp, 400, "request.invalid", "fields must be an array");
        goto out;
    }
    if (json_array_size(fields) > HIBOB_MAX_FIELDS) {
        reply_error(resp, 400, "request.fields.too_many", "At most 400 fields may be requested");
        goto out;
    }
    s = calloc(1, sizeof(*s));
    if (!s)
        abort();
    s->ctx = *ctx;
    s->first = 1;
    s->only = -1;
    s->fields = calloc((fields ? json_array_size(fields) : H_COUNT) + 1, sizeof(*s->fields));
    if (!s->fields)
        abort();
    if (fields) {
        json_array_foreach (fields, i, item) {
            struct sfield *f = &s->fields[s->n_fields];
            int dup = 0;

            if (!json_is_string(item) || resolve(ctx->gen, json_string_value(item), f))
                continue; /* unknown ids are left out */
            if (!field_readable(f, limited))
                continue; /* no permission: silently omitted */
            for (int k = 0; k < s->n_fields; k++)
                dup |= !strcmp(s->fields[k].path, f->path);
            if (!dup)
                s->n_fields++;
        }
    } else {
        for (int k = 0; k < H_COUNT; k++) {
            struct sfield *f = &s->fields[s->n_fields];

            resolve(ctx->gen, std_fields[k].path, f);
            if (field_readable(f, limited))
                s->n_fields++;
        }
    }
    qsort(s->fields, (size_t)s->n_fields, sizeof(*s->fields), cmp_field);
    for (int k = 0; k < s->n_fields; k++)
        s->need_manager |= s->fields[k].std == H_REPORTS_TO;
    s->show_inactive = json_is_true(json_object_get(root, "showInactive"));
    hr = json_object_get(root, "humanReadable");
    if (json_is_string(hr) && !strcmp(json_string_value(hr), "APPEND"))
        s->hr = HR_APPEND;
    else if (json_is_string(hr) && !strcmp(json_string_value(hr), "REPLACE"))
        s->hr = HR_REPLACE;
    else if (hr && !json_is_null(hr)) {
        reply_error(resp, 400, "request.invalid", "humanReadable must be APPEND or REPLACE");
        goto out;
    }

    state_rdlock(ctx->st);
    s->end = state_end_locked(ctx->st, ctx->gen->employees);
    filters = json_object_get(root, "filters");
    if (single) {
        s->single = 1;
        s->only = lookup_locked(ctx, single, strchr(single, '@') != NULL);
        s->filtered = 1;
    } else if (filters && json_array_size(filters) > 0) {
        json_t *f = json_array_get(filters, 0);
        const char *fp = json_string_value(json_object_get(f, "fieldPath"));
        const char *op = json_string_value(json_object_get(f, "operator"));
        json_t *values = json_object_get(f, "values");
        int by_email = fp && (!strcmp(fp, "root.email") || !strcmp(fp, "/root/email"));
        int by_id = fp && (!strcmp(fp, "root.id") || !strcmp(fp, "/root/id"));

        if (!json_is_array(filters) || json_array_size(filters) > 1 || !json_is_object(f) ||
            (!by_email && !by_id) || !op || strcmp(op, "equals") != 0 || !json_is_array(values) ||
            json_array_size(values) != 1 || !json_is_string(json_array_get(values, 0))) {
            state_unlock(ctx->st);
            reply_error(resp, 400, "request.filters.invalid",
                        "Only one filter, 'equals' on root.id or root.email with one value, is "
                        "supported");
            goto out;
        }
        s->only = lookup_locked(ctx, json_string_value(json_array_get(values, 0)), by_email);
        s->filtered = 1;
    }
    state_unlock(ctx->st);
    if (s->filtered) {
        if (s->only < 0) {
            if (s->single) {
                reply_error(resp, 404, "employee.not_found", "Employee not found");
                goto out;
            }
            s->next = s->end = 0;
        } else {
            s->next = s->only;
            s->end = s->only + 1;
        }
    }
    resp->content_type = "application/json";
    if (!s->single)
        sbuf_adds(&resp->body, "{\"employees\":[");
    http_stream_take(resp, search_fill, search_free, s);
    s = NULL;
out:
    if (s)
        search_free(s);
    json_decref(root);
}

/* ------------------------------------------------------------------------ */
/* Metadata */

static void meta_field(struct sbuf *b, const char *path, const char *name, const char *type,
                       const char *list)
{
    const char *dot = strchr(path, '.');
    const char *cat_display = "Work";

    for (size_t i = 0; i < sizeof(category_names) / sizeof(category_names[0]); i++)
        if (!strncmp(path, category_names[i][0], (size_t)(dot - path)) &&
            strlen(category_names[i][0]) == (size_t)(dot - path))
            cat_display = category_names[i][1];
    sbuf_adds(b, "{\"id\":");
    sbuf_add_jstr(b, path);
    sbuf_adds(b, ",\"name\":");
    sbuf_add_jstr(b, name);
    sbuf_printf(b, ",\"category\":\"%.*s\",\"categoryDisplayName\":", (int)(dot - path), path);
    sbuf_add_jstr(b, cat_display);
    sbuf_adds(b, ",\"description\":null,\"jsonPath\":");
    sbuf_add_jstr(b, path);
    sbuf_adds(b, ",\"type\":");
    sbuf_add_jstr(b, type);
    sbuf_adds(b, ",\"typeData\":");
    if (list) {
        sbuf_adds(b, "{\"listId\":");
        sbuf_add_jstr(b, list);
        sbuf_addc(b, '}');
    } else {
        sbuf_adds(b, "{}");
    }
    sbuf_adds(b, ",\"historical\":false}");
}

static void people_fields(const struct sim_ctx *ctx, struct http_resp *resp)
{
    struct gen_field f;
    char path[96], list[80];

    resp->content_type = "application/json";
    sbuf_addc(&resp->body, '[');
    for (int i = 0; i < H_COUNT; i++) {
        if (i)
            sbuf_addc(&resp->body, ',');
        meta_field(&resp->body, std_fields[i].path, std_fields[i].name, std_fields[i].type,
                   std_fields[i].list);
    }
    for (int k = 0; k < ctx->gen->custom_fields; k++) {
        gen_field(ctx->gen, k, &f);
        custom_path(&f, path, sizeof(path));
        list_name(&f, list, sizeof(list));
        sbuf_addc(&resp->body, ',');
        meta_field(&resp->body, path, f.label, ftype_names[f.type],
                   (f.type == GEN_F_SELECT || f.type == GEN_F_MULTI) ? list : NULL);
    }
    sbuf_addc(&resp->body, ']');
}

static void named_list(struct sbuf *b, const char *name, int base, const char *const *names, int n)
{
    sbuf_adds(b, "{\"name\":");
    sbuf_add_jstr(b, name);
    sbuf_adds(b, ",\"values\":[");
    for (int j = 0; j < n; j++) {
        sbuf_printf(b, "%s{\"id\":\"%d\",\"value\":", j ? "," : "", base + j);
        sbuf_add_jstr(b, names[j]);
        sbuf_adds(b, ",\"name\":");
        sbuf_add_jstr(b, names[j]);
        sbuf_adds(b, ",\"archived\":false,\"children\":[]}");
    }
    sbuf_adds(b, "]}");
}

/* Writes one named list, or all when want is NULL. Returns 1 when found. */
static int named_lists(const struct sim_ctx *ctx, const char *want, struct sbuf *b)
{
    struct gen_field f;
    char name[80];
    char opts[GEN_MAX_OPTIONS][64];
    const char *ptrs[GEN_MAX_OPTIONS];
    int n = 0;

    if (!want || !strcmp(want, "department")) {
        named_list(b, "department", DEPT_LIST_BASE, gen_departments, GEN_N_DEPARTMENTS);
        n++;
    }
    if (!want || !strcmp(want, "title")) {
        sbuf_adds(b, n ? "," : "");
        named_list(b, "title", TITLE_LIST_BASE, gen_titles, GEN_N_TITLES);
        n++;
    }
    if (!want || !strcmp(want, "site")) {
        sbuf_adds(b, n ? "," : "");
        named_list(b, "site", SITE_LIST_BASE, gen_offices, GEN_N_OFFICES);
        n++;
    }
    for (int k = 0; k < ctx->gen->custom_fields; k++) {
        gen_field(ctx->gen, k, &f);
        if (f.type != GEN_F_SELECT && f.type != GEN_F_MULTI)
            continue;
        list_name(&f, name, sizeof(name));
        if (want && strcmp(want, name) != 0)
            continue;
        for (int j = 0; j < f.n_options && j < GEN_MAX_OPTIONS; j++) {
            gen_option(&f, j, opts[j], sizeof(opts[j]));
            ptrs[j] = opts[j];
        }
        sbuf_adds(b, n ? "," : "");
        named_list(b, name, ITEM_LIST_BASE + k * 16, ptrs, f.n_options);
        n++;
    }
    return n > 0;
}

/* ------------------------------------------------------------------------ */
/* Time off */

struct whosout {
    struct sim_ctx ctx;
    int from, to;
    int64_t next, end;
    int first;
};

static int whosout_fill(void *cls, struct sbuf *out)
{
    struct whosout *w = cls;
    struct gen_person p;
    struct gen_absence a;
    char id[24], d1[16], d2[16];
    int n = 0;

    state_rdlock(w->ctx.st);
    while (w->next < w->end && n < STREAM_BATCH) {
        if (!sim_person_locked(&w->ctx, w->next++, &p))
            continue;
        n++;
        for (int slot = 0; slot < GEN_ABSENCES_PER_EMP; slot++) {
            gen_absence(w->ctx.gen, &p, slot, &a);
            if (a.end < w->from || a.start > w->to || strcmp(a.status, "approved") != 0)
                continue;
            hibob_format_id(p.index, id, sizeof(id));
            gen_fmt_date(a.start, d1);
            gen_fmt_date(a.end, d2);
            sbuf_printf(
                out, "%s{\"employeeId\":\"%s\",\"employeeDisplayName\":", w->first ? "" : ",", id);
            w->first = 0;
            sbuf_add_jstr(out, p.display_name);
            sbuf_adds(out, ",\"employeeEmail\":");
            sbuf_add_jstr(out, p.email);
            sbuf_printf(out, ",\"requestId\":%lld,\"policyTypeDisplayName\":",
                        (long long)(p.index * GEN_ABSENCES_PER_EMP + slot + 1));
            sbuf_add_jstr(out, gen_absence_types[a.type].name);
            sbuf_printf(out,
                        ",\"type\":\"days\",\"startDate\":\"%s\",\"startDatePortion\":\"%s\","
                        "\"endDate\":\"%s\",\"endDatePortion\":\"%s\"}",
                        d1, a.half_start ? "afternoon" : "all_day", d2,
                        a.half_end ? "morning" : "all_day");
        }
    }
    state_unlock(w->ctx.st);
    if (w->next < w->end)
        return 1;
    sbuf_adds(out, "]}");
    return 0;
}

static void whosout(const struct sim_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    const char *from = http_query(req, "from");
    const char *to = http_query(req, "to");
    int64_t t1, t2;
    struct whosout *w;

    if (!from || !to || gen_parse_time(from, &t1) || gen_parse_time(to, &t2)) {
        reply_error(resp, 400, "request.invalid", "from and to (YYYY-MM-DD) are required");
        return;
    }
    w = calloc(1, sizeof(*w));
    if (!w)
        abort();
    w->ctx = *ctx;
    w->from = (int)(t1 / 86400);
    w->to = (int)(t2 / 86400);
    w->first = 1;
    state_rdlock(ctx->st);
    w->end = state_end_locked(ctx->st, ctx->gen->employees);
    state_unlock(ctx->st);
    resp->content_type = "application/json";
    sbuf_adds(&resp->body, "{\"outs\":[");
    http_stream_take(resp, whosout_fill, free, w);
}

static void balance(const struct sim_ctx *ctx, const struct http_req *req, const char *id,
                    struct http_resp *resp)
{
    const char *policy = http_query(req, "policyType");
    int64_t index;
    struct gen_person p;
    int found = 0, t;

    if (!hibob_parse_id(id, &index)) {
        state_rdlock(ctx->st);
        found = sim_person_locked(ctx, index, &p);
        state_unlock(ctx->st);
    }
    if (!found) {
        reply_error(resp, 404, "employee.not_found", "Employee not found");
        return;
    }
    for (t = 0; t < GEN_N_ABSENCE_TYPES; t++)
        if (policy && !strcmp(policy, gen_absence_types[t].name))
            break;
    if (t == GEN_N_ABSENCE_TYPES) {
        reply_error(resp, 400, "request.invalid", "Unknown policyType");
        return;
    }
    resp->content_type = "application/json";
    sbuf_printf(&resp->body, "{\"employeeId\":\"%s\",\"policyType\":", id);
    sbuf_add_jstr(&resp->body, gen_absence_types[t].name);
    sbuf_adds(&resp->body, ",\"type\":\"days\",\"balance\":");
    sbuf_add_centi(&resp->body, gen_balance(ctx->gen, &p, t));
    sbuf_addc(&resp->body, '}');
}

/* ------------------------------------------------------------------------ */
/* Vendor interface */

static int authorized(const struct http_req *req, struct http_resp *resp, int *limited)
{
    char user[128], pass[128];

    if (http_basic_auth(req, user, sizeof(user), pass, sizeof(pass)) ||
        (strcmp(user, SERVICE_USER) && strcmp(user, SERVICE_LIMITED)) ||
        strcmp(pass, SERVICE_TOKEN)) {
        reply_error(resp, 401, "authentication.failed", "Invalid service user credentials");
        return 0;
    }
    *limited = !strcmp(user, SERVICE_LIMITED);
    return 1;
}

static int is_data(const struct http_req *req)
{
    (void)req;
    return 1;
}

static void handle(const struct sim_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    const char *path = req->path;
    int get = !strcmp(req->method, "GET");
    int post = !strcmp(req->method, "POST");
    int limited = 0;

    if (!authorized(req, resp, &limited))
        return;
    if (post && !strcmp(path, "/v1/people/search")) {
        search(ctx, req, NULL, limited, resp);
    } else if (post && !strncmp(path, "/v1/people/", 11) && !strchr(path + 11, '/') && path[11]) {
        search(ctx, req, path + 11, limited, resp);
    } else if (get && !strcmp(path, "/v1/company/people/fields")) {
        people_fields(ctx, resp);
    } else if (get && !strcmp(path, "/v1/company/named-lists")) {
        resp->content_type = "application/json";
        sbuf_addc(&resp->body, '[');
        named_lists(ctx, NULL, &resp->body);
        sbuf_addc(&resp->body, ']');
    } else if (get && !strncmp(path, "/v1/company/named-lists/", 24)) {
        resp->content_type = "application/json";
        if (!named_lists(ctx, path + 24, &resp->body))
            reply_error(resp, 404, "named_list.not_found", "Named list not found");
    } else if (get && !strcmp(path, "/v1/timeoff/whosout")) {
        whosout(ctx, req, resp);
    } else if (get && !strcmp(path, "/v1/timeoff/policy-types")) {
        resp->content_type = "application/json";
        sbuf_adds(&resp->body, "{\"policyTypes\":[");
        for (int t = 0; t < GEN_N_ABSENCE_TYPES; t++) {
            if (t)
                sbuf_addc(&resp->body, ',');
            sbuf_add_jstr(&resp->body, gen_absence_types[t].name);
        }
        sbuf_adds(&resp->body, "]}");
    } else if (get && !strncmp(path, "/v1/timeoff/employees/", 22) &&
               strstr(path + 22, "/balance")) {
        char id[32];
        const char *slash = strchr(path + 22, '/');

        snprintf(id, sizeof(id), "%.*s", (int)(slash - (path + 22)), path + 22);
        if (strcmp(slash, "/balance") != 0)
            reply_error(resp, 404, "not_found", "Not found");
        else
            balance(ctx, req, id, resp);
    } else {
        reply_error(resp, 404, "not_found", "Not found");
    }
}

static void throttle(const struct sim_ctx *ctx, int status, int retry_after, struct http_resp *resp)
{
    char v[32];
    int limit = ctx->opt->rate_limit > 0 ? ctx->opt->rate_limit : 50;
    int ra = retry_after > 0 ? retry_after : 1;

    reply_error(resp, status, "rate_limit.exceeded", "Too many requests");
    snprintf(v, sizeof(v), "%d", ra);
    http_add_header(resp, "Retry-After", v);
    snprintf(v, sizeof(v), "%d", limit);
    http_add_header(resp, "X-RateLimit-Limit", v);
    http_add_header(resp, "X-RateLimit-Remaining", "0");
    snprintf(v, sizeof(v), "%lld", (long long)(sim_now() + ra));
    http_add_header(resp, "X-RateLimit-Reset", v);
}

static void error(const struct sim_ctx *ctx, int status, struct http_resp *resp)
{
    (void)ctx;
    reply_error(resp, status, status == 503 ? "service.unavailable" : "internal.error",
                status == 503 ? "Service unavailable" : "Internal server error");
}

static int id_to_index(const char *id, int64_t *index)
{
    return hibob_parse_id(id, index);
}

const struct vendor hibob_vendor = {
    "hibob", is_data, handle, throttle, error, id_to_index, hibob_format_id,
};
