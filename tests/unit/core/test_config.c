/* Unit tests for core/config.c: defaults < file < environment < flags. */
#include "core/config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static int clear_env(void **state)
{
    (void)state;
    unsetenv("HRBRIDGE_DB");
    unsetenv("HRBRIDGE_LISTEN");
    unsetenv("HRBRIDGE_CONFIG");
    unsetenv("HRBRIDGE_HTTP_THREADS");
    unsetenv("HRBRIDGE_MASTER_KEY");
    return 0;
}

static void defaults(void **state)
{
    char *argv[] = {"serve", NULL};
    int argc = 1;
    struct config c;
    struct err e;

    (void)state;
    assert_int_equal(config_load(&c, &argc, argv, NULL, &e), ERR_OK);
    assert_string_equal(c.db_url, "sqlite:hrbridge.db");
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_int_equal(c.http_max_body, 1048576);
    assert_int_equal(c.no_worker, 0);
    assert_int_equal(c.sync_full_interval, 10800);
    assert_int_equal(c.sync_delta_interval, 900);
    /* The caps of docs/limits.md. */
    assert_int_equal(c.http_max_connections, 1024);
    assert_int_equal(c.http_max_connections_per_ip, 0);
    assert_int_equal(c.http_max_header_size, 16384);
    assert_int_equal(c.http_max_url_length, 8192);
    assert_int_equal(c.http_max_query_params, 64);
    assert_int_equal(c.http_max_filter_values, 250);
    assert_int_equal(c.http_idle_timeout, 30);
    assert_int_equal(c.http_request_timeout, 30);
    assert_int_equal(c.http_rate_limit, 1000);
    assert_int_equal(c.http_rate_burst, 2000);
    assert_int_equal(c.shutdown_grace, 10);
}

static void limits_from_file_and_environment(void **state)
{
    char path[] = "/tmp/hb-config-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    char *argv[] = {"serve", "--config", path, NULL};
    int argc = 3;
    struct config c;
    struct err e;

    (void)state;
    fprintf(f, "http.max_header_size = 4096\nhttp.max_url_length = 2048\n"
               "http.max_query_params = 8\nhttp.max_filter_values = 10\n"
               "http.request_timeout = 2\nhttp.idle_timeout = 5\n"
               "http.max_connections_per_ip = 16\nhttp.rate_limit = 0\n"
               "shutdown.grace = 0\n");
    fclose(f);
    setenv("HRBRIDGE_HTTP_RATE_BURST", "7", 1);
    assert_int_equal(config_load(&c, &argc, argv, NULL, &e), ERR_OK);
    unsetenv("HRBRIDGE_HTTP_RATE_BURST");
    unlink(path);
    assert_int_equal(c.http_max_header_size, 4096);
    assert_int_equal(c.http_max_url_length, 2048);
    assert_int_equal(c.http_max_query_params, 8);
    assert_int_equal(c.http_max_filter_values, 10);
    assert_int_equal(c.http_request_timeout, 2);
    assert_int_equal(c.http_idle_timeout, 5);
    assert_int_equal(c.http_max_connections_per_ip, 16);
    assert_int_equal(c.http_rate_limit, 0); /* 0: no rate limit */
    assert_int_equal(c.http_rate_burst, 7);
    assert_int_equal(c.shutdown_grace, 0);
}

static void limits_are_bounded(void **state)
{
    static const char *const bad[][2] = {
        {"HRBRIDGE_HTTP_MAX_HEADER_SIZE", "100"}, {"HRBRIDGE_HTTP_MAX_URL_LENGTH", "0"},
        {"HRBRIDGE_HTTP_MAX_QUERY_PARAMS", "0"},  {"HRBRIDGE_HTTP_MAX_QUERY_PARAMS", "5000"},
        {"HRBRIDGE_HTTP_MAX_FILTER_VALUES", "0"}, {"HRBRIDGE_HTTP_REQUEST_TIMEOUT", "0"},
        {"HRBRIDGE_HTTP_IDLE_TIMEOUT", "-1"},     {"HRBRIDGE_HTTP_RATE_LIMIT", "-5"},
        {"HRBRIDGE_HTTP_RATE_BURST", "0"},        {"HRBRIDGE_SHUTDOWN_GRACE", "forever"},
    };
    struct config c;
    struct err e;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *argv[] = {"x", NULL};
        int argc = 1;
        setenv(bad[i][0], bad[i][1], 1);
        assert_int_equal(config_load(&c, &argc, argv, NULL, &e), ERR_INVALID);
        unsetenv(bad[i][0]);
        /* The message names the setting. */
        assert_non_null(strstr(e.msg, bad[i][0]));
    }
    {
        char *argv[] = {"x", NULL};
        int argc = 1;
        setenv("HRBRIDGE_HTTP_MAX_QUERY_PARAMS", "5000", 1);
        assert_int_equal(config_load(&c, &argc, argv, NULL, &e), ERR_INVALID);
        unsetenv("HRBRIDGE_HTTP_MAX_QUERY_PARAMS");
        assert_string_equal(
            e.msg,
            "http.max_query_params (HRBRIDGE_HTTP_MAX_QUERY_PARAMS): 5000 is outside 1..1024");
    }
}

static void precedence_file_env_flags(void **state)
{
    char path[] = "/tmp/hb-config-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    char *argv[] = {"serve",          "--config",    path,    "--listen",
                    "127.0.0.1:9999", "--no-worker", "extra", NULL};
    int argc = 7;
    struct config c;
    struct err e;

    (void)state;
    fprintf(f, "# comment\ndb.url = sqlite:/from/file.db\nhttp.listen = 1.2.3.4:1\n"
               "http.threads = 3\n");
    fclose(f);
    setenv("HRBRIDGE_DB", "sqlite:/from/env.db", 1);
    assert_int_equal(config_load(&c, &argc, argv, NULL, &e), ERR_OK);
    assert_string_equal(c.db_url, "sqlite:/from/env.db"); /* env beats file */
    assert_string_equal(c.listen, "127.0.0.1:9999");      /* flag beats file */
    assert_int_equal(c.http_threads, 3);                  /* file beats default */
    assert_int_equal(c.no_worker, 1);
    /* Positional arguments stay, flags are consumed. */
    assert_int_equal(argc, 2);
    assert_string_equal(argv[1], "extra");
    unlink(path);
}

static void errors_name_the_key(void **state)
{
    struct config c;
    struct err e;

    (void)state;
    {
        char *argv[] = {"x", "--bogus", NULL};
        int argc = 2;
        assert_int_equal(config_load(&c, &argc, argv, NULL, &e), ERR_INVALID);
        assert_string_equal(e.msg, "unknown option --bogus");
    }
    {
        char *argv[] = {"x", "--db", NULL};
        int argc = 2;
        assert_int_equal(config_load(&c, &argc, argv, NULL, &e), ERR_INVALID);
        assert_string_equal(e.msg, "--db needs a value");
    }
    {
        char *argv[] = {"x", NULL};
        int argc = 1;
        setenv("HRBRIDGE_HTTP_THREADS", "1000", 1);
        assert_int_equal(config_load(&c, &argc, argv, NULL, &e), ERR_INVALID);
        assert_string_equal(e.msg, "http.threads (HRBRIDGE_HTTP_THREADS): 1000 is outside 0..256");
        setenv("HRBRIDGE_HTTP_THREADS", "two", 1);
        assert_int_equal(config_load(&c, &argc, argv, NULL, &e), ERR_INVALID);
        assert_string_equal(e.msg, "http.threads (HRBRIDGE_HTTP_THREADS): expected an integer");
        unsetenv("HRBRIDGE_HTTP_THREADS");
        setenv("HRBRIDGE_MASTER_KEY", "abc", 1);
        assert_int_equal(config_load(&c, &argc, argv, NULL, &e), ERR_INVALID);
        assert_string_equal(e.msg, "secret.master_key: expected 64 hex characters");
    }
    {
        char *argv[] = {"x", "--db", "mysql://h/d", NULL};
        int argc = 3;
        unsetenv("HRBRIDGE_MASTER_KEY");
        assert_int_equal(config_load(&c, &argc, argv, NULL, &e), ERR_INVALID);
        assert_string_equal(e.msg, "db.url: expected sqlite:PATH or postgresql://...");
    }
}

static void secrets_are_redacted(void **state)
{
    char *argv[] = {"x", NULL};
    int argc = 1;
    struct config c;
    struct err e;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    (void)state;
    setenv("HRBRIDGE_MASTER_KEY",
           "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
    assert_int_equal(config_load(&c, &argc, argv, NULL, &e), ERR_OK);
    config_print(f, &c);
    fclose(f);
    assert_non_null(strstr(text, "secret.master_key = (redacted)"));
    assert_null(strstr(text, "0001020304"));
    free(text);
}

static void master_key_path_sits_beside_sqlite(void **state)
{
    struct config c;
    char out[CONFIG_STR_MAX + 8];

    (void)state;
    memset(&c, 0, sizeof(c));
    snprintf(c.db_url, sizeof(c.db_url), "sqlite:/var/lib/hb/data.db");
    config_master_key_path(&c, out, sizeof(out));
    assert_string_equal(out, "/var/lib/hb/data.db.key");
    snprintf(c.master_key_file, sizeof(c.master_key_file), "/etc/hb.key");
    config_master_key_path(&c, out, sizeof(out));
    assert_string_equal(out, "/etc/hb.key");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(defaults, clear_env),
        cmocka_unit_test_setup(limits_from_file_and_environment, clear_env),
        cmocka_unit_test_setup(limits_are_bounded, clear_env),
        cmocka_unit_test_setup(precedence_file_env_flags, clear_env),
        cmocka_unit_test_setup(errors_name_the_key, clear_env),
        cmocka_unit_test_setup(secrets_are_redacted, clear_env),
        cmocka_unit_test(master_key_path_sits_beside_sqlite),
    };
    return cmocka_run_group_tests_name("core/config", tests, NULL, NULL);
}
