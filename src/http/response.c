/* response — success and error envelopes, and the error table. */
#include "http/response.h"

#include "core/alloc.h"
#include "http/request.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct error_def {
    int status;
    const char *code;
    const char *title;
};

/* The one table from error kinds to what the client sees. */
static const struct error_def errors[HE_COUNT] = {
    [HE_AUTHENTICATION_INVALID] = {401, "PLATFORM.AUTHENTICATION_INVALID",
                                   "The API key is missing or invalid."},
    [HE_INPUT_INVALID] = {400, "PLATFORM.INPUT_INVALID", "The request is invalid."},
    [HE_BODY_TOO_LARGE] = {413, "PLATFORM.INPUT_INVALID", "The request body is too large."},
    [HE_URI_TOO_LONG] = {414, "PLATFORM.INPUT_INVALID", "The request URL is too long."},
    [HE_HEADERS_TOO_LARGE] = {431, "PLATFORM.INPUT_INVALID", "The request headers are too large."},
    [HE_ROUTE_NOT_FOUND] = {404, "PLATFORM.INPUT_INVALID", "This endpoint does not exist."},
    [HE_METHOD_NOT_ALLOWED] = {405, "PLATFORM.INPUT_INVALID",
                               "This method is not allowed on this endpoint."},
    [HE_NOT_FOUND] = {404, "PLATFORM.INPUT_INVALID", "The requested object does not exist."},
    [HE_CONFLICT] = {409, "PLATFORM.INPUT_INVALID", "The object already exists."},
    [HE_INTEGRATION_NOT_FOUND] = {404, "PLATFORM.INTEGRATION_NOT_FOUND",
                                  "The integration does not exist."},
    [HE_RATE_LIMIT] = {429, "PLATFORM.RATE_LIMIT_EXCEEDED", "Too many requests."},
    [HE_UNKNOWN] = {500, "PLATFORM.UNKNOWN_ERROR", "An unexpected error occurred."},
    [HE_INTEGRATION_INACTIVE] = {403, "INTEGRATION.INACTIVE", "The integration is inactive."},
    [HE_MODEL_NOT_AVAILABLE] = {404, "INTEGRATION.MODEL_NOT_AVAILABLE",
                                "This data model isn't supported for the selected integration."},
    [HE_MODEL_DISABLED] = {403, "INTEGRATION.MODEL_DISABLED",
                           "This data model is disabled in the scope config."},
    [HE_REMOTE_UNAVAILABLE] = {503, "REMOTE.SERVICE_UNAVAILABLE",
                               "The remote system is unavailable."},
    [HE_REMOTE_FAILED] = {502, "PLATFORM.UNKNOWN_ERROR", "The remote system could not be used."},
};

void resp_init(struct resp *rs)
{
    memset(rs, 0, sizeof(*rs));
    rs->status = 200;
    buf_init(&rs->body, 0);
}

void resp_free(struct resp *rs)
{
    buf_free(&rs->body);
}

struct buf *resp_success_begin(struct resp *rs, int status)
{
    buf_reset(&rs->body);
    rs->status = status;
    rs->error_code = NULL;
    rs->content_type = NULL;
    buf_append_str(&rs->body, "{\"status\":\"success\",\"data\":");
    return &rs->body;
}

void resp_success_end(struct resp *rs)
{
    buf_append_char(&rs->body, '}');
}

void resp_success_raw(struct resp *rs, int status, const char *json, size_t len)
{
    buf_reset(&rs->body);
    rs->status = status;
    rs->error_code = NULL;
    rs->content_type = NULL;
    buf_append_str(&rs->body, "{\"status\":\"success\",\"data\":");
    buf_append(&rs->body, json, len);
    buf_append_char(&rs->body, '}');
}

void resp_raw(struct resp *rs, int status, const char *content_type, const char *body, size_t len)
{
    buf_reset(&rs->body);
    rs->status = status;
    rs->error_code = NULL;
    rs->content_type = content_type;
    buf_append(&rs->body, body, len);
}

void resp_json_take(struct resp *rs, int status, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);

    json_decref(doc);
    if (!text) {
        resp_error(rs, HE_UNKNOWN, "could not serialise the response");
        return;
    }
    buf_reset(&rs->body);
    rs->status = status;
    rs->error_code = NULL;
    rs->content_type = NULL;
    buf_append_str(&rs->body, text);
    free(text);
}

void resp_success_take(struct resp *rs, int status, json_t *data)
{
    char *text = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);

    json_decref(data);
    if (!text) {
        resp_error(rs, HE_UNKNOWN, "could not serialise the response");
        return;
    }
    resp_success_raw(rs, status, text, strlen(text));
    free(text);
}

/* Appends msg as a JSON string, each byte that is not part of well-formed
 * UTF-8 replaced by U+FFFD: messages quote client input (ids, parameter
 * values), and a cut "%.64s" may split a character, yet the body must stay
 * valid JSON. */
static void append_message(struct buf *b, const char *msg)
{
    const unsigned char *s = (const unsigned char *)msg;
    size_t n = strlen(msg), i = 0;
    struct buf clean;

    buf_init(&clean, 0);
    while (i < n) {
        size_t len = req_utf8_seq_len(s + i, n - i);
        if (len == 0) {
            buf_append_str(&clean, "\xef\xbf\xbd");
            i++;
        } else {
            buf_append(&clean, msg + i, len);
            i += len;
        }
    }
    buf_append_json_string(b, buf_str(&clean), clean.len);
    buf_free(&clean);
}

void resp_error(struct resp *rs, enum http_error kind, const char *fmt, ...)
{
    const struct error_def *d;
    char msg[512];
    va_list ap;

    if ((int)kind < 0 || kind >= HE_COUNT)
        kind = HE_UNKNOWN;
    d = &errors[kind];
    /* General endpoints may only answer PLATFORM.* codes. */
    if (rs->family == FAMILY_GENERAL && strncmp(d->code, "PLATFORM.", 9) != 0)
        d = &errors[HE_UNKNOWN];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    buf_reset(&rs->body);
    rs->status = d->status;
    rs->error_code = d->code;
    rs->content_type = NULL;
    buf_append_str(&rs->body, "{\"status\":\"error\",\"error\":{\"code\":");
    buf_append_json_string(&rs->body, d->code, strlen(d->code));
    buf_append_str(&rs->body, ",\"title\":");
    buf_append_json_string(&rs->body, d->title, strlen(d->title));
    buf_append_str(&rs->body, ",\"message\":");
    append_message(&rs->body, msg);
    buf_append_str(&rs->body, ",\"log_url\":null}}");
}

void resp_from_err(struct resp *rs, int rc, const struct err *e)
{
    const char *msg = e && e->msg[0] ? e->msg : NULL;

    switch (rc) {
    case ERR_INVALID:
        resp_error(rs, HE_INPUT_INVALID, "%s", msg ? msg : "the request is invalid");
        break;
    case ERR_TOO_LARGE:
        resp_error(rs, HE_BODY_TOO_LARGE, "%s", msg ? msg : "the request is too large");
        break;
    case ERR_NOT_FOUND:
        resp_error(rs, HE_NOT_FOUND, "%s", msg ? msg : "not found");
        break;
    case ERR_CONFLICT:
        resp_error(rs, HE_CONFLICT, "%s", msg ? msg : "the object already exists");
        break;
    case ERR_UNAUTHORIZED:
        resp_error(rs, HE_AUTHENTICATION_INVALID, "%s", msg ? msg : "invalid API key");
        break;
    default:
        /* Internal detail stays in the log, never in the response. */
        resp_error(rs, HE_UNKNOWN,
                   "an internal error occurred; the request id is in the "
                   "X-Request-Id response header");
        break;
    }
}

int resp_error_status(enum http_error kind)
{
    return errors[kind].status;
}

const char *resp_error_code(enum http_error kind)
{
    return errors[kind].code;
}
