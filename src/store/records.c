/*
 * records — what a sync writes: the state of existing records (to find what
 * changed), the staging area for new and changed records, and the one
 * transaction that applies a run so readers see all of it or none of it.
 *
 * The staging area is temporary tables on a connection the run holds
 * from start to end (store_stage_open): writing them touches neither the
 * database's journal nor its file, takes no write lock, and they vanish
 * with the connection if the process dies, so nothing half-staged outlives
 * a run.
 */
#include "store/store.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/failpoint.h"
#include "core/log.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IN_MAX        500 /* ids per IN (...) list */
#define ANALYZE_AFTER 500 /* changed records after which lagging statistics are refreshed */

/* Appends "?, ?, ?" for n placeholders. */
static void placeholders(struct buf *b, int n)
{
    for (int i = 0; i < n; i++)
        buf_append_str(b, i ? ", ?" : "?");
}

int store_records_state(struct store *s, const char *integration_id, const char *const ids[], int n,
                        store_state_fn *fn, void *ud)
{
    struct store_conn *c = NULL;
    struct store_param *p = NULL;
    struct buf sql;
    int rc;

    if (n <= 0)
        return ERR_OK;
    rc = store_conn_get(s, &c);
    if (rc != ERR_OK)
        return rc;
    p = xcalloc((size_t)IN_MAX + 1, sizeof(*p));
    buf_init(&sql, 0);
    for (int off = 0; rc == ERR_OK && off < n; off += IN_MAX) {
        int m = n - off < IN_MAX ? n - off : IN_MAX;
        struct store_rows *r = NULL;

        buf_reset(&sql);
        buf_append_str(&sql, "SELECT id, hash, remote_deleted_at IS NOT NULL FROM records "
                             "WHERE integration_id = ? AND id IN (");
        placeholders(&sql, m);
        buf_append_char(&sql, ')');
        p[0] = sp_text(integration_id);
        for (int i = 0; i < m; i++)
            p[i + 1] = sp_text(ids[off + i]);
        rc = s->drv->query(c, buf_str(&sql), p, m + 1, &r);
        if (rc != ERR_OK)
            break;
        while ((rc = s->drv->step(r)) > 0)
            fn(ud, s->drv->get_text(r, 0, NULL), s->drv->get_text(r, 1, NULL),
               (int)s->drv->get_int(r, 2));
        s->drv->finish(r);
        rc = rc < 0 ? -rc : ERR_OK;
    }
    buf_free(&sql);
    free(p);
    store_conn_put(s, c, 0);
    return rc;
}

/* A row a statement of insert_rows returned. */
typedef void row_fn(void *ud, const struct store *s, struct store_rows *r);

/* store_insert_rows, also handing fn (may be NULL) each row the statements
 * return and adding the rows they changed to *changes (may be NULL). */
static int insert_rows(const struct store *s, struct store_conn *c, const char *head,
                       const char *tail, int ncols, const struct store_param *p, int nrows,
                       row_fn *fn, void *ud, int64_t *changes)
{
    struct buf sql;
    int rc = ERR_OK, off = 0;

    buf_init(&sql, 0);
    for (int chunk = 64; rc == ERR_OK && chunk > 0; chunk /= 2) {
        while (rc == ERR_OK && nrows - off >= chunk) {
            struct store_rows *r = NULL;

            buf_reset(&sql);
            buf_append_str(&sql, head);
            for (int i = 0; i < chunk; i++) {
                buf_append_str(&sql, i ? ", (" : "(");
                placeholders(&sql, ncols);
                buf_append_char(&sql, ')');
            }
            if (tail)
                buf_append_str(&sql, tail);
            rc = FAILPOINT("store.write")
                     ? ERR_STORE
                     : s->drv->query(c, buf_str(&sql), p + (size_t)off * (size_t)ncols,
                                     chunk * ncols, &r);
            if (rc != ERR_OK)
                break;
            while ((rc = s->drv->step(r)) > 0) {
                if (fn)
                    fn(ud, s, r);
            }
            s->drv->finish(r);
            rc = rc < 0 ? -rc : ERR_OK;
            if (rc == ERR_OK && changes)
                *changes += s->drv->changes(c);
            off += chunk;
        }
    }
    buf_free(&sql);
    return rc;
}

int store_insert_rows(const struct store *s, struct store_conn *c, const char *head,
                      const char *tail, int ncols, const struct store_param *p, int nrows)
{
    return insert_rows(s, c, head, tail, ncols, p, nrows, NULL, NULL, NULL);
}

/* A growing array of parameters. */
struct params {
    struct store_param *v;
    int n, cap;
};

static void params_add(struct params *ps, struct store_param p)
{
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 256;
        ps->v = xrealloc(ps->v, sizeof(*ps->v) * (size_t)ps->cap);
    }
    ps->v[ps->n++] = p;
}

static const char *const stage_ddl[] = {
    "CREATE TEMP TABLE IF NOT EXISTS run_records (id TEXT NOT NULL, "
    "model TEXT NOT NULL, remote_id TEXT NOT NULL, body TEXT NOT NULL, summary TEXT NOT NULL, "
    "hash TEXT NOT NULL, is_new INTEGER NOT NULL, batch INTEGER NOT NULL)",
    "CREATE TEMP TABLE IF NOT EXISTS run_attrs (record_id TEXT NOT NULL, name TEXT NOT NULL, "
    "value TEXT NOT NULL, batch INTEGER NOT NULL)",
    "CREATE TEMP TABLE IF NOT EXISTS run_values (record_id TEXT NOT NULL, "
    "field_id TEXT NOT NULL, value TEXT NOT NULL, batch INTEGER NOT NULL)",
    "CREATE TEMP TABLE IF NOT EXISTS run_pages (key TEXT NOT NULL PRIMARY KEY, hash TEXT, "
    "memo TEXT, ids TEXT, known INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS run_records_by_batch ON run_records (batch)",
    /* A connection used by an earlier run that could not clean up. */
    "DELETE FROM run_taken",
    "DELETE FROM run_records",
    "DELETE FROM run_attrs",
    "DELETE FROM run_values",
    "DELETE FROM run_pages",
};

static const char *const stage_drop[] = {
    "DROP TABLE IF EXISTS run_taken", "DROP TABLE IF EXISTS run_records",
    "DROP TABLE IF EXISTS run_attrs", "DROP TABLE IF EXISTS run_values",
    "DROP TABLE IF EXISTS run_pages",
};

int store_stage_open(struct store *s, struct store_stage **out)
{
    struct store_stage *st = xcalloc(1, sizeof(*st));
    int rc;

    st->s = s;
    rc = store_conn_get(s, &st->c);
    /* The records the run took: looked up by id alone. */
    if (rc == ERR_OK) {
        char ddl[256];
        snprintf(ddl, sizeof(ddl),
                 "CREATE TEMP TABLE IF NOT EXISTS run_taken (id TEXT NOT NULL PRIMARY KEY, "
                 "kept INTEGER NOT NULL, mapped INTEGER NOT NULL)%s",
                 s->drv->key_only_table);
        rc = s->drv->exec(st->c, ddl);
    }
    for (size_t i = 0; rc == ERR_OK && i < sizeof(stage_ddl) / sizeof(stage_ddl[0]); i++)
        rc = s->drv->exec(st->c, stage_ddl[i]);
    if (rc != ERR_OK) {
        if (st->c)
            store_conn_put(s, st->c, 1);
        free(st);
        return rc;
    }
    *out = st;
    return ERR_OK;
}

void store_stage_close(struct store_stage *st)
{
    int rc = ERR_OK;

    if (!st)
        return;
    for (size_t i = 0; rc == ERR_OK && i < sizeof(stage_drop) / sizeof(stage_drop[0]); i++)
        rc = st->s->drv->exec(st->c, stage_drop[i]);
    /* A connection that kept its tables, or may hold half-written ones, is
     * not handed to anyone else (closing it removes them). */
    store_conn_put(st->s, st->c, rc != ERR_OK || st->failed);
    free(st);
}

int store_stage_write(struct store_stage *stage, int batch, const struct store_staged *recs, int n)
{
    struct store *s = stage->s;
    struct store_conn *c = stage->c;
    struct params rec = {0}, attrs = {0}, values = {0};
    int rc;

    if (n <= 0)
        return ERR_OK;
    for (int i = 0; i < n; i++) {
        const struct store_staged *st = &recs[i];

        params_add(&rec, sp_text(st->id));
        params_add(&rec, sp_text(st->model));
        params_add(&rec, sp_text(st->remote_id));
        params_add(&rec, sp_text(st->body));
        params_add(&rec, sp_text(st->summary));
        params_add(&rec, sp_text(st->hash));
        params_add(&rec, sp_int(st->is_new));
        params_add(&rec, sp_int(batch));
        for (int j = 0; j < st->nattrs; j++) {
            params_add(&attrs, sp_text(st->id));
            params_add(&attrs, sp_text(st->attrs[j].name));
            params_add(&attrs, sp_text(st->attrs[j].value));
            params_add(&attrs, sp_int(batch));
        }
        for (int j = 0; j < st->nvalues; j++) {
            params_add(&values, sp_text(st->id));
            params_add(&values, sp_text(st->values[j].field_id));
            params_add(&values, sp_text(st->values[j].value));
            params_add(&values, sp_int(batch));
        }
    }
    /* Temporary tables only: a plain BEGIN, which takes no lock on the
     * database other writers wait for. */
    rc = s->drv->exec(c, "BEGIN");
    /* The engine stages each record at most once per run. */
    if (rc == ERR_OK)
        rc =
            store_insert_rows(s, c,
                              "INSERT INTO run_records (id, model, remote_id, body, summary, hash, "
                              "is_new, batch) VALUES ",
                              NULL, 8, rec.v, n);
    if (rc == ERR_OK)
        rc =
            store_insert_rows(s, c, "INSERT INTO run_attrs (record_id, name, value, batch) VALUES ",
                              NULL, 4, attrs.v, attrs.n / 4);
    if (rc == ERR_OK)
        rc = store_insert_rows(s, c,
                               "INSERT INTO run_values (record_id, field_id, value, batch) VALUES ",
                               NULL, 4, values.v, values.n / 4);
    if (rc == ERR_OK && FAILPOINT("store.stage"))
        rc = ERR_STORE;
    if (rc == ERR_OK)
        rc = store_tx_commit(s, c);
    if (rc != ERR_OK) {
        store_tx_rollback(s, c);
        stage->failed = 1;
    }
    free(rec.v);
    free(attrs.v);
    free(values.v);
    return rc;
}

/* Inserts (id, kept, !kept) for each of ids into run_taken, with tail. */
static int insert_taken(struct store_stage *st, const char *const ids[], int n, int kept,
                        const char *tail, row_fn *fn, void *ud, int64_t *changes)
{
    struct store_param *p = xcalloc((size_t)n * 3, sizeof(*p));
    int rc;

    for (int i = 0; i < n; i++) {
        p[i * 3] = sp_text(ids[i]);
        p[i * 3 + 1] = sp_int(kept);
        p[i * 3 + 2] = sp_int(!kept);
    }
    rc = insert_rows(st->s, st->c, "INSERT INTO run_taken (id, kept, mapped) VALUES ", tail, 3, p,
                     n, fn, ud, changes);
    if (rc != ERR_OK)
        st->failed = 1;
    free(p);
    return rc;
}

int store_stage_keep(struct store_stage *st, const char *const ids[], int n, int64_t *added)
{
    *added = 0;
    if (n <= 0)
        return ERR_OK;
    return insert_taken(st, ids, n, 1, " ON CONFLICT (id) DO NOTHING", NULL, NULL, added);
}

struct taken {
    store_taken_fn *fn;
    void *ud;
};

static void on_taken(void *ud, const struct store *s, struct store_rows *r)
{
    const struct taken *t = ud;

    t->fn(t->ud, s->drv->get_text(r, 0, NULL), (int)s->drv->get_int(r, 1));
}

int store_stage_take(struct store_stage *st, const char *const ids[], int n, store_taken_fn *fn,
                     void *ud)
{
    struct taken t = {fn, ud};

    if (n <= 0)
        return ERR_OK;
    /* New rows come back as inserted (kept = 0); rows a known response
     * took come back updated (kept = 1); rows mapped before do not. */
    return insert_taken(st, ids, n, 0,
                        " ON CONFLICT (id) DO UPDATE SET mapped = 1 WHERE run_taken.mapped = 0 "
                        "RETURNING id, kept",
                        fn ? on_taken : NULL, &t, NULL);
}

static int count(const struct store *s, struct store_conn *c, const char *sql,
                 const struct store_param *p, int n, int64_t *out)
{
    struct store_rows *r = NULL;
    int rc = s->drv->query(c, sql, p, n, &r);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->step(r);
    *out = rc > 0 ? s->drv->get_int(r, 0) : 0;
    s->drv->finish(r);
    return rc < 0 ? -rc : ERR_OK;
}

static int upsert_fields(struct store *s, struct store_conn *c, const struct store_apply *a)
{
    struct store_param p[7];
    int rc = ERR_OK;

    for (int i = 0; rc == ERR_OK && i < a->nfields; i++) {
        const struct store_field_def *f = &a->fields[i];

        p[0] = sp_text(f->id);
        p[1] = sp_text(a->run->integration_id);
        p[2] = sp_text(f->model);
        p[3] = sp_text(f->type);
        p[4] = sp_text(f->key);
        p[5] = sp_text(f->label);
        p[6] = sp_int(a->now);
        rc = store_exec_params(c, s,
                               "INSERT INTO integration_fields (id, integration_id, model, type, "
                               "key, label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                               "ON CONFLICT (id) DO UPDATE SET label = excluded.label",
                               p, 7, NULL);
    }
    return rc;
}

/* FULL: records of the synced models that the run did not take. */
static int mark_deleted(struct store *s, struct store_conn *c, struct store_apply *a)
{
    int rc = ERR_OK;

    /* Statistics from before a large apply (or none, for the run's own
     * table) take the integration for a few records: PostgreSQL then
     * scanned all of run_taken once per record (37 s for 3,000 employees).
     * ANALYZE in the transaction counts its own rows. */
    if (s->drv->lagging_statistics && a->created + a->updated >= ANALYZE_AFTER)
        rc = store_exec_params(c, s, "ANALYZE records, run_taken", NULL, 0, NULL);

    for (const char *const *m = a->models; rc == ERR_OK && *m; m++) {
        struct store_param p[4] = {sp_int(a->now), sp_int(a->now), sp_text(a->run->integration_id),
                                   sp_text(*m)};
        int64_t gone = 0;

        rc = store_exec_params(c, s,
                               "UPDATE records SET remote_deleted_at = ?, changed_at = ? "
                               "WHERE integration_id = ? AND model = ? AND remote_deleted_at "
                               "IS NULL AND NOT EXISTS (SELECT 1 FROM run_taken t "
                               "WHERE t.id = records.id)",
                               p, 4, &gone);
        a->deleted += gone;
    }
    return rc;
}

/* Appends " IN (?, ?)" for a NULL-terminated list and binds it. */
static void bind_in(struct buf *sql, struct store_param *p, int *n, const char *const *list)
{
    buf_append_str(sql, " IN (");
    for (int i = 0; list[i]; i++) {
        buf_append_str(sql, i ? ", ?" : "?");
        p[(*n)++] = sp_text(list[i]);
    }
    buf_append_char(sql, ')');
}

/* A changed child may have moved to another parent: the doc of the parent
 * it pointed at before goes (read before its attributes are replaced). */
static int drop_docs_of_old_parents(struct store *s, struct store_conn *c,
                                    const struct store_apply *a, int64_t batch)
{
    struct store_param p[16];
    struct buf sql;
    int n = 0, rc;

    if (!a->doc_children || !a->doc_children[0])
        return ERR_OK;
    buf_init(&sql, 0);
    /* Nested IN lists: planners then walk the batch, not every attribute. */
    buf_append_str(&sql, "DELETE FROM record_docs WHERE integration_id = ? AND id IN (SELECT "
                         "a.value FROM record_attrs a WHERE a.integration_id = ? AND a.name = ? "
                         "AND a.record_id IN (SELECT st.id FROM run_records st "
                         "WHERE st.batch = ? AND st.is_new = 0 AND st.model");
    p[n++] = sp_text(a->run->integration_id);
    p[n++] = sp_text(a->run->integration_id);
    p[n++] = sp_text(a->doc_child_attr);
    p[n++] = sp_int(batch);
    bind_in(&sql, p, &n, a->doc_children);
    buf_append_str(&sql, "))");
    rc = store_exec_params(c, s, buf_str(&sql), p, n, NULL);
    buf_free(&sql);
    return rc;
}

/* Every record this apply changed has changed_at = a->now: their docs go,
 * with the docs of records nesting them (by a link, or as their parent). */
static int drop_touched_docs(struct store *s, struct store_conn *c, const struct store_apply *a)
{
    struct store_param p[16];
    struct buf sql;
    int n = 0, rc;
    const char *integ = a->run->integration_id;

    p[0] = sp_text(integ);
    p[1] = sp_text(integ);
    p[2] = sp_int(a->now);
    rc = store_exec_params(c, s,
                           "DELETE FROM record_docs WHERE integration_id = ? AND id IN (SELECT "
                           "id FROM records WHERE integration_id = ? AND changed_at >= ?)",
                           p, 3, NULL);
    buf_init(&sql, 0);
    if (rc == ERR_OK && a->doc_links && a->doc_links[0]) {
        buf_append_str(&sql, "DELETE FROM record_docs WHERE integration_id = ? AND id IN (SELECT "
                             "a.record_id FROM records l JOIN record_attrs a ON "
                             "a.integration_id = l.integration_id AND a.value = l.id "
                             "WHERE l.integration_id = ? AND l.changed_at >= ? AND a.name");
        n = 3;
        bind_in(&sql, p, &n, a->doc_links);
        buf_append_char(&sql, ')');
        rc = store_exec_params(c, s, buf_str(&sql), p, n, NULL);
    }
    if (rc == ERR_OK && a->doc_children && a->doc_children[0]) {
        buf_reset(&sql);
        buf_append_str(&sql, "DELETE FROM record_docs WHERE integration_id = ? AND id IN (SELECT "
                             "a.value FROM records ch JOIN record_attrs a ON "
                             "a.integration_id = ch.integration_id AND a.record_id = ch.id "
                             "AND a.name = ? WHERE ch.integration_id = ? AND ch.changed_at >= ? "
                             "AND ch.model");
        n = 0;
        p[n++] = sp_text(integ);
        p[n++] = sp_text(a->doc_child_attr);
        p[n++] = sp_text(integ);
        p[n++] = sp_int(a->now);
        bind_in(&sql, p, &n, a->doc_children);
        buf_append_char(&sql, ')');
        rc = store_exec_params(c, s, buf_str(&sql), p, n, NULL);
    }
    buf_free(&sql);
    return rc;
}

/* Clears what the records of one staged batch replace: the docs of their
 * old parents, and their old attributes and field values. */
static int replace_batch(struct store *s, struct store_conn *c, const struct store_apply *a,
                         int64_t batch)
{
    struct store_param p[2] = {sp_text(a->run->integration_id), sp_int(batch)};
    int rc = drop_docs_of_old_parents(s, c, a, batch);

    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "DELETE FROM record_attrs WHERE integration_id = ? AND record_id "
                               "IN (SELECT id FROM run_records WHERE batch = ? AND is_new = 0)",
                               p, 2, NULL);
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "DELETE FROM field_values WHERE integration_id = ? AND record_id "
                               "IN (SELECT id FROM run_records WHERE batch = ? AND is_new = 0)",
                               p, 2, NULL);
    return rc;
}

/* The staged batches holding records that existed before, in order, into
 * *out (n of them; the caller frees it). */
static int batches_replacing(struct store *s, struct store_conn *c, int64_t **out, int *n)
{
    struct store_rows *r = NULL;
    int64_t *v = NULL;
    int cap = 0, len = 0, rc;

    rc = s->drv->query(c, "SELECT DISTINCT batch FROM run_records WHERE is_new = 0 ORDER BY batch",
                       NULL, 0, &r);
    if (rc != ERR_OK)
        return rc;
    while ((rc = s->drv->step(r)) > 0) {
        if (len == cap) {
            cap = cap ? cap * 2 : 64;
            v = xrealloc(v, sizeof(*v) * (size_t)cap);
        }
        v[len++] = s->drv->get_int(r, 0);
    }
    s->drv->finish(r);
    if (rc < 0) {
        free(v);
        return -rc;
    }
    *out = v;
    *n = len;
    return ERR_OK;
}

/*
 * Moves every staged row of the run into place, each table in one statement
 * sorted by its key: the indexes are then written front to back, a page at a
 * time, instead of a random page per row (the ids are hashes).
 */
static int move_staged(struct store *s, struct store_conn *c, const struct store_apply *a)
{
    struct store_param p[2] = {sp_text(a->run->integration_id), sp_int(a->now)};
    int rc;

    rc = store_exec_params(c, s,
                           "INSERT INTO records (integration_id, id, model, remote_id, body, "
                           "summary, hash, changed_at, remote_deleted_at) "
                           "SELECT ?, id, model, remote_id, body, summary, hash, ?, NULL "
                           "FROM run_records WHERE true ORDER BY id "
                           "ON CONFLICT (integration_id, id) DO UPDATE SET "
                           "remote_id = excluded.remote_id, body = excluded.body, "
                           "summary = excluded.summary, hash = excluded.hash, "
                           "changed_at = excluded.changed_at, remote_deleted_at = NULL",
                           p, 2, NULL);
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "INSERT INTO record_attrs (integration_id, record_id, name, value) "
                               "SELECT ?, record_id, name, value FROM run_attrs WHERE true "
                               "ORDER BY record_id, name, value ON CONFLICT DO NOTHING",
                               p, 1, NULL);
    /* A field deselected (or unmapped) while the run fetched keeps no values. */
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "INSERT INTO field_values (integration_id, record_id, field_id, "
                               "value) SELECT ?, v.record_id, v.field_id, v.value "
                               "FROM run_values v JOIN integration_fields f "
                               "ON f.id = v.field_id AND (f.passthrough = 1 OR EXISTS (SELECT 1 "
                               "FROM custom_field_mappings m WHERE m.field_id = f.id)) "
                               "ORDER BY v.record_id, v.field_id",
                               p, 1, NULL);
    /* The hash of a record that lost such a value covers it: forget the
     * hash, so that a sync collecting the field again rewrites the record. */
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "UPDATE records SET hash = '' WHERE integration_id = ? AND id IN "
                               "(SELECT v.record_id FROM run_values v WHERE "
                               "NOT EXISTS (SELECT 1 FROM integration_fields f "
                               "WHERE f.id = v.field_id AND (f.passthrough = 1 OR EXISTS "
                               "(SELECT 1 FROM custom_field_mappings m WHERE m.field_id = f.id))))",
                               p, 1, NULL);
    return rc;
}

/* Data minimisation: what the scope config no longer lets the integration
 * keep, the records of disabled models and the field catalog of models
 * whose integration fields are off (their values and mappings go along). */
static int purge_scoped_out(struct store *s, struct store_conn *c, const struct store_apply *a)
{
    static const char *const purge[] = {
        "DELETE FROM record_docs WHERE integration_id = ? AND id IN "
        "(SELECT id FROM records WHERE integration_id = ? AND model = ?)",
        "DELETE FROM field_values WHERE integration_id = ? AND record_id IN "
        "(SELECT id FROM records WHERE integration_id = ? AND model = ?)",
        "DELETE FROM record_attrs WHERE integration_id = ? AND record_id IN "
        "(SELECT id FROM records WHERE integration_id = ? AND model = ?)",
    };
    const char *integ = a->run->integration_id;
    int rc = ERR_OK;

    for (const char *const *m = a->purged_models; rc == ERR_OK && m && *m; m++) {
        struct store_param p[3] = {sp_text(integ), sp_text(integ), sp_text(*m)};
        for (size_t i = 0; rc == ERR_OK && i < sizeof(purge) / sizeof(purge[0]); i++)
            rc = store_exec_params(c, s, purge[i], p, 3, NULL);
        if (rc == ERR_OK)
            rc = store_exec_params(
                c, s, "DELETE FROM records WHERE integration_id = ? AND model = ?", p + 1, 2, NULL);
    }
    for (const char *const *m = a->unfield_models; rc == ERR_OK && m && *m; m++) {
        struct store_param p[2] = {sp_text(integ), sp_text(*m)};
        rc = store_exec_params(c, s,
                               "DELETE FROM integration_fields WHERE integration_id = ? AND "
                               "model = ?",
                               p, 2, NULL);
    }
    return rc;
}

int store_sync_apply(struct store_stage *stage, struct store_apply *a)
{
    struct store *s = stage->s;
    struct store_conn *c = stage->c;
    struct store_param p[8];
    const char *integ = a->run->integration_id, *run = a->run->id;
    int64_t *batches = NULL;
    int nbatches = 0, rc;

    rc = store_tx_begin(s, c);
    if (rc != ERR_OK)
        return rc;
    /* Only the holder of the lease may apply; the run stays locked until
     * the end, so no other worker can take it over meanwhile. */
    rc = store_sync_lock_held(s, c, run, a->worker);
    /* Docs rendered from the data before this apply are not stored after it
     * (docs.c); taking the integration's row first orders the two. */
    p[0] = sp_text(integ);
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "UPDATE integrations SET data_version = data_version + 1 "
                               "WHERE id = ?",
                               p, 1, NULL);
    if (rc == ERR_OK)
        rc = upsert_fields(s, c, a);
    if (rc == ERR_OK)
        rc = count(s, c, "SELECT count(*) FROM run_records WHERE is_new = 1", NULL, 0, &a->created);
    if (rc == ERR_OK)
        rc = count(s, c, "SELECT count(*) FROM run_records WHERE is_new = 0", NULL, 0, &a->updated);
    /* Batch by batch: SQLite collects the row ids a DELETE removes first. */
    if (rc == ERR_OK)
        rc = batches_replacing(s, c, &batches, &nbatches);
    for (int i = 0; rc == ERR_OK && i < nbatches; i++)
        rc = replace_batch(s, c, a, batches[i]);
    free(batches);
    if (rc == ERR_OK)
        rc = move_staged(s, c, a);
    if (rc == ERR_OK && a->full)
        rc = mark_deleted(s, c, a);
    if (rc == ERR_OK)
        rc = purge_scoped_out(s, c, a);
    for (int i = 0; rc == ERR_OK && i < a->ntombstones; i++) {
        int64_t changed = 0;
        p[0] = sp_int(a->now);
        p[1] = sp_int(a->now);
        p[2] = sp_text(integ);
        p[3] = sp_text(a->tombstones[i]);
        rc = store_exec_params(c, s,
                               "UPDATE records SET remote_deleted_at = ?, changed_at = ? "
                               "WHERE integration_id = ? AND id = ? AND remote_deleted_at IS NULL",
                               p, 4, &changed);
        a->deleted += changed;
    }
    if (rc == ERR_OK)
        rc = drop_touched_docs(s, c, a);
    if (rc == ERR_OK)
        rc = store_pages_apply(s, c, a);

    p[0] = sp_int(a->now);
    p[1] = sp_int(a->fetched);
    p[2] = sp_int(a->created);
    p[3] = sp_int(a->updated);
    p[4] = sp_int(a->deleted);
    p[5] = sp_text(run);
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "UPDATE sync_runs SET state = 'SUCCEEDED', ended_at = ?, "
                               "records_fetched = ?, records_created = ?, records_updated = ?, "
                               "records_deleted = ?, error = NULL, lease_until = NULL "
                               "WHERE id = ?",
                               p, 6, NULL);
    /* Data expired by a scope change after this run started stays expired. */
    p[0] = sp_int(SETUP_COMPLETED);
    p[1] = sp_int(a->run->started_at);
    p[2] = sp_text(integ);
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "UPDATE integrations SET setup_status = ?, data_expired_at = "
                               "CASE WHEN data_expired_at <= ? THEN NULL ELSE data_expired_at END "
                               "WHERE id = ?",
                               p, 3, NULL);
    if (rc == ERR_OK && FAILPOINT("sync.apply.before_commit"))
        rc = ERR_STORE;
    if (rc == ERR_OK)
        rc = store_tx_commit(s, c);
    if (rc == ERR_OK)
        (void)FAILPOINT("sync.apply.after_commit");
    if (rc != ERR_OK) {
        store_tx_rollback(s, c);
        log_warn("store", "msg=\"sync not applied\" run=%s integration=%s rc=%s", run, integ,
                 err_name(rc));
    }
    /* Statistics that lag behind a large sync would plan the reads after
     * it badly: refresh them now (a sampled scan). */
    if (rc == ERR_OK && a->created + a->updated + a->deleted >= ANALYZE_AFTER &&
        s->drv->lagging_statistics)
        store_exec_params(c, s, "ANALYZE records, record_attrs, field_values", NULL, 0, NULL);
    return rc;
}
