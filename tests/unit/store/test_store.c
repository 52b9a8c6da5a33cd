/* Unit tests for the store on SQLite (store.c, accounts.c, integrations.c, sqlite.c). */
#include "store/store.h"

#include "core/isotime.h"

#include <setjmp.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

struct fx {
    char dir[64];
    char url[128];
    struct store *s;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct err e;

    snprintf(f->dir, sizeof(f->dir), "/tmp/hb-store-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->url, sizeof(f->url), "sqlite:%s/t.db", f->dir);
    if (store_open(f->url, 4, &f->s, &e) != ERR_OK)
        return -1;
    if (store_migrate(f->s, NULL, NULL) != ERR_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[160];

    store_close(f->s);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static void migrations_are_idempotent(void **state)
{
    struct fx *f = *state;
    int applied = -1, version = 0;

    assert_int_equal(store_migrate(f->s, &applied, &version), ERR_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(version, 9);
    assert_string_equal(store_backend(f->s), "sqlite");
}

/* The page size a database file's header records (bytes 16-17, big-endian). */
static int file_page_size(const char *path)
{
    unsigned char h[18];
    FILE *fp = fopen(path, "rb");
    size_t got = fp ? fread(h, 1, sizeof(h), fp) : 0;

    if (fp)
        fclose(fp);
    assert_int_equal(got, sizeof(h));
    return h[16] << 8 | h[17];
}

static void new_files_get_16k_pages_old_ones_keep_theirs(void **state)
{
    struct fx *f = *state;
    char path[128];
    sqlite3 *db;
    struct store *s = NULL;
    struct err e;
    int version = 0;

    snprintf(path, sizeof(path), "%s/t.db", f->dir);
    assert_int_equal(file_page_size(path), 16384);

    /* A file made with 4 KiB pages before: opened, migrated, unchanged. */
    snprintf(path, sizeof(path), "%s/old.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "PRAGMA page_size=4096; CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    snprintf(path, sizeof(path), "sqlite:%s/old.db", f->dir);
    assert_int_equal(store_open(path, 1, &s, &e), ERR_OK);
    assert_int_equal(store_migrate(s, NULL, &version), ERR_OK);
    assert_int_equal(version, 9);
    store_close(s);
    snprintf(path, sizeof(path), "%s/old.db", f->dir);
    assert_int_equal(file_page_size(path), 4096);
}

static void bad_urls(void **state)
{
    struct store *s = NULL;
    struct err e;

    (void)state;
    assert_int_equal(store_open("sqlite:", 1, &s, &e), ERR_INVALID);
    assert_int_equal(store_open("mysql://x", 1, &s, &e), ERR_INVALID);
    assert_int_equal(store_open("sqlite:/nonexistent-dir/x/y.db", 1, &s, &e), ERR_STORE);
    assert_null(s);
}

static void environments_and_keys(void **state)
{
    struct fx *f = *state;
    char a[IDS_LEN + 1], b[IDS_LEN + 1], c[IDS_LEN + 1], found[IDS_LEN + 1];
    char scope[IDS_LEN + 1], name[64];

    assert_int_equal(store_environment_ensure(f->s, "prod", a), ERR_OK);
    assert_int_equal(store_environment_ensure(f->s, "prod", b), ERR_OK);
    assert_string_equal(a, b);
    assert_int_equal(store_environment_ensure(f->s, "staging", c), ERR_OK);
    assert_string_not_equal(a, c);

    assert_int_equal(store_apikey_insert(f->s, a, "hash-1"), ERR_OK);
    assert_int_equal(store_apikey_insert(f->s, a, "hash-1"), ERR_CONFLICT);
    assert_int_equal(store_apikey_lookup(f->s, "hash-1", found), ERR_OK);
    assert_string_equal(found, a);
    assert_int_equal(store_apikey_lookup(f->s, "hash-2", found), ERR_NOT_FOUND);

    assert_int_equal(store_scope_config_default(f->s, a, scope, name, sizeof(name)), ERR_OK);
    assert_string_equal(name, "Default");
    assert_int_equal(store_scope_config_check(f->s, a, scope), ERR_OK);
    assert_int_equal(store_scope_config_check(f->s, c, scope), ERR_NOT_FOUND);
}

static void integration_life(void **state)
{
    struct fx *f = *state;
    struct store_integration it, got;
    char env[IDS_LEN + 1], other[IDS_LEN + 1], name[64];
    unsigned char blob[5] = {0, 1, 2, 0, 255};

    assert_int_equal(store_environment_ensure(f->s, "e1", env), ERR_OK);
    assert_int_equal(store_environment_ensure(f->s, "e2", other), ERR_OK);
    memset(&it, 0, sizeof(it));
    snprintf(it.id, sizeof(it.id), "personio:abc");
    snprintf(it.environment_id, sizeof(it.environment_id), "%s", env);
    snprintf(it.tool, sizeof(it.tool), "personio");
    it.enabled = 1;
    it.setup_status = SETUP_FINAL_SYNC_PENDING;
    it.organization_name = "Acme";
    it.base_url = "http://x";
    it.credentials = blob;
    it.credentials_len = sizeof(blob);
    it.created_at = 1714521600123LL;
    assert_int_equal(store_scope_config_default(f->s, env, it.scope_config_id, name, sizeof(name)),
                     ERR_OK);
    assert_int_equal(store_integration_insert(f->s, &it), ERR_OK);
    assert_int_equal(store_integration_insert(f->s, &it), ERR_CONFLICT);

    assert_int_equal(store_integration_get(f->s, env, "personio:abc", &got), ERR_OK);
    assert_string_equal(got.tool, "personio");
    assert_string_equal(got.organization_name, "Acme");
    assert_null(got.creator_email);
    assert_int_equal(got.credentials_len, sizeof(blob));
    assert_memory_equal(got.credentials, blob, sizeof(blob)); /* binary-safe */
    assert_int_equal(got.created_at, 1714521600123LL);
    assert_int_equal(got.data_expired_at, 0);
    assert_string_equal(got.scope_config_name, "Default");
    assert_int_equal(got.setup_status, SETUP_FINAL_SYNC_PENDING);
    store_integration_free(&got);

    /* Tenancy: another environment sees nothing and changes nothing. */
    assert_int_equal(store_integration_get(f->s, other, "personio:abc", &got), ERR_NOT_FOUND);
    assert_int_equal(store_integration_set_enabled(f->s, other, "personio:abc", 0), ERR_NOT_FOUND);
    assert_int_equal(store_integration_delete(f->s, other, "personio:abc"), ERR_NOT_FOUND);

    assert_int_equal(store_integration_set_enabled(f->s, env, "personio:abc", 0), ERR_OK);
    assert_int_equal(store_integration_get(f->s, env, "personio:abc", &got), ERR_OK);
    assert_int_equal(got.enabled, 0);
    store_integration_free(&got);

    assert_int_equal(store_integration_delete(f->s, env, "personio:abc"), ERR_OK);
    assert_int_equal(store_integration_delete(f->s, env, "personio:abc"), ERR_NOT_FOUND);
    assert_int_equal(store_integration_get(f->s, env, "personio:abc", &got), ERR_NOT_FOUND);
}

static void pool_serves_many_callers(void **state)
{
    struct fx *f = *state;
    char env[IDS_LEN + 1], found[IDS_LEN + 1];

    /* More sequential calls than pooled connections: connections are reused. */
    assert_int_equal(store_environment_ensure(f->s, "p", env), ERR_OK);
    assert_int_equal(store_apikey_insert(f->s, env, "h"), ERR_OK);
    for (int i = 0; i < 200; i++)
        assert_int_equal(store_apikey_lookup(f->s, "h", found), ERR_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(migrations_are_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(new_files_get_16k_pages_old_ones_keep_theirs, setup,
                                        teardown),
        cmocka_unit_test(bad_urls),
        cmocka_unit_test_setup_teardown(environments_and_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(integration_life, setup, teardown),
        cmocka_unit_test_setup_teardown(pool_serves_many_callers, setup, teardown),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
