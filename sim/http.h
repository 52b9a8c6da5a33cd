/*
 * http — the request and response of one simulated vendor call, as the vendor
 * modules see them: query parameters, headers and the body in; status,
 * headers and a body (built whole, or streamed record by record) out.
 * server.c fills a request from libmicrohttpd and turns the response into an
 * MHD response; vendor code never touches MHD directly.
 */
#ifndef HB_SIM_HTTP_H
#define HB_SIM_HTTP_H

#include "sbuf.h"

#include <stddef.h>

#define HTTP_MAX_BODY    (1024 * 1024) /* request body cap; more gets 413 */
#define HTTP_MAX_HEADERS 12

struct MHD_Connection;

struct http_req {
    struct MHD_Connection *conn;
    const char *method;
    const char *path; /* below the tool prefix, e.g. "/v1/company/employees" */
    const char *body; /* NUL-terminated; "" when there is none */
    size_t body_len;
};

/* Produces a streamed body piece by piece: appends the next piece to out and
 * returns 1 while more will follow, 0 once the last piece was appended. */
typedef int http_fill_fn(void *ctx, struct sbuf *out);

struct http_resp {
    int status;
    const char *content_type; /* static string; NULL = no Content-Type */
    struct sbuf body;
    int n_headers;
    char header_name[HTTP_MAX_HEADERS][48];
    char header_value[HTTP_MAX_HEADERS][160];
    http_fill_fn *fill; /* when set, the body is streamed after `body` */
    void (*fill_free)(void *ctx);
    void *fill_ctx;
};

/* Initialises an empty 200 response. */
void http_resp_init(struct http_resp *r);

/* Releases the body and the stream context. */
void http_resp_free(struct http_resp *r);

/* Adds a response header (silently ignored beyond HTTP_MAX_HEADERS). */
void http_add_header(struct http_resp *r, const char *name, const char *value);

/* Sets a JSON answer: status, content type, and body text copied. */
void http_json(struct http_resp *r, int status, const char *json);

/* Makes the body streamed: fill(ctx) is called until it returns 0, and
 * fill_free(ctx) at the end. Takes ownership of ctx. */
void http_stream_take(struct http_resp *r, http_fill_fn *fill, void (*fill_free)(void *),
                      void *ctx);

/* Value of query parameter key (percent-decoded; the first when repeated), or
 * NULL. Borrowed, valid during the request. */
const char *http_query(const struct http_req *q, const char *key);

/* Calls fn(cls, value) for every query parameter named key, in order; stops
 * and returns the first non-zero fn result. */
int http_query_each(const struct http_req *q, const char *key,
                    int (*fn)(void *cls, const char *value), void *cls);

/* Request header value (case-insensitive name), or NULL. Borrowed. */
const char *http_header(const struct http_req *q, const char *name);

/* Decodes "Authorization: Basic ..." into user and password (NUL-terminated,
 * truncated to their sizes). Returns SIM_OK or SIM_ERR_UNAUTHORIZED. */
int http_basic_auth(const struct http_req *q, char *user, size_t ulen, char *pass, size_t plen);

/* Parses a decimal integer parameter within [min, max]. Returns SIM_OK and
 * *out, or SIM_ERR_INVALID (also for trailing garbage). */
int http_parse_int(const char *s, long long min, long long max, long long *out);

/* Finds key in an application/x-www-form-urlencoded body (or query string)
 * and writes its percent-decoded value to out (truncated). Returns SIM_OK or
 * SIM_ERR_NOT_FOUND. */
int http_form_value(const char *body, size_t len, const char *key, char *out, size_t outlen);

/* 1 when s is "true"/"1"/"yes" (case-insensitive), 0 for "false"/"0"/"no",
 * dflt for NULL or anything else. */
int http_parse_bool(const char *s, int dflt);

#endif
