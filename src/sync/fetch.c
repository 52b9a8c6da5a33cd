/* fetch — bounded, retried HTTP for connectors, over libcurl. */
#include "sync/fetch.h"

#include "core/alloc.h"
#include "core/failpoint.h"
#include "core/isotime.h"
#include "core/log.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct fetch_client {
    struct fetch_opts o;
    CURL *curl;
};

/* What one attempt saw, beyond the body. */
struct attempt {
    struct buf *body;
    struct buf headers;
    int too_large;
    char retry_after[64];
    char *authorization;
    char *content_type;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int fetch_client_new(const struct fetch_opts *opts, struct fetch_client **out)
{
    struct fetch_client *c;

    pthread_once(&curl_once, curl_init_once);
    c = xcalloc(1, sizeof(*c));
    if (opts)
        c->o = *opts;
    if (!c->o.timeout_ms)
        c->o.timeout_ms = 30000;
    if (!c->o.connect_timeout_ms)
        c->o.connect_timeout_ms = 5000;
    if (!c->o.max_body)
        c->o.max_body = (size_t)64 << 20;
    if (!c->o.max_attempts)
        c->o.max_attempts = 6;
    if (!c->o.backoff_ms)
        c->o.backoff_ms = 500;
    if (!c->o.max_backoff_ms)
        c->o.max_backoff_ms = 30000;
    c->curl = curl_easy_init();
    if (!c->curl) {
        free(c);
        return ERR_INTERNAL;
    }
    *out = c;
    return ERR_OK;
}

void fetch_client_destroy(struct fetch_client *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    free(c);
}

void fetch_resp_free(struct fetch_resp *r)
{
    if (!r)
        return;
    buf_free(&r->body);
    buf_free(&r->headers);
    if (r->authorization)
        sodium_memzero(r->authorization, strlen(r->authorization));
    free(r->authorization);
    free(r->content_type);
    memset(r, 0, sizeof(*r));
}

long fetch_retry_after_ms(const char *value, long now_s)
{
    char *end = NULL;
    long s;
    struct tm tm;

    if (!value || !*value)
        return -1;
    while (*value == ' ')
        value++;
    if (*value >= '0' && *value <= '9') {
        s = strtol(value, &end, 10);
        while (end && *end == ' ')
            end++;
        if (!end || *end != '\0' || s < 0 || s > 86400)
            return -1;
        return s * 1000;
    }
    memset(&tm, 0, sizeof(tm));
    end = strptime(value, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end != '\0')
        return -1;
    s = (long)timegm(&tm) - now_s;
    return s < 0 ? 0 : s > 86400 ? 86400000L : s * 1000;
}

int fetch_backoff_ms(const struct fetch_opts *o, int n, double r)
{
    double cap = o->max_backoff_ms > 0 ? o->max_backoff_ms : 30000;
    double d = o->backoff_ms > 0 ? o->backoff_ms : 500;

    for (int i = 1; i < n && d < cap; i++)
        d *= 2;
    if (d > cap)
        d = cap;
    return (int)(d / 2 + r * d / 2);
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct attempt *a = ud;
    size_t n = size * nmemb;

    if (buf_append(a->body, ptr, n) != ERR_OK) {
        a->too_large = 1;
        return 0; /* aborts the transfer */
    }
    return n;
}

/* Copies the value of header line "Name: value\r\n" when it is name. */
static char *header_value(const char *line, size_t len, const char *name)
{
    size_t nlen = strlen(name);
    const char *v;

    if (len <= nlen || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
        return NULL;
    v = line + nlen + 1;
    while (v < line + len && *v == ' ')
        v++;
    len -= (size_t)(v - line);
    while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
        len--;
    return xstrndup(v, len);
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct attempt *a = ud;
    size_t n = size * nmemb;
    char *v;

    /* Keep header lines (not the status line); extra ones past the cap are dropped. */
    if (n > 2 && memchr(ptr, ':', n) && strncmp(ptr, "HTTP/", 5) != 0)
        buf_append(&a->headers, ptr, n);
    v = header_value(ptr, n, "Retry-After");
    if (v) {
        snprintf(a->retry_after, sizeof(a->retry_after), "%s", v);
        free(v);
    }
    v = header_value(ptr, n, "Authorization");
    if (v) {
        free(a->authorization);
        a->authorization = v;
    }
    v = header_value(ptr, n, "Content-Type");
    if (v) {
        free(a->content_type);
        a->content_type = v;
    }
    return n;
}

/* Host and path of url, without the query (which may hold secrets). */
static void loggable_url(const char *url, char *out, size_t outlen)
{
    size_t n = strcspn(url, "?#");

    snprintf(out, outlen, "%.*s", (int)(n > 200 ? 200 : n), url);
}

static void do_sleep(const struct fetch_opts *o, int ms)
{
    struct timespec ts;

    if (o->sleep_fn) {
        o->sleep_fn(ms, o->sleep_ud);
        return;
    }
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static double random_unit(void)
{
    return (double)randombytes_uniform(1000001) / 1000000.0;
}

int fetch_do(struct fetch_client *c, const struct fetch_req *req, struct fetch_resp *out,
             struct err *e)
{
    const struct fetch_opts *o = &c->o;
    struct curl_slist *hl = NULL;
    char where[256];
    int attempt, rc = ERR_REMOTE;

    if (strncmp(req->url, "http://", 7) != 0 && strncmp(req->url, "https://", 8) != 0)
        return err_set(e, ERR_INVALID, "remote URL must be http or https");
    loggable_url(req->url, where, sizeof(where));
    if (FAILPOINT("fetch.page"))
        return err_set(e, ERR_REMOTE, "%s %s: failpoint fetch.page", req->method, where);
    for (int i = 0; i < FETCH_MAX_HEADERS && req->headers[i]; i++)
        hl = curl_slist_append(hl, req->headers[i]);
    hl = curl_slist_append(hl, "Expect:");

    for (attempt = 1; attempt <= o->max_attempts; attempt++) {
        struct attempt a;
        struct buf body;
        long status = 0;
        long wait_ms = -1;
        int64_t t0 = isotime_mono_ms();
        CURLcode cc;
        const char *why = NULL;

        memset(&a, 0, sizeof(a));
        buf_init(&body, o->max_body);
        buf_init(&a.headers, 64 * 1024);
        a.body = &body;
        curl_easy_reset(c->curl);
        curl_easy_setopt(c->curl, CURLOPT_URL, req->url);
        curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, req->method);
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &a);
        curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, &a);
        curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, o->timeout_ms);
        curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
        curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c->curl, CURLOPT_ACCEPT_ENCODING, "");
        if (req->body) {
            curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, req->body);
            curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        }
        cc = curl_easy_perform(c->curl);
        if (cc == CURLE_OK)
            curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);

        if (a.too_large) {
            rc = err_set(e, ERR_TOO_LARGE, "%s %s: response larger than %zu bytes", req->method,
                         where, o->max_body);
            why = "too large";
        } else if (cc != CURLE_OK) {
            rc = err_set(e, ERR_REMOTE, "%s %s: %s", req->method, where, curl_easy_strerror(cc));
            why = curl_easy_strerror(cc);
        } else if (status == 429 || (o->throttle_status && status == o->throttle_status)) {
            rc = err_set(e, ERR_REMOTE_RATE_LIMIT,
                         "%s %s: still rate limited (%ld) after %d "
                         "attempts",
                         req->method, where, status, attempt);
            wait_ms = fetch_retry_after_ms(a.retry_after, (long)time(NULL));
            why = "throttled";
        } else if (status >= 500) {
            rc = err_set(e, ERR_REMOTE, "%s %s: remote answered %ld after %d attempts", req->method,
                         where, status, attempt);
            why = "server error";
        } else {
            rc = ERR_OK;
        }
        log_at(rc == ERR_OK ? LOG_DEBUG : LOG_WARN, "fetch",
               "msg=\"%s\" integration=%s method=%s url=\"%s\" status=%ld attempt=%d ms=%lld",
               rc == ERR_OK ? "response" : why, o->integration ? o->integration : "-", req->method,
               where, status, attempt, (long long)(isotime_mono_ms() - t0));

        if (rc == ERR_OK) {
            memset(out, 0, sizeof(*out));
            out->status = status;
            out->body = body;
            out->authorization = a.authorization;
            out->content_type = a.content_type;
            out->headers = a.headers;
            out->attempts = attempt;
            break;
        }
        buf_free(&body);
        buf_free(&a.headers);
        if (a.authorization)
            sodium_memzero(a.authorization, strlen(a.authorization));
        free(a.authorization);
        free(a.content_type);
        if (rc == ERR_TOO_LARGE || attempt == o->max_attempts)
            break;
        if (wait_ms < 0)
            wait_ms = fetch_backoff_ms(o, attempt, random_unit());
        if (wait_ms > o->max_backoff_ms)
            wait_ms = o->max_backoff_ms;
        do_sleep(o, (int)wait_ms);
    }
    curl_slist_free_all(hl);
    return rc;
}
