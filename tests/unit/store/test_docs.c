/* Unit tests for store/docs.c and the invalidation in store/records.c: a
 * sync deletes the served docs of what it changed and of the records
 * nesting that, docs rendered from older data are refused, and a page is
 * read from the docs only while they are complete. */
#include "store_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

static const char *const links[] = {"manager_id", NULL};
static const char *const children[] = {"hris_employments", NULL};

/* Applies one DELTA run staging recs (n of them). */
static void apply(struct fx *f, const struct store_staged *recs, int n)
{
    static const char *const models[] = {"hris_employees", "hris_employments", NULL};
    struct store_sync_run q, run;
    struct store_stage *stage = NULL;
    struct store_apply a;
    int64_t now = isotime_now_ms();
    int already;

    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_DELTA, 0, &q, &already), ERR_OK);
    assert_int_equal(store_sync_claim(f->s, "w", now, now + 60000, &run), ERR_OK);
    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    assert_int_equal(store_stage_write(stage, 1, recs, n), ERR_OK);
    memset(&a, 0, sizeof(a));
    a.run = &run;
    a.worker = "w";
    a.models = models;
    a.doc_links = links;
    a.doc_children = children;
    a.doc_child_attr = "employee_id";
    a.now = isotime_now_ms();
    assert_int_equal(store_sync_apply(stage, &a), ERR_OK);
    store_stage_close(stage);
    store_sync_run_free(&q);
    store_sync_run_free(&run);
}

static struct store_staged rec(const char *id, const char *model, const char *body, int is_new,
                               const struct store_attr *attr)
{
    struct store_staged r = {id, model, id, body, body, body, is_new, attr, attr ? 1 : 0, NULL, 0};
    return r;
}

struct docs {
    int n;
    char ids[8][IDS_LEN + 1];
};

static void on_doc(void *ud, const char *id, const char *doc, size_t len)
{
    struct docs *d = ud;

    (void)doc;
    (void)len;
    snprintf(d->ids[d->n++], IDS_LEN + 1, "%s", id);
}

static struct docs page(struct fx *f, int64_t fp)
{
    struct docs d = {0};
    int rows = -1;

    assert_int_equal(store_docs_page(f->s, f->integ, fp, NULL, 8, on_doc, &d, &rows), ERR_OK);
    assert_int_equal(rows, d.n);
    return d;
}

static int64_t version(struct fx *f)
{
    int64_t v = -1;

    assert_int_equal(store_data_version(f->s, f->integ, &v), ERR_OK);
    return v;
}

/* Stores docs for boss, emp (managed by boss) and complete them. */
static void render_all(struct fx *f, int64_t fp)
{
    const struct store_doc docs[] = {{"boss", "{\"id\":\"boss\"}", 13},
                                     {"emp", "{\"id\":\"emp\"}", 12}};
    int64_t v = version(f);

    assert_int_equal(store_docs_put(f->s, f->integ, v, fp, docs, 2), ERR_OK);
    assert_int_equal(store_docs_complete(f->s, f->integ, v, fp), ERR_OK);
}

static void test_changes_drop_the_docs_around_them(void **state)
{
    struct fx *f = *state;
    struct store_attr managed = {"manager_id", "boss"}, of_emp = {"employee_id", "emp"};
    struct store_staged first[] = {
        rec("boss", "hris_employees", "{\"n\":1", 1, NULL),
        rec("emp", "hris_employees", "{\"n\":2", 1, &managed),
        rec("job", "hris_employments", "{\"n\":3", 1, &of_emp),
    };
    struct store_doc late = {"emp", "{}", 2};
    struct docs d;
    int64_t v0;

    apply(f, first, 3);
    /* Nothing complete yet: pages come from the records. */
    assert_int_equal(page(f, 7).n, 0);
    render_all(f, 7);
    d = page(f, 7);
    assert_int_equal(d.n, 2);
    assert_string_equal(d.ids[0], "boss");
    assert_string_equal(d.ids[1], "emp");
    /* Another fingerprint (a field selected since): not complete for it. */
    assert_int_equal(page(f, 8).n, 0);

    /* The employment changes: its employee's doc goes, not the boss's. */
    v0 = version(f);
    {
        struct store_staged job = rec("job", "hris_employments", "{\"n\":4", 0, &of_emp);
        apply(f, &job, 1);
    }
    assert_true(version(f) > v0);
    assert_int_equal(page(f, 7).n, 0); /* a sync since: not complete */
    assert_int_equal(store_docs_complete(f->s, f->integ, version(f), 7), ERR_OK);
    d = page(f, 7);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.ids[0], "boss");

    /* A doc rendered from data before the last apply is refused. */
    assert_int_equal(store_docs_put(f->s, f->integ, v0, 7, &late, 1), ERR_CONFLICT);

    /* The boss changes: its doc goes, and that of the employee nesting it. */
    render_all(f, 7);
    {
        struct store_staged boss = rec("boss", "hris_employees", "{\"n\":5", 0, NULL);
        apply(f, &boss, 1);
    }
    assert_int_equal(store_docs_complete(f->s, f->integ, version(f), 7), ERR_OK);
    assert_int_equal(page(f, 7).n, 0);
}

static void test_a_child_moving_drops_its_old_parents_doc(void **state)
{
    struct fx *f = *state;
    struct store_attr of_a = {"employee_id", "a"}, of_b = {"employee_id", "b"};
    struct store_staged first[] = {
        rec("a", "hris_employees", "{\"n\":1", 1, NULL),
        rec("b", "hris_employees", "{\"n\":2", 1, NULL),
        rec("job", "hris_employments", "{\"n\":3", 1, &of_a),
    };
    const struct store_doc docs[] = {{"a", "{}", 2}, {"b", "{}", 2}};
    struct store_staged moved = rec("job", "hris_employments", "{\"n\":4", 0, &of_b);

    apply(f, first, 3);
    assert_int_equal(store_docs_put(f->s, f->integ, version(f), 7, docs, 2), ERR_OK);
    apply(f, &moved, 1);
    assert_int_equal(store_docs_complete(f->s, f->integ, version(f), 7), ERR_OK);
    /* Both the old parent and the new one lost their docs. */
    assert_int_equal(page(f, 7).n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_changes_drop_the_docs_around_them, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_a_child_moving_drops_its_old_parents_doc, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
