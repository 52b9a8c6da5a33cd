/*
 * test_limits — the caps of docs/limits.md over real processes: each cap
 * answers its status in the error envelope and the server keeps serving;
 * the per-key rate limit (429, Retry-After, recovery, keys independent);
 * slow and idle clients dropped after http.request_timeout while others are
 * served; SIGTERM to `serve` lets a slow request finish; SIGTERM to a
 * `worker` in the middle of a sync puts the run back in the queue with
 * nothing applied, and the next worker completes it.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define SIM_EMPLOYEES 150
#define RATE_BURST    4

static char tmp[256], db[400], conf[400];
static struct hproc sim, srv, rl, slow_sim, gs;
static char key[128], key2[128];
static char integ[128];  /* a Personio integration on sim, made by the first test */
static pid_t worker_pid; /* the `hrbridge worker` running, if any */

/* ---- helpers ------------------------------------------------------------- */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One request to p with key k (may be NULL) and optional extra header. */
static long call(const struct hproc *p, const char *k, const char *method, const char *path,
                 const char *extra, const char *body, struct hresp *out)
{
    char url[200000], auth[256], ih[200];
    const char *h[4] = {NULL, NULL, NULL, NULL};
    int n = 0;

    snprintf(url, sizeof(url), "%s%s", p->base_url, path);
    if (k) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", k);
        h[n++] = auth;
    }
    if (integ[0]) {
        snprintf(ih, sizeof(ih), "X-Integration-Id: %s", integ);
        h[n++] = ih;
    }
    if (extra)
        h[n++] = extra;
    assert_int_equal(harness_http(method, url, h, body, body ? strlen(body) : 0, out), 0);
    return out->status;
}

static json_t *data(const struct hresp *r)
{
    return json_object_get(r->json, "data");
}

/* Asserts r is the error envelope with code (all four keys present). */
static void expect_envelope(const struct hresp *r, const char *code)
{
    json_t *err = json_object_get(r->json, "error");

    if (!err)
        fail_msg("status %ld without the error envelope: %.300s", r->status, r->body);
    assert_string_equal(json_string_value(json_object_get(r->json, "status")), "error");
    assert_string_equal(json_string_value(json_object_get(err, "code")), code);
    assert_non_null(json_object_get(err, "title"));
    assert_non_null(json_object_get(err, "message"));
    assert_true(json_is_null(json_object_get(err, "log_url")));
}

/* The server still answers an ordinary request. */
static void still_serving(const struct hproc *p, const char *k)
{
    struct hresp r;

    assert_int_equal(call(p, k, "GET", "/v1/check-api-key", NULL, NULL, &r), 200);
    hresp_free(&r);
}

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* A TCP connection to p (blocking), or -1. */
static int connect_to(const struct hproc *p)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)p->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Waits up to ms for fd to be readable; returns what recv says (bytes, 0 at
 * end of stream, -1 on error), or -2 when nothing came. */
static long wait_read(int fd, int ms, char *buf, size_t len)
{
    struct pollfd pfd = {fd, POLLIN, 0};

    if (poll(&pfd, 1, ms) <= 0)
        return -2;
    return (long)recv(fd, buf, len, 0);
}

/* The integration's runs, newest first (a new reference to the array). */
static json_t *runs_of(const char *id)
{
    char path[256];
    struct hresp r;
    json_t *runs;

    snprintf(path, sizeof(path), "/v1/integrations/%s/syncs?page_size=20", id);
    assert_int_equal(call(&srv, key, "GET", path, NULL, NULL, &r), 200);
    runs = json_incref(json_object_get(data(&r), "results"));
    hresp_free(&r);
    return runs;
}

/* The run with id run_id, or the newest run when run_id is NULL: its state
 * copied into state (or "" when absent). */
static void run_state(const char *run_id, char *state, size_t len)
{
    json_t *runs = runs_of(integ), *run;
    size_t i;

    snprintf(state, len, "%s", "");
    json_array_foreach (runs, i, run) {
        if (!run_id || !strcmp(json_string_value(json_object_get(run, "id")), run_id)) {
            snprintf(state, len, "%s", json_string_value(json_object_get(run, "state")));
            break;
        }
    }
    json_decref(runs);
}

/* Waits until run_id is in state (up to ms). */
static void wait_state(const char *run_id, const char *state, int ms)
{
    char got[32] = "";

    for (int waited = 0; waited <= ms; waited += 50) {
        run_state(run_id, got, sizeof(got));
        if (!strcmp(got, state))
            return;
        if (!strcmp(got, "FAILED") || (!strcmp(got, "SUCCEEDED") && strcmp(state, "SUCCEEDED")))
            break;
        sleep_ms(50);
    }
    {
        json_t *runs = runs_of(integ);
        char *text = json_dumps(runs, JSON_COMPACT);
        fail_msg("run %s is %s, not %s: %s", run_id, got, state, text);
    }
}

/* Every employee of integ as the API serves them (a new array). */
static json_t *all_employees(void)
{
    json_t *all = json_array();
    char cursor[600] = "";

    for (int pages = 0; pages < 100; pages++) {
        char path[800];
        struct hresp r;
        json_t *next, *e;
        size_t i;

        snprintf(path, sizeof(path), "/v1/hris/employees?page_size=250%s%s",
                 cursor[0] ? "&cursor=" : "", cursor);
        if (call(&srv, key, "GET", path, NULL, NULL, &r) != 200)
            fail_msg("GET %s: %ld %s", path, r.status, r.body);
        json_array_foreach (json_object_get(data(&r), "results"), i, e)
            json_array_append(all, e);
        next = json_object_get(data(&r), "next");
        if (!json_is_string(next)) {
            hresp_free(&r);
            return all;
        }
        snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
        hresp_free(&r);
    }
    fail_msg("more than 100 pages");
    return all;
}

/* How many employees hrsim's Personio lists now. */
static size_t sim_employee_count(void)
{
    char url[512], auth[600];
    const char *h[] = {auth, NULL};
    struct hresp r;
    size_t total = 0;

    snprintf(url, sizeof(url), "%s/personio/v1/auth?client_id=sim-client&client_secret=sim-secret",
             sim.base_url);
    assert_int_equal(harness_http("POST", url, NULL, "", 0, &r), 0);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
             json_string_value(json_object_get(json_object_get(r.json, "data"), "token")));
    hresp_free(&r);
    for (int off = 0; off < 100000; off += 100) {
        size_t n;
        snprintf(url, sizeof(url), "%s/personio/v1/company/employees?limit=100&offset=%d",
                 sim.base_url, off);
        assert_int_equal(harness_http("GET", url, h, NULL, 0, &r), 0);
        n = json_array_size(json_object_get(r.json, "data"));
        hresp_free(&r);
        total += n;
        if (n < 100)
            break;
    }
    return total;
}

/* Starts `hrbridge worker` on the test database; its log goes to tmp/worker.log. */
static pid_t start_worker(void)
{
    pid_t pid = fork();

    if (pid == 0) {
        char logp[512];
        snprintf(logp, sizeof(logp), "%s/worker.log", tmp);
        putenv("HRBRIDGE_MASTER_KEY="
               "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        if (!freopen(logp, "a", stderr) || !freopen("/dev/null", "w", stdout))
            _exit(126);
        execl(harness_bin("hrbridge"), "hrbridge", "worker", "--config", conf, "--db",
              harness_db(db), (char *)NULL);
        _exit(127);
    }
    worker_pid = pid;
    return pid;
}

/* Sends SIGTERM to pid and waits (up to ms) for it to exit; returns its exit
 * code, or fails the test. */
static int terminate(pid_t pid, int ms)
{
    int status = 0;

    kill(pid, SIGTERM);
    for (int waited = 0; waited < ms; waited += 10) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            if (pid == worker_pid)
                worker_pid = 0;
            if (!WIFEXITED(status))
                fail_msg("process %d ended by signal %d", (int)pid, WTERMSIG(status));
            return WEXITSTATUS(status);
        }
        sleep_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    fail_msg("process %d did not stop within %d ms of SIGTERM", (int)pid, ms);
    return -1;
}

/* ---- fixtures ----------------------------------------------------------------- */

static int group_setup(void **state)
{
    const char *sim_args[] = {"--employees", "150", "--latency-ms", "25", "--seed", "7", NULL};
    char rl_conf[400];
    const char *extra[] = {"--config", conf, "--no-worker", NULL};
    const char *rl_extra[] = {"--config", rl_conf, "--no-worker", NULL};
    FILE *f;

    (void)state;
    if (harness_tmpdir(tmp, sizeof(tmp)) != 0)
        return -1;
    snprintf(db, sizeof(db), "sqlite:%s/hb.db", tmp);
    snprintf(conf, sizeof(conf), "%s/limits.conf", tmp);
    f = fopen(conf, "w");
    /* Small caps, so each is easy to reach; no schedule, a short grace. */
    fprintf(f, "http.max_body = 2048\nhttp.max_header_size = 4096\n"
               "http.max_url_length = 2048\nhttp.max_query_params = 8\n"
               "http.max_filter_values = 10\nhttp.request_timeout = 2\n"
               "http.threads = 2\nhttp.max_connections = 8\n"
               "sync.full_interval = 0\nsync.delta_interval = 0\nsync.lease = 30\n"
               "shutdown.grace = 10\n");
    fclose(f);
    snprintf(rl_conf, sizeof(rl_conf), "%s/ratelimit.conf", tmp);
    f = fopen(rl_conf, "w");
    fprintf(f, "http.rate_limit = 2\nhttp.rate_burst = %d\n", RATE_BURST);
    fclose(f);
    if (harness_start_hrsim(&sim, tmp, sim_args) != 0)
        return -1;
    if (harness_new_key(db, "limits", key, sizeof(key)) != 0 ||
        harness_new_key(db, "limits", key2, sizeof(key2)) != 0)
        return -1;
    if (harness_start_hrbridge(&srv, tmp, db, extra) != 0)
        return -1;
    /* harness_start_hrbridge logs to dir/serve.log: a second one gets its own dir. */
    {
        char dir[300];
        snprintf(dir, sizeof(dir), "%s/rl", tmp);
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return -1;
        return harness_start_hrbridge(&rl, dir, db, rl_extra);
    }
}

static int group_teardown(void **state)
{
    (void)state;
    if (worker_pid > 0) {
        kill(worker_pid, SIGKILL);
        waitpid(worker_pid, NULL, 0);
    }
    harness_stop(&srv);
    harness_stop(&rl);
    harness_stop(&gs);
    harness_stop(&slow_sim);
    harness_stop(&sim);
    harness_rmtree(tmp);
    return 0;
}

/* ---- tests ------------------------------------------------------------------- */

static void caps_answer_in_the_envelope(void **state)
{
    char body[512], path[4096], hdr[200000];
    char *big;
    struct hresp r;

    (void)state;
    /* An integration for the list endpoints (and the sync tests below). */
    snprintf(body, sizeof(body),
             "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Acme\"},"
             "\"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"},"
             "\"base_url\":\"%s/personio\"}",
             sim.base_url);
    assert_int_equal(call(&srv, key, "POST", "/v1/integrations", NULL, body, &r), 201);
    snprintf(integ, sizeof(integ), "%s", json_string_value(json_object_get(data(&r), "id")));
    hresp_free(&r);

    /* Body: 413 (http.max_body 2048). */
    big = repeat('x', 3000);
    assert_int_equal(call(&srv, key, "POST", "/v1/integrations", NULL, big, &r), 413);
    expect_envelope(&r, "PLATFORM.INPUT_INVALID");
    hresp_free(&r);
    free(big);
    still_serving(&srv, key);

    /* Headers: 431 in the envelope past http.max_header_size; far past it
     * libmicrohttpd answers 431 itself. */
    big = repeat('h', 5000);
    snprintf(hdr, sizeof(hdr), "X-Padding: %s", big);
    free(big);
    assert_int_equal(call(&srv, key, "GET", "/v1/check-api-key", hdr, NULL, &r), 431);
    expect_envelope(&r, "PLATFORM.INPUT_INVALID");
    hresp_free(&r);
    big = repeat('h', 150000);
    snprintf(hdr, sizeof(hdr), "X-Padding: %s", big);
    free(big);
    assert_int_equal(call(&srv, key, "GET", "/v1/check-api-key", hdr, NULL, &r), 431);
    hresp_free(&r);
    still_serving(&srv, key);

    /* URL: 414 in the envelope past http.max_url_length; far past it the
     * library's own 414. */
    big = repeat('u', 3000);
    snprintf(path, sizeof(path), "/v1/check-api-key?x=%s", big);
    free(big);
    assert_int_equal(call(&srv, key, "GET", path, NULL, NULL, &r), 414);
    expect_envelope(&r, "PLATFORM.INPUT_INVALID");
    hresp_free(&r);
    {
        char *huge = malloc(150100);
        big = repeat('u', 150000);
        snprintf(huge, 150100, "/v1/check-api-key?x=%s", big);
        free(big);
        assert_int_equal(call(&srv, key, "GET", huge, NULL, NULL, &r), 414);
        hresp_free(&r);
        free(huge);
    }
    still_serving(&srv, key);

    /* Query parameters: 400 past http.max_query_params (8). */
    assert_int_equal(call(&srv, key, "GET", "/v1/check-api-key?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9",
                          NULL, NULL, &r),
                     400);
    expect_envelope(&r, "PLATFORM.INPUT_INVALID");
    assert_non_null(strstr(r.body, "query parameters"));
    hresp_free(&r);
    assert_int_equal(
        call(&srv, key, "GET", "/v1/check-api-key?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8", NULL, NULL, &r),
        200);
    hresp_free(&r);

    /* Ids per filter: 400 past http.max_filter_values (10). */
    assert_int_equal(
        call(&srv, key, "GET", "/v1/hris/employees?ids=a,b,c,d,e,f,g,h,i,j,k", NULL, NULL, &r),
        400);
    expect_envelope(&r, "PLATFORM.INPUT_INVALID");
    assert_non_null(strstr(r.body, "more than 10 values"));
    hresp_free(&r);
    assert_int_equal(
        call(&srv, key, "GET", "/v1/hris/employees?ids=a,b,c,d,e,f,g,h,i,j", NULL, NULL, &r), 200);
    hresp_free(&r);

    /* page_size: the OpenAPI maximum (250 for HRIS lists, 2000 for
     * integration fields). */
    assert_int_equal(call(&srv, key, "GET", "/v1/hris/employees?page_size=251", NULL, NULL, &r),
                     400);
    expect_envelope(&r, "PLATFORM.INPUT_INVALID");
    hresp_free(&r);
    assert_int_equal(call(&srv, key, "GET", "/v1/hris/employees?page_size=250", NULL, NULL, &r),
                     200);
    hresp_free(&r);
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=2001", integ);
    assert_int_equal(call(&srv, key, "GET", path, NULL, NULL, &r), 400);
    expect_envelope(&r, "PLATFORM.INPUT_INVALID");
    hresp_free(&r);
    still_serving(&srv, key);
}

static void rate_limit_per_key(void **state)
{
    char retry[16] = "";
    struct hresp r;
    long long t0;
    int n429 = 0;

    (void)state;
    /* The burst goes through, then 429 with Retry-After. */
    t0 = now_ms();
    for (int i = 0; i < RATE_BURST; i++) {
        assert_int_equal(call(&rl, key, "GET", "/v1/check-api-key", NULL, NULL, &r), 200);
        hresp_free(&r);
    }
    assert_int_equal(call(&rl, key, "GET", "/v1/check-api-key", NULL, NULL, &r), 429);
    expect_envelope(&r, "PLATFORM.RATE_LIMIT_EXCEEDED");
    assert_int_equal(hresp_header(&r, "Retry-After", retry, sizeof(retry)), 0);
    assert_true(strtol(retry, NULL, 10) >= 1);
    hresp_free(&r);
    /* Every endpoint of the key is limited, HRIS ones too. */
    assert_int_equal(call(&rl, key, "GET", "/v1/hris/employees", NULL, NULL, &r), 429);
    expect_envelope(&r, "PLATFORM.RATE_LIMIT_EXCEEDED");
    hresp_free(&r);
    assert_true(now_ms() - t0 < 1000); /* all of it inside the refill of two tokens */

    /* Another key is not held back by the first one's flood. */
    for (int i = 0; i < RATE_BURST; i++) {
        assert_int_equal(call(&rl, key2, "GET", "/v1/check-api-key", NULL, NULL, &r), 200);
        hresp_free(&r);
    }
    /* Requests without a valid key are refused as such, never counted. */
    for (int i = 0; i < 3 * RATE_BURST; i++) {
        assert_int_equal(call(&rl, "hb_not-a-key", "GET", "/v1/check-api-key", NULL, NULL, &r),
                         401);
        expect_envelope(&r, "PLATFORM.AUTHENTICATION_INVALID");
        hresp_free(&r);
    }

    /* After the wait it asked for, the first key is served again. */
    sleep_ms((int)strtol(retry, NULL, 10) * 1000);
    assert_int_equal(call(&rl, key, "GET", "/v1/check-api-key", NULL, NULL, &r), 200);
    hresp_free(&r);
    /* ... at the configured rate, not a new burst. */
    for (int i = 0; i < RATE_BURST; i++) {
        n429 += call(&rl, key, "GET", "/v1/check-api-key", NULL, NULL, &r) == 429;
        hresp_free(&r);
    }
    assert_true(n429 >= 1);
}

static void slow_clients_are_dropped(void **state)
{
    static const char start[] = "GET /v1/check-api-key HTTP/1.1\r\nHost: x\r\n";
    int idle[7], slow, waiting;
    long long t0, closed_at = -1, answered_at = -1;
    char buf[512];
    long n;

    (void)state;
    /* A slowloris client: the request line, then a header line now and then. */
    slow = connect_to(&srv);
    assert_true(slow >= 0);
    assert_int_equal(send(slow, start, sizeof(start) - 1, MSG_NOSIGNAL), (long)sizeof(start) - 1);
    t0 = now_ms();
    /* Others are served meanwhile. */
    while (now_ms() - t0 < 5000 && closed_at < 0) {
        long long t = now_ms();
        struct hresp r;
        assert_int_equal(call(&srv, key, "GET", "/v1/check-api-key", NULL, NULL, &r), 200);
        hresp_free(&r);
        assert_true(now_ms() - t < 1000);
        if (send(slow, "X-A: b\r\n", 8, MSG_NOSIGNAL) < 0) {
            closed_at = now_ms();
            break;
        }
        n = wait_read(slow, 200, buf, sizeof(buf));
        if (n == 0 || n == -1)
            closed_at = now_ms();
        else if (n > 0)
            fail_msg("the slow client got an answer: %.*s", (int)n, buf);
    }
    close(slow);
    if (closed_at < 0)
        fail_msg("the slow client was not dropped within 5 s");
    /* http.request_timeout is 2 s; the watcher looks every 250 ms at most. */
    assert_true(closed_at - t0 >= 1500);
    assert_true(closed_at - t0 < 4000);

    /* The connection cap (8): with all of it held by clients that send
     * nothing, a new client waits; once they are dropped, it is served. */
    slow = connect_to(&srv); /* one more idle client, with the 7 below */
    assert_true(slow >= 0);
    for (int i = 0; i < 7; i++) {
        idle[i] = connect_to(&srv);
        assert_true(idle[i] >= 0);
    }
    sleep_ms(100); /* let the server accept them all */
    t0 = now_ms();
    waiting = connect_to(&srv); /* the kernel queues it: connect succeeds */
    assert_true(waiting >= 0);
    {
        static const char req[] = "GET /v1/tools/hris HTTP/1.1\r\nHost: x\r\n"
                                  "Connection: close\r\n\r\n";
        assert_int_equal(send(waiting, req, sizeof(req) - 1, MSG_NOSIGNAL), (long)sizeof(req) - 1);
    }
    assert_int_equal(wait_read(waiting, 1000, buf, sizeof(buf)), -2); /* not served yet */
    n = wait_read(waiting, 5000, buf, sizeof(buf) - 1);
    answered_at = now_ms();
    assert_true(n > 0);
    buf[n] = '\0';
    /* No key sent: 401 proves it reached the API. */
    if (strncmp(buf, "HTTP/1.1 401", 12) != 0)
        fail_msg("unexpected answer: %.80s", buf);
    assert_true(answered_at - t0 >= 1000);
    assert_true(answered_at - t0 < 5000);
    close(waiting);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(wait_read(idle[i], 3000, buf, sizeof(buf)), 0); /* dropped */
        close(idle[i]);
    }
    close(slow);
    still_serving(&srv, key);
}

/* Waits until the integration's newest run (not after) is in the middle of
 * its work, and returns its id in out. */
static void wait_mid_sync(char *out, size_t len, const char *after)
{
    long long running_since = 0;

    for (int waited = 0; waited < 20000; waited += 25) {
        json_t *runs = runs_of(integ), *run = json_array_get(runs, 0);
        const char *st = json_string_value(json_object_get(run, "state"));

        if (after && !strcmp(json_string_value(json_object_get(run, "id")), after)) {
            json_decref(runs);
            sleep_ms(25);
            continue; /* the new run is not listed yet */
        }
        if (st && !strcmp(st, "RUNNING") && !running_since)
            running_since = now_ms();
        /* Mid-sync: a while into a run of over a second (150 balance
         * requests of 25 ms, three at a time). */
        if (running_since && now_ms() - running_since >= 300) {
            snprintf(out, len, "%s", json_string_value(json_object_get(run, "id")));
            json_decref(runs);
            return;
        }
        if (st && strcmp(st, "RUNNING") && strcmp(st, "QUEUED"))
            fail_msg("run %s ended (%s) before it could be interrupted (after %s)",
                     json_string_value(json_object_get(run, "id")), st, after ? after : "-");
        json_decref(runs);
        sleep_ms(25);
    }
    fail_msg("no sync got going within 20 s");
}

/* The run is back in the queue, whole: nothing failed. */
static void expect_released(const char *run_id)
{
    json_t *runs = runs_of(integ), *run;
    size_t i;

    json_array_foreach (runs, i, run) {
        const char *st = json_string_value(json_object_get(run, "state"));
        if (!strcmp(json_string_value(json_object_get(run, "id")), run_id))
            assert_string_equal(st, "QUEUED");
        else
            assert_string_not_equal(st, "FAILED");
    }
    json_decref(runs);
    assert_int_equal(
        harness_db_scalar(db, "SELECT COUNT(*) FROM sync_runs WHERE state = 'RUNNING'", NULL), 0);
}

static void sigterm_releases_a_running_sync(void **state)
{
    char run_id[64];
    json_t *before, *after;
    pid_t w;
    long long t;

    (void)state;
    /* The first sync (queued when the integration was made) is stopped half way. */
    w = start_worker();
    wait_mid_sync(run_id, sizeof(run_id), NULL);
    t = now_ms();
    assert_int_equal(terminate(w, 8000), 0);
    assert_true(now_ms() - t < 3000); /* at the next page, not at the end of the sync */
    expect_released(run_id);
    after = all_employees();
    assert_int_equal(json_array_size(after), 0); /* nothing of the stopped sync is visible */
    json_decref(after);

    /* The next worker takes the same run at once (no lease to wait for). */
    w = start_worker();
    wait_state(run_id, "SUCCEEDED", 30000);
    before = all_employees();
    assert_int_equal(json_array_size(before), sim_employee_count());
    assert_int_equal(json_array_size(before), SIM_EMPLOYEES);

    /* With data in place: change the remote, stop a FULL sync half way. */
    {
        static const char mutation[] = "{\"update\":[1001,1002,1100],\"delete\":[1005]}";
        char url[256], fbody[] = "{\"type\":\"FULL\"}";
        struct hresp r;
        snprintf(url, sizeof(url), "%s/personio/__sim/mutate", sim.base_url);
        assert_int_equal(harness_http("POST", url, NULL, mutation, strlen(mutation), &r), 0);
        assert_int_equal(r.status, 200);
        hresp_free(&r);
        assert_int_equal(call(&srv, key, "POST", "/v1/force-sync", NULL, fbody, &r), 200);
        hresp_free(&r);
    }
    wait_mid_sync(run_id, sizeof(run_id), run_id);
    assert_int_equal(terminate(w, 8000), 0);
    expect_released(run_id);
    after = all_employees();
    assert_true(json_equal(before, after)); /* the old data, whole */
    json_decref(after);

    w = start_worker();
    wait_state(run_id, "SUCCEEDED", 30000);
    assert_int_equal(terminate(w, 8000), 0);
    after = all_employees();
    assert_int_equal(json_array_size(after), sim_employee_count());
    assert_int_equal(json_array_size(after), SIM_EMPLOYEES - 1);
    assert_false(json_equal(before, after));
    json_decref(after);
    json_decref(before);
}

static void sigterm_lets_a_slow_request_finish(void **state)
{
    const char *slow_args[] = {"--employees", "5", "--latency-ms", "1500", NULL};
    char body[512], dir[300], gs_conf[400];
    const char *extra[] = {"--config", gs_conf, "--no-worker", NULL};
    struct hresp r;
    int pipefd[2], fd, partial;
    long status = 0;
    long long t0;
    pid_t child;
    FILE *f;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/gs", tmp);
    assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
    /* Slow clients are allowed a minute here: shutdown must not wait for them. */
    snprintf(gs_conf, sizeof(gs_conf), "%s/gs.conf", dir);
    f = fopen(gs_conf, "w");
    fprintf(f, "http.request_timeout = 60\nshutdown.grace = 10\n"
               "sync.full_interval = 0\nsync.delta_interval = 0\n");
    fclose(f);
    assert_int_equal(harness_start_hrsim(&slow_sim, dir, slow_args), 0);
    assert_int_equal(harness_start_hrbridge(&gs, dir, db, extra), 0);
    integ[0] = '\0';
    snprintf(body, sizeof(body),
             "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Slow\"},"
             "\"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"},"
             "\"base_url\":\"%s/personio\"}",
             slow_sim.base_url);
    assert_int_equal(call(&gs, key, "POST", "/v1/integrations", NULL, body, &r), 201);
    snprintf(integ, sizeof(integ), "%s", json_string_value(json_object_get(data(&r), "id")));
    hresp_free(&r);

    /* A passthrough call that takes 1.5 s at the remote, made by a child. */
    assert_int_equal(pipe(pipefd), 0);
    child = fork();
    if (child == 0) {
        long st = -1;
        close(pipefd[0]);
        if (call(
                &gs, key, "POST", "/v1/passthrough/personio/personnel", NULL,
                "{\"method\":\"GET\",\"path\":\"/company/employees\",\"params\":{\"limit\":\"1\"}}",
                &r) >= 0)
            st = r.status;
        if (write(pipefd[1], &st, sizeof(st)) != (ssize_t)sizeof(st))
            _exit(1);
        _exit(0);
    }
    close(pipefd[1]);
    /* A client that has sent half a request: it is not in flight. */
    partial = connect_to(&gs);
    assert_true(partial >= 0);
    assert_int_equal(send(partial, "GET /v1/check-api-key HTTP/1.1\r\n", 32, MSG_NOSIGNAL), 32);
    sleep_ms(500); /* the request is in the handler, waiting for the remote */
    t0 = now_ms();
    kill(gs.pid, SIGTERM);
    sleep_ms(200);
    /* No new connections once shutdown began. */
    fd = connect_to(&gs);
    if (fd >= 0) {
        close(fd);
        fail_msg("a new connection was accepted during shutdown");
    }
    assert_int_equal(read(pipefd[0], &status, sizeof(status)), (long)sizeof(status));
    close(pipefd[0]);
    waitpid(child, NULL, 0);
    assert_int_equal(status, 200); /* the request in flight finished */
    {
        int st = 0;
        for (int waited = 0; waited < 5000 && waitpid(gs.pid, &st, WNOHANG) != gs.pid; waited += 10)
            sleep_ms(10);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
        gs.pid = 0;
    }
    /* Stopped once the request in flight was answered (~1 s after SIGTERM),
     * not after the grace period nor the half-sent request's time-out. */
    assert_true(now_ms() - t0 < 4000);
    close(partial);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(caps_answer_in_the_envelope),
        cmocka_unit_test(rate_limit_per_key),
        cmocka_unit_test(slow_clients_are_dropped),
        cmocka_unit_test(sigterm_releases_a_running_sync),
        cmocka_unit_test(sigterm_lets_a_slow_request_finish),
    };
    return cmocka_run_group_tests_name("limits", tests, group_setup, group_teardown);
}
