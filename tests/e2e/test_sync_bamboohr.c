/*
 * test_sync_bamboohr — syncing a simulated BambooHR end to end: real hrsim
 * and real hrbridge serve (with its worker). Covers the first FULL sync
 * against hrsim's own report (counts, unified fields, managers, the other
 * models), a CUSTOM field selected for passthrough, a refused API key, and
 * the changed feed's deletions in a DELTA sync.
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

/* More than one report chunk (500) and more fields than one report holds (400). */
#define EMPLOYEES     700
#define CUSTOM_FIELDS 450

static char tmp[256], db[400];
static struct hproc sim, srv;
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

static void new_integration(char *id, size_t idlen, const char *api_key)
{
    char body[512];
    struct hresp r;

    snprintf(body, sizeof(body),
             "{\"tool\":\"bamboohr\",\"end_user\":{\"organization_name\":\"Acme\"},"
             "\"credentials\":{\"company_domain\":\"acme\",\"api_key\":\"%s\"},"
             "\"base_url\":\"%s/bamboohr\"}",
             api_key, sim.base_url);
    if (api("POST", "/v1/integrations", NULL, body, &r) != 201)
        fail_msg("POST /v1/integrations: %ld %s", r.status, r.body);
    snprintf(id, idlen, "%s", json_string_value(json_object_get(data(&r), "id")));
    hresp_free(&r);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits until the integration's newest run is over and returns it (a new reference). */
static json_t *wait_for_sync(const char *id)
{
    char path[256];

    snprintf(path, sizeof(path), "/v1/integrations/%s/syncs?page_size=1", id);
    for (int i = 0; i < 1200; i++) {
        struct hresp r;
        json_t *run;
        const char *state;

        assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
        run = json_array_get(json_object_get(data(&r), "results"), 0);
        state = json_string_value(json_object_get(run, "state"));
        if (state && (!strcmp(state, "SUCCEEDED") || !strcmp(state, "FAILED"))) {
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

/* All records of /v1/hris/<endpoint>, following next. */
static json_t *all_of(const char *id, const char *endpoint, const char *query)
{
    json_t *all = json_array();
    char cursor[600] = "";

    for (int pages = 0; pages < 10000; pages++) {
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
    fail_msg("more than 10000 pages");
    return all;
}

/* Records keyed by a string member (a new object). */
static json_t *by(json_t *list, const char *member)
{
    json_t *out = json_object(), *e;
    size_t i;

    json_array_foreach (list, i, e)
        json_object_set(out, json_string_value(json_object_get(e, member)), e);
    return out;
}

/* hrsim's own BambooHR report of fields (a JSON array literal), keyed by id. */
static json_t *sim_report(const char *fields)
{
    char url[512], body[4096];
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

/* The date part of a unified date, or NULL for null. */
static void expect_date(json_t *unified, const char *field, json_t *raw, const char *raw_field)
{
    const char *got = json_string_value(json_object_get(unified, field));
    const char *want = json_string_value(json_object_get(raw, raw_field));

    if (!want || !*want || !strcmp(want, "0000-00-00")) {
        if (got)
            fail_msg("%s: %s, expected null (remote %s)", field, got, want ? want : "null");
        return;
    }
    if (!got || strncmp(got, want, 10) != 0 || strcmp(got + 10, "T00:00:00.000Z") != 0)
        fail_msg("%s: %s, expected %sT00:00:00.000Z", field, got ? got : "null", want);
}

/* Integration fields of model: the first whose label holds label_part (and
 * whose type is type); its id and key into fid and fkey. */
static void find_field(const char *id, const char *model, const char *type, const char *label_part,
                       char *fid, char *fkey)
{
    char path[512];
    struct hresp r;
    json_t *f;
    size_t i;

    fid[0] = fkey[0] = '\0';
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=2000", id);
    assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
    json_array_foreach (json_object_get(data(&r), "results"), i, f) {
        const char *label = json_string_value(json_object_get(f, "label"));
        if (!fid[0] && label && strstr(label, label_part) &&
            !strcmp(json_string_value(json_object_get(f, "type")), type) &&
            !strcmp(json_string_value(json_object_get(f, "model")), model)) {
            snprintf(fid, 64, "%s", json_string_value(json_object_get(f, "id")));
            snprintf(fkey, 64, "%s", json_string_value(json_object_get(f, "key")));
        }
    }
    hresp_free(&r);
    if (!fid[0])
        fail_msg("no %s field of %s labelled like %s", type, model, label_part);
}

/* ---- fixtures ------------------------------------------------------------ */

static int group_setup(void **state)
{
    const char *sim_args[] = {"--employees", "700", "--custom-fields", "450", "--seed", "11", NULL};
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
    fprintf(f, "sync.full_interval = 0\nsync.delta_interval = 0\nsync.lease = 10\n");
    fclose(f);
    if (harness_start_hrsim(&sim, tmp, sim_args) != 0)
        return -1;
    if (harness_new_key(db, "bamboohr-tests", key, sizeof(key)) != 0)
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

/* ---- tests ---------------------------------------------------------------- */

static void full_sync_matches_hrsim(void **state)
{
    char id[128];
    json_t *run, *emps, *byid, *simrows, *e, *u;
    size_t i;
    int checked = 0, managers = 0, pending = 0, inactive = 0;

    (void)state;
    new_integration(id, sizeof(id), "sim-key");
    run = wait_for_sync(id); /* a new integration syncs at once */
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    simrows = sim_report("[\"employeeNumber\",\"firstName\",\"lastName\",\"workEmail\","
                         "\"homeEmail\",\"status\",\"hireDate\",\"terminationDate\","
                         "\"dateOfBirth\",\"gender\",\"supervisorEId\",\"jobTitle\","
                         "\"displayName\",\"standardHoursPerWeek\",\"department\",\"location\"]");
    emps = all_of(id, "employees", NULL);
    assert_int_equal(json_array_size(emps), EMPLOYEES);
    assert_int_equal(json_object_size(simrows), EMPLOYEES);
    byid = by(emps, "id");
    json_array_foreach (emps, i, e) {
        const char *rid = json_string_value(json_object_get(e, "remote_id"));
        json_t *want = json_object_get(simrows, rid), *mgr;
        const char *status = json_string_value(json_object_get(e, "employment_status"));
        const char *sup = json_string_value(json_object_get(want, "supervisorEId"));

        if (!want)
            fail_msg("employee %s is not in hrsim's report", rid);
        u = e;
        assert_string_equal(json_string_value(json_object_get(u, "first_name")),
                            json_string_value(json_object_get(want, "firstName")));
        assert_string_equal(json_string_value(json_object_get(u, "last_name")),
                            json_string_value(json_object_get(want, "lastName")));
        assert_string_equal(json_string_value(json_object_get(u, "display_full_name")),
                            json_string_value(json_object_get(want, "displayName")));
        assert_string_equal(json_string_value(json_object_get(u, "work_email")),
                            json_string_value(json_object_get(want, "workEmail")));
        assert_string_equal(json_string_value(json_object_get(u, "personal_email")),
                            json_string_value(json_object_get(want, "homeEmail")));
        assert_string_equal(json_string_value(json_object_get(u, "employee_number")),
                            json_string_value(json_object_get(want, "employeeNumber")));
        assert_string_equal(json_string_value(json_object_get(u, "job_title")),
                            json_string_value(json_object_get(want, "jobTitle")));
        expect_date(u, "start_date", want, "hireDate");
        expect_date(u, "termination_date", want, "terminationDate");
        expect_date(u, "date_of_birth", want, "dateOfBirth");
        assert_true(json_is_number(json_object_get(u, "weekly_hours")));
        if (!strcmp(json_string_value(json_object_get(want, "status")), "Inactive")) {
            assert_string_equal(status, "INACTIVE");
            inactive++;
        } else {
            assert_true(!strcmp(status, "ACTIVE") || !strcmp(status, "PENDING"));
            pending += !strcmp(status, "PENDING");
        }
        /* The manager resolves to the record hrsim names. */
        mgr = json_object_get(byid, json_string_value(json_object_get(e, "manager_id")));
        if (sup) {
            assert_non_null(mgr);
            assert_string_equal(json_string_value(json_object_get(mgr, "remote_id")), sup);
            managers++;
        } else {
            assert_true(json_is_null(json_object_get(e, "manager_id")));
        }
        /* Nested objects from department and location. */
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(e, "work_location"), "name")),
            json_string_value(json_object_get(want, "location")));
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(json_object_get(e, "groups"), 0), "name")),
                            json_string_value(json_object_get(want, "department")));
        assert_true(json_is_object(json_object_get(e, "legal_entity")));
        assert_int_equal(json_array_size(json_object_get(e, "employments")), 1);
        checked++;
    }
    assert_int_equal(checked, EMPLOYEES);
    assert_int_equal(managers, EMPLOYEES - 1); /* everyone but the CEO */
    assert_true(pending > 0 && inactive > 0);  /* future hires and leavers are in */
    json_decref(byid);
    json_decref(emps);
    json_decref(simrows);

    /* The other models. */
    {
        static const struct {
            const char *endpoint;
            size_t n;
        } counts[] = {{"employments", EMPLOYEES},
                      {"groups", 12},
                      {"locations", 6},
                      {"legal-entities", 4},
                      {"absence-types", 5},
                      {"absences", 2 * EMPLOYEES},
                      {"time-off-balances", 5 * EMPLOYEES}};
        for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
            json_t *all = all_of(id, counts[i].endpoint, NULL);
            if (json_array_size(all) != counts[i].n)
                fail_msg("%s: %zu records, expected %zu", counts[i].endpoint, json_array_size(all),
                         counts[i].n);
            json_decref(all);
        }
    }
    {
        json_t *abs = all_of(id, "absences", NULL), *a;
        int requested = 0, declined = 0;
        json_array_foreach (abs, i, a) {
            const char *st = json_string_value(json_object_get(a, "status"));
            assert_true(json_is_string(json_object_get(a, "employee_id")));
            assert_string_equal(
                json_string_value(json_object_get(json_object_get(a, "type"), "id")),
                json_string_value(json_object_get(a, "type_id")));
            /* hrsim's pending/rejected requests are mapped, not passed through. */
            if (!st ||
                (strcmp(st, "APPROVED") && strcmp(st, "REQUESTED") && strcmp(st, "DECLINED")))
                fail_msg("absence status %s", st ? st : "null");
            requested += !strcmp(st, "REQUESTED");
            declined += !strcmp(st, "DECLINED");
        }
        assert_true(requested > 0 && declined > 0);
        json_decref(abs);
    }
}

static void custom_field_passthrough(void **state)
{
    char id[128], fid[64], fkey[64], nid[64], nkey[64], path[512], fields[256];
    json_t *run, *emps, *simrows, *e;
    struct hresp r;
    size_t i;

    (void)state;
    new_integration(id, sizeof(id), "sim-key");
    run = wait_for_sync(id);
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    /* A list field with a custom alias, and a number without one (its numeric id). */
    find_field(id, "hris_employees", "CUSTOM", "Shirt size", fid, fkey);
    assert_string_equal(fkey, "customShirtSize");
    find_field(id, "hris_employees", "CUSTOM", "Languages", nid, nkey);
    assert_string_equal(nkey, "4048");
    /* Standard fields are DEFAULT, labelled from the metadata. */
    find_field(id, "hris_employees", "DEFAULT", "Employee #", path, fields);
    assert_string_equal(fields, "employeeNumber");

    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields/%s", id, fid);
    assert_int_equal(api("PATCH", path, NULL, "{\"enable_passthrough\":true}", &r), 200);
    hresp_free(&r);
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields/%s", id, nid);
    assert_int_equal(api("PATCH", path, NULL, "{\"enable_passthrough\":true}", &r), 200);
    hresp_free(&r);
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    snprintf(fields, sizeof(fields), "[\"%s\",\"%s\"]", fkey, nkey);
    simrows = sim_report(fields);
    emps = all_of(id, "employees", NULL);
    assert_int_equal(json_array_size(emps), EMPLOYEES);
    json_array_foreach (emps, i, e) {
        json_t *ifs = json_object_get(e, "integration_fields"), *x;
        json_t *want = json_object_get(simrows, json_string_value(json_object_get(e, "remote_id")));
        size_t k;

        assert_non_null(want);
        assert_int_equal(json_array_size(ifs), 2);
        json_array_foreach (ifs, k, x) {
            const char *xk = json_string_value(json_object_get(x, "key"));
            json_t *v = json_object_get(x, "value"), *w = json_object_get(want, xk);
            assert_string_equal(json_string_value(json_object_get(x, "type")), "CUSTOM");
            /* Exactly the remote's value: a string (or null), never a number. */
            if (!json_equal(v, w) || json_typeof(v) != json_typeof(w))
                fail_msg("%s %s: %s, expected %s",
                         json_string_value(json_object_get(e, "remote_id")), xk,
                         json_dumps(v, JSON_ENCODE_ANY), json_dumps(w, JSON_ENCODE_ANY));
            assert_true(json_is_string(v) || json_is_null(v));
        }
    }
    json_decref(emps);
    json_decref(simrows);
}

static void refused_key_fails_readably(void **state)
{
    char id[128], path[256];
    const char *err;
    json_t *run;
    struct hresp r;

    (void)state;
    new_integration(id, sizeof(id), "wrong-key");
    run = wait_for_sync(id);
    expect_state(run, "FAILED");
    err = json_string_value(json_object_get(run, "error"));
    assert_non_null(err);
    assert_non_null(strstr(err, "refused"));
    assert_non_null(strstr(err, "Invalid API key"));
    assert_null(strstr(err, "wrong-key"));
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

static void delta_applies_changes_and_deletions(void **state)
{
    char id[128], url[512];
    json_t *run, *e, *reqs, *q;
    struct hresp r;
    size_t i;
    int changed = 0, reports = 0, all_ids = 0;

    (void)state;
    new_integration(id, sizeof(id), "sim-key");
    run = wait_for_sync(id);
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    sim_post("/bamboohr/__sim/reset", "{}"); /* a clean request log */
    sim_post("/bamboohr/__sim/mutate", "{\"update\":[\"110\"],\"delete\":[\"111\"]}");
    run = force_sync(id, "DELTA");
    expect_state(run, "SUCCEEDED");
    assert_string_equal(json_string_value(json_object_get(run, "type")), "DELTA");
    assert_true(json_integer_value(json_object_get(run, "records_deleted")) >= 1);
    json_decref(run);

    /* The deleted one is hidden, and shown with include_deleted. */
    e = all_of(id, "employees", "remote_ids=111");
    assert_int_equal(json_array_size(e), 0);
    json_decref(e);
    e = all_of(id, "employees", "remote_ids=111&include_deleted=true");
    assert_int_equal(json_array_size(e), 1);
    assert_true(json_is_string(json_object_get(json_array_get(e, 0), "remote_deleted_at")));
    json_decref(e);
    e = all_of(id, "employees", NULL);
    assert_int_equal(json_array_size(e), EMPLOYEES - 1);
    json_decref(e);

    /* Only the changed employees were read: the feed, then small reports. */
    snprintf(url, sizeof(url), "%s/bamboohr/__sim/requests", sim.base_url);
    assert_int_equal(harness_http("GET", url, NULL, NULL, 0, &r), 0);
    reqs = json_object_get(r.json, "requests");
    json_array_foreach (reqs, i, q) {
        const char *p = json_string_value(json_object_get(q, "path"));
        assert_string_equal(json_string_value(json_object_get(q, "accept")), "application/json");
        assert_int_equal(json_integer_value(json_object_get(q, "status")), 200);
        changed += strstr(p, "/v1/employees/changed") != NULL;
        reports += strstr(p, "/v1/reports/custom") != NULL;
        all_ids += strstr(p, "/time_off/calculator") != NULL;
    }
    assert_int_equal(changed, 1);
    assert_int_equal(reports, 2); /* one chunk, two reports of at most 400 fields */
    assert_true(all_ids >= 1 && all_ids < 10);
    hresp_free(&r);
}

static void throttling_is_ridden_out(void **state)
{
    char id[128];
    json_t *run, *e;

    (void)state;
    new_integration(id, sizeof(id), "sim-key");
    run = wait_for_sync(id);
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    /* BambooHR's throttle answer today (503) and from 2026-09-16 (429). */
    sim_post("/bamboohr/__sim/fault", "{\"status\":503,\"retry_after\":1,\"count\":2}");
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    sim_post("/bamboohr/__sim/fault", "{\"status\":429,\"retry_after\":1,\"count\":2}");
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    e = all_of(id, "employees", NULL);
    assert_int_equal(json_array_size(e), EMPLOYEES);
    json_decref(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(full_sync_matches_hrsim, reset_sim),
        cmocka_unit_test_setup(custom_field_passthrough, reset_sim),
        cmocka_unit_test_setup(refused_key_fails_readably, reset_sim),
        cmocka_unit_test_setup(delta_applies_changes_and_deletions, reset_sim),
        cmocka_unit_test_setup(throttling_is_ridden_out, reset_sim),
    };
    return cmocka_run_group_tests_name("sync_bamboohr", tests, group_setup, group_teardown);
}
