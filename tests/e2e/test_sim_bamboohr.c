/*
 * test_sim_bamboohr — the real build/hrsim spoken to as BambooHR's docs
 * describe: Basic auth with the API key, XML unless JSON is asked for, the
 * custom report (every employee once, string values, echoed keys, the strict
 * Content-Type and Accept rules, the 400-field cap), metadata, the changed
 * feed with deletions, and the throttle answer with Retry-After.
 */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define AUTH "Authorization: Basic c2ltLWtleTp4" /* sim-key:x */

struct fixture {
    char dir[256];
    struct hproc sim;
    char base[160];
};

static struct fixture *fx;

static int setup(void **state)
{
    const char *extra[] = {"--employees", "1000", "--seed", "11", NULL};

    (void)state;
    fx = calloc(1, sizeof(*fx));
    if (!fx || harness_tmpdir(fx->dir, sizeof(fx->dir)) != 0)
        return -1;
    if (harness_start_hrsim(&fx->sim, fx->dir, extra) != 0)
        return -1;
    snprintf(fx->base, sizeof(fx->base), "%s/bamboohr/api/gateway.php/acme", fx->sim.base_url);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    harness_stop(&fx->sim);
    harness_rmtree(fx->dir);
    free(fx);
    return 0;
}

static void req(const char *method, const char *path, const char *const *hdrs, const char *body,
                struct hresp *r)
{
    char url[1024];

    snprintf(url, sizeof(url), "%s%s", fx->base, path);
    assert_int_equal(harness_http(method, url, hdrs, body, body ? strlen(body) : 0, r), 0);
}

static void control(const char *op, const char *body)
{
    struct hresp r = {0};
    char url[512];

    snprintf(url, sizeof(url), "%s/bamboohr/__sim/%s", fx->sim.base_url, op);
    assert_int_equal(harness_http("POST", url, NULL, body, body ? strlen(body) : 0, &r), 0);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
}

static void test_auth(void **state)
{
    const char *bad[] = {"Authorization: Basic d3Jvbmc6eA==", "Accept: application/json", NULL};
    struct hresp r = {0};
    char msg[128];

    (void)state;
    req("GET", "/v1/employees/directory", bad, NULL, &r);
    assert_int_equal(r.status, 401);
    assert_int_equal(r.len, 0);
    assert_int_equal(hresp_header(&r, "X-BambooHR-Error-Message", msg, sizeof(msg)), 0);
    assert_string_equal(msg, "Invalid API key");
    hresp_free(&r);
    req("GET", "/v1/employees/directory", NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    hresp_free(&r);
}

static void test_xml_unless_json(void **state)
{
    const char *xml[] = {AUTH, NULL};
    const char *json[] = {AUTH, "Accept: application/json", NULL};
    struct hresp r = {0};
    size_t current, all;

    (void)state;
    req("GET", "/v1/employees/directory", xml, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(r.json);
    assert_non_null(strstr(r.body, "<directory>"));
    hresp_free(&r);

    req("GET", "/v1/employees/directory", json, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(r.json);
    current = json_array_size(json_object_get(r.json, "employees"));
    assert_true(json_is_string(
        json_object_get(json_array_get(json_object_get(r.json, "employees"), 0), "id")));
    hresp_free(&r);
    req("GET", "/v1/employees/directory?onlyCurrent=false", json, NULL, &r);
    all = json_array_size(json_object_get(r.json, "employees"));
    hresp_free(&r);
    assert_int_equal(all, 1000);
    assert_true(current < all && current > 800);

    /* the other base path style serves the same */
    {
        char url[512];

        snprintf(url, sizeof(url), "%s/bamboohr/api/v1/meta/fields", fx->sim.base_url);
        assert_int_equal(harness_http("GET", url, json, NULL, 0, &r), 0);
        assert_int_equal(r.status, 200);
        assert_true(json_is_array(r.json));
        hresp_free(&r);
    }
}

static void test_report(void **state)
{
    const char *hdrs[] = {AUTH, "Accept: application/json", "Content-Type: application/json", NULL};
    const char *body = "{\"title\":\"sync\",\"fields\":[\"employeeNumber\",\"firstName\","
                       "\"workEmail\",\"status\",\"hireDate\",\"terminationDate\","
                       "\"supervisorEId\",\"customShirtSize\",\"4049\",\"4051\",\"bogus\"]}";
    struct hresp r = {0};
    json_t *emps, *e, *v;
    size_t i;
    const char *key;
    static char seen[1000];
    int inactive = 0;

    (void)state;
    req("POST", "/v1/reports/custom?format=JSON&onlyCurrent=false", hdrs, body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "title")), "sync");
    assert_int_equal(json_array_size(json_object_get(r.json, "fields")), 10); /* bogus dropped */
    emps = json_object_get(r.json, "employees");
    assert_int_equal(json_array_size(emps), 1000);
    memset(seen, 0, sizeof(seen));
    json_array_foreach (emps, i, e) {
        long id = strtol(json_string_value(json_object_get(e, "id")), NULL, 10) - 101;

        assert_in_range(id, 0, 999);
        assert_int_equal(seen[id], 0);
        seen[id] = 1;
        assert_non_null(json_object_get(e, "customShirtSize"));
        assert_non_null(json_object_get(e, "4049"));
        assert_null(json_object_get(e, "bogus"));
        json_object_foreach (e, key, v) {
            assert_true(json_is_string(v) || json_is_null(v));
        }
        inactive += !strcmp(json_string_value(json_object_get(e, "status")), "Inactive");
    }
    assert_in_range(inactive, 50, 160);
    hresp_free(&r);

    /* a filtered delta report */
    req("POST", "/v1/reports/custom?format=JSON&onlyCurrent=false", hdrs,
        "{\"fields\":[\"firstName\"],\"filters\":{\"employeeIds\":[\"105\",106,\"99999999\"]}}",
        &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "employees")), 2);
    hresp_free(&r);
}

static void test_report_strictness(void **state)
{
    const char *charset[] = {AUTH, "Accept: application/json",
                             "Content-Type: application/json; charset=UTF-8", NULL};
    const char *star[] = {AUTH, "Accept: */*", "Content-Type: application/json", NULL};
    const char *xml[] = {AUTH, "Accept: text/xml", "Content-Type: application/json", NULL};
    const char *json[] = {AUTH, "Accept: application/json", "Content-Type: application/json", NULL};
    struct hresp r = {0};
    char body[8000];
    size_t n;

    (void)state;
    req("POST", "/v1/reports/custom", charset, "{\"fields\":[\"firstName\"]}", &r);
    assert_int_equal(r.status, 400);
    hresp_free(&r);
    req("POST", "/v1/reports/custom", star, "{\"fields\":[\"firstName\"]}", &r);
    assert_int_equal(r.status, 404);
    hresp_free(&r);
    req("POST", "/v1/reports/custom", xml, "{\"fields\":[\"firstName\"]}", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<report>"));
    hresp_free(&r);
    n = (size_t)snprintf(body, sizeof(body), "{\"fields\":[");
    for (int i = 0; i < 401; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n, "%s\"firstName\"", i ? "," : "");
    snprintf(body + n, sizeof(body) - n, "]}");
    req("POST", "/v1/reports/custom", json, body, &r);
    assert_int_equal(r.status, 400);
    hresp_free(&r);
}

static void test_single_and_meta(void **state)
{
    const char *json[] = {AUTH, "Accept: application/json", NULL};
    struct hresp r = {0};
    json_t *item;
    size_t i;
    int custom_alias = 0, custom = 0;

    (void)state;
    req("GET", "/v1/employees/110?fields=firstName,lastName,4047", json, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "id")), "110");
    assert_true(json_is_string(json_object_get(r.json, "firstName")));
    hresp_free(&r);
    req("GET", "/v1/employees/99999", json, NULL, &r);
    assert_int_equal(r.status, 404);
    hresp_free(&r);

    req("GET", "/v1/meta/fields", json, NULL, &r);
    json_array_foreach (r.json, i, item) {
        if (json_is_integer(json_object_get(item, "id")) &&
            json_integer_value(json_object_get(item, "id")) >= 4047) {
            custom++;
            custom_alias += json_object_get(item, "alias") != NULL;
        }
    }
    assert_int_equal(custom, 8);
    assert_int_equal(custom_alias, 4);
    hresp_free(&r);
    req("GET", "/v1/meta/lists", json, NULL, &r);
    assert_true(json_array_size(r.json) >= 5);
    item = json_array_get(r.json, 0);
    assert_non_null(json_object_get(item, "fieldId"));
    assert_true(json_is_array(json_object_get(item, "options")));
    hresp_free(&r);
    req("GET", "/v1/time_off/requests?start=2025-01-01&end=2025-12-31", json, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_array_size(r.json) > 0);
    hresp_free(&r);
}

static void test_changed_feed(void **state)
{
    const char *json[] = {AUTH, "Accept: application/json", NULL};
    struct hresp r = {0};
    json_t *emps;

    (void)state;
    control("reset", NULL);
    control("mutate", "{\"update\":[\"120\"],\"delete\":[\"121\"]}");
    req("GET", "/v1/employees/changed?since=2026-07-01T00:00:00Z", json, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_string(json_object_get(r.json, "latest")));
    emps = json_object_get(r.json, "employees");
    assert_true(json_is_object(emps));
    assert_int_equal(json_object_size(emps), 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(emps, "120"), "action")),
                        "Updated");
    assert_string_equal(json_string_value(json_object_get(json_object_get(emps, "121"), "action")),
                        "Deleted");
    hresp_free(&r);
    req("GET", "/v1/employees/changed?since=2026-07-01T00:00:00Z&type=deleted", json, NULL, &r);
    assert_int_equal(json_object_size(json_object_get(r.json, "employees")), 1);
    hresp_free(&r);

    /* the deleted one is gone from the report */
    {
        const char *hdrs[] = {AUTH, "Accept: application/json", "Content-Type: application/json",
                              NULL};

        req("POST", "/v1/reports/custom?onlyCurrent=false", hdrs, "{\"fields\":[\"firstName\"]}",
            &r);
        assert_int_equal(json_array_size(json_object_get(r.json, "employees")), 999);
        hresp_free(&r);
    }
    control("reset", NULL);
}

static void test_throttle(void **state)
{
    const char *json[] = {AUTH, "Accept: application/json", NULL};
    struct hresp r = {0};
    char v[64];

    (void)state;
    control("fault", "{\"status\":503,\"retry_after\":2,\"count\":1}");
    req("GET", "/v1/meta/fields", json, NULL, &r);
    assert_int_equal(r.status, 503);
    assert_int_equal(hresp_header(&r, "Retry-After", v, sizeof(v)), 0);
    assert_string_equal(v, "2");
    assert_int_equal(hresp_header(&r, "X-BambooHR-Error-Message", v, sizeof(v)), 0);
    hresp_free(&r);
    control("fault", "{\"status\":429,\"retry_after\":3,\"count\":1}");
    req("GET", "/v1/meta/fields", json, NULL, &r);
    assert_int_equal(r.status, 429);
    assert_int_equal(hresp_header(&r, "Retry-After", v, sizeof(v)), 0);
    assert_string_equal(v, "3");
    hresp_free(&r);
    req("GET", "/v1/meta/fields", json, NULL, &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_xml_unless_json),
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_report_strictness),
        cmocka_unit_test(test_single_and_meta),
        cmocka_unit_test(test_changed_feed),
        cmocka_unit_test(test_throttle),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
