/*
 * Unit tests for sim/sbuf.c: growth, JSON and XML escaping, numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "sbuf.h"

static void test_growth(void **state)
{
    struct sbuf b;

    (void)state;
    sbuf_init(&b);
    for (int i = 0; i < 10000; i++)
        sbuf_adds(&b, "abc");
    assert_int_equal(b.len, 30000);
    assert_int_equal(strlen(b.data), 30000);
    sbuf_reset(&b);
    assert_int_equal(b.len, 0);
    sbuf_printf(&b, "%d-%s", 42, "x");
    assert_string_equal(b.data, "42-x");
    sbuf_free(&b);
    sbuf_free(&b);
    sbuf_free(NULL);
}

static void test_json_escaping_roundtrips(void **state)
{
    static const char *const samples[] = {
        "plain",
        "quote \" and \\ backslash",
        "line\nbreak\ttab\r",
        "\x01\x1f control",
        "Müller 🚀",
        "",
        "</script>",
    };
    struct sbuf b;
    json_error_t err;

    (void)state;
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        json_t *v;

        sbuf_init(&b);
        sbuf_add_jstr(&b, samples[i]);
        v = json_loads(b.data, JSON_DECODE_ANY, &err);
        assert_non_null(v);
        assert_string_equal(json_string_value(v), samples[i]);
        json_decref(v);
        sbuf_free(&b);
    }
    sbuf_init(&b);
    sbuf_add_jstr(&b, NULL);
    assert_string_equal(b.data, "null");
    sbuf_free(&b);
}

static void test_numbers(void **state)
{
    struct sbuf b;

    (void)state;
    sbuf_init(&b);
    sbuf_add_i64(&b, 0);
    sbuf_addc(&b, ' ');
    sbuf_add_i64(&b, -9223372036854775807LL - 1);
    sbuf_addc(&b, ' ');
    sbuf_add_centi(&b, 1250);
    sbuf_addc(&b, ' ');
    sbuf_add_centi(&b, 1200);
    sbuf_addc(&b, ' ');
    sbuf_add_centi(&b, 1234);
    sbuf_addc(&b, ' ');
    sbuf_add_centi(&b, -5);
    assert_string_equal(b.data, "0 -9223372036854775808 12.5 12 12.34 -0.05");
    sbuf_free(&b);
}

static void test_xml(void **state)
{
    struct sbuf b;
    size_t len;
    char *s;

    (void)state;
    sbuf_init(&b);
    sbuf_add_xml(&b, "<a href=\"x\">O'Brien & co</a>");
    s = sbuf_take(&b, &len);
    assert_string_equal(s, "&lt;a href=&quot;x&quot;&gt;O&apos;Brien &amp; co&lt;/a&gt;");
    assert_int_equal(len, strlen(s));
    free(s);
    s = sbuf_take(&b, &len);
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_json_escaping_roundtrips),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_xml),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
