/*
 * sqlite — the SQLite driver behind store.h: one sqlite3 handle per pooled
 * connection, WAL mode with a busy time-out (so `serve` and a CLI command can
 * share the file), foreign keys on, and a per-connection cache of prepared
 * statements keyed by their SQL text.
 */
#include "store/store_int.h"

#include "core/alloc.h"
#include "core/log.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE      64
#define BUSY_TIMEOUT_MS 10000

struct cached_stmt {
    char *sql;
    sqlite3_stmt *st;
    int busy; /* handed out and not finished yet */
};

struct store_conn {
    sqlite3 *db;
    struct cached_stmt cache[STMT_CACHE];
};

struct store_rows {
    struct store_conn *c;
    sqlite3_stmt *st;
    struct cached_stmt *slot; /* NULL: finalize on finish */
};

extern const struct store_migration store_sqlite_migrations[];

static void log_sql_error(sqlite3 *db, const char *what, const char *sql)
{
    log_error("store", "msg=\"%s\" backend=sqlite code=%d error=\"%s\" sql=\"%.60s\"", what,
              sqlite3_extended_errcode(db), sqlite3_errmsg(db), sql);
}

static int drv_connect(const char *url, struct store_conn **out, struct err *e)
{
    const char *path = url + strlen("sqlite:");
    struct store_conn *c;
    char *msg = NULL;
    int rc;

    if (!*path)
        return err_set(e, ERR_INVALID, "db.url: sqlite: needs a file path");
    c = xcalloc(1, sizeof(*c));
    rc = sqlite3_open_v2(path, &c->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        err_set(e, ERR_STORE, "cannot open %s: %s", path,
                c->db ? sqlite3_errmsg(c->db) : "out of memory");
        sqlite3_close(c->db);
        free(c);
        return ERR_STORE;
    }
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    /* 16 KiB pages (set while a new file is still empty; an existing one
     * keeps its size): a sync's apply is one transaction, and the WAL index
     * every connection maps grows by 8 bytes per page it writes — 28 MiB
     * with 4 KiB pages at a million employees. Temporary tables keep 4 KiB
     * pages: their sorts buffer less and ran faster. They hold only a run's
     * staging, which a failed write makes worthless anyway (the run fails
     * and its connection is closed, records.c), so they keep no rollback
     * journal: in a file it wrote every temporary page a staging
     * transaction touched once more (1.5 GB in a re-sync of 20,000
     * employees); in memory it took a fresh sync's peak RSS from 31 to 126
     * MiB. */
    rc = sqlite3_exec(c->db,
                      "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; "
                      "PRAGMA temp.page_size=4096; PRAGMA temp.journal_mode=OFF; "
                      "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        err_set(e, ERR_STORE, "cannot set up %s: %s", path, msg ? msg : "unknown error");
        sqlite3_free(msg);
        sqlite3_close(c->db);
        free(c);
        return ERR_STORE;
    }
    *out = c;
    return ERR_OK;
}

static void drv_disconnect(struct store_conn *c)
{
    if (!c)
        return;
    for (int i = 0; i < STMT_CACHE; i++) {
        sqlite3_finalize(c->cache[i].st);
        free(c->cache[i].sql);
    }
    sqlite3_close(c->db);
    free(c);
}

static int drv_exec(struct store_conn *c, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("store", "msg=\"exec failed\" backend=sqlite error=\"%s\" sql=\"%.60s\"",
                  msg ? msg : "?", sql);
        sqlite3_free(msg);
        return ERR_STORE;
    }
    return ERR_OK;
}

static int drv_begin_write(struct store_conn *c)
{
    return drv_exec(c, "BEGIN IMMEDIATE");
}

static unsigned hash_sql(const char *s)
{
    unsigned h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Finds or prepares sql; a statement already in use gets a private copy. */
static int prepare(struct store_conn *c, const char *sql, sqlite3_stmt **st,
                   struct cached_stmt **slot)
{
    unsigned h = hash_sql(sql) % STMT_CACHE;
    struct cached_stmt *cs = NULL;

    for (unsigned i = 0; i < STMT_CACHE; i++) {
        struct cached_stmt *t = &c->cache[(h + i) % STMT_CACHE];
        if (!t->sql) {
            cs = t;
            break;
        }
        if (strcmp(t->sql, sql) == 0) {
            if (t->busy)
                break;
            t->busy = 1;
            *st = t->st;
            *slot = t;
            return ERR_OK;
        }
    }
    if (sqlite3_prepare_v3(c->db, sql, -1, cs ? SQLITE_PREPARE_PERSISTENT : 0, st, NULL) !=
        SQLITE_OK) {
        log_sql_error(c->db, "prepare failed", sql);
        return ERR_STORE;
    }
    if (cs) {
        cs->sql = xstrdup(sql);
        cs->st = *st;
        cs->busy = 1;
    }
    *slot = cs;
    return ERR_OK;
}

static int drv_query(struct store_conn *c, const char *sql, const struct store_param *params,
                     int nparams, struct store_rows **out)
{
    sqlite3_stmt *st = NULL;
    struct cached_stmt *slot = NULL;
    struct store_rows *r;
    int rc = prepare(c, sql, &st, &slot);

    if (rc != ERR_OK)
        return rc;
    for (int i = 0; i < nparams && rc == SQLITE_OK; i++) {
        const struct store_param *p = &params[i];
        switch (p->type) {
        case SP_NULL:
            rc = sqlite3_bind_null(st, i + 1);
            break;
        case SP_INT:
            rc = sqlite3_bind_int64(st, i + 1, p->i);
            break;
        case SP_TEXT:
            rc = sqlite3_bind_text(st, i + 1, p->p, p->len ? (int)p->len : -1, SQLITE_TRANSIENT);
            break;
        case SP_BLOB:
            rc = sqlite3_bind_blob(st, i + 1, p->p, (int)p->len, SQLITE_TRANSIENT);
            break;
        }
    }
    if (rc != SQLITE_OK) {
        log_sql_error(c->db, "bind failed", sql);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (slot)
            slot->busy = 0;
        else
            sqlite3_finalize(st);
        return ERR_STORE;
    }
    r = xmalloc(sizeof(*r));
    r->c = c;
    r->st = st;
    r->slot = slot;
    *out = r;
    return ERR_OK;
}

static int drv_step(struct store_rows *r)
{
    int rc = sqlite3_step(r->st);

    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    if ((rc & 0xff) == SQLITE_CONSTRAINT &&
        (sqlite3_extended_errcode(r->c->db) == SQLITE_CONSTRAINT_UNIQUE ||
         sqlite3_extended_errcode(r->c->db) == SQLITE_CONSTRAINT_PRIMARYKEY))
        return -ERR_CONFLICT;
    log_sql_error(r->c->db, "step failed", sqlite3_sql(r->st));
    return -ERR_STORE;
}

static int drv_is_null(struct store_rows *r, int col)
{
    return sqlite3_column_type(r->st, col) == SQLITE_NULL;
}

static int64_t drv_get_int(struct store_rows *r, int col)
{
    return sqlite3_column_int64(r->st, col);
}

static const char *drv_get_text(struct store_rows *r, int col, size_t *len)
{
    const char *t = (const char *)sqlite3_column_text(r->st, col);

    if (len)
        *len = (size_t)sqlite3_column_bytes(r->st, col);
    return t;
}

static const unsigned char *drv_get_blob(struct store_rows *r, int col, size_t *len)
{
    const unsigned char *b = sqlite3_column_blob(r->st, col);

    if (len)
        *len = (size_t)sqlite3_column_bytes(r->st, col);
    return b;
}

static int drv_map_reads(struct store_conn *c, int64_t bytes)
{
    char sql[64];

    snprintf(sql, sizeof(sql), "PRAGMA mmap_size=%lld", (long long)bytes);
    return drv_exec(c, sql);
}

static int drv_ncols(struct store_rows *r)
{
    return sqlite3_column_count(r->st);
}

static const char *drv_col_name(struct store_rows *r, int col)
{
    return sqlite3_column_name(r->st, col);
}

static enum store_ptype drv_col_type(struct store_rows *r, int col)
{
    switch (sqlite3_column_type(r->st, col)) {
    case SQLITE_NULL:
        return SP_NULL;
    case SQLITE_INTEGER:
        return SP_INT;
    case SQLITE_BLOB:
        return SP_BLOB;
    default: /* text; no column holds a float */
        return SP_TEXT;
    }
}

static void drv_finish(struct store_rows *r)
{
    if (!r)
        return;
    if (r->slot) {
        sqlite3_reset(r->st);
        sqlite3_clear_bindings(r->st);
        r->slot->busy = 0;
    } else {
        sqlite3_finalize(r->st);
    }
    free(r);
}

static int64_t drv_changes(struct store_conn *c)
{
    return sqlite3_changes64(c->db);
}

const struct store_driver store_sqlite_driver = {
    .name = "sqlite",
    .migrations = store_sqlite_migrations,
    .connect = drv_connect,
    .disconnect = drv_disconnect,
    .exec = drv_exec,
    .begin_write = drv_begin_write,
    .query = drv_query,
    .step = drv_step,
    .is_null = drv_is_null,
    .get_int = drv_get_int,
    .get_text = drv_get_text,
    .get_blob = drv_get_blob,
    .map_reads = drv_map_reads,
    .ncols = drv_ncols,
    .col_name = drv_col_name,
    .col_type = drv_col_type,
    .finish = drv_finish,
    .changes = drv_changes,
    .key_only_table = " WITHOUT ROWID",
};
