/* integrations — the integrations of each environment. */
#include "store/store.h"

#include "core/alloc.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

void store_integration_free(struct store_integration *it)
{
    free(it->organization_name);
    free(it->creator_email);
    free(it->origin_id);
    free(it->base_url);
    free(it->credentials);
    free(it->scope_config_name);
    free(it->scope_config);
    it->organization_name = it->creator_email = it->origin_id = NULL;
    it->base_url = it->scope_config_name = it->scope_config = NULL;
    it->credentials = NULL;
    it->credentials_len = 0;
}

int store_integration_insert(struct store *s, const struct store_integration *it)
{
    struct store_conn *c = NULL;
    struct store_param p[14] = {
        sp_text(it->id),
        sp_text(it->environment_id),
        sp_text(it->tool),
        sp_int(it->enabled),
        sp_int(it->auth_invalid),
        sp_int(it->setup_status),
        sp_text(it->organization_name),
        sp_text(it->creator_email),
        sp_text(it->origin_id),
        sp_text(it->base_url),
        sp_blob(it->credentials, it->credentials_len),
        sp_text(it->scope_config_id),
        it->data_expired_at ? sp_int(it->data_expired_at) : sp_text(NULL),
        sp_int(it->created_at),
    };
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = store_exec_params(c, s,
                           "INSERT INTO integrations (id, environment_id, tool, enabled, "
                           "auth_invalid, setup_status, organization_name, creator_email, "
                           "origin_id, base_url, credentials, scope_config_id, data_expired_at, "
                           "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           p, 14, NULL);
    store_conn_put(s, c, 0);
    return rc;
}

#define INTEGRATION_SELECT                                                                         \
    "SELECT i.id, i.environment_id, i.tool, i.enabled, i.auth_invalid, i.setup_status, "           \
    "i.organization_name, i.creator_email, i.origin_id, i.base_url, i.credentials, "               \
    "i.scope_config_id, i.data_expired_at, i.created_at, sc.name, sc.config, i.data_version "      \
    "FROM integrations i JOIN scope_configs sc ON sc.id = i.scope_config_id "

/* Reads one integration; env_id NULL means any environment. */
static int get_integration(struct store *s, const char *env_id, const char *id,
                           struct store_integration *out)
{
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    struct store_param p[2] = {sp_text(id), sp_text(env_id)};
    struct store_integration it;
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    if (env_id)
        rc = s->drv->query(c, INTEGRATION_SELECT "WHERE i.id = ? AND i.environment_id = ?", p, 2,
                           &r);
    else
        rc = s->drv->query(c, INTEGRATION_SELECT "WHERE i.id = ?", p, 1, &r);
    if (rc != ERR_OK)
        goto out;
    rc = s->drv->step(r);
    if (rc > 0) {
        const unsigned char *blob;
        size_t len = 0;

        memset(&it, 0, sizeof(it));
        store_col_copy(s, r, 0, it.id, sizeof(it.id));
        store_col_copy(s, r, 1, it.environment_id, sizeof(it.environment_id));
        store_col_copy(s, r, 2, it.tool, sizeof(it.tool));
        it.enabled = (int)s->drv->get_int(r, 3);
        it.auth_invalid = (int)s->drv->get_int(r, 4);
        it.setup_status = (int)s->drv->get_int(r, 5);
        it.organization_name = store_col_dup(s, r, 6);
        it.creator_email = store_col_dup(s, r, 7);
        it.origin_id = store_col_dup(s, r, 8);
        it.base_url = store_col_dup(s, r, 9);
        blob = s->drv->get_blob(r, 10, &len);
        it.credentials = xmalloc(len ? len : 1);
        if (len && blob)
            memcpy(it.credentials, blob, len);
        it.credentials_len = len;
        store_col_copy(s, r, 11, it.scope_config_id, sizeof(it.scope_config_id));
        it.data_expired_at = s->drv->is_null(r, 12) ? 0 : s->drv->get_int(r, 12);
        it.created_at = s->drv->get_int(r, 13);
        it.scope_config_name = store_col_dup(s, r, 14);
        it.scope_config = store_col_dup(s, r, 15);
        it.data_version = s->drv->get_int(r, 16);
        if (!it.organization_name || !it.base_url || !it.credentials) {
            store_integration_free(&it);
            rc = -ERR_STORE;
        } else {
            *out = it;
        }
    }
    s->drv->finish(r);
    rc = rc > 0 ? ERR_OK : rc == 0 ? ERR_NOT_FOUND : -rc;
out:
    store_conn_put(s, c, 0);
    return rc;
}

int store_integration_get(struct store *s, const char *env_id, const char *id,
                          struct store_integration *out)
{
    return get_integration(s, env_id, id, out);
}

int store_integration_get_any(struct store *s, const char *id, struct store_integration *out)
{
    return get_integration(s, NULL, id, out);
}

int store_integration_delete(struct store *s, const char *env_id, const char *id)
{
    struct store_conn *c = NULL;
    struct store_param p[2] = {sp_text(id), sp_text(env_id)};
    int64_t n = 0;
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    /* Dependent rows go with it (ON DELETE CASCADE). */
    rc = store_exec_params(c, s, "DELETE FROM integrations WHERE id = ? AND environment_id = ?", p,
                           2, &n);
    store_conn_put(s, c, 0);
    if (rc == ERR_OK && n == 0)
        rc = ERR_NOT_FOUND;
    return rc;
}

int store_integration_set_enabled(struct store *s, const char *env_id, const char *id, int enabled)
{
    struct store_conn *c = NULL;
    struct store_param p[3] = {sp_int(enabled ? 1 : 0), sp_text(id), sp_text(env_id)};
    int64_t n = 0;
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = store_exec_params(
        c, s, "UPDATE integrations SET enabled = ? WHERE id = ? AND environment_id = ?", p, 3, &n);
    store_conn_put(s, c, 0);
    if (rc == ERR_OK && n == 0)
        rc = ERR_NOT_FOUND;
    return rc;
}
