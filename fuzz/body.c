/*
 * body — the target for request bodies. The input is the body of a request;
 * it is parsed by req_json_object as every handler does, then validated by
 * each body parser the API has: POST /v1/integrations, custom field
 * definitions and mappings, scope configs, PATCH integration-fields,
 * PUT .../enabled and POST /v1/force-sync. Handlers that only read the store
 * before answering run whole (their ids point at nothing, so nothing is
 * written); for the others the parser runs alone. api/custom_fields.c is
 * included for its static parse_definition.
 */
#include "api/custom_fields.c"

#include "api/integration_fields.h"
#include "api/integrations.h"
#include "api/syncs.h"
#include "core/secret.h"
#include "fuzz/targets.h"

#include <stdlib.h>

#define MAX_BODY (1024 * 1024) /* http.max_body's default */

/* A hostile body is the client's fault: never a 5xx. */
static void handler(void (*fn)(struct req *, struct resp *), struct req *rq, const char *p0,
                    const char *p1)
{
    struct resp rs;

    resp_init(&rs);
    rq->params[0] = p0;
    rq->params[1] = p1;
    rq->nparams = p1 ? 2 : 1;
    fn(rq, &rs);
    if (rs.status >= 500 || rs.status < 200)
        abort();
    resp_free(&rs);
    store_integration_free(&rq->integration);
    rq->has_integration = 0;
}

static void parsers(json_t *body)
{
    struct store_integration it;
    struct store_custom_field cf;
    const char *scope = NULL;
    char *creds = NULL;
    struct err e;

    memset(&it, 0, sizeof(it));
    err_init(&e);
    if (integrations_parse_create(body, &it, &creds, &scope, &e) == ERR_OK &&
        (!creds || !it.base_url || !it.organization_name))
        abort();
    else if (e.code != ERR_OK && !e.msg[0])
        abort();
    secret_free_text(creds);
    free(it.organization_name);
    free(it.origin_id);
    free(it.creator_email);
    free(it.base_url);

    memset(&cf, 0, sizeof(cf));
    err_init(&e);
    if (parse_definition(body, &cf, &e) == ERR_OK && !valid_key(cf.key))
        abort();

    err_init(&e);
    fuzz_scope_body(body, &e);
}

int fuzz_body(const uint8_t *data, size_t size)
{
    const struct app *app = fuzz_app();
    struct req rq;
    json_t *body = NULL;
    struct err e;

    memset(&rq, 0, sizeof(rq));
    rq.app = app;
    snprintf(rq.environment_id, sizeof(rq.environment_id), "%s", fuzz_environment());
    buf_init(&rq.body, MAX_BODY);
    buf_append(&rq.body, data, size);

    err_init(&e);
    if (req_json_object(&rq, 0, &body, &e) == ERR_OK)
        parsers(body);
    json_decref(body);

    handler(integration_fields_update, &rq, FUZZ_INTEGRATION, "no-such-field");
    handler(integration_custom_fields_update, &rq, FUZZ_INTEGRATION, "no-such-definition");
    handler(integrations_set_enabled, &rq, "personio:no-such-integration", NULL);
    /* A disabled integration: the body is validated, nothing is queued. */
    snprintf(rq.integration.id, sizeof(rq.integration.id), "%s", FUZZ_INTEGRATION);
    snprintf(rq.integration.tool, sizeof(rq.integration.tool), "personio");
    rq.has_integration = 1;
    handler(syncs_force, &rq, NULL, NULL);
    req_free(&rq);
    return 0;
}
