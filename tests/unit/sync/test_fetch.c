/*
 * Unit tests for sync/fetch.c against a scripted in-process HTTP server:
 * each request consumes the next scripted answer (status, Retry-After, body,
 * truncation, delay), so retries, backoff and limits are observable.
 */
#include "sync/fetch.h"

#include <microhttpd.h>
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
        cmocka_unit_test(retry_after_parsing),
        cmocka_unit_test(backoff_is_capped),
    };
    return cmocka_run_group_tests_name("sync/fetch", tests, start, stop);
}
