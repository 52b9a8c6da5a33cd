/*
 * test_secrets — secrets never leave hrbridge, and outbound calls go only to
 * an integration's base URL.
 *
 * A full flow runs against hrsim with the server logging at debug level: a
 * key is made, integrations of all four tools are created with credentials,
 * synced, called through passthrough; requests fail (bad keys, bad bodies
 * that carry credentials), and syncs fail on refused credentials. Then the
 * API key, every credential (and its Basic-auth form), the remote's access
 * tokens and the master key are looked for in the server log, in every
 * response body of the flow (error messages included) and in the database
 * (the raw bytes of the SQLite files; on PostgreSQL, the text columns).
 *
 * Passthrough paths that try to leave the base URL (scheme-relative URLs,
 * absolute URLs, "..", "@host", encoded and backslash variants) must either
 * be refused or stay on it: listening sockets on 127.0.0.2 and on another
 * 127.0.0.1 port must see no connection, and hrsim must have been asked only
 * for paths below the API's base path.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static char tmp[256], db[512], db_path[400];
static struct hproc sim, srv;
static char key[128];
static char personio[128], bamboohr[128], hibob[128], factorial[128];
static char bad_personio[128], bad_bamboohr[128];

/* Every response body of the flow, concatenated. */
static char *seen;
static size_t seen_len, seen_cap;

static const char master_hex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/* What must never show: filled in by setup (the key) and fixed strings. */
static const char *secrets[32];
static int nsecrets;

/* ---- helpers ------------------------------------------------------------- */

static void remember(const char *body, size_t len)
{
    if (seen_len + len + 2 > seen_cap) {
        seen_cap = (seen_len + len + 2) * 2;
        seen = realloc(seen, seen_cap);
    }
    memcpy(seen + seen_len, body, len);
    seen_len += len;
    seen[seen_len++] = '\n';
    seen[seen_len] = '\0';
}

static long api_as(const char *k, const char *method, const char *path, const char *integ,
                   const char *body, struct hresp *out)
{
    char url[4096], auth[256], xi[256];
    const char *h[4] = {NULL, NULL, NULL, NULL};
    int n = 0;

    snprintf(url, sizeof(url), "%s%s", srv.base_url, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", k);
    h[n++] = auth;
    if (integ) {
        snprintf(xi, sizeof(xi), "X-Integration-Id: %s", integ);
        h[n++] = xi;
    }
    assert_int_equal(harness_http(method, url, h, body, body ? strlen(body) : 0, out), 0);
    remember(out->body, out->len);
    remember(out->headers, strlen(out->headers));
    return out->status;
}

static long api(const char *method, const char *path, const char *integ, const char *body,
                struct hresp *out)
{
    return api_as(key, method, path, integ, body, out);
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void create(const char *body, char *id)
{
    struct hresp r;

    if (api("POST", "/v1/integrations", NULL, body, &r) != 201)
        fail_msg("create: %ld %s", r.status, r.body);
    snprintf(id, 128, "%s", str(json_object_get(r.json, "data"), "id"));
    hresp_free(&r);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits for the integration's first run to end in state. */
static void wait_run(const char *id, const char *state)
{
    char path[256];

    snprintf(path, sizeof(path), "/v1/integrations/%s/syncs", id);
    for (int i = 0; i < 600; i++) {
        struct hresp r;
        json_t *run;
        const char *st;
        api("GET", path, NULL, NULL, &r);
        run = json_array_get(json_object_get(json_object_get(r.json, "data"), "results"), 0);
        st = str(run, "state");
        if (st && (!strcmp(st, "SUCCEEDED") || !strcmp(st, "FAILED"))) {
            if (strcmp(st, state) != 0)
                fail_msg("%s: run %s, expected %s: %s", id, st, state, r.body);
            if (!strcmp(state, "FAILED") && !str(run, "error"))
                fail_msg("%s: a failed run without a reason", id);
            hresp_free(&r);
            return;
        }
        hresp_free(&r);
        sleep_ms(50);
    }
    fail_msg("no run of %s ended within 30 s", id);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, n;
    char *b;

    *len = 0;
    if (!f)
        return NULL;
    b = malloc(cap);
    while ((n = fread(b + *len, 1, cap - *len, f)) > 0) {
        *len += n;
        if (*len == cap)
            b = realloc(b, cap *= 2);
    }
    fclose(f);
    return b;
}

static int contains(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; hay && i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return 1;
    return 0;
}

/* ---- fixture ------------------------------------------------------------- */

static int setup(void **state)
{
    const char *sim_args[] = {"--employees", "12", NULL};

    (void)state;
    if (harness_tmpdir(tmp, sizeof(tmp)) != 0)
        return -1;
    snprintf(db_path, sizeof(db_path), "%s/hb.db", tmp);
    snprintf(db, sizeof(db), "sqlite:%s", db_path);
    /* The chattiest log there is: secrets must not be in it either. */
    setenv("HRBRIDGE_LOG_LEVEL", "debug", 1);
    if (harness_start_hrsim(&sim, tmp, sim_args) != 0 ||
        harness_new_key(db, "secrets", key, sizeof(key)) != 0 ||
        harness_start_hrbridge(&srv, tmp, db, NULL) != 0)
        return -1;
    secrets[nsecrets++] = key;
    secrets[nsecrets++] = key + 3; /* without its prefix */
    secrets[nsecrets++] = master_hex;
    secrets[nsecrets++] = "sim-secret";
    secrets[nsecrets++] = "sim-token";
    secrets[nsecrets++] = "sim-key";
    secrets[nsecrets++] = "wrong-Secret-Q7x9Lk2";
    secrets[nsecrets++] = "bad-Key-Zt5Rw8Np";
    secrets[nsecrets++] = "leak-Me-J3k9Vb";
    secrets[nsecrets++] = "c2ltLXVzZXI6c2ltLXRva2Vu"; /* base64 "sim-user:sim-token" */
    secrets[nsecrets++] = "papi-";                    /* Personio access tokens */
    secrets[nsecrets++] = "Bearer fa-";               /* Factorial access tokens */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    harness_stop(&srv);
    harness_stop(&sim);
    harness_rmtree(tmp);
    free(seen);
    return 0;
}

/* ---- secrets --------------------------------------------------------------- */

static void secrets_appear_nowhere(void **state)
{
    char body[1024];
    struct hresp r;
    const char *const good[] = {personio, bamboohr, hibob, factorial, NULL};
    size_t len;
    char *text;

    (void)state;
    snprintf(body, sizeof(body),
             "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Acme\"},"
             "\"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"},"
             "\"base_url\":\"%s/personio\"}",
             sim.base_url);
    create(body, personio);
    snprintf(body, sizeof(body),
             "{\"tool\":\"bamboohr\",\"end_user\":{\"organization_name\":\"Acme\"},"
             "\"credentials\":{\"company_domain\":\"acme\",\"api_key\":\"sim-key\"},"
             "\"base_url\":\"%s/bamboohr\"}",
             sim.base_url);
    create(body, bamboohr);
    snprintf(body, sizeof(body),
             "{\"tool\":\"hibob\",\"end_user\":{\"organization_name\":\"Acme\"},"
             "\"credentials\":{\"service_user_id\":\"sim-user\",\"service_user_token\":"
             "\"sim-token\"},\"base_url\":\"%s/hibob\"}",
             sim.base_url);
    create(body, hibob);
    snprintf(body, sizeof(body),
             "{\"tool\":\"factorial\",\"end_user\":{\"organization_name\":\"Acme\"},"
             "\"credentials\":{\"api_key\":\"sim-key\"},\"base_url\":\"%s/factorial\"}",
             sim.base_url);
    create(body, factorial);
    snprintf(body, sizeof(body),
             "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Acme\"},"
             "\"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":"
             "\"wrong-Secret-Q7x9Lk2\"},\"base_url\":\"%s/personio\"}",
             sim.base_url);
    create(body, bad_personio);
    snprintf(body, sizeof(body),
             "{\"tool\":\"bamboohr\",\"end_user\":{\"organization_name\":\"Acme\"},"
             "\"credentials\":{\"company_domain\":\"acme\",\"api_key\":\"bad-Key-Zt5Rw8Np\"},"
             "\"base_url\":\"%s/bamboohr\"}",
             sim.base_url);
    create(body, bad_bamboohr);

    for (int i = 0; good[i]; i++)
        wait_run(good[i], "SUCCEEDED");
    wait_run(bad_personio, "FAILED");
    wait_run(bad_bamboohr, "FAILED");

    /* Passthrough, good and refused credentials. */
    api("POST", "/v1/passthrough/personio/personnel", personio,
        "{\"method\":\"GET\",\"path\":\"/company/employees\",\"params\":{\"limit\":\"1\"}}", &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
    api("POST", "/v1/passthrough/hibob/v1", hibob, "{\"method\":\"GET\",\"path\":\"/people\"}", &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
    api("POST", "/v1/passthrough/bamboohr/v1", bamboohr,
        "{\"method\":\"GET\",\"path\":\"/employees/directory\"}", &r);
    assert_int_equal(r.status, 200);
    hresp_free(&r);
    api("POST", "/v1/passthrough/personio/personnel", bad_personio,
        "{\"method\":\"GET\",\"path\":\"/company/employees\"}", &r);
    assert_true(r.status >= 400 && r.status < 600);
    hresp_free(&r);
    api("POST", "/v1/passthrough/bamboohr/v1", bad_bamboohr,
        "{\"method\":\"GET\",\"path\":\"/employees/directory\"}", &r);
    assert_true(r.status >= 400 && r.status < 600);
    hresp_free(&r);
    /* A second refused sync, forced. */
    api("POST", "/v1/force-sync", bad_personio, "{\"type\":\"FULL\"}", &r);
    hresp_free(&r);

    /* Failing requests, some carrying credentials. */
    api_as("hb_notAKey", "GET", "/v1/check-api-key", NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    hresp_free(&r);
    api("POST", "/v1/integrations", NULL,
        "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
        "\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\",\"token\":"
        "\"leak-Me-J3k9Vb\"}}",
        &r);
    assert_int_equal(r.status, 400);
    hresp_free(&r);
    api("POST", "/v1/integrations", NULL,
        "{\"tool\":\"factorial\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
        "\"api_key\":[\"leak-Me-J3k9Vb\"]}}",
        &r);
    assert_int_equal(r.status, 400);
    hresp_free(&r);
    api("POST", "/v1/integrations", NULL,
        "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
        "\"client_id\":\"sim-client\",\"client_secret\":\"leak-Me-J3k9Vb\"},"
        "\"base_url\":\"http://leak-Me-J3k9Vb@127.0.0.1/\"}",
        &r);
    assert_int_equal(r.status, 400);
    hresp_free(&r);
    api("POST", "/v1/integrations", NULL,
        "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":"
        "{\"client_id\":\"sim-client\",\"client_secret\":\"leak-Me-J3k9Vb\"",
        &r);
    assert_int_equal(r.status, 400);
    hresp_free(&r);

    /* Everything a client can read about the integrations. */
    for (int i = 0; i < 6; i++) {
        const char *id = i < 4 ? good[i] : i == 4 ? bad_personio : bad_bamboohr;
        char path[256];
        snprintf(path, sizeof(path), "/v1/integrations/%s", id);
        api("GET", path, NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        hresp_free(&r);
        snprintf(path, sizeof(path), "/v1/integrations/%s/syncs", id);
        api("GET", path, NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        hresp_free(&r);
        api("GET", "/v1/hris/employees?page_size=250", id, NULL, &r);
        hresp_free(&r);
    }
    /* The failed runs say why, readably. */
    assert_true(contains(seen, seen_len, "\"state\":\"FAILED\""));

    /* Stop the server so its log and the database files are complete. */
    harness_stop(&srv);
    text = read_all(srv.log_path, &len);
    assert_non_null(text);
    for (int i = 0; i < nsecrets; i++) {
        if (contains(text, len, secrets[i]))
            fail_msg("the server log holds \"%s\"", secrets[i]);
        if (contains(seen, seen_len, secrets[i]))
            fail_msg("a response holds \"%s\"", secrets[i]);
    }
    free(text);

    if (!getenv("HRBRIDGE_TEST_PG")) {
        const char *const suffixes[] = {"", "-wal", "-shm", NULL};
        for (int s = 0; suffixes[s]; s++) {
            char p[512];
            snprintf(p, sizeof(p), "%s%s", db_path, suffixes[s]);
            text = read_all(p, &len);
            for (int i = 0; i < nsecrets; i++)
                if (contains(text, len, secrets[i]))
                    fail_msg("%s holds \"%s\"", p, secrets[i]);
            free(text);
        }
    }
    /* Both backends: no text column anywhere holds them. */
    for (int i = 0; i < nsecrets; i++) {
        char like[256];
        const char *params[] = {like, like, like, like, NULL};
        snprintf(like, sizeof(like), "%%%s%%", secrets[i]);
        assert_int_equal(harness_db_scalar(db,
                                           "SELECT count(*) FROM sync_runs WHERE error LIKE ? OR "
                                           "type LIKE ? OR state LIKE ? OR id LIKE ?",
                                           params),
                         0);
        assert_int_equal(harness_db_scalar(db,
                                           "SELECT count(*) FROM integrations WHERE base_url "
                                           "LIKE ? OR id LIKE ? OR tool LIKE ? OR id LIKE ?",
                                           params),
                         0);
        assert_int_equal(
            harness_db_scalar(db,
                              "SELECT count(*) FROM api_keys WHERE key_hash LIKE ? OR "
                              "environment_id LIKE ? OR key_hash LIKE ? OR key_hash LIKE ?",
                              params),
            0);
    }
    /* Restart for the next test. */
    assert_int_equal(harness_start_hrbridge(&srv, tmp, db, NULL), 0);
}

/* The server writes no core file: one would hold the master key. */
static void no_core_dumps(void **state)
{
    char path[64], *text, *line;
    size_t len;
    int found = 0;

    (void)state;
    snprintf(path, sizeof(path), "/proc/%d/limits", (int)srv.pid);
    text = read_all(path, &len);
    assert_non_null(text);
    text = realloc(text, len + 1);
    text[len] = '\0';
    line = strstr(text, "Max core file size");
    assert_non_null(line);
    {
        long soft = -1, hard = -1;
        if (sscanf(line + strlen("Max core file size"), "%ld %ld", &soft, &hard) == 2 &&
            soft == 0 && hard == 0)
            found = 1;
    }
    if (!found)
        fail_msg("serve may write core files: %.80s", line);
    free(text);
}

static void config_show_redacts_the_master_key(void **state)
{
    const char *argv[] = {harness_bin("hrbridge"), "config", "show", NULL};
    char env_key[128];
    const char *env[] = {env_key, NULL};
    char *out = NULL;

    (void)state;
    snprintf(env_key, sizeof(env_key), "HRBRIDGE_MASTER_KEY=%s", master_hex);
    assert_int_equal(harness_run(argv, env, &out), 0);
    assert_non_null(strstr(out, "secret.master_key"));
    assert_null(strstr(out, master_hex));
    free(out);
}

/* ---- outbound calls ------------------------------------------------------ */

/* A listening socket on addr:port that nobody should ever connect to. */
static int canary(const char *addr, int *port)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    inet_pton(AF_INET, addr, &a.sin_addr);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 64), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void passthrough_stays_on_the_base_url(void **state)
{
    int port2, port1;
    int fd2 = canary("127.0.0.2", &port2), fd1 = canary("127.0.0.1", &port1);
    /* %1$s: 127.0.0.2:port; %2$s: 127.0.0.1:other port. */
    static const char *const paths[] = {"//%1$s/x",
                                        "///%1$s/x",
                                        "http://%1$s/",
                                        "https://%2$s/",
                                        "http:%1$s/x",
                                        "/../../x",
                                        "/..",
                                        "/x/../../../%1$s",
                                        "/%%2e%%2e/%%2e%%2e/x",
                                        "/.%%2e/.%%2e/x",
                                        "/@%1$s/x",
                                        "/x@%1$s",
                                        "/x?@%1$s",
                                        "/x?u=http://%1$s/",
                                        "/x#@%1$s",
                                        "/%%2f%%2f%1$s/x",
                                        "/%%2F%%2F%2$s/x",
                                        "\\\\\\\\%1$s\\\\x",
                                        "/\\\\%1$s",
                                        "/ http://%1$s/",
                                        "/\\t//%1$s",
                                        "@%1$s/x",
                                        ":%2$s/x",
                                        "/x\\r\\nHost: %1$s",
                                        "/%%0d%%0aHost:%%20%1$s",
                                        "/\\u2215\\u2215%1$s",
                                        NULL};
    char host2[64], host1[64], base[160];
    int refused = 0, stayed = 0;
    struct hresp r;

    (void)state;
    snprintf(host2, sizeof(host2), "127.0.0.2:%d", port2);
    snprintf(host1, sizeof(host1), "127.0.0.1:%d", port1);
    snprintf(base, sizeof(base), "%s/personio/v1/", sim.base_url);
    {
        char url[256];
        snprintf(url, sizeof(url), "%s/__sim/reset", sim.base_url);
        assert_int_equal(harness_http("POST", url, NULL, "{}", 2, &r), 0);
        hresp_free(&r);
    }
    for (int i = 0; paths[i]; i++) {
        char path[512], body[1024];
        const char *const methods[] = {"GET", "POST", NULL};
        /* Positional arguments are not in C11's printf: expand by hand. */
        {
            size_t n = 0;
            for (const char *p = paths[i]; *p && n < sizeof(path) - 64; p++) {
                if (!strncmp(p, "%1$s", 4)) {
                    n += (size_t)snprintf(path + n, sizeof(path) - n, "%s", host2);
                    p += 3;
                } else if (!strncmp(p, "%2$s", 4)) {
                    n += (size_t)snprintf(path + n, sizeof(path) - n, "%s", host1);
                    p += 3;
                } else if (!strncmp(p, "%%", 2)) {
                    path[n++] = '%';
                    p++;
                } else {
                    path[n++] = *p;
                }
            }
            path[n] = '\0';
        }
        for (int m = 0; methods[m]; m++) {
            snprintf(body, sizeof(body),
                     "{\"method\":\"%s\",\"path\":\"%s\",\"params\":{\"@%s\":\"http://%s/\"},"
                     "\"headers\":{\"X-Forwarded-Host\":\"%s\"}}",
                     methods[m], path, host2, host2, host2);
            api("POST", "/v1/passthrough/personio/personnel", personio, body, &r);
            if (r.status == 400) {
                refused++;
            } else if (r.status == 200) {
                const char *url = str(json_object_get(r.json, "data"), "url");
                if (!url || strncmp(url, base, strlen(base)) != 0)
                    fail_msg("path %s: called %s", path, url ? url : "?");
                stayed++;
            } else {
                fail_msg("path %s: %ld %s", path, r.status, r.body);
            }
            hresp_free(&r);
        }
    }
    print_message("%d refused, %d sent below the base URL\n", refused, stayed);
    assert_true(refused >= 20);

    /* Nobody knocked on the canaries. */
    {
        int c2 = accept(fd2, NULL, NULL), e2 = errno;
        int c1 = accept(fd1, NULL, NULL), e1 = errno;
        if (c2 >= 0 || c1 >= 0)
            fail_msg("a passthrough call reached a canary (127.0.0.2: %d, 127.0.0.1: %d)", c2, c1);
        assert_true(e2 == EAGAIN || e2 == EWOULDBLOCK);
        assert_true(e1 == EAGAIN || e1 == EWOULDBLOCK);
    }
    close(fd2);
    close(fd1);

    /* And hrsim was asked only below Personio's API base path. */
    {
        char url[256];
        json_t *req;
        size_t i;
        snprintf(url, sizeof(url), "%s/__sim/requests", sim.base_url);
        assert_int_equal(harness_http("GET", url, NULL, NULL, 0, &r), 0);
        json_t *tools = json_object_get(r.json, "tools");
        const char *tool;
        json_t *log;
        json_object_foreach (tools, tool, log) {
            json_array_foreach (json_object_get(log, "requests"), i, req) {
                const char *p = str(req, "path");
                if (strcmp(tool, "personio") != 0)
                    fail_msg("hrsim's %s was called: %s", tool, p);
                if (!p || strncmp(p, "/v1/", 4) != 0)
                    fail_msg("hrsim's personio was called outside /v1/: %s", p ? p : "?");
            }
        }
        hresp_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(secrets_appear_nowhere),
        cmocka_unit_test(no_core_dumps),
        cmocka_unit_test(config_show_redacts_the_master_key),
        cmocka_unit_test(passthrough_stays_on_the_base_url),
    };

    return cmocka_run_group_tests_name("secrets", tests, setup, teardown);
}
