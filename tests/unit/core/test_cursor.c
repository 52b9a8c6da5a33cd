/* Unit tests for core/cursor.c: opaque, bound and tamper-evident cursors. */
#include "core/cursor.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static struct secret_master m;

static int setup(void **state)
{
    (void)state;
    if (secret_init() != ERR_OK)
        return -1;
    return secret_master_from_hex(
        &m, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
}

static void round_trip(void **state)
{
    char c[CURSOR_MAX], last[CURSOR_KEY_MAX];
    struct err e;

    (void)state;
    assert_int_equal(cursor_encode(&m, "hris_employees", "personio:abc", "2xYz", c), ERR_OK);
    assert_null(strchr(c, '+'));
    assert_null(strchr(c, '/'));
    assert_null(strstr(c, "2xYz")); /* opaque enough not to show the key in clear */
    assert_int_equal(cursor_decode(&m, "hris_employees", "personio:abc", c, last, &e), ERR_OK);
    assert_string_equal(last, "2xYz");
}

static void other_list_or_key_is_refused(void **state)
{
    struct secret_master other;
    char c[CURSOR_MAX], last[CURSOR_KEY_MAX];
    struct err e;

    (void)state;
    assert_int_equal(cursor_encode(&m, "hris_employees", "personio:abc", "id1", c), ERR_OK);
    assert_int_equal(cursor_decode(&m, "hris_employees", "personio:xyz", c, last, &e), ERR_INVALID);
    assert_string_equal(e.msg, "cursor: it belongs to another list");
    assert_int_equal(cursor_decode(&m, "integration-fields", "personio:abc", c, last, &e),
                     ERR_INVALID);
    secret_master_from_hex(&other,
                           "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    assert_int_equal(cursor_decode(&other, "hris_employees", "personio:abc", c, last, &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, "cursor: not a cursor this server issued");
}

static void tampering_is_detected(void **state)
{
    char c[CURSOR_MAX], last[CURSOR_KEY_MAX];
    struct err e;

    (void)state;
    assert_int_equal(cursor_encode(&m, "k", "i", "last-key", c), ERR_OK);
    for (size_t i = 0; i < strlen(c); i++) {
        char saved = c[i];
        if (c[i] == '.')
            continue;
        c[i] = c[i] == 'A' ? 'B' : 'A';
        assert_int_equal(cursor_decode(&m, "k", "i", c, last, &e), ERR_INVALID);
        c[i] = saved;
    }
    static const char *const junk[] = {"", ".", "abc", "abc.def", "....", "a.b.c", "%%%.###"};
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
        assert_int_equal(cursor_decode(&m, "k", "i", junk[i], last, &e), ERR_INVALID);
    assert_int_equal(cursor_decode(&m, "k", "i", NULL, last, &e), ERR_INVALID);
}

static void oversized_positions_are_refused(void **state)
{
    char c[CURSOR_MAX], big[300];

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(cursor_encode(&m, "k", "i", big, c), ERR_TOO_LARGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(other_list_or_key_is_refused),
        cmocka_unit_test(tampering_is_detected),
        cmocka_unit_test(oversized_positions_are_refused),
    };
    return cmocka_run_group_tests_name("core/cursor", tests, setup, NULL);
}
