/*
 * Unit tests for sim/state.c: the mutation overlay, positions with
 * deletions, faults, throttling and the request log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "simerr.h"
#include "state.h"

static void test_overlay(void **state)
{
    struct state st;
    uint32_t v;
    int64_t mod, first, at;

    (void)state;
    state_init(&st);
    assert_int_equal(state_update(&st, 10, 3, 100), SIM_OK);
    assert_int_equal(state_update(&st, 10, 3, 100), SIM_OK);
    state_rdlock(&st);
    assert_int_equal(state_version_locked(&st, 3, &v, &mod), 1);
    assert_int_equal(v, 2);
    assert_int_equal(mod, 101); /* strictly newer on each bump */
    assert_int_equal(state_version_locked(&st, 4, &v, &mod), 0);
    state_unlock(&st);
    assert_int_equal(state_update(&st, 10, 10, 100), SIM_ERR_NOT_FOUND);
    assert_int_equal(state_delete(&st, 10, 5, 200), SIM_OK);
    assert_int_equal(state_delete(&st, 10, 5, 200), SIM_ERR_NOT_FOUND);
    assert_int_equal(state_update(&st, 10, 5, 200), SIM_ERR_NOT_FOUND);
    assert_int_equal(state_add(&st, 10, 3, 300, &first), SIM_OK);
    assert_int_equal(first, 10);
    state_rdlock(&st);
    assert_int_equal(state_total_locked(&st, 10), 12);
    assert_int_equal(state_end_locked(&st, 10), 13);
    assert_int_equal(state_deleted_locked(&st, 5, &at), 1);
    assert_int_equal(at, 200);
    assert_int_equal(state_version_locked(&st, 12, &v, &mod), 1);
    assert_int_equal(mod, 300);
    state_unlock(&st);
    state_reset(&st);
    state_rdlock(&st);
    assert_int_equal(state_total_locked(&st, 10), 10);
    state_unlock(&st);
    state_free(&st);
}

static void test_nth_skips_deleted(void **state)
{
    struct state st;
    int64_t expect[20], n = 0;

    (void)state;
    state_init(&st);
    state_delete(&st, 20, 0, 1);
    state_delete(&st, 20, 1, 1);
    state_delete(&st, 20, 7, 1);
    state_delete(&st, 20, 8, 1);
    state_delete(&st, 20, 19, 1);
    for (int64_t i = 0; i < 20; i++)
        if (i != 0 && i != 1 && i != 7 && i != 8 && i != 19)
            expect[n++] = i;
    state_rdlock(&st);
    for (int64_t k = 0; k < n; k++)
        assert_int_equal(state_nth_locked(&st, 20, k), expect[k]);
    assert_int_equal(state_nth_locked(&st, 20, n), -1);
    assert_int_equal(state_nth_locked(&st, 20, -1), -1);
    state_unlock(&st);
    state_free(&st);
}

static void test_faults_and_throttle(void **state)
{
    struct state st;
    struct state_fault f = {STATE_FAULT_STATUS, 429, 1, 0}, got;

    (void)state;
    state_init(&st);
    assert_int_equal(state_take_fault(&st, &got), 0);
    state_set_fault(&st, &f, 2);
    assert_int_equal(state_take_fault(&st, &got), 1);
    assert_int_equal(got.status, 429);
    assert_int_equal(state_take_fault(&st, &got), 1);
    assert_int_equal(state_take_fault(&st, &got), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(state_throttled(&st, 5, 1000), 0);
    assert_int_equal(state_throttled(&st, 5, 1000), 1);
    assert_int_equal(state_throttled(&st, 5, 1001), 0);
    assert_int_equal(state_token_generation(&st), 0);
    state_expire_tokens(&st);
    assert_int_equal(state_token_generation(&st), 1);
    state_free(&st);
}

static void test_log_ring(void **state)
{
    struct state st;
    struct state_log e;
    struct sbuf b;

    (void)state;
    state_init(&st);
    memset(&e, 0, sizeof(e));
    for (int i = 0; i < STATE_LOG_MAX + 5; i++) {
        e.status = i;
        snprintf(e.method, sizeof(e.method), "GET");
        state_log_add(&st, &e);
    }
    sbuf_init(&b);
    state_log_json(&st, &b);
    assert_non_null(strstr(b.data, "\"status\":5,"));
    assert_null(strstr(b.data, "\"status\":4,"));
    sbuf_free(&b);
    state_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlay),
        cmocka_unit_test(test_nth_skips_deleted),
        cmocka_unit_test(test_faults_and_throttle),
        cmocka_unit_test(test_log_ring),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
