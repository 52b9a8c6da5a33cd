/* Unit tests for store/records.c, store/reads.c and store/fields.c: staging,
 * applying a run all at once, and reading it back. */
#include "store_fixture.h"

#include "core/failpoint.h"

#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

static struct store_sync_run claim_one(struct fx *f)
{
    struct store_sync_run q, r;
    int64_t now = isotime_now_ms();
    int already;

    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_FULL, 0, &q, &already), ERR_OK);
    assert_int_equal(store_sync_claim(f->s, "w", now, now + 60000, &r), ERR_OK);
    return r;
}

/* Stages employees ids[0..n) with body text bodies[i] and applies the run. */
static struct store_apply run_with(struct fx *f, const char *const *ids, const char *const *bodies,
                                   int n, const struct store_value *values, int nvalues,
                                   const struct store_field_def *fields, int nfields)
{
    static const char *const models[] = {"hris_employees", NULL};
    struct store_sync_run run = claim_one(f);
    struct store_staged st[8];
    struct store_attr attrs[1] = {{"work_email", "x@acme.example"}};
    struct store_stage *stage = NULL;
    struct store_apply a;

    memset(st, 0, sizeof(st));
    for (int i = 0; i < n; i++) {
        st[i].id = ids[i];
        st[i].model = "hris_employees";
        st[i].remote_id = ids[i];
        st[i].body = bodies[i];
        st[i].summary = bodies[i];
        st[i].hash = bodies[i];
        st[i].is_new = 1;
        st[i].attrs = i == 0 ? attrs : NULL;
        st[i].nattrs = i == 0;
        st[i].values = i == 0 ? values : NULL;
        st[i].nvalues = i == 0 ? nvalues : 0;
    }
    /* One record per batch, so applying walks several batches. */
    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    assert_int_equal(store_stage_take(stage, ids, n, NULL, NULL), ERR_OK);
    for (int i = 0; i < n; i++)
        assert_int_equal(store_stage_write(stage, i + 1, &st[i], 1), ERR_OK);
    memset(&a, 0, sizeof(a));
    a.run = &run;
    a.worker = "w";
    a.full = 1;
    a.models = models;
    a.fields = fields;
    a.nfields = nfields;
    a.now = isotime_now_ms();
    a.fetched = n;
    assert_int_equal(store_sync_apply(stage, &a), ERR_OK);
    store_stage_close(stage);
    store_sync_run_free(&run);
    return a;
}

struct page {
    int n;
    char ids[16][IDS_LEN + 1];
    char bodies[16][64];
    int64_t deleted[16];
};

static void on_row(void *ud, const struct store_record_row *r)
{
    struct page *p = ud;

    snprintf(p->ids[p->n], sizeof(p->ids[0]), "%s", r->id);
    snprintf(p->bodies[p->n], sizeof(p->bodies[0]), "%.*s", (int)r->body_len, r->body);
    p->deleted[p->n] = r->remote_deleted_at;
    p->n++;
}

static struct page list(struct fx *f, int include_deleted, const char *after)
{
    struct store_list_query q;
    struct page p;

    memset(&q, 0, sizeof(q));
    memset(&p, 0, sizeof(p));
    q.integration_id = f->integ;
    q.model = "hris_employees";
    q.after_id = after;
    q.limit = 16;
    q.include_deleted = include_deleted;
    assert_int_equal(store_records_list(f->s, &q, on_row, &p), ERR_OK);
    return p;
}

static void apply_creates_updates_and_deletes(void **state)
{
    struct fx *f = *state;
    const char *ids[] = {"A", "B", "C"};
    const char *v1[] = {"{\"a\":1", "{\"b\":1", "{\"c\":1"};
    const char *v2[] = {"{\"a\":2", "{\"b\":1"};
    struct store_apply a;
    struct page p;

    a = run_with(f, ids, v1, 3, NULL, 0, NULL, 0);
    assert_int_equal(a.created, 3);
    assert_int_equal(a.deleted, 0);
    p = list(f, 0, NULL);
    assert_int_equal(p.n, 3);
    assert_string_equal(p.bodies[0], "{\"a\":1");

    /* C is gone from the remote; A changed; B staged again counts as updated. */
    a = run_with(f, ids, v2, 2, NULL, 0, NULL, 0);
    assert_int_equal(a.deleted, 1);
    p = list(f, 0, NULL);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.bodies[0], "{\"a\":2");
    p = list(f, 1, NULL);
    assert_int_equal(p.n, 3);
    assert_true(p.deleted[2] > 0);
    /* Keyset: after B only C. */
    p = list(f, 1, "B");
    assert_int_equal(p.n, 1);
    assert_string_equal(p.ids[0], "C");
}

/* A FULL run marks deleted what it took neither by mapping nor from a known
 * response; a record it kept from a known response stays as it is. */
static void records_kept_from_known_responses_stay(void **state)
{
    struct fx *f = *state;
    static const char *const models[] = {"hris_employees", NULL};
    const char *ids[] = {"A", "B", "C"};
    const char *v1[] = {"{\"a\":1", "{\"b\":1", "{\"c\":1"};
    const char *kept[] = {"B"};
    struct store_sync_run run;
    struct store_stage *stage = NULL;
    struct store_apply a;
    struct page p;
    int64_t added = -1;

    run_with(f, ids, v1, 3, NULL, 0, NULL, 0);
    run = claim_one(f);
    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    assert_int_equal(store_stage_keep(stage, kept, 1, &added), ERR_OK);
    assert_int_equal(added, 1);
    memset(&a, 0, sizeof(a));
    a.run = &run;
    a.worker = "w";
    a.full = 1;
    a.models = models;
    a.now = isotime_now_ms();
    assert_int_equal(store_sync_apply(stage, &a), ERR_OK);
    store_stage_close(stage);
    store_sync_run_free(&run);
    assert_int_equal(a.deleted, 2);
    p = list(f, 0, NULL);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.ids[0], "B");
    assert_string_equal(p.bodies[0], "{\"b\":1");
}

struct taken {
    int n;
    char ids[8][8];
    int was_kept[8];
};

static void on_taken(void *ud, const char *id, int was_kept)
{
    struct taken *t = ud;

    snprintf(t->ids[t->n], sizeof(t->ids[0]), "%s", id);
    t->was_kept[t->n++] = was_kept;
}

/* What a run took is reported once: a repeat is not, a record a known
 * response delivered first is, as kept. */
static void taking_reports_what_the_run_had_not_mapped(void **state)
{
    struct fx *f = *state;
    const char *first[] = {"A", "B"}, *kept[] = {"B", "C", "D"}, *again[] = {"A", "C", "E"};
    struct store_stage *stage = NULL;
    struct taken t = {0};
    int64_t added = -1;

    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    assert_int_equal(store_stage_take(stage, first, 2, on_taken, &t), ERR_OK);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.was_kept[0] + t.was_kept[1], 0);
    /* B was mapped already: only C and D are new to the run. */
    assert_int_equal(store_stage_keep(stage, kept, 3, &added), ERR_OK);
    assert_int_equal(added, 2);
    t.n = 0;
    assert_int_equal(store_stage_take(stage, again, 3, on_taken, &t), ERR_OK);
    assert_int_equal(t.n, 2); /* A is a repeat */
    for (int i = 0; i < t.n; i++) {
        assert_true(strcmp(t.ids[i], "C") == 0 || strcmp(t.ids[i], "E") == 0);
        assert_int_equal(t.was_kept[i], strcmp(t.ids[i], "C") == 0);
    }
    /* C, mapped now, is not reported a second time. */
    t.n = 0;
    assert_int_equal(store_stage_take(stage, again, 3, on_taken, &t), ERR_OK);
    assert_int_equal(t.n, 0);
    store_stage_close(stage);

    /* A new stage starts with nothing taken. */
    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    assert_int_equal(store_stage_take(stage, first, 2, on_taken, &t), ERR_OK);
    assert_int_equal(t.n, 2);
    store_stage_close(stage);
}

struct states {
    int n;
    char hash[4][16];
    int deleted[4];
};

static void on_state(void *ud, const char *id, const char *hash, int deleted)
{
    struct states *s = ud;

    (void)id;
    snprintf(s->hash[s->n], sizeof(s->hash[0]), "%s", hash);
    s->deleted[s->n] = deleted;
    s->n++;
}

static void state_reports_hashes_and_deletions(void **state)
{
    struct fx *f = *state;
    const char *ids[] = {"A", "B"};
    const char *v1[] = {"{\"a\":1", "{\"b\":1"};
    const char *q[] = {"A", "Z"};
    struct states st = {0};

    run_with(f, ids, v1, 2, NULL, 0, NULL, 0);
    run_with(f, ids, v1, 1, NULL, 0, NULL, 0); /* B deleted */
    assert_int_equal(store_records_state(f->s, f->integ, q, 2, on_state, &st), ERR_OK);
    assert_int_equal(st.n, 1);
    assert_string_equal(st.hash[0], "{\"a\":1");
    q[0] = "B";
    st.n = 0;
    assert_int_equal(store_records_state(f->s, f->integ, q, 1, on_state, &st), ERR_OK);
    assert_int_equal(st.deleted[0], 1);
}

struct vals {
    int n;
    char value[4][32];
};

static void on_value(void *ud, const char *record_id, const char *field_id, const char *value,
                     size_t len)
{
    struct vals *v = ud;

    (void)record_id;
    (void)field_id;
    snprintf(v->value[v->n++], 32, "%.*s", (int)len, value);
}

struct fieldlist {
    int n;
    char keys[8][32];
    int passthrough[8];
};

static void on_field(void *ud, const struct store_field *fl)
{
    struct fieldlist *l = ud;

    snprintf(l->keys[l->n], 32, "%s", fl->key);
    l->passthrough[l->n++] = fl->passthrough;
}

static void fields_and_values(void **state)
{
    struct fx *f = *state;
    const char *ids[] = {"A"};
    const char *v1[] = {"{\"a\":1"};
    struct store_field_def defs[2] = {{"F1", "hris_employees", "CUSTOM", "dynamic_1", "Shirt"},
                                      {"F2", "hris_employees", "DEFAULT", "email", NULL}};
    struct store_value values[2] = {{"F1", "\"XL\""}, {"F2", "\"a@b\""}};
    const char *rec[] = {"A"};
    struct fieldlist fl = {0};
    struct store_field one;
    struct vals v = {0};

    /* Fields are discovered unselected: values of unselected fields are not kept. */
    run_with(f, ids, v1, 1, values, 2, defs, 2);
    assert_int_equal(store_fields_list(f->s, f->integ, NULL, 10, on_field, &fl), ERR_OK);
    assert_int_equal(fl.n, 2);
    assert_int_equal(fl.passthrough[0], 0);
    assert_int_equal(store_field_values(f->s, f->integ, rec, 1, on_value, &v), ERR_OK);
    assert_int_equal(v.n, 0);

    assert_int_equal(store_field_set_passthrough(f->s, f->integ, "F1", 1), ERR_OK);
    assert_int_equal(store_field_set_passthrough(f->s, f->integ, "F9", 1), ERR_NOT_FOUND);
    assert_int_equal(store_field_set_passthrough(f->s, "personio:other", "F1", 1), ERR_NOT_FOUND);
    v1[0] = "{\"a\":1 ";
    run_with(f, ids, v1, 1, values, 2, defs, 2);
    assert_int_equal(store_field_values(f->s, f->integ, rec, 1, on_value, &v), ERR_OK);
    assert_int_equal(v.n, 1);
    assert_string_equal(v.value[0], "\"XL\"");
    fl.n = 0;
    assert_int_equal(store_fields_selected(f->s, f->integ, "hris_employees", on_field, &fl),
                     ERR_OK);
    assert_int_equal(fl.n, 1);
    assert_string_equal(fl.keys[0], "dynamic_1");

    /* Deselecting deletes the stored values at once. */
    assert_int_equal(store_field_set_passthrough(f->s, f->integ, "F1", 0), ERR_OK);
    v.n = 0;
    assert_int_equal(store_field_values(f->s, f->integ, rec, 1, on_value, &v), ERR_OK);
    assert_int_equal(v.n, 0);
    assert_int_equal(store_field_get(f->s, f->integ, "F1", &one), ERR_OK);
    assert_string_equal(one.label, "Shirt");
    assert_int_equal(one.passthrough, 0);
    store_field_free(&one);
    assert_int_equal(store_field_get(f->s, f->integ, "F9", &one), ERR_NOT_FOUND);
}

static void attribute_filters(void **state)
{
    struct fx *f = *state;
    const char *ids[] = {"A", "B"};
    const char *v1[] = {"{\"a\":1", "{\"b\":1"};
    const char *emails[] = {"x@acme.example"}, *others[] = {"nobody@x"};
    struct store_list_query q;
    struct page p;

    run_with(f, ids, v1, 2, NULL, 0, NULL, 0);
    memset(&q, 0, sizeof(q));
    memset(&p, 0, sizeof(p));
    q.integration_id = f->integ;
    q.model = "hris_employees";
    q.limit = 10;
    q.filters[0].name = "work_email";
    q.filters[0].values = emails;
    q.filters[0].n = 1;
    q.nfilters = 1;
    assert_int_equal(store_records_list(f->s, &q, on_row, &p), ERR_OK);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.ids[0], "A");
    memset(&p, 0, sizeof(p));
    q.filters[0].values = others;
    assert_int_equal(store_records_list(f->s, &q, on_row, &p), ERR_OK);
    assert_int_equal(p.n, 0);
}

static void a_lost_lease_applies_nothing(void **state)
{
    struct fx *f = *state;
    static const char *const models[] = {"hris_employees", NULL};
    struct store_sync_run run = claim_one(f), other;
    struct store_staged st = {"A", "hris_employees", "A", "{", "{", "h", 1, NULL, 0, NULL, 0};
    struct store_stage *stage = NULL;
    struct store_apply a;
    int64_t later = isotime_now_ms() + 120000;

    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    assert_int_equal(store_stage_write(stage, 1, &st, 1), ERR_OK);
    assert_int_equal(store_sync_claim(f->s, "w2", later, later + 60000, &other), ERR_OK);
    memset(&a, 0, sizeof(a));
    a.run = &run;
    a.worker = "w";
    a.models = models;
    a.now = later;
    assert_int_equal(store_sync_apply(stage, &a), ERR_NOT_FOUND);
    store_stage_close(stage);
    assert_int_equal(list(f, 1, NULL).n, 0);
    store_sync_run_free(&run);
    store_sync_run_free(&other);
}

/* Applies what stage holds as a DELTA run of employees, then closes it. */
static struct store_apply apply_stage(struct store_sync_run *run, struct store_stage *stage)
{
    static const char *const models[] = {"hris_employees", NULL};
    struct store_apply a;

    memset(&a, 0, sizeof(a));
    a.run = run;
    a.worker = "w";
    a.models = models;
    a.now = isotime_now_ms();
    assert_int_equal(store_sync_apply(stage, &a), ERR_OK);
    store_stage_close(stage);
    return a;
}

static void count_attr(void *ud, const char *record_id, const char *name, const char *value)
{
    (void)record_id;
    (void)name;
    (void)value;
    (*(int *)ud)++;
}

/* A link the remote repeats is one attribute: applying does not fail on it. */
static void a_repeated_attribute_is_stored_once(void **state)
{
    struct fx *f = *state;
    const char *ids[] = {"A"};
    struct store_sync_run run = claim_one(f);
    struct store_attr attrs[] = {{"group_id", "G1"}, {"group_id", "G0"}, {"group_id", "G1"}};
    struct store_staged st = {"A", "hris_employees", "A", "{", "{", "h", 1, attrs, 3, NULL, 0};
    struct store_stage *stage = NULL;
    struct store_apply a;
    int n = 0;

    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    assert_int_equal(store_stage_write(stage, 1, &st, 1), ERR_OK);
    a = apply_stage(&run, stage);
    assert_int_equal(a.created, 1);
    assert_int_equal(store_records_attrs(f->s, f->integ, ids, 1, count_attr, &n), ERR_OK);
    assert_int_equal(n, 2);
    store_sync_run_free(&run);
}

/* Staging lives on the connection of its stage: another one sees nothing
 * of it, and a closed stage leaves nothing for the next run. */
static void staging_is_private_and_goes_with_its_stage(void **state)
{
    struct fx *f = *state;
    struct store_sync_run run = claim_one(f);
    struct store_attr attr = {"work_email", "x@acme.example"};
    struct store_value val = {"F1", "1"};
    struct store_staged st = {"A", "hris_employees", "A", "{", "{", "h", 1, &attr, 1, &val, 1};
    struct store_stage *stage = NULL, *other = NULL;
    struct store_apply a;

    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    assert_int_equal(store_stage_open(f->s, &other), ERR_OK);
    assert_int_equal(store_stage_write(stage, 1, &st, 1), ERR_OK);
    st.id = "B";
    assert_int_equal(store_stage_write(stage, 2, &st, 1), ERR_OK);
    st.id = "C";
    assert_int_equal(store_stage_write(other, 1, &st, 1), ERR_OK);
    store_stage_close(other); /* C goes with it */
    store_stage_close(stage); /* A and B too */

    /* The next stage (on a connection the closed ones gave back) starts empty. */
    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    a = apply_stage(&run, stage);
    assert_int_equal(a.created, 0);
    assert_int_equal(list(f, 1, NULL).n, 0);
    store_sync_run_free(&run);
}

#ifdef HB_FAILPOINTS
/* A staging write that fails (its temporary tables keep no journal, so it
 * may be half done) leaves nothing that a later run applies. */
static void a_failed_staging_write_leaves_nothing_behind(void **state)
{
    struct fx *f = *state;
    struct store_sync_run run = claim_one(f);
    struct store_staged st = {"A", "hris_employees", "A", "{", "{", "h", 1, NULL, 0, NULL, 0};
    struct store_stage *stage = NULL;
    struct store_apply a;

    assert_int_equal(failpoint_configure("store.stage=1"), ERR_OK);
    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    assert_int_equal(store_stage_write(stage, 1, &st, 1), ERR_STORE);
    store_stage_close(stage);
    assert_int_equal(failpoint_configure(""), ERR_OK);

    st.id = st.remote_id = "B";
    assert_int_equal(store_stage_open(f->s, &stage), ERR_OK);
    assert_int_equal(store_stage_write(stage, 1, &st, 1), ERR_OK);
    a = apply_stage(&run, stage);
    assert_int_equal(a.created, 1);
    assert_int_equal(list(f, 1, NULL).n, 1);
    assert_string_equal(list(f, 1, NULL).ids[0], "B");
    store_sync_run_free(&run);
}
#endif

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(apply_creates_updates_and_deletes),
        T(records_kept_from_known_responses_stay),
        T(taking_reports_what_the_run_had_not_mapped),
        T(state_reports_hashes_and_deletions),
        T(fields_and_values),
        T(attribute_filters),
        T(a_lost_lease_applies_nothing),
        T(staging_is_private_and_goes_with_its_stage),
        T(a_repeated_attribute_is_stored_once),
#ifdef HB_FAILPOINTS
        T(a_failed_staging_write_leaves_nothing_behind),
#endif
    };
    return cmocka_run_group_tests_name("store/records", tests, NULL, NULL);
}
