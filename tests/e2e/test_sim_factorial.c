/*
 * test_sim_factorial — the real build/hrsim spoken to as Factorial's docs
 * describe: x-api-key and OAuth bearer tokens, cursor paging through every
 * employee once, value types, filters, the delta filter, contracts and
 * custom field values, and the 429 with Retry-After.
 */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define KEY "x-api-key: sim-key"

struct fixture {
    char dir[256];
    struct hproc sim;
    char base[200];
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
    snprintf(fx->base, sizeof(fx->base), "%s/factorial/api/2026-04-01/resources", fx->sim.base_url);
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

static void get(const char *path, const char *auth, struct hresp *r)
{
    const char *hdrs[] = {auth, NULL};
    char url[1024];

    snprintf(url, sizeof(url), "%s%s", fx->base, path);
    assert_int_equal(harness_http("GET", url, auth ? hdrs : NULL, NULL, 0, r), 0);
}

static void control(const char *op, const char *body)
{
    struct hresp r = {0};
    char url[512];

    snprintf(url, sizeof(url), "%s/factorial/__sim/%s", fx->sim.base_url, op);
    assert_int_equal(harness_http("POST", url, NULL, body, body ? strlen(body) : 0, &r), 0);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
}

static void test_auth(void **state)
{
    struct hresp r = {0};
    char url[512], bearer[200];
    const char *form = "grant_type=authorization_code&client_id=sim-client&client_secret="
                       "sim-secret&code=abc&redirect_uri=http://localhost/cb";
    char refresh[128];

    (void)state;
    get("/employees/employees?limit=1", NULL, &r);
    assert_int_equal(r.status, 401);
    hresp_free(&r);
    get("/employees/employees?limit=1", "x-api-key: wrong", &r);
    assert_int_equal(r.status, 401);
    hresp_free(&r);
    get("/employees/employees?limit=1", KEY, &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);

    snprintf(url, sizeof(url), "%s/factorial/oauth/token", fx->sim.base_url);
    assert_int_equal(harness_http("POST", url, NULL, form, strlen(form), &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "token_type")), "Bearer");
    assert_true(json_integer_value(json_object_get(r.json, "expires_in")) > 0);
    snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s",
             json_string_value(json_object_get(r.json, "access_token")));
    snprintf(refresh, sizeof(refresh), "%s",
             json_string_value(json_object_get(r.json, "refresh_token")));
    hresp_free(&r);
    get("/employees/employees?limit=1", bearer, &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
    {
        char body[300];

        snprintf(body, sizeof(body),
                 "grant_type=refresh_token&client_id=sim-client&client_secret=sim-secret&"
                 "refresh_token=%s",
                 refresh);
        assert_int_equal(harness_http("POST", url, NULL, body, strlen(body), &r), 0);
        assert_int_equal(r.status, 200);
        hresp_free(&r);
    }
    control("fault", "{\"expire_tokens\":true}");
    get("/employees/employees?limit=1", bearer, &r);
    assert_int_equal(r.status, 401);
    hresp_free(&r);
}

static void test_cursor_paging(void **state)
{
    struct hresp r = {0};
    char path[300], cursor[64] = "";
    static char seen[1000];
    int total = 0, pages = 0;
    json_int_t last = 0;

    (void)state;
    memset(seen, 0, sizeof(seen));
    for (;;) {
        json_t *meta, *e;
        size_t i;

        snprintf(path, sizeof(path), "/employees/employees?only_active=false&limit=100%s%s",
                 *cursor ? "&after_id=" : "", cursor);
        get(path, KEY, &r);
        assert_int_equal(r.status, 200);
        meta = json_object_get(r.json, "meta");
        assert_int_equal(json_integer_value(json_object_get(meta, "total")), 1000);
        assert_int_equal(json_integer_value(json_object_get(meta, "limit")), 100);
        assert_true(json_is_boolean(json_object_get(meta, "has_previous_page")));
        json_array_foreach (json_object_get(r.json, "data"), i, e) {
            json_int_t id = json_integer_value(json_object_get(e, "id"));

            assert_true(json_is_integer(json_object_get(e, "id")));
            assert_true(id > last); /* sorted ascending */
            last = id;
            assert_in_range(id - 1, 0, 999);
            assert_int_equal(seen[id - 1], 0);
            seen[id - 1] = 1;
            total++;
            assert_true(json_is_boolean(json_object_get(e, "active")));
            assert_true(json_is_boolean(json_object_get(e, "is_terminating")));
            assert_true(json_is_integer(json_object_get(e, "manager_id")) ||
                        json_is_null(json_object_get(e, "manager_id")));
            assert_true(json_is_string(json_object_get(e, "created_at")));
        }
        pages++;
        if (!json_is_true(json_object_get(meta, "has_next_page"))) {
            hresp_free(&r);
            break;
        }
        snprintf(cursor, sizeof(cursor), "%s",
                 json_string_value(json_object_get(meta, "end_cursor")));
        hresp_free(&r);
    }
    assert_int_equal(total, 1000);
    assert_int_equal(pages, 10);

    get("/employees/employees?limit=500", KEY, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 100);
    hresp_free(&r);
    get("/employees/employees?only_active=true", KEY, &r);
    assert_true(json_integer_value(json_object_get(json_object_get(r.json, "meta"), "total")) <
                950);
    hresp_free(&r);
    get("/employees/employees?ids[]=5&ids[]=9", KEY, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 2);
    hresp_free(&r);
    get("/employees/employees?after_id=!!", KEY, &r);
    assert_int_equal(r.status, 400);
    hresp_free(&r);
    get("/employees/employees", "x-api-key: sim-key", &r);
    hresp_free(&r);
}

static void test_resources(void **state)
{
    struct hresp r = {0};
    json_t *v;

    (void)state;
    get("/contracts/contract_versions?employee_ids[]=17", KEY, &r);
    assert_int_equal(r.status, 200);
    v = json_array_get(json_object_get(r.json, "data"), 0);
    assert_int_equal(json_integer_value(json_object_get(v, "employee_id")), 17);
    assert_true(json_is_string(json_object_get(v, "starts_on")));
    assert_true(json_is_string(json_object_get(v, "job_title")));
    hresp_free(&r);
    get("/custom_fields/fields", KEY, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 8);
    hresp_free(&r);
    get("/custom_fields/values?employee_ids[]=17&employee_ids[]=18", KEY, &r);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "meta"), "total")),
                     16);
    v = json_array_get(json_object_get(r.json, "data"), 0);
    assert_string_equal(json_string_value(json_object_get(v, "valuable_type")),
                        "Employees::Employee");
    assert_int_equal(json_integer_value(json_object_get(v, "valuable_id")), 17);
    hresp_free(&r);
    get("/custom_fields/values?field_id=77", KEY, &r);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "meta"), "total")),
                     1000);
    hresp_free(&r);
    get("/locations/locations", KEY, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 6);
    hresp_free(&r);
    get("/companies/legal_entities", KEY, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 4);
    hresp_free(&r);
    get("/timeoff/leaves?employee_ids[]=3", KEY, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 2);
    hresp_free(&r);
    {
        char url[512];
        const char *hdrs[] = {KEY, NULL};

        snprintf(url, sizeof(url), "%s/factorial/api/1999-01-01/resources/employees/employees",
                 fx->sim.base_url);
        assert_int_equal(harness_http("GET", url, hdrs, NULL, 0, &r), 0);
        assert_int_equal(r.status, 404);
        hresp_free(&r);
    }
}

static void test_delta_and_mutations(void **state)
{
    struct hresp r = {0};
    json_t *e;
    size_t i;

    (void)state;
    control("reset", NULL);
    control("mutate", "{\"update\":[3,4],\"delete\":[5],\"add\":1}");
    get("/employees/employees?updated_at_gteq=2026-07-01", KEY, &r);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "meta"), "total")),
                     3);
    json_array_foreach (json_object_get(r.json, "data"), i, e) {
        json_int_t id = json_integer_value(json_object_get(e, "id"));

        assert_true(id == 3 || id == 4 || id == 1001);
    }
    hresp_free(&r);
    get("/employees/employees?ids[]=5", KEY, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 0);
    hresp_free(&r);
    control("reset", NULL);

    control("fault", "{\"status\":429,\"retry_after\":2,\"count\":1}");
    get("/employees/employees", KEY, &r);
    assert_int_equal(r.status, 429);
    {
        char v[32];

        assert_int_equal(hresp_header(&r, "Retry-After", v, sizeof(v)), 0);
        assert_string_equal(v, "2");
    }
    hresp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_cursor_paging),
        cmocka_unit_test(test_resources),
        cmocka_unit_test(test_delta_and_mutations),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
