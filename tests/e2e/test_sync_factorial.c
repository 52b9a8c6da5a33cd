/*
 * test_sync_factorial — syncing a simulated Factorial end to end: real hrsim
 * and real hrbridge serve (with its worker). Covers the first FULL sync
 * against hrsim's own data (employees with their contract versions, the
 * organisation, time off), a CUSTOM field selected for passthrough, a
 * refused API key, throttling, a DELTA sync that fetches and changes only
 * what hrsim changed, and passthrough with the stored key.
 */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <cmocka.h>

#define EMPLOYEES     120
#define CUSTOM_FIELDS 12
#define API           "/factorial/api/2026-04-01/resources/"

static char tmp[256], db[400];
static struct hproc sim, srv;
static char key[128];

/* ---- helpers (as in test_sync.c) ------------------------------------------ */

static long api(const char *method, const char *path, const char *integration, const char *body,
                struct hresp *out)
{
    char url[2048], auth[256], integ[160];
    const char *h[4] = {auth, NULL, NULL, NULL};

    snprintf(url, sizeof(url), "%s%s", srv.base_url, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
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

static void sim_post(const char *path, const char *body)
{
    char url[512];
    struct hresp r;

    snprintf(url, sizeof(url), "%s%s", sim.base_url, path);
    assert_int_equal(harness_http("POST", url, NULL, body, strlen(body), &r), 0);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
}

/* GET of hrsim's Factorial with the pinned key; returns the parsed body (new reference). */
static json_t *sim_get(const char *path_and_query)
{
    char url[4096];
    const char *h[] = {"x-api-key: sim-key", NULL};
    struct hresp r;
    json_t *j;

    snprintf(url, sizeof(url), "%s%s", sim.base_url, path_and_query);
    assert_int_equal(harness_http("GET", url, h, NULL, 0, &r), 0);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path_and_query, r.status, r.body);
    j = json_incref(r.json);
    hresp_free(&r);
    return j;
}

/* Every item of one of hrsim's Factorial resources, following its cursors. */
static json_t *sim_all(const char *resource, const char *query)
{
    json_t *all = json_array();
    char cursor[128] = "";

    for (int pages = 0; pages < 10000; pages++) {
        char path[1024];
        json_t *j, *meta, *item;
        size_t i;

        snprintf(path, sizeof(path), "%s%s?limit=100%s%s%s%s", API, resource, query ? "&" : "",
                 query ? query : "", cursor[0] ? "&after_id=" : "", cursor);
        j = sim_get(path);
        json_array_foreach (json_object_get(j, "data"), i, item)
            json_array_append(all, item);
        meta = json_object_get(j, "meta");
        if (!json_is_true(json_object_get(meta, "has_next_page"))) {
            json_decref(j);
            return all;
        }
        /* Base64 cursors of small numbers need no escaping but '='. */
        cursor[0] = '\0';
        for (const char *c = json_string_value(json_object_get(meta, "end_cursor")); c && *c; c++) {
            size_t n = strlen(cursor);
            snprintf(cursor + n, sizeof(cursor) - n, *c == '=' ? "%%3D" : "%c", *c);
        }
        json_decref(j);
    }
    fail_msg("more than 10000 pages");
    return all;
}

/* Items of arr keyed by the string form of their key field (new reference). */
static json_t *by(json_t *arr, const char *field)
{
    json_t *out = json_object(), *item;
    size_t i;

    json_array_foreach (arr, i, item) {
        char id[64];
        json_t *v = json_object_get(item, field);
        if (json_is_integer(v))
            snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(v));
        else
            snprintf(id, sizeof(id), "%s", json_string_value(v) ? json_string_value(v) : "");
        json_object_set(out, id, item);
    }
    return out;
}

static void new_integration(char *id, size_t idlen, const char *api_key)
{
    char body[512];
    struct hresp r;

    snprintf(body, sizeof(body),
             "{\"tool\":\"factorial\",\"end_user\":{\"organization_name\":\"Acme\"},"
             "\"credentials\":{\"api_key\":\"%s\"},\"base_url\":\"%s/factorial\"}",
             api_key, sim.base_url);
    assert_int_equal(api("POST", "/v1/integrations", NULL, body, &r), 201);
    snprintf(id, idlen, "%s", json_string_value(json_object_get(data(&r), "id")));
    hresp_free(&r);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static long long now_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Waits until the integration's newest run (other than not_run) is over and
 * returns it (a new reference). */
static json_t *wait_for_sync(const char *id, const char *not_run)
{
    char path[256];

    snprintf(path, sizeof(path), "/v1/integrations/%s/syncs?page_size=1", id);
    for (int i = 0; i < 1200; i++) {
        struct hresp r;
        json_t *run;
        const char *state, *rid;

        assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
        run = json_array_get(json_object_get(data(&r), "results"), 0);
        state = json_string_value(json_object_get(run, "state"));
        rid = json_string_value(json_object_get(run, "id"));
        if (state && (!not_run || strcmp(rid, not_run) != 0) &&
            (!strcmp(state, "SUCCEEDED") || !strcmp(state, "FAILED"))) {
            json_incref(run);
            hresp_free(&r);
            return run;
        }
        hresp_free(&r);
        sleep_ms(50);
    }
    fail_msg("no sync of %s finished within 60 s", id);
    return NULL;
}

/* Forces a sync of type and waits for exactly that run. */
static json_t *force_sync(const char *id, const char *type)
{
    char body[64], path[256], run_id[64];
    struct hresp r;

    snprintf(body, sizeof(body), "{\"type\":\"%s\"}", type);
    assert_int_equal(api("POST", "/v1/force-sync", id, body, &r), 200);
    snprintf(run_id, sizeof(run_id), "%s", json_string_value(json_object_get(data(&r), "sync_id")));
    hresp_free(&r);
    snprintf(path, sizeof(path), "/v1/integrations/%s/syncs?page_size=10", id);
    for (int i = 0; i < 1200; i++) {
        json_t *run;
        size_t k;
        assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
        json_array_foreach (json_object_get(data(&r), "results"), k, run) {
            const char *state = json_string_value(json_object_get(run, "state"));
            if (strcmp(json_string_value(json_object_get(run, "id")), run_id) == 0 &&
                (!strcmp(state, "SUCCEEDED") || !strcmp(state, "FAILED"))) {
                json_incref(run);
                hresp_free(&r);
                return run;
            }
        }
        hresp_free(&r);
        sleep_ms(50);
    }
    fail_msg("sync %s did not finish within 60 s", run_id);
    return NULL;
}

static void expect_state(json_t *run, const char *state)
{
    const char *got = json_string_value(json_object_get(run, "state"));

    if (strcmp(got, state) != 0)
        fail_msg("sync state %s, expected %s (error: %s)", got, state,
                 json_string_value(json_object_get(run, "error")));
}

/* All records of a list endpoint ("employees", "groups", …), following next. */
static json_t *all_of(const char *id, const char *endpoint, const char *query)
{
    json_t *all = json_array();
    char cursor[600] = "";

    for (int pages = 0; pages < 1000; pages++) {
        char path[1500];
        struct hresp r;
        json_t *next, *e;
        size_t i;

        snprintf(path, sizeof(path), "/v1/hris/%s?page_size=250%s%s%s%s", endpoint,
                 query ? "&" : "", query ? query : "", cursor[0] ? "&cursor=" : "", cursor);
        if (api("GET", path, id, NULL, &r) != 200)
            fail_msg("GET %s: %ld %s", path, r.status, r.body);
        json_array_foreach (json_object_get(data(&r), "results"), i, e)
            json_array_append(all, e);
        next = json_object_get(data(&r), "next");
        if (!json_is_string(next)) {
            hresp_free(&r);
            return all;
        }
        snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
        hresp_free(&r);
    }
    fail_msg("more than 1000 pages");
    return all;
}

/* The id of the integration field of hris_employees with that type and label
 * (or key, when label is NULL); its key into key_out. */
static void find_field(const char *id, const char *type, const char *label, const char *fkey,
                       char *fid, size_t fidlen, char *key_out, size_t keylen)
{
    char path[512];
    struct hresp r;
    json_t *f;
    size_t i;

    fid[0] = '\0';
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=2000", id);
    assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
    json_array_foreach (json_object_get(data(&r), "results"), i, f) {
        const char *l = json_string_value(json_object_get(f, "label"));
        const char *k = json_string_value(json_object_get(f, "key"));
        if (fid[0] || strcmp(json_string_value(json_object_get(f, "model")), "hris_employees") ||
            strcmp(json_string_value(json_object_get(f, "type")), type))
            continue;
        if ((label && l && !strcmp(l, label)) || (fkey && !strcmp(k, fkey))) {
            snprintf(fid, fidlen, "%s", json_string_value(json_object_get(f, "id")));
            snprintf(key_out, keylen, "%s", k);
        }
    }
    hresp_free(&r);
    if (!fid[0])
        fail_msg("no %s employee field %s", type, label ? label : fkey);
}

static void enable_field(const char *id, const char *fid)
{
    char path[512];
    struct hresp r;

    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields/%s", id, fid);
    assert_int_equal(api("PATCH", path, NULL, "{\"enable_passthrough\":true}", &r), 200);
    hresp_free(&r);
}

/* The record of arr whose remote_id is rid (borrowed), or NULL. */
static json_t *by_remote(json_t *arr, const char *rid)
{
    json_t *e;
    size_t i;

    json_array_foreach (arr, i, e) {
        if (!strcmp(json_string_value(json_object_get(e, "remote_id")), rid))
            return e;
    }
    return NULL;
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* A unified date ("…T00:00:00.000Z") matches a Factorial date ("YYYY-MM-DD" or null). */
static void expect_date(json_t *unified, const char *field, json_t *raw, const char *raw_key,
                        const char *rid)
{
    const char *got = str(unified, field), *want = str(raw, raw_key);

    if (!want) {
        if (got)
            fail_msg("employee %s %s: %s, expected null", rid, field, got);
        return;
    }
    if (!got || strncmp(got, want, 10) != 0 || strcmp(got + 10, "T00:00:00.000Z") != 0)
        fail_msg("employee %s %s: %s, expected %s", rid, field, got ? got : "null", want);
}

/* ---- fixtures --------------------------------------------------------------- */

static int group_setup(void **state)
{
    const char *sim_args[] = {"--employees", "120", "--custom-fields", "12", "--seed", "11", NULL};
    char conf[400];
    const char *extra[] = {"--config", conf, NULL};
    FILE *f;

    (void)state;
    if (harness_tmpdir(tmp, sizeof(tmp)) != 0)
        return -1;
    snprintf(db, sizeof(db), "sqlite:%s/hb.db", tmp);
    snprintf(conf, sizeof(conf), "%s/hrbridge.conf", tmp);
    f = fopen(conf, "w");
    if (!f)
        return -1;
    /* No schedule: each test decides when to sync (a new integration still syncs at once). */
    fprintf(f, "sync.full_interval = 0\nsync.delta_interval = 0\nsync.lease = 3\n");
    fclose(f);
    if (harness_start_hrsim(&sim, tmp, sim_args) != 0)
        return -1;
    if (harness_new_key(db, "factorial-tests", key, sizeof(key)) != 0)
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

/* ---- tests -------------------------------------------------------------------- */

static void full_sync_matches_hrsim(void **state)
{
    char id[128];
    json_t *run, *emps, *sim_emps, *contracts, *j, *e, *list;
    size_t i;
    int checked = 0, pending = 0, inactive = 0;
    char today[16];
    time_t now = time(NULL);
    struct tm tm;

    (void)state;
    gmtime_r(&now, &tm);
    strftime(today, sizeof(today), "%Y-%m-%d", &tm);
    new_integration(id, sizeof(id), "sim-key");
    run = wait_for_sync(id, NULL); /* a new integration syncs at once */
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    emps = all_of(id, "employees", NULL);
    j = sim_get(API "employees/employees?limit=1");
    assert_int_equal(json_array_size(emps),
                     json_integer_value(json_object_get(json_object_get(j, "meta"), "total")));
    assert_int_equal(json_array_size(emps), EMPLOYEES);
    json_decref(j);
    list = sim_all("employees/employees", NULL);
    sim_emps = by(list, "id");
    json_decref(list);
    list = sim_all("contracts/contract_versions", NULL);
    contracts = by(list, "employee_id");
    json_decref(list);

    json_array_foreach (emps, i, e) {
        const char *rid = str(e, "remote_id");
        json_t *raw = json_object_get(sim_emps, rid), *c = json_object_get(contracts, rid);
        json_t *mgr = json_object_get(e, "manager");
        char want_mgr[32] = "";

        assert_non_null(raw);
        assert_non_null(c);
        assert_string_equal(str(e, "first_name"), str(raw, "first_name"));
        assert_string_equal(str(e, "last_name"), str(raw, "last_name"));
        assert_string_equal(str(e, "display_full_name"), str(raw, "full_name"));
        assert_string_equal(str(e, "work_email"), str(raw, "email"));
        assert_string_equal(str(e, "personal_email"), str(raw, "personal_email"));
        assert_string_equal(str(e, "employee_number"), str(raw, "company_identifier"));
        assert_string_equal(str(e, "job_title"), str(c, "job_title"));
        expect_date(e, "start_date", c, "starts_on", rid);
        expect_date(e, "date_of_birth", raw, "birthday_on", rid);
        expect_date(e, "termination_date", raw, "terminated_on", rid);
        assert_true(json_number_value(json_object_get(e, "weekly_hours")) ==
                    json_integer_value(json_object_get(c, "working_hours")) / 100.0);
        if (json_is_false(json_object_get(raw, "active"))) {
            assert_string_equal(str(e, "employment_status"), "INACTIVE");
            inactive++;
        } else if (strcmp(str(c, "starts_on"), today) > 0) {
            assert_string_equal(str(e, "employment_status"), "PENDING");
            pending++;
        } else {
            assert_string_equal(str(e, "employment_status"), "ACTIVE");
        }
        /* The manager resolved to the employee hrsim names. */
        if (json_is_integer(json_object_get(raw, "manager_id")))
            snprintf(want_mgr, sizeof(want_mgr), "%lld",
                     (long long)json_integer_value(json_object_get(raw, "manager_id")));
        if (want_mgr[0]) {
            assert_true(json_is_object(mgr));
            assert_string_equal(str(mgr, "remote_id"), want_mgr);
        } else {
            assert_true(json_is_null(mgr));
        }
        assert_true(json_is_object(json_object_get(e, "work_location")));
        assert_true(json_is_object(json_object_get(e, "legal_entity")));
        assert_int_equal(json_array_size(json_object_get(e, "groups")), 1);
        assert_int_equal(json_array_size(json_object_get(e, "employments")), 1);
        checked++;
    }
    assert_int_equal(checked, EMPLOYEES);
    assert_true(inactive > 0);
    assert_true(pending > 0); /* hrsim's future hires */

    /* One employment per employee, and the organisation and time off of hrsim. */
    list = all_of(id, "employments", NULL);
    assert_int_equal(json_array_size(list), EMPLOYEES);
    e = by_remote(list, "1");
    assert_non_null(e);
    assert_true(
        json_number_value(json_object_get(e, "pay_rate")) ==
        json_integer_value(json_object_get(json_object_get(contracts, "1"), "salary_amount")) /
            100.0);
    assert_string_equal(str(e, "pay_period"), "YEAR");
    assert_true(json_is_string(json_object_get(e, "pay_currency")));
    json_decref(list);
    {
        static const char *const pairs[][2] = {{"groups", "teams/teams"},
                                               {"locations", "locations/locations"},
                                               {"legal-entities", "companies/legal_entities"},
                                               {"absence-types", "timeoff/leave_types"},
                                               {"absences", "timeoff/leaves"},
                                               {"time-off-balances", "timeoff/allowances"}};
        for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
            json_t *ours = all_of(id, pairs[i][0], NULL), *theirs = sim_all(pairs[i][1], NULL);
            if (json_array_size(ours) != json_array_size(theirs) || json_array_size(ours) == 0)
                fail_msg("%s: %zu records, hrsim has %zu", pairs[i][0], json_array_size(ours),
                         json_array_size(theirs));
            json_decref(ours);
            json_decref(theirs);
        }
    }
    list = all_of(id, "groups", NULL);
    assert_string_equal(str(json_array_get(list, 0), "type"), "TEAM");
    json_decref(list);
    list = all_of(id, "absences", NULL);
    json_array_foreach (list, i, e) {
        assert_true(json_is_string(json_object_get(e, "employee_id")));
        assert_true(json_is_string(json_object_get(e, "type_id")));
    }
    json_decref(list);

    json_decref(emps);
    json_decref(sim_emps);
    json_decref(contracts);
}

static void custom_field_passthrough(void **state)
{
    char id[128], fid[64], fkey[64], nid[64], nkey[64], path[256];
    json_t *run, *emps, *values, *vals_by, *e, *fields;
    struct hresp r;
    size_t i, ncustom = 0;

    (void)state;
    new_integration(id, sizeof(id), "sim-key");
    run = wait_for_sync(id, NULL);
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    /* Every custom field of hrsim is listed as CUSTOM, keyed by id, with its label. */
    fields = sim_all("custom_fields/fields", NULL);
    assert_int_equal(json_array_size(fields), CUSTOM_FIELDS);
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=2000", id);
    assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
    json_array_foreach (json_object_get(data(&r), "results"), i, e) {
        if (!strcmp(str(e, "type"), "CUSTOM")) {
            json_t *sf;
            size_t k;
            int found = 0;
            assert_string_equal(str(e, "model"), "hris_employees");
            json_array_foreach (fields, k, sf) {
                char sid[32];
                snprintf(sid, sizeof(sid), "%lld",
                         (long long)json_integer_value(json_object_get(sf, "id")));
                if (!strcmp(sid, str(e, "key"))) {
                    assert_string_equal(str(e, "label"), str(sf, "label_text"));
                    found = 1;
                }
            }
            assert_true(found);
            ncustom++;
        }
    }
    hresp_free(&r);
    assert_int_equal(ncustom, CUSTOM_FIELDS);
    json_decref(fields);

    /* Select a select field and a number field; a FULL sync follows. */
    find_field(id, "CUSTOM", "Shirt size", NULL, fid, sizeof(fid), fkey, sizeof(fkey));
    find_field(id, "CUSTOM", "Commute km", NULL, nid, sizeof(nid), nkey, sizeof(nkey));
    enable_field(id, fid);
    enable_field(id, nid);
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    emps = all_of(id, "employees", NULL);
    values = sim_all("custom_fields/values", NULL);
    /* hrsim's values keyed "<employee>/<field>". */
    vals_by = json_object();
    json_array_foreach (values, i, e) {
        char k[64];
        snprintf(k, sizeof(k), "%lld/%lld",
                 (long long)json_integer_value(json_object_get(e, "valuable_id")),
                 (long long)json_integer_value(json_object_get(e, "field_id")));
        json_object_set(vals_by, k, json_object_get(e, "value"));
    }
    assert_int_equal(json_array_size(emps), EMPLOYEES);
    json_array_foreach (emps, i, e) {
        json_t *ifs = json_object_get(e, "integration_fields"), *x;
        size_t k;
        int found = 0;

        assert_int_equal(json_array_size(ifs), 2);
        json_array_foreach (ifs, k, x) {
            char vk[64];
            json_t *want, *got = json_object_get(x, "value");
            snprintf(vk, sizeof(vk), "%s/%s", str(e, "remote_id"), str(x, "key"));
            want = json_object_get(vals_by, vk);
            assert_non_null(want);
            assert_string_equal(str(x, "type"), "CUSTOM");
            /* The value mirrors the remote exactly, JSON type included. */
            if (!got || !json_equal(got, want) || json_typeof(got) != json_typeof(want))
                fail_msg("employee %s field %s: %s != %s", str(e, "remote_id"), str(x, "key"),
                         json_dumps(got, JSON_ENCODE_ANY), json_dumps(want, JSON_ENCODE_ANY));
            found += !strcmp(str(x, "key"), fkey) || !strcmp(str(x, "key"), nkey);
        }
        assert_int_equal(found, 2);
    }
    json_decref(vals_by);
    json_decref(values);
    json_decref(emps);
}

static void refused_key_fails_with_a_reason(void **state)
{
    char id[128], path[256];
    const char *err;
    json_t *run;
    struct hresp r;

    (void)state;
    new_integration(id, sizeof(id), "wrong-key");
    run = wait_for_sync(id, NULL);
    expect_state(run, "FAILED");
    err = str(run, "error");
    assert_non_null(err);
    assert_non_null(strstr(err, "factorial"));
    assert_non_null(strstr(err, "refused"));
    assert_null(strstr(err, "wrong-key")); /* never the credential itself */
    json_decref(run);
    /* The third refusal in a row marks the credentials invalid. */
    for (int i = 0; i < 2; i++) {
        run = force_sync(id, "FULL");
        expect_state(run, "FAILED");
        json_decref(run);
    }
    snprintf(path, sizeof(path), "/v1/integrations/%s", id);
    assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
    assert_string_equal(str(data(&r), "status"), "INVALID");
    hresp_free(&r);
}

static void throttling_is_waited_out(void **state)
{
    char id[128];
    json_t *run;

    (void)state;
    new_integration(id, sizeof(id), "sim-key");
    run = wait_for_sync(id, NULL);
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    sim_post("/factorial/__sim/fault", "{\"status\":429,\"retry_after\":1,\"count\":2}");
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    assert_int_equal(json_integer_value(json_object_get(run, "records_updated")), 0);
    json_decref(run);
}

static void delta_sync_fetches_and_changes_only_what_changed(void **state)
{
    char id[128], fid[64], fkey[64], url[256];
    json_t *run, *before, *after, *e, *log, *req;
    long long t0;
    size_t i;
    int moved = 0, delta_lists = 0;

    (void)state;
    new_integration(id, sizeof(id), "sim-key");
    run = wait_for_sync(id, NULL);
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    /* Factorial's own updated_at: an update in hrsim always moves it. */
    find_field(id, "DEFAULT", NULL, "updated_at", fid, sizeof(fid), fkey, sizeof(fkey));
    enable_field(id, fid);
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    before = all_of(id, "employees", NULL);

    sim_post("/factorial/__sim/mutate", "{\"update\":[10]}");
    t0 = now_ms();
    run = force_sync(id, "DELTA");
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    /* hrsim's log: every employee list of the run asked for changes only. */
    snprintf(url, sizeof(url), "%s/factorial/__sim/requests", sim.base_url);
    {
        struct hresp r;
        assert_int_equal(harness_http("GET", url, NULL, NULL, 0, &r), 0);
        log = json_incref(json_object_get(r.json, "requests"));
        hresp_free(&r);
    }
    json_array_foreach (log, i, req) {
        const char *p = str(req, "path"), *q = str(req, "query");
        if (json_integer_value(json_object_get(req, "ts_ms")) < t0 ||
            !strstr(p, "employees/employees"))
            continue;
        q = q ? q : "";
        if (strstr(q, "limit=1&") && !strstr(q, "limit=10"))
            continue; /* authenticate's one-record check */
        if (!strstr(q, "updated_at_gteq=") && !strstr(q, "ids"))
            fail_msg("a DELTA sync listed employees without a filter: %s", q);
        delta_lists++;
    }
    assert_true(delta_lists >= 1);
    json_decref(log);

    after = all_of(id, "employees", NULL);
    assert_int_equal(json_array_size(after), EMPLOYEES);
    json_array_foreach (after, i, e) {
        const char *rid = str(e, "remote_id");
        json_t *old = by_remote(before, rid);

        assert_non_null(old);
        if (!json_equal(json_object_get(old, "changed_at"), json_object_get(e, "changed_at"))) {
            if (strcmp(rid, "10") != 0)
                fail_msg("employee %s changed too", rid);
            moved++;
        }
    }
    assert_int_equal(moved, 1);
    json_decref(after);

    /* Deletions are found by the next FULL sync. */
    sim_post("/factorial/__sim/mutate", "{\"delete\":[11]}");
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    assert_true(json_integer_value(json_object_get(run, "records_deleted")) >= 2);
    json_decref(run);
    after = all_of(id, "employees", NULL);
    assert_int_equal(json_array_size(after), EMPLOYEES - 1);
    assert_null(by_remote(after, "11"));
    json_decref(after);
    json_decref(before);
}

static void passthrough_sends_the_api_key(void **state)
{
    char id[128];
    json_t *run, *d;
    struct hresp r;

    (void)state;
    new_integration(id, sizeof(id), "sim-key");
    run = wait_for_sync(id, NULL);
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    assert_int_equal(api("POST", "/v1/passthrough/factorial/api", id,
                         "{\"method\":\"GET\",\"path\":\"/resources/employees/employees\","
                         "\"params\":{\"limit\":\"2\"}}",
                         &r),
                     200);
    d = data(&r);
    assert_non_null(strstr(str(d, "url"), API "employees/employees?limit=2"));
    assert_int_equal(json_integer_value(json_object_get(d, "status")), 200);
    assert_int_equal(json_array_size(json_object_get(json_object_get(d, "data"), "data")), 2);
    hresp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(full_sync_matches_hrsim, reset_sim),
        cmocka_unit_test_setup(custom_field_passthrough, reset_sim),
        cmocka_unit_test_setup(refused_key_fails_with_a_reason, reset_sim),
        cmocka_unit_test_setup(throttling_is_waited_out, reset_sim),
        cmocka_unit_test_setup(delta_sync_fetches_and_changes_only_what_changed, reset_sim),
        cmocka_unit_test_setup(passthrough_sends_the_api_key, reset_sim),
    };
    return cmocka_run_group_tests_name("sync_factorial", tests, group_setup, group_teardown);
}
