/*
 * factorial — simulated Factorial (see factorial.h and sim/README.md).
 *
 * Every paginated resource is a sequence of items numbered per employee:
 * item id = index * per + sub + 1, sorted ascending, so a cursor is a
 * position and page N costs what page 1 costs.
 */
#include "factorial.h"

#include "simerr.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define API_KEY       "sim-key"
#define CLIENT_ID     "sim-client"
#define CLIENT_SECRET "sim-secret"
#define ACCESS_TTL    3600
#define REFRESH_TTL   (7 * 86400)
#define MAX_ONLY      1000

static const char *const versions[] = {"2025-07-01", "2025-10-01", "2026-01-01",
                                       "2026-04-01", "2026-07-01", "2026-10-01"};

static const char *const ftype_names[GEN_F_COUNT] = {
    "text", "cents", "date", "single_choice", "multiple_choice", "checkbox", "money",
};

/* ------------------------------------------------------------------------ */
/* Errors, cursors, tokens */

static void reply_error(struct http_resp *resp, int status, const char *type, const char *msg)
{
    resp->status = status;
    resp->content_type = "application/json";
    sbuf_reset(&resp->body);
    sbuf_adds(&resp->body, "{\"error\":{\"type\":");
    sbuf_add_jstr(&resp->body, type);
    sbuf_adds(&resp->body, ",\"message\":");
    sbuf_add_jstr(&resp->body, msg);
    sbuf_adds(&resp->body, "}}");
}

void factorial_cursor(int64_t id, char *out, size_t outlen)
{
    char num[24];
    char b64[48];

    snprintf(num, sizeof(num), "%lld", (long long)id);
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)num, strlen(num),
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, outlen, "%s", b64);
}

int factorial_parse_cursor(const char *cursor, int64_t *id)
{
    unsigned char dec[32];
    size_t n = 0;
    long long v;

    if (!cursor || strlen(cursor) > 40 ||
        sodium_base642bin(dec, sizeof(dec) - 1, cursor, strlen(cursor), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return SIM_ERR_INVALID;
    dec[n] = '\0';
    if (http_parse_int((const char *)dec, 0, INT64_MAX / 2, &v))
        return SIM_ERR_INVALID;
    *id = v;
    return SIM_OK;
}

static uint64_t token_mac(uint64_t seed, int kind, int64_t gen_no, int64_t issued)
{
    return gen_hash(seed ^ (0xfac7ULL + (uint64_t)kind), (uint64_t)gen_no, (uint64_t)issued);
}

/* kind 0 = access ("fa-"), 1 = refresh ("fr-"). */
static void make_token(uint64_t seed, int kind, int64_t gen_no, int64_t now, char *out,
                       size_t outlen)
{
    snprintf(out, outlen, "%s%lld-%lld-%016llx", kind ? "fr-" : "fa-", (long long)gen_no,
             (long long)now, (unsigned long long)token_mac(seed, kind, gen_no, now));
}

static int check_token(uint64_t seed, int kind, int64_t gen_no, int64_t now, const char *tok)
{
    long long g, issued;
    unsigned long long mac;
    int n = 0;

    if (!tok || strlen(tok) > 80 || strncmp(tok, kind ? "fr-" : "fa-", 3) != 0 ||
        sscanf(tok + 3, "%lld-%lld-%16llx%n", &g, &issued, &mac, &n) != 3 || tok[3 + n])
        return SIM_ERR_UNAUTHORIZED;
    if (mac != token_mac(seed, kind, g, issued) || g != gen_no ||
        now - issued >= (kind ? REFRESH_TTL : ACCESS_TTL) || issued > now + 60)
        return SIM_ERR_UNAUTHORIZED;
    return SIM_OK;
}

static void oauth_token(const struct sim_ctx *ctx, const struct http_req *req,
                        struct http_resp *resp)
{
    char grant[64] = "", id[128] = "", secret[128] = "", code[128] = "", refresh[128] = "";
    char access[96], newref[96];
    int64_t now = sim_now(), g = state_token_generation(ctx->st);
    const char *q;
    struct {
        const char *key;
        char *out;
        size_t len;
    } keys[] = {{"grant_type", grant, sizeof(grant)},
                {"client_id", id, sizeof(id)},
                {"client_secret", secret, sizeof(secret)},
                {"code", code, sizeof(code)},
                {"refresh_token", refresh, sizeof(refresh)}};

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (req->body_len)
            http_form_value(req->body, req->body_len, keys[i].key, keys[i].out, keys[i].len);
        q = http_query(req, keys[i].key);
        if (!*keys[i].out && q)
            snprintf(keys[i].out, keys[i].len, "%s", q);
    }
    if (strcmp(id, CLIENT_ID) != 0 || strcmp(secret, CLIENT_SECRET) != 0) {
        http_json(resp, 401,
                  "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication "
                  "failed\"}");
        return;
    }
    if (!strcmp(grant, "authorization_code")) {
        if (!*code) {
            http_json(resp, 400,
                      "{\"error\":\"invalid_grant\",\"error_description\":\"The authorization "
                      "code is invalid\"}");
            return;
        }
    } else if (!strcmp(grant, "refresh_token")) {
        if (check_token(ctx->opt->seed, 1, g, now, refresh)) {
            http_json(resp, 400,
                      "{\"error\":\"invalid_grant\",\"error_description\":\"The refresh token "
                      "is invalid\"}");
            return;
        }
    } else {
        http_json(resp, 400, "{\"error\":\"unsupported_grant_type\"}");
        return;
    }
    make_token(ctx->opt->seed, 0, g, now, access, sizeof(access));
    make_token(ctx->opt->seed, 1, g, now, newref, sizeof(newref));
    resp->content_type = "application/json";
    sbuf_printf(&resp->body,
                "{\"access_token\":\"%s\",\"token_type\":\"Bearer\",\"expires_in\":%d,"
                "\"refresh_token\":\"%s\",\"scope\":\"read write\",\"created_at\":%lld}",
                access, ACCESS_TTL, newref, (long long)now);
}

static int authorized(const struct sim_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    const char *key = http_header(req, "x-api-key");
    const char *auth = http_header(req, "Authorization");

    if (key && !strcmp(key, API_KEY))
        return 1;
    if (!key && auth && !strncasecmp(auth, "Bearer ", 7) &&
        !check_token(ctx->opt->seed, 0, state_token_generation(ctx->st), sim_now(), auth + 7))
        return 1;
    reply_error(resp, 401, "unauthorized",
                key || auth ? "Invalid credentials" : "Missing credentials");
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Paging machinery */

struct fquery {
    int64_t *only; /* sorted employee indices, when filtered by id or email */
    size_t n_only;
    int has_only;
    int only_active;
    int only_managers;
    int has_updated;
    int64_t updated_gteq;
    int field; /* custom values: a single field, or -1 */
    int has_dates;
    int from, to;    /* leaves: days */
    int item_filter; /* whether the item function filters (total needs a scan) */
};

/* Emits item `sub` of person p (or only tests it when out is NULL).
 * Returns 1 when the item exists and matches. */
typedef int item_fn(const struct sim_ctx *ctx, const struct fquery *q, const struct gen_person *p,
                    int sub, struct sbuf *out);

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

struct collect {
    struct fquery *q;
    const struct sim_ctx *ctx;
    int emails;
    int bad;
};

static int collect_only(void *cls, const char *value)
{
    struct collect *c = cls;
    long long n;
    int64_t index = -1;

    if (c->q->n_only >= MAX_ONLY) {
        c->bad = 1;
        return 1;
    }
    c->q->has_only = 1;
    if (c->emails) {
        const char *at = strchr(value, '@'), *d;
        char num[24];

        if (!at)
            return 0;
        for (d = at; d > value && d[-1] >= '0' && d[-1] <= '9'; d--)
            ;
        if (d == at || at - d > 18)
            return 0;
        snprintf(num, sizeof(num), "%.*s", (int)(at - d), d);
        if (http_parse_int(num, 1, 2 * GEN_MAX_EMPLOYEES, &n))
            return 0;
        {
            struct gen_person p;

            gen_person(c->ctx->gen, n - 1, 0, 0, &p);
            if (strcasecmp(p.email, value) != 0)
                return 0;
        }
        index = n - 1;
    } else {
        if (http_parse_int(value, 1, 2 * GEN_MAX_EMPLOYEES, &n)) {
            c->bad = 1;
            return 1;
        }
        index = n - 1;
    }
    c->q->only[c->q->n_only++] = index;
    return 0;
}

/* Cheap employee-level test (no full generation). */
static int person_passes_locked(const struct sim_ctx *ctx, const struct fquery *q, int64_t i)
{
    uint32_t version;
    int64_t mod;

    if (state_deleted_locked(ctx->st, i, NULL))
        return 0;
    if (q->only_active && gen_status_of(ctx->gen, i) == GEN_INACTIVE)
        return 0;
    if (q->only_managers && i * 6 + 1 >= state_end_locked(ctx->st, ctx->gen->employees))
        return 0;
    if (q->has_updated) {
        if (!state_version_locked(ctx->st, i, &version, &mod))
            mod = gen_modified_at(ctx->gen, i);
        if (mod < q->updated_gteq)
            return 0;
    }
    return 1;
}

static int64_t count_inactive(const void *cls)
{
    const struct sim_ctx *ctx = cls;
    int64_t n = 0;

    for (int64_t i = 0; i < ctx->gen->employees; i++)
        n += gen_status_of(ctx->gen, i) == GEN_INACTIVE;
    return n;
}

static int64_t total_locked(const struct sim_ctx *ctx, const struct fquery *q, int per, item_fn *fn)
{
    int64_t end = state_end_locked(ctx->st, ctx->gen->employees);
    int64_t total = 0;
    struct gen_person p;

    if (!q->has_only && !q->has_updated && !q->only_managers && !q->item_filter) {
        int64_t visible = state_total_locked(ctx->st, ctx->gen->employees);

        if (q->only_active) {
            size_t nd;
            const struct state_del *del = state_deleted_list_locked(ctx->st, &nd);

            visible -= state_base_inactive(ctx->st, count_inactive, ctx);
            for (int64_t i = ctx->gen->employees; i < end; i++)
                visible -= !state_deleted_locked(ctx->st, i, NULL) &&
                           gen_status_of(ctx->gen, i) == GEN_INACTIVE;
            for (size_t k = 0; k < nd; k++)
                visible += del[k].index < ctx->gen->employees &&
                           gen_status_of(ctx->gen, del[k].index) == GEN_INACTIVE;
        }
        return visible * per;
    }
    for (int64_t k = 0; k < (q->has_only ? (int64_t)q->n_only : end); k++) {
        int64_t i = q->has_only ? q->only[k] : k;

        if (i >= end || !person_passes_locked(ctx, q, i))
            continue;
        if (!q->item_filter) {
            total += per;
            continue;
        }
        if (!sim_person_locked(ctx, i, &p))
            continue;
        for (int sub = 0; sub < per; sub++)
            total += fn(ctx, q, &p, sub, NULL);
    }
    return total;
}

/* Position of person index in q->only (first >= index). */
static size_t only_lower(const struct fquery *q, int64_t index)
{
    size_t lo = 0, hi = q->n_only;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (q->only[mid] < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Scans items from item id `from` in direction dir (+1/-1); emits up to
 * `want` matches into out (NULL = count only) and records the ids of the
 * first and last. Returns the number found. */
static int scan_locked(const struct sim_ctx *ctx, const struct fquery *q, int per, item_fn *fn,
                       int64_t from, int dir, int want, struct sbuf *out, int64_t *ids)
{
    int64_t end = state_end_locked(ctx->st, ctx->gen->employees);
    int64_t index = (from - 1) / per;
    int sub = (int)((from - 1) % per);
    size_t pos = 0;
    int found = 0;
    struct gen_person p;
    int have_p = 0;

    if (from < 1)
        return 0;
    if (q->has_only) {
        pos = only_lower(q, index);
        if (dir < 0 && (pos == q->n_only || q->only[pos] != index)) {
            if (pos == 0)
                return 0;
            pos--;
            index = q->only[pos];
            sub = per - 1;
        } else if (dir > 0 && (pos == q->n_only || q->only[pos] != index)) {
            if (pos == q->n_only)
                return 0;
            index = q->only[pos];
            sub = 0;
        }
    }
    while (found < want && index >= 0 && index < end) {
        if (!have_p) {
            have_p = person_passes_locked(ctx, q, index) && sim_person_locked(ctx, index, &p);
            if (!have_p)
                sub = dir > 0 ? per : -1; /* skip this person */
        }
        if (have_p && sub >= 0 && sub < per && fn(ctx, q, &p, sub, NULL)) {
            if (out) {
                if (found)
                    sbuf_addc(out, ',');
                fn(ctx, q, &p, sub, out);
            }
            ids[found ? 1 : 0] = index * per + sub + 1;
            if (!found)
                ids[1] = ids[0];
            found++;
        }
        sub += dir;
        if (sub < 0 || sub >= per) {
            have_p = 0;
            if (q->has_only) {
                if (dir > 0 ? ++pos >= q->n_only : pos-- == 0)
                    break;
                index = q->only[pos];
            } else {
                index += dir;
            }
            sub = dir > 0 ? 0 : per - 1;
        }
    }
    return found;
}

/* Answers one page of a resource. */
static void paginate(const struct sim_ctx *ctx, const struct http_req *req, struct fquery *q,
                     int per, item_fn *fn, struct http_resp *resp)
{
    const char *s;
    long long limit = FACTORIAL_MAX_LIMIT;
    int64_t after = 0, before = 0, ids[2] = {0, 0}, probe[2], total;
    int n, has_next, has_prev;
    char c1[48], c2[48];
    struct sbuf items;

    s = http_query(req, "limit");
    if (s && http_parse_int(s, 1, 1000000000, &limit)) {
        reply_error(resp, 400, "bad_request", "limit must be a positive integer");
        return;
    }
    if (limit > FACTORIAL_MAX_LIMIT)
        limit = FACTORIAL_MAX_LIMIT;
    s = http_query(req, "after_id");
    if (s && factorial_parse_cursor(s, &after)) {
        reply_error(resp, 400, "bad_request", "after_id is not a valid cursor");
        return;
    }
    s = http_query(req, "before_id");
    if (s && factorial_parse_cursor(s, &before)) {
        reply_error(resp, 400, "bad_request", "before_id is not a valid cursor");
        return;
    }

    sbuf_init(&items);
    state_rdlock(ctx->st);
    if (before > 0) {
        /* Collect backwards, then render forwards from the earliest. */
        int64_t back[2] = {0, 0};

        n = scan_locked(ctx, q, per, fn, before - 1, -1, (int)limit, NULL, back);
        if (n)
            n = scan_locked(ctx, q, per, fn, back[1], +1, n, &items, ids);
    } else {
        n = scan_locked(ctx, q, per, fn, after + 1, +1, (int)limit, &items, ids);
    }
    has_next = n && scan_locked(ctx, q, per, fn, ids[1] + 1, +1, 1, NULL, probe) > 0;
    has_prev = n && scan_locked(ctx, q, per, fn, ids[0] - 1, -1, 1, NULL, probe) > 0;
    total = total_locked(ctx, q, per, fn);
    state_unlock(ctx->st);

    resp->content_type = "application/json";
    sbuf_adds(&resp->body, "{\"data\":[");
    if (items.len)
        sbuf_add(&resp->body, items.data, items.len);
    sbuf_free(&items);
    if (n) {
        factorial_cursor(ids[0], c1, sizeof(c1));
        factorial_cursor(ids[1], c2, sizeof(c2));
        sbuf_printf(&resp->body,
                    "],\"meta\":{\"has_next_page\":%s,\"has_previous_page\":%s,"
                    "\"start_cursor\":\"%s\",\"end_cursor\":\"%s\",\"total\":%lld,\"limit\":%lld}}",
                    has_next ? "true" : "false", has_prev ? "true" : "false", c1, c2,
                    (long long)total, limit);
    } else {
        sbuf_printf(&resp->body,
                    "],\"meta\":{\"has_next_page\":false,\"has_previous_page\":false,"
                    "\"start_cursor\":null,\"end_cursor\":null,\"total\":%lld,\"limit\":%lld}}",
                    (long long)total, limit);
    }
}

/* Parses the common filters; returns SIM_OK or answers 400. */
static int parse_query(const struct sim_ctx *ctx, const struct http_req *req, struct fquery *q,
                       const char *ids_key, struct http_resp *resp)
{
    struct collect c = {q, ctx, 0, 0};
    const char *s;

    memset(q, 0, sizeof(*q));
    q->field = -1;
    q->only = calloc(MAX_ONLY + 1, sizeof(*q->only));
    if (!q->only)
        abort();
    http_query_each(req, ids_key, collect_only, &c);
    c.emails = 1;
    if (!c.bad && !strcmp(ids_key, "ids[]"))
        http_query_each(req, "emails[]", collect_only, &c);
    if (c.bad) {
        reply_error(resp, 400, "bad_request", "too many or malformed ids");
        return SIM_ERR_INVALID;
    }
    qsort(q->only, q->n_only, sizeof(*q->only), cmp_i64);
    s = http_query(req, "updated_at_gteq");
    if (s) {
        if (gen_parse_time(s, &q->updated_gteq)) {
            reply_error(resp, 400, "bad_request", "updated_at_gteq is not a date");
            return SIM_ERR_INVALID;
        }
        q->has_updated = 1;
    }
    return SIM_OK;
}

/* ------------------------------------------------------------------------ */
/* Items */

static void add_date(struct sbuf *b, int has, int day)
{
    char tmp[16];

    if (!has) {
        sbuf_adds(b, "null");
        return;
    }
    gen_fmt_date(day, tmp);
    sbuf_add_jstr(b, tmp);
}

static void add_ts(struct sbuf *b, int64_t ts)
{
    char tmp[32];

    gen_fmt_ts_utc_ms(ts, tmp);
    sbuf_add_jstr(b, tmp);
}

static int employee_item(const struct sim_ctx *ctx, const struct fquery *q,
                         const struct gen_person *p, int sub, struct sbuf *b)
{
    (void)ctx;
    (void)q;
    (void)sub;
    if (!b)
        return 1;
    sbuf_printf(b, "{\"id\":%lld,\"access_id\":%lld,\"first_name\":", (long long)p->index + 1,
                (long long)p->index + 1001);
    sbuf_add_jstr(b, p->first_name);
    sbuf_adds(b, ",\"last_name\":");
    sbuf_add_jstr(b, p->last_name);
    sbuf_adds(b, ",\"full_name\":");
    sbuf_add_jstr(b, p->display_name);
    sbuf_adds(b, ",\"preferred_name\":null,\"email\":");
    sbuf_add_jstr(b, p->email);
    sbuf_adds(b, ",\"login_email\":");
    sbuf_add_jstr(b, p->status == GEN_INACTIVE ? NULL : p->email);
    sbuf_adds(b, ",\"personal_email\":");
    sbuf_add_jstr(b, p->personal_email);
    sbuf_adds(b, ",\"birthday_on\":");
    add_date(b, p->has_dob, p->dob);
    sbuf_adds(b, ",\"gender\":");
    sbuf_add_jstr(b, p->gender == GEN_FEMALE ? "female" : p->gender == GEN_MALE ? "male" : "other");
    sbuf_printf(b,
                ",\"nationality\":\"%s\",\"company_id\":%d,\"legal_entity_id\":%d,"
                "\"location_id\":%d,\"manager_id\":",
                gen_office_countries[p->office], FACTORIAL_COMPANY_ID,
                FACTORIAL_ENTITY_BASE + p->entity, FACTORIAL_LOC_BASE + p->office);
    if (p->manager >= 0)
        sbuf_add_i64(b, p->manager + 1);
    else
        sbuf_adds(b, "null");
    sbuf_adds(b, ",\"company_identifier\":");
    sbuf_add_jstr(b, p->employee_number);
    sbuf_printf(b, ",\"active\":%s,\"is_terminating\":%s,\"terminated_on\":",
                p->status == GEN_INACTIVE ? "false" : "true",
                p->has_term && p->status != GEN_INACTIVE ? "true" : "false");
    add_date(b, p->has_term, p->term);
    sbuf_adds(b, ",\"termination_reason\":");
    sbuf_add_jstr(b, p->has_term ? p->term_reason : NULL);
    sbuf_adds(b, ",\"termination_reason_type\":");
    sbuf_add_jstr(b, p->has_term ? (p->term_voluntary ? "voluntary" : "involuntary") : NULL);
    sbuf_printf(b, ",\"attendable\":%s,\"team_ids\":[%d],\"seniority_calculation_date\":",
                p->status == GEN_INACTIVE ? "false" : "true", FACTORIAL_TEAM_BASE + p->dept);
    add_date(b, 1, p->hire);
    sbuf_adds(b, ",\"created_at\":");
    add_ts(b, p->created_at);
    sbuf_adds(b, ",\"updated_at\":");
    add_ts(b, p->modified_at);
    sbuf_addc(b, '}');
    return 1;
}

static int contract_item(const struct sim_ctx *ctx, const struct fquery *q,
                         const struct gen_person *p, int sub, struct sbuf *b)
{
    int effective = p->version > 0 ? (int)(p->modified_at / 86400) : p->hire;

    (void)ctx;
    (void)q;
    (void)sub;
    if (!b)
        return 1;
    sbuf_printf(b, "{\"id\":%lld,\"employee_id\":%lld,\"effective_on\":", (long long)p->index + 1,
                (long long)p->index + 1);
    add_date(b, 1, effective > p->hire ? effective : p->hire);
    sbuf_adds(b, ",\"starts_on\":");
    add_date(b, 1, p->hire);
    sbuf_adds(b, ",\"ends_on\":");
    add_date(b, p->has_term, p->term);
    sbuf_adds(b, ",\"job_title\":");
    sbuf_add_jstr(b, p->title);
    sbuf_printf(b,
                ",\"salary_amount\":%lld,\"salary_frequency\":\"yearly\",\"working_hours\":%d,"
                "\"working_hours_frequency\":\"week\",\"working_week_days\":"
                "\"monday,tuesday,wednesday,thursday,friday\",\"has_payroll\":%s,"
                "\"created_at\":",
                (long long)p->salary * 12 * 100, p->weekly_hours * 100,
                p->emp_type == GEN_CONTRACTOR ? "false" : "true");
    add_ts(b, p->created_at);
    sbuf_adds(b, ",\"updated_at\":");
    add_ts(b, p->modified_at);
    sbuf_addc(b, '}');
    return 1;
}

static void identifier(uint64_t seed, int k, char *out)
{
    static const char hex[] = "0123456789abcdef";

    for (int i = 0; i < 40; i++) {
        uint64_t h = gen_hash(seed, (uint64_t)k, 0x1dULL + (uint64_t)(i / 16));

        out[i] = hex[(h >> ((i % 16) * 4)) & 15];
    }
    out[40] = '\0';
}

static int value_item(const struct sim_ctx *ctx, const struct fquery *q, const struct gen_person *p,
                      int sub, struct sbuf *b)
{
    struct gen_field f;
    struct gen_value v;
    char tmp[512], ident[41];

    if (q->field >= 0 && sub != q->field)
        return 0;
    if (!b)
        return 1;
    gen_field(ctx->gen, sub, &f);
    gen_field_value(ctx->gen, p, &f, &v);
    identifier(ctx->opt->seed, sub, ident);
    sbuf_printf(b,
                "{\"id\":%lld,\"field_id\":%d,\"custom_field_identifier\":\"%s\","
                "\"valuable_id\":%lld,\"valuable_type\":\"Employees::Employee\",\"label\":",
                (long long)(p->index * ctx->gen->custom_fields + sub + 1),
                FACTORIAL_FIELD_BASE + sub, ident, (long long)p->index + 1);
    sbuf_add_jstr(b, f.label);
    sbuf_adds(b, ",\"required\":false,\"value\":");
    tmp[0] = '\0';
    if (!v.is_null) {
        switch (f.type) {
        case GEN_F_TEXT:
            snprintf(tmp, sizeof(tmp), "%s", v.text);
            break;
        case GEN_F_NUMBER:
        case GEN_F_MONEY:
            snprintf(tmp, sizeof(tmp), "%lld", (long long)v.centi);
            break;
        case GEN_F_DATE:
            gen_fmt_date(v.day, tmp);
            break;
        case GEN_F_SELECT:
            gen_option(&f, v.option, tmp, sizeof(tmp));
            break;
        case GEN_F_MULTI:
            for (int j = 0; j < f.n_options; j++) {
                char opt[64];
                size_t len = strlen(tmp);

                if (!(v.mask & (1u << j)))
                    continue;
                gen_option(&f, j, opt, sizeof(opt));
                snprintf(tmp + len, sizeof(tmp) - len, "%s%s", len ? "," : "", opt);
            }
            break;
        case GEN_F_BOOL:
            snprintf(tmp, sizeof(tmp), "%s", v.flag ? "true" : "false");
            break;
        default:
            break;
        }
    }
    sbuf_add_jstr(b, v.is_null ? NULL : tmp);
    sbuf_adds(b, ",\"single_choice_value\":");
    sbuf_add_jstr(b, !v.is_null && f.type == GEN_F_SELECT ? tmp : NULL);
    sbuf_adds(b, ",\"long_text_value\":null,\"date_value\":");
    sbuf_add_jstr(b, !v.is_null && f.type == GEN_F_DATE ? tmp : NULL);
    sbuf_adds(b, ",\"cents_value\":");
    if (!v.is_null && (f.type == GEN_F_NUMBER || f.type == GEN_F_MONEY))
        sbuf_add_i64(b, v.centi);
    else
        sbuf_adds(b, "null");
    sbuf_adds(b, ",\"updated_at\":");
    add_ts(b, p->modified_at);
    sbuf_addc(b, '}');
    return 1;
}

static int leave_item(const struct sim_ctx *ctx, const struct fquery *q, const struct gen_person *p,
                      int sub, struct sbuf *b)
{
    struct gen_absence a;

    gen_absence(ctx->gen, p, sub, &a);
    if (q->has_dates && (a.end < q->from || a.start > q->to))
        return 0;
    if (!b)
        return 1;
    sbuf_printf(b, "{\"id\":%lld,\"employee_id\":%lld,\"leave_type_id\":%d,\"start_on\":",
                (long long)(p->index * GEN_ABSENCES_PER_EMP + sub + 1), (long long)p->index + 1,
                FACTORIAL_TYPE_BASE + a.type);
    add_date(b, 1, a.start);
    sbuf_adds(b, ",\"finish_on\":");
    add_date(b, 1, a.end);
    sbuf_printf(b, ",\"half_day\":%s,\"description\":null,\"approved\":%s,\"created_at\":",
                a.half_start ? "\"beggining_of_day\""
                : a.half_end ? "\"end_of_day\""
                             : "null",
                !strcmp(a.status, "approved")  ? "true"
                : !strcmp(a.status, "pending") ? "null"
                                               : "false");
    add_ts(b, a.created_at);
    sbuf_adds(b, ",\"updated_at\":");
    add_ts(b, a.updated_at);
    sbuf_addc(b, '}');
    return 1;
}

static int allowance_item(const struct sim_ctx *ctx, const struct fquery *q,
                          const struct gen_person *p, int sub, struct sbuf *b)
{
    int t = sub == 0 ? 0 : 4;

    (void)q;
    if (!b)
        return 1;
    sbuf_printf(b, "{\"id\":%lld,\"employee_id\":%lld,\"leave_type_id\":%d,\"name\":",
                (long long)(p->index * 2 + sub + 1), (long long)p->index + 1,
                FACTORIAL_TYPE_BASE + t);
    sbuf_add_jstr(b, gen_absence_types[t].name);
    sbuf_adds(b, ",\"balance_days\":");
    sbuf_add_centi(b, gen_balance(ctx->gen, p, t));
    sbuf_adds(b, ",\"unit\":\"days\"}");
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Small static resources (one page) */

static void page_open(struct http_resp *resp)
{
    resp->content_type = "application/json";
    sbuf_adds(&resp->body, "{\"data\":[");
}

static void page_close(struct http_resp *resp, int n)
{
    char c1[48], c2[48];

    factorial_cursor(1, c1, sizeof(c1));
    factorial_cursor(n, c2, sizeof(c2));
    sbuf_printf(&resp->body,
                "],\"meta\":{\"has_next_page\":false,\"has_previous_page\":false,"
                "\"start_cursor\":\"%s\",\"end_cursor\":\"%s\",\"total\":%d,\"limit\":%d}}",
                c1, c2, n, FACTORIAL_MAX_LIMIT);
}

static void custom_fields(const struct sim_ctx *ctx, const struct http_req *req,
                          struct http_resp *resp)
{
    struct gen_field f;
    long long after_k = -1, limit = FACTORIAL_MAX_LIMIT;
    int64_t after;
    int n = 0, k;
    const char *s = http_query(req, "after_id");
    char c1[48], c2[48];

    if (s && factorial_parse_cursor(s, &after) == SIM_OK)
        after_k = after - FACTORIAL_FIELD_BASE;
    s = http_query(req, "limit");
    if (s && (http_parse_int(s, 1, 1000000, &limit) || limit > FACTORIAL_MAX_LIMIT))
        limit = FACTORIAL_MAX_LIMIT;
    page_open(resp);
    for (k = after_k < 0 ? 0 : (int)after_k + 1; k < ctx->gen->custom_fields && n < limit; k++) {
        gen_field(ctx->gen, k, &f);
        if (n++)
            sbuf_addc(&resp->body, ',');
        sbuf_printf(&resp->body,
                    "{\"id\":%d,\"field_type\":\"%s\",\"label_text\":", FACTORIAL_FIELD_BASE + k,
                    ftype_names[f.type]);
        sbuf_add_jstr(&resp->body, f.label);
        sbuf_printf(&resp->body,
                    ",\"slug\":\"%s\",\"required\":false,\"position\":%d,\"min_value\":null,"
                    "\"max_value\":null,\"legal_entity_id\":null,\"legal_entity_name\":null}",
                    f.camel, k);
    }
    factorial_cursor(FACTORIAL_FIELD_BASE + (after_k < 0 ? 0 : after_k + 1), c1, sizeof(c1));
    factorial_cursor(FACTORIAL_FIELD_BASE + k - 1, c2, sizeof(c2));
    sbuf_printf(&resp->body,
                "],\"meta\":{\"has_next_page\":%s,\"has_previous_page\":%s,\"start_cursor\":"
                "\"%s\",\"end_cursor\":\"%s\",\"total\":%d,\"limit\":%lld}}",
                k < ctx->gen->custom_fields ? "true" : "false", after_k >= 0 ? "true" : "false", c1,
                c2, ctx->gen->custom_fields, limit);
}

static void custom_options(const struct sim_ctx *ctx, struct http_resp *resp)
{
    struct gen_field f;
    char opt[64];
    int n = 0;

    page_open(resp);
    for (int k = 0; k < ctx->gen->custom_fields && n < 10000; k++) {
        gen_field(ctx->gen, k, &f);
        if (f.type != GEN_F_SELECT && f.type != GEN_F_MULTI)
            continue;
        for (int j = 0; j < f.n_options; j++) {
            gen_option(&f, j, opt, sizeof(opt));
            if (n++)
                sbuf_addc(&resp->body, ',');
            sbuf_printf(&resp->body, "{\"id\":%d,\"field_id\":%d,\"value\":", 1000 + k * 16 + j,
                        FACTORIAL_FIELD_BASE + k);
            sbuf_add_jstr(&resp->body, opt);
            sbuf_printf(&resp->body, ",\"position\":%d}", j);
        }
    }
    page_close(resp, n);
}

static void locations(struct http_resp *resp)
{
    page_open(resp);
    for (int o = 0; o < GEN_N_OFFICES; o++) {
        sbuf_printf(&resp->body, "%s{\"id\":%d,\"company_id\":%d,\"name\":", o ? "," : "",
                    FACTORIAL_LOC_BASE + o, FACTORIAL_COMPANY_ID);
        sbuf_add_jstr(&resp->body, gen_offices[o]);
        sbuf_printf(&resp->body, ",\"country\":\"%s\",\"city\":", gen_office_countries[o]);
        sbuf_add_jstr(&resp->body, gen_offices[o]);
        sbuf_adds(&resp->body, ",\"main\":");
        sbuf_adds(&resp->body, o == 0 ? "true}" : "false}");
    }
    page_close(resp, GEN_N_OFFICES);
}

static void legal_entities(struct http_resp *resp)
{
    static const char *const currency[GEN_N_ENTITIES] = {"EUR", "GBP", "EUR", "USD"};

    page_open(resp);
    for (int e = 0; e < GEN_N_ENTITIES; e++) {
        sbuf_printf(&resp->body, "%s{\"id\":%d,\"company_id\":%d,\"legal_name\":", e ? "," : "",
                    FACTORIAL_ENTITY_BASE + e, FACTORIAL_COMPANY_ID);
        sbuf_add_jstr(&resp->body, gen_entities[e]);
        sbuf_printf(&resp->body, ",\"country\":\"%s\",\"currency\":\"%s\"}",
                    gen_entity_countries[e], currency[e]);
    }
    page_close(resp, GEN_N_ENTITIES);
}

static void teams(struct http_resp *resp)
{
    page_open(resp);
    for (int d = 0; d < GEN_N_DEPARTMENTS; d++) {
        sbuf_printf(&resp->body, "%s{\"id\":%d,\"company_id\":%d,\"name\":", d ? "," : "",
                    FACTORIAL_TEAM_BASE + d, FACTORIAL_COMPANY_ID);
        sbuf_add_jstr(&resp->body, gen_departments[d]);
        sbuf_adds(&resp->body, ",\"description\":null}");
    }
    page_close(resp, GEN_N_DEPARTMENTS);
}

static void leave_types(struct http_resp *resp)
{
    page_open(resp);
    for (int t = 0; t < GEN_N_ABSENCE_TYPES; t++) {
        sbuf_printf(&resp->body, "%s{\"id\":%d,\"name\":", t ? "," : "", FACTORIAL_TYPE_BASE + t);
        sbuf_add_jstr(&resp->body, gen_absence_types[t].name);
        sbuf_printf(&resp->body, ",\"active\":true,\"approval_required\":%s,\"accrues\":%s}",
                    t == 1 ? "false" : "true", t == 0 ? "true" : "false");
    }
    page_close(resp, GEN_N_ABSENCE_TYPES);
}

/* ------------------------------------------------------------------------ */
/* Routing */

static int is_data(const struct http_req *req)
{
    return strcmp(req->path, "/oauth/token") != 0;
}

static void resources(const struct sim_ctx *ctx, const struct http_req *req, const char *res,
                      struct http_resp *resp)
{
    struct fquery q;
    const char *s;
    int64_t t;

    memset(&q, 0, sizeof(q));
    if (!strcmp(res, "employees/employees")) {
        if (parse_query(ctx, req, &q, "ids[]", resp))
            goto out;
        q.only_active = http_parse_bool(http_query(req, "only_active"), 0);
        q.only_managers = http_parse_bool(http_query(req, "only_managers"), 0);
        paginate(ctx, req, &q, 1, employee_item, resp);
    } else if (!strcmp(res, "contracts/contract_versions")) {
        if (parse_query(ctx, req, &q, "employee_ids[]", resp))
            goto out;
        paginate(ctx, req, &q, 1, contract_item, resp);
    } else if (!strcmp(res, "custom_fields/fields")) {
        custom_fields(ctx, req, resp);
    } else if (!strcmp(res, "custom_fields/options")) {
        custom_options(ctx, resp);
    } else if (!strcmp(res, "custom_fields/values")) {
        long long field;

        if (parse_query(ctx, req, &q, "employee_ids[]", resp))
            goto out;
        s = http_query(req, "field_id");
        if (s) {
            if (http_parse_int(s, FACTORIAL_FIELD_BASE,
                               FACTORIAL_FIELD_BASE + ctx->gen->custom_fields - 1, &field)) {
                reply_error(resp, 400, "bad_request", "unknown field_id");
                goto out;
            }
            q.field = (int)(field - FACTORIAL_FIELD_BASE);
            q.item_filter = 1;
        }
        if (ctx->gen->custom_fields == 0) {
            page_open(resp);
            page_close(resp, 0);
            goto out;
        }
        paginate(ctx, req, &q, ctx->gen->custom_fields, value_item, resp);
    } else if (!strcmp(res, "locations/locations")) {
        locations(resp);
    } else if (!strcmp(res, "companies/legal_entities")) {
        legal_entities(resp);
    } else if (!strcmp(res, "teams/teams")) {
        teams(resp);
    } else if (!strcmp(res, "timeoff/leave_types")) {
        leave_types(resp);
    } else if (!strcmp(res, "timeoff/leaves")) {
        if (parse_query(ctx, req, &q, "employee_ids[]", resp))
            goto out;
        q.has_updated = 0; /* leaves filter on their own dates */
        q.from = INT32_MIN;
        q.to = INT32_MAX;
        s = http_query(req, "from");
        if (s && !gen_parse_time(s, &t)) {
            q.from = (int)(t / 86400);
            q.has_dates = q.item_filter = 1;
        }
        s = http_query(req, "to");
        if (s && !gen_parse_time(s, &t)) {
            q.to = (int)(t / 86400);
            q.has_dates = q.item_filter = 1;
        }
        paginate(ctx, req, &q, GEN_ABSENCES_PER_EMP, leave_item, resp);
    } else if (!strcmp(res, "timeoff/allowances")) {
        if (parse_query(ctx, req, &q, "employee_ids[]", resp))
            goto out;
        paginate(ctx, req, &q, 2, allowance_item, resp);
    } else {
        reply_error(resp, 404, "not_found", "Resource not found");
    }
out:
    free(q.only);
}

static void handle(const struct sim_ctx *ctx, const struct http_req *req, struct http_resp *resp)
{
    const char *path = req->path;
    const char *v, *slash;
    size_t i;

    if (!strcmp(path, "/oauth/token")) {
        if (strcmp(req->method, "POST") != 0)
            reply_error(resp, 405, "method_not_allowed", "Use POST");
        else
            oauth_token(ctx, req, resp);
        return;
    }
    if (!authorized(ctx, req, resp))
        return;
    if (strncmp(path, "/api/", 5) != 0 || strcmp(req->method, "GET") != 0) {
        reply_error(resp, 404, "not_found", "Resource not found");
        return;
    }
    v = path + 5;
    slash = strchr(v, '/');
    for (i = 0; slash && i < sizeof(versions) / sizeof(versions[0]); i++)
        if ((size_t)(slash - v) == strlen(versions[i]) &&
            !strncmp(v, versions[i], (size_t)(slash - v)))
            break;
    if (!slash || i == sizeof(versions) / sizeof(versions[0]) ||
        strncmp(slash, "/resources/", 11) != 0) {
        reply_error(resp, 404, "not_found", "Unknown API version or resource");
        return;
    }
    resources(ctx, req, slash + 11, resp);
}

static void throttle(const struct sim_ctx *ctx, int status, int retry_after, struct http_resp *resp)
{
    char ra[16];

    (void)ctx;
    reply_error(resp, status, "too_many_requests", "Rate limit exceeded");
    snprintf(ra, sizeof(ra), "%d", retry_after > 0 ? retry_after : 1);
    http_add_header(resp, "Retry-After", ra);
}

static void error(const struct sim_ctx *ctx, int status, struct http_resp *resp)
{
    (void)ctx;
    reply_error(resp, status, status == 503 ? "service_unavailable" : "internal_server_error",
                status == 503 ? "Service unavailable" : "Internal server error");
}

static int id_to_index(const char *id, int64_t *index)
{
    long long n;

    if (http_parse_int(id, 1, 2 * GEN_MAX_EMPLOYEES, &n))
        return SIM_ERR_INVALID;
    *index = n - 1;
    return SIM_OK;
}

static void index_to_id(int64_t index, char *out, size_t outlen)
{
    snprintf(out, outlen, "%lld", (long long)index + 1);
}

const struct vendor factorial_vendor = {
    "factorial", is_data, handle, throttle, error, id_to_index, index_to_id,
};
