/*
 * Unit tests for sim/bamboohr.c: string values, field ids and aliases, the
 * empty-body errors with X-BambooHR-Error-Message, and the throttle answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bamboohr.h"
#include "simerr.h"

static const struct gen_config cfg = {42, 100, 8};

static const char *value(const struct gen_person *p, const char *field, char *buf, size_t n)
{
    const char *v = (const char *)1;

    assert_int_equal(bamboohr_field_value(&cfg, p, field, buf, n, &v), SIM_OK);
    return v;
}

static void test_values_are_strings(void **state)
{
    struct gen_person p;
    char buf[256], exp[32];
    const char *v;

    (void)state;
    gen_person(&cfg, 4, 0, 0, &p);
    assert_string_equal(value(&p, "firstName", buf, sizeof(buf)), p.first_name);
    assert_string_equal(value(&p, "workEmail", buf, sizeof(buf)), p.email);
    gen_fmt_date(p.hire, exp);
    assert_string_equal(value(&p, "hireDate", buf, sizeof(buf)), exp);
    snprintf(exp, sizeof(exp), "%d", p.weekly_hours);
    assert_string_equal(value(&p, "standardHoursPerWeek", buf, sizeof(buf)), exp);
    snprintf(exp, sizeof(exp), "%lld", (long long)(BAMBOOHR_ID_BASE + p.manager));
    assert_string_equal(value(&p, "supervisorEId", buf, sizeof(buf)), exp);
    v = value(&p, "status", buf, sizeof(buf));
    assert_true(!strcmp(v, "Active") || !strcmp(v, "Inactive"));
    /* custom fields by numeric id and by alias give the same value */
    v = value(&p, "4047", buf, sizeof(buf));
    if (v) {
        char buf2[256];

        assert_string_equal(value(&p, "customShirtSize", buf2, sizeof(buf2)), v);
    }
    v = value(&p, "4051", buf, sizeof(buf)); /* checkbox */
    assert_true(!v || !strcmp(v, "yes") || !strcmp(v, "no"));
    assert_int_equal(bamboohr_field_value(&cfg, &p, "nope", buf, sizeof(buf), &v),
                     SIM_ERR_NOT_FOUND);
    assert_int_equal(bamboohr_field_value(&cfg, &p, "4055", buf, sizeof(buf), &v),
                     SIM_ERR_NOT_FOUND);
    assert_int_equal(bamboohr_field_value(&cfg, &p, "customLanguages", buf, sizeof(buf), &v),
                     SIM_ERR_NOT_FOUND); /* odd fields have no alias */
}

static void test_empty_dob_is_zero_date(void **state)
{
    struct gen_person p;
    char buf[64];
    int64_t i;

    (void)state;
    for (i = 0; i < 1000; i++) {
        gen_person(&cfg, i, 0, 0, &p);
        if (!p.has_dob)
            break;
    }
    assert_true(i < 1000);
    assert_string_equal(value(&p, "dateOfBirth", buf, sizeof(buf)), "0000-00-00");
}

static void test_errors(void **state)
{
    struct sim_options opt;
    struct gen_config g = cfg;
    struct state st;
    struct sim_ctx ctx = {&opt, &g, &st, SIM_BAMBOOHR};
    struct http_req req = {NULL, "GET", "/api/gateway.php/acme/v1/employees/directory", "", 0};
    struct http_resp resp;

    (void)state;
    sim_defaults(&opt);
    state_init(&st);
    http_resp_init(&resp);
    bamboohr_vendor.handle(&ctx, &req, &resp);
    assert_int_equal(resp.status, 401);
    assert_int_equal(resp.body.len, 0);
    assert_string_equal(resp.header_name[0], "X-BambooHR-Error-Message");
    assert_string_equal(resp.header_value[0], "Invalid API key");
    http_resp_free(&resp);

    req.path = "/api/gateway.php/other/v1/employees/directory";
    http_resp_init(&resp);
    bamboohr_vendor.handle(&ctx, &req, &resp);
    assert_int_equal(resp.status, 404);
    http_resp_free(&resp);

    http_resp_init(&resp);
    bamboohr_vendor.throttle(&ctx, 503, 0, &resp);
    assert_int_equal(resp.status, 503);
    assert_string_equal(resp.header_name[1], "Retry-After");
    http_resp_free(&resp);
    state_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_are_strings),
        cmocka_unit_test(test_empty_dob_is_zero_date),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
