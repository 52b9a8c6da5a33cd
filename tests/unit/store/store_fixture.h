/*
 * store_fixture — a fresh, migrated SQLite store in a temporary directory
 * with one environment and one integration, for the store's unit tests.
 */
#ifndef HB_TESTS_UNIT_STORE_FIXTURE_H
#define HB_TESTS_UNIT_STORE_FIXTURE_H

#include "core/isotime.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fx {
    char dir[64];
    char url[128];
    struct store *s;
    char env[IDS_LEN + 1];
    char integ[STORE_INTEGRATION_ID_MAX];
};

static inline int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct store_integration it;
    unsigned char blob[4] = {1, 2, 3, 4};
    char name[64];
    struct err e;

    if (sodium_init() < 0)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/hb-store-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->url, sizeof(f->url), "sqlite:%s/t.db", f->dir);
    if (store_open(f->url, 4, &f->s, &e) != ERR_OK || store_migrate(f->s, NULL, NULL) != ERR_OK)
        return -1;
    if (store_environment_ensure(f->s, "test", f->env) != ERR_OK)
        return -1;
    memset(&it, 0, sizeof(it));
    snprintf(f->integ, sizeof(f->integ), "personio:fixture");
    snprintf(it.id, sizeof(it.id), "%s", f->integ);
    snprintf(it.environment_id, sizeof(it.environment_id), "%s", f->env);
    snprintf(it.tool, sizeof(it.tool), "personio");
    it.enabled = 1;
    it.organization_name = "Acme";
    it.base_url = "http://127.0.0.1:9";
    it.credentials = blob;
    it.credentials_len = sizeof(blob);
    it.created_at = isotime_now_ms();
    if (store_scope_config_default(f->s, f->env, it.scope_config_id, name, sizeof(name)) !=
            ERR_OK ||
        store_integration_insert(f->s, &it) != ERR_OK)
        return -1;
    *state = f;
    return 0;
}

static inline int fx_teardown(void **state)
{
    struct fx *f = *state;
    char cmd[160];

    store_close(f->s);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

#endif
