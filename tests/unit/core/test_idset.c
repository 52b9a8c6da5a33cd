/* Unit tests for core/idset.c. */
#include "core/idset.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

static void adds_and_finds(void **state)
{
    struct idset s;
    char id[32];

    (void)state;
    idset_init(&s);
    assert_false(idset_has(&s, "x"));
    assert_int_equal(idset_add(&s, "x"), 1);
    assert_int_equal(idset_add(&s, "x"), 0);
    assert_true(idset_has(&s, "x"));
    assert_false(idset_has(&s, "y"));
    /* Through several growths. */
    for (int i = 0; i < 100000; i++) {
        snprintf(id, sizeof(id), "id-%d", i);
        assert_int_equal(idset_add(&s, id), 1);
    }
    assert_int_equal(s.n, 100001);
    for (int i = 0; i < 100000; i += 7) {
        snprintf(id, sizeof(id), "id-%d", i);
        assert_true(idset_has(&s, id));
        snprintf(id, sizeof(id), "other-%d", i);
        assert_false(idset_has(&s, id));
    }
    /* At most 22 bytes per id (just after the table doubled). */
    assert_true(s.cap * sizeof(uint64_t) <= 100001 * 22);
    idset_free(&s);
    assert_false(idset_has(&s, "x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(adds_and_finds),
    };
    return cmocka_run_group_tests_name("core/idset", tests, NULL, NULL);
}
