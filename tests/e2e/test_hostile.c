/*
 * test_hostile — hostile input against a real `hrbridge serve` that holds
 * synced data (hrsim's Personio, one integration, a custom field definition
 * and a scope config). One table of cases, each a request and the answer it
 * must get: malformed JSON, wrong types, huge values, injection strings,
 * invalid UTF-8, forged and tampered cursors, header abuse, bad query values
 * on every HRIS list and bad path ids; some rows are generated (every list
 * endpoint times every bad parameter, cursors taken from real pages).
 *
 * Every refused request must get its 4xx in the error envelope, never a 5xx
 * or a dropped connection. The few inputs Kombo's contract accepts (unknown
 * query parameters, ids that match nothing) must get the right 2xx. After the
 * whole table the server still answers, every read endpoint answers byte for
 * byte what it answered before, and every table holds as many rows.
 *
 * Requests curl cannot send (raw bytes in the request line, bare CR in a
 * header) go through a plain socket.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static char tmp[256], db[512];
static struct hproc sim, srv;
static char key[128];
static char integ[128];   /* the Personio integration */
static char field_id[64]; /* one of its integration fields */
static char cfd_id[64];   /* a custom field definition */
static char scope_id[64]; /* a scope config */

/* ---- requests ------------------------------------------------------------ */

/* Flags of a case. */
#define H_NOAUTH  0x01 /* no Authorization header */
#define H_NOINTEG 0x02 /* no X-Integration-Id header */
#define H_RAW     0x04 /* sent through a socket: path bytes and headers verbatim */
#define H_NOENV   0x08 /* answered by libmicrohttpd itself (no envelope) */
#define H_SAME    0x10 /* 2xx: the body equals the answer to `code` (a path) */
#define H_EMPTY   0x20 /* 200 with an empty results list */
#define H_NOCL    0x40 /* H_RAW: no Content-Length added (the case frames its body) */

struct hcase {
    const char *method;
    const char *path;    /* {I} {F} {C} {S} {K} are substituted */
    const char *headers; /* extra header lines, '\n'-separated (H_RAW: verbatim, "\r\n" each) */
    const char *body;    /* NULL: none; "@NAME": generated (see gen_body) */
    long status;
    const char *code; /* expected error code (NULL: any allowed one); H_SAME: the reference path */
    unsigned flags;
};

/* A copy of t with the placeholders replaced. */
static char *expand(const char *t)
{
    size_t cap = strlen(t) * 2 + 512, len = 0;
    char *out = malloc(cap);

    for (const char *p = t; *p;) {
        const char *val = NULL;
        size_t vlen;

        if (p[0] == '{' && p[1] && p[2] == '}') {
            switch (p[1]) {
            case 'I':
                val = integ;
                break;
            case 'F':
                val = field_id;
                break;
            case 'C':
                val = cfd_id;
                break;
            case 'S':
                val = scope_id;
                break;
            case 'K':
                val = key;
                break;
            default:
                break;
            }
        }
        if (val) {
            vlen = strlen(val);
            p += 3;
        } else {
            val = p;
            vlen = 1;
            p++;
        }
        if (len + vlen + 1 > cap) {
            cap = (len + vlen + 1) * 2;
            out = realloc(out, cap);
        }
        memcpy(out + len, val, vlen);
        len += vlen;
    }
    out[len] = '\0';
    return out;
}

/* n copies of c, NUL-terminated, behind prefix and before suffix. */
static char *repeat(const char *prefix, const char *c, size_t n, const char *suffix)
{
    size_t plen = strlen(prefix), clen = strlen(c), slen = strlen(suffix);
    char *s = malloc(plen + clen * n + slen + 1), *p = s;

    memcpy(p, prefix, plen);
    p += plen;
    for (size_t i = 0; i < n; i++, p += clen)
        memcpy(p, c, clen);
    memcpy(p, suffix, slen + 1);
    return s;
}

/* The body of a generated case ("@NAME"), or a plain copy. *len is its length
 * (bodies may hold NUL bytes). */
static char *gen_body(const char *b, size_t *len)
{
    char *s;

    if (!strcmp(b, "@DEEP_ARRAY")) {
        s = repeat("", "[", 100000, "");
    } else if (!strcmp(b, "@DEEP_OBJECT")) {
        s = repeat("{\"name\":\"x\",\"models\":", "{\"a\":", 5000, "1");
    } else if (!strcmp(b, "@HUGE_NAME")) {
        s = repeat("{\"name\":\"", "a", 500000, "\"}");
    } else if (!strcmp(b, "@HUGE_LABEL")) {
        s = repeat("{\"model\":\"hris_employees\",\"key\":\"k1\",\"label\":\"", "\\u00e4", 100000,
                   "\"}");
    } else if (!strcmp(b, "@ARRAY10K")) {
        s = repeat("{\"name\":\"x\",\"models\":{\"hris_employees\":{\"disabled_fields\":[",
                   "\"no_such_field\",", 10000, "\"no_such_field\"]}}}");
    } else if (!strcmp(b, "@ARRAY10K_TOP")) {
        s = repeat("[", "1,", 10000, "1]");
    } else if (!strcmp(b, "@KEYS10K")) {
        s = malloc(10000 * 16 + 64);
        size_t n = (size_t)snprintf(s, 16, "{");
        for (int i = 0; i < 10000; i++)
            n += (size_t)snprintf(s + n, 20, "\"k%d\":1,", i);
        snprintf(s + n, 20, "\"type\":\"FULL\"}");
    } else if (!strcmp(b, "@BIG_NUMBER")) {
        s = repeat("{\"value\":", "9", 5000, "}");
    } else if (!strcmp(b, "@TOO_LARGE")) {
        s = repeat("{\"name\":\"", "a", 2 << 20, "\"}");
    } else if (!strcmp(b, "@NUL")) {
        static const char nul[] = "{\"type\":\"FULL\"}\0{\"type\":\"DELTA\"}";
        s = malloc(sizeof(nul));
        memcpy(s, nul, sizeof(nul));
        *len = sizeof(nul) - 1;
        return s;
    } else if (!strcmp(b, "@NUL_IN_STRING")) {
        static const char nul[] = "{\"type\":\"FU\0LL\"}";
        s = malloc(sizeof(nul));
        memcpy(s, nul, sizeof(nul));
        *len = sizeof(nul) - 1;
        return s;
    } else if (!strcmp(b, "@CHUNKED_BIG")) {
        /* 24 chunks of 64 KiB: 1.5 MiB, past the 1 MiB limit. */
        size_t n = 0, chunk = 65536;
        s = malloc(24 * (chunk + 16) + 16);
        for (int i = 0; i < 24; i++) {
            n += (size_t)snprintf(s + n, 16, "%zx\r\n", chunk);
            memset(s + n, 'a', chunk);
            n += chunk;
            memcpy(s + n, "\r\n", 2);
            n += 2;
        }
        memcpy(s + n, "0\r\n\r\n", 6);
        *len = n + 5;
        s[n + 5] = '\0';
        return s;
    } else if (!strcmp(b, "@BIG_DATA")) {
        s = repeat("{\"method\":\"POST\",\"path\":\"/company/employees\",\"data\":\"", "a",
                   (1 << 20) - 200, "\"}");
    } else {
        s = expand(b);
    }
    *len = strlen(s);
    return s;
}

/* Sends a request through a plain socket and reads the whole answer. */
static int raw_http(const char *req, size_t len, struct hresp *out)
{
    struct sockaddr_in a;
    size_t cap = 1 << 16, got = 0;
    char *buf = malloc(cap), *split;
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(out, 0, sizeof(*out));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)srv.port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        free(buf);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    for (size_t off = 0; off < len; off += (size_t)n) {
        n = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
    }
    while ((n = recv(fd, buf + got, cap - got - 1, 0)) > 0) {
        got += (size_t)n;
        if (cap - got < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    close(fd);
    buf[got] = '\0';
    split = strstr(buf, "\r\n\r\n");
    if (got < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || !split) {
        free(buf);
        return -1;
    }
    out->status = strtol(buf + 9, NULL, 10);
    out->headers = strndup(buf, (size_t)(split - buf) + 2);
    out->body = strdup(split + 4);
    out->len = got - (size_t)(split + 4 - buf);
    out->json = json_loadb(out->body, out->len, JSON_DECODE_ANY, NULL);
    free(buf);
    return 0;
}

/* Sends one case's request. */
static int send_case(const struct hcase *c, struct hresp *r)
{
    char *path = expand(c->path), *hdrs = c->headers ? expand(c->headers) : NULL;
    char auth[256], xi[256];
    size_t blen = 0;
    char *body = c->body ? gen_body(c->body, &blen) : NULL;
    int rc;

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
    snprintf(xi, sizeof(xi), "X-Integration-Id: %s", integ);
    if (c->flags & H_RAW) {
        size_t cap = strlen(path) + (hdrs ? strlen(hdrs) : 0) + blen + 1024, n;
        char *req = malloc(cap);

        n = (size_t)snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s%s%s", c->method,
                             path, c->flags & H_NOAUTH ? "" : auth,
                             c->flags & H_NOAUTH ? "" : "\r\n", c->flags & H_NOINTEG ? "" : xi,
                             c->flags & H_NOINTEG ? "" : "\r\n", hdrs ? hdrs : "");
        if (!(c->flags & H_NOCL))
            n += (size_t)snprintf(req + n, cap - n,
                                  "Connection: close\r\nContent-Length: %zu\r\n\r\n", blen);
        if (body)
            memcpy(req + n, body, blen);
        rc = raw_http(req, n + blen, r);
        free(req);
    } else {
        const char *h[1100];
        char url[16384];
        int nh = 0;

        if (!(c->flags & H_NOAUTH))
            h[nh++] = auth;
        if (!(c->flags & H_NOINTEG))
            h[nh++] = xi;
        for (char *p = hdrs, *save = NULL, *line = p ? strtok_r(p, "\n", &save) : NULL;
             line && nh < 1098; line = strtok_r(NULL, "\n", &save))
            h[nh++] = line;
        h[nh] = NULL;
        snprintf(url, sizeof(url), "%s%s", srv.base_url, path);
        rc = harness_http(c->method, url, h, body, blen, r);
    }
    free(path);
    free(hdrs);
    free(body);
    return rc;
}

/* ---- checks ------------------------------------------------------------- */

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Every code an answer may carry, from the OpenAPI file's closed lists. */
static int known_code(const char *code, int hris)
{
    static const char *const general[] = {
        "PLATFORM.RATE_LIMIT_EXCEEDED", "PLATFORM.INTEGRATION_NOT_FOUND",
        "PLATFORM.INPUT_INVALID",       "PLATFORM.UNKNOWN_ERROR",
        "PLATFORM.IP_NOT_WHITELISTED",  "PLATFORM.AUTHENTICATION_INVALID",
        "PLATFORM.TASK_TIMED_OUT",      NULL};
    static const char *const integration[] = {"INTEGRATION.PERMISSION_MISSING",
                                              "INTEGRATION.AUTHENTICATION_INVALID",
                                              "INTEGRATION.MODEL_NOT_AVAILABLE",
                                              "INTEGRATION.MODEL_DISABLED",
                                              "INTEGRATION.INACTIVE",
                                              NULL};

    for (int i = 0; general[i]; i++)
        if (!strcmp(code, general[i]))
            return 1;
    for (int i = 0; hris && integration[i]; i++)
        if (!strcmp(code, integration[i]))
            return 1;
    return 0;
}

/* Asserts r is a 4xx in the error envelope; what names the case. */
static void expect_envelope(const struct hresp *r, const char *code, int hris, const char *what)
{
    json_t *err = json_object_get(r->json, "error");
    const char *got;
    char v[128];

    if (!json_is_object(r->json))
        fail_msg("%s: body is not JSON (or not UTF-8): %.300s", what, r->body);
    if (json_object_size(r->json) != 2 || !json_is_object(err) || !str(r->json, "status") ||
        strcmp(str(r->json, "status"), "error") != 0)
        fail_msg("%s: not the error envelope: %.300s", what, r->body);
    if (json_object_size(err) != 4 || !str(err, "code") || !str(err, "title") ||
        !str(err, "message") || !*str(err, "title") || !*str(err, "message") ||
        !(json_is_null(json_object_get(err, "log_url")) ||
          json_is_string(json_object_get(err, "log_url"))))
        fail_msg("%s: error object needs code, title, message, log_url: %.300s", what, r->body);
    got = str(err, "code");
    if (!known_code(got, hris))
        fail_msg("%s: code %s is not in the endpoint family's list", what, got);
    if (code && strcmp(got, code) != 0)
        fail_msg("%s: code %s, expected %s (%.300s)", what, got, code, r->body);
    if (hresp_header(r, "Content-Type", v, sizeof(v)) != 0 ||
        strncmp(v, "application/json", 16) != 0)
        fail_msg("%s: content type %s", what, v);
    if (hresp_header(r, "X-Request-Id", v, sizeof(v)) != 0 || !*v)
        fail_msg("%s: no X-Request-Id", what);
}

/* A plain GET with the fixture's key and integration; the body (caller frees). */
static char *get_body(const char *path, long *status)
{
    struct hcase c = {"GET", path, NULL, NULL, 0, NULL, 0};
    struct hresp r;
    char *b;

    assert_int_equal(send_case(&c, &r), 0);
    if (status)
        *status = r.status;
    b = strdup(r.body);
    hresp_free(&r);
    return b;
}

static int run_case(const struct hcase *c, int idx)
{
    struct hresp r;
    char what[400];
    int hris = strncmp(c->path, "/v1/hris/", 9) == 0;

    snprintf(what, sizeof(what), "case %d: %s %.200s%s%.80s", idx, c->method, c->path,
             c->body ? " body " : "", c->body ? c->body : "");
    if (send_case(c, &r) != 0)
        fail_msg("%s: no answer (connection dropped)", what);
    if (r.status != c->status)
        fail_msg("%s: status %ld, expected %ld: %.300s", what, r.status, c->status, r.body);
    if (r.status >= 500)
        fail_msg("%s: server error", what);
    if ((c->flags & H_RAW) && !(c->flags & H_NOENV) && strstr(r.body, "HTTP/1."))
        fail_msg("%s: a second (smuggled) request was answered: %.300s", what, r.body);
    if (strstr(r.headers, "X-Injected") || strstr(r.headers, "Set-Cookie"))
        fail_msg("%s: injected response header: %s", what, r.headers);
    if (strstr(r.body, key))
        fail_msg("%s: the API key is in the answer", what);
    if (c->status >= 400 && !(c->flags & H_NOENV))
        expect_envelope(&r, c->code, hris, what);
    if (c->flags & H_SAME) {
        char *want = get_body(c->code, NULL);
        if (strcmp(want, r.body) != 0)
            fail_msg("%s: answer differs from %s's", what, c->code);
        free(want);
    }
    if (c->flags & H_EMPTY) {
        json_t *res = json_object_get(json_object_get(r.json, "data"), "results");
        if (!json_is_array(res) || json_array_size(res) != 0)
            fail_msg("%s: expected no results: %.300s", what, r.body);
    }
    hresp_free(&r);
    return 0;
}

/* ---- the table ----------------------------------------------------------- */

#define INV  "PLATFORM.INPUT_INVALID"
#define AUTH "PLATFORM.AUTHENTICATION_INVALID"
#define INF  "PLATFORM.INTEGRATION_NOT_FOUND"

static const struct hcase cases[] = {
    /* -- authentication ---------------------------------------------------- */
    {"GET", "/v1/check-api-key", NULL, NULL, 401, AUTH, H_NOAUTH},
    {"GET", "/v1/check-api-key", "Authorization: Basic {K}", NULL, 401, AUTH, H_NOAUTH},
    {"GET", "/v1/check-api-key", "Authorization: Bearer", NULL, 401, AUTH, H_NOAUTH},
    {"GET", "/v1/check-api-key", "Authorization: Bearer      ", NULL, 401, AUTH, H_NOAUTH},
    {"GET", "/v1/check-api-key", "Authorization: Token {K}", NULL, 401, AUTH, H_NOAUTH},
    {"GET", "/v1/check-api-key", "Authorization: {K}", NULL, 401, AUTH, H_NOAUTH},
    {"GET", "/v1/check-api-key", "Authorization: Bearer ' OR 1=1 --", NULL, 401, AUTH, H_NOAUTH},
    {"GET", "/v1/check-api-key", "Authorization: Bearer {K}' OR '1'='1", NULL, 401, AUTH, H_NOAUTH},
    {"GET", "/v1/check-api-key", "Authorization: Bearer {K}%00", NULL, 401, AUTH, H_NOAUTH},
    {"GET", "/v1/check-api-key", "Authorization: Bearer {K}x", NULL, 401, AUTH, H_NOAUTH},
    {"GET", "/v1/check-api-key", "Authorization: Bearer hb_\xff\xfe\xc3", NULL, 401, AUTH,
     H_NOAUTH},
    {"GET", "/v1/check-api-key", "Authorization: Bearer {K}\r\nAuthorization: Bearer nope\r\n",
     NULL, 401, AUTH, H_NOAUTH | H_RAW},
    {"GET", "/v1/check-api-key", "Authorization: Bearer nope\r\nAuthorization: Bearer {K}\r\n",
     NULL, 401, AUTH, H_NOAUTH | H_RAW},
    {"GET", "/v1/check-api-key", "Authorization: Bearer {K}\r\nAuthorization: Bearer {K}\r\n", NULL,
     401, AUTH, H_NOAUTH | H_RAW},
    {"GET", "/v1/integrations/{I}", NULL, NULL, 401, AUTH, H_NOAUTH},
    {"GET", "/v1/hris/employees", NULL, NULL, 401, AUTH, H_NOAUTH},
    {"POST", "/v1/integrations", NULL, "{}", 401, AUTH, H_NOAUTH},
    /* -- X-Integration-Id -------------------------------------------------- */
    {"GET", "/v1/hris/employees", NULL, NULL, 400, INV, H_NOINTEG},
    {"GET", "/v1/hris/employees", "X-Integration-Id: ", NULL, 400, INV, H_NOINTEG},
    {"GET", "/v1/hris/employees", "X-Integration-Id: ' OR 1=1 --", NULL, 404, INF, H_NOINTEG},
    {"GET", "/v1/hris/employees", "X-Integration-Id: personio:../../etc/passwd", NULL, 404, INF,
     H_NOINTEG},
    {"GET", "/v1/hris/employees", "X-Integration-Id: {I}%00", NULL, 404, INF, H_NOINTEG},
    {"GET", "/v1/hris/employees", "X-Integration-Id: \xff\xfe\xc3\xa4\xc3", NULL, 404, INF,
     H_NOINTEG},
    {"GET", "/v1/hris/employees", "X-Integration-Id: {I}\r\nX-Integration-Id: personio:nope\r\n",
     NULL, 400, INV, H_NOINTEG | H_RAW},
    {"GET", "/v1/hris/employees", "X-Integration-Id: personio:nope\r\nX-Integration-Id: {I}\r\n",
     NULL, 400, INV, H_NOINTEG | H_RAW},
    {"POST", "/v1/force-sync", "X-Integration-Id: {I}\r\nX-Integration-Id: {I}\r\n",
     "{\"type\":\"FULL\"}", 400, INV, H_NOINTEG | H_RAW},
    {"GET", "/v1/hris/employees", "X-Integration-Id: personio:a\rX-Injected: 1\r\n", NULL, 404, INF,
     H_NOINTEG | H_RAW},
    /* -- header abuse ------------------------------------------------------ */
    {"GET", "/v1/check-api-key", "X-Filler: @HUGE_HEADER", NULL, 431, NULL, H_NOENV},
    {"GET", "/v1/check-api-key", "@MANY_HEADERS", NULL, 200, "/v1/check-api-key", H_SAME},
    {"GET", "/v1/check-api-key", "Content-Type: text/html; charset=\xff", NULL, 200,
     "/v1/check-api-key", H_SAME},
    /* -- body framing ------------------------------------------------------ */
    {"POST", "/v1/force-sync",
     "Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}GET /v1/check-api-key HTTP/1.1\r\n\r\n",
     NULL, 400, INV, H_RAW | H_NOCL},
    {"POST", "/v1/force-sync",
     "Content-Length: 15\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{\"type\":\"FULL\"}",
     NULL, 400, INV, H_RAW | H_NOCL},
    {"POST", "/v1/force-sync",
     "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\nf\r\n{\"type\":\"FULL\"}\r\n0\r\n\r\n"
     "GET /v1/check-api-key HTTP/1.1\r\n\r\n",
     NULL, 400, INV, H_RAW | H_NOCL},
    {"POST", "/v1/scope-configs", "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
     "@CHUNKED_BIG", 413, INV, H_RAW | H_NOCL},
    {"POST", "/v1/scope-configs",
     "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", NULL, 400,
     NULL, H_RAW | H_NOCL | H_NOENV},
    {"POST", "/v1/force-sync", "Content-Length: abc\r\nConnection: close\r\n\r\n{}", NULL, 400,
     NULL, H_RAW | H_NOCL | H_NOENV},
    {"POST", "/v1/force-sync",
     "Content-Length: 99999999999999999999999\r\nConnection: close\r\n\r\n{}", NULL, 413, NULL,
     H_RAW | H_NOCL | H_NOENV},
    /* -- routing, methods, URL shape --------------------------------------- */
    {"GET", "/v1/nope", NULL, NULL, 404, INV, 0},
    {"GET", "/v1/integrations/../../etc/passwd", NULL, NULL, 404, INV, 0},
    {"GET", "/v1/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q", NULL, NULL, 400, INV, 0},
    {"TRACE", "/v1/check-api-key", NULL, NULL, 405, INV, 0},
    {"DELETE", "/v1/check-api-key", NULL, NULL, 405, INV, 0},
    {"PATCH", "/v1/hris/employees", NULL, "{}", 405, INV, 0},
    {"GET", "/v1/check-api-key?a=%", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/check-api-key?a=%zz", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/check-api-key?a=%00", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/check-api-key?a=1&a=2", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/check-api-key?@QUERY70", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/check-api-key?a=@LONG_URL", NULL, NULL, 414, INV, 0},
    {"GET", "/v1/tools/hr%zzis", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/tools/hris%00", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/tools/%ff%fe", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/tools/'%20OR%201=1%20--", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/tools/\xff\xfe", NULL, NULL, 400, INV, H_RAW},
    {"GET", "/v1/integrations/\xc3\x28\xe2\x82", NULL, NULL, 400, INV, H_RAW},
    {"GET", "/v1/integrations/%0d%0aSet-Cookie:%20a=b", NULL, NULL, 404, INF, 0},
    {"GET", "/v1/integrations/x%0d%0aX-Injected:%201", NULL, NULL, 404, INF, 0},
    /* -- bad path ids ------------------------------------------------------ */
    {"GET", "/v1/integrations/%ff%fe", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/integrations/%c0%af", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/integrations/%ed%a0%80", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/integrations/personio:%c3", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/integrations/..%2f..%2fetc%2fpasswd", NULL, NULL, 404, INF, 0},
    {"GET", "/v1/integrations/'%20OR%201=1%20--", NULL, NULL, 404, INF, 0},
    {"GET", "/v1/integrations/{I}'%20OR%20'1'='1", NULL, NULL, 404, INF, 0},
    {"GET", "/v1/integrations/%25", NULL, NULL, 404, INF, 0},
    {"GET", "/v1/integrations/*", NULL, NULL, 404, INF, 0},
    {"GET", "/v1/integrations/{I}%00", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/integrations/@LONG_ID", NULL, NULL, 404, INF, 0},
    {"DELETE", "/v1/integrations/'%20OR%201=1%20--", NULL, "{}", 404, INF, 0},
    {"DELETE", "/v1/integrations/%", NULL, "{}", 400, INV, 0},
    {"PUT", "/v1/integrations/personio:%2e%2e/enabled", NULL, "{\"value\":false}", 404, INF, 0},
    {"GET", "/v1/integrations/%ff/syncs", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/integrations/%ff/integration-fields", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/integrations/%ff/custom-fields", NULL, NULL, 400, INV, 0},
    {"PATCH", "/v1/integrations/{I}/integration-fields/'%20OR%201=1%20--", NULL,
     "{\"enable_passthrough\":true}", 404, INV, 0},
    {"PATCH", "/v1/integrations/{I}/integration-fields/%ff%fe", NULL,
     "{\"enable_passthrough\":true}", 400, INV, 0},
    {"PUT", "/v1/integrations/{I}/custom-fields/'%20OR%201=1%20--", NULL,
     "{\"integration_field_id\":null}", 404, INV, 0},
    {"DELETE", "/v1/custom-field-definitions/'%20OR%201=1%20--", NULL, NULL, 404, INV, 0},
    {"DELETE", "/v1/custom-field-definitions/%ff", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/scope-configs/'%20OR%201=1%20--", NULL, NULL, 404, INV, 0},
    {"PUT", "/v1/scope-configs/..%2f{S}", NULL, "{\"name\":\"x\"}", 404, INV, 0},
    {"GET", "/assets/tools/personio/..%2f..%2f..%2fetc%2fpasswd", NULL, NULL, 404, INV, 0},
    {"GET", "/assets/tools/%2e%2e/%2e%2e", NULL, NULL, 404, INV, 0},
    {"GET", "/assets/tools/personio/logo.svg%00.png", NULL, NULL, 400, INV, 0},
    /* -- malformed JSON bodies --------------------------------------------- */
    {"POST", "/v1/integrations", NULL, "", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "{\"tool\":", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "{", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "}", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "null", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "[]", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "\"personio\"", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "123", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "{'tool':'personio'}", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "{\"tool\":\"personio\",}", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "{\"tool\":\"personio\"} /* x */", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "{\"tool\":\"personio\"}{}", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "{\"tool\":\"per\xffsonio\"}", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "{\"tool\":\"\xc0\xaf\"}", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "{\"tool\":\"\xed\xa0\x80\"}", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "{\"tool\":\"\\ud800\"}", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "{\"tool\":\"personio\\u0000\"}", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "\xef\xbb\xbf{\"tool\":\"personio\"}", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "{\"tool\":\"personio\",\"tool\":\"hibob\"}", 400, INV, 0},
    {"POST", "/v1/force-sync", NULL, "@NUL", 400, INV, 0},
    {"POST", "/v1/force-sync", NULL, "@NUL_IN_STRING", 400, INV, 0},
    {"POST", "/v1/scope-configs", NULL, "@DEEP_ARRAY", 400, INV, 0},
    {"POST", "/v1/scope-configs", NULL, "@DEEP_OBJECT", 400, INV, 0},
    {"POST", "/v1/scope-configs", NULL, "@ARRAY10K_TOP", 400, INV, 0},
    {"POST", "/v1/force-sync", NULL, "@KEYS10K", 400, INV, 0},
    {"PUT", "/v1/integrations/{I}/enabled", NULL, "@BIG_NUMBER", 400, INV, 0},
    {"PUT", "/v1/integrations/{I}/enabled", NULL, "{\"value\":1e400}", 400, INV, 0},
    {"PUT", "/v1/integrations/{I}/enabled", NULL, "{\"value\":-1e-400}", 400, INV, 0},
    {"PUT", "/v1/integrations/{I}/enabled", NULL, "{\"value\":18446744073709551616}", 400, INV, 0},
    {"PUT", "/v1/integrations/{I}/enabled", NULL, "{\"value\":NaN}", 400, INV, 0},
    {"PUT", "/v1/integrations/{I}/enabled", NULL, "{\"value\":Infinity}", 400, INV, 0},
    {"POST", "/v1/scope-configs", NULL, "@TOO_LARGE", 413, INV, 0},
    /* -- wrong types and values: integrations ------------------------------ */
    {"POST", "/v1/integrations", NULL, "{\"tool\":1}", 400, INV, 0},
    {"POST", "/v1/integrations", NULL, "{\"tool\":null}", 400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"' OR 1=1 --\",\"end_user\":{\"organization_name\":\"A\"},"
     "\"credentials\":{}}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"../personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{}}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"personio\",\"end_user\":\"Acme\",\"credentials\":{\"client_id\":\"a\","
     "\"client_secret\":\"b\"}}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"\"},\"credentials\":{"
     "\"client_id\":\"a\",\"client_secret\":\"b\"}}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\",\"creator_email\":"
     "\"a@b.c\\r\\nBcc: x@y.z\"},\"credentials\":{\"client_id\":\"a\",\"client_secret\":\"b\"}}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
     "\"client_id\":\"a\"}}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
     "\"client_id\":\"a\",\"client_secret\":[\"b\"]}}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
     "\"client_id\":\"a\",\"client_secret\":\"b\",\"password\":\"c\"}}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"bamboohr\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
     "\"company_domain\":\"evil.example/x?\",\"api_key\":\"k\"}}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
     "\"client_id\":\"a\",\"client_secret\":\"b\"},\"base_url\":\"file:///etc/passwd\"}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
     "\"client_id\":\"a\",\"client_secret\":\"b\"},\"base_url\":\"http://u:p@127.0.0.1/\"}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
     "\"client_id\":\"a\",\"client_secret\":\"b\"},\"base_url\":\"gopher://127.0.0.1/\"}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
     "\"client_id\":\"a\",\"client_secret\":\"b\"},\"base_url\":\"http://127.0.0.1/\\r\\nX: y\"}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
     "\"client_id\":\"a\",\"client_secret\":\"b\"},\"base_url\":\"http://127.0.0.1/?a=b\"}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
     "\"client_id\":\"a\",\"client_secret\":\"b\"},\"scope_config_id\":\"' OR 1=1 --\"}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
     "\"client_id\":\"a\",\"client_secret\":\"b\"},\"scope_config_id\":42}",
     400, INV, 0},
    {"POST", "/v1/integrations", NULL,
     "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"A\"},\"credentials\":{"
     "\"client_id\":\"a\",\"client_secret\":\"b\"},\"admin\":true}",
     400, INV, 0},
    /* -- wrong types and values: the other bodies --------------------------- */
    {"PUT", "/v1/integrations/{I}/enabled", NULL, "{\"value\":\"false\"}", 400, INV, 0},
    {"PUT", "/v1/integrations/{I}/enabled", NULL, "{\"value\":0}", 400, INV, 0},
    {"PUT", "/v1/integrations/{I}/enabled", NULL, "{\"value\":null}", 400, INV, 0},
    {"PUT", "/v1/integrations/{I}/enabled", NULL, "{}", 400, INV, 0},
    {"PUT", "/v1/integrations/{I}/enabled", NULL, "[false]", 400, INV, 0},
    {"PUT", "/v1/integrations/{I}/enabled", NULL, "{\"value\":false,\"x\":1}", 400, INV, 0},
    {"POST", "/v1/force-sync", NULL, "{\"type\":\"HALF\"}", 400, INV, 0},
    {"POST", "/v1/force-sync", NULL, "{\"type\":\"full\"}", 400, INV, 0},
    {"POST", "/v1/force-sync", NULL, "{\"type\":1}", 400, INV, 0},
    {"POST", "/v1/force-sync", NULL, "{\"type\":[\"FULL\"]}", 400, INV, 0},
    {"POST", "/v1/force-sync", NULL, "{\"type\":\"FULL' OR 1=1 --\"}", 400, INV, 0},
    {"POST", "/v1/force-sync", NULL, "{\"type\":\"FULL\",\"x\":1}", 400, INV, 0},
    {"PATCH", "/v1/integrations/{I}/integration-fields/{F}", NULL,
     "{\"enable_passthrough\":\"yes\"}", 400, INV, 0},
    {"PATCH", "/v1/integrations/{I}/integration-fields/{F}", NULL, "{\"enable_passthrough\":1}",
     400, INV, 0},
    {"PATCH", "/v1/integrations/{I}/integration-fields/{F}", NULL,
     "{\"enable_passthrough\":true,\"is_writable\":true}", 400, INV, 0},
    {"PATCH", "/v1/integrations/{I}/integration-fields/{F}", NULL, "[true]", 400, INV, 0},
    {"PUT", "/v1/integrations/{I}/custom-fields/{C}", NULL, "{\"integration_field_id\":5}", 400,
     INV, 0},
    {"PUT", "/v1/integrations/{I}/custom-fields/{C}", NULL, "{\"integration_field_id\":[]}", 400,
     INV, 0},
    {"PUT", "/v1/integrations/{I}/custom-fields/{C}", NULL,
     "{\"integration_field_id\":\"' OR 1=1 --\"}", 400, INV, 0},
    {"PUT", "/v1/integrations/{I}/custom-fields/{C}", NULL, "{}", 400, INV, 0},
    {"POST", "/v1/custom-field-definitions", NULL,
     "{\"model\":\"hris_employees\",\"key\":\"x' OR 1=1 --\",\"label\":\"x\"}", 400, INV, 0},
    {"POST", "/v1/custom-field-definitions", NULL,
     "{\"model\":\"hris_employees\",\"key\":\"../../x\",\"label\":\"x\"}", 400, INV, 0},
    {"POST", "/v1/custom-field-definitions", NULL,
     "{\"model\":\"hris_employees\",\"key\":"
     "\"k12345678901234567890123456789012345678901234567890123456789012345\",\"label\":\"x\"}",
     400, INV, 0},
    {"POST", "/v1/custom-field-definitions", NULL,
     "{\"model\":\"hris_employees\",\"key\":1,\"label\":\"x\"}", 400, INV, 0},
    {"POST", "/v1/custom-field-definitions", NULL,
     "{\"model\":\"users; DROP TABLE records\",\"key\":\"k\",\"label\":\"x\"}", 400, INV, 0},
    {"POST", "/v1/custom-field-definitions", NULL,
     "{\"model\":\"hris_employees\",\"key\":\"shirt\",\"label\":\"x\"}", 409, INV, 0},
    {"POST", "/v1/custom-field-definitions", NULL, "@HUGE_LABEL", 400, INV, 0},
    {"POST", "/v1/scope-configs", NULL, "@HUGE_NAME", 400, INV, 0},
    {"POST", "/v1/scope-configs", NULL, "@ARRAY10K", 400, INV, 0},
    {"POST", "/v1/scope-configs", NULL, "{\"name\":1}", 400, INV, 0},
    {"POST", "/v1/scope-configs", NULL, "{\"name\":\"x\",\"models\":[]}", 400, INV, 0},
    {"POST", "/v1/scope-configs", NULL, "{\"name\":\"x\",\"models\":{\"nope\":{}}}", 400, INV, 0},
    {"POST", "/v1/scope-configs", NULL,
     "{\"name\":\"x\",\"models\":{\"hris_employees\":{\"enabled\":\"no\"}}}", 400, INV, 0},
    {"POST", "/v1/scope-configs", NULL,
     "{\"name\":\"x\",\"models\":{\"hris_employees\":{\"disabled_fields\":\"ssn\"}}}", 400, INV, 0},
    {"POST", "/v1/scope-configs", NULL,
     "{\"name\":\"x\",\"models\":{\"hris_employees\":{\"disabled_fields\":[1]}}}", 400, INV, 0},
    {"POST", "/v1/scope-configs", NULL,
     "{\"name\":\"x\",\"models\":{\"hris_employees\":{\"disabled_fields\":[\"ssn' OR 1=1 "
     "--\"]}}}",
     400, INV, 0},
    {"POST", "/v1/scope-configs", NULL,
     "{\"name\":\"x\",\"models\":{\"hris_employees\":{\"integration_fields\":\"off\"}}}", 400, INV,
     0},
    {"PUT", "/v1/scope-configs/{S}", NULL, "{\"name\":\"x\",\"models\":{\"nope\":{}}}", 400, INV,
     0},
    {"PUT", "/v1/scope-configs/{S}", NULL, "@HUGE_NAME", 400, INV, 0},
    /* -- passthrough ------------------------------------------------------- */
    {"POST", "/v1/passthrough/personio/personnel", NULL, "{\"method\":\"GET\"}", 400, INV, 0},
    {"POST", "/v1/passthrough/personio/personnel", NULL,
     "{\"method\":\"TRACE\",\"path\":\"/company/employees\"}", 400, INV, 0},
    {"POST", "/v1/passthrough/personio/personnel", NULL,
     "{\"method\":\"get\",\"path\":\"/company/employees\"}", 400, INV, 0},
    {"POST", "/v1/passthrough/personio/personnel", NULL,
     "{\"method\":1,\"path\":\"/company/employees\"}", 400, INV, 0},
    {"POST", "/v1/passthrough/personio/personnel", NULL,
     "{\"method\":\"GET\",\"path\":\"//127.0.0.2/x\"}", 400, INV, 0},
    {"POST", "/v1/passthrough/personio/personnel", NULL,
     "{\"method\":\"GET\",\"path\":\"http://127.0.0.1:1/\"}", 400, INV, 0},
    {"POST", "/v1/passthrough/personio/personnel", NULL,
     "{\"method\":\"GET\",\"path\":\"/../../x\"}", 400, INV, 0},
    {"POST", "/v1/passthrough/personio/personnel", NULL,
     "{\"method\":\"GET\",\"path\":\"/x\\r\\nHost: 127.0.0.2\"}", 400, INV, 0},
    {"POST", "/v1/passthrough/personio/personnel", NULL,
     "{\"method\":\"GET\",\"path\":\"/company/employees\",\"headers\":{\"Authorization\":\"x\"}}",
     400, INV, 0},
    {"POST", "/v1/passthrough/personio/personnel", NULL,
     "{\"method\":\"GET\",\"path\":\"/company/employees\",\"headers\":{\"Host\":\"127.0.0.2\"}}",
     400, INV, 0},
    {"POST", "/v1/passthrough/personio/personnel", NULL,
     "{\"method\":\"GET\",\"path\":\"/company/employees\",\"headers\":{\"X-A\":\"b\\r\\nX-Injected:"
     " 1\"}}",
     400, INV, 0},
    {"POST", "/v1/passthrough/personio/personnel", NULL,
     "{\"method\":\"GET\",\"path\":\"/company/employees\",\"headers\":{\"X A\":\"b\"}}", 400, INV,
     0},
    {"POST", "/v1/passthrough/personio/personnel", NULL,
     "{\"method\":\"GET\",\"path\":\"/company/employees\",\"params\":[\"a\"]}", 400, INV, 0},
    {"POST", "/v1/passthrough/personio/personnel", NULL,
     "{\"method\":\"GET\",\"path\":\"/company/employees\",\"params\":{\"limit\":1}}", 400, INV, 0},
    {"POST", "/v1/passthrough/personio/nope", NULL, "{\"method\":\"GET\",\"path\":\"/x\"}", 400,
     INV, 0},
    {"POST", "/v1/passthrough/bamboohr/personnel", NULL, "{\"method\":\"GET\",\"path\":\"/x\"}",
     400, INV, 0},
    {"POST", "/v1/passthrough/personio/personnel", NULL, "", 400, INV, 0},
    /* -- query values on the lists that are not HRIS ----------------------- */
    {"GET", "/v1/integrations/{I}/integration-fields?page_size=0", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/integrations/{I}/integration-fields?page_size=2001", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/integrations/{I}/integration-fields?cursor=abc.def", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/integrations/{I}/custom-fields?page_size=251", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/integrations/{I}/custom-fields?cursor=%ff", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/integrations/{I}/syncs?page_size=-1", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/scope-configs?page_size=1e9", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/scope-configs?cursor='%20OR%201=1%20--", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/tools/HRIS", NULL, NULL, 400, INV, 0},
    /* -- HRIS filters that are not generic --------------------------------- */
    {"GET", "/v1/hris/employees?employment_statuses=ACTIVE,NOPE", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/hris/employees?employment_statuses=ACTIVE'%20OR%201=1%20--", NULL, NULL, 400, INV,
     0},
    {"GET", "/v1/hris/employees?custom_fields=notjson", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/hris/employees?custom_fields=%7B%22shirt%22:%7B%22a%22:1%7D%7D", NULL, NULL, 400,
     INV, 0},
    {"GET", "/v1/hris/employees?custom_fields=%7B%22a%22:1,%22b%22:2%7D", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/hris/employees?custom_fields=%7B%22nope%22:1%7D", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/hris/employees?custom_fields=%5B%5D", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/hris/employees?group_ids=,,,", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/hris/absences?date_from=yesterday", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/hris/absences?date_until=2024-02-30", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/hris/absences?time_from=%ff", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/hris/absences?time_until=9999999999999999999", NULL, NULL, 400, INV, 0},
    /* -- accepted by the contract: the right 2xx, nothing leaked ------------ */
    {"GET", "/v1/hris/employees?page_size=250&unknown_param=1", NULL, NULL, 200,
     "/v1/hris/employees?page_size=250", H_SAME},
    {"GET", "/v1/hris/employees?page_size=250&%3Cscript%3E=%3C%2Fscript%3E", NULL, NULL, 200,
     "/v1/hris/employees?page_size=250", H_SAME},
    {"GET", "/v1/hris/employees?ids=%27%20OR%201%3D1%20--", NULL, NULL, 200, NULL, H_EMPTY},
    {"GET", "/v1/hris/employees?remote_ids=1%27%20OR%20%271%27%3D%271", NULL, NULL, 200, NULL,
     H_EMPTY},
    {"GET", "/v1/hris/employees?ids=%ff%fe", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/hris/employees?%ff=1", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/hris/absences?employee_id=%e2%82", NULL, NULL, 400, INV, 0},
    {"GET", "/v1/hris/employees?work_emails=\xff@x.y", NULL, NULL, 400, INV, H_RAW},
    {"GET", "/v1/hris/employees?work_emails=a%40b.c%27%3B%20DROP%20TABLE%20records%3B--", NULL,
     NULL, 200, NULL, H_EMPTY},
    {"GET", "/v1/hris/employees?ids=..%2F..%2Fetc%2Fpasswd", NULL, NULL, 200, NULL, H_EMPTY},
    {"GET", "/v1/hris/absences?employee_id=%25", NULL, NULL, 200, NULL, H_EMPTY},
    {"GET", "/v1/hris/groups?ids=_", NULL, NULL, 200, NULL, H_EMPTY},
};

/* Cases with generated parts that a static initialiser cannot hold. */
static char *special_headers(const char *h)
{
    if (!strcmp(h, "X-Filler: @HUGE_HEADER"))
        return repeat("X-Filler: ", "a", 100000, "");
    if (!strcmp(h, "@MANY_HEADERS")) {
        char *s = malloc(500 * 24);
        size_t n = 0;
        for (int i = 0; i < 500; i++)
            n += (size_t)snprintf(s + n, 24, "X-Filler-%d: v\n", i);
        return s;
    }
    return NULL;
}

static char *special_path(const char *p)
{
    if (!strcmp(p, "/v1/check-api-key?@QUERY70")) {
        char *s = malloc(70 * 12 + 64);
        size_t n = (size_t)snprintf(s, 64, "/v1/check-api-key?");
        for (int i = 0; i < 70; i++)
            n += (size_t)snprintf(s + n, 12, "p%d=1&", i);
        return s;
    }
    if (!strcmp(p, "/v1/check-api-key?a=@LONG_URL"))
        return repeat("/v1/check-api-key?a=", "a", 9000, "");
    if (!strcmp(p, "/v1/integrations/@LONG_ID"))
        return repeat("/v1/integrations/personio:", "A", 4000, "");
    return NULL;
}

/* ---- fixture ------------------------------------------------------------- */

static const char *const tables[] = {"environments",
                                     "api_keys",
                                     "scope_configs",
                                     "integrations",
                                     "sync_runs",
                                     "records",
                                     "record_attrs",
                                     "integration_fields",
                                     "field_values",
                                     "custom_field_definitions",
                                     "custom_field_mappings",
                                     NULL};

static const char *const hris_lists[] = {"employees",
                                         "employments",
                                         "groups",
                                         "teams",
                                         "locations",
                                         "legal-entities",
                                         "absence-types",
                                         "absences",
                                         "time-off-balances",
                                         NULL};

static json_t *post_ok(const char *path, const char *body, long status)
{
    struct hcase c = {"POST", path, NULL, body, 0, NULL, 0};
    struct hresp r;
    json_t *d;

    assert_int_equal(send_case(&c, &r), 0);
    if (r.status != status)
        fail_msg("POST %s: %ld %s", path, r.status, r.body);
    d = json_incref(json_object_get(r.json, "data"));
    hresp_free(&r);
    return d;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int setup(void **state)
{
    const char *sim_args[] = {"--employees", "30", NULL};
    char path[256];
    json_t *d;

    (void)state;
    if (harness_tmpdir(tmp, sizeof(tmp)) != 0)
        return -1;
    snprintf(db, sizeof(db), "sqlite:%s/hb.db", tmp);
    if (harness_start_hrsim(&sim, tmp, sim_args) != 0 ||
        harness_new_key(db, "hostile", key, sizeof(key)) != 0 ||
        harness_start_hrbridge(&srv, tmp, db, NULL) != 0)
        return -1;

    d = post_ok("/v1/custom-field-definitions",
                "{\"model\":\"hris_employees\",\"key\":\"shirt\",\"label\":\"Shirt size\"}", 201);
    snprintf(cfd_id, sizeof(cfd_id), "%s", json_string_value(json_object_get(d, "id")));
    json_decref(d);
    d = post_ok("/v1/scope-configs",
                "{\"name\":\"narrow\",\"models\":{\"hris_employees\":{\"disabled_fields\":"
                "[\"ssn\"]}}}",
                201);
    snprintf(scope_id, sizeof(scope_id), "%s", json_string_value(json_object_get(d, "id")));
    json_decref(d);
    {
        char body[1024];
        snprintf(body, sizeof(body),
                 "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Acme\"},"
                 "\"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"},"
                 "\"base_url\":\"%s/personio\"}",
                 sim.base_url);
        d = post_ok("/v1/integrations", body, 201);
        snprintf(integ, sizeof(integ), "%s", json_string_value(json_object_get(d, "id")));
        json_decref(d);
    }
    /* Wait for the first sync. */
    snprintf(path, sizeof(path), "/v1/integrations/%s/syncs", integ);
    for (int i = 0;; i++) {
        char *b = get_body(path, NULL);
        int done = strstr(b, "\"SUCCEEDED\"") != NULL, failed = strstr(b, "\"FAILED\"") != NULL;
        free(b);
        if (done)
            break;
        if (failed || i > 600) {
            fprintf(stderr, "first sync did not succeed\n");
            return -1;
        }
        sleep_ms(50);
    }
    snprintf(path, sizeof(path), "/v1/integrations/%s/integration-fields?page_size=1", integ);
    {
        struct hcase c = {"GET", path, NULL, NULL, 0, NULL, 0};
        struct hresp r;
        if (send_case(&c, &r) != 0)
            return -1;
        snprintf(field_id, sizeof(field_id), "%s",
                 json_string_value(json_object_get(
                     json_array_get(json_object_get(json_object_get(r.json, "data"), "results"), 0),
                     "id")));
        hresp_free(&r);
    }
    return field_id[0] ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    harness_stop(&srv);
    harness_stop(&sim);
    harness_rmtree(tmp);
    return 0;
}

/* Appends the full answer to GET path to *all (status and body). */
static void snap_one(const char *path, char **all, size_t *len, size_t *cap)
{
    long status;
    char *b = get_body(path, &status);
    size_t n = strlen(b) + strlen(path) + 32;

    if (status != 200)
        fail_msg("snapshot %s: %ld %s", path, status, b);
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *all = realloc(*all, *cap);
    }
    *len += (size_t)snprintf(*all + *len, *cap - *len, "%s\n%s\n", path, b);
    free(b);
}

/* Every read endpoint's full answer, concatenated, and the row counts. */
static char *snapshot(void)
{
    static const char *const paths[] = {"/v1/check-api-key",
                                        "/v1/tools/hris",
                                        "/v1/integrations/{I}",
                                        "/v1/integrations/{I}/integration-fields?page_size=2000",
                                        "/v1/integrations/{I}/custom-fields",
                                        "/v1/integrations/{I}/syncs",
                                        "/v1/custom-field-definitions",
                                        "/v1/scope-configs",
                                        "/v1/scope-configs/{S}",
                                        NULL};
    size_t cap = 1 << 20, len = 0;
    char *all = malloc(cap);

    all[0] = '\0';
    for (int i = 0; paths[i]; i++)
        snap_one(paths[i], &all, &len, &cap);
    for (int i = 0; hris_lists[i]; i++) {
        char p[256];
        snprintf(p, sizeof(p), "/v1/hris/%s?page_size=250&include_deleted=true", hris_lists[i]);
        snap_one(p, &all, &len, &cap);
    }
    for (int i = 0; tables[i]; i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
        if (len + 128 > cap) {
            cap *= 2;
            all = realloc(all, cap);
        }
        len += (size_t)snprintf(all + len, cap - len, "%s=%lld\n", tables[i],
                                harness_db_scalar(db, sql, NULL));
    }
    return all;
}

/* Runs a case, with the generated headers or path when it has them. */
static void run_one(const struct hcase *c, int idx)
{
    struct hcase x = *c;
    char *h = c->headers ? special_headers(c->headers) : NULL;
    char *p = special_path(c->path);

    if (h)
        x.headers = h;
    if (p)
        x.path = p;
    run_case(&x, idx);
    free(h);
    free(p);
}

/* A cursor of list `what` (the next of its first page of one). */
static void first_cursor(const char *what, char *out, size_t outlen)
{
    char path[256], *b;
    json_t *j;

    snprintf(path, sizeof(path), "/v1/hris/%s?page_size=1", what);
    b = get_body(path, NULL);
    j = json_loads(b, 0, NULL);
    {
        const char *next = json_string_value(json_object_get(json_object_get(j, "data"), "next"));
        if (!next)
            fail_msg("no second page of %s: %.300s", what, b);
        snprintf(out, outlen, "%s", next);
    }
    json_decref(j);
    free(b);
}

/* Every list times every bad value; cursors forged, tampered, cut, grown and
 * taken from another list. Returns how many cases ran. */
static int run_generated(int base)
{
    static const char *const bad[] = {
        "page_size=0",
        "page_size=-1",
        "page_size=1e9",
        "page_size=abc",
        "page_size=251",
        "page_size=",
        "page_size=%20",
        "page_size=99999999999999999999999",
        "page_size=1%00",
        "updated_after=notadate",
        "updated_after=2024-13-45T00:00:00.000Z",
        "updated_after=%27%20OR%201%3D1%20--",
        "include_deleted=maybe",
        "include_deleted=TRUE",
        "ignore_unsupported_filters=1",
        "cursor=abc",
        "cursor=abc.def",
        "cursor=%ff%fe.%00",
        "cursor=MR9ocmlzX2VtcGxveWVlcx9wZXJzb25pbzo.AAAAAAAAAAAAAAAAAAAAAA",
        "ids=",
        "ids=,,,",
        NULL};
    int n = 0;

    for (int l = 0; hris_lists[l]; l++) {
        char cur[600], other[600], path[12000];
        const char *other_list = l == 0 ? "groups" : "employees";
        size_t clen;

        for (int b = 0; bad[b]; b++, n++) {
            struct hcase c = {"GET", path, NULL, NULL, 400, INV, 0};
            snprintf(path, sizeof(path), "/v1/hris/%s?%s", hris_lists[l], bad[b]);
            run_one(&c, base + n);
        }
        /* 251 ids, and ids enough to pass the URL limit. */
        {
            struct hcase c = {"GET", NULL, NULL, NULL, 400, INV, 0};
            char *p = repeat("", "x,", 251, "x");
            snprintf(path, sizeof(path), "/v1/hris/%s?ids=%s", hris_lists[l], p);
            free(p);
            c.path = path;
            run_one(&c, base + n++);
            p = repeat("", "abcdefghijklmnopqrstuvwx,", 400, "x");
            c.path = p;
            c.status = 414;
            {
                char *full = malloc(strlen(p) + 64);
                snprintf(full, strlen(p) + 64, "/v1/hris/%s?ids=%s", hris_lists[l], p);
                c.path = full;
                run_one(&c, base + n++);
                free(full);
            }
            free(p);
        }
        /* Cursors. */
        first_cursor(hris_lists[l], cur, sizeof(cur));
        first_cursor(other_list, other, sizeof(other));
        clen = strlen(cur);
        {
            struct hcase c = {"GET", path, NULL, NULL, 400, INV, 0};
            char t[1200];
            char *big;

            /* tampered: one payload character changed */
            snprintf(t, sizeof(t), "%s", cur);
            t[2] = t[2] == 'A' ? 'B' : 'A';
            snprintf(path, sizeof(path), "/v1/hris/%s?cursor=%s", hris_lists[l], t);
            run_one(&c, base + n++);
            /* tampered MAC */
            snprintf(t, sizeof(t), "%s", cur);
            t[clen - 2] = t[clen - 2] == 'A' ? 'B' : 'A';
            snprintf(path, sizeof(path), "/v1/hris/%s?cursor=%s", hris_lists[l], t);
            run_one(&c, base + n++);
            /* truncated */
            snprintf(path, sizeof(path), "/v1/hris/%s?cursor=%.*s", hris_lists[l], (int)clen - 4,
                     cur);
            run_one(&c, base + n++);
            /* payload only */
            snprintf(path, sizeof(path), "/v1/hris/%s?cursor=%.*s", hris_lists[l],
                     (int)(strchr(cur, '.') - cur), cur);
            run_one(&c, base + n++);
            /* oversized */
            big = repeat("", "A", 3000, "");
            snprintf(path, sizeof(path), "/v1/hris/%s?cursor=%s%s", hris_lists[l], cur, big);
            free(big);
            run_one(&c, base + n++);
            /* another list's */
            snprintf(path, sizeof(path), "/v1/hris/%s?cursor=%s", hris_lists[l], other);
            run_one(&c, base + n++);
            /* the real one, then a NUL */
            snprintf(path, sizeof(path), "/v1/hris/%s?cursor=%s%%00", hris_lists[l], cur);
            run_one(&c, base + n++);
            /* unknown parameter: accepted, same answer */
            c.status = 200;
            c.flags = H_SAME;
            snprintf(t, sizeof(t), "/v1/hris/%s?page_size=3&cursor=%s", hris_lists[l], cur);
            c.code = t;
            snprintf(path, sizeof(path), "/v1/hris/%s?page_size=3&cursor=%s&foo=bar", hris_lists[l],
                     cur);
            run_one(&c, base + n++);
        }
    }
    return n;
}

/* ---- the test ------------------------------------------------------------ */

static void hostile_input_is_refused_and_changes_nothing(void **state)
{
    char *before, *after;
    int n = (int)(sizeof(cases) / sizeof(cases[0])), g;

    (void)state;
    before = snapshot();
    for (int i = 0; i < n; i++)
        run_one(&cases[i], i);
    g = run_generated(n);
    print_message("%d table cases + %d generated cases\n", n, g);
    assert_true(n + g >= 100);

    /* Still serving, the process alive, and nothing changed. */
    assert_int_equal(kill(srv.pid, 0), 0);
    after = snapshot();
    if (strcmp(before, after) != 0) {
        size_t i = 0;
        while (before[i] && before[i] == after[i])
            i++;
        fail_msg("data changed; first difference at byte %zu:\nbefore: %.300s\nafter:  %.300s", i,
                 before + (i > 100 ? i - 100 : 0), after + (i > 100 ? i - 100 : 0));
    }
    free(before);
    free(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hostile_input_is_refused_and_changes_nothing),
    };

    return cmocka_run_group_tests_name("hostile", tests, setup, teardown);
}
