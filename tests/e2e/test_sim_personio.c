/*
 * test_sim_personio — the real build/hrsim, spoken to over HTTP exactly as
 * Personio's v1 documentation describes: token exchange, offset paging with
 * metadata, the attribute wrapper and value types, metadata endpoints, the
 * updated_since quirk, mutations, throttling and error bodies.
 */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct fixture {
    char dir[256];
    struct hproc sim;
    char base[128];
    char token[128];
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
    snprintf(fx->base, sizeof(fx->base), "%s/personio", fx->sim.base_url);
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

static void req(const char *method, const char *path, const char *body, int with_token,
                struct hresp *r)
{
    char url[1024], auth[200];
    const char *hdrs[3] = {NULL, NULL, NULL};
    int n = 0;

    snprintf(url, sizeof(url), "%s%s", fx->base, path);
    if (with_token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", fx->token);
        hdrs[n++] = auth;
    }
    if (body)
        hdrs[n++] = "Content-Type: application/json";
    assert_int_equal(harness_http(method, url, hdrs, body, body ? strlen(body) : 0, r), 0);
}

static void login(void)
{
    struct hresp r = {0};

    req("POST", "/v1/auth", "{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"}", 0,
        &r);
    assert_int_equal(r.status, 200);
    assert_non_null(r.json);
    assert_true(json_is_true(json_object_get(r.json, "success")));
    snprintf(fx->token, sizeof(fx->token), "%s",
             json_string_value(json_object_get(json_object_get(r.json, "data"), "token")));
    assert_int_equal(strncmp(fx->token, "papi-", 5), 0);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r.json, "data"), "expires_in")), 86400);
    hresp_free(&r);
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
    char url[512];

    (void)state;
    req("POST", "/v1/auth", "{\"client_id\":\"sim-client\",\"client_secret\":\"nope\"}", 0, &r);
    assert_int_equal(r.status, 401);
    assert_true(json_is_false(json_object_get(r.json, "success")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "error"), "code")),
                     401);
    hresp_free(&r);

    /* query parameters and a form body work too */
    req("POST", "/v1/auth?client_id=sim-client&client_secret=sim-secret", NULL, 0, &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
    snprintf(url, sizeof(url), "%s/v1/auth", fx->base);
    assert_int_equal(
        harness_http("POST", url, NULL, "client_id=sim-client&client_secret=sim-secret", 45, &r),
        0);
    assert_int_equal(r.status, 200);
    hresp_free(&r);

    req("GET", "/v1/company/employees", NULL, 0, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(r.body, "{\"success\":false,\"error\":{\"code\":401,\"message\":"
                                "\"Authorization is not provided\"}}");
    hresp_free(&r);

    snprintf(fx->token, sizeof(fx->token), "papi-forged");
    req("GET", "/v1/company/employees", NULL, 1, &r);
    assert_int_equal(r.status, 401);
    hresp_free(&r);

    login();
    req("GET", "/v1/company/employees?limit=1", NULL, 1, &r);
    assert_int_equal(r.status, 200);
    {
        char h[200], want[200];

        assert_int_equal(hresp_header(&r, "Authorization", h, sizeof(h)), 0);
        snprintf(want, sizeof(want), "Bearer %s", fx->token);
        assert_string_equal(h, want);
    }
    hresp_free(&r);

    /* an expired token gets a 401, and a new exchange works again */
    control("fault", "{\"expire_tokens\":true}");
    req("GET", "/v1/company/employees?limit=1", NULL, 1, &r);
    assert_int_equal(r.status, 401);
    hresp_free(&r);
    login();
}

static void test_paging_every_employee_once(void **state)
{
    struct hresp r = {0};
    char path[256];
    static char seen[1000];
    int offset = 0, pages = 0, total = 0;

    (void)state;
    login();
    memset(seen, 0, sizeof(seen));
    for (;;) {
        json_t *meta, *data, *e;
        size_t i;

        snprintf(path, sizeof(path), "/v1/company/employees?limit=100&offset=%d", offset);
        req("GET", path, NULL, 1, &r);
        assert_int_equal(r.status, 200);
        meta = json_object_get(r.json, "metadata");
        data = json_object_get(r.json, "data");
        assert_true(json_is_true(json_object_get(r.json, "success")));
        assert_int_equal(json_integer_value(json_object_get(meta, "total_elements")), 1000);
        assert_int_equal(json_integer_value(json_object_get(meta, "total_pages")), 10);
        assert_int_equal(json_integer_value(json_object_get(meta, "current_page")), pages);
        assert_int_equal(json_integer_value(json_object_get(r.json, "offset")), offset);
        assert_int_equal(json_integer_value(json_object_get(r.json, "limit")), 100);
        json_array_foreach (data, i, e) {
            json_t *id =
                json_object_get(json_object_get(json_object_get(e, "attributes"), "id"), "value");
            json_int_t v;

            assert_true(json_is_integer(id));
            v = json_integer_value(id) - 1001;
            assert_in_range(v, 0, 999);
            assert_int_equal(seen[v], 0);
            seen[v] = 1;
            total++;
        }
        pages++;
        if (json_integer_value(json_object_get(meta, "current_page")) >=
            json_integer_value(json_object_get(meta, "total_pages")) - 1) {
            hresp_free(&r);
            break;
        }
        offset += 100;
        hresp_free(&r);
    }
    assert_int_equal(total, 1000);
    assert_int_equal(pages, 10);

    /* past the end: an empty page */
    req("GET", "/v1/company/employees?limit=100&offset=1000", NULL, 1, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 0);
    hresp_free(&r);
    /* the cap: limit 500 answers 100 */
    req("GET", "/v1/company/employees?limit=500", NULL, 1, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "limit")), 100);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 100);
    hresp_free(&r);
    /* default 50 */
    req("GET", "/v1/company/employees", NULL, 1, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 50);
    hresp_free(&r);
}

static void test_value_types(void **state)
{
    struct hresp r = {0};
    json_t *a, *v;

    (void)state;
    login();
    req("GET", "/v1/company/employees?limit=2&offset=1", NULL, 1, &r);
    a = json_object_get(json_array_get(json_object_get(r.json, "data"), 0), "attributes");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r.json, "data"), 0), "type")),
                        "Employee");
    v = json_object_get(a, "id");
    assert_string_equal(json_string_value(json_object_get(v, "label")), "ID");
    assert_string_equal(json_string_value(json_object_get(v, "type")), "integer");
    assert_true(json_is_integer(json_object_get(v, "value")));
    assert_true(json_is_string(json_object_get(json_object_get(a, "first_name"), "value")));
    assert_true(
        json_is_string(json_object_get(json_object_get(a, "weekly_working_hours"), "value")));
    assert_true(json_is_string(json_object_get(json_object_get(a, "hire_date"), "value")));
    assert_int_equal(
        strlen(json_string_value(json_object_get(json_object_get(a, "hire_date"), "value"))), 25);
    v = json_object_get(json_object_get(a, "supervisor"), "value");
    assert_true(json_is_object(v));
    assert_true(json_is_integer(
        json_object_get(json_object_get(json_object_get(v, "attributes"), "id"), "value")));
    assert_true(json_is_number(json_object_get(json_object_get(a, "fix_salary"), "value")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(a, "fix_salary"), "currency")), "EUR");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(a, "dynamic_1146666"), "universal_id")),
        "date_of_birth");
    v = json_object_get(a, "dynamic_24407");
    assert_string_equal(json_string_value(json_object_get(v, "label")), "Shirt size");
    assert_true(json_is_null(json_object_get(v, "universal_id")));
    assert_true(json_is_string(json_object_get(v, "value")));
    hresp_free(&r);

    /* projection */
    req("GET", "/v1/company/employees?limit=1&attributes[]=first_name&attributes[]=email", NULL, 1,
        &r);
    a = json_object_get(json_array_get(json_object_get(r.json, "data"), 0), "attributes");
    assert_int_equal(json_object_size(a), 3);
    hresp_free(&r);

    /* email filter */
    {
        char path[300], email[128];

        req("GET", "/v1/company/employees?limit=1&offset=77", NULL, 1, &r);
        snprintf(
            email, sizeof(email), "%s",
            json_string_value(json_object_get(
                json_object_get(json_object_get(json_array_get(json_object_get(r.json, "data"), 0),
                                                "attributes"),
                                "email"),
                "value")));
        hresp_free(&r);
        snprintf(path, sizeof(path), "/v1/company/employees?email=%s", email);
        req("GET", path, NULL, 1, &r);
        assert_int_equal(json_array_size(json_object_get(r.json, "data")), 1);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "metadata"),
                                                            "total_elements")),
                         1);
        hresp_free(&r);
    }
}

static void test_metadata(void **state)
{
    struct hresp r = {0}, r2 = {0};
    json_t *item;
    size_t i;
    int custom = 0, dob = 0;

    (void)state;
    login();
    req("GET", "/v1/company/employees/attributes", NULL, 1, &r);
    assert_int_equal(r.status, 200);
    json_array_foreach (json_object_get(r.json, "data"), i, item) {
        const char *key = json_string_value(json_object_get(item, "key"));
        const char *type = json_string_value(json_object_get(item, "type"));

        assert_non_null(json_object_get(item, "label"));
        assert_true(json_is_array(json_object_get(item, "options")));
        if (!strncmp(key, "dynamic_", 8) && json_is_null(json_object_get(item, "universal_id")))
            custom++;
        if (!strcmp(key, "dynamic_1146666"))
            dob++;
        if (strcmp(type, "list") && strcmp(type, "tags"))
            assert_int_equal(json_array_size(json_object_get(item, "options")), 0);
    }
    assert_int_equal(custom, 8);
    assert_int_equal(dob, 1);
    req("GET", "/v1/company/employees/custom-attributes", NULL, 1, &r2);
    assert_string_equal(r.body, r2.body);
    hresp_free(&r);
    hresp_free(&r2);

    req("GET", "/v1/nothing/here", NULL, 1, &r);
    assert_int_equal(r.status, 404);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "error"), "code")),
                     0);
    hresp_free(&r);

    req("GET", "/v1/company/time-off-types", NULL, 1, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 5);
    hresp_free(&r);
    req("GET", "/v1/company/time-offs?limit=50&offset=1", NULL, 1, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 50);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r.json, "metadata"), "total_elements")),
        2000);
    hresp_free(&r);
    req("GET", "/v1/company/employees/1005/absences/balance", NULL, 1, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 5);
    hresp_free(&r);
}

static void test_updated_since_and_mutations(void **state)
{
    struct hresp r = {0};
    json_t *data, *e;
    size_t i;
    int found_1003 = 0, found_1010 = 0;
    const int pages[] = {1, 2, 3, 286, 287}; /* 1,001 people, 2,002 time-offs */

    (void)state;
    login();
    control("reset", NULL);
    login();
    control("mutate", "{\"update\":[1003,\"1010\"],\"delete\":[1004],\"add\":2}");

    /* updated_since ignores limit/offset and returns every change at once */
    req("GET", "/v1/company/employees?updated_since=2026-07-01T00:00:00&limit=1&offset=5", NULL, 1,
        &r);
    assert_int_equal(r.status, 200);
    data = json_object_get(r.json, "data");
    assert_int_equal(json_array_size(data), 4);
    json_array_foreach (data, i, e) {
        json_int_t id = json_integer_value(
            json_object_get(json_object_get(json_object_get(e, "attributes"), "id"), "value"));

        found_1003 += id == 1003;
        found_1010 += id == 1010;
        assert_true(id != 1004);
    }
    assert_int_equal(found_1003, 1);
    assert_int_equal(found_1010, 1);
    hresp_free(&r);

    /* the deleted one vanished, the added ones appended */
    req("GET", "/v1/company/employees?limit=100&offset=0", NULL, 1, &r);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r.json, "metadata"), "total_elements")),
        1001);
    json_array_foreach (json_object_get(r.json, "data"), i, e) {
        assert_true(json_integer_value(json_object_get(
                        json_object_get(json_object_get(e, "attributes"), "id"), "value")) != 1004);
    }
    hresp_free(&r);
    req("GET", "/v1/company/employees/1004", NULL, 1, &r);
    assert_int_equal(r.status, 404);
    hresp_free(&r);
    req("GET", "/v1/company/employees/2002", NULL, 1, &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);

    /* unfiltered time-off pages jump to their first person; a filter that
     * lets everything through scans: both page alike around the deletion */
    for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        struct hresp all = {0}, scan = {0};
        char path[160];

        snprintf(path, sizeof(path), "/v1/company/time-offs?limit=7&offset=%d", pages[i]);
        req("GET", path, NULL, 1, &all);
        snprintf(path, sizeof(path),
                 "/v1/company/time-offs?limit=7&offset=%d&start_date=1900-01-01", pages[i]);
        req("GET", path, NULL, 1, &scan);
        assert_int_equal(all.status, 200);
        assert_int_equal(json_array_size(json_object_get(all.json, "data")),
                         pages[i] < 287 ? 7 : 0);
        assert_true(json_equal(all.json, scan.json));
        assert_int_equal(json_integer_value(json_object_get(json_object_get(all.json, "metadata"),
                                                            "total_elements")),
                         2002);
        hresp_free(&all);
        hresp_free(&scan);
    }
    control("reset", NULL);
}

static void test_throttle_fault(void **state)
{
    struct hresp r = {0};
    char ra[32];

    (void)state;
    login();
    control("fault", "{\"status\":429,\"retry_after\":1,\"count\":2}");
    for (int i = 0; i < 2; i++) {
        req("GET", "/v1/company/employees?limit=1", NULL, 1, &r);
        assert_int_equal(r.status, 429);
        assert_int_equal(hresp_header(&r, "Retry-After", ra, sizeof(ra)), 0);
        assert_string_equal(ra, "1");
        assert_true(json_is_false(json_object_get(r.json, "success")));
        hresp_free(&r);
    }
    req("GET", "/v1/company/employees?limit=1", NULL, 1, &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);

    control("fault", "{\"status\":500,\"count\":1}");
    req("GET", "/v1/company/employees?limit=1", NULL, 1, &r);
    assert_int_equal(r.status, 500);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "error"), "code")),
                     500);
    hresp_free(&r);
}

static void test_whitelist(void **state)
{
    struct hresp r = {0};
    json_t *a;

    (void)state;
    req("POST", "/v1/auth",
        "{\"client_id\":\"sim-client-limited\",\"client_secret\":\"sim-secret\"}", 0, &r);
    assert_int_equal(r.status, 200);
    snprintf(fx->token, sizeof(fx->token), "%s",
             json_string_value(json_object_get(json_object_get(r.json, "data"), "token")));
    hresp_free(&r);
    req("GET", "/v1/company/employees?limit=5", NULL, 1, &r);
    assert_int_equal(r.status, 200);
    a = json_object_get(json_array_get(json_object_get(r.json, "data"), 0), "attributes");
    assert_non_null(json_object_get(a, "first_name"));
    assert_null(json_object_get(a, "fix_salary"));
    assert_null(json_object_get(a, "dynamic_1146666"));
    hresp_free(&r);
    req("GET", "/v1/company/employees/attributes", NULL, 1, &r);
    assert_null(strstr(r.body, "\"fix_salary\""));
    assert_non_null(strstr(r.body, "\"first_name\""));
    hresp_free(&r);
    login();
}

static void test_request_log(void **state)
{
    struct hresp r = {0};
    char url[512];

    (void)state;
    login();
    req("GET", "/v1/company/employees?limit=3&offset=6", NULL, 1, &r);
    hresp_free(&r);
    snprintf(url, sizeof(url), "%s/__sim/requests", fx->base);
    assert_int_equal(harness_http("GET", url, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"query\":\"limit=3&offset=6\""));
    assert_non_null(strstr(r.body, "\"auth\":\"bearer\""));
    hresp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_paging_every_employee_once),
        cmocka_unit_test(test_value_types),
        cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_updated_since_and_mutations),
        cmocka_unit_test(test_throttle_fault),
        cmocka_unit_test(test_whitelist),
        cmocka_unit_test(test_request_log),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
