/* Unit tests for http/request.c: URI splitting, decoding, query and bodies. */
#include "http/request.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int parse(struct req *r, const char *uri, struct err *e)
{
    memset(r, 0, sizeof(*r));
    buf_init(&r->body, 1024);
    r->raw_uri = strdup(uri);
    err_init(e);
    return req_parse_uri(r, e);
}

static void pct_decode_rules(void **state)
{
    char *out = NULL;

    (void)state;
    assert_int_equal(req_pct_decode("a%3Ab%2fc", 9, 0, &out), ERR_OK);
    assert_string_equal(out, "a:b/c");
    free(out);
    assert_int_equal(req_pct_decode("a+b", 3, 1, &out), ERR_OK);
    assert_string_equal(out, "a b");
    free(out);
    assert_int_equal(req_pct_decode("a+b", 3, 0, &out), ERR_OK);
    assert_string_equal(out, "a+b");
    free(out);
    assert_int_equal(req_pct_decode("%", 1, 0, &out), ERR_INVALID);
    assert_int_equal(req_pct_decode("%4", 2, 0, &out), ERR_INVALID);
    assert_int_equal(req_pct_decode("%zz", 3, 0, &out), ERR_INVALID);
    assert_int_equal(req_pct_decode("%00", 3, 0, &out), ERR_INVALID);
    /* Only n bytes are read. */
    assert_int_equal(req_pct_decode("ab%41", 2, 0, &out), ERR_OK);
    assert_string_equal(out, "ab");
    free(out);
}

static void splits_path_before_decoding(void **state)
{
    struct req r;
    struct err e;

    (void)state;
    assert_int_equal(parse(&r, "/v1/integrations/personio%3Aabc%2Fx/enabled?x=1", &e), ERR_OK);
    assert_int_equal(r.nsegments, 4);
    assert_string_equal(r.segments[0], "v1");
    assert_string_equal(r.segments[2], "personio:abc/x");
    assert_string_equal(r.segments[3], "enabled");
    assert_string_equal(r.path, "/v1/integrations/personio%3Aabc%2Fx/enabled");
    req_free(&r);
}

static void query_is_decoded(void **state)
{
    struct req r;
    struct err e;

    (void)state;
    assert_int_equal(parse(&r, "/x?custom_fields=%7B%22k%22%3A1%7D&name=a+b&flag&empty=", &e),
                     ERR_OK);
    assert_string_equal(req_query_get(&r, "custom_fields"), "{\"k\":1}");
    assert_string_equal(req_query_get(&r, "name"), "a b");
    assert_string_equal(req_query_get(&r, "flag"), "");
    assert_string_equal(req_query_get(&r, "empty"), "");
    assert_null(req_query_get(&r, "missing"));
    req_free(&r);
}

static void bad_uris_are_rejected(void **state)
{
    struct req r;
    struct err e;
    char *longuri = malloc(REQ_MAX_URI + 10);

    (void)state;
    assert_int_equal(parse(&r, "/a?x=1&x=2", &e), ERR_INVALID);
    assert_string_equal(e.msg, "query parameter x is given more than once");
    req_free(&r);
    assert_int_equal(parse(&r, "/a%zz", &e), ERR_INVALID);
    req_free(&r);
    assert_int_equal(parse(&r, "/a?k=%GG", &e), ERR_INVALID);
    req_free(&r);
    assert_int_equal(parse(&r, "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17", &e), ERR_TOO_LARGE);
    req_free(&r);
    memset(longuri, 'a', REQ_MAX_URI + 5);
    longuri[0] = '/';
    longuri[REQ_MAX_URI + 5] = '\0';
    assert_int_equal(parse(&r, longuri, &e), ERR_TOO_LARGE);
    req_free(&r);
    free(longuri);
}

static void configured_limits_apply(void **state)
{
    struct req r;
    struct err e;

    (void)state;
    /* Defaults: 64 query parameters. */
    {
        char uri[1024] = "/a?";
        for (int i = 0; i < REQ_MAX_QUERY + 1; i++)
            snprintf(uri + strlen(uri), sizeof(uri) - strlen(uri), "%sp%d=1", i ? "&" : "", i);
        assert_int_equal(parse(&r, uri, &e), ERR_TOO_LARGE);
        assert_string_equal(e.msg, "more than 64 query parameters");
        req_free(&r);
    }
    /* Configured: 3 parameters, a 20-byte URL, 2 filter values. */
    memset(&r, 0, sizeof(r));
    r.limits.max_query = 3;
    r.raw_uri = strdup("/a?p=1&q=2&r=3&s=4");
    err_init(&e);
    assert_int_equal(req_parse_uri(&r, &e), ERR_TOO_LARGE);
    assert_string_equal(e.msg, "more than 3 query parameters");
    req_free(&r);
    r.limits.max_query = 3;
    r.raw_uri = strdup("/a?p=1&q=2&r=3");
    assert_int_equal(req_parse_uri(&r, &e), ERR_OK);
    assert_string_equal(req_query_get(&r, "r"), "3");
    req_free(&r);
    r.limits.max_uri = 20;
    r.limits.max_filter_values = 2;
    r.raw_uri = strdup("/abcdefghijklmnopqrstuvwxyz");
    assert_int_equal(req_parse_uri(&r, &e), ERR_TOO_LARGE);
    assert_string_equal(e.msg, "URL longer than 20 bytes");
    assert_int_equal(req_max_uri(&r), 20);
    assert_int_equal(req_max_filter_values(&r), 2);
    req_free(&r);
    assert_int_equal(req_max_uri(&r), REQ_MAX_URI);
    assert_int_equal(req_max_filter_values(&r), REQ_MAX_FILTER);
}

static void json_bodies(void **state)
{
    struct req r;
    struct err e;
    json_t *j = NULL;

    (void)state;
    parse(&r, "/", &e);
    assert_int_equal(req_json_object(&r, 1, &j, &e), ERR_OK); /* empty is {} when allowed */
    assert_true(json_is_object(j) && json_object_size(j) == 0);
    json_decref(j);
    assert_int_equal(req_json_object(&r, 0, &j, &e), ERR_INVALID);
    buf_append_str(&r.body, " {\"a\":1} ");
    assert_int_equal(req_json_object(&r, 0, &j, &e), ERR_OK);
    assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
    json_decref(j);
    buf_reset(&r.body);
    buf_append_str(&r.body, "{\"a\":1,\"a\":2}");
    assert_int_equal(req_json_object(&r, 0, &j, &e), ERR_INVALID);
    buf_reset(&r.body);
    buf_append_str(&r.body, "[1]");
    assert_int_equal(req_json_object(&r, 0, &j, &e), ERR_INVALID);
    assert_string_equal(e.msg, "request body: expected a JSON object");
    req_free(&r);
}

static void utf8_rules(void **state)
{
    struct req r;
    struct err e;

    (void)state;
    assert_true(req_utf8_valid(""));
    assert_true(req_utf8_valid("plain ascii"));
    assert_true(req_utf8_valid("Z\xc3\xbc M\xc3\xbcller \xe2\x82\xac \xf0\x9f\x98\x80"));
    assert_true(req_utf8_valid("\xf4\x8f\xbf\xbf")); /* U+10FFFF */
    assert_false(req_utf8_valid("\xff"));
    assert_false(req_utf8_valid("\x80"));
    assert_false(req_utf8_valid("a\xc3"));            /* cut short */
    assert_false(req_utf8_valid("\xc0\xaf"));         /* overlong */
    assert_false(req_utf8_valid("\xe0\x80\xaf"));     /* overlong */
    assert_false(req_utf8_valid("\xed\xa0\x80"));     /* surrogate */
    assert_false(req_utf8_valid("\xf4\x90\x80\x80")); /* beyond U+10FFFF */
    assert_false(req_utf8_valid("\xc3\x28"));

    /* Decoded path segments and query parameters must be UTF-8. */
    assert_int_equal(parse(&r, "/v1/integrations/%ff", &e), ERR_INVALID);
    req_free(&r);
    assert_int_equal(parse(&r, "/v1/x/a%c3", &e), ERR_INVALID);
    req_free(&r);
    assert_int_equal(parse(&r, "/v1/x?ids=%ed%a0%80", &e), ERR_INVALID);
    req_free(&r);
    assert_int_equal(parse(&r, "/v1/x?%ff=1", &e), ERR_INVALID);
    req_free(&r);
    assert_int_equal(parse(&r, "/v1/M%C3%BCller?q=%E2%82%AC", &e), ERR_OK);
    assert_string_equal(r.segments[1], "M\xc3\xbcller");
    assert_string_equal(req_query_get(&r, "q"), "\xe2\x82\xac");
    req_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pct_decode_rules),
        cmocka_unit_test(splits_path_before_decoding),
        cmocka_unit_test(query_is_decoded),
        cmocka_unit_test(bad_uris_are_rejected),
        cmocka_unit_test(configured_limits_apply),
        cmocka_unit_test(json_bodies),
        cmocka_unit_test(utf8_rules),
    };
    return cmocka_run_group_tests_name("http/request", tests, NULL, NULL);
}
