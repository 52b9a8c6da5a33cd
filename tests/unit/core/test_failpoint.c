/* Unit tests for core/failpoint.c: the spec parser and the counters. */
#include "core/failpoint.h"

#include "core/err.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static void parses_entries_and_counts_passes(void **state)
{
    (void)state;
    assert_int_equal(failpoint_configure("store.commit=3:error,fetch.page=2,x.y=1:abort"), ERR_OK);
    assert_int_equal(failpoint_count("store.commit"), 0);
    assert_int_equal(failpoint_count("fetch.page"), 0);
    assert_int_equal(failpoint_count("x.y"), 0);
    assert_int_equal(failpoint_count("nothing"), -1);
    /* Only the Nth pass fails; those before and after go through. */
    assert_int_equal(failpoint_hit("store.commit"), 0);
    assert_int_equal(failpoint_hit("store.commit"), 0);
    assert_int_equal(failpoint_hit("store.commit"), 1);
    assert_int_equal(failpoint_hit("store.commit"), 0);
    assert_int_equal(failpoint_count("store.commit"), 4);
    /* The action defaults to error. */
    assert_int_equal(failpoint_hit("fetch.page"), 0);
    assert_int_equal(failpoint_hit("fetch.page"), 1);
    /* Points that are not armed never fail and are not counted. */
    assert_int_equal(failpoint_hit("store.stage"), 0);
    assert_int_equal(failpoint_count("store.stage"), -1);
}

static void reconfiguring_resets_counters(void **state)
{
    (void)state;
    assert_int_equal(failpoint_configure("a=1"), ERR_OK);
    assert_int_equal(failpoint_hit("a"), 1);
    assert_int_equal(failpoint_configure("a=1"), ERR_OK);
    assert_int_equal(failpoint_count("a"), 0);
    assert_int_equal(failpoint_hit("a"), 1);
    /* Empty entries are skipped; NULL and "" arm nothing. */
    assert_int_equal(failpoint_configure(",b=2,,"), ERR_OK);
    assert_int_equal(failpoint_count("a"), -1);
    assert_int_equal(failpoint_count("b"), 0);
    assert_int_equal(failpoint_configure(NULL), ERR_OK);
    assert_int_equal(failpoint_count("b"), -1);
    assert_int_equal(failpoint_configure(""), ERR_OK);
}

static void refuses_malformed_specs(void **state)
{
    static const char *const bad[] = {
        "store.commit",
        "store.commit=",
        "=3",
        "store.commit=0",
        "store.commit=-1",
        "store.commit=x",
        "a=1:explode",
        "a=1:",
        "a=1x",
        "a=99999999999999999999999",
        "a-name-longer-than-sixty-three-bytes-is-refused-because-no-point-has-one=1",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(failpoint_configure("ok=1"), ERR_OK);
        if (failpoint_configure(bad[i]) != ERR_INVALID)
            fail_msg("accepted %s", bad[i]);
        /* Nothing stays armed after a refusal. */
        assert_int_equal(failpoint_count("ok"), -1);
    }
}

static void refuses_too_many_entries(void **state)
{
    char spec[FAILPOINT_MAX * 16 + 16];
    size_t len = 0;

    (void)state;
    for (int i = 0; i <= FAILPOINT_MAX; i++)
        len += (size_t)snprintf(spec + len, sizeof(spec) - len, "p%d=1,", i);
    assert_int_equal(failpoint_configure(spec), ERR_INVALID);
}

#define THREADS 8
#define PASSES  10000

static int fired;

static void *pass_many(void *ud)
{
    (void)ud;
    for (int i = 0; i < PASSES; i++) {
        if (failpoint_hit("busy"))
            __atomic_fetch_add(&fired, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

static void exactly_one_concurrent_pass_fails(void **state)
{
    pthread_t t[THREADS];

    (void)state;
    fired = 0;
    assert_int_equal(failpoint_configure("busy=12345"), ERR_OK);
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, pass_many, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(fired, 1);
    assert_int_equal(failpoint_count("busy"), THREADS * PASSES);
}

static void abort_ends_the_process(void **state)
{
    int status = 0;
    pid_t pid;

    (void)state;
    assert_int_equal(failpoint_configure("die=2:abort"), ERR_OK);
    pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        failpoint_hit("die");
        failpoint_hit("die");
        _exit(0); /* not reached */
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void the_macro_follows_the_build(void **state)
{
    (void)state;
    assert_int_equal(failpoint_configure("m=1"), ERR_OK);
#ifdef HB_FAILPOINTS
    assert_int_equal(FAILPOINT("m"), 1);
#else
    assert_int_equal(FAILPOINT("m"), 0);
    assert_int_equal(failpoint_count("m"), 0);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_entries_and_counts_passes),
        cmocka_unit_test(reconfiguring_resets_counters),
        cmocka_unit_test(refuses_malformed_specs),
        cmocka_unit_test(refuses_too_many_entries),
        cmocka_unit_test(exactly_one_concurrent_pass_fails),
        cmocka_unit_test(abort_ends_the_process),
        cmocka_unit_test(the_macro_follows_the_build),
    };

    unsetenv("HRBRIDGE_FAILPOINTS");
    return cmocka_run_group_tests_name("failpoint", tests, NULL, NULL);
}
