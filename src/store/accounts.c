/* accounts — environments, their API keys and their scope configs. */
#include "store/store.h"

#include "core/isotime.h"
#include "store/store_int.h"

#include <stdio.h>
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
