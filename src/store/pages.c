/*
 * pages — what each remote response of the last FULL sync delivered
 * (sync_pages), so that the next FULL sync can tell a response it already
 * holds the records of from one it has to map. Read and staged on the run's
 * staging connection; made the stored set by the run's apply.
 */
#include "store/store.h"

#include "core/alloc.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

int store_pages_state(struct store_stage *st, const char *integration_id, int *valid,
                      int64_t *version)
{
    const struct store *s = st->s;
    struct store_param p = sp_text(integration_id);
    struct store_rows *r = NULL;
    int rc = s->drv->query(st->c,
                           "SELECT data_version, pages_version FROM integrations "
                           "WHERE id = ?",
                           &p, 1, &r);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->step(r);
    if (rc > 0) {
        *version = s->drv->get_int(r, 0);
        *valid = !s->drv->is_null(r, 1) && s->drv->get_int(r, 1) == *version;
    }
    s->drv->finish(r);
    return rc < 0 ? -rc : rc == 0 ? ERR_NOT_FOUND : ERR_OK;
}

int store_page_get(struct store_stage *st, const char *integration_id, const char *key,
                   store_page_fn *fn, void *ud)
{
    const struct store *s = st->s;
    struct store_param p[2] = {sp_text(integration_id), sp_text(key)};
    struct store_rows *r = NULL;
    int rc = s->drv->query(st->c,
                           "SELECT hash, memo, ids FROM sync_pages "
                           "WHERE integration_id = ? AND key = ?",
                           p, 2, &r);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->step(r);
    if (rc > 0) {
        struct store_page page = {key, s->drv->get_text(r, 0, NULL),
                                  s->drv->is_null(r, 1) ? NULL : s->drv->get_text(r, 1, NULL),
                                  s->drv->get_text(r, 2, NULL), 1};
        fn(ud, &page);
    }
    s->drv->finish(r);
    return rc < 0 ? -rc : ERR_OK;
}

/* Whether pages[i]'s key comes again later in the list. */
static int repeated_later(const struct store_page *pages, int i, int n)
{
    for (int j = i + 1; j < n; j++) {
        if (strcmp(pages[j].key, pages[i].key) == 0)
            return 1;
    }
    return 0;
}

int store_stage_pages(struct store_stage *st, const struct store_page *pages, int n)
{
    const struct store *s = st->s;
    struct store_param *p;
    int rows = 0, rc;

    if (n <= 0)
        return ERR_OK;
    p = xcalloc((size_t)n * 5, sizeof(*p));
    for (int i = 0; i < n; i++) {
        /* A known page keeps its stored row: only its key matters. */
        int known = pages[i].known;
        /* One statement may not touch a row twice: the later one stays. */
        if (repeated_later(pages, i, n))
            continue;
        p[rows * 5] = sp_text(pages[i].key);
        p[rows * 5 + 1] = sp_text(known ? NULL : pages[i].hash);
        p[rows * 5 + 2] = sp_text(known ? NULL : pages[i].memo);
        p[rows * 5 + 3] = sp_text(known ? NULL : pages[i].ids);
        p[rows * 5 + 4] = sp_int(known);
        rows++;
    }
    rc = s->drv->exec(st->c, "BEGIN");
    if (rc == ERR_OK)
        rc = store_insert_rows(s, st->c,
                               "INSERT INTO run_pages (key, hash, memo, ids, known) VALUES ",
                               " ON CONFLICT (key) DO UPDATE SET hash = excluded.hash, "
                               "memo = excluded.memo, ids = excluded.ids, known = excluded.known",
                               5, p, rows);
    if (rc == ERR_OK)
        rc = store_tx_commit(s, st->c);
    if (rc != ERR_OK) {
        store_tx_rollback(s, st->c);
        st->failed = 1;
    }
    free(p);
    return rc;
}

int store_pages_apply(const struct store *s, struct store_conn *c, const struct store_apply *a)
{
    const char *integ = a->run->integration_id;
    struct store_param p[2] = {sp_text(integ), sp_int(a->pages_from + 1)};
    int rc;

    if (!a->full)
        return ERR_OK; /* the apply moved data_version past the stored pages */
    rc = store_exec_params(c, s,
                           "DELETE FROM sync_pages WHERE integration_id = ? AND NOT EXISTS "
                           "(SELECT 1 FROM run_pages r WHERE r.key = sync_pages.key)",
                           p, 1, NULL);
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "INSERT INTO sync_pages (integration_id, key, hash, memo, ids) "
                               "SELECT ?, key, hash, memo, ids FROM run_pages WHERE known = 0 "
                               "ORDER BY key ON CONFLICT (integration_id, key) DO UPDATE SET "
                               "hash = excluded.hash, memo = excluded.memo, ids = excluded.ids",
                               p, 1, NULL);
    /* This apply took data_version from pages_from to pages_from + 1 unless
     * something else was applied, or values dropped, while the run went. */
    p[0] = sp_int(a->pages_from + 1);
    p[1] = sp_text(integ);
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "UPDATE integrations SET pages_version = CASE WHEN "
                               "data_version = ? THEN data_version ELSE NULL END WHERE id = ?",
                               p, 2, NULL);
    return rc;
}
