/* Unit tests for model/scope.c: reading, checking and rendering scope configs. */
#include "model/scope.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int parse(const char *text, struct scope *sc, struct err *e)
{
    json_t *j = json_loads(text, 0, NULL);
    int rc;

    assert_non_null(j);
    err_init(e);
    rc = scope_from_json(j, sc, e);
    json_decref(j);
    return rc;
}

static void everything_is_on_by_default(void **state)
{
    struct scope sc;
    struct err e;

    (void)state;
    err_init(&e);
    assert_int_equal(scope_from_json(NULL, &sc, &e), ERR_OK);
    for (int m = 0; m < MODEL_COUNT; m++) {
        assert_true(sc.m[m].enabled && sc.m[m].integration_fields && sc.m[m].custom_fields);
        assert_true(sc.m[m].fields_off == 0);
    }
    assert_true(scope_field_on(&sc, MODEL_EMPLOYEES, "ssn"));
    /* Unreadable stored text falls back to the default. */
    scope_from_text("{not json", &sc);
    assert_true(sc.m[MODEL_ABSENCES].enabled);
    scope_from_text(NULL, &sc);
    assert_true(sc.m[MODEL_ABSENCES].enabled);
}

static void reads_models_and_fields(void **state)
{
    struct scope sc;
    struct err e;

    (void)state;
    assert_int_equal(parse("{\"hris_employees\":{\"disabled_fields\":[\"ssn\",\"date_of_birth\"],"
                           "\"integration_fields\":false},"
                           "\"hris_absences\":{\"enabled\":false}}",
                           &sc, &e),
                     ERR_OK);
    assert_false(scope_field_on(&sc, MODEL_EMPLOYEES, "ssn"));
    assert_false(scope_field_on(&sc, MODEL_EMPLOYEES, "date_of_birth"));
    assert_true(scope_field_on(&sc, MODEL_EMPLOYEES, "first_name"));
    assert_true(scope_field_on(&sc, MODEL_EMPLOYMENTS, "job_title"));
    assert_false(sc.m[MODEL_EMPLOYEES].integration_fields);
    assert_true(sc.m[MODEL_EMPLOYEES].custom_fields);
    assert_false(sc.m[MODEL_ABSENCES].enabled);
    assert_true(sc.m[MODEL_ABSENCE_TYPES].enabled);
}

static void refuses_what_it_does_not_know(void **state)
{
    static const struct {
        const char *json, *why;
    } bad[] = {
        {"[]", "models: expected an object"},
        {"{\"hris_nope\":{}}", "models.hris_nope: not a model"},
        {"{\"hris_employees\":true}", "models.hris_employees: expected an object"},
        {"{\"hris_employees\":{\"enabled\":1}}", "models.hris_employees.enabled: expected true"},
        {"{\"hris_employees\":{\"colour\":true}}", "models.hris_employees.colour: unknown key"},
        {"{\"hris_employees\":{\"disabled_fields\":\"ssn\"}}", "expected a list of fields"},
        {"{\"hris_employees\":{\"disabled_fields\":[\"shoe_size\"]}}", "\"shoe_size\" is not a"},
        {"{\"hris_employees\":{\"disabled_fields\":[7]}}", "\"(not a string)\" is not a field"},
        {"{\"hris_employees\":{\"disabled_fields\":[\"manager_id\"]}}", "links records"},
    };
    struct scope sc;
    struct err e;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(bad[i].json, &sc, &e), ERR_INVALID);
        if (!strstr(e.msg, bad[i].why))
            fail_msg("%s: got \"%s\", want \"%s\"", bad[i].json, e.msg, bad[i].why);
    }
}

static void renders_the_full_form_and_reads_it_back(void **state)
{
    struct scope sc, back;
    struct err e;
    json_t *full, *emp;
    char *text;

    (void)state;
    assert_int_equal(parse("{\"hris_employees\":{\"disabled_fields\":[\"tax_id\"],"
                           "\"custom_fields\":false}}",
                           &sc, &e),
                     ERR_OK);
    full = scope_to_json(&sc);
    assert_int_equal(json_object_size(full), MODEL_COUNT);
    emp = json_object_get(full, "hris_employees");
    assert_true(json_is_true(json_object_get(emp, "enabled")));
    assert_true(json_is_false(json_object_get(emp, "custom_fields")));
    assert_int_equal(json_array_size(json_object_get(emp, "disabled_fields")), 1);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(emp, "disabled_fields"), 0)), "tax_id");
    text = json_dumps(full, JSON_COMPACT);
    scope_from_text(text, &back);
    for (int m = 0; m < MODEL_COUNT; m++) {
        assert_int_equal(sc.m[m].enabled, back.m[m].enabled);
        assert_int_equal(sc.m[m].integration_fields, back.m[m].integration_fields);
        assert_int_equal(sc.m[m].custom_fields, back.m[m].custom_fields);
        assert_true(sc.m[m].fields_off == back.m[m].fields_off);
    }
    assert_false(scope_field_on(&back, MODEL_EMPLOYEES, "tax_id"));
    free(text);
    json_decref(full);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(everything_is_on_by_default),
        cmocka_unit_test(reads_models_and_fields),
        cmocka_unit_test(refuses_what_it_does_not_know),
        cmocka_unit_test(renders_the_full_form_and_reads_it_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
