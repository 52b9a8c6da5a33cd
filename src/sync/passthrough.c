/* passthrough — forward one request to an integration's remote API. */
#include "sync/passthrough.h"

#include "connectors/connector.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"
#include "sync/fetch.h"

#include <ctype.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PATH 2048

/* Headers a caller may not set: the connector authenticates, curl frames. */
static int forbidden_header(const char *name)
{
    static const char *const names[] = {"authorization", "host",      "content-length",
                                        "cookie",        "x-api-key", "transfer-encoding",
                                        "connection",    NULL};

    for (int i = 0; names[i]; i++) {
        if (strcasecmp(names[i], name) == 0)
            return 1;
    }
    return 0;
}

/* A path below the API's base: starts with '/', no scheme, no '..' segment,
 * no control characters, no fragment. */
static int valid_path(const char *p)
{
    if (p[0] != '/' || p[1] == '/' || strlen(p) > MAX_PATH || strstr(p, "://") || strchr(p, '#') ||
        strchr(p, '\\'))
        return 0;
    for (const char *c = p; *c; c++) {
        if ((unsigned char)*c <= ' ' || *c == 0x7f)
            return 0;
    }
    for (const char *seg = p; seg; seg = strchr(seg + 1, '/')) {
        if (strncmp(seg, "/..", 3) == 0 && (seg[3] == '/' || seg[3] == '\0' || seg[3] == '?'))
            return 0;
    }
    return 1;
}

static int header_ok(const char *k, const char *v)
{
    if (!*k || strlen(k) > 128 || !v || strlen(v) > 4096)
        return 0;
    for (const char *c = k; *c; c++) {
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
            return 0;
    }
    for (const char *c = v; *c; c++) {
        if (*c == '\r' || *c == '\n')
            return 0;
    }
    return 1;
}

/* The raw header lines as {"lower-case name": value}. */
static json_t *headers_json(const struct buf *raw)
{
    json_t *h = json_object();
    const char *p = buf_str(raw);

    while (*p) {
        const char *eol = strstr(p, "\r\n"), *colon;
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char name[128];

        colon = memchr(p, ':', len);
        if (colon && (size_t)(colon - p) < sizeof(name)) {
            const char *v = colon + 1;
            size_t n = (size_t)(colon - p);
            for (size_t i = 0; i < n; i++)
                name[i] = (char)tolower((unsigned char)p[i]);
            name[n] = '\0';
            while (v < p + len && *v == ' ')
                v++;
            /* The remote's own credentials-related headers are not echoed. */
            if (strcmp(name, "authorization") != 0 && strcmp(name, "set-cookie") != 0)
                json_object_set_new(h, name, json_stringn(v, (size_t)(p + len - v)));
        }
        if (!eol)
            break;
        p = eol + 2;
    }
    return h;
}

int passthrough_call(const struct store_integration *it, const struct secret_master *m,
                     const char *api, const json_t *body, json_t **out, struct err *e)
{
    const struct connector *conn = connector_find(it->tool);
    const struct conn_api *a = NULL;
    const char *method, *path, *key;
    struct fetch_client *http = NULL;
    struct fetch_opts fo;
    struct fetch_req req;
    struct fetch_resp resp;
    struct conn_ctx ctx;
    struct buf url, data;
    char auth[1200];
    char *plain = NULL, *lines[FETCH_MAX_HEADERS];
    json_t *creds = NULL, *v, *parsed;
    int nh = 0, rc;

    memset(&ctx, 0, sizeof(ctx));
    memset(lines, 0, sizeof(lines));
    buf_init(&url, 8192);
    buf_init(&data, 1 << 20);
    for (int i = 0; conn && conn->apis && conn->apis[i].name; i++) {
        if (strcmp(conn->apis[i].name, api) == 0)
            a = &conn->apis[i];
    }
    if (!a || !conn->auth_header)
        return err_set(e, ERR_NOT_FOUND, "%s has no passthrough API \"%.64s\"", it->tool, api);
    method = json_string_value(json_object_get(body, "method"));
    path = json_string_value(json_object_get(body, "path"));
    if (!method || (strcmp(method, "GET") && strcmp(method, "POST") && strcmp(method, "PUT") &&
                    strcmp(method, "PATCH") && strcmp(method, "DELETE")))
        return err_set(e, ERR_INVALID, "method: expected GET, POST, PUT, PATCH or DELETE");
    if (!path || !valid_path(path))
        return err_set(e, ERR_INVALID,
                       "path: expected a path such as /company/employees, "
                       "below the API's base URL");
    v = json_object_get(body, "params");
    if (v && !json_is_object(v) && !json_is_null(v))
        return err_set(e, ERR_INVALID, "params: expected an object of strings");
    v = json_object_get(body, "headers");
    if (v && !json_is_object(v) && !json_is_null(v))
        return err_set(e, ERR_INVALID, "headers: expected an object of strings");

    /* The URL: the integration's base, the API's base path, the caller's path. */
    buf_printf(&url, "%s%s%s", it->base_url, a->base_path, path);
    json_object_foreach (json_object_get(body, "params"), key, v) {
        char *k, *val;
        if (!json_is_string(v)) {
            buf_free(&url);
            return err_set(e, ERR_INVALID, "params.%.64s: expected a string", key);
        }
        k = curl_easy_escape(NULL, key, 0);
        val = curl_easy_escape(NULL, json_string_value(v), 0);
        buf_printf(&url, "%c%s=%s", strchr(buf_str(&url), '?') ? '&' : '?', k ? k : "",
                   val ? val : "");
        curl_free(k);
        curl_free(val);
    }
    json_object_foreach (json_object_get(body, "headers"), key, v) {
        if (!json_is_string(v) || !header_ok(key, json_string_value(v)) || forbidden_header(key) ||
            nh >= FETCH_MAX_HEADERS - 3) {
            rc = err_set(e, ERR_INVALID, "headers.%.64s: not a header that can be sent", key);
            goto out;
        }
        lines[nh] = xmalloc(strlen(key) + json_string_length(v) + 3);
        snprintf(lines[nh], strlen(key) + json_string_length(v) + 3, "%s: %s", key,
                 json_string_value(v));
        nh++;
    }
    v = json_object_get(body, "data");
    if (v && !json_is_null(v)) {
        if (json_is_string(v)) {
            rc = buf_append(&data, json_string_value(v), json_string_length(v));
        } else {
            char *text = json_dumps(v, JSON_COMPACT);
            rc = buf_append_str(&data, text ? text : "null");
            free(text);
            lines[nh++] = xstrdup("Content-Type: application/json");
        }
        if (rc != ERR_OK) {
            rc = err_set(e, ERR_INVALID, "data: larger than 1 MiB");
            goto out;
        }
    }

    rc = secret_open(m, it->id, it->credentials, it->credentials_len, &plain);
    if (rc == ERR_OK) {
        creds = json_loads(plain, 0, NULL);
        if (!creds)
            rc = ERR_INVALID;
    }
    if (rc != ERR_OK) {
        rc = err_set(e, ERR_INTERNAL, "the stored credentials cannot be read");
        goto out;
    }
    memset(&fo, 0, sizeof(fo));
    fo.integration = it->id;
    /* Only requests without side effects are repeated. */
    fo.max_attempts = strcmp(method, "GET") == 0 ? 3 : 1;
    rc = fetch_client_new(&fo, &http);
    if (rc != ERR_OK)
        goto out;
    ctx.integration_id = it->id;
    ctx.base_url = it->base_url;
    ctx.credentials = creds;
    ctx.http = http;
    ctx.err = e;
    rc = conn->authenticate(&ctx);
    if (rc == ERR_OK)
        rc = conn->auth_header(&ctx, auth, sizeof(auth));
    if (rc != ERR_OK)
        goto out;
    lines[nh++] = xstrdup(auth);
    sodium_memzero(auth, sizeof(auth));

    memset(&req, 0, sizeof(req));
    req.method = method;
    req.url = buf_str(&url);
    for (int i = 0; i < nh; i++)
        req.headers[i] = lines[i];
    if (data.len) {
        req.body = buf_str(&data);
        req.body_len = data.len;
    }
    rc = fetch_do(http, &req, &resp, e);
    if (rc != ERR_OK)
        goto out;
    parsed = json_loadb(buf_str(&resp.body), resp.body.len, 0, NULL);
    if (!parsed)
        parsed = json_stringn(buf_str(&resp.body), resp.body.len);
    if (!parsed) /* not UTF-8 */
        parsed = json_null();
    *out =
        json_pack("{s:s, s:I, s:o, s:o}", "url", buf_str(&url), "status", (json_int_t)resp.status,
                  "headers", headers_json(&resp.headers), "data", parsed);
    log_info("sync", "msg=passthrough integration=%s api=%s method=%s status=%ld", it->id, api,
             method, resp.status);
    fetch_resp_free(&resp);
out:
    for (int i = 0; i < nh; i++) {
        sodium_memzero(lines[i], strlen(lines[i]));
        free(lines[i]);
    }
    json_decref(creds);
    secret_free_text(plain);
    sodium_memzero(ctx.token, sizeof(ctx.token));
    fetch_client_destroy(http);
    buf_free(&url);
    buf_free(&data);
    return rc;
}
