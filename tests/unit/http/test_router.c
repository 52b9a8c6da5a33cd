/* Unit tests for http/router.c: matching, 404, 405 and parameters. */
#include "http/router.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

static struct req make(const char *method, const char *uri)
{
    struct req r;
    struct err e;

    memset(&r, 0, sizeof(r));
    buf_init(&r.body, 16);
    snprintf(r.method, sizeof(r.method), "%s", method);
    r.raw_uri = strdup(uri);
    assert_int_equal(req_parse_uri(&r, &e), ERR_OK);
    return r;
}

static void matches_literals_and_parameters(void **state)
{
    struct req r = make("GET", "/v1/integrations/personio%3Aabc/enabled");

    (void)state;
    assert_true(match("/v1/integrations/{}/enabled", &r));
    assert_int_equal(r.nparams, 1);
    assert_string_equal(r.params[0], "personio:abc");
    assert_false(match("/v1/integrations/{}", &r));
    assert_false(match("/v1/integrations/{}/enabled/x", &r));
    req_free(&r);

    r = make("GET", "/v1/check-api-key/");
    assert_true(match("/v1/check-api-key", &r));
    req_free(&r);

    r = make("GET", "/v1/integrations//enabled");
    assert_false(match("/v1/integrations/{}/enabled", &r)); /* empty parameter */
    req_free(&r);
}

static void unknown_route_and_wrong_method(void **state)
{
    struct req r = make("GET", "/v1/nope");
    struct resp rs;

    (void)state;
    resp_init(&rs);
    router_dispatch(&r, &rs);
    assert_int_equal(rs.status, 404);
    req_free(&r);

    r = make("POST", "/v1/check-api-key");
    router_dispatch(&r, &rs);
    assert_int_equal(rs.status, 405);
    assert_string_equal(rs.allow, "GET");
    req_free(&r);

    r = make("PATCH", "/v1/integrations/abc");
    router_dispatch(&r, &rs);
    assert_int_equal(rs.status, 405);
    assert_string_equal(rs.allow, "GET, DELETE");
    req_free(&r);
    resp_free(&rs);
}

static void authenticated_routes_need_a_key(void **state)
{
    struct req r = make("GET", "/v1/check-api-key");
    struct resp rs;

    (void)state;
    resp_init(&rs);
    router_dispatch(&r, &rs); /* no connection, so no Authorization header */
    assert_int_equal(rs.status, 401);
    assert_string_equal(rs.error_code, "PLATFORM.AUTHENTICATION_INVALID");
    req_free(&r);
    resp_free(&rs);
}

static void every_route_is_well_formed(void **state)
{
    (void)state;
    for (const struct route *rt = router_routes; rt->method; rt++) {
        assert_non_null(rt->fn);
        assert_true(rt->pattern[0] == '/');
        assert_true(strcmp(rt->method, "GET") == 0 || strcmp(rt->method, "POST") == 0 ||
                    strcmp(rt->method, "PUT") == 0 || strcmp(rt->method, "PATCH") == 0 ||
                    strcmp(rt->method, "DELETE") == 0);
        /* Everything under /v1 is authenticated. */
        if (strncmp(rt->pattern, "/v1/", 4) == 0)
            assert_true(rt->flags & ROUTE_AUTH);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_literals_and_parameters),
        cmocka_unit_test(unknown_route_and_wrong_method),
        cmocka_unit_test(authenticated_routes_need_a_key),
        cmocka_unit_test(every_route_is_well_formed),
    };
    return cmocka_run_group_tests_name("http/router", tests, NULL, NULL);
}
