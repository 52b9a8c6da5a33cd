/* Unit tests for store/syncs.c: the queue, claims, leases and the schedule. */
#include "store_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

static void enqueue_coalesces(void **state)
{
    struct fx *f = *state;
    struct store_sync_run a, b, c;
    int already = -1;

    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_DELTA, 0, &a, &already), ERR_OK);
    assert_int_equal(already, 0);
    assert_int_equal(a.type, SYNC_DELTA);
    /* A FULL asked for upgrades the queued DELTA. */
    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_FULL, 0, &b, &already), ERR_OK);
    assert_int_equal(already, 1);
    assert_string_equal(a.id, b.id);
    assert_int_equal(b.type, SYNC_FULL);
    /* A DELTA asked for does not downgrade it. */
    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_DELTA, 1, &c, &already), ERR_OK);
    assert_int_equal(already, 1);
    assert_int_equal(c.type, SYNC_FULL);
}

static void one_running_and_one_queued(void **state)
{
    struct fx *f = *state;
    struct store_sync_run a, running, b, c, none;
    int64_t now = isotime_now_ms();
    int already;

    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_FULL, 0, &a, &already), ERR_OK);
    assert_int_equal(store_sync_claim(f->s, "w1", now, now + 60000, &running), ERR_OK);
    assert_string_equal(running.id, a.id);
    assert_string_equal(running.state, "RUNNING");
    store_sync_run_free(&running);
    /* Kombo's semantics: the running one counts as queued... */
    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_FULL, 0, &b, &already), ERR_OK);
    assert_int_equal(already, 1);
    assert_string_equal(b.id, a.id);
    /* ...unless a change needs a sync after it. */
    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_FULL, 1, &c, &already), ERR_OK);
    assert_int_equal(already, 0);
    assert_string_not_equal(c.id, a.id);
    /* The queued one waits while the other runs. */
    assert_int_equal(store_sync_claim(f->s, "w2", now, now + 60000, &none), ERR_NOT_FOUND);
}

struct listed {
    int n;
    char states[8][STORE_STATE_MAX];
    char errors[8][64];
};

static void on_run(void *ud, const struct store_sync_run *r)
{
    struct listed *l = ud;

    if (l->n < 8) {
        snprintf(l->states[l->n], STORE_STATE_MAX, "%s", r->state);
        snprintf(l->errors[l->n], 64, "%s", r->error ? r->error : "");
    }
    l->n++;
}

static void leases_expire_and_are_taken_over(void **state)
{
    struct fx *f = *state;
    struct store_sync_run a, r1, r2;
    int64_t now = isotime_now_ms();
    int already;

    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_FULL, 0, &a, &already), ERR_OK);
    assert_int_equal(store_sync_claim(f->s, "w1", now, now + 1000, &r1), ERR_OK);
    assert_int_equal(store_sync_heartbeat(f->s, r1.id, "w1", now + 1000), ERR_OK);
    assert_int_equal(store_sync_claim(f->s, "w2", now + 500, now + 60000, &r2), ERR_NOT_FOUND);
    /* w1 stops answering; after the lease its run is recorded as failed and
     * w2 runs a new one of the same type in its place. */
    assert_int_equal(store_sync_claim(f->s, "w2", now + 2000, now + 60000, &r2), ERR_OK);
    assert_string_not_equal(r2.id, r1.id);
    assert_int_equal(r2.type, SYNC_FULL);
    assert_string_equal(r2.state, "RUNNING");
    {
        struct listed l = {0};
        assert_int_equal(store_sync_list(f->s, f->env, f->integ, 10, on_run, &l), ERR_OK);
        assert_int_equal(l.n, 2);
        assert_string_equal(l.states[1], "FAILED");
        assert_non_null(strstr(l.errors[1], "stopped answering"));
    }
    assert_int_equal(store_sync_heartbeat(f->s, r1.id, "w1", now + 5000), ERR_NOT_FOUND);
    /* w1 can no longer fail or release it. */
    r1.fetched = 5;
    assert_int_equal(store_sync_fail(f->s, &r1, "w1", "late"), ERR_OK);
    assert_int_equal(store_sync_heartbeat(f->s, r2.id, "w2", now + 60000), ERR_OK);
    store_sync_run_free(&r1);
    store_sync_run_free(&r2);
}

static void outcomes_are_listed_newest_first(void **state)
{
    struct fx *f = *state;
    struct store_sync_run a, r, b;
    struct listed l = {0};
    int64_t now = isotime_now_ms(), at = 0;
    int already;

    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_FULL, 0, &a, &already), ERR_OK);
    assert_int_equal(store_sync_claim(f->s, "w", now, now + 60000, &r), ERR_OK);
    assert_int_equal(store_sync_fail(f->s, &r, "w", "remote answered 500"), ERR_OK);
    store_sync_run_free(&r);
    assert_int_equal(store_sync_last_success(f->s, f->integ, &at), ERR_NOT_FOUND);
    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_DELTA, 0, &b, &already), ERR_OK);
    assert_int_equal(already, 0); /* the failed one is over */
    assert_int_equal(store_sync_list(f->s, f->env, f->integ, 10, on_run, &l), ERR_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.states[0], "QUEUED");
    assert_string_equal(l.states[1], "FAILED");
    assert_string_equal(l.errors[1], "remote answered 500");
    assert_int_equal(store_sync_list(f->s, "otherenv", f->integ, 10, on_run, &l), ERR_NOT_FOUND);
}

static void release_puts_a_run_back(void **state)
{
    struct fx *f = *state;
    struct store_sync_run a, r, again;
    int64_t now = isotime_now_ms();
    int already;

    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_FULL, 0, &a, &already), ERR_OK);
    assert_int_equal(store_sync_claim(f->s, "w", now, now + 60000, &r), ERR_OK);
    assert_int_equal(store_sync_release(f->s, &r, "w"), ERR_OK);
    assert_int_equal(store_sync_claim_run(f->s, a.id, "w2", now, now + 60000, &again), ERR_OK);
    assert_string_equal(again.id, a.id);
    assert_int_equal(store_sync_claim_run(f->s, a.id, "w3", now, now + 60000, &r), ERR_CONFLICT);
    store_sync_run_free(&again);
}

static void release_with_a_run_queued_behind(void **state)
{
    struct fx *f = *state;
    struct store_sync_run a, r, behind, next;
    struct listed l = {0};
    int64_t now = isotime_now_ms();
    int already;

    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_FULL, 0, &a, &already), ERR_OK);
    assert_int_equal(store_sync_claim(f->s, "w", now, now + 60000, &r), ERR_OK);
    /* A DELTA queued behind the running FULL (only one may wait). */
    assert_int_equal(store_sync_enqueue(f->s, f->integ, SYNC_DELTA, 1, &behind, &already), ERR_OK);
    assert_int_equal(already, 0);
    assert_int_equal(store_sync_release(f->s, &r, "w"), ERR_OK);
    /* The released run is over, with the reason; the queued one is now a FULL. */
    assert_int_equal(store_sync_list(f->s, f->env, f->integ, 10, on_run, &l), ERR_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.states[0], "QUEUED");
    assert_string_equal(l.states[1], "FAILED");
    assert_memory_equal(l.errors[1], "the worker shut down", 20);
    assert_int_equal(store_sync_claim(f->s, "w2", now, now + 60000, &next), ERR_OK);
    assert_string_equal(next.id, behind.id);
    assert_int_equal(next.type, SYNC_FULL);
    /* A run the worker no longer holds is left alone. */
    assert_int_equal(store_sync_release(f->s, &r, "w"), ERR_OK);
    assert_int_equal(store_sync_release(f->s, &next, "someone-else"), ERR_OK);
    assert_int_equal(store_sync_heartbeat(f->s, next.id, "w2", now + 60000), ERR_OK);
    store_sync_run_free(&r);
    store_sync_run_free(&next);
}

static void schedule_queues_what_is_due(void **state)
{
    struct fx *f = *state;
    struct store_sync_run r;
    int64_t now = isotime_now_ms();
    int queued = -1;

    /* Never synced: a FULL at once. */
    assert_int_equal(store_schedule_due(f->s, now, 10800, 900, &queued), ERR_OK);
    assert_int_equal(queued, 1);
    assert_int_equal(store_sync_claim(f->s, "w", now, now + 60000, &r), ERR_OK);
    assert_int_equal(r.type, SYNC_FULL);
    assert_int_equal(store_sync_fail(f->s, &r, "w", "x"), ERR_OK);
    store_sync_run_free(&r);
    /* Nothing due a minute later; a DELTA after 15 minutes; a FULL after 3 hours. */
    assert_int_equal(store_schedule_due(f->s, now + 60000, 10800, 900, &queued), ERR_OK);
    assert_int_equal(queued, 0);
    assert_int_equal(store_schedule_due(f->s, now + 901000, 10800, 900, &queued), ERR_OK);
    assert_int_equal(queued, 1);
    assert_int_equal(store_sync_claim(f->s, "w", now, now + 60000, &r), ERR_OK);
    assert_int_equal(r.type, SYNC_DELTA);
    assert_int_equal(store_sync_fail(f->s, &r, "w", "x"), ERR_OK);
    store_sync_run_free(&r);
    assert_int_equal(store_schedule_due(f->s, now + 10801000, 10800, 900, &queued), ERR_OK);
    assert_int_equal(queued, 1);
    assert_int_equal(store_sync_claim(f->s, "w", now, now + 60000, &r), ERR_OK);
    assert_int_equal(r.type, SYNC_FULL);
    store_sync_run_free(&r);
}

static void refused_credentials_three_times_invalidate(void **state)
{
    struct fx *f = *state;
    struct store_integration it;
    int queued = 0;

    for (int i = 0; i < 2; i++)
        assert_int_equal(store_integration_auth_result(f->s, f->integ, 0), ERR_OK);
    assert_int_equal(store_integration_auth_result(f->s, f->integ, 1), ERR_OK); /* resets */
    for (int i = 0; i < 3; i++)
        assert_int_equal(store_integration_auth_result(f->s, f->integ, 0), ERR_OK);
    assert_int_equal(store_integration_get(f->s, f->env, f->integ, &it), ERR_OK);
    assert_int_equal(it.auth_invalid, 1);
    store_integration_free(&it);
    /* Its schedule pauses. */
    assert_int_equal(store_schedule_due(f->s, isotime_now_ms(), 10800, 900, &queued), ERR_OK);
    assert_int_equal(queued, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(enqueue_coalesces),
        T(one_running_and_one_queued),
        T(leases_expire_and_are_taken_over),
        T(outcomes_are_listed_newest_first),
        T(release_puts_a_run_back),
        T(release_with_a_run_queued_behind),
        T(schedule_queues_what_is_due),
        T(refused_credentials_three_times_invalidate),
    };
    return cmocka_run_group_tests_name("store/syncs", tests, NULL, NULL);
}
