/*
 * Unit tests for connectors/factorial.c: the mapping of Factorial's employee,
 * contract version and custom field values onto unified records, on the
 * examples of the vendor's documentation (remote-apis.md §4), and the custom
 * field metadata reaching the field catalog.
 */
#include "connectors/factorial.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

static const char anna[] =
    "{\"id\": 17, \"access_id\": 1017, \"first_name\": \"Anna\", \"last_name\": \"Schmidt\","
    " \"full_name\": \"Anna Schmidt\", \"preferred_name\": null,"
    " \"email\": \"anna.schmidt@acme.example\", \"login_email\": \"anna.schmidt@acme.example\","
    " \"personal_email\": \"anna@private.example\", \"birthday_on\": \"1990-04-12\","
    " \"gender\": \"female\", \"nationality\": \"DE\", \"company_id\": 5, \"legal_entity_id\": 7,"
    " \"location_id\": 3, \"manager_id\": 21, \"company_identifier\": \"E-0042\","
    " \"active\": true, \"is_terminating\": false, \"terminated_on\": null,"
    " \"termination_reason\": null, \"termination_reason_type\": null, \"attendable\": true,"
    " \"team_ids\": [40, 41],"
    " \"created_at\": \"2021-02-10T09:00:00.000Z\", \"updated_at\": \"2024-05-02T08:11:12.000Z\"}";

static const char lukas[] =
    "{\"id\": 27, \"access_id\": 1027, \"first_name\": \"Lukas\", \"last_name\": \"M\xc3\xbcller\","
    " \"full_name\": \"Lukas M\xc3\xbcller\", \"email\": null, \"login_email\": null,"
    " \"birthday_on\": null, \"gender\": \"male\", \"company_id\": 5, \"legal_entity_id\": 7,"
    " \"location_id\": 3, \"manager_id\": null, \"active\": false, \"is_terminating\": false,"
    " \"terminated_on\": \"2024-03-31\", \"termination_reason\": \"Moved abroad\","
    " \"termination_reason_type\": \"voluntary\", \"attendable\": false,"
    " \"seniority_calculation_date\": \"2019-08-05\","
    " \"created_at\": \"2019-08-01T09:00:00.000Z\", \"updated_at\": \"2024-04-01T00:05:00.000Z\"}";

/* Two versions of Anna's contract, the later one in effect. */
static const char versions[] =
    "[{\"id\": 301, \"employee_id\": 17, \"effective_on\": \"2021-03-01\","
    " \"starts_on\": \"2021-03-01\", \"ends_on\": null, \"job_title\": \"Engineer\","
    " \"salary_amount\": 5400000, \"salary_frequency\": \"yearly\", \"working_hours\": 3000,"
    " \"working_hours_frequency\": \"week\", \"has_payroll\": true},"
    " {\"id\": 302, \"employee_id\": 17, \"effective_on\": \"2023-01-01\","
    " \"starts_on\": \"2021-03-01\", \"ends_on\": null, \"job_title\": \"Backend Engineer\","
    " \"salary_amount\": 6240050, \"salary_frequency\": \"yearly\", \"working_hours\": 3750,"
    " \"working_hours_frequency\": \"week\", \"has_payroll\": true},"
    " {\"id\": 303, \"employee_id\": 17, \"effective_on\": \"2099-01-01\","
    " \"starts_on\": \"2021-03-01\", \"job_title\": \"Staff Engineer\","
    " \"salary_amount\": 9000000, \"salary_frequency\": \"yearly\", \"working_hours\": 4000,"
    " \"working_hours_frequency\": \"week\", \"has_payroll\": true}]";

static const char values[] =
    "[{\"id\": 73, \"field_id\": 75, \"custom_field_identifier\": \"01f9\", \"valuable_id\": 17,"
    " \"valuable_type\": \"Employees::Employee\", \"label\": \"Shirt size\", \"required\": false,"
    " \"value\": \"M\", \"single_choice_value\": \"M\", \"long_text_value\": null,"
    " \"date_value\": null, \"cents_value\": null, \"updated_at\": \"2024-05-02T08:11:12.000Z\"},"
    " {\"id\": 74, \"field_id\": 76, \"custom_field_identifier\": \"9c2b\", \"valuable_id\": 17,"
    " \"valuable_type\": \"Employees::Employee\", \"label\": \"Commute km\", \"value\": \"1250\","
    " \"cents_value\": 1250, \"date_value\": null, \"updated_at\": \"2024-05-02T08:11:12.000Z\"},"
    " {\"id\": 75, \"field_id\": 77, \"valuable_id\": 17, \"valuable_type\": "
    "\"Employees::Employee\", \"label\": \"Notes\", \"value\": null},"
    " {\"id\": 76, \"field_id\": 78, \"valuable_id\": 17, \"valuable_type\": "
    "\"Employees::Employee\", \"label\": \"Hidden\"},"
    " {\"id\": 77, \"field_id\": 90, \"valuable_id\": 17, \"valuable_type\": "
    "\"Companies::LegalEntity\", \"label\": \"VAT\", \"value\": \"x\"}]";

static const char fields[] =
    "[{\"id\": 75, \"field_type\": \"single_choice\", \"label_text\": \"Shirt size\","
    " \"slug\": \"shirt_size\", \"required\": false, \"position\": 0},"
    " {\"id\": 76, \"field_type\": \"cents\", \"label_text\": \"Commute km\","
    " \"slug\": \"commute_km\", \"required\": false, \"position\": 1}]";

struct captured {
    json_t *records; /* [{model, remote_id, unified, raw, links}] */
    json_t *fields;  /* "model/key" -> {label, custom} */
    int pages;
};

static int on_field(void *ud, const struct conn_field *f)
{
    struct captured *c = ud;
    char k[256];
    json_t *known;

    snprintf(k, sizeof(k), "%s/%s", models_get(f->model)->id, f->key);
    known = json_object_get(c->fields, k);
    if (known && !f->label)
        return ERR_OK;
    json_object_set_new(c->fields, k,
                        json_pack("{s:o, s:b}", "label",
                                  f->label ? json_string(f->label) : json_null(), "custom",
                                  f->custom));
    return ERR_OK;
}

static int on_record(void *ud, const struct conn_record *r)
{
    struct captured *c = ud;
    json_t *links = json_array();

    for (int i = 0; i < r->nlinks; i++)
        json_array_append_new(links, json_pack("{s:s, s:s, s:s}", "attr", r->links[i].attr,
                                               "target", models_get(r->links[i].target)->id,
                                               "remote_id", r->links[i].remote_id));
    json_array_append_new(c->records,
                          json_pack("{s:s, s:s, s:O, s:O, s:o}", "model", models_get(r->model)->id,
                                    "remote_id", r->remote_id, "unified", r->unified, "raw", r->raw,
                                    "links", links));
    return ERR_OK;
}

static int on_page(void *ud)
{
    struct captured *c = ud;

    c->pages++;
    return ERR_OK;
}

static json_t *record_of(json_t *records, const char *model, const char *remote_id)
{
    json_t *r;
    size_t i;

    json_array_foreach (records, i, r) {
        if (!strcmp(json_string_value(json_object_get(r, "model")), model) &&
            (!remote_id || !strcmp(json_string_value(json_object_get(r, "remote_id")), remote_id)))
            return r;
    }
    return NULL;
}

/* The remote id a record links to through attr (the n-th such link). */
static const char *link_of(json_t *rec, const char *attr, int n)
{
    json_t *l;
    size_t i;

    json_array_foreach (json_object_get(rec, "links"), i, l) {
        if (!strcmp(json_string_value(json_object_get(l, "attr")), attr) && n-- == 0)
            return json_string_value(json_object_get(l, "remote_id"));
    }
    return NULL;
}

struct fixture {
    struct captured c;
    struct conn_sink sink;
    struct conn_ctx ctx;
    struct err e;
    struct run run;
};

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->c.records = json_array();
    f->c.fields = json_object();
    f->sink = (struct conn_sink){on_field, on_record, NULL, on_page, &f->c, NULL, NULL, NULL};
    f->ctx.err = &f->e;
    f->run.sink = &f->sink;
    f->run.currency = json_pack("{s:s}", "7", "EUR");
    snprintf(f->run.today, sizeof(f->run.today), "2026-06-30");
}

static void fixture_free(struct fixture *f)
{
    json_decref(f->c.records);
    json_decref(f->c.fields);
    json_decref(f->run.currency);
    json_decref(f->run.done);
}

static void maps_the_documented_employee(void **state)
{
    struct fixture f;
    struct batch b;
    json_t *item = json_loads(anna, 0, NULL), *vs = json_loads(versions, 0, NULL);
    json_t *vals = json_loads(values, 0, NULL), *emp, *u, *raw, *job;

    (void)state;
    fixture_init(&f);
    assert_non_null(item);
    assert_non_null(vs);
    assert_non_null(vals);
    b = (struct batch){&f.run, json_object(), json_object(), 0};
    assert_int_equal(on_contracts(&f.ctx, vs, &b), ERR_OK);
    assert_int_equal(on_values(&f.ctx, vals, &b), ERR_OK);
    /* The version in effect on 2026-06-30, not the one scheduled for 2099. */
    assert_int_equal(json_integer_value(json_object_get(json_object_get(b.contracts, "17"), "id")),
                     302);
    assert_int_equal(map_employee(&f.ctx, &f.run, item, json_object_get(b.contracts, "17"),
                                  json_object_get(b.values, "17")),
                     ERR_OK);

    emp = record_of(f.c.records, "hris_employees", "17");
    assert_non_null(emp);
    u = json_object_get(emp, "unified");
    assert_string_equal(jsonx_str(u, "employee_number"), "E-0042");
    assert_string_equal(jsonx_str(u, "first_name"), "Anna");
    assert_string_equal(jsonx_str(u, "last_name"), "Schmidt");
    assert_string_equal(jsonx_str(u, "display_full_name"), "Anna Schmidt");
    assert_string_equal(jsonx_str(u, "work_email"), "anna.schmidt@acme.example");
    assert_string_equal(jsonx_str(u, "personal_email"), "anna@private.example");
    assert_string_equal(jsonx_str(u, "nationality"), "DE");
    assert_string_equal(jsonx_str(u, "gender"), "FEMALE");
    assert_string_equal(jsonx_str(u, "employment_status"), "ACTIVE");
    assert_string_equal(jsonx_str(u, "job_title"), "Backend Engineer");
    assert_string_equal(jsonx_str(u, "employment_type"), "FULL_TIME");
    assert_true(json_number_value(json_object_get(u, "weekly_hours")) == 37.5);
    assert_string_equal(jsonx_str(u, "date_of_birth"), "1990-04-12T00:00:00.000Z");
    assert_string_equal(jsonx_str(u, "start_date"), "2021-03-01T00:00:00.000Z");
    assert_true(json_is_null(json_object_get(u, "termination_date")));
    assert_string_equal(jsonx_str(u, "remote_created_at"), "2021-02-10T09:00:00.000Z");
    /* Links by remote id, as strings. */
    assert_string_equal(link_of(emp, "manager_id", 0), "21");
    assert_string_equal(link_of(emp, "work_location_id", 0), "3");
    assert_string_equal(link_of(emp, "legal_entity_id", 0), "7");
    assert_string_equal(link_of(emp, "group_id", 0), "40");
    assert_string_equal(link_of(emp, "group_id", 1), "41");

    /* Raw: the employee's own attributes, and custom values exactly as received. */
    raw = json_object_get(emp, "raw");
    assert_true(json_is_integer(json_object_get(raw, "id")));
    assert_string_equal(jsonx_str(raw, "birthday_on"), "1990-04-12");
    assert_string_equal(jsonx_str(raw, "75"), "M");
    assert_string_equal(jsonx_str(raw, "76"), "1250"); /* a string, as sent */
    assert_true(json_is_null(json_object_get(raw, "77")));
    assert_null(json_object_get(raw, "78")); /* no value key: not a null */
    assert_null(json_object_get(raw, "90")); /* another record type's value */

    /* The employment: the version in effect, money in cents / 100. */
    job = record_of(f.c.records, "hris_employments", "17");
    assert_non_null(job);
    u = json_object_get(job, "unified");
    assert_string_equal(jsonx_str(u, "job_title"), "Backend Engineer");
    assert_true(json_number_value(json_object_get(u, "pay_rate")) == 62400.5);
    assert_string_equal(jsonx_str(u, "pay_period"), "YEAR");
    assert_string_equal(jsonx_str(u, "pay_currency"), "EUR");
    assert_string_equal(jsonx_str(u, "effective_date"), "2023-01-01T00:00:00.000Z");
    assert_string_equal(link_of(job, "employee_id", 0), "17");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(job, "raw"), "id")), 302);

    /* Catalog: own attributes DEFAULT, custom values CUSTOM with their labels. */
    assert_true(json_is_false(
        json_object_get(json_object_get(f.c.fields, "hris_employees/birthday_on"), "custom")));
    assert_string_equal(jsonx_str(json_object_get(f.c.fields, "hris_employees/75"), "label"),
                        "Shirt size");
    assert_true(
        json_is_true(json_object_get(json_object_get(f.c.fields, "hris_employees/76"), "custom")));
    assert_non_null(json_object_get(f.c.fields, "hris_employments/salary_amount"));
    assert_null(json_object_get(f.c.fields, "hris_employees/90"));

    json_decref(b.contracts);
    json_decref(b.values);
    json_decref(item);
    json_decref(vs);
    json_decref(vals);
    fixture_free(&f);
}

static void terminated_employee_without_contract(void **state)
{
    struct fixture f;
    json_t *item = json_loads(lukas, 0, NULL), *emp, *u;

    (void)state;
    fixture_init(&f);
    assert_non_null(item);
    assert_int_equal(map_employee(&f.ctx, &f.run, item, NULL, NULL), ERR_OK);
    assert_int_equal(json_array_size(f.c.records), 1); /* no employment without a contract */
    emp = record_of(f.c.records, "hris_employees", "27");
    u = json_object_get(emp, "unified");
    assert_string_equal(jsonx_str(u, "employment_status"), "INACTIVE");
    assert_string_equal(jsonx_str(u, "termination_date"), "2024-03-31T00:00:00.000Z");
    assert_string_equal(jsonx_str(u, "start_date"), "2019-08-05T00:00:00.000Z");
    assert_string_equal(jsonx_str(u, "last_name"), "M\xc3\xbcller");
    assert_true(json_is_null(json_object_get(u, "work_email")));
    assert_true(json_is_null(json_object_get(u, "job_title")));
    assert_true(json_is_null(json_object_get(u, "date_of_birth")));
    assert_null(link_of(emp, "manager_id", 0));
    json_decref(item);
    fixture_free(&f);
}

static void future_hire_is_pending_and_contractors_are_contract(void **state)
{
    struct fixture f;
    json_t *item, *contract, *u;

    (void)state;
    fixture_init(&f);
    item = json_loads("{\"id\":5,\"first_name\":\"Z\",\"last_name\":\"Y\",\"active\":true,"
                      "\"email\":null,\"login_email\":\"zy@acme.example\",\"gender\":\"other\"}",
                      0, NULL);
    contract = json_loads("{\"id\":9,\"employee_id\":5,\"effective_on\":\"2028-02-01\","
                          "\"starts_on\":\"2028-02-01\",\"job_title\":\"Analyst\","
                          "\"salary_amount\":\"300000\",\"salary_frequency\":\"monthly\","
                          "\"working_hours\":4000,\"working_hours_frequency\":\"week\","
                          "\"has_payroll\":false}",
                          0, NULL);
    assert_int_equal(map_employee(&f.ctx, &f.run, item, contract, NULL), ERR_OK);
    u = json_object_get(record_of(f.c.records, "hris_employees", "5"), "unified");
    assert_string_equal(jsonx_str(u, "employment_status"), "PENDING");
    assert_string_equal(jsonx_str(u, "employment_type"), "CONTRACT");
    assert_string_equal(jsonx_str(u, "work_email"), "zy@acme.example");
    assert_string_equal(jsonx_str(u, "gender"), "NON_BINARY");
    assert_int_equal(json_integer_value(json_object_get(u, "weekly_hours")), 40);
    u = json_object_get(record_of(f.c.records, "hris_employments", "5"), "unified");
    assert_int_equal(json_integer_value(json_object_get(u, "pay_rate")), 3000);
    assert_string_equal(jsonx_str(u, "pay_period"), "MONTH");
    assert_true(json_is_null(json_object_get(u, "pay_currency"))); /* no legal entity */
    json_decref(item);
    json_decref(contract);
    fixture_free(&f);
}

static void metadata_reaches_the_catalog(void **state)
{
    struct fixture f;
    json_t *items = json_loads(fields, 0, NULL), *fld;

    (void)state;
    fixture_init(&f);
    assert_int_equal(on_custom_fields(&f.ctx, items, &f.run), ERR_OK);
    assert_int_equal(f.run.nfields, 2);
    assert_int_equal(json_object_size(f.c.fields), 2);
    fld = json_object_get(f.c.fields, "hris_employees/75");
    assert_string_equal(jsonx_str(fld, "label"), "Shirt size");
    assert_true(json_is_true(json_object_get(fld, "custom")));
    fld = json_object_get(f.c.fields, "hris_employees/76");
    assert_string_equal(jsonx_str(fld, "label"), "Commute km");
    json_decref(items);
    fixture_free(&f);
}

static void organisation_and_time_off(void **state)
{
    struct fixture f;
    json_t *items, *r, *u;

    (void)state;
    fixture_init(&f);
    json_decref(f.run.currency);
    f.run.currency = json_object();
    items = json_loads("[{\"id\":7,\"company_id\":5,\"legal_name\":\"Acme GmbH\","
                       "\"country\":\"DE\",\"currency\":\"EUR\"}]",
                       0, NULL);
    assert_int_equal(on_legal_entities(&f.ctx, items, &f.run), ERR_OK);
    json_decref(items);
    assert_string_equal(jsonx_str(f.run.currency, "7"), "EUR");
    u = json_object_get(record_of(f.c.records, "hris_legal_entities", "7"), "unified");
    assert_string_equal(jsonx_str(u, "name"), "Acme GmbH");
    assert_string_equal(jsonx_str(json_object_get(u, "address"), "country"), "DE");

    items = json_loads("[{\"id\":40,\"company_id\":5,\"name\":\"Engineering\"}]", 0, NULL);
    assert_int_equal(on_teams(&f.ctx, items, &f.run), ERR_OK);
    json_decref(items);
    u = json_object_get(record_of(f.c.records, "hris_teams", "40"), "unified");
    assert_string_equal(jsonx_str(u, "type"), "TEAM");

    items = json_loads("[{\"id\":3,\"name\":\"Munich\",\"country\":\"DE\",\"city\":\"Munich\"}]", 0,
                       NULL);
    assert_int_equal(on_locations(&f.ctx, items, &f.run), ERR_OK);
    json_decref(items);
    u = json_object_get(record_of(f.c.records, "hris_locations", "3"), "unified");
    assert_string_equal(jsonx_str(json_object_get(u, "address"), "city"), "Munich");

    items = json_loads("[{\"id\":11,\"employee_id\":17,\"leave_type_id\":60,"
                       "\"start_on\":\"2026-03-02\",\"finish_on\":\"2026-03-04\","
                       "\"half_day\":\"beggining_of_day\",\"description\":null,"
                       "\"approved\":null,\"created_at\":\"2026-02-01T10:00:00.000Z\","
                       "\"updated_at\":\"2026-02-01T10:00:00.000Z\"}]",
                       0, NULL);
    assert_int_equal(on_leaves(&f.ctx, items, &f.run), ERR_OK);
    json_decref(items);
    r = record_of(f.c.records, "hris_absences", "11");
    u = json_object_get(r, "unified");
    assert_string_equal(jsonx_str(u, "status"), "REQUESTED");
    assert_string_equal(jsonx_str(u, "start_date"), "2026-03-02T00:00:00.000Z");
    assert_true(json_is_true(json_object_get(u, "start_half_day")));
    assert_true(json_is_false(json_object_get(u, "end_half_day")));
    assert_string_equal(link_of(r, "employee_id", 0), "17");
    assert_string_equal(link_of(r, "type_id", 0), "60");

    items = json_loads("[{\"id\":1,\"employee_id\":17,\"leave_type_id\":60,\"name\":\"Vacation\","
                       "\"balance_days\":12.5,\"unit\":\"days\"}]",
                       0, NULL);
    assert_int_equal(on_allowances(&f.ctx, items, &f.run), ERR_OK);
    json_decref(items);
    r = record_of(f.c.records, "hris_time_off_balances", "1");
    u = json_object_get(r, "unified");
    assert_true(json_number_value(json_object_get(u, "balance")) == 12.5);
    assert_string_equal(jsonx_str(u, "balance_unit"), "DAYS");
    assert_string_equal(link_of(r, "type_id", 0), "60");
    /* Organisation records carry no integration fields. */
    assert_int_equal(json_object_size(f.c.fields), 0);
    assert_int_equal(f.c.pages, 5);
    fixture_free(&f);
}

static void bad_items_fail_with_a_reason(void **state)
{
    struct fixture f;
    struct batch b;
    json_t *item;

    (void)state;
    fixture_init(&f);
    item = json_loads("{\"first_name\":\"x\"}", 0, NULL);
    assert_int_equal(map_employee(&f.ctx, &f.run, item, NULL, NULL), ERR_REMOTE);
    assert_string_equal(f.e.msg, "factorial: an employee without a usable id");
    json_decref(item);
    item = json_loads("[{\"id\":1,\"job_title\":\"x\"}]", 0, NULL);
    b = (struct batch){&f.run, json_object(), json_object(), 0};
    assert_int_equal(on_contracts(&f.ctx, item, &b), ERR_REMOTE);
    assert_string_equal(f.e.msg, "factorial: a contract version without a usable employee_id");
    json_decref(item);
    item = json_loads("[{\"id\":1,\"value\":\"x\",\"field_id\":3}]", 0, NULL);
    assert_int_equal(on_values(&f.ctx, item, &b), ERR_REMOTE);
    json_decref(item);
    assert_int_equal(json_array_size(f.c.records), 0);
    json_decref(b.contracts);
    json_decref(b.values);
    fixture_free(&f);
}

static void versions_and_delta_helpers(void **state)
{
    struct fixture f;
    json_t *a = json_pack("{s:s}", "effective_on", "2028-01-01");
    json_t *b = json_pack("{s:s}", "effective_on", "2029-01-01");
    json_t *c = json_pack("{s:s}", "effective_on", "2020-01-01");
    json_t *items, *ids = json_object();

    (void)state;
    fixture_init(&f);
    /* Nothing in effect yet: the first to be; once one is, that one. */
    assert_false(better_version(a, b, f.run.today));
    assert_true(better_version(b, a, f.run.today));
    assert_true(better_version(a, c, f.run.today));
    assert_false(better_version(c, a, f.run.today));
    json_decref(a);
    json_decref(b);
    json_decref(c);

    /* DELTA: employees whose custom values changed, other records skipped. */
    items = json_loads(values, 0, NULL);
    assert_int_equal(on_changed_values(&f.ctx, items, ids), ERR_OK);
    assert_int_equal(json_object_size(ids), 1);
    assert_non_null(json_object_get(ids, "17"));
    json_decref(items);
    json_decref(ids);
    fixture_free(&f);
}

static void cursors_are_escaped(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(conn_escape(&b, "MTc+/w=="), ERR_OK);
    assert_string_equal(buf_str(&b), "MTc%2B%2Fw%3D%3D");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(maps_the_documented_employee),
        cmocka_unit_test(terminated_employee_without_contract),
        cmocka_unit_test(future_hire_is_pending_and_contractors_are_contract),
        cmocka_unit_test(metadata_reaches_the_catalog),
        cmocka_unit_test(organisation_and_time_off),
        cmocka_unit_test(bad_items_fail_with_a_reason),
        cmocka_unit_test(versions_and_delta_helpers),
        cmocka_unit_test(cursors_are_escaped),
    };
    return cmocka_run_group_tests_name("connectors/factorial", tests, NULL, NULL);
}
