/*
 * store — connection pool, migrations and helpers shared by the query files.
 * The SQL of each family of data lives in its own file (accounts.c,
 * integrations.c); drivers live in sqlite.c and postgres.c.
 */
#include "store/store.h"

#include "core/alloc.h"
#include "core/failpoint.h"
#include "core/isotime.h"
#include "core/log.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

int store_open(const char *url, int pool_size, struct store **out, struct err *e)
{
    const struct store_driver *drv = NULL;
    struct store_conn *c = NULL;
    struct store *s;
    int rc;

    if (strncmp(url, "sqlite:", 7) == 0)
        drv = &store_sqlite_driver;
    else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        drv = &store_postgres_driver;
    else
        return err_set(e, ERR_INVALID, "db.url: expected sqlite:PATH or postgresql://...");
    /* Open one connection now so a bad URL fails at startup, not later. */
    rc = drv->connect(url, &c, e);
    if (rc != ERR_OK)
        return rc;
    s = xcalloc(1, sizeof(*s));
    s->drv = drv;
    s->url = xstrdup(url);
    s->max = pool_size < 1 ? 1 : pool_size > STORE_POOL_MAX ? STORE_POOL_MAX : pool_size;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    s->idle[s->nidle++] = c;
    s->nopen = 1;
    *out = s;
    return ERR_OK;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nidle; i++)
        s->drv->disconnect(s->idle[i]);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    free(s->url);
    free(s);
}

const char *store_backend(const struct store *s)
{
    return s->drv->name;
}

void store_map_reads(struct store *s, int64_t bytes)
{
    s->map_bytes = bytes;
}

int store_conn_get(struct store *s, struct store_conn **out)
{
    struct store_conn *c = NULL;
    struct err e;
    int rc;

    pthread_mutex_lock(&s->lock);
    while (s->nidle == 0 && s->nopen >= s->max)
        pthread_cond_wait(&s->cond, &s->lock);
    if (s->nidle > 0) {
        *out = s->idle[--s->nidle];
        pthread_mutex_unlock(&s->lock);
        return ERR_OK;
    }
    s->nopen++;
    pthread_mutex_unlock(&s->lock);

    err_init(&e);
    rc = s->drv->connect(s->url, &c, &e);
    if (rc == ERR_OK && s->map_bytes && s->drv->map_reads &&
        s->drv->map_reads(c, s->map_bytes) != ERR_OK) {
        s->drv->disconnect(c);
        rc = err_set(&e, ERR_STORE, "cannot map the database for reading");
    }
    if (rc != ERR_OK) {
        log_error("store", "msg=\"connect failed\" reason=\"%s\"", e.msg);
        pthread_mutex_lock(&s->lock);
        s->nopen--;
        pthread_cond_signal(&s->cond);
        pthread_mutex_unlock(&s->lock);
        return ERR_STORE;
    }
    *out = c;
    return ERR_OK;
}

void store_conn_put(struct store *s, struct store_conn *c, int broken)
{
    if (!c)
        return;
    pthread_mutex_lock(&s->lock);
    if (broken || s->nidle >= STORE_POOL_MAX) {
        s->nopen--;
        pthread_mutex_unlock(&s->lock);
        s->drv->disconnect(c);
        pthread_mutex_lock(&s->lock);
    } else {
        s->idle[s->nidle++] = c;
    }
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

int store_exec_params(struct store_conn *c, const struct store *s, const char *sql,
                      const struct store_param *p, int n, int64_t *changes)
{
    struct store_rows *r = NULL;
    int rc = FAILPOINT("store.write") ? ERR_STORE : s->drv->query(c, sql, p, n, &r);

    if (rc != ERR_OK)
        return rc;
    while ((rc = s->drv->step(r)) > 0)
        ;
    s->drv->finish(r);
    if (rc < 0)
        return -rc;
    if (changes)
        *changes = s->drv->changes(c);
    return ERR_OK;
}

int store_exec1(struct store *s, const char *sql, const struct store_param *p, int n,
                int64_t *changes)
{
    struct store_conn *c = NULL;
    int rc = store_conn_get(s, &c);

    if (rc != ERR_OK)
        return rc;
    rc = store_exec_params(c, s, sql, p, n, changes);
    store_conn_put(s, c, 0);
    return rc;
}

int store_tx_begin(const struct store *s, struct store_conn *c)
{
    return s->drv->begin_write(c);
}

int store_tx_commit(const struct store *s, struct store_conn *c)
{
    if (FAILPOINT("store.commit"))
        return ERR_STORE;
    return s->drv->exec(c, "COMMIT");
}

void store_tx_rollback(const struct store *s, struct store_conn *c)
{
    s->drv->exec(c, "ROLLBACK");
}

char *store_col_dup(const struct store *s, struct store_rows *r, int col)
{
    size_t len = 0;
    const char *t;

    if (s->drv->is_null(r, col))
        return NULL;
    t = s->drv->get_text(r, col, &len);
    return xstrndup(t ? t : "", len);
}

void store_col_copy(const struct store *s, struct store_rows *r, int col, char *out, size_t outlen)
{
    size_t len = 0;
    const char *t = s->drv->is_null(r, col) ? NULL : s->drv->get_text(r, col, &len);

    if (!t)
        len = 0;
    if (len >= outlen)
        len = outlen - 1;
    if (len)
        memcpy(out, t, len);
    out[len] = '\0';
}

/* ---- migrations --------------------------------------------------------- */

static int current_version(struct store *s, struct store_conn *c, int *version)
{
    struct store_rows *r = NULL;
    int rc;

    rc = s->drv->exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                         "version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
                         "applied_at BIGINT NOT NULL)");
    if (rc != ERR_OK)
        return rc;
    rc = s->drv->query(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL, 0, &r);
    if (rc != ERR_OK)
        return rc;
    rc = s->drv->step(r);
    *version = rc > 0 ? (int)s->drv->get_int(r, 0) : 0;
    s->drv->finish(r);
    return rc < 0 ? ERR_STORE : ERR_OK;
}

int store_migrate(struct store *s, int *applied, int *version)
{
    struct store_conn *c = NULL;
    int rc, have = 0, n = 0;

    rc = store_conn_get(s, &c);
    if (rc != ERR_OK)
        return rc;
    for (const struct store_migration *m = s->drv->migrations; m->version; m++) {
        struct store_param p[3];

        /* Re-read the version inside the write lock: another process may
         * have migrated meanwhile. */
        rc = store_tx_begin(s, c);
        if (rc == ERR_OK && s->drv->migrate_lock)
            rc = s->drv->exec(c, s->drv->migrate_lock);
        if (rc == ERR_OK)
            rc = current_version(s, c, &have);
        if (rc == ERR_OK && m->version <= have) {
            rc = store_tx_commit(s, c);
            if (rc == ERR_OK)
                continue;
        }
        if (rc == ERR_OK)
            rc = s->drv->exec(c, m->sql);
        p[0] = sp_int(m->version);
        p[1] = sp_text(m->name);
        p[2] = sp_int(isotime_now_ms());
        if (rc == ERR_OK)
            rc = store_exec_params(c, s,
                                   "INSERT INTO schema_migrations (version, name, applied_at) "
                                   "VALUES (?, ?, ?)",
                                   p, 3, NULL);
        if (rc == ERR_OK)
            rc = store_tx_commit(s, c);
        if (rc != ERR_OK) {
            store_tx_rollback(s, c);
            log_error("store", "msg=\"migration failed\" version=%d name=%s", m->version, m->name);
            goto out;
        }
        log_info("store", "msg=\"migration applied\" version=%d name=%s", m->version, m->name);
        have = m->version;
        n++;
    }
    if (applied)
        *applied = n;
    if (version) {
        rc = current_version(s, c, &have);
        *version = have;
    }
out:
    store_conn_put(s, c, rc != ERR_OK);
    return rc;
}
