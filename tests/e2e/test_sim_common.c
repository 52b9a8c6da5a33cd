/*
 * test_sim_common — what every simulated tool shares: same seed, same bytes
 * (across processes); another seed, other data; the same people across the
 * four vendors; --rate-limit with each vendor's throttle answer; injected
 * truncated and stalled bodies; the command line.
 */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <cmocka.h>

#define PERSONIO_TOKEN_PATH "/personio/v1/auth?client_id=sim-client&client_secret=sim-secret"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    return harness_tmpdir(dir, sizeof(dir));
}

static int teardown(void **state)
{
    (void)state;
    harness_rmtree(dir);
    return 0;
}

static void start(struct hproc *p, const char *seed, const char *more, const char *more_val)
{
    const char *extra[] = {"--employees", "300", "--seed", seed, more, more_val, NULL};

    assert_int_equal(harness_start_hrsim(p, dir, extra), 0);
}

static void http(const char *method, const struct hproc *p, const char *path,
                 const char *const *hdrs, const char *body, struct hresp *r)
{
    char url[1024];

    snprintf(url, sizeof(url), "%s%s", p->base_url, path);
    assert_int_equal(harness_http(method, url, hdrs, body, body ? strlen(body) : 0, r), 0);
}

/* A Personio page with a fresh token (tokens differ; pages must not). */
static char *personio_page(const struct hproc *p, const char *query)
{
    struct hresp r = {0};
    char auth[200], path[300];
    const char *hdrs[] = {auth, NULL};
    char *body;

    http("POST", p, PERSONIO_TOKEN_PATH, NULL, NULL, &r);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
             json_string_value(json_object_get(json_object_get(r.json, "data"), "token")));
    hresp_free(&r);
    snprintf(path, sizeof(path), "/personio/v1/company/employees?%s", query);
    http("GET", p, path, hdrs, NULL, &r);
    assert_int_equal(r.status, 200);
    body = strdup(r.body);
    hresp_free(&r);
    return body;
}

static char *hibob_all(const struct hproc *p)
{
    const char *hdrs[] = {"Authorization: Basic c2ltLXVzZXI6c2ltLXRva2Vu",
                          "Content-Type: application/json", NULL};
    struct hresp r = {0};
    char *body;

    http("POST", p, "/hibob/v1/people/search", hdrs, "{\"showInactive\":true}", &r);
    assert_int_equal(r.status, 200);
    body = strdup(r.body);
    hresp_free(&r);
    return body;
}

static void test_determinism(void **state)
{
    struct hproc a = {0}, b = {0}, c = {0};
    char *pa, *pb, *pc, *ha, *hb;

    (void)state;
    start(&a, "5", NULL, NULL);
    start(&b, "5", NULL, NULL);
    start(&c, "6", NULL, NULL);
    pa = personio_page(&a, "limit=100&offset=200");
    pb = personio_page(&b, "limit=100&offset=200");
    pc = personio_page(&c, "limit=100&offset=200");
    assert_string_equal(pa, pb);
    assert_string_not_equal(pa, pc);
    ha = hibob_all(&a);
    hb = hibob_all(&b);
    assert_true(strlen(ha) > 100000);
    assert_string_equal(ha, hb);
    free(pa);
    free(pb);
    free(pc);
    free(ha);
    free(hb);
    harness_stop(&a);
    harness_stop(&b);
    harness_stop(&c);
}

static void test_same_people_everywhere(void **state)
{
    struct hproc p = {0};
    struct hresp b = {0}, f = {0};
    const char *bh[] = {"Authorization: Basic c2ltLWtleTp4", "Accept: application/json",
                        "Content-Type: application/json", NULL};
    const char *fh[] = {"x-api-key: sim-key", NULL};
    char *pj;
    json_t *pers, *hib;
    json_error_t err;

    (void)state;
    start(&p, "5", NULL, NULL);
    pj = personio_page(&p, "limit=50");
    pers = json_loads(pj, 0, &err);
    free(pj);
    pj = hibob_all(&p);
    hib = json_loads(pj, 0, &err);
    free(pj);
    http("POST", &p, "/bamboohr/v1/reports/custom?onlyCurrent=false", bh,
         "{\"fields\":[\"firstName\",\"lastName\",\"workEmail\",\"hireDate\",\"4047\"]}", &b);
    http("GET", &p, "/factorial/api/2026-04-01/resources/employees/employees?limit=50", fh, NULL,
         &f);
    for (size_t i = 0; i < 50; i++) {
        json_t *pa =
            json_object_get(json_array_get(json_object_get(pers, "data"), i), "attributes");
        json_t *he = json_array_get(json_object_get(hib, "employees"), i);
        json_t *be = json_array_get(json_object_get(b.json, "employees"), i);
        json_t *fe = json_array_get(json_object_get(f.json, "data"), i);
        const char *email =
            json_string_value(json_object_get(json_object_get(pa, "email"), "value"));
        const char *first =
            json_string_value(json_object_get(json_object_get(pa, "first_name"), "value"));
        const char *hire =
            json_string_value(json_object_get(json_object_get(pa, "hire_date"), "value"));

        assert_string_equal(json_string_value(json_object_get(he, "email")), email);
        assert_string_equal(json_string_value(json_object_get(be, "workEmail")), email);
        assert_string_equal(json_string_value(json_object_get(fe, "email")), email);
        assert_string_equal(json_string_value(json_object_get(he, "firstName")), first);
        assert_string_equal(json_string_value(json_object_get(be, "firstName")), first);
        assert_string_equal(json_string_value(json_object_get(fe, "first_name")), first);
        assert_memory_equal(json_string_value(json_object_get(be, "hireDate")), hire, 10);
        assert_memory_equal(
            json_string_value(json_object_get(json_object_get(he, "work"), "startDate")), hire, 10);
        /* the same custom value: Personio's list value, BambooHR's string */
        {
            json_t *pv = json_object_get(json_object_get(pa, "dynamic_24407"), "value");
            json_t *bv = json_object_get(be, "4047");

            if (json_is_null(bv))
                assert_string_equal(json_string_value(pv), "");
            else
                assert_string_equal(json_string_value(pv), json_string_value(bv));
        }
    }
    json_decref(pers);
    json_decref(hib);
    hresp_free(&b);
    hresp_free(&f);
    harness_stop(&p);
}

static void test_rate_limit(void **state)
{
    struct hproc p = {0};
    struct hresp r = {0};
    const char *bh[] = {"Authorization: Basic c2ltLWtleTp4", "Accept: application/json", NULL};
    const char *fh[] = {"x-api-key: sim-key", NULL};
    int throttled = 0;
    char v[32];

    (void)state;
    start(&p, "5", "--rate-limit", "5");
    /* BambooHR: 503 with Retry-After (today's behaviour) */
    for (int i = 0; i < 12 && !throttled; i++) {
        http("GET", &p, "/bamboohr/v1/meta/fields", bh, NULL, &r);
        if (r.status == 503) {
            throttled = 1;
            assert_int_equal(hresp_header(&r, "Retry-After", v, sizeof(v)), 0);
            assert_int_equal(hresp_header(&r, "X-BambooHR-Error-Message", v, sizeof(v)), 0);
        } else {
            assert_int_equal(r.status, 200);
        }
        hresp_free(&r);
    }
    assert_true(throttled);
    /* Factorial: 429 with Retry-After */
    throttled = 0;
    for (int i = 0; i < 12 && !throttled; i++) {
        http("GET", &p, "/factorial/api/2026-04-01/resources/locations/locations", fh, NULL, &r);
        if (r.status == 429) {
            throttled = 1;
            assert_int_equal(hresp_header(&r, "Retry-After", v, sizeof(v)), 0);
        }
        hresp_free(&r);
    }
    assert_true(throttled);
    /* Personio: 429 without Retry-After */
    throttled = 0;
    for (int i = 0; i < 12 && !throttled; i++) {
        http("GET", &p, "/personio/v1/company/employees", NULL, NULL, &r);
        if (r.status == 429) {
            throttled = 1;
            assert_int_not_equal(hresp_header(&r, "Retry-After", v, sizeof(v)), 0);
            assert_non_null(strstr(r.body, "\"success\":false"));
        }
        hresp_free(&r);
    }
    assert_true(throttled);
    harness_stop(&p);
}

static long long ms_now(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void test_body_faults(void **state)
{
    struct hproc p = {0};
    struct hresp r = {0};
    const char *fh[] = {"x-api-key: sim-key", NULL};
    const char *path = "/factorial/api/2026-04-01/resources/employees/employees";
    char url[512];
    long long t0;
    int rc;

    (void)state;
    start(&p, "5", NULL, NULL);
    http("POST", &p, "/factorial/__sim/fault", NULL, "{\"kind\":\"truncate\",\"count\":1}", &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
    snprintf(url, sizeof(url), "%s%s", p.base_url, path);
    rc = harness_http("GET", url, fh, NULL, 0, &r);
    /* either a transport error or a body that is not the whole JSON */
    assert_true(rc != 0 || !r.json);
    hresp_free(&r);

    http("POST", &p, "/factorial/__sim/fault", NULL,
         "{\"kind\":\"stall\",\"stall_ms\":400,\"count\":1}", &r);
    hresp_free(&r);
    t0 = ms_now();
    http("GET", &p, path, fh, NULL, &r);
    assert_true(ms_now() - t0 >= 380);
    assert_int_equal(r.status, 200);
    assert_non_null(r.json); /* a stall delays, it does not damage */
    hresp_free(&r);

    /* the root control endpoints */
    http("GET", &p, "/__sim/requests", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(json_object_get(json_object_get(r.json, "tools"), "factorial"));
    hresp_free(&r);
    http("POST", &p, "/__sim/reset", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
    http("GET", &p, "/nowhere", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    hresp_free(&r);
    harness_stop(&p);
}

static void test_fault_rate(void **state)
{
    struct hproc p = {0};
    struct hresp r = {0};
    const char *fh[] = {"x-api-key: sim-key", NULL};
    char url[512];
    int bad = 0;

    (void)state;
    /* stalls must not hold the test up: make them short */
    {
        const char *extra[] = {"--employees", "300", "--fault-rate", "0.5", "--stall-ms",
                               "100",         NULL};

        assert_int_equal(harness_start_hrsim(&p, dir, extra), 0);
    }
    snprintf(url, sizeof(url), "%s/factorial/api/2026-04-01/resources/locations/locations",
             p.base_url);
    for (int i = 0; i < 40; i++) {
        int rc = harness_http("GET", url, fh, NULL, 0, &r);

        bad += rc != 0 || r.status != 200 || !r.json;
        hresp_free(&r);
    }
    assert_in_range(bad, 8, 32);
    harness_stop(&p);
}

static void test_command_line(void **state)
{
    const char *help[] = {harness_bin("hrsim"), "--help", NULL};
    const char *bad[] = {harness_bin("hrsim"), "--employees", "lots", NULL};
    char *out = NULL;

    (void)state;
    assert_int_equal(harness_run(help, NULL, &out), 0);
    assert_non_null(strstr(out, "--listen HOST:PORT"));
    assert_non_null(strstr(out, "127.0.0.1:8081"));
    free(out);
    out = NULL;
    assert_int_equal(harness_run(bad, NULL, &out), 2);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism), cmocka_unit_test(test_same_people_everywhere),
        cmocka_unit_test(test_rate_limit),  cmocka_unit_test(test_body_faults),
        cmocka_unit_test(test_fault_rate),  cmocka_unit_test(test_command_line),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
