/*
 * test_serve — hrbridge as a process: the command line, what ends up in the
 * database file, the master key file, and a clean exit on SIGTERM. Each test
 * starts its own server on a fresh temporary database.
 */
#include "harness.h"

#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

struct fixture {
    char dir[256];
    char db[600];
    char path[400]; /* the SQLite file */
    char key[128];
    struct hproc srv;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (harness_tmpdir(f->dir, sizeof(f->dir)) != 0)
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/hb.db", f->dir);
    snprintf(f->db, sizeof(f->db), "sqlite:%s", f->path);
    if (harness_new_key(f->db, "default", f->key, sizeof(f->key)) != 0)
        return -1;
    if (harness_start_hrbridge(&f->srv, f->dir, f->db, NULL) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    harness_stop(&f->srv);
    harness_rmtree(f->dir);
    free(f);
    return 0;
}

static long do_request(struct fixture *f, const char *method, const char *path, const char *body,
                       struct hresp *out)
{
    char url[1024], auth[256];
    const char *h[] = {auth, "Content-Type: application/json", NULL};

    snprintf(url, sizeof(url), "%s%s", f->srv.base_url, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->key);
    assert_int_equal(harness_http(method, url, h, body, body ? strlen(body) : 0, out), 0);
    return out->status;
}

static long count_rows(const char *db, const char *table)
{
    char sql[128];

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    return (long)harness_db_scalar(db, sql, NULL);
}

/* Whether needle occurs anywhere in the file's bytes. */
static int file_contains(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    size_t nlen = strlen(needle), len = 0, cap = 1 << 16;
    char *buf = malloc(cap);
    size_t n;
    int found = 0;

    if (!fp) {
        free(buf);
        return 0;
    }
    while ((n = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(fp);
    for (size_t i = 0; i + nlen <= len && !found; i++)
        found = memcmp(buf + i, needle, nlen) == 0;
    free(buf);
    return found;
}

static const char personio_body[] =
    "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Acme\"},"
    "\"credentials\":{\"client_id\":\"sim-client-7f3a\",\"client_secret\":\"very-secret-9c1e\"}}";

static void keys_create_prints_only_the_key(void **state)
{
    struct fixture *f = *state;
    const char *argv[] = {harness_bin("hrbridge"), "keys", "create", "--db", f->db, NULL};
    char *out = NULL;
    regex_t re;

    assert_int_equal(harness_run(argv, NULL, &out), 0);
    assert_int_equal(regcomp(&re, "^hb_[1-9A-HJ-NP-Za-km-z]{40,50}\n$", REG_EXTENDED | REG_NOSUB),
                     0);
    assert_int_equal(regexec(&re, out, 0, NULL, 0), 0);
    regfree(&re);
    free(out);
}

static void new_key_works_while_serving(void **state)
{
    struct fixture *f = *state;
    struct hresp r;

    /* serve holds the database open; the CLI writes to it at the same time. */
    assert_int_equal(harness_new_key(f->db, "default", f->key, sizeof(f->key)), 0);
    assert_int_equal(do_request(f, "GET", "/v1/check-api-key", NULL, &r), 200);
    hresp_free(&r);
}

static void database_holds_no_secret_in_clear(void **state)
{
    struct fixture *f = *state;
    char wal[640];
    struct hresp r;

    assert_int_equal(do_request(f, "POST", "/v1/integrations", personio_body, &r), 201);
    hresp_free(&r);
    assert_int_equal(count_rows(f->db, "integrations"), 1);
    snprintf(wal, sizeof(wal), "%s-wal", f->path);
    assert_false(file_contains(f->path, f->key));
    assert_false(file_contains(wal, f->key));
    assert_false(file_contains(f->path, "very-secret-9c1e"));
    assert_false(file_contains(wal, "very-secret-9c1e"));
    assert_false(file_contains(f->path, "sim-client-7f3a"));
    assert_false(file_contains(wal, "sim-client-7f3a"));
    /* Nor does the log. */
    assert_false(file_contains(f->srv.log_path, "very-secret-9c1e"));
    assert_false(file_contains(f->srv.log_path, f->key));
}

static void bad_input_stores_nothing(void **state)
{
    struct fixture *f = *state;
    static const char *const bodies[] = {
        "{\"tool\":\"personio\"",
        "{\"tool\":\"nope\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{}}",
        "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},"
        "\"credentials\":{\"client_id\":1,\"client_secret\":\"b\"}}",
        NULL,
    };
    char *big = malloc(2 << 20);
    struct hresp r;

    for (int i = 0; bodies[i]; i++) {
        assert_int_equal(do_request(f, "POST", "/v1/integrations", bodies[i], &r), 400);
        hresp_free(&r);
    }
    memset(big, 'x', (2 << 20) - 1);
    big[(2 << 20) - 1] = '\0';
    assert_int_equal(do_request(f, "POST", "/v1/integrations", big, &r), 413);
    hresp_free(&r);
    free(big);
    assert_int_equal(count_rows(f->db, "integrations"), 0);
    assert_int_equal(do_request(f, "GET", "/v1/check-api-key", NULL, &r), 200);
    hresp_free(&r);
}

static void delete_removes_the_row(void **state)
{
    struct fixture *f = *state;
    char path[256];
    struct hresp r;

    assert_int_equal(do_request(f, "POST", "/v1/integrations", personio_body, &r), 201);
    snprintf(path, sizeof(path), "/v1/integrations/%s",
             json_string_value(json_object_get(json_object_get(r.json, "data"), "id")));
    hresp_free(&r);
    assert_int_equal(count_rows(f->db, "integrations"), 1);
    assert_int_equal(do_request(f, "DELETE", path, "{}", &r), 200);
    hresp_free(&r);
    assert_int_equal(count_rows(f->db, "integrations"), 0);
}

static void master_key_file_is_private(void **state)
{
    struct fixture *f = *state;
    char keyfile[640];
    struct stat st;

    /* The harness passes HRBRIDGE_MASTER_KEY; without it serve creates a file. */
    struct hproc p;
    const char *argv[] = {harness_bin("hrbridge"), "serve", "--db", f->db, "--listen", NULL, NULL};
    char listen[64];
    memset(&p, 0, sizeof(p));
    p.port = harness_free_port();
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", p.port);
    argv[5] = listen;
    snprintf(p.log_path, sizeof(p.log_path), "%s/serve2.log", f->dir);
    assert_int_equal(harness_spawn(&p, argv, NULL, "/v1/check-api-key", 10000), 0);
    harness_stop(&p);
    snprintf(keyfile, sizeof(keyfile), "%s.key", f->path);
    assert_int_equal(stat(keyfile, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 65);

    /* A key file others can read is refused. */
    chmod(keyfile, 0644);
    {
        const char *argv2[] = {
            harness_bin("hrbridge"), "serve", "--db", f->db, "--listen", listen, NULL};
        char *out = NULL;
        assert_int_equal(harness_run(argv2, NULL, &out), 1);
        free(out);
    }
}

static void sigterm_exits_cleanly(void **state)
{
    struct fixture *f = *state;
    int status = harness_stop(&f->srv);

    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void migrate_is_idempotent(void **state)
{
    struct fixture *f = *state;
    const char *argv[] = {harness_bin("hrbridge"), "migrate", "--db", f->db, NULL};
    char *out = NULL;

    assert_int_equal(harness_run(argv, NULL, &out), 0);
    assert_string_equal(out, "schema version 9 (0 migrations applied)\n");
    free(out);
}

static void bad_command_lines_fail_with_status_2(void **state)
{
    const char *unknown_opt[] = {harness_bin("hrbridge"), "serve", "--no-such-flag", NULL};
    const char *bad_db[] = {harness_bin("hrbridge"), "migrate", "--db", "mysql://x", NULL};
    const char *bad_cmd[] = {harness_bin("hrbridge"), "frobnicate", NULL};
    const char *bad_port[] = {harness_bin("hrbridge"), "serve", "--listen", "nohost", NULL};

    (void)state;
    assert_int_equal(harness_run(unknown_opt, NULL, NULL), 2);
    assert_int_equal(harness_run(bad_db, NULL, NULL), 2);
    assert_int_equal(harness_run(bad_cmd, NULL, NULL), 2);
    assert_int_equal(harness_run(bad_port, NULL, NULL), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(keys_create_prints_only_the_key, setup, teardown),
        cmocka_unit_test_setup_teardown(new_key_works_while_serving, setup, teardown),
        cmocka_unit_test_setup_teardown(database_holds_no_secret_in_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_input_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(delete_removes_the_row, setup, teardown),
        cmocka_unit_test_setup_teardown(master_key_file_is_private, setup, teardown),
        cmocka_unit_test_setup_teardown(sigterm_exits_cleanly, setup, teardown),
        cmocka_unit_test_setup_teardown(migrate_is_idempotent, setup, teardown),
        cmocka_unit_test(bad_command_lines_fail_with_status_2),
    };

    return cmocka_run_group_tests_name("serve", tests, NULL, NULL);
}
