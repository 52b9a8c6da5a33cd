/* Unit tests for connectors/normalize.c. */
#include "connectors/normalize.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static void expect_str(json_t *got, const char *want)
{
    if (!want)
        assert_true(json_is_null(got));
    else
        assert_string_equal(json_string_value(got), want);
    json_decref(got);
}

static void dates_keep_the_calendar_day(void **state)
{
    json_t *v;

    (void)state;
    v = json_string("2021-03-01T00:00:00+01:00"); /* not 2021-02-28 in UTC */
    expect_str(normalize_date(v), "2021-03-01T00:00:00.000Z");
    json_decref(v);
    v = json_string("1990-04-12");
    expect_str(normalize_date(v), "1990-04-12T00:00:00.000Z");
    json_decref(v);
    static const char *const nulls[] = {"",           "0000-00-00", "soon",
                                        "2021-13-01", "2021-02-30", "2021-03-01Tgarbage"};
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
        v = json_string(nulls[i]);
        expect_str(normalize_date(v), NULL);
        json_decref(v);
    }
    expect_str(normalize_date(json_null()), NULL);
}

static void timestamps_go_to_utc(void **state)
{
    json_t *v = json_string("2024-05-02T10:11:12+02:00");

    (void)state;
    expect_str(normalize_timestamp(v), "2024-05-02T08:11:12.000Z");
    json_decref(v);
    v = json_integer(5);
    expect_str(normalize_timestamp(v), NULL);
    json_decref(v);
}

static void numbers_from_strings(void **state)
{
    json_t *v, *n;

    (void)state;
    v = json_string("40");
    n = normalize_number(v);
    assert_true(json_is_integer(n));
    assert_int_equal(json_integer_value(n), 40);
    json_decref(n);
    json_decref(v);
    v = json_string("37.5");
    n = normalize_number(v);
    assert_true(json_is_real(n));
    assert_true(json_real_value(n) == 37.5);
    json_decref(n);
    json_decref(v);
    v = json_real(12.25);
    n = normalize_number(v);
    assert_true(json_real_value(n) == 12.25);
    json_decref(n);
    json_decref(v);
    static const char *const bad[] = {"", "40h", "abc", "nan", "1e999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        v = json_string(bad[i]);
        n = normalize_number(v);
        assert_true(json_is_null(n));
        json_decref(n);
        json_decref(v);
    }
}

static void strings(void **state)
{
    json_t *v = json_string("x");

    (void)state;
    expect_str(normalize_string(v), "x");
    json_decref(v);
    v = json_string("");
    expect_str(normalize_string(v), NULL);
    json_decref(v);
    expect_str(normalize_string(NULL), NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates_keep_the_calendar_day),
        cmocka_unit_test(timestamps_go_to_utc),
        cmocka_unit_test(numbers_from_strings),
        cmocka_unit_test(strings),
    };
    return cmocka_run_group_tests_name("connectors/normalize", tests, NULL, NULL);
}
