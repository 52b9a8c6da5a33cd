/* Unit tests for core/ids.c. */
#include "core/ids.h"

#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static void random_ids_are_valid_and_distinct(void **state)
{
    char a[IDS_LEN + 1], b[IDS_LEN + 1];

    (void)state;
    for (int i = 0; i < 1000; i++) {
        ids_random(a);
        ids_random(b);
        assert_int_equal(strlen(a), IDS_LEN);
        assert_true(ids_valid(a));
        assert_string_not_equal(a, b);
    }
}

static void derived_ids_are_stable_and_separated(void **state)
{
    const char *p1[] = {"personio:abc", "hris_employees", "DEFAULT", "first_name"};
    const char *p2[] = {"personio:abc", "hris_employees", "DEFAULT", "last_name"};
    /* Length prefixes keep ("ab","c") apart from ("a","bc"). */
    const char *s1[] = {"ab", "c"};
    const char *s2[] = {"a", "bc"};
    char x[IDS_LEN + 1], y[IDS_LEN + 1];

    (void)state;
    ids_derive(x, p1, 4);
    ids_derive(y, p1, 4);
    assert_string_equal(x, y);
    assert_true(ids_valid(x));
    ids_derive(y, p2, 4);
    assert_string_not_equal(x, y);
    ids_derive(x, s1, 2);
    ids_derive(y, s2, 2);
    assert_string_not_equal(x, y);
    /* Pinned: ids must survive releases and databases. */
    ids_derive(x, p1, 4);
    assert_string_equal(x, "1FWEehpQty7PoX4o5csyEu2g");
}

static void base58_known_vectors(void **state)
{
    char out[64];
    const unsigned char hello[] = "Hello World!";
    const unsigned char zero[4] = {0};

    (void)state;
    assert_int_equal(ids_base58(hello, 12, 0, out, sizeof(out)), 17);
    assert_string_equal(out, "2NEpo7TZRRrLZSi2U");
    assert_int_equal(ids_base58(zero, 4, 5, out, sizeof(out)), 5);
    assert_string_equal(out, "11111");
    assert_int_equal(ids_base58(hello, 12, 0, out, 4), -1);
}

static void validity(void **state)
{
    (void)state;
    assert_false(ids_valid(""));
    assert_false(ids_valid("0OIl0OIl0OIl0OIl0OIl0OIl")); /* not base58 */
    assert_false(ids_valid("abc"));
    assert_false(ids_valid("123456789ABCDEFGHJKLMNPQR")); /* 25 chars */
    assert_true(ids_valid("123456789ABCDEFGHJKLMNPQ"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_ids_are_valid_and_distinct),
        cmocka_unit_test(derived_ids_are_stable_and_separated),
        cmocka_unit_test(base58_known_vectors),
        cmocka_unit_test(validity),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests_name("core/ids", tests, NULL, NULL);
}
