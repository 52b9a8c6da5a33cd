/*
 * fixture — the application the API targets run against: a fixed master key
 * and a migrated in-memory SQLite store (no file is written) with one
 * environment, one integration, one discovered field and two custom field
 * definitions, so that lookups the parsers make find something.
 */
#include "fuzz/targets.h"

#include "core/isotime.h"
#include "core/log.h"
#include "core/secret.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct app app;
static char environment[IDS_LEN + 1];

static void fail(const char *what)
{
    fprintf(stderr, "fuzz fixture: %s failed\n", what);
    abort();
}

/* A sync run that discovers the employee field F1, so custom fields can be
 * mapped onto it. */
static void discover_field(struct store *s)
{
    static const char *const models[] = {"hris_employees", NULL};
    const struct store_field_def defs[] = {
        {"F1", "hris_employees", "CUSTOM", "dynamic_1", "Shirt"}};
    struct store_sync_run q, run;
    struct store_stage *stage = NULL;
    struct store_apply a;
    int64_t now = isotime_now_ms();
    int already = 0;

    if (store_sync_enqueue(s, FUZZ_INTEGRATION, SYNC_FULL, 0, &q, &already) != ERR_OK ||
        store_sync_claim(s, "fuzz", now, now + 60000, &run) != ERR_OK)
        fail("claiming a sync run");
    memset(&a, 0, sizeof(a));
    a.run = &run;
    a.worker = "fuzz";
    a.models = models;
    a.fields = defs;
    a.nfields = 1;
    a.now = now;
    if (store_stage_open(s, &stage) != ERR_OK || store_sync_apply(stage, &a) != ERR_OK)
        fail("applying a sync run");
    store_stage_close(stage);
    store_sync_run_free(&run);
    store_sync_run_free(&q);
}

static void define(struct store *s, const char *key, const char *field_id)
{
    struct store_custom_field cf;

    memset(&cf, 0, sizeof(cf));
    snprintf(cf.model, sizeof(cf.model), "hris_employees");
    cf.key = (char *)key;
    if (store_custom_field_create(s, environment, &cf) != ERR_OK)
        fail("defining a custom field");
    if (field_id && store_custom_field_map(s, FUZZ_INTEGRATION, &cf, field_id) != ERR_OK)
        fail("mapping a custom field");
}

static void build(void)
{
    static const unsigned char sealed[4] = {1, 2, 3, 4};
    struct store_integration it;
    char name[64];
    struct err e;

    /* Parsers and connectors log what they refuse; at thousands of inputs a
     * second that is noise. */
    log_set_level("error");
    if (secret_init() != ERR_OK)
        fail("secret_init");
    memset(app.master.key, 0x42, sizeof(app.master.key));
    if (store_open("sqlite::memory:", 1, &app.store, &e) != ERR_OK)
        fail("opening an in-memory store");
    if (store_migrate(app.store, NULL, NULL) != ERR_OK ||
        store_environment_ensure(app.store, "fuzz", environment) != ERR_OK)
        fail("preparing the store");
    memset(&it, 0, sizeof(it));
    snprintf(it.id, sizeof(it.id), "%s", FUZZ_INTEGRATION);
    snprintf(it.environment_id, sizeof(it.environment_id), "%s", environment);
    snprintf(it.tool, sizeof(it.tool), "personio");
    it.enabled = 1;
    it.organization_name = "Acme";
    it.base_url = "http://127.0.0.1:9";
    it.credentials = (unsigned char *)sealed;
    it.credentials_len = sizeof(sealed);
    it.created_at = isotime_now_ms();
    if (store_scope_config_default(app.store, environment, it.scope_config_id, name,
                                   sizeof(name)) != ERR_OK ||
        store_integration_insert(app.store, &it) != ERR_OK)
        fail("inserting the integration");
    discover_field(app.store);
    define(app.store, "tshirt_size", "F1");
    define(app.store, "badge", NULL);
}

const struct app *fuzz_app(void)
{
    if (!app.store)
        build();
    return &app;
}

const char *fuzz_environment(void)
{
    fuzz_app();
    return environment;
}
