/*
 * Unit tests for store/custom_fields.c: definitions, their mapping onto an
 * integration's fields, and what that means for stored values.
 */
#include "store_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

static const char *const run_ids[] = {"A"};

/* Applies a run that finds employee A with values for fields F1 and F2 and
 * discovers F1 (an employee field) and J1 (an employment field). */
static void sync_once(struct fx *f, const char *body)
{
    static const char *const models[] = {"hris_employees", NULL};
    struct store_field_def defs[] = {{"F1", "hris_employees", "CUSTOM", "dynamic_1", "Shirt"},
                                     {"F2", "hris_employees", "DEFAULT", "email", NULL},
                                     {"J1", "hris_employments", "DEFAULT", "salary", NULL}};
    struct store_value values[] = {{"F1", "\"XL\""}, {"F2", "\"a@b\""}};
    struct store_staged st = {"A", "hris_employees", "A", body, body, body, 1, NULL, 0, values, 2};
    struct store_sync_run q, run;
    struct store_stage *stage = NULL;
    struct store_apply a;
    int64_t now = isotime_now_ms();
    int already;

    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_FULL, 0, &q, &already), ERR_OK);
    assert_int_equal(store_sync_claim(f->s, "w", now, now + 60000, &run), ERR_OK);
    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    assert_int_equal(store_stage_take(stage, run_ids, 1, NULL, NULL), ERR_OK);
    assert_int_equal(store_stage_write(stage, 1, &st, 1), ERR_OK);
    memset(&a, 0, sizeof(a));
    a.run = &run;
    a.worker = "w";
    a.full = 1;
    a.models = models;
    a.fields = defs;
    a.nfields = 3;
    a.now = now;
    a.fetched = 1;
    assert_int_equal(store_sync_apply(stage, &a), ERR_OK);
    store_stage_close(stage);
    store_sync_run_free(&run);
    store_sync_run_free(&q);
}

struct values {
    int n;
    char field[4][IDS_LEN + 1];
};

static void on_value(void *ud, const char *record_id, const char *field_id, const char *value,
                     size_t len)
{
    struct values *v = ud;

    (void)record_id, (void)value, (void)len;
    snprintf(v->field[v->n++ % 4], IDS_LEN + 1, "%s", field_id);
}

static int stored_values(struct fx *f)
{
    struct values v = {0};

    assert_int_equal(store_field_values(f->s, f->integ, run_ids, 1, on_value, &v), ERR_OK);
    return v.n;
}

static struct store_custom_field define(struct fx *f, const char *model, const char *key)
{
    struct store_custom_field cf;

    memset(&cf, 0, sizeof(cf));
    snprintf(cf.model, sizeof(cf.model), "%s", model);
    cf.key = (char *)key;
    cf.label = "A label";
    assert_int_equal(store_custom_field_create(f->s, f->env, &cf), ERR_OK);
    return cf;
}

struct mappings {
    int n;
    char keys[4][32];
    char fields[4][IDS_LEN + 1];
};

static void on_mapping(void *ud, const char *key, const char *field_id)
{
    struct mappings *m = ud;

    snprintf(m->keys[m->n], 32, "%s", key);
    snprintf(m->fields[m->n++], IDS_LEN + 1, "%s", field_id ? field_id : "-");
}

static void on_listed(void *ud, const struct store_custom_field *cf)
{
    struct mappings *m = ud;

    snprintf(m->keys[m->n], 32, "%s", cf->key);
    snprintf(m->fields[m->n++], IDS_LEN + 1, "%s", cf->mapped ? cf->field.id : "-");
}

static void definitions_are_unique_per_model_and_environment(void **state)
{
    struct fx *f = *state;
    struct store_custom_field cf = define(f, "hris_employees", "tshirt_size"), got;
    char other_env[IDS_LEN + 1];
    struct mappings m = {0};

    assert_int_equal(store_custom_field_create(f->s, f->env, &cf), ERR_CONFLICT);
    define(f, "hris_employments", "tshirt_size");
    assert_int_equal(store_environment_ensure(f->s, "other", other_env), ERR_OK);
    assert_int_equal(store_custom_field_create(f->s, other_env, &cf), ERR_OK);

    assert_int_equal(store_custom_fields_list(f->s, f->env, NULL, NULL, 10, on_listed, &m), ERR_OK);
    assert_int_equal(m.n, 2);
    memset(&got, 0, sizeof(got));
    assert_int_equal(store_custom_field_get(f->s, other_env, NULL, cf.id, &got), ERR_OK);
    assert_string_equal(got.key, "tshirt_size");
    assert_string_equal(got.label, "A label");
    assert_null(got.description);
    store_custom_field_free(&got);
    assert_int_equal(store_custom_field_get(f->s, f->env, NULL, cf.id, &got), ERR_NOT_FOUND);
    assert_int_equal(store_custom_field_delete(f->s, f->env, cf.id), ERR_NOT_FOUND);
}

static void a_mapping_collects_values_until_it_is_undone(void **state)
{
    struct fx *f = *state;
    struct store_custom_field shirt = define(f, "hris_employees", "tshirt_size");
    struct store_custom_field pay = define(f, "hris_employments", "pay");
    struct mappings m = {0}, listed = {0};

    sync_once(f, "{\"v\":1");
    assert_int_equal(stored_values(f), 0); /* nothing selected yet */

    /* Only a field of the integration and of the definition's model. */
    assert_int_equal(store_custom_field_map(f->s, f->integ, &shirt, "F9"), ERR_NOT_FOUND);
    assert_int_equal(store_custom_field_map(f->s, f->integ, &shirt, "J1"), ERR_INVALID);
    assert_int_equal(store_custom_field_map(f->s, "personio:other", &pay, "J1"), ERR_NOT_FOUND);
    assert_int_equal(store_custom_field_map(f->s, f->integ, &shirt, "F1"), ERR_OK);

    assert_int_equal(store_custom_fields_mapped(f->s, f->integ, "hris_employees", on_mapping, &m),
                     ERR_OK);
    assert_int_equal(m.n, 1);
    assert_string_equal(m.keys[0], "tshirt_size");
    assert_string_equal(m.fields[0], "F1");
    assert_int_equal(store_custom_fields_list(f->s, f->env, f->integ, NULL, 10, on_listed, &listed),
                     ERR_OK);
    assert_int_equal(listed.n, 2);

    /* The next sync keeps the mapped field's value (and only that). */
    sync_once(f, "{\"v\":2");
    assert_int_equal(stored_values(f), 1);
    /* A field both mapped and selected keeps its values while either holds. */
    assert_int_equal(store_field_set_passthrough(f->s, f->integ, "F1", 1), ERR_OK);
    assert_int_equal(store_custom_field_map(f->s, f->integ, &shirt, NULL), ERR_OK);
    assert_int_equal(stored_values(f), 1);
    assert_int_equal(store_custom_field_map(f->s, f->integ, &shirt, "F1"), ERR_OK);
    assert_int_equal(store_field_set_passthrough(f->s, f->integ, "F1", 0), ERR_OK);
    assert_int_equal(stored_values(f), 1);
    /* Deleting the definition drops the mapping and, with it, the values. */
    assert_int_equal(store_custom_field_delete(f->s, f->env, shirt.id), ERR_OK);
    assert_int_equal(stored_values(f), 0);
    m.n = 0;
    assert_int_equal(store_custom_fields_mapped(f->s, f->integ, "hris_employees", on_mapping, &m),
                     ERR_OK);
    assert_int_equal(m.n, 0);
}

static void an_unmapped_definition_is_listed_without_a_field(void **state)
{
    struct fx *f = *state;
    struct mappings m = {0};

    define(f, "hris_employees", "b_key");
    define(f, "hris_employees", "a_key");
    assert_int_equal(store_custom_fields_mapped(f->s, f->integ, "hris_employees", on_mapping, &m),
                     ERR_OK);
    assert_int_equal(m.n, 2);
    assert_string_equal(m.keys[0], "a_key"); /* ordered by key */
    assert_string_equal(m.fields[0], "-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(definitions_are_unique_per_model_and_environment, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(a_mapping_collects_values_until_it_is_undone, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(an_unmapped_definition_is_listed_without_a_field, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
