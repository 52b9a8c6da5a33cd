/* Unit tests for model/tools.c and model/models.c. */
#include "model/tools.h"

#include "connectors/connector.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static void four_tools_with_credentials(void **state)
{
    size_t n = 0;
    const struct tool_def *t = tools_all(&n);

    (void)state;
    assert_int_equal(n, 4);
    assert_string_equal(t[0].id, "personio");
    assert_ptr_equal(tools_find("hibob"), &t[2]);
    assert_null(tools_find("workday"));
    assert_null(tools_find(""));
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].credential_keys[0]);
        assert_true(strncmp(t[i].default_base_url, "https://", 8) == 0);
    }
    assert_string_equal(tools_coverage_name(COV_SUPPORTED), "SUPPORTED");
    assert_string_equal(tools_coverage_name(COV_NOT_IMPLEMENTED), "NOT_IMPLEMENTED");
}

static void models_catalog(void **state)
{
    enum model m;

    (void)state;
    assert_int_equal(models_find("hris_teams", &m), 0);
    assert_int_equal(m, MODEL_GROUPS);
    assert_string_equal(models_get(MODEL_GROUPS)->path, "/hris/groups");
    assert_int_equal(models_find("hris_nope", &m), -1);
    for (int i = 0; i < MODEL_COUNT; i++) {
        const struct model_def *d = models_get((enum model)i);
        assert_non_null(d->fields[0]);
        assert_int_equal(strncmp(d->id, "hris_", 5), 0);
    }
}

/* What tools and integrations report must be what the connectors sync. */
static void coverage_matches_the_connectors(void **state)
{
    size_t n = 0;
    const struct tool_def *t = tools_all(&n);

    (void)state;
    for (size_t i = 0; i < n; i++) {
        const struct connector *c = connector_find(t[i].id);
        assert_non_null(c);
        for (int m = 0; m < MODEL_COUNT; m++) {
            int synced = (c->models & (1u << m)) != 0;
            if (synced != (t[i].coverage[m] == COV_SUPPORTED))
                fail_msg("%s %s: connector %s it, coverage says %s", t[i].id,
                         models_get((enum model)m)->id, synced ? "syncs" : "does not sync",
                         tools_coverage_name(t[i].coverage[m]));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(four_tools_with_credentials),
        cmocka_unit_test(models_catalog),
        cmocka_unit_test(coverage_matches_the_connectors),
    };
    return cmocka_run_group_tests_name("model/tools", tests, NULL, NULL);
}
