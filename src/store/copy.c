/*
 * copy — moves everything one store holds into another, e.g. from the
 * SQLite file a deployment started on to the PostgreSQL it outgrew. Rows are
 * copied as they are, so every id, hash, time and sealed credential stays
 * the same and the API answers the same bytes from the new store. The
 * target is written in one transaction: a failed copy leaves it empty.
 */
#include "store/store_int.h"

#include "core/buf.h"
#include "core/log.h"

#include <stdio.h>
#include <string.h>

/* Every table, parents before children. The migration log
 * (schema_migrations) belongs to each database, so it is not copied. */
static const char *const copied_tables[] = {
    "environments",
    "api_keys",
    "scope_configs",
    "integrations",
    "sync_runs",
    "integration_fields",
    "records",
    "record_docs",
    "record_attrs",
    "field_values",
    "custom_field_definitions",
    "custom_field_mappings",
    "sync_pages",
};

#define COPY_MAX_COLS 32

/* "INSERT INTO table (a, b) VALUES (?, ?)" for the columns of r. */
static void insert_sql(const struct store *from, struct store_rows *r, const char *table,
                       struct buf *sql)
{
    int n = from->drv->ncols(r);

    buf_reset(sql);
    buf_printf(sql, "INSERT INTO %s (", table);
    for (int i = 0; i < n; i++)
        buf_printf(sql, "%s%s", i ? ", " : "", from->drv->col_name(r, i));
    buf_append_str(sql, ") VALUES (");
    for (int i = 0; i < n; i++)
        buf_append_str(sql, i ? ", ?" : "?");
    buf_append_str(sql, ")");
}

static int copy_table(struct store *from, struct store_conn *src, struct store *to,
                      struct store_conn *dst, const char *table, int64_t *rows)
{
    struct store_param p[COPY_MAX_COLS];
    struct store_rows *r = NULL;
    struct buf sql, select;
    int rc, step = 0, n = 0;

    buf_init(&sql, 0);
    buf_init(&select, 0);

    buf_printf(&select, "SELECT * FROM %s", table);
    rc = from->drv->query(src, buf_str(&select), NULL, 0, &r);
    while (rc == ERR_OK && (step = from->drv->step(r)) > 0) {
        if (!n) {
            n = from->drv->ncols(r);
            if (n > COPY_MAX_COLS) {
                rc = ERR_STORE;
                break;
            }
            insert_sql(from, r, table, &sql);
        }
        for (int i = 0; i < n; i++) {
            size_t len = 0;
            switch (from->drv->col_type(r, i)) {
            case SP_NULL:
                p[i] = sp_text(NULL);
                break;
            case SP_INT:
                p[i] = sp_int(from->drv->get_int(r, i));
                break;
            case SP_BLOB: {
                const unsigned char *b = from->drv->get_blob(r, i, &len);
                p[i] = sp_blob(b, len);
                break;
            }
            case SP_TEXT: {
                const char *t = from->drv->get_text(r, i, &len);
                p[i] = sp_text(t);
                p[i].len = len;
                break;
            }
            }
        }
        rc = store_exec_params(dst, to, buf_str(&sql), p, n, NULL);
        if (rc == ERR_OK)
            (*rows)++;
    }
    if (rc == ERR_OK && step < 0)
        rc = ERR_STORE;
    if (r)
        from->drv->finish(r);
    buf_free(&sql);
    buf_free(&select);
    return rc;
}

static int target_empty(struct store *to, struct store_conn *dst)
{
    struct store_rows *r = NULL;
    int rc, empty = 0;

    rc = to->drv->query(dst, "SELECT COUNT(*) FROM environments", NULL, 0, &r);
    if (rc == ERR_OK && to->drv->step(r) > 0)
        empty = to->drv->get_int(r, 0) == 0;
    if (r)
        to->drv->finish(r);
    return empty;
}

int store_copy(struct store *from, struct store *to, store_copy_fn *progress, void *ud,
               struct err *e)
{
    struct store_conn *src = NULL, *dst = NULL;
    int rc;

    rc = store_conn_get(from, &src);
    if (rc == ERR_OK)
        rc = store_conn_get(to, &dst);
    if (rc != ERR_OK) {
        err_set(e, ERR_STORE, "cannot connect to both databases");
        goto out;
    }
    /* One read transaction: SQLite then reads one snapshot throughout. */
    rc = from->drv->exec(src, "BEGIN");
    if (rc == ERR_OK)
        rc = store_tx_begin(to, dst);
    if (rc != ERR_OK) {
        err_set(e, ERR_STORE, "cannot start the copy");
        goto out;
    }
    if (!target_empty(to, dst)) {
        rc = err_set(e, ERR_CONFLICT, "the target database already holds data");
        goto rollback;
    }
    for (size_t i = 0; i < sizeof(copied_tables) / sizeof(*copied_tables); i++) {
        int64_t rows = 0;
        rc = copy_table(from, src, to, dst, copied_tables[i], &rows);
        if (rc != ERR_OK) {
            err_set(e, rc, "copying table %s failed", copied_tables[i]);
            goto rollback;
        }
        if (progress)
            progress(ud, copied_tables[i], rows);
    }
    rc = store_tx_commit(to, dst);
    if (rc != ERR_OK)
        err_set(e, rc, "committing the copy failed");
    from->drv->exec(src, "COMMIT");
    goto out;
rollback:
    store_tx_rollback(to, dst);
    from->drv->exec(src, "ROLLBACK");
out:
    if (dst)
        store_conn_put(to, dst, rc != ERR_OK && rc != ERR_CONFLICT);
    if (src)
        store_conn_put(from, src, 0);
    return rc;
}
