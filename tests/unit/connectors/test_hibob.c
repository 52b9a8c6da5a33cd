/*
 * Unit tests for connectors/hibob.c: field metadata into the catalog, named
 * lists into groups and locations, and the mapping of the people search's
 * documented example (nested and flattened values, {"value": …} wrappers,
 * 19-digit ids, list ids resolved) onto unified records.
 */
#include "connectors/hibob.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* GET /v1/company/people/fields, as the vendor documents it. */
static const char fields_json[] =
    "["
    "{\"id\":\"root.id\",\"name\":\"Employee ID\",\"category\":\"root\",\"jsonPath\":\"root.id\","
    "\"type\":\"text\",\"typeData\":{},\"historical\":false},"
    "{\"id\":\"root.firstName\",\"name\":\"First name\",\"category\":\"root\","
    "\"jsonPath\":\"root.firstName\",\"type\":\"text\",\"typeData\":{}},"
    "{\"id\":\"work.title\",\"name\":\"Job title\",\"category\":\"work\","
    "\"jsonPath\":\"work.title\",\"type\":\"list\",\"typeData\":{\"listId\":\"jobTitles\"}},"
    "{\"id\":\"work.department\",\"name\":\"Department\",\"category\":\"work\","
    "\"type\":\"list\",\"typeData\":{\"listId\":\"department\"}},"
    "{\"id\":\"work.site\",\"name\":\"Site\",\"category\":\"work\","
    "\"type\":\"list\",\"typeData\":{\"listId\":\"site\"}},"
    "{\"id\":\"work.custom.field_1651169416679\",\"name\":\"Shirt size\",\"category\":\"work\","
    "\"description\":null,\"jsonPath\":\"work.custom.field_1651169416679\",\"type\":\"text\","
    "\"typeData\":{},\"historical\":false},"
    "{\"id\":\"work.custom.field_1651169416680\",\"name\":\"Commute km\",\"category\":\"work\","
    "\"description\":null,\"jsonPath\":\"work.custom.field_1651169416680\",\"type\":\"number\","
    "\"typeData\":{},\"historical\":false},"
    "{\"id\":\"work.custom.field_1651169416681\",\"name\":\"Badge expiry\",\"category\":\"work\","
    "\"type\":\"date\",\"typeData\":{}},"
    "{\"id\":\"work.customColumns.column_1644862416222\",\"name\":\"Languages\","
    "\"category\":\"work\",\"type\":\"multi-list\",\"typeData\":{\"listId\":\"languages\"}},"
    "{\"id\":\"category_1645453617148.field_1645453617149\",\"name\":\"T-shirt colour\","
    "\"category\":\"category_1645453617148\",\"type\":\"text\",\"typeData\":{}},"
    "{\"name\":\"no id at all\",\"type\":\"text\"}"
    "]";

/* GET /v1/company/named-lists. */
static const char lists_json[] =
    "["
    "{\"name\":\"department\",\"values\":["
    "{\"id\":\"209192163\",\"value\":\"Engineering\",\"name\":\"Engineering\",\"archived\":false,"
    "\"children\":[{\"id\":\"209192164\",\"value\":\"Platform\",\"name\":\"Platform\","
    "\"archived\":false,\"children\":[]}]},"
    "{\"id\":\"209192165\",\"value\":\"Old\",\"name\":\"Old\",\"archived\":true,\"children\":[]}]},"
    "{\"name\":\"jobTitles\",\"values\":["
    "{\"id\":\"209192170\",\"value\":\"Backend Engineer\",\"name\":\"Backend Engineer\","
    "\"archived\":false,\"children\":[]}]},"
    "{\"name\":\"site\",\"values\":["
    "{\"id\":\"209192300\",\"value\":\"Munich\",\"name\":\"Munich\",\"archived\":false,"
    "\"children\":[]}]}"
    "]";

/* The first employee of the documented search response, plus a site. */
static const char anna[] =
    "{\"id\":\"3332883884017713238\",\"firstName\":\"Anna\",\"surname\":\"Schmidt\","
    "\"email\":\"anna.schmidt@acme.example\",\"displayName\":\"Anna Schmidt\","
    "\"work\":{\"startDate\":\"2021-03-01\",\"title\":\"209192170\",\"department\":\"209192163\","
    "\"site\":\"209192300\","
    "\"reportsTo\":{\"id\":\"3332883884017713111\",\"firstName\":\"Jonas\",\"surname\":\"Weber\","
    "\"email\":\"jonas.weber@acme.example\",\"displayName\":\"Jonas Weber\"},"
    "\"custom\":{\"field_1651169416679\":\"M\",\"field_1651169416680\":12.5,"
    "\"field_1651169416681\":\"2025-06-30\"},"
    "\"customColumns\":{\"column_1644862416222\":[\"209200001\",\"209200002\"]}},"
    "\"internal\":{\"status\":\"Active\",\"terminationDate\":null},"
    "\"home\":{\"legalGender\":\"Female\"},"
    "\"/root/id\":{\"value\":\"3332883884017713238\"},"
    "\"/root/firstName\":{\"value\":\"Anna\"},"
    "\"/root/surname\":{\"value\":\"Schmidt\"},"
    "\"/root/email\":{\"value\":\"anna.schmidt@acme.example\"},"
    "\"/root/displayName\":{\"value\":\"Anna Schmidt\"},"
    "\"/work/startDate\":{\"value\":\"2021-03-01\"},"
    "\"/work/title\":{\"value\":\"209192170\"},"
    "\"/work/department\":{\"value\":\"209192163\"},"
    "\"/work/site\":{\"value\":\"209192300\"},"
    "\"/work/reportsTo\":{\"value\":{\"id\":\"3332883884017713111\",\"firstName\":\"Jonas\","
    "\"surname\":\"Weber\",\"email\":\"jonas.weber@acme.example\","
    "\"displayName\":\"Jonas Weber\"}},"
    "\"/work/custom/field_1651169416679\":{\"value\":\"M\"},"
    "\"/work/custom/field_1651169416680\":{\"value\":12.5},"
    "\"/work/custom/field_1651169416681\":{\"value\":\"2025-06-30\"},"
    "\"/work/customColumns/column_1644862416222\":{\"value\":[\"209200001\",\"209200002\"]},"
    "\"/category_1645453617148/field_1645453617149\":{\"value\":{\"value\":1200.5,"
    "\"currency\":\"EUR\"}},"
    "\"/internal/status\":{\"value\":\"Active\"},"
    "\"/internal/terminationDate\":{\"value\":null},"
    "\"/home/legalGender\":{\"value\":\"Female\"},"
    "\"/payroll/employment/type\":{\"value\":\"Part-time\"},"
    "\"/payroll/employment/weeklyHours\":{\"value\":24},"
    "\"/work/employeeIdInCompany\":{\"value\":7},"
    "\"humanReadable\":{\"work\":{\"title\":\"Backend Engineer\",\"department\":\"Engineering\"}}}";

/* The second, abbreviated on purpose in the documentation: names only nested. */
static const char lukas[] =
    "{\"id\":\"3332883884017713239\",\"firstName\":\"Lukas\",\"surname\":\"M\xc3\xbcller\","
    "\"email\":\"lukas.mueller@acme.example\",\"displayName\":\"Lukas M\xc3\xbcller\","
    "\"work\":{\"startDate\":\"2019-09-15\",\"title\":\"209192171\",\"department\":\"209192163\","
    "\"reportsTo\":null,\"custom\":{\"field_1651169416679\":null}},"
    "\"internal\":{\"status\":\"Inactive\",\"terminationDate\":\"2024-03-31\"},"
    "\"home\":{\"legalGender\":\"Male\"},"
    "\"/root/id\":{\"value\":\"3332883884017713239\"},"
    "\"/internal/status\":{\"value\":\"Inactive\"},"
    "\"/internal/terminationDate\":{\"value\":\"2024-03-31\"}}";

struct captured {
    json_t *records; /* [{model, remote_id, unified, raw, links}] */
    json_t *fields;  /* "model/key" -> {label, custom} */
    int pages;
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
    struct captured *c = ud;

    c->pages++;
    return ERR_OK;
}

/* The record of model with remote_id (any when NULL), or NULL. */
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

struct fixture {
    struct captured c;
    struct conn_sink sink;
    struct conn_ctx ctx;
    struct err e;
    struct run st;
};

static void fixture_init(struct fixture *f, int with_metadata)
{
    json_t *j;

    memset(f, 0, sizeof(*f));
    f->c.records = json_array();
    f->c.fields = json_object();
    f->sink.field = on_field;
    f->sink.record = on_record;
    f->sink.page_done = on_page;
    f->sink.ud = &f->c;
    f->ctx.err = &f->e;
    err_init(&f->e);
    run_init(&f->st, &f->ctx, &f->sink);
    if (!with_metadata)
        return;
    j = json_loads(fields_json, 0, NULL);
    assert_non_null(j);
    assert_int_equal(take_fields(&f->st, j), ERR_OK);
    json_decref(j);
    j = json_loads(lists_json, 0, NULL);
    assert_non_null(j);
    assert_int_equal(take_lists(&f->st, j), ERR_OK);
    json_decref(j);
}

static void fixture_free(struct fixture *f)
{
    run_free(&f->st);
    json_decref(f->c.records);
    json_decref(f->c.fields);
}

static json_t *field(const struct fixture *f, const char *model_key)
{
    return json_object_get(f->c.fields, model_key);
}

/* ---- tests ---------------------------------------------------------------- */

static void metadata_becomes_the_catalog(void **state)
{
    struct fixture f;
    const char *key;
    json_t *x;
    size_t i;
    int has_custom = 0, has_title = 0, n;

    (void)state;
    fixture_init(&f, 1);
    /* Labels from the metadata; custom fields in built-in and custom categories. */
    x = field(&f, "hris_employees/work.custom.field_1651169416680");
    assert_non_null(x);
    assert_string_equal(jsonx_str(x, "label"), "Commute km");
    assert_true(json_is_true(json_object_get(x, "custom")));
    x = field(&f, "hris_employees/work.customColumns.column_1644862416222");
    assert_true(json_is_true(json_object_get(x, "custom")));
    x = field(&f, "hris_employees/category_1645453617148.field_1645453617149");
    assert_string_equal(jsonx_str(x, "label"), "T-shirt colour");
    assert_true(json_is_true(json_object_get(x, "custom")));
    x = field(&f, "hris_employees/work.title");
    assert_string_equal(jsonx_str(x, "label"), "Job title");
    assert_true(json_is_false(json_object_get(x, "custom")));
    n = 0;
    json_object_foreach (f.c.fields, key, x)
        n += strncmp(key, "hris_employees/", 15) == 0;
    assert_int_equal(n, 10); /* the one without an id is skipped */

    /* The searches ask for root.id first, the mapped fields and every listed one. */
    assert_string_equal(json_string_value(json_array_get(f.st.paths, 0)), "root.id");
    json_array_foreach (f.st.paths, i, x) {
        has_custom |= !strcmp(json_string_value(x), "category_1645453617148.field_1645453617149");
        has_title += !strcmp(json_string_value(x), "work.title");
    }
    assert_true(has_custom);
    assert_int_equal(has_title, 1); /* mapped and listed: asked for once */
    assert_string_equal(jsonx_str(f.st.flat, "/work/custom/field_1651169416680"),
                        "work.custom.field_1651169416680");

    /* Department items became groups, site items locations; archived ones not. */
    x = record_of(f.c.records, "hris_teams", "209192163");
    assert_non_null(x);
    assert_string_equal(jsonx_str(json_object_get(x, "unified"), "name"), "Engineering");
    assert_string_equal(jsonx_str(json_object_get(x, "unified"), "type"), "DEPARTMENT");
    assert_null(json_object_get(json_object_get(x, "raw"), "children"));
    assert_non_null(record_of(f.c.records, "hris_teams", "209192164")); /* a child */
    assert_null(record_of(f.c.records, "hris_teams", "209192165"));     /* archived */
    x = record_of(f.c.records, "hris_locations", "209192300");
    assert_string_equal(jsonx_str(json_object_get(x, "unified"), "name"), "Munich");
    assert_string_equal(jsonx_str(json_object_get(x, "unified"), "type"), "OFFICE");
    assert_int_equal(json_array_size(f.c.records), 3);
    fixture_free(&f);
}

static void maps_the_documented_person(void **state)
{
    struct fixture f;
    json_t *emp = json_loads(anna, 0, NULL), *rec, *u, *raw, *links, *v;

    (void)state;
    fixture_init(&f, 1);
    assert_non_null(emp);
    json_array_clear(f.c.records);
    assert_int_equal(map_employee(&f.st, emp), ERR_OK);

    rec = record_of(f.c.records, "hris_employees", NULL);
    assert_non_null(rec);
    /* The 19-digit id exactly, as a string. */
    assert_string_equal(jsonx_str(rec, "remote_id"), "3332883884017713238");
    u = json_object_get(rec, "unified");
    assert_string_equal(jsonx_str(u, "first_name"), "Anna");
    assert_string_equal(jsonx_str(u, "last_name"), "Schmidt");
    assert_string_equal(jsonx_str(u, "display_full_name"), "Anna Schmidt");
    assert_string_equal(jsonx_str(u, "work_email"), "anna.schmidt@acme.example");
    assert_string_equal(jsonx_str(u, "gender"), "FEMALE");
    assert_string_equal(jsonx_str(u, "employment_status"), "ACTIVE");
    assert_string_equal(jsonx_str(u, "employment_type"), "PART_TIME");
    assert_true(json_number_value(json_object_get(u, "weekly_hours")) == 24.0);
    assert_string_equal(jsonx_str(u, "employee_number"), "7");
    assert_string_equal(jsonx_str(u, "start_date"), "2021-03-01T00:00:00.000Z");
    assert_true(json_is_null(json_object_get(u, "termination_date")));
    assert_true(json_is_null(json_object_get(u, "date_of_birth")));
    /* The list id resolved through the named list the metadata names. */
    assert_string_equal(jsonx_str(u, "job_title"), "Backend Engineer");

    links = json_object_get(rec, "links");
    assert_string_equal(jsonx_str(links, "manager_id"), "3332883884017713111");
    assert_string_equal(jsonx_str(links, "group_id"), "209192163");
    assert_string_equal(jsonx_str(links, "work_location_id"), "209192300");

    /* Raw: keyed by the metadata's field path, the value inside {"value"}. */
    raw = json_object_get(rec, "raw");
    v = json_object_get(raw, "root.id");
    assert_true(json_is_string(v));
    assert_string_equal(json_string_value(v), "3332883884017713238");
    assert_string_equal(jsonx_str(raw, "work.custom.field_1651169416679"), "M");
    v = json_object_get(raw, "work.custom.field_1651169416680");
    assert_true(json_is_real(v) && json_real_value(v) == 12.5);
    v = json_object_get(raw, "work.customColumns.column_1644862416222");
    assert_true(json_is_array(v));
    assert_string_equal(json_string_value(json_array_get(v, 1)), "209200002");
    assert_string_equal(jsonx_str(raw, "work.title"), "209192170"); /* the id, as sent */
    /* One wrapper is taken off, not the value's own "value" member. */
    v = json_object_get(raw, "category_1645453617148.field_1645453617149");
    assert_true(json_is_object(v));
    assert_true(json_real_value(json_object_get(v, "value")) == 1200.5);
    assert_string_equal(jsonx_str(v, "currency"), "EUR");
    assert_true(json_is_null(json_object_get(raw, "internal.terminationDate")));
    assert_true(json_is_object(json_object_get(raw, "work.reportsTo")));
    assert_true(json_is_integer(json_object_get(raw, "work.employeeIdInCompany")));
    assert_null(json_object_get(raw, "/root/id"));
    assert_null(json_object_get(raw, "humanReadable"));
    assert_null(json_object_get(raw, "work"));

    /* Keys the metadata did not list are fields too, without a label. */
    assert_non_null(field(&f, "hris_employees/payroll.employment.type"));
    assert_true(
        json_is_null(json_object_get(field(&f, "hris_employees/internal.status"), "label")));

    /* The employment. */
    rec = record_of(f.c.records, "hris_employments", "3332883884017713238");
    assert_non_null(rec);
    u = json_object_get(rec, "unified");
    assert_string_equal(jsonx_str(u, "job_title"), "Backend Engineer");
    assert_string_equal(jsonx_str(u, "employment_type"), "PART_TIME");
    assert_string_equal(jsonx_str(u, "effective_date"), "2021-03-01T00:00:00.000Z");
    assert_string_equal(jsonx_str(json_object_get(rec, "links"), "employee_id"),
                        "3332883884017713238");
    assert_string_equal(jsonx_str(json_object_get(rec, "raw"), "work.title"), "209192170");
    assert_non_null(field(&f, "hris_employments/work.startDate"));
    assert_int_equal(json_array_size(f.c.records), 2);

    /* Its id is kept for the balances. */
    assert_string_equal(json_string_value(json_array_get(f.st.ids, 0)), "3332883884017713238");
    json_decref(emp);
    fixture_free(&f);
}

static void nested_only_values_and_leavers(void **state)
{
    struct fixture f;
    json_t *emp = json_loads(lukas, 0, NULL), *rec, *u, *raw;

    (void)state;
    fixture_init(&f, 1);
    assert_non_null(emp);
    assert_int_equal(map_employee(&f.st, emp), ERR_OK);
    rec = record_of(f.c.records, "hris_employees", "3332883884017713239");
    assert_non_null(rec);
    u = json_object_get(rec, "unified");
    /* Names came only nested: taken from there. */
    assert_string_equal(jsonx_str(u, "first_name"), "Lukas");
    assert_string_equal(jsonx_str(u, "last_name"), "M\xc3\xbcller");
    assert_string_equal(jsonx_str(u, "employment_status"), "INACTIVE");
    assert_string_equal(jsonx_str(u, "termination_date"), "2024-03-31T00:00:00.000Z");
    assert_string_equal(jsonx_str(u, "gender"), "MALE");
    /* A title id the list does not know gives no title, not the id. */
    assert_true(json_is_null(json_object_get(u, "job_title")));
    /* Only the department: reportsTo is null. */
    assert_int_equal(json_object_size(json_object_get(rec, "links")), 1);
    assert_string_equal(jsonx_str(json_object_get(rec, "links"), "group_id"), "209192163");
    raw = json_object_get(rec, "raw");
    assert_string_equal(jsonx_str(raw, "root.firstName"), "Lukas");
    assert_true(json_is_null(json_object_get(raw, "work.reportsTo")));
    assert_true(json_is_null(json_object_get(raw, "work.custom.field_1651169416679")));
    json_decref(emp);
    fixture_free(&f);
}

static void future_hires_are_pending_and_ids_stay_exact(void **state)
{
    struct fixture f;
    json_t *emp, *rec;

    (void)state;
    fixture_init(&f, 0);
    /* An integer id (not HiBob's usual string) keeps every digit. */
    emp = json_loads("{\"/root/id\":{\"value\":3332883884017713238},"
                     "\"/work/startDate\":{\"value\":\"2999-01-01\"},"
                     "\"/internal/status\":{\"value\":\"Active\"},"
                     "\"/home/legalGender\":{\"value\":\"Other\"},"
                     "\"/work/reportsTo\":{\"value\":{\"id\":\"3332883884017721157\"}}}",
                     0, NULL);
    assert_non_null(emp);
    assert_int_equal(map_employee(&f.st, emp), ERR_OK);
    rec = record_of(f.c.records, "hris_employees", NULL);
    assert_string_equal(jsonx_str(rec, "remote_id"), "3332883884017713238");
    assert_string_equal(jsonx_str(json_object_get(rec, "unified"), "employment_status"), "PENDING");
    assert_string_equal(jsonx_str(json_object_get(rec, "unified"), "gender"), "NON_BINARY");
    assert_string_equal(jsonx_str(json_object_get(rec, "links"), "manager_id"),
                        "3332883884017721157");
    /* Without metadata, the flattened key gives the path; no label. */
    assert_non_null(field(&f, "hris_employees/work.startDate"));
    json_decref(emp);
    fixture_free(&f);
}

static void bad_data_fails_with_a_reason(void **state)
{
    struct fixture f;
    json_t *emp;

    (void)state;
    fixture_init(&f, 0);
    emp = json_loads("{\"/root/firstName\":{\"value\":\"x\"}}", 0, NULL);
    assert_int_equal(map_employee(&f.st, emp), ERR_REMOTE);
    assert_string_equal(f.e.msg, "hibob: a search result without a usable root.id");
    json_decref(emp);
    /* A real number cannot be an id: it may have lost digits. */
    emp = json_loads("{\"/root/id\":{\"value\":3.3328838840177132e18}}", 0, NULL);
    assert_int_equal(map_employee(&f.st, emp), ERR_REMOTE);
    json_decref(emp);
    emp = json_string("not an employee");
    assert_int_equal(map_employee(&f.st, emp), ERR_REMOTE);
    json_decref(emp);
    assert_int_equal(json_array_size(f.c.records), 0);

    emp = json_loads("{\"employees\":[]}", 0, NULL);
    assert_int_equal(take_fields(&f.st, emp), ERR_REMOTE);
    assert_string_equal(f.e.msg, "hibob: GET /v1/company/people/fields sent no list");
    json_decref(emp);
    fixture_free(&f);
}

static void time_off_entries(void **state)
{
    struct fixture f;
    json_t *a, *rec, *u;

    (void)state;
    fixture_init(&f, 0);
    a = json_loads("{\"employeeId\":\"3332883884017713238\",\"employeeDisplayName\":\"Anna\","
                   "\"requestId\":12,\"policyTypeDisplayName\":\"Vacation\",\"type\":\"days\","
                   "\"startDate\":\"2026-05-04\",\"startDatePortion\":\"afternoon\","
                   "\"endDate\":\"2026-05-06\",\"endDatePortion\":\"all_day\"}",
                   0, NULL);
    assert_int_equal(map_absence(&f.st, a), ERR_OK);
    rec = record_of(f.c.records, "hris_absences", "12");
    assert_non_null(rec);
    u = json_object_get(rec, "unified");
    assert_string_equal(jsonx_str(u, "start_date"), "2026-05-04T00:00:00.000Z");
    assert_string_equal(jsonx_str(u, "end_date"), "2026-05-06T00:00:00.000Z");
    assert_true(json_is_true(json_object_get(u, "start_half_day")));
    assert_true(json_is_false(json_object_get(u, "end_half_day")));
    assert_string_equal(jsonx_str(u, "unit"), "DAYS");
    assert_string_equal(jsonx_str(u, "status"), "APPROVED");
    assert_string_equal(jsonx_str(json_object_get(rec, "links"), "employee_id"),
                        "3332883884017713238");
    assert_string_equal(jsonx_str(json_object_get(rec, "links"), "type_id"), "Vacation");
    assert_non_null(field(&f, "hris_absences/policyTypeDisplayName"));
    json_decref(a);
    a = json_loads("{\"employeeId\":\"1\"}", 0, NULL);
    assert_int_equal(map_absence(&f.st, a), ERR_REMOTE);
    assert_string_equal(f.e.msg, "hibob: a time-off entry without a requestId");
    json_decref(a);
    fixture_free(&f);
}

static void credentials_make_a_basic_header(void **state)
{
    struct conn_ctx ctx;
    struct err e;
    json_t *cred =
        json_pack("{s:s, s:s}", "service_user_id", "sim-user", "service_user_token", "sim-token");
    char h[256];

    (void)state;
    memset(&ctx, 0, sizeof(ctx));
    ctx.err = &e;
    ctx.credentials = cred;
    assert_int_equal(auth_header(&ctx, h, sizeof(h)), ERR_OK);
    assert_string_equal(h, "Authorization: Basic c2ltLXVzZXI6c2ltLXRva2Vu");
    json_decref(cred);
    memset(&ctx, 0, sizeof(ctx));
    ctx.err = &e;
    cred = json_pack("{s:s}", "service_user_id", "sim-user");
    ctx.credentials = cred;
    assert_int_equal(make_auth(&ctx), ERR_INVALID);
    assert_null(strstr(e.msg, "sim-user"));
    json_decref(cred);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metadata_becomes_the_catalog),
        cmocka_unit_test(maps_the_documented_person),
        cmocka_unit_test(nested_only_values_and_leavers),
        cmocka_unit_test(future_hires_are_pending_and_ids_stay_exact),
        cmocka_unit_test(bad_data_fails_with_a_reason),
        cmocka_unit_test(time_off_entries),
        cmocka_unit_test(credentials_make_a_basic_header),
    };
    return cmocka_run_group_tests_name("connectors/hibob", tests, NULL, NULL);
}
