/*
 * Unit tests for sim/factorial.c: cursors and the paging machinery over
 * items numbered per employee, with deletions and filters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "factorial.c"

static void test_cursor(void **state)
{
    char c[48];
    int64_t id;

    (void)state;
    factorial_cursor(17, c, sizeof(c));
    assert_string_equal(c, "MTc=");
    assert_int_equal(factorial_parse_cursor("Mjc=", &id), SIM_OK);
    assert_int_equal(id, 27);
    assert_int_equal(factorial_parse_cursor("!!!", &id), SIM_ERR_INVALID);
    assert_int_equal(factorial_parse_cursor("YWJj", &id), SIM_ERR_INVALID); /* "abc" */
    assert_int_equal(factorial_parse_cursor(NULL, &id), SIM_ERR_INVALID);
}

static void test_scan(void **state)
{
    struct sim_options opt;
    struct gen_config g = {3, 30, 4};
    struct state st;
    struct sim_ctx ctx = {&opt, &g, &st, SIM_FACTORIAL};
    struct fquery q;
    int64_t ids[2], seen = 0, from = 1;
    int n;

    (void)state;
    sim_defaults(&opt);
    state_init(&st);
    memset(&q, 0, sizeof(q));
    q.field = -1;
    state_delete(&st, 30, 4, 1);
    state_delete(&st, 30, 5, 1);
    state_rdlock(&st);
    /* walk all employees in pages of 7: 28 visible, each once, ascending */
    for (;;) {
        n = scan_locked(&ctx, &q, 1, employee_item, from, +1, 7, NULL, ids);
        if (!n)
            break;
        seen += n;
        from = ids[1] + 1;
    }
    assert_int_equal(seen, 28);
    assert_int_equal(total_locked(&ctx, &q, 1, employee_item), 28);
    /* custom values: 4 per employee */
    assert_int_equal(total_locked(&ctx, &q, 4, value_item), 28 * 4);
    n = scan_locked(&ctx, &q, 4, value_item, 1, +1, 100, NULL, ids);
    assert_int_equal(n, 100);
    assert_int_equal(ids[0], 1);
    /* backwards from employee 7 (id 7) skips the deleted 5 and 6 */
    n = scan_locked(&ctx, &q, 1, employee_item, 6, -1, 2, NULL, ids);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 4);
    assert_int_equal(ids[1], 3);
    /* a field filter makes one value per employee */
    q.field = 2;
    q.item_filter = 1;
    assert_int_equal(total_locked(&ctx, &q, 4, value_item), 28);
    state_unlock(&st);
    state_free(&st);
}

static void test_only_active_total(void **state)
{
    struct sim_options opt;
    struct gen_config g = {9, 5000, 0};
    struct state st;
    struct sim_ctx ctx = {&opt, &g, &st, SIM_FACTORIAL};
    struct fquery q;
    int64_t active = 0, first;

    (void)state;
    sim_defaults(&opt);
    state_init(&st);
    memset(&q, 0, sizeof(q));
    q.only_active = 1;
    state_add(&st, 5000, 10, 100, &first);
    for (int64_t i = 0; i < 5010; i++)
        active += gen_status_of(&g, i) != GEN_INACTIVE;
    state_rdlock(&st);
    assert_int_equal(total_locked(&ctx, &q, 1, employee_item), active);
    state_unlock(&st);
    state_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cursor),
        cmocka_unit_test(test_scan),
        cmocka_unit_test(test_only_active_total),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
