/* syncs — sync runs: the queue, claims with leases, outcomes, the schedule. */
#include "store/store.h"

#include "core/alloc.h"
#include "core/isotime.h"
#include "core/log.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUN_COLUMNS                                                                                \
    "id, integration_id, type, state, created_at, started_at, ended_at, records_fetched, "         \
    "records_created, records_updated, records_deleted, error"

void store_sync_run_free(struct store_sync_run *r)
{
    if (!r)
        return;
    free(r->error);
    r->error = NULL;
}

const char *store_sync_type_name(int type)
{
    return type == SYNC_DELTA ? "DELTA" : "FULL";
}

static int64_t opt_int(const struct store *s, struct store_rows *r, int col)
{
    return s->drv->is_null(r, col) ? 0 : s->drv->get_int(r, col);
}

static void read_run(const struct store *s, struct store_rows *r, struct store_sync_run *out)
{
    char type[8];

    memset(out, 0, sizeof(*out));
    store_col_copy(s, r, 0, out->id, sizeof(out->id));
    store_col_copy(s, r, 1, out->integration_id, sizeof(out->integration_id));
    store_col_copy(s, r, 2, type, sizeof(type));
    out->type = strcmp(type, "DELTA") == 0 ? SYNC_DELTA : SYNC_FULL;
    store_col_copy(s, r, 3, out->state, sizeof(out->state));
    out->created_at = opt_int(s, r, 4);
    out->started_at = opt_int(s, r, 5);
    out->ended_at = opt_int(s, r, 6);
    out->fetched = opt_int(s, r, 7);
    out->created = opt_int(s, r, 8);
    out->updated = opt_int(s, r, 9);
    out->deleted = opt_int(s, r, 10);
    out->error = store_col_dup(s, r, 11);
}

/* Reads the first row of a run query into *out: ERR_OK, ERR_NOT_FOUND or error. */
static int query_run(struct store *s, struct store_conn *c, const char *sql,
                     const struct store_param *p, int n, struct store_sync_run *out)
{
    struct store_rows *r = NULL;
    int rc = s->drv->query(c, sql, p, n, &r);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->step(r);
    if (rc > 0)
        read_run(s, r, out);
    s->drv->finish(r);
    return rc > 0 ? ERR_OK : rc == 0 ? ERR_NOT_FOUND : -rc;
}

int store_sync_enqueue(struct store *s, const char *integration_id, int type, int after_running,
                       struct store_sync_run *out, int *already)
{
    struct store_conn *c = NULL;
    struct store_sync_run run;
    struct store_param p[5];
    char id[IDS_LEN + 1];
    int rc;

    memset(&run, 0, sizeof(run));
    rc = store_conn_get(s, &c);
    if (rc != ERR_OK)
        return rc;
    rc = store_tx_begin(s, c);
    if (rc != ERR_OK)
        goto out;
    p[0] = sp_text(integration_id);
    /* Enqueues of one integration take turns (SQLite: BEGIN IMMEDIATE). */
    if (s->drv->row_locks)
        rc = store_exec_params(c, s, "SELECT id FROM integrations WHERE id = ? FOR UPDATE", p, 1,
                               NULL);
    if (rc != ERR_OK) {
        store_tx_rollback(s, c);
        goto out;
    }
    /* A queued run first, then (unless asked to follow it) a running one. */
    rc = query_run(s, c,
                   after_running ? "SELECT " RUN_COLUMNS " FROM sync_runs WHERE integration_id = ? "
                                   "AND state = 'QUEUED'"
                                 : "SELECT " RUN_COLUMNS " FROM sync_runs WHERE integration_id = ? "
                                   "AND state IN ('QUEUED', 'RUNNING') "
                                   "ORDER BY CASE state WHEN 'QUEUED' THEN 0 ELSE 1 END LIMIT 1",
                   p, 1, &run);
    if (rc == ERR_OK) {
        /* Coalesce: a queued DELTA becomes the FULL that was asked for. */
        if (type == SYNC_FULL && run.type == SYNC_DELTA && strcmp(run.state, "QUEUED") == 0) {
            p[0] = sp_text(run.id);
            rc = store_exec_params(c, s, "UPDATE sync_runs SET type = 'FULL' WHERE id = ?", p, 1,
                                   NULL);
            run.type = SYNC_FULL;
        }
        *already = 1;
    } else if (rc == ERR_NOT_FOUND) {
        struct store_rows *r = NULL;
        int64_t now = isotime_now_ms();

        /* Runs of one integration get strictly increasing creation times,
         * so "newest first" is well defined. */
        rc = s->drv->query(c, "SELECT MAX(created_at) FROM sync_runs WHERE integration_id = ?", p,
                           1, &r);
        if (rc == ERR_OK) {
            if (s->drv->step(r) > 0 && !s->drv->is_null(r, 0) && s->drv->get_int(r, 0) >= now)
                now = s->drv->get_int(r, 0) + 1;
            s->drv->finish(r);
        }
        ids_random(id);
        p[0] = sp_text(id);
        p[1] = sp_text(integration_id);
        p[2] = sp_text(store_sync_type_name(type));
        p[3] = sp_int(now);
        if (rc == ERR_OK)
            rc = store_exec_params(c, s,
                                   "INSERT INTO sync_runs (id, integration_id, type, state, "
                                   "created_at) VALUES (?, ?, ?, 'QUEUED', ?)",
                                   p, 4, NULL);
        memcpy(run.id, id, sizeof(id));
        run.type = type;
        *already = 0;
    }
    if (rc == ERR_OK)
        rc = store_tx_commit(s, c);
    if (rc != ERR_OK) {
        store_tx_rollback(s, c);
        store_sync_run_free(&run);
        goto out;
    }
    memset(out, 0, sizeof(*out));
    memcpy(out->id, run.id, sizeof(out->id));
    out->type = run.type;
    store_sync_run_free(&run);
out:
    store_conn_put(s, c, 0);
    return rc;
}

/* A queued run waits while another run of its integration is running. */
#define NOT_BEHIND                                                                                 \
    "NOT EXISTS (SELECT 1 FROM sync_runs x WHERE x.integration_id = r.integration_id AND "         \
    "x.state = 'RUNNING')"

#define CLAIM_COLUMNS                                                                              \
    "SELECT r.id, r.integration_id, r.type, r.state, r.created_at, r.started_at, r.ended_at, "     \
    "r.records_fetched, r.records_created, r.records_updated, r.records_deleted, r.error "         \
    "FROM sync_runs r "

/* A given run, when it can be claimed. */
#define CLAIM_ONE                                                                                  \
    CLAIM_COLUMNS "WHERE ((r.state = 'QUEUED' AND " NOT_BEHIND ") OR "                             \
                  "(r.state = 'RUNNING' AND r.lease_until < ?)) AND r.id = ?"

/* The oldest claimable run of an enabled integration. Where writers do not
 * exclude each other (PostgreSQL) the row is locked with SKIP LOCKED, so
 * concurrent workers pass over a run being claimed and take the next one;
 * the row is re-checked once locked, so a run claimed meanwhile is not
 * returned. */
#define CLAIM_NEXT                                                                                 \
    CLAIM_COLUMNS "JOIN integrations i ON i.id = r.integration_id "                                \
                  "WHERE i.enabled = 1 AND ((r.state = 'QUEUED' AND " NOT_BEHIND ") OR "           \
                  "(r.state = 'RUNNING' AND r.lease_until < ?)) "                                  \
                  "ORDER BY r.created_at, r.id LIMIT 1"

/* A run whose worker stopped answering (its lease expired) is recorded as
 * FAILED and a new run of the same type takes its place in *run (queued,
 * about to be claimed). What it staged went with its connection. */
static int take_over(struct store *s, struct store_conn *c, struct store_sync_run *run, int64_t now)
{
    struct store_param p[4] = {sp_int(now), sp_text(run->id)};
    char id[IDS_LEN + 1];
    int rc;

    rc = store_exec_params(
        c, s,
        "UPDATE sync_runs SET state = 'FAILED', ended_at = ?, lease_until = NULL, "
        "error = 'the worker running it stopped answering; a new run took over' "
        "WHERE id = ?",
        p, 2, NULL);
    ids_random(id);
    p[0] = sp_text(id);
    p[1] = sp_text(run->integration_id);
    p[2] = sp_text(store_sync_type_name(run->type));
    p[3] = sp_int(now);
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "INSERT INTO sync_runs (id, integration_id, type, state, "
                               "created_at) VALUES (?, ?, ?, 'RUNNING', ?)",
                               p, 4, NULL);
    memcpy(run->id, id, sizeof(id));
    run->created_at = now;
    run->fetched = 0;
    return rc;
}

/* Claims the first run the query finds (run_id NULL: the oldest due one). */
static int claim(struct store *s, const char *run_id, const char *worker, int64_t now,
                 int64_t lease_until, struct store_sync_run *out)
{
    struct store_conn *c = NULL;
    struct store_sync_run run;
    struct store_param p[4];
    int rc;

    rc = store_conn_get(s, &c);
    if (rc != ERR_OK)
        return rc;
    rc = store_tx_begin(s, c);
    if (rc != ERR_OK)
        goto out;
    p[0] = sp_int(now);
    p[1] = sp_text(run_id);
    if (run_id)
        rc = query_run(s, c, s->drv->row_locks ? CLAIM_ONE " FOR UPDATE OF r" : CLAIM_ONE, p, 2,
                       &run);
    else
        rc = query_run(s, c,
                       s->drv->row_locks ? CLAIM_NEXT " FOR UPDATE OF r SKIP LOCKED" : CLAIM_NEXT,
                       p, 1, &run);
    if (rc == ERR_OK && strcmp(run.state, "RUNNING") == 0)
        rc = take_over(s, c, &run, now);
    if (rc == ERR_OK) {
        p[0] = sp_text(worker);
        p[1] = sp_int(lease_until);
        p[2] = sp_int(now);
        p[3] = sp_text(run.id);
        rc = store_exec_params(c, s,
                               "UPDATE sync_runs SET state = 'RUNNING', worker = ?, "
                               "lease_until = ?, started_at = ? WHERE id = ?",
                               p, 4, NULL);
        run.started_at = now;
        memcpy(run.state, "RUNNING", 8);
    }
    if (rc == ERR_OK)
        rc = store_tx_commit(s, c);
    if (rc == ERR_OK) {
        *out = run;
    } else {
        store_tx_rollback(s, c);
        if (rc != ERR_NOT_FOUND)
            store_sync_run_free(&run);
    }
out:
    store_conn_put(s, c, 0);
    return rc;
}

int store_sync_claim(struct store *s, const char *worker, int64_t now, int64_t lease_until,
                     struct store_sync_run *out)
{
    return claim(s, NULL, worker, now, lease_until, out);
}

int store_sync_claim_run(struct store *s, const char *run_id, const char *worker, int64_t now,
                         int64_t lease_until, struct store_sync_run *out)
{
    struct store_sync_run held;
    struct store_param p[1] = {sp_text(run_id)};
    struct store_conn *c = NULL;
    int rc = claim(s, run_id, worker, now, lease_until, out);

    if (rc != ERR_NOT_FOUND)
        return rc;
    /* Not claimable: running elsewhere, or over. */
    if (store_conn_get(s, &c) != ERR_OK)
        return rc;
    if (query_run(s, c, "SELECT " RUN_COLUMNS " FROM sync_runs WHERE id = ?", p, 1, &held) ==
        ERR_OK) {
        if (strcmp(held.state, "RUNNING") == 0)
            rc = ERR_CONFLICT;
        store_sync_run_free(&held);
    }
    store_conn_put(s, c, 0);
    return rc;
}

int store_sync_heartbeat(struct store *s, const char *run_id, const char *worker,
                         int64_t lease_until)
{
    struct store_param p[3] = {sp_int(lease_until), sp_text(run_id), sp_text(worker)};
    int64_t n = 0;
    int rc = store_exec1(s,
                         "UPDATE sync_runs SET lease_until = ? WHERE id = ? AND worker = ? "
                         "AND state = 'RUNNING'",
                         p, 3, &n);

    return rc == ERR_OK && n == 0 ? ERR_NOT_FOUND : rc;
}

int store_sync_lock_held(const struct store *s, struct store_conn *c, const char *run_id,
                         const char *worker)
{
    struct store_param p[2] = {sp_text(run_id), sp_text(worker)};
    struct store_rows *r = NULL;
    int rc = s->drv->query(c,
                           s->drv->row_locks
                               ? "SELECT id FROM sync_runs WHERE id = ? AND worker = ? AND "
                                 "state = 'RUNNING' FOR UPDATE"
                               : "SELECT id FROM sync_runs WHERE id = ? AND worker = ? AND "
                                 "state = 'RUNNING'",
                           p, 2, &r);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->step(r);
    s->drv->finish(r);
    return rc > 0 ? ERR_OK : rc == 0 ? ERR_NOT_FOUND : -rc;
}

int store_sync_fail(struct store *s, const struct store_sync_run *run, const char *worker,
                    const char *error)
{
    struct store_conn *c = NULL;
    struct store_param p[6] = {sp_int(isotime_now_ms()), sp_int(run->fetched), sp_text(error),
                               sp_text(run->id), sp_text(worker)};
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = store_tx_begin(s, c);
    /* A worker that lost the run leaves its new holder's record alone. */
    if (rc == ERR_OK)
        rc = store_sync_lock_held(s, c, run->id, worker);
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "UPDATE sync_runs SET state = 'FAILED', ended_at = ?, "
                               "records_fetched = ?, error = ?, lease_until = NULL "
                               "WHERE id = ? AND worker = ? AND state = 'RUNNING'",
                               p, 5, NULL);
    if (rc == ERR_OK)
        rc = store_tx_commit(s, c);
    if (rc != ERR_OK)
        store_tx_rollback(s, c);
    store_conn_put(s, c, 0);
    return rc == ERR_NOT_FOUND ? ERR_OK : rc;
}

/* Releasing a run while another of its integration waits in the queue
 * (only one may): the released run is recorded as FAILED and the queued one,
 * made FULL when the released one was, takes its place. */
static int release_behind(struct store *s, struct store_conn *c, const char *run_id,
                          const char *worker, int *handled)
{
    struct store_sync_run held, queued;
    struct store_param p[4] = {sp_text(run_id)};
    char error[160];
    int rc;

    *handled = 0;
    rc = query_run(s, c, "SELECT " RUN_COLUMNS " FROM sync_runs WHERE id = ?", p, 1, &held);
    if (rc != ERR_OK)
        return rc;
    p[0] = sp_text(held.integration_id);
    rc = query_run(s, c,
                   "SELECT " RUN_COLUMNS " FROM sync_runs WHERE integration_id = ? AND "
                   "state = 'QUEUED'",
                   p, 1, &queued);
    if (rc == ERR_NOT_FOUND) {
        store_sync_run_free(&held);
        return ERR_OK;
    }
    if (rc == ERR_OK && held.type == SYNC_FULL && queued.type == SYNC_DELTA) {
        p[0] = sp_text(queued.id);
        rc = store_exec_params(c, s, "UPDATE sync_runs SET type = 'FULL' WHERE id = ?", p, 1, NULL);
    }
    if (rc == ERR_OK) {
        snprintf(error, sizeof(error),
                 "the worker shut down before it finished; run %s, queued after it, takes its "
                 "place",
                 queued.id);
        p[0] = sp_int(isotime_now_ms());
        p[1] = sp_text(error);
        p[2] = sp_text(run_id);
        p[3] = sp_text(worker);
        rc = store_exec_params(c, s,
                               "UPDATE sync_runs SET state = 'FAILED', ended_at = ?, error = ?, "
                               "lease_until = NULL WHERE id = ? AND worker = ? AND "
                               "state = 'RUNNING'",
                               p, 4, NULL);
        *handled = rc == ERR_OK;
    }
    store_sync_run_free(&held);
    store_sync_run_free(&queued);
    return rc;
}

int store_sync_release(struct store *s, const struct store_sync_run *run, const char *worker)
{
    struct store_conn *c = NULL;
    struct store_param p[2] = {sp_text(run->id), sp_text(worker)};
    int handled = 0;
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = store_tx_begin(s, c);
    /* A worker that lost the run leaves its new holder's record alone. */
    if (rc == ERR_OK)
        rc = store_sync_lock_held(s, c, run->id, worker);
    if (rc == ERR_OK)
        rc = release_behind(s, c, run->id, worker, &handled);
    if (rc == ERR_OK && !handled)
        rc = store_exec_params(c, s,
                               "UPDATE sync_runs SET state = 'QUEUED', worker = NULL, "
                               "lease_until = NULL, started_at = NULL, records_fetched = 0 "
                               "WHERE id = ? AND worker = ? AND state = 'RUNNING'",
                               p, 2, NULL);
    if (rc == ERR_OK)
        rc = store_tx_commit(s, c);
    if (rc != ERR_OK)
        store_tx_rollback(s, c);
    store_conn_put(s, c, 0);
    return rc == ERR_NOT_FOUND ? ERR_OK : rc;
}

int store_sync_last_success(struct store *s, const char *integration_id, int64_t *started_at)
{
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    struct store_param p[1] = {sp_text(integration_id)};
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->query(c,
                       "SELECT MAX(started_at) FROM sync_runs WHERE integration_id = ? AND "
                       "state = 'SUCCEEDED'",
                       p, 1, &r);
    if (rc == ERR_OK) {
        rc = s->drv->step(r);
        if (rc > 0 && !s->drv->is_null(r, 0))
            *started_at = s->drv->get_int(r, 0);
        else if (rc >= 0)
            rc = 0;
        s->drv->finish(r);
        rc = rc > 0 ? ERR_OK : rc == 0 ? ERR_NOT_FOUND : -rc;
    }
    store_conn_put(s, c, 0);
    return rc;
}

int store_sync_list(struct store *s, const char *env_id, const char *integration_id, int limit,
                    store_sync_run_fn *fn, void *ud)
{
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    struct store_param p[3] = {sp_text(integration_id), sp_text(env_id), sp_int(limit)};
    struct store_sync_run run;
    char found[IDS_LEN + 1];
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->query(c,
                       "SELECT environment_id FROM integrations WHERE id = ? AND "
                       "environment_id = ?",
                       p, 2, &r);
    if (rc != ERR_OK)
        goto out;
    rc = s->drv->step(r);
    if (rc > 0)
        store_col_copy(s, r, 0, found, sizeof(found));
    s->drv->finish(r);
    rc = rc > 0 ? ERR_OK : rc == 0 ? ERR_NOT_FOUND : -rc;
    if (rc != ERR_OK)
        goto out;
    p[1] = sp_int(limit);
    rc = s->drv->query(c,
                       "SELECT " RUN_COLUMNS " FROM sync_runs WHERE integration_id = ? "
                       "ORDER BY created_at DESC, id DESC LIMIT ?",
                       p, 2, &r);
    if (rc != ERR_OK)
        goto out;
    while ((rc = s->drv->step(r)) > 0) {
        read_run(s, r, &run);
        fn(ud, &run);
        store_sync_run_free(&run);
    }
    s->drv->finish(r);
    rc = rc < 0 ? -rc : ERR_OK;
out:
    store_conn_put(s, c, 0);
    return rc;
}

int store_schedule_due(struct store *s, int64_t now, long full_s, long delta_s, int *queued)
{
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    struct store_param p[4];
    char(*ids)[STORE_INTEGRATION_ID_MAX] = NULL;
    int *types = NULL, n = 0, cap = 0, rc;

    *queued = 0;
    rc = store_conn_get(s, &c);
    if (rc != ERR_OK)
        return rc;
    /* Never synced (next_full_at NULL) or a FULL due: FULL. Else a DELTA due: DELTA. */
    p[0] = sp_int(now);
    p[1] = sp_int(now);
    p[2] = sp_int(delta_s ? 1 : 0);
    p[3] = sp_int(now);
    rc = s->drv->query(c,
                       "SELECT id, CASE WHEN next_full_at IS NULL OR next_full_at <= ? "
                       "THEN 0 ELSE 1 END FROM integrations WHERE enabled = 1 AND "
                       "auth_invalid = 0 AND (next_full_at IS NULL OR next_full_at <= ? OR "
                       "(? = 1 AND next_delta_at <= ?))",
                       p, 4, &r);
    if (rc != ERR_OK)
        goto out;
    while ((rc = s->drv->step(r)) > 0) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            ids = xrealloc(ids, sizeof(*ids) * (size_t)cap);
            types = xrealloc(types, sizeof(*types) * (size_t)cap);
        }
        store_col_copy(s, r, 0, ids[n], sizeof(ids[n]));
        types[n] = (int)s->drv->get_int(r, 1);
        n++;
    }
    s->drv->finish(r);
    rc = rc < 0 ? -rc : ERR_OK;
    store_conn_put(s, c, 0); /* enqueueing borrows its own connection */
    c = NULL;
    for (int i = 0; rc == ERR_OK && i < n; i++) {
        struct store_sync_run run;
        int already = 0;
        int64_t next_delta = delta_s ? now + delta_s * 1000 : INT64_MAX;

        /* The clocks move first, so a failing enqueue cannot loop every tick. */
        if (types[i] == SYNC_FULL) {
            p[0] = sp_int(full_s ? now + full_s * 1000 : INT64_MAX);
            p[1] = sp_int(next_delta);
            p[2] = sp_text(ids[i]);
            rc = store_exec1(s,
                             "UPDATE integrations SET next_full_at = ?, next_delta_at = ? "
                             "WHERE id = ?",
                             p, 3, NULL);
        } else {
            p[0] = sp_int(next_delta);
            p[1] = sp_text(ids[i]);
            rc = store_exec1(s, "UPDATE integrations SET next_delta_at = ? WHERE id = ?", p, 2,
                             NULL);
        }
        if (rc == ERR_OK)
            rc = store_sync_enqueue(s, ids[i], types[i], 0, &run, &already);
        if (rc == ERR_OK)
            *queued += !already;
    }
out:
    store_conn_put(s, c, 0);
    free(ids);
    free(types);
    return rc;
}

int store_integration_auth_result(struct store *s, const char *integration_id, int ok)
{
    struct store_param p[1] = {sp_text(integration_id)};

    if (ok)
        return store_exec1(s, "UPDATE integrations SET auth_failures = 0 WHERE id = ?", p, 1, NULL);
    return store_exec1(s,
                       "UPDATE integrations SET auth_failures = auth_failures + 1, "
                       "auth_invalid = CASE WHEN auth_failures + 1 >= 3 THEN 1 "
                       "ELSE auth_invalid END WHERE id = ?",
                       p, 1, NULL);
}
