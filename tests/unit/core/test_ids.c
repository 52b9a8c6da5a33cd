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

/* Base58 by one division by 58 per digit: what ids_base58 must equal. */
static int reference_base58(const unsigned char *bytes, size_t len, size_t width, char *out)
{
    static const char abc[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    unsigned char num[64];
    char tmp[96];
    size_t n = 0;

    memcpy(num, bytes, len);
    for (;;) {
        unsigned rem = 0;
        int nonzero = 0;
        for (size_t i = 0; i < len; i++) {
            unsigned cur = rem * 256 + num[i];
            num[i] = (unsigned char)(cur / 58);
            rem = cur % 58;
            nonzero |= num[i];
        }
        tmp[n++] = abc[rem];
        if (!nonzero)
            break;
    }
    while (n < width)
        tmp[n++] = abc[0];
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return (int)n;
}

/* Every id ever made must stay the same: the word-wise division gives what
 * the digit-wise one gives, for all lengths, widths and byte patterns. */
static void base58_equals_the_reference(void **state)
{
    unsigned char b[48];
    char want[96], got[96];

    (void)state;
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)randombytes_uniform(sizeof(b) + 1), width = randombytes_uniform(40);
        randombytes_buf(b, len);
        /* Runs of zero and 0xff bytes, at either end. */
        if (round % 4 == 1 && len)
            memset(b, 0, randombytes_uniform((uint32_t)len) + 1);
        if (round % 4 == 2 && len)
            memset(b + len / 2, 0xff, len - len / 2);
        assert_int_equal(ids_base58(b, len, width, got, sizeof(got)),
                         reference_base58(b, len, width, want));
        assert_string_equal(got, want);
    }
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
        cmocka_unit_test(base58_equals_the_reference),
        cmocka_unit_test(validity),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests_name("core/ids", tests, NULL, NULL);
}
