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

/* What one attempt saw, beyond the body. */
struct attempt {
    struct buf *body;
    struct buf headers;
    int too_large;
    char retry_after[64];
    char *authorization;
    char *content_type;
};

/* A GET sent ahead (fetch_prefetch). The thread that drives the transfers
 * owns everything but `next` until `done` is set under the client's lock;
 * then the entry belongs to whoever unlinks it. */
struct ahead {
    struct ahead *next;
    char *url;
    struct curl_slist *hl;
    CURL *easy;
    struct attempt a;
    struct buf body;
    int added; /* given to the multi handle */
    int done;
    CURLcode cc;
    long status;
    int64_t t0;
};

struct fetch_client {
    struct fetch_opts o;
    CURL *curl;
    /* Requests sent ahead, driven by a thread of their own (o.connections > 1). */
    CURLM *multi;
    pthread_t thread;
    int thread_on;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct ahead *ahead; /* oldest first */
    int nahead;
    int stop;
    int throttled; /* the remote throttled a request sent ahead: none are sent any more */
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
    if (c->o.connections < 1)
        c->o.connections = 1;
    if (c->o.connections > FETCH_MAX_CONNECTIONS)
        c->o.connections = FETCH_MAX_CONNECTIONS;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    c->curl = curl_easy_init();
    if (!c->curl) {
        fetch_client_destroy(c);
        return ERR_INTERNAL;
    }
    if (c->o.connections > 1) {
        c->multi = curl_multi_init();
        if (!c->multi) {
            fetch_client_destroy(c);
            return ERR_INTERNAL;
        }
    }
    *out = c;
    return ERR_OK;
}

/* Frees a header list whose lines may hold credentials. */
static void free_headers(struct curl_slist *hl)
{
    for (struct curl_slist *l = hl; l; l = l->next)
        sodium_memzero(l->data, strlen(l->data));
    curl_slist_free_all(hl);
}

static void attempt_free(struct attempt *a)
{
    if (a->body)
        buf_free(a->body);
    buf_free(&a->headers);
    if (a->authorization)
        sodium_memzero(a->authorization, strlen(a->authorization));
    free(a->authorization);
    free(a->content_type);
    a->authorization = a->content_type = NULL;
}

static void ahead_free(struct ahead *h)
{
    curl_easy_cleanup(h->easy);
    free_headers(h->hl);
    attempt_free(&h->a);
    free(h->url);
    free(h);
}

void fetch_client_destroy(struct fetch_client *c)
{
    if (!c)
        return;
    if (c->thread_on) {
        pthread_mutex_lock(&c->mu);
        c->stop = 1;
        pthread_mutex_unlock(&c->mu);
        curl_multi_wakeup(c->multi);
        pthread_join(c->thread, NULL);
    }
    /* Requests sent ahead that nobody asked for are dropped unread. */
    while (c->ahead) {
        struct ahead *h = c->ahead;
        c->ahead = h->next;
        if (h->added && !h->done)
            curl_multi_remove_handle(c->multi, h->easy);
        ahead_free(h);
    }
    if (c->multi)
        curl_multi_cleanup(c->multi);
    if (c->curl)
        curl_easy_cleanup(c->curl);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
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

/* Sets up handle h for one attempt of method url with headers hl, into a. */
static void setup_easy(CURL *h, const struct fetch_opts *o, const char *method, const char *url,
                       struct curl_slist *hl, struct attempt *a)
{
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
}

static struct curl_slist *header_list(const struct fetch_req *req)
{
    struct curl_slist *hl = NULL;

    for (int i = 0; i < FETCH_MAX_HEADERS && req->headers[i]; i++)
        hl = curl_slist_append(hl, req->headers[i]);
    return curl_slist_append(hl, "Expect:");
}

/* What an attempt came to: ERR_OK, or the error (in e) and why, for the log. */
static int classify(const struct fetch_opts *o, const struct fetch_req *req, const char *where,
                    const struct attempt *a, CURLcode cc, long status, int attempt,
                    const char **why, struct err *e)
{
    if (a->too_large) {
        *why = "too large";
        return err_set(e, ERR_TOO_LARGE, "%s %s: response larger than %zu bytes", req->method,
                       where, o->max_body);
    }
    if (cc != CURLE_OK) {
        *why = curl_easy_strerror(cc);
        return err_set(e, ERR_REMOTE, "%s %s: %s", req->method, where, curl_easy_strerror(cc));
    }
    if (status == 429 || (o->throttle_status && status == o->throttle_status)) {
        *why = "throttled";
        return err_set(e, ERR_REMOTE_RATE_LIMIT,
                       "%s %s: still rate limited (%ld) after %d attempts", req->method, where,
                       status, attempt);
    }
    if (status >= 500) {
        *why = "server error";
        return err_set(e, ERR_REMOTE, "%s %s: remote answered %ld after %d attempts", req->method,
                       where, status, attempt);
    }
    *why = "response";
    return ERR_OK;
}

static void log_attempt(const struct fetch_opts *o, const struct fetch_req *req, const char *where,
                        int rc, const char *why, long status, int attempt, int64_t t0)
{
    log_at(rc == ERR_OK ? LOG_DEBUG : LOG_WARN, "fetch",
           "msg=\"%s\" integration=%s method=%s url=\"%s\" status=%ld attempt=%d ms=%lld", why,
           o->integration ? o->integration : "-", req->method, where, status, attempt,
           (long long)(isotime_mono_ms() - t0));
}

/* Hands what attempt a received to the caller. */
static void deliver(struct attempt *a, struct buf *body, long status, int attempt,
                    struct fetch_resp *out)
{
    memset(out, 0, sizeof(*out));
    out->status = status;
    out->body = *body;
    out->authorization = a->authorization;
    out->content_type = a->content_type;
    out->headers = a->headers;
    out->attempts = attempt;
}

/* ---- requests sent ahead ----------------------------------------------------- */

/* The thread that drives the requests sent ahead: adds new ones to the
 * multi handle, runs the transfers and marks finished ones done. */
static void *ahead_main(void *arg)
{
    struct fetch_client *c = arg;
    /* The foreground handle keeps a connection of its own. */
    int most = c->o.connections - 1, active = 0, running = 0;

    pthread_mutex_lock(&c->mu);
    while (!c->stop) {
        struct ahead *fresh[FETCH_MAX_CONNECTIONS];
        int nfresh = 0, nended = 0;
        CURLMsg *m;
        int left;

        for (struct ahead *h = c->ahead; h && active + nfresh < most; h = h->next) {
            if (!h->added) {
                h->added = 1;
                fresh[nfresh++] = h;
            }
        }
        pthread_mutex_unlock(&c->mu);
        for (int i = 0; i < nfresh; i++)
            curl_multi_add_handle(c->multi, fresh[i]->easy);
        active += nfresh;
        curl_multi_perform(c->multi, &running);
        while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
            struct ahead *h = NULL;
            if (m->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&h);
            h->cc = m->data.result;
            if (h->cc == CURLE_OK)
                curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &h->status);
            curl_multi_remove_handle(c->multi, h->easy);
            active--;
            nended++;
            pthread_mutex_lock(&c->mu);
            h->done = 1;
            pthread_cond_broadcast(&c->cv);
            pthread_mutex_unlock(&c->mu);
        }
        /* After one ended there may be room for one waiting: look first. */
        if (nended == 0)
            curl_multi_poll(c->multi, NULL, 0, 1000, NULL);
        pthread_mutex_lock(&c->mu);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

int fetch_prefetch(struct fetch_client *c, const struct fetch_req *req)
{
    struct ahead *h, **tail;
    int rc = ERR_OK;

    if (!c || !c->multi || strcmp(req->method, "GET") != 0 || req->body)
        return ERR_OK; /* sent when asked for */
    if (strncmp(req->url, "http://", 7) != 0 && strncmp(req->url, "https://", 8) != 0)
        return ERR_INVALID;
    pthread_mutex_lock(&c->mu);
    if (c->throttled)
        goto out;
    if (c->nahead >= FETCH_MAX_AHEAD) {
        rc = ERR_TOO_LARGE;
        goto out;
    }
    h = xcalloc(1, sizeof(*h));
    h->url = xstrdup(req->url);
    h->hl = header_list(req);
    h->easy = curl_easy_init();
    if (!h->easy) {
        ahead_free(h);
        rc = ERR_INTERNAL;
        goto out;
    }
    buf_init(&h->body, c->o.max_body);
    buf_init(&h->a.headers, 64 * 1024);
    h->a.body = &h->body;
    setup_easy(h->easy, &c->o, "GET", h->url, h->hl, &h->a);
    curl_easy_setopt(h->easy, CURLOPT_PRIVATE, (char *)h);
    h->t0 = isotime_mono_ms();
    for (tail = &c->ahead; *tail; tail = &(*tail)->next)
        ;
    *tail = h;
    c->nahead++;
    if (!c->thread_on) {
        if (pthread_create(&c->thread, NULL, ahead_main, c) != 0) {
            *tail = NULL;
            c->nahead--;
            ahead_free(h);
            rc = ERR_INTERNAL;
            goto out;
        }
        c->thread_on = 1;
    }
out:
    pthread_mutex_unlock(&c->mu);
    if (rc == ERR_OK && c->thread_on)
        curl_multi_wakeup(c->multi);
    return rc;
}

/* The response to req if it was sent ahead: waits for it, then ERR_OK and
 * *out for a 2xx, or ERR_TOO_LARGE. ERR_NOT_FOUND when it was not sent
 * ahead or came back otherwise: then the caller sends it itself, with its
 * own headers (a newer token) and retries. */
static int take_ahead(struct fetch_client *c, const struct fetch_req *req, const char *where,
                      struct fetch_resp *out, struct err *e)
{
    struct ahead *h = NULL, **pp;
    const char *why = NULL;
    struct err local;
    int rc;

    if (!c->multi || strcmp(req->method, "GET") != 0)
        return ERR_NOT_FOUND;
    pthread_mutex_lock(&c->mu);
    for (pp = &c->ahead; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->url, req->url) == 0)
            break;
    }
    if (*pp) {
        h = *pp;
        while (!h->done)
            pthread_cond_wait(&c->cv, &c->mu);
        /* The list may have changed while waiting: unlink h wherever it is. */
        for (pp = &c->ahead; *pp != h; pp = &(*pp)->next)
            ;
        *pp = h->next;
        c->nahead--;
    }
    pthread_mutex_unlock(&c->mu);
    if (!h)
        return ERR_NOT_FOUND;
    err_init(&local);
    rc = classify(&c->o, req, where, &h->a, h->cc, h->status, 1, &why, &local);
    if (rc == ERR_REMOTE_RATE_LIMIT) {
        pthread_mutex_lock(&c->mu);
        c->throttled = 1;
        pthread_mutex_unlock(&c->mu);
    }
    if (rc == ERR_OK && (h->status < 200 || h->status > 299)) {
        rc = ERR_REMOTE;
        why = "not a 2xx";
    }
    log_at(rc == ERR_OK ? LOG_DEBUG : LOG_INFO, "fetch",
           "msg=\"%s%s\" integration=%s method=GET url=\"%s\" status=%ld ahead=1 ms=%lld", why,
           rc == ERR_OK || rc == ERR_TOO_LARGE ? "" : ", sending it again",
           c->o.integration ? c->o.integration : "-", where, h->status,
           (long long)(isotime_mono_ms() - h->t0));
    if (rc == ERR_OK) {
        deliver(&h->a, &h->body, h->status, 1, out);
        memset(&h->a, 0, sizeof(h->a)); /* now out's */
        memset(&h->body, 0, sizeof(h->body));
    } else if (rc == ERR_TOO_LARGE) {
        err_set(e, rc, "%s", local.msg);
    } else {
        rc = ERR_NOT_FOUND;
    }
    ahead_free(h);
    return rc;
}

/* ---- requests ------------------------------------------------------------------ */

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
    rc = take_ahead(c, req, where, out, e);
    if (rc != ERR_NOT_FOUND)
        return rc;
    hl = header_list(req);

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
        setup_easy(c->curl, o, req->method, req->url, hl, &a);
        if (req->body) {
            curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, req->body);
            curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        }
        cc = curl_easy_perform(c->curl);
        if (cc == CURLE_OK)
            curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
        rc = classify(o, req, where, &a, cc, status, attempt, &why, e);
        if (rc == ERR_REMOTE_RATE_LIMIT)
            wait_ms = fetch_retry_after_ms(a.retry_after, (long)time(NULL));
        log_attempt(o, req, where, rc, why, status, attempt, t0);

        if (rc == ERR_OK) {
            deliver(&a, &body, status, attempt, out);
            break;
        }
        attempt_free(&a);
        if (rc == ERR_TOO_LARGE || attempt == o->max_attempts)
            break;
        if (wait_ms < 0)
            wait_ms = fetch_backoff_ms(o, attempt, random_unit());
        if (wait_ms > o->max_backoff_ms)
            wait_ms = o->max_backoff_ms;
        do_sleep(o, (int)wait_ms);
    }
    free_headers(hl);
    return rc;
}
