/*
 * docs — records as the API serves them (record_docs), rendered after a
 * sync so that reading a page copies stored text. The apply (records.c)
 * deletes the docs its changes touch and bumps the integration's
 * data_version; a doc rendered from data older than the last apply is not
 * stored, since it may hold what that apply changed.
 */
#include "store/store.h"

#include "core/failpoint.h"
#include "store/store_int.h"

int store_data_version(struct store *s, const char *integration_id, int64_t *version)
{
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    struct store_param p = sp_text(integration_id);
    int rc;

    rc = store_conn_get(s, &c);
    if (rc != ERR_OK)
        return rc;
    rc = s->drv->query(c, "SELECT data_version FROM integrations WHERE id = ?", &p, 1, &r);
    if (rc == ERR_OK) {
        rc = s->drv->step(r);
        if (rc > 0)
            *version = s->drv->get_int(r, 0);
        rc = rc > 0 ? ERR_OK : rc == 0 ? ERR_NOT_FOUND : -rc;
        s->drv->finish(r);
    }
    store_conn_put(s, c, 0);
    return rc;
}

int store_docs_stale(struct store *s, const char *integration_id, const char *model, int64_t fp,
                     const char *after_id, int limit, store_record_fn *fn, void *ud)
{
    struct store_param p[5] = {sp_text(integration_id), sp_text(model),
                               sp_text(after_id ? after_id : ""), sp_int(fp), sp_int(limit)};
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    struct store_record_row row = {0};
    int rc;

    rc = store_conn_get(s, &c);
    if (rc != ERR_OK)
        return rc;
    rc = s->drv->query(c,
                       "SELECT r.id, r.body, r.changed_at FROM records r LEFT JOIN record_docs d "
                       "ON d.integration_id = r.integration_id AND d.id = r.id "
                       "WHERE r.integration_id = ? AND r.model = ? AND r.id > ? "
                       "AND r.remote_deleted_at IS NULL AND (d.fp IS NULL OR d.fp <> ?) "
                       "ORDER BY r.id LIMIT ?",
                       p, 5, &r);
    if (rc == ERR_OK) {
        while ((rc = s->drv->step(r)) > 0) {
            row.id = s->drv->get_text(r, 0, NULL);
            row.model = model;
            row.body = s->drv->get_text(r, 1, &row.body_len);
            row.changed_at = s->drv->get_int(r, 2);
            fn(ud, &row);
        }
        s->drv->finish(r);
        rc = rc < 0 ? -rc : ERR_OK;
    }
    store_conn_put(s, c, 0);
    return rc;
}

int store_docs_put(struct store *s, const char *integration_id, int64_t version, int64_t fp,
                   const struct store_doc *docs, int n)
{
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    struct store_param p[4];
    int64_t now_version = -1;
    int rc;

    rc = store_conn_get(s, &c);
    if (rc != ERR_OK)
        return rc;
    rc = store_tx_begin(s, c);
    if (rc != ERR_OK)
        goto out;
    /* Locked (PostgreSQL) so that no apply commits between this check and
     * the writes; SQLite's write transaction already excludes one. */
    p[0] = sp_text(integration_id);
    rc = s->drv->query(c,
                       s->drv->row_locks
                           ? "SELECT data_version FROM integrations WHERE id = ? FOR UPDATE"
                           : "SELECT data_version FROM integrations WHERE id = ?",
                       p, 1, &r);
    if (rc == ERR_OK) {
        if (s->drv->step(r) > 0)
            now_version = s->drv->get_int(r, 0);
        s->drv->finish(r);
        if (now_version != version)
            rc = ERR_CONFLICT;
    }
    for (int i = 0; rc == ERR_OK && i < n; i++) {
        p[0] = sp_text(integration_id);
        p[1] = sp_text(docs[i].id);
        p[2] = sp_int(fp);
        p[3] = sp_text(docs[i].doc);
        p[3].len = docs[i].len;
        rc = store_exec_params(c, s,
                               "INSERT INTO record_docs (integration_id, id, fp, doc) "
                               "VALUES (?, ?, ?, ?) ON CONFLICT (integration_id, id) DO UPDATE "
                               "SET fp = excluded.fp, doc = excluded.doc",
                               p, 4, NULL);
    }
    if (rc == ERR_OK && FAILPOINT("docs.put"))
        rc = ERR_STORE;
    if (rc == ERR_OK)
        rc = store_tx_commit(s, c);
    if (rc != ERR_OK)
        store_tx_rollback(s, c);
out:
    store_conn_put(s, c, 0);
    return rc;
}

int store_docs_complete(struct store *s, const char *integration_id, int64_t version, int64_t fp)
{
    struct store_param p[4] = {sp_int(version), sp_int(fp), sp_text(integration_id),
                               sp_int(version)};

    return store_exec1(s,
                       "UPDATE integrations SET docs_version = ?, docs_fp = ? "
                       "WHERE id = ? AND data_version = ?",
                       p, 4, NULL);
}

int store_docs_page(struct store *s, const char *integration_id, int64_t fp, const char *after_id,
                    int limit, store_doc_fn *fn, void *ud, int *rows)
{
    struct store_param p[4] = {sp_text(integration_id), sp_text(after_id ? after_id : ""),
                               sp_int(fp), sp_int(limit)};
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    int rc;

    *rows = 0;
    rc = store_conn_get(s, &c);
    if (rc != ERR_OK)
        return rc;
    /* Whether the docs are complete is read in the same snapshot as they
     * are: a sync applied meanwhile cannot split a page. */
    rc = s->drv->query(c,
                       "SELECT d.id, d.doc FROM record_docs d JOIN integrations i "
                       "ON i.id = d.integration_id WHERE d.integration_id = ? AND d.id > ? "
                       "AND i.docs_fp = ? AND i.docs_version = i.data_version "
                       "ORDER BY d.id LIMIT ?",
                       p, 4, &r);
    if (rc == ERR_OK) {
        while ((rc = s->drv->step(r)) > 0) {
            size_t len = 0;
            const char *id = s->drv->get_text(r, 0, NULL);
            const char *doc = s->drv->get_text(r, 1, &len);
            fn(ud, id, doc, len);
            (*rows)++;
        }
        s->drv->finish(r);
        rc = rc < 0 ? -rc : ERR_OK;
    }
    store_conn_put(s, c, 0);
    return rc;
}
