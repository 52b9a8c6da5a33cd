/* Unit tests for core/isotime.c. */
#include "core/isotime.h"

#include "core/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

static void formats_with_milliseconds(void **state)
{
    char out[ISOTIME_LEN];

    (void)state;
    isotime_format(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    isotime_format(1714521600000LL, out);
    assert_string_equal(out, "2024-05-01T00:00:00.000Z");
    isotime_format(951782400123LL, out); /* leap day 2000 */
    assert_string_equal(out, "2000-02-29T00:00:00.123Z");
    isotime_format(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
}

static void parses_dates_datetimes_and_offsets(void **state)
{
    int64_t ms = 0;

    (void)state;
    assert_int_equal(isotime_parse("2024-05-01", &ms), ERR_OK);
    assert_int_equal(ms, 1714521600000LL);
    assert_int_equal(isotime_parse("2024-05-01T00:00:00.000Z", &ms), ERR_OK);
    assert_int_equal(ms, 1714521600000LL);
    assert_int_equal(isotime_parse("2024-05-01T02:00:00+02:00", &ms), ERR_OK);
    assert_int_equal(ms, 1714521600000LL);
    assert_int_equal(isotime_parse("2024-04-30T19:00:00-0500", &ms), ERR_OK);
    assert_int_equal(ms, 1714521600000LL);
    assert_int_equal(isotime_parse("2022-12-24T08:15:30", &ms), ERR_OK);
    assert_int_equal(isotime_parse("2024-05-01T00:00:00.5Z", &ms), ERR_OK);
    assert_int_equal(ms, 1714521600500LL);
}

static void rejects_malformed(void **state)
{
    static const char *const bad[] = {
        "",
        "2024",
        "2024-13-01",
        "2023-02-29",
        "2024-05-01T",
        "2024-05-01T25:00",
        "2024-05-01Z0",
        "2024-05-01T00:00:00.Z",
        "24-05-01",
        "2024-05-01T00:00:00+2",
        "x",
    };
    int64_t ms = 7;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(isotime_parse(bad[i], &ms), ERR_INVALID);
    assert_int_equal(ms, 7); /* untouched on error */
}

static void round_trips(void **state)
{
    char out[ISOTIME_LEN];
    int64_t back = 0;

    (void)state;
    for (int64_t ms = -86400000LL * 400; ms < 86400000LL * 365 * 60;
         ms += 86400000LL * 37 + 12345) {
        isotime_format(ms, out);
        assert_int_equal(isotime_parse(out, &back), ERR_OK);
        assert_int_equal(back, ms);
    }
}

/* An offset that moves the instant out of 0000-9999 is refused: it used to
 * become 1970-01-01 when written back (fuzz/regressions/query/). */
static void refuses_instants_it_cannot_write(void **state)
{
    char out[ISOTIME_LEN];
    int64_t ms = 7;

    (void)state;
    assert_int_equal(isotime_parse("0000-01-01T00:00:00+01:00", &ms), ERR_INVALID);
    assert_int_equal(isotime_parse("9999-12-31T23:30:00-01:00", &ms), ERR_INVALID);
    assert_int_equal(ms, 7);
    assert_int_equal(isotime_parse("0000-01-01T00:00:00Z", &ms), ERR_OK);
    isotime_format(ms, out);
    assert_string_equal(out, "0000-01-01T00:00:00.000Z");
    assert_int_equal(isotime_parse("9999-12-31T23:59:59.999Z", &ms), ERR_OK);
    isotime_format(ms, out);
    assert_string_equal(out, "9999-12-31T23:59:59.999Z");
    assert_int_equal(isotime_parse("0000-01-01T00:30:00-01:00", &ms), ERR_OK);
}

/* A deadline for pthread_cond_timedwait: ms later, nanoseconds normalised. */
static void wall_after_is_a_normalised_deadline(void **state)
{
    (void)state;
    for (int64_t ms = 0; ms < 3000; ms += 137) {
        int64_t before = isotime_now_ms();
        struct timespec ts = isotime_wall_after(ms);
        int64_t at = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;

        assert_true(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L);
        assert_true(at >= before + ms);
        assert_true(at <= isotime_now_ms() + ms);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wall_after_is_a_normalised_deadline),
        cmocka_unit_test(formats_with_milliseconds),
        cmocka_unit_test(parses_dates_datetimes_and_offsets),
        cmocka_unit_test(rejects_malformed),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(refuses_instants_it_cannot_write),
    };
    return cmocka_run_group_tests_name("core/isotime", tests, NULL, NULL);
}
