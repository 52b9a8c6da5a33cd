/* fields — the catalog of integration fields and their passthrough switch. */
#include "store/store.h"

#include "core/alloc.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#define FIELD_COLUMNS "id, model, type, key, label, passthrough"

void store_field_free(struct store_field *f)
{
    if (!f)
        return;
    free(f->key);
    free(f->label);
    f->key = f->label = NULL;
}

static void read_field(const struct store *s, struct store_rows *r, int with_mapped,
                       struct store_field *f)
{
    memset(f, 0, sizeof(*f));
    store_col_copy(s, r, 0, f->id, sizeof(f->id));
    store_col_copy(s, r, 1, f->model, sizeof(f->model));
    store_col_copy(s, r, 2, f->type, sizeof(f->type));
    f->key = store_col_dup(s, r, 3);
    f->label = store_col_dup(s, r, 4);
    f->passthrough = (int)s->drv->get_int(r, 5);
    f->mapped = with_mapped && s->drv->get_int(r, 6);
}

/* Runs a field query and calls fn for each row; with_mapped: the query
 * has a seventh column, whether a custom field is mapped onto the field. */
static int each_field_cols(struct store *s, const char *sql, const struct store_param *p, int n,
                           int with_mapped, store_field_fn *fn, void *ud)
{
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    struct store_field f;
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->query(c, sql, p, n, &r);
    if (rc == ERR_OK) {
        while ((rc = s->drv->step(r)) > 0) {
            read_field(s, r, with_mapped, &f);
            fn(ud, &f);
            store_field_free(&f);
        }
        s->drv->finish(r);
        rc = rc < 0 ? -rc : ERR_OK;
    }
    store_conn_put(s, c, 0);
    return rc;
}

static int each_field(struct store *s, const char *sql, const struct store_param *p, int n,
                      store_field_fn *fn, void *ud)
{
    return each_field_cols(s, sql, p, n, 0, fn, ud);
}

int store_fields_list(struct store *s, const char *integration_id, const char *after_id, int limit,
                      store_field_fn *fn, void *ud)
{
    struct store_param p[3] = {sp_text(integration_id), sp_text(after_id ? after_id : ""),
                               sp_int(limit)};

    return each_field(s,
                      "SELECT " FIELD_COLUMNS " FROM integration_fields WHERE integration_id = ? "
                      "AND id > ? ORDER BY id LIMIT ?",
                      p, 3, fn, ud);
}

struct found_field {
    struct store_field f;
    int found;
};

static void copy_field(void *ud, const struct store_field *f)
{
    struct found_field *out = ud;

    out->f = *f;
    out->f.key = f->key ? xstrdup(f->key) : NULL;
    out->f.label = f->label ? xstrdup(f->label) : NULL;
    out->found = 1;
}

int store_field_get(struct store *s, const char *integration_id, const char *field_id,
                    struct store_field *out)
{
    struct store_param p[2] = {sp_text(integration_id), sp_text(field_id)};
    struct found_field ff;
    int rc;

    memset(&ff, 0, sizeof(ff));
    rc = each_field(s,
                    "SELECT " FIELD_COLUMNS " FROM integration_fields WHERE integration_id = ? "
                    "AND id = ?",
                    p, 2, copy_field, &ff);
    if (rc != ERR_OK)
        return rc;
    if (!ff.found)
        return ERR_NOT_FOUND;
    *out = ff.f;
    return ERR_OK;
}

int store_field_set_passthrough(struct store *s, const char *integration_id, const char *field_id,
                                int on)
{
    struct store_conn *c = NULL;
    struct store_param p[3] = {sp_int(on ? 1 : 0), sp_text(integration_id), sp_text(field_id)};
    int64_t n = 0;
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = store_tx_begin(s, c);
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "UPDATE integration_fields SET passthrough = ? "
                               "WHERE integration_id = ? AND id = ?",
                               p, 3, &n);
    if (rc == ERR_OK && n == 0)
        rc = ERR_NOT_FOUND;
    /* What was rendered of the integration's fields is stale. */
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "UPDATE integrations SET data_version = data_version + 1 "
                               "WHERE id = ?",
                               p + 1, 1, NULL);
    /* Data minimisation: a field no longer selected keeps no values. */
    if (rc == ERR_OK && !on)
        rc = store_drop_unused_values(s, c, field_id);
    if (rc == ERR_OK)
        rc = store_tx_commit(s, c);
    if (rc != ERR_OK)
        store_tx_rollback(s, c);
    store_conn_put(s, c, 0);
    return rc;
}

/* Neither selected for passthrough nor mapped onto a custom field. */
#define FIELD_UNUSED                                                                               \
    "NOT EXISTS (SELECT 1 FROM integration_fields WHERE id = ? AND passthrough = 1) "              \
    "AND NOT EXISTS (SELECT 1 FROM custom_field_mappings WHERE field_id = ?)"

int store_drop_unused_values(const struct store *s, struct store_conn *c, const char *field_id)
{
    struct store_param p[4] = {sp_text(field_id), sp_text(field_id), sp_text(field_id),
                               sp_text(field_id)};
    int rc;

    /* A record's hash covers the values it was stored with: forget it, so
     * that a sync collecting the field again (selected or mapped anew)
     * rewrites the record and its values instead of finding it unchanged. */
    rc = store_exec_params(c, s,
                           "UPDATE records SET hash = '' WHERE integration_id = (SELECT "
                           "integration_id FROM integration_fields WHERE id = ?) AND id IN "
                           "(SELECT record_id FROM field_values WHERE field_id = ?) "
                           "AND " FIELD_UNUSED,
                           p, 4, NULL);
    if (rc == ERR_OK)
        rc = store_exec_params(
            c, s, "DELETE FROM field_values WHERE field_id = ? AND " FIELD_UNUSED, p + 1, 3, NULL);
    /* The records of the last FULL sync's pages (pages.c) no longer hold
     * what those pages delivered: a sync has to map them again. */
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "UPDATE integrations SET data_version = data_version + 1 "
                               "WHERE id = (SELECT integration_id FROM integration_fields "
                               "WHERE id = ?) AND " FIELD_UNUSED,
                               p, 3, NULL);
    return rc;
}

int store_fields_selected(struct store *s, const char *integration_id, const char *model,
                          store_field_fn *fn, void *ud)
{
    struct store_param p[2] = {sp_text(integration_id), sp_text(model)};

    return each_field(s,
                      "SELECT " FIELD_COLUMNS " FROM integration_fields WHERE integration_id = ? "
                      "AND model = ? AND passthrough = 1 ORDER BY key, type",
                      p, 2, fn, ud);
}

int store_fields_collected(struct store *s, const char *integration_id, const char *model,
                           store_field_fn *fn, void *ud)
{
    struct store_param p[2] = {sp_text(integration_id), sp_text(model)};

    return each_field_cols(
        s,
        "SELECT " FIELD_COLUMNS ", EXISTS (SELECT 1 FROM custom_field_mappings "
        "m WHERE m.field_id = f.id) AS mapped FROM integration_fields f "
        "WHERE integration_id = ? AND model = ? AND (passthrough = 1 OR "
        "EXISTS (SELECT 1 FROM custom_field_mappings m WHERE m.field_id = f.id)) "
        "ORDER BY key, type",
        p, 2, 1, fn, ud);
}
