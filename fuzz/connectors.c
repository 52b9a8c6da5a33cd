/*
 * connectors — the targets for each connector's mapping of remote pages. The
 * input is what the remote answers, one page per HTTP request:
 *
 *     input := ["!delta\n"] page ("\n@@\n" page)*
 *     page  := ["!" status "\n"] body           status: three digits, default 200
 *
 * "!delta" makes the run a DELTA sync (changes since 2024-01-01). The
 * connector authenticates and fetches everything as a sync does; request n
 * (counting from 0, authentication included) is answered by page n modulo
 * the number of pages, so a one-page input answers every request. After
 * MAX_REQUESTS requests the remote stops answering (ERR_REMOTE), which
 * bounds connectors that page on and on. No request leaves the process:
 * the link routes the connectors' fetch_do to __wrap_fetch_do below.
 *
 * The sink checks what the sync engine relies on in every record (a remote
 * id, links with a target and an id, JSON it can write back) and writes the
 * values back with jsonx_dump, as the engine does.
 */
#include "connectors/connector.h"

#include "core/alloc.h"
#include "core/jsonx.h"
#include "fuzz/targets.h"

#include <stdlib.h>
#include <string.h>

#define MAX_REQUESTS 64
#define PAGE_SEP     "\n@@\n"
#define DELTA_MARK   "!delta\n"
#define DELTA_SINCE  INT64_C(1704067200000) /* 2024-01-01T00:00:00Z */

struct page {
    const char *data;
    size_t len;
};

/* The script __wrap_fetch_do answers from, set for one input. */
static struct {
    struct page *pages;
    int npages;
    int requests;
} script;

static const uint8_t *find(const uint8_t *p, size_t n, const char *needle)
{
    size_t m = strlen(needle);

    for (size_t i = 0; n >= m && i <= n - m; i++) {
        if (memcmp(p + i, needle, m) == 0)
            return p + i;
    }
    return NULL;
}

static void script_load(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;

    script.pages = NULL;
    script.npages = 0;
    script.requests = 0;
    for (;;) {
        const uint8_t *sep = find(p, (size_t)(end - p), PAGE_SEP);
        const uint8_t *stop = sep ? sep : end;

        script.pages = xrealloc(script.pages, sizeof(*script.pages) * (size_t)(script.npages + 1));
        script.pages[script.npages].data = (const char *)p;
        script.pages[script.npages].len = (size_t)(stop - p);
        script.npages++;
        if (!sep)
            break;
        p = sep + strlen(PAGE_SEP);
    }
}

int __wrap_fetch_do(struct fetch_client *c, const struct fetch_req *req, struct fetch_resp *out,
                    struct err *e)
{
    struct page pg;
    long status = 200;

    (void)c;
    if (!req || !req->method || !req->url)
        abort(); /* the real fetch_do would crash as well */
    if (script.npages == 0 || script.requests >= MAX_REQUESTS)
        return err_set(e, ERR_REMOTE, "fuzz: the remote stopped answering");
    pg = script.pages[script.requests++ % script.npages];
    if (pg.len >= 5 && pg.data[0] == '!' && pg.data[4] == '\n' && pg.data[1] >= '1' &&
        pg.data[1] <= '5' && pg.data[2] >= '0' && pg.data[2] <= '9' && pg.data[3] >= '0' &&
        pg.data[3] <= '9') {
        status = (pg.data[1] - '0') * 100 + (pg.data[2] - '0') * 10 + (pg.data[3] - '0');
        pg.data += 5;
        pg.len -= 5;
    }
    memset(out, 0, sizeof(*out));
    out->status = status;
    out->attempts = 1;
    buf_init(&out->body, 0);
    buf_init(&out->headers, 0);
    buf_append(&out->body, pg.data, pg.len);
    buf_append_str(&out->headers, "Content-Type: application/json\r\n");
    out->content_type = xstrdup("application/json");
    return ERR_OK;
}

/* ---- the sink --------------------------------------------------------------- */

/* Reading every string the sink gets lets ASan see one that is not terminated. */
static volatile size_t touched;

struct tally {
    struct buf b;
    long records, fields, deleted, pages;
};

static void dump(struct tally *t, const json_t *v)
{
    if (!v)
        return;
    buf_reset(&t->b);
    if (jsonx_dump(v, &t->b) != ERR_OK)
        abort();
    /* What is stored must be JSON that reads back. */
    json_decref(json_loadb(buf_str(&t->b), t->b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL));
}

static int on_field(void *ud, const struct conn_field *f)
{
    struct tally *t = ud;

    if ((unsigned)f->model >= MODEL_COUNT || !f->key)
        abort();
    touched += strlen(f->key);
    if (f->label)
        touched += strlen(f->label);
    t->fields++;
    return ERR_OK;
}

static int on_record(void *ud, const struct conn_record *r)
{
    struct tally *t = ud;
    const struct model_def *md;

    if ((unsigned)r->model >= MODEL_COUNT || r->nlinks < 0 || r->nlinks > CONN_MAX_LINKS)
        abort();
    if (!r->remote_id)
        abort();
    touched += strlen(r->remote_id);
    if ((r->unified && !json_is_object(r->unified)) || (r->raw && !json_is_object(r->raw)))
        abort();
    for (int i = 0; i < r->nlinks; i++) {
        if (!r->links[i].attr || (unsigned)r->links[i].target >= MODEL_COUNT ||
            !memchr(r->links[i].remote_id, '\0', CONN_REMOTE_ID_MAX))
            abort();
    }
    md = models_get(r->model);
    for (const char *const *k = md->fields; *k; k++)
        dump(t, json_object_get(r->unified, *k));
    dump(t, r->raw);
    t->records++;
    return ERR_OK;
}

static int on_deleted(void *ud, enum model m, const char *remote_id)
{
    struct tally *t = ud;

    if ((unsigned)m >= MODEL_COUNT)
        abort();
    if (remote_id)
        touched += strlen(remote_id);
    t->deleted++;
    return ERR_OK;
}

static int on_page_done(void *ud)
{
    struct tally *t = ud;

    t->pages++;
    return ERR_OK;
}

/* ---- one run ------------------------------------------------------------------ */

static int run(const struct connector *conn, const char *credentials, const uint8_t *data,
               size_t size)
{
    struct tally t = {0};
    const struct conn_sink sink = {on_field, on_record, on_deleted, on_page_done,
                                   &t,       NULL,      NULL,       NULL};
    struct conn_ctx ctx;
    json_t *creds = json_loads(credentials, 0, NULL);
    struct err e;
    int rc;

    fuzz_app(); /* quiet logs, libsodium */
    memset(&ctx, 0, sizeof(ctx));
    err_init(&e);
    ctx.integration_id = FUZZ_INTEGRATION;
    ctx.base_url = "http://127.0.0.1:9";
    ctx.credentials = creds;
    ctx.err = &e;
    if (size >= strlen(DELTA_MARK) && memcmp(data, DELTA_MARK, strlen(DELTA_MARK)) == 0) {
        ctx.since_ms = DELTA_SINCE;
        data += strlen(DELTA_MARK);
        size -= strlen(DELTA_MARK);
    }
    buf_init(&t.b, 0);
    script_load(data, size);
    rc = conn->authenticate ? conn->authenticate(&ctx) : ERR_OK;
    if (rc == ERR_OK)
        rc = conn->fetch(&ctx, &sink);
    /* A failed run says why (the message goes into the run's record). */
    if (rc != ERR_OK && !e.msg[0])
        abort();
    free(script.pages);
    memset(&script, 0, sizeof(script));
    buf_free(&t.b);
    json_decref(creds);
    return 0;
}

int fuzz_personio(const uint8_t *data, size_t size)
{
    return run(&connector_personio,
               "{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"}", data, size);
}

int fuzz_bamboohr(const uint8_t *data, size_t size)
{
    return run(&connector_bamboohr, "{\"company_domain\":\"acme\",\"api_key\":\"sim-key\"}", data,
               size);
}

int fuzz_hibob(const uint8_t *data, size_t size)
{
    return run(&connector_hibob,
               "{\"service_user_id\":\"sim-user\",\"service_user_token\":\"sim-token\"}", data,
               size);
}

int fuzz_factorial(const uint8_t *data, size_t size)
{
    return run(&connector_factorial, "{\"api_key\":\"sim-key\"}", data, size);
}
