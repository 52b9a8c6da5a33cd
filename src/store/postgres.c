/*
 * postgres — the PostgreSQL driver behind store.h, on libpq: one PGconn per
 * pooled connection and a per-connection cache of prepared statements keyed
 * by their SQL text and the types of their parameters. The query files write
 * `?` placeholders; they are rewritten to $1..$n once per statement text.
 * Results come in text format: integers are parsed, booleans ('t'/'f') read
 * as 1/0, and bytea (hex) is decoded for get_blob.
 */
#include "store/store_int.h"

#include "core/alloc.h"
#include "core/log.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE 128
#define MAX_PARAMS 65535

/* Type OIDs (pg_type.dat; fixed across PostgreSQL versions). */
#define OID_BOOL  16
#define OID_BYTEA 17
#define OID_INT8  20
#define OID_INT2  21
#define OID_INT4  23
#define OID_TEXT  25

struct cached_stmt {
    char *sql; /* the caller's text, with `?` */
    char *sig; /* the parameter types, one letter each (t, i, b, n) */
    char name[16];
};

struct store_conn {
    PGconn *pg;
    int in_tx;  /* between BEGIN and COMMIT/ROLLBACK */
    int failed; /* the connection broke inside a transaction */
    int64_t changes;
    unsigned next_name;
    struct cached_stmt cache[STMT_CACHE];
};

struct store_rows {
    struct store_conn *c;
    PGresult *res;
    int err; /* ERR_* reported by the first step; ERR_OK when none */
    int row; /* current row; -1 before the first step */
    int nrows;
    unsigned char *blob; /* decoded bytea of the current row */
};

extern const struct store_migration store_postgres_migrations[];

/* Rewrites `?` placeholders into $1..$n, leaving string literals, quoted
 * identifiers and comments alone. Returns a new string; *n (may be NULL)
 * gets the number of placeholders. */
static char *pg_translate(const char *sql, int *n)
{
    size_t len = strlen(sql), cap = len * 6 + 1; /* "?" grows to at most "$65535" */
    char *out = xmalloc(cap), *o = out;
    int count = 0;

    for (const char *p = sql; *p;) {
        if (*p == '\'' || *p == '"') {
            char q = *p;
            *o++ = *p++;
            while (*p) {
                if (*p == q && p[1] == q) { /* a doubled quote stays inside */
                    *o++ = *p++;
                    *o++ = *p++;
                } else if (*p == q) {
                    break;
                } else {
                    *o++ = *p++;
                }
            }
            if (*p)
                *o++ = *p++;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                *o++ = *p++;
        } else if (*p == '?') {
            count++;
            o += snprintf(o, cap - (size_t)(o - out), "$%d", count);
            p++;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    if (n)
        *n = count;
    return out;
}

/* An integer column's text: digits, or a boolean's 't' / 'f'. */
static int64_t pg_parse_int(const char *v)
{
    if (!v || !*v)
        return 0;
    if (v[0] == 't' || v[0] == 'T')
        return 1;
    if (v[0] == 'f' || v[0] == 'F')
        return 0;
    return strtoll(v, NULL, 10);
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decodes bytea's hex text form ("\x0a1b...") into a new buffer. */
static unsigned char *pg_unhex(const char *v, size_t *len)
{
    size_t n;
    unsigned char *b;

    *len = 0;
    if (!v || v[0] != '\\' || v[1] != 'x')
        return NULL;
    v += 2;
    n = strlen(v) / 2;
    b = xmalloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        int hi = hexval((unsigned char)v[2 * i]), lo = hexval((unsigned char)v[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return NULL;
        }
        b[i] = (unsigned char)(hi << 4 | lo);
    }
    *len = n;
    return b;
}

/* The ERR_* a failed result stands for. */
static int pg_error_code(const char *sqlstate)
{
    if (!sqlstate)
        return ERR_STORE;
    if (strcmp(sqlstate, "23505") == 0) /* unique_violation */
        return ERR_CONFLICT;
    /* serialization_failure, deadlock_detected, lock_not_available: another
     * transaction won a race; the caller may retry. */
    if (strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0 ||
        strcmp(sqlstate, "55P03") == 0)
        return ERR_CONFLICT;
    return ERR_STORE;
}

static void log_pg_error(const struct store_conn *c, const PGresult *res, const char *what,
                         const char *sql)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char clean[200];
    size_t n = 0;

    /* The primary message never holds values (the detail may: not logged). */
    if (!msg)
        msg = PQerrorMessage(c->pg);
    for (const char *p = msg; p && *p && n < sizeof(clean) - 1; p++)
        clean[n++] = *p == '"' ? '\'' : *p == '\n' ? ' ' : *p;
    clean[n] = '\0';
    if (state && strcmp(state, "23505") == 0)
        log_debug("store", "msg=\"%s\" backend=postgresql code=%s error=\"%s\" sql=\"%.60s\"", what,
                  state, clean, sql);
    else
        log_error("store", "msg=\"%s\" backend=postgresql code=%s error=\"%s\" sql=\"%.60s\"", what,
                  state ? state : "-", clean, sql);
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int drv_connect(const char *url, struct store_conn **out, struct err *e)
{
    struct store_conn *c;
    PGresult *res;

    c = xcalloc(1, sizeof(*c));
    c->pg = PQconnectdb(url);
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        char msg[160];
        size_t n = 0;

        /* libpq's message never holds the password; keep its first line. */
        for (const char *p = c->pg ? PQerrorMessage(c->pg) : "out of memory";
             *p && *p != '\n' && n < sizeof(msg) - 1; p++)
            msg[n++] = *p;
        msg[n] = '\0';
        err_set(e, ERR_STORE, "cannot connect to PostgreSQL: %s", msg);
        PQfinish(c->pg);
        free(c);
        return ERR_STORE;
    }
    PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
    /* Statements are prepared once but their IN lists and ids vary: a
     * generic plan (chosen after five runs) can scan where a custom plan
     * seeks, so every execution is planned for its values. */
    res = PQexec(c->pg, "SET client_min_messages = warning; SET TIME ZONE 'UTC'; "
                        "SET plan_cache_mode = force_custom_plan");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        err_set(e, ERR_STORE, "cannot set up the PostgreSQL session");
        PQclear(res);
        PQfinish(c->pg);
        free(c);
        return ERR_STORE;
    }
    PQclear(res);
    *out = c;
    return ERR_OK;
}

static void clear_cache(struct store_conn *c)
{
    for (int i = 0; i < STMT_CACHE; i++) {
        free(c->cache[i].sql);
        free(c->cache[i].sig);
        memset(&c->cache[i], 0, sizeof(c->cache[i]));
    }
}

static void drv_disconnect(struct store_conn *c)
{
    if (!c)
        return;
    clear_cache(c);
    PQfinish(c->pg);
    free(c);
}

/* Before a statement: a connection lost outside a transaction is reopened
 * (its prepared statements went with it); inside one it stays failed until
 * the transaction is rolled back. */
static int ensure_conn(struct store_conn *c)
{
    if (c->failed)
        return ERR_STORE;
    if (PQstatus(c->pg) == CONNECTION_OK)
        return ERR_OK;
    if (c->in_tx) {
        c->failed = 1;
        return ERR_STORE;
    }
    clear_cache(c);
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        log_error("store", "msg=\"connection lost\" backend=postgresql");
        return ERR_STORE;
    }
    PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
    return ERR_OK;
}

static int drv_exec(struct store_conn *c, const char *sql)
{
    int is_commit = strcmp(sql, "COMMIT") == 0, is_rollback = strcmp(sql, "ROLLBACK") == 0;
    PGresult *res;
    int rc = ERR_OK;

    if (is_rollback && c->failed) {
        /* The transaction died with the connection: nothing to roll back. */
        c->failed = 0;
        c->in_tx = 0;
        return ERR_OK;
    }
    rc = ensure_conn(c);
    if (rc != ERR_OK)
        return rc;
    res = PQexec(c->pg, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
        log_pg_error(c, res, "exec failed", sql);
        rc = pg_error_code(PQresultErrorField(res, PG_DIAG_SQLSTATE));
        if (rc == ERR_CONFLICT && !is_commit)
            rc = ERR_STORE;
    } else if (is_commit && strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        /* A transaction that had failed ends in ROLLBACK, not an error. */
        log_error("store", "msg=\"commit rolled back\" backend=postgresql");
        rc = ERR_STORE;
    }
    PQclear(res);
    if (strncmp(sql, "BEGIN", 5) == 0 && rc == ERR_OK)
        c->in_tx = 1;
    if (is_commit || is_rollback)
        c->in_tx = 0;
    if (PQstatus(c->pg) != CONNECTION_OK && c->in_tx)
        c->failed = 1;
    return rc;
}

static int drv_begin_write(struct store_conn *c)
{
    /* Read committed: the queries that need it take row locks
     * (SELECT ... FOR UPDATE); unique indexes catch the rest. */
    return drv_exec(c, "BEGIN");
}

static unsigned hash_sql(const char *s, const char *sig)
{
    unsigned h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    for (; *sig; sig++)
        h = (h ^ (unsigned char)*sig) * 16777619u;
    return h;
}

/* Finds the prepared statement for sql with the parameter types sig, or
 * prepares it. *name gets its name, or "" when the cache is full (then the
 * statement runs unnamed). */
static int prepare(struct store_conn *c, const char *sql, const char *sig, const Oid *types,
                   int nparams, const char **name, char **translated)
{
    unsigned h = hash_sql(sql, sig) % STMT_CACHE;
    struct cached_stmt *cs = NULL;
    PGresult *res;
    char *pgsql;
    int n = 0;

    *translated = NULL;
    for (unsigned i = 0; i < STMT_CACHE; i++) {
        struct cached_stmt *t = &c->cache[(h + i) % STMT_CACHE];
        if (!t->sql) {
            cs = t;
            break;
        }
        if (strcmp(t->sql, sql) == 0 && strcmp(t->sig, sig) == 0) {
            *name = t->name;
            return ERR_OK;
        }
    }
    pgsql = pg_translate(sql, &n);
    if (n != nparams) {
        log_error("store",
                  "msg=\"placeholder count mismatch\" backend=postgresql have=%d "
                  "want=%d sql=\"%.60s\"",
                  nparams, n, sql);
        free(pgsql);
        return ERR_STORE;
    }
    if (!cs) {
        *name = "";
        *translated = pgsql;
        return ERR_OK;
    }
    snprintf(cs->name, sizeof(cs->name), "hb%u", c->next_name++);
    res = PQprepare(c->pg, cs->name, pgsql, nparams, types);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        int rc = pg_error_code(PQresultErrorField(res, PG_DIAG_SQLSTATE));
        log_pg_error(c, res, "prepare failed", sql);
        PQclear(res);
        free(pgsql);
        if (PQstatus(c->pg) != CONNECTION_OK && c->in_tx)
            c->failed = 1;
        return rc == ERR_CONFLICT ? rc : ERR_STORE;
    }
    PQclear(res);
    free(pgsql);
    cs->sql = xstrdup(sql);
    cs->sig = xstrdup(sig);
    *name = cs->name;
    return ERR_OK;
}

static int drv_query(struct store_conn *c, const char *sql, const struct store_param *params,
                     int nparams, struct store_rows **out)
{
    const char **values = NULL;
    int *lengths = NULL, *formats = NULL;
    Oid *types = NULL;
    char *sig, *owned = NULL, (*ints)[24] = NULL, *translated = NULL;
    const char *name = NULL;
    struct store_rows *r;
    PGresult *res;
    int rc;

    if (nparams < 0 || nparams > MAX_PARAMS)
        return ERR_STORE;
    rc = ensure_conn(c);
    if (rc != ERR_OK)
        return rc;
    sig = xmalloc((size_t)nparams + 1);
    if (nparams) {
        values = xcalloc((size_t)nparams, sizeof(*values));
        lengths = xcalloc((size_t)nparams, sizeof(*lengths));
        formats = xcalloc((size_t)nparams, sizeof(*formats));
        types = xcalloc((size_t)nparams, sizeof(*types));
        ints = xcalloc((size_t)nparams, sizeof(*ints));
        owned = xcalloc((size_t)nparams, 1);
    }
    for (int i = 0; i < nparams; i++) {
        const struct store_param *p = &params[i];
        switch (p->type) {
        case SP_NULL:
            sig[i] = 'n';
            types[i] = 0; /* the server infers it */
            break;
        case SP_INT:
            sig[i] = 'i';
            types[i] = OID_INT8;
            snprintf(ints[i], sizeof(ints[i]), "%lld", (long long)p->i);
            values[i] = ints[i];
            break;
        case SP_TEXT:
            sig[i] = 't';
            types[i] = OID_TEXT;
            if (p->len) {
                /* Text params are NUL-terminated for libpq: copy a slice. */
                values[i] = xstrndup(p->p, p->len);
                owned[i] = 1;
            } else {
                values[i] = p->p;
            }
            break;
        case SP_BLOB:
            sig[i] = 'b';
            types[i] = OID_BYTEA;
            values[i] = p->p ? p->p : "";
            lengths[i] = (int)p->len;
            formats[i] = 1; /* binary */
            break;
        }
    }
    sig[nparams] = '\0';
    rc = prepare(c, sql, sig, types, nparams, &name, &translated);
    if (rc == ERR_OK) {
        if (translated)
            res = PQexecParams(c->pg, translated, nparams, types, values, lengths, formats, 0);
        else
            res = PQexecPrepared(c->pg, name, nparams, values, lengths, formats, 0);
        r = xcalloc(1, sizeof(*r));
        r->c = c;
        r->res = res;
        r->row = -1;
        switch (PQresultStatus(res)) {
        case PGRES_TUPLES_OK:
            r->nrows = PQntuples(res);
            /* fall through */
        case PGRES_COMMAND_OK: {
            /* Rows changed; "" for a SELECT. Also for ... RETURNING. */
            const char *t = PQcmdTuples(res);
            c->changes = t && *t ? strtoll(t, NULL, 10) : 0;
            break;
        }
        default:
            log_pg_error(c, res, "query failed", sql);
            r->err = pg_error_code(PQresultErrorField(res, PG_DIAG_SQLSTATE));
            if (PQstatus(c->pg) != CONNECTION_OK && c->in_tx)
                c->failed = 1;
        }
        *out = r;
    }
    for (int i = 0; i < nparams; i++)
        if (owned[i])
            free((void *)values[i]);
    free(translated);
    free(values);
    free(lengths);
    free(formats);
    free(types);
    free(ints);
    free(owned);
    free(sig);
    return rc;
}

static int drv_step(struct store_rows *r)
{
    free(r->blob);
    r->blob = NULL;
    if (r->err != ERR_OK)
        return -r->err;
    if (r->row + 1 >= r->nrows) {
        r->row = r->nrows;
        return 0;
    }
    r->row++;
    return 1;
}

static int drv_is_null(struct store_rows *r, int col)
{
    if (r->row < 0 || r->row >= r->nrows || col >= PQnfields(r->res))
        return 1;
    return PQgetisnull(r->res, r->row, col);
}

static int64_t drv_get_int(struct store_rows *r, int col)
{
    if (drv_is_null(r, col))
        return 0;
    return pg_parse_int(PQgetvalue(r->res, r->row, col));
}

static const char *drv_get_text(struct store_rows *r, int col, size_t *len)
{
    if (drv_is_null(r, col)) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = (size_t)PQgetlength(r->res, r->row, col);
    return PQgetvalue(r->res, r->row, col);
}

static const unsigned char *drv_get_blob(struct store_rows *r, int col, size_t *len)
{
    size_t n = 0;

    if (len)
        *len = 0;
    if (drv_is_null(r, col))
        return NULL;
    if (PQftype(r->res, col) != OID_BYTEA) {
        if (len)
            *len = (size_t)PQgetlength(r->res, r->row, col);
        return (const unsigned char *)PQgetvalue(r->res, r->row, col);
    }
    free(r->blob);
    r->blob = pg_unhex(PQgetvalue(r->res, r->row, col), &n);
    if (len)
        *len = n;
    return r->blob;
}

static int drv_ncols(struct store_rows *r)
{
    return r->res ? PQnfields(r->res) : 0;
}

static const char *drv_col_name(struct store_rows *r, int col)
{
    return PQfname(r->res, col);
}

static enum store_ptype drv_col_type(struct store_rows *r, int col)
{
    if (drv_is_null(r, col))
        return SP_NULL;
    switch (PQftype(r->res, col)) {
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
        return SP_INT;
    case OID_BYTEA:
        return SP_BLOB;
    default: /* text, json */
        return SP_TEXT;
    }
}

static void drv_finish(struct store_rows *r)
{
    if (!r)
        return;
    free(r->blob);
    PQclear(r->res);
    free(r);
}

static int64_t drv_changes(struct store_conn *c)
{
    return c->changes;
}

const struct store_driver store_postgres_driver = {
    .name = "postgresql",
    .migrations = store_postgres_migrations,
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
    .ncols = drv_ncols,
    .col_name = drv_col_name,
    .col_type = drv_col_type,
    .finish = drv_finish,
    .changes = drv_changes,
    .row_locks = 1,
    .lagging_statistics = 1,
    .key_only_table = "",
    .migrate_lock = "SELECT pg_advisory_xact_lock(7262731548102345)",
};
