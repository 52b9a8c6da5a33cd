/* Unit tests for core/jsonx.c: values written back exactly as received. */
#include "core/jsonx.h"

#include "core/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

static void round_trip(const char *text, const char *want)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    struct buf b;

    assert_non_null(v);
    buf_init(&b, 0);
    assert_int_equal(jsonx_dump(v, &b), ERR_OK);
    assert_string_equal(buf_str(&b), want ? want : text);
    buf_free(&b);
    json_decref(v);
}

static void scalars_keep_their_type(void **state)
{
    (void)state;
    round_trip("42", NULL);
    round_trip("-7", NULL);
    round_trip("9007199254740993", NULL); /* beyond a double's integers */
    round_trip("0.1", NULL);
    round_trip("12.5", NULL);
    round_trip("98.8", NULL);
    round_trip("1.0", NULL);
    round_trip("1e+300", NULL);
    round_trip("true", NULL);
    round_trip("false", NULL);
    round_trip("null", NULL);
    round_trip("\"42\"", NULL);
    round_trip("\"\"", NULL);
    round_trip("\"M\\u00fcller \\\"q\\\" \\n\"", "\"M\xc3\xbcller \\\"q\\\" \\n\"");
}

static void containers_keep_order_and_nesting(void **state)
{
    (void)state;
    round_trip("{\"type\":\"Employee\",\"attributes\":{\"id\":{\"value\":1001,\"label\":\"ID\"}}}",
               NULL);
    round_trip("{\"z\":1,\"a\":2,\"m\":[3,\"x\",null,{\"k\":0.5}]}", NULL);
    round_trip("[]", NULL);
    round_trip("{}", NULL);
    round_trip("[ 1 , 2 ]", "[1,2]");
}

static void limits_are_reported(void **state)
{
    json_t *v = json_loads("[\"aaaaaaaaaaaaaaaaaaaaaaaa\"]", 0, NULL);
    struct buf b;

    (void)state;
    buf_init(&b, 8);
    assert_int_equal(jsonx_dump(v, &b), ERR_TOO_LARGE);
    buf_free(&b);
    json_decref(v);
}

static void getters(void **state)
{
    json_t *o = json_pack("{s:s, s:i}", "a", "x", "b", 1);

    (void)state;
    assert_string_equal(jsonx_str(o, "a"), "x");
    assert_null(jsonx_str(o, "b"));
    assert_null(jsonx_str(o, "c"));
    assert_null(jsonx_str(NULL, "a"));
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scalars_keep_their_type),
        cmocka_unit_test(containers_keep_order_and_nesting),
        cmocka_unit_test(limits_are_reported),
        cmocka_unit_test(getters),
    };
    return cmocka_run_group_tests_name("core/jsonx", tests, NULL, NULL);
}
