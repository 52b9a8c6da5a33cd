/* server — libmicrohttpd glue: request contexts, bodies, responses, logs. */
#include "http/server.h"

#include "core/alloc.h"
#include "core/isotime.h"
#include "core/log.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct server {
    struct MHD_Daemon *daemon;
    const struct app *app;
    int port;
};

struct req_ctx {
    struct req rq;
    int64_t started_ms;
    int seen;         /* the access handler has been called once */
    int bad_framing;  /* Content-Length given twice, or with Transfer-Encoding */
    size_t discarded; /* body bytes dropped after the limit was passed */
};

/* How much of a body past http.max_body is read and dropped so the client
 * gets its 413 (libmicrohttpd cannot answer before the body is in), in
 * multiples of the limit; beyond it the connection is closed. */
#define DRAIN_FACTOR 8

/* The raw URI, before libmicrohttpd touches it; creates the request context. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct server *s = cls;
    struct req_ctx *ctx = xcalloc(1, sizeof(*ctx));

    (void)conn;
    ctx->rq.app = s->app;
    ctx->rq.raw_uri = xstrndup(uri ? uri : "/", REQ_MAX_URI + 1);
    ctx->started_ms = isotime_mono_ms();
    buf_init(&ctx->rq.body, (size_t)s->app->cfg->http_max_body);
    ids_random(ctx->rq.request_id);
    return ctx;
}

/* Keeps query values raw: request.c decodes them itself. */
static size_t no_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return strlen(s);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct req_ctx *ctx = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (!ctx)
        return;
    req_free(&ctx->rq);
    free(ctx);
    *con_cls = NULL;
}

/* libmicrohttpd's own messages; fmt comes from the library, not from input. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '"'))
        msg[--n] = '\0';
    log_warn("http", "msg=\"%s\"", msg);
}

static enum MHD_Result send_resp(struct req_ctx *ctx, struct MHD_Connection *conn, struct resp *rs)
{
    struct MHD_Response *r;
    size_t len = rs->body.len;
    char *body = buf_take(&rs->body);
    enum MHD_Result ret;

    r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(
        r, "Content-Type", rs->content_type ? rs->content_type : "application/json; charset=utf-8");
    MHD_add_response_header(r, "X-Request-Id", ctx->rq.request_id);
    if (rs->status == 405 && rs->allow[0])
        MHD_add_response_header(r, "Allow", rs->allow);
    if (rs->close)
        MHD_add_response_header(r, "Connection", "close");
    ret = MHD_queue_response(conn, (unsigned)rs->status, r);
    MHD_destroy_response(r);
    log_info("http", "msg=request request_id=%s method=%s path=\"%.200s\" status=%d ms=%lld%s%s",
             ctx->rq.request_id, ctx->rq.method, ctx->rq.path ? ctx->rq.path : "?", rs->status,
             (long long)(isotime_mono_ms() - ctx->started_ms), rs->error_code ? " code=" : "",
             rs->error_code ? rs->error_code : "");
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct server *s = cls;
    struct req_ctx *ctx = *con_cls;
    struct resp rs;
    struct err e;
    enum MHD_Result ret;
    int rc;

    (void)url;
    (void)version;
    if (!ctx)
        return MHD_NO;
    if (!ctx->seen) {
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        ctx->seen = 1;
        ctx->rq.conn = conn;
        snprintf(ctx->rq.method, sizeof(ctx->rq.method), "%s", method);
        /* Two framings of one body are how requests are smuggled past a
         * proxy that reads the other one: refused, and the connection
         * closed. */
        if (req_header_count(&ctx->rq, "Content-Length") > 1 ||
            (cl && req_header_count(&ctx->rq, "Transfer-Encoding") > 0))
            ctx->bad_framing = 1;
        /* A declared body over the limit is refused before it is read. */
        else if (cl && strtoull(cl, NULL, 10) > (unsigned long long)s->app->cfg->http_max_body)
            ctx->rq.body_too_large = 1;
        else
            return MHD_YES;
    }
    if (*upload_data_size) {
        if (!ctx->rq.body_too_large &&
            buf_append(&ctx->rq.body, upload_data, *upload_data_size) != ERR_OK)
            ctx->rq.body_too_large = 1;
        if (ctx->rq.body_too_large) {
            ctx->discarded += *upload_data_size;
            if (ctx->discarded / DRAIN_FACTOR > (size_t)s->app->cfg->http_max_body)
                return MHD_NO;
        }
        *upload_data_size = 0;
        /* The answer waits for the end of the body: libmicrohttpd cannot
         * queue one while the body is still arriving. */
        return MHD_YES;
    }

    resp_init(&rs);
    err_init(&e);
    if (ctx->bad_framing) {
        req_parse_uri(&ctx->rq, &e);
        resp_error(&rs, HE_INPUT_INVALID,
                   "send one Content-Length, or Transfer-Encoding alone, not both");
        rs.close = 1;
    } else if (ctx->rq.body_too_large) {
        if (!ctx->rq.path)
            req_parse_uri(&ctx->rq, &e);
        resp_error(&rs, HE_BODY_TOO_LARGE, "the request body is larger than %ld bytes",
                   s->app->cfg->http_max_body);
    } else {
        rc = req_parse_uri(&ctx->rq, &e);
        if (rc == ERR_TOO_LARGE && strlen(ctx->rq.raw_uri) > REQ_MAX_URI)
            resp_error(&rs, HE_URI_TOO_LONG, "%s", e.msg);
        else if (rc != ERR_OK)
            resp_error(&rs, HE_INPUT_INVALID, "%s", e.msg);
        else
            router_dispatch(&ctx->rq, &rs);
    }
    ret = send_resp(ctx, conn, &rs);
    resp_free(&rs);
    return ret;
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sslen,
                        struct err *e)
{
    const char *colon = strrchr(listen, ':');
    struct addrinfo hints, *res = NULL;
    char host[256];
    size_t hlen;
    int rc;

    if (!colon || colon == listen || !colon[1])
        return err_set(e, ERR_INVALID, "http.listen: expected HOST:PORT, got \"%s\"", listen);
    hlen = (size_t)(colon - listen);
    if (listen[0] == '[' && hlen >= 2 && listen[hlen - 1] == ']') {
        listen++;
        hlen -= 2;
    }
    if (hlen >= sizeof(host))
        return err_set(e, ERR_INVALID, "http.listen: host name too long");
    memcpy(host, listen, hlen);
    host[hlen] = '\0';
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    rc = getaddrinfo(host, colon + 1, &hints, &res);
    if (rc != 0 || !res)
        return err_set(e, ERR_INVALID, "http.listen: cannot resolve \"%s\": %s", listen,
                       gai_strerror(rc));
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *sslen = res->ai_addrlen;
    freeaddrinfo(res);
    return ERR_OK;
}

int server_start(const struct app *app, struct server **out, struct err *e)
{
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    struct server *s;
    const union MHD_DaemonInfo *info;
    unsigned threads = (unsigned)app->cfg->http_threads;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    int rc;

    rc = parse_listen(app->cfg->listen, &ss, &sslen, e);
    if (rc != ERR_OK)
        return rc;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 2;
    }
    s = xcalloc(1, sizeof(*s));
    s->app = app;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)app->cfg->http_max_connections,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_END);
    if (!s->daemon) {
        free(s);
        return err_set(e, ERR_INTERNAL, "cannot listen on %s (address in use or not allowed)",
                       app->cfg->listen);
    }
    info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    log_info("http", "msg=listening address=%s port=%d threads=%u", app->cfg->listen, s->port,
             threads);
    *out = s;
    return ERR_OK;
}

int server_port(const struct server *s)
{
    return s->port;
}

void server_stop(struct server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}
