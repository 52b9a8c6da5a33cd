/*
 * server — libmicrohttpd front of hrsim (see server.h).
 *
 * One thread per connection: stalls and --latency-ms simply sleep in that
 * connection's thread. Bodies are built in memory for pages and streamed via
 * a content-reader callback for whole-result endpoints (BambooHR reports,
 * HiBob search), so memory does not grow with --employees.
 */
#include "server.h"

#include "simerr.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#define STREAM_CUT_BYTES 16384 /* a truncated streamed body stops after this */

struct server {
    struct sim_options opt;
    struct gen_config gen;
    struct state tools[SIM_N_TOOLS];
    struct MHD_Daemon *daemon;
    atomic_int stopping;
    int port;
};

/* Per-request upload buffer. */
struct conn_ctx {
    struct sbuf body;
    int too_large;
};

/* Content-reader state for callback responses. */
struct reader {
    struct server *srv;
    struct sbuf buf;
    size_t pos;
    size_t emitted; /* body bytes handed to MHD so far */
    http_fill_fn *fill;
    void (*fill_free)(void *);
    void *fill_ctx;
    int done;
    size_t cut_at;   /* SIZE_MAX = never */
    size_t stall_at; /* SIZE_MAX = never */
    int stall_ms;
};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps ms milliseconds, waking early when the server stops. */
static void nap(struct server *srv, int ms)
{
    while (ms > 0 && !atomic_load(&srv->stopping)) {
        int step = ms < 50 ? ms : 50;
        struct timespec ts = {0, (long)step * 1000000L};

        nanosleep(&ts, NULL);
        ms -= step;
    }
}

/* ------------------------------------------------------------------------ */
/* Responses */

static ssize_t reader_cb(void *cls, uint64_t pos, char *out, size_t max)
{
    struct reader *r = cls;
    size_t n;

    (void)pos;
    for (;;) {
        if (r->emitted >= r->cut_at)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (r->stall_ms && r->emitted >= r->stall_at) {
            nap(r->srv, r->stall_ms);
            r->stall_ms = 0;
        }
        if (r->pos < r->buf.len) {
            n = r->buf.len - r->pos;
            if (n > max)
                n = max;
            if (r->cut_at != SIZE_MAX && n > r->cut_at - r->emitted)
                n = r->cut_at - r->emitted;
            if (r->stall_ms && r->stall_at > r->emitted && n > r->stall_at - r->emitted)
                n = r->stall_at - r->emitted;
            memcpy(out, r->buf.data + r->pos, n);
            r->pos += n;
            r->emitted += n;
            return (ssize_t)n;
        }
        if (!r->fill || r->done)
            return MHD_CONTENT_READER_END_OF_STREAM;
        sbuf_reset(&r->buf);
        r->pos = 0;
        if (!r->fill(r->fill_ctx, &r->buf))
            r->done = 1;
    }
}

static void reader_free(void *cls)
{
    struct reader *r = cls;

    if (r->fill_free && r->fill_ctx)
        r->fill_free(r->fill_ctx);
    sbuf_free(&r->buf);
    free(r);
}

/* Turns resp into an MHD response, applying a truncate/stall fault. Takes
 * the body and stream out of resp. */
static struct MHD_Response *make_response(struct server *srv, struct http_resp *resp,
                                          const struct state_fault *fault)
{
    struct MHD_Response *mr;
    int faulty = fault && (fault->kind == STATE_FAULT_TRUNCATE || fault->kind == STATE_FAULT_STALL);

    if (!resp->fill && !faulty) {
        size_t len;
        char *data = sbuf_take(&resp->body, &len);

        mr = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
        if (!mr)
            free(data);
    } else {
        struct reader *r = calloc(1, sizeof(*r));
        uint64_t size = MHD_SIZE_UNKNOWN;

        if (!r)
            abort();
        r->srv = srv;
        r->buf = resp->body;
        sbuf_init(&resp->body);
        r->fill = resp->fill;
        r->fill_free = resp->fill_free;
        r->fill_ctx = resp->fill_ctx;
        resp->fill = NULL;
        resp->fill_free = NULL;
        resp->fill_ctx = NULL;
        r->cut_at = SIZE_MAX;
        r->stall_at = SIZE_MAX;
        if (!r->fill)
            size = r->buf.len;
        if (fault && fault->kind == STATE_FAULT_TRUNCATE)
            r->cut_at = r->fill ? STREAM_CUT_BYTES : r->buf.len / 2;
        if (fault && fault->kind == STATE_FAULT_STALL) {
            r->stall_at = r->fill ? STREAM_CUT_BYTES : r->buf.len / 2;
            r->stall_ms = fault->stall_ms > 0 ? fault->stall_ms : srv->opt.stall_ms;
        }
        mr = MHD_create_response_from_callback(size, 16384, reader_cb, r, reader_free);
        if (!mr)
            reader_free(r);
    }
    if (!mr)
        return NULL;
    if (resp->content_type)
        MHD_add_response_header(mr, "Content-Type", resp->content_type);
    for (int i = 0; i < resp->n_headers; i++)
        MHD_add_response_header(mr, resp->header_name[i], resp->header_value[i]);
    return mr;
}

/* ------------------------------------------------------------------------ */
/* Control endpoints */

static int id_from_json(const struct vendor *v, json_t *item, int64_t *index)
{
    char tmp[32];

    if (json_is_string(item))
        return v->id_to_index(json_string_value(item), index);
    if (json_is_integer(item)) {
        snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(item));
        return v->id_to_index(tmp, index);
    }
    return SIM_ERR_INVALID;
}

static void control_mutate(struct server *srv, enum sim_tool t, const struct http_req *req,
                           struct http_resp *resp)
{
    const struct vendor *v = sim_vendor(t);
    struct state *st = &srv->tools[t];
    json_error_t jerr;
    json_t *root = json_loadb(req->body, req->body_len, 0, &jerr);
    json_t *upd, *del, *add, *item;
    int64_t now = sim_now(), index, first = 0, n_add = 0;
    int n_upd = 0, n_del = 0;
    size_t i;
    char id[40];

    if (!root || !json_is_object(root)) {
        http_json(resp, 400, "{\"error\":\"body must be a JSON object\"}");
        goto out;
    }
    upd = json_object_get(root, "update");
    del = json_object_get(root, "delete");
    add = json_object_get(root, "add");
    if ((upd && !json_is_array(upd)) || (del && !json_is_array(del)) ||
        (add && (!json_is_integer(add) || json_integer_value(add) < 0 ||
                 json_integer_value(add) > STATE_MAX_ADD))) {
        http_json(resp, 400,
                  "{\"error\":\"expected {\\\"update\\\":[ids],\\\"delete\\\":[ids],"
                  "\\\"add\\\":N}\"}");
        goto out;
    }
    json_array_foreach (upd, i, item) {
        if (id_from_json(v, item, &index) == SIM_OK &&
            state_update(st, srv->gen.employees, index, now) == SIM_OK)
            n_upd++;
    }
    json_array_foreach (del, i, item) {
        if (id_from_json(v, item, &index) == SIM_OK &&
            state_delete(st, srv->gen.employees, index, now) == SIM_OK)
            n_del++;
    }
    if (add && json_integer_value(add) > 0) {
        n_add = json_integer_value(add);
        if (state_add(st, srv->gen.employees, n_add, now, &first) != SIM_OK) {
            http_json(resp, 413, "{\"error\":\"overlay full\"}");
            goto out;
        }
    }
    resp->status = 200;
    resp->content_type = "application/json";
    sbuf_printf(&resp->body, "{\"updated\":%d,\"deleted\":%d,\"added\":%lld,\"added_ids\":[", n_upd,
                n_del, (long long)n_add);
    for (int64_t k = 0; k < n_add && k < 10000; k++) {
        v->index_to_id(first + k, id, sizeof(id));
        if (k)
            sbuf_addc(&resp->body, ',');
        sbuf_add_jstr(&resp->body, id);
    }
    sbuf_adds(&resp->body, "]}");
out:
    json_decref(root);
}

static void control_fault(struct server *srv, enum sim_tool t, const struct http_req *req,
                          struct http_resp *resp)
{
    json_error_t jerr;
    json_t *root = json_loadb(req->body, req->body_len, 0, &jerr);
    struct state_fault f = {STATE_FAULT_STATUS, 500, 0, 0};
    const char *kind;
    json_int_t count = 1;

    if (!root || !json_is_object(root)) {
        http_json(resp, 400, "{\"error\":\"body must be a JSON object\"}");
        goto out;
    }
    if (json_is_true(json_object_get(root, "expire_tokens")))
        state_expire_tokens(&srv->tools[t]);
    kind = json_string_value(json_object_get(root, "kind"));
    if (json_is_integer(json_object_get(root, "status")))
        f.status = (int)json_integer_value(json_object_get(root, "status"));
    if (json_is_integer(json_object_get(root, "retry_after")))
        f.retry_after = (int)json_integer_value(json_object_get(root, "retry_after"));
    if (json_is_integer(json_object_get(root, "stall_ms")))
        f.stall_ms = (int)json_integer_value(json_object_get(root, "stall_ms"));
    if (json_is_integer(json_object_get(root, "count")))
        count = json_integer_value(json_object_get(root, "count"));
    if (kind && !strcmp(kind, "truncate"))
        f.kind = STATE_FAULT_TRUNCATE;
    else if (kind && !strcmp(kind, "stall"))
        f.kind = STATE_FAULT_STALL;
    else if (kind && strcmp(kind, "status") != 0) {
        http_json(resp, 400, "{\"error\":\"kind: status, truncate or stall\"}");
        goto out;
    }
    if (f.status < 100 || f.status > 599 || f.retry_after < 0 || f.retry_after > 86400 ||
        f.stall_ms < 0 || f.stall_ms > 600000 || count < 0 || count > 1000000) {
        http_json(resp, 400, "{\"error\":\"status, retry_after, stall_ms or count out of range\"}");
        goto out;
    }
    if (!json_object_get(root, "status") && !kind && json_object_get(root, "expire_tokens"))
        count = 0; /* only expiring tokens */
    state_set_fault(&srv->tools[t], &f, (int)count);
    resp->status = 200;
    resp->content_type = "application/json";
    sbuf_printf(&resp->body, "{\"queued\":%lld}", (long long)count);
out:
    json_decref(root);
}

static void control(struct server *srv, enum sim_tool t, const struct http_req *req,
                    struct http_resp *resp)
{
    const char *op = req->path + strlen("/__sim/");
    int post = !strcmp(req->method, "POST");

    if (!strcmp(op, "mutate") && post) {
        control_mutate(srv, t, req, resp);
    } else if (!strcmp(op, "fault") && post) {
        control_fault(srv, t, req, resp);
    } else if (!strcmp(op, "reset") && post) {
        state_reset(&srv->tools[t]);
        http_json(resp, 200, "{\"reset\":true}");
    } else if (!strcmp(op, "requests") && !strcmp(req->method, "GET")) {
        resp->content_type = "application/json";
        state_log_json(&srv->tools[t], &resp->body);
    } else {
        http_json(resp, 404, "{\"error\":\"unknown control endpoint\"}");
    }
}

/* ------------------------------------------------------------------------ */
/* Request dispatch */

static void log_request(struct server *srv, enum sim_tool t, const struct http_req *req, int status,
                        const char *query)
{
    struct state_log e;
    const char *h;

    memset(&e, 0, sizeof(e));
    e.ts_ms = now_ms();
    e.status = status;
    snprintf(e.method, sizeof(e.method), "%s", req->method);
    snprintf(e.path, sizeof(e.path), "%s", req->path);
    h = http_header(req, "Accept");
    snprintf(e.accept, sizeof(e.accept), "%s", h ? h : "");
    h = http_header(req, "Content-Type");
    snprintf(e.content_type, sizeof(e.content_type), "%s", h ? h : "");
    h = http_header(req, "Authorization");
    if (h && !strncasecmp(h, "Basic ", 6))
        snprintf(e.auth, sizeof(e.auth), "basic");
    else if (h && !strncasecmp(h, "Bearer ", 7))
        snprintf(e.auth, sizeof(e.auth), "bearer");
    else if (http_header(req, "x-api-key"))
        snprintf(e.auth, sizeof(e.auth), "apikey");
    else
        snprintf(e.auth, sizeof(e.auth), "none");
    snprintf(e.query, sizeof(e.query), "%s", query);
    state_log_add(&srv->tools[t], &e);
}

struct query_acc {
    char *out;
    size_t cap, len;
};

static enum MHD_Result query_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    struct query_acc *a = cls;
    int n;

    (void)kind;
    if (a->len >= a->cap)
        return MHD_NO;
    n = snprintf(a->out + a->len, a->cap - a->len, "%s%s%s%s", a->len ? "&" : "", key,
                 value ? "=" : "", value ? value : "");
    if (n > 0)
        a->len += (size_t)n;
    if (a->len >= a->cap)
        a->len = a->cap;
    return MHD_YES;
}

static int pick_random_fault(struct server *srv, enum sim_tool t, struct state_fault *f)
{
    uint64_t seq, h;
    double x;

    if (srv->opt.fault_rate <= 0.0)
        return 0;
    seq = state_next_seq(&srv->tools[t]);
    h = gen_hash(srv->opt.seed ^ 0xfa017ULL, (uint64_t)t, seq);
    x = (double)(h >> 11) / 9007199254740992.0;
    if (x >= srv->opt.fault_rate)
        return 0;
    memset(f, 0, sizeof(*f));
    switch (h % 4) {
    case 0:
        f->kind = STATE_FAULT_STATUS;
        f->status = 500;
        break;
    case 1:
        f->kind = STATE_FAULT_STATUS;
        f->status = 503;
        break;
    case 2:
        f->kind = STATE_FAULT_TRUNCATE;
        break;
    default:
        f->kind = STATE_FAULT_STALL;
        break;
    }
    return 1;
}

static void serve_data(struct server *srv, enum sim_tool t, const struct http_req *req,
                       struct http_resp *resp, struct state_fault *fault, int *has_fault)
{
    const struct vendor *v = sim_vendor(t);
    struct sim_ctx ctx = {&srv->opt, &srv->gen, &srv->tools[t], t};
    int data = v->is_data(req);

    *has_fault = 0;
    if (data && srv->opt.rate_limit > 0 &&
        state_throttled(&srv->tools[t], srv->opt.rate_limit, sim_now())) {
        int status = t == SIM_BAMBOOHR ? srv->opt.bamboohr_throttle_status : 429;

        v->throttle(&ctx, status, t == SIM_PERSONIO ? 0 : 1, resp);
        return;
    }
    if (data && (state_take_fault(&srv->tools[t], fault) || pick_random_fault(srv, t, fault))) {
        if (fault->kind == STATE_FAULT_STATUS) {
            if (fault->status == 429 || (t == SIM_BAMBOOHR && fault->status == 503)) {
                v->throttle(&ctx, fault->status, fault->retry_after, resp);
            } else {
                v->error(&ctx, fault->status, resp);
                if (fault->retry_after > 0) {
                    char ra[16];

                    snprintf(ra, sizeof(ra), "%d", fault->retry_after);
                    http_add_header(resp, "Retry-After", ra);
                }
            }
            return;
        }
        *has_fault = 1;
    }
    if (data && srv->opt.latency_ms > 0)
        nap(srv, srv->opt.latency_ms);
    v->handle(&ctx, req, resp);
}

static int tool_of(const char *url, enum sim_tool *t, const char **rest)
{
    for (int i = 0; i < SIM_N_TOOLS; i++) {
        const char *name = sim_vendor((enum sim_tool)i)->name;
        size_t n = strlen(name);

        if (url[0] == '/' && !strncmp(url + 1, name, n) && (url[n + 1] == '/' || !url[n + 1])) {
            *t = (enum sim_tool)i;
            *rest = url[n + 1] ? url + n + 1 : "/";
            return 1;
        }
    }
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct server *srv = cls;
    struct conn_ctx *cc = *con_cls;
    struct http_req req;
    struct http_resp resp;
    struct state_fault fault;
    struct MHD_Response *mr;
    enum sim_tool t;
    const char *rest = "/";
    int has_fault = 0;
    enum MHD_Result ret;

    (void)version;
    if (!cc) {
        cc = calloc(1, sizeof(*cc));
        if (!cc)
            return MHD_NO;
        sbuf_init(&cc->body);
        *con_cls = cc;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (cc->body.len + *upload_data_size > HTTP_MAX_BODY)
            cc->too_large = 1;
        else
            sbuf_add(&cc->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }

    memset(&req, 0, sizeof(req));
    req.conn = conn;
    req.method = method;
    req.body = cc->body.data ? cc->body.data : "";
    req.body_len = cc->body.len;
    http_resp_init(&resp);

    if (!tool_of(url, &t, &rest)) {
        req.path = url;
        if (!strcmp(url, "/__sim/reset") && !strcmp(method, "POST")) {
            for (int i = 0; i < SIM_N_TOOLS; i++)
                state_reset(&srv->tools[i]);
            http_json(&resp, 200, "{\"reset\":true}");
        } else if (!strcmp(url, "/__sim/requests") && !strcmp(method, "GET")) {
            resp.content_type = "application/json";
            sbuf_adds(&resp.body, "{\"tools\":{");
            for (int i = 0; i < SIM_N_TOOLS; i++) {
                sbuf_printf(&resp.body, "%s\"%s\":", i ? "," : "",
                            sim_vendor((enum sim_tool)i)->name);
                state_log_json(&srv->tools[i], &resp.body);
            }
            sbuf_adds(&resp.body, "}}");
        } else if (!strcmp(url, "/") || !strcmp(url, "/__sim/health")) {
            http_json(&resp, 200,
                      "{\"name\":\"hrsim\",\"tools\":[\"personio\",\"bamboohr\",\"hibob\","
                      "\"factorial\"]}");
        } else {
            http_json(&resp, 404, "{\"error\":\"unknown tool prefix\"}");
        }
    } else {
        req.path = rest;
        if (cc->too_large) {
            http_json(&resp, 413, "{\"error\":\"request body too large\"}");
        } else if (!strncmp(rest, "/__sim/", 7)) {
            control(srv, t, &req, &resp);
        } else {
            serve_data(srv, t, &req, &resp, &fault, &has_fault);
        }
        if (strncmp(rest, "/__sim/", 7) != 0) {
            char q[sizeof(((struct state_log *)0)->query)];
            struct query_acc a = {q, sizeof(q) - 1, 0};

            q[0] = '\0';
            MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, query_cb, &a);
            q[a.len] = '\0';
            log_request(srv, t, &req, resp.status, q);
        }
    }

    mr = make_response(srv, &resp, has_fault ? &fault : NULL);
    if (!mr) {
        http_resp_free(&resp);
        return MHD_NO;
    }
    ret = MHD_queue_response(conn, (unsigned int)resp.status, mr);
    MHD_destroy_response(mr);
    http_resp_free(&resp);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn_ctx *cc = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (!cc)
        return;
    sbuf_free(&cc->body);
    free(cc);
    *con_cls = NULL;
}

/* ------------------------------------------------------------------------ */
/* Lifecycle */

int server_new(const struct sim_options *opt, struct server **out)
{
    struct server *srv = NULL;
    struct addrinfo hints, *ai = NULL;
    char port[16];
    const union MHD_DaemonInfo *info;
    int rc = SIM_OK;

    srv = calloc(1, sizeof(*srv));
    if (!srv)
        abort();
    srv->opt = *opt;
    srv->gen.seed = opt->seed;
    srv->gen.employees = opt->employees;
    srv->gen.custom_fields = opt->custom_fields;
    for (int i = 0; i < SIM_N_TOOLS; i++)
        state_init(&srv->tools[i]);

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(port, sizeof(port), "%d", opt->port);
    if (getaddrinfo(opt->host, port, &hints, &ai) != 0 || !ai) {
        rc = SIM_ERR_INVALID;
        goto out;
    }
    srv->daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
            MHD_USE_ERROR_LOG,
        (uint16_t)opt->port, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)120, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)2000, MHD_OPTION_END);
    if (!srv->daemon) {
        rc = SIM_ERR_INTERNAL;
        goto out;
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : opt->port;
    *out = srv;
    srv = NULL;
out:
    if (ai)
        freeaddrinfo(ai);
    server_destroy(srv);
    return rc;
}

int server_port(const struct server *s)
{
    return s->port;
}

void server_destroy(struct server *s)
{
    if (!s)
        return;
    atomic_store(&s->stopping, 1);
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    for (int i = 0; i < SIM_N_TOOLS; i++)
        state_free(&s->tools[i]);
    free(s);
}
