/* accounts — environments, their API keys and their scope configs. */
#include "store/store.h"

#include "core/alloc.h"
#include "core/isotime.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads the first column of the first row as text into out (IDS_LEN + 1). */
static int query_id(struct store *s, struct store_conn *c, const char *sql,
                    const struct store_param *p, int n, char out[IDS_LEN + 1])
{
    struct store_rows *r = NULL;
    int rc = s->drv->query(c, sql, p, n, &r);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->step(r);
    if (rc > 0)
        store_col_copy(s, r, 0, out, IDS_LEN + 1);
    s->drv->finish(r);
    return rc > 0 ? ERR_OK : rc == 0 ? ERR_NOT_FOUND : -rc;
}

int store_environment_ensure(struct store *s, const char *name, char env_id[IDS_LEN + 1])
{
    struct store_conn *c = NULL;
    struct store_param p[4];
    char id[IDS_LEN + 1], scope_id[IDS_LEN + 1];
    int64_t now = isotime_now_ms();
    int rc;

    rc = store_conn_get(s, &c);
    if (rc != ERR_OK)
        return rc;
    rc = store_tx_begin(s, c);
    if (rc != ERR_OK)
        goto out;
    p[0] = sp_text(name);
    rc = query_id(s, c, "SELECT id FROM environments WHERE name = ?", p, 1, id);
    if (rc == ERR_NOT_FOUND) {
        ids_random(id);
        ids_random(scope_id);
        p[0] = sp_text(id);
        p[1] = sp_text(name);
        p[2] = sp_int(now);
        rc = store_exec_params(
            c, s, "INSERT INTO environments (id, name, created_at) VALUES (?, ?, ?)", p, 3, NULL);
        p[0] = sp_text(scope_id);
        p[1] = sp_text(id);
        p[2] = sp_text("Default");
        p[3] = sp_int(now);
        if (rc == ERR_OK)
            rc = store_exec_params(c, s,
                                   "INSERT INTO scope_configs (id, environment_id, name, "
                                   "is_default, created_at) VALUES (?, ?, ?, 1, ?)",
                                   p, 4, NULL);
    }
    if (rc == ERR_OK)
        rc = store_tx_commit(s, c);
    if (rc != ERR_OK)
        store_tx_rollback(s, c);
    else
        memcpy(env_id, id, sizeof(id));
out:
    store_conn_put(s, c, 0);
    return rc;
}

int store_apikey_insert(struct store *s, const char *env_id, const char *key_hash)
{
    struct store_conn *c = NULL;
    struct store_param p[3] = {sp_text(key_hash), sp_text(env_id), sp_int(isotime_now_ms())};
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = store_exec_params(c, s,
                           "INSERT INTO api_keys (key_hash, environment_id, created_at) "
                           "VALUES (?, ?, ?)",
                           p, 3, NULL);
    store_conn_put(s, c, 0);
    return rc;
}

int store_apikey_lookup(struct store *s, const char *key_hash, char env_id[IDS_LEN + 1])
{
    struct store_conn *c = NULL;
    struct store_param p[1] = {sp_text(key_hash)};
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = query_id(s, c, "SELECT environment_id FROM api_keys WHERE key_hash = ?", p, 1, env_id);
    store_conn_put(s, c, 0);
    return rc;
}

int store_scope_config_default(struct store *s, const char *env_id, char id[IDS_LEN + 1],
                               char *name, size_t name_len)
{
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    struct store_param p[1] = {sp_text(env_id)};
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->query(c,
                       "SELECT id, name FROM scope_configs "
                       "WHERE environment_id = ? AND is_default = 1",
                       p, 1, &r);
    if (rc == ERR_OK) {
        rc = s->drv->step(r);
        if (rc > 0) {
            store_col_copy(s, r, 0, id, IDS_LEN + 1);
            store_col_copy(s, r, 1, name, name_len);
        }
        s->drv->finish(r);
        rc = rc > 0 ? ERR_OK : rc == 0 ? ERR_NOT_FOUND : -rc;
    }
    store_conn_put(s, c, 0);
    return rc;
}

int store_scope_config_check(struct store *s, const char *env_id, const char *id)
{
    struct store_conn *c = NULL;
    struct store_param p[2] = {sp_text(id), sp_text(env_id)};
    char found[IDS_LEN + 1];
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = query_id(s, c, "SELECT id FROM scope_configs WHERE id = ? AND environment_id = ?", p, 2,
                  found);
    store_conn_put(s, c, 0);
    return rc;
}

void store_scope_config_free(struct store_scope_config *sc)
{
    free(sc->name);
    free(sc->config);
    sc->name = sc->config = NULL;
}

int store_scope_config_create(struct store *s, const char *env_id, const char *name,
                              const char *config, char id[IDS_LEN + 1])
{
    struct store_param p[5];

    ids_random(id);
    p[0] = sp_text(id);
    p[1] = sp_text(env_id);
    p[2] = sp_text(name);
    p[3] = sp_text(config);
    p[4] = sp_int(isotime_now_ms());
    return store_exec1(s,
                       "INSERT INTO scope_configs (id, environment_id, name, is_default, config, "
                       "created_at) VALUES (?, ?, ?, 0, ?, ?)",
                       p, 5, NULL);
}

#define SCOPE_COLUMNS "id, name, config, is_default, created_at"

/* Runs a scope config query and calls fn for each row. */
static int each_scope_config(struct store *s, const char *sql, const struct store_param *p, int n,
                             store_scope_config_fn *fn, void *ud)
{
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->query(c, sql, p, n, &r);
    if (rc == ERR_OK) {
        while ((rc = s->drv->step(r)) > 0) {
            struct store_scope_config sc;
            memset(&sc, 0, sizeof(sc));
            store_col_copy(s, r, 0, sc.id, sizeof(sc.id));
            sc.name = store_col_dup(s, r, 1);
            sc.config = store_col_dup(s, r, 2);
            sc.is_default = (int)s->drv->get_int(r, 3);
            sc.created_at = s->drv->get_int(r, 4);
            fn(ud, &sc);
            store_scope_config_free(&sc);
        }
        s->drv->finish(r);
        rc = rc < 0 ? -rc : ERR_OK;
    }
    store_conn_put(s, c, 0);
    return rc;
}

struct found_scope {
    struct store_scope_config sc;
    int found;
};

static void copy_scope(void *ud, const struct store_scope_config *sc)
{
    struct found_scope *out = ud;

    out->sc = *sc;
    out->sc.name = sc->name ? xstrdup(sc->name) : NULL;
    out->sc.config = sc->config ? xstrdup(sc->config) : NULL;
    out->found = 1;
}

int store_scope_config_get(struct store *s, const char *env_id, const char *id,
                           struct store_scope_config *out)
{
    struct store_param p[2] = {sp_text(id), sp_text(env_id)};
    struct found_scope fs;
    int rc;

    memset(&fs, 0, sizeof(fs));
    rc = each_scope_config(s,
                           "SELECT " SCOPE_COLUMNS " FROM scope_configs "
                           "WHERE id = ? AND environment_id = ?",
                           p, 2, copy_scope, &fs);
    if (rc == ERR_OK && !fs.found)
        rc = ERR_NOT_FOUND;
    if (rc == ERR_OK)
        *out = fs.sc;
    return rc;
}

int store_scope_configs_list(struct store *s, const char *env_id, const char *after_id, int limit,
                             store_scope_config_fn *fn, void *ud)
{
    struct store_param p[3] = {sp_text(env_id), sp_text(after_id ? after_id : ""), sp_int(limit)};

    return each_scope_config(s,
                             "SELECT " SCOPE_COLUMNS " FROM scope_configs "
                             "WHERE environment_id = ? AND id > ? ORDER BY id LIMIT ?",
                             p, 3, fn, ud);
}

int store_scope_config_update(struct store *s, const char *env_id, const char *id, const char *name,
                              const char *config, int64_t now)
{
    struct store_conn *c = NULL;
    struct store_param p[4] = {sp_text(name), sp_text(config), sp_text(id), sp_text(env_id)};
    int64_t n = 0;
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = store_tx_begin(s, c);
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "UPDATE scope_configs SET name = ?, config = ? "
                               "WHERE id = ? AND environment_id = ?",
                               p, 4, &n);
    if (rc == ERR_OK && n == 0)
        rc = ERR_NOT_FOUND;
    p[0] = sp_int(now);
    p[1] = sp_text(id);
    if (rc == ERR_OK)
        rc = store_exec_params(c, s,
                               "UPDATE integrations SET data_expired_at = ? "
                               "WHERE scope_config_id = ? AND data_expired_at IS NULL",
                               p, 2, NULL);
    if (rc == ERR_OK)
        rc = store_tx_commit(s, c);
    if (rc != ERR_OK)
        store_tx_rollback(s, c);
    store_conn_put(s, c, 0);
    return rc;
}

int store_scope_config_integrations(struct store *s, const char *id, store_id_fn *fn, void *ud)
{
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    struct store_param p[1] = {sp_text(id)};
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = s->drv->query(c, "SELECT id FROM integrations WHERE scope_config_id = ? ORDER BY id", p, 1,
                       &r);
    if (rc == ERR_OK) {
        while ((rc = s->drv->step(r)) > 0)
            fn(ud, s->drv->get_text(r, 0, NULL));
        s->drv->finish(r);
        rc = rc < 0 ? -rc : ERR_OK;
    }
    store_conn_put(s, c, 0);
    return rc;
}
