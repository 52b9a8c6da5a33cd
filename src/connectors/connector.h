/*
 * connector — the interface every remote HR system implements. A connector
 * knows its vendor's API and this interface, nothing else: it authenticates,
 * pages through the vendor's data with the HTTP client it is given, and
 * hands each record to the sink as it goes (raw fields, mapped unified
 * fields, links to other records by remote id). Nothing holds a whole data
 * set in memory. Only sync/ calls connectors.
 */
#ifndef HB_CONNECTORS_CONNECTOR_H
#define HB_CONNECTORS_CONNECTOR_H

#include "core/buf.h"
#include "core/err.h"
#include "model/models.h"
#include "sync/fetch.h"

#include <jansson.h>
#include <stdint.h>

#define CONN_MAX_LINKS     16
#define CONN_REMOTE_ID_MAX 128

/* A reference from one record to another by the other's remote id. attr is
 * the unified field it fills ("manager_id") or, for many-valued links, the
 * attribute name ("group_id"). */
struct conn_link {
    const char *attr;
    enum model target;
    char remote_id[CONN_REMOTE_ID_MAX];
};

/* One record. Everything is borrowed for the duration of the callback. */
struct conn_record {
    enum model model;
    const char *remote_id;
    json_t *unified; /* unified field -> value; absent keys are served as null */
    json_t *raw;     /* the remote's own field -> value, unwrapped where the vendor wraps */
    struct conn_link links[CONN_MAX_LINKS];
    int nlinks;
};

/* A field the remote's metadata or records revealed. */
struct conn_field {
    enum model model;
    const char *key;
    const char *label; /* may be NULL */
    int custom;        /* created by the vendor's customer */
};

/* Where a connector delivers. A non-zero return stops the connector, which
 * then returns that code. */
struct conn_sink {
    int (*field)(void *ud, const struct conn_field *f);
    int (*record)(void *ud, const struct conn_record *r);
    /* The remote says this record was deleted (a change feed's tombstone,
     * in DELTA syncs; FULL syncs find deletions by absence). */
    int (*deleted)(void *ud, enum model model, const char *remote_id);
    int (*page_done)(void *ud); /* a page is complete: a good moment to write */
    void *ud;
    /* Optional (NULL: every response is mapped), through conn_response_known
     * and conn_response_mapped: lets a FULL sync skip the responses whose
     * records it holds already. known sets *is_known when what a response
     * (the request key and its bytes) maps to is stored: its bytes, and
     * everything else that shapes its records, hash as in the last FULL
     * sync. The connector then does not map it and carries on from *memo,
     * what it left with the response then (may be NULL; valid until the
     * next call). Otherwise the connector maps the response and then calls
     * mapped with what it would need to carry on without mapping it next
     * time (NULL: nothing). Both return ERR_OK or stop the connector. */
    int (*known)(void *ud, const char *key, const struct buf *body, int *is_known,
                 const char **memo);
    int (*mapped)(void *ud, const char *memo);
    /* Data that shapes how later responses map (a table a connector built
     * from an earlier one), so it is part of their hashes. */
    void (*context)(void *ud, const void *data, size_t len);
};

/* Whether the sink holds what a response maps to (sink->known; *is_known 0
 * when the sink cannot tell), *memo as for sink->known. */
int conn_response_known(const struct conn_sink *sink, const char *key, const struct buf *body,
                        int *is_known, const char **memo);

/* After mapping a response conn_response_known answered 0 for. */
int conn_response_mapped(const struct conn_sink *sink, const char *memo);

/* Reports data that shapes how later responses map (sink->context). */
void conn_response_context(const struct conn_sink *sink, const void *data, size_t len);

struct conn_ctx {
    const char *integration_id;
    const char *base_url;      /* no trailing slash */
    const json_t *credentials; /* borrowed, secret: never log */
    struct fetch_client *http;
    int64_t since_ms; /* DELTA: changes since then; 0 for FULL */
    char token[1024]; /* a session token, if the vendor issues one (secret) */
    int auth_failed;  /* set when the remote refused the credentials */
    struct err *err;
};

/* An API of the vendor that POST /v1/passthrough/{tool}/{api} may reach. */
struct conn_api {
    const char *name;      /* "personnel" */
    const char *base_path; /* appended to the integration's base URL ("/v1") */
};

struct connector {
    const char *tool;
    unsigned models;    /* bit (1u << enum model) per model it provides */
    int supports_delta; /* can fetch only what changed since a time */
    /* Exchanges credentials for a session where the vendor needs one.
     * ERR_UNAUTHORIZED (ctx->auth_failed set) when they are refused. */
    int (*authenticate)(struct conn_ctx *ctx);
    /* Delivers the fields and records of every model it provides. */
    int (*fetch)(struct conn_ctx *ctx, const struct conn_sink *sink);
    /* Passthrough: the APIs it exposes (ending with a NULL name; NULL: none),
     * and, after authenticate, the "Name: value" header that authenticates a
     * request to them (a secret: never log it). */
    const struct conn_api *apis;
    int (*auth_header)(struct conn_ctx *ctx, char *out, size_t outlen);
};

/* Appends s percent-encoded (libcurl: all but letters, digits and -._~)
 * for a query value or one path segment; a segment "." or ".." has its dots
 * encoded too, so a remote's id can never move a request's path. */
int conn_escape(struct buf *b, const char *s);

/* The connector of a tool, or NULL. */
const struct connector *connector_find(const char *tool);

extern const struct connector connector_personio;
extern const struct connector connector_bamboohr;
extern const struct connector connector_hibob;
extern const struct connector connector_factorial;

#endif
