/*
 * reads — the read path of the list endpoints: one keyset query for the
 * page, then batched lookups (attributes, nested summaries, children, field
 * values) by the page's ids. Everything returned is stored JSON text; no
 * JSON is parsed here.
 */
#include "store/store.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/ids.h"
#include "core/jsonx.h"
#include "store/store_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 1200

struct qb {
    struct buf sql;
    struct store_param p[MAX_PARAMS];
    int n;
};

static void qb_text(struct qb *q, const char *v)
{
    if (q->n < MAX_PARAMS)
        q->p[q->n++] = sp_text(v);
}

static void qb_int(struct qb *q, int64_t v)
{
    if (q->n < MAX_PARAMS)
        q->p[q->n++] = sp_int(v);
}

static void qb_in(struct qb *q, const char *const *values, int n)
{
    buf_append_str(&q->sql, "(");
    for (int i = 0; i < n; i++) {
        buf_append_str(&q->sql, i ? ", ?" : "?");
        qb_text(q, values[i]);
    }
    buf_append_str(&q->sql, ")");
}

static void read_row(const struct store *s, struct store_rows *r, struct store_record_row *row)
{
    row->id = s->drv->get_text(r, 0, NULL);
    row->model = s->drv->get_text(r, 1, NULL);
    row->remote_id = s->drv->get_text(r, 2, NULL);
    row->body = s->drv->get_text(r, 3, &row->body_len);
    row->changed_at = s->drv->get_int(r, 4);
    row->remote_deleted_at = s->drv->is_null(r, 5) ? 0 : s->drv->get_int(r, 5);
    row->doc = NULL;
    row->doc_len = 0;
    if (s->drv->ncols(r) > 6)
        row->doc = s->drv->get_text(r, 6, &row->doc_len);
}

/* Runs q and calls fn per row (with the first column as parent for children). */
static int run(struct store *s, struct qb *q, int with_parent, void *fn, void *ud)
{
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    struct store_record_row row;
    int rc;

    if (q->n >= MAX_PARAMS)
        return ERR_TOO_LARGE;
    rc = store_conn_get(s, &c);
    if (rc != ERR_OK)
        return rc;
    rc = s->drv->query(c, buf_str(&q->sql), q->p, q->n, &r);
    if (rc == ERR_OK) {
        while ((rc = s->drv->step(r)) > 0) {
            if (with_parent) {
                /* Columns shift by one: the parent id comes first. */
                row.id = s->drv->get_text(r, 1, NULL);
                row.model = s->drv->get_text(r, 2, NULL);
                row.remote_id = s->drv->get_text(r, 3, NULL);
                row.body = s->drv->get_text(r, 4, &row.body_len);
                row.changed_at = s->drv->get_int(r, 5);
                row.remote_deleted_at = s->drv->is_null(r, 6) ? 0 : s->drv->get_int(r, 6);
                row.doc = NULL;
                row.doc_len = 0;
                ((store_child_fn *)fn)(ud, s->drv->get_text(r, 0, NULL), &row);
            } else {
                read_row(s, r, &row);
                ((store_record_fn *)fn)(ud, &row);
            }
        }
        s->drv->finish(r);
        rc = rc < 0 ? -rc : ERR_OK;
    }
    store_conn_put(s, c, 0);
    return rc;
}

/* A number with an integral value is stored in one of two forms, as the
 * remote wrote it: "88" (an integer) or "88.0" (a real, as jsonx_dump
 * writes it). For such a value (JSON text) the other form goes into out;
 * returns 0 for anything else. */
static int number_twin(const char *v, char *out, size_t outlen)
{
    char *end;
    double d;

    if (!v || !(*v == '-' || (*v >= '0' && *v <= '9')))
        return 0;
    d = strtod(v, &end);
    if (*end || !isfinite(d) || d != floor(d) || fabs(d) > 9007199254740992.0 /* 2^53 */)
        return 0;
    if (strpbrk(v, ".eE")) {
        snprintf(out, outlen, "%lld", (long long)d);
    } else {
        json_t *real = json_real(d);
        struct buf b;

        buf_init(&b, 0);
        jsonx_dump(real, &b);
        snprintf(out, outlen, "%s", buf_str(&b));
        buf_free(&b);
        json_decref(real);
    }
    return 1;
}

int store_records_list(struct store *s, const struct store_list_query *lq, store_record_fn *fn,
                       void *ud)
{
    char twin[64];
    char(*derived)[IDS_LEN + 1] = NULL;
    const char **derived_ids = NULL;
    struct qb *q = xcalloc(1, sizeof(*q));
    int rc;

    buf_init(&q->sql, 0);
    if (lq->with_docs) {
        /* The body is read only for a record without a current doc. */
        buf_append_str(&q->sql, "SELECT r.id, r.model, r.remote_id, CASE WHEN d.fp = ? THEN NULL "
                                "ELSE r.body END, r.changed_at, r.remote_deleted_at, CASE WHEN "
                                "d.fp = ? THEN d.doc END FROM records r LEFT JOIN record_docs d "
                                "ON d.integration_id = r.integration_id AND d.id = r.id");
        qb_int(q, lq->doc_fp);
        qb_int(q, lq->doc_fp);
    } else {
        buf_append_str(&q->sql, "SELECT r.id, r.model, r.remote_id, r.body, r.changed_at, "
                                "r.remote_deleted_at FROM records r");
    }
    buf_append_str(&q->sql, " WHERE r.integration_id = ? AND r.model = ? AND r.id > ?");
    qb_text(q, lq->integration_id);
    qb_text(q, lq->model);
    qb_text(q, lq->after_id ? lq->after_id : "");
    if (!lq->include_deleted)
        buf_append_str(&q->sql, " AND r.remote_deleted_at IS NULL");
    if (lq->nids) {
        buf_append_str(&q->sql, " AND r.id IN ");
        qb_in(q, lq->ids, lq->nids);
    }
    /* A record's id is derived from its integration, model and remote id
     * (sync/engine.c): the primary key finds it, no index on remote ids. */
    if (lq->nremote_ids) {
        derived = xcalloc((size_t)lq->nremote_ids, sizeof(*derived));
        derived_ids = xcalloc((size_t)lq->nremote_ids, sizeof(*derived_ids));
        for (int i = 0; i < lq->nremote_ids; i++) {
            const char *parts[3] = {lq->integration_id, lq->model, lq->remote_ids[i]};
            ids_derive(derived[i], parts, 3);
            derived_ids[i] = derived[i];
        }
        buf_append_str(&q->sql, " AND r.id IN ");
        qb_in(q, derived_ids, lq->nremote_ids);
    }
    if (lq->value_none)
        buf_append_str(&q->sql, " AND 1 = 0");
    if (lq->value_field_id) {
        buf_append_str(&q->sql, lq->value_or_missing ? " AND NOT EXISTS (" : " AND EXISTS (");
        buf_append_str(&q->sql, "SELECT 1 FROM field_values v WHERE v.integration_id = "
                                "r.integration_id AND v.record_id = r.id AND v.field_id = ? AND ");
        qb_text(q, lq->value_field_id);
        qb_text(q, lq->value_json);
        if (number_twin(lq->value_json, twin, sizeof(twin))) {
            /* 88 and 88.0 are the same number. */
            buf_append_str(&q->sql,
                           lq->value_or_missing ? "v.value NOT IN (?, ?))" : "v.value IN (?, ?))");
            qb_text(q, twin);
        } else {
            buf_append_str(&q->sql, lq->value_or_missing ? "v.value <> ?)" : "v.value = ?)");
        }
    }
    for (int i = 0; i < lq->nfilters; i++) {
        const struct store_attr_filter *f = &lq->filters[i];

        buf_append_str(&q->sql, f->or_missing ? " AND (" : " AND ");
        buf_append_str(&q->sql, "r.id IN (SELECT record_id FROM record_attrs WHERE "
                                "integration_id = r.integration_id AND name = ? AND value ");
        qb_text(q, f->name);
        switch (f->op) {
        case FILTER_CONTAINS:
            /* The needle is matched literally: LIKE's wildcards are escaped. */
            buf_append_str(&q->sql, "LIKE ? ESCAPE '\\')");
            qb_text(q, f->values[0]);
            break;
        case FILTER_GE:
            buf_append_str(&q->sql, ">= ?)");
            qb_text(q, f->values[0]);
            break;
        case FILTER_LE:
            buf_append_str(&q->sql, "<= ?)");
            qb_text(q, f->values[0]);
            break;
        default:
            buf_append_str(&q->sql, "IN ");
            qb_in(q, f->values, f->n);
            buf_append_str(&q->sql, ")");
        }
        if (f->or_missing) {
            buf_append_str(&q->sql, " OR NOT EXISTS (SELECT 1 FROM record_attrs WHERE "
                                    "integration_id = r.integration_id AND record_id = r.id AND "
                                    "name = ?))");
            qb_text(q, f->name);
        }
    }
    if (lq->updated_after) {
        /* The record itself, or what it nests, changed after the time. */
        buf_append_str(&q->sql, " AND (r.changed_at > ?");
        qb_int(q, lq->updated_after);
        if (lq->link_attrs && lq->link_attrs[0]) {
            int n = 0;
            while (lq->link_attrs[n])
                n++;
            buf_append_str(&q->sql,
                           " OR EXISTS (SELECT 1 FROM record_attrs a JOIN records l ON "
                           "l.integration_id = a.integration_id AND l.id = a.value WHERE "
                           "a.integration_id = r.integration_id AND a.record_id = r.id AND "
                           "l.changed_at > ? AND a.name IN ");
            qb_int(q, lq->updated_after);
            qb_in(q, lq->link_attrs, n);
            buf_append_str(&q->sql, ")");
        }
        if (lq->child_attr) {
            buf_append_str(&q->sql,
                           " OR EXISTS (SELECT 1 FROM record_attrs a JOIN records ch ON "
                           "ch.integration_id = a.integration_id AND ch.id = a.record_id WHERE "
                           "a.integration_id = r.integration_id AND a.name = ? AND a.value = r.id "
                           "AND ch.changed_at > ?)");
            qb_text(q, lq->child_attr);
            qb_int(q, lq->updated_after);
        }
        buf_append_str(&q->sql, ")");
    }
    buf_append_str(&q->sql, " ORDER BY r.id LIMIT ?");
    qb_int(q, lq->limit);
    rc = run(s, q, 0, (void *)fn, ud);
    buf_free(&q->sql);
    free(q);
    free(derived_ids);
    free(derived);
    return rc;
}

/* Runs "PREFIX (?, ?, ...) SUFFIX" over ids in chunks. */
static int by_ids(struct store *s, const char *integration_id, const char *prefix,
                  const char *suffix, const char *const ids[], int n, int with_parent,
                  const char *extra, void *fn, void *ud)
{
    int rc = ERR_OK;

    for (int off = 0; rc == ERR_OK && off < n; off += 500) {
        struct qb *q = xcalloc(1, sizeof(*q));
        int m = n - off < 500 ? n - off : 500;

        buf_init(&q->sql, 0);
        buf_append_str(&q->sql, prefix);
        qb_text(q, integration_id);
        if (extra)
            qb_text(q, extra);
        qb_in(q, ids + off, m);
        buf_append_str(&q->sql, suffix);
        rc = run(s, q, with_parent, fn, ud);
        buf_free(&q->sql);
        free(q);
    }
    return rc;
}

struct attr_adapter {
    store_attr_fn *fn;
    void *ud;
};

static void attr_row(void *ud, const struct store_record_row *row)
{
    struct attr_adapter *a = ud;

    /* Columns: record_id, name, value reuse the id, model and remote_id slots. */
    a->fn(a->ud, row->id, row->model, row->remote_id);
}

int store_records_attrs(struct store *s, const char *integration_id, const char *const ids[], int n,
                        store_attr_fn *fn, void *ud)
{
    struct attr_adapter a = {fn, ud};

    return by_ids(s, integration_id,
                  "SELECT record_id, name, value, '', 0, NULL FROM record_attrs "
                  "WHERE integration_id = ? AND record_id IN ",
                  "", ids, n, 0, NULL, (void *)attr_row, &a);
}

int store_records_summaries(struct store *s, const char *integration_id, const char *const ids[],
                            int n, store_record_fn *fn, void *ud)
{
    return by_ids(s, integration_id,
                  "SELECT id, model, remote_id, CASE WHEN summary = '' THEN body ELSE summary END, "
                  "changed_at, remote_deleted_at "
                  "FROM records WHERE integration_id = ? AND id IN ",
                  "", ids, n, 0, NULL, (void *)fn, ud);
}

int store_records_children(struct store *s, const char *integration_id, const char *model,
                           const char *attr, const char *const parent_ids[], int n,
                           int include_deleted, store_child_fn *fn, void *ud)
{
    struct qb *q;
    int rc = ERR_OK;

    for (int off = 0; rc == ERR_OK && off < n; off += 500) {
        int m = n - off < 500 ? n - off : 500;

        q = xcalloc(1, sizeof(*q));
        buf_init(&q->sql, 0);
        /* CROSS JOIN keeps SQLite walking the parents' attributes first
         * rather than every record of the model. */
        buf_append_str(&q->sql, "SELECT a.value, r.id, r.model, r.remote_id, r.body, "
                                "r.changed_at, r.remote_deleted_at FROM record_attrs a "
                                "CROSS JOIN records r WHERE r.integration_id = a.integration_id "
                                "AND r.id = a.record_id AND a.integration_id = ? AND r.model = ? "
                                "AND a.name = ? AND a.value IN ");
        qb_text(q, integration_id);
        qb_text(q, model);
        qb_text(q, attr);
        qb_in(q, parent_ids + off, m);
        if (!include_deleted)
            buf_append_str(&q->sql, " AND r.remote_deleted_at IS NULL");
        buf_append_str(&q->sql, " ORDER BY r.id");
        rc = run(s, q, 1, (void *)fn, ud);
        buf_free(&q->sql);
        free(q);
    }
    return rc;
}

struct value_adapter {
    store_value_fn *fn;
    void *ud;
};

static void value_row(void *ud, const struct store_record_row *row)
{
    struct value_adapter *a = ud;

    /* Columns: record_id, field_id, (unused), value. */
    a->fn(a->ud, row->id, row->model, row->body, row->body_len);
}

int store_field_values(struct store *s, const char *integration_id, const char *const ids[], int n,
                       store_value_fn *fn, void *ud)
{
    struct value_adapter a = {fn, ud};

    return by_ids(s, integration_id,
                  "SELECT record_id, field_id, '', value, 0, NULL FROM field_values "
                  "WHERE integration_id = ? AND record_id IN ",
                  "", ids, n, 0, NULL, (void *)value_row, &a);
}
