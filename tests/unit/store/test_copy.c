/* Unit tests for store/copy.c: every table is either copied or deliberately
 * left out, rows arrive unchanged (blobs included), and a target that holds
 * data is refused untouched. */
#include "store_fixture.h"

#include "store/copy.c"

#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* Tables a copy leaves out on purpose (see copy.c). */
static const char *const skipped_tables[] = {"schema_migrations"};

static int listed(const char *table, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(list[i], table))
            return 1;
    }
    return 0;
}

/* The first column of the first row of sql on the SQLite file at path. */
static long long scalar(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* A new table added by a migration must be copied or listed as skipped. */
static void test_every_table_is_accounted_for(void **state)
{
    struct fx *f = *state;
    char path[160];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int tables = 0;

    snprintf(path, sizeof(path), "%s/t.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (!listed(t, copied_tables, sizeof(copied_tables) / sizeof(*copied_tables)) &&
            !listed(t, skipped_tables, sizeof(skipped_tables) / sizeof(*skipped_tables)))
            fail_msg("table %s is neither copied nor skipped", t);
        tables++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_int_equal(tables, (int)(sizeof(copied_tables) / sizeof(*copied_tables) +
                                   sizeof(skipped_tables) / sizeof(*skipped_tables)));
}

static int64_t copied_rows;

static void count_rows(void *ud, const char *table, int64_t rows)
{
    (void)ud;
    (void)table;
    copied_rows += rows;
}

static void test_copy_keeps_rows_and_refuses_a_used_target(void **state)
{
    struct fx *f = *state;
    char url[200], src_path[160], dst_path[160];
    struct store *to = NULL;
    struct store_integration it;
    struct err e;

    snprintf(src_path, sizeof(src_path), "%s/t.db", f->dir);
    snprintf(dst_path, sizeof(dst_path), "%s/copy.db", f->dir);
    snprintf(url, sizeof(url), "sqlite:%s", dst_path);
    assert_int_equal(store_open(url, 2, &to, &e), ERR_OK);
    assert_int_equal(store_migrate(to, NULL, NULL), ERR_OK);

    copied_rows = 0;
    assert_int_equal(store_copy(f->s, to, count_rows, NULL, &e), ERR_OK);
    /* environment, key-less scope config, integration */
    assert_int_equal(copied_rows, 3);
    assert_int_equal(store_integration_get(to, f->env, f->integ, &it), ERR_OK);
    assert_string_equal(it.organization_name, "Acme");
    assert_int_equal(it.credentials_len, 4);
    assert_memory_equal(it.credentials, "\1\2\3\4", 4);
    store_integration_free(&it);

    /* Again into the same target: refused, nothing added. */
    assert_int_equal(store_copy(f->s, to, NULL, NULL, &e), ERR_CONFLICT);
    assert_non_null(strstr(e.msg, "already holds data"));
    assert_int_equal(scalar(dst_path, "SELECT COUNT(*) FROM integrations"), 1);
    assert_int_equal(scalar(src_path, "SELECT COUNT(*) FROM integrations"), 1);
    store_close(to);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_table_is_accounted_for, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_copy_keeps_rows_and_refuses_a_used_target, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
