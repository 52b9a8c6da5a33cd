/*
 * test_custom_fields — custom fields and scope configs end to end: real
 * hrsim (one simulated company rendered by Personio and BambooHR), real
 * hrbridge serve with its worker, and the SQLite file it writes, read
 * directly. Covers custom field definitions and their mappings on two
 * vendors, the custom_fields filter, unmapping, scope configs that switch
 * off fields, integration fields and whole models, and the admin API's
 * validation errors.
 */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#define EMPLOYEES 150

static char tmp[256], db[512], db_path[400];
static struct hproc sim, srv;
static char key[128], key2[128];
static const char *as_key; /* another environment's key for api(), when set */

/* ---- helpers ------------------------------------------------------------- */

static long api(const char *method, const char *path, const char *integration, const char *body,
                struct hresp *out)
{
    char url[2048], auth[256], integ[160];
    const char *h[4] = {auth, NULL, NULL, NULL};

    snprintf(url, sizeof(url), "%s%s", srv.base_url, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", as_key ? as_key : key);
    if (integration) {
        snprintf(integ, sizeof(integ), "X-Integration-Id: %s", integration);
        h[1] = integ;
    }
    assert_int_equal(harness_http(method, url, h, body, body ? strlen(body) : 0, out), 0);
    return out->status;
}

static json_t *data(const struct hresp *r)
{
    return json_object_get(r->json, "data");
}

static const char *str(const json_t *obj, const char *k)
{
    return json_string_value(json_object_get(obj, k));
}

/* Asserts an error answer: status, the whole envelope, and its code. */
static void expect_error(const struct hresp *r, long status, const char *code, const char *what)
{
    json_t *err = json_object_get(r->json, "error"), *log_url = json_object_get(err, "log_url");

    if (r->status != status || !r->json)
        fail_msg("%s: %ld %s, expected %ld", what, r->status, r->body, status);
    assert_string_equal(str(r->json, "status"), "error");
    if (!str(err, "code") || strcmp(str(err, "code"), code) != 0)
        fail_msg("%s: code %s, expected %s", what, str(err, "code"), code);
    assert_true(str(err, "title") && *str(err, "title"));
    assert_true(str(err, "message") && *str(err, "message"));
    assert_true(log_url && (json_is_null(log_url) || json_is_string(log_url)));
    assert_null(data(r));
}

/* Sends a request that must fail with status and code. */
static void refused(const char *method, const char *path, const char *integ, const char *body,
                    long status, const char *code)
{
    struct hresp r;
    char what[600];

    api(method, path, integ, body, &r);
    snprintf(what, sizeof(what), "%s %s %s", method, path, body ? body : "");
    expect_error(&r, status, code, what);
    hresp_free(&r);
}

/* Sends a request that must succeed with status; returns its data (a new reference). */
static json_t *ok(const char *method, const char *path, const char *integ, const char *body,
                  long status)
{
    struct hresp r;
    json_t *d;

    if (api(method, path, integ, body, &r) != status)
        fail_msg("%s %s %s: %ld %s, expected %ld", method, path, body ? body : "", r.status, r.body,
                 status);
    assert_string_equal(str(r.json, "status"), "success");
    d = json_incref(data(&r));
    hresp_free(&r);
    return d;
}

static void sim_post(const char *path, const char *body)
{
    char url[512];
    struct hresp r;

    snprintf(url, sizeof(url), "%s%s", sim.base_url, path);
    assert_int_equal(harness_http("POST", url, NULL, body, strlen(body), &r), 0);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
}

/* A new integration of tool ("personio" or "bamboohr") against hrsim, with
 * a scope config or the default one (scope NULL). */
static void new_integration(const char *tool, const char *scope, char *id, size_t idlen)
{
    char body[1024], sc[128] = "";
    json_t *d;

    if (scope)
        snprintf(sc, sizeof(sc), ",\"scope_config_id\":\"%s\"", scope);
    if (!strcmp(tool, "personio"))
        snprintf(body, sizeof(body),
                 "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Acme\"},"
                 "\"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"},"
                 "\"base_url\":\"%s/personio\"%s}",
                 sim.base_url, sc);
    else
        snprintf(body, sizeof(body),
                 "{\"tool\":\"bamboohr\",\"end_user\":{\"organization_name\":\"Acme\"},"
                 "\"credentials\":{\"company_domain\":\"acme\",\"api_key\":\"sim-key\"},"
                 "\"base_url\":\"%s/bamboohr\"%s}",
                 sim.base_url, sc);
    d = ok("POST", "/v1/integrations", NULL, body, 201);
    snprintf(id, idlen, "%s", str(d, "id"));
    if (scope)
        assert_string_equal(str(json_object_get(d, "scope_config"), "id"), scope);
    json_decref(d);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void expect_state(json_t *run, const char *state)
{
    const char *got = str(run, "state");

    if (strcmp(got, state) != 0)
        fail_msg("sync state %s, expected %s (error: %s)", got, state, str(run, "error"));
}

/* Waits until the integration's newest run (other than not_run) is over;
 * asserts it succeeded and returns its id into out (may be NULL). */
static void wait_for_sync(const char *id, const char *not_run, char *out, size_t outlen)
{
    char path[256];

    snprintf(path, sizeof(path), "/v1/integrations/%s/syncs?page_size=1", id);
    for (int i = 0; i < 600; i++) {
        json_t *d = ok("GET", path, NULL, NULL, 200);
        json_t *run = json_array_get(json_object_get(d, "results"), 0);
        const char *state = str(run, "state"), *rid = str(run, "id");

        if (state && (!not_run || strcmp(rid, not_run) != 0) &&
            (!strcmp(state, "SUCCEEDED") || !strcmp(state, "FAILED"))) {
            expect_state(run, "SUCCEEDED");
            if (out)
                snprintf(out, outlen, "%s", rid);
            json_decref(d);
            return;
        }
        json_decref(d);
        sleep_ms(50);
    }
    fail_msg("no sync of %s finished within 30 s", id);
}

/* Forces a FULL sync (or joins the queued or running one); its id into out. */
static void force_full(const char *id, char *out, size_t outlen)
{
    json_t *d = ok("POST", "/v1/force-sync", id, "{\"type\":\"FULL\"}", 200);

    snprintf(out, outlen, "%s", str(d, "sync_id"));
    json_decref(d);
}

/* Waits for run run_id of integration id and asserts it succeeded. */
static void wait_run(const char *id, const char *run_id)
{
    char path[256];
    json_t *d;

    snprintf(path, sizeof(path), "/v1/integrations/%s/syncs?page_size=10", id);
    for (int i = 0; i < 600; i++) {
        json_t *run;
        size_t k;
        d = ok("GET", path, NULL, NULL, 200);
        json_array_foreach (json_object_get(d, "results"), k, run) {
            const char *state = str(run, "state");
            if (!strcmp(str(run, "id"), run_id) &&
                (!strcmp(state, "SUCCEEDED") || !strcmp(state, "FAILED"))) {
                expect_state(run, "SUCCEEDED");
                json_decref(d);
                return;
            }
        }
        json_decref(d);
        sleep_ms(50);
    }
    fail_msg("sync %s did not finish within 30 s", run_id);
}

static void full_sync(const char *id)
{
    char run_id[64];

    force_full(id, run_id, sizeof(run_id));
    wait_run(id, run_id);
}

/* All records of /v1/hris/<endpoint>, following next. */
static json_t *all_of(const char *id, const char *endpoint, const char *query)
{
    json_t *all = json_array();
    char cursor[600] = "";

    for (int pages = 0; pages < 1000; pages++) {
        char path[2048];
        json_t *d, *next, *e;
        size_t i;

        snprintf(path, sizeof(path), "/v1/hris/%s?page_size=100%s%s%s%s", endpoint,
                 query ? "&" : "", query ? query : "", cursor[0] ? "&cursor=" : "", cursor);
        d = ok("GET", path, id, NULL, 200);
        json_array_foreach (json_object_get(d, "results"), i, e)
            json_array_append(all, e);
        next = json_object_get(d, "next");
        if (!json_is_string(next)) {
            json_decref(d);
            return all;
        }
        snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
        json_decref(d);
    }
    fail_msg("more than 1000 pages");
    return all;
}

/* Every page of a general list (path without query), following next. */
static json_t *all_pages(const char *path, int page_size)
{
    json_t *all = json_array();
    char cursor[600] = "";

    for (int pages = 0; pages < 1000; pages++) {
        char url[1200];
        json_t *d, *next, *e;
        size_t i;

        snprintf(url, sizeof(url), "%s?page_size=%d%s%s", path, page_size,
                 cursor[0] ? "&cursor=" : "", cursor);
        d = ok("GET", url, NULL, NULL, 200);
        assert_true(json_array_size(json_object_get(d, "results")) <= (size_t)page_size);
        assert_true(json_equal(json_object_get(d, "next"), json_object_get(d, "next_cursor")));
        json_array_foreach (json_object_get(d, "results"), i, e)
            json_array_append(all, e);
        next = json_object_get(d, "next");
        if (!json_is_string(next)) {
            json_decref(d);
            return all;
        }
        snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
        json_decref(d);
    }
    fail_msg("more than 1000 pages");
    return all;
}

/* Records keyed by a string member (a new object). */
static json_t *by(json_t *list, const char *member)
{
    json_t *out = json_object(), *e;
    size_t i;

    json_array_foreach (list, i, e)
        json_object_set(out, str(e, member), e);
    return out;
}

/* The integration field of model whose label holds label_part; id and key out. */
static void find_field(const char *id, const char *model, const char *label_part, char *fid,
                       char *fkey)
{
    char path[512];
    json_t *d, *f;
    size_t i;

    fid[0] = fkey[0] = '\0';
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=2000", id);
    d = ok("GET", path, NULL, NULL, 200);
    json_array_foreach (json_object_get(d, "results"), i, f) {
        const char *label = str(f, "label");
        if (!fid[0] && label && strstr(label, label_part) && !strcmp(str(f, "model"), model)) {
            snprintf(fid, 64, "%s", str(f, "id"));
            snprintf(fkey, 64, "%s", str(f, "key"));
        }
    }
    json_decref(d);
    if (!fid[0])
        fail_msg("no %s field of %s labelled like %s", model, id, label_part);
}

/* How many integration fields of model GET …/integration-fields lists. */
static size_t listed_fields(const char *id, const char *model)
{
    char path[512];
    json_t *d, *f;
    size_t i, n = 0;

    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=2000", id);
    d = ok("GET", path, NULL, NULL, 200);
    json_array_foreach (json_object_get(d, "results"), i, f)
        n += !strcmp(str(f, "model"), model);
    json_decref(d);
    return n;
}

/* Maps custom field cf of integration id onto field (NULL: unmaps); returns the answer. */
static json_t *map_field(const char *id, const char *cf, const char *field)
{
    char path[512], body[256];

    snprintf(path, sizeof(path), "/v1/integrations/%s/custom-fields/%s", id, cf);
    if (field)
        snprintf(body, sizeof(body), "{\"integration_field_id\":\"%s\"}", field);
    else
        snprintf(body, sizeof(body), "{\"integration_field_id\":null}");
    return ok("PUT", path, NULL, body, 200);
}

static void set_passthrough(const char *id, const char *field, int on)
{
    char path[512];

    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields/%s", id, field);
    json_decref(ok("PATCH", path, NULL,
                   on ? "{\"enable_passthrough\":true}" : "{\"enable_passthrough\":false}", 200));
}

/* Creates a custom field definition; its id into out. */
static void define(const char *model, const char *k, const char *label, char *out)
{
    char body[512];
    json_t *d;

    snprintf(body, sizeof(body), "{\"model\":\"%s\",\"key\":\"%s\",\"label\":\"%s\"}", model, k,
             label);
    d = ok("POST", "/v1/custom-field-definitions", NULL, body, 201);
    assert_string_equal(str(d, "key"), k);
    assert_string_equal(str(d, "model"), model);
    assert_string_equal(str(d, "label"), label);
    assert_true(json_is_null(json_object_get(d, "description")));
    snprintf(out, 64, "%s", str(d, "id"));
    json_decref(d);
}

/* Creates a scope config; its id into out. */
static void new_scope(const char *body, char *out)
{
    json_t *d = ok("POST", "/v1/scope-configs", NULL, body, 201);

    assert_true(json_is_false(json_object_get(d, "is_default")));
    assert_true(json_is_string(json_object_get(d, "created_at")));
    snprintf(out, 64, "%s", str(d, "id"));
    json_decref(d);
}

static json_t *put_scope(const char *scope, const char *body)
{
    char path[256];

    snprintf(path, sizeof(path), "/v1/scope-configs/%s", scope);
    return ok("PUT", path, NULL, body, 200);
}

static json_t *get_integration(const char *id)
{
    char path[256];

    snprintf(path, sizeof(path), "/v1/integrations/%s", id);
    return ok("GET", path, NULL, NULL, 200);
}

static void set_enabled(const char *id, int on)
{
    char path[256];

    snprintf(path, sizeof(path), "/v1/integrations/%s/enabled", id);
    json_decref(ok("PUT", path, NULL, on ? "{\"value\":true}" : "{\"value\":false}", 200));
}

/* The read_models entry of model (borrowed from d). */
static json_t *read_model(json_t *integration, const char *model)
{
    json_t *m;
    size_t i;

    json_array_foreach (json_object_get(integration, "read_models"), i, m) {
        if (!strcmp(str(m, "id"), model))
            return m;
    }
    fail_msg("read_models has no %s", model);
    return NULL;
}

static json_t *read_field(json_t *model, const char *field)
{
    json_t *f;
    size_t i;

    json_array_foreach (json_object_get(model, "fields"), i, f) {
        if (!strcmp(str(f, "id"), field))
            return f;
    }
    fail_msg("read_models.%s has no field %s", str(model, "id"), field);
    return NULL;
}

/* Percent-encodes s for a query string. */
static void qenc(const char *s, char *out, size_t outlen)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 < outlen; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.') {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
}

/* Employees matching the custom_fields filter text (raw JSON). */
static json_t *filtered(const char *id, const char *filter)
{
    char q[1024], enc[900];

    qenc(filter, enc, sizeof(enc));
    snprintf(q, sizeof(q), "custom_fields=%s", enc);
    return all_of(id, "employees", q);
}

static void expect_filter_refused(const char *id, const char *filter)
{
    char path[1024], enc[900];

    qenc(filter, enc, sizeof(enc));
    snprintf(path, sizeof(path), "/v1/hris/employees?custom_fields=%s", enc);
    refused("GET", path, id, NULL, 400, "PLATFORM.INPUT_INVALID");
}

/* Asserts got (records) are exactly the ids in want (an object id -> anything). */
static void expect_same_ids(json_t *got, json_t *want, const char *what)
{
    json_t *e;
    size_t i;

    if (json_array_size(got) != json_object_size(want))
        fail_msg("%s: %zu employees, expected %zu", what, json_array_size(got),
                 json_object_size(want));
    json_array_foreach (got, i, e) {
        if (!json_object_get(want, str(e, "id")))
            fail_msg("%s: employee %s should not match", what, str(e, "remote_id"));
    }
}

/* hrsim's own Personio employees (their attributes), keyed by remote id. */
static json_t *sim_personio(void)
{
    char url[512], auth[600];
    const char *h[] = {auth, NULL};
    json_t *byid = json_object(), *item;
    struct hresp r;
    size_t i;

    snprintf(url, sizeof(url), "%s/personio/v1/auth?client_id=sim-client&client_secret=sim-secret",
             sim.base_url);
    assert_int_equal(harness_http("POST", url, NULL, "", 0, &r), 0);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
             str(json_object_get(r.json, "data"), "token"));
    hresp_free(&r);
    for (int off = 0; off < 100000; off += 100) {
        size_t n;
        snprintf(url, sizeof(url), "%s/personio/v1/company/employees?limit=100&offset=%d",
                 sim.base_url, off);
        assert_int_equal(harness_http("GET", url, h, NULL, 0, &r), 0);
        assert_int_equal(r.status, 200);
        n = json_array_size(json_object_get(r.json, "data"));
        json_array_foreach (json_object_get(r.json, "data"), i, item) {
            json_t *attrs = json_object_get(item, "attributes");
            char rid[32];
            snprintf(rid, sizeof(rid), "%lld",
                     (long long)json_integer_value(
                         json_object_get(json_object_get(attrs, "id"), "value")));
            json_object_set(byid, rid, attrs);
        }
        hresp_free(&r);
        if (n < 100)
            break;
    }
    return byid;
}

/* A Personio attribute's raw value (borrowed; NULL when absent). */
static json_t *personio_value(json_t *attrs, const char *k)
{
    return json_object_get(json_object_get(attrs, k), "value");
}

/* hrsim's own BambooHR report of fields (a JSON array literal), keyed by id. */
static json_t *sim_bamboohr(const char *fields)
{
    char url[512], body[1024];
    /* base64("sim-key:x") */
    const char *h[] = {"Authorization: Basic c2ltLWtleTp4", "Accept: application/json",
                       "Content-Type: application/json", NULL};
    json_t *out;
    struct hresp r;

    snprintf(url, sizeof(url), "%s/bamboohr/v1/reports/custom?onlyCurrent=false", sim.base_url);
    snprintf(body, sizeof(body), "{\"title\":\"t\",\"fields\":%s}", fields);
    assert_int_equal(harness_http("POST", url, h, body, strlen(body), &r), 0);
    assert_int_equal(r.status, 200);
    out = by(json_object_get(r.json, "employees"), "id");
    hresp_free(&r);
    return out;
}

/* Values equal in JSON type and value (jansson's json_equal, with null == absent). */
static int same_value(json_t *a, json_t *b)
{
    if (!a || json_is_null(a))
        return !b || json_is_null(b);
    return b && json_typeof(a) == json_typeof(b) && json_equal(a, b);
}

static char *dump(json_t *v)
{
    return v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : strdup("(absent)");
}

static void expect_raw(json_t *got, json_t *want, const char *what, const char *who)
{
    if (!same_value(got, want)) {
        char *g = dump(got), *w = dump(want);
        fail_msg("%s of %s: %s, expected %s", what, who, g, w);
    }
}

/* ---- the SQLite file ------------------------------------------------------ */

static sqlite3 *db_open(void)
{
    sqlite3 *h = NULL;

    if (sqlite3_open_v2(db_path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("open %s: %s", db_path, h ? sqlite3_errmsg(h) : "?");
    sqlite3_busy_timeout(h, 5000);
    return h;
}

/* The first column of the first row of sql with up to three text parameters. */
static long long db_count(const char *sql, const char *a, const char *b, const char *c)
{
    const char *params[4] = {a, a ? b : NULL, a && b ? c : NULL, NULL};
    long long n = harness_db_scalar(db, sql, params); /* SQLite or PostgreSQL */

    if (n < 0)
        fail_msg("%s: failed", sql);
    return n;
}

/* A piece of the first stored body of the integration's model around needle. */
static void db_show(const char *integ, const char *model, const char *needle)
{
    sqlite3 *h;
    sqlite3_stmt *st = NULL;

    if (strcmp(harness_db(db), db) != 0)
        return; /* not a SQLite file (HRBRIDGE_TEST_PG) */
    h = db_open();

    sqlite3_prepare_v2(h,
                       "SELECT remote_id, body FROM records WHERE integration_id = ? AND "
                       "model = ? ORDER BY id LIMIT 1",
                       -1, &st, NULL);
    sqlite3_bind_text(st, 1, integ, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, model, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *body = (const char *)sqlite3_column_text(st, 1);
        const char *at = body ? strstr(body, needle) : NULL;
        fprintf(stderr, "records.body of %s %s: …%.60s…\n", model, sqlite3_column_text(st, 0),
                at ? at : "(not there)");
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
}

/* ---- fixtures ------------------------------------------------------------- */

static int group_setup(void **state)
{
    const char *sim_args[] = {"--employees", "150", "--custom-fields", "12", "--seed", "5", NULL};
    char conf[400];
    const char *extra[] = {"--config", conf, NULL};
    FILE *f;

    (void)state;
    if (harness_tmpdir(tmp, sizeof(tmp)) != 0)
        return -1;
    snprintf(db_path, sizeof(db_path), "%s/hb.db", tmp);
    snprintf(db, sizeof(db), "sqlite:%s", db_path);
    snprintf(conf, sizeof(conf), "%s/hrbridge.conf", tmp);
    f = fopen(conf, "w");
    if (!f)
        return -1;
    /* No schedule: each test decides when to sync (a new integration still syncs at once). */
    fprintf(f, "sync.full_interval = 0\nsync.delta_interval = 0\nsync.lease = 10\n");
    fclose(f);
    if (harness_start_hrsim(&sim, tmp, sim_args) != 0)
        return -1;
    if (harness_new_key(db, "custom-fields-tests", key, sizeof(key)) != 0 ||
        harness_new_key(db, "custom-fields-other", key2, sizeof(key2)) != 0)
        return -1;
    return harness_start_hrbridge(&srv, tmp, db, extra);
}

static int group_teardown(void **state)
{
    (void)state;
    harness_stop(&srv);
    harness_stop(&sim);
    harness_rmtree(tmp);
    return 0;
}

static int reset_sim(void **state)
{
    (void)state;
    sim_post("/__sim/reset", "{}");
    return 0;
}

/* ---- a: custom fields on two vendors ---------------------------------------- */

struct vendor {
    char id[128];
    char shirt_id[64], shirt_key[64], km_id[64], km_key[64];
};

/* Every employee carries exactly the two keys, each the vendor's raw value. */
static void expect_raw_values(const struct vendor *v, json_t *emps, int personio, json_t *raw)
{
    json_t *e;
    size_t i;
    int numbers = 0;

    assert_int_equal(json_array_size(emps), EMPLOYEES);
    json_array_foreach (emps, i, e) {
        json_t *cf = json_object_get(e, "custom_fields"), *row;
        const char *rid = str(e, "remote_id");

        assert_true(json_is_object(cf));
        assert_int_equal(json_object_size(cf), 2);
        row = json_object_get(raw, rid);
        if (!row)
            fail_msg("employee %s is not in hrsim", rid);
        if (personio) {
            expect_raw(json_object_get(cf, "tshirt_size"), personio_value(row, v->shirt_key),
                       "tshirt_size", rid);
            expect_raw(json_object_get(cf, "health_insurance"), personio_value(row, v->km_key),
                       "health_insurance", rid);
            /* Personio's decimal is a JSON number, and stays one. */
            if (!json_is_null(json_object_get(cf, "health_insurance"))) {
                assert_true(json_is_number(json_object_get(cf, "health_insurance")));
                numbers++;
            }
        } else {
            expect_raw(json_object_get(cf, "tshirt_size"), json_object_get(row, v->shirt_key),
                       "tshirt_size", rid);
            expect_raw(json_object_get(cf, "health_insurance"), json_object_get(row, v->km_key),
                       "health_insurance", rid);
        }
    }
    if (personio)
        assert_true(numbers > EMPLOYEES / 2);
}

/* The same person has the same custom fields on both vendors, as far as the
 * vendors' own types allow: Personio's empty list value is "" where BambooHR
 * has null, and its decimal a number where BambooHR has a decimal string. */
static void expect_same_people(json_t *p_emps, json_t *b_emps)
{
    json_t *b_by_email = by(b_emps, "work_email"), *e;
    size_t i;
    int compared = 0, numbers = 0;

    json_array_foreach (p_emps, i, e) {
        json_t *other = json_object_get(b_by_email, str(e, "work_email"));
        json_t *pcf = json_object_get(e, "custom_fields"), *bcf, *pv, *bv;

        if (!other)
            fail_msg("%s is not an employee of the BambooHR integration", str(e, "work_email"));
        bcf = json_object_get(other, "custom_fields");
        /* The same keys. */
        assert_int_equal(json_object_size(pcf), json_object_size(bcf));
        assert_non_null(json_object_get(bcf, "tshirt_size"));
        assert_non_null(json_object_get(bcf, "health_insurance"));
        pv = json_object_get(pcf, "tshirt_size");
        bv = json_object_get(bcf, "tshirt_size");
        if (json_is_string(pv) && !*json_string_value(pv))
            assert_true(json_is_null(bv));
        else
            expect_raw(bv, pv, "tshirt_size", str(e, "work_email"));
        pv = json_object_get(pcf, "health_insurance");
        bv = json_object_get(bcf, "health_insurance");
        if (json_is_null(pv)) {
            assert_true(json_is_null(bv));
        } else {
            assert_true(json_is_string(bv));
            if (strtod(json_string_value(bv), NULL) != json_number_value(pv))
                fail_msg("health_insurance of %s: %s on BambooHR, %g on Personio",
                         str(e, "work_email"), json_string_value(bv), json_number_value(pv));
            numbers++;
        }
        compared++;
    }
    assert_int_equal(compared, EMPLOYEES);
    assert_true(numbers > EMPLOYEES / 2);
    json_decref(b_by_email);
}

static void custom_fields_across_vendors(void **state)
{
    struct vendor p, b;
    char tshirt[64], health[64], hours[64], path[512], hours_id[64], hours_key[64];
    char filter[256], run_id[64];
    json_t *d, *x, *list, *p_emps, *b_emps, *p_raw, *b_raw, *e, *want;
    size_t i;

    (void)state;
    define("hris_employees", "tshirt_size", "T-shirt size", tshirt);
    define("hris_employees", "health_insurance", "Health insurance", health);
    define("hris_employments", "contract_hours", "Contract hours", hours);
    new_integration("personio", NULL, p.id, sizeof(p.id));
    new_integration("bamboohr", NULL, b.id, sizeof(b.id));
    wait_for_sync(p.id, NULL, NULL, 0);
    wait_for_sync(b.id, NULL, NULL, 0);

    /* The definitions, paged one at a time; unmapped on the integration. */
    list = all_pages("/v1/custom-field-definitions", 1);
    assert_true(json_array_size(list) >= 3);
    json_decref(list);
    snprintf(path, sizeof(path), "/v1/integrations/%s/custom-fields", p.id);
    list = all_pages(path, 2);
    assert_int_equal(json_array_size(list), 3);
    json_array_foreach (list, i, x) {
        assert_true(json_is_null(json_object_get(x, "integration_field")));
        assert_true(json_is_string(json_object_get(x, "label")));
    }
    json_decref(list);
    /* Unmapped definitions are null on every record already. */
    p_emps = all_of(p.id, "employees", NULL);
    json_array_foreach (p_emps, i, e) {
        json_t *cf = json_object_get(e, "custom_fields");
        assert_int_equal(json_object_size(cf), 2);
        assert_true(json_is_null(json_object_get(cf, "tshirt_size")));
        assert_true(json_is_null(json_object_get(cf, "health_insurance")));
    }
    json_decref(p_emps);

    /* Each vendor's own field, found by its label. */
    find_field(p.id, "hris_employees", "Shirt size", p.shirt_id, p.shirt_key);
    find_field(p.id, "hris_employees", "Commute km", p.km_id, p.km_key);
    find_field(b.id, "hris_employees", "Shirt size", b.shirt_id, b.shirt_key);
    find_field(b.id, "hris_employees", "Commute km", b.km_id, b.km_key);
    assert_non_null(strstr(p.shirt_key, "dynamic_"));
    assert_null(strstr(b.shirt_key, "dynamic_"));
    fprintf(stderr, "personio: %s, %s; bamboohr: %s, %s\n", p.shirt_key, p.km_key, b.shirt_key,
            b.km_key);

    /* A field of the other integration, or of another model, is refused. */
    snprintf(path, sizeof(path), "/v1/integrations/%s/custom-fields/%s", p.id, tshirt);
    snprintf(filter, sizeof(filter), "{\"integration_field_id\":\"%s\"}", b.shirt_id);
    refused("PUT", path, NULL, filter, 400, "PLATFORM.INPUT_INVALID");
    find_field(p.id, "hris_employments", "Weekly hours", hours_id, hours_key);
    snprintf(filter, sizeof(filter), "{\"integration_field_id\":\"%s\"}", hours_id);
    refused("PUT", path, NULL, filter, 400, "PLATFORM.INPUT_INVALID");
    refused("PUT", path, NULL, "{\"integration_field_id\":\"NoSuchField1234567890123\"}", 400,
            "PLATFORM.INPUT_INVALID");
    refused("PUT", path, NULL, "{\"integration_field_id\":5}", 400, "PLATFORM.INPUT_INVALID");
    refused("PUT", path, NULL, "{}", 400, "PLATFORM.INPUT_INVALID");
    snprintf(path, sizeof(path), "/v1/integrations/%s/custom-fields/NoSuchCustomField12345678",
             p.id);
    snprintf(filter, sizeof(filter), "{\"integration_field_id\":\"%s\"}", p.shirt_id);
    refused("PUT", path, NULL, filter, 404, "PLATFORM.INPUT_INVALID");
    /* An employments definition takes an employments field, not an employees one. */
    snprintf(path, sizeof(path), "/v1/integrations/%s/custom-fields/%s", p.id, hours);
    refused("PUT", path, NULL, filter, 400, "PLATFORM.INPUT_INVALID");

    /* Map both on both; the answer shows the mapping. */
    d = map_field(p.id, tshirt, p.shirt_id);
    x = json_object_get(d, "integration_field");
    assert_string_equal(str(x, "id"), p.shirt_id);
    assert_string_equal(str(x, "key"), p.shirt_key);
    assert_string_equal(str(x, "type"), "CUSTOM");
    assert_string_equal(str(x, "label"), "Shirt size");
    assert_string_equal(str(d, "key"), "tshirt_size");
    json_decref(d);
    json_decref(map_field(p.id, health, p.km_id));
    json_decref(map_field(p.id, hours, hours_id));
    json_decref(map_field(b.id, tshirt, b.shirt_id));
    json_decref(map_field(b.id, health, b.km_id));
    full_sync(p.id);
    full_sync(b.id);

    snprintf(path, sizeof(path), "/v1/integrations/%s/custom-fields", b.id);
    list = all_pages(path, 250);
    json_array_foreach (list, i, x) {
        const char *k = str(x, "key");
        json_t *f = json_object_get(x, "integration_field");
        if (!strcmp(k, "contract_hours"))
            assert_true(json_is_null(f));
        else
            assert_string_equal(str(f, "id"), !strcmp(k, "tshirt_size") ? b.shirt_id : b.km_id);
    }
    json_decref(list);

    /* Values are the vendor's raw values, JSON type kept. */
    p_raw = sim_personio();
    snprintf(filter, sizeof(filter), "[\"workEmail\",\"%s\",\"%s\"]", b.shirt_key, b.km_key);
    b_raw = sim_bamboohr(filter);
    p_emps = all_of(p.id, "employees", NULL);
    b_emps = all_of(b.id, "employees", NULL);
    expect_raw_values(&p, p_emps, 1, p_raw);
    expect_raw_values(&b, b_emps, 0, b_raw);
    expect_same_people(p_emps, b_emps);

    /* The employments definition: on employments, nested ones included. */
    json_array_foreach (p_emps, i, e) {
        json_t *job = json_array_get(json_object_get(e, "employments"), 0);
        json_t *row = json_object_get(p_raw, str(e, "remote_id"));
        json_t *cf = json_object_get(job, "custom_fields");
        assert_int_equal(json_object_size(cf), 1);
        expect_raw(json_object_get(cf, "contract_hours"), personio_value(row, hours_key),
                   "contract_hours", str(e, "remote_id"));
    }
    list = all_of(p.id, "employments", NULL);
    assert_int_equal(json_array_size(list), EMPLOYEES);
    json_array_foreach (list, i, x)
        assert_true(
            json_is_string(json_object_get(json_object_get(x, "custom_fields"), "contract_hours")));
    json_decref(list);

    /* The filter: a string, a number, null; exactly the matching employees. */
    {
        json_t *xl = json_object(), *num = json_object(), *none = json_object(),
               *b_none = json_object(), *twin = json_object(), *first = NULL, *integral = NULL;
        json_array_foreach (p_emps, i, e) {
            json_t *cf = json_object_get(e, "custom_fields");
            json_t *s = json_object_get(cf, "tshirt_size"),
                   *n = json_object_get(cf, "health_insurance");
            if (json_is_string(s) && !strcmp(json_string_value(s), "XL"))
                json_object_set_new(xl, str(e, "id"), json_true());
            if (json_is_null(n))
                json_object_set_new(none, str(e, "id"), json_true());
            else if (!first)
                first = n;
            if (!integral && json_is_integer(n))
                integral = n;
        }
        assert_true(json_object_size(xl) > 0 && json_object_size(xl) < EMPLOYEES);
        assert_true(json_object_size(none) > 0);
        assert_non_null(first);
        json_array_foreach (p_emps, i, e) {
            json_t *n = json_object_get(json_object_get(e, "custom_fields"), "health_insurance");
            if (json_is_number(n) && json_number_value(n) == json_number_value(first))
                json_object_set_new(num, str(e, "id"), json_true());
            if (integral && json_is_number(n) &&
                json_number_value(n) == json_number_value(integral))
                json_object_set_new(twin, str(e, "id"), json_true());
        }
        list = filtered(p.id, "{\"tshirt_size\":\"XL\"}");
        expect_same_ids(list, xl, "tshirt_size XL");
        json_decref(list);
        {
            char *v = dump(first);
            snprintf(filter, sizeof(filter), "{\"health_insurance\":%s}", v);
            free(v);
        }
        list = filtered(p.id, filter);
        expect_same_ids(list, num, filter);
        json_decref(list);
        /* The same number written another way is the same number: hrsim
         * sends some whole numbers as integers (88), which a client may
         * write as 88.0. */
        assert_non_null(integral);
        snprintf(filter, sizeof(filter), "{\"health_insurance\":%lld.0}",
                 (long long)json_integer_value(integral));
        list = filtered(p.id, filter);
        expect_same_ids(list, twin, filter);
        json_decref(list);
        list = filtered(p.id, "{\"health_insurance\":null}");
        expect_same_ids(list, none, "health_insurance null");
        json_decref(list);
        /* Nothing holds a boolean; nothing on Personio is a null shirt size. */
        list = filtered(p.id, "{\"tshirt_size\":true}");
        assert_int_equal(json_array_size(list), 0);
        json_decref(list);
        list = filtered(p.id, "{\"tshirt_size\":null}");
        assert_int_equal(json_array_size(list), 0);
        json_decref(list);
        /* BambooHR: its empty shirt sizes are null, its decimals strings. */
        json_array_foreach (b_emps, i, e) {
            if (json_is_null(json_object_get(json_object_get(e, "custom_fields"), "tshirt_size")))
                json_object_set_new(b_none, str(e, "id"), json_true());
        }
        assert_true(json_object_size(b_none) > 0);
        list = filtered(b.id, "{\"tshirt_size\":null}");
        expect_same_ids(list, b_none, "bamboohr tshirt_size null");
        json_decref(list);
        json_object_clear(num);
        first = NULL;
        json_array_foreach (b_emps, i, e) {
            json_t *n = json_object_get(json_object_get(e, "custom_fields"), "health_insurance");
            if (!first && json_is_string(n))
                first = n;
            if (first && json_equal(n, first))
                json_object_set_new(num, str(e, "id"), json_true());
        }
        snprintf(filter, sizeof(filter), "{\"health_insurance\":\"%s\"}", json_string_value(first));
        list = filtered(b.id, filter);
        expect_same_ids(list, num, filter);
        json_decref(list);
        json_decref(xl);
        json_decref(num);
        json_decref(none);
        json_decref(b_none);
        json_decref(twin);
    }
    /* Unknown keys, objects, arrays and anything but one pair are refused. */
    expect_filter_refused(p.id, "{\"shoe_size\":\"XL\"}");
    expect_filter_refused(p.id, "{\"contract_hours\":\"40\"}"); /* not an employees field */
    expect_filter_refused(p.id, "{\"tshirt_size\":{\"eq\":\"XL\"}}");
    expect_filter_refused(p.id, "{\"tshirt_size\":[\"XL\"]}");
    expect_filter_refused(p.id, "{\"tshirt_size\":\"XL\",\"health_insurance\":1}");
    expect_filter_refused(p.id, "{}");
    expect_filter_refused(p.id, "[\"tshirt_size\"]");
    expect_filter_refused(p.id, "\"XL\"");

    /* Unmapping: null at once, and the values are gone from the database... */
    assert_true(
        db_count("SELECT count(*) FROM field_values WHERE field_id = ?", p.km_id, NULL, NULL) > 0);
    d = map_field(p.id, health, NULL);
    assert_true(json_is_null(json_object_get(d, "integration_field")));
    json_decref(d);
    assert_int_equal(
        db_count("SELECT count(*) FROM field_values WHERE field_id = ?", p.km_id, NULL, NULL), 0);
    /* ...unless the field is selected for passthrough as well. */
    set_passthrough(p.id, p.shirt_id, 1);
    full_sync(p.id);
    json_decref(map_field(p.id, tshirt, NULL));
    assert_int_equal(
        db_count("SELECT count(*) FROM field_values WHERE field_id = ?", p.shirt_id, NULL, NULL),
        EMPLOYEES);
    list = all_of(p.id, "employees", NULL);
    json_array_foreach (list, i, e) {
        json_t *cf = json_object_get(e, "custom_fields");
        json_t *ifs = json_object_get(e, "integration_fields");
        json_t *row = json_object_get(p_raw, str(e, "remote_id"));
        assert_int_equal(json_object_size(cf), 2);
        assert_true(json_is_null(json_object_get(cf, "tshirt_size")));
        assert_true(json_is_null(json_object_get(cf, "health_insurance")));
        assert_int_equal(json_array_size(ifs), 1);
        expect_raw(json_object_get(json_array_get(ifs, 0), "value"),
                   personio_value(row, p.shirt_key), "integration field", str(e, "remote_id"));
    }
    json_decref(list);
    list = filtered(p.id, "{\"tshirt_size\":null}");
    assert_int_equal(json_array_size(list), EMPLOYEES);
    json_decref(list);
    list = filtered(p.id, "{\"tshirt_size\":\"XL\"}");
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);

    /* Mapped again, the next sync brings the values back. */
    set_passthrough(p.id, p.shirt_id, 0);
    json_decref(map_field(p.id, tshirt, p.shirt_id));
    json_decref(map_field(p.id, health, p.km_id));
    full_sync(p.id);
    json_decref(p_emps);
    p_emps = all_of(p.id, "employees", NULL);
    expect_raw_values(&p, p_emps, 1, p_raw);
    json_array_foreach (p_emps, i, e)
        assert_int_equal(json_array_size(json_object_get(e, "integration_fields")), 0);

    /* Unmapped and mapped again before any sync: the queued sync still
     * brings back the values the unmapping dropped. Same for passthrough. */
    json_decref(map_field(p.id, health, NULL));
    json_decref(map_field(p.id, health, p.km_id));
    full_sync(p.id);
    set_passthrough(p.id, p.km_id, 1);
    full_sync(p.id);
    set_passthrough(p.id, p.km_id, 0); /* still mapped: its values stay */
    assert_int_equal(
        db_count("SELECT count(*) FROM field_values WHERE field_id = ?", p.km_id, NULL, NULL),
        EMPLOYEES);
    json_decref(map_field(p.id, health, NULL));
    set_passthrough(p.id, p.km_id, 1);
    assert_int_equal(
        db_count("SELECT count(*) FROM field_values WHERE field_id = ?", p.km_id, NULL, NULL), 0);
    full_sync(p.id);
    json_decref(map_field(p.id, health, p.km_id));
    set_passthrough(p.id, p.km_id, 0);
    full_sync(p.id);
    json_decref(p_emps);
    p_emps = all_of(p.id, "employees", NULL);
    expect_raw_values(&p, p_emps, 1, p_raw);

    /* Unmapped while a sync is fetching: that sync stores no values of it,
     * and mapping it again later still brings them back. */
    sim_post("/personio/__sim/fault", "{\"kind\":\"stall\",\"stall_ms\":1500,\"count\":1}");
    force_full(p.id, run_id, sizeof(run_id));
    sleep_ms(400);
    json_decref(map_field(p.id, health, NULL));
    wait_run(p.id, run_id);
    assert_int_equal(
        db_count("SELECT count(*) FROM field_values WHERE field_id = ?", p.km_id, NULL, NULL), 0);
    json_decref(map_field(p.id, health, p.km_id));
    full_sync(p.id);
    json_decref(p_emps);
    p_emps = all_of(p.id, "employees", NULL);
    expect_raw_values(&p, p_emps, 1, p_raw);

    /* Deleting a definition takes its key off every record and its values along. */
    snprintf(path, sizeof(path), "/v1/custom-field-definitions/%s", health);
    d = ok("DELETE", path, NULL, NULL, 200);
    assert_string_equal(str(d, "id"), health);
    assert_string_equal(str(d, "key"), "health_insurance");
    json_decref(d);
    refused("DELETE", path, NULL, NULL, 404, "PLATFORM.INPUT_INVALID");
    assert_int_equal(
        db_count("SELECT count(*) FROM field_values WHERE field_id = ? OR field_id = ?", p.km_id,
                 b.km_id, NULL),
        0);
    list = all_of(b.id, "employees", NULL);
    json_array_foreach (list, i, e) {
        json_t *cf = json_object_get(e, "custom_fields");
        assert_int_equal(json_object_size(cf), 1);
        assert_null(json_object_get(cf, "health_insurance"));
        want = json_object_get(b_raw, str(e, "remote_id"));
        expect_raw(json_object_get(cf, "tshirt_size"), json_object_get(want, b.shirt_key),
                   "tshirt_size", str(e, "remote_id"));
    }
    json_decref(list);
    expect_filter_refused(b.id, "{\"health_insurance\":null}");

    json_decref(p_emps);
    json_decref(b_emps);
    json_decref(p_raw);
    json_decref(b_raw);
}

/* ---- b: fields switched off ------------------------------------------------- */

static void disabled_fields_are_neither_served_nor_stored(void **state)
{
    char scope[64], id[128], run[64];
    json_t *d, *it, *m, *emps, *e, *off;
    size_t i;
    int born = 0, paid = 0;

    (void)state;
    new_scope("{\"name\":\"no-pii\"}", scope);
    new_integration("personio", scope, id, sizeof(id));
    wait_for_sync(id, NULL, run, sizeof(run));

    /* Before: dates of birth are served and stored. */
    emps = all_of(id, "employees", NULL);
    json_array_foreach (emps, i, e) {
        born += json_is_string(json_object_get(e, "date_of_birth"));
        paid += json_is_number(
            json_object_get(json_array_get(json_object_get(e, "employments"), 0), "pay_rate"));
    }
    assert_true(born > EMPLOYEES / 2);
    assert_true(paid > EMPLOYEES / 2);
    json_decref(emps);
    assert_true(db_count("SELECT count(*) FROM records WHERE integration_id = ? AND model = "
                         "'hris_employees' AND body LIKE '%\"date_of_birth\":\"%'",
                         id, NULL, NULL) > EMPLOYEES / 2);
    db_show(id, "hris_employees", "\"date_of_birth\"");

    /* Switched off while the integration cannot sync, to see the data expire. */
    set_enabled(id, 0);
    d = put_scope(scope, "{\"name\":\"no-pii\",\"models\":{\"hris_employees\":"
                         "{\"disabled_fields\":[\"ssn\",\"date_of_birth\"]},"
                         "\"hris_employments\":{\"disabled_fields\":[\"pay_rate\"]}}}");
    assert_string_equal(str(d, "name"), "no-pii");
    off = json_object_get(json_object_get(json_object_get(d, "models"), "hris_employees"),
                          "disabled_fields");
    assert_int_equal(json_array_size(off), 2);
    /* The full form: every model, every key. */
    m = json_object_get(json_object_get(d, "models"), "hris_absences");
    assert_true(json_is_true(json_object_get(m, "enabled")));
    assert_true(json_is_true(json_object_get(m, "integration_fields")));
    assert_true(json_is_true(json_object_get(m, "custom_fields")));
    assert_int_equal(json_array_size(json_object_get(m, "disabled_fields")), 0);
    json_decref(d);

    it = get_integration(id);
    assert_true(json_is_string(json_object_get(it, "data_expired_at")));
    assert_string_equal(str(json_object_get(it, "scope_config"), "id"), scope);
    assert_string_equal(str(json_object_get(it, "scope_config"), "name"), "no-pii");
    m = read_model(it, "hris_employees");
    assert_string_equal(str(m, "scope_config_setting"), "ENABLED");
    assert_true(json_is_true(json_object_get(m, "is_available")));
    assert_string_equal(str(read_field(m, "date_of_birth"), "scope_config_setting"), "DISABLED");
    assert_true(json_is_false(json_object_get(read_field(m, "date_of_birth"), "is_available")));
    assert_string_equal(str(read_field(m, "ssn"), "scope_config_setting"), "DISABLED");
    assert_true(json_is_false(json_object_get(read_field(m, "ssn"), "is_available")));
    assert_string_equal(str(read_field(m, "first_name"), "scope_config_setting"), "ENABLED");
    assert_true(json_is_true(json_object_get(read_field(m, "first_name"), "is_available")));
    json_decref(it);

    /* Null through the API at once, before any sync has run. */
    emps = all_of(id, "employees", NULL);
    assert_int_equal(json_array_size(emps), EMPLOYEES);
    json_array_foreach (emps, i, e) {
        json_t *job = json_array_get(json_object_get(e, "employments"), 0);
        assert_true(json_is_null(json_object_get(e, "ssn")));
        assert_true(json_is_null(json_object_get(e, "date_of_birth")));
        assert_true(json_is_string(json_object_get(e, "first_name")));
        assert_true(json_is_null(json_object_get(job, "pay_rate")));
        assert_true(json_is_string(json_object_get(job, "employee_id")));
    }
    json_decref(emps);
    emps = all_of(id, "employments", NULL);
    assert_int_equal(json_array_size(emps), EMPLOYEES);
    json_array_foreach (emps, i, e)
        assert_true(json_is_null(json_object_get(e, "pay_rate")));
    json_decref(emps);

    /* The FULL sync the change queued. */
    set_enabled(id, 1);
    wait_for_sync(id, run, NULL, 0);
    it = get_integration(id);
    assert_true(json_is_null(json_object_get(it, "data_expired_at")));
    json_decref(it);

    emps = all_of(id, "employees", NULL);
    assert_int_equal(json_array_size(emps), EMPLOYEES);
    json_array_foreach (emps, i, e) {
        json_t *job = json_array_get(json_object_get(e, "employments"), 0);
        assert_true(json_is_null(json_object_get(e, "ssn")));
        assert_true(json_is_null(json_object_get(e, "date_of_birth")));
        assert_true(json_is_string(json_object_get(e, "first_name")));
        assert_true(json_is_null(json_object_get(job, "pay_rate")));
        assert_true(json_is_string(json_object_get(job, "employee_id")));
    }
    json_decref(emps);
    emps = all_of(id, "employments", NULL);
    assert_int_equal(json_array_size(emps), EMPLOYEES);
    json_array_foreach (emps, i, e)
        assert_true(json_is_null(json_object_get(e, "pay_rate")));
    json_decref(emps);
    assert_int_equal(db_count("SELECT count(*) FROM records WHERE integration_id = ? AND model = "
                              "'hris_employees' AND (body LIKE '%\"date_of_birth\":\"%' OR "
                              "body LIKE '%\"ssn\":\"%' OR summary LIKE '%\"date_of_birth\":\"%')",
                              id, NULL, NULL),
                     0);
    assert_int_equal(db_count("SELECT count(*) FROM records WHERE integration_id = ? AND model = "
                              "'hris_employees' AND body LIKE '%\"date_of_birth\":null%'",
                              id, NULL, NULL),
                     EMPLOYEES);
    assert_int_equal(db_count("SELECT count(*) FROM records WHERE integration_id = ? AND model = "
                              "'hris_employments' AND body LIKE '%\"pay_rate\":null%'",
                              id, NULL, NULL),
                     EMPLOYEES);
    db_show(id, "hris_employees", "\"date_of_birth\"");

    /* Switched on again, they come back with the next sync. */
    json_decref(put_scope(scope, "{\"name\":\"no-pii\"}"));
    full_sync(id);
    assert_true(db_count("SELECT count(*) FROM records WHERE integration_id = ? AND model = "
                         "'hris_employees' AND body LIKE '%\"date_of_birth\":\"%'",
                         id, NULL, NULL) > EMPLOYEES / 2);
}

/* ---- c: integration fields and custom fields switched off ------------------- */

static size_t definitions_of(const char *model)
{
    json_t *all = all_pages("/v1/custom-field-definitions", 250), *x;
    size_t i, n = 0;

    json_array_foreach (all, i, x)
        n += !strcmp(str(x, "model"), model);
    json_decref(all);
    return n;
}

static void integration_fields_follow_the_scope(void **state)
{
    char scope[64], id[128], fid[64], fid2[64], fkey[64], cf[64];
    json_t *emps, *e;
    size_t i, ndefs;
    long long stored;
    int dated = 0;

    (void)state;
    define("hris_employees", "badge_expiry", "Badge expiry", cf);
    ndefs = definitions_of("hris_employees");
    new_scope("{\"name\":\"no-raw\",\"models\":{\"hris_employees\":"
              "{\"integration_fields\":false}}}",
              scope);
    new_integration("personio", scope, id, sizeof(id));
    wait_for_sync(id, NULL, NULL, 0);

    /* Not discovered, not listed, not stored; records carry none. */
    assert_int_equal(listed_fields(id, "hris_employees"), 0);
    assert_true(listed_fields(id, "hris_employments") > 0);
    assert_int_equal(db_count("SELECT count(*) FROM integration_fields WHERE integration_id = ? "
                              "AND model = 'hris_employees'",
                              id, NULL, NULL),
                     0);
    emps = all_of(id, "employees", NULL);
    json_array_foreach (emps, i, e) {
        assert_true(json_is_array(json_object_get(e, "integration_fields")));
        assert_int_equal(json_array_size(json_object_get(e, "integration_fields")), 0);
        assert_int_equal(json_object_size(json_object_get(e, "custom_fields")), ndefs);
    }
    json_decref(emps);

    /* Switched on: the next sync discovers them. */
    json_decref(put_scope(scope, "{\"name\":\"raw\"}"));
    full_sync(id);
    stored = db_count("SELECT count(*) FROM integration_fields WHERE integration_id = ? AND "
                      "model = 'hris_employees'",
                      id, NULL, NULL);
    assert_true(stored > 12);
    assert_int_equal(listed_fields(id, "hris_employees"), (size_t)stored);
    find_field(id, "hris_employees", "Badge expiry", fid, fkey);
    set_passthrough(id, fid, 1);
    json_decref(map_field(id, cf, fid));
    full_sync(id);
    emps = all_of(id, "employees", NULL);
    json_array_foreach (emps, i, e) {
        json_t *ifs = json_object_get(e, "integration_fields");
        assert_int_equal(json_array_size(ifs), 1);
        assert_string_equal(str(json_array_get(ifs, 0), "key"), fkey);
        assert_true(
            json_equal(json_object_get(json_array_get(ifs, 0), "value"),
                       json_object_get(json_object_get(e, "custom_fields"), "badge_expiry")));
    }
    json_decref(emps);

    /* custom_fields off: records carry none, at once. */
    json_decref(put_scope(scope, "{\"models\":{\"hris_employees\":{\"custom_fields\":false}}}"));
    emps = all_of(id, "employees", NULL);
    json_array_foreach (emps, i, e) {
        assert_true(json_is_object(json_object_get(e, "custom_fields")));
        assert_int_equal(json_object_size(json_object_get(e, "custom_fields")), 0);
        assert_int_equal(json_array_size(json_object_get(e, "integration_fields")), 1);
    }
    json_decref(emps);
    full_sync(id);

    /* Off again: hidden at once, dropped (values included) by the next sync. */
    json_decref(
        put_scope(scope, "{\"models\":{\"hris_employees\":{\"integration_fields\":false}}}"));
    assert_int_equal(listed_fields(id, "hris_employees"), 0);
    emps = all_of(id, "employees", NULL);
    json_array_foreach (emps, i, e)
        assert_int_equal(json_array_size(json_object_get(e, "integration_fields")), 0);
    json_decref(emps);
    full_sync(id);
    assert_int_equal(db_count("SELECT count(*) FROM integration_fields WHERE integration_id = ? "
                              "AND model = 'hris_employees'",
                              id, NULL, NULL),
                     0);
    assert_int_equal(
        db_count("SELECT count(*) FROM field_values WHERE field_id = ?", fid, NULL, NULL), 0);
    assert_true(db_count("SELECT count(*) FROM integration_fields WHERE integration_id = ? "
                         "AND model = 'hris_employments'",
                         id, NULL, NULL) > 0);

    /* On once more: discovered again (same ids), selected and mapped again,
     * the values come back with the next sync. */
    json_decref(put_scope(scope, "{\"name\":\"raw\"}"));
    full_sync(id);
    assert_int_equal(listed_fields(id, "hris_employees"), (size_t)stored);
    find_field(id, "hris_employees", "Badge expiry", fid2, fkey);
    assert_string_equal(fid2, fid);
    set_passthrough(id, fid, 1);
    json_decref(map_field(id, cf, fid));
    full_sync(id);
    emps = all_of(id, "employees", NULL);
    json_array_foreach (emps, i, e) {
        json_t *ifs = json_object_get(e, "integration_fields");
        json_t *v = json_object_get(json_object_get(e, "custom_fields"), "badge_expiry");
        assert_int_equal(json_array_size(ifs), 1);
        assert_true(json_equal(json_object_get(json_array_get(ifs, 0), "value"), v));
        dated += json_is_string(v);
    }
    json_decref(emps);
    assert_true(dated > EMPLOYEES / 2);
}

/* ---- d: a disabled model, and the admin API's errors ------------------------ */

static void disabled_model_is_refused_and_dropped(void **state)
{
    char scope[64], id[128], path[256];
    json_t *it, *m, *list, *x;
    struct hresp r;
    size_t i;

    (void)state;
    new_scope("{\"name\":\"no-absences\"}", scope);
    new_integration("personio", scope, id, sizeof(id));
    wait_for_sync(id, NULL, NULL, 0);
    list = all_of(id, "absences", NULL);
    assert_int_equal(json_array_size(list), 2 * EMPLOYEES);
    json_decref(list);
    assert_int_equal(db_count("SELECT count(*) FROM records WHERE integration_id = ? AND "
                              "model = 'hris_absences'",
                              id, NULL, NULL),
                     2 * EMPLOYEES);

    json_decref(put_scope(scope, "{\"name\":\"no-absences\",\"models\":{\"hris_absences\":"
                                 "{\"enabled\":false},\"hris_locations\":{\"enabled\":false}}}"));
    /* A disabled model is not nested either. */
    list = all_of(id, "employees", NULL);
    json_array_foreach (list, i, x)
        assert_true(json_is_null(json_object_get(x, "work_location")));
    json_decref(list);
    refused("GET", "/v1/hris/locations", id, NULL, 403, "INTEGRATION.MODEL_DISABLED");
    /* Refused at once, in the whole envelope. */
    assert_int_equal(api("GET", "/v1/hris/absences?page_size=5", id, NULL, &r), 403);
    expect_error(&r, 403, "INTEGRATION.MODEL_DISABLED", "GET /v1/hris/absences");
    fprintf(stderr, "%s\n", r.body);
    hresp_free(&r);
    it = get_integration(id);
    m = read_model(it, "hris_absences");
    assert_string_equal(str(m, "scope_config_setting"), "DISABLED");
    assert_true(json_is_false(json_object_get(m, "is_available")));
    assert_string_equal(str(read_field(m, "start_date"), "scope_config_setting"), "DISABLED");
    assert_string_equal(str(read_model(it, "hris_employees"), "scope_config_setting"), "ENABLED");
    json_decref(it);

    /* Gone from the database after the sync; the other models stay. */
    full_sync(id);
    assert_int_equal(db_count("SELECT count(*) FROM records WHERE integration_id = ? AND "
                              "model = 'hris_absences'",
                              id, NULL, NULL),
                     0);
    assert_int_equal(db_count("SELECT count(*) FROM integration_fields WHERE integration_id = ? "
                              "AND model = 'hris_absences'",
                              id, NULL, NULL),
                     0);
    refused("GET", "/v1/hris/absences", id, NULL, 403, "INTEGRATION.MODEL_DISABLED");
    assert_int_equal(db_count("SELECT count(*) FROM records WHERE integration_id = ? AND "
                              "model = 'hris_locations'",
                              id, NULL, NULL),
                     0);
    list = all_of(id, "employees", NULL);
    assert_int_equal(json_array_size(list), EMPLOYEES);
    json_array_foreach (list, i, x) {
        assert_true(json_is_null(json_object_get(x, "work_location")));
        assert_true(json_is_object(json_object_get(x, "legal_entity")));
    }
    json_decref(list);
    list = all_of(id, "absence-types", NULL);
    assert_int_equal(json_array_size(list), 5);
    json_decref(list);
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=2000", id);
    json_decref(ok("GET", path, NULL, NULL, 200));

    /* Enabled again: served and stored again after the next sync. */
    json_decref(put_scope(scope, "{\"name\":\"no-absences\"}"));
    full_sync(id);
    list = all_of(id, "absences", NULL);
    assert_int_equal(json_array_size(list), 2 * EMPLOYEES);
    json_decref(list);
    list = all_of(id, "employees", NULL);
    json_array_foreach (list, i, x)
        assert_non_null(str(json_object_get(x, "work_location"), "name"));
    json_decref(list);
}

static void admin_errors_come_in_the_envelope(void **state)
{
    char long_key[80], body[256], id[64];
    json_t *d, *list, *x;
    size_t i;
    int defaults = 0;

    (void)state;
    /* Custom field definitions. */
    static const char *const bad_definitions[] = {
        "{\"model\":\"hris_employees\",\"key\":\"\"}",
        "{\"model\":\"hris_employees\",\"key\":\"T-shirt\"}",
        "{\"model\":\"hris_employees\",\"key\":\"shirt size\"}",
        "{\"model\":\"hris_employees\",\"key\":\"Shirt\"}",
        "{\"model\":\"hris_employees\"}",
        "{\"model\":\"hris_employees\",\"key\":5}",
        "{\"model\":\"hris_absences\",\"key\":\"days\"}",
        "{\"model\":\"hris_nothing\",\"key\":\"days\"}",
        "{\"key\":\"days\"}",
        "{\"model\":\"hris_employees\",\"key\":\"days\",\"label\":7}",
        "{\"model\":\"hris_employees\",\"key\":\"days\",\"colour\":\"red\"}",
        "[]",
        "not json",
    };
    for (i = 0; i < sizeof(bad_definitions) / sizeof(bad_definitions[0]); i++)
        refused("POST", "/v1/custom-field-definitions", NULL, bad_definitions[i], 400,
                "PLATFORM.INPUT_INVALID");
    memset(long_key, 'k', 65);
    long_key[65] = '\0';
    snprintf(body, sizeof(body), "{\"model\":\"hris_employees\",\"key\":\"%s\"}", long_key);
    refused("POST", "/v1/custom-field-definitions", NULL, body, 400, "PLATFORM.INPUT_INVALID");
    long_key[64] = '\0';
    snprintf(body, sizeof(body), "{\"model\":\"hris_employees\",\"key\":\"%s\"}", long_key);
    d = ok("POST", "/v1/custom-field-definitions", NULL, body, 201);
    snprintf(id, sizeof(id), "%s", str(d, "id"));
    json_decref(d);
    refused("POST", "/v1/custom-field-definitions", NULL, body, 409, "PLATFORM.INPUT_INVALID");
    /* The same key on another model is another field. */
    snprintf(body, sizeof(body), "{\"model\":\"hris_employments\",\"key\":\"%s\"}", long_key);
    d = ok("POST", "/v1/custom-field-definitions", NULL, body, 201);
    assert_string_not_equal(str(d, "id"), id);
    json_decref(d);
    refused("GET", "/v1/custom-field-definitions?page_size=251", NULL, NULL, 400,
            "PLATFORM.INPUT_INVALID");
    refused("GET", "/v1/custom-field-definitions?cursor=garbage", NULL, NULL, 400,
            "PLATFORM.INPUT_INVALID");
    refused("DELETE", "/v1/custom-field-definitions/NoSuchCustomField12345678", NULL, NULL, 404,
            "PLATFORM.INPUT_INVALID");

    /* Scope configs. */
    static const char *const bad_scopes[] = {
        "{\"models\":{\"hris_employees\":{\"disabled_fields\":[\"manager_id\"]}}}",
        "{\"models\":{\"hris_employments\":{\"disabled_fields\":[\"employee_id\"]}}}",
        "{\"models\":{\"hris_absences\":{\"disabled_fields\":[\"type_id\"]}}}",
        "{\"models\":{\"hris_employees\":{\"disabled_fields\":[\"shoe_size\"]}}}",
        "{\"models\":{\"hris_employees\":{\"disabled_fields\":[7]}}}",
        "{\"models\":{\"hris_employees\":{\"disabled_fields\":\"ssn\"}}}",
        "{\"models\":{\"hris_payroll\":{\"enabled\":false}}}",
        "{\"models\":{\"hris_employees\":{\"enabled\":\"no\"}}}",
        "{\"models\":{\"hris_employees\":{\"visible\":false}}}",
        "{\"models\":{\"hris_employees\":false}}",
        "{\"models\":[]}",
        "{\"name\":5}",
        "{\"colour\":\"red\"}",
        "not json",
    };
    for (i = 0; i < sizeof(bad_scopes) / sizeof(bad_scopes[0]); i++)
        refused("POST", "/v1/scope-configs", NULL, bad_scopes[i], 400, "PLATFORM.INPUT_INVALID");
    d = ok("GET", "/v1/scope-configs?page_size=1", NULL, NULL, 200);
    snprintf(id, sizeof(id), "%s", str(json_array_get(json_object_get(d, "results"), 0), "id"));
    json_decref(d);
    snprintf(body, sizeof(body), "/v1/scope-configs/%s", id);
    refused("PUT", body, NULL, bad_scopes[0], 400, "PLATFORM.INPUT_INVALID");
    refused("PUT", "/v1/scope-configs/NoSuchScopeConfig12345678", NULL, "{}", 404,
            "PLATFORM.INPUT_INVALID");
    refused("GET", "/v1/scope-configs/NoSuchScopeConfig12345678", NULL, NULL, 404,
            "PLATFORM.INPUT_INVALID");
    refused("GET", "/v1/scope-configs?page_size=0", NULL, NULL, 400, "PLATFORM.INPUT_INVALID");
    refused("POST", "/v1/integrations", NULL,
            "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Acme\"},"
            "\"credentials\":{\"client_id\":\"a\",\"client_secret\":\"b\"},"
            "\"scope_config_id\":\"NoSuchScopeConfig12345678\"}",
            400, "PLATFORM.INPUT_INVALID");
    /* tax_id does not link records: it may be switched off. */
    new_scope("{\"models\":{\"hris_employees\":{\"disabled_fields\":[\"tax_id\"]}}}", id);

    /* Every scope config once, the environment's default among them. */
    list = all_pages("/v1/scope-configs", 1);
    assert_true(json_array_size(list) >= 2);
    json_array_foreach (list, i, x) {
        defaults += json_is_true(json_object_get(x, "is_default"));
        assert_true(
            json_is_object(json_object_get(json_object_get(x, "models"), "hris_employees")));
    }
    assert_int_equal(defaults, 1);
    json_decref(list);
    snprintf(body, sizeof(body), "/v1/scope-configs/%s", id);
    d = ok("GET", body, NULL, NULL, 200);
    assert_string_equal(
        json_string_value(json_array_get(
            json_object_get(json_object_get(json_object_get(d, "models"), "hris_employees"),
                            "disabled_fields"),
            0)),
        "tax_id");
    assert_true(json_is_null(json_object_get(d, "name")));
    json_decref(d);
}

/* ---- environments ---------------------------------------------------------- */

static int own_key(void **state)
{
    (void)state;
    as_key = NULL;
    return 0;
}

static void other_environments_see_nothing(void **state)
{
    char cf[64], scope[64], id[128], other_id[128], path[512], body[512], other_cf[64];
    json_t *list, *x;
    size_t i;

    (void)state;
    define("hris_employees", "cost_center", "Cost center", cf);
    new_scope("{\"name\":\"mine\"}", scope);
    new_integration("personio", scope, id, sizeof(id));
    wait_for_sync(id, NULL, NULL, 0);

    as_key = key2;
    /* Its own default scope config alone, and none of the definitions. */
    list = all_pages("/v1/scope-configs", 100);
    assert_int_equal(json_array_size(list), 1);
    assert_true(json_is_true(json_object_get(json_array_get(list, 0), "is_default")));
    json_decref(list);
    list = all_pages("/v1/custom-field-definitions", 100);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    /* The same key is free here. */
    define("hris_employees", "cost_center", "Cost center", other_cf);
    assert_string_not_equal(other_cf, cf);

    snprintf(path, sizeof(path), "/v1/custom-field-definitions/%s", cf);
    refused("DELETE", path, NULL, NULL, 404, "PLATFORM.INPUT_INVALID");
    snprintf(path, sizeof(path), "/v1/scope-configs/%s", scope);
    refused("GET", path, NULL, NULL, 404, "PLATFORM.INPUT_INVALID");
    refused("PUT", path, NULL, "{\"models\":{\"hris_employees\":{\"enabled\":false}}}", 404,
            "PLATFORM.INPUT_INVALID");
    snprintf(body, sizeof(body),
             "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Other\"},"
             "\"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"},"
             "\"base_url\":\"%s/personio\",\"scope_config_id\":\"%s\"}",
             sim.base_url, scope);
    refused("POST", "/v1/integrations", NULL, body, 400, "PLATFORM.INPUT_INVALID");
    snprintf(path, sizeof(path), "/v1/integrations/%s/custom-fields", id);
    refused("GET", path, NULL, NULL, 404, "PLATFORM.INTEGRATION_NOT_FOUND");
    snprintf(path, sizeof(path), "/v1/integrations/%s/custom-fields/%s", id, other_cf);
    refused("PUT", path, NULL, "{\"integration_field_id\":null}", 404,
            "PLATFORM.INTEGRATION_NOT_FOUND");
    /* Its own integration cannot take the other environment's definition. */
    new_integration("personio", NULL, other_id, sizeof(other_id));
    snprintf(path, sizeof(path), "/v1/integrations/%s/custom-fields/%s", other_id, cf);
    refused("PUT", path, NULL, "{\"integration_field_id\":null}", 404, "PLATFORM.INPUT_INVALID");
    snprintf(path, sizeof(path), "/v1/integrations/%s/custom-fields", other_id);
    list = all_pages(path, 100);
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(str(json_array_get(list, 0), "id"), other_cf);
    json_decref(list);
    wait_for_sync(other_id, NULL, NULL, 0);
    list = all_of(other_id, "employees", NULL);
    json_array_foreach (list, i, x)
        assert_int_equal(json_object_size(json_object_get(x, "custom_fields")), 1);
    json_decref(list);

    /* Nor does the first environment see the second's. */
    as_key = NULL;
    list = all_pages("/v1/custom-field-definitions", 100);
    json_array_foreach (list, i, x)
        assert_string_not_equal(str(x, "id"), other_cf);
    json_decref(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(custom_fields_across_vendors, reset_sim),
        cmocka_unit_test_setup(disabled_fields_are_neither_served_nor_stored, reset_sim),
        cmocka_unit_test_setup(integration_fields_follow_the_scope, reset_sim),
        cmocka_unit_test_setup(disabled_model_is_refused_and_dropped, reset_sim),
        cmocka_unit_test_setup(admin_errors_come_in_the_envelope, reset_sim),
        cmocka_unit_test_setup_teardown(other_environments_see_nothing, reset_sim, own_key),
    };
    return cmocka_run_group_tests_name("custom_fields", tests, group_setup, group_teardown);
}
