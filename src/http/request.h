/*
 * request — one HTTP request as handlers see it: method, the path split into
 * percent-decoded segments, the decoded query parameters, headers, the body,
 * and what authentication established (environment, integration). Owned by
 * the server for the life of the request; everything a handler allocates
 * for it is freed by the server when the response is done.
 */
#ifndef HB_HTTP_REQUEST_H
#define HB_HTTP_REQUEST_H

#include "core/buf.h"
#include "core/err.h"
#include "core/ids.h"
#include "store/store.h"

#include <jansson.h>
#include <stddef.h>

#define REQ_MAX_SEGMENTS 16
#define REQ_MAX_QUERY    64   /* query parameters, when limits.max_query is 0 */
#define REQ_MAX_URI      8192 /* URL bytes, when limits.max_uri is 0 */
#define REQ_MAX_FILTER   250  /* values in a list filter, when limits.max_filter_values is 0 */
#define REQ_MAX_PARAMS   4

struct app;
struct MHD_Connection;
struct ratelimit;

struct req_query {
    char *key;   /* decoded, owned */
    char *value; /* decoded, owned */
};

/* Caps from the configuration (http.max_url_length, http.max_query_params,
 * http.max_filter_values); 0 means the REQ_MAX_* default. */
struct req_limits {
    size_t max_uri;
    int max_query;
    int max_filter_values;
};

struct req {
    const struct app *app;
    struct MHD_Connection *conn;
    char request_id[IDS_LEN + 1];
    char method[16];
    char *raw_uri;                    /* as received, owned */
    char *path;                       /* raw path part of raw_uri, owned */
    char *segments[REQ_MAX_SEGMENTS]; /* decoded, owned */
    int nsegments;
    struct req_limits limits;
    struct ratelimit *ratelimit; /* requests per API key; NULL: none (borrowed) */
    struct req_query *query;     /* grown up to limits.max_query, owned */
    int nquery;
    int query_cap;
    const char *params[REQ_MAX_PARAMS]; /* route parameters: borrowed from segments */
    int nparams;
    struct buf body;
    int body_too_large;
    /* Set by authentication. */
    char environment_id[IDS_LEN + 1];
    struct store_integration integration; /* when the route needs X-Integration-Id */
    int has_integration;
};

/* Splits and percent-decodes r->raw_uri into path segments and query
 * parameters, within r->limits. Returns ERR_OK, or ERR_INVALID /
 * ERR_TOO_LARGE with e saying what was wrong (bad escape, NUL byte, URL too
 * long, too many segments or parameters, a parameter given twice). */
int req_parse_uri(struct req *r, struct err *e);

/* The effective caps of r (its limits, with 0 replaced by the defaults). */
size_t req_max_uri(const struct req *r);
int req_max_filter_values(const struct req *r);

/* Decodes n bytes of percent-encoded s ('+' as space when plus_space) into a
 * new NUL-terminated string. Returns ERR_OK and *out, or ERR_INVALID for a
 * malformed escape or an encoded NUL byte. */
int req_pct_decode(const char *s, size_t n, int plus_space, char **out);

/* Length of the well-formed UTF-8 sequence at s (n > 0 bytes left), or 0
 * when the bytes there are not one (stray continuation byte, overlong form,
 * surrogate, beyond U+10FFFF, or cut short). */
size_t req_utf8_seq_len(const unsigned char *s, size_t n);

/* Whether the NUL-terminated s is well-formed UTF-8. Everything that reaches
 * the store as text must be: PostgreSQL refuses anything else. */
int req_utf8_valid(const char *s);

/* Value of query parameter key, or NULL. Borrowed for the request. */
const char *req_query_get(const struct req *r, const char *key);

/* Value of a request header (case-insensitive), or NULL. Borrowed. */
const char *req_header(const struct req *r, const char *name);

/* How many times header name (case-insensitive) was sent. */
int req_header_count(const struct req *r, const char *name);

/* Parses the body as a JSON object. An empty body counts as {} when
 * empty_ok is set. Returns ERR_OK and a new reference in *out, or
 * ERR_INVALID with e saying what is wrong. */
int req_json_object(const struct req *r, int empty_ok, json_t **out, struct err *e);

/* Frees everything the request owns (not r itself). */
void req_free(struct req *r);

#endif
