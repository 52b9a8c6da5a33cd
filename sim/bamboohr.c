/*
 * bamboohr — simulated BambooHR (see bamboohr.h and sim/README.md).
 */
#include "bamboohr.h"

#include "simerr.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define API_KEY      "sim-key"
#define DOMAIN       "acme"
#define STREAM_BATCH 64
#define MAX_IDS      10000

/* ------------------------------------------------------------------------ */
/* Fields */

enum {
    F_EMPLOYEE_NUMBER,
    F_FIRST_NAME,
    F_LAST_NAME,
    F_PREFERRED_NAME,
    F_DISPLAY_NAME,
    F_WORK_EMAIL,
    F_HOME_EMAIL,
    F_STATUS,
    F_EMPLOYMENT_STATUS,
    F_HIRE_DATE,
    F_ORIGINAL_HIRE_DATE,
    F_TERMINATION_DATE,
    F_DATE_OF_BIRTH,
    F_GENDER,
    F_SUPERVISOR_EID,
    F_SUPERVISOR_ID,
    F_JOB_TITLE,
    F_DEPARTMENT,
    F_DIVISION,
    F_LOCATION,
    F_COUNTRY,
    F_HOURS,
    F_PAY_RATE,
    F_LAST_CHANGED,
    F_COUNT
};

struct bfield {
    const char *alias, *type, *name;
};

static const struct bfield std_fields[F_COUNT] = {
    {"employeeNumber", "text", "Employee #"},
    {"firstName", "text", "First Name"},
    {"lastName", "text", "Last Name"},
    {"preferredName", "text", "Preferred Name"},
    {"displayName", "text", "Display name"},
    {"workEmail", "email", "Work Email"},
    {"homeEmail", "email", "Home Email"},
    {"status", "status", "Status"},
    {"employmentHistoryStatus", "list", "Employment Status"},
    {"hireDate", "date", "Hire Date"},
    {"originalHireDate", "date", "Original Hire Date"},
    {"terminationDate", "date", "Termination Date"},
    {"dateOfBirth", "date", "Birth Date"},
    {"gender", "gender", "Gender"},
    {"supervisorEId", "integer", "Supervisor EID"},
    {"supervisorId", "text", "Supervisor ID"},
    {"jobTitle", "list", "Job Title"},
    {"department", "list", "Department"},
    {"division", "list", "Division"},
    {"location", "list", "Location"},
    {"country", "country", "Country"},
    {"standardHoursPerWeek", "int", "Standard Hours Per Week"},
    {"payRate", "currency", "Pay rate"},
    {"lastChanged", "timestamp", "Last changed"},
};

static const char *const ftype_names[GEN_F_COUNT] = {
    "text", "decimal", "date", "list", "list", "checkbox", "currency",
};

static const char *const gender_names[] = {"Female", "Male", "Non-binary"};

/* A resolved report field: standard (std >= 0) or custom (k >= 0). */
struct rfield {
    int std;
    int k;
    char *key; /* echoed exactly as requested */
};

static int custom_has_alias(int k)
{
    return k % 2 == 0;
}

static int resolve_field(const struct gen_config *gen, const char *name, int *std, int *k)
{
    char alias[80];
    long long n;
    struct gen_field f;

    *std = -1;
    *k = -1;
    for (int i = 0; i < F_COUNT; i++) {
        if (!strcmp(name, std_fields[i].alias)) {
            *std = i;
            return SIM_OK;
        }
    }
    if (!http_parse_int(name, BAMBOOHR_FIELD_BASE, BAMBOOHR_FIELD_BASE + gen->custom_fields - 1,
                        &n)) {
        *k = (int)(n - BAMBOOHR_FIELD_BASE);
        return SIM_OK;
    }
    if (!strncmp(name, "custom", 6)) {
        /* Aliases are custom<Camel>; find the field by scanning its label form. */
        for (int i = 0; i < gen->custom_fields; i += 2) {
            gen_field(gen, i, &f);
            snprintf(alias, sizeof(alias), "custom%s", f.camel);
            if (!strcmp(alias, name)) {
                *k = i;
                return SIM_OK;
            }
        }
    }
    return SIM_ERR_NOT_FOUND;
}

static const char *std_value(const struct gen_person *p, int f, char *buf, size_t n)
{
    switch (f) {
    case F_EMPLOYEE_NUMBER:
        return p->employee_number;
    case F_FIRST_NAME:
        return p->first_name;
    case F_LAST_NAME:
        return p->last_name;
    case F_PREFERRED_NAME:
        return NULL;
    case F_DISPLAY_NAME:
        return p->display_name;
    case F_WORK_EMAIL:
        return p->email;
    case F_HOME_EMAIL:
        return p->personal_email;
    case F_STATUS:
        return p->status == GEN_INACTIVE ? "Inactive" : "Active";
    case F_EMPLOYMENT_STATUS:
        if (p->status == GEN_INACTIVE)
            return "Terminated";
        return p->emp_type == GEN_FULL_TIME   ? "Full-Time"
               : p->emp_type == GEN_PART_TIME ? "Part-Time"
                                              : "Contractor";
    case F_HIRE_DATE:
    case F_ORIGINAL_HIRE_DATE:
        gen_fmt_date(p->hire, buf);
        return buf;
    case F_TERMINATION_DATE:
        if (!p->has_term)
            return NULL;
        gen_fmt_date(p->term, buf);
        return buf;
    case F_DATE_OF_BIRTH:
        if (!p->has_dob)
            return "0000-00-00"; /* what older tenants send for an empty date */
        gen_fmt_date(p->dob, buf);
        return buf;
    case F_GENDER:
        return gender_names[p->gender];
    case F_SUPERVISOR_EID:
        if (p->manager < 0)
            return NULL;
        snprintf(buf, n, "%lld", (long long)(BAMBOOHR_ID_BASE + p->manager));
        return buf;
    case F_SUPERVISOR_ID:
        if (p->manager < 0)
            return NULL;
        snprintf(buf, n, "E-%05lld", (long long)p->manager + 1);
        return buf;
    case F_JOB_TITLE:
        return p->title;
    case F_DEPARTMENT:
        return gen_departments[p->dept];
    case F_DIVISION:
        return gen_entities[p->entity];
    case F_LOCATION:
        return gen_offices[p->office];
    case F_COUNTRY:
        return gen_office_countries[p->office];
    case F_HOURS:
        snprintf(buf, n, "%d", p->weekly_hours);
        return buf;
    case F_PAY_RATE:
        snprintf(buf, n, "%d.00", p->salary * 12);
        return buf;
    case F_LAST_CHANGED:
        gen_fmt_ts_utc_offset(p->modified_at, buf);
        return buf;
    default:
        return NULL;
    }
}

static const char *custom_value(const struct gen_config *gen, const struct gen_person *p, int k,
                                char *buf, size_t n)
{
    struct gen_field f;
    struct gen_value v;
    struct sbuf tmp;
    char opt[64];
    int first = 1;

    gen_field(gen, k, &f);
    gen_field_value(gen, p, &f, &v);
    if (v.is_null)
        return NULL;
    switch (f.type) {
    case GEN_F_TEXT:
        return v.text;
    case GEN_F_NUMBER:
    case GEN_F_MONEY:
        sbuf_init(&tmp);
        if (f.type == GEN_F_MONEY)
            sbuf_printf(&tmp, "%lld.%02lld", (long long)(v.centi / 100),
                        (long long)(v.centi % 100));
        else
            sbuf_add_centi(&tmp, v.centi);
        snprintf(buf, n, "%s", tmp.data);
        sbuf_free(&tmp);
        return buf;
    case GEN_F_DATE:
        gen_fmt_date(v.day, buf);
        return buf;
    case GEN_F_SELECT:
        gen_option(&f, v.option, buf, n);
        return buf;
    case GEN_F_MULTI:
        buf[0] = '\0';
        for (int j = 0; j < f.n_options; j++) {
            size_t len = strlen(buf);

            if (!(v.mask & (1u << j)))
                continue;
            gen_option(&f, j, opt, sizeof(opt));
            snprintf(buf + len, n - len, "%s%s", first ? "" : ",", opt);
            first = 0;
        }
        return buf;
    case GEN_F_BOOL:
        return v.flag ? "yes" : "no";
    default:
        return NULL;
    }
}

static const char *rfield_value(const struct gen_config *gen, const struct gen_person *p,
                                const struct rfield *f, char *buf, size_t n)
{
    if (f->std >= 0)
        return std_value(p, f->std, buf, n);
    return custom_value(gen, p, f->k, buf, n);
}

int bamboohr_field_value(const struct gen_config *gen, const struct gen_person *p,
                         const char *field, char *buf, size_t buflen, const char **value)
{
    struct rfield f;

    if (resolve_field(gen, field, &f.std, &f.k))
        return SIM_ERR_NOT_FOUND;
    *value = rfield_value(gen, p, &f, buf, buflen);
    return SIM_OK;
}

static void rfield_meta(const struct gen_config *gen, const struct rfield *f, const char **type,
                        char *name, size_t n)
{
    struct gen_field gf;

    if (f->std >= 0) {
        *type = std_fields[f->std].type;
        snprintf(name, n, "%s", std_fields[f->std].name);
        return;
    }
    gen_field(gen, f->k, &gf);
    *type = ftype_names[gf.type];
    snprintf(name, n, "%s", gf.label);
}

/* ------------------------------------------------------------------------ */
/* Errors, auth, format */

static void reply_error(struct http_resp *resp, int status, const char *msg)
{
    resp->status = status;
    resp->content_type = "text/html; charset=UTF-8";
    sbuf_reset(&resp->body);
    http_add_header(resp, "X-BambooHR-Error-Message", msg);
}

static int authorized(const struct http_req *req, struct http_resp *resp)
{
    char user[128], pass[128];

    if (http_basic_auth(req, user, sizeof(user), pass, sizeof(pass)) || strcmp(user, API_KEY)) {
        reply_error(resp, 401, "Invalid API key");
        http_add_header(resp, "WWW-Authenticate", "Basic realm=\"BambooHR\"");
        return 0;
    }
    return 1;
}

enum fmt { FMT_JSON, FMT_XML };

/* The answer format. Reports are strict (an unknown Accept is a 404). */
static int pick_format(const struct http_req *req, int strict, enum fmt *out)
{
    const char *f = http_query(req, "format");
    const char *a = http_header(req, "Accept");
    static const char *const accepted[] = {"application/json", "text/xml", "text/csv",
                                           "application/pdf", "application/vnd.ms-excel"};

    if (f) {
        *out = !strcasecmp(f, "JSON") ? FMT_JSON : FMT_XML;
        return SIM_OK;
    }
    if (a && !strcmp(a, "application/json")) {
        *out = FMT_JSON;
        return SIM_OK;
    }
    if (!strict) {
        *out = FMT_XML;
        return SIM_OK;
    }
    for (size_t i = 0; a && i < sizeof(accepted) / sizeof(accepted[0]); i++) {
        if (!strcmp(a, accepted[i])) {
            *out = FMT_XML;
            return SIM_OK;
        }
    }
    return SIM_ERR_INVALID;
}

/* ------------------------------------------------------------------------ */
/* Custom report (streamed) */

struct report {
    struct sim_ctx ctx;
    enum fmt fmt;
    struct rfield *fields;
    int n_fields;
    int only_current;
    int has_changed;
    int64_t changed_since;
    int64_t *ids; /* sorted indices, when filtered */
    size_t n_ids;
    int64_t next, end;
    int first;
};

static void report_free(void *cls)
{
    struct report *r = cls;

    for (int i = 0; i < r->n_fields; i++)
        free(r->fields[i].key);
    free(r->fields);
    free(r->ids);
    free(r);
}

static int report_wants(struct report *r, const struct gen_person *p)
{
    if (r->only_current && p->status == GEN_ONBOARDING)
        return 0;
    if (r->has_changed && p->modified_at < r->changed_since)
        return 0;
    return 1;
}

static void render_report_employee(struct report *r, const struct gen_person *p, struct sbuf *out)
{
    char buf[512];
    const char *v;

    if (r->fmt == FMT_JSON) {
        if (!r->first)
            sbuf_addc(out, ',');
        sbuf_adds(out, "{\"id\":\"");
        sbuf_add_i64(out, BAMBOOHR_ID_BASE + p->index);
        sbuf_addc(out, '"');
        for (int i = 0; i < r->n_fields; i++) {
            v = rfield_value(r->ctx.gen, p, &r->fields[i], buf, sizeof(buf));
            if (r->only_current && r->fields[i].std == F_TERMINATION_DATE && p->has_term &&
                p->status != GEN_INACTIVE)
                v = NULL; /* a future-dated value */
            sbuf_addc(out, ',');
            sbuf_add_jstr(out, r->fields[i].key);
            sbuf_addc(out, ':');
            sbuf_add_jstr(out, v);
        }
        sbuf_addc(out, '}');
    } else {
        sbuf_adds(out, "<employee id=\"");
        sbuf_add_i64(out, BAMBOOHR_ID_BASE + p->index);
        sbuf_adds(out, "\">");
        for (int i = 0; i < r->n_fields; i++) {
            v = rfield_value(r->ctx.gen, p, &r->fields[i], buf, sizeof(buf));
            if (r->only_current && r->fields[i].std == F_TERMINATION_DATE && p->has_term &&
                p->status != GEN_INACTIVE)
                v = NULL;
            sbuf_adds(out, "<field id=\"");
            sbuf_add_xml(out, r->fields[i].key);
            sbuf_adds(out, "\">");
            sbuf_add_xml(out, v);
            sbuf_adds(out, "</field>");
        }
        sbuf_adds(out, "</employee>");
    }
    r->first = 0;
}

static int report_fill(void *cls, struct sbuf *out)
{
    struct report *r = cls;
    struct gen_person p;
    int n = 0;

    state_rdlock(r->ctx.st);
    while (r->next < r->end && n < STREAM_BATCH) {
        int64_t i = r->ids ? r->ids[r->next] : r->next;

        r->next++;
        if (!sim_person_locked(&r->ctx, i, &p) || !report_wants(r, &p))
            continue;
        render_report_employee(r, &p, out);
        n++;
    }
    state_unlock(r->ctx.st);
    if (r->next < r->end)
        return 1;
    sbuf_adds(out, r->fmt == FMT_JSON ? "]}" : "</employees></report>");
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

static int id_to_index(const char *id, int64_t *index);

static void custom_report(const struct sim_ctx *ctx, const struct http_req *req,
                          struct http_resp *resp)
{
    const char *ct = http_header(req, "Content-Type");
    struct report *r = NULL;
    json_error_t jerr;
    json_t *root = NULL, *fields, *filters, *item, *lc, *ids;
    enum fmt fmt;
    size_t i;
    char name[80];
    const char *type, *title;

    if (!ct || strcmp(ct, "application/json") != 0) {
        reply_error(resp, 400, "Invalid request: Content-Type must be application/json");
        goto out;
    }
    if (pick_format(req, 1, &fmt)) {
        reply_error(resp, 404, "Unsupported format");
        goto out;
    }
    root = json_loadb(req->body, req->body_len, 0, &jerr);
    fields = json_object_get(root, "fields");
    if (!root || !json_is_object(root) || !json_is_array(fields)) {
        reply_error(resp, 400, "Invalid request body");
        goto out;
    }
    if (json_array_size(fields) > BAMBOOHR_MAX_FIELDS) {
        reply_error(resp, 400, "Too many fields requested (maximum 400)");
        goto out;
    }
    r = calloc(1, sizeof(*r));
    if (!r)
        abort();
    r->ctx = *ctx;
    r->fmt = fmt;
    r->first = 1;
    r->only_current = http_parse_bool(http_query(req, "onlyCurrent"), 1);
    r->fields = calloc(json_array_size(fields) + 1, sizeof(*r->fields));
    if (!r->fields)
        abort();
    json_array_foreach (fields, i, item) {
        struct rfield *f = &r->fields[r->n_fields];

        if (!json_is_string(item) || !strcmp(json_string_value(item), "id"))
            continue;
        if (resolve_field(ctx->gen, json_string_value(item), &f->std, &f->k))
            continue; /* unknown fields are silently dropped */
        f->key = strdup(json_string_value(item));
        if (!f->key)
            abort();
        r->n_fields++;
    }
    filters = json_object_get(root, "filters");
    lc = json_object_get(filters, "lastChanged");
    if (json_is_object(lc) && json_is_string(json_object_get(lc, "value"))) {
        if (gen_parse_time(json_string_value(json_object_get(lc, "value")), &r->changed_since)) {
            reply_error(resp, 400, "Invalid lastChanged filter");
            goto out;
        }
        r->has_changed = 1;
    }
    ids = json_object_get(filters, "employeeIds");
    if (json_is_array(ids)) {
        if (json_array_size(ids) > MAX_IDS) {
            reply_error(resp, 400, "Too many employeeIds");
            goto out;
        }
        r->ids = calloc(json_array_size(ids) + 1, sizeof(*r->ids));
        if (!r->ids)
            abort();
        json_array_foreach (ids, i, item) {
            char tmp[32];
            int64_t index;

            if (json_is_integer(item))
                snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(item));
            else if (json_is_string(item))
                snprintf(tmp, sizeof(tmp), "%s", json_string_value(item));
            else
                continue;
            if (!id_to_index(tmp, &index))
                r->ids[r->n_ids++] = index;
        }
        qsort(r->ids, r->n_ids, sizeof(*r->ids), cmp_i64);
        r->end = (int64_t)r->n_ids;
    } else {
        state_rdlock(ctx->st);
        r->end = state_end_locked(ctx->st, ctx->gen->employees);
        state_unlock(ctx->st);
    }

    title = json_string_value(json_object_get(root, "title"));
    if (!title)
        title = "Report";
    if (fmt == FMT_JSON) {
        resp->content_type = "application/json";
        sbuf_adds(&resp->body, "{\"title\":");
        sbuf_add_jstr(&resp->body, title);
        sbuf_adds(&resp->body, ",\"fields\":[");
        for (int k = 0; k < r->n_fields; k++) {
            rfield_meta(ctx->gen, &r->fields[k], &type, name, sizeof(name));
            if (k)
                sbuf_addc(&resp->body, ',');
            sbuf_adds(&resp->body, "{\"id\":");
            sbuf_add_jstr(&resp->body, r->fields[k].key);
            sbuf_adds(&resp->body, ",\"type\":");
            sbuf_add_jstr(&resp->body, type);
            sbuf_adds(&resp->body, ",\"name\":");
            sbuf_add_jstr(&resp->body, name);
            sbuf_addc(&resp->body, '}');
        }
        sbuf_adds(&resp->body, "],\"employees\":[");
    } else {
        resp->content_type = "text/xml; charset=UTF-8";
        sbuf_adds(&resp->body, "<?xml version=\"1.0\"?>\n<report><title>");
        sbuf_add_xml(&resp->body, title);
        sbuf_adds(&resp->body, "</title><fields>");
        for (int k = 0; k < r->n_fields; k++) {
            rfield_meta(ctx->gen, &r->fields[k], &type, name, sizeof(name));
            sbuf_adds(&resp->body, "<field id=\"");
            sbuf_add_xml(&resp->body, r->fields[k].key);
            sbuf_adds(&resp->body, "\" type=\"");
            sbuf_add_xml(&resp->body, type);
            sbuf_adds(&resp->body, "\">");
            sbuf_add_xml(&resp->body, name);
            sbuf_adds(&resp->body, "</field>");
        }
        sbuf_adds(&resp->body, "</fields><employees>");
    }
    http_stream_take(resp, report_fill, report_free, r);
    r = NULL;
out:
    if (r)
        report_free(r);
    json_decref(root);
}

/* ------------------------------------------------------------------------ */
/* Directory (streamed) */

static const int dir_fields[] = {F_DISPLAY_NAME,   F_FIRST_NAME, F_LAST_NAME,
                                 F_PREFERRED_NAME, F_JOB_TITLE,  F_WORK_EMAIL,
                                 F_DEPARTMENT,     F_LOCATION,   F_DIVISION};
#define N_DIR_FIELDS (int)(sizeof(dir_fields) / sizeof(dir_fields[0]))

struct directory {
    struct sim_ctx ctx;
    enum fmt fmt;
    int only_current;
    int64_t next, end;
    int first;
};

static int directory_fill(void *cls, struct sbuf *out)
{
    struct directory *d = cls;
    struct gen_person p;
    char buf[128];
    int n = 0;

    state_rdlock(d->ctx.st);
    while (d->next < d->end && n < STREAM_BATCH) {
        if (!sim_person_locked(&d->ctx, d->next++, &p))
            continue;
        if (d->only_current && (p.status == GEN_INACTIVE || p.status == GEN_ONBOARDING))
            continue;
        n++;
        if (d->fmt == FMT_JSON) {
            if (!d->first)
                sbuf_addc(out, ',');
            sbuf_adds(out, "{\"id\":\"");
            sbuf_add_i64(out, BAMBOOHR_ID_BASE + p.index);
            sbuf_addc(out, '"');
            for (int i = 0; i < N_DIR_FIELDS; i++) {
                sbuf_addc(out, ',');
                sbuf_add_jstr(out, std_fields[dir_fields[i]].alias);
                sbuf_addc(out, ':');
                sbuf_add_jstr(out, std_value(&p, dir_fields[i], buf, sizeof(buf)));
            }
            sbuf_adds(out, ",\"workPhone\":null,\"mobilePhone\":null,\"pronouns\":null,"
                           "\"workPhoneExtension\":null,\"photoUploaded\":false,\"photoUrl\":"
                           "\"https://resources.bamboohr.com/images/photo_person_150x150.png\","
                           "\"canUploadPhoto\":1}");
        } else {
            sbuf_adds(out, "<employee id=\"");
            sbuf_add_i64(out, BAMBOOHR_ID_BASE + p.index);
            sbuf_adds(out, "\">");
            for (int i = 0; i < N_DIR_FIELDS; i++) {
                sbuf_adds(out, "<field id=\"");
                sbuf_adds(out, std_fields[dir_fields[i]].alias);
                sbuf_adds(out, "\">");
                sbuf_add_xml(out, std_value(&p, dir_fields[i], buf, sizeof(buf)));
                sbuf_adds(out, "</field>");
            }
            sbuf_adds(out, "</employee>");
        }
        d->first = 0;
    }
    state_unlock(d->ctx.st);
    if (d->next < d->end)
        return 1;
    sbuf_adds(out, d->fmt == FMT_JSON ? "]}" : "</employees></directory>");
    return 0;
}

static void directory(const struct sim_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    struct directory *d = calloc(1, sizeof(*d));

    if (!d)
        abort();
    d->ctx = *ctx;
    pick_format(req, 0, &d->fmt);
    d->only_current = http_parse_bool(http_query(req, "onlyCurrent"), 1);
    d->first = 1;
    state_rdlock(ctx->st);
    d->end = state_end_locked(ctx->st, ctx->gen->employees);
    state_unlock(ctx->st);
    if (d->fmt == FMT_JSON) {
        resp->content_type = "application/json";
        sbuf_adds(&resp->body, "{\"fields\":[");
        for (int i = 0; i < N_DIR_FIELDS; i++) {
            const struct bfield *f = &std_fields[dir_fields[i]];

            sbuf_printf(&resp->body, "%s{\"id\":\"%s\",\"type\":\"%s\",\"name\":\"%s\"}",
                        i ? "," : "", f->alias, f->type, f->name);
        }
        sbuf_adds(&resp->body, "],\"employees\":[");
    } else {
        resp->content_type = "text/xml; charset=UTF-8";
        sbuf_adds(&resp->body, "<?xml version=\"1.0\"?>\n<directory><fieldset>");
        for (int i = 0; i < N_DIR_FIELDS; i++) {
            const struct bfield *f = &std_fields[dir_fields[i]];

            sbuf_printf(&resp->body, "<field id=\"%s\">%s</field>", f->alias, f->name);
        }
        sbuf_adds(&resp->body, "</fieldset><employees>");
    }
    http_stream_take(resp, directory_fill, free, d);
}

/* ------------------------------------------------------------------------ */
/* Single employee */

struct fields_list {
    char names[BAMBOOHR_MAX_FIELDS + 1][64];
    int n;
};

static void get_employee(const struct sim_ctx *ctx, const struct http_req *req, const char *idstr,
                         struct http_resp *resp)
{
    struct fields_list *fl = NULL;
    const char *fs = http_query(req, "fields");
    const char *v;
    char buf[512];
    int64_t index;
    struct gen_person p;
    enum fmt fmt;
    int found;

    pick_format(req, 0, &fmt);
    if (!strcmp(idstr, "0")) {
        index = 0;
    } else if (id_to_index(idstr, &index)) {
        reply_error(resp, 404, "Employee not found");
        return;
    }
    fl = calloc(1, sizeof(*fl));
    if (!fl)
        abort();
    while (fs && *fs) {
        const char *comma = strchr(fs, ',');
        size_t len = comma ? (size_t)(comma - fs) : strlen(fs);

        if (fl->n > BAMBOOHR_MAX_FIELDS) {
            reply_error(resp, 400, "Too many fields requested (maximum 400)");
            goto out;
        }
        if (len && len < sizeof(fl->names[0]))
            snprintf(fl->names[fl->n++], sizeof(fl->names[0]), "%.*s", (int)len, fs);
        fs = comma ? comma + 1 : NULL;
    }
    if (fl->n > BAMBOOHR_MAX_FIELDS) {
        reply_error(resp, 400, "Too many fields requested (maximum 400)");
        goto out;
    }
    state_rdlock(ctx->st);
    found = sim_person_locked(ctx, index, &p);
    state_unlock(ctx->st);
    if (!found) {
        reply_error(resp, 404, "Employee not found");
        goto out;
    }
    if (fmt == FMT_JSON) {
        resp->content_type = "application/json";
        sbuf_printf(&resp->body, "{\"id\":\"%lld\"", (long long)(BAMBOOHR_ID_BASE + index));
    } else {
        resp->content_type = "text/xml; charset=UTF-8";
        sbuf_printf(&resp->body, "<?xml version=\"1.0\"?>\n<employee id=\"%lld\">",
                    (long long)(BAMBOOHR_ID_BASE + index));
    }
    for (int i = 0; i < fl->n; i++) {
        if (bamboohr_field_value(ctx->gen, &p, fl->names[i], buf, sizeof(buf), &v))
            continue;
        if (fmt == FMT_JSON) {
            sbuf_addc(&resp->body, ',');
            sbuf_add_jstr(&resp->body, fl->names[i]);
            sbuf_addc(&resp->body, ':');
            sbuf_add_jstr(&resp->body, v);
        } else {
            sbuf_adds(&resp->body, "<field id=\"");
            sbuf_add_xml(&resp->body, fl->names[i]);
            sbuf_adds(&resp->body, "\">");
            sbuf_add_xml(&resp->body, v);
            sbuf_adds(&resp->body, "</field>");
        }
    }
    sbuf_adds(&resp->body, fmt == FMT_JSON ? "}" : "</employee>");
out:
    free(fl);
}

/* ------------------------------------------------------------------------ */
/* Metadata */

static void meta_fields(const struct sim_ctx *ctx, const struct http_req *req,
                        struct http_resp *resp)
{
    struct gen_field f;
    struct sbuf *b = &resp->body;
    enum fmt fmt;

    pick_format(req, 0, &fmt);
    if (fmt == FMT_JSON) {
        resp->content_type = "application/json";
        sbuf_addc(b, '[');
        for (int i = 0; i < F_COUNT; i++)
            sbuf_printf(b, "%s{\"id\":%d,\"name\":\"%s\",\"type\":\"%s\",\"alias\":\"%s\"}",
                        i ? "," : "", i + 1, std_fields[i].name, std_fields[i].type,
                        std_fields[i].alias);
        for (int k = 0; k < ctx->gen->custom_fields; k++) {
            gen_field(ctx->gen, k, &f);
            sbuf_printf(b, ",{\"id\":%d,\"name\":", BAMBOOHR_FIELD_BASE + k);
            sbuf_add_jstr(b, f.label);
            sbuf_printf(b, ",\"type\":\"%s\"", ftype_names[f.type]);
            if (custom_has_alias(k))
                sbuf_printf(b, ",\"alias\":\"custom%s\"", f.camel);
            sbuf_addc(b, '}');
        }
        sbuf_addc(b, ']');
        return;
    }
    resp->content_type = "text/xml; charset=UTF-8";
    sbuf_adds(b, "<?xml version=\"1.0\"?>\n<fields>");
    for (int i = 0; i < F_COUNT; i++)
        sbuf_printf(b, "<field id=\"%d\" type=\"%s\" alias=\"%s\">%s</field>", i + 1,
                    std_fields[i].type, std_fields[i].alias, std_fields[i].name);
    for (int k = 0; k < ctx->gen->custom_fields; k++) {
        gen_field(ctx->gen, k, &f);
        sbuf_printf(b, "<field id=\"%d\" type=\"%s\"", BAMBOOHR_FIELD_BASE + k,
                    ftype_names[f.type]);
        if (custom_has_alias(k))
            sbuf_printf(b, " alias=\"custom%s\"", f.camel);
        sbuf_addc(b, '>');
        sbuf_add_xml(b, f.label);
        sbuf_adds(b, "</field>");
    }
    sbuf_adds(b, "</fields>");
}

static void list_entry(struct sbuf *b, int first, int field_id, const char *alias, const char *name,
                       int multiple, const char *const *opts, int n)
{
    if (!first)
        sbuf_addc(b, ',');
    sbuf_printf(b, "{\"fieldId\":%d,", field_id);
    if (alias)
        sbuf_printf(b, "\"alias\":\"%s\",", alias);
    sbuf_printf(b, "\"manageable\":\"yes\",\"multiple\":\"%s\",\"name\":", multiple ? "yes" : "no");
    sbuf_add_jstr(b, name);
    sbuf_adds(b, ",\"options\":[");
    for (int j = 0; j < n; j++) {
        sbuf_printf(b, "%s{\"id\":%d,\"archived\":\"no\",\"name\":", j ? "," : "", j + 1);
        sbuf_add_jstr(b, opts[j]);
        sbuf_addc(b, '}');
    }
    sbuf_adds(b, "]}");
}

static void meta_lists(const struct sim_ctx *ctx, struct http_resp *resp)
{
    static const char *const emp_status[] = {"Full-Time", "Part-Time", "Contractor", "Terminated"};
    struct sbuf *b = &resp->body;
    struct gen_field f;
    char alias[80];
    char opts[GEN_MAX_OPTIONS][64];
    const char *ptrs[GEN_MAX_OPTIONS];

    resp->content_type = "application/json";
    sbuf_addc(b, '[');
    list_entry(b, 1, F_JOB_TITLE + 1, "jobTitle", "Job Title", 0, gen_titles, GEN_N_TITLES);
    list_entry(b, 0, F_DEPARTMENT + 1, "department", "Department", 0, gen_departments,
               GEN_N_DEPARTMENTS);
    list_entry(b, 0, F_DIVISION + 1, "division", "Division", 0, gen_entities, GEN_N_ENTITIES);
    list_entry(b, 0, F_LOCATION + 1, "location", "Location", 0, gen_offices, GEN_N_OFFICES);
    list_entry(b, 0, F_EMPLOYMENT_STATUS + 1, "employmentHistoryStatus", "Employment Status", 0,
               emp_status, 4);
    for (int k = 0; k < ctx->gen->custom_fields; k++) {
        gen_field(ctx->gen, k, &f);
        if (f.type != GEN_F_SELECT && f.type != GEN_F_MULTI)
            continue;
        for (int j = 0; j < f.n_options && j < GEN_MAX_OPTIONS; j++) {
            gen_option(&f, j, opts[j], sizeof(opts[j]));
            ptrs[j] = opts[j];
        }
        snprintf(alias, sizeof(alias), "custom%s", f.camel);
        list_entry(b, 0, BAMBOOHR_FIELD_BASE + k, custom_has_alias(k) ? alias : NULL, f.label,
                   f.type == GEN_F_MULTI, ptrs, f.n_options);
    }
    sbuf_addc(b, ']');
}

/* ------------------------------------------------------------------------ */
/* Changed feed (streamed) */

enum { CH_INSERTED = 1, CH_UPDATED = 2, CH_DELETED = 4 };

struct changed {
    struct sim_ctx ctx;
    int64_t since;
    int types;
    int64_t next, end;
    size_t del_next;
    int first;
};

static int changed_action_locked(const struct changed *c, int64_t i, int64_t *at)
{
    uint32_t version;
    int64_t mod;
    if (state_deleted_locked(c->ctx.st, i, NULL))
        return 0;
    if (!state_version_locked(c->ctx.st, i, &version, &mod))
        mod = gen_modified_at(c->ctx.gen, i);
    if (mod < c->since)
        return 0;
    *at = mod;
    /* Added after start, or created in the window: an insert. */
    if (i >= c->ctx.gen->employees)
        return CH_INSERTED;
    return CH_UPDATED;
}

static void changed_entry(struct changed *c, struct sbuf *out, int64_t i, const char *action,
                          int64_t at)
{
    char ts[32];

    if (!c->first)
        sbuf_addc(out, ',');
    c->first = 0;
    gen_fmt_ts_utc_offset(at, ts);
    sbuf_printf(out, "\"%lld\":{\"id\":\"%lld\",\"action\":\"%s\",\"lastChanged\":\"%s\"}",
                (long long)(BAMBOOHR_ID_BASE + i), (long long)(BAMBOOHR_ID_BASE + i), action, ts);
}

static int changed_fill(void *cls, struct sbuf *out)
{
    struct changed *c = cls;
    int n = 0, action;
    int64_t at;

    state_rdlock(c->ctx.st);
    while (c->next < c->end && n < 1024) {
        int64_t i = c->next++;

        action = changed_action_locked(c, i, &at);
        if (!(action & c->types))
            continue;
        changed_entry(c, out, i, action == CH_INSERTED ? "Inserted" : "Updated", at);
        n++;
    }
    if (c->next >= c->end && (c->types & CH_DELETED)) {
        size_t nd;
        const struct state_del *del = state_deleted_list_locked(c->ctx.st, &nd);

        for (; c->del_next < nd; c->del_next++) {
            if (del[c->del_next].deleted_at >= c->since)
                changed_entry(c, out, del[c->del_next].index, "Deleted",
                              del[c->del_next].deleted_at);
        }
    }
    state_unlock(c->ctx.st);
    if (c->next < c->end)
        return 1;
    sbuf_adds(out, "}}");
    return 0;
}

static void changed(const struct sim_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    const char *since = http_query(req, "since");
    const char *type = http_query(req, "type");
    struct changed *c;
    int64_t latest = 0, at, t;
    char ts[32];
    size_t nd;
    const struct state_del *del;

    if (!since || gen_parse_time(since, &t)) {
        reply_error(resp, 400, "Invalid or missing since parameter");
        return;
    }
    c = calloc(1, sizeof(*c));
    if (!c)
        abort();
    c->ctx = *ctx;
    c->since = t;
    c->first = 1;
    c->types = CH_INSERTED | CH_UPDATED | CH_DELETED;
    if (type && !strcasecmp(type, "inserted"))
        c->types = CH_INSERTED;
    else if (type && !strcasecmp(type, "updated"))
        c->types = CH_UPDATED;
    else if (type && !strcasecmp(type, "deleted"))
        c->types = CH_DELETED;
    state_rdlock(ctx->st);
    c->end = state_end_locked(ctx->st, ctx->gen->employees);
    for (int64_t i = 0; i < c->end; i++) {
        int action = changed_action_locked(c, i, &at);

        if ((action & c->types) && at > latest)
            latest = at;
    }
    del = state_deleted_list_locked(ctx->st, &nd);
    for (size_t i = 0; (c->types & CH_DELETED) && i < nd; i++)
        if (del[i].deleted_at >= c->since && del[i].deleted_at > latest)
            latest = del[i].deleted_at;
    state_unlock(ctx->st);
    if (!latest)
        latest = c->since;
    gen_fmt_ts_utc_offset(latest, ts);
    resp->content_type = "application/json";
    sbuf_printf(&resp->body, "{\"latest\":\"%s\",\"employees\":{", ts);
    http_stream_take(resp, changed_fill, free, c);
}

/* ------------------------------------------------------------------------ */
/* Time off */

static void time_off_types(struct http_resp *resp)
{
    static const char *const icons[] = {"palm-trees", "medical", "baby", "calendar", "books"};

    resp->content_type = "application/json";
    sbuf_adds(&resp->body, "{\"timeOffTypes\":[");
    for (int t = 0; t < GEN_N_ABSENCE_TYPES; t++) {
        sbuf_printf(&resp->body, "%s{\"id\":\"%d\",\"name\":", t ? "," : "",
                    BAMBOOHR_TYPE_BASE + t);
        sbuf_add_jstr(&resp->body, gen_absence_types[t].name);
        sbuf_printf(&resp->body, ",\"units\":\"days\",\"color\":null,\"icon\":\"%s\"}", icons[t]);
    }
    sbuf_adds(&resp->body, "],\"defaultHours\":[{\"name\":\"Saturday\",\"amount\":\"0\"},"
                           "{\"name\":\"Sunday\",\"amount\":\"0\"},{\"name\":\"default\","
                           "\"amount\":\"8\"}]}");
}

struct requests {
    struct sim_ctx ctx;
    int start, end;
    int64_t only; /* index or -1 */
    int64_t next, stop;
    int first;
};

static int requests_fill(void *cls, struct sbuf *out)
{
    struct requests *r = cls;
    struct gen_person p;
    struct gen_absence a;
    char d1[16], d2[16], d3[16];
    int n = 0;

    state_rdlock(r->ctx.st);
    while (r->next < r->stop && n < STREAM_BATCH) {
        int64_t i = r->next++;

        if (!sim_person_locked(&r->ctx, i, &p))
            continue;
        for (int slot = 0; slot < GEN_ABSENCES_PER_EMP; slot++) {
            gen_absence(r->ctx.gen, &p, slot, &a);
            if (a.end < r->start || a.start > r->end)
                continue;
            n++;
            gen_fmt_date(a.start, d1);
            gen_fmt_date(a.end, d2);
            gen_fmt_date((int)(a.created_at / 86400), d3);
            sbuf_printf(out,
                        "%s{\"id\":\"%lld\",\"employeeId\":\"%lld\",\"status\":{\"lastChanged\":"
                        "\"%s\",\"lastChangedByUserId\":\"1\",\"status\":\"%s\"},\"name\":",
                        r->first ? "" : ",",
                        (long long)(BAMBOOHR_REQUEST_BASE + i * GEN_ABSENCES_PER_EMP + slot),
                        (long long)(BAMBOOHR_ID_BASE + i), d3, a.status);
            r->first = 0;
            sbuf_add_jstr(out, p.display_name);
            sbuf_printf(out,
                        ",\"start\":\"%s\",\"end\":\"%s\",\"created\":\"%s\",\"type\":{\"id\":"
                        "\"%d\",\"name\":",
                        d1, d2, d3, BAMBOOHR_TYPE_BASE + a.type);
            sbuf_add_jstr(out, gen_absence_types[a.type].name);
            sbuf_adds(out, "},\"amount\":{\"unit\":\"days\",\"amount\":\"");
            sbuf_add_centi(out, (int64_t)a.days * 100 - (a.half_start + a.half_end) * 50);
            sbuf_adds(out, "\"},\"notes\":{}}");
        }
    }
    state_unlock(r->ctx.st);
    if (r->next < r->stop)
        return 1;
    sbuf_addc(out, ']');
    return 0;
}

static void time_off_requests(const struct sim_ctx *ctx, const struct http_req *req,
                              struct http_resp *resp)
{
    const char *s = http_query(req, "start");
    const char *e = http_query(req, "end");
    const char *emp = http_query(req, "employeeId");
    int64_t t1, t2, index = -1;
    struct requests *r;

    if (!s || !e || gen_parse_time(s, &t1) || gen_parse_time(e, &t2)) {
        reply_error(resp, 400, "start and end (YYYY-MM-DD) are required");
        return;
    }
    if (emp && id_to_index(emp, &index)) {
        reply_error(resp, 400, "Invalid employeeId");
        return;
    }
    r = calloc(1, sizeof(*r));
    if (!r)
        abort();
    r->ctx = *ctx;
    r->start = (int)(t1 / 86400);
    r->end = (int)(t2 / 86400);
    r->first = 1;
    state_rdlock(ctx->st);
    r->stop = state_end_locked(ctx->st, ctx->gen->employees);
    state_unlock(ctx->st);
    if (index >= 0) {
        r->next = index;
        r->stop = index < r->stop ? index + 1 : index;
    }
    resp->content_type = "application/json";
    sbuf_addc(&resp->body, '[');
    http_stream_take(resp, requests_fill, free, r);
}

static void time_off_calculator(const struct sim_ctx *ctx, const char *idstr,
                                struct http_resp *resp)
{
    int64_t index;
    struct gen_person p;
    int found = 0;

    if (!id_to_index(idstr, &index)) {
        state_rdlock(ctx->st);
        found = sim_person_locked(ctx, index, &p);
        state_unlock(ctx->st);
    }
    if (!found) {
        reply_error(resp, 404, "Employee not found");
        return;
    }
    resp->content_type = "application/json";
    sbuf_addc(&resp->body, '[');
    for (int t = 0; t < GEN_N_ABSENCE_TYPES; t++) {
        sbuf_printf(&resp->body, "%s{\"timeOffType\":\"%d\",\"name\":", t ? "," : "",
                    BAMBOOHR_TYPE_BASE + t);
        sbuf_add_jstr(&resp->body, gen_absence_types[t].name);
        sbuf_adds(&resp->body, ",\"units\":\"days\",\"balance\":\"");
        sbuf_add_centi(&resp->body, gen_balance(ctx->gen, &p, t));
        sbuf_printf(&resp->body, "\",\"policyType\":\"%s\"}", t == 0 ? "accruing" : "manual");
    }
    sbuf_addc(&resp->body, ']');
}

/* ------------------------------------------------------------------------ */
/* Routing */

/* Strips /api/gateway.php/<domain>, /api, leaving "/v1/...". NULL when the
 * company domain is not ours. */
static const char *api_path(const char *path)
{
    const char *gw = "/api/gateway.php/";

    if (!strncmp(path, gw, strlen(gw))) {
        const char *d = path + strlen(gw);
        const char *slash = strchr(d, '/');

        if (!slash || (size_t)(slash - d) != strlen(DOMAIN) || strncmp(d, DOMAIN, strlen(DOMAIN)))
            return NULL;
        return slash;
    }
    if (!strncmp(path, "/api/v1/", 8))
        return path + 4;
    return path;
}

static int is_data(const struct http_req *req)
{
    (void)req;
    return 1;
}

static void handle(const struct sim_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    const char *path = api_path(req->path);
    int get = !strcmp(req->method, "GET");
    const char *emp = "/v1/employees/";

    if (!path) {
        reply_error(resp, 404, "Company not found");
        return;
    }
    if (!authorized(req, resp))
        return;
    if (!strcmp(path, "/v1/reports/custom") && !strcmp(req->method, "POST")) {
        custom_report(ctx, req, resp);
    } else if (get && !strcmp(path, "/v1/employees/directory")) {
        directory(ctx, req, resp);
    } else if (get && !strcmp(path, "/v1/employees/changed")) {
        changed(ctx, req, resp);
    } else if (get && !strcmp(path, "/v1/meta/fields")) {
        meta_fields(ctx, req, resp);
    } else if (get && !strcmp(path, "/v1/meta/lists")) {
        meta_lists(ctx, resp);
    } else if (get && !strcmp(path, "/v1/meta/time_off/types")) {
        time_off_types(resp);
    } else if (get && !strcmp(path, "/v1/time_off/requests")) {
        time_off_requests(ctx, req, resp);
    } else if (get && !strncmp(path, emp, strlen(emp))) {
        char id[32];
        const char *rest = path + strlen(emp);
        const char *slash = strchr(rest, '/');
        size_t len = slash ? (size_t)(slash - rest) : strlen(rest);

        if (!len || len >= sizeof(id)) {
            reply_error(resp, 404, "Employee not found");
            return;
        }
        snprintf(id, sizeof(id), "%.*s", (int)len, rest);
        if (!slash)
            get_employee(ctx, req, id, resp);
        else if (!strcmp(slash, "/time_off/calculator"))
            time_off_calculator(ctx, id, resp);
        else
            reply_error(resp, 404, "Not found");
    } else {
        reply_error(resp, 404, "Not found");
    }
}

static void throttle(const struct sim_ctx *ctx, int status, int retry_after, struct http_resp *resp)
{
    char ra[16];

    (void)ctx;
    reply_error(resp, status, "Rate limit exceeded");
    snprintf(ra, sizeof(ra), "%d", retry_after > 0 ? retry_after : 1);
    http_add_header(resp, "Retry-After", ra);
}

static void error(const struct sim_ctx *ctx, int status, struct http_resp *resp)
{
    (void)ctx;
    reply_error(resp, status, status == 503 ? "Service Unavailable" : "Internal Server Error");
}

static int id_to_index(const char *id, int64_t *index)
{
    long long n;

    if (http_parse_int(id, BAMBOOHR_ID_BASE, BAMBOOHR_ID_BASE + 2 * GEN_MAX_EMPLOYEES, &n))
        return SIM_ERR_INVALID;
    *index = n - BAMBOOHR_ID_BASE;
    return SIM_OK;
}

static void index_to_id(int64_t index, char *out, size_t outlen)
{
    snprintf(out, outlen, "%lld", (long long)(BAMBOOHR_ID_BASE + index));
}

const struct vendor bamboohr_vendor = {
    "bamboohr", is_data, handle, throttle, error, id_to_index, index_to_id,
};
