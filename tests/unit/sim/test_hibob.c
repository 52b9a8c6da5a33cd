/*
 * Unit tests for sim/hibob.c (included, to reach the renderer): 19-digit
 * ids, field resolution in dot and slash form, nested plus flattened output,
 * humanReadable, and the same person as Personio and BambooHR show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hibob.c"

#include "bamboohr.h"
#include "personio.h"

static const struct gen_config cfg = {42, 100, 8};

static void test_ids(void **state)
{
    char id[32];
    int64_t index;

    (void)state;
    hibob_format_id(0, id, sizeof(id));
    assert_string_equal(id, "3332883884017713238");
    for (int64_t i = 0; i < 100000000; i += 9999991) {
        hibob_format_id(i, id, sizeof(id));
        assert_int_equal(strlen(id), 19);
        assert_int_equal(hibob_parse_id(id, &index), SIM_OK);
        assert_int_equal(index, i);
    }
    assert_int_equal(hibob_parse_id("3332883884017713239", &index), SIM_ERR_INVALID);
    assert_int_equal(hibob_parse_id("123", &index), SIM_ERR_INVALID);
    assert_int_equal(hibob_parse_id("x332883884017713238", &index), SIM_ERR_INVALID);
}

static void test_resolve(void **state)
{
    struct sfield f;

    (void)state;
    assert_int_equal(resolve(&cfg, "root.id", &f), SIM_OK);
    assert_int_equal(f.std, H_ID);
    assert_int_equal(resolve(&cfg, "/root/firstName", &f), SIM_OK);
    assert_int_equal(f.std, H_FIRST_NAME);
    assert_int_equal(resolve(&cfg, "work.custom.field_1651169416679", &f), SIM_OK);
    assert_int_equal(f.k, 0);
    assert_int_equal(resolve(&cfg, "work.customColumns.column_1644862416223", &f), SIM_OK);
    assert_int_equal(f.k, 1);
    /* a multi-list lives under customColumns only */
    assert_int_equal(resolve(&cfg, "work.custom.field_1651169416680", &f), SIM_ERR_NOT_FOUND);
    assert_int_equal(resolve(&cfg, "work.custom.field_1651169416699", &f), SIM_ERR_NOT_FOUND);
    assert_int_equal(resolve(&cfg, "nope", &f), SIM_ERR_NOT_FOUND);
}

static json_t *render_one(int64_t index, const char *const *ids, int n, enum hr_mode hr)
{
    struct search s;
    struct sfield fields[32];
    struct gen_person p, m;
    struct sbuf b;
    json_error_t err;
    json_t *v;

    memset(&s, 0, sizeof(s));
    s.ctx.gen = &cfg;
    s.fields = fields;
    for (int i = 0; i < n; i++)
        assert_int_equal(resolve(&cfg, ids[i], &fields[s.n_fields++]), SIM_OK);
    qsort(fields, (size_t)s.n_fields, sizeof(fields[0]), cmp_field);
    s.hr = hr;
    gen_person(&cfg, index, 0, 0, &p);
    gen_person(&cfg, gen_manager(index) < 0 ? 0 : gen_manager(index), 0, 0, &m);
    sbuf_init(&b);
    render_employee(&s, &p, gen_manager(index) < 0 ? NULL : &m, &b);
    v = json_loads(b.data, 0, &err);
    if (!v)
        fail_msg("invalid JSON: %s in %s", err.text, b.data);
    sbuf_free(&b);
    return v;
}

static void test_nested_and_flat(void **state)
{
    const char *const ids[] = {"root.id",
                               "root.firstName",
                               "work.startDate",
                               "work.title",
                               "work.reportsTo",
                               "work.custom.field_1651169416679",
                               "work.customColumns.column_1644862416223",
                               "work.custom.field_1651169416681",
                               "internal.status",
                               "payroll.employment.weeklyHours",
                               "payroll.employment.type"};
    json_t *e = render_one(7, ids, 11, HR_APPEND);
    json_t *work = json_object_get(e, "work");
    struct gen_person p;
    char id[32], title[16];

    (void)state;
    gen_person(&cfg, 7, 0, 0, &p);
    hibob_format_id(7, id, sizeof(id));
    assert_string_equal(json_string_value(json_object_get(e, "id")), id);
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "/root/id"), "value")),
                        id);
    assert_string_equal(json_string_value(json_object_get(e, "firstName")), p.first_name);
    snprintf(title, sizeof(title), "%d", TITLE_LIST_BASE + p.title_idx);
    assert_string_equal(json_string_value(json_object_get(work, "title")), title);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(e, "/work/title"), "value")), title);
    assert_true(json_is_object(json_object_get(work, "custom")));
    assert_true(json_is_object(json_object_get(work, "customColumns")));
    assert_true(json_is_object(json_object_get(work, "reportsTo")));
    assert_true(json_is_integer(json_object_get(
        json_object_get(json_object_get(e, "payroll"), "employment"), "weeklyHours")));
    assert_non_null(json_object_get(e, "/payroll/employment/weeklyHours"));
    assert_non_null(json_object_get(e, "/work/custom/field_1651169416681"));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(e, "humanReadable"), "work"), "title")),
                        p.title);
    json_decref(e);

    e = render_one(7, ids, 11, HR_REPLACE);
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "work"), "title")),
                        p.title);
    assert_null(json_object_get(e, "humanReadable"));
    json_decref(e);
}

static void test_same_person_everywhere(void **state)
{
    const char *const ids[] = {"root.firstName", "root.surname", "root.email", "work.startDate"};

    (void)state;
    for (int64_t i = 0; i < 50; i++) {
        json_t *h = render_one(i, ids, 4, HR_NONE), *root, *pj;
        struct gen_person p;
        struct sbuf b;
        json_error_t err;
        char buf[128];
        const char *v;

        gen_person(&cfg, i, 0, 0, &p);
        sbuf_init(&b);
        personio_render_employee(&cfg, &p, NULL, 0, 0, &b);
        root = json_loads(b.data, 0, &err);
        sbuf_free(&b);
        assert_non_null(root);
        pj = json_object_get(root, "attributes");
        assert_string_equal(
            json_string_value(json_object_get(h, "firstName")),
            json_string_value(json_object_get(json_object_get(pj, "first_name"), "value")));
        assert_string_equal(
            json_string_value(json_object_get(h, "email")),
            json_string_value(json_object_get(json_object_get(pj, "email"), "value")));
        assert_int_equal(bamboohr_field_value(&cfg, &p, "lastName", buf, sizeof(buf), &v), 0);
        assert_string_equal(json_string_value(json_object_get(h, "surname")), v);
        assert_int_equal(bamboohr_field_value(&cfg, &p, "hireDate", buf, sizeof(buf), &v), 0);
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(h, "work"), "startDate")), v);
        /* Personio's hire date is the same day, at midnight Berlin time */
        assert_int_equal(
            strncmp(json_string_value(json_object_get(json_object_get(pj, "hire_date"), "value")),
                    v, 10),
            0);
        json_decref(h);
        json_decref(root);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_nested_and_flat),
        cmocka_unit_test(test_same_person_everywhere),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
