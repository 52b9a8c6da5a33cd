/*
 * Unit tests for sync/fetch.c against a scripted in-process HTTP server:
 * each request consumes the next scripted answer (status, Retry-After, body,
 * truncation, delay), so retries, backoff and limits are observable.
 */
#include "sync/fetch.h"

#include <microhttpd.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

struct answer {
    int status;
    const char *retry_after;
    const char *body;
    int truncate; /* declare more bytes than are sent, then drop the connection */
    int delay_ms;
    size_t big; /* send this many bytes of 'x' instead of body */
};

static struct answer script[16];
static int nscript, served;
static struct MHD_Daemon *daemon_;
static int port;
static int waits[16], nwaits;
static char seen_auth[128];

/* Requests to /ahead/<status>/<n> are answered by their path alone (status,
 * and the path as the body), whatever order they come in; hits counts them. */
#define AHEAD_N 200
static int hits[AHEAD_N];
static char ahead_auth[AHEAD_N][64];
static pthread_mutex_t hits_mu = PTHREAD_MUTEX_INITIALIZER;

static enum MHD_Result answer_by_path(struct MHD_Connection *conn, const char *url)
{
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    struct MHD_Response *r;
    enum MHD_Result ret;
    int status = 0, n = 0;

    if (sscanf(url, "/ahead/%d/%d", &status, &n) != 2 || n < 0 || n >= AHEAD_N)
        status = 400, n = 0;
    pthread_mutex_lock(&hits_mu);
    hits[n]++;
    snprintf(ahead_auth[n], sizeof(ahead_auth[n]), "%s", auth ? auth : "");
    pthread_mutex_unlock(&hits_mu);
    r = MHD_create_response_from_buffer(strlen(url), (void *)url, MHD_RESPMEM_MUST_COPY);
    ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static int hits_of(int n)
{
    int h;

    pthread_mutex_lock(&hits_mu);
    h = hits[n];
    pthread_mutex_unlock(&hits_mu);
    return h;
}

static ssize_t truncated_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    if (pos > 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (max > 5)
        max = 5;
    memcpy(buf, "{\"a\":", max);
    return (ssize_t)max;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    struct answer a = {200, NULL, "{}", 0, 0, 0};
    struct MHD_Response *r;
    const char *auth;
    enum MHD_Result ret;
    char *big = NULL;

    (void)cls, (void)url, (void)method, (void)version, (void)upload;
    if (!*con_cls) {
        *con_cls = conn;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (strncmp(url, "/ahead/", 7) == 0)
        return answer_by_path(conn, url);
    auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    snprintf(seen_auth, sizeof(seen_auth), "%s", auth ? auth : "");
    if (served < nscript)
        a = script[served];
    served++;
    if (a.delay_ms)
        usleep((useconds_t)a.delay_ms * 1000);
    if (a.truncate) {
        r = MHD_create_response_from_callback(100, 64, truncated_reader, NULL, NULL);
    } else if (a.big) {
        big = malloc(a.big);
        memset(big, 'x', a.big);
        r = MHD_create_response_from_buffer(a.big, big, MHD_RESPMEM_MUST_FREE);
    } else {
        r = MHD_create_response_from_buffer(strlen(a.body), (void *)a.body, MHD_RESPMEM_PERSISTENT);
    }
    if (a.retry_after)
        MHD_add_response_header(r, "Retry-After", a.retry_after);
    MHD_add_response_header(r, "Authorization", "Bearer rotated-token");
    ret = MHD_queue_response(conn, (unsigned)a.status, r);
    MHD_destroy_response(r);
    return ret;
}

static void record_wait(int ms, void *ud)
{
    (void)ud;
    if (nwaits < 16)
        waits[nwaits++] = ms;
}

static int start(void **state)
{
    const union MHD_DaemonInfo *info;

    (void)state;
    daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                               NULL, NULL, handler, NULL, MHD_OPTION_END);
    if (!daemon_)
        return -1;
    info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    port = info->port;
    return 0;
}

static int stop(void **state)
{
    (void)state;
    MHD_stop_daemon(daemon_);
    return 0;
}

static void reset(const struct answer *a, int n)
{
    memcpy(script, a, sizeof(*a) * (size_t)n);
    nscript = n;
    served = 0;
    nwaits = 0;
}

static int get(struct fetch_opts *o, struct fetch_resp *out, struct err *e)
{
    struct fetch_client *c = NULL;
    struct fetch_req req = {"GET", NULL, {"Authorization: Bearer t0", NULL}, NULL, 0};
    char url[64];
    int rc;

    o->sleep_fn = record_wait;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/x?secret=1", port);
    req.url = url;
    assert_int_equal(fetch_client_new(o, &c), ERR_OK);
    err_init(e);
    rc = fetch_do(c, &req, out, e);
    fetch_client_destroy(c);
    return rc;
}

static void retries_5xx_then_succeeds(void **state)
{
    struct answer a[] = {{503, NULL, "busy", 0, 0, 0},
                         {500, NULL, "oops", 0, 0, 0},
                         {200, NULL, "{\"ok\":true}", 0, 0, 0}};
    struct fetch_opts o = {.backoff_ms = 100};
    struct fetch_resp r;
    struct err e;

    (void)state;
    reset(a, 3);
    assert_int_equal(get(&o, &r, &e), ERR_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_str(&r.body), "{\"ok\":true}");
    assert_int_equal(r.attempts, 3);
    assert_string_equal(r.authorization, "Bearer rotated-token");
    assert_string_equal(seen_auth, "Bearer t0");
    assert_int_equal(nwaits, 2);
    assert_in_range(waits[0], 50, 100);  /* first backoff: half to full of 100 ms */
    assert_in_range(waits[1], 100, 200); /* then doubled */
    fetch_resp_free(&r);
}

static void honours_retry_after_on_429(void **state)
{
    struct answer a[] = {{429, "2", "{}", 0, 0, 0}, {200, NULL, "{}", 0, 0, 0}};
    struct fetch_opts o = {.backoff_ms = 100};
    struct fetch_resp r;
    struct err e;

    (void)state;
    reset(a, 2);
    assert_int_equal(get(&o, &r, &e), ERR_OK);
    assert_int_equal(nwaits, 1);
    assert_int_equal(waits[0], 2000);
    fetch_resp_free(&r);
}

static void throttle_status_and_exhaustion(void **state)
{
    struct answer a[] = {{503, "1", "", 0, 0, 0}, {503, "1", "", 0, 0, 0}, {503, "1", "", 0, 0, 0}};
    struct fetch_opts o = {.max_attempts = 3, .throttle_status = 503};
    struct fetch_resp r;
    struct err e;

    (void)state;
    reset(a, 3);
    assert_int_equal(get(&o, &r, &e), ERR_REMOTE_RATE_LIMIT);
    assert_int_equal(served, 3);
    assert_int_equal(nwaits, 2);
    assert_int_equal(waits[0], 1000);
    assert_null(strstr(e.msg, "secret")); /* query strings never reach messages */
}

static void client_errors_are_returned_not_retried(void **state)
{
    struct answer a[] = {{401, NULL, "{\"error\":\"no\"}", 0, 0, 0}};
    struct fetch_opts o = {0};
    struct fetch_resp r;
    struct err e;

    (void)state;
    reset(a, 1);
    assert_int_equal(get(&o, &r, &e), ERR_OK);
    assert_int_equal(r.status, 401);
    assert_int_equal(served, 1);
    fetch_resp_free(&r);
}

static void truncated_bodies_are_retried(void **state)
{
    struct answer a[] = {{200, NULL, NULL, 1, 0, 0}, {200, NULL, "{\"a\":1}", 0, 0, 0}};
    struct fetch_opts o = {0};
    struct fetch_resp r;
    struct err e;

    (void)state;
    reset(a, 2);
    assert_int_equal(get(&o, &r, &e), ERR_OK);
    assert_string_equal(buf_str(&r.body), "{\"a\":1}");
    assert_int_equal(r.attempts, 2);
    fetch_resp_free(&r);
}

static void slow_responses_time_out(void **state)
{
    struct answer a[] = {{200, NULL, "{}", 0, 600, 0}, {200, NULL, "{}", 0, 600, 0}};
    struct fetch_opts o = {.timeout_ms = 200, .max_attempts = 2};
    struct fetch_resp r;
    struct err e;

    (void)state;
    reset(a, 2);
    assert_int_equal(get(&o, &r, &e), ERR_REMOTE);
    assert_non_null(strstr(e.msg, "Timeout"));
}

static void oversized_bodies_fail_at_once(void **state)
{
    struct answer a[] = {{200, NULL, NULL, 0, 0, 100000}};
    struct fetch_opts o = {.max_body = 1000};
    struct fetch_resp r;
    struct err e;

    (void)state;
    reset(a, 1);
    assert_int_equal(get(&o, &r, &e), ERR_TOO_LARGE);
    assert_int_equal(served, 1);
}

static void refused_connections_fail_after_retries(void **state)
{
    struct fetch_opts o = {.max_attempts = 2, .sleep_fn = record_wait};
    struct fetch_req req = {"GET", "http://127.0.0.1:1/x", {NULL}, NULL, 0};
    struct fetch_client *c = NULL;
    struct fetch_resp r;
    struct err e;

    (void)state;
    nwaits = 0;
    assert_int_equal(fetch_client_new(&o, &c), ERR_OK);
    assert_int_equal(fetch_do(c, &req, &r, &e), ERR_REMOTE);
    assert_int_equal(nwaits, 1);
    req.url = "file:///etc/passwd";
    assert_int_equal(fetch_do(c, &req, &r, &e), ERR_INVALID);
    fetch_client_destroy(c);
}

/* ---- requests sent ahead ------------------------------------------------------ */

static void ahead_url(char *url, size_t len, int status, int n)
{
    snprintf(url, len, "http://127.0.0.1:%d/ahead/%d/%d", port, status, n);
}

static struct fetch_client *ahead_client(int connections)
{
    struct fetch_opts o = {.connections = connections, .max_attempts = 2, .backoff_ms = 1};
    struct fetch_client *c = NULL;

    o.sleep_fn = record_wait;
    pthread_mutex_lock(&hits_mu);
    memset(hits, 0, sizeof(hits));
    pthread_mutex_unlock(&hits_mu);
    assert_int_equal(fetch_client_new(&o, &c), ERR_OK);
    return c;
}

static void requests_sent_ahead_are_taken_not_sent_again(void **state)
{
    struct fetch_client *c = ahead_client(4);
    struct fetch_req req = {"GET", NULL, {"Accept: application/json", NULL}, NULL, 0};
    char url[128], path[64];
    struct err e;

    (void)state;
    req.url = url;
    for (int i = 0; i < 50; i++) {
        ahead_url(url, sizeof(url), 200, i);
        assert_int_equal(fetch_prefetch(c, &req), ERR_OK);
    }
    for (int i = 0; i < 50; i++) {
        struct fetch_resp r;
        ahead_url(url, sizeof(url), 200, i);
        err_init(&e);
        assert_int_equal(fetch_do(c, &req, &r, &e), ERR_OK);
        assert_int_equal(r.status, 200);
        snprintf(path, sizeof(path), "/ahead/200/%d", i);
        assert_string_equal(buf_str(&r.body), path);
        fetch_resp_free(&r);
        assert_int_equal(hits_of(i), 1);
    }
    fetch_client_destroy(c);
}

static void other_answers_are_sent_again_with_the_callers_headers(void **state)
{
    struct fetch_client *c = ahead_client(4);
    struct fetch_req old = {"GET", NULL, {"Authorization: Bearer old", NULL}, NULL, 0};
    struct fetch_req now = {"GET", NULL, {"Authorization: Bearer new", NULL}, NULL, 0};
    char gone[128], broken[128];
    struct fetch_resp r;
    struct err e;

    (void)state;
    ahead_url(gone, sizeof(gone), 404, 1);
    ahead_url(broken, sizeof(broken), 500, 2);
    old.url = now.url = gone;
    assert_int_equal(fetch_prefetch(c, &old), ERR_OK);
    old.url = broken;
    assert_int_equal(fetch_prefetch(c, &old), ERR_OK);

    /* A 404 sent ahead (perhaps with a token that has since changed) is asked again. */
    err_init(&e);
    assert_int_equal(fetch_do(c, &now, &r, &e), ERR_OK);
    assert_int_equal(r.status, 404);
    fetch_resp_free(&r);
    assert_int_equal(hits_of(1), 2);
    assert_string_equal(ahead_auth[1], "Bearer new");
    /* A 5xx sent ahead gets the usual retries on top. */
    now.url = broken;
    err_init(&e);
    assert_int_equal(fetch_do(c, &now, &r, &e), ERR_REMOTE);
    assert_int_equal(hits_of(2), 3);
    fetch_client_destroy(c);
}

static void a_throttled_answer_stops_sending_ahead(void **state)
{
    struct fetch_client *c = ahead_client(4);
    struct fetch_req req = {"GET", NULL, {NULL}, NULL, 0};
    char url[128];
    struct fetch_resp r;
    struct err e;

    (void)state;
    req.url = url;
    ahead_url(url, sizeof(url), 429, 3);
    assert_int_equal(fetch_prefetch(c, &req), ERR_OK);
    err_init(&e);
    assert_int_equal(fetch_do(c, &req, &r, &e), ERR_REMOTE_RATE_LIMIT);
    ahead_url(url, sizeof(url), 200, 4);
    assert_int_equal(fetch_prefetch(c, &req), ERR_OK);
    usleep(200 * 1000);
    assert_int_equal(hits_of(4), 0); /* nothing went out */
    err_init(&e);
    assert_int_equal(fetch_do(c, &req, &r, &e), ERR_OK);
    assert_int_equal(hits_of(4), 1);
    fetch_resp_free(&r);
    fetch_client_destroy(c);
}

static void sending_ahead_is_bounded_and_dropped_unread(void **state)
{
    struct fetch_client *c = ahead_client(3);
    struct fetch_req req = {"GET", NULL, {NULL}, NULL, 0};
    struct fetch_req post = {"POST", NULL, {NULL}, "{}", 2};
    char url[128];

    (void)state;
    req.url = post.url = url;
    for (int i = 0; i < FETCH_MAX_AHEAD; i++) {
        ahead_url(url, sizeof(url), 200, i % AHEAD_N);
        assert_int_equal(fetch_prefetch(c, &req), ERR_OK);
    }
    assert_int_equal(fetch_prefetch(c, &req), ERR_TOO_LARGE);
    assert_int_equal(fetch_prefetch(c, &post), ERR_OK); /* only GETs go ahead */
    req.url = "file:///etc/passwd";
    assert_int_equal(fetch_prefetch(c, &req), ERR_INVALID);
    fetch_client_destroy(c); /* with requests in flight and answers unread */

    /* One connection: nothing is sent before it is asked for. */
    c = ahead_client(1);
    req.url = url;
    ahead_url(url, sizeof(url), 200, 7);
    assert_int_equal(fetch_prefetch(c, &req), ERR_OK);
    usleep(200 * 1000);
    assert_int_equal(hits_of(7), 0);
    fetch_client_destroy(c);
}

static void retry_after_parsing(void **state)
{
    (void)state;
    assert_int_equal(fetch_retry_after_ms("3", 0), 3000);
    assert_int_equal(fetch_retry_after_ms(" 0 ", 0), 0);
    assert_int_equal(fetch_retry_after_ms("", 0), -1);
    assert_int_equal(fetch_retry_after_ms("soon", 0), -1);
    assert_int_equal(fetch_retry_after_ms("-5", 0), -1);
    assert_int_equal(fetch_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470), 10000);
    assert_int_equal(fetch_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490), 0);
}

static void backoff_is_capped(void **state)
{
    struct fetch_opts o = {.backoff_ms = 1000, .max_backoff_ms = 5000};

    (void)state;
    assert_int_equal(fetch_backoff_ms(&o, 1, 1.0), 1000);
    assert_int_equal(fetch_backoff_ms(&o, 1, 0.0), 500);
    assert_int_equal(fetch_backoff_ms(&o, 3, 1.0), 4000);
    assert_int_equal(fetch_backoff_ms(&o, 10, 1.0), 5000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(retries_5xx_then_succeeds),
        cmocka_unit_test(honours_retry_after_on_429),
        cmocka_unit_test(throttle_status_and_exhaustion),
        cmocka_unit_test(client_errors_are_returned_not_retried),
        cmocka_unit_test(truncated_bodies_are_retried),
        cmocka_unit_test(slow_responses_time_out),
        cmocka_unit_test(oversized_bodies_fail_at_once),
        cmocka_unit_test(refused_connections_fail_after_retries),
        cmocka_unit_test(requests_sent_ahead_are_taken_not_sent_again),
        cmocka_unit_test(other_answers_are_sent_again_with_the_callers_headers),
        cmocka_unit_test(a_throttled_answer_stops_sending_ahead),
        cmocka_unit_test(sending_ahead_is_bounded_and_dropped_unread),
        cmocka_unit_test(retry_after_parsing),
        cmocka_unit_test(backoff_is_capped),
    };
    return cmocka_run_group_tests_name("sync/fetch", tests, start, stop);
}
