/*
 * test_sync_hibob — syncing a simulated HiBob end to end: real hrsim and
 * real hrbridge serve (with its worker). Covers the first FULL sync against
 * hrsim's own people search (counts, unified fields, list names, managers,
 * the other models), CUSTOM fields selected for passthrough with their
 * unwrapped values and JSON types, a refused service user, deletions found
 * by a FULL sync, a service user that cannot read every category, and
 * throttling ridden out.
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

/* More fields than one search may ask for (400): the searches are merged.
 * Few enough employees that hrsim's request log (1,000) holds a whole run. */
#define EMPLOYEES     150
#define CUSTOM_FIELDS 450
#define SIM_AUTH      "Authorization: Basic c2ltLXVzZXI6c2ltLXRva2Vu" /* sim-user:sim-token */

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

/* A HiBob request to hrsim as the service user; the parsed body (a new reference). */
static json_t *sim_hibob(const char *method, const char *path, const char *body)
{
    const char *h[] = {SIM_AUTH, "Accept: application/json", "Content-Type: application/json",
                       NULL};
    char url[1024];
    struct hresp r;
    json_t *out;

    snprintf(url, sizeof(url), "%s/hibob%s", sim.base_url, path);
    assert_int_equal(harness_http(method, url, h, body, body ? strlen(body) : 0, &r), 0);
    if (r.status != 200 || !r.json)
        fail_msg("hrsim %s %s: %ld %s", method, path, r.status, r.body);
    out = json_incref(r.json);
    hresp_free(&r);
    return out;
}

static void new_integration_as(char *id, size_t idlen, const char *user, const char *token)
{
    char body[512];
    struct hresp r;

    snprintf(body, sizeof(body),
             "{\"tool\":\"hibob\",\"end_user\":{\"organization_name\":\"Acme\"},"
             "\"credentials\":{\"service_user_id\":\"%s\",\"service_user_token\":\"%s\"},"
             "\"base_url\":\"%s/hibob\"}",
             user, token, sim.base_url);
    if (api("POST", "/v1/integrations", NULL, body, &r) != 201)
        fail_msg("POST /v1/integrations: %ld %s", r.status, r.body);
    snprintf(id, idlen, "%s", json_string_value(json_object_get(data(&r), "id")));
    hresp_free(&r);
}

static void new_integration(char *id, size_t idlen, const char *token)
{
    new_integration_as(id, idlen, "sim-user", token);
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

/* hrsim's own people search for fields (a JSON array literal), terminated
 * people included, keyed by root.id. human: list fields as names. */
static json_t *sim_people(const char *fields, int human)
{
    char body[8192];
    json_t *j, *out = json_object(), *e;
    size_t i;

    snprintf(body, sizeof(body), "{\"fields\":%s,\"showInactive\":true%s}", fields,
             human ? ",\"humanReadable\":\"REPLACE\"" : "");
    j = sim_hibob("POST", "/v1/people/search", body);
    json_array_foreach (json_object_get(j, "employees"), i, e) {
        const char *rid =
            json_string_value(json_object_get(json_object_get(e, "/root/id"), "value"));
        assert_non_null(rid);
        json_object_set(out, rid, e);
    }
    json_decref(j);
    return out;
}

/* The value inside hrsim's flattened {"value": …} wrapper of path (slash form). */
static json_t *flat(json_t *emp, const char *path)
{
    return json_object_get(json_object_get(emp, path), "value");
}

static void expect_text(json_t *unified, const char *field, json_t *emp, const char *path)
{
    const char *got = json_string_value(json_object_get(unified, field));
    const char *want = json_string_value(flat(emp, path));

    if (!want || !*want) {
        if (got)
            fail_msg("%s: %s, expected null", field, got);
        return;
    }
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s: %s, expected %s", field, got ? got : "null", want);
}

/* A unified date against hrsim's "YYYY-MM-DD" (or null). */
static void expect_date(json_t *unified, const char *field, json_t *emp, const char *path)
{
    const char *got = json_string_value(json_object_get(unified, field));
    const char *want = json_string_value(flat(emp, path));

    if (!want || !*want) {
        if (got)
            fail_msg("%s: %s, expected null", field, got);
        return;
    }
    if (!got || strncmp(got, want, 10) != 0 || strcmp(got + 10, "T00:00:00.000Z") != 0)
        fail_msg("%s: %s, expected %sT00:00:00.000Z", field, got ? got : "null", want);
}

/* Integration fields of model: the first whose label holds label_part (and
 * whose type is type); its id and key into fid and fkey (64 bytes each). */
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

/* hrsim's HiBob request log: how many requests had a path containing part,
 * and whether every one of them answered want_status. */
static int sim_requests(const char *part, long want_status)
{
    char url[512];
    struct hresp r;
    json_t *q;
    size_t i;
    int n = 0;

    snprintf(url, sizeof(url), "%s/hibob/__sim/requests", sim.base_url);
    assert_int_equal(harness_http("GET", url, NULL, NULL, 0, &r), 0);
    json_array_foreach (json_object_get(r.json, "requests"), i, q) {
        const char *p = json_string_value(json_object_get(q, "path"));
        if (!strstr(p, part))
            continue;
        n++;
        if (want_status && json_integer_value(json_object_get(q, "status")) != want_status)
            fail_msg("%s answered %lld", p, json_integer_value(json_object_get(q, "status")));
    }
    hresp_free(&r);
    return n;
}

/* ---- fixtures ------------------------------------------------------------ */

static int group_setup(void **state)
{
    const char *sim_args[] = {"--employees", "150", "--custom-fields", "450", "--seed", "11", NULL};
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
    if (harness_new_key(db, "hibob-tests", key, sizeof(key)) != 0)
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
    json_t *run, *emps, *byid, *people, *names, *e, *outs;
    size_t i;
    int checked = 0, managers = 0, pending = 0, inactive = 0;

    (void)state;
    new_integration(id, sizeof(id), "sim-token");
    run = wait_for_sync(id); /* a new integration syncs at once */
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    /* 472 fields: two searches, merged; every request answered 200. */
    assert_int_equal(sim_requests("/v1/people/search", 200), 2);
    assert_int_equal(sim_requests("/v1/company/people/fields", 200), 2); /* auth check + catalog */
    assert_int_equal(sim_requests("/v1/company/named-lists", 200), 1);

    people = sim_people("[\"root.id\",\"root.firstName\",\"root.surname\",\"root.email\","
                        "\"root.displayName\",\"home.privateEmail\",\"internal.status\","
                        "\"work.startDate\",\"internal.terminationDate\",\"personal.birthDate\","
                        "\"work.reportsTo\",\"root.creationDateTime\",\"home.legalGender\"]",
                        0);
    names = sim_people("[\"root.id\",\"work.title\",\"work.department\",\"work.site\"]", 1);
    emps = all_of(id, "employees", NULL);
    assert_int_equal(json_array_size(emps), EMPLOYEES);
    assert_int_equal(json_object_size(people), EMPLOYEES);
    byid = by(emps, "id");
    json_array_foreach (emps, i, e) {
        const char *rid = json_string_value(json_object_get(e, "remote_id"));
        json_t *want = json_object_get(people, rid), *human = json_object_get(names, rid), *mgr;
        const char *status = json_string_value(json_object_get(e, "employment_status"));
        json_t *reports = flat(want, "/work/reportsTo");
        const char *gender = json_string_value(flat(want, "/home/legalGender"));

        if (!want || !human)
            fail_msg("employee %s is not in hrsim's search", rid);
        /* 19-digit ids, exactly. */
        assert_int_equal(strlen(rid), 19);
        expect_text(e, "first_name", want, "/root/firstName");
        expect_text(e, "last_name", want, "/root/surname");
        expect_text(e, "display_full_name", want, "/root/displayName");
        expect_text(e, "work_email", want, "/root/email");
        expect_text(e, "personal_email", want, "/home/privateEmail");
        expect_date(e, "start_date", want, "/work/startDate");
        expect_date(e, "termination_date", want, "/internal/terminationDate");
        expect_date(e, "date_of_birth", want, "/personal/birthDate");
        /* List ids resolved to the names hrsim's humanReadable gives. */
        expect_text(e, "job_title", human, "/work/title");
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(e, "work_location"), "name")),
            json_string_value(flat(human, "/work/site")));
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(json_object_get(e, "groups"), 0), "name")),
                            json_string_value(flat(human, "/work/department")));
        assert_string_equal(json_string_value(json_object_get(e, "gender")),
                            !strcmp(gender, "Female") ? "FEMALE"
                            : !strcmp(gender, "Male") ? "MALE"
                                                      : "NON_BINARY");
        assert_true(json_is_number(json_object_get(e, "weekly_hours")));
        assert_true(json_is_string(json_object_get(e, "remote_created_at")));
        if (!strcmp(json_string_value(flat(want, "/internal/status")), "Inactive")) {
            assert_string_equal(status, "INACTIVE");
            inactive++;
        } else {
            assert_true(!strcmp(status, "ACTIVE") || !strcmp(status, "PENDING"));
            pending += !strcmp(status, "PENDING");
        }
        /* The manager resolves to the record hrsim names. */
        mgr = json_object_get(byid, json_string_value(json_object_get(e, "manager_id")));
        if (json_is_object(reports)) {
            assert_non_null(mgr);
            assert_string_equal(json_string_value(json_object_get(mgr, "remote_id")),
                                json_string_value(json_object_get(reports, "id")));
            managers++;
        } else {
            assert_true(json_is_null(json_object_get(e, "manager_id")));
        }
        assert_int_equal(json_array_size(json_object_get(e, "employments")), 1);
        checked++;
    }
    assert_int_equal(checked, EMPLOYEES);
    assert_int_equal(managers, EMPLOYEES - 1); /* everyone but the CEO */
    assert_true(pending > 0 && inactive > 0);  /* future hires and leavers are in */
    json_decref(byid);
    json_decref(emps);
    json_decref(people);
    json_decref(names);

    /* The other models; absences are what Who's out lists (approved ones). */
    outs = sim_hibob("GET", "/v1/timeoff/whosout?from=1970-01-01&to=2099-12-31", NULL);
    {
        const struct {
            const char *endpoint;
            size_t n;
        } counts[] = {{"employments", EMPLOYEES},
                      {"groups", 12},
                      {"locations", 6},
                      {"absence-types", 5},
                      {"absences", json_array_size(json_object_get(outs, "outs"))},
                      {"time-off-balances", 5 * EMPLOYEES}};
        assert_true(counts[4].n > EMPLOYEES); /* 2 each, 80% approved */
        for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
            json_t *all = all_of(id, counts[i].endpoint, NULL);
            if (json_array_size(all) != counts[i].n)
                fail_msg("%s: %zu records, expected %zu", counts[i].endpoint, json_array_size(all),
                         counts[i].n);
            json_decref(all);
        }
    }
    json_decref(outs);
    {
        json_t *abs = all_of(id, "absences", NULL), *a;
        json_array_foreach (abs, i, a) {
            assert_true(json_is_string(json_object_get(a, "employee_id")));
            assert_string_equal(json_string_value(json_object_get(a, "status")), "APPROVED");
            assert_string_equal(
                json_string_value(json_object_get(json_object_get(a, "type"), "id")),
                json_string_value(json_object_get(a, "type_id")));
        }
        json_decref(abs);
    }
}

static void custom_field_passthrough(void **state)
{
    static const char *const labels[] = {"Commute km",    "Languages",    "Travel budget",
                                         "Remote worker", "Badge expiry", "Notes"};
    enum { NF = sizeof(labels) / sizeof(labels[0]) };
    char id[128], fid[NF][64], fkey[NF][64], path[512], fields[2048], dkey[64];
    json_t *run, *emps, *people, *e;
    struct hresp r;
    size_t i;
    int types[8] = {0};

    (void)state;
    new_integration(id, sizeof(id), "sim-token");
    run = wait_for_sync(id);
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    /* Keys are the field paths HiBob's metadata gives; labels from it too. */
    snprintf(fields, sizeof(fields), "[\"root.id\"");
    for (int k = 0; k < NF; k++) {
        find_field(id, "hris_employees", "CUSTOM", labels[k], fid[k], fkey[k]);
        assert_true(!strncmp(fkey[k], "work.custom.field_", 18) ||
                    !strncmp(fkey[k], "work.customColumns.column_", 26));
        snprintf(fields + strlen(fields), sizeof(fields) - strlen(fields), ",\"%s\"", fkey[k]);
        snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields/%s", id, fid[k]);
        assert_int_equal(api("PATCH", path, NULL, "{\"enable_passthrough\":true}", &r), 200);
        hresp_free(&r);
    }
    snprintf(fields + strlen(fields), sizeof(fields) - strlen(fields), "]");
    find_field(id, "hris_employees", "DEFAULT", "Job title", path, dkey);
    assert_string_equal(dkey, "work.title");
    find_field(id, "hris_employees", "DEFAULT", "Start date", path, dkey);
    assert_string_equal(dkey, "work.startDate");

    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    people = sim_people(fields, 0);
    emps = all_of(id, "employees", NULL);
    assert_int_equal(json_array_size(emps), EMPLOYEES);
    json_array_foreach (emps, i, e) {
        json_t *ifs = json_object_get(e, "integration_fields"), *x;
        json_t *want = json_object_get(people, json_string_value(json_object_get(e, "remote_id")));
        size_t k;

        assert_non_null(want);
        assert_int_equal(json_array_size(ifs), NF);
        json_array_foreach (ifs, k, x) {
            const char *xk = json_string_value(json_object_get(x, "key"));
            json_t *v = json_object_get(x, "value"), *w;
            char slash[128];
            size_t n;

            /* hrsim's flattened key of the path, and the value inside its wrapper. */
            slash[0] = '/';
            for (n = 0; xk[n] && n + 2 < sizeof(slash); n++)
                slash[n + 1] = xk[n] == '.' ? '/' : xk[n];
            slash[n + 1] = '\0';
            w = json_object_get(json_object_get(want, slash), "value");
            assert_non_null(w);
            assert_string_equal(json_string_value(json_object_get(x, "type")), "CUSTOM");
            if (!json_equal(v, w) || json_typeof(v) != json_typeof(w))
                fail_msg("%s %s: %s, expected %s",
                         json_string_value(json_object_get(e, "remote_id")), xk,
                         json_dumps(v, JSON_ENCODE_ANY), json_dumps(w, JSON_ENCODE_ANY));
            types[json_typeof(v)]++;
        }
    }
    /* Numbers, arrays (multi-lists), objects (currency), booleans, strings, nulls. */
    assert_true(types[JSON_INTEGER] + types[JSON_REAL] > 0);
    assert_true(types[JSON_ARRAY] > 0);
    assert_true(types[JSON_OBJECT] > 0);
    assert_true(types[JSON_TRUE] + types[JSON_FALSE] > 0);
    assert_true(types[JSON_STRING] > 0);
    assert_true(types[JSON_NULL] > 0);
    json_decref(emps);
    json_decref(people);
}

static void refused_token_fails_readably(void **state)
{
    char id[128], path[256];
    const char *err;
    json_t *run;
    struct hresp r;

    (void)state;
    new_integration(id, sizeof(id), "wrong-token");
    run = wait_for_sync(id);
    expect_state(run, "FAILED");
    err = json_string_value(json_object_get(run, "error"));
    assert_non_null(err);
    assert_non_null(strstr(err, "refused"));
    assert_non_null(strstr(err, "Invalid service user credentials"));
    assert_null(strstr(err, "wrong-token"));
    json_decref(run);
    for (int i = 0; i < 2; i++) {
        run = force_sync(id, "FULL");
        expect_state(run, "FAILED");
        json_decref(run);
    }
    /* One refused call per run: HiBob blocks callers that repeat them. */
    assert_int_equal(sim_requests("/v1/", 401), 3);
    snprintf(path, sizeof(path), "/v1/integrations/%s", id);
    assert_int_equal(api("GET", path, NULL, NULL, &r), 200);
    assert_string_equal(json_string_value(json_object_get(data(&r), "status")), "INVALID");
    hresp_free(&r);
}

static void full_sync_finds_deletions(void **state)
{
    char id[128], body[256], filter[128];
    json_t *run, *e, *emps;
    const char *gone;

    (void)state;
    new_integration(id, sizeof(id), "sim-token");
    run = wait_for_sync(id);
    expect_state(run, "SUCCEEDED");
    json_decref(run);

    emps = all_of(id, "employees", NULL);
    gone = json_string_value(json_object_get(json_array_get(emps, 7), "remote_id"));
    snprintf(filter, sizeof(filter), "remote_ids=%s", gone);
    snprintf(body, sizeof(body), "{\"delete\":[\"%s\"]}", gone);
    sim_post("/hibob/__sim/mutate", body);
    /* HiBob has no change feed: a DELTA request runs as FULL. */
    run = force_sync(id, "DELTA");
    expect_state(run, "SUCCEEDED");
    assert_string_equal(json_string_value(json_object_get(run, "type")), "FULL");
    assert_true(json_integer_value(json_object_get(run, "records_deleted")) >= 1);
    json_decref(run);

    e = all_of(id, "employees", filter);
    assert_int_equal(json_array_size(e), 0);
    json_decref(e);
    snprintf(filter + strlen(filter), sizeof(filter) - strlen(filter), "&include_deleted=true");
    e = all_of(id, "employees", filter);
    assert_int_equal(json_array_size(e), 1);
    assert_true(json_is_string(json_object_get(json_array_get(e, 0), "remote_deleted_at")));
    json_decref(e);
    e = all_of(id, "employees", NULL);
    assert_int_equal(json_array_size(e), EMPLOYEES - 1);
    json_decref(e);
    e = all_of(id, "employments", NULL);
    assert_int_equal(json_array_size(e), EMPLOYEES - 1);
    json_decref(e);
    json_decref(emps);
}

/* A service user without access to some categories: HiBob leaves those
 * fields out (200), and the unified fields they fill stay null. */
static void unreadable_categories_are_left_out(void **state)
{
    char id[128];
    json_t *run, *emps, *e;
    size_t i;

    (void)state;
    new_integration_as(id, sizeof(id), "sim-user-limited", "sim-token");
    run = wait_for_sync(id);
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    emps = all_of(id, "employees", NULL);
    assert_int_equal(json_array_size(emps), EMPLOYEES);
    json_array_foreach (emps, i, e) {
        assert_true(json_is_null(json_object_get(e, "date_of_birth")));
        assert_true(json_is_null(json_object_get(e, "weekly_hours")));
        assert_true(json_is_null(json_object_get(e, "employment_type")));
        assert_true(json_is_string(json_object_get(e, "work_email")));
        assert_true(json_is_string(json_object_get(e, "start_date")));
    }
    json_decref(emps);
}

static void throttling_is_ridden_out(void **state)
{
    char id[128];
    json_t *run, *e;

    (void)state;
    new_integration(id, sizeof(id), "sim-token");
    run = wait_for_sync(id);
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    sim_post("/hibob/__sim/fault", "{\"status\":429,\"retry_after\":1,\"count\":2}");
    run = force_sync(id, "FULL");
    expect_state(run, "SUCCEEDED");
    json_decref(run);
    assert_true(sim_requests("/v1/", 0) > 2);
    e = all_of(id, "employees", NULL);
    assert_int_equal(json_array_size(e), EMPLOYEES);
    json_decref(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(full_sync_matches_hrsim, reset_sim),
        cmocka_unit_test_setup(custom_field_passthrough, reset_sim),
        cmocka_unit_test_setup(refused_token_fails_readably, reset_sim),
        cmocka_unit_test_setup(full_sync_finds_deletions, reset_sim),
        cmocka_unit_test_setup(unreadable_categories_are_left_out, reset_sim),
        cmocka_unit_test_setup(throttling_is_ridden_out, reset_sim),
    };
    return cmocka_run_group_tests_name("sync_hibob", tests, group_setup, group_teardown);
}
