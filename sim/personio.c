/*
 * personio — simulated Personio v1 (see personio.h and sim/README.md).
 */
#include "personio.h"

#include "simerr.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SEL        64
#define STREAM_BATCH   64
#define TIMEOFF_MAX    200
#define TOKEN_LIFETIME 86400
#define CLIENT_ID      "sim-client"
#define CLIENT_SECRET  "sim-secret"
#define CLIENT_LIMITED "sim-client-limited" /* whitelist without salary and birthday */
#define MSG_NOT_FOUND  "Die angeforderte Ressource wurde nicht gefunden"

/* ------------------------------------------------------------------------ */
/* Attributes */

enum {
    A_ID,
    A_FIRST_NAME,
    A_LAST_NAME,
    A_PREFERRED_NAME,
    A_EMAIL,
    A_GENDER,
    A_STATUS,
    A_POSITION,
    A_EMPLOYMENT_TYPE,
    A_WEEKLY_HOURS,
    A_HIRE_DATE,
    A_TERMINATION_DATE,
    A_TERMINATION_TYPE,
    A_TERMINATION_REASON,
    A_CREATED_AT,
    A_LAST_MODIFIED_AT,
    A_SUPERVISOR,
    A_DEPARTMENT,
    A_OFFICE,
    A_SUBCOMPANY,
    A_FIX_SALARY,
    A_DOB,
    A_COUNT
};

struct pattr {
    const char *key, *label, *type, *uid;
};

static const struct pattr std_attrs[A_COUNT] = {
    {"id", "ID", "integer", "id"},
    {"first_name", "First name", "standard", "first_name"},
    {"last_name", "Last name", "standard", "last_name"},
    {"preferred_name", "Name (preferred)", "standard", "preferred_name"},
    {"email", "Email", "standard", "email"},
    {"gender", "Gender", "standard", "gender"},
    {"status", "Status", "standard", "status"},
    {"position", "Position", "standard", "position"},
    {"employment_type", "Employment type", "standard", "employment_type"},
    {"weekly_working_hours", "Weekly hours", "standard", "weekly_working_hours"},
    {"hire_date", "Hire date", "date", "hire_date"},
    {"termination_date", "Termination date", "date", "termination_date"},
    {"termination_type", "Termination type", "standard", "termination_type"},
    {"termination_reason", "Termination reason", "standard", "termination_reason"},
    {"created_at", "Created at", "date", "created_at"},
    {"last_modified_at", "Last modified", "date", "last_modified_at"},
    {"supervisor", "Supervisor", "standard", "supervisor"},
    {"department", "Department", "standard", "department"},
    {"office", "Office", "standard", "office"},
    {"subcompany", "Subcompany", "standard", "subcompany"},
    {"fix_salary", "Fix salary", "decimal", "fix_salary"},
    {PERSONIO_DOB_KEY, "Birthday", "date", "date_of_birth"},
};

static const char *const ftype_names[GEN_F_COUNT] = {
    "standard", "decimal", "date", "list", "tags", "list", "decimal",
};

static const char *const status_names[] = {"active", "onboarding", "leave", "inactive"};
static const char *const gender_names[] = {"female", "male", "diverse"};

static int hidden(const char *key, int limited)
{
    return limited && (!strcmp(key, "fix_salary") || !strcmp(key, PERSONIO_DOB_KEY));
}

static int selected(const char *key, const char *const *sel, int n_sel)
{
    if (!sel)
        return 1;
    if (!strcmp(key, "id"))
        return 1;
    for (int i = 0; i < n_sel; i++)
        if (!strcmp(sel[i], key))
            return 1;
    return 0;
}

static void attr_open(struct sbuf *b, int *first, const char *key, const char *label)
{
    if (!*first)
        sbuf_addc(b, ',');
    *first = 0;
    sbuf_addc(b, '"');
    sbuf_adds(b, key);
    sbuf_adds(b, "\":{\"label\":");
    sbuf_add_jstr(b, label);
    sbuf_adds(b, ",\"value\":");
}

static void attr_close(struct sbuf *b, const char *type, const char *uid)
{
    sbuf_adds(b, ",\"type\":\"");
    sbuf_adds(b, type);
    sbuf_adds(b, "\",\"universal_id\":");
    if (uid) {
        sbuf_addc(b, '"');
        sbuf_adds(b, uid);
        sbuf_addc(b, '"');
    } else {
        sbuf_adds(b, "null");
    }
    sbuf_addc(b, '}');
}

static void id_attr_value(struct sbuf *b, int64_t id)
{
    sbuf_adds(b, "{\"label\":\"ID\",\"value\":");
    sbuf_add_i64(b, id);
    sbuf_adds(b, ",\"type\":\"integer\",\"universal_id\":\"id\"}");
}

static void named_object(struct sbuf *b, const char *type, int64_t id, const char *name)
{
    sbuf_adds(b, "{\"type\":\"");
    sbuf_adds(b, type);
    sbuf_adds(b, "\",\"attributes\":{\"id\":");
    sbuf_add_i64(b, id);
    sbuf_adds(b, ",\"name\":");
    sbuf_add_jstr(b, name);
    sbuf_adds(b, "}}");
}

static void std_value(const struct gen_person *p, int a, struct sbuf *b)
{
    char tmp[32];

    switch (a) {
    case A_ID:
        sbuf_add_i64(b, PERSONIO_ID_BASE + p->index);
        break;
    case A_FIRST_NAME:
        sbuf_add_jstr(b, p->first_name);
        break;
    case A_LAST_NAME:
        sbuf_add_jstr(b, p->last_name);
        break;
    case A_PREFERRED_NAME:
        sbuf_add_jstr(b, p->display_name);
        break;
    case A_EMAIL:
        sbuf_add_jstr(b, p->email);
        break;
    case A_GENDER:
        sbuf_add_jstr(b, gender_names[p->gender]);
        break;
    case A_STATUS:
        sbuf_add_jstr(b, status_names[p->status]);
        break;
    case A_POSITION:
        sbuf_add_jstr(b, p->title);
        break;
    case A_EMPLOYMENT_TYPE:
        sbuf_add_jstr(b, p->emp_type == GEN_CONTRACTOR ? "external" : "internal");
        break;
    case A_WEEKLY_HOURS:
        snprintf(tmp, sizeof(tmp), "%d", p->weekly_hours);
        sbuf_add_jstr(b, tmp);
        break;
    case A_HIRE_DATE:
        gen_fmt_date_berlin(p->hire, tmp);
        sbuf_add_jstr(b, tmp);
        break;
    case A_TERMINATION_DATE:
        if (p->has_term) {
            gen_fmt_date_berlin(p->term, tmp);
            sbuf_add_jstr(b, tmp);
        } else {
            sbuf_adds(b, "null");
        }
        break;
    case A_TERMINATION_TYPE:
        sbuf_add_jstr(b, p->has_term ? (p->term_voluntary ? "employee" : "employer") : NULL);
        break;
    case A_TERMINATION_REASON:
        sbuf_add_jstr(b, p->has_term ? p->term_reason : NULL);
        break;
    case A_CREATED_AT:
        gen_fmt_ts_berlin(p->created_at, tmp);
        sbuf_add_jstr(b, tmp);
        break;
    case A_LAST_MODIFIED_AT:
        gen_fmt_ts_berlin(p->modified_at, tmp);
        sbuf_add_jstr(b, tmp);
        break;
    case A_SUPERVISOR:
        if (p->manager < 0) {
            sbuf_adds(b, "null");
        } else {
            sbuf_adds(b, "{\"type\":\"Employee\",\"attributes\":{\"id\":");
            id_attr_value(b, PERSONIO_ID_BASE + p->manager);
            sbuf_adds(b, "}}");
        }
        break;
    case A_DEPARTMENT:
        named_object(b, "Department", PERSONIO_DEPT_BASE + p->dept, gen_departments[p->dept]);
        break;
    case A_OFFICE:
        named_object(b, "Office", PERSONIO_OFFICE_BASE + p->office, gen_offices[p->office]);
        break;
    case A_SUBCOMPANY:
        named_object(b, "Subcompany", PERSONIO_SUBCO_BASE + p->entity, gen_entities[p->entity]);
        break;
    case A_FIX_SALARY:
        sbuf_add_i64(b, p->salary);
        break;
    case A_DOB:
        if (p->has_dob) {
            gen_fmt_date(p->dob, tmp);
            sbuf_add_jstr(b, tmp);
        } else {
            sbuf_adds(b, "null");
        }
        break;
    default:
        sbuf_adds(b, "null");
        break;
    }
}

static void custom_value(const struct gen_field *f, const struct gen_value *v, struct sbuf *b)
{
    char tmp[64];
    int first = 1;

    switch (f->type) {
    case GEN_F_TEXT:
        sbuf_add_jstr(b, v->is_null ? NULL : v->text);
        break;
    case GEN_F_NUMBER:
    case GEN_F_MONEY:
        if (v->is_null)
            sbuf_adds(b, "null");
        else
            sbuf_add_centi(b, v->centi);
        break;
    case GEN_F_DATE:
        if (v->is_null) {
            sbuf_adds(b, "null");
        } else {
            gen_fmt_date(v->day, tmp);
            sbuf_add_jstr(b, tmp);
        }
        break;
    case GEN_F_SELECT:
        if (v->is_null) {
            sbuf_adds(b, "\"\"");
        } else {
            gen_option(f, v->option, tmp, sizeof(tmp));
            sbuf_add_jstr(b, tmp);
        }
        break;
    case GEN_F_BOOL:
        sbuf_add_jstr(b, v->is_null ? "" : v->flag ? "Yes" : "No");
        break;
    case GEN_F_MULTI:
        sbuf_addc(b, '"');
        for (int j = 0; !v->is_null && j < f->n_options; j++) {
            if (!(v->mask & (1u << j)))
                continue;
            gen_option(f, j, tmp, sizeof(tmp));
            if (!first)
                sbuf_addc(b, ',');
            first = 0;
            sbuf_adds(b, tmp); /* option names need no escaping */
        }
        sbuf_addc(b, '"');
        break;
    default:
        sbuf_adds(b, "null");
        break;
    }
}

void personio_render_employee(const struct gen_config *gen, const struct gen_person *p,
                              const char *const *sel, int n_sel, int limited, struct sbuf *out)
{
    int first = 1;
    char key[32];
    struct gen_field f;
    struct gen_value v;

    sbuf_adds(out, "{\"type\":\"Employee\",\"attributes\":{");
    for (int a = 0; a < A_COUNT; a++) {
        if (!selected(std_attrs[a].key, sel, n_sel) || hidden(std_attrs[a].key, limited))
            continue;
        attr_open(out, &first, std_attrs[a].key, std_attrs[a].label);
        std_value(p, a, out);
        attr_close(out, std_attrs[a].type, std_attrs[a].uid);
        if (a == A_FIX_SALARY) {
            out->len--; /* reopen the object for the currency key */
            sbuf_adds(out, ",\"currency\":\"EUR\"}");
        }
    }
    for (int k = 0; k < gen->custom_fields; k++) {
        snprintf(key, sizeof(key), "dynamic_%d", PERSONIO_DYN_BASE + k);
        if (!selected(key, sel, n_sel))
            continue;
        gen_field(gen, k, &f);
        gen_field_value(gen, p, &f, &v);
        attr_open(out, &first, key, f.label);
        custom_value(&f, &v, out);
        attr_close(out, ftype_names[f.type], NULL);
        if (f.type == GEN_F_MONEY) {
            out->len--;
            sbuf_adds(out, ",\"currency\":\"EUR\"}");
        }
    }
    sbuf_adds(out, "}}");
}

/* ------------------------------------------------------------------------ */
/* Errors and auth */

static void error_body(struct http_resp *resp, int status, int code, const char *msg)
{
    resp->status = status;
    resp->content_type = "application/json";
    sbuf_reset(&resp->body);
    sbuf_adds(&resp->body, "{\"success\":false,\"error\":{\"code\":");
    sbuf_add_i64(&resp->body, code);
    sbuf_adds(&resp->body, ",\"message\":");
    sbuf_add_jstr(&resp->body, msg);
    sbuf_adds(&resp->body, "}}");
}

static uint64_t token_mac(uint64_t seed, int64_t gen_no, int64_t issued, int limited)
{
    return gen_hash(seed ^ (limited ? 0x7e50a2ULL : 0x7e50a1ULL), (uint64_t)gen_no,
                    (uint64_t)issued);
}

void personio_make_token(uint64_t seed, int64_t gen_no, int64_t now, int limited, char *out,
                         size_t outlen)
{
    snprintf(out, outlen, "papi-%lld-%lld-%016llx", (long long)gen_no, (long long)now,
             (unsigned long long)token_mac(seed, gen_no, now, limited));
}

int personio_check_token(uint64_t seed, int64_t gen_no, int64_t now, const char *token,
                         int *limited)
{
    long long g, issued;
    unsigned long long mac;
    int n = 0;

    if (!token || strlen(token) > 80 ||
        sscanf(token, "papi-%lld-%lld-%16llx%n", &g, &issued, &mac, &n) != 3 || token[n] != '\0')
        return SIM_ERR_UNAUTHORIZED;
    if (g != gen_no || now - issued >= TOKEN_LIFETIME || issued > now + 60)
        return SIM_ERR_UNAUTHORIZED;
    if (mac == token_mac(seed, g, issued, 0))
        *limited = 0;
    else if (mac == token_mac(seed, g, issued, 1))
        *limited = 1;
    else
        return SIM_ERR_UNAUTHORIZED;
    return SIM_OK;
}

/* Returns 1 when the request carries a valid token; otherwise fills the
 * vendor's 401 and returns 0. Echoes the token in the Authorization header. */
static int authorized(const struct sim_ctx *ctx, const struct http_req *req, struct http_resp *resp,
                      int *limited)
{
    const char *h = http_header(req, "Authorization");

    if (!h || !*h) {
        error_body(resp, 401, 401, "Authorization is not provided");
        return 0;
    }
    if (strncasecmp(h, "Bearer ", 7) != 0 ||
        personio_check_token(ctx->opt->seed, state_token_generation(ctx->st), sim_now(), h + 7,
                             limited)) {
        error_body(resp, 401, 401, "Provided authorization is not valid");
        return 0;
    }
    http_add_header(resp, "Authorization", h);
    return 1;
}

static void handle_auth(const struct sim_ctx *ctx, const struct http_req *req,
                        struct http_resp *resp)
{
    char id[128] = "", secret[128] = "", token[96];
    const char *ct = http_header(req, "Content-Type");
    const char *q;

    if (ct && !strncasecmp(ct, "application/json", 16)) {
        json_error_t jerr;
        json_t *root = json_loadb(req->body, req->body_len, 0, &jerr);

        if (root && json_is_string(json_object_get(root, "client_id")))
            snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(root, "client_id")));
        if (root && json_is_string(json_object_get(root, "client_secret")))
            snprintf(secret, sizeof(secret), "%s",
                     json_string_value(json_object_get(root, "client_secret")));
        json_decref(root);
    } else if (req->body_len) {
        http_form_value(req->body, req->body_len, "client_id", id, sizeof(id));
        http_form_value(req->body, req->body_len, "client_secret", secret, sizeof(secret));
    }
    q = http_query(req, "client_id");
    if (!*id && q)
        snprintf(id, sizeof(id), "%s", q);
    q = http_query(req, "client_secret");
    if (!*secret && q)
        snprintf(secret, sizeof(secret), "%s", q);

    if ((strcmp(id, CLIENT_ID) != 0 && strcmp(id, CLIENT_LIMITED) != 0) ||
        strcmp(secret, CLIENT_SECRET) != 0) {
        error_body(resp, 401, 401, "Wrong credentials");
        return;
    }
    personio_make_token(ctx->opt->seed, state_token_generation(ctx->st), sim_now(),
                        !strcmp(id, CLIENT_LIMITED), token, sizeof(token));
    resp->content_type = "application/json";
    sbuf_adds(&resp->body, "{\"success\":true,\"data\":{\"token\":");
    sbuf_add_jstr(&resp->body, token);
    sbuf_adds(&resp->body, ",\"expires_in\":86400,\"scope\":\"employees:read absences:read\"}}");
}

/* ------------------------------------------------------------------------ */
/* Employee list */

struct list_params {
    const char *sel[MAX_SEL];
    int n_sel;
    int has_sel;
};

static int add_sel(void *cls, const char *value)
{
    struct list_params *lp = cls;

    lp->has_sel = 1;
    if (lp->n_sel < MAX_SEL)
        lp->sel[lp->n_sel++] = value;
    return 0;
}

/* Streams every employee modified at or after `since`. */
struct since_stream {
    struct sim_ctx ctx;
    struct gen_config gen;
    int64_t since;
    int64_t next, end;
    int first;
    char **sel;
    int n_sel, has_sel;
    int limited;
};

static void since_free(void *cls)
{
    struct since_stream *s = cls;

    for (int i = 0; i < s->n_sel; i++)
        free(s->sel[i]);
    free(s->sel);
    free(s);
}

static int modified_since_locked(const struct sim_ctx *ctx, int64_t i, int64_t since)
{
    uint32_t version;
    int64_t mod;

    if (state_deleted_locked(ctx->st, i, NULL))
        return 0;
    if (state_version_locked(ctx->st, i, &version, &mod))
        return mod >= since;
    return gen_modified_at(ctx->gen, i) >= since;
}

static int since_fill(void *cls, struct sbuf *out)
{
    struct since_stream *s = cls;
    struct gen_person p;
    int n = 0;

    state_rdlock(s->ctx.st);
    while (s->next < s->end && n < STREAM_BATCH) {
        int64_t i = s->next++;

        if (!modified_since_locked(&s->ctx, i, s->since) || !sim_person_locked(&s->ctx, i, &p))
            continue;
        if (!s->first)
            sbuf_addc(out, ',');
        s->first = 0;
        personio_render_employee(s->ctx.gen, &p, s->has_sel ? (const char *const *)s->sel : NULL,
                                 s->n_sel, s->limited, out);
        n++;
    }
    state_unlock(s->ctx.st);
    if (s->next < s->end)
        return 1;
    sbuf_adds(out, "]}");
    return 0;
}

static void list_since(const struct sim_ctx *ctx, struct list_params *lp, int64_t since,
                       int limited, struct http_resp *resp)
{
    struct since_stream *s = calloc(1, sizeof(*s));
    int64_t total = 0, end;

    if (!s)
        abort();
    state_rdlock(ctx->st);
    end = state_end_locked(ctx->st, ctx->gen->employees);
    for (int64_t i = 0; i < end; i++)
        total += modified_since_locked(ctx, i, since);
    state_unlock(ctx->st);

    s->ctx = *ctx;
    s->limited = limited;
    s->since = since;
    s->next = 0;
    s->end = end;
    s->first = 1;
    s->has_sel = lp->has_sel;
    s->sel = calloc((size_t)lp->n_sel + 1, sizeof(char *));
    if (!s->sel)
        abort();
    for (int i = 0; i < lp->n_sel; i++) {
        s->sel[i] = strdup(lp->sel[i]);
        if (!s->sel[i])
            abort();
    }
    s->n_sel = lp->n_sel;

    resp->content_type = "application/json";
    sbuf_printf(&resp->body,
                "{\"success\":true,\"metadata\":{\"total_elements\":%lld,\"current_page\":0,"
                "\"total_pages\":1},\"offset\":0,\"limit\":%lld,\"data\":[",
                (long long)total, (long long)total);
    http_stream_take(resp, since_fill, since_free, s);
}

/* Index of the person with this work email, or -1. */
static int64_t index_by_email_locked(const struct sim_ctx *ctx, const char *email)
{
    const char *at = strchr(email, '@');
    const char *d = at;
    long long n;
    char num[24];
    struct gen_person p;

    if (!at)
        return -1;
    while (d > email && d[-1] >= '0' && d[-1] <= '9')
        d--;
    if (d == at || at - d > 18)
        return -1;
    snprintf(num, sizeof(num), "%.*s", (int)(at - d), d);
    if (http_parse_int(num, 1, GEN_MAX_EMPLOYEES * 2, &n))
        return -1;
    if (!sim_person_locked(ctx, n - 1, &p) || strcmp(p.email, email) != 0)
        return -1;
    return n - 1;
}

static void list_employees(const struct sim_ctx *ctx, const struct http_req *req, int limited,
                           struct http_resp *resp)
{
    struct list_params lp;
    const char *s;
    long long limit = 50, offset = 0;
    int64_t since, total, pos, i;
    struct gen_person p;
    int n = 0;

    memset(&lp, 0, sizeof(lp));
    http_query_each(req, "attributes[]", add_sel, &lp);
    http_query_each(req, "attributes", add_sel, &lp);

    s = http_query(req, "updated_since");
    if (s) {
        if (gen_parse_time(s, &since)) {
            error_body(resp, 400, 400, "The updated_since parameter is invalid");
            return;
        }
        list_since(ctx, &lp, since, limited, resp);
        return;
    }
    s = http_query(req, "limit");
    if (s && http_parse_int(s, 0, 1000000, &limit)) {
        error_body(resp, 400, 400, "The limit parameter must be a positive integer");
        return;
    }
    if (limit <= 0)
        limit = 50;
    if (limit > PERSONIO_MAX_LIMIT)
        limit = PERSONIO_MAX_LIMIT;
    s = http_query(req, "offset");
    if (s && http_parse_int(s, 0, GEN_MAX_EMPLOYEES * 2, &offset)) {
        error_body(resp, 400, 400, "The offset parameter must be a non-negative integer");
        return;
    }

    resp->content_type = "application/json";
    state_rdlock(ctx->st);
    s = http_query(req, "email");
    if (s) {
        i = index_by_email_locked(ctx, s);
        total = i >= 0 ? 1 : 0;
    } else {
        i = -1;
        total = state_total_locked(ctx->st, ctx->gen->employees);
    }
    sbuf_printf(&resp->body,
                "{\"success\":true,\"metadata\":{\"total_elements\":%lld,\"current_page\":%lld,"
                "\"total_pages\":%lld},\"offset\":%lld,\"limit\":%lld,\"data\":[",
                (long long)total, offset / limit, (total + limit - 1) / limit, offset, limit);
    if (s) {
        if (i >= 0 && offset == 0 && sim_person_locked(ctx, i, &p))
            personio_render_employee(ctx->gen, &p, lp.has_sel ? lp.sel : NULL, lp.n_sel, limited,
                                     &resp->body);
    } else {
        pos = state_nth_locked(ctx->st, ctx->gen->employees, offset);
        for (i = pos; i >= 0 && n < limit && i < state_end_locked(ctx->st, ctx->gen->employees);
             i++) {
            if (!sim_person_locked(ctx, i, &p))
                continue;
            if (n++)
                sbuf_addc(&resp->body, ',');
            personio_render_employee(ctx->gen, &p, lp.has_sel ? lp.sel : NULL, lp.n_sel, limited,
                                     &resp->body);
        }
    }
    state_unlock(ctx->st);
    sbuf_adds(&resp->body, "]}");
}

static int parse_employee_id(const char *s, size_t len, int64_t *index)
{
    char tmp[24];
    long long id;

    if (!len || len >= sizeof(tmp))
        return SIM_ERR_INVALID;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (http_parse_int(tmp, PERSONIO_ID_BASE, PERSONIO_ID_BASE + 2 * GEN_MAX_EMPLOYEES, &id))
        return SIM_ERR_INVALID;
    *index = id - PERSONIO_ID_BASE;
    return SIM_OK;
}

static void get_employee(const struct sim_ctx *ctx, int64_t index, int limited,
                         struct http_resp *resp)
{
    struct gen_person p;
    int found;

    state_rdlock(ctx->st);
    found = sim_person_locked(ctx, index, &p);
    if (found) {
        resp->content_type = "application/json";
        sbuf_adds(&resp->body, "{\"success\":true,\"data\":");
        personio_render_employee(ctx->gen, &p, NULL, 0, limited, &resp->body);
        sbuf_addc(&resp->body, '}');
    }
    state_unlock(ctx->st);
    if (!found)
        error_body(resp, 404, 0, MSG_NOT_FOUND);
}

static void list_attributes(const struct sim_ctx *ctx, int limited, struct http_resp *resp)
{
    struct sbuf *b = &resp->body;
    struct gen_field f;
    char opt[64];
    int n = 0;

    resp->content_type = "application/json";
    sbuf_adds(b, "{\"success\":true,\"data\":[");
    for (int a = 0; a < A_COUNT; a++) {
        if (hidden(std_attrs[a].key, limited))
            continue;
        if (n++)
            sbuf_addc(b, ',');
        sbuf_adds(b, "{\"key\":");
        sbuf_add_jstr(b, std_attrs[a].key);
        sbuf_adds(b, ",\"label\":");
        sbuf_add_jstr(b, std_attrs[a].label);
        sbuf_adds(b, ",\"type\":");
        sbuf_add_jstr(b, std_attrs[a].type);
        sbuf_adds(b, ",\"universal_id\":");
        sbuf_add_jstr(b, std_attrs[a].uid);
        sbuf_adds(b, ",\"options\":[]}");
    }
    for (int k = 0; k < ctx->gen->custom_fields; k++) {
        gen_field(ctx->gen, k, &f);
        sbuf_printf(b, ",{\"key\":\"dynamic_%d\",\"label\":", PERSONIO_DYN_BASE + k);
        sbuf_add_jstr(b, f.label);
        sbuf_adds(b, ",\"type\":");
        sbuf_add_jstr(b, ftype_names[f.type]);
        sbuf_adds(b, ",\"universal_id\":null,\"options\":[");
        if (f.type == GEN_F_BOOL) {
            sbuf_adds(b, "\"Yes\",\"No\"");
        } else {
            for (int j = 0; j < f.n_options; j++) {
                gen_option(&f, j, opt, sizeof(opt));
                if (j)
                    sbuf_addc(b, ',');
                sbuf_add_jstr(b, opt);
            }
        }
        sbuf_adds(b, "]}");
    }
    sbuf_adds(b, "]}");
}

/* ------------------------------------------------------------------------ */
/* Absences */

static void type_object(struct sbuf *b, int t, int full)
{
    sbuf_adds(b, "{\"type\":\"TimeOffType\",\"attributes\":{\"id\":");
    sbuf_add_i64(b, PERSONIO_TYPE_BASE + t);
    sbuf_adds(b, ",\"name\":");
    sbuf_add_jstr(b, gen_absence_types[t].name);
    sbuf_adds(b, ",\"category\":");
    sbuf_add_jstr(b, gen_absence_types[t].category);
    if (full) {
        sbuf_adds(b, ",\"unit\":");
        sbuf_add_jstr(b, gen_absence_types[t].unit);
        sbuf_adds(b, ",\"half_day_requests_enabled\":true,\"certification_required\":");
        sbuf_adds(b, t == 1 ? "true" : "false");
    }
    sbuf_adds(b, "}}");
}

static void list_types(struct http_resp *resp)
{
    resp->content_type = "application/json";
    sbuf_printf(&resp->body,
                "{\"success\":true,\"metadata\":{\"total_elements\":%d,\"current_page\":1,"
                "\"total_pages\":1},\"data\":[",
                GEN_N_ABSENCE_TYPES);
    for (int t = 0; t < GEN_N_ABSENCE_TYPES; t++) {
        if (t)
            sbuf_addc(&resp->body, ',');
        type_object(&resp->body, t, 1);
    }
    sbuf_adds(&resp->body, "]}");
}

static void render_timeoff(const struct gen_person *p, const struct gen_absence *a, struct sbuf *b)
{
    char tmp[32];

    sbuf_adds(b, "{\"type\":\"TimeOffPeriod\",\"attributes\":{\"id\":");
    sbuf_add_i64(b, PERSONIO_ABSENCE_BASE + p->index * GEN_ABSENCES_PER_EMP + a->slot);
    sbuf_adds(b, ",\"status\":");
    sbuf_add_jstr(b, a->status);
    sbuf_adds(b, ",\"comment\":\"\",\"start_date\":");
    gen_fmt_date_berlin(a->start, tmp);
    sbuf_add_jstr(b, tmp);
    sbuf_adds(b, ",\"end_date\":");
    gen_fmt_date_berlin(a->end, tmp);
    sbuf_add_jstr(b, tmp);
    sbuf_adds(b, ",\"days_count\":");
    sbuf_add_centi(b, (int64_t)a->days * 100 - (a->half_start + a->half_end) * 50);
    sbuf_printf(b, ",\"half_day_start\":%d,\"half_day_end\":%d,\"time_off_type\":", a->half_start,
                a->half_end);
    type_object(b, a->type, 0);
    sbuf_adds(b, ",\"employee\":{\"type\":\"Employee\",\"attributes\":{\"id\":");
    id_attr_value(b, PERSONIO_ID_BASE + p->index);
    sbuf_adds(b, ",\"first_name\":{\"label\":\"First name\",\"value\":");
    sbuf_add_jstr(b, p->first_name);
    sbuf_adds(b, ",\"type\":\"standard\",\"universal_id\":\"first_name\"},\"last_name\":{"
                 "\"label\":\"Last name\",\"value\":");
    sbuf_add_jstr(b, p->last_name);
    sbuf_adds(b, ",\"type\":\"standard\",\"universal_id\":\"last_name\"},\"email\":{"
                 "\"label\":\"Email\",\"value\":");
    sbuf_add_jstr(b, p->email);
    sbuf_adds(b, ",\"type\":\"standard\",\"universal_id\":\"email\"}}},\"created_by\":\"API\","
                 "\"certificate\":{\"status\":\"not-required\"},\"created_at\":");
    gen_fmt_ts_berlin(a->created_at, tmp);
    sbuf_add_jstr(b, tmp);
    sbuf_adds(b, ",\"updated_at\":");
    gen_fmt_ts_berlin(a->updated_at, tmp);
    sbuf_add_jstr(b, tmp);
    sbuf_adds(b, "}}");
}

struct timeoff_filter {
    int64_t start, end;   /* days; INT64_MIN/MAX when unset */
    int64_t updated_from; /* instant */
    int64_t emp[MAX_SEL];
    int n_emp;
    int bad;
};

static int add_emp(void *cls, const char *value)
{
    struct timeoff_filter *f = cls;
    int64_t index;

    if (parse_employee_id(value, strlen(value), &index)) {
        f->bad = 1;
        return 1;
    }
    if (f->n_emp < MAX_SEL)
        f->emp[f->n_emp++] = index;
    return 0;
}

static int timeoff_match(const struct timeoff_filter *f, const struct gen_absence *a)
{
    if ((int64_t)a->end < f->start || (int64_t)a->start > f->end)
        return 0;
    if (a->updated_at < f->updated_from)
        return 0;
    if (f->n_emp) {
        for (int i = 0; i < f->n_emp; i++)
            if (f->emp[i] == a->person)
                return 1;
        return 0;
    }
    return 1;
}

/* 1 when f lets every time-off through. */
static int timeoff_unfiltered(const struct timeoff_filter *f)
{
    return f->start == INT64_MIN && f->end == INT64_MAX && f->updated_from == INT64_MIN &&
           !f->n_emp;
}

/* Time-offs: `offset` is a page number starting at 1 (Personio's quirk). */
static void list_timeoffs(const struct sim_ctx *ctx, const struct http_req *req,
                          struct http_resp *resp)
{
    struct timeoff_filter f;
    long long limit = 200, page = 1;
    const char *s;
    int64_t t, skip, total = 0, end;
    struct gen_person p;
    struct gen_absence a;
    int n = 0;

    memset(&f, 0, sizeof(f));
    f.start = INT64_MIN;
    f.end = INT64_MAX;
    f.updated_from = INT64_MIN;
    s = http_query(req, "limit");
    if (s && http_parse_int(s, 1, 1000000, &limit)) {
        error_body(resp, 400, 400, "The limit parameter must be a positive integer");
        return;
    }
    if (limit > TIMEOFF_MAX)
        limit = TIMEOFF_MAX;
    s = http_query(req, "offset");
    if (s && http_parse_int(s, 0, GEN_MAX_EMPLOYEES, &page)) {
        error_body(resp, 400, 400, "The offset parameter must be a page number");
        return;
    }
    if (page < 1)
        page = 1;
    s = http_query(req, "start_date");
    if (s) {
        if (gen_parse_time(s, &t)) {
            error_body(resp, 400, 400, "The start_date parameter is invalid");
            return;
        }
        f.start = t / 86400;
    }
    s = http_query(req, "end_date");
    if (s) {
        if (gen_parse_time(s, &t)) {
            error_body(resp, 400, 400, "The end_date parameter is invalid");
            return;
        }
        f.end = t / 86400;
    }
    s = http_query(req, "updated_from");
    if (s && gen_parse_time(s, &f.updated_from)) {
        error_body(resp, 400, 400, "The updated_from parameter is invalid");
        return;
    }
    http_query_each(req, "employees[]", add_emp, &f);
    if (f.bad) {
        error_body(resp, 400, 400, "The employees parameter is invalid");
        return;
    }

    resp->content_type = "application/json";
    skip = (page - 1) * limit;
    state_rdlock(ctx->st);
    end = state_end_locked(ctx->st, ctx->gen->employees);
    {
        struct sbuf items;
        int64_t first = 0;
        int direct = timeoff_unfiltered(&f);

        sbuf_init(&items);
        if (direct) {
            /* Every visible person has all slots: a page starts at the
             * person its offset falls on, and the total is a product. */
            first = state_nth_locked(ctx->st, ctx->gen->employees, skip / GEN_ABSENCES_PER_EMP);
            if (first < 0)
                first = end;
            total = skip - skip % GEN_ABSENCES_PER_EMP;
        }
        for (int64_t i = first; i < end; i++) {
            if (f.n_emp) {
                int want = 0;

                for (int k = 0; k < f.n_emp; k++)
                    want |= f.emp[k] == i;
                if (!want)
                    continue;
            }
            if (!sim_person_locked(ctx, i, &p))
                continue;
            for (int slot = 0; slot < GEN_ABSENCES_PER_EMP; slot++) {
                gen_absence(ctx->gen, &p, slot, &a);
                if (!timeoff_match(&f, &a))
                    continue;
                if (total >= skip && n < limit) {
                    if (n++)
                        sbuf_addc(&items, ',');
                    render_timeoff(&p, &a, &items);
                }
                total++;
            }
            if (direct && n == limit)
                break;
        }
        if (direct)
            total = state_total_locked(ctx->st, ctx->gen->employees) * GEN_ABSENCES_PER_EMP;
        state_unlock(ctx->st);
        sbuf_printf(&resp->body,
                    "{\"success\":true,\"metadata\":{\"total_elements\":%lld,\"current_page\":%lld,"
                    "\"total_pages\":%lld},\"offset\":%lld,\"limit\":%lld,\"data\":[",
                    (long long)total, page, (total + limit - 1) / limit, page, limit);
        if (items.len)
            sbuf_add(&resp->body, items.data, items.len);
        sbuf_adds(&resp->body, "]}");
        sbuf_free(&items);
    }
}

static void get_balance(const struct sim_ctx *ctx, int64_t index, struct http_resp *resp)
{
    struct gen_person p;
    int found;

    state_rdlock(ctx->st);
    found = sim_person_locked(ctx, index, &p);
    state_unlock(ctx->st);
    if (!found) {
        error_body(resp, 404, 0, MSG_NOT_FOUND);
        return;
    }
    resp->content_type = "application/json";
    sbuf_adds(&resp->body, "{\"success\":true,\"data\":[");
    for (int t = 0; t < GEN_N_ABSENCE_TYPES; t++) {
        int64_t bal = gen_balance(ctx->gen, &p, t);

        if (t)
            sbuf_addc(&resp->body, ',');
        sbuf_adds(&resp->body, "{\"id\":");
        sbuf_add_i64(&resp->body, PERSONIO_TYPE_BASE + t);
        sbuf_adds(&resp->body, ",\"name\":");
        sbuf_add_jstr(&resp->body, gen_absence_types[t].name);
        sbuf_adds(&resp->body, ",\"category\":");
        sbuf_add_jstr(&resp->body, gen_absence_types[t].category);
        sbuf_adds(&resp->body, ",\"balance\":");
        sbuf_add_centi(&resp->body, bal);
        sbuf_adds(&resp->body, ",\"available_balance\":");
        sbuf_add_centi(&resp->body, bal);
        sbuf_adds(&resp->body, "}");
    }
    sbuf_adds(&resp->body, "]}");
}

/* ------------------------------------------------------------------------ */
/* Vendor interface */

static int is_data(const struct http_req *req)
{
    return strcmp(req->path, "/v1/auth") != 0;
}

static void handle(const struct sim_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    const char *path = req->path;
    const char *emp = "/v1/company/employees/";
    int get = !strcmp(req->method, "GET");
    int64_t index;
    int limited = 0;

    if (!strcmp(path, "/v1/auth")) {
        if (strcmp(req->method, "POST") != 0) {
            error_body(resp, 405, 405, "Method not allowed");
            return;
        }
        handle_auth(ctx, req, resp);
        return;
    }
    if (!authorized(ctx, req, resp, &limited))
        return;
    if (get && !strcmp(path, "/v1/company/employees")) {
        list_employees(ctx, req, limited, resp);
    } else if (get && (!strcmp(path, "/v1/company/employees/attributes") ||
                       !strcmp(path, "/v1/company/employees/custom-attributes"))) {
        list_attributes(ctx, limited, resp);
    } else if (get && !strcmp(path, "/v1/company/time-off-types")) {
        list_types(resp);
    } else if (get && !strcmp(path, "/v1/company/time-offs")) {
        list_timeoffs(ctx, req, resp);
    } else if (get && !strncmp(path, emp, strlen(emp))) {
        const char *rest = path + strlen(emp);
        const char *slash = strchr(rest, '/');
        size_t len = slash ? (size_t)(slash - rest) : strlen(rest);

        if (parse_employee_id(rest, len, &index)) {
            error_body(resp, 404, 0, MSG_NOT_FOUND);
        } else if (!slash) {
            get_employee(ctx, index, limited, resp);
        } else if (!strcmp(slash, "/absences/balance")) {
            get_balance(ctx, index, resp);
        } else {
            error_body(resp, 404, 0, MSG_NOT_FOUND);
        }
    } else {
        error_body(resp, 404, 0, MSG_NOT_FOUND);
    }
}

static void throttle(const struct sim_ctx *ctx, int status, int retry_after, struct http_resp *resp)
{
    char ra[16];

    (void)ctx;
    error_body(resp, status, status, "Too Many Requests");
    if (retry_after > 0) {
        snprintf(ra, sizeof(ra), "%d", retry_after);
        http_add_header(resp, "Retry-After", ra);
    }
}

static void error(const struct sim_ctx *ctx, int status, struct http_resp *resp)
{
    (void)ctx;
    error_body(resp, status, status,
               status == 503 ? "Service Unavailable" : "Internal Server Error");
}

static int id_to_index(const char *id, int64_t *index)
{
    return parse_employee_id(id, strlen(id), index);
}

static void index_to_id(int64_t index, char *out, size_t outlen)
{
    snprintf(out, outlen, "%lld", (long long)(PERSONIO_ID_BASE + index));
}

const struct vendor personio_vendor = {
    "personio", is_data, handle, throttle, error, id_to_index, index_to_id,
};
