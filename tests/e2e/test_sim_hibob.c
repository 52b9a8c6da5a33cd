/*
 * test_sim_hibob — the real build/hrsim spoken to as HiBob's docs describe:
 * Basic auth with the service user, one unpaginated people search with
 * values nested and flattened, 19-digit string ids, showInactive,
 * humanReadable, the single filter, the 400-field cap, metadata and named
 * lists, and the 429 with Retry-After and X-RateLimit headers.
 */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define AUTH "Authorization: Basic c2ltLXVzZXI6c2ltLXRva2Vu" /* sim-user:sim-token */

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
    snprintf(fx->base, sizeof(fx->base), "%s/hibob", fx->sim.base_url);
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

static void req(const char *method, const char *path, const char *auth, const char *body,
                struct hresp *r)
{
    const char *hdrs[] = {auth, "Content-Type: application/json", "Accept: application/json", NULL};
    char url[1024];

    snprintf(url, sizeof(url), "%s%s", fx->base, path);
    assert_int_equal(
        harness_http(method, url, auth ? hdrs : hdrs + 1, body, body ? strlen(body) : 0, r), 0);
}

static void control(const char *op, const char *body)
{
    struct hresp r = {0};
    char url[512];

    snprintf(url, sizeof(url), "%s/__sim/%s", fx->base, op);
    assert_int_equal(harness_http("POST", url, NULL, body, body ? strlen(body) : 0, &r), 0);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
}

static void test_auth(void **state)
{
    struct hresp r = {0};

    (void)state;
    req("POST", "/v1/people/search", "Authorization: Basic c2ltLXVzZXI6d3Jvbmc=", "{}", &r);
    assert_int_equal(r.status, 401);
    assert_true(json_is_string(json_object_get(r.json, "key")));
    assert_true(json_is_string(json_object_get(r.json, "error")));
    hresp_free(&r);
    req("POST", "/v1/people/search", NULL, "{}", &r);
    assert_int_equal(r.status, 401);
    hresp_free(&r);
}

static void test_search_everyone_once(void **state)
{
    const char *body =
        "{\"fields\":[\"root.id\",\"root.firstName\",\"/root/surname\",\"root.email\","
        "\"work.startDate\",\"work.title\",\"work.reportsTo\",\"internal.status\","
        "\"internal.terminationDate\",\"work.custom.field_1651169416681\","
        "\"work.customColumns.column_1644862416223\"],\"showInactive\":true,"
        "\"humanReadable\":\"APPEND\"}";
    struct hresp r = {0};
    json_t *emps, *e;
    size_t i;
    static char seen[1000];
    int inactive = 0;

    (void)state;
    req("POST", "/v1/people/search", AUTH, body, &r);
    assert_int_equal(r.status, 200);
    emps = json_object_get(r.json, "employees");
    assert_int_equal(json_array_size(emps), 1000);
    memset(seen, 0, sizeof(seen));
    json_array_foreach (emps, i, e) {
        const char *id = json_string_value(json_object_get(e, "id"));
        unsigned long long v;

        assert_non_null(id); /* a string, never a number */
        assert_int_equal(strlen(id), 19);
        v = strtoull(id, NULL, 10) - 3332883884017713238ULL;
        assert_int_equal(v % 7919, 0);
        assert_in_range(v / 7919, 0, 999);
        assert_int_equal(seen[v / 7919], 0);
        seen[v / 7919] = 1;
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(e, "/root/id"), "value")), id);
        assert_true(json_is_string(json_object_get(json_object_get(e, "work"), "title")));
        assert_non_null(json_object_get(e, "/work/title"));
        assert_true(json_is_object(json_object_get(json_object_get(e, "work"), "custom")));
        assert_true(json_is_object(json_object_get(e, "humanReadable")));
        inactive +=
            !strcmp(json_string_value(json_object_get(json_object_get(e, "internal"), "status")),
                    "Inactive");
    }
    assert_in_range(inactive, 50, 160);
    /* ids appear in the raw text as quoted strings */
    assert_non_null(strstr(r.body, "\"id\":\"3332883884017713238\""));
    hresp_free(&r);

    /* without showInactive the terminated are left out */
    req("POST", "/v1/people/search", AUTH, "{\"fields\":[\"root.id\"]}", &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "employees")),
                     (size_t)(1000 - inactive));
    hresp_free(&r);
}

static void test_filters_and_limits(void **state)
{
    struct hresp r = {0};
    char body[9000];
    size_t n;

    (void)state;
    req("POST", "/v1/people/search", AUTH,
        "{\"fields\":[\"root.email\"],\"filters\":[{\"fieldPath\":\"root.id\",\"operator\":"
        "\"equals\",\"values\":[\"3332883884017721157\"]}],\"showInactive\":true}",
        &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "employees")), 1);
    hresp_free(&r);
    req("POST", "/v1/people/search", AUTH,
        "{\"filters\":[{\"fieldPath\":\"root.firstName\",\"operator\":\"equals\",\"values\":"
        "[\"Anna\"]}]}",
        &r);
    assert_int_equal(r.status, 400);
    assert_non_null(json_object_get(r.json, "key"));
    hresp_free(&r);
    req("POST", "/v1/people/search", AUTH,
        "{\"filters\":[{\"fieldPath\":\"root.id\",\"operator\":\"contains\",\"values\":[\"1\"]}]}",
        &r);
    assert_int_equal(r.status, 400);
    hresp_free(&r);
    n = (size_t)snprintf(body, sizeof(body), "{\"fields\":[");
    for (int i = 0; i < 401; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n, "%s\"root.id\"", i ? "," : "");
    snprintf(body + n, sizeof(body) - n, "]}");
    req("POST", "/v1/people/search", AUTH, body, &r);
    assert_int_equal(r.status, 400);
    hresp_free(&r);
    req("POST", "/v1/people/search", AUTH, "{not json", &r);
    assert_int_equal(r.status, 400);
    hresp_free(&r);
}

static void test_metadata(void **state)
{
    struct hresp r = {0};
    json_t *f;
    size_t i;
    int lists = 0;

    (void)state;
    req("GET", "/v1/company/people/fields", AUTH, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_array(r.json));
    json_array_foreach (r.json, i, f) {
        assert_true(json_is_string(json_object_get(f, "id")));
        assert_true(json_is_string(json_object_get(f, "jsonPath")));
        if (json_object_get(json_object_get(f, "typeData"), "listId"))
            lists++;
    }
    assert_true(lists >= 4);
    hresp_free(&r);
    req("GET", "/v1/company/named-lists/department", AUTH, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), "department");
    assert_int_equal(json_array_size(json_object_get(r.json, "values")), 12);
    hresp_free(&r);
    req("GET", "/v1/company/named-lists", AUTH, NULL, &r);
    assert_true(json_array_size(r.json) >= 5);
    hresp_free(&r);
}

static void test_mutations_and_throttle(void **state)
{
    struct hresp r = {0};
    char v[64];

    (void)state;
    control("mutate", "{\"delete\":[\"3332883884017713238\"]}");
    req("POST", "/v1/people/search", AUTH, "{\"fields\":[\"root.id\"],\"showInactive\":true}", &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "employees")), 999);
    assert_null(strstr(r.body, "3332883884017713238"));
    hresp_free(&r);
    control("reset", NULL);

    control("fault", "{\"status\":429,\"retry_after\":1,\"count\":1}");
    req("POST", "/v1/people/search", AUTH, "{\"fields\":[\"root.id\"]}", &r);
    assert_int_equal(r.status, 429);
    assert_int_equal(hresp_header(&r, "Retry-After", v, sizeof(v)), 0);
    assert_string_equal(v, "1");
    assert_int_equal(hresp_header(&r, "X-RateLimit-Limit", v, sizeof(v)), 0);
    assert_int_equal(hresp_header(&r, "X-RateLimit-Remaining", v, sizeof(v)), 0);
    assert_int_equal(hresp_header(&r, "X-RateLimit-Reset", v, sizeof(v)), 0);
    assert_non_null(json_object_get(r.json, "error"));
    hresp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_search_everyone_once),
        cmocka_unit_test(test_filters_and_limits),
        cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_mutations_and_throttle),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
