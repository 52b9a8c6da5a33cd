/*
 * store_int — what the store's query files share with the database drivers
 * behind them, and nothing outside store/ includes. A driver (sqlite.c,
 * postgres.c) knows how to open a connection, run one SQL statement with
 * typed parameters and walk its rows. The query files (accounts.c,
 * integrations.c, ...) hold the SQL, written once in the subset both
 * databases speak: `?` placeholders (a driver rewrites them if it must),
 * INSERT ... ON CONFLICT, RETURNING, BIGINT milliseconds for every time.
 * Anything dialect-specific lives in the driver or its schema/ folder.
 */
#ifndef HB_STORE_STORE_INT_H
#define HB_STORE_STORE_INT_H

#include "store/store.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

enum store_ptype { SP_NULL, SP_TEXT, SP_INT, SP_BLOB };

/* One bound parameter. Text and blob bytes are borrowed for the call. */
struct store_param {
    enum store_ptype type;
    const void *p;
    size_t len;
    int64_t i;
};

#define SP_TEXT_OR_NULL(s) ((s) ? SP_TEXT : SP_NULL)

struct store_conn; /* a driver's connection */
struct store_rows; /* a driver's running statement */

/* One numbered migration: its SQL text may hold several statements. */
struct store_migration {
    int version;
    const char *name;
    const char *sql;
};

struct store_driver {
    const char *name;
    const struct store_migration *migrations; /* ordered, ends with version 0 */
    int (*connect)(const char *url, struct store_conn **out, struct err *e);
    void (*disconnect)(struct store_conn *c);
    /* Runs statements without parameters or results (schema, BEGIN...). */
    int (*exec)(struct store_conn *c, const char *sql);
    /* Starts a write transaction (SQLite takes its write lock at once). */
    int (*begin_write)(struct store_conn *c);
    /* Runs one statement; *out walks its rows (finish it even with no rows). */
    int (*query)(struct store_conn *c, const char *sql, const struct store_param *params,
                 int nparams, struct store_rows **out);
    /* Advances: 1 when a row is there, 0 when done, or a negated ERR_*
     * (-ERR_CONFLICT for a unique violation, -ERR_STORE otherwise). */
    int (*step)(struct store_rows *r);
    int (*is_null)(struct store_rows *r, int col);
    int64_t (*get_int)(struct store_rows *r, int col);
    /* Text or blob bytes, borrowed until the next step/finish; *len may be NULL. */
    const char *(*get_text)(struct store_rows *r, int col, size_t *len);
    const unsigned char *(*get_blob)(struct store_rows *r, int col, size_t *len);
    /* Lets reads map up to bytes of the database file (NULL: no such thing). */
    int (*map_reads)(struct store_conn *c, int64_t bytes);
    /* The shape of a result, for code that copies rows it does not know:
     * the column count, a column's name, and the type of its value in the
     * current row (SP_NULL for SQL NULL). */
    int (*ncols)(struct store_rows *r);
    const char *(*col_name)(struct store_rows *r, int col);
    enum store_ptype (*col_type)(struct store_rows *r, int col);
    /* Ends the statement. */
    void (*finish)(struct store_rows *r);
    /* Rows changed by the last finished statement. */
    int64_t (*changes)(struct store_conn *c);
    /* 1 when a transaction only locks what it touches (PostgreSQL): the
     * query files then lock rows with SELECT ... FOR UPDATE where two
     * writers may race. 0 when begin_write already serialises writers
     * (SQLite's BEGIN IMMEDIATE). */
    int row_locks;
    /* Plans by table statistics that lag behind large writes until a
     * background pass (autovacuum) refreshes them. */
    int lagging_statistics;
    /* Ends the definition of a table read only by its primary key, so that
     * it is stored as that key's tree alone ("" where there is no such thing). */
    const char *key_only_table;
    /* Run first in each migration transaction so that processes starting
     * together apply migrations one at a time (NULL: begin_write does). */
    const char *migrate_lock;
};

#define STORE_POOL_MAX 64

struct store {
    const struct store_driver *drv;
    char *url;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct store_conn *idle[STORE_POOL_MAX];
    int nidle;
    int nopen;
    int max;
    int64_t map_bytes; /* store_map_reads */
};

extern const struct store_driver store_sqlite_driver;
extern const struct store_driver store_postgres_driver;

/* Takes a connection from the pool (opening one if below the limit, else
 * waiting). Returns ERR_OK or ERR_STORE. */
int store_conn_get(struct store *s, struct store_conn **out);

/* Returns a connection to the pool. A connection that failed mid-way
 * (broken) is closed instead. */
void store_conn_put(struct store *s, struct store_conn *c, int broken);

/* Runs a statement that returns no rows; *changes (may be NULL) gets the
 * number of rows it changed. */
int store_exec_params(struct store_conn *c, const struct store *s, const char *sql,
                      const struct store_param *p, int n, int64_t *changes);

/* Borrows a connection, runs one statement without rows, gives it back. */
int store_exec1(struct store *s, const char *sql, const struct store_param *p, int n,
                int64_t *changes);

/* Transaction helpers on a held connection. */
int store_tx_begin(const struct store *s, struct store_conn *c);
int store_tx_commit(const struct store *s, struct store_conn *c);
void store_tx_rollback(const struct store *s, struct store_conn *c);

/* Locks a run for the rest of the transaction if worker holds it (state
 * RUNNING): ERR_OK, or ERR_NOT_FOUND when the lease was lost (syncs.c). */
int store_sync_lock_held(const struct store *s, struct store_conn *c, const char *run_id,
                         const char *worker);

/* A run's staging area (records.c). */
struct store_stage {
    struct store *s;
    struct store_conn *c; /* held for the run: its temporary tables are the staging area */
    int failed;           /* a write to them failed: they may be half written, as SQLite
                           * keeps no rollback journal for them (sqlite.c) */
};

/* Rows of ncols parameters each, inserted with head ("INSERT INTO t (a, b)
 * VALUES ") and tail (" ON CONFLICT …", may be NULL) in statements of 64,
 * 32, ... 1 rows: few round trips, and few distinct texts for the
 * prepared-statement caches (records.c). */
int store_insert_rows(const struct store *s, struct store_conn *c, const char *head,
                      const char *tail, int ncols, const struct store_param *p, int nrows);

/* FULL: makes the pages the run staged the integration's stored ones, valid
 * when nothing else was applied since the run read the data version (pages.c). */
int store_pages_apply(const struct store *s, struct store_conn *c, const struct store_apply *a);

/* Deletes the values of a field that is neither selected for passthrough
 * nor mapped by a custom field (fields.c). */
int store_drop_unused_values(const struct store *s, struct store_conn *c, const char *field_id);

/* Convenience parameter constructors. */
static inline struct store_param sp_text(const char *s)
{
    struct store_param p = {s ? SP_TEXT : SP_NULL, s, 0, 0};
    return p;
}

static inline struct store_param sp_int(int64_t i)
{
    struct store_param p = {SP_INT, NULL, 0, i};
    return p;
}

static inline struct store_param sp_blob(const void *b, size_t len)
{
    struct store_param p = {SP_BLOB, b, len, 0};
    return p;
}

/* Duplicates a text column (NULL when SQL NULL). */
char *store_col_dup(const struct store *s, struct store_rows *r, int col);

/* Copies a text column into a fixed buffer (truncating; "" when NULL). */
void store_col_copy(const struct store *s, struct store_rows *r, int col, char *out, size_t outlen);

#endif
