/*
 * response — building what the server sends: the success envelope
 * {"status":"success","data":…} and the error envelope
 * {"status":"error","error":{"code","title","message","log_url"}} with all
 * four keys always present. The one table mapping error kinds to HTTP
 * statuses, Kombo error codes and titles lives in response.c.
 */
#ifndef HB_HTTP_RESPONSE_H
#define HB_HTTP_RESPONSE_H

#include "core/buf.h"
#include "core/err.h"

#include <jansson.h>

/* Error kinds a handler may answer with. The route's family decides which
 * codes are allowed: GENERAL routes only PLATFORM.*, HRIS routes also
 * INTEGRATION.* and REMOTE.* (see the OpenAPI ErrorResponse* schemas). */
enum http_error {
    HE_AUTHENTICATION_INVALID, /* 401 PLATFORM.AUTHENTICATION_INVALID */
    HE_INPUT_INVALID,          /* 400 PLATFORM.INPUT_INVALID */
    HE_BODY_TOO_LARGE,         /* 413 PLATFORM.INPUT_INVALID */
    HE_URI_TOO_LONG,           /* 414 PLATFORM.INPUT_INVALID */
    HE_HEADERS_TOO_LARGE,      /* 431 PLATFORM.INPUT_INVALID */
    HE_ROUTE_NOT_FOUND,        /* 404 PLATFORM.INPUT_INVALID */
    HE_METHOD_NOT_ALLOWED,     /* 405 PLATFORM.INPUT_INVALID */
    HE_NOT_FOUND,              /* 404 PLATFORM.INPUT_INVALID: another object is missing */
    HE_CONFLICT,               /* 409 PLATFORM.INPUT_INVALID */
    HE_INTEGRATION_NOT_FOUND,  /* 404 PLATFORM.INTEGRATION_NOT_FOUND */
    HE_RATE_LIMIT,             /* 429 PLATFORM.RATE_LIMIT_EXCEEDED */
    HE_UNKNOWN,                /* 500 PLATFORM.UNKNOWN_ERROR */
    HE_INTEGRATION_INACTIVE,   /* 403 INTEGRATION.INACTIVE (HRIS) */
    HE_MODEL_NOT_AVAILABLE,    /* 404 INTEGRATION.MODEL_NOT_AVAILABLE (HRIS) */
    HE_MODEL_DISABLED,         /* 403 INTEGRATION.MODEL_DISABLED (HRIS) */
    HE_REMOTE_UNAVAILABLE,     /* 503 REMOTE.SERVICE_UNAVAILABLE (HRIS) */
    HE_REMOTE_FAILED,          /* 502 PLATFORM.UNKNOWN_ERROR: a remote could not be used */
    HE_COUNT
};

enum http_family { FAMILY_GENERAL, FAMILY_HRIS };

struct resp {
    int status;
    struct buf body;
    const char *error_code;   /* static; NULL on success (for the access log) */
    char allow[64];           /* Allow header for 405 */
    int close;                /* close the connection after this answer */
    const char *content_type; /* static; NULL means JSON */
    int family;               /* enum http_family of the route */
    int retry_after;          /* seconds for a Retry-After header (429); 0: none */
};

/* Initialises an empty 200 response. */
void resp_init(struct resp *rs);

/* Frees the body. */
void resp_free(struct resp *rs);

/* Sets a success envelope around data. Takes ownership of data (a jansson
 * reference). status is usually 200 or 201. */
void resp_success_take(struct resp *rs, int status, json_t *data);

/* Starts a success envelope whose data the caller appends to the buffer
 * returned (then any further top-level keys, each after a comma), and
 * closes with resp_success_end(): a large page is written once, where it
 * is sent from. */
struct buf *resp_success_begin(struct resp *rs, int status);
void resp_success_end(struct resp *rs);

/* Sets a success envelope around already-serialised JSON text. */
void resp_success_raw(struct resp *rs, int status, const char *json, size_t len);

/* Sets the error envelope for kind with a printf-style message. A kind
 * outside the route family's list becomes PLATFORM.UNKNOWN_ERROR. */
void resp_error(struct resp *rs, enum http_error kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets a whole JSON document as the body (for envelopes with extra
 * top-level keys). Takes ownership of doc. */
void resp_json_take(struct resp *rs, int status, json_t *doc);

/* Sets a non-JSON body (e.g. an image) with its static content type. */
void resp_raw(struct resp *rs, int status, const char *content_type, const char *body, size_t len);

/* Maps a status code and detail from lower layers onto an error envelope:
 * ERR_INVALID -> INPUT_INVALID, ERR_TOO_LARGE -> 413, ERR_NOT_FOUND ->
 * HE_NOT_FOUND, ERR_CONFLICT -> 409, anything else -> 500 (whose message
 * never carries internal detail). */
void resp_from_err(struct resp *rs, int rc, const struct err *e);

/* The HTTP status and Kombo code of kind (for tests and logs). */
int resp_error_status(enum http_error kind);
const char *resp_error_code(enum http_error kind);

#endif
