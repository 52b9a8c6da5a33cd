/*
 * record — writes a connector target's seed: runs one connector against a
 * real remote (hrsim, on a loopback port) as a sync would, and prints every
 * answer it got in the input format of fuzz/connectors.c. Built with
 * --wrap=fetch_do so each request goes through the real fetch_do and is
 * recorded on the way back. Used by make fuzz-seeds.
 *
 *     record TOOL BASE_URL [delta] > seed
 */
#include "connectors/connector.h"

#include "core/log.h"
#include "core/secret.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REQUESTS 64 /* as the target answers at most */

int __real_fetch_do(struct fetch_client *c, const struct fetch_req *req, struct fetch_resp *out,
                    struct err *e);
int __wrap_fetch_do(struct fetch_client *c, const struct fetch_req *req, struct fetch_resp *out,
                    struct err *e);

static int requests;

int __wrap_fetch_do(struct fetch_client *c, const struct fetch_req *req, struct fetch_resp *out,
                    struct err *e)
{
    int rc;

    if (requests >= MAX_REQUESTS)
        return err_set(e, ERR_REMOTE, "record: enough requests");
    rc = __real_fetch_do(c, req, out, e);
    if (rc != ERR_OK)
        return rc;
    if (requests++)
        fputs("\n@@\n", stdout);
    if (out->status != 200)
        printf("!%03ld\n", out->status);
    fwrite(out->body.data, 1, out->body.len, stdout);
    return ERR_OK;
}

static int on_field(void *ud, const struct conn_field *f)
{
    (void)ud, (void)f;
    return ERR_OK;
}

static int on_record(void *ud, const struct conn_record *r)
{
    (void)ud, (void)r;
    return ERR_OK;
}

static int on_deleted(void *ud, enum model m, const char *remote_id)
{
    (void)ud, (void)m, (void)remote_id;
    return ERR_OK;
}

static int on_page_done(void *ud)
{
    (void)ud;
    return ERR_OK;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *tool, *credentials;
    } creds[] = {
        {"personio", "{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"}"},
        {"bamboohr", "{\"company_domain\":\"acme\",\"api_key\":\"sim-key\"}"},
        {"hibob", "{\"service_user_id\":\"sim-user\",\"service_user_token\":\"sim-token\"}"},
        {"factorial", "{\"api_key\":\"sim-key\"}"},
    };
    const struct conn_sink sink = {on_field, on_record, on_deleted, on_page_done, NULL};
    const struct connector *conn = argc >= 3 ? connector_find(argv[1]) : NULL;
    struct fetch_opts opts;
    struct conn_ctx ctx;
    json_t *cj = NULL;
    struct err e;
    int rc;

    if (!conn) {
        fprintf(stderr, "usage: record personio|bamboohr|hibob|factorial BASE_URL [delta]\n");
        return 2;
    }
    log_set_level("error");
    if (secret_init() != ERR_OK)
        return 1;
    for (size_t i = 0; i < sizeof(creds) / sizeof(creds[0]); i++) {
        if (strcmp(creds[i].tool, argv[1]) == 0)
            cj = json_loads(creds[i].credentials, 0, NULL);
    }
    memset(&opts, 0, sizeof(opts));
    opts.max_attempts = 1;
    memset(&ctx, 0, sizeof(ctx));
    err_init(&e);
    ctx.integration_id = "personio:fuzz";
    ctx.base_url = argv[2];
    ctx.credentials = cj;
    ctx.err = &e;
    if (argc > 3 && strcmp(argv[3], "delta") == 0) {
        ctx.since_ms = INT64_C(1704067200000); /* as the target's "!delta" */
        fputs("!delta\n", stdout);
    }
    if (fetch_client_new(&opts, &ctx.http) != ERR_OK)
        return 1;
    rc = conn->authenticate ? conn->authenticate(&ctx) : ERR_OK;
    if (rc == ERR_OK)
        rc = conn->fetch(&ctx, &sink);
    fetch_client_destroy(ctx.http);
    json_decref(cj);
    if (rc != ERR_OK && requests < MAX_REQUESTS)
        fprintf(stderr, "record: %s: %s\n", argv[1], e.msg);
    return 0;
}
