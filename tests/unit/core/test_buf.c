/* Unit tests for core/buf.c. */
#include "core/buf.h"

#include "core/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void append_grows_and_terminates(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 0);
    assert_string_equal(buf_str(&b), "");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_append_str(&b, "abc"), ERR_OK);
    assert_int_equal(b.len, 3000);
    assert_int_equal(b.data[3000], '\0');
    assert_int_equal(buf_printf(&b, "%d-%s", 42, "x"), ERR_OK);
    assert_string_equal(buf_str(&b) + 3000, "42-x");
    buf_free(&b);
}

static void limit_is_hard_and_leaves_buffer_intact(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 8);
    assert_int_equal(buf_append_str(&b, "12345"), ERR_OK);
    assert_int_equal(buf_append_str(&b, "6789"), ERR_TOO_LARGE);
    assert_string_equal(buf_str(&b), "12345");
    assert_int_equal(buf_append_str(&b, "678"), ERR_OK);
    assert_int_equal(buf_append_char(&b, 'x'), ERR_TOO_LARGE);
    assert_int_equal(buf_printf(&b, "%s", "y"), ERR_TOO_LARGE);
    assert_int_equal(b.len, 8);
    buf_free(&b);
}

static void json_string_escapes(void **state)
{
    struct buf b;
    const char in[] = "a\"b\\c\nd\x01\x1f"
                      "é";

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(buf_append_json_string(&b, in, strlen(in)), ERR_OK);
    assert_string_equal(buf_str(&b), "\"a\\\"b\\\\c\\nd\\u0001\\u001f\xc3\xa9\"");
    buf_free(&b);
}

static void take_hands_over_and_resets(void **state)
{
    struct buf b;
    char *s;

    (void)state;
    buf_init(&b, 0);
    s = buf_take(&b);
    assert_string_equal(s, "");
    free(s);
    buf_append_str(&b, "hello");
    s = buf_take(&b);
    assert_string_equal(s, "hello");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(s);
    buf_reset(&b);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(append_grows_and_terminates),
        cmocka_unit_test(limit_is_hard_and_leaves_buffer_intact),
        cmocka_unit_test(json_string_escapes),
        cmocka_unit_test(take_hands_over_and_resets),
    };
    return cmocka_run_group_tests_name("core/buf", tests, NULL, NULL);
}
