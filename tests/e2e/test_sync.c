/*
 * test_sync — syncing a simulated Personio end to end: real hrsim, real
 * hrbridge serve (with its worker) and hrbridge sync processes. Covers the
 * integration-fields walkthrough, the employees endpoint, change and
 * deletion detection, remote faults, refused credentials, and a worker
 * killed in the middle of a sync.
 */
#include "harness.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define EMPLOYEES     120
#define CUSTOM_FIELDS 300

static char tmp[256], db[400];
static struct hproc sim, srv, slow_sim;
static char key[128];

/* ---- helpers ------------------------------------------------------------- */

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

static void new_integration(char *id, size_t idlen, const char *secret)
{
    char body[512];
    struct hresp r;

    snprintf(body, sizeof(body),
             "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Acme\"},"
             "\"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":\"%s\"},"
             "\"base_url\":\"%s/personio\"}",
             secret, sim.base_url);
    assert_int_equal(api("POST", "/v1/integrations", NULL, body, &r), 201);
    snprintf(id, idlen, "%s", json_string_value(json_object_get(data(&r), "id")));
    hresp_free(&r);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits until the integration's newest run is over and returns it (a new reference). */
static json_t *wait_for_sync(const char *id, const char *not_run)
{
    char path[256];

    snprintf(path, sizeof(path), "/v1/integrations/%s/syncs?page_size=1", id);
    for (int i = 0; i < 600; i++) {
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
    fail_msg("no sync of %s finished within 30 s", id);
    return NULL;
}

/* Forces a sync of type and waits for exactly that run. */
static json_t *force_sync(const char *id, const char *type)
{
    char body[64], path[256];
    struct hresp r;
    char run_id[64];

    snprintf(body, sizeof(body), "{\"type\":\"%s\"}", type);
    assert_int_equal(api("POST", "/v1/force-sync", id, body, &r), 200);
    snprintf(run_id, sizeof(run_id), "%s", json_string_value(json_object_get(data(&r), "sync_id")));
    hresp_free(&r);
    snprintf(path, sizeof(path), "/v1/integrations/%s/syncs?page_size=10", id);
    for (int i = 0; i < 600; i++) {
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
    fail_msg("sync %s did not finish within 30 s", run_id);
    return NULL;
}

static void expect_state(json_t *run, const char *state)
{
    const char *got = json_string_value(json_object_get(run, "state"));

    if (strcmp(got, state) != 0)
        fail_msg("sync state %s, expected %s (error: %s)", got, state,
                 json_string_value(json_object_get(run, "error")));
}

/* Every employee of the integration, following next (page_size given). */
static json_t *all_employees(const char *id, const char *query, int page_size)
{
    json_t *all = json_array();
    char cursor[600] = "";

    for (int pages = 0; pages < 1000; pages++) {
        char path[1500];
        struct hresp r;
        json_t *next, *e;
        size_t i;

        snprintf(path, sizeof(path), "/v1/hris/employees?page_size=%d%s%s%s%s", page_size,
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

/* hrsim's own Personio employees, keyed by remote id. */
static json_t *sim_employees(void)
{
    char url[512], auth[600];
    const char *h[] = {auth, NULL};
    json_t *byid = json_object(), *item;
    struct hresp r;
    const char *token;
    size_t i;

    snprintf(url, sizeof(url), "%s/personio/v1/auth?client_id=sim-client&client_secret=sim-secret",
             sim.base_url);
    assert_int_equal(harness_http("POST", url, NULL, "", 0, &r), 0);
    token = json_string_value(json_object_get(json_object_get(r.json, "data"), "token"));
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    hresp_free(&r);
    for (int off = 0; off < 100000; off += 100) {
        size_t n;
        snprintf(url, sizeof(url), "%s/personio/v1/company/employees?limit=100&offset=%d",
                 sim.base_url, off);
        assert_int_equal(harness_http("GET", url, h, NULL, 0, &r), 0);
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

/* ---- fixtures ----------------------------------------------------------------- */

static int group_setup(void **state)
{
    const char *sim_args[] = {"--employees", "120", "--custom-fields", "300", "--seed", "7", NULL};
    char conf[400];
    const char *extra[] = {"--config", conf, NULL};
    FILE *f;

    (void)state;
    if (harness_tmpdir(tmp, sizeof(tmp)) != 0)
        return -1;
    snprintf(db, sizeof(db), "sqlite:%s/hb.db", tmp);
    snprintf(conf, sizeof(conf), "%s/hrbridge.conf", tmp);
    f = fopen(conf, "w");
    /* No schedule: each test decides when to sync (a new integration still syncs at once). */
    fprintf(f, "sync.full_interval = 0\nsync.delta_interval = 0\nsync.lease = 3\n");
    fclose(f);
    if (harness_start_hrsim(&sim, tmp, sim_args) != 0)
        return -1;
    if (harness_new_key(db, "sync-tests", key, sizeof(key)) != 0)
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

static int stop_slow_sim(void **state)
{
    (void)state;
    harness_stop(&slow_sim);
    return 0;
}

/* ---- tests ------------------------------------------------------------------- */

/* is_passthrough_enabled of field fid in the page of all fields of id. */
static int passthrough_listed(const char *id, const char *fid)
{
    char path[256];
    struct hresp r;
    json_t *f;
    size_t i;
    int on = -1;

    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=2000", id);
    assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
    json_array_foreach (json_object_get(data(&r), "results"), i, f) {
        if (!strcmp(json_string_value(json_object_get(f, "id")), fid))
            on = json_is_true(json_object_get(f, "is_passthrough_enabled"));
    }
    hresp_free(&r);
    return on;
}

static void fields_walkthrough(void **state)
{
    char id[128], path[1024], cursor[600] = "", custom_id[32] = "", number_id[32] = "";
    char custom_key[64] = "", number_key[64] = "";
    json_t *run, *seen = json_object(), *f, *emps, *simdata, *e;
    struct hresp r;
    size_t i, total = 0;

    (void)state;
    new_integration(id, sizeof(id), "sim-secret");
    run = wait_for_sync(id, NULL); /* a new integration syncs at once */
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    /* Default page: 250 fields, more to follow. */
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields", id);
    assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(data(&r), "results")), 250);
    assert_true(json_is_string(json_object_get(data(&r), "next")));
    assert_true(
        json_equal(json_object_get(data(&r), "next"), json_object_get(data(&r), "next_cursor")));
    assert_true(
        json_equal(json_object_get(data(&r), "next"), json_object_get(r.json, "next_cursor")));
    hresp_free(&r);

    /* page_size=2000 holds them all. */
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=2000", id);
    assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
    total = json_array_size(json_object_get(data(&r), "results"));
    assert_true(total > CUSTOM_FIELDS + 20);
    assert_true(json_is_null(json_object_get(data(&r), "next")));
    assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
    json_array_foreach (json_object_get(data(&r), "results"), i, f) {
        const char *type = json_string_value(json_object_get(f, "type"));
        const char *k = json_string_value(json_object_get(f, "key"));
        const char *label = json_string_value(json_object_get(f, "label"));
        assert_false(json_is_true(json_object_get(f, "is_writable")));
        assert_true(json_is_false(json_object_get(f, "is_passthrough_enabled")));
        if (strcmp(json_string_value(json_object_get(f, "model")), "hris_employees") != 0)
            continue;
        if (!custom_id[0] && !strcmp(type, "CUSTOM") && label && strstr(label, "size")) {
            snprintf(custom_id, sizeof(custom_id), "%s",
                     json_string_value(json_object_get(f, "id")));
            snprintf(custom_key, sizeof(custom_key), "%s", k);
        }
        if (!number_id[0] && !strcmp(type, "CUSTOM") && label && strstr(label, "km")) {
            snprintf(number_id, sizeof(number_id), "%s",
                     json_string_value(json_object_get(f, "id")));
            snprintf(number_key, sizeof(number_key), "%s", k);
        }
    }
    hresp_free(&r);
    assert_true(custom_id[0] && number_id[0]);

    /* Following next with small pages yields every field exactly once. */
    for (int pages = 0; pages < 100; pages++) {
        json_t *next;
        snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=37%s%s", id,
                 cursor[0] ? "&cursor=" : "", cursor);
        assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
        json_array_foreach (json_object_get(data(&r), "results"), i, f) {
            const char *fid = json_string_value(json_object_get(f, "id"));
            assert_null(json_object_get(seen, fid));
            json_object_set_new(seen, fid, json_true());
        }
        next = json_object_get(data(&r), "next");
        if (!json_is_string(next)) {
            hresp_free(&r);
            break;
        }
        snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
        hresp_free(&r);
    }
    assert_int_equal(json_object_size(seen), total);
    json_decref(seen);

    /* Out of range and forged: 400. */
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=2001", id);
    assert_int_equal(api("GET", path, NULL, NULL, &r), 400);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "error"), "code")),
        "PLATFORM.INPUT_INVALID");
    hresp_free(&r);
    cursor[5] = cursor[5] == 'A' ? 'B' : 'A';
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?cursor=%s", id, cursor);
    assert_int_equal(api("GET", path, NULL, NULL, &r), 400);
    hresp_free(&r);
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?cursor=garbage", id);
    assert_int_equal(api("GET", path, NULL, NULL, &r), 400);
    hresp_free(&r);

    /* Select a CUSTOM list field and a number; a FULL sync is queued at once.
     * The list shows the selection at once (pages already served included). */
    assert_int_equal(passthrough_listed(id, custom_id), 0);
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields/%s", id, custom_id);
    assert_int_equal(api("PATCH", path, NULL, "{\"enable_passthrough\":true}", &r), 200);
    assert_true(json_is_true(json_object_get(data(&r), "is_passthrough_enabled")));
    hresp_free(&r);
    assert_int_equal(passthrough_listed(id, custom_id), 1);
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields/%s", id, number_id);
    assert_int_equal(api("PATCH", path, NULL, "{\"enable_passthrough\":true}", &r), 200);
    hresp_free(&r);
    assert_int_equal(passthrough_listed(id, number_id), 1);
    sleep_ms(100);
    run = wait_for_sync(id, NULL);
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    emps = all_employees(id, NULL, 50);
    simdata = sim_employees();
    assert_int_equal(json_array_size(emps), EMPLOYEES);
    json_array_foreach (emps, i, e) {
        json_t *ifs = json_object_get(e, "integration_fields"), *x;
        json_t *attrs =
            json_object_get(simdata, json_string_value(json_object_get(e, "remote_id")));
        size_t k;
        int found = 0;
        assert_non_null(attrs);
        assert_int_equal(json_array_size(ifs), 2);
        json_array_foreach (ifs, k, x) {
            const char *fk = json_string_value(json_object_get(x, "key"));
            json_t *want = json_object_get(json_object_get(attrs, fk), "value");
            assert_non_null(want);
            /* The value mirrors the remote exactly, JSON type included. */
            if (!json_equal(json_object_get(x, "value"), want) ||
                json_typeof(json_object_get(x, "value")) != json_typeof(want))
                fail_msg("employee %s field %s: %s != %s",
                         json_string_value(json_object_get(e, "remote_id")), fk,
                         json_dumps(json_object_get(x, "value"), JSON_ENCODE_ANY),
                         json_dumps(want, JSON_ENCODE_ANY));
            if (!strcmp(fk, number_key) && !json_is_null(want))
                assert_true(json_is_number(json_object_get(x, "value")));
            assert_string_equal(json_string_value(json_object_get(x, "type")), "CUSTOM");
            found += !strcmp(fk, number_key) || !strcmp(fk, custom_key);
        }
        assert_int_equal(found, 2);
    }
    json_decref(emps);
    json_decref(simdata);

    /* Deselect: gone from every record at once, no sync needed. */
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields/%s", id, number_id);
    assert_int_equal(api("PATCH", path, NULL, "{\"enable_passthrough\":false}", &r), 200);
    hresp_free(&r);
    assert_int_equal(passthrough_listed(id, number_id), 0);
    emps = all_employees(id, NULL, 250);
    json_array_foreach (emps, i, e) {
        json_t *ifs = json_object_get(e, "integration_fields");
        assert_int_equal(json_array_size(ifs), 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(ifs, 0), "key")),
                            custom_key);
    }
    json_decref(emps);

    /* null changes nothing; bad bodies are 400; unknown fields 404. */
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields/%s", id, custom_id);
    assert_int_equal(api("PATCH", path, NULL, "{\"enable_passthrough\":null}", &r), 200);
    assert_true(json_is_true(json_object_get(data(&r), "is_passthrough_enabled")));
    hresp_free(&r);
    assert_int_equal(api("PATCH", path, NULL, "{\"enable_passthrough\":\"yes\"}", &r), 400);
    hresp_free(&r);
    assert_int_equal(api("PATCH", path, NULL, "{}", &r), 400);
    hresp_free(&r);
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields/NoSuchField1234567890123",
             id);
    assert_int_equal(api("PATCH", path, NULL, "{\"enable_passthrough\":true}", &r), 404);
    hresp_free(&r);
}

static void employees_pages_and_filters(void **state)
{
    char id[128], q[1024];
    json_t *all, *some, *e, *run;
    const char *email, *status, *group, *eid, *rid;
    size_t i, n_status = 0;

    (void)state;
    new_integration(id, sizeof(id), "sim-secret");
    run = wait_for_sync(id, NULL);
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    all = all_employees(id, NULL, 7);
    assert_int_equal(json_array_size(all), EMPLOYEES);
    for (i = 1; i < json_array_size(all); i++) /* keyset order, no repeats */
        assert_true(strcmp(json_string_value(json_object_get(json_array_get(all, i - 1), "id")),
                           json_string_value(json_object_get(json_array_get(all, i), "id"))) < 0);
    e = json_array_get(all, 3);
    eid = json_string_value(json_object_get(e, "id"));
    rid = json_string_value(json_object_get(e, "remote_id"));
    email = json_string_value(json_object_get(e, "work_email"));
    status = json_string_value(json_object_get(e, "employment_status"));
    group =
        json_string_value(json_object_get(json_array_get(json_object_get(e, "groups"), 0), "id"));
    assert_non_null(group);
    /* Every required key is there, nested objects resolved. */
    assert_true(json_is_array(json_object_get(e, "employments")));
    assert_int_equal(json_array_size(json_object_get(e, "employments")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(e, "employments"), 0), "employee_id")),
                        eid);
    assert_true(json_is_object(json_object_get(e, "work_location")));
    assert_true(json_is_object(json_object_get(e, "legal_entity")));

    snprintf(q, sizeof(q), "ids=%s", eid);
    some = all_employees(id, q, 100);
    assert_int_equal(json_array_size(some), 1);
    json_decref(some);
    snprintf(q, sizeof(q), "remote_ids=%s,999999", rid);
    some = all_employees(id, q, 100);
    assert_int_equal(json_array_size(some), 1);
    json_decref(some);
    {
        /* Case-insensitive e-mail match. */
        char upper[256];
        snprintf(upper, sizeof(upper), "%s", email);
        for (char *p = upper; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 32);
        snprintf(q, sizeof(q), "work_emails=%s", upper);
        some = all_employees(id, q, 100);
        assert_int_equal(json_array_size(some), 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(some, 0), "id")), eid);
        json_decref(some);
    }
    snprintf(q, sizeof(q), "employment_statuses=%s", status);
    some = all_employees(id, q, 100);
    json_array_foreach (all, i, e)
        n_status += !strcmp(json_string_value(json_object_get(e, "employment_status")), status);
    assert_int_equal(json_array_size(some), n_status);
    json_decref(some);
    snprintf(q, sizeof(q), "group_ids=%s", group);
    some = all_employees(id, q, 100);
    assert_true(json_array_size(some) >= 1 && json_array_size(some) < EMPLOYEES);
    json_array_foreach (some, i, e) {
        json_t *g;
        size_t k;
        int member = 0;
        json_array_foreach (json_object_get(e, "groups"), k, g)
            member |= !strcmp(json_string_value(json_object_get(g, "id")), group);
        assert_true(member);
    }
    json_decref(some);
    /* Personio has no personal e-mails: the filter matches nothing unless ignored. */
    some = all_employees(id, "personal_emails=a@b.example", 100);
    assert_int_equal(json_array_size(some), 0);
    json_decref(some);
    some = all_employees(id, "personal_emails=a@b.example&ignore_unsupported_filters=true", 100);
    assert_int_equal(json_array_size(some), EMPLOYEES);
    json_decref(some);
    some = all_employees(id, "updated_after=2100-01-01T00:00:00.000Z", 100);
    assert_int_equal(json_array_size(some), 0);
    json_decref(some);
    some = all_employees(id, "updated_after=2000-01-01", 250);
    assert_int_equal(json_array_size(some), EMPLOYEES);
    json_decref(some);
    {
        static const char *const bad[] = {
            "page_size=0",         "page_size=251",
            "page_size=ten",       "employment_statuses=RETIRED",
            "include_deleted=yes", "updated_after=yesterday",
            "cursor=abc.def",      "custom_fields=notjson",
        };
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            char path[512];
            struct hresp r;
            snprintf(path, sizeof(path), "/v1/hris/employees?%s", bad[i]);
            if (api("GET", path, id, NULL, &r) != 400)
                fail_msg("%s: expected 400, got %ld", bad[i], r.status);
            hresp_free(&r);
        }
    }
    json_decref(all);
}

/* Enables passthrough of the first CUSTOM employee field whose label has label_part. */
/* Selects (on) or deselects the first employee field whose label holds
 * label_part; its id into fid. */
static void set_field(const char *id, const char *label_part, int on, char fid[64])
{
    char path[512];
    struct hresp r;
    json_t *f;
    size_t i;

    fid[0] = '\0';

    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=2000", id);
    assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
    json_array_foreach (json_object_get(data(&r), "results"), i, f) {
        const char *label = json_string_value(json_object_get(f, "label"));
        if (!fid[0] && label && strstr(label, label_part) &&
            !strcmp(json_string_value(json_object_get(f, "model")), "hris_employees"))
            snprintf(fid, 64, "%s", json_string_value(json_object_get(f, "id")));
    }
    hresp_free(&r);
    assert_true(fid[0]);
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields/%s", id, fid);
    assert_int_equal(api("PATCH", path, NULL,
                         on ? "{\"enable_passthrough\":true}" : "{\"enable_passthrough\":false}",
                         &r),
                     200);
    hresp_free(&r);
}

static void select_field(const char *id, const char *label_part)
{
    char fid[64];

    set_field(id, label_part, 1, fid);
}

/* All records of a list endpoint (following next). */
static json_t *all_of(const char *id, const char *endpoint, const char *query)
{
    json_t *all = json_array();
    char cursor[600] = "";

    for (int pages = 0; pages < 1000; pages++) {
        char path[1500];
        struct hresp r;
        json_t *next, *e;
        size_t i;

        snprintf(path, sizeof(path), "/v1/hris/%s?page_size=3%s%s%s%s", endpoint, query ? "&" : "",
                 query ? query : "", cursor[0] ? "&cursor=" : "", cursor);
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

static json_t *employee_by_remote(const char *id, const char *rid, int include_deleted)
{
    char q[256];
    json_t *some, *e;

    snprintf(q, sizeof(q), "remote_ids=%s%s", rid, include_deleted ? "&include_deleted=true" : "");
    some = all_employees(id, q, 10);
    e = json_array_get(some, 0);
    if (e)
        json_incref(e);
    json_decref(some);
    return e;
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A DELTA sync asks Personio for what changed since the last success
 * (updated_since, updated_from) and reads balances of the changed only. */
static void delta_reads_only_what_changed(const char *id)
{
    char url[512];
    struct hresp r;
    json_t *run, *q;
    size_t i;
    long long t0 = now_ms();
    int employees = 0, paged = 0, balances = 0, time_offs = 0;

    sim_post("/personio/__sim/mutate", "{\"update\":[1012]}");
    run = force_sync(id, "DELTA");
    expect_state(run, "SUCCEEDED");
    assert_string_equal(json_string_value(json_object_get(run, "type")), "DELTA");
    assert_true(json_integer_value(json_object_get(run, "records_fetched")) < EMPLOYEES / 2);
    assert_int_equal(json_integer_value(json_object_get(run, "records_updated")) >= 1, 1);
    assert_int_equal(json_integer_value(json_object_get(run, "records_created")), 0);
    json_decref(run);

    snprintf(url, sizeof(url), "%s/personio/__sim/requests", sim.base_url);
    assert_int_equal(harness_http("GET", url, NULL, NULL, 0, &r), 0);
    json_array_foreach (json_object_get(r.json, "requests"), i, q) {
        const char *path = json_string_value(json_object_get(q, "path"));
        const char *query = json_string_value(json_object_get(q, "query"));
        if (json_integer_value(json_object_get(q, "ts_ms")) < t0 || !path)
            continue;
        query = query ? query : "";
        if (!strcmp(path, "/v1/company/employees")) {
            employees++;
            paged += strstr(query, "updated_since=") == NULL;
        }
        balances += strstr(path, "/absences/balance") != NULL;
        if (!strcmp(path, "/v1/company/time-offs"))
            time_offs += strstr(query, "updated_from=") != NULL ? 1 : 100;
    }
    hresp_free(&r);
    assert_int_equal(employees, 1);
    assert_int_equal(paged, 0);
    /* 1012, and 1010 when its update falls in the minute DELTA syncs look back. */
    assert_true(balances >= 1 && balances <= 2);
    assert_true(time_offs >= 1 && time_offs < 100);
}

/* The worker stores each employee as served after a sync; pages copied
 * from those docs equal pages rendered from the records (after the docs are
 * dropped), so a sync left none of them stale. */
static void served_docs_equal_rendering(const char *id)
{
    const char *params[] = {id, NULL};
    json_t *from_docs, *rendered;
    long long docs = -1;

    for (int i = 0; i < 200 && docs != EMPLOYEES - 1; i++) {
        docs = harness_db_scalar(db, "SELECT count(*) FROM record_docs WHERE integration_id = ?",
                                 params);
        sleep_ms(50);
    }
    assert_int_equal(docs, EMPLOYEES - 1);
    from_docs = all_employees(id, NULL, 250);
    assert_int_equal(
        harness_db_exec(db, "DELETE FROM record_docs WHERE integration_id = ?", params), 0);
    rendered = all_employees(id, NULL, 250);
    assert_int_equal(json_array_size(rendered), EMPLOYEES - 1);
    if (!json_equal(from_docs, rendered))
        fail_msg("employees served from docs differ from their rendering");
    json_decref(from_docs);
    json_decref(rendered);
}

static void changes_and_deletions(void **state)
{
    char id[128];
    json_t *run, *before, *after, *e;
    size_t i;
    int moved = 0;

    (void)state;
    new_integration(id, sizeof(id), "sim-secret");
    run = wait_for_sync(id, NULL);
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    /* A custom field whose value an update in hrsim always changes. */
    select_field(id, "km");
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    before = all_employees(id, NULL, 250);

    sim_post("/personio/__sim/mutate", "{\"update\":[1010],\"delete\":[1011]}");
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    /* The employee, the employment it carried, its two absences and five balances. */
    assert_int_equal(json_integer_value(json_object_get(run, "records_deleted")), 9);
    json_decref(run);

    after = all_employees(id, NULL, 250);
    assert_int_equal(json_array_size(after), EMPLOYEES - 1);
    served_docs_equal_rendering(id);
    /* changed_at moved for the updated employee alone. */
    json_array_foreach (after, i, e) {
        const char *rid = json_string_value(json_object_get(e, "remote_id"));
        json_t *old = NULL, *x;
        size_t k;
        json_array_foreach (before, k, x) {
            if (!strcmp(json_string_value(json_object_get(x, "remote_id")), rid))
                old = x;
        }
        assert_non_null(old);
        if (!json_equal(json_object_get(old, "changed_at"), json_object_get(e, "changed_at"))) {
            if (strcmp(rid, "1010") != 0)
                fail_msg("employee %s changed too: %s", rid, json_dumps(e, JSON_INDENT(1)));
            moved++;
        }
    }
    assert_int_equal(moved, 1);
    /* The deleted one is hidden, and shown with include_deleted. */
    assert_null(employee_by_remote(id, "1011", 0));
    e = employee_by_remote(id, "1011", 1);
    assert_non_null(e);
    assert_true(json_is_string(json_object_get(e, "remote_deleted_at")));
    json_decref(e);

    /* A re-sync without changes writes nothing. */
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    assert_int_equal(json_integer_value(json_object_get(run, "records_created")), 0);
    assert_int_equal(json_integer_value(json_object_get(run, "records_updated")), 0);
    assert_int_equal(json_integer_value(json_object_get(run, "records_deleted")), 0);
    json_decref(run);
    json_decref(before);
    json_decref(after);
    delta_reads_only_what_changed(id);
}

/* The responses and known ones a successful run logged (waiting for the
 * line: the run is over for readers before its worker logs it). */
static void run_counts(json_t *run, long *responses, long *known)
{
    char line[4096], want[200];

    snprintf(want, sizeof(want), " run=%s ", json_string_value(json_object_get(run, "id")));
    *responses = *known = -1;
    for (int i = 0; i < 200 && *known < 0; i++) {
        FILE *f = fopen(srv.log_path, "r");
        assert_non_null(f);
        while (fgets(line, sizeof(line), f)) {
            const char *r = strstr(line, " responses="), *k = strstr(line, " known=");
            if (strstr(line, "msg=\"sync succeeded\"") && strstr(line, want) && r && k) {
                *responses = strtol(r + 11, NULL, 10);
                *known = strtol(k + 7, NULL, 10);
            }
        }
        fclose(f);
        if (*known < 0)
            sleep_ms(25);
    }
    assert_true(*known >= 0);
}

/* GETs of /v1/company/time-offs hrsim answered since t0 whose query holds part. */
static int time_off_requests(long long t0, const char *part)
{
    char url[512];
    struct hresp r;
    json_t *q;
    size_t i;
    int n = 0;

    snprintf(url, sizeof(url), "%s/personio/__sim/requests", sim.base_url);
    assert_int_equal(harness_http("GET", url, NULL, NULL, 0, &r), 0);
    json_array_foreach (json_object_get(r.json, "requests"), i, q) {
        const char *path = json_string_value(json_object_get(q, "path"));
        const char *query = json_string_value(json_object_get(q, "query"));
        if (json_integer_value(json_object_get(q, "ts_ms")) >= t0 && path &&
            !strcmp(path, "/v1/company/time-offs") && query && strstr(query, part))
            n++;
    }
    hresp_free(&r);
    return n;
}

static size_t employees_of(const char *id)
{
    json_t *all = all_employees(id, NULL, 250);
    size_t n = json_array_size(all);

    json_decref(all);
    return n;
}

static long long field_values_of(const char *id)
{
    const char *params[] = {id, NULL};

    return harness_db_scalar(db, "SELECT count(*) FROM field_values WHERE integration_id = ?",
                             params);
}

/* Forces a FULL sync that has to succeed; returns records_fetched, and
 * the responses it saw and knew. */
static long long full_sync(const char *id, long *responses, long *known)
{
    json_t *run = force_sync(id, "FULL");
    long long fetched;

    expect_state(run, "SUCCEEDED");
    fetched = json_integer_value(json_object_get(run, "records_fetched"));
    run_counts(run, responses, known);
    json_decref(run);
    return fetched;
}

/* A FULL sync does not map a response again whose bytes, scope and
 * collected fields are those of the last FULL sync, while nothing else
 * was applied since; its records still count as seen. */
static void unchanged_responses_are_not_mapped_again(void **state)
{
    char id[128], fid[64];
    json_t *run;
    long responses, known;
    long long fetched, values, t0;

    (void)state;
    new_integration(id, sizeof(id), "sim-secret");
    run = wait_for_sync(id, NULL);
    expect_state(run, "SUCCEEDED");
    fetched = json_integer_value(json_object_get(run, "records_fetched"));
    run_counts(run, &responses, &known);
    json_decref(run);
    /* Attributes, time-off types, 2 employee pages, 120 balances, time-offs. */
    assert_true(responses > EMPLOYEES);
    assert_int_equal(known, 0);

    /* Nothing changed: every response known, every record still there.
     * Time-off pages asked for ahead are asked for once each, none past the
     * last (240 periods: two pages). */
    t0 = now_ms();
    assert_int_equal(full_sync(id, &responses, &known), fetched);
    assert_int_equal(time_off_requests(t0, "offset=1"), 1);
    assert_int_equal(time_off_requests(t0, "offset=2"), 1);
    assert_int_equal(time_off_requests(t0, "offset="), 2);
    assert_int_equal(known, responses);
    assert_int_equal(employees_of(id), EMPLOYEES);

    /* A field selected changes what every response maps to. */
    set_field(id, "km", 1, fid);
    full_sync(id, &responses, &known);
    values = field_values_of(id);
    assert_true(values > 0);
    full_sync(id, &responses, &known);
    assert_int_equal(known, responses);
    assert_int_equal(field_values_of(id), values);

    /* Deselected, its values go; selected again, the next FULL sync maps
     * every response again to collect them, though the bytes are the same. */
    set_field(id, "km", 0, fid);
    assert_int_equal(field_values_of(id), 0);
    set_field(id, "km", 1, fid);
    full_sync(id, &responses, &known);
    assert_int_equal(field_values_of(id), values);

    /* One employee gone, one changed: only their responses are mapped, and
     * the records of the known ones are not taken for deleted. */
    full_sync(id, &responses, &known);
    sim_post("/personio/__sim/mutate", "{\"update\":[1010],\"delete\":[1011]}");
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    assert_int_equal(json_integer_value(json_object_get(run, "records_deleted")), 9);
    assert_int_equal(json_integer_value(json_object_get(run, "records_created")), 0);
    run_counts(run, &responses, &known);
    json_decref(run);
    assert_true(known > 0 && known < responses);
    assert_int_equal(employees_of(id), EMPLOYEES - 1);

    /* After a DELTA sync applied changes, the stored responses describe
     * older records: the next FULL sync maps everything. */
    sim_post("/personio/__sim/mutate", "{\"update\":[1012]}");
    run = force_sync(id, "DELTA");
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    full_sync(id, &responses, &known);
    assert_int_equal(known, 0);
}

static void faults_are_retried_or_fail_cleanly(void **state)
{
    char id[128];
    json_t *run, *before, *after;

    (void)state;
    new_integration(id, sizeof(id), "sim-secret");
    run = wait_for_sync(id, NULL);
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    before = all_employees(id, NULL, 250);

    /* Throttled, failing and truncated answers: retries carry the sync through. */
    sim_post("/personio/__sim/fault", "{\"status\":429,\"retry_after\":1,\"count\":2}");
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    sim_post("/personio/__sim/fault", "{\"status\":503,\"count\":2}");
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    sim_post("/personio/__sim/fault", "{\"kind\":\"truncate\",\"count\":1}");
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    /* A remote that keeps failing: the run fails with a reason and nothing changes. */
    sim_post("/personio/__sim/mutate", "{\"delete\":[1020,1021]}");
    sim_post("/personio/__sim/fault", "{\"status\":500,\"count\":1000}");
    run = force_sync(id, "FULL");
    expect_state(run, "FAILED");
    assert_non_null(strstr(json_string_value(json_object_get(run, "error")), "500"));
    json_decref(run);
    after = all_employees(id, NULL, 250);
    assert_true(json_equal(before, after));
    json_decref(after);
    sim_post("/personio/__sim/reset", "{}");
    json_decref(before);
}

static void refused_credentials_mark_the_integration_invalid(void **state)
{
    char id[128], path[256];
    json_t *run;
    struct hresp r;

    (void)state;
    new_integration(id, sizeof(id), "wrong-secret");
    run = wait_for_sync(id, NULL);
    expect_state(run, "FAILED");
    assert_non_null(strstr(json_string_value(json_object_get(run, "error")), "refused"));
    json_decref(run);
    for (int i = 0; i < 2; i++) {
        run = force_sync(id, "FULL");
        expect_state(run, "FAILED");
        json_decref(run);
    }
    snprintf(path, sizeof(path), "/v1/integrations/%s", id);
    assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
    assert_string_equal(json_string_value(json_object_get(data(&r), "status")), "INVALID");
    hresp_free(&r);
}

static void killed_worker_loses_nothing(void **state)
{
    char id[128];
    const char *slow_args[] = {"--employees", "150", "--latency-ms", "40", "--seed", "7", NULL};
    json_t *run, *before, *after;
    char body[512];
    struct hresp r;
    int status;
    pid_t pid;

    (void)state;
    assert_int_equal(harness_start_hrsim(&slow_sim, tmp, slow_args), 0);
    snprintf(body, sizeof(body),
             "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Slow\"},"
             "\"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"},"
             "\"base_url\":\"%s/personio\"}",
             slow_sim.base_url);
    assert_int_equal(api("POST", "/v1/integrations", NULL, body, &r), 201);
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(data(&r), "id")));
    hresp_free(&r);
    run = wait_for_sync(id, NULL);
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    before = all_employees(id, NULL, 250);

    /* Change data, then kill -9 a foreground sync half way. */
    {
        static const char mutation[] = "{\"update\":[1001,1002,1100],\"delete\":[1005]}";
        char url[256];
        snprintf(url, sizeof(url), "%s/personio/__sim/mutate", slow_sim.base_url);
        assert_int_equal(harness_http("POST", url, NULL, mutation, strlen(mutation), &r), 0);
        assert_int_equal(r.status, 200);
        hresp_free(&r);
    }
    pid = fork();
    if (pid == 0) {
        putenv("HRBRIDGE_MASTER_KEY="
               "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        putenv("HRBRIDGE_SYNC_LEASE=3");
        freopen("/dev/null", "w", stderr);
        execl(harness_bin("hrbridge"), "hrbridge", "sync", "--db", harness_db(db), id,
              (char *)NULL);
        _exit(127);
    }
    sleep_ms(150); /* a few requests in (each takes 40 ms; a sync makes ~160) */
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status));
    after = all_employees(id, NULL, 250);
    assert_true(json_equal(before, after)); /* the old data, whole */
    json_decref(after);

    /* Once its lease expires the dead run is recorded as failed and a new
     * run takes over and completes (force-sync joined the one running). */
    run = force_sync(id, "FULL");
    if (!strcmp(json_string_value(json_object_get(run, "state")), "FAILED")) {
        char dead[64];
        snprintf(dead, sizeof(dead), "%s", json_string_value(json_object_get(run, "id")));
        json_decref(run);
        run = wait_for_sync(id, dead);
    }
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    {
        char path[256];
        json_t *x;
        size_t k;
        int failed = 0;
        snprintf(path, sizeof(path), "/v1/integrations/%s/syncs?page_size=10", id);
        assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
        json_array_foreach (json_object_get(data(&r), "results"), k, x) {
            const char *err = json_string_value(json_object_get(x, "error"));
            failed += !strcmp(json_string_value(json_object_get(x, "state")), "FAILED") && err &&
                      strstr(err, "stopped answering");
        }
        if (failed != 1)
            fprintf(stderr, "runs: %s\n", r.body);
        hresp_free(&r);
        assert_int_equal(failed, 1);
    }
    after = all_employees(id, NULL, 250);
    assert_int_equal(json_array_size(after), 149);
    json_decref(after);
    json_decref(before);
}

static void other_models_and_their_filters(void **state)
{
    char id[128], q[256];
    json_t *run, *groups, *some, *locs, *jobs, *emps, *g;
    struct hresp r;
    size_t i;

    (void)state;
    new_integration(id, sizeof(id), "sim-secret");
    run = wait_for_sync(id, NULL);
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    groups = all_of(id, "groups", NULL);
    assert_true(json_array_size(groups) > 1);
    json_array_foreach (groups, i, g) {
        assert_string_equal(json_string_value(json_object_get(g, "type")), "DEPARTMENT");
        assert_true(json_is_string(json_object_get(g, "changed_at")));
        assert_true(json_object_get(g, "parent_id") != NULL);
    }
    /* teams is the same list; types and name_contains narrow it. */
    some = all_of(id, "teams", NULL);
    assert_int_equal(json_array_size(some), json_array_size(groups));
    json_decref(some);
    some = all_of(id, "groups", "types=TEAM,COST_CENTER");
    assert_int_equal(json_array_size(some), 0);
    json_decref(some);
    some = all_of(id, "groups", "types=DEPARTMENT");
    assert_int_equal(json_array_size(some), json_array_size(groups));
    json_decref(some);
    {
        /* A piece of one name, in other case, finds it. */
        const char *name = json_string_value(json_object_get(json_array_get(groups, 0), "name"));
        char part[16];
        snprintf(part, sizeof(part), "%.3s", name + 1);
        for (char *p = part; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 32);
        snprintf(q, sizeof(q), "name_contains=%s", part);
        some = all_of(id, "groups", q);
        assert_true(json_array_size(some) >= 1);
        json_decref(some);
    }
    some = all_of(id, "groups", "name_contains=%25");
    assert_int_equal(json_array_size(some), 0);
    json_decref(some);
    assert_int_equal(api("GET", "/v1/hris/groups?types=SQUAD", id, NULL, &r), 400);
    hresp_free(&r);

    locs = all_of(id, "locations", NULL);
    assert_true(json_array_size(locs) > 1);
    assert_true(json_is_string(json_object_get(json_array_get(locs, 0), "type")));
    jobs = all_of(id, "employments", NULL);
    assert_int_equal(json_array_size(jobs), EMPLOYEES);
    assert_true(json_is_array(json_object_get(json_array_get(jobs, 0), "integration_fields")));
    some = all_of(id, "legal-entities", NULL);
    assert_true(json_array_size(some) >= 1);
    json_decref(some);

    /* Every employee's nested objects are records of those lists. */
    emps = all_employees(id, NULL, 250);
    json_array_foreach (emps, i, g) {
        const char *loc =
            json_string_value(json_object_get(json_object_get(g, "work_location"), "id"));
        json_t *x;
        size_t k;
        int found = 0;
        json_array_foreach (locs, k, x)
            found |= loc && !strcmp(json_string_value(json_object_get(x, "id")), loc);
        assert_true(found);
    }
    json_decref(emps);

    /* Absences nest their type; date filters keep overlapping ones. */
    {
        json_t *abs = all_of(id, "absences", NULL), *a, *types = all_of(id, "absence-types", NULL);
        size_t k, overlapping = 0;
        assert_int_equal(json_array_size(abs), 2 * EMPLOYEES);
        assert_int_equal(json_array_size(types), 5);
        json_array_foreach (abs, k, a) {
            const char *start = json_string_value(json_object_get(a, "start_date"));
            const char *end = json_string_value(json_object_get(a, "end_date"));
            assert_string_equal(
                json_string_value(json_object_get(json_object_get(a, "type"), "id")),
                json_string_value(json_object_get(a, "type_id")));
            overlapping += strcmp(end, "2026-03-01") >= 0 && strcmp(start, "2026-03-31T23") <= 0;
        }
        some = all_of(id, "absences", "date_from=2026-03-01&date_until=2026-03-31");
        assert_int_equal(json_array_size(some), overlapping);
        json_decref(some);
        snprintf(q, sizeof(q), "employee_id=%s",
                 json_string_value(json_object_get(json_array_get(abs, 0), "employee_id")));
        some = all_of(id, "absences", q);
        assert_int_equal(json_array_size(some), 2);
        json_decref(some);
        json_decref(abs);
        json_decref(types);
    }

    /* One balance per employee and time-off type, in the type's unit. */
    {
        json_t *bals = all_of(id, "time-off-balances", NULL), *b;
        size_t k;
        assert_int_equal(json_array_size(bals), 5 * EMPLOYEES);
        json_array_foreach (bals, k, b) {
            const char *unit = json_string_value(json_object_get(b, "balance_unit"));
            assert_true(json_is_number(json_object_get(b, "balance")));
            assert_true(unit && (!strcmp(unit, "DAYS") || !strcmp(unit, "HOURS")));
            assert_true(json_is_string(json_object_get(b, "employee_id")));
            assert_true(json_is_string(json_object_get(b, "type_id")));
        }
        snprintf(q, sizeof(q), "employee_id=%s",
                 json_string_value(json_object_get(json_array_get(bals, 0), "employee_id")));
        some = all_of(id, "time-off-balances", q);
        assert_int_equal(json_array_size(some), 5);
        json_decref(some);
        json_decref(bals);
    }
    json_decref(groups);
    json_decref(locs);
    json_decref(jobs);
}

static void passthrough_uses_the_stored_credentials(void **state)
{
    char id[128];
    json_t *run, *d;
    struct hresp r;

    (void)state;
    new_integration(id, sizeof(id), "sim-secret");
    run = wait_for_sync(id, NULL);
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    assert_int_equal(api("POST", "/v1/passthrough/personio/personnel", id,
                         "{\"method\":\"GET\",\"path\":\"/company/employees\","
                         "\"params\":{\"limit\":\"2\",\"offset\":\"4\"}}",
                         &r),
                     200);
    d = data(&r);
    assert_non_null(strstr(json_string_value(json_object_get(d, "url")),
                           "/personio/v1/company/employees?limit=2&offset=4"));
    assert_int_equal(json_integer_value(json_object_get(d, "status")), 200);
    assert_true(json_is_object(json_object_get(d, "headers")));
    assert_null(json_object_get(json_object_get(d, "headers"), "authorization"));
    assert_int_equal(json_array_size(json_object_get(json_object_get(d, "data"), "data")), 2);
    assert_true(json_is_array(json_object_get(r.json, "warnings")));
    hresp_free(&r);
    /* The remote's own errors come back as its status and body. */
    assert_int_equal(api("POST", "/v1/passthrough/personio/personnel", id,
                         "{\"method\":\"GET\",\"path\":\"/company/nothing\"}", &r),
                     200);
    assert_int_equal(json_integer_value(json_object_get(data(&r), "status")), 404);
    hresp_free(&r);
    /* Nothing leaves the integration's base URL. */
    static const char *const bad[] = {
        "{\"method\":\"GET\",\"path\":\"//evil.example/x\"}",
        "{\"method\":\"GET\",\"path\":\"/../../x\"}",
        "{\"method\":\"GET\",\"path\":\"http://evil.example/\"}",
        "{\"method\":\"TRACE\",\"path\":\"/x\"}",
        "{\"method\":\"GET\",\"path\":\"/x\",\"headers\":{\"Authorization\":\"x\"}}",
        "{\"method\":\"GET\",\"path\":\"/x\",\"headers\":{\"X-A\":\"a\\r\\nB: c\"}}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (api("POST", "/v1/passthrough/personio/personnel", id, bad[i], &r) != 400)
            fail_msg("%s: expected 400, got %ld", bad[i], r.status);
        hresp_free(&r);
    }
    assert_int_equal(
        api("POST", "/v1/passthrough/bamboohr/v1", id, "{\"method\":\"GET\",\"path\":\"/x\"}", &r),
        400);
    hresp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(fields_walkthrough, reset_sim),
        cmocka_unit_test_setup(employees_pages_and_filters, reset_sim),
        cmocka_unit_test_setup(changes_and_deletions, reset_sim),
        cmocka_unit_test_setup(unchanged_responses_are_not_mapped_again, reset_sim),
        cmocka_unit_test_setup(other_models_and_their_filters, reset_sim),
        cmocka_unit_test_setup(passthrough_uses_the_stored_credentials, reset_sim),
        cmocka_unit_test_setup(faults_are_retried_or_fail_cleanly, reset_sim),
        cmocka_unit_test_setup(refused_credentials_mark_the_integration_invalid, reset_sim),
        cmocka_unit_test_setup_teardown(killed_worker_loses_nothing, reset_sim, stop_slow_sim),
    };
    return cmocka_run_group_tests_name("sync", tests, group_setup, group_teardown);
}
