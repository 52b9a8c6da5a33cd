/*
 * Unit tests for the PostgreSQL driver (store/postgres.c): placeholder
 * rewriting, reading integers and booleans, bytea and error codes. With
 * HRBRIDGE_TEST_PG set (a base URL such as postgresql://USER@127.0.0.1:PORT/)
 * the driver also runs against a fresh database made for the test.
 */
#include "store/postgres.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static void check_translate(const char *in, const char *want, int want_n)
{
    int n = -1;
    char *out = pg_translate(in, &n);

    assert_string_equal(out, want);
    assert_int_equal(n, want_n);
    free(out);
}

static void placeholders_become_numbered(void **state)
{
    (void)state;
    check_translate("SELECT 1", "SELECT 1", 0);
    check_translate("SELECT id FROM t WHERE a = ? AND b IN (?, ?)",
                    "SELECT id FROM t WHERE a = $1 AND b IN ($2, $3)", 3);
    check_translate("?,?,?,?,?,?,?,?,?,?,?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11", 11);
    check_translate("", "", 0);
}

static void placeholders_in_literals_stay(void **state)
{
    (void)state;
    /* String literals, with doubled quotes inside. */
    check_translate("SELECT '?' || ?", "SELECT '?' || $1", 1);
    check_translate("SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1);
    /* A backslash is no escape in a standard string: the literal ends. */
    check_translate("value LIKE ? ESCAPE '\\') AND x = ?", "value LIKE $1 ESCAPE '\\') AND x = $2",
                    2);
    /* Quoted identifiers and comments. */
    check_translate("SELECT \"a?b\" FROM t WHERE c = ?", "SELECT \"a?b\" FROM t WHERE c = $1", 1);
    check_translate("SELECT ? -- why?\nFROM t WHERE c = ?",
                    "SELECT $1 -- why?\nFROM t WHERE c = $2", 2);
    /* An unterminated literal swallows the rest. */
    check_translate("SELECT 'abc ?", "SELECT 'abc ?", 0);
}

static void integers_and_booleans_are_read(void **state)
{
    (void)state;
    assert_int_equal(pg_parse_int("t"), 1);
    assert_int_equal(pg_parse_int("f"), 0);
    assert_int_equal(pg_parse_int("true"), 1);
    assert_int_equal(pg_parse_int("0"), 0);
    assert_int_equal(pg_parse_int("42"), 42);
    assert_int_equal(pg_parse_int("-7"), -7);
    assert_true(pg_parse_int("1795871485315") == INT64_C(1795871485315));
    assert_true(pg_parse_int("9223372036854775807") == INT64_MAX);
    assert_int_equal(pg_parse_int(""), 0);
    assert_int_equal(pg_parse_int(NULL), 0);
}

static void bytea_hex_is_decoded(void **state)
{
    size_t len = 99;
    unsigned char *b;

    (void)state;
    b = pg_unhex("\\x00017fFF", &len);
    assert_non_null(b);
    assert_int_equal(len, 4);
    assert_int_equal(b[0], 0);
    assert_int_equal(b[1], 1);
    assert_int_equal(b[2], 0x7f);
    assert_int_equal(b[3], 0xff);
    free(b);
    b = pg_unhex("\\x", &len);
    assert_non_null(b);
    assert_int_equal(len, 0);
    free(b);
    assert_null(pg_unhex("\\xzz", &len));
    assert_null(pg_unhex("0001", &len));
}

static void error_codes_are_mapped(void **state)
{
    (void)state;
    assert_int_equal(pg_error_code("23505"), ERR_CONFLICT); /* unique */
    assert_int_equal(pg_error_code("40001"), ERR_CONFLICT); /* serialization */
    assert_int_equal(pg_error_code("40P01"), ERR_CONFLICT); /* deadlock */
    assert_int_equal(pg_error_code("23503"), ERR_STORE);    /* foreign key */
    assert_int_equal(pg_error_code("08006"), ERR_STORE);    /* connection */
    assert_int_equal(pg_error_code(NULL), ERR_STORE);
}

/* ---- against a live server (HRBRIDGE_TEST_PG) ---------------------------- */

static char live_db[64];

/* Runs sql on the server's maintenance database. */
static int admin(const char *sql)
{
    const char *base = getenv("HRBRIDGE_TEST_PG");
    char url[512];
    PGconn *c;
    PGresult *r;
    int ok;

    snprintf(url, sizeof(url), "%spostgres", base);
    c = PQconnectdb(url);
    r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

static int live_setup(void **state)
{
    const char *base = getenv("HRBRIDGE_TEST_PG");
    struct store *s = NULL;
    char sql[128], url[512];
    struct err e;

    *state = NULL;
    if (!base || !*base)
        return 0;
    snprintf(live_db, sizeof(live_db), "hbunit_%ld", (long)getpid());
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", live_db);
    if (admin(sql) != 0)
        return -1;
    snprintf(url, sizeof(url), "%s%s", base, live_db);
    if (store_open(url, 4, &s, &e) != ERR_OK || store_migrate(s, NULL, NULL) != ERR_OK)
        return -1;
    *state = s;
    return 0;
}

static int live_teardown(void **state)
{
    char sql[128];

    if (!*state)
        return 0;
    store_close(*state);
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", live_db);
    return admin(sql);
}

static void live_booleans_blobs_and_conflicts(void **state)
{
    static const unsigned char blob[5] = {0, 'a', 0, 0xff, '?'};
    struct store *s = *state;
    struct store_conn *c = NULL;
    struct store_rows *r = NULL;
    struct store_param p[2];
    const unsigned char *got;
    size_t len = 0;

    if (!s)
        skip();
    assert_string_equal(store_backend(s), "postgresql");
    assert_int_equal(store_conn_get(s, &c), ERR_OK);

    /* Booleans read as integers, NULL as NULL. */
    p[0] = sp_int(3);
    p[1] = sp_text(NULL);
    assert_int_equal(s->drv->query(c,
                                   "SELECT 1 = 1, ? = 2, EXISTS (SELECT 1) AS mapped, "
                                   "CAST(? AS TEXT), '?'",
                                   p, 2, &r),
                     ERR_OK);
    assert_int_equal(s->drv->step(r), 1);
    assert_int_equal(s->drv->get_int(r, 0), 1);
    assert_int_equal(s->drv->get_int(r, 1), 0);
    assert_int_equal(s->drv->get_int(r, 2), 1);
    assert_true(s->drv->is_null(r, 3));
    assert_null(s->drv->get_text(r, 3, NULL));
    assert_string_equal(s->drv->get_text(r, 4, NULL), "?");
    assert_int_equal(s->drv->step(r), 0);
    s->drv->finish(r);

    /* A blob with NUL bytes comes back whole. */
    assert_int_equal(s->drv->exec(c, "CREATE TABLE blobs (k TEXT PRIMARY KEY, b BYTEA)"), ERR_OK);
    p[0] = sp_text("k1");
    p[1] = sp_blob(blob, sizeof(blob));
    assert_int_equal(store_exec_params(c, s, "INSERT INTO blobs (k, b) VALUES (?, ?)", p, 2, NULL),
                     ERR_OK);
    assert_int_equal(s->drv->query(c, "SELECT b FROM blobs WHERE k = ?", p, 1, &r), ERR_OK);
    assert_int_equal(s->drv->step(r), 1);
    got = s->drv->get_blob(r, 0, &len);
    assert_int_equal(len, sizeof(blob));
    assert_memory_equal(got, blob, sizeof(blob));
    s->drv->finish(r);

    /* A unique violation is a conflict; the connection stays usable. */
    assert_int_equal(store_exec_params(c, s, "INSERT INTO blobs (k, b) VALUES (?, ?)", p, 2, NULL),
                     ERR_CONFLICT);
    {
        int64_t n = 0;
        assert_int_equal(store_exec_params(c, s, "UPDATE blobs SET b = NULL WHERE k = ?", p, 1, &n),
                         ERR_OK);
        assert_int_equal(n, 1);
    }

    /* A failed transaction does not commit. */
    assert_int_equal(store_tx_begin(s, c), ERR_OK);
    assert_int_equal(store_exec_params(c, s, "INSERT INTO blobs (k, b) VALUES (?, ?)", p, 2, NULL),
                     ERR_CONFLICT);
    assert_int_equal(store_tx_commit(s, c), ERR_STORE);
    assert_int_equal(s->drv->exec(c, "SELECT 1"), ERR_OK);
    store_conn_put(s, c, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(placeholders_become_numbered),
        cmocka_unit_test(placeholders_in_literals_stay),
        cmocka_unit_test(integers_and_booleans_are_read),
        cmocka_unit_test(bytea_hex_is_decoded),
        cmocka_unit_test(error_codes_are_mapped),
        cmocka_unit_test_setup_teardown(live_booleans_blobs_and_conflicts, live_setup,
                                        live_teardown),
    };
    return cmocka_run_group_tests_name("store_postgres", tests, NULL, NULL);
}
