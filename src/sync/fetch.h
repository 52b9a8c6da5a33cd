/*
 * fetch — HTTP to remote HR systems over libcurl, for connectors. One
 * struct fetch_client per sync run keeps its connections alive between
 * requests. Every request is bounded (response size, time) and retried with
 * exponential backoff and jitter on connection errors, time-outs, truncated
 * bodies and 5xx; a 429 (or another status the caller names) waits for
 * Retry-After when the remote sends one. Every attempt is logged with method,
 * host and path, status and duration: never headers, query strings or bodies,
 * which may hold credentials or HR data.
 *
 * Requests a connector knows it will make next (the next page, one request
 * per record of this page) can be sent ahead with fetch_prefetch: a thread of
 * the client's own runs up to `connections - 1` of them at once while the
 * caller works, and fetch_do of the same GET then takes the response.
 */
#ifndef HB_SYNC_FETCH_H
#define HB_SYNC_FETCH_H

#include "core/buf.h"
#include "core/err.h"

#include <stddef.h>

#define FETCH_MAX_HEADERS     16
#define FETCH_MAX_CONNECTIONS 16  /* connections to the remote at once */
#define FETCH_MAX_AHEAD       128 /* requests sent ahead and not yet taken */

struct fetch_opts {
    long timeout_ms;         /* whole request, default 30000 */
    long connect_timeout_ms; /* default 5000 */
    size_t max_body;         /* response bytes, default 64 MiB */
    int max_attempts;        /* default 6 */
    int backoff_ms;          /* first backoff, default 500 (doubles, with jitter) */
    int max_backoff_ms;      /* cap for one wait, default 30000 */
    int throttle_status;     /* another status treated like 429 (BambooHR's 503), 0: none */
    /* Sleeps ms; NULL means a real sleep. Lets tests run without waiting. */
    void (*sleep_fn)(int ms, void *ud);
    void *sleep_ud;
    const char *integration; /* for log lines; may be NULL */
    int connections;         /* at most this many at once (default 1: nothing sent ahead) */
};

struct fetch_req {
    const char *method; /* "GET", "POST" */
    const char *url;
    const char *headers[FETCH_MAX_HEADERS]; /* "Name: value", NULL-terminated */
    const char *body;                       /* may be NULL */
    size_t body_len;
};

struct fetch_resp {
    long status;
    struct buf body;     /* bounded by opts.max_body */
    char *authorization; /* the Authorization response header, if any (owned) */
    char *content_type;  /* owned, may be NULL */
    struct buf headers;  /* the raw "Name: value\r\n" lines of the response (64 KiB at most) */
    int attempts;
};

struct fetch_client;

/* Creates a client; opts fields left 0 take their defaults. Returns ERR_OK
 * and *out, or ERR_INTERNAL. */
int fetch_client_new(const struct fetch_opts *opts, struct fetch_client **out);

/* Frees the client and closes its connections. Accepts NULL. */
void fetch_client_destroy(struct fetch_client *c);

/* Performs req with retries. On ERR_OK, *out holds the final response (any
 * status the retries did not absorb, e.g. 200, 401, 404); free it with
 * fetch_resp_free. Otherwise *out is untouched and e says why:
 * ERR_REMOTE_RATE_LIMIT (still throttled after every attempt), ERR_REMOTE
 * (connection errors, time-outs, truncated bodies or 5xx after every
 * attempt), ERR_TOO_LARGE (response over max_body), ERR_INVALID (bad URL). */
int fetch_do(struct fetch_client *c, const struct fetch_req *req, struct fetch_resp *out,
             struct err *e);

/* Sends GET req ahead, to be taken by a later fetch_do of the same URL
 * (other methods, clients of one connection and a NULL c send nothing ahead). A
 * response other than 2xx is not kept: fetch_do then sends the request again
 * itself, with its own headers and retries. After a throttled answer nothing
 * more is sent ahead. The headers are copied. Returns ERR_OK (also when
 * nothing was sent), ERR_TOO_LARGE with FETCH_MAX_AHEAD requests waiting to
 * be taken (a hint the caller may drop), ERR_INVALID (bad URL) or
 * ERR_INTERNAL. Requests never taken are dropped by fetch_client_destroy. */
int fetch_prefetch(struct fetch_client *c, const struct fetch_req *req);

/* Frees what fetch_do filled. Safe on a zeroed struct. */
void fetch_resp_free(struct fetch_resp *r);

/* Parses a Retry-After value in seconds ("3") or as an HTTP date; returns
 * milliseconds to wait, or -1 when absent or malformed. */
long fetch_retry_after_ms(const char *value, long now_s);

/* The wait before attempt n (1-based retry count) with full jitter:
 * uniform in [base*2^(n-1)/2, base*2^(n-1)], capped. r is a random 0..1. */
int fetch_backoff_ms(const struct fetch_opts *o, int n, double r);

#endif
