/* Unit tests for http/ratelimit.c: token buckets per key, bounded table. */
#include "http/ratelimit.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

static int allow(struct ratelimit *rl, const char *id, int64_t now, int *retry)
{
    return ratelimit_allow(rl, id, strlen(id), now, retry);
}

static void burst_then_rate(void **state)
{
    struct ratelimit *rl = ratelimit_new(2, 5, 0); /* 2 per second, bursts of 5 */
    int retry = 0;

    (void)state;
    for (int i = 0; i < 5; i++)
        assert_true(allow(rl, "key-a", 1000, &retry));
    assert_false(allow(rl, "key-a", 1000, &retry));
    assert_int_equal(retry, 1); /* one token comes back in 500 ms: "1" second */
    /* Half a second later one token is back, and only one. */
    assert_true(allow(rl, "key-a", 1500, &retry));
    assert_false(allow(rl, "key-a", 1500, &retry));
    /* A long pause refills to the burst, never beyond it. */
    for (int i = 0; i < 5; i++)
        assert_true(allow(rl, "key-a", 1000000, &retry));
    assert_false(allow(rl, "key-a", 1000000, &retry));
    ratelimit_destroy(rl);
}

static void keys_are_independent(void **state)
{
    struct ratelimit *rl = ratelimit_new(1, 2, 0);
    int retry = 0;

    (void)state;
    assert_true(allow(rl, "key-a", 0, &retry));
    assert_true(allow(rl, "key-a", 0, &retry));
    assert_false(allow(rl, "key-a", 0, &retry));
    /* Another key has its own bucket. */
    assert_true(allow(rl, "key-b", 0, &retry));
    assert_true(allow(rl, "key-b", 0, &retry));
    assert_false(allow(rl, "key-b", 0, &retry));
    ratelimit_destroy(rl);
}

static void retry_after_is_whole_seconds(void **state)
{
    struct ratelimit *rl = ratelimit_new(1, 1, 0); /* one a second */
    struct ratelimit *slow = NULL;
    int retry = 0;

    (void)state;
    assert_true(allow(rl, "k", 10000, &retry));
    assert_false(allow(rl, "k", 10000, &retry));
    assert_int_equal(retry, 1);
    assert_false(allow(rl, "k", 10999, &retry)); /* 1 ms short */
    assert_int_equal(retry, 1);
    assert_true(allow(rl, "k", 11000, &retry));
    ratelimit_destroy(rl);
    /* A slower rate asks for a longer wait, rounded up. */
    slow = ratelimit_new(1, 3, 0);
    for (int i = 0; i < 3; i++)
        assert_true(allow(slow, "k", 0, &retry));
    assert_false(allow(slow, "k", 0, &retry));
    assert_int_equal(retry, 1);
    ratelimit_destroy(slow);
}

static void a_clock_going_back_takes_nothing(void **state)
{
    struct ratelimit *rl = ratelimit_new(1, 1, 0);
    int retry = 0;

    (void)state;
    assert_true(allow(rl, "k", 5000, &retry));
    assert_false(allow(rl, "k", 4000, &retry));
    assert_false(allow(rl, "k", 5000, &retry));
    assert_true(allow(rl, "k", 6000, &retry));
    ratelimit_destroy(rl);
}

static void memory_is_bounded(void **state)
{
    /* 16 slots; a thousand keys come and go. */
    struct ratelimit *rl = ratelimit_new(1, 1, 16);
    char id[32];
    int retry = 0;

    (void)state;
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof(id), "key-%d", i);
        assert_true(allow(rl, id, 0, &retry)); /* a new key always starts full */
    }
    /* A key used just now and over its limit stays over it while the
     * others that crowd in are full buckets it is not traded for. */
    assert_true(allow(rl, "busy", 100000, &retry));
    assert_false(allow(rl, "busy", 100000, &retry));
    for (int i = 0; i < 8; i++) {
        snprintf(id, sizeof(id), "other-%d", i);
        assert_true(allow(rl, id, 100000, &retry));
    }
    assert_false(allow(rl, "busy", 100000, &retry));
    ratelimit_destroy(rl);
}

static void no_limiter_allows_all(void **state)
{
    int retry = 0;

    (void)state;
    for (int i = 0; i < 100; i++)
        assert_true(ratelimit_allow(NULL, "k", 1, 0, &retry));
    ratelimit_destroy(NULL);
}

struct flood {
    struct ratelimit *rl;
    int allowed;
};

static void *flood(void *arg)
{
    struct flood *f = arg;

    for (int i = 0; i < 1000; i++)
        f->allowed += ratelimit_allow(f->rl, "shared", 6, 0, &(int){0});
    return NULL;
}

static void threads_share_one_bucket(void **state)
{
    struct ratelimit *rl = ratelimit_new(1, 100, 0);
    struct flood f[4];
    pthread_t t[4];
    int total = 0;

    (void)state;
    for (int i = 0; i < 4; i++) {
        f[i].rl = rl;
        f[i].allowed = 0;
        pthread_create(&t[i], NULL, flood, &f[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        total += f[i].allowed;
    }
    assert_int_equal(total, 100); /* exactly the burst, however the threads interleave */
    ratelimit_destroy(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(burst_then_rate),
        cmocka_unit_test(keys_are_independent),
        cmocka_unit_test(retry_after_is_whole_seconds),
        cmocka_unit_test(a_clock_going_back_takes_nothing),
        cmocka_unit_test(memory_is_bounded),
        cmocka_unit_test(no_limiter_allows_all),
        cmocka_unit_test(threads_share_one_bucket),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests_name("http/ratelimit", tests, NULL, NULL);
}
