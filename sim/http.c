/*
 * http — request accessors and response building for vendor modules.
 */
#include "http.h"

#include "simerr.h"

#include <errno.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void http_resp_init(struct http_resp *r)
{
    memset(r, 0, sizeof(*r));
    r->status = 200;
    sbuf_init(&r->body);
}

void http_resp_free(struct http_resp *r)
{
    if (!r)
        return;
    sbuf_free(&r->body);
    if (r->fill_free && r->fill_ctx)
        r->fill_free(r->fill_ctx);
    r->fill = NULL;
    r->fill_free = NULL;
    r->fill_ctx = NULL;
}

void http_add_header(struct http_resp *r, const char *name, const char *value)
{
    if (r->n_headers >= HTTP_MAX_HEADERS)
        return;
    snprintf(r->header_name[r->n_headers], sizeof(r->header_name[0]), "%s", name);
    snprintf(r->header_value[r->n_headers], sizeof(r->header_value[0]), "%s", value);
    r->n_headers++;
}

void http_json(struct http_resp *r, int status, const char *json)
{
    r->status = status;
    r->content_type = "application/json";
    sbuf_reset(&r->body);
    sbuf_adds(&r->body, json);
}

void http_stream_take(struct http_resp *r, http_fill_fn *fill, void (*fill_free)(void *), void *ctx)
{
    if (r->fill_free && r->fill_ctx)
        r->fill_free(r->fill_ctx);
    r->fill = fill;
    r->fill_free = fill_free;
    r->fill_ctx = ctx;
}

const char *http_query(const struct http_req *q, const char *key)
{
    if (!q->conn)
        return NULL;
    return MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, key);
}

struct each_ctx {
    const char *key;
    int (*fn)(void *cls, const char *value);
    void *cls;
    int rc;
};

static enum MHD_Result each_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    struct each_ctx *e = cls;

    (void)kind;
    if (!key || strcmp(key, e->key) != 0)
        return MHD_YES;
    e->rc = e->fn(e->cls, value ? value : "");
    return e->rc ? MHD_NO : MHD_YES;
}

int http_query_each(const struct http_req *q, const char *key,
                    int (*fn)(void *cls, const char *value), void *cls)
{
    struct each_ctx e = {key, fn, cls, 0};

    if (!q->conn)
        return 0;
    MHD_get_connection_values(q->conn, MHD_GET_ARGUMENT_KIND, each_cb, &e);
    return e.rc;
}

const char *http_header(const struct http_req *q, const char *name)
{
    if (!q->conn)
        return NULL;
    return MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, name);
}

int http_basic_auth(const struct http_req *q, char *user, size_t ulen, char *pass, size_t plen)
{
    const char *h = http_header(q, "Authorization");
    unsigned char dec[512];
    size_t n = 0;
    const char *colon;

    if (!h || strncasecmp(h, "Basic ", 6) != 0)
        return SIM_ERR_UNAUTHORIZED;
    h += 6;
    while (*h == ' ')
        h++;
    if (strlen(h) > 600 || sodium_base642bin(dec, sizeof(dec) - 1, h, strlen(h), " ", &n, NULL,
                                             sodium_base64_VARIANT_ORIGINAL) != 0)
        return SIM_ERR_UNAUTHORIZED;
    dec[n] = '\0';
    colon = memchr(dec, ':', n);
    if (!colon || memchr(dec, '\0', n))
        return SIM_ERR_UNAUTHORIZED;
    snprintf(user, ulen, "%.*s", (int)(colon - (const char *)dec), (const char *)dec);
    snprintf(pass, plen, "%s", colon + 1);
    return SIM_OK;
}

int http_parse_int(const char *s, long long min, long long max, long long *out)
{
    char *end = NULL;
    long long v;

    if (!s || !*s)
        return SIM_ERR_INVALID;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return SIM_ERR_INVALID;
    *out = v;
    return SIM_OK;
}

int http_parse_bool(const char *s, int dflt)
{
    if (!s)
        return dflt;
    if (!strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "yes"))
        return 1;
    if (!strcasecmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "no"))
        return 0;
    return dflt;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int http_form_value(const char *body, size_t len, const char *key, char *out, size_t outlen)
{
    size_t klen = strlen(key);
    size_t i = 0;

    while (i < len) {
        size_t end = i;

        while (end < len && body[end] != '&')
            end++;
        if (end - i > klen && !strncmp(body + i, key, klen) && body[i + klen] == '=') {
            size_t o = 0;

            for (size_t j = i + klen + 1; j < end && o + 1 < outlen; j++) {
                char c = body[j];

                if (c == '+') {
                    c = ' ';
                } else if (c == '%' && j + 2 < end && hexval(body[j + 1]) >= 0 &&
                           hexval(body[j + 2]) >= 0) {
                    c = (char)(hexval(body[j + 1]) * 16 + hexval(body[j + 2]));
                    j += 2;
                }
                out[o++] = c;
            }
            if (outlen)
                out[o] = '\0';
            return SIM_OK;
        }
        i = end + 1;
    }
    return SIM_ERR_NOT_FOUND;
}
