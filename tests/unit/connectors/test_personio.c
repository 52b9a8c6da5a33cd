/*
 * Unit tests for connectors/personio.c: the mapping of Personio's wrapped
 * attributes onto unified records, on the example employee of the vendor's
 * documentation.
 */
#include "connectors/personio.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

static const char anna[] =
    "{\"type\":\"Employee\",\"attributes\":{"
    "\"id\":{\"label\":\"ID\",\"value\":1001,\"type\":\"integer\",\"universal_id\":\"id\"},"
    "\"first_name\":{\"label\":\"First name\",\"value\":\"Anna\",\"type\":\"standard\"},"
    "\"last_name\":{\"label\":\"Last name\",\"value\":\"Schmidt\",\"type\":\"standard\"},"
    "\"email\":{\"label\":\"Email\",\"value\":\"anna.schmidt@acme.example\"},"
    "\"gender\":{\"label\":\"Gender\",\"value\":\"female\"},"
    "\"status\":{\"label\":\"Status\",\"value\":\"onboarding\"},"
    "\"position\":{\"label\":\"Position\",\"value\":\"Backend Engineer\"},"
    "\"employment_type\":{\"label\":\"Employment type\",\"value\":\"external\"},"
    "\"weekly_working_hours\":{\"label\":\"Weekly hours\",\"value\":\"37.5\"},"
    "\"hire_date\":{\"label\":\"Hire date\",\"value\":\"2021-03-01T00:00:00+01:00\"},"
    "\"termination_date\":{\"label\":\"Termination date\",\"value\":null},"
    "\"created_at\":{\"label\":\"Created\",\"value\":\"2021-01-05T10:00:00+01:00\"},"
    "\"supervisor\":{\"label\":\"Supervisor\",\"value\":{\"type\":\"Employee\",\"attributes\":"
    "{\"id\":{\"label\":\"ID\",\"value\":1002}}}},"
    "\"department\":{\"label\":\"Department\",\"value\":{\"type\":\"Department\",\"attributes\":"
    "{\"id\":281521,\"name\":\"Engineering\"}}},"
    "\"office\":{\"label\":\"Office\",\"value\":{\"type\":\"Office\",\"attributes\":"
    "{\"id\":131014,\"name\":\"Munich\"}}},"
    "\"fix_salary\":{\"label\":\"Fix salary\",\"value\":5200,\"currency\":\"EUR\"},"
    "\"dynamic_1146666\":{\"label\":\"Birthday\",\"value\":\"1990-04-12\",\"type\":\"date\","
    "\"universal_id\":\"date_of_birth\"},"
    "\"dynamic_33402\":{\"label\":\"Commute km\",\"value\":12.5,\"type\":\"decimal\"}}}";

struct captured {
    json_t *records; /* [{model, remote_id, unified, raw, links}] */
    json_t *fields;  /* "model/key" -> {label, custom} */
};

static int on_field(void *ud, const struct conn_field *f)
{
    struct captured *c = ud;
    char k[256];

    snprintf(k, sizeof(k), "%s/%s", models_get(f->model)->id, f->key);
    json_object_set_new(c->fields, k,
                        json_pack("{s:o, s:b}", "label",
                                  f->label ? json_string(f->label) : json_null(), "custom",
                                  f->custom));
    return ERR_OK;
}

static int on_record(void *ud, const struct conn_record *r)
{
    struct captured *c = ud;
    json_t *links = json_object();

    for (int i = 0; i < r->nlinks; i++)
        json_object_set_new(links, r->links[i].attr, json_string(r->links[i].remote_id));
    json_array_append_new(c->records,
                          json_pack("{s:s, s:s, s:O, s:O, s:o}", "model", models_get(r->model)->id,
                                    "remote_id", r->remote_id, "unified", r->unified, "raw", r->raw,
                                    "links", links));
    return ERR_OK;
}

static int on_page(void *ud)
{
    (void)ud;
    return ERR_OK;
}

static json_t *record_of(json_t *records, const char *model)
{
    json_t *r;
    size_t i;

    json_array_foreach (records, i, r) {
        if (!strcmp(json_string_value(json_object_get(r, "model")), model))
            return r;
    }
    return NULL;
}

static void maps_the_documented_employee(void **state)
{
    struct captured c = {json_array(), json_object()};
    struct conn_sink sink = {on_field, on_record, NULL, on_page, &c, NULL, NULL, NULL};
    struct conn_ctx ctx;
    struct err e;
    json_t *item = json_loads(anna, 0, NULL), *emp, *u, *raw;

    (void)state;
    memset(&ctx, 0, sizeof(ctx));
    ctx.err = &e;
    assert_non_null(item);
    assert_int_equal(map_employee(&ctx, &sink, item), ERR_OK);

    emp = record_of(c.records, "hris_employees");
    assert_non_null(emp);
    assert_string_equal(json_string_value(json_object_get(emp, "remote_id")), "1001");
    u = json_object_get(emp, "unified");
    assert_string_equal(jsonx_str(u, "display_full_name"), "Anna Schmidt");
    assert_string_equal(jsonx_str(u, "work_email"), "anna.schmidt@acme.example");
    assert_string_equal(jsonx_str(u, "gender"), "FEMALE");
    assert_string_equal(jsonx_str(u, "employment_status"), "PENDING");
    assert_string_equal(jsonx_str(u, "employment_type"), "CONTRACT");
    assert_true(json_real_value(json_object_get(u, "weekly_hours")) == 37.5);
    /* The calendar date as written, not shifted by the +01:00 offset. */
    assert_string_equal(jsonx_str(u, "start_date"), "2021-03-01T00:00:00.000Z");
    assert_string_equal(jsonx_str(u, "date_of_birth"), "1990-04-12T00:00:00.000Z");
    assert_string_equal(jsonx_str(u, "remote_created_at"), "2021-01-05T09:00:00.000Z");
    assert_true(json_is_null(json_object_get(u, "termination_date")));
    /* Links by remote id, resolved by the engine. */
    assert_string_equal(jsonx_str(json_object_get(emp, "links"), "manager_id"), "1002");
    assert_string_equal(jsonx_str(json_object_get(emp, "links"), "work_location_id"), "131014");
    assert_string_equal(jsonx_str(json_object_get(emp, "links"), "group_id"), "281521");
    /* Raw values unwrapped, types kept. */
    raw = json_object_get(emp, "raw");
    assert_true(json_is_integer(json_object_get(raw, "id")));
    assert_true(json_real_value(json_object_get(raw, "dynamic_33402")) == 12.5);
    assert_string_equal(jsonx_str(raw, "weekly_working_hours"), "37.5");
    assert_true(json_is_object(json_object_get(raw, "supervisor")));

    /* Nested records and the employment. */
    assert_string_equal(
        jsonx_str(json_object_get(record_of(c.records, "hris_teams"), "unified"), "name"),
        "Engineering");
    assert_string_equal(
        jsonx_str(json_object_get(record_of(c.records, "hris_teams"), "unified"), "type"),
        "DEPARTMENT");
    assert_string_equal(
        jsonx_str(json_object_get(record_of(c.records, "hris_locations"), "unified"), "name"),
        "Munich");
    u = json_object_get(record_of(c.records, "hris_employments"), "unified");
    assert_int_equal(json_integer_value(json_object_get(u, "pay_rate")), 5200);
    assert_string_equal(jsonx_str(u, "pay_currency"), "EUR");
    assert_null(record_of(c.records, "hris_legal_entities")); /* no subcompany given */

    /* Field catalog: labels from the wrappers, dynamic_* are CUSTOM. */
    assert_string_equal(
        jsonx_str(json_object_get(c.fields, "hris_employees/dynamic_33402"), "label"),
        "Commute km");
    assert_true(json_is_true(
        json_object_get(json_object_get(c.fields, "hris_employees/dynamic_33402"), "custom")));
    assert_true(json_is_false(
        json_object_get(json_object_get(c.fields, "hris_employees/first_name"), "custom")));
    assert_non_null(json_object_get(c.fields, "hris_employments/fix_salary"));

    json_decref(item);
    json_decref(c.records);
    json_decref(c.fields);
}

static void bad_items_fail_with_a_reason(void **state)
{
    struct captured c = {json_array(), json_object()};
    struct conn_sink sink = {on_field, on_record, NULL, on_page, &c, NULL, NULL, NULL};
    struct conn_ctx ctx;
    struct err e;
    json_t *item;

    (void)state;
    memset(&ctx, 0, sizeof(ctx));
    ctx.err = &e;
    item = json_loads("{\"type\":\"Employee\"}", 0, NULL);
    assert_int_equal(map_employee(&ctx, &sink, item), ERR_REMOTE);
    assert_string_equal(e.msg, "personio: an employee without attributes");
    json_decref(item);
    item = json_loads("{\"attributes\":{\"first_name\":{\"value\":\"x\"}}}", 0, NULL);
    assert_int_equal(map_employee(&ctx, &sink, item), ERR_REMOTE);
    assert_string_equal(e.msg, "personio: an employee without a usable id");
    json_decref(item);
    assert_int_equal(json_array_size(c.records), 0);
    json_decref(c.records);
    json_decref(c.fields);
}

static void unknown_enum_values_pass_through(void **state)
{
    json_t *v;

    (void)state;
    v = map_enum("sabbatical", status_map);
    assert_string_equal(json_string_value(v), "sabbatical");
    json_decref(v);
    v = map_enum("", status_map);
    assert_true(json_is_null(v));
    json_decref(v);
}

static void maps_a_balance_in_its_types_unit(void **state)
{
    struct captured c = {json_array(), json_object()};
    struct conn_sink sink = {on_field, on_record, NULL, on_page, &c, NULL, NULL, NULL};
    json_t *units = json_pack("{s:s}", "1", "DAYS");
    json_t *list = json_loads("[{\"id\":1,\"name\":\"Vacation\",\"category\":\"paid_vacation\","
                              "\"balance\":12.5,\"available_balance\":12.5},"
                              "{\"id\":7,\"name\":\"Unknown\",\"balance\":\"3\"},"
                              "{\"name\":\"no id\",\"balance\":1}]",
                              0, NULL);
    json_t *want = json_pack("{s:f, s:s, s:n, s:n}", "balance", 12.5, "balance_unit", "DAYS",
                             "used", "used_unit");
    json_t *r;

    (void)state;
    for (size_t i = 0; i < json_array_size(list); i++)
        assert_int_equal(map_balance(&sink, "1001", json_array_get(list, i), units), ERR_OK);
    assert_int_equal(json_array_size(c.records), 2);
    r = json_array_get(c.records, 0);
    assert_string_equal(json_string_value(json_object_get(r, "remote_id")), "1001-1");
    assert_true(json_equal(json_object_get(r, "unified"), want));
    assert_string_equal(jsonx_str(json_object_get(r, "links"), "employee_id"), "1001");
    assert_string_equal(jsonx_str(json_object_get(r, "links"), "type_id"), "1");
    /* A type not listed has no known unit; a numeric string stays a number. */
    r = json_array_get(c.records, 1);
    assert_true(json_is_null(json_object_get(json_object_get(r, "unified"), "balance_unit")));
    assert_true(json_number_value(json_object_get(json_object_get(r, "unified"), "balance")) ==
                3.0);
    assert_non_null(json_object_get(c.fields, "hris_time_off_balances/available_balance"));
    json_decref(want);
    json_decref(units);
    json_decref(list);
    json_decref(c.records);
    json_decref(c.fields);
}

static int on_mapped(void *ud, const char *memo)
{
    *(char **)ud = memo ? strdup(memo) : NULL;
    return ERR_OK;
}

/* A known page is not parsed again: what it leaves has to carry the paging
 * and the ids the balance requests are made from. */
static void a_mapped_page_leaves_its_paging_and_ids(void **state)
{
    char *memo = NULL;
    struct conn_sink sink = {NULL, NULL, NULL, NULL, &memo, NULL, on_mapped, NULL};
    json_t *item = json_loads(anna, 0, NULL);
    json_t *page =
        json_pack("{s:b, s:{s:i, s:i}, s:[O, {s:{s:s}}]}", "success", 1, "metadata", "current_page",
                  0, "total_pages", 3, "data", item, "attributes", "id", "x-7");

    (void)state;
    assert_int_equal(page_mapped(&sink, page), ERR_OK);
    assert_non_null(memo);
    assert_string_equal(memo, "{\"data\":[{\"attributes\":{\"id\":1001}},"
                              "{\"attributes\":{\"id\":\"x-7\"}}],"
                              "\"metadata\":{\"current_page\":0,\"total_pages\":3}}");
    free(memo);
    json_decref(item);
    json_decref(page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(maps_the_documented_employee),
        cmocka_unit_test(bad_items_fail_with_a_reason),
        cmocka_unit_test(unknown_enum_values_pass_through),
        cmocka_unit_test(maps_a_balance_in_its_types_unit),
        cmocka_unit_test(a_mapped_page_leaves_its_paging_and_ids),
    };
    return cmocka_run_group_tests_name("connectors/personio", tests, NULL, NULL);
}
