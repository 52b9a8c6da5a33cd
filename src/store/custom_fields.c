/*
 * custom_fields — custom field definitions of an environment and, per
 * integration, the integration field each one is mapped onto.
 */
#include "store/store.h"

#include "core/alloc.h"
#include "core/isotime.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

void store_custom_field_free(struct store_custom_field *cf)
{
    free(cf->key);
    free(cf->label);
    free(cf->description);
    cf->key = cf->label = cf->description = NULL;
    store_field_free(&cf->field);
}

int store_custom_field_create(struct store *s, const char *env_id, struct store_custom_field *cf)
{
    struct store_param p[7];

    ids_random(cf->id);
    p[0] = sp_text(cf->id);
    p[1] = sp_text(env_id);
    p[2] = sp_text(cf->model);
    p[3] = sp_text(cf->key);
    p[4] = sp_text(cf->label);
    p[5] = sp_text(cf->description);
    p[6] = sp_int(isotime_now_ms());
    return store_exec1(s,
                       "INSERT INTO custom_field_definitions (id, environment_id, model, key, "
                       "label, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       p, 7, NULL);
}

/* Definition columns, then the mapped integration field's (NULL when none). */
#define CUSTOM_SELECT                                                                              \
    "SELECT d.id, d.model, d.key, d.label, d.description, f.id, f.model, f.type, f.key, "          \
    "f.label FROM custom_field_definitions d "                                                     \
    "LEFT JOIN custom_field_mappings m ON m.custom_field_id = d.id AND m.integration_id = ? "      \
    "LEFT JOIN integration_fields f ON f.id = m.field_id "

static int each_custom_field(struct store *s, const char *sql, const struct store_param *p, int n,
                             store_custom_field_fn *fn, void *ud)
{
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->query(c, sql, p, n, &r);
    if (rc == ERR_OK) {
        while ((rc = s->drv->step(r)) > 0) {
            struct store_custom_field cf;
            memset(&cf, 0, sizeof(cf));
            store_col_copy(s, r, 0, cf.id, sizeof(cf.id));
            store_col_copy(s, r, 1, cf.model, sizeof(cf.model));
            cf.key = store_col_dup(s, r, 2);
            cf.label = store_col_dup(s, r, 3);
            cf.description = store_col_dup(s, r, 4);
            cf.mapped = !s->drv->is_null(r, 5);
            if (cf.mapped) {
                store_col_copy(s, r, 5, cf.field.id, sizeof(cf.field.id));
                store_col_copy(s, r, 6, cf.field.model, sizeof(cf.field.model));
                store_col_copy(s, r, 7, cf.field.type, sizeof(cf.field.type));
                cf.field.key = store_col_dup(s, r, 8);
                cf.field.label = store_col_dup(s, r, 9);
            }
            if (cf.key)
                fn(ud, &cf);
            store_custom_field_free(&cf);
        }
        s->drv->finish(r);
        rc = rc < 0 ? -rc : ERR_OK;
    }
    store_conn_put(s, c, 0);
    return rc;
}

struct found_custom {
    struct store_custom_field cf;
    int found;
};

static void copy_custom(void *ud, const struct store_custom_field *cf)
{
    struct found_custom *out = ud;

    out->cf = *cf;
    out->cf.key = xstrdup(cf->key);
    out->cf.label = cf->label ? xstrdup(cf->label) : NULL;
    out->cf.description = cf->description ? xstrdup(cf->description) : NULL;
    out->cf.field.key = cf->field.key ? xstrdup(cf->field.key) : NULL;
    out->cf.field.label = cf->field.label ? xstrdup(cf->field.label) : NULL;
    out->found = 1;
}

int store_custom_field_get(struct store *s, const char *env_id, const char *integration_id,
                           const char *id, struct store_custom_field *out)
{
    struct store_param p[3] = {sp_text(integration_id ? integration_id : ""), sp_text(id),
                               sp_text(env_id)};
    struct found_custom fc;
    int rc;

    memset(&fc, 0, sizeof(fc));
    rc = each_custom_field(s, CUSTOM_SELECT "WHERE d.id = ? AND d.environment_id = ?", p, 3,
                           copy_custom, &fc);
    if (rc == ERR_OK && !fc.found)
        rc = ERR_NOT_FOUND;
    if (rc == ERR_OK)
        *out = fc.cf;
    return rc;
}

/* Ids read from a one-column query, kept until the transaction is done. */
struct id_list {
    char (*v)[IDS_LEN + 1];
    size_t n;
};

static int read_ids(const struct store *s, struct store_conn *c, const char *sql,
                    const struct store_param *p, int n, struct id_list *out)
{
    struct store_rows *r = NULL;
    int rc = s->drv->query(c, sql, p, n, &r);

    if (rc != ERR_OK)
        return rc;
    while ((rc = s->drv->step(r)) > 0) {
        out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
        store_col_copy(s, r, 0, out->v[out->n++], IDS_LEN + 1);
    }
    s->drv->finish(r);
    return rc < 0 ? -rc : ERR_OK;
}

/* Drops the values of the listed fields that nothing needs any more. */
static int drop_values_of(const struct store *s, struct store_conn *c, const struct id_list *l)
{
    int rc = ERR_OK;

    for (size_t i = 0; rc == ERR_OK && i < l->n; i++)
        rc = store_drop_unused_values(s, c, l->v[i]);
    return rc;
}

/* Commits (or rolls back on failure) and gives the connection back. */
static int finish_tx(struct store *s, struct store_conn *c, int rc)
{
    if (rc == ERR_OK)
        rc = store_tx_commit(s, c);
    if (rc != ERR_OK)
        store_tx_rollback(s, c);
    store_conn_put(s, c, 0);
    return rc;
}

int store_custom_field_delete(struct store *s, const char *env_id, const char *id)
{
    struct store_conn *c = NULL;
    struct store_param p[2] = {sp_text(id), sp_text(env_id)};
    struct id_list fields = {NULL, 0};
    int64_t n = 0;
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = store_tx_begin(s, c);
    if (rc == ERR_OK)
        rc = read_ids(s, c, "SELECT field_id FROM custom_field_mappings WHERE custom_field_id = ?",
                      p, 1, &fields);
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "DELETE FROM custom_field_definitions WHERE id = ? "
                               "AND environment_id = ?",
                               p, 2, &n);
    if (rc == ERR_OK && n == 0)
        rc = ERR_NOT_FOUND;
    if (rc == ERR_OK)
        rc = drop_values_of(s, c, &fields);
    rc = finish_tx(s, c, rc);
    free(fields.v);
    return rc;
}

int store_custom_fields_list(struct store *s, const char *env_id, const char *integration_id,
                             const char *after_id, int limit, store_custom_field_fn *fn, void *ud)
{
    struct store_param p[4] = {sp_text(integration_id ? integration_id : ""), sp_text(env_id),
                               sp_text(after_id ? after_id : ""), sp_int(limit)};

    return each_custom_field(s,
                             CUSTOM_SELECT "WHERE d.environment_id = ? AND d.id > ? "
                                           "ORDER BY d.id LIMIT ?",
                             p, 4, fn, ud);
}

/* ERR_OK when field_id is a field of the integration and of model. */
static int check_field(const struct store *s, struct store_conn *c, const char *integration_id,
                       const char *model, const char *field_id)
{
    struct store_param p[2] = {sp_text(field_id), sp_text(integration_id)};
    struct store_rows *r = NULL;
    const char *m;
    int rc = s->drv->query(c,
                           "SELECT model FROM integration_fields WHERE id = ? AND "
                           "integration_id = ?",
                           p, 2, &r);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->step(r);
    m = rc > 0 ? s->drv->get_text(r, 0, NULL) : NULL;
    rc = rc < 0 ? -rc : rc == 0 ? ERR_NOT_FOUND : m && strcmp(m, model) == 0 ? ERR_OK : ERR_INVALID;
    s->drv->finish(r);
    return rc;
}

int store_custom_field_map(struct store *s, const char *integration_id,
                           const struct store_custom_field *cf, const char *field_id)
{
    struct store_conn *c = NULL;
    struct store_param p[3] = {sp_text(integration_id), sp_text(cf->id), sp_text(field_id)};
    struct id_list old = {NULL, 0};
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = store_tx_begin(s, c);
    if (rc == ERR_OK && field_id)
        rc = check_field(s, c, integration_id, cf->model, field_id);
    if (rc == ERR_OK)
        rc = read_ids(s, c,
                      "SELECT field_id FROM custom_field_mappings WHERE integration_id = ? "
                      "AND custom_field_id = ?",
                      p, 2, &old);
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "DELETE FROM custom_field_mappings WHERE integration_id = ? "
                               "AND custom_field_id = ?",
                               p, 2, NULL);
    if (rc == ERR_OK && field_id)
        rc = store_exec_params(c, s,
                               "INSERT INTO custom_field_mappings (integration_id, "
                               "custom_field_id, field_id) VALUES (?, ?, ?)",
                               p, 3, NULL);
    if (rc == ERR_OK)
        rc = drop_values_of(s, c, &old);
    rc = finish_tx(s, c, rc);
    free(old.v);
    return rc;
}

int store_custom_fields_mapped(struct store *s, const char *integration_id, const char *model,
                               store_custom_mapping_fn *fn, void *ud)
{
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    struct store_param p[3] = {sp_text(integration_id), sp_text(integration_id), sp_text(model)};
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->query(c,
                       "SELECT d.key, m.field_id FROM custom_field_definitions d "
                       "LEFT JOIN custom_field_mappings m ON m.custom_field_id = d.id "
                       "AND m.integration_id = ? "
                       "WHERE d.environment_id = (SELECT environment_id FROM integrations "
                       "WHERE id = ?) AND d.model = ? ORDER BY d.key",
                       p, 3, &r);
    if (rc == ERR_OK) {
        while ((rc = s->drv->step(r)) > 0) {
            const char *key = s->drv->get_text(r, 0, NULL);
            if (key)
                fn(ud, key, s->drv->get_text(r, 1, NULL));
        }
        s->drv->finish(r);
        rc = rc < 0 ? -rc : ERR_OK;
    }
    store_conn_put(s, c, 0);
    return rc;
}
