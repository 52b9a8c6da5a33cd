/*
 * test_backends — SQLite and PostgreSQL answer the same bytes. A real
 * hrbridge syncs two vendors of hrsim into a SQLite file (with selected
 * integration fields, a custom field mapping, a scope config and a remote
 * deletion), `hrbridge copy` moves every row into PostgreSQL, and then one
 * server on each database gets the same requests: every read endpoint, every
 * page through its cursors, filters, and errors. Status and body must be
 * identical byte for byte, ids and cursors included.
 *
 * It needs both databases, so it runs in the PostgreSQL round of the suite
 * (HRBRIDGE_TEST_PG set) and is skipped in the SQLite one.
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

#define MASTER_KEY                                                                                 \
    "HRBRIDGE_MASTER_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static char tmp[256], lite[512], pg_base[512];
static const char *pg_url;
static struct hproc sim, on_lite, on_pg;
static const struct hproc *srv; /* where api() sends */
static char key[128], personio[96], bamboohr[96];
static int compared; /* requests compared so far */

/* ---- helpers ------------------------------------------------------------- */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static long api(const struct hproc *p, const char *method, const char *path,
                const char *integration, const char *body, struct hresp *out)
{
    char url[4096], auth[256], integ[160];
    const char *h[4] = {auth, NULL, NULL, NULL};

    snprintf(url, sizeof(url), "%s%s", p->base_url, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
    if (integration) {
        snprintf(integ, sizeof(integ), "X-Integration-Id: %s", integration);
        h[1] = integ;
    }
    assert_int_equal(harness_http(method, url, h, body, body ? strlen(body) : 0, out), 0);
    return out->status;
}

static const char *str(const json_t *obj, const char *k)
{
    return json_string_value(json_object_get(obj, k));
}

/* Sends a request to the SQLite server that must answer status; returns its data. */
static json_t *ok(const char *method, const char *path, const char *integ, const char *body,
                  long status)
{
    struct hresp r;
    json_t *d;

    if (api(srv, method, path, integ, body, &r) != status)
        fail_msg("%s %s: %ld %s, expected %ld", method, path, r.status, r.body, status);
    d = json_incref(json_object_get(r.json, "data"));
    hresp_free(&r);
    return d;
}

/* Processes on the SQLite file are started without the PostgreSQL mapping
 * of "sqlite:" arguments (see harness_db). */
static void sqlite_only(int on)
{
    if (on)
        unsetenv("HRBRIDGE_TEST_PG");
    else
        setenv("HRBRIDGE_TEST_PG", pg_base, 1);
}

static int start_server(struct hproc *p, const char *db, int worker)
{
    char listen[64];
    const char *argv[] = {harness_bin("hrbridge"),       "serve", "--db", db, "--listen", listen,
                          worker ? NULL : "--no-worker", NULL};
    const char *env[] = {MASTER_KEY, "HRBRIDGE_SYNC_DELTA_INTERVAL=3600",
                         "HRBRIDGE_PUBLIC_URL=https://hr.example.test", NULL};

    p->port = harness_free_port();
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", p->port);
    snprintf(p->log_path, sizeof(p->log_path), "%.200s/serve-%d.log", tmp, p->port);
    return harness_spawn(p, argv, env, "/v1/check-api-key", 15000);
}

/* Waits until no run of integration id is queued or running and the newest succeeded. */
static void wait_idle(const char *id)
{
    char path[256];

    snprintf(path, sizeof(path), "/v1/integrations/%s/syncs?page_size=1", id);
    for (int i = 0; i < 1200; i++) {
        json_t *d = ok("GET", path, NULL, NULL, 200);
        json_t *run = json_array_get(json_object_get(d, "results"), 0);
        const char *state = str(run, "state");

        if (state && (!strcmp(state, "SUCCEEDED") || !strcmp(state, "FAILED"))) {
            if (strcmp(state, "SUCCEEDED") != 0)
                fail_msg("sync of %s failed: %s", id, str(run, "error"));
            json_decref(d);
            return;
        }
        json_decref(d);
        sleep_ms(50);
    }
    fail_msg("no sync of %s finished within 60 s", id);
}

static void new_integration(const char *tool, char *out, size_t outlen)
{
    char body[1024];
    json_t *d;

    if (!strcmp(tool, "personio"))
        snprintf(body, sizeof(body),
                 "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Acme\"},"
                 "\"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":"
                 "\"sim-secret\"},\"base_url\":\"%s/personio\"}",
                 sim.base_url);
    else
        snprintf(body, sizeof(body),
                 "{\"tool\":\"bamboohr\",\"end_user\":{\"organization_name\":\"Acme\"},"
                 "\"credentials\":{\"company_domain\":\"acme\",\"api_key\":\"sim-key\"},"
                 "\"base_url\":\"%s/bamboohr\"}",
                 sim.base_url);
    d = ok("POST", "/v1/integrations", NULL, body, 201);
    snprintf(out, outlen, "%s", str(d, "id"));
    json_decref(d);
}

/* Selects the first n employee fields of integration id for passthrough;
 * the id of the first into first. */
static void select_fields(const char *id, int n, char *first, size_t firstlen)
{
    char path[512];
    json_t *d, *f;
    size_t i;
    int done = 0;

    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=2000", id);
    d = ok("GET", path, NULL, NULL, 200);
    json_array_foreach (json_object_get(d, "results"), i, f) {
        if (done == n)
            break;
        if (strcmp(str(f, "model"), "hris_employees") != 0)
            continue;
        if (!done)
            snprintf(first, firstlen, "%s", str(f, "id"));
        snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields/%s", id, str(f, "id"));
        json_decref(ok("PATCH", path, NULL, "{\"enable_passthrough\":true}", 200));
        done++;
    }
    json_decref(d);
    assert_int_equal(done, n);
}

/* ---- comparing ------------------------------------------------------------- */

/* GETs path (with integration header integ) from both servers and asserts
 * the same status and body. Returns the SQLite answer's next cursor, if any,
 * into next (empty when none). */
static void same(const char *path, const char *integ, char *next, size_t nextlen)
{
    struct hresp a, b;
    json_t *n;

    api(&on_lite, "GET", path, integ, NULL, &a);
    api(&on_pg, "GET", path, integ, NULL, &b);
    if (a.status != b.status || a.len != b.len || memcmp(a.body, b.body, a.len) != 0)
        fail_msg("GET %s differs:\nsqlite     %ld %.600s\npostgresql %ld %.600s", path, a.status,
                 a.body, b.status, b.body);
    compared++;
    if (next) {
        n = json_object_get(json_object_get(a.json, "data"), "next");
        snprintf(next, nextlen, "%s", json_is_string(n) ? json_string_value(n) : "");
    }
    hresp_free(&a);
    hresp_free(&b);
}

/* Walks every page of path (which holds a query already) on both servers;
 * returns the number of pages. */
static int same_pages(const char *path, const char *integ)
{
    char next[1024] = "", url[3072];
    int pages = 0;

    do {
        snprintf(url, sizeof(url), "%s%s%s", path, next[0] ? "&cursor=" : "", next);
        same(url, integ, next, sizeof(next));
        pages++;
    } while (next[0] && pages < 500);
    return pages;
}

/* Up to n ids and remote ids of the first records of an HRIS endpoint, comma-separated. */
static void some_ids(const char *endpoint, const char *integ, int n, char *ids, char *remote,
                     size_t len)
{
    char path[256];
    json_t *d, *e;
    size_t i;

    snprintf(path, sizeof(path), "/v1/hris/%s?page_size=%d", endpoint, n);
    d = ok("GET", path, integ, NULL, 200);
    ids[0] = remote[0] = '\0';
    json_array_foreach (json_object_get(d, "results"), i, e) {
        size_t k = strlen(ids), m = strlen(remote);
        snprintf(ids + k, len - k, "%s%s", i ? "," : "", str(e, "id"));
        snprintf(remote + m, len - m, "%s%s", i ? "," : "", str(e, "remote_id"));
    }
    json_decref(d);
    assert_true(ids[0] != '\0');
}

/* ---- setup: sync into SQLite, copy into PostgreSQL ---------------------- */

static int setup(void **state)
{
    const char *sim_extra[] = {"--employees", "90", NULL};
    char out_path[600];
    int rc;

    (void)state;
    if (!getenv("HRBRIDGE_TEST_PG"))
        return 0;
    snprintf(pg_base, sizeof(pg_base), "%s", getenv("HRBRIDGE_TEST_PG"));
    if (harness_tmpdir(tmp, sizeof(tmp)) != 0)
        return -1;
    snprintf(lite, sizeof(lite), "sqlite:%s/lite.db", tmp);
    snprintf(out_path, sizeof(out_path), "sqlite:%s/pg.db", tmp);
    pg_url = harness_db(out_path); /* a fresh PostgreSQL database */
    if (!pg_url || harness_start_hrsim(&sim, tmp, sim_extra) != 0)
        return -1;

    sqlite_only(1);
    rc = harness_new_key(lite, "backends", key, sizeof(key));
    if (rc == 0)
        rc = start_server(&on_lite, lite, 1);
    sqlite_only(0);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    harness_stop(&on_lite);
    harness_stop(&on_pg);
    harness_stop(&sim);
    if (tmp[0])
        harness_rmtree(tmp);
    return 0;
}

static void fill_and_copy(void)
{
    char field[64], body[512], path[512], cf[64];
    struct hresp r;
    json_t *d;
    char *out = NULL;
    int rc;

    srv = &on_lite;
    new_integration("personio", personio, sizeof(personio));
    new_integration("bamboohr", bamboohr, sizeof(bamboohr));
    wait_idle(personio);
    wait_idle(bamboohr);

    /* Passthrough fields, a custom field mapped onto one, a scope config. */
    select_fields(personio, 4, field, sizeof(field));
    d = ok("POST", "/v1/custom-field-definitions", NULL,
           "{\"model\":\"hris_employees\",\"key\":\"extra\",\"label\":\"Extra\"}", 201);
    snprintf(cf, sizeof(cf), "%s", str(d, "id"));
    json_decref(d);
    snprintf(path, sizeof(path), "/v1/integrations/%s/custom-fields/%s", personio, cf);
    snprintf(body, sizeof(body), "{\"integration_field_id\":\"%s\"}", field);
    json_decref(ok("PUT", path, NULL, body, 200));
    json_decref(ok("POST", "/v1/scope-configs", NULL, "{\"name\":\"minimal\"}", 201));
    sleep_ms(300); /* the selection queued a sync */
    wait_idle(personio);

    /* A remote deletion, so include_deleted has something to show. */
    {
        char url[256];
        snprintf(url, sizeof(url), "%s/personio/__sim/mutate", sim.base_url);
        const char *del = "{\"delete\":[3,4]}";
        assert_int_equal(harness_http("POST", url, NULL, del, strlen(del), &r), 0);
        assert_int_equal(r.status, 200);
        hresp_free(&r);
    }
    json_decref(ok("POST", "/v1/force-sync", personio, "{\"type\":\"FULL\"}", 200));
    sleep_ms(300);
    wait_idle(personio);
    harness_stop(&on_lite);

    /* Copy every row into PostgreSQL, then serve each database (no worker:
     * nothing may change while comparing). */
    sqlite_only(1);
    {
        const char *argv[] = {harness_bin("hrbridge"), "copy", "--db", lite, "--to", pg_url, NULL};
        rc = harness_run(argv, NULL, &out);
    }
    if (rc != 0)
        fail_msg("hrbridge copy exited %d: %s", rc, out ? out : "");
    assert_non_null(strstr(out, "records"));
    free(out);
    out = NULL;
    rc = start_server(&on_lite, lite, 0);
    sqlite_only(0);
    assert_int_equal(rc, 0);
    assert_int_equal(start_server(&on_pg, pg_url, 0), 0);

    /* A second copy into the same database is refused and changes nothing. */
    sqlite_only(1);
    {
        const char *argv[] = {harness_bin("hrbridge"), "copy", "--db", lite, "--to", pg_url, NULL};
        rc = harness_run(argv, NULL, &out);
    }
    sqlite_only(0);
    assert_int_equal(rc, 1);
    free(out);
}

/* ---- the test ------------------------------------------------------------- */

static void test_same_bytes_on_both_backends(void **state)
{
    static const char *const models[] = {
        "employees",     "employments", "groups",
        "teams",         "locations",   "legal-entities",
        "absence-types", "absences",    "time-off-balances",
    };
    const char *integrations[] = {personio, bamboohr};
    char path[4096], ids[2048], remote[2048];
    int pages = 0;

    (void)state;
    if (!pg_url)
        skip();
    fill_and_copy();

    same("/v1/check-api-key", NULL, NULL, 0);
    same("/v1/tools/hris", NULL, NULL, 0);
    same_pages("/v1/custom-field-definitions?page_size=1", NULL);
    same_pages("/v1/scope-configs?page_size=1", NULL);
    for (size_t k = 0; k < 2; k++) {
        const char *id = integrations[k];

        snprintf(path, sizeof(path), "/v1/integrations/%s", id);
        same(path, NULL, NULL, 0);
        snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=9", id);
        pages += same_pages(path, NULL);
        snprintf(path, sizeof(path), "/v1/integrations/%s/custom-fields?page_size=1", id);
        same_pages(path, NULL);
        snprintf(path, sizeof(path), "/v1/integrations/%s/syncs?page_size=2", id);
        same_pages(path, NULL);
        for (size_t m = 0; m < sizeof(models) / sizeof(*models); m++) {
            snprintf(path, sizeof(path), "/v1/hris/%s?page_size=7", models[m]);
            pages += same_pages(path, id);
            snprintf(path, sizeof(path), "/v1/hris/%s?page_size=250&include_deleted=true",
                     models[m]);
            same_pages(path, id);
            snprintf(path, sizeof(path), "/v1/hris/%s?updated_after=2000-01-01T00:00:00.000Z",
                     models[m]);
            same_pages(path, id);
        }
        some_ids("employees", id, 5, ids, remote, sizeof(ids));
        snprintf(path, sizeof(path), "/v1/hris/employees?ids=%s", ids);
        same(path, id, NULL, 0);
        snprintf(path, sizeof(path), "/v1/hris/employees?remote_ids=%s", remote);
        same(path, id, NULL, 0);
        some_ids("employees", id, 1, ids, remote, sizeof(ids));
        snprintf(path, sizeof(path), "/v1/hris/absences?employee_id=%s", ids);
        same_pages(path, id);
        snprintf(path, sizeof(path), "/v1/hris/time-off-balances?employee_id=%s", ids);
        same_pages(path, id);
        same_pages("/v1/hris/employees?employment_status=ACTIVE&page_size=20", id);
        same_pages("/v1/hris/employees?employment_statuses=INACTIVE,LEAVE", id);
        same_pages("/v1/hris/groups?name_contains=e", id);
        same_pages("/v1/hris/absences?date_from=2024-01-01&date_until=2025-12-31", id);
        same("/v1/hris/employees?custom_fields=%7B%22extra%22%3A%22x%22%7D", id, NULL, 0);
        /* Errors too. */
        same("/v1/hris/employees?cursor=bm90LWEtY3Vyc29y", id, NULL, 0);
        same("/v1/hris/employees?page_size=0", id, NULL, 0);
    }
    same("/v1/hris/employees", "personio:NoSuchIntegration1234567890", NULL, 0);
    same("/v1/integrations/personio:NoSuchIntegration1234567890", NULL, NULL, 0);
    print_message("compared %d requests, %d pages of records, byte for byte\n", compared, pages);
    assert_true(pages > 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bytes_on_both_backends),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
