/* Unit tests for http/response.c: envelopes and the error table. */
#include "http/response.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static json_t *body_json(const struct resp *rs)
{
    json_t *j = json_loads(buf_str(&rs->body), 0, NULL);
    assert_non_null(j);
    return j;
}

static void success_envelope(void **state)
{
    struct resp rs;
    json_t *j;

    (void)state;
    resp_init(&rs);
    resp_success_take(&rs, 201, json_pack("{s:i}", "a", 1));
    assert_int_equal(rs.status, 201);
    assert_string_equal(buf_str(&rs.body), "{\"status\":\"success\",\"data\":{\"a\":1}}");
    resp_success_raw(&rs, 200, "[]", 2);
    j = body_json(&rs);
    assert_true(json_is_array(json_object_get(j, "data")));
    json_decref(j);
    resp_free(&rs);
}

static void error_envelope_has_four_keys(void **state)
{
    struct resp rs;
    json_t *j, *e;

    (void)state;
    resp_init(&rs);
    resp_error(&rs, HE_INPUT_INVALID, "page_size: %d is too big \"x\"", 9000);
    assert_int_equal(rs.status, 400);
    j = body_json(&rs);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "error");
    e = json_object_get(j, "error");
    assert_int_equal(json_object_size(e), 4);
    assert_string_equal(json_string_value(json_object_get(e, "code")), "PLATFORM.INPUT_INVALID");
    assert_true(json_is_string(json_object_get(e, "title")));
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "page_size: 9000 is too big \"x\"");
    assert_true(json_is_null(json_object_get(e, "log_url")));
    json_decref(j);
    resp_free(&rs);
}

static void general_family_only_speaks_platform_codes(void **state)
{
    struct resp rs;

    (void)state;
    resp_init(&rs);
    rs.family = FAMILY_GENERAL;
    resp_error(&rs, HE_MODEL_DISABLED, "x");
    assert_string_equal(rs.error_code, "PLATFORM.UNKNOWN_ERROR");
    rs.family = FAMILY_HRIS;
    resp_error(&rs, HE_MODEL_DISABLED, "x");
    assert_string_equal(rs.error_code, "INTEGRATION.MODEL_DISABLED");
    assert_int_equal(rs.status, 403);
    resp_free(&rs);
}

static void table_is_complete(void **state)
{
    (void)state;
    for (int k = 0; k < HE_COUNT; k++) {
        assert_non_null(resp_error_code((enum http_error)k));
        assert_true(resp_error_status((enum http_error)k) >= 400);
    }
    assert_int_equal(resp_error_status(HE_AUTHENTICATION_INVALID), 401);
    assert_int_equal(resp_error_status(HE_INTEGRATION_NOT_FOUND), 404);
    assert_int_equal(resp_error_status(HE_RATE_LIMIT), 429);
    assert_int_equal(resp_error_status(HE_BODY_TOO_LARGE), 413);
}

static void err_mapping_hides_internals(void **state)
{
    struct resp rs;
    struct err e;

    (void)state;
    resp_init(&rs);
    err_set(&e, ERR_STORE, "disk I/O error on /secret/path");
    resp_from_err(&rs, ERR_STORE, &e);
    assert_int_equal(rs.status, 500);
    assert_null(strstr(buf_str(&rs.body), "/secret/path"));
    err_set(&e, ERR_INVALID, "cursor: malformed");
    resp_from_err(&rs, ERR_INVALID, &e);
    assert_int_equal(rs.status, 400);
    assert_non_null(strstr(buf_str(&rs.body), "cursor: malformed"));
    resp_from_err(&rs, ERR_TOO_LARGE, NULL);
    assert_int_equal(rs.status, 413);
    resp_free(&rs);
}

static void messages_stay_utf8(void **state)
{
    struct resp rs;
    json_t *j;

    (void)state;
    resp_init(&rs);
    /* A stray byte, a cut sequence, an overlong '/', a surrogate, and a
     * character that %.3s cuts in half. */
    resp_error(&rs, HE_INTEGRATION_NOT_FOUND, "a\xff b\xc3 c\xc0\xaf d\xed\xa0\x80 %.3s",
               "x\xc3\xa4\xc3\xa4");
    j = body_json(&rs);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
                        "a\xef\xbf\xbd b\xef\xbf\xbd c\xef\xbf\xbd\xef\xbf\xbd "
                        "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd x\xc3\xa4");
    json_decref(j);
    resp_error(&rs, HE_INPUT_INVALID, "%s", "x\xc3\xa4\xc3");
    j = body_json(&rs);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
                        "x\xc3\xa4\xef\xbf\xbd");
    json_decref(j);
    resp_free(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(success_envelope),
        cmocka_unit_test(error_envelope_has_four_keys),
        cmocka_unit_test(general_family_only_speaks_platform_codes),
        cmocka_unit_test(table_is_complete),
        cmocka_unit_test(err_mapping_hides_internals),
        cmocka_unit_test(messages_stay_utf8),
    };
    return cmocka_run_group_tests_name("http/response", tests, NULL, NULL);
}
