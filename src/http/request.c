/* request — URI parsing, percent-decoding, headers and JSON bodies. */
#include "http/request.h"

#include "core/alloc.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

int req_pct_decode(const char *s, size_t n, int plus_space, char **out)
{
    char *d = xmalloc(n + 1);
    size_t i, j = 0;

    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int hi, lo;
            if (i + 2 >= n) {
                free(d);
                return ERR_INVALID;
            }
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                free(d);
                return ERR_INVALID;
            }
            d[j++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_space) {
            d[j++] = ' ';
        } else if (c == '\0') {
            free(d);
            return ERR_INVALID;
        } else {
            d[j++] = c;
        }
    }
    d[j] = '\0';
    *out = d;
    return ERR_OK;
}

size_t req_max_uri(const struct req *r)
{
    return r->limits.max_uri ? r->limits.max_uri : REQ_MAX_URI;
}

int req_max_filter_values(const struct req *r)
{
    return r->limits.max_filter_values > 0 ? r->limits.max_filter_values : REQ_MAX_FILTER;
}

size_t req_utf8_seq_len(const unsigned char *s, size_t n)
{
    size_t len;
    unsigned cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
        cp = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        cp = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

int req_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);

    for (size_t i = 0; i < n;) {
        size_t len = req_utf8_seq_len(p + i, n - i);
        if (len == 0)
            return 0;
        i += len;
    }
    return 1;
}

static int parse_query(struct req *r, const char *q, struct err *e)
{
    int max = r->limits.max_query > 0 ? r->limits.max_query : REQ_MAX_QUERY;

    while (*q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        size_t klen = eq ? (size_t)(eq - q) : len;
        char *key = NULL, *value = NULL;

        if (len > 0) {
            if (r->nquery >= max)
                return err_set(e, ERR_TOO_LARGE, "more than %d query parameters", max);
            if (req_pct_decode(q, klen, 1, &key) != ERR_OK)
                return err_set(e, ERR_INVALID, "malformed percent-encoding in a query parameter");
            if (req_pct_decode(eq ? eq + 1 : q + len, eq ? len - klen - 1 : 0, 1, &value) !=
                ERR_OK) {
                err_set(e, ERR_INVALID, "malformed percent-encoding in query parameter %.64s", key);
                free(key);
                return ERR_INVALID;
            }
            if (!req_utf8_valid(key) || !req_utf8_valid(value)) {
                err_set(e, ERR_INVALID, "query parameter %.64s is not valid UTF-8", key);
                free(key);
                free(value);
                return ERR_INVALID;
            }
            if (req_query_get(r, key)) {
                err_set(e, ERR_INVALID, "query parameter %.64s is given more than once", key);
                free(key);
                free(value);
                return ERR_INVALID;
            }
            if (r->nquery == r->query_cap) {
                r->query_cap = r->query_cap ? r->query_cap * 2 : 8;
                r->query = xrealloc(r->query, sizeof(*r->query) * (size_t)r->query_cap);
            }
            r->query[r->nquery].key = key;
            r->query[r->nquery].value = value;
            r->nquery++;
        }
        if (!amp)
            break;
        q = amp + 1;
    }
    return ERR_OK;
}

int req_parse_uri(struct req *r, struct err *e)
{
    const char *uri = r->raw_uri ? r->raw_uri : "/";
    const char *qmark, *p, *hash;
    size_t path_len;

    if (strlen(uri) > req_max_uri(r))
        return err_set(e, ERR_TOO_LARGE, "URL longer than %zu bytes", req_max_uri(r));
    hash = strchr(uri, '#');
    qmark = strchr(uri, '?');
    if (hash && (!qmark || hash < qmark))
        qmark = NULL;
    path_len = qmark ? (size_t)(qmark - uri) : hash ? (size_t)(hash - uri) : strlen(uri);
    r->path = xstrndup(uri, path_len);
    /* Split the raw path first, then decode each segment, so an encoded "/"
     * stays inside its segment. */
    p = r->path;
    while (*p == '/')
        p++;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        char *seg = NULL;

        if (r->nsegments >= REQ_MAX_SEGMENTS)
            return err_set(e, ERR_TOO_LARGE, "path has more than %d segments", REQ_MAX_SEGMENTS);
        if (req_pct_decode(p, len, 0, &seg) != ERR_OK)
            return err_set(e, ERR_INVALID, "malformed percent-encoding in the path");
        r->segments[r->nsegments++] = seg;
        if (!req_utf8_valid(seg))
            return err_set(e, ERR_INVALID, "the path is not valid UTF-8");
        if (!slash)
            break;
        p = slash + 1;
    }
    if (qmark) {
        char *q = hash && hash > qmark ? xstrndup(qmark + 1, (size_t)(hash - qmark - 1))
                                       : xstrdup(qmark + 1);
        int rc = parse_query(r, q, e);
        free(q);
        return rc;
    }
    return ERR_OK;
}

const char *req_query_get(const struct req *r, const char *key)
{
    for (int i = 0; i < r->nquery; i++) {
        if (strcmp(r->query[i].key, key) == 0)
            return r->query[i].value;
    }
    return NULL;
}

const char *req_header(const struct req *r, const char *name)
{
    if (!r->conn)
        return NULL;
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

struct header_count {
    const char *name;
    int n;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct header_count *hc = cls;

    (void)kind;
    (void)value;
    if (key && strcasecmp(key, hc->name) == 0)
        hc->n++;
    return MHD_YES;
}

int req_header_count(const struct req *r, const char *name)
{
    struct header_count hc = {name, 0};

    if (!r->conn)
        return 0;
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_header, &hc);
    return hc.n;
}

int req_json_object(const struct req *r, int empty_ok, json_t **out, struct err *e)
{
    json_error_t je;
    json_t *j;
    size_t i;

    for (i = 0; i < r->body.len; i++) {
        char c = r->body.data[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            break;
    }
    if (i == r->body.len) {
        if (!empty_ok)
            return err_set(e, ERR_INVALID, "request body: a JSON object is required");
        *out = json_object();
        return ERR_OK;
    }
    j = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return err_set(e, ERR_INVALID, "request body is not valid JSON: %s (line %d, column %d)",
                       je.text, je.line, je.column);
    if (!json_is_object(j)) {
        json_decref(j);
        return err_set(e, ERR_INVALID, "request body: expected a JSON object");
    }
    *out = j;
    return ERR_OK;
}

void req_free(struct req *r)
{
    free(r->raw_uri);
    free(r->path);
    for (int i = 0; i < r->nsegments; i++)
        free(r->segments[i]);
    for (int i = 0; i < r->nquery; i++) {
        free(r->query[i].key);
        free(r->query[i].value);
    }
    free(r->query);
    buf_free(&r->body);
    store_integration_free(&r->integration);
    memset(r, 0, sizeof(*r));
}
