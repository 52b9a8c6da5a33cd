/* Unit tests for store/pages.c: the responses a FULL sync stages become the
 * stored ones at its apply, and say so only while nothing else changed. */
#include "store_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#define ID_A "AAAAAAAAAAAAAAAAAAAAAAAA"
#define ID_B "BBBBBBBBBBBBBBBBBBBBBBBB"

/* Claims a run, stages pages (n) on a new stage and applies it; from is
 * the data version the run began with, full its type. */
static void apply_pages(struct fx *f, const struct store_page *pages, int n, int64_t from, int full,
                        const struct store_field_def *fields, int nfields)
{
    static const char *const models[] = {"hris_employees", NULL};
    struct store_sync_run q, run;
    struct store_stage *stage = NULL;
    struct store_apply a;
    int64_t now = isotime_now_ms();
    int already;

    assert_int_equal(
        store_sync_enqueue(f->s, f->integ, full ? SYNC_FULL : SYNC_DELTA, 0, &q, &already), ERR_OK);
    assert_int_equal(store_sync_claim(f->s, "w", now, now + 60000, &run), ERR_OK);
    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    assert_int_equal(store_stage_pages(stage, pages, n), ERR_OK);
    memset(&a, 0, sizeof(a));
    a.run = &run;
    a.worker = "w";
    a.full = full;
    a.models = models;
    a.fields = fields;
    a.nfields = nfields;
    a.now = now;
    a.pages_from = from;
    assert_int_equal(store_sync_apply(stage, &a), ERR_OK);
    store_stage_close(stage);
    store_sync_run_free(&run);
}

struct pages_state {
    int valid;
    int64_t version;
};

static struct pages_state state_of(struct fx *f)
{
    struct store_stage *stage = NULL;
    struct pages_state ps = {-1, -1};

    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    assert_int_equal(store_pages_state(stage, f->integ, &ps.valid, &ps.version), ERR_OK);
    store_stage_close(stage);
    return ps;
}

struct got {
    int n;
    char hash[64], memo[64], ids[64];
    int memo_null;
};

static void on_page(void *ud, const struct store_page *p)
{
    struct got *g = ud;

    g->n++;
    snprintf(g->hash, sizeof(g->hash), "%s", p->hash);
    snprintf(g->memo, sizeof(g->memo), "%s", p->memo ? p->memo : "");
    snprintf(g->ids, sizeof(g->ids), "%s", p->ids);
    g->memo_null = p->memo == NULL;
}

static struct got page_of(struct fx *f, const char *key)
{
    struct store_stage *stage = NULL;
    struct got g;

    memset(&g, 0, sizeof(g));
    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    assert_int_equal(store_page_get(stage, f->integ, key, on_page, &g), ERR_OK);
    store_stage_close(stage);
    return g;
}

static void a_full_apply_replaces_the_stored_pages(void **state)
{
    struct fx *f = *state;
    const struct store_page first[] = {
        {"k1", "h1", "m1", ID_A, 0},
        {"k2", "h2", NULL, ID_A ID_B, 0},
        {"k1", "h1b", "m1b", ID_B, 0}, /* the same request again: the later stays */
    };
    const struct store_page second[] = {
        {"k1", NULL, NULL, NULL, 1}, /* known: its row stays as it was */
        {"k3", "h3", "m3", "", 0},
    };
    struct pages_state ps = state_of(f);
    struct got g;

    assert_int_equal(ps.valid, 0); /* never synced */
    apply_pages(f, first, 3, ps.version, 1, NULL, 0);
    ps = state_of(f);
    assert_int_equal(ps.valid, 1);
    g = page_of(f, "k1");
    assert_int_equal(g.n, 1);
    assert_string_equal(g.hash, "h1b");
    assert_string_equal(g.memo, "m1b");
    assert_string_equal(g.ids, ID_B);
    g = page_of(f, "k2");
    assert_int_equal(g.n, 1);
    assert_true(g.memo_null);
    assert_string_equal(g.ids, ID_A ID_B);
    assert_int_equal(page_of(f, "k3").n, 0);

    /* The next FULL run: pages it did not see go, known ones stay. */
    apply_pages(f, second, 2, ps.version, 1, NULL, 0);
    assert_int_equal(state_of(f).valid, 1);
    assert_string_equal(page_of(f, "k1").hash, "h1b");
    assert_int_equal(page_of(f, "k2").n, 0);
    assert_string_equal(page_of(f, "k3").memo, "m3");
}

static void anything_applied_since_makes_them_stale(void **state)
{
    struct fx *f = *state;
    const struct store_page one[] = {{"k1", "h1", NULL, ID_A, 0}};
    const struct store_field_def field = {"FIELD0000000000000000001", "hris_employees", "CUSTOM",
                                          "km", "Km"};
    struct pages_state ps = state_of(f);

    /* A DELTA apply moves the data version past them. */
    apply_pages(f, one, 1, ps.version, 1, &field, 1);
    assert_int_equal(state_of(f).valid, 1);
    apply_pages(f, NULL, 0, -1, 0, NULL, 0);
    ps = state_of(f);
    assert_int_equal(ps.valid, 0);

    /* A FULL run that began before another apply: its pages are not valid. */
    apply_pages(f, one, 1, ps.version - 1, 1, NULL, 0);
    ps = state_of(f);
    assert_int_equal(ps.valid, 0);
    apply_pages(f, one, 1, ps.version, 1, NULL, 0);
    ps = state_of(f);
    assert_int_equal(ps.valid, 1);

    /* A field selected or deselected (its values dropped): the records no
     * longer hold what the pages delivered. */
    assert_int_equal(store_field_set_passthrough(f->s, f->integ, field.id, 1), ERR_OK);
    assert_int_equal(state_of(f).valid, 0);
    ps = state_of(f);
    apply_pages(f, one, 1, ps.version, 1, NULL, 0);
    ps = state_of(f);
    assert_int_equal(ps.valid, 1);
    assert_int_equal(store_field_set_passthrough(f->s, f->integ, field.id, 0), ERR_OK);
    assert_int_equal(state_of(f).valid, 0);
    assert_true(state_of(f).version > ps.version);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(a_full_apply_replaces_the_stored_pages),
        T(anything_applied_since_makes_them_stale),
    };
    return cmocka_run_group_tests_name("store/pages", tests, NULL, NULL);
}
