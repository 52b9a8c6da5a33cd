/*
 * Unit tests for sim/gen.c: determinism, independence from N, the shape of
 * the population, custom field type mix, and the date helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gen.h"
#include "simerr.h"

static const struct gen_config cfg = {42, 1000, 8};

static void test_same_seed_same_person(void **state)
{
    struct gen_person a, b;

    (void)state;
    for (int64_t i = 0; i < 200; i++) {
        gen_person(&cfg, i, 0, 0, &a);
        gen_person(&cfg, i, 0, 0, &b);
        assert_memory_equal(&a, &b, sizeof(a));
    }
}

static void test_other_seed_other_data(void **state)
{
    struct gen_config other = cfg;
    struct gen_person a, b;
    int differ = 0;

    (void)state;
    other.seed = 43;
    for (int64_t i = 0; i < 50; i++) {
        gen_person(&cfg, i, 0, 0, &a);
        gen_person(&other, i, 0, 0, &b);
        differ += strcmp(a.email, b.email) != 0 || a.hire != b.hire;
    }
    assert_true(differ > 40);
}

static void test_record_independent_of_n(void **state)
{
    struct gen_config small = cfg, big = cfg;
    struct gen_person a, b;
    struct gen_field f;
    struct gen_value va, vb;

    (void)state;
    small.employees = 10;
    big.employees = 1000000;
    for (int64_t i = 0; i < 10; i++) {
        gen_person(&small, i, 0, 0, &a);
        gen_person(&big, i, 0, 0, &b);
        assert_memory_equal(&a, &b, sizeof(a));
        for (int k = 0; k < 8; k++) {
            gen_field(&small, k, &f);
            gen_field_value(&small, &a, &f, &va);
            gen_field_value(&big, &b, &f, &vb);
            assert_memory_equal(&va, &vb, sizeof(va));
        }
    }
    /* a far record costs nothing special and is well formed */
    gen_person(&big, 999999, 0, 0, &b);
    assert_string_equal(b.employee_number, "E-1000000");
    assert_int_equal(b.manager, (999999 - 1) / 6);
}

static void test_population_shape(void **state)
{
    struct gen_config c = {7, 20000, 8};
    struct gen_person p;
    int inactive = 0, onboarding = 0, scheduled = 0, no_dob = 0;

    (void)state;
    for (int64_t i = 0; i < c.employees; i++) {
        gen_person(&c, i, 0, 0, &p);
        assert_true(p.manager < i);
        assert_true(p.created_at <= p.modified_at);
        assert_int_equal(gen_modified_at(&c, i), p.modified_at);
        assert_int_equal(gen_status_of(&c, i), p.status);
        if (p.status == GEN_INACTIVE) {
            inactive++;
            assert_true(p.has_term);
            assert_true(p.term < GEN_ANCHOR_DAY);
            assert_true(p.term > p.hire);
        }
        if (p.status == GEN_ONBOARDING) {
            onboarding++;
            assert_true(p.hire > GEN_ANCHOR_DAY);
        }
        if (p.has_term && p.status != GEN_INACTIVE) {
            scheduled++;
            assert_true(p.term > GEN_ANCHOR_DAY);
        }
        no_dob += !p.has_dob;
    }
    assert_in_range(inactive, 1500, 2500);
    assert_in_range(onboarding, 400, 800);
    assert_in_range(scheduled, 250, 550);
    assert_in_range(no_dob, 700, 1300);
    gen_person(&c, 0, 0, 0, &p);
    assert_int_equal(p.manager, -1);
    assert_int_equal(p.status, GEN_ACTIVE);
}

static void test_emails_unique(void **state)
{
    struct gen_person a, b;

    (void)state;
    gen_person(&cfg, 10, 0, 0, &a);
    gen_person(&cfg, 100, 0, 0, &b);
    assert_string_not_equal(a.email, b.email);
    assert_non_null(strstr(a.email, "11@acme.example"));
}

static void test_version_changes_values(void **state)
{
    struct gen_person a, b;
    struct gen_field f;
    struct gen_value va, vb;
    int changed = 0;

    (void)state;
    gen_person(&cfg, 5, 0, 0, &a);
    gen_person(&cfg, 5, 1, 1800000000, &b);
    assert_string_equal(a.email, b.email);
    assert_string_equal(a.first_name, b.first_name);
    assert_int_equal(b.modified_at, 1800000000);
    for (int k = 0; k < 8; k++) {
        gen_field(&cfg, k, &f);
        gen_field_value(&cfg, &a, &f, &va);
        gen_field_value(&cfg, &b, &f, &vb);
        changed += memcmp(&va, &vb, sizeof(va)) != 0;
    }
    assert_true(changed >= 4);
}

static void test_field_type_mix(void **state)
{
    struct gen_config c = {1, 10, 2000};
    int seen[GEN_F_COUNT] = {0};
    struct gen_field f;
    char opt[64];

    (void)state;
    for (int k = 0; k < 7; k++) {
        gen_field(&c, k, &f);
        seen[f.type]++;
    }
    for (int t = 0; t < GEN_F_COUNT; t++)
        assert_int_equal(seen[t], 1);
    gen_field(&c, 0, &f);
    assert_string_equal(f.label, "Shirt size");
    assert_int_equal(f.type, GEN_F_SELECT);
    gen_option(&f, 1, opt, sizeof(opt));
    assert_string_equal(opt, "M");
    gen_field(&c, 1999, &f);
    assert_string_equal(f.label, "Custom flag 2000");
    assert_string_equal(f.camel, "CustomFlag2000");
    for (int k = 0; k < 2000; k++) {
        gen_field(&c, k, &f);
        if (f.type == GEN_F_SELECT || f.type == GEN_F_MULTI)
            assert_in_range(f.n_options, 3, GEN_MAX_OPTIONS);
    }
}

static void test_dates(void **state)
{
    char buf[32];
    int64_t ts;
    int y, m, d;

    (void)state;
    assert_int_equal(gen_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(gen_days_from_civil(2026, 6, 30), GEN_ANCHOR_DAY);
    gen_civil_from_days(gen_days_from_civil(1990, 4, 12), &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 19900412);
    gen_fmt_date(gen_days_from_civil(1961, 1, 2), buf);
    assert_string_equal(buf, "1961-01-02");
    gen_fmt_date_berlin(gen_days_from_civil(2021, 3, 1), buf);
    assert_string_equal(buf, "2021-03-01T00:00:00+01:00");
    gen_fmt_date_berlin(gen_days_from_civil(2019, 9, 15), buf);
    assert_string_equal(buf, "2019-09-15T00:00:00+02:00");
    assert_int_equal(gen_parse_time("2024-05-02T08:11:12Z", &ts), SIM_OK);
    gen_fmt_ts_berlin(ts, buf);
    assert_string_equal(buf, "2024-05-02T10:11:12+02:00");
    gen_fmt_ts_utc_ms(ts, buf);
    assert_string_equal(buf, "2024-05-02T08:11:12.000Z");
    assert_int_equal(gen_parse_time("2024-05-02T10:11:12+02:00", &ts), SIM_OK);
    gen_fmt_ts_utc_offset(ts, buf);
    assert_string_equal(buf, "2024-05-02T08:11:12+00:00");
    assert_int_equal(gen_parse_time("2022-12-24", &ts), SIM_OK);
    assert_int_equal(ts, (int64_t)gen_days_from_civil(2022, 12, 24) * 86400);
    assert_int_equal(gen_parse_time("2022-12-24T08:15:30", &ts), SIM_OK);
    assert_int_equal(gen_parse_time("2022-13-01", &ts), SIM_ERR_INVALID);
    assert_int_equal(gen_parse_time("yesterday", &ts), SIM_ERR_INVALID);
    assert_int_equal(gen_parse_time("2022-12-24Tx", &ts), SIM_ERR_INVALID);
    assert_int_equal(gen_parse_time("", &ts), SIM_ERR_INVALID);
    assert_int_equal(gen_parse_time(NULL, &ts), SIM_ERR_INVALID);
}

static void test_absences(void **state)
{
    struct gen_person p;
    struct gen_absence a, b;

    (void)state;
    gen_person(&cfg, 3, 0, 0, &p);
    gen_absence(&cfg, &p, 0, &a);
    gen_absence(&cfg, &p, 0, &b);
    assert_memory_equal(&a, &b, sizeof(a));
    assert_true(a.end >= a.start);
    assert_int_equal(a.end - a.start + 1, a.days);
    assert_in_range(a.type, 0, GEN_N_ABSENCE_TYPES - 1);
    assert_true(gen_balance(&cfg, &p, 0) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_person),
        cmocka_unit_test(test_other_seed_other_data),
        cmocka_unit_test(test_record_independent_of_n),
        cmocka_unit_test(test_population_shape),
        cmocka_unit_test(test_emails_unique),
        cmocka_unit_test(test_version_changes_values),
        cmocka_unit_test(test_field_type_mix),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_absences),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
