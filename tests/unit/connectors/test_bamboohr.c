/*
 * Unit tests for connectors/bamboohr.c: a custom-report row in the shape of
 * the vendor's documentation mapped onto unified records, the field metadata
 * turned into the field catalog, the list metadata into groups, locations
 * and legal entities, and the changed feed's deletions into tombstones.
 */
#include "connectors/bamboohr.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* The documented example row, plus the fields this connector also asks for. */
static const char anna[] =
    "{\"id\":\"123\",\"employeeNumber\":\"E-0042\",\"firstName\":\"Anna\",\"lastName\":"
    "\"Schmidt\",\"displayName\":\"Anna Schmidt\",\"workEmail\":\"anna.schmidt@acme.example\","
    "\"homeEmail\":\"anna@private.example\",\"status\":\"Active\",\"hireDate\":\"2021-03-01\","
    "\"terminationDate\":null,\"dateOfBirth\":\"1990-04-12\",\"gender\":\"Female\","
    "\"supervisorEId\":\"124\",\"jobTitle\":\"Backend Engineer\",\"department\":\"Engineering\","
    "\"division\":\"Acme GmbH\",\"location\":\"Munich\",\"employmentHistoryStatus\":\"Part-Time\","
    "\"standardHoursPerWeek\":\"30\",\"payRate\":\"62400.00\",\"customShirtSize\":\"M\","
    "\"4047\":\"12\",\"4048\":\"2025-06-30\"}";

static const char lukas[] =
    "{\"id\":\"124\",\"employeeNumber\":\"E-0007\",\"firstName\":\"Lukas\",\"lastName\":"
    "\"M\xc3\xbcller\",\"workEmail\":\"lukas.mueller@acme.example\",\"status\":\"Inactive\","
    "\"hireDate\":\"2019-09-15\",\"terminationDate\":\"2024-03-31\",\"dateOfBirth\":"
    "\"0000-00-00\",\"gender\":\"Non-binary\",\"supervisorEId\":null,\"jobTitle\":"
    "\"Engineering Manager\",\"department\":\"Research\",\"employmentHistoryStatus\":"
    "\"Terminated\",\"payRate\":\"5000.00 EUR\",\"payPer\":\"Month\",\"customShirtSize\":null,"
    "\"4047\":null,\"4048\":\"\"}";

static const char future[] = "{\"id\":\"125\",\"firstName\":\"Zo\xc3\xab\",\"status\":\"Active\","
                             "\"hireDate\":\"2999-01-01\",\"dateOfBirth\":\"\"}";

static const char meta_fields[] =
    "[{\"id\":1,\"name\":\"First Name\",\"type\":\"text\",\"alias\":\"firstName\"},"
    "{\"id\":\"4340.4\",\"name\":\"Sub field\",\"type\":\"text\"},"
    "{\"id\":4047,\"name\":\"Commute km\",\"type\":\"decimal\"},"
    "{\"id\":4049,\"name\":\"Shirt size\",\"type\":\"list\",\"alias\":\"customShirtSize\"},"
    "{\"id\":17,\"name\":\"Old thing\",\"type\":\"text\",\"alias\":\"oldThing\","
    "\"deprecated\":true}]";

static const char meta_lists[] =
    "[{\"fieldId\":18,\"alias\":\"department\",\"manageable\":\"yes\",\"multiple\":\"no\","
    "\"name\":\"Department\",\"options\":[{\"id\":7,\"archived\":\"no\",\"name\":\"Engineering\"},"
    "{\"id\":8,\"archived\":\"yes\",\"name\":\"Old dept\"}]},"
    "{\"fieldId\":19,\"alias\":\"division\",\"options\":[{\"id\":3,\"archived\":\"no\","
    "\"name\":\"Acme GmbH\"}]},"
    "{\"fieldId\":20,\"alias\":\"location\",\"options\":[{\"id\":5,\"archived\":\"no\","
    "\"name\":\"Munich\"}]},"
    "{\"fieldId\":4049,\"alias\":\"customShirtSize\",\"options\":[{\"id\":1,\"name\":\"M\"}]}]";

struct captured {
    json_t *records; /* [{model, remote_id, unified, raw, links}] */
    json_t *fields;  /* "model/key" -> {label, custom} */
    json_t *deleted; /* ["model/remote_id"] */
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

static int on_deleted(void *ud, enum model m, const char *remote_id)
{
    struct captured *c = ud;
    char k[256];

    snprintf(k, sizeof(k), "%s/%s", models_get(m)->id, remote_id);
    json_array_append_new(c->deleted, json_string(k));
    return ERR_OK;
}

static int on_page(void *ud)
{
    struct captured *c = ud;

    c->pages++;
    return ERR_OK;
}

static json_t *find(json_t *records, const char *model, const char *rid)
{
    json_t *r;
    size_t i;

    json_array_foreach (records, i, r) {
        if (!strcmp(json_string_value(json_object_get(r, "model")), model) &&
            (!rid || !strcmp(json_string_value(json_object_get(r, "remote_id")), rid)))
            return r;
    }
    return NULL;
}

static size_t count(json_t *records, const char *model)
{
    json_t *r;
    size_t i, n = 0;

    json_array_foreach (records, i, r)
        n += !strcmp(json_string_value(json_object_get(r, "model")), model);
    return n;
}

struct fixture {
    struct captured c;
    struct conn_sink sink;
    struct conn_ctx ctx;
    struct err e;
    struct run st;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    f->c.records = json_array();
    f->c.fields = json_object();
    f->c.deleted = json_array();
    f->sink = (struct conn_sink){on_field, on_record, on_deleted, on_page, &f->c, NULL, NULL, NULL};
    f->ctx.err = &f->e;
    run_init(&f->st, &f->ctx, &f->sink);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    run_free(&f->st);
    json_decref(f->c.records);
    json_decref(f->c.fields);
    json_decref(f->c.deleted);
    free(f);
    return 0;
}

static void take(struct fixture *f, const char *text, int (*fn)(struct run *, json_t *))
{
    json_t *j = json_loads(text, 0, NULL);

    assert_non_null(j);
    assert_int_equal(fn(&f->st, j), ERR_OK);
    json_decref(j);
}

static void map(struct fixture *f, const char *text)
{
    json_t *row = json_loads(text, 0, NULL);

    assert_non_null(row);
    assert_int_equal(map_employee(&f->st, row), ERR_OK);
    json_decref(row);
}

static void maps_the_documented_row(void **state)
{
    struct fixture *f = *state;
    json_t *emp, *u, *raw, *links, *job;

    take(f, meta_lists, take_lists);
    map(f, anna);

    emp = find(f->c.records, "hris_employees", "123");
    assert_non_null(emp);
    u = json_object_get(emp, "unified");
    assert_string_equal(jsonx_str(u, "employee_number"), "E-0042");
    assert_string_equal(jsonx_str(u, "first_name"), "Anna");
    assert_string_equal(jsonx_str(u, "display_full_name"), "Anna Schmidt");
    assert_string_equal(jsonx_str(u, "work_email"), "anna.schmidt@acme.example");
    assert_string_equal(jsonx_str(u, "personal_email"), "anna@private.example");
    assert_string_equal(jsonx_str(u, "gender"), "FEMALE");
    assert_string_equal(jsonx_str(u, "employment_status"), "ACTIVE");
    assert_string_equal(jsonx_str(u, "employment_type"), "PART_TIME");
    assert_string_equal(jsonx_str(u, "job_title"), "Backend Engineer");
    assert_int_equal(json_integer_value(json_object_get(u, "weekly_hours")), 30);
    assert_string_equal(jsonx_str(u, "start_date"), "2021-03-01T00:00:00.000Z");
    assert_string_equal(jsonx_str(u, "date_of_birth"), "1990-04-12T00:00:00.000Z");
    assert_true(json_is_null(json_object_get(u, "termination_date")));
    /* Links by remote id: list values by their option ids. */
    links = json_object_get(emp, "links");
    assert_string_equal(jsonx_str(links, "manager_id"), "124");
    assert_string_equal(jsonx_str(links, "group_id"), "7");
    assert_string_equal(jsonx_str(links, "work_location_id"), "5");
    assert_string_equal(jsonx_str(links, "legal_entity_id"), "3");
    /* Raw values exactly as received: strings stay strings. */
    raw = json_object_get(emp, "raw");
    assert_string_equal(jsonx_str(raw, "4047"), "12");
    assert_string_equal(jsonx_str(raw, "customShirtSize"), "M");
    assert_string_equal(jsonx_str(raw, "standardHoursPerWeek"), "30");
    assert_true(json_is_null(json_object_get(raw, "terminationDate")));

    /* The employment, from the job fields. */
    job = find(f->c.records, "hris_employments", "123");
    assert_non_null(job);
    u = json_object_get(job, "unified");
    assert_true(json_real_value(json_object_get(u, "pay_rate")) == 62400.0);
    assert_string_equal(jsonx_str(u, "pay_period"), "YEAR");
    assert_true(json_is_null(json_object_get(u, "pay_currency")));
    assert_string_equal(jsonx_str(u, "employment_type"), "PART_TIME");
    assert_string_equal(jsonx_str(u, "effective_date"), "2021-03-01T00:00:00.000Z");
    assert_string_equal(jsonx_str(json_object_get(job, "links"), "employee_id"), "123");
    assert_null(json_object_get(json_object_get(job, "raw"), "firstName"));

    /* What the lists hold, archived options left out. */
    assert_string_equal(
        jsonx_str(json_object_get(find(f->c.records, "hris_teams", "7"), "unified"), "type"),
        "DEPARTMENT");
    assert_null(find(f->c.records, "hris_teams", "8"));
    assert_string_equal(
        jsonx_str(json_object_get(find(f->c.records, "hris_locations", "5"), "unified"), "name"),
        "Munich");
    assert_non_null(find(f->c.records, "hris_legal_entities", "3"));
    assert_int_equal(count(f->c.records, "hris_teams"), 2); /* once from the list, once nested */
}

static void maps_terminated_and_future_people(void **state)
{
    struct fixture *f = *state;
    json_t *u, *job;

    take(f, meta_lists, take_lists);
    map(f, lukas);
    map(f, future);

    u = json_object_get(find(f->c.records, "hris_employees", "124"), "unified");
    assert_string_equal(jsonx_str(u, "employment_status"), "INACTIVE");
    assert_string_equal(jsonx_str(u, "gender"), "NON_BINARY");
    assert_string_equal(jsonx_str(u, "termination_date"), "2024-03-31T00:00:00.000Z");
    assert_true(json_is_null(json_object_get(u, "date_of_birth")));   /* "0000-00-00" */
    assert_true(json_is_null(json_object_get(u, "employment_type"))); /* "Terminated" */
    assert_string_equal(jsonx_str(u, "display_full_name"), "Lukas M\xc3\xbcller");
    /* No manager, no location: no links for them. */
    assert_null(json_object_get(
        json_object_get(find(f->c.records, "hris_employees", "124"), "links"), "manager_id"));
    /* A department the list does not hold is known by its name. */
    assert_string_equal(
        jsonx_str(json_object_get(find(f->c.records, "hris_employees", "124"), "links"),
                  "group_id"),
        "Research");
    assert_non_null(find(f->c.records, "hris_teams", "Research"));
    job = find(f->c.records, "hris_employments", "124");
    u = json_object_get(job, "unified");
    assert_true(json_real_value(json_object_get(u, "pay_rate")) == 5000.0);
    assert_string_equal(jsonx_str(u, "pay_currency"), "EUR");
    assert_string_equal(jsonx_str(u, "pay_period"), "MONTH");

    u = json_object_get(find(f->c.records, "hris_employees", "125"), "unified");
    assert_string_equal(jsonx_str(u, "employment_status"), "PENDING");
    assert_string_equal(jsonx_str(u, "display_full_name"), "Zo\xc3\xab");
    assert_true(json_is_null(json_object_get(u, "date_of_birth"))); /* "" */
    assert_true(json_is_null(json_object_get(u, "last_name")));     /* absent */
}

static void rejects_a_row_without_id(void **state)
{
    struct fixture *f = *state;
    json_t *row = json_loads("{\"firstName\":\"X\"}", 0, NULL);

    assert_int_equal(map_employee(&f->st, row), ERR_REMOTE);
    assert_non_null(strstr(f->e.msg, "id"));
    assert_int_equal(json_array_size(f->c.records), 0);
    json_decref(row);
}

static void field_metadata_becomes_the_catalog(void **state)
{
    struct fixture *f = *state;
    json_t *x;
    size_t i;
    int n4047 = 0, nfirst = 0;

    take(f, meta_fields, take_fields);
    /* Keys: the alias, else the id; CUSTOM for custom aliases and bare ids. */
    x = json_object_get(f->c.fields, "hris_employees/firstName");
    assert_string_equal(jsonx_str(x, "label"), "First Name");
    assert_true(json_is_false(json_object_get(x, "custom")));
    x = json_object_get(f->c.fields, "hris_employees/4047");
    assert_string_equal(jsonx_str(x, "label"), "Commute km");
    assert_true(json_is_true(json_object_get(x, "custom")));
    x = json_object_get(f->c.fields, "hris_employees/customShirtSize");
    assert_string_equal(jsonx_str(x, "label"), "Shirt size");
    assert_true(json_is_true(json_object_get(x, "custom")));
    assert_non_null(json_object_get(f->c.fields, "hris_employees/4340.4"));
    assert_null(json_object_get(f->c.fields, "hris_employees/oldThing"));

    /* Report keys: the mapped standard fields and every listed one, once each. */
    json_array_foreach (f->st.keys, i, x) {
        n4047 += !strcmp(json_string_value(x), "4047");
        nfirst += !strcmp(json_string_value(x), "firstName");
        assert_string_not_equal(json_string_value(x), "oldThing");
        assert_string_not_equal(json_string_value(x), "id");
    }
    assert_int_equal(n4047, 1);
    assert_int_equal(nfirst, 1);
    assert_non_null(json_object_get(f->st.catalog, "customShirtSize"));

    /* A row's fields take the catalog's labels. */
    map(f, anna);
    x = json_object_get(f->c.fields, "hris_employees/4047");
    assert_string_equal(jsonx_str(x, "label"), "Commute km");
    x = json_object_get(f->c.fields, "hris_employments/jobTitle");
    assert_non_null(x);
    assert_true(json_is_false(json_object_get(x, "custom")));
}

static void bad_metadata_fails_readably(void **state)
{
    struct fixture *f = *state;
    json_t *j = json_loads("{\"error\":\"nope\"}", 0, NULL);

    assert_int_equal(take_fields(&f->st, j), ERR_REMOTE);
    assert_non_null(strstr(f->e.msg, "meta/fields"));
    assert_int_equal(take_lists(&f->st, j), ERR_REMOTE);
    assert_int_equal(take_changes(&f->st, j, f->c.records), ERR_REMOTE);
    assert_non_null(strstr(f->e.msg, "changed"));
    json_decref(j);
}

static void changed_feed_gives_ids_and_tombstones(void **state)
{
    struct fixture *f = *state;
    json_t *ids = json_array();
    json_t *j = json_loads("{\"latest\":\"2024-05-02T09:14:03+00:00\",\"employees\":{"
                           "\"123\":{\"id\":\"123\",\"action\":\"Updated\",\"lastChanged\":\"2024-"
                           "05-02T09:14:03+00:00\"},"
                           "\"131\":{\"id\":\"131\",\"action\":\"Deleted\",\"lastChanged\":\"2024-"
                           "05-01T17:00:00+00:00\"},"
                           "\"140\":{\"action\":\"Inserted\"}}}",
                           0, NULL);

    json_array_append_new(f->st.types, json_string("78"));
    assert_int_equal(take_changes(&f->st, j, ids), ERR_OK);
    assert_int_equal(json_array_size(ids), 2);
    assert_string_equal(json_string_value(json_array_get(ids, 0)), "123");
    assert_string_equal(json_string_value(json_array_get(ids, 1)), "140");
    assert_int_equal(json_array_size(f->c.deleted), 3);
    assert_string_equal(json_string_value(json_array_get(f->c.deleted, 0)), "hris_employees/131");
    assert_string_equal(json_string_value(json_array_get(f->c.deleted, 1)), "hris_employments/131");
    assert_string_equal(json_string_value(json_array_get(f->c.deleted, 2)),
                        "hris_time_off_balances/131-78");
    json_decref(j);

    /* Nothing changed: PHP's empty map is []. */
    j = json_loads("{\"latest\":\"2024-05-02T09:14:03+00:00\",\"employees\":[]}", 0, NULL);
    assert_int_equal(take_changes(&f->st, j, ids), ERR_OK);
    assert_int_equal(json_array_size(ids), 2);
    json_decref(j);
    json_decref(ids);
}

/* GET /v1/time_off/requests items: every status word BambooHR (and hrsim's
 * BambooHR: pending, rejected) sends becomes the unified enum, none leaks. */
static void time_off_request_statuses(void **state)
{
    struct fixture *f = *state;
    static const char *const cases[][2] = {{"approved", "APPROVED"},   {"requested", "REQUESTED"},
                                           {"pending", "REQUESTED"},   {"denied", "DECLINED"},
                                           {"rejected", "DECLINED"},   {"canceled", "CANCELLED"},
                                           {"superceded", "CANCELLED"}};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[512], rid[16];
        json_t *a, *u;

        snprintf(rid, sizeof(rid), "%zu", 1000 + i);
        snprintf(text, sizeof(text),
                 "{\"id\":\"%s\",\"employeeId\":\"123\",\"status\":{\"lastChanged\":"
                 "\"2025-08-20\",\"lastChangedByUserId\":\"1\",\"status\":\"%s\"},"
                 "\"name\":\"Anna Schmidt\",\"start\":\"2025-09-01\",\"end\":\"2025-09-03\","
                 "\"created\":\"2025-08-20\",\"type\":{\"id\":\"78\",\"name\":\"Vacation\"},"
                 "\"amount\":{\"unit\":\"days\",\"amount\":\"2.5\"},\"notes\":{}}",
                 rid, cases[i][0]);
        a = json_loads(text, 0, NULL);
        assert_non_null(a);
        assert_int_equal(map_absence(&f->st, a), ERR_OK);
        json_decref(a);
        u = json_object_get(find(f->c.records, "hris_absences", rid), "unified");
        assert_string_equal(jsonx_str(u, "status"), cases[i][1]);
        assert_string_equal(jsonx_str(u, "start_date"), "2025-09-01T00:00:00.000Z");
        assert_string_equal(jsonx_str(u, "end_date"), "2025-09-03T00:00:00.000Z");
        assert_true(json_real_value(json_object_get(u, "amount")) == 2.5);
        assert_string_equal(jsonx_str(u, "unit"), "DAYS");
    }
}

static void money_and_headers(void **state)
{
    json_t *amount, *currency, *v = json_pack("{s:s, s:s}", "value", "27000.00", "currency", "USD");
    struct fetch_resp r;
    char out[64];

    (void)state;
    split_money(v, &amount, &currency);
    assert_true(json_real_value(amount) == 27000.0);
    assert_string_equal(json_string_value(currency), "USD");
    json_decref(amount);
    json_decref(currency);
    json_decref(v);
    split_money(NULL, &amount, &currency);
    assert_true(json_is_null(amount) && json_is_null(currency));

    memset(&r, 0, sizeof(r));
    buf_init(&r.headers, 4096);
    buf_append_str(&r.headers, "HTTP/1.1 401 Unauthorized\r\nx-bamboohr-error-message:  "
                               "Invalid API key\r\nContent-Length: 0\r\n\r\n");
    resp_header(&r, "X-BambooHR-Error-Message", out, sizeof(out));
    assert_string_equal(out, "Invalid API key");
    resp_header(&r, "Retry-After", out, sizeof(out));
    assert_string_equal(out, "");
    buf_free(&r.headers);
}

static void basic_auth_from_the_key(void **state)
{
    struct fixture *f = *state;
    json_t *creds = json_pack("{s:s, s:s}", "company_domain", "acme", "api_key", "sim-key");
    char out[256];

    f->ctx.credentials = creds;
    assert_int_equal(make_auth(&f->ctx), ERR_OK);
    /* base64("sim-key:x") */
    assert_string_equal(f->ctx.token, "Authorization: Basic c2ltLWtleTp4");
    assert_int_equal(auth_header(&f->ctx, out, sizeof(out)), ERR_OK);
    assert_string_equal(out, f->ctx.token);
    json_decref(creds);
    creds = json_pack("{s:s}", "company_domain", "acme");
    f->ctx.credentials = creds;
    f->ctx.token[0] = '\0';
    assert_int_equal(make_auth(&f->ctx), ERR_INVALID);
    assert_non_null(strstr(f->e.msg, "api_key"));
    json_decref(creds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(maps_the_documented_row, setup, teardown),
        cmocka_unit_test_setup_teardown(maps_terminated_and_future_people, setup, teardown),
        cmocka_unit_test_setup_teardown(rejects_a_row_without_id, setup, teardown),
        cmocka_unit_test_setup_teardown(field_metadata_becomes_the_catalog, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_metadata_fails_readably, setup, teardown),
        cmocka_unit_test_setup_teardown(changed_feed_gives_ids_and_tombstones, setup, teardown),
        cmocka_unit_test_setup_teardown(time_off_request_statuses, setup, teardown),
        cmocka_unit_test(money_and_headers),
        cmocka_unit_test_setup_teardown(basic_auth_from_the_key, setup, teardown),
    };
    return cmocka_run_group_tests_name("connectors/bamboohr", tests, NULL, NULL);
}
