/* Unit tests for core/bytecache.c: entries by key, replacement of the least
 * recently used, the size cap, and NULL as "no cache". */
#include "core/bytecache.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void key_of(int n, unsigned char key[BYTECACHE_KEY])
{
    memset(key, 0, BYTECACHE_KEY);
    key[0] = (unsigned char)n;
}

/* What get appends for key n ("" when nothing). */
static int get_text(struct bytecache *c, int n, char *out, size_t len)
{
    unsigned char key[BYTECACHE_KEY];
    struct buf b;
    int found;

    key_of(n, key);
    buf_init(&b, 0);
    buf_append_str(&b, ">"); /* get appends to what is there */
    found = bytecache_get(c, key, &b);
    snprintf(out, len, "%s", buf_str(&b));
    buf_free(&b);
    return found;
}

static void put_text(struct bytecache *c, int n, const char *text)
{
    unsigned char key[BYTECACHE_KEY];

    key_of(n, key);
    bytecache_put(c, key, text, strlen(text));
}

static void keeps_bytes_under_their_key(void **state)
{
    struct bytecache *c = bytecache_new(4, 64);
    char out[128];

    (void)state;
    assert_int_equal(get_text(c, 1, out, sizeof(out)), 0);
    assert_string_equal(out, ">");
    put_text(c, 1, "one");
    put_text(c, 2, "two");
    assert_int_equal(get_text(c, 1, out, sizeof(out)), 1);
    assert_string_equal(out, ">one");
    put_text(c, 1, "uno"); /* the same key again: replaced */
    assert_int_equal(get_text(c, 1, out, sizeof(out)), 1);
    assert_string_equal(out, ">uno");
    assert_int_equal(get_text(c, 2, out, sizeof(out)), 1);
    assert_string_equal(out, ">two");
    put_text(c, 3, "");
    assert_int_equal(get_text(c, 3, out, sizeof(out)), 1);
    assert_string_equal(out, ">");
    bytecache_free(c);
}

static void the_least_recently_used_goes(void **state)
{
    struct bytecache *c = bytecache_new(2, 64);
    char out[128];

    (void)state;
    put_text(c, 1, "one");
    put_text(c, 2, "two");
    assert_int_equal(get_text(c, 1, out, sizeof(out)), 1); /* 2 is now the oldest */
    put_text(c, 3, "three");
    assert_int_equal(get_text(c, 2, out, sizeof(out)), 0);
    assert_int_equal(get_text(c, 1, out, sizeof(out)), 1);
    assert_int_equal(get_text(c, 3, out, sizeof(out)), 1);
    assert_string_equal(out, ">three");
    bytecache_free(c);
}

static void large_entries_and_no_cache(void **state)
{
    struct bytecache *c = bytecache_new(2, 4);
    char out[128];

    (void)state;
    put_text(c, 1, "abcd");
    put_text(c, 2, "abcde"); /* over the cap: not kept */
    assert_int_equal(get_text(c, 1, out, sizeof(out)), 1);
    assert_int_equal(get_text(c, 2, out, sizeof(out)), 0);
    bytecache_free(c);
    put_text(NULL, 1, "x");
    assert_int_equal(get_text(NULL, 1, out, sizeof(out)), 0);
    bytecache_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keeps_bytes_under_their_key),
        cmocka_unit_test(the_least_recently_used_goes),
        cmocka_unit_test(large_entries_and_no_cache),
    };
    return cmocka_run_group_tests_name("core/bytecache", tests, NULL, NULL);
}
