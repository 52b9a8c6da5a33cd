/*
 * Unit tests for sim/personio.c: the attribute wrapper and value types,
 * projection, tokens, and Personio's error bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "personio.h"
#include "simerr.h"

static const struct gen_config cfg = {42, 100, 8};

static json_t *render(int64_t index, const char *const *sel, int n_sel)
{
    struct gen_person p;
    struct sbuf b;
    json_error_t err;
    json_t *v;

    gen_person(&cfg, index, 0, 0, &p);
    sbuf_init(&b);
    personio_render_employee(&cfg, &p, sel, n_sel, 0, &b);
    v = json_loads(b.data, 0, &err);
    sbuf_free(&b);
    assert_non_null(v);
    return v;
}

static json_t *attr(json_t *emp, const char *key)
{
    return json_object_get(json_object_get(emp, "attributes"), key);
}

static void test_wrapper_and_types(void **state)
{
    json_t *e = render(1, NULL, 0);
    json_t *a;
    struct gen_person p;

    (void)state;
    gen_person(&cfg, 1, 0, 0, &p);
    assert_string_equal(json_string_value(json_object_get(e, "type")), "Employee");
    a = attr(e, "id");
    assert_true(json_is_integer(json_object_get(a, "value")));
    assert_int_equal(json_integer_value(json_object_get(a, "value")), PERSONIO_ID_BASE + 1);
    assert_string_equal(json_string_value(json_object_get(a, "label")), "ID");
    assert_string_equal(json_string_value(json_object_get(a, "universal_id")), "id");
    assert_string_equal(json_string_value(json_object_get(attr(e, "first_name"), "value")),
                        p.first_name);
    assert_string_equal(json_string_value(json_object_get(attr(e, "email"), "value")), p.email);
    /* weekly hours are a string, salary a number with a currency */
    assert_true(json_is_string(json_object_get(attr(e, "weekly_working_hours"), "value")));
    assert_true(json_is_integer(json_object_get(attr(e, "fix_salary"), "value")));
    assert_string_equal(json_string_value(json_object_get(attr(e, "fix_salary"), "currency")),
                        "EUR");
    /* supervisor: an Employee object whose id is itself wrapped */
    a = json_object_get(attr(e, "supervisor"), "value");
    assert_string_equal(json_string_value(json_object_get(a, "type")), "Employee");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(a, "attributes"), "id"), "value")),
                     PERSONIO_ID_BASE + 0);
    a = json_object_get(attr(e, "department"), "value");
    assert_string_equal(json_string_value(json_object_get(a, "type")), "Department");
    assert_true(json_is_integer(json_object_get(json_object_get(a, "attributes"), "id")));
    /* built-in dates carry an offset; the DOB is a dynamic attribute */
    assert_non_null(
        strstr(json_string_value(json_object_get(attr(e, "hire_date"), "value")), "T00:00:00+0"));
    assert_string_equal(
        json_string_value(json_object_get(attr(e, PERSONIO_DOB_KEY), "universal_id")),
        "date_of_birth");
    /* custom attributes: dynamic_<n>, universal_id null, typed values */
    a = attr(e, "dynamic_24407");
    assert_string_equal(json_string_value(json_object_get(a, "type")), "list");
    assert_true(json_is_null(json_object_get(a, "universal_id")));
    assert_true(json_is_string(json_object_get(a, "value")));
    a = attr(e, "dynamic_24408");
    assert_string_equal(json_string_value(json_object_get(a, "type")), "tags");
    assert_true(json_is_string(json_object_get(a, "value")));
    a = attr(e, "dynamic_24409");
    assert_string_equal(json_string_value(json_object_get(a, "type")), "decimal");
    assert_true(json_is_number(json_object_get(a, "value")) ||
                json_is_null(json_object_get(a, "value")));
    assert_non_null(attr(e, "dynamic_24414"));
    assert_null(attr(e, "dynamic_24415"));
    json_decref(e);

    e = render(0, NULL, 0);
    assert_true(json_is_null(json_object_get(attr(e, "supervisor"), "value")));
    json_decref(e);
}

static void test_projection(void **state)
{
    const char *const sel[] = {"first_name", "dynamic_24407"};
    json_t *e = render(3, sel, 2);

    (void)state;
    assert_int_equal(json_object_size(json_object_get(e, "attributes")), 3);
    assert_non_null(attr(e, "id"));
    assert_non_null(attr(e, "first_name"));
    assert_non_null(attr(e, "dynamic_24407"));
    json_decref(e);
}

static void test_whitelist(void **state)
{
    struct gen_person p;
    struct sbuf b;

    (void)state;
    gen_person(&cfg, 2, 0, 0, &p);
    sbuf_init(&b);
    personio_render_employee(&cfg, &p, NULL, 0, 1, &b);
    assert_null(strstr(b.data, "\"fix_salary\""));
    assert_null(strstr(b.data, "\"" PERSONIO_DOB_KEY "\""));
    assert_non_null(strstr(b.data, "\"first_name\""));
    sbuf_free(&b);
}

static void test_tokens(void **state)
{
    char tok[96];

    (void)state;
    int limited = -1;

    personio_make_token(42, 0, 1000000, 0, tok, sizeof(tok));
    assert_int_equal(strncmp(tok, "papi-", 5), 0);
    assert_int_equal(personio_check_token(42, 0, 1000000 + 10, tok, &limited), SIM_OK);
    assert_int_equal(limited, 0);
    assert_int_equal(personio_check_token(42, 0, 1000000 + 86400, tok, &limited),
                     SIM_ERR_UNAUTHORIZED);
    assert_int_equal(personio_check_token(42, 1, 1000000, tok, &limited), SIM_ERR_UNAUTHORIZED);
    assert_int_equal(personio_check_token(43, 0, 1000000, tok, &limited), SIM_ERR_UNAUTHORIZED);
    tok[strlen(tok) - 1] ^= 1;
    assert_int_equal(personio_check_token(42, 0, 1000000, tok, &limited), SIM_ERR_UNAUTHORIZED);
    assert_int_equal(personio_check_token(42, 0, 1000000, "papi-", &limited), SIM_ERR_UNAUTHORIZED);
    assert_int_equal(personio_check_token(42, 0, 1000000, NULL, &limited), SIM_ERR_UNAUTHORIZED);
    personio_make_token(42, 0, 1000000, 1, tok, sizeof(tok));
    assert_int_equal(personio_check_token(42, 0, 1000000, tok, &limited), SIM_OK);
    assert_int_equal(limited, 1);
}

static void test_errors(void **state)
{
    struct sim_options opt;
    struct gen_config g = cfg;
    struct state st;
    struct sim_ctx ctx = {&opt, &g, &st, SIM_PERSONIO};
    struct http_req req = {NULL, "GET", "/v1/company/employees", "", 0};
    struct http_resp resp;

    (void)state;
    sim_defaults(&opt);
    state_init(&st);
    http_resp_init(&resp);
    personio_vendor.handle(&ctx, &req, &resp);
    assert_int_equal(resp.status, 401);
    assert_string_equal(resp.body.data, "{\"success\":false,\"error\":{\"code\":401,\"message\":"
                                        "\"Authorization is not provided\"}}");
    http_resp_free(&resp);

    req.method = "POST";
    req.path = "/v1/auth";
    http_resp_init(&resp);
    personio_vendor.handle(&ctx, &req, &resp);
    assert_int_equal(resp.status, 401);
    http_resp_free(&resp);

    req.body = "client_id=sim-client&client_secret=sim-secret";
    req.body_len = strlen(req.body);
    http_resp_init(&resp);
    personio_vendor.handle(&ctx, &req, &resp);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body.data, "\"token\":\"papi-"));
    http_resp_free(&resp);

    http_resp_init(&resp);
    personio_vendor.throttle(&ctx, 429, 0, &resp);
    assert_int_equal(resp.status, 429);
    assert_int_equal(resp.n_headers, 0);
    http_resp_free(&resp);
    state_free(&st);
}

static void test_ids(void **state)
{
    int64_t index;
    char id[32];

    (void)state;
    assert_int_equal(personio_vendor.id_to_index("1001", &index), SIM_OK);
    assert_int_equal(index, 0);
    personio_vendor.index_to_id(41, id, sizeof(id));
    assert_string_equal(id, "1042");
    assert_int_equal(personio_vendor.id_to_index("1000", &index), SIM_ERR_INVALID);
    assert_int_equal(personio_vendor.id_to_index("abc", &index), SIM_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrapper_and_types),
        cmocka_unit_test(test_projection),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_whitelist),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_ids),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
